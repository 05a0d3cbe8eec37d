/* The devices wired as on the virt board: GICv2, generic timer PPIs, PL011 on SPI 1 and
 * PL031 on SPI 2, behind one MMIO bus at QEMU's addresses. Replays what the bare-metal
 * tests (tests/baremetal/timer.c, uart_input.c, devices.c) do through the bus, with the
 * CPU's side (IAR, EOI, timer system registers) done by hand. */
#include "device_test.h"
#include "devices/generic_timer.h"
#include "devices/gicv2.h"
#include "devices/pl011.h"
#include "devices/pl031.h"

struct board {
    struct mmio_bus bus;
    struct gicv2 gic;
    struct gtimer timer;
    struct pl011 uart;
    struct pl031 rtc;
    uint64_t wall_clock;
    char console[128];
    unsigned console_len;
};

static void console_tx(void *ctx, uint8_t byte)
{
    struct board *b = ctx;
    if (b->console_len < sizeof b->console - 1)
        b->console[b->console_len++] = (char)byte;
}

static uint64_t wall_clock(void *ctx)
{
    return ((struct board *)ctx)->wall_clock;
}

static void board_init(struct board *b)
{
    memset(b, 0, sizeof *b);
    b->wall_clock = 1700000000;
    gicv2_init(&b->gic, 1, GICV2_VIRT_IRQS);
    gtimer_init(&b->timer, 62500000, gicv2_ppi_irq_line(&b->gic, 0, GTIMER_PHYS_INTID),
                gicv2_ppi_irq_line(&b->gic, 0, GTIMER_VIRT_INTID));
    pl011_init(&b->uart, console_tx, b, gicv2_spi_irq_line(&b->gic, PL011_INTID));
    pl031_init(&b->rtc, wall_clock, b, gicv2_spi_irq_line(&b->gic, PL031_INTID));
    mmio_bus_init(&b->bus);
    const struct mmio_region regions[] = {
        { "gic-dist", GICV2_DIST_BASE, GICV2_DIST_SIZE, &gicv2_dist_ops, &b->gic },
        { "gic-cpu", GICV2_CPU_BASE, GICV2_CPU_SIZE, &gicv2_cpu_ops, &b->gic },
        { "pl011", PL011_BASE, PL011_SIZE, &pl011_ops, &b->uart },
        { "pl031", PL031_BASE, PL031_SIZE, &pl031_ops, &b->rtc },
    };
    for (unsigned i = 0; i < sizeof regions / sizeof regions[0]; i++)
        assert_true(mmio_bus_add(&b->bus, &regions[i]));
}

static uint32_t r32(struct board *b, uint64_t addr)
{
    uint64_t v;
    assert_int_equal(mmio_bus_read(&b->bus, addr, 4, &v), MMIO_OK);
    return (uint32_t)v;
}

static void w32(struct board *b, uint64_t addr, uint32_t v)
{
    assert_int_equal(mmio_bus_write(&b->bus, addr, 4, v), MMIO_OK);
}

static void w8(struct board *b, uint64_t addr, uint8_t v)
{
    assert_int_equal(mmio_bus_write(&b->bus, addr, 1, v), MMIO_OK);
}

/* tests/baremetal/lib/gic.c's gic_init and gic_enable_irq */
static void gic_init(struct board *b)
{
    w32(b, GICV2_DIST_BASE + 0x000, 0);
    for (unsigned i = 0; i < 288; i += 32) {
        w32(b, GICV2_DIST_BASE + 0x180 + i / 8, 0xffffffff);
        w32(b, GICV2_DIST_BASE + 0x280 + i / 8, 0xffffffff);
    }
    for (unsigned i = 32; i < 288; i += 4)
        w32(b, GICV2_DIST_BASE + 0x800 + i, 0x01010101);
    w32(b, GICV2_DIST_BASE + 0x000, 1);
    w32(b, GICV2_CPU_BASE + 0x04, 0xf0);
    w32(b, GICV2_CPU_BASE + 0x08, 0);
    w32(b, GICV2_CPU_BASE + 0x00, 1);
}

static void gic_enable_irq(struct board *b, unsigned intid, uint8_t prio)
{
    w8(b, GICV2_DIST_BASE + 0x400 + intid, prio);
    w32(b, GICV2_DIST_BASE + 0x100 + intid / 32 * 4, 1u << (intid % 32));
}

static void test_timer_interrupt_through_gic(void **state)
{
    (void)state;
    static struct board b;
    board_init(&b);
    gic_init(&b);
    gic_enable_irq(&b, GTIMER_VIRT_INTID, 0x80);
    gic_enable_irq(&b, GTIMER_PHYS_INTID, 0x80);
    uint64_t now = 1000000;
    gtimer_write(&b.timer, GTIMER_CNTV_TVAL_EL0, 62500, now);        /* 1 ms */
    gtimer_write(&b.timer, GTIMER_CNTV_CTL_EL0, GTIMER_CTL_ENABLE, now);
    assert_int_equal(gtimer_read(&b.timer, GTIMER_CNTV_CTL_EL0, now), 1);
    uint64_t deadline = gtimer_update(&b.timer, now);
    assert_int_equal(deadline, now + 62500);
    assert_false(gicv2_irq_line(&b.gic, 0));
    /* the halted CPU sleeps until the deadline, then polls */
    now = deadline;
    gtimer_update(&b.timer, now);
    assert_true(gicv2_irq_line(&b.gic, 0));
    uint32_t iar = r32(&b, GICV2_CPU_BASE + 0x0c);
    assert_int_equal(iar, 27);
    assert_int_equal(gtimer_read(&b.timer, GTIMER_CNTV_CTL_EL0, now), 5);
    /* the handler masks the timer, then EOIs: nothing re-fires */
    gtimer_write(&b.timer, GTIMER_CNTV_CTL_EL0, GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK, now + 10);
    w32(&b, GICV2_CPU_BASE + 0x10, iar);
    assert_false(gicv2_irq_line(&b.gic, 0));
    assert_int_equal(r32(&b, GICV2_CPU_BASE + 0x0c), 1023);
    /* CVAL in the past with IMASK=1: CTL 7, not pending at the GIC, TVAL negative */
    gtimer_write(&b.timer, GTIMER_CNTP_CVAL_EL0, now - 100, now);
    gtimer_write(&b.timer, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE | GTIMER_CTL_IMASK, now);
    assert_int_equal(gtimer_read(&b.timer, GTIMER_CNTP_CTL_EL0, now), 7);
    assert_int_equal(r32(&b, GICV2_DIST_BASE + 0x200) >> 30 & 1, 0);
    assert_true((int32_t)gtimer_read(&b.timer, GTIMER_CNTP_TVAL_EL0, now) < 0);
    gtimer_write(&b.timer, GTIMER_CNTP_CTL_EL0, GTIMER_CTL_ENABLE, now);
    assert_int_equal(r32(&b, GICV2_CPU_BASE + 0x0c), 30);
    assert_int_equal(b.gic.invalid_accesses, 0);
}

static void test_uart_receive_interrupt(void **state)
{
    (void)state;
    static struct board b;
    board_init(&b);
    w32(&b, PL011_BASE + 0x2c, 0x70);
    w32(&b, PL011_BASE + 0x30, 0x301);
    gic_init(&b);
    gic_enable_irq(&b, PL011_INTID, 0x80);
    w32(&b, PL011_BASE + 0x38, PL011_INT_RX | PL011_INT_RT);
    const char *input = "the receive interrupt path: 0123456789 ABCDEFGHIJKLMNOPQRSTUV\n";
    size_t fed = 0, total = strlen(input);
    char line[128];
    size_t len = 0;
    unsigned interrupts = 0;
    while (fed < total || gicv2_irq_line(&b.gic, 0)) {
        /* the platform feeds host input at a check point, up to what fits */
        fed += pl011_receive(&b.uart, (const uint8_t *)input + fed, total - fed);
        if (!gicv2_irq_line(&b.gic, 0))
            continue;
        interrupts++;
        uint32_t iar = r32(&b, GICV2_CPU_BASE + 0x0c);
        assert_int_equal(iar, PL011_INTID);
        while (!(r32(&b, PL011_BASE + 0x18) & PL011_FR_RXFE))
            line[len++] = (char)r32(&b, PL011_BASE + 0x00);
        if (len > 0)
            w32(&b, PL011_BASE + 0x00, (uint8_t)line[len - 1]);   /* echo */
        w32(&b, GICV2_CPU_BASE + 0x10, iar);
        assert_true(interrupts < 100);
    }
    assert_int_equal(len, total);
    assert_memory_equal(line, input, total);
    assert_true(interrupts >= 4);           /* 16-entry FIFO: several rounds */
    assert_true(b.console_len > 0);
    assert_int_equal(b.uart.invalid_accesses, 0);
}

static void test_rtc_alarm(void **state)
{
    (void)state;
    static struct board b;
    board_init(&b);
    gic_init(&b);
    gic_enable_irq(&b, PL031_INTID, 0x80);
    assert_int_equal(r32(&b, PL031_BASE + 0xfe0), 0x31);
    assert_int_equal(r32(&b, PL011_BASE + 0xfe0), 0x11);
    w32(&b, PL031_BASE + 0x08, 1000000);
    assert_int_equal(r32(&b, PL031_BASE + 0x00), 1000000);
    w32(&b, PL031_BASE + 0x10, 1);
    w32(&b, PL031_BASE + 0x1c, 1);
    w32(&b, PL031_BASE + 0x04, r32(&b, PL031_BASE + 0x00) + 1);
    /* WFI: the platform sleeps until the RTC's next event */
    uint64_t wake = pl031_next_event(&b.rtc);
    assert_int_equal(wake, b.wall_clock + 1);
    b.wall_clock = wake;
    pl031_update(&b.rtc);
    assert_true(gicv2_irq_line(&b.gic, 0));
    uint32_t iar = r32(&b, GICV2_CPU_BASE + 0x0c);
    assert_int_equal(iar, PL031_INTID);
    w32(&b, PL031_BASE + 0x1c, 1);
    w32(&b, GICV2_CPU_BASE + 0x10, iar);
    assert_int_equal(r32(&b, PL031_BASE + 0x14), 0);
    assert_false(gicv2_irq_line(&b.gic, 0));
    /* nothing behind the gaps of the map; beyond the GIC's register windows: abort */
    uint64_t v;
    assert_int_equal(mmio_bus_read(&b.bus, 0x09100000, 4, &v), MMIO_UNMAPPED);
    assert_int_equal(mmio_bus_read(&b.bus, 0x0b000000, 4, &v), MMIO_UNMAPPED);
    assert_int_equal(mmio_bus_read(&b.bus, GICV2_DIST_BASE + 0x1000, 4, &v), MMIO_DEVICE_ERROR);
    assert_int_equal(mmio_bus_read(&b.bus, PL011_BASE, 8, &v), MMIO_DEVICE_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_interrupt_through_gic),
        cmocka_unit_test(test_uart_receive_interrupt),
        cmocka_unit_test(test_rtc_alarm),
    };
    return cmocka_run_group_tests_name("board", tests, quiet_setup, NULL);
}
