/* Tests of the PL011 model: TX sink, 8/16/32-bit accesses, FR bits, RX FIFO with FEN on
 * and off, interrupt raising/masking/clearing, earlycon and Linux driver sequences,
 * loopback, IDs, invalid accesses, and a hostile random loop. */
#include "device_test.h"
#include "devices/pl011.h"

#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048

struct sink {
    uint8_t bytes[256];
    unsigned count;
};

static void sink_tx(void *ctx, uint8_t byte)
{
    struct sink *s = ctx;
    if (s->count < sizeof s->bytes)
        s->bytes[s->count] = byte;
    s->count++;
}

struct fixture {
    struct pl011 u;
    struct sink out;
    struct line_probe irq;
};

static void setup_uart(struct fixture *f)
{
    *f = (struct fixture){ 0 };
    pl011_init(&f->u, sink_tx, &f->out, probe_line(&f->irq));
}

static uint32_t rd(struct fixture *f, unsigned off) { return reg_read(&pl011_ops, &f->u, off); }
static void wr(struct fixture *f, unsigned off, uint32_t v) { reg_write(&pl011_ops, &f->u, off, v); }

static uint32_t rd16(struct fixture *f, unsigned off)
{
    uint64_t v = ~UINT64_C(0);
    assert_true(pl011_ops.read(&f->u, off, 2, &v));
    assert_true(v <= 0xffff);
    return (uint32_t)v;
}

static void test_reset_and_ids(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    assert_int_equal(rd(&f, FR), PL011_FR_TXFE | PL011_FR_RXFE);
    assert_int_equal(rd(&f, CR), 0x300);
    assert_int_equal(rd(&f, IFLS), 0x12);
    assert_int_equal(rd(&f, RIS), 0);
    static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(rd(&f, 0xfe0 + 4 * i), id[i]);
    assert_int_equal(f.u.invalid_accesses, 0);
    assert_false(f.irq.level);
}

static void test_transmit_and_earlycon(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    /* earlycon: poll TXFF, byte write to DR, poll BUSY; works with the UART disabled */
    const char *msg = "hello\n";
    for (const char *p = msg; *p; p++) {
        while (rd(&f, FR) & PL011_FR_TXFF)
            ;
        assert_true(pl011_ops.write(&f.u, DR, 1, (uint8_t)*p));
        while (rd(&f, FR) & PL011_FR_BUSY)
            ;
    }
    assert_int_equal(f.out.count, 6);
    assert_memory_equal(f.out.bytes, msg, 6);
    /* Linux's driver uses 16-bit accesses; 32-bit with high bits set sends the low byte */
    assert_true(pl011_ops.write(&f.u, DR, 2, 0x0141));
    wr(&f, DR, 0xffffff42);
    assert_int_equal(f.out.count, 8);
    assert_int_equal(f.out.bytes[6], 0x41);
    assert_int_equal(f.out.bytes[7], 0x42);
    assert_int_equal(rd16(&f, FR), PL011_FR_TXFE | PL011_FR_RXFE);
    /* a byte write to the upper byte of DR sends 0 (the value lands in bits [15:8]) */
    assert_true(pl011_ops.write(&f.u, DR + 1, 1, 0x55));
    assert_int_equal(f.out.bytes[8], 0);
    assert_int_equal(f.u.invalid_accesses, 0);
}

static void test_tx_interrupt(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    wr(&f, CR, 0x301);
    wr(&f, IMSC, PL011_INT_TX);
    assert_false(f.irq.level);                  /* nothing sent yet */
    wr(&f, DR, 'x');
    assert_true(f.irq.level);                   /* the FIFO drained through its trigger */
    assert_int_equal(rd(&f, RIS) & PL011_INT_TX, PL011_INT_TX);
    assert_int_equal(rd(&f, MIS), PL011_INT_TX);
    wr(&f, ICR, PL011_INT_TX);
    assert_false(f.irq.level);
    wr(&f, DR, 'y');
    assert_true(f.irq.level);
    wr(&f, IMSC, 0);                            /* Linux's stop_tx masks TXIM */
    assert_false(f.irq.level);
    assert_int_equal(rd(&f, MIS), 0);
    assert_int_equal(rd(&f, RIS) & PL011_INT_TX, PL011_INT_TX);
}

static void test_receive_without_fifo(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    const uint8_t in[] = "ab";
    assert_int_equal(pl011_rx_space(&f.u), 1);
    assert_int_equal(pl011_receive(&f.u, in, 2), 1);   /* one holding register */
    assert_int_equal(rd(&f, FR), PL011_FR_TXFE | PL011_FR_RXFF);
    assert_int_equal(pl011_receive(&f.u, in + 1, 1), 0);
    assert_int_equal(rd(&f, DR), 'a');
    assert_int_equal(rd(&f, FR), PL011_FR_TXFE | PL011_FR_RXFE);
    assert_int_equal(pl011_receive(&f.u, in + 1, 1), 1);
    assert_int_equal(rd16(&f, DR), 'b');
    assert_int_equal(rd(&f, DR), 0);                   /* empty: reads 0, no effect */
    assert_int_equal(rd(&f, RSR), 0);
}

static void test_receive_fifo_and_interrupts(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    /* Linux startup: baud, LCR_H with FIFOs, IFLS, enable, clear and unmask RX/RT */
    wr(&f, IBRD, 0x27);
    wr(&f, FBRD, 0x4);
    wr(&f, LCR_H, 0x70);
    wr(&f, IFLS, 0x12);
    wr(&f, CR, 0x301);
    wr(&f, ICR, 0x7ff);
    wr(&f, IMSC, PL011_INT_RX | PL011_INT_RT);
    assert_int_equal(rd(&f, IBRD), 0x27);
    assert_int_equal(rd(&f, FBRD), 0x4);
    assert_int_equal(rd(&f, LCR_H), 0x70);

    uint8_t in[20];
    for (unsigned i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)('A' + i);
    /* below the trigger (8 of 16): receive timeout at once */
    assert_int_equal(pl011_receive(&f.u, in, 3), 3);
    assert_true(f.irq.level);
    assert_int_equal(rd(&f, MIS), PL011_INT_RT);
    /* the driver drains until RXFE; the timeout clears with the FIFO */
    unsigned got = 0;
    while (!(rd(&f, FR) & PL011_FR_RXFE))
        assert_int_equal(rd(&f, DR) & 0xff, 'A' + got++);
    assert_int_equal(got, 3);
    assert_false(f.irq.level);
    assert_int_equal(rd(&f, RIS) & (PL011_INT_RX | PL011_INT_RT), 0);

    /* fill to the trigger and beyond: RX; full at 16 */
    assert_int_equal(pl011_receive(&f.u, in, 20), 16);
    assert_int_equal(rd(&f, FR) & (PL011_FR_RXFF | PL011_FR_RXFE), PL011_FR_RXFF);
    assert_int_equal(rd(&f, MIS) & PL011_INT_RX, PL011_INT_RX);
    assert_int_equal(pl011_rx_space(&f.u), 0);
    assert_int_equal(pl011_receive(&f.u, in, 1), 0);
    for (unsigned i = 0; i < 9; i++)
        assert_int_equal(rd(&f, DR), 'A' + i);
    /* 7 left, below the trigger: RX drops, the timeout stands for them */
    assert_int_equal(rd(&f, MIS), PL011_INT_RT);
    wr(&f, ICR, PL011_INT_RT);
    assert_false(f.irq.level);
    for (unsigned i = 9; i < 16; i++)
        assert_int_equal(rd(&f, DR), 'A' + i);
    assert_true(rd(&f, FR) & PL011_FR_RXFE);

    /* trigger levels: 1/8 = 2 entries */
    wr(&f, IFLS, 0);
    assert_int_equal(pl011_receive(&f.u, in, 2), 2);
    assert_int_equal(rd(&f, RIS) & (PL011_INT_RX | PL011_INT_RT), PL011_INT_RX);
    /* switching FEN off empties the receiver */
    wr(&f, LCR_H, 0x60);
    assert_true(rd(&f, FR) & PL011_FR_RXFE);
    assert_false(f.irq.level);
    assert_int_equal(f.u.invalid_accesses, 0);
}

static void test_loopback(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    wr(&f, LCR_H, 0x70);
    wr(&f, CR, 0x381);                          /* UARTEN | LBE | TXE | RXE */
    wr(&f, DR, 'z');
    assert_int_equal(f.out.count, 0);           /* looped back, not sent */
    assert_int_equal(rd(&f, DR), 'z');
    const uint8_t in = 'q';
    assert_int_equal(pl011_receive(&f.u, &in, 1), 1);  /* RX pin disconnected: dropped */
    assert_true(rd(&f, FR) & PL011_FR_RXFE);
    /* overrun when 17 bytes loop back */
    for (unsigned i = 0; i < 17; i++)
        wr(&f, DR, 'a');
    assert_int_equal(rd(&f, RSR) & 8, 8);
    assert_true(rd(&f, RIS) & PL011_INT_OE);
    wr(&f, RSR, 0);                             /* ECR clears */
    assert_int_equal(rd(&f, RSR), 0);
    /* modem outputs loop to the inputs and raise their status interrupts */
    wr(&f, IMSC, PL011_INT_CTS);
    wr(&f, CR, 0x381 | 1u << 11);               /* RTS -> CTS */
    assert_true(rd(&f, FR) & PL011_FR_CTS);
    assert_true(f.irq.level);
    wr(&f, ICR, 0x7ff);
    wr(&f, CR, 0x301);
    assert_false(rd(&f, FR) & PL011_FR_CTS);
    assert_true(f.irq.level);                   /* CTS changed again */
    assert_int_equal(f.u.invalid_accesses, 0);
}

static void test_invalid_accesses(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    uint64_t v = 0;
    assert_false(pl011_ops.read(&f.u, DR, 8, &v));
    assert_false(pl011_ops.write(&f.u, DR, 8, 0));
    assert_false(pl011_ops.read(&f.u, 0x2, 4, &v));
    assert_false(pl011_ops.read(&f.u, 0x1000, 4, &v));
    assert_false(pl011_ops.write(&f.u, 0x1, 2, 0));
    assert_int_equal(f.u.invalid_accesses, 5);
    wr(&f, FR, 0);
    wr(&f, RIS, 0xff);
    wr(&f, MIS, 0xff);
    wr(&f, 0xfe0, 0);
    assert_int_equal(rd(&f, ICR), 0);
    assert_int_equal(rd(&f, 0x080), 0);         /* test registers: absent */
    assert_int_equal(rd(&f, 0x00c), 0);
    assert_int_equal(f.u.invalid_accesses, 12);
    assert_int_equal(rd(&f, FR), PL011_FR_TXFE | PL011_FR_RXFE);
    assert_int_equal(rd(&f, RIS), 0);
    /* masks: stored registers keep their defined widths */
    wr(&f, IBRD, 0xffffffff);
    wr(&f, FBRD, 0xffffffff);
    wr(&f, CR, 0xffffffff);
    wr(&f, IMSC, 0xffffffff);
    wr(&f, DMACR, 0xffffffff);
    assert_int_equal(rd(&f, IBRD), 0xffff);
    assert_int_equal(rd(&f, FBRD), 0x3f);
    assert_int_equal(rd(&f, CR), 0xff87);
    assert_int_equal(rd(&f, IMSC), 0x7ff);
    assert_int_equal(rd(&f, DMACR), 7);
}

static void test_hostile(void **state)
{
    (void)state;
    struct fixture f;
    setup_uart(&f);
    uint64_t rng = 0xdecafbad;
    for (unsigned i = 0; i < 60000; i++) {
        uint64_t r = test_random(&rng);
        unsigned size = random_size(&rng);
        uint64_t offset = (r & 3) == 0 ? test_random(&rng) : test_random(&rng) % 0x1010;
        if ((r & 0xc) == 0)
            offset = (test_random(&rng) % 0x50) & ~UINT64_C(3);   /* mostly real registers */
        uint64_t value = test_random(&rng);
        uint64_t out = 0;
        switch ((r >> 8) % 4) {
        case 0:
            if (pl011_ops.read(&f.u, offset, size, &out))
                assert_true(out <= mmio_size_mask(size));
            else
                assert_int_equal(out, 0);
            break;
        case 1: case 2:
            pl011_ops.write(&f.u, offset, size, value);
            break;
        case 3: {
            uint8_t buf[40];
            size_t n = value % sizeof buf;
            memset(buf, (int)r, n);
            size_t space = pl011_rx_space(&f.u);
            size_t taken = pl011_receive(&f.u, buf, n);
            assert_true(taken <= n);
            if (!(f.u.cr & (1u << 7)))
                assert_int_equal(taken, n < space ? n : space);
            break;
        }
        }
        assert_true(f.u.rx_count <= PL011_FIFO_DEPTH);
        assert_true(f.u.rx_head < PL011_FIFO_DEPTH);
        assert_int_equal(f.irq.level, (f.u.ris & f.u.imsc) != 0);
    }
    assert_true(f.u.invalid_accesses > 0);
    assert_true(f.out.count > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_and_ids),
        cmocka_unit_test(test_transmit_and_earlycon),
        cmocka_unit_test(test_tx_interrupt),
        cmocka_unit_test(test_receive_without_fifo),
        cmocka_unit_test(test_receive_fifo_and_interrupts),
        cmocka_unit_test(test_loopback),
        cmocka_unit_test(test_invalid_accesses),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests_name("pl011", tests, quiet_setup, NULL);
}
