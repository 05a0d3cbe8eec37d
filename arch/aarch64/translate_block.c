/* a64_translate_block: the jit_translate_fn of the AArch64 front end. Fills one IR
 * block with guest instructions from pc until a block-ending instruction, the
 * instruction limit or the end of the 4 KiB guest page (blocks never cross pages, so
 * invalidation of code pages is per page). */
#include "arch/aarch64/a64.h"
#include "arch/aarch64/fetch.h"
#include "arch/aarch64/gen_api.h"

/* Long enough to amortise block entry and register write-back, short enough to keep
 * translation latency and the size of discarded blocks small. */
#define A64_MAX_BLOCK_INSNS 200
#define A64_PAGE_MASK       0xfffull

uint64_t a64_modes_key(void *ctx, const void *state)
{
    (void)ctx;
    const struct a64_state *s = state;
    return (uint64_t)(s->EL & 3) | (uint64_t)(s->SYS & 1) << 2 | (uint64_t)(s->SPA & 1) << 3;
}

struct a64_modes a64_modes_of_key(uint64_t key)
{
    return (struct a64_modes){ .EL = (uint8_t)(key & 3), .SYS = (uint8_t)((key >> 2) & 1),
                               .SPA = (uint8_t)((key >> 3) & 1) };
}

int a64_el_of_modes_key(uint64_t key) { return a64_modes_of_key(key).EL; }

struct jit_flags a64_jit_flags(void)
{
    return (struct jit_flags){ .present = true,
                               .offset = { offsetof(struct a64_state, N), offsetof(struct a64_state, Z),
                                           offsetof(struct a64_state, C), offsetof(struct a64_state, V) } };
}

bool a64_translate_block(void *ctx, ir_block *b, uint64_t pc, uint64_t modes_key)
{
    const struct jit_memory *m = ctx;
    const struct a64_modes modes = a64_modes_of_key(modes_key);
    if (modes.SYS && modes.EL == 0) ir_block_set_mem_flags(b, IR_MEM_UNPRIV);   /* EL0's permissions */
    ir_set_pc_offset(b, A64_PC_OFFSET);
    for (unsigned n = 0;; n++) {
        uint32_t insn;
        uint64_t pa;
        bool has_pa;
        if (!a64_fetch_pa(m, pc, &insn, &pa, &has_pa)) {
            /* A later instruction that cannot be fetched becomes the first of the
             * next block, which then reports the fault precisely. */
            if (n == 0)
                ir_exit_special(b, IR_EXIT_FETCH_ABORT, pc, pc);
            else
                ir_exit_direct(b, pc);
            return true;
        }
        /* a block stays in one page: its instructions are physically contiguous */
        if (n == 0 && has_pa) ir_block_set_trace_pa(b, pa);
        ir_insn_start(b, pc, insn);
        if (a64_translate_insn(b, insn, pc, &modes))
            return true;
        pc += 4;
        if (n + 1 >= A64_MAX_BLOCK_INSNS || (pc & A64_PAGE_MASK) == 0) {
            ir_exit_direct(b, pc);
            return true;
        }
    }
}
