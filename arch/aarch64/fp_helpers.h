/* The C side of the FP/AdvSIMD part of the AArch64 description: the functions that
 * arch/aarch64/fpsimd.adl and loadstore.adl declare `extern` (run-time helpers called
 * from generated code with the guest state first, and `extern disasm` name helpers),
 * plus the state-free cores the helpers are built on, which the unit tests call
 * directly (tests/aarch64-ls/).
 *
 * Values travel as raw bit patterns: double in a uint64_t, single in the low 32 bits
 * (upper half zero), half in the low 16 bits. FPCR/FPSR use the architectural bit
 * layout. */
#ifndef FERRY_ARCH_A64_FP_HELPERS_H
#define FERRY_ARCH_A64_FP_HELPERS_H

#include <stdint.h>

/* FPCR and FPSR bits used here. */
#define A64_FPCR_AHP    (1u << 26)
#define A64_FPCR_DN     (1u << 25)
#define A64_FPCR_FZ     (1u << 24)
#define A64_FPCR_RMODE_SHIFT 22
#define A64_FPSR_IOC    (1u << 0)
#define A64_FPSR_DZC    (1u << 1)
#define A64_FPSR_OFC    (1u << 2)
#define A64_FPSR_UFC    (1u << 3)
#define A64_FPSR_IXC    (1u << 4)
#define A64_FPSR_IDC    (1u << 7)
#define A64_FPSR_QC     (1u << 27)

/* Rounding for the explicit-rounding operations (FCVT*, FRINT*). */
enum a64_rounding {
    A64_ROUND_NEAREST = 0,   /* ties to even */
    A64_ROUND_PLUS = 1,      /* towards +infinity */
    A64_ROUND_MINUS = 2,     /* towards -infinity */
    A64_ROUND_ZERO = 3,
    A64_ROUND_AWAY = 4,      /* nearest, ties away from zero */
    A64_ROUND_FPCR = 5,      /* FPCR.RMode */
};

/* FP_2src opcodes (code = opcode << 1 | dbl for a64_fp_arith). */
enum a64_fp_op {
    A64_FP_MUL = 0, A64_FP_DIV, A64_FP_ADD, A64_FP_SUB, A64_FP_MAX, A64_FP_MIN,
    A64_FP_MAXNM, A64_FP_MINNM, A64_FP_NMUL,
};

/* ---- state-free cores: fpcr in, exception flags OR-ed into *fpsr ------------------- */
uint64_t a64_fpc_arith(enum a64_fp_op op, uint64_t a, uint64_t b, int dbl, uint32_t fpcr, uint32_t *fpsr);
uint64_t a64_fpc_sqrt(uint64_t a, int dbl, uint32_t fpcr, uint32_t *fpsr);
/* FMADD (o1 = 0, o0 = 0): addend + n*m; FMSUB: addend - n*m; FNMADD: -addend - n*m;
 * FNMSUB: -addend + n*m; fused (one rounding). */
uint64_t a64_fpc_muladd(uint64_t addend, uint64_t n, uint64_t m, int dbl, int o1, int o0,
                        uint32_t fpcr, uint32_t *fpsr);
/* The same without the host's FMA instructions (always available; used when the CPU
 * lacks FMA, and by the tests as a cross-check). */
uint64_t a64_fpc_muladd_soft(uint64_t addend, uint64_t n, uint64_t m, int dbl, int o1, int o0,
                             uint32_t fpcr, uint32_t *fpsr);
/* NZCV (bits 3..0) of FCMP/FCMPE; signal_all: quiet NaNs raise Invalid Operation too. */
uint32_t a64_fpc_compare(uint64_t a, uint64_t b, int dbl, int signal_all, uint32_t fpcr, uint32_t *fpsr);
/* Precision conversion; types as encoded: 0 single, 1 double, 3 half. */
uint64_t a64_fpc_convert(uint64_t a, unsigned from_type, unsigned to_type, uint32_t fpcr, uint32_t *fpsr);
/* FP -> integer with saturation (NaN -> 0), value scaled by 2^fbits first. */
uint64_t a64_fpc_to_int(uint64_t a, int dbl, int is_unsigned, int is64, enum a64_rounding rounding,
                        unsigned fbits, uint32_t fpcr, uint32_t *fpsr);
/* Integer (is64 ? 64 : 32 bits, signed or not) / 2^fbits -> FP, rounded per FPCR. */
uint64_t a64_fpc_from_int(uint64_t v, int dbl, int is_unsigned, int is64, unsigned fbits,
                          uint32_t fpcr, uint32_t *fpsr);
/* FRINT*: round to an integral value in FP format; exact (FRINTX) signals Inexact. */
uint64_t a64_fpc_round(uint64_t a, int dbl, enum a64_rounding rounding, int exact,
                       uint32_t fpcr, uint32_t *fpsr);

/* ---- run-time helpers called from generated code (state = struct a64_state *) ------- */
uint64_t a64_fp_arith(void *state, uint64_t a, uint64_t b, uint32_t code);
uint64_t a64_fp_sqrt(void *state, uint64_t a, uint32_t dbl);
uint64_t a64_fp_muladd(void *state, uint64_t addend, uint64_t n, uint64_t m, uint32_t code);
uint32_t a64_fp_compare(void *state, uint64_t a, uint64_t b, uint32_t code);
uint64_t a64_fp_convert(void *state, uint64_t a, uint32_t code);
/* code: dbl | unsigned << 1 | is64 << 2 | rounding << 3 | fbits << 8 */
uint64_t a64_fp_to_int(void *state, uint64_t a, uint32_t code);
/* code: dbl | unsigned << 1 | is64 << 2 | fbits << 8 */
uint64_t a64_int_to_fp(void *state, uint64_t v, uint32_t code);
/* code: dbl | rounding << 1 | exact << 4 */
uint64_t a64_fp_round(void *state, uint64_t a, uint32_t code);

/* AdvSIMD integer. code: size | opcode << 2 | U << 7 | Q << 8 (as encoded); a 64-bit
 * (Q = 0) result has its upper half zero. */
unsigned __int128 a64_simd_3same(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code);
unsigned __int128 a64_simd_2misc(void *state, unsigned __int128 a, uint32_t code);
uint64_t a64_simd_across(void *state, unsigned __int128 a, uint32_t code);
unsigned __int128 a64_simd_shift(void *state, unsigned __int128 a, uint32_t code, uint32_t shift);
/* SHRN/RSHRN (and the Q = 1 forms SHRN2/RSHRN2, whose caller puts the result in the
 * upper half): the 64 narrowed bits. */
uint64_t a64_simd_shift_narrow(void *state, unsigned __int128 a, uint32_t code, uint32_t shift);
unsigned __int128 a64_simd_3diff(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code);
/* code: size | opcode << 2 | Q << 5 (UZP1 TRN1 ZIP1 UZP2 TRN2 ZIP2) */
unsigned __int128 a64_simd_perm(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code);
unsigned __int128 a64_simd_perm_lanes(unsigned __int128 a, unsigned __int128 b, uint32_t code);
/* code: Rn | len << 5 | tbx << 7 | Q << 8 | Rd << 9; reads the table (and Vd for TBX)
 * from the state. */
unsigned __int128 a64_simd_tbl(void *state, unsigned __int128 indices, uint32_t code);

/* AdvSIMD FP lanes (single: sz 0, 2S/4S; double: sz 1, 2D), through the scalar cores.
 * 3same code: sz | op3 << 1 | a << 4 | U << 5 | Q << 6 | Rd << 7 (FMLA/FMLS read the
 * addend from V[Rd]); 2misc code: sz | opcode << 1 | a << 6 | U << 7 | Q << 8. */
unsigned __int128 a64_simd_fp_3same(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code);
unsigned __int128 a64_simd_fp_2misc(void *state, unsigned __int128 a, uint32_t code);
/* FADD FSUB FMUL FDIV FMLA FMLS only (the same code): a short entry for the hot loops. */
unsigned __int128 a64_simd_fp_arith(void *state, unsigned __int128 a, unsigned __int128 b, uint32_t code);

/* The same operations on explicit values (tests; the table registers as an array). */
unsigned __int128 a64_simd_tbl_values(const unsigned __int128 *table, unsigned nregs,
                                      unsigned __int128 indices, unsigned __int128 fallback,
                                      int tbx, int q);

/* ---- `extern disasm` helpers (disasm_fp_helpers.c) ----------------------------------- */
const char *a64b_gpr(uint32_t n, uint32_t is64, uint32_t sp);
const char *a64b_fpr(uint32_t n, uint32_t size);
const char *a64b_arr(uint32_t size, uint32_t q);
const char *a64b_vreg(uint32_t n, uint32_t size, uint32_t q);
const char *a64b_velem(uint32_t n, uint32_t size, uint32_t index);
const char *a64b_vlist(uint32_t first, uint32_t count, uint32_t size, uint32_t q);
const char *a64b_velist(uint32_t first, uint32_t count, uint32_t size);
const char *a64b_ldst_mnem(uint32_t size, uint32_t opc, uint32_t form);
const char *a64b_prfop(uint32_t op);
const char *a64b_regoff(uint32_t m, uint32_t option, uint32_t s, uint32_t amount);
const char *a64b_atomic_mnem(uint32_t op, uint32_t ar, uint32_t size, uint32_t store);
const char *a64b_cond(uint32_t cond);
const char *a64b_fpimm(uint32_t imm8);
const char *a64b_fp1_name(uint32_t opcode);
const char *a64b_fp2_name(uint32_t opcode);
const char *a64b_fpcvt_name(uint32_t rmode, uint32_t opcode);
/* group: 0 three same, 1 two-register misc, 2 across lanes, 3 shift by immediate,
 * 4 three different, 5 permute (code = opcode). */
const char *a64b_simd_name(uint32_t group, uint32_t code);
/* AdvSIMD FP: three same by U << 4 | a << 3 | op3; two-register misc by U << 6 | a << 5 |
 * opcode. */
const char *a64b_simd_fp3_name(uint32_t sel);
const char *a64b_simd_fp2misc_name(uint32_t sel);

#endif
