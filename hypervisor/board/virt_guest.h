/* Putting a guest into the virt board's RAM, as QEMU's -kernel does: the kernel (ELF,
 * arm64 Image or raw), the initrd, and the DTB (generated, or --dtb fixed up), plus the
 * CPU's entry state. Shared by both homes of the system emulator: the ferry process and
 * the engine (whose RAM the host fills before the VM starts). */
#ifndef FERRY_HYPERVISOR_BOARD_VIRT_GUEST_H
#define FERRY_HYPERVISOR_BOARD_VIRT_GUEST_H

#include <stdint.h>
#include "hypervisor/cli_options.h"

struct virt_guest_entry {
    uint64_t pc;
    uint64_t x[4];
};

/* Loads what the options name into ram (ram_size bytes at VIRT_RAM_BASE). 0: loaded;
 * 1: --dump-dtb wrote the DTB and nothing is to run; -1: an error, printed on stderr as
 * one line prefixed "ferry run: ". */
int virt_guest_load(const struct ferry_options *o, uint8_t *ram, uint64_t ram_size,
                    struct virt_guest_entry *entry);

#endif
