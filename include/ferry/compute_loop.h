/* The compute loop that `ferry selftest` runs both inside the engine and in the host
 * process to compare their speed. It is one asm block, so both sides execute the same
 * machine code (same instructions, same loop alignment) whatever the compiler flags;
 * only register names may differ. Compiles hosted and freestanding (no SSE, no libc). */
#ifndef FERRY_COMPUTE_LOOP_H
#define FERRY_COMPUTE_LOOP_H

#include <stdint.h>

/* Runs `iterations` rounds of a serial integer dependency chain (multiply, add,
 * rotate: about 5 cycles, 1-2 ns, per round) and returns the final value, which
 * depends on every round, so the loop cannot be optimised away. 0 iterations returns
 * the seed. */
static inline uint64_t ferry_compute_loop(uint64_t iterations)
{
    uint64_t value = 0x9e3779b97f4a7c15ull;
    uint64_t remaining = iterations;
    const uint64_t multiplier = 0x5851f42d4c957f2dull; /* odd: the map stays a bijection */
    const uint64_t increment = 0x14057b7ef767814full;
    if (remaining == 0)
        return value;
    /* 32-byte alignment of the loop head keeps the two copies comparable: code
     * placement, not the environment, would otherwise decide some of the ratio. */
    __asm__ volatile(
        "jmp 2f\n\t"
        ".p2align 5\n"
        "2:\n\t"
        "imul %[mul], %[value]\n\t"
        "add %[inc], %[value]\n\t"
        "rol $17, %[value]\n\t"
        "dec %[remaining]\n\t"
        "jnz 2b\n\t"
        : [value] "+r"(value), [remaining] "+r"(remaining)
        : [mul] "r"(multiplier), [inc] "r"(increment)
        : "cc");
    return value;
}

#endif
