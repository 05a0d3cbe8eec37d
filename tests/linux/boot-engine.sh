#!/usr/bin/env bash
# Debian's arm64 kernel and the test initramfs under `ferry run --kvm` (the engine under
# KVM), with boot.sh's checks. Skipped (exit 77) without /dev/kvm.
#   boot-engine.sh FERRY DIR
set -u
ferry=$1 dir=$2
. "$(dirname "$0")/../host/testlib.sh"
require_kvm
exec "$(dirname "$0")/boot.sh" "$ferry run --kvm" "$dir"
