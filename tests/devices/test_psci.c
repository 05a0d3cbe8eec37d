/* Tests of PSCI/SMCCC dispatch: every implemented function, the error codes for CPU_ON
 * and AFFINITY_INFO with 1 and 2 CPUs, PSCI_FEATURES, SMCCC calls, unknown IDs, SMC32
 * argument truncation, and random calls. */
#include "device_test.h"
#include "devices/psci.h"

static uint64_t call(struct psci *p, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                     enum psci_action expected)
{
    uint64_t result = 0xdead;
    assert_int_equal(psci_call(p, x0, x1, x2, x3, &result), expected);
    return result;
}

#define NOT_SUPPORTED  UINT64_MAX                 /* -1 sign-extended */
#define INVALID_PARAMS ((uint64_t)(int64_t)-2)
#define ALREADY_ON     ((uint64_t)(int64_t)-4)

static void test_version_and_info(void **state)
{
    (void)state;
    struct psci p;
    psci_init(&p, 1);
    assert_int_equal(call(&p, 0x84000000, 0, 0, 0, PSCI_ACTION_NONE), 0x10000);
    assert_int_equal(call(&p, 0x84000006, 0, 0, 0, PSCI_ACTION_NONE), 2);
    assert_int_equal(call(&p, 0x80000000, 0, 0, 0, PSCI_ACTION_NONE), 0x10001);
    assert_int_equal(call(&p, 0x80000001, 0x80008000, 0, 0, PSCI_ACTION_NONE), NOT_SUPPORTED);
    assert_int_equal(call(&p, 0x80000001, 0x80000000, 0, 0, PSCI_ACTION_NONE), NOT_SUPPORTED);
    /* MIGRATE and MIGRATE_INFO_UP_CPU are not implemented */
    assert_int_equal(call(&p, 0x84000005, 0, 0, 0, PSCI_ACTION_NONE), NOT_SUPPORTED);
    assert_int_equal(call(&p, 0xc4000005, 0, 0, 0, PSCI_ACTION_NONE), NOT_SUPPORTED);
    assert_int_equal(call(&p, 0x84000007, 0, 0, 0, PSCI_ACTION_NONE), NOT_SUPPORTED);
    /* the function ID is W0: upper bits of x0 are ignored */
    assert_int_equal(call(&p, UINT64_C(0xffffffff84000000), 0, 0, 0, PSCI_ACTION_NONE), 0x10000);
    assert_int_equal(p.invalid_accesses, 0);
    assert_int_equal(p.unsupported_calls, 3);
}

static void test_features(void **state)
{
    (void)state;
    struct psci p;
    psci_init(&p, 1);
    static const uint32_t implemented[] = {
        0x84000000, 0x84000001, 0xc4000001, 0x84000002, 0x84000003, 0xc4000003,
        0x84000004, 0xc4000004, 0x84000006, 0x84000008, 0x84000009, 0x8400000a, 0x80000000,
    };
    for (unsigned i = 0; i < sizeof implemented / sizeof implemented[0]; i++)
        assert_int_equal(call(&p, 0x8400000a, implemented[i], 0, 0, PSCI_ACTION_NONE), 0);
    static const uint32_t absent[] = {
        0x84000005, 0x84000007, 0xc400000e, 0xc4000012, 0x84000012, 0x80000001, 0x84000050,
        0x8600ff01, 0, 0xffffffff,
    };
    for (unsigned i = 0; i < sizeof absent / sizeof absent[0]; i++)
        assert_int_equal(call(&p, 0x8400000a, absent[i], 0, 0, PSCI_ACTION_NONE), NOT_SUPPORTED);
}

static void test_power_actions(void **state)
{
    (void)state;
    struct psci p;
    psci_init(&p, 1);
    call(&p, 0x84000008, 0, 0, 0, PSCI_ACTION_SYSTEM_OFF);
    call(&p, 0x84000009, 0, 0, 0, PSCI_ACTION_SYSTEM_RESET);
    /* CPU_SUSPEND: standby (WFI) with SUCCESS; affinity levels are invalid */
    assert_int_equal(call(&p, 0xc4000001, 0, 0x40080000, 0, PSCI_ACTION_CPU_SUSPEND), 0);
    assert_int_equal(call(&p, 0x84000001, 0x10000, 0, 0, PSCI_ACTION_CPU_SUSPEND), 0);
    assert_int_equal(call(&p, 0x84000001, 0x1000000, 0, 0, PSCI_ACTION_NONE), INVALID_PARAMS);
    assert_int_equal(p.invalid_accesses, 1);
    /* CPU_OFF marks the caller off */
    call(&p, 0x84000002, 0, 0, 0, PSCI_ACTION_CPU_OFF);
    assert_int_equal(p.state[0], PSCI_CPU_OFF);
    assert_int_equal(call(&p, 0xc4000004, 0, 0, 0, PSCI_ACTION_NONE), PSCI_CPU_OFF);
}

static void test_cpu_on_one_cpu(void **state)
{
    (void)state;
    struct psci p;
    psci_init(&p, 1);
    assert_int_equal(call(&p, 0xc4000003, 0, 0x40080000, 0, PSCI_ACTION_NONE), ALREADY_ON);
    assert_int_equal(call(&p, 0xc4000003, 1, 0x40080000, 0, PSCI_ACTION_NONE), INVALID_PARAMS);
    assert_int_equal(call(&p, 0xc4000003, 0x100, 0x40080000, 0, PSCI_ACTION_NONE), INVALID_PARAMS);
    assert_int_equal(call(&p, 0xc4000003, UINT64_C(1) << 63, 0, 0, PSCI_ACTION_NONE), INVALID_PARAMS);
    assert_int_equal(call(&p, 0x84000003, 0, 0, 0, PSCI_ACTION_NONE), ALREADY_ON);
    assert_int_equal(call(&p, 0xc4000004, 0, 0, 0, PSCI_ACTION_NONE), PSCI_CPU_ON);
    assert_int_equal(call(&p, 0xc4000004, 1, 0, 0, PSCI_ACTION_NONE), INVALID_PARAMS);
    assert_int_equal(call(&p, 0xc4000004, 0, 4, 0, PSCI_ACTION_NONE), INVALID_PARAMS);
    assert_int_equal(call(&p, 0xc4000004, 0, 1, 0, PSCI_ACTION_NONE), PSCI_CPU_ON);   /* cluster */
    assert_int_equal(p.invalid_accesses, 5);
}

static void test_cpu_on_two_cpus(void **state)
{
    (void)state;
    struct psci p;
    psci_init(&p, 2);
    assert_int_equal(psci_cpu_mpidr(1), 1);
    assert_int_equal(psci_cpu_mpidr(9), 0x101);
    assert_int_equal(call(&p, 0xc4000004, 1, 0, 0, PSCI_ACTION_NONE), PSCI_CPU_OFF);
    assert_int_equal(call(&p, 0xc4000003, 1, 0x40080000, 0x1234, PSCI_ACTION_CPU_ON), 0);
    assert_int_equal(p.cpu_on.cpu, 1);
    assert_int_equal(p.cpu_on.entry, 0x40080000);
    assert_int_equal(p.cpu_on.context_id, 0x1234);
    assert_int_equal(call(&p, 0xc4000004, 1, 0, 0, PSCI_ACTION_NONE), PSCI_CPU_ON);
    assert_int_equal(call(&p, 0xc4000003, 1, 0x40080000, 0, PSCI_ACTION_NONE), ALREADY_ON);
    /* CPU 1 turns itself off; CPU 0 sees it */
    p.caller = 1;
    call(&p, 0x84000002, 0, 0, 0, PSCI_ACTION_CPU_OFF);
    p.caller = 0;
    assert_int_equal(call(&p, 0x84000004, 1, 0, 0, PSCI_ACTION_NONE), PSCI_CPU_OFF);
    /* SMC32 CPU_ON: 32-bit arguments */
    assert_int_equal(call(&p, 0x84000003, UINT64_C(0xffffffff00000001), UINT64_C(0xabcd40080000),
                          UINT64_C(0x100000007), PSCI_ACTION_CPU_ON), 0);
    assert_int_equal(p.cpu_on.entry, 0x40080000);
    assert_int_equal(p.cpu_on.context_id, 7);
    /* an out-of-range caller is treated as CPU 0 */
    p.caller = 77;
    call(&p, 0x84000002, 0, 0, 0, PSCI_ACTION_CPU_OFF);
    assert_int_equal(p.state[0], PSCI_CPU_OFF);
}

static void test_random_calls(void **state)
{
    (void)state;
    struct psci p;
    psci_init(&p, 3);
    uint64_t rng = 0x31415926;
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t x0 = test_random(&rng);
        if (x0 & 1)
            x0 = 0x84000000 | (x0 >> 8 & 0x4000001f);    /* near the real IDs */
        uint64_t x1 = test_random(&rng), x2 = test_random(&rng), x3 = test_random(&rng);
        if (x1 & 2)
            x1 &= 7;
        if (x2 & 2)
            x2 &= 3;
        p.caller = (unsigned)(x3 % 5);
        uint64_t result = 0;
        enum psci_action a = psci_call(&p, x0, x1, x2, x3, &result);
        assert_true(a <= PSCI_ACTION_CPU_SUSPEND);
        if (a == PSCI_ACTION_CPU_ON)
            assert_true(p.cpu_on.cpu < p.num_cpus);
        for (unsigned c = 0; c < PSCI_MAX_CPUS; c++)
            assert_true(p.state[c] == PSCI_CPU_ON || p.state[c] == PSCI_CPU_OFF);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_info),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_power_actions),
        cmocka_unit_test(test_cpu_on_one_cpu),
        cmocka_unit_test(test_cpu_on_two_cpus),
        cmocka_unit_test(test_random_calls),
    };
    return cmocka_run_group_tests_name("psci", tests, quiet_setup, NULL);
}
