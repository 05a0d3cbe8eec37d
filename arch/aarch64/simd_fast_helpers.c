/* Whole-register SWAR forms of the hot AdvSIMD instructions of simd_fast.adl (see
 * simd_fast_helpers.h). The JIT keeps 128-bit values in memory and splits them only
 * through helper calls, so one small call that does both halves in C beats both the
 * generic lane loops and IR on split halves. Per-byte results use exact formulas (no
 * carry or borrow ever crosses a lane), never the approximate "has zero byte" trick. */
#include "arch/aarch64/simd_fast_helpers.h"

#define HIGH8  UINT64_C(0x8080808080808080)
#define LOW7   UINT64_C(0x7f7f7f7f7f7f7f7f)
#define EVEN8  UINT64_C(0x00ff00ff00ff00ff)
#define ONE16  UINT64_C(0x0001000100010001)
#define BIT8   UINT64_C(0x0100010001000100)

static inline uint64_t lo64(a64_sf_u128 v) { return (uint64_t)v; }
static inline uint64_t hi64(a64_sf_u128 v) { return (uint64_t)(v >> 64); }
static inline a64_sf_u128 join(uint64_t hi, uint64_t lo) { return ((a64_sf_u128)hi << 64) | lo; }

/* 0x80 in each byte -> 0xff, 0x00 -> 0x00 (0x80 - 1 never borrows from the next byte). */
static inline uint64_t spread_high_bits(uint64_t high) { return high | (high - (high >> 7)); }

/* 0xff in every byte of x that is zero: (b & 0x7f) + 0x7f sets bit 7 exactly when the low
 * seven bits are not all zero, and cannot carry out of the byte (0x7f + 0x7f = 0xfe). */
static inline uint64_t zero_bytes(uint64_t x)
{
    uint64_t low_nonzero = (x & LOW7) + LOW7;
    return spread_high_bits(~(low_nonzero | x) & HIGH8);
}

/* 0xff in every byte where a >= b (unsigned): (a | 0x80) - (b & 0x7f) stays in the byte
 * and has bit 7 set when a's low seven bits >= b's; the top bits decide otherwise. */
static inline uint64_t ge_bytes(uint64_t a, uint64_t b)
{
    uint64_t low_ge = (a | HIGH8) - (b & LOW7);
    uint64_t ge = (a & ~b) | (~(a ^ b) & low_ge);
    return spread_high_bits(ge & HIGH8);
}

/* Four 16-bit lanes holding values below 0x100 -> their low bytes packed into 32 bits. */
static inline uint64_t pack_halfword_bytes(uint64_t v)
{
    v = (v | (v >> 8)) & UINT64_C(0x0000ffff0000ffff);
    return (v | (v >> 16)) & UINT64_C(0xffffffff);
}

/* Four bytes -> four 16-bit lanes (zero-extended). */
static inline uint64_t unpack_bytes(uint64_t v)
{
    v &= 0xffffffff;
    v = (v | (v << 16)) & UINT64_C(0x0000ffff0000ffff);
    return (v | (v << 8)) & EVEN8;
}

/* Two halfwords -> two 32-bit lanes (zero-extended). */
static inline uint64_t unpack_halfwords(uint64_t v)
{
    v &= 0xffffffff;
    return (v | (v << 16)) & UINT64_C(0x0000ffff0000ffff);
}

a64_sf_u128 a64_sf_cmeq_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b)
{
    (void)state;
    a64_sf_u128 x = a ^ b;
    return join(zero_bytes(hi64(x)), zero_bytes(lo64(x)));
}

a64_sf_u128 a64_sf_cmeq0_bytes(void *state, a64_sf_u128 a)
{
    (void)state;
    return join(zero_bytes(hi64(a)), zero_bytes(lo64(a)));
}

a64_sf_u128 a64_sf_cmhs_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b)
{
    (void)state;
    return join(ge_bytes(hi64(a), hi64(b)), ge_bytes(lo64(a), lo64(b)));
}

/* Pairwise reductions of the eight bytes of x: even and odd bytes in 16-bit lanes,
 * combined there, then packed back into four bytes. */
enum pairwise_op { PAIR_MAX, PAIR_MIN, PAIR_ADD };

static inline uint64_t pairwise_bytes(uint64_t x, enum pairwise_op op)
{
    uint64_t even = x & EVEN8, odd = (x >> 8) & EVEN8;
    uint64_t r;
    if (op == PAIR_ADD) {
        r = (even + odd) & EVEN8;
    } else {
        /* (0x100 + even) - odd lies in 1..0x1ff: bit 8 says even >= odd */
        uint64_t even_ge = (((even | BIT8) - odd) >> 8) & ONE16;
        uint64_t pick_even = even_ge * 0xffff;
        if (op == PAIR_MIN) pick_even = ~pick_even;
        r = (even & pick_even) | (odd & ~pick_even);
    }
    return pack_halfword_bytes(r);
}

static inline a64_sf_u128 pairwise_vector(a64_sf_u128 a, a64_sf_u128 b, enum pairwise_op op)
{
    uint64_t lo = pairwise_bytes(lo64(a), op) | (pairwise_bytes(hi64(a), op) << 32);
    uint64_t hi = pairwise_bytes(lo64(b), op) | (pairwise_bytes(hi64(b), op) << 32);
    return join(hi, lo);
}

a64_sf_u128 a64_sf_umaxp_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b)
{
    (void)state;
    return pairwise_vector(a, b, PAIR_MAX);
}

a64_sf_u128 a64_sf_uminp_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b)
{
    (void)state;
    return pairwise_vector(a, b, PAIR_MIN);
}

a64_sf_u128 a64_sf_addp_bytes(void *state, a64_sf_u128 a, a64_sf_u128 b)
{
    (void)state;
    return pairwise_vector(a, b, PAIR_ADD);
}

/* Bits shift..shift+7 of each halfword (shift <= 8 keeps them inside the lane). */
static inline uint64_t narrow_halfwords(a64_sf_u128 a, uint32_t shift)
{
    shift &= 15;
    uint64_t lo = pack_halfword_bytes((lo64(a) >> shift) & EVEN8);
    uint64_t hi = pack_halfword_bytes((hi64(a) >> shift) & EVEN8);
    return lo | (hi << 32);
}

uint64_t a64_sf_shrn_halfwords(void *state, a64_sf_u128 a, uint32_t shift)
{
    (void)state;
    return narrow_halfwords(a, shift);
}

a64_sf_u128 a64_sf_shrn2_halfwords(void *state, a64_sf_u128 a, a64_sf_u128 d, uint32_t shift)
{
    (void)state;
    return join(narrow_halfwords(a, shift), lo64(d));
}

a64_sf_u128 a64_sf_widen_left(void *state, a64_sf_u128 a, uint32_t code)
{
    (void)state;
    uint32_t size = code & 1, shift = (code >> 2) & 31;
    uint64_t src = (code & 2) ? hi64(a) : lo64(a);
    uint64_t lo, hi;
    if (size == 0) {
        shift &= 15;          /* <= 8: a byte shifted by 8 still fits its 16-bit lane */
        lo = unpack_bytes(src) << shift;
        hi = unpack_bytes(src >> 32) << shift;
    } else {
        lo = unpack_halfwords(src) << shift;
        hi = unpack_halfwords(src >> 32) << shift;
    }
    return join(hi, lo);
}

a64_sf_u128 a64_sf_shl_masked(void *state, a64_sf_u128 a, uint32_t shift, uint64_t mask)
{
    (void)state;
    shift &= 63;
    return join((hi64(a) << shift) & mask, (lo64(a) << shift) & mask);
}
