/* The large buffers of trace recording (item buffers, chunk buffers, the compressed
 * chunk): allocated so that filling them costs few page faults. */
#ifndef FERRY_TRACE_BUFFERS_H
#define FERRY_TRACE_BUFFERS_H

#include <stddef.h>

/* A zeroed buffer of `size` bytes, or NULL when out of memory. */
void *trace_buffer_alloc(size_t size);
/* Frees a buffer from trace_buffer_alloc (NULL is ignored); `size` as allocated. */
void trace_buffer_free(void *buffer, size_t size);

#endif
