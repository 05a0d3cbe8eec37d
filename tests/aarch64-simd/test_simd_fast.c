/* Tests of the AdvSIMD specialisations in arch/aarch64/simd_fast.adl and their C helpers
 * (simd_fast_helpers.c): every specialised encoding (each Q, lane size and shift, with
 * varied registers including Rd == Rn / Rm) must decode to its specialised instruction
 * and, run through the generated interpreter and through the JIT from random vector
 * registers, leave exactly the state that the generic lane helper of fp_helpers.c
 * computes for the same form (the behaviour of the generic description). The helpers
 * are also compared directly with the generic ones on many more inputs.
 * Inputs are biased towards the bytes that break approximate SWAR formulas (0x00,
 * 0x01, 0x7f, 0x80, 0xff, equal bytes in both operands). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"
#include "arch/aarch64/fp_helpers.h"
#include "arch/aarch64/simd_fast_helpers.h"

typedef unsigned __int128 u128;

#define MEM_SIZE   0x4000
#define CODE_ADDR  0x1000
#define BRK_0      0xd4200000u
#define STATES_PER_ENCODING 64
#define DIRECT_CASES 20000

static uint8_t mem_interp[MEM_SIZE], mem_jit[MEM_SIZE];
static const struct jit_memory interp_memory = { .host_base = mem_interp, .guest_limit = MEM_SIZE };
static struct jit_memory jit_memory_ctx = { .host_base = mem_jit, .guest_limit = MEM_SIZE };
static jit *the_jit;

/* ---- random inputs --------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint8_t special_byte(void)
{
    static const uint8_t specials[] = { 0x00, 0x00, 0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff };
    uint64_t r = rnd();
    if (r % 3 == 0) return (uint8_t)(r >> 8);
    return specials[(r >> 8) % sizeof specials];
}

static u128 rnd_vector(void)
{
    uint64_t kind = rnd() % 4;
    if (kind == 0) return ((u128)rnd() << 64) | rnd();
    u128 v = 0;
    for (unsigned i = 0; i < 16; i++) v |= (u128)special_byte() << (8 * i);
    return v;
}

/* b: a copy of a with some bytes changed a little (equal, one more, one less) or
 * replaced; so that compares see equal and neighbouring values. */
static u128 rnd_related(u128 a)
{
    u128 b = a;
    for (unsigned i = 0; i < 16; i++) {
        uint64_t r = rnd() % 6;
        uint8_t byte = (uint8_t)(a >> (8 * i));
        if (r == 0) byte = (uint8_t)(byte + 1);
        else if (r == 1) byte = (uint8_t)(byte - 1);
        else if (r == 2) byte = special_byte();
        else if (r == 3) byte = (uint8_t)rnd();
        b = (b & ~((u128)0xff << (8 * i))) | ((u128)byte << (8 * i));
    }
    return b;
}

static u128 get_v(const struct a64_state *s, unsigned n)
{
    uint64_t h[2];
    a64_get_v(s, n, h);
    return ((u128)h[1] << 64) | h[0];
}

static void set_v(struct a64_state *s, unsigned n, u128 v)
{
    uint64_t h[2] = { (uint64_t)v, (uint64_t)(v >> 64) };
    a64_set_v(s, n, h);
}

/* ---- the forms ----------------------------------------------------------------------------
 * One entry per specialised encoding: its word and the generic helper's result for the
 * form (which computes Vd from Vn, Vm and the old Vd). */

enum form { CMEQ, CMHS, CMEQ0, UMAXP, UMINP, ADDP, SHRN, USHLL, SHLL, SHL, LOGIC8B };

struct variant {
    enum form form;
    unsigned q, size, shift;     /* LOGIC8B: size = U << 2 | opc2 */
};

static const char *const form_insn_name[] = {
    [CMEQ] = "SF_CMEQ_bytes", [CMHS] = "SF_CMHS_bytes", [CMEQ0] = "SF_CMEQ_zero_bytes",
    [UMAXP] = "SF_UMAXP_16b", [UMINP] = "SF_UMINP_16b", [ADDP] = "SF_ADDP_16b",
    [SHRN] = "SF_SHRN_halfwords", [USHLL] = "SF_USHLL_bytes",     /* size 1: _halfwords */ [SHLL] = "SF_SHLL_narrow",
    [SHL] = "SF_SHL_q", [LOGIC8B] = "SF_logic_8b",
};

static uint32_t generic_code(uint32_t size, uint32_t opcode, uint32_t u, uint32_t q)
{
    return size | opcode << 2 | u << 7 | q << 8;
}

static uint32_t encode(const struct variant *v, unsigned rd, unsigned rn, unsigned rm)
{
    uint32_t regs = (uint32_t)rd | (uint32_t)rn << 5, q = (uint32_t)v->q << 30;
    uint32_t esize = 8u << v->size;
    switch (v->form) {
    case CMEQ: return 0x2e208c00u | q | (uint32_t)rm << 16 | regs;
    case CMHS: return 0x2e203c00u | q | (uint32_t)rm << 16 | regs;
    case CMEQ0: return 0x0e209800u | q | regs;
    case UMAXP: return 0x6e20a400u | (uint32_t)rm << 16 | regs;
    case UMINP: return 0x6e20ac00u | (uint32_t)rm << 16 | regs;
    case ADDP: return 0x4e20bc00u | (uint32_t)rm << 16 | regs;
    case SHRN: return 0x0f008400u | q | (2 * 8 - v->shift) << 16 | regs;       /* esize 8 */
    case USHLL: return 0x2f00a400u | q | (esize + v->shift) << 16 | regs;
    case SHLL: return 0x2e213800u | q | (uint32_t)v->size << 22 | regs;
    case SHL: return 0x4f005400u | (esize + v->shift) << 16 | regs;
    case LOGIC8B: return 0x0e201c00u | (uint32_t)(v->size >> 2) << 29 | (uint32_t)(v->size & 3) << 22 |
                         (uint32_t)rm << 16 | regs;
    }
    return 0;
}

static u128 generic_result(struct a64_state *s, const struct variant *v, u128 n, u128 m, u128 d)
{
    uint32_t q = v->q;
    switch (v->form) {
    case CMEQ: return a64_simd_3same(s, n, m, generic_code(0, 17, 1, q));
    case CMHS: return a64_simd_3same(s, n, m, generic_code(0, 7, 1, q));
    case CMEQ0: return a64_simd_2misc(s, n, generic_code(0, 9, 0, q));
    case UMAXP: return a64_simd_3same(s, n, m, generic_code(0, 20, 1, 1));
    case UMINP: return a64_simd_3same(s, n, m, generic_code(0, 21, 1, 1));
    case ADDP: return a64_simd_3same(s, n, m, generic_code(0, 23, 0, 1));
    case SHRN: {
        uint64_t narrow = a64_simd_shift_narrow(s, n, generic_code(0, 16, 0, q), v->shift);
        return q ? ((u128)narrow << 64) | (uint64_t)d : (u128)narrow;
    }
    case USHLL: return a64_simd_shift(s, n, generic_code(v->size, 20, 1, q), v->shift);
    case SHLL: return a64_simd_shift(s, n, generic_code(v->size, 20, 1, q), 8u << v->size);
    case SHL: return a64_simd_shift(s, n, generic_code(v->size, 10, 0, 1), v->shift);
    case LOGIC8B: {
        /* what fpsimd.adl's SIMD_logic computes, written out in C */
        uint64_t a = (uint64_t)n, b = (uint64_t)m, c = (uint64_t)d;
        switch (v->size) {
        case 0: return a & b;
        case 1: return a & ~b;
        case 2: return a | b;
        case 3: return a | ~b;
        case 4: return a ^ b;
        case 5: return (a & c) | (b & ~c);
        case 6: return (a & b) | (c & ~b);
        default: return (a & ~b) | (c & b);
        }
    }
    }
    return 0;
}

/* ---- running one instruction ------------------------------------------------------------- */

static void place_code(uint32_t insn)
{
    uint32_t code[2] = { insn, BRK_0 };
    memcpy(mem_interp + CODE_ADDR, code, sizeof code);
    memcpy(mem_jit + CODE_ADDR, code, sizeof code);
    jit_invalidate(the_jit, CODE_ADDR, sizeof code);
}

static void print_vector(const char *what, u128 v)
{
    printf("  %s %016llx:%016llx\n", what, (unsigned long long)(uint64_t)(v >> 64),
           (unsigned long long)(uint64_t)v);
}

/* Runs the placed instruction from a random state through both engines; every vector
 * register must match the generic result in Vd and stay unchanged elsewhere. */
static bool check_one_state(const struct variant *v, uint32_t insn, unsigned rd, unsigned rn, unsigned rm)
{
    struct a64_state initial;
    a64_state_init(&initial);
    for (unsigned i = 0; i < 32; i++) set_v(&initial, i, rnd_vector());
    if (rnd() % 2) set_v(&initial, rm, rnd_related(get_v(&initial, rn)));
    a64_set_pc(&initial, CODE_ADDR);

    struct a64_state reference = initial;
    u128 expected = generic_result(&reference, v, get_v(&initial, rn), get_v(&initial, rm),
                                   get_v(&initial, rd));
    set_v(&reference, rd, expected);

    struct a64_state by_interp = initial, by_jit = initial;
    uint64_t info = 0, budget = 10;
    ir_exit_kind ek = a64_interp_run(&by_interp, &interp_memory, &info, &budget);
    ir_exit_kind jk = jit_run(the_jit, &by_jit, &info);
    bool ok = ek == IR_EXIT_BREAKPOINT && jk == IR_EXIT_BREAKPOINT;
    for (unsigned i = 0; i < 32 && ok; i++)
        ok = get_v(&by_interp, i) == get_v(&reference, i) && get_v(&by_jit, i) == get_v(&reference, i);
    if (!ok) {
        char text[96];
        a64_disasm(insn, CODE_ADDR, text, sizeof text);
        printf("mismatch: %08x %s (exits %d %d)\n", insn, text, ek, jk);
        print_vector("vn      ", get_v(&initial, rn));
        print_vector("vm      ", get_v(&initial, rm));
        print_vector("vd      ", get_v(&initial, rd));
        print_vector("generic ", expected);
        print_vector("interp  ", get_v(&by_interp, rd));
        print_vector("jit     ", get_v(&by_jit, rd));
    }
    return ok;
}

static unsigned encodings_checked;

static void check_variant(const struct variant *v)
{
    /* distinct registers, then the aliasing cases */
    static const unsigned regs[][3] = { { 1, 2, 3 }, { 31, 0, 17 }, { 5, 5, 6 }, { 7, 8, 7 }, { 9, 9, 9 }, { 0, 30, 31 } };
    for (size_t r = 0; r < sizeof regs / sizeof regs[0]; r++) {
        unsigned rd = regs[r][0], rn = regs[r][1], rm = regs[r][2];
        uint32_t insn = encode(v, rd, rn, rm);
        struct a64_decoded d;
        assert_true(a64_decode(insn, &d));
        const char *want = v->form == USHLL && v->size == 1 ? "SF_USHLL_halfwords" : form_insn_name[v->form];
        if (strcmp(a64_insn_name(d.id), want) != 0) {
            printf("%08x decodes as %s, not %s\n", insn, a64_insn_name(d.id), want);
            fail();
        }
        place_code(insn);
        for (unsigned k = 0; k < STATES_PER_ENCODING; k++)
            if (!check_one_state(v, insn, rd, rn, rm)) fail();
        encodings_checked++;
    }
}

static void test_byte_compares(void **unused)
{
    (void)unused;
    for (unsigned q = 0; q < 2; q++) {
        check_variant(&(struct variant){ CMEQ, q, 0, 0 });
        check_variant(&(struct variant){ CMHS, q, 0, 0 });
        check_variant(&(struct variant){ CMEQ0, q, 0, 0 });
    }
}

static void test_logic_8b(void **unused)
{
    (void)unused;
    for (unsigned op = 0; op < 8; op++)
        check_variant(&(struct variant){ LOGIC8B, 0, op, 0 });
}

static void test_pairwise(void **unused)
{
    (void)unused;
    check_variant(&(struct variant){ UMAXP, 1, 0, 0 });
    check_variant(&(struct variant){ UMINP, 1, 0, 0 });
    check_variant(&(struct variant){ ADDP, 1, 0, 0 });
}

static void test_shifts(void **unused)
{
    (void)unused;
    for (unsigned q = 0; q < 2; q++) {
        for (unsigned shift = 1; shift <= 8; shift++)
            check_variant(&(struct variant){ SHRN, q, 0, shift });
        for (unsigned size = 0; size < 2; size++) {
            for (unsigned shift = 0; shift < (8u << size); shift++)
                check_variant(&(struct variant){ USHLL, q, size, shift });
            check_variant(&(struct variant){ SHLL, q, size, 0 });
        }
    }
    for (unsigned size = 0; size < 4; size++)
        for (unsigned shift = 0; shift < (8u << size); shift++)
            check_variant(&(struct variant){ SHL, 1, size, shift });
}

/* The helpers alone against the generic ones on many more inputs. */
static void test_helpers_direct(void **unused)
{
    (void)unused;
    struct a64_state s;
    a64_state_init(&s);
    for (unsigned i = 0; i < DIRECT_CASES; i++) {
        u128 a = rnd_vector(), b = (i & 1) ? rnd_related(a) : rnd_vector(), d = rnd_vector();
        assert_true(a64_sf_cmeq_bytes(&s, a, b) == a64_simd_3same(&s, a, b, generic_code(0, 17, 1, 1)));
        assert_true(a64_sf_cmhs_bytes(&s, a, b) == a64_simd_3same(&s, a, b, generic_code(0, 7, 1, 1)));
        assert_true(a64_sf_cmeq0_bytes(&s, a) == a64_simd_2misc(&s, a, generic_code(0, 9, 0, 1)));
        assert_true(a64_sf_umaxp_bytes(&s, a, b) == a64_simd_3same(&s, a, b, generic_code(0, 20, 1, 1)));
        assert_true(a64_sf_uminp_bytes(&s, a, b) == a64_simd_3same(&s, a, b, generic_code(0, 21, 1, 1)));
        assert_true(a64_sf_addp_bytes(&s, a, b) == a64_simd_3same(&s, a, b, generic_code(0, 23, 0, 1)));
        unsigned shift = 1 + (unsigned)(rnd() % 8);
        uint64_t narrow = a64_simd_shift_narrow(&s, a, generic_code(0, 16, 0, 0), shift);
        assert_true(a64_sf_shrn_halfwords(&s, a, shift) == narrow);
        assert_true(a64_sf_shrn2_halfwords(&s, a, d, shift) == (((u128)narrow << 64) | (uint64_t)d));
        unsigned size = (unsigned)(rnd() % 2), q = (unsigned)(rnd() % 2);
        unsigned wshift = (unsigned)(rnd() % ((8u << size) + 1));     /* SHLL: the lane width */
        assert_true(a64_sf_widen_left(&s, a, size | q << 1 | wshift << 2) ==
                    a64_simd_shift(&s, a, generic_code(size, 20, 1, q), wshift));
    }
}

static void test_cmeq_zero_every_byte_value(void **unused)
{
    (void)unused;
    struct a64_state s;
    a64_state_init(&s);
    /* every byte value in every byte position, and next to zero and 0x80 neighbours */
    for (unsigned value = 0; value < 256; value++) {
        for (unsigned pos = 0; pos < 16; pos++) {
            u128 a = rnd_vector() & ~((u128)0xff << (8 * pos));
            a |= (u128)value << (8 * pos);
            u128 b = rnd_related(a);
            assert_true(a64_sf_cmeq0_bytes(&s, a) == a64_simd_2misc(&s, a, generic_code(0, 9, 0, 1)));
            assert_true(a64_sf_cmhs_bytes(&s, a, b) == a64_simd_3same(&s, a, b, generic_code(0, 7, 1, 1)));
            assert_true(a64_sf_cmhs_bytes(&s, b, a) == a64_simd_3same(&s, b, a, generic_code(0, 7, 1, 1)));
        }
    }
}

static int setup(void **unused)
{
    (void)unused;
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state),
        .pc_offset = A64_PC_OFFSET,
        .memory = { mem_jit, MEM_SIZE },
        .translate = a64_translate_block, .flags = a64_jit_flags(),
        .translate_ctx = &jit_memory_ctx,
    };
    the_jit = jit_new(&cfg);
    return the_jit ? 0 : -1;
}

static int teardown(void **unused)
{
    (void)unused;
    printf("simd_fast: %u encodings checked through the interpreter and the JIT\n", encodings_checked);
    jit_free(the_jit);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helpers_direct),
        cmocka_unit_test(test_cmeq_zero_every_byte_value),
        cmocka_unit_test(test_byte_compares),
        cmocka_unit_test(test_pairwise),
        cmocka_unit_test(test_logic_8b),
        cmocka_unit_test(test_shifts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
