/* GICv2 interrupt controller (ARM IHI0048B): distributor and CPU interface, without the
 * Security Extensions, for 1..8 CPUs and up to 1020 interrupt IDs, as QEMU's virt board
 * has it (distributor at 0x08000000, CPU interface at 0x08010000, 32 + 256 interrupts).
 *
 * Decisions (docs/devices.md has the full list):
 * - 8 priority bits, like QEMU's GIC (a GIC-400 keeps 5): IPRIORITYR and PMR store every
 *   bit, the minimum binary point is 0 (GICC_BPR) / 1 (GICC_ABPR), so there are 128
 *   preemption levels, tracked in GICC_APR0..3.
 * - IGROUPR is RAZ/WI: every interrupt is Group 0. GICC_CTLR.FIQEn = 1 sends them to the
 *   FIQ line instead of the IRQ line; without it gicv2_fiq_line() is always false.
 * - SGI enable bits are RAO/WI, SGI pending state is kept per source CPU, SGI active
 *   state per target CPU (as QEMU).
 * - Distributor and CPU interface accesses come from the CPU set with
 *   gicv2_set_current_cpu() (the banked registers of intids 0..31, GICC_*). */
#ifndef FERRY_DEVICES_GICV2_H
#define FERRY_DEVICES_GICV2_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/irq.h"
#include "devices/mmio.h"

#define GICV2_DIST_BASE    UINT64_C(0x08000000)
#define GICV2_DIST_SIZE    UINT64_C(0x10000)
#define GICV2_CPU_BASE     UINT64_C(0x08010000)
#define GICV2_CPU_SIZE     UINT64_C(0x10000)

#define GICV2_MAX_CPUS     8
#define GICV2_MAX_IRQS     1020        /* intids 1020..1023 are special */
#define GICV2_VIRT_IRQS    288         /* QEMU virt: 32 private + 256 SPIs */
#define GICV2_SPURIOUS     1023
#define GICV2_NUM_WORDS    32          /* 1024 interrupt bits in 32-bit words */

/* Per-CPU state: the distributor's banked registers for intids 0..31 and the CPU
 * interface. */
struct gicv2_cpu {
    uint32_t enabled;           /* bit n: intid n enabled (SGI bits always set) */
    uint32_t pending_latch;     /* PPI edge latches and software-set pending (16..31) */
    uint32_t active;            /* intids 0..31 */
    uint32_t line_level;        /* PPI input levels */
    uint32_t edge;              /* bit n: intid n edge-triggered (SGIs always) */
    uint8_t priority[32];
    uint8_t sgi_sources[16];    /* bit s: SGI pending from source CPU s */

    uint32_t ctlr, pmr, bpr, abpr;
    uint32_t apr[4];            /* active preemption levels: bit n = group priority 2n */

    /* Cached highest priority pending interrupt that this CPU could take (enabled,
     * pending, not active, targeted at it), updated on every state change. */
    uint16_t best_intid;        /* GICV2_SPURIOUS when none */
    uint16_t best_prio;         /* 0x100 when none */
    bool irq_out, fiq_out;
};

struct gicv2 {
    unsigned num_cpus, num_irqs;
    unsigned current_cpu;       /* whose banked registers MMIO accesses see */
    uint32_t dist_ctlr;
    /* Shared interrupts (intid >= 32); word 0 is unused (banked in gicv2_cpu). */
    uint32_t enabled[GICV2_NUM_WORDS];
    uint32_t pending_latch[GICV2_NUM_WORDS];
    uint32_t active[GICV2_NUM_WORDS];
    uint32_t line_level[GICV2_NUM_WORDS];
    uint32_t edge[GICV2_NUM_WORDS];
    uint8_t priority[GICV2_NUM_WORDS * 32];
    uint8_t targets[GICV2_NUM_WORDS * 32];
    struct gicv2_cpu cpu[GICV2_MAX_CPUS];
    uint64_t invalid_accesses;
};

/* num_cpus is clamped to 1..8, num_irqs to 32..1020 (rounded up to a multiple of 32,
 * GICD_TYPER's granule). Everything is at its reset value afterwards. */
void gicv2_init(struct gicv2 *g, unsigned num_cpus, unsigned num_irqs);
/* The CPU on whose behalf the next MMIO accesses are made (ignored if out of range). */
void gicv2_set_current_cpu(struct gicv2 *g, unsigned cpu);

/* Interrupt inputs, driven as levels. Out-of-range numbers are ignored. */
void gicv2_set_spi(struct gicv2 *g, unsigned intid, bool level);               /* 32.. */
void gicv2_set_ppi(struct gicv2 *g, unsigned cpu, unsigned intid, bool level); /* 16..31 */

/* The nIRQ / nFIQ signals to a CPU: a pending, enabled interrupt of higher priority
 * than both GICC_PMR and the running priority, with distributor and CPU interface
 * enabled. Reads a cached flag, cheap enough for every check point. */
static inline bool gicv2_irq_line(const struct gicv2 *g, unsigned cpu)
{
    return cpu < GICV2_MAX_CPUS && g->cpu[cpu].irq_out;
}
static inline bool gicv2_fiq_line(const struct gicv2 *g, unsigned cpu)
{
    return cpu < GICV2_MAX_CPUS && g->cpu[cpu].fiq_out;
}

/* Lines for other devices: an SPI (intid 32..), or a PPI of one CPU (intid 16..31).
 * Out-of-range numbers give a line whose changes are ignored. */
struct irq_line gicv2_spi_irq_line(struct gicv2 *g, unsigned intid);
struct irq_line gicv2_ppi_irq_line(struct gicv2 *g, unsigned cpu, unsigned intid);

extern const struct mmio_ops gicv2_dist_ops;   /* dev = struct gicv2 * */
extern const struct mmio_ops gicv2_cpu_ops;    /* dev = struct gicv2 * */

#endif
