/* Interpreter tests of the load/store and FP/AdvSIMD descriptions (loadstore.adl,
 * fpsimd.adl) through the generated interpreter (a64_interp_run): address computation
 * (pre/post-index write-back, register-offset extends, SP base, XZR), sign/zero
 * extension, precise faults, the exclusive monitor, LSE atomics, SIMD&FP loads/stores
 * and a few FP/SIMD data operations. Encodings come from aarch64-linux-gnu-as (the
 * assembly is next to each word). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/aarch64/a64.h"

#define MEM_SIZE 0x10000
#define CODE_ADDR 0x1000
#define DATA_ADDR 0x2000
#define BRK_0 0xd4200000u

static uint8_t memory[MEM_SIZE];
static const struct jit_memory guest = { .host_base = memory, .guest_limit = MEM_SIZE };

static void put64(uint64_t addr, uint64_t v) { memcpy(memory + addr, &v, 8); }
static uint64_t get64(uint64_t addr) { uint64_t v; memcpy(&v, memory + addr, 8); return v; }
static uint32_t get32(uint64_t addr) { uint32_t v; memcpy(&v, memory + addr, 4); return v; }

/* Runs code (followed by BRK #0) from CODE_ADDR; returns the exit kind. */
static ir_exit_kind run(struct a64_state *s, const uint32_t *code, unsigned n, uint64_t *info)
{
    for (unsigned i = 0; i < n; i++)
        memcpy(memory + CODE_ADDR + 4 * i, &code[i], 4);
    uint32_t brk = BRK_0;
    memcpy(memory + CODE_ADDR + 4 * n, &brk, 4);
    a64_set_pc(s, CODE_ADDR);
    uint64_t budget = 1000;
    return a64_interp_run(s, &guest, info, &budget);
}

static void fresh(struct a64_state *s)
{
    memset(memory, 0, sizeof memory);
    a64_state_init(s);
    for (unsigned i = 0; i < 256; i++)
        memory[DATA_ADDR + i] = (uint8_t)(0x80 + i);
}

static void test_index_writeback(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info;
    fresh(&s);
    a64_set_x(&s, 1, DATA_ADDR);
    static const uint32_t pre[] = { 0xf8408c20 };            /* ldr x0, [x1, #8]! */
    assert_int_equal(run(&s, pre, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 0) == get64(DATA_ADDR + 8));
    assert_true(a64_get_x(&s, 1) == DATA_ADDR + 8);

    static const uint32_t post[] = { 0xf85f0420 };           /* ldr x0, [x1], #-16 */
    a64_set_x(&s, 1, DATA_ADDR + 32);
    assert_int_equal(run(&s, post, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 0) == get64(DATA_ADDR + 32));
    assert_true(a64_get_x(&s, 1) == DATA_ADDR + 16);

    static const uint32_t push[] = { 0xa9bf7bfd };           /* stp x29, x30, [sp, #-16]! */
    a64_set_sp(&s, 0x3000);
    a64_set_x(&s, 29, 0x1111);
    a64_set_x(&s, 30, 0x2222);
    assert_int_equal(run(&s, push, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_sp(&s) == 0x2ff0);
    assert_true(get64(0x2ff0) == 0x1111 && get64(0x2ff8) == 0x2222);

    static const uint32_t strh_sp[] = { 0x79000fe0 };        /* strh w0, [sp, #6] */
    a64_set_x(&s, 0, 0xabcdef);
    assert_int_equal(run(&s, strh_sp, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(get32(0x2ff4) == 0xcdef0000);
}

static void test_register_offset_and_extension(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info;
    fresh(&s);
    static const uint32_t code[] = {
        0xb862d820,     /* ldr w0, [x1, w2, sxtw #2] */
        0x38626823,     /* ldrb w3, [x1, x2] */
        0x39800424,     /* ldrsb x4, [x1, #1] */
        0x79c00425,     /* ldrsh w5, [x1, #2] */
        0xb8a27826,     /* ldrsw x6, [x1, x2, lsl #2] */
    };
    a64_set_x(&s, 1, DATA_ADDR + 64);
    a64_set_x(&s, 2, 0xffffffffull);        /* w2 = -1 for sxtw */
    static const uint32_t first[] = { 0xb862d820 };
    assert_int_equal(run(&s, first, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 0) == get32(DATA_ADDR + 60));

    a64_set_x(&s, 2, 3);
    a64_set_x(&s, 6, ~0ull);
    assert_int_equal(run(&s, code + 1, 4, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 3) == memory[DATA_ADDR + 67]);
    assert_true(a64_get_x(&s, 4) == (uint64_t)(int64_t)(int8_t)memory[DATA_ADDR + 65]);
    uint16_t h;
    memcpy(&h, memory + DATA_ADDR + 66, 2);
    assert_true(a64_get_x(&s, 5) == (uint32_t)(int32_t)(int16_t)h);   /* upper half zero */
    assert_true(a64_get_x(&s, 6) == (uint64_t)(int64_t)(int32_t)get32(DATA_ADDR + 64 + 12));
}

static void test_xzr_and_fault(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info;
    fresh(&s);
    a64_set_x(&s, 1, DATA_ADDR);
    static const uint32_t zr[] = { 0xf900003f, 0xf940003f };  /* str xzr, [x1]; ldr xzr, [x1] */
    assert_int_equal(run(&s, zr, 2, &info), IR_EXIT_BREAKPOINT);
    assert_true(get64(DATA_ADDR) == 0);

    /* a faulting pre-index load changes nothing */
    static const uint32_t pre[] = { 0xf8408c20 };            /* ldr x0, [x1, #8]! */
    a64_set_x(&s, 0, 0x5555);
    a64_set_x(&s, 1, MEM_SIZE - 8);
    assert_int_equal(run(&s, pre, 1, &info), IR_EXIT_DATA_ABORT);
    assert_true(info == MEM_SIZE);
    assert_true(a64_get_pc(&s) == CODE_ADDR);
    assert_true(a64_get_x(&s, 0) == 0x5555);
    assert_true(a64_get_x(&s, 1) == MEM_SIZE - 8);
}

static void test_exclusives_and_atomics(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info;
    fresh(&s);
    a64_set_x(&s, 1, DATA_ADDR);
    a64_set_x(&s, 3, 0x1234);
    a64_set_x(&s, 4, DATA_ADDR + 8);
    static const uint32_t pair_ok[] = { 0xc85f7c20, 0xc8027c23 };   /* ldxr x0,[x1]; stxr w2,x3,[x1] */
    assert_int_equal(run(&s, pair_ok, 2, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 2) == 0);
    assert_true(get64(DATA_ADDR) == 0x1234);

    static const uint32_t unarmed[] = { 0xc8027c23 };              /* stxr w2, x3, [x1] */
    a64_set_x(&s, 3, 0x9999);
    assert_int_equal(run(&s, unarmed, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 2) == 1);
    assert_true(get64(DATA_ADDR) == 0x1234);

    static const uint32_t other_addr[] = { 0xc85f7c20, 0xc8027c83 };  /* ldxr x0,[x1]; stxr w2,x3,[x4] */
    assert_int_equal(run(&s, other_addr, 2, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 2) == 1);
    assert_true(get64(DATA_ADDR + 8) != 0x9999);

    static const uint32_t xpair[] = { 0xc87f1825, 0xc8272428 };  /* ldxp x5,x6,[x1]; stxp w7,x8,x9,[x1] */
    a64_set_x(&s, 8, 0xaaaa);
    a64_set_x(&s, 9, 0xbbbb);
    assert_int_equal(run(&s, xpair, 2, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 5) == 0x1234);
    assert_true(a64_get_x(&s, 7) == 0);
    assert_true(get64(DATA_ADDR) == 0xaaaa && get64(DATA_ADDR + 8) == 0xbbbb);

    /* CAS: compare x0 with [x2]; success stores x1; x0 gets the old value either way */
    static const uint32_t cas[] = { 0xc8a07c41 };                /* cas x0, x1, [x2] */
    a64_set_x(&s, 2, DATA_ADDR);
    a64_set_x(&s, 0, 0xaaaa);
    a64_set_x(&s, 1, 0xcccc);
    assert_int_equal(run(&s, cas, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(get64(DATA_ADDR) == 0xcccc && a64_get_x(&s, 0) == 0xaaaa);
    a64_set_x(&s, 0, 0x1);
    assert_int_equal(run(&s, cas, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(get64(DATA_ADDR) == 0xcccc && a64_get_x(&s, 0) == 0xcccc);

    static const uint32_t ldadd[] = { 0xf8230044 };              /* ldadd x3, x4, [x2] */
    a64_set_x(&s, 3, 0x10);
    assert_int_equal(run(&s, ldadd, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 4) == 0xcccc && get64(DATA_ADDR) == 0xccdc);

    static const uint32_t ldpsw[] = { 0x69400440 };              /* ldpsw x0, x1, [x2] */
    put64(DATA_ADDR, 0x80000000ffffffffull);
    assert_int_equal(run(&s, ldpsw, 1, &info), IR_EXIT_BREAKPOINT);
    assert_true(a64_get_x(&s, 0) == ~0ull && a64_get_x(&s, 1) == 0xffffffff80000000ull);
}

static void test_simd_fp_loads_and_ops(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info, v[2];
    fresh(&s);
    a64_set_x(&s, 1, DATA_ADDR);
    uint64_t junk[2] = { ~0ull, ~0ull };
    a64_set_v(&s, 4, junk);
    static const uint32_t code[] = {
        0x3dc00020,     /* ldr q0, [x1] */
        0x3d800420,     /* str q0, [x1, #16] */
        0xbd400024,     /* ldr s4, [x1]: zeroes the rest of v4 */
        0x4cdfa020,     /* ld1 {v0.16b, v1.16b}, [x1], #32 */
    };
    assert_int_equal(run(&s, code, 4, &info), IR_EXIT_BREAKPOINT);
    assert_true(get64(DATA_ADDR + 16) == get64(DATA_ADDR) && get64(DATA_ADDR + 24) == get64(DATA_ADDR + 8));
    a64_get_v(&s, 4, v);
    assert_true(v[0] == get32(DATA_ADDR) && v[1] == 0);
    a64_get_v(&s, 1, v);
    assert_true(v[0] == get64(DATA_ADDR + 16) && v[1] == get64(DATA_ADDR + 24));
    assert_true(a64_get_x(&s, 1) == DATA_ADDR + 32);

    /* LD2 de-interleaves halfwords: v0 gets the even ones, v1 the odd ones */
    static const uint32_t ld2[] = { 0x4c408420 };                 /* ld2 {v0.8h, v1.8h}, [x1] */
    a64_set_x(&s, 1, DATA_ADDR);
    for (unsigned i = 0; i < 16; i++) {
        uint16_t h = (uint16_t)i;
        memcpy(memory + DATA_ADDR + 2 * i, &h, 2);
    }
    assert_int_equal(run(&s, ld2, 1, &info), IR_EXIT_BREAKPOINT);
    a64_get_v(&s, 0, v);
    assert_true(v[0] == 0x0006000400020000ull && v[1] == 0x000e000c000a0008ull);
    a64_get_v(&s, 1, v);
    assert_true(v[0] == 0x0007000500030001ull && v[1] == 0x000f000d000b0009ull);

    /* FP through the helpers */
    static const uint32_t fp[] = {
        0x1e6e1003,     /* fmov d3, #1.0 */
        0x9e6200a4,     /* scvtf d4, x5 */
        0x1e622820,     /* fadd d0, d1, d2 */
        0x1e780000,     /* fcvtzs w0, d0 */
    };
    uint64_t d1[2] = { 0x4004000000000000ull, 0 };   /* 2.5 */
    uint64_t d2[2] = { 0x4010000000000000ull, 0 };   /* 4.0 */
    a64_set_v(&s, 1, d1);
    a64_set_v(&s, 2, d2);
    a64_set_x(&s, 5, (uint64_t)-3);
    assert_int_equal(run(&s, fp, 4, &info), IR_EXIT_BREAKPOINT);
    a64_get_v(&s, 3, v);
    assert_true(v[0] == 0x3ff0000000000000ull && v[1] == 0);
    a64_get_v(&s, 4, v);
    assert_true(v[0] == 0xc008000000000000ull);
    a64_get_v(&s, 0, v);
    assert_true(v[0] == 0x401a000000000000ull);      /* 6.5 */
    assert_true(a64_get_x(&s, 0) == 6);

    /* CMEQ + UMAXP + FMOV x0, d3: the strlen idiom */
    static const uint32_t simd[] = {
        0x6e228c20,     /* cmeq v0.16b, v1.16b, v2.16b */
        0x6e20a403,     /* umaxp v3.16b, v0.16b, v0.16b */
        0x9e660060,     /* fmov x0, d3 */
    };
    uint64_t a[2] = { 0x1122334455667788ull, 0 }, b[2] = { 0x1100334400667700ull, 1 };
    a64_set_v(&s, 1, a);
    a64_set_v(&s, 2, b);
    assert_int_equal(run(&s, simd, 3, &info), IR_EXIT_BREAKPOINT);
    a64_get_v(&s, 0, v);
    assert_true(v[0] == 0xff00ffff00ffff00ull && v[1] == 0xffffffffffffff00ull);
    /* every pair of compare bytes holds an 0xff */
    assert_true(a64_get_x(&s, 0) == 0xffffffffffffffffull);
}

static void set_v(struct a64_state *s, unsigned n, uint64_t lo, uint64_t hi)
{
    uint64_t v[2] = { lo, hi };
    a64_set_v(s, n, v);
}

static void expect_v(const struct a64_state *s, unsigned n, uint64_t lo, uint64_t hi)
{
    uint64_t v[2];
    a64_get_v(s, n, v);
    if (v[0] != lo || v[1] != hi)
        fail_msg("v%u = %016llx:%016llx, expected %016llx:%016llx", n, (unsigned long long)v[1],
                 (unsigned long long)v[0], (unsigned long long)hi, (unsigned long long)lo);
}

static uint64_t pair32(uint32_t lo, uint32_t hi) { return (uint64_t)hi << 32 | lo; }

/* Forms gcc -O2 emits in ordinary C (auto-vectorised loops): MLA/MLS, SHLL2, scalar
 * ADDP, LD1R, and vector FP arithmetic, conversions and compares. */
static void test_simd_vectorised_forms(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info;
    fresh(&s);
    set_v(&s, 0, pair32(100, 200), pair32(300, 400));
    set_v(&s, 1, pair32(1, 2), pair32(3, 0x10000));
    set_v(&s, 2, pair32(5, 6), pair32(7, 0x10000));
    set_v(&s, 3, 0x0100010001000100ull, 0x0100010001000100ull);
    a64_set_x(&s, 1, DATA_ADDR);
    static const uint32_t ints[] = {
        0x4ea29420,     /* mla v0.4s, v1.4s, v2.4s */
        0x6e629423,     /* mls v3.8h, v1.8h, v2.8h */
        0x6e613824,     /* shll2 v4.4s, v1.8h, #16 */
        0x5ef1b825,     /* addp d5, v1.2d */
        0x4ddfc826,     /* ld1r {v6.4s}, [x1], #4 */
        0x0d40c027,     /* ld1r {v7.8b}, [x1] */
    };
    assert_int_equal(run(&s, ints, 6, &info), IR_EXIT_BREAKPOINT);
    /* 0x10000 * 0x10000 wraps to 0 in a 32-bit lane */
    expect_v(&s, 0, pair32(105, 212), pair32(321, 400));
    /* halfword lanes of v1: 1 0 2 0 3 0 0 1; of v2: 5 0 6 0 7 0 0 1 */
    expect_v(&s, 3, 0x010000f4010000fbull, 0x00ff0100010000ebull);
    expect_v(&s, 4, pair32(0x30000, 0), pair32(0, 0x10000));
    expect_v(&s, 5, 0x0001000200000004ull, 0);
    expect_v(&s, 6, 0x8382818083828180ull, 0x8382818083828180ull);
    expect_v(&s, 7, 0x8484848484848484ull, 0);
    assert_true(a64_get_x(&s, 1) == DATA_ADDR + 4);

    set_v(&s, 9, 0x4004000000000000ull, 0xc00e000000000000ull);     /* 2.5, -3.75 */
    set_v(&s, 10, 0x4010000000000000ull, 0x3fe0000000000000ull);    /* 4.0, 0.5 */
    set_v(&s, 11, 0x3ff0000000000000ull, 0x3ff0000000000000ull);    /* 1.0, 1.0 */
    set_v(&s, 13, pair32(0xffffffff, 7), pair32(0x7fffffff, 0));
    set_v(&s, 16, pair32(0x3f800000, 0x41100000), pair32(0xc0800000, 0));          /* 1 9 -4 0 */
    set_v(&s, 17, pair32(0x40800000, 0x40400000), pair32(0x40000000, 0));          /* 4 3 2 0 */
    set_v(&s, 20, pair32(0x41200000, 0x3f800000), ~0ull);                           /* 10 1 */
    a64_set_fpsr(&s, 0);
    static const uint32_t fp[] = {
        0x4e6ad528,     /* fadd v8.2d, v9.2d, v10.2d */
        0x4e6acd2b,     /* fmla v11.2d, v9.2d, v10.2d */
        0x4e21d9ac,     /* scvtf v12.4s, v13.4s */
        0x4ee1b92e,     /* fcvtzs v14.2d, v9.2d */
        0x6e31fe0f,     /* fdiv v15.4s, v16.4s, v17.4s */
        0x4ee0c932,     /* fcmgt v18.2d, v9.2d, #0.0 */
        0x6e31d613,     /* faddp v19.4s, v16.4s, v17.4s */
        0x0eb1ce14,     /* fmls v20.2s, v16.2s, v17.2s */
    };
    assert_int_equal(run(&s, fp, 8, &info), IR_EXIT_BREAKPOINT);
    expect_v(&s, 8, 0x401a000000000000ull, 0xc00a000000000000ull);                /* 6.5 -3.25 */
    expect_v(&s, 11, 0x4026000000000000ull, 0xbfec000000000000ull);               /* 11 -0.875 */
    expect_v(&s, 12, pair32(0xbf800000, 0x40e00000), pair32(0x4f000000, 0));       /* -1 7 2^31 0 */
    expect_v(&s, 14, 2, (uint64_t)-3);
    expect_v(&s, 15, pair32(0x3e800000, 0x40400000), pair32(0xc0000000, 0x7fc00000)); /* 0/0: NaN */
    expect_v(&s, 18, ~0ull, 0);
    expect_v(&s, 19, pair32(0x41200000, 0xc0800000), pair32(0x40e00000, 0x40000000));
    expect_v(&s, 20, pair32(0x40c00000, 0xc1d00000), 0);                           /* 6 -26 */
    /* Invalid Operation (0/0) and Inexact (2^31 - 1 as a single) */
    assert_true(a64_get_fpsr(&s) == 0x11);

    /* FABS/FNEG (vector) touch only the sign bits (NaNs, signalling ones included, keep
     * their payload and raise nothing); the 2S form clears the upper half */
    set_v(&s, 9, 0xc004000000000000ull, 0x7ff0000000000001ull);                   /* -2.5 sNaN */
    set_v(&s, 16, pair32(0x3f800000, 0xff800001), pair32(0x80000000, 0x00000001));
    set_v(&s, 20, pair32(0x41200000, 0xbf800000), 0x1234567812345678ull);
    a64_set_fpsr(&s, 0);
    static const uint32_t signs[] = {
        0x4ee0f935,     /* fabs v21.2d, v9.2d */
        0x6ea0fa16,     /* fneg v22.4s, v16.4s */
        0x2ea0fa97,     /* fneg v23.2s, v20.2s */
        0x4ea0fa18,     /* fabs v24.4s, v16.4s */
    };
    assert_int_equal(run(&s, signs, 4, &info), IR_EXIT_BREAKPOINT);
    expect_v(&s, 21, 0x4004000000000000ull, 0x7ff0000000000001ull);
    expect_v(&s, 22, pair32(0xbf800000, 0x7f800001), pair32(0x00000000, 0x80000001));
    expect_v(&s, 23, pair32(0xc1200000, 0x3f800000), 0);
    expect_v(&s, 24, pair32(0x3f800000, 0x7f800001), pair32(0, 1));
    assert_true(a64_get_fpsr(&s) == 0);
}

static uint32_t enc_shift_imm(unsigned q, unsigned u, unsigned opcode, unsigned immhb, unsigned rn, unsigned rd)
{
    return 0x0f000400u | q << 30 | u << 29 | immhb << 16 | opcode << 11 | rn << 5 | rd;
}

static uint32_t enc_add_sub(unsigned q, unsigned sub, unsigned size, unsigned rm, unsigned rn, unsigned rd)
{
    return 0x0e208400u | q << 30 | sub << 29 | size << 22 | rm << 16 | rn << 5 | rd;
}

/* The 64-bit forms of ADD/SUB/SHL/USHR/SSHR are plain IR on the low half, the 128-bit
 * forms go through the (separately tested) lane helpers: both must agree lane for lane. */
static void test_simd_64bit_forms_match_128bit(void **unused)
{
    (void)unused;
    struct a64_state s;
    uint64_t info, v64[2], v128[2];
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    fresh(&s);
    for (unsigned iter = 0; iter < 300; iter++) {
        for (unsigned n = 1; n <= 2; n++) {
            uint64_t v[2];
            for (unsigned k = 0; k < 2; k++) {
                seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
                v[k] = seed;
            }
            a64_set_v(&s, n, v);
        }
        unsigned size = iter % 3, esize = 8u << size;
        unsigned amount = 1 + (unsigned)(seed % esize);       /* 1..esize */
        uint32_t code[2];
        switch ((iter / 3) % 5) {
        case 0: case 1: {
            unsigned sub = (iter / 3) % 5;
            code[0] = enc_add_sub(0, sub, size, 2, 1, 3);
            code[1] = enc_add_sub(1, sub, size, 2, 1, 4);
            break;
        }
        case 2:         /* SHL #amount - 1 */
            code[0] = enc_shift_imm(0, 0, 10, esize + amount - 1, 1, 3);
            code[1] = enc_shift_imm(1, 0, 10, esize + amount - 1, 1, 4);
            break;
        default: {      /* USHR, SSHR #amount */
            unsigned u = (iter / 3) % 5 == 3;
            code[0] = enc_shift_imm(0, u, 0, 2 * esize - amount, 1, 3);
            code[1] = enc_shift_imm(1, u, 0, 2 * esize - amount, 1, 4);
            break;
        }
        }
        assert_int_equal(run(&s, code, 2, &info), IR_EXIT_BREAKPOINT);
        a64_get_v(&s, 3, v64);
        a64_get_v(&s, 4, v128);
        if (v64[0] != v128[0] || v64[1] != 0)
            fail_msg("%08x: %016llx:%016llx vs %08x: low %016llx", code[0], (unsigned long long)v64[1],
                     (unsigned long long)v64[0], code[1], (unsigned long long)v128[0]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_writeback),
        cmocka_unit_test(test_register_offset_and_extension),
        cmocka_unit_test(test_xzr_and_fault),
        cmocka_unit_test(test_exclusives_and_atomics),
        cmocka_unit_test(test_simd_fp_loads_and_ops),
        cmocka_unit_test(test_simd_vectorised_forms),
        cmocka_unit_test(test_simd_64bit_forms_match_128bit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
