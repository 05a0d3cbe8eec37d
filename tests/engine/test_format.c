/* Unit test of the engine's formatter (engine/format.c), built hosted: every case is
 * formatted by fy_snprintf and by the C library's snprintf, and the two must agree in
 * text and in returned length, including when the buffer is too small. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <ferry/support.h>

/* The cases truncate, pass NULL to %s and use an unknown conversion on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

/* Formats with both implementations into buffers of `size` and compares. */
#define SAME(size, ...)                                                                    \
    do {                                                                                   \
        char ours[256], libc[256];                                                         \
        memset(ours, 'X', sizeof ours);                                                    \
        memset(libc, 'X', sizeof libc);                                                    \
        int n_ours = fy_snprintf(ours, (size), __VA_ARGS__);                              \
        int n_libc = snprintf(libc, (size), __VA_ARGS__);                                 \
        assert_int_equal(n_ours, n_libc);                                                  \
        assert_memory_equal(ours, libc, sizeof ours);                                      \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    SAME(256, "%d %d %d %i", 0, 1, -1, 123456);
    SAME(256, "%d %d", INT32_MAX, INT32_MIN);
    SAME(256, "%ld %ld", (long)INT64_MAX, (long)INT64_MIN);
    SAME(256, "%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
    SAME(256, "%u %x %X %o", 4000000000u, 0xdeadbeefu, 0xdeadbeefu, 0755u);
    SAME(256, "%lx %016lx %#lx %#x", 0xffffffff80100000ul, 0x1234ul, 0xabcul, 0u);
    SAME(256, "%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
    SAME(256, "%zu %zx", (size_t)SIZE_MAX, (size_t)4096);
}

static void test_width_precision_flags(void **state)
{
    (void)state;
    SAME(256, "[%5d] [%-5d] [%05d] [%+d] [% d] [%+d]", 42, 42, 42, 42, 42, -42);
    SAME(256, "[%-08d] [%08d] [%.3d] [%8.3d] [%-8.3d]", -7, -7, 7, 7, -7);
    SAME(256, "[%.0d] [%5.0d] [%.0x] [%#.0x]", 0, 0, 0u, 0u);
    SAME(256, "[%*d] [%-*d] [%.*d] [%*d]", 6, 1, 6, 1, 4, 3, -6, 9);
    SAME(256, "[%#010x] [%#-10x] [%#X]", 0xabu, 0xabu, 0xabu);
}

static void test_strings_chars_pointers(void **state)
{
    (void)state;
    SAME(256, "[%s] [%10s] [%-10s] [%.2s] [%.*s]", "ferry", "ferry", "ferry", "ferry", 3, "ferry");
    SAME(256, "[%c] [%3c] [%-3c] [%%]", 'a', 'b', 'c');
    SAME(256, "%p %p", (void *)0x1000, (void *)0xffffffff80100000ul);
    /* glibc prints "(nil)" for a null pointer; ours prints 0x0. Only check ours. */
    char buf[32];
    assert_int_equal(fy_snprintf(buf, sizeof buf, "%p", (void *)0), 3);
    assert_string_equal(buf, "0x0");
    assert_int_equal(fy_snprintf(buf, sizeof buf, "%s", (char *)NULL), 6);
    assert_string_equal(buf, "(null)");
}

static void test_truncation(void **state)
{
    (void)state;
    SAME(1, "%s", "hello");
    SAME(4, "%s", "hello");
    SAME(6, "%s", "hello");
    SAME(7, "%016lx", 0xabcul);
    SAME(3, "%d|%d", 12345, -6789);
    /* size 0: nothing written, length still returned. */
    char buf[4] = "abc";
    assert_int_equal(fy_snprintf(buf, 0, "%d", 123456), 6);
    assert_string_equal(buf, "abc");
}

static void test_unknown_conversion_is_visible(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(fy_snprintf(buf, sizeof buf, "a%qb"), 4);
    assert_string_equal(buf, "a%qb");
    /* A trailing lone '%' ends the output without reading past the string. */
    assert_int_equal(fy_snprintf(buf, sizeof buf, "x%"), 1);
    assert_string_equal(buf, "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_width_precision_flags),
        cmocka_unit_test(test_strings_chars_pointers),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_unknown_conversion_is_visible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
