/* The IR builder (the ir_* functions of ir.h). It optimises while the front end emits:
 * constants are folded and algebraic identities applied on the spot, guest registers
 * are cached as SSA values (a read after a write reuses the value, repeated reads share
 * one load, dirty registers are written back only at exits, branches, helper calls and
 * overwritten writes never reach the code), and operations the backend does not encode
 * directly (narrow shifts and divisions, bit reversal, most I128 arithmetic) are
 * lowered here into simpler IR or calls to the helpers in ir_helpers128.c. */
#include "ferry/support.h"
#include "jit/ir/ir_internal.h"
#include "jit/ir/ir_helpers128.h"
#include "jit/jit_trace.h"

/* ---- storage ------------------------------------------------------------------------ */
static void *grow(void *old, uint32_t *cap, uint32_t need, size_t elem)
{
    uint32_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    void *p = fy_alloc(n * elem);
    if (old) {
        memcpy(p, old, *cap * elem);
        fy_free(old);
    }
    *cap = n;
    return p;
}
#define ENSURE(b, arr, n, cap, extra) \
    do { if ((b)->n + (extra) > (b)->cap) (b)->arr = grow((b)->arr, &(b)->cap, (b)->n + (extra), sizeof(*(b)->arr)); } while (0)

ir_block *ir_block_new(void)
{
    ir_block *b = fy_alloc(sizeof(*b));
    b->optimise = true;
    ir_block_reset(b, 0);
    return b;
}

void ir_block_free(ir_block *b)
{
    if (!b) return;
    fy_free(b->insns); fy_free(b->consts_hi); fy_free(b->args); fy_free(b->local_types);
    fy_free(b->labels); fy_free(b->label_states); fy_free(b->snaps); fy_free(b->snap_regs);
    fy_free(b->cache); fy_free(b->owner_gen); fy_free(b->owner_idx);
    fy_free(b->last_use); fy_free(b->loc); fy_free(b->use_count); fy_free(b->local_slot);
    fy_free(b->loop_regs);
    fy_free(b->loop_consts);
    fy_free(b);
}

void ir_block_reset(ir_block *b, uint64_t guest_pc)
{
    ENSURE(b, insns, n_insns, cap_insns, 64);
    b->n_insns = 1;                       /* index 0: the dummy that makes 0 "no value" */
    memset(&b->insns[0], 0, sizeof(b->insns[0]));
    b->guest_pc = guest_pc;
    b->cur_pc = guest_pc;
    b->n_guest_insns = 0;
    b->reachable = true;
    b->mem_flags = 0;
    b->exit_requests = false;
    b->n_consts_hi = 0;
    b->n_args = 0;
    b->n_locals = 0;
    b->n_labels = 1;                      /* label 0 is never handed out */
    ENSURE(b, labels, n_labels, cap_labels, 1);
    b->n_label_states = 0;
    b->n_snaps = 1;                       /* snapshot 0 = "none" */
    ENSURE(b, snaps, n_snaps, cap_snaps, 1);
    b->n_snap_regs = 0;
    b->snap_valid = 0;
    b->n_cache = 0;
    b->gen++;
    b->frame_used = 0;
    b->loop_mode = false;
    b->lazy_flags_set = false;
    b->loop_facts_broken = false;
    b->n_loop_consts = 0;
    b->n_loop_regs = 0;
    b->trace = 0;
    b->trace_el = 0;
    b->trace_pa_valid = false;
}

void ir_block_set_trace_pa(ir_block *b, uint64_t pa)
{
    b->trace_pa = pa;
    b->trace_pa_valid = true;
}

void ir_block_set_trace(ir_block *b, unsigned mode, int el)
{
    b->trace = (uint8_t)(mode == JIT_TRACE_FULL || mode == JIT_TRACE_REPLAY ? mode : 0);
    b->trace_el = (uint8_t)(el < 0 || el > 14 ? 0 : el + 1);
}

static unsigned trace_value_words(const ir_block *b, uint32_t v)
{
    return !v ? 0 : b->insns[v].type == IR_I128 ? 2 : 1;
}

uint32_t ir_block_trace_slot_bytes(const ir_block *b)
{
    uint32_t bytes = 0;
    if (b->trace != JIT_TRACE_REPLAY) return 0;
    for (uint32_t i = 1; i < b->n_insns; i++)
        if (b->insns[i].op == IR_OP_TRACE) bytes += ir_type_bytes((ir_type)b->insns[b->insns[i].a].type);
    return bytes;
}

uint32_t ir_block_trace_words(const ir_block *b)
{
    uint32_t words = 0;
    if (b->trace == JIT_TRACE_REPLAY) return (uint32_t)jit_trace_slot_words(ir_block_trace_slot_bytes(b));
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op == IR_OP_TRACE)
            words += 1 + trace_value_words(b, in->a) + trace_value_words(b, in->b) + trace_value_words(b, in->c);
    }
    return words;
}

void ir_set_pc_offset(ir_block *b, uint32_t state_offset)
{
    b->pc_offset = state_offset;
    b->pc_offset_set = true;
}

/* Test/debug switch: with optimise off the builder emits every operation as written
 * (no folding, no register caching), which gives a reference to compare against. */
void ir_block_set_optimise(ir_block *b, bool on) { b->optimise = on; }

static ir_val emit(ir_block *b, enum ir_op op, ir_type t, uint32_t x, uint32_t y, uint32_t z, uint64_t imm)
{
    ENSURE(b, insns, n_insns, cap_insns, 1);
    struct ir_insn *in = &b->insns[b->n_insns];
    in->op = (uint8_t)op;
    in->type = (uint8_t)t;
    in->cond = 0;
    in->flags = 0;
    in->a = x; in->b = y; in->c = z;
    in->imm = imm;
    return b->n_insns++;
}

static inline struct ir_insn *I(ir_block *b, ir_val v) { return &b->insns[v]; }

/* A trace item (jit/jit_trace.h) of the current instruction. */
static void trace_item(ir_block *b, uint64_t tag, ir_val x, ir_val y, ir_val z)
{
    emit(b, IR_OP_TRACE, 0, x, y, z, tag);
}
static inline ir_type T(ir_block *b, ir_val v) { return (ir_type)b->insns[v].type; }
static inline uint64_t cval(ir_block *b, ir_val v) { return b->insns[v].imm; }
static bool is_cmp_of(ir_block *b, ir_val v, ir_cond c, ir_val *x, ir_val *y)
{
    const struct ir_insn *in = &b->insns[v];
    if (in->op != IR_OP_CMP || in->cond != c) return false;
    *x = in->a; *y = in->b;
    return true;
}

static void check(ir_block *b, bool ok, const char *what)
{
    if (!ok) fy_panic("ir: invalid %s at guest pc 0x%llx", what, (unsigned long long)b->cur_pc);
}
static void check_val(ir_block *b, ir_val v)
{
    check(b, v > 0 && v < b->n_insns && b->insns[v].type != 0, "value operand");
}

/* ---- constants ------------------------------------------------------------------------ */
ir_val ir_const(ir_block *b, ir_type t, uint64_t value)
{
    check(b, t >= IR_I1 && t <= IR_I128, "constant type");
    if (t == IR_I128) return ir_const128(b, value, 0);
    return emit(b, IR_OP_CONST, t, 0, 0, 0, value & ir_type_mask(t));
}

bool ir_value_is_const(ir_block *b, ir_val v, uint64_t *value)
{
    check_val(b, v);
    const struct ir_insn *in = &b->insns[v];
    if (in->op != IR_OP_CONST || in->type == IR_I128) return false;
    *value = in->imm;
    return true;
}

ir_val ir_const128(ir_block *b, uint64_t lo, uint64_t hi)
{
    ENSURE(b, consts_hi, n_consts_hi, cap_consts_hi, 1);
    b->consts_hi[b->n_consts_hi] = hi;
    return emit(b, IR_OP_CONST, IR_I128, 0, 0, b->n_consts_hi++, lo);
}

/* ---- guest register cache -------------------------------------------------------------- */
static void owner_ensure(ir_block *b, uint32_t end)
{
    if (end <= b->owner_size) return;
    uint32_t n = b->owner_size ? b->owner_size : 1024;
    while (n < end) n *= 2;
    uint32_t *g = fy_alloc(n * sizeof(*g));
    uint16_t *x = fy_alloc(n * sizeof(*x));
    if (b->owner_size) {
        memcpy(g, b->owner_gen, b->owner_size * sizeof(*g));
        memcpy(x, b->owner_idx, b->owner_size * sizeof(*x));
    }
    fy_free(b->owner_gen); fy_free(b->owner_idx);
    b->owner_gen = g; b->owner_idx = x; b->owner_size = n;
}

static void cache_writeback(ir_block *b, struct ir_cache_entry *e)
{
    if (e->dirty) {
        emit(b, IR_OP_STORE_STATE, T(b, e->val), e->val, 0, 0, e->offset);
        e->dirty = 0;
        b->snap_valid = 0;
    }
}

static void cache_evict(ir_block *b, uint32_t idx)
{
    struct ir_cache_entry *e = &b->cache[idx];
    cache_writeback(b, e);
    for (uint32_t k = 0; k < e->size; k++) b->owner_gen[e->offset + k] = 0;
    e->live = 0;
}

/* Exact entry for [off, off+size) or -1; with evict, overlapping other entries are
 * written back and dropped first (a 64-bit read of half of a cached 128-bit register). */
static int cache_find(ir_block *b, uint32_t off, uint32_t size, bool evict)
{
    owner_ensure(b, off + size);
    int exact = -1;
    for (uint32_t k = 0; k < size; k++) {
        if (b->owner_gen[off + k] != b->gen) continue;
        uint32_t idx = b->owner_idx[off + k];
        struct ir_cache_entry *e = &b->cache[idx];
        if (!e->live) continue;
        if (e->offset == off && e->size == size) exact = (int)idx;
        else if (evict) cache_evict(b, idx);
        else return -1;
    }
    return exact;
}

static void cache_add(ir_block *b, uint32_t off, uint32_t size, ir_val v, bool dirty)
{
    ENSURE(b, cache, n_cache, cap_cache, 1);
    if (b->n_cache >= 65535) {            /* owner_idx is 16 bits: compact by flushing */
        for (uint32_t i = 0; i < b->n_cache; i++) if (b->cache[i].live) cache_writeback(b, &b->cache[i]);
        b->n_cache = 0;
        b->gen++;
    }
    uint32_t idx = b->n_cache++;
    b->cache[idx] = (struct ir_cache_entry){ .offset = off, .size = (uint8_t)size, .dirty = dirty, .live = 1, .val = v };
    owner_ensure(b, off + size);
    for (uint32_t k = 0; k < size; k++) {
        b->owner_gen[off + k] = b->gen;
        b->owner_idx[off + k] = (uint16_t)idx;
    }
}

static void cache_flush(ir_block *b)
{
    for (uint32_t i = 0; i < b->n_cache; i++)
        if (b->cache[i].live && b->cache[i].dirty) cache_writeback(b, &b->cache[i]);
}

static void cache_drop_all(ir_block *b)
{
    b->n_cache = 0;
    b->gen++;
    if (b->gen == 0) {                    /* wrapped: stale stamps could match again */
        memset(b->owner_gen, 0, b->owner_size * sizeof(*b->owner_gen));
        b->gen = 1;
    }
    b->snap_valid = 0;
}

static ir_val lazy_flag_value(ir_block *b, ir_val lazy);
static ir_val lazy_flag_of(ir_block *b, ir_val v);

ir_val ir_read_reg(ir_block *b, ir_type t, uint32_t state_offset)
{
    check(b, t >= IR_I1 && t <= IR_I128, "register type");
    if (!b->optimise) return emit(b, IR_OP_LOAD_STATE, t, 0, 0, 0, state_offset);
    /* 128-bit registers are cached as two 64-bit halves: scalar and lane accesses
     * (FMOV Sn, INS, the low half of a vector) then stay in host registers and the
     * 128-bit value is assembled only where an operation really needs it */
    if (t == IR_I128) {
        ir_val lo = ir_read_reg(b, IR_I64, state_offset);
        ir_val hi = ir_read_reg(b, IR_I64, state_offset + 8);
        return ir_concat64(b, hi, lo);
    }
    uint32_t size = ir_type_bytes(t);
    int e = cache_find(b, state_offset, size, true);
    if (e >= 0) {
        ir_val v = b->cache[e].val;
        if (T(b, v) == t && I(b, v)->op == IR_OP_LAZY_FLAG) {
            /* a flag the block computed: that value, and exits still store it lazily
             * (its compare then lives only in the x86 flags of a branch); a loop head's
             * flag read before the body rewrote it: computed here, once */
            if (b->consts_hi[I(b, v)->c + 2]) return lazy_flag_value(b, v);
            v = lazy_flag_value(b, v);
            b->cache[e].val = v;
            b->snap_valid = 0;
        }
        if (T(b, v) == t) return v;
        cache_evict(b, (uint32_t)e);      /* same bytes, other type (I1 vs I8): reload */
    }
    ir_val v = emit(b, IR_OP_LOAD_STATE, t, 0, 0, 0, state_offset);
    cache_add(b, state_offset, size, v, false);
    return v;
}

static void write_reg(ir_block *b, uint32_t state_offset, ir_val v);

void ir_write_reg(ir_block *b, uint32_t state_offset, ir_val v)
{
    check_val(b, v);
    uint32_t size = ir_type_bytes(T(b, v));
    if (b->trace == JIT_TRACE_FULL && !(state_offset < b->pc_offset + 8 && b->pc_offset < state_offset + size))
        trace_item(b, JIT_TRACE_REG | (uint64_t)size << 4 | (uint64_t)state_offset << 9, v, 0, 0);
    write_reg(b, state_offset, v);
}

static void write_reg(ir_block *b, uint32_t state_offset, ir_val v)
{
    if (!b->optimise) {
        emit(b, IR_OP_STORE_STATE, T(b, v), v, 0, 0, state_offset);
        return;
    }
    if (T(b, v) == IR_I128) {              /* two 64-bit halves (see ir_read_reg) */
        ir_val lo = ir_trunc(b, IR_I64, v), hi = ir_hi64(b, v);
        write_reg(b, state_offset, lo);
        write_reg(b, state_offset + 8, hi);
        return;
    }
    uint32_t size = ir_type_bytes(T(b, v));
    if (T(b, v) == IR_I1) {
        ir_val lazy = lazy_flag_of(b, v);
        if (lazy) v = lazy;
    }
    int e = cache_find(b, state_offset, size, true);
    if (e >= 0 && !b->cache[e].dirty && ir_same_value(b, b->cache[e].val, v)) return;   /* the state holds it */
    if (e >= 0) {
        b->cache[e].val = v;              /* the previous dirty value is dead: never stored */
        b->cache[e].dirty = 1;
    } else {
        cache_add(b, state_offset, size, v, true);
    }
    b->snap_valid = 0;
}

/* Snapshot of the dirty registers for a possible fault at the current instruction. */
static uint32_t snapshot(ir_block *b)
{
    if (b->snap_valid) return b->snap_valid;
    ENSURE(b, snaps, n_snaps, cap_snaps, 1);
    struct ir_snapshot *s = &b->snaps[b->n_snaps];
    s->pc = b->cur_pc;
    s->first = b->n_snap_regs;
    s->count = 0;
    if (b->optimise) {
        for (uint32_t i = 0; i < b->n_cache; i++) {
            struct ir_cache_entry *e = &b->cache[i];
            if (!e->live || !e->dirty) continue;
            ENSURE(b, snap_regs, n_snap_regs, cap_snap_regs, 1);
            b->snap_regs[b->n_snap_regs++] = (struct ir_snap_reg){ e->offset, e->val };
            s->count++;
        }
    }
    b->snap_valid = b->n_snaps++;
    return b->snap_valid;
}

void ir_insn_start(ir_block *b, uint64_t guest_pc, uint32_t encoding)
{
    b->cur_pc = guest_pc;
    b->n_guest_insns++;
    b->snap_valid = 0;
    emit(b, IR_OP_INSN_START, 0, encoding, 0, 0, guest_pc);
    if (b->trace == JIT_TRACE_FULL)
        trace_item(b, JIT_TRACE_INSN | (b->trace_pa_valid ? JIT_TRACE_PA : 0) | (uint64_t)b->trace_el << 4 |
                          (uint64_t)encoding << 32,
                   ir_const(b, IR_I64, guest_pc),
                   b->trace_pa_valid ? ir_const(b, IR_I64, b->trace_pa + (guest_pc - b->guest_pc)) : 0, 0);
}

/* ---- locals ----------------------------------------------------------------------------- */
ir_local ir_local_new(ir_block *b, ir_type t)
{
    check(b, t >= IR_I1 && t <= IR_I128, "local type");
    ENSURE(b, local_types, n_locals, cap_locals, 2);
    if (b->n_locals == 0) b->n_locals = 1;   /* local 0 is never handed out */
    b->local_types[b->n_locals] = (uint8_t)t;
    return b->n_locals++;
}

ir_val ir_local_read(ir_block *b, ir_local l)
{
    check(b, l > 0 && l < b->n_locals, "local");
    return emit(b, IR_OP_LOCAL_READ, (ir_type)b->local_types[l], l, 0, 0, 0);
}

void ir_local_write(ir_block *b, ir_local l, ir_val v)
{
    check(b, l > 0 && l < b->n_locals, "local");
    check_val(b, v);
    check(b, T(b, v) == b->local_types[l], "local write type");
    emit(b, IR_OP_LOCAL_WRITE, 0, l, v, 0, 0);
}

/* ---- folding helpers -------------------------------------------------------------------- */
static uint64_t sext_to64(uint64_t v, ir_type t)
{
    unsigned bits = ir_type_bits(t);
    if (bits >= 64) return v;
    uint64_t sign = 1ull << (bits - 1);
    return (v ^ sign) - sign;
}

static bool commutative(enum ir_op op)
{
    return op == IR_OP_ADD || op == IR_OP_MUL || op == IR_OP_AND || op == IR_OP_OR ||
           op == IR_OP_XOR || op == IR_OP_UMULH || op == IR_OP_SMULH;
}

static uint64_t fold_binary(enum ir_op op, ir_type t, uint64_t x, uint64_t y)
{
    unsigned w = ir_type_bits(t);
    uint64_t m = ir_type_mask(t);
    unsigned sh = (unsigned)(y % w);
    switch (op) {
    case IR_OP_ADD: return (x + y) & m;
    case IR_OP_SUB: return (x - y) & m;
    case IR_OP_MUL: return (x * y) & m;
    case IR_OP_UMULH: return (uint64_t)(((unsigned __int128)x * y) >> 64);
    case IR_OP_SMULH: return (uint64_t)(((__int128)(int64_t)x * (int64_t)y) >> 64);
    case IR_OP_UDIV: return y == 0 ? 0 : (x / y) & m;
    case IR_OP_SDIV: {
        if (y == 0) return 0;
        int64_t sx = (int64_t)sext_to64(x, t), sy = (int64_t)sext_to64(y, t);
        if (sy == -1) return (uint64_t)(-(uint64_t)sx) & m;
        return (uint64_t)(sx / sy) & m;
    }
    case IR_OP_AND: return x & y;
    case IR_OP_OR: return x | y;
    case IR_OP_XOR: return x ^ y;
    case IR_OP_SHL: return (x << sh) & m;
    case IR_OP_LSHR: return x >> sh;
    case IR_OP_ASHR: return (uint64_t)((int64_t)sext_to64(x, t) >> sh) & m;
    case IR_OP_ROR: return sh == 0 ? x : ((x >> sh) | (x << (w - sh))) & m;
    default: return 0;
    }
}

static bool fold_cmp(ir_cond c, ir_type t, uint64_t x, uint64_t y)
{
    int64_t sx = (int64_t)sext_to64(x, t), sy = (int64_t)sext_to64(y, t);
    switch (c) {
    case IR_EQ: return x == y;
    case IR_NE: return x != y;
    case IR_ULT: return x < y;
    case IR_ULE: return x <= y;
    case IR_UGT: return x > y;
    case IR_UGE: return x >= y;
    case IR_SLT: return sx < sy;
    case IR_SLE: return sx <= sy;
    case IR_SGT: return sx > sy;
    case IR_SGE: return sx >= sy;
    }
    return false;
}

static ir_val binary(ir_block *b, enum ir_op op, ir_val x, ir_val y);
static ir_val unary(ir_block *b, enum ir_op op, ir_val x);

/* I128 operations the backend does not encode inline become helper calls. */
static ir_val call128(ir_block *b, const void *fn, ir_type ret, unsigned n, ir_val a0, ir_val a1, ir_val a2)
{
    ir_val args[3] = { a0, a1, a2 };
    return ir_call_pure(b, fn, ret, n, args);
}

static ir_val i32_of(ir_block *b, ir_val amount)
{
    ir_type t = T(b, amount);
    if (t == IR_I32) return amount;
    if (t < IR_I32) return ir_zext(b, IR_I32, amount);
    return ir_trunc(b, IR_I32, amount);
}

/* Narrow (I8/I16) shifts, divisions and friends done in 32 bits. */
static ir_val narrow_via_i32(ir_block *b, enum ir_op op, ir_val x, ir_val y)
{
    ir_type t = T(b, x);
    unsigned w = ir_type_bits(t);
    bool is_shift = op == IR_OP_SHL || op == IR_OP_LSHR || op == IR_OP_ASHR || op == IR_OP_ROR;
    bool is_signed = op == IR_OP_ASHR || op == IR_OP_SDIV;
    ir_val x32 = is_signed ? ir_sext(b, IR_I32, x) : ir_zext(b, IR_I32, x);
    ir_val r;
    if (is_shift) {
        ir_val n = binary(b, IR_OP_AND, i32_of(b, y), ir_const(b, IR_I32, w - 1));
        if (op == IR_OP_ROR) {
            ir_val lo = binary(b, IR_OP_LSHR, x32, n);
            ir_val hi = binary(b, IR_OP_SHL, x32, binary(b, IR_OP_SUB, ir_const(b, IR_I32, w), n));
            r = binary(b, IR_OP_OR, lo, hi);
        } else {
            r = binary(b, op, x32, n);
        }
    } else {
        ir_val y32 = is_signed ? ir_sext(b, IR_I32, y) : ir_zext(b, IR_I32, y);
        r = binary(b, op, x32, y32);
    }
    return ir_trunc(b, t, r);
}

/* An I128 value whose 64-bit halves are known without reading it from memory (built
 * from halves, widened, or a constant): operations on it are done on the halves. */
static bool splits_cheaply(ir_block *b, ir_val v)
{
    uint8_t op = I(b, v)->op;
    return op == IR_OP_CONCAT64 || op == IR_OP_ZEXT || op == IR_OP_SEXT || op == IR_OP_CONST;
}

/* I128 shift by a constant 1..127 (0 returns x) as 64-bit operations on the halves. */
static ir_val shift128_const(ir_block *b, enum ir_op op, ir_val x, unsigned k)
{
    if (k == 0) return x;
    ir_val lo = ir_trunc(b, IR_I64, x), hi = ir_hi64(b, x), rlo, rhi;
    ir_val zero = ir_const(b, IR_I64, 0);
    if (op == IR_OP_SHL) {
        if (k >= 64) { rhi = binary(b, IR_OP_SHL, lo, ir_const(b, IR_I32, k - 64)); rlo = zero; }
        else {
            rlo = binary(b, IR_OP_SHL, lo, ir_const(b, IR_I32, k));
            rhi = binary(b, IR_OP_OR, binary(b, IR_OP_SHL, hi, ir_const(b, IR_I32, k)),
                         binary(b, IR_OP_LSHR, lo, ir_const(b, IR_I32, 64 - k)));
        }
        return ir_concat64(b, rhi, rlo);
    }
    bool arith = op == IR_OP_ASHR;
    if (k >= 64) {
        rlo = binary(b, op, hi, ir_const(b, IR_I32, k - 64));
        rhi = arith ? binary(b, IR_OP_ASHR, hi, ir_const(b, IR_I32, 63)) : zero;
    } else {
        rlo = binary(b, IR_OP_OR, binary(b, IR_OP_LSHR, lo, ir_const(b, IR_I32, k)),
                     binary(b, IR_OP_SHL, hi, ir_const(b, IR_I32, 64 - k)));
        rhi = binary(b, op, hi, ir_const(b, IR_I32, k));
    }
    return ir_concat64(b, rhi, rlo);
}

static ir_val binary(ir_block *b, enum ir_op op, ir_val x, ir_val y)
{
    check_val(b, x); check_val(b, y);
    ir_type t = T(b, x);
    bool is_shift = op == IR_OP_SHL || op == IR_OP_LSHR || op == IR_OP_ASHR || op == IR_OP_ROR;
    if (!is_shift) check(b, T(b, y) == t, "operand types");
    if (!b->optimise) {
        if (t == IR_I128 && !(op == IR_OP_AND || op == IR_OP_OR || op == IR_OP_XOR || op == IR_OP_ADD || op == IR_OP_SUB))
            goto lower128;
        if (is_shift && T(b, y) == IR_I128) y = ir_trunc(b, IR_I64, y);
        if (t < IR_I32 && t != IR_I1 && (is_shift || op == IR_OP_UDIV || op == IR_OP_SDIV))
            return narrow_via_i32(b, op, x, y);
        if (t == IR_I1 && (is_shift || op == IR_OP_UDIV || op == IR_OP_SDIV))
            return is_shift ? x : emit(b, IR_OP_AND, t, x, y, 0, 0);
        if ((op == IR_OP_UMULH || op == IR_OP_SMULH) && t != IR_I64) goto mulh_narrow;
        return emit(b, op, t, x, y, 0, 0);
    }
    if (t == IR_I128) {
        if (is_shift && T(b, y) == IR_I128) y = ir_trunc(b, IR_I64, y);
        bool bitwise = op == IR_OP_AND || op == IR_OP_OR || op == IR_OP_XOR;
        if (bitwise && (splits_cheaply(b, x) || splits_cheaply(b, y)))
            return ir_concat64(b, binary(b, op, ir_hi64(b, x), ir_hi64(b, y)),
                               binary(b, op, ir_trunc(b, IR_I64, x), ir_trunc(b, IR_I64, y)));
        if (is_shift && op != IR_OP_ROR && ir_is_const(b, y)) return shift128_const(b, op, x, (unsigned)(cval(b, y) % 128));
        if (bitwise || op == IR_OP_ADD || op == IR_OP_SUB)
            return emit(b, op, t, x, y, 0, 0);
        goto lower128;
    }
    if (is_shift && T(b, y) == IR_I128) y = ir_trunc(b, IR_I64, y);
    /* constants to the right for commutative operations */
    if (commutative(op) && ir_is_const(b, x) && !ir_is_const(b, y)) { ir_val s = x; x = y; y = s; }
    if (ir_is_const(b, x) && ir_is_const(b, y))
        return ir_const(b, t, fold_binary(op, t, cval(b, x), cval(b, y)));
    unsigned w = ir_type_bits(t);
    uint64_t m = ir_type_mask(t);
    if (ir_is_const(b, y)) {
        uint64_t k = cval(b, y);
        if (is_shift) {
            k %= w;
            if (k == 0) return x;
            if (t < IR_I32 && t != IR_I1) return narrow_via_i32(b, op, x, ir_const(b, IR_I32, k));
            return emit(b, op, t, x, ir_const(b, IR_I32, k), 0, 0);
        }
        switch (op) {
        case IR_OP_ADD: case IR_OP_SUB: case IR_OP_OR: case IR_OP_XOR:
            if (k == 0) return x;
            if (op == IR_OP_OR && k == m) return y;
            if (op == IR_OP_XOR && t == IR_I1 && I(b, x)->op == IR_OP_CMP) {
                struct ir_insn *c = I(b, x);    /* !cmp -> inverted cmp */
                static const uint8_t inv[] = { 0, IR_NE, IR_EQ, IR_UGE, IR_UGT, IR_ULE, IR_ULT, IR_SGE, IR_SGT, IR_SLE, IR_SLT };
                return ir_cmp(b, (ir_cond)inv[c->cond], c->a, c->b);
            }
            if (op == IR_OP_SUB) {             /* x - k == x + (-k): one canonical form */
                return emit(b, IR_OP_SUB, t, x, y, 0, 0);
            }
            break;
        case IR_OP_AND:
            if (k == 0) return y;
            if (k == m) return x;
            break;
        case IR_OP_MUL:
            if (k == 0) return y;
            if (k == 1) return x;
            if ((k & (k - 1)) == 0) return binary(b, IR_OP_SHL, x, ir_const(b, IR_I32, (uint64_t)__builtin_ctzll(k)));
            break;
        case IR_OP_UDIV:
            if (k == 0) return y;
            if (k == 1) return x;
            if ((k & (k - 1)) == 0) return binary(b, IR_OP_LSHR, x, ir_const(b, IR_I32, (uint64_t)__builtin_ctzll(k)));
            break;
        case IR_OP_SDIV:
            if (k == 0) return y;
            if (k == 1) return x;
            break;
        case IR_OP_UMULH: case IR_OP_SMULH:
            if (k == 0) return y;
            break;
        default: break;
        }
    } else if (x == y) {
        switch (op) {
        case IR_OP_SUB: case IR_OP_XOR: return ir_const(b, t, 0);
        case IR_OP_AND: case IR_OP_OR: return x;
        default: break;
        }
    }
    if (t == IR_I1 && op == IR_OP_AND) {
        /* AArch64 HI and GT: (x >= y) & (x != y) is a single strict compare */
        static const struct { uint8_t with, to; } strict[] = {
            { IR_UGE, IR_UGT }, { IR_SGE, IR_SGT }, { IR_ULE, IR_ULT }, { IR_SLE, IR_SLT },
        };
        for (int swap = 0; swap < 2; swap++) {
            ir_val p = swap ? y : x, q = swap ? x : y, a1, b1, a2, b2;
            if (!is_cmp_of(b, q, IR_NE, &a2, &b2)) continue;
            for (unsigned k = 0; k < 4; k++)
                if (is_cmp_of(b, p, (ir_cond)strict[k].with, &a1, &b1) &&
                    ((ir_same_value(b, a1, a2) && ir_same_value(b, b1, b2)) || (ir_same_value(b, a1, b2) && ir_same_value(b, b1, a2))))
                    return ir_cmp(b, (ir_cond)strict[k].to, a1, b1);
        }
    }
    if (t == IR_I1 && (is_shift || op == IR_OP_UDIV || op == IR_OP_SDIV))
        return is_shift ? x : binary(b, IR_OP_AND, x, y);   /* 1-bit: x/y == x&y */
    if (t < IR_I32 && (is_shift || op == IR_OP_UDIV || op == IR_OP_SDIV))
        return narrow_via_i32(b, op, x, y);
    if ((op == IR_OP_UMULH || op == IR_OP_SMULH) && t != IR_I64) goto mulh_narrow;
    return emit(b, op, t, x, y, 0, 0);

mulh_narrow: {
        /* high half of a narrow product from the 64-bit product */
        bool s = op == IR_OP_SMULH;
        ir_val x64 = s ? ir_sext(b, IR_I64, x) : ir_zext(b, IR_I64, x);
        ir_val y64 = s ? ir_sext(b, IR_I64, y) : ir_zext(b, IR_I64, y);
        ir_val p = binary(b, IR_OP_MUL, x64, y64);
        return ir_trunc(b, t, binary(b, IR_OP_LSHR, p, ir_const(b, IR_I32, ir_type_bits(t))));
    }
lower128:
    switch (op) {
    case IR_OP_MUL: return call128(b, (const void *)ir_h128_mul, IR_I128, 2, x, y, 0);
    case IR_OP_UDIV: return call128(b, (const void *)ir_h128_udiv, IR_I128, 2, x, y, 0);
    case IR_OP_SDIV: return call128(b, (const void *)ir_h128_sdiv, IR_I128, 2, x, y, 0);
    case IR_OP_SHL: return call128(b, (const void *)ir_h128_shl, IR_I128, 2, x, i32_of(b, y), 0);
    case IR_OP_LSHR: return call128(b, (const void *)ir_h128_lshr, IR_I128, 2, x, i32_of(b, y), 0);
    case IR_OP_ASHR: return call128(b, (const void *)ir_h128_ashr, IR_I128, 2, x, i32_of(b, y), 0);
    case IR_OP_ROR: return call128(b, (const void *)ir_h128_ror, IR_I128, 2, x, i32_of(b, y), 0);
    case IR_OP_UMULH: return call128(b, (const void *)ir_h128_umulh, IR_I128, 2, x, y, 0);
    case IR_OP_SMULH: return call128(b, (const void *)ir_h128_smulh, IR_I128, 2, x, y, 0);
    default: check(b, false, "I128 operation"); return 0;
    }
}

ir_val ir_add(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_ADD, x, y); }
ir_val ir_sub(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_SUB, x, y); }
ir_val ir_mul(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_MUL, x, y); }
ir_val ir_umulh(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_UMULH, x, y); }
ir_val ir_smulh(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_SMULH, x, y); }
ir_val ir_udiv(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_UDIV, x, y); }
ir_val ir_sdiv(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_SDIV, x, y); }
ir_val ir_and(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_AND, x, y); }
ir_val ir_or(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_OR, x, y); }
ir_val ir_xor(ir_block *b, ir_val x, ir_val y) { return binary(b, IR_OP_XOR, x, y); }
ir_val ir_shl(ir_block *b, ir_val x, ir_val n) { return binary(b, IR_OP_SHL, x, n); }
ir_val ir_lshr(ir_block *b, ir_val x, ir_val n) { return binary(b, IR_OP_LSHR, x, n); }
ir_val ir_ashr(ir_block *b, ir_val x, ir_val n) { return binary(b, IR_OP_ASHR, x, n); }
ir_val ir_ror(ir_block *b, ir_val x, ir_val n) { return binary(b, IR_OP_ROR, x, n); }

static ir_val float_binary(ir_block *b, enum ir_op op, ir_val x, ir_val y)
{
    check_val(b, x); check_val(b, y);
    ir_type t = T(b, x);
    check(b, t == T(b, y), "FP operand types differ");
    check(b, t == IR_I32 || t == IR_I64, "FP operation on a type other than I32/I64");
    return emit(b, op, t, x, y, 0, 0);
}
ir_val ir_fadd(ir_block *b, ir_val x, ir_val y) { return float_binary(b, IR_OP_FADD, x, y); }
ir_val ir_fsub(ir_block *b, ir_val x, ir_val y) { return float_binary(b, IR_OP_FSUB, x, y); }
ir_val ir_fmul(ir_block *b, ir_val x, ir_val y) { return float_binary(b, IR_OP_FMUL, x, y); }
ir_val ir_fdiv(ir_block *b, ir_val x, ir_val y) { return float_binary(b, IR_OP_FDIV, x, y); }

ir_val ir_ffma(ir_block *b, ir_val a, ir_val x, ir_val y)
{
    check_val(b, a); check_val(b, x); check_val(b, y);
    ir_type t = T(b, a);
    check(b, t == T(b, x) && t == T(b, y), "FP operand types differ");
    check(b, t == IR_I32 || t == IR_I64, "FP operation on a type other than I32/I64");
    check(b, ir_host_has_fma(), "ir_ffma without host FMA support");
    return emit(b, IR_OP_FFMA, t, a, x, y, 0);
}

static ir_val bitreverse_lowered(ir_block *b, ir_val x);

static ir_val unary(ir_block *b, enum ir_op op, ir_val x)
{
    check_val(b, x);
    ir_type t = T(b, x);
    unsigned w = ir_type_bits(t);
    if (t == IR_I128) {
        switch (op) {
        case IR_OP_NOT: case IR_OP_NEG: return emit(b, op, t, x, 0, 0, 0);
        case IR_OP_CLZ: return call128(b, (const void *)ir_h128_clz, IR_I128, 1, x, 0, 0);
        case IR_OP_CTZ: return call128(b, (const void *)ir_h128_ctz, IR_I128, 1, x, 0, 0);
        case IR_OP_POPCNT: return call128(b, (const void *)ir_h128_popcount, IR_I128, 1, x, 0, 0);
        case IR_OP_BSWAP: return call128(b, (const void *)ir_h128_bswap, IR_I128, 1, x, 0, 0);
        default: check(b, false, "I128 unary operation"); return 0;
        }
    }
    if (b->optimise && ir_is_const(b, x)) {
        uint64_t v = cval(b, x), m = ir_type_mask(t), r = 0;
        switch (op) {
        case IR_OP_NOT: r = ~v; break;
        case IR_OP_NEG: r = -v; break;
        case IR_OP_CLZ: r = v == 0 ? w : (uint64_t)__builtin_clzll(v) - (64 - w); break;
        case IR_OP_CTZ: r = v == 0 ? w : (uint64_t)__builtin_ctzll(v); break;
        case IR_OP_POPCNT: r = ir_popcount64(v); break;
        case IR_OP_BSWAP: r = __builtin_bswap64(v) >> (64 - w); break;
        default: break;
        }
        return ir_const(b, t, r & m);
    }
    if (b->optimise && op == IR_OP_NOT && I(b, x)->op == IR_OP_NOT) return I(b, x)->a;
    if (b->optimise && op == IR_OP_NOT && t == IR_I1) return binary(b, IR_OP_XOR, x, ir_const(b, IR_I1, 1));
    if (b->optimise && op == IR_OP_NEG && I(b, x)->op == IR_OP_NEG) return I(b, x)->a;
    if (t == IR_I1) {
        switch (op) {
        case IR_OP_CLZ: case IR_OP_CTZ: return emit(b, IR_OP_XOR, t, x, ir_const(b, IR_I1, 1), 0, 0);
        case IR_OP_POPCNT: case IR_OP_BSWAP: return x;
        default: return emit(b, op, t, x, 0, 0, 0);
        }
    }
    if (t < IR_I32 && (op == IR_OP_CLZ || op == IR_OP_CTZ || op == IR_OP_POPCNT)) {
        ir_val x32 = ir_zext(b, IR_I32, x);
        ir_val r;
        if (op == IR_OP_CLZ) r = binary(b, IR_OP_SUB, unary(b, IR_OP_CLZ, x32), ir_const(b, IR_I32, 32 - w));
        else if (op == IR_OP_CTZ) r = unary(b, IR_OP_CTZ, binary(b, IR_OP_OR, x32, ir_const(b, IR_I32, 1ull << w)));
        else r = unary(b, IR_OP_POPCNT, x32);
        return ir_trunc(b, t, r);
    }
    if (t == IR_I8 && op == IR_OP_BSWAP) return x;
    if (op == IR_OP_POPCNT && !ir_backend_has_popcount()) {
        ir_val x64 = t == IR_I64 ? x : ir_zext(b, IR_I64, x);
        ir_val args[1] = { x64 };
        ir_val r = ir_call_pure(b, (const void *)ir_h64_popcount, IR_I64, 1, args);
        return t == IR_I64 ? r : ir_trunc(b, t, r);
    }
    return emit(b, op, t, x, 0, 0, 0);
}

ir_val ir_not(ir_block *b, ir_val x) { return unary(b, IR_OP_NOT, x); }
ir_val ir_neg(ir_block *b, ir_val x) { return unary(b, IR_OP_NEG, x); }
ir_val ir_clz(ir_block *b, ir_val x) { return unary(b, IR_OP_CLZ, x); }
ir_val ir_ctz(ir_block *b, ir_val x) { return unary(b, IR_OP_CTZ, x); }
ir_val ir_popcount(ir_block *b, ir_val x) { return unary(b, IR_OP_POPCNT, x); }
ir_val ir_bswap(ir_block *b, ir_val x) { return unary(b, IR_OP_BSWAP, x); }

/* Bit reversal has no x86 instruction: swap bits, pairs and nibbles, then bswap. */
static ir_val bitreverse_lowered(ir_block *b, ir_val x)
{
    ir_type t = T(b, x);
    unsigned w = ir_type_bits(t);
    ir_type wt = w <= 32 ? IR_I32 : IR_I64;
    ir_val v = t == wt ? x : ir_zext(b, wt, x);
    static const uint64_t masks[3] = { 0x5555555555555555ull, 0x3333333333333333ull, 0x0f0f0f0f0f0f0f0full };
    for (unsigned i = 0; i < 3; i++) {
        ir_val k = ir_const(b, wt, masks[i]);
        ir_val s = ir_const(b, IR_I32, 1u << i);
        ir_val lo = binary(b, IR_OP_AND, binary(b, IR_OP_LSHR, v, s), k);
        ir_val hi = binary(b, IR_OP_SHL, binary(b, IR_OP_AND, v, k), s);
        v = binary(b, IR_OP_OR, lo, hi);
    }
    v = unary(b, IR_OP_BSWAP, v);
    unsigned ww = ir_type_bits(wt);
    if (w < ww) v = binary(b, IR_OP_LSHR, v, ir_const(b, IR_I32, ww - w));
    return t == wt ? v : ir_trunc(b, t, v);
}

ir_val ir_bitreverse(ir_block *b, ir_val x)
{
    check_val(b, x);
    ir_type t = T(b, x);
    if (t == IR_I1) return x;
    if (t == IR_I128) return call128(b, (const void *)ir_h128_bitreverse, IR_I128, 1, x, 0, 0);
    if (b->optimise && ir_is_const(b, x)) {
        uint64_t v = cval(b, x), r = 0;
        unsigned w = ir_type_bits(t);
        for (unsigned i = 0; i < w; i++) if (v >> i & 1) r |= 1ull << (w - 1 - i);
        return ir_const(b, t, r);
    }
    return bitreverse_lowered(b, x);
}

/* ---- width changes ------------------------------------------------------------------- */
ir_val ir_zext(ir_block *b, ir_type t, ir_val x)
{
    check_val(b, x);
    ir_type s = T(b, x);
    check(b, t >= s, "zext width");
    if (t == s) return x;
    if (b->optimise) {
        if (ir_is_const(b, x)) return t == IR_I128 ? ir_const128(b, cval(b, x), 0) : ir_const(b, t, cval(b, x));
        if (I(b, x)->op == IR_OP_ZEXT) return ir_zext(b, t, I(b, x)->a);
    }
    return emit(b, IR_OP_ZEXT, t, x, 0, 0, 0);
}

ir_val ir_sext(ir_block *b, ir_type t, ir_val x)
{
    check_val(b, x);
    ir_type s = T(b, x);
    check(b, t >= s, "sext width");
    if (t == s) return x;
    if (b->optimise && ir_is_const(b, x)) {
        uint64_t v = sext_to64(cval(b, x), s);
        return t == IR_I128 ? ir_const128(b, v, (uint64_t)((int64_t)v >> 63)) : ir_const(b, t, v);
    }
    return emit(b, IR_OP_SEXT, t, x, 0, 0, 0);
}

ir_val ir_trunc(ir_block *b, ir_type t, ir_val x)
{
    check_val(b, x);
    ir_type s = T(b, x);
    check(b, t <= s, "trunc width");
    if (t == s) return x;
    if (b->optimise) {
        struct ir_insn *in = I(b, x);
        if (in->op == IR_OP_CONST) return ir_const(b, t, in->imm);
        if ((in->op == IR_OP_ZEXT || in->op == IR_OP_SEXT) && T(b, in->a) == t) return in->a;
        if ((in->op == IR_OP_ZEXT || in->op == IR_OP_SEXT) && T(b, in->a) > t) return ir_trunc(b, t, in->a);
        if (in->op == IR_OP_CONCAT64) return ir_trunc(b, t, in->b);
        /* the low half of a widened value: widen less (zext.i128 of a W register) */
        if (in->op == IR_OP_ZEXT && T(b, in->a) < t) return ir_zext(b, t, in->a);
        if (in->op == IR_OP_SEXT && T(b, in->a) < t) return ir_sext(b, t, in->a);
        /* the sign bit (AArch64 N flag) as a compare, so it can come from x86 SF */
        if (t == IR_I1 && in->op == IR_OP_LSHR && s != IR_I128 && ir_const_eq(b, in->b, ir_type_bits(s) - 1))
            return ir_cmp(b, IR_SLT, in->a, ir_const(b, s, 0));
    }
    return emit(b, IR_OP_TRUNC, t, x, 0, 0, 0);
}

ir_val ir_concat64(ir_block *b, ir_val hi, ir_val lo)
{
    check_val(b, hi); check_val(b, lo);
    check(b, T(b, hi) == IR_I64 && T(b, lo) == IR_I64, "concat64 operands");
    if (b->optimise) {
        if (ir_is_const(b, hi) && ir_is_const(b, lo)) return ir_const128(b, cval(b, lo), cval(b, hi));
        if (ir_const_eq(b, hi, 0)) return ir_zext(b, IR_I128, lo);
        /* the halves of one value put back together */
        const struct ir_insn *h = I(b, hi), *l = I(b, lo);
        if (h->op == IR_OP_HI64 && l->op == IR_OP_TRUNC && h->a == l->a) return h->a;
    }
    return emit(b, IR_OP_CONCAT64, IR_I128, hi, lo, 0, 0);
}

ir_val ir_hi64(ir_block *b, ir_val x)
{
    check_val(b, x);
    check(b, T(b, x) == IR_I128, "hi64 operand");
    if (b->optimise) {
        struct ir_insn *in = I(b, x);
        if (in->op == IR_OP_CONST) return ir_const(b, IR_I64, b->consts_hi[in->c]);
        if (in->op == IR_OP_CONCAT64) return in->a;
        if (in->op == IR_OP_ZEXT) return ir_const(b, IR_I64, 0);
        if (in->op == IR_OP_SEXT) {
            ir_val x64 = T(b, in->a) == IR_I64 ? in->a : ir_sext(b, IR_I64, in->a);
            return binary(b, IR_OP_ASHR, x64, ir_const(b, IR_I32, 63));
        }
    }
    return emit(b, IR_OP_HI64, IR_I64, x, 0, 0, 0);
}

/* ---- comparisons and selection ------------------------------------------------------ */
ir_val ir_cmp(ir_block *b, ir_cond c, ir_val x, ir_val y)
{
    check_val(b, x); check_val(b, y);
    check(b, c >= IR_EQ && c <= IR_SGE, "condition");
    ir_type t = T(b, x);
    check(b, T(b, y) == t, "compare operand types");
    if (t == IR_I128) {
        ir_val args[3] = { x, y, ir_const(b, IR_I32, c) };
        return ir_trunc(b, IR_I1, ir_call_pure(b, (const void *)ir_h128_cmp, IR_I32, 3, args));
    }
    if (t == IR_I1 && c >= IR_SLT) {        /* 1-bit signed: 1 means -1 */
        static const uint8_t flip[] = { [IR_SLT] = IR_UGT, [IR_SLE] = IR_UGE, [IR_SGT] = IR_ULT, [IR_SGE] = IR_ULE };
        c = (ir_cond)flip[c];
    }
    if (b->optimise) {
        if (ir_is_const(b, x) && ir_is_const(b, y)) return ir_const(b, IR_I1, fold_cmp(c, t, cval(b, x), cval(b, y)));
        if (ir_is_const(b, x)) {                /* constant to the right */
            static const uint8_t swap[] = { 0, IR_EQ, IR_NE, IR_UGT, IR_UGE, IR_ULT, IR_ULE, IR_SGT, IR_SGE, IR_SLT, IR_SLE };
            ir_val s = x; x = y; y = s;
            c = (ir_cond)swap[c];
        }
        if (x == y) return ir_const(b, IR_I1, c == IR_EQ || c == IR_ULE || c == IR_UGE || c == IR_SLE || c == IR_SGE);
        if (t == IR_I1 && ir_is_const(b, y)) {
            uint64_t k = cval(b, y);
            if ((c == IR_NE && k == 0) || (c == IR_EQ && k == 1)) return x;
            if ((c == IR_EQ && k == 0) || (c == IR_NE && k == 1)) return binary(b, IR_OP_XOR, x, ir_const(b, IR_I1, 1));
        }
        /* Z of a subtraction: x - y == 0 is x == y (then it shares x86 flags with SUBS) */
        if ((c == IR_EQ || c == IR_NE) && ir_const_eq(b, y, 0) && I(b, x)->op == IR_OP_SUB && t != IR_I128)
            return ir_cmp(b, c, I(b, x)->a, I(b, x)->b);
        /* N == V after SUBS x, y is x >= y signed (AArch64 GE/LT) */
        if ((c == IR_EQ || c == IR_NE) && t == IR_I1) {
            for (int swap = 0; swap < 2; swap++) {
                ir_val n = swap ? y : x, v = swap ? x : y, r, zero;
                if (!is_cmp_of(b, n, IR_SLT, &r, &zero) || !ir_const_eq(b, zero, 0)) continue;
                const struct ir_insn *ri = I(b, r), *vi = I(b, v);
                if (ri->op == IR_OP_SUB && vi->op == IR_OP_SUB_OVERFLOW && ir_same_value(b, ri->a, vi->a) && ir_same_value(b, ri->b, vi->b))
                    return ir_cmp(b, c == IR_EQ ? IR_SGE : IR_SLT, ri->a, ri->b);
            }
        }
        if (ir_is_const(b, y)) {
            uint64_t k = cval(b, y);
            if (k == 0 && c == IR_ULT) return ir_const(b, IR_I1, 0);
            if (k == 0 && c == IR_UGE) return ir_const(b, IR_I1, 1);
            if (k == 0 && c == IR_UGT) c = IR_NE;
            if (k == 0 && c == IR_ULE) c = IR_EQ;
        }
    }
    ir_val v = emit(b, IR_OP_CMP, IR_I1, x, y, 0, 0);
    b->insns[v].cond = (uint8_t)c;
    return v;
}

ir_val ir_select(ir_block *b, ir_val c, ir_val tv, ir_val fv)
{
    check_val(b, c); check_val(b, tv); check_val(b, fv);
    check(b, T(b, c) == IR_I1 && T(b, tv) == T(b, fv), "select operands");
    if (b->optimise) {
        if (ir_is_const(b, c)) return cval(b, c) ? tv : fv;
        if (tv == fv) return tv;
        if (T(b, tv) == IR_I1 && ir_const_eq(b, tv, 1) && ir_const_eq(b, fv, 0)) return c;
    }
    if (T(b, tv) == IR_I128) return call128(b, (const void *)ir_h128_select, IR_I128, 3, c, tv, fv);
    return emit(b, IR_OP_SELECT, T(b, tv), c, tv, fv, 0);
}

/* ---- AddWithCarry flags ------------------------------------------------------------------ */
static ir_val narrow_flag(ir_block *b, bool overflow, ir_val x, ir_val y, ir_val cin)
{
    ir_type t = T(b, x);
    unsigned w = ir_type_bits(t);
    ir_val c32 = ir_zext(b, IR_I32, cin);
    if (!overflow) {
        ir_val s = binary(b, IR_OP_ADD, binary(b, IR_OP_ADD, ir_zext(b, IR_I32, x), ir_zext(b, IR_I32, y)), c32);
        return ir_trunc(b, IR_I1, binary(b, IR_OP_LSHR, s, ir_const(b, IR_I32, w)));
    }
    ir_val s = binary(b, IR_OP_ADD, binary(b, IR_OP_ADD, ir_sext(b, IR_I32, x), ir_sext(b, IR_I32, y)), c32);
    return ir_cmp(b, IR_NE, s, ir_sext(b, IR_I32, ir_trunc(b, t, s)));
}

static ir_val flag_op(ir_block *b, enum ir_op op, ir_val x, ir_val y, ir_val cin)
{
    check_val(b, x); check_val(b, y); check_val(b, cin);
    ir_type t = T(b, x);
    check(b, T(b, y) == t && T(b, cin) == IR_I1, "add-with-carry operands");
    if (t == IR_I128) {
        const void *fn = op == IR_OP_ADD_CARRY ? (const void *)ir_h128_add_carry :
                         op == IR_OP_ADD_OVERFLOW ? (const void *)ir_h128_add_overflow : (const void *)ir_h128_adc;
        ir_val r = call128(b, fn, op == IR_OP_ADC ? IR_I128 : IR_I32, 3, x, y, cin);
        return op == IR_OP_ADC ? r : ir_trunc(b, IR_I1, r);
    }
    if (op == IR_OP_ADC) {
        if (b->optimise && ir_const_eq(b, cin, 0)) return ir_add(b, x, y);
        if (t < IR_I32) return ir_add(b, ir_add(b, x, y), ir_zext(b, t, cin));
        if (b->optimise && ir_is_const(b, x) && ir_is_const(b, y) && ir_is_const(b, cin))
            return ir_const(b, t, cval(b, x) + cval(b, y) + cval(b, cin));
        return emit(b, IR_OP_ADC, t, x, y, cin, 0);
    }
    if (t < IR_I32) return narrow_flag(b, op == IR_OP_ADD_OVERFLOW, x, y, cin);
    if (b->optimise) {
        unsigned w = ir_type_bits(t);
        uint64_t m = ir_type_mask(t);
        if (ir_is_const(b, x) && ir_is_const(b, y) && ir_is_const(b, cin)) {
            uint64_t a = cval(b, x), c = cval(b, y), ci = cval(b, cin);
            uint64_t r = (a + c + ci) & m;
            if (op == IR_OP_ADD_CARRY) {
                unsigned __int128 s = (unsigned __int128)a + c + ci;
                return ir_const(b, IR_I1, (uint64_t)(s >> w) & 1);
            }
            int64_t sa = (int64_t)sext_to64(a, t), sc = (int64_t)sext_to64(c, t);
            __int128 ss = (__int128)sa + sc + (int64_t)ci;
            return ir_const(b, IR_I1, (__int128)(int64_t)sext_to64(r, t) != ss);
        }
        /* SUBS form AddWithCarry(x, ~y, 1): C is x >= y unsigned, V a subtract overflow */
        if (ir_const_eq(b, cin, 1)) {
            ir_val ny = 0;
            if (I(b, y)->op == IR_OP_NOT) ny = I(b, y)->a;
            else if (ir_is_const(b, y)) ny = ir_const(b, t, ~cval(b, y) & m);
            if (ny) {
                if (op == IR_OP_ADD_CARRY) return ir_cmp(b, IR_UGE, x, ny);
                if (ir_const_eq(b, ny, 0)) return ir_const(b, IR_I1, 0);   /* x - 0 never overflows */
                if (ir_is_const(b, x) && !ir_is_const(b, ny)) goto generic;
                return emit(b, IR_OP_SUB_OVERFLOW, IR_I1, x, ny, 0, 0);
            }
        }
        if (ir_const_eq(b, cin, 0) && ir_is_const(b, x) && !ir_is_const(b, y)) { ir_val s = x; x = y; y = s; }
        if (ir_const_eq(b, cin, 0) && ir_const_eq(b, y, 0)) return ir_const(b, IR_I1, 0);
    }
generic:
    return emit(b, op, IR_I1, x, y, cin, 0);
}

ir_val ir_add_carry(ir_block *b, ir_val x, ir_val y, ir_val c) { return flag_op(b, IR_OP_ADD_CARRY, x, y, c); }
ir_val ir_add_overflow(ir_block *b, ir_val x, ir_val y, ir_val c) { return flag_op(b, IR_OP_ADD_OVERFLOW, x, y, c); }
ir_val ir_adc(ir_block *b, ir_val x, ir_val y, ir_val c) { return flag_op(b, IR_OP_ADC, x, y, c); }

/* ---- memory ---------------------------------------------------------------------------- */
static ir_val mem_op(ir_block *b, enum ir_op op, ir_type t, ir_val addr, ir_val v)
{
    check_val(b, addr);
    check(b, T(b, addr) == IR_I64 || T(b, addr) == IR_I32, "address type");
    if (T(b, addr) == IR_I32) addr = ir_zext(b, IR_I64, addr);
    check(b, t >= IR_I8 && t <= IR_I128, "memory access type");
    uint32_t snap = snapshot(b);
    ir_val m = emit(b, op, t, addr, v, snap, 0);
    b->insns[m].cond = b->mem_flags;
    return m;
}

void ir_block_set_mem_flags(ir_block *b, unsigned mem_flags) { b->mem_flags = (uint8_t)mem_flags; }

/* The trace item of access m (after it happened: a faulting access has none). */
static void trace_access(ir_block *b, unsigned kind, ir_val m, ir_val value, ir_val status)
{
    if (!b->trace) return;
    unsigned size = ir_type_bytes(T(b, value));
    if (b->trace == JIT_TRACE_REPLAY) {
        /* a load's value goes to the entry's next slot; a store-exclusive's status is
         * not recorded: a reader that runs the instructions again gets it from the
         * state (front ends that keep their monitor there, as AArch64's EXCL_ADDR and
         * EXCL_VALID, which the runtime clears on exceptions) */
        if (kind == JIT_TRACE_LOAD) trace_item(b, kind | (uint64_t)size << 4, value, 0, 0);
        return;
    }
    trace_item(b, kind | (uint64_t)size << 4, I(b, m)->a, value, status);
}

static ir_val load_op(ir_block *b, enum ir_op op, ir_type t, ir_val addr, unsigned mem_flags)
{
    ir_val v = mem_op(b, op, t, addr, 0);
    b->insns[v].cond |= (uint8_t)mem_flags;
    trace_access(b, JIT_TRACE_LOAD, v, v, 0);
    return v;
}

ir_val ir_load(ir_block *b, ir_type t, ir_val addr) { return load_op(b, IR_OP_LOAD, t, addr, 0); }
ir_val ir_load_ex(ir_block *b, ir_type t, ir_val addr, unsigned mem_flags)
{
    return load_op(b, IR_OP_LOAD, t, addr, mem_flags);
}
ir_val ir_load_exclusive(ir_block *b, ir_type t, ir_val addr) { return load_op(b, IR_OP_LOAD_EXCL, t, addr, 0); }

void ir_store_ex(ir_block *b, ir_val addr, ir_val v, unsigned mem_flags)
{
    check_val(b, v);
    ir_val s = mem_op(b, IR_OP_STORE, T(b, v), addr, v);
    b->insns[s].type = 0;              /* no result; the stored type is the value's */
    b->insns[s].cond |= (uint8_t)mem_flags;
    trace_access(b, JIT_TRACE_STORE, s, v, 0);
}
void ir_store(ir_block *b, ir_val addr, ir_val v) { ir_store_ex(b, addr, v, 0); }

ir_val ir_store_exclusive(ir_block *b, ir_val addr, ir_val v)
{
    check_val(b, v);
    ir_val s = mem_op(b, IR_OP_STORE_EXCL, IR_I32, addr, v);
    trace_access(b, JIT_TRACE_STORE_EXCL, s, v, s);
    return s;
}

void ir_clear_exclusive(ir_block *b) { emit(b, IR_OP_CLEAR_EXCL, 0, 0, 0, 0, 0); }

void ir_check_sp_aligned(ir_block *b, ir_val sp)
{
    ir_check_aligned(b, sp, 16, false);
    if (b->insns[b->n_insns - 1].op == IR_OP_CHECK_ALIGN)
        b->insns[b->n_insns - 1].imm |= IR_CHECK_ALIGN_SP;
}

void ir_check_aligned(ir_block *b, ir_val addr, unsigned bytes, bool write)
{
    check_val(b, addr);
    check(b, bytes == 2 || bytes == 4 || bytes == 8 || bytes == 16, "alignment size");
    check(b, T(b, addr) == IR_I64, "address type");
    if (ir_is_const(b, addr) && (b->insns[addr].imm & (bytes - 1)) == 0) return;
    emit(b, IR_OP_CHECK_ALIGN, 0, addr, 0, snapshot(b), bytes | (uint64_t)write << 8);
}
void ir_barrier(ir_block *b) { (void)b; /* single host thread per guest: nothing to order */ }

/* ---- calls -------------------------------------------------------------------------------- */
/* pure: the helper touches no guest state. side: the call must stay even if its result
 * is unused (it writes guest state). */
static ir_val call(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args, bool pure, bool side)
{
    unsigned slots = 0;
    for (unsigned i = 0; i < nargs; i++) {
        check_val(b, args[i]);
        slots += T(b, args[i]) == IR_I128 ? 2 : 1;
    }
    check(b, slots <= 5, "helper call argument count");
    check(b, ret == 0 || (ret >= IR_I1 && ret <= IR_I128), "helper return type");
    if (!pure) cache_flush(b);
    ENSURE(b, args, n_args, cap_args, nargs);
    uint32_t first = b->n_args;
    for (unsigned i = 0; i < nargs; i++) b->args[b->n_args++] = args[i];
    /* a void call still defines a value so the API can return something; it is I64 0 */
    ir_val v = emit(b, IR_OP_CALL, ret ? ret : IR_I64, first, nargs, pure, (uint64_t)(uintptr_t)fn);
    if (ret == 0) b->insns[v].cond = 1;      /* void: rax is not a result */
    b->insns[v].flags |= side ? IR_F_SIDE : 0;
    if (!pure) cache_drop_all(b);
    if (ret == 0) return ir_const(b, IR_I64, 0);
    return v;
}

ir_val ir_call(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args)
{
    return call(b, fn, ret, nargs, args, false, true);
}

ir_val ir_call_pure(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args)
{
    return call(b, fn, ret, nargs, args, true, false);
}

/* Only the cached registers overlapping the helper's range go through the state: a dirty
 * one is stored before the call, and every overlapping one is dropped so that reads
 * after the call load what the helper left. The rest stay in host registers (the
 * backend keeps values live across a call in callee-saved registers or spill slots)
 * and stay in the fault snapshots, so precise state at later faults is unaffected. */
static ir_val call_touching(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args,
                            uint32_t touch_offset, uint32_t touch_size);

/* When tracing, the registers a helper may have updated (the FP status flags) follow it
 * as REG_CHANGED items: written where their value changed. */
ir_val ir_call_touching(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args,
                        uint32_t touch_offset, uint32_t touch_size)
{
    ir_val r = call_touching(b, fn, ret, nargs, args, touch_offset, touch_size);
    if (b->trace != JIT_TRACE_FULL || !touch_size) return r;
    for (uint32_t o = touch_offset, end = touch_offset + touch_size; o < end;) {
        uint32_t n = end - o >= 8 ? 8 : end - o >= 4 ? 4 : end - o >= 2 ? 2 : 1;
        ir_type t = n == 8 ? IR_I64 : n == 4 ? IR_I32 : n == 2 ? IR_I16 : IR_I8;
        if (!(o < b->pc_offset + 8 && b->pc_offset < o + n))
            trace_item(b, JIT_TRACE_REG_CHANGED | (uint64_t)n << 4 | (uint64_t)o << 9, ir_read_reg(b, t, o), 0, 0);
        o += n;
    }
    return r;
}

static ir_val call_touching(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args,
                            uint32_t touch_offset, uint32_t touch_size)
{
    check(b, touch_offset + touch_size >= touch_offset, "helper state range");
    if (touch_size == 0) return call(b, fn, ret, nargs, args, true, false);
    if (!b->optimise) return call(b, fn, ret, nargs, args, false, true);
    uint32_t end = touch_offset + touch_size;
    owner_ensure(b, end);
    for (uint32_t k = touch_offset; k < end; k++) {
        if (b->owner_gen[k] != b->gen) continue;
        uint32_t idx = b->owner_idx[k];
        if (b->cache[idx].live) cache_evict(b, idx);
    }
    /* the argument values are SSA and already computed: evicting first is the same as
     * storing first and invalidating after the call */
    return call(b, fn, ret, nargs, args, true, true);
}

/* ---- control flow ---------------------------------------------------------------------- */
ir_label ir_label_new(ir_block *b)
{
    ENSURE(b, labels, n_labels, cap_labels, 1);
    b->labels[b->n_labels] = (struct ir_label_info){ 0 };
    return b->n_labels++;
}

/* Makes edge `edge` (0 = true, 1 = false) of conditional branch `cbr` store the
 * registers that were dirty at the branch. */
static void cbr_edge_stores(ir_block *b, uint32_t cbr, unsigned edge)
{
    struct ir_insn *in = &b->insns[cbr];
    if ((uint32_t)in->imm) in->imm |= edge ? IR_CBR_STORE_FALSE : IR_CBR_STORE_TRUE;
}

/* Meets the current register cache into label l's incoming state. `cbr` (with `edge`)
 * is the conditional branch this edge leaves from, or 0 for a jump or fall-through,
 * whose cache is already clean. A label reached only from one branch edge keeps that
 * edge's dirty registers dirty (the paths after it store them where they exit); a label
 * with several predecessors starts clean, each branch edge storing on its way. */
static void merge_into(ir_block *b, ir_label l, uint32_t cbr, unsigned edge)
{
    if (!b->reachable || !b->optimise) return;
    struct ir_label_info *li = &b->labels[l];
    if (!li->has_state) {
        li->has_state = true;
        li->state_first = b->n_label_states;
        li->state_count = 0;
        li->cbr_pred = cbr;
        li->cbr_edge = (uint8_t)edge;
        for (uint32_t i = 0; i < b->n_cache; i++) {
            if (!b->cache[i].live) continue;
            ENSURE(b, label_states, n_label_states, cap_label_states, 1);
            b->label_states[b->n_label_states++] = b->cache[i];
            li->state_count++;
        }
        return;
    }
    if (li->cbr_pred) {
        cbr_edge_stores(b, li->cbr_pred, li->cbr_edge);
        li->cbr_pred = 0;
    }
    if (cbr) cbr_edge_stores(b, cbr, edge);
    for (uint32_t i = 0; i < li->state_count; i++) {
        struct ir_cache_entry *e = &b->label_states[li->state_first + i];
        e->dirty = 0;
        if (!e->live) continue;
        int k = cache_find(b, e->offset, e->size, false);
        if (k < 0 || b->cache[k].val != e->val) e->live = 0;
    }
}

static void mark_branch_target(ir_block *b, ir_label l)
{
    merge_into(b, l, 0, 0);
    if (!b->optimise) b->labels[l].has_state = true;
}

void ir_label_bind(ir_block *b, ir_label l)
{
    check(b, l > 0 && l < b->n_labels && !b->labels[l].bound_at, "label bind");
    bool fallthrough = b->reachable;
    if (fallthrough) {
        cache_flush(b);
        mark_branch_target(b, l);
    }
    struct ir_label_info *li = &b->labels[l];
    cache_drop_all(b);
    if (li->has_state && b->optimise) {
        for (uint32_t i = 0; i < li->state_count; i++) {
            struct ir_cache_entry *e = &b->label_states[li->state_first + i];
            if (e->live) cache_add(b, e->offset, e->size, e->val, e->dirty);
        }
    }
    b->reachable = li->has_state;
    li->bound_at = emit(b, IR_OP_LABEL, 0, l, 0, 0, 0);
}

void ir_br(ir_block *b, ir_label l)
{
    check(b, l > 0 && l < b->n_labels && !b->labels[l].bound_at, "branch target (forward only)");
    cache_flush(b);
    mark_branch_target(b, l);
    emit(b, IR_OP_BR, 0, l, 0, 0, 0);
    b->reachable = false;
}

void ir_cbr(ir_block *b, ir_val c, ir_label lt, ir_label lf)
{
    check_val(b, c);
    check(b, T(b, c) == IR_I1, "branch condition type");
    check(b, lt > 0 && lt < b->n_labels && !b->labels[lt].bound_at, "branch target (forward only)");
    check(b, lf > 0 && lf < b->n_labels && !b->labels[lf].bound_at, "branch target (forward only)");
    if (b->optimise && ir_is_const(b, c)) {
        ir_br(b, cval(b, c) ? lt : lf);
        return;
    }
    if (!b->optimise || lt == lf || !b->reachable) {
        cache_flush(b);
        mark_branch_target(b, lt);
        mark_branch_target(b, lf);
        emit(b, IR_OP_CBR, 0, c, lt, lf, 0);
        b->reachable = false;
        return;
    }
    /* dirty registers stay unstored on edges to labels with no other predecessor */
    uint32_t snap = snapshot(b);
    ir_val br = emit(b, IR_OP_CBR, 0, c, lt, lf, b->snaps[snap].count ? snap : 0);
    merge_into(b, lt, br, 0);
    merge_into(b, lf, br, 1);
    b->reachable = false;
}

void ir_block_set_loop_regs(ir_block *b, const struct ir_loop_reg *regs, uint32_t n)
{
    check(b, b->n_insns == 1 && b->optimise && n <= IR_MAX_LOOP_REGS, "loop registers");
    ENSURE(b, loop_regs, n_loop_regs, cap_loop_regs, n);
    for (uint32_t k = 0; k < n; k++) {
        struct ir_loop_reg r = regs[k];
        check(b, r.type >= IR_I1 && r.type <= IR_I64, "loop register type");
        uint32_t size = ir_type_bytes((ir_type)r.type);
        check(b, cache_find(b, r.offset, size, false) < 0, "overlapping loop registers");
        r.preload = emit(b, IR_OP_LOAD_STATE, (ir_type)r.type, 0, 0, 0, r.offset);
        cache_add(b, r.offset, size, r.preload, r.written);
        b->loop_regs[k] = r;
    }
    b->n_loop_regs = n;
    b->loop_mode = true;
    emit(b, IR_OP_LOOP_HEAD, 0, 0, 0, 0, 0);
}

/* ---- lazy loop flags (struct ir_lazy_flags) ------------------------------------------ */
void ir_block_set_lazy_flags(ir_block *b, const struct ir_lazy_flags *lf)
{
    check(b, b->loop_mode && !b->lazy_flags_set, "lazy flags without loop registers");
    const struct ir_lazy_operand *ops[2] = { &lf->a, &lf->b };
    ir_val vals[2];
    ENSURE(b, consts_hi, n_consts_hi, cap_consts_hi, 3);
    uint32_t addends = b->n_consts_hi;
    b->n_consts_hi += 3;
    b->consts_hi[addends + 2] = 0;            /* no value computed in the block */
    for (int k = 0; k < 2; k++) {
        int32_t r = ops[k]->loop_reg;
        check(b, r < (int32_t)b->n_loop_regs, "lazy flag operand register");
        if (r >= 0) {
            vals[k] = b->loop_regs[r].preload;
            b->consts_hi[addends + k] = ops[k]->value;
        } else {
            vals[k] = ir_const(b, IR_I64, ops[k]->value);
            b->consts_hi[addends + k] = 0;
        }
    }
    for (uint32_t f = 0; f < 4; f++) {
        check(b, cache_find(b, lf->offset[f], 1, false) < 0, "lazy flag that is a loop register");
        ir_val v;
        if ((lf->kind & IR_LAZY_KIND_MASK) == IR_LAZY_AND && f >= 2) {
            v = ir_const(b, IR_I1, 0);
        } else {
            v = emit(b, IR_OP_LAZY_FLAG, IR_I1, vals[0], vals[1], addends, f);
            I(b, v)->cond = lf->kind;
        }
        cache_add(b, lf->offset[f], 1, v, true);
    }
    b->lazy_flags = *lf;
    b->lazy_flags_set = true;
    b->snap_valid = 0;
}

void ir_block_set_loop_consts(ir_block *b, const struct ir_loop_const *consts, uint32_t n)
{
    check(b, b->loop_mode && b->n_loop_consts == 0, "loop constants without loop registers");
    ENSURE(b, loop_consts, n_loop_consts, cap_loop_consts, n);
    for (uint32_t k = 0; k < n; k++) {
        const struct ir_loop_const *c = &consts[k];
        check(b, c->type >= IR_I8 && c->type <= IR_I64, "loop constant type");
        uint32_t size = ir_type_bytes((ir_type)c->type);
        check(b, cache_find(b, c->offset, size, false) < 0, "loop constant overlapping a loop register");
        cache_add(b, c->offset, size, ir_const(b, (ir_type)c->type, c->value), false);
        b->loop_consts[k] = *c;
    }
    b->n_loop_consts = n;
    b->snap_valid = 0;
}

static ir_val lazy_operand_value(ir_block *b, ir_val v, uint64_t addend, ir_type t)
{
    if (T(b, v) != t) v = ir_trunc(b, t, v);
    if (addend & ir_type_mask(t)) v = ir_add(b, v, ir_const(b, t, addend & ir_type_mask(t)));
    return v;
}

/* The lazy flag as a value: the one the block computed, or computed now exactly as the
 * ADL's flag-setting helpers build it. */
static ir_val lazy_flag_value(ir_block *b, ir_val lazy)
{
    struct ir_insn in = *I(b, lazy);
    if (b->consts_hi[in.c + 2]) return (ir_val)b->consts_hi[in.c + 2];
    ir_type t = (in.cond & IR_LAZY_64) ? IR_I64 : IR_I32;
    ir_val x = lazy_operand_value(b, in.a, b->consts_hi[in.c], t);
    ir_val y = lazy_operand_value(b, in.b, b->consts_hi[in.c + 1], t);
    ir_val zero = ir_const(b, t, 0), one = ir_const(b, IR_I1, 1), nil = ir_const(b, IR_I1, 0);
    unsigned kind = in.cond & IR_LAZY_KIND_MASK;
    ir_val r = kind == IR_LAZY_SUB ? ir_sub(b, x, y) : kind == IR_LAZY_ADD ? ir_add(b, x, y) : ir_and(b, x, y);
    switch (in.imm) {
    case 0: return ir_cmp(b, IR_SLT, r, zero);
    case 1: return ir_cmp(b, IR_EQ, r, zero);
    case 2: return kind == IR_LAZY_SUB ? ir_add_carry(b, x, ir_not(b, y), one) : ir_add_carry(b, x, y, nil);
    default: return kind == IR_LAZY_SUB ? ir_add_overflow(b, x, ir_not(b, y), one) : ir_add_overflow(b, x, y, nil);
    }
}

/* A flag value written to a guest register becomes a lazy flag when it is one of the
 * AddWithCarry/logical flags of a 32- or 64-bit operation: exits and fault stubs then
 * redo the operation where they store it, and the block computes it only if something
 * reads it (the cmp/jcc of a B.cond reads Z, not N, C and V). Returns 0 otherwise. */
static ir_val lazy_flag_of(ir_block *b, ir_val v)
{
    const struct ir_insn *in = I(b, v);
    unsigned kind, flag;
    ir_val x = in->a, y = in->b;
    switch (in->op) {
    case IR_OP_CMP: {
        const struct ir_insn *r = I(b, in->a);
        bool r_op = (r->op == IR_OP_SUB || r->op == IR_OP_ADD || r->op == IR_OP_AND) && ir_const_eq(b, in->b, 0);
        if (in->cond == IR_SLT && r_op) flag = 0;
        else if (in->cond == IR_SLT && ir_const_eq(b, in->b, 0)) { kind = IR_LAZY_SUB; flag = 0; break; }   /* N of x - 0 */
        else if (in->cond == IR_EQ && r_op && r->op != IR_OP_SUB) flag = 1;
        else if (in->cond == IR_EQ) { kind = IR_LAZY_SUB; flag = 1; break; }
        else if (in->cond == IR_UGE) { kind = IR_LAZY_SUB; flag = 2; break; }
        else return 0;
        kind = r->op == IR_OP_SUB ? IR_LAZY_SUB : r->op == IR_OP_ADD ? IR_LAZY_ADD : IR_LAZY_AND;
        x = r->a;
        y = r->b;
        break;
    }
    case IR_OP_SUB_OVERFLOW: kind = IR_LAZY_SUB; flag = 3; break;
    case IR_OP_ADD_CARRY:
    case IR_OP_ADD_OVERFLOW:
        if (!ir_const_eq(b, in->c, 0)) return 0;
        kind = IR_LAZY_ADD;
        flag = in->op == IR_OP_ADD_CARRY ? 2 : 3;
        break;
    default:
        return 0;
    }
    ir_type t = T(b, x);
    if ((t != IR_I32 && t != IR_I64) || T(b, y) != t) return 0;
    ENSURE(b, consts_hi, n_consts_hi, cap_consts_hi, 3);
    uint32_t c = b->n_consts_hi;
    b->n_consts_hi += 3;
    b->consts_hi[c] = b->consts_hi[c + 1] = 0;
    b->consts_hi[c + 2] = v;
    ir_val lazy = emit(b, IR_OP_LAZY_FLAG, IR_I1, x, y, c, flag);
    I(b, lazy)->cond = (uint8_t)(kind | (t == IR_I64 ? IR_LAZY_64 : 0));
    return lazy;
}

static bool is_lazy_flag_offset(const ir_block *b, uint32_t offset)
{
    for (int f = 0; f < 4; f++)
        if (b->lazy_flags.offset[f] == offset) return true;
    return false;
}

/* The back edge must leave the flags as the loop head assumes: the same operation on
 * the registers it carries. Otherwise the block is marked broken (the jit then builds
 * it without lazy flags). */
static void check_lazy_back_edge(ir_block *b, const ir_val *vals)
{
    ir_val flags[4];
    for (uint32_t f = 0; f < 4; f++) {
        int e = cache_find(b, b->lazy_flags.offset[f], 1, false);
        flags[f] = e >= 0 && T(b, b->cache[e].val) == IR_I1 ? b->cache[e].val : 0;
    }
    struct ir_lazy_regs regs = { .n = b->n_loop_regs };
    for (uint32_t k = 0; k < b->n_loop_regs; k++) regs.value[k] = vals[k];
    struct ir_lazy_flags found = { 0 };
    memcpy(found.offset, b->lazy_flags.offset, sizeof found.offset);
    if (!ir_match_lazy_flags(b, flags, &regs, &found) || !ir_lazy_flags_equal(&found, &b->lazy_flags))
        b->loop_facts_broken = true;
}

/* The back edge of a self-loop: carried registers move into their preloads' locations;
 * other dirty registers are stored as at any exit. */
static void loop_back(ir_block *b)
{
    uint32_t n = b->n_loop_regs;
    ir_val vals[IR_MAX_LOOP_REGS];
    for (uint32_t k = 0; k < n; k++)
        vals[k] = ir_read_reg(b, (ir_type)b->loop_regs[k].type, b->loop_regs[k].offset);
    if (b->lazy_flags_set) check_lazy_back_edge(b, vals);
    for (uint32_t k = 0; k < b->n_loop_consts; k++) {
        /* the next iteration's head takes the state to hold the constant */
        const struct ir_loop_const *c = &b->loop_consts[k];
        int e = cache_find(b, c->offset, ir_type_bytes((ir_type)c->type), false);
        if (e < 0 || !ir_is_const(b, b->cache[e].val) || T(b, b->cache[e].val) != c->type || cval(b, b->cache[e].val) != c->value)
            b->loop_facts_broken = true;
    }
    for (uint32_t i = 0; i < b->n_cache; i++) {
        struct ir_cache_entry *e = &b->cache[i];
        if (!e->live || !e->dirty) continue;
        /* lazy flags: the loop head recomputes them from the carried registers */
        if (b->lazy_flags_set && e->size == 1 && is_lazy_flag_offset(b, e->offset)) continue;
        bool carried = false;
        ir_val held = e->val;             /* a lazy flag was read as the value it stands for */
        if (I(b, held)->op == IR_OP_LAZY_FLAG && b->consts_hi[I(b, held)->c + 2])
            held = (ir_val)b->consts_hi[I(b, held)->c + 2];
        for (uint32_t k = 0; k < n && !carried; k++) {
            const struct ir_loop_reg *r = &b->loop_regs[k];
            carried = r->written && r->offset == e->offset && vals[k] == held;
        }
        if (!carried) cache_writeback(b, e);
    }
    ENSURE(b, args, n_args, cap_args, 2 * n);
    uint32_t first = b->n_args;
    for (uint32_t k = 0; k < n; k++) b->args[b->n_args++] = vals[k];
    for (uint32_t k = 0; k < n; k++) b->args[b->n_args++] = b->loop_regs[k].preload;
    emit(b, IR_OP_LOOP_BACK, 0, first, n, 0, 0);
    b->reachable = false;
}

void ir_block_set_exit_requests(ir_block *b, bool on) { b->exit_requests = on; }

void ir_exit_direct(ir_block *b, uint64_t target_pc)
{
    check(b, b->pc_offset_set, "exit without ir_set_pc_offset");
    if (b->loop_mode && target_pc == b->guest_pc && b->reachable) {
        if (!b->exit_requests) {
            loop_back(b);
            return;
        }
        ir_label leave = ir_label_new(b), again = ir_label_new(b);
        ir_val requested = emit(b, IR_OP_EXIT_REQUESTED, IR_I1, 0, 0, 0, 0);
        ir_cbr(b, requested, leave, again);
        ir_label_bind(b, again);
        loop_back(b);
        ir_label_bind(b, leave);          /* the registers as at the branch: store them all */
    }
    cache_flush(b);
    emit(b, IR_OP_EXIT_DIRECT, 0, 0, 0, 0, target_pc);
    b->reachable = false;
}

void ir_exit_indirect(ir_block *b, ir_val target)
{
    check(b, b->pc_offset_set, "exit without ir_set_pc_offset");
    check_val(b, target);
    check(b, T(b, target) == IR_I64, "indirect target type");
    if (b->optimise && ir_is_const(b, target)) {
        ir_exit_direct(b, cval(b, target));
        return;
    }
    cache_flush(b);
    emit(b, IR_OP_EXIT_INDIRECT, 0, target, 0, 0, 0);
    b->reachable = false;
}

void ir_exit_special(ir_block *b, ir_exit_kind kind, uint64_t pc, uint64_t info)
{
    check(b, b->pc_offset_set, "exit without ir_set_pc_offset");
    check(b, kind >= IR_EXIT_JUMP && kind < IR_EXIT_KIND_END, "exit kind");
    cache_flush(b);
    ENSURE(b, consts_hi, n_consts_hi, cap_consts_hi, 1);
    b->consts_hi[b->n_consts_hi] = info;
    ir_val v = emit(b, IR_OP_EXIT_SPECIAL, 0, 0, b->n_consts_hi++, 0, pc);
    b->insns[v].cond = (uint8_t)kind;
    b->reachable = false;
}

void ir_exit_special_value(ir_block *b, ir_exit_kind kind, uint64_t pc, ir_val info)
{
    check_val(b, info);
    check(b, T(b, info) == IR_I64, "exit info type");
    if (ir_is_const(b, info)) {
        ir_exit_special(b, kind, pc, b->insns[info].imm);
        return;
    }
    ir_exit_special(b, kind, pc, 0);
    b->insns[b->n_insns - 1].a = info;      /* run-time info: overrides the constant */
}

/* Number of guest instructions in the block so far (for the jit's statistics). */
uint32_t ir_block_guest_insns(const ir_block *b) { return b->n_guest_insns; }
bool ir_block_open(const ir_block *b) { return b->reachable; }
