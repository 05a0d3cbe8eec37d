/* PL011 polled console, a small printf, the check() line printer, PSCI power-off and
 * reset. The UART is used as QEMU's and Ferry's firmware leave it (enabled, 8N1). */
#include "rt.h"

#define UART_DR   0x00
#define UART_FR   0x18
#define FR_RXFE   (1u << 4)
#define FR_TXFF   (1u << 5)

void uart_putc(char c)
{
    while (mmio_r32(UART_BASE + UART_FR) & FR_TXFF)
        ;
    mmio_w32(UART_BASE + UART_DR, (uint8_t)c);
}

int uart_getc_nowait(void)
{
    if (mmio_r32(UART_BASE + UART_FR) & FR_RXFE)
        return -1;
    return mmio_r32(UART_BASE + UART_DR) & 0xff;
}

int uart_getc(void)
{
    int c;
    while ((c = uart_getc_nowait()) < 0)
        ;
    return c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

/* Word at a time when aligned (the minikernel clears and copies megabytes), bytes
 * otherwise; volatile keeps gcc from turning the loops back into memset/memcpy calls.
 * Only aligned accesses: with the MMU off all data accesses are Device memory. */
void *memset(void *d, int c, size_t n)
{
    volatile unsigned char *p = d;
    if (((uintptr_t)p & 7) == 0) {
        uint64_t w = (unsigned char)c * 0x0101010101010101ul;
        volatile uint64_t *q = (volatile uint64_t *)p;
        for (; n >= 8; n -= 8)
            *q++ = w;
        p = (volatile unsigned char *)q;
    }
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    volatile unsigned char *p = d;
    const unsigned char *q = s;
    if ((((uintptr_t)p | (uintptr_t)q) & 7) == 0) {
        volatile uint64_t *pw = (volatile uint64_t *)p;
        const uint64_t *qw = (const uint64_t *)q;
        for (; n >= 8; n -= 8)
            *pw++ = *qw++;
        p = (volatile unsigned char *)pw;
        q = (const unsigned char *)qw;
    }
    while (n--)
        *p++ = *q++;
    return d;
}

static void put_num(uint64_t v, unsigned base, int width, char pad, int neg)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (width-- > n)
        uart_putc(pad);
    while (n)
        uart_putc(buf[--n]);
}

/* %d %u %x %c %s %p %%, with l/ll, a zero flag and a width. */
int vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
            put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, 0);
            break;
        case 'x':
            put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, 0);
            break;
        case 'p':
            uart_puts("0x");
            put_num((uint64_t)va_arg(ap, void *), 16, width, pad, 0);
            break;
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            uart_puts(s ? s : "(null)");
            break;
        }
        case '%':
            uart_putc('%');
            break;
        default:
            uart_putc('?');
            break;
        }
    }
    return 0;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

static int check_number, check_failed;

void check(int cond, const char *fmt, ...)
{
    va_list ap;
    check_number++;
    if (!cond)
        check_failed++;
    printf("%s %d - ", cond ? "ok" : "not ok", check_number);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    uart_putc('\n');
}

int check_failures(void)
{
    return check_failed;
}

void psci_off(void)
{
    hvc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    uart_puts("FAIL: SYSTEM_OFF returned\n");
    for (;;)
        __asm__ volatile("wfi");
}

void psci_reset(void)
{
    hvc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    uart_puts("FAIL: SYSTEM_RESET returned\n");
    for (;;)
        __asm__ volatile("wfi");
}

void delay_us(uint64_t us)
{
    uint64_t end = cntvct() + us * cntfrq() / 1000000;
    while (cntvct() < end)
        ;
}
