/* Bootstrap page tables, built by the host in VM memory. Every entry has U/S set:
 * the pv-lite KVM of the CI machines livelocks on supervisor-only pages. */
#include "hypervisor/boot_tables.h"

#include <string.h>

#include "ferry/abi.h"

#define PTE_PRESENT  0x001ull
#define PTE_WRITABLE 0x002ull
#define PTE_USER     0x004ull
#define PTE_ACCESSED 0x020ull
#define PTE_DIRTY    0x040ull
#define PTE_LARGE    0x080ull
#define PTE_ADDRESS  0x000ffffffffff000ull
#define TABLE_FLAGS  (PTE_PRESENT | PTE_WRITABLE | PTE_USER)
/* Accessed and dirty preset: nothing needs to write the bootstrap tables back. */
#define LEAF_FLAGS   (TABLE_FLAGS | PTE_ACCESSED | PTE_DIRTY | PTE_LARGE)

#define PAGE_SIZE     0x1000ull
#define LARGE_PAGE    0x200000ull
#define GIB           0x40000000ull

/* Page indices inside the bootstrap area. */
enum {
    PT_PML4 = 0,
    PT_IMAGE_PDPT,    /* PML4 slot 511 */
    PT_LOW_GIB_PD,    /* VM-physical [0, 1 GiB): shared by the image and direct maps */
    PT_DIRECT_PDPT,   /* PML4 slot 510 */
    PT_DIRECT_PD_1,   /* VM-physical [1, 2) GiB, then 2..4 */
    PT_PAGES = 8,
};
_Static_assert(PT_PAGES * PAGE_SIZE == FERRY_BOOT_PT_SIZE, "bootstrap area size");
_Static_assert(BOOT_DIRECT_MAP_LIMIT == (1 + PT_PAGES - PT_DIRECT_PD_1) * GIB,
               "one PD page per GiB after the first");

static unsigned pml4_index(uint64_t va) { return (unsigned)((va >> 39) & 511); }
static unsigned pdpt_index(uint64_t va) { return (unsigned)((va >> 30) & 511); }

uint64_t boot_tables_build(uint8_t *vm_phys_base, uint64_t phys_end)
{
    uint8_t *area = vm_phys_base + FERRY_BOOT_PT_PHYS;
    uint64_t *page[PT_PAGES];
    uint64_t mapped_end;
    memset(area, 0, FERRY_BOOT_PT_SIZE);
    for (unsigned i = 0; i < PT_PAGES; i++)
        page[i] = (uint64_t *)(area + i * PAGE_SIZE);
#define PHYS(i) (FERRY_BOOT_PT_PHYS + (uint64_t)(i) * PAGE_SIZE)

    if (phys_end > BOOT_DIRECT_MAP_LIMIT)
        phys_end = BOOT_DIRECT_MAP_LIMIT;
    mapped_end = (phys_end + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1);

    /* The first GiB: image mapping in full (it is the engine's link-time window),
     * the direct map only as far as memory exists. */
    for (uint64_t pa = 0; pa < GIB; pa += LARGE_PAGE)
        page[PT_LOW_GIB_PD][pa / LARGE_PAGE] = pa | LEAF_FLAGS;
    page[PT_PML4][pml4_index(FERRY_IMAGE_BASE)] = PHYS(PT_IMAGE_PDPT) | TABLE_FLAGS;
    page[PT_IMAGE_PDPT][pdpt_index(FERRY_IMAGE_BASE)] = PHYS(PT_LOW_GIB_PD) | TABLE_FLAGS;

    page[PT_PML4][pml4_index(FERRY_DIRECT_MAP_BASE)] = PHYS(PT_DIRECT_PDPT) | TABLE_FLAGS;
    page[PT_DIRECT_PDPT][0] = PHYS(PT_LOW_GIB_PD) | TABLE_FLAGS;
    for (uint64_t gib = 1; gib * GIB < mapped_end; gib++) {
        unsigned pd = PT_DIRECT_PD_1 + (unsigned)(gib - 1);
        page[PT_DIRECT_PDPT][gib] = PHYS(pd) | TABLE_FLAGS;
        for (uint64_t pa = gib * GIB; pa < mapped_end && pa < (gib + 1) * GIB; pa += LARGE_PAGE)
            page[pd][(pa - gib * GIB) / LARGE_PAGE] = pa | LEAF_FLAGS;
    }
#undef PHYS
    return FERRY_BOOT_PT_PHYS;
}

int boot_tables_translate(const uint8_t *vm_phys_base, uint64_t phys_size, uint64_t cr3,
                          uint64_t va, uint64_t *phys)
{
    uint64_t table = cr3 & PTE_ADDRESS;
    for (int level = 3; level >= 0; level--) {
        unsigned index = (unsigned)((va >> (12 + 9 * level)) & 511);
        uint64_t entry;
        if (table + PAGE_SIZE > phys_size)
            return 0;
        memcpy(&entry, vm_phys_base + table + index * 8, sizeof entry);
        if ((entry & TABLE_FLAGS) != TABLE_FLAGS)
            return 0;
        if (level == 0 || (level == 1 && (entry & PTE_LARGE))) {
            uint64_t size = level == 0 ? PAGE_SIZE : LARGE_PAGE;
            *phys = (entry & PTE_ADDRESS & ~(size - 1)) | (va & (size - 1));
            return 1;
        }
        if (entry & PTE_LARGE)
            return 0; /* 1 GiB pages: not used (pv-lite rejects them) */
        table = entry & PTE_ADDRESS;
    }
    return 0;
}
