/* Tests of replay-mode traces end to end below the runners: hand-built replay items (as
 * translated code, the interpreter and the runner write them) through the recorder into
 * a file, read back through the reader, which runs the instructions again in the AArch64
 * interpreter (hypervisor/trace/a64_replay.c). Checks the records it rebuilds (register
 * values, addresses, stored values), an entry cut short by a fault, an instruction the
 * interpreter ran, a state the instructions do not reproduce (an error naming the
 * instruction), and chunks mutated at random (an error or records, never a crash; built
 * with ASan/UBSan too).
 *   test_replay DIR [FUZZ_ITERS]
 * Prints one line per failed check and "test_replay: N checks, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aarch64/a64_state.h"
#include "arch/aarch64/trace_regs.h"
#include "hypervisor/trace/a64_replay.h"
#include "hypervisor/trace/trace_reader.h"
#include "hypervisor/trace/trace_recorder.h"

#include "tests/trace/check.h"

/* The program: ldr x1, [x0]; add x2, x1, #1; str x2, [x0, #8] at 0x400000. */
static const uint32_t program[3] = { 0xf9400001, 0x91000422, 0xf9000402 };
#define PC0 0x400000ull
#define BASE 0x5000ull

static struct a64_state start_state(void)
{
    struct a64_state s;
    memset(&s, 0, sizeof s);
    s.PC = PC0;
    s.X[0] = BASE;
    return s;
}

static void put_state_event(struct jit_trace_buf *b, unsigned kind, unsigned flags, const struct a64_state *s)
{
    unsigned words = jit_trace_state_event_words(kind, true, sizeof *s);
    jit_trace_write_state_event(jit_trace_reserve(b, words), kind, flags, s, sizeof *s, true, 0);
}

/* The translation of the program, entered once with its load's value. */
static void put_entry(struct jit_trace_buf *b, uint64_t loaded)
{
    jit_trace_block_def_slots(b, 7, PC0, false, 0, 0, 3, 8, program);
    uint64_t *p = jit_trace_reserve(b, 2);
    p[0] = JIT_TRACE_BLOCK_ID | (uint64_t)7 << 4;
    p[1] = loaded;
}

struct readback {
    int n, rc;
    struct trace_insn insn[8];
    struct trace_reg_write regs[8][4];
    struct trace_mem_access mem[8][2];
    char err[512];
};

static void read_back(const char *path, struct readback *out)
{
    memset(out, 0, sizeof *out);
    struct trace_reader *r = trace_reader_open(path, 0, out->err, sizeof out->err);
    if (!r) {
        out->rc = -1;
        return;
    }
    struct trace_record rec;
    while ((out->rc = trace_reader_next(r, &rec)) == 1 && out->n < 8) {
        struct trace_insn *in = &out->insn[out->n];
        *in = rec.insn;
        for (unsigned k = 0; k < in->n_regs && k < 4; k++)
            out->regs[out->n][k] = in->regs[k];
        for (unsigned k = 0; k < in->n_mem && k < 2; k++)
            out->mem[out->n][k] = in->mem[k];
        out->n++;
    }
    if (out->rc < 0)
        snprintf(out->err, sizeof out->err, "%s", trace_reader_error(r));
    trace_reader_close(r);
}

/* A replay recording into path, resumed at the program's start state (*s). */
static struct trace_recorder *open_replay(const char *path, struct a64_state *s)
{
    char err[512];
    struct trace_recorder_options o = { .mode = JIT_TRACE_REPLAY, .el = -1, .command_line = "test" };
    struct trace_recorder *rec = trace_recorder_open(path, a64_trace_arch(), &o, err, sizeof err);
    CHECK(rec != NULL, "%s", err);
    *s = start_state();
    if (rec)
        trace_recorder_resume(rec, s);
    return rec;
}

/* Finishes the recording and reads its records back through the replay. */
static void close_and_read(struct trace_recorder *rec, const char *path, struct readback *rb)
{
    char err[512];
    CHECK(trace_recorder_close(rec, NULL, err, sizeof err) == 0, "%s", err);
    read_back(path, rb);
}

/* The block runs whole; a checkpoint after it holds what it left. */
static void test_block(void)
{
    const char *path = tmp_path("block.ft");
    struct a64_state s;
    struct trace_recorder *rec = open_replay(path, &s);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    put_entry(b, 0x1234);
    s.X[1] = 0x1234, s.X[2] = 0x1235, s.PC = PC0 + 12;
    put_state_event(b, JIT_TRACE_EV_RESUME, JIT_TRACE_EV_CHECKPOINT, &s);
    trace_recorder_exit(rec, &s, false);
    struct readback rb;
    close_and_read(rec, path, &rb);
    CHECK(rb.rc == 0 && rb.n == 3, "rc %d, %d records: %s", rb.rc, rb.n, rb.err);
    if (rb.n != 3)
        return;
    CHECK(rb.insn[0].seq == 0 && rb.insn[0].pc == PC0 && rb.insn[0].encoding == program[0], "first record");
    CHECK(rb.insn[0].n_regs == 1 && rb.regs[0][0].id == 1 && rb.regs[0][0].lo == 0x1234, "ldr writes x1");
    CHECK(rb.insn[0].n_mem == 1 && !rb.mem[0][0].store && rb.mem[0][0].va == BASE && rb.mem[0][0].size == 8 &&
              rb.mem[0][0].lo == 0x1234,
          "ldr reads 0x1234 at 0x5000");
    CHECK(rb.insn[1].n_regs == 1 && rb.regs[1][0].id == 2 && rb.regs[1][0].lo == 0x1235, "add writes x2");
    CHECK(rb.insn[2].seq == 2 && rb.insn[2].n_mem == 1 && rb.mem[2][0].store && rb.mem[2][0].va == BASE + 8 &&
              rb.mem[2][0].lo == 0x1235,
          "str stores 0x1235 at 0x5008");
}

/* The store faults: the entry is cut short there, the store is not an access. */
static void test_fault(void)
{
    const char *path = tmp_path("fault.ft");
    struct a64_state s;
    struct trace_recorder *rec = open_replay(path, &s);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    put_entry(b, 0x40);
    s.X[1] = 0x40, s.X[2] = 0x41, s.PC = PC0 + 8;
    trace_recorder_exit(rec, &s, true);
    struct trace_exception e = { .ec = 0x24, .esr = 0x92000047, .far = BASE + 8, .target_el = 1 };
    trace_recorder_exception(rec, &e);
    struct readback rb;
    close_and_read(rec, path, &rb);
    CHECK(rb.rc == 0 && rb.n == 3, "rc %d, %d records: %s", rb.rc, rb.n, rb.err);
    if (rb.n != 3)
        return;
    CHECK(rb.insn[2].n_mem == 0 && rb.insn[2].n_regs == 0 && rb.insn[2].has_exception &&
              rb.insn[2].exc.ec == 0x24 && rb.insn[2].exc.far == BASE + 8,
          "the faulting store: %u accesses, %u registers, exception %d", rb.insn[2].n_mem, rb.insn[2].n_regs,
          rb.insn[2].has_exception);
}

/* The interpreter ran the load (INSN and LOAD items), translated code the rest. */
static void test_interpreted(void)
{
    const char *path = tmp_path("interp.ft");
    struct a64_state s;
    struct trace_recorder *rec = open_replay(path, &s);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    jit_trace_insn(b, PC0, program[0], 0);
    jit_trace_access(b, false, BASE, 8, 0x77, 0);
    jit_trace_block_def_slots(b, 9, PC0 + 4, false, 0, 0, 2, 0, program + 1);
    *jit_trace_reserve(b, 1) = JIT_TRACE_BLOCK_ID | (uint64_t)9 << 4;
    s.X[1] = 0x77, s.X[2] = 0x78, s.PC = PC0 + 12;
    trace_recorder_exit(rec, &s, false);
    struct readback rb;
    close_and_read(rec, path, &rb);
    CHECK(rb.rc == 0 && rb.n == 3 && rb.regs[1][0].lo == 0x78 && rb.mem[2][0].lo == 0x78, "rc %d, %d records: %s",
          rb.rc, rb.n, rb.err);
}

/* A recorded state that the instructions do not reproduce is an error, not records. */
static void test_divergence(void)
{
    const char *path = tmp_path("diverge.ft");
    struct a64_state s;
    struct trace_recorder *rec = open_replay(path, &s);
    if (!rec)
        return;
    struct jit_trace_buf *b = trace_recorder_buffer(rec);
    put_entry(b, 0x1234);
    s.X[1] = 0x1234, s.X[2] = 0x9999, s.PC = PC0 + 12;  /* not what add computes */
    trace_recorder_exit(rec, &s, false);
    struct readback rb;
    close_and_read(rec, path, &rb);
    CHECK(rb.rc < 0 && strstr(rb.err, "disagree") && strstr(rb.err, "instruction 3"), "rc %d: %s", rb.rc, rb.err);
}

/* The ways a chunk's load values are laid out: version 5's two codings, version 4's. */
static const struct chunk_kind {
    unsigned version, coding;
} chunk_kinds[3] = {
    { TRACE_FORMAT_VERSION, TRACE_VALUES_ZIGZAG },
    { TRACE_FORMAT_VERSION, TRACE_VALUES_PACKED },
    { TRACE_FORMAT_V4_REPLAY, 0 },
};

/* A chunk as the recorder makes one: a start state, a description, one entry whose load
 * read 0x1234, laid out as kind k says. Its size. */
static size_t make_chunk(uint64_t raw[512], const struct chunk_kind *k)
{
    struct a64_state s = start_state();
    memset(raw, 0, 512 * sizeof *raw);
    bool v4 = k->version == TRACE_FORMAT_V4_REPLAY;
    size_t head = v4 ? TRACE_REPLAY_HEAD_V4 : TRACE_REPLAY_HEAD;
    size_t state_words = jit_trace_state_words(sizeof s), n_items = 0;
    uint64_t *items = raw + head / 8;
    jit_trace_write_state_event(items, JIT_TRACE_EV_RESUME, 0, &s, sizeof s, true, 0);
    n_items += 1 + state_words;
    uint64_t *d = items + n_items;
    d[0] = JIT_TRACE_BLOCK_DEF | JIT_TRACE_DEF_SLOTS | (uint64_t)1 << 4 | (uint64_t)3 << 32;
    d[1] = 7, d[2] = PC0, d[3] = 8, d[4] = program[0] | (uint64_t)program[1] << 32, d[5] = program[2];
    n_items += 6;
    uint8_t *entries = (uint8_t *)(items + n_items);
    entries[0] = TRACE_REPLAY_ITEM, entries[1] = TRACE_REPLAY_ITEM, entries[2] = 0;
    uint64_t loaded = 0x1234;
    size_t value_bytes = 8;
    if (!v4 && k->coding == TRACE_VALUES_ZIGZAG) {
        /* zigzag(0x1234) = 0x2468: LEB128 0xe8 0x48 */
        entries[3] = 0xe8, entries[4] = 0x48;
        value_bytes = 2;
    } else {
        memcpy(entries + 3, &loaded, 8);
    }
    raw[0] = n_items, raw[1] = 3;
    if (v4)
        raw[2] = 8;                                 /* its one part of values */
    else
        raw[2] = 0, raw[3] = 8, raw[4] = k->coding; /* 8 bytes of word values */
    return head + n_items * 8 + 3 + value_bytes;
}

/* Mutated chunks straight into the replay (each layout in turn): an error or a trace,
 * never a crash. */
static void test_fuzz(unsigned iters)
{
    static uint64_t raw[3][512];
    size_t sizes[3];
    char err[512];
    const char *out = tmp_path("fuzz-out.ft");
    for (unsigned v = 0; v < 3; v++) {
        const struct chunk_kind *k = &chunk_kinds[v];
        sizes[v] = make_chunk(raw[v], k);
        CHECK(a64_trace_replay_chunk((const uint8_t *)raw[v], sizes[v], k->version, 0, 3, false, out, err,
                                     sizeof err) == 0,
              "the unmutated chunk of version %u, coding %u: %s", k->version, k->coding, err);
        /* the value, decoded, is what the load read and the register got */
        struct readback rb;
        read_back(out, &rb);
        CHECK(rb.rc == 0 && rb.n == 3 && rb.mem[0][0].lo == 0x1234 && rb.regs[0][0].lo == 0x1234,
              "version %u, coding %u: rc %d, %d records, loaded 0x%llx: %s", k->version, k->coding, rb.rc, rb.n,
              (unsigned long long)rb.mem[0][0].lo, rb.err);
    }
    srand(12345);
    static uint64_t mutated[512];
    unsigned ok = 0;
    for (unsigned i = 0; i < iters; i++) {
        unsigned v = i % 3;
        size_t chunk_size = sizes[v];
        memcpy(mutated, raw[v], sizeof raw[v]);
        unsigned flips = 1 + (unsigned)rand() % 4;
        for (unsigned k = 0; k < flips; k++) {
            size_t at = (size_t)rand() % chunk_size;
            ((uint8_t *)mutated)[at] ^= (uint8_t)(1u << (rand() % 8));
        }
        size_t cut = rand() % 8 == 0 ? (size_t)rand() % chunk_size : chunk_size;
        uint64_t end_seq = rand() % 4 == 0 ? (uint64_t)(rand() % 6) : 3;
        err[0] = 0;
        if (a64_trace_replay_chunk((const uint8_t *)mutated, cut, chunk_kinds[v].version, 0, end_seq, false, out, err,
                                   sizeof err) == 0)
            ok++;
        else
            CHECK(err[0] != 0, "a failed replay without a message");
    }
    printf("test_replay fuzz: %u mutated chunks, %u replayed, the rest refused\n", iters, ok);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_replay DIR [FUZZ_ITERS]\n");
        return 2;
    }
    dir = argv[1];
    mkdir(dir, 0755);
    trace_reader_set_replay(a64_trace_replay_chunk);
    test_block();
    test_fault();
    test_interpreted();
    test_divergence();
    test_fuzz(argc > 2 ? (unsigned)atoi(argv[2]) : 2000);
    printf("test_replay: %u checks, %u failed\n", checks, failures);
    return failures ? 1 : 0;
}
