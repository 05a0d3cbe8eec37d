/* Loading a guest kernel (and its initrd) into guest RAM the way QEMU's `-kernel` does
 * for an AArch64 CPU on the virt board (hw/arm/boot.c, QEMU 7.2), then placing the DTB
 * where QEMU places it for that kind of kernel. docs/board.md states every rule and
 * where it comes from. Every value read from a guest file is distrusted: sizes, offsets
 * and addresses are overflow-checked and nothing is ever written outside `ram`.
 *
 * Use (the order matters: the DTB names the initrd, and its place depends on both):
 *   kernel_load(kernel, ram, base, size, &(struct kernel_load_options){ .initrd_path = rd },
 *               &boot, err, sizeof err);
 *   virt_dtb_build(&(struct virt_dtb_config){ ..., .initrd_start = boot.initrd_start,
 *                  .initrd_size = boot.initrd_size }, &dtb, &dtb_size, err, sizeof err);
 *   kernel_place_dtb(ram, base, size, dtb, dtb_size, &boot, err, sizeof err);
 *   then start the CPU at boot.entry with boot.x[0..3] and boot.pstate. */
#ifndef FERRY_HYPERVISOR_BOARD_KERNEL_LOADER_H
#define FERRY_HYPERVISOR_BOARD_KERNEL_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kernel_kind {
    KERNEL_KIND_ELF = 1, /* AArch64 ELF64 little-endian: bare metal (not the Linux protocol) */
    KERNEL_KIND_IMAGE,   /* arm64 Linux Image (header magic "ARM\x64" at 56) */
    KERNEL_KIND_RAW,     /* anything else: a raw binary, booted with the Linux protocol */
};

/* PSTATE at entry: EL1h (SP_EL1), D, A, I and F masked. The MMU and caches are off
 * (SCTLR_EL1 at its reset value): the CPU's reset state, as on QEMU. */
#define KERNEL_ENTRY_PSTATE 0x3c5u

/* Where QEMU loads kernels: a raw binary (and an Image whose header has image_size 0)
 * at RAM base + 0x80000; an Image whose text_offset is below 4 KiB 2 MiB higher (QEMU
 * keeps its boot stub in the first 4 KiB); a gzip file may inflate to 256 MiB. */
#define KERNEL_RAW_LOAD_OFFSET   0x80000ull
#define KERNEL_IMAGE_ALIGN       (2ull << 20)
#define KERNEL_IMAGE_LOW_LIMIT   0x1000ull
#define KERNEL_GUNZIP_MAX        (256ull << 20)
#define KERNEL_DTB_ALIGN         (2ull << 20) /* Linux maps 2 MiB around the DTB early */
/* QEMU's virt hands its DTB over as an unpacked 1 MiB blob, so it puts one below an ELF
 * only when the ELF leaves at least 1 MiB free above the RAM base. Ferry asks for the
 * same room, so a bare-metal ELF finds a DTB at the RAM base on both or on neither. */
#define KERNEL_ELF_DTB_ROOM      (1ull << 20)

struct kernel_load_options {
    const char *initrd_path;  /* NULL: no initrd. Only with the Linux protocol (Image, raw) */
    uint64_t gunzip_limit;    /* largest inflated Image.gz; 0: KERNEL_GUNZIP_MAX */
};

struct kernel_boot {
    enum kernel_kind kind;
    bool gzipped;             /* the file was gzip data (Image.gz, or a gzipped raw binary) */
    bool linux_protocol;      /* x0 = DTB address, x1..x3 = 0 (Image, raw); false for ELF */
    uint64_t load_start;      /* guest-physical [load_start, load_end): the kernel, its bss */
    uint64_t load_end;        /* included where known (ELF p_memsz, Image image_size) */
    uint64_t entry;           /* PC at entry */
    uint64_t x[4];            /* x0..x3 at entry (x0 set by kernel_place_dtb) */
    uint64_t pstate;          /* KERNEL_ENTRY_PSTATE */
    uint64_t initrd_start;    /* where the initrd is (or would go: Linux kinds) */
    uint64_t initrd_size;     /* 0: none loaded */
    uint64_t dtb_addr;        /* chosen by kernel_load, filled by kernel_place_dtb; */
    uint64_t dtb_limit;       /* the DTB must end at or below this (exclusive) */
    uint64_t dtb_size;        /* 0 until placed (or when an ELF leaves it no room) */
};

/* Loads the kernel at `path` into ram (host memory that is guest-physical
 * [ram_base, ram_base + ram_size)), and the initrd if opt->initrd_path is set. Fills out
 * (DTB not yet placed). Returns 0, or -1 with one line in err naming the file and what
 * is wrong, e.g. "kernel FILE: segment 2 at 0x... lies outside guest RAM 0x...-0x...". */
int kernel_load(const char *path, uint8_t *ram, uint64_t ram_base, uint64_t ram_size,
                const struct kernel_load_options *opt, struct kernel_boot *out,
                char *err, size_t err_size);

/* Copies the DTB blob to boot->dtb_addr and, for the Linux protocol, sets x0 to it.
 * Returns 0 when placed; 1 when an ELF kernel leaves less than KERNEL_ELF_DTB_ROOM (or
 * the DTB's size) free below its lowest segment (QEMU then gives the guest no DTB in RAM
 * either; dtb_addr/dtb_size are 0); -1 with
 * err when a Linux kernel's DTB does not fit in RAM after the kernel and initrd. */
int kernel_place_dtb(uint8_t *ram, uint64_t ram_base, uint64_t ram_size, const void *dtb,
                     size_t dtb_size, struct kernel_boot *boot, char *err, size_t err_size);

/* "ELF", "Image", "raw binary" (for messages and --stats). */
const char *kernel_kind_name(enum kernel_kind kind);

#endif
