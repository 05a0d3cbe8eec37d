/* PL011 UART model: registers, instantaneous TX to a sink, RX FIFO with interrupts. */
#include "devices/pl011.h"
#include "devices/guest_error.h"

#define UARTDR      0x000u
#define UARTRSR     0x004u      /* read: RSR, write: ECR */
#define UARTFR      0x018u
#define UARTILPR    0x020u
#define UARTIBRD    0x024u
#define UARTFBRD    0x028u
#define UARTLCR_H   0x02cu
#define UARTCR      0x030u
#define UARTIFLS    0x034u
#define UARTIMSC    0x038u
#define UARTRIS     0x03cu
#define UARTMIS     0x040u
#define UARTICR     0x044u
#define UARTDMACR   0x048u
#define UARTPERIPHID0 0xfe0u

#define LCR_H_FEN   (1u << 4)
#define CR_UARTEN   (1u << 0)
#define CR_LBE      (1u << 7)
#define CR_TXE      (1u << 8)
#define CR_RXE      (1u << 9)
#define CR_DTR      (1u << 10)
#define CR_RTS      (1u << 11)
#define CR_OUT1     (1u << 12)
#define CR_OUT2     (1u << 13)
#define CR_MASK     0xff87u     /* bits [6:3] are reserved */
#define DR_OE       (1u << 11)

static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static void update_irq(struct pl011 *u)
{
    bool level = (u->ris & u->imsc & PL011_INT_ALL) != 0;
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_line_set(&u->irq, level);
    }
}

static unsigned fifo_depth(const struct pl011 *u)
{
    return (u->lcr_h & LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* RX trigger level from IFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO; the
 * reserved encodings act as 1/2 (the reset value). 1 with the FIFO disabled. */
static unsigned rx_trigger(const struct pl011 *u)
{
    static const uint8_t eighths[8] = { 1, 2, 4, 6, 7, 4, 4, 4 };
    if (!(u->lcr_h & LCR_H_FEN))
        return 1;
    return PL011_FIFO_DEPTH * eighths[(u->ifls >> 3) & 7] / 8;
}

/* After the RX FIFO changed: RX is asserted at or above the trigger and clears below
 * it; the receive timeout stands for "data waits below the trigger, nothing more is
 * coming", and clears when the FIFO empties. */
static void rx_level_changed(struct pl011 *u, bool data_arrived)
{
    unsigned trigger = rx_trigger(u);
    if (u->rx_count >= trigger) {
        if (data_arrived)
            u->ris |= PL011_INT_RX;
    } else {
        u->ris &= ~PL011_INT_RX;
    }
    if (u->rx_count == 0)
        u->ris &= ~PL011_INT_RT;
    else if (u->rx_count < trigger)
        u->ris |= PL011_INT_RT;
    update_irq(u);
}

static bool rx_push(struct pl011 *u, uint16_t entry)
{
    if (u->rx_count >= fifo_depth(u))
        return false;
    u->rx_fifo[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] = entry;
    u->rx_count++;
    return true;
}

static void rx_reset(struct pl011 *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
    rx_level_changed(u, false);
}

void pl011_init(struct pl011 *u, void (*tx)(void *ctx, uint8_t byte), void *tx_ctx,
                struct irq_line irq)
{
    *u = (struct pl011){ .tx = tx, .tx_ctx = tx_ctx, .irq = irq };
    u->cr = CR_TXE | CR_RXE;
    u->ifls = 0x12;             /* TX and RX trigger at 1/2 */
    irq_line_set(&u->irq, false);
}

size_t pl011_rx_space(const struct pl011 *u)
{
    return u->rx_count >= fifo_depth(u) ? 0 : fifo_depth(u) - u->rx_count;
}

size_t pl011_receive(struct pl011 *u, const uint8_t *buf, size_t n)
{
    if (u->cr & CR_LBE)
        return n;
    size_t taken = 0;
    while (taken < n && rx_push(u, buf[taken]))
        taken++;
    if (taken)
        rx_level_changed(u, true);
    return taken;
}

/* Loopback modem lines: FR.CTS = CR.RTS, DSR = DTR, DCD = Out1, RI = Out2; a change of
 * an input sets its modem status interrupt. */
static void loopback_modem(struct pl011 *u)
{
    uint32_t status = 0;
    if (u->cr & CR_LBE) {
        if (u->cr & CR_RTS)  status |= PL011_FR_CTS;
        if (u->cr & CR_DTR)  status |= PL011_FR_DSR;
        if (u->cr & CR_OUT1) status |= PL011_FR_DCD;
        if (u->cr & CR_OUT2) status |= PL011_FR_RI;
    }
    uint32_t changed = status ^ u->modem_status;
    if (changed & PL011_FR_CTS) u->ris |= PL011_INT_CTS;
    if (changed & PL011_FR_DSR) u->ris |= PL011_INT_DSR;
    if (changed & PL011_FR_DCD) u->ris |= PL011_INT_DCD;
    if (changed & PL011_FR_RI)  u->ris |= PL011_INT_RI;
    u->modem_status = status;
    update_irq(u);
}

static void transmit(struct pl011 *u, uint8_t byte)
{
    if (u->cr & CR_LBE) {
        /* Loopback: the byte comes back on the receive side only. */
        if (rx_push(u, byte)) {
            rx_level_changed(u, true);
        } else {
            u->rsr |= 8;        /* overrun: the byte is lost */
            u->ris |= PL011_INT_OE;
        }
    } else if (u->tx) {
        u->tx(u->tx_ctx, byte);
    }
    u->ris |= PL011_INT_TX;
    update_irq(u);
}

static uint32_t read_data(struct pl011 *u)
{
    if (u->rx_count == 0)
        return 0;               /* reading an empty FIFO: undefined data, no effect */
    uint16_t entry = u->rx_fifo[u->rx_head];
    u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
    u->rx_count--;
    u->rsr = (u->rsr & 8) | ((entry >> 8) & 7);
    rx_level_changed(u, false);
    return entry;
}

static uint32_t flags(const struct pl011 *u)
{
    uint32_t fr = PL011_FR_TXFE | u->modem_status;
    if (u->rx_count == 0)
        fr |= PL011_FR_RXFE;
    if (u->rx_count >= fifo_depth(u))
        fr |= PL011_FR_RXFF;
    return fr;
}

static uint32_t read_register(struct pl011 *u, unsigned reg)
{
    switch (reg) {
    case UARTDR:    return read_data(u);
    case UARTRSR:   return u->rsr;
    case UARTFR:    return flags(u);
    case UARTILPR:  return u->ilpr;
    case UARTIBRD:  return u->ibrd;
    case UARTFBRD:  return u->fbrd;
    case UARTLCR_H: return u->lcr_h;
    case UARTCR:    return u->cr;
    case UARTIFLS:  return u->ifls;
    case UARTIMSC:  return u->imsc;
    case UARTRIS:   return u->ris;
    case UARTMIS:   return u->ris & u->imsc;
    case UARTDMACR: return u->dmacr;
    }
    if (reg >= UARTPERIPHID0 && reg <= 0xffcu)
        return pl011_id[(reg - UARTPERIPHID0) / 4];
    device_guest_error("pl011", &u->invalid_accesses, "read of 0x%03x", reg);
    return 0;
}

static void write_register(struct pl011 *u, unsigned reg, uint32_t value)
{
    switch (reg) {
    case UARTDR:    transmit(u, (uint8_t)value); return;
    case UARTRSR:   u->rsr = 0; return;                 /* ECR: clear errors */
    case UARTILPR:  u->ilpr = value & 0xffu; return;
    case UARTIBRD:  u->ibrd = value & 0xffffu; return;
    case UARTFBRD:  u->fbrd = value & 0x3fu; return;
    case UARTLCR_H:
        /* Switching between the FIFO and the holding register empties the receiver, as
         * QEMU does: the two have different depths. */
        if ((u->lcr_h ^ value) & LCR_H_FEN) {
            u->lcr_h = value & 0xffu;
            rx_reset(u);
        }
        u->lcr_h = value & 0xffu;
        return;
    case UARTCR:
        u->cr = value & CR_MASK;
        loopback_modem(u);
        return;
    case UARTIFLS:  u->ifls = value & 0x3fu; return;
    case UARTIMSC:  u->imsc = value & PL011_INT_ALL; update_irq(u); return;
    case UARTICR:   u->ris &= ~value; update_irq(u); return;
    case UARTDMACR: u->dmacr = value & 7u; return;    /* stored; no DMA engine */
    }
    device_guest_error("pl011", &u->invalid_accesses, "write of 0x%x to 0x%03x%s", value, reg,
                       reg == UARTFR || reg == UARTRIS || reg == UARTMIS || reg >= UARTPERIPHID0
                           ? " (read-only)" : "");
}

/* Linux drives the PL011 with 16-bit accesses (and earlycon may use 8-bit ones), so
 * 1-, 2- and 4-byte accesses inside a word reach the 32-bit register: a read returns
 * its bytes at that position (with the register's side effects), a write stores the
 * value shifted into place with the other bytes zero, as QEMU does. 64-bit and
 * misaligned accesses are decode errors on QEMU: external abort. */
static bool decodes(struct pl011 *u, uint64_t offset, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || (offset & (size - 1)) || offset >= PL011_SIZE) {
        device_guest_error("pl011", &u->invalid_accesses, "%u-byte access at 0x%llx", size,
                           (unsigned long long)offset);
        return false;
    }
    return true;
}

static bool pl011_read(void *dev, uint64_t offset, unsigned size, uint64_t *value)
{
    struct pl011 *u = dev;
    *value = 0;
    if (!decodes(u, offset, size))
        return false;
    unsigned shift = (unsigned)(offset & 3) * 8;
    *value = (read_register(u, (unsigned)(offset & ~UINT64_C(3))) >> shift) & mmio_size_mask(size);
    return true;
}

static bool pl011_write(void *dev, uint64_t offset, unsigned size, uint64_t value)
{
    struct pl011 *u = dev;
    if (!decodes(u, offset, size))
        return false;
    unsigned shift = (unsigned)(offset & 3) * 8;
    write_register(u, (unsigned)(offset & ~UINT64_C(3)), (uint32_t)((value & mmio_size_mask(size)) << shift));
    return true;
}

const struct mmio_ops pl011_ops = { .read = pl011_read, .write = pl011_write };
