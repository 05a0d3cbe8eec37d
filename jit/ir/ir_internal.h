/* Internal representation behind ir.h, shared by the builder (ir_build.c), the passes
 * (ir_passes.c), register allocation (regalloc.c) and code generation (codegen.c).
 *
 * A block is a flat array of fixed-size instructions; an ir_val is the index of the
 * instruction that defines it (index 0 is a dummy, so 0 is never a value). The builder
 * already folds constants and caches guest registers while the front end emits, so the
 * array holds the optimised block; later passes only delete (dead code) and annotate. */
#ifndef FERRY_JIT_IR_INTERNAL_H
#define FERRY_JIT_IR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "jit/ir/ir.h"

enum ir_op {
    IR_OP_NOP,
    IR_OP_CONST,        /* imm (I128: imm = lo, imm_hi in the const side table index c) */
    IR_OP_LOAD_STATE,   /* imm = state offset */
    IR_OP_STORE_STATE,  /* imm = state offset, a = value */
    IR_OP_LOCAL_READ,   /* a = local */
    IR_OP_LOCAL_WRITE,  /* a = local, b = value */
    /* binary arithmetic (a, b) */
    IR_OP_ADD, IR_OP_SUB, IR_OP_MUL, IR_OP_UMULH, IR_OP_SMULH, IR_OP_UDIV, IR_OP_SDIV,
    IR_OP_AND, IR_OP_OR, IR_OP_XOR,
    IR_OP_SHL, IR_OP_LSHR, IR_OP_ASHR, IR_OP_ROR,
    /* IEEE binary64 (I64) / binary32 (I32) arithmetic on bit patterns (a, b): host SSE2,
     * round to nearest, no exceptions observed */
    IR_OP_FADD, IR_OP_FSUB, IR_OP_FMUL, IR_OP_FDIV,
    IR_OP_FFMA,         /* a + b * c, one rounding (host VEX FMA) */
    /* unary (a) */
    IR_OP_NOT, IR_OP_NEG, IR_OP_CLZ, IR_OP_CTZ, IR_OP_POPCNT, IR_OP_BSWAP,
    IR_OP_ZEXT, IR_OP_SEXT, IR_OP_TRUNC, IR_OP_HI64,
    IR_OP_CONCAT64,     /* a = hi, b = lo */
    IR_OP_CMP,          /* cond, a, b; type of result I1, operand type = type of a */
    IR_OP_SELECT,       /* a = cond, b = true, c = false */
    IR_OP_ADD_CARRY,    /* a, b, c = carry in: C flag of a + b + c */
    IR_OP_ADD_OVERFLOW, /* V flag of a + b + c */
    IR_OP_SUB_OVERFLOW, /* V flag of a - b (AddWithCarry(a, ~b, 1)) */
    IR_OP_ADC,          /* a + b + c */
    IR_OP_LOAD,         /* a = address; c = snapshot; cond = IR_MEM_* */
    IR_OP_STORE,        /* a = address, b = value; c = snapshot; cond = IR_MEM_* */
    IR_OP_LOAD_EXCL,
    IR_OP_STORE_EXCL,   /* result I32 0/1 */
    IR_OP_CLEAR_EXCL,
    IR_OP_CHECK_ALIGN,  /* a = address, imm = bytes | write << 8 | IR_CHECK_ALIGN_SP; c = snapshot */
    IR_OP_CALL,         /* imm = fn, a = first arg index in args[], b = nargs */
    IR_OP_LABEL,        /* a = label */
    IR_OP_BR,           /* a = label */
    IR_OP_CBR,          /* a = cond, b = true label, c = false label; imm = edge stores
                         * (low 32 bits: snapshot of the dirty registers at the branch;
                         * IR_CBR_STORE_TRUE/FALSE: that edge stores them on its way) */
    IR_OP_EXIT_DIRECT,  /* imm = target pc */
    IR_OP_EXIT_INDIRECT,/* a = target pc value */
    IR_OP_EXIT_SPECIAL, /* cond = kind, imm = pc, info = consts_hi[b], or the value a when a != 0 */
    IR_OP_INSN_START,   /* imm = guest pc, a = encoding */
    IR_OP_LOOP_HEAD,    /* self-loop block: where the back edge re-enters (after the preloads) */
    IR_OP_LOOP_BACK,    /* a = first arg, b = n: args[a..a+n) are moved into the locations of
                         * the preloaded registers args[a+n..a+2n), then jump to the loop head.
                         * A preload's location is reused once it is dead: nothing but the
                         * back edge's own arguments is live on that path. */
    IR_OP_EXIT_REQUESTED, /* I1: the runtime's exit-request byte is set (codegen.h) */
    IR_OP_TRACE,        /* a trace item (jit/jit_trace.h): imm = tag word; a, b, c = the values
                         * that follow it (0: none; an I128 takes two words) */
    IR_OP_LAZY_FLAG,    /* I1 flag of `a op b`, computed only where it is stored (exits and
                         * fault stubs redo the operation) or read: cond = IR_LAZY_*, imm =
                         * flag (0 N, 1 Z, 2 C, 3 V), consts_hi[c], consts_hi[c + 1] =
                         * addends to a and b, consts_hi[c + 2] = the value the block
                         * computed (a flag written to a register), or 0 (the flags at a
                         * lazy-flag loop head, struct ir_lazy_flags) */
    IR_OP_COUNT
};

#define IR_CHECK_ALIGN_SP  (1ull << 9)   /* an SP alignment check (IR_EXIT_SP_ALIGNMENT) */
#define IR_CBR_STORE_TRUE  (1ull << 32)
#define IR_CBR_STORE_FALSE (1ull << 33)

/* instruction flags */
#define IR_F_LIVE      0x01   /* set by dead code elimination */
#define IR_F_SIDE      0x02   /* has a side effect: never deleted */

struct ir_insn {
    uint8_t op;
    uint8_t type;       /* result type (0 for no result); STORE*: type of the value */
    uint8_t cond;       /* IR_OP_CMP condition, IR_OP_EXIT_SPECIAL kind */
    uint8_t flags;
    uint32_t a, b, c;
    uint64_t imm;
};

/* Dirty guest registers at a possible fault: the fault stub stores these so the state
 * is precise at the faulting instruction. */
struct ir_snapshot {
    uint64_t pc;
    uint32_t first, count;   /* into ir_block.snap_regs */
};
struct ir_snap_reg { uint32_t offset; uint32_t val; };

/* One cached guest register (a byte range of the state held as an SSA value). */
struct ir_cache_entry {
    uint32_t offset;
    uint8_t size;
    uint8_t dirty;
    uint8_t live;
    uint32_t val;
};

struct ir_label_info {
    uint32_t bound_at;        /* instruction index of IR_OP_LABEL, 0 until bound */
    uint32_t state_first;     /* merged register cache of incoming branches */
    uint32_t state_count;
    bool has_state;
    /* A label whose only predecessor so far is a conditional branch inherits its dirty
     * registers unstored; a second predecessor makes that branch edge store them. */
    uint8_t cbr_edge;         /* which edge of cbr_pred: 0 = true, 1 = false */
    uint32_t cbr_pred;        /* instruction index of that branch, 0 when none */
};

#define IR_MAX_LOOP_REGS 16

/* Lazy loop flags. A self-loop whose back edge leaves the guest's four flag registers
 * (jit_config.flags: sign, zero, carry, overflow) equal to the flags of `a op b`, where a and b are loop-carried
 * registers plus constant addends (or constants), need not carry them: at the loop head
 * the flags are those of the same operation on the preloaded registers, so the back
 * edge drops them and only fault stubs, exits and reads before they are rewritten
 * compute them. Valid only when every entry to the loop head has that relation (the jit
 * enters such a loop only from a normal translation of the same block). */
enum { IR_LAZY_SUB = 0, IR_LAZY_ADD = 1, IR_LAZY_AND = 2, IR_LAZY_KIND_MASK = 3, IR_LAZY_64 = 4 };
struct ir_lazy_operand {
    int32_t loop_reg;         /* index into the loop registers, or -1: a constant */
    uint64_t value;           /* constant, or the addend to the register's value */
};
struct ir_lazy_flags {
    uint32_t offset[4];       /* state offsets of the sign, zero, carry and overflow flags */
    uint8_t kind;             /* IR_LAZY_SUB/ADD/AND, | IR_LAZY_64 for 64-bit operations */
    struct ir_lazy_operand a, b;
};

/* The loop registers as ir_match_lazy_flags sees them at the loop's end: value[k] is
 * register k's value there (0: not known), unchanged[k] says the block never writes it
 * (then any load of it is that value too). */
struct ir_lazy_regs {
    uint32_t n;
    ir_val value[IR_MAX_LOOP_REGS];
    bool unchanged[IR_MAX_LOOP_REGS];
    uint32_t offset[IR_MAX_LOOP_REGS];
    uint8_t type[IR_MAX_LOOP_REGS];
};
/* lazy_flags.c: fills out's kind and operands when flags[0..3] (sign, zero, carry,
 * overflow) are the flags of one SUBS/ADDS/ANDS on those registers; false otherwise. */
bool ir_match_lazy_flags(const ir_block *b, const ir_val flags[4], const struct ir_lazy_regs *regs,
                         struct ir_lazy_flags *out);
bool ir_lazy_flags_equal(const struct ir_lazy_flags *x, const struct ir_lazy_flags *y);

/* A register a self-loop's back edge always leaves holding one constant (the upper
 * half of a vector register a scalar FMOV zeroes): entered only with the state holding
 * it (as for lazy flags), the loop head caches it clean, rewriting the same constant
 * keeps it clean, and the back edge stores nothing. */
struct ir_loop_const {
    uint32_t offset;
    uint8_t type;             /* IR_I8..IR_I64 */
    uint64_t value;
};
#define IR_MAX_LOOP_CONSTS 32

/* A guest register a self-loop block keeps in a host location across its back edge. */
struct ir_loop_reg {
    uint32_t offset;
    uint8_t type;
    bool written;             /* written in the loop: dirty from the block start */
    uint32_t preload;         /* its LOAD_STATE before the loop head */
};

struct ir_block {
    struct ir_insn *insns;
    uint32_t n_insns, cap_insns;
    uint64_t guest_pc;
    uint64_t cur_pc;          /* guest pc of the current instruction */
    uint32_t n_guest_insns;
    uint32_t pc_offset;
    bool pc_offset_set;
    bool reachable;           /* false after an exit/branch until a label is bound */
    bool optimise;            /* builder-time folding and register caching */
    uint8_t mem_flags;        /* IR_MEM_* every memory access gets (ir_block_set_mem_flags) */
    bool exit_requests;       /* a self-loop's back edge leaves when an exit is requested */
    uint8_t trace;            /* JIT_TRACE_FULL: instructions, register writes and accesses
                               * append trace items; JIT_TRACE_REPLAY: loads do
                               * (ir_block_set_trace) */
    uint8_t trace_el;         /* the exception level INSN and BLOCK items carry, + 1 (0: unknown) */
    bool trace_pa_valid;      /* trace_pa is the physical address of guest_pc */
    uint64_t trace_pa;

    /* self-loop mode (ir_block_set_loop_regs): exits to guest_pc become IR_OP_LOOP_BACK */
    struct ir_loop_reg *loop_regs;
    uint32_t n_loop_regs, cap_loop_regs;
    bool loop_mode;
    bool lazy_flags_set;
    bool loop_facts_broken;   /* the back edge did not match lazy_flags or loop_consts:
                               * do not use the block */
    struct ir_loop_const *loop_consts;
    uint32_t n_loop_consts, cap_loop_consts;
    struct ir_lazy_flags lazy_flags;

    uint64_t *consts_hi;      /* I128 constant high halves / exit infos */
    uint32_t n_consts_hi, cap_consts_hi;

    uint32_t *args;           /* call arguments */
    uint32_t n_args, cap_args;

    uint8_t *local_types;
    uint32_t n_locals, cap_locals;

    struct ir_label_info *labels;
    uint32_t n_labels, cap_labels;
    struct ir_cache_entry *label_states;
    uint32_t n_label_states, cap_label_states;

    struct ir_snapshot *snaps;
    uint32_t n_snaps, cap_snaps;
    struct ir_snap_reg *snap_regs;
    uint32_t n_snap_regs, cap_snap_regs;
    uint32_t snap_valid;      /* id of the current snapshot (+1), 0 when it must be rebuilt */

    /* register cache: entries plus a byte -> entry map stamped with a generation */
    struct ir_cache_entry *cache;
    uint32_t n_cache, cap_cache;
    uint32_t *owner_gen;
    uint16_t *owner_idx;
    uint32_t owner_size;
    uint32_t gen;

    /* filled by passes/regalloc: per value */
    uint32_t *last_use;
    int32_t *loc;             /* >= 0: host register; < 0: -(frame offset) - 1 */
    uint32_t *use_count;
    uint32_t cap_values;
    uint32_t frame_used;      /* bytes of spill/local area used */
    uint32_t *local_slot;
    uint32_t cap_local_slot;
};

static inline unsigned ir_type_bits(ir_type t)
{
    switch (t) {
    case IR_I1: return 1;
    case IR_I8: return 8;
    case IR_I16: return 16;
    case IR_I32: return 32;
    case IR_I64: return 64;
    case IR_I128: return 128;
    }
    return 0;
}
static inline unsigned ir_type_bytes(ir_type t)
{
    return t == IR_I1 ? 1 : ir_type_bits(t) / 8;
}
static inline uint64_t ir_type_mask(ir_type t)
{
    unsigned bits = ir_type_bits(t);
    return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

static inline unsigned ir_popcount64(uint64_t v)
{
    v = v - ((v >> 1) & 0x5555555555555555ull);
    v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
    v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

/* Value predicates shared by the builder, the passes and the code generator. */
static inline bool ir_is_const(const ir_block *b, ir_val v)
{
    return b->insns[v].op == IR_OP_CONST && b->insns[v].type != IR_I128;
}
static inline bool ir_const_eq(const ir_block *b, ir_val v, uint64_t k)
{
    return ir_is_const(b, v) && b->insns[v].imm == k;
}
/* The same value: one id, or equal constants of one type (the builder makes a new id
 * per constant). */
static inline bool ir_same_value(const ir_block *b, ir_val x, ir_val y)
{
    return x == y || (ir_is_const(b, x) && ir_is_const(b, y) && b->insns[x].type == b->insns[y].type &&
                      b->insns[x].imm == b->insns[y].imm);
}

/* Passes (ir_passes.c). */
/* Value operands of an instruction (call arguments and snapshots not included). */
unsigned ir_value_operands(const struct ir_insn *in, uint32_t out[3]);
bool ir_is_mem_op(unsigned op);
void ir_dead_code_elim(ir_block *b);
/* Snapshot whose registers instruction `in` may store (fault stub or branch edge), or 0. */
static inline uint32_t ir_insn_snapshot(const struct ir_insn *in)
{
    if (ir_is_mem_op(in->op) || in->op == IR_OP_CHECK_ALIGN)
        return in->c;
    if (in->op == IR_OP_CBR && (in->imm & (IR_CBR_STORE_TRUE | IR_CBR_STORE_FALSE)))
        return (uint32_t)in->imm;
    return 0;
}
/* Values an instruction uses from b->args (helper call arguments, the new values at a
 * loop back edge; the preloads after those are destinations, not uses). */
static inline uint32_t ir_insn_args(const struct ir_insn *in, uint32_t *first)
{
    *first = in->a;
    if (in->op == IR_OP_CALL || in->op == IR_OP_LOOP_BACK) return in->b;
    return 0;
}
/* Self-loop translation: before anything else in a freshly reset block, preloads these
 * registers (no two overlapping) and marks the loop head; exits to the block's own pc
 * then keep them in host locations instead of going through the guest state. */
void ir_block_set_loop_regs(ir_block *b, const struct ir_loop_reg *regs, uint32_t n);
/* The runtime has an exit-request byte (jit_config.exit_requests): a self-loop's back
 * edge then first tests it and, when set, leaves through an ordinary exit to the block's
 * start, which stores every carried register (and its own exit-request check leaves). */
void ir_block_set_exit_requests(ir_block *b, bool on);
/* After ir_block_set_loop_regs: the flags at the loop head are lazy (struct
 * ir_lazy_flags); none of the four may be a loop register. */
void ir_block_set_lazy_flags(ir_block *b, const struct ir_lazy_flags *lf);
/* After ir_block_set_loop_regs: registers the loop head may take to hold these constants
 * (struct ir_loop_const); none may overlap a loop register or a lazy flag. */
void ir_block_set_loop_consts(ir_block *b, const struct ir_loop_const *consts, uint32_t n);

/* Instruction tracing (jit/jit_trace.h): with JIT_TRACE_FULL the builder follows every
 * instruction start, guest register write and guest memory access with an IR_OP_TRACE
 * item; with JIT_TRACE_REPLAY every guest load is followed by one whose value is the
 * load's (a slot of the block's entry); el is the exception level of the block's
 * instructions, or -1 when unknown. Call after ir_block_reset, before the front end
 * emits. */
void ir_block_set_trace(ir_block *b, unsigned mode, int el);
/* Words of trace items the block appends at most (the codegen's capacity check;
 * replay mode: its slot words, without the BLOCK_ID word). */
uint32_t ir_block_trace_words(const ir_block *b);
/* Replay mode: the bytes of load values (slots) an entry of the block carries. */
uint32_t ir_block_trace_slot_bytes(const ir_block *b);

/* Counts uses and last uses of every value (snapshot references included). */
void ir_compute_liveness(ir_block *b);
/* Appends a textual dump of the block to buf (tests and debugging). */
size_t ir_dump(const ir_block *b, char *buf, size_t size);
const char *ir_op_name(unsigned op);
/* What the backend can do natively, asked by the builder when it chooses a lowering
 * (defined by the backend; ir_host_has_fma in ir.h is the other such question). */
bool ir_backend_has_popcount(void);

/* Builder-side internal helper call that does not touch the guest state. */
ir_val ir_call_pure(ir_block *b, const void *fn, ir_type ret_type, unsigned nargs, const ir_val *args);

#endif
