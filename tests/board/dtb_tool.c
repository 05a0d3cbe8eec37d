/* Test helper: writes the DTB `ferry run` would give a guest, built by the board code
 * (hypervisor/board/): from a RAM size, CPU count and command line, and, with --kernel
 * (and --initrd), through the real loader so the initrd range in /chosen is the one the
 * loader chose; with --dtb, a user DTB adapted as for `ferry run --dtb`. Prints the boot
 * state on stdout. Usage:
 *   dtb_tool OUT.dtb [--mem MIB] [--cpus N] [--append TEXT] [--kernel FILE [--initrd FILE]]
 *            [--dtb FILE] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ferry/virt_board.h"
#include "hypervisor/board/kernel_loader.h"
#include "hypervisor/board/virt_dtb.h"

int main(int argc, char **argv)
{
    struct virt_dtb_config cfg = { .ram_base = VIRT_RAM_BASE, .ram_size = 512ull << 20,
                                   .num_cpus = 1 };
    const char *kernel = NULL, *initrd = NULL, *user_dtb = NULL;
    struct kernel_boot boot;
    uint8_t *ram = NULL;
    void *blob;
    size_t size;
    char err[512];

    if (argc < 2) {
        fprintf(stderr, "usage: dtb_tool OUT.dtb [--mem MIB] [--cpus N] [--append TEXT] "
                        "[--kernel FILE [--initrd FILE]] [--dtb FILE]\n");
        return 2;
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--mem"))
            cfg.ram_size = strtoull(argv[i + 1], NULL, 0) << 20;
        else if (!strcmp(argv[i], "--cpus"))
            cfg.num_cpus = (unsigned)strtoul(argv[i + 1], NULL, 0);
        else if (!strcmp(argv[i], "--append"))
            cfg.bootargs = argv[i + 1];
        else if (!strcmp(argv[i], "--kernel"))
            kernel = argv[i + 1];
        else if (!strcmp(argv[i], "--initrd"))
            initrd = argv[i + 1];
        else if (!strcmp(argv[i], "--dtb"))
            user_dtb = argv[i + 1];
        else {
            fprintf(stderr, "dtb_tool: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (kernel) {
        ram = mmap(NULL, cfg.ram_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (ram == MAP_FAILED) {
            perror("dtb_tool: mmap");
            return 1;
        }
        if (kernel_load(kernel, ram, cfg.ram_base, cfg.ram_size,
                        &(struct kernel_load_options){ .initrd_path = initrd }, &boot, err,
                        sizeof err) != 0) {
            fprintf(stderr, "dtb_tool: %s\n", err);
            return 1;
        }
        cfg.initrd_start = boot.initrd_start;
        cfg.initrd_size = boot.initrd_size;
    }
    if (user_dtb ? dtb_load_file(user_dtb, &blob, &size, err, sizeof err) != 0 ||
                       virt_dtb_fixup(user_dtb, &blob, &size, &cfg, err, sizeof err) != 0
                 : virt_dtb_build(&cfg, &blob, &size, err, sizeof err) != 0) {
        fprintf(stderr, "dtb_tool: %s\n", err);
        return 1;
    }
    if (kernel) {
        if (kernel_place_dtb(ram, cfg.ram_base, cfg.ram_size, blob, size, &boot, err,
                             sizeof err) < 0) {
            fprintf(stderr, "dtb_tool: %s\n", err);
            return 1;
        }
        printf("kind=%s entry=0x%" PRIx64 " x0=0x%" PRIx64 " dtb=0x%" PRIx64
               " initrd=0x%" PRIx64 "+0x%" PRIx64 "\n", kernel_kind_name(boot.kind),
               boot.entry, boot.x[0], boot.dtb_addr, boot.initrd_start, boot.initrd_size);
    }
    if (dtb_write_file(argv[1], blob, size, err, sizeof err) != 0) {
        fprintf(stderr, "dtb_tool: %s\n", err);
        return 1;
    }
    free(blob);
    return 0;
}
