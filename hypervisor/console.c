/* The host end of the console ring. The engine is the only writer of head and data,
 * and it is not trusted: the head it publishes is clamped, nothing is read outside
 * the ring. */
#include "hypervisor/console.h"

#include <stdio.h>

uint32_t console_drain(struct ferry_console_ring *ring, uint32_t *host_tail, console_sink *sink,
                       void *context)
{
    uint32_t head = ring->head;
    uint32_t pending = head - *host_tail;
    uint32_t lost = 0;
    if (pending > FERRY_CONSOLE_SIZE) {
        lost = pending - FERRY_CONSOLE_SIZE;
        *host_tail = head - FERRY_CONSOLE_SIZE;
        pending = FERRY_CONSOLE_SIZE;
    }
    while (pending) {
        uint32_t start = *host_tail % FERRY_CONSOLE_SIZE;
        uint32_t chunk = FERRY_CONSOLE_SIZE - start;
        if (chunk > pending)
            chunk = pending;
        sink(&ring->data[start], chunk, context);
        *host_tail += chunk;
        pending -= chunk;
    }
    ring->tail = *host_tail;
    return lost;
}

void console_sink_stream(const uint8_t *bytes, size_t length, void *context)
{
    FILE *stream = context;
    /* A closed or full output drops the text; the engine keeps running. */
    if (fwrite(bytes, 1, length, stream) == length)
        fflush(stream);
}
