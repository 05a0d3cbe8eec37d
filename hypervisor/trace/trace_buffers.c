/* Trace buffers in 2 MB aligned mappings the kernel may back with huge pages: the
 * recorder fills megabytes of fresh memory per run, and on the project's machines a
 * page fault costs 6-7 us (../shared/platform/README.md), so 4 KB pages cost
 * milliseconds per buffer. Under AddressSanitizer they come from malloc instead, so
 * that an overrun is still caught. */
#include "hypervisor/trace/trace_buffers.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

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

#define HUGE_PAGE ((size_t)2 << 20)

static size_t mapped_size(size_t size)
{
    return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *trace_buffer_alloc(size_t size)
{
    if (size == 0 || size > SIZE_MAX - 2 * HUGE_PAGE)
        return NULL;
    size_t len = mapped_size(size);
    /* map a huge page more, then unmap what lies outside the aligned range */
    uint8_t *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    size_t head = -(uintptr_t)raw & (HUGE_PAGE - 1);
    uint8_t *aligned = raw + head;
    if (head)
        munmap(raw, head);
    munmap(aligned + len, HUGE_PAGE - head);       /* head < HUGE_PAGE: never empty */
    madvise(aligned, len, MADV_HUGEPAGE);          /* advice: fails harmlessly without THP */
    return aligned;
}

void trace_buffer_free(void *buffer, size_t size)
{
    if (buffer)
        munmap(buffer, mapped_size(size));
}

#endif
