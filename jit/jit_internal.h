/* Introspection and tuning hooks of the IR and JIT that are not part of the public
 * interface: used by tests (tests/jit/), benchmarks and debugging tools. */
#ifndef FERRY_JIT_INTERNAL_H
#define FERRY_JIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "jit/ir/ir.h"
#include "jit/jit.h"

/* Builder: with optimise off every operation is emitted as written (no folding, no
 * register caching): a reference for differential tests of the optimiser. */
void ir_block_set_optimise(ir_block *b, bool on);
uint32_t ir_block_guest_insns(const ir_block *b);
/* true while the current position is reachable (the block is not yet closed) */
bool ir_block_open(const ir_block *b);
/* Runs dead code elimination (the builder already folded and cached registers). */
void ir_block_optimise(ir_block *b);
/* Operations that will produce code (not constants, markers or deleted ones). */
uint32_t ir_block_live_ops(const ir_block *b);
/* One line per operation, e.g. "v5 = add.i64 v3, #0x1"; returns the full length. */
size_t ir_dump(const ir_block *b, char *buf, size_t size);

/* The ir_block the jit used for its last translation (after its passes). */
const ir_block *jit_last_block(const jit *j);
/* Host code of the translation of pc (modes 0), or NULL. */
const void *jit_block_code(const jit *j, uint64_t pc, size_t *size);

#endif
