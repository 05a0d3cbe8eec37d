/* The AArch64 system register table of a system-mode CPU (ARMv8.0-A, AArch64-only
 * EL0/EL1, no EL2/EL3) and its accessors: MRS/MSR with the EL0 trap rules, MSR
 * (immediate), the system instructions' EL0 rules and WFI/WFE traps. Facts from the Arm
 * ARM, checked against what Linux 6.1 touches and what QEMU reports; docs/sysregs.md
 * gives the decisions. Every function accepts any id and value (the guest chooses them). */
#include "arch/aarch64/sysregs.h"
#include "ferry/support.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define OFF(field) ((uint16_t)offsetof(struct a64_sys_state, field))

/* ---- hooks --------------------------------------------------------------------------- */

static struct a64_sys_state *sys_of(struct a64_cpu_regs *cpu) { return cpu->sys; }

static uint64_t counter_now(const struct a64_sys_state *s)
{
    return s->counter_now ? s->counter_now(s->counter_ctx) : 0;
}

static uint64_t rd_mpidr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    /* Aff0 = the CPU index, bit 31 RES1, U = 0 (not a uniprocessor-only system), MT = 0 */
    return 0x80000000ull | (sys_of(cpu)->cpu_index & 0xffu);
}

static uint64_t rd_dczid(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    /* DZP tells EL0 whether DC ZVA would trap (SCTLR_EL1.DZE); EL1 may always use it. */
    bool prohibited = el == 0 && !(sys_of(cpu)->sctlr_el1 & A64_SCTLR_DZE);
    return A64_DCZID_EL0_VALUE | (prohibited ? 0x10u : 0u);
}

static uint64_t rd_ccsidr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    /* Cortex-A72's geometry, consistent with CLIDR_EL1 and CTR_EL0 (64-byte lines):
     * L1 D 32 KB 2-way, L1 I 48 KB 3-way, L2 1 MB 16-way. Other selections are UNKNOWN. */
    switch (sys_of(cpu)->csselr_el1 & 0xf) {
    case 0x0: return 0x701fe00a;
    case 0x1: return 0x201fe012;
    case 0x2: return 0x707fe07a;
    default: return 0;
    }
}

static uint64_t rd_isr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return cpu->get_isr ? cpu->get_isr(cpu->ctx) & 0x1c0u : 0;
}

static uint64_t rd_currentel(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return (uint64_t)el << 2;
}

static uint64_t rd_spsel(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return sys_of(cpu)->spsel & 1u;
}

static uint32_t wr_spsel(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    unsigned old = sys_of(cpu)->spsel;
    a64_sys_switch_sp(cpu, 1, (unsigned)v & 1u);
    return old != (v & 1u) ? A64_SR_MODES_CHANGED : 0;
}

static uint64_t rd_daif(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return sys_of(cpu)->daif & A64_DAIF_MASK;
}

static uint32_t wr_daif(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    sys_of(cpu)->daif = (uint32_t)v & A64_DAIF_MASK;
    return A64_SR_IRQ_CHANGED;
}

static uint64_t rd_nzcv(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return cpu->get_nzcv ? cpu->get_nzcv(cpu->ctx) & 0xf0000000u : 0;
}

static uint32_t wr_nzcv(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    if (cpu->set_nzcv)
        cpu->set_nzcv(cpu->ctx, (uint32_t)v);
    return 0;
}

static uint64_t rd_fpcr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return cpu->get_fpcr ? cpu->get_fpcr(cpu->ctx) : 0;
}

static uint32_t wr_fpcr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    if (cpu->set_fpcr)
        cpu->set_fpcr(cpu->ctx, (uint32_t)v);
    return 0;
}

static uint64_t rd_fpsr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return cpu->get_fpsr ? cpu->get_fpsr(cpu->ctx) : 0;
}

static uint32_t wr_fpsr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    if (cpu->set_fpsr)
        cpu->set_fpsr(cpu->ctx, (uint32_t)v);
    return 0;
}

static uint64_t rd_tpidr_el0(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return cpu->get_tpidr_el0 ? cpu->get_tpidr_el0(cpu->ctx) : 0;
}

static uint32_t wr_tpidr_el0(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    if (cpu->set_tpidr_el0)
        cpu->set_tpidr_el0(cpu->ctx, v);
    return 0;
}

static uint64_t rd_timer(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    struct a64_sys_state *s = sys_of(cpu);
    return s->timer ? gtimer_read(s->timer, (enum gtimer_reg)r->value, counter_now(s)) : 0;
}

static uint32_t wr_timer(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    struct a64_sys_state *s = sys_of(cpu);
    if (s->timer)
        gtimer_write(s->timer, (enum gtimer_reg)r->value, v, counter_now(s));
    return A64_SR_IRQ_CHANGED;
}

static uint32_t wr_cntkctl(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    struct a64_sys_state *s = sys_of(cpu);
    if (!s->timer)
        return 0;
    uint64_t old = gtimer_read(s->timer, GTIMER_CNTKCTL_EL1, 0);
    gtimer_write(s->timer, GTIMER_CNTKCTL_EL1, v, counter_now(s));
    return gtimer_read(s->timer, GTIMER_CNTKCTL_EL1, 0) != old ? A64_SR_MODES_CHANGED : 0;
}

static uint32_t wr_oslar(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    /* OSLAR_EL1.OSLK sets and clears OSLSR_EL1.OSLK (bit 1). */
    struct a64_sys_state *s = sys_of(cpu);
    s->oslsr_el1 = (s->oslsr_el1 & ~2ull) | ((v & 1u) << 1);
    return 0;
}

/* Eight claim tags: CLAIMSET reads the implemented ones as one, CLAIMCLR the current
 * tags; writing ones sets or clears tags. */
static uint64_t rd_claimset(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return 0xff;
}

static uint32_t wr_claimset(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    sys_of(cpu)->dbgclaim |= v & 0xff;
    return 0;
}

static uint64_t rd_claimclr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, unsigned el)
{
    return sys_of(cpu)->dbgclaim & 0xff;
}

static uint32_t wr_claimclr(const struct a64_sysreg *r, struct a64_cpu_regs *cpu, uint64_t v)
{
    sys_of(cpu)->dbgclaim &= ~(v & 0xff);
    return 0;
}

/* ---- the table ----------------------------------------------------------------------- */

#define ID(op0, op1, crn, crm, op2) A64_SYSREG_ID(op0, op1, crn, crm, op2)
#define NONE 0
#define R A64_SR_R
#define W A64_SR_W
#define RW A64_SR_RW
#define EB A64_SR_END_BLOCK
#define MMU A64_SR_MMU_CHANGED
#define MODES A64_SR_MODES_CHANGED
#define IRQ A64_SR_IRQ_CHANGED

/* A stored register: RW at EL1 only, with its RES0 mask and flags. */
#define FIELD(nm, id_, field, res0_, flags_) \
    { .name = nm, .id = id_, .el1 = RW, .storage = A64_SR_FIELD, .offset = OFF(field), \
      .flags = flags_, .res0 = res0_ }
/* A read-only constant at EL1 (EL0: UNDEFINED). */
#define CONST_RO(nm, id_, v) \
    { .name = nm, .id = id_, .el1 = R, .storage = A64_SR_CONST, .value = v }
/* Reads as zero, ignores writes: registers with nothing behind them in Ferry (the
 * IMPLEMENTATION DEFINED ACTLR/AFSRx, the external debugger's save/restore registers). */
#define RAZ_WI(nm, id_) { .name = nm, .id = id_, .el1 = RW, .storage = A64_SR_CONST }
#define HOOK(nm, id_, e0, e1, chk, rd, wr, param, flags_) \
    { .name = nm, .id = id_, .el0 = e0, .el1 = e1, .storage = A64_SR_HOOK, .check = chk, \
      .read = rd, .write = wr, .value = param, .flags = flags_ }
#define TIMER(nm, id_, e0, e1, reg, flags_) \
    HOOK(nm, id_, e0, e1, A64_SR_CHECK_TIMER, rd_timer, (e1 & W) ? wr_timer : NULL, reg, flags_)
#define ID_SPACE(nm, crm, op2, v) CONST_RO(nm, ID(3, 0, 0, crm, op2), v)

/* v8.0 breakpoint/watchpoint control fields (E, PMC, BAS, HMC, SSC, LBN, BT / E, PAC,
 * LSC, BAS, HMC, SSC, LBN, WT, MASK); address bits [1:0] are RES0. */
#define BCR_RES0 (~0x00ffe1e7ull)
#define WCR_RES0 (~0x1f1fffffull)
#define BP(n) \
    FIELD("dbgbvr" #n "_el1", ID(2, 0, 0, n, 4), dbgbvr[n], 3, 0), \
    FIELD("dbgbcr" #n "_el1", ID(2, 0, 0, n, 5), dbgbcr[n], BCR_RES0, 0)
#define WP(n) \
    FIELD("dbgwvr" #n "_el1", ID(2, 0, 0, n, 6), dbgwvr[n], 3, 0), \
    FIELD("dbgwcr" #n "_el1", ID(2, 0, 0, n, 7), dbgwcr[n], WCR_RES0, 0)

#define HI32 0xffffffff00000000ull
/* TCR_EL1 fields of v8.0 with the 4 KB granule (T0SZ..TBI1): bit 6, bit 35 and bits
 * 63:39 (HA/HD, HPD, NFD... of later extensions) are RES0. */
#define TCR_RES0 (~0x77ffffffbfull)
/* SCTLR_EL1 bits that hold state: M A C SA SA0 CP15BEN ITD SED UMA I DZE UCT nTWI nTWE
 * WXN UCI. EE/E0E are RES0 (little-endian only: ID_AA64MMFR0.BigEnd = 0). */
#define SCTLR_RW 0x40dd3bfull
/* MDSCR_EL1: SS, ERR, TDCC, KDE, HDE, MDE, TDA, INTdis hold state; the DCC status bits
 * (TXU, RXO, TXfull, RXfull) read as zero: the channel is always empty. */
#define MDSCR_RW 0x00e0f041ull

static const struct a64_sysreg table[] = {
    /* op0 = 2: debug (sorted by id). The OS save/restore registers of the DCC and of
     * the external debugger read as zero and ignore writes (no external debugger). */
    RAZ_WI("osdtrrx_el1", ID(2, 0, 0, 0, 2)),
    BP(0), WP(0),
    BP(1), WP(1),
    FIELD("mdccint_el1", ID(2, 0, 0, 2, 0), mdccint_el1, ~0x60000000ull, 0),
    FIELD("mdscr_el1", ID(2, 0, 0, 2, 2), mdscr_el1, ~MDSCR_RW, EB | MODES),
    BP(2), WP(2),
    RAZ_WI("osdtrtx_el1", ID(2, 0, 0, 3, 2)),
    BP(3), WP(3),
    BP(4),
    BP(5),
    RAZ_WI("oseccr_el1", ID(2, 0, 0, 6, 2)),
    CONST_RO("mdrar_el1", ID(2, 0, 1, 0, 0), 0),
    HOOK("oslar_el1", ID(2, 0, 1, 0, 4), NONE, W, A64_SR_CHECK_NONE, NULL, wr_oslar, 0, 0),
    { .name = "oslsr_el1", .id = ID(2, 0, 1, 1, 4), .el1 = R, .storage = A64_SR_FIELD,
      .offset = OFF(oslsr_el1) },
    FIELD("osdlr_el1", ID(2, 0, 1, 3, 4), osdlr_el1, ~1ull, 0),
    FIELD("dbgprcr_el1", ID(2, 0, 1, 4, 4), dbgprcr_el1, ~1ull, 0),
    HOOK("dbgclaimset_el1", ID(2, 0, 7, 8, 6), NONE, RW, A64_SR_CHECK_NONE, rd_claimset, wr_claimset, 0, 0),
    HOOK("dbgclaimclr_el1", ID(2, 0, 7, 9, 6), NONE, RW, A64_SR_CHECK_NONE, rd_claimclr, wr_claimclr, 0, 0),
    /* Non-secure invasive and non-invasive debug implemented and enabled; no Secure state */
    CONST_RO("dbgauthstatus_el1", ID(2, 0, 7, 14, 6), 0xf),
    /* The debug communication channel: always empty, writes vanish (Linux's hvc_dcc
     * then finds a console that never blocks). */
    { .name = "mdccsr_el0", .id = ID(2, 3, 0, 1, 0), .el0 = R, .el1 = R,
      .storage = A64_SR_CONST, .check = A64_SR_CHECK_TDCC },
    { .name = "dbgdtr_el0", .id = ID(2, 3, 0, 4, 0), .el0 = RW, .el1 = RW,
      .storage = A64_SR_CONST, .check = A64_SR_CHECK_TDCC },
    { .name = "dbgdtrrx_el0", .write_name = "dbgdtrtx_el0", .id = ID(2, 3, 0, 5, 0),
      .el0 = RW, .el1 = RW, .storage = A64_SR_CONST, .check = A64_SR_CHECK_TDCC },

    /* op0 = 3, op1 = 0: identification */
    CONST_RO("midr_el1", ID(3, 0, 0, 0, 0), A64_MIDR_VALUE),
    HOOK("mpidr_el1", ID(3, 0, 0, 0, 5), NONE, R, A64_SR_CHECK_NONE, rd_mpidr, NULL, 0, 0),
    CONST_RO("revidr_el1", ID(3, 0, 0, 0, 6), 0),
    /* The ID space, CRm 1..7: AArch32 registers are zero (no AArch32), unallocated ones
     * RAZ as the architecture requires. */
    ID_SPACE("id_pfr0_el1", 1, 0, 0), ID_SPACE("id_pfr1_el1", 1, 1, 0),
    ID_SPACE("id_dfr0_el1", 1, 2, 0), ID_SPACE("id_afr0_el1", 1, 3, 0),
    ID_SPACE("id_mmfr0_el1", 1, 4, 0), ID_SPACE("id_mmfr1_el1", 1, 5, 0),
    ID_SPACE("id_mmfr2_el1", 1, 6, 0), ID_SPACE("id_mmfr3_el1", 1, 7, 0),
    ID_SPACE("id_isar0_el1", 2, 0, 0), ID_SPACE("id_isar1_el1", 2, 1, 0),
    ID_SPACE("id_isar2_el1", 2, 2, 0), ID_SPACE("id_isar3_el1", 2, 3, 0),
    ID_SPACE("id_isar4_el1", 2, 4, 0), ID_SPACE("id_isar5_el1", 2, 5, 0),
    ID_SPACE("id_mmfr4_el1", 2, 6, 0), ID_SPACE("id_isar6_el1", 2, 7, 0),
    ID_SPACE("mvfr0_el1", 3, 0, 0), ID_SPACE("mvfr1_el1", 3, 1, 0),
    ID_SPACE("mvfr2_el1", 3, 2, 0), ID_SPACE("s3_0_c0_c3_3", 3, 3, 0),
    ID_SPACE("id_pfr2_el1", 3, 4, 0), ID_SPACE("id_dfr1_el1", 3, 5, 0),
    ID_SPACE("id_mmfr5_el1", 3, 6, 0), ID_SPACE("s3_0_c0_c3_7", 3, 7, 0),
    ID_SPACE("id_aa64pfr0_el1", 4, 0, A64_ID_AA64PFR0_VALUE),
    ID_SPACE("id_aa64pfr1_el1", 4, 1, 0),
    ID_SPACE("s3_0_c0_c4_2", 4, 2, 0), ID_SPACE("s3_0_c0_c4_3", 4, 3, 0),
    ID_SPACE("id_aa64zfr0_el1", 4, 4, 0), ID_SPACE("id_aa64smfr0_el1", 4, 5, 0),
    ID_SPACE("s3_0_c0_c4_6", 4, 6, 0), ID_SPACE("s3_0_c0_c4_7", 4, 7, 0),
    ID_SPACE("id_aa64dfr0_el1", 5, 0, A64_ID_AA64DFR0_VALUE),
    ID_SPACE("id_aa64dfr1_el1", 5, 1, 0),
    ID_SPACE("s3_0_c0_c5_2", 5, 2, 0), ID_SPACE("s3_0_c0_c5_3", 5, 3, 0),
    ID_SPACE("id_aa64afr0_el1", 5, 4, 0), ID_SPACE("id_aa64afr1_el1", 5, 5, 0),
    ID_SPACE("s3_0_c0_c5_6", 5, 6, 0), ID_SPACE("s3_0_c0_c5_7", 5, 7, 0),
    ID_SPACE("id_aa64isar0_el1", 6, 0, A64_ID_AA64ISAR0_VALUE),
    ID_SPACE("id_aa64isar1_el1", 6, 1, 0), ID_SPACE("id_aa64isar2_el1", 6, 2, 0),
    ID_SPACE("s3_0_c0_c6_3", 6, 3, 0), ID_SPACE("s3_0_c0_c6_4", 6, 4, 0),
    ID_SPACE("s3_0_c0_c6_5", 6, 5, 0), ID_SPACE("s3_0_c0_c6_6", 6, 6, 0),
    ID_SPACE("s3_0_c0_c6_7", 6, 7, 0),
    ID_SPACE("id_aa64mmfr0_el1", 7, 0, A64_ID_AA64MMFR0_VALUE),
    ID_SPACE("id_aa64mmfr1_el1", 7, 1, 0), ID_SPACE("id_aa64mmfr2_el1", 7, 2, 0),
    ID_SPACE("s3_0_c0_c7_3", 7, 3, 0), ID_SPACE("s3_0_c0_c7_4", 7, 4, 0),
    ID_SPACE("s3_0_c0_c7_5", 7, 5, 0), ID_SPACE("s3_0_c0_c7_6", 7, 6, 0),
    ID_SPACE("s3_0_c0_c7_7", 7, 7, 0),

    /* system control */
    { .name = "sctlr_el1", .id = ID(3, 0, 1, 0, 0), .el1 = RW, .storage = A64_SR_FIELD,
      .offset = OFF(sctlr_el1), .flags = EB | MMU | MODES, .res0 = ~(SCTLR_RW | A64_SCTLR_RES1),
      .res1 = A64_SCTLR_RES1 },
    RAZ_WI("actlr_el1", ID(3, 0, 1, 0, 1)),
    /* FPEN only: TTA is RES0 without a trace unit, ZEN/SMEN without SVE/SME */
    FIELD("cpacr_el1", ID(3, 0, 1, 0, 2), cpacr_el1, ~(3ull << A64_CPACR_FPEN_SHIFT), EB | MODES),
    /* TTBRx: ASID (16 bits) and BADDR; CnP (bit 0) is RES0 without FEAT_TTCNP */
    FIELD("ttbr0_el1", ID(3, 0, 2, 0, 0), ttbr0_el1, 1, EB | A64_SR_TABLE_CHANGED),
    FIELD("ttbr1_el1", ID(3, 0, 2, 0, 1), ttbr1_el1, 1, EB | A64_SR_TABLE_CHANGED),
    FIELD("tcr_el1", ID(3, 0, 2, 0, 2), tcr_el1, TCR_RES0, EB | MMU | MODES),

    /* exception state and PSTATE */
    FIELD("spsr_el1", ID(3, 0, 4, 0, 0), spsr_el1, HI32, 0),
    FIELD("elr_el1", ID(3, 0, 4, 0, 1), elr_el1, 0, 0),
    { .name = "sp_el0", .id = ID(3, 0, 4, 1, 0), .el1 = RW, .storage = A64_SR_FIELD,
      .offset = OFF(sp_el0), .check = A64_SR_CHECK_SPSEL },
    HOOK("spsel", ID(3, 0, 4, 2, 0), NONE, RW, A64_SR_CHECK_NONE, rd_spsel, wr_spsel, 0, EB | MODES),
    HOOK("currentel", ID(3, 0, 4, 2, 2), NONE, R, A64_SR_CHECK_NONE, rd_currentel, NULL, 0, 0),

    RAZ_WI("afsr0_el1", ID(3, 0, 5, 1, 0)),
    RAZ_WI("afsr1_el1", ID(3, 0, 5, 1, 1)),
    FIELD("esr_el1", ID(3, 0, 5, 2, 0), esr_el1, HI32, 0),
    FIELD("far_el1", ID(3, 0, 6, 0, 0), far_el1, 0, 0),
    FIELD("par_el1", ID(3, 0, 7, 4, 0), par_el1, 0, 0),
    FIELD("mair_el1", ID(3, 0, 10, 2, 0), mair_el1, 0, EB | MMU),
    FIELD("amair_el1", ID(3, 0, 10, 3, 0), amair_el1, 0, 0),
    FIELD("vbar_el1", ID(3, 0, 12, 0, 0), vbar_el1, 0x7ff, 0),
    /* EL1 is the highest EL, so RVBAR_EL1 exists: Ferry's reset address is 0 (the
     * board enters the kernel at its own entry point) */
    CONST_RO("rvbar_el1", ID(3, 0, 12, 0, 1), 0),
    HOOK("isr_el1", ID(3, 0, 12, 1, 0), NONE, R, A64_SR_CHECK_NONE, rd_isr, NULL, 0, 0),
    FIELD("contextidr_el1", ID(3, 0, 13, 0, 1), contextidr_el1, HI32, 0),
    FIELD("tpidr_el1", ID(3, 0, 13, 0, 4), tpidr_el1, 0, 0),
    HOOK("cntkctl_el1", ID(3, 0, 14, 1, 0), NONE, RW, A64_SR_CHECK_NONE, rd_timer, wr_cntkctl,
         GTIMER_CNTKCTL_EL1, EB | MODES),

    /* op1 = 1, 2: cache identification */
    HOOK("ccsidr_el1", ID(3, 1, 0, 0, 0), NONE, R, A64_SR_CHECK_NONE, rd_ccsidr, NULL, 0, 0),
    CONST_RO("clidr_el1", ID(3, 1, 0, 0, 1), A64_CLIDR_VALUE),
    CONST_RO("aidr_el1", ID(3, 1, 0, 0, 7), 0),
    FIELD("csselr_el1", ID(3, 2, 0, 0, 0), csselr_el1, ~0xfull, 0),

    /* op1 = 3: the EL0-accessible registers */
    { .name = "ctr_el0", .id = ID(3, 3, 0, 0, 1), .el0 = R, .el1 = R, .storage = A64_SR_CONST,
      .value = A64_CTR_EL0_VALUE, .check = A64_SR_CHECK_UCT },
    HOOK("dczid_el0", ID(3, 3, 0, 0, 7), R, R, A64_SR_CHECK_NONE, rd_dczid, NULL, 0, 0),
    /* the masks of NZCV, FPCR and FPSR are the user-mode description's (system.adl) */
    { .name = "nzcv", .id = ID(3, 3, 4, 2, 0), .el0 = RW, .el1 = RW, .storage = A64_SR_HOOK,
      .read = rd_nzcv, .write = wr_nzcv, .flags = A64_SR_CPU_STATE, .res0 = ~0xf0000000ull },
    HOOK("daif", ID(3, 3, 4, 2, 1), RW, RW, A64_SR_CHECK_UMA, rd_daif, wr_daif, 0, EB | IRQ),
    { .name = "fpcr", .id = ID(3, 3, 4, 4, 0), .el0 = RW, .el1 = RW, .storage = A64_SR_HOOK,
      .check = A64_SR_CHECK_FPEN, .read = rd_fpcr, .write = wr_fpcr, .flags = A64_SR_CPU_STATE,
      .res0 = ~0x07c00000ull },
    { .name = "fpsr", .id = ID(3, 3, 4, 4, 1), .el0 = RW, .el1 = RW, .storage = A64_SR_HOOK,
      .check = A64_SR_CHECK_FPEN, .read = rd_fpsr, .write = wr_fpsr, .flags = A64_SR_CPU_STATE,
      .res0 = ~0x0800009full },
    HOOK("tpidr_el0", ID(3, 3, 13, 0, 2), RW, RW, A64_SR_CHECK_NONE, rd_tpidr_el0, wr_tpidr_el0,
         0, A64_SR_CPU_STATE),
    { .name = "tpidrro_el0", .id = ID(3, 3, 13, 0, 3), .el0 = R, .el1 = RW,
      .storage = A64_SR_FIELD, .offset = OFF(tpidrro_el0) },
    /* the generic timer; CNTFRQ_EL0 is writable at the highest EL, EL1 here */
    TIMER("cntfrq_el0", ID(3, 3, 14, 0, 0), R, RW, GTIMER_CNTFRQ_EL0, 0),
    TIMER("cntpct_el0", ID(3, 3, 14, 0, 1), R, R, GTIMER_CNTPCT_EL0, 0),
    TIMER("cntvct_el0", ID(3, 3, 14, 0, 2), R, R, GTIMER_CNTVCT_EL0, 0),
    TIMER("cntp_tval_el0", ID(3, 3, 14, 2, 0), RW, RW, GTIMER_CNTP_TVAL_EL0, EB | IRQ),
    TIMER("cntp_ctl_el0", ID(3, 3, 14, 2, 1), RW, RW, GTIMER_CNTP_CTL_EL0, EB | IRQ),
    TIMER("cntp_cval_el0", ID(3, 3, 14, 2, 2), RW, RW, GTIMER_CNTP_CVAL_EL0, EB | IRQ),
    TIMER("cntv_tval_el0", ID(3, 3, 14, 3, 0), RW, RW, GTIMER_CNTV_TVAL_EL0, EB | IRQ),
    TIMER("cntv_ctl_el0", ID(3, 3, 14, 3, 1), RW, RW, GTIMER_CNTV_CTL_EL0, EB | IRQ),
    TIMER("cntv_cval_el0", ID(3, 3, 14, 3, 2), RW, RW, GTIMER_CNTV_CVAL_EL0, EB | IRQ),
};

const struct a64_sysreg *a64_sysreg_table(size_t *count)
{
    if (count)
        *count = COUNT(table);
    return table;
}

const struct a64_sysreg *a64_sysreg_find(uint32_t id)
{
    size_t lo = 0, hi = COUNT(table);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid].id == id)
            return &table[mid];
        if (table[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

uint64_t a64_id_reg_value(uint32_t id)
{
    const struct a64_sysreg *r = a64_sysreg_find(id);
    if (!r || id < ID(3, 0, 0, 1, 0) || id > ID(3, 0, 0, 7, 7))
        return 0;
    return r->value;
}

/* ---- names --------------------------------------------------------------------------- */

/* Names GNU objdump (binutils 2.40) prints for the registers Ferry does not implement
 * (PMU, GICv3, SVE/SME, PAuth, MTE, RAS, AMU, EL2/EL3, AArch32 debug...), so that the
 * disassembler prints every MRS/MSR as objdump does. Listed from objdump's disassembly
 * of all 65536 MRS/MSR encodings (the test checks the whole space again); sorted by id.
 * MRS and MSR use the same names here. */
static const struct { uint16_t id; char name[20]; } other_names[] = {
    { 0x0026, "dbgwvr4_el1" },
    { 0x0027, "dbgwcr4_el1" }, { 0x002e, "dbgwvr5_el1" }, { 0x002f, "dbgwcr5_el1" },
    { 0x0034, "dbgbvr6_el1" }, { 0x0035, "dbgbcr6_el1" },
    { 0x0036, "dbgwvr6_el1" }, { 0x0037, "dbgwcr6_el1" }, { 0x003c, "dbgbvr7_el1" },
    { 0x003d, "dbgbcr7_el1" }, { 0x003e, "dbgwvr7_el1" }, { 0x003f, "dbgwcr7_el1" },
    { 0x0044, "dbgbvr8_el1" }, { 0x0045, "dbgbcr8_el1" }, { 0x0046, "dbgwvr8_el1" },
    { 0x0047, "dbgwcr8_el1" }, { 0x004c, "dbgbvr9_el1" }, { 0x004d, "dbgbcr9_el1" },
    { 0x004e, "dbgwvr9_el1" }, { 0x004f, "dbgwcr9_el1" }, { 0x0054, "dbgbvr10_el1" },
    { 0x0055, "dbgbcr10_el1" }, { 0x0056, "dbgwvr10_el1" }, { 0x0057, "dbgwcr10_el1" },
    { 0x005c, "dbgbvr11_el1" }, { 0x005d, "dbgbcr11_el1" }, { 0x005e, "dbgwvr11_el1" },
    { 0x005f, "dbgwcr11_el1" }, { 0x0064, "dbgbvr12_el1" }, { 0x0065, "dbgbcr12_el1" },
    { 0x0066, "dbgwvr12_el1" }, { 0x0067, "dbgwcr12_el1" }, { 0x006c, "dbgbvr13_el1" },
    { 0x006d, "dbgbcr13_el1" }, { 0x006e, "dbgwvr13_el1" }, { 0x006f, "dbgwcr13_el1" },
    { 0x0074, "dbgbvr14_el1" }, { 0x0075, "dbgbcr14_el1" }, { 0x0076, "dbgwvr14_el1" },
    { 0x0077, "dbgwcr14_el1" }, { 0x007c, "dbgbvr15_el1" }, { 0x007d, "dbgbcr15_el1" },
    { 0x007e, "dbgwvr15_el1" }, { 0x007f, "dbgwcr15_el1" }, { 0x0400, "csrcr_el1" },
    { 0x0401, "csrptr_el1" }, { 0x0403, "csrptridx_el1" }, { 0x0801, "trctraceidr" },
    { 0x0802, "trcvictlr" }, { 0x0804, "trcseqevr0" }, { 0x0805, "trccntrldvr0" },
    { 0x0806, "trcidr8" }, { 0x0807, "trcimspec0" }, { 0x0808, "trcprgctlr" },
    { 0x0809, "trcqctlr" }, { 0x080a, "trcviiectlr" }, { 0x080c, "trcseqevr1" },
    { 0x080d, "trccntrldvr1" }, { 0x080e, "trcidr9" }, { 0x080f, "trcimspec1" },
    { 0x0810, "trcprocselr" }, { 0x0812, "trcvissctlr" }, { 0x0814, "trcseqevr2" },
    { 0x0815, "trccntrldvr2" }, { 0x0816, "trcidr10" }, { 0x0817, "trcimspec2" },
    { 0x0818, "trcstatr" }, { 0x081a, "trcvipcssctlr" }, { 0x081d, "trccntrldvr3" },
    { 0x081e, "trcidr11" }, { 0x081f, "trcimspec3" }, { 0x0820, "trcconfigr" },
    { 0x0825, "trccntctlr0" }, { 0x0826, "trcidr12" }, { 0x0827, "trcimspec4" },
    { 0x082d, "trccntctlr1" }, { 0x082e, "trcidr13" }, { 0x082f, "trcimspec5" },
    { 0x0830, "trcauxctlr" }, { 0x0834, "trcseqrstevr" }, { 0x0835, "trccntctlr2" },
    { 0x0837, "trcimspec6" }, { 0x083c, "trcseqstr" }, { 0x083d, "trccntctlr3" },
    { 0x083f, "trcimspec7" }, { 0x0840, "trceventctl0r" }, { 0x0842, "trcvdctlr" },
    { 0x0844, "trcextinselr0" }, { 0x0845, "trccntvr0" }, { 0x0847, "trcidr0" },
    { 0x0848, "trceventctl1r" }, { 0x084a, "trcvdsacctlr" }, { 0x084c, "trcextinselr1" },
    { 0x084d, "trccntvr1" }, { 0x084f, "trcidr1" }, { 0x0850, "trcrsr" },
    { 0x0852, "trcvdarcctlr" }, { 0x0854, "trcextinselr2" }, { 0x0855, "trccntvr2" },
    { 0x0857, "trcidr2" }, { 0x0858, "trcstallctlr" }, { 0x085c, "trcextinselr3" },
    { 0x085d, "trccntvr3" }, { 0x085f, "trcidr3" }, { 0x0860, "trctsctlr" },
    { 0x0867, "trcidr4" }, { 0x0868, "trcsyncpr" }, { 0x086f, "trcidr5" },
    { 0x0870, "trcccctlr" }, { 0x0877, "trcidr6" }, { 0x0878, "trcbbctlr" },
    { 0x087f, "trcidr7" }, { 0x0881, "trcrsctlr16" }, { 0x0882, "trcssccr0" },
    { 0x0883, "trcsspcicr0" }, { 0x0884, "trcoslar" }, { 0x0889, "trcrsctlr17" },
    { 0x088a, "trcssccr1" }, { 0x088b, "trcsspcicr1" }, { 0x088c, "trcoslsr" },
    { 0x0890, "trcrsctlr2" }, { 0x0891, "trcrsctlr18" }, { 0x0892, "trcssccr2" },
    { 0x0893, "trcsspcicr2" }, { 0x0898, "trcrsctlr3" }, { 0x0899, "trcrsctlr19" },
    { 0x089a, "trcssccr3" }, { 0x089b, "trcsspcicr3" }, { 0x08a0, "trcrsctlr4" },
    { 0x08a1, "trcrsctlr20" }, { 0x08a2, "trcssccr4" }, { 0x08a3, "trcsspcicr4" },
    { 0x08a4, "trcpdcr" }, { 0x08a8, "trcrsctlr5" }, { 0x08a9, "trcrsctlr21" },
    { 0x08aa, "trcssccr5" }, { 0x08ab, "trcsspcicr5" }, { 0x08ac, "trcpdsr" },
    { 0x08b0, "trcrsctlr6" }, { 0x08b1, "trcrsctlr22" }, { 0x08b2, "trcssccr6" },
    { 0x08b3, "trcsspcicr6" }, { 0x08b8, "trcrsctlr7" }, { 0x08b9, "trcrsctlr23" },
    { 0x08ba, "trcssccr7" }, { 0x08bb, "trcsspcicr7" }, { 0x08c0, "trcrsctlr8" },
    { 0x08c1, "trcrsctlr24" }, { 0x08c2, "trcsscsr0" }, { 0x08c8, "trcrsctlr9" },
    { 0x08c9, "trcrsctlr25" }, { 0x08ca, "trcsscsr1" }, { 0x08d0, "trcrsctlr10" },
    { 0x08d1, "trcrsctlr26" }, { 0x08d2, "trcsscsr2" }, { 0x08d8, "trcrsctlr11" },
    { 0x08d9, "trcrsctlr27" }, { 0x08da, "trcsscsr3" }, { 0x08e0, "trcrsctlr12" },
    { 0x08e1, "trcrsctlr28" }, { 0x08e2, "trcsscsr4" }, { 0x08e8, "trcrsctlr13" },
    { 0x08e9, "trcrsctlr29" }, { 0x08ea, "trcsscsr5" }, { 0x08f0, "trcrsctlr14" },
    { 0x08f1, "trcrsctlr30" }, { 0x08f2, "trcsscsr6" }, { 0x08f8, "trcrsctlr15" },
    { 0x08f9, "trcrsctlr31" }, { 0x08fa, "trcsscsr7" }, { 0x0900, "trcacvr0" },
    { 0x0901, "trcacvr8" }, { 0x0902, "trcacatr0" }, { 0x0903, "trcacatr8" },
    { 0x0904, "trcdvcvr0" }, { 0x0905, "trcdvcvr4" }, { 0x0906, "trcdvcmr0" },
    { 0x0907, "trcdvcmr4" }, { 0x0910, "trcacvr1" }, { 0x0911, "trcacvr9" },
    { 0x0912, "trcacatr1" }, { 0x0913, "trcacatr9" }, { 0x0920, "trcacvr2" },
    { 0x0921, "trcacvr10" }, { 0x0922, "trcacatr2" }, { 0x0923, "trcacatr10" },
    { 0x0924, "trcdvcvr1" }, { 0x0925, "trcdvcvr5" }, { 0x0926, "trcdvcmr1" },
    { 0x0927, "trcdvcmr5" }, { 0x0930, "trcacvr3" }, { 0x0931, "trcacvr11" },
    { 0x0932, "trcacatr3" }, { 0x0933, "trcacatr11" }, { 0x0940, "trcacvr4" },
    { 0x0941, "trcacvr12" }, { 0x0942, "trcacatr4" }, { 0x0943, "trcacatr12" },
    { 0x0944, "trcdvcvr2" }, { 0x0945, "trcdvcvr6" }, { 0x0946, "trcdvcmr2" },
    { 0x0947, "trcdvcmr6" }, { 0x0950, "trcacvr5" }, { 0x0951, "trcacvr13" },
    { 0x0952, "trcacatr5" }, { 0x0953, "trcacatr13" }, { 0x0960, "trcacvr6" },
    { 0x0961, "trcacvr14" }, { 0x0962, "trcacatr6" }, { 0x0963, "trcacatr14" },
    { 0x0964, "trcdvcvr3" }, { 0x0965, "trcdvcvr7" }, { 0x0966, "trcdvcmr3" },
    { 0x0967, "trcdvcmr7" }, { 0x0970, "trcacvr7" }, { 0x0971, "trcacvr15" },
    { 0x0972, "trcacatr7" }, { 0x0973, "trcacatr15" }, { 0x0980, "trccidcvr0" },
    { 0x0981, "trcvmidcvr0" }, { 0x0982, "trccidcctlr0" }, { 0x098a, "trccidcctlr1" },
    { 0x0990, "trccidcvr1" }, { 0x0991, "trcvmidcvr1" }, { 0x0992, "trcvmidcctlr0" },
    { 0x099a, "trcvmidcctlr1" }, { 0x09a0, "trccidcvr2" }, { 0x09a1, "trcvmidcvr2" },
    { 0x09b0, "trccidcvr3" }, { 0x09b1, "trcvmidcvr3" }, { 0x09c0, "trccidcvr4" },
    { 0x09c1, "trcvmidcvr4" }, { 0x09d0, "trccidcvr5" }, { 0x09d1, "trcvmidcvr5" },
    { 0x09e0, "trccidcvr6" }, { 0x09e1, "trcvmidcvr6" }, { 0x09f0, "trccidcvr7" },
    { 0x09f1, "trcvmidcvr7" }, { 0x0b84, "trcitctrl" }, { 0x0b97, "trcdevid" },
    { 0x0b9f, "trcdevtype" }, { 0x0ba7, "trcpidr4" }, { 0x0baf, "trcpidr5" },
    { 0x0bb7, "trcpidr6" }, { 0x0bbf, "trcpidr7" }, { 0x0bc6, "trcclaimset" },
    { 0x0bc7, "trcpidr0" }, { 0x0bce, "trcclaimclr" }, { 0x0bcf, "trcpidr1" },
    { 0x0bd6, "trcdevaff0" }, { 0x0bd7, "trcpidr2" }, { 0x0bde, "trcdevaff1" },
    { 0x0bdf, "trcpidr3" }, { 0x0be6, "trclar" }, { 0x0be7, "trccidr0" },
    { 0x0bee, "trclsr" }, { 0x0bef, "trccidr1" }, { 0x0bf6, "trcauthstatus" },
    { 0x0bf7, "trccidr2" }, { 0x0bfe, "trcdevarch" }, { 0x0bff, "trccidr3" },
    { 0x0c00, "brbinf0_el1" }, { 0x0c01, "brbsrc0_el1" }, { 0x0c02, "brbtgt0_el1" },
    { 0x0c04, "brbinf16_el1" }, { 0x0c05, "brbsrc16_el1" }, { 0x0c06, "brbtgt16_el1" },
    { 0x0c08, "brbinf1_el1" }, { 0x0c09, "brbsrc1_el1" }, { 0x0c0a, "brbtgt1_el1" },
    { 0x0c0c, "brbinf17_el1" }, { 0x0c0d, "brbsrc17_el1" }, { 0x0c0e, "brbtgt17_el1" },
    { 0x0c10, "brbinf2_el1" }, { 0x0c11, "brbsrc2_el1" }, { 0x0c12, "brbtgt2_el1" },
    { 0x0c14, "brbinf18_el1" }, { 0x0c15, "brbsrc18_el1" }, { 0x0c16, "brbtgt18_el1" },
    { 0x0c18, "brbinf3_el1" }, { 0x0c19, "brbsrc3_el1" }, { 0x0c1a, "brbtgt3_el1" },
    { 0x0c1c, "brbinf19_el1" }, { 0x0c1d, "brbsrc19_el1" }, { 0x0c1e, "brbtgt19_el1" },
    { 0x0c20, "brbinf4_el1" }, { 0x0c21, "brbsrc4_el1" }, { 0x0c22, "brbtgt4_el1" },
    { 0x0c24, "brbinf20_el1" }, { 0x0c25, "brbsrc20_el1" }, { 0x0c26, "brbtgt20_el1" },
    { 0x0c28, "brbinf5_el1" }, { 0x0c29, "brbsrc5_el1" }, { 0x0c2a, "brbtgt5_el1" },
    { 0x0c2c, "brbinf21_el1" }, { 0x0c2d, "brbsrc21_el1" }, { 0x0c2e, "brbtgt21_el1" },
    { 0x0c30, "brbinf6_el1" }, { 0x0c31, "brbsrc6_el1" }, { 0x0c32, "brbtgt6_el1" },
    { 0x0c34, "brbinf22_el1" }, { 0x0c35, "brbsrc22_el1" }, { 0x0c36, "brbtgt22_el1" },
    { 0x0c38, "brbinf7_el1" }, { 0x0c39, "brbsrc7_el1" }, { 0x0c3a, "brbtgt7_el1" },
    { 0x0c3c, "brbinf23_el1" }, { 0x0c3d, "brbsrc23_el1" }, { 0x0c3e, "brbtgt23_el1" },
    { 0x0c40, "brbinf8_el1" }, { 0x0c41, "brbsrc8_el1" }, { 0x0c42, "brbtgt8_el1" },
    { 0x0c44, "brbinf24_el1" }, { 0x0c45, "brbsrc24_el1" }, { 0x0c46, "brbtgt24_el1" },
    { 0x0c48, "brbinf9_el1" }, { 0x0c49, "brbsrc9_el1" }, { 0x0c4a, "brbtgt9_el1" },
    { 0x0c4c, "brbinf25_el1" }, { 0x0c4d, "brbsrc25_el1" }, { 0x0c4e, "brbtgt25_el1" },
    { 0x0c50, "brbinf10_el1" }, { 0x0c51, "brbsrc10_el1" }, { 0x0c52, "brbtgt10_el1" },
    { 0x0c54, "brbinf26_el1" }, { 0x0c55, "brbsrc26_el1" }, { 0x0c56, "brbtgt26_el1" },
    { 0x0c58, "brbinf11_el1" }, { 0x0c59, "brbsrc11_el1" }, { 0x0c5a, "brbtgt11_el1" },
    { 0x0c5c, "brbinf27_el1" }, { 0x0c5d, "brbsrc27_el1" }, { 0x0c5e, "brbtgt27_el1" },
    { 0x0c60, "brbinf12_el1" }, { 0x0c61, "brbsrc12_el1" }, { 0x0c62, "brbtgt12_el1" },
    { 0x0c64, "brbinf28_el1" }, { 0x0c65, "brbsrc28_el1" }, { 0x0c66, "brbtgt28_el1" },
    { 0x0c68, "brbinf13_el1" }, { 0x0c69, "brbsrc13_el1" }, { 0x0c6a, "brbtgt13_el1" },
    { 0x0c6c, "brbinf29_el1" }, { 0x0c6d, "brbsrc29_el1" }, { 0x0c6e, "brbtgt29_el1" },
    { 0x0c70, "brbinf14_el1" }, { 0x0c71, "brbsrc14_el1" }, { 0x0c72, "brbtgt14_el1" },
    { 0x0c74, "brbinf30_el1" }, { 0x0c75, "brbsrc30_el1" }, { 0x0c76, "brbtgt30_el1" },
    { 0x0c78, "brbinf15_el1" }, { 0x0c79, "brbsrc15_el1" }, { 0x0c7a, "brbtgt15_el1" },
    { 0x0c7c, "brbinf31_el1" }, { 0x0c7d, "brbsrc31_el1" }, { 0x0c7e, "brbtgt31_el1" },
    { 0x0c80, "brbcr_el1" }, { 0x0c81, "brbfcr_el1" }, { 0x0c82, "brbts_el1" },
    { 0x0c88, "brbinfinj_el1" }, { 0x0c89, "brbsrcinj_el1" }, { 0x0c8a, "brbtgtinj_el1" },
    { 0x0c90, "brbidr0_el1" }, { 0x1000, "teecr32_el1" }, { 0x1080, "teehbr32_el1" },
    { 0x1c00, "csrcr_el0" }, { 0x1c01, "csrptr_el0" }, { 0x1c02, "csridr_el0" },
    { 0x1c03, "csrptridx_el0" }, { 0x2038, "dbgvcr32_el2" }, { 0x2400, "csrcr_el2" },
    { 0x2401, "csrptr_el2" }, { 0x2403, "csrptridx_el2" }, { 0x2480, "brbcr_el2" },
    { 0x2c00, "csrcr_el12" }, { 0x2c01, "csrptr_el12" }, { 0x2c80, "brbcr_el12" },
    { 0x4004, "mpuir_el1" }, { 0x4085, "rgsr_el1" }, { 0x4086, "gcr_el1" },
    { 0x4090, "zcr_el1" }, { 0x4091, "trfcr_el1" }, { 0x4094, "smpri_el1" },
    { 0x4096, "smcr_el1" }, { 0x4108, "apiakeylo_el1" }, { 0x4109, "apiakeyhi_el1" },
    { 0x410a, "apibkeylo_el1" }, { 0x410b, "apibkeyhi_el1" }, { 0x4110, "apdakeylo_el1" },
    { 0x4111, "apdakeyhi_el1" }, { 0x4112, "apdbkeylo_el1" }, { 0x4113, "apdbkeyhi_el1" },
    { 0x4118, "apgakeylo_el1" }, { 0x4119, "apgakeyhi_el1" }, { 0x4213, "pan" },
    { 0x4214, "uao" }, { 0x4218, "allint" }, { 0x4230, "icc_pmr_el1" },
    { 0x4298, "erridr_el1" }, { 0x4299, "errselr_el1" }, { 0x42a0, "erxfr_el1" },
    { 0x42a1, "erxctlr_el1" }, { 0x42a2, "erxstatus_el1" }, { 0x42a3, "erxaddr_el1" },
    { 0x42a4, "erxpfgf_el1" }, { 0x42a5, "erxpfgctl_el1" }, { 0x42a6, "erxpfgcdn_el1" },
    { 0x42a8, "erxmisc0_el1" }, { 0x42a9, "erxmisc1_el1" }, { 0x42aa, "erxmisc2_el1" },
    { 0x42ab, "erxmisc3_el1" }, { 0x42b0, "tfsr_el1" }, { 0x42b1, "tfsre0_el1" },
    { 0x4309, "prenr_el1" }, { 0x4311, "prselr_el1" }, { 0x4340, "prbar_el1" },
    { 0x4341, "prlar_el1" }, { 0x4344, "prbar1_el1" }, { 0x4345, "prlar1_el1" },
    { 0x4348, "prbar2_el1" }, { 0x4349, "prlar2_el1" }, { 0x434c, "prbar3_el1" },
    { 0x434d, "prlar3_el1" }, { 0x4350, "prbar4_el1" }, { 0x4351, "prlar4_el1" },
    { 0x4354, "prbar5_el1" }, { 0x4355, "prlar5_el1" }, { 0x4358, "prbar6_el1" },
    { 0x4359, "prlar6_el1" }, { 0x435c, "prbar7_el1" }, { 0x435d, "prlar7_el1" },
    { 0x4360, "prbar8_el1" }, { 0x4361, "prlar8_el1" }, { 0x4364, "prbar9_el1" },
    { 0x4365, "prlar9_el1" }, { 0x4368, "prbar10_el1" }, { 0x4369, "prlar10_el1" },
    { 0x436c, "prbar11_el1" }, { 0x436d, "prlar11_el1" }, { 0x4370, "prbar12_el1" },
    { 0x4371, "prlar12_el1" }, { 0x4374, "prbar13_el1" }, { 0x4375, "prlar13_el1" },
    { 0x4378, "prbar14_el1" }, { 0x4379, "prlar14_el1" }, { 0x437c, "prbar15_el1" },
    { 0x437d, "prlar15_el1" }, { 0x44c8, "pmscr_el1" }, { 0x44c9, "pmsnevfr_el1" },
    { 0x44ca, "pmsicr_el1" }, { 0x44cb, "pmsirr_el1" }, { 0x44cc, "pmsfcr_el1" },
    { 0x44cd, "pmsevfr_el1" }, { 0x44ce, "pmslatfr_el1" }, { 0x44cf, "pmsidr_el1" },
    { 0x44d0, "pmblimitr_el1" }, { 0x44d1, "pmbptr_el1" }, { 0x44d3, "pmbsr_el1" },
    { 0x44d7, "pmbidr_el1" }, { 0x44d8, "trblimitr_el1" }, { 0x44d9, "trbptr_el1" },
    { 0x44da, "trbbaser_el1" }, { 0x44db, "trbsr_el1" }, { 0x44dc, "trbmar_el1" },
    { 0x44de, "trbtrg_el1" }, { 0x44df, "trbidr_el1" }, { 0x44f1, "pmintenset_el1" },
    { 0x44f2, "pmintenclr_el1" }, { 0x44f6, "pmmir_el1" }, { 0x4520, "lorsa_el1" },
    { 0x4521, "lorea_el1" }, { 0x4522, "lorn_el1" }, { 0x4523, "lorc_el1" },
    { 0x4524, "mpamidr_el1" }, { 0x4527, "lorid_el1" }, { 0x4528, "mpam1_el1" },
    { 0x4529, "mpam0_el1" }, { 0x452b, "mpamsm_el1" }, { 0x4602, "rmr_el1" },
    { 0x4609, "disr_el1" }, { 0x4640, "icc_iar0_el1" }, { 0x4641, "icc_eoir0_el1" },
    { 0x4642, "icc_hppir0_el1" }, { 0x4643, "icc_bpr0_el1" }, { 0x4644, "icc_ap0r0_el1" },
    { 0x4645, "icc_ap0r1_el1" }, { 0x4646, "icc_ap0r2_el1" }, { 0x4647, "icc_ap0r3_el1" },
    { 0x4648, "icc_ap1r0_el1" }, { 0x4649, "icc_ap1r1_el1" }, { 0x464a, "icc_ap1r2_el1" },
    { 0x464b, "icc_ap1r3_el1" }, { 0x464d, "icc_nmiar1_el1" }, { 0x4659, "icc_dir_el1" },
    { 0x465b, "icc_rpr_el1" }, { 0x465d, "icc_sgi1r_el1" }, { 0x465e, "icc_asgi1r_el1" },
    { 0x465f, "icc_sgi0r_el1" }, { 0x4660, "icc_iar1_el1" }, { 0x4661, "icc_eoir1_el1" },
    { 0x4662, "icc_hppir1_el1" }, { 0x4663, "icc_bpr1_el1" }, { 0x4664, "icc_ctlr_el1" },
    { 0x4665, "icc_sre_el1" }, { 0x4666, "icc_igrpen0_el1" }, { 0x4667, "icc_igrpen1_el1" },
    { 0x4685, "accdata_el1" }, { 0x4687, "scxtnum_el1" }, { 0x4802, "ccsidr2_el1" },
    { 0x4804, "gmid_el1" }, { 0x4806, "smidr_el1" }, { 0x5920, "rndr" },
    { 0x5921, "rndrrs" }, { 0x5a12, "svcr" }, { 0x5a15, "dit" },
    { 0x5a16, "ssbs" }, { 0x5a17, "tco" }, { 0x5a28, "dspsr_el0" },
    { 0x5a29, "dlr_el0" }, { 0x5ce0, "pmcr_el0" }, { 0x5ce1, "pmcntenset_el0" },
    { 0x5ce2, "pmcntenclr_el0" }, { 0x5ce3, "pmovsclr_el0" }, { 0x5ce4, "pmswinc_el0" },
    { 0x5ce5, "pmselr_el0" }, { 0x5ce6, "pmceid0_el0" }, { 0x5ce7, "pmceid1_el0" },
    { 0x5ce8, "pmccntr_el0" }, { 0x5ce9, "pmxevtyper_el0" }, { 0x5cea, "pmxevcntr_el0" },
    { 0x5cf0, "pmuserenr_el0" }, { 0x5cf3, "pmovsset_el0" }, { 0x5e85, "tpidr2_el0" },
    { 0x5e87, "scxtnum_el0" }, { 0x5e90, "amcr_el0" }, { 0x5e91, "amcfgr_el0" },
    { 0x5e92, "amcgcr_el0" }, { 0x5e93, "amuserenr_el0" }, { 0x5e94, "amcntenclr0_el0" },
    { 0x5e95, "amcntenset0_el0" }, { 0x5e96, "amcg1idr_el0" }, { 0x5e98, "amcntenclr1_el0" },
    { 0x5e99, "amcntenset1_el0" }, { 0x5ea0, "amevcntr00_el0" }, { 0x5ea1, "amevcntr01_el0" },
    { 0x5ea2, "amevcntr02_el0" }, { 0x5ea3, "amevcntr03_el0" }, { 0x5eb0, "amevtyper00_el0" },
    { 0x5eb1, "amevtyper01_el0" }, { 0x5eb2, "amevtyper02_el0" }, { 0x5eb3, "amevtyper03_el0" },
    { 0x5ee0, "amevcntr10_el0" }, { 0x5ee1, "amevcntr11_el0" }, { 0x5ee2, "amevcntr12_el0" },
    { 0x5ee3, "amevcntr13_el0" }, { 0x5ee4, "amevcntr14_el0" }, { 0x5ee5, "amevcntr15_el0" },
    { 0x5ee6, "amevcntr16_el0" }, { 0x5ee7, "amevcntr17_el0" }, { 0x5ee8, "amevcntr18_el0" },
    { 0x5ee9, "amevcntr19_el0" }, { 0x5eea, "amevcntr110_el0" }, { 0x5eeb, "amevcntr111_el0" },
    { 0x5eec, "amevcntr112_el0" }, { 0x5eed, "amevcntr113_el0" }, { 0x5eee, "amevcntr114_el0" },
    { 0x5eef, "amevcntr115_el0" }, { 0x5ef0, "amevtyper10_el0" }, { 0x5ef1, "amevtyper11_el0" },
    { 0x5ef2, "amevtyper12_el0" }, { 0x5ef3, "amevtyper13_el0" }, { 0x5ef4, "amevtyper14_el0" },
    { 0x5ef5, "amevtyper15_el0" }, { 0x5ef6, "amevtyper16_el0" }, { 0x5ef7, "amevtyper17_el0" },
    { 0x5ef8, "amevtyper18_el0" }, { 0x5ef9, "amevtyper19_el0" }, { 0x5efa, "amevtyper110_el0" },
    { 0x5efb, "amevtyper111_el0" }, { 0x5efc, "amevtyper112_el0" }, { 0x5efd, "amevtyper113_el0" },
    { 0x5efe, "amevtyper114_el0" }, { 0x5eff, "amevtyper115_el0" }, { 0x5f05, "cntpctss_el0" },
    { 0x5f06, "cntvctss_el0" }, { 0x5f40, "pmevcntr0_el0" }, { 0x5f41, "pmevcntr1_el0" },
    { 0x5f42, "pmevcntr2_el0" }, { 0x5f43, "pmevcntr3_el0" }, { 0x5f44, "pmevcntr4_el0" },
    { 0x5f45, "pmevcntr5_el0" }, { 0x5f46, "pmevcntr6_el0" }, { 0x5f47, "pmevcntr7_el0" },
    { 0x5f48, "pmevcntr8_el0" }, { 0x5f49, "pmevcntr9_el0" }, { 0x5f4a, "pmevcntr10_el0" },
    { 0x5f4b, "pmevcntr11_el0" }, { 0x5f4c, "pmevcntr12_el0" }, { 0x5f4d, "pmevcntr13_el0" },
    { 0x5f4e, "pmevcntr14_el0" }, { 0x5f4f, "pmevcntr15_el0" }, { 0x5f50, "pmevcntr16_el0" },
    { 0x5f51, "pmevcntr17_el0" }, { 0x5f52, "pmevcntr18_el0" }, { 0x5f53, "pmevcntr19_el0" },
    { 0x5f54, "pmevcntr20_el0" }, { 0x5f55, "pmevcntr21_el0" }, { 0x5f56, "pmevcntr22_el0" },
    { 0x5f57, "pmevcntr23_el0" }, { 0x5f58, "pmevcntr24_el0" }, { 0x5f59, "pmevcntr25_el0" },
    { 0x5f5a, "pmevcntr26_el0" }, { 0x5f5b, "pmevcntr27_el0" }, { 0x5f5c, "pmevcntr28_el0" },
    { 0x5f5d, "pmevcntr29_el0" }, { 0x5f5e, "pmevcntr30_el0" }, { 0x5f60, "pmevtyper0_el0" },
    { 0x5f61, "pmevtyper1_el0" }, { 0x5f62, "pmevtyper2_el0" }, { 0x5f63, "pmevtyper3_el0" },
    { 0x5f64, "pmevtyper4_el0" }, { 0x5f65, "pmevtyper5_el0" }, { 0x5f66, "pmevtyper6_el0" },
    { 0x5f67, "pmevtyper7_el0" }, { 0x5f68, "pmevtyper8_el0" }, { 0x5f69, "pmevtyper9_el0" },
    { 0x5f6a, "pmevtyper10_el0" }, { 0x5f6b, "pmevtyper11_el0" }, { 0x5f6c, "pmevtyper12_el0" },
    { 0x5f6d, "pmevtyper13_el0" }, { 0x5f6e, "pmevtyper14_el0" }, { 0x5f6f, "pmevtyper15_el0" },
    { 0x5f70, "pmevtyper16_el0" }, { 0x5f71, "pmevtyper17_el0" }, { 0x5f72, "pmevtyper18_el0" },
    { 0x5f73, "pmevtyper19_el0" }, { 0x5f74, "pmevtyper20_el0" }, { 0x5f75, "pmevtyper21_el0" },
    { 0x5f76, "pmevtyper22_el0" }, { 0x5f77, "pmevtyper23_el0" }, { 0x5f78, "pmevtyper24_el0" },
    { 0x5f79, "pmevtyper25_el0" }, { 0x5f7a, "pmevtyper26_el0" }, { 0x5f7b, "pmevtyper27_el0" },
    { 0x5f7c, "pmevtyper28_el0" }, { 0x5f7d, "pmevtyper29_el0" }, { 0x5f7e, "pmevtyper30_el0" },
    { 0x5f7f, "pmccfiltr_el0" }, { 0x6000, "vpidr_el2" }, { 0x6004, "mpuir_el2" },
    { 0x6005, "vmpidr_el2" }, { 0x6080, "sctlr_el2" }, { 0x6081, "actlr_el2" },
    { 0x6088, "hcr_el2" }, { 0x6089, "mdcr_el2" }, { 0x608a, "cptr_el2" },
    { 0x608b, "hstr_el2" }, { 0x608c, "hfgrtr_el2" }, { 0x608d, "hfgwtr_el2" },
    { 0x608e, "hfgitr_el2" }, { 0x608f, "hacr_el2" }, { 0x6090, "zcr_el2" },
    { 0x6091, "trfcr_el2" }, { 0x6092, "hcrx_el2" }, { 0x6095, "smprimap_el2" },
    { 0x6096, "smcr_el2" }, { 0x6099, "sder32_el2" }, { 0x6100, "ttbr0_el2" },
    { 0x6101, "ttbr1_el2" }, { 0x6102, "tcr_el2" }, { 0x6108, "vttbr_el2" },
    { 0x610a, "vtcr_el2" }, { 0x6110, "vncr_el2" }, { 0x6130, "vsttbr_el2" },
    { 0x6132, "vstcr_el2" }, { 0x6180, "dacr32_el2" }, { 0x618c, "hdfgrtr_el2" },
    { 0x618d, "hdfgwtr_el2" }, { 0x618e, "hafgrtr_el2" }, { 0x6200, "spsr_el2" },
    { 0x6201, "elr_el2" }, { 0x6208, "sp_el1" }, { 0x6218, "spsr_irq" },
    { 0x6219, "spsr_abt" }, { 0x621a, "spsr_und" }, { 0x621b, "spsr_fiq" },
    { 0x6281, "ifsr32_el2" }, { 0x6288, "afsr0_el2" }, { 0x6289, "afsr1_el2" },
    { 0x6290, "esr_el2" }, { 0x6293, "vsesr_el2" }, { 0x6298, "fpexc32_el2" },
    { 0x62b0, "tfsr_el2" }, { 0x6300, "far_el2" }, { 0x6304, "hpfar_el2" },
    { 0x6309, "prenr_el2" }, { 0x6311, "prselr_el2" }, { 0x6340, "prbar_el2" },
    { 0x6341, "prlar_el2" }, { 0x6344, "prbar1_el2" }, { 0x6345, "prlar1_el2" },
    { 0x6348, "prbar2_el2" }, { 0x6349, "prlar2_el2" }, { 0x634c, "prbar3_el2" },
    { 0x634d, "prlar3_el2" }, { 0x6350, "prbar4_el2" }, { 0x6351, "prlar4_el2" },
    { 0x6354, "prbar5_el2" }, { 0x6355, "prlar5_el2" }, { 0x6358, "prbar6_el2" },
    { 0x6359, "prlar6_el2" }, { 0x635c, "prbar7_el2" }, { 0x635d, "prlar7_el2" },
    { 0x6360, "prbar8_el2" }, { 0x6361, "prlar8_el2" }, { 0x6364, "prbar9_el2" },
    { 0x6365, "prlar9_el2" }, { 0x6368, "prbar10_el2" }, { 0x6369, "prlar10_el2" },
    { 0x636c, "prbar11_el2" }, { 0x636d, "prlar11_el2" }, { 0x6370, "prbar12_el2" },
    { 0x6371, "prlar12_el2" }, { 0x6374, "prbar13_el2" }, { 0x6375, "prlar13_el2" },
    { 0x6378, "prbar14_el2" }, { 0x6379, "prlar14_el2" }, { 0x637c, "prbar15_el2" },
    { 0x637d, "prlar15_el2" }, { 0x64c8, "pmscr_el2" }, { 0x6510, "mair_el2" },
    { 0x6518, "amair_el2" }, { 0x6520, "mpamhcr_el2" }, { 0x6521, "mpamvpmv_el2" },
    { 0x6528, "mpam2_el2" }, { 0x6530, "mpamvpm0_el2" }, { 0x6531, "mpamvpm1_el2" },
    { 0x6532, "mpamvpm2_el2" }, { 0x6533, "mpamvpm3_el2" }, { 0x6534, "mpamvpm4_el2" },
    { 0x6535, "mpamvpm5_el2" }, { 0x6536, "mpamvpm6_el2" }, { 0x6537, "mpamvpm7_el2" },
    { 0x6600, "vbar_el2" }, { 0x6601, "rvbar_el2" }, { 0x6602, "rmr_el2" },
    { 0x6609, "vdisr_el2" }, { 0x6640, "ich_ap0r0_el2" }, { 0x6641, "ich_ap0r1_el2" },
    { 0x6642, "ich_ap0r2_el2" }, { 0x6643, "ich_ap0r3_el2" }, { 0x6648, "ich_ap1r0_el2" },
    { 0x6649, "ich_ap1r1_el2" }, { 0x664a, "ich_ap1r2_el2" }, { 0x664b, "ich_ap1r3_el2" },
    { 0x664d, "icc_sre_el2" }, { 0x6658, "ich_hcr_el2" }, { 0x6659, "ich_vtr_el2" },
    { 0x665a, "ich_misr_el2" }, { 0x665b, "ich_eisr_el2" }, { 0x665d, "ich_elrsr_el2" },
    { 0x665f, "ich_vmcr_el2" }, { 0x6660, "ich_lr0_el2" }, { 0x6661, "ich_lr1_el2" },
    { 0x6662, "ich_lr2_el2" }, { 0x6663, "ich_lr3_el2" }, { 0x6664, "ich_lr4_el2" },
    { 0x6665, "ich_lr5_el2" }, { 0x6666, "ich_lr6_el2" }, { 0x6667, "ich_lr7_el2" },
    { 0x6668, "ich_lr8_el2" }, { 0x6669, "ich_lr9_el2" }, { 0x666a, "ich_lr10_el2" },
    { 0x666b, "ich_lr11_el2" }, { 0x666c, "ich_lr12_el2" }, { 0x666d, "ich_lr13_el2" },
    { 0x666e, "ich_lr14_el2" }, { 0x666f, "ich_lr15_el2" }, { 0x6681, "contextidr_el2" },
    { 0x6682, "tpidr_el2" }, { 0x6687, "scxtnum_el2" }, { 0x66c0, "amevcntvoff00_el2" },
    { 0x66c1, "amevcntvoff01_el2" }, { 0x66c2, "amevcntvoff02_el2" }, { 0x66c3, "amevcntvoff03_el2" },
    { 0x66c4, "amevcntvoff04_el2" }, { 0x66c5, "amevcntvoff05_el2" }, { 0x66c6, "amevcntvoff06_el2" },
    { 0x66c7, "amevcntvoff07_el2" }, { 0x66c8, "amevcntvoff08_el2" }, { 0x66c9, "amevcntvoff09_el2" },
    { 0x66ca, "amevcntvoff010_el2" }, { 0x66cb, "amevcntvoff011_el2" }, { 0x66cc, "amevcntvoff012_el2" },
    { 0x66cd, "amevcntvoff013_el2" }, { 0x66ce, "amevcntvoff014_el2" }, { 0x66cf, "amevcntvoff015_el2" },
    { 0x66d0, "amevcntvoff10_el2" }, { 0x66d1, "amevcntvoff11_el2" }, { 0x66d2, "amevcntvoff12_el2" },
    { 0x66d3, "amevcntvoff13_el2" }, { 0x66d4, "amevcntvoff14_el2" }, { 0x66d5, "amevcntvoff15_el2" },
    { 0x66d6, "amevcntvoff16_el2" }, { 0x66d7, "amevcntvoff17_el2" }, { 0x66d8, "amevcntvoff18_el2" },
    { 0x66d9, "amevcntvoff19_el2" }, { 0x66da, "amevcntvoff110_el2" }, { 0x66db, "amevcntvoff111_el2" },
    { 0x66dc, "amevcntvoff112_el2" }, { 0x66dd, "amevcntvoff113_el2" }, { 0x66de, "amevcntvoff114_el2" },
    { 0x66df, "amevcntvoff115_el2" }, { 0x6703, "cntvoff_el2" }, { 0x6706, "cntpoff_el2" },
    { 0x6708, "cnthctl_el2" }, { 0x6710, "cnthp_tval_el2" }, { 0x6711, "cnthp_ctl_el2" },
    { 0x6712, "cnthp_cval_el2" }, { 0x6718, "cnthv_tval_el2" }, { 0x6719, "cnthv_ctl_el2" },
    { 0x671a, "cnthv_cval_el2" }, { 0x6720, "cnthvs_tval_el2" }, { 0x6721, "cnthvs_ctl_el2" },
    { 0x6722, "cnthvs_cval_el2" }, { 0x6728, "cnthps_tval_el2" }, { 0x6729, "cnthps_ctl_el2" },
    { 0x672a, "cnthps_cval_el2" }, { 0x6880, "sctlr_el12" }, { 0x6882, "cpacr_el12" },
    { 0x6890, "zcr_el12" }, { 0x6891, "trfcr_el12" }, { 0x6896, "smcr_el12" },
    { 0x6900, "ttbr0_el12" }, { 0x6901, "ttbr1_el12" }, { 0x6902, "tcr_el12" },
    { 0x6a00, "spsr_el12" }, { 0x6a01, "elr_el12" }, { 0x6a88, "afsr0_el12" },
    { 0x6a89, "afsr1_el12" }, { 0x6a90, "esr_el12" }, { 0x6ab0, "tfsr_el12" },
    { 0x6b00, "far_el12" }, { 0x6cc8, "pmscr_el12" }, { 0x6d10, "mair_el12" },
    { 0x6d18, "amair_el12" }, { 0x6d28, "mpam1_el12" }, { 0x6e00, "vbar_el12" },
    { 0x6e81, "contextidr_el12" }, { 0x6e87, "scxtnum_el12" }, { 0x6f08, "cntkctl_el12" },
    { 0x6f10, "cntp_tval_el02" }, { 0x6f11, "cntp_ctl_el02" }, { 0x6f12, "cntp_cval_el02" },
    { 0x6f18, "cntv_tval_el02" }, { 0x6f19, "cntv_ctl_el02" }, { 0x6f1a, "cntv_cval_el02" },
    { 0x7080, "sctlr_el3" }, { 0x7081, "actlr_el3" }, { 0x7088, "scr_el3" },
    { 0x7089, "sder32_el3" }, { 0x708a, "cptr_el3" }, { 0x7090, "zcr_el3" },
    { 0x7096, "smcr_el3" }, { 0x7099, "mdcr_el3" }, { 0x7100, "ttbr0_el3" },
    { 0x7102, "tcr_el3" }, { 0x710c, "gptbr_el3" }, { 0x710e, "gpccr_el3" },
    { 0x7200, "spsr_el3" }, { 0x7201, "elr_el3" }, { 0x7208, "sp_el2" },
    { 0x7288, "afsr0_el3" }, { 0x7289, "afsr1_el3" }, { 0x7290, "esr_el3" },
    { 0x72b0, "tfsr_el3" }, { 0x7300, "far_el3" }, { 0x7305, "mfar_el3" },
    { 0x7510, "mair_el3" }, { 0x7518, "amair_el3" }, { 0x7528, "mpam3_el3" },
    { 0x7600, "vbar_el3" }, { 0x7601, "rvbar_el3" }, { 0x7602, "rmr_el3" },
    { 0x7664, "icc_ctlr_el3" }, { 0x7665, "icc_sre_el3" }, { 0x7667, "icc_igrpen1_el3" },
    { 0x7682, "tpidr_el3" }, { 0x7687, "scxtnum_el3" }, { 0x7f10, "cntps_tval_el1" },
    { 0x7f11, "cntps_ctl_el1" }, { 0x7f12, "cntps_cval_el1" },
};

static const char *other_name(uint32_t id)
{
    size_t lo = 0, hi = COUNT(other_names);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (other_names[mid].id == id)
            return other_names[mid].name;
        if (other_names[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static size_t put_uint(char *buf, size_t size, size_t at, unsigned v)
{
    char digits[4];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof digits);
    while (n) {
        char c = digits[--n];
        if (at + 1 < size)
            buf[at] = c;
        at++;
    }
    return at;
}

static size_t put_str(char *buf, size_t size, size_t at, const char *s)
{
    for (; *s; s++, at++)
        if (at + 1 < size)
            buf[at] = *s;
    return at;
}

size_t a64_sysreg_format_name(uint32_t id, bool write, char *buf, size_t size)
{
    id &= A64_SYSREG_ID_MASK;
    const struct a64_sysreg *r = a64_sysreg_find(id);
    const char *other = r ? NULL : other_name(id);
    size_t at = 0;
    if (r) {
        at = put_str(buf, size, 0, write && r->write_name ? r->write_name : r->name);
    } else if (other) {
        at = put_str(buf, size, 0, other);
    } else {
        /* objdump's generic form: s<op0>_<op1>_c<CRn>_c<CRm>_<op2> */
        at = put_str(buf, size, at, "s");
        at = put_uint(buf, size, at, (id >> 14) + 2);
        at = put_str(buf, size, at, "_");
        at = put_uint(buf, size, at, (id >> 11) & 7);
        at = put_str(buf, size, at, "_c");
        at = put_uint(buf, size, at, (id >> 7) & 15);
        at = put_str(buf, size, at, "_c");
        at = put_uint(buf, size, at, (id >> 3) & 15);
        at = put_str(buf, size, at, "_");
        at = put_uint(buf, size, at, id & 7);
    }
    if (size)
        buf[at < size ? at : size - 1] = '\0';
    return at;
}

const char *a64_sysreg_table_name_dir(uint32_t id, bool write)
{
    const struct a64_sysreg *r = a64_sysreg_find(id & A64_SYSREG_ID_MASK);
    if (r)
        return write && r->write_name ? r->write_name : r->name;
    const char *other = other_name(id & A64_SYSREG_ID_MASK);
    if (other)
        return other;
    /* The longest generic name is "s3_7_c15_c15_7" (14 characters). */
    static char ring[16][16];
    static unsigned next;
    char *buf = ring[__atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % COUNT(ring)];
    a64_sysreg_format_name(id, write, buf, sizeof ring[0]);
    return buf;
}

const char *a64_sysreg_table_name(uint32_t id)
{
    return a64_sysreg_table_name_dir(id, false);
}

/* ---- accessors ----------------------------------------------------------------------- */

uint32_t a64_sysreg_trap_esr(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                             unsigned op2, unsigned rt, bool read)
{
    return 0x18u << 26 | 1u << 25 | (op0 & 3u) << 20 | (op2 & 7u) << 17 | (op1 & 7u) << 14 |
           (crn & 15u) << 10 | (rt & 31u) << 5 | (crm & 15u) << 1 | (read ? 1u : 0u);
}

static uint32_t trap_esr_for(uint32_t id, unsigned rt, bool read)
{
    return a64_sysreg_trap_esr((id >> 14) + 2, (id >> 11) & 7, (id >> 7) & 15, (id >> 3) & 15,
                               id & 7, rt, read);
}

/* EC 0x07 from AArch64 as QEMU reports it: IL, CV=1, COND=0xe. */
#define ESR_FP_ACCESS (0x07u << 26 | 1u << 25 | 1u << 24 | 0xeu << 20)

static enum a64_sysreg_status set_status(enum a64_sysreg_status st, uint32_t esr_value,
                                         uint32_t *esr)
{
    if (esr)
        *esr = esr_value;
    return st;
}

/* The static rights, then the entry's run-time condition. */
static enum a64_sysreg_status access_check(struct a64_cpu_regs *cpu, const struct a64_sysreg *r,
                                           uint32_t id, unsigned el, unsigned rt, bool write,
                                           uint32_t *esr)
{
    if (!r || !cpu || !cpu->sys || el > 1)
        return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
    unsigned rights = el == 0 ? r->el0 : r->el1;
    if (!(rights & (write ? A64_SR_W : A64_SR_R)))
        return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
    const struct a64_sys_state *s = cpu->sys;
    uint32_t trap = trap_esr_for(id, rt, !write);
    switch (r->check) {
    case A64_SR_CHECK_UCT:
        if (el == 0 && !(s->sctlr_el1 & A64_SCTLR_UCT))
            return set_status(A64_SR_TRAP, trap, esr);
        break;
    case A64_SR_CHECK_UMA:
        if (el == 0 && !(s->sctlr_el1 & A64_SCTLR_UMA))
            return set_status(A64_SR_TRAP, trap, esr);
        break;
    case A64_SR_CHECK_FPEN: {
        unsigned fpen = (unsigned)(s->cpacr_el1 >> A64_CPACR_FPEN_SHIFT) & 3u;
        if (fpen == 0 || fpen == 2 || (fpen == 1 && el == 0))
            return set_status(A64_SR_TRAP, ESR_FP_ACCESS, esr);
        break;
    }
    case A64_SR_CHECK_TIMER:
        if (el == 0 && (!s->timer ||
                        !gtimer_el0_access_ok(s->timer, (enum gtimer_reg)r->value, write)))
            return set_status(A64_SR_TRAP, trap, esr);
        break;
    case A64_SR_CHECK_TDCC:
        if (el == 0 && (s->mdscr_el1 & A64_MDSCR_TDCC))
            return set_status(A64_SR_TRAP, trap, esr);
        break;
    case A64_SR_CHECK_SPSEL:
        /* With SPSel = 0 at EL1, SP_EL0 is the current SP and MRS/MSR SP_EL0 UNDEFINED. */
        if (el == 1 && !(s->spsel & 1u))
            return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
        break;
    default:
        break;
    }
    return A64_SR_OK;
}

enum a64_sysreg_status a64_sysreg_read(struct a64_cpu_regs *cpu, uint32_t id, unsigned el,
                                       unsigned rt, uint64_t *value, uint32_t *esr)
{
    id &= A64_SYSREG_ID_MASK;
    const struct a64_sysreg *r = a64_sysreg_find(id);
    enum a64_sysreg_status st = access_check(cpu, r, id, el, rt, false, esr);
    if (st != A64_SR_OK)
        return st;
    uint64_t v = 0;
    switch (r->storage) {
    case A64_SR_FIELD:
        v = *(const uint64_t *)((const char *)cpu->sys + r->offset);
        break;
    case A64_SR_CONST:
        v = r->value;
        break;
    case A64_SR_HOOK:
        v = r->read ? r->read(r, cpu, el) : 0;
        break;
    }
    if (value)
        *value = v;
    return A64_SR_OK;
}

enum a64_sysreg_status a64_sysreg_write(struct a64_cpu_regs *cpu, uint32_t id, unsigned el,
                                        unsigned rt, uint64_t value, uint32_t *esr,
                                        uint32_t *effects)
{
    id &= A64_SYSREG_ID_MASK;
    if (effects)
        *effects = 0;
    const struct a64_sysreg *r = a64_sysreg_find(id);
    enum a64_sysreg_status st = access_check(cpu, r, id, el, rt, true, esr);
    if (st != A64_SR_OK)
        return st;
    uint64_t v = (value & ~r->res0) | r->res1;
    /* END_BLOCK and IRQ_CHANGED are reported on every write of such a register;
     * MMU_CHANGED, TABLE_CHANGED and MODES_CHANGED only when the value changed. */
    uint32_t done = r->flags & (A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED);
    switch (r->storage) {
    case A64_SR_FIELD: {
        uint64_t *p = (uint64_t *)((char *)cpu->sys + r->offset);
        if (*p != v)
            done |= r->flags & (A64_SR_MMU_CHANGED | A64_SR_TABLE_CHANGED | A64_SR_MODES_CHANGED);
        *p = v;
        break;
    }
    case A64_SR_CONST:
        break;
    case A64_SR_HOOK:
        if (r->write)
            done |= r->write(r, cpu, v) & r->flags & (A64_SR_MMU_CHANGED | A64_SR_TABLE_CHANGED |
                                                      A64_SR_MODES_CHANGED | A64_SR_IRQ_CHANGED);
        break;
    }
    if (effects)
        *effects = done;
    return A64_SR_OK;
}

enum a64_sysreg_status a64_msr_imm(struct a64_cpu_regs *cpu, unsigned op1, unsigned op2,
                                   unsigned crm, unsigned el, uint32_t *esr, uint32_t *effects)
{
    if (effects)
        *effects = 0;
    op1 &= 7;
    op2 &= 7;
    crm &= 15;
    if (!cpu || !cpu->sys || el > 1)
        return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
    struct a64_sys_state *s = cpu->sys;
    if (op1 == 0 && op2 == 5) {                 /* SPSel */
        if (el == 0)
            return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
        unsigned old = s->spsel;
        a64_sys_switch_sp(cpu, 1, crm & 1u);
        if (effects)
            *effects = A64_SR_END_BLOCK | (old != (crm & 1u) ? A64_SR_MODES_CHANGED : 0);
        return A64_SR_OK;
    }
    if (op1 == 3 && (op2 == 6 || op2 == 7)) {   /* DAIFSet, DAIFClr */
        if (el == 0 && !(s->sctlr_el1 & A64_SCTLR_UMA))
            return set_status(A64_SR_TRAP, a64_sysreg_trap_esr(0, op1, 4, crm, op2, 31, false),
                              esr);
        if (op2 == 6)
            s->daif |= crm << 6;
        else
            s->daif &= ~(crm << 6);
        s->daif &= A64_DAIF_MASK;
        if (effects)
            *effects = A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED;
        return A64_SR_OK;
    }
    return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
}

/* ---- system instructions --------------------------------------------------------------- */

#define OP A64_SYS_OP
static const struct a64_sys_insn sys_insns[] = {
    { "ic ialluis",     OP(0, 7, 1, 0),  A64_SYS_IC_IALLUIS,     false, 0 },
    { "ic iallu",       OP(0, 7, 5, 0),  A64_SYS_IC_IALLU,       false, 0 },
    { "ic ivau",        OP(3, 7, 5, 1),  A64_SYS_IC_IVAU,        true,  A64_SCTLR_UCI },
    { "dc ivac",        OP(0, 7, 6, 1),  A64_SYS_DC_IVAC,        true,  0 },
    { "dc isw",         OP(0, 7, 6, 2),  A64_SYS_DC_ISW,         true,  0 },
    { "dc csw",         OP(0, 7, 10, 2), A64_SYS_DC_CSW,         true,  0 },
    { "dc cisw",        OP(0, 7, 14, 2), A64_SYS_DC_CISW,        true,  0 },
    { "dc zva",         OP(3, 7, 4, 1),  A64_SYS_DC_ZVA,         true,  A64_SCTLR_DZE },
    { "dc cvac",        OP(3, 7, 10, 1), A64_SYS_DC_CVAC,        true,  A64_SCTLR_UCI },
    { "dc cvau",        OP(3, 7, 11, 1), A64_SYS_DC_CVAU,        true,  A64_SCTLR_UCI },
    { "dc civac",       OP(3, 7, 14, 1), A64_SYS_DC_CIVAC,       true,  A64_SCTLR_UCI },
    { "at s1e1r",       OP(0, 7, 8, 0),  A64_SYS_AT_S1E1R,       true,  0 },
    { "at s1e1w",       OP(0, 7, 8, 1),  A64_SYS_AT_S1E1W,       true,  0 },
    { "at s1e0r",       OP(0, 7, 8, 2),  A64_SYS_AT_S1E0R,       true,  0 },
    { "at s1e0w",       OP(0, 7, 8, 3),  A64_SYS_AT_S1E0W,       true,  0 },
    { "tlbi vmalle1is", OP(0, 8, 3, 0),  A64_SYS_TLBI_VMALLE1IS, false, 0 },
    { "tlbi vae1is",    OP(0, 8, 3, 1),  A64_SYS_TLBI_VAE1IS,    true,  0 },
    { "tlbi aside1is",  OP(0, 8, 3, 2),  A64_SYS_TLBI_ASIDE1IS,  true,  0 },
    { "tlbi vaae1is",   OP(0, 8, 3, 3),  A64_SYS_TLBI_VAAE1IS,   true,  0 },
    { "tlbi vale1is",   OP(0, 8, 3, 5),  A64_SYS_TLBI_VALE1IS,   true,  0 },
    { "tlbi vaale1is",  OP(0, 8, 3, 7),  A64_SYS_TLBI_VAALE1IS,  true,  0 },
    { "tlbi vmalle1",   OP(0, 8, 7, 0),  A64_SYS_TLBI_VMALLE1,   false, 0 },
    { "tlbi vae1",      OP(0, 8, 7, 1),  A64_SYS_TLBI_VAE1,      true,  0 },
    { "tlbi aside1",    OP(0, 8, 7, 2),  A64_SYS_TLBI_ASIDE1,    true,  0 },
    { "tlbi vaae1",     OP(0, 8, 7, 3),  A64_SYS_TLBI_VAAE1,     true,  0 },
    { "tlbi vale1",     OP(0, 8, 7, 5),  A64_SYS_TLBI_VALE1,     true,  0 },
    { "tlbi vaale1",    OP(0, 8, 7, 7),  A64_SYS_TLBI_VAALE1,    true,  0 },
};

const struct a64_sys_insn *a64_sys_insn_find(uint32_t op)
{
    for (size_t i = 0; i < COUNT(sys_insns); i++)
        if (sys_insns[i].op == op)
            return &sys_insns[i];
    return NULL;
}

enum a64_sysreg_status a64_sys_insn_check(struct a64_cpu_regs *cpu, uint32_t op, unsigned el,
                                          unsigned rt, uint32_t *esr)
{
    const struct a64_sys_insn *in = a64_sys_insn_find(op);
    if (!in || !cpu || !cpu->sys || el > 1)
        return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
    if (el == 1)
        return A64_SR_OK;
    if (!in->el0_sctlr_bit)
        return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
    if (!(cpu->sys->sctlr_el1 & in->el0_sctlr_bit))
        return set_status(A64_SR_TRAP,
                          a64_sysreg_trap_esr(1, (op >> 11) & 7, (op >> 7) & 15, (op >> 3) & 15,
                                              op & 7, rt, false),
                          esr);
    return A64_SR_OK;
}

enum a64_sysreg_status a64_wfx_check(const struct a64_sys_state *s, unsigned el, bool wfe,
                                     uint32_t *esr)
{
    if (!s || el > 1)
        return set_status(A64_SR_UNDEFINED, A64_ESR_UNDEFINED, esr);
    if (el == 0 && !(s->sctlr_el1 & (wfe ? A64_SCTLR_NTWE : A64_SCTLR_NTWI)))
        return set_status(A64_SR_TRAP, 0x01u << 26 | 1u << 25 | 1u << 24 | 0xeu << 20 |
                                       (wfe ? 1u : 0u), esr);
    return A64_SR_OK;
}

/* ---- state --------------------------------------------------------------------------- */

void a64_sys_state_init(struct a64_sys_state *s, unsigned cpu_index, struct gtimer *timer,
                        uint64_t (*now)(void *ctx), void *counter_ctx)
{
    *s = (struct a64_sys_state){
        .sctlr_el1 = A64_SCTLR_RES1 | A64_SCTLR_SA | A64_SCTLR_SA0 | A64_SCTLR_NTWI |
                     A64_SCTLR_NTWE,
        .oslsr_el1 = 0x8 | 0x2,     /* OSLM = 0b10, OSLK = 1: the OS lock is set at reset */
        .daif = A64_DAIF_MASK,
        .spsel = 1,
        .el = 1,
        .cpu_index = cpu_index,
        .timer = timer,
        .counter_now = now,
        .counter_ctx = counter_ctx,
    };
}

void a64_sys_switch_sp(struct a64_cpu_regs *cpu, unsigned new_el, unsigned new_spsel)
{
    struct a64_sys_state *s = cpu->sys;
    bool cur_elx = s->el != 0 && (s->spsel & 1u);
    bool new_elx = new_el != 0 && (new_spsel & 1u);
    if (cur_elx != new_elx) {
        uint64_t sp = cpu->get_sp ? cpu->get_sp(cpu->ctx) : 0;
        if (cur_elx)
            s->sp_el1 = sp;
        else
            s->sp_el0 = sp;
        if (cpu->set_sp)
            cpu->set_sp(cpu->ctx, new_elx ? s->sp_el1 : s->sp_el0);
    }
    s->el = (uint8_t)(new_el ? 1 : 0);
    s->spsel = (uint8_t)(new_spsel & 1u);
}
