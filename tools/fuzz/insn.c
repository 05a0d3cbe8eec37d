/* ferry-fuzz, campaign 1: random instruction streams in tools/fuzz/harness.S.
 *
 * Each batch patches up to 256 streams (with their initial states) into a copy of the
 * harness, runs it under qemu-aarch64 (the reference), `ferry user`, `ferry user
 * --interp` and sometimes the sanitizer build, and compares the per-stream records
 * (signal, si_code, fault address, PC, X0-X30, SP, NZCV, FPSR, FPCR, TPIDR_EL0, V0-V31,
 * memory hash). A stream is fully determined by (seed, batch, index): rng_for(). */
#include "tools/fuzz/fuzz.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"
#include "tests/aarch64/random_insns.h"

/* Mirrors tools/fuzz/harness.S. */
#define DATA_BASE   0x10000000ull
#define MAX_STREAMS 256
#define SLOT_BYTES  160
#define INIT_SIZE   816
#define REC_SIZE    840
#define MAX_WORDS   31
#define NOP         0xd503201fu
#define BRK_END     0xd43bd5a0u        /* brk #0xdead */

struct stream {
    unsigned n;
    uint32_t w[MAX_WORDS];
    uint64_t x[31], sp, nzcv, fpcr, fpsr, tpidr;
    uint64_t v[32][2];
    int source;
    uint32_t fixed;          /* words the minimiser keeps: a loop's counter update and back edge */
};
static const char *const source_names[] = {
    "random words", "real-binary words", "mutated real words", "group: data processing imm",
    "group: branches/system", "group: loads/stores", "group: data processing reg",
    "group: FP/SIMD", "valid integer generator", "counted loop",
};
#define N_SOURCES 10
#define N_WORD_SOURCES 9        /* sources gen_word() knows; the last one builds loops */
#define SRC_LOOP 9

struct rec {
    uint32_t index, signo;
    uint64_t code, addr, pc;
    uint64_t x[31], sp, nzcv, fpsr, fpcr, tpidr, memhash;
    uint64_t v[32][2];
};
_Static_assert(sizeof(struct rec) == REC_SIZE, "record layout");

/* ---- the harness template ------------------------------------------------------------ */

static struct elf_image tmpl;
static size_t off_nstreams, off_inits, off_slots;
static uint64_t va_slots;
static uint32_t *pool;          /* words of real binaries */
static size_t pool_n, pool_cap;

static void load_template(void)
{
    if (tmpl.data)
        return;
    if (!opt.harness || !elf_read(opt.harness, &tmpl)) {
        fprintf(stderr, "ferry-fuzz: cannot read the harness (--harness)\n");
        exit(2);
    }
    off_nstreams = elf_symbol_offset(&tmpl, "fuzz_nstreams", NULL);
    off_inits = elf_symbol_offset(&tmpl, "fuzz_inits", NULL);
    off_slots = elf_symbol_offset(&tmpl, "fuzz_slots", &va_slots);
    if (!off_nstreams || !off_inits || !off_slots) {
        fprintf(stderr, "ferry-fuzz: the harness lacks fuzz_nstreams/fuzz_inits/fuzz_slots\n");
        exit(2);
    }
    for (int i = 0; i < opt.n_elf_seeds; i++) {
        struct elf_image img;
        if (elf_read(opt.elf_seeds[i], &img))
            elf_code_words(&img, &pool, &pool_n, &pool_cap);
        free(img.data);
    }
    if (pool_n == 0)
        elf_code_words(&tmpl, &pool, &pool_n, &pool_cap);
}

/* ---- generation ---------------------------------------------------------------------- */

static int branch_kind(uint32_t w)
{
    if ((w & 0x7c000000u) == 0x14000000u) return 1;   /* B, BL */
    if ((w & 0xff000000u) == 0x54000000u) return 2;   /* B.cond (and BC.cond) */
    if ((w & 0x7e000000u) == 0x34000000u) return 3;   /* CBZ, CBNZ */
    if ((w & 0x7e000000u) == 0x36000000u) return 4;   /* TBZ, TBNZ */
    return 0;
}

static uint32_t set_branch(uint32_t w, int32_t dist)
{
    switch (branch_kind(w)) {
    case 1: return (w & 0xfc000000u) | ((uint32_t)dist & 0x3ffffffu);
    case 2:
    case 3: return (w & 0xff00001fu) | (((uint32_t)dist & 0x7ffffu) << 5);
    case 4: return (w & 0xfff8001fu) | (((uint32_t)dist & 0x3fffu) << 5);
    }
    return w;
}

static int32_t get_branch(uint32_t w)
{
    switch (branch_kind(w)) {
    case 1: return (int32_t)(w << 6) >> 6;
    case 2:
    case 3: return (int32_t)((w >> 5) << 13) >> 13;
    case 4: return (int32_t)((w >> 5) << 18) >> 18;
    }
    return 0;
}

static bool allowed_sysreg(uint32_t w)
{
    static const uint32_t ok[] = {
        0xd51b4200u, 0xd51b4400u, 0xd51b4420u, 0xd51bd040u, /* nzcv fpcr fpsr tpidr_el0 */
        0xd51bd060u, 0xd51b0020u, 0xd51b00e0u, 0xd51be000u, /* tpidrro ctr dczid cntfrq */
    };
    for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        if ((w & 0xffdfffe0u) == ok[i])
            return true;
    return false;
}

/* A word usable at index i of an n-word stream: branches stay inside the stream
 * (forward, at most to the final BRK), register branches, SVC and system instructions
 * outside a small EL0 set are refused (false). */
static bool fix_word(uint32_t *w, unsigned i, unsigned n, struct rng *r)
{
    uint32_t x = *w;
    if (branch_kind(x)) {
        *w = set_branch(x, (int32_t)(1 + rng_below(r, n - i)));
        return true;
    }
    if ((x & 0xfe000000u) == 0xd6000000u)                 /* BR BLR RET ERET ... */
        return false;
    if ((x & 0xffe0001fu) == 0xd4000001u)                 /* SVC */
        return false;
    if ((x & 0xffc00000u) == 0xd5000000u) {               /* system */
        if ((x & 0xfffff01fu) == 0xd503201fu || (x & 0xfffff01fu) == 0xd503301fu)
            return true;                                  /* hints, barriers */
        if ((x & 0xfff8f01fu) == 0xd500401fu)
            return true;                                  /* MSR (immediate): pstate */
        if ((x & 0xffd00000u) == 0xd5100000u)
            return allowed_sysreg(x);                     /* MRS, MSR (register) */
        uint32_t op = x & 0xffffffe0u;                    /* SYS: DC/IC allowed at EL0 */
        return op == 0xd50b7420u || op == 0xd50b7a20u || op == 0xd50b7b20u ||
               op == 0xd50b7e20u || op == 0xd50b7520u;
    }
    return true;
}

static uint32_t gen_word(struct rng *r, int source)
{
    uint32_t w = (uint32_t)rng_next(r);
    switch (source) {
    case 0:
        return w;
    case 1:
        return pool[rng_below(r, pool_n)];
    case 2: {
        w = pool[rng_below(r, pool_n)];
        switch (rng_below(r, 4)) {
        case 0: w ^= 1u << rng_below(r, 32); break;
        case 1: w ^= 1u << rng_below(r, 32); w ^= 1u << rng_below(r, 32); w ^= 1u << rng_below(r, 32); break;
        case 2: {                                         /* a register field */
            static const unsigned at[] = { 0, 5, 10, 16 };
            unsigned s = at[rng_below(r, 4)];
            w = (w & ~(31u << s)) | (uint32_t)rng_below(r, 32) << s;
            break;
        }
        default: {                                        /* a random field of 2..8 bits */
            unsigned len = 2 + (unsigned)rng_below(r, 7), s = (unsigned)rng_below(r, 33 - len);
            uint32_t m = ((1u << len) - 1) << s;
            w = (w & ~m) | ((uint32_t)rng_next(r) & m);
        }
        }
        return w;
    }
    case 3: return (w & ~0x1c000000u) | 0x10000000u;        /* op0 100x */
    case 4: return (w & ~0x1c000000u) | 0x14000000u;        /* op0 101x */
    case 5: return (w & ~0x0a000000u) | 0x08000000u;        /* op0 x1x0 */
    case 6: return (w & ~0x0e000000u) | 0x0a000000u;        /* op0 x101 */
    case 7: return w | 0x0e000000u;                         /* op0 x111 */
    default:
        rnd_seed(rng_next(r));
        return rnd_plain_insn(true);
    }
}

static uint64_t fp_value(struct rng *r)
{
    static const uint64_t d[] = {
        0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull,
        0x7ff4000000000000ull, 0x0000000000000001ull, 0x000fffffffffffffull,
        0x7fefffffffffffffull, 0x4330000000000000ull, 0x43e0000000000000ull,
        0x3fe0000000000000ull, 0x4008000000000000ull, 0x41dfffffffc00000ull,
    };
    static const uint32_t f[] = {
        0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x7f800000u, 0xff800000u, 0x7fc00000u,
        0x7fa00000u, 1, 0x007fffffu, 0x7f7fffffu, 0x4b000000u, 0x4f000000u, 0x3f000000u,
        0x3c00u, 0x7e00u,
    };
    switch (rng_below(r, 5)) {
    case 0: return d[rng_below(r, 16)];
    case 1: return (uint64_t)f[rng_below(r, 16)] << 32 | f[rng_below(r, 16)];
    case 2: return rnd_operand();
    default: return rng_next(r);
    }
}

static uint64_t pointer(struct rng *r, uint64_t align)
{
    return (DATA_BASE + 0x1000 + rng_below(r, 0x2000)) & ~(align - 1);
}

/* A word from source `from` for index i of an n-word stream (see fix_word). */
static uint32_t pick_word(struct rng *r, int from, unsigned i, unsigned n)
{
    for (unsigned tries = 0;; tries++) {
        uint32_t w = gen_word(r, from);
        /* most words Ferry cannot decode are drawn again, so that streams run on
         * (qemu and Ferry agree on most unallocated words); one in 32 stays, to
         * find what Ferry lacks. So do most UDFs (literal pools in real code). */
        struct a64_decoded d;
        if (from != 8 && tries < 40 && !a64_decode(w, &d) && rng_below(r, 32))
            continue;
        if ((w >> 16) == 0 && tries < 40 && rng_below(r, 8))
            continue;
        if (fix_word(&w, i, n, r))
            return w;
        if (tries > 50)
            return NOP;
    }
}

/* A word for a loop's prefix or body: no branch, and no 5-bit field at bits 0, 5, 10
 * or 16 naming the counter register c (so it cannot change the counter). */
static uint32_t loop_word(struct rng *r, int src, unsigned c)
{
    for (unsigned tries = 0; tries < 200; tries++) {
        int from = rng_below(r, 10) < 7 ? src : (int)rng_below(r, N_WORD_SOURCES);
        uint32_t w = pick_word(r, from, 0, 1);
        if (branch_kind(w) || (w & 31) == c || (w >> 5 & 31) == c || (w >> 10 & 31) == c ||
            (w >> 16 & 31) == c)
            continue;
        return w;
    }
    return NOP;
}

static void gen_stream(struct stream *s, uint64_t seed, unsigned batch, unsigned index)
{
    struct rng r = rng_for(seed, batch, index);
    memset(s, 0, sizeof(*s));
    rnd_seed(rng_next(&r));
    static const int weights[N_SOURCES] = { 12, 16, 18, 8, 6, 12, 8, 12, 8, 14 };
    int total = 0;
    for (int i = 0; i < N_SOURCES; i++)
        total += weights[i];
    int pick = (int)rng_below(&r, (uint64_t)total), src = 0;
    while (pick >= weights[src])
        pick -= weights[src++];
    s->source = src;
    unsigned loop_c = 32, loop_kind = 0;
    if (src == SRC_LOOP) {
        /* prefix, body, counter update + backward branch to the body, suffix: a
         * self-loop running 1-6 times (the JIT's loop translations) */
        int wsrc = (int)rng_below(&r, N_WORD_SOURCES);
        loop_c = (unsigned)rng_below(&r, 29);
        loop_kind = (unsigned)rng_below(&r, 3);
        unsigned p = (unsigned)rng_below(&r, 4), b = 1 + (unsigned)rng_below(&r, 8);
        unsigned sfx = (unsigned)rng_below(&r, 5), n = 0;
        for (unsigned i = 0; i < p + b; i++)
            s->w[n++] = loop_word(&r, wsrc, loop_c);
        int32_t back = -(int32_t)(b + 1);
        static const uint32_t update[3] = { 0xf1000400u, 0xd1000400u, 0x71000400u };
        s->w[n++] = update[loop_kind] | loop_c << 5 | loop_c;      /* subs/sub/subs (w) #1 */
        s->fixed |= 1u << (n - 1) | 1u << n;
        if (loop_kind == 0)
            s->w[n++] = 0x54000001u | ((uint32_t)back & 0x7ffffu) << 5;          /* b.ne */
        else if (loop_kind == 1)
            s->w[n++] = 0xb5000000u | ((uint32_t)back & 0x7ffffu) << 5 | loop_c; /* cbnz */
        else
            s->w[n++] = 0x5400000cu | ((uint32_t)back & 0x7ffffu) << 5;          /* b.gt */
        s->n = n + sfx;
        for (unsigned i = n; i < s->n; i++)
            s->w[i] = pick_word(&r, wsrc, i, s->n);
    } else {
        s->n = 1 + (unsigned)rng_below(&r, rng_below(&r, 3) ? 8 : 24);
        for (unsigned i = 0; i < s->n; i++)
            s->w[i] = pick_word(&r, rng_below(&r, 10) < 7 ? src : (int)rng_below(&r, N_WORD_SOURCES),
                                i, s->n);
    }
    for (unsigned i = 0; i < 31; i++)
        s->x[i] = rng_below(&r, 2) ? pointer(&r, rng_below(&r, 8) ? 8 : 1) : rnd_operand();
    s->sp = pointer(&r, 16);
    s->nzcv = (rng_next(&r) & 0xf) << 28;
    s->fpcr = rng_below(&r, 2) ? 0 : (rng_next(&r) & 0x07c00000u);   /* AHP DN FZ RMode */
    s->fpsr = rng_below(&r, 4) ? 0 : (rng_next(&r) & 0x0800009fu);
    s->tpidr = rnd_operand();
    for (unsigned i = 0; i < 32; i++) {
        s->v[i][0] = fp_value(&r);
        s->v[i][1] = fp_value(&r);
    }
    if (loop_c < 32)
        s->x[loop_c] = 1 + rng_below(&r, 6);
}

/* ---- running a batch ----------------------------------------------------------------- */

static uint64_t slot_va(unsigned k) { return va_slots + (uint64_t)k * SLOT_BYTES; }
static uint64_t stream_va(unsigned k) { return slot_va(k) + 4; }

static void write_batch(const char *path, const struct stream *ss, unsigned n)
{
    uint8_t *img = malloc(tmpl.size);
    memcpy(img, tmpl.data, tmpl.size);
    uint64_t n64 = n;
    memcpy(img + off_nstreams, &n64, 8);
    for (unsigned k = 0; k < n; k++) {
        const struct stream *s = &ss[k];
        uint8_t *init = img + off_inits + (size_t)k * INIT_SIZE;
        memcpy(init, s->x, 248);
        uint64_t misc[6] = { s->sp, s->nzcv, s->fpcr, s->fpsr, s->tpidr, slot_va(k) };
        memcpy(init + 248, misc, sizeof(misc));
        memcpy(init + 304, s->v, 512);
        uint8_t *slot = img + off_slots + (size_t)k * SLOT_BYTES;
        memcpy(slot + 4, s->w, 4 * s->n);
        memcpy(slot + 144, &s->x[30], 8);
    }
    if (!write_file(path, img, tmpl.size, true)) {
        perror("ferry-fuzz: write batch");
        exit(2);
    }
    free(img);
}

/* One mode's view of a batch. */
struct result {
    struct rec *recs[MAX_STREAMS];      /* NULL: no record */
    enum outcome dead[MAX_STREAMS];     /* for streams where the program died (else 0) */
    bool skipped[MAX_STREAMS];          /* not run (item-11 pre-skip) */
    char *err;                          /* stderr of every run, concatenated */
    bool sanitizer;
    unsigned runs;
    struct rec *store;
    size_t n_store;
};

static void result_free(struct result *res)
{
    free(res->store);
    free(res->err);
    memset(res, 0, sizeof(*res));
}

static void absorb(struct result *res, const struct run *r, unsigned n)
{
    size_t nrec = r->out_len / REC_SIZE;
    res->store = realloc(res->store, (res->n_store + nrec + 1) * sizeof(struct rec));
    memcpy(res->store + res->n_store, r->out, nrec * REC_SIZE);
    size_t base = res->n_store;
    res->n_store += nrec;
    for (size_t i = 0; i < nrec; i++) {
        struct rec *x = &res->store[base + i];
        if (x->index < n)
            res->recs[x->index] = NULL;   /* pointers are fixed up below */
    }
    /* realloc may move: recompute every pointer */
    for (size_t i = 0; i < res->n_store; i++)
        if (res->store[i].index < n)
            res->recs[res->store[i].index] = &res->store[i];
    size_t el = res->err ? strlen(res->err) : 0;
    res->err = realloc(res->err, el + r->err_len + 1);
    memcpy(res->err + el, r->err ? r->err : "", r->err_len + 1);
    res->sanitizer |= sanitizer_report(r);
    res->runs++;
}

/* After this many JIT deaths (item 11) in one batch, the batch's remaining streams
 * where qemu faulted are not run under the JIT (each death costs a rerun). */
#define MAX_DEATHS_PER_BATCH 8
static bool minimising;            /* no pre-skipping: every candidate must run */

/* Runs mode m on the batch until every stream has a record or an explanation: when
 * the program stops early (it died, hung or crashed at stream k), k is classified by
 * how it stopped and the streams after k run again. */
static void run_mode_rest(enum mode m, const char *path, unsigned n, const struct result *ref,
                          struct result *res, struct run *first)
{
    char skip[MAX_STREAMS + 1];
    struct run r;
    struct run *cur = first;
    unsigned deaths = 0;
    absorb(res, first, n);
    for (unsigned round = 0; round < 64; round++) {
        unsigned k = n;
        for (unsigned i = 0; i < n; i++)
            if (!res->recs[i] && !res->dead[i] && !res->skipped[i]) {
                k = i;
                break;
            }
        if (k == n)
            break;
        int sig = 0;
        if (cur->timed_out)
            res->dead[k] = O_HANG;
        else if (host_crash(cur))
            res->dead[k] = O_HOST_CRASH;
        else if (m != M_INTERP && run_signalled(cur, &sig) && (sig == SIGSEGV || sig == SIGBUS) &&
                 ref->recs[k] && (ref->recs[k]->signo == SIGSEGV || ref->recs[k]->signo == SIGBUS)) {
            res->dead[k] = O_JIT_NO_HANDLER;
            deaths++;
        } else
            res->dead[k] = O_DIFF_SIGNAL;
        if (cur != first)
            run_free(cur);
        cur = first;
        bool any = false;
        for (unsigned i = 0; i < n; i++) {
            bool pre = m != M_INTERP && deaths >= MAX_DEATHS_PER_BATCH && !minimising && ref->recs[i] &&
                       (ref->recs[i]->signo == SIGSEGV || ref->recs[i]->signo == SIGBUS);
            if (i > k && pre && !res->recs[i])
                res->skipped[i] = true;
            skip[i] = i > k && !res->skipped[i] && !res->recs[i] ? '1' : '0';
            any |= skip[i] == '1';
        }
        skip[n] = 0;
        if (!any)
            break;
        char *args[] = { skip, NULL }, *argv[16];
        mode_argv(m, path, args, argv, 16);
        char tag[32];
        snprintf(tag, sizeof(tag), "%s-rerun", mode_names[m]);
        run_start(&r, argv, tag, NULL);
        run_wait(&r, 1, opt.timeout);
        cur = &r;
        absorb(res, cur, n);
    }
    if (cur != first)
        run_free(cur);
}

/* The first field that differs: the cause. */
static enum outcome compare(const struct rec *q, const struct rec *f, const char **known)
{
    if (q->signo != f->signo || q->pc != f->pc) {
        *known = known_layout((int)q->signo, q->addr, q->pc, (int)f->signo, f->pc);
        if (*known)
            return O_KNOWN;     /* what follows the access cannot be compared */
    }
    if (q->signo == f->signo && q->code != f->code)
        *known = known_sicode((int)q->signo, (int64_t)q->code, (int64_t)f->code);
    if (q->signo != f->signo || (q->code != f->code && !*known) || q->pc != f->pc)
        return O_DIFF_SIGNAL;
    if ((q->signo == SIGSEGV || q->signo == SIGBUS) && q->addr != f->addr) {
        const char *k = known_siaddr((int)q->signo, q->addr, f->addr);
        if (!k)
            return O_DIFF_SIGNAL;
        *known = k;
    }
    if (memcmp(q->x, f->x, sizeof(q->x)) || q->sp != f->sp || q->tpidr != f->tpidr)
        return O_DIFF_REGS;
    if (q->nzcv != f->nzcv)
        return O_DIFF_FLAGS;
    if (q->fpsr != f->fpsr || q->fpcr != f->fpcr || memcmp(q->v, f->v, sizeof(q->v)))
        return O_DIFF_FP;
    if (q->memhash != f->memhash)
        return O_DIFF_MEM;
    return O_IDENTICAL;
}

static const char *cause_key(enum outcome o)
{
    switch (o) {
    case O_DIFF_REGS: return "regs";
    case O_DIFF_FLAGS: return "flags";
    case O_DIFF_FP: return "fp";
    case O_DIFF_MEM: return "mem";
    case O_DIFF_SIGNAL: return "signal";
    default: return "other";
    }
}

/* Ferry's "unallocated or undescribed instruction 0x... at 0xPC (GROUP)" for pc. */
static bool unalloc_group(const char *err, uint64_t pc, char *group, size_t size)
{
    char needle[64];
    snprintf(needle, sizeof(needle), " at 0x%llx (", (unsigned long long)pc);
    const char *p = err ? strstr(err, needle) : NULL;
    if (!p)
        return false;
    p += strlen(needle);
    const char *nl = strchr(p, '\n'), *e = NULL;
    for (const char *c = p; *c && c != nl; c++)
        if (*c == ')')
            e = c;
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= size)
        len = size - 1;
    memcpy(group, p, len);
    group[len] = 0;
    return true;
}

/* Whether qemu ran past the instruction at pc of stream k (which Ferry stopped at).
 * Streams branch only forward, except a counted loop's back edge: qemu stopping at an
 * earlier PC has still run pc when pc is before the counter update and the counter
 * moved (the body ran to its end at least once). */
static bool qemu_ran_past(const struct stream *s, unsigned k, const struct rec *q, uint64_t pc)
{
    if (q->pc > pc)
        return true;
    if (!s->fixed)
        return false;
    unsigned update = (unsigned)__builtin_ctz(s->fixed);      /* the loop's first fixed word */
    unsigned counter = s->w[update] & 31;
    uint64_t i = (pc - stream_va(k)) / 4;
    return i < update && q->x[counter] != s->x[counter];
}

/* Classification of stream k of a batch under one mode. */
struct verdict {
    enum outcome o;
    char group[80];
    const char *known;
};

static struct verdict classify(const struct stream *s, unsigned k, const struct rec *q,
                               const struct result *res)
{
    struct verdict v = { .o = O_IDENTICAL };
    const char *sicode = NULL;
    if (res->dead[k]) {
        v.o = res->dead[k];
    } else if (res->skipped[k]) {
        v.o = O_JIT_SKIPPED;
    } else {
        const struct rec *f = res->recs[k];
        v.o = compare(q, f, &sicode);
        /* Ferry stopped with SIGILL at an instruction qemu ran past or executed up to
         * another fault, and said it is unallocated or undescribed */
        if (v.o == O_DIFF_SIGNAL && f->signo == SIGILL &&
            (qemu_ran_past(s, k, q, f->pc) || (q->pc == f->pc && q->signo != SIGILL)) &&
            unalloc_group(res->err, f->pc, v.group, sizeof(v.group))) {
            uint64_t i = (f->pc - stream_va(k)) / 4;
            uint32_t w = i < s->n ? s->w[i] : 0;
            v.known = known_insn("unalloc", &w, 1);
            v.o = O_UNALLOC;   /* counted by group; `known` decides whether it fails */
            return v;
        }
    }
    if (v.o >= O_DIFF_REGS && v.o <= O_DIFF_SIGNAL) {
        v.known = known_insn(cause_key(v.o), s->w, s->n);
        if (v.known)
            v.o = O_KNOWN;
    } else if ((v.o == O_IDENTICAL || v.o == O_KNOWN) && sicode) {
        v.o = O_KNOWN;
        v.known = sicode;
    }
    return v;
}

/* ---- likely causes ------------------------------------------------------------------- */

/* A guess at the cause of a failing stream, from the records: which of issue 7's
 * known wrong behaviours it looks like. Only a label for the table and the report;
 * the verdict does not depend on it. */
static const char *hint(enum outcome o, const struct rec *q, const struct rec *f)
{
    const uint64_t untag = 0x00ffffffffffffffull;
    if (o == O_JIT_NO_HANDLER)
        return "JIT: no handler for a host-detected fault (item 11)";
    if (o == O_UNALLOC)
        return "unallocated in Ferry only";
    if (o == O_HANG)
        return "hang";
    if (o == O_HOST_CRASH)
        return "host crash";
    if (!q || !f)
        return "other";
    if (q->signo == SIGBUS && q->code == 1 && f->signo != SIGBUS)
        return "no alignment fault (item 4)";
    if ((f->signo == SIGSEGV || f->signo == SIGBUS) && (f->addr >> 56) != 0 &&
        ((q->signo == f->signo && (f->addr & untag) == q->addr) || q->pc > f->pc))
        return "no top-byte-ignore (item 3)";
    if ((q->signo == SIGSEGV || q->signo == SIGBUS) && f->pc > q->pc)
        return "faulting load/store disappears (item 1)";
    if (q->signo == SIGILL && f->signo != SIGILL && f->pc > q->pc)
        return "Ferry runs an instruction cortex-a57 lacks";
    if (o == O_DIFF_SIGNAL)
        return "signal: other";
    return outcome_names[o];
}

/* ---- reporting ----------------------------------------------------------------------- */

static void print_stream(const struct stream *s, unsigned k)
{
    for (unsigned i = 0; i < s->n; i++) {
        char text[128];
        a64_disasm(s->w[i], stream_va(k) + 4 * i, text, sizeof(text));
        report("    %llx: %08x  %s\n", (unsigned long long)(stream_va(k) + 4 * i), s->w[i], text);
    }
}

static void print_rec_diff(const struct rec *q, const struct rec *f, const struct stream *s)
{
    static const char *const misc[] = { "sp", "nzcv", "fpsr", "fpcr", "tpidr_el0", "memhash" };
    if (!f) {
        report("    (no record from ferry)\n");
        return;
    }
    report("    signal   qemu %u code %lld addr %llx pc %llx | ferry %u code %lld addr %llx pc %llx\n",
           q->signo, (long long)q->code, (unsigned long long)q->addr, (unsigned long long)q->pc,
           f->signo, (long long)f->code, (unsigned long long)f->addr, (unsigned long long)f->pc);
    for (unsigned i = 0; i < 31; i++)
        if (q->x[i] != f->x[i])
            report("    x%-7u initial %016llx  qemu %016llx  ferry %016llx\n", i,
                   (unsigned long long)s->x[i], (unsigned long long)q->x[i], (unsigned long long)f->x[i]);
    const uint64_t *qm = (const uint64_t *)q->x + 31, *fm = (const uint64_t *)f->x + 31;
    for (unsigned i = 0; i < 6; i++)
        if (qm[i] != fm[i])
            report("    %-8s qemu %016llx  ferry %016llx\n", misc[i], (unsigned long long)qm[i],
                   (unsigned long long)fm[i]);
    for (unsigned i = 0; i < 32; i++)
        if (memcmp(q->v[i], f->v[i], 16))
            report("    v%-7u initial %016llx%016llx  qemu %016llx%016llx  ferry %016llx%016llx\n", i,
                   (unsigned long long)s->v[i][1], (unsigned long long)s->v[i][0],
                   (unsigned long long)q->v[i][1], (unsigned long long)q->v[i][0],
                   (unsigned long long)f->v[i][1], (unsigned long long)f->v[i][0]);
}

/* ---- one batch ----------------------------------------------------------------------- */

struct batch_out {
    struct result ref, res[M_COUNT];
    bool ran[M_COUNT];
    bool qemu_ok;
};

static void run_batch(const struct stream *ss, unsigned n, const bool *modes, struct batch_out *b,
                      const char *name)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/%s.elf", opt.workdir, name);
    write_batch(path, ss, n);
    memset(b, 0, sizeof(*b));
    struct run runs[M_COUNT];
    memset(runs, 0, sizeof(runs));
    for (int m = 0; m < M_COUNT; m++) {
        if (!modes[m])
            continue;
        char *argv[16];
        mode_argv((enum mode)m, path, NULL, argv, 16);
        char tag[64];
        snprintf(tag, sizeof(tag), "%s-%s", name, mode_names[m]);
        run_start(&runs[m], argv, tag, NULL);
    }
    run_wait(runs, M_COUNT, opt.timeout);
    absorb(&b->ref, &runs[M_QEMU], n);
    b->qemu_ok = run_exit_code(&runs[M_QEMU]) == 0;
    for (unsigned i = 0; i < n; i++)
        b->qemu_ok &= b->ref.recs[i] != NULL;
    run_free(&runs[M_QEMU]);
    for (int m = 1; m < M_COUNT; m++) {
        if (!modes[m])
            continue;
        b->ran[m] = true;
        if (b->qemu_ok)
            run_mode_rest((enum mode)m, path, n, &b->ref, &b->res[m], &runs[m]);
        else
            absorb(&b->res[m], &runs[m], n);
        run_free(&runs[m]);
    }
}

static void batch_free(struct batch_out *b)
{
    result_free(&b->ref);
    for (int m = 0; m < M_COUNT; m++)
        result_free(&b->res[m]);
}

/* ---- minimiser ----------------------------------------------------------------------- */

static bool same_verdict(const struct verdict *a, const struct verdict *b)
{
    return a->o == b->o && strcmp(a->group, b->group) == 0;
}

/* Removes word j (a NOP) keeping branch targets (forward and backward). */
static void delete_word(struct stream *s, unsigned j)
{
    for (unsigned i = 0; i < s->n; i++) {
        if (i == j || !branch_kind(s->w[i]))
            continue;
        int32_t t = (int32_t)i + get_branch(s->w[i]);
        int32_t ni = (int32_t)i - (i > j), nt = t - (t > (int32_t)j);
        s->w[i] = set_branch(s->w[i], nt - ni);
    }
    uint32_t low = s->fixed & ((1u << j) - 1), high = s->fixed >> (j + 1);
    s->fixed = low | high << j;
    memmove(&s->w[j], &s->w[j + 1], 4 * (s->n - j - 1));
    s->n--;
}

static void disassemble_objdump(const struct stream *s)
{
    char bin[600], cmd[1400];
    snprintf(bin, sizeof(bin), "%s/minimal.bin", opt.workdir);
    if (!write_file(bin, s->w, 4 * s->n, false))
        return;
    snprintf(cmd, sizeof(cmd),
             "aarch64-linux-gnu-objdump -D -b binary -maarch64 --adjust-vma=0x%llx '%s' | "
             "sed -n '/^ *[0-9a-f]*:/p'",
             (unsigned long long)stream_va(0), bin);
    FILE *p = popen(cmd, "r");
    if (!p)
        return;
    char line[512];
    report("  objdump:\n");
    while (fgets(line, sizeof(line), p))
        report("  %s", line);
    pclose(p);
}

/* Reduces stream s (as stream 0 of a batch) to the fewest instructions that still
 * give verdict `want` under mode m. */
static void minimise(struct stream *s, enum mode m, const struct verdict *want)
{
    bool modes[M_COUNT] = { [M_QEMU] = true };
    modes[m] = true;
    for (unsigned round = 0; round < 2 * MAX_WORDS; round++) {
        struct stream cand[MAX_WORDS + 1];
        unsigned nc = 0;
        int which[MAX_WORDS + 1];
        for (unsigned i = 0; i < s->n; i++) {
            if (s->w[i] == NOP || (s->fixed >> i & 1))
                continue;
            cand[nc] = *s;
            cand[nc].w[i] = NOP;
            which[nc++] = (int)i;
        }
        /* and: every NOP removed */
        struct stream packed = *s;
        for (unsigned i = packed.n; i-- > 0;)
            if (packed.w[i] == NOP && packed.n > 1)
                delete_word(&packed, i);
        if (packed.n < s->n) {
            cand[nc] = packed;
            which[nc++] = -1;
        }
        if (nc == 0)
            break;
        struct batch_out b;
        run_batch(cand, nc, modes, &b, "min");
        int taken = -2;
        if (b.qemu_ok) {
            for (unsigned c = 0; c < nc && taken == -2; c++) {
                struct verdict v = classify(&cand[c], c, b.ref.recs[c], &b.res[m]);
                if (same_verdict(&v, want)) {
                    *s = cand[c];
                    taken = which[c];
                }
            }
        }
        batch_free(&b);
        if (taken == -2)
            break;
    }
}

static void report_minimised(struct stream *s, enum mode m, const struct verdict *v)
{
    minimising = true;
    minimise(s, m, v);
    bool modes[M_COUNT] = { [M_QEMU] = true };
    modes[m] = true;
    struct batch_out b;
    run_batch(s, 1, modes, &b, "min");
    report("  minimised to %u instruction%s (%s):\n", s->n, s->n == 1 ? "" : "s", mode_names[m]);
    print_stream(s, 0);
    report("  initial state:");
    for (unsigned i = 0; i < 31; i++)
        report("%s x%u=%llx", i % 6 == 0 ? "\n   " : "", i, (unsigned long long)s->x[i]);
    report("\n    sp=%llx nzcv=%llx fpcr=%llx fpsr=%llx tpidr_el0=%llx",
           (unsigned long long)s->sp, (unsigned long long)s->nzcv, (unsigned long long)s->fpcr,
           (unsigned long long)s->fpsr, (unsigned long long)s->tpidr);
    for (unsigned i = 0; i < 32; i++)
        report("%s v%u=%016llx%016llx", i % 3 == 0 ? "\n   " : "", i, (unsigned long long)s->v[i][1],
               (unsigned long long)s->v[i][0]);
    report("\n");
    disassemble_objdump(s);
    if (b.qemu_ok)
        print_rec_diff(b.ref.recs[0], b.res[m].recs[0], s);
    batch_free(&b);
    minimising = false;
}

/* ---- the campaign -------------------------------------------------------------------- */

static enum outcome worst(enum outcome a, enum outcome b)
{
    static const int rank[O_COUNT] = {
        [O_IDENTICAL] = 0, [O_JIT_SKIPPED] = 1, [O_KNOWN] = 2, [O_UNALLOC] = 2,
        [O_JIT_NO_HANDLER] = 3,
        [O_DIFF_MEM] = 4, [O_DIFF_FP] = 5, [O_DIFF_FLAGS] = 6, [O_DIFF_REGS] = 7,
        [O_DIFF_SIGNAL] = 8, [O_DIFF_STDOUT] = 8, [O_DIFF_STATUS] = 8, [O_QEMU_FAIL] = 9,
        [O_HANG] = 10, [O_SANITIZER] = 11, [O_HOST_CRASH] = 12,
    };
    return rank[b] > rank[a] ? b : a;
}

void campaign_insn(struct table *t)
{
    load_template();
    unsigned batches = (opt.streams + opt.batch - 1) / opt.batch;
    unsigned minimised = 0;
    printf("insn: %u streams in %u batches of %u (words from %zu real instructions)\n",
           opt.streams, batches, opt.batch, pool_n);
    fflush(stdout);
    static struct stream ss[MAX_STREAMS];
    for (unsigned bi = opt.first_batch; bi < batches; bi++) {
        unsigned n = bi + 1 < batches ? opt.batch : opt.streams - bi * opt.batch;
        for (unsigned k = 0; k < n; k++)
            gen_stream(&ss[k], opt.seed, bi, k);
        bool modes[M_COUNT] = { true, true, true, opt.san_every && bi % opt.san_every == 0 };
        struct batch_out b;
        run_batch(ss, n, modes, &b, "batch");
        t->cases += n;
        for (int m = 0; m < M_COUNT; m++)
            t->runs += b.ran[m] ? b.res[m].runs : 0;
        t->runs++;
        if (!b.qemu_ok) {
            t->count[O_QEMU_FAIL] += n;
            report("insn batch %u: qemu-aarch64 did not complete the harness\n", bi);
            batch_free(&b);
            continue;
        }
        for (int m = 1; m < M_COUNT; m++)
            if (b.ran[m] && b.res[m].sanitizer) {
                t->count[O_SANITIZER]++;
                report("insn batch %u (seed 0x%llx): sanitizer report:\n%.2000s\n", bi,
                       (unsigned long long)opt.seed, b.res[m].err);
            }
        for (unsigned k = 0; k < n; k++) {
            t->insns += ss[k].n;
            const struct rec *qr = b.ref.recs[k];
            if (qr->pc >= stream_va(k))
                t->insns_run += (qr->pc - stream_va(k)) / 4 < ss[k].n ? (qr->pc - stream_va(k)) / 4 : ss[k].n;
            enum outcome o = O_IDENTICAL;
            struct verdict vs[M_COUNT];
            memset(vs, 0, sizeof(vs));
            for (int m = 1; m < M_COUNT; m++)
                if (b.ran[m]) {
                    vs[m] = classify(&ss[k], k, b.ref.recs[k], &b.res[m]);
                    o = worst(o, vs[m].o);
                }
            int bad_mode = M_JIT;
            for (int m = 1; m < M_COUNT; m++)
                if (b.ran[m] && vs[m].o == o) {
                    bad_mode = m;
                    break;
                }
            if (o == O_UNALLOC) {
                struct verdict *v = &vs[bad_mode];
                table_add_group(t, v->group);
                if (v->known) {
                    table_add_known(t, v->known);
                    t->count[O_KNOWN]++;
                    continue;
                }
            }
            if (o == O_KNOWN) {
                for (int m = 1; m < M_COUNT; m++)
                    if (vs[m].o == O_KNOWN) {
                        table_add_known(t, vs[m].known);
                        break;
                    }
            }
            t->count[o]++;
            if (o == O_IDENTICAL || o == O_KNOWN || o == O_JIT_SKIPPED)
                continue;
            const struct verdict *v = &vs[bad_mode];
            const char *h = hint(o, b.ref.recs[k], b.res[bad_mode].recs[k]);
            table_add_hint(t, h);
            report("insn: seed 0x%llx batch %u stream %u (%s): %s under %s%s%s%s; likely: %s\n",
                   (unsigned long long)opt.seed, bi, k, source_names[ss[k].source], outcome_names[o],
                   mode_names[bad_mode], v->group[0] ? " (" : "", v->group, v->group[0] ? ")" : "", h);
            for (int m = 1; m < M_COUNT; m++)
                if (b.ran[m] && m != bad_mode && vs[m].o != O_IDENTICAL)
                    report("    also under %s: %s\n", mode_names[m], outcome_names[vs[m].o]);
            print_stream(&ss[k], k);
            print_rec_diff(b.ref.recs[k], b.res[bad_mode].recs[k], &ss[k]);
            report("    reproduce: ferry-fuzz minimise --seed 0x%llx %u %u\n",
                   (unsigned long long)opt.seed, bi, k);
            /* one example of a JIT death (item 11) is enough */
            static bool death_minimised;
            bool minimise_it = o != O_HANG && o != O_HOST_CRASH &&
                               (o != O_JIT_NO_HANDLER || !death_minimised);
            if (minimised < opt.minimise && minimise_it) {
                minimised++;
                death_minimised |= o == O_JIT_NO_HANDLER;
                struct stream s = ss[k];
                report_minimised(&s, (enum mode)bad_mode, v);
            }
        }
        batch_free(&b);
        if ((bi + 1) % 10 == 0 || bi + 1 == batches) {
            printf("insn: %lu/%u streams, %lu identical, %lu failing so far\n", t->cases, opt.streams,
                   t->count[O_IDENTICAL], table_failures(t));
            fflush(stdout);
        }
    }
}

/* ferry-fuzz minimise --seed S BATCH INDEX [MODE] */
int minimise_command(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ferry-fuzz minimise --seed S BATCH INDEX [jit|interp|san]\n");
        return 2;
    }
    load_template();
    unsigned bi = (unsigned)strtoul(argv[0], NULL, 0), k = (unsigned)strtoul(argv[1], NULL, 0);
    enum mode m = M_JIT;
    if (argc > 2)
        for (int i = 1; i < M_COUNT; i++)
            if (strcmp(argv[2], mode_names[i]) == 0)
                m = (enum mode)i;
    struct stream s;
    gen_stream(&s, opt.seed, bi, k);
    bool modes[M_COUNT] = { [M_QEMU] = true };
    modes[m] = true;
    struct batch_out b;
    run_batch(&s, 1, modes, &b, "one");
    if (!b.qemu_ok) {
        printf("qemu-aarch64 did not complete the stream\n");
        return 1;
    }
    struct verdict v = classify(&s, 0, b.ref.recs[0], &b.res[m]);
    printf("seed 0x%llx batch %u stream %u under %s: %s%s%s\n", (unsigned long long)opt.seed, bi, k,
           mode_names[m], outcome_names[v.o], v.group[0] ? " " : "", v.group);
    opt.verbose = true;
    print_stream(&s, 0);
    print_rec_diff(b.ref.recs[0], b.res[m].recs[0], &s);
    batch_free(&b);
    if (v.o != O_IDENTICAL)
        report_minimised(&s, m, &v);
    return v.o == O_IDENTICAL ? 0 : 1;
}
