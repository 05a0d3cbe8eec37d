/* Helpers shared by the device model tests: an interrupt line that records its level, a
 * deterministic random generator for the hostile-input loops, and register accessors
 * that assert the access was accepted. */
#ifndef FERRY_TESTS_DEVICE_TEST_H
#define FERRY_TESTS_DEVICE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "devices/irq.h"
#include "devices/mmio.h"
#include "devices/guest_error.h"

struct line_probe {
    bool level;
    unsigned changes;
    unsigned last_line;
};

static void line_probe_set(void *ctx, unsigned line, bool level)
{
    struct line_probe *p = ctx;
    if (p->level != level)
        p->changes++;
    p->level = level;
    p->last_line = line;
}

static inline struct irq_line probe_line(struct line_probe *p)
{
    return (struct irq_line){ .set = line_probe_set, .ctx = p, .line = 0 };
}

/* xorshift64*: the hostile loops are reproducible. */
static inline uint64_t test_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

/* A random access size: mostly valid ones, sometimes nonsense. */
static inline unsigned random_size(uint64_t *state)
{
    static const unsigned sizes[] = { 1, 2, 4, 8, 4, 4, 0, 3, 16, 4 };
    return sizes[test_random(state) % (sizeof sizes / sizeof sizes[0])];
}

static inline uint32_t reg_read(const struct mmio_ops *ops, void *dev, uint64_t offset)
{
    uint64_t value = ~UINT64_C(0);
    assert_true(ops->read(dev, offset, 4, &value));
    assert_true(value <= UINT32_MAX);
    return (uint32_t)value;
}

static inline void reg_write(const struct mmio_ops *ops, void *dev, uint64_t offset, uint32_t value)
{
    assert_true(ops->write(dev, offset, 4, value));
}

static inline int quiet_setup(void **state)
{
    (void)state;
    device_guest_error_log_limit = 0;
    return 0;
}

#endif
