/* The device tree of the virt board (include/ferry/virt_board.h): generated with libfdt
 * the way QEMU's hw/arm/virt.c and hw/arm/boot.c write it for the devices Ferry models,
 * or loaded from a file (--dtb) and written to one (--dump-dtb). docs/board.md lists
 * every node and where Ferry's tree differs from QEMU's. */
#ifndef FERRY_HYPERVISOR_BOARD_VIRT_DTB_H
#define FERRY_HYPERVISOR_BOARD_VIRT_DTB_H

#include <stddef.h>
#include <stdint.h>

/* A DTB larger than this is refused (file or generated): the guest kernel maps at most
 * 2 MiB around it early in boot (arm64 booting.rst). */
#define VIRT_DTB_MAX_SIZE (2u << 20)

struct virt_dtb_config {
    uint64_t ram_base, ram_size; /* the /memory node */
    unsigned num_cpus;           /* 1..VIRT_GIC_MAX_CPUS */
    const char *bootargs;        /* /chosen/bootargs; NULL or "" writes none (as QEMU) */
    uint64_t initrd_start, initrd_size; /* /chosen/linux,initrd-*; size 0: none */
};

/* Builds the board's DTB into a malloc'd blob (*blob, *size: the packed size). Returns 0,
 * or -1 with one line in err (a bad config, or libfdt's failure). */
int virt_dtb_build(const struct virt_dtb_config *cfg, void **blob, size_t *size,
                   char *err, size_t err_size);

/* The flags cell of the timer's PPIs: level-high plus, for GICv2, the mask of the CPUs
 * the PPI is wired to in bits 8..15 ((1 << num_cpus) - 1), as QEMU computes it. */
uint32_t virt_dtb_timer_irq_flags(unsigned num_cpus);

/* Reads a DTB file (--dtb): a regular file of at most VIRT_DTB_MAX_SIZE bytes that
 * passes fdt_check_header and whose header totalsize matches. Errors name the file:
 * "dtb FILE: ...". On success *blob is malloc'd and *size its totalsize. */
int dtb_load_file(const char *path, void **blob, size_t *size, char *err, size_t err_size);

/* Adapts a user DTB (--dtb) to the machine as QEMU's arm_load_dtb does with -dtb: every
 * /memory node is replaced by one describing cfg's RAM (in the root's #address-cells and
 * #size-cells, which must be 1 or 2), /chosen gets bootargs (when non-empty) and the
 * initrd range (when there is one, in #address-cells cells), and a /psci node like the
 * generated one is added when the tree has none. *blob is replaced by a new packed blob.
 * Errors name `name` (the file): "dtb NAME: ...". */
int virt_dtb_fixup(const char *name, void **blob, size_t *size, const struct virt_dtb_config *cfg,
                   char *err, size_t err_size);

/* Writes a blob to a file (--dump-dtb), replacing it; errors name the file. */
int dtb_write_file(const char *path, const void *blob, size_t size, char *err, size_t err_size);

#endif
