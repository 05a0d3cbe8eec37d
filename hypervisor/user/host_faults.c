/* Host signal handling of the runner: guest memory faults that surface as host
 * SIGSEGV/SIGBUS (unmapped or protected guest pages touched by translated code, the
 * interpreter or the translator's instruction fetch), and dying of a guest signal. */
#include "hypervisor/user/user_runtime.h"
#include "hypervisor/user/user_trace.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/ucontext.h>
#include <unistd.h>

sigjmp_buf user_fault_env;
volatile sig_atomic_t user_fault_armed;
volatile sig_atomic_t user_fault_precise;
volatile sig_atomic_t user_fault_stepping;
volatile uint64_t user_fault_guest_addr;
volatile int user_fault_host_signal;
volatile sig_atomic_t user_fault_write;

static uint8_t *fault_region_base;
static uint64_t fault_region_size;
static jit *fault_jit;
static void *fault_state;

void user_fault_attach_jit(jit *j, void *state)
{
    fault_jit = j;
    fault_state = state;
}

/* The interrupted host registers in the JIT's numbering (rax rcx rdx rbx rsp rbp rsi
 * rdi r8..r15). */
static void host_regs_of(const ucontext_t *uc, struct jit_host_regs *r)
{
    const greg_t *g = uc->uc_mcontext.gregs;
    static const int order[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                   REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15 };
    for (int i = 0; i < 16; i++) r->gpr[i] = (uint64_t)g[order[i]];
    r->rip = (uint64_t)g[REG_RIP];
}

static void write_stderr(const char *s)
{
    ssize_t ignored = write(2, s, strlen(s));
    (void)ignored;
}

static void on_host_fault(int sig, siginfo_t *si, void *ucontext)
{
    uintptr_t addr = (uintptr_t)si->si_addr;
    uintptr_t base = (uintptr_t)fault_region_base;
    if (user_fault_armed && addr >= base && addr - base < fault_region_size) {
        user_fault_armed = 0;
        user_fault_guest_addr = addr - base;
        user_fault_host_signal = sig;
        /* x86 page-fault error code bit 1: the access was a write */
        user_fault_write = (((const ucontext_t *)ucontext)->uc_mcontext.gregs[REG_ERR] & 2) != 0;
        user_fault_precise = !fault_jit;
        if (fault_jit) {
            struct jit_host_regs regs;
            host_regs_of(ucontext, &regs);
            user_fault_precise = jit_restore_state(fault_jit, fault_state, &regs) || user_fault_stepping;
        user_fault_stepping = 0;
        }
        siglongjmp(user_fault_env, 1);
    }
    /* Not a guest access: a bug in the runner. Say so, then die of it for real. */
    char msg[128];
    snprintf(msg, sizeof(msg), "ferry user: internal error: host %s at address %p\n",
             sig == SIGBUS ? "SIGBUS" : "SIGSEGV", si->si_addr);
    write_stderr(msg);
    signal(sig, SIG_DFL);
}

int user_install_fault_handlers(struct user_process *p)
{
    fault_region_base = p->mem.host_base;
    fault_region_size = p->mem.limit;
    /* Own stack: a guest stack overflow is not a host stack overflow, but a runner
     * bug might be, and its report should still come out. */
    static uint8_t alt_stack[64 * 1024];
    stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof(alt_stack), .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_host_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0 || sigaction(SIGBUS, &sa, NULL) != 0)
        return -1;
    return 0;
}

bool user_signal_default_is_fatal(int sig)
{
    switch (sig) {
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
        return false;
    default:
        return sig >= 1 && sig <= 64;
    }
}

static bool dumps_core(int sig)
{
    switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
        return true;
    default:
        return false;
    }
}

_Noreturn void user_die_with_signal(struct user_process *p, int sig)
{
    (void)p;
    user_trace_close();
    fflush(NULL);
    if (dumps_core(sig))
        fprintf(stderr, "ferry user: uncaught target signal %d (%s) - core dumped\n", sig, strsignal(sig));
    /* The host process dies of the same signal, so a parent sees the same status as
     * with qemu-aarch64 or native execution; no host core file for a guest's crash. */
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    /* Signals whose default action does not kill reach here. */
    _exit(128 + sig);
}
