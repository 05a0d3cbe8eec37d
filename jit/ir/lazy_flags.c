/* Recognising lazy loop flags (struct ir_lazy_flags in ir_internal.h): whether four
 * flag values are exactly the N, Z, C, V the builder produces for one SUBS, ADDS or
 * ANDS whose operands are loop-carried registers (plus constant addends) or constants.
 * Purely structural: anything the patterns below do not recognise is left as it is. */
#include "ferry/support.h"
#include "jit/ir/ir_internal.h"

static const struct ir_insn *at(const ir_block *b, ir_val v) { return &b->insns[v]; }

static bool is_op2(const ir_block *b, ir_val v, unsigned op, ir_type t, ir_val x, ir_val y)
{
    const struct ir_insn *in = at(b, v);
    return in->op == op && in->type == t && ir_same_value(b, in->a, x) && ir_same_value(b, in->b, y);
}

static bool is_cmp(const ir_block *b, ir_val v, ir_cond c, ir_val x, ir_val y)
{
    const struct ir_insn *in = at(b, v);
    return in->op == IR_OP_CMP && in->cond == c && ir_same_value(b, in->a, x) && ir_same_value(b, in->b, y);
}

/* z == (r == 0) */
static bool is_zero_test(const ir_block *b, ir_val z, ir_val r)
{
    const struct ir_insn *zi = at(b, z);
    return zi->op == IR_OP_CMP && zi->cond == IR_EQ && zi->a == r && ir_const_eq(b, zi->b, 0);
}

/* The operand v (of type t) as register + addend: some register's value r is v, its
 * zero extension or truncation, or v plus or minus a constant. */
static bool match_operand(const ir_block *b, ir_val v, ir_type t, const struct ir_lazy_regs *regs,
                          struct ir_lazy_operand *out)
{
    uint64_t mask = t == IR_I64 ? ~0ull : 0xffffffffull;
    if (ir_is_const(b, v)) {
        *out = (struct ir_lazy_operand){ .loop_reg = -1, .value = at(b, v)->imm & mask };
        return true;
    }
    ir_val wide = 0;                       /* v == trunc(wide) */
    if (at(b, v)->op == IR_OP_TRUNC && at(b, at(b, v)->a)->type == IR_I64) wide = at(b, v)->a;
    for (uint32_t k = 0; k < regs->n; k++) {
        ir_val r = regs->value[k];
        if (r && (at(b, r)->type == IR_I64 || at(b, r)->type == t)) {
            if (at(b, r)->op == IR_OP_ZEXT) r = at(b, r)->a;
            if (r == v || (wide && r == wide)) {
                *out = (struct ir_lazy_operand){ .loop_reg = (int32_t)k, .value = 0 };
                return true;
            }
            const struct ir_insn *ri = at(b, r);
            if ((ri->op == IR_OP_ADD || ri->op == IR_OP_SUB) && ir_is_const(b, ri->b) &&
                (ri->a == v || (wide && ri->a == wide))) {
                uint64_t c = at(b, ri->b)->imm;   /* r = v +- c, so v = r -+ c */
                uint64_t addend = (ri->op == IR_OP_ADD ? 0 - c : c) & mask;
                if (t == IR_I64 && (int64_t)addend != (int32_t)addend) continue;   /* an imm32 in stubs */
                *out = (struct ir_lazy_operand){ .loop_reg = (int32_t)k, .value = addend };
                return true;
            }
        }
        /* a register the block never changes: any load of it is its value at the end */
        if (regs->unchanged[k]) {
            ir_val l = wide ? wide : v;
            const struct ir_insn *li = at(b, l);
            if (li->op == IR_OP_LOAD_STATE && li->imm == regs->offset[k] && li->type == regs->type[k]) {
                *out = (struct ir_lazy_operand){ .loop_reg = (int32_t)k, .value = 0 };
                return true;
            }
        }
    }
    return false;
}

bool ir_match_lazy_flags(const ir_block *b, const ir_val flag_values[4], const struct ir_lazy_regs *regs,
                         struct ir_lazy_flags *out)
{
    ir_val flags[4];
    for (int f = 0; f < 4; f++) {
        /* a flag the block computed and keeps lazily: match the value itself */
        flags[f] = flag_values[f];
        if (flags[f] && at(b, flags[f])->op == IR_OP_LAZY_FLAG && b->consts_hi[at(b, flags[f])->c + 2])
            flags[f] = (ir_val)b->consts_hi[at(b, flags[f])->c + 2];
        if (!flags[f] || at(b, flags[f])->type != IR_I1) return false;
    }
    /* N = (x op y) < 0 */
    const struct ir_insn *n = at(b, flags[0]);
    if (n->op != IR_OP_CMP || n->cond != IR_SLT || !ir_const_eq(b, n->b, 0)) return false;
    ir_val r = n->a;
    const struct ir_insn *ri = at(b, r);
    ir_type t = (ir_type)ri->type;
    if (t != IR_I32 && t != IR_I64) return false;
    ir_val x = ri->a, y = ri->b;
    uint8_t kind;
    ir_val z = flags[1], c = flags[2], v = flags[3];
    unsigned op = ri->op;
    if (op != IR_OP_SUB && op != IR_OP_ADD && op != IR_OP_AND) {
        /* CMP x, #0: the subtraction folded away, C is 1 and V is 0 */
        if (!is_zero_test(b, z, r) || !ir_const_eq(b, c, 1) || !ir_const_eq(b, v, 0)) return false;
        struct ir_lazy_flags lf = { .kind = (uint8_t)(IR_LAZY_SUB | (t == IR_I64 ? IR_LAZY_64 : 0)) };
        if (!match_operand(b, r, t, regs, &lf.a) || lf.a.loop_reg < 0) return false;
        out->kind = lf.kind;
        out->a = lf.a;
        out->b = (struct ir_lazy_operand){ .loop_reg = -1, .value = 0 };
        return true;
    }
    switch (op) {
    case IR_OP_SUB:
        kind = IR_LAZY_SUB;
        if (!is_cmp(b, z, IR_EQ, x, y) && !is_zero_test(b, z, r)) return false;
        if (!is_cmp(b, c, IR_UGE, x, y) || !is_op2(b, v, IR_OP_SUB_OVERFLOW, IR_I1, x, y)) return false;
        break;
    case IR_OP_ADD: {
        kind = IR_LAZY_ADD;
        const struct ir_insn *ci = at(b, c), *vi = at(b, v);
        if (!is_zero_test(b, z, r)) return false;
        if (!(ci->op == IR_OP_ADD_CARRY && ir_same_value(b, ci->a, x) && ir_same_value(b, ci->b, y) && ir_const_eq(b, ci->c, 0))) return false;
        if (!(vi->op == IR_OP_ADD_OVERFLOW && ir_same_value(b, vi->a, x) && ir_same_value(b, vi->b, y) && ir_const_eq(b, vi->c, 0))) return false;
        break;
    }
    case IR_OP_AND:
        kind = IR_LAZY_AND;
        if (!is_zero_test(b, z, r) || !ir_const_eq(b, c, 0) || !ir_const_eq(b, v, 0)) return false;
        break;
    default:
        return false;
    }
    struct ir_lazy_flags lf = { .kind = (uint8_t)(kind | (t == IR_I64 ? IR_LAZY_64 : 0)) };
    if (!match_operand(b, x, t, regs, &lf.a) || !match_operand(b, y, t, regs, &lf.b)) return false;
    if (lf.a.loop_reg < 0 && lf.b.loop_reg < 0) return false;   /* constant flags: nothing to gain */
    out->kind = lf.kind;
    out->a = lf.a;
    out->b = lf.b;
    return true;
}

bool ir_lazy_flags_equal(const struct ir_lazy_flags *x, const struct ir_lazy_flags *y)
{
    return !memcmp(x->offset, y->offset, sizeof x->offset) && x->kind == y->kind && x->a.loop_reg == y->a.loop_reg &&
           x->a.value == y->a.value && x->b.loop_reg == y->b.loop_reg && x->b.value == y->b.value;
}
