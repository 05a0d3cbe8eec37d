/* Stage 1 translation tables for the tests: 4 KB granule, 39- or 48-bit VAs, block and
 * page leaves, built in a static pool. The standard map keeps the image's text
 * read-only and executable at EL1 and EL0 (so EL0 test code can live in the image) and
 * its data EL1-only: a page EL0 can write is never executable at EL1 (the architecture
 * treats it as PXN), so the two must be apart. */
#include "rt.h"

#define POOL_TABLES 96
static uint64_t pool[POOL_TABLES][512] __attribute__((aligned(4096)));
static int pool_used;
struct mmu_space mmu_kernel;

uint64_t *(*mmu_table_alloc_hook)(void);

uint64_t *mmu_alloc_table(void)
{
    if (mmu_table_alloc_hook)
        return mmu_table_alloc_hook();
    if (pool_used == POOL_TABLES) {
        uart_puts("FAIL: translation table pool exhausted\n");
        psci_off();
    }
    uint64_t *t = pool[pool_used++];
    memset(t, 0, 4096);
    return t;
}

void mmu_space_init(struct mmu_space *s, int va_bits)
{
    s->root = mmu_alloc_table();
    s->va_bits = va_bits;
    s->start_level = va_bits > 39 ? 0 : 1;
}

static int shift_of(int level)
{
    return 12 + 9 * (3 - level);
}

static unsigned index_of(const struct mmu_space *s, uint64_t va, int level)
{
    uint64_t v = va & ((1ul << s->va_bits) - 1);   /* TTBR1 addresses: drop the ones */
    return (v >> shift_of(level)) & 511;
}

static uint64_t *walk(struct mmu_space *s, uint64_t va, int level, int alloc)
{
    uint64_t *t = s->root;
    for (int l = s->start_level; l < level; l++) {
        uint64_t *e = &t[index_of(s, va, l)];
        if ((*e & 3) != 3) {
            if (!alloc)
                return NULL;
            uint64_t *n = mmu_alloc_table();
            *e = (uint64_t)n | 3;
        }
        t = (uint64_t *)(*e & 0x0000fffffffff000ul);
    }
    return &t[index_of(s, va, level)];
}

uint64_t *mmu_slot(struct mmu_space *s, uint64_t va, int level)
{
    return walk(s, va, level, 0);
}

void mmu_map(struct mmu_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t attr,
             int level)
{
    uint64_t step = 1ul << shift_of(level);
    for (uint64_t off = 0; off < size; off += step) {
        uint64_t *e = walk(s, va + off, level, 1);
        *e = (pa + off) | attr | PTE_VALID | (level == 3 ? PTE_TABLE : 0);
    }
    dsb(ishst);
}

void mmu_map_standard(struct mmu_space *s)
{
    uint64_t img = (uint64_t)__image_start, text_end = (uint64_t)__text_end;
    uint64_t user = (uint64_t)__user_start, user_end = (uint64_t)__user_end;
    uint64_t img_2m = img & ~0x1ffffful, img_2m_end = (user_end + 0x1ffffful) & ~0x1ffffful;

    mmu_map(s, 0, 0, 1ul << 30, PG_DEVICE, 1);
    if (img_2m > RAM_BASE)
        mmu_map(s, RAM_BASE, RAM_BASE, img_2m - RAM_BASE, PG_KERNEL_RW, 2);
    mmu_map(s, img_2m, img_2m, img - img_2m, PG_KERNEL_RW, 3);
    mmu_map(s, img, img, text_end - img, PG_TEXT, 3);
    mmu_map(s, text_end, text_end, user - text_end, PG_KERNEL_RW, 3);
    mmu_map(s, user, user, user_end - user, PG_USER_RW, 3);
    mmu_map(s, user_end, user_end, img_2m_end - user_end, PG_KERNEL_RW, 3);
    /* The rest of the 256 MB: EL1 read/write/execute (scratch, code buffers). */
    mmu_map(s, img_2m_end, img_2m_end, RAM_BASE + 0x10000000ul - img_2m_end, PG_KERNEL_RWX, 2);
}

void mmu_enable(struct mmu_space *s0, uint16_t asid0, struct mmu_space *s1)
{
    uint64_t tcr = (uint64_t)(64 - s0->va_bits)      /* T0SZ */
                   | (1ul << 8) | (1ul << 10) | (3ul << 12)  /* IRGN0/ORGN0 WB, SH0 IS */
                   | (0ul << 14);                      /* TG0 4 KB */
    if (s1)
        tcr |= ((uint64_t)(64 - s1->va_bits) << 16) | (1ul << 24) | (1ul << 26) | (3ul << 28);
    else
        tcr |= (25ul << 16) | (1ul << 23);            /* EPD1: no TTBR1 walks */
    tcr |= 2ul << 30;                                  /* TG1 4 KB */
    /* IPS 32 bits: everything on the board is below 4 GB; A1=0, AS=0 (8-bit ASIDs). */
    write_sysreg(mair_el1, 0x44ff00ul);
    write_sysreg(tcr_el1, tcr);
    write_sysreg(ttbr0_el1, (uint64_t)s0->root | ((uint64_t)asid0 << 48));
    write_sysreg(ttbr1_el1, s1 ? (uint64_t)s1->root : 0);
    isb();
    __asm__ volatile("dsb ish; tlbi vmalle1; dsb ish; isb" ::: "memory");
    uint64_t sctlr = read_sysreg(sctlr_el1);
    write_sysreg(sctlr_el1, sctlr | SCTLR_M | SCTLR_C | SCTLR_I);
    isb();
}

void mmu_on_identity(int va_bits)
{
    mmu_space_init(&mmu_kernel, va_bits);
    mmu_map_standard(&mmu_kernel);
    mmu_enable(&mmu_kernel, 0, NULL);
}

/* Back to MMU off. Once data accesses become Device (non-cacheable), lines written
 * with the cache on must already be in memory: clean+invalidate the image (runtime
 * data, stacks, translation tables, .user_bss) by VA first. Other memory a test wrote
 * with the MMU on is the test's to clean. */
void mmu_disable(void)
{
    uint64_t line = 4ul << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    for (uint64_t a = (uint64_t)__image_start & ~(line - 1); a < (uint64_t)__image_end; a += line)
        __asm__ volatile("dc civac, %0" :: "r"(a) : "memory");
    dsb(sy);
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) & ~(SCTLR_M | SCTLR_C));
    isb();
    __asm__ volatile("ic iallu; tlbi vmalle1; dsb sy; isb" ::: "memory");
}
