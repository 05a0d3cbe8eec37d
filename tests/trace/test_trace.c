/* Tests of the trace writer and reader (built plain and with ASan/UBSan):
 *   test_trace unit DIR          round trips of every field (four codecs, full and block
 *                                mode), seek, the writer's errors, the reader's error paths
 *   test_trace fuzz DIR N SEED   N mutated files (CRCs fixed up, so the decoder itself is
 *                                exercised): the reader must fail cleanly or succeed
 *   test_trace sample FILE [--n N] [--differ-at K] [--block] [--chunk N]
 *                                writes a trace for the ferry CLI tests (tests/trace/cli.sh)
 * Prints one line per failed check and "test_trace: N checks, M failed". */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "hypervisor/trace/trace_codec.h"
#include "hypervisor/trace/trace_reader.h"
#include "hypervisor/trace/trace_writer.h"
#include "tools/trace-bench/synth.h"

#include "tests/trace/check.h"

/* ---- A generator covering every field: the synthetic stream plus special records ---- */

struct gen {
    struct synth s;
    uint64_t i, seq;
    int differ_at;               /* -1: none; else change the record at this index */
    struct trace_reg_write regs[TRACE_MAX_REGS];
    struct trace_mem_access mem[TRACE_MAX_MEM];
};

static void gen_init(struct gen *g, int differ_at)
{
    memset(g, 0, sizeof *g);
    synth_init(&g->s, 0);
    g->differ_at = differ_at;
}

static void gen_next(struct gen *g, struct trace_insn *r)
{
    synth_next(&g->s, r);
    uint64_t i = g->i++;
    uint64_t h = synth_hash(i * 7 + 3);
    /* Copy into our own arrays so the specials can extend them. */
    memcpy(g->regs, r->regs, r->n_regs * sizeof *g->regs);
    memcpy(g->mem, r->mem, r->n_mem * sizeof *g->mem);
    r->regs = g->regs;
    r->mem = g->mem;
    if (i % 131 == 130)
        g->seq += 1 + h % 7;     /* a gap, as a recording filter leaves */
    r->seq = g->seq++;
    if (i % 97 < 40) {
        r->has_pa = true;
        r->pa = r->pc + 0x40000000 + (i % 970 == 5 ? h % 4096 * 4096 : 0);
    }
    if (i % 101 == 7)
        r->el = (uint8_t)((i / 101) % 5 == 4 ? TRACE_EL_UNKNOWN : (i / 101) % 4);
    if (i % 89 == 3 || (i / 2000) % 5 == 3)   /* single records and runs without values */
        r->has_values = false;
    if (i % 83 == 11) {
        unsigned n = i % 166 == 11 ? TRACE_MAX_REGS : 6 + (unsigned)(h % 10);
        static const uint16_t ids[] = {TRACE_REG_FPCR, TRACE_REG_FPSR, TRACE_REG_SP_EL0,
                                       TRACE_REG_SP_EL1, TRACE_REG_SP, TRACE_REG_NZCV,
                                       TRACE_REG_SYSREG(3, 3, 13, 0, 2), TRACE_REG_V0 + 31,
                                       TRACE_REG_SYSREG(3, 0, 1, 0, 0), TRACE_REG_ID_MAX};
        for (unsigned k = 0; k < n; k++) {
            uint16_t id = k < 10 ? ids[k] : (uint16_t)(k % 31);
            g->regs[k] = (struct trace_reg_write){
                .id = id, .lo = synth_hash(i + k), .hi = trace_reg_is_vector(id) ? synth_hash(i - k) : 0};
        }
        r->n_regs = n;
    }
    if (i % 79 == 13) {
        unsigned n = i % 158 == 13 ? TRACE_MAX_MEM : 3 + (unsigned)(h % 12);
        static const uint8_t sizes[] = {1, 2, 4, 8, 16, 3, 12, 64, 255};
        for (unsigned j = 0; j < n; j++) {
            uint8_t size = sizes[(h + j) % 9];
            uint64_t v = synth_hash(i * 31 + j);
            g->mem[j] = (struct trace_mem_access){
                .va = 0x80000000ull + (h % 1000) * 64 + j * 16 - (j % 3 ? 0 : 0x1000), .size = size,
                .store = (j + i) % 2, .has_value = size <= 16 && (j % 4 != 3),
                .lo = v & trace_mask_lo(size), .hi = synth_hash(v) & trace_mask_hi(size)};
        }
        r->n_mem = n;
    }
    if (i % 73 == 17) {
        r->has_exception = true;
        r->exc = (struct trace_exception){.ec = (uint32_t)(h % 64), .esr = h, .far = ~h,
                                          .target_pc = 0xffff000000000000ull + (h & 0xfff) * 0x80,
                                          .target_el = (uint8_t)(1 + h % 3), .is_interrupt = h & 1};
    }
    /* Stores whose value is a register's last value, and loads of a written register. */
    if ((int64_t)i == g->differ_at) {
        if (r->n_regs)
            g->regs[0].lo ^= 0x10;
        else
            r->encoding ^= 1;
    }
}

/* The record as the reader returns it: values only when recorded, masked to size. */
static void check_equal(const struct trace_insn *e, const struct trace_record *rec, uint64_t i)
{
    const struct trace_insn *a = &rec->insn;
    bool hv = e->has_values;
    bool ok = a->seq == e->seq && a->pc == e->pc && a->has_pa == e->has_pa &&
              (!e->has_pa || a->pa == e->pa) && a->el == e->el && a->encoding == e->encoding &&
              a->has_values == hv && a->n_regs == e->n_regs && a->n_mem == e->n_mem &&
              a->has_exception == e->has_exception && rec->n_insns == 1;
    for (unsigned k = 0; ok && k < e->n_regs; k++)
        ok = a->regs[k].id == e->regs[k].id && a->regs[k].lo == (hv ? e->regs[k].lo : 0) &&
             a->regs[k].hi == (hv ? e->regs[k].hi : 0);
    for (unsigned j = 0; ok && j < e->n_mem; j++) {
        const struct trace_mem_access *x = &e->mem[j], *y = &a->mem[j];
        bool val = hv && x->has_value;
        ok = y->va == x->va && y->size == x->size && y->store == x->store && y->has_value == val &&
             y->lo == (val ? x->lo & trace_mask_lo(x->size) : 0) &&
             y->hi == (val ? x->hi & trace_mask_hi(x->size) : 0);
    }
    if (ok && e->has_exception)
        ok = a->exc.ec == e->exc.ec && a->exc.esr == e->exc.esr && a->exc.far == e->exc.far &&
             a->exc.target_pc == e->exc.target_pc && a->exc.target_el == e->exc.target_el &&
             a->exc.is_interrupt == e->exc.is_interrupt;
    CHECK(ok, "record %llu (seq %llu, pc %llx) differs after the round trip", (unsigned long long)i,
          (unsigned long long)e->seq, (unsigned long long)e->pc);
}

static int write_gen(const char *path, uint64_t n, unsigned codec, unsigned chunk_records, int differ_at)
{
    struct trace_file_info info = {.mode = TRACE_MODE_FULL, .flags = TRACE_FLAG_VALUES | TRACE_FLAG_PA,
                                   .command_line = "test_trace gen", .filters = "pc 0..max",
                                   .codec = codec, .chunk_records = chunk_records};
    char err[600];
    struct trace_writer *w = trace_writer_open(path, &info, err, sizeof err);
    CHECK(w != NULL, "open %s: %s", path, err);
    if (!w)
        return -1;
    struct gen *g = malloc(sizeof *g);
    gen_init(g, differ_at);
    struct trace_insn r;
    for (uint64_t i = 0; i < n; i++) {
        gen_next(g, &r);
        if (trace_writer_insn(w, &r) != 0)
            break;
    }
    free(g);
    int rc = trace_writer_close(w, err, sizeof err);
    CHECK(rc == 0, "close %s: %s", path, err);
    return rc;
}

static void test_round_trip(unsigned codec, unsigned chunk_records, uint64_t n)
{
    const char *path = tmp_path("rt.ftrace");
    if (write_gen(path, n, codec, chunk_records, -1) != 0)
        return;
    char err[600];
    struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
    CHECK(r != NULL, "reopen: %s", err);
    if (!r)
        return;
    const struct trace_reader_info *info = trace_reader_info(r);
    CHECK(info->n_records == n && info->instructions == n && info->mode == TRACE_MODE_FULL &&
              !strcmp(info->command_line, "test_trace gen") && !strcmp(info->filters, "pc 0..max") &&
              info->flags == (TRACE_FLAG_VALUES | TRACE_FLAG_PA) && !info->recovered,
          "header/footer fields (codec %u)", codec);
    struct gen *g = malloc(sizeof *g);
    gen_init(g, -1);
    struct trace_insn e;
    struct trace_record rec;
    uint64_t i = 0;
    int rc;
    while ((rc = trace_reader_next(r, &rec)) == 1 && i < n) {
        gen_next(g, &e);
        check_equal(&e, &rec, i);
        i++;
    }
    CHECK(rc == 0 && i == n, "read %llu of %llu records (codec %u): %s", (unsigned long long)i,
          (unsigned long long)n, codec, trace_reader_error(r));

    /* Seek: to records, into gaps, before the start, past the end. */
    gen_init(g, -1);
    uint64_t *seqs = malloc(n * sizeof *seqs);
    for (uint64_t k = 0; k < n; k++) {
        gen_next(g, &e);
        seqs[k] = e.seq;
    }
    for (int t = 0; t < 200; t++) {
        uint64_t k = synth_hash((uint64_t)t + codec * 1000) % n;
        uint64_t target = seqs[k] - (t % 3 == 0 && k > 0 && seqs[k - 1] + 1 < seqs[k] ? 1 : 0);
        CHECK(trace_reader_seek(r, target) == 0, "seek %llu", (unsigned long long)target);
        rc = trace_reader_next(r, &rec);
        CHECK(rc == 1 && rec.insn.seq == seqs[k], "seek to %llu gave %llu, expected %llu",
              (unsigned long long)target, (unsigned long long)rec.insn.seq, (unsigned long long)seqs[k]);
        if (rc == 1 && k + 1 < n) {
            rc = trace_reader_next(r, &rec);
            CHECK(rc == 1 && rec.insn.seq == seqs[k + 1], "record after a seek");
        }
    }
    CHECK(trace_reader_seek(r, seqs[n - 1] + 1) == 0 && trace_reader_next(r, &rec) == 0, "seek past the end");
    CHECK(trace_reader_seek(r, 0) == 0 && trace_reader_next(r, &rec) == 1 && rec.insn.seq == seqs[0],
          "seek to 0");
    free(seqs);
    free(g);
    trace_reader_close(r);
}

static void test_block_mode(void)
{
    const char *path = tmp_path("block.ftrace");
    struct trace_file_info info = {.mode = TRACE_MODE_BLOCK, .flags = TRACE_FLAG_PA, .chunk_records = 300};
    char err[600];
    struct trace_writer *w = trace_writer_open(path, &info, err, sizeof err);
    CHECK(w != NULL, "open: %s", err);
    if (!w)
        return;
    uint64_t seq = 10, total = 0;
    const unsigned n = 2000;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pc = 0x1000 + (i % 7) * 0x40, len = 1 + (i % 7) * 3 + (i % 50 == 0);
        CHECK(trace_writer_block(w, seq, pc, pc + (i % 300 == 0 ? 0x123000 : 0x9000), (uint8_t)(i / 500),
                                 (uint32_t)len) == 0, "block %u", i);
        seq += len + (i % 33 == 0 ? 5 : 0);
        total += len;
    }
    CHECK(trace_writer_insn(w, &(struct trace_insn){.seq = seq}) != 0, "insn record in a block trace");
    CHECK(trace_writer_close(w, err, sizeof err) != 0 && strstr(err, "block-mode"), "error kept: %s", err);

    w = trace_writer_open(path, &info, err, sizeof err);
    seq = 10;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pc = 0x1000 + (i % 7) * 0x40, len = 1 + (i % 7) * 3 + (i % 50 == 0);
        trace_writer_block(w, seq, pc, pc + (i % 300 == 0 ? 0x123000 : 0x9000), (uint8_t)(i / 500), (uint32_t)len);
        seq += len + (i % 33 == 0 ? 5 : 0);
    }
    CHECK(trace_writer_close(w, err, sizeof err) == 0, "close: %s", err);
    struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
    CHECK(r != NULL, "open: %s", err);
    if (!r)
        return;
    CHECK(trace_reader_info(r)->instructions == total && trace_reader_info(r)->n_records == n,
          "block totals");
    struct trace_record rec;
    seq = 10;
    unsigned i = 0;
    int rc;
    while ((rc = trace_reader_next(r, &rec)) == 1) {
        uint64_t pc = 0x1000 + (i % 7) * 0x40, len = 1 + (i % 7) * 3 + (i % 50 == 0);
        CHECK(rec.insn.seq == seq && rec.insn.pc == pc && rec.n_insns == len && rec.insn.has_pa &&
                  rec.insn.pa == pc + (i % 300 == 0 ? 0x123000 : 0x9000) && rec.insn.el == i / 500,
              "block %u", i);
        seq += len + (i % 33 == 0 ? 5 : 0);
        i++;
    }
    CHECK(rc == 0 && i == n, "read %u blocks", i);
    /* Seek into the middle of a block returns that block. */
    CHECK(trace_reader_seek(r, 11) == 0 && trace_reader_next(r, &rec) == 1 && rec.insn.seq == 10,
          "seek into a block");
    trace_reader_close(r);
}

/* Block entries by id (trace_writer_define_block, trace_writer_blocks) mixed with blocks
 * written in place, gaps, redefined ids and descriptions that must be repeated in each
 * chunk: the reader gives back exactly the entries written, for small chunks by records
 * and by bytes, with and without PAs, and for chunks of more blocks than one-byte (192)
 * and two-byte entries (16320) number. */
struct expected_block {
    uint64_t seq, pc, pa;
    uint32_t n;
    uint8_t el;
};

static void test_block_ids(void)
{
    static const unsigned chunks[][2] = { {0, 0}, {1000, 0}, {97, 0}, {0, 4096}, {1, 0} };
    enum { N_IDS = 30000, N_ENTRIES = 30000, N_RUN_ENTRIES = 30000 / 53 * 1000 };
    struct expected_block *want = malloc((N_ENTRIES + N_RUN_ENTRIES) * sizeof *want);
    CHECK(want != NULL, "out of memory");
    if (!want)
        return;
    for (unsigned c = 0; c < 2 * sizeof chunks / sizeof chunks[0]; c++) {
        bool physical = c >= sizeof chunks / sizeof chunks[0];
        unsigned k = c % (sizeof chunks / sizeof chunks[0]);
        const char *path = tmp_path("ids.ftrace");
        struct trace_file_info info = {.mode = TRACE_MODE_BLOCK, .chunk_records = chunks[k][0],
                                       .chunk_bytes = chunks[k][1], .flags = physical ? TRACE_FLAG_PA : 0};
        char err[600];
        struct trace_writer *w = trace_writer_open(path, &info, err, sizeof err);
        CHECK(w != NULL, "open: %s", err);
        if (!w)
            break;
        static struct expected_block desc[N_IDS];
        for (uint32_t id = 0; id < N_IDS; id++) {
            desc[id] = (struct expected_block){ .pc = 0x400000 + id * 0x44, .pa = 0x80400000 + id * 0x44,
                                                .n = 1 + id % 9, .el = (uint8_t)(id % 7 == 0 ? TRACE_EL_UNKNOWN : id % 4) };
            CHECK(trace_writer_define_block(w, id * 3, desc[id].pc, desc[id].pa, desc[id].el, desc[id].n) == 0,
                  "define %u", id);
        }
        uint32_t batch[64];
        unsigned n_batch = 0, n_want = 0;
        uint64_t seq = 5, batch_seq = 5;
        for (unsigned i = 0; i < N_ENTRIES; i++) {
            uint32_t id = (i * 7u + i / 100) % N_IDS;
            bool in_place = i % 211 == 0, gap = i % 97 == 0, redefine = i % 1009 == 0, run = i % 53 == 0;
            if (n_batch && (in_place || gap || redefine || run || n_batch == 64 || i % 37 == 0)) {
                CHECK(trace_writer_blocks(w, batch_seq, batch, n_batch) == 0, "batch before %u", i);
                n_batch = 0;
            }
            if (gap)
                seq += 1 + i % 5;
            if (redefine) {
                desc[id].pc += 0x1000;
                desc[id].n = desc[id].n % 9 + 1;
                CHECK(trace_writer_define_block(w, id * 3, desc[id].pc, desc[id].pa, desc[id].el, desc[id].n) == 0,
                      "redefine %u", id);
            }
            struct expected_block e = desc[id];
            e.seq = seq;
            if (run) {
                /* a loop on itself: entries beyond the chunk's room go on in the next */
                uint64_t count = 1 + (i / 53 % 7) * 150;
                CHECK(trace_writer_block_run(w, seq, id * 3, count) == 0, "run %u", i);
                for (uint64_t k = 0; k + 1 < count && n_want < N_ENTRIES + N_RUN_ENTRIES; k++) {
                    want[n_want] = e;
                    if (!physical)
                        want[n_want].pa = 0;
                    want[n_want++].seq = seq;
                    seq += e.n;
                    e.seq = seq;
                }
            } else if (in_place) {
                e.pc = 0x700000 + i * 4;
                e.pa = 0x90700000 + i * 4;
                e.n = 100 + i;
                CHECK(trace_writer_block(w, seq, e.pc, e.pa, e.el, e.n) == 0, "in place %u", i);
            } else {
                if (n_batch == 0)
                    batch_seq = seq;
                batch[n_batch++] = id * 3;
            }
            if (!physical)
                e.pa = 0;
            want[n_want++] = e;
            seq += e.n;
        }
        if (n_batch)
            CHECK(trace_writer_blocks(w, batch_seq, batch, n_batch) == 0, "last batch");
        CHECK(trace_writer_close(w, err, sizeof err) == 0, "close: %s", err);
        struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
        CHECK(r != NULL, "open: %s", err);
        if (!r)
            break;
        struct trace_record rec;
        unsigned got = 0, bad = 0;
        int rc;
        uint64_t insns = 0;
        while ((rc = trace_reader_next(r, &rec)) == 1 && got < n_want) {
            const struct expected_block *e = &want[got++];
            insns += e->n;
            if (rec.insn.seq != e->seq || rec.insn.pc != e->pc || rec.n_insns != e->n || rec.insn.el != e->el ||
                rec.insn.has_pa != physical || (physical && rec.insn.pa != e->pa))
                bad++;
        }
        CHECK(rc == 0 && got == n_want && bad == 0, "chunks %u records, %u bytes, %s: %u of %u read, %u differ (%s)",
              chunks[k][0], chunks[k][1], physical ? "PAs" : "no PAs", got, n_want, bad,
              rc < 0 ? trace_reader_error(r) : "");
        CHECK(trace_reader_info(r)->instructions == insns && trace_reader_info(r)->n_records == n_want, "totals");
        CHECK(trace_reader_info(r)->codec == TRACE_CODEC_LZ4, "block mode's default codec is LZ4, not %u",
              trace_reader_info(r)->codec);
        /* seek into the middle of a late entry */
        const struct expected_block *late = &want[n_want - 3];
        CHECK(trace_reader_seek(r, late->seq + late->n / 2) == 0 && trace_reader_next(r, &rec) == 1 &&
                  rec.insn.seq == late->seq && rec.insn.pc == late->pc,
              "seek into an entry");
        trace_reader_close(r);
    }
    free(want);

    /* what the writer refuses */
    const char *path = tmp_path("ids-bad.ftrace");
    struct trace_file_info info = {.mode = TRACE_MODE_BLOCK};
    char err[600];
    struct {
        const char *what, *message;
        int how;
    } cases[] = {
        {"an undescribed id", "never described", 0},
        {"an id at the limit", "invalid block description", 1},
        {"a block of no instructions", "invalid block description", 2},
        {"an entry overlapping the previous one", "overlaps", 3},
        {"a description in a full trace", "full trace", 4},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct trace_file_info fi = info;
        if (cases[i].how == 4)
            fi.mode = TRACE_MODE_FULL;
        struct trace_writer *w = trace_writer_open(path, &fi, err, sizeof err);
        CHECK(w != NULL, "open: %s", err);
        if (!w)
            continue;
        uint32_t one = 1, zero = 0;
        int rc = 0;
        switch (cases[i].how) {
        case 0: rc = trace_writer_define_block(w, 0, 0x1000, 0, 0, 2) | trace_writer_blocks(w, 0, &one, 1); break;
        case 1: rc = trace_writer_define_block(w, TRACE_BLOCK_ID_LIMIT, 0x1000, 0, 0, 2); break;
        case 2: rc = trace_writer_define_block(w, 0, 0x1000, 0, 0, 0); break;
        case 3:
            rc = trace_writer_define_block(w, 0, 0x1000, 0, 0, 2) | trace_writer_blocks(w, 10, &zero, 1) |
                 trace_writer_blocks(w, 11, &zero, 1);
            break;
        case 4: rc = trace_writer_define_block(w, 0, 0x1000, 0, 0, 2); break;
        }
        CHECK(rc != 0, "%s is refused", cases[i].what);
        CHECK(trace_writer_close(w, err, sizeof err) != 0 && strstr(err, cases[i].message), "%s: %s", cases[i].what,
              err);
    }
}

/* ---- Writer errors ---- */

static void test_writer_errors(void)
{
    char err[600];
    struct trace_file_info info = {.mode = TRACE_MODE_FULL, .flags = TRACE_FLAG_VALUES};
    struct trace_writer *w = trace_writer_open("/nonexistent-dir/x.ftrace", &info, err, sizeof err);
    CHECK(!w && strstr(err, "/nonexistent-dir/x.ftrace") && strstr(err, "No such file"), "%s", err);
    if (access("/dev/full", W_OK) == 0) {
        w = trace_writer_open("/dev/full", &info, err, sizeof err);
        CHECK(!w && strstr(err, "/dev/full") && strstr(err, "No space left"), "%s", err);
    }
    /* A write failure in the middle of a run (the file-size limit stands in for a full
     * disk): the record call fails and close names the file and the reason. */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {200000, 200000};
        setrlimit(RLIMIT_FSIZE, &rl);
        const char *path = tmp_path("fsize.ftrace");
        struct trace_file_info fi = {.mode = TRACE_MODE_FULL, .flags = TRACE_FLAG_VALUES, .chunk_records = 1000};
        struct trace_writer *ww = trace_writer_open(path, &fi, err, sizeof err);
        if (!ww)
            _exit(3);
        struct gen *g = malloc(sizeof *g);
        gen_init(g, -1);
        struct trace_insn r;
        int failed_at = -1;
        for (int i = 0; i < 2000000; i++) {
            gen_next(g, &r);
            if (trace_writer_insn(ww, &r) != 0) {
                failed_at = i;
                break;
            }
        }
        int rc = trace_writer_close(ww, err, sizeof err);
        _exit(failed_at > 0 && rc != 0 && strstr(err, path) && strstr(err, "too large") ? 0 : 4);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "mid-run write failure (status %d)", status);

    const char *path = tmp_path("bad.ftrace");
    w = trace_writer_open(path, &info, err, sizeof err);
    struct trace_reg_write bad = {.id = TRACE_REG_PC};
    struct trace_insn r = {.seq = 1, .n_regs = 1, .regs = &bad, .has_values = true};
    CHECK(trace_writer_insn(w, &r) != 0 && trace_writer_insn(w, &r) != 0, "invalid register id");
    CHECK(trace_writer_close(w, err, sizeof err) != 0 && strstr(err, "invalid register id") &&
              strstr(err, path), "%s", err);
    w = trace_writer_open(path, &info, err, sizeof err);
    struct trace_insn ok = {.seq = 5};
    CHECK(trace_writer_insn(w, &ok) == 0 && trace_writer_insn(w, &ok) != 0, "sequence going back");
    CHECK(trace_writer_close(w, err, sizeof err) != 0 && strstr(err, "does not increase"), "%s", err);
    w = trace_writer_open(path, &info, err, sizeof err);
    struct trace_mem_access big = {.va = 1, .size = 32, .has_value = true};
    struct trace_insn rm = {.seq = 1, .n_mem = 1, .mem = &big, .has_values = true};
    CHECK(trace_writer_insn(w, &rm) != 0, "value of a 32-byte access");
    trace_writer_abort(w);
    /* An empty trace is valid. */
    w = trace_writer_open(path, &info, err, sizeof err);
    CHECK(w && trace_writer_close(w, err, sizeof err) == 0, "empty trace: %s", err);
    struct trace_reader *rd = trace_reader_open(path, 0, err, sizeof err);
    struct trace_record rec;
    CHECK(rd && trace_reader_info(rd)->n_records == 0 && trace_reader_next(rd, &rec) == 0, "empty: %s", err);
    trace_reader_close(rd);
}

/* ---- Reader error paths ---- */

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void spit(const char *path, const uint8_t *buf, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, size, f) != size) {
        fprintf(stderr, "test_trace: cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

/* Reads everything; returns records read, or -1 if an error was reported. */
static long read_all(struct trace_reader *r, long limit)
{
    struct trace_record rec;
    long n = 0;
    int rc;
    while (n < limit && (rc = trace_reader_next(r, &rec)) == 1)
        n++;
    if (n < limit && rc < 0) {
        CHECK(trace_reader_error(r)[0] != 0, "an error without a message");
        return -1;
    }
    return n;
}

static void expect_open_error(const char *path, const char *what, const char *label)
{
    char err[600] = "";
    struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
    CHECK(!r && strstr(err, what) && strstr(err, path), "%s: expected \"%s\", got \"%s\"", label, what, err);
    trace_reader_close(r);
}

/* Recomputes every CRC of a (possibly mutated) file where its declared layout allows. */
static void fix_crcs(uint8_t *b, size_t size)
{
    if (size < TRACE_HEADER_FIXED + 4)
        return;
    uint64_t hsize = get_le32(b + 12);
    if (hsize >= TRACE_HEADER_FIXED + 4 && hsize <= size)
        put_le32(b + hsize - 4, (uint32_t)crc32(0, b, (uInt)(hsize - 4)));
    else
        return;
    uint64_t off = hsize;
    while (off + TRACE_CHUNK_HEADER <= size && get_le32(b + off) == TRACE_CHUNK_MAGIC) {
        uint64_t comp = get_le32(b + off + 8);
        if (off + TRACE_CHUNK_HEADER + comp > size)
            break;
        put_le32(b + off + 36, (uint32_t)crc32(0, b + off + TRACE_CHUNK_HEADER, (uInt)comp));
        put_le32(b + off + 60, (uint32_t)crc32(0, b + off, 60));
        off += TRACE_CHUNK_HEADER + comp;
    }
    if (size >= TRACE_FOOTER_SIZE && !memcmp(b + size - TRACE_FOOTER_SIZE, TRACE_FOOTER_MAGIC, 8)) {
        uint8_t *f = b + size - TRACE_FOOTER_SIZE;
        uint64_t io = get_le64(f + 8), n = get_le64(f + 16);
        if (io < size && n < size && io + 16 + n * TRACE_INDEX_ENTRY <= size - TRACE_FOOTER_SIZE)
            put_le32(f + 48, (uint32_t)crc32(0, b + io, (uInt)(16 + n * TRACE_INDEX_ENTRY)));
        put_le32(f + 60, (uint32_t)crc32(0, f, 60));
    }
}

/* Version 1 differed only in block mode: its full-mode files are read, its block-mode
 * files refused with a message that says why. */
static void test_version1(void)
{
    const char *path = tmp_path("v1-src.ftrace"), *old = tmp_path("v1.ftrace");
    if (write_gen(path, 2000, TRACE_CODEC_ZSTD, 500, -1) != 0)
        return;
    size_t size;
    uint8_t *b = slurp(path, &size);
    put_le32(b + 8, TRACE_FORMAT_V1_FULL);
    fix_crcs(b, size);
    spit(old, b, size);
    free(b);
    char err[600];
    struct trace_reader *r = trace_reader_open(old, 0, err, sizeof err);
    CHECK(r != NULL, "a version 1 full trace: %s", r ? "" : err);
    struct trace_record rec;
    uint64_t n = 0;
    while (r && trace_reader_next(r, &rec) == 1)
        n++;
    CHECK(n == 2000, "version 1 full trace: %llu records", (unsigned long long)n);
    if (r)
        trace_reader_close(r);

    struct trace_file_info bi = {.mode = TRACE_MODE_BLOCK};
    struct trace_writer *w = trace_writer_open(path, &bi, err, sizeof err);
    CHECK(w != NULL, "open: %s", err);
    if (!w)
        return;
    trace_writer_block(w, 0, 0x1000, 0, 0, 4);
    CHECK(trace_writer_close(w, err, sizeof err) == 0, "close: %s", err);
    b = slurp(path, &size);
    put_le32(b + 8, TRACE_FORMAT_V1_FULL);
    fix_crcs(b, size);
    spit(old, b, size);
    free(b);
    expect_open_error(old, "block-mode trace of format version 1", "version 1 block trace");
}

static void test_reader_errors(void)
{
    const char *path = tmp_path("err-src.ftrace"), *bad = tmp_path("err.ftrace");
    const uint64_t n = 5000;
    if (write_gen(path, n, TRACE_CODEC_ZSTD, 500, -1) != 0)
        return;
    size_t size;
    uint8_t *orig = slurp(path, &size);
    uint8_t *b = malloc(size);
    char err[600];
    struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
    CHECK(r != NULL, "%s", err);
    if (!r)
        return;
    uint64_t nchunks = trace_reader_info(r)->n_chunks;
    struct trace_chunk_info ci[64];
    for (uint64_t i = 0; i < nchunks && i < 64; i++)
        trace_reader_chunk(r, i, &ci[i]);
    trace_reader_close(r);
    CHECK(nchunks == 10, "chunks: %llu", (unsigned long long)nchunks);
    uint64_t index_off = ci[nchunks - 1].offset + TRACE_CHUNK_HEADER + ci[nchunks - 1].comp_size;

    /* Truncated at every chunk boundary, inside every chunk, inside index and footer. */
    for (uint64_t i = 0; i <= nchunks; i++) {
        uint64_t boundary = i < nchunks ? ci[i].offset : index_off;
        uint64_t cuts[3] = {boundary, boundary + 30,
                            i < nchunks ? boundary + TRACE_CHUNK_HEADER + ci[i].comp_size / 2 : size - 1};
        for (int c = 0; c < 3; c++) {
            spit(bad, orig, cuts[c]);
            expect_open_error(bad, "truncated", "truncated file");
            r = trace_reader_open(bad, TRACE_OPEN_RECOVER, err, sizeof err);
            CHECK(r != NULL, "recover: %s", err);
            if (!r)
                continue;
            uint64_t complete = i < nchunks ? i : nchunks;
            CHECK(trace_reader_info(r)->recovered && trace_reader_info(r)->n_chunks == complete,
                  "recover after a cut at %llu: %llu chunks, expected %llu", (unsigned long long)cuts[c],
                  (unsigned long long)trace_reader_info(r)->n_chunks, (unsigned long long)complete);
            CHECK(read_all(r, 1 << 30) == (long)(complete * 500), "records of the complete chunks");
            trace_reader_close(r);
        }
    }
    spit(bad, orig, 20);
    expect_open_error(bad, "too short", "cut in the header");
    spit(bad, orig, TRACE_HEADER_FIXED + 10);
    expect_open_error(bad, "truncated", "cut in the header strings");

    /* Corrupt header. */
    memcpy(b, orig, size);
    b[0] ^= 1;
    spit(bad, b, size);
    expect_open_error(bad, "not a Ferry trace", "bad magic");
    memcpy(b, orig, size);
    b[TRACE_HEADER_FIXED + 3] ^= 0x20;
    spit(bad, b, size);
    expect_open_error(bad, "corrupt header", "header string");
    memcpy(b, orig, size);
    put_le32(b + 8, 99);
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "format version 99", "version");
    memcpy(b, orig, size);
    put_le32(b + 28, 0x7fffffff);
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt header", "huge string");
    memcpy(b, orig, size);
    b[18] = 7;
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt header", "mode");

    /* Corrupt index and footer. */
    memcpy(b, orig, size);
    b[index_off + 16 + 3] ^= 1;
    spit(bad, b, size);
    expect_open_error(bad, "corrupt index", "index byte");
    r = trace_reader_open(bad, TRACE_OPEN_RECOVER, err, sizeof err);
    CHECK(r && trace_reader_info(r)->recovered && trace_reader_info(r)->n_chunks == nchunks &&
              read_all(r, 1 << 30) == (long)n, "recover past a corrupt index: %s", r ? "" : err);
    trace_reader_close(r);
    memcpy(b, orig, size);
    put_le64(b + index_off + 16 + 2 * TRACE_INDEX_ENTRY, 12345);   /* chunk 2's offset */
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt index", "index offset");
    memcpy(b, orig, size);
    put_le32(b + index_off + 16 + 3 * TRACE_INDEX_ENTRY + 12, 0xffffffffu);  /* raw size */
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt", "huge raw size");
    memcpy(b, orig, size);
    put_le32(b + index_off + 16 + 3 * TRACE_INDEX_ENTRY + 32, 0xffffffffu);  /* records */
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt", "huge record count");
    memcpy(b, orig, size);
    put_le64(b + size - TRACE_FOOTER_SIZE + 16, 1ull << 60);                 /* chunks */
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt end record", "huge chunk count");
    memcpy(b, orig, size);
    put_le64(b + size - TRACE_FOOTER_SIZE + 24, 1ull << 62);                 /* records */
    fix_crcs(b, size);
    spit(bad, b, size);
    expect_open_error(bad, "corrupt index", "huge total");

    /* Corrupt chunk data: the chunks before it read, then one clear error. */
    memcpy(b, orig, size);
    b[ci[3].offset + TRACE_CHUNK_HEADER + 20] ^= 0x55;
    spit(bad, b, size);
    r = trace_reader_open(bad, 0, err, sizeof err);
    CHECK(r != NULL, "%s", err);
    if (r) {
        CHECK(read_all(r, 1 << 30) == -1 && strstr(trace_reader_error(r), "chunk 3") &&
                  strstr(trace_reader_error(r), "checksum"), "bad chunk data: %s", trace_reader_error(r));
        trace_reader_close(r);
    }
    fix_crcs(b, size);                          /* past the CRC: zstd sees it */
    spit(bad, b, size);
    r = trace_reader_open(bad, 0, err, sizeof err);
    if (r) {
        CHECK(read_all(r, 1 << 30) == -1 && strstr(trace_reader_error(r), "chunk 3"),
              "bad compressed data: %s", trace_reader_error(r));
        trace_reader_close(r);
    }
    memcpy(b, orig, size);
    put_le32(b + ci[2].offset + 12, 0xffffffffu);  /* chunk header's raw size */
    fix_crcs(b, size);
    spit(bad, b, size);
    r = trace_reader_open(bad, 0, err, sizeof err);
    if (r) {
        CHECK(read_all(r, 1 << 30) == -1 && strstr(trace_reader_error(r), "chunk 2"), "%s",
              trace_reader_error(r));
        trace_reader_close(r);
    }
    spit(bad, orig, 0);
    expect_open_error(bad, "too short", "empty file");
    expect_open_error(tmp_path("does-not-exist"), "cannot open", "missing file");
    expect_open_error(dir, "not a regular file", "a directory");
    free(b);
    free(orig);
}

/* ---- Fuzzing ---- */

static uint64_t rng;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void mutate(uint8_t *b, size_t *size, size_t cap)
{
    unsigned edits = 1 + (unsigned)(rnd() % 4);
    for (unsigned e = 0; e < edits && *size > 0; e++) {
        size_t at = (size_t)(rnd() % *size);
        switch (rnd() % 8) {
        case 0: b[at] ^= (uint8_t)(1u << (rnd() % 8)); break;
        case 1: b[at] = (uint8_t)rnd(); break;
        case 2: b[at] = rnd() & 1 ? 0 : 0xff; break;
        case 3:
            if (at + 8 <= *size) {
                static const uint64_t vals[] = {0, 1, 0x7fffffff, 0xffffffff, 0x100000000ull,
                                                0x7fffffffffffffffull, ~0ull};
                uint64_t v = rnd() & 1 ? vals[rnd() % 7] : rnd();
                memcpy(b + at, &v, (rnd() & 1) ? 4 : 8);
            }
            break;
        case 4: *size = at; break;
        case 5: {                               /* duplicate a range */
            size_t len = (size_t)(rnd() % 64), to = (size_t)(rnd() % *size);
            if (at + len <= *size && *size + len <= cap) {
                memmove(b + to + len, b + to, *size - to);
                memmove(b + to, b + at + (at >= to ? len : 0), len);
                *size += len;
            }
            break;
        }
        case 6: {                               /* delete a range */
            size_t len = (size_t)(rnd() % 32);
            if (at + len <= *size) {
                memmove(b + at, b + at + len, *size - at - len);
                *size -= len;
            }
            break;
        }
        default: b[at] = (uint8_t)(b[at] + 1); break;
        }
    }
}

static unsigned long fuzz_opened, fuzz_records, fuzz_decode_errors;

static void fuzz_one(const char *path, long limit)
{
    char err[600];
    for (unsigned flags = 0; flags <= TRACE_OPEN_RECOVER; flags++) {
        struct trace_reader *r = trace_reader_open(path, flags, err, sizeof err);
        if (!r) {
            CHECK(err[0] != 0, "open failed without a message");
            continue;
        }
        const struct trace_reader_info *info = trace_reader_info(r);
        fuzz_opened++;
        long got = read_all(r, limit);
        if (got < 0)
            fuzz_decode_errors++;
        else
            fuzz_records += (unsigned long)got;
        uint64_t span = info->end_seq - info->first_seq;
        for (int s = 0; s < 3; s++) {
            uint64_t target = info->first_seq + (span ? rnd() % span : 0);
            if (trace_reader_seek(r, target) == 0)
                read_all(r, 5);
        }
        trace_reader_close(r);
    }
}

static int run_fuzz(unsigned iters, uint64_t seed)
{
    rng = seed ? seed : 0x9e3779b97f4a7c15ull;
    enum { N_SRC = 4 };
    const char *src[N_SRC] = {tmp_path("fz-raw.ftrace"), tmp_path("fz-zstd.ftrace"), tmp_path("fz-block.ftrace"),
                              tmp_path("fz-lz4.ftrace")};
    if (write_gen(src[0], 700, TRACE_WRITER_UNCOMPRESSED, 250, -1) != 0 ||
        write_gen(src[1], 700, TRACE_CODEC_ZSTD, 250, -1) != 0 || write_gen(src[3], 700, TRACE_CODEC_LZ4, 250, -1) != 0)
        return 1;
    struct trace_file_info bi = {.mode = TRACE_MODE_BLOCK, .flags = TRACE_FLAG_PA,
                                 .codec = TRACE_WRITER_UNCOMPRESSED, .chunk_records = 40};
    char err[600];
    struct trace_writer *w = trace_writer_open(src[2], &bi, err, sizeof err);
    for (uint32_t id = 0; w && id < 5; id++)
        trace_writer_define_block(w, id, 0x1000 + id * 0x20, 0x801000 + id * 0x20, 1, 1 + id);
    for (unsigned i = 0, seq = 0; w && i < 100; i++) {
        uint32_t id = i % 5;
        if (i % 7 == 1) {
            trace_writer_block_run(w, seq, id, 3);   /* a run: a REPEAT record */
            seq += 2 * (1 + i % 5);
        } else if (i % 3)
            trace_writer_blocks(w, seq, &id, 1);   /* by id, with descriptions per chunk */
        else
            trace_writer_block(w, seq, 0x1000 + (i % 5) * 0x20, 0x801000 + (i % 5) * 0x20, 1, 1 + i % 5);
        seq += 1 + i % 5 + (i % 17 == 0);
    }
    if (!w || trace_writer_close(w, err, sizeof err) != 0)
        return 1;
    size_t sizes[N_SRC], cap = 4096;
    uint8_t *files[N_SRC];
    for (int k = 0; k < N_SRC; k++) {
        files[k] = slurp(src[k], &sizes[k]);
        cap += sizes[k];
    }
    const char *mut = tmp_path("fz-mutant.ftrace");
    uint8_t *b = malloc(cap);
    for (unsigned it = 0; it < iters; it++) {
        int k = (int)(rnd() % N_SRC);
        size_t size = sizes[k];
        memcpy(b, files[k], size);
        mutate(b, &size, cap);
        if (rnd() % 5)
            fix_crcs(b, size);
        spit(mut, b, size);
        fuzz_one(mut, 100000);
    }
    free(b);
    for (int k = 0; k < N_SRC; k++)
        free(files[k]);
    printf("test_trace fuzz: %u mutants: %lu opens succeeded, %lu reads ended in a decode error, "
           "%lu records decoded\n", iters, fuzz_opened, fuzz_decode_errors, fuzz_records);
    return 0;
}

/* ---- Samples for the CLI tests ---- */

static int make_sample(int argc, char **argv)
{
    const char *path = argv[0];
    uint64_t n = 3000;
    int differ_at = -1;
    bool block = false;
    unsigned chunk = 1000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--differ-at") && i + 1 < argc)
            differ_at = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--chunk") && i + 1 < argc)
            chunk = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--block"))
            block = true;
    }
    if (!block)
        return write_gen(path, n, 0, chunk, differ_at) == 0 ? 0 : 1;
    struct trace_file_info bi = {.mode = TRACE_MODE_BLOCK, .chunk_records = chunk};
    char err[600];
    struct trace_writer *w = trace_writer_open(path, &bi, err, sizeof err);
    uint64_t seq = 0;
    for (uint64_t i = 0; w && i < n; i++) {
        trace_writer_block(w, seq, 0x400000 + (i % 5) * 0x40, 0, 0, (uint32_t)(4 + i % 5));
        seq += 4 + i % 5;
    }
    if (!w || trace_writer_close(w, err, sizeof err) != 0) {
        fprintf(stderr, "test_trace: %s\n", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "sample"))
        return make_sample(argc - 2, argv + 2);
    if (argc < 3) {
        fprintf(stderr, "usage: test_trace unit DIR | fuzz DIR N [SEED] | sample FILE [...]\n");
        return 2;
    }
    dir = argv[2];
    mkdir(dir, 0755);
    if (!strcmp(argv[1], "unit")) {
        test_round_trip(TRACE_CODEC_ZSTD, 0, 30000);
        test_round_trip(TRACE_CODEC_ZSTD, 1000, 20000);
        test_round_trip(TRACE_CODEC_ZLIB, 777, 8000);
        test_round_trip(TRACE_CODEC_LZ4, 555, 12000);
        test_round_trip(TRACE_WRITER_UNCOMPRESSED, 333, 5000);
        test_block_mode();
        test_block_ids();
        test_version1();
        test_writer_errors();
        test_reader_errors();
    } else if (!strcmp(argv[1], "fuzz") && argc >= 4) {
        if (run_fuzz((unsigned)strtoul(argv[3], NULL, 0), argc > 4 ? strtoull(argv[4], NULL, 0) : 0) != 0)
            failures++;
    } else {
        fprintf(stderr, "test_trace: unknown mode %s\n", argv[1]);
        return 2;
    }
    if (!strcmp(argv[1], "fuzz"))
        printf("test_trace fuzz: seed %s (rerun: test_trace_san fuzz DIR N SEED)\n", argc > 4 ? argv[4] : "0");
    printf("test_trace %s: %u checks, %u failed\n", argv[1], checks, failures);
    return failures ? 1 : 0;
}
