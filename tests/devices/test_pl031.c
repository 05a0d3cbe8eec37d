/* Tests of the PL031 model: counter from the host clock, LR offset, match interrupt
 * (exact, jumped past, at MR write), masking and clearing, IDs, invalid accesses, and a
 * hostile random loop. */
#include "device_test.h"
#include "devices/pl031.h"

#define DR 0x000
#define MR 0x004
#define LR 0x008
#define CR 0x00c
#define IMSC 0x010
#define RIS 0x014
#define MIS 0x018
#define ICR 0x01c

struct fixture {
    struct pl031 rtc;
    uint64_t clock;
    struct line_probe irq;
};

static uint64_t fake_clock(void *ctx)
{
    return ((struct fixture *)ctx)->clock;
}

static void setup_rtc(struct fixture *f, uint64_t start)
{
    *f = (struct fixture){ .clock = start };
    pl031_init(&f->rtc, fake_clock, f, probe_line(&f->irq));
}

static uint32_t rd(struct fixture *f, unsigned off) { return reg_read(&pl031_ops, &f->rtc, off); }
static void wr(struct fixture *f, unsigned off, uint32_t v) { reg_write(&pl031_ops, &f->rtc, off, v); }

static void test_counter_and_load(void **state)
{
    (void)state;
    struct fixture f;
    setup_rtc(&f, 1700000000);
    assert_int_equal(rd(&f, DR), 1700000000);
    f.clock += 5;
    assert_int_equal(rd(&f, DR), 1700000005);
    assert_int_equal(rd(&f, CR), 1);
    wr(&f, LR, 1000);                       /* the guest sets the time */
    assert_int_equal(rd(&f, DR), 1000);
    assert_int_equal(rd(&f, LR), 1000);
    f.clock += 7;
    assert_int_equal(rd(&f, DR), 1007);
    wr(&f, CR, 0);                          /* cannot be stopped */
    assert_int_equal(rd(&f, CR), 1);
    f.clock = UINT64_C(0x100000010);        /* beyond 32 bits: wraps like the hardware */
    wr(&f, LR, 0);
    f.clock += 1;
    assert_int_equal(rd(&f, DR), 1);
    static const uint8_t id[8] = { 0x31, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(rd(&f, 0xfe0 + 4 * i), id[i]);
    assert_int_equal(f.rtc.invalid_accesses, 0);
}

static void test_match_interrupt(void **state)
{
    (void)state;
    struct fixture f;
    setup_rtc(&f, 100);
    wr(&f, IMSC, 1);
    wr(&f, MR, 103);
    pl031_update(&f.rtc);
    assert_false(f.irq.level);
    f.clock = 102;
    pl031_update(&f.rtc);
    assert_false(f.irq.level);
    f.clock = 103;
    pl031_update(&f.rtc);
    assert_true(f.irq.level);
    assert_int_equal(rd(&f, RIS), 1);
    assert_int_equal(rd(&f, MIS), 1);
    wr(&f, ICR, 1);
    assert_false(f.irq.level);
    assert_int_equal(rd(&f, RIS), 0);
    /* jumping past MR (the host slept) still matches */
    wr(&f, MR, 200);
    f.clock = 500;
    pl031_update(&f.rtc);
    assert_true(f.irq.level);
    wr(&f, ICR, 1);
    /* masked: RIS set, MIS and the line stay low; unmasking raises it */
    wr(&f, IMSC, 0);
    wr(&f, MR, 510);
    f.clock = 510;
    pl031_update(&f.rtc);
    assert_int_equal(rd(&f, RIS), 1);
    assert_int_equal(rd(&f, MIS), 0);
    assert_false(f.irq.level);
    wr(&f, IMSC, 1);
    assert_true(f.irq.level);
    wr(&f, ICR, 1);
    /* MR equal to the current count matches at once; so does an LR landing on MR */
    wr(&f, MR, 510);
    assert_true(f.irq.level);
    wr(&f, ICR, 1);
    wr(&f, MR, 9);
    wr(&f, LR, 9);
    assert_true(f.irq.level);
    wr(&f, ICR, 1);
    /* counting across 2^32 */
    wr(&f, LR, 0xfffffffe);
    wr(&f, MR, 1);
    f.clock += 4;
    pl031_update(&f.rtc);
    assert_true(f.irq.level);
    assert_int_equal(f.rtc.invalid_accesses, 0);
}

static void test_next_event(void **state)
{
    (void)state;
    struct fixture f;
    setup_rtc(&f, 1000);
    assert_int_equal(pl031_next_event(&f.rtc), UINT64_MAX);    /* masked */
    wr(&f, IMSC, 1);
    wr(&f, MR, 1010);
    assert_int_equal(pl031_next_event(&f.rtc), 1010);
    wr(&f, LR, 5);                                             /* count 5 at host 1000 */
    assert_int_equal(pl031_next_event(&f.rtc), 1000 + 1005);
    f.clock = 2005;
    assert_int_equal(pl031_next_event(&f.rtc), UINT64_MAX);    /* raised: nothing to wait for */
    assert_true(f.irq.level);
    wr(&f, ICR, 1);
    assert_int_equal(pl031_next_event(&f.rtc), 2005 + (UINT64_C(1) << 32));
    f.clock = UINT64_MAX - 2;                                  /* no overflow */
    wr(&f, MR, rd(&f, DR) + 100);
    assert_int_equal(pl031_next_event(&f.rtc), UINT64_MAX);
}

static void test_invalid_accesses(void **state)
{
    (void)state;
    struct fixture f;
    setup_rtc(&f, 0);
    uint64_t v = 0;
    assert_false(pl031_ops.read(&f.rtc, DR, 8, &v));
    assert_false(pl031_ops.read(&f.rtc, 2, 4, &v));
    assert_false(pl031_ops.write(&f.rtc, 0x1000, 4, 0));
    assert_int_equal(f.rtc.invalid_accesses, 3);
    assert_true(pl031_ops.read(&f.rtc, DR, 1, &v));     /* sub-word: RAZ, counted */
    assert_true(pl031_ops.write(&f.rtc, LR, 2, 5));     /* ignored */
    assert_int_equal(rd(&f, LR), 0);
    wr(&f, DR, 5);
    wr(&f, RIS, 1);
    wr(&f, MIS, 1);
    wr(&f, 0xfe0, 1);
    assert_int_equal(rd(&f, ICR), 0);
    assert_int_equal(rd(&f, 0x020), 0);
    assert_int_equal(f.rtc.invalid_accesses, 11);
    assert_int_equal(rd(&f, DR), 0);
    /* no clock callback: counts from 0 */
    struct pl031 bare;
    pl031_init(&bare, NULL, NULL, (struct irq_line){ 0 });
    assert_int_equal(reg_read(&pl031_ops, &bare, DR), 0);
    reg_write(&pl031_ops, &bare, IMSC, 1);
    reg_write(&pl031_ops, &bare, MR, 0);
    assert_true(bare.irq_level);
}

static void test_hostile(void **state)
{
    (void)state;
    struct fixture f;
    setup_rtc(&f, 1700000000);
    uint64_t rng = 0x0badf00d;
    for (unsigned i = 0; i < 40000; i++) {
        uint64_t r = test_random(&rng);
        unsigned size = random_size(&rng);
        uint64_t offset = (r & 3) == 0 ? test_random(&rng) : test_random(&rng) % 0x1010;
        if ((r & 0xc) == 0)
            offset = (test_random(&rng) % 0x20) & ~UINT64_C(3);
        uint64_t value = test_random(&rng);
        uint64_t out = 0;
        if (r & 0x100)
            f.clock += value % 3;
        if ((r & 0xff00) == 0)
            f.clock = value;
        switch ((r >> 16) % 3) {
        case 0:
            if (pl031_ops.read(&f.rtc, offset, size, &out))
                assert_true(out <= mmio_size_mask(size));
            break;
        case 1:
            pl031_ops.write(&f.rtc, offset, size, value);
            break;
        case 2:
            if (r & 0x200) {
                uint64_t next = pl031_next_event(&f.rtc);
                assert_true(next == UINT64_MAX || next > f.clock);
            } else {
                pl031_update(&f.rtc);
            }
            break;
        }
        assert_int_equal(f.irq.level, (f.rtc.ris & f.rtc.imsc) != 0);
        assert_true(f.rtc.ris <= 1 && f.rtc.imsc <= 1);
    }
    assert_true(f.rtc.invalid_accesses > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_and_load),
        cmocka_unit_test(test_match_interrupt),
        cmocka_unit_test(test_next_event),
        cmocka_unit_test(test_invalid_accesses),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests_name("pl031", tests, quiet_setup, NULL);
}
