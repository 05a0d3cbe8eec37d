/* Disassembly of the system instructions the user-level description leaves
 * unallocated (a Linux process may not use them) but a system-mode guest runs: MRS/MSR
 * of any system register, MSR (immediate) of the ARMv8.0 PSTATE fields, the SYS
 * operations (DC, IC, AT, TLBI) and ERET, with the names of the system register table
 * (sysregs.c), printed as GNU objdump prints them. */
#include "ferry/support.h"
#include "arch/aarch64/a64.h"
#include "arch/aarch64/sysregs.h"

static const char *xreg(unsigned r, char buf[8])
{
    if (r == 31) return "xzr";
    fy_snprintf(buf, 8, "x%u", r);
    return buf;
}

int a64_disasm_system(uint32_t insn, char *buf, size_t size)
{
    char x[8];
    unsigned rt = insn & 31;
    if (insn == 0xd69f03e0u) return fy_snprintf(buf, size, "eret");
    /* MRS/MSR (register): 1101010100 L 1 o0 op1 CRn CRm op2 Rt */
    if ((insn & 0xffd00000u) == 0xd5100000u) {
        bool read = (insn >> 21) & 1;
        uint32_t id = (insn >> 5) & A64_SYSREG_ID_MASK;
        char name[48];
        a64_sysreg_format_name(id, !read, name, sizeof(name));
        return read ? fy_snprintf(buf, size, "mrs\t%s, %s", xreg(rt, x), name)
                    : fy_snprintf(buf, size, "msr\t%s, %s", name, xreg(rt, x));
    }
    /* MSR (immediate): 1101010100 0 00 op1 0100 CRm op2 11111 */
    if ((insn & 0xfff8f01fu) == 0xd500401fu) {
        unsigned op1 = (insn >> 16) & 7, op2 = (insn >> 5) & 7, crm = (insn >> 8) & 15;
        const char *field = op1 == 0 && op2 == 5 ? "spsel" : op1 == 3 && op2 == 6 ? "daifset"
                          : op1 == 3 && op2 == 7 ? "daifclr" : NULL;
        if (field) return fy_snprintf(buf, size, "msr\t%s, #0x%x", field, crm);
        return -1;
    }
    /* SYS: 1101010100 0 01 op1 CRn CRm op2 Rt */
    if ((insn & 0xfff80000u) == 0xd5080000u) {
        const struct a64_sys_insn *op = a64_sys_insn_find((insn >> 5) & 0x3fff);
        if (!op) return -1;
        if (op->has_rt) return fy_snprintf(buf, size, "%s, %s", op->name, xreg(rt, x));
        if (rt != 31) return -1;             /* objdump prints the generic SYS form */
        return fy_snprintf(buf, size, "%s", op->name);
    }
    return -1;
}
