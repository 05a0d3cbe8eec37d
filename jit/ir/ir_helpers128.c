/* I128 arithmetic for the builder's helper calls, plus the popcount fallback. Written
 * without libgcc (no __udivti3/__popcountdi2) so it also links into the engine. */
#include "jit/ir/ir_helpers128.h"
#include "jit/ir/ir_internal.h"

static unsigned clz128(u128 a)
{
    uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
    if (hi) return (unsigned)__builtin_clzll(hi);
    if (lo) return 64 + (unsigned)__builtin_clzll(lo);
    return 128;
}

static u128 udiv128(u128 n, u128 d)
{
    if (d == 0) return 0;
    u128 q = 0, r = 0;
    for (int i = 127 - (int)clz128(n); i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) { r -= d; q |= (u128)1 << i; }
    }
    return q;
}

u128 ir_h128_mul(void *s, u128 a, u128 b) { (void)s; return a * b; }
u128 ir_h128_udiv(void *s, u128 a, u128 b) { (void)s; return udiv128(a, b); }
u128 ir_h128_sdiv(void *s, u128 a, u128 b)
{
    (void)s;
    if (b == 0) return 0;
    bool na = (a >> 127) & 1, nb = (b >> 127) & 1;
    u128 q = udiv128(na ? -a : a, nb ? -b : b);   /* INT_MIN / -1 wraps to INT_MIN */
    return na != nb ? -q : q;
}
u128 ir_h128_shl(void *s, u128 a, uint32_t n) { (void)s; return a << (n & 127); }
u128 ir_h128_lshr(void *s, u128 a, uint32_t n) { (void)s; return a >> (n & 127); }
u128 ir_h128_ashr(void *s, u128 a, uint32_t n) { (void)s; return (u128)((__int128)a >> (n & 127)); }
u128 ir_h128_ror(void *s, u128 a, uint32_t n)
{
    (void)s;
    n &= 127;
    return n ? (a >> n) | (a << (128 - n)) : a;
}
/* high half of the 256-bit product */
static u128 mulh_u(u128 a, u128 b)
{
    uint64_t a0 = (uint64_t)a, a1 = (uint64_t)(a >> 64), b0 = (uint64_t)b, b1 = (uint64_t)(b >> 64);
    u128 p00 = (u128)a0 * b0, p01 = (u128)a0 * b1, p10 = (u128)a1 * b0, p11 = (u128)a1 * b1;
    u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
    return p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
}
u128 ir_h128_umulh(void *s, u128 a, u128 b) { (void)s; return mulh_u(a, b); }
u128 ir_h128_smulh(void *s, u128 a, u128 b)
{
    (void)s;
    u128 h = mulh_u(a, b);
    if ((a >> 127) & 1) h -= b;
    if ((b >> 127) & 1) h -= a;
    return h;
}
u128 ir_h128_clz(void *s, u128 a) { (void)s; return clz128(a); }
u128 ir_h128_ctz(void *s, u128 a)
{
    (void)s;
    uint64_t hi = (uint64_t)(a >> 64), lo = (uint64_t)a;
    if (lo) return (unsigned)__builtin_ctzll(lo);
    if (hi) return 64 + (unsigned)__builtin_ctzll(hi);
    return 128;
}
u128 ir_h128_popcount(void *s, u128 a)
{
    (void)s;
    return ir_popcount64((uint64_t)a) + ir_popcount64((uint64_t)(a >> 64));
}
u128 ir_h128_bswap(void *s, u128 a)
{
    (void)s;
    return ((u128)__builtin_bswap64((uint64_t)a) << 64) | __builtin_bswap64((uint64_t)(a >> 64));
}
u128 ir_h128_bitreverse(void *s, u128 a)
{
    (void)s;
    u128 r = 0;
    for (int i = 0; i < 128; i++) if ((a >> i) & 1) r |= (u128)1 << (127 - i);
    return r;
}
uint32_t ir_h128_cmp(void *s, u128 a, u128 b, uint32_t cond)
{
    (void)s;
    __int128 sa = (__int128)a, sb = (__int128)b;
    switch (cond) {
    case IR_EQ: return a == b;
    case IR_NE: return a != b;
    case IR_ULT: return a < b;
    case IR_ULE: return a <= b;
    case IR_UGT: return a > b;
    case IR_UGE: return a >= b;
    case IR_SLT: return sa < sb;
    case IR_SLE: return sa <= sb;
    case IR_SGT: return sa > sb;
    case IR_SGE: return sa >= sb;
    }
    return 0;
}
u128 ir_h128_select(void *s, uint8_t c, u128 t, u128 f) { (void)s; return c & 1 ? t : f; }
uint32_t ir_h128_add_carry(void *s, u128 a, u128 b, uint8_t cin)
{
    (void)s;
    u128 r = a + b;
    uint32_t c = r < a;
    u128 r2 = r + (cin & 1);
    return c | (r2 < r);
}
uint32_t ir_h128_add_overflow(void *s, u128 a, u128 b, uint8_t cin)
{
    (void)s;
    u128 r = a + b + (cin & 1);
    /* overflow iff a and b have the same sign and r's sign differs */
    return (uint32_t)((((a ^ r) & (b ^ r)) >> 127) & 1);
}
u128 ir_h128_adc(void *s, u128 a, u128 b, uint8_t cin) { (void)s; return a + b + (cin & 1); }
uint64_t ir_h64_popcount(void *s, uint64_t a) { (void)s; return ir_popcount64(a); }
