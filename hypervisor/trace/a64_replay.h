/* Reading replay-mode traces of AArch64 guests: runs a chunk's instructions again in the
 * generated interpreter, from the state the chunk starts with, taking each load's value
 * from the chunk instead of memory, and records what they do as a full trace
 * (trace_reader_set_replay takes this function). */
#ifndef FERRY_TRACE_A64_REPLAY_H
#define FERRY_TRACE_A64_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A trace_replay_fn (hypervisor/trace/trace_reader.h). The chunk's states are checked
 * against the instructions run again: where they differ (the recording's translated
 * code and the interpreter disagree) the call fails and says where. */
int a64_trace_replay_chunk(const uint8_t *chunk, size_t size, unsigned version, uint64_t first_seq, uint64_t end_seq,
                           bool physical, const char *out_path, char *err, size_t err_size);

#endif
