/* Run mode with --trace: the engine's side of instruction tracing. Translated code, the
 * interpreter and the CPU's hooks append trace items to a buffer in engine memory, the
 * run loop adds the runner events (jit/jit_trace.h), and full buffers go to the host's
 * recorder (FERRY_HC_TRACE), which checks, filters, compresses and writes them. */
#ifndef ENGINE_GUEST_TRACE_H
#define ENGINE_GUEST_TRACE_H

#include <stdbool.h>
#include "arch/aarch64/virt_machine.h"

struct guest_trace;

/* Starts tracing the machine's CPU (full: every instruction, else block entries): the
 * CPU's hooks now, the JIT configuration for virt_machine_start_jit. */
struct guest_trace *guest_trace_start(struct virt_machine *m, bool full, struct jit_config *cfg);
/* The run loop's hooks (virt_machine_home.before_run / after_run). */
void guest_trace_before_run(struct guest_trace *t, struct virt_machine *m);
/* -1 to go on; 1 when the trace cannot be written (the host printed why). When the
 * recording window is past, finishes the trace and stops tracing (t is then done). */
int guest_trace_after_run(struct guest_trace *t, struct virt_machine *m, ir_exit_kind kind);
/* The end of the run: the last batch, and the host finishes the file. 0, or -1 when it
 * could not be written. */
int guest_trace_finish(struct guest_trace *t, struct virt_machine *m);
bool guest_trace_active(const struct guest_trace *t);

#endif
