#!/usr/bin/env bash
# The user-mode benchmark: runs every program natively, under qemu-aarch64 and under
# `ferry user` (RUNS times each, default 3), checks that the three outputs agree,
# and prints medians, ratios, the geometric mean and Ferry's translation statistics.
# Usage: bench/run.sh FERRY BENCH_BUILD_DIR [NAME...]   (env: RUNS, SCALE, OUT)
set -u
ferry=${1:-build/ferry}
dir=${2:-build/bench}
shift 2 2>/dev/null || true
runs=${RUNS:-3}
scale=${SCALE:-1}
out=${OUT:-bench/results/latest.txt}
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

source "$(dirname "$0")/programs.sh"
source "$(dirname "$0")/timing.sh"


{
echo "Ferry user-mode benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, runs=$runs (median wall seconds)"
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); qemu: $(qemu-aarch64 --version | head -1)"
echo
printf '%-14s %9s %9s %9s %10s %12s %8s %12s %10s\n' program native qemu ferry qemu/ferry ferry/native output "insns/s(tr)" "B/insn"
} | tee "$out"

log_q=0 log_fn=0 count=0 all_ok=1
for name in "${names[@]}"; do
    a=$(( ${arg[$name]:-1} * scale ))
    t_native=$(median_wall "$tmp/native" "$dir/native/$name" "$a")
    t_qemu=$(median_wall "$tmp/qemu" qemu-aarch64 "$dir/aarch64/$name" "$a")
    t_ferry=$(median_wall "$tmp/ferry" "$ferry" user --stats "$dir/aarch64/$name" "$a")
    same=same
    if ! cmp -s "$tmp/native" "$tmp/qemu" || ! cmp -s "$tmp/qemu" "$tmp/ferry"; then
        same=DIFFERENT; all_ok=0
    fi
    rate=$(sed -n 's/.*translation_insns_per_s=\([0-9.]*\).*/\1/p' "$tmp/ferry.err" | head -1)
    bpi=$(sed -n 's/.*host_bytes_per_guest_insn=\([0-9.]*\).*/\1/p' "$tmp/ferry.err" | head -1)
    read -r qf fn < <(awk -v n="$t_native" -v q="$t_qemu" -v f="$t_ferry" \
        'BEGIN { if (f+0 > 0 && n+0 > 0) printf "%.2f %.2f\n", q/f, f/n; else print "nan nan" }')
    printf '%-14s %9s %9s %9s %10s %12s %8s %12s %10s\n' "$name" "$t_native" "$t_qemu" "$t_ferry" \
        "$qf" "$fn" "$same" "${rate:-?}" "${bpi:-?}" | tee -a "$out"
    if [ "$qf" != nan ]; then
        log_q=$(awk -v s="$log_q" -v r="$qf" 'BEGIN { print s + log(r) }')
        log_fn=$(awk -v s="$log_fn" -v r="$fn" 'BEGIN { print s + log(r) }')
        count=$((count + 1))
    fi
done
{
echo
if [ $count -gt 0 ]; then
    awk -v q="$log_q" -v f="$log_fn" -v n="$count" \
        'BEGIN { printf "geometric mean over %d programs: qemu/ferry %.2fx, ferry/native %.2fx\n", n, exp(q/n), exp(f/n) }'
fi
[ $all_ok -eq 1 ] && echo "outputs: identical across native, qemu-aarch64 and ferry" \
                  || echo "outputs: SOME DIFFER (see the output column)"
} | tee -a "$out"
[ $all_ok -eq 1 ]
