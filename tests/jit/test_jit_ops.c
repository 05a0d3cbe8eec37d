/* End-to-end tests of every IR operation: blocks built with the ir_* API are compiled
 * by the JIT and run on the toy guest; results are compared with a C reference of the
 * IR semantics (AArch64 division, shifts modulo the width, AddWithCarry flags) for
 * many random and edge-case inputs, with register and constant operands, with the
 * builder's optimisations on and off, and with the optional CPU features disabled. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "toy_guest.h"
#include "jit/jit_internal.h"
#include "jit/x86_64/cpu_features.h"

enum op {
    OP_ADD, OP_SUB, OP_MUL, OP_UMULH, OP_SMULH, OP_UDIV, OP_SDIV, OP_AND, OP_OR, OP_XOR,
    OP_SHL, OP_LSHR, OP_ASHR, OP_ROR, OP_N_BINARY,
    OP_NOT = OP_N_BINARY, OP_NEG, OP_CLZ, OP_CTZ, OP_POPCNT, OP_BSWAP, OP_BITREV,
    OP_ZEXT64, OP_SEXT64, OP_N_OPS,
};
static const char *const op_names[] = { "add", "sub", "mul", "umulh", "smulh", "udiv", "sdiv",
    "and", "or", "xor", "shl", "lshr", "ashr", "ror", "not", "neg", "clz", "ctz", "popcnt",
    "bswap", "bitrev", "zext64", "sext64" };

static const uint64_t konst[] = { 0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x8000,
    0x7fffffff, 0x80000000u, 0xffffffffu, 0x123456789abcdefull, 0x8000000000000000ull,
    0xffffffffffffffffull, 0xfffffffffffffff0ull };
#define N_KONST (sizeof(konst) / sizeof(konst[0]))

static unsigned bits_of(ir_type t) { return t == IR_I1 ? 1 : t == IR_I8 ? 8 : t == IR_I16 ? 16 : t == IR_I32 ? 32 : 64; }
static uint64_t mask_of(ir_type t) { unsigned w = bits_of(t); return w == 64 ? ~0ull : (1ull << w) - 1; }
static int64_t sx(uint64_t v, ir_type t) { unsigned w = bits_of(t); return w == 64 ? (int64_t)v : (int64_t)(v << (64 - w)) >> (64 - w); }

static uint64_t reference(enum op op, ir_type t, uint64_t a, uint64_t b)
{
    unsigned w = bits_of(t);
    uint64_t m = mask_of(t);
    a &= m; b &= m;
    unsigned n = (unsigned)(b % w);
    switch (op) {
    case OP_ADD: return (a + b) & m;
    case OP_SUB: return (a - b) & m;
    case OP_MUL: return (a * b) & m;
    case OP_UMULH: return w == 64 ? (uint64_t)(((unsigned __int128)a * b) >> 64) : (uint64_t)(((unsigned __int128)a * b) >> w) & m;
    case OP_SMULH: return (uint64_t)(((__int128)sx(a, t) * sx(b, t)) >> w) & m;
    case OP_UDIV: return b ? a / b : 0;
    case OP_SDIV: {
        if (!b) return 0;
        int64_t x = sx(a, t), y = sx(b, t);
        if (y == -1) return (0 - (uint64_t)x) & m;
        return (uint64_t)(x / y) & m;
    }
    case OP_AND: return a & b;
    case OP_OR: return a | b;
    case OP_XOR: return a ^ b;
    case OP_SHL: return (a << n) & m;
    case OP_LSHR: return a >> n;
    case OP_ASHR: return (uint64_t)(sx(a, t) >> n) & m;
    case OP_ROR: return n ? ((a >> n) | (a << (w - n))) & m : a;
    case OP_NOT: return ~a & m;
    case OP_NEG: return (0 - a) & m;
    case OP_CLZ: { unsigned c = 0; for (int i = (int)w - 1; i >= 0 && !(a >> i & 1); i--) c++; return c; }
    case OP_CTZ: { unsigned c = 0; for (unsigned i = 0; i < w && !(a >> i & 1); i++) c++; return c; }
    case OP_POPCNT: return (uint64_t)__builtin_popcountll(a);
    case OP_BSWAP: { uint64_t r = 0; for (unsigned i = 0; i < w / 8; i++) r |= ((a >> (8 * i)) & 0xff) << (w - 8 - 8 * i); return w < 8 ? a : r; }
    case OP_BITREV: { uint64_t r = 0; for (unsigned i = 0; i < w; i++) if (a >> i & 1) r |= 1ull << (w - 1 - i); return r; }
    case OP_ZEXT64: return a;
    case OP_SEXT64: return (uint64_t)sx(a, t);
    default: return 0;
    }
}

static ir_val build_op(ir_block *b, enum op op, ir_val x, ir_val y)
{
    switch (op) {
    case OP_ADD: return ir_add(b, x, y);
    case OP_SUB: return ir_sub(b, x, y);
    case OP_MUL: return ir_mul(b, x, y);
    case OP_UMULH: return ir_umulh(b, x, y);
    case OP_SMULH: return ir_smulh(b, x, y);
    case OP_UDIV: return ir_udiv(b, x, y);
    case OP_SDIV: return ir_sdiv(b, x, y);
    case OP_AND: return ir_and(b, x, y);
    case OP_OR: return ir_or(b, x, y);
    case OP_XOR: return ir_xor(b, x, y);
    case OP_SHL: return ir_shl(b, x, y);
    case OP_LSHR: return ir_lshr(b, x, y);
    case OP_ASHR: return ir_ashr(b, x, y);
    case OP_ROR: return ir_ror(b, x, y);
    case OP_NOT: return ir_not(b, x);
    case OP_NEG: return ir_neg(b, x);
    case OP_CLZ: return ir_clz(b, x);
    case OP_CTZ: return ir_ctz(b, x);
    case OP_POPCNT: return ir_popcount(b, x);
    case OP_BSWAP: return ir_bswap(b, x);
    case OP_BITREV: return ir_bitreverse(b, x);
    case OP_ZEXT64: return ir_zext(b, IR_I64, x);
    case OP_SEXT64: return ir_sext(b, IR_I64, x);
    default: return 0;
    }
}

/* pc layout: op << 16 | type << 12 | form << 8 | constant index << 2
 * form 0: x2 = op(x0, x1); 1: op(x0, K); 2: op(K, x1) */
static uint64_t op_pc(enum op op, ir_type t, unsigned form, unsigned k)
{
    return 0x1000000ull | (uint64_t)op << 16 | (uint64_t)t << 12 | form << 8 | k << 2;
}

struct opts { bool optimise; };

static ir_val operand(ir_block *b, ir_type t, unsigned reg)
{
    ir_val r = ir_read_reg(b, IR_I64, OFF_X(reg));
    return t == IR_I64 ? r : ir_trunc(b, t, r);
}

static void build_alu(struct toy *tg, ir_block *b, uint64_t pc)
{
    const struct opts *o = tg->user;
    ir_block_set_optimise(b, o->optimise);
    enum op op = (enum op)((pc >> 16) & 0xff);
    ir_type t = (ir_type)((pc >> 12) & 0xf);
    unsigned form = (pc >> 8) & 0xf, k = (pc >> 2) & 0x3f;
    ir_insn_start(b, pc, 0);
    ir_val x = form == 2 ? ir_const(b, t, konst[k]) : operand(b, t, 0);
    ir_val y = form == 1 ? ir_const(b, t, konst[k]) : operand(b, t, 1);
    ir_val r = build_op(b, op, x, y);
    ir_write_reg(b, OFF_X(2), ir_zext(b, IR_I64, r));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void check_all_ops(bool optimise, unsigned iterations)
{
    struct opts o = { optimise };
    struct toy *tg = toy_new(build_alu, &o, 0);
    assert_non_null(tg->j);
    static const ir_type types[] = { IR_I1, IR_I8, IR_I16, IR_I32, IR_I64 };
    uint64_t seed = 12345;
    unsigned failures = 0;
    for (int op = 0; op < OP_N_OPS; op++) {
        for (unsigned ti = 0; ti < 5; ti++) {
            ir_type t = types[ti];
            if ((op == OP_ZEXT64 || op == OP_SEXT64) && t == IR_I64) continue;
            unsigned forms = op < OP_N_BINARY ? 3 : 1;
            for (unsigned form = 0; form < forms; form++) {
                for (unsigned k = 0; k < (form ? N_KONST : 1); k++) {
                    uint64_t pc = op_pc((enum op)op, t, form, k);
                    for (unsigned it = 0; it < iterations; it++) {
                        struct toy_state s = { 0 };
                        s.x[0] = toy_rand_edge(&seed);
                        s.x[1] = toy_rand_edge(&seed);
                        s.x[2] = 0xdeadbeef;
                        uint64_t a = form == 2 ? konst[k] : s.x[0], bb = form == 1 ? konst[k] : s.x[1];
                        uint64_t info = 1;
                        ir_exit_kind kind = toy_run(tg, &s, pc, &info);
                        uint64_t want = reference((enum op)op, t, a, bb);
                        if (op == OP_SEXT64 || op == OP_ZEXT64) want = reference((enum op)op, t, a, 0);
                        if (kind != IR_EXIT_HALT || s.x[2] != want || s.pc != pc + 4 || s.x[0] != (form == 2 ? s.x[0] : s.x[0])) {
                            if (failures++ < 20)
                                print_error("%s %s.i%u form %u: a=%#llx b=%#llx got %#llx want %#llx (exit %d)\n",
                                            optimise ? "opt" : "noopt", op_names[op], bits_of(t), form,
                                            (unsigned long long)a, (unsigned long long)bb,
                                            (unsigned long long)s.x[2], (unsigned long long)want, kind);
                        }
                    }
                }
            }
        }
    }
    toy_free(tg);
    assert_int_equal(failures, 0);
}

static void test_ops_optimised(void **st) { (void)st; check_all_ops(true, 24); }
static void test_ops_unoptimised(void **st) { (void)st; check_all_ops(false, 12); }

static void test_ops_without_cpu_extensions(void **st)
{
    (void)st;
    jit_cpu_detect();
    struct jit_cpu_features saved = jit_cpu, none = { .detected = true };
    jit_cpu_override(&none);
    check_all_ops(true, 8);
    jit_cpu_override(&saved);
}

/* ---- comparisons and select ----------------------------------------------------------- */
static bool ref_cmp(ir_cond c, ir_type t, uint64_t a, uint64_t b)
{
    a &= mask_of(t); b &= mask_of(t);
    int64_t x = sx(a, t), y = sx(b, t);
    switch (c) {
    case IR_EQ: return a == b;
    case IR_NE: return a != b;
    case IR_ULT: return a < b;
    case IR_ULE: return a <= b;
    case IR_UGT: return a > b;
    case IR_UGE: return a >= b;
    case IR_SLT: return x < y;
    case IR_SLE: return x <= y;
    case IR_SGT: return x > y;
    case IR_SGE: return x >= y;
    }
    return false;
}

/* x2 = cmp; x3 = select(cmp, x0, x1) (full width); x4 = branch on cmp (100 / 200) */
static void build_cmp(struct toy *tg, ir_block *b, uint64_t pc)
{
    const struct opts *o = tg->user;
    ir_block_set_optimise(b, o->optimise);
    ir_cond c = (ir_cond)((pc >> 16) & 0xff);
    ir_type t = (ir_type)((pc >> 12) & 0xf);
    unsigned form = (pc >> 8) & 0xf, k = (pc >> 2) & 0x3f;
    ir_insn_start(b, pc, 0);
    ir_val x = form == 2 ? ir_const(b, t, konst[k]) : operand(b, t, 0);
    ir_val y = form == 1 ? ir_const(b, t, konst[k]) : operand(b, t, 1);
    ir_val r = ir_cmp(b, c, x, y);
    ir_val sel = ir_select(b, r, ir_read_reg(b, IR_I64, OFF_X(0)), ir_read_reg(b, IR_I64, OFF_X(1)));
    ir_write_reg(b, OFF_X(3), sel);
    ir_write_reg(b, OFF_X(2), ir_zext(b, IR_I64, r));
    ir_label lt = ir_label_new(b), lf = ir_label_new(b);
    ir_cbr(b, r, lt, lf);
    ir_label_bind(b, lt);
    ir_write_reg(b, OFF_X(4), ir_const(b, IR_I64, 100));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
    ir_label_bind(b, lf);
    ir_write_reg(b, OFF_X(4), ir_const(b, IR_I64, 200));
    ir_exit_special(b, IR_EXIT_HALT, pc + 8, 0);
}

static void check_cmp(bool optimise)
{
    struct opts o = { optimise };
    struct toy *tg = toy_new(build_cmp, &o, 0);
    static const ir_type types[] = { IR_I1, IR_I8, IR_I16, IR_I32, IR_I64 };
    uint64_t seed = 777;
    unsigned failures = 0;
    for (int c = IR_EQ; c <= IR_SGE; c++)
        for (unsigned ti = 0; ti < 5; ti++)
            for (unsigned form = 0; form < 3; form++)
                for (unsigned k = 0; k < (form ? N_KONST : 1); k++)
                    for (unsigned it = 0; it < 16; it++) {
                        ir_type t = types[ti];
                        struct toy_state s = { 0 };
                        s.x[0] = toy_rand_edge(&seed);
                        s.x[1] = it & 1 ? s.x[0] : toy_rand_edge(&seed);
                        uint64_t a = form == 2 ? konst[k] : s.x[0], bb = form == 1 ? konst[k] : s.x[1];
                        uint64_t pc = 0x2000000ull | (uint64_t)c << 16 | (uint64_t)t << 12 | form << 8 | k << 2;
                        ir_exit_kind kind = toy_run(tg, &s, pc, NULL);
                        bool want = ref_cmp((ir_cond)c, t, a, bb);
                        if (kind != IR_EXIT_HALT || s.x[2] != want || s.x[3] != (want ? s.x[0] : s.x[1]) ||
                            s.x[4] != (want ? 100u : 200u) || s.pc != pc + (want ? 4 : 8)) {
                            if (failures++ < 20)
                                print_error("cmp %d i%u form %u a=%#llx b=%#llx: got %llu/%#llx/%llu want %d\n", c, bits_of(t), form,
                                            (unsigned long long)a, (unsigned long long)bb, (unsigned long long)s.x[2],
                                            (unsigned long long)s.x[3], (unsigned long long)s.x[4], want);
                        }
                    }
    toy_free(tg);
    assert_int_equal(failures, 0);
}

static void test_cmp_select_branch(void **st) { (void)st; check_cmp(true); check_cmp(false); }

/* ---- AddWithCarry flags --------------------------------------------------------------- */
/* mode 0: ADDS x0, x1 (cin 0); 1: SUBS x0, x1 as AddWithCarry(x, ~y, 1); 2: ADCS with
 * cin = x3 & 1. Writes result, C and V to x2, C flag, V flag, plus N and Z. */
static void build_flags(struct toy *tg, ir_block *b, uint64_t pc)
{
    const struct opts *o = tg->user;
    ir_block_set_optimise(b, o->optimise);
    ir_type t = (ir_type)((pc >> 12) & 0xf);
    unsigned mode = (pc >> 8) & 0xf;
    ir_insn_start(b, pc, 0);
    ir_val x = operand(b, t, 0), y = operand(b, t, 1);
    ir_val cin = mode == 0 ? ir_const(b, IR_I1, 0) : mode == 1 ? ir_const(b, IR_I1, 1) : ir_trunc(b, IR_I1, ir_read_reg(b, IR_I64, OFF_X(3)));
    if (mode == 1) y = ir_not(b, y);
    ir_val r = mode == 2 ? ir_adc(b, x, y, cin) : ir_add(b, ir_add(b, x, y), ir_zext(b, t, cin));
    ir_write_reg(b, OFF_X(2), ir_zext(b, IR_I64, r));
    ir_val zero = ir_const(b, t, 0);
    ir_write_reg(b, OFF_N, ir_cmp(b, IR_SLT, r, zero));
    ir_write_reg(b, OFF_Z, ir_cmp(b, IR_EQ, r, zero));
    ir_write_reg(b, OFF_C, ir_add_carry(b, x, y, cin));
    ir_write_reg(b, OFF_V, ir_add_overflow(b, x, y, cin));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void check_flags(bool optimise)
{
    struct opts o = { optimise };
    struct toy *tg = toy_new(build_flags, &o, 0);
    static const ir_type types[] = { IR_I8, IR_I16, IR_I32, IR_I64 };
    uint64_t seed = 4242;
    unsigned failures = 0;
    for (unsigned ti = 0; ti < 4; ti++)
        for (unsigned mode = 0; mode < 3; mode++)
            for (unsigned it = 0; it < 2000; it++) {
                ir_type t = types[ti];
                unsigned w = bits_of(t);
                uint64_t m = mask_of(t);
                struct toy_state s = { 0 };
                s.x[0] = toy_rand_edge(&seed);
                s.x[1] = toy_rand_edge(&seed);
                s.x[3] = toy_rand(&seed);
                uint64_t pc = 0x3000000ull | (uint64_t)t << 12 | mode << 8;
                toy_run(tg, &s, pc, NULL);
                uint64_t a = s.x[0] & m, bb = s.x[1] & m, cin = mode == 0 ? 0 : mode == 1 ? 1 : s.x[3] & 1;
                if (mode == 1) bb = ~bb & m;
                unsigned __int128 us = (unsigned __int128)a + bb + cin;
                __int128 ss = (__int128)sx(a, t) + sx(bb, t) + (int64_t)cin;
                uint64_t r = (uint64_t)us & m;
                bool c = (us >> w) != 0, v = (__int128)sx(r, t) != ss, n = (r >> (w - 1)) & 1, z = r == 0;
                if (s.x[2] != r || s.c != c || s.v != v || s.n != n || s.z != z) {
                    if (failures++ < 20)
                        print_error("flags i%u mode %u a=%#llx b=%#llx cin=%llu: r=%#llx nzcv=%d%d%d%d want %#llx %d%d%d%d\n",
                                    w, mode, (unsigned long long)a, (unsigned long long)bb, (unsigned long long)cin,
                                    (unsigned long long)s.x[2], s.n, s.z, s.c, s.v, (unsigned long long)r, n, z, c, v);
                }
            }
    toy_free(tg);
    assert_int_equal(failures, 0);
}

static void test_add_with_carry_flags(void **st) { (void)st; check_flags(true); check_flags(false); }

/* ---- AArch64 conditions after SUBS / ADDS / ANDS --------------------------------------
 * The flags are written like the AArch64 front end does and read back with the ADL's
 * ConditionHolds pattern, so the builder's compare peepholes and the backend's flag
 * reuse are checked against the architectural condition table. */
static ir_val cond_holds(ir_block *b, unsigned cond)
{
    ir_val one = ir_const(b, IR_I1, 1), r;
    ir_val Z = ir_read_reg(b, IR_I1, OFF_Z), C = ir_read_reg(b, IR_I1, OFF_C);
    ir_val N = ir_read_reg(b, IR_I1, OFF_N), V = ir_read_reg(b, IR_I1, OFF_V);
    switch (cond >> 1) {
    case 0: r = Z; break;
    case 1: r = C; break;
    case 2: r = N; break;
    case 3: r = V; break;
    case 4: r = ir_and(b, C, ir_xor(b, Z, one)); break;
    case 5: r = ir_cmp(b, IR_EQ, N, V); break;
    case 6: r = ir_and(b, ir_cmp(b, IR_EQ, N, V), ir_xor(b, Z, one)); break;
    default: r = one;
    }
    if ((cond & 1) && cond != 15) r = ir_xor(b, r, one);
    return r;
}

/* pc: cond << 8 | type << 4 | mode (0 SUBS, 1 ADDS, 2 ANDS, 3 SUBS with an immediate) */
static void build_cond(struct toy *tg, ir_block *b, uint64_t pc)
{
    (void)tg;
    unsigned cond = (pc >> 8) & 0xf, mode = pc & 0xf;
    ir_type t = (ir_type)((pc >> 4) & 0xf);
    ir_insn_start(b, pc, 0);
    ir_val x = operand(b, t, 0), y = mode == 3 ? ir_const(b, t, 0x2a) : operand(b, t, 1);
    ir_val zero = ir_const(b, t, 0);
    unsigned w = bits_of(t);
    ir_val r, c, v;
    if (mode == 2) {
        r = ir_and(b, x, y);
        c = ir_const(b, IR_I1, 0);
        v = ir_const(b, IR_I1, 0);
    } else {
        ir_val yy = mode == 1 ? y : ir_not(b, y), cin = ir_const(b, IR_I1, mode == 1 ? 0 : 1);
        r = mode == 1 ? ir_add(b, x, y) : ir_sub(b, x, y);
        c = ir_add_carry(b, x, yy, cin);
        v = ir_add_overflow(b, x, yy, cin);
    }
    ir_write_reg(b, OFF_X(2), ir_zext(b, IR_I64, r));
    ir_write_reg(b, OFF_N, ir_trunc(b, IR_I1, ir_lshr(b, r, ir_const(b, t, w - 1))));
    ir_write_reg(b, OFF_Z, ir_cmp(b, IR_EQ, r, zero));
    ir_write_reg(b, OFF_C, c);
    ir_write_reg(b, OFF_V, v);
    ir_insn_start(b, pc + 4, 0);
    ir_val h = cond_holds(b, cond);
    ir_write_reg(b, OFF_X(6), ir_select(b, cond_holds(b, cond ^ 1), ir_const(b, IR_I64, 7), ir_const(b, IR_I64, 9)));
    ir_label lt = ir_label_new(b), lf = ir_label_new(b);
    ir_cbr(b, h, lt, lf);
    ir_label_bind(b, lt);
    ir_exit_special(b, IR_EXIT_HALT, 0x100, 0);
    ir_label_bind(b, lf);
    ir_exit_special(b, IR_EXIT_HALT, 0x200, 0);
}

static bool ref_cond(unsigned cond, bool n, bool z, bool c, bool v)
{
    bool r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = n == v && !z; break;
    default: r = true;
    }
    return (cond & 1) && cond != 15 ? !r : r;
}

static void test_aarch64_conditions(void **st)
{
    (void)st;
    struct toy *tg = toy_new(build_cond, NULL, 0);
    uint64_t seed = 31337;
    unsigned failures = 0;
    for (unsigned cond = 0; cond < 16; cond++)
        for (ir_type t = IR_I32; t <= IR_I64; t++)
            for (unsigned mode = 0; mode < 4; mode++)
                for (unsigned it = 0; it < 200; it++) {
                    struct toy_state s = { 0 };
                    s.x[0] = toy_rand_edge(&seed);
                    s.x[1] = it % 5 == 0 ? s.x[0] : toy_rand_edge(&seed);
                    if (it % 7 == 0) s.x[0] = 0x2a;
                    uint64_t pc = (uint64_t)cond << 8 | (uint64_t)t << 4 | mode;
                    toy_run(tg, &s, pc, NULL);
                    bool want = ref_cond(cond, s.n, s.z, s.c, s.v);
                    bool inv = ref_cond(cond ^ 1, s.n, s.z, s.c, s.v);
                    if (s.pc != (want ? 0x100u : 0x200u) || s.x[6] != (inv ? 7u : 9u))
                        if (failures++ < 10)
                            print_error("cond %u i%u mode %u x0=%#llx x1=%#llx nzcv=%d%d%d%d: pc %#llx\n", cond, bits_of(t), mode,
                                        (unsigned long long)s.x[0], (unsigned long long)s.x[1], s.n, s.z, s.c, s.v,
                                        (unsigned long long)s.pc);
                }
    toy_free(tg);
    assert_int_equal(failures, 0);
}

/* ---- I128 ------------------------------------------------------------------------------- */
typedef unsigned __int128 u128;
static u128 q_get(const struct toy_state *s, int i) { return (u128)s->q[i][1] << 64 | s->q[i][0]; }

/* pc selects: q1 = op(q0, concat(x1, x0)); x2 = hi64(q1), x3 = trunc(q1) */
static void build_i128(struct toy *tg, ir_block *b, uint64_t pc)
{
    (void)tg;
    unsigned op = (pc >> 8) & 0xff;
    ir_insn_start(b, pc, 0);
    ir_val q = ir_read_reg(b, IR_I128, OFF_Q(0));
    ir_val c = ir_concat64(b, ir_read_reg(b, IR_I64, OFF_X(1)), ir_read_reg(b, IR_I64, OFF_X(0)));
    ir_val r;
    switch (op) {
    case 0: r = ir_add(b, q, c); break;
    case 1: r = ir_sub(b, q, c); break;
    case 2: r = ir_and(b, q, c); break;
    case 3: r = ir_or(b, q, c); break;
    case 4: r = ir_xor(b, q, c); break;
    case 5: r = ir_not(b, q); break;
    case 6: r = ir_neg(b, q); break;
    case 7: r = ir_mul(b, q, c); break;
    case 8: r = ir_shl(b, q, ir_read_reg(b, IR_I64, OFF_X(4))); break;
    case 9: r = ir_lshr(b, q, ir_read_reg(b, IR_I64, OFF_X(4))); break;
    case 10: r = ir_ashr(b, q, ir_read_reg(b, IR_I64, OFF_X(4))); break;
    case 11: r = ir_zext(b, IR_I128, ir_read_reg(b, IR_I64, OFF_X(0))); break;
    case 12: r = ir_sext(b, IR_I128, ir_read_reg(b, IR_I64, OFF_X(0))); break;
    case 13: r = ir_select(b, ir_cmp(b, IR_ULT, q, c), q, c); break;
    case 14: r = ir_udiv(b, q, c); break;
    case 15: r = ir_add(b, q, ir_const128(b, 0xffffffffffffffffull, 0x123456789ull)); break;
    /* shifts by a constant (pc bits 16..22) are done on the 64-bit halves */
    case 16: r = ir_shl(b, q, ir_const(b, IR_I32, (pc >> 16) & 127)); break;
    case 17: r = ir_lshr(b, q, ir_const(b, IR_I32, (pc >> 16) & 127)); break;
    case 18: r = ir_ashr(b, c, ir_const(b, IR_I64, (pc >> 16) & 127)); break;
    /* bitwise operations with a value whose halves are known (LD4-style assembly) */
    case 19: r = ir_xor(b, q, ir_shl(b, ir_zext(b, IR_I128, ir_read_reg(b, IR_I8, OFF_X(4))),
                                     ir_const(b, IR_I32, (pc >> 16) & 127))); break;
    case 20: r = ir_and(b, ir_sext(b, IR_I128, ir_read_reg(b, IR_I32, OFF_X(0))), q); break;
    default: r = q;
    }
    ir_write_reg(b, OFF_Q(1), r);
    ir_write_reg(b, OFF_X(2), ir_hi64(b, r));
    ir_write_reg(b, OFF_X(3), ir_trunc(b, IR_I64, r));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_i128(void **st)
{
    (void)st;
    struct toy *tg = toy_new(build_i128, NULL, 0);
    uint64_t seed = 99;
    unsigned failures = 0;
    for (unsigned op = 0; op < 21; op++)
        for (unsigned it = 0; it < 300; it++) {
            struct toy_state s = { 0 };
            s.q[0][0] = toy_rand_edge(&seed); s.q[0][1] = toy_rand_edge(&seed);
            s.x[0] = toy_rand_edge(&seed); s.x[1] = toy_rand_edge(&seed);
            s.x[4] = toy_rand(&seed) & 0xff;
            u128 q = q_get(&s, 0), c = (u128)s.x[1] << 64 | s.x[0], want = 0;
            unsigned n = (unsigned)(s.x[4] & 127);
            switch (op) {
            case 0: want = q + c; break;
            case 1: want = q - c; break;
            case 2: want = q & c; break;
            case 3: want = q | c; break;
            case 4: want = q ^ c; break;
            case 5: want = ~q; break;
            case 6: want = -q; break;
            case 7: want = q * c; break;
            case 8: want = q << n; break;
            case 9: want = q >> n; break;
            case 10: want = (u128)((__int128)q >> n); break;
            case 11: want = s.x[0]; break;
            case 12: want = (u128)(__int128)(int64_t)s.x[0]; break;
            case 13: want = q < c ? q : c; break;
            case 14: want = c ? q / c : 0; break;
            case 15: want = q + ((u128)0x123456789ull << 64 | 0xffffffffffffffffull); break;
            case 16: want = q << (it % 128); break;
            case 17: want = q >> (it % 128); break;
            case 18: want = (u128)((__int128)c >> (it % 128)); break;
            case 19: want = q ^ ((u128)(s.x[4] & 0xff) << (it % 128)); break;
            case 20: want = (u128)(__int128)(int32_t)s.x[0] & q; break;
            }
            toy_run(tg, &s, 0x4000000ull | op << 8 | (uint64_t)(it % 128) << 16, NULL);
            if (q_get(&s, 1) != want || s.x[2] != (uint64_t)(want >> 64) || s.x[3] != (uint64_t)want)
                if (failures++ < 10) print_error("i128 op %u wrong\n", op);
        }
    toy_free(tg);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_optimised),
        cmocka_unit_test(test_ops_unoptimised),
        cmocka_unit_test(test_ops_without_cpu_extensions),
        cmocka_unit_test(test_cmp_select_branch),
        cmocka_unit_test(test_add_with_carry_flags),
        cmocka_unit_test(test_aarch64_conditions),
        cmocka_unit_test(test_i128),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
