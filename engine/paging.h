/* The engine's x86-64 page tables: building its own address space at boot (image in
 * the top 2 GB with per-section permissions, a direct map of VM-physical memory,
 * pre-created top-level tables for the lazy region and the code cache), mapping and
 * unmapping pages, walking, and servicing faults in the lazily mapped region.
 * Every entry has U/S=1: the pv-lite KVM livelocks on U=0 pages (platform README). */
#ifndef ENGINE_PAGING_H
#define ENGINE_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include <ferry/abi.h>

#define PTE_PRESENT  (1ull << 0)
#define PTE_WRITE    (1ull << 1)
#define PTE_USER     (1ull << 2)
#define PTE_ACCESSED (1ull << 5)
#define PTE_DIRTY    (1ull << 6)
#define PTE_LARGE    (1ull << 7)
#define PTE_NX       (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define LARGE_PAGE_SIZE 0x200000ull

/* Leaf permissions used by the engine. */
#define PTE_KERNEL_RX   (PTE_PRESENT | PTE_USER)
#define PTE_KERNEL_RO   (PTE_PRESENT | PTE_USER | PTE_NX)
#define PTE_KERNEL_RW   (PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_NX)
#define PTE_KERNEL_RWX  (PTE_PRESENT | PTE_WRITE | PTE_USER)

struct ferry_boot_info;

/* Physical address of the engine's page-table root, live after paging_init. */
extern uint64_t kernel_root_phys;

/* Builds the engine's address space and switches to it. On failure returns false with
 * a reason in *why (the bootstrap tables stay active). */
bool paging_init(const struct ferry_boot_info *boot, const char **why);

/* A fresh root whose engine half (PML4 slots 256-511) is shared with the kernel root,
 * so the engine stays mapped whichever root is loaded; 0 when out of memory. */
uint64_t paging_new_root_sharing_engine(void);
/* Frees the page-table pages of a root's lower half (PML4 slots 0-255, the guest's
 * part) and clears those slots. Every leaf there must already be unmapped (the frames
 * belong to the caller); a leaf left behind is a fatal engine bug. The caller flushes
 * the TLB if the root is loaded. */
void paging_free_lower_half(uint64_t root_phys);
/* Frees a root from paging_new_root_sharing_engine, lower-half tables included (same
 * rule: no leaf may remain there). The root must not be loaded. */
void paging_free_root(uint64_t root_phys);

/* Maps one 4 KB page (flags: PTE_*; PTE_USER is always added). False when a page-table
 * page cannot be allocated or a large page is in the way. */
bool paging_map_page(uint64_t root_phys, uint64_t va, uint64_t pa, uint64_t flags);
/* Maps one 2 MB page (va and pa 2 MB aligned). False when a page-table page cannot be
 * allocated, or something is mapped there already. */
bool paging_map_large(uint64_t root_phys, uint64_t va, uint64_t pa, uint64_t flags);
/* Removes a 2 MB mapping; returns the old entry (0: none). The caller flushes. */
uint64_t paging_unmap_large(uint64_t root_phys, uint64_t va);
/* Removes a 4 KB mapping; returns the old entry (0: none). The caller flushes. */
uint64_t paging_unmap_page(uint64_t root_phys, uint64_t va);
/* The leaf entry that maps `va` (4 KB or 2 MB), or 0 if unmapped; *page_size gets its
 * size when non-null. */
uint64_t paging_lookup(uint64_t root_phys, uint64_t va, uint64_t *page_size);

/* Lazily mapped region: any not-present access gets a fresh zeroed page. */
static inline bool lazy_region_contains(uint64_t va)
{
    return va >= FERRY_LAZY_BASE && va - FERRY_LAZY_BASE < FERRY_LAZY_SIZE;
}

enum lazy_fault_result {
    LAZY_FAULT_MAPPED = 1,   /* a new page is mapped; retry the access */
    LAZY_FAULT_SPURIOUS,     /* already mapped (a stale translation); flushed, retry */
    LAZY_FAULT_NO_MEMORY,
};
enum lazy_fault_result paging_service_lazy_fault(uint64_t va);
/* Unmaps the lazy-region pages in [va, va + len) and frees their memory. */
void lazy_region_release(uint64_t va, uint64_t len);

#endif
