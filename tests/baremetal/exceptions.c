/* Every synchronous exception class an EL1/EL0 program can raise without the MMU
 * tests' tables: SVC, HVC (as a PSCI call), SMC (UNDEFINED: no EL3), BRK, UDF,
 * alignment faults (SCTLR.A, and the acquire/release and exclusive forms that are
 * always checked in Armv8.0), SP alignment (EL1 with SP_EL0, and EL0), PC alignment,
 * an instruction abort, and IRQs taken only when DAIF.I allows. ESR/ELR/FAR are
 * printed where the architecture defines them; ELR relative to a label. */
#include "rt.h"

__asm__(".text\n.balign 4\n"
        /* x0 = NZCV to set; SVC at EL1 */
        ".global e_svc\ne_svc: msr nzcv, x0\n"
        ".global e_svc_insn\ne_svc_insn: svc #0x1234\n ret\n"
        ".global e_hvc\ne_hvc: hvc #0\n ret\n"
        ".global e_smc\ne_smc: smc #0\n ret\n"
        ".global e_brk\ne_brk: brk #0x77\n ret\n"
        ".global e_udf\ne_udf: udf #0x1234\n ret\n"
        ".global e_ldr\ne_ldr: ldr x0, [x0]\n ret\n"
        ".global e_ldrw\ne_ldrw: ldr w0, [x0]\n ret\n"
        ".global e_ldxr\ne_ldxr: ldxr x0, [x0]\n ret\n"
        ".global e_ldar\ne_ldar: ldar w0, [x0]\n ret\n"
        ".global e_stlr\ne_stlr: stlr x1, [x0]\n ret\n"
        /* x0 = value for SP_EL0: load through a misaligned SP at EL1t */
        ".global e_sp_el1t\ne_sp_el1t: msr spsel, #0\n mov x2, sp\n mov sp, x0\n"
        ".global e_sp_el1t_insn\ne_sp_el1t_insn: ldr x1, [sp]\n mov sp, x2\n msr spsel, #1\n ret\n"
        /* EL0: x0 = SP value */
        ".global u_sp\nu_sp: mov sp, x0\n"
        ".global u_sp_insn\nu_sp_insn: ldr x1, [sp]\n mov x0, #7\n svc #0xfff\n"
        /* EL0: spin until the IRQ handler moves ELR past the loop */
        /* x0 = address: LDXR, SVC (exception entry and ERET), STXR; returns the status */
        ".global e_excl_svc\ne_excl_svc: ldxr x1, [x0]\n svc #1\n stxr w2, x1, [x0]\n"
        " mov x0, x2\n ret\n"
        ".global e_excl\ne_excl: ldxr x1, [x0]\n stxr w2, x1, [x0]\n mov x0, x2\n ret\n"
        /* SVC with SP_EL0 selected (EL1t) */
        ".global e_svc_el1t\ne_svc_el1t: msr spsel, #0\n"
        ".global e_svc_el1t_insn\ne_svc_el1t_insn: svc #0x55\n msr spsel, #1\n ret\n"
        /* SVC whose return the handler makes illegal (SPSR.M = EL2h, not implemented) */
        ".global e_illegal\ne_illegal: svc #0x66\n"
        ".global e_illegal_next\ne_illegal_next: nop\n ret\n"
        ".balign 8\n.global pc_target\npc_target: nop\n nop\n ret\n"
        ".global u_spin\nu_spin: mov x0, #7\n"
        ".global u_spin_loop\nu_spin_loop: b u_spin_loop\n svc #0xfff\n");

extern char e_svc_el1t_insn[], e_illegal_next[], pc_target[], e_svc_insn[], e_sp_el1t_insn[], u_sp[], u_sp_insn[], u_spin[], u_spin_loop[];
#define A(f) ((char *)(uintptr_t)(f))
extern uint64_t e_svc(uint64_t), e_hvc(uint64_t), e_smc(uint64_t), e_brk(void), e_udf(void),
    e_ldr(uint64_t), e_ldrw(uint64_t), e_ldxr(uint64_t), e_ldar(uint64_t),
    e_stlr(uint64_t, uint64_t), e_excl_svc(uint64_t), e_excl(uint64_t), e_svc_el1t(void),
    e_illegal(void);

static uint64_t buf[4] __attribute__((aligned(64)));

static void report(const char *what, uint32_t want_esr, char *want_elr, int want_vec)
{
    check(exc_last.taken == 1 && exc_last.esr == want_esr && exc_last.elr == (uint64_t)want_elr &&
              exc_last.vec == want_vec,
          "%s: ESR=0x%08lx ELR=insn+%ld vector=0x%x", what, exc_last.esr,
          (int64_t)(exc_last.elr - (uint64_t)want_elr), exc_last.vec * 0x80);
}

static void report_far(const char *what, uint32_t want_esr, char *want_elr, uint64_t want_far)
{
    check(exc_last.taken == 1 && ESR_DA(exc_last.esr) == want_esr &&
              exc_last.elr == (uint64_t)want_elr && exc_last.far == want_far && exc_last.vec == 4,
          "%s: ESR=0x%08lx FAR=buf+%ld ELR=insn+%ld", what, ESR_DA(exc_last.esr),
          (int64_t)(exc_last.far - (uint64_t)buf), (int64_t)(exc_last.elr - (uint64_t)want_elr));
}

/* SVC #0x66: return with SPSR.M = EL2h (an illegal exception return: PSTATE.IL is set
 * and the EL stays EL1); the next instruction then takes an Illegal Execution state
 * exception, whose handler clears IL again. */
static volatile int illegal_steps;
static volatile uint64_t illegal_esr, illegal_elr, illegal_spsr;

static void illegal_handler(struct exc_frame *f, int vec)
{
    (void)vec;
    if (ESR_EC(f->esr) == 0x15) {
        f->spsr = 0x3c8;
        illegal_steps++;
        return;
    }
    illegal_esr = f->esr;
    illegal_elr = f->elr;
    illegal_spsr = f->spsr;
    f->spsr &= ~(1ul << 20);
    illegal_steps++;
}

static volatile int irq_count;
static volatile unsigned irq_iar;
static volatile int irq_vec;
static volatile uint64_t irq_spsr;

static void irq_handler(struct exc_frame *f, int vec)
{
    unsigned iar = gic_ack();
    irq_count++;
    irq_iar = iar;
    irq_vec = vec;
    irq_spsr = f->spsr;
    gic_eoi(iar);
    if (vec == 9) {   /* from u_spin at EL0: leave its loop */
        f->elr = (uint64_t)u_spin_loop + 4;
        f->x[0] = 7;
    }
}

static void send_sgi_self(unsigned id)
{
    /* GICD_SGIR: TargetListFilter=0b10 (this CPU only), SGI id. */
    mmio_w32(GICD_BASE + 0xf00, (2u << 24) | id);
    dsb(sy);
    isb();
}

int main(void)
{
    mmu_on_identity(39);

    exc_catch(EXC_SKIP);
    e_svc(0x90000000);
    report("SVC #0x1234 at EL1", 0x56001234, e_svc_insn + 4, 4);
    check(exc_last.spsr == 0x900003c5, "SVC at EL1: SPSR=0x%08lx (NZCV, DAIF masked, EL1h)",
          exc_last.spsr);

    exc_catch(EXC_SKIP);
    int64_t r = (int64_t)e_hvc(PSCI_VERSION);
    check(exc_last.taken == 0 && (r >> 16) == 1,
          "HVC #0 at EL1 with PSCI_VERSION: answered by the firmware, major version %ld",
          r >> 16);
    r = (int64_t)e_hvc(0x8400001f);
    check(exc_last.taken == 0 && r == -1, "HVC #0 with an unknown SMCCC function: %ld", r);

    exc_catch(EXC_SKIP);
    r = (int64_t)e_smc(PSCI_VERSION);
    report("SMC #0 at EL1 without EL3 is UNDEFINED", 0x02000000, A(e_smc), 4);
    exc_catch(EXC_SKIP);
    e_brk();
    report("BRK #0x77", 0xf2000077, A(e_brk), 4);
    exc_catch(EXC_SKIP);
    e_udf();
    report("UDF #0x1234", 0x02000000, A(e_udf), 4);

    /* Alignment. buf is Normal memory (MMU on): SCTLR.A decides for plain loads. */
    uint64_t mis = (uint64_t)buf + 4;
    buf[0] = 0x1122334455667788ul;
    buf[1] = 0x99aabbccddeeff00ul;
    exc_catch(EXC_SKIP);
    uint64_t v = e_ldr(mis);
    check(exc_last.taken == 0 && v == 0xddeeff0011223344ul,
          "unaligned LDR with SCTLR.A=0: no fault, 0x%016lx", v);
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_A);
    isb();
    exc_catch(EXC_SKIP);
    e_ldr(mis);
    report_far("unaligned LDR with SCTLR.A=1", 0x96000021, A(e_ldr), mis);
    exc_catch(EXC_SKIP);
    v = e_ldrw(mis);
    check(exc_last.taken == 0 && v == 0x11223344, "4-aligned LDR W with SCTLR.A=1: 0x%lx", v);
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_A);
    isb();
    exc_catch(EXC_SKIP);
    e_ldxr(mis);
    report_far("unaligned LDXR with SCTLR.A=0", 0x96000021, A(e_ldxr), mis);
    exc_catch(EXC_SKIP);
    e_ldar(mis + 2);
    report_far("unaligned LDAR W with SCTLR.A=0", 0x96000021, A(e_ldar), mis + 2);
    exc_catch(EXC_SKIP);
    e_stlr(mis, 0);
    report_far("unaligned STLR with SCTLR.A=0 (WnR=1)", 0x96000061, A(e_stlr), mis);
    exc_uncatch();

    exc_catch(EXC_SKIP);
    e_svc_el1t();
    exc_uncatch();
    check(exc_last.taken == 1 && exc_last.vec == 0 && exc_last.esr == 0x56000055 &&
              exc_last.elr == (uint64_t)e_svc_el1t_insn + 4 && (exc_last.spsr & 0xf) == 4,
          "SVC at EL1t: vector 0x%x, ESR=0x%08lx, SPSR.M=0x%lx", exc_last.vec * 0x80,
          exc_last.esr, exc_last.spsr & 0xf);

    exc_set_handler(VEC_SYNC, illegal_handler);
    e_illegal();
    exc_set_handler(VEC_SYNC, NULL);
    check(illegal_steps == 2 && illegal_esr == 0x3a000000 &&
              illegal_elr == (uint64_t)e_illegal_next && illegal_spsr == 0x1003c5,
          "illegal exception return (SPSR.M=EL2h): ESR=0x%08lx ELR=next+%ld SPSR=0x%08lx",
          illegal_esr, (int64_t)(illegal_elr - (uint64_t)e_illegal_next), illegal_spsr);

    /* The local exclusive monitor is cleared by an exception return. */
    uint64_t st = e_excl((uint64_t)buf);
    check(st == 0, "LDXR; STXR: status %ld (success)", st);
    exc_catch(EXC_SKIP);
    st = e_excl_svc((uint64_t)buf);
    exc_uncatch();
    check(exc_last.taken == 1 && st == 1, "LDXR; SVC and ERET; STXR: status %ld (monitor cleared)",
          st);

    /* PC alignment: BLR to a misaligned address faults on the target (EC 0x22). */
    exc_catch(EXC_RET_LR);
    ((void (*)(void))(pc_target + 2))();
    check(exc_last.taken == 1 && exc_last.esr == 0x8a000000 &&
              exc_last.elr == (uint64_t)pc_target + 2 && exc_last.far == (uint64_t)pc_target + 2,
          "PC alignment fault: ESR=0x%08lx ELR=FAR=target+%ld", exc_last.esr,
          (int64_t)(exc_last.far - (uint64_t)pc_target));
    /* Instruction abort: BLR into unmapped VA space (level 2 translation fault). */
    exc_catch(EXC_RET_LR);
    ((void (*)(void))0x50000000ul)();
    check(exc_last.taken == 1 && exc_last.esr == 0x86000006 && exc_last.elr == 0x50000000ul &&
              exc_last.far == 0x50000000ul,
          "instruction abort at EL1, unmapped: ESR=0x%08lx ELR=0x%lx FAR=0x%lx", exc_last.esr,
          exc_last.elr, exc_last.far);
    exc_uncatch();

    /* IRQs: an SGI pending while DAIF.I is set is not taken; clearing I takes it. */
    exc_set_handler(VEC_IRQ, irq_handler);
    gic_init();
    gic_enable_irq(5, 0x80);
    send_sgi_self(5);
    delay_us(1000);
    check(irq_count == 0 && gic_is_pending(5), "SGI 5 pending with DAIF.I=1: not taken");
    irq_enable();
    while (irq_count == 0)   /* taken in finite time, not necessarily at once */
        __asm__ volatile("wfi");
    irq_disable();
    check(irq_count == 1 && irq_iar == 5 && irq_vec == 5 && (irq_spsr & 0x3cf) == 0x345,
          "DAIF.I cleared: IRQ taken at VBAR+0x%x, IAR=0x%x, SPSR.DAIF=0x%lx M=0x%lx", irq_vec * 0x80,
          irq_iar, (irq_spsr >> 6) & 15, irq_spsr & 15);
    send_sgi_self(5);
    uint64_t got = run_el0((uint64_t (*)(uint64_t))u_spin, 0, (uint64_t)el0_stack_top, 0);
    check(irq_count == 2 && irq_iar == 5 && irq_vec == 9 && (irq_spsr & 0x3cf) == 0 && got == 7,
          "IRQ at EL0 with DAIF clear: VBAR+0x%x, IAR=0x%x, SPSR.DAIF=0x%lx M=0x%lx",
          irq_vec * 0x80, irq_iar, (irq_spsr >> 6) & 15, irq_spsr & 15);
    check(mmio_r32(GICC_BASE + 0x0c) == 1023, "no interrupt left: IAR=1023 (spurious)");
    return 0;
}
