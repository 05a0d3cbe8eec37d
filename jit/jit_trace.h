/* Trace items: what translated code and the interpreter append to a trace buffer while
 * instruction tracing is on (jit_config.trace), for a recorder (the host's
 * hypervisor/trace/trace_recorder.c) to turn into trace records. Architecture neutral:
 * registers are named by their byte range in the guest state struct, and the recorder
 * asks the front end what architectural register a range belongs to.
 *
 * An item is a tag word followed by value words (64-bit, host order). The tag's low 4
 * bits are its kind:
 *
 *   INSN   tag = kind | el << 4 | encoding << 32  pc [, pa]                 2 or 3 words
 *          a guest instruction starts (before any of its other items); el is the
 *          exception level + 1, or 0 when the front end does not say; with
 *          JIT_TRACE_PA in the tag a third word holds its physical address
 *   REG    tag = kind | size << 4 | offset << 9   value [, high half]      2 or 3 words
 *          the instruction wrote `size` bytes (1, 2, 4, 8 or 16) of the state at
 *          `offset`; only the low `size` bytes of the value word are meaningful; a
 *          16-byte write has a second word with bytes 8..15
 *   REG_CHANGED  as REG, after a helper that may have updated the register (the FP
 *          status flags): it counts as written only where the value changed
 *   LOAD   tag = kind | size << 4                 address, value [, high]  3 or 4 words
 *   STORE  the same for a store (after it happened)
 *   STORE_EXCL  a store-exclusive: as STORE, then a status word (0: it stored; anything
 *          else: it failed and memory is unchanged)                        4 or 5 words
 *   BLOCK  tag = kind | el << 4 | n_insns << 32   pc [, pa]                 2 or 3 words
 *          block mode: a block of n_insns instructions starting at pc was entered;
 *          n_insns = 0: the interpreter ran the one instruction at pc (the recorder
 *          groups those into blocks where control did not fall through)
 *   BLOCK_DEF  tag = kind | el << 4 | n_insns << 32   id, pc [, pa]       3 or 4 words
 *          block mode: the JIT made a translation of n_insns instructions at pc and
 *          calls it `id` (a number below 2^31 that no other translation of this trace
 *          has); it comes before the translation's first BLOCK_ID
 *   BLOCK_ID  tag = kind | id << 4                                          1 word
 *          block mode: translated code entered block `id`
 *   BLOCK_RUN  tag = kind | id << 4   count                                 2 words
 *          block mode: a translation that loops on itself entered block `id` count
 *          times in a row (it counts in the item while it loops; count may be 0)
 *
 * Replay mode records what re-executing the guest's instructions cannot know: which
 * blocks ran, the value every load read, and the state wherever the runtime ran or a
 * buffer was handed over. A reader gets everything else (register writes, addresses,
 * stored values) by running the instructions again from those states. Its items:
 *   BLOCK_DEF  with JIT_TRACE_DEF_SLOTS in the tag, and after its words: a word giving
 *          the bytes of load values an entry carries (slot bytes), then the block's
 *          encodings, two per word (the first in the low half)
 *   BLOCK_ID   followed by the entry's slot words: the values of the block's loads in
 *          program order, each in its size's bytes (a 16-byte load: low half first),
 *          packed, the last word padded; an entry cut short by a fault leaves the
 *          slots after the fault unwritten
 *   BLOCK_RUN  only for a block without loads
 *   INSN, LOAD the interpreter's instructions (with their encodings) and its loads;
 *          INSN with JIT_TRACE_NOT_RUN: an instruction that took an exception instead
 *          of running (Illegal State), recorded as the runtime took it
 *   runner events always with the state; EV_RESUME with JIT_TRACE_EV_CHECKPOINT: the
 *          runtime changed nothing (a buffer was handed over): the state is what the
 *          instructions before it left
 *
 * Value words hold values zero-extended to 64 bits (a recorder may still mask them by
 * size).
 *
 * Items of one instruction come in the order it performed them. A memory access that
 * faults has no item; the instruction's INSN item and the items before the fault are
 * there, so an aborted instruction is visible with what it did. A write to the guest PC
 * is not an item (the next INSN item says where execution went). */
#ifndef FERRY_JIT_TRACE_H
#define FERRY_JIT_TRACE_H

#include <stdbool.h>
#include <stdint.h>

/* What tracing records (jit_config.trace.mode, jit_trace_buf.mode). */
enum jit_trace_mode {
    JIT_TRACE_OFF = 0,
    JIT_TRACE_FULL = 1,     /* INSN, REG, LOAD, STORE, STORE_EXCL items */
    JIT_TRACE_BLOCKS = 2,   /* BLOCK, BLOCK_DEF, BLOCK_ID and BLOCK_RUN items only */
    JIT_TRACE_REPLAY = 3,   /* block entries with their load values, INSN and LOAD items of
                               the interpreter, events with the state (see above) */
};

enum jit_trace_kind {
    JIT_TRACE_INSN = 1,
    JIT_TRACE_REG = 2,
    JIT_TRACE_LOAD = 3,
    JIT_TRACE_STORE = 4,
    JIT_TRACE_STORE_EXCL = 5,
    JIT_TRACE_BLOCK = 6,
    JIT_TRACE_REG_CHANGED = 7,
    JIT_TRACE_BLOCK_DEF = 8,
    JIT_TRACE_BLOCK_ID = 9,
    JIT_TRACE_BLOCK_RUN = 10,
    /* 11..15: the runner's events between runs of guest code (below), appended to the
     * same buffer; translated code and the interpreter never write them */
    JIT_TRACE_EV_ADD_REG = 11,
    JIT_TRACE_EV_RESUME = 12,
    JIT_TRACE_EV_EXIT = 13,
    JIT_TRACE_EV_RETRACT = 14,
    JIT_TRACE_EV_EXCEPTION = 15,
};

/* Runner events: what the runtime tells the recorder between runs of guest code, in
 * order with the items (the recorder, hypervisor/trace/trace_recorder.h, says what each
 * means). Written by the recorder's own calls in a host process, and by the engine,
 * whose buffers the host feeds to the recorder.
 *
 *   EV_RESUME   tag = kind [| WITH_STATE]               [state words]
 *   EV_EXIT     tag = kind [| UNDONE] [| WITH_STATE]    state words, or the PC word
 *   EV_RETRACT  tag = kind [| WITH_STATE]               state words, or the PC word
 *   EV_EXCEPTION tag = kind | is_interrupt << 4 | target_el << 8 | ec << 32
 *                                                       esr, far, target pc
 *   EV_ADD_REG  tag = kind | register id << 16           value low, high
 *
 * State words: the guest state struct (state_size bytes), rounded up to whole words, the
 * padding zero; in full and replay mode (block mode needs the PC alone). */
#define JIT_TRACE_EV_UNDONE     (1u << 4)
#define JIT_TRACE_EV_WITH_STATE (1u << 5)
#define JIT_TRACE_EV_CHECKPOINT (1u << 6)   /* EV_RESUME, replay mode: see above */

static inline unsigned jit_trace_state_words(uint32_t state_size) { return (state_size + 7) / 8; }

/* The words of a resume, exit or retract event (tag included). */
static inline unsigned jit_trace_state_event_words(unsigned kind, bool with_state, uint32_t state_size)
{
    return 1 + (with_state ? jit_trace_state_words(state_size) : kind == JIT_TRACE_EV_RESUME ? 0 : 1);
}

/* Writes a resume, exit or retract event at p (jit_trace_state_event_words words): with
 * the state (full mode), else with the PC. */
static inline void jit_trace_write_state_event(uint64_t *p, unsigned kind, unsigned flags, const void *state,
                                               uint32_t state_size, bool with_state, uint64_t pc)
{
    unsigned words = jit_trace_state_event_words(kind, with_state, state_size);
    p[0] = kind | flags | (with_state ? JIT_TRACE_EV_WITH_STATE : 0);
    if (with_state) {
        p[words - 1] = 0;
        __builtin_memcpy(p + 1, state, state_size);
    } else if (words == 2) {
        p[1] = pc;
    }
}

static inline uint64_t jit_trace_exception_tag(bool is_interrupt, unsigned target_el, uint32_t ec)
{
    return JIT_TRACE_EV_EXCEPTION | (uint64_t)is_interrupt << 4 | (uint64_t)(target_el & 3) << 8 | (uint64_t)ec << 32;
}

static inline uint64_t jit_trace_add_reg_tag(uint16_t id) { return JIT_TRACE_EV_ADD_REG | (uint64_t)id << 16; }

/* Block ids are below this (trace files store them in 31 bits). */
#define JIT_TRACE_BLOCK_ID_LIMIT (1u << 31)

#define JIT_TRACE_KIND(tag)   ((unsigned)((tag) & 15u))
#define JIT_TRACE_SIZE(tag)   ((unsigned)(((tag) >> 4) & 31u))
#define JIT_TRACE_OFFSET(tag) ((uint32_t)(((tag) >> 9) & 0x7fffffu))
#define JIT_TRACE_HIGH(tag)   ((uint32_t)((tag) >> 32))   /* INSN: encoding; BLOCK, BLOCK_DEF: count */
#define JIT_TRACE_EL(tag)     ((int)(((tag) >> 4) & 15u) - 1) /* INSN, BLOCK, BLOCK_DEF: -1 = unknown */
#define JIT_TRACE_PA          (1u << 8)   /* INSN, BLOCK, BLOCK_DEF: a physical address word follows the pc */
#define JIT_TRACE_DEF_SLOTS   (1u << 9)   /* BLOCK_DEF in replay mode: slot bytes and encodings follow */
#define JIT_TRACE_NOT_RUN     (1u << 9)   /* INSN in replay mode: the instruction did not run */
#define JIT_TRACE_ID(tag)     ((uint64_t)(tag) >> 4)   /* BLOCK_ID, BLOCK_RUN */

/* The largest item: STORE_EXCL of 16 bytes. */
#define JIT_TRACE_MAX_ITEM_WORDS 5u

/* The buffer items go to. Translated code appends at `cursor` after checking, once per
 * block, that the block's items fit below `limit`; the interpreter checks per item.
 * When they would not fit, the runtime calls drain, which must consume the items in
 * [base, cursor) and set cursor back to base. */
struct jit_trace_buf {
    enum jit_trace_mode mode;   /* what the interpreter appends (translated code: its config) */
    uint64_t *cursor;
    uint64_t *limit;
    uint64_t *base;
    void (*drain)(void *ctx);
    void *drain_ctx;
};

/* For C code that appends items (the interpreter): room for n more words. */
static inline uint64_t *jit_trace_reserve(struct jit_trace_buf *t, unsigned n)
{
    if (t->cursor + n > t->limit) t->drain(t->drain_ctx);
    uint64_t *p = t->cursor;
    t->cursor = p + n;
    return p;
}

static inline void jit_trace_insn(struct jit_trace_buf *t, uint64_t pc, uint32_t encoding, unsigned el)
{
    uint64_t *p = jit_trace_reserve(t, 2);
    p[0] = JIT_TRACE_INSN | (uint64_t)(el + 1) << 4 | (uint64_t)encoding << 32;
    p[1] = pc;
}

/* The same with the instruction's physical address (system mode). */
static inline void jit_trace_insn_pa(struct jit_trace_buf *t, uint64_t pc, uint64_t pa, uint32_t encoding,
                                     unsigned el)
{
    uint64_t *p = jit_trace_reserve(t, 3);
    p[0] = JIT_TRACE_INSN | JIT_TRACE_PA | (uint64_t)(el + 1) << 4 | (uint64_t)encoding << 32;
    p[1] = pc;
    p[2] = pa;
}

/* Block mode, the JIT: translation `id` of n_insns instructions at pc (pa when has_pa). */
static inline void jit_trace_block_def(struct jit_trace_buf *t, uint32_t id, uint64_t pc, bool has_pa, uint64_t pa,
                                       unsigned el, uint32_t n_insns)
{
    uint64_t *p = jit_trace_reserve(t, has_pa ? 4 : 3);
    p[0] = JIT_TRACE_BLOCK_DEF | (has_pa ? JIT_TRACE_PA : 0) | (uint64_t)(el + 1) << 4 | (uint64_t)n_insns << 32;
    p[1] = id;
    p[2] = pc;
    if (has_pa) p[3] = pa;
}

/* Replay mode: the instruction at pc took an exception instead of running. */
static inline void jit_trace_insn_not_run(struct jit_trace_buf *t, uint64_t pc, uint64_t pa, uint32_t encoding,
                                          unsigned el)
{
    uint64_t *p = jit_trace_reserve(t, 3);
    p[0] = JIT_TRACE_INSN | JIT_TRACE_PA | JIT_TRACE_NOT_RUN | (uint64_t)(el + 1) << 4 | (uint64_t)encoding << 32;
    p[1] = pc;
    p[2] = pa;
}

/* Replay mode, the JIT: translation `id` as above, whose entries carry slot_bytes of
 * load values; encodings[n_insns]. */
static inline void jit_trace_block_def_slots(struct jit_trace_buf *t, uint32_t id, uint64_t pc, bool has_pa,
                                             uint64_t pa, unsigned el, uint32_t n_insns, uint32_t slot_bytes,
                                             const uint32_t *encodings)
{
    unsigned head = has_pa ? 5 : 4;
    uint64_t *p = jit_trace_reserve(t, head + (n_insns + 1) / 2);
    p[0] = JIT_TRACE_BLOCK_DEF | JIT_TRACE_DEF_SLOTS | (has_pa ? JIT_TRACE_PA : 0) | (uint64_t)(el + 1) << 4 |
           (uint64_t)n_insns << 32;
    p[1] = id;
    p[2] = pc;
    if (has_pa) p[3] = pa;
    p[head - 1] = slot_bytes;
    for (uint32_t i = 0; i < n_insns; i += 2)
        p[head + i / 2] = encodings[i] | (i + 1 < n_insns ? (uint64_t)encodings[i + 1] << 32 : 0);
}

/* Replay mode: the words an entry's slots take (after its BLOCK_ID). */
static inline uint64_t jit_trace_slot_words(uint64_t slot_bytes) { return (slot_bytes + 7) / 8; }

/* Replay mode: the state at a point where the runtime changed nothing (jit_run, after a
 * buffer was handed over; the interpreter, at an instruction boundary). */
static inline void jit_trace_checkpoint(struct jit_trace_buf *t, const void *state, uint32_t state_size)
{
    unsigned words = jit_trace_state_event_words(JIT_TRACE_EV_RESUME, true, state_size);
    uint64_t *p = jit_trace_reserve(t, words);
    jit_trace_write_state_event(p, JIT_TRACE_EV_RESUME, JIT_TRACE_EV_CHECKPOINT, state, state_size, true, 0);
}

/* Hands the buffer over (drain) at a point where the state is precise, between
 * instructions: in replay mode the items after it start with that state. */
static inline void jit_trace_drain_at(struct jit_trace_buf *t, const void *state, uint32_t state_size)
{
    t->drain(t->drain_ctx);
    if (t->mode == JIT_TRACE_REPLAY) jit_trace_checkpoint(t, state, state_size);
}

/* Block mode, the interpreter: it ran the instruction at pc (physical address pa when
 * has_pa). */
static inline void jit_trace_interp_block(struct jit_trace_buf *t, uint64_t pc, bool has_pa, uint64_t pa, unsigned el)
{
    uint64_t *p = jit_trace_reserve(t, has_pa ? 3 : 2);
    p[0] = JIT_TRACE_BLOCK | (has_pa ? JIT_TRACE_PA : 0) | (uint64_t)(el + 1) << 4;
    p[1] = pc;
    if (has_pa) p[2] = pa;
}

static inline void jit_trace_reg(struct jit_trace_buf *t, uint32_t offset, unsigned size, uint64_t lo, uint64_t hi)
{
    uint64_t *p = jit_trace_reserve(t, size > 8 ? 3 : 2);
    p[0] = JIT_TRACE_REG | (uint64_t)size << 4 | (uint64_t)offset << 9;
    p[1] = lo;
    if (size > 8) p[2] = hi;
}

static inline void jit_trace_reg_changed(struct jit_trace_buf *t, uint32_t offset, unsigned size, uint64_t lo)
{
    uint64_t *p = jit_trace_reserve(t, 2);
    p[0] = JIT_TRACE_REG_CHANGED | (uint64_t)size << 4 | (uint64_t)offset << 9;
    p[1] = lo;
}

static inline void jit_trace_access(struct jit_trace_buf *t, bool store, uint64_t addr, unsigned size, uint64_t lo,
                                    uint64_t hi)
{
    uint64_t *p = jit_trace_reserve(t, size > 8 ? 4 : 3);
    p[0] = (uint64_t)(store ? JIT_TRACE_STORE : JIT_TRACE_LOAD) | (uint64_t)size << 4;
    p[1] = addr;
    p[2] = lo;
    if (size > 8) p[3] = hi;
}

#endif
