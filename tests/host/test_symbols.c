/* Unit tests of the engine symbol table (hypervisor/symbols.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hypervisor/symbols.h"

static void build(struct symbol_table *t)
{
    *t = (struct symbol_table){ 0 };
    assert_true(symbol_table_add(t, "middle", 0x2000, 0x100));
    assert_true(symbol_table_add(t, "first", 0x1000, 0x10));
    assert_true(symbol_table_add(t, "asm_label", 0x3000, 0));
    assert_true(symbol_table_add(t, "after_label", 0x3400, 0x20));
    assert_true(symbol_table_add(t, "alias_unsized", 0x2000, 0));
    assert_true(symbol_table_add(t, "last_label", 0x50000, 0));
    symbol_table_finish(t);
}

static void expect(const struct symbol_table *t, uint64_t address, const char *text)
{
    char buf[64];
    symbol_table_describe(t, address, buf, sizeof buf);
    assert_string_equal(buf, text);
}

static void test_lookup(void **state)
{
    struct symbol_table t;
    build(&t);
    assert_int_equal(t.count, 5); /* the alias at 0x2000 is folded */
    expect(&t, 0x1000, "first");
    expect(&t, 0x100f, "first+0xf");
    expect(&t, 0x1010, "?");          /* past the sized symbol's end */
    expect(&t, 0xfff, "?");           /* below every symbol */
    expect(&t, 0x2000, "middle");     /* the sized alias wins */
    expect(&t, 0x20ff, "middle+0xff");
    expect(&t, 0x3000, "asm_label");
    expect(&t, 0x33ff, "asm_label+0x3ff"); /* unsized: up to the next symbol */
    expect(&t, 0x3410, "after_label+0x10");
    expect(&t, 0x5ffff, "last_label+0xffff"); /* unsized, last: bounded reach */
    expect(&t, 0x60000, "?");
    expect(&t, UINT64_MAX, "?");
    symbol_table_free(&t);
    assert_int_equal(t.count, 0);
}

static void expect_return(const struct symbol_table *t, uint64_t address, const char *text)
{
    char buf[64];
    symbol_table_describe_return(t, address, buf, sizeof buf);
    assert_string_equal(buf, text);
}

/* A return address names the function of the call before it, even when that call was
 * its caller's last instruction (a noreturn callee): 0x1010 is one past "first". */
static void test_return_addresses(void **state)
{
    struct symbol_table t;
    build(&t);
    expect_return(&t, 0x1010, "first+0x10"); /* call ended "first"; 0x1010 is in no symbol */
    expect(&t, 0x1010, "?");
    expect_return(&t, 0x2100, "middle+0x100"); /* the next byte would be past "middle" */
    expect_return(&t, 0x3400, "asm_label+0x400"); /* not "after_label", which starts here */
    expect(&t, 0x3400, "after_label");
    expect_return(&t, 0x3401, "after_label+0x1");
    expect_return(&t, 0x1000, "?"); /* the byte before "first" belongs to nothing */
    expect_return(&t, 0, "?");      /* no wrap-around to the top of the address space */
    symbol_table_free(&t);
}

static void test_empty_and_unfinished(void **state)
{
    struct symbol_table t = { 0 };
    uint64_t offset;
    assert_null(symbol_table_lookup(&t, 0x1000, &offset));
    assert_true(symbol_table_add(&t, "f", 0x1000, 4));
    assert_null(symbol_table_lookup(&t, 0x1000, &offset)); /* not finished: no answers */
    symbol_table_finish(&t);
    assert_non_null(symbol_table_lookup(&t, 0x1000, &offset));
    assert_int_equal(offset, 0);
    symbol_table_free(&t);
}

static void test_many_symbols(void **state)
{
    struct symbol_table t = { 0 };
    char name[32];
    for (unsigned i = 0; i < 5000; i++) {
        unsigned k = (unsigned)((i * 7919ull) % 5000); /* scrambled insertion order */
        snprintf(name, sizeof name, "f%u", k);
        assert_true(symbol_table_add(&t, name, 0x100000 + k * 0x40ull, 0x40));
    }
    symbol_table_finish(&t);
    for (unsigned k = 0; k < 5000; k += 7) {
        char want[48], got[48];
        snprintf(want, sizeof want, "f%u+0x3", k);
        symbol_table_describe(&t, 0x100000 + k * 0x40ull + 3, got, sizeof got);
        assert_string_equal(got, want);
    }
    symbol_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_return_addresses),
        cmocka_unit_test(test_empty_and_unfinished),
        cmocka_unit_test(test_many_symbols),
    };
    return cmocka_run_group_tests_name("symbols", tests, NULL, NULL);
}
