#!/usr/bin/env bash
# The generated virt DTB, decompiled by dtc, must equal the committed fixtures in
# tests/board/expected/ byte for byte (any change to the tree is then a reviewed diff).
# The first case goes through the kernel loader, so it also pins where the initrd and
# the DTB go. FERRY_UPDATE_FIXTURES=1 rewrites the fixtures instead of comparing.
# Usage: dts.sh TOOL_DIR (holding dtb_tool)
set -u
tools=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../host/testlib.sh"
echo "dts tests of the generated virt DTB"
if ! command -v dtc >/dev/null; then
    echo "SKIP: dtc is not installed (Debian package device-tree-compiler)"
    exit 0
fi

head -c 4096 /dev/zero >"$work/kernel.bin"
head -c 10000 /dev/zero | tr '\0' 'r' >"$work/initrd.img"

# check_case NAME DTB_TOOL_ARGS...: dtb_tool, dtc, compare with expected/NAME.dts.
check_case() {
    local name=$1; shift
    run "$name" 20 "$tools/dtb_tool" "$work/$name.dtb" "$@"
    expect_rc "$name" 0
    if ! dtc -q -I dtb -O dts -o "$work/$name.dts" "$work/$name.dtb"; then
        fail "$name: dtc cannot decompile the DTB"; return
    fi
    pass "$name: dtc decompiles it"
    if [ "${FERRY_UPDATE_FIXTURES:-0}" = 1 ]; then
        cp "$work/$name.dts" "$here/expected/$name.dts"; pass "$name: fixture rewritten"
    elif diff -u "$here/expected/$name.dts" "$work/$name.dts" >"$work/$name.diff"; then
        pass "$name: equals expected/$name.dts"
    else
        fail "$name: differs from expected/$name.dts"; sed 's/^/       | /' "$work/$name.diff" | head -40
    fi
    # dtc's own checks (unit addresses, phandle references, ...) must find nothing.
    if dtc -I dtb -O dtb -o /dev/null "$work/$name.dtb" 2>"$work/$name.warn" && [ ! -s "$work/$name.warn" ]; then
        pass "$name: no dtc warnings"
    else
        fail "$name: dtc warnings"; sed 's/^/       | /' "$work/$name.warn" | head -20
    fi
}

check_case virt-1cpu-512m --mem 512 --cpus 1 --append "console=ttyAMA0 earlycon" \
    --kernel "$work/kernel.bin" --initrd "$work/initrd.img"
# A raw binary at RAM + 0x80000, the initrd at RAM + 128 MiB, the DTB at the next 2 MiB.
expect_exact_line virt-1cpu-512m "$out" "kind=raw binary entry=0x40080000 x0=0x48200000 dtb=0x48200000 initrd=0x48000000+0x2710"
check_case virt-2cpu-2g --mem 2048 --cpus 2
finish
