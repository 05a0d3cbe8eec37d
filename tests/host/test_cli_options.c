/* Unit tests of the ferry command-line parser (hypervisor/cli_options.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hypervisor/cli_options.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int parse(int argc, char **argv, const char *env, struct ferry_options *o, char *err)
{
    memset(o, 0xa5, sizeof *o);
    return ferry_parse_options(argc, argv, env, o, err, 256);
}

static void test_help_and_version(void **state)
{
    struct ferry_options o;
    char err[256];
    char *a1[] = { "ferry", "--help" }, *a2[] = { "ferry", "-V" }, *a3[] = { "ferry", "help" };
    char *a4[] = { "ferry", "selftest", "--help" }, *a5[] = { "ferry", "version" };
    assert_int_equal(parse(ARGC(a1), a1, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_HELP);
    assert_int_equal(parse(ARGC(a2), a2, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_VERSION);
    assert_int_equal(parse(ARGC(a3), a3, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_HELP);
    assert_int_equal(parse(ARGC(a4), a4, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_HELP);
    assert_int_equal(parse(ARGC(a5), a5, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_VERSION);
    assert_non_null(strstr(ferry_usage_text, "selftest"));
}

static void test_selftest_defaults(void **state)
{
    struct ferry_options o;
    char err[256];
    char *argv[] = { "ferry", "selftest" };
    assert_int_equal(parse(ARGC(argv), argv, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_SELFTEST);
    assert_string_equal(o.kvm_device, "/dev/kvm");
    assert_null(o.engine_path);
    assert_int_equal(o.engine_memory, FERRY_DEFAULT_ENGINE_MEMORY);
    assert_int_equal(o.iterations, FERRY_DEFAULT_SELFTEST_ITERATIONS);
    assert_int_equal(o.watchdog_seconds, FERRY_DEFAULT_WATCHDOG_SECONDS);
    assert_int_equal(o.crash, FERRY_CRASH_NONE);
}

static void test_selftest_options(void **state)
{
    struct ferry_options o;
    char err[256];
    char *argv[] = { "ferry", "--kvm-device", "/tmp/k", "selftest", "--crash=ud",
                     "--iterations=5000", "--memory", "64M", "--engine=/x/e.elf",
                     "--watchdog", "0" };
    assert_int_equal(parse(ARGC(argv), argv, "/env/kvm", &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_SELFTEST);
    assert_string_equal(o.kvm_device, "/tmp/k");
    assert_string_equal(o.engine_path, "/x/e.elf");
    assert_int_equal(o.crash, FERRY_CRASH_INVALID_OPCODE);
    assert_int_equal(o.iterations, 5000);
    assert_int_equal(o.engine_memory, 64ull << 20);
    assert_int_equal(o.watchdog_seconds, 0);
    {
        char *a2[] = { "ferry", "selftest", "--crash" };
        assert_int_equal(parse(ARGC(a2), a2, NULL, &o, err), 0);
        assert_int_equal(o.crash, FERRY_CRASH_PAGE_FAULT);
    }
    {
        static const char *names[] = { "panic", "nested", "stack" };
        static const enum ferry_crash_kind kinds[] = { FERRY_CRASH_PANIC, FERRY_CRASH_NESTED,
                                                       FERRY_CRASH_STACK };
        for (int k = 0; k < 3; k++) {
            char arg[32];
            char *a[] = { "ferry", "selftest", arg };
            snprintf(arg, sizeof arg, "--crash=%s", names[k]);
            assert_int_equal(parse(3, a, NULL, &o, err), 0);
            assert_int_equal(o.crash, kinds[k]);
        }
    }
    {
        char *a3[] = { "ferry", "selftest", "--crash=pf", "--engine-memory", "1G" };
        assert_int_equal(parse(ARGC(a3), a3, NULL, &o, err), 0);
        assert_int_equal(o.crash, FERRY_CRASH_PAGE_FAULT);
        assert_int_equal(o.engine_memory, 1ull << 30);
    }
}

static void test_environment_device(void **state)
{
    struct ferry_options o;
    char err[256];
    char *argv[] = { "ferry", "selftest" };
    char *override[] = { "ferry", "selftest", "--kvm-device=/opt/kvm" };
    assert_int_equal(parse(ARGC(argv), argv, "/env/kvm", &o, err), 0);
    assert_string_equal(o.kvm_device, "/env/kvm");
    assert_int_equal(parse(ARGC(argv), argv, "", &o, err), 0);
    assert_string_equal(o.kvm_device, "/dev/kvm");
    assert_int_equal(parse(ARGC(override), override, "/env/kvm", &o, err), 0);
    assert_string_equal(o.kvm_device, "/opt/kvm");
}

static void test_run_options(void **state)
{
    struct ferry_options o;
    char err[256];
    char *argv[] = { "ferry", "run", "--kernel", "Image", "--initrd=rd.cpio", "--disk", "d.img",
                     "--append", "console=ttyAMA0 quiet", "-m", "2G" };
    char *no_kernel[] = { "ferry", "run", "-m", "1G" };
    assert_int_equal(parse(ARGC(argv), argv, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_RUN);
    assert_string_equal(o.kernel, "Image");
    assert_string_equal(o.initrd, "rd.cpio");
    assert_string_equal(o.disk, "d.img");
    assert_string_equal(o.append, "console=ttyAMA0 quiet");
    assert_int_equal(o.guest_memory, 2ull << 30);
    assert_int_equal(parse(ARGC(no_kernel), no_kernel, NULL, &o, err), -1);
    assert_non_null(strstr(err, "--kernel"));
    /* Defaults of the board options. */
    {
        char *plain[] = { "ferry", "run", "--kernel", "k" };
        assert_int_equal(parse(ARGC(plain), plain, NULL, &o, err), 0);
        assert_null(o.dtb);
        assert_null(o.dump_dtb);
        assert_null(o.initrd);
        assert_null(o.append);
        assert_false(o.stats);
        assert_false(o.interp);
        assert_false(o.hosted);
        assert_int_equal(o.mmu, FERRY_MMU_DEFAULT);
        assert_int_equal(o.guest_memory, FERRY_DEFAULT_GUEST_MEMORY);
    }
}

static void test_run_board_options(void **state)
{
    struct ferry_options o;
    char err[256];
    char *argv[] = { "ferry", "run", "--kernel=Image.gz", "--dtb", "virt.dtb", "--mem", "1G",
                     "--dump-dtb=out.dtb", "--stats", "--interp", "--mmu", "soft-tlb",
                     "--hosted", "--append=" };
    assert_int_equal(parse(ARGC(argv), argv, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_RUN);
    assert_string_equal(o.kernel, "Image.gz");
    assert_string_equal(o.dtb, "virt.dtb");
    assert_string_equal(o.dump_dtb, "out.dtb");
    assert_string_equal(o.append, "");
    assert_int_equal(o.guest_memory, 1ull << 30);
    assert_true(o.stats);
    assert_true(o.interp);
    assert_true(o.hosted);
    assert_int_equal(o.mmu, FERRY_MMU_SOFT_TLB);
    {
        char *a[] = { "ferry", "run", "--mmu=host-pt", "--kernel", "k", "--mem=255G" };
        assert_int_equal(parse(ARGC(a), a, NULL, &o, err), 0);
        assert_int_equal(o.mmu, FERRY_MMU_HOST_PT);
        assert_int_equal(o.guest_memory, 255ull << 30);
        assert_false(o.hosted);
    }
    {
        /* --mem, --memory and -m are one option: the last one wins. */
        char *a[] = { "ferry", "run", "--kernel", "k", "--mem", "64M", "-m", "128", "--memory=1M" };
        assert_int_equal(parse(ARGC(a), a, NULL, &o, err), 0);
        assert_int_equal(o.guest_memory, 1ull << 20);
    }
    assert_string_equal(ferry_mmu_strategy_name(FERRY_MMU_DEFAULT), "default");
    assert_string_equal(ferry_mmu_strategy_name(FERRY_MMU_HOST_PT), "host-pt");
    assert_string_equal(ferry_mmu_strategy_name(FERRY_MMU_SOFT_TLB), "soft-tlb");
    assert_non_null(strstr(ferry_usage_text, "--dump-dtb FILE"));
    assert_non_null(strstr(ferry_usage_text, "--mmu STRATEGY"));
}

static void test_user_passes_everything_through(void **state)
{
    struct ferry_options o;
    char err[256];
    char *argv[] = { "ferry", "--kvm-device", "/k", "user", "./prog", "--help", "-m", "x" };
    assert_int_equal(parse(ARGC(argv), argv, NULL, &o, err), 0);
    assert_int_equal(o.command, FERRY_CMD_USER);
    assert_int_equal(o.user_argi, 3);
    assert_string_equal(argv[o.user_argi], "user");
}

/* Every rejected command line names what is wrong in one line. */
static void test_errors(void **state)
{
    static const struct {
        const char *args[6];
        const char *expected;
    } cases[] = {
        { { "ferry" }, "no command" },
        { { "ferry", "frobnicate" }, "unknown command 'frobnicate'" },
        { { "ferry", "--bogus" }, "unknown option '--bogus'" },
        { { "ferry", "selftest", "--bogus" }, "unknown option '--bogus' for 'selftest'" },
        { { "ferry", "selftest", "extra" }, "unexpected argument 'extra'" },
        { { "ferry", "selftest", "--crash=maybe" }, "invalid crash kind 'maybe'" },
        { { "ferry", "selftest", "--iterations" }, "--iterations needs a value" },
        { { "ferry", "selftest", "--iterations", "0" }, "invalid iteration count '0'" },
        { { "ferry", "selftest", "--iterations", "12x" }, "invalid iteration count '12x'" },
        { { "ferry", "selftest", "--iterations", "-5" }, "invalid iteration count '-5'" },
        { { "ferry", "selftest", "--iterations", "99999999999999999999999" }, "invalid iteration" },
        { { "ferry", "selftest", "--memory", "8M" }, "invalid engine memory size '8M'" },
        { { "ferry", "selftest", "--memory", "2G" }, "invalid engine memory size '2G'" },
        { { "ferry", "--engine-memory", "lots", "selftest" }, "invalid engine memory size 'lots'" },
        { { "ferry", "--kvm-device" }, "--kvm-device needs a value" },
        { { "ferry", "--kvm-device=", "selftest" }, "non-empty path" },
        { { "ferry", "--engine", "", "selftest" }, "non-empty path" },
        { { "ferry", "--watchdog", "forever", "selftest" }, "invalid watchdog time 'forever'" },
        { { "ferry", "run", "--kernel" }, "--kernel needs a value" },
        { { "ferry", "run", "--kernel", "k", "-m", "3Q" }, "invalid guest memory size '3Q'" },
        { { "ferry", "run", "--kernel", "k", "--memory", "1T" }, "invalid guest memory size '1T'" },
        { { "ferry", "run", "--kernel", "k", "--crash" }, "unknown option '--crash' for 'run'" },
        { { "ferry", "run", "--kernel", "k", "--memory", "256G" }, "invalid guest memory size '256G'" },
        { { "ferry", "run", "--kernel", "k", "--mem", "0" }, "invalid guest memory size '0'" },
        { { "ferry", "run", "--kernel", "k", "--mem", "1000K" }, "invalid guest memory size '1000K'" },
        { { "ferry", "run", "--kernel", "k", "--mem=4097K" }, "invalid guest memory size '4097K'" },
        { { "ferry", "run", "--kernel", "k", "--mem" }, "option --mem needs a value" },
        { { "ferry", "run", "--kernel", "k", "--dtb" }, "option --dtb needs a value" },
        { { "ferry", "run", "--kernel", "k", "--dtb=" }, "option --dtb needs a non-empty path" },
        { { "ferry", "run", "--kernel", "k", "--dump-dtb", "" }, "option --dump-dtb needs a non-empty path" },
        { { "ferry", "run", "--kernel", "k", "--initrd=" }, "option --initrd needs a non-empty path" },
        { { "ferry", "run", "--kernel", "k", "--mmu" }, "option --mmu needs a value" },
        { { "ferry", "run", "--kernel", "k", "--mmu", "shadow" }, "invalid MMU strategy 'shadow' for --mmu" },
        { { "ferry", "run", "--kernel", "k", "--mmu=" }, "invalid MMU strategy '' for --mmu" },
        { { "ferry", "run", "--kernel", "k", "--stats=yes" }, "option --stats takes no value" },
        { { "ferry", "run", "--kernel", "k", "--interp=1" }, "option --interp takes no value" },
        { { "ferry", "run", "--kernel", "k", "--hosted=" }, "option --hosted takes no value" },
        { { "ferry", "run", "--kernel", "k", "--interpreter" }, "unknown option '--interpreter' for 'run'" },
        { { "ferry", "run", "--hosted", "--kernel", "k", "--mmu=host-pt" }, "--mmu host-pt needs the engine under KVM" },
        { { "ferry", "selftest", "--stats" }, "unknown option '--stats' for 'selftest'" },
        { { "ferry", "selftest", "--mem", "64M" }, "unknown option '--mem' for 'selftest'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[8] = { 0 };
        int argc = 0;
        struct ferry_options o;
        char err[256];
        while (argc < 6 && cases[i].args[argc]) {
            argv[argc] = (char *)cases[i].args[argc];
            argc++;
        }
        assert_int_equal(parse(argc, argv, NULL, &o, err), -1);
        if (!strstr(err, cases[i].expected))
            fail_msg("case %zu: error '%s' lacks '%s'", i, err, cases[i].expected);
        assert_null(strchr(err, '\n'));
    }
}

static void test_sizes(void **state)
{
    uint64_t b;
    assert_true(ferry_parse_size("256", &b));
    assert_int_equal(b, 256ull << 20);
    assert_true(ferry_parse_size("4k", &b));
    assert_int_equal(b, 4096);
    assert_true(ferry_parse_size("2GiB", &b));
    assert_int_equal(b, 2ull << 30);
    assert_true(ferry_parse_size("1TB", &b));
    assert_int_equal(b, 1ull << 40);
    assert_false(ferry_parse_size("", &b));
    assert_false(ferry_parse_size("M", &b));
    assert_false(ferry_parse_size("12MX", &b));
    assert_false(ferry_parse_size("-1M", &b));
    assert_false(ferry_parse_size("17179869184G", &b)); /* 2^34 GiB overflows */
    assert_false(ferry_parse_size("99999999999999999999", &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_selftest_defaults),
        cmocka_unit_test(test_selftest_options),
        cmocka_unit_test(test_environment_device),
        cmocka_unit_test(test_run_options),
        cmocka_unit_test(test_run_board_options),
        cmocka_unit_test(test_user_passes_everything_through),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sizes),
    };
    return cmocka_run_group_tests_name("cli_options", tests, NULL, NULL);
}
