#!/usr/bin/env bash
# Ferry's virt DTB against QEMU's own (qemu-system-aarch64 -M virt,dumpdtb=FILE): every
# node and property Ferry writes must be QEMU's, byte for byte, and everything QEMU has
# that Ferry lacks must be a documented omission (dtb_compare's lists, docs/board.md).
# The first case boots the same raw kernel and initrd on both, so the initrd range
# QEMU's loader chose is checked against Ferry's. Skipped without qemu-system-aarch64.
# Usage: qemu_dtb.sh TOOL_DIR (holding dtb_tool and dtb_compare)
set -u
tools=$1
. "$(dirname "$0")/../host/testlib.sh"
echo "Ferry's virt DTB against QEMU's"
if ! command -v qemu-system-aarch64 >/dev/null; then
    echo "SKIP: qemu-system-aarch64 is not installed"
    exit 0
fi
qemu-system-aarch64 --version | head -1

head -c 4096 /dev/zero >"$work/kernel.bin"
head -c 10000 /dev/zero | tr '\0' 'r' >"$work/initrd.img"

# compare_case NAME MEM_MIB CPUS [QEMU and dtb_tool kernel arguments]
compare_case() {
    local name=$1 mem=$2 cpus=$3; shift 3
    local qemu_args=() tool_args=()
    while [ $# -gt 0 ]; do
        qemu_args+=("-$1" "$2"); tool_args+=("--$1" "$2"); shift 2
    done
    # -nic none: QEMU's default NIC needs a boot ROM Debian ships separately.
    run "$name-qemu" 60 qemu-system-aarch64 -M "virt,dumpdtb=$work/$name-qemu.dtb" -cpu cortex-a72 \
        -m "${mem}M" -smp "$cpus" -nographic -nic none "${qemu_args[@]}"
    expect_rc "$name-qemu" 0
    run "$name-ferry" 20 "$tools/dtb_tool" "$work/$name-ferry.dtb" --mem "$mem" --cpus "$cpus" "${tool_args[@]}"
    expect_rc "$name-ferry" 0
    run "$name" 20 "$tools/dtb_compare" "$work/$name-ferry.dtb" "$work/$name-qemu.dtb"
    sed 's/^/       /' "$out"
    expect_rc "$name" 0
}

compare_case linux-512m 512 1 kernel "$work/kernel.bin" initrd "$work/initrd.img" \
    append "console=ttyAMA0 earlycon"
# A user DTB (--dtb / -dtb): both adapt it the same way (memory, chosen, psci).
if command -v dtc >/dev/null; then
    dtc -q -I dts -O dtb -o "$work/user.dtb" "$(dirname "$0")/user.dts"
    compare_case user-dtb 512 1 dtb "$work/user.dtb" kernel "$work/kernel.bin" \
        initrd "$work/initrd.img" append "console=ttyAMA0"
else
    echo "SKIP: the user DTB case needs dtc (package device-tree-compiler)"
fi
compare_case plain-2g-smp2 2048 2
compare_case plain-256m-smp8 256 8
finish
