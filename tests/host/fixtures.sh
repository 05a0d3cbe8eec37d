#!/usr/bin/env bash
# ferry under KVM with the fixture engines: every hypercall path, every kind of bad
# exit (halt, triple fault, stray port, unbacked memory), hostile shared memory, the
# watchdog and Ctrl-C. Usage: fixtures.sh FERRY FIXTURE_DIR
set -u
ferry=$1; fixtures=$2
. "$(dirname "$0")/testlib.sh"
require_kvm
echo "fixture-engine tests of $ferry"


run exit 30 "$ferry" selftest --engine "$fixtures/exit_status.elf"
expect_rc exit 7; expect_grep exit "$out" "hello from the fixture engine"

run fatal 30 "$ferry" selftest --engine "$fixtures/fatal_report.elf"
expect_rc fatal 1
expect_grep fatal "$out" "fixture: about to report a fatal error"
expect_grep fatal "$err" "ferry: engine fatal error: page fault (#PF, vector 14), error code 0x2 (not present, write, supervisor)"
expect_grep fatal "$err" "RIP 0xffffffff8010"
expect_grep fatal "$err" "<fixture_faulting_function+0x4>"
expect_grep fatal "$err" "CR2 0x00000deadbeef000"
expect_grep fatal "$err" "RAX 0x1122334455667788"
expect_grep fatal "$err" "backtrace (innermost first, 2 frames):"
expect_grep fatal "$err" "<fixture_calling_function+0x9>"
expect_grep fatal "$err" "message: fixture fatal report"

run hostile 30 "$ferry" selftest --engine "$fixtures/hostile_report.elf"
expect_rc hostile 1
expect_grep hostile "$err" "ferry: engine fatal error of unknown kind 77"
expect_grep hostile "$err" "console output were lost"
expect_grep hostile "$err" "32 frames"
if grep -q $'\x1b' "$err"; then fail "hostile: escape characters reached the terminal"; else pass "hostile: no escape characters"; fi

run halt 30 "$ferry" selftest --engine "$fixtures/halt.elf"
expect_rc halt 1
expect_grep halt "$err" "ferry: unexpected VM exit: KVM_EXIT_HLT"
expect_grep halt "$err" "at <fixture_entry+0x2>"
expect_grep halt "$err" "CR0 0x80050033"

run triple 30 "$ferry" selftest --engine "$fixtures/triple_fault.elf"
expect_rc triple 1
expect_grep triple "$err" "ferry: unexpected VM exit: KVM_EXIT_SHUTDOWN"
expect_grep triple "$err" "RIP 0xffffffff80100000"

run port 30 "$ferry" selftest --engine "$fixtures/bad_port.elf"
expect_rc port 1; expect_grep port "$err" "KVM_EXIT_IO write to port 0x1234, 1 byte x 1"
expect_grep port "$err" "RDX 0x0000000000001234"

run mmio 30 "$ferry" selftest --engine "$fixtures/unbacked_memory.elf"
expect_rc mmio 1; expect_grep mmio "$err" "KVM_EXIT_MMIO: write of 8 bytes at VM-physical 0x10"

run table 30 "$ferry" selftest --engine "$fixtures/selftest_rows.elf"
expect_rc table 0
expect_grep table "$out" "fixture: console text after the results"
expect_grep table "$out" "host compute loop answered"
expect_grep table "$out" "negative on purpose"
expect_last_line table "$out" "selftest: 3 passed, 0 failed; compute ratio 1.24"
run table-fail 30 "$ferry" selftest --engine "$fixtures/selftest_rows.elf" --crash=ud
expect_rc table-fail 1
# The engine's status 1 stands for the failed row; it is not counted a second time.
expect_last_line table-fail "$out" "selftest: 2 passed, 1 failed; compute ratio 1.24"
expect_no_grep table-fail "$err" "the engine exited with status"
run table-status 30 "$ferry" selftest --engine "$fixtures/selftest_rows.elf" --crash=panic
expect_rc table-status 1
# A failing status with every row passing is a failure the table does not show.
expect_last_line table-status "$out" "selftest: 3 passed, 1 failed; compute ratio 1.24"
expect_grep table-status "$err" "ferry: the engine exited with status 1"

start=$(date +%s)
run watchdog 30 "$ferry" selftest --engine "$fixtures/spin.elf" --watchdog 1
expect_rc watchdog 1
expect_grep watchdog "$err" "ferry: watchdog: the engine made no exit for 1 s"
expect_grep watchdog "$err" "at <fixture_spin_forever>"
[ $(( $(date +%s) - start )) -le 10 ] && pass "watchdog: stopped within 10 s" || fail "watchdog: took too long"

for sig in INT TERM; do
    "$ferry" selftest --engine "$fixtures/spin.elf" >"$work/sig.out" 2>"$work/sig.err" &
    pid=$!
    sleep 1
    kill -s "$sig" "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "SIG$sig: ferry still running 5 s after the signal"; kill -9 "$pid"
    fi
    wait "$pid"; rc=$?
    expect_rc "SIG$sig" 130
    expect_exact_line "SIG$sig" "$work/sig.err" "ferry: interrupted"
done

finish
