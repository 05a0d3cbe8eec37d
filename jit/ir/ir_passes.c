/* Block-level passes after building: dead code elimination (a backward sweep; the
 * forward-only IR needs no fixpoint), use counts and last uses for the register
 * allocator, and a textual dump for tests and debugging. */
#include "ferry/support.h"
#include "jit/ir/ir_internal.h"

/* Value operands of an instruction (not call arguments or snapshot registers). */
unsigned ir_value_operands(const struct ir_insn *in, uint32_t out[3])
{
    switch (in->op) {
    case IR_OP_STORE_STATE: case IR_OP_EXIT_INDIRECT: case IR_OP_CBR:
    case IR_OP_NOT: case IR_OP_NEG: case IR_OP_CLZ: case IR_OP_CTZ: case IR_OP_POPCNT:
    case IR_OP_BSWAP: case IR_OP_ZEXT: case IR_OP_SEXT: case IR_OP_TRUNC: case IR_OP_HI64:
    case IR_OP_LOAD: case IR_OP_LOAD_EXCL: case IR_OP_CHECK_ALIGN:
        out[0] = in->a; return 1;
    case IR_OP_LOCAL_WRITE:
        out[0] = in->b; return 1;
    case IR_OP_EXIT_SPECIAL:
        if (!in->a) return 0;
        out[0] = in->a; return 1;
    case IR_OP_ADD: case IR_OP_SUB: case IR_OP_MUL: case IR_OP_UMULH: case IR_OP_SMULH:
    case IR_OP_UDIV: case IR_OP_SDIV: case IR_OP_AND: case IR_OP_OR: case IR_OP_XOR:
    case IR_OP_SHL: case IR_OP_LSHR: case IR_OP_ASHR: case IR_OP_ROR:
    case IR_OP_FADD: case IR_OP_FSUB: case IR_OP_FMUL: case IR_OP_FDIV:
    case IR_OP_CONCAT64: case IR_OP_CMP: case IR_OP_SUB_OVERFLOW:
    case IR_OP_STORE: case IR_OP_STORE_EXCL: case IR_OP_LAZY_FLAG:
        out[0] = in->a; out[1] = in->b; return 2;
    case IR_OP_SELECT: case IR_OP_ADD_CARRY: case IR_OP_ADD_OVERFLOW: case IR_OP_ADC: case IR_OP_FFMA:
        out[0] = in->a; out[1] = in->b; out[2] = in->c; return 3;
    case IR_OP_TRACE: {
        unsigned n = 0;
        if (in->a) out[n++] = in->a;
        if (in->b) out[n++] = in->b;
        if (in->c) out[n++] = in->c;
        return n;
    }
    default:
        return 0;
    }
}

static bool has_side_effect(const struct ir_insn *in)
{
    switch (in->op) {
    case IR_OP_STORE_STATE: case IR_OP_LOCAL_WRITE: case IR_OP_LOAD: case IR_OP_STORE:
    case IR_OP_LOAD_EXCL: case IR_OP_STORE_EXCL: case IR_OP_CLEAR_EXCL: case IR_OP_CHECK_ALIGN:
    case IR_OP_LABEL: case IR_OP_BR: case IR_OP_CBR: case IR_OP_EXIT_DIRECT:
    case IR_OP_EXIT_INDIRECT: case IR_OP_EXIT_SPECIAL: case IR_OP_INSN_START:
    case IR_OP_LOOP_HEAD: case IR_OP_LOOP_BACK: case IR_OP_TRACE:
        return true;
    case IR_OP_CALL:
        return (in->flags & IR_F_SIDE) != 0;
    default:
        return false;
    }
}

bool ir_is_mem_op(unsigned op)
{
    return op == IR_OP_LOAD || op == IR_OP_STORE || op == IR_OP_LOAD_EXCL || op == IR_OP_STORE_EXCL;
}

void ir_dead_code_elim(ir_block *b)
{
    struct ir_insn *ins = b->insns;
    for (uint32_t i = 1; i < b->n_insns; i++) ins[i].flags &= (uint8_t)~IR_F_LIVE;
    for (uint32_t i = b->n_insns; i-- > 1;) {
        struct ir_insn *in = &ins[i];
        if (!(in->flags & IR_F_LIVE) && !has_side_effect(in)) {
            in->op = IR_OP_NOP;
            continue;
        }
        in->flags |= IR_F_LIVE;
        uint32_t ops[3];
        unsigned n = ir_value_operands(in, ops);
        for (unsigned k = 0; k < n; k++) ins[ops[k]].flags |= IR_F_LIVE;
        uint32_t first, nargs = ir_insn_args(in, &first);
        for (uint32_t k = 0; k < nargs; k++) ins[b->args[first + k]].flags |= IR_F_LIVE;
        uint32_t snap = ir_insn_snapshot(in);
        if (snap) {
            const struct ir_snapshot *s = &b->snaps[snap];
            for (uint32_t k = 0; k < s->count; k++) ins[b->snap_regs[s->first + k].val].flags |= IR_F_LIVE;
        }
    }
}

static void ensure_value_arrays(ir_block *b)
{
    if (b->cap_values >= b->n_insns) return;
    uint32_t n = b->cap_values ? b->cap_values : 256;
    while (n < b->n_insns) n *= 2;
    fy_free(b->last_use); fy_free(b->loc); fy_free(b->use_count);
    b->last_use = fy_alloc(n * sizeof(*b->last_use));
    b->loc = fy_alloc(n * sizeof(*b->loc));
    b->use_count = fy_alloc(n * sizeof(*b->use_count));
    b->cap_values = n;
}

static inline void use(ir_block *b, uint32_t v, uint32_t at)
{
    b->use_count[v]++;
    b->last_use[v] = at;
}

void ir_compute_liveness(ir_block *b)
{
    ensure_value_arrays(b);
    memset(b->use_count, 0, b->n_insns * sizeof(*b->use_count));
    memset(b->last_use, 0, b->n_insns * sizeof(*b->last_use));
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op == IR_OP_NOP) continue;
        uint32_t ops[3];
        unsigned n = ir_value_operands(in, ops);
        for (unsigned k = 0; k < n; k++) use(b, ops[k], i);
        uint32_t first, nargs = ir_insn_args(in, &first);
        for (uint32_t k = 0; k < nargs; k++) use(b, b->args[first + k], i);
        uint32_t snap = ir_insn_snapshot(in);
        if (snap) {
            const struct ir_snapshot *s = &b->snaps[snap];
            for (uint32_t k = 0; k < s->count; k++) use(b, b->snap_regs[s->first + k].val, i);
        }
    }
    /* a lazy flag is computed from its operands wherever it is used */
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op != IR_OP_LAZY_FLAG || !b->use_count[i]) continue;
        if (b->last_use[in->a] < b->last_use[i]) b->last_use[in->a] = b->last_use[i];
        if (b->last_use[in->b] < b->last_use[i]) b->last_use[in->b] = b->last_use[i];
    }
}

/* ---- dump --------------------------------------------------------------------------- */
static const char *const op_names[IR_OP_COUNT] = {
    [IR_OP_NOP] = "nop", [IR_OP_CONST] = "const", [IR_OP_LOAD_STATE] = "load_state",
    [IR_OP_STORE_STATE] = "store_state", [IR_OP_LOCAL_READ] = "local_read",
    [IR_OP_LOCAL_WRITE] = "local_write", [IR_OP_ADD] = "add", [IR_OP_SUB] = "sub",
    [IR_OP_MUL] = "mul", [IR_OP_UMULH] = "umulh", [IR_OP_SMULH] = "smulh",
    [IR_OP_UDIV] = "udiv", [IR_OP_SDIV] = "sdiv", [IR_OP_AND] = "and", [IR_OP_OR] = "or",
    [IR_OP_XOR] = "xor", [IR_OP_SHL] = "shl", [IR_OP_LSHR] = "lshr", [IR_OP_ASHR] = "ashr",
    [IR_OP_ROR] = "ror", [IR_OP_FADD] = "fadd", [IR_OP_FSUB] = "fsub", [IR_OP_FMUL] = "fmul",
    [IR_OP_FDIV] = "fdiv", [IR_OP_FFMA] = "ffma", [IR_OP_NOT] = "not", [IR_OP_NEG] = "neg", [IR_OP_CLZ] = "clz",
    [IR_OP_CTZ] = "ctz", [IR_OP_POPCNT] = "popcnt", [IR_OP_BSWAP] = "bswap",
    [IR_OP_ZEXT] = "zext", [IR_OP_SEXT] = "sext", [IR_OP_TRUNC] = "trunc", [IR_OP_HI64] = "hi64",
    [IR_OP_CONCAT64] = "concat64", [IR_OP_CMP] = "cmp", [IR_OP_SELECT] = "select",
    [IR_OP_ADD_CARRY] = "add_carry", [IR_OP_ADD_OVERFLOW] = "add_overflow",
    [IR_OP_SUB_OVERFLOW] = "sub_overflow", [IR_OP_ADC] = "adc", [IR_OP_LOAD] = "load",
    [IR_OP_STORE] = "store", [IR_OP_LOAD_EXCL] = "load_excl", [IR_OP_STORE_EXCL] = "store_excl",
    [IR_OP_CLEAR_EXCL] = "clear_excl", [IR_OP_CHECK_ALIGN] = "check_align", [IR_OP_CALL] = "call", [IR_OP_LABEL] = "label",
    [IR_OP_BR] = "br", [IR_OP_CBR] = "cbr", [IR_OP_EXIT_DIRECT] = "exit_direct",
    [IR_OP_EXIT_INDIRECT] = "exit_indirect", [IR_OP_EXIT_SPECIAL] = "exit_special",
    [IR_OP_INSN_START] = "insn", [IR_OP_LOOP_HEAD] = "loop_head", [IR_OP_LOOP_BACK] = "loop_back",
    [IR_OP_LAZY_FLAG] = "lazy_flag", [IR_OP_EXIT_REQUESTED] = "exit_requested",
    [IR_OP_TRACE] = "trace",
};
static const char *const type_names[] = { "?", "i1", "i8", "i16", "i32", "i64", "i128" };
static const char *const cond_names[] = { "?", "eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge" };

const char *ir_op_name(unsigned op) { return op < IR_OP_COUNT && op_names[op] ? op_names[op] : "?"; }

struct out { char *buf; size_t size, len; };
static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n = fy_vsnprintf(o->buf ? o->buf + (o->len < o->size ? o->len : 0) : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
}

/* One line per remaining instruction, e.g. "v5 = add.i64 v3, v4" or
 * "store_state.i64 [8], v5"; constants print as "#0x10". */
size_t ir_dump(const ir_block *b, char *buf, size_t size)
{
    struct out o = { buf, size, 0 };
    if (buf && size) buf[0] = 0;
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op == IR_OP_NOP) continue;
        unsigned t = in->type <= IR_I128 ? in->type : 0;
        if (in->op == IR_OP_CONST) {
            if (in->type == IR_I128) put(&o, "v%u = const.i128 #0x%llx:%016llx\n", i, (unsigned long long)b->consts_hi[in->c], (unsigned long long)in->imm);
            else put(&o, "v%u = const.%s #0x%llx\n", i, type_names[t], (unsigned long long)in->imm);
            continue;
        }
        bool has_result = in->type != 0 && in->op != IR_OP_STORE_STATE;
        if (has_result) put(&o, "v%u = ", i);
        put(&o, "%s", ir_op_name(in->op));
        if (in->op == IR_OP_CMP) put(&o, ".%s", cond_names[in->cond <= IR_SGE ? in->cond : 0]);
        if (t) put(&o, ".%s", type_names[t]);
        switch (in->op) {
        case IR_OP_LOAD_STATE: put(&o, " [%llu]", (unsigned long long)in->imm); break;
        case IR_OP_STORE_STATE: put(&o, " [%llu], v%u", (unsigned long long)in->imm, in->a); break;
        case IR_OP_LOCAL_READ: put(&o, " l%u", in->a); break;
        case IR_OP_LOCAL_WRITE: put(&o, " l%u, v%u", in->a, in->b); break;
        case IR_OP_LABEL: case IR_OP_BR: put(&o, " L%u", in->a); break;
        case IR_OP_CBR: {
            put(&o, " v%u, L%u, L%u", in->a, in->b, in->c);
            uint32_t snap = ir_insn_snapshot(in);
            if (!snap) break;
            const struct ir_snapshot *s = &b->snaps[snap];
            put(&o, " {store on%s%s:", (in->imm & IR_CBR_STORE_TRUE) ? " true" : "", (in->imm & IR_CBR_STORE_FALSE) ? " false" : "");
            for (uint32_t k = 0; k < s->count; k++)
                put(&o, " [%u]=v%u", b->snap_regs[s->first + k].offset, b->snap_regs[s->first + k].val);
            put(&o, "}");
            break;
        }
        case IR_OP_LOOP_BACK:
            put(&o, " (");
            for (uint32_t k = 0; k < in->b; k++) put(&o, "%sv%u->v%u", k ? ", " : "", b->args[in->a + k], b->args[in->a + in->b + k]);
            put(&o, ")");
            break;
        case IR_OP_LAZY_FLAG:
            put(&o, " %c of %s%u v%u+0x%llx, v%u+0x%llx", "NZCV"[in->imm & 3],
                (const char *[]){ "sub", "add", "and", "?" }[in->cond & IR_LAZY_KIND_MASK],
                (in->cond & IR_LAZY_64) ? 64u : 32u, in->a, (unsigned long long)b->consts_hi[in->c],
                in->b, (unsigned long long)b->consts_hi[in->c + 1]);
            break;
        case IR_OP_EXIT_DIRECT: put(&o, " 0x%llx", (unsigned long long)in->imm); break;
        case IR_OP_EXIT_SPECIAL: put(&o, " kind=%u pc=0x%llx info=0x%llx", in->cond, (unsigned long long)in->imm, (unsigned long long)b->consts_hi[in->b]); break;
        case IR_OP_INSN_START: put(&o, " 0x%llx", (unsigned long long)in->imm); break;
        case IR_OP_CALL:
            put(&o, " %p(", (void *)(uintptr_t)in->imm);
            for (uint32_t k = 0; k < in->b; k++) put(&o, "%sv%u", k ? ", " : "", b->args[in->a + k]);
            put(&o, ")");
            break;
        default: {
            uint32_t ops[3];
            unsigned n = ir_value_operands(in, ops);
            for (unsigned k = 0; k < n; k++) {
                const struct ir_insn *d = &b->insns[ops[k]];
                if (d->op == IR_OP_CONST && d->type != IR_I128) put(&o, "%s#0x%llx", k ? ", " : " ", (unsigned long long)d->imm);
                else put(&o, "%sv%u", k ? ", " : " ", ops[k]);
            }
            if (ir_is_mem_op(in->op) && in->c) {
                const struct ir_snapshot *s = &b->snaps[in->c];
                put(&o, " {pc=0x%llx", (unsigned long long)s->pc);
                for (uint32_t k = 0; k < s->count; k++)
                    put(&o, " [%u]=v%u", b->snap_regs[s->first + k].offset, b->snap_regs[s->first + k].val);
                put(&o, "}");
            }
        }
        }
        put(&o, "\n");
    }
    return o.len;
}

void ir_block_optimise(ir_block *b) { ir_dead_code_elim(b); }

uint32_t ir_block_live_ops(const ir_block *b)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < b->n_insns; i++) {
        uint8_t op = b->insns[i].op;
        if (op != IR_OP_NOP && op != IR_OP_CONST && op != IR_OP_INSN_START && op != IR_OP_LABEL) n++;
    }
    return n;
}
