#!/usr/bin/env bash
# Installs every build and test dependency of Ferry from Debian's archive (as root).
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail
packages=(
    gcc make binutils libelf-dev libfdt-dev zlib1g-dev libzstd-dev libcmocka-dev libcapstone-dev
    gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross
    gcc-arm-linux-gnueabihf qemu-system-arm qemu-user e2fsprogs cpio pkg-config device-tree-compiler
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages present"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages (${missing[*]}); run this script as root" >&2
    exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
