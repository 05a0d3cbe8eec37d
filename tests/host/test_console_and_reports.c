/* Unit tests of what the host makes of engine-written shared memory: the console ring
 * drain (hypervisor/console.c), the fatal report (fatal_report.c) and the selftest
 * table and summary (selftest_report.c), with honest and with hostile contents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ferry/abi.h"
#include "hypervisor/console.h"
#include "hypervisor/fatal_report.h"
#include "hypervisor/selftest_report.h"

struct collected {
    uint8_t bytes[2 * FERRY_CONSOLE_SIZE];
    size_t length;
    unsigned calls;
};

static void collect(const uint8_t *bytes, size_t length, void *context)
{
    struct collected *c = context;
    assert_true(c->length + length <= sizeof c->bytes);
    memcpy(c->bytes + c->length, bytes, length);
    c->length += length;
    c->calls++;
}

static void produce(struct ferry_console_ring *ring, const char *text)
{
    for (const char *p = text; *p; p++) {
        ring->data[ring->head % FERRY_CONSOLE_SIZE] = (uint8_t)*p;
        ring->head++;
    }
}

static void test_console_in_order_and_wrapping(void **state)
{
    struct ferry_console_ring *ring = calloc(1, sizeof *ring);
    struct collected *out = calloc(1, sizeof *out);
    uint32_t tail = FERRY_CONSOLE_SIZE - 3; /* start near the wrap point */
    ring->head = tail;
    ring->tail = 0xdeadbeef; /* the host never believes the engine's copy */
    produce(ring, "hello, ring");
    assert_int_equal(console_drain(ring, &tail, collect, out), 0);
    assert_int_equal(out->length, 11);
    assert_memory_equal(out->bytes, "hello, ring", 11);
    assert_int_equal(out->calls, 2); /* split at the wrap */
    assert_int_equal(tail, ring->head);
    assert_int_equal(ring->tail, tail);
    out->length = 0;
    assert_int_equal(console_drain(ring, &tail, collect, out), 0); /* nothing new */
    assert_int_equal(out->length, 0);
    /* The 32-bit counters wrap too. */
    tail = ring->head = UINT32_MAX - 1;
    produce(ring, "abcd");
    assert_int_equal(console_drain(ring, &tail, collect, out), 0);
    assert_memory_equal(out->bytes, "abcd", 4);
    free(ring);
    free(out);
}

static void test_console_hostile_head(void **state)
{
    struct ferry_console_ring *ring = calloc(1, sizeof *ring);
    struct collected *out = calloc(1, sizeof *out);
    uint32_t tail = 100;
    ring->head = 100 + 3 * FERRY_CONSOLE_SIZE + 5; /* claims more than the ring holds */
    assert_int_equal(console_drain(ring, &tail, collect, out), 2 * FERRY_CONSOLE_SIZE + 5);
    assert_int_equal(out->length, FERRY_CONSOLE_SIZE);
    assert_int_equal(tail, ring->head);
    /* A head behind the tail reads as a huge overrun, and is bounded the same way. */
    out->length = 0;
    ring->head = tail - 1;
    console_drain(ring, &tail, collect, out);
    assert_int_equal(out->length, FERRY_CONSOLE_SIZE);
    free(ring);
    free(out);
}

/* Runs a printer into a memory buffer and returns the text (caller frees). */
static char *capture_fatal(const struct ferry_fatal_report *r, const struct symbol_table *t)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    fatal_report_print(out, r, t);
    fclose(out);
    return text;
}

static void test_fatal_report(void **state)
{
    struct ferry_fatal_report *r = calloc(1, sizeof *r);
    struct symbol_table t = { 0 };
    char *text;
    assert_true(symbol_table_add(&t, "engine_crash_here", 0xffffffff80101000, 0x40));
    assert_true(symbol_table_add(&t, "engine_main", 0xffffffff80102000, 0x200));
    symbol_table_finish(&t);
    r->kind = FERRY_FATAL_EXCEPTION;
    r->vector = 14;
    r->error_code = 0x12; /* write? no: bit 1 write, bit 4 fetch */
    r->cr2 = 0xbadc0de000;
    r->rip = 0xffffffff80101008;
    r->r15 = 0x1515;
    r->guest_pc = ~0ull;
    r->backtrace_len = 2;
    r->backtrace[0] = 0xffffffff80101008;
    r->backtrace[1] = 0xffffffff80102010;
    strcpy(r->message, "boom\n");
    text = capture_fatal(r, &t);
    assert_non_null(strstr(text, "ferry: engine fatal error: page fault (#PF, vector 14), error "
                                 "code 0x12 (not present, write, supervisor, instruction fetch)\n"));
    assert_non_null(strstr(text, "RIP 0xffffffff80101008 <engine_crash_here+0x8>"));
    assert_non_null(strstr(text, "CR2 0x000000badc0de000"));
    assert_non_null(strstr(text, "R15 0x0000000000001515"));
    assert_non_null(strstr(text, "#1  0xffffffff80102010 <engine_main+0x10>"));
    free(text);
    /* A frame whose return address is the next function's first byte (the caller ended
     * with a call to a noreturn function) names the caller; RIP is looked up as is. */
    r->rip = 0xffffffff80102000;
    r->backtrace[0] = 0xffffffff80101040;
    r->backtrace[1] = 0xffffffff80102000;
    text = capture_fatal(r, &t);
    assert_non_null(strstr(text, "RIP 0xffffffff80102000 <engine_main>"));
    assert_non_null(strstr(text, "#0  0xffffffff80101040 <engine_crash_here+0x40>"));
    assert_non_null(strstr(text, "#1  0xffffffff80102000 <?>"));
    assert_non_null(strstr(text, "message: boom\n"));
    assert_null(strstr(text, "guest PC"));
    free(text);

    r->kind = FERRY_FATAL_EXCEPTION;
    r->vector = 6;
    text = capture_fatal(r, NULL);
    assert_non_null(strstr(text, "invalid opcode (#UD, vector 6)"));
    assert_null(strstr(text, "CR2"));
    assert_non_null(strstr(text, "<?>"));
    free(text);

    r->kind = FERRY_FATAL_PANIC;
    r->guest_pc = 0x40080000;
    r->history_len = 2;
    r->history[0] = 0x40080000;
    r->history[1] = 0x40080004;
    text = capture_fatal(r, &t);
    assert_non_null(strstr(text, "ferry: engine panic: boom\n"));
    assert_non_null(strstr(text, "guest PC 0x0000000040080000"));
    assert_non_null(strstr(text, "recent guest PCs (oldest first): 0x40080000 0x40080004"));
    free(text);
    symbol_table_free(&t);
    free(r);
}

static void test_fatal_report_hostile(void **state)
{
    struct ferry_fatal_report *r = malloc(sizeof *r);
    char *text;
    memset(r, 0x1b, sizeof *r); /* ESC everywhere, no terminator anywhere */
    r->kind = 99;
    r->vector = 1ull << 40;
    r->backtrace_len = UINT32_MAX;
    r->history_len = 1000;
    text = capture_fatal(r, NULL);
    assert_non_null(strstr(text, "unknown kind 99"));
    assert_null(strchr(text, 0x1b));
    assert_non_null(strstr(text, "32 frames"));
    free(text);
    r->kind = FERRY_FATAL_EXCEPTION;
    text = capture_fatal(r, NULL);
    assert_non_null(strstr(text, "invalid vector"));
    free(text);
    free(r);
    assert_string_equal(x86_vector_mnemonic(13), "#GP");
    assert_string_equal(x86_vector_name(15), "reserved");
    assert_string_equal(x86_vector_name(32), "external interrupt");
}

static void set_row(struct ferry_selftest_row *row, const char *name, const char *unit,
                    int64_t value, int is_check, int passed, const char *detail)
{
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "%s", name);
    snprintf(row->unit, sizeof row->unit, "%s", unit);
    snprintf(row->detail, sizeof row->detail, "%s", detail);
    row->value_milli = value;
    row->is_check = (uint32_t)is_check;
    row->passed = (uint32_t)passed;
}

static char *capture_selftest(const struct ferry_selftest_results *r, struct selftest_summary *s)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    selftest_report_print(out, r, s);
    selftest_summary_print(out, s);
    fclose(out);
    return text;
}

static const char *last_line(const char *text)
{
    const char *end = text + strlen(text) - 1, *p = end;
    assert_true(*end == '\n');
    while (p > text && p[-1] != '\n')
        p--;
    return p;
}

/* The whitespace-separated field `index` (0: the first) of the table line that starts
 * with `name` followed by two spaces; "" when there is no such line. */
static const char *table_field(const char *text, const char *name, int index)
{
    static char field[64];
    size_t name_len = strlen(name);
    const char *line = text;
    field[0] = '\0';
    while (line && *line) {
        if (!strncmp(line, name, name_len) && !strncmp(line + name_len, "  ", 2)) {
            const char *p = line + name_len;
            for (int i = 1; i <= index; i++) {
                size_t n = 0;
                while (*p == ' ')
                    p++;
                while (*p && *p != ' ' && *p != '\n' && n < sizeof field - 1)
                    field[n++] = *p++;
                field[n] = '\0';
            }
            return field;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return field;
}

static void test_selftest_table(void **state)
{
    struct ferry_selftest_results *r = calloc(1, sizeof *r);
    struct selftest_summary s;
    char *text;
    set_row(&r->row[0], "page fault round trip", "us", 6543, 0, 0, "median of 7");
    set_row(&r->row[1], "tlb flush works", "", 0, 1, 1, "");
    set_row(&r->row[2], "root switch works", "", 0, 1, 0, "wrong value");
    set_row(&r->row[3], "compute ratio", "x", 994, 1, 1, "");
    set_row(&r->row[4], "negative", "ns", -2500, 0, 1, "");
    r->rows = 5;
    text = capture_selftest(r, &s);
    assert_int_equal(s.passed, 2);
    assert_int_equal(s.failed, 1);
    assert_true(s.have_ratio);
    assert_string_equal(last_line(text), "selftest: 2 passed, 1 failed; compute ratio 0.99\n");
    assert_non_null(strstr(text, "6.543"));
    assert_non_null(strstr(text, "-2.500"));
    assert_non_null(strstr(text, "FAIL   wrong value"));
    /* Pure checks show "-" as their value; measured checks show the value and unit. */
    assert_string_equal(table_field(text, "tlb flush works", 1), "-");
    assert_string_equal(table_field(text, "tlb flush works", 2), "pass");
    assert_string_equal(table_field(text, "root switch works", 1), "-");
    assert_string_equal(table_field(text, "root switch works", 2), "FAIL");
    assert_string_equal(table_field(text, "compute ratio", 1), "0.994");
    assert_string_equal(table_field(text, "compute ratio", 2), "x");
    assert_null(strstr(text, "0.000"));
    free(text);

    r->row[3].value_milli = 1005; /* rounds half away from zero */
    text = capture_selftest(r, &s);
    assert_string_equal(last_line(text), "selftest: 2 passed, 1 failed; compute ratio 1.01\n");
    free(text);
    free(r);
}

static void test_selftest_hostile_or_missing(void **state)
{
    struct ferry_selftest_results *r = calloc(1, sizeof *r);
    struct selftest_summary s;
    char *text;
    text = capture_selftest(r, &s); /* no rows at all: the missing ratio is a failure */
    assert_string_equal(last_line(text), "selftest: 0 passed, 1 failed; compute ratio n/a\n");
    free(text);
    memset(r, 0x07, sizeof *r); /* BEL everywhere, unterminated, absurd row count */
    r->rows = 1000000;
    text = capture_selftest(r, &s);
    assert_null(strchr(text, 0x07));
    assert_non_null(strstr(text, "engine reported 1000000 rows, at most 32 fit"));
    assert_int_equal(s.passed, 32);
    assert_int_equal(s.failed, 2);
    free(text);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_console_in_order_and_wrapping),
        cmocka_unit_test(test_console_hostile_head),
        cmocka_unit_test(test_fatal_report),
        cmocka_unit_test(test_fatal_report_hostile),
        cmocka_unit_test(test_selftest_table),
        cmocka_unit_test(test_selftest_hostile_or_missing),
    };
    return cmocka_run_group_tests_name("console_and_reports", tests, NULL, NULL);
}
