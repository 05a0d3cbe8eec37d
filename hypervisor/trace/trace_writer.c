/* The trace writer (see trace_writer.h): predictive encoding on the recording thread,
 * compression and file output on one helper thread, a ring of chunk buffers between
 * them. Every error is latched with a message naming the file and reported at the next
 * call and at close; nothing is dropped. */
#include "hypervisor/trace/trace_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include "hypervisor/cli_options.h"
#include "hypervisor/trace/trace_buffers.h"
#include "hypervisor/trace/trace_codec.h"

#define NBUF 4                          /* chunk buffers: one filling, three in flight */
#define RECORD_MAX (1024u + TRACE_MAX_REGS * 24u + TRACE_MAX_MEM * 40u)

struct chunk_buf {
    uint8_t *raw;
    uint32_t used, n_records;
    uint64_t first_seq, end_seq, first_pc, last_pc;
    /* A replay chunk's load values of whole words (raw[values_at ..], n_values bytes, the
     * end of the chunk), which the helper codes where that pays. */
    uint32_t values_at, n_values;
};

/* A block described by trace_writer_define_block; gen: the chunk that last described it. */
struct block_def {
    uint64_t pc, pa;
    uint32_t n, gen;
    uint32_t number;                    /* its number in the chunk (when gen is the chunk's) */
    uint8_t el;
    bool defined;
};

struct index_entry {
    uint64_t offset;
    uint32_t comp_size, raw_size, n_records, codec;
    uint64_t first_seq, end_seq, first_pc, last_pc;
};

struct trace_writer {
    char *path;
    int fd;
    uint8_t mode;
    uint32_t flags;
    unsigned codec;
    int level;
    uint32_t chunk_records, chunk_bytes;

    /* Recording thread. */
    struct trace_pred pred;
    struct chunk_buf *cur;
    uint64_t min_seq;                   /* the next record's lowest valid sequence number */
    bool any;
    uint64_t records, instructions, raw_bytes;
    struct block_def *defs;             /* block mode: by id */
    uint32_t cap_defs, block_gen;
    uint32_t n_numbered;                /* blocks the current chunk has described */
    double wait_s;
    atomic_bool failed;

    /* Shared with the helper (under lock). */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct chunk_buf bufs[NBUF];
    int free_list[NBUF], n_free;
    int queue[NBUF], q_head, q_len;
    bool closing;
    char errmsg[512];
    bool have_thread;
    pthread_t thread;

    /* Helper thread only (and close, after join). */
    uint64_t file_off;
    struct index_entry *index;
    size_t n_index, cap_index;
    uint8_t *comp;
    size_t comp_cap;
    uint64_t coded_saved;               /* replay values: bytes coding saved */
    ZSTD_CCtx *zctx;
    void *lz4_state;                    /* LZ4_sizeofState() bytes */
    z_stream zs;
    bool zs_init;
};

/* Keeps the first error; later ones are consequences. */
static void fail(struct trace_writer *w, const char *fmt, ...)
{
    pthread_mutex_lock(&w->lock);
    if (!w->errmsg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->errmsg, sizeof w->errmsg, fmt, ap);
        va_end(ap);
    }
    atomic_store(&w->failed, true);
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static int write_all(struct trace_writer *w, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = write(w->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail(w, "%s: write failed: %s", w->path, strerror(errno));
            return -1;
        }
        if (n == 0) {
            fail(w, "%s: write failed: no progress", w->path);
            return -1;
        }
        p += n;
        len -= (size_t)n;
        w->file_off += (uint64_t)n;
    }
    return 0;
}

/* A chunk ends only after the record that reaches chunk_bytes: the slack holds one more. */
static size_t chunk_buf_size(const struct trace_writer *w)
{
    return (size_t)w->chunk_bytes + RECORD_MAX;
}

/* Block mode's chunks are 4-byte block ids, which zstd level 1 took 2.8 ns an entry to
 * compress on irregular code (qsort: 1.4 GB/s, 24x), the largest cost of recording
 * there; LZ4 does it 1.85x faster for half the ratio (11x: 0.08 bytes an instruction).
 * Full mode's records are already dense and the recorder's thread, not the codec, sets
 * its pace: zstd, for the smaller file. Replay mode's load values: zstd level 1 took
 * about as long as LZ4 and made files 1-20x smaller (matmul_double: 29 MB against
 * 560 MB). docs/trace.md, "Performance of recording". */
static unsigned default_codec(unsigned mode)
{
    return mode == TRACE_MODE_BLOCK ? TRACE_CODEC_LZ4 : TRACE_CODEC_ZSTD;
}

static size_t compress_bound(const struct trace_writer *w, size_t raw)
{
    switch (w->codec) {
    case TRACE_CODEC_ZSTD: return ZSTD_compressBound(raw);
    case TRACE_CODEC_ZLIB: return compressBound((uLong)raw);
    case TRACE_CODEC_LZ4: return (size_t)LZ4_compressBound((int)raw);
    default: return raw;
    }
}

/* Compresses one chunk into w->comp; returns the size or 0 on error (latched). */
static size_t compress_chunk(struct trace_writer *w, const struct chunk_buf *b)
{
    if (compress_bound(w, b->used) > w->comp_cap) {   /* sized at open for the largest chunk */
        fail(w, "%s: internal error: a chunk of %u bytes", w->path, b->used);
        return 0;
    }
    switch (w->codec) {
    case TRACE_CODEC_ZSTD: {
        size_t n = ZSTD_compressCCtx(w->zctx, w->comp, w->comp_cap, b->raw, b->used,
                                     w->level ? w->level : 1);
        if (ZSTD_isError(n)) {
            fail(w, "%s: zstd: %s", w->path, ZSTD_getErrorName(n));
            return 0;
        }
        return n;
    }
    case TRACE_CODEC_LZ4: {
        /* acceleration 1 unless a level asks for more: faster, larger */
        int n = LZ4_compress_fast_extState(w->lz4_state, (const char *)b->raw, (char *)w->comp, (int)b->used,
                                           (int)w->comp_cap, w->level > 1 ? w->level : 1);
        if (n <= 0 && b->used) {
            fail(w, "%s: lz4: compression failed", w->path);
            return 0;
        }
        return (size_t)n;
    }
    case TRACE_CODEC_ZLIB: {
        if (deflateReset(&w->zs) != Z_OK) {
            fail(w, "%s: zlib: deflateReset failed", w->path);
            return 0;
        }
        w->zs.next_in = b->raw;
        w->zs.avail_in = b->used;
        w->zs.next_out = w->comp;
        w->zs.avail_out = (uInt)w->comp_cap;
        if (deflate(&w->zs, Z_FINISH) != Z_STREAM_END) {
            fail(w, "%s: zlib: deflate failed", w->path);
            return 0;
        }
        return w->comp_cap - w->zs.avail_out;
    }
    default:
        memcpy(w->comp, b->raw, b->used);
        return b->used;
    }
}

/* Codes the n bytes (whole 64-bit little-endian words) at values, each word as the
 * zigzag LEB128 varint of include/ferry/trace_format.h, into out; the bytes written, or
 * 0 once they would exceed max. */
static size_t zigzag_words(const uint8_t *values, size_t n, uint8_t *out, size_t max)
{
    if (max < TRACE_REPLAY_WORD_CODE_MAX)
        return 0;
    uint8_t *p = out, *stop = out + max - TRACE_REPLAY_WORD_CODE_MAX;
    for (size_t at = 0; at < n; at += 8) {
        if (p > stop)
            return 0;
        uint64_t w;
        memcpy(&w, values + at, 8);
        uint64_t z = w << 1 ^ (uint64_t)((int64_t)w >> 63);
        if (z < 1u << 14) {
            /* one or two bytes, without a branch on which (matmul_int's numbers are
             * either, at random); a one-byte code's second byte is overwritten next */
            unsigned two = z >= 0x80;
            uint16_t code = (uint16_t)((z & 0x7f) | two << 7 | (z >> 7) << 8);
            memcpy(p, &code, 2);
            p += 1 + two;
            continue;
        }
        do {
            *p++ = (uint8_t)(z | 0x80);
            z >>= 7;
        } while (z >= 0x80);
        *p++ = (uint8_t)z;
    }
    return (size_t)(p - out);
}

/* Whether coding pays, judged on the first 2 KiB: where the words are numbers of small
 * magnitude (matmul_int's matrix elements: a seventh of the bytes, and of zstd's time),
 * not where they are doubles, hashes, pointers or smaller loads side by side. */
static bool zigzag_pays(const uint8_t *values, size_t n)
{
    enum { SAMPLE_WORDS = 256 };
    uint8_t sample[SAMPLE_WORDS * TRACE_REPLAY_WORD_CODE_MAX];
    size_t k = n < SAMPLE_WORDS * 8 ? n : SAMPLE_WORDS * 8;
    return k >= 64 && zigzag_words(values, k, sample, k / 2) != 0;
}

/* On the helper's thread (the recorder's is the busier one): codes a replay chunk's
 * values in place where that pays, by way of the compression buffer. */
static void code_values(struct trace_writer *w, struct chunk_buf *b)
{
    size_t n = b->n_values, coded;
    b->n_values = 0;                              /* the buffer is used again */
    if (!n || !zigzag_pays(b->raw + b->values_at, n) ||
        !(coded = zigzag_words(b->raw + b->values_at, n, w->comp, n / 2)))
        return;
    memcpy(b->raw + b->values_at, w->comp, coded);
    uint64_t coding = TRACE_VALUES_ZIGZAG;
    memcpy(b->raw + 32, &coding, 8);              /* the chunk head's fifth word */
    b->used = b->n_records = b->values_at + (uint32_t)coded;
    w->coded_saved += n - coded;
}

static void write_chunk(struct trace_writer *w, struct chunk_buf *b)
{
    if (atomic_load(&w->failed))
        return;
    code_values(w, b);
    size_t comp = compress_chunk(w, b);
    if (!comp && b->used)
        return;
    if (comp > TRACE_CHUNK_COMP_MAX) {
        fail(w, "%s: internal error: chunk compresses to %zu bytes", w->path, comp);
        return;
    }
    if (w->n_index == w->cap_index) {
        size_t cap = w->cap_index ? 2 * w->cap_index : 256;
        struct index_entry *n = realloc(w->index, cap * sizeof *n);
        if (!n) {
            fail(w, "%s: out of memory for the chunk index", w->path);
            return;
        }
        w->index = n;
        w->cap_index = cap;
    }
    uint8_t h[TRACE_CHUNK_HEADER] = {0};
    uint32_t crc = (uint32_t)crc32(0, w->comp, (uInt)comp);
    put_le32(h + 0, TRACE_CHUNK_MAGIC);
    put_le32(h + 4, w->codec);
    put_le32(h + 8, (uint32_t)comp);
    put_le32(h + 12, b->used);
    put_le64(h + 16, b->first_seq);
    put_le64(h + 24, b->end_seq);
    put_le32(h + 32, b->n_records);
    put_le32(h + 36, crc);
    put_le64(h + 40, b->first_pc);
    put_le64(h + 48, b->last_pc);
    put_le32(h + 60, (uint32_t)crc32(0, h, 60));
    struct index_entry *e = &w->index[w->n_index];
    e->offset = w->file_off;
    if (write_all(w, h, sizeof h) != 0 || write_all(w, w->comp, comp) != 0)
        return;
    e->comp_size = (uint32_t)comp;
    e->raw_size = b->used;
    e->n_records = b->n_records;
    e->codec = w->codec;
    e->first_seq = b->first_seq;
    e->end_seq = b->end_seq;
    e->first_pc = b->first_pc;
    e->last_pc = b->last_pc;
    w->n_index++;
}

static void *helper_main(void *arg)
{
    struct trace_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->q_len == 0 && !w->closing)
            pthread_cond_wait(&w->cond, &w->lock);
        if (w->q_len == 0)
            break;
        int i = w->queue[w->q_head];
        pthread_mutex_unlock(&w->lock);
        write_chunk(w, &w->bufs[i]);
        pthread_mutex_lock(&w->lock);
        w->q_head = (w->q_head + 1) % NBUF;
        w->q_len--;
        w->free_list[w->n_free++] = i;
        pthread_cond_broadcast(&w->cond);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Hands the current chunk to the helper and takes a free buffer (waiting if none). */
static int submit(struct trace_writer *w)
{
    if (w->cur && w->cur->n_records) {
        /* Per-chunk bookkeeping happens here, not per record. */
        struct chunk_buf *b = w->cur;
        b->end_seq = w->pred.next_seq;
        b->last_pc = w->pred.prev_pc;
        w->min_seq = w->pred.next_seq;
        w->raw_bytes += b->used;
        w->records += b->n_records;
        if (w->mode == TRACE_MODE_FULL)
            w->instructions += b->n_records;
    }
    pthread_mutex_lock(&w->lock);
    if (w->cur && w->cur->n_records) {
        int i = (int)(w->cur - w->bufs);
        w->queue[(w->q_head + w->q_len) % NBUF] = i;
        w->q_len++;
        w->cur = NULL;
        pthread_cond_broadcast(&w->cond);
    }
    if (!w->cur) {
        if (w->n_free == 0) {
            double t0 = now_s();
            while (w->n_free == 0 && !atomic_load(&w->failed))
                pthread_cond_wait(&w->cond, &w->lock);
            w->wait_s += now_s() - t0;
        }
        if (w->n_free == 0) {
            pthread_mutex_unlock(&w->lock);
            return -1;
        }
        w->cur = &w->bufs[w->free_list[--w->n_free]];
        w->cur->used = 0;
        w->cur->n_records = 0;
    }
    pthread_mutex_unlock(&w->lock);
    return atomic_load(&w->failed) ? -1 : 0;
}

static void set_err(char *err, size_t err_size, const char *msg)
{
    if (err && err_size)
        snprintf(err, err_size, "%s", msg);
}

struct trace_writer *trace_writer_open(const char *path, const struct trace_file_info *info,
                                       char *err, size_t err_size)
{
    char msg[512];
    struct trace_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(msg, sizeof msg, "%s: out of memory", path);
        set_err(err, err_size, msg);
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    w->fd = -1;
    w->path = strdup(path);
    w->mode = info->mode;
    w->flags = info->flags;
    w->codec = info->codec == TRACE_WRITER_UNCOMPRESSED ? TRACE_CODEC_NONE
             : info->codec ? info->codec : default_codec(info->mode);
    w->level = info->level;
    w->chunk_records = info->chunk_records ? info->chunk_records : 1u << 20;
    w->chunk_bytes = info->chunk_bytes ? info->chunk_bytes : 4u << 20;
    if (w->chunk_bytes > TRACE_CHUNK_RAW_MAX - RECORD_MAX)
        w->chunk_bytes = TRACE_CHUNK_RAW_MAX - RECORD_MAX;
    if (info->mode == TRACE_MODE_REPLAY)
        w->chunk_bytes = TRACE_REPLAY_CHUNK_MAX;   /* the recorder cuts the chunks */
    const char *strs[3] = {
        info->ferry_version ? info->ferry_version : FERRY_VERSION,
        info->command_line ? info->command_line : "",
        info->filters ? info->filters : "",
    };
    size_t lens[3];
    for (int i = 0; i < 3; i++)
        lens[i] = strlen(strs[i]) < TRACE_STRING_MAX ? strlen(strs[i]) : TRACE_STRING_MAX - 1;

    if (!w->path) {
        snprintf(msg, sizeof msg, "%s: out of memory", path);
        goto fail_early;
    }
    if (info->mode > TRACE_MODE_REPLAY || (info->arch && info->arch != TRACE_ARCH_AARCH64) ||
        w->codec > TRACE_CODEC_LZ4) {
        snprintf(msg, sizeof msg, "%s: invalid trace settings (mode %u, arch %u, codec %u)",
                 path, info->mode, info->arch, w->codec);
        goto fail_early;
    }
    w->pred.cache = calloc(TRACE_PC_CACHE_SIZE, sizeof *w->pred.cache);
    if (!w->pred.cache)
        goto oom;
    for (int i = 0; i < NBUF; i++) {
        w->bufs[i].raw = trace_buffer_alloc(chunk_buf_size(w));
        if (!w->bufs[i].raw)
            goto oom;
        w->free_list[w->n_free++] = i;
    }
    w->comp_cap = compress_bound(w, chunk_buf_size(w));
    if (!(w->comp = trace_buffer_alloc(w->comp_cap)))
        goto oom;
    if (w->codec == TRACE_CODEC_ZSTD && !(w->zctx = ZSTD_createCCtx()))
        goto oom;
    if (w->codec == TRACE_CODEC_LZ4 && !(w->lz4_state = malloc((size_t)LZ4_sizeofState())))
        goto oom;
    if (w->codec == TRACE_CODEC_ZLIB) {
        if (deflateInit(&w->zs, w->level ? w->level : 1) != Z_OK)
            goto oom;
        w->zs_init = true;
    }
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        snprintf(msg, sizeof msg, "%s: cannot create the trace file: %s", path, strerror(errno));
        goto fail_early;
    }

    size_t hsize = TRACE_HEADER_FIXED + lens[0] + lens[1] + lens[2] + 4;
    uint8_t *h = calloc(1, hsize);
    if (!h)
        goto oom;
    memcpy(h, TRACE_MAGIC, 8);
    put_le32(h + 8, TRACE_FORMAT_VERSION);
    put_le32(h + 12, (uint32_t)hsize);
    put_le16(h + 16, TRACE_ARCH_AARCH64);
    h[18] = info->mode;
    put_le32(h + 20, info->flags);
    size_t off = TRACE_HEADER_FIXED;
    for (int i = 0; i < 3; i++) {
        put_le32(h + 24 + 4 * i, (uint32_t)lens[i]);
        memcpy(h + off, strs[i], lens[i]);
        off += lens[i];
    }
    put_le32(h + off, (uint32_t)crc32(0, h, (uInt)off));
    int rc = write_all(w, h, hsize);
    free(h);
    if (rc != 0) {
        snprintf(msg, sizeof msg, "%s", w->errmsg);
        goto fail_early;
    }
    if (trace_start_thread(&w->thread, helper_main, w) != 0) {
        snprintf(msg, sizeof msg, "%s: cannot start the trace writer thread", path);
        goto fail_early;
    }
    w->have_thread = true;
    if (submit(w) != 0) {
        snprintf(msg, sizeof msg, "%s", w->errmsg);
        trace_writer_abort(w);
        set_err(err, err_size, msg);
        return NULL;
    }
    return w;

oom:
    snprintf(msg, sizeof msg, "%s: out of memory for the trace writer", path);
fail_early:
    set_err(err, err_size, msg);
    trace_writer_abort(w);
    return NULL;
}

const char *trace_writer_error(struct trace_writer *w)
{
    /* fail() writes the message before it sets `failed`, and never again after: this
     * load orders the read after the helper thread's write */
    return atomic_load(&w->failed) ? w->errmsg : "";
}

uint64_t trace_writer_records(const struct trace_writer *w)
{
    return w->records + (w->cur ? w->cur->n_records : 0);
}

/* Ends the current chunk if it is full (after a record). */
static inline int after_record(struct trace_writer *w, uint8_t *p)
{
    struct chunk_buf *b = w->cur;
    b->used = (uint32_t)(p - b->raw);
    b->n_records++;
    if (b->used >= w->chunk_bytes || b->n_records >= w->chunk_records)
        return submit(w);
    return 0;
}

static int bad_record(struct trace_writer *w, const char *what, uint64_t seq)
{
    fail(w, "%s: invalid trace record at instruction %llu: %s", w->path,
         (unsigned long long)seq, what);
    return -1;
}

/* The value source of access j: a register write of this record (loads), a register's
 * last traced value (stores), or a literal. The per-PC hint is tried first. */
static void mem_source(const struct trace_pred *s, const struct trace_insn *r,
                       const struct trace_mem_access *m, const struct trace_mem_shape *hint,
                       struct trace_mem_shape *out)
{
    out->src = TRACE_SRC_LITERAL;
    out->arg = 0;
    uint64_t ml = trace_mask_lo(m->size), mh = trace_mask_hi(m->size);
    uint64_t lo = m->lo & ml, hi = m->hi & mh;
    if (hint && hint->src == TRACE_SRC_REGW && hint->arg < r->n_regs) {
        const struct trace_reg_write *g = &r->regs[hint->arg];
        if ((g->lo & ml) == lo && (g->hi & mh) == hi) {
            out->src = TRACE_SRC_REGW;
            out->arg = hint->arg;
            return;
        }
    }
    if (hint && hint->src == TRACE_SRC_REG && hint->arg < TRACE_REG_NUM_CORE) {
        if ((s->reg_lo[hint->arg] & ml) == lo && (s->reg_hi[hint->arg] & mh) == hi) {
            out->src = TRACE_SRC_REG;
            out->arg = hint->arg;
            return;
        }
    }
    if (!m->store) {
        for (unsigned k = 0; k < r->n_regs && k < 256; k++) {
            const struct trace_reg_write *g = &r->regs[k];
            if ((g->lo & ml) == lo && (g->hi & mh) == hi) {
                out->src = TRACE_SRC_REGW;
                out->arg = (uint8_t)k;
                return;
            }
        }
        return;
    }
    if (m->size <= 8) {
        for (unsigned k = 0; k <= TRACE_REG_SP; k++)
            if ((s->reg_lo[k] & ml) == lo) {
                out->src = TRACE_SRC_REG;
                out->arg = (uint8_t)k;
                return;
            }
    }
    for (unsigned k = TRACE_REG_V0; k < TRACE_REG_V0 + 32; k++)
        if ((s->reg_lo[k] & ml) == lo && (s->reg_hi[k] & mh) == hi) {
            out->src = TRACE_SRC_REG;
            out->arg = (uint8_t)k;
            return;
        }
}

__attribute__((noinline)) static int insn_slow(struct trace_writer *w, const struct trace_insn *r)
{
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return -1;
    if (w->mode != TRACE_MODE_FULL)
        return bad_record(w, "an instruction record in a block-mode trace", r->seq);
    if (r->n_regs > TRACE_MAX_REGS || r->n_mem > TRACE_MAX_MEM)
        return bad_record(w, "too many register writes or memory accesses", r->seq);
    if (r->el > 3 && r->el != TRACE_EL_UNKNOWN)
        return bad_record(w, "EL out of range", r->seq);
    if ((w->cur->n_records ? r->seq < w->pred.next_seq : w->any && r->seq < w->min_seq) ||
        r->seq == UINT64_MAX)
        return bad_record(w, "sequence number does not increase", r->seq);
    if (r->has_exception && r->exc.target_el > 3)
        return bad_record(w, "exception target EL out of range", r->seq);
    /* Register ids and access sizes are checked in the encoding loops below: a bad
     * record fails the writer for good, so its half-encoded bytes never count. */

    struct trace_pred *s = &w->pred;
    struct chunk_buf *b = w->cur;
    if (b->n_records == 0) {
        trace_pred_reset(s, r->seq, r->pc);
        b->first_seq = r->seq;
        b->first_pc = r->pc;
    }
    uint8_t *p = b->raw + b->used;
    bool hv = r->has_values;
    unsigned fa = 0, fb = 0;
    if (r->seq != s->next_seq)
        fb |= TRACE_B_SEQ;
    if (r->el != s->el)
        fb |= TRACE_B_EL;
    if (r->has_exception)
        fb |= TRACE_B_EXC;
    if (r->has_pa != s->has_pa)
        fb |= TRACE_B_HAS_PA;
    if (hv != s->has_values)
        fb |= TRACE_B_VALUES;
    uint64_t pred_pa = r->pc + s->pa_off;
    if (r->has_pa && r->pa != pred_pa)
        fb |= TRACE_B_PA;
    if (r->pc != s->pred_pc)
        fa |= TRACE_A_PC;
    trace_pred_follow(s, r->pc);
    bool hit;
    struct trace_pc_entry *e = trace_pred_entry(s, r->pc, &hit);
    if (!hit || e->enc != r->encoding)
        fa |= TRACE_A_ENC;
    bool same_regs = hit && e->n_regs == r->n_regs && r->n_regs <= TRACE_PC_CACHE_REGS;
    for (unsigned k = 0; k < r->n_regs; k++) {
        uint16_t id = r->regs[k].id;
        if (id == TRACE_REG_PC || (id >= TRACE_REG_NUM_CORE && id < TRACE_REG_SYSREG_BASE) ||
            id > TRACE_REG_ID_MAX)
            return bad_record(w, "invalid register id", r->seq);
        if (r->regs[k].hi && !trace_reg_is_vector(id))
            return bad_record(w, "high half set for a 64-bit register", r->seq);
        if (same_regs)
            same_regs = e->regs[k] == id;
    }
    if (!same_regs)
        fa |= TRACE_A_REGS;

    struct trace_mem_shape shape_small[TRACE_PC_CACHE_MEM];
    struct trace_mem_shape *shape = shape_small, *shape_big = NULL;
    if (r->n_mem > TRACE_PC_CACHE_MEM) {
        shape_big = malloc(r->n_mem * sizeof *shape_big);
        if (!shape_big) {
            fail(w, "%s: out of memory", w->path);
            return -1;
        }
        shape = shape_big;
    }
    bool same_shape = hit && e->n_mem == r->n_mem && r->n_mem <= TRACE_PC_CACHE_MEM;
    for (unsigned j = 0; j < r->n_mem; j++) {
        const struct trace_mem_access *m = &r->mem[j];
        if (m->size == 0 || (m->has_value && m->size > 16)) {
            free(shape_big);
            return bad_record(w, "invalid memory access size", r->seq);
        }
        shape[j].size = m->size;
        shape[j].store = m->store;
        if (hv && m->has_value) {
            const struct trace_mem_shape *hint =
                (hit && j < TRACE_PC_CACHE_MEM && e->n_mem != 0xff && j < e->n_mem) ? &e->mem[j] : NULL;
            mem_source(s, r, m, hint, &shape[j]);
        } else {
            shape[j].src = TRACE_SRC_ABSENT;
            shape[j].arg = 0;
        }
        if (same_shape)
            same_shape = trace_shape_eq(&e->mem[j], &shape[j]);
    }
    if (!same_shape)
        fa |= TRACE_A_MEMSHAPE;
    if (fb)
        fa |= TRACE_A_EXT;

    *p++ = (uint8_t)fa;
    if (fb)
        *p++ = (uint8_t)fb;
    if (fb & TRACE_B_SEQ)
        p = put_varint(p, r->seq - s->next_seq);
    if (fb & TRACE_B_EL)
        *p++ = r->el;
    if (fa & TRACE_A_PC)
        p = put_varint(p, zigzag((int64_t)(r->pc - s->pred_pc)));
    if (fb & TRACE_B_PA)
        p = put_varint(p, zigzag((int64_t)(r->pa - pred_pa)));
    if (fa & TRACE_A_ENC) {
        put_le32(p, r->encoding);
        p += 4;
    }
    if (fa & TRACE_A_REGS) {
        p = put_varint(p, r->n_regs);
        for (unsigned k = 0; k < r->n_regs; k++)
            p = put_varint(p, r->regs[k].id);
    }
    if (fa & TRACE_A_MEMSHAPE) {
        p = put_varint(p, r->n_mem);
        for (unsigned j = 0; j < r->n_mem; j++) {
            *p++ = shape[j].size;
            *p++ = (uint8_t)(shape[j].store | shape[j].src << 1);
            *p++ = shape[j].arg;
        }
    }
    if (hv) {
        for (unsigned k = 0; k < r->n_regs; k++) {
            const struct trace_reg_write *g = &r->regs[k];
            uint64_t base_lo, base_hi;
            trace_pred_reg_base(s, e, k, g->id, same_regs, &base_lo, &base_hi);
            p = put_varint(p, zigzag((int64_t)(g->lo - base_lo)));
            if (trace_reg_is_vector(g->id))
                p = put_varint(p, g->hi ^ base_hi);
        }
    }
    uint64_t prev_va = s->last_addr, prev_size = 0;
    unsigned n_addr = hit ? e->n_addr : 0;
    for (unsigned j = 0; j < r->n_mem; j++) {
        const struct trace_mem_access *m = &r->mem[j];
        uint64_t pred = j < n_addr ? e->addr[j] + e->stride[j] : prev_va + prev_size;
        p = put_varint(p, zigzag((int64_t)(m->va - pred)));
        if (shape[j].src == TRACE_SRC_LITERAL) {
            p = put_varint(p, m->lo & trace_mask_lo(m->size));
            if (m->size > 8)
                p = put_varint(p, m->hi & trace_mask_hi(m->size));
        }
        prev_va = m->va;
        prev_size = m->size;
    }
    if (r->has_exception) {
        p = put_varint(p, r->exc.ec);
        p = put_varint(p, r->exc.esr);
        p = put_varint(p, r->exc.far);
        p = put_varint(p, r->exc.target_pc);
        *p++ = r->exc.target_el;
        *p++ = r->exc.is_interrupt ? 1 : 0;
    }

    trace_pred_learn(s, e, r, same_regs, same_shape, shape, n_addr);
    free(shape_big);

    w->any = true;
    return after_record(w, p);
}

/* The common case, for speed: a PC seen before in this chunk, with the same register
 * list and memory shape as last time, nothing unusual (no sequence gap, EL change,
 * exception or PA surprise). Any other record, and every invalid one, takes
 * insn_slow. The encoding is the one insn_slow would produce except that a memory value
 * whose cached source no longer matches makes it bail out; decoding needs no canonical
 * choice, only the shared predictor updates. Nothing is modified before the checks
 * pass. */
int trace_writer_insn(struct trace_writer *w, const struct trace_insn *r)
{
    struct trace_pred *s = &w->pred;
    struct chunk_buf *b = w->cur;
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return -1;
    if (__builtin_expect(b->n_records == 0 || r->seq != s->next_seq || r->seq == UINT64_MAX ||
                         r->el != s->el || r->has_exception || r->has_values != s->has_values ||
                         r->has_pa != s->has_pa || (r->has_pa && r->pa != r->pc + s->pa_off) ||
                         r->n_regs > TRACE_PC_CACHE_REGS || r->n_mem > TRACE_PC_CACHE_MEM ||
                         w->mode != TRACE_MODE_FULL, 0))
        return insn_slow(w, r);
    uint64_t pc = r->pc;
    struct trace_pc_entry *e = &s->cache[trace_pc_slot(pc)];
    unsigned n_regs = r->n_regs, n_mem = r->n_mem;
    if (e->gen != s->gen || e->pc != pc || e->n_regs != n_regs || e->n_mem != n_mem)
        return insn_slow(w, r);
    for (unsigned k = 0; k < n_regs; k++)
        if (e->regs[k] != r->regs[k].id || (r->regs[k].hi && !trace_reg_is_vector(r->regs[k].id)))
            return insn_slow(w, r);
    for (unsigned j = 0; j < n_mem; j++) {
        const struct trace_mem_access *m = &r->mem[j];
        const struct trace_mem_shape *sh = &e->mem[j];
        if (m->size != sh->size || m->store != sh->store ||
            (r->has_values && m->has_value) != (sh->src != TRACE_SRC_ABSENT))
            return insn_slow(w, r);
        uint64_t ml = trace_mask_lo(m->size), mh = trace_mask_hi(m->size);
        if (sh->src == TRACE_SRC_REGW) {
            if (sh->arg >= n_regs)
                return insn_slow(w, r);
            const struct trace_reg_write *g = &r->regs[sh->arg];
            if (((g->lo ^ m->lo) & ml) || ((g->hi ^ m->hi) & mh))
                return insn_slow(w, r);
        } else if (sh->src == TRACE_SRC_REG) {
            if (((s->reg_lo[sh->arg] ^ m->lo) & ml) || ((s->reg_hi[sh->arg] ^ m->hi) & mh))
                return insn_slow(w, r);
        }
    }

    uint8_t *p = b->raw + b->used;
    unsigned fa = (pc != s->pred_pc ? TRACE_A_PC : 0) | (e->enc != r->encoding ? TRACE_A_ENC : 0);
    trace_pred_follow(s, pc);
    *p++ = (uint8_t)fa;
    if (fa & TRACE_A_PC)
        p = put_varint(p, zigzag((int64_t)(pc - s->pred_pc)));
    if (fa & TRACE_A_ENC) {
        put_le32(p, r->encoding);
        p += 4;
        e->enc = r->encoding;
    }
    bool hv = r->has_values;
    for (unsigned k = 0; hv && k < n_regs; k++) {
        const struct trace_reg_write *g = &r->regs[k];
        p = put_varint(p, zigzag((int64_t)(g->lo - e->val_lo[k])));
        if (trace_reg_is_vector(g->id))
            p = put_varint(p, g->hi ^ e->val_hi[k]);
        e->val_lo[k] = g->lo;
        e->val_hi[k] = g->hi;
    }
    for (unsigned j = 0; j < n_mem; j++) {
        const struct trace_mem_access *m = &r->mem[j];
        uint64_t pred = j < e->n_addr ? e->addr[j] + e->stride[j]
                      : j > 0 ? r->mem[j - 1].va + r->mem[j - 1].size : s->last_addr;
        p = put_varint(p, zigzag((int64_t)(m->va - pred)));
        if (e->mem[j].src == TRACE_SRC_LITERAL) {
            p = put_varint(p, m->lo & trace_mask_lo(m->size));
            if (m->size > 8)
                p = put_varint(p, m->hi & trace_mask_hi(m->size));
        }
    }
    /* Learn (the register values were learnt above, after their use). */
    for (unsigned k = 0; hv && k < n_regs; k++) {
        uint16_t id = r->regs[k].id;
        if (id < TRACE_REG_NUM_CORE) {
            s->reg_lo[id] = r->regs[k].lo;
            s->reg_hi[id] = r->regs[k].hi;
        }
    }
    for (unsigned j = 0; j < n_mem; j++) {
        e->stride[j] = j < e->n_addr ? r->mem[j].va - e->addr[j] : 0;
        e->addr[j] = r->mem[j].va;
    }
    e->n_addr = (uint8_t)n_mem;
    if (n_mem)
        s->last_addr = r->mem[n_mem - 1].va;
    if (r->has_pa)
        s->pa_off = r->pa - pc;
    s->next_seq = r->seq + 1;
    s->pred_pc = trace_pred_next(e, pc, 1);
    s->prev_pc = pc;
    s->prev_e = e;
    return after_record(w, p);
}

/* ---- block mode: bytes and 32-bit words (docs/trace-format.md, "Block mode records") */

static inline uint8_t *put_word(uint8_t *p, uint32_t v)
{
    put_le32(p, v);
    return p + 4;
}

/* A record that starts with a word: its TRACE_BLOCK_BYTE_WORD byte and the word. */
static inline uint8_t *put_word_record(uint8_t *p, uint32_t v)
{
    *p++ = TRACE_BLOCK_BYTE_WORD;
    return put_word(p, v);
}

/* An entry of described block `id`: one byte for the chunk's first 192 blocks, two for
 * the next 16128 (a 4-byte id per entry was most of what LZ4 had to compress:
 * docs/trace.md). */
static inline uint8_t *put_entry(uint8_t *p, const struct block_def *d, uint32_t id)
{
    uint32_t k = d->number;
    if (__builtin_expect(k < TRACE_BLOCK_BYTE_PAIR, 1)) {
        *p = (uint8_t)k;
        return p + 1;
    }
    if (k < TRACE_BLOCK_SHORT_NUMBERS) {
        k -= TRACE_BLOCK_BYTE_PAIR;
        p[0] = (uint8_t)(TRACE_BLOCK_BYTE_PAIR + (k >> 8));
        p[1] = (uint8_t)k;
        return p + 2;
    }
    return put_word_record(p, id);
}

static inline uint8_t *put_word64(uint8_t *p, uint64_t v)
{
    put_le32(p, (uint32_t)v);
    put_le32(p + 4, (uint32_t)(v >> 32));
    return p + 8;
}

/* Block-mode checks common to both kinds of entry; starts a chunk or marks a gap. */
static int block_entry_start(struct trace_writer *w, uint64_t seq, uint64_t first_pc)
{
    if (w->mode != TRACE_MODE_BLOCK)
        return bad_record(w, "a block record in a full trace", seq);
    struct chunk_buf *b = w->cur;
    struct trace_pred *s = &w->pred;
    if (b->n_records ? seq < s->next_seq : w->any && seq < w->min_seq)
        return bad_record(w, "block overlaps the previous one", seq);
    if (b->n_records == 0) {
        if (++w->block_gen == 0) {          /* wrapped: every block is new to the chunk again */
            for (uint32_t i = 0; i < w->cap_defs; i++)
                w->defs[i].gen = 0;
            w->block_gen = 1;
        }
        w->n_numbered = 0;
        b->first_seq = seq;
        b->first_pc = first_pc;
        s->next_seq = seq;
    } else if (seq != s->next_seq) {
        uint8_t *p = put_word_record(b->raw + b->used, TRACE_W_SKIP);
        b->used = (uint32_t)(put_word64(p, seq - s->next_seq) - b->raw);
        s->next_seq = seq;
    }
    w->any = true;
    return 0;
}

int trace_writer_define_block(struct trace_writer *w, uint32_t id, uint64_t pc, uint64_t pa, uint8_t el,
                              uint32_t n_insns)
{
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return -1;
    if (w->mode != TRACE_MODE_BLOCK)
        return bad_record(w, "a block description in a full trace", w->pred.next_seq);
    if (id >= TRACE_BLOCK_ID_LIMIT || n_insns == 0 || (el > 3 && el != TRACE_EL_UNKNOWN))
        return bad_record(w, "invalid block description (id, length or EL)", w->pred.next_seq);
    if (trace_table_hold((void **)&w->defs, &w->cap_defs, id, sizeof *w->defs) < 0) {
        fail(w, "%s: out of memory for %u block descriptions", w->path, id + 1);
        return -1;
    }
    bool has_pa = (w->flags & TRACE_FLAG_PA) != 0;
    w->defs[id] = (struct block_def){ .pc = pc, .pa = has_pa ? pa : 0, .n = n_insns, .el = el, .defined = true };
    return 0;
}

/* Appends block `id`'s description to p if the chunk does not have it yet; NULL if the
 * id was never described. */
static inline uint8_t *describe_once(struct trace_writer *w, uint8_t *p, uint32_t id)
{
    struct block_def *d = &w->defs[id];
    if (__builtin_expect(d->gen == w->block_gen, 1))
        return p;
    if (!d->defined)
        return NULL;
    d->gen = w->block_gen;
    d->number = w->n_numbered++;
    p = put_word_record(p, TRACE_W_DEFINE);
    p = put_word(p, id);
    p = put_word64(p, d->pc);
    p = put_word64(p, d->pa);
    p = put_word(p, d->el);
    return put_word(p, d->n);
}

/* The entries' ids are ids32[i], or ids64[i] >> shift when `wide`: the callers below get
 * a loop each (always_inline, constant `wide` and, for the JIT's items, `shift`). */
static inline __attribute__((always_inline)) uint64_t entry_id(bool wide, const uint32_t *ids32,
                                                             const uint64_t *ids64, unsigned shift, size_t i)
{
    return wide ? ids64[i] >> shift : ids32[i];
}

/* Wide: whether word i continues the run (its bits below shift are `tag`). */
static inline __attribute__((always_inline)) bool in_run(bool wide, const uint64_t *ids64, unsigned shift,
                                                       uint64_t tag, size_t i, size_t n)
{
    return !wide || (i < n && (ids64[i] & (((uint64_t)1 << shift) - 1)) == tag);
}

/* Writes entries from seq on: all n ids (narrow), or (wide) those of the run of words
 * from words[0] on but its last word, which the caller holds back. Returns 0 (narrow) or
 * the run's length (wide), -1 on failure; *seq_after: the sequence number after the
 * entries written. */
static inline __attribute__((always_inline)) long write_entries(struct trace_writer *w, uint64_t seq, bool wide,
                                                                const uint32_t *ids32, const uint64_t *ids64,
                                                                unsigned shift, uint64_t tag, size_t n,
                                                                uint64_t *seq_after)
{
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return -1;
    /* Sequence numbers cannot overflow in this batch (block lengths are 32-bit): the
     * loop need not check each entry. */
    if (n > UINT32_MAX || seq > UINT64_MAX - (uint64_t)n * UINT32_MAX)
        return bad_record(w, "sequence number overflows", seq);
    if (wide && !in_run(wide, ids64, shift, tag, 0, n))
        return 0;
    struct trace_pred *s = &w->pred;
    size_t i = 0, n_write = wide ? n - 1 : n;
    /* wide: entry i is written only once word i + 1 shows that the run goes on */
    while (i < n_write && in_run(wide, ids64, shift, tag, i + 1, n)) {
        uint64_t first_id = entry_id(wide, ids32, ids64, shift, i);
        if (first_id >= w->cap_defs || !w->defs[first_id].defined)
            return bad_record(w, "an entry of a block never described", seq);
        if (block_entry_start(w, seq, w->defs[first_id].pc) < 0)
            return -1;
        /* Entries until the chunk is full: an entry and its description fit in the
         * slack the buffer has beyond chunk_bytes. */
        struct chunk_buf *b = w->cur;
        uint8_t *p = b->raw + b->used, *limit = b->raw + w->chunk_bytes;
        size_t room = w->chunk_records - b->n_records, end = n_write - i < room ? n_write : i + room;
        uint64_t seq0 = seq;
        size_t first = i;
        /* in locals: the loop's stores through p could alias the writer's fields */
        struct block_def *defs = w->defs;
        uint32_t cap = w->cap_defs, gen = w->block_gen;
        uint64_t id = first_id;
        /* at least one entry: a SKIP may have filled the chunk, which must not end in it */
        for (bool more = true; more; more = i < end && p < limit && in_run(wide, ids64, shift, tag, i + 1, n)) {
            id = entry_id(wide, ids32, ids64, shift, i++);
            uint8_t *q = p;
            if (id >= cap || (defs[id].gen != gen && !(q = describe_once(w, p, (uint32_t)id)))) {
                b->used = (uint32_t)(p - b->raw);
                b->n_records += (uint32_t)(i - 1 - first);
                s->next_seq = seq;
                w->instructions += seq - seq0;
                return bad_record(w, "an entry of a block never described", seq);
            }
            p = put_entry(q, &defs[id], (uint32_t)id);
            seq += defs[id].n;
        }
        b->used = (uint32_t)(p - b->raw);
        b->n_records += (uint32_t)(i - first);
        s->next_seq = seq;
        s->prev_pc = defs[id].pc;
        w->instructions += seq - seq0;
        if ((p >= limit || b->n_records >= w->chunk_records) && submit(w) != 0)
            return -1;
    }
    if (seq_after)
        *seq_after = seq;
    return wide ? (long)i + 1 : 0;
}

int trace_writer_blocks(struct trace_writer *w, uint64_t seq, const uint32_t *ids, size_t n)
{
    return (int)write_entries(w, seq, false, ids, NULL, 0, 0, n, NULL);
}

long trace_writer_block_words(struct trace_writer *w, uint64_t seq, const uint64_t *words, size_t n, unsigned shift,
                              uint64_t tag, uint64_t *seq_last)
{
    if (shift == 0 || shift > 32 || tag >> shift)
        return bad_record(w, "invalid id layout for block entries", seq);
    if (shift == 4)   /* the JIT's items (jit/jit_trace.h): a loop with the shift built in */
        return write_entries(w, seq, true, NULL, words, 4, tag, n, seq_last);
    return write_entries(w, seq, true, NULL, words, shift, tag, n, seq_last);
}

int trace_writer_block_run(struct trace_writer *w, uint64_t seq, uint32_t id, uint64_t count)
{
    if (count == 0)
        return 0;
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return -1;
    if (id >= w->cap_defs || !w->defs[id].defined)
        return bad_record(w, "an entry of a block never described", seq);
    uint64_t n = w->defs[id].n;
    if (count > (UINT64_MAX - seq) / n)
        return bad_record(w, "sequence number overflows", seq);
    /* the first entry as any other (it starts a chunk or marks a gap), then the rest
     * as REPEAT records, cut where chunks end */
    if (trace_writer_blocks(w, seq, &id, 1) < 0)
        return -1;
    seq += n;
    count--;
    while (count) {
        struct chunk_buf *b = w->cur;
        if (b->n_records == 0) {
            if (trace_writer_blocks(w, seq, &id, 1) < 0)
                return -1;
            seq += n;
            count--;
            continue;
        }
        uint64_t m = w->chunk_records - b->n_records;
        if (m > count)
            m = count;
        uint8_t *p = put_word_record(b->raw + b->used, TRACE_W_REPEAT);
        p = put_word64(p, m);
        b->used = (uint32_t)(p - b->raw);
        b->n_records += (uint32_t)m;
        seq += m * n;
        count -= m;
        w->pred.next_seq = seq;
        w->instructions += m * n;
        if ((b->used >= w->chunk_bytes || b->n_records >= w->chunk_records) && submit(w) != 0)
            return -1;
    }
    return 0;
}

int trace_writer_block(struct trace_writer *w, uint64_t seq, uint64_t pc, uint64_t pa, uint8_t el,
                       uint32_t n_insns)
{
    if (atomic_load_explicit(&w->failed, memory_order_relaxed))
        return -1;
    if (n_insns == 0)
        return bad_record(w, "a block of zero instructions", seq);
    if (el > 3 && el != TRACE_EL_UNKNOWN)
        return bad_record(w, "EL out of range", seq);
    if (seq + n_insns < seq)
        return bad_record(w, "sequence number overflows", seq);
    if (block_entry_start(w, seq, pc) < 0)
        return -1;
    struct chunk_buf *b = w->cur;
    uint8_t *p = put_word_record(b->raw + b->used, TRACE_W_BLOCK);
    p = put_word64(p, pc);
    p = put_word64(p, (w->flags & TRACE_FLAG_PA) ? pa : 0);
    p = put_word(p, el);
    p = put_word(p, n_insns);
    w->pred.next_seq = seq + n_insns;
    w->pred.prev_pc = pc;
    w->instructions += n_insns;
    return after_record(w, p);
}

int trace_writer_replay_chunk(struct trace_writer *w, uint64_t first_seq, uint64_t end_seq, uint64_t first_pc,
                              uint64_t last_pc, const uint64_t *items, size_t n_items, const uint8_t *entries,
                              size_t n_entries, const uint8_t *values, size_t n_values, const uint8_t *word_values,
                              size_t n_word_values)
{
    if (atomic_load(&w->failed))
        return -1;
    if (w->mode != TRACE_MODE_REPLAY)
        return bad_record(w, "a replay chunk in a trace of another mode", first_seq);
    const size_t max = TRACE_REPLAY_CHUNK_MAX;
    if (n_items > max / 8 || n_entries > max || n_values > max || n_word_values > max || n_word_values % 8 ||
        TRACE_REPLAY_HEAD + n_items * 8 + n_entries + n_values + n_word_values > max || end_seq < first_seq ||
        (w->any && first_seq < w->min_seq))
        return bad_record(w, "an invalid replay chunk", first_seq);
    struct chunk_buf *b = w->cur;
    uint8_t *p = b->raw + TRACE_REPLAY_HEAD;
    if (n_items)
        memcpy(p, items, n_items * 8);
    p += n_items * 8;
    if (n_entries)
        memcpy(p, entries, n_entries);
    p += n_entries;
    if (n_values)
        memcpy(p, values, n_values);
    p += n_values;
    /* as they are here; the helper codes them (code_values) */
    b->values_at = (uint32_t)(p - b->raw);
    b->n_values = (uint32_t)n_word_values;
    if (n_word_values)
        memcpy(p, word_values, n_word_values);
    p += n_word_values;
    uint64_t head[TRACE_REPLAY_HEAD / 8] = { n_items, n_entries, n_values, n_word_values, TRACE_VALUES_PACKED };
    memcpy(b->raw, head, sizeof head);
    b->used = (uint32_t)(p - b->raw);
    b->n_records = b->used;
    b->first_seq = first_seq;
    b->first_pc = first_pc;
    w->pred.next_seq = end_seq;                      /* submit's end of the chunk */
    w->pred.prev_pc = last_pc;
    w->instructions += end_seq - first_seq;
    w->any = true;
    return submit(w);
}

/* Stops the helper after it drained the queue. */
static void stop_thread(struct trace_writer *w)
{
    if (!w->have_thread)
        return;
    pthread_mutex_lock(&w->lock);
    w->closing = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->have_thread = false;
}

static void free_writer(struct trace_writer *w)
{
    for (int i = 0; i < NBUF; i++)
        trace_buffer_free(w->bufs[i].raw, chunk_buf_size(w));
    free(w->pred.cache);
    free(w->defs);
    free(w->index);
    trace_buffer_free(w->comp, w->comp_cap);
    if (w->zctx)
        ZSTD_freeCCtx(w->zctx);
    free(w->lz4_state);
    if (w->zs_init)
        deflateEnd(&w->zs);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w->path);
    free(w);
}

void trace_writer_abort(struct trace_writer *w)
{
    if (!w)
        return;
    atomic_store(&w->failed, true);
    stop_thread(w);
    if (w->fd >= 0)
        close(w->fd);
    free_writer(w);
}

static int write_index(struct trace_writer *w)
{
    size_t size = 16 + w->n_index * TRACE_INDEX_ENTRY;
    uint8_t *x = calloc(1, size);
    if (!x) {
        fail(w, "%s: out of memory for the index", w->path);
        return -1;
    }
    put_le32(x, TRACE_INDEX_MAGIC);
    put_le64(x + 8, w->n_index);
    uint64_t n_records = 0;
    for (size_t i = 0; i < w->n_index; i++) {
        const struct index_entry *e = &w->index[i];
        uint8_t *q = x + 16 + i * TRACE_INDEX_ENTRY;
        put_le64(q + 0, e->offset);
        put_le32(q + 8, e->comp_size);
        put_le32(q + 12, e->raw_size);
        put_le64(q + 16, e->first_seq);
        put_le64(q + 24, e->end_seq);
        put_le32(q + 32, e->n_records);
        put_le32(q + 36, e->codec);
        put_le64(q + 40, e->first_pc);
        put_le64(q + 48, e->last_pc);
        n_records += e->n_records;
    }
    uint64_t index_off = w->file_off;
    uint8_t f[TRACE_FOOTER_SIZE] = {0};
    memcpy(f, TRACE_FOOTER_MAGIC, 8);
    put_le64(f + 8, index_off);
    put_le64(f + 16, w->n_index);
    put_le64(f + 24, n_records);
    put_le64(f + 32, w->n_index ? w->index[0].first_seq : 0);
    put_le64(f + 40, w->n_index ? w->index[w->n_index - 1].end_seq : 0);
    put_le32(f + 48, (uint32_t)crc32(0, x, (uInt)size));
    put_le64(f + 52, w->instructions);
    put_le32(f + 60, (uint32_t)crc32(0, f, 60));
    int rc = write_all(w, x, size);
    free(x);
    if (rc == 0)
        rc = write_all(w, f, sizeof f);
    return rc;
}

int trace_writer_close_stats(struct trace_writer *w, struct trace_writer_stats *stats, char *err,
                             size_t err_size)
{
    if (!atomic_load(&w->failed))
        submit(w);
    stop_thread(w);
    if (!atomic_load(&w->failed))
        write_index(w);
    if (w->fd >= 0 && close(w->fd) != 0)
        fail(w, "%s: close failed: %s", w->path, strerror(errno));
    w->fd = -1;
    if (stats) {
        stats->records = w->records;
        stats->instructions = w->instructions;
        stats->raw_bytes = w->raw_bytes - w->coded_saved;
        stats->file_bytes = w->file_off;
        stats->chunks = w->n_index;
        stats->producer_wait_s = w->wait_s;
    }
    int rc = atomic_load(&w->failed) ? -1 : 0;
    if (rc)
        set_err(err, err_size, w->errmsg);
    free_writer(w);
    return rc;
}

int trace_writer_close(struct trace_writer *w, char *err, size_t err_size)
{
    return trace_writer_close_stats(w, NULL, err, err_size);
}
