/* Disassembly-only helpers for the load/store and FP/AdvSIMD parts of the AArch64
 * description (arch/aarch64/loadstore.adl, fpsimd.adl): register names, mnemonics and
 * operand texts spelled exactly as GNU objdump prints them. They are `extern disasm`
 * functions: plain C, no state, integer-only (this file is built freestanding without
 * SSE), returning constant strings or text in a small ring of static buffers (the
 * disassembler is not reentrant, and one instruction uses at most a few of them). */
#include "arch/aarch64/fp_helpers.h"
#include "ferry/support.h"

#define RING_SLOTS 8
#define SLOT_SIZE 96

static char *next_slot(void)
{
    static char ring[RING_SLOTS][SLOT_SIZE];
    static unsigned next;
    char *slot = ring[next];
    next = (next + 1) % RING_SLOTS;
    return slot;
}

static const char *const xnames[32] = {
    "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
    "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24",
    "x25", "x26", "x27", "x28", "x29", "x30", "xzr",
};
static const char *const wnames[32] = {
    "w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10", "w11", "w12",
    "w13", "w14", "w15", "w16", "w17", "w18", "w19", "w20", "w21", "w22", "w23", "w24",
    "w25", "w26", "w27", "w28", "w29", "w30", "wzr",
};

const char *a64b_gpr(uint32_t n, uint32_t is64, uint32_t sp)
{
    n &= 31;
    if (n == 31 && sp)
        return is64 ? "sp" : "wsp";
    return is64 ? xnames[n] : wnames[n];
}

const char *a64b_fpr(uint32_t n, uint32_t size)
{
    static const char *const prefix[5] = { "b", "h", "s", "d", "q" };
    char *buf = next_slot();
    fy_snprintf(buf, SLOT_SIZE, "%s%u", size < 5 ? prefix[size] : "?", n & 31);
    return buf;
}

static const char *arrangement(uint32_t size, uint32_t q)
{
    static const char *const names[4][2] = {
        { "8b", "16b" }, { "4h", "8h" }, { "2s", "4s" }, { "1d", "2d" },
    };
    return names[size & 3][q & 1];
}

const char *a64b_arr(uint32_t size, uint32_t q)
{
    return arrangement(size, q);
}

const char *a64b_vreg(uint32_t n, uint32_t size, uint32_t q)
{
    char *buf = next_slot();
    fy_snprintf(buf, SLOT_SIZE, "v%u.%s", n & 31, arrangement(size, q));
    return buf;
}

/* Element of a vector: "v3.b[7]"; size 0..3 = b, h, s, d. */
const char *a64b_velem(uint32_t n, uint32_t size, uint32_t index)
{
    static const char *const letter[4] = { "b", "h", "s", "d" };
    char *buf = next_slot();
    fy_snprintf(buf, SLOT_SIZE, "v%u.%s[%u]", n & 31, letter[size & 3], index);
    return buf;
}

/* A structure register list: "{v0.16b, v1.16b}", or "{v0.16b-v3.16b}" for three or
 * more registers that do not wrap around v31 (objdump's choice). */
const char *a64b_vlist(uint32_t first, uint32_t count, uint32_t size, uint32_t q)
{
    char *buf = next_slot();
    const char *arr = arrangement(size, q);
    first &= 31;
    if (count >= 3 && first + count - 1 <= 31) {
        fy_snprintf(buf, SLOT_SIZE, "{v%u.%s-v%u.%s}", first, arr, first + count - 1, arr);
        return buf;
    }
    size_t len = 0;
    buf[len++] = '{';
    for (uint32_t i = 0; i < count && i < 4; i++) {
        len += (size_t)fy_snprintf(buf + len, SLOT_SIZE - len, "%sv%u.%s", i ? ", " : "",
                                   (first + i) & 31, arr);
    }
    fy_snprintf(buf + len, SLOT_SIZE - len, "}");
    return buf;
}

/* Element list of the single-structure forms: "{v0.b}" or "{v0.s, v1.s}". */
const char *a64b_velist(uint32_t first, uint32_t count, uint32_t size)
{
    static const char *const letter[4] = { "b", "h", "s", "d" };
    char *buf = next_slot();
    first &= 31;
    if (count >= 3 && first + count - 1 <= 31) {
        fy_snprintf(buf, SLOT_SIZE, "{v%u.%s-v%u.%s}", first, letter[size & 3],
                    first + count - 1, letter[size & 3]);
        return buf;
    }
    size_t len = 0;
    buf[len++] = '{';
    for (uint32_t i = 0; i < count && i < 4; i++) {
        len += (size_t)fy_snprintf(buf + len, SLOT_SIZE - len, "%sv%u.%s", i ? ", " : "",
                                   (first + i) & 31, letter[size & 3]);
    }
    fy_snprintf(buf + len, SLOT_SIZE - len, "}");
    return buf;
}

/* Mnemonic of the integer single-register loads and stores. form: 0 = scaled or
 * register offset or pre/post-index (ldr...), 1 = unscaled (ldur...), 2 = unprivileged
 * (ldtr...). opc as in the encoding: 0 store, 1 load, 2 load signed to 64 bits, 3 load
 * signed to 32 bits. */
const char *a64b_ldst_mnem(uint32_t size, uint32_t opc, uint32_t form)
{
    static const char *const base[3][2] = {
        { "str", "ldr" }, { "stur", "ldur" }, { "sttr", "ldtr" },
    };
    static const char *const suffix[4] = { "b", "h", "w", "" };
    char *buf = next_slot();
    form = form > 2 ? 2 : form;
    size &= 3;
    opc &= 3;
    if (opc == 0 || opc == 1) {
        fy_snprintf(buf, SLOT_SIZE, "%s%s", base[form][opc],
                    size == 0 ? "b" : size == 1 ? "h" : "");
    } else {
        fy_snprintf(buf, SLOT_SIZE, "%ss%s", base[form][1], suffix[size]);
    }
    return buf;
}

/* PRFM operation: "pldl1keep", or "#0x1f" for encodings without a name. */
const char *a64b_prfop(uint32_t op)
{
    static const char *const kind[3] = { "pld", "pli", "pst" };
    static const char *const policy[2] = { "keep", "strm" };
    char *buf = next_slot();
    op &= 31;
    uint32_t type = op >> 3, target = (op >> 1) & 3;
    if (type < 3 && target < 3)
        fy_snprintf(buf, SLOT_SIZE, "%sl%u%s", kind[type], target + 1, policy[op & 1]);
    else
        fy_snprintf(buf, SLOT_SIZE, "#0x%x%x", op >> 4, op & 15);
    return buf;
}

/* The index operand of a register-offset load/store: ", x2", ", x2, lsl #3",
 * ", w2, sxtw", ", w2, uxtw #2". amount is the scale when S is set. */
const char *a64b_regoff(uint32_t m, uint32_t option, uint32_t s, uint32_t amount)
{
    static const char *const ext[8] = {
        "uxtb", "uxth", "uxtw", "lsl", "sxtb", "sxth", "sxtw", "sxtx",
    };
    char *buf = next_slot();
    const char *reg = a64b_gpr(m, option & 1, 0);
    option &= 7;
    if (option == 3 && !s)
        fy_snprintf(buf, SLOT_SIZE, ", %s", reg);
    else if (!s)
        fy_snprintf(buf, SLOT_SIZE, ", %s, %s", reg, ext[option]);
    else
        fy_snprintf(buf, SLOT_SIZE, ", %s, %s #%u", reg, ext[option], amount);
    return buf;
}

/* Mnemonic of the LSE atomic memory operations. opc: bits o3:opc<2:0>; ar: A:R.
 * size 0..3 adds the b/h suffix. store: the ST* alias (Rt == XZR, no acquire). */
const char *a64b_atomic_mnem(uint32_t op, uint32_t ar, uint32_t size, uint32_t store)
{
    static const char *const names[9] = {
        "add", "clr", "eor", "set", "smax", "smin", "umax", "umin", "swp",
    };
    static const char *const order[4] = { "", "l", "a", "al" };
    char *buf = next_slot();
    const char *sfx = size == 0 ? "b" : size == 1 ? "h" : "";
    if (op >= 8)
        fy_snprintf(buf, SLOT_SIZE, "swp%s%s", order[ar & 3], sfx);
    else
        fy_snprintf(buf, SLOT_SIZE, "%s%s%s%s", store ? "st" : "ld", names[op], order[ar & 3], sfx);
    return buf;
}

/* Condition names as objdump prints them (cs/cc, not hs/lo). */
const char *a64b_cond(uint32_t cond)
{
    static const char *const names[16] = {
        "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
        "hi", "ls", "ge", "lt", "gt", "le", "al", "nv",
    };
    return names[cond & 15];
}

/* The FMOV (immediate) constant, VFPExpandImm(imm8), printed like objdump's "%.18e".
 * The value is +-(16 + frac) * 2^(e - 7) with e in 0..7, so it lies in [0.125, 31]
 * and 10^7 times it is an integer: exact decimal digits need no floating point. */
const char *a64b_fpimm(uint32_t imm8)
{
    char *buf = next_slot();
    uint32_t sign = (imm8 >> 7) & 1;
    uint32_t b6 = (imm8 >> 6) & 1;
    uint32_t exp3 = (imm8 >> 4) & 3;        /* low two exponent bits */
    uint32_t frac = imm8 & 15;
    /* exponent (unbiased) = b6 ? -3..0 : 1..4, from NOT(b6):b6:b6 then bits 5:4 */
    int e = b6 ? (int)exp3 - 3 : (int)exp3 + 1;
    uint64_t scaled = (uint64_t)(16 + frac) * 10000000ull;   /* value * 16 * 10^7 */
    /* value * 10^7 = scaled * 2^e / 16 */
    uint64_t v = e >= 0 ? (scaled << e) / 16 : scaled / 16 >> (-e);
    /* v is exact: 16 * 2^3 divides 10^7 * 16. Find the decimal exponent. */
    int dexp = -7;
    uint64_t digits = v;
    while (digits >= 10) {
        digits /= 10;
        dexp++;
    }
    /* Mantissa: the digits of v, padded with zeros to 19 significant digits. */
    char num[24];
    int len = 0;
    for (uint64_t rest = v; rest; rest /= 10)
        num[len++] = (char)('0' + rest % 10);
    size_t pos = 0;
    if (sign)
        buf[pos++] = '-';
    for (int i = 0; i < 19; i++) {
        buf[pos++] = i < len ? num[len - 1 - i] : '0';
        if (i == 0)
            buf[pos++] = '.';
    }
    buf[pos++] = 'e';
    buf[pos++] = dexp < 0 ? '-' : '+';
    int mag = dexp < 0 ? -dexp : dexp;
    buf[pos++] = (char)('0' + mag / 10);
    buf[pos++] = (char)('0' + mag % 10);
    buf[pos] = 0;
    return buf;
}

/* FP data-processing (1 source) by opcode: FMOV FABS FNEG FSQRT, FRINT*. */
const char *a64b_fp1_name(uint32_t opcode)
{
    static const char *const names[16] = {
        "fmov", "fabs", "fneg", "fsqrt", "fcvt", "fcvt", "fcvt", "fcvt",
        "frintn", "frintp", "frintm", "frintz", "frinta", "?", "frintx", "frinti",
    };
    return names[opcode & 15];
}

/* FP data-processing (2 sources) by opcode. */
const char *a64b_fp2_name(uint32_t opcode)
{
    static const char *const names[9] = {
        "fmul", "fdiv", "fadd", "fsub", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul",
    };
    return opcode < 9 ? names[opcode] : "?";
}

/* Conversions between FP and integer/fixed point, by rmode and opcode. */
const char *a64b_fpcvt_name(uint32_t rmode, uint32_t opcode)
{
    static const char *const to_signed[4] = { "fcvtns", "fcvtps", "fcvtms", "fcvtzs" };
    static const char *const to_unsigned[4] = { "fcvtnu", "fcvtpu", "fcvtmu", "fcvtzu" };
    switch (opcode & 7) {
    case 0: return to_signed[rmode & 3];
    case 1: return to_unsigned[rmode & 3];
    case 2: return "scvtf";
    case 3: return "ucvtf";
    case 4: return "fcvtas";
    case 5: return "fcvtau";
    default: return "?";
    }
}

static const char *const three_same[2][24] = {
    { "shadd", "sqadd", "srhadd", "?", "shsub", "sqsub", "cmgt", "cmge",
      "sshl", "sqshl", "srshl", "sqrshl", "smax", "smin", "sabd", "saba",
      "add", "cmtst", "mla", "mul", "smaxp", "sminp", "sqdmulh", "addp" },
    { "uhadd", "uqadd", "urhadd", "?", "uhsub", "uqsub", "cmhi", "cmhs",
      "ushl", "uqshl", "urshl", "uqrshl", "umax", "umin", "uabd", "uaba",
      "sub", "cmeq", "mls", "pmul", "umaxp", "uminp", "sqrdmulh", "?" },
};

static const char *two_reg_misc(uint32_t u, uint32_t opcode, uint32_t size)
{
    if (u == 0) {
        switch (opcode) {
        case 0: return "rev64";
        case 1: return "rev16";
        case 4: return "cls";
        case 5: return "cnt";
        case 8: return "cmgt";
        case 9: return "cmeq";
        case 10: return "cmlt";
        case 11: return "abs";
        case 18: return "xtn";
        default: return "?";
        }
    }
    switch (opcode) {
    case 0: return "rev32";
    case 4: return "clz";
    case 5: return size == 0 ? "mvn" : "rbit";
    case 8: return "cmge";
    case 9: return "cmle";
    case 11: return "neg";
    default: return "?";
    }
}

static const char *across_lanes(uint32_t u, uint32_t opcode)
{
    switch (opcode) {
    case 3: return u ? "uaddlv" : "saddlv";
    case 10: return u ? "umaxv" : "smaxv";
    case 26: return u ? "uminv" : "sminv";
    case 27: return u ? "?" : "addv";
    default: return "?";
    }
}

static const char *shift_imm(uint32_t u, uint32_t opcode)
{
    switch (opcode) {
    case 0: return u ? "ushr" : "sshr";
    case 4: return u ? "urshr" : "srshr";
    case 10: return u ? "sli" : "shl";
    default: return "?";
    }
}

static const char *three_different(uint32_t u, uint32_t opcode)
{
    static const char *const names[2][13] = {
        { "saddl", "saddw", "ssubl", "ssubw", "?", "?", "?", "sabdl", "?", "?", "?", "?", "smull" },
        { "uaddl", "uaddw", "usubl", "usubw", "?", "?", "?", "uabdl", "?", "?", "?", "?", "umull" },
    };
    return opcode < 13 ? names[u & 1][opcode] : "?";
}

const char *a64b_simd_name(uint32_t group, uint32_t code)
{
    uint32_t size = code & 3, opcode = (code >> 2) & 31, u = (code >> 7) & 1;
    switch (group) {
    case 0: return opcode < 24 ? three_same[u][opcode] : "?";
    case 1: return two_reg_misc(u, opcode, size);
    case 2: return across_lanes(u, opcode);
    case 3: return shift_imm(u, opcode);
    case 4: return three_different(u, opcode & 15);
    case 5: {
        static const char *const perm[8] = { "?", "uzp1", "trn1", "zip1", "?", "uzp2", "trn2", "zip2" };
        return perm[code & 7];
    }
    default: return "?";
    }
}

const char *a64b_simd_fp3_name(uint32_t sel)
{
    static const char *const names[32] = {
        "fmaxnm", "fmla", "fadd", "fmulx", "fcmeq", "?", "fmax", "frecps",
        "fminnm", "fmls", "fsub", "?", "?", "?", "fmin", "frsqrts",
        "fmaxnmp", "?", "faddp", "fmul", "fcmge", "facge", "fmaxp", "fdiv",
        "fminnmp", "?", "fabd", "?", "fcmgt", "facgt", "fminp", "?",
    };
    return names[sel & 31];
}

const char *a64b_simd_fp2misc_name(uint32_t sel)
{
    uint32_t op = sel & 31, ua = (sel >> 5) & 3;      /* ua = U << 1 | a */
    switch (op) {
    case 12: return ua & 2 ? "fcmge" : "fcmgt";
    case 13: return ua & 2 ? "fcmle" : "fcmeq";
    case 14: return "fcmlt";
    case 15: return ua & 2 ? "fneg" : "fabs";
    case 24: { static const char *const n[4] = { "frintn", "frintp", "frinta", "?" }; return n[ua]; }
    case 25: { static const char *const n[4] = { "frintm", "frintz", "frintx", "frinti" }; return n[ua]; }
    case 26: { static const char *const n[4] = { "fcvtns", "fcvtps", "fcvtnu", "fcvtpu" }; return n[ua]; }
    case 27: { static const char *const n[4] = { "fcvtms", "fcvtzs", "fcvtmu", "fcvtzu" }; return n[ua]; }
    case 28: return ua & 2 ? "fcvtau" : "fcvtas";
    case 29: return ua & 2 ? "ucvtf" : "scvtf";
    case 31: return "fsqrt";
    default: return "?";
    }
}
