/* Random A64 instruction streams for the differential tests (interpreter vs JIT,
 * interpreter vs qemu-aarch64): integer data processing, conditional and system
 * instructions of the described groups, and forward conditional branches. */
#ifndef FERRY_TESTS_A64_RANDOM_INSNS_H
#define FERRY_TESTS_A64_RANDOM_INSNS_H

#include <stdbool.h>
#include <stdint.h>

void     rnd_seed(uint64_t seed);
uint64_t rnd(void);
/* A register value biased towards the edges where flag and overflow bugs live. */
uint64_t rnd_operand(void);

/* A random described instruction that neither branches nor leaves the block.
 * portable: leave out what differs legitimately between CPUs or needs valid memory
 * (DC ZVA, ID/cache-type register reads, FPCR/FPSR writes, PAuth/BTI/WFx hints). */
uint32_t rnd_plain_insn(bool portable);
/* B.cond, CBZ/CBNZ or TBZ/TBNZ from index i of an n-instruction sequence to a later
 * index (n at most: just past the sequence). */
uint32_t rnd_forward_branch(unsigned i, unsigned n);

#endif
