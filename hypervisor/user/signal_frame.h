/* Delivery of guest signals to guest handlers: building the arm64 rt_sigframe on the
 * guest stack exactly as Linux does (siginfo, ucontext with the general registers and
 * an FP/SIMD record, a frame record), and rt_sigreturn. Signals whose disposition is
 * the default end the runner through user_die_with_signal. */
#ifndef FERRY_USER_SIGNAL_FRAME_H
#define FERRY_USER_SIGNAL_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/aarch64/a64.h"
#include "hypervisor/user/process.h"

#define A64_SI_USER   0
#define A64_SI_TKILL  (-6)
#define A64_SEGV_MAPERR 1
#define A64_SEGV_ACCERR 2
#define A64_ILL_ILLOPC  1
#define A64_TRAP_BRKPT  1
#define A64_BUS_ADRALN  1
#define A64_BUS_ADRERR  2

/* Delivers every pending, unblocked signal (after a syscall). */
void user_signals_deliver_pending(struct user_process *p, struct a64_state *s);

/* A signal caused by the instruction at the state's PC (SIGILL, SIGSEGV, SIGTRAP):
 * if the guest handles it, its handler runs next; if it is blocked, ignored or has
 * the default action, the process dies of it (as Linux's force_sig does). */
void user_signal_synchronous(struct user_process *p, struct a64_state *s, int sig, int code,
                             uint64_t addr);

/* rt_sigreturn: restores the state saved by the signal frame at SP. */
void user_sigreturn(struct user_process *p, struct a64_state *s);

#endif
