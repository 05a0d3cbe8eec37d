/* The AArch64 front end's description of its state struct for the trace recorder
 * (hypervisor/trace/trace_recorder.h): which bytes of struct a64_state belong to which
 * trace register id (include/ferry/trace_format.h), how to read a register's value,
 * and which registers a runtime may change between runs of guest code. */
#ifndef FERRY_ARCH_A64_TRACE_REGS_H
#define FERRY_ARCH_A64_TRACE_REGS_H

struct trace_recorder_arch;

/* A static descriptor (no state of its own: any number of recorders may share it). */
const struct trace_recorder_arch *a64_trace_arch(void);

#endif
