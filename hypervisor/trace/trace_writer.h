/* The trace writer: the recorder (JIT, interpreter, QEMU plugin) hands it one record per
 * executed instruction (full mode) or per block entry (block mode), or whole chunks
 * (replay mode); it encodes records (instructions against per-PC predictions, block
 * entries as ids of blocks described once per chunk) into a chunk buffer and a helper
 * thread compresses and writes full chunks, so the recording thread never waits on the codec or the disk
 * unless every buffer is in flight (then it waits: nothing is dropped). Format:
 * include/ferry/trace_format.h, docs/trace-format.md. Not thread safe: one recording
 * thread per writer.
 *
 * Full mode:
 * - Call trace_writer_insn once per executed instruction, in execution order, with
 *   strictly increasing sequence numbers (gaps are fine: recording filters). The
 *   record's arrays are read during the call only.
 * - A record lists every register the instruction wrote, each once, with its new value
 *   (ids: include/ferry/trace_format.h; hi == 0 except for V0..V31), and every memory
 *   access in program order, values zero-extended little-endian (lo = bytes 0..7).
 *   Values only for accesses of at most 16 bytes; larger ones (DC ZVA) have none.
 * - An exception goes on the record of the instruction that took it (synchronous: the
 *   faulting or trapping instruction, which is itself recorded; asynchronous: the last
 *   instruction before the interrupt, is_interrupt set). The registers the exception
 *   entry writes (ELR, SPSR, ESR, FAR as system registers, SP, NZCV) may be listed in
 *   that record too.
 * - Call rate: about 15 ns per record on the recording thread plus about as much on the
 *   helper (zstd) for full traces; when the helper falls behind, trace_writer_insn
 *   waits. A writer does not survive fork(): a forked child must not use its parent's
 *   writer (it has no helper thread); open another file or stop tracing there. */
#ifndef FERRY_TRACE_WRITER_H
#define FERRY_TRACE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ferry/trace_format.h"

struct trace_reg_write {
    uint16_t id;          /* TRACE_REG_* */
    uint64_t lo, hi;      /* hi only for 128-bit registers (V0..V31), else 0 */
};

struct trace_mem_access {
    uint64_t va;
    uint8_t size;         /* bytes, 1..255 */
    bool store;
    bool has_value;       /* lo/hi hold the value (only for size <= 16) */
    uint64_t lo, hi;      /* bytes 0..7 and 8..15 of the value, little-endian */
};

struct trace_exception {
    uint32_t ec;          /* ESR_ELx.EC */
    uint64_t esr, far, target_pc;
    uint8_t target_el;
    bool is_interrupt;
};

struct trace_insn {
    uint64_t seq;         /* strictly increasing; gaps allowed (recording filters) */
    uint64_t pc, pa;
    bool has_pa;
    uint8_t el;           /* 0..3 or TRACE_EL_UNKNOWN */
    uint32_t encoding;
    unsigned n_regs;      /* <= TRACE_MAX_REGS */
    const struct trace_reg_write *regs;
    unsigned n_mem;       /* <= TRACE_MAX_MEM */
    const struct trace_mem_access *mem;
    bool has_exception;   /* an exception was taken at this instruction */
    struct trace_exception exc;
    bool has_values;      /* false: the recorder saw only PC/encoding/addresses */
};

struct trace_file_info {
    uint16_t arch;            /* TRACE_ARCH_AARCH64 (0 means that) */
    uint8_t mode;             /* TRACE_MODE_FULL, TRACE_MODE_BLOCK or TRACE_MODE_REPLAY */
    uint32_t flags;           /* TRACE_FLAG_*: what the recorder can see */
    const char *ferry_version;/* NULL: FERRY_VERSION */
    const char *command_line; /* NULL: "" */
    const char *filters;      /* recording filters, human-readable; NULL: "" */
    /* Tuning (0 = default). */
    unsigned codec;           /* 0: zstd (full mode) or LZ4 (block mode); TRACE_CODEC_ZSTD,
                                 TRACE_CODEC_LZ4, TRACE_CODEC_ZLIB; or
                                 TRACE_WRITER_UNCOMPRESSED (tests, measurements) */
    int level;                /* codec level; 0 = the codec's fast default */
    unsigned chunk_records;   /* records per chunk; default 1 << 20 */
    unsigned chunk_bytes;     /* raw bytes per chunk; default 4 MiB */
};

/* trace_file_info.codec: store chunks uncompressed. */
#define TRACE_WRITER_UNCOMPRESSED 0x100u

struct trace_writer;

/* Creates (truncates) `path` and writes the header. NULL with a message on error. */
struct trace_writer *trace_writer_open(const char *path, const struct trace_file_info *info,
                                       char *err, size_t err_size);

/* Appends one record. 0, or -1 once the writer has failed (an invalid record, or the
 * helper thread could not write): the message comes from trace_writer_close (or
 * trace_writer_error), and every later call fails too. */
int trace_writer_insn(struct trace_writer *w, const struct trace_insn *r);
/* Block mode. A recorder describes each translated block once, by an id of its choice
 * (below TRACE_BLOCK_ID_LIMIT; describing an id again replaces it), then hands over
 * entries as ids: n entries in a row, the first at sequence number seq and each next
 * one right after the previous block's instructions. An entry costs a few instructions
 * and 4 bytes before compression; a block's description goes into each chunk that uses
 * it. */
int trace_writer_define_block(struct trace_writer *w, uint32_t id, uint64_t pc, uint64_t pa, uint8_t el,
                              uint32_t n_insns);
int trace_writer_blocks(struct trace_writer *w, uint64_t seq, const uint32_t *ids, size_t n);
/* The same, straight from a recorder's item words: the run of words from words[0] on (at
 * most n) whose bits below `shift` (1..32) equal `tag`, each an entry of the id in its
 * bits from `shift` up. All but the run's last entry are written, since the recorder may
 * still have to cut that one short. Returns the run's length (0 when words[0] is not in
 * one), or -1 when the writer failed; *seq_last (if not NULL) gets the last entry's
 * sequence number. */
long trace_writer_block_words(struct trace_writer *w, uint64_t seq, const uint64_t *words, size_t n, unsigned shift,
                              uint64_t tag, uint64_t *seq_last);
/* `count` entries of block `id` in a row from seq on (a loop on itself): a few words
 * whatever the count. */
int trace_writer_block_run(struct trace_writer *w, uint64_t seq, uint32_t id, uint64_t count);
/* One entry of a block described in place (interpreted instructions, a block cut short
 * by a fault): 28 bytes before compression. */
int trace_writer_block(struct trace_writer *w, uint64_t seq, uint64_t pc, uint64_t pa, uint8_t el,
                       uint32_t n_insns);

/* Replay mode: one chunk (include/ferry/trace_format.h lays it out) of instructions
 * first_seq .. end_seq - 1 (end_seq >= first_seq) from first_pc on: its items, its
 * entries, the load values of its entries whose slot bytes are not a multiple of 8
 * (packed) and those of the others (word_values), which the writer codes where that
 * halves them. At most TRACE_REPLAY_CHUNK_MAX bytes uncoded. */
int trace_writer_replay_chunk(struct trace_writer *w, uint64_t first_seq, uint64_t end_seq, uint64_t first_pc,
                              uint64_t last_pc, const uint64_t *items, size_t n_items, const uint8_t *entries,
                              size_t n_entries, const uint8_t *values, size_t n_values, const uint8_t *word_values,
                              size_t n_word_values);

/* The first error so far ("" if none). */
const char *trace_writer_error(struct trace_writer *w);

/* Records appended so far. */
uint64_t trace_writer_records(const struct trace_writer *w);

struct trace_writer_stats {
    uint64_t records;         /* records written */
    uint64_t instructions;    /* instructions they cover (block mode: sum of counts) */
    uint64_t raw_bytes;       /* encoded record bytes before compression */
    uint64_t file_bytes;      /* size of the finished file */
    uint64_t chunks;
    double producer_wait_s;   /* time the recording thread waited for a free buffer */
};

/* Flushes, writes the index and footer, closes the file, frees w. 0, or -1 with a
 * message naming the file (the first error of the whole run). Always frees w. */
int trace_writer_close(struct trace_writer *w, char *err, size_t err_size);
/* The same, and fills *stats (may be NULL). */
int trace_writer_close_stats(struct trace_writer *w, struct trace_writer_stats *stats, char *err,
                             size_t err_size);

/* Like close but for a run that failed elsewhere: stops the thread, frees, and leaves
 * the file without an end record (readers see it as truncated). */
void trace_writer_abort(struct trace_writer *w);

#endif
