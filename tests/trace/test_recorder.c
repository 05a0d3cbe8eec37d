/* Tests of the trace recorder (hypervisor/trace/trace_recorder.c) with the AArch64
 * register map (arch/aarch64/trace_regs.c), built plain and with ASan/UBSan:
 *   test_recorder unit DIR        hand-built item buffers (as the JIT and the interpreter
 *                                 write them) through a recorder, the file read back and
 *                                 every record checked exactly
 *   test_recorder bench DIR [N]   CPU time per record of the recording thread: the
 *                                 recorder fed the synthetic stream as items, against
 *                                 the writer fed the same records directly
 * Prints one line per failed check and "test_recorder: N checks, M failed". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aarch64/a64_state.h"
#include "arch/aarch64/trace_regs.h"
#include "hypervisor/trace/trace_reader.h"
#include "hypervisor/trace/trace_recorder.h"
#include "tools/trace-bench/synth.h"

#include "tests/trace/check.h"

#define TPIDR_ID TRACE_REG_SYSREG(3, 3, 13, 0, 2)
#define U128(hi, lo) ((unsigned __int128)(hi) << 64 | (lo))

/* ---- Building items (what the interpreter's helpers and translated code write) ---- */

/* Translated code entering block `id`. */
static void put_block_id(struct jit_trace_buf *b, uint32_t id)
{
    *jit_trace_reserve(b, 1) = JIT_TRACE_BLOCK_ID | (uint64_t)id << 4;
}

/* A translation that looped on itself: `count` entries of block `id`. */
static void put_block_run(struct jit_trace_buf *b, uint32_t id, uint64_t count)
{
    uint64_t *p = jit_trace_reserve(b, 2);
    p[0] = JIT_TRACE_BLOCK_RUN | (uint64_t)id << 4;
    p[1] = count;
}

/* A new translation (as the JIT describes it), entered once. */
static void put_block(struct jit_trace_buf *b, uint64_t pc, int el, uint32_t n)
{
    static uint32_t next_id = 5;          /* any unused ids will do */
    uint32_t id = next_id++;
    jit_trace_block_def(b, id, pc, false, 0, (unsigned)el, n);
    put_block_id(b, id);
}

static void put_store_excl(struct jit_trace_buf *b, uint64_t addr, unsigned size, uint64_t lo, uint64_t hi,
                           uint64_t status)
{
    uint64_t *p = jit_trace_reserve(b, size > 8 ? 5 : 4);
    p[0] = JIT_TRACE_STORE_EXCL | (uint64_t)size << 4;
    p[1] = addr;
    p[2] = lo;
    if (size > 8)
        p[3] = hi;
    p[size > 8 ? 4 : 3] = status;
}

static void put_x(struct jit_trace_buf *b, unsigned n, uint64_t v)
{
    jit_trace_reg(b, (uint32_t)A64_OFF_X(n), 8, v, 0);
}

/* ---- Reading back ---- */

#define MAX_READ 20000

struct rrec {
    struct trace_insn insn;
    uint32_t n_insns;
    struct trace_reg_write regs[16];
    struct trace_mem_access mem[16];
};

static struct rrec got[MAX_READ];
static struct trace_reader_info got_info;
static char got_filters[256], got_command[256];

/* Reads the whole trace into got[]; the record count, or -1. */
static int read_back(const char *path)
{
    char err[600];
    struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
    CHECK(r != NULL, "open %s: %s", path, err);
    if (!r)
        return -1;
    got_info = *trace_reader_info(r);
    snprintf(got_filters, sizeof got_filters, "%s", got_info.filters);
    snprintf(got_command, sizeof got_command, "%s", got_info.command_line);
    got_info.filters = got_filters;
    got_info.command_line = got_command;
    int n = 0, rc;
    struct trace_record rec;
    while (n < MAX_READ && (rc = trace_reader_next(r, &rec)) == 1) {
        struct rrec *g = &got[n++];
        g->insn = rec.insn;
        g->n_insns = rec.n_insns;
        CHECK(rec.insn.n_regs <= 16 && rec.insn.n_mem <= 16, "record %d too big", n - 1);
        if (rec.insn.n_regs <= 16 && rec.insn.n_mem <= 16) {
            if (rec.insn.n_regs)
                memcpy(g->regs, rec.insn.regs, rec.insn.n_regs * sizeof *g->regs);
            if (rec.insn.n_mem)
                memcpy(g->mem, rec.insn.mem, rec.insn.n_mem * sizeof *g->mem);
        } else {
            g->insn.n_regs = g->insn.n_mem = 0;
        }
        g->insn.regs = g->regs;
        g->insn.mem = g->mem;
    }
    CHECK(rc == 0, "read %s: %s", path, trace_reader_error(r));
    trace_reader_close(r);
    return n;
}

static bool reg_is(const struct rrec *g, unsigned k, unsigned id, uint64_t lo, uint64_t hi)
{
    return k < g->insn.n_regs && g->regs[k].id == id && g->regs[k].lo == lo && g->regs[k].hi == hi;
}

static bool mem_is(const struct rrec *g, unsigned j, uint64_t va, unsigned size, bool store, uint64_t lo,
                   uint64_t hi)
{
    const struct trace_mem_access *m = &g->mem[j];
    return j < g->insn.n_mem && m->va == va && m->size == size && m->store == store && m->has_value &&
           m->lo == lo && m->hi == hi;
}

static void dump(const struct rrec *g)
{
    fprintf(stderr, "  seq %llu pc 0x%llx el %u enc 0x%x n=%u regs:", (unsigned long long)g->insn.seq,
            (unsigned long long)g->insn.pc, g->insn.el, g->insn.encoding, g->n_insns);
    for (unsigned k = 0; k < g->insn.n_regs; k++)
        fprintf(stderr, " %u=0x%llx:%llx", g->regs[k].id, (unsigned long long)g->regs[k].hi,
                (unsigned long long)g->regs[k].lo);
    for (unsigned j = 0; j < g->insn.n_mem; j++)
        fprintf(stderr, " %s%u[0x%llx]=0x%llx:%llx", g->mem[j].store ? "st" : "ld", g->mem[j].size,
                (unsigned long long)g->mem[j].va, (unsigned long long)g->mem[j].hi,
                (unsigned long long)g->mem[j].lo);
    if (g->insn.has_exception)
        fprintf(stderr, " exc ec=0x%x", g->insn.exc.ec);
    fputc('\n', stderr);
}

/* ---- Helpers for opening and closing ---- */

static struct trace_recorder *open_rec(const char *path, struct trace_recorder_options *o)
{
    char err[600];
    if (!o->command_line)
        o->command_line = "ferry user --trace x prog";
    struct trace_recorder *rec = trace_recorder_open(path, a64_trace_arch(), o, err, sizeof err);
    CHECK(rec != NULL, "open %s: %s", path, err);
    return rec;
}

static int close_rec(struct trace_recorder *rec)
{
    char err[600] = "";
    int rc = trace_recorder_close(rec, NULL, err, sizeof err);
    CHECK(rc == 0, "close: %s", err);
    return rc;
}

static struct trace_recorder_options full_opts(void)
{
    return (struct trace_recorder_options){.mode = JIT_TRACE_FULL, .el = -1};
}

/* ---- Physical addresses (system mode) ---- */

static void test_physical(void)
{
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    /* Full mode: INSN items with and without a PA word. */
    const char *path = tmp_path("pa.ftrace");
    struct trace_recorder_options o = full_opts();
    o.physical = true;
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    trace_recorder_resume(rec, &st);
    jit_trace_insn_pa(b, 0xffff000000400a30ull, 0x40201a30, 0xd2800540, 1);
    put_x(b, 0, 0x2a);
    jit_trace_insn_pa(b, 0xffff000000400a34ull, 0x40201a34, 0xd65f03c0, 1);
    trace_recorder_exit(rec, &st, false);
    close_rec(rec);
    int n = read_back(path);
    CHECK(n == 2 && (got_info.flags & TRACE_FLAG_PA), "%d records, flags %u", n, got_info.flags);
    if (n == 2)
        CHECK(got[0].insn.has_pa && got[0].insn.pa == 0x40201a30 && got[0].insn.pc == 0xffff000000400a30ull &&
                  reg_is(&got[0], 0, 0, 0x2a, 0) && got[1].insn.has_pa && got[1].insn.pa == 0x40201a34,
              "physical addresses");
    /* Block mode: translated blocks with PAs (repeats only of the same PA), interpreted
     * instructions grouped only while PCs and PAs both run on. */
    path = tmp_path("pa-blocks.ftrace");
    o.mode = JIT_TRACE_BLOCKS;
    rec = open_rec(path, &o);
    if (!rec)
        return;
    b = trace_recorder_buffer(rec);
    trace_recorder_resume(rec, &st);
    for (int i = 0; i < 3; i++) {
        uint64_t *p = jit_trace_reserve(b, 3);
        p[0] = JIT_TRACE_BLOCK | JIT_TRACE_PA | (uint64_t)2 << 4 | (uint64_t)4 << 32;
        p[1] = 0x1000;
        p[2] = i == 2 ? 0x9000 : 0x5000;           /* the third: another mapping */
    }
    jit_trace_interp_block(b, 0x2000, true, 0x6000, 1);
    jit_trace_interp_block(b, 0x2004, true, 0x6004, 1);
    jit_trace_interp_block(b, 0x2008, true, 0x7008, 1);  /* PA jumps: a new block */
    trace_recorder_exit(rec, &st, false);
    close_rec(rec);
    n = read_back(path);
    CHECK(n == 5, "%d block records", n);
    if (n == 5)
        CHECK(got[0].insn.pa == 0x5000 && got[1].insn.pa == 0x5000 && got[2].insn.pa == 0x9000 &&
                  got[3].insn.pc == 0x2000 && got[3].insn.pa == 0x6000 && got[3].n_insns == 2 &&
                  got[4].insn.pa == 0x7008 && got[4].n_insns == 1 && got[4].insn.seq == 14,
              "block physical addresses");
}

/* ---- Registers the runtime keeps outside the state (MSR of system registers) ---- */

static void test_add_reg(void)
{
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    const char *path = tmp_path("addreg.ftrace");
    struct trace_recorder_options o = full_opts();
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    const uint16_t vbar = (uint16_t)TRACE_REG_SYSREG(3, 0, 12, 0, 0), elr = (uint16_t)TRACE_REG_SYSREG(3, 0, 4, 0, 1);
    trace_recorder_resume(rec, &st);
    jit_trace_insn(b, 0x1000, 0xd518c000, 1);      /* msr vbar_el1, x0: the runtime runs it */
    trace_recorder_exit(rec, &st, true);
    trace_recorder_add_reg(rec, vbar, 0x1000, 0);
    trace_recorder_add_reg(rec, vbar, 0x40000800, 0);   /* the later value wins */
    trace_recorder_resume(rec, &st);
    jit_trace_insn(b, 0x1004, 0x91000421, 1);      /* x1 and a system register, sorted by id */
    put_x(b, 1, 5);
    st.X[1] = 5;                                   /* what the instruction left */
    trace_recorder_exit(rec, &st, false);
    trace_recorder_add_reg(rec, elr, 0x2000, 0);
    trace_recorder_resume(rec, &st);
    close_rec(rec);
    int n = read_back(path);
    CHECK(n == 2, "%d records", n);
    if (n == 2)
        CHECK(got[0].insn.n_regs == 1 && reg_is(&got[0], 0, vbar, 0x40000800, 0) && got[1].insn.n_regs == 2 &&
                  reg_is(&got[1], 0, 1, 5, 0) && reg_is(&got[1], 1, elr, 0x2000, 0),
              "system registers added by the runtime");
}

/* ---- Register merging ---- */

static void test_registers(void)
{
    const char *path = tmp_path("regs.ftrace");
    struct trace_recorder_options o = full_opts();
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    CHECK(b->mode == JIT_TRACE_FULL && b->limit > b->base && b->cursor == b->base, "full-mode buffer");
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    st.X[2] = 0x1111111122222222ull;
    st.VR[5] = U128(0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull);
    st.PC = 0x1000;
    trace_recorder_resume(rec, &st);

    /* 0: NZCV from four flag bytes (only the low byte of each value counts). */
    jit_trace_insn(b, 0x1000, 0xab000001, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_N, 1, 1, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_Z, 1, 0, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_C, 1, 0x7701, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_V, 1, 1, 0);
    /* 1: V3 from two 8-byte halves. */
    jit_trace_insn(b, 0x1004, 0x4e000003, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(3), 8, 0x0123456789abcdefull, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(3) + 8, 8, 0xfedcba9876543210ull, 0);
    /* 2: V4 from one 16-byte write. */
    jit_trace_insn(b, 0x1008, 0x4e000004, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(4), 16, 0x4444, 0x5555);
    /* 3: X3, then X1 twice: sorted by id, the last value of X1. */
    jit_trace_insn(b, 0x100c, 0x91000001, 0);
    put_x(b, 3, 9);
    put_x(b, 1, 5);
    put_x(b, 1, 7);
    /* 4: narrow writes: 4 bytes of X2, 1 byte of V5; the rest of each register stays. */
    jit_trace_insn(b, 0x1010, 0x2a000002, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_X(2), 4, 0xdeadbeef12345678ull, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(5), 1, 0x1ff, 0);
    /* 5: SP, FPSR, TPIDR_EL0 and the exclusive monitor (no register). */
    jit_trace_insn(b, 0x1014, 0xd51bd040, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_TPIDR_EL0, 8, 0x7000, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_EXCL_VALID, 1, 1, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_EXCL_ADDR, 8, 0x1234, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_FPSR, 4, 0x8000001f, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_SP, 8, 0x7ffff000, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_FPCR, 4, 0x03000000, 0);
    /* 6, 7: ELs. */
    jit_trace_insn(b, 0x1018, 0xd503201f, 1);
    jit_trace_insn(b, 0x101c, 0xd503201f, (unsigned)-1);
    /* 8: after an FP helper (REG_CHANGED over FPCR and FPSR as one 8-byte item, as the
     * JIT emits it): only FPSR changed, so only FPSR is written. 9: per register, as
     * the interpreter emits them: nothing changed, nothing written. */
    jit_trace_insn(b, 0x1020, 0x1e611800, 0);
    jit_trace_reg_changed(b, (uint32_t)A64_OFF_FPCR, 8, 0x03000000ull | (uint64_t)0x8000001b << 32);
    jit_trace_insn(b, 0x1024, 0x1e611800, 0);
    jit_trace_reg_changed(b, (uint32_t)A64_OFF_FPCR, 4, 0x03000000);
    jit_trace_reg_changed(b, (uint32_t)A64_OFF_FPSR, 4, 0x8000001b);
    trace_recorder_exit(rec, &st, false);
    CHECK(trace_recorder_instructions(rec) == 10, "%llu", (unsigned long long)trace_recorder_instructions(rec));
    close_rec(rec);

    int n = read_back(path);
    CHECK(n == 10, "%d records", n);
    if (n != 10)
        return;
    CHECK(got_info.mode == TRACE_MODE_FULL && got_info.flags == TRACE_FLAG_VALUES &&
              got_info.arch == TRACE_ARCH_AARCH64 && !strcmp(got_filters, "") &&
              !strcmp(got_command, "ferry user --trace x prog"),
          "header: mode %u flags %u filters '%s' command '%s'", got_info.mode, got_info.flags, got_filters,
          got_command);
    for (int i = 0; i < n; i++)
        CHECK(got[i].insn.seq == (uint64_t)i && got[i].insn.pc == 0x1000 + 4u * i && got[i].insn.has_values &&
                  !got[i].insn.has_pa && !got[i].insn.has_exception && got[i].insn.n_mem == 0,
              "record %d", i);
    CHECK(got[0].insn.encoding == 0xab000001 && got[0].insn.n_regs == 1 &&
              reg_is(&got[0], 0, TRACE_REG_NZCV, 0xb0000000u, 0), "nzcv");
    CHECK(got[1].insn.n_regs == 1 &&
              reg_is(&got[1], 0, TRACE_REG_V0 + 3, 0x0123456789abcdefull, 0xfedcba9876543210ull), "v3 halves");
    CHECK(got[2].insn.n_regs == 1 && reg_is(&got[2], 0, TRACE_REG_V0 + 4, 0x4444, 0x5555), "v4");
    CHECK(got[3].insn.n_regs == 2 && reg_is(&got[3], 0, 1, 7, 0) && reg_is(&got[3], 1, 3, 9, 0), "x1 x3");
    CHECK(got[4].insn.n_regs == 2 && reg_is(&got[4], 0, 2, 0x1111111112345678ull, 0) &&
              reg_is(&got[4], 1, TRACE_REG_V0 + 5, 0xbbbbbbbbbbbbbbffull, 0xaaaaaaaaaaaaaaaaull),
          "narrow");
    CHECK(got[5].insn.n_regs == 4 && reg_is(&got[5], 0, TRACE_REG_SP, 0x7ffff000, 0) &&
              reg_is(&got[5], 1, TRACE_REG_FPCR, 0x03000000, 0) && reg_is(&got[5], 2, TRACE_REG_FPSR, 0x8000001f, 0) &&
              reg_is(&got[5], 3, TPIDR_ID, 0x7000, 0),
          "sp fpcr fpsr tpidr");
    CHECK(got[6].insn.el == 1 && got[6].insn.n_regs == 0, "el 1");
    CHECK(got[7].insn.el == TRACE_EL_UNKNOWN && got[7].insn.n_regs == 0, "el unknown");
    CHECK(got[8].insn.n_regs == 1 && reg_is(&got[8], 0, TRACE_REG_FPSR, 0x8000001b, 0), "changed: fpsr only");
    CHECK(got[9].insn.n_regs == 0, "unchanged: nothing written");
    for (int i = 0; i < n && failures; i++)
        dump(&got[i]);
}

/* ---- Memory accesses ---- */

static void test_memory(void)
{
    const char *path = tmp_path("mem.ftrace");
    struct trace_recorder_options o = full_opts();
    o.codec = TRACE_WRITER_UNCOMPRESSED;
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    trace_recorder_resume(rec, &st);
    /* 0: a 4-byte load (value masked to its size) into W0. */
    jit_trace_insn(b, 0x2000, 0xb9400020, 0);
    jit_trace_access(b, false, 0x5000, 4, 0xffffffffdeadbeefull, 0);
    put_x(b, 0, 0xdeadbeef);
    /* 1: an 8-byte store. */
    jit_trace_insn(b, 0x2004, 0xf9000020, 0);
    jit_trace_access(b, true, 0x5008, 8, 0x0102030405060708ull, 0);
    /* 2: a 16-byte load into Q0. */
    jit_trace_insn(b, 0x2008, 0x3dc00020, 0);
    jit_trace_access(b, false, 0x5010, 16, 0x1111, 0x2222);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(0), 16, 0x1111, 0x2222);
    /* 3: a 16-byte store, then a 2-byte store: program order, masked. */
    jit_trace_insn(b, 0x200c, 0x3d800020, 0);
    jit_trace_access(b, true, 0x5020, 16, 0x3333, 0x4444);
    jit_trace_access(b, true, 0x5030, 2, 0x12345, 0);
    /* 4: a successful store-exclusive: recorded as a store. */
    jit_trace_insn(b, 0x2010, 0xc8017c20, 0);
    put_store_excl(b, 0x6000, 8, 5, 0, 0);
    put_x(b, 1, 0);
    /* 5: a failed one: no access. */
    jit_trace_insn(b, 0x2014, 0xc8017c20, 0);
    put_store_excl(b, 0x6000, 4, 5, 0, 1);
    put_x(b, 1, 1);
    /* 6: a 16-byte pair store-exclusive (5 words) that stored, and a 12-byte one
     * (masked high half). */
    jit_trace_insn(b, 0x2018, 0xc8210c20, 0);
    put_store_excl(b, 0x6010, 16, 0xaaaa, 0xbbbb, 0);
    put_store_excl(b, 0x6020, 12, 0xcccc, 0xffffffff0000dddd, 0);
    /* 7: DC ZVA as four 16-byte stores and a load before them. */
    jit_trace_insn(b, 0x201c, 0xd50b7420, 0);
    jit_trace_access(b, false, 0x6ff8, 1, 0x1ff, 0);
    for (unsigned k = 0; k < 4; k++)
        jit_trace_access(b, true, 0x7000 + 16 * k, 16, 0, 0);
    trace_recorder_exit(rec, &st, false);
    close_rec(rec);

    int n = read_back(path);
    CHECK(n == 8, "%d records", n);
    if (n != 8)
        return;
    CHECK(got[0].insn.n_mem == 1 && mem_is(&got[0], 0, 0x5000, 4, false, 0xdeadbeef, 0) &&
              reg_is(&got[0], 0, 0, 0xdeadbeef, 0), "ldr w");
    CHECK(got[1].insn.n_mem == 1 && got[1].insn.n_regs == 0 &&
              mem_is(&got[1], 0, 0x5008, 8, true, 0x0102030405060708ull, 0), "str x");
    CHECK(got[2].insn.n_mem == 1 && mem_is(&got[2], 0, 0x5010, 16, false, 0x1111, 0x2222) &&
              reg_is(&got[2], 0, TRACE_REG_V0, 0x1111, 0x2222), "ldr q");
    CHECK(got[3].insn.n_mem == 2 && mem_is(&got[3], 0, 0x5020, 16, true, 0x3333, 0x4444) &&
              mem_is(&got[3], 1, 0x5030, 2, true, 0x2345, 0), "str q, strh");
    CHECK(got[4].insn.n_mem == 1 && mem_is(&got[4], 0, 0x6000, 8, true, 5, 0) && reg_is(&got[4], 0, 1, 0, 0),
          "stxr ok");
    CHECK(got[5].insn.n_mem == 0 && reg_is(&got[5], 0, 1, 1, 0), "stxr failed");
    CHECK(got[6].insn.n_mem == 2 && mem_is(&got[6], 0, 0x6010, 16, true, 0xaaaa, 0xbbbb) &&
              mem_is(&got[6], 1, 0x6020, 12, true, 0xcccc, 0xdddd), "stxp 16");
    CHECK(got[7].insn.n_mem == 5 && mem_is(&got[7], 0, 0x6ff8, 1, false, 0xff, 0) &&
              mem_is(&got[7], 1, 0x7000, 16, true, 0, 0) && mem_is(&got[7], 4, 0x7030, 16, true, 0, 0),
          "dc zva");
    for (int i = 0; i < n && failures; i++)
        dump(&got[i]);
}

/* ---- Draining a tiny buffer ---- */

static void drain_stream(struct jit_trace_buf *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        jit_trace_insn(b, 0x10000 + 4 * (i % 100), 0x8b000000 | i % 31, 0);
        put_x(b, i % 31, (uint64_t)i * 3);
        if (i % 3 == 0)
            jit_trace_access(b, false, 0x20000 + 8 * i, 8, i, 0);
        if (i % 5 == 0)
            put_store_excl(b, 0x30000 + 16 * i, 16, i, ~(uint64_t)i, 0);
        if (i % 7 == 0)
            jit_trace_reg(b, (uint32_t)A64_OFF_VR(i % 32), 16, i, i + 1);
    }
}

static void check_drain_stream(int n, unsigned expect)
{
    CHECK(n == (int)expect, "%d records", n);
    for (int i = 0; i < n && i < (int)expect; i++) {
        const struct rrec *g = &got[i];
        unsigned nm = (i % 3 == 0) + (i % 5 == 0), nr = 1 + (i % 7 == 0);
        bool ok = g->insn.seq == (uint64_t)i && g->insn.pc == 0x10000 + 4u * (i % 100) &&
                  g->insn.encoding == (0x8b000000u | i % 31) && g->insn.n_regs == nr && g->insn.n_mem == nm &&
                  reg_is(g, 0, i % 31, (uint64_t)i * 3, 0);
        if (nr == 2)
            ok = ok && reg_is(g, 1, TRACE_REG_V0 + i % 32, i, i + 1);
        unsigned j = 0;
        if (i % 3 == 0)
            ok = ok && mem_is(g, j++, 0x20000 + 8u * i, 8, false, i, 0);
        if (i % 5 == 0)
            ok = ok && mem_is(g, j++, 0x30000 + 16u * i, 16, true, i, ~(uint64_t)i);
        CHECK(ok, "record %d", i);
        if (!ok) {
            dump(g);
            break;
        }
    }
}

/* The most records a drain stream may have for read_back to reach the file's end. */
enum { LONG_STREAM = MAX_READ - 1 };

/* A full-mode recorder with these buffer and chunk sizes (0: the defaults), resumed
 * from a zero state. */
static struct trace_recorder *open_resumed(const char *path, size_t buffer_words, unsigned chunk_records)
{
    struct trace_recorder_options o = full_opts();
    o.buffer_words = buffer_words;
    o.chunk_records = chunk_records;
    struct trace_recorder *rec = open_rec(path, &o);
    if (rec) {
        static struct a64_state st;
        memset(&st, 0, sizeof st);
        trace_recorder_resume(rec, &st);
    }
    return rec;
}

/* Tiny buffers, and one with soft limits (every 8192 words of 65536: the stream of
 * about 130000 words meets them with the consumer busy or idle, and switches twice). */
static void test_drain(void)
{
    static const size_t sizes[] = {5, 8, 13, 1u << 16, 0};
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const char *path = tmp_path("drain.ftrace");
        struct trace_recorder *rec = open_resumed(path, sizes[s], 700);
        if (!rec)
            return;
        unsigned n = sizes[s] == 1u << 16 ? LONG_STREAM : 5000;
        drain_stream(trace_recorder_buffer(rec), n);
        /* No exit: close processes what is still buffered. */
        close_rec(rec);
        check_drain_stream(read_back(path), n);
    }
}

/* The engine's way in: items written to a buffer of its own reach the recorder in
 * batches (trace_recorder_append), small ones that cross the recorder's soft limits and
 * large ones that need a buffer switch. */
struct engine_like {
    struct jit_trace_buf b;
    struct trace_recorder *rec;
    int rc;
};

static void engine_like_drain(void *ctx)
{
    struct engine_like *e = ctx;
    if (trace_recorder_append(e->rec, e->b.base, (size_t)(e->b.cursor - e->b.base)) != 0)
        e->rc = -1;
    e->b.cursor = e->b.base;
}

static void test_append(void)
{
    static const size_t batch_words[] = {64, 5000, 40000};
    static uint64_t engine_buf[40000];
    for (unsigned k = 0; k < sizeof batch_words / sizeof batch_words[0]; k++) {
        const char *path = tmp_path("append.ftrace");
        struct trace_recorder *rec = open_resumed(path, 1u << 16, 0);
        if (!rec)
            return;
        struct engine_like e = {
            .b = {.mode = JIT_TRACE_FULL, .cursor = engine_buf, .base = engine_buf,
                  .limit = engine_buf + batch_words[k], .drain = engine_like_drain},
            .rec = rec,
        };
        e.b.drain_ctx = &e;
        drain_stream(&e.b, LONG_STREAM);
        engine_like_drain(&e);
        CHECK(e.rc == 0, "append in batches of %zu words: %s", batch_words[k],
              trace_recorder_error(rec) ? trace_recorder_error(rec) : "");
        close_rec(rec);
        check_drain_stream(read_back(path), LONG_STREAM);
    }
}

/* ---- Runtime changes, exceptions, faults ---- */

static const struct trace_exception svc_exc = {.ec = 0x15, .esr = 0x56000000, .target_pc = 0x8000, .target_el = 1};
static const struct trace_exception abort_exc = {.ec = 0x24, .esr = 0x92000006, .far = 0x9008, .target_el = 1};
static const struct trace_exception fetch_exc = {.ec = 0x21, .esr = 0x86000007, .far = 0x1000001000, .target_el = 1};

static void test_resume_exit(void)
{
    const char *path = tmp_path("resume.ftrace");
    struct trace_recorder_options o = full_opts();
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    st.X[0] = 1;
    st.VR[6] = U128(1, 2);
    st.PC = 0x3000;
    trace_recorder_resume(rec, &st);   /* the first one only takes the state */

    /* 0: svc: the "syscall" sets X0 and V7's high half; the exception attaches. */
    jit_trace_insn(b, 0x3000, 0xd4000001, 0);
    st.PC = 0x3004;
    trace_recorder_exit(rec, &st, false);
    trace_recorder_exception(rec, &svc_exc);
    st.X[0] = 42;
    st.VR[7] = U128(0x77, 0);
    trace_recorder_resume(rec, &st);
    /* 1: nothing changes in between. */
    jit_trace_insn(b, 0x3004, 0xd2800021, 0);
    put_x(b, 1, 1);
    st.X[1] = 1;
    trace_recorder_exit(rec, &st, false);
    trace_recorder_resume(rec, &st);
    /* 2: the runtime changes a register the instruction wrote: listed once, new value. */
    jit_trace_insn(b, 0x3008, 0xd4000001, 0);
    put_x(b, 2, 5);
    st.X[2] = 5;
    trace_recorder_exit(rec, &st, false);
    st.X[2] = 6;
    st.N = 1;
    trace_recorder_resume(rec, &st);
    /* 3: a load that faults after writing X1 and all of V6: the writes are undone, the
     * access before the fault stays, the fault's exception and the runtime's changes
     * (a signal frame: SP, X0, X1) attach. */
    jit_trace_insn(b, 0x300c, 0xa9400000, 0);
    jit_trace_access(b, false, 0x9000, 8, 3, 0);
    put_x(b, 1, 77);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(6), 16, 0xdead, 0xdead);
    st.PC = 0x300c;
    trace_recorder_exit(rec, &st, true);
    trace_recorder_exception(rec, &abort_exc);
    st.SP = 0x7fff0000;
    st.X[0] = 11;
    st.X[1] = 0x99;   /* one the undone instruction had written */
    trace_recorder_resume(rec, &st);
    /* 4: the shadow has the state, not the undone writes: V6's high half is the
     * state's. */
    jit_trace_insn(b, 0x5000, 0x4e000006, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(6), 8, 0x55, 0);
    /* A run boundary with nothing done in between (the machine's tick), then an
     * exception before another instruction started (an instruction abort at the target
     * of instruction 4, a branch): the exception and what taking it changed attach to
     * instruction 4, as they do with no boundary in between. */
    st.VR[6] = U128(1, 0x55);
    trace_recorder_exit(rec, &st, false);
    trace_recorder_resume(rec, &st);
    trace_recorder_exit(rec, &st, false);
    trace_recorder_exception(rec, &fetch_exc);
    st.SP = 0x7ffe0000;
    trace_recorder_resume(rec, &st);
    /* 5: an exception on an instruction that is still pending at close. */
    jit_trace_insn(b, 0x5004, 0xd4000001, 0);
    trace_recorder_exit(rec, &st, false);
    trace_recorder_exception(rec, &svc_exc);
    close_rec(rec);

    int n = read_back(path);
    CHECK(n == 6, "%d records", n);
    if (n != 6)
        return;
    CHECK(got[0].insn.n_regs == 2 && reg_is(&got[0], 0, 0, 42, 0) && reg_is(&got[0], 1, TRACE_REG_V0 + 7, 0, 0x77) &&
              got[0].insn.has_exception && got[0].insn.exc.ec == 0x15 && got[0].insn.exc.esr == 0x56000000 &&
              got[0].insn.exc.target_pc == 0x8000 && got[0].insn.exc.target_el == 1,
          "svc");
    CHECK(got[1].insn.n_regs == 1 && reg_is(&got[1], 0, 1, 1, 0) && !got[1].insn.has_exception, "plain");
    CHECK(got[2].insn.n_regs == 2 && reg_is(&got[2], 0, 2, 6, 0) && reg_is(&got[2], 1, TRACE_REG_NZCV, 0x80000000u, 0),
          "runtime overrides");
    CHECK(got[3].insn.n_regs == 3 && reg_is(&got[3], 0, 0, 11, 0) && reg_is(&got[3], 1, 1, 0x99, 0) &&
              reg_is(&got[3], 2, TRACE_REG_SP, 0x7fff0000, 0) &&
              got[3].insn.n_mem == 1 && mem_is(&got[3], 0, 0x9000, 8, false, 3, 0) && got[3].insn.has_exception &&
              got[3].insn.exc.ec == 0x24 && got[3].insn.exc.far == 0x9008,
          "undone");
    CHECK(got[4].insn.n_regs == 2 && reg_is(&got[4], 0, TRACE_REG_SP, 0x7ffe0000, 0) &&
              reg_is(&got[4], 1, TRACE_REG_V0 + 6, 0x55, 1) && got[4].insn.has_exception && got[4].insn.exc.ec == 0x21 &&
              got[4].insn.exc.far == 0x1000001000,
          "after undone; an exception after a run boundary");
    CHECK(got[5].insn.has_exception && got[5].insn.exc.ec == 0x15 && got[5].insn.seq == 5, "pending at close");
    for (int i = 0; i < n && failures; i++)
        dump(&got[i]);
}

/* ---- Retract ---- */

static void test_retract_full(void)
{
    const char *path = tmp_path("retract.ftrace");
    struct trace_recorder_options o = full_opts();
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    st.VR[6] = U128(9, 8);
    trace_recorder_resume(rec, &st);
    jit_trace_insn(b, 0x100, 0xaa0103e5, 0);
    put_x(b, 5, 1);
    st.X[5] = 1;
    /* The JIT starts 0x104, writes all of V6, then hands 0x104 to the interpreter. */
    jit_trace_insn(b, 0x104, 0x4e000006, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(6), 16, 0xbad, 0xbad);
    jit_trace_access(b, false, 0x9999, 8, 0, 0);
    st.PC = 0x104;
    trace_recorder_retract(rec, &st);
    CHECK(trace_recorder_instructions(rec) == 1, "%llu", (unsigned long long)trace_recorder_instructions(rec));
    jit_trace_insn(b, 0x104, 0x4e000006, 0);
    jit_trace_reg(b, (uint32_t)A64_OFF_VR(6), 8, 0x55, 0);
    jit_trace_insn(b, 0x108, 0xd503201f, 0);
    /* A retract for another PC than the pending instruction's forgets nothing. */
    st.PC = 0x200;
    trace_recorder_retract(rec, &st);
    jit_trace_insn(b, 0x200, 0xd503201f, 0);
    trace_recorder_exit(rec, &st, false);
    close_rec(rec);

    int n = read_back(path);
    CHECK(n == 4, "%d records", n);
    if (n != 4)
        return;
    CHECK(got[0].insn.seq == 0 && got[0].insn.pc == 0x100 && reg_is(&got[0], 0, 5, 1, 0), "before");
    CHECK(got[1].insn.seq == 1 && got[1].insn.pc == 0x104 && got[1].insn.n_regs == 1 && got[1].insn.n_mem == 0 &&
              reg_is(&got[1], 0, TRACE_REG_V0 + 6, 0x55, 9),
          "rerun");
    CHECK(got[2].insn.seq == 2 && got[2].insn.pc == 0x108, "after");
    CHECK(got[3].insn.seq == 3 && got[3].insn.pc == 0x200, "other pc");
    for (int i = 0; i < n && failures; i++)
        dump(&got[i]);
}

/* ---- Filters ---- */

/* Ten instructions at pcs[i] with els[i] through a recorder with options o; returns the
 * records read back. */
static int run_filtered(const char *name, struct trace_recorder_options *o, const uint64_t *pcs, const int *els,
                        unsigned n, bool *window_done_after)
{
    const char *path = tmp_path(name);
    struct trace_recorder *rec = open_rec(path, o);
    if (!rec)
        return -1;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    trace_recorder_resume(rec, &st);
    for (unsigned i = 0; i < n; i++) {
        jit_trace_insn(b, pcs[i], 0xd503201f, (unsigned)els[i]);
        put_x(b, 0, i);
        st.X[0] = i;
        trace_recorder_exit(rec, &st, false);
        trace_recorder_resume(rec, &st);
        if (window_done_after) {
            trace_recorder_sync(rec);        /* else it may turn true a few runs late */
            window_done_after[i] = trace_recorder_window_done(rec);
        }
    }
    CHECK(trace_recorder_instructions(rec) == n, "%s: instructions", name);
    close_rec(rec);
    return read_back(path);
}

static void test_filters(void)
{
    uint64_t pcs[10];
    int els[10], zero[10] = {0};
    for (unsigned i = 0; i < 10; i++)
        pcs[i] = 0x1000 + 4 * i;

    /* PC ranges. */
    uint64_t rpcs[6] = {0x1000, 0x100c, 0x1010, 0x1ffc, 0x2000, 0x2004};
    struct trace_recorder_options o = full_opts();
    o.n_pc_ranges = 2;
    o.pc_lo[0] = 0x1000, o.pc_hi[0] = 0x1010;
    o.pc_lo[1] = 0x2000, o.pc_hi[1] = 0x2004;
    int n = run_filtered("pc.ftrace", &o, rpcs, zero, 6, NULL);
    CHECK(n == 3 && got[0].insn.seq == 0 && got[1].insn.seq == 1 && got[2].insn.seq == 4 && got[2].insn.pc == 0x2000 &&
              reg_is(&got[2], 0, 0, 4, 0),
          "pc ranges: %d", n);
    CHECK(!strcmp(got_filters, "pc=0x1000..0x1010,0x2000..0x2004"), "'%s'", got_filters);

    /* Window. */
    bool done[10];
    o = full_opts();
    o.skip = 3;
    o.count = 4;
    n = run_filtered("window.ftrace", &o, pcs, zero, 10, done);
    CHECK(n == 4 && got[0].insn.seq == 3 && got[3].insn.seq == 6 && got_info.first_seq == 3 && got_info.end_seq == 7,
          "window: %d", n);
    CHECK(!done[5] && done[6] && done[9], "window done: %d %d %d", done[5], done[6], done[9]);
    CHECK(!strcmp(got_filters, "skip=3 count=4"), "'%s'", got_filters);

    /* EL (unknown never matches). */
    int e5[5] = {0, 1, -1, 1, 2};
    o = full_opts();
    o.el = 1;
    n = run_filtered("el.ftrace", &o, pcs, e5, 5, NULL);
    CHECK(n == 2 && got[0].insn.seq == 1 && got[0].insn.el == 1 && got[1].insn.seq == 3, "el: %d", n);
    CHECK(!strcmp(got_filters, "el=1"), "'%s'", got_filters);
    (void)els;

    /* All together, and the header's description. */
    o = full_opts();
    o.n_pc_ranges = 1;
    o.pc_lo[0] = 0x1004, o.pc_hi[0] = 0x1020;
    o.skip = 2;
    o.count = 5;
    o.el = 0;
    int e10[10] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    n = run_filtered("all.ftrace", &o, pcs, e10, 10, NULL);
    /* seq 2..6 in the window, pc 0x1004.. all, el 0: 2, 4, 5, 6 */
    CHECK(n == 4 && got[0].insn.seq == 2 && got[1].insn.seq == 4 && got[3].insn.seq == 6, "combined: %d", n);
    CHECK(!strcmp(got_filters, "pc=0x1004..0x1020 skip=2 count=5 el=0"), "'%s'", got_filters);

    /* No window end: never done. */
    o = full_opts();
    o.skip = 2;
    n = run_filtered("skip.ftrace", &o, pcs, zero, 10, done);
    CHECK(n == 8 && got[0].insn.seq == 2 && !done[9], "skip only: %d", n);
}

/* ---- Block mode ---- */

struct blk {
    uint64_t seq, pc;
    uint8_t el;
    uint32_t n;
};

static void check_blocks(int n, const struct blk *e, int ne, const char *what)
{
    CHECK(n == ne, "%s: %d blocks", what, n);
    for (int i = 0; i < n && i < ne; i++) {
        bool ok = got[i].insn.seq == e[i].seq && got[i].insn.pc == e[i].pc && got[i].insn.el == e[i].el &&
                  got[i].n_insns == e[i].n;
        CHECK(ok, "%s: block %d", what, i);
        if (!ok)
            dump(&got[i]);
    }
}

static void test_block_mode(void)
{
    const char *path = tmp_path("blocks.ftrace");
    struct trace_recorder_options o = {.mode = JIT_TRACE_BLOCKS, .el = -1, .buffer_words = 7};
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    CHECK(b->mode == JIT_TRACE_BLOCKS && b->limit == b->base + 7, "block-mode buffer");
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    trace_recorder_resume(rec, &st);
    put_block(b, 0x1000, 0, 3);                 /* seq 0 */
    jit_trace_interp_block(b, 0x2000, false, 0, 0);       /* seq 3..5: one dynamic block */
    jit_trace_interp_block(b, 0x2004, false, 0, 0);
    jit_trace_interp_block(b, 0x2008, false, 0, 0);
    jit_trace_interp_block(b, 0x2010, false, 0, 0);       /* a jump: seq 6 */
    jit_trace_interp_block(b, 0x2014, false, 0, 1);       /* another EL: seq 7 */
    put_block(b, 0x200c, 0, 2);                 /* seq 8, 9 */
    jit_trace_interp_block(b, 0x2014, false, 0, 0);       /* after a JIT block: a new block, seq 10 */
    put_block(b, 0x3000, 0, 10);                /* seq 11: faults at its fifth instruction */
    st.PC = 0x3010;
    trace_recorder_exit(rec, &st, true);
    trace_recorder_exception(rec, &abort_exc);  /* not in block records */
    CHECK(trace_recorder_instructions(rec) == 16, "%llu", (unsigned long long)trace_recorder_instructions(rec));
    trace_recorder_resume(rec, &st);
    put_block(b, 0x4000, -1, 4);                /* seq 16; undone elsewhere: unchanged */
    st.PC = 0x5000;
    trace_recorder_exit(rec, &st, true);
    trace_recorder_resume(rec, &st);
    jit_trace_interp_block(b, 0x5000, false, 0, 0);       /* seq 20 ... */
    trace_recorder_exit(rec, &st, false);
    trace_recorder_resume(rec, &st);            /* ... ends at a resume */
    jit_trace_interp_block(b, 0x5004, false, 0, 0);       /* seq 21 */
    put_block(b, 0x6000, 0, 5);                 /* seq 22; retracted at its third */
    st.PC = 0x6008;
    trace_recorder_retract(rec, &st);
    jit_trace_interp_block(b, 0x6008, false, 0, 0);       /* seq 24, 25 */
    jit_trace_interp_block(b, 0x600c, false, 0, 0);
    put_block(b, 0x7000, 0, 4);                 /* retracted at its start: gone */
    st.PC = 0x7000;
    trace_recorder_retract(rec, &st);
    jit_trace_interp_block(b, 0x7000, false, 0, 0);       /* seq 26 */
    trace_recorder_exit(rec, &st, false);
    CHECK(trace_recorder_instructions(rec) == 27, "%llu", (unsigned long long)trace_recorder_instructions(rec));
    close_rec(rec);

    static const struct blk expect[] = {
        {0, 0x1000, 0, 3},  {3, 0x2000, 0, 3},  {6, 0x2010, 0, 1},  {7, 0x2014, 1, 1},
        {8, 0x200c, 0, 2},  {10, 0x2014, 0, 1}, {11, 0x3000, 0, 5}, {16, 0x4000, TRACE_EL_UNKNOWN, 4},
        {20, 0x5000, 0, 1}, {21, 0x5004, 0, 1}, {22, 0x6000, 0, 2}, {24, 0x6008, 0, 2},
        {26, 0x7000, 0, 1},
    };
    int n = read_back(path);
    check_blocks(n, expect, (int)(sizeof expect / sizeof expect[0]), "blocks");
    CHECK(got_info.mode == TRACE_MODE_BLOCK && got_info.flags == 0 && got_info.instructions == 27 &&
              got_info.end_seq == 27,
          "block header: mode %u flags %u instructions %llu", got_info.mode, got_info.flags,
          (unsigned long long)got_info.instructions);

    /* Filters on blocks: by the block's first instruction. */
    path = tmp_path("blocks-filtered.ftrace");
    o = (struct trace_recorder_options){.mode = JIT_TRACE_BLOCKS, .el = -1, .skip = 3, .count = 2,
                                        .n_pc_ranges = 1, .pc_lo = {0x1000}, .pc_hi = {0x1100}};
    rec = open_rec(path, &o);
    if (!rec)
        return;
    b = trace_recorder_buffer(rec);
    trace_recorder_resume(rec, &st);
    put_block(b, 0x1000, 0, 2);   /* 0 */
    put_block(b, 0x1010, 0, 1);   /* 2 */
    put_block(b, 0x1020, 0, 1);   /* 3: kept */
    put_block(b, 0x2000, 0, 3);   /* 4: outside the PC range */
    put_block(b, 0x1030, 0, 1);   /* 7: after the window */
    trace_recorder_exit(rec, &st, false);
    trace_recorder_sync(rec);
    CHECK(trace_recorder_window_done(rec), "block window done");
    close_rec(rec);
    static const struct blk expect_f[] = {{3, 0x1020, 0, 1}};
    check_blocks(read_back(path), expect_f, 1, "filtered blocks");
    CHECK(!strcmp(got_filters, "pc=0x1000..0x1100 skip=3 count=2"), "'%s'", got_filters);
}

/* Entries of described blocks: without filters they go to the writer in batches, the
 * last one pending (a fault cuts it short); a small item buffer drains often. */
/* Entries by id with faults, interpreted blocks and loops in between, through a buffer of
 * `buffer_words`: a small one cuts every run of entries short; a large one lets long runs
 * go to the writer as they are (block_ids' long-run path). */
static void block_ids_through(size_t buffer_words)
{
    const char *path = tmp_path("block-ids.ftrace");
    struct trace_recorder_options o = {.mode = JIT_TRACE_BLOCKS, .el = -1, .buffer_words = buffer_words};
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    enum { N = 15000 };
    static struct blk want[N + 64];
    int nw = 0;
    uint64_t seq = 0;
    static const struct blk desc[3] = { {0, 0x1000, 0, 3}, {0, 0x2000, 1, 7}, {0, 0x3000, 0, 1} };
    trace_recorder_resume(rec, &st);
    for (uint32_t id = 0; id < 3; id++)
        jit_trace_block_def(b, id * 1000, desc[id].pc, false, 0, desc[id].el, desc[id].n);
    for (int i = 0; i < N; i++) {
        uint32_t id = (uint32_t)(i % 5 == 4 ? 2 : i % 2);
        put_block_id(b, id * 1000);
        want[nw] = desc[id];
        want[nw++].seq = seq;
        seq += desc[id].n;
        if (i % 4999 == 4998) {
            /* a fault at the block's first instruction */
            st.PC = desc[id].pc;
            trace_recorder_exit(rec, &st, true);
            seq -= desc[id].n - 1;
            want[nw - 1].n = 1;
            trace_recorder_resume(rec, &st);
        }
        if (i % 7001 == 7000) {
            jit_trace_interp_block(b, 0x9000, false, 0, 0);
            want[nw++] = (struct blk){ seq++, 0x9000, 0, 1 };
        }
        if (i % 3001 == 3000) {
            /* a loop of 3 entries (none, now and then); the last one faults at its
             * second instruction */
            uint64_t count = i % 2 ? 3 : 0;
            put_block_run(b, 1000, count);
            for (uint64_t k = 0; k < count; k++) {
                want[nw] = desc[1];
                want[nw++].seq = seq;
                seq += desc[1].n;
            }
            if (count) {
                st.PC = desc[1].pc + 4;
                trace_recorder_exit(rec, &st, true);
                seq -= desc[1].n - 2;
                want[nw - 1].n = 2;
                trace_recorder_resume(rec, &st);
            }
        }
    }
    trace_recorder_exit(rec, &st, false);
    CHECK(trace_recorder_instructions(rec) == seq, "%llu", (unsigned long long)trace_recorder_instructions(rec));
    close_rec(rec);
    check_blocks(read_back(path), want, nw, buffer_words < 64 ? "block ids, small buffer" : "block ids, long runs");
}

static void test_block_ids(void)
{
    block_ids_through(11);
    block_ids_through(5000);

    /* Runs through the filters: each entry is judged alone (the window cuts the run). */
    const char *path = tmp_path("block-runs-filtered.ftrace");
    struct trace_recorder_options o = {.mode = JIT_TRACE_BLOCKS, .el = -1, .skip = 30, .count = 20};
    struct trace_recorder *rec = open_rec(path, &o);
    if (!rec)
        return;
    static struct a64_state st;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    trace_recorder_resume(rec, &st);
    jit_trace_block_def(b, 4, 0x4000, false, 0, 0, 7);
    put_block_run(b, 4, 10);                   /* entries at 0, 7, ..., 63 */
    trace_recorder_exit(rec, &st, false);
    close_rec(rec);
    static const struct blk want_f[] = { {35, 0x4000, 0, 7}, {42, 0x4000, 0, 7}, {49, 0x4000, 0, 7} };
    check_blocks(read_back(path), want_f, 3, "filtered block run");
}

/* ---- Errors ---- */

static struct trace_recorder *fresh(const char *name, struct a64_state *st, size_t words)
{
    struct trace_recorder_options o = full_opts();
    o.buffer_words = words;
    struct trace_recorder *rec = open_rec(tmp_path(name), &o);
    if (rec)
        trace_recorder_resume(rec, st);
    return rec;
}

static void expect_internal(struct trace_recorder *rec, const char *path, const char *what, const char *label)
{
    trace_recorder_sync(rec);
    const char *e = trace_recorder_error(rec);
    CHECK(e && strstr(e, path) && strstr(e, "internal error") && strstr(e, what), "%s: %s", label, e ? e : "(none)");
    char err[600] = "";
    CHECK(trace_recorder_close(rec, NULL, err, sizeof err) == -1 && strstr(err, what), "%s: close: %s", label, err);
}

static void test_errors(void)
{
    char err[600] = "";
    struct trace_recorder_options o = full_opts();
    struct trace_recorder *rec =
        trace_recorder_open("/nonexistent-dir/x.ftrace", a64_trace_arch(), &o, err, sizeof err);
    CHECK(!rec && strstr(err, "/nonexistent-dir/x.ftrace"), "unwritable: %s", err);
    o.mode = JIT_TRACE_OFF;
    rec = trace_recorder_open(tmp_path("x.ftrace"), a64_trace_arch(), &o, err, sizeof err);
    CHECK(!rec && strstr(err, "x.ftrace") && strstr(err, "mode"), "bad mode: %s", err);

    static struct a64_state st;
    memset(&st, 0, sizeof st);
    const char *path;

    /* An unknown kind: the records before it are kept, the rest discarded. */
    rec = fresh("e-kind.ftrace", &st, 0);
    path = tmp_path("e-kind.ftrace");
    if (rec) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        jit_trace_insn(b, 0x104, 1, 0);
        uint64_t *p = jit_trace_reserve(b, 2);
        p[0] = 0;                         /* kind 0: none */
        p[1] = 0;
        jit_trace_insn(b, 0x108, 1, 0);
        trace_recorder_exit(rec, &st, false);
        trace_recorder_sync(rec);
        CHECK(trace_recorder_error(rec) != NULL, "unknown kind");
        jit_trace_insn(b, 0x10c, 1, 0);   /* discarded, and the buffer stays usable */
        trace_recorder_exit(rec, &st, false);
        trace_recorder_resume(rec, &st);
        expect_internal(rec, path, "unknown item kind", "kind");
        int n = read_back(path);
        CHECK(n == 1 && got[0].insn.pc == 0x100, "before the error: %d", n);
    }
    /* A register write outside the state. */
    if ((rec = fresh("e-off.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        jit_trace_reg(b, (uint32_t)sizeof st - 4, 8, 0, 0);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-off.ftrace"), "outside the state", "offset");
    }
    if ((rec = fresh("e-off2.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        uint64_t *p = jit_trace_reserve(b, 2);
        p[0] = JIT_TRACE_REG | 8u << 4 | (uint64_t)0x7fffff << 9;
        p[1] = 0;
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-off2.ftrace"), "outside the state", "offset 2");
    }
    /* Sizes. */
    if ((rec = fresh("e-size.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        jit_trace_reg(b, 0, 0, 0, 0);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-size.ftrace"), "invalid size", "reg size 0");
    }
    if ((rec = fresh("e-size2.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        jit_trace_access(b, true, 0x100, 0, 0, 0);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-size2.ftrace"), "size 0", "access size 0");
    }
    /* Truncated items: the last item's words run past the cursor (the last in the buffer:
     * an event after it would be read as its words). */
    if ((rec = fresh("e-trunc.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        uint64_t *p = jit_trace_reserve(b, 2);
        p[0] = JIT_TRACE_REG | 16u << 4;
        p[1] = 0;
        expect_internal(rec, tmp_path("e-trunc.ftrace"), "truncated REG", "truncated reg");
    }
    if ((rec = fresh("e-trunc2.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        uint64_t *p = jit_trace_reserve(b, 4);
        p[0] = JIT_TRACE_STORE_EXCL | 16u << 4;
        p[1] = p[2] = p[3] = 0;
        expect_internal(rec, tmp_path("e-trunc2.ftrace"), "truncated memory", "truncated stxp");
    }
    if ((rec = fresh("e-trunc3.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        uint64_t *p = jit_trace_reserve(b, 1);
        p[0] = JIT_TRACE_INSN;
        expect_internal(rec, tmp_path("e-trunc3.ftrace"), "truncated INSN", "truncated insn");
    }
    /* Items out of place. */
    if ((rec = fresh("e-order.ftrace", &st, 0))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        put_x(b, 0, 1);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-order.ftrace"), "before any INSN", "reg first");
    }
    if ((rec = fresh("e-blk.ftrace", &st, 0))) {
        put_block(trace_recorder_buffer(rec), 0x100, 0, 1);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-blk.ftrace"), "block item in full mode", "block in full");
    }
    if ((rec = fresh("e-el.ftrace", &st, 0))) {
        jit_trace_insn(trace_recorder_buffer(rec), 0x100, 1, 7);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-el.ftrace"), "EL out of range", "el 7");
    }
    /* More accesses than a record holds. */
    if ((rec = fresh("e-mem.ftrace", &st, 64))) {
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        jit_trace_insn(b, 0x100, 1, 0);
        for (unsigned k = 0; k < TRACE_MAX_MEM + 1; k++)
            jit_trace_access(b, false, 0x1000 + k, 1, k, 0);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, tmp_path("e-mem.ftrace"), "more memory accesses", "256 accesses");
    }
    /* Block-mode items in the wrong mode. */
    o = (struct trace_recorder_options){.mode = JIT_TRACE_BLOCKS, .el = -1};
    path = tmp_path("e-bmode.ftrace");
    if ((rec = open_rec(path, &o))) {
        trace_recorder_resume(rec, &st);
        jit_trace_insn(trace_recorder_buffer(rec), 0x100, 1, 0);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, path, "INSN item in block mode", "insn in block mode");
    }
    path = tmp_path("e-bid.ftrace");
    if ((rec = open_rec(path, &o))) {
        trace_recorder_resume(rec, &st);
        put_block_id(trace_recorder_buffer(rec), 77);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, path, "a block never described", "undescribed block");
    }
    path = tmp_path("e-bid-run.ftrace");
    if ((rec = open_rec(path, &o))) {
        /* inside a run long enough to go to the writer as it is */
        struct jit_trace_buf *b = trace_recorder_buffer(rec);
        trace_recorder_resume(rec, &st);
        jit_trace_block_def(b, 5, 0x5000, false, 0, 0, 2);
        for (int i = 0; i < 300; i++)
            put_block_id(b, i == 150 ? 6 : 5);
        trace_recorder_exit(rec, &st, false);
        trace_recorder_sync(rec);
        const char *e = trace_recorder_error(rec);
        CHECK(e && strstr(e, path) && strstr(e, "a block never described"), "undescribed block in a run: %s",
              e ? e : "(none)");
        char err[600] = "";
        CHECK(trace_recorder_close(rec, NULL, err, sizeof err) == -1 && strstr(err, "never described"),
              "undescribed block in a run: close: %s", err);
    }
    path = tmp_path("e-bdef.ftrace");
    if ((rec = open_rec(path, &o))) {
        trace_recorder_resume(rec, &st);
        jit_trace_block_def(trace_recorder_buffer(rec), 3, 0x100, false, 0, 0, 2);
        jit_trace_block_def(trace_recorder_buffer(rec), 3, 0x200, false, 0, 0, 2);
        trace_recorder_exit(rec, &st, false);
        expect_internal(rec, path, "described twice", "block described twice");
    }

    /* The writer fails mid-run (the file-size limit stands in for a full disk): the
     * recorder reports it with the file's name, discards items, and close fails. */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {100000, 100000};
        setrlimit(RLIMIT_FSIZE, &rl);
        path = tmp_path("fsize.ftrace");
        struct trace_recorder_options fo = full_opts();
        fo.chunk_records = 500;
        fo.codec = TRACE_WRITER_UNCOMPRESSED;
        fo.buffer_words = 1u << 16;   /* errors surface when a buffer is processed */
        struct trace_recorder *r = trace_recorder_open(path, a64_trace_arch(), &fo, err, sizeof err);
        if (!r)
            _exit(3);
        trace_recorder_resume(r, &st);
        const char *e = NULL;
        for (int i = 0; i < 2000 && !e; i++) {
            drain_stream(trace_recorder_buffer(r), 100);
            trace_recorder_exit(r, &st, false);
            trace_recorder_resume(r, &st);
            e = trace_recorder_error(r);
        }
        bool ok = e && strstr(e, path) && strstr(e, "too large");
        int rc = trace_recorder_close(r, NULL, err, sizeof err);
        _exit(ok && rc == -1 && strstr(err, path) && strstr(err, "too large") ? 0 : 4);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mid-run write failure (status %d)", status);

    /* abort leaves a truncated file. */
    path = tmp_path("abort.ftrace");
    o = full_opts();
    if ((rec = open_rec(path, &o))) {
        trace_recorder_resume(rec, &st);
        jit_trace_insn(trace_recorder_buffer(rec), 0x100, 1, 0);
        trace_recorder_abort(rec);
        struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
        CHECK(!r && strstr(err, "truncated"), "abort: %s", err);
        trace_reader_close(r);
    }
}

/* ---- The AArch64 register map ---- */

static void test_a64_map(void)
{
    const struct trace_recorder_arch *a = a64_trace_arch();
    CHECK(a->arch == TRACE_ARCH_AARCH64 && a->state_size == sizeof(struct a64_state) &&
              a->pc_offset == A64_OFF_PC && a->insn_bytes == 4 && a->n_sync_regs == 68,
          "descriptor");
    CHECK(a->reg_of_offset((uint32_t)A64_OFF_X(30) + 7) == 30 && a->reg_of_offset((uint32_t)A64_OFF_PC) == -1 &&
              a->reg_of_offset((uint32_t)A64_OFF_PC + 7) == -1 &&
              a->reg_of_offset((uint32_t)A64_OFF_SP) == TRACE_REG_SP &&
              a->reg_of_offset((uint32_t)A64_OFF_V) == TRACE_REG_NZCV &&
              a->reg_of_offset((uint32_t)A64_OFF_VR(31) + 15) == TRACE_REG_V0 + 31 &&
              a->reg_of_offset((uint32_t)A64_OFF_EL) == -1 && a->reg_of_offset((uint32_t)A64_OFF_SPA) == -1 &&
              a->reg_of_offset((uint32_t)A64_OFF_EXCL_ADDR) == -1 &&
              a->reg_of_offset((uint32_t)A64_OFF_TPIDR_EL0 + 3) == (int)TPIDR_ID,
          "reg_of_offset");
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    st.X[7] = 77;
    st.N = st.V = 1;
    st.VR[31] = U128(3, 4);
    st.FPCR = 0x123;
    uint64_t lo, hi;
    a->reg_value(&st, 7, &lo, &hi);
    CHECK(lo == 77 && hi == 0, "x7");
    a->reg_value(&st, TRACE_REG_NZCV, &lo, &hi);
    CHECK(lo == 0x90000000u && hi == 0, "nzcv");
    a->reg_value(&st, TRACE_REG_V0 + 31, &lo, &hi);
    CHECK(lo == 4 && hi == 3, "v31");
    a->reg_value(&st, TRACE_REG_FPCR, &lo, &hi);
    CHECK(lo == 0x123 && hi == 0, "fpcr");
    for (unsigned i = 1; i < a->n_sync_regs; i++)
        CHECK(a->sync_regs[i - 1] < a->sync_regs[i], "sync regs ascending at %u", i);
}

/* ---- Benchmark ---- */

static double thread_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define BENCH_BATCH 16384u

/* The items the front end would write for a synthetic record. */
static uint64_t *synth_items(uint64_t *p, const struct trace_insn *r)
{
    *p++ = JIT_TRACE_INSN | 1u << 4 | (uint64_t)r->encoding << 32;
    *p++ = r->pc;
    for (unsigned j = 0; j < r->n_mem; j++) {
        /* Loads come before the register write, stores have none: program order. */
        *p++ = (uint64_t)(r->mem[j].store ? JIT_TRACE_STORE : JIT_TRACE_LOAD) | (uint64_t)r->mem[j].size << 4;
        *p++ = r->mem[j].va;
        *p++ = r->mem[j].lo;
    }
    for (unsigned k = 0; k < r->n_regs; k++) {
        unsigned id = r->regs[k].id;
        if (id == TRACE_REG_NZCV) {
            static const size_t off[4] = {A64_OFF_N, A64_OFF_Z, A64_OFF_C, A64_OFF_V};
            for (unsigned f = 0; f < 4; f++) {
                *p++ = JIT_TRACE_REG | 1u << 4 | (uint64_t)off[f] << 9;
                *p++ = r->regs[k].lo >> (31 - f) & 1;
            }
        } else if (trace_reg_is_vector(id)) {
            *p++ = JIT_TRACE_REG | 16u << 4 | (uint64_t)A64_OFF_VR(id - TRACE_REG_V0) << 9;
            *p++ = r->regs[k].lo;
            *p++ = r->regs[k].hi;
        } else {
            *p++ = JIT_TRACE_REG | 8u << 4 | (uint64_t)A64_OFF_X(id) << 9;
            *p++ = r->regs[k].lo;
        }
    }
    return p;
}

static int run_bench(uint64_t n)
{
    char err[600];
    struct synth *s = malloc(sizeof *s);
    struct trace_insn *recs = malloc(BENCH_BATCH * sizeof *recs);
    struct trace_reg_write *regs = malloc(BENCH_BATCH * 2 * sizeof *regs);
    struct trace_mem_access *mem = malloc(BENCH_BATCH * 2 * sizeof *mem);
    if (!s || !recs || !regs || !mem)
        return 2;

    /* The writer alone, fed the records. */
    struct trace_file_info info = {.mode = TRACE_MODE_FULL, .flags = TRACE_FLAG_VALUES};
    struct trace_writer *w = trace_writer_open(tmp_path("bench-writer.ftrace"), &info, err, sizeof err);
    if (!w) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    synth_init(s, 0);
    double t_writer = 0;
    for (uint64_t done = 0; done < n; done += BENCH_BATCH) {
        for (unsigned i = 0; i < BENCH_BATCH; i++) {
            struct trace_insn r;
            synth_next(s, &r);
            for (unsigned k = 0; k < r.n_regs; k++)
                regs[2 * i + k] = r.regs[k];
            for (unsigned j = 0; j < r.n_mem; j++)
                mem[2 * i + j] = r.mem[j];
            r.regs = &regs[2 * i];
            r.mem = &mem[2 * i];
            recs[i] = r;
        }
        double t0 = thread_seconds();
        for (unsigned i = 0; i < BENCH_BATCH; i++)
            trace_writer_insn(w, &recs[i]);
        t_writer += thread_seconds() - t0;
    }
    if (trace_writer_close(w, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }

    /* The recorder, fed the same stream as items. */
    struct trace_recorder_options o = full_opts();
    struct trace_recorder *rec =
        trace_recorder_open(tmp_path("bench-recorder.ftrace"), a64_trace_arch(), &o, err, sizeof err);
    if (!rec) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    static struct a64_state st;
    memset(&st, 0, sizeof st);
    trace_recorder_resume(rec, &st);
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    synth_init(s, 0);
    double t_rec = 0;
    for (uint64_t done = 0; done < n; done += BENCH_BATCH) {
        uint64_t *p = b->cursor;
        for (unsigned i = 0; i < BENCH_BATCH; i++) {
            struct trace_insn r;
            synth_next(s, &r);
            p = synth_items(p, &r);
        }
        b->cursor = p;
        double t0 = thread_seconds();
        b->drain(b->drain_ctx);
        t_rec += thread_seconds() - t0;
    }
    double t0 = thread_seconds();
    trace_recorder_exit(rec, &st, false);
    struct trace_writer_stats ws;
    if (trace_recorder_close(rec, &ws, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    t_rec += thread_seconds() - t0;
    uint64_t total = (n + BENCH_BATCH - 1) / BENCH_BATCH * BENCH_BATCH;
    printf("test_recorder bench: %llu records: writer alone %.1f ns/record, recorder + writer %.1f ns/record "
           "(recorder %.1f ns/record), %.2f bytes/record on disk\n",
           (unsigned long long)total, t_writer * 1e9 / (double)total, t_rec * 1e9 / (double)total,
           (t_rec - t_writer) * 1e9 / (double)total, (double)ws.file_bytes / (double)ws.records);
    free(s);
    free(recs);
    free(regs);
    free(mem);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_recorder unit DIR | bench DIR [N]\n");
        return 2;
    }
    dir = argv[2];
    mkdir(dir, 0755);
    if (!strcmp(argv[1], "bench"))
        return run_bench(argc > 3 ? strtoull(argv[3], NULL, 0) : 20000000);
    if (strcmp(argv[1], "unit") != 0) {
        fprintf(stderr, "test_recorder: unknown mode %s\n", argv[1]);
        return 2;
    }
    test_a64_map();
    test_registers();
    test_physical();
    test_add_reg();
    test_memory();
    test_drain();
    test_append();
    test_resume_exit();
    test_retract_full();
    test_filters();
    test_block_mode();
    test_block_ids();
    test_errors();
    printf("test_recorder unit: %u checks, %u failed\n", checks, failures);
    return failures ? 1 : 0;
}
