#!/usr/bin/env bash
# `ferry selftest` with the real engine under KVM: exits 0, prints the table with the
# issue's required checks and measurements, and ends with the summary line whose
# compute ratio is at least 0.95. Runs the -O2 and the sanitizer ferry.
# Usage: selftest.sh BUILD_DIR
set -u
build=$1
. "$(dirname "$0")/../host/testlib.sh"
require_kvm
for ferry in "$build/ferry" "$build/san/ferry"; do
    echo "selftest with $ferry"
    start=$(date +%s)
    # No --engine: the default (engine.elf next to ferry, or one folder up) is tested too.
    run selftest 300 "$ferry" selftest
    expect_rc selftest 0
    for row in "page fault round trip" "page-table root switch" "TLB flush, one page" \
               "hypercall round trip" "compute ratio"; do
        expect_grep selftest "$out" "$row"
    done
    # The mechanisms are checked, not only timed: each check row must say pass.
    for check in "lazy page fault maps page" "root switch takes effect" \
                 "one-page flush takes effect" "hypercalls answered"; do
        if grep -qE "^$check +- +pass " "$out"; then pass "selftest: check '$check' passed"
        else fail "selftest: check '$check' did not pass"; grep -F "$check" "$out" | sed 's/^/       | /'; fi
    done
    summary=$(tail -n 1 "$out")
    if [[ "$summary" =~ ^selftest:\ ([0-9]+)\ passed,\ 0\ failed\;\ compute\ ratio\ ([0-9]+\.[0-9][0-9])$ ]]; then
        pass "selftest: summary line: $summary"
        ratio=${BASH_REMATCH[2]}
        if awk -v r="$ratio" 'BEGIN { exit !(r >= 0.95) }'; then pass "selftest: compute ratio $ratio >= 0.95"
        else fail "selftest: compute ratio $ratio < 0.95"; fi
    else
        fail "selftest: last line is not a passing summary: '$summary'"
        sed 's/^/       | /' "$err" | head -40
    fi
    echo "  ($(( $(date +%s) - start )) s)"
done
finish
