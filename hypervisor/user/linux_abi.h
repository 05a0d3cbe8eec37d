/* The AArch64 Linux user ABI as the runner needs it: syscall numbers (the arm64
 * generic table), and the constants and struct layouts that differ from the x86-64
 * host's (open flags, struct stat, signal frames). Values are facts of the Linux
 * arm64 ABI; they are spelled out here so the runner never depends on which
 * architecture's kernel headers the host happens to have. */
#ifndef FERRY_USER_LINUX_ABI_H
#define FERRY_USER_LINUX_ABI_H

#include <stdint.h>

/* X(number, name) for every syscall the runner knows by name (emulated or not). */
#define A64_SYSCALL_LIST(X) \
    X(17, getcwd) \
    X(22, epoll_pwait) \
    X(23, dup) \
    X(24, dup3) \
    X(25, fcntl) \
    X(29, ioctl) \
    X(32, flock) \
    X(33, mknodat) \
    X(34, mkdirat) \
    X(35, unlinkat) \
    X(36, symlinkat) \
    X(37, linkat) \
    X(38, renameat) \
    X(43, statfs) \
    X(44, fstatfs) \
    X(45, truncate) \
    X(46, ftruncate) \
    X(47, fallocate) \
    X(48, faccessat) \
    X(49, chdir) \
    X(50, fchdir) \
    X(52, fchmod) \
    X(53, fchmodat) \
    X(54, fchownat) \
    X(55, fchown) \
    X(56, openat) \
    X(57, close) \
    X(59, pipe2) \
    X(61, getdents64) \
    X(62, lseek) \
    X(63, read) \
    X(64, write) \
    X(65, readv) \
    X(66, writev) \
    X(67, pread64) \
    X(68, pwrite64) \
    X(69, preadv) \
    X(70, pwritev) \
    X(71, sendfile) \
    X(72, pselect6) \
    X(73, ppoll) \
    X(78, readlinkat) \
    X(79, newfstatat) \
    X(80, fstat) \
    X(81, sync) \
    X(82, fsync) \
    X(83, fdatasync) \
    X(88, utimensat) \
    X(93, exit) \
    X(94, exit_group) \
    X(96, set_tid_address) \
    X(98, futex) \
    X(99, set_robust_list) \
    X(100, get_robust_list) \
    X(101, nanosleep) \
    X(102, getitimer) \
    X(103, setitimer) \
    X(113, clock_gettime) \
    X(114, clock_getres) \
    X(115, clock_nanosleep) \
    X(122, sched_setaffinity) \
    X(123, sched_getaffinity) \
    X(124, sched_yield) \
    X(129, kill) \
    X(130, tkill) \
    X(131, tgkill) \
    X(132, sigaltstack) \
    X(133, rt_sigsuspend) \
    X(134, rt_sigaction) \
    X(135, rt_sigprocmask) \
    X(136, rt_sigpending) \
    X(139, rt_sigreturn) \
    X(140, setpriority) \
    X(141, getpriority) \
    X(148, getresuid) \
    X(150, getresgid) \
    X(153, times) \
    X(154, setpgid) \
    X(155, getpgid) \
    X(156, getsid) \
    X(157, setsid) \
    X(158, getgroups) \
    X(160, uname) \
    X(163, getrlimit) \
    X(164, setrlimit) \
    X(165, getrusage) \
    X(166, umask) \
    X(167, prctl) \
    X(168, getcpu) \
    X(169, gettimeofday) \
    X(172, getpid) \
    X(173, getppid) \
    X(174, getuid) \
    X(175, geteuid) \
    X(176, getgid) \
    X(177, getegid) \
    X(178, gettid) \
    X(179, sysinfo) \
    X(214, brk) \
    X(215, munmap) \
    X(216, mremap) \
    X(220, clone) \
    X(221, execve) \
    X(222, mmap) \
    X(223, fadvise64) \
    X(226, mprotect) \
    X(227, msync) \
    X(228, mlock) \
    X(229, munlock) \
    X(232, mincore) \
    X(233, madvise) \
    X(260, wait4) \
    X(261, prlimit64) \
    X(276, renameat2) \
    X(278, getrandom) \
    X(279, memfd_create) \
    X(291, statx) \
    X(293, rseq) \
    X(435, clone3) \
    X(436, close_range) \
    X(439, faccessat2)

enum a64_syscall_nr {
#define A64_NR_ENUM(nr, name) A64_NR_##name = nr,
    A64_SYSCALL_LIST(A64_NR_ENUM)
#undef A64_NR_ENUM
};

/* open(2) flags where the generic (arm64) values differ from x86-64. */
#define A64_O_DIRECTORY 0040000
#define A64_O_NOFOLLOW  0100000
#define A64_O_DIRECT    0200000
#define A64_O_LARGEFILE 0400000

/* struct stat of the generic syscall ABI (arm64 newfstatat/fstat): 128 bytes. */
struct a64_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint32_t st_mode;
    uint32_t st_nlink;
    uint32_t st_uid;
    uint32_t st_gid;
    uint64_t st_rdev;
    uint64_t pad1;
    int64_t  st_size;
    int32_t  st_blksize;
    int32_t  pad2;
    int64_t  st_blocks;
    int64_t  st_atime_sec;
    uint64_t st_atime_nsec;
    int64_t  st_mtime_sec;
    uint64_t st_mtime_nsec;
    int64_t  st_ctime_sec;
    uint64_t st_ctime_nsec;
    uint32_t unused[2];
};
_Static_assert(sizeof(struct a64_stat) == 128, "arm64 struct stat is 128 bytes");

/* The kernel's struct sigaction for rt_sigaction on arm64. */
struct a64_sigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

struct a64_stack {          /* stack_t */
    uint64_t ss_sp;
    int32_t  ss_flags;
    int32_t  pad;
    uint64_t ss_size;
};

#define A64_SIG_DFL 0
#define A64_SIG_IGN 1
#define A64_SA_SIGINFO   0x00000004u
#define A64_SA_ONSTACK   0x08000000u
#define A64_SA_RESTART   0x10000000u
#define A64_SA_NODEFER   0x40000000u
#define A64_SA_RESETHAND 0x80000000u
#define A64_SA_RESTORER  0x04000000u
#define A64_SS_ONSTACK 1
#define A64_SS_DISABLE 2
#define A64_NSIG 64

/* Signal frame pieces (arch/arm64/include/uapi/asm/sigcontext.h, ucontext.h). */
struct a64_siginfo {
    int32_t signo;
    int32_t error;
    int32_t code;
    int32_t pad;
    uint64_t addr;          /* fault address, or (pid, uid) for kill */
    uint8_t rest[128 - 24];
};
_Static_assert(sizeof(struct a64_siginfo) == 128, "siginfo is 128 bytes");

#define A64_FPSIMD_MAGIC 0x46508001u
#define A64_ESR_MAGIC    0x45535201u   /* fault syndrome record: ignored by rt_sigreturn */
struct a64_fpsimd_context {
    uint32_t magic;
    uint32_t size;
    uint32_t fpsr;
    uint32_t fpcr;
    uint64_t vregs[64];     /* V0..V31 as (lo, hi) pairs */
};
_Static_assert(sizeof(struct a64_fpsimd_context) == 528, "fpsimd_context is 528 bytes");

struct a64_sigcontext {
    uint64_t fault_address;
    uint64_t regs[31];
    uint64_t sp;
    uint64_t pc;
    uint64_t pstate;
    uint8_t reserved[4096] __attribute__((aligned(16)));
};

struct a64_ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct a64_stack uc_stack;
    uint64_t uc_sigmask;
    uint8_t unused[1024 / 8 - sizeof(uint64_t)];
    struct a64_sigcontext uc_mcontext __attribute__((aligned(16)));
};

struct a64_rt_sigframe {
    struct a64_siginfo info;
    struct a64_ucontext uc;
};

/* Auxiliary vector keys. */
#define A64_AT_NULL     0
#define A64_AT_PHDR     3
#define A64_AT_PHENT    4
#define A64_AT_PHNUM    5
#define A64_AT_PAGESZ   6
#define A64_AT_BASE     7
#define A64_AT_FLAGS    8
#define A64_AT_ENTRY    9
#define A64_AT_UID      11
#define A64_AT_EUID     12
#define A64_AT_GID      13
#define A64_AT_EGID     14
#define A64_AT_PLATFORM 15
#define A64_AT_HWCAP    16
#define A64_AT_CLKTCK   17
#define A64_AT_SECURE   23
#define A64_AT_RANDOM   25
#define A64_AT_HWCAP2   26
#define A64_AT_EXECFN   31

#define A64_HWCAP_FP    (1u << 0)
#define A64_HWCAP_ASIMD (1u << 1)
#define A64_HWCAP_CRC32 (1u << 7)
#define A64_HWCAP_CPUID (1u << 11)   /* EL0 may read the ID registers (the kernel emulates MRS) */

#endif
