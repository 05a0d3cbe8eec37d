/* `ferry run`: boots a guest kernel on the virt board. The files named on the command
 * line are checked first (one line naming the one at fault); then the system emulator
 * runs in the ferry process (hosted_machine.c). The engine's system mode under KVM is
 * the next step: until then a run without --hosted says once that it runs hosted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hypervisor/commands.h"
#include "hypervisor/system/hosted_machine.h"

static int check_readable_file(const char *option, const char *path)
{
    struct stat st;
    int fd;
    if (!path)
        return 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "ferry run: %s %s: %s\n", option, path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "ferry run: %s %s: not a regular file\n", option, path);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int ferry_run_command(const struct ferry_options *o)
{
    if (check_readable_file("--kernel", o->kernel) != 0 || check_readable_file("--initrd", o->initrd) != 0 ||
        check_readable_file("--dtb", o->dtb) != 0 || check_readable_file("--disk", o->disk) != 0)
        return 1;
    if (o->mmu == FERRY_MMU_HOST_PT) {
        fprintf(stderr, "ferry run: --mmu host-pt needs the engine, which does not run system-mode "
                        "guests yet (use soft-tlb, the default)\n");
        return 2;
    }
    if (o->disk) {
        fprintf(stderr, "ferry run: --disk %s: the board has no virtio-blk device yet\n", o->disk);
        return 2;
    }
    const char *notice = o->hosted ? NULL
                                   : "ferry run: the engine does not run system-mode guests yet; running the "
                                     "system emulator in this process (as --hosted does)";
    return hosted_machine_run(o, notice);
}
