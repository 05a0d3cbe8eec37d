/* Bitmap page allocator (see phys_alloc.h). Search is next-fit from the last
 * allocation, word by word, so the common case (fresh memory) is O(1). */
#include "phys_alloc.h"
#include "cpu.h"
#include <ferry/support.h>

static struct {
    uint64_t base;       /* physical address of page 0 */
    uint64_t pages;      /* pages managed (including the bitmap's own) */
    uint64_t *bitmap;    /* bit set = page in use; through the direct map */
    uint64_t free_pages;
    uint64_t hint;       /* page index where the next search starts */
} pmm;

static inline bool bit_get(uint64_t i)
{
    return (pmm.bitmap[i / 64] >> (i % 64)) & 1;
}

static inline void bit_set(uint64_t i)
{
    pmm.bitmap[i / 64] |= 1ull << (i % 64);
}

static inline void bit_clear(uint64_t i)
{
    pmm.bitmap[i / 64] &= ~(1ull << (i % 64));
}

bool phys_alloc_init(uint64_t start, uint64_t end)
{
    start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    end &= ~(PAGE_SIZE - 1);
    if (end <= start)
        return false;
    uint64_t pages = (end - start) / PAGE_SIZE;
    uint64_t words = (pages + 63) / 64;
    uint64_t bitmap_pages = (words * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    if (bitmap_pages >= pages)
        return false;
    pmm.base = start;
    pmm.pages = pages;
    pmm.bitmap = phys_to_virt(start);
    memset(pmm.bitmap, 0, bitmap_pages * PAGE_SIZE);
    for (uint64_t i = 0; i < bitmap_pages; i++)
        bit_set(i);
    /* Bits past the last page stay "in use" so the word scan never returns them. */
    for (uint64_t i = pages; i < words * 64; i++)
        bit_set(i);
    pmm.free_pages = pages - bitmap_pages;
    pmm.hint = bitmap_pages;
    return true;
}

uint64_t phys_alloc_page(void)
{
    if (pmm.free_pages == 0)
        return 0;
    uint64_t words = (pmm.pages + 63) / 64;
    uint64_t w = pmm.hint / 64;
    for (uint64_t n = 0; n <= words; n++, w = (w + 1) % words) {
        uint64_t used = pmm.bitmap[w];
        if (used == ~0ull)
            continue;
        uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(~used);
        bit_set(i);
        pmm.free_pages--;
        pmm.hint = i + 1 < pmm.pages ? i + 1 : 0;
        return pmm.base + i * PAGE_SIZE;
    }
    return 0;
}

uint64_t phys_alloc_pages(uint64_t count)
{
    if (count == 0 || count > pmm.free_pages)
        return 0;
    if (count == 1)
        return phys_alloc_page();
    /* First fit over the whole bitmap: multi-page runs are rare (large heap blocks). */
    uint64_t run = 0;
    for (uint64_t i = 0; i < pmm.pages; i++) {
        if (bit_get(i)) {
            run = 0;
            continue;
        }
        if (++run == count) {
            uint64_t first = i + 1 - count;
            for (uint64_t j = first; j <= i; j++)
                bit_set(j);
            pmm.free_pages -= count;
            return pmm.base + first * PAGE_SIZE;
        }
    }
    return 0;
}

void phys_free_pages(uint64_t phys, uint64_t count)
{
    if (phys < pmm.base || (phys & (PAGE_SIZE - 1)))
        fy_panic("phys_free_pages: 0x%lx is not a page of the allocator", (unsigned long)phys);
    uint64_t first = (phys - pmm.base) / PAGE_SIZE;
    if (count > pmm.pages || first > pmm.pages - count)
        fy_panic("phys_free_pages: 0x%lx + %lu pages is outside the allocator",
                 (unsigned long)phys, (unsigned long)count);
    for (uint64_t i = first; i < first + count; i++) {
        if (!bit_get(i))
            fy_panic("phys_free_pages: page 0x%lx freed twice", (unsigned long)(pmm.base + i * PAGE_SIZE));
        bit_clear(i);
    }
    pmm.free_pages += count;
}

uint64_t phys_free_page_count(void)
{
    return pmm.free_pages;
}

uint64_t phys_total_page_count(void)
{
    return pmm.pages;
}

bool phys_page_allocated(uint64_t phys)
{
    if (phys < pmm.base || phys >= pmm.base + pmm.pages * PAGE_SIZE)
        return false;
    return bit_get((phys - pmm.base) / PAGE_SIZE);
}
