/* Interface between the JIT runtime (jit.c), register allocation (regalloc.c) and
 * x86-64 code generation (codegen.c).
 *
 * Host register conventions inside translated code:
 *   r15 = guest state pointer, r14 = guest memory base (flat memory model) or software
 *   TLB base (system memory model) (pinned, callee-saved);
 *   rax, rdx, r11 = scratch (never allocated: mul/div, immediates, spilled operands);
 *   rbx rbp r12 r13 rsi rdi r8 r9 r10 rcx = allocatable;
 *   rsp = a fixed frame set up by the entry trampoline, 16-byte aligned: bytes
 *   [0, 128) save caller-saved registers around helper calls, the rest holds spill
 *   slots, locals and I128 values. Nothing in translated code moves rsp. */
#ifndef FERRY_JIT_CODEGEN_H
#define FERRY_JIT_CODEGEN_H

#include <stdint.h>
#include <stdbool.h>
#include "jit/ir/ir_internal.h"
#include "jit/jit.h"
#include "jit/x86_64/x86_encode.h"

/* Allocatable registers a C helper may clobber (SysV): saved around calls. */
#define JIT_CALLER_SAVED ((1u << X86_RSI) | (1u << X86_RDI) | (1u << X86_R8) | (1u << X86_R9) | \
                          (1u << X86_R10) | (1u << X86_RCX))

#define JIT_REG_STATE   X86_R15
#define JIT_REG_MEMBASE X86_R14
/* While tracing: the item cursor, in a register rather than memory so that the items of
 * consecutive blocks do not wait on each other through a memory word. Callee-saved
 * (helpers keep it); the trampoline loads it and the epilogue stores it back. */
#define JIT_REG_TRACE   X86_R13
#define JIT_FRAME_SIZE  32768u
#define JIT_SAVE_AREA   128u

#define LOC_NONE (-1)
static inline bool loc_is_reg(int32_t l) { return l >= 0; }
static inline bool loc_is_slot(int32_t l) { return l <= -2; }
static inline int32_t loc_slot_off(int32_t l) { return -l - 2; }
static inline int32_t loc_of_slot(int32_t off) { return -off - 2; }

/* Indirect-branch cache entry (guest pc -> host code), direct mapped. */
struct jit_ind_entry { uint64_t pc; const void *code; };

/* What code generation needs from the runtime. */
struct jit_cg_env {
    const uint8_t *epilogue;        /* eax = exit kind, rdx = info */
    const uint64_t *limits;         /* [log2 size] = guest_limit - size (sizes 1..16) */
    struct jit_ind_entry *ind_table;
    uint32_t ind_mask;              /* entries - 1 */
    uint64_t *monitor;              /* exclusive monitor address, ~0 = clear */
    uint64_t *ind_hits;             /* counter incremented by generated code */
    uint32_t pc_offset;
    uint64_t mem_limit;             /* guest_limit, for constant addresses */
    /* host code of an already translated block, or NULL (lets exits chain at once) */
    const void *(*lookup)(void *ctx, uint64_t pc);
    void *lookup_ctx;
    /* System memory model with translations keyed by physical address: a direct exit
     * to another 4 KiB page (whose mapping may change) is chained to the target's
     * guarded entry (jit_codegen_guard), which checks map_epoch; its cold stub tells
     * the runtime so by setting bit 63 of the patch site it returns. */
    bool chain_within_page;
    const uint32_t *map_epoch;      /* incremented by the runtime on every mapping change */
    /* where an exit to the block's own start goes when it is not a loop back edge: the
     * block's lazy-flag loop translation (jit.c), or NULL for the block's own code */
    const void *self_code;
    /* The system memory model (jit.h): every guest access calls the runtime. NULL: flat. */
    const struct jit_system_memory *system;
    /* Non-NULL: a byte the runtime sets to have translated code return to it; checked
     * before every jump to another block (chained, indirect, to itself). */
    const volatile uint8_t *exit_request;
    /* Instruction tracing (jit/jit_trace.h): JIT_TRACE_OFF, _FULL or _BLOCKS; the
     * RIP-addressable words where the item cursor is kept between runs (JIT_REG_TRACE
     * holds it in translated code) and that it is checked against. A traced block
     * first checks that its items fit (else it leaves with
     * IR_EXIT_TRACE_FULL); in block mode it then appends its BLOCK_ID item, the id
     * being trace_block_id (set by the jit for each translation), or, if it loops on
     * itself, a BLOCK_RUN item whose count its loop head increments. */
    uint8_t trace_mode;
    uint32_t trace_block_id;
    uint64_t *const *trace_limit;
    uint64_t **trace_run;         /* block mode: where a looping block keeps its BLOCK_RUN item */
};

/* Scratch state of the code generator, kept by the jit across blocks (no allocation
 * per block once warm). */
struct jit_cg {
    uint32_t cap;                   /* per-instruction arrays below */
    uint16_t *save_mask;            /* CALL: caller-saved registers live across it */
    uint32_t *calls_before;
    uint32_t *released_at;
    uint8_t *fuse_only;             /* CMP whose result lives only in x86 flags */
    uint32_t *prefer;               /* value -> preload whose location it should take, or 0 */
    uint8_t **host_at;              /* LABEL: host address once bound */
    uint32_t *label_fix_head;       /* per label: first fixup index + 1 */
    uint32_t cap_labels;
    struct { uint8_t *site; uint32_t next; } *fix;
    uint32_t n_fix, cap_fix;
    struct jit_cold *cold;          /* out-of-line stubs to emit after the block body */
    uint32_t n_cold, cap_cold;
    uint32_t *local_slot;
    uint32_t cap_locals;
    /* Host code ranges (offsets from the block start) of the instructions that access
     * guest memory, with the IR instruction whose snapshot makes the state precise if
     * one of them faults in the host MMU (fault_map.c turns them into the block's map). */
    struct jit_cg_site { uint32_t start, end, insn; } *sites;
    uint32_t n_sites, cap_sites;
    uint32_t frame_top;             /* highest frame byte used by this block */
    uint32_t chained_exits;         /* exits linked at translation time */
    uint16_t reserved_regs;         /* registers the allocator must not hand out */
    bool mem_calls;                 /* guest accesses may call the runtime (system model):
                                       the register allocator records what they must keep */
    bool mem_calls_cold;            /* ... only on a software TLB miss, out of line: values
                                       across them need not prefer callee-saved registers */
    uint8_t *loop_head;             /* host address of IR_OP_LOOP_HEAD in this block */
};

/* Kinds of out-of-line code. */
struct jit_cold {
    uint8_t kind;                   /* 1 = fault stub, 2 = direct exit stub, 3 = branch edge stores,
                                       4 = exit request (pc: where to continue, or ~0: stored),
                                       5 = slow guest access (software TLB miss),
                                       6 = trace buffer full (pc: the block's start) */
    uint8_t *site;                  /* rel32 displacement that jumps to the stub */
    uint32_t snap;                  /* fault, edge: snapshot id */
    uint32_t label;                 /* edge: the label it continues at */
    uint8_t exit_kind;              /* fault: IR_EXIT_DATA_ABORT or IR_EXIT_ALIGNMENT(_WRITE) */
    int8_t addr_reg;                /* fault: register holding the address, or -1 */
    uint64_t addr_imm;              /* fault: constant address */
    uint64_t pc;                    /* fault: guest pc; exit: target pc */
    uint32_t insn;                  /* slow access: the IR load or store */
    const uint8_t *resume;          /* slow access: where the fast path continues */
};

void jit_cg_free(struct jit_cg *cg);

/* Assigns every value a host register or frame slot (linear scan over the block). */
bool jit_regalloc(ir_block *b, struct jit_cg *cg);

/* Emits the block at buf->p. Returns false if the buffer ran out. */
bool jit_codegen(ir_block *b, struct jit_cg *cg, const struct jit_cg_env *env, x86_buf *buf);

/* The exit stub's patch-site flag (see chain_within_page): the site's address with bit
 * 48 flipped. Code addresses are canonical (bits 48-63 equal bit 47) in the lower half
 * (a host process) as in the upper half (the engine), so a flagged site is the one
 * whose bits 47 and 48 differ. */
#define JIT_PATCH_GUARDED (1ull << 48)
static inline bool jit_patch_is_guarded(uint64_t site) { return ((site >> 47) ^ (site >> 48)) & 1; }

/* With chain_within_page: the guarded entry of the block at guest pc, emitted into buf
 * right before its body (which must follow at buf->p): it falls through to the body
 * when *map_epoch equals the 32-bit value at *epoch_imm (the epoch the runtime last
 * found the block by pc's physical address in; the runtime rewrites it), else stores
 * pc and continues through the indirect-branch table. Returns the guarded entry, NULL
 * when buf has no room. */
uint8_t *jit_codegen_guard(x86_buf *buf, const struct jit_cg_env *env, uint64_t pc, uint32_t epoch,
                           uint8_t **epoch_imm);

#endif
