/* The trace reader: opens a trace file, checks every field of it (a hostile file gives
 * one error message, never a crash or an allocation larger than the file), seeks to an
 * instruction through the chunk index and iterates records. */
#ifndef FERRY_TRACE_READER_H
#define FERRY_TRACE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/trace/trace_writer.h"

/* trace_reader_open flags */
#define TRACE_OPEN_RECOVER 1u   /* no valid end record or index: read the complete chunks */

struct trace_reader_info {
    uint32_t version;
    uint16_t arch;
    uint8_t mode;                 /* TRACE_MODE_* */
    uint32_t flags;               /* TRACE_FLAG_* */
    const char *ferry_version, *command_line, *filters;
    uint64_t n_chunks, n_records;
    uint64_t instructions;        /* block mode: sum of the blocks' counts */
    uint64_t first_seq, end_seq;  /* end_seq: one past the last instruction */
    uint64_t file_size;
    bool recovered;               /* no end record: the complete chunks were indexed */
    unsigned codec;               /* of the first chunk */
};

/* One record. Full mode: insn (its regs/mem point into the reader, valid until the
 * next call). Block mode: insn.seq/pc/pa/has_pa/el and n_insns. */
struct trace_record {
    struct trace_insn insn;
    uint32_t n_insns;             /* 1 in full mode */
};

struct trace_reader;

struct trace_reader *trace_reader_open(const char *path, unsigned flags, char *err,
                                       size_t err_size);
const struct trace_reader_info *trace_reader_info(const struct trace_reader *r);

/* Positions the reader at the first record that covers or follows instruction `seq`.
 * 0, or -1 on error. Seeking past the end leaves nothing to read. */
int trace_reader_seek(struct trace_reader *r, uint64_t seq);

/* 1: *out filled; 0: end of trace; -1: corrupt (message: trace_reader_error). */
int trace_reader_next(struct trace_reader *r, struct trace_record *out);

const char *trace_reader_error(const struct trace_reader *r);
void trace_reader_close(struct trace_reader *r);

/* Replay-mode traces: the reader runs each chunk's instructions again through this
 * function (the architecture's interpreter: hypervisor/trace/a64_replay.h), given the
 * chunk's raw bytes (8-byte aligned; include/ferry/trace_format.h) and the file's format
 * version, which writes the
 * chunk's full-mode records to out_path (first_seq .. end_seq - 1). 0, or -1 with a
 * message. Without one, such traces fail to read with a message. */
typedef int (*trace_replay_fn)(const uint8_t *chunk, size_t size, unsigned version, uint64_t first_seq, uint64_t end_seq,
                               bool physical, const char *out_path, char *err, size_t err_size);
void trace_reader_set_replay(trace_replay_fn fn);

/* Chunk i of the index (for stats and tests). */
struct trace_chunk_info {
    uint64_t offset, first_seq, end_seq, first_pc, last_pc;
    uint32_t comp_size, raw_size, n_records, codec;
};
bool trace_reader_chunk(const struct trace_reader *r, uint64_t i, struct trace_chunk_info *out);

#endif
