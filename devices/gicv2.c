/* GICv2 distributor and CPU interface (ARM IHI0048B), without the Security Extensions.
 * The per-CPU "best pending interrupt" is recomputed after every state change, so the
 * nIRQ signal the CPU polls is a stored flag. */
#include "devices/gicv2.h"
#include "devices/guest_error.h"
#include "ferry/support.h"

#define DIST_WINDOW          0x1000u   /* registers the distributor decodes */
#define CPU_WINDOW           0x2000u   /* GICC_DIR sits at 0x1000 */

#define GICD_CTLR            0x000u
#define GICD_TYPER           0x004u
#define GICD_IIDR            0x008u
#define GICD_IGROUPR         0x080u
#define GICD_ISENABLER       0x100u
#define GICD_ICENABLER       0x180u
#define GICD_ISPENDR         0x200u
#define GICD_ICPENDR         0x280u
#define GICD_ISACTIVER       0x300u
#define GICD_ICACTIVER       0x380u
#define GICD_IPRIORITYR      0x400u
#define GICD_ITARGETSR       0x800u
#define GICD_ICFGR           0xc00u
#define GICD_NSACR           0xe00u
#define GICD_SGIR            0xf00u
#define GICD_CPENDSGIR       0xf10u
#define GICD_SPENDSGIR       0xf20u
#define GICD_PIDR4           0xfd0u

#define GICD_CTLR_MASK       0x3u      /* EnableGrp0, EnableGrp1 */
#define GICD_CTLR_ENABLE_GRP0 0x1u

#define GICC_CTLR            0x00u
#define GICC_PMR             0x04u
#define GICC_BPR             0x08u
#define GICC_IAR             0x0cu
#define GICC_EOIR            0x10u
#define GICC_RPR             0x14u
#define GICC_HPPIR           0x18u
#define GICC_ABPR            0x1cu
#define GICC_AIAR            0x20u
#define GICC_AEOIR           0x24u
#define GICC_AHPPIR          0x28u
#define GICC_APR0            0xd0u
#define GICC_NSAPR0          0xe0u
#define GICC_IIDR            0xfcu
#define GICC_DIR             0x1000u

/* GICC_CTLR without Security Extensions: EnableGrp0/1, AckCtl, FIQEn, CBPR, the four
 * bypass-disable bits and EOImode. Only EnableGrp0, FIQEn and EOImode matter here:
 * there are no Group 1 interrupts and no bypass signals. */
#define GICC_CTLR_MASK       0x3ffu
#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_FIQ_EN     (1u << 3)
#define GICC_CTLR_EOIMODE    (1u << 9)

/* QEMU's values, so that a test printing them matches qemu-system-aarch64 -M virt. */
#define GICD_IIDR_VALUE      0x0000043bu
#define GICC_IIDR_VALUE      0x0002043bu
/* PIDR4..7, PIDR0..3, CIDR0..3 at 0xfd0..0xffc: ARM, GICv2 (ArchRev 2). */
static const uint8_t gicd_id_regs[12] = {
    0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1,
};

#define IDLE_PRIORITY        0x100u    /* below every real priority, reads as 0xff */
#define SGI_EDGE_CONFIG      0x0000ffffu
#define ALL_BITS             0xffffffffu

static unsigned num_words(const struct gicv2 *g)
{
    return (g->num_irqs + 31) / 32;
}

/* Bits of word w that name implemented interrupts. */
static uint32_t implemented_bits(const struct gicv2 *g, unsigned w)
{
    if (w >= num_words(g))
        return 0;
    if (g->num_irqs >= (w + 1) * 32)
        return UINT32_MAX;
    return (UINT32_C(1) << (g->num_irqs % 32)) - 1;
}

static struct gicv2_cpu *current(struct gicv2 *g)
{
    return &g->cpu[g->current_cpu];
}

/* The source CPU an SGI is acknowledged from: the lowest pending one (QEMU's choice). */
static unsigned sgi_source(const struct gicv2_cpu *c, unsigned sgi)
{
    return c->sgi_sources[sgi] ? (unsigned)__builtin_ctz(c->sgi_sources[sgi]) : 0;
}

static uint32_t sgi_pending_bits(const struct gicv2_cpu *c)
{
    uint32_t bits = 0;
    for (unsigned i = 0; i < 16; i++)
        if (c->sgi_sources[i])
            bits |= UINT32_C(1) << i;
    return bits;
}

/* Pending state of word w as cpu sees it: latched (edge or software) pending, or a
 * level-sensitive input that is high. */
static uint32_t pending_bits(const struct gicv2 *g, const struct gicv2_cpu *c, unsigned w)
{
    if (w == 0)
        return c->pending_latch | (c->line_level & ~c->edge) | sgi_pending_bits(c);
    return g->pending_latch[w] | (g->line_level[w] & ~g->edge[w]);
}

/* Group priority under the binary point (Group 0 uses GICC_BPR: bits [7:BPR+1]). */
static unsigned group_priority(const struct gicv2_cpu *c, unsigned prio)
{
    return prio & (0xffu << (c->bpr + 1)) & 0xffu;
}

/* The group priority of the highest active preemption level, or IDLE_PRIORITY. */
static unsigned running_priority(const struct gicv2_cpu *c)
{
    for (unsigned i = 0; i < 4; i++)
        if (c->apr[i])
            return (i * 32 + (unsigned)__builtin_ctz(c->apr[i])) * 2;
    return IDLE_PRIORITY;
}

static void update_cpu(struct gicv2 *g, unsigned cpu_index)
{
    struct gicv2_cpu *c = &g->cpu[cpu_index];
    unsigned best = GICV2_SPURIOUS, best_prio = IDLE_PRIORITY;

    if (g->dist_ctlr & GICD_CTLR_ENABLE_GRP0) {
        for (unsigned w = 0; w < num_words(g); w++) {
            uint32_t enabled = w == 0 ? c->enabled : g->enabled[w];
            uint32_t active = w == 0 ? c->active : g->active[w];
            uint32_t candidates = enabled & pending_bits(g, c, w) & ~active & implemented_bits(g, w);
            while (candidates) {
                unsigned bit = (unsigned)__builtin_ctz(candidates);
                candidates &= candidates - 1;
                unsigned intid = w * 32 + bit;
                /* A uniprocessor GIC delivers every SPI to its one CPU (ITARGETSR is RAZ). */
                if (w > 0 && g->num_cpus > 1 && !(g->targets[intid] & (1u << cpu_index)))
                    continue;
                unsigned prio = w == 0 ? c->priority[bit] : g->priority[intid];
                if (prio < best_prio) {     /* ties go to the lowest intid */
                    best = intid;
                    best_prio = prio;
                }
            }
        }
    }
    c->best_intid = (uint16_t)best;
    c->best_prio = (uint16_t)best_prio;

    bool signal = best != GICV2_SPURIOUS && (c->ctlr & GICC_CTLR_ENABLE_GRP0) &&
                  best_prio < c->pmr && group_priority(c, best_prio) < running_priority(c);
    c->irq_out = signal && !(c->ctlr & GICC_CTLR_FIQ_EN);
    c->fiq_out = signal && (c->ctlr & GICC_CTLR_FIQ_EN);
}

static void update_all(struct gicv2 *g)
{
    for (unsigned i = 0; i < g->num_cpus; i++)
        update_cpu(g, i);
}

void gicv2_init(struct gicv2 *g, unsigned num_cpus, unsigned num_irqs)
{
    memset(g, 0, sizeof *g);
    if (num_cpus < 1)
        num_cpus = 1;
    if (num_cpus > GICV2_MAX_CPUS)
        num_cpus = GICV2_MAX_CPUS;
    if (num_irqs < 32)
        num_irqs = 32;
    if (num_irqs > GICV2_MAX_IRQS)
        num_irqs = GICV2_MAX_IRQS;
    num_irqs = (num_irqs + 31) / 32 * 32;
    if (num_irqs > GICV2_MAX_IRQS)
        num_irqs = GICV2_MAX_IRQS;
    g->num_cpus = num_cpus;
    g->num_irqs = num_irqs;
    for (unsigned i = 0; i < GICV2_MAX_CPUS; i++) {
        struct gicv2_cpu *c = &g->cpu[i];
        c->enabled = SGI_EDGE_CONFIG;   /* SGI enables are RAO/WI */
        c->edge = SGI_EDGE_CONFIG;      /* SGIs edge, PPIs level at reset */
        c->abpr = 1;
        c->best_intid = GICV2_SPURIOUS;
        c->best_prio = IDLE_PRIORITY;
    }
}

void gicv2_set_current_cpu(struct gicv2 *g, unsigned cpu)
{
    if (cpu < g->num_cpus)
        g->current_cpu = cpu;
}

void gicv2_set_spi(struct gicv2 *g, unsigned intid, bool level)
{
    if (intid < 32 || intid >= g->num_irqs)
        return;
    unsigned w = intid / 32;
    uint32_t bit = UINT32_C(1) << (intid % 32);
    bool was = (g->line_level[w] & bit) != 0;
    if (was == level)
        return;
    if (level) {
        g->line_level[w] |= bit;
        if (g->edge[w] & bit)
            g->pending_latch[w] |= bit;     /* rising edge */
    } else {
        g->line_level[w] &= ~bit;
    }
    update_all(g);
}

void gicv2_set_ppi(struct gicv2 *g, unsigned cpu, unsigned intid, bool level)
{
    if (cpu >= g->num_cpus || intid < 16 || intid >= 32)
        return;
    struct gicv2_cpu *c = &g->cpu[cpu];
    uint32_t bit = UINT32_C(1) << intid;
    bool was = (c->line_level & bit) != 0;
    if (was == level)
        return;
    if (level) {
        c->line_level |= bit;
        if (c->edge & bit)
            c->pending_latch |= bit;
    } else {
        c->line_level &= ~bit;
    }
    update_cpu(g, cpu);
}

/* irq_line encoding: intid in bits [15:0], CPU + 1 in bits [19:16] for a PPI. */
static void irq_line_setter(void *ctx, unsigned line, bool level)
{
    struct gicv2 *g = ctx;
    unsigned intid = line & 0xffffu, cpu_plus_one = line >> 16;
    if (cpu_plus_one)
        gicv2_set_ppi(g, cpu_plus_one - 1, intid, level);
    else
        gicv2_set_spi(g, intid, level);
}

struct irq_line gicv2_spi_irq_line(struct gicv2 *g, unsigned intid)
{
    return (struct irq_line){ .set = irq_line_setter, .ctx = g, .line = intid & 0xffffu };
}

struct irq_line gicv2_ppi_irq_line(struct gicv2 *g, unsigned cpu, unsigned intid)
{
    if (cpu >= GICV2_MAX_CPUS)
        return (struct irq_line){ 0 };      /* no such CPU: an unconnected line */
    return (struct irq_line){ .set = irq_line_setter, .ctx = g,
                              .line = ((cpu + 1) << 16) | (intid & 0xffffu) };
}

/* ---- acknowledge, priority drop, deactivate ---- */

static void set_active(struct gicv2 *g, struct gicv2_cpu *c, unsigned intid, bool active)
{
    uint32_t *word = intid < 32 ? &c->active : &g->active[intid / 32];
    uint32_t bit = UINT32_C(1) << (intid % 32);
    if (active)
        *word |= bit;
    else
        *word &= ~bit;
}

static bool is_active(const struct gicv2 *g, const struct gicv2_cpu *c, unsigned intid)
{
    uint32_t word = intid < 32 ? c->active : g->active[intid / 32];
    return (word >> (intid % 32)) & 1;
}

static uint32_t acknowledge(struct gicv2 *g)
{
    struct gicv2_cpu *c = current(g);
    /* Same conditions as the IRQ/FIQ signal: only an interrupt that is being signalled
     * can be acknowledged. */
    if (!c->irq_out && !c->fiq_out)
        return GICV2_SPURIOUS;
    unsigned intid = c->best_intid;
    uint32_t value = intid;
    if (intid < 16) {
        unsigned source = sgi_source(c, intid);
        c->sgi_sources[intid] &= (uint8_t)~(1u << source);
        value |= source << 10;
    } else if (intid < 32) {
        c->pending_latch &= ~(UINT32_C(1) << intid);
    } else {
        g->pending_latch[intid / 32] &= ~(UINT32_C(1) << (intid % 32));
    }
    set_active(g, c, intid, true);
    unsigned level = group_priority(c, c->best_prio) >> 1;
    c->apr[level / 32] |= UINT32_C(1) << (level % 32);
    if (intid < 32)
        update_cpu(g, g->current_cpu);
    else
        update_all(g);
    return value;
}

static void deactivate(struct gicv2 *g, unsigned intid, const char *reg)
{
    struct gicv2_cpu *c = current(g);
    if (!is_active(g, c, intid)) {
        device_guest_error("gicv2", &g->invalid_accesses, "%s of inactive interrupt %u", reg, intid);
        return;
    }
    set_active(g, c, intid, false);
    if (intid < 32)
        update_cpu(g, g->current_cpu);
    else
        update_all(g);
}

static void end_of_interrupt(struct gicv2 *g, uint32_t value)
{
    struct gicv2_cpu *c = current(g);
    unsigned intid = value & 0x3ffu;
    if (intid >= g->num_irqs) {
        device_guest_error("gicv2", &g->invalid_accesses, "GICC_EOIR of intid %u", intid);
        return;
    }
    unsigned i = 0;
    while (i < 4 && !c->apr[i])
        i++;
    if (i == 4) {
        device_guest_error("gicv2", &g->invalid_accesses, "GICC_EOIR %u with no active priority", intid);
        return;
    }
    c->apr[i] &= c->apr[i] - 1;     /* priority drop: clear the highest active level */
    update_cpu(g, g->current_cpu);
    if (!(c->ctlr & GICC_CTLR_EOIMODE))
        deactivate(g, intid, "GICC_EOIR");
}

/* ---- distributor ---- */

static void generate_sgi(struct gicv2 *g, uint32_t value)
{
    unsigned sgi = value & 0xfu;
    unsigned filter = (value >> 24) & 3u;
    unsigned all = (1u << g->num_cpus) - 1;
    unsigned targets;
    switch (filter) {
    case 0: targets = (value >> 16) & 0xffu; break;
    case 1: targets = all & ~(1u << g->current_cpu); break;
    case 2: targets = 1u << g->current_cpu; break;
    default:
        device_guest_error("gicv2", &g->invalid_accesses, "GICD_SGIR reserved target filter");
        return;
    }
    targets &= all;
    for (unsigned t = 0; t < g->num_cpus; t++) {
        if (targets & (1u << t)) {
            g->cpu[t].sgi_sources[sgi] |= (uint8_t)(1u << g->current_cpu);
            update_cpu(g, t);
        }
    }
}

/* Byte-accessible registers: IPRIORITYR, ITARGETSR, CPENDSGIR, SPENDSGIR. */
static bool dist_is_byte_register(uint64_t offset)
{
    return (offset >= GICD_IPRIORITYR && offset < GICD_ICFGR) ||
           (offset >= GICD_CPENDSGIR && offset < GICD_SPENDSGIR + 16);
}

static uint8_t dist_read_byte(struct gicv2 *g, unsigned offset, bool *invalid)
{
    struct gicv2_cpu *c = current(g);
    if (offset >= GICD_IPRIORITYR && offset < GICD_ITARGETSR) {
        unsigned intid = offset - GICD_IPRIORITYR;
        if (intid >= g->num_irqs) {
            *invalid = true;
            return 0;
        }
        return intid < 32 ? c->priority[intid] : g->priority[intid];
    }
    if (offset >= GICD_ITARGETSR && offset < GICD_ICFGR) {
        unsigned intid = offset - GICD_ITARGETSR;
        if (intid >= g->num_irqs) {
            *invalid = true;
            return 0;
        }
        if (g->num_cpus == 1)
            return 0;           /* RAZ/WI on a uniprocessor GIC */
        return intid < 32 ? (uint8_t)(1u << g->current_cpu) : g->targets[intid];
    }
    if (offset >= GICD_CPENDSGIR && offset < GICD_CPENDSGIR + 16)
        return c->sgi_sources[offset - GICD_CPENDSGIR];
    return c->sgi_sources[offset - GICD_SPENDSGIR];
}

static void dist_write_byte(struct gicv2 *g, unsigned offset, uint8_t value, bool *invalid)
{
    struct gicv2_cpu *c = current(g);
    uint8_t cpu_mask = (uint8_t)((1u << g->num_cpus) - 1);
    if (offset >= GICD_IPRIORITYR && offset < GICD_ITARGETSR) {
        unsigned intid = offset - GICD_IPRIORITYR;
        if (intid >= g->num_irqs)
            *invalid = true;
        else if (intid < 32)
            c->priority[intid] = value;
        else
            g->priority[intid] = value;
    } else if (offset >= GICD_ITARGETSR && offset < GICD_ICFGR) {
        unsigned intid = offset - GICD_ITARGETSR;
        if (intid >= g->num_irqs)
            *invalid = true;
        else if (intid < 32 && g->num_cpus > 1)
            *invalid = true;    /* read-only: the accessing CPU */
        else if (intid >= 32 && g->num_cpus > 1)
            g->targets[intid] = value & cpu_mask;
    } else if (offset >= GICD_CPENDSGIR && offset < GICD_CPENDSGIR + 16) {
        c->sgi_sources[offset - GICD_CPENDSGIR] &= (uint8_t)~value;
    } else {
        c->sgi_sources[offset - GICD_SPENDSGIR] |= value & cpu_mask;
    }
}

/* The banked/bitmap word registers: which word of the 1024-bit map an offset names. */
static bool bitmap_word(const struct gicv2 *g, unsigned offset, unsigned base, unsigned *w)
{
    *w = (offset - base) / 4;
    return *w < num_words(g);
}

static uint32_t icfgr_read(const struct gicv2 *g, const struct gicv2_cpu *c, unsigned n)
{
    uint32_t edge = n < 2 ? c->edge : g->edge[n / 2];
    unsigned shift = (n % 2) * 16;
    uint32_t value = 0;
    for (unsigned i = 0; i < 16; i++)
        if ((edge >> (shift + i)) & 1)
            value |= UINT32_C(2) << (2 * i);
    return value;
}

static void icfgr_write(struct gicv2 *g, struct gicv2_cpu *c, unsigned n, uint32_t value)
{
    uint32_t *edge = n < 2 ? &c->edge : &g->edge[n / 2];
    unsigned shift = (n % 2) * 16;
    uint32_t valid = n < 2 ? UINT32_MAX : implemented_bits(g, n / 2);
    for (unsigned i = 0; i < 16; i++) {
        uint32_t bit = UINT32_C(1) << (shift + i);
        if (!(valid & bit))
            continue;
        if ((value >> (2 * i + 1)) & 1)
            *edge |= bit;
        else
            *edge &= ~bit;
    }
}

static uint32_t dist_read_word(struct gicv2 *g, unsigned offset)
{
    struct gicv2_cpu *c = current(g);
    unsigned w;
    if (offset == GICD_CTLR)
        return g->dist_ctlr;
    if (offset == GICD_TYPER)
        return (num_words(g) - 1) | ((g->num_cpus - 1) << 5);
    if (offset == GICD_IIDR)
        return GICD_IIDR_VALUE;
    if (offset >= GICD_IGROUPR && offset < GICD_ISENABLER) {
        if (bitmap_word(g, offset, GICD_IGROUPR, &w))
            return 0;           /* every interrupt is Group 0 */
    } else if (offset >= GICD_ISENABLER && offset < GICD_ISPENDR) {
        if (bitmap_word(g, offset, offset < GICD_ICENABLER ? GICD_ISENABLER : GICD_ICENABLER, &w))
            return (w == 0 ? c->enabled : g->enabled[w]) & implemented_bits(g, w);
    } else if (offset >= GICD_ISPENDR && offset < GICD_ISACTIVER) {
        if (bitmap_word(g, offset, offset < GICD_ICPENDR ? GICD_ISPENDR : GICD_ICPENDR, &w))
            return pending_bits(g, c, w) & implemented_bits(g, w);
    } else if (offset >= GICD_ISACTIVER && offset < GICD_IPRIORITYR) {
        if (bitmap_word(g, offset, offset < GICD_ICACTIVER ? GICD_ISACTIVER : GICD_ICACTIVER, &w))
            return (w == 0 ? c->active : g->active[w]) & implemented_bits(g, w);
    } else if (offset >= GICD_ICFGR && offset < GICD_NSACR) {
        unsigned n = (offset - GICD_ICFGR) / 4;
        if (n / 2 < num_words(g))
            return icfgr_read(g, c, n);
    } else if (offset >= GICD_NSACR && offset < GICD_SGIR) {
        return 0;               /* NSACR: RAZ/WI without Security Extensions */
    } else if (offset >= GICD_PIDR4) {
        return gicd_id_regs[(offset - GICD_PIDR4) / 4];
    }
    device_guest_error("gicv2", &g->invalid_accesses, "distributor read of 0x%03x", offset);
    return 0;
}

/* A write to a GICD_IS... or GICD_IC... register: sets or clears the written bits of
 * bitmap word w; word 0 is the current CPU's banked copy, where only cpu_writable bits
 * change. */
static void set_or_clear(const struct gicv2 *g, uint32_t *banked, uint32_t *shared, unsigned w, uint32_t value,
                         bool set, uint32_t cpu_writable)
{
    uint32_t *word = w == 0 ? banked : &shared[w];
    uint32_t bits = value & (w == 0 ? cpu_writable : implemented_bits(g, w));
    if (set)
        *word |= bits;
    else
        *word &= ~bits;
}

static void dist_write_word(struct gicv2 *g, unsigned offset, uint32_t value)
{
    struct gicv2_cpu *c = current(g);
    unsigned w;
    if (offset == GICD_CTLR) {
        g->dist_ctlr = value & GICD_CTLR_MASK;
        update_all(g);
        return;
    }
    if (offset >= GICD_IGROUPR && offset < GICD_ISENABLER) {
        if (bitmap_word(g, offset, GICD_IGROUPR, &w))
            return;             /* RAZ/WI */
    } else if (offset >= GICD_ISENABLER && offset < GICD_ICENABLER) {
        if (bitmap_word(g, offset, GICD_ISENABLER, &w)) {
            set_or_clear(g, &c->enabled, g->enabled, w, value, true, ALL_BITS);
            goto changed;
        }
    } else if (offset >= GICD_ICENABLER && offset < GICD_ISPENDR) {
        if (bitmap_word(g, offset, GICD_ICENABLER, &w)) {
            set_or_clear(g, &c->enabled, g->enabled, w, value, false, ~SGI_EDGE_CONFIG);
            goto changed;
        }
    } else if (offset >= GICD_ISPENDR && offset < GICD_ICPENDR) {
        /* SGI bits are WI here: SGIs are set pending through GICD_SGIR / SPENDSGIR. */
        if (bitmap_word(g, offset, GICD_ISPENDR, &w)) {
            set_or_clear(g, &c->pending_latch, g->pending_latch, w, value, true, ~SGI_EDGE_CONFIG);
            goto changed;
        }
    } else if (offset >= GICD_ICPENDR && offset < GICD_ISACTIVER) {
        /* A level-sensitive input that is still high keeps its interrupt pending. */
        if (bitmap_word(g, offset, GICD_ICPENDR, &w)) {
            set_or_clear(g, &c->pending_latch, g->pending_latch, w, value, false, ~SGI_EDGE_CONFIG);
            goto changed;
        }
    } else if (offset >= GICD_ISACTIVER && offset < GICD_ICACTIVER) {
        if (bitmap_word(g, offset, GICD_ISACTIVER, &w)) {
            set_or_clear(g, &c->active, g->active, w, value, true, ALL_BITS);
            goto changed;
        }
    } else if (offset >= GICD_ICACTIVER && offset < GICD_IPRIORITYR) {
        if (bitmap_word(g, offset, GICD_ICACTIVER, &w)) {
            set_or_clear(g, &c->active, g->active, w, value, false, ALL_BITS);
            goto changed;
        }
    } else if (offset >= GICD_ICFGR && offset < GICD_NSACR) {
        unsigned n = (offset - GICD_ICFGR) / 4;
        if (n > 0 && n / 2 < num_words(g)) {    /* ICFGR0 (SGIs) is read-only */
            icfgr_write(g, c, n, value);
            goto changed;
        }
    } else if (offset >= GICD_NSACR && offset < GICD_SGIR) {
        return;
    } else if (offset == GICD_SGIR) {
        generate_sgi(g, value);
        return;
    }
    device_guest_error("gicv2", &g->invalid_accesses, "distributor write of 0x%08x to 0x%03x", value, offset);
    return;
changed:
    update_all(g);
}

/* Checks shared by both blocks: QEMU's GIC takes 1..4-byte aligned accesses inside its
 * register window; anything else is a decode error, i.e. an external abort. */
static bool access_decodes(struct gicv2 *g, uint64_t offset, unsigned size, uint64_t window)
{
    if (size != 1 && size != 2 && size != 4) {
        device_guest_error("gicv2", &g->invalid_accesses, "%u-byte access at 0x%llx", size,
                           (unsigned long long)offset);
        return false;
    }
    if ((offset & (size - 1)) || offset >= window) {
        device_guest_error("gicv2", &g->invalid_accesses, "access at 0x%llx outside the registers",
                           (unsigned long long)offset);
        return false;
    }
    return true;
}

static bool dist_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct gicv2 *g = dev;
    *value = 0;
    if (!access_decodes(g, offset, size, DIST_WINDOW))
        return false;
    unsigned off = (unsigned)offset;
    if (dist_is_byte_register(off)) {
        bool invalid = false;
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)dist_read_byte(g, off + i, &invalid) << (8 * i);
        if (invalid)
            device_guest_error("gicv2", &g->invalid_accesses, "read of unimplemented 0x%03x", off);
        *value = v;
    } else if (size == 4) {
        *value = dist_read_word(g, off);
    } else {
        device_guest_error("gicv2", &g->invalid_accesses, "%u-byte read of word register 0x%03x", size, off);
    }
    return true;
}

static bool dist_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct gicv2 *g = dev;
    if (!access_decodes(g, offset, size, DIST_WINDOW))
        return false;
    unsigned off = (unsigned)offset;
    if (dist_is_byte_register(off)) {
        bool invalid = false;
        for (unsigned i = 0; i < size; i++)
            dist_write_byte(g, off + i, (uint8_t)(value >> (8 * i)), &invalid);
        if (invalid)
            device_guest_error("gicv2", &g->invalid_accesses, "write to 0x%03x", off);
        update_all(g);
    } else if (size == 4) {
        dist_write_word(g, off, (uint32_t)value);
    } else {
        device_guest_error("gicv2", &g->invalid_accesses, "%u-byte write of word register 0x%03x", size, off);
    }
    return true;
}

/* ---- CPU interface ---- */

static bool cpu_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct gicv2 *g = dev;
    struct gicv2_cpu *c = current(g);
    *value = 0;
    if (!access_decodes(g, offset, size, CPU_WINDOW))
        return false;
    unsigned off = (unsigned)offset;
    if (size != 4) {
        device_guest_error("gicv2", &g->invalid_accesses, "%u-byte read of GICC 0x%03x", size, off);
        return true;
    }
    switch (off) {
    case GICC_CTLR:   *value = c->ctlr; break;
    case GICC_PMR:    *value = c->pmr; break;
    case GICC_BPR:    *value = c->bpr; break;
    case GICC_IAR:    *value = acknowledge(g); break;
    case GICC_RPR: {
        unsigned rp = running_priority(c);
        *value = rp == IDLE_PRIORITY ? 0xff : rp;
        break;
    }
    case GICC_HPPIR:
        if (c->best_intid == GICV2_SPURIOUS || !(c->ctlr & GICC_CTLR_ENABLE_GRP0)) {
            *value = GICV2_SPURIOUS;
        } else {
            *value = c->best_intid;
            if (c->best_intid < 16)
                *value |= (uint64_t)sgi_source(c, c->best_intid) << 10;
        }
        break;
    case GICC_ABPR:   *value = c->abpr; break;
    case GICC_AIAR:                         /* no Group 1 interrupts exist */
    case GICC_AHPPIR: *value = GICV2_SPURIOUS; break;
    case GICC_APR0: case GICC_APR0 + 4: case GICC_APR0 + 8: case GICC_APR0 + 12:
        *value = c->apr[(off - GICC_APR0) / 4];
        break;
    case GICC_NSAPR0: case GICC_NSAPR0 + 4: case GICC_NSAPR0 + 8: case GICC_NSAPR0 + 12:
        break;                              /* RAZ/WI: no Non-secure state */
    case GICC_IIDR:   *value = GICC_IIDR_VALUE; break;
    default:
        device_guest_error("gicv2", &g->invalid_accesses, "GICC read of 0x%03x", off);
        break;
    }
    return true;
}

static bool cpu_write(void *dev, uint64_t offset, unsigned size, uint64_t value64)
{
    struct gicv2 *g = dev;
    struct gicv2_cpu *c = current(g);
    if (!access_decodes(g, offset, size, CPU_WINDOW))
        return false;
    unsigned off = (unsigned)offset;
    uint32_t value = (uint32_t)value64;
    if (size != 4) {
        device_guest_error("gicv2", &g->invalid_accesses, "%u-byte write of GICC 0x%03x", size, off);
        return true;
    }
    switch (off) {
    case GICC_CTLR: c->ctlr = value & GICC_CTLR_MASK; break;
    case GICC_PMR:  c->pmr = value & 0xffu; break;
    case GICC_BPR:  c->bpr = value & 7u; break;
    case GICC_ABPR: c->abpr = (value & 7u) ? (value & 7u) : 1u; break;
    case GICC_EOIR: end_of_interrupt(g, value); return true;
    case GICC_DIR:
        if (!(c->ctlr & GICC_CTLR_EOIMODE)) {
            device_guest_error("gicv2", &g->invalid_accesses, "GICC_DIR write with EOImode 0");
        } else if ((value & 0x3ffu) >= g->num_irqs) {
            device_guest_error("gicv2", &g->invalid_accesses, "GICC_DIR of intid %u", value & 0x3ffu);
        } else {
            deactivate(g, value & 0x3ffu, "GICC_DIR");
        }
        return true;
    case GICC_AEOIR:
        device_guest_error("gicv2", &g->invalid_accesses, "GICC_AEOIR write: no Group 1 interrupts");
        return true;
    case GICC_APR0: case GICC_APR0 + 4: case GICC_APR0 + 8: case GICC_APR0 + 12:
        c->apr[(off - GICC_APR0) / 4] = value;  /* for save/restore */
        break;
    case GICC_NSAPR0: case GICC_NSAPR0 + 4: case GICC_NSAPR0 + 8: case GICC_NSAPR0 + 12:
        return true;
    default:
        device_guest_error("gicv2", &g->invalid_accesses, "GICC write of 0x%08x to 0x%03x", value, off);
        return true;
    }
    update_cpu(g, g->current_cpu);
    return true;
}

const struct mmio_ops gicv2_dist_ops = { .read = dist_read, .write = dist_write };
const struct mmio_ops gicv2_cpu_ops = { .read = cpu_read, .write = cpu_write };
