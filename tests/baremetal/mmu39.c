/* The MMU on with VA_BITS-bit VAs (39 here, 48 in mmu48.c which includes this file):
 * TTBR0 and TTBR1 both in use, page, 2 MB and 1 GB block leaves, identity and
 * non-identity mappings, aliases of one physical page, code run through a TTBR1
 * alias, and the translation faults at the start level and for a VA in neither range. */
#include "rt.h"

#ifndef VA_BITS
#define VA_BITS 39
#endif

#if VA_BITS == 39
#define LOW_VA   0x4000000000ul          /* 256 GB: level 1 index 256 */
#define HIGH_VA  0xffffff8000000000ul    /* the bottom of the TTBR1 range */
#define HOLE_VA  0x0000800000000000ul    /* in neither range */
#define UNMAPPED 0x7000000000ul          /* a level 1 entry never written */
#define START_LEVEL_FAULT 0x05
#else
#define LOW_VA   0x0000800000000000ul    /* level 0 index 256 */
#define HIGH_VA  0xffff000000000000ul
#define HOLE_VA  0x0001000000000000ul
#define UNMAPPED 0x0000c00000000000ul    /* a level 0 entry never written */
#define START_LEVEL_FAULT 0x04
#endif

static struct mmu_space high;
static volatile uint64_t marker = 0x5a5a5a5a12345678ul;

static void fault_check(uint64_t va, int write, uint32_t want_esr, const char *what)
{
    exc_catch(EXC_SKIP);
    if (write)
        p_str(va, 1);
    else
        p_ldr(va);
    exc_uncatch();
    check(exc_last.taken == 1 && ESR_DA(exc_last.esr) == want_esr && exc_last.far == va &&
              exc_last.elr == ADDR(write ? (void *)p_str : (void *)p_ldr),
          "%s: ESR=0x%08lx FAR=0x%lx", what, ESR_DA(exc_last.esr), exc_last.far);
}

int main(void)
{
    uint64_t scratch = SCRATCH_BASE;   /* 2 MB aligned */
    mmu_space_init(&mmu_kernel, VA_BITS);
    mmu_map_standard(&mmu_kernel);
    mmu_space_init(&high, VA_BITS);
    /* Non-identity leaves of each size. */
    mmu_map(&mmu_kernel, LOW_VA, scratch, 0x2000, PG_KERNEL_RW, 3);
    mmu_map(&mmu_kernel, LOW_VA + 0x10000, scratch, 0x1000, PG_KERNEL_RW, 3);   /* alias */
    mmu_map(&mmu_kernel, LOW_VA + 0x200000, scratch, 0x200000, PG_KERNEL_RW, 2);
    mmu_map(&mmu_kernel, LOW_VA + 0x40000000, RAM_BASE, 0x40000000, PG_KERNEL_RW, 1);
    mmu_map(&high, HIGH_VA, scratch + 0x1000, 0x1000, PG_KERNEL_RW, 3);
    mmu_map(&high, HIGH_VA + 0x200000, scratch, 0x200000, PG_KERNEL_RW, 2);
    /* The text page holding p_ret42, executable at EL1 through TTBR1. */
    uint64_t fn = ADDR(p_ret42), fn_page = fn & ~0xffful;
    mmu_map(&high, HIGH_VA + 0x400000, fn_page, 0x2000, PG_TEXT, 3);
    memset((void *)scratch, 0, 0x4000);
    ((volatile uint64_t *)scratch)[0] = 0x1111;
    ((volatile uint64_t *)scratch)[512] = 0x2222;    /* second page */
    ((volatile uint64_t *)scratch)[0x9000 / 8] = 0x3333;

    mmu_enable(&mmu_kernel, 0, &high);
    uint64_t tcr = read_sysreg(tcr_el1);
    check((tcr & 0x3f) == 64 - VA_BITS && ((tcr >> 16) & 0x3f) == 64 - VA_BITS,
          "MMU on, %d-bit VAs: T0SZ=%lu T1SZ=%lu", VA_BITS, tcr & 0x3f, (tcr >> 16) & 0x3f);
    check(marker == 0x5a5a5a5a12345678ul, "identity map: data reads back 0x%lx", marker);

    volatile uint64_t *low = (volatile uint64_t *)LOW_VA;
    check(low[0] == 0x1111 && low[512] == 0x2222,
          "4 KB pages at 0x%lx -> PA 0x%lx: 0x%lx 0x%lx", LOW_VA, scratch, low[0], low[512]);
    low[1] = 0xabcd;
    check(((volatile uint64_t *)scratch)[1] == 0xabcd, "write via VA seen at the PA: 0x%lx",
          ((volatile uint64_t *)scratch)[1]);
    volatile uint64_t *alias = (volatile uint64_t *)(LOW_VA + 0x10000);
    alias[2] = 0xdead;
    check(low[2] == 0xdead && alias[0] == 0x1111, "alias of the same page: 0x%lx", low[2]);
    volatile uint64_t *blk2m = (volatile uint64_t *)(LOW_VA + 0x200000);
    check(blk2m[0x9000 / 8] == 0x3333, "2 MB block: offset 0x9000 reads 0x%lx",
          blk2m[0x9000 / 8]);
    volatile uint64_t *blk1g = (volatile uint64_t *)(LOW_VA + 0x40000000 + (scratch - RAM_BASE));
    check(blk1g[512] == 0x2222 && blk1g[0x9000 / 8] == 0x3333,
          "1 GB block: 0x%lx -> PA 0x%lx reads 0x%lx", (uint64_t)blk1g, scratch, blk1g[512]);

    volatile uint64_t *hi = (volatile uint64_t *)HIGH_VA;
    check(hi[0] == 0x2222, "TTBR1 page at 0x%lx -> PA 0x%lx: 0x%lx", HIGH_VA, scratch + 0x1000,
          hi[0]);
    volatile uint64_t *hi2m = (volatile uint64_t *)(HIGH_VA + 0x200000);
    check(hi2m[0] == 0x1111 && hi2m[0x9000 / 8] == 0x3333, "TTBR1 2 MB block: 0x%lx",
          hi2m[0x9000 / 8]);
    uint64_t (*hfn)(void) = (uint64_t (*)(void))(HIGH_VA + 0x400000 + (fn - fn_page));
    check(hfn() == 42, "code run through a TTBR1 alias returns 42");

    fault_check(UNMAPPED, 0, 0x96000000 | START_LEVEL_FAULT,
                "translation fault at the start level, read");
    fault_check(UNMAPPED + 0x1238, 1, 0x96000040 | START_LEVEL_FAULT,
                "translation fault at the start level, write");
    fault_check(HOLE_VA, 0, 0x96000004, "VA in neither TTBR range: level 0 translation fault");
    fault_check(HIGH_VA + 0x1000, 0, 0x96000007, "TTBR1: invalid page: level 3 fault");

    marker = 0x0123456789abcdeful;
    mmu_disable();
    check((read_sysreg(sctlr_el1) & SCTLR_M) == 0 && marker == 0x0123456789abcdeful,
          "MMU off again: data written with the MMU on reads back 0x%lx", marker);
    return 0;
}
