/* The mechanism benchmark's guest (in the spirit of SimBench): one system-level
 * mechanism - block dispatch, branches, SVC, aborts, TLBI, ASID switch, MMIO, UDF,
 * self-modifying code, timer interrupts - performed N times in a loop at EL1 (EL0 for
 * SVC) with the MMU on. Arguments from /chosen/bootargs: "NAME [N]". The loop runs once
 * untimed (N/8 operations, so translation is not what is measured), then N operations
 * timed with CNTVCT (host time on QEMU and Ferry alike). Output, read by
 * bench/mechanisms.sh:
 *   check NAME ok: <what was verified>      (or "check NAME FAILED: ...")
 *   result NAME ops=N ticks=T freq=F ps_per_op=P
 * The check line has no timing in it, so it is identical on every emulator. */
#include "rt.h"

#define BLOCKS 64                               /* operations per loop of code.S */
#define TV     0x1000000000ul                   /* 64 GB: a VA only the tests map */
#define PA(n)  (SCRATCH_BASE + (uint64_t)(n) * 0x1000)
#define CODE   (SCRATCH_BASE + 0x100000)        /* EL1 RWX in the standard map */
#define UART_FR 0x18
#define FR_RXFE (1u << 4)

uint64_t mech_blocks(uint64_t iters), mech_direct(uint64_t iters), mech_indirect(uint64_t iters);
extern char u_svc_loop[];

static struct mmu_space other;   /* a second TTBR0 table for the ASID switch (ASID 2) */
#define NG_RW (PG_KERNEL_RW | PTE_NG)

struct outcome {
    int ok;
    char what[120];
};

/* Records the outcome, with each '#' in text replaced by a then b in decimal (the
 * runtime's printf writes only to the UART; there is no snprintf). */
static void say(struct outcome *o, int ok, const char *text, uint64_t a, uint64_t b)
{
    o->ok = ok;
    char *p = o->what;
    const char *end = o->what + sizeof o->what - 24;
    int arg = 0;
    for (; *text && p < end; text++) {
        if (*text != '#') {
            *p++ = *text;
            continue;
        }
        uint64_t v = arg++ ? b : a;
        char buf[24];
        int n = 0;
        do {
            buf[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (n)
            *p++ = buf[--n];
    }
    *p = 0;
}

/* ---- the mechanisms: each runs `n` operations and says what it verified ----------- */

static void run_loop(uint64_t (*fn)(uint64_t), uint64_t n, struct outcome *o)
{
    uint64_t got = fn(n / BLOCKS);
    say(o, got == n, "# blocks counted of #", got, n);
}
static void m_dispatch(uint64_t n, struct outcome *o) { run_loop(mech_blocks, n, o); }
static void m_direct(uint64_t n, struct outcome *o) { run_loop(mech_direct, n, o); }
static void m_indirect(uint64_t n, struct outcome *o) { run_loop(mech_indirect, n, o); }

/* SVC #1 from EL0, taken by the runtime's catch handler at EL1, ERET back. */
static void m_svc(uint64_t n, struct outcome *o)
{
    exc_catch(EXC_SKIP);
    uint64_t back = run_el0((uint64_t (*)(uint64_t))u_svc_loop, n, (uint64_t)el0_stack_top, 0);
    exc_uncatch();
    say(o, (uint64_t)exc_last.taken == n && back == n && ESR_EC(exc_last.esr) == 0x15 &&
               exc_last.vec == 8,
        "# SVCs from EL0 taken, # returned", (uint64_t)exc_last.taken, back);
}

/* A load from an unmapped VA (level 1 translation fault); the handler skips it. */
static void m_dabort(uint64_t n, struct outcome *o)
{
    exc_catch(EXC_SKIP);
    for (uint64_t i = 0; i < n; i++)
        p_ldr(TV);
    exc_uncatch();
    say(o, (uint64_t)exc_last.taken == n && ESR_EC(exc_last.esr) == 0x25 && exc_last.far == TV &&
               exc_last.elr == ADDR(p_ldr),
        "# data aborts taken of #", (uint64_t)exc_last.taken, n);
}

/* A branch to an unmapped VA; the handler resumes at the caller's link register. */
static void m_iabort(uint64_t n, struct outcome *o)
{
    exc_catch(EXC_RET_LR);
    for (uint64_t i = 0; i < n; i++)
        p_call(TV);
    exc_uncatch();
    say(o, (uint64_t)exc_last.taken == n && ESR_EC(exc_last.esr) == 0x21 && exc_last.far == TV &&
               exc_last.elr == TV,
        "# instruction aborts taken of #", (uint64_t)exc_last.taken, n);
}

/* UDF at EL1 (Unknown reason, EC 0); the handler skips it. */
static void m_undef(uint64_t n, struct outcome *o)
{
    exc_catch(EXC_SKIP);
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("udf #0x42" ::: "memory");
    exc_uncatch();
    say(o, (uint64_t)exc_last.taken == n && ESR_EC(exc_last.esr) == 0 && exc_last.vec == 4,
        "# undefined instructions taken of #", (uint64_t)exc_last.taken, n);
}

/* Point TV's level 3 descriptor at the other of two pages, TLBI VAE1 of TV, read TV:
 * the read must see the new page, so a missed invalidation shows in the sum. */
static void m_tlbi(uint64_t n, struct outcome *o)
{
    uint64_t *slot = mmu_slot(&mmu_kernel, TV, 3);
    uint64_t arg = (1ul << 48) | (TV >> 12), sum = 0;
    for (uint64_t i = 0; i < n; i++) {
        *slot = PA(i & 1) | NG_RW | PTE_VALID | PTE_TABLE;
        __asm__ volatile("dsb ishst; tlbi vae1, %0; dsb ish; isb" :: "r"(arg) : "memory");
        sum += *(volatile uint64_t *)TV;
    }
    uint64_t want = n * 0x1000 + n / 2;
    say(o, sum == want, "sum of the pages read # (expected #)", sum, want);
}

/* TTBR0 to the other table with ASID 2 and back to ASID 1, reading TV (nG, a different
 * page under each ASID) after each switch: one operation is one switch and one read. */
static void m_asid(uint64_t n, struct outcome *o)
{
    uint64_t t1 = (uint64_t)mmu_kernel.root | (1ul << 48);
    uint64_t t2 = (uint64_t)other.root | (2ul << 48);
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n / 2; i++) {
        write_sysreg(ttbr0_el1, t2);
        isb();
        sum += *(volatile uint64_t *)TV;
        write_sysreg(ttbr0_el1, t1);
        isb();
        sum += *(volatile uint64_t *)TV;
    }
    uint64_t want = (n / 2) * (0x1000 + 0x1040);
    say(o, sum == want, "sum of the pages read # (expected #)", sum, want);
}

/* A read of the PL011's flag register (the receive FIFO is empty: stdin is not fed). */
static void m_mmio(uint64_t n, struct outcome *o)
{
    uint64_t empty = 0;
    for (uint64_t i = 0; i < n; i++)
        empty += (mmio_r32(UART_BASE + UART_FR) & FR_RXFE) != 0;
    say(o, empty == n, "# UARTFR reads with RXFE of #", empty, n);
}

/* Rewrite a MOVZ's immediate, DC CVAU + DSB + IC IVAU + DSB + ISB, call it: the result
 * must be the new immediate every time. */
static void m_selfmod(uint64_t n, struct outcome *o)
{
    volatile uint32_t *code = (volatile uint32_t *)CODE;
    code[1] = 0xd65f03c0u;   /* ret */
    uint64_t sum = 0, want = 0;
    for (uint64_t i = 0; i < n; i++) {
        unsigned imm = (unsigned)(i & 0xffff);
        code[0] = 0x52800000u | (imm << 5);   /* movz w0, #imm */
        __asm__ volatile("dc cvau, %0; dsb ish; ic ivau, %0; dsb ish; isb"
                         :: "r"(CODE) : "memory");
        sum += ((uint64_t (*)(void))CODE)();
        want += imm;
    }
    say(o, sum == want, "sum of the returned immediates # (expected #)", sum, want);
}

/* The virtual timer with TVAL = `timer_ticks` (0: due at once), taken through the GIC;
 * the handler acknowledges, disables the timer and EOIs. WFI with IRQs masked waits for
 * it (no lost-wakeup race), then a brief unmask takes it. */
static volatile uint64_t timer_irqs, other_irqs;
static uint64_t timer_ticks;

static void timer_irq(struct exc_frame *f, int vec)
{
    (void)f;
    (void)vec;
    unsigned iar = gic_ack();
    if ((iar & 0x3ff) == INTID_CNTV) {
        write_sysreg(cntv_ctl_el0, 0);   /* level-triggered: quiet it before EOI */
        isb();
        timer_irqs++;
    } else {
        other_irqs++;
    }
    if ((iar & 0x3ff) < 1020)
        gic_eoi(iar);
}

static void m_timer(uint64_t n, struct outcome *o)
{
    timer_irqs = other_irqs = 0;
    for (uint64_t i = 0; i < n; i++) {
        write_sysreg(cntv_tval_el0, timer_ticks);
        write_sysreg(cntv_ctl_el0, 1);
        isb();
        while (timer_irqs == i) {
            __asm__ volatile("wfi");
            irq_enable();
            irq_disable();
        }
    }
    say(o, timer_irqs == n && other_irqs == 0, "# timer interrupts taken, # others",
        timer_irqs, other_irqs);
}

/* ---- table, arguments, timing ---------------------------------------------------- */

struct mechanism {
    const char *name;
    void (*run)(uint64_t n, struct outcome *o);
    uint64_t n;        /* default: about 0.3-0.5 s under qemu-system-aarch64 7.2 (TCG) */
    uint64_t unit;     /* n is rounded down to a multiple of this (operations per loop) */
    uint64_t tval;     /* timer rows: the CNTV_TVAL programmed */
};

static const struct mechanism mechanisms[] = {
    { "dispatch", m_dispatch, 640000000, BLOCKS, 0 },
    { "direct", m_direct, 64000000, BLOCKS, 0 },
    { "indirect", m_indirect, 48000000, BLOCKS, 0 },
    { "svc", m_svc, 640000, 1, 0 },
    { "dabort", m_dabort, 500000, 1, 0 },
    { "iabort", m_iabort, 500000, 1, 0 },
    { "tlbi", m_tlbi, 1000000, 1, 0 },
    { "asid", m_asid, 200000, 2, 0 },
    { "mmio", m_mmio, 10000000, 1, 0 },
    { "undef", m_undef, 500000, 1, 0 },
    { "selfmod", m_selfmod, 64000, 1, 0 },
    { "timer", m_timer, 25000, 1, 0 },
    /* A 10 us deadline the CPU sleeps for in WFI: the host timer's resolution. */
    { "timer-10us", m_timer, 12000, 1, 625 },
};

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Splits bootargs into a name and a number (decimal; absent or 0: the default). */
static void parse_args(char *name, size_t cap, uint64_t *n)
{
    const char *p = bootargs();
    size_t len = 0;
    *n = 0;
    name[0] = 0;
    if (!p)
        return;
    while (*p == ' ')
        p++;
    while (*p && *p != ' ' && len + 1 < cap)
        name[len++] = *p++;
    name[len] = 0;
    while (*p == ' ')
        p++;
    while (*p >= '0' && *p <= '9')
        *n = *n * 10 + (uint64_t)(*p++ - '0');
}

/* Picoseconds per operation from counter ticks, without overflowing 64 bits for
 * runs of up to hours at 62.5 MHz. */
static uint64_t ps_per_op(uint64_t ticks, uint64_t freq, uint64_t ops)
{
    uint64_t ns = ticks / freq * 1000000000ul + ticks % freq * 1000000000ul / freq;
    return ns * 1000 / ops;
}

int main(void)
{
    char name[32];
    uint64_t n;
    parse_args(name, sizeof name, &n);
    const struct mechanism *m = NULL;
    for (size_t i = 0; i < sizeof mechanisms / sizeof mechanisms[0]; i++)
        if (streq(name, mechanisms[i].name))
            m = &mechanisms[i];
    if (!m) {
        printf("usage (bootargs): NAME [N]; NAME one of:");
        for (size_t i = 0; i < sizeof mechanisms / sizeof mechanisms[0]; i++)
            printf(" %s", mechanisms[i].name);
        printf("\ncheck %s FAILED: unknown mechanism\n", name[0] ? name : "(none)");
        return 1;
    }
    if (n == 0)
        n = m->n;
    n = n < m->unit ? m->unit : n / m->unit * m->unit;
    uint64_t warm = n / 8 < m->unit ? m->unit : n / 8 / m->unit * m->unit;

    /* Every mechanism runs with the MMU on (39-bit VAs, ASID 1), as an OS would. TV is
     * left unmapped in the kernel table (the aborts) except for the TLBI and ASID rows,
     * which map it nG to page 0 (ASID 1) and page 64 (ASID 2). */
    for (int i = 0; i < 128; i++)
        *(volatile uint64_t *)PA(i) = 0x1000 + i;
    mmu_space_init(&mmu_kernel, 39);
    mmu_map_standard(&mmu_kernel);
    if (m->run == m_tlbi || m->run == m_asid) {
        mmu_map(&mmu_kernel, TV, PA(0), 0x1000, NG_RW, 3);
        mmu_space_init(&other, 39);
        mmu_map_standard(&other);
        mmu_map(&other, TV, PA(64), 0x1000, NG_RW, 3);
    }
    mmu_enable(&mmu_kernel, 1, NULL);
    if (m->run == m_timer) {
        timer_ticks = m->tval;
        exc_set_handler(VEC_IRQ, timer_irq);
        gic_init();
        gic_enable_irq(INTID_CNTV, 0x80);
    }

    struct outcome o;
    m->run(warm, &o);
    if (!o.ok) {
        printf("check %s FAILED (warm-up of %lu): %s\n", m->name, warm, o.what);
        return 1;
    }
    uint64_t t0 = cntvct();
    m->run(n, &o);
    uint64_t t1 = cntvct();
    uint64_t freq = cntfrq();
    printf("check %s %s: %s\n", m->name, o.ok ? "ok" : "FAILED", o.what);
    printf("result %s ops=%lu ticks=%lu freq=%lu ps_per_op=%lu\n", m->name, n, t1 - t0, freq,
           ps_per_op(t1 - t0, freq, n));
    return 0;
}
