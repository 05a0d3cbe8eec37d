/* `ferry selftest --crash[=kind]`: a deliberate engine failure a few calls deep, so the
 * fatal report shows a real backtrace (selftest_crash -> crash_outer -> crash_middle ->
 * crash_inner). The functions are never inlined and each does work after its call, so
 * the compiler cannot turn the calls into jumps that would hide frames. */
#include "selftest.h"
#include <ferry/abi.h>
#include <ferry/support.h>
#include "fatal.h"

/* Canonical, in the lower half (which the engine never maps): a guaranteed #PF. */
#define WILD_POINTER 0x00000badc0de0000ull

static volatile uint64_t crash_sink;

/* Far deeper than any engine stack; volatile, so the compiler cannot see that the
 * recursion below never reaches it. */
static volatile uint64_t recursion_limit = 1ull << 40;

/* Recurses until the stack runs into its guard page. The array makes each frame
 * large so that takes few calls; `volatile` keeps it. */
static __attribute__((noinline)) uint64_t crash_recurse(uint64_t depth)
{
    volatile uint64_t frame[64];
    frame[depth % 64] = depth;
    if (depth >= recursion_limit)
        return depth;
    uint64_t below = crash_recurse(depth + 1);
    return below + frame[depth % 64];
}

static __attribute__((noinline)) uint64_t crash_inner(uint64_t flags)
{
    if (flags & FERRY_BOOT_CRASH_UD)
        __asm__ volatile("ud2");
    if (flags & FERRY_BOOT_CRASH_PANIC)
        fy_panic("deliberate panic (selftest --crash=panic), flags 0x%lx", (unsigned long)flags);
    if (flags & FERRY_BOOT_CRASH_STACK)
        return crash_recurse(0) + 1;
    if (flags & FERRY_BOOT_CRASH_NESTED)
        fatal_inject_nested_fault();
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
