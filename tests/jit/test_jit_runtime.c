/* End-to-end tests of the JIT runtime on the toy guest: guest memory accesses and
 * precise data aborts, block chaining, indirect exits, helper calls, locals across
 * conditional regions, exclusive accesses, invalidation and cache flushes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "toy_guest.h"
#include "jit/jit_internal.h"

static ir_val X(ir_block *b, unsigned i) { return ir_read_reg(b, IR_I64, OFF_X(i)); }
static void SETX(ir_block *b, unsigned i, ir_val v) { ir_write_reg(b, OFF_X(i), v); }
static ir_val K(ir_block *b, uint64_t v) { return ir_const(b, IR_I64, v); }

/* ---- loads and stores ---------------------------------------------------------------- */
/* 0x100: x5 = 77 (dirty); x2 = load<size>(x0); store<size>(x1, x2 + 1); x6 = x5 + 1; halt
 * size from x-independent pc bits: pc 0x100 + 0x10 * log2(size) */
static void build_mem(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    unsigned lg = (unsigned)((pc - 0x100) >> 4);
    ir_type ty = lg == 0 ? IR_I8 : lg == 1 ? IR_I16 : lg == 2 ? IR_I32 : lg == 3 ? IR_I64 : IR_I128;
    ir_insn_start(b, pc, 0);
    SETX(b, 5, K(b, 77));
    ir_insn_start(b, pc + 4, 0);
    ir_val v = ir_load(b, ty, X(b, 0));
    if (ty == IR_I128) {
        ir_write_reg(b, OFF_Q(0), v);
        v = ir_add(b, v, ir_const128(b, 1, 0));
        ir_insn_start(b, pc + 8, 0);
        ir_store(b, X(b, 1), v);
    } else {
        SETX(b, 2, ir_zext(b, IR_I64, v));
        ir_insn_start(b, pc + 8, 0);
        ir_store(b, X(b, 1), ir_add(b, v, ir_const(b, ty, 1)));
    }
    SETX(b, 6, ir_add(b, X(b, 5), K(b, 1)));
    ir_exit_special(b, IR_EXIT_HALT, pc + 12, 0);
}

static void test_loads_stores_and_faults(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_mem, NULL, 0);
    for (unsigned lg = 0; lg <= 4; lg++) {
        unsigned size = 1u << lg;
        uint64_t pc = 0x100 + 0x10 * lg;
        /* in bounds, including the very last bytes */
        uint64_t addrs[] = { 0, 8, 1000, TOY_MEM_SIZE - size, TOY_MEM_SIZE - 2 * size };
        for (unsigned k = 0; k < 5; k++) {
            struct toy_state s = { 0 };
            memset(t->mem, 0, TOY_MEM_SIZE);
            for (unsigned i = 0; i < size; i++) t->mem[addrs[k] + i] = (uint8_t)(0xf0 + i);
            s.x[0] = addrs[k];
            s.x[1] = addrs[(k + 1) % 5];
            uint64_t info = 0;
            ir_exit_kind kind = toy_run(t, &s, pc, &info);
            assert_int_equal(kind, IR_EXIT_HALT);
            unsigned __int128 want = 0;
            for (unsigned i = 0; i < size; i++) want |= (unsigned __int128)(0xf0 + i) << (8 * i);
            if (size < 16) assert_int_equal(s.x[2], (uint64_t)want);
            else { assert_int_equal(s.q[0][0], (uint64_t)want); assert_int_equal(s.q[0][1], (uint64_t)(want >> 64)); }
            unsigned __int128 got = 0;
            memcpy(&got, t->mem + s.x[1], size);
            unsigned __int128 wm = size == 16 ? ~(unsigned __int128)0 : ((unsigned __int128)1 << (8 * size)) - 1;
            if (addrs[(k + 1) % 5] != addrs[k] || size == 1)
                assert_true(got == ((want + 1) & wm));
            assert_int_equal(s.x[6], 78);
            assert_int_equal(s.pc, pc + 12);
        }
        /* out of bounds loads: one past, straddling the end, huge, wrapping */
        uint64_t bad[] = { TOY_MEM_SIZE, TOY_MEM_SIZE - size + 1, 0xffffffffffffffffull, size > 1 ? ~0ull - size + 2 : ~0ull - 1, 1ull << 40 };
        for (unsigned k = 0; k < 5; k++) {
            if (size == 1 && k == 1) continue;     /* TOY_MEM_SIZE - 1 + 1 is in range... covered by k=0 */
            struct toy_state s = { 0 };
            s.x[0] = bad[k];
            s.x[6] = 5;
            uint64_t info = 0;
            ir_exit_kind kind = toy_run(t, &s, pc, &info);
            assert_int_equal(kind, IR_EXIT_DATA_ABORT);
            assert_int_equal(info, bad[k]);
            assert_int_equal(s.pc, pc + 4);          /* precise: the load's instruction */
            assert_int_equal(s.x[5], 77);            /* the earlier write is visible */
            assert_int_equal(s.x[6], 5);             /* the later one is not */
            assert_int_equal(s.x[2], 0);
        }
        /* out of bounds store after a good load: x2 written, fault at pc + 8 */
        {
            struct toy_state s = { 0 };
            s.x[0] = 16;
            s.x[1] = TOY_MEM_SIZE;
            uint64_t info = 0;
            memset(t->mem, 0, 64);
            t->mem[16] = 9;
            ir_exit_kind kind = toy_run(t, &s, pc, &info);
            assert_int_equal(kind, IR_EXIT_DATA_ABORT);
            assert_int_equal(info, TOY_MEM_SIZE);
            assert_int_equal(s.pc, pc + 8);
            if (size < 16) assert_int_equal(s.x[2], 9);
            else assert_int_equal(s.q[0][0], 9);
            assert_int_equal(s.x[5], 77);
        }
    }
    toy_free(t);
}

/* constant addresses are checked at translation time */
static void build_const_addr(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    uint64_t addr = pc == 0x10 ? 0x40 : pc == 0x20 ? TOY_MEM_SIZE - 8 : TOY_MEM_SIZE - 4;
    SETX(b, 1, ir_load(b, IR_I64, K(b, addr)));
    ir_store(b, K(b, 0x80), ir_const(b, IR_I32, 0x12345678));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_constant_addresses(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_const_addr, NULL, 0);
    struct toy_state s = { 0 };
    uint64_t v = 0x1122334455667788ull, info = 0;
    memcpy(t->mem + 0x40, &v, 8);
    memcpy(t->mem + TOY_MEM_SIZE - 8, &v, 8);
    assert_int_equal(toy_run(t, &s, 0x10, &info), IR_EXIT_HALT);
    assert_int_equal(s.x[1], v);
    uint32_t w;
    memcpy(&w, t->mem + 0x80, 4);
    assert_int_equal(w, 0x12345678);
    assert_int_equal(toy_run(t, &s, 0x20, &info), IR_EXIT_HALT);
    assert_int_equal(toy_run(t, &s, 0x30, &info), IR_EXIT_DATA_ABORT);
    assert_int_equal(info, TOY_MEM_SIZE - 4);
    assert_int_equal(s.pc, 0x30);
    toy_free(t);
}

/* ---- chaining ---------------------------------------------------------------------------- */
/* 0x1000: x0 -= 1; x1 += x0; if x0 != 0 goto 0x1000 else 0x2000.  0x2000: halt */
static void build_loop(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    if (pc == 0x2000) { ir_exit_special(b, IR_EXIT_HALT, pc, 0); return; }
    if (pc == 0x1000) {
        ir_val x0 = ir_sub(b, X(b, 0), K(b, 1));
        SETX(b, 0, x0);
        SETX(b, 1, ir_add(b, X(b, 1), x0));
        /* Z flag like SUBS: the branch reads it back through the register cache */
        ir_write_reg(b, OFF_Z, ir_cmp(b, IR_EQ, x0, K(b, 0)));
        ir_label lt = ir_label_new(b), lf = ir_label_new(b);
        ir_cbr(b, ir_cmp(b, IR_EQ, ir_read_reg(b, IR_I1, OFF_Z), ir_const(b, IR_I1, 0)), lt, lf);
        ir_label_bind(b, lt);
        ir_exit_direct(b, 0x1004);           /* two blocks in the loop: 0x1000 -> 0x1004 -> 0x1000 */
        ir_label_bind(b, lf);
        ir_exit_direct(b, 0x2000);
        return;
    }
    /* 0x1004: x2 += 1; back to 0x1000 */
    SETX(b, 2, ir_add(b, X(b, 2), K(b, 1)));
    ir_exit_direct(b, 0x1000);
}

static void test_chaining(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_loop, NULL, 0);
    struct toy_state s = { 0 };
    s.x[0] = 100000;
    assert_int_equal(toy_run(t, &s, 0x1000, NULL), IR_EXIT_HALT);
    assert_int_equal(s.x[0], 0);
    assert_int_equal(s.x[1], 100000ull * 99999 / 2);
    assert_int_equal(s.x[2], 99999);
    assert_int_equal(s.z, 1);
    struct jit_stats js;
    jit_get_stats(t->j, &js);
    assert_int_equal(js.blocks_translated, 3);
    assert_true(js.dispatcher_entries <= 5);      /* the loop ran without the dispatcher */
    assert_true(js.chain_patches >= 2);
    toy_free(t);
}

/* ---- indirect exits ------------------------------------------------------------------ */
/* 0x100: x0 -= 1; if x0 == 0 halt; target = 0x200 + 0x10 * (x0 & 3); jump indirect
 * 0x200 + 0x10*k: x(1+k) += 1; jump indirect to x30 (0x100) */
static void build_indirect(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    if (pc == 0x100) {
        ir_val x0 = ir_sub(b, X(b, 0), K(b, 1));
        SETX(b, 0, x0);
        ir_label lh = ir_label_new(b), lg = ir_label_new(b);
        ir_cbr(b, ir_cmp(b, IR_EQ, x0, K(b, 0)), lh, lg);
        ir_label_bind(b, lh);
        ir_exit_special(b, IR_EXIT_HALT, pc, 0);
        ir_label_bind(b, lg);
        ir_exit_indirect(b, ir_add(b, K(b, 0x200), ir_shl(b, ir_and(b, X(b, 0), K(b, 3)), K(b, 4))));
        return;
    }
    unsigned k = (unsigned)((pc - 0x200) >> 4);
    SETX(b, 1 + k, ir_add(b, X(b, 1 + k), K(b, 1)));
    ir_exit_indirect(b, X(b, 30));
}

static void test_indirect(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_indirect, NULL, 0);
    struct toy_state s = { 0 };
    s.x[0] = 10001;
    s.x[30] = 0x100;
    assert_int_equal(toy_run(t, &s, 0x100, NULL), IR_EXIT_HALT);
    assert_int_equal(s.x[1] + s.x[2] + s.x[3] + s.x[4], 10000);
    assert_int_equal(s.x[1], 2500);
    struct jit_stats js;
    jit_get_stats(t->j, &js);
    assert_int_equal(js.blocks_translated, 5);
    assert_true(js.indirect_hits >= 19000);
    assert_true(js.dispatcher_entries < 20);
    toy_free(t);
}

/* ---- helper calls ------------------------------------------------------------------- */
static uint64_t helper_mix(void *state, uint64_t a, uint32_t b, uint8_t c, uint64_t d, uint16_t e)
{
    struct toy_state *s = state;
    s->x[20] = s->x[10] + 1;                      /* helpers see and change the state */
    return a * 3 + b * 5 + c * 7 + d * 11 + e * 13 + s->x[10];
}
static unsigned __int128 helper_wide(void *state, unsigned __int128 a, uint64_t b)
{
    (void)state;
    return a * b;
}
static void helper_void(void *state) { ((struct toy_state *)state)->x[21] = 0x5a5a; }
static uint8_t helper_bool(void *state, uint64_t a) { (void)state; return a > 100 ? 0xff : 0; }

static void build_calls(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    /* many live values across the call, in more registers than there are callee-saved */
    ir_val live[12];
    for (int i = 0; i < 12; i++) live[i] = ir_add(b, X(b, i), K(b, (uint64_t)i * 1000));
    SETX(b, 10, ir_add(b, X(b, 10), K(b, 1)));    /* dirty: must be written back before the call */
    ir_val args[5] = { X(b, 0), ir_trunc(b, IR_I32, X(b, 1)), ir_trunc(b, IR_I8, X(b, 2)), live[3], ir_trunc(b, IR_I16, X(b, 4)) };
    ir_val r = ir_call(b, (const void *)helper_mix, IR_I64, 5, args);
    SETX(b, 22, r);
    SETX(b, 23, ir_add(b, X(b, 20), K(b, 0)));    /* reloaded after the call */
    ir_val wargs[2] = { ir_concat64(b, X(b, 1), X(b, 0)), X(b, 2) };
    ir_val w = ir_call(b, (const void *)helper_wide, IR_I128, 2, wargs);
    SETX(b, 24, ir_trunc(b, IR_I64, w));
    SETX(b, 25, ir_hi64(b, w));
    ir_call(b, (const void *)helper_void, 0, 0, NULL);
    ir_val bargs[1] = { X(b, 5) };
    SETX(b, 26, ir_zext(b, IR_I64, ir_call(b, (const void *)helper_bool, IR_I1, 1, bargs)));
    ir_val sum = K(b, 0);
    for (int i = 0; i < 12; i++) sum = ir_add(b, sum, live[i]);
    SETX(b, 27, sum);
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_helper_calls(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_calls, NULL, 0);
    struct toy_state s = { 0 };
    uint64_t sum = 0;
    for (int i = 0; i < 12; i++) { s.x[i] = 0x1111ull * (uint64_t)(i + 1) + ((uint64_t)i << 40); sum += s.x[i] + (uint64_t)i * 1000; }
    struct toy_state in = s;
    assert_int_equal(toy_run(t, &s, 0x40, NULL), IR_EXIT_HALT);
    uint64_t x10 = in.x[10] + 1;
    uint64_t want = in.x[0] * 3 + (uint32_t)in.x[1] * 5ull + (uint8_t)in.x[2] * 7ull + (in.x[3] + 3000) * 11 + (uint16_t)in.x[4] * 13ull + x10;
    assert_int_equal(s.x[10], x10);
    assert_int_equal(s.x[20], x10 + 1);
    assert_int_equal(s.x[22], want);
    assert_int_equal(s.x[23], x10 + 1);
    unsigned __int128 wide = ((unsigned __int128)in.x[1] << 64 | in.x[0]) * in.x[2];
    assert_int_equal(s.x[24], (uint64_t)wide);
    assert_int_equal(s.x[25], (uint64_t)(wide >> 64));
    assert_int_equal(s.x[21], 0x5a5a);
    assert_int_equal(s.x[26], in.x[5] > 100);
    assert_int_equal(s.x[27], sum);
    toy_free(t);
}

/* ---- locals across conditional regions and register-cache merges ------------------ */
/* l = x0 > x1 ? x0 - x1 : x1 - x0 via branches; x2 written only on one side */
static void build_locals(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    ir_local l = ir_local_new(b, IR_I64);
    ir_val a = X(b, 0), c = X(b, 1);
    SETX(b, 3, K(b, 1));                           /* dirty before the branch */
    ir_label lt = ir_label_new(b), lf = ir_label_new(b), join = ir_label_new(b);
    ir_cbr(b, ir_cmp(b, IR_UGT, a, c), lt, lf);
    ir_label_bind(b, lt);
    ir_local_write(b, l, ir_sub(b, a, c));
    SETX(b, 2, K(b, 111));
    ir_br(b, join);
    ir_label_bind(b, lf);
    ir_local_write(b, l, ir_sub(b, c, a));
    ir_label_bind(b, join);                        /* fallthrough from lf */
    SETX(b, 4, ir_add(b, ir_local_read(b, l), X(b, 2)));   /* x2 must be re-read here */
    SETX(b, 5, ir_add(b, X(b, 3), a));                     /* x3 cached value still valid */
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_locals_and_labels(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_locals, NULL, 0);
    uint64_t seed = 5;
    for (int i = 0; i < 200; i++) {
        struct toy_state s = { 0 };
        s.x[0] = toy_rand_edge(&seed);
        s.x[1] = toy_rand_edge(&seed);
        s.x[2] = 7;
        struct toy_state in = s;
        toy_run(t, &s, 0x40, NULL);
        bool gt = in.x[0] > in.x[1];
        uint64_t d = gt ? in.x[0] - in.x[1] : in.x[1] - in.x[0];
        assert_int_equal(s.x[2], gt ? 111 : 7);
        assert_int_equal(s.x[4], d + (gt ? 111 : 7));
        assert_int_equal(s.x[5], 1 + in.x[0]);
        assert_int_equal(s.x[3], 1);
    }
    toy_free(t);
}

/* ---- exclusive monitor ------------------------------------------------------------------ */
/* 0x10: x2 = ldxr(x0); x3 = stxr(x1, x2 + 1); halt.  0x20: x3 = stxr(x1, 5) (no ldxr) */
static void build_excl(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    if (pc == 0x10) {
        ir_val v = ir_load_exclusive(b, IR_I64, X(b, 0));
        SETX(b, 2, v);
        SETX(b, 3, ir_zext(b, IR_I64, ir_store_exclusive(b, X(b, 1), ir_add(b, v, K(b, 1)))));
    } else {
        SETX(b, 3, ir_zext(b, IR_I64, ir_store_exclusive(b, X(b, 1), K(b, 5))));
    }
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_exclusive(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_excl, NULL, 0);
    struct toy_state s = { 0 };
    uint64_t v = 41, got;
    memcpy(t->mem + 0x100, &v, 8);
    s.x[0] = s.x[1] = 0x100;
    toy_run(t, &s, 0x10, NULL);
    memcpy(&got, t->mem + 0x100, 8);
    assert_int_equal(s.x[2], 41);
    assert_int_equal(s.x[3], 0);                  /* success */
    assert_int_equal(got, 42);
    s.x[1] = 0x108;                                /* different address: fails, no store */
    toy_run(t, &s, 0x10, NULL);
    assert_int_equal(s.x[3], 1);
    memcpy(&got, t->mem + 0x108, 8);
    assert_int_equal(got, 0);
    s.x[1] = 0x100;
    toy_run(t, &s, 0x20, NULL);                    /* monitor cleared by the last exit */
    assert_int_equal(s.x[3], 1);
    toy_free(t);
}

/* ---- invalidation and flushes --------------------------------------------------------- */
static void build_versioned(struct toy *t, ir_block *b, uint64_t pc)
{
    unsigned version = *(unsigned *)t->user;
    ir_insn_start(b, pc, 0);
    if (pc < 0x8000) {                             /* a chain of blocks 0x1000 -> ... */
        SETX(b, 1, ir_add(b, X(b, 1), K(b, version)));
        ir_exit_direct(b, pc + 0x10 < 0x1000 + 0x10 * 50 ? pc + 0x10 : 0x9000);
        return;
    }
    ir_exit_special(b, IR_EXIT_HALT, pc, 0);
}

static void test_invalidate_and_flush(void **st)
{
    (void)st;
    unsigned version = 1;
    struct toy *t = toy_new(build_versioned, &version, 0);
    struct toy_state s = { 0 };
    toy_run(t, &s, 0x1000, NULL);
    assert_int_equal(s.x[1], 50);
    toy_run(t, &s, 0x1000, NULL);                  /* chained now */
    assert_int_equal(s.x[1], 100);
    version = 2;
    jit_invalidate(t->j, 0x9000 + 0x100, 16);        /* no translation there: nothing changes */
    toy_run(t, &s, 0x1000, NULL);
    assert_int_equal(s.x[1], 150);
    jit_invalidate(t->j, 0x1000 + 0x10 * 25, 4);      /* one block of the chain */
    toy_run(t, &s, 0x1000, NULL);
    assert_int_equal(s.x[1], 250);                 /* every block retranslated with version 2 */
    struct jit_stats js;
    jit_get_stats(t->j, &js);
    assert_int_equal(js.cache_flushes, 1);
    toy_free(t);

    /* a tiny code cache fills up and is flushed while running */
    version = 3;
    t = toy_new(build_versioned, &version, 64 * 1024);
    memset(&s, 0, sizeof(s));
    for (int i = 0; i < 2000; i++) {
        jit_translate_only(t->j, 0x20000 + 16 * (uint64_t)i);    /* halt blocks fill the cache */
    }
    toy_run(t, &s, 0x1000, NULL);
    assert_int_equal(s.x[1], 150);
    jit_get_stats(t->j, &js);
    assert_true(js.cache_flushes >= 1);
    toy_free(t);
}

/* ---- four flag bytes stored together ------------------------------------------------ */
/* pc = 0x100000 * (1 + constant-lane mask) + 0x10 * permutation: n, z, c, v written in the
 * permuted order (the order of the write-back), lanes in the mask as constants, v as an
 * I8; then a branch on a compare whose x86 flags must survive the packed store. */
static void build_flag_bytes(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    unsigned perm = (unsigned)((pc >> 4) & 0xff) % 24, consts = (unsigned)(pc >> 20) - 1;
    ir_insn_start(b, pc, 0);
    ir_val x0 = X(b, 0), x1 = X(b, 1);
    ir_val vals[4] = {
        ir_cmp(b, IR_SLT, ir_sub(b, x0, x1), K(b, 0)),
        ir_cmp(b, IR_EQ, x0, x1),
        ir_cmp(b, IR_UGE, x0, x1),
        ir_trunc(b, IR_I8, X(b, 2)),
    };
    const uint32_t offs[4] = { OFF_N, OFF_Z, OFF_C, OFF_V };
    unsigned order[4] = { 0, 1, 2, 3 }, p = perm;
    for (unsigned k = 0; k < 4; k++) {           /* the perm-th permutation */
        unsigned j = k + p % (4 - k);
        p /= 4 - k;
        unsigned s = order[k]; order[k] = order[j]; order[j] = s;
    }
    for (unsigned k = 0; k < 4; k++) {
        unsigned f = order[k];
        ir_val v = vals[f];
        if (consts & (1u << f)) v = ir_const(b, f == 3 ? IR_I8 : IR_I1, f == 3 ? 0xa5 : 1);
        ir_write_reg(b, offs[f], v);
    }
    ir_label lt = ir_label_new(b), lf = ir_label_new(b);
    ir_cbr(b, ir_cmp(b, IR_ULT, x0, x1), lt, lf);
    ir_label_bind(b, lt);
    ir_exit_special(b, IR_EXIT_HALT, 0x11, 0);
    ir_label_bind(b, lf);
    ir_exit_special(b, IR_EXIT_HALT, 0x22, 0);
}

static void test_packed_flag_stores(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_flag_bytes, NULL, 0);
    uint64_t seed = 11;
    for (unsigned consts = 0; consts < 16; consts++) {
        for (unsigned perm = 0; perm < 24; perm++) {
            for (int i = 0; i < 8; i++) {
                struct toy_state s = { 0 };
                s.x[0] = toy_rand_edge(&seed);
                s.x[1] = i & 1 ? s.x[0] : toy_rand_edge(&seed);
                s.x[2] = toy_rand(&seed);
                s.n = s.z = s.c = s.v = 0x77;
                struct toy_state in = s;
                toy_run(t, &s, 0x100000ull * (1 + consts) + 0x10 * perm, NULL);
                uint8_t want[4] = { (int64_t)(in.x[0] - in.x[1]) < 0, in.x[0] == in.x[1], in.x[0] >= in.x[1],
                                    (uint8_t)in.x[2] };
                if (consts & 1) want[0] = 1;
                if (consts & 2) want[1] = 1;
                if (consts & 4) want[2] = 1;
                if (consts & 8) want[3] = 0xa5;
                assert_int_equal(s.n, want[0]);
                assert_int_equal(s.z, want[1]);
                assert_int_equal(s.c, want[2]);
                assert_int_equal(s.v, want[3]);
                assert_int_equal(s.pc, in.x[0] < in.x[1] ? 0x11 : 0x22);
            }
        }
    }
    toy_free(t);
}

/* ---- self-loops ---------------------------------------------------------------------- */
/* 0x3000 loops to itself, so its registers stay in host registers across the back edge:
 * read-modify-write (x0, x1), read-only (x2, x4), write-only (x3, z), a swap (x7, x8: a
 * cycle in the back edge's moves), a conditional write (x6, through a label with two
 * predecessors), a helper that reads and writes the state (x9, x10) and a load that may
 * fault. Every exit must see the state a plain interpreter would. */
static uint64_t loop_helper(void *state, uint64_t a)
{
    struct toy_state *s = state;
    s->x[9] += a;
    return s->x[10] ^ a;
}

static void build_self_loop(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    if (pc != 0x3000 && pc != 0x5000) { ir_exit_special(b, IR_EXIT_HALT, pc, 0); return; }
    ir_val x0 = ir_sub(b, X(b, 0), K(b, 1));
    SETX(b, 0, x0);
    SETX(b, 1, ir_add(b, X(b, 1), x0));
    ir_insn_start(b, pc + 4, 0);
    ir_val v = ir_load(b, IR_I64, ir_add(b, X(b, 4), ir_shl(b, ir_and(b, x0, K(b, 7)), K(b, 3))));
    SETX(b, 5, ir_add(b, X(b, 5), v));
    SETX(b, 3, ir_xor(b, X(b, 2), X(b, 1)));
    ir_val x7 = X(b, 7);
    SETX(b, 7, X(b, 8));
    SETX(b, 8, x7);
    ir_label lodd = ir_label_new(b), ljoin = ir_label_new(b);
    ir_cbr(b, ir_cmp(b, IR_NE, ir_and(b, x0, K(b, 1)), K(b, 0)), lodd, ljoin);
    ir_label_bind(b, lodd);
    SETX(b, 6, ir_add(b, X(b, 6), K(b, 1)));
    ir_br(b, ljoin);
    ir_label_bind(b, ljoin);
    ir_insn_start(b, pc + 8, 0);
    if (pc == 0x3000) {
        SETX(b, 10, ir_call(b, (const void *)loop_helper, IR_I64, 1, &x0));
    } else {                                 /* the same without a call: nothing flushed */
        SETX(b, 9, ir_add(b, X(b, 9), x0));
        SETX(b, 10, ir_xor(b, X(b, 10), x0));
    }
    ir_val z = ir_cmp(b, IR_EQ, X(b, 0), K(b, 0));
    ir_write_reg(b, OFF_Z, z);
    ir_label lt = ir_label_new(b), lf = ir_label_new(b);
    ir_cbr(b, ir_read_reg(b, IR_I1, OFF_Z), lt, lf);
    ir_label_bind(b, lt);
    ir_exit_direct(b, 0x4000);
    ir_label_bind(b, lf);
    ir_exit_direct(b, pc);
}

/* The same loop in C: returns false (state precise at the load) on a fault. */
static bool self_loop_ref(struct toy_state *s, const uint8_t *mem)
{
    for (;;) {
        s->x[0] -= 1;
        s->x[1] += s->x[0];
        uint64_t a = s->x[4] + ((s->x[0] & 7) << 3);
        if (a > TOY_MEM_SIZE - 8) { s->pc += 4; return false; }
        uint64_t v;
        memcpy(&v, mem + a, 8);
        s->x[5] += v;
        s->x[3] = s->x[2] ^ s->x[1];
        uint64_t x7 = s->x[7];
        s->x[7] = s->x[8];
        s->x[8] = x7;
        if (s->x[0] & 1) s->x[6]++;
        s->x[9] += s->x[0];
        s->x[10] ^= s->x[0];
        s->z = s->x[0] == 0;
        if (s->z) { s->pc = 0x4000; return true; }
    }
}

static void test_self_loop(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_self_loop, NULL, 0);
    uint64_t seed = 5;
    for (unsigned k = 0; k < TOY_MEM_SIZE; k++) t->mem[k] = (uint8_t)toy_rand(&seed);
    for (int round = 0; round < 80; round++) {
        uint64_t pc = round & 2 ? 0x5000 : 0x3000;
        struct toy_state s = { .pc = pc };
        for (int r = 0; r < 32; r++) s.x[r] = toy_rand(&seed);
        s.x[0] = 1 + toy_rand(&seed) % 300;
        /* some rounds fault when x0 & 7 reaches a high enough value */
        s.x[4] = round & 1 ? TOY_MEM_SIZE - 8 * (1 + toy_rand(&seed) % 8) : toy_rand(&seed) % (TOY_MEM_SIZE - 64);
        s.z = 0x55;
        struct toy_state want = s;
        bool ok = self_loop_ref(&want, t->mem);
        uint64_t info = 0;
        ir_exit_kind kind = toy_run(t, &s, pc, &info);
        assert_int_equal(kind, ok ? IR_EXIT_HALT : IR_EXIT_DATA_ABORT);
        if (!ok) assert_int_equal(info, want.x[4] + ((want.x[0] & 7) << 3));
        for (int r = 0; r < 32; r++) assert_int_equal(s.x[r], want.x[r]);
        assert_int_equal(s.z, want.z);
        if (!ok) assert_int_equal(s.pc, pc + 4);
    }
    struct jit_stats js;
    jit_get_stats(t->j, &js);
    assert_int_equal(js.blocks_translated, 3);
    toy_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_stores_and_faults),
        cmocka_unit_test(test_constant_addresses),
        cmocka_unit_test(test_chaining),
        cmocka_unit_test(test_indirect),
        cmocka_unit_test(test_helper_calls),
        cmocka_unit_test(test_locals_and_labels),
        cmocka_unit_test(test_exclusive),
        cmocka_unit_test(test_invalidate_and_flush),
        cmocka_unit_test(test_packed_flag_stores),
        cmocka_unit_test(test_self_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
