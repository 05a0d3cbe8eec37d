#!/usr/bin/env bash
# Fetches the Linux test guest's parts from Debian's archive into DIR: the kernel that
# linux-image-arm64 depends on (DIR/Image) and busybox-static's busybox (DIR/busybox),
# both arm64, unpacked from their .debs (nothing is installed). Needs the arm64 package
# lists, which tools/setup.sh enables (dpkg --add-architecture arm64); without them it
# exits 77 (the test is skipped, as a test that cannot run on this machine).
#   fetch.sh DIR
set -euo pipefail
dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kernel=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
         sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*-arm64\).*/\1/p' | head -n 1)
if [ -z "$kernel" ]; then
    echo "SKIP: Debian's arm64 package lists are not enabled here (run tools/setup.sh as root)"
    exit 77
fi
# as root, apt would hand the download to its _apt user, who cannot write here
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
(cd "$work" && apt-get download -q=2 "${sandbox[@]}" "$kernel:arm64" busybox-static:arm64)
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
mkdir -p "$dir"
cp "$work"/kernel/boot/vmlinuz-* "$dir/Image"
cp "$work/busybox/bin/busybox" "$dir/busybox"
echo "$kernel" > "$dir/kernel-package"
