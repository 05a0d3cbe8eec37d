#!/usr/bin/env bash
# The QEMU plugin: records a static AArch64 loop of known length under qemu-aarch64 and
# checks the trace's instruction, load and store counts and that `ferry trace show`
# prints it; then a bare-metal loop under qemu-system-aarch64 (when installed), and a
# bare-metal test program (EXC_ELF, tests/baremetal/exceptions) under QEMU and under
# `ferry run --hosted`: `ferry trace diff` must get past the places where the two only
# record differently (an STP of two W registers: one 8-byte store in Ferry, two 4-byte
# ones in QEMU; the instruction after an illegal ERET, which takes the exception) and
# first stop at QEMU's store-exclusive, which its plugin shows as a load and a store.
# Skipped (exit 77) without qemu-aarch64 or the AArch64 cross binutils.
# Usage: qemu.sh FERRY PLUGIN LOOP_ELF SYSLOOP_ELF WORKDIR [EXC_ELF]
set -u
ferry=$1; plugin=$2; elf=$3; syself=$4; dir=$5; excelf=${6:-}
if ! command -v qemu-aarch64 >/dev/null || [ ! -s "$elf" ]; then
    echo "SKIP: qemu-aarch64 or aarch64-linux-gnu-as missing"; exit 77
fi
mkdir -p "$dir"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
rm -f "$dir/loop.ft"
qemu-aarch64 -plugin "$plugin,out=$dir/loop.ft" "$elf" 2>"$dir/qemu.err" || fail "qemu-aarch64 exit status $?"
grep -q 'ferry trace plugin: .*4005 instructions' "$dir/qemu.err" || fail "plugin summary: $(cat "$dir/qemu.err")"
stats=$("$ferry" trace stats "$dir/loop.ft") || fail "stats exit status"
grep -q '^instructions: 4005 in 4005 records' <<<"$stats" || fail "instruction count: $(grep instructions <<<"$stats")"
grep -q '^memory: .*1000 loads (8000 bytes), 1000 stores (8000 bytes)' <<<"$stats" || fail "memory: $(grep memory <<<"$stats")"
grep -q 'QEMU plugin, no values' <<<"$stats" || fail "header flags"
show=$("$ferry" trace show "$dir/loop.ft")
[ "$(wc -l <<<"$show")" -eq 4005 ] || fail "show lines"
grep -qE '^ +2  [0-9a-f]{16}  EL0  f94003e2  ldr x2, \[sp\] +ld8 \[0x[0-9a-f]+\]$' <<<"$show" || fail "show line 2: $(sed -n 3p <<<"$show")"
grep -qE '^ +4004  [0-9a-f]{16}  EL0  d4000001  svc #0x0$' <<<"$show" || fail "last line: $(tail -1 <<<"$show")"
# The same program twice: identical traces.
qemu-aarch64 -plugin "$plugin,out=$dir/loop2.ft" "$elf" 2>/dev/null
"$ferry" trace diff "$dir/loop.ft" "$dir/loop2.ft" >/dev/null || fail "two runs differ"
# mem=off: no memory accesses.
qemu-aarch64 -plugin "$plugin,out=$dir/loop3.ft,mem=off" "$elf" 2>/dev/null
"$ferry" trace stats "$dir/loop3.ft" | grep -qE '^memory: +0 loads' || fail "mem=off"
"$ferry" trace diff "$dir/loop.ft" "$dir/loop3.ft" >"$dir/diff.out"
[ $? -eq 0 ] && grep -q '^traces identical: 4005 instructions compared (PC, EL, encoding; no register values or memory in both)' "$dir/diff.out" || fail "diff against mem=off: $(head -1 "$dir/diff.out")"
# A bad option is refused.
qemu-aarch64 -plugin "$plugin,bogus=1" "$elf" >/dev/null 2>&1 && fail "bad plugin option accepted"
# System mode: EL unknown to the 7.2 API, 2004 instructions, the loop body 1000 times.
if command -v qemu-system-aarch64 >/dev/null && [ -s "$syself" ]; then
    rm -f "$dir/sys.ft"
    timeout 60 qemu-system-aarch64 -M virt -cpu cortex-a57 -nographic -semihosting -net none \
        -kernel "$syself" -plugin "$plugin,out=$dir/sys.ft" >/dev/null 2>"$dir/sys.err" ||
        fail "qemu-system-aarch64: $(cat "$dir/sys.err")"
    "$ferry" trace stats "$dir/sys.ft" | grep -q '^instructions: 2004 in 2004 records' || fail "system-mode count"
    [ "$("$ferry" trace show "$dir/sys.ft" --pc 0x40080004 | grep -c '  EL?  f1000400  subs x0, x0, #0x1$')" -eq 1000 ] ||
        fail "system-mode loop body"
    if [ -s "$excelf" ]; then
        timeout 60 qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256M -smp 1 -nographic -net none -no-reboot \
            -kernel "$excelf" -plugin "$plugin,out=$dir/exc-qemu.ft" >"$dir/exc-qemu.out" 2>/dev/null
        timeout 60 "$ferry" run --hosted --mem 256M --kernel "$excelf" --trace "$dir/exc-ferry.ft" \
            </dev/null >"$dir/exc-ferry.out" 2>/dev/null
        cmp -s "$dir/exc-qemu.out" "$dir/exc-ferry.out" || fail "exceptions: QEMU and Ferry print differently"
        "$ferry" trace diff --context 0 "$dir/exc-ferry.ft" "$dir/exc-qemu.ft" >"$dir/exc-diff.out"
        grep -qE '^>.*  stxr w[0-9]+, x[0-9]+, \[x[0-9]+\] ' "$dir/exc-diff.out" ||
            fail "exceptions: Ferry and QEMU part before the store-exclusive: $(head -1 "$dir/exc-diff.out"); $(grep '^>' "$dir/exc-diff.out" | head -2 | tr '\n' ' ')"
    fi
else
    echo "note: qemu-system-aarch64 missing: system-mode plugin test not run"
fi
echo "trace qemu plugin: $fails failed"
[ "$fails" -eq 0 ]
