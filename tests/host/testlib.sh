# Shared helpers for the host's shell tests (sourced). Each check prints one line;
# `finish` prints the totals and sets the exit status.
checks_failed=0
checks_passed=0
work=$(mktemp -d /tmp/ferry-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

pass() { checks_passed=$((checks_passed + 1)); echo "  ok   $*"; }
fail() { checks_failed=$((checks_failed + 1)); echo "  FAIL $*"; }

# run NAME TIMEOUT CMD...: runs CMD with stdout/stderr in $work/NAME.{out,err}, the
# status in $rc; the command is killed after TIMEOUT seconds (status 124).
run() {
    local name=$1 limit=$2; shift 2
    timeout -k 5 "$limit" "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    out="$work/$name.out"; err="$work/$name.err"
}

expect_rc() { # NAME EXPECTED
    if [ "$rc" -eq "$2" ]; then pass "$1: exit status $rc"; else
        fail "$1: exit status $rc, expected $2"; sed 's/^/       | /' "$err" | head -20; fi
}
expect_grep() { # NAME FILE FIXED-STRING
    if grep -qF -- "$3" "$2"; then pass "$1: has '$3'"; else
        fail "$1: lacks '$3'"; sed 's/^/       | /' "$2" | head -30; fi
}
expect_no_grep() { # NAME FILE FIXED-STRING
    if grep -qF -- "$3" "$2"; then fail "$1: unexpectedly has '$3'"; else pass "$1: no '$3'"; fi
}
expect_lines() { # NAME FILE COUNT
    local n; n=$(wc -l <"$2")
    if [ "$n" -eq "$3" ]; then pass "$1: $n line(s) in $(basename "$2")"; else
        fail "$1: $n lines in $(basename "$2"), expected $3"; sed 's/^/       | /' "$2" | head -10; fi
}
expect_exact_line() { # NAME FILE LINE: the file is exactly this one line
    if [ "$(cat "$2")" = "$3" ] && [ "$(wc -l <"$2")" -eq 1 ]; then pass "$1: one line: $3"; else
        fail "$1: expected exactly: $3"; sed 's/^/       | /' "$2" | head -10; fi
}
expect_last_line() { # NAME FILE LINE
    if [ "$(tail -n 1 "$2")" = "$3" ]; then pass "$1: last line: $3"; else
        fail "$1: last line is '$(tail -n 1 "$2")', expected '$3'"; fi
}

finish() {
    echo "$checks_passed passed, $checks_failed failed"
    [ "$checks_failed" -eq 0 ]
}

# Integration tests under KVM need the device; they are skipped only on request.
# A test that needs KVM on a machine without it is skipped (exit 77, which run-all.sh
# counts as skipped, never as passed), unless FERRY_REQUIRE_KVM=1 makes it a failure.
require_kvm() {
    if [ -e /dev/kvm ]; then return 0; fi
    if [ "${FERRY_REQUIRE_KVM:-0}" = 1 ]; then
        echo "FAIL: /dev/kvm is absent and FERRY_REQUIRE_KVM=1"; exit 1
    fi
    echo "SKIP: /dev/kvm is absent on this machine (FERRY_REQUIRE_KVM=1 makes this a failure)"; exit 77
}
