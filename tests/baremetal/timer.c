/* Generic timers through the GIC: the virtual (PPI 11, INTID 27) and EL1 physical
 * (PPI 14, INTID 30) timers by CVAL and by TVAL, ENABLE/IMASK/ISTATUS, the IAR value
 * and EOI, WFI waking up for an interrupt that DAIF.I keeps masked (it is then taken
 * once I is cleared), and the counter advancing. No counter or frequency value is
 * printed (they depend on the host). */
#include "rt.h"

/* EL0: fill x1-x29, v0-v31 and NZCV with known values, spin until the timer IRQ
 * handler moves ELR past the loop, then count the registers that changed (x0). */
__asm__(".text\n.balign 4\n.global u_regs\nu_regs:\n"
        ".irp i,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29\n"
        "  mov x\\i, #(\\i * 0x101)\n.endr\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "  mov x30, #(\\i + 0x500)\n  fmov d\\i, x30\n  mov v\\i\\().d[1], x30\n.endr\n"
        "  mov x30, #0xa0000000\n  msr nzcv, x30\n"
        ".global u_regs_loop\nu_regs_loop: b u_regs_loop\n"
        "  mrs x0, nzcv\n  mov x30, #0xa0000000\n  cmp x0, x30\n  cset x0, ne\n"
        ".irp i,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29\n"
        "  mov x30, #(\\i * 0x101)\n  cmp x\\i, x30\n  cinc x0, x0, ne\n.endr\n"
        ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
        "  fmov x30, d\\i\n  cmp x30, #(\\i + 0x500)\n  cinc x0, x0, ne\n"
        "  mov x30, v\\i\\().d[1]\n  cmp x30, #(\\i + 0x500)\n  cinc x0, x0, ne\n.endr\n"
        "  svc #0xfff\n");
extern char u_regs[], u_regs_loop[];
static volatile int el0_irqs;

static volatile int irqs;
static volatile unsigned last_iar;
static volatile uint64_t ctl_in_handler;

static void irq_handler(struct exc_frame *f, int vec)
{
    unsigned iar = gic_ack();
    unsigned id = iar & 0x3ff;
    last_iar = iar;
    if (VEC_GROUP(vec) == 2) {   /* from u_regs at EL0 */
        write_sysreg(cntv_ctl_el0, 0);
        if (f->elr == (uint64_t)u_regs_loop) {
            f->elr += 4;
            el0_irqs++;
        } else {   /* too early: the registers are not all set yet; once more */
            write_sysreg(cntv_tval_el0, cntfrq() / 200);
            write_sysreg(cntv_ctl_el0, 1);
        }
        isb();
        gic_eoi(iar);
        return;
    }
    if (id == INTID_CNTV) {
        ctl_in_handler = read_sysreg(cntv_ctl_el0);
        write_sysreg(cntv_ctl_el0, 0);   /* level-triggered: quiet it before EOI */
    } else if (id == INTID_CNTP) {
        ctl_in_handler = read_sysreg(cntp_ctl_el0);
        write_sysreg(cntp_ctl_el0, 0);
    }
    isb();
    if (id < 1020)
        gic_eoi(iar);
    irqs++;
}

static void wait_irq(int n)
{
    while (irqs < n)
        __asm__ volatile("wfi");
}

int main(void)
{
    exc_set_handler(VEC_IRQ, irq_handler);
    gic_init();
    gic_enable_irq(INTID_CNTV, 0x80);
    gic_enable_irq(INTID_CNTP, 0x80);
    uint64_t freq = cntfrq();
    check(freq != 0, "CNTFRQ_EL0 is nonzero");
    uint64_t c0 = cntvct();
    delay_us(2000);
    uint64_t c1 = cntvct();
    check(c1 > c0 && cntpct() > c0, "CNTVCT and CNTPCT advance");

    /* Virtual timer by CVAL, 10 ms ahead. */
    write_sysreg(cntv_cval_el0, cntvct() + freq / 100);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    uint64_t ctl = read_sysreg(cntv_ctl_el0);
    check(ctl == 1, "CNTV_CTL before the deadline: 0x%lx (ENABLE, ISTATUS=0)", ctl);
    irq_enable();
    wait_irq(1);
    irq_disable();
    check((last_iar & 0x3ff) == INTID_CNTV && ctl_in_handler == 5,
          "virtual timer IRQ: IAR=%u, CNTV_CTL in the handler 0x%lx", last_iar & 0x3ff,
          ctl_in_handler);

    /* Physical timer by TVAL. */
    write_sysreg(cntp_tval_el0, freq / 200);
    write_sysreg(cntp_ctl_el0, 1);
    isb();
    irq_enable();
    wait_irq(2);
    irq_disable();
    check((last_iar & 0x3ff) == INTID_CNTP && ctl_in_handler == 5,
          "physical timer IRQ: IAR=%u, CNTP_CTL in the handler 0x%lx", last_iar & 0x3ff,
          ctl_in_handler);

    /* IMASK: the condition is met (ISTATUS=1) but no interrupt is signalled. */
    write_sysreg(cntv_cval_el0, 0);
    write_sysreg(cntv_ctl_el0, 3);
    isb();
    delay_us(1000);
    ctl = read_sysreg(cntv_ctl_el0);
    int32_t tval = (int32_t)read_sysreg(cntv_tval_el0);
    check(ctl == 7 && !gic_is_pending(INTID_CNTV) && tval < 0,
          "CVAL in the past with IMASK=1: CTL=0x%lx, not pending at the GIC, TVAL<0", ctl);
    write_sysreg(cntv_ctl_el0, 0);
    isb();

    /* WFI with DAIF.I set still wakes up for the pending timer interrupt. */
    write_sysreg(cntv_cval_el0, cntvct() + freq / 200);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    int before = irqs;
    while (!(read_sysreg(cntv_ctl_el0) & 4))
        __asm__ volatile("wfi");
    /* The GIC may need a moment to reflect the level; WFI returned, nothing taken. */
    while (!gic_is_pending(INTID_CNTV))
        ;
    check(irqs == before, "WFI with DAIF.I=1 woke up, IRQ not taken, INTID 27 pending");
    irq_enable();
    wait_irq(before + 1);
    irq_disable();
    check(irqs == before + 1 && (last_iar & 0x3ff) == INTID_CNTV,
          "DAIF.I cleared: the pending timer IRQ is taken, IAR=%u", last_iar & 0x3ff);
    check(gic_ack() == 1023, "nothing pending afterwards: IAR=1023");

    /* An IRQ taken at EL0 and returned from leaves every register as it was. */
    write_sysreg(cntv_tval_el0, freq / 200);
    write_sysreg(cntv_ctl_el0, 1);
    isb();
    uint64_t bad = run_el0((uint64_t (*)(uint64_t))u_regs, 0, (uint64_t)el0_stack_top, 0);
    check(el0_irqs == 1 && bad == 0,
          "timer IRQ at EL0: x1-x29, v0-v31 and NZCV unchanged (%ld differ)", bad);
    return 0;
}
