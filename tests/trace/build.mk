# Instruction traces: the link flags of hypervisor/trace/, the QEMU plugin, the writer
# benchmark, and the tests. `make test-trace`: the writer/reader unit tests and the
# recorder's (hand-built item buffers through trace_recorder.c with the AArch64 register
# map), each plain and ASan/UBSan, the recorder's also under ThreadSanitizer (its thread);
# a few thousand fuzzed files under ASan/UBSan; the ferry trace CLI (show filters, stats,
# diff, errors, pipes; plain and ASan/UBSan ferry);
# the QEMU plugin on a loop of known length; and recording with `ferry user --trace`
# (tests/trace/record.sh: the JIT's traces equal the interpreter's on the user corpus and
# the regression programs, block mode, each filter, the count against the QEMU plugin,
# the recording errors) and with `ferry run --hosted --trace` (tests/trace/record-system.sh:
# the JIT's traces equal the interpreter's on the bare-metal tests).
# `build/tests/trace/test_recorder bench DIR [N]`: the recorder's CPU time per record.
# `make fuzz-trace-reader [FUZZ_ITERS=N FUZZ_SEED=S]`: a longer fuzzing run.
include hypervisor/trace/build.mk
include tools/qemu-trace-plugin/build.mk

TRACE_TEST_DIR := $(BUILD)/tests/trace
TRACE_LIB_OBJS := $(BUILD)/hypervisor/trace/trace_writer.o $(BUILD)/hypervisor/trace/trace_reader.o \
                  $(BUILD)/hypervisor/trace/trace_buffers.o $(BUILD)/hypervisor/huge_pages.o
TRACE_LIB_SAN_OBJS := $(TRACE_LIB_OBJS:$(BUILD)/%=$(BUILD)/san/%)
TRACE_TEST_DEPS := tools/trace-bench/synth.h hypervisor/trace/trace_writer.h \
                   hypervisor/trace/trace_reader.h hypervisor/trace/trace_codec.h hypervisor/trace/trace_buffers.h \
                   include/ferry/trace_format.h tests/trace/check.h

$(TRACE_TEST_DIR)/test_trace: tests/trace/test_trace.c $(TRACE_LIB_OBJS) $(TRACE_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(TRACE_LIB_OBJS) $(TRACE_LDLIBS) -lz
$(TRACE_TEST_DIR)/test_trace_san: tests/trace/test_trace.c $(TRACE_LIB_SAN_OBJS) $(TRACE_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $< $(TRACE_LIB_SAN_OBJS) $(TRACE_LDLIBS) -lz

# The recorder's test links the recorder and the AArch64 register map objects only (not
# libferry_a64.a: the map needs nothing else from the front end).
TRACE_REC_OBJS := $(BUILD)/hypervisor/trace/trace_recorder.o $(BUILD)/arch/aarch64/trace_regs.o
TRACE_REC_SAN_OBJS := $(TRACE_REC_OBJS:$(BUILD)/%=$(BUILD)/san/%)
TRACE_REC_DEPS := hypervisor/trace/trace_recorder.h arch/aarch64/trace_regs.h jit/jit_trace.h

$(TRACE_TEST_DIR)/test_recorder: tests/trace/test_recorder.c $(TRACE_REC_OBJS) $(TRACE_LIB_OBJS) \
                                 $(TRACE_TEST_DEPS) $(TRACE_REC_DEPS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(TRACE_REC_OBJS) $(TRACE_LIB_OBJS) $(TRACE_LDLIBS) -lz
# The recorder hands full item buffers to a thread of its own: ThreadSanitizer checks the
# handoffs (the recorder test's tiny buffers make thousands of them).
$(TRACE_TEST_DIR)/test_recorder_tsan: tests/trace/test_recorder.c hypervisor/trace/trace_recorder.c \
                                      hypervisor/trace/trace_writer.c hypervisor/trace/trace_reader.c \
                                      hypervisor/trace/trace_buffers.c hypervisor/huge_pages.c \
                                      arch/aarch64/trace_regs.c $(TRACE_TEST_DEPS) $(TRACE_REC_DEPS) \
                                      | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(COMMON_WARN) -O1 -g $(INCLUDES) -D_GNU_SOURCE -fsanitize=thread -o $@ $(filter %.c,$^) \
	    $(TRACE_LDLIBS) -lz
$(TRACE_TEST_DIR)/test_recorder_san: tests/trace/test_recorder.c $(TRACE_REC_SAN_OBJS) $(TRACE_LIB_SAN_OBJS) \
                                     $(TRACE_TEST_DEPS) $(TRACE_REC_DEPS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $< $(TRACE_REC_SAN_OBJS) $(TRACE_LIB_SAN_OBJS) \
	    $(TRACE_LDLIBS) -lz

# Replay traces read back: the recorder, the reader and the replay, which runs the
# AArch64 interpreter (libferry_a64.a and the hosted support functions it calls).
TRACE_REPLAY_OBJS := $(BUILD)/hypervisor/trace/a64_replay.o $(BUILD)/hypervisor/support_hosted.o
TRACE_REPLAY_LIBS := $(BUILD)/arch/aarch64/libferry_a64.a
$(TRACE_TEST_DIR)/test_replay: tests/trace/test_replay.c $(TRACE_REPLAY_OBJS) $(TRACE_REC_OBJS) $(TRACE_LIB_OBJS) \
                               $(TRACE_REPLAY_LIBS) $(TRACE_TEST_DEPS) $(TRACE_REC_DEPS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(TRACE_REPLAY_OBJS) $(TRACE_REC_OBJS) $(TRACE_LIB_OBJS) \
	    $(TRACE_REPLAY_LIBS) $(TRACE_LDLIBS) -lz -lm
$(TRACE_TEST_DIR)/test_replay_san: tests/trace/test_replay.c $(TRACE_REPLAY_OBJS:$(BUILD)/%=$(BUILD)/san/%) \
                                   $(TRACE_REC_SAN_OBJS) $(TRACE_LIB_SAN_OBJS) $(TRACE_REPLAY_LIBS:$(BUILD)/%=$(BUILD)/san/%) \
                                   $(TRACE_TEST_DEPS) $(TRACE_REC_DEPS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $< $(TRACE_REPLAY_OBJS:$(BUILD)/%=$(BUILD)/san/%) \
	    $(TRACE_REC_SAN_OBJS) $(TRACE_LIB_SAN_OBJS) $(TRACE_REPLAY_LIBS:$(BUILD)/%=$(BUILD)/san/%) $(TRACE_LDLIBS) -lz -lm

# The writer benchmark (bench/trace-writer.sh runs it).
TRACE_BENCH := $(BUILD)/tools/trace_bench
$(TRACE_BENCH): tools/trace-bench/trace_bench.c $(TRACE_LIB_OBJS) $(TRACE_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(TRACE_LIB_OBJS) $(TRACE_LDLIBS) -lz

# Static AArch64 test programs (need the cross binutils; without them no file, and the
# scripts skip): loop.elf, of known length, for the plugin test; hang.elf, which never
# ends, for the recordings stopped by a signal (interrupt.sh); and their bare-metal
# counterparts sysloop.elf and sysspin.elf, linked into the virt board's RAM.
TRACE_USER_ELFS := $(TRACE_TEST_DIR)/loop.elf $(TRACE_TEST_DIR)/hang.elf
TRACE_BM_ELFS   := $(TRACE_TEST_DIR)/sysloop.elf $(TRACE_TEST_DIR)/sysspin.elf
$(TRACE_USER_ELFS): TRACE_ELF_LDFLAGS := -static
$(TRACE_BM_ELFS): TRACE_ELF_LDFLAGS := -Ttext=0x40080000
$(TRACE_USER_ELFS) $(TRACE_BM_ELFS): $(TRACE_TEST_DIR)/%.elf: tests/trace/%.S
	@mkdir -p $(dir $@)
	$(Q)if command -v aarch64-linux-gnu-as >/dev/null; then \
	    aarch64-linux-gnu-as -o $@.o $< && aarch64-linux-gnu-ld $(TRACE_ELF_LDFLAGS) -e _start -o $@ $@.o; \
	else rm -f $@; fi

FUZZ_ITERS ?= 200000
FUZZ_SEED ?= 0
# The recording benchmark (bench/trace-record.sh): untraced, full and block-mode runs of
# bench/'s programs under ferry user and, at EL0 under the minikernel, ferry run --hosted.
trace-record-bench: bench-programs $(MK_ELFS) $(BUILD)/ferry
	$(Q)bench/trace-record.sh $(BUILD)
.PHONY: test-trace fuzz-trace-reader trace-bench trace-record-bench
# The user corpus and regression programs come from tests/user/build.mk, read after this
# fragment: their lists are expanded a second time, when the rule runs.
.SECONDEXPANSION:
test-trace: $$(USER_PROGS) $$(USER_REGRESS) $(BM_ELFS) $(TRACE_TEST_DIR)/test_trace $(TRACE_TEST_DIR)/test_trace_san \
            $(TRACE_TEST_DIR)/test_recorder $(TRACE_TEST_DIR)/test_recorder_san \
            $(TRACE_TEST_DIR)/test_recorder_tsan $(TRACE_TEST_DIR)/test_replay $(TRACE_TEST_DIR)/test_replay_san \
            $(BUILD)/ferry $(BUILD)/san/ferry $(QEMU_TRACE_PLUGIN) $(TRACE_USER_ELFS) $(TRACE_BM_ELFS)
	$(Q)$(TRACE_TEST_DIR)/test_trace unit $(TRACE_TEST_DIR)/unit
	$(Q)$(TRACE_TEST_DIR)/test_trace_san unit $(TRACE_TEST_DIR)/unit-san
	$(Q)$(TRACE_TEST_DIR)/test_recorder unit $(TRACE_TEST_DIR)/recorder
	$(Q)$(TRACE_TEST_DIR)/test_recorder_san unit $(TRACE_TEST_DIR)/recorder-san
	$(Q)$(TRACE_TEST_DIR)/test_recorder_tsan unit $(TRACE_TEST_DIR)/recorder-tsan
	$(Q)$(TRACE_TEST_DIR)/test_trace_san fuzz $(TRACE_TEST_DIR)/fuzz 3000 $$(date +%s)
	$(Q)$(TRACE_TEST_DIR)/test_replay $(TRACE_TEST_DIR)/replay 2000
	$(Q)$(TRACE_TEST_DIR)/test_replay_san $(TRACE_TEST_DIR)/replay-san 2000
	$(Q)tests/trace/cli.sh $(BUILD)/ferry $(TRACE_TEST_DIR)/test_trace $(TRACE_TEST_DIR)/cli
	$(Q)tests/trace/cli.sh $(BUILD)/san/ferry $(TRACE_TEST_DIR)/test_trace $(TRACE_TEST_DIR)/cli-san
	$(Q)tests/trace/qemu.sh $(BUILD)/ferry $(QEMU_TRACE_PLUGIN) $(TRACE_TEST_DIR)/loop.elf \
	    $(TRACE_TEST_DIR)/sysloop.elf $(TRACE_TEST_DIR)/qemu $(BM_DIR)/exceptions.elf
	$(Q)tests/trace/record.sh $(BUILD)/ferry $(BUILD)/tests/user/progs tests/user/progs \
	    $(BUILD)/tests/user/regress $(TRACE_TEST_DIR)/loop.elf $(QEMU_TRACE_PLUGIN) $(TRACE_TEST_DIR)/record
	$(Q)tests/trace/record-system.sh $(BUILD)/ferry $(BM_DIR) tests/baremetal $(TRACE_TEST_DIR)/record-system
	$(Q)tests/trace/interrupt.sh $(BUILD)/ferry $(TRACE_TEST_DIR)/hang.elf $(TRACE_TEST_DIR)/sysspin.elf \
	    $(TRACE_TEST_DIR)/interrupt

# The same recording checks in the engine under KVM (skipped without /dev/kvm).
.PHONY: test-trace-engine
test-trace-engine: $(BUILD)/ferry $(BUILD)/engine.elf $(BM_ELFS)
	$(Q)tests/trace/record-system.sh $(BUILD)/ferry $(BM_DIR) tests/baremetal $(TRACE_TEST_DIR)/record-engine --kvm
TESTS += trace-engine
fuzz-trace-reader: $(TRACE_TEST_DIR)/test_trace_san
	$(Q)$(TRACE_TEST_DIR)/test_trace_san fuzz $(TRACE_TEST_DIR)/fuzz-long $(FUZZ_ITERS) $(FUZZ_SEED)
trace-bench: $(TRACE_BENCH) $(QEMU_TRACE_PLUGIN) bench-programs
	$(Q)bench/trace-writer.sh $(TRACE_BENCH) $(QEMU_TRACE_PLUGIN) $(BUILD)/bench/aarch64

TESTS += trace
