/* TSC time source (see tsc.h). */
#include "tsc.h"

/* Used when the host passes no frequency: the CI machines' rate. */
#define TSC_FALLBACK_KHZ 2600000ull

static uint64_t khz = TSC_FALLBACK_KHZ;

void tsc_init(uint64_t tsc_khz_from_host)
{
    khz = tsc_khz_from_host ? tsc_khz_from_host : TSC_FALLBACK_KHZ;
}

uint64_t tsc_khz(void)
{
    return khz;
}

uint64_t tsc_ticks_to_ns(uint64_t ticks)
{
    /* ticks * 1e6 / khz, split so no intermediate overflows 64 bits (remainder < khz
     * < 2^32, so remainder * 1e6 < 2^52). */
    return (ticks / khz) * 1000000ull + (ticks % khz) * 1000000ull / khz;
}
