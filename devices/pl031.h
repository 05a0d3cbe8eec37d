/* PL031 real-time clock (ARM DDI0224) as on QEMU's virt board (0x09010000, SPI 2 =
 * INTID 34): a 32-bit seconds counter read from the host wall clock plus an offset set
 * by writing LR, and a match interrupt when the counter reaches MR. The RTC is always
 * running (CR reads 1, as on QEMU). */
#ifndef FERRY_DEVICES_PL031_H
#define FERRY_DEVICES_PL031_H

#include <stdbool.h>
#include <stdint.h>
#include "devices/irq.h"
#include "devices/mmio.h"

#define PL031_BASE   UINT64_C(0x09010000)
#define PL031_SIZE   UINT64_C(0x1000)
#define PL031_INTID  34

struct pl031 {
    uint64_t (*now_seconds)(void *ctx);  /* host wall clock, seconds since the epoch */
    void *ctx;
    struct irq_line irq;
    uint32_t offset;            /* counter = host seconds + offset (mod 2^32) */
    uint32_t mr, lr, imsc, ris;   /* lr: the last value loaded, as RTCLR reads */
    uint32_t last_count;        /* counter value at the last match check */
    bool irq_level;
    uint64_t invalid_accesses;
};

void pl031_init(struct pl031 *rtc, uint64_t (*now_seconds)(void *ctx), void *ctx,
                struct irq_line irq);
/* Called at check points: raises the match interrupt if the counter reached MR since
 * the last call (also when it jumped past it, e.g. after the host slept). */
void pl031_update(struct pl031 *rtc);

/* The host time (in now_seconds units) at which the match interrupt will next raise the
 * line, or UINT64_MAX if it cannot (masked, or already raised): a halted CPU may sleep
 * until then, as with gtimer_update's deadline. */
uint64_t pl031_next_event(struct pl031 *rtc);

extern const struct mmio_ops pl031_ops;   /* dev = struct pl031 * */

#endif
