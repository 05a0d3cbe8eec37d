/* Random differential test of system mode: the JIT (over the system memory model)
 * against the interpreter, at EL1 and EL0 with the MMU on. Each case is a random
 * instruction stream (data processing, forward branches, loads and stores of every
 * size and addressing form through pointers near the edges of special pages: unmapped,
 * read-only, access flag clear, EL1-only; LDTR/STTR; exclusives; acquire/release)
 * ending in HVC #0. Every exception vector holds HVC #1, so the first exception stops
 * the case too. Both engines start from the same state and memory; the registers, the
 * exception syndrome registers and the data memory must be identical at the end.
 *
 *   test_sys_jit_diff CASES SEED      prints a summary; exit status 1 on a difference
 *   ONLY_CASE=N test_sys_jit_diff ... also prints the interpreter's PCs in case N */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/aarch64/cpu_system.h"
#include "tests/aarch64/random_insns.h"

#define RAM_BASE   0x40000000ull
#define RAM_SIZE   0x00100000ull            /* 1 MiB */
#define VECTORS    (RAM_BASE + 0x0000)      /* VBAR_EL1: 16 entries of HVC #1 */
#define CODE       (RAM_BASE + 0x1000)
#define L1_TABLE   (RAM_BASE + 0x80000)
#define L2_TABLE   (RAM_BASE + 0x81000)
#define L3_TABLE   (RAM_BASE + 0x82000)
#define DATA       (RAM_BASE + 0x10000)     /* 7 data pages */
#define DATA_PAGES 7
#define EL0_CODE   (RAM_BASE + 0x30000)     /* far from the data: no stream writes code */
#define MAX_LEN    24
#define HVC(imm)   (0xd4000002u | (uint32_t)(imm) << 5)

/* The special data pages (index from DATA). */
enum { PAGE_UNMAPPED = 2, PAGE_READ_ONLY = 3, PAGE_NO_AF = 4, PAGE_EL1_ONLY = 5 };

static uint8_t ram_initial[RAM_SIZE], ram_interp[RAM_SIZE], ram_jit[RAM_SIZE];
static struct a64_cpu cpu_interp, cpu_jit;
/* The JIT's translations are keyed by physical address, as ferry run's are. */
static uint64_t code_pages[RAM_SIZE / 4096 / 64];
static jit *the_jit;

static void code_written(void *ctx, uint64_t pa_page)
{
    (void)ctx;
    jit_invalidate_phys(the_jit, pa_page, 4096);
}

static void put32(uint8_t *ram, uint64_t pa, uint32_t v) { memcpy(ram + (pa - RAM_BASE), &v, 4); }
static void put64(uint8_t *ram, uint64_t pa, uint64_t v) { memcpy(ram + (pa - RAM_BASE), &v, 8); }

/* Identity map of the first 2 MiB of RAM in 4 KB pages (39-bit VAs, TTBR0 only). */
static void build_tables(uint8_t *ram)
{
    put64(ram, L1_TABLE + 8 * 1, L2_TABLE | 3);            /* 1 GB slot of 0x40000000 */
    put64(ram, L2_TABLE, L3_TABLE | 3);
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pa = RAM_BASE + i * 0x1000;
        uint64_t desc = pa | 3 | 1ull << 10 /* AF */ | 3ull << 8 /* inner shareable */ | 1ull << 6 /* EL0 RW */;
        if (pa == CODE || pa == VECTORS) desc &= ~(1ull << 6);           /* EL1 code, EL0 no access */
        /* Code and tables read-only (AP[2]): a stream that stores into its own code or
         * the tables, with no ISB or TLBI after, is CONSTRAINED UNPREDICTABLE (old or new
         * instruction, old or new translation), where the two engines may rightly differ;
         * read-only, it takes a permission fault in both. */
        if (pa == CODE || pa == VECTORS || pa == EL0_CODE || (pa >= L1_TABLE && pa <= L3_TABLE))
            desc |= 1ull << 7;
        uint64_t page = (pa - DATA) / 0x1000;
        if (pa >= DATA && page < DATA_PAGES) {
            if (page == PAGE_UNMAPPED) desc = 0;
            if (page == PAGE_READ_ONLY) desc |= 1ull << 7;                /* AP[2]: read-only */
            if (page == PAGE_NO_AF) desc &= ~(1ull << 10);
            if (page == PAGE_EL1_ONLY) desc &= ~(1ull << 6);
        }
        put64(ram, L3_TABLE + 8 * i, desc);
    }
    for (unsigned v = 0; v < 16; v++) put32(ram, VECTORS + 0x80 * v, HVC(1));
}

/* Mostly into the plain pages, a quarter of the time into a special one. */
static uint64_t pointer(void)
{
    static const unsigned plain[] = { 0, 1, 6 }, special[] = { PAGE_UNMAPPED, PAGE_READ_ONLY, PAGE_NO_AF, PAGE_EL1_ONLY };
    unsigned index = rnd() % 4 ? plain[rnd() % 3] : special[rnd() % 4];
    uint64_t page = DATA + index * 0x1000;
    switch (rnd() % 4) {
    case 0: return page;                                  /* page start */
    case 1: return page + 0x1000 - 8 * (1 + rnd() % 4);   /* near the end: crossings */
    case 2: return page + (rnd() % 0x1000);               /* anywhere, misaligned too */
    default: return page + 0x800;
    }
}

/* A load or store through x20..x23 (the pointer registers), every common form. */
static uint32_t rnd_memory_insn(bool el1)
{
    unsigned rn = 20 + (unsigned)(rnd() % 4), rt = (unsigned)(rnd() % 20), rt2 = (unsigned)(rnd() % 20);
    unsigned size = (unsigned)(rnd() % 4);
    switch (rnd() % 9) {
    case 0: /* LDR/STR (unsigned offset), sizes 1..8 */
        return (uint32_t)size << 30 | 0x39000000u | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() % 16) << 10 |
               rn << 5 | rt;
    case 1: /* LDUR/STUR and post/pre-index (imm9), not touching x20..23 as Rt */
        return (uint32_t)size << 30 | 0x38000000u | (uint32_t)(rnd() % 2) << 22 |
               (((uint32_t)((rnd() % 64) - 32) << 12) & 0x1ff000u) | (uint32_t)(rnd() % 4 == 2 ? 0 : rnd() % 4) << 10 |
               rn << 5 | rt;
    case 2: /* LDTR/STTR */
        return (uint32_t)size << 30 | 0x38000800u | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() % 16) << 12 |
               rn << 5 | rt;
    case 3: /* LDP/STP 64-bit, signed offset */
        return 0xa9000000u | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() % 8) << 15 | rt2 << 10 | rn << 5 | rt;
    case 4: /* LDXR / STXR (x0..x19 status) */
        return rnd() % 2 ? (0xc85f7c00u | rn << 5 | rt) : (0xc8007c00u | (uint32_t)(rnd() % 20) << 16 | rn << 5 | rt);
    case 5: /* LDAR / STLR */
        return rnd() % 2 ? (0xc8dffc00u | rn << 5 | rt) : (0xc89ffc00u | rn << 5 | rt);
    case 6: /* LDR Q / STR Q (unsigned offset) */
        return 0x3d800000u | (uint32_t)(rnd() % 2) << 22 | (uint32_t)(rnd() % 8) << 10 | rn << 5 | (rt & 31);
    case 7: /* pointer moves: ADD x2n, x2n, #imm (keeps pointers near the special pages) */
        return 0x91000000u | (uint32_t)(rnd() % 64) << 10 | rn << 5 | rn;
    default: /* DC ZVA (EL1: always allowed) */
        return el1 ? (0xd50b7420u | rn) : 0xd503201fu;
    }
}

struct result {
    struct a64_state s;
    uint64_t elr, esr, far, spsr;
    bool finished;
};

static void setup_cpu(struct a64_cpu *cpu, uint8_t *ram, const struct a64_state *initial)
{
    struct a64_machine_if mif = { .ram = ram, .ram_base = RAM_BASE, .ram_size = RAM_SIZE, .bus = NULL };
    if (cpu == &cpu_jit) {
        mif.code_pages = code_pages;
        mif.code_written = code_written;
    }
    a64_cpu_init(cpu, &mif, NULL, NULL, NULL);
    cpu->sys.sctlr_el1 |= A64_SCTLR_M | A64_SCTLR_C | A64_SCTLR_I;
    cpu->sys.sctlr_el1 &= ~(A64_SCTLR_SA | A64_SCTLR_SA0);   /* random SPs */
    cpu->sys.tcr_el1 = 25 | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 23 /* EPD1 */ | 2ull << 32 /* 40-bit IPS */;
    cpu->sys.mair_el1 = 0xff;
    cpu->sys.ttbr0_el1 = L1_TABLE;
    cpu->sys.vbar_el1 = VECTORS;
    cpu->sys.daif = A64_DAIF_MASK;
    uint8_t el = initial->EL;
    cpu->s = *initial;
    cpu->s.SYS = 1;
    cpu->s.SPA = 0;
    cpu->sys.el = el;
    cpu->sys.spsel = el ? 1 : 0;
}

/* Runs until the stream's HVC #0 or an exception's HVC #1. */
static void run(struct a64_cpu *cpu, jit *j, struct result *r)
{
    r->finished = false;
    for (unsigned steps = 0; steps < 200; steps++) {
        uint64_t info = 0;
        ir_exit_kind kind;
        if (a64_cpu_check_illegal_state(cpu)) continue;
        if (j) {
            a64_cpu_sync_jit(cpu, j);
            kind = jit_run(j, &cpu->s, &info);
        } else {
            uint64_t budget = getenv("TRACE_INTERP") ? 1 : 1000;
            if (getenv("TRACE_INTERP")) printf("    interp pc %llx el %u\n", (unsigned long long)cpu->s.PC, cpu->s.EL);
            kind = a64_interp_run(&cpu->s, &cpu->memory, &info, &budget);
            if (getenv("TRACE_INTERP") && kind != IR_EXIT_JUMP) printf("    exit %d info %llx\n", kind, (unsigned long long)info);
        }
        if (a64_cpu_handle_exit(cpu, kind, info, false) == A64_CPU_HVC) {
            r->finished = true;
            break;
        }
    }
    r->s = cpu->s;
    r->elr = cpu->sys.elr_el1;
    r->esr = cpu->sys.esr_el1;
    r->far = cpu->sys.far_el1;
    r->spsr = cpu->sys.spsr_el1;
}

static bool same(const struct result *a, const struct result *b)
{
    return a->finished == b->finished && !memcmp(a->s.X, b->s.X, sizeof(a->s.X)) && a->s.SP == b->s.SP &&
           a->s.PC == b->s.PC && a->s.N == b->s.N && a->s.Z == b->s.Z && a->s.C == b->s.C && a->s.V == b->s.V &&
           !memcmp(a->s.VR, b->s.VR, sizeof(a->s.VR)) && a->s.EL == b->s.EL && a->elr == b->elr &&
           a->esr == b->esr && a->far == b->far && a->spsr == b->spsr;
}

int main(int argc, char **argv)
{
    unsigned cases = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 10000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
    rnd_seed(seed);
    build_tables(ram_initial);
    memcpy(ram_interp, ram_initial, RAM_SIZE);
    memcpy(ram_jit, ram_initial, RAM_SIZE);
    struct a64_state zero;
    memset(&zero, 0, sizeof(zero));
    zero.EL = 1;
    setup_cpu(&cpu_jit, ram_jit, &zero);
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state), .pc_offset = offsetof(struct a64_state, PC),
        .memory = cpu_jit.memory, .translate = a64_translate_block, .flags = a64_jit_flags(), .translate_ctx = &cpu_jit.memory,
        .modes = a64_modes_key,
    };
    jit *j = jit_new(&cfg);
    if (!j) return 2;
    the_jit = j;
    unsigned failures = 0, faults = 0, el0_cases = 0;
    for (unsigned c = 0; c < cases && failures < 5; c++) {
        bool el1 = rnd() % 4 != 0;
        unsigned n = 1 + (unsigned)(rnd() % MAX_LEN);
        uint32_t code[MAX_LEN + 1];
        for (unsigned i = 0; i < n; i++)
            code[i] = rnd() % 6 == 0 ? rnd_forward_branch(i, n) : rnd() % 3 == 0 ? rnd_memory_insn(el1) : rnd_plain_insn(true);
        code[n] = HVC(0);
        struct a64_state initial;
        memset(&initial, 0, sizeof(initial));
        for (unsigned r = 0; r < 31; r++) initial.X[r] = rnd_operand();
        for (unsigned r = 20; r < 24; r++) initial.X[r] = pointer();
        for (unsigned v = 0; v < 32; v++) initial.VR[v] = (unsigned __int128)rnd() << 64 | rnd();
        initial.SP = pointer() & ~15ull;
        a64_set_nzcv(&initial, (uint32_t)(rnd() & 0xf0000000u));
        initial.EL = el1 ? 1 : 0;
        initial.PC = CODE;
        el0_cases += !el1;
        /* EL0 cannot execute the EL1-only code page: the stream runs from the EL0 page */
        uint64_t code_pa = el1 ? CODE : EL0_CODE;
        initial.PC = code_pa;
        for (unsigned i = 0; i <= n; i++) {
            put32(ram_interp, code_pa + 4 * i, code[i]);
            put32(ram_jit, code_pa + 4 * i, code[i]);
        }
        for (unsigned p = 0; p < DATA_PAGES; p++)
            for (unsigned k = 0; k < 0x1000; k += 8) {
                uint64_t v = rnd();
                put64(ram_interp, DATA + p * 0x1000 + k, v);
                put64(ram_jit, DATA + p * 0x1000 + k, v);
            }
        setup_cpu(&cpu_interp, ram_interp, &initial);
        setup_cpu(&cpu_jit, ram_jit, &initial);
        jit_invalidate_all(j);
        memset(code_pages, 0, sizeof code_pages);
        struct result ri, rj;
        if (getenv("ONLY_CASE") && c == (unsigned)atoi(getenv("ONLY_CASE"))) setenv("TRACE_INTERP", "1", 1);
        run(&cpu_interp, NULL, &ri);
        unsetenv("TRACE_INTERP");
        run(&cpu_jit, j, &rj);
        faults += ri.esr != 0;
        bool mem_same = !memcmp(ram_interp + (DATA - RAM_BASE), ram_jit + (DATA - RAM_BASE), DATA_PAGES * 0x1000);
        if (!same(&ri, &rj) || !mem_same) {
            failures++;
            printf("case %u (seed %#llx, EL%u): %s%s\n", c, (unsigned long long)seed, el1 ? 1 : 0,
                   same(&ri, &rj) ? "" : "state differs ", mem_same ? "" : "memory differs");
            for (unsigned i = 0; i <= n; i++) {
                char text[96];
                a64_disasm(code[i], code_pa + 4 * i, text, sizeof text);
                printf("  %08x  %s\n", code[i], text);
            }
            printf("  interp: pc %llx esr %llx far %llx elr %llx finished %d | jit: pc %llx esr %llx far %llx elr %llx finished %d\n",
                   (unsigned long long)ri.s.PC, (unsigned long long)ri.esr, (unsigned long long)ri.far,
                   (unsigned long long)ri.elr, ri.finished, (unsigned long long)rj.s.PC, (unsigned long long)rj.esr,
                   (unsigned long long)rj.far, (unsigned long long)rj.elr, rj.finished);
            for (uint64_t a = DATA; a < DATA + DATA_PAGES * 0x1000 && !mem_same; a += 8) {
                uint64_t vi, vj;
                memcpy(&vi, ram_interp + (a - RAM_BASE), 8);
                memcpy(&vj, ram_jit + (a - RAM_BASE), 8);
                if (vi != vj) {
                    printf("  memory at %llx: interp %016llx jit %016llx\n", (unsigned long long)a,
                           (unsigned long long)vi, (unsigned long long)vj);
                    break;
                }
            }
            for (unsigned r = 0; r < 31; r++)
                if (ri.s.X[r] != rj.s.X[r])
                    printf("  x%u: interp %llx jit %llx\n", r, (unsigned long long)ri.s.X[r], (unsigned long long)rj.s.X[r]);
        }
        /* the next case starts from the pristine tables and vectors */
        memcpy(ram_interp + (CODE - RAM_BASE), ram_initial + (CODE - RAM_BASE), 0x1000);
        memcpy(ram_jit + (CODE - RAM_BASE), ram_initial + (CODE - RAM_BASE), 0x1000);
    }
    jit_free(j);
    printf("sys_jit_diff: %u cases (%u at EL0, %u ended in an exception), %u differ\n", cases, el0_cases, faults,
           failures);
    return failures ? 1 : 0;
}
