/* Guest instruction fetch through the hosted memory model (struct jit_memory), shared
 * by the block translator and the interpreter loop: bounds-checked, never reads
 * outside [host_base, host_base + guest_limit). */
#ifndef FERRY_ARCH_A64_FETCH_H
#define FERRY_ARCH_A64_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include "ferry/support.h"
#include "jit/jit.h"

/* False when pc is misaligned or the 4 bytes at pc lie outside guest memory. */
static inline bool a64_fetch(const struct jit_memory *m, uint64_t pc, uint32_t *insn)
{
    if ((pc & 3) != 0 || m->guest_limit < 4 || pc > m->guest_limit - 4)
        return false;
    uint32_t v;
    memcpy(&v, m->host_base + pc, sizeof(v));   /* host and guest are little-endian */
    *insn = v;
    return true;
}

#endif
