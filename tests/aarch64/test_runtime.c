/* Unit tests of the hand-written AArch64 front-end runtime: block formation in
 * a64_translate_block (page end, instruction limit, block-ending instructions, fetch
 * faults, checked through the IR dump), the undefined-instruction text of a64_disasm,
 * a64_encoding_group, and the register accessors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "arch/aarch64/a64.h"
#include "jit/ir/ir_internal.h"

#define MEM_SIZE 0x4000
#define NOP      0xd503201fu

static uint8_t memory[MEM_SIZE];
static struct jit_memory mem = { .host_base = memory, .guest_limit = MEM_SIZE };
static char dump[1 << 18];

static void put(uint64_t addr, uint32_t insn) { memcpy(memory + addr, &insn, 4); }

static void fill_nops(void)
{
    for (uint64_t a = 0; a < MEM_SIZE; a += 4)
        put(a, NOP);
}

/* Translates the block at pc and returns its IR dump. */
static const char *translate(uint64_t pc)
{
    ir_block *b = ir_block_new();
    ir_block_reset(b, pc);
    assert_true(a64_translate_block(&mem, b, pc, 0));
    ir_dump(b, dump, sizeof(dump));
    ir_block_free(b);
    return dump;
}

static int count_insns(const char *text)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, "insn 0x")) != NULL; p++)
        n++;
    return n;
}

static void test_block_stops_at_page_end(void **unused)
{
    fill_nops();
    const char *d = translate(0x1ff0);
    assert_int_equal(count_insns(d), 4);
    assert_non_null(strstr(d, "insn 0x1ffc"));
    assert_null(strstr(d, "insn 0x2000"));
    assert_non_null(strstr(d, "0x2000"));          /* the exit continues there */
}

static void test_block_instruction_limit(void **unused)
{
    fill_nops();
    const char *d = translate(0x1000);
    int n = count_insns(d);
    assert_true(n >= 16 && n < 1024);
    assert_true(n <= 1024 / 4);                     /* whole page not exceeded */
}

static void test_block_ends_at_branch(void **unused)
{
    fill_nops();
    put(0x1008, 0x14000010u);                       /* b .+0x40 */
    const char *d = translate(0x1000);
    assert_int_equal(count_insns(d), 3);
    assert_non_null(strstr(d, "0x1048"));
}

static void test_fetch_fault_first_instruction(void **unused)
{
    fill_nops();
    const char *d = translate(MEM_SIZE);            /* just past guest memory */
    assert_int_equal(count_insns(d), 0);
    assert_non_null(strstr(d, "kind=9"));           /* IR_EXIT_FETCH_ABORT */
    d = translate(0x1002);                          /* misaligned */
    assert_non_null(strstr(d, "kind=9"));
}

static void test_fetch_fault_later_instruction(void **unused)
{
    fill_nops();
    mem.guest_limit = 0x1010;                       /* four instructions, then nothing */
    const char *d = translate(0x1000);
    mem.guest_limit = MEM_SIZE;
    assert_int_equal(count_insns(d), 4);
    assert_null(strstr(d, "kind=9"));               /* the fault belongs to the next block */
    assert_non_null(strstr(d, "0x1010"));
}

static void test_undefined_instruction(void **unused)
{
    fill_nops();
    put(0x1004, 0x043f503fu);                       /* SVE addvl: not described */
    const char *d = translate(0x1000);
    assert_int_equal(count_insns(d), 2);
    assert_non_null(strstr(d, "kind=3"));           /* IR_EXIT_UNDEF */
    char text[64];
    a64_disasm(0x043f503fu, 0, text, sizeof(text));
    assert_string_equal(text, ".inst\t0x043f503f ; undefined");
}

static void test_encoding_groups(void **unused)
{
    static const struct { uint32_t insn; const char *group; } cases[] = {
        { 0x4ea28420u, "AdvSIMD three same" },
        { 0x1e622820u, "floating-point data-processing (2 source)" },
        { 0x9e620020u, "conversion between floating-point and integer" },
        { 0xf9400020u, "load/store register (unsigned immediate)" },
        { 0x3ce26820u, "load/store register (register offset)" },
        { 0xa9407bfdu, "load/store register pair" },
        { 0xc85f7c20u, "load/store exclusive and ordered" },
        { 0x58000000u, "load register (literal)" },
        { 0x91000420u, "add/subtract (immediate)" },
        { 0x14000000u, "unconditional branch (immediate)" },
        { 0xd503201fu, "hints" },
        { 0x043f503fu, "SVE" },
        { 0x00000000u, "reserved (UDF)" },
        { 0x9ac00c20u, "data-processing (2 source)" },
        { 0x1a200000u, "unallocated (data processing - register)" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(a64_encoding_group(cases[i].insn), cases[i].group);
}

/* Hostile input: any word must decode, disassemble, translate and execute (or fault
 * precisely) without touching memory outside the guest's (ASan watches). */
static void test_random_words_are_handled(void **unused)
{
    uint64_t x = 0x853c49e6748fea9bull;
    ir_block *b = ir_block_new();
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t insn = (uint32_t)x;
        char text[128];
        int n = a64_disasm(insn, 0x1000, text, sizeof(text));
        assert_true(n > 0 && (size_t)n < sizeof(text) && strlen(text) == (size_t)n);
        assert_non_null(a64_encoding_group(insn));

        put(0x1000, insn);
        put(0x1004, 0xd4200000u);                   /* brk #0 */
        ir_block_reset(b, 0x1000);
        assert_true(a64_translate_block(&mem, b, 0x1000, 0));

        struct a64_state s;
        a64_state_init(&s);
        for (unsigned r = 0; r < 31; r++)
            s.X[r] = (x >> (r % 8) * 8) & (r & 1 ? 0x3fff : ~0ull);   /* some in bounds */
        s.SP = 0x2000;
        s.PC = 0x1000;
        uint64_t info = 0, budget = 2;
        ir_exit_kind e = a64_interp_run(&s, &mem, &info, &budget);
        assert_true(e >= IR_EXIT_JUMP && e < IR_EXIT_KIND_END);
    }
    ir_block_free(b);
}

static void test_register_accessors(void **unused)
{
    struct a64_state s;
    a64_state_init(&s);
    a64_set_x(&s, 5, 0x1234);
    a64_set_x(&s, 31, 0x5678);                      /* XZR: ignored */
    assert_int_equal(a64_get_x(&s, 5), 0x1234);
    assert_int_equal(a64_get_x(&s, 31), 0);
    a64_set_nzcv(&s, 0xa0000000u);
    assert_int_equal(s.N, 1);
    assert_int_equal(s.Z, 0);
    assert_int_equal(s.C, 1);
    assert_int_equal(s.V, 0);
    assert_int_equal(a64_get_nzcv(&s), 0xa0000000u);
    const uint64_t v[2] = { 0x1111222233334444ull, 0x5555666677778888ull };
    uint64_t out[2];
    a64_set_v(&s, 31, v);
    a64_get_v(&s, 31, out);
    assert_memory_equal(out, v, sizeof(v));
    a64_set_pc(&s, 0x400000);
    a64_set_sp(&s, 0x7ff0);
    a64_set_tpidr_el0(&s, 0xabc);
    assert_int_equal(a64_get_pc(&s), 0x400000);
    assert_int_equal(a64_get_sp(&s), 0x7ff0);
    assert_int_equal(a64_get_tpidr_el0(&s), 0xabc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_stops_at_page_end),
        cmocka_unit_test(test_block_instruction_limit),
        cmocka_unit_test(test_block_ends_at_branch),
        cmocka_unit_test(test_fetch_fault_first_instruction),
        cmocka_unit_test(test_fetch_fault_later_instruction),
        cmocka_unit_test(test_undefined_instruction),
        cmocka_unit_test(test_encoding_groups),
        cmocka_unit_test(test_random_words_are_handled),
        cmocka_unit_test(test_register_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
