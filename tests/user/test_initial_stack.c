/* Unit tests of the initial stack: the exact Linux layout (argc, argv, NULL, envp,
 * NULL, auxv), string contents, AT_* values, alignment, and overflow refusal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hypervisor/user/initial_stack.h"
#include "hypervisor/user/linux_abi.h"

#define LIMIT (64ull << 20)
#define STACK_BOTTOM (LIMIT - (1ull << 20))

static struct guest_memory mem;

static int setup(void **state)
{
    (void)state;
    if (guest_memory_init(&mem, LIMIT))
        return -1;
    return guest_map_anonymous(&mem, STACK_BOTTOM, LIMIT - STACK_BOTTOM,
                               GUEST_PROT_READ | GUEST_PROT_WRITE, false);
}

static int teardown(void **state)
{
    (void)state;
    guest_memory_destroy(&mem);
    return 0;
}

static uint64_t word(uint64_t addr)
{
    uint64_t v;
    assert_int_equal(guest_copy_from(&mem, &v, addr, 8), 0);
    return v;
}

static const char *str(uint64_t addr)
{
    int err = 0;
    const char *s = guest_string(&mem, addr, 4096, &err);
    assert_non_null(s);
    return s;
}

static uint64_t aux_value(uint64_t auxv, uint64_t key, int *found)
{
    for (uint64_t a = auxv;; a += 16) {
        uint64_t k = word(a);
        if (k == key) {
            *found = 1;
            return word(a + 8);
        }
        if (k == A64_AT_NULL) {
            *found = 0;
            return 0;
        }
    }
}

static struct elf_image image = {
    .entry = 0x400abc, .phdr_addr = 0x400040, .phnum = 7, .phentsize = 56,
};

static void test_layout(void **state)
{
    (void)state;
    const char *argv[] = { "/bin/prog", "first", "", "third arg" };
    const char *envp[] = { "A=1", "PATH=/usr/bin" };
    struct initial_stack_info info = {
        .argc = 4, .argv = argv, .envc = 2, .envp = envp, .execfn = "/bin/prog",
        .image = &image, .hwcap = A64_HWCAP_FP | A64_HWCAP_ASIMD, .hwcap2 = 0,
        .uid = 1000, .euid = 1001, .gid = 1002, .egid = 1003,
    };
    for (int i = 0; i < 16; i++)
        info.random[i] = (uint8_t)(i * 17 + 3);
    uint64_t sp = 0;
    assert_int_equal(initial_stack_build(&mem, STACK_BOTTOM, LIMIT, &info, &sp), 0);
    assert_int_equal(sp & 15, 0);
    assert_true(sp > STACK_BOTTOM && sp < LIMIT);
    assert_int_equal(word(sp), 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(str(word(sp + 8 + 8 * (uint64_t)i)), argv[i]);
    assert_int_equal(word(sp + 8 + 32), 0);
    uint64_t envp_addr = sp + 8 + 40;
    assert_string_equal(str(word(envp_addr)), "A=1");
    assert_string_equal(str(word(envp_addr + 8)), "PATH=/usr/bin");
    assert_int_equal(word(envp_addr + 16), 0);
    uint64_t auxv = envp_addr + 24;
    int found;
    assert_int_equal(aux_value(auxv, A64_AT_PAGESZ, &found), 4096); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_PHDR, &found), 0x400040); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_PHNUM, &found), 7); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_PHENT, &found), 56); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_ENTRY, &found), 0x400abc); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_HWCAP, &found), 3); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_HWCAP2, &found), 0); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_UID, &found), 1000);
    assert_int_equal(aux_value(auxv, A64_AT_EUID, &found), 1001);
    assert_int_equal(aux_value(auxv, A64_AT_GID, &found), 1002);
    assert_int_equal(aux_value(auxv, A64_AT_EGID, &found), 1003);
    assert_int_equal(aux_value(auxv, A64_AT_SECURE, &found), 0); assert_true(found);
    assert_int_equal(aux_value(auxv, A64_AT_CLKTCK, &found), 100);
    assert_string_equal(str(aux_value(auxv, A64_AT_PLATFORM, &found)), "aarch64");
    assert_string_equal(str(aux_value(auxv, A64_AT_EXECFN, &found)), "/bin/prog");
    uint8_t rnd[16];
    assert_int_equal(guest_copy_from(&mem, rnd, aux_value(auxv, A64_AT_RANDOM, &found), 16), 0);
    assert_memory_equal(rnd, info.random, 16);
    /* Strings sit above the tables, argv strings consecutive like Linux's. */
    assert_int_equal(word(sp + 16), word(sp + 8) + strlen(argv[0]) + 1);
    assert_true(word(sp + 8) > auxv);
}

static void test_empty_argv_and_env(void **state)
{
    (void)state;
    struct initial_stack_info info = { .argc = 0, .argv = NULL, .envc = 0, .envp = NULL,
                                       .execfn = "x", .image = &image };
    uint64_t sp = 0;
    assert_int_equal(initial_stack_build(&mem, STACK_BOTTOM, LIMIT, &info, &sp), 0);
    assert_int_equal(word(sp), 0);
    assert_int_equal(word(sp + 8), 0);  /* argv terminator */
    assert_int_equal(word(sp + 16), 0); /* envp terminator */
    assert_int_equal(word(sp + 24), A64_AT_PHDR);
}

static void test_refuses_overflow(void **state)
{
    (void)state;
    static char big[70000];
    memset(big, 'b', sizeof(big) - 1);
    const char *argv[] = { big, big };
    struct initial_stack_info info = { .argc = 2, .argv = argv, .envc = 0, .envp = NULL,
                                       .execfn = "x", .image = &image };
    uint64_t sp = 0;
    assert_int_equal(initial_stack_build(&mem, LIMIT - 100000, LIMIT, &info, &sp), -E2BIG);
    assert_int_equal(initial_stack_build(&mem, LIMIT - 200000, LIMIT, &info, &sp), 0);
    assert_int_equal(initial_stack_build(&mem, LIMIT, LIMIT, &info, &sp), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_empty_argv_and_env),
        cmocka_unit_test(test_refuses_overflow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
