/* AArch64 floating-point and AdvSIMD semantics for the generated front end (the
 * `extern` helpers of arch/aarch64/fpsimd.adl).
 *
 * IEEE arithmetic (add, sub, mul, div, sqrt, FMA, double->single) runs on the host's
 * SSE unit with MXCSR set from FPCR for the one operation, because x86 and AArch64
 * agree on IEEE results; what they disagree on is done here in integer code: NaN
 * propagation (AArch64 returns the first signalling, else the first quiet NaN operand,
 * quieted, or the default NaN when FPCR.DN; x86 returns its negative "indefinite"),
 * flush-to-zero (FPCR.FZ), min/max with signed zeros, conversions to integers (AArch64
 * saturates, NaN -> 0), half precision, ties-away rounding and FRINT*. Host flags map to
 * FPSR cumulative bits (IOC DZC OFC UFC IXC, IDC for flushed inputs); x86 judges
 * underflow tininess after rounding and AArch64 before, which host_arith corrects.
 * That exact path costs two MXCSR writes per operation; under the default FPCR the
 * common operations first try a fast path on the host's own MXCSR (see "fast paths"
 * for why its results and flags are the architecture's) and fall back only when it
 * cannot prove them.
 *
 * Built hosted and (with SSE allowed) freestanding: no libc, no libm. */
#include "arch/aarch64/fp_helpers.h"
#include "aarch64/a64_state.h"

#include <stdbool.h>
#include <stddef.h>

typedef unsigned __int128 u128;

/* ---- formats ---------------------------------------------------------------------- */

struct fp_format {
    int mant_bits;     /* stored fraction bits */
    int exp_bits;
    int bias;
};

static const struct fp_format FMT_H = { 10, 5, 15 };
static const struct fp_format FMT_S = { 23, 8, 127 };
static const struct fp_format FMT_D = { 52, 11, 1023 };

static inline const struct fp_format *fmt_of(int dbl)
{
    return dbl ? &FMT_D : &FMT_S;
}

static inline uint64_t frac_mask(const struct fp_format *f) { return (1ull << f->mant_bits) - 1; }
static inline uint64_t exp_max(const struct fp_format *f) { return (1ull << f->exp_bits) - 1; }
static inline int sign_shift(const struct fp_format *f) { return f->mant_bits + f->exp_bits; }

static inline uint64_t get_sign(const struct fp_format *f, uint64_t x) { return (x >> sign_shift(f)) & 1; }
static inline uint64_t get_exp(const struct fp_format *f, uint64_t x) { return (x >> f->mant_bits) & exp_max(f); }
static inline uint64_t get_frac(const struct fp_format *f, uint64_t x) { return x & frac_mask(f); }

static inline bool is_nan(const struct fp_format *f, uint64_t x)
{
    return get_exp(f, x) == exp_max(f) && get_frac(f, x) != 0;
}
static inline bool is_snan(const struct fp_format *f, uint64_t x)
{
    return is_nan(f, x) && !((x >> (f->mant_bits - 1)) & 1);
}
static inline bool is_inf(const struct fp_format *f, uint64_t x)
{
    return get_exp(f, x) == exp_max(f) && get_frac(f, x) == 0;
}
static inline bool is_zero(const struct fp_format *f, uint64_t x)
{
    return (x & ~(1ull << sign_shift(f))) == 0;
}
static inline bool is_denormal(const struct fp_format *f, uint64_t x)
{
    return get_exp(f, x) == 0 && get_frac(f, x) != 0;
}
static inline uint64_t quieten(const struct fp_format *f, uint64_t x)
{
    return x | (1ull << (f->mant_bits - 1));
}
static inline uint64_t default_nan(const struct fp_format *f)
{
    return (exp_max(f) << f->mant_bits) | (1ull << (f->mant_bits - 1));
}
static inline uint64_t infinity(const struct fp_format *f, uint64_t sign)
{
    return (sign << sign_shift(f)) | (exp_max(f) << f->mant_bits);
}
static inline uint64_t zero_of(const struct fp_format *f, uint64_t sign)
{
    return sign << sign_shift(f);
}
static inline uint64_t max_normal(const struct fp_format *f, uint64_t sign)
{
    return (sign << sign_shift(f)) | ((exp_max(f) - 1) << f->mant_bits) | frac_mask(f);
}
static inline uint64_t negate(const struct fp_format *f, uint64_t x)
{
    return x ^ (1ull << sign_shift(f));
}

static inline int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }

/* FPCR.FZ: denormal inputs become zero of the same sign, with IDC. */
static uint64_t flush_input(const struct fp_format *f, uint64_t x, uint32_t fpcr, uint32_t *fpsr)
{
    if ((fpcr & A64_FPCR_FZ) && f != &FMT_H && is_denormal(f, x)) {
        *fpsr |= A64_FPSR_IDC;
        return zero_of(f, get_sign(f, x));
    }
    return x;
}

/* A NaN operand's result: quietened, or the default NaN under FPCR.DN. */
static uint64_t nan_result(const struct fp_format *f, uint64_t x, uint32_t fpcr, uint32_t *fpsr)
{
    if (is_snan(f, x))
        *fpsr |= A64_FPSR_IOC;
    return (fpcr & A64_FPCR_DN) ? default_nan(f) : quieten(f, x);
}

/* FPProcessNaNs: true with *out set when an operand is a NaN (first SNaN, else first
 * QNaN, in operand order). */
static bool process_nans(const struct fp_format *f, const uint64_t *ops, int count,
                         uint32_t fpcr, uint32_t *fpsr, uint64_t *out)
{
    for (int i = 0; i < count; i++) {
        if (is_snan(f, ops[i])) {
            *out = nan_result(f, ops[i], fpcr, fpsr);
            return true;
        }
    }
    for (int i = 0; i < count; i++) {
        if (is_nan(f, ops[i])) {
            *out = nan_result(f, ops[i], fpcr, fpsr);
            return true;
        }
    }
    return false;
}

static enum a64_rounding fpcr_rounding(uint32_t fpcr)
{
    return (enum a64_rounding)((fpcr >> A64_FPCR_RMODE_SHIFT) & 3);
}

/* ---- rounding an exact value into a format ---------------------------------------------
 * value = (-1)^sign * mant * 2^exp, plus a sticky bit for discarded nonzero bits below
 * mant. Handles overflow, subnormals, FZ flushing and the rounding mode. */
static uint64_t round_pack(const struct fp_format *f, uint64_t sign, int exp, uint64_t mant,
                           bool sticky, enum a64_rounding rounding, uint32_t fpcr, uint32_t *fpsr)
{
    if (mant == 0 && !sticky)
        return zero_of(f, sign);
    if (mant == 0) {            /* only sticky bits: keep a tiny nonzero below everything */
        mant = 1;
        exp -= 64;
        sticky = false;
    }
    int lz = clz64(mant);
    mant <<= lz;
    exp -= lz;
    /* value = 1.xxx (bit 63) * 2^(exp + 63) */
    int64_t biased = (int64_t)exp + 63 + f->bias;
    int shift = 63 - f->mant_bits;              /* bits dropped for a normal result */
    bool tiny = false;
    if (biased < 1) {
        tiny = true;
        if ((fpcr & A64_FPCR_FZ) && f != &FMT_H) {
            *fpsr |= A64_FPSR_UFC;
            return zero_of(f, sign);
        }
        int64_t extra = 1 - biased;
        shift += extra > 64 ? 64 : (int)extra;
        biased = 0;
    }
    uint64_t kept, round_bit, rest;
    if (shift >= 64) {
        kept = 0;
        round_bit = shift == 64 ? mant >> 63 : 0;
        rest = (shift == 64 ? (mant << 1) : mant) != 0 || sticky;
    } else {
        kept = mant >> shift;
        round_bit = (mant >> (shift - 1)) & 1;
        rest = (mant & ((1ull << (shift - 1)) - 1)) != 0 || sticky;
    }
    bool inexact = round_bit || rest;
    bool increment = false;
    switch (rounding) {
    case A64_ROUND_NEAREST: increment = round_bit && (rest || (kept & 1)); break;
    case A64_ROUND_PLUS: increment = !sign && inexact; break;
    case A64_ROUND_MINUS: increment = sign && inexact; break;
    case A64_ROUND_ZERO: increment = false; break;
    case A64_ROUND_AWAY: increment = round_bit; break;
    case A64_ROUND_FPCR: increment = false; break;   /* callers resolve FPCR first */
    }
    if (increment) {
        kept++;
        if (biased > 0 && kept >> (f->mant_bits + 1)) {
            kept >>= 1;
            biased++;
        }
    }
    if (biased >= (int64_t)exp_max(f)) {
        *fpsr |= A64_FPSR_OFC | A64_FPSR_IXC;
        bool to_inf = rounding == A64_ROUND_NEAREST || rounding == A64_ROUND_AWAY ||
                      (rounding == A64_ROUND_PLUS && !sign) || (rounding == A64_ROUND_MINUS && sign);
        return to_inf ? infinity(f, sign) : max_normal(f, sign);
    }
    if (inexact) {
        *fpsr |= A64_FPSR_IXC;
        if (tiny)
            *fpsr |= A64_FPSR_UFC;
    }
    uint64_t bits;
    if (biased == 0)
        bits = kept;            /* subnormal (a carry into bit mant_bits makes it normal) */
    else
        bits = ((uint64_t)biased << f->mant_bits) | (kept & frac_mask(f));
    return (sign << sign_shift(f)) | bits;
}

/* Unpacks a finite nonzero value into mant * 2^exp (mant with the hidden bit). */
static void unpack(const struct fp_format *f, uint64_t x, uint64_t *mant, int *exp)
{
    uint64_t e = get_exp(f, x), frac = get_frac(f, x);
    if (e == 0) {
        *mant = frac;
        *exp = 1 - f->bias - f->mant_bits;
    } else {
        *mant = frac | (1ull << f->mant_bits);
        *exp = (int)e - f->bias - f->mant_bits;
    }
}

/* ---- host SSE with MXCSR from FPCR --------------------------------------------------- */

#define MXCSR_IE 0x0001u
#define MXCSR_ZE 0x0004u
#define MXCSR_OE 0x0008u
#define MXCSR_UE 0x0010u
#define MXCSR_PE 0x0020u
#define MXCSR_MASKS 0x1f80u
#define MXCSR_FTZ 0x8000u

static inline uint32_t mxcsr_read(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v) : : "memory");
    return v;
}

static inline void mxcsr_write(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(v) : "memory");
}

static uint32_t mxcsr_for(uint32_t fpcr)
{
    static const uint32_t rc[4] = { 0u << 13, 2u << 13, 1u << 13, 3u << 13 };  /* RN RP RM RZ */
    uint32_t v = MXCSR_MASKS | rc[(fpcr >> A64_FPCR_RMODE_SHIFT) & 3];
    if (fpcr & A64_FPCR_FZ)
        v |= MXCSR_FTZ;
    return v;
}

/* Host flags of one operation -> FPSR. A flushed (FTZ) result raises only UFC on
 * AArch64; x86 adds PE, which is dropped for zero results. */
static void host_flags(uint32_t flags, bool zero_result, uint32_t fpcr, uint32_t *fpsr)
{
    if (flags & MXCSR_IE) *fpsr |= A64_FPSR_IOC;
    if (flags & MXCSR_ZE) *fpsr |= A64_FPSR_DZC;
    if (flags & MXCSR_OE) *fpsr |= A64_FPSR_OFC;
    if (flags & MXCSR_UE) *fpsr |= A64_FPSR_UFC;
    if (flags & MXCSR_PE) {
        if (!((fpcr & A64_FPCR_FZ) && (flags & MXCSR_UE) && zero_result))
            *fpsr |= A64_FPSR_IXC;
    }
}

union bits64 { double d; uint64_t u; };
union bits32 { float f; uint32_t u; };

enum host_op { HOST_ADD, HOST_SUB, HOST_MUL, HOST_DIV, HOST_SQRT, HOST_FMA };

/* One host operation on raw bit patterns under the FPCR's rounding; returns the
 * result bits and the MXCSR exception flags in *flags. */
static uint64_t host_op(enum host_op op, int dbl, uint64_t a, uint64_t b, uint64_t c,
                        uint32_t fpcr, uint32_t *flags)
{
    uint32_t saved = mxcsr_read();
    mxcsr_write(mxcsr_for(fpcr));
    uint64_t result;
    if (dbl) {
        union bits64 x = { .u = a }, y = { .u = b }, z = { .u = c };
        switch (op) {
        case HOST_ADD: __asm__ volatile("addsd %1, %0" : "+x"(x.d) : "x"(y.d)); break;
        case HOST_SUB: __asm__ volatile("subsd %1, %0" : "+x"(x.d) : "x"(y.d)); break;
        case HOST_MUL: __asm__ volatile("mulsd %1, %0" : "+x"(x.d) : "x"(y.d)); break;
        case HOST_DIV: __asm__ volatile("divsd %1, %0" : "+x"(x.d) : "x"(y.d)); break;
        case HOST_SQRT: __asm__ volatile("sqrtsd %0, %0" : "+x"(x.d)); break;
        /* x = x * y + z */
        case HOST_FMA: __asm__ volatile("vfmadd213sd %2, %1, %0" : "+x"(x.d) : "x"(y.d), "x"(z.d)); break;
        }
        result = x.u;
    } else {
        union bits32 x = { .u = (uint32_t)a }, y = { .u = (uint32_t)b }, z = { .u = (uint32_t)c };
        switch (op) {
        case HOST_ADD: __asm__ volatile("addss %1, %0" : "+x"(x.f) : "x"(y.f)); break;
        case HOST_SUB: __asm__ volatile("subss %1, %0" : "+x"(x.f) : "x"(y.f)); break;
        case HOST_MUL: __asm__ volatile("mulss %1, %0" : "+x"(x.f) : "x"(y.f)); break;
        case HOST_DIV: __asm__ volatile("divss %1, %0" : "+x"(x.f) : "x"(y.f)); break;
        case HOST_SQRT: __asm__ volatile("sqrtss %0, %0" : "+x"(x.f)); break;
        case HOST_FMA: __asm__ volatile("vfmadd213ss %2, %1, %0" : "+x"(x.f) : "x"(y.f), "x"(z.f)); break;
        }
        result = x.u;
    }
    *flags = mxcsr_read() & 0x3fu;
    mxcsr_write(saved);
    return result;
}

static bool host_has_fma(void)
{
    static int known = -1;
    if (known < 0) {
        uint32_t eax = 1, ebx, ecx, edx;
        __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "c"(0));
        /* FMA (bit 12) and OSXSAVE (bit 27): the VEX encoding needs both */
        known = (ecx & (1u << 12)) && (ecx & (1u << 27));
    }
    return known;
}

/* ---- fast paths ---------------------------------------------------------------------------
 * Under the default FPCR modes (round to nearest even, FZ = 0, DN = 0) an SSE operation
 * and the AArch64 instruction produce the same result bits whenever the result is a
 * number: both are IEEE 754 correctly rounded with gradual underflow. They differ only
 *   - on NaN results (operand selection, and x86's default NaN has the sign bit set):
 *     a NaN result (an all-ones exponent) takes the exact path;
 *   - in FPSR flags. Without NaN and infinity results, IOC (NaN result), DZC and OFC
 *     (infinite results) cannot occur. UFC needs a tiny exact result; AArch64 judges
 *     tininess before rounding, x86 after, so a result with biased exponent 0 or 1 takes
 *     the exact path, while exponent >= 2 proves the exact value was not tiny (rounding
 *     below the smallest normal reaches at most exponent 1). What remains is IXC.
 * The flags are cumulative, so once FPSR.IXC is set (the first inexact operation of a
 * program sets it and it stays until the guest writes FPSR) inexactness needs no
 * computing; once both IXC and UFC are set, tiny results need no exact path either (the
 * values agree, only the flags could differ, and they are already set). While IXC is
 * clear, exactness is proven cheaply where it can be: the error of an addition by
 * TwoSum, of a product by an FMA, of a quotient or square root by its FMA remainder,
 * each only where that error is itself representable; otherwise the exact path runs.
 *
 * The host MXCSR is assumed at its default (round to nearest, no FTZ/DAZ, exceptions
 * masked), which the runner and the engine never change; the exact paths set their own
 * MXCSR and restore the previous value. */

#define FPCR_MODE_BITS (A64_FPCR_DN | A64_FPCR_FZ | (3u << A64_FPCR_RMODE_SHIFT))
#define FPSR_TINY_COVERED (A64_FPSR_UFC | A64_FPSR_IXC)

static inline bool default_modes(uint32_t fpcr) { return (fpcr & FPCR_MODE_BITS) == 0; }

static inline double as_double(uint64_t x) { union bits64 u = { .u = x }; return u.d; }
static inline uint64_t double_bits(double d) { union bits64 u = { .d = d }; return u.u; }
static inline float as_float(uint64_t x) { union bits32 u = { .u = (uint32_t)x }; return u.f; }
static inline uint64_t float_bits(float f) { union bits32 u = { .f = f }; return u.u; }
static inline unsigned double_exp(double d) { return (unsigned)(double_bits(d) >> 52) & 0x7ff; }
static inline unsigned float_exp(float f) { return (unsigned)(float_bits(f) >> 23) & 0xff; }

/* acc + n * m, one rounding (callers check host_has_fma first). */
static inline double fma_double(double n, double m, double acc)
{
    __asm__("vfmadd231sd %2, %1, %0" : "+x"(acc) : "x"(n), "x"(m));
    return acc;
}
static inline float fma_float(float n, float m, float acc)
{
    __asm__("vfmadd231ss %2, %1, %0" : "+x"(acc) : "x"(n), "x"(m));
    return acc;
}
static inline double sqrt_double(double x)
{
    __asm__("sqrtsd %0, %0" : "+x"(x));
    return x;
}
static inline float sqrt_float(float x)
{
    __asm__("sqrtss %0, %0" : "+x"(x));
    return x;
}

/* The fast operations for one format: T the C type, AS/BITS the bit conversions, EXP
 * the biased exponent, EMAX its all-ones value, MANT the stored fraction bits. Each
 * returns false (nothing changed) when the exact path must decide. */
#define DEFINE_FAST_OPS(SFX, T, AS, BITS, EXP, EMAX, MANT, FMA, SQRT)                          \
    static inline __attribute__((always_inline)) bool fast_arith_##SFX(enum a64_fp_op op, uint64_t a, uint64_t b, uint32_t *fpsr,  \
                                 uint64_t *out)                                                \
    {                                                                                          \
        T x = AS(a), y = AS(b), z;                                                             \
        bool want_inexact = !(*fpsr & A64_FPSR_IXC);                                           \
        bool tiny_ok = (*fpsr & FPSR_TINY_COVERED) == FPSR_TINY_COVERED;                       \
        bool inexact = false;                                                                  \
        switch (op) {                                                                          \
        case A64_FP_ADD:                                                                       \
        case A64_FP_SUB: {                                                                     \
            /* a sum never underflows inexactly (all operands are multiples of the       \
             * smallest subnormal), so only NaN and infinity results are excluded */          \
            if (op == A64_FP_SUB)                                                              \
                y = -y;                                                                        \
            z = x + y;                                                                         \
            if (EXP(z) == EMAX)                                                                \
                return false;                                                                  \
            if (want_inexact) {                                                                \
                T yv = z - x, xv = z - yv;                                                     \
                T err = (x - xv) + (y - yv);       /* TwoSum: the exact rounding error */     \
                if (EXP(err) == EMAX)                                                          \
                    return false;                                                              \
                inexact = err != 0;                                                            \
            }                                                                                  \
            break;                                                                             \
        }                                                                                      \
        case A64_FP_MUL:                                                                       \
        case A64_FP_NMUL: {                                                                    \
            z = x * y;                                                                         \
            unsigned e = EXP(z);                                                               \
            if (e == EMAX)                                                                     \
                return false;                                                                  \
            if (z == 0) {                                                                      \
                if (x != 0 && y != 0 && !tiny_ok)  /* underflow to zero */                    \
                    return false;                                                              \
            } else if (e < 2 && !tiny_ok) {                                                    \
                return false;                                                                  \
            } else if (want_inexact) {                                                         \
                /* the product's error x*y - z is a multiple of the operands' unit         \
                 * products, representable when z >= 2^(MANT + 3 - bias) */                   \
                if (e < MANT + 3 || !host_has_fma())                                           \
                    return false;                                                              \
                inexact = FMA(x, y, -z) != 0;                                                  \
            }                                                                                  \
            if (op == A64_FP_NMUL)                                                             \
                z = -z;                                                                        \
            break;                                                                             \
        }                                                                                      \
        case A64_FP_DIV: {                                                                     \
            z = x / y;                                                                         \
            unsigned e = EXP(z);                                                               \
            if (e == EMAX)                                                                     \
                return false;                                                                  \
            if (z == 0) {                                                                      \
                if (x != 0 && !tiny_ok)                                                        \
                    return false;                                                              \
            } else if (e < 2 && !tiny_ok) {                                                    \
                return false;                                                                  \
            } else if (want_inexact) {                                                         \
                /* the remainder x - z*y is exact when x >= 2^(MANT + 5 - bias) */            \
                if (EXP(x) < MANT + 5 || !host_has_fma())                                      \
                    return false;                                                              \
                inexact = FMA(-z, y, x) != 0;                                                  \
            }                                                                                  \
            break;                                                                             \
        }                                                                                      \
        default:                                                                               \
            return false;                                                                      \
        }                                                                                      \
        if (inexact)                                                                           \
            *fpsr |= A64_FPSR_IXC;                                                             \
        *out = BITS(z);                                                                        \
        return true;                                                                           \
    }                                                                                          \
                                                                                               \
    static bool fast_sqrt_##SFX(uint64_t a, uint32_t *fpsr, uint64_t *out)                     \
    {                                                                                          \
        T x = AS(a), z = SQRT(x);           /* never tiny: sqrt of a subnormal is normal */   \
        if (EXP(z) == EMAX)                                                                    \
            return false;                                                                      \
        if (!(*fpsr & A64_FPSR_IXC) && x != 0) {                                               \
            if (EXP(x) < MANT + 5 || !host_has_fma())                                          \
                return false;                                                                  \
            if (FMA(-z, z, x) != 0)                                                            \
                *fpsr |= A64_FPSR_IXC;                                                         \
        }                                                                                      \
        *out = BITS(z);                                                                        \
        return true;                                                                           \
    }                                                                                          \
                                                                                               \
    /* FMADD family with the architectural negations already applied to the operands;     \
     * only while IXC is set (exactness of a fused result is not cheap to prove). */         \
    static inline __attribute__((always_inline)) bool fast_muladd_##SFX(uint64_t addend, uint64_t n, uint64_t m, uint32_t *fpsr,     \
                                  uint64_t *out)                                               \
    {                                                                                          \
        if (!(*fpsr & A64_FPSR_IXC) || !host_has_fma())                                        \
            return false;                                                                      \
        T x = AS(n), y = AS(m), c = AS(addend);                                                \
        T z = FMA(x, y, c);                                                                    \
        unsigned e = EXP(z);                                                                   \
        if (e == EMAX)                                                                         \
            return false;                                                                      \
        if (e < 2 && (*fpsr & FPSR_TINY_COVERED) != FPSR_TINY_COVERED) {                       \
            /* 0 * finite + 0 is exact; any other small result may be tiny */                \
            if (!(z == 0 && c == 0 && (x == 0 || y == 0)))                                     \
                return false;                                                                  \
        }                                                                                      \
        *out = BITS(z);                                                                        \
        return true;                                                                           \
    }

DEFINE_FAST_OPS(double, double, as_double, double_bits, double_exp, 0x7ffu, 52, fma_double, sqrt_double)
DEFINE_FAST_OPS(float, float, as_float, float_bits, float_exp, 0xffu, 23, fma_float, sqrt_float)

/* Double <-> single precision. */
static bool fast_convert(uint64_t a, unsigned from_type, unsigned to_type, uint32_t *fpsr, uint64_t *out)
{
    if (from_type == 0 && to_type == 1) {
        float x = as_float(a);
        if (float_exp(x) == 0xff)
            return false;
        *out = double_bits((double)x);      /* exact, subnormal singles included */
        return true;
    }
    if (from_type == 1 && to_type == 0) {
        double x = as_double(a);
        if (double_exp(x) == 0x7ff)
            return false;
        float z = (float)x;
        unsigned e = float_exp(z);
        if (e == 0xff)
            return false;
        if (e < 2 && !(z == 0 && x == 0) && (*fpsr & FPSR_TINY_COVERED) != FPSR_TINY_COVERED)
            return false;
        if ((double)z != x)
            *fpsr |= A64_FPSR_IXC;
        *out = float_bits(z);
        return true;
    }
    return false;
}

/* FCVTZS/FCVTZU without fraction bits, for values inside the integer range (a NaN,
 * infinity or out-of-range value has an exponent at or above the bound). */
static bool fast_to_int(uint64_t a, int dbl, int is_unsigned, int is64, uint32_t *fpsr, uint64_t *out)
{
    unsigned width = is64 ? 64 : 32;
    unsigned bound = is_unsigned ? width : width - 1;     /* |value| < 2^bound fits */
    uint64_t r;
    bool integral;
    if (dbl) {
        double x = as_double(a);
        if (double_exp(x) >= 1023 + bound || (is_unsigned && (a >> 63)))
            return false;
        if (is_unsigned) {
            r = (uint64_t)x;
            integral = (double)r == x;
        } else {
            int64_t v = (int64_t)x;
            integral = (double)v == x;
            r = (uint64_t)v;
        }
    } else {
        float x = as_float(a);
        if (float_exp(x) >= 127 + bound || (is_unsigned && ((a >> 31) & 1)))
            return false;
        if (is_unsigned) {
            r = (uint64_t)x;
            integral = (float)r == x;
        } else {
            int64_t v = (int64_t)x;
            integral = (float)v == x;
            r = (uint64_t)v;
        }
    }
    if (!integral)
        *fpsr |= A64_FPSR_IXC;
    *out = is64 ? r : r & 0xffffffffull;
    return true;
}

/* SCVTF/UCVTF without fraction bits under round to nearest: the host conversion rounds
 * alike, and the result is exact exactly when the integer's significant bits fit. */
static bool fast_from_int(uint64_t v, int dbl, int is_unsigned, int is64, uint32_t *fpsr, uint64_t *out)
{
    if (!is64)
        v = is_unsigned ? (v & 0xffffffffull) : (uint64_t)(int64_t)(int32_t)(uint32_t)v;
    bool negative = !is_unsigned && (int64_t)v < 0;
    uint64_t magnitude = negative ? -v : v;
    if (magnitude != 0 && 64 - clz64(magnitude) - __builtin_ctzll(magnitude) > (dbl ? 53 : 24))
        *fpsr |= A64_FPSR_IXC;
    if (dbl)
        *out = double_bits(is_unsigned ? (double)v : (double)(int64_t)v);
    else
        *out = float_bits(is_unsigned ? (float)v : (float)(int64_t)v);
    return true;
}

/* ---- arithmetic ----------------------------------------------------------------------- */

static uint64_t host_arith(enum host_op op, const struct fp_format *f, uint64_t a, uint64_t b,
                           uint64_t c, uint32_t fpcr, uint32_t *fpsr)
{
    uint32_t flags;
    uint64_t r = host_op(op, f == &FMT_D, a, b, c, fpcr, &flags);
    if (is_nan(f, r))           /* an invalid operation on non-NaN inputs */
        r = default_nan(f);
    uint64_t min_normal = 1ull << f->mant_bits;
    if ((flags & MXCSR_PE) && (r & ~(1ull << sign_shift(f))) == min_normal) {
        /* Rounded up to the smallest normal: AArch64 judges tininess before rounding,
         * x86 after. Truncation tells whether the exact value was below it. */
        uint32_t truncating = (fpcr & ~(A64_FPCR_FZ | (3u << A64_FPCR_RMODE_SHIFT))) |
                              ((uint32_t)A64_ROUND_ZERO << A64_FPCR_RMODE_SHIFT);
        uint32_t ignored;
        uint64_t below = host_op(op, f == &FMT_D, a, b, c, truncating, &ignored);
        if (is_denormal(f, below)) {
            if (fpcr & A64_FPCR_FZ) {
                *fpsr |= A64_FPSR_UFC;
                return zero_of(f, get_sign(f, r));
            }
            flags |= MXCSR_UE;
        }
    }
    host_flags(flags, is_zero(f, r), fpcr, fpsr);
    return r;
}

/* FMAX/FMIN (numeric == false) and FMAXNM/FMINNM on non-NaN-resolved inputs. */
static uint64_t minmax(const struct fp_format *f, uint64_t a, uint64_t b, bool want_max)
{
    uint64_t sa = get_sign(f, a), sb = get_sign(f, b);
    if (is_zero(f, a) && is_zero(f, b))
        return want_max ? (sa & sb ? a : zero_of(f, 0)) : (sa | sb ? zero_of(f, 1) : a);
    /* order by value using the sign-magnitude bit patterns */
    bool a_less;
    uint64_t ma = a & ~(1ull << sign_shift(f)), mb = b & ~(1ull << sign_shift(f));
    if (sa != sb)
        a_less = sa;
    else
        a_less = sa ? ma > mb : ma < mb;
    if (want_max)
        return a_less ? b : a;
    return a_less ? a : b;
}

uint64_t a64_fpc_arith(enum a64_fp_op op, uint64_t a, uint64_t b, int dbl, uint32_t fpcr, uint32_t *fpsr)
{
    if (default_modes(fpcr)) {
        uint64_t r;
        if (dbl ? fast_arith_double(op, a, b, fpsr, &r) : fast_arith_float(op, a, b, fpsr, &r))
            return r;
    }
    const struct fp_format *f = fmt_of(dbl);
    a = flush_input(f, a, fpcr, fpsr);
    b = flush_input(f, b, fpcr, fpsr);
    if (op == A64_FP_MAXNM || op == A64_FP_MINNM) {
        /* one quiet NaN: the other operand wins */
        bool qa = is_nan(f, a) && !is_snan(f, a), qb = is_nan(f, b) && !is_snan(f, b);
        if (qa && !is_nan(f, b))
            a = op == A64_FP_MAXNM ? infinity(f, 1) : infinity(f, 0);
        else if (qb && !is_nan(f, a))
            b = op == A64_FP_MAXNM ? infinity(f, 1) : infinity(f, 0);
    }
    uint64_t ops[2] = { a, b }, r;
    if (process_nans(f, ops, 2, fpcr, fpsr, &r))
        return op == A64_FP_NMUL ? negate(f, r) : r;     /* FNMUL negates any result */
    switch (op) {
    case A64_FP_MUL: return host_arith(HOST_MUL, f, a, b, 0, fpcr, fpsr);
    case A64_FP_DIV: return host_arith(HOST_DIV, f, a, b, 0, fpcr, fpsr);
    case A64_FP_ADD: return host_arith(HOST_ADD, f, a, b, 0, fpcr, fpsr);
    case A64_FP_SUB: return host_arith(HOST_SUB, f, a, b, 0, fpcr, fpsr);
    case A64_FP_MAX: case A64_FP_MAXNM: return minmax(f, a, b, true);
    case A64_FP_MIN: case A64_FP_MINNM: return minmax(f, a, b, false);
    case A64_FP_NMUL: {
        uint64_t p = host_arith(HOST_MUL, f, a, b, 0, fpcr, fpsr);
        return negate(f, p);
    }
    }
    return default_nan(f);
}

uint64_t a64_fpc_sqrt(uint64_t a, int dbl, uint32_t fpcr, uint32_t *fpsr)
{
    uint64_t r;
    if (default_modes(fpcr) && (dbl ? fast_sqrt_double(a, fpsr, &r) : fast_sqrt_float(a, fpsr, &r)))
        return r;
    const struct fp_format *f = fmt_of(dbl);
    a = flush_input(f, a, fpcr, fpsr);
    if (process_nans(f, &a, 1, fpcr, fpsr, &r))
        return r;
    return host_arith(HOST_SQRT, f, a, 0, 0, fpcr, fpsr);
}

/* Special cases of FPMulAdd shared by the host and soft paths: NaNs, infinities and
 * zeros. Returns true with *out set when the result is decided. */
static bool muladd_special(const struct fp_format *f, uint64_t addend, uint64_t n, uint64_t m,
                           uint32_t fpcr, uint32_t *fpsr, uint64_t *out)
{
    bool inf_zero = (is_inf(f, n) && is_zero(f, m)) || (is_zero(f, n) && is_inf(f, m));
    if (is_nan(f, addend) && !is_snan(f, addend) && inf_zero && !is_snan(f, n) && !is_snan(f, m)) {
        *fpsr |= A64_FPSR_IOC;
        *out = default_nan(f);
        return true;
    }
    uint64_t ops[3] = { addend, n, m };
    if (process_nans(f, ops, 3, fpcr, fpsr, out))
        return true;
    uint64_t prod_sign = get_sign(f, n) ^ get_sign(f, m);
    bool prod_inf = is_inf(f, n) || is_inf(f, m);
    if (inf_zero || (prod_inf && is_inf(f, addend) && get_sign(f, addend) != prod_sign)) {
        *fpsr |= A64_FPSR_IOC;
        *out = default_nan(f);
        return true;
    }
    if (prod_inf) {
        *out = infinity(f, prod_sign);
        return true;
    }
    if (is_inf(f, addend)) {
        *out = addend;
        return true;
    }
    bool prod_zero = is_zero(f, n) || is_zero(f, m);
    if (prod_zero) {
        if (is_zero(f, addend)) {
            uint64_t sa = get_sign(f, addend);
            uint64_t sign = sa == prod_sign ? sa : fpcr_rounding(fpcr) == A64_ROUND_MINUS;
            *out = zero_of(f, sign);
        } else {
            *out = addend;
        }
        return true;
    }
    return false;
}

/* FMADD: addend + n*m; FMSUB: addend + (-n)*m; FNMADD: (-addend) + (-n)*m; FNMSUB:
 * (-addend) + n*m. The negations come before NaN processing, as in the architecture. */
static void muladd_operands(const struct fp_format *f, uint64_t *addend, uint64_t *n, int o1, int o0)
{
    if (o1)
        *addend = negate(f, *addend);
    if (o0 != o1)
        *n = negate(f, *n);
}

uint64_t a64_fpc_muladd_soft(uint64_t addend, uint64_t n, uint64_t m, int dbl, int o1, int o0,
                             uint32_t fpcr, uint32_t *fpsr)
{
    const struct fp_format *f = fmt_of(dbl);
    addend = flush_input(f, addend, fpcr, fpsr);
    n = flush_input(f, n, fpcr, fpsr);
    m = flush_input(f, m, fpcr, fpsr);
    muladd_operands(f, &addend, &n, o1, o0);
    uint64_t r;
    if (muladd_special(f, addend, n, m, fpcr, fpsr, &r))
        return r;
    uint64_t mn, mm, ma = 0;
    int en, em, ea = 0;
    unpack(f, n, &mn, &en);
    unpack(f, m, &mm, &em);
    uint64_t sp = get_sign(f, n) ^ get_sign(f, m), sa = get_sign(f, addend);
    /* exact product: at most 106 bits; place both operands with their top bit at 125 */
    u128 p = (u128)mn * mm;
    int ep = en + em;
    int lp = 127 - (p >> 64 ? clz64((uint64_t)(p >> 64)) : 64 + clz64((uint64_t)p));
    p <<= 125 - lp;
    ep -= 125 - lp;
    u128 a = 0;
    bool has_addend = !is_zero(f, addend);
    if (has_addend) {
        unpack(f, addend, &ma, &ea);
        int la = 63 - clz64(ma);
        a = (u128)ma << (125 - la);
        ea -= 125 - la;
    }
    /* x: the operand with the larger exponent; y shifted right to match, with sticky */
    u128 x = p, y = a;
    int ex = ep, ey = ea;
    uint64_t sx = sp, sy = sa;
    if (has_addend && (ea > ep || (ea == ep && a > p))) {
        x = a; y = p; ex = ea; ey = ep; sx = sa; sy = sp;
    }
    bool sticky = false;
    if (!has_addend) {
        y = 0;
    } else {
        int d = ex - ey;
        if (d >= 128) {
            sticky = y != 0;
            y = 0;
        } else if (d > 0) {
            sticky = (y & (((u128)1 << d) - 1)) != 0;
            y >>= d;
        }
    }
    u128 sum;
    if (sx == sy) {
        sum = x + y;
    } else {
        sum = x - y;
        if (sticky)
            sum -= 1;       /* the true y was a little larger: borrow, keep sticky */
    }
    if (sum == 0 && !sticky) {
        /* exact cancellation: +0, or -0 when rounding towards minus infinity */
        return zero_of(f, fpcr_rounding(fpcr) == A64_ROUND_MINUS);
    }
    /* reduce to 64 bits + sticky */
    int top = 127 - (sum >> 64 ? clz64((uint64_t)(sum >> 64)) : 64 + clz64((uint64_t)sum));
    int drop = top > 63 ? top - 63 : 0;
    if (drop) {
        sticky = sticky || (sum & (((u128)1 << drop) - 1)) != 0;
        sum >>= drop;
    }
    return round_pack(f, sx, ex + drop, (uint64_t)sum, sticky, fpcr_rounding(fpcr), fpcr, fpsr);
}

uint64_t a64_fpc_muladd(uint64_t addend, uint64_t n, uint64_t m, int dbl, int o1, int o0,
                        uint32_t fpcr, uint32_t *fpsr)
{
    const struct fp_format *f = fmt_of(dbl);
    uint64_t r;
    if (default_modes(fpcr)) {
        /* the negations are sign flips, NaN operands included, as in the architecture */
        uint64_t fast_addend = addend, fast_n = n;
        muladd_operands(f, &fast_addend, &fast_n, o1, o0);
        if (dbl ? fast_muladd_double(fast_addend, fast_n, m, fpsr, &r)
                : fast_muladd_float(fast_addend, fast_n, m, fpsr, &r))
            return r;
    }
    if (!host_has_fma())
        return a64_fpc_muladd_soft(addend, n, m, dbl, o1, o0, fpcr, fpsr);
    addend = flush_input(f, addend, fpcr, fpsr);
    n = flush_input(f, n, fpcr, fpsr);
    m = flush_input(f, m, fpcr, fpsr);
    muladd_operands(f, &addend, &n, o1, o0);
    if (muladd_special(f, addend, n, m, fpcr, fpsr, &r))
        return r;
    return host_arith(HOST_FMA, f, n, m, addend, fpcr, fpsr);
}

uint32_t a64_fpc_compare(uint64_t a, uint64_t b, int dbl, int signal_all, uint32_t fpcr, uint32_t *fpsr)
{
    const struct fp_format *f = fmt_of(dbl);
    a = flush_input(f, a, fpcr, fpsr);
    b = flush_input(f, b, fpcr, fpsr);
    if (is_nan(f, a) || is_nan(f, b)) {
        if (signal_all || is_snan(f, a) || is_snan(f, b))
            *fpsr |= A64_FPSR_IOC;
        return 0x3;                 /* unordered: C and V */
    }
    if (is_zero(f, a) && is_zero(f, b))
        return 0x6;                 /* equal: Z and C */
    if (a == b)
        return 0x6;
    uint64_t sa = get_sign(f, a), sb = get_sign(f, b);
    uint64_t ma = a & ~(1ull << sign_shift(f)), mb = b & ~(1ull << sign_shift(f));
    bool less = sa != sb ? sa : (sa ? ma > mb : ma < mb);
    return less ? 0x8 : 0x2;        /* less: N; greater: C */
}

/* ---- conversions ------------------------------------------------------------------------ */

static const struct fp_format *fmt_of_type(unsigned type)
{
    return type == 0 ? &FMT_S : type == 1 ? &FMT_D : &FMT_H;
}

/* FPCR.AHP: the alternative half-precision format has no infinities or NaNs; exponent
 * 31 holds ordinary numbers up to 131008. */
static uint64_t from_alternative_half(const struct fp_format *to, uint64_t a, uint32_t fpcr, uint32_t *fpsr)
{
    uint64_t sign = get_sign(&FMT_H, a);
    if (is_zero(&FMT_H, a))
        return zero_of(to, sign);
    uint64_t mant;
    int exp;
    unpack(&FMT_H, a, &mant, &exp);
    return round_pack(to, sign, exp, mant, false, fpcr_rounding(fpcr), fpcr, fpsr);  /* exact */
}

/* To the alternative format: NaN becomes zero and infinity or overflow saturates to the
 * largest magnitude, each raising Invalid Operation only (FPConvert / FPRound, alt_hp). */
static uint64_t to_alternative_half(const struct fp_format *from, uint64_t a, uint32_t fpcr, uint32_t *fpsr)
{
    /* One spare exponent bit: round_pack's own overflow then never triggers below 2^48. */
    static const struct fp_format WIDE_H = { 10, 6, 15 };
    uint64_t sign = get_sign(from, a), saturated = (sign << 15) | 0x7fff;
    if (is_nan(from, a)) {
        *fpsr |= A64_FPSR_IOC;
        return zero_of(&FMT_H, sign);
    }
    if (is_inf(from, a)) {
        *fpsr |= A64_FPSR_IOC;
        return saturated;
    }
    if (is_zero(from, a))
        return zero_of(&FMT_H, sign);
    uint64_t mant;
    int exp;
    unpack(from, a, &mant, &exp);
    uint32_t flags = 0;
    uint64_t wide = round_pack(&WIDE_H, sign, exp, mant, false, fpcr_rounding(fpcr), fpcr & ~A64_FPCR_FZ, &flags);
    if (get_exp(&WIDE_H, wide) >= 32) {
        *fpsr |= A64_FPSR_IOC;
        return saturated;
    }
    *fpsr |= flags;
    return (sign << 15) | (wide & 0x7fff);
}

uint64_t a64_fpc_convert(uint64_t a, unsigned from_type, unsigned to_type, uint32_t fpcr, uint32_t *fpsr)
{
    uint64_t r;
    if (default_modes(fpcr) && fast_convert(a, from_type, to_type, fpsr, &r))
        return r;
    const struct fp_format *from = fmt_of_type(from_type), *to = fmt_of_type(to_type);
    if ((fpcr & A64_FPCR_AHP) && from == &FMT_H)
        return from_alternative_half(to, a, fpcr, fpsr);
    a = flush_input(from, a, fpcr, fpsr);
    if ((fpcr & A64_FPCR_AHP) && to == &FMT_H)
        return to_alternative_half(from, a, fpcr, fpsr);
    uint64_t sign = get_sign(from, a);
    if (is_nan(from, a)) {
        if (is_snan(from, a))
            *fpsr |= A64_FPSR_IOC;
        if (fpcr & A64_FPCR_DN)
            return default_nan(to);
        /* keep the top fraction bits, quietened */
        uint64_t frac = get_frac(from, a);
        if (to->mant_bits > from->mant_bits)
            frac <<= to->mant_bits - from->mant_bits;
        else
            frac >>= from->mant_bits - to->mant_bits;
        return quieten(to, (sign << sign_shift(to)) | (exp_max(to) << to->mant_bits) | frac);
    }
    if (is_inf(from, a))
        return infinity(to, sign);
    if (is_zero(from, a))
        return zero_of(to, sign);
    /* Not the host's cvtsd2ss here: it judges underflow after rounding (a double just
     * below the smallest normal single that rounds up to it raises no underflow on x86);
     * round_pack judges before rounding, as AArch64 does. */
    uint64_t mant;
    int exp;
    unpack(from, a, &mant, &exp);
    return round_pack(to, sign, exp, mant, false, fpcr_rounding(fpcr), fpcr, fpsr);
}

uint64_t a64_fpc_to_int(uint64_t a, int dbl, int is_unsigned, int is64, enum a64_rounding rounding,
                        unsigned fbits, uint32_t fpcr, uint32_t *fpsr)
{
    if (rounding == A64_ROUND_FPCR)
        rounding = fpcr_rounding(fpcr);
    uint64_t r;
    if (rounding == A64_ROUND_ZERO && fbits == 0 && !(fpcr & A64_FPCR_FZ) &&
        fast_to_int(a, dbl, is_unsigned, is64, fpsr, &r))
        return r;
    const struct fp_format *f = fmt_of(dbl);
    a = flush_input(f, a, fpcr, fpsr);
    int width = is64 ? 64 : 32;
    uint64_t sign = get_sign(f, a);
    /* limits as magnitudes: result must satisfy -neg_limit <= value <= pos_limit */
    uint64_t pos_limit = is_unsigned ? (width == 64 ? ~0ull : 0xffffffffull)
                                     : (width == 64 ? 0x7fffffffffffffffull : 0x7fffffffull);
    uint64_t neg_limit = is_unsigned ? 0 : pos_limit + 1;
    uint64_t result_mask = width == 64 ? ~0ull : 0xffffffffull;
    if (is_nan(f, a)) {
        *fpsr |= A64_FPSR_IOC;
        return 0;
    }
    if (is_inf(f, a)) {
        *fpsr |= A64_FPSR_IOC;
        return sign ? (-neg_limit) & result_mask : pos_limit;
    }
    if (is_zero(f, a))
        return 0;
    uint64_t mant;
    int exp;
    unpack(f, a, &mant, &exp);
    exp += (int)fbits;
    uint64_t magnitude;
    bool inexact = false, overflow = false;
    if (exp >= 0) {
        if (exp >= 64 || clz64(mant) < exp) {
            overflow = true;
            magnitude = ~0ull;
        } else {
            magnitude = mant << exp;
        }
    } else {
        int shift = -exp;
        uint64_t kept, round_bit, rest;
        if (shift > 64) {
            kept = 0; round_bit = 0; rest = 1;
        } else if (shift == 64) {
            kept = 0; round_bit = mant >> 63; rest = (mant << 1) != 0;
        } else {
            kept = mant >> shift;
            round_bit = (mant >> (shift - 1)) & 1;
            rest = (mant & ((1ull << (shift - 1)) - 1)) != 0;
        }
        inexact = round_bit || rest;
        bool increment = false;
        switch (rounding) {
        case A64_ROUND_NEAREST: increment = round_bit && (rest || (kept & 1)); break;
        case A64_ROUND_PLUS: increment = !sign && inexact; break;
        case A64_ROUND_MINUS: increment = sign && inexact; break;
        case A64_ROUND_ZERO: case A64_ROUND_FPCR: increment = false; break;
        case A64_ROUND_AWAY: increment = round_bit; break;
        }
        magnitude = kept + increment;
        if (increment && magnitude == 0)
            overflow = true;
    }
    if (!overflow && (sign ? magnitude > neg_limit : magnitude > pos_limit))
        overflow = true;
    if (overflow) {
        *fpsr |= A64_FPSR_IOC;
        return sign ? (-neg_limit) & result_mask : pos_limit;
    }
    if (inexact)
        *fpsr |= A64_FPSR_IXC;
    return (sign ? -magnitude : magnitude) & result_mask;
}

uint64_t a64_fpc_from_int(uint64_t v, int dbl, int is_unsigned, int is64, unsigned fbits,
                          uint32_t fpcr, uint32_t *fpsr)
{
    uint64_t r;
    if (fbits == 0 && fpcr_rounding(fpcr) == A64_ROUND_NEAREST &&
        fast_from_int(v, dbl, is_unsigned, is64, fpsr, &r))
        return r;
    const struct fp_format *f = fmt_of(dbl);
    uint64_t sign = 0;
    if (!is64)
        v = is_unsigned ? (v & 0xffffffffull) : (uint64_t)(int64_t)(int32_t)(uint32_t)v;
    if (!is_unsigned && (int64_t)v < 0) {
        sign = 1;
        v = -v;
    }
    /* conversions never underflow or flush: FZ does not apply to the result */
    return round_pack(f, sign, -(int)fbits, v, false, fpcr_rounding(fpcr), fpcr & ~A64_FPCR_FZ, fpsr);
}

uint64_t a64_fpc_round(uint64_t a, int dbl, enum a64_rounding rounding, int exact,
                       uint32_t fpcr, uint32_t *fpsr)
{
    const struct fp_format *f = fmt_of(dbl);
    if (rounding == A64_ROUND_FPCR)
        rounding = fpcr_rounding(fpcr);
    a = flush_input(f, a, fpcr, fpsr);
    uint64_t r;
    if (process_nans(f, &a, 1, fpcr, fpsr, &r))
        return r;
    if (is_inf(f, a) || is_zero(f, a))
        return a;
    uint64_t sign = get_sign(f, a);
    int64_t e = (int64_t)get_exp(f, a) - f->bias;          /* unbiased exponent */
    if (e >= f->mant_bits)
        return a;                                           /* already integral */
    uint64_t kept_int;                                      /* integer part magnitude */
    bool round_bit, rest;
    if (e < 0) {
        kept_int = 0;
        round_bit = e == -1;
        rest = e == -1 ? get_frac(f, a) != 0 : true;
    } else {
        int frac_bits = f->mant_bits - (int)e;
        uint64_t mant = get_frac(f, a) | (1ull << f->mant_bits);
        kept_int = mant >> frac_bits;
        round_bit = (mant >> (frac_bits - 1)) & 1;
        rest = (mant & ((1ull << (frac_bits - 1)) - 1)) != 0;
    }
    bool inexact = round_bit || rest;
    bool increment = false;
    switch (rounding) {
    case A64_ROUND_NEAREST: increment = round_bit && (rest || (kept_int & 1)); break;
    case A64_ROUND_PLUS: increment = !sign && inexact; break;
    case A64_ROUND_MINUS: increment = sign && inexact; break;
    case A64_ROUND_ZERO: case A64_ROUND_FPCR: increment = false; break;
    case A64_ROUND_AWAY: increment = round_bit; break;
    }
    uint64_t value = kept_int + increment;
    if (exact && inexact)
        *fpsr |= A64_FPSR_IXC;
    if (value == 0)
        return zero_of(f, sign);
    /* exact conversion of a small integer back to the format */
    uint32_t ignored = 0;
    return round_pack(f, sign, 0, value, false, A64_ROUND_ZERO, fpcr & ~A64_FPCR_FZ, &ignored);
}

/* ---- state wrappers ------------------------------------------------------------------------- */

static inline struct a64_state *st(void *state) { return (struct a64_state *)state; }

/* The state wrappers try the fast paths themselves (inlined), so that the common case
 * is a short leaf function; the cores repeat the attempt only on the rarer way in. */
uint64_t a64_fp_arith(void *state, uint64_t a, uint64_t b, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    if (default_modes(st(state)->FPCR)) {
        uint64_t r;
        enum a64_fp_op op = (enum a64_fp_op)(code >> 1);
        if ((code & 1) ? fast_arith_double(op, a, b, &fpsr, &r) : fast_arith_float(op, a, b, &fpsr, &r)) {
            st(state)->FPSR = fpsr;
            return r;
        }
    }
    uint64_t r = a64_fpc_arith((enum a64_fp_op)(code >> 1), a, b, code & 1, st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint64_t a64_fp_sqrt(void *state, uint64_t a, uint32_t dbl)
{
    uint32_t fpsr = st(state)->FPSR;
    uint64_t r = a64_fpc_sqrt(a, dbl & 1, st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint64_t a64_fp_muladd(void *state, uint64_t addend, uint64_t n, uint64_t m, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    if (default_modes(st(state)->FPCR)) {
        /* FMSUB/FNMADD/FNMSUB negations (o1 = code bit 1, o0 = bit 2) as sign flips */
        int dbl = code & 1, o1 = (code >> 1) & 1, o0 = (code >> 2) & 1;
        uint64_t sign = 1ull << (dbl ? 63 : 31), r;
        uint64_t fast_addend = o1 ? addend ^ sign : addend, fast_n = o0 != o1 ? n ^ sign : n;
        if (dbl ? fast_muladd_double(fast_addend, fast_n, m, &fpsr, &r)
                : fast_muladd_float(fast_addend, fast_n, m, &fpsr, &r))
            return r;           /* the fused fast path raises no flags */
    }
    uint64_t r = a64_fpc_muladd(addend, n, m, code & 1, (code >> 1) & 1, (code >> 2) & 1,
                                st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint32_t a64_fp_compare(void *state, uint64_t a, uint64_t b, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    uint32_t r = a64_fpc_compare(a, b, code & 1, (code >> 1) & 1, st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint64_t a64_fp_convert(void *state, uint64_t a, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    uint64_t r = a64_fpc_convert(a, code & 3, (code >> 2) & 3, st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint64_t a64_fp_to_int(void *state, uint64_t a, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    unsigned rounding = (code >> 3) & 7;
    uint64_t r = a64_fpc_to_int(a, code & 1, (code >> 1) & 1, (code >> 2) & 1,
                                rounding > 5 ? A64_ROUND_ZERO : (enum a64_rounding)rounding,
                                (code >> 8) & 127, st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint64_t a64_int_to_fp(void *state, uint64_t v, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    uint64_t r = a64_fpc_from_int(v, code & 1, (code >> 1) & 1, (code >> 2) & 1, (code >> 8) & 127,
                                  st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

uint64_t a64_fp_round(void *state, uint64_t a, uint32_t code)
{
    uint32_t fpsr = st(state)->FPSR;
    unsigned rounding = (code >> 1) & 7;
    uint64_t r = a64_fpc_round(a, code & 1, rounding > 5 ? A64_ROUND_FPCR : (enum a64_rounding)rounding,
                               (code >> 4) & 1, st(state)->FPCR, &fpsr);
    st(state)->FPSR = fpsr;
    return r;
}

/* ---- AdvSIMD integer lanes ------------------------------------------------------------------
 * Lanes are 8 << size bits; a 64-bit (Q = 0) operation uses the low half and returns
 * the upper half zero. Arithmetic is done in __int128 so that no lane width overflows. */

typedef __int128 s128;

static inline uint64_t lane_mask(unsigned size)
{
    return size >= 3 ? ~0ull : (1ull << (8u << size)) - 1;
}
static inline uint64_t lane_get(u128 v, unsigned size, unsigned i)
{
    return (uint64_t)(v >> (i * (8u << size))) & lane_mask(size);
}
static inline u128 lane_put(u128 v, unsigned size, unsigned i, uint64_t x)
{
    unsigned pos = i * (8u << size);
    return (v & ~((u128)lane_mask(size) << pos)) | ((u128)(x & lane_mask(size)) << pos);
}
static inline int64_t lane_signed(uint64_t x, unsigned size)
{
    unsigned bits = 8u << size;
    return bits == 64 ? (int64_t)x : (int64_t)(x << (64 - bits)) >> (64 - bits);
}
/* The lane value as a mathematical integer, signed or not. */
static inline s128 lane_value(uint64_t x, unsigned size, bool is_unsigned)
{
    return is_unsigned ? (s128)x : (s128)lane_signed(x, size);
}

/* Saturates v to the lane range; sets QC when it had to. */
static uint64_t saturate(s128 v, unsigned size, bool is_unsigned, uint32_t *fpsr)
{
    unsigned bits = 8u << size;
    s128 lo = is_unsigned ? 0 : -((s128)1 << (bits - 1));
    s128 hi = is_unsigned ? ((s128)1 << bits) - 1 : ((s128)1 << (bits - 1)) - 1;
    if (v < lo) { *fpsr |= A64_FPSR_QC; v = lo; }
    if (v > hi) { *fpsr |= A64_FPSR_QC; v = hi; }
    return (uint64_t)v & lane_mask(size);
}

/* SSHL/USHL: shift by the signed low byte of the shift lane (negative: right). */
static uint64_t shift_by_register(uint64_t x, uint64_t amount_lane, unsigned size, bool is_unsigned)
{
    int amount = (int8_t)(uint8_t)amount_lane;
    int bits = 8 << size;
    s128 v = lane_value(x, size, is_unsigned);
    if (amount >= 0) {
        if (amount >= bits)
            return 0;
        return (uint64_t)((u128)v << amount) & lane_mask(size);
    }
    amount = -amount;
    if (amount >= bits)
        amount = bits;          /* all bits gone: 0, or the sign for a signed lane */
    return (uint64_t)(v >> amount) & lane_mask(size);
}

static uint64_t three_same_lane(unsigned opcode, bool u, unsigned size, uint64_t x, uint64_t y,
                                uint32_t *fpsr)
{
    s128 a = lane_value(x, size, u), b = lane_value(y, size, u);
    uint64_t ones = lane_mask(size);
    switch (opcode) {
    case 0: return (uint64_t)((a + b) >> 1) & ones;                 /* SHADD/UHADD */
    case 1: return saturate(a + b, size, u, fpsr);                  /* SQADD/UQADD */
    case 2: return (uint64_t)((a + b + 1) >> 1) & ones;             /* SRHADD/URHADD */
    case 4: return (uint64_t)((a - b) >> 1) & ones;                 /* SHSUB/UHSUB */
    case 5: return saturate(a - b, size, u, fpsr);                  /* SQSUB/UQSUB */
    case 6: return a > b ? ones : 0;                                /* CMGT/CMHI */
    case 7: return a >= b ? ones : 0;                               /* CMGE/CMHS */
    case 8: return shift_by_register(x, y, size, u);                /* SSHL/USHL */
    case 12: return (uint64_t)(a > b ? a : b) & ones;               /* SMAX/UMAX */
    case 13: return (uint64_t)(a < b ? a : b) & ones;               /* SMIN/UMIN */
    case 14: return (uint64_t)(a > b ? a - b : b - a) & ones;       /* SABD/UABD */
    case 16: return (u ? x - y : x + y) & ones;                     /* ADD/SUB */
    case 17: return (u ? x == y : (x & y) != 0) ? ones : 0;         /* CMEQ/CMTST */
    case 19: return (x * y) & ones;                                 /* MUL */
    case 20: return (uint64_t)(a > b ? a : b) & ones;               /* SMAXP/UMAXP */
    case 21: return (uint64_t)(a < b ? a : b) & ones;               /* SMINP/UMINP */
    case 23: return (x + y) & ones;                                 /* ADDP */
    default: return 0;
    }
}

/* ---- fast paths: whole 64-bit halves at once (SWAR) --------------------------------------
 * Hot loops that gcc vectorises (hashes, checksums) run shifts and adds millions of
 * times; doing all lanes of a half with a few 64-bit operations instead of a lane loop
 * makes these helpers several times cheaper. */

/* m (a value of one lane, size 0..2) copied into every lane of 64 bits. */
static inline uint64_t swar_replicate(uint64_t m, unsigned size)
{
    static const uint64_t ones[3] = { 0x0101010101010101ull, 0x0001000100010001ull, 0x0000000100000001ull };
    return m * ones[size];
}

static inline uint64_t swar_add(uint64_t x, uint64_t y, uint64_t high)
{
    return ((x & ~high) + (y & ~high)) ^ ((x ^ y) & high);
}

static inline uint64_t swar_sub(uint64_t x, uint64_t y, uint64_t high)
{
    return ((x | high) - (y & ~high)) ^ ((x ^ ~y) & high);
}

/* SHL (op 10), USHR (op 0, u), SSHR (op 0, !u) of every lane of x (size 0..2) by
 * shift: 0..bits-1 for SHL, 1..bits for the right shifts. */
static uint64_t swar_shift(uint64_t x, unsigned size, unsigned opcode, bool u, unsigned shift)
{
    unsigned bits = 8u << size;
    uint64_t lane = lane_mask(size);
    if (opcode == 10)
        return (x << shift) & swar_replicate((lane << shift) & lane, size);
    uint64_t r = (x >> shift) & swar_replicate(lane >> shift, size);
    if (!u) {
        /* a 1 at bit 0 of every negative lane, times the lane's top `shift` bits: the
         * product stays inside each lane, so this is the sign fill of every lane */
        uint64_t negative = (x & swar_replicate(1ull << (bits - 1), size)) >> (bits - 1);
        r |= negative * (lane & ~(lane >> shift));
    }
    return r;
}

static inline u128 halves(uint64_t lo, uint64_t hi) { return (u128)hi << 64 | lo; }

/* ADD/SUB (vector): no flags, no saturation, so whole halves at once. */
static u128 add_sub_halves(u128 a, u128 b, unsigned size, bool sub, bool q)
{
    uint64_t alo = (uint64_t)a, ahi = (uint64_t)(a >> 64), blo = (uint64_t)b, bhi = (uint64_t)(b >> 64);
    uint64_t lo, hi;
    if (size == 3) {
        lo = sub ? alo - blo : alo + blo;
        hi = sub ? ahi - bhi : ahi + bhi;
    } else {
        uint64_t high = swar_replicate(1ull << ((8u << size) - 1), size);
        lo = sub ? swar_sub(alo, blo, high) : swar_add(alo, blo, high);
        hi = sub ? swar_sub(ahi, bhi, high) : swar_add(ahi, bhi, high);
    }
    return halves(lo, q ? hi : 0);
}

unsigned __int128 a64_simd_3same(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code)
{
    if (((code >> 2) & 31) == 16)
        return add_sub_halves(a, b, code & 3, (code >> 7) & 1, (code >> 8) & 1);
    unsigned size = code & 3, opcode = (code >> 2) & 31;
    bool u = (code >> 7) & 1, q = (code >> 8) & 1;
    unsigned elements = (q ? 16u : 8u) >> size;
    uint32_t fpsr = st(state)->FPSR;
    u128 r = 0;
    bool pairwise = opcode == 20 || opcode == 21 || opcode == 23;
    for (unsigned i = 0; i < elements; i++) {
        uint64_t x, y;
        if (pairwise) {
            /* pairs of the concatenation b:a, a's lanes first */
            unsigned j = 2 * i;
            u128 src = j < elements ? a : b;
            j %= elements;
            x = lane_get(src, size, j);
            y = lane_get(src, size, j + 1);
        } else {
            x = lane_get(a, size, i);
            y = lane_get(b, size, i);
        }
        r = lane_put(r, size, i, three_same_lane(opcode, u, size, x, y, &fpsr));
    }
    st(state)->FPSR = fpsr;
    return r;
}

static unsigned popcount8(uint64_t x)
{
    unsigned n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static uint64_t bit_reverse8(uint64_t x)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++)
        r |= ((x >> i) & 1) << (7 - i);
    return r;
}

unsigned __int128 a64_simd_2misc(void *state, unsigned __int128 a, uint32_t code)
{
    unsigned size = code & 3, opcode = (code >> 2) & 31;
    bool u = (code >> 7) & 1, q = (code >> 8) & 1;
    unsigned elements = (q ? 16u : 8u) >> size;
    unsigned bits = 8u << size;
    uint64_t ones = lane_mask(size);
    u128 r = 0;
    if (opcode == 18) {
        /* XTN: narrow lanes of 2 * bits from the whole source into 64 bits */
        unsigned count = 64 / bits;
        for (unsigned i = 0; i < count; i++)
            r = lane_put(r, size, i, lane_get(a, size + 1, i));
        return r;
    }
    if (opcode <= 1) {
        /* REV64 (0, U0), REV32 (0, U1), REV16 (1): reverse elements in each container */
        unsigned container = opcode == 1 ? 16 : u ? 32 : 64;
        unsigned flip = container / bits - 1;
        for (unsigned i = 0; i < elements; i++)
            r = lane_put(r, size, i ^ flip, lane_get(a, size, i));
        return r;
    }
    for (unsigned i = 0; i < elements; i++) {
        uint64_t x = lane_get(a, size, i);
        s128 v = lane_value(x, size, false);
        uint64_t res = 0;
        switch (opcode) {
        case 4:
            if (u) {                                    /* CLZ */
                res = (uint64_t)(clz64(x) - (64 - (int)bits));
            } else {                                    /* CLS */
                uint64_t y = (x ^ (x >> 1)) & (ones >> 1);
                res = (uint64_t)(clz64(y) - (64 - (int)bits) - 1);
            }
            break;
        case 5:                                         /* CNT, NOT (RBIT: below) */
            res = u ? ~x & ones : (uint64_t)popcount8(x);
            break;
        case 8: res = u ? (v >= 0 ? ones : 0) : (v > 0 ? ones : 0); break;   /* CMGE/CMGT #0 */
        case 9: res = u ? (v <= 0 ? ones : 0) : (v == 0 ? ones : 0); break;  /* CMLE/CMEQ #0 */
        case 10: res = v < 0 ? ones : 0; break;                               /* CMLT #0 */
        case 11: res = (uint64_t)(u ? -v : (v < 0 ? -v : v)) & ones; break;   /* NEG/ABS */
        default: res = 0; break;
        }
        r = lane_put(r, size, i, res);
    }
    if (opcode == 5 && u && size == 1) {
        /* RBIT: reverse the bits of every byte */
        r = 0;
        for (unsigned i = 0; i < (q ? 16u : 8u); i++)
            r = lane_put(r, 0, i, bit_reverse8(lane_get(a, 0, i)));
    }
    return r;
}

uint64_t a64_simd_across(void *state, unsigned __int128 a, uint32_t code)
{
    unsigned size = code & 3, opcode = (code >> 2) & 31;
    bool u = (code >> 7) & 1, q = (code >> 8) & 1;
    unsigned elements = (q ? 16u : 8u) >> size;
    bool is_max = opcode == 10, is_min = opcode == 26;
    s128 acc = lane_value(lane_get(a, size, 0), size, u);
    if (opcode == 27)
        acc = lane_get(a, size, 0);
    for (unsigned i = 1; i < elements; i++) {
        s128 v = lane_value(lane_get(a, size, i), size, opcode == 27 ? true : u);
        if (is_max)
            acc = v > acc ? v : acc;
        else if (is_min)
            acc = v < acc ? v : acc;
        else
            acc += v;
    }
    unsigned rsize = opcode == 3 ? size + 1 : size;     /* SADDLV/UADDLV widen */
    return (uint64_t)acc & lane_mask(rsize);
}

unsigned __int128 a64_simd_shift(void *state, unsigned __int128 a, uint32_t code, uint32_t shift)
{
    unsigned size = code & 3, opcode = (code >> 2) & 31;
    bool u = (code >> 7) & 1, q = (code >> 8) & 1;
    unsigned bits = 8u << size;
    u128 r = 0;
    if ((opcode == 0 || opcode == 10) && size < 3) {
        uint64_t lo = swar_shift((uint64_t)a, size, opcode, u, shift);
        return halves(lo, q ? swar_shift((uint64_t)(a >> 64), size, opcode, u, shift) : 0);
    }
    if (opcode == 20) {
        /* SSHLL/USHLL (UXTL...): widen the low (Q = 0) or high (Q = 1) half, then shift
         * left (shift < bits, so a widened lane never overflows); 64-bit arithmetic
         * only, this runs in hot loops */
        unsigned wide = 2 * bits, per_half = 64 / wide;
        uint64_t src = q ? (uint64_t)(a >> 64) : (uint64_t)a;
        uint64_t wide_mask = lane_mask(size + 1), half[2] = { 0, 0 };
        for (unsigned h = 0; h < 2; h++) {
            for (unsigned j = 0; j < per_half; j++) {
                uint64_t x = (src >> ((h * per_half + j) * bits)) & lane_mask(size);
                if (!u)
                    x = (uint64_t)lane_signed(x, size) & wide_mask;
                half[h] |= ((x << shift) & wide_mask) << (j * wide);
            }
        }
        return halves(half[0], half[1]);
    }
    unsigned elements = (q ? 16u : 8u) >> size;
    for (unsigned i = 0; i < elements; i++) {
        s128 v = lane_value(lane_get(a, size, i), size, u);
        s128 res;
        if (opcode == 10)
            res = shift >= bits ? 0 : (s128)((u128)v << shift);      /* SHL */
        else if (opcode == 4)
            res = (v + ((s128)1 << (shift - 1))) >> shift;          /* SRSHR/URSHR */
        else
            res = v >> (shift > bits ? bits : shift);               /* SSHR/USHR */
        r = lane_put(r, size, i, (uint64_t)res);
    }
    return r;
}

uint64_t a64_simd_shift_narrow(void *state, unsigned __int128 a, uint32_t code, uint32_t shift)
{
    unsigned size = code & 3, opcode = (code >> 2) & 31;
    unsigned bits = 8u << size;
    unsigned count = 64 / bits;
    u128 narrow = 0;
    for (unsigned i = 0; i < count; i++) {
        s128 v = lane_get(a, size + 1, i);
        if (opcode == 17)
            v += (s128)1 << (shift - 1);                            /* RSHRN rounds */
        narrow = lane_put(narrow, size, i, (uint64_t)(v >> shift));
    }
    return (uint64_t)narrow;
}

unsigned __int128 a64_simd_3diff(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code)
{
    unsigned size = code & 3, opcode = (code >> 2) & 15;
    bool u = (code >> 7) & 1, q = (code >> 8) & 1;
    unsigned count = 64 / (8u << size);
    u128 narrow_a = q ? a >> 64 : a, narrow_b = q ? b >> 64 : b;
    bool wide_a = opcode == 1 || opcode == 3;
    u128 r = 0;
    for (unsigned i = 0; i < count; i++) {
        s128 x = wide_a ? lane_value(lane_get(a, size + 1, i), size + 1, u)
                        : lane_value(lane_get(narrow_a, size, i), size, u);
        s128 y = lane_value(lane_get(narrow_b, size, i), size, u);
        s128 res;
        switch (opcode) {
        case 0: case 1: res = x + y; break;                         /* ADDL, ADDW */
        case 2: case 3: res = x - y; break;                         /* SUBL, SUBW */
        case 7: res = x > y ? x - y : y - x; break;                 /* ABDL */
        default: res = x * y; break;                                /* MULL */
        }
        r = lane_put(r, size + 1, i, (uint64_t)res);
    }
    return r;
}

/* UZP/ZIP/TRN on 64-bit words (lanes of 8 << size bits, size 0..2). Even lanes of a
 * word packed into its low 32 bits, and the inverse (32 bits spread to the even lanes). */
static inline uint64_t swar_even_lanes(uint64_t x, unsigned size)
{
    if (size == 0) {
        x &= 0x00ff00ff00ff00ffull;
        x = (x | x >> 8) & 0x0000ffff0000ffffull;
    } else if (size == 1) {
        x &= 0x0000ffff0000ffffull;
    }
    if (size <= 1)
        x = x | x >> 16;
    return x & 0xffffffffull;
}

static inline uint64_t swar_spread_lanes(uint64_t x, unsigned size)
{
    x &= 0xffffffffull;
    if (size <= 1)
        x = (x | x << 16) & 0x0000ffff0000ffffull;
    if (size == 0)
        x = (x | x << 8) & 0x00ff00ff00ff00ffull;
    return x;
}

static u128 perm_halves(u128 a, u128 b, unsigned size, unsigned kind, unsigned part, bool q)
{
    uint64_t alo = (uint64_t)a, ahi = (uint64_t)(a >> 64), blo = (uint64_t)b, bhi = (uint64_t)(b >> 64);
    unsigned bits = 8u << size;
    if (size == 3)      /* 2D (Q = 1): the "1" forms take the low lanes, the "2" forms the high */
        return part ? halves(ahi, bhi) : halves(alo, blo);
    uint64_t even = swar_spread_lanes(~0ull, size);
    uint64_t lo, hi = 0;
    switch (kind) {
    case 1:             /* UZP: even (or odd) lanes of a, then of b */
        if (part) {
            alo >>= bits; ahi >>= bits; blo >>= bits; bhi >>= bits;
        }
        if (q) {
            lo = swar_even_lanes(alo, size) | swar_even_lanes(ahi, size) << 32;
            hi = swar_even_lanes(blo, size) | swar_even_lanes(bhi, size) << 32;
        } else {
            lo = swar_even_lanes(alo, size) | swar_even_lanes(blo, size) << 32;
        }
        break;
    case 2:             /* TRN: even lanes from a, odd lanes from b's even (or the odd ones) */
        if (part) {
            lo = ((alo >> bits) & even) | (blo & ~even);
            hi = ((ahi >> bits) & even) | (bhi & ~even);
        } else {
            lo = (alo & even) | (blo & even) << bits;
            hi = (ahi & even) | (bhi & even) << bits;
        }
        if (!q)
            hi = 0;
        break;
    default: {          /* ZIP: the low (or high) halves of a and b interleaved */
        uint64_t sa, sb;
        if (q) {
            sa = part ? ahi : alo;
            sb = part ? bhi : blo;
            lo = swar_spread_lanes(sa, size) | swar_spread_lanes(sb, size) << bits;
            hi = swar_spread_lanes(sa >> 32, size) | swar_spread_lanes(sb >> 32, size) << bits;
        } else {
            sa = part ? alo >> 32 : alo;
            sb = part ? blo >> 32 : blo;
            lo = swar_spread_lanes(sa, size) | swar_spread_lanes(sb, size) << bits;
        }
        break;
    }
    }
    return halves(lo, hi);
}

unsigned __int128 a64_simd_perm(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code)
{
    if ((code >> 2) & 3)
        return perm_halves(a, b, code & 3, (code >> 2) & 3, (code >> 4) & 1, (code >> 5) & 1);
    return a64_simd_perm_lanes(a, b, code);
}

/* The lane-by-lane definition (the tests check perm_halves against it). */
unsigned __int128 a64_simd_perm_lanes(unsigned __int128 a, unsigned __int128 b, uint32_t code)
{
    unsigned size = code & 3, opcode = (code >> 2) & 7;
    bool q = (code >> 5) & 1;
    unsigned elements = (q ? 16u : 8u) >> size;
    unsigned half = elements / 2;
    unsigned part = opcode >> 2;        /* 0: the "1" forms, 1: the "2" forms */
    u128 r = 0;
    for (unsigned i = 0; i < elements; i++) {
        uint64_t x = 0;
        switch (opcode & 3) {
        case 1: {                       /* UZP: even (or odd) lanes of a, then of b */
            unsigned j = 2 * i + part;
            x = j < elements ? lane_get(a, size, j) : lane_get(b, size, j - elements);
            break;
        }
        case 2: {                       /* TRN */
            unsigned base = (i & ~1u) + part;
            x = (i & 1) ? lane_get(b, size, base) : lane_get(a, size, base);
            break;
        }
        case 3: {                       /* ZIP */
            unsigned j = i / 2 + part * half;
            x = (i & 1) ? lane_get(b, size, j) : lane_get(a, size, j);
            break;
        }
        }
        r = lane_put(r, size, i, x);
    }
    return r;
}

unsigned __int128 a64_simd_tbl_values(const unsigned __int128 *table, unsigned nregs,
                                      unsigned __int128 indices, unsigned __int128 fallback,
                                      int tbx, int q)
{
    unsigned bytes = q ? 16 : 8;
    u128 r = 0;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned index = (unsigned)lane_get(indices, 0, i);
        uint64_t x;
        if (index < 16 * nregs)
            x = lane_get(table[index / 16], 0, index % 16);
        else
            x = tbx ? lane_get(fallback, 0, i) : 0;
        r = lane_put(r, 0, i, x);
    }
    return r;
}

unsigned __int128 a64_simd_tbl(void *state, unsigned __int128 indices, uint32_t code)
{
    unsigned rn = code & 31, nregs = ((code >> 5) & 3) + 1, rd = (code >> 9) & 31;
    u128 table[4];
    for (unsigned i = 0; i < nregs; i++)
        table[i] = st(state)->VR[(rn + i) % 32];
    return a64_simd_tbl_values(table, nregs, indices, st(state)->VR[rd], (code >> 7) & 1, (code >> 8) & 1);
}

/* ---- AdvSIMD floating point lanes ----------------------------------------------------------
 * Each lane goes through the scalar cores, so rounding, NaN rules, flush-to-zero and
 * the FPSR flags are exactly those of the scalar instructions. */

static uint64_t fp_abs_bits(uint64_t x, int dbl)
{
    return x & ~(1ull << (dbl ? 63 : 31));
}

/* FCMEQ/FCMGE/FCMGT (and the absolute forms): all ones when the relation holds.
 * Equality is a quiet compare (only signalling NaNs raise Invalid Operation); the
 * ordered relations signal on any NaN. NZCV of a compare: 0110 equal, 1000 less,
 * 0010 greater, 0011 unordered. */
enum fp_relation { REL_EQ, REL_GE, REL_GT, REL_LE, REL_LT };

static uint64_t fp_relation_lane(enum fp_relation rel, uint64_t x, uint64_t y, int dbl,
                                 uint32_t fpcr, uint32_t *fpsr)
{
    uint32_t nzcv = a64_fpc_compare(x, y, dbl, rel != REL_EQ, fpcr, fpsr);
    bool holds;
    switch (rel) {
    case REL_EQ: holds = nzcv == 0x6; break;
    case REL_GE: holds = nzcv == 0x6 || nzcv == 0x2; break;
    case REL_GT: holds = nzcv == 0x2; break;
    case REL_LE: holds = nzcv == 0x6 || nzcv == 0x8; break;
    default:     holds = nzcv == 0x8; break;
    }
    return holds ? ~0ull : 0;
}

static uint64_t fp_3same_lane(unsigned sel, uint64_t x, uint64_t y, uint64_t addend, int dbl,
                              uint32_t fpcr, uint32_t *fpsr)
{
    switch (sel) {
    case 0x00: case 0x10: return a64_fpc_arith(A64_FP_MAXNM, x, y, dbl, fpcr, fpsr);
    case 0x08: case 0x18: return a64_fpc_arith(A64_FP_MINNM, x, y, dbl, fpcr, fpsr);
    case 0x01: return a64_fpc_muladd(addend, x, y, dbl, 0, 0, fpcr, fpsr);      /* FMLA */
    case 0x09: return a64_fpc_muladd(addend, x, y, dbl, 0, 1, fpcr, fpsr);      /* FMLS */
    case 0x02: case 0x12: return a64_fpc_arith(A64_FP_ADD, x, y, dbl, fpcr, fpsr);
    case 0x0a: return a64_fpc_arith(A64_FP_SUB, x, y, dbl, fpcr, fpsr);
    case 0x1a: return fp_abs_bits(a64_fpc_arith(A64_FP_SUB, x, y, dbl, fpcr, fpsr), dbl);
    case 0x13: return a64_fpc_arith(A64_FP_MUL, x, y, dbl, fpcr, fpsr);
    case 0x17: return a64_fpc_arith(A64_FP_DIV, x, y, dbl, fpcr, fpsr);
    case 0x06: case 0x16: return a64_fpc_arith(A64_FP_MAX, x, y, dbl, fpcr, fpsr);
    case 0x0e: case 0x1e: return a64_fpc_arith(A64_FP_MIN, x, y, dbl, fpcr, fpsr);
    case 0x04: return fp_relation_lane(REL_EQ, x, y, dbl, fpcr, fpsr);
    case 0x14: return fp_relation_lane(REL_GE, x, y, dbl, fpcr, fpsr);
    case 0x1c: return fp_relation_lane(REL_GT, x, y, dbl, fpcr, fpsr);
    case 0x15: return fp_relation_lane(REL_GE, fp_abs_bits(x, dbl), fp_abs_bits(y, dbl), dbl, fpcr, fpsr);
    case 0x1d: return fp_relation_lane(REL_GT, fp_abs_bits(x, dbl), fp_abs_bits(y, dbl), dbl, fpcr, fpsr);
    default:   return 0;
    }
}

/* The FP lanes of v (32 bits when !dbl, else 64), taken from its 64-bit halves: the
 * generic lane accessors shift 128-bit values, which costs more than the arithmetic. */
static inline void fp_lanes_get(u128 v, int dbl, uint64_t lanes[4])
{
    uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);
    if (dbl) {
        lanes[0] = lo;
        lanes[1] = hi;
    } else {
        lanes[0] = lo & 0xffffffffu;
        lanes[1] = lo >> 32;
        lanes[2] = hi & 0xffffffffu;
        lanes[3] = hi >> 32;
    }
}

static inline u128 fp_lanes_put(const uint64_t lanes[4], int dbl, bool q)
{
    uint64_t lo = dbl ? lanes[0] : (lanes[0] & 0xffffffffu) | lanes[1] << 32;
    uint64_t hi = dbl ? lanes[1] : (lanes[2] & 0xffffffffu) | lanes[3] << 32;
    return halves(lo, q ? hi : 0);
}

/* FADD FSUB FMUL FDIV FMLA FMLS lanes through the fast paths; false: the exact core
 * decides (the caller also checked the FPCR modes). */
static inline bool fp_3same_fast_lane(unsigned sel, uint64_t x, uint64_t y, uint64_t addend, int dbl,
                                      uint32_t *fpsr, uint64_t *out)
{
    enum a64_fp_op op;
    switch (sel) {
    case 0x02: op = A64_FP_ADD; break;
    case 0x0a: op = A64_FP_SUB; break;
    case 0x13: op = A64_FP_MUL; break;
    case 0x17: op = A64_FP_DIV; break;
    case 0x01: case 0x09:
        /* FMLA: addend + x*y; FMLS: addend + (-x)*y */
        if (sel == 0x09)
            x ^= 1ull << (dbl ? 63 : 31);
        return dbl ? fast_muladd_double(addend, x, y, fpsr, out) : fast_muladd_float(addend, x, y, fpsr, out);
    default:
        return false;
    }
    return dbl ? fast_arith_double(op, x, y, fpsr, out) : fast_arith_float(op, x, y, fpsr, out);
}

/* The hottest vector forms (FADD FSUB FMUL FDIV FMLA FMLS, the inner loops of
 * vectorised numeric code) once FPSR.IXC is set: all lanes at once with packed SSE,
 * accepted when every lane's result is a number that cannot be tiny (biased exponent 2
 * and above; any finite value for FADD/FSUB, whose tiny results are exact). Otherwise
 * nothing is committed and the lane-by-lane path decides. */
typedef double packed_double __attribute__((vector_size(16)));
typedef float packed_float __attribute__((vector_size(16)));
typedef uint64_t packed_u64 __attribute__((vector_size(16)));
typedef uint32_t packed_u32 __attribute__((vector_size(16)));

/* Built from and split into 64-bit halves in registers: the values arrive in integer
 * registers (and the accumulator was stored by translated code as two 64-bit halves),
 * so a 128-bit memory round trip would stall on store forwarding. */
static inline packed_u64 packed_of(uint64_t lo, uint64_t hi) { return (packed_u64){ lo, hi }; }

/* The operation of fp_3same_fast_vector on x and y as one packed type (z the result;
 * returns false from there for an operation it does not do); FMA with the given VEX
 * instruction on the accumulator. */
#define PACKED_3SAME(type, fma_insn)                                                     \
    do {                                                                                 \
        type p = (type)x, r = (type)y, c;                                                \
        switch (sel) {                                                                   \
        case 0x02: c = p + r; break;                                                     \
        case 0x0a: c = p - r; break;                                                     \
        case 0x13: c = p * r; break;                                                     \
        case 0x17: c = p / r; break;                                                     \
        case 0x01: case 0x09:                                                            \
            c = (type)packed_of((uint64_t)*acc, q ? (uint64_t)(*acc >> 64) : 0);         \
            __asm__(fma_insn " %2, %1, %0" : "+x"(c) : "x"(p), "x"(r));                  \
            break;                                                                       \
        default: return false;                                                           \
        }                                                                                \
        z = (packed_u64)c;                                                               \
    } while (0)

static inline __attribute__((always_inline)) bool
fp_3same_fast_vector(unsigned sel, u128 a, u128 b, const u128 *acc, int dbl, bool q, u128 *out)
{
    /* a 64-bit form's unused upper lanes are zeros, not whatever the register held
     * (a subnormal there would cost the host a microcode assist) */
    uint64_t a_hi = q ? (uint64_t)(a >> 64) : 0, b_hi = q ? (uint64_t)(b >> 64) : 0;
    packed_u64 x = packed_of((uint64_t)a, a_hi), y = packed_of((uint64_t)b, b_hi);
    packed_u64 z;
    if (sel == 0x09)        /* FMLS: acc + (-x) * y */
        x ^= dbl ? packed_of(1ull << 63, 1ull << 63) : packed_of(0x8000000080000000ull, 0x8000000080000000ull);
    if (dbl) PACKED_3SAME(packed_double, "vfmadd231pd");
    else PACKED_3SAME(packed_float, "vfmadd231ps");
    uint64_t lo = z[0], hi = q ? z[1] : 0;
    bool sum = sel == 0x02 || sel == 0x0a;
    unsigned count = (q ? 4u : 2u) >> dbl;
    for (unsigned i = 0; i < count; i++) {
        uint64_t half = i < 2u >> dbl ? lo : hi;
        unsigned e = dbl ? (unsigned)(half >> 52) & 0x7ff : (unsigned)(half >> (i & 1 ? 55 : 23)) & 0xff;
        unsigned emax = dbl ? 0x7ff : 0xff;
        if (sum ? e == emax : e - 2 >= emax - 2)
            return false;
    }
    *out = halves(lo, hi);
    return true;
}
#undef PACKED_3SAME

unsigned __int128 a64_simd_fp_3same(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code)
{
    int dbl = code & 1;
    unsigned sel = ((code >> 1) & 7) | ((code >> 4) & 1) << 3 | ((code >> 5) & 1) << 4;
    bool q = (code >> 6) & 1;
    unsigned rd = (code >> 7) & 31;
    unsigned elements = (q ? 16u : 8u) >> (dbl ? 3 : 2);
    /* FMAXNMP FADDP FMAXP FMINNMP FMINP: pairs of the concatenation b:a, a's first */
    bool pairwise = sel == 0x10 || sel == 0x12 || sel == 0x16 || sel == 0x18 || sel == 0x1e;
    uint32_t fpcr = st(state)->FPCR, fpsr = st(state)->FPSR;
    bool fast = default_modes(fpcr) && !pairwise;
    u128 fast_result;
    if (fast && (fpsr & A64_FPSR_IXC) && host_has_fma() &&
        fp_3same_fast_vector(sel, a, b, &st(state)->VR[rd], dbl, q, &fast_result))
        return fast_result;
    uint64_t x[4], y[4], acc[4] = { 0, 0, 0, 0 }, r[4] = { 0, 0, 0, 0 };
    fp_lanes_get(a, dbl, x);
    fp_lanes_get(b, dbl, y);
    if (sel == 0x01 || sel == 0x09)
        fp_lanes_get(st(state)->VR[rd], dbl, acc);
    if (pairwise) {
        uint64_t pairs[8];
        for (unsigned i = 0; i < elements; i++) {
            pairs[i] = x[i];
            pairs[elements + i] = y[i];
        }
        for (unsigned i = 0; i < elements; i++) {
            x[i] = pairs[2 * i];
            y[i] = pairs[2 * i + 1];
        }
    }
    for (unsigned i = 0; i < elements; i++) {
        if (!(fast && fp_3same_fast_lane(sel, x[i], y[i], acc[i], dbl, &fpsr, &r[i])))
            r[i] = fp_3same_lane(sel, x[i], y[i], acc[i], dbl, fpcr, &fpsr);
    }
    st(state)->FPSR = fpsr;
    return fp_lanes_put(r, dbl, q);
}

/* The entry for FADD FSUB FMUL FDIV FMLA FMLS (vector) alone, so that the common case
 * is a short leaf function; anything the packed path declines goes to the general one. */
unsigned __int128 a64_simd_fp_arith(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code)
{
    const struct a64_state *s = st(state);
    if (default_modes(s->FPCR) && (s->FPSR & A64_FPSR_IXC) && host_has_fma()) {
        unsigned sel = ((code >> 1) & 7) | ((code >> 4) & 1) << 3 | ((code >> 5) & 1) << 4;
        u128 r;
        if (fp_3same_fast_vector(sel, a, b, &s->VR[(code >> 7) & 31], code & 1, (code >> 6) & 1, &r))
            return r;
    }
    return a64_simd_fp_3same(state, a, b, code);
}

static uint64_t fp_2misc_lane(unsigned sel, uint64_t x, int dbl, uint32_t fpcr, uint32_t *fpsr)
{
    unsigned op = sel & 31, ua = sel >> 5;      /* ua = U << 1 | a */
    bool u = ua >> 1, a = ua & 1;
    switch (op) {
    case 15: return u ? x ^ (1ull << (dbl ? 63 : 31)) : fp_abs_bits(x, dbl);   /* FNEG, FABS */
    case 31: return a64_fpc_sqrt(x, dbl, fpcr, fpsr);
    case 24: {                                  /* FRINTN, FRINTP, FRINTA */
        static const enum a64_rounding mode[3] = { A64_ROUND_NEAREST, A64_ROUND_PLUS, A64_ROUND_AWAY };
        return a64_fpc_round(x, dbl, mode[ua], 0, fpcr, fpsr);
    }
    case 25: {                                  /* FRINTM, FRINTZ, FRINTX, FRINTI */
        static const enum a64_rounding mode[4] = { A64_ROUND_MINUS, A64_ROUND_ZERO, A64_ROUND_FPCR,
                                                   A64_ROUND_FPCR };
        return a64_fpc_round(x, dbl, mode[ua], ua == 2, fpcr, fpsr);
    }
    case 26: case 27: case 28: {                /* FCVT{N,M,A,P,Z}{S,U} */
        enum a64_rounding rounding;
        if (op == 28)
            rounding = A64_ROUND_AWAY;
        else if (a)
            rounding = op == 26 ? A64_ROUND_PLUS : A64_ROUND_ZERO;
        else
            rounding = op == 26 ? A64_ROUND_NEAREST : A64_ROUND_MINUS;
        return a64_fpc_to_int(x, dbl, u, dbl, rounding, 0, fpcr, fpsr);
    }
    case 29: return a64_fpc_from_int(x, dbl, u, dbl, 0, fpcr, fpsr);           /* SCVTF, UCVTF */
    case 12: return fp_relation_lane(u ? REL_GE : REL_GT, x, 0, dbl, fpcr, fpsr);
    case 13: return fp_relation_lane(u ? REL_LE : REL_EQ, x, 0, dbl, fpcr, fpsr);
    case 14: return fp_relation_lane(REL_LT, x, 0, dbl, fpcr, fpsr);
    default: return 0;
    }
}

unsigned __int128 a64_simd_fp_2misc(void *state, unsigned __int128 a, uint32_t code)
{
    int dbl = code & 1;
    unsigned sel = ((code >> 1) & 31) | ((code >> 6) & 1) << 5 | ((code >> 7) & 1) << 6;
    bool q = (code >> 8) & 1;
    unsigned elements = (q ? 16u : 8u) >> (dbl ? 3 : 2);
    uint32_t fpcr = st(state)->FPCR, fpsr = st(state)->FPSR;
    uint64_t x[4], r[4] = { 0, 0, 0, 0 };
    fp_lanes_get(a, dbl, x);
    for (unsigned i = 0; i < elements; i++)
        r[i] = fp_2misc_lane(sel, x[i], dbl, fpcr, &fpsr);
    st(state)->FPSR = fpsr;
    return fp_lanes_put(r, dbl, q);
}
