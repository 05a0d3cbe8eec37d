/* The emulated Linux process of the user-mode runner: its address space, heap,
 * stack, signal state and exit status. Shared by the loader, syscall emulation,
 * signal delivery and the main loop; contains nothing specific to a CPU model so the
 * syscall layer can be tested without the translator. */
#ifndef FERRY_USER_PROCESS_H
#define FERRY_USER_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "hypervisor/user/guest_memory.h"
#include "hypervisor/user/linux_abi.h"

#define USER_STACK_SIZE (8ull << 20)   /* RLIMIT_STACK's usual 8 MiB */
#define USER_STACK_GAP  (1ull << 20)   /* unmapped guard between mmap area and stack */

struct guest_signals {
    struct a64_sigaction action[A64_NSIG + 1]; /* indexed by signal number */
    uint64_t blocked;                          /* bit (sig - 1) */
    uint64_t pending;                          /* raised, not yet delivered */
    struct a64_stack altstack;
};

struct user_process {
    struct guest_memory mem;
    uint64_t brk_start, brk_current;
    uint64_t stack_bottom, stack_top;
    uint64_t sigreturn_trampoline;  /* guest address of "mov x8, #139; svc #0" */
    struct guest_signals signals;
    uint64_t clear_child_tid;       /* set_tid_address */
    const char *exe_path;           /* host path of the guest program (/proc/self/exe) */
    int host_pid;
    bool strace;
    bool exited;                    /* exit/exit_group ran */
    int exit_status;
    /* Set by clone emulation in the child when the guest asked for a new stack. */
    bool child_set_sp;
    uint64_t child_sp;
    /* For execve: re-run the runner itself on the new program. */
    char **runner_argv_prefix;      /* "ferry", "user", options..., NULL */
    /* --seed: AT_RANDOM and getrandom come from this generator instead of the host's
     * (reproducible runs, as qemu-aarch64 -seed), when seeded. */
    bool seeded;
    uint64_t random_state;
    /* The runner's hooks around process changes (NULL: none): before execve replaces
     * the runner, and in a forked child (the instruction trace ends or stops there). */
    void (*before_exec)(void);
    void (*in_forked_child)(void);
};

/* The next bytes of the seeded generator (splitmix64). */
static inline void user_random_fill(struct user_process *p, void *buf, size_t n)
{
    unsigned char *out = buf;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t z = (p->random_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        for (size_t k = 0; k < 8 && i + k < n; k++) out[i + k] = (unsigned char)(z >> (8 * k));
    }
}

/* Marks sig pending for the guest (kill/tgkill to itself, raise). */
static inline void user_signal_raise(struct user_process *p, int sig)
{
    if (sig >= 1 && sig <= A64_NSIG)
        p->signals.pending |= 1ull << (sig - 1);
}

#endif
