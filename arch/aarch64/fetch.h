/* Guest instruction fetch through the hosted memory model (struct jit_memory), shared
 * by the block translator and the interpreter loop: bounds-checked, never reads
 * outside [host_base, host_base + guest_limit). */
#ifndef FERRY_ARCH_A64_FETCH_H
#define FERRY_ARCH_A64_FETCH_H

#include <stdbool.h>
#include <stdint.h>
#include "ferry/support.h"
#include "jit/jit.h"

/* False when pc is misaligned, the 4 bytes at pc lie outside guest memory, or the
 * memory's may_execute refuses them (no execute permission). */
static inline bool a64_fetch(const struct jit_memory *m, uint64_t pc, uint32_t *insn)
{
    if (m->system)
        return (pc & 3) == 0 && m->system->fetch(m->system->ctx, pc, insn, NULL);
    const uint8_t *h = (pc & 3) == 0 ? jit_memory_host(m, pc, 4) : NULL;
    if (!h || (m->may_execute && !m->may_execute(m->may_execute_ctx, pc)))
        return false;
    uint32_t v;
    memcpy(&v, h, sizeof(v));   /* host and guest are little-endian */
    *insn = v;
    return true;
}

/* The same, with the physical address in *pa when the memory has one (the system
 * model: *has_pa set); the flat model has none. */
static inline bool a64_fetch_pa(const struct jit_memory *m, uint64_t pc, uint32_t *insn, uint64_t *pa, bool *has_pa)
{
    *has_pa = m->system != NULL;
    if (m->system)
        return (pc & 3) == 0 && m->system->fetch(m->system->ctx, pc, insn, pa);
    return a64_fetch(m, pc, insn);
}

#endif
