/* Reference results for the FP helper tests, computed by real AArch64 instructions:
 * this program is cross-compiled (aarch64-linux-gnu-gcc -static) and run under
 * qemu-aarch64, which implements the architecture's FP rules independently of
 * Ferry's fp_helpers.c. For every operation x operand tuple x FPCR setting it prints
 *
 *   OP A B C FPCR RESULT FPSR        (hex fields)
 *
 * and test_fp_helpers.c replays the lines through the helpers. Operands are bit
 * patterns chosen to hit the edge cases: signed zeros, subnormals, NaNs with payloads
 * (quiet and signalling), infinities, integer-conversion boundaries, ties. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t d_values[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
    0x3ff8000000000000, 0x4004000000000000, 0xc004000000000000, 0x3fe0000000000000,
    0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000123, 0x7ff0000000000456,
    0xfff4000000000789, 0x41dfffffffc00000, 0x41e0000000000000, 0x41efffffffe00000,
    0x41f0000000000000, 0x43e0000000000000, 0xc3e0000000000000, 0x43f0000000000000,
    0x3fd5555555555555, 0x4059000000000000, 0xc1e0000000200000, 0x3ca0000000000000,
    0x4330000000000001, 0x432fffffffffffff, 0x0008000000000000, 0x3ff0000000000001,
};
static const uint32_t s_values[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0xc0200000,
    0x3f000000, 0x00000001, 0x807fffff, 0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000,
    0x7fc00123, 0x7f800456, 0xffa00789, 0x4effffff, 0x4f000000, 0x4f7fffff, 0x4f800000,
    0x5f000000, 0xdf000000, 0x5f800000, 0x3eaaaaab, 0x42c80000, 0x4b000001, 0x33800000,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t fpcr_values[] = {
    0, 1u << 22, 2u << 22, 3u << 22, 1u << 25, 1u << 24, (1u << 24) | (1u << 25) | (3u << 22),
};

static inline void set_fpcr(uint32_t v) { __asm__ volatile("msr fpcr, %0" : : "r"((uint64_t)v)); }
static inline void clear_fpsr(void) { __asm__ volatile("msr fpsr, xzr"); }
static inline uint32_t get_fpsr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpsr" : "=r"(v));
    return (uint32_t)v;
}
static inline uint32_t get_nzcv(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, nzcv" : "=r"(v));
    return (uint32_t)(v >> 28);
}

static void emit(const char *op, uint64_t a, uint64_t b, uint64_t c, uint32_t fpcr, uint64_t r, uint32_t fpsr)
{
    printf("%s %llx %llx %llx %x %llx %x\n", op, (unsigned long long)a, (unsigned long long)b,
           (unsigned long long)c, fpcr, (unsigned long long)r, fpsr);
}

/* One instruction on D registers: the operands and result travel as bit patterns. */
#define D2(name, insn)                                                                     \
    static uint64_t name(uint64_t a, uint64_t b)                                           \
    {                                                                                      \
        uint64_t r;                                                                        \
        __asm__ volatile("fmov d0, %1\n fmov d1, %2\n" insn " d0, d0, d1\n fmov %0, d0"     \
                         : "=r"(r) : "r"(a), "r"(b) : "v0", "v1");                         \
        return r;                                                                          \
    }
#define S2(name, insn)                                                                     \
    static uint64_t name(uint64_t a, uint64_t b)                                           \
    {                                                                                      \
        uint32_t r;                                                                        \
        __asm__ volatile("fmov s0, %w1\n fmov s1, %w2\n" insn " s0, s0, s1\n fmov %w0, s0"  \
                         : "=r"(r) : "r"(a), "r"(b) : "v0", "v1");                         \
        return r;                                                                          \
    }
D2(d_fmul, "fmul") D2(d_fdiv, "fdiv") D2(d_fadd, "fadd") D2(d_fsub, "fsub")
D2(d_fmax, "fmax") D2(d_fmin, "fmin") D2(d_fmaxnm, "fmaxnm") D2(d_fminnm, "fminnm")
D2(d_fnmul, "fnmul")
S2(s_fmul, "fmul") S2(s_fdiv, "fdiv") S2(s_fadd, "fadd") S2(s_fsub, "fsub")
S2(s_fmax, "fmax") S2(s_fmin, "fmin") S2(s_fmaxnm, "fmaxnm") S2(s_fminnm, "fminnm")
S2(s_fnmul, "fnmul")

typedef uint64_t (*binary_fn)(uint64_t, uint64_t);
static const binary_fn d_binary[9] = { d_fmul, d_fdiv, d_fadd, d_fsub, d_fmax, d_fmin, d_fmaxnm, d_fminnm, d_fnmul };
static const binary_fn s_binary[9] = { s_fmul, s_fdiv, s_fadd, s_fsub, s_fmax, s_fmin, s_fmaxnm, s_fminnm, s_fnmul };

#define D3(name, insn)                                                                      \
    static uint64_t name(uint64_t a, uint64_t n, uint64_t m)                                \
    {                                                                                       \
        uint64_t r;                                                                         \
        __asm__ volatile("fmov d2, %1\n fmov d0, %2\n fmov d1, %3\n" insn " d0, d0, d1, d2\n" \
                         " fmov %0, d0" : "=r"(r) : "r"(a), "r"(n), "r"(m) : "v0", "v1", "v2"); \
        return r;                                                                           \
    }
#define S3(name, insn)                                                                      \
    static uint64_t name(uint64_t a, uint64_t n, uint64_t m)                                \
    {                                                                                       \
        uint32_t r;                                                                         \
        __asm__ volatile("fmov s2, %w1\n fmov s0, %w2\n fmov s1, %w3\n" insn " s0, s0, s1, s2\n" \
                         " fmov %w0, s0" : "=r"(r) : "r"(a), "r"(n), "r"(m) : "v0", "v1", "v2"); \
        return r;                                                                           \
    }
D3(d_fmadd, "fmadd") D3(d_fmsub, "fmsub") D3(d_fnmadd, "fnmadd") D3(d_fnmsub, "fnmsub")
S3(s_fmadd, "fmadd") S3(s_fmsub, "fmsub") S3(s_fnmadd, "fnmadd") S3(s_fnmsub, "fnmsub")

typedef uint64_t (*ternary_fn)(uint64_t, uint64_t, uint64_t);
static const ternary_fn d_ternary[4] = { d_fmadd, d_fmsub, d_fnmadd, d_fnmsub };
static const ternary_fn s_ternary[4] = { s_fmadd, s_fmsub, s_fnmadd, s_fnmsub };

/* Unary operations from D or S to the same size (bit patterns). */
#define D1(name, insn)                                                                     \
    static uint64_t name(uint64_t a)                                                       \
    {                                                                                      \
        uint64_t r;                                                                        \
        __asm__ volatile("fmov d0, %1\n" insn "\n fmov %0, d0" : "=r"(r) : "r"(a) : "v0");  \
        return r;                                                                          \
    }
#define S1(name, insn)                                                                     \
    static uint64_t name(uint64_t a)                                                       \
    {                                                                                      \
        uint32_t r;                                                                        \
        __asm__ volatile("fmov s0, %w1\n" insn "\n fmov %w0, s0" : "=r"(r) : "r"(a) : "v0"); \
        return r;                                                                          \
    }
D1(d_fsqrt, "fsqrt d0, d0") D1(d_frintn, "frintn d0, d0") D1(d_frintp, "frintp d0, d0")
D1(d_frintm, "frintm d0, d0") D1(d_frintz, "frintz d0, d0") D1(d_frinta, "frinta d0, d0")
D1(d_frintx, "frintx d0, d0") D1(d_frinti, "frinti d0, d0")
D1(d_tos, "fcvt s0, d0") D1(d_toh, "fcvt h0, d0")
S1(s_fsqrt, "fsqrt s0, s0") S1(s_frintn, "frintn s0, s0") S1(s_frintp, "frintp s0, s0")
S1(s_frintm, "frintm s0, s0") S1(s_frintz, "frintz s0, s0") S1(s_frinta, "frinta s0, s0")
S1(s_frintx, "frintx s0, s0") S1(s_frinti, "frinti s0, s0")
S1(s_toh, "fcvt h0, s0")
static uint64_t h_tos(uint64_t a)
{
    uint32_t r;
    __asm__ volatile("fmov s0, %w1\n fcvt s0, h0\n fmov %w0, s0" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static uint64_t h_tod(uint64_t a)
{
    uint64_t r;
    __asm__ volatile("fmov s0, %w1\n fcvt d0, h0\n fmov %0, d0" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static uint64_t s_tod(uint64_t a)
{
    uint64_t r;
    __asm__ volatile("fmov s0, %w1\n fcvt d0, s0\n fmov %0, d0" : "=r"(r) : "r"(a) : "v0");
    return r;
}

/* FP -> integer: name encodes the instruction; X and W destinations. */
#define TOINT(name, insn, src, mod)                                                        \
    static uint64_t name##_x(uint64_t a)                                                   \
    {                                                                                      \
        uint64_t r;                                                                        \
        __asm__ volatile("fmov " src "0, %" mod "1\n" insn " %0, " src "0"                 \
                         : "=r"(r) : "r"(a) : "v0");                                       \
        return r;                                                                          \
    }                                                                                      \
    static uint64_t name##_w(uint64_t a)                                                   \
    {                                                                                      \
        uint32_t r;                                                                        \
        __asm__ volatile("fmov " src "0, %" mod "1\n" insn " %w0, " src "0"                \
                         : "=r"(r) : "r"(a) : "v0");                                       \
        return r;                                                                          \
    }

TOINT(dzs, "fcvtzs", "d", "x") TOINT(dzu, "fcvtzu", "d", "x") TOINT(dns, "fcvtns", "d", "x") TOINT(dnu, "fcvtnu", "d", "x")
TOINT(dms, "fcvtms", "d", "x") TOINT(dmu, "fcvtmu", "d", "x") TOINT(dps, "fcvtps", "d", "x") TOINT(dpu, "fcvtpu", "d", "x")
TOINT(das, "fcvtas", "d", "x") TOINT(dau, "fcvtau", "d", "x")
TOINT(szs, "fcvtzs", "s", "w") TOINT(szu, "fcvtzu", "s", "w") TOINT(sns, "fcvtns", "s", "w") TOINT(snu, "fcvtnu", "s", "w")
TOINT(sms, "fcvtms", "s", "w") TOINT(smu, "fcvtmu", "s", "w") TOINT(sps, "fcvtps", "s", "w") TOINT(spu, "fcvtpu", "s", "w")
TOINT(sas, "fcvtas", "s", "w") TOINT(sau, "fcvtau", "s", "w")

static uint64_t dzs_x_fixed5(uint64_t a)
{
    uint64_t r;
    __asm__ volatile("fmov d0, %1\n fcvtzs %0, d0, #5" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static uint64_t dzu_w_fixed31(uint64_t a)
{
    uint32_t r;
    __asm__ volatile("fmov d0, %1\n fcvtzu %w0, d0, #31" : "=r"(r) : "r"(a) : "v0");
    return r;
}

struct unary_case { const char *name; uint64_t (*fn)(uint64_t); int dbl; };
static const struct unary_case unary_cases[] = {
    { "fsqrt.d", d_fsqrt, 1 }, { "frintn.d", d_frintn, 1 }, { "frintp.d", d_frintp, 1 },
    { "frintm.d", d_frintm, 1 }, { "frintz.d", d_frintz, 1 }, { "frinta.d", d_frinta, 1 },
    { "frintx.d", d_frintx, 1 }, { "frinti.d", d_frinti, 1 }, { "fcvt.ds", d_tos, 1 },
    { "fcvt.dh", d_toh, 1 },
    { "fsqrt.s", s_fsqrt, 0 }, { "frintn.s", s_frintn, 0 }, { "frintp.s", s_frintp, 0 },
    { "frintm.s", s_frintm, 0 }, { "frintz.s", s_frintz, 0 }, { "frinta.s", s_frinta, 0 },
    { "frintx.s", s_frintx, 0 }, { "frinti.s", s_frinti, 0 }, { "fcvt.sd", s_tod, 0 },
    { "fcvt.sh", s_toh, 0 },
    { "fcvtzs.dx", dzs_x, 1 }, { "fcvtzs.dw", dzs_w, 1 }, { "fcvtzu.dx", dzu_x, 1 }, { "fcvtzu.dw", dzu_w, 1 },
    { "fcvtns.dx", dns_x, 1 }, { "fcvtns.dw", dns_w, 1 }, { "fcvtnu.dx", dnu_x, 1 }, { "fcvtnu.dw", dnu_w, 1 },
    { "fcvtms.dx", dms_x, 1 }, { "fcvtms.dw", dms_w, 1 }, { "fcvtmu.dx", dmu_x, 1 }, { "fcvtmu.dw", dmu_w, 1 },
    { "fcvtps.dx", dps_x, 1 }, { "fcvtps.dw", dps_w, 1 }, { "fcvtpu.dx", dpu_x, 1 }, { "fcvtpu.dw", dpu_w, 1 },
    { "fcvtas.dx", das_x, 1 }, { "fcvtas.dw", das_w, 1 }, { "fcvtau.dx", dau_x, 1 }, { "fcvtau.dw", dau_w, 1 },
    { "fcvtzs.sx", szs_x, 0 }, { "fcvtzs.sw", szs_w, 0 }, { "fcvtzu.sx", szu_x, 0 }, { "fcvtzu.sw", szu_w, 0 },
    { "fcvtns.sx", sns_x, 0 }, { "fcvtns.sw", sns_w, 0 }, { "fcvtnu.sx", snu_x, 0 }, { "fcvtnu.sw", snu_w, 0 },
    { "fcvtms.sx", sms_x, 0 }, { "fcvtms.sw", sms_w, 0 }, { "fcvtmu.sx", smu_x, 0 }, { "fcvtmu.sw", smu_w, 0 },
    { "fcvtps.sx", sps_x, 0 }, { "fcvtps.sw", sps_w, 0 }, { "fcvtpu.sx", spu_x, 0 }, { "fcvtpu.sw", spu_w, 0 },
    { "fcvtas.sx", sas_x, 0 }, { "fcvtas.sw", sas_w, 0 }, { "fcvtau.sx", sau_x, 0 }, { "fcvtau.sw", sau_w, 0 },
    { "fcvtzs5.dx", dzs_x_fixed5, 1 }, { "fcvtzu31.dw", dzu_w_fixed31, 1 },
};

/* Integer -> FP. */
#define FROMINT(name, insn, dst, src)                                                      \
    static uint64_t name(uint64_t v)                                                       \
    {                                                                                      \
        uint64_t r = 0;                                                                    \
        __asm__ volatile(insn " " dst "0, %" src "1\n fmov %0, " dst "0"                     \
                         : "=r"(r) : "r"(v) : "v0");                                       \
        return r;                                                                          \
    }
FROMINT(scvtf_dx, "scvtf", "d", "x") FROMINT(scvtf_dw, "scvtf", "d", "w")
FROMINT(ucvtf_dx, "ucvtf", "d", "x") FROMINT(ucvtf_dw, "ucvtf", "d", "w")
static uint64_t scvtf_sx(uint64_t v)
{
    uint32_t r;
    __asm__ volatile("scvtf s0, %1\n fmov %w0, s0" : "=r"(r) : "r"(v) : "v0");
    return r;
}
static uint64_t ucvtf_sx(uint64_t v)
{
    uint32_t r;
    __asm__ volatile("ucvtf s0, %1\n fmov %w0, s0" : "=r"(r) : "r"(v) : "v0");
    return r;
}
static uint64_t scvtf_sw(uint64_t v)
{
    uint32_t r;
    __asm__ volatile("scvtf s0, %w1\n fmov %w0, s0" : "=r"(r) : "r"(v) : "v0");
    return r;
}
static uint64_t ucvtf_sw(uint64_t v)
{
    uint32_t r;
    __asm__ volatile("ucvtf s0, %w1\n fmov %w0, s0" : "=r"(r) : "r"(v) : "v0");
    return r;
}
static uint64_t scvtf_dx_fixed12(uint64_t v)
{
    uint64_t r;
    __asm__ volatile("scvtf d0, %1, #12\n fmov %0, d0" : "=r"(r) : "r"(v) : "v0");
    return r;
}
static uint64_t ucvtf_sw_fixed32(uint64_t v)
{
    uint32_t r;
    __asm__ volatile("ucvtf s0, %w1, #32\n fmov %w0, s0" : "=r"(r) : "r"(v) : "v0");
    return r;
}

static const struct unary_case int_cases[] = {
    { "scvtf.dx", scvtf_dx, 1 }, { "scvtf.dw", scvtf_dw, 1 }, { "ucvtf.dx", ucvtf_dx, 1 },
    { "ucvtf.dw", ucvtf_dw, 1 }, { "scvtf.sx", scvtf_sx, 0 }, { "scvtf.sw", scvtf_sw, 0 },
    { "ucvtf.sx", ucvtf_sx, 0 }, { "ucvtf.sw", ucvtf_sw, 0 }, { "scvtf12.dx", scvtf_dx_fixed12, 1 },
    { "ucvtf32.sw", ucvtf_sw_fixed32, 0 },
};
static const uint64_t int_values[] = {
    0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000001, 0x7fffffffffffffff,
    0x8000000000000000, 0xffffffffffffffff, 0x20000001, 0x1000001, 0xfffffffffffff801,
    0x123456789abcdef, 0x8000000000000401, 0x7ffffe00, 0xfffffffe00000000, 0x10000000000000a,
};

#define CMP(name, insn, reg, mod)                                                        \
    static uint64_t name(uint64_t a, uint64_t b)                                         \
    {                                                                                    \
        __asm__ volatile("fmov " reg "0, %" mod "0\n fmov " reg "1, %" mod "1\n" insn     \
                         " " reg "0, " reg "1" : : "r"(a), "r"(b) : "v0", "v1", "cc");    \
        return get_nzcv();                                                               \
    }
CMP(d_fcmp, "fcmp", "d", "x") CMP(d_fcmpe, "fcmpe", "d", "x")
CMP(s_fcmp, "fcmp", "s", "w") CMP(s_fcmpe, "fcmpe", "s", "w")

/* ---- boundaries of Ferry's fast paths ------------------------------------------------------
 * fp_helpers.c takes a host-SSE shortcut under the default FPCR and falls back to exact
 * code near the underflow threshold (where x86 and AArch64 judge tininess differently),
 * on NaN and infinite results, and while it cannot prove exactness cheaply. These
 * operands put results on both sides of those lines: products, quotients and fused sums
 * that round up to the smallest normal from below it, values around 2^(mant + 3 - bias)
 * (where the product's error stops being representable), and pseudo-random values in
 * bands whose products and quotients land near underflow, near overflow and near 1. */
static const uint64_t d_boundary[] = {
    0x0010000000000000, 0x0010000000000001, 0x001fffffffffffff, 0x000fffffffffffff,
    0x3fefffffffffffff, 0x3fe0000000000001, 0x3fe0000000000000, 0x3ff0000000000001,
    0x1ff0000000000000, 0x1fefffffffffffff, 0x2000000000000001, 0x1ff0000000000001,
    0x0370000000000000, 0x0370000000000001, 0x036fffffffffffff, 0x3cb0000000000000,
    0x7fe0000000000000, 0x7fefffffffffffff, 0x4340000000000000, 0x400921fb54442d18,
    0x3fb999999999999a, 0x8010000000000000, 0xbfefffffffffffff, 0x0000000000000003,
    0x380fffffe0000000, 0x380ffffffff80000, 0xb80fffffff800000, 0x3810000000000000,
};
static const uint32_t s_boundary[] = {
    0x00800000, 0x00800001, 0x00ffffff, 0x007fffff, 0x3f7fffff, 0x3f000001, 0x3f000000,
    0x3f800001, 0x1f800000, 0x1f7fffff, 0x20000001, 0x1f800001, 0x0d000000, 0x0d000001,
    0x0cffffff, 0x34000000, 0x7f000000, 0x7f7fffff, 0x4c000000, 0x40490fdb, 0x3dcccccd,
    0x80800000, 0xbf7fffff, 0x00000003, 0x00000001, 0x80000003, 0x01000000, 0x00ffffff,
};

static uint64_t boundary_seed = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
    boundary_seed ^= boundary_seed << 13;
    boundary_seed ^= boundary_seed >> 7;
    boundary_seed ^= boundary_seed << 17;
    return boundary_seed;
}
/* A random value whose biased exponent lies in one of the bands. */
static uint64_t random_double(void)
{
    static const unsigned bands[][2] = { { 1, 60 }, { 480, 560 }, { 990, 1060 }, { 1990, 2046 } };
    uint64_t r = next_random();
    const unsigned *band = bands[r % 4];
    uint64_t e = band[0] + (r >> 8) % (band[1] - band[0] + 1);
    uint64_t frac = next_random() & 0xfffffffffffffull;
    if ((r >> 40) % 4 == 0)
        frac &= 0xfffff00000000000ull;          /* short mantissas: exact results happen */
    return (r >> 63) << 63 | e << 52 | frac;
}
static uint32_t random_single(void)
{
    static const unsigned bands[][2] = { { 1, 30 }, { 50, 80 }, { 110, 140 }, { 230, 254 } };
    uint64_t r = next_random();
    const unsigned *band = bands[r % 4];
    uint32_t e = band[0] + (uint32_t)((r >> 8) % (band[1] - band[0] + 1));
    uint32_t frac = (uint32_t)next_random() & 0x7fffff;
    if ((r >> 40) % 4 == 0)
        frac &= 0x7f0000;
    return (uint32_t)(r >> 63) << 31 | e << 23 | frac;
}

static void emit_binary_set(uint32_t fpcr, const uint64_t *dv, unsigned dn, const uint32_t *sv, unsigned sn)
{
    static const char *const names[9] = {
        "fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul",
    };
    static const int ops[] = { 0, 1, 2, 3, 8 };
    char name[32];
    for (unsigned o = 0; o < COUNT(ops); o++) {
        int op = ops[o];
        for (unsigned i = 0; i < dn; i++)
            for (unsigned j = 0; j < dn; j++) {
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = d_binary[op](dv[i], dv[j]);
                uint32_t f = get_fpsr(); set_fpcr(0);
                snprintf(name, sizeof name, "%s.d", names[op]);
                emit(name, dv[i], dv[j], 0, fpcr, r, f);
            }
        for (unsigned i = 0; i < sn; i++)
            for (unsigned j = 0; j < sn; j++) {
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = s_binary[op](sv[i], sv[j]);
                uint32_t f = get_fpsr(); set_fpcr(0);
                snprintf(name, sizeof name, "%s.s", names[op]);
                emit(name, sv[i], sv[j], 0, fpcr, r, f);
            }
    }
}

static void emit_boundary(void)
{
    static const char *const ternary_names[4] = { "fmadd", "fmsub", "fnmadd", "fnmsub" };
    static const uint32_t fpcrs[] = { 0, 1u << 22, 3u << 22 };
    enum { RANDOM_COUNT = 32 };
    uint64_t dr[RANDOM_COUNT];
    uint32_t sr[RANDOM_COUNT];
    for (unsigned k = 0; k < COUNT(fpcrs); k++) {
        uint32_t fpcr = fpcrs[k];
        emit_binary_set(fpcr, d_boundary, COUNT(d_boundary), s_boundary, COUNT(s_boundary));
        for (unsigned round = 0; round < 3; round++) {
            for (unsigned i = 0; i < RANDOM_COUNT; i++) {
                dr[i] = random_double();
                sr[i] = random_single();
            }
            emit_binary_set(fpcr, dr, RANDOM_COUNT, sr, RANDOM_COUNT);
            for (int op = 0; op < 4; op++)
                for (unsigned i = 0; i + 2 < RANDOM_COUNT; i += 3) {
                    set_fpcr(fpcr); clear_fpsr();
                    uint64_t r = d_ternary[op](dr[i], dr[i + 1], dr[i + 2]);
                    uint32_t f = get_fpsr(); set_fpcr(0);
                    char name[32];
                    snprintf(name, sizeof name, "%s.d", ternary_names[op]);
                    emit(name, dr[i], dr[i + 1], dr[i + 2], fpcr, r, f);
                    set_fpcr(fpcr); clear_fpsr();
                    r = s_ternary[op](sr[i], sr[i + 1], sr[i + 2]);
                    f = get_fpsr(); set_fpcr(0);
                    snprintf(name, sizeof name, "%s.s", ternary_names[op]);
                    emit(name, sr[i], sr[i + 1], sr[i + 2], fpcr, r, f);
                }
            for (unsigned i = 0; i < RANDOM_COUNT; i++) {
                for (unsigned c = 0; c < COUNT(unary_cases); c++) {
                    const struct unary_case *uc = &unary_cases[c];
                    uint64_t a = uc->dbl ? dr[i] : sr[i];
                    set_fpcr(fpcr); clear_fpsr();
                    uint64_t r = uc->fn(a);
                    uint32_t f = get_fpsr(); set_fpcr(0);
                    emit(uc->name, a, 0, 0, fpcr, r, f);
                }
                for (unsigned c = 0; c < COUNT(int_cases); c++) {
                    uint64_t v = next_random() >> (next_random() % 64);
                    set_fpcr(fpcr); clear_fpsr();
                    uint64_t r = int_cases[c].fn(v);
                    uint32_t f = get_fpsr(); set_fpcr(0);
                    emit(int_cases[c].name, v, 0, 0, fpcr, r, f);
                }
            }
        }
        /* fused sums around the smallest normal: n * m just below it plus tiny addends */
        for (unsigned i = 0; i < COUNT(d_boundary); i++)
            for (unsigned j = 0; j < 8; j++)
                for (unsigned l = 0; l < COUNT(d_boundary); l += 5) {
                    set_fpcr(fpcr); clear_fpsr();
                    uint64_t r = d_ternary[0](d_boundary[l], d_boundary[i], d_boundary[j]);
                    uint32_t f = get_fpsr(); set_fpcr(0);
                    emit("fmadd.d", d_boundary[l], d_boundary[i], d_boundary[j], fpcr, r, f);
                    set_fpcr(fpcr); clear_fpsr();
                    r = s_ternary[0](s_boundary[l], s_boundary[i], s_boundary[j]);
                    f = get_fpsr(); set_fpcr(0);
                    emit("fmadd.s", s_boundary[l], s_boundary[i], s_boundary[j], fpcr, r, f);
                }
        for (unsigned i = 0; i < COUNT(unary_cases); i++) {
            const struct unary_case *uc = &unary_cases[i];
            unsigned n = uc->dbl ? COUNT(d_boundary) : COUNT(s_boundary);
            for (unsigned j = 0; j < n; j++) {
                uint64_t a = uc->dbl ? d_boundary[j] : s_boundary[j];
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = uc->fn(a);
                uint32_t f = get_fpsr(); set_fpcr(0);
                emit(uc->name, a, 0, 0, fpcr, r, f);
            }
        }
    }
}

/* Half-precision conversions, in IEEE and in the alternative format (FPCR.AHP: no
 * infinities or NaNs, exponent 31 holds numbers): every 13th half value both ways up,
 * and the single/double operand sets (plus values around the alternative maximum) down. */
static void emit_half(void)
{
    static const uint32_t fpcrs[] = {
        0, 1u << 25, 1u << 26, (1u << 26) | (1u << 25), (1u << 26) | (3u << 22), (1u << 26) | (1u << 24),
    };
    static const uint32_t s_extra[] = { 0x47ffe000, 0x47fff000, 0x47ffefff, 0x48000000, 0x477fe000, 0x477ff000 };
    static const uint64_t d_extra[] = { 0x40fffc0000000000ull, 0x40fffe0000000000ull, 0x40fffdffffffffffull,
                                        0x4100000000000000ull, 0x40effc0000000000ull, 0x40effe0000000000ull };
    for (unsigned k = 0; k < COUNT(fpcrs); k++) {
        uint32_t fpcr = fpcrs[k];
        for (uint32_t h = 0; h < 0x10000; h += h >= 0x7c00 && h < 0x7c10 ? 1 : h >= 0xfc00 && h < 0xfc10 ? 1 : 13) {
            set_fpcr(fpcr); clear_fpsr();
            uint64_t r = h_tos(h);
            uint32_t f = get_fpsr(); set_fpcr(0);
            emit("fcvt.hs", h, 0, 0, fpcr, r, f);
            set_fpcr(fpcr); clear_fpsr();
            r = h_tod(h);
            f = get_fpsr(); set_fpcr(0);
            emit("fcvt.hd", h, 0, 0, fpcr, r, f);
        }
        for (unsigned i = 0; i < COUNT(s_values) + COUNT(s_extra); i++) {
            uint32_t a = i < COUNT(s_values) ? s_values[i] : s_extra[i - COUNT(s_values)];
            set_fpcr(fpcr); clear_fpsr();
            uint64_t r = s_toh(a);
            uint32_t f = get_fpsr(); set_fpcr(0);
            emit("fcvt.sh", a, 0, 0, fpcr, r, f);
        }
        for (unsigned i = 0; i < COUNT(d_values) + COUNT(d_extra); i++) {
            uint64_t a = i < COUNT(d_values) ? d_values[i] : d_extra[i - COUNT(d_values)];
            set_fpcr(fpcr); clear_fpsr();
            uint64_t r = d_toh(a);
            uint32_t f = get_fpsr(); set_fpcr(0);
            emit("fcvt.dh", a, 0, 0, fpcr, r, f);
        }
    }
}

int main(void)
{
    static const char *const binary_names[9] = {
        "fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul",
    };
    for (unsigned k = 0; k < COUNT(fpcr_values); k++) {
        uint32_t fpcr = fpcr_values[k];
        char name[32];
        for (int op = 0; op < 9; op++) {
            for (unsigned i = 0; i < COUNT(d_values); i++)
                for (unsigned j = 0; j < COUNT(d_values); j++) {
                    set_fpcr(fpcr); clear_fpsr();
                    uint64_t r = d_binary[op](d_values[i], d_values[j]);
                    uint32_t f = get_fpsr(); set_fpcr(0);
                    snprintf(name, sizeof name, "%s.d", binary_names[op]);
                    emit(name, d_values[i], d_values[j], 0, fpcr, r, f);
                }
            for (unsigned i = 0; i < COUNT(s_values); i++)
                for (unsigned j = 0; j < COUNT(s_values); j++) {
                    set_fpcr(fpcr); clear_fpsr();
                    uint64_t r = s_binary[op](s_values[i], s_values[j]);
                    uint32_t f = get_fpsr(); set_fpcr(0);
                    snprintf(name, sizeof name, "%s.s", binary_names[op]);
                    emit(name, s_values[i], s_values[j], 0, fpcr, r, f);
                }
        }
        static const char *const ternary_names[4] = { "fmadd", "fmsub", "fnmadd", "fnmsub" };
        /* every third operand value keeps the cube small */
        for (int op = 0; op < 4; op++) {
            for (unsigned i = 0; i < COUNT(d_values); i += 2)
                for (unsigned j = 0; j < COUNT(d_values); j += 3)
                    for (unsigned l = 1; l < COUNT(d_values); l += 3) {
                        set_fpcr(fpcr); clear_fpsr();
                        uint64_t r = d_ternary[op](d_values[i], d_values[j], d_values[l]);
                        uint32_t f = get_fpsr(); set_fpcr(0);
                        snprintf(name, sizeof name, "%s.d", ternary_names[op]);
                        emit(name, d_values[i], d_values[j], d_values[l], fpcr, r, f);
                    }
            for (unsigned i = 0; i < COUNT(s_values); i += 2)
                for (unsigned j = 0; j < COUNT(s_values); j += 3)
                    for (unsigned l = 1; l < COUNT(s_values); l += 3) {
                        set_fpcr(fpcr); clear_fpsr();
                        uint64_t r = s_ternary[op](s_values[i], s_values[j], s_values[l]);
                        uint32_t f = get_fpsr(); set_fpcr(0);
                        snprintf(name, sizeof name, "%s.s", ternary_names[op]);
                        emit(name, s_values[i], s_values[j], s_values[l], fpcr, r, f);
                    }
        }
        for (unsigned c = 0; c < COUNT(unary_cases); c++) {
            const struct unary_case *uc = &unary_cases[c];
            unsigned n = uc->dbl ? COUNT(d_values) : COUNT(s_values);
            for (unsigned i = 0; i < n; i++) {
                uint64_t a = uc->dbl ? d_values[i] : s_values[i];
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = uc->fn(a);
                uint32_t f = get_fpsr(); set_fpcr(0);
                emit(uc->name, a, 0, 0, fpcr, r, f);
            }
        }
        for (unsigned c = 0; c < COUNT(int_cases); c++) {
            for (unsigned i = 0; i < COUNT(int_values); i++) {
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = int_cases[c].fn(int_values[i]);
                uint32_t f = get_fpsr(); set_fpcr(0);
                emit(int_cases[c].name, int_values[i], 0, 0, fpcr, r, f);
            }
        }
        for (unsigned i = 0; i < COUNT(d_values); i++)
            for (unsigned j = 0; j < COUNT(d_values); j++) {
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = d_fcmp(d_values[i], d_values[j]);
                uint32_t f = get_fpsr();
                clear_fpsr();
                uint64_t re = d_fcmpe(d_values[i], d_values[j]);
                uint32_t fe = get_fpsr(); set_fpcr(0);
                emit("fcmp.d", d_values[i], d_values[j], 0, fpcr, r, f);
                emit("fcmpe.d", d_values[i], d_values[j], 0, fpcr, re, fe);
            }
        for (unsigned i = 0; i < COUNT(s_values); i++)
            for (unsigned j = 0; j < COUNT(s_values); j++) {
                set_fpcr(fpcr); clear_fpsr();
                uint64_t r = s_fcmp(s_values[i], s_values[j]);
                uint32_t f = get_fpsr();
                clear_fpsr();
                uint64_t re = s_fcmpe(s_values[i], s_values[j]);
                uint32_t fe = get_fpsr(); set_fpcr(0);
                emit("fcmp.s", s_values[i], s_values[j], 0, fpcr, r, f);
                emit("fcmpe.s", s_values[i], s_values[j], 0, fpcr, re, fe);
            }
    }
    emit_boundary();
    emit_half();
    return 0;
}
