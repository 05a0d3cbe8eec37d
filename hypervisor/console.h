/* Draining the engine's console ring (struct ferry_console_ring) to a host sink. */
#ifndef FERRY_CONSOLE_H
#define FERRY_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "ferry/abi.h"

typedef void console_sink(const uint8_t *bytes, size_t length, void *context);

/* Hands every byte between *host_tail and ring->head to sink (at most
 * FERRY_CONSOLE_SIZE, the newest ones, when the engine claims more: it overwrote the
 * rest), advances *host_tail and publishes it in ring->tail. The ring's own tail is
 * never read: the host keeps the authoritative copy. Returns the number of bytes
 * lost to such an overrun. */
uint32_t console_drain(struct ferry_console_ring *ring, uint32_t *host_tail, console_sink *sink,
                       void *context);

/* A sink that writes to a stdio stream (context: FILE *) and flushes it, so engine
 * text and ferry's own stdout lines keep their order. */
void console_sink_stream(const uint8_t *bytes, size_t length, void *context);

#endif
