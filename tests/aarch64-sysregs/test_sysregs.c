/* Unit tests of the AArch64 system register table (arch/aarch64/sysregs.c): the rights
 * of every register at EL0 and EL1, RES0/RES1 masks, the conditional EL0 rules (UCT,
 * DZE, UCI, UMA, nTWI, nTWE, CNTKCTL, FPEN, TDCC, SPSel), the flags, unknown encodings,
 * hostile ids and values, the names against GNU as/objdump, and the syndromes that
 * tests/baremetal/el0.expected shows for QEMU. argv[1]: a scratch directory for the
 * assembler files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/aarch64/sysregs.h"
#include "devices/guest_error.h"

static const char *scratch_dir = ".";

#define ID A64_SYSREG_ID

/* ---- a fake CPU ------------------------------------------------------------------------ */

struct fake_cpu {
    uint32_t nzcv, fpcr, fpsr, isr;
    uint64_t tpidr_el0, sp;
    struct a64_sys_state sys;
    struct gtimer timer;
    uint64_t now;
    struct a64_cpu_regs regs;
    int irq_level[2];
};

static uint32_t f_get_nzcv(void *c) { return ((struct fake_cpu *)c)->nzcv; }
static void f_set_nzcv(void *c, uint32_t v) { ((struct fake_cpu *)c)->nzcv = v; }
static uint32_t f_get_fpcr(void *c) { return ((struct fake_cpu *)c)->fpcr; }
static void f_set_fpcr(void *c, uint32_t v) { ((struct fake_cpu *)c)->fpcr = v; }
static uint32_t f_get_fpsr(void *c) { return ((struct fake_cpu *)c)->fpsr; }
static void f_set_fpsr(void *c, uint32_t v) { ((struct fake_cpu *)c)->fpsr = v; }
static uint64_t f_get_tpidr(void *c) { return ((struct fake_cpu *)c)->tpidr_el0; }
static void f_set_tpidr(void *c, uint64_t v) { ((struct fake_cpu *)c)->tpidr_el0 = v; }
static uint64_t f_get_sp(void *c) { return ((struct fake_cpu *)c)->sp; }
static void f_set_sp(void *c, uint64_t v) { ((struct fake_cpu *)c)->sp = v; }
static uint32_t f_get_isr(void *c) { return ((struct fake_cpu *)c)->isr; }
static uint64_t f_now(void *c) { return ((struct fake_cpu *)c)->now; }
static void f_irq(void *c, unsigned line, bool level) { ((struct fake_cpu *)c)->irq_level[line & 1] = level; }

static struct fake_cpu *fake_new(void)
{
    struct fake_cpu *f = calloc(1, sizeof *f);
    assert_non_null(f);
    gtimer_init(&f->timer, 62500000, (struct irq_line){ f_irq, f, 0 },
                (struct irq_line){ f_irq, f, 1 });
    a64_sys_state_init(&f->sys, 0, &f->timer, f_now, f);
    f->regs = (struct a64_cpu_regs){
        .sys = &f->sys, .ctx = f,
        .get_nzcv = f_get_nzcv, .set_nzcv = f_set_nzcv,
        .get_fpcr = f_get_fpcr, .set_fpcr = f_set_fpcr,
        .get_fpsr = f_get_fpsr, .set_fpsr = f_set_fpsr,
        .get_tpidr_el0 = f_get_tpidr, .set_tpidr_el0 = f_set_tpidr,
        .get_sp = f_get_sp, .set_sp = f_set_sp,
        .get_isr = f_get_isr,
    };
    /* Permissive EL0 controls unless a test says otherwise: FP on, CNTKCTL all. */
    f->sys.cpacr_el1 = 3u << 20;
    return f;
}

static int setup(void **state) { *state = fake_new(); return 0; }
static int teardown(void **state) { free(*state); return 0; }

static enum a64_sysreg_status rd(struct fake_cpu *f, uint32_t id, unsigned el, uint64_t *v,
                                 uint32_t *esr)
{
    uint64_t dummy;
    uint32_t e = 0xdeadbeef;
    enum a64_sysreg_status st = a64_sysreg_read(&f->regs, id, el, 0, v ? v : &dummy, &e);
    if (esr)
        *esr = e;
    return st;
}

static enum a64_sysreg_status wr(struct fake_cpu *f, uint32_t id, unsigned el, uint64_t v,
                                 uint32_t *effects)
{
    uint32_t e, fx;
    enum a64_sysreg_status st = a64_sysreg_write(&f->regs, id, el, 0, v, &e, &fx);
    if (effects)
        *effects = fx;
    return st;
}

static uint32_t id_by_name(const char *name)
{
    size_t n;
    const struct a64_sysreg *t = a64_sysreg_table(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return t[i].id;
    fail_msg("no register %s", name);
    return 0;
}

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return true;
    return false;
}

/* ---- the table's shape --------------------------------------------------------------- */

static void test_table_shape(void **state)
{
    size_t n;
    const struct a64_sysreg *t = a64_sysreg_table(&n);
    assert_true(n > 100);
    for (size_t i = 0; i < n; i++) {
        const struct a64_sysreg *r = &t[i];
        if (i)
            assert_true(t[i - 1].id < r->id);       /* sorted, unique: binary search */
        assert_true(r->id <= A64_SYSREG_ID_MASK);
        assert_ptr_equal(a64_sysreg_find(r->id), r);
        assert_true(r->el0 <= A64_SR_RW && r->el1 <= A64_SR_RW);
        assert_true(r->el1 != 0);                   /* EL1 can at least do something */
        assert_true((r->el0 & ~r->el1) == 0);       /* EL0 never has more than EL1 */
        assert_int_equal(r->res0 & r->res1, 0);
        if (r->storage == A64_SR_FIELD) {
            assert_true(r->offset + sizeof(uint64_t) <= sizeof(struct a64_sys_state));
            assert_int_equal(r->offset % sizeof(uint64_t), 0);
        }
        if (r->storage == A64_SR_HOOK) {
            if (r->el1 & A64_SR_R)
                assert_non_null(r->read);
            if (r->el1 & A64_SR_W)
                assert_non_null(r->write);
        }
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(t[j].name, r->name);
    }
}

/* ---- rights at EL0 and EL1 ------------------------------------------------------------ */

/* What EL0 may access at all (every other register is UNDEFINED there), and how. */
static const char *const el0_read[] = {
    "mdccsr_el0", "dbgdtr_el0", "dbgdtrrx_el0", "ctr_el0", "dczid_el0", "nzcv", "daif", "fpcr",
    "fpsr", "tpidr_el0", "tpidrro_el0", "cntfrq_el0", "cntpct_el0", "cntvct_el0",
    "cntp_tval_el0", "cntp_ctl_el0", "cntp_cval_el0", "cntv_tval_el0", "cntv_ctl_el0",
    "cntv_cval_el0", NULL,
};
static const char *const el0_write[] = {
    "dbgdtr_el0", "dbgdtrrx_el0", "nzcv", "daif", "fpcr", "fpsr", "tpidr_el0",
    "cntp_tval_el0", "cntp_ctl_el0", "cntp_cval_el0", "cntv_tval_el0", "cntv_ctl_el0",
    "cntv_cval_el0", NULL,
};
/* EL1: read-only and write-only registers (the others are read-write). */
static const char *const el1_read_only[] = {
    "mdrar_el1", "oslsr_el1", "dbgauthstatus_el1", "mdccsr_el0", "midr_el1", "mpidr_el1",
    "revidr_el1", "currentel", "rvbar_el1", "isr_el1", "ccsidr_el1", "clidr_el1", "aidr_el1",
    "ctr_el0", "dczid_el0", "cntpct_el0", "cntvct_el0", NULL,
};
static const char *const el1_write_only[] = { "oslar_el1", NULL };

static void el0_all_enabled(struct fake_cpu *f)
{
    f->sys.sctlr_el1 |= A64_SCTLR_UCT | A64_SCTLR_UMA | A64_SCTLR_DZE | A64_SCTLR_UCI;
    f->sys.cpacr_el1 = 3u << 20;
    f->sys.mdscr_el1 = 0;
    f->timer.cntkctl = 0x303;
}

static void test_rights(void **state)
{
    struct fake_cpu *f = *state;
    size_t n;
    const struct a64_sysreg *t = a64_sysreg_table(&n);
    el0_all_enabled(f);
    for (size_t i = 0; i < n; i++) {
        const struct a64_sysreg *r = &t[i];
        bool id_space = (r->id >> 7) == (ID(3, 0, 0, 0, 0) >> 7) && ((r->id >> 3) & 15) != 0;
        bool ro = id_space || in_list(r->name, el1_read_only);
        bool wo = in_list(r->name, el1_write_only);
        uint32_t esr;
        /* EL1 */
        enum a64_sysreg_status want_r = wo ? A64_SR_UNDEFINED : A64_SR_OK;
        enum a64_sysreg_status want_w = ro ? A64_SR_UNDEFINED : A64_SR_OK;
        if (rd(f, r->id, 1, NULL, &esr) != want_r)
            fail_msg("%s: EL1 read status", r->name);
        if (want_r != A64_SR_OK)
            assert_int_equal(esr, A64_ESR_UNDEFINED);
        if (strcmp(r->name, "spsel") != 0 && strcmp(r->name, "daif") != 0) {
            if (wr(f, r->id, 1, 0, NULL) != want_w)
                fail_msg("%s: EL1 write status", r->name);
        }
        /* EL0 with every control open */
        want_r = in_list(r->name, el0_read) ? A64_SR_OK : A64_SR_UNDEFINED;
        want_w = in_list(r->name, el0_write) ? A64_SR_OK : A64_SR_UNDEFINED;
        if (rd(f, r->id, 0, NULL, &esr) != want_r)
            fail_msg("%s: EL0 read status", r->name);
        if (want_r != A64_SR_OK)
            assert_int_equal(esr, A64_ESR_UNDEFINED);
        uint64_t keep = 0;
        rd(f, r->id, 1, &keep, NULL);
        if (wr(f, r->id, 0, keep, NULL) != want_w)
            fail_msg("%s: EL0 write status", r->name);
        el0_all_enabled(f);
    }
    /* the el0 lists name only table registers */
    for (const char *const *p = el0_read; *p; p++)
        id_by_name(*p);
    for (const char *const *p = el1_read_only; *p; p++)
        id_by_name(*p);
}

/* Registers Linux 6.1 reads or writes (docs/sysregs.md): all present. */
static void test_linux_registers_present(void **state)
{
    static const char *const linux_regs[] = {
        "sctlr_el1", "cpacr_el1", "tcr_el1", "ttbr0_el1", "ttbr1_el1", "mair_el1", "vbar_el1",
        "contextidr_el1", "tpidr_el1", "tpidr_el0", "tpidrro_el0", "sp_el0", "spsel",
        "currentel", "daif", "nzcv", "fpcr", "fpsr", "elr_el1", "spsr_el1", "esr_el1",
        "far_el1", "par_el1", "mdscr_el1", "oslar_el1", "oslsr_el1", "osdlr_el1",
        "mdccsr_el0", "dbgdtrrx_el0", "dbgbvr0_el1", "dbgbcr5_el1", "dbgwvr3_el1",
        "dbgwcr0_el1", "midr_el1", "mpidr_el1", "revidr_el1", "ctr_el0", "dczid_el0",
        "clidr_el1", "csselr_el1", "ccsidr_el1", "id_aa64pfr0_el1", "id_aa64pfr1_el1",
        "id_aa64zfr0_el1", "id_aa64smfr0_el1", "id_aa64dfr0_el1", "id_aa64dfr1_el1",
        "id_aa64isar0_el1", "id_aa64isar1_el1", "id_aa64isar2_el1", "id_aa64mmfr0_el1",
        "id_aa64mmfr1_el1", "id_aa64mmfr2_el1", "id_aa64afr0_el1", "id_aa64afr1_el1",
        "id_pfr0_el1", "id_pfr1_el1", "id_pfr2_el1", "id_dfr0_el1", "id_dfr1_el1",
        "id_mmfr0_el1", "id_mmfr4_el1", "id_mmfr5_el1", "id_isar0_el1", "id_isar6_el1",
        "mvfr0_el1", "mvfr1_el1", "mvfr2_el1", "cntfrq_el0", "cntpct_el0", "cntvct_el0",
        "cntkctl_el1", "cntv_ctl_el0", "cntv_cval_el0", "cntv_tval_el0", "cntp_ctl_el0",
        "cntp_cval_el0", "cntp_tval_el0", "isr_el1", "actlr_el1", "amair_el1", "afsr0_el1",
        "afsr1_el1", "mdccint_el1", "dbgprcr_el1", NULL,
    };
    for (const char *const *p = linux_regs; *p; p++)
        id_by_name(*p);
}

/* ---- unknown encodings ---------------------------------------------------------------- */

static void test_unknown_undefined(void **state)
{
    struct fake_cpu *f = *state;
    static const uint32_t absent[] = {
        ID(3, 3, 9, 12, 0),     /* pmcr_el0: no PMU (ID_AA64DFR0.PMUVer = 0) */
        ID(3, 3, 9, 14, 0),     /* pmuserenr_el0 */
        ID(3, 3, 13, 2, 3),     /* amuserenr_el0: no AMU */
        ID(3, 0, 12, 12, 5),    /* icc_sre_el1: GICv2 only */
        ID(3, 0, 4, 6, 0),      /* icc_pmr_el1 */
        ID(3, 0, 1, 2, 0),      /* zcr_el1: no SVE */
        ID(3, 0, 4, 2, 3),      /* pan: no PAN */
        ID(3, 0, 4, 2, 4),      /* uao */
        ID(3, 3, 4, 2, 5),      /* dit */
        ID(3, 3, 4, 2, 6),      /* ssbs */
        ID(3, 0, 2, 1, 0),      /* apiakeylo_el1: no PAuth */
        ID(3, 0, 1, 0, 6),      /* gcr_el1: no MTE */
        ID(3, 0, 12, 1, 1),     /* disr_el1: no RAS */
        ID(3, 0, 5, 3, 0),      /* erridr_el1 */
        ID(3, 0, 10, 4, 3),     /* lorc_el1: no LOR */
        ID(3, 4, 4, 1, 0),      /* sp_el1: EL2 only */
        ID(3, 4, 1, 1, 0),      /* hcr_el2 */
        ID(3, 4, 12, 0, 0),     /* vbar_el2 */
        ID(3, 4, 14, 0, 3),     /* cntvoff_el2 */
        ID(3, 7, 14, 2, 0),     /* cntps_tval_el1 */
        ID(3, 0, 12, 0, 2),     /* rmr_el1 */
        ID(3, 1, 15, 2, 0),     /* IMPLEMENTATION DEFINED space */
        ID(3, 0, 0, 0, 1), ID(3, 0, 0, 0, 4), ID(3, 0, 0, 0, 7),
        ID(3, 4, 4, 3, 0),      /* spsr_irq */
        ID(3, 3, 2, 4, 0),      /* rndr */
        ID(2, 0, 0, 6, 4),      /* dbgbvr6_el1: only 6 breakpoints */
        ID(2, 0, 0, 4, 6),      /* dbgwvr4_el1: only 4 watchpoints */
        ID(3, 3, 14, 0, 5),     /* cntpctss_el0 */
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        assert_null(a64_sysreg_find(absent[i]));
        for (unsigned el = 0; el < 2; el++) {
            uint32_t esr = 0;
            assert_int_equal(rd(f, absent[i], el, NULL, &esr), A64_SR_UNDEFINED);
            assert_int_equal(esr, A64_ESR_UNDEFINED);
            assert_int_equal(wr(f, absent[i], el, 0, NULL), A64_SR_UNDEFINED);
        }
    }
    /* the whole space: registers outside the table are UNDEFINED at both ELs */
    size_t found = 0, n;
    a64_sysreg_table(&n);
    for (uint32_t id = 0; id <= A64_SYSREG_ID_MASK; id++) {
        if (a64_sysreg_find(id)) {
            found++;
            continue;
        }
        for (unsigned el = 0; el < 2; el++) {
            assert_int_equal(rd(f, id, el, NULL, NULL), A64_SR_UNDEFINED);
            assert_int_equal(wr(f, id, el, ~0ull, NULL), A64_SR_UNDEFINED);
        }
    }
    assert_int_equal(found, n);
    /* EL2 and beyond do not exist */
    assert_int_equal(rd(f, A64_SR_ID_SCTLR_EL1, 2, NULL, NULL), A64_SR_UNDEFINED);
}

/* ---- masks ----------------------------------------------------------------------------- */

static uint64_t write_read(struct fake_cpu *f, const char *name, uint64_t v)
{
    uint32_t id = id_by_name(name);
    assert_int_equal(wr(f, id, 1, v, NULL), A64_SR_OK);
    uint64_t got;
    assert_int_equal(rd(f, id, 1, &got, NULL), A64_SR_OK);
    return got;
}

static void test_masks(void **state)
{
    struct fake_cpu *f = *state;
    assert_int_equal(write_read(f, "sctlr_el1", 0), 0x30d00800);
    assert_int_equal(write_read(f, "sctlr_el1", ~0ull), 0x30d00800 | 0x40dd3bf);
    assert_int_equal(write_read(f, "sctlr_el1", A64_SCTLR_M | (1ull << 25) | (1ull << 24)),
                     0x30d00801);     /* EE/E0E RES0: little-endian only */
    assert_int_equal(write_read(f, "tcr_el1", ~0ull), 0x77ffffffbfull);
    assert_int_equal(write_read(f, "tcr_el1", 0x00000035b5503510ull | (1ull << 54)),
                     0x00000035b5503510ull);  /* NFD1 (Linux's KASLR) is RES0 */
    assert_int_equal(write_read(f, "ttbr0_el1", ~0ull), ~1ull);
    assert_int_equal(write_read(f, "ttbr1_el1", 0x1234000040001001ull), 0x1234000040001000ull);
    assert_int_equal(write_read(f, "mair_el1", 0x040044ffull), 0x040044ff);
    assert_int_equal(write_read(f, "vbar_el1", ~0ull), ~0x7ffull);
    assert_int_equal(write_read(f, "cpacr_el1", ~0ull), 3u << 20);
    assert_int_equal(write_read(f, "spsr_el1", ~0ull), 0xffffffffull);
    assert_int_equal(write_read(f, "esr_el1", ~0ull), 0xffffffffull);
    assert_int_equal(write_read(f, "contextidr_el1", ~0ull), 0xffffffffull);
    assert_int_equal(write_read(f, "elr_el1", ~0ull), ~0ull);
    assert_int_equal(write_read(f, "far_el1", ~0ull), ~0ull);
    assert_int_equal(write_read(f, "par_el1", ~0ull), ~0ull);
    assert_int_equal(write_read(f, "tpidr_el1", ~0ull), ~0ull);
    assert_int_equal(write_read(f, "tpidrro_el0", ~0ull), ~0ull);
    assert_int_equal(write_read(f, "amair_el1", ~0ull), ~0ull);
    assert_int_equal(write_read(f, "actlr_el1", ~0ull), 0);
    assert_int_equal(write_read(f, "afsr0_el1", ~0ull), 0);
    assert_int_equal(write_read(f, "afsr1_el1", ~0ull), 0);
    assert_int_equal(write_read(f, "osdtrrx_el1", ~0ull), 0);
    assert_int_equal(write_read(f, "osdtrtx_el1", ~0ull), 0);
    assert_int_equal(write_read(f, "oseccr_el1", ~0ull), 0);
    assert_int_equal(write_read(f, "csselr_el1", ~0ull), 0xf);
    assert_int_equal(write_read(f, "mdscr_el1", ~0ull), 0x00e0f041);
    assert_int_equal(write_read(f, "mdccint_el1", ~0ull), 0x60000000);
    assert_int_equal(write_read(f, "osdlr_el1", ~0ull), 1);
    assert_int_equal(write_read(f, "dbgprcr_el1", ~0ull), 1);
    assert_int_equal(write_read(f, "dbgbvr0_el1", ~0ull), ~3ull);
    assert_int_equal(write_read(f, "dbgbcr5_el1", ~0ull), 0x00ffe1e7);
    assert_int_equal(write_read(f, "dbgwvr3_el1", ~0ull), ~3ull);
    assert_int_equal(write_read(f, "dbgwcr2_el1", ~0ull), 0x1f1fffff);
    assert_int_equal(write_read(f, "daif", ~0ull), 0x3c0);
    assert_int_equal(write_read(f, "spsel", ~0ull), 1);
    assert_int_equal(write_read(f, "dbgdtr_el0", ~0ull), 0);
    assert_int_equal(write_read(f, "dbgdtrrx_el0", ~0ull), 0);
    /* the translated state's registers through the callbacks, with system.adl's masks */
    assert_int_equal(write_read(f, "nzcv", ~0ull), 0xf0000000u);
    assert_int_equal(f->nzcv, 0xf0000000u);
    assert_int_equal(write_read(f, "fpcr", ~0ull), 0x07c00000u);
    assert_int_equal(f->fpcr, 0x07c00000u);
    assert_int_equal(write_read(f, "fpsr", ~0ull), 0x0800009fu);
    assert_int_equal(f->fpsr, 0x0800009fu);
    assert_int_equal(write_read(f, "tpidr_el0", 0x1122334455667788ull), 0x1122334455667788ull);
    assert_int_equal(f->tpidr_el0, 0x1122334455667788ull);
    /* CNTKCTL through the timer's own mask */
    assert_int_equal(write_read(f, "cntkctl_el1", ~0ull), GTIMER_CNTKCTL_MASK);
    assert_int_equal(f->timer.cntkctl, GTIMER_CNTKCTL_MASK);
}

/* ---- flags and effects ------------------------------------------------------------------ */

static void test_flags(void **state)
{
    struct fake_cpu *f = *state;
    static const struct { const char *name; unsigned flags; } want[] = {
        { "sctlr_el1", A64_SR_END_BLOCK | A64_SR_MMU_CHANGED | A64_SR_MODES_CHANGED },
        { "tcr_el1", A64_SR_END_BLOCK | A64_SR_MMU_CHANGED | A64_SR_MODES_CHANGED },
        { "ttbr0_el1", A64_SR_END_BLOCK | A64_SR_TABLE_CHANGED },
        { "ttbr1_el1", A64_SR_END_BLOCK | A64_SR_TABLE_CHANGED },
        { "mair_el1", A64_SR_END_BLOCK | A64_SR_MMU_CHANGED },
        { "cpacr_el1", A64_SR_END_BLOCK | A64_SR_MODES_CHANGED },
        { "mdscr_el1", A64_SR_END_BLOCK | A64_SR_MODES_CHANGED },
        { "spsel", A64_SR_END_BLOCK | A64_SR_MODES_CHANGED },
        { "cntkctl_el1", A64_SR_END_BLOCK | A64_SR_MODES_CHANGED },
        { "daif", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "cntp_tval_el0", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "cntp_ctl_el0", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "cntp_cval_el0", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "cntv_tval_el0", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "cntv_ctl_el0", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "cntv_cval_el0", A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED },
        { "nzcv", A64_SR_CPU_STATE }, { "fpcr", A64_SR_CPU_STATE },
        { "fpsr", A64_SR_CPU_STATE }, { "tpidr_el0", A64_SR_CPU_STATE },
    };
    size_t n;
    const struct a64_sysreg *t = a64_sysreg_table(&n);
    for (size_t i = 0; i < n; i++) {
        unsigned expect = 0;
        for (size_t j = 0; j < sizeof want / sizeof want[0]; j++)
            if (strcmp(want[j].name, t[i].name) == 0)
                expect = want[j].flags;
        if (t[i].flags != expect)
            fail_msg("%s: flags 0x%x, want 0x%x", t[i].name, t[i].flags, expect);
    }
    /* effects: MMU/TABLE/MODES only when the value changed; END_BLOCK and IRQ always */
    uint32_t fx;
    assert_int_equal(wr(f, A64_SR_ID_TTBR0_EL1, 1, 0x1000, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_TABLE_CHANGED);
    assert_int_equal(wr(f, A64_SR_ID_TTBR0_EL1, 1, 0x1000, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK);
    assert_int_equal(wr(f, A64_SR_ID_TTBR0_EL1, 1, 0x1001, &fx), A64_SR_OK);  /* CnP: RES0 */
    assert_int_equal(fx, A64_SR_END_BLOCK);
    assert_int_equal(wr(f, A64_SR_ID_SCTLR_EL1, 1, A64_SCTLR_M, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_MMU_CHANGED | A64_SR_MODES_CHANGED);
    assert_int_equal(wr(f, A64_SR_ID_SCTLR_EL1, 1, A64_SCTLR_M, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK);
    assert_int_equal(wr(f, A64_SR_ID_DAIF, 1, 0x3c0, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED);
    assert_int_equal(wr(f, A64_SR_ID_CNTKCTL_EL1, 1, 2, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_MODES_CHANGED);
    assert_int_equal(wr(f, A64_SR_ID_CNTKCTL_EL1, 1, 2, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK);
    assert_int_equal(wr(f, A64_SR_ID_SPSEL, 1, 1, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK);
    assert_int_equal(wr(f, A64_SR_ID_SPSEL, 1, 0, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_MODES_CHANGED);
    assert_int_equal(wr(f, A64_SR_ID_ELR_EL1, 1, 5, &fx), A64_SR_OK);
    assert_int_equal(fx, 0);
    /* a failed write has no effects */
    fx = 0xff;
    assert_int_equal(a64_sysreg_write(&f->regs, A64_SR_ID_SCTLR_EL1, 0, 0, 0, NULL, &fx),
                     A64_SR_UNDEFINED);
    assert_int_equal(fx, 0);
}

/* ---- ID registers ---------------------------------------------------------------------- */

static void test_id_registers(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    assert_int_equal(rd(f, ID(3, 0, 0, 0, 0), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x410fd083);
    assert_int_equal(rd(f, ID(3, 0, 0, 0, 5), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x80000000);
    f->sys.cpu_index = 3;
    assert_int_equal(rd(f, ID(3, 0, 0, 0, 5), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x80000003);
    assert_int_equal(rd(f, ID(3, 0, 0, 0, 6), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rd(f, A64_SR_ID_CTR_EL0, 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x9444c004);
    assert_int_equal(rd(f, A64_SR_ID_DCZID_EL0, 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 4);
    assert_int_equal(rd(f, ID(3, 1, 0, 0, 1), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x02000023);
    assert_int_equal(rd(f, ID(3, 1, 0, 0, 7), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0);
    /* CCSIDR by CSSELR: L1 D, L1 I, L2; others UNKNOWN (0) */
    static const uint64_t ccsidr[16] = { 0x701fe00a, 0x201fe012, 0x707fe07a };
    for (unsigned sel = 0; sel < 16; sel++) {
        assert_int_equal(wr(f, ID(3, 2, 0, 0, 0), 1, sel, NULL), A64_SR_OK);
        assert_int_equal(rd(f, ID(3, 1, 0, 0, 0), 1, &v, NULL), A64_SR_OK);
        assert_int_equal(v, ccsidr[sel]);
        /* 64-byte lines everywhere there is a cache, as CTR_EL0 says */
        if (v)
            assert_int_equal(v & 7, 2);
    }
    /* the ID space: four non-zero registers, the other 52 RAZ; UNDEFINED at EL0 */
    for (unsigned crm = 1; crm < 8; crm++) {
        for (unsigned op2 = 0; op2 < 8; op2++) {
            uint32_t id = ID(3, 0, 0, crm, op2);
            uint64_t want = 0;
            if (crm == 4 && op2 == 0) want = 0x11;
            if (crm == 5 && op2 == 0) want = 0x10305006;
            if (crm == 6 && op2 == 0) want = 0x210000;
            if (crm == 7 && op2 == 0) want = 0x0f000024;
            assert_int_equal(rd(f, id, 1, &v, NULL), A64_SR_OK);
            assert_int_equal(v, want);
            assert_int_equal(a64_id_reg_value(id), want);
            uint32_t esr;
            assert_int_equal(rd(f, id, 0, &v, &esr), A64_SR_UNDEFINED);
            assert_int_equal(esr, 0x02000000);
            assert_int_equal(wr(f, id, 1, 0, NULL), A64_SR_UNDEFINED);
        }
    }
    assert_int_equal(a64_id_reg_value(A64_SR_ID_SCTLR_EL1), 0);
    /* the fields the brief fixes, decoded */
    uint64_t pfr0 = A64_ID_AA64PFR0_VALUE, dfr0 = A64_ID_AA64DFR0_VALUE;
    uint64_t isar0 = A64_ID_AA64ISAR0_VALUE, mmfr0 = A64_ID_AA64MMFR0_VALUE;
    assert_int_equal(pfr0 & 0xf, 1);                 /* EL0 AArch64 only */
    assert_int_equal((pfr0 >> 4) & 0xf, 1);          /* EL1 AArch64 only */
    assert_int_equal((pfr0 >> 8) & 0xff, 0);         /* no EL2, EL3 */
    assert_int_equal((pfr0 >> 16) & 0xff, 0);        /* FP, AdvSIMD implemented */
    assert_int_equal((pfr0 >> 24) & 0xf, 0);         /* no GIC system registers */
    assert_int_equal((pfr0 >> 32) & 0xf, 0);         /* no SVE */
    assert_int_equal((dfr0 >> 8) & 0xf, 0);          /* no PMU */
    assert_int_equal(((dfr0 >> 12) & 0xf) + 1, A64_NUM_BRPS);
    assert_int_equal(((dfr0 >> 20) & 0xf) + 1, A64_NUM_WRPS);
    assert_int_equal((isar0 >> 16) & 0xf, 1);        /* CRC32 */
    assert_int_equal((isar0 >> 20) & 0xf, 2);        /* LSE atomics */
    assert_int_equal(mmfr0 & 0xf, 4);                /* 44-bit PA */
    assert_int_equal((mmfr0 >> 4) & 0xf, 2);         /* 16-bit ASIDs */
    assert_int_equal((mmfr0 >> 20) & 0xf, 0);        /* no 16 KB granule (TGran16 = 0) */
    assert_int_equal((mmfr0 >> 24) & 0xf, 0xf);      /* no 64 KB granule */
    assert_int_equal((mmfr0 >> 28) & 0xf, 0);        /* 4 KB granule */
}

/* ---- the conditional EL0 rules ---------------------------------------------------------- */

static void test_uct(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    uint32_t esr;
    f->sys.sctlr_el1 &= ~A64_SCTLR_UCT;
    assert_int_equal(a64_sysreg_read(&f->regs, A64_SR_ID_CTR_EL0, 0, 5, &v, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x6232c0a1);                      /* el0.expected test 12 */
    assert_int_equal(rd(f, A64_SR_ID_CTR_EL0, 1, &v, NULL), A64_SR_OK);
    f->sys.sctlr_el1 |= A64_SCTLR_UCT;
    assert_int_equal(rd(f, A64_SR_ID_CTR_EL0, 0, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x9444c004);
    assert_int_equal(wr(f, A64_SR_ID_CTR_EL0, 0, 0, NULL), A64_SR_UNDEFINED);
}

static void test_dze(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    uint32_t esr;
    f->sys.sctlr_el1 &= ~A64_SCTLR_DZE;
    assert_int_equal(rd(f, A64_SR_ID_DCZID_EL0, 0, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x14);                              /* DZP=1: el0.expected test 14 */
    assert_int_equal(rd(f, A64_SR_ID_DCZID_EL0, 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 4);
    assert_int_equal(a64_sys_insn_check(&f->regs, A64_SYS_OP(3, 7, 4, 1), 0, 0, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x6212dc08);                      /* test 15 */
    assert_int_equal(a64_sys_insn_check(&f->regs, A64_SYS_OP(3, 7, 4, 1), 1, 0, &esr), A64_SR_OK);
    f->sys.sctlr_el1 |= A64_SCTLR_DZE;
    assert_int_equal(rd(f, A64_SR_ID_DCZID_EL0, 0, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 4);                                 /* test 16 */
    assert_int_equal(a64_sys_insn_check(&f->regs, A64_SYS_OP(3, 7, 4, 1), 0, 0, &esr), A64_SR_OK);
}

static void test_uci(void **state)
{
    struct fake_cpu *f = *state;
    uint32_t esr;
    static const struct { uint32_t op; uint32_t esr_x0; } ops[] = {
        { A64_SYS_OP(3, 7, 5, 1), 0x6212dc0a },     /* IC IVAU: el0.expected test 18 */
        { A64_SYS_OP(3, 7, 11, 1), 0x6212dc16 },    /* DC CVAU: test 19 */
        { A64_SYS_OP(3, 7, 10, 1), 0x6212dc14 },    /* DC CVAC */
        { A64_SYS_OP(3, 7, 14, 1), 0x6212dc1c },    /* DC CIVAC */
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        f->sys.sctlr_el1 &= ~A64_SCTLR_UCI;
        assert_int_equal(a64_sys_insn_check(&f->regs, ops[i].op, 0, 0, &esr), A64_SR_TRAP);
        assert_int_equal(esr, ops[i].esr_x0);
        assert_int_equal(a64_sys_insn_check(&f->regs, ops[i].op, 0, 7, &esr), A64_SR_TRAP);
        assert_int_equal(esr, ops[i].esr_x0 | 7u << 5);
        assert_int_equal(a64_sys_insn_check(&f->regs, ops[i].op, 1, 0, &esr), A64_SR_OK);
        f->sys.sctlr_el1 |= A64_SCTLR_UCI;
        assert_int_equal(a64_sys_insn_check(&f->regs, ops[i].op, 0, 0, &esr), A64_SR_OK);
    }
    /* DC IVAC, set/way, IC IALLU(IS), AT, TLBI: EL1 only, UNDEFINED at EL0 whatever SCTLR */
    f->sys.sctlr_el1 |= A64_SCTLR_UCI | A64_SCTLR_DZE;
    static const uint32_t el1_only[] = {
        A64_SYS_OP(0, 7, 6, 1), A64_SYS_OP(0, 7, 6, 2), A64_SYS_OP(0, 7, 10, 2),
        A64_SYS_OP(0, 7, 14, 2), A64_SYS_OP(0, 7, 1, 0), A64_SYS_OP(0, 7, 5, 0),
        A64_SYS_OP(0, 7, 8, 0), A64_SYS_OP(0, 7, 8, 1), A64_SYS_OP(0, 7, 8, 2),
        A64_SYS_OP(0, 7, 8, 3),
        A64_SYS_OP(0, 8, 3, 0), A64_SYS_OP(0, 8, 3, 1), A64_SYS_OP(0, 8, 3, 2),
        A64_SYS_OP(0, 8, 3, 3), A64_SYS_OP(0, 8, 3, 5), A64_SYS_OP(0, 8, 3, 7),
        A64_SYS_OP(0, 8, 7, 0), A64_SYS_OP(0, 8, 7, 1), A64_SYS_OP(0, 8, 7, 2),
        A64_SYS_OP(0, 8, 7, 3), A64_SYS_OP(0, 8, 7, 5), A64_SYS_OP(0, 8, 7, 7),
    };
    for (size_t i = 0; i < sizeof el1_only / sizeof el1_only[0]; i++) {
        assert_non_null(a64_sys_insn_find(el1_only[i]));
        assert_int_equal(a64_sys_insn_check(&f->regs, el1_only[i], 1, 0, &esr), A64_SR_OK);
        assert_int_equal(a64_sys_insn_check(&f->regs, el1_only[i], 0, 0, &esr), A64_SR_UNDEFINED);
        assert_int_equal(esr, 0x02000000);
    }
    /* not in ARMv8.0 (DC CVAP/CVADP, AT S1E1RP, TLBI range/OS, EL2 forms): UNDEFINED */
    static const uint32_t absent[] = {
        A64_SYS_OP(3, 7, 12, 1), A64_SYS_OP(3, 7, 13, 1), A64_SYS_OP(0, 7, 9, 0),
        A64_SYS_OP(0, 8, 1, 0), A64_SYS_OP(0, 8, 2, 1), A64_SYS_OP(4, 8, 7, 0),
        A64_SYS_OP(4, 7, 8, 0), A64_SYS_OP(3, 7, 4, 3), A64_SYS_OP(0, 7, 6, 3),
    };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        assert_null(a64_sys_insn_find(absent[i]));
        assert_int_equal(a64_sys_insn_check(&f->regs, absent[i], 1, 0, &esr), A64_SR_UNDEFINED);
        assert_int_equal(a64_sys_insn_check(&f->regs, absent[i], 0, 0, &esr), A64_SR_UNDEFINED);
    }
}

static void test_uma(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    uint32_t esr, fx;
    f->sys.sctlr_el1 &= ~A64_SCTLR_UMA;
    f->sys.daif = 0;
    assert_int_equal(a64_sysreg_read(&f->regs, A64_SR_ID_DAIF, 0, 7, &v, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x6232d0e5);                      /* el0.expected test 31 */
    assert_int_equal(a64_sysreg_write(&f->regs, A64_SR_ID_DAIF, 0, 7, 0x3c0, &esr, &fx), A64_SR_TRAP);
    assert_int_equal(esr, 0x6232d0e4);
    assert_int_equal(fx, 0);
    assert_int_equal(f->sys.daif, 0);
    /* MSR DAIFSet, #2: architecturally Op1=3 Op2=6; QEMU 7.2 swaps those two fields,
     * which is why el0.expected (test 30) prints the ESR with them masked. */
    assert_int_equal(a64_msr_imm(&f->regs, 3, 6, 2, 0, &esr, &fx), A64_SR_TRAP);
    assert_int_equal(esr & ~0x1fc000u, 0x620013e4);
    assert_int_equal(esr, 0x620cd3e4);
    assert_int_equal(a64_msr_imm(&f->regs, 3, 7, 2, 0, &esr, &fx), A64_SR_TRAP);
    assert_int_equal(esr, 0x620ed3e4);
    assert_int_equal(f->sys.daif, 0);
    f->sys.sctlr_el1 |= A64_SCTLR_UMA;
    assert_int_equal(a64_msr_imm(&f->regs, 3, 6, 2, 0, &esr, &fx), A64_SR_OK);  /* test 32 */
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED);
    assert_int_equal(f->sys.daif, 0x80);
    assert_int_equal(rd(f, A64_SR_ID_DAIF, 0, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x80);                              /* test 33 */
    assert_int_equal(a64_msr_imm(&f->regs, 3, 6, 0xf, 1, &esr, &fx), A64_SR_OK);
    assert_int_equal(f->sys.daif, 0x3c0);
    assert_int_equal(a64_msr_imm(&f->regs, 3, 7, 0x5, 1, &esr, &fx), A64_SR_OK);
    assert_int_equal(f->sys.daif, 0x280);                   /* A and F cleared */
    assert_int_equal(wr(f, A64_SR_ID_DAIF, 0, 0x40, NULL), A64_SR_OK);
    assert_int_equal(f->sys.daif, 0x40);
}

static void test_wfx(void **state)
{
    struct fake_cpu *f = *state;
    uint32_t esr;
    f->sys.sctlr_el1 &= ~(A64_SCTLR_NTWI | A64_SCTLR_NTWE);
    assert_int_equal(a64_wfx_check(&f->sys, 0, false, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x07e00000);                      /* el0.expected test 29 */
    assert_int_equal(a64_wfx_check(&f->sys, 0, true, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x07e00001);                      /* TI = 1: WFE */
    assert_int_equal(a64_wfx_check(&f->sys, 1, false, &esr), A64_SR_OK);
    assert_int_equal(a64_wfx_check(&f->sys, 1, true, &esr), A64_SR_OK);
    f->sys.sctlr_el1 |= A64_SCTLR_NTWI;
    assert_int_equal(a64_wfx_check(&f->sys, 0, false, &esr), A64_SR_OK);
    assert_int_equal(a64_wfx_check(&f->sys, 0, true, &esr), A64_SR_TRAP);
    f->sys.sctlr_el1 |= A64_SCTLR_NTWE;
    f->sys.sctlr_el1 &= ~A64_SCTLR_NTWI;
    assert_int_equal(a64_wfx_check(&f->sys, 0, false, &esr), A64_SR_TRAP);
    assert_int_equal(a64_wfx_check(&f->sys, 0, true, &esr), A64_SR_OK);
    assert_int_equal(a64_wfx_check(&f->sys, 2, true, &esr), A64_SR_UNDEFINED);
}

/* Every timer register at EL0 under each CNTKCTL_EL1 bit. */
static void test_cntkctl(void **state)
{
    struct fake_cpu *f = *state;
    static const struct { const char *name; unsigned allow_r, allow_w; } regs[] = {
        /* bits that allow the access: EL0PCTEN 1, EL0VCTEN 2, EL0VTEN 0x100, EL0PTEN 0x200 */
        { "cntfrq_el0", 0x003, 0 },
        { "cntpct_el0", 0x001, 0 },
        { "cntvct_el0", 0x002, 0 },
        { "cntp_tval_el0", 0x200, 0x200 }, { "cntp_ctl_el0", 0x200, 0x200 },
        { "cntp_cval_el0", 0x200, 0x200 },
        { "cntv_tval_el0", 0x100, 0x100 }, { "cntv_ctl_el0", 0x100, 0x100 },
        { "cntv_cval_el0", 0x100, 0x100 },
    };
    static const unsigned bits[] = { 0, 1, 2, 0x100, 0x200, 0x303 };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint32_t id = id_by_name(regs[i].name);
        const struct a64_sysreg *r = a64_sysreg_find(id);
        for (size_t b = 0; b < sizeof bits / sizeof bits[0]; b++) {
            f->timer.cntkctl = bits[b];
            uint64_t v;
            uint32_t esr;
            bool ok_r = (bits[b] & regs[i].allow_r) != 0;
            /* CNTFRQ needs either counter bit; the others their own */
            enum a64_sysreg_status st = a64_sysreg_read(&f->regs, id, 0, 6, &v, &esr);
            assert_int_equal(st, ok_r ? A64_SR_OK : A64_SR_TRAP);
            if (!ok_r)
                assert_int_equal(esr, a64_sysreg_trap_esr(3, 3, 14, (id >> 3) & 15, id & 7, 6, true));
            uint32_t fx;
            st = a64_sysreg_write(&f->regs, id, 0, 6, 0, &esr, &fx);
            if (!(r->el0 & A64_SR_W))
                assert_int_equal(st, A64_SR_UNDEFINED);
            else
                assert_int_equal(st, (bits[b] & regs[i].allow_w) ? A64_SR_OK : A64_SR_TRAP);
            /* EL1 always */
            assert_int_equal(a64_sysreg_read(&f->regs, id, 1, 6, &v, &esr), A64_SR_OK);
        }
    }
    /* the ESRs el0.expected shows (tests 22, 23, 24) */
    uint64_t v;
    uint32_t esr;
    f->timer.cntkctl = 0;
    assert_int_equal(a64_sysreg_read(&f->regs, id_by_name("cntvct_el0"), 0, 6, &v, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x6234f8c1);
    assert_int_equal(a64_sysreg_read(&f->regs, id_by_name("cntpct_el0"), 0, 6, &v, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x6232f8c1);
    assert_int_equal(a64_sysreg_read(&f->regs, id_by_name("cntfrq_el0"), 0, 6, &v, &esr), A64_SR_TRAP);
    assert_int_equal(esr, 0x6230f8c1);
    /* CNTKCTL_EL1 itself is EL1 only */
    assert_int_equal(rd(f, A64_SR_ID_CNTKCTL_EL1, 0, NULL, &esr), A64_SR_UNDEFINED);
}

static void test_timer_values(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    f->now = 1000;
    assert_int_equal(rd(f, id_by_name("cntpct_el0"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 1000);
    assert_int_equal(rd(f, id_by_name("cntvct_el0"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 1000);
    assert_int_equal(rd(f, id_by_name("cntfrq_el0"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 62500000);
    assert_int_equal(wr(f, id_by_name("cntpct_el0"), 1, 5, NULL), A64_SR_UNDEFINED);
    /* the virtual timer fires through the timer model */
    assert_int_equal(wr(f, id_by_name("cntv_cval_el0"), 1, 1500, NULL), A64_SR_OK);
    assert_int_equal(wr(f, id_by_name("cntv_ctl_el0"), 1, 1, NULL), A64_SR_OK);
    assert_int_equal(f->irq_level[1], 0);
    assert_int_equal(rd(f, id_by_name("cntv_tval_el0"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 500);
    f->now = 1500;
    assert_int_equal(rd(f, id_by_name("cntv_ctl_el0"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 5);                                 /* ISTATUS */
    assert_int_equal(wr(f, id_by_name("cntv_tval_el0"), 1, 100, NULL), A64_SR_OK);
    assert_int_equal(f->timer.virt.cval, 1600);
    assert_int_equal(wr(f, id_by_name("cntp_tval_el0"), 1, 10, NULL), A64_SR_OK);
    assert_int_equal(wr(f, id_by_name("cntp_ctl_el0"), 1, 1, NULL), A64_SR_OK);
    f->now = 1510;
    assert_int_equal(wr(f, id_by_name("cntp_ctl_el0"), 1, 1, NULL), A64_SR_OK);
    assert_int_equal(f->irq_level[0], 1);
    /* CNTFRQ is writable at EL1, the highest EL */
    assert_int_equal(wr(f, id_by_name("cntfrq_el0"), 1, 1000000, NULL), A64_SR_OK);
    assert_int_equal(f->timer.cntfrq, 1000000);
    /* without a timer: zeros, writes ignored, EL0 traps */
    f->sys.timer = NULL;
    assert_int_equal(rd(f, id_by_name("cntvct_el0"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0);
    assert_int_equal(wr(f, id_by_name("cntv_ctl_el0"), 1, 1, NULL), A64_SR_OK);
    assert_int_equal(wr(f, A64_SR_ID_CNTKCTL_EL1, 1, 3, NULL), A64_SR_OK);
    assert_int_equal(rd(f, id_by_name("cntvct_el0"), 0, &v, NULL), A64_SR_TRAP);
}

static void test_fpen(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    uint32_t esr;
    for (unsigned fpen = 0; fpen < 4; fpen++) {
        assert_int_equal(wr(f, A64_SR_ID_CPACR_EL1, 1, (uint64_t)fpen << 20, NULL), A64_SR_OK);
        for (unsigned el = 0; el < 2; el++) {
            bool ok = fpen == 3 || (fpen == 1 && el == 1);
            for (int reg = 0; reg < 2; reg++) {
                uint32_t id = reg ? A64_SR_ID_FPSR : A64_SR_ID_FPCR;
                assert_int_equal(rd(f, id, el, &v, &esr), ok ? A64_SR_OK : A64_SR_TRAP);
                if (!ok)
                    assert_int_equal(esr, 0x1fe00000);      /* EC 0x07, IL, CV, COND=0xe */
                assert_int_equal(wr(f, id, el, 0, NULL), ok ? A64_SR_OK : A64_SR_TRAP);
            }
            /* NZCV and TPIDR_EL0 do not depend on FPEN */
            assert_int_equal(rd(f, A64_SR_ID_NZCV, el, &v, &esr), A64_SR_OK);
            assert_int_equal(rd(f, A64_SR_ID_TPIDR_EL0, el, &v, &esr), A64_SR_OK);
        }
    }
}

static void test_tdcc(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    uint32_t esr;
    static const uint32_t dcc[] = { ID(2, 3, 0, 1, 0), ID(2, 3, 0, 4, 0), ID(2, 3, 0, 5, 0) };
    for (size_t i = 0; i < 3; i++) {
        f->sys.mdscr_el1 = A64_MDSCR_TDCC;
        assert_int_equal(a64_sysreg_read(&f->regs, dcc[i], 0, 3, &v, &esr), A64_SR_TRAP);
        assert_int_equal(esr, a64_sysreg_trap_esr(2, 3, 0, (dcc[i] >> 3) & 15, 0, 3, true));
        assert_int_equal(rd(f, dcc[i], 1, &v, NULL), A64_SR_OK);
        assert_int_equal(v, 0);                 /* MDCCSR: TXfull = RXfull = 0 */
        f->sys.mdscr_el1 = 0;
        assert_int_equal(rd(f, dcc[i], 0, &v, NULL), A64_SR_OK);
    }
    /* Linux's __cpu_setup value: TDCC set */
    assert_int_equal(write_read(f, "mdscr_el1", 1u << 12), 1u << 12);
    assert_int_equal(rd(f, ID(2, 3, 0, 5, 0), 0, &v, NULL), A64_SR_TRAP);
}

/* ---- PSTATE registers and the SP banks ---------------------------------------------------- */

static void test_sp_banks(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    uint32_t esr, fx;
    /* reset: EL1h */
    assert_int_equal(f->sys.el, 1);
    assert_int_equal(f->sys.spsel, 1);
    f->sp = 0x8000;                         /* SP_EL1 */
    assert_int_equal(wr(f, A64_SR_ID_SP_EL0, 1, 0x4000, NULL), A64_SR_OK);
    assert_int_equal(f->sys.sp_el0, 0x4000);
    assert_int_equal(rd(f, A64_SR_ID_SP_EL0, 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x4000);
    /* ERET to EL0: SP becomes SP_EL0 */
    a64_sys_switch_sp(&f->regs, 0, 1);
    assert_int_equal(f->sp, 0x4000);
    assert_int_equal(f->sys.sp_el1, 0x8000);
    f->sp = 0x4100;
    assert_int_equal(rd(f, A64_SR_ID_SP_EL0, 0, &v, &esr), A64_SR_UNDEFINED);
    assert_int_equal(rd(f, A64_SR_ID_CURRENTEL, 0, &v, &esr), A64_SR_UNDEFINED);   /* test 9 */
    assert_int_equal(esr, 0x02000000);
    assert_int_equal(a64_msr_imm(&f->regs, 0, 5, 0, 0, &esr, &fx), A64_SR_UNDEFINED); /* test 10 */
    assert_int_equal(esr, 0x02000000);
    assert_int_equal(wr(f, A64_SR_ID_SPSEL, 0, 0, NULL), A64_SR_UNDEFINED);
    /* exception to EL1h */
    a64_sys_switch_sp(&f->regs, 1, 1);
    assert_int_equal(f->sp, 0x8000);
    assert_int_equal(f->sys.sp_el0, 0x4100);
    assert_int_equal(rd(f, A64_SR_ID_CURRENTEL, 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 4);
    /* MSR SPSel, #0: EL1t; SP_EL0 is then current and MRS SP_EL0 UNDEFINED */
    assert_int_equal(a64_msr_imm(&f->regs, 0, 5, 0, 1, &esr, &fx), A64_SR_OK);
    assert_int_equal(fx, A64_SR_END_BLOCK | A64_SR_MODES_CHANGED);
    assert_int_equal(f->sp, 0x4100);
    assert_int_equal(f->sys.sp_el1, 0x8000);
    assert_int_equal(rd(f, A64_SR_ID_SP_EL0, 1, &v, &esr), A64_SR_UNDEFINED);
    assert_int_equal(wr(f, A64_SR_ID_SP_EL0, 1, 0, NULL), A64_SR_UNDEFINED);
    assert_int_equal(rd(f, A64_SR_ID_SPSEL, 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0);
    /* MSR SPSel, x0 back to EL1h */
    f->sp = 0x4200;
    assert_int_equal(wr(f, A64_SR_ID_SPSEL, 1, 1, &fx), A64_SR_OK);
    assert_int_equal(f->sp, 0x8000);
    assert_int_equal(f->sys.sp_el0, 0x4200);
    /* exception from EL1t to EL1h and back keeps both */
    a64_sys_switch_sp(&f->regs, 1, 0);
    assert_int_equal(f->sp, 0x4200);
    a64_sys_switch_sp(&f->regs, 1, 0);
    assert_int_equal(f->sp, 0x4200);
    /* the other MSR immediates of later architecture versions */
    static const unsigned imm_absent[][2] = { { 0, 3 }, { 0, 4 }, { 3, 1 }, { 3, 2 }, { 3, 4 },
                                              { 0, 0 }, { 0, 1 }, { 0, 2 }, { 1, 0 }, { 4, 5 } };
    for (size_t i = 0; i < sizeof imm_absent / sizeof imm_absent[0]; i++)
        for (unsigned el = 0; el < 2; el++)
            assert_int_equal(a64_msr_imm(&f->regs, imm_absent[i][0], imm_absent[i][1], 1, el,
                                         &esr, &fx), A64_SR_UNDEFINED);
}

static void test_misc_hooks(void **state)
{
    struct fake_cpu *f = *state;
    uint64_t v;
    f->isr = 0x1c0 | 0x3f;
    assert_int_equal(rd(f, id_by_name("isr_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x1c0);
    /* the OS lock: set at reset, cleared through OSLAR as Linux does */
    assert_int_equal(rd(f, id_by_name("oslsr_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0xa);
    assert_int_equal(wr(f, id_by_name("oslar_el1"), 1, 0, NULL), A64_SR_OK);
    assert_int_equal(rd(f, id_by_name("oslsr_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x8);
    assert_int_equal(wr(f, id_by_name("oslar_el1"), 1, 1, NULL), A64_SR_OK);
    assert_int_equal(rd(f, id_by_name("oslsr_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0xa);
    /* claim tags */
    assert_int_equal(rd(f, id_by_name("dbgclaimset_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0xff);
    assert_int_equal(wr(f, id_by_name("dbgclaimset_el1"), 1, 0x105, NULL), A64_SR_OK);
    assert_int_equal(rd(f, id_by_name("dbgclaimclr_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x05);
    assert_int_equal(wr(f, id_by_name("dbgclaimclr_el1"), 1, 0x4, NULL), A64_SR_OK);
    assert_int_equal(rd(f, id_by_name("dbgclaimclr_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0x01);
    assert_int_equal(rd(f, id_by_name("dbgauthstatus_el1"), 1, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0xf);
    /* NULL callbacks: zero, writes ignored */
    struct a64_cpu_regs bare = { .sys = &f->sys };
    assert_int_equal(a64_sysreg_read(&bare, A64_SR_ID_NZCV, 1, 0, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0);
    assert_int_equal(a64_sysreg_write(&bare, A64_SR_ID_TPIDR_EL0, 1, 0, 5, NULL, NULL), A64_SR_OK);
    assert_int_equal(a64_sysreg_read(&bare, id_by_name("isr_el1"), 1, 0, &v, NULL), A64_SR_OK);
    assert_int_equal(v, 0);
    a64_sys_switch_sp(&bare, 0, 0);
    /* reset state */
    struct a64_sys_state s;
    a64_sys_state_init(&s, 2, NULL, NULL, NULL);
    assert_int_equal(s.sctlr_el1, 0x30d00800 | 0x18 | (1u << 16) | (1u << 18));
    assert_int_equal(s.daif, 0x3c0);
    assert_int_equal(s.cpu_index, 2);
    /* an EL0 trap of TPIDRRO_EL0 write is UNDEFINED (read-only at EL0) */
    assert_int_equal(wr(f, id_by_name("tpidrro_el0"), 0, 1, NULL), A64_SR_UNDEFINED);
    assert_int_equal(rd(f, id_by_name("tpidrro_el0"), 0, &v, NULL), A64_SR_OK);
    /* the EL0 UNDEFINED cases of el0.expected: MRS SCTLR_EL1, MSR VBAR_EL1 (tests 6, 7) */
    uint32_t esr;
    assert_int_equal(rd(f, A64_SR_ID_SCTLR_EL1, 0, &v, &esr), A64_SR_UNDEFINED);
    assert_int_equal(esr, 0x02000000);
    assert_int_equal(a64_sysreg_write(&f->regs, A64_SR_ID_VBAR_EL1, 0, 0, 0, &esr, NULL),
                     A64_SR_UNDEFINED);
    assert_int_equal(esr, 0x02000000);
}

/* ---- hostile inputs ----------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_hostile(void **state)
{
    struct fake_cpu *f = *state;
    for (int i = 0; i < 300000; i++) {
        uint32_t id = (uint32_t)rnd();
        if (i & 1)
            id &= A64_SYSREG_ID_MASK;
        if ((i & 7) == 2) {             /* mostly table registers */
            size_t n;
            const struct a64_sysreg *t = a64_sysreg_table(&n);
            id = t[rnd() % n].id;
        }
        unsigned el = (unsigned)(rnd() % 4);
        unsigned rt = (unsigned)rnd();
        uint64_t v = rnd(), got = 0;
        uint32_t esr = 0, fx = 0;
        enum a64_sysreg_status st;
        if (rnd() & 1) {
            st = a64_sysreg_write(&f->regs, id, el, rt, v, &esr, &fx);
        } else {
            st = a64_sysreg_read(&f->regs, id, el, rt, &got, &esr);
        }
        assert_true(st == A64_SR_OK || st == A64_SR_UNDEFINED || st == A64_SR_TRAP);
        if (st == A64_SR_UNDEFINED)
            assert_int_equal(esr, 0x02000000);
        if (st == A64_SR_TRAP)
            assert_true((esr >> 26) == 0x18 || (esr >> 26) == 0x07);
        if (el > 1)
            assert_int_equal(st, A64_SR_UNDEFINED);
        assert_int_equal(fx & ~0x1fu, 0);     /* only the A64_SR_* effect bits */
        /* the other entry points */
        a64_msr_imm(&f->regs, (unsigned)rnd(), (unsigned)rnd(), (unsigned)rnd(), el, &esr, &fx);
        a64_sys_insn_check(&f->regs, (uint32_t)rnd() & ((i & 1) ? 0x3fff : ~0u), el, rt, &esr);
        a64_wfx_check(&f->sys, el, rnd() & 1, &esr);
        const char *name = a64_sysreg_table_name_dir(id, rnd() & 1);
        assert_true(strlen(name) > 0 && strlen(name) < 20);
        char small[(i % 7) + 1];
        size_t len = a64_sysreg_format_name(id, false, small, sizeof small);
        assert_true(strlen(small) < sizeof small);
        assert_true(len >= strlen(small));
        /* keep the CPU able to reach everything again */
        if ((i & 1023) == 0) {
            el0_all_enabled(f);
            f->sys.spsel = 1;
        }
    }
    /* and NULL pointers for the optional outputs */
    assert_int_equal(a64_sysreg_read(&f->regs, 0x7fff, 1, 0, NULL, NULL), A64_SR_UNDEFINED);
    assert_int_equal(a64_sysreg_read(NULL, A64_SR_ID_SCTLR_EL1, 1, 0, NULL, NULL), A64_SR_UNDEFINED);
    assert_int_equal(a64_sysreg_write(NULL, A64_SR_ID_SCTLR_EL1, 1, 0, 0, NULL, NULL), A64_SR_UNDEFINED);
    assert_int_equal(a64_wfx_check(NULL, 0, false, NULL), A64_SR_UNDEFINED);
}

/* ---- names ------------------------------------------------------------------------------ */

static void test_generic_names(void **state)
{
    assert_string_equal(a64_sysreg_table_name(ID(3, 1, 15, 2, 0)), "s3_1_c15_c2_0");
    assert_string_equal(a64_sysreg_table_name(ID(2, 4, 0, 0, 0)), "s2_4_c0_c0_0");
    assert_string_equal(a64_sysreg_table_name(ID(3, 7, 15, 15, 7)), "s3_7_c15_c15_7");
    assert_string_equal(a64_sysreg_table_name(A64_SR_ID_SCTLR_EL1), "sctlr_el1");
    assert_string_equal(a64_sysreg_table_name_dir(ID(2, 3, 0, 5, 0), false), "dbgdtrrx_el0");
    assert_string_equal(a64_sysreg_table_name_dir(ID(2, 3, 0, 5, 0), true), "dbgdtrtx_el0");
    char buf[8];
    assert_int_equal(a64_sysreg_format_name(ID(3, 1, 15, 2, 0), false, buf, sizeof buf), 13);
    assert_string_equal(buf, "s3_1_c1");
    assert_int_equal(a64_sysreg_format_name(A64_SR_ID_SCTLR_EL1, false, buf, 0), 9);
    /* names of ids in the ring stay valid for the next 15 calls */
    const char *first = a64_sysreg_table_name(ID(3, 1, 15, 2, 0));
    for (int i = 0; i < 15; i++)
        a64_sysreg_table_name(ID(3, 1, 15, 2, 1));
    assert_string_equal(first, "s3_1_c15_c2_0");
}

static bool have_tool(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Assembles `lines`, disassembles, returns the objdump text (caller frees). */
static char *objdump_of(const char *stem, const char *lines)
{
    char src[512], obj[512], dis[512], cmd[4096];
    snprintf(src, sizeof src, "%s/%s.s", scratch_dir, stem);
    snprintf(obj, sizeof obj, "%s/%s.o", scratch_dir, stem);
    snprintf(dis, sizeof dis, "%s/%s.dis", scratch_dir, stem);  /* not .d: make reads those */
    FILE *fp = fopen(src, "w");
    assert_non_null(fp);
    fputs(lines, fp);
    fclose(fp);
    snprintf(cmd, sizeof cmd, "aarch64-linux-gnu-as -o %s %s && aarch64-linux-gnu-objdump -d %s > %s",
             obj, src, obj, dis);
    if (system(cmd) != 0)
        fail_msg("assembling %s failed", src);
    fp = fopen(dis, "r");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, fp), (size_t)size);
    text[size] = '\0';
    fclose(fp);
    return text;
}

/* The disassembly lines ("mrs\tx0, sctlr_el1") in order. */
static size_t insn_lines(char *text, char **out, size_t max)
{
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n")) {
        /* "   4:\td5381000 \tmrs\tx0, sctlr_el1" */
        char *colon = strstr(line, ":\t");
        if (!colon)
            continue;
        char *tab = strchr(colon + 2, '\t');
        if (!tab)
            continue;
        out[n++] = tab + 1;
    }
    return n;
}

static void test_names_vs_objdump(void **state)
{
    if (!have_tool("aarch64-linux-gnu-as") || !have_tool("aarch64-linux-gnu-objdump"))
        skip();
    size_t n;
    const struct a64_sysreg *t = a64_sysreg_table(&n);
    /* 1. every table name assembles in the directions its EL1 rights allow (gas refuses
     *    MSR of read-only and MRS of write-only registers) and disassembles to itself */
    size_t cap = n * 64 + 1;
    char *src = calloc(1, cap), *at = src;
    /* names of later extensions' ID registers need an architecture that has them */
    at += sprintf(at, ".arch armv9-a+sme\n");
    char (*want)[64] = calloc(2 * n, sizeof *want);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].el1 & A64_SR_R) {
            at += sprintf(at, "mrs x0, %s\n", t[i].name);
            snprintf(want[count++], 64, "mrs\tx0, %s", a64_sysreg_table_name_dir(t[i].id, false));
        }
        if (t[i].el1 & A64_SR_W) {
            at += sprintf(at, "msr %s, x1\n", t[i].write_name ? t[i].write_name : t[i].name);
            snprintf(want[count++], 64, "msr\t%s, x1", a64_sysreg_table_name_dir(t[i].id, true));
        }
    }
    char *text = objdump_of("names", src);
    char **lines = calloc(count + 1, sizeof *lines);
    assert_int_equal(insn_lines(text, lines, count + 1), count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(lines[i], want[i]) != 0)
            fail_msg("objdump: \"%s\", table: \"%s\"", lines[i], want[i]);
    free(want);
    free(text);
    free(lines);
    free(src);
    /* 2. every encoding, MRS and MSR: the table's names, objdump's names of registers
     *    Ferry does not have, the generic form for the rest */
    size_t words = 2 * (A64_SYSREG_ID_MASK + 1);
    src = calloc(1, words * 24 + 1);
    at = src;
    for (uint32_t id = 0; id <= A64_SYSREG_ID_MASK; id++)
        at += sprintf(at, ".inst 0x%08x\n.inst 0x%08x\n", 0xd5300000u | id << 5,
                      0xd5100000u | id << 5);
    text = objdump_of("space", src);
    lines = calloc(words + 1, sizeof *lines);
    assert_int_equal(insn_lines(text, lines, words + 1), words);
    size_t generic = 0;
    for (uint32_t id = 0; id <= A64_SYSREG_ID_MASK; id++) {
        for (int w = 0; w < 2; w++) {
            const char *line = lines[2 * id + w];
            char expect[64];
            const char *name = a64_sysreg_table_name_dir(id, w);
            if (w)
                snprintf(expect, sizeof expect, "msr\t%s, x0", name);
            else
                snprintf(expect, sizeof expect, "mrs\tx0, %s", name);
            if (strcmp(line, expect) != 0)
                fail_msg("id 0x%x: objdump \"%s\", Ferry \"%s\"", id, line, expect);
            generic += name[0] == 's' && name[1] >= '2' && name[1] <= '3' && name[2] == '_';
            char buf[32];
            a64_sysreg_format_name(id, w, buf, sizeof buf);
            assert_string_equal(buf, name);
        }
    }
    assert_true(generic > 60000);
    free(text);
    free(lines);
    free(src);
}

static void test_sys_insn_names_vs_objdump(void **state)
{
    if (!have_tool("aarch64-linux-gnu-as") || !have_tool("aarch64-linux-gnu-objdump"))
        skip();
    static const uint32_t all_ops[] = {
        A64_SYS_OP(0, 7, 1, 0), A64_SYS_OP(0, 7, 5, 0), A64_SYS_OP(3, 7, 5, 1),
        A64_SYS_OP(0, 7, 6, 1), A64_SYS_OP(0, 7, 6, 2), A64_SYS_OP(0, 7, 10, 2),
        A64_SYS_OP(0, 7, 14, 2), A64_SYS_OP(3, 7, 4, 1), A64_SYS_OP(3, 7, 10, 1),
        A64_SYS_OP(3, 7, 11, 1), A64_SYS_OP(3, 7, 14, 1), A64_SYS_OP(0, 7, 8, 0),
        A64_SYS_OP(0, 7, 8, 1), A64_SYS_OP(0, 7, 8, 2), A64_SYS_OP(0, 7, 8, 3),
        A64_SYS_OP(0, 8, 3, 0), A64_SYS_OP(0, 8, 3, 1), A64_SYS_OP(0, 8, 3, 2),
        A64_SYS_OP(0, 8, 3, 3), A64_SYS_OP(0, 8, 3, 5), A64_SYS_OP(0, 8, 3, 7),
        A64_SYS_OP(0, 8, 7, 0), A64_SYS_OP(0, 8, 7, 1), A64_SYS_OP(0, 8, 7, 2),
        A64_SYS_OP(0, 8, 7, 3), A64_SYS_OP(0, 8, 7, 5), A64_SYS_OP(0, 8, 7, 7),
    };
    size_t count = sizeof all_ops / sizeof all_ops[0];
    char src[4096], *at = src;
    for (size_t i = 0; i < count; i++) {
        /* SYS #op1, Cn, Cm, #op2, Xt with Rt = 31 for the forms without a register */
        const struct a64_sys_insn *in = a64_sys_insn_find(all_ops[i]);
        assert_non_null(in);
        assert_int_equal(in->kind, i);
        uint32_t word = 0xd5080000u | all_ops[i] << 5 | (in->has_rt ? 3u : 31u);
        at += sprintf(at, ".inst 0x%08x\n", word);
    }
    char *text = objdump_of("sysinsn", src);
    char *lines[64];
    assert_int_equal(insn_lines(text, lines, 64), count);
    for (size_t i = 0; i < count; i++) {
        const struct a64_sys_insn *in = a64_sys_insn_find(all_ops[i]);
        char want[64];
        const char *space = strchr(in->name, ' ');
        snprintf(want, sizeof want, "%.*s\t%s%s", (int)(space - in->name), in->name, space + 1,
                 in->has_rt ? ", x3" : "");
        if (strcmp(lines[i], want) != 0)
            fail_msg("objdump \"%s\", table \"%s\"", lines[i], want);
    }
    free(text);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        scratch_dir = argv[1];
    device_guest_error_log_limit = 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_shape),
        cmocka_unit_test_setup_teardown(test_rights, setup, teardown),
        cmocka_unit_test(test_linux_registers_present),
        cmocka_unit_test_setup_teardown(test_unknown_undefined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uct, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dze, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uci, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uma, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wfx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cntkctl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fpen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tdcc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sp_banks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misc_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test(test_generic_names),
        cmocka_unit_test(test_names_vs_objdump),
        cmocka_unit_test(test_sys_insn_names_vs_objdump),
    };
    return cmocka_run_group_tests_name("a64-sysregs", tests, NULL, NULL);
}
