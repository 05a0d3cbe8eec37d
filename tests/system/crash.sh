#!/usr/bin/env bash
# `ferry selftest --crash[=KIND]` with the real engine: each deliberate engine failure
# (page fault, invalid opcode, panic, stack overflow, fault while reporting) must
# produce the fatal report (vector, RIP with its symbol, backtrace with symbol names)
# and a non-zero exit within a few seconds. Usage: crash.sh BUILD_DIR
set -u
build=$1
. "$(dirname "$0")/../host/testlib.sh"
require_kvm
check_report() { # NAME VECTOR-TEXT
    expect_rc "$1" 1
    expect_grep "$1" "$err" "ferry: engine fatal error: $2"
    if grep -Eq '^  RIP 0xffffffff8[0-9a-f]{7} <[A-Za-z_][A-Za-z0-9_.]*(\+0x[0-9a-f]+)?>$' "$err"; then
        pass "$1: RIP resolved to a symbol: $(grep -E '^  RIP' "$err")"
    else fail "$1: RIP not resolved to an engine symbol"; sed 's/^/       | /' "$err" | head -30; fi
    expect_grep "$1" "$err" "backtrace (innermost first"
    local named
    named=$(grep -Ec '^    #[0-9]+ +0x[0-9a-f]{16} <[A-Za-z_]' "$err")
    if [ "$named" -ge 2 ]; then pass "$1: $named backtrace frames with symbol names"
    else fail "$1: only $named backtrace frames with symbol names"; fi
    if [ "$3" -le 10 ]; then pass "$1: reported in $3 s"; else fail "$1: took $3 s (limit 10)"; fi
}
for ferry in "$build/ferry" "$build/san/ferry"; do
    echo "crash reports with $ferry"
    start=$(date +%s)
    run crash-pf 60 "$ferry" selftest --crash --engine "$build/engine.elf"
    check_report crash-pf "page fault (#PF, vector 14)" $(( $(date +%s) - start ))
    expect_grep crash-pf "$err" "CR2 0x"
    start=$(date +%s)
    run crash-ud 60 "$ferry" selftest --crash=ud --engine "$build/engine.elf"
    check_report crash-ud "invalid opcode (#UD, vector 6)" $(( $(date +%s) - start ))
    start=$(date +%s)
    run crash-panic 60 "$ferry" selftest --crash=panic --engine "$build/engine.elf"
    expect_rc crash-panic 1; expect_grep crash-panic "$err" "ferry: engine panic: "
    expect_grep crash-panic "$err" "backtrace (innermost first"
    run crash-stack 60 "$ferry" selftest --crash=stack --engine "$build/engine.elf"
    check_report crash-stack "double fault (#DF, vector 8)" $(( $(date +%s) - start ))
    start=$(date +%s)
    run crash-nested 60 "$ferry" selftest --crash=nested --engine "$build/engine.elf"
    expect_rc crash-nested 1; expect_grep crash-nested "$err" "ferry: engine panic: "
    [ $(( $(date +%s) - start )) -le 10 ] && pass "crash-nested: reported within 10 s" || fail "crash-nested: too slow"
done
finish
