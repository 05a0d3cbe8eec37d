/* Linux syscall emulation for AArch64 user-mode guests. The entry point takes the
 * syscall number (x8) and arguments (x0..x5) and returns the value for x0 (a
 * negative errno on failure), so it can be tested without a CPU model. Each area's
 * handlers live in their own file; they all share this signature. */
#ifndef FERRY_USER_SYSCALLS_H
#define FERRY_USER_SYSCALLS_H

#include <stdint.h>
#include "hypervisor/user/process.h"

typedef int64_t (*user_syscall_fn)(struct user_process *p, const uint64_t a[6]);

/* Runs syscall nr. rt_sigreturn is not handled here (it needs the CPU state). With
 * p->strace, logs "name(args) = result" to stderr. */
int64_t user_syscall(struct user_process *p, uint64_t nr, const uint64_t a[6]);

/* Name of a syscall for logs, or NULL when unknown. */
const char *user_syscall_name(uint64_t nr);

/* Handlers by area; NULL when the number is not emulated in that area. */
user_syscall_fn user_syscall_file(uint64_t nr);
user_syscall_fn user_syscall_memory(uint64_t nr);
user_syscall_fn user_syscall_system(uint64_t nr);
user_syscall_fn user_syscall_signal(uint64_t nr);

/* Open-flag translation (exported for tests). */
int      user_open_flags_to_host(uint64_t guest_flags);
uint64_t user_open_flags_to_guest(int host_flags);

/* Converts a raw host syscall result (-1 + errno) into -errno. */
int64_t user_host_result(long r);

/* The guest heap (brk); exported for the loader and tests. */
int64_t user_brk(struct user_process *p, uint64_t new_brk);

#endif
