/* The trace recorder: turns the trace items that translated code and the interpreter
 * append to a buffer (jit/jit_trace.h) into trace records (trace_writer.h), applying
 * the recording filters. It keeps a shadow copy of the guest state so that a record can
 * carry whole architectural registers (NZCV from four flag bytes, a vector register from
 * two 8-byte halves) and so that what the runtime changes between two runs of guest
 * code (a syscall's result, a signal frame's registers, an exception entry) lands on the
 * record of the instruction that caused it.
 *
 * How a runner uses it (one guest CPU, one thread):
 *   rec = trace_recorder_open(path, &arch, &options, err, size);
 *   hand trace_recorder_buffer(rec) to the JIT (jit_config.trace) and the interpreter
 *   (jit_memory.trace);
 *   trace_recorder_resume(rec, state)    before every run of guest code;
 *   trace_recorder_exit(rec, state, undone) after every run of guest code, undone =
 *       the last instruction did not complete (a fault: the state is precise at its
 *       start, so its register writes are dropped);
 *   trace_recorder_exception(rec, &e)    when the runtime takes an exception for the
 *       last instruction (after trace_recorder_exit);
 *   trace_recorder_close(rec, err, size) at the end (or trace_recorder_abort).
 * The JIT also calls the buffer's drain hook when items reach the buffer's limit, and
 * trace_recorder_retract when it reruns an instruction in the interpreter.
 *
 * In replay mode (JIT_TRACE_REPLAY) the recorder does not make records: it packs block
 * entries, load values, the interpreter's items and the runner's events (all with the
 * state) into chunks that start at a state, for a reader that runs the instructions
 * again (hypervisor/trace/a64_replay.h).
 *
 * A thread of the recorder's processes the items: the drain hook hands it the buffer
 * (when full, or at a soft limit while the thread is idle) and the runner goes on with
 * the other one. The runner calls above append
 * events to the same buffer (in full mode with a copy of the state), so they are
 * applied in order and the runner waits only when both buffers are full. */
#ifndef FERRY_TRACE_RECORDER_H
#define FERRY_TRACE_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/trace/trace_writer.h"
#include "jit/jit_trace.h"

/* What the recorder needs to know about the guest architecture's state struct. */
struct trace_recorder_arch {
    uint16_t arch;                 /* TRACE_ARCH_* */
    uint32_t state_size;           /* bytes of the state struct */
    uint32_t pc_offset;            /* offset of the 64-bit PC */
    unsigned insn_bytes;           /* instruction size (block mode: a block's PCs are
                                      consecutive instructions) */
    /* The architectural register (TRACE_REG_*) the state byte at offset belongs to, or
     * -1 when it belongs to none (the PC, a mode byte, the exclusive monitor). */
    int (*reg_of_offset)(uint32_t offset);
    /* The value of register id in a state image (hi: high 64 bits, 128-bit registers). */
    void (*reg_value)(const void *state, unsigned id, uint64_t *lo, uint64_t *hi);
    /* The registers the runtime may change between runs of guest code, compared by
     * trace_recorder_resume. */
    const uint16_t *sync_regs;
    unsigned n_sync_regs;
};

#define TRACE_RECORDER_MAX_PC_RANGES 16

struct trace_recorder_options {
    enum jit_trace_mode mode;      /* JIT_TRACE_FULL, JIT_TRACE_BLOCKS or JIT_TRACE_REPLAY (no
                                      filters: a reader runs everything again) */
    uint64_t first_seq;            /* the first instruction's sequence number (a replay
                                      trace's reader expands a chunk from its own) */
    /* PC ranges [lo, hi): a record is kept when its PC lies in one (none: all) */
    uint64_t pc_lo[TRACE_RECORDER_MAX_PC_RANGES], pc_hi[TRACE_RECORDER_MAX_PC_RANGES];
    unsigned n_pc_ranges;
    uint64_t skip;                 /* the first `skip` instructions are not recorded */
    uint64_t count;                /* then at most `count` are (0: no limit) */
    int el;                        /* record only this EL (-1: any; an unknown EL never
                                      matches a filter) */
    /* Block mode filters a block by its first instruction (its PC, EL and sequence
     * number), so a block that starts inside the window is recorded whole. */
    const char *command_line;      /* for the file's header */
    /* Item buffer size in 64-bit words (0: 1 Mi words, 8 MB; from 64 Ki words on, soft
     * limits every eighth). Translated code drains and
     * re-enters a block whose items do not fit, so the buffer must hold the largest
     * block's items; smaller sizes only suit tests that append like the interpreter. */
    size_t buffer_words;
    /* Writer tuning (tests): 0 = defaults, as trace_file_info. */
    unsigned codec, chunk_records;
    /* The recorder sees physical PCs (system mode: INSN and BLOCK items carry them):
     * the file says so (TRACE_FLAG_PA) and block records keep them. */
    bool physical;
};

struct trace_recorder;

/* The exception an EV_EXCEPTION item (4 words at p, jit/jit_trace.h) reports. */
static inline struct trace_exception trace_exception_of_item(const uint64_t *p)
{
    uint64_t tag = p[0];
    return (struct trace_exception){ .ec = (uint32_t)(tag >> 32), .esr = p[1], .far = p[2], .target_pc = p[3],
                                     .target_el = (uint8_t)(tag >> 8 & 3), .is_interrupt = (tag >> 4 & 1) != 0 };
}

/* Creates (truncates) the trace file. NULL with a message naming the file on error. */
struct trace_recorder *trace_recorder_open(const char *path, const struct trace_recorder_arch *arch,
                                           const struct trace_recorder_options *options, char *err,
                                           size_t err_size);

/* The item buffer (its drain hook processes the items). */
struct jit_trace_buf *trace_recorder_buffer(struct trace_recorder *rec);

/* Before guest code runs: registers the runtime changed since the last exit are added to
 * the last instruction's record; the shadow takes the state. The first call only takes
 * the state. The last record stays open until the next instruction starts, so an
 * exception taken before then is still its (block mode: the pending block ends, so
 * interpreted instructions are not grouped across a runtime exit). */
void trace_recorder_resume(struct trace_recorder *rec, const void *state);
/* After guest code ran: processes the buffered items; with undone, the last
 * instruction's register writes are dropped (block mode: its block ends at the state's
 * PC, the faulting instruction included). The shadow takes the state. */
void trace_recorder_exit(struct trace_recorder *rec, const void *state, bool undone);
/* The last instruction took an exception (after trace_recorder_exit, before the next
 * instruction starts). Ignored in block mode and when no instruction is pending. */
void trace_recorder_exception(struct trace_recorder *rec, const struct trace_exception *e);
/* The last instruction also wrote register id (TRACE_REG_*) with this value: a register
 * the runtime keeps outside the state (a system register an MSR wrote). After
 * trace_recorder_exit; a later value for the same id replaces an earlier one. */
void trace_recorder_add_reg(struct trace_recorder *rec, uint16_t id, uint64_t lo, uint64_t hi);
/* The JIT will run the instruction at the state's PC again in the interpreter: processes
 * the buffered items, then forgets that instruction (full mode: its record and its
 * sequence number, if the pending record is at that PC; block mode: the pending block
 * ends before it, and is dropped if it started there). The shadow takes the state. */
void trace_recorder_retract(struct trace_recorder *rec, const void *state);

/* The first error of the writer (a full disk, a write error), with the file's name, or
 * NULL. After an error the recorder discards items; the runner checks this after every
 * exit and stops the run with the message. Items are processed on the recorder's own
 * thread, so an error shows up at a later exit than the one that caused it. */
const char *trace_recorder_error(const struct trace_recorder *rec);
/* Items and runner events that another producer wrote (the engine, in its own buffer):
 * whole items, at most the recorder's buffer size at a time (buffer_words); they are
 * checked as the recorder's own are. 0, or -1 once the recording failed
 * (trace_recorder_error). */
int trace_recorder_append(struct trace_recorder *rec, const uint64_t *items, size_t words);

/* Waits until every item and event so far is processed: error and window_done are then
 * up to date. */
void trace_recorder_sync(struct trace_recorder *rec);

/* Instructions executed so far (sequence numbers handed out): waits until every item so
 * far is processed. */
uint64_t trace_recorder_instructions(struct trace_recorder *rec);
/* True once the instruction window (skip, count) is past: nothing more will be written.
 * It looks at the items processed so far, so it may turn true some runs late. */
bool trace_recorder_window_done(const struct trace_recorder *rec);

/* Flushes everything and closes the file; frees rec. 0, or -1 with a message naming the
 * file (a full disk, a write error). stats may be NULL. */
int trace_recorder_close(struct trace_recorder *rec, struct trace_writer_stats *stats, char *err,
                         size_t err_size);
/* For a run that ends abnormally: stops without an end record (readers see a truncated
 * file, readable with --recover). */
void trace_recorder_abort(struct trace_recorder *rec);

#endif
