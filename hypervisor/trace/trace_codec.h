/* Shared by the trace writer, reader and recorder: little-endian and varint coding, the
 * per-PC prediction cache, the block tables and their threads. Writer and reader must
 * update the cache in exactly the same order, so the rules live here once
 * (docs/trace-format.md states them for other readers). */
#ifndef FERRY_TRACE_CODEC_H
#define FERRY_TRACE_CODEC_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ferry/trace_format.h"
#include "hypervisor/trace/trace_writer.h"

static inline void put_le16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void put_le32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void put_le64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint16_t get_le16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t get_le32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t get_le64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Starts a helper thread of the trace writer or recorder with every signal blocked, so
 * that process-directed signals (the hosted machine's tick, a guest's timers) go to the
 * thread that runs the guest. pthread_create's result. */
static inline int trace_start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(thread, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Makes a table of *cap elements indexed by id (block descriptions) hold `id`: doubles
 * it, new elements zeroed. 0, or -1 (the table unchanged) when memory runs out. */
static inline int trace_table_hold(void **table, uint32_t *cap, uint64_t id, size_t elem_size)
{
    if (id < *cap)
        return 0;
    uint64_t n = *cap ? *cap : 1024;
    while (n <= id)
        n *= 2;
    uint8_t *t = n > UINT32_MAX ? NULL : realloc(*table, n * elem_size);
    if (!t)
        return -1;
    memset(t + (size_t)*cap * elem_size, 0, (size_t)(n - *cap) * elem_size);
    *table = t;
    *cap = (uint32_t)n;
    return 0;
}

static inline uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* LEB128; the caller guarantees 10 bytes of room. */
static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* Bounds-checked LEB128 read: false on a truncated or over-long (> 64 bits) varint. */
static inline bool get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            return false;
        uint8_t b = *p++;
        if (shift == 63 && b > 1)
            return false;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

/* Value mask of an access of `size` bytes, for the low and the high half. */
static inline uint64_t trace_mask_lo(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
static inline uint64_t trace_mask_hi(unsigned size)
{
    return size >= 16 ? ~0ull : size <= 8 ? 0 : (1ull << (8 * (size - 8))) - 1;
}

struct trace_mem_shape {
    uint8_t size, store, src, arg;
};

static inline bool trace_shape_eq(const struct trace_mem_shape *a, const struct trace_mem_shape *b)
{
    uint32_t x, y;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    return x == y;
}

/* One per-PC prediction entry. `gen` ties it to the current chunk, so restarting the
 * predictors at a chunk boundary is one increment, not a memset. */
struct trace_pc_entry {
    uint64_t pc;
    uint32_t gen;
    uint32_t enc;
    uint8_t has_next, n_regs, n_mem, n_addr;
    uint64_t next_pc;
    uint16_t regs[TRACE_PC_CACHE_REGS];
    struct trace_mem_shape mem[TRACE_PC_CACHE_MEM];
    uint64_t addr[TRACE_PC_CACHE_MEM];
    uint64_t stride[TRACE_PC_CACHE_MEM];
    uint64_t val_lo[TRACE_PC_CACHE_REGS];
    uint64_t val_hi[TRACE_PC_CACHE_REGS];
};

#define TRACE_PC_CACHE_SIZE (1u << TRACE_PC_CACHE_BITS)

static inline uint32_t trace_pc_slot(uint64_t pc)
{
    return (uint32_t)(((pc >> 2) * 0x9e3779b97f4a7c15ull) >> (64 - TRACE_PC_CACHE_BITS));
}

/* Per-chunk predictor state (identical in writer and reader). */
struct trace_pred {
    struct trace_pc_entry *cache;         /* TRACE_PC_CACHE_SIZE entries */
    uint32_t gen;
    uint64_t next_seq;                    /* expected sequence number */
    uint64_t pred_pc;                     /* predicted PC of the next record */
    uint64_t prev_pc;
    struct trace_pc_entry *prev_e;        /* the previous record's entry (no re-hash) */
    bool have_prev;
    uint64_t pa_off;                      /* last PA - PC */
    uint64_t last_addr;                   /* last memory address of any access */
    uint8_t el;
    bool has_pa, has_values;
    uint64_t reg_lo[TRACE_REG_NUM_CORE], reg_hi[TRACE_REG_NUM_CORE];
};

static inline void trace_pred_reset(struct trace_pred *s, uint64_t first_seq, uint64_t first_pc)
{
    s->gen++;
    if (s->gen == 0) {                    /* wrapped: really clear */
        memset(s->cache, 0, sizeof *s->cache * TRACE_PC_CACHE_SIZE);
        s->gen = 1;
    }
    s->next_seq = first_seq;
    s->pred_pc = first_pc;
    s->prev_pc = 0;
    s->prev_e = NULL;
    s->have_prev = false;
    s->pa_off = 0;
    s->last_addr = 0;
    s->el = 0;
    s->has_pa = false;
    s->has_values = false;
    memset(s->reg_lo, 0, sizeof s->reg_lo);
    memset(s->reg_hi, 0, sizeof s->reg_hi);
}

/* Records that `pc` followed the previous record: the previous PC's entry learns its
 * successor. Called after the record's PC is known, before its own entry is looked up. */
static inline void trace_pred_follow(struct trace_pred *s, uint64_t pc)
{
    if (s->have_prev) {
        struct trace_pc_entry *e = s->prev_e;
        if (e->gen == s->gen && e->pc == s->prev_pc) {
            e->next_pc = pc;
            e->has_next = 1;
        }
    }
}

/* The entry of `pc`: *hit tells whether it held this PC's history; a miss claims it. */
static inline struct trace_pc_entry *trace_pred_entry(struct trace_pred *s, uint64_t pc, bool *hit)
{
    struct trace_pc_entry *e = &s->cache[trace_pc_slot(pc)];
    if (e->gen == s->gen && e->pc == pc) {
        *hit = true;
        return e;
    }
    *hit = false;
    e->gen = s->gen;
    e->pc = pc;
    e->has_next = 0;
    e->n_regs = 0xff;                     /* "no register list yet" */
    e->n_mem = 0xff;
    e->n_addr = 0;
    e->enc = 0;
    return e;
}

/* The predicted PC after a record at `pc` (entry e) that was `len` instructions long. */
static inline uint64_t trace_pred_next(const struct trace_pc_entry *e, uint64_t pc, uint64_t len)
{
    return e->has_next ? e->next_pc : pc + 4 * len;
}

/* The value a register write k (register id) is encoded against: the entry's last
 * value when its register list was reused, else the register's last known value. */
static inline void trace_pred_reg_base(const struct trace_pred *s, const struct trace_pc_entry *e, unsigned k,
                                       unsigned id, bool same_regs, uint64_t *lo, uint64_t *hi)
{
    if (same_regs) {
        *lo = e->val_lo[k];
        *hi = e->val_hi[k];
    } else if (id < TRACE_REG_NUM_CORE) {
        *lo = s->reg_lo[id];
        *hi = s->reg_hi[id];
    } else {
        *lo = *hi = 0;
    }
}

/* After a record: what the predictor learns from it, the same in the writer and the
 * reader (they must stay in lockstep). same_regs/same_shape: the entry's register set
 * and memory shape were reused; shape: this record's memory shape; n_addr: how many
 * of the entry's addresses predicted this record's. */
static inline void trace_pred_learn(struct trace_pred *s, struct trace_pc_entry *e, const struct trace_insn *in,
                                    bool same_regs, bool same_shape, const struct trace_mem_shape *shape,
                                    unsigned n_addr)
{
    bool hv = in->has_values;
    e->enc = in->encoding;
    if (!same_regs) {
        e->n_regs = in->n_regs > 0xfe ? 0xfe : (uint8_t)in->n_regs;
        for (unsigned k = 0; k < in->n_regs && k < TRACE_PC_CACHE_REGS; k++) {
            e->regs[k] = in->regs[k].id;
            e->val_lo[k] = hv ? in->regs[k].lo : 0;
            e->val_hi[k] = hv ? in->regs[k].hi : 0;
        }
    } else if (hv) {
        for (unsigned k = 0; k < in->n_regs; k++) {
            e->val_lo[k] = in->regs[k].lo;
            e->val_hi[k] = in->regs[k].hi;
        }
    }
    if (hv)
        for (unsigned k = 0; k < in->n_regs; k++)
            if (in->regs[k].id < TRACE_REG_NUM_CORE) {
                s->reg_lo[in->regs[k].id] = in->regs[k].lo;
                s->reg_hi[in->regs[k].id] = in->regs[k].hi;
            }
    if (!same_shape) {
        e->n_mem = in->n_mem > 0xfe ? 0xfe : (uint8_t)in->n_mem;
        for (unsigned j = 0; j < in->n_mem && j < TRACE_PC_CACHE_MEM; j++)
            e->mem[j] = shape[j];
    }
    unsigned na = in->n_mem < TRACE_PC_CACHE_MEM ? in->n_mem : TRACE_PC_CACHE_MEM;
    for (unsigned j = 0; j < na; j++) {
        e->stride[j] = j < n_addr ? in->mem[j].va - e->addr[j] : 0;
        e->addr[j] = in->mem[j].va;
    }
    e->n_addr = (uint8_t)na;
    if (in->n_mem)
        s->last_addr = in->mem[in->n_mem - 1].va;
    s->el = in->el;
    s->has_pa = in->has_pa;
    s->has_values = hv;
    if (in->has_pa)
        s->pa_off = in->pa - in->pc;
    s->next_seq = in->seq + 1;
    s->pred_pc = trace_pred_next(e, in->pc, 1);
    s->prev_pc = in->pc;
    s->prev_e = e;
    s->have_prev = true;
}

#endif
