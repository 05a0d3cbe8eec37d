/* PL031 RTC and the PrimeCell identification registers Linux's AMBA bus probes: the
 * RTC reads nonzero and does not go backwards, follows a load (LR), raises its alarm
 * interrupt (SPI 2, INTID 34) when DR reaches MR; PL031 and PL011 part numbers and
 * PrimeCell IDs. (The PL011 revision in PeriphID2 is not printed.) */
#include "rt.h"

#define RTC_DR   0x00
#define RTC_MR   0x04
#define RTC_LR   0x08
#define RTC_CR   0x0c
#define RTC_IMSC 0x10
#define RTC_RIS  0x14
#define RTC_MIS  0x18
#define RTC_ICR  0x1c

static volatile int rtc_irqs;
static volatile unsigned rtc_iar;

static void irq_handler(struct exc_frame *f, int vec)
{
    (void)f;
    (void)vec;
    unsigned iar = gic_ack();
    rtc_iar = iar & 0x3ff;
    mmio_w32(RTC_BASE + RTC_ICR, 1);
    mmio_w32(RTC_BASE + RTC_IMSC, 0);
    if (rtc_iar < 1020)
        gic_eoi(iar);
    rtc_irqs++;
}

static uint32_t id(uint64_t base, int i)
{
    return mmio_r32(base + 0xfe0 + 4 * i) & 0xff;
}

int main(void)
{
    check(id(RTC_BASE, 0) == 0x31 && id(RTC_BASE, 1) == 0x10 && (id(RTC_BASE, 2) & 0xf) == 4,
          "PL031 PeriphID: part 0x%x%02x, designer 0x%x", id(RTC_BASE, 1) & 0xf,
          id(RTC_BASE, 0), (id(RTC_BASE, 1) >> 4) | ((id(RTC_BASE, 2) & 0xf) << 4));
    check(id(RTC_BASE, 4) == 0x0d && id(RTC_BASE, 5) == 0xf0 && id(RTC_BASE, 6) == 0x05 &&
              id(RTC_BASE, 7) == 0xb1,
          "PL031 PrimeCell ID: %02x %02x %02x %02x", id(RTC_BASE, 4), id(RTC_BASE, 5),
          id(RTC_BASE, 6), id(RTC_BASE, 7));
    check(id(UART_BASE, 0) == 0x11 && id(UART_BASE, 1) == 0x10 && (id(UART_BASE, 2) & 0xf) == 4,
          "PL011 PeriphID: part 0x%x%02x, designer 0x%x", id(UART_BASE, 1) & 0xf,
          id(UART_BASE, 0), (id(UART_BASE, 1) >> 4) | ((id(UART_BASE, 2) & 0xf) << 4));
    check(id(UART_BASE, 4) == 0x0d && id(UART_BASE, 5) == 0xf0 && id(UART_BASE, 6) == 0x05 &&
              id(UART_BASE, 7) == 0xb1,
          "PL011 PrimeCell ID: %02x %02x %02x %02x", id(UART_BASE, 4), id(UART_BASE, 5),
          id(UART_BASE, 6), id(UART_BASE, 7));

    uint32_t r0 = mmio_r32(RTC_BASE + RTC_DR);
    uint32_t r1 = mmio_r32(RTC_BASE + RTC_DR);
    check(r0 != 0 && r1 >= r0, "RTC DR is nonzero and does not go backwards");
    check((mmio_r32(RTC_BASE + RTC_CR) & 1) == 1, "RTC CR: started");
    mmio_w32(RTC_BASE + RTC_LR, 1000000);
    uint32_t r2 = mmio_r32(RTC_BASE + RTC_DR);
    check(r2 >= 1000000 && r2 <= 1000001, "DR follows a write to LR (1000000)");

    exc_set_handler(VEC_IRQ, irq_handler);
    gic_init();
    gic_enable_irq(INTID_RTC, 0x80);
    mmio_w32(RTC_BASE + RTC_ICR, 1);
    mmio_w32(RTC_BASE + RTC_MR, mmio_r32(RTC_BASE + RTC_DR) + 1);
    mmio_w32(RTC_BASE + RTC_IMSC, 1);
    irq_enable();
    while (!rtc_irqs)
        __asm__ volatile("wfi");
    irq_disable();
    uint32_t r3 = mmio_r32(RTC_BASE + RTC_DR);
    check(rtc_iar == INTID_RTC && r3 >= 1000001 && r3 <= 1000003,
          "alarm at DR == MR: IRQ INTID %u, DR advanced by 1-3 s", rtc_iar);
    check(mmio_r32(RTC_BASE + RTC_RIS) == 0, "RIS clear after ICR");
    return 0;
}
