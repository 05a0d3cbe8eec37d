/* A tiny fake guest for the JIT tests: a state struct (32 64-bit registers, PC, four
 * 1-byte flags, two 128-bit registers) and a "front end" that builds the block at a PC
 * by calling a test-supplied function, plus a JIT with a small guest memory. */
#ifndef FERRY_TESTS_JIT_TOY_GUEST_H
#define FERRY_TESTS_JIT_TOY_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "jit/ir/ir.h"
#include "jit/jit.h"

struct toy_state {
    uint64_t x[32];
    uint64_t pc;
    uint8_t n, z, c, v;
    uint32_t pad;
    uint64_t q[2][2];      /* two 128-bit registers, low half first */
};

#define OFF_X(i)  ((uint32_t)(offsetof(struct toy_state, x) + 8 * (i)))
#define OFF_PC    ((uint32_t)offsetof(struct toy_state, pc))
#define OFF_N     ((uint32_t)offsetof(struct toy_state, n))
#define OFF_Z     ((uint32_t)offsetof(struct toy_state, z))
#define OFF_C     ((uint32_t)offsetof(struct toy_state, c))
#define OFF_V     ((uint32_t)offsetof(struct toy_state, v))
#define OFF_Q(i)  ((uint32_t)(offsetof(struct toy_state, q) + 16 * (i)))

#define TOY_MEM_SIZE 65536u

struct toy;
/* Builds the block at pc; the harness has already reset b and set the PC offset. */
typedef void (*toy_builder)(struct toy *t, ir_block *b, uint64_t pc);

struct toy {
    jit *j;
    uint8_t *mem;
    toy_builder build;
    void *user;            /* test data for the builder */
    unsigned translations;
};

/* Creates a JIT over TOY_MEM_SIZE bytes of guest memory; code_cache 0 = default. */
struct toy *toy_new(toy_builder build, void *user, size_t code_cache);
void toy_free(struct toy *t);
/* Runs from pc until a non-JUMP exit. */
ir_exit_kind toy_run(struct toy *t, struct toy_state *s, uint64_t pc, uint64_t *info);

/* Deterministic pseudo-random numbers with extra weight on edge cases. */
uint64_t toy_rand(uint64_t *seed);
uint64_t toy_rand_edge(uint64_t *seed);

#endif
