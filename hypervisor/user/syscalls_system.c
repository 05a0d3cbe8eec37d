/* Process, identity, time, resource and miscellaneous syscalls. The guest is one
 * host process: identities, clocks and limits are the host's; fork is a host fork
 * (the whole runner is copied with the guest) and execve re-runs the runner. */
#include "hypervisor/user/syscalls.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t host(long r) { return user_host_result(r); }

/* An optional guest pointer argument: NULL stays NULL, anything else must be an
 * accessible range of `len` bytes. */
static int optional_ptr(struct user_process *p, uint64_t addr, uint64_t len, unsigned prot, void **out)
{
    *out = NULL;
    if (addr == 0)
        return 0;
    *out = guest_ptr(&p->mem, addr, len, prot);
    return *out ? 0 : -EFAULT;
}

#define RW (GUEST_PROT_READ | GUEST_PROT_WRITE)

/* ---- process lifetime ------------------------------------------------------------ */
static int64_t sys_exit_group(struct user_process *p, const uint64_t a[6])
{
    p->exited = true;
    p->exit_status = (int)(a[0] & 0xff);
    return 0;
}

static int64_t sys_set_tid_address(struct user_process *p, const uint64_t a[6])
{
    p->clear_child_tid = a[0];
    return host(syscall(SYS_gettid));
}

static int64_t sys_set_robust_list(struct user_process *p, const uint64_t a[6])
{
    return a[1] == 24 ? 0 : -EINVAL; /* sizeof(struct robust_list_head) */
}

static int64_t sys_enosys(struct user_process *p, const uint64_t a[6])
{
    return -ENOSYS; /* rseq, clone3: glibc falls back to what the runner supports */
}

#define A64_CLONE_VM             0x00000100u
#define A64_CLONE_VFORK          0x00004000u
#define A64_CLONE_THREAD         0x00010000u
#define A64_CLONE_SETTLS         0x00080000u
#define A64_CLONE_PARENT_SETTID  0x00100000u
#define A64_CLONE_CHILD_CLEARTID 0x00200000u
#define A64_CLONE_CHILD_SETTID   0x01000000u

static int64_t sys_clone(struct user_process *p, const uint64_t a[6])
{
    uint64_t flags = a[0], stack = a[1], parent_tid = a[2], child_tid = a[4];
    /* Threads share the address space and run concurrently: not emulated. A vfork
     * (posix_spawn) becomes a fork: the child gets a copy instead of shared memory. */
    if (flags & (A64_CLONE_THREAD | A64_CLONE_SETTLS))
        return -ENOSYS;
    if ((flags & A64_CLONE_PARENT_SETTID) && !guest_range_accessible(&p->mem, parent_tid, 4, RW))
        return -EFAULT;
    if ((flags & (A64_CLONE_CHILD_SETTID | A64_CLONE_CHILD_CLEARTID)) &&
        !guest_range_accessible(&p->mem, child_tid, 4, RW))
        return -EFAULT;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        if (p->in_forked_child)
            p->in_forked_child();
        int32_t self = (int32_t)syscall(SYS_gettid);
        p->host_pid = getpid();
        if (flags & A64_CLONE_CHILD_SETTID)
            guest_copy_to(&p->mem, child_tid, &self, 4);
        if (flags & A64_CLONE_PARENT_SETTID)
            guest_copy_to(&p->mem, parent_tid, &self, 4);
        if (flags & A64_CLONE_CHILD_CLEARTID)
            p->clear_child_tid = child_tid;
        if (stack) {
            p->child_set_sp = true;
            p->child_sp = stack;
        }
        return 0;
    }
    if (flags & A64_CLONE_PARENT_SETTID) {
        int32_t child = pid;
        guest_copy_to(&p->mem, parent_tid, &child, 4);
    }
    return pid;
}

/* Guest argv/envp arrays: NULL-terminated arrays of guest string pointers. */
static int read_string_array(struct user_process *p, uint64_t addr, char ***out, int *count)
{
    size_t n = 0, cap = 16;
    char **v = calloc(cap, sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (; addr; n++) {
        uint64_t ptr;
        if (guest_copy_from(&p->mem, &ptr, addr + n * 8, 8)) {
            free(v);
            return -EFAULT;
        }
        if (ptr == 0)
            break;
        if (n + 2 >= cap) {
            char **grown = realloc(v, (cap *= 2) * sizeof(*v));
            if (!grown || cap > 1u << 20) {
                free(grown ? grown : v);
                return -E2BIG;
            }
            v = grown;
        }
        int err = 0;
        const char *s = guest_string(&p->mem, ptr, 1u << 17, &err);
        if (!s) {
            free(v);
            return err == -ENAMETOOLONG ? -E2BIG : err;
        }
        v[n] = (char *)s;
    }
    v[n] = NULL;
    *out = v;
    *count = (int)n;
    return 0;
}

static int64_t sys_execve(struct user_process *p, const uint64_t a[6])
{
    int err = 0;
    const char *path = guest_string(&p->mem, a[0], 4096, &err);
    if (!path)
        return err;
    if (!p->runner_argv_prefix)
        return -ENOSYS;
    /* Fail like the kernel would before the point of no return, in its order: the
     * argument and environment arrays (EFAULT), then the file (it must be an
     * executable regular file: EACCES), then its format (an AArch64 ELF the runner
     * can start: ENOEXEC). */
    char **argv, **envp;
    int argc, envc;
    if ((err = read_string_array(p, a[1], &argv, &argc)))
        return err;
    if ((err = read_string_array(p, a[2], &envp, &envc))) {
        free(argv);
        return err;
    }
    struct stat st;
    int fd = -1;
    if (stat(path, &st) != 0)
        err = -errno;
    else if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
        err = -EACCES;
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        err = -errno;
    if (!err) {
        Elf64_Ehdr eh;
        ssize_t got = read(fd, &eh, sizeof(eh));
        if (got != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_machine != EM_AARCH64)
            err = -ENOEXEC;
    }
    if (fd >= 0)
        close(fd);
    if (err) {
        free(argv);
        free(envp);
        return err;
    }
    int prefix = 0;
    while (p->runner_argv_prefix[prefix])
        prefix++;
    char **full = calloc((size_t)(prefix + argc + 4), sizeof(*full));
    if (!full) {
        free(argv);
        free(envp);
        return -ENOMEM;
    }
    int n = 0;
    for (int i = 0; i < prefix; i++)
        full[n++] = p->runner_argv_prefix[i];
    full[n++] = "--argv0";
    full[n++] = argc > 0 ? argv[0] : "";
    full[n++] = (char *)path;
    for (int i = 1; i < argc; i++)
        full[n++] = argv[i];
    full[n] = NULL;
    if (p->before_exec)
        p->before_exec();
    fflush(NULL);
    execve("/proc/self/exe", full, envp);
    err = -errno;
    free(full);
    free(argv);
    free(envp);
    return err;
}

/* The kernel writes the status and usage only once it has a child to report: a bad
 * pointer is EFAULT after the wait (the child is reaped, as on Linux), and no child
 * is ECHILD whatever the pointers. struct rusage has the same 144-byte layout on
 * arm64 and x86-64. */
static int64_t sys_wait4(struct user_process *p, const uint64_t a[6])
{
    int status = 0;
    struct rusage usage;
    long r = syscall(SYS_wait4, (pid_t)a[0], a[1] ? &status : NULL, (int)a[2], a[3] ? &usage : NULL);
    if (r <= 0)
        return host(r);
    if (a[1] && guest_copy_to(&p->mem, a[1], &status, sizeof(status)))
        return -EFAULT;
    if (a[3] && guest_copy_to(&p->mem, a[3], &usage, sizeof(usage)))
        return -EFAULT;
    return r;
}

/* ---- identity --------------------------------------------------------------------- */
static int64_t sys_getpid(struct user_process *p, const uint64_t a[6]) { return getpid(); }
static int64_t sys_getppid(struct user_process *p, const uint64_t a[6]) { return getppid(); }
static int64_t sys_gettid(struct user_process *p, const uint64_t a[6]) { return syscall(SYS_gettid); }
static int64_t sys_getuid(struct user_process *p, const uint64_t a[6]) { return getuid(); }
static int64_t sys_geteuid(struct user_process *p, const uint64_t a[6]) { return geteuid(); }
static int64_t sys_getgid(struct user_process *p, const uint64_t a[6]) { return getgid(); }
static int64_t sys_getegid(struct user_process *p, const uint64_t a[6]) { return getegid(); }
static int64_t sys_getpgid(struct user_process *p, const uint64_t a[6]) { return host(getpgid((pid_t)a[0])); }
static int64_t sys_getsid(struct user_process *p, const uint64_t a[6]) { return host(getsid((pid_t)a[0])); }
static int64_t sys_setpgid(struct user_process *p, const uint64_t a[6]) { return host(setpgid((pid_t)a[0], (pid_t)a[1])); }
static int64_t sys_setsid(struct user_process *p, const uint64_t a[6]) { return host(setsid()); }

static int64_t sys_getresid(struct user_process *p, const uint64_t a[6], bool group)
{
    for (int i = 0; i < 3; i++)
        if (!guest_range_accessible(&p->mem, a[i], 4, GUEST_PROT_WRITE))
            return -EFAULT;
    uint32_t ids[3];
    if (group) {
        gid_t r, e, s;
        getresgid(&r, &e, &s);
        ids[0] = r; ids[1] = e; ids[2] = s;
    } else {
        uid_t r, e, s;
        getresuid(&r, &e, &s);
        ids[0] = r; ids[1] = e; ids[2] = s;
    }
    for (int i = 0; i < 3; i++)
        guest_copy_to(&p->mem, a[i], &ids[i], 4);
    return 0;
}
static int64_t sys_getresuid(struct user_process *p, const uint64_t a[6]) { return sys_getresid(p, a, false); }
static int64_t sys_getresgid(struct user_process *p, const uint64_t a[6]) { return sys_getresid(p, a, true); }

static int64_t sys_getgroups(struct user_process *p, const uint64_t a[6])
{
    int size = (int)a[0];
    if (size < 0 || size > 65536)
        return -EINVAL;
    void *list = NULL;
    if (size && !(list = guest_ptr(&p->mem, a[1], (uint64_t)size * 4, GUEST_PROT_WRITE)))
        return -EFAULT;
    return host(syscall(SYS_getgroups, size, list));
}

static int64_t sys_uname(struct user_process *p, const uint64_t a[6])
{
    if (!guest_range_accessible(&p->mem, a[0], sizeof(struct utsname), GUEST_PROT_WRITE))
        return -EFAULT;
    struct utsname u;
    if (uname(&u) != 0)
        return -errno;
    snprintf(u.machine, sizeof(u.machine), "aarch64");
    return guest_copy_to(&p->mem, a[0], &u, sizeof(u));
}

/* ---- time --------------------------------------------------------------------------- */
/* The kernel checks the clock id before it writes the result: the host call goes to a
 * local buffer, which is then copied out (EFAULT only for a valid clock). */
static int64_t clock_query(struct user_process *p, long nr, uint64_t clock, uint64_t ptr, bool optional)
{
    struct timespec ts;
    int64_t r = host(syscall(nr, (clockid_t)clock, &ts));
    if (r < 0 || (optional && ptr == 0))
        return r;
    return guest_copy_to(&p->mem, ptr, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static int64_t sys_clock_gettime(struct user_process *p, const uint64_t a[6])
{
    return clock_query(p, SYS_clock_gettime, a[0], a[1], false);
}

static int64_t sys_clock_getres(struct user_process *p, const uint64_t a[6])
{
    return clock_query(p, SYS_clock_getres, a[0], a[1], true);
}

static int64_t sys_gettimeofday(struct user_process *p, const uint64_t a[6])
{
    void *tv, *tz;
    int err = optional_ptr(p, a[0], 16, GUEST_PROT_WRITE, &tv);
    if (!err)
        err = optional_ptr(p, a[1], 8, GUEST_PROT_WRITE, &tz);
    return err ? err : host(syscall(SYS_gettimeofday, tv, tz));
}

static int64_t sys_nanosleep(struct user_process *p, const uint64_t a[6])
{
    void *req = guest_ptr(&p->mem, a[0], 16, GUEST_PROT_READ), *rem;
    if (!req)
        return -EFAULT;
    int err = optional_ptr(p, a[1], 16, GUEST_PROT_WRITE, &rem);
    return err ? err : host(syscall(SYS_nanosleep, req, rem));
}

static int64_t sys_clock_nanosleep(struct user_process *p, const uint64_t a[6])
{
    void *req = guest_ptr(&p->mem, a[2], 16, GUEST_PROT_READ), *rem;
    if (!req)
        return -EFAULT;
    int err = optional_ptr(p, a[3], 16, GUEST_PROT_WRITE, &rem);
    return err ? err : host(syscall(SYS_clock_nanosleep, (clockid_t)a[0], (int)a[1], req, rem));
}

static int64_t sys_times(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = optional_ptr(p, a[0], 32, GUEST_PROT_WRITE, &buf);
    return err ? err : host(syscall(SYS_times, buf));
}

static int64_t sys_getitimer(struct user_process *p, const uint64_t a[6])
{
    void *cur = guest_ptr(&p->mem, a[1], 32, GUEST_PROT_WRITE);
    return cur ? host(syscall(SYS_getitimer, (int)a[0], cur)) : -EFAULT;
}

/* ---- resources ------------------------------------------------------------------------ */
#define A64_RLIMIT_DATA 2
#define A64_RLIMIT_AS   9

#define A64_RLIM_NLIMITS 16

static int64_t sys_prlimit64(struct user_process *p, const uint64_t a[6])
{
    if ((uint32_t)a[1] >= A64_RLIM_NLIMITS)
        return -EINVAL;                   /* checked before the limits are read or written */
    const void *new_limit;
    void *old_limit;
    int err = optional_ptr(p, a[2], 16, GUEST_PROT_READ, (void **)&new_limit);
    if (!err)
        err = optional_ptr(p, a[3], 16, GUEST_PROT_WRITE, &old_limit);
    if (err)
        return err;
    /* The runner's own reservation and code cache must not be limited by the
     * guest's idea of its address-space size. */
    if (new_limit && (a[0] == 0 || (pid_t)a[0] == getpid()) &&
        (a[1] == A64_RLIMIT_AS || a[1] == A64_RLIMIT_DATA))
        return host(syscall(SYS_prlimit64, (pid_t)a[0], (int)a[1], NULL, old_limit));
    return host(syscall(SYS_prlimit64, (pid_t)a[0], (int)a[1], new_limit, old_limit));
}

static int64_t sys_getrlimit(struct user_process *p, const uint64_t a[6])
{
    const uint64_t args[6] = { 0, a[0], 0, a[1], 0, 0 };
    return sys_prlimit64(p, args);
}

static int64_t sys_setrlimit(struct user_process *p, const uint64_t a[6])
{
    const uint64_t args[6] = { 0, a[0], a[1], 0, 0, 0 };
    return sys_prlimit64(p, args);
}

static int64_t sys_getrusage(struct user_process *p, const uint64_t a[6])
{
    void *buf = guest_ptr(&p->mem, a[1], 144, GUEST_PROT_WRITE);
    return buf ? host(syscall(SYS_getrusage, (int)a[0], buf)) : -EFAULT;
}

static int64_t sys_sysinfo(struct user_process *p, const uint64_t a[6])
{
    void *buf = guest_ptr(&p->mem, a[0], 112, GUEST_PROT_WRITE);
    return buf ? host(syscall(SYS_sysinfo, buf)) : -EFAULT;
}

static int64_t sys_getrandom(struct user_process *p, const uint64_t a[6])
{
    void *buf = guest_ptr(&p->mem, a[0], a[1], GUEST_PROT_WRITE);
    if (!buf)
        return a[1] == 0 ? 0 : -EFAULT;
    if (p->seeded) {
        if (a[2] & ~(uint64_t)7)               /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
            return -EINVAL;
        size_t n = a[1] > 33554431 ? 33554431 : (size_t)a[1];    /* Linux's per-call cap */
        user_random_fill(p, buf, n);
        return (int64_t)n;
    }
    return host(syscall(SYS_getrandom, buf, (size_t)a[1], (unsigned)a[2]));
}

static int64_t sys_getpriority(struct user_process *p, const uint64_t a[6])
{
    return host(syscall(SYS_getpriority, (int)a[0], (int)a[1]));
}

static int64_t sys_setpriority(struct user_process *p, const uint64_t a[6])
{
    return host(syscall(SYS_setpriority, (int)a[0], (int)a[1], (int)a[2]));
}

/* ---- scheduling and synchronisation ------------------------------------------------- */
static int64_t sys_sched_getaffinity(struct user_process *p, const uint64_t a[6])
{
    if (a[1] > 4096)
        return -EINVAL;
    void *mask = guest_ptr(&p->mem, a[2], a[1], GUEST_PROT_WRITE);
    return mask ? host(syscall(SYS_sched_getaffinity, (pid_t)a[0], (size_t)a[1], mask)) : -EFAULT;
}

static int64_t sys_sched_setaffinity(struct user_process *p, const uint64_t a[6])
{
    if (a[1] > 4096)
        return -EINVAL;
    void *mask = guest_ptr(&p->mem, a[2], a[1], GUEST_PROT_READ);
    return mask ? host(syscall(SYS_sched_setaffinity, (pid_t)a[0], (size_t)a[1], mask)) : -EFAULT;
}

static int64_t sys_sched_yield(struct user_process *p, const uint64_t a[6])
{
    return host(sched_yield());
}

static int64_t sys_getcpu(struct user_process *p, const uint64_t a[6])
{
    void *cpu, *node;
    int err = optional_ptr(p, a[0], 4, GUEST_PROT_WRITE, &cpu);
    if (!err)
        err = optional_ptr(p, a[1], 4, GUEST_PROT_WRITE, &node);
    return err ? err : host(syscall(SYS_getcpu, cpu, node, NULL));
}

static int64_t sys_futex(struct user_process *p, const uint64_t a[6])
{
    /* Guest memory is host memory, so the host futex gives exact semantics
     * (compare-and-block, timeouts, wake counts); only the pointers move. */
    int op = (int)a[1];
    int cmd = op & FUTEX_CMD_MASK;
    if (a[0] & 3)
        return -EINVAL;
    void *uaddr = guest_ptr(&p->mem, a[0], 4, GUEST_PROT_READ);
    if (!uaddr)
        return -EFAULT;
    void *timeout = NULL, *uaddr2 = NULL;
    uint64_t val2 = a[3];
    bool has_timeout = cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI ||
                       cmd == FUTEX_WAIT_REQUEUE_PI || cmd == FUTEX_LOCK_PI2;
    if (has_timeout && a[3]) {
        if (!(timeout = guest_ptr(&p->mem, a[3], 16, GUEST_PROT_READ)))
            return -EFAULT;
        val2 = (uint64_t)(uintptr_t)timeout;
    }
    if (cmd == FUTEX_REQUEUE || cmd == FUTEX_CMP_REQUEUE || cmd == FUTEX_WAKE_OP ||
        cmd == FUTEX_CMP_REQUEUE_PI || cmd == FUTEX_WAIT_REQUEUE_PI) {
        if ((a[4] & 3) || !(uaddr2 = guest_ptr(&p->mem, a[4], 4, GUEST_PROT_READ)))
            return -EFAULT;
    }
    return host(syscall(SYS_futex, uaddr, op, (uint32_t)a[2], (uintptr_t)val2, uaddr2, (uint32_t)a[5]));
}

static int64_t sys_prctl(struct user_process *p, const uint64_t a[6])
{
    switch (a[0]) {
    case PR_SET_NAME: {
        void *name = guest_ptr(&p->mem, a[1], 16, GUEST_PROT_READ);
        if (!name) {
            int err = 0;
            if (!guest_string(&p->mem, a[1], 16, &err))
                return err == -ENAMETOOLONG ? -EFAULT : err;
            name = p->mem.host_base + a[1];
        }
        return host(prctl(PR_SET_NAME, name));
    }
    case PR_GET_NAME: {
        void *name = guest_ptr(&p->mem, a[1], 16, GUEST_PROT_WRITE);
        return name ? host(prctl(PR_GET_NAME, name)) : -EFAULT;
    }
    case PR_GET_DUMPABLE:
        return host(prctl(PR_GET_DUMPABLE));
    default:
        return -EINVAL;
    }
}

user_syscall_fn user_syscall_system(uint64_t nr)
{
    switch (nr) {
    case A64_NR_exit: case A64_NR_exit_group: return sys_exit_group;
    case A64_NR_set_tid_address: return sys_set_tid_address;
    case A64_NR_set_robust_list: return sys_set_robust_list;
    case A64_NR_rseq: case A64_NR_clone3: return sys_enosys;
    case A64_NR_clone: return sys_clone;
    case A64_NR_execve: return sys_execve;
    case A64_NR_wait4: return sys_wait4;
    case A64_NR_getpid: return sys_getpid;
    case A64_NR_getppid: return sys_getppid;
    case A64_NR_gettid: return sys_gettid;
    case A64_NR_getuid: return sys_getuid;
    case A64_NR_geteuid: return sys_geteuid;
    case A64_NR_getgid: return sys_getgid;
    case A64_NR_getegid: return sys_getegid;
    case A64_NR_getpgid: return sys_getpgid;
    case A64_NR_getsid: return sys_getsid;
    case A64_NR_setpgid: return sys_setpgid;
    case A64_NR_setsid: return sys_setsid;
    case A64_NR_getresuid: return sys_getresuid;
    case A64_NR_getresgid: return sys_getresgid;
    case A64_NR_getgroups: return sys_getgroups;
    case A64_NR_uname: return sys_uname;
    case A64_NR_clock_gettime: return sys_clock_gettime;
    case A64_NR_clock_getres: return sys_clock_getres;
    case A64_NR_gettimeofday: return sys_gettimeofday;
    case A64_NR_nanosleep: return sys_nanosleep;
    case A64_NR_clock_nanosleep: return sys_clock_nanosleep;
    case A64_NR_times: return sys_times;
    case A64_NR_getitimer: return sys_getitimer;
    case A64_NR_prlimit64: return sys_prlimit64;
    case A64_NR_getrlimit: return sys_getrlimit;
    case A64_NR_setrlimit: return sys_setrlimit;
    case A64_NR_getrusage: return sys_getrusage;
    case A64_NR_sysinfo: return sys_sysinfo;
    case A64_NR_getrandom: return sys_getrandom;
    case A64_NR_getpriority: return sys_getpriority;
    case A64_NR_setpriority: return sys_setpriority;
    case A64_NR_sched_getaffinity: return sys_sched_getaffinity;
    case A64_NR_sched_setaffinity: return sys_sched_setaffinity;
    case A64_NR_sched_yield: return sys_sched_yield;
    case A64_NR_getcpu: return sys_getcpu;
    case A64_NR_futex: return sys_futex;
    case A64_NR_prctl: return sys_prctl;
    default: return NULL;
    }
}
