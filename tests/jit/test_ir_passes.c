/* Tests of the IR optimisations: constant folding and identities, guest-register
 * caching (shared loads, store forwarding, one write-back per register), dead flag
 * elimination, fault snapshots and register-cache merges at labels. Blocks are built
 * with the ir_* API, run through dead code elimination, and checked on the dump. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "toy_guest.h"
#include "jit/jit_internal.h"

static char dump[16384];

static const char *finish(ir_block *b)
{
    ir_block_optimise(b);
    ir_dump(b, dump, sizeof(dump));
    return dump;
}

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static ir_block *new_block(void)
{
    ir_block *b = ir_block_new();
    ir_block_reset(b, 0x1000);
    ir_set_pc_offset(b, OFF_PC);
    ir_insn_start(b, 0x1000, 0);
    return b;
}

static void test_constant_folding(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val k = ir_add(b, ir_const(b, IR_I64, 2), ir_const(b, IR_I64, 3));
    ir_val m = ir_mul(b, k, ir_const(b, IR_I64, 7));
    ir_val s = ir_shl(b, ir_const(b, IR_I32, 1), ir_const(b, IR_I32, 33));    /* modulo 32 */
    ir_val d = ir_sdiv(b, ir_const(b, IR_I32, 0x80000000u), ir_const(b, IR_I32, 0xffffffffu));
    ir_val z = ir_udiv(b, ir_const(b, IR_I64, 5), ir_const(b, IR_I64, 0));
    ir_val e = ir_zext(b, IR_I64, ir_const(b, IR_I8, 0xff));
    ir_val c = ir_cmp(b, IR_SLT, ir_const(b, IR_I8, 0x80), ir_const(b, IR_I8, 1));
    ir_write_reg(b, OFF_X(0), m);
    ir_write_reg(b, OFF_X(1), ir_zext(b, IR_I64, s));
    ir_write_reg(b, OFF_X(2), ir_zext(b, IR_I64, d));
    ir_write_reg(b, OFF_X(3), z);
    ir_write_reg(b, OFF_X(4), e);
    ir_write_reg(b, OFF_N, c);
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_non_null(strstr(out, "store_state.i64 [0], v"));
    assert_int_equal(count(out, "add"), 0);
    assert_int_equal(count(out, "mul"), 0);
    assert_int_equal(count(out, "div"), 0);
    assert_int_equal(count(out, "shl"), 0);
    assert_int_equal(count(out, "zext"), 0);
    assert_int_equal(count(out, "cmp"), 0);
    /* folded values */
    char want[64];
    snprintf(want, sizeof(want), "v%u = const.i64 #0x23", m);
    assert_non_null(strstr(out, want));
    (void)s; (void)d;    /* zero-extended in turn: the i64 constants are stored */
    assert_non_null(strstr(out, "const.i64 #0x2\n"));
    assert_non_null(strstr(out, "const.i64 #0x80000000\n"));
    snprintf(want, sizeof(want), "v%u = const.i64 #0x0", z);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof(want), "v%u = const.i64 #0xff", e);
    assert_non_null(strstr(out, want));
    snprintf(want, sizeof(want), "v%u = const.i1 #0x1", c);
    assert_non_null(strstr(out, want));
    ir_block_free(b);
}

static void test_identities(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val x = ir_read_reg(b, IR_I64, OFF_X(0));
    assert_int_equal(ir_add(b, x, ir_const(b, IR_I64, 0)), x);
    assert_int_equal(ir_sub(b, x, ir_const(b, IR_I64, 0)), x);
    assert_int_equal(ir_or(b, x, ir_const(b, IR_I64, 0)), x);
    assert_int_equal(ir_xor(b, x, ir_const(b, IR_I64, 0)), x);
    assert_int_equal(ir_and(b, x, ir_const(b, IR_I64, ~0ull)), x);
    assert_int_equal(ir_shl(b, x, ir_const(b, IR_I64, 64)), x);       /* shift by 0 mod 64 */
    assert_int_equal(ir_mul(b, x, ir_const(b, IR_I64, 1)), x);
    assert_int_equal(ir_udiv(b, x, ir_const(b, IR_I64, 1)), x);
    assert_int_equal(ir_not(b, ir_not(b, x)), x);
    ir_val t = ir_trunc(b, IR_I32, x);
    assert_int_equal(ir_trunc(b, IR_I32, ir_zext(b, IR_I64, t)), t);
    ir_val zero = ir_and(b, x, ir_const(b, IR_I64, 0));
    assert_int_equal(b == NULL, 0);
    ir_write_reg(b, OFF_X(1), zero);
    ir_write_reg(b, OFF_X(2), ir_sub(b, x, x));
    ir_write_reg(b, OFF_X(3), ir_mul(b, x, ir_const(b, IR_I64, 8)));  /* strength reduced */
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "and"), 0);
    assert_int_equal(count(out, "sub"), 0);
    assert_int_equal(count(out, "mul"), 0);
    assert_int_equal(count(out, "shl.i64"), 1);
    ir_block_free(b);
}

static void test_register_caching(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val a = ir_read_reg(b, IR_I64, OFF_X(0));
    ir_val a2 = ir_read_reg(b, IR_I64, OFF_X(0));
    assert_int_equal(a, a2);                                          /* one load */
    ir_val s = ir_add(b, a, ir_const(b, IR_I64, 1));
    ir_write_reg(b, OFF_X(1), s);
    assert_int_equal(ir_read_reg(b, IR_I64, OFF_X(1)), s);          /* forwarded */
    ir_insn_start(b, 0x1004, 0);
    ir_write_reg(b, OFF_X(1), ir_add(b, s, ir_const(b, IR_I64, 2)));
    ir_insn_start(b, 0x1008, 0);
    ir_val last = ir_add(b, ir_read_reg(b, IR_I64, OFF_X(1)), ir_const(b, IR_I64, 3));
    ir_write_reg(b, OFF_X(1), last);
    ir_exit_special(b, IR_EXIT_HALT, 0x100c, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "load_state"), 1);
    assert_int_equal(count(out, "store_state"), 1);                 /* only the last write */
    char want[64];
    snprintf(want, sizeof(want), "store_state.i64 [8], v%u", last);
    assert_non_null(strstr(out, want));
    ir_block_free(b);
}

static void test_overlapping_registers(void **st)
{
    (void)st;
    ir_block *b = new_block();
    /* 128-bit registers are cached as two 64-bit halves: reading the upper half of a
     * written Q register takes the cached value, and a Q register built from a 64-bit
     * value is stored as that value and a zero upper half, never as an I128 */
    ir_write_reg(b, OFF_Q(0), ir_const128(b, 1, 2));
    ir_val hi = ir_read_reg(b, IR_I64, OFF_Q(0) + 8);
    ir_write_reg(b, OFF_X(0), hi);
    ir_val x1 = ir_read_reg(b, IR_I64, OFF_X(1));
    ir_write_reg(b, OFF_Q(1), ir_zext(b, IR_I128, x1));
    ir_val q1 = ir_read_reg(b, IR_I128, OFF_Q(1));
    ir_write_reg(b, OFF_X(2), ir_trunc(b, IR_I64, q1));
    /* a read that straddles a cached half: the half is stored first, the read comes
     * from memory */
    ir_val mid = ir_read_reg(b, IR_I32, OFF_Q(1) + 4);
    ir_write_reg(b, OFF_X(3), ir_zext(b, IR_I64, mid));
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_null(strstr(out, "i128"));
    assert_int_equal(count(out, "load_state.i64"), 1);  /* x1 */
    assert_int_equal(count(out, "load_state"), 2);      /* and the straddling read */
    const char *st64 = strstr(out, "store_state.i64");
    const char *ld = strstr(out, "load_state.i32");
    assert_non_null(st64);
    assert_non_null(ld);
    assert_true(st64 < ld);
    ir_block_free(b);
}

/* NZCV written by one instruction and overwritten by the next: the first set and its
 * computation disappear. */
static void test_dead_flags(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val x = ir_read_reg(b, IR_I64, OFF_X(0)), y = ir_read_reg(b, IR_I64, OFF_X(1));
    for (int insn = 0; insn < 2; insn++) {
        ir_insn_start(b, 0x1000 + 4 * (uint64_t)insn, 0);
        ir_val ny = ir_not(b, insn ? x : y);
        ir_val r = ir_add(b, ir_add(b, insn ? y : x, ny), ir_const(b, IR_I64, 1));
        ir_write_reg(b, OFF_N, ir_cmp(b, IR_SLT, r, ir_const(b, IR_I64, 0)));
        ir_write_reg(b, OFF_Z, ir_cmp(b, IR_EQ, r, ir_const(b, IR_I64, 0)));
        ir_write_reg(b, OFF_C, ir_add_carry(b, insn ? y : x, ny, ir_const(b, IR_I1, 1)));
        ir_write_reg(b, OFF_V, ir_add_overflow(b, insn ? y : x, ny, ir_const(b, IR_I1, 1)));
    }
    ir_exit_special(b, IR_EXIT_HALT, 0x1008, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "store_state.i1"), 4);
    /* only the second instruction's flags remain, as lazy flags the exit computes when
     * it stores them; no flag computation is left in the block */
    assert_int_equal(count(out, "lazy_flag"), 4);
    assert_int_equal(count(out, "cmp."), 0);
    assert_int_equal(count(out, "sub_overflow"), 0);
    assert_int_equal(count(out, "add_carry"), 0);
    ir_block_free(b);
}

/* A flag read back after it was written is the value the block computed (a B.cond
 * after CMP reads Z: the compare fuses with the branch); all four flags stay lazy for
 * the stores at the exit. */
static void test_lazy_flag_read(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val x = ir_read_reg(b, IR_I64, OFF_X(0)), y = ir_read_reg(b, IR_I64, OFF_X(1));
    ir_insn_start(b, 0x1000, 0);
    ir_val r = ir_sub(b, x, y);
    ir_val z = ir_cmp(b, IR_EQ, x, y);
    ir_write_reg(b, OFF_N, ir_cmp(b, IR_SLT, r, ir_const(b, IR_I64, 0)));
    ir_write_reg(b, OFF_Z, z);
    ir_write_reg(b, OFF_C, ir_cmp(b, IR_UGE, x, y));
    ir_write_reg(b, OFF_V, ir_add_overflow(b, x, ir_not(b, y), ir_const(b, IR_I1, 1)));
    assert_int_equal(ir_read_reg(b, IR_I1, OFF_Z), z);
    ir_label taken = ir_label_new(b);
    ir_cbr(b, ir_read_reg(b, IR_I1, OFF_Z), taken, taken);
    ir_label_bind(b, taken);
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "lazy_flag"), 4);
    assert_int_equal(count(out, "cmp.eq"), 1);           /* Z, the branch condition */
    assert_int_equal(count(out, "cmp.slt"), 0);
    assert_int_equal(count(out, "sub_overflow"), 0);
    assert_int_equal(count(out, "store_state.i1"), 4);
    ir_block_free(b);
}

/* A load after a register write carries the dirty register in its snapshot, so a fault
 * stub can make the state precise without storing on the fast path. */
static void test_fault_snapshot(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_write_reg(b, OFF_X(5), ir_const(b, IR_I64, 77));
    ir_insn_start(b, 0x1004, 0);
    ir_val v = ir_load(b, IR_I64, ir_read_reg(b, IR_I64, OFF_X(0)));
    ir_write_reg(b, OFF_X(2), v);
    ir_exit_special(b, IR_EXIT_HALT, 0x1008, 0);
    const char *out = finish(b);
    assert_non_null(strstr(out, "{pc=0x1004 [40]=v"));
    /* the write of x5 is stored once, at the exit, after the load */
    const char *load = strstr(out, "load.i64"), *store = strstr(out, "store_state.i64 [40]");
    assert_non_null(load);
    assert_non_null(store);
    assert_true(load < store);
    ir_block_free(b);
}

/* Register cache across a diamond: values cached before the branch and untouched on
 * both sides stay cached; a register written on one side is reloaded. */
static void test_label_merge(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val a = ir_read_reg(b, IR_I64, OFF_X(0));
    ir_val c = ir_read_reg(b, IR_I64, OFF_X(1));
    ir_label lt = ir_label_new(b), join = ir_label_new(b);
    ir_cbr(b, ir_cmp(b, IR_EQ, a, ir_const(b, IR_I64, 0)), lt, join);
    ir_label_bind(b, lt);
    ir_write_reg(b, OFF_X(1), ir_const(b, IR_I64, 5));
    ir_br(b, join);
    ir_label_bind(b, join);
    assert_int_equal(ir_read_reg(b, IR_I64, OFF_X(0)), a);        /* still cached */
    ir_val c2 = ir_read_reg(b, IR_I64, OFF_X(1));
    assert_true(c2 != c);                                          /* reloaded */
    ir_write_reg(b, OFF_X(2), ir_add(b, a, c2));
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "load_state"), 2);                 /* x0 once, x1 after the join */
    ir_block_free(b);
}

/* Dead code: pure computations nobody uses are deleted; loads stay (they may fault). */
static void test_dead_code(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_val x = ir_read_reg(b, IR_I64, OFF_X(0));
    ir_val unused = ir_mul(b, x, x);
    (void)unused;
    ir_load(b, IR_I32, x);
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "mul"), 0);
    assert_int_equal(count(out, "load.i32"), 1);
    ir_block_free(b);
}

/* Without optimisation the builder emits what it is told (the reference mode). */
static void test_optimise_off(void **st)
{
    (void)st;
    ir_block *b = new_block();
    ir_block_set_optimise(b, false);
    ir_val a = ir_read_reg(b, IR_I64, OFF_X(0));
    ir_val a2 = ir_read_reg(b, IR_I64, OFF_X(0));
    assert_true(a != a2);
    ir_write_reg(b, OFF_X(1), ir_add(b, a, ir_const(b, IR_I64, 0)));
    ir_write_reg(b, OFF_X(1), a2);
    ir_exit_special(b, IR_EXIT_HALT, 0x1004, 0);
    const char *out = finish(b);
    assert_int_equal(count(out, "load_state"), 2);
    assert_int_equal(count(out, "store_state"), 2);
    assert_int_equal(count(out, "add"), 1);
    ir_block_free(b);
}

/* Through the JIT: a block of dependent adds compiles to a few bytes per operation. */
static void build_adds(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    for (int i = 0; i < 16; i++) {
        ir_insn_start(b, pc + 4 * (uint64_t)i, 0);
        ir_val v = ir_add(b, ir_read_reg(b, IR_I64, OFF_X(i % 8)), ir_read_reg(b, IR_I64, OFF_X((i + 1) % 8)));
        ir_write_reg(b, OFF_X(i % 8), v);
    }
    ir_exit_special(b, IR_EXIT_HALT, pc + 64, 0);
}

static void test_code_density(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_adds, NULL, 0);
    size_t size = jit_translate_only(t->j, 0x100);
    struct jit_stats js;
    jit_get_stats(t->j, &js);
    print_message("16 adds on 8 guest registers: %zu bytes, %llu IR ops\n", size, (unsigned long long)js.ir_ops);
    /* 8 loads + 16 adds + 8 stores + exit: about 4 bytes each */
    assert_true(size < 200);
    toy_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_folding),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_register_caching),
        cmocka_unit_test(test_overlapping_registers),
        cmocka_unit_test(test_dead_flags),
        cmocka_unit_test(test_lazy_flag_read),
        cmocka_unit_test(test_fault_snapshot),
        cmocka_unit_test(test_label_merge),
        cmocka_unit_test(test_dead_code),
        cmocka_unit_test(test_optimise_off),
        cmocka_unit_test(test_code_density),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
