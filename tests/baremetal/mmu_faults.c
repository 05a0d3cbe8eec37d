/* Translation, access-flag and permission faults at each level, from EL1 and EL0, for
 * data and instruction fetches, with DFSC/IFSC, WnR, CM and FAR; the retry after the
 * fault is fixed; LDTR/STTR (EL0 permissions checked from EL1). 39-bit VAs; every test
 * mapping lives at TV + n pages over scratch RAM. */
#include "rt.h"

#define TV     0x1000000000ul          /* 64 GB: its own level 2 and 3 tables */
#define PAGE(n) (TV + (uint64_t)(n) * 0x1000)
#define BLK    (TV + 0x40000000ul)     /* a second level 1 slot for 2 MB blocks */
#define PA(n)  (SCRATCH_BASE + (uint64_t)(n) * 0x1000)

static uint64_t *pte(uint64_t va, int level)
{
    return mmu_slot(&mmu_kernel, va, level);
}

/* Rewrites a live descriptor: break-before-make is not needed for an attribute change
 * of the same output address on one CPU with no concurrent walks; the TLBI is. */
static void set_pte(uint64_t va, int level, uint64_t v)
{
    *pte(va, level) = v;
    __asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb" :: "r"(va >> 12) : "memory");
}

static void report(const char *what, uint32_t want_esr, uint64_t want_far, uint64_t want_elr,
                   int want_vec)
{
    uint32_t esr = (uint32_t)exc_last.esr;
    unsigned ec = ESR_EC(esr);
    if (ec == 0x24 || ec == 0x25)
        esr = (uint32_t)ESR_DA(esr);
    check(exc_last.taken == 1 && esr == want_esr && exc_last.far == want_far &&
              exc_last.elr == want_elr && exc_last.vec == want_vec,
          "%s: ESR=0x%08x FAR=0x%lx", what, esr, exc_last.far);
}

static void el1_load(uint64_t va, uint32_t esr, const char *what)
{
    exc_catch(EXC_SKIP);
    p_ldr(va);
    exc_uncatch();
    report(what, esr, va, ADDR(p_ldr), 4);
}

static void el1_store(uint64_t va, uint32_t esr, const char *what)
{
    exc_catch(EXC_SKIP);
    p_str(va, 0x77);
    exc_uncatch();
    report(what, esr, va, ADDR(p_str), 4);
}

static uint64_t el0(uint64_t (*fn)(uint64_t), uint64_t arg)
{
    return run_el0(fn, arg, (uint64_t)el0_stack_top, 0);
}

int main(void)
{
    mmu_space_init(&mmu_kernel, 39);
    mmu_map_standard(&mmu_kernel);
    memset((void *)SCRATCH_BASE, 0, 0x20000);
    for (int i = 0; i < 16; i++)
        *(volatile uint64_t *)PA(i) = 0x100 + i;
    /* Page 0: EL1 RW. 1: invalid (level 3). 2: AF=0. 3: EL1 RO. 4: EL0 RW. 5: EL0 RO.
     * 6: EL1 only, executable (p_ret42's copy). 7: the same code, PXN. 8: EL0 RX.
     * 9: EL0 R, UXN (code there). 10: EL0-writable with PXN=0 (code).
     * 11: code with AF=0. */
    mmu_map(&mmu_kernel, PAGE(0), PA(0), 0x1000, PG_KERNEL_RW, 3);
    mmu_map(&mmu_kernel, PAGE(2), PA(2), 0x1000, PG_KERNEL_RW & ~PTE_AF, 3);
    mmu_map(&mmu_kernel, PAGE(3), PA(3), 0x1000, PG_KERNEL_RW | PTE_AP_RO, 3);
    mmu_map(&mmu_kernel, PAGE(4), PA(4), 0x1000, PG_USER_RW, 3);
    mmu_map(&mmu_kernel, PAGE(5), PA(5), 0x1000, PG_USER_RO, 3);
    uint64_t code_len = ADDR(p_ret42_end) - ADDR(p_ret42);
    for (int i = 6; i <= 11; i++)
        memcpy((void *)PA(i), (void *)p_ret42, code_len);
    mmu_map(&mmu_kernel, PAGE(6), PA(6), 0x1000, PG_KERNEL_RWX, 3);
    mmu_map(&mmu_kernel, PAGE(7), PA(7), 0x1000, PG_KERNEL_RWX | PTE_PXN, 3);
    mmu_map(&mmu_kernel, PAGE(8), PA(8), 0x1000, PG_USER_RX, 3);
    mmu_map(&mmu_kernel, PAGE(9), PA(9), 0x1000, PG_USER_RO, 3);
    mmu_map(&mmu_kernel, PAGE(10), PA(10), 0x1000,
            PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_EL0, 3);
    mmu_map(&mmu_kernel, PAGE(11), PA(11), 0x1000, PG_KERNEL_RWX & ~PTE_AF, 3);
    /* 2 MB blocks: BLK valid, BLK+2M AF=0, BLK+4M RO, BLK+6M invalid (level 2). */
    mmu_map(&mmu_kernel, BLK, SCRATCH_BASE, 0x200000, PG_KERNEL_RW, 2);
    mmu_map(&mmu_kernel, BLK + 0x200000, SCRATCH_BASE, 0x200000, PG_KERNEL_RW & ~PTE_AF, 2);
    mmu_map(&mmu_kernel, BLK + 0x400000, SCRATCH_BASE, 0x200000, PG_KERNEL_RO, 2);
    /* Code and data must stay coherent for the copies above: clean to PoU and
     * invalidate the instruction cache before the MMU makes them reachable. */
    for (int i = 6; i <= 11; i++)
        __asm__ volatile("dc cvau, %0" :: "r"(PA(i)));
    __asm__ volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
    mmu_enable(&mmu_kernel, 0, NULL);

    check(*(volatile uint64_t *)PAGE(0) == 0x100, "mapped page reads 0x%lx",
          *(volatile uint64_t *)PAGE(0));
    /* Translation faults at levels 1, 2, 3 (the start level is 1 with 39-bit VAs). */
    el1_load(0x3000000000ul, 0x96000005, "level 1 translation fault, read");
    el1_load(TV + 0x200000, 0x96000006, "level 2 translation fault, read");
    el1_store(PAGE(1), 0x96000047, "level 3 translation fault, write (WnR=1)");
    el1_load(BLK + 0x600000, 0x96000006, "level 2 translation fault next to blocks");
    /* Access flag: fault, set AF, retry. */
    el1_load(PAGE(2) + 8, 0x9600000b, "access flag fault, level 3 page, read");
    el1_store(PAGE(2) + 16, 0x9600004b, "access flag fault, level 3 page, write");
    set_pte(PAGE(2), 3, *pte(PAGE(2), 3) | PTE_AF);
    exc_catch(EXC_SKIP);
    uint64_t v = p_ldr(PAGE(2));
    exc_uncatch();
    check(exc_last.taken == 0 && v == 0x102, "AF set: the retry reads 0x%lx", v);
    el1_load(BLK + 0x200000 + 0x1000, 0x9600000a, "access flag fault, level 2 block");
    set_pte(BLK + 0x200000, 2, *pte(BLK + 0x200000, 2) | PTE_AF);
    check(*(volatile uint64_t *)(BLK + 0x200000 + 0x1000) == 0x101,
          "AF set on the block: the retry reads 0x%lx",
          *(volatile uint64_t *)(BLK + 0x200000 + 0x1000));

    /* Permission faults from EL1. */
    check(*(volatile uint64_t *)PAGE(3) == 0x103, "EL1 read of an EL1 read-only page: 0x%lx",
          *(volatile uint64_t *)PAGE(3));
    el1_store(PAGE(3), 0x9600004f, "EL1 write to a read-only page: level 3 permission fault");
    el1_store(BLK + 0x400000 + 8, 0x9600004e, "EL1 write to a read-only block: level 2");
    set_pte(PAGE(3), 3, *pte(PAGE(3), 3) & ~PTE_AP_RO);
    exc_catch(EXC_SKIP);
    p_str(PAGE(3), 0x55);
    exc_uncatch();
    check(exc_last.taken == 0 && *(volatile uint64_t *)PA(3) == 0x55,
          "made writable + TLBI: the retry writes");

    /* Instruction fetch from EL1. */
    exc_catch(EXC_RET_LR);
    v = p_call(PAGE(6));
    exc_uncatch();
    check(exc_last.taken == 0 && v == 42, "EL1 executes an EL1 RWX page: %ld", v);
    exc_catch(EXC_RET_LR);
    p_call(PAGE(7));
    exc_uncatch();
    report("EL1 fetch from a PXN page", 0x8600000f, PAGE(7), PAGE(7), 4);
    exc_catch(EXC_RET_LR);
    p_call(PAGE(10));
    exc_uncatch();
    report("EL1 fetch from an EL0-writable page (implicit PXN)", 0x8600000f, PAGE(10),
           PAGE(10), 4);
    exc_catch(EXC_RET_LR);
    p_call(PAGE(1));
    exc_uncatch();
    report("EL1 fetch from an unmapped page", 0x86000007, PAGE(1), PAGE(1), 4);
    exc_catch(EXC_RET_LR);
    p_call(0x3000000000ul);
    exc_uncatch();
    report("EL1 fetch, level 1 translation fault", 0x86000005, 0x3000000000ul, 0x3000000000ul, 4);
    exc_catch(EXC_RET_LR);
    p_call(PAGE(11));
    exc_uncatch();
    report("EL1 fetch from an AF=0 page", 0x8600000b, PAGE(11), PAGE(11), 4);
    set_pte(PAGE(11), 3, *pte(PAGE(11), 3) | PTE_AF);
    exc_catch(EXC_RET_LR);
    v = p_call(PAGE(11));
    exc_uncatch();
    check(exc_last.taken == 0 && v == 42, "AF set: the fetch is retried and returns %ld", v);
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_WXN);
    tlbi_all();
    exc_catch(EXC_RET_LR);
    p_call(PAGE(6));
    exc_uncatch();
    report("SCTLR.WXN=1: EL1 fetch from a writable page", 0x8600000f, PAGE(6), PAGE(6), 4);
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~SCTLR_WXN);
    tlbi_all();

    /* From EL0. */
    exc_catch(EXC_SKIP);
    v = el0(u_ldr, PAGE(0));
    exc_uncatch();
    report("EL0 read of an EL1-only page", 0x9200000f, PAGE(0), ADDR(u_ldr), 8);
    exc_catch(EXC_SKIP);
    v = el0(u_str, PAGE(4) + 0x20);
    exc_uncatch();
    check(exc_last.taken == 0 && *(volatile uint64_t *)(PA(4) + 0x20) == PAGE(4) + 0x20,
          "EL0 write to an EL0 RW page");
    exc_catch(EXC_SKIP);
    el0(u_str, PAGE(5) + 0x28);
    exc_uncatch();
    report("EL0 write to an EL0 read-only page", 0x9200004f, PAGE(5) + 0x28, ADDR(u_str), 8);
    exc_catch(EXC_SKIP);
    el0(u_ldr, PAGE(1));
    exc_uncatch();
    report("EL0 read of an unmapped page", 0x92000007, PAGE(1), ADDR(u_ldr), 8);
    exc_catch(EXC_SKIP);
    v = el0(u_call, PAGE(8));
    exc_uncatch();
    check(exc_last.taken == 0 && v == 7, "EL0 executes an EL0 RX page");
    exc_catch(EXC_RET_LR);
    el0(u_call, PAGE(9));
    exc_uncatch();
    report("EL0 fetch from a UXN page", 0x8200000f, PAGE(9), PAGE(9), 8);
    exc_catch(EXC_RET_LR);
    el0(u_call, PAGE(6));
    exc_uncatch();
    report("EL0 fetch from an EL1-only page (UXN)", 0x8200000f, PAGE(6), PAGE(6), 8);
    exc_catch(EXC_RET_LR);
    el0(u_call, PAGE(1));
    exc_uncatch();
    report("EL0 fetch from an unmapped page", 0x82000007, PAGE(1), PAGE(1), 8);

    /* LDTR/STTR at EL1 check EL0's permissions. */
    exc_catch(EXC_SKIP);
    v = p_ldtr(PAGE(0));
    exc_uncatch();
    report("LDTR of an EL1-only page", 0x9600000f, PAGE(0), ADDR(p_ldtr), 4);
    exc_catch(EXC_SKIP);
    v = p_ldtr(PAGE(5));
    exc_uncatch();
    check(exc_last.taken == 0 && v == 0x105, "LDTR of an EL0 read-only page: 0x%lx", v);
    exc_catch(EXC_SKIP);
    p_sttr(PAGE(5), 1);
    exc_uncatch();
    report("STTR to an EL0 read-only page", 0x9600004f, PAGE(5), ADDR(p_sttr), 4);
    exc_catch(EXC_SKIP);
    p_sttr(PAGE(4) + 0x30, 0x99);
    exc_uncatch();
    check(exc_last.taken == 0 && *(volatile uint64_t *)(PA(4) + 0x30) == 0x99,
          "STTR to an EL0 RW page");
    exc_catch(EXC_SKIP);
    p_sttr(PAGE(1), 1);
    exc_uncatch();
    report("STTR to an unmapped page", 0x96000047, PAGE(1), ADDR(p_sttr), 4);
    return 0;
}
