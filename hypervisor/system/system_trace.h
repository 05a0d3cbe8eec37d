/* `ferry run --trace`: the system emulator's side of instruction tracing (hosted; the
 * engine has its own, engine/guest_trace.c, and its host side only opens the recorder). The
 * run loop reports every run of guest code and every exit; the CPU reports every
 * exception it takes (synchronous ones on the instruction that took them, interrupts on
 * the last instruction before them). */
#ifndef FERRY_SYSTEM_TRACE_H
#define FERRY_SYSTEM_TRACE_H

#include "arch/aarch64/cpu_system.h"
#include "hypervisor/trace/trace_recorder.h"
#include "jit/jit.h"

/* Opens the trace file for a system-mode guest (physical PCs), with buffer_words words
 * of item buffer (0: the default). NULL with a message on stderr on error. The engine's
 * home uses this alone: the engine hooks its CPU itself. */
struct trace_recorder *system_trace_open_recorder(const char *path, const struct trace_recorder_options *options,
                                                  size_t buffer_words);
/* Opens the trace file and hooks the CPU (its interpreter memory and exception entry).
 * NULL with a message on stderr on error. Call before the JIT is created. */
struct trace_recorder *system_trace_open(const char *path, const struct trace_recorder_options *options,
                                         struct a64_cpu *cpu);
/* Sets the JIT's trace configuration. */
void system_trace_configure_jit(struct trace_recorder *rec, struct jit_config *cfg);
/* Before every run of guest code. */
void system_trace_resume(struct trace_recorder *rec, const struct a64_cpu *cpu);
/* After a run returned with kind (before the CPU handles the exit). -1 with a message
 * on stderr when the trace cannot be written (the run must stop). */
int system_trace_exit(struct trace_recorder *rec, const struct a64_cpu *cpu, ir_exit_kind kind);
/* After a write error (the message is out): unhooks the CPU and stops without an end
 * record, so the file reads as truncated (--recover). */
void system_trace_abort(struct trace_recorder *rec, struct a64_cpu *cpu);
/* Finishes the file and unhooks the CPU (and the JIT, when given: its translations
 * lose their instrumentation). 0, or -1 with a message on stderr. */
int system_trace_close(struct trace_recorder *rec, struct a64_cpu *cpu, jit *j);

#endif
