/* A system-mode AArch64 CPU (EL0 and EL1; Ferry plays EL2 for PSCI): the translated
 * state plus the EL1 system state, exception entry and return, the system instructions
 * translated code leaves to the runtime (MRS/MSR, MSR immediate, SYS: DC, IC, AT, TLBI,
 * ERET, HVC, WFI), and the guest memory path the interpreter and translated code's slow
 * path use: the stage-1 MMU (mmu_walk.c) behind a software TLB, then guest RAM or the
 * device bus. Freestanding: the machine (engine or host process) supplies RAM, the bus,
 * the interrupt line and the timer. */
#ifndef FERRY_ARCH_A64_CPU_SYSTEM_H
#define FERRY_ARCH_A64_CPU_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/aarch64/a64.h"
#include "arch/aarch64/mmu_walk.h"
#include "arch/aarch64/sysregs.h"
#include "devices/mmio.h"

/* Software TLB: direct mapped, 4 KB entries (blocks are entered page by page). */
#define A64_TLB_ENTRIES 1024

struct a64_tlb_entry {
    uint32_t gen;                   /* live while equal to the CPU's tlb_gen */
    uint64_t va_page;               /* untagged */
    uint64_t pa_page;
    struct a64_translation t;       /* permissions, global, ASID, attributes */
};

/* What the machine provides. */
struct a64_machine_if {
    uint8_t *ram;
    uint64_t ram_base, ram_size;
    struct mmio_bus *bus;
    /* Optional (a machine running translated code keyed by physical address): one bit
     * per 4 KiB page of RAM, ram_size / 4096 bits, set while translations of code in
     * the page may exist. A guest write to such a page (or an IC IVAU for it) clears the
     * bit and calls code_written with the page, which must discard its translations
     * (jit_invalidate_phys). Without a bitmap, IC IVAU sets translations_stale. */
    uint64_t *code_pages;
    void (*code_written)(void *ctx, uint64_t pa_page);
    void *code_ctx;
};

/* Why the run loop must do something after a64_cpu_handle_exit. */
enum a64_cpu_event {
    A64_CPU_CONTINUE,       /* run on from the state's PC */
    A64_CPU_WAIT,           /* WFI with nothing pending: sleep until an interrupt */
    A64_CPU_HVC,            /* HVC at EL1: the machine's firmware (PSCI) answers x0..x3;
                               PC is already past the HVC */
};

struct a64_cpu {
    struct a64_state s;             /* first: translated code's state pointer */
    struct a64_sys_state sys;
    struct a64_cpu_regs regs;       /* the system register table's view of this CPU */
    struct a64_machine_if machine;
    struct jit_system_memory memory_ops;
    struct jit_memory memory;       /* the system memory model over this CPU */
    struct a64_tlb_entry tlb[A64_TLB_ENTRIES];
    uint32_t tlb_gen;               /* a full flush is an increment */
    uint64_t large_lo, large_hi;    /* VAs of the entries of blocks larger than a page
                                       filled since the last full flush (lo > hi: none) */
    /* The entries translated code looks up inline (jit.h), per view (EL0, EL1), and
     * which of them were filled since they were last emptied (view * entries + index). */
    struct jit_tlb_entry fast_tlb[JIT_TLB_VIEWS][JIT_TLB_ENTRIES];
    uint16_t fast_used[JIT_TLB_VIEWS * JIT_TLB_ENTRIES];
    unsigned n_fast_used;
    bool illegal_state;             /* PSTATE.IL after an illegal exception return */
    /* Without code_pages, translated code may no longer match the guest's code: the
     * guest invalidated its instruction cache (IC IVAU, IALLU, IALLUIS). */
    bool translations_stale;
    /* The virtual-to-physical mapping may have changed (page tables, TLB maintenance,
     * TTBR, TCR, SCTLR). Both flags are the run loop's to pass on (a64_cpu_sync_jit). */
    bool mappings_changed;
    /* The exception a faulting memory access recorded (taken by a64_cpu_handle_exit). */
    bool pending;
    uint32_t pending_esr;
    uint64_t pending_far;
    /* Counters (--stats). */
    uint64_t exceptions, interrupts, tlb_misses, tlb_flushes, system_insns;
    uint64_t tlb_fills;             /* inline TLB entries filled */
    uint64_t memory_faults;         /* accesses that faulted (MMU, alignment, external) */
    uint64_t table_switches;        /* TTBR0/TTBR1 writes that changed the value */
    uint64_t code_writes;           /* writes that reached a page with translations */
    /* Optional, for instruction traces (ctx: event_ctx): every exception entry (kind as
     * for a64_cpu_take_exception, the syndrome, the fault address (0 when the exception
     * sets none) and the vector taken), and every system register an MSR wrote (its
     * id and the value it now holds). */
    void (*on_exception)(void *ctx, unsigned kind, uint32_t esr, uint64_t far, uint64_t vector);
    void (*on_sysreg_write)(void *ctx, uint32_t id, uint64_t value);
    void *event_ctx;
};

/* Sets up the CPU at reset (EL1h, MMU off, DAIF masked), for a system-mode guest. */
void a64_cpu_init(struct a64_cpu *cpu, const struct a64_machine_if *machine, struct gtimer *timer,
                  uint64_t (*counter_now)(void *ctx), void *counter_ctx);

/* Takes an exception to EL1: kind 0 synchronous (esr, and far when far_valid), 1 IRQ,
 * 2 FIQ, 3 SError; return_pc goes to ELR_EL1. */
void a64_cpu_take_exception(struct a64_cpu *cpu, unsigned kind, uint32_t esr, bool far_valid,
                            uint64_t far, uint64_t return_pc);

/* Whether an IRQ is masked by PSTATE.I. */
static inline bool a64_cpu_irq_masked(const struct a64_cpu *cpu)
{
    return (cpu->sys.daif & A64_DAIF_I) != 0;
}

/* Before the next instruction: an illegal exception return leaves PSTATE.IL set, and
 * the next instruction takes an Illegal Execution State exception instead. True when
 * that exception was taken. */
bool a64_cpu_check_illegal_state(struct a64_cpu *cpu);

/* Handles what stopped the interpreter or translated code (exit kind and info, PC as
 * ir.h documents it): guest exceptions are taken, system instructions executed. */
enum a64_cpu_event a64_cpu_handle_exit(struct a64_cpu *cpu, ir_exit_kind kind, uint64_t info,
                                       bool irq_pending);

/* Before translated code runs again: tells the JIT (NULL: none) what the CPU did to the
 * guest's code and its mappings since the last call (translations_stale,
 * mappings_changed), and clears those flags. With code_pages the JIT's translations are
 * keyed by physical address and only forget their virtual lookups on a mapping change;
 * without, they are keyed by virtual address and go. */
void a64_cpu_sync_jit(struct a64_cpu *cpu, jit *j);

/* Drops every software TLB entry. */
void a64_cpu_tlb_flush(struct a64_cpu *cpu);

/* TLBI by VA (TLBI VAE1, VALE1, VAAE1, VAALE1 and their IS forms): drops the entries
 * that translate va (the architecture's form: sign-extended from bit 55), for asid or,
 * with any_asid, every ASID. */
void a64_cpu_tlb_flush_va(struct a64_cpu *cpu, uint64_t va, uint16_t asid, bool any_asid);

/* TLBI ASIDE1(IS): drops the non-global entries of asid. */
void a64_cpu_tlb_flush_asid(struct a64_cpu *cpu, uint16_t asid);

#endif
