/* Prototypes of the functions adlc generates from the arch/aarch64 ADL files into
 * build/gen/aarch64/ (see docs/adl.md), for the hand-written runtime in this folder,
 * and of the hand-written C helpers that the description declares `extern`. */
#ifndef FERRY_ARCH_A64_GEN_API_H
#define FERRY_ARCH_A64_GEN_API_H

#include <stddef.h>
#include <stdint.h>
#include "aarch64/a64_state.h"
#include "aarch64/a64_decode.h"
#include "jit/ir/ir.h"
#include "jit/jit.h"

int a64_disasm_insn(uint32_t insn, uint64_t pc, char *buf, size_t size);
int a64_interp_insn(struct a64_state *s, const struct jit_memory *m, uint32_t insn,
                    uint64_t *info);
int a64_translate_insn(ir_block *b, uint32_t insn, uint64_t pc, const struct a64_modes *modes);

/* `extern disasm` helpers (disasm_helpers.c). */
const char *a64_reg_name(uint32_t n, uint8_t is64, uint8_t sp);
const char *a64_cond_name(uint32_t cond);
const char *a64_shift_name(uint32_t type);
const char *a64_extend_name(uint32_t option);
const char *a64_addsub_name(uint32_t op_s);
const char *a64_logic_name(uint32_t opc_n);
const char *a64_dp3_name(uint32_t kind, uint8_t short_form);
const char *a64_dp2_name(uint32_t opcode);
const char *a64_dp1_name(uint8_t sf, uint32_t opcode);
const char *a64_crc_name(uint8_t c, uint32_t sz);
const char *a64_hint_name(uint32_t imm);
const char *a64_barrier_option(uint32_t crm);
const char *a64_sysreg_name(uint32_t reg);
const char *a64_sys_op_name(uint32_t op);

/* Run-time `extern` helpers. */
uint32_t a64_crc32(void *state, uint32_t acc, uint64_t value, uint32_t bytes, uint8_t castagnoli);

#endif
