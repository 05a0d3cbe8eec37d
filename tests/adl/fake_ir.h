/* Test double for jit/ir/ir.h (tests/adl/fake_ir.c): records IR as text and runs it. */
#ifndef TESTS_ADL_FAKE_IR_H
#define TESTS_ADL_FAKE_IR_H

#include <stdbool.h>
#include "jit/ir/ir.h"
#include "jit/jit.h"

const char *fake_ir_text(const ir_block *b);       /* one line per builder call */
const char *fake_ir_error(const ir_block *b);      /* first contract violation, or NULL */
bool fake_ir_terminated(const ir_block *b);        /* the last call was an exit or branch */
unsigned fake_ir_count(const ir_block *b, const char *op_prefix);
extern bool fake_ir_host_fma;                      /* what ir_host_has_fma() answers */
/* Runs the recorded block on `state` (PC at the ir_set_pc_offset offset): returns the
 * exit kind (IR_EXIT_JUMP for exit_direct/indirect), or -1 on a contract violation. */
int fake_ir_run(ir_block *b, void *state, const struct jit_memory *m, uint64_t *info);

#endif
