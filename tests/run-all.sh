#!/usr/bin/env bash
# Runs `make test-NAME` for every NAME given, keeps going after a failure, and ends
# with one summary line that CI reads: "tests: N passed, M failed".
set -u
passed=0; failed=0; failures=()
for name in "$@"; do
    echo "=== test-$name"
    start=$(date +%s)
    if make --no-print-directory "test-$name"; then
        passed=$((passed + 1)); echo "--- PASS test-$name ($(( $(date +%s) - start ))s)"
    else
        failed=$((failed + 1)); failures+=("$name"); echo "--- FAIL test-$name ($(( $(date +%s) - start ))s)"
    fi
done
[ "$failed" -gt 0 ] && echo "failed: ${failures[*]}"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
