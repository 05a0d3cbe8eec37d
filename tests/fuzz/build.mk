# The differential fuzzer of `ferry user` against qemu-aarch64 (tools/fuzz/, described
# in docs/fuzzing.md). `make fuzz` is the long run (FUZZ_STREAMS, FUZZ_ELF, FUZZ_SYS,
# FUZZ_SEED, FUZZ_SAN_EVERY, FUZZ_MINIMISE tune it) and prints the summary table;
# test-fuzz-short (in `make test`) runs a fixed seed and a fresh one.

ifneq ($(ADLC),)

FUZZ_DIR    := $(BUILD)/tools/fuzz
FUZZ_TOOL   := $(FUZZ_DIR)/ferry-fuzz
FUZZ_A64_CC := aarch64-linux-gnu-gcc
FUZZ_LIBS   := $(BUILD)/arch/aarch64/libferry_a64.a $(DEVICES_LIB) $(JIT_LIB) $(SUPPORT_HOSTED_LIB)
FUZZ_SRCS   := tools/fuzz/fuzz.c tools/fuzz/insn.c tools/fuzz/elfmut.c tools/fuzz/sys.c \
               tests/aarch64/random_insns.c

$(FUZZ_TOOL): $(FUZZ_SRCS) tools/fuzz/fuzz.h $(FUZZ_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -o $@ $(FUZZ_SRCS) $(FUZZ_LIBS) -lm

# Guest programs: the instruction-stream harness (pages packed so that no gap lies
# between its segments), the syscall program, a tiny no-libc program for ELF mutants.
$(FUZZ_DIR)/harness: tools/fuzz/harness.S
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_A64_CC) -nostdlib -static -Wl,-z,max-page-size=4096 -o $@ $<
$(FUZZ_DIR)/sysprog: tools/fuzz/sysprog.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_A64_CC) -std=gnu17 -Wall -Wextra -Werror -O1 -static -o $@ $<
$(FUZZ_DIR)/tiny: tools/fuzz/tiny.S
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_A64_CC) -nostdlib -static -o $@ $<

# Real programs: words for the streams, and valid binaries to mutate.
FUZZ_SEED_PROGS := $(BUILD)/tests/user/progs/hello-O2 $(BUILD)/tests/user/progs/floats-O2 \
                   $(BUILD)/tests/user/progs/strings-O2 $(FUZZ_DIR)/tiny
FUZZ_DEPS := $(FUZZ_TOOL) $(FUZZ_DIR)/harness $(FUZZ_DIR)/sysprog $(FUZZ_SEED_PROGS) \
             $(BUILD)/ferry $(BUILD)/san/ferry
FUZZ_ARGS  = --ferry $(BUILD)/ferry --san $(BUILD)/san/ferry --harness $(FUZZ_DIR)/harness \
             --sysprog $(FUZZ_DIR)/sysprog --known tools/fuzz/known_differences.txt \
             $(foreach p,$(FUZZ_SEED_PROGS),--seed-elf $(p))

FUZZ_STREAMS   ?= 200000
FUZZ_ELF       ?= 1000
FUZZ_SYS       ?= 400
FUZZ_SAN_EVERY ?= 8
FUZZ_MINIMISE  ?= 20
FUZZ_SEED      ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')

.PHONY: fuzz test-fuzz-short
fuzz: $(FUZZ_DEPS)
	$(Q)$(FUZZ_TOOL) $(FUZZ_ARGS) --seed $(FUZZ_SEED) --streams $(FUZZ_STREAMS) \
	    --elf-mutants $(FUZZ_ELF) --sys-programs $(FUZZ_SYS) --san-every $(FUZZ_SAN_EVERY) \
	    --minimise $(FUZZ_MINIMISE) --report $(BUILD)/fuzz-report.txt all

# The short run: 2 x 10,000 streams, 2 x 120 ELF mutants, 2 x 40 syscall programs; the
# fixed seed and a fresh one (printed, so a failure can be replayed with
# `make fuzz FUZZ_SEED=...` or ferry-fuzz --seed), side by side. Details go to
# $(BUILD)/fuzz-short-SEED.txt (every failing case) and .log (the run's output).
test-fuzz-short: $(FUZZ_DEPS)
	$(Q)fresh=$(FUZZ_SEED); echo "fuzz-short: seeds 0x5eed and $$fresh"; \
	for seed in 0x5eed $$fresh; do \
	    ( $(FUZZ_TOOL) $(FUZZ_ARGS) --seed $$seed --streams 10000 --elf-mutants 120 \
	        --sys-programs 40 --san-every 10 --minimise 3 \
	        --report $(BUILD)/fuzz-short-$$seed.txt all > $(BUILD)/fuzz-short-$$seed.log 2>&1; \
	      echo $$? > $(BUILD)/fuzz-short-$$seed.rc ) & \
	done; wait; rc=0; \
	for seed in 0x5eed $$fresh; do \
	    sed -n '/^ferry-fuzz summary/,$$p' $(BUILD)/fuzz-short-$$seed.log; \
	    [ "$$(cat $(BUILD)/fuzz-short-$$seed.rc)" = 0 ] || rc=1; \
	done; \
	[ $$rc -eq 0 ] || echo "fuzz-short: failing cases; details in $(BUILD)/fuzz-short-<seed>.txt"; \
	exit $$rc

TESTS += fuzz-short

endif
