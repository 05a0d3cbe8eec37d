/* Counting and rate-limited logging of guest errors for the device models. */
#include "devices/guest_error.h"
#include "ferry/support.h"

unsigned device_guest_error_log_limit = 8;

void device_guest_error(const char *device, uint64_t *counter, const char *fmt, ...)
{
    (*counter)++;
    if (*counter > device_guest_error_log_limit)
        return;
    char message[160];
    va_list ap;
    va_start(ap, fmt);
    fy_vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fy_log("%s: guest error: %s%s", device, message,
           *counter == device_guest_error_log_limit ? " (further errors only counted)" : "");
}
