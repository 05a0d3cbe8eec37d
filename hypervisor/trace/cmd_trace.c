/* `ferry trace show|stats|diff`: the trace viewer. show prints one line per record
 * (filters combinable, quiet on a closed pipe), stats summarises, diff finds the first
 * instruction where two traces disagree in what both recorded. Exit status: 0 ok (diff:
 * identical), 1 diff: the traces differ, 2 usage or file error. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hypervisor/commands.h"
#include "hypervisor/trace/trace_args.h"
#include "hypervisor/trace/a64_replay.h"
#include "hypervisor/trace/trace_reader.h"

/* From the generated AArch64 front end (libferry_a64.a). Declared here rather than by
 * including arch/aarch64/a64.h, which pulls in the JIT's IR headers the viewer does not
 * need. */
int a64_disasm(uint32_t insn, uint64_t pc, char *buf, size_t size);
const char *a64_encoding_group(uint32_t insn);
const char *a64_sysreg_table_name(uint32_t id);   /* objdump's name, or s3_0_c15_c2_0 */

#define EXIT_DIFFER 1
#define EXIT_ERR 2

static const char trace_usage[] =
    "usage: ferry trace show FILE [--from N] [--count M] [--pc A[..B]] [--el N] [--reg R]\n"
    "                             [--mem A[..B]] [--recover]\n"
    "       ferry trace stats FILE [--top N] [--recover]\n"
    "       ferry trace diff A B [--context N] [--from N] [--from-a N] [--from-b N]\n"
    "                            [--start-pc A] [--count M] [--no-mem] [--no-values] [--recover]\n"
    "Ranges A..B are half-open (A <= x < B); a single A is that address.\n"
    "Exit status: 0 ok (diff: identical), 1 diff: the traces differ, 2 error.\n";

/* ---- Names and formatting ---- */

static void reg_name(uint16_t id, char *buf, size_t size)
{
    if (id <= 30)
        snprintf(buf, size, "x%u", id);
    else if (id == TRACE_REG_SP)
        snprintf(buf, size, "sp");
    else if (id == TRACE_REG_NZCV)
        snprintf(buf, size, "nzcv");
    else if (trace_reg_is_vector(id))
        snprintf(buf, size, "v%u", id - TRACE_REG_V0);
    else if (id == TRACE_REG_FPCR)
        snprintf(buf, size, "fpcr");
    else if (id == TRACE_REG_FPSR)
        snprintf(buf, size, "fpsr");
    else if (id == TRACE_REG_SP_EL0)
        snprintf(buf, size, "sp_el0");
    else if (id == TRACE_REG_SP_EL1)
        snprintf(buf, size, "sp_el1");
    else if (id >= TRACE_REG_SYSREG_BASE)
        snprintf(buf, size, "%s", a64_sysreg_table_name(id - TRACE_REG_SYSREG_BASE));
    else
        snprintf(buf, size, "r%u", id);
}

/* Parses a register name (x0, w0, sp, nzcv, v0, q0, fpcr, ...) or a number. */
static int parse_reg(const char *s, uint16_t *out)
{
    char *end;
    unsigned long n;
    if ((s[0] == 'x' || s[0] == 'w' || s[0] == 'X' || s[0] == 'W') && s[1] >= '0' && s[1] <= '9') {
        n = strtoul(s + 1, &end, 10);
        if (!*end && n <= 30) {
            *out = (uint16_t)n;
            return 0;
        }
        return -1;
    }
    if ((s[0] == 'v' || s[0] == 'q' || s[0] == 'd' || s[0] == 's') && s[1] >= '0' && s[1] <= '9') {
        n = strtoul(s + 1, &end, 10);
        if (!*end && n <= 31) {
            *out = (uint16_t)(TRACE_REG_V0 + n);
            return 0;
        }
        return -1;
    }
    for (uint16_t id = TRACE_REG_SP; id < TRACE_REG_NUM_CORE; id++) {
        char name[32];
        if (id == TRACE_REG_PC || trace_reg_is_vector(id))
            continue;
        reg_name(id, name, sizeof name);
        if (!strcasecmp(s, name)) {
            *out = id;
            return 0;
        }
    }
    n = strtoul(s, &end, 0);
    if (*s && !*end && n <= TRACE_REG_ID_MAX && n != TRACE_REG_PC &&
        !(n >= TRACE_REG_NUM_CORE && n < TRACE_REG_SYSREG_BASE)) {
        *out = (uint16_t)n;
        return 0;
    }
    return -1;
}

/* Appends printf output to a growing line buffer (bounded: long lines are cut). */
struct line {
    char buf[16384];
    size_t len;
};

__attribute__((format(printf, 2, 3))) static void add(struct line *l, const char *fmt, ...)
{
    if (l->len >= sizeof l->buf - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, sizeof l->buf - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n < sizeof l->buf - l->len ? (size_t)n : sizeof l->buf - 1 - l->len;
}

static const char *ec_name(uint32_t ec)
{
    switch (ec) {
    case 0x00: return "unknown";
    case 0x01: return "wfi/wfe";
    case 0x07: return "fp/simd access";
    case 0x0e: return "illegal state";
    case 0x15: return "svc";
    case 0x16: return "hvc";
    case 0x17: return "smc";
    case 0x18: return "msr/mrs trap";
    case 0x20: return "instruction abort (lower EL)";
    case 0x21: return "instruction abort";
    case 0x22: return "pc alignment";
    case 0x24: return "data abort (lower EL)";
    case 0x25: return "data abort";
    case 0x26: return "sp alignment";
    case 0x2c: return "fp exception";
    case 0x2f: return "serror";
    case 0x30: case 0x31: return "breakpoint";
    case 0x32: case 0x33: return "software step";
    case 0x34: case 0x35: return "watchpoint";
    case 0x3c: return "brk";
    }
    return "other";
}

static void format_record(struct line *l, const struct trace_record *rec, bool block_mode)
{
    const struct trace_insn *in = &rec->insn;
    l->len = 0;
    add(l, "%10" PRIu64 "  %016" PRIx64, in->seq, in->pc);
    if (in->has_pa)
        add(l, " pa=%" PRIx64, in->pa);
    if (in->el == TRACE_EL_UNKNOWN)
        add(l, "  EL?");
    else
        add(l, "  EL%u", in->el);
    if (block_mode) {
        add(l, "  block of %" PRIu32 " instruction%s", rec->n_insns, rec->n_insns == 1 ? "" : "s");
        return;
    }
    char dis[128];
    a64_disasm(in->encoding, in->pc, dis, sizeof dis);
    for (char *c = dis; *c; c++)
        if (*c == '\t')
            *c = ' ';
    add(l, "  %08" PRIx32 "  %-32s", in->encoding, dis);
    for (unsigned k = 0; k < in->n_regs; k++) {
        char name[48];
        const struct trace_reg_write *g = &in->regs[k];
        reg_name(g->id, name, sizeof name);
        if (!in->has_values)
            add(l, " %s", name);
        else if (trace_reg_is_vector(g->id))
            add(l, " %s=0x%016" PRIx64 "%016" PRIx64, name, g->hi, g->lo);
        else
            add(l, " %s=0x%" PRIx64, name, g->lo);
    }
    for (unsigned j = 0; j < in->n_mem; j++) {
        const struct trace_mem_access *m = &in->mem[j];
        add(l, " %s%u [0x%" PRIx64 "]", m->store ? "st" : "ld", m->size, m->va);
        if (m->has_value) {
            if (m->size > 8)
                add(l, " = 0x%" PRIx64 "%016" PRIx64, m->hi, m->lo);
            else
                add(l, " = 0x%" PRIx64, m->lo);
        }
    }
    if (in->has_exception)
        add(l, " | %s ec=0x%" PRIx32 " (%s) esr=0x%" PRIx64 " far=0x%" PRIx64 " -> EL%u 0x%" PRIx64,
            in->exc.is_interrupt ? "interrupt" : "exception", in->exc.ec, ec_name(in->exc.ec),
            in->exc.esr, in->exc.far, in->exc.target_el, in->exc.target_pc);
    while (l->len > 0 && l->buf[l->len - 1] == ' ')
        l->buf[--l->len] = 0;
}

/* ---- Argument helpers ---- */

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "ferry trace: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", trace_usage);
    return EXIT_ERR;
}

static struct trace_reader *open_trace(const char *path, bool recover)
{
    char err[640];
    struct trace_reader *r = trace_reader_open(path, recover ? TRACE_OPEN_RECOVER : 0, err, sizeof err);
    if (!r) {
        fprintf(stderr, "ferry trace: %s\n", err);
        return NULL;
    }
    const struct trace_reader_info *info = trace_reader_info(r);
    if (info->recovered)
        fprintf(stderr, "ferry trace: %s: no valid end record or index (truncated?); reading its %"
                        PRIu64 " complete chunks\n", path, info->n_chunks);
    return r;
}

/* stdout failures: EPIPE (the reader of a pipe went away) ends quietly. */
static int out_failed(void)
{
    if (errno == EPIPE)
        return 0;
    fprintf(stderr, "ferry trace: writing the output failed: %s\n", strerror(errno));
    return EXIT_ERR;
}

/* ---- show ---- */

static int cmd_show(int argc, char **argv)
{
    const char *path = NULL;
    uint64_t from = 0, count = UINT64_MAX, pc_lo = 0, pc_hi = 0, mem_lo = 0, mem_hi = 0;
    bool pc_f = false, mem_f = false, el_f = false, reg_f = false, recover = false;
    uint64_t el = 0;
    uint16_t reg = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--recover")) {
            recover = true;
            continue;
        }
        if (a[0] == '-' && a[1] == '-' && !v)
            return usage_error("%s needs a value", a);
        if (!strcmp(a, "--from")) {
            if (trace_parse_u64(v, &from) != 0)
                return usage_error("--from: not a number: %s", v);
        } else if (!strcmp(a, "--count")) {
            if (trace_parse_u64(v, &count) != 0)
                return usage_error("--count: not a number: %s", v);
        } else if (!strcmp(a, "--pc")) {
            if (trace_parse_range(v, &pc_lo, &pc_hi) != 0)
                return usage_error("--pc: not an address or range A..B: %s", v);
            pc_f = true;
        } else if (!strcmp(a, "--mem")) {
            if (trace_parse_range(v, &mem_lo, &mem_hi) != 0)
                return usage_error("--mem: not an address or range A..B: %s", v);
            mem_f = true;
        } else if (!strcmp(a, "--el")) {
            if (trace_parse_u64(v, &el) != 0 || el > 3)
                return usage_error("--el: not an EL (0..3): %s", v);
            el_f = true;
        } else if (!strcmp(a, "--reg")) {
            if (parse_reg(v, &reg) != 0)
                return usage_error("--reg: not a register: %s", v);
            reg_f = true;
        } else if (a[0] == '-') {
            return usage_error("show: unknown option %s", a);
        } else if (!path) {
            path = a;
            continue;
        } else {
            return usage_error("show: one trace file only (%s)", a);
        }
        i++;
    }
    if (!path)
        return usage_error("show: which trace file?%s", "");
    struct trace_reader *r = open_trace(path, recover);
    if (!r)
        return EXIT_ERR;
    bool block_mode = trace_reader_info(r)->mode == TRACE_MODE_BLOCK;
    int status = 0;
    if (from && trace_reader_seek(r, from) != 0) {
        fprintf(stderr, "ferry trace: %s\n", trace_reader_error(r));
        trace_reader_close(r);
        return EXIT_ERR;
    }
    static struct line l;
    struct trace_record rec;
    uint64_t shown = 0;
    int rc;
    while (shown < count && (rc = trace_reader_next(r, &rec)) == 1) {
        const struct trace_insn *in = &rec.insn;
        if (pc_f && (in->pc < pc_lo || in->pc >= pc_hi))
            continue;
        if (el_f && in->el != el)
            continue;
        if (reg_f) {
            bool hit = false;
            for (unsigned k = 0; k < in->n_regs && !hit; k++)
                hit = in->regs[k].id == reg;
            if (!hit)
                continue;
        }
        if (mem_f) {
            bool hit = false;
            for (unsigned j = 0; j < in->n_mem && !hit; j++)
                hit = in->mem[j].va < mem_hi && in->mem[j].va + in->mem[j].size > mem_lo;
            if (!hit)
                continue;
        }
        format_record(&l, &rec, block_mode);
        l.buf[l.len++] = '\n';
        if (fwrite(l.buf, 1, l.len, stdout) != l.len) {
            status = out_failed();
            trace_reader_close(r);
            return status;
        }
        shown++;
    }
    if (shown < count && rc < 0) {
        fflush(stdout);
        fprintf(stderr, "ferry trace: %s\n", trace_reader_error(r));
        status = EXIT_ERR;
    }
    trace_reader_close(r);
    if (fflush(stdout) != 0 && status == 0)
        status = out_failed();
    return status;
}

/* ---- stats ---- */

struct pc_count {
    uint64_t pc;
    uint32_t enc;
    uint64_t count, insns;   /* insns: block entries' instruction totals */
    bool used;
};

struct pc_table {
    struct pc_count *t;
    size_t cap, n;
};

static struct pc_count *pc_table_get(struct pc_table *h, uint64_t pc, uint32_t enc)
{
    if (2 * (h->n + 1) > h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 4096;
        struct pc_count *t = calloc(cap, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < h->cap; i++) {
            if (!h->t[i].used)
                continue;
            size_t j = (size_t)((h->t[i].pc * 0x9e3779b97f4a7c15ull ^ h->t[i].enc) & (cap - 1));
            while (t[j].used)
                j = (j + 1) & (cap - 1);
            t[j] = h->t[i];
        }
        free(h->t);
        h->t = t;
        h->cap = cap;
    }
    size_t j = (size_t)((pc * 0x9e3779b97f4a7c15ull ^ enc) & (h->cap - 1));
    while (h->t[j].used && (h->t[j].pc != pc || h->t[j].enc != enc))
        j = (j + 1) & (h->cap - 1);
    if (!h->t[j].used) {
        h->t[j].used = true;
        h->t[j].pc = pc;
        h->t[j].enc = enc;
        h->n++;
    }
    return &h->t[j];
}

static int by_count_desc(const void *a, const void *b)
{
    const struct pc_count *x = a, *y = b;
    uint64_t cx = x->insns ? x->insns : x->count, cy = y->insns ? y->insns : y->count;
    if (cx != cy)
        return cx < cy ? 1 : -1;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

struct name_count {
    const char *name;
    uint64_t count;
};

static int name_count_desc(const void *a, const void *b)
{
    const struct name_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

/* Compacts a table to its used entries, sorted by count. */
static size_t sorted(struct pc_table *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->cap; i++)
        if (h->t[i].used)
            h->t[n++] = h->t[i];
    qsort(h->t, n, sizeof *h->t, by_count_desc);
    return n;
}

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

static int cmd_stats(int argc, char **argv)
{
    const char *path = NULL;
    bool recover = false;
    uint64_t top = 10;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--recover"))
            recover = true;
        else if (!strcmp(argv[i], "--top")) {
            if (i + 1 >= argc || trace_parse_u64(argv[i + 1], &top) != 0)
                return usage_error("--top needs a number%s", "");
            i++;
        } else if (argv[i][0] == '-')
            return usage_error("stats: unknown option %s", argv[i]);
        else if (!path)
            path = argv[i];
        else
            return usage_error("stats: one trace file only (%s)", argv[i]);
    }
    if (!path)
        return usage_error("stats: which trace file?%s", "");
    struct trace_reader *r = open_trace(path, recover);
    if (!r)
        return EXIT_ERR;
    const struct trace_reader_info *info = trace_reader_info(r);
    bool block_mode = info->mode == TRACE_MODE_BLOCK;
    struct pc_table pcs = {0}, blocks = {0};
    uint64_t insns = 0, records = 0, per_el[5] = {0}, loads = 0, stores = 0, load_bytes = 0,
             store_bytes = 0, reg_writes = 0, gaps = 0, exc_total = 0, irq_total = 0;
    uint64_t exc_by_ec[64] = {0};
    uint64_t next_seq = info->first_seq, prev_pc = 0, block_start = 0, block_len = 0;
    bool have_prev = false;
    struct trace_record rec;
    int rc, status = 0;
    while ((rc = trace_reader_next(r, &rec)) == 1) {
        const struct trace_insn *in = &rec.insn;
        records++;
        insns += rec.n_insns;
        per_el[in->el <= 3 ? in->el : 4] += rec.n_insns;
        if (in->seq != next_seq)
            gaps++;
        next_seq = in->seq + rec.n_insns;
        if (block_mode) {
            struct pc_count *b = pc_table_get(&blocks, in->pc, 0);
            if (!b)
                goto oom;
            b->count++;
            b->insns += rec.n_insns;
            continue;
        }
        struct pc_count *p = pc_table_get(&pcs, in->pc, in->encoding);
        if (!p)
            goto oom;
        p->count++;
        reg_writes += in->n_regs;
        for (unsigned j = 0; j < in->n_mem; j++) {
            if (in->mem[j].store) {
                stores++;
                store_bytes += in->mem[j].size;
            } else {
                loads++;
                load_bytes += in->mem[j].size;
            }
        }
        if (in->has_exception) {
            if (in->exc.is_interrupt)
                irq_total++;
            else {
                exc_total++;
                exc_by_ec[in->exc.ec & 63]++;
            }
        }
        /* Dynamic blocks: a new one starts wherever control did not fall through. */
        if (!have_prev || in->pc != prev_pc + 4) {
            if (have_prev) {
                struct pc_count *b = pc_table_get(&blocks, block_start, 0);
                if (!b)
                    goto oom;
                b->count++;
                b->insns += block_len;
            }
            block_start = in->pc;
            block_len = 0;
        }
        block_len++;
        prev_pc = in->pc;
        have_prev = true;
    }
    if (rc < 0) {
        fprintf(stderr, "ferry trace: %s\n", trace_reader_error(r));
        status = EXIT_ERR;
        goto out;
    }
    if (have_prev) {
        struct pc_count *b = pc_table_get(&blocks, block_start, 0);
        if (!b)
            goto oom;
        b->count++;
        b->insns += block_len;
    }

    static const char *const codecs[] = {
        [TRACE_CODEC_NONE] = "none", [TRACE_CODEC_ZLIB] = "zlib", [TRACE_CODEC_ZSTD] = "zstd", [TRACE_CODEC_LZ4] = "lz4",
    };
    const char *codec = info->codec < sizeof codecs / sizeof codecs[0] ? codecs[info->codec] : "?";
    printf("trace:        %s (format %u, %s mode%s%s%s)\n", path, info->version,
           block_mode ? "block" : info->mode == TRACE_MODE_REPLAY ? "replay" : "full", info->flags & TRACE_FLAG_QEMU ? ", QEMU plugin" : "",
           info->flags & TRACE_FLAG_VALUES ? "" : ", no values",
           info->flags & TRACE_FLAG_NO_MEM ? ", no memory accesses" : "");
    printf("recorded by:  ferry %s: %s\n", info->ferry_version,
           info->command_line[0] ? info->command_line : "(no command line)");
    printf("filters:      %s\n", info->filters[0] ? info->filters : "none");
    printf("file:         %" PRIu64 " bytes, %" PRIu64 " chunks (%s), %.2f bytes/instruction\n",
           info->file_size, info->n_chunks, codec,
           insns ? (double)info->file_size / (double)insns : 0.0);
    printf("instructions: %" PRIu64 " in %" PRIu64 " records, sequence %" PRIu64 "..%" PRIu64
           "%s\n", insns, records, info->first_seq, info->end_seq,
           gaps ? " (with gaps: filtered while recording)" : "");
    printf("per EL:      ");
    for (int e = 0; e < 5; e++)
        if (per_el[e]) {
            if (e < 4)
                printf(" EL%d %" PRIu64 " (%.1f%%)", e, per_el[e], pct(per_el[e], insns));
            else
                printf(" EL? %" PRIu64 " (%.1f%%)", per_el[e], pct(per_el[e], insns));
        }
    printf("\n");
    if (!block_mode) {
        printf("memory:       %" PRIu64 " loads (%" PRIu64 " bytes), %" PRIu64 " stores (%" PRIu64
               " bytes); %" PRIu64 " register writes\n",
               loads, load_bytes, stores, store_bytes, reg_writes);
        size_t n = sorted(&pcs);
        printf("\nhottest PCs:\n");
        for (size_t i = 0; i < n && i < top; i++) {
            char dis[128];
            a64_disasm(pcs.t[i].enc, pcs.t[i].pc, dis, sizeof dis);
            for (char *c = dis; *c; c++)
                if (*c == '\t')
                    *c = ' ';
            printf("  %016" PRIx64 "  %12" PRIu64 "  %5.1f%%  %s\n", pcs.t[i].pc, pcs.t[i].count,
                   pct(pcs.t[i].count, insns), dis);
        }
        /* Instruction mix: one group look-up per distinct (PC, encoding). */
        struct name_count *groups = calloc(n + 1, sizeof *groups);
        size_t ng = 0;
        if (!groups)
            goto oom;
        for (size_t i = 0; i < n; i++) {
            const char *g = a64_encoding_group(pcs.t[i].enc);
            if (!g)
                g = "?";
            size_t k = 0;
            while (k < ng && strcmp(groups[k].name, g) != 0)
                k++;
            if (k == ng)
                groups[ng++].name = g;
            groups[k].count += pcs.t[i].count;
        }
        qsort(groups, ng, sizeof *groups, name_count_desc);
        printf("\ninstruction mix (encoding groups):\n");
        for (size_t k = 0; k < ng; k++)
            printf("  %12" PRIu64 "  %5.1f%%  %s\n", groups[k].count, pct(groups[k].count, insns),
                   groups[k].name);
        free(groups);
        printf("\nexceptions: %" PRIu64 " taken, %" PRIu64 " interrupts\n", exc_total, irq_total);
        for (int ec = 0; ec < 64; ec++)
            if (exc_by_ec[ec])
                printf("  ec=0x%02x %-28s %12" PRIu64 "\n", ec, ec_name((uint32_t)ec), exc_by_ec[ec]);
    }
    size_t nb = sorted(&blocks);
    printf("\nhottest blocks (entries, instructions):\n");
    for (size_t i = 0; i < nb && i < top; i++)
        printf("  %016" PRIx64 "  %12" PRIu64 "  %12" PRIu64 "  %5.1f%%\n", blocks.t[i].pc,
               blocks.t[i].count, blocks.t[i].insns, pct(blocks.t[i].insns, insns));
    goto out;
oom:
    fprintf(stderr, "ferry trace: out of memory\n");
    status = EXIT_ERR;
out:
    free(pcs.t);
    free(blocks.t);
    trace_reader_close(r);
    if (fflush(stdout) != 0 && status == 0)
        status = out_failed();
    return status;
}

/* ---- diff ---- */

#define CTX_MAX 16

/* A record kept for context: its arrays copied (the reader's are valid only until its
 * next call). Formatting waits until a difference is printed: most records never are. */
struct kept_record {
    struct trace_record rec;
    struct trace_reg_write regs[TRACE_MAX_REGS];
    struct trace_mem_access mem[TRACE_MAX_MEM];
};

struct side {
    const char *path;
    struct trace_reader *r;
    bool block_mode;
    struct kept_record ring[CTX_MAX];
    unsigned ring_n, ring_head;
};

static void remember(struct side *s, const struct trace_record *rec, unsigned ctx)
{
    if (!ctx)
        return;
    struct kept_record *k = &s->ring[(s->ring_head + s->ring_n) % ctx];
    k->rec = *rec;
    memcpy(k->regs, rec->insn.regs, rec->insn.n_regs * sizeof(k->regs[0]));
    memcpy(k->mem, rec->insn.mem, rec->insn.n_mem * sizeof(k->mem[0]));
    k->rec.insn.regs = k->regs;
    k->rec.insn.mem = k->mem;
    if (s->ring_n < ctx)
        s->ring_n++;
    else
        s->ring_head = (s->ring_head + 1) % ctx;
}

/* The last write of register id in a record (the value it leaves). */
static const struct trace_reg_write *find_reg(const struct trace_insn *in, uint16_t id)
{
    for (unsigned k = in->n_regs; k-- > 0;)
        if (in->regs[k].id == id)
            return &in->regs[k];
    return NULL;
}

/* An instruction's memory accesses with each run of contiguous ones in the same
 * direction joined into one (their values too, up to 16 bytes): Ferry performs an STP of
 * two W registers as one 8-byte store where QEMU makes two 4-byte ones, and the two
 * traces still agree. Returns the number of accesses in out (TRACE_MAX_MEM entries). */
static unsigned join_accesses(const struct trace_insn *in, struct trace_mem_access *out)
{
    unsigned n = 0;
    for (unsigned j = 0; j < in->n_mem; j++) {
        const struct trace_mem_access *m = &in->mem[j];
        struct trace_mem_access *last = n ? &out[n - 1] : NULL;
        if (last && last->store == m->store && last->va + last->size == m->va &&
            (unsigned)last->size + m->size <= 255) {
            unsigned total = (unsigned)last->size + m->size;
            if (last->has_value && m->has_value && total <= 16) {
                unsigned __int128 v = (unsigned __int128)last->hi << 64 | last->lo;
                unsigned __int128 w = (unsigned __int128)m->hi << 64 | m->lo;
                v |= w << (8 * last->size);
                last->lo = (uint64_t)v;
                last->hi = (uint64_t)(v >> 64);
            } else {
                last->has_value = false;
            }
            last->size = (uint8_t)total;
            continue;
        }
        out[n++] = *m;
    }
    return n;
}

/* What differs between two records ("" if nothing both recorded). */
static void compare(const struct trace_record *a, const struct trace_record *b, bool block_mode,
                    bool mem, bool values, char *what, size_t size)
{
    const struct trace_insn *x = &a->insn, *y = &b->insn;
    what[0] = 0;
    if (x->pc != y->pc) {
        snprintf(what, size, "PC: A 0x%" PRIx64 ", B 0x%" PRIx64, x->pc, y->pc);
        return;
    }
    if (x->has_pa && y->has_pa && x->pa != y->pa) {
        snprintf(what, size, "PA: A 0x%" PRIx64 ", B 0x%" PRIx64, x->pa, y->pa);
        return;
    }
    if (x->el != y->el && x->el != TRACE_EL_UNKNOWN && y->el != TRACE_EL_UNKNOWN) {
        snprintf(what, size, "EL: A %u, B %u", x->el, y->el);
        return;
    }
    if (block_mode) {
        if (a->n_insns != b->n_insns)
            snprintf(what, size, "block length: A %u, B %u", a->n_insns, b->n_insns);
        return;
    }
    if (x->encoding != y->encoding) {
        snprintf(what, size, "encoding: A %08x, B %08x", x->encoding, y->encoding);
        return;
    }
    struct trace_mem_access xm[TRACE_MAX_MEM], ym[TRACE_MAX_MEM];
    unsigned xn = mem ? join_accesses(x, xm) : 0, yn = mem ? join_accesses(y, ym) : 0;
    if (mem && xn != yn) {
        snprintf(what, size, "memory accesses: A %u, B %u", xn, yn);
        return;
    }
    for (unsigned j = 0; mem && j < xn; j++) {
        const struct trace_mem_access *m = &xm[j], *n = &ym[j];
        if (m->va != n->va || m->size != n->size || m->store != n->store) {
            snprintf(what, size, "memory access %u: A %s%u [0x%" PRIx64 "], B %s%u [0x%" PRIx64 "]",
                     j, m->store ? "st" : "ld", m->size, m->va, n->store ? "st" : "ld", n->size, n->va);
            return;
        }
        if (m->has_value && n->has_value && (m->lo != n->lo || m->hi != n->hi)) {
            snprintf(what, size, "memory value %u at 0x%" PRIx64 ": A 0x%" PRIx64 ", B 0x%" PRIx64, j,
                     m->va, m->lo, n->lo);
            return;
        }
    }
    if (values && x->has_values && y->has_values) {
        bool same_ids = x->n_regs == y->n_regs;
        for (unsigned k = 0; same_ids && k < x->n_regs; k++)
            same_ids = x->regs[k].id == y->regs[k].id;
        /* Same registers in the same order: pairwise. Otherwise as sets of final values
         * (the order of a record's writes carries no meaning). */
        for (int pass = 0; pass < 2; pass++) {
            const struct trace_insn *p = pass ? y : x, *q = pass ? x : y;
            for (unsigned k = 0; k < p->n_regs; k++) {
                const struct trace_reg_write *g = &p->regs[k];
                const struct trace_reg_write *h = same_ids ? &q->regs[k] : find_reg(q, g->id);
                char name[48];
                reg_name(g->id, name, sizeof name);
                if (!h) {
                    snprintf(what, size, "%s written only in %s (0x%" PRIx64 ")", name,
                             pass ? "B" : "A", g->lo);
                    return;
                }
                if (!same_ids && find_reg(p, g->id) != g)
                    continue;               /* an earlier write of a register written again */
                if (!pass && (g->lo != h->lo || g->hi != h->hi)) {
                    if (trace_reg_is_vector(g->id))
                        snprintf(what, size, "%s: A 0x%016" PRIx64 "%016" PRIx64 ", B 0x%016" PRIx64
                                 "%016" PRIx64, name, g->hi, g->lo, h->hi, h->lo);
                    else
                        snprintf(what, size, "%s: A 0x%" PRIx64 ", B 0x%" PRIx64, name, g->lo, h->lo);
                    return;
                }
            }
        }
        if (x->has_exception != y->has_exception) {
            snprintf(what, size, "exception taken only in %s", x->has_exception ? "A" : "B");
            return;
        }
        if (x->has_exception &&
            (x->exc.ec != y->exc.ec || x->exc.esr != y->exc.esr || x->exc.far != y->exc.far ||
             x->exc.target_pc != y->exc.target_pc || x->exc.target_el != y->exc.target_el ||
             x->exc.is_interrupt != y->exc.is_interrupt)) {
            snprintf(what, size, "exception: A ec=0x%x esr=0x%" PRIx64 " far=0x%" PRIx64
                     ", B ec=0x%x esr=0x%" PRIx64 " far=0x%" PRIx64,
                     x->exc.ec, x->exc.esr, x->exc.far, y->exc.ec, y->exc.esr, y->exc.far);
            return;
        }
    }
}

static int print_context(struct side *s, const char *label, unsigned ctx, const struct trace_record *cur,
                         int cur_rc, struct line *scratch)
{
    printf("%s (%s):\n", label, s->path);
    for (unsigned i = 0; i < s->ring_n; i++) {
        format_record(scratch, &s->ring[(s->ring_head + i) % (ctx ? ctx : 1)].rec, s->block_mode);
        printf("  %s\n", scratch->buf);
    }
    if (cur_rc == 1) {
        format_record(scratch, cur, s->block_mode);
        printf("> %s\n", scratch->buf);
        struct trace_record rec;
        for (unsigned i = 0; i < ctx; i++) {
            int rc = trace_reader_next(s->r, &rec);
            if (rc != 1) {
                if (rc < 0)
                    printf("  (%s)\n", trace_reader_error(s->r));
                else
                    printf("  (end of trace)\n");
                break;
            }
            format_record(scratch, &rec, s->block_mode);
            printf("  %s\n", scratch->buf);
        }
    } else {
        printf("> (end of trace)\n");
    }
    return 0;
}

static int cmd_diff(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    bool recover = false;
    uint64_t ctx = 3, from[2] = {0, 0}, start_pc = 0, count = UINT64_MAX;
    bool have_start_pc = false, no_mem = false, no_values = false;
    int np = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--recover"))
            recover = true;
        else if (!strcmp(argv[i], "--from-a") || !strcmp(argv[i], "--from-b") ||
                 !strcmp(argv[i], "--from")) {
            uint64_t v;
            if (i + 1 >= argc || trace_parse_u64(argv[i + 1], &v) != 0)
                return usage_error("%s needs an instruction number", argv[i]);
            if (strcmp(argv[i], "--from-b") != 0)
                from[0] = v;
            if (strcmp(argv[i], "--from-a") != 0)
                from[1] = v;
            i++;
        } else if (!strcmp(argv[i], "--start-pc")) {
            if (i + 1 >= argc || trace_parse_u64(argv[i + 1], &start_pc) != 0)
                return usage_error("--start-pc needs an address%s", "");
            have_start_pc = true;
            i++;
        } else if (!strcmp(argv[i], "--count")) {
            if (i + 1 >= argc || trace_parse_u64(argv[i + 1], &count) != 0 || count == 0)
                return usage_error("--count needs a positive number%s", "");
            i++;
        } else if (!strcmp(argv[i], "--no-mem")) {
            no_mem = true;
        } else if (!strcmp(argv[i], "--no-values")) {
            no_values = true;
        } else if (!strcmp(argv[i], "--context")) {
            if (i + 1 >= argc || trace_parse_u64(argv[i + 1], &ctx) != 0 || ctx > CTX_MAX)
                return usage_error("--context needs a number up to 16%s", "");
            i++;
        } else if (argv[i][0] == '-')
            return usage_error("diff: unknown option %s", argv[i]);
        else if (np < 2)
            paths[np++] = argv[i];
        else
            return usage_error("diff: two trace files (%s)", argv[i]);
    }
    if (np != 2)
        return usage_error("diff: which two trace files?%s", "");
    static struct side sa, sb;
    static struct line scratch;
    struct side *s[2] = {&sa, &sb};
    for (int i = 0; i < 2; i++) {
        s[i]->path = paths[i];
        s[i]->r = open_trace(paths[i], recover);
        if (!s[i]->r) {
            if (i)
                trace_reader_close(s[0]->r);
            return EXIT_ERR;
        }
        s[i]->block_mode = trace_reader_info(s[i]->r)->mode == TRACE_MODE_BLOCK;
    }
    int status = 0;
    if (sa.block_mode != sb.block_mode) {
        fprintf(stderr, "ferry trace: %s is a %s-mode trace, %s a %s-mode one: not comparable\n",
                paths[0], sa.block_mode ? "block" : "full", paths[1], sb.block_mode ? "block" : "full");
        status = EXIT_ERR;
        goto out;
    }
    const struct trace_reader_info *ia = trace_reader_info(sa.r), *ib = trace_reader_info(sb.r);
    /* Alignment: each trace from its own instruction number, then (--start-pc) from its
     * first instruction at that PC. The record found stays valid while the other reader
     * is read (each reader owns its record's arrays). */
    struct trace_record ra, rb;
    int ca = 0, cb = 0;
    bool pending = false;
    for (int i = 0; i < 2; i++)
        if (from[i] && trace_reader_seek(s[i]->r, from[i]) != 0) {
            fprintf(stderr, "ferry trace: %s\n", trace_reader_error(s[i]->r));
            status = EXIT_ERR;
            goto out;
        }
    if (have_start_pc) {
        for (int i = 0; i < 2; i++) {
            struct trace_record *rec = i ? &rb : &ra;
            int rc;
            while ((rc = trace_reader_next(s[i]->r, rec)) == 1 && rec->insn.pc != start_pc)
                ;
            if (rc != 1) {
                if (rc < 0)
                    fprintf(stderr, "ferry trace: %s\n", trace_reader_error(s[i]->r));
                else
                    fprintf(stderr, "ferry trace: %s never reaches PC 0x%" PRIx64 "\n", paths[i], start_pc);
                status = EXIT_ERR;
                goto out;
            }
            *(i ? &cb : &ca) = rc;
        }
        pending = true;
    }
    bool values = !no_values && (ia->flags & ib->flags & TRACE_FLAG_VALUES) != 0;
    bool mem = !no_mem && !((ia->flags | ib->flags) & TRACE_FLAG_NO_MEM);
    char compared[160];
    snprintf(compared, sizeof compared, "%s", sa.block_mode ? "PC, EL and length"
             : values && mem ? "PC, EL, encoding, registers, memory, exceptions"
             : values ? (no_mem ? "PC, EL, encoding, registers, exceptions; memory not compared"
                                : "PC, EL, encoding, registers, exceptions; no memory in both")
             : mem ? (no_values ? "PC, EL, encoding, memory addresses; registers not compared"
                                : "PC, EL, encoding, memory addresses; no register values in both")
             : no_mem || no_values ? "PC, EL, encoding; registers and memory not compared"
                   : "PC, EL, encoding; no register values or memory in both");
    uint64_t matched = 0, matched_insns = 0;
    /* The record of A is copied into the ring before A's next record is read: each
     * reader's record arrays stay valid only until its own next call. */
    for (;;) {
        if (!pending) {
            ca = trace_reader_next(sa.r, &ra);
            cb = trace_reader_next(sb.r, &rb);
        }
        pending = false;
        if (ca < 0 || cb < 0) {
            fprintf(stderr, "ferry trace: %s\n", trace_reader_error(ca < 0 ? sa.r : sb.r));
            status = EXIT_ERR;
            goto out;
        }
        char what[512];
        if ((ca == 0 && cb == 0) || matched == count) {
            printf("traces identical: %" PRIu64 " %s compared (%s)\n", matched,
                   sa.block_mode ? "blocks" : "instructions", compared);
            goto out;
        }
        if (ca == 0 || cb == 0)
            snprintf(what, sizeof what, "%s ends here; %s goes on", ca == 0 ? "A" : "B",
                     ca == 0 ? "B" : "A");
        else
            compare(&ra, &rb, sa.block_mode, mem, values, what, sizeof what);
        if (what[0]) {
            uint64_t seq = ca == 1 ? ra.insn.seq : rb.insn.seq;
            printf("traces differ at %s %" PRIu64 " (sequence number %" PRIu64 "): %s\n",
                   sa.block_mode ? "block" : "instruction", matched, seq, what);
            printf("%" PRIu64 " %s matched before it (compared: %s)\n", matched,
                   sa.block_mode ? "blocks" : "instructions", compared);
            if (sa.block_mode)
                printf("(%" PRIu64 " instructions)\n", matched_insns);
            print_context(&sa, "A", (unsigned)ctx, &ra, ca, &scratch);
            print_context(&sb, "B", (unsigned)ctx, &rb, cb, &scratch);
            status = EXIT_DIFFER;
            goto out;
        }
        remember(&sa, &ra, (unsigned)ctx);
        remember(&sb, &rb, (unsigned)ctx);
        matched++;
        matched_insns += ra.n_insns;
    }
out:
    trace_reader_close(sa.r);
    trace_reader_close(sb.r);
    if (fflush(stdout) != 0 && status != EXIT_ERR) {
        int rc = out_failed();
        if (rc)
            status = rc;
    }
    return status;
}

int ferry_trace_main(int argc, char **argv)
{
    /* A closed pipe is an ordinary way for `ferry trace show | head` to end. */
    signal(SIGPIPE, SIG_IGN);
    trace_reader_set_replay(a64_trace_replay_chunk);   /* replay traces: run them again */
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(trace_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_ERR : 0;
    }
    if (!strcmp(argv[1], "show"))
        return cmd_show(argc - 2, argv + 2);
    if (!strcmp(argv[1], "stats"))
        return cmd_stats(argc - 2, argv + 2);
    if (!strcmp(argv[1], "diff"))
        return cmd_diff(argc - 2, argv + 2);
    return usage_error("unknown trace command %s", argv[1]);
}
