/* Signal syscalls: the guest's dispositions, mask and alternate stack are emulated
 * (host signal handling stays the runner's); a signal a guest sends to itself is
 * queued and delivered by the main loop after the syscall returns. */
#include "hypervisor/user/syscalls.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#define A64_SIGKILL 9
#define A64_SIGSTOP 19
#define A64_SIG_BLOCK   0
#define A64_SIG_UNBLOCK 1
#define A64_SIG_SETMASK 2
#define UNBLOCKABLE ((1ull << (A64_SIGKILL - 1)) | (1ull << (A64_SIGSTOP - 1)))

static int64_t host(long r) { return user_host_result(r); }

static int64_t sys_rt_sigaction(struct user_process *p, const uint64_t a[6])
{
    int sig = (int)a[0];
    if (a[3] != 8 || sig < 1 || sig > A64_NSIG)
        return -EINVAL;
    struct a64_sigaction new_action;
    if (a[1]) {
        if (sig == A64_SIGKILL || sig == A64_SIGSTOP)
            return -EINVAL;
        if (guest_copy_from(&p->mem, &new_action, a[1], sizeof(new_action)))
            return -EFAULT;
    }
    if (a[2] && guest_copy_to(&p->mem, a[2], &p->signals.action[sig], sizeof(new_action)))
        return -EFAULT;
    if (a[1]) {
        new_action.mask &= ~UNBLOCKABLE;
        p->signals.action[sig] = new_action;
    }
    return 0;
}

static int64_t sys_rt_sigprocmask(struct user_process *p, const uint64_t a[6])
{
    if (a[3] != 8)
        return -EINVAL;
    uint64_t set = 0, old = p->signals.blocked;
    if (a[1] && guest_copy_from(&p->mem, &set, a[1], 8))
        return -EFAULT;
    if (a[1]) {
        switch (a[0]) {
        case A64_SIG_BLOCK: p->signals.blocked |= set; break;
        case A64_SIG_UNBLOCK: p->signals.blocked &= ~set; break;
        case A64_SIG_SETMASK: p->signals.blocked = set; break;
        default: return -EINVAL;
        }
        p->signals.blocked &= ~UNBLOCKABLE;
    }
    if (a[2] && guest_copy_to(&p->mem, a[2], &old, 8))
        return -EFAULT;
    return 0;
}

static int64_t sys_rt_sigpending(struct user_process *p, const uint64_t a[6])
{
    if (a[1] != 8)
        return -EINVAL;
    uint64_t pending = p->signals.pending & p->signals.blocked;
    return guest_copy_to(&p->mem, a[0], &pending, 8);
}

static int64_t sys_sigaltstack(struct user_process *p, const uint64_t a[6])
{
    struct a64_stack old = p->signals.altstack;
    if (old.ss_size == 0)
        old.ss_flags = A64_SS_DISABLE;
    if (a[0]) {
        struct a64_stack ss;
        if (guest_copy_from(&p->mem, &ss, a[0], sizeof(ss)))
            return -EFAULT;
        if (ss.ss_flags & ~A64_SS_DISABLE)
            return -EINVAL;
        if (ss.ss_flags & A64_SS_DISABLE) {
            ss.ss_sp = 0;
            ss.ss_size = 0;
        } else if (ss.ss_size < 5120) { /* arm64 MINSIGSTKSZ */
            return -ENOMEM;
        }
        p->signals.altstack = ss;
    }
    if (a[1] && guest_copy_to(&p->mem, a[1], &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

static bool is_self(pid_t pid)
{
    return pid == getpid();
}

static int64_t sys_kill(struct user_process *p, const uint64_t a[6])
{
    pid_t pid = (pid_t)a[0];
    int sig = (int)a[1];
    if (sig < 0 || sig > A64_NSIG)
        return -EINVAL;
    if (is_self(pid) || pid == 0) {
        user_signal_raise(p, sig);
        return 0;
    }
    return host(kill(pid, sig));
}

static int64_t sys_tgkill(struct user_process *p, const uint64_t a[6])
{
    int sig = (int)a[2];
    if (sig < 0 || sig > A64_NSIG || (pid_t)a[0] <= 0 || (pid_t)a[1] <= 0)
        return -EINVAL;
    if (is_self((pid_t)a[0]) && (pid_t)a[1] == (pid_t)syscall(SYS_gettid)) {
        user_signal_raise(p, sig);
        return 0;
    }
    return host(syscall(SYS_tgkill, (pid_t)a[0], (pid_t)a[1], sig));
}

static int64_t sys_tkill(struct user_process *p, const uint64_t a[6])
{
    int sig = (int)a[1];
    if (sig < 0 || sig > A64_NSIG || (pid_t)a[0] <= 0)
        return -EINVAL;
    if ((pid_t)a[0] == (pid_t)syscall(SYS_gettid)) {
        user_signal_raise(p, sig);
        return 0;
    }
    return host(syscall(SYS_tkill, (pid_t)a[0], sig));
}

user_syscall_fn user_syscall_signal(uint64_t nr)
{
    switch (nr) {
    case A64_NR_rt_sigaction: return sys_rt_sigaction;
    case A64_NR_rt_sigprocmask: return sys_rt_sigprocmask;
    case A64_NR_rt_sigpending: return sys_rt_sigpending;
    case A64_NR_sigaltstack: return sys_sigaltstack;
    case A64_NR_kill: return sys_kill;
    case A64_NR_tgkill: return sys_tgkill;
    case A64_NR_tkill: return sys_tkill;
    default: return NULL;
    }
}
