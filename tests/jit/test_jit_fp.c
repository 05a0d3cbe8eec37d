/* End-to-end tests of the IR's IEEE arithmetic (ir_fadd/fsub/fmul/fdiv on I64 =
 * binary64 and I32 = binary32 bit patterns): blocks compiled by the JIT on the toy
 * guest, compared bit for bit with the host C compiler's double/float arithmetic (SSE2
 * on x86-64, default rounding) for random and special inputs (zeros, infinities, NaNs,
 * denormals, extremes), with register and constant operands and with the builder's
 * optimisations on and off. Also checks the IR dump names the ops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include "toy_guest.h"
#include "jit/ir/ir_internal.h"
#include "jit/jit_internal.h"

enum fop { F_ADD, F_SUB, F_MUL, F_DIV, F_N };
static const char *const fop_names[] = { "fadd", "fsub", "fmul", "fdiv" };

static const uint64_t special64[] = {
    0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff4000000000000ull,
    0xfff8000000000001ull, 0x0000000000000001ull, 0x000fffffffffffffull, 0x0010000000000000ull,
    0x7fefffffffffffffull, 0x4000000000000000ull, 0x3fb999999999999aull, 0xc00921fb54442d18ull,
};
static const uint32_t special32[] = {
    0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
    0x7fa00000u, 0xffc00001u, 1, 0x007fffffu, 0x00800000u, 0x7f7fffffu, 0x40000000u,
    0x3dcccccdu, 0xc0490fdbu,
};
#define N_SPECIAL 16

/* The C compiler may commute x + y and x * y, which changes which NaN comes out, so
 * NaN operands follow the SSE rule explicitly: the first source's NaN (quietened) if it
 * is one, otherwise the second's. */
static bool nan64(uint64_t v) { return (v & 0x7fffffffffffffffull) > 0x7ff0000000000000ull; }
static bool nan32(uint32_t v) { return (v & 0x7fffffffu) > 0x7f800000u; }

static uint64_t ref64(enum fop op, uint64_t a, uint64_t b)
{
    if (nan64(a)) return a | 0x0008000000000000ull;
    if (nan64(b)) return b | 0x0008000000000000ull;
    double x, y, r;
    memcpy(&x, &a, 8); memcpy(&y, &b, 8);
    switch (op) {
    case F_ADD: r = x + y; break;
    case F_SUB: r = x - y; break;
    case F_MUL: r = x * y; break;
    default: r = x / y; break;
    }
    uint64_t o; memcpy(&o, &r, 8);
    return o;
}
static uint32_t ref32(enum fop op, uint32_t a, uint32_t b)
{
    if (nan32(a)) return a | 0x00400000u;
    if (nan32(b)) return b | 0x00400000u;
    float x, y, r;
    memcpy(&x, &a, 4); memcpy(&y, &b, 4);
    switch (op) {
    case F_ADD: r = x + y; break;
    case F_SUB: r = x - y; break;
    case F_MUL: r = x * y; break;
    default: r = x / y; break;
    }
    uint32_t o; memcpy(&o, &r, 4);
    return o;
}

static ir_val build_fop(ir_block *b, enum fop op, ir_val x, ir_val y)
{
    switch (op) {
    case F_ADD: return ir_fadd(b, x, y);
    case F_SUB: return ir_fsub(b, x, y);
    case F_MUL: return ir_fmul(b, x, y);
    default: return ir_fdiv(b, x, y);
    }
}

/* pc: op << 16 | type << 12 | form << 8 | special index << 2;
 * form 0: x2 = op(x0, x1); 1: op(x0, K); 2: op(K, x1); 3: x2 = op(op(x0, x1), x0) */
struct opts { bool optimise; };

static void build_block(struct toy *tg, ir_block *b, uint64_t pc)
{
    const struct opts *o = tg->user;
    ir_block_set_optimise(b, o->optimise);
    enum fop op = (enum fop)((pc >> 16) & 0xff);
    ir_type t = (ir_type)((pc >> 12) & 0xf);
    unsigned form = (pc >> 8) & 0xf, k = (pc >> 2) & 0x3f;
    uint64_t kv = t == IR_I64 ? special64[k] : special32[k];
    ir_insn_start(b, pc, 0);
    ir_val r0 = ir_read_reg(b, IR_I64, OFF_X(0)), r1 = ir_read_reg(b, IR_I64, OFF_X(1));
    ir_val x = t == IR_I64 ? r0 : ir_trunc(b, t, r0);
    ir_val y = t == IR_I64 ? r1 : ir_trunc(b, t, r1);
    if (form == 1) y = ir_const(b, t, kv);
    if (form == 2) x = ir_const(b, t, kv);
    ir_val r = build_fop(b, op, x, y);
    if (form == 3) r = build_fop(b, op, r, x);
    ir_write_reg(b, OFF_X(2), ir_zext(b, IR_I64, r));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static uint64_t rand_fp(uint64_t *seed, ir_type t)
{
    uint64_t r = toy_rand(seed);
    if ((r & 3) == 0) return t == IR_I64 ? special64[(r >> 8) % N_SPECIAL] : special32[(r >> 8) % N_SPECIAL];
    if ((r & 3) == 1) {   /* moderate magnitudes, where most arithmetic happens */
        uint64_t m = toy_rand(seed);
        return t == IR_I64 ? (m & 0x800fffffffffffffull) | (uint64_t)(0x3f0 + (r >> 8) % 32) << 52
                           : (m & 0x807fffffu) | (uint64_t)(0x70 + (r >> 8) % 32) << 23;
    }
    return t == IR_I64 ? toy_rand(seed) : toy_rand(seed) & 0xffffffffu;
}

static void check_fp(bool optimise, unsigned iterations)
{
    struct opts o = { optimise };
    struct toy *tg = toy_new(build_block, &o, 0);
    assert_non_null(tg->j);
    uint64_t seed = 777;
    unsigned failures = 0, checked = 0;
    static const ir_type types[] = { IR_I32, IR_I64 };
    for (int op = 0; op < F_N; op++)
        for (unsigned ti = 0; ti < 2; ti++)
            for (unsigned form = 0; form < 4; form++)
                for (unsigned k = 0; k < ((form == 1 || form == 2) ? N_SPECIAL : 1); k++) {
                    ir_type t = types[ti];
                    uint64_t pc = 0x1000000ull | (uint64_t)op << 16 | (uint64_t)t << 12 | form << 8 | k << 2;
                    uint64_t kv = t == IR_I64 ? special64[k] : special32[k];
                    for (unsigned it = 0; it < iterations; it++) {
                        struct toy_state s = { 0 };
                        s.x[0] = rand_fp(&seed, t) | (t == IR_I32 ? 0xabcd000000000000ull : 0);
                        s.x[1] = rand_fp(&seed, t) | (t == IR_I32 ? 0x1234000000000000ull : 0);
                        uint64_t a = form == 2 ? kv : s.x[0], bb = form == 1 ? kv : s.x[1];
                        uint64_t want;
                        if (t == IR_I64) {
                            want = ref64((enum fop)op, a, bb);
                            if (form == 3) want = ref64((enum fop)op, want, a);
                        } else {
                            want = ref32((enum fop)op, (uint32_t)a, (uint32_t)bb);
                            if (form == 3) want = ref32((enum fop)op, (uint32_t)want, (uint32_t)a);
                        }
                        uint64_t info = 0;
                        ir_exit_kind kind = toy_run(tg, &s, pc, &info);
                        checked++;
                        if (kind != IR_EXIT_HALT || s.x[2] != want) {
                            if (failures++ < 20)
                                print_error("%s %s.i%u form %u: a=%#llx b=%#llx got %#llx want %#llx\n",
                                            optimise ? "opt" : "noopt", fop_names[op], t == IR_I64 ? 64 : 32,
                                            form, (unsigned long long)a, (unsigned long long)bb,
                                            (unsigned long long)s.x[2], (unsigned long long)want);
                        }
                    }
                }
    toy_free(tg);
    assert_true(checked > 1000);
    assert_int_equal(failures, 0);
}

static void test_fp_optimised(void **st) { (void)st; check_fp(true, 64); }
static void test_fp_unoptimised(void **st) { (void)st; check_fp(false, 24); }

/* A long chain keeps many FP values live at once, so some of them live in spill slots
 * and reach the SSE code as memory operands. */
static void build_chain(struct toy *tg, ir_block *b, uint64_t pc)
{
    (void)tg;
    ir_insn_start(b, pc, 0);
    ir_val v[24];
    for (unsigned i = 0; i < 24; i++) v[i] = ir_read_reg(b, IR_I64, OFF_X(i));
    ir_val w[24];
    for (unsigned i = 0; i < 24; i++) w[i] = ir_fmul(b, v[i], v[(i + 1) % 24]);
    ir_val acc = w[0];
    for (unsigned i = 1; i < 24; i++) acc = (i & 1) ? ir_fadd(b, acc, w[i]) : ir_fsub(b, acc, w[i]);
    ir_write_reg(b, OFF_X(30), acc);
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_fp_chain_under_pressure(void **st)
{
    (void)st;
    struct toy *tg = toy_new(build_chain, NULL, 0);
    uint64_t seed = 99;
    for (unsigned it = 0; it < 200; it++) {
        struct toy_state s = { 0 };
        double in[24];
        for (unsigned i = 0; i < 24; i++) {
            in[i] = (double)(int64_t)(toy_rand(&seed) % 2000001) / 1000.0 - 1000.0;
            memcpy(&s.x[i], &in[i], 8);
        }
        double w[24], acc;
        for (unsigned i = 0; i < 24; i++) w[i] = in[i] * in[(i + 1) % 24];
        acc = w[0];
        for (unsigned i = 1; i < 24; i++) acc = (i & 1) ? acc + w[i] : acc - w[i];
        uint64_t want; memcpy(&want, &acc, 8);
        uint64_t info = 0;
        assert_int_equal(toy_run(tg, &s, 0x2000, &info), IR_EXIT_HALT);
        assert_int_equal(s.x[30], want);
    }
    toy_free(tg);
}

static void test_fp_ops_dump_and_types(void **st)
{
    (void)st;
    ir_block *b = ir_block_new();
    ir_block_reset(b, 0x1000);
    ir_set_pc_offset(b, OFF_PC);
    ir_insn_start(b, 0x1000, 0);
    ir_val x = ir_read_reg(b, IR_I64, OFF_X(0)), y = ir_read_reg(b, IR_I64, OFF_X(1));
    ir_val r = ir_fdiv(b, ir_fadd(b, x, y), ir_fmul(b, ir_fsub(b, x, y), x));
    assert_int_equal(b->insns[r].type, IR_I64);
    /* two constants are not folded: the JIT's C code does no FP */
    ir_val c = ir_fadd(b, ir_const(b, IR_I32, 0x3f800000u), ir_const(b, IR_I32, 0x3f800000u));
    assert_int_equal(b->insns[c].op, IR_OP_FADD);
    assert_int_equal(b->insns[c].type, IR_I32);
    ir_write_reg(b, OFF_X(2), r);
    ir_write_reg(b, OFF_X(3), ir_zext(b, IR_I64, c));
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    char text[4096];
    ir_dump(b, text, sizeof text);
    assert_non_null(strstr(text, "fadd"));
    assert_non_null(strstr(text, "fsub"));
    assert_non_null(strstr(text, "fmul"));
    assert_non_null(strstr(text, "fdiv"));
    ir_block_free(b);
}

/* ir_ffma: x3 = x0 + x1 * x2 (form 0), with the addend (1) or a factor (2) a special
 * constant; pc: type << 12 | form << 8 | special index << 2. Reference: C fma/fmaf. */
static void build_ffma(struct toy *tg, ir_block *b, uint64_t pc)
{
    (void)tg;
    ir_type t = (ir_type)((pc >> 12) & 0xf);
    unsigned form = (pc >> 8) & 0xf, k = (pc >> 2) & 0x3f;
    uint64_t kv = t == IR_I64 ? special64[k] : special32[k];
    ir_insn_start(b, pc, 0);
    ir_val v[3];
    for (unsigned i = 0; i < 3; i++) {
        v[i] = ir_read_reg(b, IR_I64, OFF_X(i));
        if (t == IR_I32) v[i] = ir_trunc(b, t, v[i]);
    }
    if (form == 1) v[0] = ir_const(b, t, kv);
    if (form == 2) v[2] = ir_const(b, t, kv);
    ir_write_reg(b, OFF_X(3), ir_zext(b, IR_I64, ir_ffma(b, v[0], v[1], v[2])));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_ffma(void **st)
{
    (void)st;
    if (!ir_host_has_fma()) skip();
    struct toy *tg = toy_new(build_ffma, NULL, 0);
    uint64_t seed = 4242;
    unsigned failures = 0, checked = 0;
    static const ir_type types[] = { IR_I32, IR_I64 };
    for (unsigned ti = 0; ti < 2; ti++)
        for (unsigned form = 0; form < 3; form++)
            for (unsigned k = 0; k < (form ? N_SPECIAL : 1); k++) {
                ir_type t = types[ti];
                uint64_t pc = 0x3000000ull | (uint64_t)t << 12 | form << 8 | k << 2;
                uint64_t kv = t == IR_I64 ? special64[k] : special32[k];
                for (unsigned it = 0; it < 200; it++) {
                    struct toy_state s = { 0 };
                    for (unsigned i = 0; i < 3; i++) s.x[i] = rand_fp(&seed, t);
                    if (it % 4 == 0) {   /* near-cancellation, where fusing matters */
                        uint64_t p = rand_fp(&seed, t);
                        s.x[1] = p; s.x[2] = p;
                        s.x[0] = (t == IR_I64 ? 0x8000000000000000ull : 0x80000000u) ^ p;
                    }
                    uint64_t in[3] = { form == 1 ? kv : s.x[0], s.x[1], form == 2 ? kv : s.x[2] };
                    uint64_t want;
                    bool want_nan;
                    if (t == IR_I64) {
                        double d[3];
                        for (unsigned i = 0; i < 3; i++) memcpy(&d[i], &in[i], 8);
                        double r = fma(d[1], d[2], d[0]);
                        memcpy(&want, &r, 8);
                        want_nan = nan64(want);
                    } else {
                        float f[3];
                        for (unsigned i = 0; i < 3; i++) { uint32_t w = (uint32_t)in[i]; memcpy(&f[i], &w, 4); }
                        float r = fmaf(f[1], f[2], f[0]);
                        uint32_t w; memcpy(&w, &r, 4);
                        want = w;
                        want_nan = nan32(w);
                    }
                    uint64_t info = 0;
                    ir_exit_kind kind = toy_run(tg, &s, pc, &info);
                    checked++;
                    /* which NaN comes out is unspecified: only NaN-ness is compared */
                    bool ok = kind == IR_EXIT_HALT &&
                              (want_nan ? (t == IR_I64 ? nan64(s.x[3]) : (s.x[3] >> 32 == 0 && nan32((uint32_t)s.x[3])))
                                        : s.x[3] == want);
                    if (!ok && failures++ < 20)
                        print_error("ffma.i%u form %u: %#llx + %#llx * %#llx got %#llx want %#llx\n",
                                    t == IR_I64 ? 64 : 32, form, (unsigned long long)in[0],
                                    (unsigned long long)in[1], (unsigned long long)in[2],
                                    (unsigned long long)s.x[3], (unsigned long long)want);
                }
            }
    toy_free(tg);
    assert_true(checked > 10000);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp_optimised),
        cmocka_unit_test(test_fp_unoptimised),
        cmocka_unit_test(test_fp_chain_under_pressure),
        cmocka_unit_test(test_fp_ops_dump_and_types),
        cmocka_unit_test(test_ffma),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
