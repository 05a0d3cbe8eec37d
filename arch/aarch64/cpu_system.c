/* The system-mode AArch64 CPU runtime (cpu_system.h): exceptions, the system
 * instructions left to the runtime, and the guest memory path. */
#include "arch/aarch64/cpu_system.h"
#include "ferry/support.h"

#define PAGE_MASK 0xfffull

/* Exception classes (ESR_EL1.EC). */
enum {
    EC_UNKNOWN = 0x00, EC_ILLEGAL_STATE = 0x0e, EC_SVC64 = 0x15, EC_INSN_ABORT_LOWER = 0x20,
    EC_INSN_ABORT_SAME = 0x21, EC_PC_ALIGN = 0x22, EC_DATA_ABORT_LOWER = 0x24,
    EC_DATA_ABORT_SAME = 0x25, EC_SP_ALIGN = 0x26, EC_BRK = 0x3c,
};
#define ESR_IL (1u << 25)
#define FSC_EXTERNAL 0x10u
#define FSC_ALIGNMENT 0x21u

static inline uint32_t esr(unsigned ec, uint32_t iss) { return (uint32_t)ec << 26 | ESR_IL | iss; }

/* ---- the system register table's view of the translated state ------------------------ */
static uint32_t get_nzcv(void *ctx) { return a64_get_nzcv(&((struct a64_cpu *)ctx)->s); }
static void set_nzcv(void *ctx, uint32_t v) { a64_set_nzcv(&((struct a64_cpu *)ctx)->s, v); }
static uint32_t get_fpcr(void *ctx) { return a64_get_fpcr(&((struct a64_cpu *)ctx)->s); }
static void set_fpcr(void *ctx, uint32_t v) { a64_set_fpcr(&((struct a64_cpu *)ctx)->s, v); }
static uint32_t get_fpsr(void *ctx) { return a64_get_fpsr(&((struct a64_cpu *)ctx)->s); }
static void set_fpsr(void *ctx, uint32_t v) { a64_set_fpsr(&((struct a64_cpu *)ctx)->s, v); }
static uint64_t get_tpidr(void *ctx) { return a64_get_tpidr_el0(&((struct a64_cpu *)ctx)->s); }
static void set_tpidr(void *ctx, uint64_t v) { a64_set_tpidr_el0(&((struct a64_cpu *)ctx)->s, v); }
static uint64_t get_sp(void *ctx) { return a64_get_sp(&((struct a64_cpu *)ctx)->s); }
static void set_sp(void *ctx, uint64_t v) { a64_set_sp(&((struct a64_cpu *)ctx)->s, v); }

/* ---- memory ------------------------------------------------------------------------ */
static struct a64_mmu_regs mmu_regs(const struct a64_cpu *cpu)
{
    return (struct a64_mmu_regs){ .sctlr = cpu->sys.sctlr_el1, .tcr = cpu->sys.tcr_el1,
                                  .ttbr0 = cpu->sys.ttbr0_el1, .ttbr1 = cpu->sys.ttbr1_el1,
                                  .mair = cpu->sys.mair_el1 };
}

static uint8_t *ram_at(const struct a64_cpu *cpu, uint64_t pa, uint64_t n)
{
    const struct a64_machine_if *m = &cpu->machine;
    if (pa < m->ram_base || pa - m->ram_base > m->ram_size || n > m->ram_size - (pa - m->ram_base))
        return NULL;
    return m->ram + (pa - m->ram_base);
}

/* Descriptor reads of the walker: RAM only (a table elsewhere is an external abort). */
static bool phys_read64(void *ctx, uint64_t pa, uint64_t *value)
{
    const uint8_t *p = ram_at(ctx, pa, 8);
    if (!p) return false;
    memcpy(value, p, 8);
    return true;
}

/* ---- pages holding translated code (a64_machine_if.code_pages) ---------------------- */
static bool code_page_marked(const struct a64_cpu *cpu, uint64_t pa)
{
    const struct a64_machine_if *m = &cpu->machine;
    if (!m->code_pages || pa < m->ram_base || pa - m->ram_base >= m->ram_size) return false;
    uint64_t i = (pa - m->ram_base) >> 12;
    return (m->code_pages[i / 64] >> (i % 64)) & 1;
}

/* A write to RAM at pa (or an IC IVAU for it): the page's translations go. */
static void code_page_written(struct a64_cpu *cpu, uint64_t pa)
{
    const struct a64_machine_if *m = &cpu->machine;
    if (!code_page_marked(cpu, pa)) return;
    uint64_t i = (pa - m->ram_base) >> 12;
    m->code_pages[i / 64] &= ~(1ull << (i % 64));
    cpu->code_writes++;
    if (m->code_written) m->code_written(m->code_ctx, pa & ~PAGE_MASK);
}

/* ---- the inline TLB (jit.h) -------------------------------------------------------- */
static void fast_entry_empty(struct jit_tlb_entry *f)
{
    *f = (struct jit_tlb_entry){ .read_tag = JIT_TLB_EMPTY, .write_tag = JIT_TLB_EMPTY };
}

/* Empties the entries filled since the last time (all of them when that list is long:
 * a sweep of 64 KB is then as cheap). The list may hold an index twice (an entry
 * emptied alone and filled again); once full, fills are no longer listed and every
 * user of the list sweeps all entries instead. */
static void fast_tlb_empty(struct a64_cpu *cpu)
{
    struct jit_tlb_entry *all = &cpu->fast_tlb[0][0];
    if (cpu->n_fast_used < JIT_TLB_VIEWS * JIT_TLB_ENTRIES / 4) {
        for (unsigned k = 0; k < cpu->n_fast_used; k++) fast_entry_empty(&all[cpu->fast_used[k]]);
    } else {
        for (unsigned i = 0; i < JIT_TLB_VIEWS * JIT_TLB_ENTRIES; i++) fast_entry_empty(&all[i]);
    }
    cpu->n_fast_used = 0;
}

/* Empties the inline entries of the page at va in both views. */
static void fast_tlb_empty_page(struct a64_cpu *cpu, uint64_t va_page)
{
    for (unsigned v = 0; v < JIT_TLB_VIEWS; v++) {
        struct jit_tlb_entry *f = &cpu->fast_tlb[v][(va_page >> 12) % JIT_TLB_ENTRIES];
        if (f->read_tag == va_page || f->write_tag == va_page) fast_entry_empty(f);
    }
}

/* The inline entry for a RAM page the slow path just translated, for the view of the EL
 * whose permissions it checked. Alignment checking (SCTLR_EL1.A) needs every access
 * in the slow path: no entries then. */
static void fast_tlb_fill(struct a64_cpu *cpu, const struct a64_tlb_entry *e, unsigned el)
{
    uint8_t *host = ram_at(cpu, e->pa_page, PAGE_MASK + 1);
    if (!host || (cpu->sys.sctlr_el1 & A64_SCTLR_A)) return;
    unsigned view = el ? 1 : 0, index = (unsigned)((e->va_page >> 12) % JIT_TLB_ENTRIES);
    struct jit_tlb_entry *f = &cpu->fast_tlb[view][index];
    if (f->read_tag == JIT_TLB_EMPTY && f->write_tag == JIT_TLB_EMPTY && cpu->n_fast_used < JIT_TLB_VIEWS * JIT_TLB_ENTRIES)
        cpu->fast_used[cpu->n_fast_used++] = (uint16_t)(view * JIT_TLB_ENTRIES + index);
    cpu->tlb_fills++;
    f->read_tag = a64_mmu_permits(&e->t, A64_ACC_READ, el) ? e->va_page : JIT_TLB_EMPTY;
    /* stores to a page with translations take the slow path, which discards them */
    f->write_tag = a64_mmu_permits(&e->t, A64_ACC_WRITE, el) && !code_page_marked(cpu, e->pa_page)
                 ? e->va_page : JIT_TLB_EMPTY;
    f->addend = (uint64_t)(uintptr_t)host - e->va_page;
}

void a64_cpu_sync_jit(struct a64_cpu *cpu, jit *j)
{
    if (j && cpu->translations_stale) {
        jit_invalidate_all(j);
    } else if (j && cpu->mappings_changed) {
        if (cpu->machine.code_pages) jit_mappings_changed(j);
        else jit_invalidate_all(j);
    }
    cpu->translations_stale = cpu->mappings_changed = false;
}

/* ---- the software TLB ---------------------------------------------------------------- */
static bool tlb_live(const struct a64_cpu *cpu, const struct a64_tlb_entry *e)
{
    return e->gen == cpu->tlb_gen;
}

void a64_cpu_tlb_flush(struct a64_cpu *cpu)
{
    if (++cpu->tlb_gen == 0) {
        for (unsigned i = 0; i < A64_TLB_ENTRIES; i++) cpu->tlb[i].gen = 0;
        cpu->tlb_gen = 1;
    }
    cpu->large_lo = ~0ull;
    cpu->large_hi = 0;
    fast_tlb_empty(cpu);
    cpu->tlb_flushes++;
    cpu->mappings_changed = true;
}

static uint16_t asid_mask(const struct a64_cpu *cpu)
{
    return (cpu->sys.tcr_el1 >> 36) & 1 ? 0xffff : 0xff;      /* TCR_EL1.AS: 16-bit ASIDs */
}

static void tlb_drop(struct a64_cpu *cpu, struct a64_tlb_entry *e)
{
    e->gen = cpu->tlb_gen - 1;
    fast_tlb_empty_page(cpu, e->va_page);
}

void a64_cpu_tlb_flush_va(struct a64_cpu *cpu, uint64_t va, uint16_t asid, bool any_asid)
{
    va = (va >> 55) & 1 ? va | 0xff00000000000000ull : va & 0x00ffffffffffffffull;
    if (va >= cpu->large_lo && va <= cpu->large_hi) {
        /* a block larger than a page may hold va: its entries are spread over the TLB */
        a64_cpu_tlb_flush(cpu);
        return;
    }
    uint64_t page = va & ~PAGE_MASK;
    struct a64_tlb_entry *e = &cpu->tlb[(page >> 12) % A64_TLB_ENTRIES];
    asid &= asid_mask(cpu);
    if (tlb_live(cpu, e) && e->va_page == page && (any_asid || e->t.global || e->t.asid == asid)) tlb_drop(cpu, e);
    /* an inline entry may outlive the entry it came from (replaced by a fetch) */
    fast_tlb_empty_page(cpu, page);
    cpu->tlb_flushes++;
    cpu->mappings_changed = true;
}

void a64_cpu_tlb_flush_asid(struct a64_cpu *cpu, uint16_t asid)
{
    asid &= asid_mask(cpu);
    for (unsigned i = 0; i < A64_TLB_ENTRIES; i++) {
        struct a64_tlb_entry *e = &cpu->tlb[i];
        if (tlb_live(cpu, e) && !e->t.global && e->t.asid == asid) e->gen = cpu->tlb_gen - 1;
    }
    fast_tlb_empty(cpu);           /* inline entries carry no ASID */
    cpu->tlb_flushes++;
    cpu->mappings_changed = true;
}

static void record_fault(struct a64_cpu *cpu, bool fetch, bool write, uint32_t fsc, uint64_t va)
{
    bool lower = cpu->s.EL == 0;
    unsigned ec = fetch ? (lower ? EC_INSN_ABORT_LOWER : EC_INSN_ABORT_SAME)
                        : (lower ? EC_DATA_ABORT_LOWER : EC_DATA_ABORT_SAME);
    cpu->memory_faults++;
    cpu->pending = true;
    cpu->pending_esr = esr(ec, fsc | (write && !fetch ? 1u << 6 : 0));
    cpu->pending_far = va;
}

/* The physical address of the byte at va for an access at the current EL (or EL0's
 * view when unprivileged), through the TLB; false with the fault recorded. */
static bool translate(struct a64_cpu *cpu, uint64_t va, enum a64_access acc, bool unpriv, uint64_t *pa)
{
    unsigned el = unpriv ? 0 : cpu->s.EL;
    struct a64_mmu_regs r = mmu_regs(cpu);
    uint64_t plain = a64_mmu_untagged_va(r.tcr, va);
    struct a64_tlb_entry *e = &cpu->tlb[(plain >> 12) % A64_TLB_ENTRIES];
    if (tlb_live(cpu, e) && e->va_page == (plain & ~PAGE_MASK) && (e->t.global || e->t.asid == a64_mmu_asid(&r)) &&
        a64_mmu_permits(&e->t, acc, el)) {
        *pa = e->pa_page | (plain & PAGE_MASK);
        if (acc != A64_ACC_EXEC && plain == va) fast_tlb_fill(cpu, e, el);
        return true;
    }
    cpu->tlb_misses++;
    struct a64_translation t;
    struct a64_fault f;
    if (!a64_mmu_translate(&r, va, acc, cpu->s.EL, unpriv, phys_read64, cpu, &t, &f)) {
        record_fault(cpu, acc == A64_ACC_EXEC, acc == A64_ACC_WRITE, a64_mmu_fsc(&f), va);
        return false;
    }
    uint64_t offset = (plain - t.va_page) & ~PAGE_MASK;
    e->gen = cpu->tlb_gen;
    e->va_page = plain & ~PAGE_MASK;
    if (t.size > PAGE_MASK + 1) {
        if (t.va_page < cpu->large_lo) cpu->large_lo = t.va_page;
        if (t.va_page + (t.size - 1) > cpu->large_hi) cpu->large_hi = t.va_page + (t.size - 1);
    }
    e->pa_page = t.pa_page + offset;
    e->t = t;
    *pa = e->pa_page | (plain & PAGE_MASK);
    if (acc != A64_ACC_EXEC && plain == va) fast_tlb_fill(cpu, e, el);
    return true;
}

/* One access within a page: RAM, or a device through the bus (an address with nothing
 * there is a synchronous external abort, as QEMU's virt gives). */
static bool access_phys(struct a64_cpu *cpu, uint64_t va, uint64_t pa, unsigned size, bool write, bool fetch,
                        uint64_t *value)
{
    uint8_t *h = ram_at(cpu, pa, size);
    if (h) {
        if (write) code_page_written(cpu, pa);
        if (write) memcpy(h, value, size);
        else { *value = 0; memcpy(value, h, size); }
        return true;
    }
    if (!fetch && cpu->machine.bus) {
        enum mmio_result r = write ? mmio_bus_write(cpu->machine.bus, pa, size, *value)
                                   : mmio_bus_read(cpu->machine.bus, pa, size, value);
        if (r == MMIO_OK) return true;
    }
    record_fault(cpu, fetch, write, FSC_EXTERNAL, va);
    return false;
}

static bool access(struct a64_cpu *cpu, uint64_t va, unsigned size, bool unpriv, bool write, uint64_t *value)
{
    if ((cpu->sys.sctlr_el1 & A64_SCTLR_A) && (va & (size - 1))) {
        record_fault(cpu, false, write, FSC_ALIGNMENT, va);
        return false;
    }
    enum a64_access acc = write ? A64_ACC_WRITE : A64_ACC_READ;
    uint64_t pa;
    if ((va & PAGE_MASK) + size <= PAGE_MASK + 1) {
        if (!translate(cpu, va, acc, unpriv, &pa)) return false;
        return access_phys(cpu, va, pa, size, write, false, value);
    }
    /* across a page boundary: byte by byte, every page translated before any byte is
     * written, so a fault on the second page leaves memory untouched */
    uint64_t pas[8];
    for (unsigned i = 0; i < size; i++)
        if (!translate(cpu, va + i, acc, unpriv, &pas[i])) return false;
    uint8_t bytes[8];
    memcpy(bytes, value, 8);
    for (unsigned i = 0; i < size; i++) {
        uint64_t b = bytes[i];
        if (!access_phys(cpu, va + i, pas[i], 1, write, false, &b)) return false;
        bytes[i] = (uint8_t)b;
    }
    if (!write) memcpy(value, bytes, 8);
    return true;
}

static bool mem_load(void *ctx, uint64_t va, unsigned size, bool unpriv, uint64_t *value)
{
    *value = 0;
    return access(ctx, va, size, unpriv, false, value);
}

static bool mem_store(void *ctx, uint64_t va, unsigned size, bool unpriv, uint64_t value)
{
    return access(ctx, va, size, unpriv, true, &value);
}

static bool mem_fetch(void *ctx, uint64_t va, uint32_t *insn, uint64_t *pa_out)
{
    struct a64_cpu *cpu = ctx;
    uint64_t pa, v = 0;
    if (!translate(cpu, va, A64_ACC_EXEC, false, &pa) || !access_phys(cpu, va, pa, 4, false, true, &v))
        return false;
    *insn = (uint32_t)v;
    if (pa_out) *pa_out = pa;
    return true;
}

/* jit_system_memory.code_pa: the fetch translation, leaving no fault behind. */
static bool code_pa(void *ctx, uint64_t va, uint64_t *pa)
{
    struct a64_cpu *cpu = ctx;
    bool pending = cpu->pending;
    uint32_t esr_value = cpu->pending_esr;
    uint64_t far = cpu->pending_far;
    if (translate(cpu, va, A64_ACC_EXEC, false, pa) && ram_at(cpu, *pa, 4)) return true;
    cpu->pending = pending;
    cpu->pending_esr = esr_value;
    cpu->pending_far = far;
    return false;
}

/* jit_system_memory.code_page: a translation was made from this page. */
static void code_page(void *ctx, uint64_t pa_page)
{
    struct a64_cpu *cpu = ctx;
    const struct a64_machine_if *m = &cpu->machine;
    if (!m->code_pages || code_page_marked(cpu, pa_page) || !ram_at(cpu, pa_page, PAGE_MASK + 1)) return;
    uint64_t i = (pa_page - m->ram_base) >> 12;
    m->code_pages[i / 64] |= 1ull << (i % 64);
    /* inline store entries already pointing there (any VA aliasing the page) go: those
     * filled since the last emptying, or all when that list is full (and so may miss
     * some) */
    uintptr_t host = (uintptr_t)ram_at(cpu, pa_page, 1);
    const unsigned all = JIT_TLB_VIEWS * JIT_TLB_ENTRIES;
    bool sweep = cpu->n_fast_used >= all;
    for (unsigned k = 0; k < (sweep ? all : cpu->n_fast_used); k++) {
        struct jit_tlb_entry *f = &cpu->fast_tlb[0][0] + (sweep ? k : cpu->fast_used[k]);
        if (f->write_tag != JIT_TLB_EMPTY && (uintptr_t)(f->write_tag + f->addend) == host)
            f->write_tag = JIT_TLB_EMPTY;
    }
}

/* The modes derived from system state (SPA: SP alignment checking at the current EL). */
static void sync_modes(struct a64_cpu *cpu)
{
    uint64_t bit = cpu->s.EL == 0 ? A64_SCTLR_SA0 : A64_SCTLR_SA;
    cpu->s.SPA = (cpu->sys.sctlr_el1 & bit) != 0;
}

/* ---- reset ------------------------------------------------------------------------- */
void a64_cpu_init(struct a64_cpu *cpu, const struct a64_machine_if *machine, struct gtimer *timer,
                  uint64_t (*counter_now)(void *ctx), void *counter_ctx)
{
    memset(cpu, 0, sizeof(*cpu));
    a64_state_init(&cpu->s);
    cpu->s.SYS = 1;
    cpu->s.EL = 1;
    a64_sys_state_init(&cpu->sys, 0, timer, counter_now, counter_ctx);
    sync_modes(cpu);
    cpu->tlb_gen = 1;
    cpu->large_lo = ~0ull;
    cpu->n_fast_used = JIT_TLB_VIEWS * JIT_TLB_ENTRIES;       /* fast_tlb_empty sweeps all */
    cpu->regs = (struct a64_cpu_regs){
        .sys = &cpu->sys, .ctx = cpu, .get_nzcv = get_nzcv, .set_nzcv = set_nzcv, .get_fpcr = get_fpcr,
        .set_fpcr = set_fpcr, .get_fpsr = get_fpsr, .set_fpsr = set_fpsr, .get_tpidr_el0 = get_tpidr,
        .set_tpidr_el0 = set_tpidr, .get_sp = get_sp, .set_sp = set_sp,
    };
    cpu->machine = *machine;
    fast_tlb_empty(cpu);
    cpu->memory_ops = (struct jit_system_memory){ .load = mem_load, .store = mem_store, .fetch = mem_fetch,
                                                   .ctx = cpu, .fast_tlb = &cpu->fast_tlb[0][0] };
    if (machine->code_pages) {
        cpu->memory_ops.code_pa = code_pa;
        cpu->memory_ops.code_page = code_page;
    }
    cpu->memory = (struct jit_memory){ .system = &cpu->memory_ops };
}

/* ---- exceptions --------------------------------------------------------------------- */

/* The SPSR of the PSTATE being left: NZCV, IL, DAIF, M (EL0t, EL1t or EL1h). */
static uint64_t current_spsr(const struct a64_cpu *cpu)
{
    uint64_t m = cpu->s.EL == 0 ? 0 : (cpu->sys.spsel ? 5 : 4);
    return (uint64_t)a64_get_nzcv(&cpu->s) | (cpu->illegal_state ? 1ull << 20 : 0) | cpu->sys.daif | m;
}

void a64_cpu_take_exception(struct a64_cpu *cpu, unsigned kind, uint32_t esr_value, bool far_valid,
                            uint64_t far, uint64_t return_pc)
{
    uint64_t offset = cpu->s.EL == 0 ? 0x400 : cpu->sys.spsel ? 0x200 : 0x000;
    cpu->sys.spsr_el1 = current_spsr(cpu);
    cpu->sys.elr_el1 = return_pc;
    if (kind == 0) {
        cpu->sys.esr_el1 = esr_value;
        if (far_valid) cpu->sys.far_el1 = far;
    }
    cpu->sys.daif = A64_DAIF_MASK;
    cpu->illegal_state = false;
    a64_sys_switch_sp(&cpu->regs, 1, 1);
    cpu->s.EL = 1;
    cpu->s.EXCL_VALID = 0;                 /* exception entry clears the exclusive monitor */
    cpu->s.PC = cpu->sys.vbar_el1 + offset + 0x80ull * kind;
    sync_modes(cpu);
    cpu->exceptions++;
    if (kind == 1) cpu->interrupts++;
    if (cpu->on_exception)
        cpu->on_exception(cpu->event_ctx, kind, kind == 0 ? esr_value : 0, kind == 0 && far_valid ? far : 0,
                          cpu->s.PC);
}

static void take_sync(struct a64_cpu *cpu, uint32_t esr_value, uint64_t return_pc)
{
    a64_cpu_take_exception(cpu, 0, esr_value, false, 0, return_pc);
}

/* The instruction at PC takes the Illegal State exception (ELR_EL1 is its address), so a
 * trace records it, with the exception, as it records any instruction that faults (and
 * as QEMU's plugin does), when it is in RAM and can be fetched. */
static void trace_illegal_insn(struct a64_cpu *cpu)
{
    struct jit_trace_buf *t = cpu->memory.trace;
    uint64_t pc = cpu->s.PC, pa;
    if (!t || (pc & 3) || !code_pa(cpu, pc, &pa)) return;
    uint32_t insn;
    memcpy(&insn, ram_at(cpu, pa, 4), sizeof insn);
    if (t->mode == JIT_TRACE_FULL) jit_trace_insn_pa(t, pc, pa, insn, cpu->s.EL);
    else if (t->mode == JIT_TRACE_BLOCKS) jit_trace_interp_block(t, pc, true, pa, cpu->s.EL);
    else if (t->mode == JIT_TRACE_REPLAY) jit_trace_insn_not_run(t, pc, pa, insn, cpu->s.EL);
}

bool a64_cpu_check_illegal_state(struct a64_cpu *cpu)
{
    if (!cpu->illegal_state) return false;
    trace_illegal_insn(cpu);
    take_sync(cpu, esr(EC_ILLEGAL_STATE, 0), cpu->s.PC);
    return true;
}

/* ERET: back to the EL and SP that SPSR_EL1 names, or, for a return the architecture
 * calls illegal (AArch32, EL2/EL3, a reserved mode), stay at EL1 with PSTATE.IL set. */
static void exception_return(struct a64_cpu *cpu)
{
    uint64_t spsr = cpu->sys.spsr_el1, target = cpu->sys.elr_el1;
    unsigned m = (unsigned)(spsr & 0x1f);
    bool legal = m == 0 || m == 4 || m == 5;
    a64_set_nzcv(&cpu->s, (uint32_t)spsr & 0xf0000000u);
    cpu->sys.daif = (uint32_t)spsr & A64_DAIF_MASK;
    cpu->s.EXCL_VALID = 0;
    if (legal) {
        unsigned el = m >> 2, spsel = m & 1;
        a64_sys_switch_sp(&cpu->regs, el, spsel);
        cpu->s.EL = (uint8_t)el;
        cpu->illegal_state = (spsr >> 20) & 1;
    } else {
        cpu->illegal_state = true;
    }
    cpu->s.PC = target;
    sync_modes(cpu);
}

/* ---- system instructions ------------------------------------------------------------- */
static uint64_t xreg(const struct a64_cpu *cpu, unsigned rt) { return rt == 31 ? 0 : cpu->s.X[rt]; }
static void set_xreg(struct a64_cpu *cpu, unsigned rt, uint64_t v) { if (rt != 31) cpu->s.X[rt] = v; }

static void apply_effects(struct a64_cpu *cpu, uint32_t effects)
{
    if (effects & A64_SR_MMU_CHANGED) {
        a64_cpu_tlb_flush(cpu);
    } else if (effects & A64_SR_TABLE_CHANGED) {
        /* the software TLB's entries carry their ASID (a table change under the same
         * ASID needs a TLBI, as on hardware); the inline entries carry none */
        fast_tlb_empty(cpu);
        cpu->mappings_changed = true;
        cpu->table_switches++;
    }
    sync_modes(cpu);
}

/* DC ZVA: 64 bytes of zeros at the aligned block, through the MMU as stores. */
static bool dc_zva(struct a64_cpu *cpu, uint64_t va)
{
    uint64_t base = va & ~63ull;
    for (unsigned i = 0; i < 64; i += 8)
        if (!mem_store(cpu, base + i, 8, false, 0)) return false;
    return true;
}

static void system_op(struct a64_cpu *cpu, const struct a64_sys_insn *op, unsigned rt, uint64_t pc)
{
    uint64_t x = xreg(cpu, rt);
    switch ((enum a64_sys_insn_kind)op->kind) {
    case A64_SYS_DC_ZVA:
        if (!dc_zva(cpu, x)) {
            cpu->pending = false;
            take_sync(cpu, cpu->pending_esr, pc);
            cpu->sys.far_el1 = cpu->pending_far;
            return;
        }
        break;
    case A64_SYS_AT_S1E1R: case A64_SYS_AT_S1E1W: case A64_SYS_AT_S1E0R: case A64_SYS_AT_S1E0W: {
        bool write = op->kind == A64_SYS_AT_S1E1W || op->kind == A64_SYS_AT_S1E0W;
        unsigned el = op->kind == A64_SYS_AT_S1E0R || op->kind == A64_SYS_AT_S1E0W ? 0 : 1;
        struct a64_mmu_regs r = mmu_regs(cpu);
        uint64_t par = a64_mmu_at(&r, x, write, el, phys_read64, cpu);
        if (a64_mmu_par_is_walk_abort(par)) {
            /* a walk external abort during AT is a data abort, PAR unchanged */
            take_sync(cpu, esr(EC_DATA_ABORT_SAME, (uint32_t)(par >> 1 & 0x3f) | 1u << 8 | 1u << 6), pc);
            cpu->sys.far_el1 = x;
            return;
        }
        cpu->sys.par_el1 = par;
        break;
    }
    case A64_SYS_TLBI_VMALLE1IS: case A64_SYS_TLBI_VMALLE1:
        a64_cpu_tlb_flush(cpu);
        break;
    case A64_SYS_TLBI_ASIDE1IS: case A64_SYS_TLBI_ASIDE1:
        a64_cpu_tlb_flush_asid(cpu, (uint16_t)(x >> 48));
        break;
    case A64_SYS_TLBI_VAE1IS: case A64_SYS_TLBI_VALE1IS: case A64_SYS_TLBI_VAE1: case A64_SYS_TLBI_VALE1:
    case A64_SYS_TLBI_VAAE1IS: case A64_SYS_TLBI_VAALE1IS: case A64_SYS_TLBI_VAAE1: case A64_SYS_TLBI_VAALE1: {
        /* the last-level forms may drop more: they are done as the others */
        bool any = op->kind == A64_SYS_TLBI_VAAE1IS || op->kind == A64_SYS_TLBI_VAALE1IS ||
                   op->kind == A64_SYS_TLBI_VAAE1 || op->kind == A64_SYS_TLBI_VAALE1;
        a64_cpu_tlb_flush_va(cpu, (x & 0xfffffffffffull) << 12, (uint16_t)(x >> 48), any);
        break;
    }
    case A64_SYS_DC_IVAC: case A64_SYS_DC_CVAC: case A64_SYS_DC_CVAU: case A64_SYS_DC_CIVAC:
    case A64_SYS_IC_IVAU: {
        /* no effect on an emulated cache, but the address is translated: a fault is a
         * data abort with CM (cache maintenance) and WnR set */
        uint64_t pa;
        if (!translate(cpu, x, A64_ACC_READ, false, &pa)) {
            cpu->pending = false;
            take_sync(cpu, cpu->pending_esr | 1u << 8 | 1u << 6, pc);
            cpu->sys.far_el1 = cpu->pending_far;
            return;
        }
        /* with code_pages, a write to translated code has discarded it already: this
         * only makes sure (nothing is translated there after the write) */
        if (op->kind == A64_SYS_IC_IVAU) {
            if (cpu->machine.code_pages) code_page_written(cpu, pa);
            else cpu->translations_stale = true;
        }
        break;
    }
    case A64_SYS_IC_IALLU: case A64_SYS_IC_IALLUIS:
        /* with code_pages, every write to translated code has discarded it already */
        if (!cpu->machine.code_pages) cpu->translations_stale = true;
        break;
    default:
        /* set/way maintenance: nothing to do on an emulated cache */
        break;
    }
    cpu->s.PC = pc + 4;
}

/* An instruction that translated code or the interpreter left to the runtime as
 * undefined: a system instruction this runtime executes, or really undefined. */
static enum a64_cpu_event system_insn(struct a64_cpu *cpu, uint32_t insn)
{
    uint64_t pc = cpu->s.PC;
    unsigned el = cpu->s.EL, rt = insn & 31;
    uint32_t e = A64_ESR_UNDEFINED, effects = 0;
    enum a64_sysreg_status st = A64_SR_UNDEFINED;
    cpu->system_insns++;
    if ((insn & 0xffd00000u) == 0xd5100000u) {                    /* MRS / MSR (register) */
        uint32_t id = (insn >> 5) & A64_SYSREG_ID_MASK;
        if (insn & (1u << 21)) {
            uint64_t v;
            st = a64_sysreg_read(&cpu->regs, id, el, rt, &v, &e);
            if (st == A64_SR_OK) set_xreg(cpu, rt, v);
        } else {
            uint64_t v = xreg(cpu, rt);
            st = a64_sysreg_write(&cpu->regs, id, el, rt, v, &e, &effects);
            if (st == A64_SR_OK && cpu->on_sysreg_write) {
                /* the value it holds now (masks applied), where it can be read back */
                uint64_t now;
                if (a64_sysreg_read(&cpu->regs, id, 1, rt, &now, NULL) == A64_SR_OK) v = now;
                cpu->on_sysreg_write(cpu->event_ctx, id, v);
            }
        }
    } else if ((insn & 0xfff8f01fu) == 0xd500401fu) {             /* MSR (immediate) */
        st = a64_msr_imm(&cpu->regs, (insn >> 16) & 7, (insn >> 5) & 7, (insn >> 8) & 15, el, &e, &effects);
    } else if ((insn & 0xfff80000u) == 0xd5080000u) {             /* SYS */
        uint32_t op = (insn >> 5) & 0x3fff;
        const struct a64_sys_insn *si = a64_sys_insn_find(op);
        st = si ? a64_sys_insn_check(&cpu->regs, op, el, rt, &e) : A64_SR_UNDEFINED;
        if (st == A64_SR_OK) {
            system_op(cpu, si, rt, pc);
            return A64_CPU_CONTINUE;
        }
    } else if (insn == 0xd69f03e0u && el == 1) {                  /* ERET */
        exception_return(cpu);
        return A64_CPU_CONTINUE;
    } else if ((insn & 0xffe0001fu) == 0xd4000002u && el == 1) {  /* HVC: Ferry's EL2 */
        cpu->s.PC = pc + 4;
        return A64_CPU_HVC;
    }
    if (st == A64_SR_OK) {
        apply_effects(cpu, effects);
        cpu->s.PC = pc + 4;
        return A64_CPU_CONTINUE;
    }
    take_sync(cpu, st == A64_SR_TRAP ? e : A64_ESR_UNDEFINED, pc);
    return A64_CPU_CONTINUE;
}

enum a64_cpu_event a64_cpu_handle_exit(struct a64_cpu *cpu, ir_exit_kind kind, uint64_t info, bool irq_pending)
{
    uint64_t pc = cpu->s.PC;
    switch (kind) {
    case IR_EXIT_JUMP:
        return A64_CPU_CONTINUE;
    case IR_EXIT_SYSCALL:                   /* SVC #imm; PC is the next instruction */
        take_sync(cpu, esr(EC_SVC64, (uint32_t)info & 0xffff), pc);
        return A64_CPU_CONTINUE;
    case IR_EXIT_BREAKPOINT:                /* BRK #imm; PC is the BRK */
        take_sync(cpu, esr(EC_BRK, (uint32_t)info & 0xffff), pc);
        return A64_CPU_CONTINUE;
    case IR_EXIT_UNDEF:
        return system_insn(cpu, (uint32_t)info);
    case IR_EXIT_WFI: {                     /* PC is past the WFI */
        if (irq_pending) return A64_CPU_CONTINUE;
        uint32_t e;
        if (a64_wfx_check(&cpu->sys, cpu->s.EL, false, &e) != A64_SR_OK) {
            take_sync(cpu, e, pc - 4);
            return A64_CPU_CONTINUE;
        }
        return A64_CPU_WAIT;
    }
    case IR_EXIT_FETCH_ABORT:
        if (!cpu->pending && (pc & 3)) {   /* misaligned PC: no access was tried */
            a64_cpu_take_exception(cpu, 0, esr(EC_PC_ALIGN, 0), true, pc, pc);
            return A64_CPU_CONTINUE;
        }
        if (!cpu->pending) {
            /* a translation of a fetch fault made earlier runs again: fetch again to
             * record the fault (or, the mapping having changed, to run the code) */
            uint32_t insn;
            if (mem_fetch(cpu, pc, &insn, NULL)) {
                cpu->mappings_changed = true;
                return A64_CPU_CONTINUE;
            }
        }
        /* fall through */
    case IR_EXIT_DATA_ABORT:
        if (cpu->pending) {
            cpu->pending = false;
            a64_cpu_take_exception(cpu, 0, cpu->pending_esr, true, cpu->pending_far, pc);
            return A64_CPU_CONTINUE;
        }
        fy_panic("cpu: data abort at 0x%llx without a recorded fault", (unsigned long long)pc);
    case IR_EXIT_ALIGNMENT:
    case IR_EXIT_ALIGNMENT_WRITE: {
        bool lower = cpu->s.EL == 0;
        uint32_t wnr = kind == IR_EXIT_ALIGNMENT_WRITE ? 1u << 6 : 0;
        a64_cpu_take_exception(cpu, 0, esr(lower ? EC_DATA_ABORT_LOWER : EC_DATA_ABORT_SAME, FSC_ALIGNMENT | wnr),
                               true, info, pc);
        return A64_CPU_CONTINUE;
    }
    case IR_EXIT_SP_ALIGNMENT:
        take_sync(cpu, esr(EC_SP_ALIGN, 0), pc);
        return A64_CPU_CONTINUE;
    case IR_EXIT_INVALIDATE_CODE:
        return A64_CPU_CONTINUE;
    default:
        take_sync(cpu, A64_ESR_UNDEFINED, pc);
        return A64_CPU_CONTINUE;
    }
}
