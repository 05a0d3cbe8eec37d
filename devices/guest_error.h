/* How a device model reports a guest error (an access to a register it does not have, a
 * bad size, a write to a read-only register...): it counts it in its own counter and
 * logs the first few, as QEMU logs LOG_GUEST_ERROR, without letting a hostile guest
 * flood the log. */
#ifndef FERRY_DEVICES_GUEST_ERROR_H
#define FERRY_DEVICES_GUEST_ERROR_H

#include <stdint.h>

/* How many errors per device instance are logged; later ones are only counted. Tests
 * set it to 0 to keep their output readable. */
extern unsigned device_guest_error_log_limit;

/* Increments *counter and logs "<device>: <message>" while under the limit. */
void device_guest_error(const char *device, uint64_t *counter, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
