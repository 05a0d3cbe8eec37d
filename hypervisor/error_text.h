/* The host program's one-line error messages: modules that can fail fill a
 * caller-supplied buffer, and the command that called them prints it. */
#ifndef FERRY_HYPERVISOR_ERROR_TEXT_H
#define FERRY_HYPERVISOR_ERROR_TEXT_H

#include <stddef.h>

/* printf into err (at most err_size bytes, always terminated); nothing when err_size is 0. */
void ferry_set_error(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
