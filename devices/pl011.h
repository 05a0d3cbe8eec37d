/* PL011 UART (ARM DDI0183) as on QEMU's virt board (0x09000000, SPI 1 = INTID 33).
 *
 * Transmission is instantaneous: each byte written to UARTDR goes straight to the tx
 * sink (the platform batches them), so the TX FIFO is always empty: FR.TXFE = 1,
 * TXFF = BUSY = 0. Each write to DR sets the TX interrupt (the FIFO has just drained
 * through its trigger level), as QEMU does; ICR clears it. Reception: a 16-entry RX FIFO
 * (the PL011's real depth, what Linux expects from PeriphID revision r1), 1 entry with
 * LCR_H.FEN = 0; RXIS when the level reaches the IFLS trigger, RTIS (receive timeout)
 * at once when data waits below the trigger, since host input arrives in bursts and
 * nothing more is coming. docs/devices.md lists every decision. */
#ifndef FERRY_DEVICES_PL011_H
#define FERRY_DEVICES_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "devices/irq.h"
#include "devices/mmio.h"

#define PL011_BASE        UINT64_C(0x09000000)
#define PL011_SIZE        UINT64_C(0x1000)
#define PL011_INTID       33
#define PL011_FIFO_DEPTH  16

/* Interrupt bits of IMSC, RIS, MIS, ICR. */
#define PL011_INT_RI   (1u << 0)
#define PL011_INT_CTS  (1u << 1)
#define PL011_INT_DCD  (1u << 2)
#define PL011_INT_DSR  (1u << 3)
#define PL011_INT_RX   (1u << 4)
#define PL011_INT_TX   (1u << 5)
#define PL011_INT_RT   (1u << 6)
#define PL011_INT_FE   (1u << 7)
#define PL011_INT_PE   (1u << 8)
#define PL011_INT_BE   (1u << 9)
#define PL011_INT_OE   (1u << 10)
#define PL011_INT_ALL  0x7ffu

/* Flag register bits. */
#define PL011_FR_CTS   (1u << 0)
#define PL011_FR_DSR   (1u << 1)
#define PL011_FR_DCD   (1u << 2)
#define PL011_FR_BUSY  (1u << 3)
#define PL011_FR_RXFE  (1u << 4)
#define PL011_FR_TXFF  (1u << 5)
#define PL011_FR_RXFF  (1u << 6)
#define PL011_FR_TXFE  (1u << 7)
#define PL011_FR_RI    (1u << 8)

struct pl011 {
    void (*tx)(void *ctx, uint8_t byte);
    void *tx_ctx;
    struct irq_line irq;

    uint16_t rx_fifo[PL011_FIFO_DEPTH];  /* data [7:0], FE/PE/BE/OE [11:8] */
    unsigned rx_head, rx_count;

    uint32_t rsr;               /* error bits of the last character read, OE */
    uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
    uint32_t modem_status;      /* FR's CTS/DSR/DCD/RI: driven only in loopback */
    bool irq_level;             /* the level last driven on irq */
    uint64_t invalid_accesses;
};

/* Reset state: CR = TXE|RXE (UART disabled, as after reset; DR works regardless, as on
 * QEMU), IFLS = 1/2, FIFOs off and empty, all interrupts clear. tx may be NULL. */
void pl011_init(struct pl011 *u, void (*tx)(void *ctx, uint8_t byte), void *tx_ctx,
                struct irq_line irq);

/* Pushes host input into the RX FIFO; returns how many bytes fit (the rest stays with
 * the caller until the guest reads). Input is ignored in loopback mode (returns n, as
 * the hardware disconnects the RX pin). */
size_t pl011_receive(struct pl011 *u, const uint8_t *buf, size_t n);
/* Free RX FIFO entries, for a platform that polls before reading its input. */
size_t pl011_rx_space(const struct pl011 *u);

extern const struct mmio_ops pl011_ops;   /* dev = struct pl011 * */

#endif
