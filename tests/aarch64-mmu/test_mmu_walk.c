/* Unit tests of the VMSAv8-64 stage 1 walker (arch/aarch64/mmu_walk.c): translation
 * tables built by hand in a fake physical memory (an array read through the walker's
 * callback), covering 25/39/48-bit VAs, both halves, every leaf size, each fault at each
 * level with its FSC, the permission rules, table controls, ASIDs, TBI, EPD, the
 * physical address limits, MMU off, walk aborts, AT/PAR, and a random hostile test.
 * The cases of tests/baremetal/{mmu39,mmu48,mmu_faults,at_par} (golden outputs from
 * QEMU) are rebuilt here with the same descriptors and must give the same results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/aarch64/mmu_walk.h"

/* ---- fake physical memory ----------------------------------------------------------- */

#define MEM_BASE  0x40000000ull        /* like the virt board's RAM */
#define MEM_PAGES 256

struct fake_mem {
    uint64_t words[MEM_PAGES * 512];
    unsigned pages_used;
    unsigned reads, refused;
    uint64_t abort_pa;                 /* a read of this PA fails (0: none) */
    uint64_t last_pa;
};

static struct fake_mem *mem;

static bool mem_read(void *ctx, uint64_t pa, uint64_t *value)
{
    struct fake_mem *m = ctx;
    assert_true((pa & 7) == 0);        /* descriptor reads are always aligned */
    m->reads++;
    m->last_pa = pa;
    if (pa < MEM_BASE || pa >= MEM_BASE + sizeof m->words || (m->abort_pa && pa == m->abort_pa)) {
        m->refused++;
        return false;
    }
    *value = m->words[(pa - MEM_BASE) / 8];
    return true;
}

static uint64_t alloc_table(void)
{
    assert_true(mem->pages_used < MEM_PAGES);
    uint64_t pa = MEM_BASE + (uint64_t)mem->pages_used++ * 4096;
    memset(&mem->words[(pa - MEM_BASE) / 8], 0, 4096);
    return pa;
}

static uint64_t *word_at(uint64_t pa)
{
    assert_true(pa >= MEM_BASE && pa < MEM_BASE + sizeof mem->words);
    return &mem->words[(pa - MEM_BASE) / 8];
}

static int setup(void **state)
{
    (void)state;
    mem = calloc(1, sizeof *mem);
    return mem ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(mem);
    mem = NULL;
    return 0;
}

/* ---- descriptors and a table builder ------------------------------------------------- */

#define D_VALID  (1ull << 0)
#define D_TABLE  (1ull << 1)
#define D_ATTR(i) ((uint64_t)(i) << 2)
#define D_AP1    (1ull << 6)
#define D_AP2    (1ull << 7)
#define D_SH(x)  ((uint64_t)(x) << 8)
#define D_AF     (1ull << 10)
#define D_NG     (1ull << 11)
#define D_PXN    (1ull << 53)
#define D_UXN    (1ull << 54)
#define T_PXN    (1ull << 59)
#define T_UXN    (1ull << 60)
#define T_AP0    (1ull << 61)
#define T_AP1    (1ull << 62)
#define T_NS     (1ull << 63)

/* tests/baremetal/lib/rt.h's attribute sets (MAIR 0x44ff00: 0 Device, 1 Normal WB,
 * 2 Normal NC). */
#define MT_DEVICE 0
#define MT_NORMAL 1
#define PG_KERNEL_RW  (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_UXN | D_PXN)
#define PG_KERNEL_RWX (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_UXN)
#define PG_KERNEL_RO  (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_AP2 | D_UXN | D_PXN)
#define PG_TEXT       (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_AP2 | D_AP1)
#define PG_USER_RW    (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_AP1 | D_UXN | D_PXN)
#define PG_USER_RO    (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_AP1 | D_AP2 | D_UXN | D_PXN)
#define PG_USER_RX    (D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_AP1 | D_AP2 | D_PXN)
#define PG_DEVICE     (D_ATTR(MT_DEVICE) | D_AF | D_UXN | D_PXN)
#define MAIR_TESTS    0x44ff00ull

/* SCTLR/TCR bits */
#define SCTLR_M   (1ull << 0)
#define SCTLR_I   (1ull << 12)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EE  (1ull << 25)
#define TCR_T0SZ(n) ((uint64_t)(n))
#define TCR_EPD0  (1ull << 7)
#define TCR_TG0(n) ((uint64_t)(n) << 14)
#define TCR_T1SZ(n) ((uint64_t)(n) << 16)
#define TCR_A1    (1ull << 22)
#define TCR_EPD1  (1ull << 23)
#define TCR_TG1(n) ((uint64_t)(n) << 30)
#define TCR_IPS(n) ((uint64_t)(n) << 32)
#define TCR_AS    (1ull << 36)
#define TCR_TBI0  (1ull << 37)
#define TCR_TBI1  (1ull << 38)

/* An address space: a root table and its input size. */
struct space {
    uint64_t root;
    unsigned va_bits;
};

static int first_level(unsigned va_bits)
{
    return 4 - (int)((va_bits - 12 + 8) / 9);
}

static unsigned shift_of(int level)
{
    return 12 + 9 * (unsigned)(3 - level);
}

static unsigned index_of(const struct space *s, uint64_t va, int level)
{
    uint64_t v = va & ((1ull << s->va_bits) - 1);
    return (unsigned)((v >> shift_of(level)) & 511);
}

static struct space new_space(unsigned va_bits)
{
    struct space s = { alloc_table(), va_bits };
    return s;
}

/* The slot of va's descriptor at `level`, allocating tables on the way (tbl_bits: extra
 * bits OR'ed into newly created table descriptors). */
static uint64_t slot_pa(const struct space *s, uint64_t va, int level, uint64_t tbl_bits)
{
    uint64_t table = s->root;
    for (int l = first_level(s->va_bits); l < level; l++) {
        uint64_t *e = word_at(table + 8ull * index_of(s, va, l));
        if ((*e & 3) != 3)
            *e = alloc_table() | 3 | tbl_bits;
        table = *e & 0x0000fffffffff000ull;
    }
    return table + 8ull * index_of(s, va, level);
}

static void map(const struct space *s, uint64_t va, uint64_t pa, int level, uint64_t attr)
{
    *word_at(slot_pa(s, va, level, 0)) = pa | attr | D_VALID | (level == 3 ? D_TABLE : 0);
}

static struct a64_mmu_regs regs_for(const struct space *lo, const struct space *hi)
{
    struct a64_mmu_regs r = { .sctlr = SCTLR_M, .mair = MAIR_TESTS };
    r.tcr = TCR_IPS(2) | TCR_TG1(2);
    if (lo) {
        r.tcr |= TCR_T0SZ(64 - lo->va_bits);
        r.ttbr0 = lo->root;
    } else {
        r.tcr |= TCR_EPD0 | TCR_T0SZ(25);
    }
    if (hi) {
        r.tcr |= TCR_T1SZ(64 - hi->va_bits);
        r.ttbr1 = hi->root;
    } else {
        r.tcr |= TCR_EPD1 | TCR_T1SZ(25);
    }
    return r;
}

/* ---- helpers for checking walks ---------------------------------------------------- */

static struct a64_translation last_t;

static bool walk(const struct a64_mmu_regs *r, uint64_t va, enum a64_access acc, unsigned el,
                 bool unpriv, struct a64_fault *f)
{
    memset(&last_t, 0xcc, sizeof last_t);
    return a64_mmu_translate(r, va, acc, el, unpriv, mem_read, mem, &last_t, f);
}

/* The PA va translates to (asserting success). */
static uint64_t pa_of(const struct a64_mmu_regs *r, uint64_t va)
{
    struct a64_fault f;
    if (!walk(r, va, A64_ACC_READ, 1, false, &f))
        fail_msg("walk of 0x%llx failed: type %d level %d", (unsigned long long)va, f.type,
                 f.level);
    assert_int_equal(f.type, A64_FAULT_NONE);
    return last_t.pa_page | (va & (last_t.size - 1));
}

/* The FSC of a walk that must fail (the fault's type is checked through the FSC). */
static uint32_t fsc_of(const struct a64_mmu_regs *r, uint64_t va, enum a64_access acc,
                       unsigned el, bool unpriv)
{
    struct a64_fault f;
    if (walk(r, va, acc, el, unpriv, &f))
        fail_msg("walk of 0x%llx succeeded", (unsigned long long)va);
    assert_int_not_equal(f.type, A64_FAULT_NONE);
    return a64_mmu_fsc(&f);
}

#define FSC_ADDR(l)  (0x00u + (l))
#define FSC_TRANS(l) (0x04u + (l))
#define FSC_AF(l)    (0x08u + (l))
#define FSC_PERM(l)  (0x0cu + (l))
#define FSC_EXT(l)   (0x14u + (l))

/* ---- translation with each VA size ------------------------------------------------- */

/* Leaves of each size in a space; checks the TLB-entry fields of each. */
static void check_leaf_sizes(unsigned va_bits, uint64_t base_va)
{
    struct space s = new_space(va_bits);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    map(&s, base_va, 0x41000000, 3, PG_KERNEL_RW);
    map(&s, base_va + 0x200000, 0x41200000, 2, PG_KERNEL_RW);
    map(&s, base_va + 0x40000000, 0x80000000, 1, PG_KERNEL_RW);

    assert_int_equal(pa_of(&r, base_va + 0x123), 0x41000123);
    assert_int_equal(last_t.va_page, base_va);
    assert_int_equal(last_t.pa_page, 0x41000000);
    assert_int_equal(last_t.size, 0x1000);
    assert_int_equal(last_t.level, 3);
    assert_int_equal(last_t.leaf_table_pa, slot_pa(&s, base_va, 3, 0) & ~0xfffull);
    assert_int_equal(last_t.attr, 0xff);
    assert_int_equal(last_t.sh, 3);
    assert_true(last_t.global);

    assert_int_equal(pa_of(&r, base_va + 0x212345), 0x41212345);
    assert_int_equal(last_t.va_page, base_va + 0x200000);
    assert_int_equal(last_t.size, 0x200000);
    assert_int_equal(last_t.level, 2);
    assert_int_equal(last_t.leaf_table_pa, slot_pa(&s, base_va + 0x200000, 2, 0) & ~0xfffull);

    assert_int_equal(pa_of(&r, base_va + 0x40000000 + 0x3456789), 0x83456789);
    assert_int_equal(last_t.size, 0x40000000);
    assert_int_equal(last_t.level, 1);
    assert_int_equal(last_t.pa_page, 0x80000000);
    if (va_bits == 39)
        assert_int_equal(last_t.leaf_table_pa, s.root);
}

static void test_39bit_leaves(void **state)
{
    (void)state;
    check_leaf_sizes(39, 0x4000000000ull);
}

static void test_48bit_leaves(void **state)
{
    (void)state;
    check_leaf_sizes(48, 0x800000000000ull);
}

/* mmu39/mmu48: the start level's translation fault, and a VA in neither range gives a
 * level 0 fault even when the walk would start at level 1. */
static void test_start_level_and_hole(void **state)
{
    (void)state;
    struct space s39 = new_space(39), s48 = new_space(48);
    struct a64_mmu_regs r39 = regs_for(&s39, &s39), r48 = regs_for(&s48, &s48);
    assert_int_equal(fsc_of(&r39, 0x7000000000ull, A64_ACC_READ, 1, false), FSC_TRANS(1));
    assert_int_equal(fsc_of(&r48, 0xc00000000000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r39, 0x800000000000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r48, 0x1000000000000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r39, 0x8000000000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r39, 0xffffff7fffffffffull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    /* The hole is checked before any descriptor is read. */
    mem->reads = 0;
    fsc_of(&r39, 0x0000800000000000ull, A64_ACC_READ, 1, false);
    assert_int_equal(mem->reads, 0);
}

/* 25-bit VAs (T0SZ = 39): the walk starts at level 2 in a 16-entry table that only needs
 * 128-byte alignment. */
static void test_25bit(void **state)
{
    (void)state;
    uint64_t page = alloc_table();
    uint64_t root = page + 0x80;          /* 16 entries * 8 bytes, 128-byte aligned */
    uint64_t l3 = alloc_table();
    *word_at(root + 8 * 0) = l3 | 3;
    *word_at(l3 + 8 * 5) = 0x41005000 | PG_KERNEL_RW | 3;
    *word_at(root + 8 * 15) = 0x41e00000 | PG_KERNEL_RW | 1;
    struct a64_mmu_regs r = { .sctlr = SCTLR_M, .tcr = TCR_T0SZ(39) | TCR_IPS(2) | TCR_EPD1,
                              .ttbr0 = root, .mair = MAIR_TESTS };
    assert_int_equal(pa_of(&r, 0x5abc), 0x41005abc);
    assert_int_equal(last_t.leaf_table_pa, l3);
    assert_int_equal(pa_of(&r, 0x1ffffff), 0x41ffffff);
    assert_int_equal(last_t.level, 2);
    assert_int_equal(last_t.leaf_table_pa, root);
    assert_int_equal(fsc_of(&r, 0x2000000, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r, 0x200000, A64_ACC_READ, 1, false), FSC_TRANS(2));
    /* TTBR bits below the table's alignment are ignored (the v8.0 pseudocode zeroes
     * them): root + 0x40 still walks the table at root. */
    r.ttbr0 = root + 0x40;
    assert_int_equal(pa_of(&r, 0x5abc), 0x41005abc);
    /* The same table as the upper half: T1SZ = 39, VAs 0xfffffffffe000000 up. */
    struct a64_mmu_regs h = { .sctlr = SCTLR_M,
                              .tcr = TCR_T1SZ(39) | TCR_TG1(2) | TCR_IPS(2) | TCR_EPD0,
                              .ttbr1 = root, .mair = MAIR_TESTS };
    assert_int_equal(pa_of(&h, 0xfffffffffe005abcull), 0x41005abc);
    assert_int_equal(last_t.va_page, 0xfffffffffe005000ull);
    assert_int_equal(pa_of(&h, 0xffffffffffffffffull), 0x41ffffff);
    assert_int_equal(fsc_of(&h, 0xfffffffffc000000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&h, 0x5abc, A64_ACC_READ, 1, false), FSC_TRANS(0));  /* EPD0 */
}

/* Both halves at once, with different tables (mmu39's TTBR1 cases). */
static void test_both_halves(void **state)
{
    (void)state;
    for (unsigned bits = 39; bits <= 48; bits += 9) {
        mem->pages_used = 0;
        struct space lo = new_space(bits), hi = new_space(bits);
        uint64_t high_va = bits == 39 ? 0xffffff8000000000ull : 0xffff000000000000ull;
        map(&lo, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
        map(&hi, high_va, 0x41001000, 3, PG_KERNEL_RW);
        map(&hi, high_va + 0x200000, 0x41000000, 2, PG_KERNEL_RW);
        struct a64_mmu_regs r = regs_for(&lo, &hi);
        assert_int_equal(pa_of(&r, 0x1008), 0x41000008);
        assert_int_equal(pa_of(&r, high_va + 0x10), 0x41001010);
        assert_int_equal(last_t.va_page, high_va);
        assert_int_equal(pa_of(&r, high_va + 0x209000), 0x41009000);
        assert_int_equal(fsc_of(&r, high_va + 0x1000, A64_ACC_READ, 1, false), FSC_TRANS(3));
        assert_true(a64_mmu_va_upper(r.tcr, high_va));
        assert_false(a64_mmu_va_upper(r.tcr, 0x1000));
    }
}

/* TG0/TG1 encodings of 16 KB and 64 KB granules are walked as 4 KB (the only granule
 * implemented; the reserved encodings too). */
static void test_granule_fields_ignored(void **state)
{
    (void)state;
    struct space lo = new_space(39), hi = new_space(39);
    map(&lo, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
    map(&hi, 0xffffff8000001000ull, 0x41002000, 3, PG_KERNEL_RW);
    for (unsigned tg = 0; tg < 4; tg++) {
        struct a64_mmu_regs r = regs_for(&lo, &hi);
        r.tcr = (r.tcr & ~(TCR_TG0(3) | TCR_TG1(3))) | TCR_TG0(tg) | TCR_TG1(tg);
        assert_int_equal(pa_of(&r, 0x1010), 0x41000010);
        assert_int_equal(last_t.size, 0x1000);
        assert_int_equal(pa_of(&r, 0xffffff8000001010ull), 0x41002010);
    }
}

/* T0SZ/T1SZ outside 16..39: a level 0 translation fault, no descriptor read. */
static void test_txsz_out_of_range(void **state)
{
    (void)state;
    struct space s = new_space(39);
    map(&s, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    static const unsigned bad[] = { 0, 1, 8, 15, 40, 48, 63 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r.tcr = (r.tcr & ~0x3full) | bad[i];
        mem->reads = 0;
        assert_int_equal(fsc_of(&r, 0x1000, A64_ACC_READ, 1, false), FSC_TRANS(0));
        assert_int_equal(mem->reads, 0);
    }
    /* The same for T1SZ, and a bad T1SZ does not disturb TTBR0 walks. */
    r = regs_for(&s, &s);
    r.tcr = (r.tcr & ~(0x3full << 16)) | TCR_T1SZ(40);
    assert_int_equal(fsc_of(&r, 0xfffffffffffff000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(pa_of(&r, 0x1000), 0x41000000);
}

/* ---- faults at each level ---------------------------------------------------------- */

/* 48-bit VAs, so every level 0..3 can fault. */
static void test_faults_each_level(void **state)
{
    (void)state;
    struct space s = new_space(48);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    uint64_t va = 0x0000123456789000ull;
    /* Translation: level 0 (empty root), then each level below. */
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_TRANS(0));
    slot_pa(&s, va, 1, 0);
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_TRANS(1));
    slot_pa(&s, va, 2, 0);
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_TRANS(2));
    slot_pa(&s, va, 3, 0);
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_TRANS(3));

    /* Reserved encodings: 0b01 at level 3, and 0b01 (a 512 GB block) at level 0;
     * 0b10 (invalid) anywhere. */
    uint64_t *l3 = word_at(slot_pa(&s, va, 3, 0));
    *l3 = 0x41000000 | PG_KERNEL_RW | D_VALID;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_TRANS(3));
    *l3 = 0x41000000 | PG_KERNEL_RW | D_TABLE;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_TRANS(3));
    uint64_t va0 = 0x0000400000000000ull;
    *word_at(slot_pa(&s, va0, 0, 0)) = 0 | PG_KERNEL_RW | D_VALID;
    assert_int_equal(fsc_of(&r, va0, A64_ACC_READ, 1, false), FSC_TRANS(0));
    *word_at(slot_pa(&s, va0, 0, 0)) = alloc_table() | D_TABLE;   /* no valid bit */
    assert_int_equal(fsc_of(&r, va0, A64_ACC_READ, 1, false), FSC_TRANS(0));

    /* Access flag at levels 1, 2, 3, for each access kind. */
    uint64_t b1 = 0x0000008000000000ull, b2 = 0x0000010000000000ull;
    map(&s, b1, 0x40000000, 1, PG_KERNEL_RWX & ~D_AF);
    map(&s, b2, 0x40000000, 2, PG_KERNEL_RWX & ~D_AF);
    *l3 = 0x41000000 | (PG_KERNEL_RWX & ~D_AF) | 3;
    for (enum a64_access acc = A64_ACC_READ; acc <= A64_ACC_EXEC; acc++) {
        assert_int_equal(fsc_of(&r, b1 + 0x1234, acc, 1, false), FSC_AF(1));
        assert_int_equal(fsc_of(&r, b2 + 0x1234, acc, 1, false), FSC_AF(2));
        assert_int_equal(fsc_of(&r, va, acc, 1, false), FSC_AF(3));
        /* AF comes before permission: EL0 has no access at all here. */
        assert_int_equal(fsc_of(&r, va, acc, 0, false), FSC_AF(3));
    }

    /* Permission at levels 1, 2, 3. */
    map(&s, b1, 0x40000000, 1, PG_KERNEL_RO);
    map(&s, b2, 0x40000000, 2, PG_KERNEL_RO);
    *l3 = 0x41000000 | PG_KERNEL_RO | 3;
    assert_int_equal(fsc_of(&r, b1, A64_ACC_WRITE, 1, false), FSC_PERM(1));
    assert_int_equal(fsc_of(&r, b2, A64_ACC_WRITE, 1, false), FSC_PERM(2));
    assert_int_equal(fsc_of(&r, va, A64_ACC_WRITE, 1, false), FSC_PERM(3));
    assert_int_equal(fsc_of(&r, va, A64_ACC_EXEC, 1, false), FSC_PERM(3));
    /* A permission fault still describes the entry. */
    assert_int_equal(last_t.pa_page, 0x41000000);
    assert_int_equal(last_t.perm_el1, A64_PERM_R);
    assert_int_equal(last_t.perm_el0, 0);
}

static void test_address_size_faults(void **state)
{
    (void)state;
    struct space s = new_space(48);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    uint64_t va = 0x0000123456789000ull;
    /* IPS = 0 (32 bits): a level 0 table descriptor pointing above 4 GB. */
    r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(0);
    uint64_t *l0 = word_at(slot_pa(&s, va, 0, 0));
    *l0 = 0x100000000ull | 3;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(0));
    *l0 = 0;
    /* Level 1 and 2 table descriptors and the level 3 page. */
    uint64_t *l1 = word_at(slot_pa(&s, va, 1, 0));
    uint64_t keep1 = *l1;
    *l1 = 0x200000000ull | 3;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(1));
    *l1 = keep1;
    uint64_t *l2 = word_at(slot_pa(&s, va, 2, 0));
    uint64_t keep2 = *l2;
    *l2 = 0x800000000000ull | 3;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(2));
    *l2 = keep2;
    uint64_t *l3 = word_at(slot_pa(&s, va, 3, 0));
    *l3 = 0x100000000ull | PG_KERNEL_RW | 3;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(3));
    /* Address size comes before the access flag. */
    *l3 = 0x100000000ull | (PG_KERNEL_RW & ~D_AF) | 3;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(3));
    *l3 = 0x100000000ull | PG_KERNEL_RW | 3;
    /* Blocks at levels 1 and 2. */
    uint64_t b1 = 0x0000008000000000ull, b2 = 0x0000010000000000ull;
    map(&s, b1, 0x100000000ull, 1, PG_KERNEL_RW);
    map(&s, b2, 0x100000000ull, 2, PG_KERNEL_RW);
    assert_int_equal(fsc_of(&r, b1, A64_ACC_READ, 1, false), FSC_ADDR(1));
    assert_int_equal(fsc_of(&r, b2, A64_ACC_READ, 1, false), FSC_ADDR(2));
    /* IPS = 1 (36 bits) accepts them. */
    r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(1);
    assert_int_equal(pa_of(&r, b1 + 5), 0x100000005ull);
    assert_int_equal(pa_of(&r, va + 5), 0x100000005ull);

    /* The 44-bit PARange caps IPS = 5 (48 bits) and the v8.2/reserved 6 and 7. */
    map(&s, b1, 0xfffc0000000ull, 1, PG_KERNEL_RW);           /* below 2^44 */
    map(&s, b2, 0x100000000000ull, 2, PG_KERNEL_RW);          /* 2^44 */
    for (unsigned ips = 4; ips < 8; ips++) {
        r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(ips);
        assert_int_equal(pa_of(&r, b1 + 7), 0xfffc0000007ull);
        assert_int_equal(fsc_of(&r, b2, A64_ACC_READ, 1, false), FSC_ADDR(2));
    }
    /* IPS 2 (40 bits) and 3 (42 bits). */
    map(&s, b1, 0x10000000000ull, 1, PG_KERNEL_RW);           /* 2^40 */
    r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(2);
    assert_int_equal(fsc_of(&r, b1, A64_ACC_READ, 1, false), FSC_ADDR(1));
    r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(3);
    assert_int_equal(pa_of(&r, b1), 0x10000000000ull);

    /* A TTBR with address bits above the output size: level 0, before any read;
     * bits 63:48 (the ASID) do not count. */
    r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(0);
    uint64_t root = r.ttbr0;
    r.ttbr0 = root | 0x100000000ull;
    mem->reads = 0;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(0));
    assert_int_equal(mem->reads, 0);
    r.tcr = (r.tcr & ~TCR_IPS(7)) | TCR_IPS(5);
    r.ttbr0 = root | 0x800000000000ull;                       /* bit 47: above 44 */
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_ADDR(0));
    r.ttbr0 = root | 0xffff000000000000ull;
    assert_int_equal(pa_of(&r, b1), 0x10000000000ull);
    /* With a 39-bit space (start level 1) a TTBR fault is still reported at level 0. */
    struct space s39 = new_space(39);
    map(&s39, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
    struct a64_mmu_regs r39 = regs_for(&s39, NULL);
    r39.ttbr0 |= 0x100000000000ull;
    assert_int_equal(fsc_of(&r39, 0x1000, A64_ACC_READ, 1, false), FSC_ADDR(0));
    /* A translation fault (hole, EPD) wins over the TTBR address size fault. */
    assert_int_equal(fsc_of(&r39, 0x8000000000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    r39.tcr |= TCR_EPD0;
    assert_int_equal(fsc_of(&r39, 0x1000, A64_ACC_READ, 1, false), FSC_TRANS(0));
}

/* A failed descriptor read is a synchronous external abort on the walk at the level
 * of the descriptor being read. */
static void test_walk_external_abort(void **state)
{
    (void)state;
    struct space s = new_space(48);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    uint64_t va = 0x0000123456789000ull;
    map(&s, va, 0x41000000, 3, PG_KERNEL_RW);
    assert_int_equal(pa_of(&r, va), 0x41000000);
    for (int level = 0; level <= 3; level++) {
        mem->abort_pa = slot_pa(&s, va, level, 0);
        assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_EXT((unsigned)level));
        assert_int_equal(fsc_of(&r, va, A64_ACC_EXEC, 0, false), FSC_EXT((unsigned)level));
    }
    mem->abort_pa = 0;
    /* Tables outside the memory (within the PA range): the read of the next level. */
    r.ttbr0 = 0x1000;
    assert_int_equal(fsc_of(&r, va, A64_ACC_READ, 1, false), FSC_EXT(0));
    r.ttbr0 = s.root;
    uint64_t *l2 = word_at(slot_pa(&s, va, 2, 0));
    uint64_t keep = *l2;
    *l2 = 0x7ffff000ull | 3;
    assert_int_equal(fsc_of(&r, va, A64_ACC_WRITE, 1, false), FSC_EXT(3));
    *l2 = keep;
}

/* ---- permissions ------------------------------------------------------------------- */

/* Expected permissions written out from the Arm ARM's AP table (D5-34 in DDI0487A:
 * AP[2:1] 00 EL1 RW / EL0 none, 01 RW / RW, 10 RO / none, 11 RO / RO) and the XN
 * rules, in a different shape from the walker's code. */
static void expected_perms(unsigned ap, bool uxn, bool pxn, bool wxn, unsigned *el0,
                           unsigned *el1)
{
    static const unsigned el1_rw[4] = { 3, 3, 1, 1 };   /* R=1 W=2 */
    static const unsigned el0_rw[4] = { 0, 3, 0, 1 };
    *el1 = el1_rw[ap];
    *el0 = el0_rw[ap];
    bool el1_x = !pxn;
    if (ap == 1)                    /* EL0-writable: never executable at EL1 */
        el1_x = false;
    if (wxn && (el1_rw[ap] & 2))
        el1_x = false;
    bool el0_x = !uxn;
    if (wxn && (el0_rw[ap] & 2))
        el0_x = false;
    *el1 |= el1_x ? 4 : 0;
    *el0 |= el0_x ? 4 : 0;
}

static unsigned perms_by_walking(const struct a64_mmu_regs *r, uint64_t va, unsigned el,
                                 bool unpriv, uint32_t leaf_level)
{
    unsigned got = 0;
    for (enum a64_access acc = A64_ACC_READ; acc <= A64_ACC_EXEC; acc++) {
        struct a64_fault f;
        unsigned checked_el = unpriv && acc != A64_ACC_EXEC ? 0 : el;
        if (walk(r, va, acc, el, unpriv, &f)) {
            got |= 1u << acc;
            assert_true(a64_mmu_permits(&last_t, acc, checked_el));
        } else {
            assert_int_equal(f.type, A64_FAULT_PERMISSION);
            assert_int_equal(a64_mmu_fsc(&f), FSC_PERM(leaf_level));
            assert_false(a64_mmu_permits(&last_t, acc, checked_el));
        }
    }
    return got;
}

/* Every AP/UXN/PXN/WXN combination, at EL0, EL1 and EL1 unprivileged (LDTR/STTR),
 * for a page and a 2 MB block. */
static void test_permission_matrix(void **state)
{
    (void)state;
    struct space s = new_space(39);
    uint64_t page_va = 0x1000, block_va = 0x40000000;
    for (unsigned bits = 0; bits < 32; bits++) {
        unsigned ap = bits & 3;
        bool uxn = bits & 4, pxn = bits & 8, wxn = bits & 16;
        uint64_t attr = D_ATTR(MT_NORMAL) | D_AF | ((uint64_t)ap << 6) | (uxn ? D_UXN : 0) |
                        (pxn ? D_PXN : 0);
        map(&s, page_va, 0x41000000, 3, attr);
        map(&s, block_va, 0x41200000, 2, attr);
        struct a64_mmu_regs r = regs_for(&s, NULL);
        if (wxn)
            r.sctlr |= SCTLR_WXN;
        unsigned want0, want1;
        expected_perms(ap, uxn, pxn, wxn, &want0, &want1);
        for (int leaf = 0; leaf < 2; leaf++) {
            uint64_t va = leaf ? block_va : page_va;
            uint32_t level = leaf ? 2 : 3;
            assert_int_equal(perms_by_walking(&r, va, 1, false, level), want1);
            assert_int_equal(last_t.perm_el1, want1);
            assert_int_equal(last_t.perm_el0, want0);
            assert_int_equal(perms_by_walking(&r, va, 0, false, level), want0);
            /* LDTR/STTR at EL1: EL0's read/write permissions; a fetch is never
             * unprivileged, so EXEC keeps EL1's rule. */
            unsigned unpriv = perms_by_walking(&r, va, 1, true, level);
            assert_int_equal(unpriv & 3, want0 & 3);
            assert_int_equal(unpriv & 4, want1 & 4);
        }
    }
}

/* mmu_faults' pages with their descriptors, checked against the FSCs in
 * tests/baremetal/mmu_faults.expected (from QEMU). */
static void test_baremetal_mmu_faults(void **state)
{
    (void)state;
    struct space s = new_space(39);
    const uint64_t tv = 0x1000000000ull, blk = tv + 0x40000000ull, scratch = 0x41000000;
#define PAGE(n) (tv + (uint64_t)(n) * 0x1000)
#define PA(n)   (scratch + (uint64_t)(n) * 0x1000)
    map(&s, PAGE(0), PA(0), 3, PG_KERNEL_RW);
    map(&s, PAGE(2), PA(2), 3, PG_KERNEL_RW & ~D_AF);
    map(&s, PAGE(3), PA(3), 3, PG_KERNEL_RW | D_AP2);
    map(&s, PAGE(4), PA(4), 3, PG_USER_RW);
    map(&s, PAGE(5), PA(5), 3, PG_USER_RO);
    map(&s, PAGE(6), PA(6), 3, PG_KERNEL_RWX);
    map(&s, PAGE(7), PA(7), 3, PG_KERNEL_RWX | D_PXN);
    map(&s, PAGE(8), PA(8), 3, PG_USER_RX);
    map(&s, PAGE(9), PA(9), 3, PG_USER_RO);
    map(&s, PAGE(10), PA(10), 3, D_ATTR(MT_NORMAL) | D_SH(3) | D_AF | D_AP1);
    map(&s, PAGE(11), PA(11), 3, PG_KERNEL_RWX & ~D_AF);
    map(&s, blk, scratch, 2, PG_KERNEL_RW);
    map(&s, blk + 0x200000, scratch, 2, PG_KERNEL_RW & ~D_AF);
    map(&s, blk + 0x400000, scratch, 2, PG_KERNEL_RO);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    enum a64_access R = A64_ACC_READ, W = A64_ACC_WRITE, X = A64_ACC_EXEC;

    assert_int_equal(pa_of(&r, PAGE(0)), PA(0));
    assert_int_equal(fsc_of(&r, 0x3000000000ull, R, 1, false), 0x05);
    assert_int_equal(fsc_of(&r, tv + 0x200000, R, 1, false), 0x06);
    assert_int_equal(fsc_of(&r, PAGE(1), W, 1, false), 0x07);
    assert_int_equal(fsc_of(&r, blk + 0x600000, R, 1, false), 0x06);
    assert_int_equal(fsc_of(&r, PAGE(2) + 8, R, 1, false), 0x0b);
    assert_int_equal(fsc_of(&r, PAGE(2) + 16, W, 1, false), 0x0b);
    assert_int_equal(fsc_of(&r, blk + 0x201000, R, 1, false), 0x0a);
    assert_int_equal(pa_of(&r, PAGE(3)), PA(3));
    assert_int_equal(fsc_of(&r, PAGE(3), W, 1, false), 0x0f);
    assert_int_equal(fsc_of(&r, blk + 0x400008, W, 1, false), 0x0e);
    struct a64_fault f;
    assert_true(walk(&r, PAGE(6), X, 1, false, &f));
    assert_int_equal(fsc_of(&r, PAGE(7), X, 1, false), 0x0f);
    assert_int_equal(fsc_of(&r, PAGE(10), X, 1, false), 0x0f);
    assert_int_equal(fsc_of(&r, PAGE(1), X, 1, false), 0x07);
    assert_int_equal(fsc_of(&r, 0x3000000000ull, X, 1, false), 0x05);
    assert_int_equal(fsc_of(&r, PAGE(11), X, 1, false), 0x0b);
    r.sctlr |= SCTLR_WXN;
    assert_int_equal(fsc_of(&r, PAGE(6), X, 1, false), 0x0f);
    r.sctlr &= ~SCTLR_WXN;
    assert_int_equal(fsc_of(&r, PAGE(0), R, 0, false), 0x0f);
    assert_true(walk(&r, PAGE(4) + 0x20, W, 0, false, &f));
    assert_int_equal(fsc_of(&r, PAGE(5) + 0x28, W, 0, false), 0x0f);
    assert_int_equal(fsc_of(&r, PAGE(1), R, 0, false), 0x07);
    assert_true(walk(&r, PAGE(8), X, 0, false, &f));
    assert_int_equal(fsc_of(&r, PAGE(9), X, 0, false), 0x0f);
    assert_int_equal(fsc_of(&r, PAGE(6), X, 0, false), 0x0f);
    assert_int_equal(fsc_of(&r, PAGE(1), X, 0, false), 0x07);
    assert_int_equal(fsc_of(&r, PAGE(0), R, 1, true), 0x0f);
    assert_int_equal(pa_of(&r, PAGE(5)), PA(5));
    assert_true(walk(&r, PAGE(5), R, 1, true, &f));
    assert_int_equal(fsc_of(&r, PAGE(5), W, 1, true), 0x0f);
    assert_true(walk(&r, PAGE(4) + 0x30, W, 1, true, &f));
    assert_int_equal(fsc_of(&r, PAGE(1), W, 1, true), 0x07);
#undef PAGE
#undef PA
}

/* APTable[1:0], UXNTable and PXNTable at each table level, accumulated down the walk. */
static void test_table_controls(void **state)
{
    (void)state;
    static const struct {
        uint64_t table_bits;
        unsigned el0, el1;          /* permissions of an EL0-RW, executable page below */
    } cases[] = {
        { 0,                     7, 3 },   /* AP=01: implicit PXN at EL1 */
        { T_AP1,                 5, 5 },   /* read-only: EL1 may execute again */
        /* No EL0 data access (and so no implicit PXN); EL0 may still execute: v8.0
         * has execute-only memory at EL0, only UXN stops it. */
        { T_AP0,                 4, 7 },
        { T_AP0 | T_AP1,         4, 5 },
        { T_UXN,                 3, 3 },
        { T_PXN,                 7, 3 },
        { T_PXN | T_AP0,         4, 3 },
        { T_UXN | T_AP0,         0, 7 },
        { T_UXN | T_PXN | T_AP1, 1, 1 },
        { T_NS,                  7, 3 },   /* NSTable ignored (Non-secure) */
    };
    uint64_t leaf = D_ATTR(MT_NORMAL) | D_AF | D_AP1;   /* EL0 RW, UXN=PXN=0 */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int at_level = 0; at_level <= 2; at_level++) {
            mem->pages_used = 0;
            struct space s = new_space(48);
            uint64_t va = 0x0000123456789000ull;
            map(&s, va, 0x41000000, 3, leaf);
            *word_at(slot_pa(&s, va, at_level, 0)) |= cases[i].table_bits;
            struct a64_mmu_regs r = regs_for(&s, NULL);
            pa_of(&r, va);
            assert_int_equal(last_t.perm_el0, cases[i].el0);
            assert_int_equal(last_t.perm_el1, cases[i].el1);
        }
    }
    /* Bits from two levels combine: APTable[1] at level 1 + UXNTable at level 2. */
    mem->pages_used = 0;
    struct space s = new_space(48);
    uint64_t va = 0x0000123456789000ull;
    map(&s, va, 0x41000000, 3, leaf);
    *word_at(slot_pa(&s, va, 1, 0)) |= T_AP1;
    *word_at(slot_pa(&s, va, 2, 0)) |= T_UXN;
    struct a64_mmu_regs r = regs_for(&s, NULL);
    pa_of(&r, va);
    assert_int_equal(last_t.perm_el0, A64_PERM_R);
    assert_int_equal(last_t.perm_el1, A64_PERM_R | A64_PERM_X);
    /* Table bits act on blocks too; leaf attribute bits at table level do not. */
    map(&s, 0x0000008000000000ull, 0x40000000, 1, leaf);
    *word_at(slot_pa(&s, 0x0000008000000000ull, 0, 0)) |= T_AP0 | D_UXN | D_PXN | D_AP2;
    pa_of(&r, 0x0000008000000000ull);
    assert_int_equal(last_t.perm_el0, A64_PERM_X);
    assert_int_equal(last_t.perm_el1, 7);
    assert_int_equal(last_t.level, 1);
}

/* Execute-only EL0 memory, table controls and WXN as QEMU 7.2 answered them for a
 * scratch bare-metal probe (docs/mmu-walk.md): each line is QEMU's ESR low bits for an
 * EL0 or EL1 fetch or store (0 = no fault). */
static void test_qemu_probe_permissions(void **state)
{
    (void)state;
    struct space s = new_space(39);
    const uint64_t tv = 0x1000000000ull, tv2 = 0x2000000000ull, pa = 0x41000000;
    const uint64_t atn = D_ATTR(MT_NORMAL) | D_SH(3) | D_AF;
    map(&s, tv, pa, 3, atn);
    map(&s, tv + 0x1000, pa, 3, atn | D_AP1);
    map(&s, tv + 0x200000, pa, 3, atn | D_AP1);
    map(&s, tv + 0x400000, pa, 3, atn | D_AP1 | D_AP2);
    map(&s, tv + 0x600000, pa, 3, atn);
    map(&s, tv2, pa, 3, atn);
    map(&s, tv2 + 0x1000, pa, 3, atn | D_AP1);
    *word_at(slot_pa(&s, tv + 0x200000, 2, 0)) |= T_AP0;
    *word_at(slot_pa(&s, tv + 0x400000, 2, 0)) |= T_UXN;
    *word_at(slot_pa(&s, tv + 0x600000, 2, 0)) |= T_PXN;
    *word_at(slot_pa(&s, tv2, 1, 0)) |= T_AP1;
    struct a64_mmu_regs r = regs_for(&s, NULL);
    static const struct {
        uint64_t offset; bool second; enum a64_access acc; unsigned el; bool wxn;
        uint32_t fsc;                              /* 0: no fault */
    } cases[] = {
        { 0, false, A64_ACC_EXEC, 0, false, 0 },          /* AP=00: execute-only at EL0 */
        { 0, false, A64_ACC_READ, 0, false, 0x0f },
        { 0, false, A64_ACC_EXEC, 1, false, 0 },
        { 0x1000, false, A64_ACC_EXEC, 0, false, 0 },     /* AP=01 */
        { 0x1000, false, A64_ACC_EXEC, 1, false, 0x0f },  /* implicit PXN */
        { 0x200000, false, A64_ACC_EXEC, 1, false, 0 },   /* APTable[0]: no implicit PXN */
        { 0x200000, false, A64_ACC_EXEC, 0, false, 0 },
        { 0x400000, false, A64_ACC_EXEC, 0, false, 0x0f },/* UXNTable */
        { 0x400000, false, A64_ACC_EXEC, 1, false, 0 },
        { 0x600000, false, A64_ACC_EXEC, 1, false, 0x0f },/* PXNTable */
        { 0x600000, false, A64_ACC_EXEC, 0, false, 0 },
        { 0, true, A64_ACC_WRITE, 1, false, 0x0f },       /* APTable[1] at level 1 */
        { 0, true, A64_ACC_EXEC, 1, false, 0 },
        { 0x1000, true, A64_ACC_EXEC, 1, false, 0 },      /* AP=01 made read-only */
        { 0x1000, false, A64_ACC_EXEC, 0, true, 0x0f },   /* WXN, EL0-writable */
        { 0, false, A64_ACC_EXEC, 0, true, 0 },           /* WXN, EL0 cannot write */
        { 0x1000, true, A64_ACC_EXEC, 1, true, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r.sctlr = cases[i].wxn ? (SCTLR_M | SCTLR_WXN) : SCTLR_M;
        uint64_t va = (cases[i].second ? tv2 : tv) + cases[i].offset;
        struct a64_fault f;
        if (cases[i].fsc == 0) {
            if (!walk(&r, va, cases[i].acc, cases[i].el, false, &f))
                fail_msg("case %zu: fault 0x%x", i, a64_mmu_fsc(&f));
        } else {
            assert_int_equal(fsc_of(&r, va, cases[i].acc, cases[i].el, false), cases[i].fsc);
        }
    }
}

/* ---- ASIDs ---------------------------------------------------------------------------- */

static void test_ng_and_asid(void **state)
{
    (void)state;
    struct space lo = new_space(39), hi = new_space(39);
    map(&lo, 0x1000, 0x41000000, 3, PG_KERNEL_RW | D_NG);
    map(&lo, 0x2000, 0x41000000, 3, PG_KERNEL_RW);
    map(&hi, 0xffffff8000001000ull, 0x41000000, 3, PG_KERNEL_RW | D_NG);
    struct a64_mmu_regs r = regs_for(&lo, &hi);
    r.ttbr0 |= 0x1234ull << 48;
    r.ttbr1 |= 0xabcdull << 48;
    /* 8-bit ASIDs from TTBR0 (A1=0): the upper byte is ignored. */
    pa_of(&r, 0x1000);
    assert_false(last_t.global);
    assert_int_equal(last_t.asid, 0x34);
    pa_of(&r, 0xffffff8000001000ull);      /* TTBR1 walks use TTBR0's ASID too */
    assert_false(last_t.global);
    assert_int_equal(last_t.asid, 0x34);
    pa_of(&r, 0x2000);
    assert_true(last_t.global);
    /* 16-bit ASIDs. */
    r.tcr |= TCR_AS;
    pa_of(&r, 0x1000);
    assert_int_equal(last_t.asid, 0x1234);
    assert_int_equal(a64_mmu_asid(&r), 0x1234);
    /* A1=1: the ASID comes from TTBR1, for both halves. */
    r.tcr |= TCR_A1;
    pa_of(&r, 0x1000);
    assert_int_equal(last_t.asid, 0xabcd);
    pa_of(&r, 0xffffff8000001000ull);
    assert_int_equal(last_t.asid, 0xabcd);
    r.tcr &= ~TCR_AS;
    pa_of(&r, 0x1000);
    assert_int_equal(last_t.asid, 0xcd);
    assert_int_equal(a64_mmu_asid(&r), 0xcd);
    /* The ASID bits of TTBR0 are not part of the table address. */
    assert_int_equal(pa_of(&r, 0x1008), 0x41000008);
}

/* ---- TBI ---------------------------------------------------------------------------- */

static void test_tbi(void **state)
{
    (void)state;
    struct space lo = new_space(48), hi = new_space(48);
    map(&lo, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
    map(&hi, 0xffff000000001000ull, 0x41002000, 3, PG_KERNEL_RW);
    struct a64_mmu_regs r = regs_for(&lo, &hi);
    const uint64_t tagged_lo = 0x5a00000000001010ull, tagged_hi = 0xa5ff000000001010ull;

    /* TBI off: a tag puts the address in the hole. */
    assert_int_equal(fsc_of(&r, tagged_lo, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r, tagged_hi, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(a64_mmu_untagged_va(r.tcr, tagged_lo), tagged_lo);

    /* TBI0 only. */
    r.tcr |= TCR_TBI0;
    assert_int_equal(pa_of(&r, tagged_lo), 0x41000010);
    assert_int_equal(last_t.va_page, 0x1000);
    assert_int_equal(a64_mmu_untagged_va(r.tcr, tagged_lo), 0x1010);
    assert_false(a64_mmu_va_upper(r.tcr, tagged_lo));
    assert_int_equal(fsc_of(&r, tagged_hi, A64_ACC_READ, 1, false), FSC_TRANS(0));
    /* Bit 55 picks the half (and TBI1 applies): 0x0080... is upper-half by bit 55 but
     * with TBI1 off bit 63 = 0 selects TTBR0 and the range check fails. */
    assert_int_equal(fsc_of(&r, 0x00ff000000001000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_false(a64_mmu_va_upper(r.tcr, 0x00ff000000001000ull));
    /* Bits 55:48 still count under TBI0. */
    assert_int_equal(fsc_of(&r, 0x5a01000000001010ull, A64_ACC_READ, 1, false), FSC_TRANS(0));

    /* TBI1 too. */
    r.tcr |= TCR_TBI1;
    assert_int_equal(pa_of(&r, tagged_hi), 0x41002010);
    assert_int_equal(last_t.va_page, 0xffff000000001000ull);
    assert_true(a64_mmu_va_upper(r.tcr, tagged_hi));
    assert_true(a64_mmu_va_upper(r.tcr, 0x00ff000000001000ull));
    assert_int_equal(pa_of(&r, 0x00ff000000001000ull), 0x41002000);
    assert_int_equal(a64_mmu_untagged_va(r.tcr, 0x00ff000000001234ull), 0xffff000000001234ull);
    /* TBI1 only. */
    r.tcr &= ~TCR_TBI0;
    assert_int_equal(pa_of(&r, tagged_hi), 0x41002010);
    assert_int_equal(fsc_of(&r, tagged_lo, A64_ACC_READ, 1, false), FSC_TRANS(0));
    /* Without TBI the top bit selects: 0xff7f... has bit 55 = 0 (TBI0 off, so top =
     * 63): upper half, but bits 55:48 are not all ones. */
    assert_true(a64_mmu_va_upper(r.tcr, 0xff7f000000001000ull));
    assert_int_equal(fsc_of(&r, 0xff7f000000001000ull, A64_ACC_READ, 1, false), FSC_TRANS(0));
    /* Instruction fetches use TBI as well in v8.0. */
    r.tcr |= TCR_TBI0;
    map(&lo, 0x3000, 0x41003000, 3, PG_KERNEL_RWX);
    struct a64_fault f;
    assert_true(walk(&r, 0x1200000000003000ull, A64_ACC_EXEC, 1, false, &f));
}

/* EPD0/EPD1: a translation fault at level 0 for that half only, no descriptor read. */
static void test_epd(void **state)
{
    (void)state;
    struct space lo = new_space(39), hi = new_space(39);
    map(&lo, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
    map(&hi, 0xffffff8000001000ull, 0x41002000, 3, PG_KERNEL_RW);
    struct a64_mmu_regs r = regs_for(&lo, &hi);
    r.tcr |= TCR_EPD0;
    mem->reads = 0;
    assert_int_equal(fsc_of(&r, 0x1000, A64_ACC_READ, 1, false), FSC_TRANS(0));
    assert_int_equal(fsc_of(&r, 0x1000, A64_ACC_EXEC, 0, false), FSC_TRANS(0));
    assert_int_equal(mem->reads, 0);
    assert_int_equal(pa_of(&r, 0xffffff8000001000ull), 0x41002000);
    r.tcr ^= TCR_EPD0 | TCR_EPD1;
    assert_int_equal(fsc_of(&r, 0xffffff8000001000ull, A64_ACC_WRITE, 1, false), FSC_TRANS(0));
    assert_int_equal(pa_of(&r, 0x1000), 0x41000000);
}

/* ---- MMU off -------------------------------------------------------------------------- */

static void test_mmu_off(void **state)
{
    (void)state;
    struct a64_mmu_regs r = { .sctlr = 0, .tcr = TCR_T0SZ(16) | TCR_IPS(0),
                              .ttbr0 = 0x123, .mair = MAIR_TESTS };
    mem->reads = 0;
    assert_int_equal(pa_of(&r, 0x40001234), 0x40001234);
    assert_int_equal(last_t.va_page, 0x40001000);
    assert_int_equal(last_t.size, 0x1000);
    assert_int_equal(last_t.perm_el0, 7);
    assert_int_equal(last_t.perm_el1, 7);
    assert_true(last_t.global);
    assert_int_equal(last_t.attr, 0x00);           /* data: Device-nGnRnE */
    assert_int_equal(last_t.leaf_table_pa, 0);
    /* The 44-bit PA range, not IPS, limits it. */
    assert_int_equal(pa_of(&r, 0xfffffffffffull), 0xfffffffffffull);
    assert_int_equal(fsc_of(&r, 0x100000000000ull, A64_ACC_READ, 1, false), FSC_ADDR(0));
    assert_int_equal(fsc_of(&r, 0x8000000000000000ull, A64_ACC_EXEC, 0, false), FSC_ADDR(0));
    assert_int_equal(mem->reads, 0);
    /* Tags: fault without TBI, ignored with it. */
    assert_int_equal(fsc_of(&r, 0x5a00000040001000ull, A64_ACC_READ, 1, false), FSC_ADDR(0));
    r.tcr |= TCR_TBI0;
    assert_int_equal(pa_of(&r, 0x5a00000040001000ull), 0x40001000);
    assert_int_equal(last_t.va_page, 0x40001000);
    assert_int_equal(fsc_of(&r, 0x5a80000040001000ull, A64_ACC_READ, 1, false), FSC_ADDR(0));
    r.tcr |= TCR_TBI1;
    assert_int_equal(fsc_of(&r, 0x5a80000040001000ull, A64_ACC_READ, 1, false), FSC_ADDR(0));
    /* Instruction fetches are Normal memory. */
    struct a64_fault f;
    assert_true(walk(&r, 0x40000000, A64_ACC_EXEC, 1, false, &f));
    assert_int_equal(last_t.attr, 0x44);
    r.sctlr |= SCTLR_I;
    assert_true(walk(&r, 0x40000000, A64_ACC_EXEC, 0, false, &f));
    assert_int_equal(last_t.attr, 0xaa);
    /* WXN and EE have no effect with the MMU off. */
    r.sctlr |= SCTLR_WXN | SCTLR_EE;
    assert_true(walk(&r, 0x40000000, A64_ACC_EXEC, 0, false, &f));
    assert_true(walk(&r, 0x40000000, A64_ACC_WRITE, 0, false, &f));
}

/* ---- big-endian walks ---------------------------------------------------------------- */

static uint64_t swap64(uint64_t v)
{
    return __builtin_bswap64(v);
}

static void test_big_endian_walk(void **state)
{
    (void)state;
    struct space s = new_space(39);
    map(&s, 0x1000, 0x41000000, 3, PG_KERNEL_RW);
    struct a64_mmu_regs r = regs_for(&s, NULL);
    r.sctlr |= SCTLR_EE;
    /* Little-endian tables read with EE=1 are garbage: the root entry looks invalid
     * (bit 0 of the swapped word is the top byte, zero). */
    assert_int_equal(fsc_of(&r, 0x1000, A64_ACC_READ, 1, false), FSC_TRANS(1));
    for (unsigned i = 0; i < mem->pages_used * 512; i++)
        mem->words[i] = swap64(mem->words[i]);
    assert_int_equal(pa_of(&r, 0x1008), 0x41000008);
    /* decode_leaf takes the descriptor as read, and swaps it too. */
    struct a64_translation walked = last_t, t;
    assert_true(a64_mmu_decode_leaf(&r, &walked, 1, *word_at(walked.leaf_table_pa + 8), &t));
    assert_int_equal(t.pa_page, 0x41000000);
}

/* ---- AT / PAR_EL1 -------------------------------------------------------------------- */

#define PAR_RES1 (1ull << 11)
#define PAR_NS   (1ull << 9)
#define PARF(fst) (PAR_RES1 | ((uint64_t)(fst) << 1) | 1)

static uint64_t at(const struct a64_mmu_regs *r, uint64_t va, bool write, unsigned el)
{
    return a64_mmu_at(r, va, write, el, mem_read, mem);
}

/* at_par.c's cases; PAR[47:12] and PAR[9:0] as in at_par.expected, and the fields that
 * test does not print as the Arm ARM lays them out: ATTR[63:56] the MAIR byte, bit 11
 * RES1, NS=1 (Non-secure), SH[8:7] from the descriptor (Outer Shareable for Device and
 * Normal Non-cacheable). */
static void test_at_par(void **state)
{
    (void)state;
    struct space s = new_space(39);
    const uint64_t tv = 0x1000000000ull, scratch = 0x41000000;
#define PAGE(n) (tv + (uint64_t)(n) * 0x1000)
#define PA(n)   (scratch + (uint64_t)(n) * 0x1000)
    map(&s, 0, 0, 1, PG_DEVICE);
    map(&s, 0x40200000, 0x40200000, 2, PG_TEXT);
    map(&s, PAGE(0), PA(7), 3, PG_KERNEL_RW);
    map(&s, PAGE(2), PA(8), 3, PG_KERNEL_RW & ~D_AF);
    map(&s, PAGE(3), PA(9), 3, PG_KERNEL_RW | D_AP2);
    map(&s, PAGE(4), PA(10), 3, PG_USER_RW);
    map(&s, PAGE(5), PA(11), 3, PG_USER_RO);
    map(&s, tv + 0x40000000, scratch + 0x200000, 2, PG_KERNEL_RW);
    map(&s, PAGE(6), PA(12), 3, D_ATTR(2) | D_SH(3) | D_AF);     /* Normal NC */
    map(&s, PAGE(7), PA(13), 3, D_ATTR(1) | D_SH(0) | D_AF);     /* WB, non-shareable */
    struct a64_mmu_regs r = regs_for(&s, NULL);
    const uint64_t ok_wb_is = (0xffull << 56) | PAR_RES1 | PAR_NS | (3ull << 7);

    assert_int_equal(at(&r, PAGE(0) + 0x123, false, 1), ok_wb_is | PA(7));
    assert_int_equal(at(&r, PAGE(0), true, 1), ok_wb_is | PA(7));
    assert_int_equal(at(&r, tv + 0x40000000 + 0x12345, false, 1), ok_wb_is | 0x41212000);
    assert_int_equal(at(&r, 0x09000000, false, 1), PAR_RES1 | PAR_NS | (2ull << 7) | 0x09000000);
    assert_int_equal(at(&r, 0x40200000, false, 1), ok_wb_is | 0x40200000);
    assert_int_equal(at(&r, PAGE(1), false, 1), PARF(0x07));
    assert_int_equal(at(&r, PAGE(1), false, 1) & 0x3ff, 0x00f);
    assert_int_equal(at(&r, tv + 0x200000, true, 1) & 0x3ff, 0x00d);
    assert_int_equal(at(&r, 0x3000000000ull, false, 1) & 0x3ff, 0x00b);
    assert_int_equal(at(&r, PAGE(2), false, 1) & 0x3ff, 0x017);
    assert_int_equal(at(&r, PAGE(3), false, 1), ok_wb_is | PA(9));
    assert_int_equal(at(&r, PAGE(3), true, 1) & 0x3ff, 0x01f);
    assert_int_equal(at(&r, PAGE(0), false, 0) & 0x3ff, 0x01f);
    assert_int_equal(at(&r, PAGE(4), false, 0), ok_wb_is | PA(10));
    assert_int_equal(at(&r, PAGE(4), true, 0), ok_wb_is | PA(10));
    assert_int_equal(at(&r, PAGE(4), true, 1), ok_wb_is | PA(10));
    assert_int_equal(at(&r, PAGE(5), false, 0), ok_wb_is | PA(11));
    assert_int_equal(at(&r, PAGE(5), true, 0), PARF(0x0f));
    assert_int_equal(at(&r, PAGE(5), true, 1), PARF(0x0f));
    /* Normal Non-cacheable reports Outer Shareable; a non-shareable WB page 00. */
    assert_int_equal(at(&r, PAGE(6), false, 1), (0x44ull << 56) | PAR_RES1 | PAR_NS |
                                                    (2ull << 7) | PA(12));
    assert_int_equal(at(&r, PAGE(7), false, 1), (0xffull << 56) | PAR_RES1 | PAR_NS | PA(13));
    /* AT never checks execute permission: PG_KERNEL_RW is PXN. */
    assert_int_equal(at(&r, PAGE(0), false, 1) & 1, 0);
    /* Address size and translation faults at level 0. */
    r.ttbr0 |= 0x100000000000ull;
    assert_int_equal(at(&r, PAGE(0), false, 1), PARF(0x00));
    r.ttbr0 &= ~0x100000000000ull;
    assert_int_equal(at(&r, 0x8000000000ull, false, 1), PARF(0x04));
    /* A walk abort: the caller raises it instead of writing PAR. */
    mem->abort_pa = slot_pa(&s, PAGE(0), 3, 0);
    uint64_t par = at(&r, PAGE(0), false, 1);
    assert_int_equal(par, PARF(0x17));
    assert_true(a64_mmu_par_is_walk_abort(par));
    mem->abort_pa = 0;
    assert_false(a64_mmu_par_is_walk_abort(at(&r, PAGE(1), false, 1)));
    assert_false(a64_mmu_par_is_walk_abort(at(&r, PAGE(0), false, 1)));
    /* MMU off: PA = VA, Device-nGnRnE, Outer Shareable. */
    r.sctlr &= ~SCTLR_M;
    assert_int_equal(at(&r, 0x40001234, false, 0), PAR_RES1 | PAR_NS | (2ull << 7) | 0x40001000);
    assert_int_equal(at(&r, 0x100000000000ull, true, 1), PARF(0x00));
#undef PAGE
#undef PA
}

/* ---- FSC encoding ------------------------------------------------------------------- */

static void test_fsc_encoding(void **state)
{
    (void)state;
    static const struct { enum a64_fault_type type; int level; uint32_t fsc; } cases[] = {
        { A64_FAULT_ADDRESS_SIZE, 0, 0x00 },  { A64_FAULT_ADDRESS_SIZE, 3, 0x03 },
        { A64_FAULT_TRANSLATION, 0, 0x04 },   { A64_FAULT_TRANSLATION, 3, 0x07 },
        { A64_FAULT_ACCESS_FLAG, 1, 0x09 },   { A64_FAULT_ACCESS_FLAG, 3, 0x0b },
        { A64_FAULT_PERMISSION, 1, 0x0d },    { A64_FAULT_PERMISSION, 3, 0x0f },
        { A64_FAULT_WALK_EXTERNAL, 0, 0x14 }, { A64_FAULT_WALK_EXTERNAL, 3, 0x17 },
        { A64_FAULT_TRANSLATION, -1, 0x2b },  { A64_FAULT_ADDRESS_SIZE, -1, 0x29 },
        { A64_FAULT_WALK_EXTERNAL, -1, 0x13 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct a64_fault f = { cases[i].type, cases[i].level };
        assert_int_equal(a64_mmu_fsc(&f), cases[i].fsc);
    }
}

/* ---- prefill from the leaf table ----------------------------------------------------- */

static void assert_same_translation(const struct a64_translation *a,
                                    const struct a64_translation *b)
{
    assert_int_equal(a->va_page, b->va_page);
    assert_int_equal(a->pa_page, b->pa_page);
    assert_int_equal(a->size, b->size);
    assert_int_equal(a->perm_el0, b->perm_el0);
    assert_int_equal(a->perm_el1, b->perm_el1);
    assert_int_equal(a->global, b->global);
    assert_int_equal(a->asid, b->asid);
    assert_int_equal(a->attr, b->attr);
    assert_int_equal(a->sh, b->sh);
    assert_int_equal(a->table_ctl, b->table_ctl);
    assert_int_equal(a->leaf_table_pa, b->leaf_table_pa);
    assert_int_equal(a->leaf_desc, b->leaf_desc);
    assert_int_equal(a->level, b->level);
}

/* Every entry of a walked leaf table decodes as a walk through it would. */
static void check_decode_matches_walks(const struct a64_mmu_regs *r,
                                       const struct a64_translation *walked, unsigned entries)
{
    for (unsigned i = 0; i < entries; i++) {
        uint64_t desc = *word_at(walked->leaf_table_pa + 8ull * i);
        struct a64_translation t;
        bool decoded = a64_mmu_decode_leaf(r, walked, i, desc, &t);
        uint64_t table_span = walked->size * entries;
        uint64_t va = (walked->va_page & ~(table_span - 1)) + i * walked->size;
        struct a64_fault f;
        bool ok = walk(r, va, A64_ACC_READ, 1, false, &f) ||
                  f.type == A64_FAULT_PERMISSION;
        ok = ok && last_t.level == walked->level;
        assert_int_equal(decoded, ok);
        if (decoded) {
            assert_same_translation(&t, &last_t);
        }
    }
}

static void test_decode_leaf(void **state)
{
    (void)state;
    struct space s = new_space(39), hi = new_space(39);
    uint64_t va = 0x12345000;
    map(&s, va, 0x41000000, 3, PG_KERNEL_RW);
    map(&s, va + 0x1000, 0x41001000, 3, PG_USER_RO | D_NG);
    map(&s, va + 0x2000, 0x41002000, 3, PG_KERNEL_RW & ~D_AF);
    map(&s, va + 0x3000, 0x41003000, 3, PG_KERNEL_RW | D_VALID);   /* becomes 0b01 at L3 */
    *word_at(slot_pa(&s, va + 0x3000, 3, 0)) &= ~D_TABLE;
    map(&s, va + 0x4000, 0x100000000000ull, 3, PG_KERNEL_RW);       /* address size */
    map(&s, va - 0x1000, 0x41005000, 3, PG_USER_RW);
    *word_at(slot_pa(&s, va, 2, 0)) |= T_AP1;                       /* table control */
    map(&s, 0x40000000, 0x40000000, 2, PG_KERNEL_RW);
    map(&s, 0x40600000, 0x40600000, 2, PG_TEXT);
    map(&hi, 0xffffff8000200000ull, 0x40200000, 2, PG_KERNEL_RW);
    map(&hi, 0xffffffffc0000000ull, 0x80000000, 1, PG_KERNEL_RW);
    struct a64_mmu_regs r = regs_for(&s, &hi);
    r.ttbr0 |= 5ull << 48;

    pa_of(&r, va);
    struct a64_translation walked = last_t;
    check_decode_matches_walks(&r, &walked, 512);
    pa_of(&r, 0x40001000);
    walked = last_t;
    check_decode_matches_walks(&r, &walked, 512);
    pa_of(&r, 0xffffff8000200000ull);
    walked = last_t;
    check_decode_matches_walks(&r, &walked, 512);
    pa_of(&r, 0xffffffffc0000000ull);
    walked = last_t;
    assert_int_equal(walked.level, 1);
    check_decode_matches_walks(&r, &walked, 512);
    /* Out-of-range index and MMU-off walks decode nothing. */
    struct a64_translation t;
    assert_false(a64_mmu_decode_leaf(&r, &walked, 512, 0x40000000 | PG_KERNEL_RW | 1, &t));
    r.sctlr &= ~SCTLR_M;
    assert_false(a64_mmu_decode_leaf(&r, &walked, 0, 0x40000000 | PG_KERNEL_RW | 1, &t));
}

/* ---- random hostile walks ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, so a failure reproduces. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* A descriptor that is often structurally plausible: valid, a table or leaf pointing
 * into the fake memory (or just outside it), random attributes. */
static uint64_t random_desc(void)
{
    uint64_t r = rnd();
    switch (r & 7) {
    case 0:
        return rnd();                                  /* anything */
    case 1:
        return 0;
    default: {
        uint64_t page = MEM_BASE + (rnd() % (MEM_PAGES + 4)) * 4096;
        if ((rnd() & 15) == 0)
            page ^= 1ull << (32 + rnd() % 16);         /* beyond the output size */
        uint64_t attrs = rnd() & (0xfff0000000000ffcull);
        if (rnd() & 7)
            attrs |= 1ull << 10;                       /* mostly AF=1 */
        uint64_t type = rnd() & 3;
        return page | attrs | (type == 0 ? rnd() & 3 : type == 1 ? 1 : 3);
    }
    }
}

/* Mostly addresses inside one of the two ranges TCR describes (sometimes tagged), so
 * that walks get past the range check; the rest anything. */
static uint64_t random_va(uint64_t tcr)
{
    uint64_t v = rnd();
    unsigned t0sz = tcr & 0x3f, t1sz = (tcr >> 16) & 0x3f;
    uint64_t tag = (rnd() & 1) ? rnd() << 56 : 0;
    switch (rnd() & 3) {
    case 0:
        return v;
    case 1:
        if (t0sz >= 16 && t0sz <= 39)
            v &= (1ull << (64 - t0sz)) - 1;
        return tag ? (v & 0x00ffffffffffffffull) | tag : v;
    default:
        if (t1sz >= 16 && t1sz <= 39)
            v |= ~((1ull << (64 - t1sz)) - 1);
        return tag ? (v & 0x00ffffffffffffffull) | tag : v;
    }
}

static void test_random_hostile(void **state)
{
    (void)state;
    const char *env = getenv("A64_MMU_WALK_ITERATIONS");
    unsigned iterations = env ? (unsigned)strtoul(env, NULL, 0) : 50000;
    unsigned successes = 0, faults[6] = { 0 };
    for (unsigned it = 0; it < iterations; it++) {
        if (it % 4096 == 0) {                          /* new random memory */
            mem->pages_used = MEM_PAGES;
            for (size_t i = 0; i < MEM_PAGES * 512; i++)
                mem->words[i] = random_desc();
        }
        for (int i = 0; i < 16; i++)                   /* and a few changes each walk */
            mem->words[rnd() % (MEM_PAGES * 512)] = random_desc();
        struct a64_mmu_regs r;
        r.sctlr = rnd() | ((rnd() & 7) ? SCTLR_M : 0);
        if (rnd() & 1)
            r.sctlr &= ~SCTLR_EE;
        r.tcr = rnd();
        if (rnd() & 3) {                               /* mostly sane sizes and halves */
            r.tcr = (r.tcr & ~(0x3full | (0x3full << 16) | TCR_EPD0 | TCR_EPD1)) |
                    TCR_T0SZ(16 + rnd() % 24) | TCR_T1SZ(16 + rnd() % 24);
        }
        r.ttbr0 = (rnd() & 0xffff000000000000ull) | (MEM_BASE + (rnd() % MEM_PAGES) * 4096) |
                  ((rnd() & 1) ? (rnd() & 0xff8) : 0);
        r.ttbr1 = (rnd() & 7) ? (rnd() & 0xffff000000000000ull) |
                                    (MEM_BASE + (rnd() % MEM_PAGES) * 4096)
                              : rnd();
        r.mair = rnd();
        uint64_t va = random_va(r.tcr);
        enum a64_access acc = (enum a64_access)(rnd() % 3);
        unsigned el = (unsigned)(rnd() % 3);
        bool unpriv = rnd() & 1;
        struct a64_translation t;
        struct a64_fault f;
        mem->reads = mem->refused = 0;
        bool ok = a64_mmu_translate(&r, va, acc, el, unpriv, mem_read, mem, &t, &f);
        assert_true(mem->reads <= 4);
        if (ok) {
            successes++;
            assert_int_equal(f.type, A64_FAULT_NONE);
            assert_true(t.size == 0x1000 || t.size == 0x200000 || t.size == 0x40000000);
            assert_int_equal(t.va_page & (t.size - 1), 0);
            assert_int_equal(t.pa_page & (t.size - 1), 0);
            assert_true(t.pa_page < (1ull << A64_PA_BITS));
            assert_int_equal(t.va_page, a64_mmu_untagged_va(r.tcr, va) & ~(t.size - 1));
            assert_true(t.level >= 1 && t.level <= 3);
            assert_int_equal(t.perm_el1 & A64_PERM_R, A64_PERM_R);
            if (r.sctlr & SCTLR_M) {
                assert_true(t.leaf_table_pa >= MEM_BASE &&
                            t.leaf_table_pa < MEM_BASE + sizeof mem->words);
                assert_int_equal(t.size, 1ull << (12 + 9 * (3 - t.level)));
                /* The entry decodes from its table as the walk found it. */
                unsigned index = (unsigned)((mem->last_pa - t.leaf_table_pa) / 8);
                struct a64_translation d;
                assert_true(a64_mmu_decode_leaf(&r, &t, index, *word_at(mem->last_pa), &d));
                assert_same_translation(&d, &t);
            }
        } else {
            assert_true(f.type > A64_FAULT_NONE && f.type <= A64_FAULT_WALK_EXTERNAL);
            assert_true(f.level >= 0 && f.level <= 3);
            faults[f.type]++;
            uint32_t fsc = a64_mmu_fsc(&f);
            assert_true(fsc <= 0x0f || (fsc >= 0x14 && fsc <= 0x17));
            assert_int_equal(f.type == A64_FAULT_WALK_EXTERNAL, mem->refused == 1);
        }
        /* AT agrees with the walk for reads and writes. */
        if (acc != A64_ACC_EXEC) {
            unsigned at_el = (el == 0 || unpriv) ? 0 : 1;
            uint64_t par = a64_mmu_at(&r, va, acc == A64_ACC_WRITE, at_el, mem_read, mem);
            assert_int_equal(par & 1, ok ? 0 : 1);
            if (ok)
                assert_int_equal(par & 0x0000fffffffff000ull,
                                 (t.pa_page | (va & (t.size - 1))) & 0x0000fffffffff000ull);
            else
                assert_int_equal((par >> 1) & 0x3f, a64_mmu_fsc(&f));
        }
    }
    print_message("%u walks: %u translated, faults T %u AF %u P %u AS %u EXT %u\n", iterations,
                  successes, faults[1], faults[2], faults[3], faults[4], faults[5]);
    /* The random mix must reach every outcome, or the test proves little. */
    if (iterations >= 20000) {
        assert_true(successes > iterations / 50);
        for (int type = A64_FAULT_TRANSLATION; type <= A64_FAULT_WALK_EXTERNAL; type++)
            if (faults[type] == 0)
                fail_msg("no fault of type %d in %u walks", type, iterations);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_39bit_leaves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_48bit_leaves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_level_and_hole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_25bit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_halves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_granule_fields_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txsz_out_of_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults_each_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_size_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_walk_external_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permission_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_baremetal_mmu_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_controls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qemu_probe_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ng_and_asid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tbi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_epd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmu_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_endian_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_at_par, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsc_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_leaf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_hostile, setup, teardown),
    };
    return cmocka_run_group_tests_name("aarch64 mmu walk", tests, NULL, NULL);
}
