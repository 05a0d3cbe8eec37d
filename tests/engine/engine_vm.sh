#!/usr/bin/env bash
# Integration tests of the engine inside a real KVM VM, driven through `ferry selftest`.
# usage: engine_vm.sh FERRY ENGINE_ELF selftest|crash|hw-platform
#   selftest     every engine check passes, every measurement is present, exit 0,
#                the summary line is last (the ratio bar: tests/system/selftest.sh)
#   crash        every --crash kind (pf, ud, panic, nested, stack): non-zero exit within
#                seconds, a fatal report whose RIP and frame-pointer backtrace name
#                the deliberate call chain
#   hw-platform  the hardware-KVM platform layer (plain privileged instructions),
#                exercised on pv-lite where ring 0 is emulated: every check but the
#                compute ratio (meaningless when emulated) must pass
set -u
ferry=$1 engine=$2 what=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

. "$(dirname "$0")/../host/testlib.sh"
require_kvm

# run SECONDS ARGS...: runs ferry with a time limit, output in $out, status in $status.
run() {
    local limit=$1; shift
    timeout "$limit" "$ferry" --engine "$engine" "$@" >"$out" 2>&1
    status=$?
    [ "$status" -eq 124 ] && fail "ferry $* did not finish within ${limit}s"
}

# expect_in_order PATTERN...: extended regexes matching output lines in this order.
expect_in_order() {
    local after=0 line
    for pattern in "$@"; do
        line=$(grep -nE -- "$pattern" "$out" | cut -d: -f1 | awk -v a="$after" '$1 > a' | head -n 1)
        if [ -z "$line" ]; then
            fail "expected a line matching '$pattern' after line $after"
            return
        fi
        after=$line
    done
}

engine_checks=("platform start-up" "formatter" "page allocator" "heap alloc/free"
               "code memory executes" "console batching" "lazy page fault maps page"
               "root switch takes effect" "one-page flush takes effect" "hypercalls answered")
engine_measurements=("page fault round trip" "page-table root switch" "TLB flush, one page"
                     "hypercall round trip" "compute loop, engine" "compute loop, host")

case $what in
selftest)
    run 60 selftest
    # A low compute ratio alone (one noisy run) is judged by tests/system/selftest.sh
    # on the median of three runs; any other failure fails here.
    if ! { [ "$status" -eq 1 ] && [ "$(grep -c ' FAIL ' "$out")" -eq 1 ] &&
           grep -qE '^compute ratio .* FAIL ' "$out"; }; then
        [ "$status" -eq 0 ] || fail "selftest exited with $status"
    fi
    for name in "${engine_checks[@]}"; do
        grep -qE "^$name +[-0-9.]+ .* pass " "$out" || fail "check '$name' did not pass"
    done
    for name in "${engine_measurements[@]}"; do
        grep -qE "^$name +[0-9]+\.[0-9]{3} +(us|ms) " "$out" || fail "measurement '$name' missing"
    done
    last=$(tail -n 1 "$out")
    if [[ $last =~ ^selftest:\ ([0-9]+)\ passed,\ 0\ failed\;\ compute\ ratio\ ([0-9]+)\.([0-9]+)$ ]]; then
        # The ratio bar itself (median of runs) is checked by tests/system/selftest.sh.
        :
    else
        fail "last line is not the summary: '$last'"
    fi
    ;;
crash)
    for kind in --crash --crash=ud --crash=panic --crash=nested --crash=stack; do
        failures_before=$failures
        start=$(date +%s)
        run 20 selftest "$kind"
        elapsed=$(( $(date +%s) - start ))
        [ "$status" -ne 0 ] || fail "selftest $kind exited 0"
        [ "$elapsed" -le 10 ] || fail "selftest $kind took ${elapsed}s"
        case $kind in
        --crash) expect_in_order "page fault" "RIP 0x[0-9a-f]+ <crash_inner\+" "CR2 0x00000badc0de0000" ;;
        --crash=ud) expect_in_order "invalid opcode" "RIP 0x[0-9a-f]+ <crash_inner\+" ;;
        --crash=panic) expect_in_order "engine panic: deliberate panic" "RIP 0x[0-9a-f]+ <crash_inner\+" ;;
        # A fault inside the report path: a minimal report, still the first fault's RIP.
        --crash=nested) expect_in_order "nested fault while writing a fatal report" \
                                        "RIP 0x[0-9a-f]+ <crash_inner\+" ;;
        # Overflow into the guard page: #DF on the IST stack, recognised as overflow.
        --crash=stack) expect_in_order "double fault" "RIP 0x[0-9a-f]+ <crash_recurse\+" \
                                       "<crash_recurse\+" "message: stack overflow" ;;
        esac
        [ "$kind" = --crash=stack ] ||
            expect_in_order "backtrace" "<crash_middle\+" "<crash_outer\+" "<selftest_crash\+" \
                            "<selftest_run\+" "<engine_main\+" "<_start\+"
        # The checks before the crash ran; nothing after it did.
        grep -q "console batching  *ok" "$out" || fail "selftest $kind: early checks missing"
        grep -q "lazy page fault maps page  *ok" "$out" && fail "selftest $kind: ran past the crash"
        [ "$failures" -eq "$failures_before" ] || { echo "--- output of selftest $kind:"; cat "$out"; }
    done
    ;;
hw-platform)
    # Every instruction is emulated on this path: give the watchdog the test's own limit.
    FERRY_KVM_FLAVOUR=hardware run 120 --watchdog 110 selftest --iterations 20000
    grep -q "platform start-up  *-  *pass *hardware KVM" "$out" || fail "hardware platform not selected"
    for name in "${engine_checks[@]}"; do
        grep -qE "^$name +[-0-9.]+ .* pass " "$out" || fail "check '$name' did not pass"
    done
    for name in "${engine_measurements[@]}"; do
        grep -qE "^$name +[0-9]+\.[0-9]{3} +(us|ms) " "$out" || fail "measurement '$name' missing"
    done
    ;;
*)
    echo "unknown test '$what'"; exit 2 ;;
esac

if [ "$failures" -ne 0 ]; then
    [ "$what" = crash ] || { echo "--- output:"; cat "$out"; }
    exit 1
fi
echo "engine $what: ok"
