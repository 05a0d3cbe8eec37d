/* Name tables behind the `extern disasm` declarations of the A64 description
 * (common.adl, dataproc.adl, system.adl): register, condition, shift, extend,
 * mnemonic, hint, barrier and system-register names as GNU objdump prints them.
 * Every function accepts any argument value (the disassembler sees hostile words). */
#include "arch/aarch64/gen_api.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(table, i) ((i) < COUNT(table) ? (table)[i] : "?")

#define REGS(p) p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7", p "8", p "9", \
    p "10", p "11", p "12", p "13", p "14", p "15", p "16", p "17", p "18", p "19", \
    p "20", p "21", p "22", p "23", p "24", p "25", p "26", p "27", p "28", p "29", p "30"

static const char *const xregs[31] = { REGS("x") };
static const char *const wregs[31] = { REGS("w") };

const char *a64_reg_name(uint32_t n, uint8_t is64, uint8_t sp)
{
    if (n < 31)
        return is64 ? xregs[n] : wregs[n];
    if (n == 31)
        return sp ? (is64 ? "sp" : "wsp") : (is64 ? "xzr" : "wzr");
    return "?";
}

const char *a64_cond_name(uint32_t cond)
{
    static const char *const names[16] = {
        "eq", "ne", "cs", "cc", "mi", "pl", "vs", "vc",
        "hi", "ls", "ge", "lt", "gt", "le", "al", "nv",
    };
    return PICK(names, cond);
}

const char *a64_shift_name(uint32_t type)
{
    static const char *const names[4] = { "lsl", "lsr", "asr", "ror" };
    return PICK(names, type);
}

const char *a64_extend_name(uint32_t option)
{
    static const char *const names[8] = {
        "uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx",
    };
    return PICK(names, option);
}

const char *a64_addsub_name(uint32_t op_s)
{
    static const char *const names[4] = { "add", "adds", "sub", "subs" };
    return PICK(names, op_s);
}

const char *a64_logic_name(uint32_t opc_n)
{
    static const char *const names[8] = { "and", "bic", "orr", "orn", "eor", "eon", "ands", "bics" };
    return PICK(names, opc_n);
}

const char *a64_dp3_name(uint32_t kind, uint8_t short_form)
{
    /* kind = op31:o0; the short forms are the aliases with Ra == zr */
    static const char *const full[13] = {
        "madd", "msub", "smaddl", "smsubl", "smulh", "?", "?", "?",
        "?", "?", "umaddl", "umsubl", "umulh",
    };
    static const char *const brief[13] = {
        "mul", "mneg", "smull", "smnegl", "smulh", "?", "?", "?",
        "?", "?", "umull", "umnegl", "umulh",
    };
    return short_form ? PICK(brief, kind) : PICK(full, kind);
}

const char *a64_dp2_name(uint32_t opcode)
{
    switch (opcode) {
    case 2: return "udiv";
    case 3: return "sdiv";
    case 8: return "lsl";
    case 9: return "lsr";
    case 10: return "asr";
    case 11: return "ror";
    }
    return "?";
}

const char *a64_dp1_name(uint8_t sf, uint32_t opcode)
{
    static const char *const names[6] = { "rbit", "rev16", "rev32", "rev", "clz", "cls" };
    if (!sf && opcode == 2)
        return "rev";
    return PICK(names, opcode);
}

const char *a64_crc_name(uint8_t c, uint32_t sz)
{
    static const char *const crc[4] = { "crc32b", "crc32h", "crc32w", "crc32x" };
    static const char *const crcc[4] = { "crc32cb", "crc32ch", "crc32cw", "crc32cx" };
    return c ? PICK(crcc, sz) : PICK(crc, sz);
}

const char *a64_hint_name(uint32_t imm)
{
    static const char *const names[40] = {
        "nop", "yield", "wfe", "wfi", "sev", "sevl", "?", "xpaclri",
        "pacia1716", "?", "pacib1716", "?", "autia1716", "?", "autib1716", "?",
        "esb", "psb\tcsync", "tsb\tcsync", "?", "csdb", "?", "clearbhb", "?",
        "paciaz", "paciasp", "pacibz", "pacibsp", "autiaz", "autiasp", "autibz", "autibsp",
        "bti", "?", "bti\tc", "?", "bti\tj", "?", "bti\tjc", "?",
    };
    return PICK(names, imm);
}

const char *a64_barrier_option(uint32_t crm)
{
    static const char *const names[16] = {
        "#0x00", "oshld", "oshst", "osh", "#0x04", "nshld", "nshst", "nsh",
        "#0x08", "ishld", "ishst", "ish", "#0x0c", "ld", "st", "sy",
    };
    return PICK(names, crm);
}

#define ID_SPACE(crm) "s3_0_c0_c" #crm "_0", "s3_0_c0_c" #crm "_1", "s3_0_c0_c" #crm "_2", \
    "s3_0_c0_c" #crm "_3", "s3_0_c0_c" #crm "_4", "s3_0_c0_c" #crm "_5", \
    "s3_0_c0_c" #crm "_6", "s3_0_c0_c" #crm "_7"

const char *a64_sysreg_name(uint32_t reg)
{
    /* unnamed ID registers print in the generic form, as objdump does */
    static const char *id_space[32] = { ID_SPACE(4), ID_SPACE(5), ID_SPACE(6), ID_SPACE(7) };
    switch (reg) {
    case 0x5a10: return "nzcv";
    case 0x5a20: return "fpcr";
    case 0x5a21: return "fpsr";
    case 0x5e82: return "tpidr_el0";
    case 0x5e83: return "tpidrro_el0";
    case 0x5801: return "ctr_el0";
    case 0x5807: return "dczid_el0";
    case 0x4000: return "midr_el1";
    case 0x4005: return "mpidr_el1";
    case 0x4006: return "revidr_el1";
    case 0x4020: return "id_aa64pfr0_el1";
    case 0x4021: return "id_aa64pfr1_el1";
    case 0x4024: return "id_aa64zfr0_el1";
    case 0x4025: return "id_aa64smfr0_el1";
    case 0x4028: return "id_aa64dfr0_el1";
    case 0x4029: return "id_aa64dfr1_el1";
    case 0x402c: return "id_aa64afr0_el1";
    case 0x402d: return "id_aa64afr1_el1";
    case 0x4030: return "id_aa64isar0_el1";
    case 0x4031: return "id_aa64isar1_el1";
    case 0x4032: return "id_aa64isar2_el1";
    case 0x4038: return "id_aa64mmfr0_el1";
    case 0x4039: return "id_aa64mmfr1_el1";
    case 0x403a: return "id_aa64mmfr2_el1";
    }
    if (reg >= 0x4020 && reg <= 0x403f)
        return id_space[reg - 0x4020];
    return "?";
}

const char *a64_sys_op_name(uint32_t op)
{
    switch (op) {
    case 0x21: return "zva";
    case 0x29: return "ivau";
    case 0x51: return "cvac";
    case 0x59: return "cvau";
    case 0x61: return "cvap";
    case 0x69: return "cvadp";
    case 0x71: return "civac";
    }
    return "?";
}
