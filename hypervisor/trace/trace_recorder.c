/* The trace recorder (trace_recorder.h): parses the item buffer that translated code and
 * the interpreter fill (jit/jit_trace.h), keeps the shadow state that turns byte-range
 * register writes into whole architectural registers, numbers instructions, applies the
 * recording filters and hands records to the trace writer. Two item buffers take turns:
 * while the runner fills one, a thread of the recorder's processes the other; what the
 * runner reports between runs arrives as events in the same buffers, so it is applied
 * in order.
 *
 * This runs for every guest instruction, so the per-record path allocates nothing and
 * clears nothing proportional to the state: register ids are mapped to dense "slots"
 * at open (ascending id order, so sorting slots sorts ids), each state byte knows its
 * slot and how many following bytes share it, and "which slots did this instruction
 * write" is a stamp per slot compared with a per-instruction counter. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor/trace/trace_buffers.h"
#include "hypervisor/trace/trace_codec.h"
#include "hypervisor/trace/trace_recorder.h"

#define SLOT_NONE            0xffffu
/* 8 MB a buffer, handed over early (at a soft limit, every eighth of it) while the
 * consumer is idle: hand_off. docs/trace.md, "Performance of recording". */
#define DEFAULT_BUFFER_WORDS ((size_t)1 << 20)
#define SOFT_LIMITS          8u
/* Buffers smaller than this have no soft limits. */
#define SOFT_LIMIT_MIN_WORDS ((size_t)1 << 16)
/* Room a raised soft limit leaves at least: more than any one reservation from C (an
 * event with the state) needs. */
#define SOFT_ROOM_MIN_WORDS  ((size_t)4096)
#define N_REG_IDS            (TRACE_REG_ID_MAX + 1u)

#define BLK_NO_ID UINT32_MAX

/* A translated block as the JIT described it (BLOCK_DEF). */
struct block_desc {
    uint64_t pc, pa;
    uint32_t n;
    uint8_t el;
    bool defined;
};

struct trace_recorder {
    struct jit_trace_buf buf;    /* items go here: one of bufs[] */
    uint64_t *bufs[2];
    size_t buf_words;            /* each buffer's size */
    size_t step_words;           /* between its soft limits */
    unsigned active;
    struct trace_writer *w;
    bool full;                   /* JIT_TRACE_FULL; else block or replay mode */
    bool replay;                 /* JIT_TRACE_REPLAY */
    bool with_state;             /* events carry the state (full and replay mode) */
    bool dead;                   /* an error happened: items are discarded */
    bool have_state;             /* a resume has filled the shadow */
    uint64_t next_seq;

    /* Filters: seq in [win_lo, win_hi), el (-1: any), pc in one of the ranges. */
    uint64_t win_lo, win_hi;
    int el;
    unsigned n_pc_ranges;
    uint64_t pc_lo[TRACE_RECORDER_MAX_PC_RANGES], pc_hi[TRACE_RECORDER_MAX_PC_RANGES];

    struct trace_recorder_arch arch;
    uint8_t *shadow;
    uint16_t *slot_of;           /* per state byte: its register's slot, or SLOT_NONE */
    uint8_t *run_len;            /* per state byte: bytes from it on with the same slot */
    uint16_t *slot_id;           /* slot -> register id (ascending) */
    unsigned n_slots;
    uint16_t *sync_slots;
    unsigned n_sync;
    uint32_t *stamp;             /* per slot: cur_stamp when the pending insn wrote it */
    uint32_t cur_stamp;

    /* Full mode: the pending record (its register values are read at finalisation). */
    bool pending;
    struct trace_insn cur;
    uint16_t *written;           /* slots written, in first-write order */
    unsigned n_written;
    struct trace_reg_write regs[TRACE_MAX_REGS];
    struct trace_reg_write extra[8];  /* registers outside the state (trace_recorder_add_reg) */
    unsigned n_extra;
    struct trace_mem_access mem[TRACE_MAX_MEM];

    /* Block mode. The last block entered stays pending until the next one (a fault may
     * cut it short); finished entries of described blocks collect in ids[] (from
     * sequence number ids_seq to ids_next) and go to the writer in batches. */
    struct block_desc *descs;    /* by the JIT's block id */
    uint32_t cap_descs;
    bool blk_pending, blk_interp;
    uint8_t blk_el;
    uint32_t blk_n;
    uint32_t blk_id;             /* BLK_NO_ID: written in place (interpreted, cut short) */
    uint64_t blk_seq, blk_pc, blk_pa;
    bool unfiltered;             /* no filter: every entry is kept */
    uint32_t ids[4096];
    unsigned n_ids;
    uint64_t ids_seq, ids_next;

    /* Replay mode: the chunk being collected (its first item is an EV_RESUME with the
     * state a reader starts from) and the block descriptions by id; the last block
     * entry, which a fault may cut short, is block mode's pending block. */
    struct replay_chunk {
        uint64_t *items;         /* include/ferry/trace_format.h: the chunk's three parts */
        /* load values: of entries with whole words of them (slot bytes a multiple of
         * 8: the writer may code those as numbers) and of the others, packed */
        uint8_t *entries, *slots, *wslots;
        size_t n_items, n_entries, n_slots, n_wslots, cap_items, cap_entries, cap_slots, cap_wslots;
        uint64_t first_seq, first_pc, last_pc;
        uint32_t gen;            /* descriptions with this gen are in the chunk */
        uint32_t n_numbered;     /* descriptions in the chunk so far */
        bool open;
        uint64_t written;        /* chunks written */
    } rp;
    struct replay_desc {
        uint64_t *words;         /* the BLOCK_DEF item */
        uint32_t n_words, n, slot_bytes, slot_words, gen, number;
        uint64_t pc;
    } *rdescs;
    uint32_t cap_rdescs;

    /* The consumer thread: it processes a full buffer (job) while items go to the other
     * one. Whoever processes items owns the rest of this struct: the runner's thread
     * only after wait_idle. */
    pthread_t consumer;
    bool have_consumer, lock_ready, stop;   /* lock_ready: lock and cond initialised */
    atomic_bool failed;          /* err is set (written before it) */
    atomic_bool busy;            /* the consumer has a job (a hint for hand_off) */
    _Atomic uint64_t seq_done;   /* next_seq after the last processed items */
    void *event_state;           /* an event's state, aligned for the state struct */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    const uint64_t *job_base, *job_end;

    char *path;
    char err[1024];
};

/* ---- errors ----------------------------------------------------------------------- */

static void fail(struct trace_recorder *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct trace_recorder *rec, const char *fmt, ...)
{
    if (!rec->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rec->err, sizeof rec->err, fmt, ap);
        va_end(ap);
    }
    rec->dead = true;
    rec->pending = rec->blk_pending = false;
    atomic_store_explicit(&rec->failed, true, memory_order_release);
}

/* The items came from Ferry itself, so a malformed one is a bug, but it must end the
 * recording with a message rather than corrupt the trace or crash the run. */
static void internal(struct trace_recorder *rec, const char *what, uint64_t tag)
{
    fail(rec, "%s: internal error: trace items near instruction %" PRIu64 ": %s (tag 0x%" PRIx64 ")",
         rec->path, rec->next_seq, what, tag);
}

static void writer_failed(struct trace_recorder *rec)
{
    const char *m = trace_writer_error(rec->w);
    size_t n = strlen(rec->path);
    if (!m[0])
        fail(rec, "%s: the trace writer failed", rec->path);
    else if (strncmp(m, rec->path, n) == 0 && m[n] == ':')
        fail(rec, "%s", m);
    else
        fail(rec, "%s: %s", rec->path, m);
}

/* ---- filters ---------------------------------------------------------------------- */

static inline bool keep(const struct trace_recorder *rec, uint64_t seq, uint64_t pc, uint8_t el)
{
    if (seq < rec->win_lo || seq >= rec->win_hi)
        return false;
    if (rec->el >= 0 && el != (uint8_t)rec->el)
        return false;
    if (rec->n_pc_ranges == 0)
        return true;
    for (unsigned i = 0; i < rec->n_pc_ranges; i++)
        if (pc >= rec->pc_lo[i] && pc < rec->pc_hi[i])
            return true;
    return false;
}

/* ---- full mode -------------------------------------------------------------------- */

static inline void new_stamp(struct trace_recorder *rec)
{
    if (__builtin_expect(++rec->cur_stamp == 0, 0)) {
        memset(rec->stamp, 0, rec->n_slots * sizeof *rec->stamp);
        rec->cur_stamp = 1;
    }
}

static inline void mark(struct trace_recorder *rec, unsigned slot)
{
    if (rec->stamp[slot] != rec->cur_stamp) {
        rec->stamp[slot] = rec->cur_stamp;
        rec->written[rec->n_written++] = (uint16_t)slot;
    }
}

static void finalize_insn(struct trace_recorder *rec)
{
    if (!rec->pending)
        return;
    rec->pending = false;
    struct trace_insn *r = &rec->cur;
    if (!keep(rec, r->seq, r->pc, r->el))
        return;
    unsigned n = rec->n_written;
    if (n > TRACE_MAX_REGS) {
        internal(rec, "an instruction wrote more registers than a record holds", 0);
        return;
    }
    uint16_t *s = rec->written;
    for (unsigned i = 1; i < n; i++) {   /* almost always 1 or 2 entries */
        uint16_t v = s[i];
        unsigned j = i;
        for (; j > 0 && s[j - 1] > v; j--)
            s[j] = s[j - 1];
        s[j] = v;
    }
    for (unsigned k = 0; k < n; k++) {
        struct trace_reg_write *g = &rec->regs[k];
        g->id = rec->slot_id[s[k]];
        rec->arch.reg_value(rec->shadow, g->id, &g->lo, &g->hi);
    }
    /* registers outside the state, each in its place by id (or replacing the same id) */
    for (unsigned x = 0; x < rec->n_extra && n < TRACE_MAX_REGS; x++) {
        const struct trace_reg_write *e = &rec->extra[x];
        unsigned k = 0;
        while (k < n && rec->regs[k].id < e->id)
            k++;
        if (k == n || rec->regs[k].id != e->id) {
            memmove(&rec->regs[k + 1], &rec->regs[k], (n - k) * sizeof rec->regs[0]);
            n++;
        }
        rec->regs[k] = *e;
    }
    r->n_regs = n;
    if (trace_writer_insn(rec->w, r) < 0)
        writer_failed(rec);
}

/* A register outside the state that the runtime wrote for the pending instruction. */
static void add_reg(struct trace_recorder *rec, uint16_t id, uint64_t lo, uint64_t hi)
{
    if (!rec->pending)
        return;
    unsigned x = 0;
    while (x < rec->n_extra && rec->extra[x].id != id)
        x++;
    if (x == sizeof rec->extra / sizeof rec->extra[0])
        return;                           /* more than one MSR per instruction cannot happen */
    rec->extra[x] = (struct trace_reg_write){ .id = id, .lo = lo, .hi = hi };
    if (x == rec->n_extra)
        rec->n_extra++;
}

static uint64_t state_pc(const struct trace_recorder *rec, const void *state)
{
    uint64_t pc;
    memcpy(&pc, (const uint8_t *)state + rec->arch.pc_offset, sizeof pc);
    return pc;
}

/* ---- block mode ------------------------------------------------------------------- */

static void flush_ids(struct trace_recorder *rec)
{
    unsigned n = rec->n_ids;
    rec->n_ids = 0;
    if (n && !rec->dead && trace_writer_blocks(rec->w, rec->ids_seq, rec->ids, n) < 0)
        writer_failed(rec);
}

/* Hands the pending entry on (to the batch, or in place), if the filters keep it. */
static void finalize_block(struct trace_recorder *rec)
{
    if (!rec->blk_pending)
        return;
    rec->blk_pending = false;
    if (!keep(rec, rec->blk_seq, rec->blk_pc, rec->blk_el))
        return;
    if (rec->blk_id != BLK_NO_ID) {
        if (rec->n_ids && rec->ids_next != rec->blk_seq)
            flush_ids(rec);                   /* the filters left a gap */
        if (rec->n_ids == 0)
            rec->ids_seq = rec->blk_seq;
        rec->ids[rec->n_ids++] = rec->blk_id;
        rec->ids_next = rec->blk_seq + rec->blk_n;
        if (rec->n_ids == sizeof rec->ids / sizeof rec->ids[0])
            flush_ids(rec);
        return;
    }
    flush_ids(rec);
    if (!rec->dead && trace_writer_block(rec->w, rec->blk_seq, rec->blk_pc, rec->blk_pa, rec->blk_el, rec->blk_n) < 0)
        writer_failed(rec);
}

static inline void start_block(struct trace_recorder *rec, uint32_t id, uint64_t pc, uint64_t pa, uint8_t el,
                               uint32_t n, bool interp)
{
    rec->blk_pending = true;
    rec->blk_interp = interp;
    rec->blk_id = id;
    rec->blk_seq = rec->next_seq;
    rec->blk_pc = pc;
    rec->blk_pa = pa;
    rec->blk_el = el;
    rec->blk_n = n;
    rec->next_seq += n;
}

/* A BLOCK item: an interpreted instruction (n = 0) extends the pending block only if
 * that block was itself built from interpreted instructions: a translated block's
 * record keeps the length it was translated with, as a QEMU TB's does. */
static void block_item(struct trace_recorder *rec, uint64_t pc, uint64_t pa, uint8_t el, uint32_t n)
{
    if (n == 0 && rec->blk_pending && rec->blk_interp && rec->blk_el == el &&
        rec->blk_n < UINT32_MAX && pc == rec->blk_pc + (uint64_t)rec->blk_n * rec->arch.insn_bytes &&
        pa - rec->blk_pa == pc - rec->blk_pc) {
        rec->blk_n++;
        rec->next_seq++;
        return;
    }
    finalize_block(rec);
    if (!rec->dead)
        start_block(rec, BLK_NO_ID, pc, pa, el, n ? n : 1, n == 0);
}

static void define_block(struct trace_recorder *rec, uint64_t id, uint64_t pc, uint64_t pa, uint8_t el, uint32_t n)
{
    if (trace_table_hold((void **)&rec->descs, &rec->cap_descs, id, sizeof *rec->descs) < 0) {
        fail(rec, "%s: out of memory for %" PRIu64 " block descriptions", rec->path, id + 1);
        return;
    }
    rec->descs[id] = (struct block_desc){ .pc = pc, .pa = pa, .n = n, .el = el, .defined = true };
    if (trace_writer_define_block(rec->w, (uint32_t)id, pc, pa, el, n) < 0)
        writer_failed(rec);
}

/* The pending block ends after `keep_n` instructions (block and sequence numbers shrink). */
static void truncate_block(struct trace_recorder *rec, uint64_t keep_n)
{
    if (!rec->blk_pending || keep_n >= rec->blk_n)
        return;
    rec->next_seq -= rec->blk_n - keep_n;
    rec->blk_n = (uint32_t)keep_n;
    rec->blk_id = BLK_NO_ID;              /* no longer the block the JIT described */
    if (keep_n == 0)
        rec->blk_pending = false;
}

/* A run left at pc: the pending block (block and replay mode) ends there, with the
 * instruction at pc when it faulted (an exit that undid it), before it when it is to be
 * run again (a retract). */
static void cut_pending_block(struct trace_recorder *rec, uint64_t pc, bool include_pc)
{
    if (rec->blk_pending && pc >= rec->blk_pc && (pc - rec->blk_pc) / rec->arch.insn_bytes < rec->blk_n)
        truncate_block(rec, (pc - rec->blk_pc) / rec->arch.insn_bytes + include_pc);
}

/* ---- items ------------------------------------------------------------------------ */

static inline uint64_t mask_lo(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

static inline uint64_t mask_hi(unsigned size)
{
    return size >= 16 ? ~(uint64_t)0 : size <= 8 ? 0 : ((uint64_t)1 << (8 * (size - 8))) - 1;
}

/* The EL of an INSN or BLOCK tag as a record holds it; false for an impossible one. */
static inline bool tag_el(uint64_t tag, uint8_t *el)
{
    int e = JIT_TRACE_EL(tag);
    if (e > 3)
        return false;
    *el = e < 0 ? (uint8_t)TRACE_EL_UNKNOWN : (uint8_t)e;
    return true;
}

/* Runner events (below) travel with the items: kinds EV_FIRST and up. */
enum {
    EV_FIRST = JIT_TRACE_EV_ADD_REG,
    EV_ADD_REG = JIT_TRACE_EV_ADD_REG,
    EV_RESUME = JIT_TRACE_EV_RESUME,
    EV_EXIT = JIT_TRACE_EV_EXIT,
    EV_RETRACT = JIT_TRACE_EV_RETRACT,
    EV_EXCEPTION = JIT_TRACE_EV_EXCEPTION,
};
static const uint64_t *take_event(struct trace_recorder *rec, const uint64_t *p, size_t left);
static size_t event_words(const struct trace_recorder *rec, uint64_t tag);
#define EV_UNDONE     JIT_TRACE_EV_UNDONE
#define EV_WITH_STATE JIT_TRACE_EV_WITH_STATE

#define BAD(what)                                                                           \
    do {                                                                                    \
        internal(rec, what, tag);                                                           \
        return;                                                                             \
    } while (0)

/* Full mode's items. */
static void process(struct trace_recorder *rec, const uint64_t *p, const uint64_t *end)
{
    while (p < end && !rec->dead) {
        uint64_t tag = p[0];
        size_t left = (size_t)(end - p);
        unsigned kind = JIT_TRACE_KIND(tag);
        if (kind >= EV_FIRST) {
            if (!(p = take_event(rec, p, left)))
                return;
            continue;
        }
        switch (kind) {
        case JIT_TRACE_INSN: {
            uint8_t el;
            size_t words = tag & JIT_TRACE_PA ? 3 : 2;
            if (left < words)
                BAD("truncated INSN item");
            if (!tag_el(tag, &el))
                BAD("EL out of range");
            finalize_insn(rec);
            if (rec->dead)
                return;
            struct trace_insn *r = &rec->cur;
            r->seq = rec->next_seq++;
            r->pc = p[1];
            r->has_pa = words == 3;
            r->pa = r->has_pa ? p[2] : 0;
            r->encoding = JIT_TRACE_HIGH(tag);
            r->el = el;
            r->n_mem = 0;
            r->has_exception = false;
            rec->n_written = 0;
            rec->n_extra = 0;
            new_stamp(rec);
            rec->pending = true;
            p += words;
            break;
        }
        case JIT_TRACE_REG:
        case JIT_TRACE_REG_CHANGED: {
            unsigned size = JIT_TRACE_SIZE(tag);
            uint32_t off = JIT_TRACE_OFFSET(tag);
            size_t words = size > 8 ? 3 : 2;
            if (size == 0 || size > 16)
                BAD("register write of an invalid size");
            if (left < words)
                BAD("truncated REG item");
            if ((uint64_t)off + size > rec->arch.state_size)
                BAD("register write outside the state");
            if (!rec->pending)
                BAD("a REG item before any INSN item");
            uint8_t *d = rec->shadow + off, nb[16];
            memcpy(nb, &p[1], size < 8 ? size : 8);
            if (size > 8)
                memcpy(nb + 8, &p[2], size - 8);
            for (uint32_t o = off, e = off + size; o < e; o += rec->run_len[o]) {
                unsigned s = rec->slot_of[o];
                uint32_t n = rec->run_len[o] < e - o ? rec->run_len[o] : e - o;
                if (s != SLOT_NONE && (kind == JIT_TRACE_REG || memcmp(d + (o - off), nb + (o - off), n) != 0))
                    mark(rec, s);
            }
            memcpy(d, nb, size);
            p += words;
            break;
        }
        case JIT_TRACE_LOAD:
        case JIT_TRACE_STORE:
        case JIT_TRACE_STORE_EXCL: {
            unsigned size = JIT_TRACE_SIZE(tag);
            size_t words = (size > 8 ? 4 : 3) + (kind == JIT_TRACE_STORE_EXCL);
            if (size == 0)
                BAD("memory access of size 0");
            if (left < words)
                BAD("truncated memory access item");
            if (!rec->pending)
                BAD("a memory access item before any INSN item");
            /* A failed store-exclusive left memory alone: no access to record. */
            if (kind != JIT_TRACE_STORE_EXCL || p[words - 1] == 0) {
                struct trace_insn *r = &rec->cur;
                if (r->n_mem >= TRACE_MAX_MEM)
                    BAD("an instruction made more memory accesses than a record holds");
                struct trace_mem_access *m = &rec->mem[r->n_mem++];
                m->va = p[1];
                m->size = (uint8_t)size;
                m->store = kind != JIT_TRACE_LOAD;
                m->has_value = size <= 16;
                m->lo = m->has_value ? p[2] & mask_lo(size) : 0;
                m->hi = m->has_value && size > 8 ? p[3] & mask_hi(size) : 0;
            }
            p += words;
            break;
        }
        case JIT_TRACE_BLOCK:
        case JIT_TRACE_BLOCK_DEF:
        case JIT_TRACE_BLOCK_ID:
        case JIT_TRACE_BLOCK_RUN:
            BAD("a block item in full mode");
        default:
            BAD("unknown item kind");
        }
    }
}
/* `count` entries of described block `id` in a row: without filters, all but the last
 * of a long run (the last stays pending) go to the writer in one call. */
static void block_run(struct trace_recorder *rec, uint32_t id, uint64_t count)
{
    const struct block_desc *d = &rec->descs[id];
    if (count == 0)
        return;
    if (count > (UINT64_MAX - rec->next_seq) / d->n) {
        internal(rec, "a block run overflows the sequence numbers", count);
        return;
    }
    if (rec->unfiltered && count > 64) {
        /* a long run: one writer call (short ones are cheaper in the batch) */
        finalize_block(rec);
        flush_ids(rec);
        if (!rec->dead && trace_writer_block_run(rec->w, rec->next_seq, id, count - 1) < 0)
            writer_failed(rec);
        rec->next_seq += (count - 1) * d->n;
        if (!rec->dead)
            start_block(rec, id, d->pc, d->pa, d->el, d->n, false);
        return;
    }
    for (uint64_t k = 0; k < count && !rec->dead; k++) {   /* each entry meets the filters */
        finalize_block(rec);
        start_block(rec, id, d->pc, d->pa, d->el, d->n, false);
    }
}

/* After this many entries in a row through the batch, the rest of the run skips it
 * (two writer calls per run would cost short runs more than the copy). */
enum { LONG_RUN_MIN = 64 };

/* The rest of a long run, from p (a BLOCK_ID item) on, straight from the item buffer to
 * the writer, without the batch's copy: the pending entry, then all but the run's last
 * item. Returns that item, now the pending entry, or NULL after an error. */
static const uint64_t *long_run(struct trace_recorder *rec, const uint64_t *p, const uint64_t *end)
{
    flush_ids(rec);
    if (rec->dead)
        return NULL;
    uint64_t seq;
    long run;
    if (trace_writer_blocks(rec->w, rec->blk_seq, &rec->blk_id, 1) < 0 ||
        (run = trace_writer_block_words(rec->w, rec->next_seq, p, (size_t)(end - p), 4, JIT_TRACE_BLOCK_ID, &seq)) < 1) {
        writer_failed(rec);
        return NULL;
    }
    const uint64_t *last = p + run - 1;
    uint64_t id = JIT_TRACE_ID(*last);
    if (id >= rec->cap_descs || !rec->descs[id].defined) {
        internal(rec, "an entry of a block never described", *last);
        return NULL;
    }
    const struct block_desc *d = &rec->descs[id];
    rec->next_seq = seq;
    start_block(rec, (uint32_t)id, d->pc, d->pa, d->el, d->n, false);
    return last;
}

/* A run of BLOCK_ID items from p on; where it ends. Without filters the common case,
 * an entry of a described block following another, only appends the earlier one's id to
 * the batch: the pending block's other fields are filled in once, after the run. */
static const uint64_t *block_ids(struct trace_recorder *rec, const uint64_t *p, const uint64_t *end)
{
    const unsigned cap = sizeof rec->ids / sizeof rec->ids[0];
    for (; p < end && JIT_TRACE_KIND(*p) == JIT_TRACE_BLOCK_ID && !rec->dead; p++) {
        uint64_t id = JIT_TRACE_ID(*p);
        if (id >= rec->cap_descs || !rec->descs[id].defined) {
            internal(rec, "an entry of a block never described", *p);
            return end;
        }
        if (!rec->unfiltered || !rec->blk_pending || rec->blk_id == BLK_NO_ID) {
            finalize_block(rec);
            const struct block_desc *d = &rec->descs[id];
            start_block(rec, (uint32_t)id, d->pc, d->pa, d->el, d->n, false);
            continue;
        }
        /* Without filters the batch is contiguous: finalize_block's work, inline. */
        uint32_t *ids = rec->ids, pend = rec->blk_id;
        unsigned n = rec->n_ids, run = 0;
        uint64_t seq, next = rec->next_seq;
        if (n == 0)
            rec->ids_seq = rec->blk_seq;
        for (;;) {
            ids[n++] = pend;
            pend = (uint32_t)id;
            seq = next;
            next += rec->descs[id].n;
            if (++p == end || JIT_TRACE_KIND(*p) != JIT_TRACE_BLOCK_ID || n == cap || ++run == LONG_RUN_MIN)
                break;
            id = JIT_TRACE_ID(*p);
            if (id >= rec->cap_descs || !rec->descs[id].defined)
                break;                        /* reported by the outer loop */
        }
        rec->n_ids = n;
        rec->ids_next = seq;
        const struct block_desc *d = &rec->descs[pend];
        rec->next_seq = seq;                  /* start_block makes it `next` again */
        start_block(rec, pend, d->pc, d->pa, d->el, d->n, false);
        if (n == cap)
            flush_ids(rec);
        if (run == LONG_RUN_MIN && p < end && JIT_TRACE_KIND(*p) == JIT_TRACE_BLOCK_ID) {
            if (!(p = long_run(rec, p, end)))
                return end;
            continue;                         /* past the run's last item, now pending */
        }
        p--;                                  /* the for loop's p++ */
    }
    return p;
}

/* Block mode's items: BLOCK_ID, BLOCK_DEF and BLOCK (anything else is a bug). A loop of
 * its own, since it runs once per block entered: an entry of a described block is a
 * table lookup and, without filters, an append to the batch. */
static void process_blocks(struct trace_recorder *rec, const uint64_t *p, const uint64_t *end)
{
    while (p < end && !rec->dead) {
        uint64_t tag = p[0];
        size_t left = (size_t)(end - p);
        uint8_t el;
        if (JIT_TRACE_KIND(tag) >= EV_FIRST) {
            if (!(p = take_event(rec, p, left)))
                return;
            continue;
        }
        switch (JIT_TRACE_KIND(tag)) {
        case JIT_TRACE_BLOCK_ID:
            p = block_ids(rec, p, end);
            break;
        case JIT_TRACE_BLOCK_RUN:
            if (left < 2)
                BAD("truncated BLOCK_RUN item");
            if (JIT_TRACE_ID(tag) >= rec->cap_descs || !rec->descs[JIT_TRACE_ID(tag)].defined)
                BAD("an entry of a block never described");
            block_run(rec, (uint32_t)JIT_TRACE_ID(tag), p[1]);
            p += 2;
            break;
        case JIT_TRACE_BLOCK_DEF: {
            size_t words = tag & JIT_TRACE_PA ? 4 : 3;
            if (left < words)
                BAD("truncated BLOCK_DEF item");
            if (!tag_el(tag, &el))
                BAD("EL out of range");
            if (p[1] >= JIT_TRACE_BLOCK_ID_LIMIT || JIT_TRACE_HIGH(tag) == 0)
                BAD("a block description with a bad id or no instructions");
            if (p[1] < rec->cap_descs && rec->descs[p[1]].defined)
                BAD("a block described twice");
            define_block(rec, p[1], p[2], words == 4 ? p[3] : p[2], el, JIT_TRACE_HIGH(tag));
            p += words;
            break;
        }
        case JIT_TRACE_BLOCK: {
            size_t words = tag & JIT_TRACE_PA ? 3 : 2;
            if (left < words)
                BAD("truncated BLOCK item");
            if (!tag_el(tag, &el))
                BAD("EL out of range");
            block_item(rec, p[1], words == 3 ? p[2] : p[1], el, JIT_TRACE_HIGH(tag));   /* no PA: as if identity mapped */
            p += words;
            break;
        }
        default: {
            static const char *const what[] = {
                [JIT_TRACE_INSN] = "an INSN item in block mode", [JIT_TRACE_REG] = "a REG item in block mode",
                [JIT_TRACE_REG_CHANGED] = "a REG item in block mode",
                [JIT_TRACE_LOAD] = "a memory access item in block mode",
                [JIT_TRACE_STORE] = "a memory access item in block mode",
                [JIT_TRACE_STORE_EXCL] = "a memory access item in block mode",
            };
            unsigned kind = JIT_TRACE_KIND(tag);
            BAD(kind < sizeof what / sizeof what[0] && what[kind] ? what[kind] : "unknown item kind");
        }
        }
    }
}

/* ---- replay mode ------------------------------------------------------------------- */

/* A chunk is cut at a state (an EV_RESUME) once it holds this many bytes. */
#define REPLAY_CHUNK_MIN_BYTES ((size_t)1 << 20)
#define REPLAY_BUFFER_MIN_WORDS ((size_t)1 << 16)

static size_t rp_bytes(const struct replay_chunk *c)
{
    return TRACE_REPLAY_HEAD + c->n_items * 8 + c->n_entries + c->n_slots + c->n_wslots;
}

/* Room for n more elements of size `size` in one of the chunk's parts (false: failed). */
static bool rp_grow(struct trace_recorder *rec, void **part, size_t *cap, size_t used, size_t n, size_t size);

static inline bool rp_room(struct trace_recorder *rec, void **part, size_t *cap, size_t used, size_t n, size_t size)
{
    return used + n <= *cap || rp_grow(rec, part, cap, used, n, size);
}

static bool rp_grow(struct trace_recorder *rec, void **part, size_t *cap, size_t used, size_t n, size_t size)
{
    if (rp_bytes(&rec->rp) + n * size > TRACE_REPLAY_CHUNK_MAX) {
        /* translated code hands buffers over every megabyte, each time with a state */
        fail(rec, "%s: internal error: %zu bytes of replay items without a state to cut them at", rec->path,
             rp_bytes(&rec->rp) + n * size);
        return false;
    }
    size_t ncap = *cap ? 2 * *cap : ((size_t)1 << 16);
    while (ncap < used + n)
        ncap *= 2;
    void *np = realloc(*part, ncap * size + 16);   /* slack: slots are copied in whole words */
    if (!np) {
        fail(rec, "%s: out of memory", rec->path);
        return false;
    }
    *part = np;
    *cap = ncap;
    return true;
}

/* Items go to the chunk's items, each announced by an escape in its entries (loads ride
 * with the instruction before them). */
static void rp_item(struct trace_recorder *rec, const uint64_t *w, size_t n, bool escape)
{
    struct replay_chunk *c = &rec->rp;
    if (!rp_room(rec, (void **)&c->items, &c->cap_items, c->n_items, n, 8) ||
        !rp_room(rec, (void **)&c->entries, &c->cap_entries, c->n_entries, 1, 1))
        return;
    memcpy(c->items + c->n_items, w, n * sizeof *w);
    c->n_items += n;
    if (escape)
        c->entries[c->n_entries++] = TRACE_REPLAY_ITEM;
}

static void rp_flush(struct trace_recorder *rec)
{
    struct replay_chunk *c = &rec->rp;
    if (c->open && !rec->dead &&
        trace_writer_replay_chunk(rec->w, c->first_seq, rec->next_seq, c->first_pc, c->last_pc, c->items, c->n_items,
                                  c->entries, c->n_entries, c->slots, c->n_slots, c->wslots, c->n_wslots) < 0)
        writer_failed(rec);
    c->n_items = c->n_entries = c->n_slots = c->n_wslots = 0;
    c->open = false;
    c->written++;
}

/* A chunk starts with the state at `resume` (an EV_RESUME item of `words` words). */
static void rp_start(struct trace_recorder *rec, const uint64_t *resume, size_t words)
{
    struct replay_chunk *c = &rec->rp;
    c->open = true;
    c->first_seq = rec->next_seq;
    c->first_pc = c->last_pc = state_pc(rec, resume + 1);
    c->n_numbered = 0;
    if (++c->gen == 0) {                  /* wrapped: every description is new to the chunk */
        for (uint32_t i = 0; i < rec->cap_rdescs; i++)
            rec->rdescs[i].gen = 0;
        c->gen = 1;
    }
    rp_item(rec, resume, words, true);
}

static void rp_define(struct trace_recorder *rec, const uint64_t *p, size_t words, uint32_t head)
{
    uint64_t id = p[1];
    if (trace_table_hold((void **)&rec->rdescs, &rec->cap_rdescs, id, sizeof *rec->rdescs) < 0 ||
        !(rec->rdescs[id].words = malloc(words * sizeof *p))) {
        fail(rec, "%s: out of memory for %" PRIu64 " block descriptions", rec->path, id + 1);
        return;
    }
    struct replay_desc *d = &rec->rdescs[id];
    memcpy(d->words, p, words * sizeof *p);
    d->n_words = (uint32_t)words;
    d->n = JIT_TRACE_HIGH(p[0]);
    d->slot_bytes = (uint32_t)p[head - 1];
    d->slot_words = (uint32_t)jit_trace_slot_words(d->slot_bytes);
    d->pc = p[2];
    d->gen = 0;                           /* described in a chunk when first entered */
}

/* Block d is described in the chunk before its first entry there, which numbers it. */
static inline void rp_describe(struct trace_recorder *rec, struct replay_desc *d)
{
    struct replay_chunk *c = &rec->rp;
    if (d->gen == c->gen)
        return;
    rp_item(rec, d->words, d->n_words, true);
    d->gen = c->gen;
    d->number = c->n_numbered++;
}

/* An entry of block d whose load values are at slots: its number in the chunk and its
 * values. */
static inline void rp_entry(struct trace_recorder *rec, struct replay_desc *d, const uint64_t *slots)
{
    struct replay_chunk *c = &rec->rp;
    rp_describe(rec, d);
    if (!rp_room(rec, (void **)&c->entries, &c->cap_entries, c->n_entries, 5, 1) ||
        !(d->slot_bytes & 7
              ? rp_room(rec, (void **)&c->slots, &c->cap_slots, c->n_slots, (size_t)d->slot_words * 8, 1)
              : rp_room(rec, (void **)&c->wslots, &c->cap_wslots, c->n_wslots, d->slot_bytes, 1)))
        return;
    uint8_t *e = c->entries + c->n_entries;
    uint32_t k = d->number;
    if (k < TRACE_BLOCK_BYTE_PAIR) {
        *e++ = (uint8_t)k;
    } else if (k < TRACE_REPLAY_SHORT_NUMBERS) {
        k -= TRACE_BLOCK_BYTE_PAIR;
        *e++ = (uint8_t)(TRACE_BLOCK_BYTE_PAIR + k / 256);
        *e++ = (uint8_t)k;
    } else {
        *e++ = TRACE_BLOCK_BYTE_WORD;
        memcpy(e, &k, 4);                 /* little-endian */
        e += 4;
    }
    c->n_entries = (size_t)(e - c->entries);
    /* whole words (the byte part has slack: the next entry's values overwrite the
     * excess); entries of whole words stay aligned in their own part */
    bool words = !(d->slot_bytes & 7);
    uint8_t *dst = words ? c->wslots + c->n_wslots : c->slots + c->n_slots;
    for (uint32_t i = 0; i < d->slot_words; i++)
        memcpy(dst + 8 * i, slots + i, 8);
    *(words ? &c->n_wslots : &c->n_slots) += d->slot_bytes;
}

/* A run of block entries (BLOCK_ID items and their values), the bulk of replay mode's
 * items, in a loop of its own: each is numbered and its values stored; the last one
 * stays pending (a fault may cut it short). Where the run ends, or NULL after an error. */
static const uint64_t *rp_entries(struct trace_recorder *rec, const uint64_t *p, const uint64_t *end)
{
    const struct replay_desc *last = NULL;
    uint32_t last_id = 0;
    uint64_t seq = rec->next_seq;            /* after the entries so far */
    while (p < end && JIT_TRACE_KIND(*p) == JIT_TRACE_BLOCK_ID) {
        uint64_t id = JIT_TRACE_ID(*p);
        if (id >= rec->cap_rdescs || !rec->rdescs[id].words) {
            rec->next_seq = seq;           /* for the message */
            internal(rec, "an entry of a block never described", *p);
            return NULL;
        }
        struct replay_desc *d = &rec->rdescs[id];
        if ((size_t)(end - p) < 1 + (size_t)d->slot_words) {
            rec->next_seq = seq;           /* for the message */
            internal(rec, "truncated block entry", *p);
            return NULL;
        }
        if (d->n > UINT64_MAX - seq) {
            rec->next_seq = seq;           /* for the message */
            internal(rec, "a loop of more instructions than sequence numbers", *p);
            return NULL;
        }
        rp_entry(rec, d, p + 1);
        if (rec->dead)
            return NULL;
        seq += d->n;
        last = d;
        last_id = (uint32_t)id;
        p += 1 + d->slot_words;
    }
    if (last) {
        rec->blk_pending = false;
        rec->next_seq = seq - last->n;
        start_block(rec, last_id, last->pc, last->pc, 0, last->n, false);
        rec->rp.last_pc = last->pc;
    }
    return p;
}

/* Replay mode's items go into chunks (a reader runs the instructions again on them),
 * cut at states: block entries as chunk-local block numbers with their load values in a
 * part of their own, the rest as they are. The recorder also counts instructions (a
 * fault may cut the last entry short) and checks the items' layout. */
static void process_replay(struct trace_recorder *rec, const uint64_t *p, const uint64_t *end)
{
    while (p < end && !rec->dead) {
        uint64_t tag = p[0];
        size_t left = (size_t)(end - p);
        unsigned kind = JIT_TRACE_KIND(tag);
        uint8_t el;
        if (!rec->rp.open && !(kind == EV_RESUME && (tag & EV_WITH_STATE)))
            BAD("an item before the first state in replay mode");
        switch (kind) {
        case JIT_TRACE_BLOCK_ID:
            if (!(p = rp_entries(rec, p, end)))
                return;
            break;
        case JIT_TRACE_BLOCK_RUN: {
            uint64_t id = JIT_TRACE_ID(tag);
            if (id >= rec->cap_rdescs || !rec->rdescs[id].words)
                BAD("an entry of a block never described");
            struct replay_desc *d = &rec->rdescs[id];
            if (left < 2)
                BAD("truncated block entry");
            if (d->slot_words)
                BAD("a loop of a block with loads");
            uint64_t count = p[1];
            rp_describe(rec, d);
            rp_item(rec, p, 2, true);
            if (count > (UINT64_MAX - rec->next_seq) / d->n)
                BAD("a loop of more instructions than sequence numbers");
            rec->blk_pending = false;
            if (count) {
                /* the last entry stays pending: a fault may cut it short */
                rec->next_seq += (count - 1) * d->n;
                start_block(rec, (uint32_t)id, d->pc, d->pc, 0, d->n, false);
            }
            rec->rp.last_pc = d->pc;
            p += 2;
            break;
        }
        case JIT_TRACE_BLOCK_DEF: {
            uint32_t head = tag & JIT_TRACE_PA ? 5 : 4, n = JIT_TRACE_HIGH(tag);
            size_t words = head + ((size_t)n + 1) / 2;
            if (!(tag & JIT_TRACE_DEF_SLOTS))
                BAD("a block description without slots in replay mode");
            if (left < words)
                BAD("truncated BLOCK_DEF item");
            if (!tag_el(tag, &el))
                BAD("EL out of range");
            if (p[1] >= JIT_TRACE_BLOCK_ID_LIMIT || n == 0 || p[head - 1] > TRACE_REPLAY_SLOT_BYTES_MAX)
                BAD("a block description with a bad id, no instructions or too many slots");
            if (p[1] < rec->cap_rdescs && rec->rdescs[p[1]].words)
                BAD("a block described twice");
            rp_define(rec, p, words, head);
            p += words;
            break;
        }
        case JIT_TRACE_INSN: {
            size_t words = tag & JIT_TRACE_PA ? 3 : 2;
            if (left < words)
                BAD("truncated INSN item");
            if (!tag_el(tag, &el))
                BAD("EL out of range");
            rp_item(rec, p, words, true);
            rec->next_seq++;
            rec->blk_pending = false;
            rec->rp.last_pc = p[1];
            p += words;
            break;
        }
        case JIT_TRACE_LOAD: {
            unsigned size = JIT_TRACE_SIZE(tag);
            size_t words = size > 8 ? 4 : 3;
            if (size == 0 || size > 16)
                BAD("a load of an invalid size");
            if (left < words)
                BAD("truncated LOAD item");
            rp_item(rec, p, words, false);
            p += words;
            break;
        }
        case EV_RESUME:
        case EV_EXIT:
        case EV_RETRACT:
        case EV_EXCEPTION:
        case EV_ADD_REG: {
            size_t words = event_words(rec, tag);
            if (left < words)
                BAD("truncated runner event");
            if (kind != EV_EXCEPTION && kind != EV_ADD_REG && !(tag & EV_WITH_STATE))
                BAD("a runner event without the state in replay mode");
            if (kind == EV_RESUME) {
                if (!rec->rp.open) {
                    rp_start(rec, p, words);
                } else if (rp_bytes(&rec->rp) >= REPLAY_CHUNK_MIN_BYTES && rec->next_seq > rec->rp.first_seq) {
                    /* the state ends this chunk too: what the runtime changed lands on
                     * the chunk's last instruction */
                    rp_item(rec, p, words, true);
                    rp_flush(rec);
                    rp_start(rec, p, words);
                } else {
                    rp_item(rec, p, words, true);
                }
                rec->blk_pending = false;
            } else {
                if (kind == EV_RETRACT || (kind == EV_EXIT && (tag & EV_UNDONE)))
                    cut_pending_block(rec, state_pc(rec, p + 1), kind == EV_EXIT);
                if (kind == EV_EXIT || kind == EV_RETRACT)
                    rec->blk_pending = false;
                rp_item(rec, p, words, true);
            }
            p += words;
            break;
        }
        default:
            BAD(kind == JIT_TRACE_REG || kind == JIT_TRACE_REG_CHANGED || kind == JIT_TRACE_STORE ||
                        kind == JIT_TRACE_STORE_EXCL || kind == JIT_TRACE_BLOCK
                    ? "a full-mode or block-mode item in replay mode"
                    : "unknown item kind");
        }
    }
}
#undef BAD

/* ---- the consumer thread ---------------------------------------------------------- */

static void process_items(struct trace_recorder *rec, const uint64_t *base, const uint64_t *end)
{
    if (!rec->dead)
        rec->full ? process(rec, base, end) : rec->replay ? process_replay(rec, base, end) : process_blocks(rec, base, end);
    atomic_store_explicit(&rec->seq_done, rec->next_seq, memory_order_relaxed);
}

static void *consumer_main(void *arg)
{
    struct trace_recorder *rec = arg;
    pthread_mutex_lock(&rec->lock);
    for (;;) {
        while (!rec->job_base && !rec->stop)
            pthread_cond_wait(&rec->cond, &rec->lock);
        if (!rec->job_base)
            break;
        const uint64_t *base = rec->job_base, *end = rec->job_end;
        pthread_mutex_unlock(&rec->lock);
        process_items(rec, base, end);
        pthread_mutex_lock(&rec->lock);
        rec->job_base = NULL;
        atomic_store_explicit(&rec->busy, false, memory_order_relaxed);
        pthread_cond_broadcast(&rec->cond);
    }
    pthread_mutex_unlock(&rec->lock);
    return NULL;
}

/* Waits until the consumer has finished the buffer it was given: from then on this
 * thread may touch the recorder's state. */
static void wait_idle(struct trace_recorder *rec)
{
    if (!rec->have_consumer)
        return;
    pthread_mutex_lock(&rec->lock);
    while (rec->job_base)
        pthread_cond_wait(&rec->cond, &rec->lock);
    pthread_mutex_unlock(&rec->lock);
}

static void settle(struct trace_recorder *rec);

static inline uint64_t *active_end(const struct trace_recorder *rec)
{
    return rec->bufs[rec->active] + rec->buf_words;
}

static inline void reset_limit(struct trace_recorder *rec)
{
    rec->buf.limit = rec->buf.base + rec->step_words;
}

/* The consumer takes the active buffer and items go to the other one meanwhile (once
 * the consumer has finished the one before). */
static void switch_buffer(struct trace_recorder *rec)
{
    uint64_t *base = rec->buf.base, *cur = rec->buf.cursor;
    wait_idle(rec);
    if (!rec->have_consumer || rec->dead || cur <= base || cur > active_end(rec)) {
        settle(rec);                      /* after wait_idle, this thread may read `dead` */
        return;
    }
    pthread_mutex_lock(&rec->lock);
    rec->job_base = base;
    rec->job_end = cur;
    atomic_store_explicit(&rec->busy, true, memory_order_relaxed);
    pthread_cond_broadcast(&rec->cond);
    pthread_mutex_unlock(&rec->lock);
    rec->active ^= 1;
    rec->buf.base = rec->buf.cursor = rec->bufs[rec->active];
    reset_limit(rec);
}

/* The drain hook: items reached the soft limit. While the consumer is busy, the limit
 * moves on and items keep filling this buffer (a switch would only wait for the
 * consumer): switches are few where recording is the bottleneck. Once the consumer is
 * idle, or the buffer full, it gets what there is: where recording keeps up, it starts
 * early and the run's end does not wait for a whole buffer's processing (with 8 MB
 * switched only when full, sha256's block-mode trace, 6 MB of items, was processed
 * after the guest had finished). */
static void hand_off(void *ctx)
{
    struct trace_recorder *rec = ctx;
    uint64_t *end = active_end(rec), *cur = rec->buf.cursor;
    if (rec->buf.limit < end && cur < end && (size_t)(end - cur) > SOFT_ROOM_MIN_WORDS &&
        atomic_load_explicit(&rec->busy, memory_order_relaxed)) {
        uint64_t *from = cur > rec->buf.limit ? cur : rec->buf.limit;
        rec->buf.limit = (size_t)(end - from) > rec->step_words ? from + rec->step_words : end;
        return;
    }
    switch_buffer(rec);
}

/* Consumes everything buffered, here (before every runner call): the runner's view of
 * the state and the recorder's agree afterwards. */
static void settle(struct trace_recorder *rec)
{
    wait_idle(rec);
    uint64_t *base = rec->buf.base, *cur = rec->buf.cursor;
    rec->buf.cursor = base;
    reset_limit(rec);
    if (!rec->dead && cur > base && cur <= active_end(rec))
        process_items(rec, base, cur);
    else if (!rec->dead && cur > active_end(rec))
        internal(rec, "the item buffer overflowed", 0);
}

static void stop_consumer(struct trace_recorder *rec)
{
    if (!rec->have_consumer)
        return;
    pthread_mutex_lock(&rec->lock);
    rec->stop = true;
    pthread_cond_broadcast(&rec->cond);
    pthread_mutex_unlock(&rec->lock);
    pthread_join(rec->consumer, NULL);
    rec->have_consumer = false;
}

/* ---- runner events ---------------------------------------------------------------- */

/* What the runner reports between runs of guest code happens here, in item order, on
 * whichever thread processes the items (event items, or a direct call when an event
 * does not fit the buffer). `state` is the guest state at the event (full mode). */

static void on_run_resume(struct trace_recorder *rec, const void *state)
{
    if (!rec->full) {
        /* The runtime ran in between: the next instruction starts another block. */
        finalize_block(rec);
        return;
    }
    if (rec->have_state && rec->pending && memcmp(rec->shadow, state, rec->arch.state_size) != 0) {
        for (unsigned i = 0; i < rec->n_sync; i++) {
            unsigned id = rec->slot_id[rec->sync_slots[i]];
            uint64_t alo, ahi, blo, bhi;
            rec->arch.reg_value(rec->shadow, id, &alo, &ahi);
            rec->arch.reg_value(state, id, &blo, &bhi);
            if (alo != blo || ahi != bhi)
                mark(rec, rec->sync_slots[i]);
        }
    }
    memcpy(rec->shadow, state, rec->arch.state_size);
    rec->have_state = true;
    /* The record stays open until the next instruction starts: an exception taken
     * before that (a fetch abort at a branch's target, after a run boundary that the
     * machine's tick put in between) is the last instruction's, as it is without the
     * boundary. */
}

static void on_run_exit(struct trace_recorder *rec, const void *state, uint64_t pc, bool undone)
{
    if (!rec->full) {
        if (undone)
            cut_pending_block(rec, pc, true);
        return;
    }
    if (undone && rec->pending) {
        /* The state is precise at the faulting instruction's start: what it wrote to
         * registers never happened (its accesses before the fault did). */
        rec->n_written = 0;
        new_stamp(rec);
    }
    memcpy(rec->shadow, state, rec->arch.state_size);
    rec->have_state = true;
}

static void on_run_retract(struct trace_recorder *rec, const void *state, uint64_t pc)
{
    if (!rec->full) {
        cut_pending_block(rec, pc, false);
        return;
    }
    if (rec->pending && rec->cur.pc == pc) {
        rec->pending = false;
        rec->next_seq--;
    }
    /* The retracted instruction's register items reached the shadow; the state is
     * precise before it. */
    memcpy(rec->shadow, state, rec->arch.state_size);
    rec->have_state = true;
}

static void on_run_exception(struct trace_recorder *rec, const struct trace_exception *e)
{
    if (!rec->full || !rec->pending)
        return;
    rec->cur.has_exception = true;
    rec->cur.exc = *e;
}

/* Event items: jit_trace.h describes their layout (EV_UNDONE, EV_WITH_STATE above). */

static size_t state_words(const struct trace_recorder *rec)
{
    return jit_trace_state_words(rec->arch.state_size);
}

/* The words of the event item whose tag is at p (0: not an event, or truncated). */
static size_t event_words(const struct trace_recorder *rec, uint64_t tag)
{
    switch (JIT_TRACE_KIND(tag)) {
    case EV_ADD_REG: return 3;
    case EV_EXCEPTION: return 4;
    case EV_RESUME: return 1 + (tag & EV_WITH_STATE ? state_words(rec) : 0);
    case EV_EXIT:
    case EV_RETRACT: return 1 + (tag & EV_WITH_STATE ? state_words(rec) : 1);
    default: return 0;
    }
}

/* Applies the event item at p, of `words` words (event_words). */
static void apply_event(struct trace_recorder *rec, const uint64_t *p)
{
    uint64_t tag = p[0];
    const void *state = NULL;
    uint64_t pc = 0;
    if ((JIT_TRACE_KIND(tag) == EV_RESUME || JIT_TRACE_KIND(tag) == EV_EXIT || JIT_TRACE_KIND(tag) == EV_RETRACT)) {
        if (tag & EV_WITH_STATE) {
            /* the state struct may need more alignment than the buffer's words have */
            memcpy(rec->event_state, p + 1, rec->arch.state_size);
            state = rec->event_state;
            pc = state_pc(rec, state);
        } else if (JIT_TRACE_KIND(tag) != EV_RESUME) {
            pc = p[1];
        }
        if (rec->full && !state) {
            internal(rec, "a runner event without the state in full mode", tag);
            return;
        }
    }
    switch (JIT_TRACE_KIND(tag)) {
    case EV_RESUME: on_run_resume(rec, state); break;
    case EV_EXIT: on_run_exit(rec, state, pc, (tag & EV_UNDONE) != 0); break;
    case EV_RETRACT: on_run_retract(rec, state, pc); break;
    case EV_EXCEPTION: {
        struct trace_exception e = trace_exception_of_item(p);
        on_run_exception(rec, &e);
        break;
    }
    case EV_ADD_REG: add_reg(rec, (uint16_t)(tag >> 16), p[1], p[2]); break;
    }
}

/* Applies the event item at p (`left` words in the buffer from p on); where the next
 * item starts, or NULL after an internal error. */
static const uint64_t *take_event(struct trace_recorder *rec, const uint64_t *p, size_t left)
{
    size_t words = event_words(rec, p[0]);
    if (left < words) {
        internal(rec, "truncated runner event", p[0]);
        return NULL;
    }
    apply_event(rec, p);
    return p + words;
}

/* ---- runner interface ------------------------------------------------------------- */

struct jit_trace_buf *trace_recorder_buffer(struct trace_recorder *rec)
{
    return &rec->buf;
}

static bool failed(const struct trace_recorder *rec)
{
    return atomic_load_explicit(&rec->failed, memory_order_acquire);
}

/* Appends an event item of `words` words: tag, then the state or the given words (as
 * jit_trace.h lays them out); one too large for the buffer is applied here after
 * everything before it. */
static void post_event(struct trace_recorder *rec, uint64_t tag, const void *state, const uint64_t *extra,
                       unsigned n_extra)
{
    if (failed(rec))
        return;
    size_t words = 1 + (state ? state_words(rec) : n_extra);
    uint64_t *tmp = NULL, *p;
    if (words > rec->buf_words) {
        settle(rec);
        p = tmp = malloc(words * sizeof *tmp);
        if (!tmp) {
            fail(rec, "%s: out of memory", rec->path);
            return;
        }
    } else {
        p = jit_trace_reserve(&rec->buf, (unsigned)words);
    }
    if (state) {
        jit_trace_write_state_event(p, JIT_TRACE_KIND(tag), (unsigned)(tag & EV_UNDONE), state,
                                    rec->arch.state_size, true, 0);
    } else {
        p[0] = tag;
        memcpy(p + 1, extra, n_extra * sizeof *extra);
    }
    if (tmp) {
        if (!rec->dead)
            apply_event(rec, tmp);
        free(tmp);
    }
}

/* The state for an event: whole in full mode; in block mode only the PC matters. */
static void post_state_event(struct trace_recorder *rec, unsigned kind, unsigned flags, const void *state)
{
    if (rec->with_state) {
        post_event(rec, kind | flags | EV_WITH_STATE, state, NULL, 0);
    } else {
        uint64_t pc = state_pc(rec, state);
        post_event(rec, kind | flags, NULL, &pc, kind == EV_RESUME ? 0 : 1);
    }
}

void trace_recorder_resume(struct trace_recorder *rec, const void *state)
{
    post_state_event(rec, EV_RESUME, 0, state);
}

void trace_recorder_exit(struct trace_recorder *rec, const void *state, bool undone)
{
    post_state_event(rec, EV_EXIT, undone ? EV_UNDONE : 0, state);
}

void trace_recorder_retract(struct trace_recorder *rec, const void *state)
{
    post_state_event(rec, EV_RETRACT, 0, state);
}

void trace_recorder_exception(struct trace_recorder *rec, const struct trace_exception *e)
{
    if (!rec->with_state)
        return;
    uint64_t w[3] = { e->esr, e->far, e->target_pc };
    post_event(rec, jit_trace_exception_tag(e->is_interrupt, e->target_el, e->ec), NULL, w, 3);
}

void trace_recorder_add_reg(struct trace_recorder *rec, uint16_t id, uint64_t lo, uint64_t hi)
{
    if (!rec->with_state)
        return;
    uint64_t w[2] = { lo, hi };
    post_event(rec, jit_trace_add_reg_tag(id), NULL, w, 2);
}

int trace_recorder_append(struct trace_recorder *rec, const uint64_t *items, size_t words)
{
    if (failed(rec))
        return -1;
    if (words > rec->buf_words) {
        fail(rec, "%s: a batch of %zu trace words is larger than the recorder's buffer (%zu)", rec->path, words,
             rec->buf_words);
        return -1;
    }
    if (words > (size_t)(active_end(rec) - rec->buf.cursor))
        switch_buffer(rec);
    memcpy(rec->buf.cursor, items, words * sizeof *items);
    rec->buf.cursor += words;
    return failed(rec) ? -1 : 0;
}

const char *trace_recorder_error(const struct trace_recorder *rec)
{
    return failed(rec) ? rec->err : NULL;
}

void trace_recorder_sync(struct trace_recorder *rec)
{
    settle(rec);
}

uint64_t trace_recorder_instructions(struct trace_recorder *rec)
{
    settle(rec);
    return rec->next_seq;
}

bool trace_recorder_window_done(const struct trace_recorder *rec)
{
    return atomic_load_explicit(&rec->seq_done, memory_order_relaxed) >= rec->win_hi;
}

/* ---- open and close --------------------------------------------------------------- */

static bool valid_id(long id)
{
    return id >= 0 && id <= (long)TRACE_REG_ID_MAX && id != TRACE_REG_PC &&
           (id < (long)TRACE_REG_NUM_CORE || id >= (long)TRACE_REG_SYSREG_BASE);
}

static void free_rec(struct trace_recorder *rec)
{
    stop_consumer(rec);
    trace_buffer_free(rec->bufs[0], rec->buf_words * sizeof(uint64_t));
    trace_buffer_free(rec->bufs[1], rec->buf_words * sizeof(uint64_t));
    if (rec->lock_ready) {
        pthread_mutex_destroy(&rec->lock);
        pthread_cond_destroy(&rec->cond);
    }
    free(rec->shadow);
    free(rec->event_state);
    free(rec->slot_of);
    free(rec->run_len);
    free(rec->slot_id);
    free(rec->sync_slots);
    free(rec->stamp);
    free(rec->written);
    free(rec->descs);
    for (uint32_t i = 0; i < rec->cap_rdescs; i++)
        free(rec->rdescs[i].words);
    free(rec->rdescs);
    free(rec->rp.items);
    free(rec->rp.entries);
    free(rec->rp.slots);
    free(rec->rp.wslots);
    free(rec->path);
    free(rec);
}

static void describe_filters(const struct trace_recorder_options *o, char *out, size_t size)
{
    size_t n = 0;
    out[0] = 0;
#define ADD(...)                                                                            \
    do {                                                                                    \
        if (n < size)                                                                       \
            n += (size_t)snprintf(out + n, size - n, __VA_ARGS__);                          \
    } while (0)
    for (unsigned i = 0; i < o->n_pc_ranges; i++)
        ADD("%s0x%" PRIx64 "..0x%" PRIx64, i ? "," : "pc=", o->pc_lo[i], o->pc_hi[i]);
    if (o->skip)
        ADD("%sskip=%" PRIu64, n ? " " : "", o->skip);
    if (o->count)
        ADD("%scount=%" PRIu64, n ? " " : "", o->count);
    if (o->el >= 0)
        ADD("%sel=%d", n ? " " : "", o->el);
#undef ADD
}

/* Register slots: every id some state byte belongs to or the runtime may change, in
 * ascending order. NULL message on success. */
static const char *build_tables(struct trace_recorder *rec)
{
    const struct trace_recorder_arch *a = &rec->arch;
    uint32_t size = a->state_size;
    uint16_t *slot_of_id = malloc(N_REG_IDS * sizeof *slot_of_id);
    rec->slot_of = malloc((size_t)size * sizeof *rec->slot_of);
    rec->run_len = malloc(size);
    rec->sync_slots = malloc((a->n_sync_regs + 1u) * sizeof *rec->sync_slots);
    if (!slot_of_id || !rec->slot_of || !rec->run_len || !rec->sync_slots) {
        free(slot_of_id);
        return "out of memory";
    }
    memset(slot_of_id, 0xff, N_REG_IDS * sizeof *slot_of_id);
    for (uint32_t o = 0; o < size; o++) {
        int id = a->reg_of_offset(o);
        if (id == -1)
            continue;
        if (!valid_id(id)) {
            free(slot_of_id);
            return "the architecture maps a state byte to an invalid register id";
        }
        slot_of_id[id] = 0;
    }
    for (unsigned i = 0; i < a->n_sync_regs; i++) {
        if (!valid_id(a->sync_regs[i])) {
            free(slot_of_id);
            return "the architecture lists an invalid register id to synchronise";
        }
        slot_of_id[a->sync_regs[i]] = 0;
    }
    unsigned n = 0;
    for (unsigned id = 0; id < N_REG_IDS; id++)
        if (slot_of_id[id] != SLOT_NONE)
            slot_of_id[id] = (uint16_t)n++;
    rec->n_slots = n;
    rec->slot_id = malloc((n + 1u) * sizeof *rec->slot_id);
    rec->stamp = calloc(n + 1u, sizeof *rec->stamp);
    rec->written = malloc((n + 1u) * sizeof *rec->written);
    if (!rec->slot_id || !rec->stamp || !rec->written) {
        free(slot_of_id);
        return "out of memory";
    }
    for (unsigned id = 0; id < N_REG_IDS; id++)
        if (slot_of_id[id] != SLOT_NONE)
            rec->slot_id[slot_of_id[id]] = (uint16_t)id;
    for (uint32_t o = 0; o < size; o++) {
        int id = a->reg_of_offset(o);
        rec->slot_of[o] = id == -1 ? SLOT_NONE : slot_of_id[id];
    }
    for (uint32_t o = size; o-- > 0;) {
        unsigned run = o + 1 < size && rec->slot_of[o + 1] == rec->slot_of[o] ? rec->run_len[o + 1] + 1u : 1u;
        rec->run_len[o] = (uint8_t)(run > 255 ? 255 : run);
    }
    for (unsigned i = 0; i < a->n_sync_regs; i++)
        rec->sync_slots[i] = slot_of_id[a->sync_regs[i]];
    rec->n_sync = a->n_sync_regs;
    free(slot_of_id);
    return NULL;
}

struct trace_recorder *trace_recorder_open(const char *path, const struct trace_recorder_arch *arch,
                                           const struct trace_recorder_options *options, char *err,
                                           size_t err_size)
{
    const char *why = NULL;
    struct trace_recorder *rec = calloc(1, sizeof *rec);
    if (!rec || !(rec->path = strdup(path))) {
        why = "out of memory";
        goto fail;
    }
    if (options->mode != JIT_TRACE_FULL && options->mode != JIT_TRACE_BLOCKS && options->mode != JIT_TRACE_REPLAY) {
        why = "invalid trace mode";
        goto fail;
    }
    if (options->mode == JIT_TRACE_REPLAY &&
        (options->n_pc_ranges || options->skip || options->count || options->el >= 0)) {
        why = "a replay trace records everything: no filters (record a full trace to filter)";
        goto fail;
    }
    if (options->n_pc_ranges > TRACE_RECORDER_MAX_PC_RANGES) {
        why = "too many PC ranges";
        goto fail;
    }
    if (options->el < -1 || options->el > 3) {
        why = "EL filter out of range";
        goto fail;
    }
    /* Item offsets are 23 bits wide; the PC must lie inside the state. */
    if (arch->state_size == 0 || arch->state_size > 0x800000u || arch->insn_bytes == 0 ||
        (uint64_t)arch->pc_offset + 8 > arch->state_size || !arch->reg_of_offset || !arch->reg_value ||
        (arch->n_sync_regs && !arch->sync_regs)) {
        why = "invalid architecture description";
        goto fail;
    }
    rec->arch = *arch;
    rec->full = options->mode == JIT_TRACE_FULL;
    rec->replay = options->mode == JIT_TRACE_REPLAY;
    rec->with_state = rec->full || rec->replay;
    rec->next_seq = options->first_seq;
    rec->el = options->el;
    rec->n_pc_ranges = options->n_pc_ranges;
    memcpy(rec->pc_lo, options->pc_lo, sizeof rec->pc_lo);
    memcpy(rec->pc_hi, options->pc_hi, sizeof rec->pc_hi);
    rec->win_lo = options->skip;
    rec->win_hi = options->count == 0 || options->skip + options->count < options->skip
                      ? UINT64_MAX
                      : options->skip + options->count;
    rec->unfiltered = !rec->full && rec->win_lo == 0 && rec->win_hi == UINT64_MAX && rec->el < 0 &&
                      rec->n_pc_ranges == 0;
    if ((why = build_tables(rec)))
        goto fail;

    size_t shadow_size = ((size_t)arch->state_size + 63) & ~(size_t)63;
    rec->shadow = aligned_alloc(64, shadow_size);
    rec->event_state = aligned_alloc(64, shadow_size);
    size_t words = options->buffer_words ? options->buffer_words : DEFAULT_BUFFER_WORDS;
    if (words < JIT_TRACE_MAX_ITEM_WORDS)
        words = JIT_TRACE_MAX_ITEM_WORDS;
    if (rec->replay && words < REPLAY_BUFFER_MIN_WORDS)
        words = REPLAY_BUFFER_MIN_WORDS;  /* events with the state, an interpreted instruction */
    rec->buf_words = words;
    rec->step_words = words >= SOFT_LIMIT_MIN_WORDS ? words / SOFT_LIMITS : words;
    rec->bufs[0] = trace_buffer_alloc(words * sizeof(uint64_t));
    rec->bufs[1] = trace_buffer_alloc(words * sizeof(uint64_t));
    if (!rec->shadow || !rec->event_state || !rec->bufs[0] || !rec->bufs[1]) {
        why = "out of memory";
        goto fail;
    }
    rec->buf.base = rec->bufs[0];
    memset(rec->shadow, 0, shadow_size);
    rec->buf.mode = options->mode;
    rec->buf.cursor = rec->buf.base;
    reset_limit(rec);
    rec->buf.drain = hand_off;
    rec->buf.drain_ctx = rec;
    rec->cur.regs = rec->regs;
    rec->cur.mem = rec->mem;
    rec->cur.has_values = true;

    char filters[TRACE_RECORDER_MAX_PC_RANGES * 40 + 128];
    describe_filters(options, filters, sizeof filters);
    struct trace_file_info info = {
        .arch = arch->arch,
        .mode = rec->full ? TRACE_MODE_FULL : rec->replay ? TRACE_MODE_REPLAY : TRACE_MODE_BLOCK,
        .flags = (rec->with_state ? TRACE_FLAG_VALUES : 0) | (options->physical ? TRACE_FLAG_PA : 0),
        .command_line = options->command_line,
        .filters = filters,
        .codec = options->codec,
        .chunk_records = options->chunk_records,
    };
    rec->w = trace_writer_open(path, &info, err, err_size);
    if (!rec->w) {
        free_rec(rec);
        return NULL;
    }
    pthread_mutex_init(&rec->lock, NULL);
    pthread_cond_init(&rec->cond, NULL);
    rec->lock_ready = true;
    /* Without the thread, items are processed when the buffer fills (slower, the same). */
    rec->have_consumer = trace_start_thread(&rec->consumer, consumer_main, rec) == 0;
    return rec;

fail:
    if (err && err_size)
        snprintf(err, err_size, "%s: %s", path, why);
    if (rec)
        free_rec(rec);
    return NULL;
}

int trace_recorder_close(struct trace_recorder *rec, struct trace_writer_stats *stats, char *err,
                         size_t err_size)
{
    settle(rec);
    if (!rec->dead) {
        if (rec->full) {
            finalize_insn(rec);
        } else if (rec->replay) {
            /* a last piece without instructions only repeats the state the chunk before ends with */
            if (rec->rp.open && (rec->next_seq > rec->rp.first_seq || rec->rp.written == 0))
                rp_flush(rec);
        } else {
            finalize_block(rec);
        }
        flush_ids(rec);
    }
    char werr[1024] = "";
    int rc = trace_writer_close_stats(rec->w, stats, werr, sizeof werr);
    const char *msg = rec->err[0] ? rec->err : rc < 0 ? werr : NULL;
    if (msg && err && err_size)
        snprintf(err, err_size, "%s", msg);
    free_rec(rec);
    return msg ? -1 : 0;
}

void trace_recorder_abort(struct trace_recorder *rec)
{
    stop_consumer(rec);                   /* it may be using the writer */
    trace_writer_abort(rec->w);
    free_rec(rec);
}
