/* The AArch64 system registers of a system-mode CPU (EL0/EL1, no EL2/EL3) as one table:
 * name, encoding, access rights per EL, storage or hooks, the write masks and the side
 * effects a write has. MRS/MSR (register and immediate forms), the EL0 trap rules of
 * the system instructions (DC, IC, AT, TLBI) and WFI/WFE, and the disassembler's names
 * all come from here, so that the translator, the runtime and the traces agree.
 *
 * The state the translated code never touches directly lives in struct a64_sys_state;
 * the few registers that live in the translated state (NZCV, FPCR, FPSR, TPIDR_EL0, the
 * current SP) are reached through struct a64_cpu_regs, which the CPU runtime fills, so
 * that this file does not depend on the generated state struct. docs/sysregs.md lists
 * every register, the ID register values and why. */
#ifndef FERRY_ARCH_A64_SYSREGS_H
#define FERRY_ARCH_A64_SYSREGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "devices/generic_timer.h"

/* Register ids: (op0 - 2) << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2, i.e. bits
 * [19:5] of the MRS/MSR encoding (op0 is 2 or 3 there, so o0 = op0 - 2). */
static inline uint32_t a64_sysreg_id(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                     unsigned op2)
{
    return ((op0 - 2u) & 1u) << 14 | (op1 & 7u) << 11 | (crn & 15u) << 7 | (crm & 15u) << 3 |
           (op2 & 7u);
}
#define A64_SYSREG_ID(op0, op1, crn, crm, op2) \
    ((uint32_t)((((op0) - 2) & 1) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))
#define A64_SYSREG_ID_MASK 0x7fffu

/* Ids of the registers the runtime and the translator name directly. */
enum {
    A64_SR_ID_SCTLR_EL1  = A64_SYSREG_ID(3, 0, 1, 0, 0),
    A64_SR_ID_CPACR_EL1  = A64_SYSREG_ID(3, 0, 1, 0, 2),
    A64_SR_ID_TTBR0_EL1  = A64_SYSREG_ID(3, 0, 2, 0, 0),
    A64_SR_ID_TTBR1_EL1  = A64_SYSREG_ID(3, 0, 2, 0, 1),
    A64_SR_ID_TCR_EL1    = A64_SYSREG_ID(3, 0, 2, 0, 2),
    A64_SR_ID_SPSR_EL1   = A64_SYSREG_ID(3, 0, 4, 0, 0),
    A64_SR_ID_ELR_EL1    = A64_SYSREG_ID(3, 0, 4, 0, 1),
    A64_SR_ID_SP_EL0     = A64_SYSREG_ID(3, 0, 4, 1, 0),
    A64_SR_ID_SPSEL      = A64_SYSREG_ID(3, 0, 4, 2, 0),
    A64_SR_ID_CURRENTEL  = A64_SYSREG_ID(3, 0, 4, 2, 2),
    A64_SR_ID_DAIF       = A64_SYSREG_ID(3, 3, 4, 2, 1),
    A64_SR_ID_NZCV       = A64_SYSREG_ID(3, 3, 4, 2, 0),
    A64_SR_ID_FPCR       = A64_SYSREG_ID(3, 3, 4, 4, 0),
    A64_SR_ID_FPSR       = A64_SYSREG_ID(3, 3, 4, 4, 1),
    A64_SR_ID_ESR_EL1    = A64_SYSREG_ID(3, 0, 5, 2, 0),
    A64_SR_ID_FAR_EL1    = A64_SYSREG_ID(3, 0, 6, 0, 0),
    A64_SR_ID_PAR_EL1    = A64_SYSREG_ID(3, 0, 7, 4, 0),
    A64_SR_ID_MAIR_EL1   = A64_SYSREG_ID(3, 0, 10, 2, 0),
    A64_SR_ID_VBAR_EL1   = A64_SYSREG_ID(3, 0, 12, 0, 0),
    A64_SR_ID_TPIDR_EL0  = A64_SYSREG_ID(3, 3, 13, 0, 2),
    A64_SR_ID_CTR_EL0    = A64_SYSREG_ID(3, 3, 0, 0, 1),
    A64_SR_ID_DCZID_EL0  = A64_SYSREG_ID(3, 3, 0, 0, 7),
    A64_SR_ID_MDSCR_EL1  = A64_SYSREG_ID(2, 0, 0, 2, 2),
    A64_SR_ID_CNTKCTL_EL1 = A64_SYSREG_ID(3, 0, 14, 1, 0),
};

/* ---- the state ----------------------------------------------------------------------- */

/* Breakpoints and watchpoints, as ID_AA64DFR0_EL1.BRPs/WRPs advertise them (Cortex-A72's
 * counts). Their registers are stored; they never fire (see docs/sysregs.md). */
#define A64_NUM_BRPS 6
#define A64_NUM_WRPS 4

/* PSTATE.DAIF as MRS DAIF shows it (bits 9:6) and as SPSR holds it. */
#define A64_DAIF_D (1u << 9)
#define A64_DAIF_A (1u << 8)
#define A64_DAIF_I (1u << 7)
#define A64_DAIF_F (1u << 6)
#define A64_DAIF_MASK 0x3c0u

/* SCTLR_EL1 bits the runtime and the trap rules read. */
#define A64_SCTLR_M     (1ull << 0)
#define A64_SCTLR_A     (1ull << 1)
#define A64_SCTLR_C     (1ull << 2)
#define A64_SCTLR_SA    (1ull << 3)
#define A64_SCTLR_SA0   (1ull << 4)
#define A64_SCTLR_UMA   (1ull << 9)
#define A64_SCTLR_I     (1ull << 12)
#define A64_SCTLR_DZE   (1ull << 14)
#define A64_SCTLR_UCT   (1ull << 15)
#define A64_SCTLR_NTWI  (1ull << 16)
#define A64_SCTLR_NTWE  (1ull << 18)
#define A64_SCTLR_WXN   (1ull << 19)
#define A64_SCTLR_UCI   (1ull << 26)
/* Bits that read as one whatever is written in an ARMv8.0 AArch64-only PE (EOS, TSCXT,
 * EIS, SPAN, nTLSMD, LSMAOE: features Ferry does not implement). */
#define A64_SCTLR_RES1  0x30d00800ull
/* CPACR_EL1.FPEN (bits 21:20): 0b11 no trap, 0b01 EL0 traps, 0b00/0b10 both trap. */
#define A64_CPACR_FPEN_SHIFT 20
/* MDSCR_EL1.TDCC: EL0 access to the debug communication channel traps. */
#define A64_MDSCR_TDCC  (1ull << 12)

/* The EL1 system state that translated code never reads or writes directly. Registers
 * are uint64_t (the table stores them by offset) even where the architecture defines
 * 32 bits. */
struct a64_sys_state {
    uint64_t sctlr_el1;
    uint64_t actlr_el1;
    uint64_t cpacr_el1;
    uint64_t tcr_el1;
    uint64_t ttbr0_el1;
    uint64_t ttbr1_el1;
    uint64_t mair_el1;
    uint64_t amair_el1;
    uint64_t vbar_el1;
    uint64_t contextidr_el1;
    uint64_t tpidr_el1;
    uint64_t tpidrro_el0;
    /* The stack pointer bank that is not current (the current SP is the CPU state's SP
     * register): SP_EL0 while at EL1 with SPSel=1, SP_EL1 otherwise. a64_sys_switch_sp
     * keeps them straight on EL/SPSel changes. */
    uint64_t sp_el0;
    uint64_t sp_el1;
    uint64_t elr_el1;
    uint64_t spsr_el1;
    uint64_t esr_el1;
    uint64_t far_el1;
    uint64_t par_el1;
    uint64_t csselr_el1;
    /* Debug: MDSCR, the OS lock (locked at reset; Linux clears it through OSLAR),
     * OSDLR, DBGPRCR, the claim tags, the DCC interrupt enables, the breakpoints. */
    uint64_t mdscr_el1;
    uint64_t oslsr_el1;         /* OSLM=0b10 (bit 3) | OSLK (bit 1) */
    uint64_t osdlr_el1;
    uint64_t dbgprcr_el1;
    uint64_t dbgclaim;
    uint64_t mdccint_el1;
    uint64_t dbgbvr[A64_NUM_BRPS], dbgbcr[A64_NUM_BRPS];
    uint64_t dbgwvr[A64_NUM_WRPS], dbgwcr[A64_NUM_WRPS];
    /* PSTATE fields that are system state. el is a copy for the accessors' users (the
     * translator gets the EL as a mode); the accessors take the EL as an argument. */
    uint32_t daif;              /* bits 9:6, as MRS DAIF reads them */
    uint8_t spsel;              /* 0: SP_EL0, 1: SP_ELx */
    uint8_t el;                 /* 0 or 1 */
    /* Identity: MPIDR_EL1.Aff0. */
    uint32_t cpu_index;
    /* The generic timer (CNTKCTL_EL1 lives there) and the physical count it reads. A
     * NULL timer reads as zero and ignores writes. */
    struct gtimer *timer;
    uint64_t (*counter_now)(void *ctx);
    void *counter_ctx;
};

/* Registers of the translated state and what only the CPU runtime knows, as callbacks
 * on ctx (the runtime's CPU). Any callback may be NULL: its register then reads as zero
 * and ignores writes (convenient for tools; the CPU runtime fills them all). */
struct a64_cpu_regs {
    struct a64_sys_state *sys;
    void *ctx;
    uint32_t (*get_nzcv)(void *ctx);            /* PSTATE layout: N = bit 31 */
    void     (*set_nzcv)(void *ctx, uint32_t nzcv);
    uint32_t (*get_fpcr)(void *ctx);
    void     (*set_fpcr)(void *ctx, uint32_t v);
    uint32_t (*get_fpsr)(void *ctx);
    void     (*set_fpsr)(void *ctx, uint32_t v);
    uint64_t (*get_tpidr_el0)(void *ctx);
    void     (*set_tpidr_el0)(void *ctx, uint64_t v);
    uint64_t (*get_sp)(void *ctx);              /* the current SP */
    void     (*set_sp)(void *ctx, uint64_t v);
    /* ISR_EL1: pending SError (bit 8, A), IRQ (bit 7, I) and FIQ (bit 6, F). */
    uint32_t (*get_isr)(void *ctx);
};

/* Reset state of one CPU: MMU and caches off, SCTLR_EL1 = RES1 | SA | SA0 | nTWI | nTWE,
 * OS lock locked, DAIF all masked, EL1 with SPSel=1, every other register zero. */
void a64_sys_state_init(struct a64_sys_state *s, unsigned cpu_index, struct gtimer *timer,
                        uint64_t (*counter_now)(void *ctx), void *counter_ctx);

/* Switches the stack pointer banks for a change of EL or SPSel (exception entry, ERET,
 * MSR SPSel): the current SP is saved to the bank it belonged to and the new one loaded
 * into the CPU's SP. Updates sys->el and sys->spsel. */
void a64_sys_switch_sp(struct a64_cpu_regs *cpu, unsigned new_el, unsigned new_spsel);

/* ---- the table ----------------------------------------------------------------------- */

/* Access rights (el0, el1 fields). */
#define A64_SR_R 1u
#define A64_SR_W 2u
#define A64_SR_RW 3u

/* Effects of a write (entry flags: what a write may do, known at translation time;
 * *effects of a64_sysreg_write / a64_msr_imm: what this write did). */
#define A64_SR_END_BLOCK     (1u << 0)  /* translated code ends the block after the write */
#define A64_SR_MMU_CHANGED   (1u << 1)  /* translation regime changed (SCTLR, TCR, MAIR): flush the TLB */
#define A64_SR_MODES_CHANGED (1u << 2)  /* state a translation may be specialised on changed */
#define A64_SR_IRQ_CHANGED   (1u << 3)  /* DAIF or a timer changed: a pending interrupt may be taken */
#define A64_SR_TABLE_CHANGED (1u << 4)  /* translation table base or ASID changed (TTBRx): TLB
                                           entries tagged with their ASID stay valid */
/* Properties (entry flags only). */
#define A64_SR_CPU_STATE     (1u << 8)  /* lives in the translated state (a64_cpu_regs) */

/* Where the value lives. */
enum a64_sr_storage {
    A64_SR_FIELD,       /* uint64_t at `offset` in struct a64_sys_state */
    A64_SR_CONST,       /* reads `value`; writes (where allowed) are ignored */
    A64_SR_HOOK,        /* the read/write functions; `value` is their parameter */
};

/* The run-time condition on an access the static rights allow. Checks are data so the
 * translator can tell what a condition depends on. */
enum a64_sr_check {
    A64_SR_CHECK_NONE,
    A64_SR_CHECK_UCT,       /* EL0: SCTLR_EL1.UCT, else trap (CTR_EL0) */
    A64_SR_CHECK_UMA,       /* EL0: SCTLR_EL1.UMA, else trap (DAIF) */
    A64_SR_CHECK_FPEN,      /* CPACR_EL1.FPEN, else EC 0x07 trap (FPCR, FPSR) */
    A64_SR_CHECK_TIMER,     /* EL0: CNTKCTL_EL1 (gtimer_el0_access_ok), else trap */
    A64_SR_CHECK_TDCC,      /* EL0: MDSCR_EL1.TDCC clear, else trap (DCC registers) */
    A64_SR_CHECK_SPSEL,     /* EL1: SPSel = 1, else UNDEFINED (SP_EL0) */
};

struct a64_cpu_regs;
struct a64_sysreg;
typedef uint64_t (*a64_sysreg_read_fn)(const struct a64_sysreg *r, struct a64_cpu_regs *cpu,
                                       unsigned el);
/* Returns the effects (A64_SR_*_CHANGED) the write had. */
typedef uint32_t (*a64_sysreg_write_fn)(const struct a64_sysreg *r, struct a64_cpu_regs *cpu,
                                        uint64_t value);

struct a64_sysreg {
    const char *name;           /* as objdump prints it in MRS */
    const char *write_name;     /* in MSR, where it differs (dbgdtrtx_el0), else NULL */
    uint32_t id;
    uint8_t el0, el1;           /* A64_SR_R / A64_SR_W */
    uint8_t storage;            /* enum a64_sr_storage */
    uint8_t check;              /* enum a64_sr_check */
    uint16_t offset;            /* A64_SR_FIELD */
    uint16_t flags;             /* A64_SR_* effects and properties */
    uint64_t value;             /* A64_SR_CONST value; hook parameter */
    uint64_t res0, res1;        /* a write stores (v & ~res0) | res1 */
    a64_sysreg_read_fn read;    /* A64_SR_HOOK */
    a64_sysreg_write_fn write;
};

/* NULL: no such register (MRS/MSR of it is UNDEFINED at every EL). */
const struct a64_sysreg *a64_sysreg_find(uint32_t id);
/* The table itself, sorted by id (for tests and documentation tools). */
const struct a64_sysreg *a64_sysreg_table(size_t *count);

/* The disassembler's name for any encoding as GNU objdump (binutils 2.40) prints MRS:
 * the table's name, objdump's name for registers Ferry does not implement (pmcr_el0...),
 * or the generic form "s3_1_c15_c2_0". Generic names come from a small ring of static
 * buffers and stay valid for the next 15 calls (the disassembler prints them at once). */
const char *a64_sysreg_table_name(uint32_t id);
/* The same for MRS (write = false) or MSR (write = true): only DBGDTRRX_EL0 /
 * DBGDTRTX_EL0 share an encoding with different names. */
const char *a64_sysreg_table_name_dir(uint32_t id, bool write);
/* Writes the name into buf (always NUL-terminated when size > 0); returns its length. */
size_t a64_sysreg_format_name(uint32_t id, bool write, char *buf, size_t size);

/* ---- accessors ----------------------------------------------------------------------- */

enum a64_sysreg_status {
    A64_SR_OK,
    A64_SR_UNDEFINED,   /* *esr = 0x02000000: the caller takes an Undefined Instruction exception */
    A64_SR_TRAP,        /* *esr = the full ESR_EL1 of the exception to take at EL1 (EC 0x18
                           MSR/MRS/system instruction trap, EC 0x07 FP access, EC 0x01 WFx) */
};

#define A64_ESR_UNDEFINED 0x02000000u

/* The syndrome of a trapped MSR/MRS or system instruction (EC 0x18, IL=1). read = the
 * direction bit (MRS, SYSL). */
uint32_t a64_sysreg_trap_esr(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                             unsigned op2, unsigned rt, bool read);

/* MRS/MSR (register) at EL el (0 or 1) with Xt = rt (only for the ESR). esr and
 * effects may be NULL. A write applies the entry's RES0/RES1 masks. */
enum a64_sysreg_status a64_sysreg_read(struct a64_cpu_regs *cpu, uint32_t id, unsigned el,
                                       unsigned rt, uint64_t *value, uint32_t *esr);
enum a64_sysreg_status a64_sysreg_write(struct a64_cpu_regs *cpu, uint32_t id, unsigned el,
                                        unsigned rt, uint64_t value, uint32_t *esr,
                                        uint32_t *effects);

/* MSR (immediate): op1, op2 and CRm (the immediate) of "MSR <pstatefield>, #imm" (CRn is
 * 4). ARMv8.0 has SPSel (op1=0, op2=5; EL1 only), DAIFSet (3, 6) and DAIFClr (3, 7)
 * (EL0 under SCTLR_EL1.UMA, else a trap); every other field (UAO, PAN, SSBS, DIT, TCO,
 * CFINV...) is UNDEFINED. */
enum a64_sysreg_status a64_msr_imm(struct a64_cpu_regs *cpu, unsigned op1, unsigned op2,
                                   unsigned crm, unsigned el, uint32_t *esr,
                                   uint32_t *effects);

/* ---- system instructions (SYS, op0 = 1) ----------------------------------------------- */

enum a64_sys_insn_kind {
    A64_SYS_IC_IALLUIS, A64_SYS_IC_IALLU, A64_SYS_IC_IVAU,
    A64_SYS_DC_IVAC, A64_SYS_DC_ISW, A64_SYS_DC_CSW, A64_SYS_DC_CISW,
    A64_SYS_DC_ZVA, A64_SYS_DC_CVAC, A64_SYS_DC_CVAU, A64_SYS_DC_CIVAC,
    A64_SYS_AT_S1E1R, A64_SYS_AT_S1E1W, A64_SYS_AT_S1E0R, A64_SYS_AT_S1E0W,
    A64_SYS_TLBI_VMALLE1IS, A64_SYS_TLBI_VAE1IS, A64_SYS_TLBI_ASIDE1IS, A64_SYS_TLBI_VAAE1IS,
    A64_SYS_TLBI_VALE1IS, A64_SYS_TLBI_VAALE1IS,
    A64_SYS_TLBI_VMALLE1, A64_SYS_TLBI_VAE1, A64_SYS_TLBI_ASIDE1, A64_SYS_TLBI_VAAE1,
    A64_SYS_TLBI_VALE1, A64_SYS_TLBI_VAALE1,
};

/* System instruction ops: op1 << 11 | CRn << 7 | CRm << 3 | op2 (the low 14 bits of the
 * register id layout). */
#define A64_SYS_OP(op1, crn, crm, op2) ((uint32_t)((op1) << 11 | (crn) << 7 | (crm) << 3 | (op2)))

struct a64_sys_insn {
    const char *name;           /* "dc zva", "tlbi vmalle1is", "at s1e1r" */
    uint32_t op;
    uint8_t kind;               /* enum a64_sys_insn_kind */
    bool has_rt;                /* objdump prints ", xN" (false: TLBI VMALLE1, IC IALLU...) */
    /* 0: UNDEFINED at EL0; else EL0 executes it when this SCTLR_EL1 bit is set and traps
     * (EC 0x18) when it is clear. */
    uint64_t el0_sctlr_bit;
};

/* NULL: not a system instruction of ARMv8.0 EL0/EL1 (UNDEFINED). */
const struct a64_sys_insn *a64_sys_insn_find(uint32_t op);

/* SYS #op1, Cn, Cm, #op2, Xt at EL el: OK (the caller performs it), UNDEFINED, or TRAP
 * with the EC 0x18 syndrome (DC ZVA without SCTLR_EL1.DZE; DC CVAU/CVAC/CIVAC and IC IVAU
 * without UCI). */
enum a64_sysreg_status a64_sys_insn_check(struct a64_cpu_regs *cpu, uint32_t op, unsigned el,
                                          unsigned rt, uint32_t *esr);

/* WFI (wfe = false) or WFE at EL el. Call it only when the instruction would wait (WFI:
 * no interrupt pending; WFE: event register clear), as QEMU does: at EL0 with
 * SCTLR_EL1.nTWI/nTWE clear it traps with EC 0x01 (CV=1, COND=0xe, TI = wfe). */
enum a64_sysreg_status a64_wfx_check(const struct a64_sys_state *s, unsigned el, bool wfe,
                                     uint32_t *esr);

/* ---- the ID registers ------------------------------------------------------------------ */

#define A64_MIDR_VALUE          0x410fd083ull  /* Cortex-A72 r0p3 */
#define A64_CTR_EL0_VALUE       0x9444c004ull  /* 64-byte lines, IDC=1, DIC=0, PIPT I-cache */
#define A64_DCZID_EL0_VALUE     0x4ull         /* DC ZVA on 64 bytes (DZP added at EL0 without DZE) */
#define A64_ID_AA64PFR0_VALUE   0x11ull        /* EL0/EL1 AArch64 only, FP, AdvSIMD, no EL2/EL3/GIC sysregs/SVE/RAS */
#define A64_ID_AA64DFR0_VALUE   0x10305006ull  /* debug v8.0, no PMU, no trace, 6 BRPs, 4 WRPs, 2 context */
#define A64_ID_AA64ISAR0_VALUE  0x210000ull    /* CRC32, LSE atomics */
#define A64_ID_AA64MMFR0_VALUE  0x0f000024ull  /* 44-bit PA, 16-bit ASIDs, 4 KB granule only, little-endian only */
#define A64_CLIDR_VALUE         0x02000023ull  /* L1 I+D, L2 unified; LoC 2, LoUU = LoUIS = 0 (IDC) */

/* The value MRS of an ID space register (op0=3, op1=0, CRn=0, CRm=1..7) reads: every
 * register Ferry does not describe is zero, as the architecture requires. */
uint64_t a64_id_reg_value(uint32_t id);

#endif
