#!/usr/bin/env bash
# The mechanism benchmark (issue 8, in the spirit of SimBench): each mechanism of
# bench/mechanisms/mechanisms.c (block dispatch, branches, exceptions, TLBI, ASID switch,
# MMIO, self-modifying code, timer interrupts) on Ferry and on qemu-system-aarch64. The
# guest times its own loop with CNTVCT (host time on both), so start-up is not counted.
#   mechanisms.sh [BUILD] [NAME...]          the table: median ns/op of $RUNS runs
#   mechanisms.sh --smoke [BUILD] [NAME...]  a test: every mechanism with a small N under
#                                            ferry (JIT, interpreter, and the sanitizer
#                                            build's JIT if built) and QEMU; the check
#                                            lines must be "ok" and identical
# Env: RUNS (default 3), MECH_N (operations per run instead of each row's default),
# MECH_TIMEOUT (seconds per run, default 300).
# A row whose check line is not "ok" (or that crashes or hangs) prints FAILED, no time.
set -u
smoke=0
if [ "${1:-}" = --smoke ]; then
    smoke=1
    shift
fi
build=${1:-build}
shift 2>/dev/null || true
elf=$build/bench/mechanisms/mechanisms.elf
ferry=$build/ferry
runs=${RUNS:-3}
n_arg=${MECH_N:-}
timeout_s=${MECH_TIMEOUT:-300}
all=(dispatch direct indirect svc dabort iabort tlbi asid mmio undef selfmod timer timer-10us)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$elf" "$ferry"; do
    [ -f "$f" ] || { echo "mechanisms.sh: $f not built (make $f)" >&2; exit 2; }
done
# Run private copies: a rebuild of BUILD while the benchmark runs (for minutes) must not
# swap the program measured halfway. ferry finds engine.elf next to itself.
cp "$ferry" "$tmp/ferry" && cp "$elf" "$tmp/mechanisms.elf" || exit 2
[ -f "$build/engine.elf" ] && cp "$build/engine.elf" "$tmp/engine.elf"
ferry=$tmp/ferry
san_ferry=""
if [ "$smoke" -eq 1 ] && [ -f "$build/san/ferry" ]; then
    cp "$build/san/ferry" "$tmp/san-ferry" || exit 2
    san_ferry=$tmp/san-ferry
fi
elf=$tmp/mechanisms.elf
have_qemu=1
command -v qemu-system-aarch64 > /dev/null || have_qemu=0

# run_one CONFIG NAME N OUT: one run of mechanism NAME with N operations (empty: the
# guest's default) under CONFIG; the guest's UART output in OUT, stderr in OUT.err.
# Returns ferry's/QEMU's exit status (124 on timeout).
run_one() {
    local config=$1 name=$2 n=$3 out=$4 cmd
    case $config in
    qemu) cmd=(qemu-system-aarch64 -M virt -cpu cortex-a57 -m 1G -nodefaults -display none
               -serial stdio -no-reboot -kernel "$elf" -append "$name $n") ;;
    hosted) cmd=("$ferry" run --hosted --mem 1G --kernel "$elf" --append "$name $n") ;;
    interp) cmd=("$ferry" run --hosted --interp --mem 1G --kernel "$elf" --append "$name $n") ;;
    san) cmd=("$san_ferry" run --hosted --mem 1G --kernel "$elf" --append "$name $n") ;;
    host-pt|soft-tlb) cmd=("$ferry" run --kvm --mmu "$config" --mem 1G --kernel "$elf" --append "$name $n") ;;
    esac
    timeout -k 2 "$timeout_s" "${cmd[@]}" < /dev/null > "$out" 2> "$out.err"
}

# check_line NAME OUT: the guest's check line if it says "ok", else nothing.
check_line() {
    grep -m1 "^check $1 ok: " "$2"
}

# why_failed NAME OUT STATUS: one line saying what went wrong with a run.
why_failed() {
    local name=$1 out=$2 status=$3
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "no exit within ${timeout_s}s"
    elif grep -q "^check $name FAILED" "$out"; then
        grep -m1 "^check $name FAILED" "$out"
    elif [ "$status" -ne 0 ]; then
        echo "exit status $status: $(grep -v '^psci:' "$out.err" | head -n 2 | tr '\n' ' ')$(tail -n 1 "$out")"
    else
        echo "no check line (last output: $(tail -n 1 "$out"))"
    fi
}

# ---- smoke test ----------------------------------------------------------------------
if [ "$smoke" -eq 1 ]; then
    n=${n_arg:-256}
    configs=(hosted interp)
    [ -n "$san_ferry" ] && configs+=(san)
    if [ -e /dev/kvm ]; then configs+=(soft-tlb); else echo "SKIP engine: no /dev/kvm"; fi
    if [ "$have_qemu" -eq 1 ]; then configs+=(qemu); else echo "SKIP qemu: qemu-system-aarch64 not installed"; fi
    failed=0
    for name in "${names[@]}"; do
        ref="" bad=""
        for c in "${configs[@]}"; do
            run_one "$c" "$name" "$n" "$tmp/out"
            status=$?
            line=$(check_line "$name" "$tmp/out")
            if [ "$status" -ne 0 ] || [ -z "$line" ]; then
                bad="$c: $(why_failed "$name" "$tmp/out" "$status")"
                break
            fi
            if [ -z "$ref" ]; then
                ref=$line
            elif [ "$line" != "$ref" ]; then
                bad="$c: '$line', ferry --hosted: '$ref'"
                break
            fi
        done
        if [ -n "$bad" ]; then
            echo "FAIL $name ($bad)"
            failed=$((failed + 1))
        else
            echo "PASS $name: ${ref#check $name ok: }"
        fi
    done
    echo "mechanisms smoke (${configs[*]}, N=$n): $(( ${#names[@]} - failed )) passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# ---- the table -----------------------------------------------------------------------
# median_ns CONFIG NAME: the median ns/op of $runs runs, or "FAILED" (reason in
# $tmp/why); the check line of the last run in $tmp/check.
median_ns() {
    local config=$1 name=$2 vals=() status ps
    : > "$tmp/why"
    for ((r = 0; r < runs; r++)); do
        run_one "$config" "$name" "$n_arg" "$tmp/out"
        status=$?
        ps=$(sed -n "s/^result $name .*ps_per_op=\([0-9]*\).*/\1/p" "$tmp/out")
        if [ "$status" -ne 0 ] || [ -z "$(check_line "$name" "$tmp/out")" ] || [ -z "$ps" ]; then
            echo "$config: $(why_failed "$name" "$tmp/out" "$status")" > "$tmp/why"
            echo FAILED
            return
        fi
        vals+=("$ps")
    done
    printf '%s\n' "${vals[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

# The engine's columns: measured only where the engine can run (each strategy probed).
engine_note="" hpt_note=""
if [ ! -e /dev/kvm ]; then
    engine_note="n/a (no /dev/kvm)"
else
    run_one soft-tlb dispatch 64 "$tmp/probe"
    [ $? -ne 0 ] && engine_note="n/a (ferry run --kvm --mmu soft-tlb: $(head -n 1 "$tmp/probe.err"))"
    run_one host-pt dispatch 64 "$tmp/probe"
    [ $? -ne 0 ] && hpt_note="n/a (ferry run --kvm --mmu host-pt: $(head -n 1 "$tmp/probe.err"))"
fi

commit=$(git -C "$(dirname "$0")" describe --always --dirty 2>/dev/null || echo unknown)
echo "Mechanism benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, runs=$runs (median ns/op, guest-timed), ferry $commit"
if [ "$have_qemu" -eq 1 ]; then
    echo "qemu: $(qemu-system-aarch64 --version | head -n 1)"
else
    echo "qemu: not installed"
fi
[ -n "$engine_note" ] && echo "engine host-pt, engine soft-tlb: $engine_note"
[ -z "$engine_note" ] && [ -n "$hpt_note" ] && echo "engine host-pt: $hpt_note"
printf '%-11s %12s %12s %12s %12s %10s\n' mechanism ferry-hosted engine-hpt engine-stlb qemu qemu/ferry
faster=0 rows=0
for name in "${names[@]}"; do
    hosted=$(median_ns hosted "$name")
    why=$(cat "$tmp/why")
    if [ -n "$engine_note" ]; then
        hpt=n/a stlb=n/a
    else
        hpt=n/a
        if [ -z "$hpt_note" ]; then
            hpt=$(median_ns host-pt "$name")
            [ -z "$why" ] && why=$(cat "$tmp/why")
        fi
        stlb=$(median_ns soft-tlb "$name")
        [ -z "$why" ] && why=$(cat "$tmp/why")
    fi
    qemu=n/a
    if [ "$have_qemu" -eq 1 ]; then
        qemu=$(median_ns qemu "$name")
        [ -z "$why" ] && why=$(cat "$tmp/why")
    fi
    # Ferry's best measured configuration against QEMU.
    ratio=$(printf '%s\n' "$hosted" "$hpt" "$stlb" | awk -v q="$qemu" '
        $1 ~ /^[0-9.]+$/ && $1 > 0 && (best == "" || $1 < best) { best = $1 }
        END { if (best != "" && q ~ /^[0-9.]+$/) printf "%.2f", q / best; else print "-" }')
    printf '%-11s %12s %12s %12s %12s %10s\n' "$name" "$hosted" "$hpt" "$stlb" "$qemu" "$ratio"
    [ -n "$why" ] && echo "    FAILED $name: $why"
    if [ "$ratio" != - ]; then
        rows=$((rows + 1))
        awk -v r="$ratio" 'BEGIN { exit !(r > 1) }' && faster=$((faster + 1))
    fi
done
echo "qemu/ferry = QEMU's time over Ferry's best measured column; Ferry faster on $faster of $rows rows"
