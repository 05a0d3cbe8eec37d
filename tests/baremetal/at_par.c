/* AT S1E1R/S1E1W/S1E0R/S1E0W and PAR_EL1: the output address of a page and of a block,
 * and the fault status (F, FST, PTW, S) for translation, access-flag and permission
 * faults, with no exception taken. PAR_EL1's memory attribute (ATTR), shareability and
 * NS fields and its IMPLEMENTATION DEFINED bits are not printed: only PA[47:12] on
 * success and PAR[9:0] on a fault. */
#include "rt.h"

#define TV      0x1000000000ul
#define PAGE(n) (TV + (uint64_t)(n) * 0x1000)
#define PA(n)   (SCRATCH_BASE + (uint64_t)(n) * 0x1000)

enum { S1E1R, S1E1W, S1E0R, S1E0W };
static const char *names[] = { "S1E1R", "S1E1W", "S1E0R", "S1E0W" };

static uint64_t at(int op, uint64_t va)
{
    switch (op) {
    case S1E1R: __asm__ volatile("at s1e1r, %0" :: "r"(va)); break;
    case S1E1W: __asm__ volatile("at s1e1w, %0" :: "r"(va)); break;
    case S1E0R: __asm__ volatile("at s1e0r, %0" :: "r"(va)); break;
    case S1E0W: __asm__ volatile("at s1e0w, %0" :: "r"(va)); break;
    }
    isb();
    return read_sysreg(par_el1);
}

static void ok_pa(int op, uint64_t va, uint64_t want_pa, const char *what)
{
    exc_catch(EXC_SKIP);
    uint64_t par = at(op, va);
    exc_uncatch();
    uint64_t pa = par & 0x0000fffffffff000ul;
    check(exc_last.taken == 0 && (par & 1) == 0 && pa == (want_pa & ~0xffful),
          "AT %s %s 0x%lx: F=0 PA=0x%lx", names[op], what, va, pa);
}

static void fault(int op, uint64_t va, unsigned want, const char *what)
{
    exc_catch(EXC_SKIP);
    uint64_t par = at(op, va);
    exc_uncatch();
    unsigned low = par & 0x3ff;
    check(exc_last.taken == 0 && low == want,
          "AT %s %s 0x%lx: PAR[9:0]=0x%03x (F=%u FST=0x%02x PTW=%u S=%u)", names[op], what, va,
          low, low & 1, (low >> 1) & 0x3f, (low >> 8) & 1, (low >> 9) & 1);
}

/* PAR_EL1 for a fault: F=1, FST = the fault status code, stage 1, not on a walk. */
#define PARF(fst) (1u | ((fst) << 1))

int main(void)
{
    mmu_space_init(&mmu_kernel, 39);
    mmu_map_standard(&mmu_kernel);
    mmu_map(&mmu_kernel, PAGE(0), PA(7), 0x1000, PG_KERNEL_RW, 3);
    mmu_map(&mmu_kernel, PAGE(2), PA(8), 0x1000, PG_KERNEL_RW & ~PTE_AF, 3);
    mmu_map(&mmu_kernel, PAGE(3), PA(9), 0x1000, PG_KERNEL_RW | PTE_AP_RO, 3);
    mmu_map(&mmu_kernel, PAGE(4), PA(10), 0x1000, PG_USER_RW, 3);
    mmu_map(&mmu_kernel, PAGE(5), PA(11), 0x1000, PG_USER_RO, 3);
    mmu_map(&mmu_kernel, TV + 0x40000000ul, SCRATCH_BASE + 0x200000, 0x200000, PG_KERNEL_RW, 2);
    mmu_enable(&mmu_kernel, 0, NULL);

    ok_pa(S1E1R, PAGE(0) + 0x123, PA(7), "EL1 RW page");
    ok_pa(S1E1W, PAGE(0), PA(7), "EL1 RW page");
    ok_pa(S1E1R, TV + 0x40000000ul + 0x12345, SCRATCH_BASE + 0x212345, "2 MB block");
    ok_pa(S1E1R, 0x09000000, 0x09000000, "device identity");
    ok_pa(S1E1R, (uint64_t)__image_start, (uint64_t)__image_start, "image text");
    fault(S1E1R, PAGE(1), PARF(0x07), "unmapped page");
    fault(S1E1W, TV + 0x200000, PARF(0x06), "unmapped level 2");
    fault(S1E1R, 0x3000000000ul, PARF(0x05), "unmapped level 1");
    fault(S1E1R, PAGE(2), PARF(0x0b), "AF=0 page");
    ok_pa(S1E1R, PAGE(3), PA(9), "EL1 RO page");
    fault(S1E1W, PAGE(3), PARF(0x0f), "EL1 RO page");
    fault(S1E0R, PAGE(0), PARF(0x0f), "EL1 RW page");
    ok_pa(S1E0R, PAGE(4), PA(10), "EL0 RW page");
    ok_pa(S1E0W, PAGE(4), PA(10), "EL0 RW page");
    ok_pa(S1E1W, PAGE(4), PA(10), "EL0 RW page");
    ok_pa(S1E0R, PAGE(5), PA(11), "EL0 RO page");
    fault(S1E0W, PAGE(5), PARF(0x0f), "EL0 RO page");
    fault(S1E1W, PAGE(5), PARF(0x0f), "EL0 RO page");
    return 0;
}
