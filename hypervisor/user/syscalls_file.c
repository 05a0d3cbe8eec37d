/* File-system and file-descriptor syscalls: guest file descriptors are host file
 * descriptors; paths and structures are validated in guest memory first, and the
 * layouts and flags that differ between arm64 and x86-64 are translated. */
#include "hypervisor/user/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#define GUEST_PATH_MAX 4096
#define GUEST_IOV_MAX 1024

#define GUEST_PATH(var, index)                                                  \
    int var##_err = 0;                                                         \
    const char *var = guest_string(&p->mem, a[index], GUEST_PATH_MAX, &var##_err); \
    if (!var)                                                                  \
        return var##_err

/* A buffer handed directly to a host syscall: the host kernel faults-checks it, we
 * only keep it inside the guest region and refuse execute-only pages (readable by the
 * host, which maps them for instruction fetch, but not by the guest's kernel). */
static int host_buffer(struct user_process *p, uint64_t addr, uint64_t len, void **out)
{
    if (len == 0) {
        *out = guest_range_in_limit(&p->mem, addr, 0) ? p->mem.host_base + addr : NULL;
        return 0;
    }
    *out = guest_range_has_exec_only(&p->mem, addr, len) ? NULL : guest_ptr_unchecked(&p->mem, addr, len);
    return *out ? 0 : -EFAULT;
}

static int64_t host(long r) { return user_host_result(r); }

/* ---- open flags --------------------------------------------------------------------- */
struct flag_pair { uint64_t guest; int host; };
static const struct flag_pair differing_open_flags[] = {
    { A64_O_DIRECTORY, O_DIRECTORY },
    { A64_O_NOFOLLOW,  O_NOFOLLOW },
    { A64_O_DIRECT,    O_DIRECT },
    { A64_O_LARGEFILE, 0100000 /* x86-64 O_LARGEFILE */ },
};
#define DIFFERING_GUEST_BITS (A64_O_DIRECTORY | A64_O_NOFOLLOW | A64_O_DIRECT | A64_O_LARGEFILE)
#define DIFFERING_HOST_BITS  (O_DIRECTORY | O_NOFOLLOW | O_DIRECT | 0100000)

int user_open_flags_to_host(uint64_t guest_flags)
{
    int host_flags = (int)(guest_flags & ~(uint64_t)DIFFERING_GUEST_BITS);
    for (size_t i = 0; i < sizeof(differing_open_flags) / sizeof(differing_open_flags[0]); i++)
        if (guest_flags & differing_open_flags[i].guest)
            host_flags |= differing_open_flags[i].host;
    return host_flags;
}

uint64_t user_open_flags_to_guest(int host_flags)
{
    uint64_t guest_flags = (uint64_t)(unsigned)(host_flags & ~DIFFERING_HOST_BITS);
    for (size_t i = 0; i < sizeof(differing_open_flags) / sizeof(differing_open_flags[0]); i++)
        if (host_flags & differing_open_flags[i].host)
            guest_flags |= differing_open_flags[i].guest;
    return guest_flags;
}

/* ---- descriptors and data ------------------------------------------------------------ */
static int64_t sys_openat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    if (strcmp(path, "/proc/self/exe") == 0 && p->exe_path)
        path = p->exe_path;
    return host(syscall(SYS_openat, (int)a[0], path, user_open_flags_to_host(a[2]), (mode_t)a[3]));
}

static int64_t sys_close(struct user_process *p, const uint64_t a[6])
{
    return host(close((int)a[0]));
}

static int64_t sys_read(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = host_buffer(p, a[1], a[2], &buf);
    return err ? err : host(syscall(SYS_read, (int)a[0], buf, (size_t)a[2]));
}

static int64_t sys_write(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = host_buffer(p, a[1], a[2], &buf);
    return err ? err : host(syscall(SYS_write, (int)a[0], buf, (size_t)a[2]));
}

static int64_t sys_pread64(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = host_buffer(p, a[1], a[2], &buf);
    return err ? err : host(syscall(SYS_pread64, (int)a[0], buf, (size_t)a[2], (off_t)a[3]));
}

static int64_t sys_pwrite64(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = host_buffer(p, a[1], a[2], &buf);
    return err ? err : host(syscall(SYS_pwrite64, (int)a[0], buf, (size_t)a[2], (off_t)a[3]));
}

/* Copies a guest iovec array into host iovecs pointing into guest memory. */
static int translate_iov(struct user_process *p, uint64_t addr, uint64_t count, struct iovec *out)
{
    if (count > GUEST_IOV_MAX)
        return -EINVAL;
    uint64_t raw[GUEST_IOV_MAX * 2];
    int err = guest_copy_from(&p->mem, raw, addr, count * 16);
    if (err)
        return err;
    for (uint64_t i = 0; i < count; i++) {
        void *base;
        err = host_buffer(p, raw[2 * i], raw[2 * i + 1], &base);
        if (err)
            return err;
        out[i].iov_base = base;
        out[i].iov_len = raw[2 * i + 1];
    }
    return 0;
}

static int64_t sys_readv(struct user_process *p, const uint64_t a[6])
{
    struct iovec iov[GUEST_IOV_MAX];
    int err = translate_iov(p, a[1], a[2], iov);
    return err ? err : host(readv((int)a[0], iov, (int)a[2]));
}

static int64_t sys_writev(struct user_process *p, const uint64_t a[6])
{
    struct iovec iov[GUEST_IOV_MAX];
    int err = translate_iov(p, a[1], a[2], iov);
    return err ? err : host(writev((int)a[0], iov, (int)a[2]));
}

static int64_t sys_lseek(struct user_process *p, const uint64_t a[6])
{
    return host(syscall(SYS_lseek, (int)a[0], (off_t)a[1], (int)a[2]));
}

static int64_t sys_dup(struct user_process *p, const uint64_t a[6])
{
    return host(dup((int)a[0]));
}

static int64_t sys_dup3(struct user_process *p, const uint64_t a[6])
{
    return host(syscall(SYS_dup3, (int)a[0], (int)a[1], user_open_flags_to_host(a[2])));
}

/* As the kernel: the flags are checked and the pipe made before the descriptors are
 * written out; a bad pointer then closes them again (EFAULT). */
static int64_t sys_pipe2(struct user_process *p, const uint64_t a[6])
{
    int fds[2];
    int64_t r = host(syscall(SYS_pipe2, fds, user_open_flags_to_host(a[1])));
    if (r == 0 && guest_copy_to(&p->mem, a[0], fds, sizeof(fds))) {
        close(fds[0]);
        close(fds[1]);
        return -EFAULT;
    }
    return r;
}

static int64_t sys_fcntl(struct user_process *p, const uint64_t a[6])
{
    int fd = (int)a[0], cmd = (int)a[1];
    switch (cmd) {
    case F_GETFL: {
        int64_t r = host(fcntl(fd, F_GETFL));
        return r < 0 ? r : (int64_t)user_open_flags_to_guest((int)r);
    }
    case F_SETFL:
        return host(fcntl(fd, F_SETFL, user_open_flags_to_host(a[2])));
    case F_DUPFD: case F_DUPFD_CLOEXEC: case F_GETFD: case F_SETFD:
    case F_GETOWN: case F_SETOWN: case F_GETPIPE_SZ: case F_SETPIPE_SZ:
    case F_ADD_SEALS: case F_GET_SEALS:
        return host(fcntl(fd, cmd, (long)a[2]));
    case F_GETLK: case F_SETLK: case F_SETLKW:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW: {
        /* struct flock has the same 32-byte layout on both 64-bit ABIs. */
        void *lock = guest_ptr(&p->mem, a[2], 32, GUEST_PROT_READ | GUEST_PROT_WRITE);
        if (!lock)
            return -EFAULT;
        return host(fcntl(fd, cmd, lock));
    }
    default:
        return -EINVAL;
    }
}

static int64_t sys_ioctl(struct user_process *p, const uint64_t a[6])
{
    int fd = (int)a[0];
    unsigned long request = (unsigned long)a[1];
    uint64_t size;
    switch (request) {
    case TCGETS: case TCSETS: case TCSETSW: case TCSETSF: size = 36; break; /* kernel termios */
    case TIOCGWINSZ: case TIOCSWINSZ: size = 8; break;
    case TIOCGPGRP: case TIOCSPGRP: case FIONREAD: case FIONBIO: size = 4; break;
    default: return fcntl(fd, F_GETFD) < 0 ? -EBADF : -ENOTTY;
    }
    void *arg = guest_ptr(&p->mem, a[2], size, GUEST_PROT_READ | GUEST_PROT_WRITE);
    if (!arg) {
        /* the kernel looks at the descriptor (EBADF) and whether its file has the
         * request (ENOTTY) before it touches the argument */
        if (fcntl(fd, F_GETFD) < 0)
            return -EBADF;
        uint8_t probe[64];
        unsigned long query = request == FIONREAD || request == FIONBIO ? FIONREAD : TCGETS;
        if (syscall(SYS_ioctl, fd, query, probe) < 0 && errno == ENOTTY)
            return -ENOTTY;
        return -EFAULT;
    }
    return host(syscall(SYS_ioctl, fd, request, arg));
}

static int64_t sys_getdents64(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = host_buffer(p, a[1], a[2], &buf);
    return err ? err : host(syscall(SYS_getdents64, (int)a[0], buf, (unsigned)a[2]));
}

/* ---- metadata ------------------------------------------------------------------------ */
static void stat_to_guest(const struct stat *st, struct a64_stat *g)
{
    memset(g, 0, sizeof(*g));
    g->st_dev = st->st_dev;
    g->st_ino = st->st_ino;
    g->st_mode = st->st_mode;
    g->st_nlink = (uint32_t)st->st_nlink;
    g->st_uid = st->st_uid;
    g->st_gid = st->st_gid;
    g->st_rdev = st->st_rdev;
    g->st_size = st->st_size;
    g->st_blksize = (int32_t)st->st_blksize;
    g->st_blocks = st->st_blocks;
    g->st_atime_sec = st->st_atim.tv_sec;
    g->st_atime_nsec = (uint64_t)st->st_atim.tv_nsec;
    g->st_mtime_sec = st->st_mtim.tv_sec;
    g->st_mtime_nsec = (uint64_t)st->st_mtim.tv_nsec;
    g->st_ctime_sec = st->st_ctim.tv_sec;
    g->st_ctime_nsec = (uint64_t)st->st_ctim.tv_nsec;
}

static int64_t finish_stat(struct user_process *p, int64_t r, const struct stat *st, uint64_t addr)
{
    if (r < 0)
        return r;
    struct a64_stat g;
    stat_to_guest(st, &g);
    return guest_copy_to(&p->mem, addr, &g, sizeof(g));
}

static int64_t sys_newfstatat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    if (strcmp(path, "/proc/self/exe") == 0 && p->exe_path)
        path = p->exe_path;
    if (!guest_range_accessible(&p->mem, a[2], sizeof(struct a64_stat), GUEST_PROT_WRITE))
        return -EFAULT;
    struct stat st;
    int64_t r = host(syscall(SYS_newfstatat, (int)a[0], path, &st, (int)a[3]));
    return finish_stat(p, r, &st, a[2]);
}

static int64_t sys_fstat(struct user_process *p, const uint64_t a[6])
{
    if (!guest_range_accessible(&p->mem, a[1], sizeof(struct a64_stat), GUEST_PROT_WRITE))
        return -EFAULT;
    struct stat st;
    int64_t r = host(fstat((int)a[0], &st));
    return finish_stat(p, r, &st, a[1]);
}

static int64_t sys_statx(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    /* struct statx is the same on every architecture (256 bytes). */
    void *buf = guest_ptr(&p->mem, a[4], 256, GUEST_PROT_WRITE);
    if (!buf)
        return -EFAULT;
    return host(syscall(SYS_statx, (int)a[0], path, (int)a[2], (unsigned)a[3], buf));
}

static int64_t sys_statfs(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 0);
    void *buf = guest_ptr(&p->mem, a[1], 120, GUEST_PROT_WRITE); /* same layout on both */
    return buf ? host(syscall(SYS_statfs, path, buf)) : -EFAULT;
}

static int64_t sys_fstatfs(struct user_process *p, const uint64_t a[6])
{
    void *buf = guest_ptr(&p->mem, a[1], 120, GUEST_PROT_WRITE);
    return buf ? host(syscall(SYS_fstatfs, (int)a[0], buf)) : -EFAULT;
}

static int64_t sys_readlinkat(struct user_process *p, const uint64_t a[6])
{
    if ((int)a[3] <= 0)
        return -EINVAL;                   /* checked first, as Linux does */
    GUEST_PATH(path, 1);
    void *buf;
    int err = host_buffer(p, a[2], a[3], &buf);
    if (err)
        return err;
    if (strcmp(path, "/proc/self/exe") == 0 && p->exe_path) {
        char resolved[PATH_MAX];
        if (!realpath(p->exe_path, resolved))
            return -errno;
        size_t len = strlen(resolved);
        if (len > a[3])
            len = a[3];
        return guest_copy_to(&p->mem, a[2], resolved, len) ? -EFAULT : (int64_t)len;
    }
    return host(syscall(SYS_readlinkat, (int)a[0], path, buf, (size_t)a[3]));
}

static int64_t sys_faccessat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(syscall(SYS_faccessat, (int)a[0], path, (int)a[2]));
}

static int64_t sys_faccessat2(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(syscall(SYS_faccessat2, (int)a[0], path, (int)a[2], (int)a[3]));
}

static int64_t sys_utimensat(struct user_process *p, const uint64_t a[6])
{
    const char *path = NULL;
    int err = 0;
    if (a[1]) {
        path = guest_string(&p->mem, a[1], GUEST_PATH_MAX, &err);
        if (!path)
            return err;
    }
    const void *times = NULL;
    if (a[2]) {
        times = guest_ptr(&p->mem, a[2], 32, GUEST_PROT_READ);
        if (!times)
            return -EFAULT;
    }
    return host(syscall(SYS_utimensat, (int)a[0], path, times, (int)a[3]));
}

/* ---- directories and names ----------------------------------------------------------- */
static int64_t sys_getcwd(struct user_process *p, const uint64_t a[6])
{
    void *buf;
    int err = host_buffer(p, a[0], a[1], &buf);
    return err ? err : host(syscall(SYS_getcwd, buf, (size_t)a[1]));
}

static int64_t sys_chdir(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 0);
    return host(chdir(path));
}

static int64_t sys_fchdir(struct user_process *p, const uint64_t a[6])
{
    return host(fchdir((int)a[0]));
}

static int64_t sys_mkdirat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(mkdirat((int)a[0], path, (mode_t)a[2]));
}

static int64_t sys_mknodat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(mknodat((int)a[0], path, (mode_t)a[2], (dev_t)a[3]));
}

static int64_t sys_unlinkat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(unlinkat((int)a[0], path, (int)a[2]));
}

static int64_t sys_symlinkat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(target, 0);
    GUEST_PATH(path, 2);
    return host(symlinkat(target, (int)a[1], path));
}

static int64_t sys_linkat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(old_path, 1);
    GUEST_PATH(new_path, 3);
    return host(linkat((int)a[0], old_path, (int)a[2], new_path, (int)a[4]));
}

static int64_t sys_renameat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(old_path, 1);
    GUEST_PATH(new_path, 3);
    return host(syscall(SYS_renameat2, (int)a[0], old_path, (int)a[2], new_path, 0));
}

static int64_t sys_renameat2(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(old_path, 1);
    GUEST_PATH(new_path, 3);
    return host(syscall(SYS_renameat2, (int)a[0], old_path, (int)a[2], new_path, (unsigned)a[4]));
}

static int64_t sys_fchmodat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(syscall(SYS_fchmodat, (int)a[0], path, (mode_t)a[2]));
}

static int64_t sys_fchownat(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 1);
    return host(syscall(SYS_fchownat, (int)a[0], path, (uid_t)a[2], (gid_t)a[3], (int)a[4]));
}

static int64_t sys_truncate(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(path, 0);
    return host(truncate(path, (off_t)a[1]));
}

/* Syscalls whose arguments are all plain integers: passed through unchanged. */
static int64_t sys_fd_integers(long host_nr, const uint64_t a[6])
{
    return host(syscall(host_nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}
#define INTEGER_SYSCALL(name, host_nr) \
    static int64_t name(struct user_process *p, const uint64_t a[6]) { return sys_fd_integers(host_nr, a); }
INTEGER_SYSCALL(sys_ftruncate, SYS_ftruncate)
INTEGER_SYSCALL(sys_fallocate, SYS_fallocate)
INTEGER_SYSCALL(sys_fsync, SYS_fsync)
INTEGER_SYSCALL(sys_fdatasync, SYS_fdatasync)
INTEGER_SYSCALL(sys_sync, SYS_sync)
INTEGER_SYSCALL(sys_fchmod, SYS_fchmod)
INTEGER_SYSCALL(sys_fchown, SYS_fchown)
INTEGER_SYSCALL(sys_flock, SYS_flock)
INTEGER_SYSCALL(sys_fadvise64, SYS_fadvise64)
INTEGER_SYSCALL(sys_close_range, SYS_close_range)

static int64_t sys_sendfile(struct user_process *p, const uint64_t a[6])
{
    void *offset = NULL;
    if (a[2] && !(offset = guest_ptr(&p->mem, a[2], 8, GUEST_PROT_READ | GUEST_PROT_WRITE)))
        return -EFAULT;
    return host(syscall(SYS_sendfile, (int)a[0], (int)a[1], offset, (size_t)a[3]));
}

static int64_t sys_ppoll(struct user_process *p, const uint64_t a[6])
{
    uint64_t nfds = a[1];
    if (nfds > 65536)
        return -EINVAL;
    void *fds = NULL;
    if (nfds && !(fds = guest_ptr(&p->mem, a[0], nfds * sizeof(struct pollfd),
                                  GUEST_PROT_READ | GUEST_PROT_WRITE)))
        return -EFAULT;
    void *timeout = NULL;
    if (a[2] && !(timeout = guest_ptr(&p->mem, a[2], 16, GUEST_PROT_READ | GUEST_PROT_WRITE)))
        return -EFAULT;
    /* The guest's signal mask is emulated; host signals are not redirected. */
    return host(syscall(SYS_ppoll, fds, (nfds_t)nfds, timeout, NULL, 8));
}

static int64_t sys_pselect6(struct user_process *p, const uint64_t a[6])
{
    int nfds = (int)a[0];
    if (nfds < 0 || nfds > 1024)
        return -EINVAL;
    uint64_t set_bytes = (uint64_t)((nfds + 63) / 64) * 8;
    void *sets[3] = { NULL, NULL, NULL };
    for (int i = 0; i < 3; i++)
        if (a[1 + i] && !(sets[i] = guest_ptr(&p->mem, a[1 + i], set_bytes,
                                               GUEST_PROT_READ | GUEST_PROT_WRITE)))
            return -EFAULT;
    void *timeout = NULL;
    if (a[4] && !(timeout = guest_ptr(&p->mem, a[4], 16, GUEST_PROT_READ | GUEST_PROT_WRITE)))
        return -EFAULT;
    return host(syscall(SYS_pselect6, nfds, sets[0], sets[1], sets[2], timeout, NULL));
}

static int64_t sys_memfd_create(struct user_process *p, const uint64_t a[6])
{
    GUEST_PATH(name, 0);
    return host(syscall(SYS_memfd_create, name, (unsigned)a[1]));
}

static int64_t sys_umask(struct user_process *p, const uint64_t a[6])
{
    return (int64_t)umask((mode_t)a[0]);
}

user_syscall_fn user_syscall_file(uint64_t nr)
{
    switch (nr) {
    case A64_NR_openat: return sys_openat;
    case A64_NR_close: return sys_close;
    case A64_NR_read: return sys_read;
    case A64_NR_write: return sys_write;
    case A64_NR_pread64: return sys_pread64;
    case A64_NR_pwrite64: return sys_pwrite64;
    case A64_NR_readv: return sys_readv;
    case A64_NR_writev: return sys_writev;
    case A64_NR_lseek: return sys_lseek;
    case A64_NR_dup: return sys_dup;
    case A64_NR_dup3: return sys_dup3;
    case A64_NR_pipe2: return sys_pipe2;
    case A64_NR_fcntl: return sys_fcntl;
    case A64_NR_ioctl: return sys_ioctl;
    case A64_NR_getdents64: return sys_getdents64;
    case A64_NR_newfstatat: return sys_newfstatat;
    case A64_NR_fstat: return sys_fstat;
    case A64_NR_statx: return sys_statx;
    case A64_NR_statfs: return sys_statfs;
    case A64_NR_fstatfs: return sys_fstatfs;
    case A64_NR_readlinkat: return sys_readlinkat;
    case A64_NR_faccessat: return sys_faccessat;
    case A64_NR_faccessat2: return sys_faccessat2;
    case A64_NR_utimensat: return sys_utimensat;
    case A64_NR_getcwd: return sys_getcwd;
    case A64_NR_chdir: return sys_chdir;
    case A64_NR_fchdir: return sys_fchdir;
    case A64_NR_mkdirat: return sys_mkdirat;
    case A64_NR_mknodat: return sys_mknodat;
    case A64_NR_unlinkat: return sys_unlinkat;
    case A64_NR_symlinkat: return sys_symlinkat;
    case A64_NR_linkat: return sys_linkat;
    case A64_NR_renameat: return sys_renameat;
    case A64_NR_renameat2: return sys_renameat2;
    case A64_NR_fchmodat: return sys_fchmodat;
    case A64_NR_fchownat: return sys_fchownat;
    case A64_NR_truncate: return sys_truncate;
    case A64_NR_ftruncate: return sys_ftruncate;
    case A64_NR_fallocate: return sys_fallocate;
    case A64_NR_fsync: return sys_fsync;
    case A64_NR_fdatasync: return sys_fdatasync;
    case A64_NR_sync: return sys_sync;
    case A64_NR_fchmod: return sys_fchmod;
    case A64_NR_fchown: return sys_fchown;
    case A64_NR_flock: return sys_flock;
    case A64_NR_fadvise64: return sys_fadvise64;
    case A64_NR_close_range: return sys_close_range;
    case A64_NR_sendfile: return sys_sendfile;
    case A64_NR_ppoll: return sys_ppoll;
    case A64_NR_pselect6: return sys_pselect6;
    case A64_NR_memfd_create: return sys_memfd_create;
    case A64_NR_umask: return sys_umask;
    default: return NULL;
    }
}
