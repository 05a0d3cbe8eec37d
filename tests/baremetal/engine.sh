#!/usr/bin/env bash
# The bare-metal programs under `ferry run --kvm`: the system emulator in the engine
# under KVM, with the JIT and with the interpreter; the same golden files as QEMU and the
# hosted runs; and --profile's report. Skipped (exit 77) without /dev/kvm.
#   engine.sh FERRY BM_DIR
set -u
ferry=$1 dir=$2
. "$(dirname "$0")/../host/testlib.sh"
require_kvm
status=0
FERRY_RESET_STATUS=3 "$(dirname "$0")/run.sh" "$ferry run --kvm" "$dir" || status=1
FERRY_RESET_STATUS=3 "$(dirname "$0")/run.sh" "$ferry run --kvm --interp" "$dir" || status=1
# --profile: the samples are counted and the hottest entries printed at exit
out=$(mktemp)
"$ferry" run --kvm --profile --mem 256M --kernel "$dir/timer.elf" </dev/null >/dev/null 2>"$out"
if grep -qE '^ferry profile: [0-9]+ samples at 1000 Hz$' "$out" && grep -qE '^ferry profile: +[0-9.]+%  ' "$out"; then
    echo "PASS --profile"
else
    echo "FAIL --profile: $(head -c 300 "$out")"; status=1
fi
rm -f "$out"
exit $status
