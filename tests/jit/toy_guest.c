/* The toy guest harness shared by the JIT tests (see toy_guest.h). */
#include "toy_guest.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static bool toy_translate(void *ctx, ir_block *b, uint64_t pc, uint64_t modes)
{
    struct toy *t = ctx;
    t->translations++;
    t->build(t, b, pc);
    return true;
}

struct toy *toy_new(toy_builder build, void *user, size_t code_cache)
{
    struct toy *t = calloc(1, sizeof(*t));
    t->mem = mmap(NULL, TOY_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    t->build = build;
    t->user = user;
    struct jit_config cfg = {
        .state_size = sizeof(struct toy_state),
        .pc_offset = OFF_PC,
        .memory = { .host_base = t->mem, .guest_limit = TOY_MEM_SIZE },
        .translate = toy_translate,
        .translate_ctx = t,
        .code_cache_size = code_cache,
    };
    t->j = jit_new(&cfg);
    return t;
}

void toy_free(struct toy *t)
{
    jit_free(t->j);
    munmap(t->mem, TOY_MEM_SIZE);
    free(t);
}

ir_exit_kind toy_run(struct toy *t, struct toy_state *s, uint64_t pc, uint64_t *info)
{
    s->pc = pc;
    return jit_run(t->j, s, info);
}

uint64_t toy_rand(uint64_t *seed)
{
    uint64_t x = *seed += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t toy_rand_edge(uint64_t *seed)
{
    static const uint64_t edges[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u,
        0xffffffffu, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0xffffffffffffffffull, 0xfffffffffffffffeull, 31, 32, 63, 64, 65,
    };
    uint64_t r = toy_rand(seed);
    if ((r & 3) == 0) return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
    if ((r & 3) == 1) return toy_rand(seed) & 0xff;
    return toy_rand(seed);
}
