/* Measures the trace writer: records/s on the recording thread and bytes per
 * instruction on disk, per codec, on the synthetic stream (tools/trace-bench/synth.h)
 * or on the records of an existing trace (e.g. one the QEMU plugin wrote), replayed
 * from memory. Usage:
 *   trace_bench synth N [zstd|zlib|none] [level] [OUT]
 *   trace_bench replay FILE [zstd|zlib|none] [level] [OUT] [MAX_RECORDS]
 * Prints one line: source, codec, records, seconds, Mrecords/s, bytes/insn, raw bytes/insn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hypervisor/trace/trace_reader.h"
#include "hypervisor/trace/trace_writer.h"
#include "tools/trace-bench/synth.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU time of the calling thread and of the whole process: the machine may be shared,
 * so throughput is computed from CPU time, not wall time. */
static double thread_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double process_cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned parse_codec(const char *s)
{
    if (!s || !strcmp(s, "zstd"))
        return TRACE_CODEC_ZSTD;
    if (!strcmp(s, "zlib"))
        return TRACE_CODEC_ZLIB;
    if (!strcmp(s, "lz4"))
        return TRACE_CODEC_LZ4;
    if (!strcmp(s, "none"))
        return TRACE_WRITER_UNCOMPRESSED;
    fprintf(stderr, "trace_bench: unknown codec %s\n", s);
    exit(2);
}

/* A replayable copy of a trace's records (no values: plugin traces have none, and
 * full traces keep theirs in the flat arrays). */
struct flat {
    struct trace_insn *insn;
    struct trace_reg_write *regs;
    struct trace_mem_access *mem;
    size_t n, n_regs, n_mem;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "trace_bench: out of memory\n");
        exit(2);
    }
    return p;
}

static void load_flat(const char *path, struct flat *f, struct trace_file_info *info, size_t max)
{
    char err[512];
    struct trace_reader *r = trace_reader_open(path, 0, err, sizeof err);
    if (!r) {
        fprintf(stderr, "trace_bench: %s\n", err);
        exit(2);
    }
    const struct trace_reader_info *ri = trace_reader_info(r);
    if (ri->mode != TRACE_MODE_FULL) {
        fprintf(stderr, "trace_bench: %s is a block-mode trace\n", path);
        exit(2);
    }
    info->flags = ri->flags;
    size_t cap = 0, cap_r = 0, cap_m = 0;
    memset(f, 0, sizeof *f);
    struct trace_record rec;
    int rc = 0;
    while (f->n < max && (rc = trace_reader_next(r, &rec)) == 1) {
        if (f->n == cap) {
            cap = cap ? 2 * cap : 1 << 16;
            f->insn = xrealloc(f->insn, cap * sizeof *f->insn);
        }
        if (f->n_regs + rec.insn.n_regs > cap_r) {
            cap_r = 2 * (cap_r + rec.insn.n_regs) + 1024;
            f->regs = xrealloc(f->regs, cap_r * sizeof *f->regs);
        }
        if (f->n_mem + rec.insn.n_mem > cap_m) {
            cap_m = 2 * (cap_m + rec.insn.n_mem) + 1024;
            f->mem = xrealloc(f->mem, cap_m * sizeof *f->mem);
        }
        struct trace_insn *in = &f->insn[f->n++];
        *in = rec.insn;
        memcpy(f->regs + f->n_regs, rec.insn.regs, rec.insn.n_regs * sizeof *f->regs);
        memcpy(f->mem + f->n_mem, rec.insn.mem, rec.insn.n_mem * sizeof *f->mem);
        /* Offsets for now; pointers once the arrays stop moving. */
        in->regs = (const void *)(uintptr_t)f->n_regs;
        in->mem = (const void *)(uintptr_t)f->n_mem;
        f->n_regs += rec.insn.n_regs;
        f->n_mem += rec.insn.n_mem;
    }
    if (rc < 0) {
        fprintf(stderr, "trace_bench: %s\n", trace_reader_error(r));
        exit(2);
    }
    for (size_t i = 0; i < f->n; i++) {
        f->insn[i].regs = f->regs + (uintptr_t)f->insn[i].regs;
        f->insn[i].mem = f->mem + (uintptr_t)f->insn[i].mem;
    }
    trace_reader_close(r);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: trace_bench synth N|replay FILE [zstd|zlib|none] [level] [OUT] [MAX]\n");
        return 2;
    }
    bool synth = !strcmp(argv[1], "synth");
    struct trace_file_info info = {.mode = TRACE_MODE_FULL, .flags = TRACE_FLAG_VALUES,
                                   .command_line = "trace_bench"};
    info.codec = parse_codec(argc > 3 ? argv[3] : NULL);
    info.level = argc > 4 ? atoi(argv[4]) : 0;
    const char *out = argc > 5 ? argv[5] : "/tmp/trace_bench.ftrace";
    char err[512];
    struct trace_writer_stats st;
    double t0, t1, w0, p0, gen_s = 0;
    const char *src = argv[2];

    if (synth) {
        uint64_t n = strtoull(argv[2], NULL, 0);
        struct synth s;
        struct trace_insn in;
        /* The generator's own cost, subtracted below. */
        synth_init(&s, 0);
        uint64_t sink = 0;
        t0 = thread_cpu_s();
        for (uint64_t i = 0; i < n; i++) {
            synth_next(&s, &in);
            sink += in.pc + in.n_regs;
            __asm__ volatile("" : : "r"(in.regs), "r"(in.mem) : "memory");
        }
        gen_s = thread_cpu_s() - t0;
        if (sink == 42)
            puts("");
        /* Pre-generated records replayed with fresh sequence numbers measure the writer
         * alone; their repetition would flatter the codec, so bytes/insn comes from the
         * generated stream (below, FERRY_TRACE_BENCH_REPLAY unset). */
        if (getenv("FERRY_TRACE_BENCH_REPLAY")) {
            const size_t m = 1u << 18;
            struct flat f = {0};
            f.insn = xrealloc(NULL, m * sizeof *f.insn);
            f.regs = xrealloc(NULL, 2 * m * sizeof *f.regs);
            f.mem = xrealloc(NULL, 2 * m * sizeof *f.mem);
            synth_init(&s, 0);
            for (size_t i = 0; i < m; i++) {
                synth_next(&s, &in);
                f.insn[i] = in;
                memcpy(f.regs + 2 * i, in.regs, in.n_regs * sizeof *f.regs);
                memcpy(f.mem + 2 * i, in.mem, in.n_mem * sizeof *f.mem);
                f.insn[i].regs = f.regs + 2 * i;
                f.insn[i].mem = f.mem + 2 * i;
            }
            struct trace_writer *w = trace_writer_open(out, &info, err, sizeof err);
            if (!w) {
                fprintf(stderr, "trace_bench: %s\n", err);
                return 2;
            }
            w0 = now_s();
            p0 = process_cpu_s();
            t0 = thread_cpu_s();
            for (uint64_t i = 0; i < n; i++) {
                in = f.insn[i & (m - 1)];
                in.seq = i;
                if (trace_writer_insn(w, &in) != 0)
                    break;
            }
            t1 = thread_cpu_s();
            gen_s = 0;
            if (trace_writer_close_stats(w, &st, err, sizeof err) != 0) {
                fprintf(stderr, "trace_bench: %s\n", err);
                return 2;
            }
            src = "synthetic (replayed)";
            goto report;
        }
        synth_init(&s, 0);
        struct trace_writer *w = trace_writer_open(out, &info, err, sizeof err);
        if (!w) {
            fprintf(stderr, "trace_bench: %s\n", err);
            return 2;
        }
        w0 = now_s();
        p0 = process_cpu_s();
        t0 = thread_cpu_s();
        for (uint64_t i = 0; i < n; i++) {
            synth_next(&s, &in);
            if (trace_writer_insn(w, &in) != 0)
                break;
        }
        t1 = thread_cpu_s();
        if (trace_writer_close_stats(w, &st, err, sizeof err) != 0) {
            fprintf(stderr, "trace_bench: %s\n", err);
            return 2;
        }
        src = "synthetic";
    } else {
        struct flat f;
        load_flat(argv[2], &f, &info, argc > 6 ? strtoull(argv[6], NULL, 0) : SIZE_MAX);
        struct trace_writer *w = trace_writer_open(out, &info, err, sizeof err);
        if (!w) {
            fprintf(stderr, "trace_bench: %s\n", err);
            return 2;
        }
        /* FERRY_TRACE_BENCH_WINDOW=W: the same number of records, cycling over the first
         * W (renumbered), so the source stays in cache and the time is the writer's;
         * bytes/insn then describes the repeated window, not the trace. */
        const char *wenv = getenv("FERRY_TRACE_BENCH_WINDOW");
        size_t win = wenv ? (size_t)strtoull(wenv, NULL, 0) : 0;
        if (!win || win > f.n)
            win = f.n;
        static char label[64];
        if (win < f.n) {
            snprintf(label, sizeof label, "%.40s (window)", src);
            src = label;
        }
        w0 = now_s();
        p0 = process_cpu_s();
        t0 = thread_cpu_s();
        for (size_t i = 0; i < f.n; i++) {
            struct trace_insn in = f.insn[i % win];
            in.seq = i;
            if (trace_writer_insn(w, &in) != 0)
                break;
        }
        t1 = thread_cpu_s();
        if (trace_writer_close_stats(w, &st, err, sizeof err) != 0) {
            fprintf(stderr, "trace_bench: %s\n", err);
            return 2;
        }
    }
report:;
    /* The recording thread's CPU time per record (encoding), the helper's (the rest of
     * the process: compression and writing), and the wall time (on a loaded machine
     * it includes others' work). The writer keeps up with a guest producing records at
     * min(recorder, helper) records per second. */
    double rec_cpu = t1 - t0 - gen_s;
    double helper_cpu = process_cpu_s() - p0 - (t1 - t0);
    double wall = now_s() - w0;
    const char *codec = info.codec == TRACE_CODEC_ZSTD ? "zstd" : info.codec == TRACE_CODEC_ZLIB ? "zlib"
                      : info.codec == TRACE_CODEC_LZ4  ? "lz4" : "none";
    double recs = (double)st.records;
    printf("%-20s %-4s L%-2d %10llu insns  recorder %5.1f ns/rec (%5.1f Mrec/s)  helper %5.1f ns/rec "
           "(%5.1f Mrec/s)  %6.3f bytes/insn (raw %5.2f)  wall %.1fs\n",
           src, codec, info.level ? info.level : 1, (unsigned long long)st.records,
           rec_cpu / recs * 1e9, recs / rec_cpu / 1e6, helper_cpu / recs * 1e9,
           helper_cpu > 0 ? recs / helper_cpu / 1e6 : 0.0,
           (double)st.file_bytes / (double)st.instructions,
           (double)st.raw_bytes / (double)st.instructions, wall);
    return 0;
}
