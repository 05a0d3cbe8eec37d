#!/usr/bin/env bash
# Runs each cmocka test binary given, passing the fixture folder as its argument;
# fails if any fails.
set -u
fixtures=$1; shift
status=0
for test in "$@"; do
    "$test" "$fixtures" || { echo "FAILED: $test"; status=1; }
done
exit $status
