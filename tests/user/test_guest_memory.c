/* Unit tests of the guest address space: mapping with permissions, the page records,
 * pointer validation at the edges, string reads across pages and mmap placement. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hypervisor/user/guest_memory.h"

#define LIMIT (256ull << 20)
#define PAGE GUEST_PAGE_SIZE

static int setup(void **state)
{
    static struct guest_memory m;
    if (guest_memory_init(&m, LIMIT) != 0)
        return -1;
    *state = &m;
    return 0;
}

static int teardown(void **state)
{
    guest_memory_destroy(*state);
    return 0;
}

static void test_init_rejects_bad_limits(void **state)
{
    (void)state;
    struct guest_memory m;
    assert_int_equal(guest_memory_init(&m, 0), -EINVAL);
    assert_int_equal(guest_memory_init(&m, PAGE + 1), -EINVAL);
}

static void test_map_and_permissions(void **state)
{
    struct guest_memory *m = *state;
    assert_int_equal(guest_map_anonymous(m, 0x10000, 2 * PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE, false), 0);
    assert_true(guest_range_accessible(m, 0x10000, 2 * PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE));
    assert_false(guest_range_accessible(m, 0x10000, 2 * PAGE + 1, GUEST_PROT_READ));
    assert_false(guest_range_accessible(m, 0x10000 - 1, 2, GUEST_PROT_READ));
    assert_false(guest_range_free(m, 0x10000 + PAGE, 1));
    assert_true(guest_range_free(m, 0x10000 + 2 * PAGE, PAGE));
    /* Fresh memory is zero and writable through the host mapping. */
    uint8_t *host = guest_ptr(m, 0x10000, 16, GUEST_PROT_WRITE);
    assert_non_null(host);
    assert_int_equal(host[5], 0);
    host[5] = 9;
    assert_int_equal(guest_protect(m, 0x10000, PAGE, GUEST_PROT_READ), 0);
    assert_null(guest_ptr(m, 0x10000, 16, GUEST_PROT_WRITE));
    assert_non_null(guest_ptr(m, 0x10000, 16, GUEST_PROT_READ));
    uint8_t byte = 1;
    assert_int_equal(guest_copy_to(m, 0x10000, &byte, 1), -EFAULT);
    assert_int_equal(guest_copy_from(m, &byte, 0x10005, 1), 0);
    assert_int_equal(byte, 9);
    /* A write straddling into the read-only page is refused as a whole. */
    uint8_t two[2] = { 1, 2 };
    assert_int_equal(guest_copy_to(m, 0x10000 + PAGE - 1, two, 2), -EFAULT);
    assert_int_equal(guest_unmap(m, 0x10000, 2 * PAGE), 0);
    assert_true(guest_range_free(m, 0x10000, 2 * PAGE));
    assert_int_equal(guest_page_flags(m, 0x10000), 0);
}

static void test_invalid_requests(void **state)
{
    struct guest_memory *m = *state;
    assert_int_equal(guest_map_anonymous(m, 0x10001, PAGE, GUEST_PROT_READ, false), -EINVAL);
    assert_int_equal(guest_map_anonymous(m, 0x10000, 0, GUEST_PROT_READ, false), -EINVAL);
    assert_int_equal(guest_map_anonymous(m, LIMIT - PAGE, 2 * PAGE, GUEST_PROT_READ, false), -ENOMEM);
    assert_int_equal(guest_map_anonymous(m, ~0ull & ~(PAGE - 1), PAGE, GUEST_PROT_READ, false), -ENOMEM);
    assert_int_equal(guest_protect(m, 0x20000, PAGE, GUEST_PROT_READ), -ENOMEM); /* unmapped */
    assert_int_equal(guest_protect(m, 0x20001, PAGE, GUEST_PROT_READ), -EINVAL);
}

static void test_pointer_edges(void **state)
{
    struct guest_memory *m = *state;
    assert_true(guest_range_in_limit(m, LIMIT - 8, 8));
    assert_false(guest_range_in_limit(m, LIMIT - 8, 9));
    assert_false(guest_range_in_limit(m, UINT64_MAX, 2));  /* wraps */
    assert_false(guest_range_in_limit(m, 8, UINT64_MAX));
    assert_null(guest_ptr_unchecked(m, UINT64_MAX - 3, 8));
    assert_non_null(guest_ptr_unchecked(m, 0x1000, 8)); /* unmapped but in limit: host checks */
    assert_null(guest_ptr(m, 0x1000, 8, GUEST_PROT_READ));
    assert_int_equal(guest_page_flags(m, LIMIT), 0);
}

static void test_strings_across_pages(void **state)
{
    struct guest_memory *m = *state;
    uint64_t base = 0x40000;
    assert_int_equal(guest_map_anonymous(m, base, 2 * PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE, false), 0);
    /* "abc...": starts 3 bytes before the page boundary, NUL on the next page. */
    char text[] = "abcdefg";
    assert_int_equal(guest_copy_to(m, base + PAGE - 3, text, sizeof(text)), 0);
    assert_int_equal(guest_strnlen(m, base + PAGE - 3, 100), 7);
    assert_int_equal(guest_strnlen(m, base + PAGE - 3, 7), -ENAMETOOLONG);
    int err = 0;
    const char *s = guest_string(m, base + PAGE - 3, 100, &err);
    assert_non_null(s);
    assert_string_equal(s, "abcdefg");
    /* No NUL before the mapping ends: EFAULT, not a host fault. */
    memset(m->host_base + base + PAGE, 'x', PAGE);
    assert_int_equal(guest_strnlen(m, base + PAGE, 1 << 20), -EFAULT);
    assert_null(guest_string(m, 0x5000, 10, &err));
    assert_int_equal(err, -EFAULT);
    guest_unmap(m, base, 2 * PAGE);
}

static void test_find_free_top_down(void **state)
{
    struct guest_memory *m = *state;
    m->mmap_top = 0x1000000;
    m->mmap_cursor = m->mmap_top;
    m->mmap_bottom = 0x100000;
    uint64_t a = guest_find_free(m, 3 * PAGE, 0);
    assert_int_equal(a, 0x1000000 - 3 * PAGE);
    assert_int_equal(guest_map_anonymous(m, a, 3 * PAGE, GUEST_PROT_READ, false), 0);
    uint64_t b = guest_find_free(m, PAGE + 1, 0); /* rounded up to two pages */
    assert_int_equal(b, a - 2 * PAGE);
    assert_int_equal(guest_map_anonymous(m, b, 2 * PAGE, GUEST_PROT_READ, false), 0);
    /* A hole above: the scan finds it once the fast path is blocked. */
    guest_unmap(m, a, 3 * PAGE);
    assert_int_equal(guest_map_anonymous(m, b - PAGE, PAGE, GUEST_PROT_READ, false), 0);
    m->mmap_cursor = b - PAGE;
    assert_int_equal(guest_map_anonymous(m, b - 2 * PAGE, PAGE, GUEST_PROT_READ, false), 0);
    uint64_t c = guest_find_free(m, 3 * PAGE, 0);
    assert_int_equal(c, a);
    /* A free hint is honoured; an occupied one is not. */
    assert_int_equal(guest_find_free(m, PAGE, 0x200000), 0x200000);
    uint64_t d = guest_find_free(m, PAGE, b);
    assert_int_not_equal(d, b);
    /* Too big for the area. */
    assert_int_equal(guest_find_free(m, 0x2000000, 0), 0);
    guest_unmap(m, b - 2 * PAGE, 4 * PAGE);
}

static uint64_t changed_start, changed_len;
static int changed_calls;
static void on_code_changed(void *ctx, uint64_t start, uint64_t len)
{
    (void)ctx;
    changed_calls++;
    changed_start = start;
    changed_len = len;
}

static void test_code_change_notifications(void **state)
{
    struct guest_memory *m = *state;
    m->code_changed = on_code_changed;
    changed_calls = 0;
    assert_int_equal(guest_map_anonymous(m, 0x80000, 2 * PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE, false), 0);
    assert_int_equal(changed_calls, 0); /* nothing executable was there */
    assert_int_equal(guest_protect(m, 0x80000, PAGE, GUEST_PROT_READ | GUEST_PROT_EXEC), 0);
    assert_int_equal(changed_calls, 0);
    assert_int_equal(guest_protect(m, 0x80000, PAGE, GUEST_PROT_READ | GUEST_PROT_WRITE), 0);
    assert_int_equal(changed_calls, 1);
    assert_int_equal(guest_protect(m, 0x80000, 2 * PAGE, GUEST_PROT_READ | GUEST_PROT_EXEC), 0);
    assert_int_equal(guest_unmap(m, 0x80000, 2 * PAGE), 0);
    assert_int_equal(changed_calls, 2);
    assert_int_equal(changed_start, 0x80000);
    assert_int_equal(changed_len, 2 * PAGE);
    m->code_changed = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_limits),
        cmocka_unit_test(test_map_and_permissions),
        cmocka_unit_test(test_invalid_requests),
        cmocka_unit_test(test_pointer_edges),
        cmocka_unit_test(test_strings_across_pages),
        cmocka_unit_test(test_find_free_top_down),
        cmocka_unit_test(test_code_change_notifications),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
