/* Architectural behaviour QEMU 7.2 does not implement, so this program's golden file
 * is written by hand from the Arm ARM and the runner skips it under QEMU (see
 * qemu_gaps.skip-qemu): SP alignment checking (SCTLR_EL1.SA/SA0, EC 0x26), the
 * alignment check of a store-exclusive (AArch64.ExclusiveMonitorsPass aborts on a
 * misaligned address before looking at the monitor), and a translation fault from a
 * DC CIVAC to an unmapped address (reported with CM=1, WnR=1). */
#include "rt.h"

__asm__(".text\n.balign 4\n"
        ".global g_stxr\ng_stxr: stxr w2, x1, [x0]\n mov x0, x2\n ret\n"
        /* x0 = value for SP_EL0: load through a misaligned SP at EL1t */
        ".global g_sp_el1t\ng_sp_el1t: msr spsel, #0\n mov x2, sp\n mov sp, x0\n"
        ".global g_sp_el1t_insn\ng_sp_el1t_insn: ldr x1, [sp]\n mov sp, x2\n msr spsel, #1\n ret\n"
        ".global u_sp\nu_sp: mov sp, x0\n"
        ".global u_sp_insn\nu_sp_insn: ldr x1, [sp]\n mov x0, #7\n svc #0xfff\n");
extern char g_sp_el1t_insn[], u_sp[], u_sp_insn[];
extern uint64_t g_stxr(uint64_t va, uint64_t v), g_sp_el1t(uint64_t sp);

static uint64_t buf[4] __attribute__((aligned(64)));

int main(void)
{
    mmu_on_identity(39);

    uint64_t mis = (uint64_t)buf + 4;
    exc_catch(EXC_SKIP);
    g_stxr(mis, 0);
    exc_uncatch();
    check(exc_last.taken == 1 && ESR_DA(exc_last.esr) == 0x96000061 && exc_last.far == mis &&
              exc_last.elr == ADDR(g_stxr),
          "unaligned STXR with SCTLR.A=0 and no reservation: ESR=0x%08lx FAR=buf+%ld",
          ESR_DA(exc_last.esr), (int64_t)(exc_last.far - (uint64_t)buf));

    exc_catch(EXC_SKIP);
    p_dc_civac(0x50000040ul);
    exc_uncatch();
    check(exc_last.taken == 1 && ESR_DA(exc_last.esr) == 0x96000146 &&
              exc_last.far == 0x50000040ul && exc_last.elr == ADDR(p_dc_civac),
          "DC CIVAC to an unmapped VA: ESR=0x%08lx FAR=0x%lx", ESR_DA(exc_last.esr),
          exc_last.far);

    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_SA);
    isb();
    exc_catch(EXC_SKIP);
    g_sp_el1t((uint64_t)buf + 8);
    exc_uncatch();
    check(exc_last.taken == 1 && exc_last.esr == 0x9a000000 &&
              exc_last.elr == (uint64_t)g_sp_el1t_insn && exc_last.vec == 0,
          "SP alignment fault at EL1t (SCTLR.SA=1): ESR=0x%08lx vector=0x%x", exc_last.esr,
          exc_last.vec * 0x80);
    exc_catch(EXC_SKIP);
    g_sp_el1t((uint64_t)buf + 16);
    exc_uncatch();
    check(exc_last.taken == 0, "16-aligned SP at EL1t: no fault");
    exc_catch(EXC_SKIP);
    run_el0((uint64_t (*)(uint64_t))u_sp, (uint64_t)el0_stack_top - 8, 0, 0);
    exc_uncatch();
    check(exc_last.taken == 0, "misaligned SP at EL0 with SCTLR.SA0=0: no fault");
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_SA0);
    isb();
    exc_catch(EXC_SKIP);
    run_el0((uint64_t (*)(uint64_t))u_sp, (uint64_t)el0_stack_top - 8, 0, 0);
    exc_uncatch();
    check(exc_last.taken == 1 && exc_last.esr == 0x9a000000 &&
              exc_last.elr == (uint64_t)u_sp_insn && exc_last.vec == 8,
          "SP alignment fault at EL0 (SCTLR.SA0=1): ESR=0x%08lx vector=0x%x", exc_last.esr,
          exc_last.vec * 0x80);
    return 0;
}
