/* ferry-fuzz, campaign 2: malformed ELF files. Each case is one mutation (a header or
 * program-header field set to an edge value, a truncation, or bytes flipped in the
 * headers) of a valid static AArch64 program (--seed-elf), run under qemu-aarch64 and
 * the Ferry modes; the exit status (or death signal) and stdout must agree. A case is
 * determined by (seed, index). */
#include "tools/fuzz/fuzz.h"
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct field { const char *name; unsigned off, size; bool phdr; };
static const struct field fields[] = {
    { "e_ident_class", EI_CLASS, 1, false }, { "e_ident_data", EI_DATA, 1, false },
    { "e_ident_version", EI_VERSION, 1, false }, { "e_ident_osabi", EI_OSABI, 1, false },
    { "e_type", 16, 2, false }, { "e_machine", 18, 2, false }, { "e_version", 20, 4, false },
    { "e_entry", 24, 8, false }, { "e_phoff", 32, 8, false }, { "e_shoff", 40, 8, false },
    { "e_flags", 48, 4, false }, { "e_ehsize", 52, 2, false }, { "e_phentsize", 54, 2, false },
    { "e_phnum", 56, 2, false }, { "e_shentsize", 58, 2, false }, { "e_shnum", 60, 2, false },
    { "e_shstrndx", 62, 2, false },
    { "p_type", 0, 4, true }, { "p_flags", 4, 4, true }, { "p_offset", 8, 8, true },
    { "p_vaddr", 16, 8, true }, { "p_paddr", 24, 8, true }, { "p_filesz", 32, 8, true },
    { "p_memsz", 40, 8, true }, { "p_align", 48, 8, true },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static uint64_t edge_value(struct rng *r, uint64_t old, uint64_t file_size, unsigned size)
{
    static const uint64_t v[] = {
        0, 1, 2, 3, 4, 7, 0x40, 0x1000, 0xfff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000ull, 0x400000000ull /* 16 GiB */, 0xf00000000ull /* 60 GiB */,
        0x1000000000ull /* 64 GiB */, 0xfffffffff000ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, ~0ull,
    };
    uint64_t x;
    switch (rng_below(r, 6)) {
    case 0: x = v[rng_below(r, sizeof(v) / sizeof(v[0]))]; break;
    case 1: x = old + (uint64_t)(int64_t)(rng_below(r, 33) - 16); break;
    case 2: x = old ^ (1ull << rng_below(r, size * 8)); break;
    case 3: x = file_size + (uint64_t)(int64_t)(rng_below(r, 0x2001) - 0x1000); break;
    case 4: x = old + 0x1000 * (uint64_t)(int64_t)(rng_below(r, 17) - 8); break;
    default: x = rng_next(r); break;
    }
    return size == 8 ? x : x & ((1ull << (size * 8)) - 1);
}

struct mutant {
    uint8_t *data;
    size_t size;
    char what[96];      /* for the report */
    const char *field;  /* for the known-differences file */
};

static void mutate(struct mutant *m, const struct elf_image *img, struct rng *r)
{
    m->data = malloc(img->size);
    memcpy(m->data, img->data, img->size);
    m->size = img->size;
    const Elf64_Ehdr *eh = (const void *)img->data;
    unsigned kind = (unsigned)rng_below(r, 10);
    if (kind == 0) {                                         /* truncation */
        m->size = (size_t)rng_below(r, img->size);
        if (rng_below(r, 2) && eh->e_phnum)
            m->size = (size_t)rng_below(r, eh->e_phoff + (size_t)eh->e_phnum * eh->e_phentsize + 1);
        snprintf(m->what, sizeof(m->what), "truncated to %zu bytes", m->size);
        m->field = "truncate";
        return;
    }
    if (kind == 1) {                                         /* bytes flipped in the headers */
        size_t hdr = eh->e_phoff + (size_t)eh->e_phnum * eh->e_phentsize;
        unsigned n = 1 + (unsigned)rng_below(r, 4);
        for (unsigned i = 0; i < n; i++) {
            size_t at = (size_t)rng_below(r, hdr < img->size ? hdr : img->size);
            m->data[at] ^= (uint8_t)(1u << rng_below(r, 8));
        }
        snprintf(m->what, sizeof(m->what), "%u bit flips in the headers", n);
        m->field = "bitflip";
        return;
    }
    /* a field; program-header fields three times as often */
    const struct field *f;
    do
        f = &fields[rng_below(r, N_FIELDS)];
    while (!f->phdr && rng_below(r, 3));
    unsigned ph = 0;
    size_t off = f->off;
    if (f->phdr) {
        ph = (unsigned)rng_below(r, eh->e_phnum);
        /* the PT_LOAD segments matter most */
        for (unsigned t = 0; t < 4; t++) {
            const Elf64_Phdr *p = (const void *)(img->data + eh->e_phoff + (size_t)ph * eh->e_phentsize);
            if (p->p_type == PT_LOAD)
                break;
            ph = (unsigned)rng_below(r, eh->e_phnum);
        }
        off = eh->e_phoff + (size_t)ph * eh->e_phentsize + f->off;
    }
    uint64_t old = 0;
    memcpy(&old, m->data + off, f->size);
    uint64_t v = edge_value(r, old, img->size, f->size);
    memcpy(m->data + off, &v, f->size);
    if (f->phdr)
        snprintf(m->what, sizeof(m->what), "phdr[%u].%s 0x%llx -> 0x%llx", ph, f->name,
                 (unsigned long long)old, (unsigned long long)v);
    else
        snprintf(m->what, sizeof(m->what), "%s 0x%llx -> 0x%llx", f->name, (unsigned long long)old,
                 (unsigned long long)v);
    m->field = f->name;
}

/* The mutant's first instruction: the word at e_entry as its PT_LOAD segments map the
 * file (the last one covering it wins, as later mappings replace earlier ones). false
 * when the headers or the word lie outside the file, or no segment covers the entry. */
static bool entry_insn(const struct mutant *m, uint32_t *insn)
{
    if (m->size < sizeof(Elf64_Ehdr))
        return false;
    Elf64_Ehdr eh;
    memcpy(&eh, m->data, sizeof eh);
    bool found = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        uint64_t at = eh.e_phoff + (uint64_t)i * eh.e_phentsize;
        Elf64_Phdr ph;
        if (eh.e_phentsize < sizeof ph || at < eh.e_phoff || at > m->size || m->size - at < sizeof ph)
            return false;
        memcpy(&ph, m->data + at, sizeof ph);
        if (ph.p_type != PT_LOAD || eh.e_entry < ph.p_vaddr || eh.e_entry - ph.p_vaddr >= ph.p_filesz)
            continue;
        uint64_t off = ph.p_offset + (eh.e_entry - ph.p_vaddr);
        if (off < ph.p_offset || off > m->size || m->size - off < 4)
            continue;
        memcpy(insn, m->data + off, 4);
        found = true;
    }
    return found;
}

static void status_text(const struct run *r, char *buf, size_t size)
{
    int sig;
    if (r->timed_out)
        snprintf(buf, size, "timeout");
    else if (run_signalled(r, &sig))
        snprintf(buf, size, "signal %d", sig);
    else
        snprintf(buf, size, "exit %d", run_exit_code(r));
}

/* Compares run x (a Ferry mode) with the reference. */
static enum outcome compare_runs(const struct run *q, const struct run *x, const char **known)
{
    if (sanitizer_report(x))
        return O_SANITIZER;
    if (host_crash(x))
        return O_HOST_CRASH;
    if (x->timed_out)
        return q->timed_out ? O_IDENTICAL : O_HANG;
    if (q->timed_out || stderr_has(q, "Assertion") || stderr_has(q, "qemu: fatal"))
        return O_QEMU_FAIL;          /* qemu itself failed (an assertion in qemu, ...) */
    if (x->status != q->status) {
        int qe = run_exit_code(q), xe = run_exit_code(x);
        *known = qe >= 0 && xe >= 0 && !q->out_len && !x->out_len ? known_status(qe, xe) : NULL;
        if (*known)
            return O_KNOWN;
        return O_DIFF_STATUS;
    }
    if (x->out_len != q->out_len || memcmp(x->out, q->out, x->out_len))
        return O_DIFF_STDOUT;
    return O_IDENTICAL;
}

static enum outcome worse(enum outcome a, enum outcome b)
{
    static const int rank[O_COUNT] = {
        [O_IDENTICAL] = 0, [O_KNOWN] = 1, [O_QEMU_FAIL] = 2, [O_DIFF_STDOUT] = 3,
        [O_DIFF_STATUS] = 4, [O_HANG] = 5, [O_SANITIZER] = 6, [O_HOST_CRASH] = 7,
    };
    return rank[b] > rank[a] ? b : a;
}

void campaign_elf(struct table *t)
{
    if (opt.n_elf_seeds == 0) {
        printf("elf: no --seed-elf programs, campaign skipped\n");
        return;
    }
    struct elf_image seeds[64];
    int n = 0;
    for (int i = 0; i < opt.n_elf_seeds; i++)
        if (elf_read(opt.elf_seeds[i], &seeds[n]))
            n++;
    printf("elf: %u mutants of %d programs\n", opt.elf_mutants, n);
    fflush(stdout);
    char path[600];
    snprintf(path, sizeof(path), "%s/mutant", opt.workdir);
    for (unsigned c = 0; c < opt.elf_mutants; c++) {
        struct rng r = rng_for(opt.seed, 0xe1f, c);
        /* the small seeds (the last one is the no-libc program) more often */
        const struct elf_image *img = &seeds[rng_below(&r, 2) ? n - 1 : (int)rng_below(&r, (uint64_t)n)];
        struct mutant m;
        mutate(&m, img, &r);
        write_file(path, m.data, m.size, true);
        uint32_t first_insn = 0;
        bool has_first_insn = entry_insn(&m, &first_insn);
        free(m.data);
        struct run runs[M_COUNT];
        memset(runs, 0, sizeof(runs));
        bool san = opt.san_every && c % 4 == 0;
        for (int md = 0; md < M_COUNT; md++) {
            if (md == M_SAN && !san)
                continue;
            char *argv[16];
            mode_argv((enum mode)md, path, NULL, argv, 16);
            run_start(&runs[md], argv, mode_names[md], NULL);
        }
        run_wait(runs, M_COUNT, opt.elf_timeout);
        t->cases++;
        enum outcome o = O_IDENTICAL;
        enum outcome per[M_COUNT] = { 0 };
        const char *status_known = NULL;
        for (int md = 1; md < M_COUNT; md++) {
            if (!runs[md].started)
                continue;
            t->runs++;
            const char *k = NULL;
            per[md] = compare_runs(&runs[M_QEMU], &runs[md], &k);
            if (k)
                status_known = k;
            o = worse(o, per[md]);
        }
        t->runs++;
        const char *known = NULL;
        if (o == O_DIFF_STATUS || o == O_DIFF_STDOUT) {
            int worst_mode = M_JIT;
            for (int md = 1; md < M_COUNT; md++)
                if (runs[md].started && per[md] == o) {
                    worst_mode = md;
                    break;
                }
            int qsig;
            bool qemu_failed = run_signalled(&runs[M_QEMU], &qsig) ||
                               (run_exit_code(&runs[M_QEMU]) != 0 && runs[M_QEMU].out_len == 0);
            known = known_elf(m.field, runs[worst_mode].err, qemu_failed);
            if (known) {
                table_add_known(t, known);
                o = O_KNOWN;
            }
        }
        if ((o == O_DIFF_STATUS || o == O_DIFF_STDOUT || o == O_HANG) && has_first_insn &&
            (known = known_elf_entry(first_insn)) != NULL) {
            table_add_known(t, known);
            o = O_KNOWN;
        }
        if (o == O_KNOWN && !known)
            table_add_known(t, status_known);
        t->count[o]++;
        if (o != O_IDENTICAL && o != O_KNOWN) {
            char qs[32];
            status_text(&runs[M_QEMU], qs, sizeof(qs));
            report("elf: seed 0x%llx mutant %u of %s (%s): %s\n", (unsigned long long)opt.seed, c,
                   opt.elf_seeds[img - seeds], m.what, outcome_names[o]);
            report("    qemu: %s, %zu bytes of stdout; %.200s", qs, runs[M_QEMU].out_len,
                   runs[M_QEMU].err_len ? runs[M_QEMU].err : "\n");
            for (int md = 1; md < M_COUNT; md++) {
                if (!runs[md].started)
                    continue;
                char xs[32];
                status_text(&runs[md], xs, sizeof(xs));
                report("    %s: %s, %zu bytes of stdout (%s); %.300s", mode_names[md], xs, runs[md].out_len,
                       outcome_names[per[md]], runs[md].err_len ? runs[md].err : "\n");
            }
        }
        for (int md = 0; md < M_COUNT; md++)
            run_free(&runs[md]);
        if ((c + 1) % 100 == 0) {
            printf("elf: %u/%u mutants, %lu failing so far\n", c + 1, opt.elf_mutants, table_failures(t));
            fflush(stdout);
        }
    }
    for (int i = 0; i < n; i++)
        free(seeds[i].data);
}
