#!/usr/bin/env bash
# Runs `make test-NAME` for every NAME given, keeps going after a failure, and ends
# with one summary line that CI reads: "tests: N passed, M failed, K skipped". Before
# it, the lines of each failed test that say FAIL (or its last lines) again, since CI
# reports keep only the start and the end of a long log.
# A test whose recipe exits 77 could not run on this machine (no /dev/kvm): skipped.
set -u
passed=0; failed=0; skipped=0; failures=(); skips=()
why=$(mktemp)
trap 'rm -f "$why"' EXIT
for name in "$@"; do
    echo "=== test-$name"
    start=$(date +%s)
    log=$(mktemp)
    make --no-print-directory "test-$name" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    if [ "$status" -eq 0 ]; then
        passed=$((passed + 1)); echo "--- PASS test-$name ($(( $(date +%s) - start ))s)"
    elif grep -q '^SKIP: ' "$log" && grep -qE 'Error 77$' "$log"; then
        skipped=$((skipped + 1)); skips+=("$name"); echo "--- SKIP test-$name"
    else
        failed=$((failed + 1)); failures+=("$name"); echo "--- FAIL test-$name ($(( $(date +%s) - start ))s)"
        {
            echo "--- test-$name failed; its lines that say so, then its last lines:"
            grep -E -A4 'FAIL|HANG|mismatch|differ|rror' "$log" |
                grep -vE '(^|[ ,])0 (failed|differ|mismatch)' | head -n 40
            echo "..."
            tail -n 8 "$log"
        } >> "$why"
    fi
    rm -f "$log"
done
[ "$skipped" -gt 0 ] && echo "skipped (not possible on this machine): ${skips[*]}"
[ "$failed" -gt 0 ] && cat "$why" && echo "failed: ${failures[*]}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
