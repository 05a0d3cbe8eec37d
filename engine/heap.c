/* Heap implementation (see heap.h). Small blocks: a free list per size class; a class
 * takes a fresh page from the physical allocator when its list is empty and keeps its
 * pages for reuse. Large blocks: whole pages, returned to the physical allocator on
 * free. Memory is reached through the direct map. */
#include "heap.h"
#include "cpu.h"
#include "phys_alloc.h"
#include <ferry/support.h>

#define MAGIC_SMALL 0x534d4c4c /* "SMLL" */
#define MAGIC_LARGE 0x4c524745 /* "LRGE" */
#define MAGIC_FREE  0x46524545 /* "FREE" */

/* 16 bytes, so payloads stay 16-byte aligned. */
struct block_header {
    uint32_t magic;
    uint32_t size_class;  /* index into class sizes; or pages for large blocks */
    uint64_t requested;   /* bytes asked for */
};

struct free_block {
    struct block_header header;
    struct free_block *next;
};

#define MIN_CLASS_SHIFT 5   /* 32-byte blocks (16 header + 16 payload) */
#define MAX_CLASS_SHIFT 11  /* 2048-byte blocks */
#define CLASS_COUNT (MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1)

static struct free_block *free_lists[CLASS_COUNT];
static struct heap_stats stats;

static unsigned class_for(size_t total)
{
    unsigned c = 0;
    while (((size_t)1 << (MIN_CLASS_SHIFT + c)) < total)
        c++;
    return c;
}

static bool refill(unsigned c)
{
    uint64_t page = phys_alloc_page();
    if (!page)
        return false;
    stats.small_pages++;
    size_t block = (size_t)1 << (MIN_CLASS_SHIFT + c);
    char *base = phys_to_virt(page);
    for (size_t off = 0; off + block <= PAGE_SIZE; off += block) {
        struct free_block *b = (struct free_block *)(base + off);
        b->header.magic = MAGIC_FREE;
        b->header.size_class = c;
        b->next = free_lists[c];
        free_lists[c] = b;
    }
    return true;
}

void *heap_alloc(size_t size)
{
    if (size > (1ull << 40))
        return NULL;
    size_t total = size + sizeof(struct block_header);
    struct block_header *h;
    if (total <= ((size_t)1 << MAX_CLASS_SHIFT)) {
        unsigned c = class_for(total);
        if (!free_lists[c] && !refill(c))
            return NULL;
        struct free_block *b = free_lists[c];
        free_lists[c] = b->next;
        h = &b->header;
        if (h->magic != MAGIC_FREE || h->size_class != c)
            fy_panic("heap: free list of class %u corrupted at %p (magic 0x%x)", c, (void *)h, h->magic);
        h->magic = MAGIC_SMALL;
        h->size_class = c;
    } else {
        uint64_t pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
        uint64_t phys = phys_alloc_pages(pages);
        if (!phys)
            return NULL;
        h = phys_to_virt(phys);
        h->magic = MAGIC_LARGE;
        h->size_class = (uint32_t)pages;
    }
    h->requested = size;
    stats.live_blocks++;
    stats.live_bytes += size;
    void *payload = h + 1;
    memset(payload, 0, size);
    return payload;
}

void heap_free(void *ptr)
{
    if (!ptr)
        return;
    if (((uintptr_t)ptr & 15) || (uintptr_t)ptr < FERRY_DIRECT_MAP_BASE + PAGE_SIZE ||
        (uintptr_t)ptr >= FERRY_DIRECT_MAP_BASE + FERRY_ENGINE_PHYS_END)
        fy_panic("fy_free: %p is not a heap pointer", ptr);
    struct block_header *h = (struct block_header *)ptr - 1;
    if (!phys_page_allocated(virt_to_phys_direct(h)))
        fy_panic("fy_free: %p is not in allocated memory", ptr);
    if (h->magic == MAGIC_FREE)
        fy_panic("fy_free: %p freed twice", ptr);
    stats.live_blocks--;
    stats.live_bytes -= h->requested;
    if (h->magic == MAGIC_SMALL && h->size_class < CLASS_COUNT) {
        struct free_block *b = (struct free_block *)h;
        unsigned c = h->size_class;
        b->header.magic = MAGIC_FREE;
        b->next = free_lists[c];
        free_lists[c] = b;
    } else if (h->magic == MAGIC_LARGE && ((uintptr_t)h & (PAGE_SIZE - 1)) == 0) {
        uint64_t pages = h->size_class;
        h->magic = MAGIC_FREE;
        phys_free_pages(virt_to_phys_direct(h), pages);
    } else {
        fy_panic("fy_free: %p has a corrupt header (magic 0x%x)", ptr, h->magic);
    }
}

struct heap_stats heap_get_stats(void)
{
    return stats;
}
