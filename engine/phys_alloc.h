/* Physical page allocator for engine-owned memory (boot_info.engine_image_end ..
 * engine_mem_end): a bitmap with one bit per 4 KB page, kept at the start of the
 * region. Single-threaded (the engine runs one vCPU with interrupts off). */
#ifndef ENGINE_PHYS_ALLOC_H
#define ENGINE_PHYS_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096ull

/* Returns false if the region is too small to hold its own bitmap. */
bool phys_alloc_init(uint64_t start, uint64_t end);

/* A page's VM-physical address, or 0 when memory is exhausted. Contents undefined. */
uint64_t phys_alloc_page(void);
/* `count` physically contiguous pages, or 0. */
uint64_t phys_alloc_pages(uint64_t count);
/* Frees pages from phys_alloc_page(s); freeing a page that is not allocated (double
 * free, or outside the region) panics. */
void phys_free_pages(uint64_t phys, uint64_t count);

uint64_t phys_free_page_count(void);
uint64_t phys_total_page_count(void);
/* Whether the page holding `phys` is currently allocated (for checks). */
bool phys_page_allocated(uint64_t phys);

#endif
