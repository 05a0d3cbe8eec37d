/* `ferry user --trace`: the run loop's side of instruction tracing (user_trace.c). */
#ifndef FERRY_USER_TRACE_H
#define FERRY_USER_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/aarch64/a64.h"
#include "hypervisor/trace/trace_recorder.h"
#include "jit/jit.h"

/* Opens the trace file (a message on stderr and -1 on error). */
int user_trace_open(const char *path, const struct trace_recorder_options *options);
/* Tracing is on in this process (not a forked child). */
bool user_trace_active(void);
/* The item buffer for the interpreter's jit_memory.trace (NULL: no tracing). */
struct jit_trace_buf *user_trace_buffer(void);
/* Sets the JIT's trace configuration (no change without tracing). */
void user_trace_configure_jit(struct jit_config *cfg);

/* Before every run of guest code. */
void user_trace_resume(const struct a64_state *s);
/* After a run returned with kind and info (page_mapped: a data abort's page exists). */
void user_trace_exit(const struct a64_state *s, ir_exit_kind kind, uint64_t info, bool page_mapped);
/* The instruction window (--trace-skip/--trace-count) is past: nothing more will be
 * recorded, so the file can be finished and the instrumentation dropped. */
bool user_trace_window_done(void);
/* After a host fault left the run (state precise at the faulting instruction). */
void user_trace_host_fault(const struct a64_state *s, uint64_t addr, bool page_mapped, bool is_write);

/* Finishes the file (exit, fatal signal, execve). 0, or -1 with a message on stderr.
 * Later calls do nothing. */
int user_trace_close(void);
/* user_trace_close for the process hooks (messages on stderr, no status). */
void user_trace_end(void);
/* In a forked child: stop tracing without touching the parent's file. */
void user_trace_forked_child(void);

#endif
