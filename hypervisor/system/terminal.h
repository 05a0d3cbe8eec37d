/* The guest console's host side: stdout for output, stdin for input, a terminal in raw
 * mode while the guest runs (the guest sees every key; Ctrl-A x quits and Ctrl-A Ctrl-A
 * sends one Ctrl-A, as in QEMU). Used by both homes of the system emulator. */
#ifndef FERRY_HYPERVISOR_SYSTEM_TERMINAL_H
#define FERRY_HYPERVISOR_SYSTEM_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct terminal {
    bool input_open;      /* stdin can still deliver bytes */
    bool tty;             /* stdin is a terminal in raw mode (restore at the end) */
    bool escape;          /* Ctrl-A seen, waiting for the next key */
    bool quit;            /* Ctrl-A x */
    struct termios saved;
};

void terminal_open(struct terminal *t);
void terminal_restore(struct terminal *t);
/* Writes all of data to stdout (output that cannot be written is dropped: the guest
 * runs on). */
void terminal_write(const uint8_t *data, size_t len);
/* Waits at most timeout_ns for input to arrive, without reading it (just sleeps when
 * stdin is closed). */
void terminal_wait(const struct terminal *t, uint64_t timeout_ns);
/* Waits at most timeout_ms (-1: no limit) for input and reads what is there, up to max
 * bytes, after the escape handling; returns the guest's bytes (0 on timeout, at end of
 * input, or when only escape keys came). */
size_t terminal_read(struct terminal *t, uint8_t *buf, size_t max, int timeout_ms);

#endif
