# The user-mode benchmark (not a test): CPU-bound C programs built natively (x86-64,
# gcc -O2) and for AArch64 (static, -O2); `make bench` runs bench/run.sh, which times
# each natively, under qemu-aarch64 and under `ferry user`, and writes the table to
# bench/results/latest.txt.

BENCH_DIR := $(BUILD)/bench
BENCH_NAMES := $(basename $(notdir $(wildcard bench/progs/*.c)))
BENCH_CFLAGS := -std=gnu17 -Wall -Wextra -Werror -O2
BENCH_NATIVE := $(BENCH_NAMES:%=$(BENCH_DIR)/native/%)
BENCH_AARCH64 := $(BENCH_NAMES:%=$(BENCH_DIR)/aarch64/%)
A64_CC ?= aarch64-linux-gnu-gcc

$(BENCH_DIR)/native/%: bench/progs/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(BENCH_CFLAGS) -o $@ $< -lm
$(BENCH_DIR)/aarch64/%: bench/progs/%.c
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) $(BENCH_CFLAGS) -static -o $@ $< -lm

.PHONY: bench bench-programs
bench-programs: $(BENCH_NATIVE) $(BENCH_AARCH64)
bench: bench-programs $(BUILD)/ferry
	$(Q)bench/run.sh $(BUILD)/ferry $(BENCH_DIR)
