/* A test double for jit/ir/ir.h: records every builder call as one line of text
 * (so tests can check exactly what a generated translator emitted) and can execute
 * the recorded block on a guest state (so the translator can be compared with the
 * generated interpreter). It also checks the IR contract: nothing after a terminator
 * until a label is bound, labels bound once and only after their branches, values
 * defined before use, operand types consistent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "tests/adl/fake_ir.h"

enum op {
    OP_CONST, OP_READ, OP_WRITE, OP_LNEW, OP_LREAD, OP_LWRITE, OP_BIN, OP_UN, OP_EXT, OP_CMP,
    OP_SELECT, OP_FLAGS, OP_LOAD, OP_STORE, OP_LDX, OP_STX, OP_CLREX, OP_BARRIER, OP_CALL,
    OP_BIND, OP_BR, OP_CBR, OP_EXIT_DIRECT, OP_EXIT_INDIRECT, OP_EXIT_SPECIAL, OP_INSN,
};

struct ins {
    enum op op;
    const char *name;      /* operation name for OP_BIN/OP_UN/OP_EXT/OP_FLAGS */
    ir_type type;          /* result type */
    uint32_t dst;          /* value / local / label */
    uint32_t a, b, c;
    uint64_t imm, imm2;
    const void *fn;
    uint32_t args[6];
    unsigned nargs;
};

struct ir_block {
    struct ins *ins;
    unsigned n, cap;
    ir_type *vtype;        /* per value */
    unsigned nval, capval;
    ir_type *ltype;        /* per local */
    unsigned nlocal;
    int *label_pos;        /* per label: instruction index of its bind, -1 */
    bool *label_used;
    unsigned nlabel;
    bool dead;             /* after a terminator, until a label is bound */
    uint32_t pc_offset;
    char text[65536];
    size_t len;
    char error[256];
};

static void fail(ir_block *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(ir_block *b, const char *fmt, ...)
{
    if (b->error[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->error, sizeof(b->error), fmt, ap);
    va_end(ap);
}

static void say(ir_block *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(ir_block *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->text + b->len, sizeof(b->text) - b->len, fmt, ap);
    va_end(ap);
    if (n > 0) b->len += (size_t)n;
    if (b->len >= sizeof(b->text) - 1) b->len = sizeof(b->text) - 1;
    if (b->len < sizeof(b->text) - 1) b->text[b->len++] = '\n';
    b->text[b->len] = 0;
}

static const char *tname(ir_type t)
{
    static const char *n[] = { "?", "i1", "i8", "i16", "i32", "i64", "i128" };
    return (unsigned)t < 7 ? n[t] : "?";
}

static unsigned bits(ir_type t)
{
    static const unsigned w[] = { 0, 1, 8, 16, 32, 64, 128 };
    return (unsigned)t < 7 ? w[t] : 0;
}

static struct ins *add(ir_block *b, enum op op)
{
    if (b->dead && op != OP_BIND && op != OP_INSN) fail(b, "IR emitted after a terminator (op %d)", op);
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->ins = realloc(b->ins, b->cap * sizeof(*b->ins));
    }
    struct ins *i = &b->ins[b->n++];
    memset(i, 0, sizeof(*i));
    i->op = op;
    return i;
}

static ir_val new_val(ir_block *b, ir_type t)
{
    if (b->nval + 1 >= b->capval) {
        b->capval = b->capval ? 2 * b->capval : 64;
        b->vtype = realloc(b->vtype, b->capval * sizeof(ir_type));
    }
    b->vtype[++b->nval] = t;
    return b->nval;
}

static ir_type vt(ir_block *b, ir_val v)
{
    if (v == 0 || v > b->nval) { fail(b, "use of invalid value %u", v); return IR_I64; }
    return b->vtype[v];
}

ir_block *ir_block_new(void)
{
    ir_block *b = calloc(1, sizeof(*b));
    return b;
}

void ir_block_free(ir_block *b)
{
    if (!b) return;
    free(b->ins);
    free(b->vtype);
    free(b->ltype);
    free(b->label_pos);
    free(b->label_used);
    free(b);
}

void ir_block_reset(ir_block *b, uint64_t guest_pc)
{
    (void)guest_pc;
    b->n = 0;
    b->nval = 0;
    b->nlocal = 0;
    b->nlabel = 0;
    b->dead = false;
    b->len = 0;
    b->text[0] = 0;
    b->error[0] = 0;
}

void ir_insn_start(ir_block *b, uint64_t guest_pc, uint32_t encoding)
{
    struct ins *i = add(b, OP_INSN);
    i->imm = guest_pc;
    i->imm2 = encoding;
}

void ir_set_pc_offset(ir_block *b, uint32_t off) { b->pc_offset = off; }

ir_val ir_const(ir_block *b, ir_type t, uint64_t v)
{
    struct ins *i = add(b, OP_CONST);
    i->type = t;
    i->dst = new_val(b, t);
    i->imm = bits(t) >= 64 ? v : (v & ((UINT64_C(1) << bits(t)) - 1));
    if (i->imm != v) fail(b, "ir_const %s 0x%llx has bits outside its type", tname(t), (unsigned long long)v);
    say(b, "t%u = const.%s 0x%llx", i->dst, tname(t), (unsigned long long)v);
    return i->dst;
}

bool ir_value_is_const(ir_block *b, ir_val v, uint64_t *value)
{
    for (unsigned k = 0; k < b->n; k++) {
        const struct ins *i = &b->ins[k];
        if (i->op == OP_CONST && i->dst == v && i->type != IR_I128) {
            *value = i->imm;
            return true;
        }
    }
    return false;
}

ir_val ir_const128(ir_block *b, uint64_t lo, uint64_t hi)
{
    struct ins *i = add(b, OP_CONST);
    i->type = IR_I128;
    i->dst = new_val(b, IR_I128);
    i->imm = lo;
    i->imm2 = hi;
    say(b, "t%u = const.i128 0x%llx:%016llx", i->dst, (unsigned long long)hi, (unsigned long long)lo);
    return i->dst;
}

ir_val ir_read_reg(ir_block *b, ir_type t, uint32_t off)
{
    struct ins *i = add(b, OP_READ);
    i->type = t;
    i->dst = new_val(b, t);
    i->imm = off;
    say(b, "t%u = read.%s @%u", i->dst, tname(t), off);
    return i->dst;
}

void ir_write_reg(ir_block *b, uint32_t off, ir_val v)
{
    struct ins *i = add(b, OP_WRITE);
    i->a = v;
    i->imm = off;
    i->type = vt(b, v);
    say(b, "write.%s @%u t%u", tname(i->type), off, v);
}

ir_local ir_local_new(ir_block *b, ir_type t)
{
    b->ltype = realloc(b->ltype, (b->nlocal + 2) * sizeof(ir_type));
    b->ltype[++b->nlocal] = t;
    struct ins *i = add(b, OP_LNEW);
    i->dst = b->nlocal;
    i->type = t;
    say(b, "l%u = local.%s", b->nlocal, tname(t));
    return b->nlocal;
}

ir_val ir_local_read(ir_block *b, ir_local l)
{
    if (l == 0 || l > b->nlocal) { fail(b, "bad local"); l = 1; }
    struct ins *i = add(b, OP_LREAD);
    i->type = b->ltype[l];
    i->dst = new_val(b, i->type);
    i->a = l;
    say(b, "t%u = local_read l%u", i->dst, l);
    return i->dst;
}

void ir_local_write(ir_block *b, ir_local l, ir_val v)
{
    if (l == 0 || l > b->nlocal) { fail(b, "bad local"); return; }
    if (vt(b, v) != b->ltype[l]) fail(b, "local_write type mismatch l%u t%u", l, v);
    struct ins *i = add(b, OP_LWRITE);
    i->a = l;
    i->b = v;
    say(b, "local_write l%u t%u", l, v);
}

static ir_val bin(ir_block *b, const char *name, ir_val x, ir_val y, bool same)
{
    if (same && vt(b, x) != vt(b, y))
        fail(b, "%s operand types differ (%s, %s)", name, tname(vt(b, x)), tname(vt(b, y)));
    struct ins *i = add(b, OP_BIN);
    i->name = name;
    i->type = vt(b, x);
    i->dst = new_val(b, i->type);
    i->a = x;
    i->b = y;
    say(b, "t%u = %s t%u t%u", i->dst, name, x, y);
    return i->dst;
}

static ir_val un(ir_block *b, const char *name, ir_val x)
{
    struct ins *i = add(b, OP_UN);
    i->name = name;
    i->type = vt(b, x);
    i->dst = new_val(b, i->type);
    i->a = x;
    say(b, "t%u = %s t%u", i->dst, name, x);
    return i->dst;
}

/* The IR's IEEE ops (SSE2 semantics): a NaN operand gives the first NaN operand,
 * quietened; otherwise the host's double/float arithmetic (the C compiler may commute
 * operands, which only matters for NaNs, handled first). */
static uint64_t ieee_op(char kind, unsigned w, uint64_t a, uint64_t b)
{
    if (w == 64) {
        if ((a & ~(1ull << 63)) > 0x7ff0000000000000ull) return a | 1ull << 51;
        if ((b & ~(1ull << 63)) > 0x7ff0000000000000ull) return b | 1ull << 51;
        double x, y, r;
        memcpy(&x, &a, 8); memcpy(&y, &b, 8);
        r = kind == 'a' ? x + y : kind == 's' ? x - y : kind == 'm' ? x * y : x / y;
        uint64_t o; memcpy(&o, &r, 8);
        return o;
    }
    uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
    if ((a32 & 0x7fffffffu) > 0x7f800000u) return a32 | 1u << 22;
    if ((b32 & 0x7fffffffu) > 0x7f800000u) return b32 | 1u << 22;
    float x, y, r;
    memcpy(&x, &a32, 4); memcpy(&y, &b32, 4);
    r = kind == 'a' ? x + y : kind == 's' ? x - y : kind == 'm' ? x * y : x / y;
    uint32_t o; memcpy(&o, &r, 4);
    return o;
}

ir_val ir_add(ir_block *b, ir_val x, ir_val y) { return bin(b, "add", x, y, true); }
ir_val ir_sub(ir_block *b, ir_val x, ir_val y) { return bin(b, "sub", x, y, true); }
ir_val ir_mul(ir_block *b, ir_val x, ir_val y) { return bin(b, "mul", x, y, true); }
ir_val ir_umulh(ir_block *b, ir_val x, ir_val y) { return bin(b, "umulh", x, y, true); }
ir_val ir_smulh(ir_block *b, ir_val x, ir_val y) { return bin(b, "smulh", x, y, true); }
ir_val ir_udiv(ir_block *b, ir_val x, ir_val y) { return bin(b, "udiv", x, y, true); }
ir_val ir_sdiv(ir_block *b, ir_val x, ir_val y) { return bin(b, "sdiv", x, y, true); }
ir_val ir_and(ir_block *b, ir_val x, ir_val y) { return bin(b, "and", x, y, true); }
ir_val ir_or(ir_block *b, ir_val x, ir_val y) { return bin(b, "or", x, y, true); }
ir_val ir_xor(ir_block *b, ir_val x, ir_val y) { return bin(b, "xor", x, y, true); }
ir_val ir_not(ir_block *b, ir_val x) { return un(b, "not", x); }
ir_val ir_neg(ir_block *b, ir_val x) { return un(b, "neg", x); }
ir_val ir_shl(ir_block *b, ir_val x, ir_val n) { return bin(b, "shl", x, n, false); }
ir_val ir_lshr(ir_block *b, ir_val x, ir_val n) { return bin(b, "lshr", x, n, false); }
ir_val ir_ashr(ir_block *b, ir_val x, ir_val n) { return bin(b, "ashr", x, n, false); }
ir_val ir_ror(ir_block *b, ir_val x, ir_val n) { return bin(b, "ror", x, n, false); }
ir_val ir_fadd(ir_block *b, ir_val x, ir_val y) { return bin(b, "fadd", x, y, true); }
ir_val ir_fsub(ir_block *b, ir_val x, ir_val y) { return bin(b, "fsub", x, y, true); }
ir_val ir_fmul(ir_block *b, ir_val x, ir_val y) { return bin(b, "fmul", x, y, true); }
ir_val ir_fdiv(ir_block *b, ir_val x, ir_val y) { return bin(b, "fdiv", x, y, true); }
ir_val ir_clz(ir_block *b, ir_val x) { return un(b, "clz", x); }
ir_val ir_ctz(ir_block *b, ir_val x) { return un(b, "ctz", x); }
ir_val ir_popcount(ir_block *b, ir_val x) { return un(b, "popcount", x); }
ir_val ir_bswap(ir_block *b, ir_val x) { return un(b, "bswap", x); }
ir_val ir_bitreverse(ir_block *b, ir_val x) { return un(b, "bitreverse", x); }

static ir_val ext(ir_block *b, const char *name, ir_type t, ir_val x)
{
    struct ins *i = add(b, OP_EXT);
    i->name = name;
    i->type = t;
    i->dst = new_val(b, t);
    i->a = x;
    bool widen = strcmp(name, "trunc") != 0;
    if (widen ? bits(t) <= bits(vt(b, x)) : bits(t) >= bits(vt(b, x)))
        fail(b, "%s from %s to %s", name, tname(vt(b, x)), tname(t));
    say(b, "t%u = %s.%s t%u", i->dst, name, tname(t), x);
    return i->dst;
}

ir_val ir_zext(ir_block *b, ir_type t, ir_val x) { return ext(b, "zext", t, x); }
ir_val ir_sext(ir_block *b, ir_type t, ir_val x) { return ext(b, "sext", t, x); }
ir_val ir_trunc(ir_block *b, ir_type t, ir_val x) { return ext(b, "trunc", t, x); }

ir_val ir_concat64(ir_block *b, ir_val hi, ir_val lo)
{
    ir_val r = bin(b, "concat64", hi, lo, true);
    b->vtype[r] = IR_I128;
    b->ins[b->n - 1].type = IR_I128;
    return r;
}

ir_val ir_hi64(ir_block *b, ir_val x)
{
    ir_val r = un(b, "hi64", x);
    b->vtype[r] = IR_I64;
    b->ins[b->n - 1].type = IR_I64;
    return r;
}

static const char *cond_name(ir_cond c)
{
    static const char *n[] = { "?", "eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge" };
    return (unsigned)c <= IR_SGE ? n[c] : "?";
}

ir_val ir_cmp(ir_block *b, ir_cond c, ir_val x, ir_val y)
{
    if (vt(b, x) != vt(b, y)) fail(b, "cmp operand types differ");
    struct ins *i = add(b, OP_CMP);
    i->type = IR_I1;
    i->dst = new_val(b, IR_I1);
    i->imm = c;
    i->a = x;
    i->b = y;
    say(b, "t%u = cmp.%s t%u t%u", i->dst, cond_name(c), x, y);
    return i->dst;
}

ir_val ir_select(ir_block *b, ir_val c, ir_val x, ir_val y)
{
    if (vt(b, c) != IR_I1 || vt(b, x) != vt(b, y)) fail(b, "select types");
    struct ins *i = add(b, OP_SELECT);
    i->type = vt(b, x);
    i->dst = new_val(b, i->type);
    i->a = c;
    i->b = x;
    i->c = y;
    say(b, "t%u = select t%u t%u t%u", i->dst, c, x, y);
    return i->dst;
}

static ir_val flags(ir_block *b, const char *name, ir_val x, ir_val y, ir_val c)
{
    if (vt(b, x) != vt(b, y) || vt(b, c) != IR_I1) fail(b, "%s types", name);
    struct ins *i = add(b, OP_FLAGS);
    i->name = name;
    i->type = strcmp(name, "adc") == 0 ? vt(b, x) : IR_I1;
    i->dst = new_val(b, i->type);
    i->a = x;
    i->b = y;
    i->c = c;
    say(b, "t%u = %s t%u t%u t%u", i->dst, name, x, y, c);
    return i->dst;
}

bool fake_ir_host_fma = true;
bool ir_host_has_fma(void) { return fake_ir_host_fma; }

/* a + x * y, one rounding; NaN-ness only (which NaN is unspecified for the real IR) */
static uint64_t ieee_fma(unsigned w, uint64_t a, uint64_t x, uint64_t y)
{
    if (w == 64) {
        double d[3]; uint64_t in[3] = { a, x, y }, o;
        for (int k = 0; k < 3; k++) memcpy(&d[k], &in[k], 8);
        double r = fma(d[1], d[2], d[0]);
        memcpy(&o, &r, 8);
        return o;
    }
    float f[3]; uint32_t in[3] = { (uint32_t)a, (uint32_t)x, (uint32_t)y }, o;
    for (int k = 0; k < 3; k++) memcpy(&f[k], &in[k], 4);
    float r = fmaf(f[1], f[2], f[0]);
    memcpy(&o, &r, 4);
    return o;
}

ir_val ir_ffma(ir_block *b, ir_val a, ir_val x, ir_val y)
{
    if (!fake_ir_host_fma) fail(b, "ir_ffma without host FMA");
    if (vt(b, a) != vt(b, x) || vt(b, a) != vt(b, y) || (vt(b, a) != IR_I32 && vt(b, a) != IR_I64))
        fail(b, "ffma types");
    struct ins *i = add(b, OP_FLAGS);
    i->name = "ffma";
    i->type = vt(b, a);
    i->dst = new_val(b, i->type);
    i->a = a;
    i->b = x;
    i->c = y;
    say(b, "t%u = ffma t%u t%u t%u", i->dst, a, x, y);
    return i->dst;
}

ir_val ir_add_carry(ir_block *b, ir_val x, ir_val y, ir_val c) { return flags(b, "add_carry", x, y, c); }
ir_val ir_add_overflow(ir_block *b, ir_val x, ir_val y, ir_val c) { return flags(b, "add_overflow", x, y, c); }
ir_val ir_adc(ir_block *b, ir_val x, ir_val y, ir_val c) { return flags(b, "adc", x, y, c); }

ir_val ir_load(ir_block *b, ir_type t, ir_val addr)
{
    if (vt(b, addr) != IR_I64) fail(b, "load address not i64");
    struct ins *i = add(b, OP_LOAD);
    i->type = t;
    i->dst = new_val(b, t);
    i->a = addr;
    say(b, "t%u = load.%s t%u", i->dst, tname(t), addr);
    return i->dst;
}

void ir_store(ir_block *b, ir_val addr, ir_val v)
{
    if (vt(b, addr) != IR_I64) fail(b, "store address not i64");
    struct ins *i = add(b, OP_STORE);
    i->type = vt(b, v);
    i->a = addr;
    i->b = v;
    say(b, "store.%s t%u t%u", tname(i->type), addr, v);
}

ir_val ir_load_exclusive(ir_block *b, ir_type t, ir_val addr)
{
    ir_val r = ir_load(b, t, addr);
    b->ins[b->n - 1].op = OP_LDX;
    return r;
}

ir_val ir_store_exclusive(ir_block *b, ir_val addr, ir_val v)
{
    struct ins *i = add(b, OP_STX);
    i->type = IR_I32;
    i->dst = new_val(b, IR_I32);
    i->a = addr;
    i->b = v;
    say(b, "t%u = store_exclusive.%s t%u t%u", i->dst, tname(vt(b, v)), addr, v);
    return i->dst;
}

void ir_clear_exclusive(ir_block *b) { add(b, OP_CLREX); say(b, "clear_exclusive"); }
void ir_barrier(ir_block *b) { add(b, OP_BARRIER); say(b, "barrier"); }

/* touch: NULL for ir_call, else " [offset+size]" naming the declared state range */
static ir_val record_call(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args,
                          const char *kind, const char *touch)
{
    struct ins *i = add(b, OP_CALL);
    i->fn = fn;
    i->type = ret;
    i->nargs = nargs > 6 ? 6 : nargs;
    char list[128] = "";
    size_t len = 0;
    for (unsigned k = 0; k < i->nargs; k++) {
        i->args[k] = args[k];
        (void)vt(b, args[k]);
        len += (size_t)snprintf(list + len, sizeof(list) - len, " t%u", args[k]);
        if (len >= sizeof(list)) len = sizeof(list) - 1;
    }
    i->dst = ret ? new_val(b, ret) : 0;
    if (ret) say(b, "t%u = %s.%s%s%s", i->dst, kind, tname(ret), touch, list);
    else say(b, "%s.void%s%s", kind, touch, list);
    return i->dst;
}

ir_val ir_call(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args)
{
    return record_call(b, fn, ret, nargs, args, "call", "");
}

ir_val ir_call_touching(ir_block *b, const void *fn, ir_type ret, unsigned nargs, const ir_val *args,
                        uint32_t touch_offset, uint32_t touch_size)
{
    char touch[48];
    snprintf(touch, sizeof(touch), " [%u+%u]", touch_offset, touch_size);
    return record_call(b, fn, ret, nargs, args, "call_touching", touch);
}

ir_label ir_label_new(ir_block *b)
{
    b->nlabel++;
    b->label_pos = realloc(b->label_pos, (b->nlabel + 1) * sizeof(int));
    b->label_used = realloc(b->label_used, (b->nlabel + 1) * sizeof(bool));
    b->label_pos[b->nlabel] = -1;
    b->label_used[b->nlabel] = false;
    return b->nlabel;
}

void ir_label_bind(ir_block *b, ir_label l)
{
    if (l == 0 || l > b->nlabel) { fail(b, "bad label"); return; }
    if (b->label_pos[l] >= 0) fail(b, "label L%u bound twice", l);
    struct ins *i = add(b, OP_BIND);
    i->dst = l;
    b->label_pos[l] = (int)b->n - 1;
    b->dead = false;
    say(b, "L%u:", l);
}

static void use_label(ir_block *b, ir_label l)
{
    if (l == 0 || l > b->nlabel) { fail(b, "bad label"); return; }
    if (b->label_pos[l] >= 0) fail(b, "branch back to bound label L%u", l);
    b->label_used[l] = true;
}

void ir_br(ir_block *b, ir_label l)
{
    use_label(b, l);
    struct ins *i = add(b, OP_BR);
    i->dst = l;
    b->dead = true;
    say(b, "br L%u", l);
}

void ir_cbr(ir_block *b, ir_val c, ir_label t, ir_label f)
{
    if (vt(b, c) != IR_I1) fail(b, "cbr condition not i1");
    use_label(b, t);
    use_label(b, f);
    struct ins *i = add(b, OP_CBR);
    i->a = c;
    i->b = t;
    i->c = f;
    b->dead = true;
    say(b, "cbr t%u L%u L%u", c, t, f);
}

void ir_exit_direct(ir_block *b, uint64_t target)
{
    struct ins *i = add(b, OP_EXIT_DIRECT);
    i->imm = target;
    b->dead = true;
    say(b, "exit_direct 0x%llx", (unsigned long long)target);
}

void ir_exit_indirect(ir_block *b, ir_val target)
{
    if (vt(b, target) != IR_I64) fail(b, "exit_indirect target not i64");
    struct ins *i = add(b, OP_EXIT_INDIRECT);
    i->a = target;
    b->dead = true;
    say(b, "exit_indirect t%u", target);
}

void ir_exit_special(ir_block *b, ir_exit_kind kind, uint64_t pc, uint64_t info)
{
    struct ins *i = add(b, OP_EXIT_SPECIAL);
    i->imm = pc;
    i->imm2 = info;
    i->a = kind;
    b->dead = true;
    say(b, "exit_special %d 0x%llx 0x%llx", kind, (unsigned long long)pc, (unsigned long long)info);
}

/* ---- inspection ------------------------------------------------------------------- */

const char *fake_ir_text(const ir_block *b) { return b->text; }
const char *fake_ir_error(const ir_block *b) { return b->error[0] ? b->error : NULL; }
bool fake_ir_terminated(const ir_block *b) { return b->dead; }

unsigned fake_ir_count(const ir_block *b, const char *prefix)
{
    unsigned n = 0;
    const char *p = b->text;
    size_t pl = strlen(prefix);
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        /* match the operation: after "tN = " when present */
        const char *op = p;
        const char *eq = memchr(p, '=', len);
        if (eq && eq[1] == ' ') op = eq + 2;
        if (strncmp(op, prefix, pl) == 0) n++;
        if (!eol) break;
        p = eol + 1;
    }
    return n;
}

/* ---- execution ---------------------------------------------------------------------- */

typedef unsigned __int128 u128;

static u128 mask(ir_type t)
{
    unsigned w = bits(t);
    return w >= 128 ? ~(u128)0 : (((u128)1 << w) - 1);
}

static __int128 sx(u128 v, ir_type t)
{
    unsigned w = bits(t);
    if (w >= 128) return (__int128)v;
    u128 m = (u128)1 << (w - 1);
    v &= mask(t);
    return (__int128)((v ^ m) - m);
}

static bool mem_ok(const struct jit_memory *m, uint64_t a, uint64_t n)
{
    return a <= m->guest_limit && n <= m->guest_limit - a;
}

static uint64_t excl_addr;
static bool excl_valid;

typedef uint64_t (*call6)(void *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

int fake_ir_run(ir_block *b, void *state, const struct jit_memory *m, uint64_t *info)
{
    u128 *val = calloc(b->nval + 2, sizeof(u128));
    bool *def = calloc(b->nval + 2, sizeof(bool));
    u128 *loc = calloc(b->nlocal + 2, sizeof(u128));
    uint8_t *st = state;
    uint64_t cur_pc = 0;
    int result = -1;
#define V(x) (def[x] ? val[x] : (fail(b, "t%u used before its definition", (unsigned)(x)), (u128)0))
#define SET(i, v) do { val[(i)->dst] = (u128)(v) & mask((i)->type); def[(i)->dst] = true; } while (0)
    for (unsigned pc = 0; pc < b->n && result < 0 && !b->error[0]; pc++) {
        struct ins *i = &b->ins[pc];
        ir_type t = i->type;
        unsigned w = bits(t);
        switch (i->op) {
        case OP_INSN: cur_pc = i->imm; break;
        case OP_CONST: SET(i, ((u128)i->imm2 << 64) | i->imm); break;
        case OP_READ: {
            u128 v = 0;
            memcpy(&v, st + i->imm, w <= 8 ? 1 : w / 8);
            SET(i, v);
            break;
        }
        case OP_WRITE: {
            u128 v = V(i->a);
            memcpy(st + i->imm, &v, w <= 8 ? 1 : w / 8);
            break;
        }
        case OP_LNEW: break;
        case OP_LREAD: SET(i, loc[i->a]); break;
        case OP_LWRITE: loc[i->a] = V(i->b); break;
        case OP_BIN: {
            u128 x = V(i->a), y = V(i->b);
            const char *n = i->name;
            u128 r = 0;
            unsigned sh = (unsigned)(y % w);
            if (!strcmp(n, "add")) r = x + y;
            else if (!strcmp(n, "sub")) r = x - y;
            else if (!strcmp(n, "mul")) r = x * y;
            else if (!strcmp(n, "umulh")) r = (x * y) >> 64;
            else if (!strcmp(n, "smulh")) r = (u128)(((__int128)(int64_t)(uint64_t)x * (int64_t)(uint64_t)y) >> 64);
            else if (!strcmp(n, "udiv")) r = y ? x / y : 0;
            else if (!strcmp(n, "sdiv")) {
                __int128 a = sx(x, t), c = sx(y, t);
                r = c == 0 ? 0 : (c == -1 ? (u128)0 - (u128)a : (u128)(a / c));
            }
            else if (!strcmp(n, "and")) r = x & y;
            else if (!strcmp(n, "or")) r = x | y;
            else if (!strcmp(n, "xor")) r = x ^ y;
            else if (!strcmp(n, "shl")) r = x << sh;
            else if (!strcmp(n, "lshr")) r = x >> sh;
            else if (!strcmp(n, "ashr")) r = (u128)(sx(x, t) >> sh);
            else if (!strcmp(n, "ror")) r = sh ? ((x >> sh) | (x << (w - sh))) : x;
            else if (!strcmp(n, "concat64")) r = ((u128)(uint64_t)x << 64) | (uint64_t)y;
            else if (n[0] == 'f') r = ieee_op(n[1], w, (uint64_t)x, (uint64_t)y);
            else fail(b, "unknown binary %s", n);
            SET(i, r);
            break;
        }
        case OP_UN: {
            u128 x = V(i->a) & mask(t);
            const char *n = i->name;
            u128 r = 0;
            if (!strcmp(n, "not")) r = ~x;
            else if (!strcmp(n, "neg")) r = (u128)0 - x;
            else if (!strcmp(n, "clz")) { r = w; for (unsigned k = 0; k < w; k++) if ((x >> (w - 1 - k)) & 1) { r = k; break; } }
            else if (!strcmp(n, "ctz")) { r = w; for (unsigned k = 0; k < w; k++) if ((x >> k) & 1) { r = k; break; } }
            else if (!strcmp(n, "popcount")) { for (unsigned k = 0; k < w; k++) r += (x >> k) & 1; }
            else if (!strcmp(n, "bswap")) { for (unsigned k = 0; k < w / 8; k++) r |= ((x >> (8 * k)) & 0xff) << (w - 8 - 8 * k); }
            else if (!strcmp(n, "bitreverse")) { for (unsigned k = 0; k < w; k++) r |= ((x >> k) & 1) << (w - 1 - k); }
            else if (!strcmp(n, "hi64")) r = x >> 64;
            else fail(b, "unknown unary %s", n);
            SET(i, r);
            break;
        }
        case OP_EXT: {
            u128 x = V(i->a);
            ir_type from = b->vtype[i->a];
            if (!strcmp(i->name, "sext")) SET(i, (u128)sx(x, from));
            else SET(i, x & mask(from));
            break;
        }
        case OP_CMP: {
            ir_type ot = b->vtype[i->a];
            u128 x = V(i->a), y = V(i->b);
            __int128 a = sx(x, ot), c = sx(y, ot);
            bool r = false;
            switch ((ir_cond)i->imm) {
            case IR_EQ: r = x == y; break;
            case IR_NE: r = x != y; break;
            case IR_ULT: r = x < y; break;
            case IR_ULE: r = x <= y; break;
            case IR_UGT: r = x > y; break;
            case IR_UGE: r = x >= y; break;
            case IR_SLT: r = a < c; break;
            case IR_SLE: r = a <= c; break;
            case IR_SGT: r = a > c; break;
            case IR_SGE: r = a >= c; break;
            }
            SET(i, r);
            break;
        }
        case OP_SELECT: SET(i, (V(i->a) & 1) ? V(i->b) : V(i->c)); break;
        case OP_FLAGS: {
            ir_type ot = b->vtype[i->a];
            unsigned ow = bits(ot);
            u128 x = V(i->a), y = V(i->b), c = V(i->c) & 1;
            u128 sum = x + y + c;
            if (!strcmp(i->name, "ffma")) SET(i, ieee_fma(ow, (uint64_t)x, (uint64_t)y, (uint64_t)V(i->c)));
            else if (!strcmp(i->name, "adc")) SET(i, sum);
            else if (!strcmp(i->name, "add_carry")) {
                bool carry = ow >= 128 ? (c ? sum <= x : sum < x) : ((sum >> ow) & 1);
                SET(i, carry);
            } else {
                bool sx_ = (x >> (ow - 1)) & 1, sy = (y >> (ow - 1)) & 1, sr = (sum >> (ow - 1)) & 1;
                SET(i, sx_ == sy && sr != sx_);
            }
            break;
        }
        case OP_LOAD: case OP_LDX: {
            uint64_t a = (uint64_t)V(i->a);
            if (!mem_ok(m, a, w / 8)) {
                *info = a;
                memcpy(st + b->pc_offset, &cur_pc, 8);
                result = IR_EXIT_DATA_ABORT;
                break;
            }
            u128 v = 0;
            memcpy(&v, m->host_base + a, w / 8);
            SET(i, v);
            if (i->op == OP_LDX) { excl_addr = a; excl_valid = true; }
            break;
        }
        case OP_STORE: case OP_STX: {
            uint64_t a = (uint64_t)V(i->a);
            u128 v = V(i->b);
            unsigned vw = bits(b->vtype[i->b]);
            if (i->op == OP_STX && !(excl_valid && excl_addr == a)) {
                excl_valid = false;
                SET(i, 1);
                break;
            }
            if (!mem_ok(m, a, vw / 8)) {
                *info = a;
                memcpy(st + b->pc_offset, &cur_pc, 8);
                result = IR_EXIT_DATA_ABORT;
                break;
            }
            memcpy(m->host_base + a, &v, vw / 8);
            if (i->op == OP_STX) { excl_valid = false; SET(i, 0); }
            break;
        }
        case OP_CLREX: excl_valid = false; break;
        case OP_BARRIER: break;
        case OP_CALL: {
            uint64_t a[6] = { 0 };
            for (unsigned k = 0; k < i->nargs; k++) a[k] = (uint64_t)V(i->args[k]);
            uint64_t r = ((call6)(uintptr_t)i->fn)(state, a[0], a[1], a[2], a[3], a[4], a[5]);
            if (t) SET(i, r);
            break;
        }
        case OP_BIND: break;
        case OP_BR: pc = (unsigned)b->label_pos[i->dst]; break;
        case OP_CBR: pc = (unsigned)b->label_pos[(V(i->a) & 1) ? i->b : i->c]; break;
        case OP_EXIT_DIRECT:
            memcpy(st + b->pc_offset, &i->imm, 8);
            *info = 0;
            result = IR_EXIT_JUMP;
            break;
        case OP_EXIT_INDIRECT: {
            uint64_t target = (uint64_t)V(i->a);
            memcpy(st + b->pc_offset, &target, 8);
            *info = 0;
            result = IR_EXIT_JUMP;
            break;
        }
        case OP_EXIT_SPECIAL:
            memcpy(st + b->pc_offset, &i->imm, 8);
            *info = i->imm2;
            result = (int)i->a;
            break;
        }
    }
#undef V
#undef SET
    if (result < 0 && !b->error[0]) fail(b, "ran off the end of the block without an exit");
    free(val);
    free(def);
    free(loc);
    return b->error[0] ? -1 : result;
}
