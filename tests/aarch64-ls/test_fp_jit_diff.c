/* Differential test of the scalar FP and AdvSIMD FP descriptions: random sequences of FP
 * instructions (arithmetic, fused multiply-add, square root, compares, conditional
 * select, conversions, FRINTX, vector lanes, FABS/FNEG as plain IR, FPSR/FPCR moves) run
 * through the reference interpreter (a64_interp_run) and through the translator + JIT
 * (jit_run) from the same state; every register, NZCV, FPCR and FPSR must agree.
 *
 * Operands mix ordinary numbers with the values that send fp_helpers.c off its fast
 * paths (NaNs, infinities, zeros, subnormals, values next to the underflow threshold),
 * and each case starts from a random FPCR (rounding modes, FZ, DN) and FPSR (clear,
 * IXC, IXC+UFC), so both the host shortcuts and the exact code run in both engines.
 *
 *   test_fp_jit_diff [CASES] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"

#define MEM_SIZE  0x10000
#define CODE_BASE 0x1000
#define MAX_INSNS 12
#define BRK_0     0xd4200000u

static uint8_t mem_interp[MEM_SIZE], mem_jit[MEM_SIZE];

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* An encoding with all register fields 0 and the fields to fill: D Rd, N Rn, M Rm,
 * A Ra (registers 0..7: short dependency chains), C a condition. */
struct form { uint32_t encoding; const char *fields; const char *text; };
static const struct form forms[] = {
    { 0x1e602800, "DNM", "fadd d" },   { 0x1e202800, "DNM", "fadd s" },
    { 0x1e603800, "DNM", "fsub d" },   { 0x1e203800, "DNM", "fsub s" },
    { 0x1e600800, "DNM", "fmul d" },   { 0x1e200800, "DNM", "fmul s" },
    { 0x1e601800, "DNM", "fdiv d" },   { 0x1e201800, "DNM", "fdiv s" },
    { 0x1e608800, "DNM", "fnmul d" },  { 0x1e604800, "DNM", "fmax d" },
    { 0x1e207800, "DNM", "fminnm s" }, { 0x1e61c000, "DN", "fsqrt d" },
    { 0x1e21c000, "DN", "fsqrt s" },   { 0x1e60c000, "DN", "fabs d" },
    { 0x1e214000, "DN", "fneg s" },    { 0x1e604000, "DN", "fmov d" },
    { 0x1f400000, "DNMA", "fmadd d" }, { 0x1f008000, "DNMA", "fmsub s" },
    { 0x1f600000, "DNMA", "fnmadd d" }, { 0x1f208000, "DNMA", "fnmsub s" },
    { 0x1e602000, "NM", "fcmp d" },    { 0x1e202010, "NM", "fcmpe s" },
    { 0x1e600c00, "DNMC", "fcsel d" }, { 0x1e624000, "DN", "fcvt s, d" },
    { 0x1e22c000, "DN", "fcvt d, s" }, { 0x9e620000, "DN", "scvtf d, x" },
    { 0x9e230000, "DN", "ucvtf s, x" }, { 0x1e620000, "DN", "scvtf d, w" },
    { 0x9e780000, "DN", "fcvtzs x, d" }, { 0x1e390000, "DN", "fcvtzu w, s" },
    { 0x1e780000, "DN", "fcvtzs w, d" }, { 0x1e674000, "DN", "frintx d" },
    { 0x4e60d400, "DNM", "fadd .2d" }, { 0x4e20d400, "DNM", "fadd .4s" },
    { 0x0e20d400, "DNM", "fadd .2s" }, { 0x4ee0d400, "DNM", "fsub .2d" },
    { 0x6e60dc00, "DNM", "fmul .2d" }, { 0x6e20dc00, "DNM", "fmul .4s" },
    { 0x6e60fc00, "DNM", "fdiv .2d" }, { 0x2e20fc00, "DNM", "fdiv .2s" },
    { 0x4e60cc00, "DNM", "fmla .2d" }, { 0x4e20cc00, "DNM", "fmla .4s" },
    { 0x4ee0cc00, "DNM", "fmls .2d" }, { 0x0ea0cc00, "DNM", "fmls .2s" },
    { 0x6e20d400, "DNM", "faddp .4s" }, { 0x4e60f400, "DNM", "fmax .2d" },
    { 0x4ee0f800, "DN", "fabs .2d" },  { 0x6ea0f800, "DN", "fneg .4s" },
    { 0x2ea0f800, "DN", "fneg .2s" },  { 0x6ee1f800, "DN", "fsqrt .2d" },
    { 0x4e61d800, "DN", "scvtf .2d" }, { 0x4ea1b800, "DN", "fcvtzs .4s" },
    { 0x6ee0e400, "DNM", "fcmgt .2d" },
    { 0xd53b4420, "D", "mrs x, fpsr" }, { 0xd51b4420, "D", "msr fpsr, x" },
    { 0xd53b4400, "D", "mrs x, fpcr" },
};
#define FORM_COUNT (sizeof(forms) / sizeof(forms[0]))

static uint32_t random_insn(void)
{
    const struct form *f = &forms[rnd() % FORM_COUNT];
    uint32_t insn = f->encoding;
    for (const char *p = f->fields; *p; p++) {
        uint32_t r = (uint32_t)(rnd() % 8);
        switch (*p) {
        case 'D': insn |= r; break;
        case 'N': insn |= r << 5; break;
        case 'M': insn |= r << 16; break;
        case 'A': insn |= r << 10; break;
        case 'C': insn |= (uint32_t)(rnd() % 16) << 12; break;
        }
    }
    return insn;
}

static uint64_t random_double(void)
{
    static const uint64_t special[] = {
        0x7ff8000000000001, 0x7ff0000000000002, 0xfff0000000000000, 0x8000000000000000,
        0x0000000000000001, 0x0010000000000000, 0x1ff0000000000001, 0x3fefffffffffffff,
        0x000fffffffffffff, 0x7fefffffffffffff, 0x43e0000000000000, 0x3ff0000000000000,
    };
    uint64_t r = rnd();
    if (r % 4 == 0)
        return special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
    return (r >> 63) << 63 | ((0x3c0 + (r >> 16) % 128) << 52) | (rnd() & 0xfffffffffffffull);
}

static uint32_t random_single(void)
{
    static const uint32_t special[] = {
        0x7fc00001, 0x7f800002, 0xff800000, 0x80000000, 0x00000001, 0x00800000,
        0x1f800001, 0x3f7fffff, 0x007fffff, 0x7f7fffff, 0x4f000000, 0x3f800000,
    };
    uint64_t r = rnd();
    if (r % 4 == 0)
        return special[(r >> 8) % (sizeof(special) / sizeof(special[0]))];
    return (uint32_t)((r >> 63) << 31 | ((0x60 + (r >> 16) % 64) << 23) | (rnd() & 0x7fffff));
}

static uint64_t random_half(void)
{
    if (rnd() % 2)
        return random_double();
    return (uint64_t)random_single() << 32 | random_single();
}

static void random_state(struct a64_state *s)
{
    static const uint32_t fpcrs[] = {
        0, 0, 0, 1u << 22, 2u << 22, 3u << 22, 1u << 24, 1u << 25, (1u << 24) | (1u << 25),
    };
    static const uint32_t fpsrs[] = { 0, 0x10, 0x18, 0x1f, 0x9f };
    a64_state_init(s);
    for (unsigned i = 0; i < 31; i++)
        s->X[i] = rnd() >> (rnd() % 64) ^ (rnd() % 3 == 0 ? ~0ull : 0);
    for (unsigned i = 0; i < 32; i++) {
        uint64_t v[2] = { random_half(), random_half() };
        a64_set_v(s, i, v);
    }
    a64_set_nzcv(s, (uint32_t)rnd() & 0xf0000000u);
    a64_set_fpcr(s, fpcrs[rnd() % (sizeof(fpcrs) / sizeof(fpcrs[0]))]);
    a64_set_fpsr(s, fpsrs[rnd() % (sizeof(fpsrs) / sizeof(fpsrs[0]))]);
    s->PC = CODE_BASE;
}

static bool same_state(const struct a64_state *a, const struct a64_state *b)
{
    return memcmp(a->X, b->X, sizeof(a->X)) == 0 && a->SP == b->SP && a->PC == b->PC &&
           a64_get_nzcv(a) == a64_get_nzcv(b) && a64_get_fpcr(a) == a64_get_fpcr(b) &&
           a64_get_fpsr(a) == a64_get_fpsr(b) && memcmp(a->VR, b->VR, sizeof(a->VR)) == 0;
}

static void dump(const char *what, const struct a64_state *s)
{
    printf("  %s: nzcv=%x fpcr=%x fpsr=%x\n", what, a64_get_nzcv(s), a64_get_fpcr(s), a64_get_fpsr(s));
    for (unsigned i = 0; i < 8; i++) {
        uint64_t v[2];
        a64_get_v(s, i, v);
        printf("    v%u %016llx:%016llx  x%u %016llx\n", i, (unsigned long long)v[1],
               (unsigned long long)v[0], i, (unsigned long long)s->X[i]);
    }
}

int main(int argc, char **argv)
{
    unsigned cases = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 10000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed0f9u;
    rng_state = seed | 1;

    static struct jit_memory jit_mem = { .host_base = mem_jit, .guest_limit = MEM_SIZE };
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state),
        .pc_offset = A64_PC_OFFSET,
        .memory = { mem_jit, MEM_SIZE },
        .translate = a64_translate_block, .flags = a64_jit_flags(),
        .translate_ctx = &jit_mem,
    };
    jit *j = jit_new(&cfg);
    if (!j) {
        fprintf(stderr, "jit_new failed\n");
        return 1;
    }
    const struct jit_memory interp_mem = { .host_base = mem_interp, .guest_limit = MEM_SIZE };
    unsigned failures = 0;
    for (unsigned c = 0; c < cases && failures < 5; c++) {
        uint32_t code[MAX_INSNS + 1];
        unsigned n = 1 + (unsigned)(rnd() % MAX_INSNS);
        for (unsigned i = 0; i < n; i++)
            code[i] = random_insn();
        code[n] = BRK_0;
        memset(mem_interp, 0, MEM_SIZE);
        memcpy(mem_interp + CODE_BASE, code, (n + 1) * 4);
        memcpy(mem_jit, mem_interp, MEM_SIZE);
        jit_invalidate(j, 0, MEM_SIZE);

        struct a64_state initial, interp, jitted;
        random_state(&initial);
        interp = initial;
        jitted = initial;
        uint64_t info_interp = 0, info_jit = 0, budget = 1000;
        ir_exit_kind exit_interp = a64_interp_run(&interp, &interp_mem, &info_interp, &budget);
        ir_exit_kind exit_jit = jit_run(j, &jitted, &info_jit);
        if (exit_interp != IR_EXIT_BREAKPOINT || exit_jit != exit_interp || info_jit != info_interp ||
            !same_state(&interp, &jitted)) {
            failures++;
            printf("case %u (seed %#llx): interp exit %d, jit exit %d\n", c, (unsigned long long)seed,
                   exit_interp, exit_jit);
            for (unsigned i = 0; i <= n; i++) {
                char text[128];
                a64_disasm(code[i], CODE_BASE + 4 * i, text, sizeof text);
                printf("  %08x  %s\n", code[i], text);
            }
            dump("initial", &initial);
            dump("interp", &interp);
            dump("jit", &jitted);
        }
    }
    jit_free(j);
    printf("fp jit diff: %u cases, %u differences\n", cases, failures);
    return failures ? 1 : 0;
}
