/* x86 exception handling: the saved-register frame that exception_entry.S builds, and
 * the dispatcher that services lazy-region page faults and reports everything else as
 * fatal. */
#ifndef ENGINE_EXCEPTIONS_H
#define ENGINE_EXCEPTIONS_H

#include <stdint.h>

/* In memory order, lowest address first: the registers pushed by exception_common
 * (last pushed first), then what the stub pushed, then the CPU's interrupt frame. */
struct exception_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct exception_frame) == 22 * 8, "frame matches exception_entry.S");

#define EXC_PAGE_FAULT 14
/* Page-fault error code bits. */
#define PF_ERR_PRESENT 0x1
#define PF_ERR_WRITE   0x2
#define PF_ERR_FETCH   0x10

void exception_dispatch(struct exception_frame *frame);

/* Counters for the selftest and later statistics. */
struct exception_counters {
    uint64_t lazy_faults;      /* lazy-region pages mapped on demand */
    uint64_t spurious_faults;  /* faults on already-mapped lazy pages (stale TLB) */
};
extern struct exception_counters exception_counters;

#endif
