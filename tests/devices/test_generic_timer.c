/* Tests of the generic timer: counters, CVAL/TVAL/ISTATUS/IMASK, output levels, the
 * next deadline, CNTVOFF, CNTKCTL_EL1 EL0 access rules, invalid writes, hostile values. */
#include "device_test.h"
#include "devices/generic_timer.h"

#define FREQ 62500000u

struct fixture {
    struct gtimer t;
    struct line_probe phys, virt;
};

static void setup_timer(struct fixture *f)
{
    *f = (struct fixture){ 0 };
    gtimer_init(&f->t, FREQ, probe_line(&f->phys), probe_line(&f->virt));
}

static void test_counters_and_frequency(void **state)
{
    (void)state;
    struct fixture f;
    setup_timer(&f);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTFRQ_EL0, 0), FREQ);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTPCT_EL0, 12345), 12345);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTVCT_EL0, 12345), 12345);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTVOFF_EL2, 0), 0);
    gtimer_write(&f.t, GTIMER_CNTVOFF_EL2, 1000, 0);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTVCT_EL0, 12345), 11345);
    gtimer_write(&f.t, GTIMER_CNTFRQ_EL0, UINT64_C(0x1234567890), 0);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTFRQ_EL0, 0), 0x34567890);  /* [63:32] RES0 */
    assert_int_equal(f.t.invalid_accesses, 0);
    gtimer_write(&f.t, GTIMER_CNTPCT_EL0, 5, 0);
    gtimer_write(&f.t, GTIMER_CNTVCT_EL0, 5, 0);
    assert_int_equal(f.t.invalid_accesses, 2);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTPCT_EL0, 7), 7);
}

static void test_physical_timer_cval(void **state)
{
    (void)state;
    struct fixture f;
    setup_timer(&f);
    assert_int_equal(gtimer_update(&f.t, 0), UINT64_MAX);      /* disabled */
    gtimer_write(&f.t, GTIMER_CNTP_CVAL_EL0, 1000, 0);
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE, 100);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CTL_EL0, 100), GTIMER_CTL_ENABLE);
    assert_false(f.phys.level);
    assert_int_equal(gtimer_update(&f.t, 100), 1000);
    assert_int_equal(gtimer_update(&f.t, 999), 1000);
    assert_false(f.phys.level);
    assert_int_equal(gtimer_update(&f.t, 1000), UINT64_MAX);   /* fired: only a write changes it */
    assert_true(f.phys.level);
    assert_false(f.virt.level);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CTL_EL0, 1000), GTIMER_CTL_ENABLE | GTIMER_CTL_ISTATUS);
    /* IMASK lowers the output at once; ISTATUS stays */
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK, 1001);
    assert_false(f.phys.level);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CTL_EL0, 1001), 7);
    /* a new CVAL in the future clears ISTATUS; unmasked it fires again later */
    gtimer_write(&f.t, GTIMER_CNTP_CVAL_EL0, 5000, 1002);
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE, 1003);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CTL_EL0, 1003), GTIMER_CTL_ENABLE);
    assert_false(f.phys.level);
    assert_int_equal(gtimer_update(&f.t, 1003), 5000);
    assert_int_equal(gtimer_update(&f.t, 7000), UINT64_MAX);
    assert_true(f.phys.level);
    /* disabling lowers it; ISTATUS is 0 when disabled; ISTATUS and RES0 bits ignored */
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, ~UINT64_C(0) & ~UINT64_C(3), 7001);
    assert_false(f.phys.level);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CTL_EL0, 7001), 0);
    assert_int_equal(f.t.invalid_accesses, 0);
}

static void test_tval(void **state)
{
    (void)state;
    struct fixture f;
    setup_timer(&f);
    gtimer_write(&f.t, GTIMER_CNTP_TVAL_EL0, 500, 10000);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CVAL_EL0, 0), 10500);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_TVAL_EL0, 10100), 400);
    /* after expiry TVAL counts down past zero: 32-bit two's complement, zero-extended */
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_TVAL_EL0, 10600), 0xffffff9c);
    /* a negative TVAL puts CVAL in the past: fires at once when enabled */
    gtimer_write(&f.t, GTIMER_CNTP_TVAL_EL0, 0xfffffff6, 20000);    /* -10 */
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CVAL_EL0, 0), 19990);
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE, 20000);
    assert_true(f.phys.level);
    /* only the low 32 bits of a TVAL write count */
    gtimer_write(&f.t, GTIMER_CNTP_TVAL_EL0, UINT64_C(0xabcd00000010), 20000);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_CVAL_EL0, 0), 20016);
    assert_false(f.phys.level);
    /* TVAL truncates a far CVAL */
    gtimer_write(&f.t, GTIMER_CNTP_CVAL_EL0, UINT64_C(0x100000005), 0);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTP_TVAL_EL0, 0), 5);
}

static void test_virtual_timer_with_offset(void **state)
{
    (void)state;
    struct fixture f;
    setup_timer(&f);
    gtimer_write(&f.t, GTIMER_CNTVOFF_EL2, 1000, 0);
    gtimer_write(&f.t, GTIMER_CNTV_CVAL_EL0, 5000, 2000);      /* virtual 5000 = physical 6000 */
    gtimer_write(&f.t, GTIMER_CNTV_CTL_EL0, GTIMER_CTL_ENABLE, 2000);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTV_TVAL_EL0, 2000), 4000);
    assert_int_equal(gtimer_update(&f.t, 2000), 6000);
    /* both timers armed: the earlier deadline wins */
    gtimer_write(&f.t, GTIMER_CNTP_CVAL_EL0, 3000, 2000);
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE, 2000);
    assert_int_equal(gtimer_update(&f.t, 2000), 3000);
    assert_int_equal(gtimer_update(&f.t, 3000), 6000);
    assert_true(f.phys.level);
    assert_false(f.virt.level);
    gtimer_update(&f.t, 6000);
    assert_true(f.virt.level);
    gtimer_write(&f.t, GTIMER_CNTV_TVAL_EL0, 100, 6000);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTV_CVAL_EL0, 0), 5100);
    assert_false(f.virt.level);
    assert_int_equal(f.virt.changes, 2);
    /* a deadline beyond the end of time saturates */
    gtimer_write(&f.t, GTIMER_CNTP_CTL_EL0, 0, 6000);
    gtimer_write(&f.t, GTIMER_CNTVOFF_EL2, UINT64_MAX - 10, 6000);
    gtimer_write(&f.t, GTIMER_CNTV_CVAL_EL0, UINT64_MAX, 6000);
    uint64_t next = gtimer_update(&f.t, 6000);
    assert_true(next > 6000);
}

static void test_el0_access(void **state)
{
    (void)state;
    struct fixture f;
    setup_timer(&f);
    for (int r = 0; r < GTIMER_NUM_REGS; r++) {
        assert_false(gtimer_el0_access_ok(&f.t, r, false));
        assert_false(gtimer_el0_access_ok(&f.t, r, true));
    }
    gtimer_write(&f.t, GTIMER_CNTKCTL_EL1, GTIMER_CNTKCTL_EL0VCTEN, 0);
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTVCT_EL0, false));
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTFRQ_EL0, false));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTFRQ_EL0, true));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTPCT_EL0, false));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTVCT_EL0, true));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTV_CTL_EL0, false));
    gtimer_write(&f.t, GTIMER_CNTKCTL_EL1, GTIMER_CNTKCTL_EL0PCTEN | GTIMER_CNTKCTL_EL0PTEN, 0);
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTPCT_EL0, false));
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTFRQ_EL0, false));
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTP_CTL_EL0, true));
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTP_TVAL_EL0, false));
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTP_CVAL_EL0, true));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTV_CVAL_EL0, true));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTVCT_EL0, false));
    gtimer_write(&f.t, GTIMER_CNTKCTL_EL1, GTIMER_CNTKCTL_EL0VTEN, 0);
    assert_true(gtimer_el0_access_ok(&f.t, GTIMER_CNTV_TVAL_EL0, true));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTKCTL_EL1, false));
    assert_false(gtimer_el0_access_ok(&f.t, GTIMER_CNTVOFF_EL2, false));
    /* CNTKCTL keeps bits [9:0] only */
    gtimer_write(&f.t, GTIMER_CNTKCTL_EL1, UINT64_MAX, 0);
    assert_int_equal(gtimer_read(&f.t, GTIMER_CNTKCTL_EL1, 0), 0x3ff);
    assert_false(gtimer_el0_access_ok(&f.t, (enum gtimer_reg)1000, false));
}

static void test_hostile(void **state)
{
    (void)state;
    struct fixture f;
    setup_timer(&f);
    uint64_t rng = 0xfeedface;
    uint64_t now = 0;
    for (unsigned i = 0; i < 50000; i++) {
        uint64_t r = test_random(&rng);
        int reg = (int)(r % (GTIMER_NUM_REGS + 3)) - 1;     /* includes -1 and past the end */
        uint64_t value = test_random(&rng);
        if (r & 0x100)
            now += value % 5000;
        else if ((r & 0xff00) == 0)
            now = value;                                    /* arbitrary jumps */
        if (r & 0x200)
            gtimer_write(&f.t, (enum gtimer_reg)reg, value, now);
        else
            (void)gtimer_read(&f.t, (enum gtimer_reg)reg, now);
        (void)gtimer_el0_access_ok(&f.t, (enum gtimer_reg)reg, r & 0x400);
        uint64_t next = gtimer_update(&f.t, now);
        assert_true(next == UINT64_MAX || next > now);
        /* the outputs follow the architecture's formula */
        bool phys_out = (f.t.phys.ctl & 1) && !(f.t.phys.ctl & 2) && now >= f.t.phys.cval;
        bool virt_out = (f.t.virt.ctl & 1) && !(f.t.virt.ctl & 2) && now - f.t.cntvoff >= f.t.virt.cval;
        assert_int_equal(f.phys.level, phys_out);
        assert_int_equal(f.virt.level, virt_out);
        assert_true((f.t.phys.ctl & ~3u) == 0 && (f.t.virt.ctl & ~3u) == 0);
    }
    assert_true(f.t.invalid_accesses > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_and_frequency),
        cmocka_unit_test(test_physical_timer_cval),
        cmocka_unit_test(test_tval),
        cmocka_unit_test(test_virtual_timer_with_offset),
        cmocka_unit_test(test_el0_access),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests_name("generic_timer", tests, quiet_setup, NULL);
}
