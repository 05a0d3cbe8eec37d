/* Code-cache allocator (see code_cache.h). */
#include "code_cache.h"
#include "cpu.h"
#include "paging.h"
#include "phys_alloc.h"
#include "platform.h"
#include <ferry/abi.h>
#include <ferry/support.h>

#define CODE_CACHE_SIZE 0x0000008000000000ull /* one PML4 slot */

static uint64_t next_free = FERRY_CODE_CACHE_BASE;

/* Whole 2 MB pages for a large request (the JIT's 64 MB region): pv-lite's shadow MMU
 * then fills a translation per 2 MB instead of per 4 KB page of new code (each 4 KB
 * first touch cost 18-36 us; measured with ferry run --profile on the Linux boot, where
 * the encoder's first writes to each code page were 5% of the samples). NULL when no
 * 2 MB aligned physical run is free (the caller falls back to 4 KB pages). */
static void *alloc_large(uint64_t len)
{
    uint64_t pages = len / PAGE_SIZE, slack = LARGE_PAGE_SIZE / PAGE_SIZE - 1;
    uint64_t raw = phys_alloc_pages(pages + slack);
    if (!raw)
        return NULL;
    uint64_t pa = (raw + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1);
    if (pa > raw)
        phys_free_pages(raw, (pa - raw) / PAGE_SIZE);
    uint64_t tail = raw + (pages + slack) * PAGE_SIZE - (pa + len);
    if (tail)
        phys_free_pages(pa + len, tail / PAGE_SIZE);
    uint64_t start = (next_free + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1);
    if (len > FERRY_CODE_CACHE_BASE + CODE_CACHE_SIZE - start) {
        phys_free_pages(pa, pages);
        return NULL;
    }
    for (uint64_t off = 0; off < len; off += LARGE_PAGE_SIZE) {
        if (!paging_map_large(kernel_root_phys, start + off, pa + off, PTE_KERNEL_RWX)) {
            for (uint64_t undo = 0; undo < off; undo += LARGE_PAGE_SIZE) {
                paging_unmap_large(kernel_root_phys, start + undo);
                platform->flush_one(start + undo);
            }
            phys_free_pages(pa, pages);
            return NULL;
        }
    }
    memset(phys_to_virt(pa), 0xcc, len); /* int3 filler */
    next_free = start + len;
    return (void *)(uintptr_t)start;
}

void *code_cache_alloc(size_t size)
{
    if (size == 0 || size > CODE_CACHE_SIZE)
        return NULL;
    uint64_t len = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (len >= LARGE_PAGE_SIZE) {
        void *p = alloc_large((len + LARGE_PAGE_SIZE - 1) & ~(LARGE_PAGE_SIZE - 1));
        if (p)
            return p;
    }
    if (len > FERRY_CODE_CACHE_BASE + CODE_CACHE_SIZE - next_free)
        return NULL;
    uint64_t start = next_free;
    for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
        uint64_t page = phys_alloc_page();
        if (!page || !paging_map_page(kernel_root_phys, start + off, page, PTE_KERNEL_RWX)) {
            if (page)
                phys_free_pages(page, 1);
            /* Undo the pages mapped so far. */
            for (uint64_t undo = 0; undo < off; undo += PAGE_SIZE) {
                uint64_t old = paging_unmap_page(kernel_root_phys, start + undo);
                platform->flush_one(start + undo);
                phys_free_pages(old & PTE_ADDR_MASK, 1);
            }
            return NULL;
        }
        /* The slot was never mapped before (addresses are not reused), so no stale
         * translation can exist and no flush is needed. */
        memset(phys_to_virt(page), 0xcc, PAGE_SIZE); /* int3 filler */
    }
    next_free = start + len;
    return (void *)(uintptr_t)start;
}

void code_cache_free(void *ptr, size_t size)
{
    uint64_t start = (uint64_t)(uintptr_t)ptr;
    if (!ptr)
        return;
    uint64_t len = (size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if ((start & (PAGE_SIZE - 1)) || start < FERRY_CODE_CACHE_BASE || start >= next_free ||
        len > next_free - start)
        fy_panic("fy_code_free: %p+%zu was not allocated by fy_code_alloc", ptr, size);
    for (uint64_t off = 0; off < len;) {
        uint64_t old = paging_unmap_large(kernel_root_phys, start + off);   /* 0: not a 2 MB page */
        if (old) {
            platform->flush_one(start + off);
            phys_free_pages(old & PTE_ADDR_MASK & ~(LARGE_PAGE_SIZE - 1), LARGE_PAGE_SIZE / PAGE_SIZE);
            off += LARGE_PAGE_SIZE;
            continue;
        }
        old = paging_unmap_page(kernel_root_phys, start + off);
        if (!old)
            fy_panic("fy_code_free: page %p is not mapped (double free?)", (void *)(uintptr_t)(start + off));
        platform->flush_one(start + off);
        phys_free_pages(old & PTE_ADDR_MASK, 1);
        off += PAGE_SIZE;
    }
}
