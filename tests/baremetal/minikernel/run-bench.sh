#!/usr/bin/env bash
# The EL0 benchmark: each bench/progs program (static AArch64 build) run at EL0 under
# the minikernel on qemu-system-aarch64 -M virt, its output compared with
# qemu-aarch64's, and the median wall time of both printed (ferry's column comes later).
# Usage: run-bench.sh [BUILD] [NAME...]   (env: RUNS (default 3), SCALE (default 1))
set -u
build=${1:-build}
shift 2>/dev/null || true
runs=${RUNS:-3}
scale=${SCALE:-1}
kdir=$build/tests/baremetal/minikernel
udir=$build/bench/aarch64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same arguments as bench/run.sh (about 1-1.5 s natively on the CI machine).
declare -A arg=(
    [sha256]=300 [crc32]=350 [matmul_int]=500 [matmul_double]=600
    [qsort_bench]=40 [dhry_like]=60000000 [bytecode]=6000000
)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(sha256 crc32 matmul_int matmul_double qsort_bench dhry_like bytecode)

# median_time OUTFILE CMD...: the median wall seconds of $runs runs, output kept.
median_time() {
    local outfile=$1
    shift
    local times=() start end
    for ((r = 0; r < runs; r++)); do
        start=$(date +%s%N)
        timeout 600 "$@" > "$outfile" 2> "$outfile.err" < /dev/null || { echo nan; return; }
        end=$(date +%s%N)
        times+=("$(( (end - start) / 1000 ))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", a[int((NR+1)/2)]/1e6}'
}

echo "EL0 benchmark under the minikernel, $(date -u +%Y-%m-%dT%H:%MZ), runs=$runs (median wall seconds)"
echo "qemu: $(qemu-system-aarch64 --version | head -1)"
printf '%-14s %12s %12s %10s %8s\n' program qemu-system qemu-user sys/user output
for name in "${names[@]}"; do
    a=$(( ${arg[$name]:-1} * scale ))
    t_sys=$(median_time "$tmp/sys" qemu-system-aarch64 -M virt -cpu cortex-a57 -m 1G -nodefaults \
        -display none -serial stdio -no-reboot -kernel "$kdir/$name.elf" -append "$name $a")
    t_user=$(median_time "$tmp/user" qemu-aarch64 "$udir/$name" "$a")
    same=same
    cmp -s "$tmp/sys" "$tmp/user" || same=DIFFERENT
    ratio=$(awk -v s="$t_sys" -v u="$t_user" 'BEGIN { if (u+0 > 0) printf "%.2f", s/u; else print "nan" }')
    printf '%-14s %12s %12s %10s %8s\n' "$name" "$t_sys" "$t_user" "$ratio" "$same"
done
