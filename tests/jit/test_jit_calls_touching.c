/* End-to-end tests of ir_call_touching on the toy guest: helpers declared to touch only
 * a byte range of the state. Registers outside the range must stay cached across the
 * call (neither written back before it nor reloaded after it), registers inside it must
 * be stored before and reloaded after, and faults later in the block must still see
 * precise state. Random blocks are checked against a C reference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "toy_guest.h"

static ir_val X(ir_block *b, unsigned i) { return ir_read_reg(b, IR_I64, OFF_X(i)); }
static void SETX(ir_block *b, unsigned i, ir_val v) { ir_write_reg(b, OFF_X(i), v); }
static ir_val K(ir_block *b, uint64_t v) { return ir_const(b, IR_I64, v); }

/* ---- directed: what stays cached and what goes through the state ------------------- */
static uint64_t seen_x1_in_state;

/* Declared range: x20 only. It breaks the contract on purpose by scribbling on x1 and
 * x5: the block must not notice, which proves both stayed in host registers. */
static uint64_t helper_x20(void *state, uint64_t a)
{
    struct toy_state *s = state;
    seen_x1_in_state = s->x[1];
    s->x[1] = 0xdead0001;
    s->x[5] = 0xdead0005;
    s->x[20] = s->x[20] * 3 + a;
    return s->x[20] ^ 0xff;
}

/* x1 = x0 + 1 (dirty); x5 read (clean); x20 = x0 * 2 (dirty, in range); call;
 * x2 = x1 + x5 (cached values); x21 = x20 (reloaded: the helper's write); x22 = result */
static void build_directed(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    SETX(b, 1, ir_add(b, X(b, 0), K(b, 1)));
    ir_val x5 = X(b, 5);
    SETX(b, 20, ir_add(b, X(b, 0), X(b, 0)));
    ir_insn_start(b, pc + 4, 0);
    ir_val args[1] = { x5 };
    ir_val r = ir_call_touching(b, (const void *)helper_x20, IR_I64, 1, args, OFF_X(20), 8);
    ir_insn_start(b, pc + 8, 0);
    SETX(b, 2, ir_add(b, X(b, 1), X(b, 5)));
    SETX(b, 21, X(b, 20));
    SETX(b, 22, r);
    ir_exit_special(b, IR_EXIT_HALT, pc + 12, 0);
}

static void test_directed(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_directed, NULL, 0);
    struct toy_state s = { 0 };
    s.x[0] = 100; s.x[1] = 7; s.x[5] = 1000;
    assert_int_equal(toy_run(t, &s, 0x40, NULL), IR_EXIT_HALT);
    assert_int_equal(seen_x1_in_state, 7);            /* x1 was not written back before */
    assert_int_equal(s.x[1], 101);                    /* the exit stores the cached x1 */
    assert_int_equal(s.x[5], 0xdead0005);             /* clean: never stored by the block */
    assert_int_equal(s.x[2], 101 + 1000);             /* x5 was not reloaded */
    assert_int_equal(s.x[20], 200 * 3 + 1000);        /* in range: stored before the call */
    assert_int_equal(s.x[21], 200 * 3 + 1000);        /* and reloaded after it */
    assert_int_equal(s.x[22], (200 * 3 + 1000) ^ 0xff);
    toy_free(t);
}

/* A helper that writes its range and returns nothing: the write must be seen. */
static void helper_set_flags(void *state, uint8_t v)
{
    struct toy_state *s = state;
    s->n = v & 1; s->z = (v >> 1) & 1; s->c = (v >> 2) & 1; s->v = (v >> 3) & 1;
}

static void build_void_writer(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    ir_insn_start(b, pc, 0);
    ir_write_reg(b, OFF_Z, ir_const(b, IR_I8, 1));     /* dirty, overwritten by the helper */
    ir_write_reg(b, OFF_N, ir_const(b, IR_I8, 1));
    SETX(b, 3, K(b, 33));
    ir_val args[1] = { ir_trunc(b, IR_I8, X(b, 0)) };
    ir_call_touching(b, (const void *)helper_set_flags, 0, 1, args, OFF_N, 4);
    SETX(b, 4, ir_zext(b, IR_I64, ir_read_reg(b, IR_I8, OFF_Z)));
    SETX(b, 6, ir_zext(b, IR_I64, ir_read_reg(b, IR_I8, OFF_V)));
    SETX(b, 7, ir_add(b, X(b, 3), K(b, 1)));
    ir_exit_special(b, IR_EXIT_HALT, pc + 4, 0);
}

static void test_void_writer(void **st)
{
    (void)st;
    struct toy *t = toy_new(build_void_writer, NULL, 0);
    for (uint64_t v = 0; v < 16; v++) {
        struct toy_state s = { 0 };
        s.x[0] = v;
        assert_int_equal(toy_run(t, &s, 0x80, NULL), IR_EXIT_HALT);
        assert_int_equal(s.n, v & 1);
        assert_int_equal(s.z, (v >> 1) & 1);
        assert_int_equal(s.x[4], (v >> 1) & 1);
        assert_int_equal(s.x[6], (v >> 3) & 1);
        assert_int_equal(s.x[3], 33);
        assert_int_equal(s.x[7], 34);
    }
    toy_free(t);
}

/* ---- random blocks vs a C reference ------------------------------------------------- */
#define NREGS 16
#define MAX_OPS 40

enum rop { R_ARITH, R_CALL_RANGE, R_CALL_FULL, R_CALL_NONE, R_LOAD, R_STORE, R_KINDS };
struct rinsn { uint8_t op, d, a, b, lo, n; uint64_t k; };
struct rprog { struct rinsn in[MAX_OPS]; unsigned n; };

/* Reads and writes exactly x[lo .. lo+n) (the declared range). */
static uint64_t helper_range(void *state, uint32_t lo, uint32_t n, uint64_t arg)
{
    struct toy_state *s = state;
    uint64_t sum = 0;
    for (uint32_t i = lo; i < lo + n; i++) {
        s->x[i] = s->x[i] * 0x9e3779b97f4a7c15ull + arg + i;
        sum += s->x[i];
    }
    return sum;
}
static uint64_t helper_none(void *state, uint64_t a, uint64_t b)
{
    (void)state;
    return (a ^ (b >> 3)) * 0x2545f4914f6cdd1dull;
}

static uint64_t ror64(uint64_t v, unsigned k) { k &= 63; return k ? (v >> k) | (v << (64 - k)) : v; }

static void build_random(struct toy *t, ir_block *b, uint64_t pc)
{
    const struct rprog *p = t->user;
    for (unsigned i = 0; i < p->n; i++) {
        const struct rinsn *r = &p->in[i];
        ir_insn_start(b, pc + 4 * i, 0);
        switch (r->op) {
        case R_ARITH: {
            ir_val v = ir_add(b, ir_xor(b, X(b, r->a), K(b, r->k)), ir_ror(b, X(b, r->b), K(b, r->k & 63)));
            SETX(b, r->d, v);
            break;
        }
        case R_CALL_RANGE: case R_CALL_FULL: {
            ir_val args[3] = { ir_const(b, IR_I32, r->lo), ir_const(b, IR_I32, r->n), X(b, r->a) };
            ir_val v = r->op == R_CALL_FULL ? ir_call(b, (const void *)helper_range, IR_I64, 3, args)
                                           : ir_call_touching(b, (const void *)helper_range, IR_I64, 3, args, OFF_X(r->lo), 8u * r->n);
            SETX(b, r->d, v);
            break;
        }
        case R_CALL_NONE: {
            ir_val args[2] = { X(b, r->a), X(b, r->b) };
            SETX(b, r->d, ir_call_touching(b, (const void *)helper_none, IR_I64, 2, args, 0, 0));
            break;
        }
        case R_LOAD:
            SETX(b, r->d, ir_load(b, IR_I64, ir_add(b, X(b, r->a), K(b, r->k))));
            break;
        case R_STORE:
            ir_store(b, ir_add(b, X(b, r->a), K(b, r->k)), X(b, r->b));
            break;
        }
    }
    ir_exit_special(b, IR_EXIT_HALT, pc + 4 * p->n, 0);
}

/* Returns the exit kind; on a fault s->pc is the faulting instruction. */
static ir_exit_kind run_reference(const struct rprog *p, struct toy_state *s, uint8_t *mem, uint64_t pc)
{
    for (unsigned i = 0; i < p->n; i++) {
        const struct rinsn *r = &p->in[i];
        switch (r->op) {
        case R_ARITH: s->x[r->d] = (s->x[r->a] ^ r->k) + ror64(s->x[r->b], (unsigned)(r->k & 63)); break;
        case R_CALL_RANGE: case R_CALL_FULL: s->x[r->d] = helper_range(s, r->lo, r->n, s->x[r->a]); break;
        case R_CALL_NONE: s->x[r->d] = helper_none(s, s->x[r->a], s->x[r->b]); break;
        case R_LOAD: case R_STORE: {
            uint64_t addr = s->x[r->a] + r->k;
            if (addr > TOY_MEM_SIZE - 8) { s->pc = pc + 4 * i; return IR_EXIT_DATA_ABORT; }
            if (r->op == R_LOAD) memcpy(&s->x[r->d], mem + addr, 8);
            else memcpy(mem + addr, &s->x[r->b], 8);
            break;
        }
        }
    }
    s->pc = pc + 4 * p->n;
    return IR_EXIT_HALT;
}

static void test_random_blocks(void **st)
{
    (void)st;
    static uint8_t ref_mem[TOY_MEM_SIZE];
    struct rprog prog;
    struct toy *t = toy_new(build_random, &prog, 0);
    uint64_t seed = 0x70c4e5;
    unsigned faults = 0, range_calls = 0;
    for (unsigned trial = 0; trial < 600; trial++) {
        prog.n = 1 + (unsigned)(toy_rand(&seed) % MAX_OPS);
        for (unsigned i = 0; i < prog.n; i++) {
            struct rinsn *r = &prog.in[i];
            unsigned pick = (unsigned)(toy_rand(&seed) % 16);
            r->op = pick < 5 ? R_ARITH : pick < 10 ? R_CALL_RANGE : pick < 11 ? R_CALL_FULL :
                    pick < 13 ? R_CALL_NONE : pick < 15 ? R_LOAD : R_STORE;
            r->d = (uint8_t)(toy_rand(&seed) % NREGS);
            r->a = (uint8_t)(toy_rand(&seed) % NREGS);
            r->b = (uint8_t)(toy_rand(&seed) % NREGS);
            r->lo = (uint8_t)(toy_rand(&seed) % NREGS);
            r->n = (uint8_t)(1 + toy_rand(&seed) % (NREGS - r->lo < 4 ? NREGS - r->lo : 4));
            r->k = toy_rand_edge(&seed);
            if (r->op == R_LOAD || r->op == R_STORE) {
                /* mostly in bounds, sometimes past the end */
                r->k = toy_rand(&seed) % 8 == 0 ? TOY_MEM_SIZE - 4 + toy_rand(&seed) % 8 : toy_rand(&seed) % 4096;
            }
            if (r->op == R_CALL_RANGE) range_calls++;
        }
        struct toy_state s = { 0 }, ref;
        for (unsigned i = 0; i < NREGS; i++) s.x[i] = toy_rand(&seed) % 5 == 0 ? toy_rand_edge(&seed) : toy_rand(&seed) % 30000;
        for (unsigned i = NREGS; i < 32; i++) s.x[i] = 0x5a5a0000u + i;
        ref = s;
        for (unsigned i = 0; i < TOY_MEM_SIZE; i += 8) {
            uint64_t v = toy_rand(&seed);
            memcpy(t->mem + i, &v, 8);
        }
        memcpy(ref_mem, t->mem, TOY_MEM_SIZE);
        uint64_t pc = 0x10000 + (uint64_t)trial * 0x200;
        ir_exit_kind want = run_reference(&prog, &ref, ref_mem, pc);
        ir_exit_kind got = toy_run(t, &s, pc, NULL);
        if (got != want || memcmp(&s, &ref, sizeof(s)) != 0 || memcmp(t->mem, ref_mem, TOY_MEM_SIZE) != 0) {
            for (unsigned i = 0; i < 32; i++)
                if (s.x[i] != ref.x[i]) print_error("trial %u: x%u = %llx, want %llx\n", trial, i, (unsigned long long)s.x[i], (unsigned long long)ref.x[i]);
            print_error("trial %u: kind %d want %d, pc %llx want %llx\n", trial, got, want, (unsigned long long)s.pc, (unsigned long long)ref.pc);
            fail();
        }
        if (want == IR_EXIT_DATA_ABORT) faults++;
    }
    assert_true(faults > 20);          /* the fault paths were really exercised */
    assert_true(range_calls > 1000);
    toy_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directed),
        cmocka_unit_test(test_void_writer),
        cmocka_unit_test(test_random_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
