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
/* Reads as zero, ignores writes (IMPLEMENTATION DEFINED registers Ferry has nothing in). */
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
    /* op0 = 2: debug (sorted by id) */
    BP(0), WP(0),
    BP(1), WP(1),
    FIELD("mdccint_el1", ID(2, 0, 0, 2, 0), mdccint_el1, ~0x60000000ull, 0),
    FIELD("mdscr_el1", ID(2, 0, 0, 2, 2), mdscr_el1, ~MDSCR_RW, EB | MODES),
    BP(2), WP(2),
    BP(3), WP(3),
    BP(4),
    BP(5),
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
    FIELD("ttbr0_el1", ID(3, 0, 2, 0, 0), ttbr0_el1, 1, EB | MMU),
    FIELD("ttbr1_el1", ID(3, 0, 2, 0, 1), ttbr1_el1, 1, EB | MMU),
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
    size_t at = 0;
    if (r) {
        at = put_str(buf, size, 0, write && r->write_name ? r->write_name : r->name);
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
     * MMU_CHANGED and MODES_CHANGED only when the value changed. */
    uint32_t done = r->flags & (A64_SR_END_BLOCK | A64_SR_IRQ_CHANGED);
    switch (r->storage) {
    case A64_SR_FIELD: {
        uint64_t *p = (uint64_t *)((char *)cpu->sys + r->offset);
        if (*p != v)
            done |= r->flags & (A64_SR_MMU_CHANGED | A64_SR_MODES_CHANGED);
        *p = v;
        break;
    }
    case A64_SR_CONST:
        break;
    case A64_SR_HOOK:
        if (r->write)
            done |= r->write(r, cpu, v) & r->flags & (A64_SR_MMU_CHANGED | A64_SR_MODES_CHANGED |
                                                      A64_SR_IRQ_CHANGED);
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
