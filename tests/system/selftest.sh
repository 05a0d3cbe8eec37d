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
    # Exit 0, or exit 1 where the only failing row is the compute ratio: the ratio is
    # judged below on the median of three runs, as the issue defines it.
    if [ "$rc" -eq 1 ] && [ "$(grep -c ' FAIL ' "$out")" -eq 1 ] && grep -qE '^compute ratio .* FAIL ' "$out"; then
        pass "selftest: exit 1 from a low compute ratio only (median judged below)"
    else
        expect_rc selftest 0
    fi
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
    # The issue's bar is the median of several runs: one run can lose a few percent
    # to whatever else the machine does, so take the median of this run and two more.
    ratios=()
    for attempt in 1 2 3; do
        [ "$attempt" -gt 1 ] && run "selftest-$attempt" 300 "$ferry" selftest
        summary=$(tail -n 1 "$out")
        if [[ "$summary" =~ ^selftest:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed\;\ compute\ ratio\ ([0-9]+\.[0-9][0-9])$ ]]; then
            ratios+=("${BASH_REMATCH[3]}")
            [ "$attempt" -eq 1 ] && pass "selftest: summary line: $summary"
        else
            fail "selftest: last line is not a summary: '$summary'"
            sed 's/^/       | /' "$err" | head -40
        fi
    done
    if [ "${#ratios[@]}" -eq 3 ]; then
        median=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n 2p)
        if awk -v r="$median" 'BEGIN { exit !(r >= 0.95) }'; then
            pass "selftest: median compute ratio $median >= 0.95 (runs: ${ratios[*]})"
        else fail "selftest: median compute ratio $median < 0.95 (runs: ${ratios[*]})"; fi
    fi
    echo "  ($(( $(date +%s) - start )) s)"
done
finish
