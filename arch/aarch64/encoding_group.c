/* a64_encoding_group: names the A64 encoding group of an instruction word, following
 * the top-level decode tables of the Arm ARM (A64 instruction set encoding), so that
 * reports of undefined instructions say what kind of instruction was not described. */
#include "arch/aarch64/a64.h"

static inline uint32_t bits(uint32_t insn, unsigned hi, unsigned lo)
{
    return (insn >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static const char *group_dp_imm(uint32_t insn)
{
    static const char *const names[8] = {
        "PC-rel. addressing", "PC-rel. addressing", "add/subtract (immediate)",
        "add/subtract (immediate, with tags)", "logical (immediate)", "move wide (immediate)",
        "bitfield", "extract",
    };
    return names[bits(insn, 25, 23)];
}

static const char *group_branch_sys(uint32_t insn)
{
    uint32_t op0 = bits(insn, 31, 29);
    if ((op0 & 3) == 0)
        return "unconditional branch (immediate)";
    if ((op0 & 3) == 1)
        return bits(insn, 25, 25) ? "test and branch (immediate)" : "compare and branch (immediate)";
    if (op0 == 2)
        return bits(insn, 25, 25) ? "unallocated (branches)" : "conditional branch (immediate)";
    if (op0 == 6) {
        if (bits(insn, 25, 24) == 0)
            return "exception generation";
        if (bits(insn, 25, 25))
            return "unconditional branch (register)";
        if (bits(insn, 25, 12) == 0x1031)
            return "system instructions with register argument";
        if (bits(insn, 25, 12) == 0x1032)
            return "hints";
        if (bits(insn, 25, 12) == 0x1033)
            return "barriers";
        if (bits(insn, 25, 22) == 4 && bits(insn, 20, 19) == 0 && bits(insn, 15, 12) == 4)
            return "PSTATE";
        if (bits(insn, 25, 22) == 4 && bits(insn, 20, 19) == 1)
            return "system instructions";
        if (bits(insn, 25, 22) == 4 && bits(insn, 20, 20) == 1)
            return "system register move";
    }
    return "unallocated (branches, exception generating and system instructions)";
}

static const char *group_load_store(uint32_t insn)
{
    uint32_t op01 = bits(insn, 29, 28);
    if (op01 == 0) {
        if (bits(insn, 26, 26))
            return bits(insn, 31, 31) ? "unallocated (loads and stores)"
                 : bits(insn, 24, 24) ? "AdvSIMD load/store single structure"
                                      : "AdvSIMD load/store multiple structures";
        return "load/store exclusive and ordered";
    }
    if (op01 == 1)
        return bits(insn, 24, 24) ? "load/store ordered (unscaled immediate)" : "load register (literal)";
    if (op01 == 2)
        return "load/store register pair";
    if (bits(insn, 24, 24))
        return "load/store register (unsigned immediate)";
    if (bits(insn, 21, 21) == 0) {
        static const char *const names[4] = {
            "load/store register (unscaled immediate)", "load/store register (immediate post-indexed)",
            "load/store register (unprivileged)", "load/store register (immediate pre-indexed)",
        };
        return names[bits(insn, 11, 10)];
    }
    switch (bits(insn, 11, 10)) {
    case 0: return "atomic memory operations";
    case 2: return "load/store register (register offset)";
    default: return "load/store register (pac)";
    }
}

static const char *group_dp_reg(uint32_t insn)
{
    uint32_t op2 = bits(insn, 24, 21);
    if (bits(insn, 28, 28) == 0) {
        if ((op2 & 8) == 0)
            return "logical (shifted register)";
        return (op2 & 1) ? "add/subtract (extended register)" : "add/subtract (shifted register)";
    }
    if (op2 & 8)
        return "data-processing (3 source)";
    switch (op2) {
    case 0:
        if (bits(insn, 15, 10) == 0)
            return "add/subtract (with carry)";
        if (bits(insn, 14, 10) == 1)
            return "rotate right into flags";
        if (bits(insn, 13, 10) == 2)
            return "evaluate into flags";
        break;
    case 2:
        return bits(insn, 11, 11) ? "conditional compare (immediate)" : "conditional compare (register)";
    case 4:
        return "conditional select";
    case 6:
        return bits(insn, 30, 30) ? "data-processing (1 source)" : "data-processing (2 source)";
    }
    return "unallocated (data processing - register)";
}

static const char *group_fp(uint32_t insn)
{
    if (bits(insn, 24, 24))
        return "floating-point data-processing (3 source)";
    if (bits(insn, 21, 21) == 0)
        return "conversion between floating-point and fixed-point";
    switch (bits(insn, 11, 10)) {
    case 1: return "floating-point conditional compare";
    case 2: return "floating-point data-processing (2 source)";
    case 3: return "floating-point conditional select";
    }
    if (bits(insn, 12, 12))
        return "floating-point immediate";
    if (bits(insn, 13, 13))
        return "floating-point compare";
    if (bits(insn, 14, 14))
        return "floating-point data-processing (1 source)";
    if (bits(insn, 15, 15) == 0)
        return "conversion between floating-point and integer";
    return "unallocated (floating-point)";
}

static const char *group_simd(uint32_t insn, bool scalar)
{
    if ((insn & 0xff3e0c00u) == 0x4e280800u)
        return "cryptographic AES";
    if ((insn & 0xff208c00u) == 0x5e000000u)
        return "cryptographic three-register SHA";
    if ((insn & 0xff3e0c00u) == 0x5e280800u)
        return "cryptographic two-register SHA";
    if (bits(insn, 24, 24)) {
        if (bits(insn, 10, 10) == 0)
            return scalar ? "AdvSIMD scalar x indexed element" : "AdvSIMD vector x indexed element";
        if (!scalar && bits(insn, 22, 19) == 0)
            return "AdvSIMD modified immediate";
        return scalar ? "AdvSIMD scalar shift by immediate" : "AdvSIMD shift by immediate";
    }
    if (bits(insn, 21, 21)) {
        if (bits(insn, 10, 10))
            return scalar ? "AdvSIMD scalar three same" : "AdvSIMD three same";
        if (bits(insn, 11, 11) == 0)
            return scalar ? "AdvSIMD scalar three different" : "AdvSIMD three different";
        if (bits(insn, 20, 17) == 0)
            return scalar ? "AdvSIMD scalar two-register misc" : "AdvSIMD two-register misc";
        if (bits(insn, 20, 17) == 8)
            return scalar ? "AdvSIMD scalar pairwise" : "AdvSIMD across lanes";
        return "unallocated (AdvSIMD)";
    }
    if (bits(insn, 10, 10) && bits(insn, 15, 15) == 0 && bits(insn, 23, 22) == 0)
        return scalar ? "AdvSIMD scalar copy" : "AdvSIMD copy";
    if (bits(insn, 10, 10))
        return scalar ? "AdvSIMD scalar three same FP16" : "AdvSIMD three same (FP16 or extra)";
    if (scalar)
        return "AdvSIMD scalar two-register misc FP16";
    if (bits(insn, 29, 29))
        return "AdvSIMD extract";
    return bits(insn, 11, 11) ? "AdvSIMD permute" : "AdvSIMD table lookup";
}

const char *a64_encoding_group(uint32_t insn)
{
    uint32_t op0 = bits(insn, 28, 25);
    if (op0 == 0)
        return bits(insn, 31, 31) ? "SME" : "reserved (UDF)";
    if (op0 == 1 || op0 == 3)
        return "unallocated (top-level)";
    if (op0 == 2)
        return "SVE";
    if ((op0 & 0xe) == 8)
        return group_dp_imm(insn);
    if ((op0 & 0xe) == 0xa)
        return group_branch_sys(insn);
    if ((op0 & 5) == 4)
        return group_load_store(insn);
    if ((op0 & 7) == 5)
        return group_dp_reg(insn);
    /* x111: scalar floating-point and Advanced SIMD */
    if (bits(insn, 28, 28) && bits(insn, 30, 30) == 0)
        return group_fp(insn);
    if (bits(insn, 31, 31))
        return "unallocated (AdvSIMD)";
    return group_simd(insn, bits(insn, 28, 28) != 0);
}
