#!/usr/bin/env bash
# The bare-metal programs under `ferry run --kvm`: the system emulator in the engine
# under KVM, with the JIT and with the interpreter; the same golden files as QEMU and the
# hosted runs. Skipped (exit 77) without /dev/kvm.
#   engine.sh FERRY BM_DIR
set -u
ferry=$1 dir=$2
. "$(dirname "$0")/../host/testlib.sh"
require_kvm
status=0
FERRY_RESET_STATUS=3 "$(dirname "$0")/run.sh" "$ferry run --kvm" "$dir" || status=1
FERRY_RESET_STATUS=3 "$(dirname "$0")/run.sh" "$ferry run --kvm --interp" "$dir" || status=1
exit $status
