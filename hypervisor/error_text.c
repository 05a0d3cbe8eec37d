/* See error_text.h. */
#include "hypervisor/error_text.h"

#include <stdarg.h>
#include <stdio.h>

void ferry_set_error(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    if (!err_size)
        return;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}
