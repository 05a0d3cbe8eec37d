/* The fatal report path: fill ferry_shared.fatal (registers, a frame-pointer backtrace,
 * a message), flush the console and stop the VM with FERRY_HC_FATAL. Used for
 * unexpected exceptions and for fy_panic. Re-entry (a fault while reporting) is
 * detected and ends with a minimal report instead of looping. */
#ifndef ENGINE_FATAL_H
#define ENGINE_FATAL_H

#include <stdarg.h>
#include <stdint.h>
#include "exceptions.h"

_Noreturn void fatal_exception(const struct exception_frame *frame, uint64_t fault_address,
                               const char *what);

/* rip/rbp/rsp: where the panic was raised (the caller of fy_panic). */
_Noreturn void fatal_panicv(uint64_t rip, uint64_t rbp, uint64_t rsp, const char *fmt, va_list ap);

/* Return addresses along the frame-pointer chain starting at `rbp`, innermost first.
 * Every frame pointer is checked to lie inside an engine stack (and the chain to grow
 * towards the stack top) before it is read, so a corrupt chain ends the walk instead of
 * faulting. Returns the number stored (at most `max`). */
uint32_t fatal_backtrace(uint64_t rbp, uint64_t *out, uint32_t max);

/* For `selftest --crash=nested`: the next fatal report faults while being written, to
 * show that the re-entry guard ends it with a minimal report instead of a loop. */
void fatal_inject_nested_fault(void);
/* Where the guest's PC lives once a guest runs: fatal reports quote it. */
void fatal_set_guest_pc(const volatile uint64_t *pc);

#endif
