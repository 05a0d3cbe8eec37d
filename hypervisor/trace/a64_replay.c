/* Replay-mode traces of AArch64 guests, read back: a chunk's items (jit/jit_trace.h,
 * replay mode) say which blocks ran, with the values their loads read, and give the
 * state wherever the runtime ran. This file runs those instructions again in the
 * generated interpreter with a memory that answers loads from the recorded values, and
 * feeds what the interpreter does (its full-mode items) and the runner's events to a
 * full-mode recorder: the records are those a full trace of the run would hold. The
 * items come from a file: every length and id is checked, and a state that the
 * instructions run again do not reproduce is reported, never papered over. */
#include "hypervisor/trace/a64_replay.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"
#include "arch/aarch64/trace_regs.h"
#include "hypervisor/trace/trace_recorder.h"

/* A chunk that expands to more instructions than this is refused (its full records
 * would not fit in memory). */
#define EXPAND_MAX_INSNS ((uint64_t)1 << 32)

struct replay_block {
    uint32_t id;                  /* UINT32_MAX: empty slot of the table */
    uint32_t n, slot_bytes;
    int el;
    bool has_pa;
    uint64_t pc, pa;
    const uint64_t *enc;          /* (n + 1) / 2 words of the chunk, two encodings each */
};

struct replayer {
    struct a64_state s;
    struct jit_memory mem;
    struct jit_system_memory sys;
    struct trace_recorder *rec;
    struct jit_trace_buf *items;  /* the recorder's buffer */
    /* the values the next instruction's loads read */
    const uint8_t *slot, *slot_end;
    bool slots_short;             /* a load found no value left */
    bool fault_armed;             /* the instruction faulted at fault_va when recorded */
    uint64_t fault_va;
    struct replay_block *blocks;  /* open addressing by id */
    uint32_t blocks_mask, n_blocks;
    uint64_t first_seq, seq, end_seq;
    char *err;
    size_t err_size;
};

static int fail(struct replayer *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct replayer *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->err_size, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- the memory the interpreter sees ----------------------------------------------- */

static bool faults_here(const struct replayer *r, uint64_t va, unsigned size)
{
    uint64_t plain = jit_memory_untag(&r->mem, va);
    return r->fault_armed && (r->fault_va - va < size || r->fault_va - plain < size);
}

static bool replay_load(void *ctx, uint64_t va, unsigned size, bool unpriv, uint64_t *value)
{
    (void)unpriv;
    struct replayer *r = ctx;
    if (faults_here(r, va, size))
        return false;
    uint64_t v = 0;
    if ((size_t)(r->slot_end - r->slot) < size) {
        r->slots_short = true;
    } else {
        memcpy(&v, r->slot, size);
        r->slot += size;
    }
    *value = v;
    return true;
}

static bool replay_store(void *ctx, uint64_t va, unsigned size, bool unpriv, uint64_t value)
{
    (void)unpriv, (void)value;
    return !faults_here(ctx, va, size);
}

static bool replay_fetch(void *ctx, uint64_t va, uint32_t *insn, uint64_t *pa)
{
    (void)ctx, (void)va, (void)insn, (void)pa;
    return false;                         /* the chunk says what ran */
}

/* ---- block descriptions ------------------------------------------------------------ */

static struct replay_block *find_block(const struct replayer *r, uint32_t id)
{
    if (!r->blocks)
        return NULL;
    for (uint32_t h = (id * 2654435761u) & r->blocks_mask;; h = (h + 1) & r->blocks_mask) {
        struct replay_block *b = &r->blocks[h];
        if (b->id == id)
            return b;
        if (b->id == UINT32_MAX)
            return NULL;
    }
}

static int add_block(struct replayer *r, const struct replay_block *nb)
{
    struct replay_block *old = find_block(r, nb->id);
    if (old) {
        *old = *nb;
        return 0;
    }
    if (2 * (r->n_blocks + 1) > r->blocks_mask + 1 || !r->blocks) {
        uint32_t cap = r->blocks ? 2 * (r->blocks_mask + 1) : 1024;
        struct replay_block *t = malloc(cap * sizeof *t), *prev = r->blocks;
        if (!t)
            return fail(r, "out of memory for block descriptions");
        for (uint32_t i = 0; i < cap; i++)
            t[i].id = UINT32_MAX;
        uint32_t prev_cap = r->blocks ? r->blocks_mask + 1 : 0;
        r->blocks = t;
        r->blocks_mask = cap - 1;
        for (uint32_t i = 0; i < prev_cap; i++)
            if (prev[i].id != UINT32_MAX)
                for (uint32_t h = (prev[i].id * 2654435761u) & r->blocks_mask;; h = (h + 1) & r->blocks_mask)
                    if (t[h].id == UINT32_MAX) {
                        t[h] = prev[i];
                        break;
                    }
        free(prev);
    }
    for (uint32_t h = (nb->id * 2654435761u) & r->blocks_mask;; h = (h + 1) & r->blocks_mask)
        if (r->blocks[h].id == UINT32_MAX) {
            r->blocks[h] = *nb;
            r->n_blocks++;
            return 0;
        }
}

/* ---- running instructions again ---------------------------------------------------- */

static int diverged(struct replayer *r, const struct a64_state *recorded, const char *where)
{
    const uint8_t *a = (const uint8_t *)&r->s, *b = (const uint8_t *)recorded;
    size_t off = 0;
    while (off < sizeof r->s && a[off] == b[off])
        off++;
    return fail(r, "the recording and the instructions run again disagree %s instruction %" PRIu64
                   " (state byte %zu: recorded 0x%02x, run again 0x%02x; PC recorded 0x%" PRIx64 ", run again 0x%" PRIx64 ")",
                where, r->seq, off, b[off], a[off], recorded->PC, r->s.PC);
}

/* The next instruction's record starts (its INSN item for the full-mode recorder). */
static int record_insn(struct replayer *r, uint64_t pc, uint32_t encoding, bool has_pa, uint64_t pa, int el)
{
    if (r->seq >= r->end_seq)
        return fail(r, "more instructions than the chunk's range (%" PRIu64 ")", r->end_seq);
    if (has_pa)
        jit_trace_insn_pa(r->items, pc, pa, encoding, (unsigned)el);
    else
        jit_trace_insn(r->items, pc, encoding, (unsigned)el);
    r->seq++;
    return 0;
}

/* Runs one instruction whose loads read [slot, slot_end). */
static int run_insn(struct replayer *r, uint64_t pc, uint32_t encoding, bool has_pa, uint64_t pa, int el,
                    bool faulted, uint64_t fault_va)
{
    r->s.PC = jit_memory_untag(&r->mem, r->s.PC);
    if (r->s.PC != pc)
        return fail(r, "the recording ran instruction %" PRIu64 " at 0x%" PRIx64 ", the instructions run again went to 0x%" PRIx64,
                    r->seq, pc, r->s.PC);
    if (record_insn(r, pc, encoding, has_pa, pa, el) != 0)
        return -1;
    r->fault_armed = faulted;
    r->fault_va = fault_va;
    uint64_t info = 0;
    a64_interp_insn(&r->s, &r->mem, encoding, &info);   /* an exit's effects come with the next event */
    r->fault_armed = false;
    if (r->slots_short)
        return fail(r, "instruction %" PRIu64 " at 0x%" PRIx64 " loads more than the recording has values for", r->seq - 1,
                    pc);
    return 0;
}

/* How the item at p (if any) cuts an entry of block b short: the number of its
 * instructions that ran (b->n: all), whether the last of them faulted, and where. */
static uint32_t entry_cut(const struct replayer *r, const struct replay_block *b, const uint64_t *p,
                          const uint64_t *end, bool *faulted, uint64_t *fault_va)
{
    *faulted = false;
    *fault_va = 0;
    size_t state_words = jit_trace_state_words(sizeof r->s);
    if (!p || p >= end)                   /* NULL: not the last entry of a loop */
        return b->n;
    unsigned kind = JIT_TRACE_KIND(p[0]);
    if ((kind != JIT_TRACE_EV_EXIT || !(p[0] & JIT_TRACE_EV_UNDONE)) && kind != JIT_TRACE_EV_RETRACT)
        return b->n;
    if (!(p[0] & JIT_TRACE_EV_WITH_STATE) || (size_t)(end - p) < 1 + state_words)
        return b->n;                      /* the event loop reports it */
    uint64_t pc;
    memcpy(&pc, (const uint8_t *)(p + 1) + A64_PC_OFFSET, sizeof pc);
    if (pc < b->pc || (pc - b->pc) / 4 >= b->n)
        return b->n;
    uint32_t before = (uint32_t)((pc - b->pc) / 4);
    if (kind == JIT_TRACE_EV_RETRACT)
        return before;
    *faulted = true;
    const uint64_t *q = p + 1 + state_words;
    if (q + 4 <= end && JIT_TRACE_KIND(q[0]) == JIT_TRACE_EV_EXCEPTION)
        *fault_va = trace_exception_of_item(q).far;
    return before + 1;
}

/* One entry of block b whose load values are [slots, slots + b->slot_bytes); the item
 * after it is at next. */
static int run_entry(struct replayer *r, const struct replay_block *b, const uint8_t *slots, const uint64_t *next,
                     const uint64_t *end)
{
    bool faulted;
    uint64_t fault_va;
    uint32_t n = entry_cut(r, b, next, end, &faulted, &fault_va);
    r->slot = slots;
    r->slot_end = slots + b->slot_bytes;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t enc = (uint32_t)(b->enc[i / 2] >> (32 * (i & 1)));
        if (run_insn(r, b->pc + 4ull * i, enc, b->has_pa, b->pa + 4ull * i, b->el, faulted && i + 1 == n, fault_va) != 0)
            return -1;
    }
    if (n == b->n && r->slot != r->slot_end)
        return fail(r, "the block at 0x%" PRIx64 " (instructions %" PRIu64 " on) loads %zu bytes when run again, the recording has %u",
                    b->pc, r->seq - n, (size_t)(r->slot - slots), b->slot_bytes);
    return 0;
}

/* The chunk's parts (include/ferry/trace_format.h) and how far the replay is in each. */
struct chunk_parts {
    const uint64_t *item, *items_end;
    const uint8_t *entry, *entries_end;
    const uint8_t *values, *values_end;
    const uint8_t *words, *words_end;  /* entries with whole words of values (version 5) */
    bool v4;
    struct replay_block *numbered;     /* by the chunk's block numbers */
    uint32_t n_numbered, cap_numbered;
};

/* The item after the current one, if the entries take it next (a fault or a retract may
 * cut the current instruction or entry short). */
static const uint64_t *next_item(const struct chunk_parts *c)
{
    return c->entry < c->entries_end && *c->entry == TRACE_REPLAY_ITEM ? c->item : NULL;
}

static int number_block(struct replayer *r, struct chunk_parts *c, const struct replay_block *b)
{
    if (c->n_numbered == c->cap_numbered) {
        uint32_t cap = c->cap_numbered ? 2 * c->cap_numbered : 256;
        struct replay_block *n = realloc(c->numbered, cap * sizeof *n);
        if (!n)
            return fail(r, "out of memory for block numbers");
        c->numbered = n;
        c->cap_numbered = cap;
    }
    c->numbered[c->n_numbered++] = *b;
    return 0;
}

static const uint8_t no_values[1];

/* TRACE_VALUES_ZIGZAG (include/ferry/trace_format.h): the n bytes (whole words) of
 * word values whose code is [p, end), into out. -1 unless the code is exactly that many
 * words, each no longer than a 64-bit word's. */
static int decode_values(const uint8_t *p, const uint8_t *end, size_t n, uint8_t *out)
{
    for (size_t at = 0; at < n; at += 8) {
        uint64_t z = 0;
        for (unsigned shift = 0;; shift += 7) {
            if (p == end || shift >= 64 || (shift == 63 && *p > 1))
                return -1;
            uint8_t b = *p++;
            z |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        uint64_t w = z >> 1 ^ (uint64_t)-(int64_t)(z & 1);
        memcpy(out + at, &w, 8);
    }
    return p == end ? 0 : -1;
}

/* One item of the chunk (and the loads that follow an instruction). */
static int replay_item(struct replayer *r, struct chunk_parts *c)
{
    const size_t state_words = jit_trace_state_words(sizeof r->s);
    const uint64_t *p = c->item, *end = c->items_end;
    if (p >= end)
        return fail(r, "the entries take more items than the chunk has");
    uint64_t tag = p[0];
    size_t left = (size_t)(end - p);
    unsigned kind = JIT_TRACE_KIND(tag);
    struct a64_state st;
    switch (kind) {
    case JIT_TRACE_BLOCK_DEF: {
        uint32_t head = tag & JIT_TRACE_PA ? 5 : 4, n = JIT_TRACE_HIGH(tag);
        size_t words = head + ((size_t)n + 1) / 2;
        if (!(tag & JIT_TRACE_DEF_SLOTS) || left < words || n == 0 || p[1] >= JIT_TRACE_BLOCK_ID_LIMIT ||
            p[head - 1] > TRACE_REPLAY_SLOT_BYTES_MAX || JIT_TRACE_EL(tag) > 3)
            return fail(r, "an invalid block description");
        struct replay_block b = { .id = (uint32_t)p[1], .n = n, .slot_bytes = (uint32_t)p[head - 1],
                                  .el = JIT_TRACE_EL(tag), .has_pa = (tag & JIT_TRACE_PA) != 0, .pc = p[2],
                                  .pa = tag & JIT_TRACE_PA ? p[3] : 0, .enc = p + head };
        if (find_block(r, b.id))
            return fail(r, "a block described twice in one chunk");
        if (add_block(r, &b) != 0 || number_block(r, c, &b) != 0)
            return -1;
        c->item = p + words;
        return 0;
    }
    case JIT_TRACE_BLOCK_RUN: {
        const struct replay_block *b = JIT_TRACE_ID(tag) < JIT_TRACE_BLOCK_ID_LIMIT ? find_block(r, (uint32_t)JIT_TRACE_ID(tag)) : NULL;
        if (!b || left < 2 || b->slot_bytes)
            return fail(r, "an invalid loop item");
        uint64_t count = p[1];
        if (count > r->end_seq - r->seq)
            return fail(r, "a loop beyond the chunk's range");
        c->item = p + 2;
        for (uint64_t k = 0; k < count; k++)
            if (run_entry(r, b, no_values, k + 1 == count ? next_item(c) : NULL, end) != 0)
                return -1;
        return 0;
    }
    case JIT_TRACE_INSN: {
        /* an instruction the interpreter ran, then its loads */
        uint8_t values[TRACE_MAX_MEM * 16];
        size_t words = tag & JIT_TRACE_PA ? 3 : 2, n_values = 0;
        if (left < words || JIT_TRACE_EL(tag) > 3)
            return fail(r, "an invalid instruction item");
        const uint64_t *q = p + words;
        while (q < end && JIT_TRACE_KIND(q[0]) == JIT_TRACE_LOAD) {
            unsigned size = JIT_TRACE_SIZE(q[0]);
            size_t lw = size > 8 ? 4 : 3;
            if (size == 0 || size > 16 || (size_t)(end - q) < lw || n_values + size > sizeof values)
                return fail(r, "an invalid load item");
            memcpy(values + n_values, &q[2], size < 8 ? size : 8);
            if (size > 8)
                memcpy(values + n_values + 8, &q[3], size - 8);
            n_values += size;
            q += lw;
        }
        c->item = q;
        if (tag & JIT_TRACE_NOT_RUN)          /* recorded, with the exception that follows */
            return record_insn(r, p[1], JIT_TRACE_HIGH(tag), words == 3, words == 3 ? p[2] : 0, JIT_TRACE_EL(tag));
        struct replay_block one = { .n = 1, .pc = p[1] };
        bool faulted;
        uint64_t fault_va;
        if (entry_cut(r, &one, next_item(c), end, &faulted, &fault_va) == 0)
            return 0;                     /* retracted */
        r->slot = values;
        r->slot_end = values + n_values;
        return run_insn(r, p[1], JIT_TRACE_HIGH(tag), words == 3, words == 3 ? p[2] : 0, JIT_TRACE_EL(tag), faulted,
                        fault_va);
    }
    case JIT_TRACE_EV_RESUME:
    case JIT_TRACE_EV_EXIT:
    case JIT_TRACE_EV_RETRACT:
        if (!(tag & JIT_TRACE_EV_WITH_STATE) || left < 1 + state_words)
            return fail(r, "a runner event without its state");
        memcpy(&st, p + 1, sizeof st);
        if (kind == JIT_TRACE_EV_EXIT || (tag & JIT_TRACE_EV_CHECKPOINT)) {
            r->s.PC = jit_memory_untag(&r->mem, r->s.PC);
            if (memcmp(&r->s, &st, sizeof st) != 0)
                return diverged(r, &st, kind == JIT_TRACE_EV_EXIT ? "where guest code stopped before" : "before");
        }
        if (kind == JIT_TRACE_EV_RESUME && !(tag & JIT_TRACE_EV_CHECKPOINT))
            trace_recorder_resume(r->rec, &st);
        else if (kind == JIT_TRACE_EV_EXIT)
            trace_recorder_exit(r->rec, &st, (tag & JIT_TRACE_EV_UNDONE) != 0);
        else if (kind == JIT_TRACE_EV_RETRACT)
            trace_recorder_retract(r->rec, &st);
        r->s = st;
        c->item = p + 1 + state_words;
        return 0;
    case JIT_TRACE_EV_EXCEPTION: {
        if (left < 4)
            return fail(r, "a truncated exception event");
        struct trace_exception e = trace_exception_of_item(p);
        trace_recorder_exception(r->rec, &e);
        c->item = p + 4;
        return 0;
    }
    case JIT_TRACE_EV_ADD_REG:
        if (left < 3)
            return fail(r, "a truncated register event");
        trace_recorder_add_reg(r->rec, (uint16_t)(tag >> 16), p[1], p[2]);
        c->item = p + 3;
        return 0;
    default:
        return fail(r, "an item of kind %u, which replay traces do not have", kind);
    }
}

/* The chunk in execution order: its entries, which take the items in turn. */
static int replay_chunk(struct replayer *r, struct chunk_parts *c)
{
    const size_t state_words = jit_trace_state_words(sizeof r->s);
    const uint64_t *first = c->item;
    if (c->entry >= c->entries_end || *c->entry != TRACE_REPLAY_ITEM || c->items_end - first < (ptrdiff_t)(1 + state_words) ||
        JIT_TRACE_KIND(first[0]) != JIT_TRACE_EV_RESUME || !(first[0] & JIT_TRACE_EV_WITH_STATE))
        return fail(r, "the chunk does not start with a state");
    memcpy(&r->s, first + 1, sizeof r->s);
    while (c->entry < c->entries_end) {
        uint8_t b = *c->entry++;
        if (b == TRACE_REPLAY_ITEM) {
            if (replay_item(r, c) != 0)
                return -1;
        } else {
            uint32_t number = b;
            if (b == TRACE_BLOCK_BYTE_WORD) {
                if (c->entries_end - c->entry < 4)
                    return fail(r, "a truncated block entry");
                memcpy(&number, c->entry, 4);
                c->entry += 4;
            } else if (b >= TRACE_BLOCK_BYTE_PAIR) {
                if (c->entry >= c->entries_end)
                    return fail(r, "a truncated block entry");
                number = TRACE_BLOCK_BYTE_PAIR + (uint32_t)(b - TRACE_BLOCK_BYTE_PAIR) * 256u + *c->entry++;
            }
            if (number >= c->n_numbered)
                return fail(r, "an entry of block number %u, which the chunk does not describe", number);
            const struct replay_block *blk = &c->numbered[number];
            const uint8_t **part = &c->values, *part_end = c->values_end;
            if (c->v4 || !(blk->slot_bytes & 7))
                part = &c->words, part_end = c->words_end;
            if ((size_t)(part_end - *part) < blk->slot_bytes)
                return fail(r, "entries with more load values than the chunk has");
            const uint8_t *values = *part;
            *part += blk->slot_bytes;
            if (run_entry(r, blk, values, next_item(c), c->items_end) != 0)
                return -1;
        }
        const char *rec_err = trace_recorder_error(r->rec);
        if (rec_err)
            return fail(r, "%s", rec_err);
    }
    if (c->item != c->items_end || (!c->v4 && c->values != c->values_end) || c->words != c->words_end)
        return fail(r, "items or load values that no entry takes");
    if (r->seq != r->end_seq)
        return fail(r, "%" PRIu64 " instructions run again, the chunk's range says %" PRIu64, r->seq - r->first_seq,
                    r->end_seq - r->first_seq);
    return 0;
}

int a64_trace_replay_chunk(const uint8_t *chunk, size_t size, unsigned version, uint64_t first_seq, uint64_t end_seq,
                           bool physical, const char *out_path, char *err, size_t err_size)
{
    if (end_seq - first_seq > EXPAND_MAX_INSNS) {
        snprintf(err, err_size, "%" PRIu64 " instructions in one chunk, more than this reader expands", end_seq - first_seq);
        return -1;
    }
    uint64_t n_items, n_entries, n_values, n_word_values = 0, coding = TRACE_VALUES_PACKED;
    bool v4 = version <= TRACE_FORMAT_V4_REPLAY;
    size_t head = v4 ? TRACE_REPLAY_HEAD_V4 : TRACE_REPLAY_HEAD;
    if (size < head || ((uintptr_t)chunk & 7)) {
        snprintf(err, err_size, "a replay chunk of %zu bytes", size);
        return -1;
    }
    memcpy(&n_items, chunk, 8);
    memcpy(&n_entries, chunk + 8, 8);
    memcpy(&n_values, chunk + 16, 8);
    if (!v4) {
        memcpy(&n_word_values, chunk + 24, 8);
        memcpy(&coding, chunk + 32, 8);
    }
    size_t body = size - head;
    /* the word values' part is the rest, coded or not */
    if (n_items > body / 8 || n_entries > body - n_items * 8 || n_values > body - n_items * 8 - n_entries ||
        coding > TRACE_VALUES_ZIGZAG || n_word_values % 8 || n_word_values > TRACE_REPLAY_CHUNK_MAX ||
        (coding == TRACE_VALUES_PACKED && n_word_values != body - n_items * 8 - n_entries - n_values)) {
        snprintf(err, err_size, "a replay chunk whose parts do not add up to its size, or of an unknown coding");
        return -1;
    }
    const uint8_t *items = chunk + head, *entries = items + n_items * 8, *values = entries + n_entries,
                  *word_values = values + n_values;
    uint8_t *decoded = NULL;
    if (coding == TRACE_VALUES_ZIGZAG) {
        if (!(decoded = malloc(n_word_values + 8))) {
            snprintf(err, err_size, "out of memory");
            return -1;
        }
        if (decode_values(word_values, chunk + size, n_word_values, decoded) != 0) {
            free(decoded);
            snprintf(err, err_size, "a replay chunk whose load values are badly coded");
            return -1;
        }
        word_values = decoded;
    }
    struct chunk_parts c = { .item = (const uint64_t *)(const void *)items,
                             .items_end = (const uint64_t *)(const void *)items + n_items,
                             .entry = entries, .entries_end = entries + n_entries,
                             .values = values, .values_end = values + n_values,
                             /* version 4: every entry's values are in the one part */
                             .words = v4 ? values : word_values,
                             .words_end = v4 ? values + n_values : word_values + n_word_values, .v4 = v4 };
    /* The expansion is compressed (zstd) although it is read back at once: a chunk can
     * hold a loop of 10^9 instructions without loads, whose records would otherwise take
     * gigabytes of memory. Not compressing saved 7% of the reading time. */
    struct trace_recorder_options o = { .mode = JIT_TRACE_FULL, .el = -1, .first_seq = first_seq,
                                        .command_line = "replay", .physical = physical };
    struct replayer *r = calloc(1, sizeof *r);
    if (!r) {
        free(decoded);
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    r->err = err;
    r->err_size = err_size;
    r->first_seq = r->seq = first_seq;
    r->end_seq = end_seq;
    r->rec = trace_recorder_open(out_path, a64_trace_arch(), &o, err, err_size);
    if (!r->rec) {
        free(decoded);
        free(r);
        return -1;
    }
    r->items = trace_recorder_buffer(r->rec);
    r->sys = (struct jit_system_memory){ .load = replay_load, .store = replay_store, .fetch = replay_fetch, .ctx = r };
    /* user mode ignores the top byte of addresses; system mode's MMU is not run again */
    r->mem = (struct jit_memory){ .top_byte_ignore = !physical, .system = &r->sys, .trace = r->items };
    int rc = replay_chunk(r, &c);
    if (rc == 0)
        rc = trace_recorder_close(r->rec, NULL, err, err_size);
    else
        trace_recorder_abort(r->rec);
    free(c.numbered);
    free(decoded);
    free(r->blocks);
    free(r);
    return rc;
}
