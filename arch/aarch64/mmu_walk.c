/* VMSAv8-64 stage 1 table walk for EL1&0 (ARMv8.0-A, 4 KB granule, PARange 44 bits),
 * following the Arm ARM pseudocode (AArch64.TranslateAddressS1Off,
 * AArch64.TranslationTableWalk, AArch64.CheckPermission, AArch64.FaultStatusCode) in the
 * order it checks things, because that order decides which fault a guest sees when
 * several apply. Decisions where the architecture leaves a choice: docs/mmu-walk.md. */
#include "arch/aarch64/mmu_walk.h"

/* SCTLR_EL1 */
#define SCTLR_M   (1ull << 0)
#define SCTLR_I   (1ull << 12)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EE  (1ull << 25)

/* TCR_EL1 */
#define TCR_T0SZ_SHIFT 0
#define TCR_EPD0       (1ull << 7)
#define TCR_T1SZ_SHIFT 16
#define TCR_A1         (1ull << 22)
#define TCR_EPD1       (1ull << 23)
#define TCR_IPS_SHIFT  32
#define TCR_AS         (1ull << 36)
#define TCR_TBI0       (1ull << 37)
#define TCR_TBI1       (1ull << 38)

/* Descriptor fields */
#define DESC_VALID     (1ull << 0)
#define DESC_TABLE     (1ull << 1)    /* table at levels 0-2, page at level 3 */
#define DESC_ATTRINDX_SHIFT 2
#define DESC_AP1       (1ull << 6)    /* EL0 access */
#define DESC_AP2       (1ull << 7)    /* read-only */
#define DESC_SH_SHIFT  8
#define DESC_AF        (1ull << 10)
#define DESC_NG        (1ull << 11)
#define DESC_PXN       (1ull << 53)
#define DESC_UXN       (1ull << 54)
#define DESC_TABLE_CTL_SHIFT 59       /* PXNTable, UXNTable, APTable[1:0] */

#define PAGE_SHIFT     12
#define STRIDE         9              /* 512 eight-byte descriptors per 4 KB table */
#define MIN_TXSZ       16             /* 48-bit input */
#define MAX_TXSZ       39             /* 25-bit input (no FEAT_TTST) */

/* Bits hi..lo set (hi >= lo, both 0..63). */
static uint64_t bit_range(unsigned hi, unsigned lo)
{
    uint64_t upto_hi = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
    return upto_hi & ~((1ull << lo) - 1);
}

/* Bytes mapped by one descriptor at a level: 1 GB, 2 MB, 4 KB at 1, 2, 3. */
static unsigned level_shift(int level)
{
    return PAGE_SHIFT + STRIDE * (unsigned)(3 - level);
}

/* AddrTop: the highest address bit that takes part in translation. The half (and so the
 * TBI bit that applies) is chosen by bit 55 whether or not TBI is on. */
static unsigned addr_top(uint64_t tcr, uint64_t va)
{
    bool tbi = (va >> 55) & 1 ? (tcr & TCR_TBI1) != 0 : (tcr & TCR_TBI0) != 0;
    return tbi ? 55 : 63;
}

bool a64_mmu_va_upper(uint64_t tcr, uint64_t va)
{
    return (va >> addr_top(tcr, va)) & 1;
}

uint64_t a64_mmu_untagged_va(uint64_t tcr, uint64_t va)
{
    if (addr_top(tcr, va) == 63)
        return va;
    return (va >> 55) & 1 ? va | bit_range(63, 56) : va & ~bit_range(63, 56);
}

uint16_t a64_mmu_asid(const struct a64_mmu_regs *r)
{
    uint64_t ttbr = (r->tcr & TCR_A1) ? r->ttbr1 : r->ttbr0;
    uint16_t asid = (uint16_t)(ttbr >> 48);
    return (r->tcr & TCR_AS) ? asid : (uint16_t)(asid & 0xff);
}

/* The output address size: TCR_EL1.IPS capped by PARange. IPS 0b110 (52 bits, v8.2) and
 * the reserved 0b111 behave as the largest size, which the cap makes 44 bits anyway. */
static unsigned output_size(uint64_t tcr)
{
    static const uint8_t ips_bits[8] = { 32, 36, 40, 42, 44, 48, 48, 48 };
    unsigned bits = ips_bits[(tcr >> TCR_IPS_SHIFT) & 7];
    return bits < A64_PA_BITS ? bits : A64_PA_BITS;
}

/* The parameters of the half (TTBR0 or TTBR1) an address selects. */
struct half {
    bool upper;
    unsigned txsz;
    bool walk_disabled;          /* EPDn */
    uint64_t ttbr;
};

static struct half select_half(const struct a64_mmu_regs *r, uint64_t va)
{
    struct half h;
    h.upper = a64_mmu_va_upper(r->tcr, va);
    if (h.upper) {
        h.txsz = (unsigned)(r->tcr >> TCR_T1SZ_SHIFT) & 0x3f;
        h.walk_disabled = (r->tcr & TCR_EPD1) != 0;
        h.ttbr = r->ttbr1;
    } else {
        h.txsz = (unsigned)(r->tcr >> TCR_T0SZ_SHIFT) & 0x3f;
        h.walk_disabled = (r->tcr & TCR_EPD0) != 0;
        h.ttbr = r->ttbr0;
    }
    return h;
}

/* First level of a walk with this many input bits: 4 - ceil((inputsize - 12) / 9). */
static int start_level(unsigned inputsize)
{
    return 4 - (int)((inputsize - PAGE_SHIFT + STRIDE - 1) / STRIDE);
}

/* Number of index bits of the table at `level` (fewer at the start level). */
static unsigned index_bits(unsigned inputsize, int level, int first_level)
{
    return level == first_level ? inputsize - level_shift(level) : STRIDE;
}

static bool fail(struct a64_fault *f, enum a64_fault_type type, int level)
{
    f->type = type;
    f->level = level;
    return false;
}

/* Permissions of a leaf after the table controls, as AArch64.CheckPermission derives
 * them for both ELs (ARMv8.0: no PAN). */
static void leaf_permissions(uint64_t desc, unsigned table_ctl, bool wxn, uint8_t *el0,
                             uint8_t *el1)
{
    bool read_only = (desc & DESC_AP2) || (table_ctl & A64_TABLE_AP1);
    bool el0_access = (desc & DESC_AP1) && !(table_ctl & A64_TABLE_AP0);
    bool uxn = (desc & DESC_UXN) || (table_ctl & A64_TABLE_UXN);
    bool pxn = (desc & DESC_PXN) || (table_ctl & A64_TABLE_PXN);

    bool priv_w = !read_only;
    bool user_r = el0_access;
    bool user_w = el0_access && !read_only;
    /* WXN: writable means never executable at that EL. A page EL0 can write is never
     * executable at EL1 (an EL0 write must not plant kernel code). */
    bool user_xn = uxn || (user_w && wxn);
    bool priv_xn = pxn || (priv_w && wxn) || user_w;

    *el1 = (uint8_t)(A64_PERM_R | (priv_w ? A64_PERM_W : 0) | (priv_xn ? 0 : A64_PERM_X));
    /* EL0 execute does not need EL0 read access in v8.0 (execute-only memory). */
    *el0 = (uint8_t)((user_r ? A64_PERM_R : 0) | (user_w ? A64_PERM_W : 0) |
                     (user_xn ? 0 : A64_PERM_X));
}

static uint8_t mair_attr(uint64_t mair, uint64_t desc)
{
    unsigned index = (unsigned)(desc >> DESC_ATTRINDX_SHIFT) & 7;
    return (uint8_t)(mair >> (8 * index));
}

/* Fills *t from a block or page descriptor that passed the walk's checks. */
static void fill_leaf(const struct a64_mmu_regs *r, uint64_t untagged_va, uint64_t desc,
                      int level, unsigned table_ctl, uint64_t table_pa,
                      struct a64_translation *t)
{
    unsigned shift = level_shift(level);
    t->size = 1ull << shift;
    t->va_page = untagged_va & ~(t->size - 1);
    t->pa_page = desc & bit_range(47, shift);
    leaf_permissions(desc, table_ctl, (r->sctlr & SCTLR_WXN) != 0, &t->perm_el0, &t->perm_el1);
    t->global = !(desc & DESC_NG);
    t->asid = a64_mmu_asid(r);
    t->attr = mair_attr(r->mair, desc);
    t->sh = (uint8_t)((desc >> DESC_SH_SHIFT) & 3);
    t->table_ctl = (uint8_t)table_ctl;
    t->leaf_table_pa = table_pa;
    t->leaf_desc = desc;
    t->level = level;
}

/* The checks a block or page descriptor must pass after it was read, in the
 * pseudocode's order: block allowed at this level, output address in range, AF. */
static enum a64_fault_type check_leaf(uint64_t desc, int level, unsigned outputsize)
{
    if (level == 0)              /* no level 0 blocks with the 4 KB granule */
        return A64_FAULT_TRANSLATION;
    if (desc & bit_range(47, outputsize))
        return A64_FAULT_ADDRESS_SIZE;
    if (!(desc & DESC_AF))       /* no hardware AF update in v8.0 */
        return A64_FAULT_ACCESS_FLAG;
    return A64_FAULT_NONE;
}

static bool access_allowed(uint8_t perm, enum a64_access acc)
{
    switch (acc) {
    case A64_ACC_READ:  return perm & A64_PERM_R;
    case A64_ACC_WRITE: return perm & A64_PERM_W;
    case A64_ACC_EXEC:  return perm & A64_PERM_X;
    }
    return false;
}

bool a64_mmu_permits(const struct a64_translation *t, enum a64_access acc, unsigned el)
{
    return access_allowed(el == 0 ? t->perm_el0 : t->perm_el1, acc);
}

/* AArch64.TranslateAddressS1Off: VA = PA, no permission checks, but an address beyond
 * the physical address range (above the ignored top byte) is an address size fault. */
static bool translate_mmu_off(const struct a64_mmu_regs *r, uint64_t va, enum a64_access acc,
                              struct a64_translation *t, struct a64_fault *f)
{
    unsigned top = addr_top(r->tcr, va);
    if (va & bit_range(top, A64_PA_BITS))
        return fail(f, A64_FAULT_ADDRESS_SIZE, 0);
    uint64_t pa = va & bit_range(A64_PA_BITS - 1, 0);
    t->size = 1ull << PAGE_SHIFT;
    t->va_page = a64_mmu_untagged_va(r->tcr, va) & ~(t->size - 1);
    t->pa_page = pa & ~(t->size - 1);
    t->perm_el0 = t->perm_el1 = A64_PERM_R | A64_PERM_W | A64_PERM_X;
    t->global = true;
    t->asid = 0;
    /* Data accesses are Device-nGnRnE; instruction fetches Normal, Write-Through
     * Read-Allocate when SCTLR.I = 1, else Non-cacheable; both Outer Shareable. */
    if (acc == A64_ACC_EXEC)
        t->attr = (r->sctlr & SCTLR_I) ? 0xaa : 0x44;
    else
        t->attr = 0x00;
    t->sh = 2;
    t->table_ctl = 0;
    t->leaf_table_pa = 0;
    t->leaf_desc = 0;
    t->level = 3;
    return true;
}

static uint64_t byte_swap64(uint64_t v)
{
    uint64_t out = 0;
    for (int i = 0; i < 8; i++) {
        out = (out << 8) | (v & 0xff);
        v >>= 8;
    }
    return out;
}

bool a64_mmu_translate(const struct a64_mmu_regs *r, uint64_t va, enum a64_access acc,
                       unsigned el, bool unprivileged, a64_phys_read64 read, void *ctx,
                       struct a64_translation *t, struct a64_fault *f)
{
    f->type = A64_FAULT_NONE;
    f->level = 0;
    if (!(r->sctlr & SCTLR_M))
        return translate_mmu_off(r, va, acc, t, f);

    struct half h = select_half(r, va);
    /* TxSZ outside 16..39: IMPLEMENTATION DEFINED in v8.0 between "as if in range" and
     * a level 0 translation fault; the fault is QEMU's choice (and FEAT_LVA's rule). */
    if (h.txsz < MIN_TXSZ || h.txsz > MAX_TXSZ)
        return fail(f, A64_FAULT_TRANSLATION, 0);
    unsigned inputsize = 64 - h.txsz;
    /* Every bit from AddrTop down to the input size must equal the selecting bit. */
    uint64_t must_match = bit_range(addr_top(r->tcr, va), inputsize);
    if ((va & must_match) != (h.upper ? must_match : 0))
        return fail(f, A64_FAULT_TRANSLATION, 0);
    if (h.walk_disabled)
        return fail(f, A64_FAULT_TRANSLATION, 0);

    unsigned outputsize = output_size(r->tcr);
    if (h.ttbr & bit_range(47, outputsize))
        return fail(f, A64_FAULT_ADDRESS_SIZE, 0);

    int first = start_level(inputsize);
    /* The base is aligned to the start-level table's size; lower bits (CnP and RES0)
     * are ignored, as the v8.0 pseudocode does. */
    uint64_t table = h.ttbr & bit_range(47, 3 + index_bits(inputsize, first, first));
    unsigned table_ctl = 0;
    bool big_endian = (r->sctlr & SCTLR_EE) != 0;

    for (int level = first;; level++) {
        unsigned shift = level_shift(level);
        uint64_t index = (va >> shift) & ((1ull << index_bits(inputsize, level, first)) - 1);
        uint64_t desc;
        if (!read(ctx, table + index * 8, &desc))
            return fail(f, A64_FAULT_WALK_EXTERNAL, level);
        if (big_endian)
            desc = byte_swap64(desc);

        /* Invalid, or 0b01 (block) at level 3, which is reserved. */
        if (!(desc & DESC_VALID) || (level == 3 && !(desc & DESC_TABLE)))
            return fail(f, A64_FAULT_TRANSLATION, level);

        if (level < 3 && (desc & DESC_TABLE)) {
            if (desc & bit_range(47, outputsize))
                return fail(f, A64_FAULT_ADDRESS_SIZE, level);
            table_ctl |= (unsigned)(desc >> DESC_TABLE_CTL_SHIFT) & 0xf;
            table = desc & bit_range(47, PAGE_SHIFT);
            continue;
        }

        enum a64_fault_type leaf_fault = check_leaf(desc, level, outputsize);
        if (leaf_fault != A64_FAULT_NONE)
            return fail(f, leaf_fault, level);
        fill_leaf(r, a64_mmu_untagged_va(r->tcr, va), desc, level, table_ctl, table, t);
        unsigned check_el = (el == 0 || (unprivileged && acc != A64_ACC_EXEC)) ? 0 : 1;
        if (!a64_mmu_permits(t, acc, check_el))
            return fail(f, A64_FAULT_PERMISSION, level);
        return true;
    }
}

uint32_t a64_mmu_fsc(const struct a64_fault *f)
{
    /* Level -1 exists only with FEAT_LPA2; its codes are given for completeness. */
    if (f->level < 0) {
        switch (f->type) {
        case A64_FAULT_ADDRESS_SIZE:  return 0x29;
        case A64_FAULT_TRANSLATION:   return 0x2b;
        case A64_FAULT_WALK_EXTERNAL: return 0x13;
        default:                      return 0;
        }
    }
    uint32_t level = (uint32_t)f->level & 3;
    switch (f->type) {
    case A64_FAULT_ADDRESS_SIZE:  return 0x00 | level;
    case A64_FAULT_TRANSLATION:   return 0x04 | level;
    case A64_FAULT_ACCESS_FLAG:   return 0x08 | level;
    case A64_FAULT_PERMISSION:    return 0x0c | level;
    case A64_FAULT_WALK_EXTERNAL: return 0x14 | level;
    case A64_FAULT_NONE:          break;
    }
    return 0;
}

/* PAR_EL1 fields (ARMv8.0, F=0 and F=1 layouts share bits 0 and 11). */
#define PAR_F         (1ull << 0)
#define PAR_FST_SHIFT 1
#define PAR_SH_SHIFT  7
#define PAR_NS        (1ull << 9)
#define PAR_RES1      (1ull << 11)
#define PAR_ATTR_SHIFT 56

uint64_t a64_mmu_at(const struct a64_mmu_regs *r, uint64_t va, bool write, unsigned el,
                    a64_phys_read64 read, void *ctx)
{
    struct a64_translation t;
    struct a64_fault f;
    if (!a64_mmu_translate(r, va, write ? A64_ACC_WRITE : A64_ACC_READ, el, false, read, ctx,
                           &t, &f))
        return PAR_RES1 | ((uint64_t)a64_mmu_fsc(&f) << PAR_FST_SHIFT) | PAR_F;
    uint64_t pa = t.pa_page | ((va & (t.size - 1)) & ~((1ull << PAGE_SHIFT) - 1));
    /* Device and Normal Non-cacheable memory are always Outer Shareable. */
    unsigned sh = ((t.attr & 0xf0) == 0 || t.attr == 0x44) ? 2 : t.sh;
    return ((uint64_t)t.attr << PAR_ATTR_SHIFT) | (pa & bit_range(47, PAGE_SHIFT)) |
           PAR_RES1 | PAR_NS | ((uint64_t)sh << PAR_SH_SHIFT);
}

bool a64_mmu_decode_leaf(const struct a64_mmu_regs *r, const struct a64_translation *walked,
                         unsigned index, uint64_t desc, struct a64_translation *t)
{
    if (!(r->sctlr & SCTLR_M) || walked->level < 0 || walked->level > 3)
        return false;
    struct half h = select_half(r, walked->va_page);
    if (h.txsz < MIN_TXSZ || h.txsz > MAX_TXSZ)
        return false;
    unsigned inputsize = 64 - h.txsz;
    int first = start_level(inputsize);
    if (walked->level < first)
        return false;
    unsigned bits = index_bits(inputsize, walked->level, first);
    if (index >= (1u << bits))
        return false;
    unsigned shift = level_shift(walked->level);
    /* A page/block slot holds 0b11 at level 3 and 0b01 above it; anything else is not
     * a leaf the walk would accept here. */
    if (r->sctlr & SCTLR_EE)
        desc = byte_swap64(desc);
    uint64_t want_type = walked->level == 3 ? 3 : 1;
    if ((desc & 3) != want_type)
        return false;
    if (check_leaf(desc, walked->level, output_size(r->tcr)) != A64_FAULT_NONE)
        return false;
    uint64_t table_span = bit_range(shift + bits - 1, 0);
    uint64_t va = (walked->va_page & ~table_span) | ((uint64_t)index << shift);
    fill_leaf(r, va, desc, walked->level, walked->table_ctl, walked->leaf_table_pa, t);
    return true;
}
