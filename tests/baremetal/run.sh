#!/usr/bin/env bash
# Runs bare-metal test programs and compares their UART output with the golden files.
#   run.sh RUNNER BUILD_DIR [NAME...]
# RUNNER is `qemu` (qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256M) or a ferry
# command line, which gets `--mem 256M --kernel BUILD_DIR/NAME.elf` appended (word-split,
# so "build/ferry run --hosted" works; 256 MB as QEMU gets: the tests use RAM up to
# 0x50000000 and expect an abort just past it). Without NAMEs, every tests/baremetal/*.expected.
# Per program: stdin is NAME.input if it exists (the UART receive data), else empty;
# stdout must equal NAME.expected byte for byte; the exit status must be 0 (SYSTEM_OFF)
# or, for programs with a NAME.reset marker file, the SYSTEM_RESET status: 0 for QEMU
# (-no-reboot turns the reset into an exit), $FERRY_RESET_STATUS for ferry (default 0
# until ferry documents its own). A run longer than $BAREMETAL_TIMEOUT seconds
# (default 10) is reported as a hang.
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 RUNNER BUILD_DIR [NAME...]" >&2
    exit 2
fi
runner=$1
dir=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
timeout_s=${BAREMETAL_TIMEOUT:-10}
if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$src"/*.expected; do
        names+=("$(basename "$f" .expected)")
    done
fi

run_one() {
    local name=$1 elf=$dir/$1.elf out=$dir/$1.out err=$dir/$1.err
    local input=/dev/null want_status=0 status
    [ -f "$src/$name.input" ] && input=$src/$name.input
    if [ "$runner" = qemu ] && [ -f "$src/$name.skip-qemu" ]; then
        echo "SKIP $name under QEMU: $(cat "$src/$name.skip-qemu")"
        return 0
    fi
    if [ "$runner" = qemu ]; then
        cmd=(qemu-system-aarch64 -M virt -cpu cortex-a57 -m 256M -nodefaults -display none
             -serial stdio -no-reboot -kernel "$elf")
    else
        # shellcheck disable=SC2206  # the ferry command line is word-split on purpose
        cmd=($runner --mem 256M --kernel "$elf")
        [ -f "$src/$name.reset" ] && want_status=${FERRY_RESET_STATUS:-0}
    fi
    if [ ! -f "$elf" ]; then
        echo "FAIL $name: $elf not built"
        return 1
    fi
    timeout -k 2 "$timeout_s" "${cmd[@]}" < "$input" > "$out" 2> "$err"
    status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "HANG $name: no exit within ${timeout_s}s (last output line: $(tail -n 1 "$out"))"
        return 1
    fi
    if ! cmp -s "$src/$name.expected" "$out"; then
        echo "FAIL $name: UART output differs from $name.expected (exit status $status):"
        diff -u "$src/$name.expected" "$out" | head -n 40
        [ -s "$err" ] && { echo "stderr:"; head -n 10 "$err"; }
        return 1
    fi
    if [ "$status" -ne "$want_status" ]; then
        echo "FAIL $name: exit status $status, expected $want_status"
        [ -s "$err" ] && { echo "stderr:"; head -n 10 "$err"; }
        return 1
    fi
    echo "PASS $name"
    return 0
}

failed=0
for name in "${names[@]}"; do
    run_one "$name" || failed=$((failed + 1))
done
echo "baremetal ($runner): $(( ${#names[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
