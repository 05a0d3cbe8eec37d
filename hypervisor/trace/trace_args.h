/* Number and range arguments shared by `ferry trace` and the recording options of
 * `ferry user` and `ferry run`: decimal or 0x hex. */
#ifndef FERRY_TRACE_ARGS_H
#define FERRY_TRACE_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "hypervisor/trace/trace_recorder.h"

/* 0, or -1 for anything but a whole non-negative number that fits 64 bits. */
int trace_parse_u64(const char *s, uint64_t *out);
/* "A" or "A..B": the half-open range [A, B) (A alone is [A, A+1)). 0 or -1. */
int trace_parse_range(const char *s, uint64_t *lo, uint64_t *hi);

/* The recording options of `ferry user` and `ferry run` (docs/trace.md):
 *   --trace FILE, --trace-pc A[..B] (up to TRACE_RECORDER_MAX_PC_RANGES times),
 *   --trace-skip N, --trace-count M, --trace-el N, --trace-blocks.
 * Looks at argv[*i]: returns 0 when it is not one of them, 1 when it was taken (with
 * its value: *i is left on the last argument used), -1 with a message naming the
 * option or value at fault in err. *path receives --trace's file; o starts zeroed
 * with el = -1 (trace_options_init). */
void trace_options_init(struct trace_recorder_options *o);
int trace_option_parse(struct trace_recorder_options *o, const char **path, int argc, char **argv, int *i,
                       char *err, size_t err_size);
/* After parsing: -1 with a message when filter options came without --trace. */
int trace_options_check(const struct trace_recorder_options *o, const char *path, char *err, size_t err_size);

/* "ferry ARGV..." for a trace file's header (a static buffer; long lines are cut). */
const char *trace_command_line(int argc, char **argv);

/* The usage lines of those options, for --help texts. */
extern const char trace_options_usage[];

#endif
