/* The translated-code runtime: translation cache, code buffer, block chaining, the
 * fast indirect-branch lookup and the dispatcher loop. Architecture independent: the
 * guest front end (arch/<arch>/) supplies a function that fills an ir_block with the
 * guest block at a PC; everything after that (passes, register allocation, encoding,
 * caching, chaining) happens here. Used hosted (ferry user, tests) and, later, in the
 * engine. */
#ifndef FERRY_JIT_H
#define FERRY_JIT_H

#include <stdint.h>
#include <stdbool.h>
#include "ferry/support.h"
#include "jit/ir/ir.h"
#include "jit/jit_trace.h"

typedef struct jit jit;

/* The flat memory model (a user-mode process): guest address a of an access of n
 * bytes is valid iff a + n <= guest_limit (computed without overflow); it lives at
 * host_base + a. Invalid accesses leave the block with IR_EXIT_DATA_ABORT. Host faults
 * inside a valid range (pages the guest has not mapped) are the runner's business (its
 * SIGSEGV handler, with jit_restore_state to make the guest state precise).
 *
 * With top_byte_ignore, an address whose bit 55 is clear ignores its top byte for data
 * accesses and branch targets (AArch64 TCR_EL1.TBI0 = 1, TBI1 = 0: how Linux runs EL0).
 * Translated code checks the plain address only; a tagged one fails that check and the
 * runtime reruns the instruction through the config's step function, so untagged code
 * pays nothing.
 *
 * may_execute, when set, says whether the instruction at a guest address may be
 * fetched (the page's execute permission); the front end's fetch refuses otherwise, so
 * a block never starts or continues on a page without it. */
struct jit_memory {
    uint8_t *host_base;
    uint64_t guest_limit;
    bool top_byte_ignore;
    bool (*may_execute)(void *ctx, uint64_t addr);
    void *may_execute_ctx;
    /* Non-NULL: the system memory model; the fields above are then unused. */
    const struct jit_system_memory *system;
    /* Non-NULL while instructions are traced: where the interpreter (which reaches
     * everything through this struct) appends its trace items, the same buffer as
     * jit_config.trace.buf. */
    struct jit_trace_buf *trace;
};

/* The system memory model (a guest with its own MMU and devices): every access goes
 * through the runtime, which translates the virtual address (page walk, software TLB),
 * checks permissions for the current EL (or EL0's for unprivileged accesses: LDTR,
 * STTR) and reaches RAM or a device. A call returns false when the access faults; the
 * runtime has then recorded the exception to take (syndrome, fault address), and the
 * caller leaves the instruction with the state as it was (IR_EXIT_DATA_ABORT,
 * IR_EXIT_FETCH_ABORT). size is 1, 2, 4 or 8. fetch also gives the instruction's
 * physical address (pa may be NULL). */
struct jit_system_memory {
    bool (*load)(void *ctx, uint64_t va, unsigned size, bool unpriv, uint64_t *value);
    bool (*store)(void *ctx, uint64_t va, unsigned size, bool unpriv, uint64_t value);
    bool (*fetch)(void *ctx, uint64_t va, uint32_t *insn, uint64_t *pa);
    void *ctx;
    /* The software TLB translated code looks up inline (NULL: every access calls
     * load/store): JIT_TLB_VIEWS arrays of JIT_TLB_ENTRIES entries, view 0 for EL0
     * permissions (EL0 code, unprivileged accesses), view 1 for EL1. An access of n bytes
     * at va hits when the entry at (va >> 12) % JIT_TLB_ENTRIES holds the page of its
     * last byte, va + n - 1, as read_tag (loads) or write_tag (stores); the host address
     * is then va + addend. The runtime fills entries only for RAM it may access without
     * further checks and empties them (a tag that is never page aligned, 1) whenever
     * they may no longer hold. */
    struct jit_tlb_entry *fast_tlb;
    /* Optional, together: translations keyed by physical address. code_pa translates
     * va for an instruction fetch at the current EL without recording a fault (false:
     * the fetch would fault). code_page is told the physical page (4 KiB aligned) of
     * every translation made: from then on stores to that page must reach the runtime
     * (no write entry in fast_tlb), which calls jit_invalidate_phys when one comes.
     * The runtime calls jit_mappings_changed whenever the guest's virtual-to-physical
     * mapping may have changed. Without them, translations are keyed by virtual PC and
     * the runtime must call jit_invalidate_all on such changes. */
    bool (*code_pa)(void *ctx, uint64_t va, uint64_t *pa);
    void (*code_page)(void *ctx, uint64_t pa_page);
};

#define JIT_TLB_ENTRIES 1024
#define JIT_TLB_VIEWS 2
#define JIT_TLB_EMPTY 1ull
struct jit_tlb_entry {
    uint64_t read_tag, write_tag;
    uint64_t addend;
    uint64_t pad;              /* entries are 32 bytes: the index scales by a shift */
};

/* The address an access or a branch to a really uses (see top_byte_ignore). */
static inline uint64_t jit_memory_untag(const struct jit_memory *m, uint64_t a)
{
    return m->top_byte_ignore && !((a >> 55) & 1) ? a & 0x00ffffffffffffffull : a;
}

/* The host address of an n-byte access at guest address a, or NULL when it lies
 * outside the guest memory. Used by everything that accesses guest memory from C on
 * the translated code's behalf (the interpreter, instruction fetch). */
static inline uint8_t *jit_memory_host(const struct jit_memory *m, uint64_t a, uint64_t n)
{
    a = jit_memory_untag(m, a);
    if (a > m->guest_limit || n > m->guest_limit - a) return 0;
    return m->host_base + a;
}

/* A load or store of n (1, 2, 4 or 8) bytes in either model, for C code that accesses
 * guest memory on the guest's behalf (the interpreter). False: a fault (see above). */
static inline bool jit_memory_load(const struct jit_memory *m, uint64_t a, unsigned n, bool unpriv, uint64_t *v)
{
    if (m->system) return m->system->load(m->system->ctx, a, n, unpriv, v);
    const uint8_t *h = jit_memory_host(m, a, n);
    if (!h) return false;
    uint64_t t = 0;
    memcpy(&t, h, n);                          /* host and guest are little-endian */
    *v = t;
    return true;
}

static inline bool jit_memory_store(const struct jit_memory *m, uint64_t a, unsigned n, bool unpriv, uint64_t v)
{
    if (m->system) return m->system->store(m->system->ctx, a, n, unpriv, v);
    uint8_t *h = jit_memory_host(m, a, n);
    if (!h) return false;
    memcpy(h, &v, n);
    return true;
}

/* Fills b (already reset to pc) with the translation of the guest block starting at
 * pc, specialised on `modes` (the front end's packed modes, jit_config.modes). Always produces a complete block: when the first instruction cannot be fetched
 * the block is a single ir_exit_special(IR_EXIT_FETCH_ABORT, pc, pc); when a later one
 * cannot, the block ends before it. Returns false only on an internal error. */
typedef bool (*jit_translate_fn)(void *ctx, ir_block *b, uint64_t pc, uint64_t modes);

/* The guest's condition flags, if it has the usual four: I1 registers in the state
 * holding the sign, zero, carry and overflow of the last flag-setting operation. A
 * self-loop whose back edge leaves them equal to the flags of one subtraction, addition
 * or AND of registers it carries keeps them lazily (jit/ir/lazy_flags.c recognises the
 * operation in the IR the front end built, carry conventions included). Without
 * (present = false) they are registers like any other. */
struct jit_flags {
    bool present;
    uint32_t offset[4];          /* sign, zero, carry, overflow */
};

struct jit_config {
    uint32_t state_size;         /* bytes of the guest state struct */
    uint32_t pc_offset;          /* offset of the 64-bit guest PC in it */
    struct jit_memory memory;
    jit_translate_fn translate;
    void *translate_ctx;
    /* The packed modes of a state: what the front end specialises translations on
     * (exception level, system or user mode...). Translations are found by PC and
     * modes; NULL means no modes (always 0). */
    uint64_t (*modes)(void *ctx, const void *state);
    void *modes_ctx;
    struct jit_flags flags;
    uint32_t max_block_insns;    /* front end hint; 0 = default */
    size_t code_cache_size;      /* bytes; 0 = default (64 MB). Flushed whole when full. */
    /* Optional monotonic clock for jit_stats.translate_ns (the shared code has no clock
     * of its own); NULL leaves translate_ns at 0 (translate_cycles is always kept). */
    uint64_t (*now_ns)(void);
    /* Runs the one instruction at the state's PC outside translated code (the
     * reference interpreter) and returns 0, or the exit kind it stopped with (info in
     * *info). The slow path for what translated code leaves to the runtime: accesses
     * through tagged addresses (jit_memory.top_byte_ignore). Required when
     * top_byte_ignore is set. */
    int (*step)(void *ctx, void *state, uint64_t *info);
    void *step_ctx;
    /* Translated code checks an exit-request byte before every jump to another block
     * and jit_run returns IR_EXIT_JUMP (state precise) when it is set: a system-mode
     * runtime sets it (jit_exit_request) from a timer or another thread to deliver
     * interrupts and serve devices while guest code runs chained. */
    bool exit_requests;
    /* With exit_requests, a translated self-loop checks the byte too, each time round
     * (a loop needs it where only an interrupt ends it); without, a request is seen when
     * the loop ends. The check costs matmul_int's 6-instruction loop a quarter of its
     * speed. */
    bool exit_requests_in_loops;
    /* Instruction tracing (jit/jit_trace.h): with mode JIT_TRACE_FULL, JIT_TRACE_BLOCKS
     * or JIT_TRACE_REPLAY translated code appends trace items to buf (full: every
     * instruction, register write and access; blocks: one item per block entered;
     * replay: that and each load's value) and jit_run calls buf->drain when they would
     * not fit (replay: then appends the state). el_of_modes (optional) gives the exception
     * level a translation's items carry. retract (required with a step function) is
     * told, with the state precise at the instruction, that the step function is about
     * to run that instruction again. Self-loop specialisation is off in full mode and,
     * in replay mode, for blocks with loads. */
    struct {
        enum jit_trace_mode mode;
        struct jit_trace_buf *buf;
        int (*el_of_modes)(uint64_t modes);
        void (*retract)(void *ctx, const void *state);
        void *retract_ctx;
    } trace;
};

struct jit_stats {
    uint64_t blocks_translated;
    uint64_t guest_insns_translated;
    uint64_t host_code_bytes;
    uint64_t translate_ns;       /* time spent translating (front end + backend) */
    uint64_t dispatcher_entries; /* returns to the C dispatcher loop */
    uint64_t chain_patches;
    uint64_t indirect_hits, indirect_misses;
    uint64_t cache_flushes;
    uint64_t translate_cycles;   /* TSC cycles spent translating */
    uint64_t ir_ops;             /* IR operations left after the passes (code density) */
    uint64_t lazy_flag_loops;    /* self-loops translated with lazy flags (ir_internal.h) */
    uint64_t mapping_changes;    /* jit_mappings_changed calls */
    uint64_t page_invalidations; /* jit_invalidate_phys calls that discarded translations */
    uint64_t blocks_invalidated; /* translations they discarded */
};

jit *jit_new(const struct jit_config *cfg);
void jit_free(jit *j);

/* Runs guest code from the PC in `state` until an exit other than IR_EXIT_JUMP, or
 * until the exit-request byte is set (then IR_EXIT_JUMP). On return the state is
 * precise (all guest registers written back, PC as documented for the exit kind in
 * ir.h); *info receives the exit's info value. */
ir_exit_kind jit_run(jit *j, void *state, uint64_t *info);

/* The exit-request byte (jit_config.exit_requests; NULL without): the runtime writes 1
 * to it (a signal handler may) and clears it when it has served the request. */
volatile uint8_t *jit_exit_request(jit *j);

/* Stops instruction tracing (jit_config.trace): translations made with the
 * instrumentation are discarded, later ones have none. Between runs only. */
void jit_trace_stop(jit *j);

/* Discards every translation: the guest's code mapping changed (page tables, TLB
 * maintenance; without jit_system_memory.code_pa) or it invalidated its whole
 * instruction cache. */
void jit_invalidate_all(jit *j);

/* System memory model with code_pa: the guest's virtual-to-physical mapping may have
 * changed (TLB maintenance, translation table base, ASID or MMU control writes).
 * Translations stay; what finds them by virtual address is forgotten. Between runs. */
void jit_mappings_changed(jit *j);

/* System memory model with code_pa: discards the translations of code in the physical
 * pages overlapping [pa, pa + len) (the guest wrote there, or invalidated its
 * instruction cache for it). Safe from a memory access of translated code (the running
 * block finishes on its old code, which stays allocated). */
void jit_invalidate_phys(jit *j, uint64_t pa, uint64_t len);

/* The host CPU's registers where translated code faulted (from a signal's ucontext
 * or an x86 exception frame), x86-64 numbering: rax rcx rdx rbx rsp rbp rsi rdi r8..r15. */
struct jit_host_regs {
    uint64_t gpr[16];
    uint64_t rip;
};

/* When regs->rip lies in an instruction of translated code that accesses guest memory
 * (the host MMU caught it), makes the state precise at that guest instruction: every
 * guest register the block still held in host registers or its frame is stored, PC is
 * the instruction, the exclusive monitor is cleared (an exception follows), the trace
 * buffer's cursor covers the items written so far. Returns
 * false (state untouched) for any other address. Safe in a signal handler. */
bool jit_restore_state(jit *j, void *state, const struct jit_host_regs *regs);

/* Discards every translation overlapping [guest_start, guest_start + len): the guest
 * wrote to code (self-modifying code) or unmapped it. */
void jit_invalidate(jit *j, uint64_t guest_start, uint64_t len);
void jit_get_stats(const jit *j, struct jit_stats *out);

/* The jit's memory model requires guest_limit >= 16; jit_new returns NULL otherwise.
 * A guest PC's translation lives until jit_invalidate or a full cache flush. */

/* Translate (without running) the block at pc (modes 0) and return its size in host
 * bytes; used by tests and the translation-speed benchmark. Returns 0 on failure. */
size_t jit_translate_only(jit *j, uint64_t pc);

/* Calls fn for every translation in the cache (profilers: perf maps, code dumps). */
void jit_for_each_block(const jit *j, void (*fn)(void *ctx, uint64_t pc, const void *code, size_t size),
                        void *ctx);

#endif
