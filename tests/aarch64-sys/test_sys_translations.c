/* The JIT's translations in the system memory model are keyed by physical address:
 * they survive TLB maintenance (no retranslation after jit_mappings_changed), a code
 * VA remapped to another page runs that page's code and, mapped back, the first
 * page's translation again, and a store to a page with translations (through the
 * CPU's slow path, as translated code's stores to such a page go) discards them.
 * Counts come from jit_get_stats, so a runtime that drops or keeps too much fails. */
#include <stdio.h>
#include <string.h>
#include "arch/aarch64/cpu_system.h"

#define RAM_BASE  0x40000000ull
#define RAM_SIZE  0x00100000ull
#define L1_TABLE  (RAM_BASE + 0x80000)
#define L2_TABLE  (RAM_BASE + 0x81000)
#define L3_TABLE  (RAM_BASE + 0x82000)
#define PAGE_A    (RAM_BASE + 0x10000)
#define PAGE_B    (RAM_BASE + 0x11000)
#define CODE_VA   (RAM_BASE + 0x20000)      /* mapped to PAGE_A or PAGE_B */
#define HVC0      0xd4000002u

static uint8_t ram[RAM_SIZE];
static uint64_t code_pages[RAM_SIZE / 4096 / 64];
static struct a64_cpu cpu;
static jit *the_jit;
static int failures;

static void put32(uint64_t pa, uint32_t v) { memcpy(ram + (pa - RAM_BASE), &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(ram + (pa - RAM_BASE), &v, 8); }
static uint32_t movz_x0(unsigned imm) { return 0xd2800000u | imm << 5; }

static void code_written(void *ctx, uint64_t pa_page)
{
    (void)ctx;
    jit_invalidate_phys(the_jit, pa_page, 4096);
}

/* Identity map of the first 1 MiB, CODE_VA to `page`. */
static void map_code(uint64_t page)
{
    put64(L1_TABLE + 8, L2_TABLE | 3);
    put64(L2_TABLE, L3_TABLE | 3);
    for (uint64_t i = 0; i < 256; i++) {
        uint64_t va = RAM_BASE + i * 0x1000;
        uint64_t pa = va == CODE_VA ? page : va;
        put64(L3_TABLE + 8 * i, pa | 3 | 1ull << 10 | 3ull << 8);
    }
    a64_cpu_tlb_flush(&cpu);
}

/* Runs from CODE_VA to the HVC; x0. */
static uint64_t run(void)
{
    cpu.s.PC = CODE_VA;
    for (int steps = 0; steps < 10; steps++) {
        a64_cpu_sync_jit(&cpu, the_jit);
        uint64_t info = 0;
        ir_exit_kind kind = jit_run(the_jit, &cpu.s, &info);
        if (a64_cpu_handle_exit(&cpu, kind, info, false) == A64_CPU_HVC) return cpu.s.X[0];
    }
    return ~0ull;
}

static uint64_t translations(void)
{
    struct jit_stats st;
    jit_get_stats(the_jit, &st);
    return st.blocks_translated;
}

static void expect(const char *what, uint64_t got, uint64_t want)
{
    if (got == want) return;
    printf("FAIL %s: %#llx, expected %#llx\n", what, (unsigned long long)got, (unsigned long long)want);
    failures++;
}

int main(void)
{
    struct a64_machine_if mif = { .ram = ram, .ram_base = RAM_BASE, .ram_size = RAM_SIZE,
                                  .code_pages = code_pages, .code_written = code_written };
    a64_cpu_init(&cpu, &mif, NULL, NULL, NULL);
    cpu.sys.sctlr_el1 |= A64_SCTLR_M;
    cpu.sys.tcr_el1 = 25 | 1ull << 23 /* EPD1 */ | 2ull << 32;
    cpu.sys.mair_el1 = 0xff;
    cpu.sys.ttbr0_el1 = L1_TABLE;
    cpu.sys.daif = A64_DAIF_MASK;
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state), .pc_offset = offsetof(struct a64_state, PC),
        .memory = cpu.memory, .translate = a64_translate_block, .flags = a64_jit_flags(), .translate_ctx = &cpu.memory,
        .modes = a64_modes_key,
    };
    the_jit = jit_new(&cfg);
    if (!the_jit) return 2;
    put32(PAGE_A, movz_x0(0xa)); put32(PAGE_A + 4, HVC0);
    put32(PAGE_B, movz_x0(0xb)); put32(PAGE_B + 4, HVC0);

    map_code(PAGE_A);
    expect("page A", run(), 0xa);
    uint64_t t = translations();
    expect("translations of page A", t, 1);

    a64_cpu_tlb_flush(&cpu);                       /* TLBI VMALLE1: the mapping is the same */
    expect("page A after a TLB flush", run(), 0xa);
    expect("translations after a TLB flush", translations(), t);

    map_code(PAGE_B);
    expect("remapped to page B", run(), 0xb);
    expect("translations after the remap", translations(), t + 1);
    map_code(PAGE_A);
    expect("mapped back to page A", run(), 0xa);
    expect("translations after mapping back", translations(), t + 1);

    /* a store to page A through the CPU (translated code's stores to a page with
     * translations take this path): page A's translation goes, page B's stays */
    if (!cpu.memory_ops.store(&cpu, CODE_VA, 4, false, movz_x0(0xc)))
        expect("store to the code page", 0, 1);
    expect("code_writes", cpu.code_writes, 1);
    expect("rewritten page A", run(), 0xc);
    expect("translations after the rewrite", translations(), t + 2);
    map_code(PAGE_B);
    expect("page B again", run(), 0xb);
    expect("translations for page B again", translations(), t + 2);

    /* The inline TLB holds no store entry for a page with translations: an entry made
     * before (a store through the identity VA of page A, which has none then) goes
     * when page A is translated, and a fill afterwards (a load) makes none. */
    map_code(PAGE_A);
    cpu.memory_ops.store(&cpu, PAGE_A + 8, 4, false, 0);      /* discards page A's translation */
    cpu.memory_ops.store(&cpu, PAGE_A + 8, 4, false, 0);      /* fills the inline entry */
    const struct jit_tlb_entry *f = &cpu.fast_tlb[1][(PAGE_A >> 12) % JIT_TLB_ENTRIES];
    expect("inline store entry of a data page", f->write_tag, PAGE_A);
    expect("page A once more", run(), 0xc);
    expect("inline store entry once page A has translations", f->write_tag, JIT_TLB_EMPTY);
    uint64_t v;
    cpu.memory_ops.load(&cpu, PAGE_A + 8, 4, false, &v);
    expect("inline store entry after a load fill", f->write_tag, JIT_TLB_EMPTY);
    expect("inline load entry after a load fill", f->read_tag, PAGE_A);
    /* The same once the list of filled inline entries is full: an entry filled then
     * (not listed) must still go when its page gets translations. */
    for (int i = 0; i < 2 * JIT_TLB_VIEWS * JIT_TLB_ENTRIES; i++) {
        cpu.memory_ops.store(&cpu, PAGE_B + 0x100, 4, false, 0);    /* fills (then lists) an entry */
        a64_cpu_tlb_flush_va(&cpu, PAGE_B, 0, true);
    }
    map_code(PAGE_A);                                               /* a full flush: the list restarts */
    for (int i = 0; i < 2 * JIT_TLB_VIEWS * JIT_TLB_ENTRIES; i++) {
        cpu.memory_ops.store(&cpu, PAGE_B + 0x100, 4, false, 0);
        a64_cpu_tlb_flush_va(&cpu, PAGE_B, 0, true);
    }
    cpu.memory_ops.store(&cpu, PAGE_A + 8, 4, false, 0);            /* discards page A's translation */
    cpu.memory_ops.store(&cpu, PAGE_A + 8, 4, false, 0);            /* an inline entry, not listed */
    expect("inline store entry filled after the list is full", f->write_tag, PAGE_A);
    expect("page A after the list filled up", run(), 0xc);
    expect("inline store entry once page A has translations again", f->write_tag, JIT_TLB_EMPTY);

    uint64_t pa;
    bool fetchable = cpu.memory_ops.code_pa(&cpu, CODE_VA, &pa);
    expect("code_pa of CODE_VA", fetchable ? pa : 0, PAGE_A);

    jit_free(the_jit);
    if (failures) return 1;
    printf("sys_translations: translations survive TLB maintenance, follow remaps and stores\n");
    return 0;
}
