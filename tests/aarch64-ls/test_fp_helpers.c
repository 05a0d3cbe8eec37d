/* Unit tests of arch/aarch64/fp_helpers.c.
 *
 * FP: replays the reference file written by fp_reference (real AArch64 instructions
 * under qemu-aarch64; see fp_reference.c) through the state-free helper cores and
 * requires identical result bits and FPSR flags, per operation family (arithmetic,
 * fused multiply-add on the host FMA and on the integer-only path, conversions,
 * rounding, compares).
 * AdvSIMD: lane operations against values worked out by hand from the architecture's
 * definitions.
 *
 *   test_fp_helpers REFERENCE_FILE */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/aarch64/fp_helpers.h"
#include "aarch64/a64_state.h"

typedef unsigned __int128 u128;

static const char *reference_path;

struct ref_line {
    char op[32];
    unsigned long long a, b, c, result;
    unsigned fpcr, fpsr;
};

/* FAM_ARITH_STATE and FAM_FMA_STATE: the same lines through the run-time helpers that
 * generated code calls (a64_fp_arith, a64_fp_muladd), which try the fast paths first. */
enum family { FAM_ARITH, FAM_FMA_HOST, FAM_FMA_SOFT, FAM_CONVERT, FAM_ROUND, FAM_COMPARE,
              FAM_ARITH_STATE, FAM_FMA_STATE };

static const char *const binary_ops[9] = {
    "fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul",
};

/* Computes the line's operation with the helpers; returns false when the line is not
 * of this family. */
static bool evaluate(enum family fam, const struct ref_line *l, uint32_t initial_fpsr, uint64_t *result,
                     uint32_t *fpsr)
{
    char base[32];
    const char *dot = strchr(l->op, '.');
    if (!dot)
        return false;
    size_t n = (size_t)(dot - l->op);
    memcpy(base, l->op, n);
    base[n] = 0;
    const char *suffix = dot + 1;
    int dbl = suffix[0] == 'd';
    *fpsr = initial_fpsr;

    for (int op = 0; op < 9; op++) {
        if (strcmp(base, binary_ops[op]) == 0) {
            if (fam == FAM_ARITH_STATE) {
                struct a64_state st;
                memset(&st, 0, sizeof st);
                st.FPCR = l->fpcr;
                st.FPSR = initial_fpsr;
                *result = a64_fp_arith(&st, l->a, l->b, (uint32_t)op << 1 | (uint32_t)dbl);
                *fpsr = st.FPSR;
                return true;
            }
            if (fam != FAM_ARITH)
                return false;
            *result = a64_fpc_arith((enum a64_fp_op)op, l->a, l->b, dbl, l->fpcr, fpsr);
            return true;
        }
    }
    static const char *const fma_ops[4] = { "fmadd", "fmsub", "fnmadd", "fnmsub" };
    for (int op = 0; op < 4; op++) {
        if (strcmp(base, fma_ops[op]) == 0) {
            int o1 = op >> 1, o0 = op & 1;
            if (fam == FAM_FMA_STATE) {
                struct a64_state st;
                memset(&st, 0, sizeof st);
                st.FPCR = l->fpcr;
                st.FPSR = initial_fpsr;
                *result = a64_fp_muladd(&st, l->a, l->b, l->c, (uint32_t)(dbl | o1 << 1 | o0 << 2));
                *fpsr = st.FPSR;
            } else if (fam == FAM_FMA_HOST)
                *result = a64_fpc_muladd(l->a, l->b, l->c, dbl, o1, o0, l->fpcr, fpsr);
            else if (fam == FAM_FMA_SOFT)
                *result = a64_fpc_muladd_soft(l->a, l->b, l->c, dbl, o1, o0, l->fpcr, fpsr);
            else
                return false;
            return true;
        }
    }
    if (strcmp(base, "fsqrt") == 0) {
        if (fam != FAM_ARITH)
            return false;
        *result = a64_fpc_sqrt(l->a, dbl, l->fpcr, fpsr);
        return true;
    }
    if (strncmp(base, "frint", 5) == 0) {
        if (fam != FAM_ROUND)
            return false;
        static const char modes[] = "npmzaxi";
        const char *m = strchr(modes, base[5]);
        int idx = (int)(m - modes);
        enum a64_rounding r = idx < 5 ? (enum a64_rounding)idx : A64_ROUND_FPCR;
        *result = a64_fpc_round(l->a, dbl, r, idx == 5, l->fpcr, fpsr);
        return true;
    }
    if (strcmp(base, "fcmp") == 0 || strcmp(base, "fcmpe") == 0) {
        if (fam != FAM_COMPARE)
            return false;
        *result = a64_fpc_compare(l->a, l->b, dbl, base[4] == 'e', l->fpcr, fpsr);
        return true;
    }
    if (fam != FAM_CONVERT)
        return false;
    if (strcmp(base, "fcvt") == 0) {
        unsigned from = suffix[0] == 'd' ? 1 : suffix[0] == 's' ? 0 : 3;
        unsigned to = suffix[1] == 'd' ? 1 : suffix[1] == 's' ? 0 : 3;
        *result = a64_fpc_convert(l->a, from, to, l->fpcr, fpsr);
        return true;
    }
    if (strncmp(base, "fcvt", 4) == 0) {
        /* fcvt<mode><s|u>[fbits] */
        static const char modes[] = "npmza";
        enum a64_rounding r = (enum a64_rounding)(strchr(modes, base[4]) - modes);
        int is_unsigned = base[5] == 'u';
        unsigned fbits = (unsigned)atoi(base + 6);
        *result = a64_fpc_to_int(l->a, dbl, is_unsigned, suffix[1] == 'x', r, fbits, l->fpcr, fpsr);
        return true;
    }
    if (strncmp(base, "scvtf", 5) == 0 || strncmp(base, "ucvtf", 5) == 0) {
        unsigned fbits = (unsigned)atoi(base + 5);
        *result = a64_fpc_from_int(l->a, dbl, base[0] == 'u', suffix[1] == 'x', fbits, l->fpcr, fpsr);
        return true;
    }
    return false;
}

/* initial_fpsr: the cumulative flags already set before the operation (the fast paths
 * depend on them: with IXC set they skip the exactness proofs, with UFC and IXC set they
 * also take tiny results); the expected FPSR is the reference's OR-ed with them. */
static void replay(enum family fam, uint32_t initial_fpsr)
{
    FILE *f = fopen(reference_path, "r");
    assert_non_null(f);
    struct ref_line l;
    unsigned checked = 0, failed = 0;
    while (fscanf(f, "%31s %llx %llx %llx %x %llx %x", l.op, &l.a, &l.b, &l.c, &l.fpcr, &l.result,
                  &l.fpsr) == 7) {
        uint64_t result;
        uint32_t fpsr;
        if (!evaluate(fam, &l, initial_fpsr, &result, &fpsr))
            continue;
        checked++;
        if (result != l.result || fpsr != (l.fpsr | initial_fpsr)) {
            if (failed < 25)
                printf("MISMATCH %s a=%llx b=%llx c=%llx fpcr=%x fpsr0=%x: got %llx fpsr %x, want %llx fpsr %x\n",
                       l.op, l.a, l.b, l.c, l.fpcr, initial_fpsr, (unsigned long long)result, fpsr,
                       l.result, l.fpsr | initial_fpsr);
            failed++;
        }
    }
    fclose(f);
    printf("  %u cases checked, %u mismatches\n", checked, failed);
    assert_true(checked > 100);
    assert_int_equal(failed, 0);
}

#define STICKY_IXC A64_FPSR_IXC
#define STICKY_TINY (A64_FPSR_IXC | A64_FPSR_UFC)
static void test_fp_arith(void **state) { (void)state; replay(FAM_ARITH, 0); }
static void test_fp_arith_ixc(void **state) { (void)state; replay(FAM_ARITH, STICKY_IXC); }
static void test_fp_arith_tiny(void **state) { (void)state; replay(FAM_ARITH, STICKY_TINY); }
static void test_fp_fma_host(void **state) { (void)state; replay(FAM_FMA_HOST, 0); }
static void test_fp_fma_host_ixc(void **state) { (void)state; replay(FAM_FMA_HOST, STICKY_IXC); }
static void test_fp_fma_host_tiny(void **state) { (void)state; replay(FAM_FMA_HOST, STICKY_TINY); }
static void test_fp_fma_soft(void **state) { (void)state; replay(FAM_FMA_SOFT, 0); }
static void test_fp_state_helpers(void **state)
{
    (void)state;
    static const uint32_t initial[3] = { 0, STICKY_IXC, STICKY_TINY };
    for (int i = 0; i < 3; i++) {
        replay(FAM_ARITH_STATE, initial[i]);
        replay(FAM_FMA_STATE, initial[i]);
    }
}
static void test_fp_convert(void **state) { (void)state; replay(FAM_CONVERT, 0); }
static void test_fp_convert_ixc(void **state) { (void)state; replay(FAM_CONVERT, STICKY_IXC); }
static void test_fp_convert_tiny(void **state) { (void)state; replay(FAM_CONVERT, STICKY_TINY); }
static void test_fp_round(void **state) { (void)state; replay(FAM_ROUND, 0); }
static void test_fp_compare(void **state) { (void)state; replay(FAM_COMPARE, 0); }

/* ---- AdvSIMD ----------------------------------------------------------------------------- */

static u128 v128(uint64_t hi, uint64_t lo) { return ((u128)hi << 64) | lo; }
static uint32_t code_of(unsigned size, unsigned opcode, unsigned u, unsigned q)
{
    return size | opcode << 2 | u << 7 | q << 8;
}

static void test_simd_compare_and_minmax(void **unused)
{
    (void)unused;
    struct a64_state st;
    memset(&st, 0, sizeof st);
    /* CMEQ .16b: equal bytes become 0xff */
    u128 a = v128(0x0011223344556677, 0x8899aabbccddeeff);
    u128 b = v128(0x0011000044000077, 0x8800aa00cc00ee00);
    u128 r = a64_simd_3same(&st, a, b, code_of(0, 17, 1, 1));
    assert_true(r == v128(0xffff0000ff0000ff, 0xff00ff00ff00ff00));
    /* Q = 0 clears the upper half */
    r = a64_simd_3same(&st, a, b, code_of(0, 17, 1, 0));
    assert_true(r == v128(0, 0xff00ff00ff00ff00));
    /* CMHS (unsigned >=) vs CMGE (signed >=) on 0x80 vs 0x01 */
    a = v128(0, 0x80); b = v128(0, 0x01);
    assert_true((uint8_t)a64_simd_3same(&st, a, b, code_of(0, 7, 1, 0)) == 0xff);
    assert_true((uint8_t)a64_simd_3same(&st, a, b, code_of(0, 7, 0, 0)) == 0x00);
    /* UMAXP .16b: pairwise over a then b */
    a = v128(0x0f0e0d0c0b0a0908, 0x0706050403020100);
    b = v128(0xf0e0d0c0b0a09080, 0x7060504030201000);
    r = a64_simd_3same(&st, a, b, code_of(0, 20, 1, 1));
    assert_true(r == v128(0xf0d0b09070503010, 0x0f0d0b0907050301));
    /* ADDP .2d */
    r = a64_simd_3same(&st, v128(5, 7), v128(1, ~0ull), code_of(3, 23, 0, 1));
    assert_true(r == v128(0, 12));
    /* UQADD .8b saturates and sets QC */
    st.FPSR = 0;
    r = a64_simd_3same(&st, v128(0, 0xf0), v128(0, 0x20), code_of(0, 1, 1, 0));
    assert_true(r == v128(0, 0xff));
    assert_true(st.FPSR & A64_FPSR_QC);
    /* UMINV .16b and ADDV */
    assert_int_equal(a64_simd_across(&st, v128(0x0f0e0d0c0b0a0908, 0x0706050403020105),
                                     code_of(0, 26, 1, 1)), 1);
    assert_int_equal(a64_simd_across(&st, v128(0x0101010101010101, 0x01010101010101ff),
                                     code_of(0, 27, 0, 1)), (0xff + 15) & 0xff);
    /* UADDLV widens */
    assert_int_equal(a64_simd_across(&st, v128(0x0101010101010101, 0x01010101010101ff),
                                     code_of(0, 3, 1, 1)), 0xff + 15);
}

static void test_simd_misc_and_shifts(void **unused)
{
    (void)unused;
    struct a64_state st;
    memset(&st, 0, sizeof st);
    /* CMEQ #0 */
    assert_true(a64_simd_2misc(&st, v128(0, 0x0000ff00ff0000ff), code_of(0, 9, 0, 0)) ==
                v128(0, 0xffff00ff00ffff00));
    /* CNT */
    assert_true(a64_simd_2misc(&st, v128(0, 0xff0f030100), code_of(0, 5, 0, 0)) == v128(0, 0x0804020100));
    /* REV64 .4s swaps the words of each doubleword */
    assert_true(a64_simd_2misc(&st, v128(0x1111111122222222, 0x3333333344444444), code_of(2, 0, 0, 1)) ==
                v128(0x2222222211111111, 0x4444444433333333));
    /* XTN .8b from .8h */
    assert_true(a64_simd_2misc(&st, v128(0x00ff00ee00dd00cc, 0x1234567800ab00cd), code_of(0, 18, 0, 0)) ==
                v128(0, 0xffeeddcc3478abcd));
    /* CLS/CLZ on bytes */
    assert_true((uint8_t)a64_simd_2misc(&st, v128(0, 0x01), code_of(0, 4, 1, 0)) == 7);
    assert_true((uint8_t)a64_simd_2misc(&st, v128(0, 0xff), code_of(0, 4, 0, 0)) == 7);
    assert_true((uint8_t)a64_simd_2misc(&st, v128(0, 0xc0), code_of(0, 4, 0, 0)) == 1);
    /* NEG .2d */
    assert_true(a64_simd_2misc(&st, v128(1, 0), code_of(3, 11, 1, 1)) == v128(~0ull, 0));
    /* USHR .16b #3, SSHR .8h #15 */
    assert_true(a64_simd_shift(&st, v128(0, 0xf880), code_of(0, 0, 1, 0), 3) == v128(0, 0x1f10));
    assert_true(a64_simd_shift(&st, v128(0, 0x8000), code_of(1, 0, 0, 0), 15) == v128(0, 0xffff));
    /* SHRN .8b from .8h #4 */
    assert_true(a64_simd_shift_narrow(&st, v128(0, 0x1234abcd), code_of(0, 16, 0, 0), 4) == 0x23bc);
    /* RSHRN rounds: 0x0018 >> 4 = 1.5 -> 2 */
    assert_true(a64_simd_shift_narrow(&st, v128(0, 0x0018), code_of(0, 17, 0, 0), 4) == 2);
    /* UXTL (USHLL #0) .8h from .8b and the "2" form from the upper half */
    assert_true(a64_simd_shift(&st, v128(0x0102, 0xff80), code_of(0, 20, 1, 0), 0) == v128(0, 0x00ff0080));
    assert_true(a64_simd_shift(&st, v128(0x0102, 0xff80), code_of(0, 20, 1, 1), 0) == v128(0, 0x00010002));
    /* UADDW2 .2d: wide a plus the upper words of b */
    assert_true(a64_simd_3diff(&st, v128(10, 20), v128(0xffffffff00000003, 0), code_of(2, 1, 1, 1)) ==
                v128(10 + 0xffffffffull, 23));
    /* UZP1 .4s, ZIP1 .16b, TRN2 .8h */
    assert_true(a64_simd_perm(&st, v128(0x0000000300000002, 0x0000000100000000),
                              v128(0x0000000700000006, 0x0000000500000004), 2 | 1 << 2 | 1 << 5) ==
                v128(0x0000000600000004, 0x0000000200000000));
    assert_true(a64_simd_perm(&st, v128(0, 0x0706050403020100), v128(0, 0x1716151413121110),
                              0 | 3 << 2 | 1 << 5) == v128(0x1707160615051404, 0x1303120211011000));
    assert_true(a64_simd_perm(&st, v128(0, 0x0003000200010000), v128(0, 0x0013001200110010),
                              1 | 6 << 2 | 0 << 5) == v128(0, 0x0013000300110001));
}

static void test_simd_tbl(void **unused)
{
    (void)unused;
    u128 table[2] = { v128(0x0f0e0d0c0b0a0908, 0x0706050403020100),
                      v128(0x1f1e1d1c1b1a1918, 0x1716151413121110) };
    u128 idx = v128(0xff20101f00000000, 0x0001020304050607);
    u128 r = a64_simd_tbl_values(table, 2, idx, 0, 0, 1);
    assert_true(r == v128(0x0000101f00000000, 0x0001020304050607));
    r = a64_simd_tbl_values(table, 1, idx, v128(0xaabbccddeeff0011, 0), 1, 1);
    assert_true(r == v128(0xaabbccdd00000000, 0x0001020304050607));
}

/* The whole-half fast paths (ADD/SUB, SHL, USHR, SSHR, SSHLL/USHLL, UZP/TRN/ZIP) against a plain lane loop written
 * here from the Arm ARM definitions, over random values, every lane size and shift. */
static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static u128 lanes_reference(u128 a, u128 b, unsigned size, unsigned q, unsigned shift, int op)
{
    unsigned bits = 8u << size, count = (q ? 128 : 64) / bits;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    u128 r = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t x = (uint64_t)(a >> (i * bits)) & mask, y = (uint64_t)(b >> (i * bits)) & mask;
        int64_t sx = bits == 64 ? (int64_t)x : (int64_t)(x << (64 - bits)) >> (64 - bits);
        uint64_t v;
        switch (op) {
        case 0: v = x + y; break;
        case 1: v = x - y; break;
        case 2: v = shift >= 64 ? 0 : x << shift; break;
        case 3: v = shift >= 64 ? 0 : x >> shift; break;
        default: v = (uint64_t)(sx >> (shift >= 64 ? 63 : shift)); break;
        }
        r |= (u128)(v & mask) << (i * bits);
    }
    return r;
}

static void test_simd_fast_paths(void **unused)
{
    (void)unused;
    struct a64_state st;
    memset(&st, 0, sizeof st);
    uint64_t seed = 0x2545f4914f6cdd1dull;
    for (unsigned iter = 0; iter < 4000; iter++) {
        u128 a = v128(xorshift(&seed), xorshift(&seed)), b = v128(xorshift(&seed), xorshift(&seed));
        unsigned size = iter & 3, q = (iter >> 2) & 1, bits = 8u << size;
        if (size == 3 && q == 0)
            q = 1;
        unsigned left = (unsigned)(xorshift(&seed) % bits), right = 1 + (unsigned)(xorshift(&seed) % bits);
        assert_true(a64_simd_3same(&st, a, b, code_of(size, 16, 0, q)) == lanes_reference(a, b, size, q, 0, 0));
        assert_true(a64_simd_3same(&st, a, b, code_of(size, 16, 1, q)) == lanes_reference(a, b, size, q, 0, 1));
        assert_true(a64_simd_shift(&st, a, code_of(size, 10, 0, q), left) ==
                    lanes_reference(a, b, size, q, left, 2));
        assert_true(a64_simd_shift(&st, a, code_of(size, 0, 1, q), right) ==
                    lanes_reference(a, b, size, q, right, 3));
        assert_true(a64_simd_shift(&st, a, code_of(size, 0, 0, q), right) ==
                    lanes_reference(a, b, size, q, right, 4));
        /* UZP1 TRN1 ZIP1 UZP2 TRN2 ZIP2 on whole words vs the lane-by-lane definition */
        for (unsigned op = 1; op < 8; op++) {
            if (op == 4)
                continue;
            uint32_t code = size | op << 2 | q << 5;
            assert_true(a64_simd_perm(&st, a, b, code) == a64_simd_perm_lanes(a, b, code));
        }
        if (size < 3) {
            /* SSHLL/USHLL(2): lanes of the chosen half, extended, shifted by < bits */
            u128 src = q ? a >> 64 : a;
            u128 wu = 0, ws = 0;
            for (unsigned i = 0; i < 64 / bits; i++) {
                uint64_t x = (uint64_t)(src >> (i * bits)) & ((1ull << bits) - 1);
                int64_t sx = (int64_t)(x << (64 - bits)) >> (64 - bits);
                uint64_t wmask = bits == 32 ? ~0ull : (1ull << (2 * bits)) - 1;
                wu |= (u128)((x << left) & wmask) << (i * 2 * bits);
                ws |= (u128)(((uint64_t)sx << left) & wmask) << (i * 2 * bits);
            }
            assert_true(a64_simd_shift(&st, a, code_of(size, 20, 1, q), left) == wu);
            assert_true(a64_simd_shift(&st, a, code_of(size, 20, 0, q), left) == ws);
        }
    }
}

/* Vector FP arithmetic (FADD FSUB FMUL FDIV FMLA FMLS, 2S/4S/2D; a64_simd_fp_3same and
 * a64_simd_fp_arith) against the scalar cores lane by lane, with FPSR.IXC clear and set (the whole-vector host path runs only when it
 * is set), on operands mixing ordinary values with the ones that force the exact path:
 * NaNs of both kinds, infinities, zeros, subnormals and values whose products and
 * quotients land next to the underflow threshold. */
static uint64_t special_or_random(uint64_t *seed, int dbl)
{
    static const uint64_t d_special[] = {
        0x7ff8000000000001, 0x7ff0000000000002, 0xfff0000000000000, 0x8000000000000000,
        0x0000000000000001, 0x0010000000000000, 0x1ff0000000000001, 0x3fefffffffffffff,
    };
    static const uint64_t s_special[] = {
        0x7fc00001, 0x7f800002, 0xff800000, 0x80000000, 0x00000001, 0x00800000, 0x1f800001, 0x3f7fffff,
    };
    uint64_t r = xorshift(seed);
    if (r % 4 == 0)
        return dbl ? d_special[(r >> 8) % 8] : s_special[(r >> 8) % 8];
    uint64_t frac = xorshift(seed);
    if (dbl)
        return (r >> 63) << 63 | ((0x3c0 + (r >> 16) % 128) << 52) | (frac & 0xfffffffffffffull);
    return (r >> 63) << 31 | ((0x60 + (r >> 16) % 64) << 23) | (frac & 0x7fffff);
}

static void test_simd_fp_lanes_match_scalar(void **unused)
{
    (void)unused;
    static const struct { unsigned sel; enum a64_fp_op op; int fused; } ops[] = {
        { 0x02, A64_FP_ADD, 0 }, { 0x0a, A64_FP_SUB, 0 }, { 0x13, A64_FP_MUL, 0 },
        { 0x17, A64_FP_DIV, 0 }, { 0x01, 0, 1 }, { 0x09, 0, 2 },
    };
    struct a64_state st;
    memset(&st, 0, sizeof st);
    uint64_t seed = 0x1234567887654321ull;
    for (unsigned iter = 0; iter < 6000; iter++) {
        int dbl = iter & 1;
        unsigned q = dbl ? 1 : (iter >> 1) & 1;
        unsigned bits = dbl ? 64 : 32, count = (q ? 128 : 64) / bits;
        uint64_t mask = dbl ? ~0ull : 0xffffffffull;
        uint64_t x[4], y[4], acc[4];
        u128 a = 0, b = 0, c = 0;
        for (unsigned i = 0; i < 128 / bits; i++) {
            x[i] = special_or_random(&seed, dbl);
            y[i] = special_or_random(&seed, dbl);
            acc[i] = special_or_random(&seed, dbl);
            a |= (u128)x[i] << (i * bits);
            b |= (u128)y[i] << (i * bits);
            c |= (u128)acc[i] << (i * bits);
        }
        unsigned k = (iter >> 2) % 6;
        uint32_t initial = (iter >> 3) & 1 ? A64_FPSR_IXC : 0;
        uint32_t want_fpsr = initial;
        u128 want = 0;
        for (unsigned i = 0; i < count; i++) {
            uint64_t r = ops[k].fused ? a64_fpc_muladd(acc[i], x[i], y[i], dbl, 0, ops[k].fused == 2, 0, &want_fpsr)
                                      : a64_fpc_arith(ops[k].op, x[i], y[i], dbl, 0, &want_fpsr);
            want |= (u128)(r & mask) << (i * bits);
        }
        unsigned rd = 5;
        st.VR[rd] = c;
        st.FPSR = initial;
        st.FPCR = 0;
        uint32_t code = (uint32_t)dbl | (ops[k].sel & 7) << 1 | ((ops[k].sel >> 3) & 1) << 4 |
                        ((ops[k].sel >> 4) & 1) << 5 | q << 6 | rd << 7;
        u128 got = a64_simd_fp_3same(&st, a, b, code);
        if (got != want || st.FPSR != want_fpsr)
            printf("sel %x dbl %d q %u fpsr0 %x: got %016llx%016llx fpsr %x, want %016llx%016llx fpsr %x\n",
                   ops[k].sel, dbl, q, initial, (unsigned long long)(got >> 64), (unsigned long long)got,
                   st.FPSR, (unsigned long long)(want >> 64), (unsigned long long)want, want_fpsr);
        assert_true(got == want);
        assert_int_equal(st.FPSR, want_fpsr);
        /* the short entry the description uses for these forms */
        st.FPSR = initial;
        assert_true(a64_simd_fp_arith(&st, a, b, code) == want);
        assert_int_equal(st.FPSR, want_fpsr);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FP_REFERENCE_FILE\n", argv[0]);
        return 2;
    }
    reference_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp_arith),
        cmocka_unit_test(test_fp_arith_ixc),
        cmocka_unit_test(test_fp_arith_tiny),
        cmocka_unit_test(test_fp_fma_host),
        cmocka_unit_test(test_fp_fma_host_ixc),
        cmocka_unit_test(test_fp_fma_host_tiny),
        cmocka_unit_test(test_fp_fma_soft),
        cmocka_unit_test(test_fp_state_helpers),
        cmocka_unit_test(test_fp_convert),
        cmocka_unit_test(test_fp_convert_ixc),
        cmocka_unit_test(test_fp_convert_tiny),
        cmocka_unit_test(test_fp_round),
        cmocka_unit_test(test_fp_compare),
        cmocka_unit_test(test_simd_compare_and_minmax),
        cmocka_unit_test(test_simd_misc_and_shifts),
        cmocka_unit_test(test_simd_tbl),
        cmocka_unit_test(test_simd_fast_paths),
        cmocka_unit_test(test_simd_fp_lanes_match_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
