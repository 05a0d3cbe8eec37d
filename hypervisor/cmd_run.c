/* `ferry run`: boots a guest kernel on the virt board. The files named on the command
 * line are checked first (one line naming the one at fault); then the system emulator
 * runs in the engine under KVM (engine_machine.c), or in the ferry process
 * (hosted_machine.c) with --hosted, or without a usable KVM device (with a notice). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hypervisor/commands.h"
#include "hypervisor/system/engine_machine.h"
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
        fprintf(stderr, "ferry run: --mmu host-pt: the engine has only the software TLB so far (use "
                        "soft-tlb, the default)\n");
        return 2;
    }
    if (o->disk) {
        fprintf(stderr, "ferry run: --disk %s: the board has no virtio-blk device yet\n", o->disk);
        return 2;
    }
    if (o->hosted) return hosted_machine_run(o, NULL);
    char notice[512];
    if (!o->require_kvm && access(o->kvm_device, R_OK | W_OK) != 0) {
        snprintf(notice, sizeof notice, "ferry run: %s: %s; running the system emulator in this process "
                 "(as --hosted does)", o->kvm_device, strerror(errno));
        return hosted_machine_run(o, notice);
    }
    return engine_machine_run(o);
}
