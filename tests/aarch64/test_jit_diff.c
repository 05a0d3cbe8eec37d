/* Differential test: random sequences of the A64 integer, branch and system
 * instructions run through the reference interpreter (a64_interp_run) and through the
 * translator + x86-64 JIT (jit_run) from the same random state and memory; exit kind,
 * exit info, every register and memory must end up identical.
 *
 *   test_jit_diff [CASES] [SEED] [MAX_LENGTH]
 *
 * Sequences are straight-line code with forward conditional branches (B.cond, CBZ,
 * TBZ) inside the sequence, ending in BRK; DC ZVA with random addresses exercises
 * precise data aborts. A failure prints the seed, the case and the sequence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"
#include "tests/aarch64/random_insns.h"

#define MEM_SIZE   0x20000
#define CODE_BASE  0x1000
#define DATA_BASE  0x10000
#define MAX_INSNS  64

static uint8_t mem_interp[MEM_SIZE], mem_jit[MEM_SIZE];
static uint8_t mem_initial[MEM_SIZE];

static void random_state(struct a64_state *s)
{
    a64_state_init(s);
    for (unsigned i = 0; i < 31; i++)
        s->X[i] = rnd_operand();
    s->SP = rnd_operand();
    a64_set_nzcv(s, (uint32_t)rnd() & 0xf0000000u);
    s->TPIDR_EL0 = rnd();
    s->PC = CODE_BASE;
}

static bool same_state(const struct a64_state *a, const struct a64_state *b)
{
    return memcmp(a->X, b->X, sizeof(a->X)) == 0 && a->SP == b->SP && a->PC == b->PC &&
           a64_get_nzcv(a) == a64_get_nzcv(b) && a->TPIDR_EL0 == b->TPIDR_EL0 &&
           a->FPCR == b->FPCR && a->FPSR == b->FPSR && a->EXCL_VALID == b->EXCL_VALID &&
           (a->EXCL_VALID == 0 || a->EXCL_ADDR == b->EXCL_ADDR) &&
           memcmp(a->VR, b->VR, sizeof(a->VR)) == 0;
}

static void dump(const char *what, const struct a64_state *s)
{
    printf("  %s: pc=%llx sp=%llx nzcv=%x\n", what, (unsigned long long)s->PC,
           (unsigned long long)s->SP, a64_get_nzcv(s));
    for (unsigned i = 0; i < 31; i++)
        printf("    x%-2u %016llx%s", i, (unsigned long long)s->X[i], i % 3 == 2 ? "\n" : "");
    printf("\n");
}

/* One sequence from one initial state and memory through both engines. */
struct outcome {
    ir_exit_kind exit_interp, exit_jit;
    uint64_t info_interp, info_jit;
    struct a64_state interp, jit;
    bool self_modifying, differs, memory_differs;
};

static void run_case(jit *j, const uint32_t *code, unsigned n, const struct a64_state *initial,
                     struct outcome *o)
{
    const struct jit_memory interp_mem = { mem_interp, MEM_SIZE };
    memcpy(mem_interp, mem_initial, MEM_SIZE);
    memcpy(mem_interp + CODE_BASE, code, (n + 1) * 4);
    memcpy(mem_jit, mem_interp, MEM_SIZE);
    jit_invalidate(j, 0, MEM_SIZE);
    o->interp = *initial;
    o->jit = *initial;
    o->info_interp = o->info_jit = 0;
    uint64_t budget = 10000;
    o->exit_interp = a64_interp_run(&o->interp, &interp_mem, &o->info_interp, &budget);
    o->exit_jit = jit_run(j, &o->jit, &o->info_jit);
    /* DC ZVA onto the sequence itself is self-modifying code, which the hosted JIT
     * leaves to its runner: not a difference between the two engines. */
    o->self_modifying = memcmp(mem_interp + CODE_BASE, code, (n + 1) * 4) != 0;
    o->memory_differs = memcmp(mem_interp, mem_jit, MEM_SIZE) != 0;
    o->differs = !o->self_modifying &&
                 (o->exit_interp != o->exit_jit || o->info_interp != o->info_jit ||
                  !same_state(&o->interp, &o->jit) || o->memory_differs);
}

/* Replaces instructions by NOPs while the difference persists, so that a report
 * shows only the instructions that matter. */
static void minimise(jit *j, uint32_t *code, unsigned n, const struct a64_state *initial)
{
    struct outcome o;
    for (unsigned i = 0; i < n; i++) {
        uint32_t saved = code[i];
        if (saved == 0xd503201fu)
            continue;
        code[i] = 0xd503201fu;
        run_case(j, code, n, initial, &o);
        if (!o.differs)
            code[i] = saved;
    }
}

static void report(jit *j, unsigned c, uint64_t seed, uint32_t *code, unsigned n,
                   const struct a64_state *initial)
{
    minimise(j, code, n, initial);
    struct outcome o;
    run_case(j, code, n, initial, &o);
    printf("case %u (seed %#llx): interp exit %d info %llx, jit exit %d info %llx%s\n", c,
           (unsigned long long)seed, o.exit_interp, (unsigned long long)o.info_interp, o.exit_jit,
           (unsigned long long)o.info_jit, o.memory_differs ? " (memory differs)" : "");
    for (unsigned i = 0; i <= n; i++) {
        if (code[i] == 0xd503201fu)
            continue;
        char text[128];
        a64_disasm(code[i], CODE_BASE + 4 * i, text, sizeof(text));
        printf("  %5x: %08x  %s\n", CODE_BASE + 4 * i, code[i], text);
    }
    dump("initial", initial);
    dump("interp", &o.interp);
    dump("jit", &o.jit);
}

int main(int argc, char **argv)
{
    unsigned cases = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 2000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed;
    unsigned max_len = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : MAX_INSNS;
    if (max_len < 1 || max_len > MAX_INSNS)
        max_len = MAX_INSNS;
    rnd_seed(seed);

    static struct jit_memory jit_mem = { mem_jit, MEM_SIZE };
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state),
        .pc_offset = A64_PC_OFFSET,
        .memory = { mem_jit, MEM_SIZE },
        .translate = a64_translate_block,
        .translate_ctx = &jit_mem,
    };
    jit *j = jit_new(&cfg);
    unsigned failures = 0, self_modifying = 0;

    for (unsigned c = 0; c < cases && failures < 5; c++) {
        uint32_t code[MAX_INSNS + 1];
        unsigned n = 1 + (unsigned)(rnd() % max_len);
        for (unsigned i = 0; i < n; i++)
            code[i] = (rnd() % 8 == 0) ? rnd_forward_branch(i, n) : rnd_plain_insn(false);
        code[n] = 0xd4200000u;                                   /* brk #0 */
        for (size_t k = 0; k < MEM_SIZE; k += 8) {
            uint64_t v = rnd();
            memcpy(mem_initial + k, &v, 8);
        }
        struct a64_state initial;
        random_state(&initial);

        struct outcome o;
        run_case(j, code, n, &initial, &o);
        if (o.self_modifying)
            self_modifying++;
        if (o.differs) {
            failures++;
            report(j, c, seed, code, n, &initial);
        }
    }
    struct jit_stats st;
    jit_get_stats(j, &st);
    jit_free(j);
    printf("test_jit_diff: %u cases, %u failures, %u skipped (self-modifying); %llu blocks, "
           "%llu guest insns translated\n", cases, failures, self_modifying,
           (unsigned long long)st.blocks_translated,
           (unsigned long long)st.guest_insns_translated);
    return failures ? 1 : 0;
}
