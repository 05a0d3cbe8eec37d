/* The two include/ferry/support.h functions the generated disassembler needs, for the
 * hosted ADL tests (the real hosted implementation lives in hypervisor/). */
#include <stdio.h>
#include "ferry/support.h"

int fy_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return vsnprintf(buf, size, fmt, ap);
}

int fy_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}
