/* The ARM generic timer of one CPU as its system registers see it (not MMIO): the
 * physical and virtual counters and the EL1 physical and virtual timers. The platform
 * supplies `now`, the physical count in ticks of the counter frequency (derived from the
 * host TSC in the engine); the virtual count is now - CNTVOFF.
 *
 * Each timer drives its PPI as a level: ISTATUS = ENABLE && count >= CVAL, output =
 * ISTATUS && !IMASK (physical: PPI 14 = INTID 30, virtual: PPI 11 = INTID 27). The hyp
 * (INTID 26) and secure (INTID 29) timers are on the board's device tree but do not
 * exist at EL1 and never fire, so they are not modelled. */
#ifndef FERRY_DEVICES_GENERIC_TIMER_H
#define FERRY_DEVICES_GENERIC_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/irq.h"

#define GTIMER_PHYS_INTID   30
#define GTIMER_VIRT_INTID   27
#define GTIMER_HYP_INTID    26
#define GTIMER_SEC_INTID    29

/* The registers; the CPU's system-register table maps MRS/MSR encodings onto these. */
enum gtimer_reg {
    GTIMER_CNTFRQ_EL0,
    GTIMER_CNTPCT_EL0,
    GTIMER_CNTVCT_EL0,
    GTIMER_CNTKCTL_EL1,
    GTIMER_CNTP_CTL_EL0,
    GTIMER_CNTP_CVAL_EL0,
    GTIMER_CNTP_TVAL_EL0,
    GTIMER_CNTV_CTL_EL0,
    GTIMER_CNTV_CVAL_EL0,
    GTIMER_CNTV_TVAL_EL0,
    GTIMER_CNTVOFF_EL2,     /* no EL2 here: stays 0 unless the platform sets it */
    GTIMER_NUM_REGS
};

#define GTIMER_CTL_ENABLE   (1u << 0)
#define GTIMER_CTL_IMASK    (1u << 1)
#define GTIMER_CTL_ISTATUS  (1u << 2)

/* CNTKCTL_EL1 bits. */
#define GTIMER_CNTKCTL_EL0PCTEN (1u << 0)
#define GTIMER_CNTKCTL_EL0VCTEN (1u << 1)
#define GTIMER_CNTKCTL_EL0VTEN  (1u << 8)
#define GTIMER_CNTKCTL_EL0PTEN  (1u << 9)
#define GTIMER_CNTKCTL_MASK     0x3ffu   /* EL0PCTEN..EL0PTEN, event stream fields */

struct gtimer_channel {
    uint32_t ctl;               /* ENABLE and IMASK; ISTATUS is computed */
    uint64_t cval;
    struct irq_line irq;
    bool output;                /* the level last driven on irq */
};

struct gtimer {
    uint64_t cntfrq;            /* what CNTFRQ_EL0 reads; the platform counts at it */
    uint64_t cntkctl;
    uint64_t cntvoff;
    struct gtimer_channel phys, virt;
    uint64_t invalid_accesses;  /* writes to read-only registers, unknown registers */
};

/* Reset state (timers disabled, CVAL 0, CNTKCTL 0) with both outputs low. */
void gtimer_init(struct gtimer *t, uint64_t frequency_hz, struct irq_line phys_irq,
                 struct irq_line virt_irq);

uint64_t gtimer_read(struct gtimer *t, enum gtimer_reg r, uint64_t now);
/* Writes also update the output lines at `now`, so that a guest masking or reprogramming
 * its timer lowers the interrupt before its EOI. */
void gtimer_write(struct gtimer *t, enum gtimer_reg r, uint64_t value, uint64_t now);

/* Drives both outputs for time `now` and returns the first physical count at which an
 * output would change by itself (an enabled, unmasked timer not yet expired), or
 * UINT64_MAX: a halted CPU may sleep until then. */
uint64_t gtimer_update(struct gtimer *t, uint64_t now);

/* Whether EL0 may make this access under CNTKCTL_EL1 (false means the CPU raises the
 * trap/UNDEFINED exception instead of calling gtimer_read/write). Counter registers and
 * CNTFRQ_EL0 are never writable at EL0; CNTKCTL_EL1 and CNTVOFF_EL2 never accessible. */
bool gtimer_el0_access_ok(const struct gtimer *t, enum gtimer_reg r, bool write);

#endif
