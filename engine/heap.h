/* The engine heap behind fy_alloc/fy_free: power-of-two size classes from 32 to
 * 2048 bytes carved out of pages, larger blocks as whole contiguous pages. Every block
 * carries a header that fy_free checks, so a bad or double free panics with a clear
 * message instead of corrupting memory. */
#ifndef ENGINE_HEAP_H
#define ENGINE_HEAP_H

#include <stddef.h>
#include <stdint.h>

void *heap_alloc(size_t size); /* zeroed; NULL when out of memory */
void heap_free(void *ptr);     /* NULL is ignored */

struct heap_stats {
    uint64_t live_blocks;
    uint64_t live_bytes;   /* requested bytes in live blocks */
    uint64_t small_pages;  /* pages taken for the size classes (kept for reuse) */
};
struct heap_stats heap_get_stats(void);

#endif
