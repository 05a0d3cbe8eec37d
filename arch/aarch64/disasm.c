/* a64_disasm: GNU objdump-style text of one instruction, from the generated
 * disassembler, then the system instructions of a system-mode guest
 * (disasm_system.c); what is not described prints as objdump prints undefined words. */
#include "ferry/support.h"
#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"

int a64_disasm(uint32_t insn, uint64_t pc, char *buf, size_t size)
{
    int n = a64_disasm_insn(insn, pc, buf, size);
    if (n >= 0)
        return n;
    n = a64_disasm_system(insn, buf, size);
    if (n >= 0)
        return n;
    return fy_snprintf(buf, size, ".inst\t0x%08x ; undefined", insn);
}
