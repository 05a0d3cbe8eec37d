#!/usr/bin/env bash
# The recording benchmark (not a test): for each bench/ program, the median wall time of
# an untraced run, a full trace (--trace), a replay trace (--trace-replay; not in the
# engine) and a block-mode trace (--trace-blocks), all in one invocation, under `ferry
# user`, under `ferry run --hosted` (the program at EL0 under the minikernel, MMU on)
# and, where /dev/kvm works, under `ferry run --kvm` (the same in the engine); the
# slowdowns against the untraced run, the traced instructions and the bytes per
# instruction on disk of the full and the replay trace. Arguments are bench/programs.sh's
# divided by DIV (default 20): a full trace of a billion instructions takes about a
# minute and gigabytes of disk. The trace files are deleted once measured.
# Usage: bench/trace-record.sh [BUILD] [NAME...]   (env: RUNS (default 3), DIV, SYSTEM=0
# to skip system mode, ENGINE=0 to skip the engine, FULL=0 to skip the full traces: more
# runs of block and replay mode in the time, B/insn then the block-mode trace's)
#                                                     make trace-record-bench
set -u
build=${1:-build}
shift 2>/dev/null || true
runs=${RUNS:-3}
full=${FULL:-1}
div=${DIV:-20}
ferry=$build/ferry
udir=$build/bench/aarch64
kdir=$build/tests/baremetal/minikernel
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/programs.sh"
source "$(dirname "$0")/timing.sh"

ratio() {
    [ "$1" = - ] && { echo -; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf (a/b < 10 ? "%.2fx" : "%.1fx"), a/b; else print "nan" }'
}

# run MODE NAME ARG [TRACE-OPTION...]: the program under ferry user or ferry run.
run() {
    local mode=$1 name=$2 a=$3
    shift 3
    case $mode in
    user) "$ferry" user "$@" "$udir/$name" "$a" ;;
    system) "$ferry" run --hosted --mem 1G --kernel "$kdir/$name.elf" --append "$name $a" "$@" ;;
    engine) "$ferry" run --kvm --mem 1G --kernel "$kdir/$name.elf" --append "$name $a" "$@" ;;
    esac
}

# The untraced, block-mode and replay runs go in rounds over all rows: the machine's
# speed drifts (by up to 2x, for seconds to minutes, on the project's machines), so a
# slow spell touches one run of many rows rather than every run of one; within a round a
# row's runs follow each other, so their ratios are not skewed by the drift either. The
# full traces run after all rounds.
declare -A plain_t blocks_t replay_t
timed_rounds() {
    local r row mode name a key
    for ((r = 0; r < runs; r++)); do
        for row in "${rows[@]}"; do
            read -r mode name a <<<"$row"
            key=$mode-$name
            plain_t[$key]+=" $(runs=1 median_wall "$tmp/$key.plain" run "$mode" "$name" "$a")"
            blocks_t[$key]+=" $(runs=1 median_wall "$tmp/$key.blocks" run "$mode" "$name" "$a" \
                --trace-blocks --trace "$tmp/$key.ft")"
            [ "$mode" != engine ] && replay_t[$key]+=" $(runs=1 median_wall "$tmp/$key.replay" run "$mode" "$name" "$a" \
                --trace-replay --trace "$tmp/$key.rp.ft")"
        done
    done
}

# row MODE NAME ARG: the full traces and the table line.
row() {
    local mode=$1 name=$2 a=$3 key=$1-$2
    local t0 tf tb tr=- insns bytes bpi rbpi=- same=same trace=$tmp/$key.ft
    # shellcheck disable=SC2086  # the lists split into their times
    t0=$(median ${plain_t[$key]})
    # shellcheck disable=SC2086
    tb=$(median ${blocks_t[$key]})
    # shellcheck disable=SC2086
    [ -n "${replay_t[$key]:-}" ] && tr=$(median ${replay_t[$key]})
    if [ "$full" != 0 ]; then
        tf=$(median_wall "$tmp/$key.full" run "$mode" "$name" "$a" --trace "$tmp/t.ft")
        trace=$tmp/t.ft
    else
        tf=-
        cp "$tmp/$key.blocks" "$tmp/$key.full"
    fi
    # the count from a trace read quickly (a replay trace's reader runs it again)
    insns=$("$ferry" trace stats "$trace" 2>/dev/null | sed -n 's/^instructions: \([0-9]*\) .*/\1/p')
    bytes=$(stat -c %s "$trace" 2>/dev/null || echo 0)
    bpi=$(awk -v b="$bytes" -v n="${insns:-0}" 'BEGIN { if (n > 0) printf "%.2f", b/n; else print "nan" }')
    if [ "$tr" != - ]; then
        rbpi=$(awk -v b="$(stat -c %s "$tmp/$key.rp.ft")" -v n="${insns:-0}" \
            'BEGIN { if (n > 0) printf "%.2f", b/n; else print "nan" }')
        cmp -s "$tmp/$key.plain" "$tmp/$key.replay" || same=DIFFERENT
    fi
    rm -f "$tmp/t.ft" "$tmp/$key.ft" "$tmp/$key.rp.ft"
    cmp -s "$tmp/$key.plain" "$tmp/$key.full" && cmp -s "$tmp/$key.plain" "$tmp/$key.blocks" || same=DIFFERENT
    printf '%-7s %-14s %8s %8s %8s %8s %8s %8s %8s %11s %6s %6s %s\n' "$mode" "$name" "$t0" "$tf" "$tr" "$tb" \
        "$(ratio "$tf" "$t0")" "$(ratio "$tr" "$t0")" "$(ratio "$tb" "$t0")" "${insns:-nan}" "$bpi" "$rbpi" "$same"
}

echo "Ferry trace recording benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, runs=$runs, arguments/$div (median wall seconds)$([ "$full" != 0 ] || echo "; no full traces, B/insn of block mode")"
printf '%-7s %-14s %8s %8s %8s %8s %8s %8s %8s %11s %6s %6s %s\n' mode program untraced full replay blocks \
    full/un rep/un blk/un instrs B/insn rB/ins output
modes=(user)
[ "${SYSTEM:-1}" != 0 ] && modes+=(system)
[ "${SYSTEM:-1}" != 0 ] && [ "${ENGINE:-1}" != 0 ] && [ -w /dev/kvm ] && modes+=(engine)
rows=()
for mode in "${modes[@]}"; do
    for name in "${names[@]}"; do
        a=$(( ${arg[$name]:-1} / div )); [ "$a" -ge 1 ] || a=1
        [ "$mode" = user ] || [ -s "$kdir/$name.elf" ] || continue
        rows+=("$mode $name $a")
    done
done
timed_rounds
for row in "${rows[@]}"; do
    # shellcheck disable=SC2086  # mode, name, argument
    row $row
done
