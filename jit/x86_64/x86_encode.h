/* Hand-written x86-64 instruction encoder used by the JIT code generator. Everything
 * is static inline so emitting an instruction costs a few stores, no calls. The caller
 * guarantees space (x86_buf_ensure before each group of instructions); the encoder
 * itself never checks bounds per byte. */
#ifndef FERRY_JIT_X86_ENCODE_H
#define FERRY_JIT_X86_ENCODE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "ferry/support.h"

enum x86_gpr {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
    X86_RIP = 16,      /* only as a memory base: RIP-relative to an absolute target */
    X86_NOREG = -1,
};

/* Condition codes in x86 encoding order (jcc = 0x70 + cc, setcc = 0f 90 + cc). */
enum x86_cc {
    X86_CC_O, X86_CC_NO, X86_CC_B, X86_CC_AE, X86_CC_E, X86_CC_NE, X86_CC_BE, X86_CC_A,
    X86_CC_S, X86_CC_NS, X86_CC_P, X86_CC_NP, X86_CC_L, X86_CC_GE, X86_CC_LE, X86_CC_G,
};
static inline enum x86_cc x86_cc_invert(enum x86_cc cc) { return (enum x86_cc)(cc ^ 1); }

/* Group-1 ALU operations (the /digit of 0x81/0x83 and the base opcode >> 3). */
enum x86_alu { X86_ADD, X86_OR, X86_ADC, X86_SBB, X86_AND, X86_SUB, X86_XOR, X86_CMP };
/* Group-2 shift operations (/digit of 0xc1/0xd3). */
enum x86_shift { X86_ROL = 0, X86_ROR = 1, X86_SHL = 4, X86_SHR = 5, X86_SAR = 7 };
/* Group-3 unary operations (/digit of 0xf7). */
enum x86_unary { X86_NOT = 2, X86_NEG = 3, X86_MUL = 4, X86_IMUL1 = 5, X86_DIV = 6, X86_IDIV = 7 };

typedef struct x86_mem {
    int8_t base;       /* enum x86_gpr, X86_RIP, or X86_NOREG for absolute disp32 */
    int8_t index;      /* X86_NOREG for none */
    uint8_t scale;     /* 1, 2, 4, 8 */
    int32_t disp;
    const void *rip_target; /* base == X86_RIP: absolute address the operand refers to */
} x86_mem;

static inline x86_mem x86_mem_bd(int base, int32_t disp)
{
    return (x86_mem){ .base = (int8_t)base, .index = X86_NOREG, .scale = 1, .disp = disp };
}
static inline x86_mem x86_mem_bi(int base, int index, int32_t disp)
{
    return (x86_mem){ .base = (int8_t)base, .index = (int8_t)index, .scale = 1, .disp = disp };
}
static inline x86_mem x86_mem_rip(const void *target)
{
    return (x86_mem){ .base = X86_RIP, .index = X86_NOREG, .scale = 1, .rip_target = target };
}

typedef struct x86_buf {
    uint8_t *start, *p, *end;
    uint8_t *rip_fix;            /* pending disp32 of a RIP-relative operand */
    const void *rip_target;
} x86_buf;

static inline bool x86_buf_ensure(const x86_buf *b, size_t n) { return (size_t)(b->end - b->p) >= n; }

static inline void x86_b(x86_buf *b, uint8_t v) { *b->p++ = v; }
static inline void x86_w16(x86_buf *b, uint16_t v) { memcpy(b->p, &v, 2); b->p += 2; }
static inline void x86_w32(x86_buf *b, uint32_t v) { memcpy(b->p, &v, 4); b->p += 4; }
static inline void x86_w64(x86_buf *b, uint64_t v) { memcpy(b->p, &v, 8); b->p += 8; }

static inline bool x86_fits_i8(int64_t v) { return v >= -128 && v <= 127; }
static inline bool x86_fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* Called at the end of every instruction that may carry a RIP-relative operand: the
 * displacement is relative to the end of the whole instruction (after any immediate). */
static inline void x86_end(x86_buf *b)
{
    if (b->rip_fix) {
        int64_t d = (const uint8_t *)b->rip_target - b->p;
        uint32_t d32 = (uint32_t)(int32_t)d;
        memcpy(b->rip_fix, &d32, 4);
        b->rip_fix = NULL;
    }
}

/* Prefixes + REX for an instruction of operand size `size` (1, 2, 4, 8) whose ModRM reg
 * field is `reg` and whose r/m is a register (rm_reg >= 0) or the memory operand m. */
static inline void x86_emit_prefix(x86_buf *b, int size, int reg, int rm_reg, const x86_mem *m,
                              bool byte_reg_field)
{
    if (size == 2) x86_b(b, 0x66);
    uint8_t rex = 0x40;
    if (size == 8) rex |= 8;
    if (reg & 8) rex |= 4;
    bool force = false;
    if (size == 1 && byte_reg_field && reg >= 4 && reg < 8) force = true;
    if (m) {
        if (m->index >= 0 && (m->index & 8)) rex |= 2;
        if (m->base >= 0 && m->base < 16 && (m->base & 8)) rex |= 1;
    } else {
        if (rm_reg & 8) rex |= 1;
        if (size == 1 && rm_reg >= 4 && rm_reg < 8) force = true;
    }
    if (rex != 0x40 || force) x86_b(b, rex);
}

static inline void x86_modrm_reg(x86_buf *b, int reg, int rm)
{
    x86_b(b, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

static inline void x86_modrm_mem(x86_buf *b, int reg, const x86_mem *m)
{
    int r = (reg & 7) << 3;
    if (m->base == X86_RIP) {
        x86_b(b, (uint8_t)(0x05 | r));
        b->rip_fix = b->p;
        b->rip_target = m->rip_target;
        x86_w32(b, 0);
        return;
    }
    if (m->base == X86_NOREG) {         /* [disp32] via SIB with no base, no index */
        x86_b(b, (uint8_t)(0x04 | r));
        x86_b(b, 0x25);
        x86_w32(b, (uint32_t)m->disp);
        return;
    }
    int base = m->base & 7;
    int mod;
    if (m->disp == 0 && base != 5) mod = 0;
    else if (x86_fits_i8(m->disp)) mod = 1;
    else mod = 2;
    if (m->index >= 0) {
        int ss = m->scale == 8 ? 3 : m->scale == 4 ? 2 : m->scale == 2 ? 1 : 0;
        x86_b(b, (uint8_t)((mod << 6) | r | 4));
        x86_b(b, (uint8_t)((ss << 6) | ((m->index & 7) << 3) | base));
    } else if (base == 4) {
        x86_b(b, (uint8_t)((mod << 6) | r | 4));
        x86_b(b, 0x24);
    } else {
        x86_b(b, (uint8_t)((mod << 6) | r | base));
    }
    if (mod == 1) x86_b(b, (uint8_t)(int8_t)m->disp);
    else if (mod == 2) x86_w32(b, (uint32_t)m->disp);
}

/* One instruction: [prefixes] opcode bytes, ModRM with reg field, rm = register. */
static inline void x86_op_rr(x86_buf *b, int size, uint32_t opcode, int nbytes, int reg, int rm,
                             bool byte_reg_field)
{
    x86_emit_prefix(b, size, reg, rm, NULL, byte_reg_field);
    for (int i = nbytes - 1; i >= 0; i--) x86_b(b, (uint8_t)(opcode >> (8 * i)));
    x86_modrm_reg(b, reg, rm);
}
static inline void x86_op_rm(x86_buf *b, int size, uint32_t opcode, int nbytes, int reg,
                             const x86_mem *m, bool byte_reg_field)
{
    x86_emit_prefix(b, size, reg, -1, m, byte_reg_field);
    for (int i = nbytes - 1; i >= 0; i--) x86_b(b, (uint8_t)(opcode >> (8 * i)));
    x86_modrm_mem(b, reg, m);
}

/* ---- ALU ----------------------------------------------------------------------------- */
/* dst op= src (registers) */
static inline void x86_alu_rr(x86_buf *b, enum x86_alu op, int size, int dst, int src)
{
    x86_op_rr(b, size, (uint32_t)(op << 3) | (size == 1 ? 0 : 1), 1, src, dst, true);
}
/* reg op= [mem] */
static inline void x86_alu_rm(x86_buf *b, enum x86_alu op, int size, int reg, x86_mem m)
{
    x86_op_rm(b, size, (uint32_t)(op << 3) | (size == 1 ? 2 : 3), 1, reg, &m, true);
    x86_end(b);
}
/* [mem] op= reg */
static inline void x86_alu_mr(x86_buf *b, enum x86_alu op, int size, x86_mem m, int reg)
{
    x86_op_rm(b, size, (uint32_t)(op << 3) | (size == 1 ? 0 : 1), 1, reg, &m, true);
    x86_end(b);
}
/* reg op= imm (imm sign-extended from 8 or 32 bits) */
static inline void x86_alu_ri(x86_buf *b, enum x86_alu op, int size, int reg, int32_t imm)
{
    if (size == 1) {
        x86_op_rr(b, 1, 0x80, 1, op, reg, false);
        x86_b(b, (uint8_t)imm);
    } else if (x86_fits_i8(imm)) {
        x86_op_rr(b, size, 0x83, 1, op, reg, false);
        x86_b(b, (uint8_t)imm);
    } else {
        x86_op_rr(b, size, 0x81, 1, op, reg, false);
        if (size == 2) x86_w16(b, (uint16_t)imm); else x86_w32(b, (uint32_t)imm);
    }
}
static inline void x86_alu_mi(x86_buf *b, enum x86_alu op, int size, x86_mem m, int32_t imm)
{
    if (size == 1) {
        x86_op_rm(b, 1, 0x80, 1, op, &m, false);
        x86_b(b, (uint8_t)imm);
    } else if (x86_fits_i8(imm)) {
        x86_op_rm(b, size, 0x83, 1, op, &m, false);
        x86_b(b, (uint8_t)imm);
    } else {
        x86_op_rm(b, size, 0x81, 1, op, &m, false);
        if (size == 2) x86_w16(b, (uint16_t)imm); else x86_w32(b, (uint32_t)imm);
    }
    x86_end(b);
}
static inline void x86_test_rr(x86_buf *b, int size, int r1, int r2)
{
    x86_op_rr(b, size, size == 1 ? 0x84 : 0x85, 1, r2, r1, true);
}
static inline void x86_test_ri(x86_buf *b, int size, int reg, int32_t imm)
{
    x86_op_rr(b, size, size == 1 ? 0xf6 : 0xf7, 1, 0, reg, false);
    if (size == 1) x86_b(b, (uint8_t)imm);
    else if (size == 2) x86_w16(b, (uint16_t)imm);
    else x86_w32(b, (uint32_t)imm);
}

/* ---- moves ----------------------------------------------------------------------------- */
static inline void x86_mov_rr(x86_buf *b, int size, int dst, int src)
{
    x86_op_rr(b, size, size == 1 ? 0x88 : 0x89, 1, src, dst, true);
}
/* load: reg = [mem] (size 1/2 leave the upper bits; use movzx for zero extension) */
static inline void x86_mov_rm(x86_buf *b, int size, int reg, x86_mem m)
{
    x86_op_rm(b, size, size == 1 ? 0x8a : 0x8b, 1, reg, &m, true);
    x86_end(b);
}
/* store: [mem] = reg */
static inline void x86_mov_mr(x86_buf *b, int size, x86_mem m, int reg)
{
    x86_op_rm(b, size, size == 1 ? 0x88 : 0x89, 1, reg, &m, true);
    x86_end(b);
}
/* prefetchw [mem]: fetch the line for writing (PRFCHW; never faults) */
static inline void x86_prefetchw(x86_buf *b, x86_mem m)
{
    x86_op_rm(b, 4, 0x0f0d, 2, 1, &m, false);
    x86_end(b);
}
/* store immediate: [mem] = imm (size 8: sign-extended imm32) */
static inline void x86_mov_mi(x86_buf *b, int size, x86_mem m, int32_t imm)
{
    x86_op_rm(b, size, size == 1 ? 0xc6 : 0xc7, 1, 0, &m, false);
    if (size == 1) x86_b(b, (uint8_t)imm);
    else if (size == 2) x86_w16(b, (uint16_t)imm);
    else x86_w32(b, (uint32_t)imm);
    x86_end(b);
}
/* reg = imm64 in the shortest form that leaves the flags alone (never xor). */
static inline void x86_mov_ri(x86_buf *b, int reg, uint64_t imm)
{
    if (imm <= 0xffffffffu) {                /* mov r32, imm32 (zero-extends) */
        if (reg & 8) x86_b(b, 0x41);
        x86_b(b, (uint8_t)(0xb8 + (reg & 7)));
        x86_w32(b, (uint32_t)imm);
    } else if (x86_fits_i32((int64_t)imm)) { /* mov r64, simm32 */
        x86_op_rr(b, 8, 0xc7, 1, 0, reg, false);
        x86_w32(b, (uint32_t)imm);
    } else {                                 /* movabs */
        x86_b(b, (uint8_t)(0x48 | ((reg & 8) ? 1 : 0)));
        x86_b(b, (uint8_t)(0xb8 + (reg & 7)));
        x86_w64(b, imm);
    }
}
/* reg = 0, clobbering flags (2-3 bytes) */
static inline void x86_zero(x86_buf *b, int reg) { x86_alu_rr(b, X86_XOR, 4, reg, reg); }

/* movzx/movsx register forms (byte sources spl..dil need a REX prefix) */
static inline void x86_movzx8_rr(x86_buf *b, int dst, int src)
{
    uint8_t rex = 0x40 | ((dst & 8) ? 4 : 0) | ((src & 8) ? 1 : 0);
    if (rex != 0x40 || (src >= 4 && src < 8)) x86_b(b, rex);
    x86_b(b, 0x0f); x86_b(b, 0xb6);
    x86_modrm_reg(b, dst, src);
}
static inline void x86_movzx16_rr(x86_buf *b, int dst, int src)
{
    x86_op_rr(b, 4, 0x0fb7, 2, dst, src, false);
}
static inline void x86_movsx8_rr(x86_buf *b, int dst_size, int dst, int src)
{
    uint8_t rex = 0x40 | (dst_size == 8 ? 8 : 0) | ((dst & 8) ? 4 : 0) | ((src & 8) ? 1 : 0);
    if (rex != 0x40 || (src >= 4 && src < 8)) x86_b(b, rex);
    x86_b(b, 0x0f); x86_b(b, 0xbe);
    x86_modrm_reg(b, dst, src);
}
static inline void x86_movsx16_rr(x86_buf *b, int dst_size, int dst, int src)
{
    x86_op_rr(b, dst_size, 0x0fbf, 2, dst, src, false);
}
static inline void x86_movsxd_rr(x86_buf *b, int dst, int src)
{
    x86_op_rr(b, 8, 0x63, 1, dst, src, false);
}
/* loads with extension: dst32 = zext [m] (src_size 1/2); movsx to size 4/8; movsxd */
static inline void x86_movzx_rm(x86_buf *b, int src_size, int dst, x86_mem m)
{
    x86_op_rm(b, 4, src_size == 1 ? 0x0fb6 : 0x0fb7, 2, dst, &m, false);
    x86_end(b);
}
static inline void x86_movsx_rm(x86_buf *b, int dst_size, int src_size, int dst, x86_mem m)
{
    if (src_size == 4) x86_op_rm(b, 8, 0x63, 1, dst, &m, false);
    else x86_op_rm(b, dst_size, src_size == 1 ? 0x0fbe : 0x0fbf, 2, dst, &m, false);
    x86_end(b);
}
static inline void x86_lea(x86_buf *b, int size, int dst, x86_mem m)
{
    x86_op_rm(b, size, 0x8d, 1, dst, &m, false);
    x86_end(b);
}

/* ---- shifts, unary, multiply/divide ---------------------------------------------------- */
static inline void x86_shift_ri(x86_buf *b, enum x86_shift op, int size, int reg, uint8_t imm)
{
    if (imm == 1) {
        x86_op_rr(b, size, size == 1 ? 0xd0 : 0xd1, 1, op, reg, false);
    } else {
        x86_op_rr(b, size, size == 1 ? 0xc0 : 0xc1, 1, op, reg, false);
        x86_b(b, imm);
    }
}
static inline void x86_shift_rcl(x86_buf *b, enum x86_shift op, int size, int reg)
{
    x86_op_rr(b, size, size == 1 ? 0xd2 : 0xd3, 1, op, reg, false);
}
/* F7 group with a register operand: not, neg, mul, imul (1-op), div, idiv */
static inline void x86_unary_r(x86_buf *b, enum x86_unary op, int size, int reg)
{
    x86_op_rr(b, size, size == 1 ? 0xf6 : 0xf7, 1, op, reg, false);
}
static inline void x86_unary_m(x86_buf *b, enum x86_unary op, int size, x86_mem m)
{
    x86_op_rm(b, size, size == 1 ? 0xf6 : 0xf7, 1, op, &m, false);
    x86_end(b);
}
static inline void x86_imul_rr(x86_buf *b, int size, int dst, int src)
{
    x86_op_rr(b, size, 0x0faf, 2, dst, src, false);
}
static inline void x86_imul_rm(x86_buf *b, int size, int dst, x86_mem m)
{
    x86_op_rm(b, size, 0x0faf, 2, dst, &m, false);
    x86_end(b);
}
static inline void x86_imul_rri(x86_buf *b, int size, int dst, int src, int32_t imm)
{
    if (x86_fits_i8(imm)) {
        x86_op_rr(b, size, 0x6b, 1, dst, src, false);
        x86_b(b, (uint8_t)imm);
    } else {
        x86_op_rr(b, size, 0x69, 1, dst, src, false);
        x86_w32(b, (uint32_t)imm);
    }
}
static inline void x86_cqo(x86_buf *b) { x86_b(b, 0x48); x86_b(b, 0x99); }
static inline void x86_cdq(x86_buf *b) { x86_b(b, 0x99); }

/* ---- bit operations ------------------------------------------------------------------- */
static inline void x86_bswap(x86_buf *b, int size, int reg)
{
    uint8_t rex = 0x40 | (size == 8 ? 8 : 0) | ((reg & 8) ? 1 : 0);
    if (rex != 0x40) x86_b(b, rex);
    x86_b(b, 0x0f); x86_b(b, (uint8_t)(0xc8 + (reg & 7)));
}
/* f3 0f bd lzcnt, f3 0f bc tzcnt, f3 0f b8 popcnt; without f3: bsr (bd), bsf (bc) */
static inline void x86_bitscan_rr(x86_buf *b, bool f3, uint8_t op, int size, int dst, int src)
{
    if (f3) x86_b(b, 0xf3);
    x86_op_rr(b, size, 0x0f00u | op, 2, dst, src, false);
}
static inline void x86_bt_ri(x86_buf *b, int size, int reg, uint8_t bit)
{
    x86_op_rr(b, size, 0x0fba, 2, 4, reg, false);
    x86_b(b, bit);
}
static inline void x86_bt_mi(x86_buf *b, int size, x86_mem m, uint8_t bit)
{
    x86_op_rm(b, size, 0x0fba, 2, 4, &m, false);
    x86_b(b, bit);
    x86_end(b);
}
static inline void x86_stc(x86_buf *b) { x86_b(b, 0xf9); }
static inline void x86_clc(x86_buf *b) { x86_b(b, 0xf8); }

/* BMI2 shlx/shrx/sarx dst, src, amount (VEX.LZ.{66,F3,F2}.0F38.W{0,1} F7 /r) */
static inline void x86_shiftx(x86_buf *b, enum x86_shift op, int size, int dst, int src, int amount)
{
    uint8_t pp = op == X86_SHL ? 1 : op == X86_SAR ? 2 : 3;   /* 66, F3, F2 */
    x86_b(b, 0xc4);
    x86_b(b, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((src & 8) ? 0 : 0x20) | 0x02));
    x86_b(b, (uint8_t)((size == 8 ? 0x80 : 0) | ((~amount & 15) << 3) | pp));
    x86_b(b, 0xf7);
    x86_modrm_reg(b, dst, src);
}

/* BMI2 rorx dst, src, imm (VEX.LZ.F2.0F3A.W{0,1} F0 /r ib): a rotate that keeps the flags */
static inline void x86_rorx(x86_buf *b, int size, int dst, int src, uint8_t amount)
{
    x86_b(b, 0xc4);
    x86_b(b, (uint8_t)(((dst & 8) ? 0 : 0x80) | 0x40 | ((src & 8) ? 0 : 0x20) | 0x03));
    x86_b(b, (uint8_t)((size == 8 ? 0x80 : 0) | 0x78 | 3));
    x86_b(b, 0xf0);
    x86_modrm_reg(b, dst, src);
    x86_b(b, amount);
}

/* ---- conditions ----------------------------------------------------------------------- */
static inline void x86_setcc(x86_buf *b, enum x86_cc cc, int reg)
{
    if (reg >= 4) x86_b(b, (uint8_t)(0x40 | ((reg & 8) ? 1 : 0)));
    x86_b(b, 0x0f); x86_b(b, (uint8_t)(0x90 + cc));
    x86_modrm_reg(b, 0, reg);
}
static inline void x86_setcc_m(x86_buf *b, enum x86_cc cc, x86_mem m)
{
    x86_op_rm(b, 4, 0x0f90u + cc, 2, 0, &m, false);
    x86_end(b);
}
static inline void x86_cmov_rr(x86_buf *b, enum x86_cc cc, int size, int dst, int src)
{
    x86_op_rr(b, size, 0x0f40u + cc, 2, dst, src, false);
}
static inline void x86_cmov_rm(x86_buf *b, enum x86_cc cc, int size, int dst, x86_mem m)
{
    x86_op_rm(b, size, 0x0f40u + cc, 2, dst, &m, false);
    x86_end(b);
}

/* ---- control flow: rel32 forms return the address of the 4-byte displacement -------- */
static inline uint8_t *x86_jmp32(x86_buf *b, const void *target)
{
    x86_b(b, 0xe9);
    uint8_t *at = b->p;
    x86_w32(b, (uint32_t)(int32_t)((const uint8_t *)target - (b->p + 4)));
    return at;
}
static inline uint8_t *x86_jcc32(x86_buf *b, enum x86_cc cc, const void *target)
{
    x86_b(b, 0x0f); x86_b(b, (uint8_t)(0x80 + cc));
    uint8_t *at = b->p;
    x86_w32(b, (uint32_t)(int32_t)((const uint8_t *)target - (b->p + 4)));
    return at;
}
/* short forms: caller knows the target is within rel8 */
static inline uint8_t *x86_jmp8(x86_buf *b, const void *target)
{
    x86_b(b, 0xeb);
    uint8_t *at = b->p;
    x86_b(b, (uint8_t)(int8_t)((const uint8_t *)target - (b->p + 1)));
    return at;
}
static inline uint8_t *x86_jcc8(x86_buf *b, enum x86_cc cc, const void *target)
{
    x86_b(b, (uint8_t)(0x70 + cc));
    uint8_t *at = b->p;
    x86_b(b, (uint8_t)(int8_t)((const uint8_t *)target - (b->p + 1)));
    return at;
}
/* Points an emitted rel32/rel8 displacement (as returned above) at target. */
static inline void x86_patch_rel32(uint8_t *disp_at, const void *target)
{
    uint32_t d = (uint32_t)(int32_t)((const uint8_t *)target - (disp_at + 4));
    memcpy(disp_at, &d, 4);
}
static inline void x86_patch_rel8(uint8_t *disp_at, const void *target)
{
    *disp_at = (uint8_t)(int8_t)((const uint8_t *)target - (disp_at + 1));
}
static inline void x86_jmp_m(x86_buf *b, x86_mem m)
{
    x86_op_rm(b, 4, 0xff, 1, 4, &m, false);
    x86_end(b);
}
static inline void x86_jmp_r(x86_buf *b, int reg) { x86_op_rr(b, 4, 0xff, 1, 4, reg, false); }
static inline void x86_call_r(x86_buf *b, int reg) { x86_op_rr(b, 4, 0xff, 1, 2, reg, false); }
static inline void x86_ret(x86_buf *b) { x86_b(b, 0xc3); }
static inline void x86_push(x86_buf *b, int reg)
{
    if (reg & 8) x86_b(b, 0x41);
    x86_b(b, (uint8_t)(0x50 + (reg & 7)));
}
static inline void x86_pop(x86_buf *b, int reg)
{
    if (reg & 8) x86_b(b, 0x41);
    x86_b(b, (uint8_t)(0x58 + (reg & 7)));
}
static inline void x86_int3(x86_buf *b) { x86_b(b, 0xcc); }

/* SSE2 movdqu xmm, [m] / [m], xmm: 128-bit copies in generated code (never in C). */
static inline void x86_movdqu_load(x86_buf *b, int xmm, x86_mem m)
{
    x86_b(b, 0xf3);
    x86_op_rm(b, 4, 0x0f6f, 2, xmm, &m, false);
    x86_end(b);
}
static inline void x86_movdqu_store(x86_buf *b, x86_mem m, int xmm)
{
    x86_b(b, 0xf3);
    x86_op_rm(b, 4, 0x0f7f, 2, xmm, &m, false);
    x86_end(b);
}

/* SSE2 scalar FP in generated code (never in C): movd/movq between general and xmm
 * registers (size 4 = movd, 8 = movq) and addsd/subsd/mulsd/divsd (ss when !dbl). */
enum x86_sse_arith { X86_SSE_ADD = 0x58, X86_SSE_MUL = 0x59, X86_SSE_SUB = 0x5c, X86_SSE_DIV = 0x5e };
static inline void x86_movq_xr(x86_buf *b, int size, int xmm, int gpr)
{
    x86_b(b, 0x66);
    x86_op_rr(b, size, 0x0f6e, 2, xmm, gpr, false);
}
static inline void x86_movq_xm(x86_buf *b, int size, int xmm, x86_mem m)
{
    x86_b(b, 0x66);
    x86_op_rm(b, size, 0x0f6e, 2, xmm, &m, false);
    x86_end(b);
}
static inline void x86_movq_rx(x86_buf *b, int size, int gpr, int xmm)
{
    x86_b(b, 0x66);
    x86_op_rr(b, size, 0x0f7e, 2, xmm, gpr, false);
}
static inline void x86_sse_arith_xx(x86_buf *b, enum x86_sse_arith op, bool dbl, int dst, int src)
{
    x86_b(b, dbl ? 0xf2 : 0xf3);
    x86_op_rr(b, 4, 0x0f00u | op, 2, dst, src, false);
}
/* VEX.LIG.66.0F38 B9 /r: vfmadd231sd (W1) / vfmadd231ss (W0): dst = src1 * src2 + dst,
 * one rounding. Three-byte VEX so any of xmm0..15 can be named. */
static inline void x86_vfmadd231_xxx(x86_buf *b, bool dbl, int dst, int src1, int src2)
{
    x86_b(b, 0xc4);
    x86_b(b, (uint8_t)((dst & 8 ? 0 : 0x80) | 0x40 | (src2 & 8 ? 0 : 0x20) | 0x02));
    x86_b(b, (uint8_t)((dbl ? 0x80 : 0) | ((~src1 & 15) << 3) | 0x01));
    x86_b(b, 0xb9);
    x86_b(b, (uint8_t)(0xc0 | (dst & 7) << 3 | (src2 & 7)));
}

#endif
