/* Trace buffers in huge pages (hypervisor/huge_pages.h): the recorder fills megabytes
 * of fresh memory per run, and on the project's machines 4 KB pages cost milliseconds
 * per buffer. Under AddressSanitizer they come from malloc instead, so that an overrun
 * is still caught. */
#include "hypervisor/trace/trace_buffers.h"

#include "hypervisor/huge_pages.h"

#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define TRACE_BUFFERS_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TRACE_BUFFERS_MALLOC 1
#endif
#endif

#ifdef TRACE_BUFFERS_MALLOC

void *trace_buffer_alloc(size_t size)
{
    return calloc(1, size ? size : 1);
}

void trace_buffer_free(void *buffer, size_t size)
{
    (void)size;
    free(buffer);
}

#else

void *trace_buffer_alloc(size_t size)
{
    return huge_pages_map(size);
}

void trace_buffer_free(void *buffer, size_t size)
{
    huge_pages_unmap(buffer, size);
}

#endif
