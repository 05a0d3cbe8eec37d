/* Self-modifying code with the architected sequence (DC CVAU, DSB, IC IVAU or IC IALLU
 * or IC IALLUIS, DSB, ISB): rewrite a function in place and call it again, rewrite one
 * instruction in a loop body, write code through a second (non-executable) VA alias of
 * the same physical page, and let a function rewrite its own next instruction. An
 * emulator that keeps a stale translation returns the old value. */
#include "rt.h"

#define CODE    (SCRATCH_BASE + 0x100000)     /* EL1 RWX in the standard map */
#define ALIAS   0x1000000000ul                /* RW, XN alias of CODE's page */

static uint32_t movz_w0(unsigned imm)
{
    return 0x52800000u | (imm << 5);
}
#define RET      0xd65f03c0u

enum { IVAU, IALLU, IALLUIS };

static void sync_code(uint64_t write_va, uint64_t exec_va, uint64_t len, int how)
{
    for (uint64_t o = 0; o < len; o += 4)
        __asm__ volatile("dc cvau, %0" :: "r"(write_va + o) : "memory");
    dsb(ish);
    if (how == IVAU) {
        for (uint64_t o = 0; o < len; o += 4)
            __asm__ volatile("ic ivau, %0" :: "r"(exec_va + o) : "memory");
    } else if (how == IALLU) {
        __asm__ volatile("ic iallu" ::: "memory");
    } else {
        __asm__ volatile("ic ialluis" ::: "memory");
    }
    dsb(ish);
    isb();
}

static uint64_t call(uint64_t va, uint64_t a0, uint64_t a1)
{
    return ((uint64_t (*)(uint64_t, uint64_t))va)(a0, a1);
}

/* A function that overwrites its instruction at `target` with w1, synchronises, and
 * then executes it. Copied into the buffer (position independent). */
__asm__(".text\n.balign 4\n.global self_patch\nself_patch:\n"
        "  adr x0, 1f\n"
        "  str w1, [x0]\n"
        "  dc cvau, x0\n  dsb ish\n  ic ivau, x0\n  dsb ish\n  isb\n"
        "1: mov w0, #1\n"
        "  ret\n"
        ".global self_patch_end\nself_patch_end:\n");
extern char self_patch[], self_patch_end[];

int main(void)
{
    mmu_space_init(&mmu_kernel, 39);
    mmu_map_standard(&mmu_kernel);
    mmu_map(&mmu_kernel, ALIAS, CODE, 0x1000, PG_KERNEL_RW, 3);
    mmu_enable(&mmu_kernel, 0, NULL);

    volatile uint32_t *code = (volatile uint32_t *)CODE;
    static const char *how_names[] = { "IC IVAU", "IC IALLU", "IC IALLUIS" };
    for (int round = 0; round < 6; round++) {
        int how = round % 3;
        code[0] = movz_w0(0x100 + round);
        code[1] = RET;
        sync_code(CODE, CODE, 8, how);
        uint64_t r = call(CODE, 0, 0);
        check(r == 0x100u + round, "rewrite in place, %s: returns 0x%lx", how_names[how], r);
    }

    /* A loop: x0 = sum over i < x1 of (i OP 3); OP rewritten from ADD to EOR. */
    static const uint32_t loop[] = {
        0xaa1f03e2, /* mov x2, xzr          */
        0xaa1f03e3, /* mov x3, xzr (i)      */
        0x91000c64, /* add x4, x3, #3       (the patched instruction) */
        0x8b040042, /* add x2, x2, x4       */
        0x91000463, /* add x3, x3, #1       */
        0xeb01007f, /* cmp x3, x1           */
        0x54ffff83, /* b.lo -4 instructions */
        0xaa0203e0, /* mov x0, x2           */
        RET,
    };
    for (unsigned i = 0; i < sizeof(loop) / 4; i++)
        code[i] = loop[i];
    sync_code(CODE, CODE, sizeof(loop), IVAU);
    uint64_t r1 = call(CODE, 0, 100);
    code[2] = 0xd2400464;   /* eor x4, x3, #3 */
    sync_code(CODE + 8, CODE + 8, 4, IVAU);
    uint64_t r2 = call(CODE, 0, 100);
    check(r1 == 5250 && r2 == 4950, "loop body patched (add -> eor): %ld then %ld", r1, r2);

    /* Written through the alias VA, executed at CODE. */
    volatile uint32_t *alias = (volatile uint32_t *)ALIAS;
    alias[0] = movz_w0(0x321);
    alias[1] = RET;
    sync_code(ALIAS, CODE, 8, IVAU);
    uint64_t r = call(CODE, 0, 0);
    check(r == 0x321, "written through a second VA of the page: 0x%lx", r);
    alias[0] = movz_w0(0x322);
    sync_code(ALIAS, CODE, 4, IALLU);
    r = call(CODE, 0, 0);
    check(r == 0x322, "rewritten through the alias, IC IALLU: 0x%lx", r);

    /* Code that rewrites its own next instruction. */
    uint64_t len = (uint64_t)(self_patch_end - self_patch);
    memcpy((void *)(CODE + 0x800), self_patch, len);
    sync_code(CODE + 0x800, CODE + 0x800, len, IVAU);
    r = call(CODE + 0x800, 0, movz_w0(2));
    uint64_t again = call(CODE + 0x800, 0, movz_w0(3));
    check(r == 2 && again == 3, "a function that patches its next instruction: %ld, %ld", r,
          again);
    return 0;
}
