#!/usr/bin/env bash
# Where QEMU's -kernel puts each kind of kernel against where Ferry's loader does: a
# probe guest (probe.S) built as an arm64 Image (text_offset 0x80000, 0, image_size 0),
# Image.gz, raw binary (with and without an initrd) and ELF (linked at and above the RAM
# base) prints its entry state under qemu-system-aarch64 -M virt; dtb_tool runs Ferry's
# loader on the same file. x0, the entry PC, whether the DTB sits at the RAM base, EL1
# and the DAIF mask must agree. Skipped without QEMU or the AArch64 cross tools.
# Usage: qemu_boot.sh TOOL_DIR (holding dtb_tool)
set -u
tools=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../host/testlib.sh"
echo "kernel placement: Ferry's loader against QEMU's -kernel"
cross=aarch64-linux-gnu
for tool in qemu-system-aarch64 $cross-gcc $cross-ld $cross-objcopy; do
    if ! command -v $tool >/dev/null; then echo "SKIP: $tool is not installed"; exit 0; fi
done

# probe NAME LINK_ADDRESS [cpp flags]: an ELF linked at LINK_ADDRESS (and NAME.bin, its
# raw bytes).
probe() {
    local name=$1 at=$2; shift 2
    $cross-gcc -c "$@" -o "$work/$name.o" "$here/probe.S" &&
        $cross-ld -Ttext="$at" -e _start -o "$work/$name.elf" "$work/$name.o" &&
        $cross-objcopy -O binary "$work/$name.elf" "$work/$name.bin" || fail "$name: cannot build the probe"
}
probe image80k 0
probe image0 0 -DTEXT_OFFSET=0
probe imageold 0 -DTEXT_OFFSET=0x123000 -DIMAGE_SIZE=0
probe raw 0 -DNO_MAGIC
probe elf-base 0x40000000
# Plain `ld -Ttext=0x40000000` starts the first segment 64 KiB lower, with the ELF headers
# (0x3fff0000): QEMU loads the part outside RAM into nothing, Ferry refuses the file (a
# documented difference). -N keeps the headers out of the segment.
cp "$work/elf-base.elf" "$work/elf-headers-below.elf"
$cross-ld -N -Ttext=0x40000000 -e _start -o "$work/elf-base.elf" "$work/elf-base.o"
probe elf-100000 0x40100000   # ld starts the first segment at 0x400f0000: less than 1 MiB
probe elf-101000 0x40101000   # first segment at 0x40100000: exactly QEMU's 1 MiB DTB room
gzip -9 -c "$work/image0.bin" >"$work/image0.gz"
head -c 10000 /dev/zero >"$work/initrd.img"

hex16() { printf '%016x' "$1"; }

# compare NAME FILE [initrd]: run both, compare the probe's lines with the loader's state.
compare() {
    local name=$1 file=$2 initrd=${3:-}
    local qemu_rd=() tool_rd=()
    if [ -n "$initrd" ]; then qemu_rd=(-initrd "$initrd"); tool_rd=(--initrd "$initrd"); fi
    run "$name-qemu" 30 qemu-system-aarch64 -M virt -cpu cortex-a72 -m 512M -nographic -nodefaults \
        -serial stdio -kernel "$file" "${qemu_rd[@]}"
    local qemu_out=$out
    run "$name-ferry" 20 "$tools/dtb_tool" "$work/$name.dtb" --mem 512 --kernel "$file" "${tool_rd[@]}"
    expect_rc "$name-ferry" 0
    local entry x0 dtb
    entry=$(sed -n 's/.* entry=\(0x[0-9a-f]*\).*/\1/p' "$out")
    x0=$(sed -n 's/.* x0=\(0x[0-9a-f]*\).*/\1/p' "$out")
    dtb=$(sed -n 's/.* dtb=\(0x[0-9a-f]*\).*/\1/p' "$out")
    mapfile -t q <"$qemu_out"
    if [ "${#q[@]}" -ne 6 ]; then fail "$name: QEMU's probe printed ${#q[@]} lines"; sed 's/^/       | /' "$qemu_out"; return; fi
    local base_word=no-dtb; [ "${q[2]}" = 00000000d00dfeed ] && base_word=dtb
    local ferry_base=no-dtb; [ "$dtb" = 0x40000000 ] && ferry_base=dtb
    local got="x0=${q[0]} pc=${q[1]} base=$base_word el=${q[3]} daif=${q[4]} x1=${q[5]}"
    local want="x0=$(hex16 "$x0") pc=$(hex16 "$entry") base=$ferry_base el=0000000000000004 daif=00000000000003c0 x1=0000000000000000"
    if [ "$got" = "$want" ]; then pass "$name: $got"; else fail "$name: QEMU $got, Ferry $want"; fi
}

compare image-text-offset-80000 "$work/image80k.bin"
compare image-text-offset-0 "$work/image0.bin"
compare image-size-0 "$work/imageold.bin"
compare image-gz "$work/image0.gz"
compare raw "$work/raw.bin"
compare raw-initrd "$work/raw.bin" "$work/initrd.img"
compare elf-at-ram-base "$work/elf-base.elf"
compare elf-1m-minus "$work/elf-100000.elf"
run elf-headers-below 20 "$tools/dtb_tool" "$work/x.dtb" --mem 512 --kernel "$work/elf-headers-below.elf"
expect_rc elf-headers-below 1
expect_grep elf-headers-below "$err" "segment 0 at 0x3fff0000-"
compare elf-1m "$work/elf-101000.elf"
finish
