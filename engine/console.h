/* Console output: bytes go into the shared console ring and reach the host in batches
 * (an exit costs ~28 us): when the ring is more than half full, and at explicit flush
 * points (before exit, fatal report, selftest completion). */
#ifndef ENGINE_CONSOLE_H
#define ENGINE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void console_write(const char *data, size_t len);
void console_write_str(const char *s);
/* Hands everything buffered to the host now (one exit, none if the ring is empty). */
void console_flush(void);

/* Engine messages (fy_log): into the console ring by default; once a guest owns the
 * console (run mode), on the host's stderr through FERRY_HC_LOG instead, after what the
 * guest printed so far. */
void console_log_line(const char *line, size_t len);
void console_route_logs_to_host(void);

struct console_stats {
    uint64_t bytes;        /* bytes accepted */
    uint64_t flushes;      /* CONSOLE_FLUSH hypercalls made */
    uint64_t dropped;      /* bytes lost because the host did not drain the ring */
};
extern struct console_stats console_stats;

#endif
