/* Ferry's block-local IR: the interface between the translators generated from ADL
 * descriptions (build/gen/<arch>/<prefix>_translate.c) and the x86-64 backend.
 *
 * A translation unit is one guest basic block. The generated translator calls the
 * builder functions below, one guest instruction after another; the backend then runs
 * the passes (constant folding, guest-register caching, dead-flag and dead-code
 * elimination), allocates registers and encodes x86-64.
 *
 * Values are SSA: every builder call that computes something returns a fresh ir_val
 * that can be used by later operations in the same block. Control flow inside a block
 * is forward only (labels are bound after every branch to them), so program order is a
 * topological order. A value may only be used where its definition dominates the use;
 * anything that must flow across a conditional region goes through a local
 * (ir_local_*), never an ir_val.
 *
 * Guest registers are addressed by their byte offset in the guest CPU state struct (the
 * struct generated from the ADL register declarations) and a width. The register
 * caching pass keeps them in host registers across the block and writes dirty ones
 * back at every exit, helper call or possible fault. */
#ifndef FERRY_JIT_IR_H
#define FERRY_JIT_IR_H

#include <stdint.h>
#include <stdbool.h>

typedef enum ir_type {
    IR_I1 = 1,   /* boolean: 0 or 1 */
    IR_I8, IR_I16, IR_I32, IR_I64, IR_I128,
} ir_type;

typedef uint32_t ir_val;    /* 0 is never a valid value */
typedef uint32_t ir_label;
typedef uint32_t ir_local;

typedef struct ir_block ir_block;

/* Why translated code returns to the dispatcher. */
typedef enum ir_exit_kind {
    IR_EXIT_JUMP = 1,    /* continue at the PC in the state (chainable if direct) */
    IR_EXIT_SYSCALL,     /* SVC #imm: info = imm; PC = next instruction */
    IR_EXIT_UNDEF,       /* unallocated or undescribed encoding: info = encoding; PC = it */
    IR_EXIT_BREAKPOINT,  /* BRK #imm: info = imm; PC = the BRK */
    IR_EXIT_HVC,         /* HVC #imm (system mode, later) */
    IR_EXIT_SMC,
    IR_EXIT_WFI,         /* WFI/WFE: PC = next instruction */
    IR_EXIT_DATA_ABORT,  /* memory access fault: info = faulting guest address; PC = the insn */
    IR_EXIT_FETCH_ABORT, /* instruction fetch fault: info = PC = the address */
    IR_EXIT_SYSREG,      /* system register access the block cannot do inline (later) */
    IR_EXIT_HALT,        /* test harness: stop */
    IR_EXIT_ALIGNMENT,   /* alignment fault (ir_check_aligned) of a load: info = address; PC = the insn */
    IR_EXIT_ALIGNMENT_WRITE, /* the same for a store */
    IR_EXIT_SP_ALIGNMENT, /* SP alignment fault (ir_check_sp_aligned): PC = the insn */
    IR_EXIT_INVALIDATE_CODE, /* IC IVAU: info = a guest address whose translations must go;
                              * PC = next instruction */
    IR_EXIT_TRACE_FULL,  /* the trace buffer cannot take the block's items: PC = the block's
                          * start, nothing ran (jit_run drains the buffer and goes on) */
    IR_EXIT_KIND_END     /* not a kind: one past the last */
} ir_exit_kind;

/* Exits that leave the state precise at the start of an instruction that did not
 * complete (a fault or an undefined encoding: PC = the instruction), as opposed to
 * exits after it (SVC, WFI, jumps) or before any (a fetch abort). */
static inline bool ir_exit_undoes_insn(ir_exit_kind kind)
{
    return kind == IR_EXIT_DATA_ABORT || kind == IR_EXIT_UNDEF || kind == IR_EXIT_BREAKPOINT ||
           kind == IR_EXIT_ALIGNMENT || kind == IR_EXIT_ALIGNMENT_WRITE || kind == IR_EXIT_SP_ALIGNMENT;
}

/* ---- block construction -------------------------------------------------------------- */
ir_block *ir_block_new(void);
void      ir_block_free(ir_block *b);
void      ir_block_reset(ir_block *b, uint64_t guest_pc); /* start a new block at guest_pc */
/* Marks the start of one guest instruction (for precise faults, traces and counts). */
void      ir_insn_start(ir_block *b, uint64_t guest_pc, uint32_t encoding);
/* The physical address of the block's first instruction, when the front end knows it
 * (a guest with an MMU), before the first ir_insn_start; the block's instructions must
 * be physically contiguous. Instruction traces then carry physical addresses. */
void      ir_block_set_trace_pa(ir_block *b, uint64_t pa);

/* ---- constants and guest state ------------------------------------------------------- */
ir_val ir_const(ir_block *b, ir_type t, uint64_t value);
ir_val ir_const128(ir_block *b, uint64_t lo, uint64_t hi);
/* Whether v is a constant (up to 64 bits) known while building; its value in *value. */
bool ir_value_is_const(ir_block *b, ir_val v, uint64_t *value);
ir_val ir_read_reg(ir_block *b, ir_type t, uint32_t state_offset);
void   ir_write_reg(ir_block *b, uint32_t state_offset, ir_val v);

/* Locals: block-scoped variables for values that cross conditional regions. */
ir_local ir_local_new(ir_block *b, ir_type t);
ir_val   ir_local_read(ir_block *b, ir_local l);
void     ir_local_write(ir_block *b, ir_local l, ir_val v);

/* ---- arithmetic and logic: both operands of the result's type ------------------------ */
ir_val ir_add(ir_block *b, ir_val x, ir_val y);
ir_val ir_sub(ir_block *b, ir_val x, ir_val y);
ir_val ir_mul(ir_block *b, ir_val x, ir_val y);          /* low half */
ir_val ir_umulh(ir_block *b, ir_val x, ir_val y);        /* high half, unsigned (I64) */
ir_val ir_smulh(ir_block *b, ir_val x, ir_val y);        /* high half, signed (I64) */
/* Division with AArch64 semantics: x / 0 == 0, INT_MIN / -1 == INT_MIN; truncating. */
ir_val ir_udiv(ir_block *b, ir_val x, ir_val y);
ir_val ir_sdiv(ir_block *b, ir_val x, ir_val y);
ir_val ir_and(ir_block *b, ir_val x, ir_val y);
ir_val ir_or(ir_block *b, ir_val x, ir_val y);
ir_val ir_xor(ir_block *b, ir_val x, ir_val y);
ir_val ir_not(ir_block *b, ir_val x);
ir_val ir_neg(ir_block *b, ir_val x);
/* Shifts and rotates: the amount (any integer type) is taken modulo the width of x. */
ir_val ir_shl(ir_block *b, ir_val x, ir_val amount);
ir_val ir_lshr(ir_block *b, ir_val x, ir_val amount);
ir_val ir_ashr(ir_block *b, ir_val x, ir_val amount);
ir_val ir_ror(ir_block *b, ir_val x, ir_val amount);
ir_val ir_clz(ir_block *b, ir_val x);      /* width when x == 0 */
ir_val ir_ctz(ir_block *b, ir_val x);      /* width when x == 0 */
ir_val ir_popcount(ir_block *b, ir_val x);
ir_val ir_bswap(ir_block *b, ir_val x);    /* I16, I32, I64 */
ir_val ir_bitreverse(ir_block *b, ir_val x);

/* IEEE 754 arithmetic on integer-typed values holding bit patterns: IR_I64 = binary64,
 * IR_I32 = binary32; both operands of one type. Host SSE2 semantics under the default
 * MXCSR (round to nearest even, no flush to zero, x86 default NaN): the front end uses
 * them only where that is provably what the guest computes, and must not rely on any
 * exception flag. Never folded at build time (the JIT's C code uses no FP). */
ir_val ir_fadd(ir_block *b, ir_val x, ir_val y);
ir_val ir_fsub(ir_block *b, ir_val x, ir_val y);
ir_val ir_fmul(ir_block *b, ir_val x, ir_val y);
ir_val ir_fdiv(ir_block *b, ir_val x, ir_val y);
/* Fused multiply-add a + x * y with a single rounding (same types and rules as above;
 * which NaN comes out of several NaN operands is unspecified). Only when
 * ir_host_has_fma(): the host executes it with VEX FMA, and the JIT's C code has no
 * software fallback. */
bool ir_host_has_fma(void);
ir_val ir_ffma(ir_block *b, ir_val a, ir_val x, ir_val y);

/* ---- width changes ------------------------------------------------------------------- */
ir_val ir_zext(ir_block *b, ir_type t, ir_val x);
ir_val ir_sext(ir_block *b, ir_type t, ir_val x);
ir_val ir_trunc(ir_block *b, ir_type t, ir_val x);
/* 128-bit helpers for vector registers */
ir_val ir_concat64(ir_block *b, ir_val hi, ir_val lo);   /* I128 from two I64 */
ir_val ir_hi64(ir_block *b, ir_val x128);

/* ---- comparisons (result IR_I1) and selection ---------------------------------------- */
typedef enum ir_cond {
    IR_EQ = 1, IR_NE, IR_ULT, IR_ULE, IR_UGT, IR_UGE, IR_SLT, IR_SLE, IR_SGT, IR_SGE,
} ir_cond;
ir_val ir_cmp(ir_block *b, ir_cond c, ir_val x, ir_val y);
ir_val ir_select(ir_block *b, ir_val cond_i1, ir_val if_true, ir_val if_false);

/* ---- flags of AArch64 AddWithCarry(x, y, carry_in) (all results IR_I1) ---------------
 * ADDS x,y == AddWithCarry(x, y, 0); SUBS x,y == AddWithCarry(x, ~y, 1). The backend
 * recognises these next to the matching add/sub and takes them from the x86 flags. */
ir_val ir_add_carry(ir_block *b, ir_val x, ir_val y, ir_val carry_in_i1);    /* C */
ir_val ir_add_overflow(ir_block *b, ir_val x, ir_val y, ir_val carry_in_i1); /* V */
ir_val ir_adc(ir_block *b, ir_val x, ir_val y, ir_val carry_in_i1);          /* x + y + c */

/* ---- guest memory ---------------------------------------------------------------------
 * Little-endian access of 1, 2, 4, 8 or 16 bytes (the type gives the size). A fault
 * leaves the guest state precise at the current instruction and exits the block with
 * IR_EXIT_DATA_ABORT. How a guest address becomes a host address is the backend's
 * memory model (hosted runner: base + bounds check; engine: the x86 page tables). */
ir_val ir_load(ir_block *b, ir_type t, ir_val guest_addr);
void   ir_store(ir_block *b, ir_val guest_addr, ir_val v);
/* With attributes: IR_MEM_UNPRIV accesses with EL0's permissions whatever the block's
 * exception level (LDTR/STTR); the flat memory model has no privilege and ignores it. */
enum { IR_MEM_UNPRIV = 1 };
ir_val ir_load_ex(ir_block *b, ir_type t, ir_val guest_addr, unsigned mem_flags);
/* Flags every memory access of the block gets besides its own (IR_MEM_UNPRIV for a
 * block that runs at EL0: its accesses have EL0's permissions). */
void   ir_block_set_mem_flags(ir_block *b, unsigned mem_flags);
void   ir_store_ex(ir_block *b, ir_val guest_addr, ir_val v, unsigned mem_flags);
/* Exclusive monitor (LDXR/STXR): store_exclusive returns I32 0 on success, 1 on failure */
ir_val ir_load_exclusive(ir_block *b, ir_type t, ir_val guest_addr);
ir_val ir_store_exclusive(ir_block *b, ir_val guest_addr, ir_val v);
void   ir_clear_exclusive(ir_block *b);
/* Leaves the block with IR_EXIT_ALIGNMENT, or IR_EXIT_ALIGNMENT_WRITE when the access it
 * guards is a store (the fault's syndrome says which), with the state precise at the
 * current instruction and info = the address, unless guest_addr is a multiple of bytes
 * (2, 4, 8 or 16): the accesses that the architecture requires to be aligned
 * (exclusives, acquire/release, atomics). */
void   ir_check_aligned(ir_block *b, ir_val guest_addr, unsigned bytes, bool write);
/* Leaves with IR_EXIT_SP_ALIGNMENT unless sp (the base register of an access) is 16-byte
 * aligned (AArch64 SP alignment checking). */
void   ir_check_sp_aligned(ir_block *b, ir_val sp);
void   ir_barrier(ir_block *b);

/* ---- helper calls: C functions `R fn(void *state, A0, A1, ...)` -----------------------
 * Up to 5 arguments after the state pointer, each I1..I64 or I128; an I128 argument is
 * passed as SysV passes unsigned __int128 (two consecutive integer registers, low
 * first) and counts as two of the 5. ret_type I1..I64 (in rax) or I128 (rax = low,
 * rdx = high); 0 means void (the result is 0 and must not be used). Guest registers are
 * written back before and reloaded after, so helpers may read and write the state. */
ir_val ir_call(ir_block *b, const void *fn, ir_type ret_type, unsigned nargs, const ir_val *args);
/* Like ir_call, for a helper that reads and writes only the state bytes
 * [touch_offset, touch_offset + touch_size) (FP helpers: FPCR and FPSR). Only cached
 * registers overlapping that range are written back (if dirty) before the call and
 * reloaded after it; every other cached register stays in its host register across the
 * call. touch_size 0: the helper touches no state at all and has no other effect, so
 * an unused result lets the call be deleted. Such a helper must return normally: it
 * must not fault, exit the block or longjmp, since the state outside its range is not
 * up to date during the call. */
ir_val ir_call_touching(ir_block *b, const void *fn, ir_type ret_type, unsigned nargs, const ir_val *args,
                        uint32_t touch_offset, uint32_t touch_size);

/* ---- control flow inside the block (forward only) ------------------------------------ */
ir_label ir_label_new(ir_block *b);
void     ir_label_bind(ir_block *b, ir_label l);
void     ir_br(ir_block *b, ir_label l);
void     ir_cbr(ir_block *b, ir_val cond_i1, ir_label if_true, ir_label if_false);

/* ---- leaving the block ----------------------------------------------------------------
 * Every path must end in an exit. A direct jump to a constant PC can be chained to the
 * translation of its target; an indirect one goes through the fast lookup. */
void ir_exit_direct(ir_block *b, uint64_t target_pc);
void ir_exit_indirect(ir_block *b, ir_val target_pc);
/* Stores pc into the state's PC and leaves with `kind` and `info`. */
void ir_exit_special(ir_block *b, ir_exit_kind kind, uint64_t pc, uint64_t info);
/* The same with an info value computed at run time (an I64). */
void ir_exit_special_value(ir_block *b, ir_exit_kind kind, uint64_t pc, ir_val info);

/* Byte offset of the program counter in the guest state; set once by the front end. */
void ir_set_pc_offset(ir_block *b, uint32_t state_offset);

#endif
