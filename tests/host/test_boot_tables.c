/* Unit tests of the bootstrap page tables (hypervisor/boot_tables.c): the engine
 * image and direct-map windows translate to the right VM-physical addresses, every
 * entry carries U/S (pv-lite needs it), nothing else is mapped, and the reserved PML4
 * slot stays empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>

#include "ferry/abi.h"
#include "hypervisor/boot_tables.h"

#define MEM_SIZE (256ull << 20)

static uint8_t *memory(void)
{
    uint8_t *m = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    assert_true(m != MAP_FAILED);
    memset(m, 0xee, FERRY_BOOT_PT_PHYS + FERRY_BOOT_PT_SIZE); /* stale garbage */
    return m;
}

static void expect_mapping(const uint8_t *m, uint64_t cr3, uint64_t va, uint64_t pa)
{
    uint64_t got = 0;
    if (!boot_tables_translate(m, MEM_SIZE, cr3, va, &got))
        fail_msg("0x%llx is not mapped", (unsigned long long)va);
    assert_int_equal(got, pa);
}

static void expect_unmapped(const uint8_t *m, uint64_t cr3, uint64_t va)
{
    uint64_t got;
    if (boot_tables_translate(m, MEM_SIZE, cr3, va, &got))
        fail_msg("0x%llx is mapped to 0x%llx", (unsigned long long)va, (unsigned long long)got);
}

static void test_engine_only(void **state)
{
    uint8_t *m = memory();
    uint64_t cr3 = boot_tables_build(m, MEM_SIZE);
    const uint64_t *pml4 = (const uint64_t *)(m + cr3);
    assert_int_equal(cr3, FERRY_BOOT_PT_PHYS);
    expect_mapping(m, cr3, FERRY_IMAGE_BASE + FERRY_ENGINE_PHYS + 0x123,
                   FERRY_ENGINE_PHYS + 0x123);
    expect_mapping(m, cr3, FERRY_IMAGE_BASE + FERRY_IMAGE_MAP_SIZE - 8,
                   FERRY_IMAGE_MAP_SIZE - 8);
    expect_mapping(m, cr3, FERRY_DIRECT_MAP_BASE + FERRY_BOOT_INFO_PHYS, FERRY_BOOT_INFO_PHYS);
    expect_mapping(m, cr3, FERRY_DIRECT_MAP_BASE + FERRY_SHARED_PHYS + 0x4567,
                   FERRY_SHARED_PHYS + 0x4567);
    expect_mapping(m, cr3, FERRY_DIRECT_MAP_BASE + MEM_SIZE - 1, MEM_SIZE - 1);
    expect_unmapped(m, cr3, FERRY_DIRECT_MAP_BASE + FERRY_GUEST_RAM_PHYS);
    expect_unmapped(m, cr3, 0);
    expect_unmapped(m, cr3, FERRY_ENGINE_PHYS);           /* no identity map */
    expect_unmapped(m, cr3, FERRY_IMAGE_BASE - 0x1000);
    expect_unmapped(m, cr3, FERRY_LAZY_BASE);
    /* Only the two engine slots are used; never the reserved one. */
    for (unsigned slot = 0; slot < 512; slot++) {
        if (slot == 510 || slot == 511)
            assert_int_equal(pml4[slot] & 7, 7);
        else
            assert_int_equal(pml4[slot], 0);
    }
    /* Every present entry in the whole bootstrap area has U/S and R/W. */
    for (uint64_t off = 0; off < FERRY_BOOT_PT_SIZE; off += 8) {
        uint64_t e;
        memcpy(&e, m + FERRY_BOOT_PT_PHYS + off, 8);
        if (e & 1)
            assert_int_equal(e & 7, 7);
    }
    munmap(m, MEM_SIZE);
}

static void test_with_guest_ram(void **state)
{
    uint8_t *m = memory();
    /* Guest RAM up to 3.5 GiB VM-physical: the direct map follows it with 2 MiB pages. */
    uint64_t end = FERRY_GUEST_RAM_PHYS + (2560ull << 20);
    uint64_t cr3 = boot_tables_build(m, end);
    expect_mapping(m, cr3, FERRY_DIRECT_MAP_BASE + FERRY_GUEST_RAM_PHYS, FERRY_GUEST_RAM_PHYS);
    expect_mapping(m, cr3, FERRY_DIRECT_MAP_BASE + end - 1, end - 1);
    expect_unmapped(m, cr3, FERRY_DIRECT_MAP_BASE + end);
    /* Beyond the bootstrap limit nothing is mapped, however much RAM there is. */
    cr3 = boot_tables_build(m, 64ull << 30);
    expect_mapping(m, cr3, FERRY_DIRECT_MAP_BASE + BOOT_DIRECT_MAP_LIMIT - 1,
                   BOOT_DIRECT_MAP_LIMIT - 1);
    expect_unmapped(m, cr3, FERRY_DIRECT_MAP_BASE + BOOT_DIRECT_MAP_LIMIT);
    munmap(m, MEM_SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_only),
        cmocka_unit_test(test_with_guest_ram),
    };
    return cmocka_run_group_tests_name("boot_tables", tests, NULL, NULL);
}
