/* `ferry run`: boots a guest kernel. Guest support arrives with the Linux-boot work;
 * until then the command checks its inputs and says plainly that it cannot boot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hypervisor/commands.h"

#define EXIT_UNSUPPORTED 2

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
    if (check_readable_file("--kernel", o->kernel) != 0 ||
        check_readable_file("--initrd", o->initrd) != 0 ||
        check_readable_file("--disk", o->disk) != 0)
        return 1;
    fprintf(stderr, "ferry run: no guest support yet (the engine cannot boot a guest kernel; "
                    "try ferry selftest)\n");
    return EXIT_UNSUPPORTED;
}
