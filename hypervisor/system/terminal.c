/* The guest console's host side (terminal.h). */
#include "hypervisor/system/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#define CTRL_A 0x01

void terminal_open(struct terminal *t)
{
    *t = (struct terminal){ 0 };
    t->input_open = fcntl(STDIN_FILENO, F_GETFL) >= 0;
    if (t->input_open && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &t->saved) == 0) {
        struct termios raw = t->saved;
        cfmakeraw(&raw);
        raw.c_oflag |= OPOST | ONLCR;            /* keep newline handling on output */
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) t->tty = true;
    }
}

void terminal_restore(struct terminal *t)
{
    if (t->tty) tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
    t->tty = false;
}

void terminal_write(const uint8_t *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(STDOUT_FILENO, data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
}

void terminal_wait(const struct terminal *t, uint64_t timeout_ns)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    struct timespec limit = { (time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u) };
    ppoll(&p, t->input_open && !t->quit ? 1 : 0, &limit, NULL);
}

size_t terminal_read(struct terminal *t, uint8_t *buf, size_t max, int timeout_ms)
{
    if (!t->input_open || t->quit || max == 0) return 0;
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, timeout_ms) <= 0) return 0;
    ssize_t n = read(STDIN_FILENO, buf, max);
    if (n <= 0) {
        if (n == 0 || (errno != EINTR && errno != EAGAIN)) t->input_open = false;
        return 0;
    }
    size_t out = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (t->tty && t->escape) {
            t->escape = false;
            if (buf[i] == 'x') {
                t->quit = true;
                break;
            }
            if (buf[i] != CTRL_A) continue;       /* Ctrl-A Ctrl-A sends one Ctrl-A */
        } else if (t->tty && buf[i] == CTRL_A) {
            t->escape = true;
            continue;
        }
        buf[out++] = buf[i];
    }
    return out;
}
