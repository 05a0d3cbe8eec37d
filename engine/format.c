/* fy_vsnprintf/fy_snprintf: the engine's only formatter (fy_log and fy_panic use it).
 * Plain C with no engine dependencies, so the hosted unit test compiles this very file
 * and compares it with the C library's snprintf. Supports flags - 0 + space #, width and
 * precision (also *), length modifiers hh h l ll z j t, conversions d i u x X o p s c %. */
#include <ferry/support.h>

/* Output cursor that counts every byte but stores only what fits. */
struct fmt_out {
    char *buf;
    size_t size;
    size_t len;
};

static void out_char(struct fmt_out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_repeat(struct fmt_out *o, char c, int count)
{
    for (int i = 0; i < count; i++)
        out_char(o, c);
}

enum {
    FLAG_LEFT = 1,   /* '-' */
    FLAG_ZERO = 2,   /* '0' */
    FLAG_PLUS = 4,   /* '+' */
    FLAG_SPACE = 8,  /* ' ' */
    FLAG_ALT = 16,   /* '#' */
    FLAG_POINTER = 32, /* %p: the 0x prefix even for a null pointer */
};

/* Formats one integer: digits of `value` in `base`, a sign or prefix, padded to
 * `width`; `precision` is the minimum digit count (-1: not given). */
static void out_number(struct fmt_out *o, unsigned long long value, bool negative, unsigned base,
                       bool upper, int flags, int width, int precision)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    bool value_nonzero = value != 0;
    do {
        tmp[n++] = digits[value % base];
        value /= base;
    } while (value);
    if (precision == 0 && n == 1 && tmp[0] == '0')
        n = 0;

    const char *prefix = "";
    if (negative)
        prefix = "-";
    else if (flags & FLAG_PLUS)
        prefix = "+";
    else if (flags & FLAG_SPACE)
        prefix = " ";
    else if ((flags & FLAG_ALT) && base == 16 && (value_nonzero || (flags & FLAG_POINTER)))
        prefix = upper ? "0X" : "0x";
    int prefix_len = (int)strlen(prefix);

    int zeros = precision > n ? precision - n : 0;
    int body = prefix_len + zeros + n;
    int pad = width > body ? width - body : 0;
    if ((flags & FLAG_ZERO) && !(flags & FLAG_LEFT) && precision < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(flags & FLAG_LEFT))
        out_repeat(o, ' ', pad);
    for (int i = 0; i < prefix_len; i++)
        out_char(o, prefix[i]);
    out_repeat(o, '0', zeros);
    while (n > 0)
        out_char(o, tmp[--n]);
    if (flags & FLAG_LEFT)
        out_repeat(o, ' ', pad);
}

static void out_string(struct fmt_out *o, const char *s, int flags, int width, int precision)
{
    if (!s)
        s = "(null)";
    int n = 0;
    while (s[n] && (precision < 0 || n < precision))
        n++;
    int pad = width > n ? width - n : 0;
    if (!(flags & FLAG_LEFT))
        out_repeat(o, ' ', pad);
    for (int i = 0; i < n; i++)
        out_char(o, s[i]);
    if (flags & FLAG_LEFT)
        out_repeat(o, ' ', pad);
}

enum length_mod { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

int fy_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_out o = { buf, size, 0 };
    while (*fmt) {
        if (*fmt != '%') {
            out_char(&o, *fmt++);
            continue;
        }
        fmt++;
        int flags = 0;
        for (;; fmt++) {
            if (*fmt == '-') flags |= FLAG_LEFT;
            else if (*fmt == '0') flags |= FLAG_ZERO;
            else if (*fmt == '+') flags |= FLAG_PLUS;
            else if (*fmt == ' ') flags |= FLAG_SPACE;
            else if (*fmt == '#') flags |= FLAG_ALT;
            else break;
        }
        int width = 0;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= FLAG_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        int precision = -1;
        if (*fmt == '.') {
            fmt++;
            precision = 0;
            if (*fmt == '*') {
                precision = va_arg(ap, int);
                if (precision < 0)
                    precision = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    precision = precision * 10 + (*fmt++ - '0');
            }
        }
        enum length_mod len = LEN_INT;
        if (*fmt == 'h') {
            fmt++;
            len = LEN_SHORT;
            if (*fmt == 'h') {
                fmt++;
                len = LEN_CHAR;
            }
        } else if (*fmt == 'l') {
            fmt++;
            len = LEN_LONG;
            if (*fmt == 'l') {
                fmt++;
                len = LEN_LLONG;
            }
        } else if (*fmt == 'z' || *fmt == 'j' || *fmt == 't') {
            fmt++;
            len = LEN_SIZE;
        }

        char conv = *fmt;
        if (conv == '\0')
            break;
        fmt++;
        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            switch (len) {
            case LEN_LONG: v = va_arg(ap, long); break;
            case LEN_LLONG: v = va_arg(ap, long long); break;
            case LEN_SIZE: v = (long long)va_arg(ap, long); break;
            case LEN_CHAR: v = (signed char)va_arg(ap, int); break;
            case LEN_SHORT: v = (short)va_arg(ap, int); break;
            default: v = va_arg(ap, int); break;
            }
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            out_number(&o, mag, v < 0, 10, false, flags, width, precision);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            switch (len) {
            case LEN_LONG: v = va_arg(ap, unsigned long); break;
            case LEN_LLONG: v = va_arg(ap, unsigned long long); break;
            case LEN_SIZE: v = va_arg(ap, size_t); break;
            case LEN_CHAR: v = (unsigned char)va_arg(ap, unsigned int); break;
            case LEN_SHORT: v = (unsigned short)va_arg(ap, unsigned int); break;
            default: v = va_arg(ap, unsigned int); break;
            }
            unsigned base = conv == 'u' ? 10 : conv == 'o' ? 8 : 16;
            out_number(&o, v, false, base, conv == 'X', flags & ~(FLAG_PLUS | FLAG_SPACE), width,
                       precision);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            out_number(&o, v, false, 16, false, FLAG_ALT | FLAG_POINTER | (flags & FLAG_LEFT), width, -1);
            break;
        }
        case 's':
            out_string(&o, va_arg(ap, const char *), flags, width, precision);
            break;
        case 'c': {
            int pad = width > 1 ? width - 1 : 0;
            if (!(flags & FLAG_LEFT))
                out_repeat(&o, ' ', pad);
            out_char(&o, (char)va_arg(ap, int));
            if (flags & FLAG_LEFT)
                out_repeat(&o, ' ', pad);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        default:
            /* Unknown conversion: show it rather than silently consume arguments. */
            out_char(&o, '%');
            out_char(&o, conv);
            break;
        }
    }
    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > (size_t)0x7fffffff ? 0x7fffffff : (int)o.len;
}

int fy_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fy_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
