/* x86-64 code generation for one IR block, after register allocation.
 *
 * Values live in registers, frame slots or (constants) nowhere: constants become
 * immediates at each use. Values of I1..I32 are always kept zero-extended to 64 bits.
 * x86 flags are tracked so a comparison or an add/sub whose flags are needed right
 * after (NZCV, a branch, a select) costs no extra instruction. Faults and chainable
 * exits jump to out-of-line stubs emitted after the block body, keeping the hot path
 * straight. */
#include "ferry/support.h"
#include "jit/x86_64/codegen.h"
#include "jit/x86_64/cpu_features.h"
#include "jit/jit_internal.h"
#include "jit/jit_trace.h"

enum { K_REG, K_MEM, K_IMM };
typedef struct opnd { uint8_t kind; int8_t reg; int32_t off; uint64_t imm; } opnd;

enum { COLD_FAULT = 1, COLD_EXIT = 2, COLD_EDGE = 3, COLD_REQUEST = 4, COLD_SLOW_ACCESS = 5, COLD_TRACE_FULL = 6,
       COLD_EXIT_GUARDED = 7 };

struct gen {
    ir_block *b;
    struct jit_cg *cg;
    const struct jit_cg_env *env;
    x86_buf *buf;
    /* x86 flags: what the last flag-setting instruction computed */
    bool fl_valid;
    uint8_t fl_op;          /* IR_OP_ADD / IR_OP_SUB / IR_OP_ADC (CF/OF meaningful) or 0 */
    uint32_t fl_a, fl_b, fl_c;
    uint8_t fl_type;
    uint32_t fl_result;     /* value whose ZF/SF the flags reflect, or 0 */
    uint32_t fl_cond_val;   /* I1 value equal to condition fl_cc, or 0 */
    enum x86_cc fl_cc;
    int32_t trace_slot;     /* replay-mode tracing: the next load value's offset from the cursor */
};

static inline void flags_clobber(struct gen *g)
{
    g->fl_valid = false;
    g->fl_op = 0;
    g->fl_result = 0;
    g->fl_cond_val = 0;
}

static inline struct ir_insn *INS(struct gen *g, uint32_t v) { return &g->b->insns[v]; }
static inline ir_type TY(struct gen *g, uint32_t v) { return (ir_type)g->b->insns[v].type; }
static inline int vsize(ir_type t) { return t == IR_I64 ? 8 : 4; }
static inline x86_mem slot_mem(int32_t off) { return x86_mem_bd(X86_RSP, off); }
static inline x86_mem state_mem(uint32_t off) { return x86_mem_bd(JIT_REG_STATE, (int32_t)off); }

static opnd op_of(struct gen *g, uint32_t v)
{
    const struct ir_insn *in = INS(g, v);
    if (in->op == IR_OP_CONST && in->type != IR_I128) return (opnd){ .kind = K_IMM, .imm = in->imm };
    int32_t l = g->b->loc[v];
    if (loc_is_reg(l)) return (opnd){ .kind = K_REG, .reg = (int8_t)l };
    if (loc_is_slot(l)) return (opnd){ .kind = K_MEM, .off = loc_slot_off(l) };
    fy_panic("jit: value v%u (%s) has no location", v, ir_op_name(in->op));
}


static inline bool is_reg(opnd o, int r) { return o.kind == K_REG && o.reg == r; }

/* reg = operand (64-bit view; values are normalised so 4-byte moves suffice for <= I32) */
static void load_reg(struct gen *g, int size, int reg, opnd o)
{
    switch (o.kind) {
    case K_REG: if (o.reg != reg) x86_mov_rr(g->buf, size, reg, o.reg); break;
    case K_MEM: x86_mov_rm(g->buf, size, reg, slot_mem(o.off)); break;
    default: x86_mov_ri(g->buf, reg, size == 8 ? o.imm : (uint32_t)o.imm); break;
    }
}

/* Puts an operand in a register: itself if it is one, else `scratch`. */
static int in_reg(struct gen *g, int size, opnd o, int scratch)
{
    if (o.kind == K_REG) return o.reg;
    load_reg(g, size, scratch, o);
    return scratch;
}

static bool imm_fits(int size, uint64_t imm)
{
    return size == 8 ? x86_fits_i32((int64_t)imm) : true;
}

/* reg op= operand */
static void alu(struct gen *g, enum x86_alu op, int size, int reg, opnd o)
{
    switch (o.kind) {
    case K_REG: x86_alu_rr(g->buf, op, size, reg, o.reg); break;
    case K_MEM: x86_alu_rm(g->buf, op, size, reg, slot_mem(o.off)); break;
    default:
        if (imm_fits(size, o.imm)) x86_alu_ri(g->buf, op, size, reg, (int32_t)(uint32_t)o.imm);
        else { x86_mov_ri(g->buf, X86_R11, o.imm); x86_alu_rr(g->buf, op, size, reg, X86_R11); }
    }
}

/* The destination register of value v: its own, or rax when it lives in memory. */
static int dest_reg(struct gen *g, uint32_t v)
{
    int32_t l = g->b->loc[v];
    return loc_is_reg(l) ? l : X86_RAX;
}
static void dest_done(struct gen *g, uint32_t v, int reg)
{
    int32_t l = g->b->loc[v];
    if (loc_is_slot(l)) x86_mov_mr(g->buf, 8, slot_mem(loc_slot_off(l)), reg);
}

/* Re-establishes the zero-extension invariant after a 32-bit operation. */
static void normalise(struct gen *g, ir_type t, int reg)
{
    switch (t) {
    case IR_I1: x86_alu_ri(g->buf, X86_AND, 4, reg, 1); flags_clobber(g); break;
    case IR_I8: x86_movzx8_rr(g->buf, reg, reg); break;
    case IR_I16: x86_movzx16_rr(g->buf, reg, reg); break;
    default: break;
    }
}

/* Stores an operand of `bytes` bytes to memory m (scratch r11 for memory sources). */
static void store_opnd(struct gen *g, int bytes, x86_mem m, opnd o)
{
    switch (o.kind) {
    case K_REG: x86_mov_mr(g->buf, bytes, m, o.reg); break;
    case K_MEM:
        x86_mov_rm(g->buf, 8, X86_R11, slot_mem(o.off));
        x86_mov_mr(g->buf, bytes, m, X86_R11);
        break;
    default:
        if (bytes < 8 || x86_fits_i32((int64_t)o.imm)) x86_mov_mi(g->buf, bytes, m, (int32_t)(uint32_t)o.imm);
        else { x86_mov_ri(g->buf, X86_R11, o.imm); x86_mov_mr(g->buf, 8, m, X86_R11); }
    }
}

/* ---- I128 halves ------------------------------------------------------------------- */
/* half 0 = low, 1 = high of an I128 value, as an operand */
static opnd half(struct gen *g, uint32_t v, int h)
{
    const struct ir_insn *in = INS(g, v);
    if (in->op == IR_OP_CONST)
        return (opnd){ .kind = K_IMM, .imm = h ? g->b->consts_hi[in->c] : in->imm };
    int32_t l = g->b->loc[v];
    if (!loc_is_slot(l)) fy_panic("jit: I128 value v%u not in memory", v);
    return (opnd){ .kind = K_MEM, .off = loc_slot_off(l) + 8 * h };
}
static x86_mem dest_half(struct gen *g, uint32_t v, int h)
{
    return slot_mem(loc_slot_off(g->b->loc[v]) + 8 * h);
}

/* ---- condition codes --------------------------------------------------------------- */
static enum x86_cc cc_of(ir_cond c)
{
    static const uint8_t map[] = { 0, X86_CC_E, X86_CC_NE, X86_CC_B, X86_CC_BE, X86_CC_A, X86_CC_AE,
                                   X86_CC_L, X86_CC_LE, X86_CC_G, X86_CC_GE };
    return (enum x86_cc)map[c];
}
static ir_cond swap_cond(ir_cond c)
{
    static const uint8_t map[] = { 0, IR_EQ, IR_NE, IR_UGT, IR_UGE, IR_ULT, IR_ULE, IR_SGT, IR_SGE, IR_SLT, IR_SLE };
    return (ir_cond)map[c];
}

/* The x86 condition under which I1 value v is 1, emitting a test if the flags do not
 * already hold it. */
static enum x86_cc cond_cc(struct gen *g, uint32_t v)
{
    if (g->fl_valid && g->fl_cond_val == v) return g->fl_cc;
    opnd o = op_of(g, v);
    if (o.kind == K_REG) x86_test_rr(g->buf, 4, o.reg, o.reg);
    else if (o.kind == K_MEM) x86_alu_mi(g->buf, X86_CMP, 1, slot_mem(o.off), 0);
    else { x86_mov_ri(g->buf, X86_R11, o.imm & 1); x86_test_rr(g->buf, 4, X86_R11, X86_R11); }
    flags_clobber(g);
    g->fl_valid = true;
    g->fl_cond_val = v;
    g->fl_cc = X86_CC_NE;
    return X86_CC_NE;
}

static void set_cond_flags(struct gen *g, uint32_t v, enum x86_cc cc)
{
    g->fl_valid = true;
    g->fl_cond_val = v;
    g->fl_cc = cc;
}

#define CG_FLAG_ONLY 1      /* fuse_only[]: a CMP that lives only in x86 flags */
#define CG_BYTE_ONLY 2      /* fuse_only[]: an I1 only ever stored as one byte */
#define CG_LEA_INDEX 4      /* fuse_only[]: a SHL by 1..3 that the next ADD does as lea */

static void materialise_cc(struct gen *g, uint32_t v, enum x86_cc cc)
{
    if (g->b->loc[v] == LOC_NONE) return;
    int d = dest_reg(g, v);
    x86_setcc(g->buf, cc, d);
    /* a flag only stored to the guest state needs just the low byte */
    if (!(g->cg->fuse_only[v] & CG_BYTE_ONLY) || loc_is_slot(g->b->loc[v])) x86_movzx8_rr(g->buf, d, d);
    dest_done(g, v, d);
}

/* ---- cold stubs and label fixups -------------------------------------------------- */
static struct jit_cold *cold_new(struct gen *g)
{
    struct jit_cg *cg = g->cg;
    if (cg->n_cold == cg->cap_cold) {
        uint32_t c = cg->cap_cold ? cg->cap_cold * 2 : 64;
        struct jit_cold *p = fy_alloc(c * sizeof(*p));
        if (cg->cold) { memcpy(p, cg->cold, cg->n_cold * sizeof(*p)); fy_free(cg->cold); }
        cg->cold = p;
        cg->cap_cold = c;
    }
    struct jit_cold *c = &cg->cold[cg->n_cold++];
    memset(c, 0, sizeof(*c));
    return c;
}

static void label_fixup(struct gen *g, uint32_t label, uint8_t *site)
{
    struct jit_cg *cg = g->cg;
    if (cg->n_fix == cg->cap_fix) {
        uint32_t c = cg->cap_fix ? cg->cap_fix * 2 : 64;
        void *p = fy_alloc(c * sizeof(*cg->fix));
        if (cg->fix) { memcpy(p, cg->fix, cg->n_fix * sizeof(*cg->fix)); fy_free(cg->fix); }
        cg->fix = p;
        cg->cap_fix = c;
    }
    cg->fix[cg->n_fix].site = site;
    cg->fix[cg->n_fix].next = cg->label_fix_head[label];
    cg->label_fix_head[label] = ++cg->n_fix;
}

/* The next instruction that emits anything (labels count), for layout decisions. */
static uint32_t next_real(struct gen *g, uint32_t i)
{
    for (uint32_t k = i + 1; k < g->b->n_insns; k++) {
        uint8_t op = g->b->insns[k].op;
        if (op != IR_OP_NOP && op != IR_OP_CONST && op != IR_OP_INSN_START) return k;
    }
    return 0;
}
static bool label_is_next(struct gen *g, uint32_t i, uint32_t label)
{
    uint32_t k = next_real(g, i);
    return k && g->b->insns[k].op == IR_OP_LABEL && g->b->insns[k].a == label;
}

/* ---- flag-only comparisons ---------------------------------------------------------- */
static bool flag_safe(const ir_block *b, const struct ir_insn *in, uint32_t v)
{
    switch (in->op) {
    case IR_OP_NOP: case IR_OP_CONST: case IR_OP_INSN_START: case IR_OP_LOAD_STATE:
    case IR_OP_LOCAL_READ: case IR_OP_LOCAL_WRITE:
        return true;
    case IR_OP_STORE_STATE:          /* movs only, I128 included */
        return true;
    case IR_OP_SELECT:
        return in->a == v && in->type != IR_I1;
    default:
        return false;
    }
}

static void find_flag_only_cmps(struct gen *g)
{
    ir_block *b = g->b;
    uint8_t *fo = g->cg->fuse_only;
    uint32_t *byte_uses = g->cg->released_at;      /* free after allocation: reuse */
    for (uint32_t i = 1; i < b->n_insns; i++) { fo[i] = 0; byte_uses[i] = 0; }
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op == IR_OP_STORE_STATE && b->insns[in->a].type == IR_I1) byte_uses[in->a]++;
        uint32_t snap = ir_insn_snapshot(in);
        if (snap) {
            const struct ir_snapshot *sn = &b->snaps[snap];
            for (uint32_t k = 0; k < sn->count; k++) {
                uint32_t v = b->snap_regs[sn->first + k].val;
                if (b->insns[v].type == IR_I1) byte_uses[v]++;
            }
        }
    }
    for (uint32_t i = 1; i < b->n_insns; i++)
        if (b->insns[i].type == IR_I1 && b->use_count[i] && byte_uses[i] == b->use_count[i]) fo[i] = CG_BYTE_ONLY;
    /* A self-loop's new flag moves into its preload's location: when the preload is
     * itself only ever stored as a byte, the move is a byte use too (the NZCV a loop
     * recomputes every iteration then costs a setcc each, no movzx). */
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op != IR_OP_LOOP_BACK) continue;
        for (uint32_t k = 0; k < in->b; k++) {
            uint32_t v = b->args[in->a + k], p = b->args[in->a + in->b + k];
            if (v == p || b->insns[v].type != IR_I1 || !(fo[p] & CG_BYTE_ONLY)) continue;
            if (++byte_uses[v] == b->use_count[v]) fo[v] = CG_BYTE_ONLY;
        }
    }
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op != IR_OP_CMP || b->use_count[i] == 0) continue;
        uint32_t end = b->last_use[i], cond_uses = 0;
        bool ok = true;
        for (uint32_t k = i + 1; k <= end && ok; k++) {
            const struct ir_insn *u = &b->insns[k];
            if ((u->op == IR_OP_CBR || u->op == IR_OP_SELECT) && u->a == i) {
                cond_uses++;
                if (u->op == IR_OP_SELECT && (u->b == i || u->c == i)) ok = false;
                if (u->op == IR_OP_SELECT && u->type == IR_I1) ok = false;
            } else if (k < end && !flag_safe(b, u, i)) {
                ok = false;
            }
        }
        if (ok && cond_uses == b->use_count[i]) fo[i] |= CG_FLAG_ONLY;
    }
}

/* ---- per-operation code ----------------------------------------------------------- */
static bool commutes(uint8_t op)
{
    return op == IR_OP_ADD || op == IR_OP_AND || op == IR_OP_OR || op == IR_OP_XOR || op == IR_OP_MUL;
}

/* A 32/64-bit subtraction whose only use is the very next instruction, a sign or zero
 * test of it that gen_cmp answers from the flags (fl_result) without reading it. */
static bool sub_only_for_flags(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_block *b = g->b;
    if (in->op != IR_OP_SUB || (in->type != IR_I32 && in->type != IR_I64) || b->use_count[v] != 1) return false;
    uint32_t k = next_real(g, v);
    if (!k) return false;
    const struct ir_insn *u = &b->insns[k];
    if (u->op != IR_OP_CMP || u->a != v) return false;
    const struct ir_insn *z = &b->insns[u->b];
    return z->op == IR_OP_CONST && z->imm == 0 &&
           (u->cond == IR_EQ || u->cond == IR_NE || u->cond == IR_SLT || u->cond == IR_SGE);
}

/* An ADD the lea instruction does better: base + index * scale when one operand is a
 * left shift by 1..3 used only here (the shift itself is then never emitted), or
 * a + b into a third register (no mov first). lea leaves the x86 flags alone. */
static bool lea_operand(opnd o) { return o.kind == K_REG || (o.kind == K_IMM && x86_fits_i32((int64_t)o.imm)); }

static bool shl_fuses_into_lea(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    if (in->op != IR_OP_SHL || (in->type != IR_I32 && in->type != IR_I64) || g->b->use_count[v] != 1) return false;
    const struct ir_insn *k = INS(g, in->b);
    if (k->op != IR_OP_CONST || k->imm < 1 || k->imm > 3 || op_of(g, in->a).kind != K_REG) return false;
    uint32_t u = next_real(g, v);
    if (!u) return false;
    const struct ir_insn *add = INS(g, u);
    if (add->op != IR_OP_ADD || add->type != in->type || (add->a == v) == (add->b == v)) return false;
    return op_of(g, add->a == v ? add->b : add->a).kind == K_REG;
}

static bool gen_add_lea(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    if (in->op != IR_OP_ADD || (t != IR_I32 && t != IR_I64)) return false;
    int size = vsize(t), d = dest_reg(g, v);
    x86_mem m = { .base = X86_NOREG, .index = X86_NOREG, .scale = 1, .disp = 0 };
    uint32_t shifted = (g->cg->fuse_only[in->a] & CG_LEA_INDEX) ? in->a :
                       (g->cg->fuse_only[in->b] & CG_LEA_INDEX) ? in->b : 0;
    if (shifted) {
        m.base = op_of(g, shifted == in->a ? in->b : in->a).reg;   /* a register: shl_fuses_into_lea */
        m.index = op_of(g, INS(g, shifted)->a).reg;
        m.scale = (uint8_t)(1u << INS(g, INS(g, shifted)->b)->imm);
        x86_lea(g->buf, size, d, m);
    } else {
        opnd A = op_of(g, in->a), B = op_of(g, in->b);
        if (A.kind != K_REG || A.reg == d || !lea_operand(B) || is_reg(B, d)) return false;
        m.base = A.reg;
        if (B.kind == K_REG) m.index = B.reg;
        else m.disp = (int32_t)B.imm;
        x86_lea(g->buf, size, d, m);
    }
    dest_done(g, v, d);
    return true;
}

static void gen_alu(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    if (t == IR_I128) {
        /* two halves; add/sub carry through the flags between them */
        enum x86_alu lo_op = in->op == IR_OP_ADD ? X86_ADD : in->op == IR_OP_SUB ? X86_SUB :
                             in->op == IR_OP_AND ? X86_AND : in->op == IR_OP_OR ? X86_OR : X86_XOR;
        enum x86_alu hi_op = in->op == IR_OP_ADD ? X86_ADC : in->op == IR_OP_SUB ? X86_SBB : lo_op;
        for (int h = 0; h < 2; h++) {
            load_reg(g, 8, X86_RAX, half(g, in->a, h));
            opnd o = half(g, in->b, h);
            if (o.kind == K_IMM && !x86_fits_i32((int64_t)o.imm)) { x86_mov_ri(g->buf, X86_RDX, o.imm); o = (opnd){ .kind = K_REG, .reg = X86_RDX }; }
            alu(g, h ? hi_op : lo_op, 8, X86_RAX, o);
            x86_mov_mr(g->buf, 8, dest_half(g, v, h), X86_RAX);
        }
        flags_clobber(g);
        return;
    }
    if (gen_add_lea(g, v, in)) return;
    int size = vsize(t);
    opnd A = op_of(g, in->a), B = op_of(g, in->b);
    if (in->op == IR_OP_AND && t == IR_I64 && B.kind == K_IMM && B.imm == 0xffffffffull) {
        int d = dest_reg(g, v);             /* a 32-bit mov zero-extends: no mask constant */
        load_reg(g, 4, d, A);
        if (A.kind == K_REG && A.reg == d) x86_mov_rr(g->buf, 4, d, d);
        flags_clobber(g);
        dest_done(g, v, d);
        return;
    }
    if (sub_only_for_flags(g, v, in)) {
        /* AArch64 N (or Z) of SUBS: the difference itself is never needed, x86 cmp sets
         * the same SF/ZF without a copy and a destination register */
        int ra = A.kind == K_REG ? A.reg : X86_RAX;
        if (A.kind != K_REG) load_reg(g, size, X86_RAX, A);
        alu(g, X86_CMP, size, ra, B);
        flags_clobber(g);
        g->fl_valid = true;
        g->fl_result = v;
        g->fl_type = (uint8_t)t;
        g->fl_op = IR_OP_SUB;
        g->fl_a = in->a; g->fl_b = in->b;
        return;
    }
    int d = dest_reg(g, v);
    enum x86_alu op = in->op == IR_OP_ADD ? X86_ADD : in->op == IR_OP_SUB ? X86_SUB :
                      in->op == IR_OP_AND ? X86_AND : in->op == IR_OP_OR ? X86_OR : X86_XOR;
    uint32_t fa = in->a, fb = in->b;
    if (is_reg(B, d) && !is_reg(A, d)) {
        if (commutes(in->op)) { opnd s = A; A = B; B = s; }
        else { x86_mov_rr(g->buf, 8, X86_R11, d); B = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
    }
    load_reg(g, size, d, A);
    alu(g, op, size, d, B);
    flags_clobber(g);
    if (t == IR_I32 || t == IR_I64) {
        g->fl_valid = true;
        g->fl_result = v;
        g->fl_type = (uint8_t)t;
        if (in->op == IR_OP_ADD || in->op == IR_OP_SUB) {
            g->fl_op = in->op;
            g->fl_a = fa; g->fl_b = fb;
        }
    } else if (in->op == IR_OP_ADD || in->op == IR_OP_SUB) {
        normalise(g, t, d);
    }
    dest_done(g, v, d);
}

static void gen_mul(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    opnd A = op_of(g, in->a), B = op_of(g, in->b);
    int d = dest_reg(g, v);
    if (A.kind == K_IMM) { opnd s = A; A = B; B = s; }
    if (B.kind == K_IMM && imm_fits(size, B.imm)) {
        int ra = in_reg(g, size, A, X86_R11);
        x86_imul_rri(g->buf, size, d, ra, (int32_t)(uint32_t)B.imm);
    } else {
        if (is_reg(B, d) && !is_reg(A, d)) { opnd s = A; A = B; B = s; }
        load_reg(g, size, d, A);
        if (B.kind == K_IMM) { x86_mov_ri(g->buf, X86_R11, B.imm); B = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
        if (B.kind == K_REG) x86_imul_rr(g->buf, size, d, B.reg);
        else x86_imul_rm(g->buf, size, d, slot_mem(B.off));
    }
    flags_clobber(g);
    normalise(g, t, d);
    dest_done(g, v, d);
}

static void gen_mulh(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    opnd A = op_of(g, in->a), B = op_of(g, in->b);
    load_reg(g, 8, X86_RAX, A);
    if (B.kind == K_IMM) { x86_mov_ri(g->buf, X86_R11, B.imm); B = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
    enum x86_unary op = in->op == IR_OP_UMULH ? X86_MUL : X86_IMUL1;
    if (B.kind == K_REG) x86_unary_r(g->buf, op, 8, B.reg);
    else x86_unary_m(g->buf, op, 8, slot_mem(B.off));
    flags_clobber(g);
    int32_t l = g->b->loc[v];
    if (loc_is_reg(l)) x86_mov_rr(g->buf, 8, l, X86_RDX);
    else if (loc_is_slot(l)) x86_mov_mr(g->buf, 8, slot_mem(loc_slot_off(l)), X86_RDX);
}

/* IEEE arithmetic on bit patterns through xmm0/xmm1, which nothing else in generated
 * code keeps live (SysV: caller-saved, so helper calls do not care either). SSE does
 * not touch EFLAGS, so the flag tracking stays valid. */
static void load_xmm(struct gen *g, int size, int xmm, opnd o)
{
    if (o.kind == K_IMM) { x86_mov_ri(g->buf, X86_R11, o.imm); o = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
    if (o.kind == K_REG) x86_movq_xr(g->buf, size, xmm, o.reg);
    else x86_movq_xm(g->buf, size, xmm, slot_mem(o.off));
}

static void gen_float(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    load_xmm(g, size, 0, op_of(g, in->a));
    load_xmm(g, size, 1, op_of(g, in->b));
    enum x86_sse_arith op = in->op == IR_OP_FADD ? X86_SSE_ADD : in->op == IR_OP_FSUB ? X86_SSE_SUB :
                            in->op == IR_OP_FMUL ? X86_SSE_MUL : X86_SSE_DIV;
    x86_sse_arith_xx(g->buf, op, t == IR_I64, 0, 1);
    int d = dest_reg(g, v);
    x86_movq_rx(g->buf, size, d, 0);
    dest_done(g, v, d);
}

/* xmm2 is as free as xmm0/xmm1 (caller-saved, never live across IR instructions). */
static void gen_ffma(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    load_xmm(g, size, 0, op_of(g, in->a));
    load_xmm(g, size, 1, op_of(g, in->b));
    load_xmm(g, size, 2, op_of(g, in->c));
    x86_vfmadd231_xxx(g->buf, t == IR_I64, 0, 1, 2);
    int d = dest_reg(g, v);
    x86_movq_rx(g->buf, size, d, 0);
    dest_done(g, v, d);
}

/* AArch64 division: x / 0 == 0 and INT_MIN / -1 == INT_MIN, never a host #DE. */
static void gen_div(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    x86_buf *buf = g->buf;
    opnd A = op_of(g, in->a), B = op_of(g, in->b);
    if (B.kind == K_IMM) { x86_mov_ri(buf, X86_R11, size == 8 ? B.imm : (uint32_t)B.imm); B = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
    x86_zero(buf, X86_RAX);
    if (B.kind == K_REG) x86_test_rr(buf, size, B.reg, B.reg);
    else x86_alu_mi(buf, X86_CMP, size, slot_mem(B.off), 0);
    uint8_t *jz = x86_jcc8(buf, X86_CC_E, buf->p);
    load_reg(g, size, X86_RAX, A);
    uint8_t *jdone2 = NULL;
    if (in->op == IR_OP_SDIV) {
        if (B.kind == K_REG) x86_alu_ri(buf, X86_CMP, size, B.reg, -1);
        else x86_alu_mi(buf, X86_CMP, size, slot_mem(B.off), -1);
        uint8_t *jne = x86_jcc8(buf, X86_CC_NE, buf->p);
        x86_unary_r(buf, X86_NEG, size, X86_RAX);
        jdone2 = x86_jmp8(buf, buf->p);
        x86_patch_rel8(jne, buf->p);
        if (size == 8) x86_cqo(buf); else x86_cdq(buf);
        if (B.kind == K_REG) x86_unary_r(buf, X86_IDIV, size, B.reg);
        else x86_unary_m(buf, X86_IDIV, size, slot_mem(B.off));
    } else {
        x86_zero(buf, X86_RDX);
        if (B.kind == K_REG) x86_unary_r(buf, X86_DIV, size, B.reg);
        else x86_unary_m(buf, X86_DIV, size, slot_mem(B.off));
    }
    x86_patch_rel8(jz, buf->p);
    if (jdone2) x86_patch_rel8(jdone2, buf->p);
    flags_clobber(g);
    int32_t l = g->b->loc[v];
    if (loc_is_reg(l)) x86_mov_rr(buf, size, l, X86_RAX);
    else if (loc_is_slot(l)) x86_mov_mr(buf, 8, slot_mem(loc_slot_off(l)), X86_RAX);
}

static void gen_shift(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    unsigned w = ir_type_bits(t);
    enum x86_shift op = in->op == IR_OP_SHL ? X86_SHL : in->op == IR_OP_LSHR ? X86_SHR :
                        in->op == IR_OP_ASHR ? X86_SAR : X86_ROR;
    opnd A = op_of(g, in->a), N = op_of(g, in->b);
    int d = dest_reg(g, v);
    if (N.kind == K_IMM) {
        unsigned k = (unsigned)(N.imm % w);
        load_reg(g, size, d, A);
        if (k) { x86_shift_ri(g->buf, op, size, d, (uint8_t)k); flags_clobber(g); }
        dest_done(g, v, d);
        return;
    }
    if (jit_cpu.bmi2 && op != X86_ROR) {
        int ra = in_reg(g, size, A, X86_R11);
        int rn = in_reg(g, 4, N, X86_RDX);
        x86_shiftx(g->buf, op, size, d, ra, rn);
        dest_done(g, v, d);
        return;
    }
    /* shift by cl: borrow rcx (it may be allocated) through rdx */
    load_reg(g, size, X86_RAX, A);
    x86_mov_rr(g->buf, 8, X86_RDX, X86_RCX);
    if (N.kind == K_MEM) x86_mov_rm(g->buf, 4, X86_RCX, slot_mem(N.off));
    else if (N.reg != X86_RCX) x86_mov_rr(g->buf, 4, X86_RCX, N.reg);
    x86_shift_rcl(g->buf, op, size, X86_RAX);
    x86_mov_rr(g->buf, 8, X86_RCX, X86_RDX);
    flags_clobber(g);
    int32_t l = g->b->loc[v];
    if (loc_is_reg(l)) x86_mov_rr(g->buf, 8, l, X86_RAX);
    else if (loc_is_slot(l)) x86_mov_mr(g->buf, 8, slot_mem(loc_slot_off(l)), X86_RAX);
}

static void gen_unary(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    x86_buf *buf = g->buf;
    if (t == IR_I128) {                     /* not / neg */
        if (in->op == IR_OP_NOT) {
            for (int h = 0; h < 2; h++) {
                load_reg(g, 8, X86_RAX, half(g, in->a, h));
                x86_unary_r(buf, X86_NOT, 8, X86_RAX);
                x86_mov_mr(buf, 8, dest_half(g, v, h), X86_RAX);
            }
        } else {                            /* 0 - x */
            x86_zero(buf, X86_RAX);
            x86_zero(buf, X86_RDX);
            opnd lo = half(g, in->a, 0), hi = half(g, in->a, 1);
            if (lo.kind == K_IMM) { x86_mov_ri(buf, X86_R11, lo.imm); lo = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
            alu(g, X86_SUB, 8, X86_RAX, lo);
            if (hi.kind == K_IMM) { x86_mov_ri(buf, X86_R11, hi.imm); hi = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
            alu(g, X86_SBB, 8, X86_RDX, hi);
            x86_mov_mr(buf, 8, dest_half(g, v, 0), X86_RAX);
            x86_mov_mr(buf, 8, dest_half(g, v, 1), X86_RDX);
        }
        flags_clobber(g);
        return;
    }
    int size = vsize(t);
    unsigned w = ir_type_bits(t);
    opnd A = op_of(g, in->a);
    int d = dest_reg(g, v);
    switch (in->op) {
    case IR_OP_NOT:
    case IR_OP_NEG:
        load_reg(g, size, d, A);
        x86_unary_r(buf, in->op == IR_OP_NOT ? X86_NOT : X86_NEG, size, d);
        flags_clobber(g);
        if (in->op == IR_OP_NOT && t == IR_I1) x86_alu_ri(buf, X86_XOR, 4, d, ~1);  /* undo upper bits */
        normalise(g, t, d);
        break;
    case IR_OP_CLZ: {
        int ra = in_reg(g, size, A, X86_R11);
        if (jit_cpu.lzcnt) {
            x86_bitscan_rr(buf, true, 0xbd, size, d, ra);
        } else {
            x86_mov_ri(buf, X86_RDX, ~0ull);
            x86_bitscan_rr(buf, false, 0xbd, size, X86_RAX, ra);
            x86_cmov_rr(buf, X86_CC_E, 8, X86_RAX, X86_RDX);
            x86_mov_ri(buf, d, w - 1);
            x86_alu_rr(buf, X86_SUB, size, d, X86_RAX);
        }
        flags_clobber(g);
        break;
    }
    case IR_OP_CTZ: {
        int ra = in_reg(g, size, A, X86_R11);
        if (jit_cpu.bmi1) {
            x86_bitscan_rr(buf, true, 0xbc, size, d, ra);
        } else {
            x86_mov_ri(buf, X86_RDX, w);
            x86_bitscan_rr(buf, false, 0xbc, size, X86_RAX, ra);
            x86_cmov_rr(buf, X86_CC_E, 8, X86_RAX, X86_RDX);
            x86_mov_rr(buf, 8, d, X86_RAX);
        }
        flags_clobber(g);
        break;
    }
    case IR_OP_POPCNT: {
        int ra = in_reg(g, size, A, X86_R11);
        x86_bitscan_rr(buf, true, 0xb8, size, d, ra);
        flags_clobber(g);
        break;
    }
    case IR_OP_BSWAP:
        load_reg(g, size, d, A);
        if (t == IR_I16) { x86_shift_ri(buf, X86_ROL, 2, d, 8); flags_clobber(g); }
        else x86_bswap(buf, size, d);
        break;
    default:
        fy_panic("jit: unary op %s", ir_op_name(in->op));
    }
    dest_done(g, v, d);
}

static void gen_ext(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v), s = TY(g, in->a);
    x86_buf *buf = g->buf;
    if (in->op == IR_OP_TRUNC && s == IR_I128) {
        int d = dest_reg(g, v);
        load_reg(g, 8, d, half(g, in->a, 0));
        if (t == IR_I32) x86_mov_rr(buf, 4, d, d);
        else if (t != IR_I64) normalise(g, t, d);
        dest_done(g, v, d);
        return;
    }
    if (t == IR_I128) {
        opnd A = op_of(g, in->a);
        int ra;
        if (in->op == IR_OP_SEXT) {
            load_reg(g, 8, X86_RAX, A);
            ra = X86_RAX;
            if (s == IR_I1) x86_unary_r(buf, X86_NEG, 8, X86_RAX);
            else if (s == IR_I8) x86_movsx8_rr(buf, 8, X86_RAX, X86_RAX);
            else if (s == IR_I16) x86_movsx16_rr(buf, 8, X86_RAX, X86_RAX);
            else if (s == IR_I32) x86_movsxd_rr(buf, X86_RAX, X86_RAX);
            x86_mov_rr(buf, 8, X86_RDX, X86_RAX);
            x86_shift_ri(buf, X86_SAR, 8, X86_RDX, 63);
            flags_clobber(g);
            x86_mov_mr(buf, 8, dest_half(g, v, 0), X86_RAX);
            x86_mov_mr(buf, 8, dest_half(g, v, 1), X86_RDX);
        } else {
            store_opnd(g, 8, dest_half(g, v, 0), A);
            (void)ra;
            x86_mov_mi(buf, 8, dest_half(g, v, 1), 0);
        }
        return;
    }
    opnd A = op_of(g, in->a);
    int d = dest_reg(g, v);
    switch (in->op) {
    case IR_OP_ZEXT:
        load_reg(g, vsize(s), d, A);
        break;
    case IR_OP_TRUNC:
        if (t == IR_I32) {                 /* even in place: the mov clears bits 63:32 */
            int ra = in_reg(g, 8, A, X86_R11);
            x86_mov_rr(buf, 4, d, ra);
        } else {
            int ra = in_reg(g, 8, A, X86_R11);
            if (t == IR_I16) x86_movzx16_rr(buf, d, ra);
            else if (t == IR_I8) x86_movzx8_rr(buf, d, ra);
            else { if (ra != d) x86_mov_rr(buf, 4, d, ra); normalise(g, IR_I1, d); }
        }
        break;
    case IR_OP_SEXT: {
        int size = vsize(t);
        int ra = in_reg(g, 8, A, X86_R11);
        if (s == IR_I1) { if (ra != d) x86_mov_rr(buf, 4, d, ra); x86_unary_r(buf, X86_NEG, size, d); flags_clobber(g); }
        else if (s == IR_I8) x86_movsx8_rr(buf, size, d, ra);
        else if (s == IR_I16) x86_movsx16_rr(buf, size, d, ra);
        else x86_movsxd_rr(buf, d, ra);
        if (t == IR_I8 || t == IR_I16) normalise(g, t, d);
        break;
    }
    }
    dest_done(g, v, d);
}

static void gen_cmp(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_cond c = (ir_cond)in->cond;
    ir_type t = TY(g, in->a);
    uint32_t a = in->a, bv = in->b;
    /* reuse the flags of an earlier add/sub/logic op */
    if (g->fl_valid && g->fl_type == t) {
        if (g->fl_op == IR_OP_SUB && ir_same_value(g->b, g->fl_a, a) && ir_same_value(g->b, g->fl_b, bv)) {
            set_cond_flags(g, v, cc_of(c));
            if (!(g->cg->fuse_only[v] & CG_FLAG_ONLY)) materialise_cc(g, v, cc_of(c));
            return;
        }
        const struct ir_insn *bi = INS(g, bv);
        if (g->fl_result == a && bi->op == IR_OP_CONST && bi->imm == 0 &&
            (c == IR_EQ || c == IR_NE || c == IR_SLT || c == IR_SGE)) {
            enum x86_cc cc = c == IR_EQ ? X86_CC_E : c == IR_NE ? X86_CC_NE : c == IR_SLT ? X86_CC_S : X86_CC_NS;
            set_cond_flags(g, v, cc);
            if (!(g->cg->fuse_only[v] & CG_FLAG_ONLY)) materialise_cc(g, v, cc);
            return;
        }
    }
    int size = t == IR_I64 ? 8 : t == IR_I32 ? 4 : t == IR_I16 ? 2 : t == IR_I8 ? 1 : 4;
    opnd A = op_of(g, a), B = op_of(g, bv);
    if (A.kind == K_IMM && B.kind != K_IMM) { opnd s = A; A = B; B = s; c = swap_cond(c); uint32_t x = a; a = bv; bv = x; }
    if (B.kind == K_IMM && B.imm == 0 && A.kind == K_REG && (c == IR_EQ || c == IR_NE || c == IR_SLT || c == IR_SGE)) {
        x86_test_rr(g->buf, size, A.reg, A.reg);
        flags_clobber(g);
        enum x86_cc cc = c == IR_EQ ? X86_CC_E : c == IR_NE ? X86_CC_NE : c == IR_SLT ? X86_CC_S : X86_CC_NS;
        set_cond_flags(g, v, cc);
        if (!(g->cg->fuse_only[v] & CG_FLAG_ONLY)) materialise_cc(g, v, cc);
        return;
    }
    if (A.kind == K_MEM && B.kind != K_REG) {
        if (B.kind == K_IMM && imm_fits(size, B.imm)) {
            x86_alu_mi(g->buf, X86_CMP, size, slot_mem(A.off), (int32_t)(uint32_t)B.imm);
            goto done;
        }
        load_reg(g, 8, X86_R11, A);
        A = (opnd){ .kind = K_REG, .reg = X86_R11 };
    } else if (A.kind == K_IMM) {
        load_reg(g, 8, X86_R11, A);
        A = (opnd){ .kind = K_REG, .reg = X86_R11 };
    }
    if (A.kind == K_MEM) {                  /* B in a register: compare the other way */
        x86_alu_mr(g->buf, X86_CMP, size, slot_mem(A.off), B.reg);
    } else if (B.kind == K_IMM && (size < 8 || x86_fits_i32((int64_t)B.imm))) {
        x86_alu_ri(g->buf, X86_CMP, size, A.reg, (int32_t)(uint32_t)B.imm);
    } else if (B.kind == K_IMM) {
        x86_mov_ri(g->buf, X86_RDX, B.imm);
        x86_alu_rr(g->buf, X86_CMP, size, A.reg, X86_RDX);
    } else {
        alu(g, X86_CMP, size, A.reg, B);
    }
done:
    flags_clobber(g);
    if (t == IR_I32 || t == IR_I64) {
        g->fl_valid = true;
        g->fl_op = IR_OP_SUB;
        g->fl_a = a; g->fl_b = bv;
        g->fl_type = (uint8_t)t;
    }
    set_cond_flags(g, v, cc_of(c));
    if (!(g->cg->fuse_only[v] & CG_FLAG_ONLY)) materialise_cc(g, v, cc_of(c));
}

static void gen_select(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    enum x86_cc cc = cond_cc(g, in->a);
    opnd T_ = op_of(g, in->b), F = op_of(g, in->c);
    int d = dest_reg(g, v);
    /* cmov needs a register or memory source; immediates go through r11/rdx (mov keeps flags) */
    if (is_reg(T_, d)) {
        if (F.kind == K_IMM) { x86_mov_ri(g->buf, X86_R11, F.imm); F = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
        if (F.kind == K_REG) x86_cmov_rr(g->buf, x86_cc_invert(cc), size, d, F.reg);
        else x86_cmov_rm(g->buf, x86_cc_invert(cc), size, d, slot_mem(F.off));
    } else {
        if (T_.kind == K_IMM) { x86_mov_ri(g->buf, X86_R11, T_.imm); T_ = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
        load_reg(g, size, d, F);
        if (T_.kind == K_REG) x86_cmov_rr(g->buf, cc, size, d, T_.reg);
        else x86_cmov_rm(g->buf, cc, size, d, slot_mem(T_.off));
    }
    dest_done(g, v, d);
}

/* C or V of x + y + cin (I32/I64), from the flags of the matching add if possible. */
static void gen_addflag(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, in->a);
    int size = vsize(t);
    bool carry = in->op == IR_OP_ADD_CARRY;
    bool sub = in->op == IR_OP_SUB_OVERFLOW;
    uint32_t a = in->a, bv = in->b, cin = sub ? 0 : in->c;
    const struct ir_insn *ci = cin ? INS(g, cin) : NULL;
    bool cin0 = ci && ci->op == IR_OP_CONST && ci->imm == 0;
    enum x86_cc cc = carry ? X86_CC_B : X86_CC_O;
    if (g->fl_valid && g->fl_type == t) {
        bool match = false;
        if (sub) match = g->fl_op == IR_OP_SUB && ir_same_value(g->b, g->fl_a, a) && ir_same_value(g->b, g->fl_b, bv);
        else if (cin0) match = g->fl_op == IR_OP_ADD && ((ir_same_value(g->b, g->fl_a, a) && ir_same_value(g->b, g->fl_b, bv)) ||
                                                          (ir_same_value(g->b, g->fl_a, bv) && ir_same_value(g->b, g->fl_b, a)));
        else match = g->fl_op == IR_OP_ADC && ir_same_value(g->b, g->fl_a, a) && ir_same_value(g->b, g->fl_b, bv) && ir_same_value(g->b, g->fl_c, cin);
        if (match) { materialise_cc(g, v, cc); set_cond_flags(g, v, cc); return; }
    }
    load_reg(g, size, X86_RAX, op_of(g, a));
    opnd B = op_of(g, bv);
    if (B.kind == K_IMM && !imm_fits(size, B.imm)) { x86_mov_ri(g->buf, X86_R11, B.imm); B = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
    if (sub) {
        alu(g, X86_SUB, size, X86_RAX, B);
    } else if (cin0) {
        alu(g, X86_ADD, size, X86_RAX, B);
    } else {
        opnd C = op_of(g, cin);
        if (C.kind == K_IMM) { if (C.imm & 1) x86_stc(g->buf); else x86_clc(g->buf); }
        else if (C.kind == K_REG) x86_bt_ri(g->buf, 4, C.reg, 0);
        else x86_bt_mi(g->buf, 4, slot_mem(C.off), 0);
        alu(g, X86_ADC, size, X86_RAX, B);
    }
    flags_clobber(g);
    g->fl_valid = true;
    g->fl_op = sub ? IR_OP_SUB : cin0 ? IR_OP_ADD : IR_OP_ADC;
    g->fl_a = a; g->fl_b = bv; g->fl_c = cin;
    g->fl_type = (uint8_t)t;
    materialise_cc(g, v, cc);
    set_cond_flags(g, v, cc);
}

static void gen_adc(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    int size = vsize(t);
    opnd A = op_of(g, in->a), B = op_of(g, in->b), C = op_of(g, in->c);
    int d = dest_reg(g, v);
    if (is_reg(B, d) && !is_reg(A, d)) { opnd s = A; A = B; B = s; }
    if (is_reg(C, d) && !is_reg(A, d)) { x86_mov_rr(g->buf, 4, X86_RDX, d); C = (opnd){ .kind = K_REG, .reg = X86_RDX }; }
    if (B.kind == K_IMM && !imm_fits(size, B.imm)) { x86_mov_ri(g->buf, X86_R11, B.imm); B = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
    load_reg(g, size, d, A);
    if (C.kind == K_IMM) { if (C.imm & 1) x86_stc(g->buf); else x86_clc(g->buf); }
    else if (C.kind == K_REG) x86_bt_ri(g->buf, 4, C.reg, 0);
    else x86_bt_mi(g->buf, 4, slot_mem(C.off), 0);
    alu(g, X86_ADC, size, d, B);
    flags_clobber(g);
    g->fl_valid = true;
    g->fl_op = IR_OP_ADC;
    g->fl_a = in->a; g->fl_b = in->b; g->fl_c = in->c;
    g->fl_type = (uint8_t)t;
    g->fl_result = v;
    dest_done(g, v, d);
}

/* ---- memory ------------------------------------------------------------------------ */
/* Remembers that the host instructions emitted since `start` access guest memory for
 * IR instruction `insn` (a host fault there is a guest fault at its snapshot). */
static void fault_site(struct gen *g, const uint8_t *start, uint32_t insn)
{
    struct jit_cg *cg = g->cg;
    if (cg->n_sites == cg->cap_sites) {
        uint32_t c = cg->cap_sites ? cg->cap_sites * 2 : 64;
        struct jit_cg_site *p = fy_alloc(c * sizeof(*p));
        if (cg->sites) { memcpy(p, cg->sites, cg->n_sites * sizeof(*p)); fy_free(cg->sites); }
        cg->sites = p;
        cg->cap_sites = c;
    }
    cg->sites[cg->n_sites++] = (struct jit_cg_site){ .start = (uint32_t)(start - g->buf->start),
                                                     .end = (uint32_t)(g->buf->p - g->buf->start),
                                                     .insn = insn };
}

static int log2_size(unsigned bytes) { return bytes == 1 ? 0 : bytes == 2 ? 1 : bytes == 4 ? 2 : bytes == 8 ? 3 : 4; }

/* Emits the bounds check for an access of `bytes` at the address operand and returns
 * the host memory operand; a failing check jumps to a fault stub. */
static x86_mem guest_addr(struct gen *g, const struct ir_insn *in, unsigned bytes, bool *always_faults)
{
    opnd A = op_of(g, in->a);
    *always_faults = false;
    struct jit_cold *c;
    if (A.kind == K_IMM) {
        uint64_t a = A.imm;
        if (a <= g->env->mem_limit && bytes <= g->env->mem_limit - a) {
            if (x86_fits_i32((int64_t)a)) return x86_mem_bd(JIT_REG_MEMBASE, (int32_t)a);
            x86_mov_ri(g->buf, X86_R11, a);
            return x86_mem_bi(JIT_REG_MEMBASE, X86_R11, 0);
        }
        c = cold_new(g);
        c->kind = COLD_FAULT;
        c->exit_kind = IR_EXIT_DATA_ABORT;
        c->addr_reg = -1;
        c->addr_imm = a;
        c->snap = in->c;
        c->pc = g->b->snaps[in->c].pc;
        c->site = x86_jmp32(g->buf, g->buf->p);
        *always_faults = true;
        return x86_mem_bd(JIT_REG_MEMBASE, 0);
    }
    int ra = in_reg(g, 8, A, X86_R11);
    x86_alu_rm(g->buf, X86_CMP, 8, ra, x86_mem_rip(&g->env->limits[log2_size(bytes)]));
    flags_clobber(g);
    c = cold_new(g);
    c->kind = COLD_FAULT;
    c->exit_kind = IR_EXIT_DATA_ABORT;
    c->addr_reg = (int8_t)ra;
    c->snap = in->c;
    c->pc = g->b->snaps[in->c].pc;
    c->site = x86_jcc32(g->buf, X86_CC_A, g->buf->p);
    return x86_mem_bi(JIT_REG_MEMBASE, ra, 0);
}

static void gen_load(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    ir_type t = TY(g, v);
    unsigned bytes = ir_type_bytes(t);
    bool never;
    x86_mem m = guest_addr(g, in, bytes, &never);
    if (in->op == IR_OP_LOAD_EXCL) {
        opnd A = op_of(g, in->a);
        int ra = in_reg(g, 8, A, X86_R11);
        x86_mov_mr(g->buf, 8, x86_mem_rip(g->env->monitor), ra);
    }
    if (never) return;
    const uint8_t *start = g->buf->p;
    if (g->b->loc[v] == LOC_NONE) {
        /* the value is dead but the access may fault: it must still happen */
        if (t == IR_I128) {
            x86_mov_rm(g->buf, 8, X86_RAX, m);
            m.disp += 8;
            x86_mov_rm(g->buf, 8, X86_RAX, m);
        } else if (bytes <= 2) {
            x86_movzx_rm(g->buf, (int)bytes, X86_RAX, m);
        } else {
            x86_mov_rm(g->buf, (int)bytes, X86_RAX, m);
        }
        fault_site(g, start, v);
        return;
    }
    if (t == IR_I128) {
        x86_mov_rm(g->buf, 8, X86_RAX, m);
        x86_mov_mr(g->buf, 8, dest_half(g, v, 0), X86_RAX);
        m.disp += 8;
        x86_mov_rm(g->buf, 8, X86_RAX, m);
        fault_site(g, start, v);
        x86_mov_mr(g->buf, 8, dest_half(g, v, 1), X86_RAX);
        return;
    }
    int d = dest_reg(g, v);
    if (bytes <= 2) x86_movzx_rm(g->buf, (int)bytes, d, m);
    else x86_mov_rm(g->buf, (int)bytes, d, m);
    fault_site(g, start, v);
    dest_done(g, v, d);
}

static void store_value(struct gen *g, uint32_t val, x86_mem m)
{
    ir_type t = TY(g, val);
    if (t == IR_I128) {
        for (int h = 0; h < 2; h++) {
            opnd o = half(g, val, h);
            x86_mem mh = m;
            mh.disp += 8 * h;
            if (o.kind == K_MEM) { x86_mov_rm(g->buf, 8, X86_RAX, slot_mem(o.off)); x86_mov_mr(g->buf, 8, mh, X86_RAX); }
            else if (o.kind == K_IMM && !x86_fits_i32((int64_t)o.imm)) { x86_mov_ri(g->buf, X86_RAX, o.imm); x86_mov_mr(g->buf, 8, mh, X86_RAX); }
            else store_opnd(g, 8, mh, o);
        }
        return;
    }
    unsigned bytes = ir_type_bytes(t);
    opnd o = op_of(g, val);
    if (o.kind == K_MEM) { x86_mov_rm(g->buf, 8, X86_RAX, slot_mem(o.off)); o = (opnd){ .kind = K_REG, .reg = X86_RAX }; }
    else if (o.kind == K_IMM && bytes == 8 && !x86_fits_i32((int64_t)o.imm)) { x86_mov_ri(g->buf, X86_RAX, o.imm); o = (opnd){ .kind = K_REG, .reg = X86_RAX }; }
    store_opnd(g, (int)bytes, m, o);
}

/* ---- the system memory model: accesses call the runtime ----------------------------- */
static const int8_t mem_arg_regs[5] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8 };
/* The loaded value comes back through the save area's rsp slot (never used to save). */
#define MEM_RESULT_SLOT (8 * X86_RSP)

static void keep_if_caller_saved(struct gen *g, uint32_t v, uint32_t *mask)
{
    const struct ir_insn *in = INS(g, v);
    if (in->op == IR_OP_LAZY_FLAG) {            /* recomputed from its operands */
        keep_if_caller_saved(g, in->a, mask);
        keep_if_caller_saved(g, in->b, mask);
        return;
    }
    int32_t l = g->b->loc[v];
    if (loc_is_reg(l) && (JIT_CALLER_SAVED & (1u << l))) *mask |= 1u << l;
}

/* Calls the runtime's load (value != 0: store of that value) of `bytes` (<= 8) at the
 * address operand + disp; a fault leaves through a fault stub with the state precise.
 * Registers the call may clobber are kept: the live ones, and those of the snapshot the
 * fault stub stores (they may die at this very access). */
static void sys_access(struct gen *g, uint32_t i, const struct ir_insn *in, unsigned bytes, int32_t disp,
                       opnd value, bool store)
{
    x86_buf *buf = g->buf;
    const struct jit_system_memory *sys = g->env->system;
    uint32_t save = g->cg->save_mask[i];
    keep_if_caller_saved(g, in->a, &save);
    const struct ir_snapshot *s = &g->b->snaps[in->c];
    for (uint32_t k = 0; k < s->count; k++) keep_if_caller_saved(g, g->b->snap_regs[s->first + k].val, &save);
    if (value.kind == K_REG && (JIT_CALLER_SAVED & (1u << value.reg))) save |= 1u << value.reg;
    for (int r = 0; r < 16; r++)
        if (save & (1u << r)) x86_mov_mr(buf, 8, slot_mem(8 * r), r);
    /* sources in caller-saved registers are read back from the save area */
    opnd addr = op_of(g, in->a);
    if (addr.kind == K_REG && (save & (1u << addr.reg))) addr = (opnd){ .kind = K_MEM, .off = 8 * addr.reg };
    if (value.kind == K_REG && (save & (1u << value.reg))) value = (opnd){ .kind = K_MEM, .off = 8 * value.reg };
    load_reg(g, 8, mem_arg_regs[1], addr);
    if (disp) x86_alu_ri(buf, X86_ADD, 8, mem_arg_regs[1], disp);
    x86_mov_ri(buf, mem_arg_regs[2], bytes);
    x86_mov_ri(buf, mem_arg_regs[3], (in->cond & IR_MEM_UNPRIV) ? 1 : 0);
    if (store) load_reg(g, 8, mem_arg_regs[4], value);
    else x86_lea(buf, 8, mem_arg_regs[4], slot_mem(MEM_RESULT_SLOT));
    x86_mov_ri(buf, mem_arg_regs[0], (uint64_t)(uintptr_t)sys->ctx);
    x86_mov_ri(buf, X86_RAX, (uint64_t)(uintptr_t)(store ? (const void *)sys->store : (const void *)sys->load));
    x86_call_r(buf, X86_RAX);
    for (int r = 0; r < 16; r++)
        if (save & (1u << r)) x86_mov_rm(buf, 8, r, slot_mem(8 * r));
    x86_test_rr(buf, 1, X86_RAX, X86_RAX);
    flags_clobber(g);
    struct jit_cold *c = cold_new(g);
    c->kind = COLD_FAULT;
    c->exit_kind = IR_EXIT_DATA_ABORT;       /* the runtime recorded the exception */
    c->addr_reg = -1;
    c->snap = in->c;
    c->pc = s->pc;
    c->site = x86_jcc32(buf, X86_CC_E, buf->p);
}

/* The inline software TLB lookup for an access of `bytes` at the address operand:
 * leaves the entry in r11 and jumps to a new slow-access stub on a miss (its index is
 * returned: the list may move). The address stays in *ra (its own register, or rdx).
 * Unprivileged accesses (and every access of an EL0 block) use the EL0 view. */
static uint32_t tlb_lookup(struct gen *g, uint32_t i, const struct ir_insn *in, unsigned bytes,
                           bool store, int *ra)
{
    x86_buf *buf = g->buf;
    opnd A = op_of(g, in->a);
    *ra = in_reg(g, 8, A, X86_RDX);
    unsigned view = (in->cond & IR_MEM_UNPRIV) ? 0 : 1;
    _Static_assert(sizeof(struct jit_tlb_entry) == 32, "entries are 32 bytes");
    /* r11 = the entry's address: (va >> 12) % entries * 32 in two steps */
    x86_mov_rr(buf, 8, X86_R11, *ra);
    x86_shift_ri(buf, X86_SHR, 8, X86_R11, 12 - 5);
    x86_alu_ri(buf, X86_AND, 4, X86_R11, (JIT_TLB_ENTRIES - 1) << 5);
    x86_lea(buf, 8, X86_R11, (x86_mem){ .base = JIT_REG_MEMBASE, .index = X86_R11, .scale = 1,
                                         .disp = (int32_t)(view * JIT_TLB_ENTRIES * sizeof(struct jit_tlb_entry)) });
    x86_lea(buf, 8, X86_RAX, x86_mem_bd(*ra, (int32_t)bytes - 1));
    x86_alu_ri(buf, X86_AND, 8, X86_RAX, (int32_t)0xfffff000);
    x86_alu_rm(buf, X86_CMP, 8, X86_RAX, x86_mem_bd(X86_R11, store ? 8 : 0));
    flags_clobber(g);
    struct jit_cold *c = cold_new(g);
    c->kind = COLD_SLOW_ACCESS;
    c->insn = i;
    c->site = x86_jcc32(buf, X86_CC_NE, buf->p);
    return (uint32_t)(c - g->cg->cold);
}

static void sys_load(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    if (g->env->system->fast_tlb) {
        ir_type t = TY(g, v);
        int ra;
        uint32_t c = tlb_lookup(g, v, in, ir_type_bytes(t), false, &ra);
        if (g->b->loc[v] == LOC_NONE) {      /* a hit cannot fault: nothing to do */
            g->cg->cold[c].resume = g->buf->p;
            return;
        }
        x86_mov_rm(g->buf, 8, X86_RAX, x86_mem_bd(X86_R11, 16));
        if (t == IR_I128) {
            x86_lea(g->buf, 8, X86_RDX, (x86_mem){ .base = ra, .index = X86_RAX, .scale = 1 });
            for (int h = 0; h < 2; h++) {
                x86_mov_rm(g->buf, 8, X86_RAX, x86_mem_bd(X86_RDX, 8 * h));
                x86_mov_mr(g->buf, 8, dest_half(g, v, h), X86_RAX);
            }
            g->cg->cold[c].resume = g->buf->p;
            return;
        }
        int d = dest_reg(g, v);
        x86_mem m = { .base = ra, .index = X86_RAX, .scale = 1 };
        unsigned bytes = ir_type_bytes(t);
        if (bytes <= 2) x86_movzx_rm(g->buf, (int)bytes, d, m);
        else x86_mov_rm(g->buf, (int)bytes, d, m);
        g->cg->cold[c].resume = g->buf->p;
        dest_done(g, v, d);
        return;
    }
    ir_type t = TY(g, v);
    bool dead = g->b->loc[v] == LOC_NONE;
    if (t == IR_I128) {
        for (int h = 0; h < 2; h++) {
            sys_access(g, v, in, 8, 8 * h, (opnd){ .kind = K_IMM }, false);
            if (dead) continue;
            x86_mov_rm(g->buf, 8, X86_RAX, slot_mem(MEM_RESULT_SLOT));
            x86_mov_mr(g->buf, 8, dest_half(g, v, h), X86_RAX);
        }
        return;
    }
    sys_access(g, v, in, ir_type_bytes(t), 0, (opnd){ .kind = K_IMM }, false);
    if (dead) return;
    int d = dest_reg(g, v);
    x86_mov_rm(g->buf, 8, d, slot_mem(MEM_RESULT_SLOT));
    dest_done(g, v, d);
}

static void sys_store(struct gen *g, uint32_t i, const struct ir_insn *in)
{
    ir_type t = TY(g, in->b);
    if (g->env->system->fast_tlb) {
        int ra;
        uint32_t c = tlb_lookup(g, i, in, ir_type_bytes(t), true, &ra);
        x86_mov_rm(g->buf, 8, X86_R11, x86_mem_bd(X86_R11, 16));
        x86_lea(g->buf, 8, X86_RDX, (x86_mem){ .base = ra, .index = X86_R11, .scale = 1 });
        store_value(g, in->b, x86_mem_bd(X86_RDX, 0));   /* its scratch is rax and r11 */
        g->cg->cold[c].resume = g->buf->p;
        return;
    }
    if (t == IR_I128) {
        for (int h = 0; h < 2; h++) sys_access(g, i, in, 8, 8 * h, half(g, in->b, h), true);
        return;
    }
    sys_access(g, i, in, ir_type_bytes(t), 0, op_of(g, in->b), true);
}

/* IR_OP_CHECK_ALIGN: a misaligned address leaves through an alignment-fault stub. */
static void gen_check_align(struct gen *g, const struct ir_insn *in)
{
    unsigned bytes = (unsigned)(in->imm & 0xff);
    opnd A = op_of(g, in->a);
    if (A.kind == K_IMM && (A.imm & (bytes - 1)) == 0) return;
    struct jit_cold *c = cold_new(g);
    c->kind = COLD_FAULT;
    c->exit_kind = (in->imm & IR_CHECK_ALIGN_SP) ? IR_EXIT_SP_ALIGNMENT
                 : (in->imm >> 8) & 1 ? IR_EXIT_ALIGNMENT_WRITE : IR_EXIT_ALIGNMENT;
    c->snap = in->c;
    c->pc = g->b->snaps[in->c].pc;
    if (A.kind == K_IMM) {
        c->addr_reg = -1;
        c->addr_imm = A.imm;
        c->site = x86_jmp32(g->buf, g->buf->p);
        return;
    }
    int ra = in_reg(g, 8, A, X86_R11);
    x86_test_ri(g->buf, 4, ra, (int32_t)(bytes - 1));
    flags_clobber(g);
    c->addr_reg = (int8_t)ra;
    c->site = x86_jcc32(g->buf, X86_CC_NE, g->buf->p);
}

static void gen_store(struct gen *g, uint32_t i, const struct ir_insn *in)
{
    bool never;
    x86_mem m = guest_addr(g, in, ir_type_bytes(TY(g, in->b)), &never);
    if (never) return;
    const uint8_t *start = g->buf->p;
    store_value(g, in->b, m);
    fault_site(g, start, i);
}

static void gen_store_excl(struct gen *g, uint32_t v, const struct ir_insn *in)
{
    x86_buf *buf = g->buf;
    opnd A = op_of(g, in->a);
    int ra = in_reg(g, 8, A, X86_R11);
    x86_alu_rm(buf, X86_CMP, 8, ra, x86_mem_rip(g->env->monitor));
    uint8_t *jfail = x86_jcc32(buf, X86_CC_NE, buf->p);
    bool never;
    x86_mem m = guest_addr(g, in, ir_type_bytes(TY(g, in->b)), &never);
    if (!never) {
        const uint8_t *start = buf->p;
        store_value(g, in->b, m);
        fault_site(g, start, v);
    }
    x86_mov_mi(buf, 8, x86_mem_rip(g->env->monitor), -1);
    int d = loc_is_reg(g->b->loc[v]) ? g->b->loc[v] : X86_RAX;
    x86_mov_ri(buf, d, 0);
    uint8_t *jdone = x86_jmp8(buf, buf->p);
    x86_patch_rel32(jfail, buf->p);
    x86_mov_mi(buf, 8, x86_mem_rip(g->env->monitor), -1);
    x86_mov_ri(buf, d, 1);
    x86_patch_rel8(jdone, buf->p);
    flags_clobber(g);
    if (loc_is_slot(g->b->loc[v])) dest_done(g, v, d);
}

/* ---- instruction tracing (jit/jit_trace.h) ---------------------------------------------- */
/* JIT_REG_TRACE = the trace cursor; only rax and r11 are used besides (store_value),
 * and no instruction here touches the x86 flags. */
static void trace_store_word(struct gen *g, int32_t disp, uint64_t word)
{
    x86_mem m = x86_mem_bd(JIT_REG_TRACE, disp);
    if (x86_fits_i32((int64_t)word)) x86_mov_mi(g->buf, 8, m, (int32_t)word);
    else { x86_mov_ri(g->buf, X86_R11, word); x86_mov_mr(g->buf, 8, m, X86_R11); }
}

static void trace_advance(struct gen *g, int32_t bytes)
{
    x86_lea(g->buf, 8, JIT_REG_TRACE, x86_mem_bd(JIT_REG_TRACE, bytes));
}

/* A value word: I1..I64 zero-extended to 8 bytes (the codegen keeps them so in
 * registers and slots), I128 as two. Returns the bytes written. */
static int32_t trace_value(struct gen *g, uint32_t v, int32_t disp)
{
    x86_mem m = x86_mem_bd(JIT_REG_TRACE, disp);
    if (TY(g, v) == IR_I128) {
        store_value(g, v, m);
        return 16;
    }
    opnd o = op_of(g, v);
    if (o.kind == K_REG) x86_mov_mr(g->buf, 8, m, o.reg);
    else if (o.kind == K_MEM) { x86_mov_rm(g->buf, 8, X86_RAX, slot_mem(o.off)); x86_mov_mr(g->buf, 8, m, X86_RAX); }
    else trace_store_word(g, disp, o.imm);
    return 8;
}

static void gen_trace(struct gen *g, const struct ir_insn *in)
{
    if (g->env->trace_mode == JIT_TRACE_REPLAY) {
        /* a load's value into its slot of the entry the prologue reserved */
        store_value(g, in->a, x86_mem_bd(JIT_REG_TRACE, g->trace_slot));
        g->trace_slot += (int32_t)ir_type_bytes(TY(g, in->a));
        return;
    }
    trace_store_word(g, 0, in->imm);
    int32_t off = 8;
    if (in->a) off += trace_value(g, in->a, off);
    if (in->b) off += trace_value(g, in->b, off);
    if (in->c) off += trace_value(g, in->c, off);
    trace_advance(g, off);
}

/* The recorder's thread reads each buffer line this code writes, so a store to a line of
 * a reused buffer finds it in the other core's cache: fetched on demand, the stores
 * stall the guest (block mode on code of short blocks ran 2-3x slower than with the
 * recorder not reading them). Each block asks for the lines of its items
 * TRACE_PREFETCH_AHEAD bytes early, so consecutive blocks cover every line (but those
 * past the first TRACE_PREFETCH_MAX_LINES of a long block's items). */
enum { TRACE_PREFETCH_AHEAD = 2048, TRACE_PREFETCH_MAX_LINES = 64 };

static void trace_prefetch(struct gen *g, uint32_t words)
{
    if (!jit_cpu.prefetchw) return;
    uint32_t lines = (words * 8 + 63) / 64;
    if (lines > TRACE_PREFETCH_MAX_LINES) lines = TRACE_PREFETCH_MAX_LINES;   /* bounds code size */
    for (uint32_t k = 0; k < lines; k++)
        x86_prefetchw(g->buf, x86_mem_bd(JIT_REG_TRACE, TRACE_PREFETCH_AHEAD + 64 * (int32_t)k));
}

/* The block's start when tracing: leave with IR_EXIT_TRACE_FULL unless its items fit
 * (nothing has run: the runtime drains the buffer and enters the block again), then, in
 * block and replay mode, its BLOCK_ID item (the jit described the block when it
 * translated it); replay mode reserves the entry's slots behind it, which the block's
 * loads fill (gen_trace), so a block that leaves early still moves the cursor past a
 * whole entry. A self-loop (BLOCK_RUN) has no slots: the jit keeps blocks with loads
 * out of loop translations in replay mode. */
static void trace_prologue(struct gen *g)
{
    bool replay = g->env->trace_mode == JIT_TRACE_REPLAY;
    bool blocks = g->env->trace_mode == JIT_TRACE_BLOCKS || replay, run = blocks && g->b->loop_mode;
    uint32_t slot_words = replay ? ir_block_trace_words(g->b) : 0;
    uint32_t words = run ? 2u : blocks ? 1u + slot_words : ir_block_trace_words(g->b);
    g->trace_slot = -(int32_t)(slot_words * 8);
    x86_buf *buf = g->buf;
    x86_lea(buf, 8, X86_RAX, x86_mem_bd(JIT_REG_TRACE, (int32_t)(words * 8)));
    x86_alu_rm(buf, X86_CMP, 8, X86_RAX, x86_mem_rip(g->env->trace_limit));
    flags_clobber(g);
    struct jit_cold *c = cold_new(g);
    c->kind = COLD_TRACE_FULL;
    c->pc = g->b->guest_pc;
    c->site = x86_jcc32(buf, X86_CC_A, buf->p);
    trace_prefetch(g, words);
    /* a block that faults before its first instruction (a fetch abort) ran nothing */
    if (!blocks || ir_block_guest_insns(g->b) == 0) return;
    if (run) {
        /* a run of no entries yet: each pass through the loop head counts one */
        trace_store_word(g, 0, JIT_TRACE_BLOCK_RUN | (uint64_t)g->env->trace_block_id << 4);
        trace_store_word(g, 8, 0);
        x86_mov_mr(buf, 8, x86_mem_rip(g->env->trace_run), JIT_REG_TRACE);
    } else {
        trace_store_word(g, 0, JIT_TRACE_BLOCK_ID | (uint64_t)g->env->trace_block_id << 4);
    }
    x86_mov_rr(buf, 8, JIT_REG_TRACE, X86_RAX);   /* rax = the cursor + 8 * words */
}

/* Block mode, a loop's head: one more entry of the block in its BLOCK_RUN item (r11 and
 * the flags are free here). */
static void trace_loop_head(struct gen *g)
{
    x86_mov_rm(g->buf, 8, X86_R11, x86_mem_rip(g->env->trace_run));
    x86_alu_mi(g->buf, X86_ADD, 8, x86_mem_bd(X86_R11, 8), 1);
}

/* ---- helper calls ------------------------------------------------------------------- */
static const int8_t arg_regs[6] = { X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_R9 };

static void gen_call(struct gen *g, uint32_t v, const struct ir_insn *in, uint32_t i)
{
    x86_buf *buf = g->buf;
    ir_block *b = g->b;
    const uint32_t caller_saved = JIT_CALLER_SAVED;
    uint32_t save = g->cg->save_mask[i];
    /* arguments living in caller-saved registers are read back from the save area,
     * so loading the argument registers can never clobber a source */
    uint32_t arg_src = 0;
    for (uint32_t k = 0; k < in->b; k++) {
        int32_t l = b->loc[b->args[in->a + k]];
        if (loc_is_reg(l) && (caller_saved & (1u << l))) arg_src |= 1u << l;
    }
    uint32_t spill = save | arg_src;
    for (int r = 0; r < 16; r++)
        if (spill & (1u << r)) x86_mov_mr(buf, 8, slot_mem(8 * r), r);
    unsigned slot = 1;
    x86_mov_rr(buf, 8, X86_RDI, JIT_REG_STATE);
    for (uint32_t k = 0; k < in->b; k++) {
        uint32_t a = b->args[in->a + k];
        if (TY(g, a) == IR_I128) {
            for (int h = 0; h < 2; h++) load_reg(g, 8, arg_regs[slot++], half(g, a, h));
            continue;
        }
        opnd o = op_of(g, a);
        if (o.kind == K_REG && (caller_saved & (1u << o.reg))) o = (opnd){ .kind = K_MEM, .off = 8 * o.reg };
        load_reg(g, 8, arg_regs[slot++], o);
    }
    x86_mov_ri(buf, X86_RAX, in->imm);
    x86_call_r(buf, X86_RAX);
    for (int r = 0; r < 16; r++)
        if (save & (1u << r)) x86_mov_rm(buf, 8, r, slot_mem(8 * r));
    flags_clobber(g);
    if (in->cond || b->loc[v] == LOC_NONE) return;
    ir_type t = TY(g, v);
    if (t == IR_I128) {
        x86_mov_mr(buf, 8, dest_half(g, v, 0), X86_RAX);
        x86_mov_mr(buf, 8, dest_half(g, v, 1), X86_RDX);
        return;
    }
    /* C leaves the upper bits of narrow return values undefined */
    if (t == IR_I1) x86_alu_ri(buf, X86_AND, 4, X86_RAX, 1);
    else if (t == IR_I8) x86_movzx8_rr(buf, X86_RAX, X86_RAX);
    else if (t == IR_I16) x86_movzx16_rr(buf, X86_RAX, X86_RAX);
    else if (t == IR_I32) x86_mov_rr(buf, 4, X86_RAX, X86_RAX);
    int32_t l = b->loc[v];
    if (loc_is_reg(l)) x86_mov_rr(buf, 8, l, X86_RAX);
    else x86_mov_mr(buf, 8, slot_mem(loc_slot_off(l)), X86_RAX);
}

/* ---- exits -------------------------------------------------------------------------- */
static void store_pc_imm(struct gen *g, uint64_t pc)
{
    x86_mem m = state_mem(g->env->pc_offset);
    if (x86_fits_i32((int64_t)pc)) x86_mov_mi(g->buf, 8, m, (int32_t)pc);
    else { x86_mov_ri(g->buf, X86_RAX, pc); x86_mov_mr(g->buf, 8, m, X86_RAX); }
}

/* With an exit request byte: before jumping to another block, leave to the runtime if
 * it is set (interrupts, timers and host requests are seen while chained code runs).
 * pc: where the guest continues, or ~0 when the PC is already stored. */
static void exit_request_check(struct gen *g, uint64_t pc)
{
    if (!g->env->exit_request) return;
    x86_alu_mi(g->buf, X86_CMP, 1, x86_mem_rip((const void *)g->env->exit_request), 0);
    flags_clobber(g);
    struct jit_cold *c = cold_new(g);
    c->kind = COLD_REQUEST;
    c->pc = pc;
    c->site = x86_jcc32(g->buf, X86_CC_NE, g->buf->p);
}

static void ind_jump(struct gen *g);

static void gen_exit_direct(struct gen *g, uint64_t target)
{
    exit_request_check(g, target);
    if (g->env->chain_within_page && (target >> 12) != (g->b->guest_pc >> 12)) {
        /* to another page: the runtime chains it to the target's guarded entry */
        struct jit_cold *c = cold_new(g);
        c->kind = COLD_EXIT_GUARDED;
        c->pc = target;
        c->site = x86_jmp32(g->buf, g->buf->p);
        return;
    }
    const void *host = g->env->lookup ? g->env->lookup(g->env->lookup_ctx, target) : NULL;
    if (host) {
        x86_jmp32(g->buf, host);
        g->cg->chained_exits++;
        return;
    }
    if (target == g->b->guest_pc) {
        x86_jmp32(g->buf, g->env->self_code ? g->env->self_code : g->buf->start);
        g->cg->chained_exits++;
        return;
    }
    struct jit_cold *c = cold_new(g);
    c->kind = COLD_EXIT;
    c->pc = target;
    c->site = x86_jmp32(g->buf, g->buf->p);
}

uint8_t *jit_codegen_guard(x86_buf *buf, const struct jit_cg_env *env, uint64_t pc, uint32_t epoch,
                           uint8_t **epoch_imm)
{
    if (!x86_buf_ensure(buf, 128)) return NULL;
    struct gen g = { .env = env, .buf = buf };
    /* the mapping may have changed: continue as an indirect branch to pc */
    uint8_t *fail = buf->p;
    x86_mov_ri(buf, X86_R11, pc);
    x86_mov_mr(buf, 8, state_mem(env->pc_offset), X86_R11);
    ind_jump(&g);
    uint8_t *entry = buf->p;
    /* cmp dword [rip + map_epoch], imm32: the imm32 form always, so it can be rewritten */
    x86_mem m = x86_mem_rip(env->map_epoch);
    x86_op_rm(buf, 4, 0x81, 1, X86_CMP, &m, false);
    *epoch_imm = buf->p;
    x86_w32(buf, epoch);
    x86_end(buf);
    x86_jcc32(buf, X86_CC_NE, fail);
    return entry;
}

static void gen_exit_indirect(struct gen *g, const struct ir_insn *in)
{
    load_reg(g, 8, X86_R11, op_of(g, in->a));
    x86_mov_mr(g->buf, 8, state_mem(g->env->pc_offset), X86_R11);
    exit_request_check(g, ~0ull);
    ind_jump(g);
}

/* To the block at the guest PC in r11 (already stored in the state) through the
 * indirect-branch table, or to the dispatcher. */
static void ind_jump(struct gen *g)
{
    x86_buf *buf = g->buf;
    const struct jit_cg_env *env = g->env;
    x86_mov_rr(buf, 4, X86_RAX, X86_R11);
    x86_alu_ri(buf, X86_AND, 4, X86_RAX, (int32_t)(env->ind_mask << 2));
    x86_lea(buf, 8, X86_RDX, x86_mem_rip(env->ind_table));
    x86_mem e = { .base = X86_RDX, .index = X86_RAX, .scale = 4, .disp = 0 };
    x86_alu_rm(buf, X86_CMP, 8, X86_R11, e);
    uint8_t *jne = x86_jcc8(buf, X86_CC_NE, buf->p);
    if (env->ind_hits) x86_op_rm(buf, 8, 0xff, 1, 0, &(x86_mem){ .base = X86_RIP, .index = X86_NOREG, .scale = 1, .rip_target = env->ind_hits }, false), x86_end(buf);
    e.disp = 8;
    x86_jmp_m(buf, e);
    x86_patch_rel8(jne, buf->p);
    x86_mov_ri(buf, X86_RAX, IR_EXIT_JUMP);
    x86_mov_ri(buf, X86_RDX, 0);
    x86_jmp32(buf, env->epilogue);
    flags_clobber(g);
}

static void gen_exit_special(struct gen *g, const struct ir_insn *in)
{
    store_pc_imm(g, in->imm);
    if (in->a) load_reg(g, 8, X86_RDX, op_of(g, in->a));
    else x86_mov_ri(g->buf, X86_RDX, g->b->consts_hi[in->b]);
    x86_mov_ri(g->buf, X86_RAX, in->cond);
    x86_jmp32(g->buf, g->env->epilogue);
}

/* ---- lazy flags (IR_OP_LAZY_FLAG) ---------------------------------------------------- */
/* Whether two lazy flags come from one operation (one x86 compare serves both). */
static bool same_lazy_op(struct gen *g, uint32_t v, uint32_t w)
{
    const struct ir_insn *x = INS(g, v), *y = INS(g, w);
    const uint64_t *k = g->b->consts_hi;
    return x->cond == y->cond && ir_same_value(g->b, x->a, y->a) && ir_same_value(g->b, x->b, y->b) &&
           k[x->c] == k[y->c] && k[x->c + 1] == k[y->c + 1];
}

/* Redoes a lazy flag's operation into the x86 flags (rax and r11 scratch). */
static void lazy_compute(struct gen *g, uint32_t v)
{
    const struct ir_insn *in = INS(g, v);
    int size = (in->cond & IR_LAZY_64) ? 8 : 4;
    unsigned kind = in->cond & IR_LAZY_KIND_MASK;
    uint64_t add_a = g->b->consts_hi[in->c], add_b = g->b->consts_hi[in->c + 1];
    /* addends fit a sign-extended imm32 (lazy_flags.c) */
    load_reg(g, 8, X86_RAX, op_of(g, in->a));
    if (add_a) alu(g, X86_ADD, size, X86_RAX, (opnd){ .kind = K_IMM, .imm = add_a });
    opnd y = op_of(g, in->b);
    if (add_b) {
        load_reg(g, 8, X86_R11, y);
        alu(g, X86_ADD, size, X86_R11, (opnd){ .kind = K_IMM, .imm = add_b });
        y = (opnd){ .kind = K_REG, .reg = X86_R11 };
    }
    alu(g, kind == IR_LAZY_SUB ? X86_CMP : kind == IR_LAZY_ADD ? X86_ADD : X86_AND, size, X86_RAX, y);
    flags_clobber(g);
}

/* The x86 condition that is the lazy flag after lazy_compute. */
static enum x86_cc lazy_cc(struct gen *g, uint32_t v)
{
    const struct ir_insn *in = INS(g, v);
    static const enum x86_cc sub_cc[4] = { X86_CC_S, X86_CC_E, X86_CC_AE, X86_CC_O };
    static const enum x86_cc add_cc[4] = { X86_CC_S, X86_CC_E, X86_CC_B, X86_CC_O };
    return ((in->cond & IR_LAZY_KIND_MASK) == IR_LAZY_SUB ? sub_cc : add_cc)[in->imm & 3];
}

/* Stores lazy flag v as a byte at m; *computed is the lazy flag whose operation the x86
 * flags hold (0: none), so the four flags of one operation cost one compare. */
static void store_lazy_flag(struct gen *g, uint32_t v, x86_mem m, uint32_t *computed)
{
    if (!*computed || !same_lazy_op(g, *computed, v)) {
        lazy_compute(g, v);
        *computed = v;
    }
    x86_setcc_m(g->buf, lazy_cc(g, v), m);
}

/* Stores the registers of a snapshot to the guest state (rax, r11 scratch; rdx kept). */
static bool store_snapshot(struct gen *g, uint32_t snap)
{
    x86_buf *buf = g->buf;
    ir_block *b = g->b;
    const struct ir_snapshot *s = &b->snaps[snap];
    uint32_t computed = 0;                  /* the stores below are movs: flags survive */
    for (uint32_t r = 0; r < s->count; r++) {
        if (!x86_buf_ensure(buf, 64)) return false;
        const struct ir_snap_reg *sr = &b->snap_regs[s->first + r];
        ir_type t = TY(g, sr->val);
        x86_mem m = state_mem(sr->offset);
        if (t == IR_I128) {
            for (int h = 0; h < 2; h++) {
                opnd o = half(g, sr->val, h);
                x86_mem mh = m;
                mh.disp += 8 * h;
                if (o.kind == K_IMM && !x86_fits_i32((int64_t)o.imm)) { x86_mov_ri(buf, X86_RAX, o.imm); x86_mov_mr(buf, 8, mh, X86_RAX); }
                else store_opnd(g, 8, mh, o);
            }
        } else if (INS(g, sr->val)->op == IR_OP_LAZY_FLAG) {
            store_lazy_flag(g, sr->val, m, &computed);
        } else {
            store_opnd(g, (int)ir_type_bytes(t), m, op_of(g, sr->val));
        }
    }
    return true;
}

static bool emit_cold(struct gen *g)
{
    x86_buf *buf = g->buf;
    for (uint32_t k = 0; k < g->cg->n_cold; k++) {
        struct jit_cold *c = &g->cg->cold[k];
        if (!x86_buf_ensure(buf, 64)) return false;
        x86_patch_rel32(c->site, buf->p);
        if (c->kind == COLD_EXIT_GUARDED) {
            store_pc_imm(g, c->pc);
            x86_lea(buf, 8, X86_RDX, x86_mem_rip(c->site));
            x86_mov_ri(buf, X86_RAX, JIT_PATCH_GUARDED);
            x86_alu_rr(buf, X86_XOR, 8, X86_RDX, X86_RAX);
            x86_mov_ri(buf, X86_RAX, IR_EXIT_JUMP);
            x86_jmp32(buf, g->env->epilogue);
            continue;
        }
        if (c->kind == COLD_EXIT) {
            store_pc_imm(g, c->pc);
            x86_lea(buf, 8, X86_RDX, x86_mem_rip(c->site));
            x86_mov_ri(buf, X86_RAX, IR_EXIT_JUMP);
            x86_jmp32(buf, g->env->epilogue);
            continue;
        }
        if (c->kind == COLD_SLOW_ACCESS) {
            /* the calls below add fault stubs to the list: work on a copy */
            struct jit_cold slow = *c;
            const struct ir_insn *in = INS(g, slow.insn);
            if (!x86_buf_ensure(buf, 1024)) return false;
            if (in->op == IR_OP_STORE) {
                ir_type t = TY(g, in->b);
                if (t == IR_I128)
                    for (int h = 0; h < 2; h++) sys_access(g, slow.insn, in, 8, 8 * h, half(g, in->b, h), true);
                else
                    sys_access(g, slow.insn, in, ir_type_bytes(t), 0, op_of(g, in->b), true);
            } else {
                uint32_t v = slow.insn;
                ir_type t = TY(g, v);
                if (t == IR_I128) {
                    for (int h = 0; h < 2; h++) {
                        sys_access(g, v, in, 8, 8 * h, (opnd){ .kind = K_IMM }, false);
                        if (g->b->loc[v] == LOC_NONE) continue;
                        x86_mov_rm(buf, 8, X86_RAX, slot_mem(MEM_RESULT_SLOT));
                        x86_mov_mr(buf, 8, dest_half(g, v, h), X86_RAX);
                    }
                } else {
                    sys_access(g, v, in, ir_type_bytes(t), 0, (opnd){ .kind = K_IMM }, false);
                    if (g->b->loc[v] != LOC_NONE) x86_mov_rm(buf, 8, dest_reg(g, v), slot_mem(MEM_RESULT_SLOT));
                }
            }
            x86_jmp32(buf, slow.resume);
            continue;
        }
        if (c->kind == COLD_TRACE_FULL) {
            store_pc_imm(g, c->pc);
            x86_mov_ri(buf, X86_RDX, 0);
            x86_mov_ri(buf, X86_RAX, IR_EXIT_TRACE_FULL);
            x86_jmp32(buf, g->env->epilogue);
            continue;
        }
        if (c->kind == COLD_REQUEST) {
            if (c->pc != ~0ull) store_pc_imm(g, c->pc);
            x86_mov_ri(buf, X86_RDX, 0);            /* not a chainable exit */
            x86_mov_ri(buf, X86_RAX, IR_EXIT_JUMP);
            x86_jmp32(buf, g->env->epilogue);
            continue;
        }
        if (c->kind == COLD_EDGE) {
            if (!store_snapshot(g, c->snap)) return false;
            x86_jmp32(buf, g->cg->host_at[c->label]);
            continue;
        }
        /* fault: state precise at the instruction, then DATA_ABORT with the address */
        if (c->addr_reg >= 0) x86_mov_rr(buf, 8, X86_RDX, c->addr_reg);
        else x86_mov_ri(buf, X86_RDX, c->addr_imm);
        if (!store_snapshot(g, c->snap)) return false;
        store_pc_imm(g, c->pc);
        x86_mov_ri(buf, X86_RAX, c->exit_kind);
        x86_jmp32(buf, g->env->epilogue);
    }
    return true;
}

/* ---- packed byte stores ------------------------------------------------------------ */
/* Four one-byte guest-state stores in a row covering four adjacent bytes (AArch64
 * NZCV after a flag-setting instruction) become one 32-bit store: store throughput is
 * what limits tight loops. The bytes are gathered in eax with movzx, rorx and lea,
 * none of which touch the x86 flags (a fused compare may still wait for its branch).
 * Returns the index of the last store handled, or 0 when the pattern does not apply. */
static uint32_t pack_byte_stores(struct gen *g, uint32_t i)
{
    ir_block *b = g->b;
    uint32_t idx[4], n = 0;
    uint32_t base = (uint32_t)b->insns[i].imm, seen = 0;
    for (uint32_t k = i; k < b->n_insns && n < 4; k++) {
        const struct ir_insn *in = &b->insns[k];
        if (in->op == IR_OP_NOP || in->op == IR_OP_CONST || in->op == IR_OP_INSN_START) continue;
        if (in->op != IR_OP_STORE_STATE) return 0;
        ir_type t = TY(g, in->a);
        if ((t != IR_I1 && t != IR_I8) || INS(g, in->a)->op == IR_OP_LAZY_FLAG) return 0;
        uint64_t off = in->imm;
        if (off < base) {
            if (base - off > 3 || (seen << (base - off)) > 0xf) return 0;
            seen <<= base - off;
            base = (uint32_t)off;
        } else if (off - base > 3) {
            return 0;
        }
        uint32_t bit = 1u << (off - base);
        if (seen & bit) return 0;
        seen |= bit;
        idx[n++] = k;
    }
    if (n < 4 || seen != 0xf) return 0;
    uint32_t consts = 0;
    bool have = false;
    for (unsigned k = 0; k < 4; k++) {
        const struct ir_insn *in = &b->insns[idx[k]];
        unsigned lane = (unsigned)(in->imm - base);
        opnd o = op_of(g, in->a);
        if (o.kind == K_IMM) { consts |= (uint32_t)(o.imm & 0xff) << (8 * lane); continue; }
        int r = have ? X86_R11 : X86_RAX;
        if (o.kind == K_REG) x86_movzx8_rr(g->buf, r, o.reg);
        else x86_movzx_rm(g->buf, 1, r, slot_mem(o.off));
        if (lane) x86_rorx(g->buf, 4, r, r, (uint8_t)(32 - 8 * lane));
        if (have) x86_lea(g->buf, 4, X86_RAX, (x86_mem){ .base = X86_RAX, .index = X86_R11, .scale = 1, .disp = 0 });
        have = true;
    }
    if (!have) x86_mov_ri(g->buf, X86_RAX, consts);
    else if (consts) x86_lea(g->buf, 4, X86_RAX, x86_mem_bd(X86_RAX, (int32_t)consts));
    x86_mov_mr(g->buf, 4, state_mem(base), X86_RAX);
    return idx[3];
}

/* ---- self-loop back edge -------------------------------------------------------------- */
/* The new values of the loop-carried registers go into the locations of their preloads
 * (a parallel move: a location may be both a source and a destination), then the code
 * jumps back to the loop head. rax breaks cycles, r11 carries memory-to-memory moves. */
static void gen_loop_back(struct gen *g, const struct ir_insn *in)
{
    enum { MAXMOVES = 64 };
    struct move { opnd src; int32_t dst; bool done; } mv[MAXMOVES];
    uint32_t n = 0;
    ir_block *b = g->b;
    x86_buf *buf = g->buf;
    for (uint32_t k = 0; k < in->b && n < MAXMOVES; k++) {
        uint32_t v = b->args[in->a + k], p = b->args[in->a + in->b + k];
        int32_t dst = b->loc[p];
        if (dst == LOC_NONE) continue;        /* the next iteration never reads it */
        opnd src = op_of(g, v);
        if (src.kind == K_REG && dst == src.reg) continue;
        if (src.kind == K_MEM && loc_is_slot(dst) && loc_slot_off(dst) == src.off) continue;
        mv[n++] = (struct move){ src, dst, false };
    }
    for (uint32_t left = n; left;) {
        bool progress = false;
        for (uint32_t k = 0; k < n; k++) {
            if (mv[k].done) continue;
            bool blocked = false;          /* is mv[k]'s destination still to be read? */
            for (uint32_t q = 0; q < n && !blocked; q++) {
                if (q == k || mv[q].done) continue;
                opnd s = mv[q].src;
                if (loc_is_reg(mv[k].dst)) blocked = s.kind == K_REG && s.reg == mv[k].dst;
                else blocked = s.kind == K_MEM && s.off == loc_slot_off(mv[k].dst);
            }
            if (blocked) continue;
            if (loc_is_reg(mv[k].dst)) load_reg(g, 8, mv[k].dst, mv[k].src);
            else {
                opnd s = mv[k].src;
                if (s.kind == K_IMM && !x86_fits_i32((int64_t)s.imm)) { x86_mov_ri(buf, X86_R11, s.imm); s = (opnd){ .kind = K_REG, .reg = X86_R11 }; }
                store_opnd(g, 8, slot_mem(loc_slot_off(mv[k].dst)), s);
            }
            mv[k].done = true;
            left--;
            progress = true;
        }
        if (progress) continue;
        /* only cycles remain: park one destination's current value in rax */
        for (uint32_t k = 0; k < n; k++) {
            if (mv[k].done) continue;
            int32_t d = mv[k].dst;
            opnd old = loc_is_reg(d) ? (opnd){ .kind = K_REG, .reg = (int8_t)d } : (opnd){ .kind = K_MEM, .off = loc_slot_off(d) };
            load_reg(g, 8, X86_RAX, old);
            for (uint32_t q = 0; q < n; q++) {
                if (mv[q].done) continue;
                opnd s = mv[q].src;
                if ((s.kind == K_REG && old.kind == K_REG && s.reg == old.reg) ||
                    (s.kind == K_MEM && old.kind == K_MEM && s.off == old.off))
                    mv[q].src = (opnd){ .kind = K_REG, .reg = X86_RAX };
            }
            break;
        }
    }
    x86_jmp32(buf, g->cg->loop_head);
    flags_clobber(g);
}

/* ---- driver -------------------------------------------------------------------------- */
bool jit_codegen(ir_block *b, struct jit_cg *cg, const struct jit_cg_env *env, x86_buf *buf)
{
    struct gen g = { .b = b, .cg = cg, .env = env, .buf = buf };
    cg->n_fix = 0;
    cg->n_cold = 0;
    cg->n_sites = 0;
    cg->chained_exits = 0;
    cg->loop_head = buf->start;
    for (uint32_t l = 0; l < b->n_labels; l++) cg->label_fix_head[l] = 0;
    find_flag_only_cmps(&g);
    if (env->trace_mode != JIT_TRACE_OFF) {
        if (!x86_buf_ensure(buf, 1024)) return false;   /* up to 64 prefetches */
        trace_prologue(&g);
    }

    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (!x86_buf_ensure(buf, 256)) return false;
        switch (in->op) {
        case IR_OP_NOP: case IR_OP_CONST: case IR_OP_INSN_START:
            break;
        case IR_OP_LOAD_STATE: {
            if (b->loc[i] == LOC_NONE) break;
            ir_type t = (ir_type)in->type;
            x86_mem m = state_mem((uint32_t)in->imm);
            if (t == IR_I128) {
                for (int h = 0; h < 2; h++) {
                    x86_mem mh = m;
                    mh.disp += 8 * h;
                    x86_mov_rm(buf, 8, X86_RAX, mh);
                    x86_mov_mr(buf, 8, dest_half(&g, i, h), X86_RAX);
                }
                break;
            }
            int d = dest_reg(&g, i);
            unsigned bytes = ir_type_bytes(t);
            if (bytes <= 2) x86_movzx_rm(buf, (int)bytes, d, m);
            else x86_mov_rm(buf, (int)bytes, d, m);
            dest_done(&g, i, d);
            break;
        }
        case IR_OP_STORE_STATE: {
            uint32_t last = jit_cpu.bmi2 ? pack_byte_stores(&g, i) : 0;
            if (last) { i = last; break; }
            if (INS(&g, in->a)->op == IR_OP_LAZY_FLAG) {
                /* this and the lazy flags stored right after it: one compare */
                uint32_t computed = 0;
                store_lazy_flag(&g, in->a, state_mem((uint32_t)in->imm), &computed);
                for (uint32_t k = next_real(&g, i); k && INS(&g, k)->op == IR_OP_STORE_STATE &&
                                                    INS(&g, INS(&g, k)->a)->op == IR_OP_LAZY_FLAG &&
                                                    same_lazy_op(&g, computed, INS(&g, k)->a);
                     k = next_real(&g, k)) {
                    store_lazy_flag(&g, INS(&g, k)->a, state_mem((uint32_t)INS(&g, k)->imm), &computed);
                    i = k;
                }
                break;
            }
            store_value(&g, in->a, state_mem((uint32_t)in->imm));
            break;
        }
        case IR_OP_LOCAL_READ: {
            if (b->loc[i] == LOC_NONE) break;
            int32_t off = (int32_t)cg->local_slot[in->a];
            if (in->type == IR_I128) {
                for (int h = 0; h < 2; h++) {
                    x86_mov_rm(buf, 8, X86_RAX, slot_mem(off + 8 * h));
                    x86_mov_mr(buf, 8, dest_half(&g, i, h), X86_RAX);
                }
                break;
            }
            int d = dest_reg(&g, i);
            x86_mov_rm(buf, 8, d, slot_mem(off));
            dest_done(&g, i, d);
            break;
        }
        case IR_OP_LOCAL_WRITE: {
            int32_t off = (int32_t)cg->local_slot[in->a];
            if (TY(&g, in->b) == IR_I128) store_value(&g, in->b, slot_mem(off));
            else {
                opnd o = op_of(&g, in->b);
                if (o.kind == K_MEM) { x86_mov_rm(buf, 8, X86_RAX, slot_mem(o.off)); o = (opnd){ .kind = K_REG, .reg = X86_RAX }; }
                if (o.kind == K_IMM && !x86_fits_i32((int64_t)o.imm)) { x86_mov_ri(buf, X86_RAX, o.imm); o = (opnd){ .kind = K_REG, .reg = X86_RAX }; }
                store_opnd(&g, 8, slot_mem(off), o);
            }
            break;
        }
        case IR_OP_ADD: case IR_OP_SUB: case IR_OP_AND: case IR_OP_OR: case IR_OP_XOR:
            gen_alu(&g, i, in); break;
        case IR_OP_MUL: gen_mul(&g, i, in); break;
        case IR_OP_UMULH: case IR_OP_SMULH: gen_mulh(&g, i, in); break;
        case IR_OP_UDIV: case IR_OP_SDIV: gen_div(&g, i, in); break;
        case IR_OP_FADD: case IR_OP_FSUB: case IR_OP_FMUL: case IR_OP_FDIV: gen_float(&g, i, in); break;
        case IR_OP_FFMA: gen_ffma(&g, i, in); break;
        case IR_OP_SHL: case IR_OP_LSHR: case IR_OP_ASHR: case IR_OP_ROR:
            if (shl_fuses_into_lea(&g, i, in)) cg->fuse_only[i] |= CG_LEA_INDEX;
            else gen_shift(&g, i, in);
            break;
        case IR_OP_NOT: case IR_OP_NEG: case IR_OP_CLZ: case IR_OP_CTZ: case IR_OP_POPCNT: case IR_OP_BSWAP:
            gen_unary(&g, i, in); break;
        case IR_OP_ZEXT: case IR_OP_SEXT: case IR_OP_TRUNC: gen_ext(&g, i, in); break;
        case IR_OP_HI64: {
            int d = dest_reg(&g, i);
            load_reg(&g, 8, d, half(&g, in->a, 1));
            dest_done(&g, i, d);
            break;
        }
        case IR_OP_CONCAT64:
            store_value(&g, in->b, dest_half(&g, i, 0));
            store_value(&g, in->a, dest_half(&g, i, 1));
            break;
        case IR_OP_CMP: gen_cmp(&g, i, in); break;
        case IR_OP_SELECT: gen_select(&g, i, in); break;
        case IR_OP_ADD_CARRY: case IR_OP_ADD_OVERFLOW: case IR_OP_SUB_OVERFLOW: gen_addflag(&g, i, in); break;
        case IR_OP_ADC: gen_adc(&g, i, in); break;
        case IR_OP_LOAD: case IR_OP_LOAD_EXCL:
            if (env->system && in->op == IR_OP_LOAD) sys_load(&g, i, in);
            else if (env->system) fy_panic("jit: exclusive accesses need the flat memory model");
            else gen_load(&g, i, in);
            break;
        case IR_OP_STORE:
            if (env->system) sys_store(&g, i, in);
            else gen_store(&g, i, in);
            break;
        case IR_OP_STORE_EXCL:
            if (env->system) fy_panic("jit: exclusive accesses need the flat memory model");
            gen_store_excl(&g, i, in);
            break;
        case IR_OP_CLEAR_EXCL: x86_mov_mi(buf, 8, x86_mem_rip(env->monitor), -1); break;
        case IR_OP_CHECK_ALIGN: gen_check_align(&g, in); break;
        case IR_OP_CALL: gen_call(&g, i, in, i); break;
        case IR_OP_LABEL: {
            for (uint32_t f = cg->label_fix_head[in->a]; f; f = cg->fix[f - 1].next)
                x86_patch_rel32(cg->fix[f - 1].site, buf->p);
            cg->host_at[in->a] = buf->p;
            flags_clobber(&g);
            break;
        }
        case IR_OP_LOOP_HEAD:
            cg->loop_head = buf->p;
            flags_clobber(&g);
            if ((env->trace_mode == JIT_TRACE_BLOCKS || env->trace_mode == JIT_TRACE_REPLAY) &&
                ir_block_guest_insns(b) != 0)
                trace_loop_head(&g);
            break;
        case IR_OP_LOOP_BACK:
            gen_loop_back(&g, in);
            break;
        case IR_OP_BR:
            if (!label_is_next(&g, i, in->a)) label_fixup(&g, in->a, x86_jmp32(buf, buf->p));
            break;
        case IR_OP_CBR: {
            enum x86_cc cc = cond_cc(&g, in->a);
            uint32_t lt = in->b, lf = in->c;
            if (in->imm & (IR_CBR_STORE_TRUE | IR_CBR_STORE_FALSE)) {
                /* edges that store the dirty registers: the taken one through a stub */
                if (in->imm & IR_CBR_STORE_TRUE) {
                    struct jit_cold *c = cold_new(&g);
                    c->kind = COLD_EDGE;
                    c->snap = (uint32_t)in->imm;
                    c->label = lt;
                    c->site = x86_jcc32(buf, cc, buf->p);
                } else {
                    label_fixup(&g, lt, x86_jcc32(buf, cc, buf->p));
                }
                if ((in->imm & IR_CBR_STORE_FALSE) && !store_snapshot(&g, (uint32_t)in->imm)) return false;
                if (!label_is_next(&g, i, lf)) label_fixup(&g, lf, x86_jmp32(buf, buf->p));
                break;
            }
            if (label_is_next(&g, i, lt)) {
                label_fixup(&g, lf, x86_jcc32(buf, x86_cc_invert(cc), buf->p));
            } else {
                label_fixup(&g, lt, x86_jcc32(buf, cc, buf->p));
                if (!label_is_next(&g, i, lf)) label_fixup(&g, lf, x86_jmp32(buf, buf->p));
            }
            break;
        }
        case IR_OP_LAZY_FLAG:             /* computed where it is stored */
            break;
        case IR_OP_TRACE: gen_trace(&g, in); break;
        case IR_OP_EXIT_REQUESTED:
            x86_alu_mi(buf, X86_CMP, 1, x86_mem_rip((const void *)env->exit_request), 0);
            flags_clobber(&g);
            set_cond_flags(&g, i, X86_CC_NE);
            materialise_cc(&g, i, X86_CC_NE);
            break;
        case IR_OP_EXIT_DIRECT: gen_exit_direct(&g, in->imm); break;
        case IR_OP_EXIT_INDIRECT: gen_exit_indirect(&g, in); break;
        case IR_OP_EXIT_SPECIAL: gen_exit_special(&g, in); break;
        default:
            fy_panic("jit: cannot generate %s", ir_op_name(in->op));
        }
    }
    return emit_cold(&g);
}
