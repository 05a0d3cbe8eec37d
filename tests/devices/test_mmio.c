/* Tests of the MMIO bus (registration, overlap rejection, lookup, straddling accesses,
 * results) and of irq_line_set. */
#include "device_test.h"

struct fake_device {
    uint64_t last_offset, last_value;
    unsigned last_size, reads, writes;
    bool refuse;
};

static bool fake_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct fake_device *d = dev;
    d->reads++;
    d->last_offset = offset;
    d->last_size = size;
    *value = UINT64_C(0x1122334455667788);   /* wider than any access: the bus truncates */
    return !d->refuse;
}

static bool fake_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct fake_device *d = dev;
    d->writes++;
    d->last_offset = offset;
    d->last_size = size;
    d->last_value = value;
    return !d->refuse;
}

static const struct mmio_ops fake_ops = { .read = fake_read, .write = fake_write };

static void test_add_rejects_overlaps_and_bad_regions(void **state)
{
    (void)state;
    struct mmio_bus bus;
    struct fake_device a = { 0 };
    mmio_bus_init(&bus);
    struct mmio_region r = { "a", 0x1000, 0x1000, &fake_ops, &a };
    assert_true(mmio_bus_add(&bus, &r));
    struct mmio_region overlap_low = { "b", 0x800, 0x801, &fake_ops, &a };
    struct mmio_region overlap_high = { "c", 0x1fff, 0x10, &fake_ops, &a };
    struct mmio_region inside = { "d", 0x1100, 0x10, &fake_ops, &a };
    struct mmio_region covering = { "e", 0x0, 0x10000, &fake_ops, &a };
    assert_false(mmio_bus_add(&bus, &overlap_low));
    assert_false(mmio_bus_add(&bus, &overlap_high));
    assert_false(mmio_bus_add(&bus, &inside));
    assert_false(mmio_bus_add(&bus, &covering));
    struct mmio_region touching_below = { "f", 0x800, 0x800, &fake_ops, &a };
    struct mmio_region touching_above = { "g", 0x2000, 0x10, &fake_ops, &a };
    assert_true(mmio_bus_add(&bus, &touching_below));
    assert_true(mmio_bus_add(&bus, &touching_above));
    struct mmio_region empty = { "h", 0x9000, 0, &fake_ops, &a };
    struct mmio_region wrapping = { "i", UINT64_MAX - 4, 0x10, &fake_ops, &a };
    struct mmio_region no_ops = { "j", 0x9000, 0x10, NULL, &a };
    assert_false(mmio_bus_add(&bus, &empty));
    assert_false(mmio_bus_add(&bus, &wrapping));
    assert_false(mmio_bus_add(&bus, &no_ops));
    struct mmio_region top = { "k", UINT64_MAX - 0xf, 0x10, &fake_ops, &a };
    assert_true(mmio_bus_add(&bus, &top));
    assert_int_equal(bus.count, 4);
    for (unsigned i = 1; i < bus.count; i++)
        assert_true(bus.regions[i - 1].base < bus.regions[i].base);
}

static void test_bus_fills_up(void **state)
{
    (void)state;
    struct mmio_bus bus;
    struct fake_device a = { 0 };
    mmio_bus_init(&bus);
    for (unsigned i = 0; i < MMIO_BUS_MAX_REGIONS; i++) {
        /* added in descending order: exercises insertion at the front */
        struct mmio_region r = { "r", (uint64_t)(MMIO_BUS_MAX_REGIONS - i) * 0x100, 0x100, &fake_ops, &a };
        assert_true(mmio_bus_add(&bus, &r));
    }
    struct mmio_region extra = { "x", 0x100000, 0x100, &fake_ops, &a };
    assert_false(mmio_bus_add(&bus, &extra));
    assert_non_null(mmio_bus_find(&bus, 0x100, 4));
    assert_non_null(mmio_bus_find(&bus, MMIO_BUS_MAX_REGIONS * 0x100 + 0xfc, 4));
    assert_null(mmio_bus_find(&bus, 0xfc, 8));
}

static void test_find_and_straddle(void **state)
{
    (void)state;
    struct mmio_bus bus;
    struct fake_device a = { 0 }, b = { 0 };
    mmio_bus_init(&bus);
    struct mmio_region ra = { "a", 0x09000000, 0x1000, &fake_ops, &a };
    struct mmio_region rb = { "b", 0x09001000, 0x1000, &fake_ops, &b };
    assert_true(mmio_bus_add(&bus, &rb));
    assert_true(mmio_bus_add(&bus, &ra));
    assert_ptr_equal(mmio_bus_find(&bus, 0x09000000, 4)->dev, &a);
    assert_ptr_equal(mmio_bus_find(&bus, 0x09000ff8, 8)->dev, &a);
    assert_ptr_equal(mmio_bus_find(&bus, 0x09001000, 1)->dev, &b);
    /* straddling two adjacent regions, or a region's end: nothing holds it */
    assert_null(mmio_bus_find(&bus, 0x09000ffc, 8));
    assert_null(mmio_bus_find(&bus, 0x09001ffe, 4));
    assert_null(mmio_bus_find(&bus, 0x08ffffff, 2));
    assert_null(mmio_bus_find(&bus, 0x0, 4));
    assert_null(mmio_bus_find(&bus, UINT64_MAX, 2));
    assert_null(mmio_bus_find(&bus, 0x09000000, 0));
}

static void test_read_write_results(void **state)
{
    (void)state;
    struct mmio_bus bus;
    struct fake_device a = { 0 };
    mmio_bus_init(&bus);
    struct mmio_region ra = { "a", 0x10000, 0x100, &fake_ops, &a };
    assert_true(mmio_bus_add(&bus, &ra));
    uint64_t v = 1;
    assert_int_equal(mmio_bus_read(&bus, 0x10010, 2, &v), MMIO_OK);
    assert_int_equal(v, 0x7788);            /* truncated to the access size */
    assert_int_equal(a.last_offset, 0x10);
    assert_int_equal(a.last_size, 2);
    assert_int_equal(mmio_bus_read(&bus, 0x10010, 8, &v), MMIO_OK);
    assert_int_equal(v, UINT64_C(0x1122334455667788));
    assert_int_equal(mmio_bus_write(&bus, 0x10020, 1, 0x1ff), MMIO_OK);
    assert_int_equal(a.last_value, 0xff);   /* the device never sees stray high bits */
    assert_int_equal(mmio_bus_read(&bus, 0x20000, 4, &v), MMIO_UNMAPPED);
    assert_int_equal(v, 0);
    assert_int_equal(mmio_bus_write(&bus, 0x100fe, 4, 0), MMIO_UNMAPPED);
    a.refuse = true;
    v = 5;
    assert_int_equal(mmio_bus_read(&bus, 0x10000, 4, &v), MMIO_DEVICE_ERROR);
    assert_int_equal(v, 0);
    assert_int_equal(mmio_bus_write(&bus, 0x10000, 4, 0), MMIO_DEVICE_ERROR);
    unsigned reads = a.reads;
    assert_int_equal(mmio_bus_read(&bus, 0x10000, 3, &v), MMIO_DEVICE_ERROR);
    assert_int_equal(a.reads, reads);       /* a bad size never reaches the device */
}

static void test_irq_line_set(void **state)
{
    (void)state;
    struct line_probe p = { 0 };
    struct irq_line l = probe_line(&p);
    l.line = 7;
    irq_line_set(&l, true);
    assert_true(p.level);
    assert_int_equal(p.last_line, 7);
    irq_line_set(&l, false);
    assert_false(p.level);
    struct irq_line unconnected = { 0 };
    irq_line_set(&unconnected, true);       /* no-op */
    irq_line_set(NULL, true);
}

/* Random regions and random accesses, checked against a brute-force search. */
static void test_random_bus(void **state)
{
    (void)state;
    static struct mmio_bus bus;
    struct fake_device d = { 0 };
    uint64_t rng = 0x5eed;
    for (unsigned round = 0; round < 50; round++) {
        mmio_bus_init(&bus);
        for (unsigned i = 0; i < 200; i++) {
            uint64_t base = test_random(&rng) % 0x100000;
            uint64_t size = 1 + test_random(&rng) % 0x3000;
            if (i % 17 == 0)
                base = test_random(&rng);           /* anywhere, possibly wrapping */
            struct mmio_region r = { "r", base, size, &fake_ops, &d };
            bool overlaps = false, wraps = base + (size - 1) < base;
            for (unsigned j = 0; j < bus.count; j++) {
                const struct mmio_region *o = &bus.regions[j];
                if (!wraps && base <= o->base + (o->size - 1) && o->base <= base + (size - 1))
                    overlaps = true;
            }
            bool expected = !overlaps && !wraps && bus.count < MMIO_BUS_MAX_REGIONS;
            assert_int_equal(mmio_bus_add(&bus, &r), expected);
        }
        for (unsigned i = 0; i < 2000; i++) {
            uint64_t addr = test_random(&rng) % 0x110000;
            unsigned size = random_size(&rng);
            const struct mmio_region *found = mmio_bus_find(&bus, addr, size);
            const struct mmio_region *expected = NULL;
            for (unsigned j = 0; j < bus.count && size > 0; j++) {
                const struct mmio_region *o = &bus.regions[j];
                if (addr >= o->base && addr + (size - 1) <= o->base + (o->size - 1) &&
                    addr + (size - 1) >= addr)
                    expected = o;
            }
            assert_ptr_equal(found, expected);
            uint64_t v;
            enum mmio_result res = mmio_bus_read(&bus, addr, size, &v);
            if (!mmio_size_valid(size))
                assert_int_equal(res, MMIO_DEVICE_ERROR);
            else
                assert_int_equal(res, expected ? MMIO_OK : MMIO_UNMAPPED);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_rejects_overlaps_and_bad_regions),
        cmocka_unit_test(test_bus_fills_up),
        cmocka_unit_test(test_find_and_straddle),
        cmocka_unit_test(test_read_write_results),
        cmocka_unit_test(test_irq_line_set),
        cmocka_unit_test(test_random_bus),
    };
    return cmocka_run_group_tests_name("mmio", tests, quiet_setup, NULL);
}
