/* EL1 -> EL0 -> EL1: ERET to EL0, SVC back (ESR, ELR, SPSR), and the EL0 trap rules for
 * system registers and instructions controlled by SCTLR_EL1 and CNTKCTL_EL1. Each EL0
 * probe is one instruction at a global label, so ELR is checked against the label. */
#include "rt.h"

/* EL0 code: each probe instruction, then x0 = 7 and the EL0 exit. */
#define PROBE(name, insn) \
    ".global " #name "\n" #name ": " insn "\n mov x0, #7\n svc #0xfff\n"
__asm__(".text\n.balign 4\n"
        ".global u_svc\nu_svc:\n"
        "  mov x1, #0x60000000\n  msr nzcv, x1\n"
        ".global u_svc_insn\nu_svc_insn: svc #0x42\n"
        "  svc #0xfff\n"
        PROBE(u_mrs_sctlr, "mrs x5, sctlr_el1")
        PROBE(u_msr_vbar, "msr vbar_el1, x5")
        PROBE(u_mrs_ctr, "mrs x5, ctr_el0")
        PROBE(u_dczid, "mrs x0, dczid_el0\n and x0, x0, #0x10\n svc #0xfff")
        PROBE(u_dc_zva, "dc zva, x0")
        PROBE(u_cntvct, "mrs x6, cntvct_el0")
        PROBE(u_cntpct, "mrs x6, cntpct_el0")
        PROBE(u_cntfrq, "mrs x6, cntfrq_el0")
        PROBE(u_wfi, "wfi")
        PROBE(u_daifset, "msr daifset, #2")
        ".global u_mrs_daif\nu_mrs_daif: mov x7, #7\n"
        PROBE(u_mrs_daif_insn, "mrs x7, daif\n mov x0, x7\n svc #0xfff")
        PROBE(u_eret, "eret")
        PROBE(u_mrs_currentel, "mrs x8, currentel")
        PROBE(u_msr_spsel, "msr spsel, #0")
        PROBE(u_hvc, "hvc #0")
        PROBE(u_ic_ivau, "ic ivau, x0")
        PROBE(u_dc_cvau, "dc cvau, x0"));

extern char u_svc[], u_svc_insn[], u_mrs_sctlr[], u_msr_vbar[], u_mrs_ctr[], u_dczid[],
    u_dc_zva[], u_cntvct[], u_cntpct[], u_cntfrq[], u_wfi[], u_daifset[], u_mrs_daif[],
    u_mrs_daif_insn[], u_eret[], u_mrs_currentel[], u_msr_spsel[], u_hvc[], u_ic_ivau[],
    u_dc_cvau[];

static unsigned char zbuf[8192] __attribute__((aligned(4096), section(".user_bss")));

static void svc_handler(struct exc_frame *f, int vec)
{
    exc_last.taken++;
    exc_last.vec = vec;
    exc_last.esr = f->esr;
    exc_last.elr = f->elr;
    exc_last.spsr = f->spsr;
    f->x[0] = f->x[0] * 2 + 1;   /* a "syscall" result for EL0 */
}

static uint64_t el0(char *fn, uint64_t arg)
{
    return run_el0((uint64_t (*)(uint64_t))fn, arg, (uint64_t)el0_stack_top, 0);
}

/* Runs an EL0 probe, expecting a trap at its label with the given ESR. */
static void expect_trap_at(char *fn, char *insn, uint32_t esr, uint32_t esr_mask,
                           const char *what)
{
    exc_catch(EXC_SKIP);
    uint64_t r = el0(fn, 0);
    exc_uncatch();
    check(exc_last.taken == 1 && (exc_last.esr & esr_mask) == esr &&
              exc_last.elr == (uint64_t)insn && exc_last.vec == 8 && r == 7,
          "%s: trapped, ESR=0x%08lx ELR=probe+%ld vector=0x%x", what, exc_last.esr & esr_mask,
          (int64_t)(exc_last.elr - (uint64_t)insn), exc_last.vec * 0x80);
}

static void expect_trap(char *fn, uint32_t esr, const char *what)
{
    expect_trap_at(fn, fn, esr, 0xffffffffu, what);
}

static void expect_no_trap_arg(char *fn, uint64_t arg, const char *what)
{
    exc_catch(EXC_SKIP);
    uint64_t r = el0(fn, arg);
    exc_uncatch();
    check(exc_last.taken == 0 && r == 7, "%s: no trap", what);
}

static void expect_no_trap(char *fn, const char *what)
{
    expect_no_trap_arg(fn, 0, what);
}

/* ESR of a trapped MRS/MSR/SYS (EC 0x18, IL=1). */
static uint32_t sysreg_esr(int op0, int op1, int crn, int crm, int op2, int rt, int read)
{
    return (0x18u << 26) | ESR_IL | (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) |
           (rt << 5) | (crm << 1) | read;
}

static void set_sctlr(uint64_t set, uint64_t clear)
{
    write_sysreg(sctlr_el1, (read_sysreg(sctlr_el1) | set) & ~clear);
    isb();
}

int main(void)
{
    mmu_on_identity(39);
    exc_set_handler(VEC_SYNC, svc_handler);
    uint64_t r = el0(u_svc, 20);
    exc_set_handler(VEC_SYNC, NULL);
    check(exc_last.taken == 1 && r == 41, "ERET to EL0, SVC back, result to EL0: %ld", r);
    check(exc_last.esr == 0x56000042, "SVC #0x42 from EL0: ESR=0x%08lx (EC 0x15, IL, imm16)",
          exc_last.esr);
    check(exc_last.vec == 8, "taken at VBAR+0x%x (lower EL, AArch64, sync)", exc_last.vec * 0x80);
    check(exc_last.elr == (uint64_t)u_svc_insn + 4, "ELR=svc+%ld",
          (int64_t)(exc_last.elr - (uint64_t)u_svc_insn));
    check(exc_last.spsr == 0x60000000, "SPSR=0x%08lx (EL0t, NZCV from EL0, DAIF clear)",
          exc_last.spsr);

    expect_trap(u_mrs_sctlr, 0x02000000, "MRS SCTLR_EL1 at EL0 is UNDEFINED");
    expect_trap(u_msr_vbar, 0x02000000, "MSR VBAR_EL1 at EL0 is UNDEFINED");
    expect_trap(u_eret, 0x02000000, "ERET at EL0 is UNDEFINED");
    expect_trap(u_mrs_currentel, 0x02000000, "MRS CurrentEL at EL0 is UNDEFINED");
    expect_trap(u_msr_spsel, 0x02000000, "MSR SPSel at EL0 is UNDEFINED");
    expect_trap(u_hvc, 0x02000000, "HVC at EL0 is UNDEFINED");

    set_sctlr(0, SCTLR_UCT);
    expect_trap(u_mrs_ctr, sysreg_esr(3, 3, 0, 0, 1, 5, 1), "MRS CTR_EL0 with UCT=0");
    set_sctlr(SCTLR_UCT, 0);
    expect_no_trap(u_mrs_ctr, "MRS CTR_EL0 with UCT=1");

    set_sctlr(0, SCTLR_DZE);
    r = el0(u_dczid, 0);
    check(r == 0x10, "DCZID_EL0.DZP=%ld at EL0 with DZE=0", r >> 4);
    expect_trap(u_dc_zva, sysreg_esr(1, 3, 7, 4, 1, 0, 0), "DC ZVA with DZE=0");
    set_sctlr(SCTLR_DZE, 0);
    r = el0(u_dczid, 0);
    check(r == 0, "DCZID_EL0.DZP=%ld at EL0 with DZE=1", r >> 4);
    memset(zbuf, 0xaa, sizeof(zbuf));
    exc_catch(EXC_SKIP);
    r = el0(u_dc_zva, (uint64_t)zbuf + 2048);
    exc_uncatch();
    /* The block size (DCZID_EL0.BS) is IMPLEMENTATION DEFINED, at most 2 KB: only the
     * first byte of the block and the bytes outside the 2 KB-aligned 2 KB are known. */
    check(exc_last.taken == 0 && r == 7 && zbuf[2048] == 0 && zbuf[2047] == 0xaa &&
              zbuf[4096] == 0xaa,
          "DC ZVA at EL0 with DZE=1 zeroes the block: %x %x %x", zbuf[2047], zbuf[2048],
          zbuf[4096]);

    set_sctlr(0, SCTLR_UCI);
    expect_trap(u_ic_ivau, sysreg_esr(1, 3, 7, 5, 1, 0, 0), "IC IVAU at EL0 with UCI=0");
    expect_trap(u_dc_cvau, sysreg_esr(1, 3, 7, 11, 1, 0, 0), "DC CVAU at EL0 with UCI=0");
    set_sctlr(SCTLR_UCI, 0);
    /* On a line EL0 can read: otherwise a permission fault is allowed. */
    expect_no_trap_arg(u_ic_ivau, (uint64_t)zbuf, "IC IVAU at EL0 with UCI=1");
    expect_no_trap_arg(u_dc_cvau, (uint64_t)zbuf, "DC CVAU at EL0 with UCI=1");

    write_sysreg(cntkctl_el1, 0);
    isb();
    expect_trap(u_cntvct, sysreg_esr(3, 3, 14, 0, 2, 6, 1), "MRS CNTVCT_EL0 with EL0VCTEN=0");
    expect_trap(u_cntpct, sysreg_esr(3, 3, 14, 0, 1, 6, 1), "MRS CNTPCT_EL0 with EL0PCTEN=0");
    expect_trap(u_cntfrq, sysreg_esr(3, 3, 14, 0, 0, 6, 1),
                "MRS CNTFRQ_EL0 with EL0VCTEN=EL0PCTEN=0");
    write_sysreg(cntkctl_el1, 2);   /* EL0VCTEN */
    isb();
    expect_no_trap(u_cntvct, "MRS CNTVCT_EL0 with EL0VCTEN=1");
    expect_no_trap(u_cntfrq, "MRS CNTFRQ_EL0 with EL0VCTEN=1");
    expect_trap(u_cntpct, sysreg_esr(3, 3, 14, 0, 1, 6, 1), "MRS CNTPCT_EL0 with EL0PCTEN=0");
    write_sysreg(cntkctl_el1, 1);   /* EL0PCTEN */
    isb();
    expect_no_trap(u_cntpct, "MRS CNTPCT_EL0 with EL0PCTEN=1");

    set_sctlr(0, SCTLR_NTWI);
    expect_trap(u_wfi, 0x07e00000, "WFI at EL0 with nTWI=0 (EC 0x1, CV=1, COND=0xe, TI=0)");

    set_sctlr(0, SCTLR_UMA);
    /* The architecture reports MSR DAIFSet as Op0=0 Op1=3 CRn=4 CRm=imm Op2=6 Rt=31;
     * QEMU 7.2 swaps Op1 and Op2 (6 and 3), so those two fields are not printed. */
    expect_trap_at(u_daifset, u_daifset, sysreg_esr(0, 0, 4, 2, 0, 31, 0), ~0x1fc000u,
                   "MSR DAIFSet at EL0 with UMA=0 (Op1/Op2 masked)");
    expect_trap_at(u_mrs_daif, u_mrs_daif_insn, sysreg_esr(3, 3, 4, 2, 1, 7, 1), 0xffffffffu,
                   "MRS DAIF at EL0 with UMA=0");
    set_sctlr(SCTLR_UMA, 0);
    expect_no_trap(u_daifset, "MSR DAIFSet at EL0 with UMA=1");
    exc_catch(EXC_SKIP);
    r = run_el0((uint64_t (*)(uint64_t))u_mrs_daif, 0, (uint64_t)el0_stack_top, 0x80);
    exc_uncatch();
    check(exc_last.taken == 0 && r == 0x80, "MRS DAIF at EL0 with UMA=1: 0x%lx", r);
    return 0;
}
