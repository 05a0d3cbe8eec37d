/* Linear-scan register allocation over one block. Control flow inside a block is
 * forward only, so a value's live range is [definition, last use] in program order and
 * every value keeps one location (register or frame slot) for its whole life: paths
 * that join at a label then agree on where each value lives without any fix-up code.
 * When registers run out, the value whose last use is furthest away goes to memory. */
#include "ferry/support.h"
#include "jit/x86_64/codegen.h"

static const int8_t order_short[] = { X86_RSI, X86_RDI, X86_R8, X86_R9, X86_R10, X86_RCX,
                                      X86_RBX, X86_RBP, X86_R12, X86_R13 };
static const int8_t order_across_calls[] = { X86_RBX, X86_RBP, X86_R12, X86_R13, X86_RSI,
                                             X86_RDI, X86_R8, X86_R9, X86_R10, X86_RCX };

static void *grow_zero(void *old, size_t old_bytes, size_t new_bytes)
{
    void *p = fy_alloc(new_bytes);
    if (old) { memcpy(p, old, old_bytes); fy_free(old); }
    return p;
}

static void cg_ensure(struct jit_cg *cg, uint32_t n, uint32_t n_labels, uint32_t n_locals)
{
    if (n > cg->cap) {
        uint32_t c = cg->cap ? cg->cap : 256;
        while (c < n) c *= 2;
        fy_free(cg->save_mask); fy_free(cg->calls_before); fy_free(cg->released_at); fy_free(cg->fuse_only);
        fy_free(cg->prefer);
        cg->prefer = fy_alloc(c * sizeof(*cg->prefer));
        cg->save_mask = fy_alloc(c * sizeof(*cg->save_mask));
        cg->calls_before = fy_alloc((c + 1) * sizeof(*cg->calls_before));
        cg->released_at = fy_alloc(c * sizeof(*cg->released_at));
        cg->fuse_only = fy_alloc(c);
        cg->cap = c;
    }
    if (n_labels > cg->cap_labels) {
        uint32_t c = cg->cap_labels ? cg->cap_labels : 64;
        while (c < n_labels) c *= 2;
        fy_free(cg->host_at); fy_free(cg->label_fix_head);
        cg->host_at = fy_alloc(c * sizeof(*cg->host_at));
        cg->label_fix_head = fy_alloc(c * sizeof(*cg->label_fix_head));
        cg->cap_labels = c;
    }
    if (n_locals > cg->cap_locals) {
        uint32_t c = cg->cap_locals ? cg->cap_locals : 16;
        while (c < n_locals) c *= 2;
        cg->local_slot = grow_zero(cg->local_slot, 0, c * sizeof(*cg->local_slot));
        cg->cap_locals = c;
    }
}

void jit_cg_free(struct jit_cg *cg)
{
    fy_free(cg->save_mask); fy_free(cg->calls_before); fy_free(cg->released_at); fy_free(cg->fuse_only);
    fy_free(cg->prefer); fy_free(cg->host_at); fy_free(cg->label_fix_head); fy_free(cg->fix); fy_free(cg->cold);
    fy_free(cg->local_slot); fy_free(cg->sites);
    memset(cg, 0, sizeof(*cg));
}

/* Frame slots: a bump pointer plus free lists for 8- and 16-byte slots. Each free slot
 * remembers the instruction at which it was released: a value keeps one location for
 * its whole life, so a value defined at `def` may only take a slot that has been free
 * since then (a value spilled late, at its eviction, must not share a slot with one
 * that died between its definition and the eviction). */
struct free_slot { uint32_t off, freed_at; };
struct slots {
    uint32_t next;
    struct free_slot free8[64], free16[64];
    uint32_t n8, n16;
    bool overflow;
};

static int32_t slot_alloc(struct slots *s, unsigned bytes, uint32_t def)
{
    struct free_slot *list = bytes == 8 ? s->free8 : s->free16;
    uint32_t *n = bytes == 8 ? &s->n8 : &s->n16;
    for (uint32_t k = *n; k-- > 0;) {
        if (list[k].freed_at > def) continue;
        uint32_t off = list[k].off;
        list[k] = list[--*n];
        return loc_of_slot((int32_t)off);
    }
    s->next = (s->next + bytes - 1) & ~(bytes - 1);
    if (s->next + bytes > JIT_FRAME_SIZE) { s->overflow = true; return loc_of_slot(JIT_SAVE_AREA); }
    uint32_t off = s->next;
    s->next += bytes;
    return loc_of_slot((int32_t)off);
}

static void slot_free(struct slots *s, int32_t loc, unsigned bytes, uint32_t at)
{
    uint32_t off = (uint32_t)loc_slot_off(loc);
    if (bytes == 8 && s->n8 < 64) s->free8[s->n8++] = (struct free_slot){ off, at };
    else if (bytes == 16 && s->n16 < 64) s->free16[s->n16++] = (struct free_slot){ off, at };
}

static bool defines_value(const struct ir_insn *in)
{
    if (in->type == 0 || in->op == IR_OP_STORE_STATE || in->op == IR_OP_CONST) return false;
    if (in->op == IR_OP_LAZY_FLAG) return false;            /* computed where it is used */
    if (in->op == IR_OP_CALL && in->cond) return false;     /* void call */
    return true;
}

bool jit_regalloc(ir_block *b, struct jit_cg *cg)
{
    uint32_t n = b->n_insns;
    cg_ensure(cg, n, b->n_labels + 1, b->n_locals + 1);
    int32_t *loc = b->loc;
    const uint32_t *last = b->last_use;

    /* calls_before[i] = number of helper calls strictly before instruction i */
    uint32_t calls = 0;
    for (uint32_t i = 0; i < n; i++) {
        cg->calls_before[i] = calls;
        if (b->insns[i].op == IR_OP_CALL || (cg->mem_calls && !cg->mem_calls_cold && ir_is_mem_op(b->insns[i].op)))
            calls++;
        loc[i] = LOC_NONE;
        cg->released_at[i] = 0;
        cg->prefer[i] = 0;
    }
    cg->calls_before[n] = calls;
    /* a self-loop's new register values prefer their preloads' registers: no moves on
     * the back edge */
    for (uint32_t i = 1; i < n; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op != IR_OP_LOOP_BACK) continue;
        for (uint32_t k = 0; k < in->b; k++) {
            uint32_t v = b->args[in->a + k];
            if (b->insns[v].op != IR_OP_CONST && b->insns[v].op != IR_OP_LOAD_STATE) cg->prefer[v] = b->args[in->a + in->b + k];
        }
    }

    struct slots slots = { .next = JIT_SAVE_AREA };
    for (uint32_t l = 1; l < b->n_locals; l++) {
        unsigned bytes = b->local_types[l] == IR_I128 ? 16 : 8;
        cg->local_slot[l] = (uint32_t)loc_slot_off(slot_alloc(&slots, bytes, 0));
    }

    uint32_t owner[16] = { 0 };
    uint32_t free_mask = 0;
    for (unsigned k = 0; k < sizeof(order_short); k++) free_mask |= 1u << order_short[k];
    free_mask &= ~(uint32_t)cg->reserved_regs;

    enum { LAZY_MAX = 8 };
    uint32_t lazy_src[LAZY_MAX];
    for (uint32_t i = 1; i < n; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op == IR_OP_NOP) continue;

        /* release operands that die here (each once) */
        uint32_t ops[3];
        unsigned nops = ir_value_operands(in, ops);
        uint32_t nextra = 0, first_arg;
        const uint32_t *extra = NULL;
        const struct ir_snap_reg *snap = NULL;
        uint32_t nargs = ir_insn_args(in, &first_arg), snap_id = ir_insn_snapshot(in);
        if (nargs) { extra = &b->args[first_arg]; nextra = nargs; }
        else if (snap_id) {
            snap = &b->snap_regs[b->snaps[snap_id].first];
            nextra = b->snaps[snap_id].count;
        }
        uint32_t hint_reg_free = 0;
        for (uint32_t k = 0, lazy_ops = 0; k < nops + nextra + lazy_ops; k++) {
            uint32_t v;
            if (k < nops + nextra) {
                v = k < nops ? ops[k] : extra ? extra[k - nops] : snap[k - nops].val;
            } else {                      /* operands of lazy flags used here (below) */
                const struct ir_insn *lz = &b->insns[lazy_src[(k - nops - nextra) / 2]];
                v = (k - nops - nextra) % 2 ? lz->b : lz->a;
            }
            if (b->insns[v].op == IR_OP_LAZY_FLAG && last[v] == i && lazy_ops < 2 * LAZY_MAX) {
                lazy_src[lazy_ops / 2] = v;  /* its operands live until its last use */
                lazy_ops += 2;
            }
            if (last[v] != i || cg->released_at[v] == i) continue;
            cg->released_at[v] = i;
            int32_t l = loc[v];
            if (loc_is_reg(l) && owner[l] == v) {
                owner[l] = 0;
                free_mask |= 1u << l;
                hint_reg_free |= 1u << l;
            } else if (loc_is_slot(l)) {
                slot_free(&slots, l, b->insns[v].type == IR_I128 ? 16 : 8, i);
            }
        }

        if (in->op == IR_OP_CALL || (cg->mem_calls && ir_is_mem_op(in->op))) {
            uint32_t live = 0;
            for (unsigned r = 0; r < 16; r++) if (owner[r]) live |= 1u << r;
            cg->save_mask[i] = (uint16_t)(live & JIT_CALLER_SAVED);
        }

        if (!defines_value(in) || b->use_count[i] == 0) continue;
        if (in->type == IR_I128) {
            loc[i] = slot_alloc(&slots, 16, i);
            continue;
        }
        int reg = -1;
        if (cg->prefer[i] && loc_is_reg(loc[cg->prefer[i]]) && (free_mask & (1u << loc[cg->prefer[i]])))
            reg = loc[cg->prefer[i]];
        /* two-address ops: reuse the first operand's register when it just died */
        if (reg < 0 && nops && in->op != IR_OP_SELECT && loc_is_reg(loc[ops[0]]) &&
            (hint_reg_free & (1u << loc[ops[0]])) && (free_mask & (1u << loc[ops[0]])))
            reg = loc[ops[0]];
        if (reg < 0) {
            bool across = cg->calls_before[last[i]] > cg->calls_before[i + 1];
            const int8_t *order = across ? order_across_calls : order_short;
            /* avoid the other operands' just-freed registers: x86 is two-address */
            for (int pass = 0; pass < 2 && reg < 0; pass++) {
                for (unsigned k = 0; k < sizeof(order_short); k++) {
                    int r = order[k];
                    if (!(free_mask & (1u << r))) continue;
                    if (pass == 0 && (hint_reg_free & (1u << r))) continue;
                    reg = r;
                    break;
                }
            }
        }
        if (reg < 0) {
            /* spill the occupant used furthest in the future, or this value */
            uint32_t victim = 0;
            for (unsigned r = 0; r < 16; r++)
                if (owner[r] && (!victim || last[owner[r]] > last[victim])) victim = owner[r];
            if (victim && last[victim] > last[i]) {
                reg = loc[victim];
                loc[victim] = slot_alloc(&slots, 8, victim);
                owner[reg] = 0;
                free_mask |= 1u << reg;
            } else {
                loc[i] = slot_alloc(&slots, 8, i);
                continue;
            }
        }
        loc[i] = reg;
        owner[reg] = i;
        free_mask &= ~(1u << reg);
    }
    cg->frame_top = slots.next;
    return !slots.overflow;
}
