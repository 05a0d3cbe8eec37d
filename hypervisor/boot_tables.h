/* The bootstrap page tables the host writes at FERRY_BOOT_PT_PHYS before the engine's
 * first instruction: the engine image mapping (FERRY_IMAGE_BASE -> VM-physical
 * [0, 1 GiB)) and the start of the direct map, with 2 MiB pages. Pure memory
 * writes, so tests check the entries without KVM. */
#ifndef FERRY_BOOT_TABLES_H
#define FERRY_BOOT_TABLES_H

#include <stdint.h>

/* The bootstrap direct map covers VM-physical [0, min(end, this)). */
#define BOOT_DIRECT_MAP_LIMIT (5ull << 30)

/* Writes the tables into vm_phys_base + FERRY_BOOT_PT_PHYS (FERRY_BOOT_PT_SIZE bytes)
 * and returns the value for CR3. phys_end: end of the VM-physical memory that has
 * memslots (engine memory, or the end of guest RAM). */
uint64_t boot_tables_build(uint8_t *vm_phys_base, uint64_t phys_end);

/* Walks the tables the way the MMU would (4-level, 2 MiB and 4 KiB leaves): returns
 * true and the physical address when va is mapped with P, R/W and U/S set. Used by
 * the tests to check the tables, and by diagnostics. */
int boot_tables_translate(const uint8_t *vm_phys_base, uint64_t phys_size, uint64_t cr3,
                          uint64_t va, uint64_t *phys);

#endif
