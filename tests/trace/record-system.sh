#!/usr/bin/env bash
# Recording traces with `ferry run --hosted --trace` (or --kvm: in the engine under KVM,
# skipped without /dev/kvm): on every bare-metal test (EL1 and
# EL0, exceptions, MMU, TLB maintenance, self-modifying code, devices), the JIT's trace
# equals the interpreter's instruction for instruction. Where a test reads host time
# (CNTVCT_EL0, the RTC) or waits for console input (the UART's flag register), the two
# runs legitimately see different values: there the traces must agree up to that read,
# which must be the first difference. Records carry physical PCs and MSR's writes. Block
# mode covers the same instructions as the full trace. Hosted, a replay trace
# (--trace-replay, translated code and the interpreter) read back equals the JIT's full
# trace (up to that read).
# Usage: record-system.sh FERRY ELF_DIR SRC_DIR WORKDIR [--hosted|--kvm]
set -u
ferry=$1 elfs=$2 srcs=$3 dir=$4 where=${5:---hosted}
if [ "$where" = --kvm ]; then
    . "$(dirname "$0")/../host/testlib.sh"
    require_kvm
fi
mkdir -p "$dir"
fails=0 identical=0 up_to_clock=0 insns=0 replayed=0
# The first difference of two runs of a test that reads host time or waits for input.
clock_read='^>.*(mrs x[0-9]+, cnt[pv]ct_el0|\[0x9010000\]|\[0x9000018\])'
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
for elf in "$elfs"/*.elf; do
    [ -s "$elf" ] || continue
    name=$(basename "$elf" .elf)
    input=/dev/null
    [ -f "$srcs/$name.input" ] && input=$srcs/$name.input
    timeout 120 "$ferry" run $where --kernel "$elf" --trace "$dir/jit.ft" <"$input" >"$dir/jit.out" 2>/dev/null
    rj=$?
    timeout 300 "$ferry" run $where --interp --kernel "$elf" --trace "$dir/interp.ft" <"$input" >"$dir/interp.out" 2>/dev/null
    ri=$?
    if [ "$rj" != "$ri" ] || ! cmp -s "$dir/jit.out" "$dir/interp.out"; then
        fail "$name: the JIT and the interpreter ran differently (status $rj vs $ri)"
        continue
    fi
    "$ferry" trace diff --context 0 "$dir/jit.ft" "$dir/interp.ft" >"$dir/diff.out" 2>&1
    rc=$?
    n=$(sed -n 's/^traces identical: \([0-9]*\) instructions compared (PC, EL, encoding, registers, memory, exceptions)$/\1/p;s/^\([0-9]*\) instructions matched before it.*/\1/p' "$dir/diff.out" | head -1)
    if [ "$rc" = 0 ] && [ -n "$n" ]; then
        identical=$((identical + 1)) insns=$((insns + n))
        # A deterministic run: block mode covers the same instructions (blocks that fault
        # before their first instruction, as a fetch abort does, count none).
        timeout 120 "$ferry" run $where --kernel "$elf" --trace "$dir/blocks.ft" --trace-blocks \
            <"$input" >/dev/null 2>&1
        full=$("$ferry" trace stats "$dir/jit.ft" | sed -n 's/^instructions: \([0-9]*\) .*/\1/p')
        blocks=$("$ferry" trace stats "$dir/blocks.ft" | sed -n 's/^instructions: \([0-9]*\) .*/\1/p')
        [ -n "$full" ] && [ "$blocks" = "$full" ] ||
            fail "$name: block mode has $blocks instructions, the full trace $full"
    elif [ "$rc" = 1 ] && grep -qE "$clock_read" "$dir/diff.out"; then
        up_to_clock=$((up_to_clock + 1)) insns=$((insns + n))
    else
        fail "$name: traces differ"
        head -8 "$dir/diff.out" | sed 's/^/    /'
        continue
    fi
    [ "$where" = --hosted ] || continue
    for mode in "" --interp; do
        timeout 300 "$ferry" run $where $mode --kernel "$elf" --trace "$dir/replay.ft" --trace-replay \
            <"$input" >"$dir/replay.out" 2>"$dir/replay.err"
        rr=$?
        if [ "$rr" != "$rj" ]; then
            fail "$name${mode:+ $mode}: the replay-traced run ended with status $rr: $(head -2 "$dir/replay.err")"
            continue
        fi
        "$ferry" trace diff --context 0 "$dir/jit.ft" "$dir/replay.ft" >"$dir/diff.out" 2>&1
        rc=$?
        if ! "$ferry" trace stats "$dir/replay.ft" >/dev/null 2>"$dir/replay.err"; then
            fail "$name${mode:+ $mode}: the replay trace does not read back: $(head -1 "$dir/replay.err")"
        elif [ "$rc" = 0 ] || { [ "$rc" = 1 ] && grep -qE "$clock_read" "$dir/diff.out"; }; then
            replayed=$((replayed + 1))
        else
            fail "$name${mode:+ $mode}: the replay trace read back differs from the full trace"
            head -8 "$dir/diff.out" | sed 's/^/    /'
        fi
    done
done
# Physical PCs (mmu48 runs code at a kernel-half address mapped onto RAM) and system
# register writes (its MSR to VBAR_EL1 shows the value).
if [ -s "$elfs/mmu48.elf" ]; then
    for mode in "" --interp; do
        timeout 120 "$ferry" run $where $mode --kernel "$elfs/mmu48.elf" --trace "$dir/pa.ft" </dev/null >/dev/null 2>&1
        "$ferry" trace show "$dir/pa.ft" --pc 0xffff000000000000..0xffffffffffffffff |
            grep -qE '^ +[0-9]+  ffff[0-9a-f]{12} pa=4[0-9a-f]{7}  EL1  ' ||
            fail "physical PCs${mode:+ ($mode)}: no kernel-half instruction with its RAM address"
        "$ferry" trace show "$dir/pa.ft" | grep -qE '  msr vbar_el1, x[0-9]+ +vbar_el1=0x4[0-9a-f]{7}$' ||
            fail "system register writes${mode:+ ($mode)}: msr vbar_el1 without its value"
    done
fi
# A full disk (the file may not grow past 8 KiB): one message naming the file, status 1.
if [ -s "$elfs/mmu48.elf" ]; then
    (ulimit -f 8; trap '' XFSZ; "$ferry" run $where --kernel "$elfs/mmu48.elf" --trace "$dir/full.ft" \
        </dev/null >/dev/null 2>"$dir/full.err"; echo $? >"$dir/full.rc")
    [ "$(cat "$dir/full.rc")" = 1 ] && [ "$(grep -c "^ferry run: $dir/full.ft: " "$dir/full.err")" = 1 ] ||
        fail "full disk: status $(cat "$dir/full.rc"), $(cat "$dir/full.err")"
fi
echo "trace recording (system mode, $where): JIT = interpreter on $identical tests, and up to the first read of" \
     "host time on $up_to_clock ($insns instructions); replay = full on $replayed runs; $fails failed"
[ "$fails" -eq 0 ] && [ $((identical + up_to_clock)) -gt 0 ]
