/* Syscall dispatch: finds the handler for a number in the per-area tables, logs
 * with --strace, and answers -ENOSYS for everything not emulated. */
#include "hypervisor/user/syscalls.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

int64_t user_host_result(long r)
{
    return r < 0 ? -(int64_t)errno : (int64_t)r;
}

const char *user_syscall_name(uint64_t nr)
{
    switch (nr) {
#define NAME_CASE(number, name) case number: return #name;
    A64_SYSCALL_LIST(NAME_CASE)
#undef NAME_CASE
    default: return NULL;
    }
}

int64_t user_syscall(struct user_process *p, uint64_t nr, const uint64_t a[6])
{
    user_syscall_fn fn = user_syscall_file(nr);
    if (!fn) fn = user_syscall_memory(nr);
    if (!fn) fn = user_syscall_system(nr);
    if (!fn) fn = user_syscall_signal(nr);
    int64_t result = fn ? fn(p, a) : -ENOSYS;
    if (p->strace) {
        const char *name = user_syscall_name(nr);
        if (name)
            fprintf(stderr, "ferry strace: %s(", name);
        else
            fprintf(stderr, "ferry strace: syscall_%" PRIu64 "(", nr);
        fprintf(stderr, "0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ") = %" PRId64 "%s\n",
                a[0], a[1], a[2], a[3], result, fn ? "" : " (not emulated)");
    }
    return result;
}
