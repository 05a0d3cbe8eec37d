/* PL011 input: the runner feeds uart_input.input on the UART's receive side. The first
 * line is read by polling FR.RXFE, the second through the receive and receive-timeout
 * interrupts (SPI 1, INTID 33) with WFI in between; each character is echoed. Only the
 * characters and the interrupt ID are printed: how many arrive per interrupt depends on
 * timing and FIFO trigger levels. */
#include "rt.h"

#define UART_IMSC 0x38
#define UART_CR   0x30
#define UART_LCRH 0x2c
#define RXIM      (1u << 4)
#define RTIM      (1u << 6)

static char line[128];
static volatile int len, done, bad_id;

static void irq_handler(struct exc_frame *f, int vec)
{
    (void)f;
    (void)vec;
    unsigned iar = gic_ack();
    if ((iar & 0x3ff) != INTID_UART)
        bad_id = iar & 0x3ff;
    int c;
    while ((c = uart_getc_nowait()) >= 0) {
        if (len < (int)sizeof(line) - 1)
            line[len++] = (char)c;
        if (c == '\n') {
            done = 1;
            mmio_w32(UART_BASE + UART_IMSC, 0);
            break;
        }
    }
    /* No ICR write: reading the FIFO below its trigger level (or empty) is what clears
     * the receive (timeout) interrupt; an ICR write racing a new character could lose
     * its only edge on a model without the receive timeout. */
    if ((iar & 0x3ff) < 1020)
        gic_eoi(iar);
}

int main(void)
{
    /* 8 bits, FIFOs on; UART, TX and RX enabled (as Linux's driver sets it). */
    mmio_w32(UART_BASE + UART_LCRH, 0x70);
    mmio_w32(UART_BASE + UART_CR, 0x301);
    int n = 0, c;
    do {
        c = uart_getc();
        line[n++] = (char)c;
    } while (c != '\n' && n < (int)sizeof(line) - 1);
    line[n] = 0;
    printf("polled: %s", line);
    check(n == 24, "polled line: %d characters", n);

    exc_set_handler(VEC_IRQ, irq_handler);
    gic_init();
    gic_enable_irq(INTID_UART, 0x80);
    mmio_w32(UART_BASE + UART_IMSC, RXIM | RTIM);
    /* Test `done` and wait with IRQs masked (a pending IRQ still ends WFI), then unmask
     * to take it: testing with IRQs on could take the last interrupt between the test
     * and the WFI, which would then wait for one that never comes (seen under QEMU). */
    for (;;) {
        irq_disable();
        if (done)
            break;
        __asm__ volatile("wfi");
        irq_enable();
    }
    line[len] = 0;
    printf("interrupt: %s", line);
    check(bad_id == 0 && len == 62, "interrupt-driven line: %d characters, INTID %u", len,
          INTID_UART);
    return 0;
}
