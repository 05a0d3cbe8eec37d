/* ARM generic timer: counters, EL1 physical and virtual timers, CNTKCTL_EL1 EL0 access. */
#include "devices/generic_timer.h"
#include "devices/guest_error.h"

void gtimer_init(struct gtimer *t, uint64_t frequency_hz, struct irq_line phys_irq,
                 struct irq_line virt_irq)
{
    *t = (struct gtimer){ .cntfrq = frequency_hz };
    t->phys.irq = phys_irq;
    t->virt.irq = virt_irq;
    irq_line_set(&t->phys.irq, false);
    irq_line_set(&t->virt.irq, false);
}

static uint64_t channel_count(const struct gtimer *t, const struct gtimer_channel *ch, uint64_t now)
{
    return ch == &t->virt ? now - t->cntvoff : now;
}

static bool channel_istatus(const struct gtimer *t, const struct gtimer_channel *ch, uint64_t now)
{
    return (ch->ctl & GTIMER_CTL_ENABLE) && channel_count(t, ch, now) >= ch->cval;
}

/* Drives one output; returns the physical count at which it would next change. */
static uint64_t channel_update(struct gtimer *t, struct gtimer_channel *ch, uint64_t now)
{
    bool istatus = channel_istatus(t, ch, now);
    bool output = istatus && !(ch->ctl & GTIMER_CTL_IMASK);
    if (output != ch->output) {
        ch->output = output;
        irq_line_set(&ch->irq, output);
    }
    if (istatus || !(ch->ctl & GTIMER_CTL_ENABLE) || (ch->ctl & GTIMER_CTL_IMASK))
        return UINT64_MAX;      /* only a register write can change the output now */
    uint64_t delta = ch->cval - channel_count(t, ch, now);   /* > 0: not yet expired */
    return now + delta < now ? UINT64_MAX : now + delta;
}

uint64_t gtimer_update(struct gtimer *t, uint64_t now)
{
    uint64_t phys = channel_update(t, &t->phys, now);
    uint64_t virt = channel_update(t, &t->virt, now);
    return phys < virt ? phys : virt;
}

static uint64_t ctl_read(const struct gtimer *t, const struct gtimer_channel *ch, uint64_t now)
{
    return ch->ctl | (channel_istatus(t, ch, now) ? GTIMER_CTL_ISTATUS : 0);
}

/* TimerValue: the low 32 bits of CVAL - count, read zero-extended (bits [63:32] are
 * RES0); a write sets CVAL to count + the sign-extended 32-bit value. */
static uint64_t tval_read(const struct gtimer *t, const struct gtimer_channel *ch, uint64_t now)
{
    return (uint32_t)(ch->cval - channel_count(t, ch, now));
}

static void tval_write(struct gtimer *t, struct gtimer_channel *ch, uint64_t value, uint64_t now)
{
    ch->cval = channel_count(t, ch, now) + (uint64_t)(int64_t)(int32_t)(uint32_t)value;
}

uint64_t gtimer_read(struct gtimer *t, enum gtimer_reg r, uint64_t now)
{
    switch (r) {
    case GTIMER_CNTFRQ_EL0:    return t->cntfrq;
    case GTIMER_CNTPCT_EL0:    return now;
    case GTIMER_CNTVCT_EL0:    return now - t->cntvoff;
    case GTIMER_CNTKCTL_EL1:   return t->cntkctl;
    case GTIMER_CNTP_CTL_EL0:  return ctl_read(t, &t->phys, now);
    case GTIMER_CNTP_CVAL_EL0: return t->phys.cval;
    case GTIMER_CNTP_TVAL_EL0: return tval_read(t, &t->phys, now);
    case GTIMER_CNTV_CTL_EL0:  return ctl_read(t, &t->virt, now);
    case GTIMER_CNTV_CVAL_EL0: return t->virt.cval;
    case GTIMER_CNTV_TVAL_EL0: return tval_read(t, &t->virt, now);
    case GTIMER_CNTVOFF_EL2:   return t->cntvoff;
    default:
        device_guest_error("gtimer", &t->invalid_accesses, "read of register %d", (int)r);
        return 0;
    }
}

void gtimer_write(struct gtimer *t, enum gtimer_reg r, uint64_t value, uint64_t now)
{
    switch (r) {
    /* Writable at the highest implemented Exception level, which is EL1 here. It does
     * not change the rate the platform counts at. */
    case GTIMER_CNTFRQ_EL0:    t->cntfrq = (uint32_t)value; return;
    case GTIMER_CNTKCTL_EL1:   t->cntkctl = value & GTIMER_CNTKCTL_MASK; return;
    /* ISTATUS is read-only and the other bits RES0: only ENABLE and IMASK are kept. */
    case GTIMER_CNTP_CTL_EL0:  t->phys.ctl = (uint32_t)value & (GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK); break;
    case GTIMER_CNTP_CVAL_EL0: t->phys.cval = value; break;
    case GTIMER_CNTP_TVAL_EL0: tval_write(t, &t->phys, value, now); break;
    case GTIMER_CNTV_CTL_EL0:  t->virt.ctl = (uint32_t)value & (GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK); break;
    case GTIMER_CNTV_CVAL_EL0: t->virt.cval = value; break;
    case GTIMER_CNTV_TVAL_EL0: tval_write(t, &t->virt, value, now); break;
    case GTIMER_CNTVOFF_EL2:   t->cntvoff = value; break;
    case GTIMER_CNTPCT_EL0:
    case GTIMER_CNTVCT_EL0:
        device_guest_error("gtimer", &t->invalid_accesses, "write to a read-only counter");
        return;
    default:
        device_guest_error("gtimer", &t->invalid_accesses, "write of register %d", (int)r);
        return;
    }
    gtimer_update(t, now);
}

bool gtimer_el0_access_ok(const struct gtimer *t, enum gtimer_reg r, bool write)
{
    uint64_t k = t->cntkctl;
    switch (r) {
    case GTIMER_CNTFRQ_EL0:
        return !write && (k & (GTIMER_CNTKCTL_EL0PCTEN | GTIMER_CNTKCTL_EL0VCTEN));
    case GTIMER_CNTPCT_EL0:
        return !write && (k & GTIMER_CNTKCTL_EL0PCTEN);
    case GTIMER_CNTVCT_EL0:
        return !write && (k & GTIMER_CNTKCTL_EL0VCTEN);
    case GTIMER_CNTP_CTL_EL0:
    case GTIMER_CNTP_CVAL_EL0:
    case GTIMER_CNTP_TVAL_EL0:
        return (k & GTIMER_CNTKCTL_EL0PTEN) != 0;
    case GTIMER_CNTV_CTL_EL0:
    case GTIMER_CNTV_CVAL_EL0:
    case GTIMER_CNTV_TVAL_EL0:
        return (k & GTIMER_CNTKCTL_EL0VTEN) != 0;
    default:
        return false;
    }
}
