/* GICv2 distributor and CPU interface: just enough for one CPU taking PPIs and SPIs
 * (no security extensions on this board: GICD_CTLR/GICC_CTLR bit 0 enable group 0). */
#include "rt.h"

#define GICD_CTLR       0x000
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICC_CTLR       0x00
#define GICC_PMR        0x04
#define GICC_BPR        0x08
#define GICC_IAR        0x0c
#define GICC_EOIR       0x10

void gic_init(void)
{
    mmio_w32(GICD_BASE + GICD_CTLR, 0);
    for (unsigned i = 0; i < 64; i += 32) {
        mmio_w32(GICD_BASE + GICD_ICENABLER + i / 8, 0xffffffffu);
        mmio_w32(GICD_BASE + GICD_ICPENDR + i / 8, 0xffffffffu);
    }
    for (unsigned i = 32; i < 64; i += 4)
        mmio_w32(GICD_BASE + GICD_ITARGETSR + i, 0x01010101u);
    mmio_w32(GICD_BASE + GICD_CTLR, 1);
    mmio_w32(GICC_BASE + GICC_PMR, 0xf0);
    mmio_w32(GICC_BASE + GICC_BPR, 0);
    mmio_w32(GICC_BASE + GICC_CTLR, 1);
}

void gic_enable_irq(unsigned intid, unsigned prio)
{
    mmio_w8(GICD_BASE + GICD_IPRIORITYR + intid, (uint8_t)prio);
    mmio_w32(GICD_BASE + GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void gic_disable_irq(unsigned intid)
{
    mmio_w32(GICD_BASE + GICD_ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
    dsb(sy);
}

unsigned gic_ack(void)
{
    return mmio_r32(GICC_BASE + GICC_IAR);
}

void gic_eoi(unsigned iar)
{
    mmio_w32(GICC_BASE + GICC_EOIR, iar);
}

int gic_is_pending(unsigned intid)
{
    return (mmio_r32(GICD_BASE + GICD_ISPENDR + (intid / 32) * 4) >> (intid % 32)) & 1;
}

void gic_clear_pending(unsigned intid)
{
    mmio_w32(GICD_BASE + GICD_ICPENDR + (intid / 32) * 4, 1u << (intid % 32));
}
