/* uname, process identity and resource queries as a program sees them. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

int main(void)
{
    struct utsname u;
    uname(&u);
    printf("machine=%s sysname=%s\n", u.machine, u.sysname);
    printf("pid positive=%d ppid positive=%d\n", getpid() > 0, getppid() > 0);
    printf("uid matches euid=%d\n", getuid() == geteuid());
    struct rlimit rl;
    printf("getrlimit ok=%d\n", getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0);
    printf("pagesize=%ld\n", sysconf(_SC_PAGESIZE));
    printf("nprocs positive=%d\n", get_nprocs() > 0);
    struct sysinfo si;
    printf("sysinfo ok=%d\n", sysinfo(&si) == 0 && si.totalram > 0);
    printf("isatty(-1)=%d\n", isatty(-1));
    return 0;
}
