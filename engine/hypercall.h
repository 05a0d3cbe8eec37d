/* Hypercalls to the host process: one `outl` to FERRY_HC_PORT with the arguments in
 * the shared block (see include/ferry/abi.h). Each one is a full VM exit (~28 us on
 * pv-lite), so callers batch work. */
#ifndef ENGINE_HYPERCALL_H
#define ENGINE_HYPERCALL_H

#include <stdint.h>
#include <ferry/abi.h>

/* The shared area through the direct map. */
static inline struct ferry_shared *shared_area(void)
{
    return (struct ferry_shared *)(uintptr_t)(FERRY_DIRECT_MAP_BASE + FERRY_SHARED_PHYS);
}

int64_t hypercall(enum ferry_hypercall nr, uint64_t arg0, uint64_t arg1);
int64_t hypercall3(enum ferry_hypercall nr, uint64_t arg0, uint64_t arg1, uint64_t arg2);

/* Stops the VM with `status`; never returns. */
_Noreturn void hypercall_exit(uint64_t status);

#endif
