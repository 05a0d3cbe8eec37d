/* Huge-page backed anonymous memory (huge_pages.h). */
#include "hypervisor/huge_pages.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

static size_t mapped_size(size_t size)
{
    return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *huge_pages_map(size_t size)
{
    if (size == 0 || size > SIZE_MAX - 2 * HUGE_PAGE) {
        errno = EINVAL;
        return NULL;
    }
    size_t len = mapped_size(size);
    /* map a huge page more, then unmap what lies outside the aligned range */
    uint8_t *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                        -1, 0);
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

void huge_pages_unmap(void *memory, size_t size)
{
    if (memory)
        munmap(memory, mapped_size(size));
}
