/* Differential test: random sequences of the A64 integer, branch and system
 * instructions run through the reference interpreter (a64_interp_run) and through the
 * translator + x86-64 JIT (jit_run) from the same random state and memory; exit kind,
 * exit info, every register and memory must end up identical.
 *
 *   test_jit_diff [CASES] [SEED] [MAX_LENGTH]
 *
 * Sequences are straight-line code with forward conditional branches (B.cond, CBZ,
 * TBZ) inside the sequence, ending in BRK; DC ZVA with random addresses exercises
 * precise data aborts. A failure prints the seed, the case and the sequence.
 *
 *   test_jit_diff CASES SEED MAX_LENGTH loops
 *
 * makes every sequence a self-loop instead (the JIT's loop translations, lazy flags
 * and loop-constant registers): an EOR that reads the constant the last iteration
 * left in x26, a random straight-line body (whose conditional selects, compares and
 * add-with-carry read the previous iteration's flags), a post-indexed load that runs
 * off the end of memory after 1..64 iterations (a fault while those flags are still
 * lazy; it also bounds the loop), MOVZ of that constant, a flag-setting SUBS/ADDS/ANDS
 * form and a B.cond back to the start. */
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
static bool loop_mode;

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
    const struct jit_memory interp_mem = { .host_base = mem_interp, .guest_limit = MEM_SIZE };
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
    /* a loop keeps its scaffolding (its first and last four instructions): without the
     * probe load it never ends */
    for (unsigned i = loop_mode ? 1 : 0; i < (loop_mode ? n - 4 : n); i++) {
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

/* Registers the loop scaffolding owns: the random body leaves them alone. */
enum { LOOP_SUM = 24, LOOP_PROBE = 25, LOOP_CONST = 26, LOOP_PTR = 27 };

static bool is_loop_reg(unsigned r)
{
    return r == LOOP_SUM || r == LOOP_PROBE || r == LOOP_CONST || r == LOOP_PTR;
}

static bool uses_loop_regs(uint32_t insn)
{
    for (unsigned shift = 0; shift <= 15; shift += 5)
        if (is_loop_reg((insn >> shift) & 31))
            return true;
    return false;
}

static unsigned rnd_reg(void)
{
    for (;;) {
        unsigned r = (unsigned)(rnd() % 31);
        if (!is_loop_reg(r))
            return r;
    }
}

/* The flag-setting instruction that closes a loop: the forms the lazy flags know
 * (64- and 32-bit SUBS, CMP, ADDS, CMN, ANDS, TST; register or immediate). */
static uint32_t rnd_loop_flag_insn(void)
{
    unsigned a = rnd_reg(), b = rnd_reg(), imm = (unsigned)(rnd() % 4096);
    switch (rnd() % 11) {
    case 9: return 0xf100001fu | a << 5;                           /* cmp xA, #0 */
    case 10: return 0x7100001fu | a << 5;                          /* cmp wA, #0 */
    case 0: return 0xeb000000u | b << 16 | a << 5 | 31;            /* cmp xA, xB */
    case 1: return 0x71000000u | imm << 10 | a << 5 | 31;          /* cmp wA, #imm */
    case 2: return 0xf1000400u | a << 5 | a;                       /* subs xA, xA, #1 */
    case 3: return 0x71000c00u | a << 5 | a;                       /* subs wA, wA, #3 */
    case 4: return 0x2b000000u | b << 16 | a << 5 | a;             /* adds wA, wA, wB */
    case 5: return 0xb1000000u | imm << 10 | a << 5 | 31;          /* cmn xA, #imm */
    case 6: return 0xea000000u | b << 16 | a << 5 | 31;            /* tst xA, xB */
    case 7: return 0x72001c00u | a << 5 | a;                       /* ands wA, wA, #0xff */
    default: return 0xab000000u | b << 16 | a << 5 | a;            /* adds xA, xA, xB */
    }
}

/* A self-loop of body + 5 instructions (see the header); returns that length. */
static unsigned make_loop(uint32_t *code, unsigned body)
{
    unsigned n = 0;
    /* reads the constant the previous iteration left in x26 (a loop-constant register) */
    code[n++] = 0xca000000u | LOOP_CONST << 16 | LOOP_SUM << 5 | LOOP_SUM;   /* eor x24, x24, x26 */
    for (unsigned i = 0; i < body; i++) {
        uint32_t insn;
        do {
            insn = rnd_plain_insn(false);
        } while (uses_loop_regs(insn));
        code[n++] = insn;
    }
    code[n++] = 0xf8408400u | LOOP_PTR << 5 | LOOP_PROBE;         /* ldr x25, [x27], #8 */
    code[n++] = 0xd2800000u | (uint32_t)(rnd() & 0xffff) << 5 | LOOP_CONST;   /* movz x26, #imm */
    code[n++] = rnd_loop_flag_insn();
    code[n] = 0x54000000u | ((0u - n) & 0x7ffff) << 5 | (uint32_t)(rnd() % 16);   /* b.cond start */
    n++;
    return n;
}

int main(int argc, char **argv)
{
    unsigned cases = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 2000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed;
    unsigned max_len = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : MAX_INSNS;
    bool loops = loop_mode = argc > 4 && strcmp(argv[4], "loops") == 0;
    if (max_len < 1 || max_len > MAX_INSNS - 8)
        max_len = MAX_INSNS - 8;
    rnd_seed(seed);

    static struct jit_memory jit_mem = { .host_base = mem_jit, .guest_limit = MEM_SIZE };
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state),
        .pc_offset = A64_PC_OFFSET,
        .memory = { mem_jit, MEM_SIZE },
        .translate = a64_translate_block, .flags = a64_jit_flags(),
        .translate_ctx = &jit_mem,
    };
    jit *j = jit_new(&cfg);
    unsigned failures = 0, self_modifying = 0;

    for (unsigned c = 0; c < cases && failures < 5; c++) {
        uint32_t code[MAX_INSNS + 1];
        unsigned n = 1 + (unsigned)(rnd() % max_len);
        if (loops) {
            n = make_loop(code, n - 1);
        } else {
            for (unsigned i = 0; i < n; i++)
                code[i] = (rnd() % 8 == 0) ? rnd_forward_branch(i, n) : rnd_plain_insn(false);
        }
        code[n] = 0xd4200000u;                                   /* brk #0 */
        for (size_t k = 0; k < MEM_SIZE; k += 8) {
            uint64_t v = rnd();
            memcpy(mem_initial + k, &v, 8);
        }
        struct a64_state initial;
        random_state(&initial);
        if (loops) {
            /* the probe load faults in iteration 1..64 unless B.cond leaves first */
            initial.X[LOOP_PTR] = MEM_SIZE - 8 * (rnd() % 64);
        }

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
    printf("test_jit_diff: %u cases%s, %u failures, %u skipped (self-modifying); %llu blocks, "
           "%llu guest insns translated, %llu loops with lazy flags\n", cases, loops ? " (loops)" : "",
           failures, self_modifying, (unsigned long long)st.blocks_translated,
           (unsigned long long)st.guest_insns_translated, (unsigned long long)st.lazy_flag_loops);
    /* the loop cases are there for the lazy flags: most short loops must get them */
    if (loops && st.lazy_flag_loops < cases / 4) {
        printf("test_jit_diff: only %llu of %u loops used lazy flags\n",
               (unsigned long long)st.lazy_flag_loops, cases);
        return 1;
    }
    return failures ? 1 : 0;
}
