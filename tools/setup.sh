#!/usr/bin/env bash
# Installs every build and test dependency of Ferry from Debian's archive (as root).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail
packages=(
    gcc make binutils libelf-dev libfdt-dev zlib1g-dev libzstd-dev liblz4-dev libcmocka-dev libcapstone-dev
    gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
    gcc-arm-linux-gnueabihf qemu-system-arm qemu-user e2fsprogs cpio pkg-config device-tree-compiler
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The Linux test guest's kernel and busybox are arm64 packages, downloaded (not
# installed) by tests/linux/fetch.sh: apt needs their package lists.
arm64=true
dpkg --print-foreign-architectures | grep -qx arm64 || arm64=false
if [ ${#missing[@]} -eq 0 ] && $arm64; then
    echo "setup: all ${#packages[@]} packages present, arm64 package lists enabled"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -eq 0 ]; then
        # everything to build and test is there; only the Linux test guest cannot be fetched
        echo "setup: all ${#packages[@]} packages present; arm64 package lists not enabled (run this script" \
             "as root for the Linux test guest, tests/linux/)" >&2
        exit 0
    fi
    echo "setup: missing ${missing[*]}; run this script as root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! $arm64; then
    echo "setup: enabling arm64 package lists (dpkg --add-architecture arm64)"
    dpkg --add-architecture arm64
fi
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: done"
