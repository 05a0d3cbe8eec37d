/* Code whose virtual-to-physical mapping changes, for an emulator that keeps
 * translations across TLB maintenance (Ferry keys them by physical address): a code VA
 * remapped between two pages many times, a second VA of the same page, a fall-through
 * and a branch into a page that is remapped under a caller that stays mapped (stale
 * chains between pages show as the old page's result), code rewritten through a data
 * alias without IC (QEMU and Ferry notice writes to translated code), and a loop that
 * stores into its own page. Each wrong answer is the old page's value. */
#include "rt.h"

#define CV      0x2000000000ul            /* code VAs, EL1 RWX 4 KB pages */
#define PAGE(n) (SCRATCH_BASE + 0x200000 + (uint64_t)(n) * 0x1000)   /* identity: write code here */

enum { A, B, C, D };                      /* physical code pages */

static uint32_t movz_w0(unsigned imm) { return 0x52800000u | (imm << 5); }
#define RET     0xd65f03c0u
#define NOP     0xd503201fu
static uint32_t b_to(uint64_t from, uint64_t to) { return 0x14000000u | (uint32_t)(((to - from) >> 2) & 0x3ffffff); }

static void sync_all(void)
{
    /* clean to the point of unification and invalidate the whole I-cache: the
     * architected sequence after writing the code pages below */
    for (int p = A; p <= D; p++)
        for (uint64_t o = 0; o < 0x1000; o += 64)
            __asm__ volatile("dc cvau, %0" :: "r"(PAGE(p) + o) : "memory");
    dsb(ish);
    __asm__ volatile("ic iallu" ::: "memory");
    dsb(ish);
    isb();
}

static void map_code(uint64_t va, int page)
{
    *mmu_slot(&mmu_kernel, va, 3) = PAGE(page) | PG_KERNEL_RWX | PTE_VALID | PTE_TABLE;
    dsb(ishst);
    __asm__ volatile("tlbi vaae1, %0" :: "r"((va >> 12) & 0xfffffffffful) : "memory");
    dsb(ish);
    isb();
}

static uint64_t call(uint64_t va)
{
    return ((uint64_t (*)(void))va)();
}

/* A loop that stores to a counter in its own page (code and data sharing a page). */
static const uint32_t count_loop[] = {
    0x10004001, /* adr x1, .+0x800 (the counter) */
    0xd2800002, /* mov x2, #0 */
    0xf9400023, /* 1: ldr x3, [x1] */
    0x91000463, /* add x3, x3, #1 */
    0xf9000023, /* str x3, [x1] */
    0x91000442, /* add x2, x2, #1 */
    0xf10fa05f, /* cmp x2, #1000 */
    0x54ffff63, /* b.lo 1b */
    0xf9400020, /* ldr x0, [x1] */
    RET,
};

int main(void)
{
    mmu_space_init(&mmu_kernel, 39);
    mmu_map_standard(&mmu_kernel);
    mmu_map(&mmu_kernel, CV, PAGE(A), 0x8000, PG_KERNEL_RWX, 3);
    mmu_enable(&mmu_kernel, 0, NULL);

    volatile uint32_t *pa = (volatile uint32_t *)PAGE(A), *pb = (volatile uint32_t *)PAGE(B);
    volatile uint32_t *pc = (volatile uint32_t *)PAGE(C);
    pa[0] = movz_w0(0xa1); pa[1] = RET;
    pb[0] = movz_w0(0xb1); pb[1] = RET;
    /* page C ends in a fall-through and a branch into the next VA page */
    pc[0x3f8 / 4] = b_to(CV + 0x2000 + 0x3f8, CV + 0x3000);
    pc[0xffc / 4] = NOP;
    sync_all();

    /* One VA, two physical pages, alternately: each translation stays right. */
    int wrong = 0;
    uint64_t first = 0, last = 0;
    for (int i = 0; i < 200; i++) {
        map_code(CV, i & 1 ? B : A);
        uint64_t r = call(CV);
        if (r != (i & 1 ? 0xb1u : 0xa1u)) wrong++;
        if (i == 0) first = r;
        last = r;
    }
    check(wrong == 0 && first == 0xa1 && last == 0xb1,
          "one VA remapped between two code pages 200 times: %d wrong (first 0x%lx, last 0x%lx)", wrong, first,
          last);

    /* A second VA of page A runs page A's code; the first VA still runs page B's. */
    map_code(CV + 0x1000, A);
    uint64_t alias = call(CV + 0x1000), other = call(CV);
    check(alias == 0xa1 && other == 0xb1, "two VAs, two pages: 0x%lx 0x%lx", alias, other);

    /* Into a remapped next page from a page that stays: by falling through its end
     * and by a branch. */
    map_code(CV + 0x2000, C);
    wrong = 0;
    for (int i = 0; i < 50; i++) {
        int page = i & 1 ? B : A;
        unsigned want = i & 1 ? 0xb1u : 0xa1u;
        map_code(CV + 0x3000, page);
        if (call(CV + 0x2000 + 0xffc) != want) wrong++;
        if (call(CV + 0x2000 + 0x3f8) != want) wrong++;
    }
    check(wrong == 0, "fall-through and branch into a page remapped 50 times: %d wrong", wrong);

    /* Rewritten through another VA, DSB and ISB only: the translation must go. */
    map_code(CV, A);
    uint64_t before = call(CV);
    pa[0] = movz_w0(0xa2);
    dsb(ish);
    isb();
    uint64_t after = call(CV);
    check(before == 0xa1 && after == 0xa2, "code rewritten through a data alias without IC: 0x%lx then 0x%lx",
          before, after);

    /* Code and data in one page: the loop's stores must not disturb its own run. */
    volatile uint32_t *pd = (volatile uint32_t *)PAGE(D);
    for (unsigned i = 0; i < sizeof(count_loop) / 4; i++)
        pd[i] = count_loop[i];
    *(volatile uint64_t *)(PAGE(D) + 0x800) = 0;
    sync_all();
    map_code(CV + 0x4000, D);
    uint64_t n1 = call(CV + 0x4000), n2 = call(CV + 0x4000);
    check(n1 == 1000 && n2 == 2000, "a loop storing into its own page: %lu then %lu", n1, n2);
    return 0;
}
