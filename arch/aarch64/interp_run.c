/* a64_interp_run: the reference execution loop over the generated interpreter
 * (a64_interp_insn), with the same exits and memory model as translated code. */
#include "arch/aarch64/a64.h"
#include "arch/aarch64/fetch.h"
#include "arch/aarch64/gen_api.h"

/* Replay-mode items of one instruction at most: its INSN and its loads (LD4 of 64 single
 * bytes is the most), with room to spare. */
enum { REPLAY_INSN_WORDS_MAX = 1024 };

ir_exit_kind a64_interp_run(struct a64_state *s, const struct jit_memory *m,
                            uint64_t *info, uint64_t *insn_budget)
{
    while (*insn_budget > 0) {
        s->PC = jit_memory_untag(m, s->PC);      /* BranchAddr of a tagged target */
        uint32_t insn;
        uint64_t pa = 0;
        bool has_pa;
        if (!a64_fetch_pa(m, s->PC, &insn, &pa, &has_pa)) {
            *info = s->PC;
            return IR_EXIT_FETCH_ABORT;
        }
        if (m->trace && m->trace->mode == JIT_TRACE_REPLAY &&
            m->trace->cursor + REPLAY_INSN_WORDS_MAX > m->trace->limit) {
            /* here, between instructions, rather than in the middle of one */
            jit_trace_drain_at(m->trace, s, sizeof *s);
        }
        if (m->trace && (m->trace->mode == JIT_TRACE_FULL || m->trace->mode == JIT_TRACE_REPLAY)) {
            if (has_pa)
                jit_trace_insn_pa(m->trace, s->PC, pa, insn, s->EL);
            else
                jit_trace_insn(m->trace, s->PC, insn, s->EL);
        } else if (m->trace && m->trace->mode == JIT_TRACE_BLOCKS) {
            jit_trace_interp_block(m->trace, s->PC, has_pa, pa, s->EL);
        }
        int r = a64_interp_insn(s, m, insn, info);
        /* Faulting and undefined instructions did not run; SVC and the like did. */
        if (r == 0 || r == IR_EXIT_SYSCALL || r == IR_EXIT_WFI || r == IR_EXIT_JUMP)
            (*insn_budget)--;
        if (r != 0)
            return (ir_exit_kind)r;
    }
    return IR_EXIT_JUMP;
}

int a64_step(void *ctx, void *state, uint64_t *info)
{
    uint64_t budget = 1;
    ir_exit_kind kind = a64_interp_run(state, ctx, info, &budget);
    return kind == IR_EXIT_JUMP ? 0 : (int)kind;
}
