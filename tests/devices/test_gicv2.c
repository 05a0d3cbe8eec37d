/* Tests of the GICv2 model: Linux's irq-gic.c initialisation, acknowledge/EOI sequences,
 * level and edge inputs, SGIs, priority masking and preemption, targets on 2 CPUs,
 * EOImode 1, FIQEn, invalid accesses, and a hostile random loop. */
#include "device_test.h"
#include "devices/gicv2.h"

#define D(off) (off)
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_CPENDSGIR 0xf10
#define GICD_SPENDSGIR 0xf20
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_BPR 0x08
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICC_RPR 0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR 0x1c
#define GICC_AIAR 0x20
#define GICC_APR0 0xd0
#define GICC_IIDR 0xfc
#define GICC_DIR 0x1000

static uint32_t dread(struct gicv2 *g, unsigned off) { return reg_read(&gicv2_dist_ops, g, off); }
static void dwrite(struct gicv2 *g, unsigned off, uint32_t v) { reg_write(&gicv2_dist_ops, g, off, v); }
static uint32_t cread(struct gicv2 *g, unsigned off) { return reg_read(&gicv2_cpu_ops, g, off); }
static void cwrite(struct gicv2 *g, unsigned off, uint32_t v) { reg_write(&gicv2_cpu_ops, g, off, v); }

static void dwrite8(struct gicv2 *g, unsigned off, uint8_t v)
{
    assert_true(gicv2_dist_ops.write(g, off, 1, v));
}

/* What Linux 6.1's gic_dist_init() and gic_cpu_init() do on every CPU. */
static void linux_init(struct gicv2 *g)
{
    gicv2_set_current_cpu(g, 0);
    dwrite(g, GICD_CTLR, 0);
    unsigned irqs = ((dread(g, GICD_TYPER) & 0x1f) + 1) * 32;
    uint32_t mask = 0;
    for (unsigned i = 0; i < 32; i += 4)
        mask |= dread(g, GICD_ITARGETSR + i);
    uint32_t cpumask = (mask | mask >> 16 | mask >> 8) & 0xff;
    cpumask |= cpumask << 8;
    cpumask |= cpumask << 16;
    for (unsigned i = 32; i < irqs; i += 4)
        dwrite(g, GICD_ITARGETSR + i, cpumask);
    for (unsigned i = 32; i < irqs; i += 16)
        dwrite(g, GICD_ICFGR + i / 4, 0);               /* level, active high */
    for (unsigned i = 32; i < irqs; i += 4)
        dwrite(g, GICD_IPRIORITYR + i, 0xa0a0a0a0);
    for (unsigned i = 32; i < irqs; i += 32) {
        dwrite(g, GICD_ICACTIVER + i / 8, 0xffffffff);
        dwrite(g, GICD_ICENABLER + i / 8, 0xffffffff);
    }
    dwrite(g, GICD_CTLR, 1);
    for (unsigned cpu = 0; cpu < g->num_cpus; cpu++) {
        gicv2_set_current_cpu(g, cpu);
        dwrite(g, GICD_ICACTIVER, 0xffffffff);
        dwrite(g, GICD_ICENABLER, 0xffff0000);
        dwrite(g, GICD_ISENABLER, 0x0000ffff);
        for (unsigned i = 0; i < 32; i += 4)
            dwrite(g, GICD_IPRIORITYR + i, 0xa0a0a0a0);
        cwrite(g, GICC_PMR, 0xf0);
        uint32_t bypass = cread(g, GICC_CTLR) & 0x1e0;
        cwrite(g, GICC_CTLR, bypass | 1);
    }
    gicv2_set_current_cpu(g, 0);
}

static void enable_irq(struct gicv2 *g, unsigned intid)
{
    dwrite(g, GICD_ISENABLER + intid / 32 * 4, 1u << (intid % 32));
}

static void set_edge(struct gicv2 *g, unsigned intid)
{
    unsigned reg = GICD_ICFGR + intid / 16 * 4;
    dwrite(g, reg, dread(g, reg) | 2u << (intid % 16 * 2));
}

static void test_id_registers(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    assert_int_equal(dread(&g, GICD_TYPER), 8);          /* 288 = 9 * 32 */
    assert_int_equal(dread(&g, GICD_IIDR), 0x43b);
    assert_int_equal(cread(&g, GICC_IIDR), 0x2043b);
    assert_int_equal(dread(&g, 0xfe8), 0x2b);            /* PIDR2: ArchRev 2 */
    assert_int_equal(dread(&g, 0xff0), 0x0d);
    assert_int_equal(dread(&g, 0xffc), 0xb1);
    assert_int_equal(dread(&g, GICD_ICFGR), 0xaaaaaaaa); /* SGIs are edge */
    assert_int_equal(dread(&g, GICD_ISENABLER), 0xffff); /* SGI enables RAO */
    gicv2_init(&g, 2, 1020);
    assert_int_equal(dread(&g, GICD_TYPER), 31 | 1 << 5);
    gicv2_init(&g, 99, 5);                               /* clamped */
    assert_int_equal(g.num_cpus, 8);
    assert_int_equal(g.num_irqs, 32);
    assert_int_equal(dread(&g, GICD_TYPER), 0 | 7 << 5);
    assert_int_equal(g.invalid_accesses, 0);
}

static void test_linux_init_and_level_spi(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    linux_init(&g);
    assert_int_equal(g.invalid_accesses, 0);
    assert_int_equal(dread(&g, GICD_ITARGETSR + 32), 0); /* uniprocessor: RAZ/WI */
    assert_int_equal(dread(&g, GICD_IPRIORITYR + 40), 0xa0a0a0a0);
    assert_int_equal(cread(&g, GICC_PMR), 0xf0);
    assert_int_equal(cread(&g, GICC_RPR), 0xff);

    struct irq_line uart = gicv2_spi_irq_line(&g, 33);
    irq_line_set(&uart, true);
    assert_false(gicv2_irq_line(&g, 0));                /* not enabled yet */
    assert_int_equal(dread(&g, GICD_ISPENDR + 4), 2);   /* but pending */
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    enable_irq(&g, 33);
    assert_true(gicv2_irq_line(&g, 0));
    assert_false(gicv2_fiq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_HPPIR), 33);
    assert_int_equal(cread(&g, GICC_IAR), 33);
    assert_int_equal(cread(&g, GICC_RPR), 0xa0);
    assert_false(gicv2_irq_line(&g, 0));                /* active and pending: not signalled */
    assert_int_equal(dread(&g, GICD_ISACTIVER + 4), 2);
    assert_int_equal(dread(&g, GICD_ISPENDR + 4), 2);   /* line still high */
    cwrite(&g, GICC_EOIR, 33);
    assert_true(gicv2_irq_line(&g, 0));                 /* the level is still there */
    assert_int_equal(cread(&g, GICC_IAR), 33);
    irq_line_set(&uart, false);                         /* the handler quiets the device */
    cwrite(&g, GICC_EOIR, 33);
    assert_false(gicv2_irq_line(&g, 0));
    assert_int_equal(dread(&g, GICD_ISPENDR + 4), 0);
    assert_int_equal(dread(&g, GICD_ISACTIVER + 4), 0);
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    assert_int_equal(cread(&g, GICC_RPR), 0xff);

    /* ICPENDR cannot clear a level interrupt whose line is high; ISPENDR latches one. */
    irq_line_set(&uart, true);
    dwrite(&g, GICD_ICPENDR + 4, 2);
    assert_int_equal(dread(&g, GICD_ISPENDR + 4), 2);
    irq_line_set(&uart, false);
    dwrite(&g, GICD_ISPENDR + 4, 2);
    assert_int_equal(cread(&g, GICC_IAR), 33);          /* the latch clears on acknowledge */
    cwrite(&g, GICC_EOIR, 33);
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    assert_int_equal(g.invalid_accesses, 0);
}

static void test_edge_spi(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    linux_init(&g);
    set_edge(&g, 40);
    assert_int_equal(dread(&g, GICD_ICFGR + 8), 2u << 16);
    enable_irq(&g, 40);
    gicv2_set_spi(&g, 40, true);
    gicv2_set_spi(&g, 40, false);                       /* a pulse is latched */
    assert_true(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 40);
    assert_int_equal(dread(&g, GICD_ISPENDR + 4), 0);   /* acknowledge clears an edge */
    gicv2_set_spi(&g, 40, true);                        /* a new edge while active */
    gicv2_set_spi(&g, 40, true);                        /* no edge: same level */
    assert_false(gicv2_irq_line(&g, 0));
    assert_int_equal(dread(&g, GICD_ISPENDR + 4), 1u << 8);
    cwrite(&g, GICC_EOIR, 40);
    assert_true(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 40);
    cwrite(&g, GICC_EOIR, 40);
    assert_int_equal(cread(&g, GICC_IAR), 1023);         /* the line stayed high: no edge */
    /* out-of-range inputs are ignored */
    gicv2_set_spi(&g, 5, true);
    gicv2_set_spi(&g, 288, true);
    gicv2_set_spi(&g, 100000, true);
    gicv2_set_ppi(&g, 0, 40, true);
    gicv2_set_ppi(&g, 3, 30, true);
    assert_int_equal(cread(&g, GICC_IAR), 1023);
}

static void test_priority_mask_and_preemption(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    linux_init(&g);
    for (unsigned i = 50; i < 54; i++)
        enable_irq(&g, i);
    dwrite8(&g, GICD_IPRIORITYR + 50, 0xa0);
    dwrite8(&g, GICD_IPRIORITYR + 51, 0x80);
    dwrite8(&g, GICD_IPRIORITYR + 52, 0x90);
    dwrite8(&g, GICD_IPRIORITYR + 53, 0x80);
    assert_int_equal(dread(&g, GICD_IPRIORITYR + 48), 0x80a0a0a0);
    /* all 8 priority bits are kept */
    dwrite8(&g, GICD_IPRIORITYR + 60, 0xff);
    assert_int_equal(dread(&g, GICD_IPRIORITYR + 60) & 0xff, 0xff);

    gicv2_set_spi(&g, 50, true);
    cwrite(&g, GICC_PMR, 0xa0);                         /* priority must be below PMR */
    assert_false(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    assert_int_equal(cread(&g, GICC_HPPIR), 50);        /* HPPIR ignores the mask */
    cwrite(&g, GICC_PMR, 0xf0);
    assert_int_equal(cread(&g, GICC_IAR), 50);
    assert_int_equal(cread(&g, GICC_RPR), 0xa0);
    assert_int_equal(cread(&g, GICC_APR0 + 8), 1u << (0x50 - 64));

    gicv2_set_spi(&g, 51, true);                        /* higher priority preempts */
    assert_true(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 51);
    assert_int_equal(cread(&g, GICC_RPR), 0x80);
    gicv2_set_spi(&g, 52, true);                        /* 0x90: lower than running 0x80 */
    gicv2_set_spi(&g, 53, true);                        /* 0x80: equal, does not preempt */
    assert_false(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    gicv2_set_spi(&g, 51, false);
    cwrite(&g, GICC_EOIR, 51);
    assert_int_equal(cread(&g, GICC_RPR), 0xa0);        /* back to the outer handler */
    assert_int_equal(cread(&g, GICC_IAR), 53);          /* 0x80 before 0x90 */
    gicv2_set_spi(&g, 53, false);
    cwrite(&g, GICC_EOIR, 53);
    assert_int_equal(cread(&g, GICC_IAR), 52);
    gicv2_set_spi(&g, 52, false);
    cwrite(&g, GICC_EOIR, 52);
    gicv2_set_spi(&g, 50, false);
    cwrite(&g, GICC_EOIR, 50);
    assert_int_equal(cread(&g, GICC_RPR), 0xff);
    assert_int_equal(g.invalid_accesses, 0);

    /* Binary point 3: group priority bits [7:4]; 0x98 preempts 0xa0, 0xa8 does not. */
    cwrite(&g, GICC_BPR, 3);
    assert_int_equal(cread(&g, GICC_BPR), 3);
    dwrite8(&g, GICD_IPRIORITYR + 51, 0x98);
    dwrite8(&g, GICD_IPRIORITYR + 52, 0xa8);
    gicv2_set_spi(&g, 50, true);
    assert_int_equal(cread(&g, GICC_IAR), 50);
    gicv2_set_spi(&g, 52, true);
    assert_false(gicv2_irq_line(&g, 0));
    gicv2_set_spi(&g, 51, true);
    assert_true(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 51);
    assert_int_equal(cread(&g, GICC_RPR), 0x90);
    /* ABPR's minimum is 1 */
    cwrite(&g, GICC_ABPR, 0);
    assert_int_equal(cread(&g, GICC_ABPR), 1);
}

static void test_ties_lowest_intid_and_disable(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    linux_init(&g);
    enable_irq(&g, 70);
    enable_irq(&g, 35);
    gicv2_set_spi(&g, 70, true);
    gicv2_set_spi(&g, 35, true);
    assert_int_equal(cread(&g, GICC_HPPIR), 35);
    dwrite(&g, GICD_ICENABLER + 4, 1u << 3);
    assert_int_equal(cread(&g, GICC_HPPIR), 70);
    dwrite(&g, GICD_CTLR, 0);                           /* distributor off */
    assert_false(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    dwrite(&g, GICD_CTLR, 1);
    cwrite(&g, GICC_CTLR, 0);                           /* CPU interface off */
    assert_false(gicv2_irq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    cwrite(&g, GICC_CTLR, 1 | 1 << 3);                  /* FIQEn: Group 0 as FIQ */
    assert_false(gicv2_irq_line(&g, 0));
    assert_true(gicv2_fiq_line(&g, 0));
    assert_int_equal(cread(&g, GICC_IAR), 70);
    assert_false(gicv2_fiq_line(&g, 0));
}

static void test_ppi_lines_and_config(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 2, GICV2_VIRT_IRQS);
    linux_init(&g);
    struct irq_line timer0 = gicv2_ppi_irq_line(&g, 0, 30);
    struct irq_line timer1 = gicv2_ppi_irq_line(&g, 1, 30);
    for (unsigned cpu = 0; cpu < 2; cpu++) {
        gicv2_set_current_cpu(&g, cpu);
        enable_irq(&g, 30);
    }
    irq_line_set(&timer1, true);
    assert_false(gicv2_irq_line(&g, 0));
    assert_true(gicv2_irq_line(&g, 1));
    gicv2_set_current_cpu(&g, 0);
    assert_int_equal(dread(&g, GICD_ISPENDR), 0);
    gicv2_set_current_cpu(&g, 1);
    assert_int_equal(dread(&g, GICD_ISPENDR), 1u << 30);
    assert_int_equal(cread(&g, GICC_IAR), 30);
    irq_line_set(&timer1, false);
    cwrite(&g, GICC_EOIR, 30);
    assert_false(gicv2_irq_line(&g, 1));
    irq_line_set(&timer0, true);
    assert_true(gicv2_irq_line(&g, 0));
    irq_line_set(&timer0, false);
    assert_false(gicv2_irq_line(&g, 0));                /* level: gone with the line */

    /* PPI configuration is banked and writable; SGI configuration is read-only. */
    gicv2_set_current_cpu(&g, 0);
    dwrite(&g, GICD_ICFGR + 4, 2u << 28);               /* intid 30 edge on CPU 0 */
    assert_int_equal(dread(&g, GICD_ICFGR + 4), 2u << 28);
    gicv2_set_current_cpu(&g, 1);
    assert_int_equal(dread(&g, GICD_ICFGR + 4), 0);
    gicv2_set_current_cpu(&g, 0);
    irq_line_set(&timer0, true);
    irq_line_set(&timer0, false);
    assert_true(gicv2_irq_line(&g, 0));                 /* edge: latched */
    uint64_t before = g.invalid_accesses;
    dwrite(&g, GICD_ICFGR, 0);
    assert_int_equal(dread(&g, GICD_ICFGR), 0xaaaaaaaa);
    assert_int_equal(g.invalid_accesses, before + 1);
    /* Banked ITARGETSR0-7 read as the accessing CPU and are read-only. */
    assert_int_equal(dread(&g, GICD_ITARGETSR), 0x01010101);
    gicv2_set_current_cpu(&g, 1);
    assert_int_equal(dread(&g, GICD_ITARGETSR + 28), 0x02020202);
    assert_true(gicv2_dist_ops.write(&g, GICD_ITARGETSR + 28, 1, 1));
    assert_int_equal(g.invalid_accesses, before + 2);
}

static void test_sgis_two_cpus(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 2, GICV2_VIRT_IRQS);
    linux_init(&g);
    assert_int_equal(g.invalid_accesses, 0);
    /* CPU 0 sends SGI 3 to CPU 1 through the target list. */
    gicv2_set_current_cpu(&g, 0);
    dwrite(&g, GICD_SGIR, 0u << 24 | 0x02u << 16 | 3);
    assert_false(gicv2_irq_line(&g, 0));
    assert_true(gicv2_irq_line(&g, 1));
    gicv2_set_current_cpu(&g, 1);
    assert_int_equal(dread(&g, GICD_SPENDSGIR), 0x01000000);  /* SGI 3 from CPU 0 */
    assert_int_equal(dread(&g, GICD_ISPENDR) & 0xffff, 1u << 3);
    assert_int_equal(cread(&g, GICC_HPPIR), 3);
    assert_int_equal(cread(&g, GICC_IAR), 3 | 0 << 10);
    cwrite(&g, GICC_EOIR, 3);
    /* CPU 1 sends SGI 5 to "all but self", then to itself. */
    dwrite(&g, GICD_SGIR, 1u << 24 | 5);
    assert_true(gicv2_irq_line(&g, 0));
    assert_false(gicv2_irq_line(&g, 1));
    dwrite(&g, GICD_SGIR, 2u << 24 | 5);
    assert_true(gicv2_irq_line(&g, 1));
    assert_int_equal(cread(&g, GICC_IAR), 5 | 1u << 10);
    cwrite(&g, GICC_EOIR, 5 | 1u << 10);
    gicv2_set_current_cpu(&g, 0);
    assert_int_equal(cread(&g, GICC_HPPIR), 5 | 1u << 10);
    assert_int_equal(cread(&g, GICC_IAR), 5 | 1u << 10);
    /* Two sources for one SGI: each is acknowledged separately, after the EOI. */
    dwrite8(&g, GICD_SPENDSGIR + 7, 0x03);
    assert_int_equal(dread(&g, GICD_CPENDSGIR + 4), 0x03000000);
    cwrite(&g, GICC_EOIR, 5);
    assert_int_equal(cread(&g, GICC_IAR), 7 | 0u << 10);
    assert_int_equal(cread(&g, GICC_IAR), 1023);        /* same SGI still active */
    cwrite(&g, GICC_EOIR, 7);
    assert_int_equal(cread(&g, GICC_IAR), 7 | 1u << 10);
    cwrite(&g, GICC_EOIR, 7);
    /* CPENDSGIR clears; SGI bits of ISPENDR/ICPENDR are WI; SPENDSGIR ignores CPUs >= 2. */
    dwrite8(&g, GICD_SPENDSGIR + 2, 0xff);
    assert_int_equal(dread(&g, GICD_SPENDSGIR) >> 16 & 0xff, 0x03);
    dwrite(&g, GICD_ICPENDR, 0xffff);
    assert_int_equal(dread(&g, GICD_ISPENDR) & 0xffff, 1u << 2);
    dwrite8(&g, GICD_CPENDSGIR + 2, 0xff);
    assert_int_equal(dread(&g, GICD_ISPENDR) & 0xffff, 0);
    dwrite(&g, GICD_ISPENDR, 0xffff);
    assert_int_equal(dread(&g, GICD_ISPENDR) & 0xffff, 0);
    /* SGI enables cannot be cleared */
    dwrite(&g, GICD_ICENABLER, 0xffffffff);
    assert_int_equal(dread(&g, GICD_ISENABLER), 0xffff);
    assert_int_equal(g.invalid_accesses, 0);
    /* the reserved filter is counted */
    dwrite(&g, GICD_SGIR, 3u << 24 | 1);
    assert_int_equal(g.invalid_accesses, 1);
}

static void test_spi_targets_two_cpus(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 2, GICV2_VIRT_IRQS);
    linux_init(&g);
    assert_int_equal(dread(&g, GICD_ITARGETSR + 32), 0x01010101);  /* Linux: boot CPU */
    enable_irq(&g, 34);
    dwrite8(&g, GICD_ITARGETSR + 34, 0x02);
    assert_int_equal(dread(&g, GICD_ITARGETSR + 32) >> 16 & 0xff, 0x02);
    dwrite8(&g, GICD_ITARGETSR + 35, 0xff);              /* bits of absent CPUs dropped */
    assert_int_equal(dread(&g, GICD_ITARGETSR + 32) >> 24, 0x03);
    gicv2_set_spi(&g, 34, true);
    assert_false(gicv2_irq_line(&g, 0));
    assert_true(gicv2_irq_line(&g, 1));
    dwrite8(&g, GICD_ITARGETSR + 34, 0x03);
    assert_true(gicv2_irq_line(&g, 0));
    assert_true(gicv2_irq_line(&g, 1));
    gicv2_set_current_cpu(&g, 0);
    assert_int_equal(cread(&g, GICC_IAR), 34);          /* the first to acknowledge wins */
    assert_false(gicv2_irq_line(&g, 1));
    gicv2_set_current_cpu(&g, 1);
    assert_int_equal(cread(&g, GICC_IAR), 1023);
    dwrite8(&g, GICD_ITARGETSR + 34, 0x00);              /* no target: nobody gets it */
    gicv2_set_current_cpu(&g, 0);
    gicv2_set_spi(&g, 34, false);
    cwrite(&g, GICC_EOIR, 34);
    gicv2_set_spi(&g, 34, true);
    assert_false(gicv2_irq_line(&g, 0));
    assert_false(gicv2_irq_line(&g, 1));
}

static void test_eoimode1_and_dir(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    linux_init(&g);
    uint64_t before = g.invalid_accesses;
    cwrite(&g, GICC_DIR, 33);                           /* EOImode 0: DIR is an error */
    assert_int_equal(g.invalid_accesses, before + 1);
    cwrite(&g, GICC_CTLR, 1 | 1u << 9);
    enable_irq(&g, 33);
    enable_irq(&g, 36);
    dwrite8(&g, GICD_IPRIORITYR + 36, 0x90);
    gicv2_set_spi(&g, 33, true);
    assert_int_equal(cread(&g, GICC_IAR), 33);
    cwrite(&g, GICC_EOIR, 33);                          /* priority drop only */
    assert_int_equal(cread(&g, GICC_RPR), 0xff);
    assert_int_equal(dread(&g, GICD_ISACTIVER + 4), 2);
    gicv2_set_spi(&g, 36, true);
    assert_int_equal(cread(&g, GICC_IAR), 36);          /* 33 is still active */
    cwrite(&g, GICC_EOIR, 36);
    cwrite(&g, GICC_DIR, 36);
    gicv2_set_spi(&g, 33, false);
    cwrite(&g, GICC_DIR, 33);
    assert_int_equal(dread(&g, GICD_ISACTIVER + 4), 0);
    assert_int_equal(g.invalid_accesses, before + 1);
    cwrite(&g, GICC_DIR, 33);                           /* not active any more */
    assert_int_equal(g.invalid_accesses, before + 2);
}

static void test_active_registers_and_apr(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    linux_init(&g);
    enable_irq(&g, 40);
    gicv2_set_spi(&g, 40, true);
    dwrite(&g, GICD_ISACTIVER + 4, 1u << 8);            /* active: no longer signalled */
    assert_false(gicv2_irq_line(&g, 0));
    dwrite(&g, GICD_ICACTIVER + 4, 1u << 8);
    assert_true(gicv2_irq_line(&g, 0));
    /* APR save/restore: a restored active level masks equal priorities */
    cwrite(&g, GICC_APR0 + 8, 1u << (0x50 - 64));
    assert_int_equal(cread(&g, GICC_RPR), 0xa0);
    assert_false(gicv2_irq_line(&g, 0));
    cwrite(&g, GICC_APR0 + 8, 0);
    assert_true(gicv2_irq_line(&g, 0));
    assert_int_equal(g.invalid_accesses, 0);
    assert_int_equal(cread(&g, GICC_AIAR), 1023);
}

static void test_invalid_accesses(void **state)
{
    (void)state;
    static struct gicv2 g;
    gicv2_init(&g, 1, GICV2_VIRT_IRQS);
    uint64_t v = 0;
    uint64_t n = g.invalid_accesses;
    assert_false(gicv2_dist_ops.read(&g, 0, 8, &v));    /* 64-bit: abort */
    assert_false(gicv2_dist_ops.read(&g, 2, 4, &v));    /* misaligned: abort */
    assert_false(gicv2_dist_ops.read(&g, 0x1000, 4, &v)); /* outside the registers */
    assert_false(gicv2_cpu_ops.write(&g, 0x2000, 4, 0));
    assert_false(gicv2_cpu_ops.read(&g, 0, 3, &v));
    assert_int_equal(g.invalid_accesses, n + 5);
    assert_true(gicv2_dist_ops.read(&g, 0, 1, &v));     /* byte of a word register */
    assert_int_equal(v, 0);
    assert_int_equal(dread(&g, GICD_SGIR), 0);          /* write-only */
    assert_int_equal(cread(&g, GICC_EOIR), 0);
    dwrite(&g, GICD_TYPER, 0);                          /* read-only */
    cwrite(&g, GICC_IAR, 0);
    assert_int_equal(dread(&g, 0xd00), 0);              /* implementation defined, absent */
    assert_int_equal(dread(&g, GICD_ISENABLER + 40), 0);/* beyond the 288 interrupts */
    assert_true(gicv2_dist_ops.read(&g, GICD_IPRIORITYR + 300, 1, &v));
    cwrite(&g, GICC_EOIR, 1023);                        /* spurious */
    cwrite(&g, GICC_EOIR, 40);                          /* nothing active */
    assert_int_equal(g.invalid_accesses, n + 5 + 10);
    assert_int_equal(dread(&g, 0xe00), 0);              /* NSACR: RAZ/WI, legitimate */
    assert_int_equal(dread(&g, 0x80), 0);               /* IGROUPR: RAZ/WI */
    dwrite(&g, 0x80, 0xffffffff);
    assert_int_equal(dread(&g, 0x80), 0);
    assert_int_equal(g.invalid_accesses, n + 15);
}

static void check_consistent(const struct gicv2 *g)
{
    for (unsigned c = 0; c < g->num_cpus; c++) {
        const struct gicv2_cpu *cpu = &g->cpu[c];
        assert_false(cpu->irq_out && cpu->fiq_out);
        if (cpu->irq_out || cpu->fiq_out) {
            assert_true(cpu->best_intid < g->num_irqs);
            assert_true(cpu->best_prio < cpu->pmr);
        }
        assert_true(cpu->best_intid == GICV2_SPURIOUS || cpu->best_intid < g->num_irqs);
    }
}

static void hostile_run(unsigned num_cpus, unsigned num_irqs, uint64_t seed)
{
    static struct gicv2 g;
    gicv2_init(&g, num_cpus, num_irqs);
    uint64_t rng = seed;
    for (unsigned i = 0; i < 40000; i++) {
        uint64_t r = test_random(&rng);
        unsigned size = random_size(&rng);
        uint64_t offset;
        switch (r % 4) {
        case 0: offset = test_random(&rng); break;                     /* anywhere */
        case 1: offset = test_random(&rng) % 0x1100; break;            /* near the registers */
        default: offset = (test_random(&rng) % 0x1000) & ~UINT64_C(3); break;
        }
        uint64_t value = test_random(&rng);
        if (value & 1)
            value &= 0xffffffff;
        uint64_t out = 0;
        switch ((r >> 8) % 8) {
        case 0: gicv2_dist_ops.read(&g, offset, size, &out); break;
        case 1: case 2: gicv2_dist_ops.write(&g, offset, size, value); break;
        case 3: gicv2_cpu_ops.read(&g, offset % 0x2100, size, &out); break;
        case 4: gicv2_cpu_ops.write(&g, offset % 0x2100, size, value); break;
        case 5: gicv2_set_spi(&g, (unsigned)(value % 1100), (r >> 20) & 1); break;
        case 6: gicv2_set_ppi(&g, (unsigned)(value % 10), (unsigned)((value >> 8) % 40), (r >> 20) & 1); break;
        case 7:
            gicv2_set_current_cpu(&g, (unsigned)(value % 10));
            if ((r >> 16) & 1) {
                size = 4;
                gicv2_cpu_ops.read(&g, GICC_IAR, size, &out);
            }
            break;
        }
        if (size == 1 || size == 2 || size == 4)
            assert_true(out <= mmio_size_mask(size));
        else
            assert_true(out == 0);          /* refused accesses read as 0 */
        check_consistent(&g);
    }
    assert_true(g.invalid_accesses > 0);
}

static void test_hostile(void **state)
{
    (void)state;
    hostile_run(1, GICV2_VIRT_IRQS, 0x1234567);
    hostile_run(2, GICV2_VIRT_IRQS, 0x89abcdef);
    hostile_run(8, 1020, 0x5555aaaa);
    hostile_run(3, 64, 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_registers),
        cmocka_unit_test(test_linux_init_and_level_spi),
        cmocka_unit_test(test_edge_spi),
        cmocka_unit_test(test_priority_mask_and_preemption),
        cmocka_unit_test(test_ties_lowest_intid_and_disable),
        cmocka_unit_test(test_ppi_lines_and_config),
        cmocka_unit_test(test_sgis_two_cpus),
        cmocka_unit_test(test_spi_targets_two_cpus),
        cmocka_unit_test(test_eoimode1_and_dir),
        cmocka_unit_test(test_active_registers_and_apr),
        cmocka_unit_test(test_invalid_accesses),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests_name("gicv2", tests, quiet_setup, NULL);
}
