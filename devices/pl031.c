/* PL031 RTC model: counter from a host clock callback, load, match interrupt. */
#include "devices/pl031.h"
#include "devices/guest_error.h"

#define RTCDR    0x000u
#define RTCMR    0x004u
#define RTCLR    0x008u
#define RTCCR    0x00cu
#define RTCIMSC  0x010u
#define RTCRIS   0x014u
#define RTCMIS   0x018u
#define RTCICR   0x01cu
#define RTCPERIPHID0 0xfe0u

static const uint8_t pl031_id[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static uint32_t counter(const struct pl031 *rtc)
{
    uint64_t host = rtc->now_seconds ? rtc->now_seconds(rtc->ctx) : 0;
    return (uint32_t)host + rtc->offset;
}

static void update_irq(struct pl031 *rtc)
{
    bool level = (rtc->ris & rtc->imsc & 1u) != 0;
    if (level != rtc->irq_level) {
        rtc->irq_level = level;
        irq_line_set(&rtc->irq, level);
    }
}

void pl031_init(struct pl031 *rtc, uint64_t (*now_seconds)(void *ctx), void *ctx,
                struct irq_line irq)
{
    *rtc = (struct pl031){ .now_seconds = now_seconds, .ctx = ctx, .irq = irq };
    rtc->last_count = counter(rtc);
    irq_line_set(&rtc->irq, false);
}

void pl031_update(struct pl031 *rtc)
{
    uint32_t now = counter(rtc);
    /* MR in (last, now], modulo 2^32: the counter passed the match value. */
    if (now != rtc->last_count && (uint32_t)(rtc->mr - rtc->last_count - 1) < (uint32_t)(now - rtc->last_count))
        rtc->ris |= 1u;
    rtc->last_count = now;
    update_irq(rtc);
}

uint64_t pl031_next_event(struct pl031 *rtc)
{
    pl031_update(rtc);
    if (!(rtc->imsc & 1u) || (rtc->ris & 1u))
        return UINT64_MAX;
    uint64_t host = rtc->now_seconds ? rtc->now_seconds(rtc->ctx) : 0;
    uint32_t count = (uint32_t)host + rtc->offset;
    /* Equal now means the match of this second was already seen (and cleared): the next
     * one is a full 32-bit turn away. */
    uint64_t delta = (uint32_t)(rtc->mr - count);
    if (delta == 0)
        delta = UINT64_C(1) << 32;
    return host + delta < host ? UINT64_MAX : host + delta;
}

/* After MR or LR changed: a match value equal to the counter matches at once (QEMU does
 * the same); later ones are found by pl031_update. */
static void rearm(struct pl031 *rtc)
{
    rtc->last_count = counter(rtc);
    if (rtc->last_count == rtc->mr)
        rtc->ris |= 1u;
    update_irq(rtc);
}

static bool decodes(struct pl031 *rtc, uint64_t offset, unsigned size)
{
    /* 64-bit and misaligned accesses are decode errors on QEMU: external abort. */
    if ((size != 1 && size != 2 && size != 4) || (offset & (size - 1)) || offset >= PL031_SIZE) {
        device_guest_error("pl031", &rtc->invalid_accesses, "%u-byte access at 0x%llx", size,
                           (unsigned long long)offset);
        return false;
    }
    return true;
}

static bool pl031_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct pl031 *rtc = dev;
    *value = 0;
    if (!decodes(rtc, offset, size))
        return false;
    if (size != 4) {
        device_guest_error("pl031", &rtc->invalid_accesses, "%u-byte read at 0x%03x", size, (unsigned)offset);
        return true;
    }
    pl031_update(rtc);
    switch ((unsigned)offset) {
    case RTCDR:   *value = counter(rtc); return true;
    case RTCMR:   *value = rtc->mr; return true;
    case RTCLR:   *value = rtc->lr; return true;
    case RTCCR:   *value = 1; return true;
    case RTCIMSC: *value = rtc->imsc; return true;
    case RTCRIS:  *value = rtc->ris; return true;
    case RTCMIS:  *value = rtc->ris & rtc->imsc; return true;
    }
    if (offset >= RTCPERIPHID0 && offset <= 0xffc)
        *value = pl031_id[(offset - RTCPERIPHID0) / 4];
    else
        device_guest_error("pl031", &rtc->invalid_accesses, "read of 0x%03x", (unsigned)offset);
    return true;
}

static bool pl031_write(void *dev, uint64_t offset, unsigned size, uint64_t value64)
{
    struct pl031 *rtc = dev;
    if (!decodes(rtc, offset, size))
        return false;
    if (size != 4) {
        device_guest_error("pl031", &rtc->invalid_accesses, "%u-byte write at 0x%03x", size, (unsigned)offset);
        return true;
    }
    pl031_update(rtc);
    uint32_t value = (uint32_t)value64;
    switch ((unsigned)offset) {
    case RTCMR:
        rtc->mr = value;
        rearm(rtc);
        return true;
    case RTCLR: {
        uint64_t host = rtc->now_seconds ? rtc->now_seconds(rtc->ctx) : 0;
        rtc->lr = value;
        rtc->offset = value - (uint32_t)host;
        rearm(rtc);
        return true;
    }
    case RTCCR:
        return true;            /* the RTC cannot be stopped (CR.RTCStart stays 1) */
    case RTCIMSC:
        rtc->imsc = value & 1u;
        update_irq(rtc);
        return true;
    case RTCICR:
        rtc->ris &= ~(value & 1u);
        update_irq(rtc);
        return true;
    }
    device_guest_error("pl031", &rtc->invalid_accesses, "write of 0x%x to 0x%03x%s", value, (unsigned)offset,
                       offset == RTCDR || offset == RTCRIS || offset == RTCMIS || offset >= RTCPERIPHID0
                           ? " (read-only)" : "");
    return true;
}

const struct mmio_ops pl031_ops = { .read = pl031_read, .write = pl031_write };
