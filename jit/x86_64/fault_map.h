/* Precise guest state at a host fault inside translated code. For every host
 * instruction range that accesses guest memory, a block's map records the guest PC of
 * its instruction and where each guest register the block had not yet stored lives at
 * that point (a host register, a frame slot, a constant, or a lazy flag to recompute):
 * what the block's fault stub would have stored. jit_restore_state (jit.h) uses it when
 * the host MMU, not a bounds check, catches the access (ferry user's SIGSEGV handler;
 * the engine's x86 page-fault handler). */
#ifndef FERRY_JIT_FAULT_MAP_H
#define FERRY_JIT_FAULT_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include "jit/jit.h"
#include "jit/x86_64/codegen.h"

enum fm_kind { FM_REG = 1, FM_SLOT, FM_IMM };

/* Where one value lives: host register, frame slot (offset from rsp) or constant. */
struct fm_value {
    uint8_t kind;
    uint8_t reg;
    int32_t slot;
    uint64_t imm, imm_hi;      /* FM_IMM; imm_hi: high half of an I128 constant */
};

/* One guest register to store: `bytes` at state offset `state_off`. A lazy flag (lazy
 * != 0) is recomputed from fm_lazy[lazy - 1]. */
struct fm_reg {
    uint32_t state_off;
    uint8_t bytes;
    uint32_t lazy;
    struct fm_value v;
};

/* A lazy flag: flag `flag` (0 N, 1 Z, 2 C, 3 V) of (a + add_a) op (b + add_b), with
 * op and width from `cond` (IR_LAZY_*). */
struct fm_lazy {
    uint8_t cond, flag;
    struct fm_value a, b;
    uint64_t add_a, add_b;
};

struct fm_site {
    uint32_t start, end;       /* host code offsets from the block start */
    uint32_t first_reg, n_regs;
    uint64_t guest_pc;
};

struct fault_map {
    struct fm_site *sites;
    uint32_t n_sites, cap_sites;
    struct fm_reg *regs;
    uint32_t n_regs, cap_regs;
    struct fm_lazy *lazies;
    uint32_t n_lazies, cap_lazies;
};

void fault_map_reset(struct fault_map *fm);
void fault_map_free(struct fault_map *fm);
/* Appends the sites of the block just generated (b after register allocation, the
 * code generator's site list); *first and *count receive its range of sites. */
void fault_map_add(struct fault_map *fm, const ir_block *b, const struct jit_cg *cg, uint32_t *first,
                   uint32_t *count);
/* Restores the state at the site of sites [first, first + count) containing host_off;
 * false when none does. */
bool fault_map_restore(const struct fault_map *fm, uint32_t first, uint32_t count, uint32_t host_off,
                       const struct jit_host_regs *regs, uint8_t *state, uint32_t pc_offset);

#endif
