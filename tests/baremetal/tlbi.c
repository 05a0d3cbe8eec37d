/* Every EL1 TLBI form and ASID switches. Each check maps a VA, reads it (so a TLB may
 * hold the entry), points the descriptor at another page, runs the invalidation and
 * reads again: the architecture guarantees the new page is seen after TLBI + DSB + ISB,
 * so a missed or too narrow invalidation in an emulator shows as the old page's value.
 * ASID cases: a VA mapped (nG=1) to different pages under two ASIDs must show each
 * ASID's page after a TTBR0 switch without any TLBI; invalidations by VA or ASID for a
 * non-current ASID, and by VA with another ASID for a global entry, must take effect. */
#include "rt.h"

#define TV      0x1000000000ul
#define PA(n)   (SCRATCH_BASE + (uint64_t)(n) * 0x1000)

static struct mmu_space other;   /* a second TTBR0 table (ASID 2) */

static uint64_t rd(uint64_t va)
{
    return *(volatile uint64_t *)va;
}

static void set_leaf(struct mmu_space *s, uint64_t va, uint64_t pa, uint64_t attr)
{
    *mmu_slot(s, va, 3) = pa | attr | PTE_VALID | PTE_TABLE;
    dsb(ishst);
}

static void set_ttbr0(struct mmu_space *s, uint64_t asid)
{
    write_sysreg(ttbr0_el1, (uint64_t)s->root | (asid << 48));
    isb();
}

enum { VMALLE1, VMALLE1IS, VAE1, VAE1IS, VALE1, VALE1IS, VAAE1, VAAE1IS, VAALE1, VAALE1IS,
       ASIDE1, ASIDE1IS };
static const char *names[] = { "VMALLE1", "VMALLE1IS", "VAE1", "VAE1IS", "VALE1", "VALE1IS",
                                "VAAE1", "VAAE1IS", "VAALE1", "VAALE1IS", "ASIDE1", "ASIDE1IS" };

static void tlbi(int kind, uint64_t va, uint64_t asid)
{
    uint64_t x = (asid << 48) | ((va >> 12) & 0xfffffffffful);
    uint64_t a = asid << 48;
    dsb(ishst);
    switch (kind) {
    case VMALLE1:   __asm__ volatile("tlbi vmalle1" ::: "memory"); break;
    case VMALLE1IS: __asm__ volatile("tlbi vmalle1is" ::: "memory"); break;
    case VAE1:      __asm__ volatile("tlbi vae1, %0" :: "r"(x) : "memory"); break;
    case VAE1IS:    __asm__ volatile("tlbi vae1is, %0" :: "r"(x) : "memory"); break;
    case VALE1:     __asm__ volatile("tlbi vale1, %0" :: "r"(x) : "memory"); break;
    case VALE1IS:   __asm__ volatile("tlbi vale1is, %0" :: "r"(x) : "memory"); break;
    case VAAE1:     __asm__ volatile("tlbi vaae1, %0" :: "r"(x) : "memory"); break;
    case VAAE1IS:   __asm__ volatile("tlbi vaae1is, %0" :: "r"(x) : "memory"); break;
    case VAALE1:    __asm__ volatile("tlbi vaale1, %0" :: "r"(x) : "memory"); break;
    case VAALE1IS:  __asm__ volatile("tlbi vaale1is, %0" :: "r"(x) : "memory"); break;
    case ASIDE1:    __asm__ volatile("tlbi aside1, %0" :: "r"(a) : "memory"); break;
    case ASIDE1IS:  __asm__ volatile("tlbi aside1is, %0" :: "r"(a) : "memory"); break;
    }
    __asm__ volatile("dsb ish; isb" ::: "memory");
}

#define NG_RW (PG_KERNEL_RW | PTE_NG)

/* With TCR.A1=1 the table (TTBR0) and the ASID (TTBR1) are two writes: park TTBR0 in
 * between on a table with only the global kernel map (Linux uses an empty one, its
 * code being in TTBR1's range; ours runs from TTBR0's identity map), so that no walk
 * can cache the old table's nG entries under the new ASID. */
static struct mmu_space reserved;

static void switch_a1(struct mmu_space *s, uint64_t asid)
{
    write_sysreg(ttbr0_el1, (uint64_t)reserved.root);
    isb();
    write_sysreg(ttbr1_el1, asid << 48);
    isb();
    write_sysreg(ttbr0_el1, (uint64_t)s->root);
    isb();
}

int main(void)
{
    for (int i = 0; i < 128; i++)
        *(volatile uint64_t *)PA(i) = 0x1000 + i;
    mmu_space_init(&mmu_kernel, 39);
    mmu_map_standard(&mmu_kernel);
    mmu_space_init(&other, 39);
    mmu_map_standard(&other);
    /* Pre-build the level 3 tables of the test VAs in both spaces. */
    mmu_map(&mmu_kernel, TV, PA(0), 0x80000, NG_RW, 3);
    mmu_map(&other, TV, PA(64), 0x80000, NG_RW, 3);
    mmu_space_init(&reserved, 39);
    mmu_map_standard(&reserved);
    mmu_enable(&mmu_kernel, 1, NULL);

    /* Each TLBI kind, current ASID 1, a non-global entry (global for the VAA forms and
     * VMALLE1 would do either; nG=1 exercises the ASID match). */
    for (int k = VMALLE1; k <= ASIDE1IS; k++) {
        uint64_t va = TV + (uint64_t)(k + 1) * 0x1000;
        set_leaf(&mmu_kernel, va, PA(k + 1), NG_RW);
        tlbi(VMALLE1, 0, 0);
        uint64_t before = rd(va);
        set_leaf(&mmu_kernel, va, PA(k + 33), NG_RW);
        tlbi(k, va, 1);
        uint64_t after = rd(va);
        check(before == 0x1000u + k + 1 && after == 0x1000u + k + 33,
              "TLBI %s: old page 0x%lx, after the change 0x%lx", names[k], before, after);
    }

    /* ASID switch without TLBI: same VA, ASID 1 -> PA(20), ASID 2 -> PA(84). */
    uint64_t va = TV + 20 * 0x1000;
    set_leaf(&mmu_kernel, va, PA(20), NG_RW);
    set_leaf(&other, va, PA(84), NG_RW);
    tlbi(VMALLE1, 0, 0);
    uint64_t a1 = rd(va);
    set_ttbr0(&other, 2);
    uint64_t a2 = rd(va);
    set_ttbr0(&mmu_kernel, 1);
    uint64_t a3 = rd(va);
    check(a1 == 0x1014 && a2 == 0x1054 && a3 == 0x1014,
          "nG=1, TTBR0 ASID 1 -> 2 -> 1 without TLBI: 0x%lx 0x%lx 0x%lx", a1, a2, a3);

    /* Invalidate ASID 2's entry by VA while ASID 1 is current, then switch to ASID 2. */
    set_ttbr0(&other, 2);
    rd(va);
    set_ttbr0(&mmu_kernel, 1);
    set_leaf(&other, va, PA(85), NG_RW);
    tlbi(VAE1, va, 2);
    set_ttbr0(&other, 2);
    a2 = rd(va);
    set_ttbr0(&mmu_kernel, 1);
    check(a2 == 0x1055, "TLBI VAE1 for the non-current ASID 2: 0x%lx", a2);
    set_ttbr0(&other, 2);
    rd(va);
    set_ttbr0(&mmu_kernel, 1);
    set_leaf(&other, va, PA(86), NG_RW);
    tlbi(ASIDE1, 0, 2);
    set_ttbr0(&other, 2);
    a2 = rd(va);
    set_ttbr0(&mmu_kernel, 1);
    check(a2 == 0x1056, "TLBI ASIDE1 for the non-current ASID 2: 0x%lx", a2);

    /* Global entries: VAE1/VALE1 with any ASID invalidate a global entry for the VA. */
    uint64_t gva = TV + 24 * 0x1000;
    set_leaf(&mmu_kernel, gva, PA(24), PG_KERNEL_RW);
    tlbi(VMALLE1, 0, 0);
    a1 = rd(gva);
    set_leaf(&mmu_kernel, gva, PA(25), PG_KERNEL_RW);
    tlbi(VAE1, gva, 77);
    a2 = rd(gva);
    set_leaf(&mmu_kernel, gva, PA(26), PG_KERNEL_RW);
    tlbi(VALE1IS, gva, 78);
    a3 = rd(gva);
    check(a1 == 0x1018 && a2 == 0x1019 && a3 == 0x101a,
          "global entry: TLBI VAE1/VALE1IS with another ASID: 0x%lx 0x%lx 0x%lx", a1, a2, a3);
    /* A global entry may be used under any ASID, so ASID 2's table maps gva the same
     * way (mapping it differently would make the result depend on the TLB). */
    set_leaf(&other, gva, PA(26), PG_KERNEL_RW);
    set_ttbr0(&other, 2);
    a2 = rd(gva);
    set_ttbr0(&mmu_kernel, 1);
    check(a2 == 0x101a, "global entry read under ASID 2: 0x%lx", a2);

    /* 16-bit ASIDs (TCR.AS=1): 0x134 and 0x234 are different ASIDs. */
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) | (1ul << 36));
    isb();
    tlbi(VMALLE1, 0, 0);
    uint64_t va16 = TV + 28 * 0x1000;
    set_leaf(&mmu_kernel, va16, PA(28), NG_RW);
    set_leaf(&other, va16, PA(92), NG_RW);
    set_ttbr0(&mmu_kernel, 0x134);
    a1 = rd(va16);
    set_ttbr0(&other, 0x234);
    a2 = rd(va16);
    set_ttbr0(&mmu_kernel, 0x134);
    a3 = rd(va16);
    check(a1 == 0x101c && a2 == 0x105c && a3 == 0x101c,
          "16-bit ASIDs 0x134 -> 0x234 -> 0x134 without TLBI: 0x%lx 0x%lx 0x%lx", a1, a2, a3);
    set_leaf(&other, va16, PA(93), NG_RW);
    tlbi(VAE1IS, va16, 0x234);
    set_ttbr0(&other, 0x234);
    a2 = rd(va16);
    check(a2 == 0x105d, "TLBI VAE1IS with 16-bit ASID 0x234 (not current): 0x%lx", a2);

    /* TCR.A1=1 (as Linux sets it): the ASID comes from TTBR1_EL1; switching it there
     * and the table in TTBR0 shows each ASID's page without TLBI. */
    uint64_t va1 = TV + 30 * 0x1000;
    set_leaf(&mmu_kernel, va1, PA(30), NG_RW);
    set_leaf(&other, va1, PA(94), NG_RW);
    write_sysreg(ttbr0_el1, (uint64_t)mmu_kernel.root);
    write_sysreg(ttbr1_el1, 0x155ul << 48);
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) | (1ul << 22));
    isb();
    tlbi(VMALLE1, 0, 0);
    a1 = rd(va1);
    switch_a1(&other, 0x266);
    a2 = rd(va1);
    switch_a1(&mmu_kernel, 0x155);
    a3 = rd(va1);
    check(a1 == 0x101e && a2 == 0x105e && a3 == 0x101e,
          "TCR.A1=1, ASID in TTBR1 0x155 -> 0x266 -> 0x155: 0x%lx 0x%lx 0x%lx", a1, a2, a3);
    set_leaf(&mmu_kernel, va1, PA(31), NG_RW);
    tlbi(ASIDE1IS, 0, 0x155);
    a1 = rd(va1);
    check(a1 == 0x101f, "TCR.A1=1: TLBI ASIDE1IS of the current ASID: 0x%lx", a1);

    /* Changing a block into a table of pages (break-before-make): the new pages are
     * seen after the TLBI of the block's VA. */
    uint64_t bva = TV + 0x40000000ul;
    mmu_map(&mmu_kernel, bva, SCRATCH_BASE, 0x200000, PG_KERNEL_RW, 2);
    a1 = rd(bva + 0x3000);
    uint64_t *slot = mmu_slot(&mmu_kernel, bva, 2);
    *slot = 0;
    tlbi(VAAE1IS, bva, 0);
    uint64_t *l3 = mmu_alloc_table();
    for (int i = 0; i < 512; i++)
        l3[i] = PA(100) | PG_KERNEL_RW | PTE_VALID | PTE_TABLE;
    *slot = (uint64_t)l3 | 3;
    tlbi(VAAE1IS, bva + 0x3000, 0);
    a2 = rd(bva + 0x3000);
    check(a1 == 0x1003 && a2 == 0x1064, "2 MB block replaced by pages: 0x%lx then 0x%lx", a1, a2);
    return 0;
}
