/* ferry-fuzz, campaign 3: the hostile-syscall guest program (static AArch64, glibc).
 *
 *   sysprog SEED CASE
 *
 * makes 24 syscalls chosen from templates by (SEED, CASE), with hostile arguments (bad
 * pointers, huge sizes, odd flags, invalid fds, mmap/mprotect/munmap edge cases,
 * signal frames corrupted by the handler before rt_sigreturn), and prints one line per
 * call: its template name, the arguments that do not depend on addresses, and the
 * result (0/ok, or -errno). Addresses are never printed (placement differs by
 * design); only whether a call succeeded and its errno. Output is unbuffered so a
 * death keeps what came before. The program runs in a scratch directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

static uint64_t rng;
static uint64_t next(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static uint64_t below(uint64_t n) { return next() % n; }

int main(int argc, char **argv);
static char *region;          /* 64 KiB RW mapping: the valid buffer */
static char *ro_region;       /* 4 KiB read-only mapping */
static char *hole;            /* 4 KiB that was unmapped */

static int last_pointer;      /* which kind bad_pointer() chose last */
static char kinds[128];       /* the kinds of the pointers of the current call */
static const char *const kind_names[] = {
    "null", "one", "hole", "kernel", "noncanonical", "readonly", "guard", "code", "ok",
};
static void *bad_pointer(void)
{
    last_pointer = (int)below(9);
    size_t l = strlen(kinds);
    snprintf(kinds + l, sizeof(kinds) - l, "%s%s", l ? "," : "", kind_names[last_pointer]);
    switch (last_pointer) {
    case 0: return NULL;
    case 1: return (void *)1;
    case 2: return hole;
    case 3: return (void *)0xffffffffffff0000ull;
    case 4: return (void *)0x0000fffffffff000ull;
    case 5: return ro_region;
    case 6: return region + 0x10000 - 8;   /* runs off the end into the guard */
    case 7: return (void *)(uintptr_t)main;/* code */
    default: return region + below(0x8000);
    }
}
static uint64_t size_value(void)
{
    static const uint64_t v[] = { 0, 1, 7, 4096, 0x10000, 0x7fffffff, 0x80000000ull,
                                  0xffffffffull, 0x7fffffffffffffffull, ~0ull };
    return below(3) ? v[below(10)] : below(0x9000);
}
static long fd_value(void)
{
    static const long v[] = { -1, 0, 1, 2, 3, 255, 1024, 99999, -100, 0x7fffffff };
    return v[below(10)];
}
static uint64_t flags_value(void) { return below(2) ? next() : next() & 0xfff; }

static void result(const char *name, long r, const char *args)
{
    printf("%s(%s; ptr=%s) = %ld\n", name, args, kinds[0] ? kinds : "-",
           r < 0 ? -(long)errno : (r > 4096 || r < -4096 ? 1 : r));
}

static void quiet_handler(int sig) { (void)sig; }

/* The handler corrupts its own frame in one of several ways, then returns. */
static volatile int corrupt_kind;
static void handler(int sig, siginfo_t *si, void *ctx)
{
    (void)si;
    ucontext_t *uc = ctx;
    struct _aarch64_ctx *head = (void *)uc->uc_mcontext.__reserved;
    switch (corrupt_kind) {
    case 0: head->magic = 0; break;                               /* FPSIMD magic gone */
    case 1: head->size = 0x7fffffff; break;                        /* huge record */
    case 2: memset(uc->uc_mcontext.__reserved, 0, 1024); break;    /* zeroed records */
    case 3: uc->uc_mcontext.pstate |= 0x5; break;                  /* EL1h */
    case 4: uc->uc_mcontext.pstate |= 1u << 4; break;              /* AArch32 */
    case 5: uc->uc_mcontext.sp |= 7; break;                        /* misaligned SP */
    case 6: sigfillset(&uc->uc_sigmask); break;                    /* mask everything */
    case 7: uc->uc_mcontext.pc += 4; break;                        /* skip an instruction */
    default: head->size = 8; break;                                /* record too small */
    }
    (void)sig;
}

static void one_call(void)
{
    char a[160];
    long r;
    unsigned which = (unsigned)below(23);
    errno = 0;
    kinds[0] = 0;
    switch (which) {
    case 0: {
        long fd = fd_value();
        uint64_t n = size_value();
        void *buf = bad_pointer();
        snprintf(a, sizeof(a), "fd=%ld, n=%llu", fd, (unsigned long long)n);
        r = syscall(SYS_read, fd == 1 || fd == 2 ? 0 : fd, buf, n);
        result("read", r, a);
        break;
    }
    case 1: {
        long fd = fd_value();
        uint64_t n = size_value();
        snprintf(a, sizeof(a), "fd=%ld, n=%llu", fd, (unsigned long long)n);
        r = syscall(SYS_write, fd == 1 || fd == 2 ? 3 : fd, bad_pointer(), n);
        result("write", r, a);
        break;
    }
    case 2: {
        struct iovec iov[3] = { { bad_pointer(), size_value() }, { region, 16 }, { bad_pointer(), 4 } };
        int cnt = (int)(below(2) ? below(4) : 1025);
        snprintf(a, sizeof(a), "cnt=%d", cnt);
        r = syscall(below(2) ? SYS_readv : SYS_writev, below(2) ? 3 : 99, below(4) ? iov : bad_pointer(), cnt);
        result("readv_writev", r, a);
        break;
    }
    case 3: {
        uint64_t fl = flags_value();
        snprintf(a, sizeof(a), "flags=%#llx", (unsigned long long)fl);
        const char *path = below(3) ? "scratch" : bad_pointer();
        r = syscall(SYS_openat, below(4) ? AT_FDCWD : fd_value(), path, fl & ~(uint64_t)O_CREAT & ~(uint64_t)O_TMPFILE, 0600);
        if (r >= 0 && r != 3)
            close((int)r);
        result("openat", r >= 0 ? 0 : r, a);
        break;
    }
    case 4: {
        uint64_t len = size_value(), prot = below(2) ? below(8) : flags_value(), fl = below(2) ? (0x22 | (below(2) ? MAP_FIXED : 0)) : flags_value();
        long fd = below(2) ? -1 : fd_value();
        uint64_t off = below(3) ? 0 : size_value();
        void *addr = below(2) ? NULL : region + below(16) * 0x1000 + (below(4) ? 0 : 1);
        snprintf(a, sizeof(a), "len=%#llx, prot=%#llx, flags=%#llx, fd=%ld, off=%#llx, fixed-in-region=%d",
                 (unsigned long long)len, (unsigned long long)prot, (unsigned long long)fl, fd,
                 (unsigned long long)off, addr != NULL);
        if ((fl & MAP_FIXED) && !addr)
            fl &= ~(uint64_t)MAP_FIXED;
        fl &= ~(uint64_t)(MAP_FIXED_NOREPLACE) | (fl & MAP_FIXED);
        r = syscall(SYS_mmap, addr, len, prot, fl, fd, off);
        int saved = errno;
        if (addr) {
            /* after MAP_FIXED at addr: is that page mapped and readable? (a failed
             * MAP_FIXED must leave the old mapping; write(2) from it says, without
             * faulting) */
            long probe = syscall(SYS_write, 3, (void *)((uintptr_t)addr & ~(uintptr_t)4095), 1);
            size_t l = strlen(a);
            snprintf(a + l, sizeof(a) - l, ", page-readable-after=%d", probe == 1);
        }
        errno = saved;
        result("mmap", r == -1 ? -1 : 0, a);
        break;
    }
    case 5: {
        uint64_t off = below(17) * 0x1000 + (below(4) ? 0 : 1), len = below(2) ? size_value() : below(5) * 0x1000;
        uint64_t prot = below(2) ? below(8) : flags_value();
        snprintf(a, sizeof(a), "off=%#llx, len=%#llx, prot=%#llx", (unsigned long long)off,
                 (unsigned long long)len, (unsigned long long)prot);
        if ((prot & 3) != 3 && off < 0x1000)
            prot |= 3;   /* keep the first page usable for the rest of the case */
        r = syscall(SYS_mprotect, region + off, len, prot);
        result("mprotect", r, a);
        break;
    }
    case 6: {
        uint64_t off = 0x1000 + below(17) * 0x1000 + (below(4) ? 0 : 1), len = below(2) ? size_value() : below(5) * 0x1000;
        snprintf(a, sizeof(a), "off=%#llx, len=%#llx", (unsigned long long)off, (unsigned long long)len);
        if (len > 0x100000)
            len = below(2) ? len : 0x1000;
        r = off + len > 0x1000 && len < 0x100000 ? syscall(SYS_munmap, region + off, len)
                                                 : syscall(SYS_munmap, (void *)1, len);
        result("munmap", r, a);
        break;
    }
    case 7: {
        uint64_t old = below(3) * 0x1000 + (below(4) ? 0 : 1), nl = size_value(), fl = below(2) ? below(8) : flags_value();
        snprintf(a, sizeof(a), "old=%#llx, new=%#llx, flags=%#llx", (unsigned long long)old,
                 (unsigned long long)nl, (unsigned long long)fl);
        r = syscall(SYS_mremap, region + 0x8000, old, nl, fl & ~(uint64_t)MREMAP_FIXED, NULL);
        result("mremap", r == -1 ? -1 : 0, a);
        break;
    }
    case 8: {
        int sig = (int)(below(3) ? below(70) : next());
        snprintf(a, sizeof(a), "sig=%d", sig);
        if (sig == SIGKILL || sig == SIGSTOP || below(2)) {
            r = syscall(SYS_rt_sigaction, sig, bad_pointer(), bad_pointer(), below(2) ? 8 : size_value());
        } else {
            struct sigaction sa;
            memset(&sa, 0, sizeof(sa));
            sa.sa_handler = SIG_IGN;
            r = syscall(SYS_rt_sigaction, sig, &sa, NULL, 8);
        }
        result("rt_sigaction", r, a);
        break;
    }
    case 9: {
        int how = (int)(below(2) ? below(4) : next());
        uint64_t sz = below(2) ? 8 : size_value();
        snprintf(a, sizeof(a), "how=%d, size=%llu", how, (unsigned long long)sz);
        r = syscall(SYS_rt_sigprocmask, how, bad_pointer(), below(2) ? NULL : bad_pointer(), sz);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        result("rt_sigprocmask", r, a);
        break;
    }
    case 10: {
        stack_t ss = { .ss_sp = bad_pointer(), .ss_flags = (int)(below(2) ? 0 : next()), .ss_size = size_value() };
        snprintf(a, sizeof(a), "flags=%#x, size=%#llx", ss.ss_flags, (unsigned long long)ss.ss_size);
        r = syscall(SYS_sigaltstack, below(2) ? &ss : bad_pointer(), below(2) ? NULL : bad_pointer());
        stack_t off = { .ss_flags = SS_DISABLE };
        syscall(SYS_sigaltstack, &off, NULL);
        result("sigaltstack", r, a);
        break;
    }
    case 11: {
        int sig = (int)below(70);
        snprintf(a, sizeof(a), "sig=%d", sig);
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT || sig == SIGTSTP || sig == SIGTTIN ||
            sig == SIGTTOU || (sig >= 1 && sig <= 64 && sig != SIGCHLD && sig != SIGURG && sig != SIGWINCH))
            sig = 0;    /* default actions kill or stop (also real-time signals) */
        r = syscall(SYS_tgkill, below(2) ? getpid() : -1, below(2) ? gettid() : 0x7fffffff, sig);
        result("tgkill", r, a);
        break;
    }
    case 12: {
        long clk = below(2) ? (long)below(16) : (long)next();
        snprintf(a, sizeof(a), "clock=%ld", clk);
        r = syscall(below(2) ? SYS_clock_gettime : SYS_clock_getres, clk, bad_pointer());
        result("clock_gettime_getres", r, a);
        break;
    }
    case 13: {
        uint64_t n = size_value();
        snprintf(a, sizeof(a), "n=%llu", (unsigned long long)n);
        r = syscall(SYS_getcwd, bad_pointer(), n);
        result("getcwd", r > 0 ? 1 : r, a);
        break;
    }
    case 14: {
        uint64_t cmd = below(2) ? below(48) : next();
        snprintf(a, sizeof(a), "cmd=%#llx", (unsigned long long)cmd);
        if (cmd == F_SETFL || cmd == F_SETFD || cmd == F_SETOWN || cmd == F_SETLKW || cmd == F_SETSIG)
            cmd = F_GETFL;
        r = syscall(SYS_fcntl, below(2) ? 3 : fd_value(), cmd, bad_pointer());
        result("fcntl", r >= 0 ? 0 : r, a);
        break;
    }
    case 15: {
        uint64_t req = below(2) ? 0x5400 + below(0x30) : next() & 0xffffffff;
        long fd = below(2) ? 3 : fd_value();
        snprintf(a, sizeof(a), "fd=%ld, req=%#llx", fd, (unsigned long long)req);
        r = syscall(SYS_ioctl, fd, req, bad_pointer());
        result("ioctl", r, a);
        break;
    }
    case 16: {
        int res = (int)(below(2) ? below(20) : next());
        snprintf(a, sizeof(a), "resource=%d", res);
        r = syscall(SYS_prlimit64, 0, res, NULL, bad_pointer());
        result("prlimit64", r, a);
        break;
    }
    case 17: {
        uint64_t n = below(2) ? 0 : size_value();
        snprintf(a, sizeof(a), "n=%llu", (unsigned long long)n);
        r = syscall(SYS_readlinkat, AT_FDCWD, below(2) ? "/proc/self/cwd" : bad_pointer(), bad_pointer(), n);
        result("readlinkat", r > 0 ? 1 : r, a);
        break;
    }
    case 18: {
        snprintf(a, sizeof(a), "-");
        r = syscall(SYS_wait4, -1, bad_pointer(), below(2) ? 0 : (long)flags_value(), bad_pointer());
        result("wait4", r, a);
        break;
    }
    case 19: {
        snprintf(a, sizeof(a), "-");
        r = syscall(SYS_uname, bad_pointer());
        result("uname", r, a);
        break;
    }
    case 20: {
        uint64_t fl = below(2) ? 0 : flags_value();
        snprintf(a, sizeof(a), "flags=%#llx", (unsigned long long)fl);
        r = syscall(SYS_pipe2, below(2) ? (void *)region : bad_pointer(), fl);
        result("pipe2", r, a);
        break;
    }
    case 21: {                   /* the exclusive monitor across a signal (or a syscall) */
        static uint64_t word;
        uint64_t v;
        uint32_t status;
        int via = (int)below(2);
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = quiet_handler;
        sigaction(SIGUSR2, &sa, NULL);
        __asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(&word) : "memory");
        if (via)
            raise(SIGUSR2);                     /* a signal delivered and returned from */
        else
            syscall(SYS_getpid);                /* a plain syscall */
        __asm__ volatile("stxr %w0, %2, [%1]" : "=&r"(status) : "r"(&word), "r"(v + 1) : "memory");
        snprintf(a, sizeof(a), "via=%s", via ? "signal" : "syscall");
        result("stxr-after", (long)status, a);
        break;
    }
    default: {                                    /* a signal with a corrupted frame */
        corrupt_kind = (int)below(9);
        snprintf(a, sizeof(a), "corruption=%d", corrupt_kind);
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = handler;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGUSR1, &sa, NULL);
        printf("signal(%s) raising\n", a);
        r = raise(SIGUSR1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        result("signal-survived", r, a);
        break;
    }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    setvbuf(stdout, NULL, _IONBF, 0);
    rng = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull ^ strtoull(argv[2], NULL, 0);
    next();
    region = mmap(NULL, 0x11000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        return 3;
    munmap(region + 0x10000, 0x1000);      /* a guard page after it */
    ro_region = mmap(NULL, 0x2000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    hole = ro_region + 0x1000;
    munmap(hole, 0x1000);
    int fd = open("scratch", O_RDWR | O_CREAT | O_TRUNC, 0600);   /* fd 3 */
    if (fd != 3)
        return 4;
    if (write(fd, "scratch file\n", 13) != 13)
        return 5;
    for (int i = 0; i < 24; i++)
        one_call();
    printf("done\n");
    return 0;
}
