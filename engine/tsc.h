/* Time from the TSC; its frequency comes from the host in the boot information. */
#ifndef ENGINE_TSC_H
#define ENGINE_TSC_H

#include <stdint.h>
#include "cpu.h"

void tsc_init(uint64_t tsc_khz);
uint64_t tsc_khz(void);

/* Converts a TSC tick count to nanoseconds without overflowing for any 64-bit count. */
uint64_t tsc_ticks_to_ns(uint64_t ticks);

static inline uint64_t tsc_now(void)
{
    return cpu_rdtsc_ordered();
}

#endif
