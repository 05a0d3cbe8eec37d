/* Loading a guest into the virt board's RAM (virt_guest.h). */
#include "hypervisor/board/virt_guest.h"

#include <stdio.h>
#include <stdlib.h>

#include "ferry/virt_board.h"
#include "hypervisor/board/kernel_loader.h"
#include "hypervisor/board/virt_dtb.h"

int virt_guest_load(const struct ferry_options *o, uint8_t *ram, uint64_t ram_size,
                    struct virt_guest_entry *entry)
{
    char err[512];
    struct kernel_boot boot;
    struct kernel_load_options lo = { .initrd_path = o->initrd };
    if (kernel_load(o->kernel, ram, VIRT_RAM_BASE, ram_size, &lo, &boot, err, sizeof err) != 0) {
        fprintf(stderr, "ferry run: %s\n", err);
        return -1;
    }
    struct virt_dtb_config cfg = { .ram_base = VIRT_RAM_BASE, .ram_size = ram_size, .num_cpus = 1,
                                   .bootargs = o->append, .initrd_start = boot.initrd_start,
                                   .initrd_size = boot.initrd_size };
    void *dtb = NULL;
    size_t dtb_size = 0;
    int rc = o->dtb ? dtb_load_file(o->dtb, &dtb, &dtb_size, err, sizeof err) : virt_dtb_build(&cfg, &dtb, &dtb_size, err, sizeof err);
    if (rc == 0 && o->dtb) rc = virt_dtb_fixup(o->dtb, &dtb, &dtb_size, &cfg, err, sizeof err);
    if (rc == 0 && o->dump_dtb) {
        rc = dtb_write_file(o->dump_dtb, dtb, dtb_size, err, sizeof err);
        if (rc == 0) {
            free(dtb);
            return 1;
        }
    }
    if (rc == 0) rc = kernel_place_dtb(ram, VIRT_RAM_BASE, ram_size, dtb, dtb_size, &boot, err, sizeof err) < 0;
    free(dtb);
    if (rc != 0) {
        fprintf(stderr, "ferry run: %s\n", err);
        return -1;
    }
    entry->pc = boot.entry;
    for (unsigned i = 0; i < 4; i++) entry->x[i] = boot.x[i];
    return 0;
}
