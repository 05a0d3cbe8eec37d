/* Public interface of the AArch64 front end: the generated decoder, disassembler,
 * interpreter and translator (build/gen/aarch64/) plus the hand-written runtime in
 * this folder. Users (the user-mode runner, tests, later the engine) include only this
 * header and the generated state struct it pulls in. */
#ifndef FERRY_ARCH_A64_H
#define FERRY_ARCH_A64_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "aarch64/a64_state.h"   /* generated from the arch/aarch64 ADL files: struct a64_state */
#include "jit/ir/ir.h"
#include "jit/jit.h"

/* Resets the state: all registers zero, PC 0, NZCV clear, FPCR/FPSR zero. */
void a64_state_init(struct a64_state *s);

/* Register access for runtimes (syscall emulation, signal frames, tests) so they do
 * not depend on generated field names. n in 0..30; 31 reads as zero (XZR). */
uint64_t a64_get_x(const struct a64_state *s, unsigned n);
void     a64_set_x(struct a64_state *s, unsigned n, uint64_t v);
uint64_t a64_get_sp(const struct a64_state *s);
void     a64_set_sp(struct a64_state *s, uint64_t v);
uint64_t a64_get_pc(const struct a64_state *s);
void     a64_set_pc(struct a64_state *s, uint64_t v);
uint32_t a64_get_nzcv(const struct a64_state *s);            /* PSTATE layout: N=bit 31 */
void     a64_set_nzcv(struct a64_state *s, uint32_t nzcv);
uint64_t a64_get_tpidr_el0(const struct a64_state *s);
void     a64_set_tpidr_el0(struct a64_state *s, uint64_t v);
void     a64_get_v(const struct a64_state *s, unsigned n, uint64_t out[2]); /* lo, hi */
void     a64_set_v(struct a64_state *s, unsigned n, const uint64_t in[2]);
uint32_t a64_get_fpcr(const struct a64_state *s);
void     a64_set_fpcr(struct a64_state *s, uint32_t v);
uint32_t a64_get_fpsr(const struct a64_state *s);
void     a64_set_fpsr(struct a64_state *s, uint32_t v);

/* The JIT's modes word for a state (jit_config.modes; ctx unused), and back. */
uint64_t a64_modes_key(void *ctx, const void *state);
struct a64_modes a64_modes_of_key(uint64_t key);
/* The exception level a modes word runs at (jit_config.trace.el_of_modes). */
int a64_el_of_modes_key(uint64_t key);
/* jit_config.flags: N, Z, C, V. */
struct jit_flags a64_jit_flags(void);

/* jit_translate_fn for the JIT: ctx is a const struct jit_memory * (guest code is read
 * from it). Blocks never cross a 4 KiB guest page (so invalidation is per page). */
bool a64_translate_block(void *ctx, ir_block *b, uint64_t pc, uint64_t modes);

/* Runs the generated interpreter from s's PC until an exit other than IR_EXIT_JUMP or
 * until *insn_budget instructions have run (then returns IR_EXIT_JUMP with the state
 * precise). Same memory model and exit semantics as the JIT (see ir.h). */
ir_exit_kind a64_interp_run(struct a64_state *s, const struct jit_memory *m,
                            uint64_t *info, uint64_t *insn_budget);

/* jit_config.step for the JIT: runs the one instruction at the state's PC through the
 * interpreter; ctx is the const struct jit_memory * the JIT uses. */
int a64_step(void *ctx, void *state, uint64_t *info);

/* GNU objdump-style disassembly of one instruction ("add\tx0, x1, #0x10"); returns the
 * length written. Unallocated/undescribed: ".inst\t0x%08x ; undefined". */
int a64_disasm(uint32_t insn, uint64_t pc, char *buf, size_t size);
/* The system instructions only a system-mode guest may run (MRS/MSR of EL1 registers,
 * MSR immediate, DC/IC/AT/TLBI, ERET), or -1 for anything else (disasm_system.c). */
int a64_disasm_system(uint32_t insn, char *buf, size_t size);

/* For IR_EXIT_UNDEF reports: the encoding group of an instruction that is not (yet)
 * described, e.g. "AdvSIMD three same", and whether it is architecturally unallocated. */
const char *a64_encoding_group(uint32_t insn);

#endif
