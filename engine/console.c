/* The engine side of the console ring (single producer; the host is the consumer). */
#include "console.h"
#include <stdbool.h>
#include "hypercall.h"

struct console_stats console_stats;

static inline uint32_t ring_used(volatile struct ferry_console_ring *ring)
{
    return ring->head - ring->tail;
}

void console_flush(void)
{
    volatile struct ferry_console_ring *ring = &shared_area()->console;
    if (ring_used(ring) == 0)
        return;
    hypercall(FERRY_HC_CONSOLE_FLUSH, 0, 0);
    console_stats.flushes++;
}

void console_write(const char *data, size_t len)
{
    volatile struct ferry_console_ring *ring = &shared_area()->console;
    for (size_t i = 0; i < len; i++) {
        if (ring_used(ring) >= FERRY_CONSOLE_SIZE) {
            console_flush();
            /* A host that does not drain would otherwise stall us forever. */
            if (ring_used(ring) >= FERRY_CONSOLE_SIZE) {
                console_stats.dropped += len - i;
                return;
            }
        }
        uint32_t head = ring->head;
        ring->data[head % FERRY_CONSOLE_SIZE] = (uint8_t)data[i];
        __asm__ volatile("" : : : "memory"); /* data before the index that publishes it */
        ring->head = head + 1;
    }
    console_stats.bytes += len;
    if (ring_used(ring) > FERRY_CONSOLE_SIZE / 2)
        console_flush();
}

void console_write_str(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    console_write(s, n);
}

static bool logs_to_host;

void console_route_logs_to_host(void)
{
    logs_to_host = true;
}

void console_log_line(const char *line, size_t len)
{
    if (!logs_to_host) {
        console_write(line, len);
        return;
    }
    char *out = shared_area()->log;
    size_t cap = sizeof shared_area()->log - 1;
    if (len > cap) len = cap;
    for (size_t i = 0; i < len; i++) out[i] = line[i];
    out[len] = '\0';
    console_flush();
    hypercall(FERRY_HC_LOG, 0, 0);
}
