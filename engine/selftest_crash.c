/* `ferry selftest --crash`: a deliberate engine fault a few calls deep, so the fatal
 * report shows a real backtrace (selftest_crash -> crash_outer -> crash_middle ->
 * crash_inner). The functions are never inlined and each does work after its call, so
 * the compiler cannot turn the calls into jumps that would hide frames. */
#include "selftest.h"
#include <ferry/abi.h>

/* Canonical, in the lower half (which the engine never maps): a guaranteed #PF. */
#define WILD_POINTER 0x00000badc0de0000ull

static volatile uint64_t crash_sink;

static __attribute__((noinline)) uint64_t crash_inner(uint64_t flags)
{
    if (flags & FERRY_BOOT_CRASH_UD)
        __asm__ volatile("ud2");
    volatile uint64_t *wild = (volatile uint64_t *)(uintptr_t)WILD_POINTER;
    return *wild + flags;
}

static __attribute__((noinline)) uint64_t crash_middle(uint64_t flags)
{
    uint64_t v = crash_inner(flags);
    crash_sink = v;
    return v + 1;
}

static __attribute__((noinline)) uint64_t crash_outer(uint64_t flags)
{
    uint64_t v = crash_middle(flags);
    crash_sink = v;
    return v + 1;
}

void selftest_crash(uint64_t boot_flags)
{
    crash_sink = crash_outer(boot_flags);
}
