/* The trace reader (see trace_reader.h). Trust nothing in the file: every size is
 * checked against the file size and the format's limits before it is used, every
 * structure carries a CRC, and record decoding is bounds-checked byte by byte with the
 * same predictor updates as trace_writer.c. */
#include "hypervisor/trace/trace_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include "hypervisor/trace/trace_codec.h"

/* A block description of the loaded chunk (block mode), by id. */
struct block_slot {
    uint32_t id, gen;                 /* gen != the reader's: empty */
    uint64_t pc, pa;
    uint32_t n;
    uint8_t el;
};

struct trace_reader {
    char *path;
    int fd;
    struct trace_reader_info info;
    char *strings;
    struct trace_chunk_info *index;
    uint64_t n_index;

    /* The loaded chunk. */
    uint64_t chunk;               /* index of the loaded chunk, or n_index: none */
    uint8_t *comp, *raw;
    size_t comp_cap, raw_cap;
    const uint8_t *pos, *end;
    uint32_t left;                /* records left in the loaded chunk */
    uint64_t next_chunk;          /* loaded next by trace_reader_next */
    struct trace_pred pred;
    struct block_slot *blocks;    /* block mode: the chunk's block descriptions */
    uint32_t cap_blocks, n_blocks, block_gen;
    struct block_slot *numbered;  /* version 3: the chunk's descriptions by number */
    uint32_t cap_numbered, n_numbered;
    struct block_slot last_entry;   /* the chunk's last block entry (REPEAT repeats it) */
    bool have_last_entry;
    uint64_t repeat_left;           /* entries of a REPEAT still to hand out */
    ZSTD_DCtx *zd;

    struct trace_reader *expanded;  /* replay mode: the loaded chunk's full records */

    bool have_peek;               /* seek decoded the first record already */
    struct trace_record peek;
    bool failed;
    char err[512];

    struct trace_reg_write regs[TRACE_MAX_REGS];
    struct trace_mem_access mem[TRACE_MAX_MEM];
    struct trace_mem_shape shape[TRACE_MAX_MEM];
};

static int rfail(struct trace_reader *r, const char *fmt, ...)
{
    if (!r->failed) {
        char msg[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(r->err, sizeof r->err, "%s: %s", r->path, msg);
        r->failed = true;
    }
    return -1;
}

static int read_at(struct trace_reader *r, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pread(r->fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return rfail(r, "read failed: %s", strerror(errno));
        }
        if (n == 0)
            return rfail(r, "truncated: unexpected end of file at byte %llu",
                         (unsigned long long)off);
        p += n;
        len -= (size_t)n;
        off += (uint64_t)n;
    }
    return 0;
}

const char *trace_reader_error(const struct trace_reader *r)
{
    return r->err;
}

const struct trace_reader_info *trace_reader_info(const struct trace_reader *r)
{
    return &r->info;
}

bool trace_reader_chunk(const struct trace_reader *r, uint64_t i, struct trace_chunk_info *out)
{
    if (i >= r->n_index)
        return false;
    *out = r->index[i];
    return true;
}

static int read_header(struct trace_reader *r, uint64_t *header_size)
{
    uint8_t h[TRACE_HEADER_FIXED];
    if (r->info.file_size < TRACE_HEADER_FIXED + 4)
        return rfail(r, "not a Ferry trace (too short: %llu bytes)",
                     (unsigned long long)r->info.file_size);
    if (read_at(r, h, sizeof h, 0) != 0)
        return -1;
    if (memcmp(h, TRACE_MAGIC, 8) != 0)
        return rfail(r, "not a Ferry trace (bad magic)");
    r->info.version = get_le32(h + 8);
    if (r->info.version < TRACE_FORMAT_V1_FULL || r->info.version > TRACE_FORMAT_VERSION)
        return rfail(r, "trace format version %u; this ferry reads versions %u to %u",
                     r->info.version, TRACE_FORMAT_V1_FULL, TRACE_FORMAT_VERSION);
    uint64_t size = get_le32(h + 12);
    uint64_t lens[3], total = 0;
    for (int i = 0; i < 3; i++) {
        lens[i] = get_le32(h + 24 + 4 * i);
        if (lens[i] >= TRACE_STRING_MAX)
            return rfail(r, "corrupt header (string of %llu bytes)", (unsigned long long)lens[i]);
        total += lens[i];
    }
    if (size != TRACE_HEADER_FIXED + total + 4 || get_le32(h + 36) != 0 || h[19] != 0)
        return rfail(r, "corrupt header (inconsistent sizes)");
    if (size > r->info.file_size)
        return rfail(r, "truncated: the header is %llu bytes, the file %llu",
                     (unsigned long long)size, (unsigned long long)r->info.file_size);
    uint8_t *buf = malloc(size);
    r->strings = malloc(total + 3);
    if (!buf || !r->strings) {
        free(buf);
        return rfail(r, "out of memory");
    }
    if (read_at(r, buf, size, 0) != 0) {
        free(buf);
        return -1;
    }
    uint32_t crc = (uint32_t)crc32(0, buf, (uInt)(size - 4));
    if (crc != get_le32(buf + size - 4)) {
        free(buf);
        return rfail(r, "corrupt header (checksum mismatch)");
    }
    r->info.arch = get_le16(h + 16);
    r->info.mode = h[18];
    r->info.flags = get_le32(h + 20);
    if (r->info.arch != TRACE_ARCH_AARCH64 || r->info.mode > TRACE_MODE_REPLAY ||
        (r->info.mode == TRACE_MODE_REPLAY && r->info.version < TRACE_FORMAT_V4_REPLAY) ||
        (r->info.flags & ~(uint32_t)TRACE_FLAGS_KNOWN)) {
        free(buf);
        return rfail(r, "corrupt header (architecture %u, mode %u, flags %#x)", r->info.arch,
                     r->info.mode, r->info.flags);
    }
    if (r->info.version == TRACE_FORMAT_V1_FULL && r->info.mode != TRACE_MODE_FULL) {
        free(buf);
        return rfail(r, "a block-mode trace of format version 1; this ferry reads block mode from version %u on",
                     TRACE_FORMAT_V2_WORDS);
    }
    const char **dst[3] = {&r->info.ferry_version, &r->info.command_line, &r->info.filters};
    uint64_t src = TRACE_HEADER_FIXED, out = 0;
    for (int i = 0; i < 3; i++) {
        memcpy(r->strings + out, buf + src, lens[i]);
        r->strings[out + lens[i]] = 0;
        /* Printable text only: the strings end up on terminals. */
        for (uint64_t k = 0; k < lens[i]; k++) {
            unsigned char c = (unsigned char)r->strings[out + k];
            if (c < 0x20 || c == 0x7f)
                r->strings[out + k] = '?';
        }
        *dst[i] = r->strings + out;
        src += lens[i];
        out += lens[i] + 1;
    }
    free(buf);
    *header_size = size;
    return 0;
}

/* Checks one chunk's description (from the index or from its own header). */
static int check_chunk(struct trace_reader *r, const struct trace_chunk_info *c, uint64_t i)
{
    bool replay = r->info.mode == TRACE_MODE_REPLAY;   /* records: raw bytes */
    if (c->comp_size > TRACE_CHUNK_COMP_MAX || c->raw_size > TRACE_CHUNK_RAW_MAX ||
        c->n_records == 0 || (r->info.mode == TRACE_MODE_FULL && c->n_records > c->raw_size) ||
        c->codec > TRACE_CODEC_LZ4 || (c->codec == TRACE_CODEC_NONE && c->comp_size != c->raw_size) ||
        (replay ? c->n_records != c->raw_size || c->raw_size < TRACE_REPLAY_HEAD_V4 || c->end_seq < c->first_seq
                : c->end_seq <= c->first_seq || c->end_seq - c->first_seq < c->n_records))
        return rfail(r, "corrupt chunk %llu description", (unsigned long long)i);
    return 0;
}

static void parse_chunk_header(const uint8_t *h, struct trace_chunk_info *c, uint64_t off)
{
    c->offset = off;
    c->codec = get_le32(h + 4);
    c->comp_size = get_le32(h + 8);
    c->raw_size = get_le32(h + 12);
    c->first_seq = get_le64(h + 16);
    c->end_seq = get_le64(h + 24);
    c->n_records = get_le32(h + 32);
    c->first_pc = get_le64(h + 40);
    c->last_pc = get_le64(h + 48);
}

static bool chunk_header_ok(const uint8_t *h)
{
    return get_le32(h) == TRACE_CHUNK_MAGIC && get_le32(h + 56) == 0 &&
           get_le32(h + 60) == (uint32_t)crc32(0, h, 60);
}

static int read_index(struct trace_reader *r, uint64_t header_size, bool *no_footer)
{
    uint8_t f[TRACE_FOOTER_SIZE];
    uint64_t fs = r->info.file_size;
    *no_footer = true;
    if (fs < header_size + TRACE_FOOTER_SIZE + 16)
        return rfail(r, "truncated: no end record (the recording did not finish or the "
                        "file was cut)");
    if (read_at(r, f, sizeof f, fs - TRACE_FOOTER_SIZE) != 0)
        return -1;
    if (memcmp(f, TRACE_FOOTER_MAGIC, 8) != 0 || get_le32(f + 60) != (uint32_t)crc32(0, f, 60))
        return rfail(r, "truncated: no end record (the recording did not finish or the "
                        "file was cut)");
    *no_footer = false;
    uint64_t index_off = get_le64(f + 8), n = get_le64(f + 16);
    r->info.n_records = get_le64(f + 24);
    r->info.first_seq = get_le64(f + 32);
    r->info.end_seq = get_le64(f + 40);
    r->info.instructions = get_le64(f + 52);
    uint64_t avail = fs - TRACE_FOOTER_SIZE;
    if (index_off < header_size || index_off > avail - 16 ||
        n > (avail - 16 - index_off) / TRACE_INDEX_ENTRY ||
        index_off + 16 + n * TRACE_INDEX_ENTRY != avail)
        return rfail(r, "corrupt end record (index at %llu, %llu chunks, file %llu bytes)",
                     (unsigned long long)index_off, (unsigned long long)n, (unsigned long long)fs);
    size_t size = 16 + n * TRACE_INDEX_ENTRY;
    uint8_t *x = malloc(size);
    r->index = calloc(n ? n : 1, sizeof *r->index);
    if (!x || !r->index) {
        free(x);
        return rfail(r, "out of memory for the index");
    }
    if (read_at(r, x, size, index_off) != 0) {
        free(x);
        return -1;
    }
    if (get_le32(f + 48) != (uint32_t)crc32(0, x, (uInt)size) || get_le32(x) != TRACE_INDEX_MAGIC ||
        get_le64(x + 8) != n) {
        free(x);
        return rfail(r, "corrupt index (checksum mismatch)");
    }
    uint64_t expect_off = header_size, records = 0, insns = 0, prev_end = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *q = x + 16 + i * TRACE_INDEX_ENTRY;
        struct trace_chunk_info *c = &r->index[i];
        c->offset = get_le64(q);
        c->comp_size = get_le32(q + 8);
        c->raw_size = get_le32(q + 12);
        c->first_seq = get_le64(q + 16);
        c->end_seq = get_le64(q + 24);
        c->n_records = get_le32(q + 32);
        c->codec = get_le32(q + 36);
        c->first_pc = get_le64(q + 40);
        c->last_pc = get_le64(q + 48);
        if (check_chunk(r, c, i) != 0 || c->offset != expect_off || get_le64(q + 56) != 0 ||
            (i > 0 && c->first_seq < prev_end)) {
            free(x);
            r->failed = false;
            return rfail(r, "corrupt index (entry %llu)", (unsigned long long)i);
        }
        expect_off = c->offset + TRACE_CHUNK_HEADER + c->comp_size;
        prev_end = c->end_seq;
        records += c->n_records;
        insns += r->info.mode == TRACE_MODE_FULL ? c->n_records
               : r->info.mode == TRACE_MODE_REPLAY ? c->end_seq - c->first_seq : 0;
    }
    free(x);
    if (expect_off != index_off || records != r->info.n_records ||
        (n && (r->info.first_seq != r->index[0].first_seq || r->info.end_seq != prev_end)) ||
        (r->info.mode != TRACE_MODE_BLOCK && insns != r->info.instructions) ||
        (r->info.mode == TRACE_MODE_BLOCK && r->info.instructions < records))
        return rfail(r, "corrupt index (totals disagree with the end record)");
    r->n_index = n;
    return 0;
}

/* No (valid) end record or index: index the complete chunks from the start (their
 * headers and data CRCs must check out; the first one that does not ends the readable
 * part). */
static int recover_index(struct trace_reader *r, uint64_t header_size)
{
    uint64_t off = header_size, cap = 0, prev_end = 0;
    r->failed = false;
    r->err[0] = 0;
    free(r->index);
    r->index = NULL;
    r->n_index = 0;
    r->info.n_records = r->info.instructions = 0;
    uint8_t *data = NULL;
    while (off + TRACE_CHUNK_HEADER <= r->info.file_size) {
        uint8_t h[TRACE_CHUNK_HEADER];
        struct trace_chunk_info c;
        if (read_at(r, h, sizeof h, off) != 0 || !chunk_header_ok(h))
            break;
        parse_chunk_header(h, &c, off);
        if (check_chunk(r, &c, r->n_index) != 0 || (r->n_index && c.first_seq < prev_end) ||
            off + TRACE_CHUNK_HEADER + c.comp_size > r->info.file_size)
            break;
        uint8_t *d = realloc(data, c.comp_size ? c.comp_size : 1);
        if (!d)
            break;
        data = d;
        if (read_at(r, data, c.comp_size, off + TRACE_CHUNK_HEADER) != 0 ||
            get_le32(h + 36) != (uint32_t)crc32(0, data, c.comp_size))
            break;
        if (r->n_index == cap) {
            cap = cap ? 2 * cap : 64;
            struct trace_chunk_info *n = realloc(r->index, cap * sizeof *n);
            if (!n)
                break;
            r->index = n;
        }
        r->index[r->n_index++] = c;
        r->info.n_records += c.n_records;
        if (r->info.mode == TRACE_MODE_REPLAY)
            r->info.instructions += c.end_seq - c.first_seq;
        prev_end = c.end_seq;
        off += TRACE_CHUNK_HEADER + c.comp_size;
    }
    free(data);
    r->failed = false;
    r->err[0] = 0;
    r->info.recovered = true;
    if (r->n_index) {
        r->info.first_seq = r->index[0].first_seq;
        r->info.end_seq = prev_end;
    }
    /* Block mode: the instruction total needs the records; full mode: one each; replay
     * mode: the chunks' ranges (summed above). */
    if (r->info.mode != TRACE_MODE_REPLAY)
        r->info.instructions = r->info.mode == TRACE_MODE_FULL ? r->info.n_records : 0;
    return 0;
}

struct trace_reader *trace_reader_open(const char *path, unsigned flags, char *err,
                                       size_t err_size)
{
    struct trace_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_size, "%s: out of memory", path);
        return NULL;
    }
    r->fd = -1;
    r->path = strdup(path);
    if (!r->path) {
        snprintf(err, err_size, "%s: out of memory", path);
        trace_reader_close(r);
        return NULL;
    }
    uint64_t header_size = 0;
    bool no_footer = false;
    struct stat st;
    r->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        rfail(r, "cannot open: %s", strerror(errno));
    } else if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rfail(r, "not a regular file");
    } else {
        r->info.file_size = (uint64_t)st.st_size;
        /* --recover also reads past a damaged end record or index: the chunks carry
         * their own headers and CRCs. */
        if (read_header(r, &header_size) == 0 && read_index(r, header_size, &no_footer) != 0 &&
            (flags & TRACE_OPEN_RECOVER))
            recover_index(r, header_size);
    }
    if (r->failed) {
        snprintf(err, err_size, "%s%s", r->err,
                 no_footer && !(flags & TRACE_OPEN_RECOVER) ? "; --recover reads its complete chunks" : "");
        trace_reader_close(r);
        return NULL;
    }
    r->info.n_chunks = r->n_index;
    r->info.codec = r->n_index ? r->index[0].codec : 0;
    r->chunk = r->n_index;
    r->next_chunk = 0;
    return r;
}

void trace_reader_close(struct trace_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    trace_reader_close(r->expanded);
    if (r->zd)
        ZSTD_freeDCtx(r->zd);
    free(r->pred.cache);
    free(r->blocks);
    free(r->numbered);
    free(r->comp);
    free(r->raw);
    free(r->index);
    free(r->strings);
    free(r->path);
    free(r);
}

static int grow(struct trace_reader *r, uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    uint8_t *n = realloc(*buf, need);
    if (!n)
        return rfail(r, "out of memory for a chunk");
    *buf = n;
    *cap = need;
    return 0;
}

/* ---- block mode: the blocks the loaded chunk described, by id (open addressing) ---- */


static uint32_t block_hash(uint32_t id, uint32_t cap)
{
    return (uint32_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static void blocks_reset(struct trace_reader *r)
{
    r->n_blocks = 0;
    r->n_numbered = 0;
    if (++r->block_gen == 0) {
        for (uint32_t i = 0; i < r->cap_blocks; i++)
            r->blocks[i].gen = 0;
        r->block_gen = 1;
    }
}

static const struct block_slot *block_find(const struct trace_reader *r, uint32_t id)
{
    if (!r->cap_blocks)
        return NULL;
    for (uint32_t i = block_hash(id, r->cap_blocks);; i = (i + 1) & (r->cap_blocks - 1)) {
        const struct block_slot *b = &r->blocks[i];
        if (b->gen != r->block_gen)
            return NULL;
        if (b->id == id)
            return b;
    }
}

static struct block_slot *block_slot_for(struct trace_reader *r, uint32_t id)
{
    for (uint32_t i = block_hash(id, r->cap_blocks);; i = (i + 1) & (r->cap_blocks - 1)) {
        struct block_slot *b = &r->blocks[i];
        if (b->gen != r->block_gen || b->id == id)
            return b;
    }
}

/* Adds (or replaces) a description; keeps the table at most half full. */
static int block_define(struct trace_reader *r, const struct block_slot *d)
{
    if (2 * (r->n_blocks + 1) > r->cap_blocks) {
        uint32_t cap = r->cap_blocks ? 2 * r->cap_blocks : 1024;
        struct block_slot *old = r->blocks, *t = calloc(cap, sizeof *t);
        if (!t)
            return rfail(r, "out of memory for the block descriptions of chunk %llu", (unsigned long long)r->chunk);
        uint32_t old_cap = r->cap_blocks, gen = r->block_gen;
        r->blocks = t;
        r->cap_blocks = cap;
        r->block_gen = 1;
        for (uint32_t i = 0; i < old_cap; i++)
            if (old[i].gen == gen) {
                struct block_slot *b = block_slot_for(r, old[i].id);
                *b = old[i];
                b->gen = 1;
            }
        free(old);
    }
    struct block_slot *b = block_slot_for(r, d->id);
    if (b->gen != r->block_gen)
        r->n_blocks++;
    *b = *d;
    b->gen = r->block_gen;
    if (r->info.version <= TRACE_FORMAT_V2_WORDS)
        return 0;
    /* version 3 also numbers the chunk's DEFINEs: a number names the description its
     * DEFINE gave */
    if (r->n_numbered == r->cap_numbered) {
        uint32_t cap = r->cap_numbered ? 2 * r->cap_numbered : 256;
        struct block_slot *t = realloc(r->numbered, cap * sizeof *t);
        if (!t)
            return rfail(r, "out of memory for the block descriptions of chunk %llu", (unsigned long long)r->chunk);
        r->numbered = t;
        r->cap_numbered = cap;
    }
    r->numbered[r->n_numbered++] = *b;
    return 0;
}

static trace_replay_fn replay_fn;

void trace_reader_set_replay(trace_replay_fn fn) { replay_fn = fn; }

/* Replay mode: runs the loaded chunk's instructions again into a full trace in memory
 * (a memfd), whose reader then hands out the records. */
static int expand_chunk(struct trace_reader *r, uint64_t i)
{
    const struct trace_chunk_info *c = &r->index[i];
    trace_reader_close(r->expanded);
    r->expanded = NULL;
    if (!replay_fn)
        return rfail(r, "a replay trace, which this program cannot run again (ferry trace can)");
    int fd = memfd_create("ferry-replay", MFD_CLOEXEC);
    if (fd < 0)
        return rfail(r, "chunk %llu: cannot create a file in memory: %s", (unsigned long long)i, strerror(errno));
    char path[64], err[512] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int rc = replay_fn(r->raw, c->raw_size, r->info.version, c->first_seq, c->end_seq,
                       (r->info.flags & TRACE_FLAG_PA) != 0, path, err, sizeof err);
    if (rc == 0 && !(r->expanded = trace_reader_open(path, 0, err, sizeof err)))
        rc = -1;
    close(fd);
    if (rc != 0)
        return rfail(r, "chunk %llu: %s", (unsigned long long)i, err);
    r->left = 1;                          /* next_raw asks the expansion */
    return 0;
}

static int load_chunk(struct trace_reader *r, uint64_t i)
{
    const struct trace_chunk_info *c = &r->index[i];
    uint8_t h[TRACE_CHUNK_HEADER];
    struct trace_chunk_info hc;
    r->chunk = r->n_index;
    r->left = 0;
    /* Allocated on first use: opening a file (e.g. for its header) stays cheap. */
    if (!r->pred.cache && !(r->pred.cache = calloc(TRACE_PC_CACHE_SIZE, sizeof *r->pred.cache)))
        return rfail(r, "out of memory for the decoder");
    if (c->codec == TRACE_CODEC_ZSTD && !r->zd && !(r->zd = ZSTD_createDCtx()))
        return rfail(r, "out of memory for the decoder");
    if (read_at(r, h, sizeof h, c->offset) != 0)
        return -1;
    parse_chunk_header(h, &hc, c->offset);
    if (!chunk_header_ok(h) || memcmp(&hc, c, sizeof hc) != 0)
        return rfail(r, "corrupt chunk %llu header (at byte %llu)", (unsigned long long)i,
                     (unsigned long long)c->offset);
    if (grow(r, &r->comp, &r->comp_cap, c->comp_size + 1) != 0 ||
        grow(r, &r->raw, &r->raw_cap, c->raw_size + 1) != 0)
        return -1;
    if (read_at(r, r->comp, c->comp_size, c->offset + TRACE_CHUNK_HEADER) != 0)
        return -1;
    if (get_le32(h + 36) != (uint32_t)crc32(0, r->comp, c->comp_size))
        return rfail(r, "corrupt chunk %llu (checksum mismatch)", (unsigned long long)i);
    switch (c->codec) {
    case TRACE_CODEC_NONE:
        memcpy(r->raw, r->comp, c->raw_size);
        break;
    case TRACE_CODEC_ZSTD: {
        size_t n = ZSTD_decompressDCtx(r->zd, r->raw, c->raw_size, r->comp, c->comp_size);
        if (ZSTD_isError(n) || n != c->raw_size)
            return rfail(r, "corrupt chunk %llu (zstd: %s)", (unsigned long long)i,
                         ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size");
        break;
    }
    case TRACE_CODEC_LZ4: {
        /* the safe decoder: never writes past raw_size nor reads past comp_size */
        int n = LZ4_decompress_safe((const char *)r->comp, (char *)r->raw, (int)c->comp_size, (int)c->raw_size);
        if (n != (int)c->raw_size)
            return rfail(r, "corrupt chunk %llu (lz4: %s)", (unsigned long long)i, n < 0 ? "bad data" : "wrong size");
        break;
    }
    case TRACE_CODEC_ZLIB: {
        z_stream zs = {0};
        if (inflateInit(&zs) != Z_OK)
            return rfail(r, "zlib initialisation failed");
        zs.next_in = r->comp;
        zs.avail_in = c->comp_size;
        zs.next_out = r->raw;
        zs.avail_out = c->raw_size;
        int rc = inflate(&zs, Z_FINISH);
        bool ok = rc == Z_STREAM_END && zs.avail_out == 0 && zs.avail_in == 0;
        inflateEnd(&zs);
        if (!ok)
            return rfail(r, "corrupt chunk %llu (zlib data)", (unsigned long long)i);
        break;
    }
    default:
        return rfail(r, "corrupt chunk %llu (codec %u)", (unsigned long long)i, c->codec);
    }
    r->pos = r->raw;
    r->end = r->raw + c->raw_size;
    r->left = c->n_records;
    r->chunk = i;
    r->next_chunk = i + 1;
    trace_pred_reset(&r->pred, c->first_seq, c->first_pc);
    blocks_reset(r);
    r->have_last_entry = false;
    r->repeat_left = 0;
    if (r->info.mode == TRACE_MODE_BLOCK && r->info.version == TRACE_FORMAT_V2_WORDS && c->raw_size % 4)
        return rfail(r, "corrupt chunk %llu (block-mode records are 4-byte words)", (unsigned long long)i);
    if (r->info.mode == TRACE_MODE_REPLAY)
        return expand_chunk(r, i);
    return 0;
}

#define NEED(cond, what)                                                                    \
    do {                                                                                    \
        if (!(cond))                                                                        \
            return rfail(r, "corrupt chunk %llu: %s (record at instruction %llu)",         \
                         (unsigned long long)r->chunk, what, (unsigned long long)s->next_seq); \
    } while (0)
#define VARINT(dst) NEED(get_varint(&p, end, &(dst)), "truncated record")

static bool valid_reg_id(uint64_t id)
{
    return id <= TRACE_REG_ID_MAX && id != TRACE_REG_PC &&
           !(id >= TRACE_REG_NUM_CORE && id < TRACE_REG_SYSREG_BASE);
}

/* Decodes one full-mode record; mirrors trace_writer_insn. */
static int decode_insn(struct trace_reader *r, struct trace_record *out)
{
    struct trace_pred *s = &r->pred;
    const uint8_t *p = r->pos, *end = r->end;
    struct trace_insn *in = &out->insn;
    uint64_t v;
    memset(out, 0, sizeof *out);
    out->n_insns = 1;
    NEED(p < end, "truncated record");
    unsigned fa = *p++, fb = 0;
    NEED(!(fa & ~TRACE_A_MASK), "bad record flags");
    if (fa & TRACE_A_EXT) {
        NEED(p < end, "truncated record");
        fb = *p++;
        NEED(fb && !(fb & ~TRACE_B_MASK), "bad record flags");
    }
    in->seq = s->next_seq;
    if (fb & TRACE_B_SEQ) {
        VARINT(v);
        NEED(v > 0 && in->seq + v > in->seq, "bad sequence number");
        in->seq += v;
    }
    in->el = s->el;
    if (fb & TRACE_B_EL) {
        NEED(p < end, "truncated record");
        in->el = *p++;
        NEED(in->el <= 3 || in->el == TRACE_EL_UNKNOWN, "bad EL");
    }
    in->pc = s->pred_pc;
    if (fa & TRACE_A_PC) {
        VARINT(v);
        in->pc += (uint64_t)unzigzag(v);
    }
    in->has_pa = s->has_pa ^ !!(fb & TRACE_B_HAS_PA);
    in->has_values = s->has_values ^ !!(fb & TRACE_B_VALUES);
    NEED(in->has_pa || !(fb & TRACE_B_PA), "PA delta without a PA");
    if (in->has_pa) {
        in->pa = in->pc + s->pa_off;
        if (fb & TRACE_B_PA) {
            VARINT(v);
            in->pa += (uint64_t)unzigzag(v);
        }
    }
    trace_pred_follow(s, in->pc);
    bool hit;
    struct trace_pc_entry *e = trace_pred_entry(s, in->pc, &hit);
    if (fa & TRACE_A_ENC) {
        NEED(end - p >= 4, "truncated record");
        in->encoding = get_le32(p);
        p += 4;
    } else {
        NEED(hit, "encoding predicted for a new PC");
        in->encoding = e->enc;
    }
    bool same_regs = !(fa & TRACE_A_REGS);
    if (same_regs) {
        NEED(hit && e->n_regs <= TRACE_PC_CACHE_REGS, "register list predicted for a new PC");
        in->n_regs = e->n_regs;
        for (unsigned k = 0; k < in->n_regs; k++)
            r->regs[k].id = e->regs[k];
    } else {
        VARINT(v);
        NEED(v <= TRACE_MAX_REGS, "too many register writes");
        in->n_regs = (unsigned)v;
        for (unsigned k = 0; k < in->n_regs; k++) {
            VARINT(v);
            NEED(valid_reg_id(v), "bad register id");
            r->regs[k].id = (uint16_t)v;
        }
    }
    bool same_shape = !(fa & TRACE_A_MEMSHAPE);
    struct trace_mem_shape *shape = r->shape;
    if (same_shape) {
        NEED(hit && e->n_mem <= TRACE_PC_CACHE_MEM, "memory shape predicted for a new PC");
        in->n_mem = e->n_mem;
        for (unsigned j = 0; j < in->n_mem; j++)
            shape[j] = e->mem[j];
    } else {
        VARINT(v);
        NEED(v <= TRACE_MAX_MEM, "too many memory accesses");
        in->n_mem = (unsigned)v;
        NEED((uint64_t)(end - p) >= 3ull * in->n_mem, "truncated record");
        for (unsigned j = 0; j < in->n_mem; j++) {
            shape[j].size = p[0];
            shape[j].store = p[1] & 1;
            shape[j].src = p[1] >> 1;
            shape[j].arg = p[2];
            NEED(p[1] >> 3 == 0 && shape[j].size > 0, "bad memory access");
            NEED(shape[j].src == TRACE_SRC_REGW || shape[j].src == TRACE_SRC_REG || shape[j].arg == 0,
                 "bad memory access");
            p += 3;
        }
    }
    for (unsigned j = 0; j < in->n_mem; j++) {
        const struct trace_mem_shape *m = &shape[j];
        NEED(m->src == TRACE_SRC_ABSENT || (in->has_values && m->size <= 16),
             "memory value where none can be");
        NEED(m->src != TRACE_SRC_REGW || m->arg < in->n_regs, "memory value from a missing write");
        NEED(m->src != TRACE_SRC_REG || m->arg < TRACE_REG_NUM_CORE, "bad memory value register");
    }
    for (unsigned k = 0; k < in->n_regs; k++) {
        struct trace_reg_write *g = &r->regs[k];
        g->lo = g->hi = 0;
        if (!in->has_values)
            continue;
        uint64_t base_lo, base_hi;
        trace_pred_reg_base(s, e, k, g->id, same_regs, &base_lo, &base_hi);
        VARINT(v);
        g->lo = base_lo + (uint64_t)unzigzag(v);
        if (trace_reg_is_vector(g->id)) {
            VARINT(v);
            g->hi = v ^ base_hi;
        }
    }
    uint64_t prev_va = s->last_addr, prev_size = 0;
    unsigned n_addr = hit ? e->n_addr : 0;
    for (unsigned j = 0; j < in->n_mem; j++) {
        struct trace_mem_access *m = &r->mem[j];
        const struct trace_mem_shape *sh = &shape[j];
        uint64_t pred = j < n_addr ? e->addr[j] + e->stride[j] : prev_va + prev_size;
        VARINT(v);
        m->va = pred + (uint64_t)unzigzag(v);
        m->size = sh->size;
        m->store = sh->store;
        m->has_value = sh->src != TRACE_SRC_ABSENT;
        m->lo = m->hi = 0;
        uint64_t ml = trace_mask_lo(m->size), mh = trace_mask_hi(m->size);
        switch (sh->src) {
        case TRACE_SRC_LITERAL:
            VARINT(m->lo);
            NEED(!(m->lo & ~ml), "memory value wider than the access");
            if (m->size > 8) {
                VARINT(m->hi);
                NEED(!(m->hi & ~mh), "memory value wider than the access");
            }
            break;
        case TRACE_SRC_REGW:
            m->lo = r->regs[sh->arg].lo & ml;
            m->hi = r->regs[sh->arg].hi & mh;
            break;
        case TRACE_SRC_REG:
            m->lo = s->reg_lo[sh->arg] & ml;
            m->hi = s->reg_hi[sh->arg] & mh;
            break;
        }
        prev_va = m->va;
        prev_size = m->size;
    }
    if (fb & TRACE_B_EXC) {
        in->has_exception = true;
        VARINT(v);
        NEED(v <= UINT32_MAX, "bad exception class");
        in->exc.ec = (uint32_t)v;
        VARINT(in->exc.esr);
        VARINT(in->exc.far);
        VARINT(in->exc.target_pc);
        NEED(end - p >= 2 && p[0] <= 3 && p[1] <= 1, "bad exception record");
        in->exc.target_el = p[0];
        in->exc.is_interrupt = p[1];
        p += 2;
    }
    NEED(in->seq + 1 > in->seq, "bad sequence number");
    in->regs = r->regs;
    in->mem = r->mem;
    trace_pred_learn(s, e, in, same_regs, same_shape, shape, n_addr);
    r->pos = p;
    return 0;
}

static inline uint64_t get_word64(const uint8_t *p)
{
    return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Decodes one block-mode entry, with the descriptions and gaps before it; mirrors
 * trace_writer_blocks and trace_writer_block. */
static int decode_block(struct trace_reader *r, struct trace_record *out)
{
    struct trace_pred *s = &r->pred;
    const uint8_t *p = r->pos, *end = r->end;
    struct trace_insn *in = &out->insn;
    bool has_pa = (r->info.flags & TRACE_FLAG_PA) != 0, bytes = r->info.version > TRACE_FORMAT_V2_WORDS;
    struct block_slot e;
    memset(out, 0, sizeof *out);
    if (r->repeat_left) {
        r->repeat_left--;
        e = r->last_entry;
        goto entry;
    }
    for (;;) {
        if (bytes) {
            NEED(p < end, "truncated record");
            uint32_t k = *p++;
            if (k != TRACE_BLOCK_BYTE_WORD) {
                if (k >= TRACE_BLOCK_BYTE_PAIR) {
                    NEED(p < end, "truncated record");
                    k = TRACE_BLOCK_BYTE_PAIR + ((k - TRACE_BLOCK_BYTE_PAIR) << 8 | *p++);
                }
                NEED(k < r->n_numbered, "an entry of a block the chunk did not describe");
                e = r->numbered[k];
                break;
            }
        }
        NEED(end - p >= 4, "truncated record");
        uint32_t w = get_le32(p);
        p += 4;
        if (w < TRACE_W_ESCAPE) {
            const struct block_slot *b = block_find(r, w);
            NEED(b, "an entry of a block the chunk did not describe");
            e = *b;
            break;
        }
        if (w == TRACE_W_REPEAT) {
            NEED(end - p >= 8, "truncated record");
            uint64_t n = get_word64(p);
            p += 8;
            NEED(r->have_last_entry, "a repeat before any entry of the chunk");
            NEED(n > 0 && n <= r->left, "bad repeat count");
            r->repeat_left = n - 1;
            e = r->last_entry;
            break;
        }
        if (w == TRACE_W_SKIP) {
            NEED(end - p >= 8, "truncated record");
            uint64_t d = get_word64(p);
            p += 8;
            NEED(d > 0 && s->next_seq + d > s->next_seq, "bad sequence number");
            s->next_seq += d;
            continue;
        }
        NEED(w == TRACE_W_DEFINE || w == TRACE_W_BLOCK, "bad block record");
        size_t words = w == TRACE_W_DEFINE ? 7 : 6;
        NEED((size_t)(end - p) >= 4 * words, "truncated record");
        e.id = w == TRACE_W_DEFINE ? get_le32(p) : 0;
        p += w == TRACE_W_DEFINE ? 4 : 0;
        e.pc = get_word64(p);
        e.pa = get_word64(p + 8);
        uint32_t el = get_le32(p + 16);
        e.n = get_le32(p + 20);
        p += 24;
        NEED(el <= 3 || el == TRACE_EL_UNKNOWN, "bad EL");
        NEED(e.n > 0, "bad block length");
        NEED(has_pa || e.pa == 0, "a PA in a trace without PAs");
        NEED(e.id < TRACE_BLOCK_ID_LIMIT, "bad block id");
        e.el = (uint8_t)el;
        if (w == TRACE_W_BLOCK)
            break;
        if (block_define(r, &e) != 0)
            return -1;
    }
    r->last_entry = e;
    r->have_last_entry = true;
entry:
    in->seq = s->next_seq;
    in->pc = e.pc;
    in->has_pa = has_pa;
    in->pa = e.pa;
    in->el = e.el;
    out->n_insns = e.n;
    NEED(in->seq + out->n_insns > in->seq, "bad sequence number");
    s->next_seq = in->seq + out->n_insns;
    s->prev_pc = in->pc;
    r->pos = p;
    return 0;
}

/* The next record of the file, loading chunks as needed; checks each chunk's end. */
static int next_raw(struct trace_reader *r, struct trace_record *out)
{
    struct trace_pred *s = &r->pred;
    if (r->failed)
        return -1;
    while (r->info.mode == TRACE_MODE_REPLAY) {
        int rc = r->left ? trace_reader_next(r->expanded, out) : 0;
        if (rc < 0)
            return rfail(r, "chunk %llu: %s", (unsigned long long)r->chunk, trace_reader_error(r->expanded));
        if (rc > 0)
            return 1;
        r->left = 0;
        r->chunk = r->n_index;
        if (r->next_chunk >= r->n_index)
            return 0;
        if (load_chunk(r, r->next_chunk) != 0)
            return -1;
    }
    while (r->left == 0) {
        if (r->chunk < r->n_index) {
            const struct trace_chunk_info *c = &r->index[r->chunk];
            NEED(r->pos == r->end, "data after the last record");
            NEED(s->next_seq == c->end_seq && s->prev_pc == c->last_pc,
                 "records disagree with the chunk header");
            r->chunk = r->n_index;
        }
        if (r->next_chunk >= r->n_index)
            return 0;
        if (load_chunk(r, r->next_chunk) != 0)
            return -1;
    }
    int rc = r->info.mode == TRACE_MODE_FULL ? decode_insn(r, out) : decode_block(r, out);
    if (rc != 0)
        return -1;
    r->left--;
    if (r->left + 1 == r->index[r->chunk].n_records)
        NEED(out->insn.seq == r->index[r->chunk].first_seq, "first record disagrees with the chunk");
    NEED(s->next_seq <= r->index[r->chunk].end_seq, "record beyond the chunk's range");
    return 1;
}

int trace_reader_next(struct trace_reader *r, struct trace_record *out)
{
    if (r->have_peek) {
        r->have_peek = false;
        *out = r->peek;
        return 1;
    }
    return next_raw(r, out);
}

int trace_reader_seek(struct trace_reader *r, uint64_t seq)
{
    if (r->failed)
        return -1;
    r->have_peek = false;
    /* The first chunk whose range ends after seq. */
    uint64_t lo = 0, hi = r->n_index;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (r->index[mid].end_seq <= seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    r->chunk = r->n_index;
    r->left = 0;
    r->next_chunk = lo;
    if (lo >= r->n_index)
        return 0;
    if (load_chunk(r, lo) != 0)
        return -1;
    for (;;) {
        int rc = next_raw(r, &r->peek);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return 0;
        if (r->peek.insn.seq + r->peek.n_insns > seq) {
            r->have_peek = true;
            /* The peeked record's arrays live in r->regs/r->mem, untouched until the
             * next decode, which happens only after the peek was handed out. */
            return 0;
        }
    }
}
