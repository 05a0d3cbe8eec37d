/* A deterministic synthetic instruction stream shaped like compiled loops, for the
 * trace tests and the writer benchmark: a few hundred PCs in basic blocks that loop a
 * few to a few dozen times, ~30% memory instructions (strided addresses, a mix of small
 * and full-width values), 1-2 register writes per instruction, some NZCV and vector
 * writes, and optionally an exception now and then. Header-only (static functions). */
#ifndef FERRY_TRACE_SYNTH_H
#define FERRY_TRACE_SYNTH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hypervisor/trace/trace_writer.h"

#define SYNTH_BLOCKS 48
#define SYNTH_BASE 0x400000ull

struct synth {
    uint64_t seq;
    uint64_t x[32];
    uint64_t v_lo[32], v_hi[32];
    unsigned block, insn, trip;
    uint64_t iter;              /* iterations of the current block so far */
    uint64_t pass;              /* passes over the whole program */
    uint64_t block_pc[SYNTH_BLOCKS];
    unsigned block_len[SYNTH_BLOCKS], block_trips[SYNTH_BLOCKS];
    uint64_t exc_every;         /* 0: never */
    struct trace_reg_write regs[2];
    struct trace_mem_access mem[2];
};

static inline uint64_t synth_hash(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    v *= 0xc4ceb9fe1a85ec53ull;
    v ^= v >> 33;
    return v;
}

static inline void synth_init(struct synth *s, uint64_t exc_every)
{
    memset(s, 0, sizeof *s);
    uint64_t pc = SYNTH_BASE;
    for (unsigned b = 0; b < SYNTH_BLOCKS; b++) {
        s->block_pc[b] = pc;
        s->block_len[b] = 4 + (unsigned)(synth_hash(b) % 9);
        s->block_trips[b] = 1 + (unsigned)(synth_hash(b + 100) % 40);
        pc += 4 * s->block_len[b] + (synth_hash(b + 200) % 3 == 0 ? 0x40 : 0);
    }
    for (unsigned i = 0; i < 32; i++)
        s->x[i] = synth_hash(i + 1000) & 0xffff;
    s->exc_every = exc_every;
}

/* The next instruction; out's arrays point into s. */
static inline void synth_next(struct synth *s, struct trace_insn *out)
{
    unsigned b = s->block, i = s->insn;
    uint64_t pc = s->block_pc[b] + 4ull * i;
    uint64_t h = synth_hash(pc);
    unsigned kind = (unsigned)(h % 100);
    bool last = i + 1 == s->block_len[b];
    memset(out, 0, sizeof *out);
    out->seq = s->seq++;
    out->pc = pc;
    out->el = 0;
    out->has_values = true;
    out->regs = s->regs;
    out->mem = s->mem;
    unsigned rd = (unsigned)(h >> 8) % 29, rn = (unsigned)(h >> 16) % 29;
    uint64_t base = 0x10000000ull + ((h >> 24) % 64) * 0x1000000 + s->pass * 0x400;
    if (last) {
        out->encoding = 0x54000001u | (uint32_t)((h >> 32) & 0xffffe0);  /* b.cond */
    } else if (kind < 20) {                                           /* load */
        uint64_t va = base + s->iter * 8;
        uint64_t val = synth_hash(va);
        if (h & (1ull << 40))
            val &= 0xff;
        out->encoding = 0xf9400000u | rd | (rn << 5);
        s->x[rd] = val;
        s->regs[0] = (struct trace_reg_write){.id = (uint16_t)rd, .lo = val};
        s->mem[0] = (struct trace_mem_access){.va = va, .size = 8, .has_value = true, .lo = val};
        out->n_regs = 1;
        out->n_mem = 1;
    } else if (kind < 27) {                                           /* store */
        uint64_t va = base + 0x8000 + s->iter * 8;
        out->encoding = 0xf9000000u | rd | (rn << 5);
        s->mem[0] = (struct trace_mem_access){.va = va, .size = 8, .store = true,
                                               .has_value = true, .lo = s->x[rd]};
        out->n_mem = 1;
    } else if (kind < 30) {                                           /* ldp */
        uint64_t va = base + s->iter * 16;
        unsigned rt2 = (rd + 1) % 29;
        uint64_t v0 = synth_hash(va) & 0xffffffff, v1 = synth_hash(va + 8);
        out->encoding = 0xa9400000u | rd | (rn << 5) | (rt2 << 10);
        s->x[rd] = v0;
        s->x[rt2] = v1;
        s->regs[0] = (struct trace_reg_write){.id = (uint16_t)rd, .lo = v0};
        s->regs[1] = (struct trace_reg_write){.id = (uint16_t)rt2, .lo = v1};
        s->mem[0] = (struct trace_mem_access){.va = va, .size = 8, .has_value = true, .lo = v0};
        s->mem[1] = (struct trace_mem_access){.va = va + 8, .size = 8, .has_value = true, .lo = v1};
        out->n_regs = 2;
        out->n_mem = 2;
    } else if (kind < 34) {                                           /* vector op */
        unsigned vd = rd;
        s->v_lo[vd] = s->v_lo[vd] * 3 + s->iter;
        s->v_hi[vd] ^= s->iter << 3;
        out->encoding = 0x4e208400u | vd | (rn << 5);
        s->regs[0] = (struct trace_reg_write){.id = (uint16_t)(TRACE_REG_V0 + vd),
                                               .lo = s->v_lo[vd], .hi = s->v_hi[vd]};
        out->n_regs = 1;
    } else {                                                          /* ALU */
        uint64_t imm = (h >> 40) & 0xfff;
        uint64_t val = s->x[rn] + imm;
        if (kind < 50)
            val = s->x[rd] + 1;                                       /* counters */
        out->encoding = 0x91000000u | rd | (rn << 5) | (uint32_t)(imm << 10);
        s->x[rd] = val;
        s->regs[0] = (struct trace_reg_write){.id = (uint16_t)rd, .lo = val};
        out->n_regs = 1;
        if (kind >= 90) {                                             /* adds: NZCV too */
            s->regs[1] = (struct trace_reg_write){.id = TRACE_REG_NZCV,
                                                   .lo = (val == 0 ? 0x40000000ull : 0) |
                                                         (val >> 63 << 31)};
            out->n_regs = 2;
        }
    }
    if (s->exc_every && out->seq % s->exc_every == s->exc_every - 1) {
        out->has_exception = true;
        out->exc = (struct trace_exception){.ec = 0x15, .esr = 0x56000000, .far = 0,
                                            .target_pc = pc + 4, .target_el = 1};
    }
    /* Control flow: loop the block, then fall through to the next (wrapping). */
    if (last) {
        s->insn = 0;
        if (++s->iter >= s->block_trips[b]) {
            s->iter = 0;
            s->block = (b + 1) % SYNTH_BLOCKS;
            if (s->block == 0)
                s->pass++;
        }
    } else {
        s->insn++;
    }
}

#endif
