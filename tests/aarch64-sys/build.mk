# System-mode tests of the AArch64 CPU runtime with the JIT: random streams at EL1 and
# EL0 with the MMU on, the JIT (system memory model) against the interpreter; and the
# translations' life (keyed by physical address) across TLB maintenance and stores.

A64SYS_SAN_DIR := $(BUILD)/san/tests/aarch64-sys

$(A64SYS_SAN_DIR)/test_sys_jit_diff: tests/aarch64-sys/test_sys_jit_diff.c tests/aarch64/random_insns.c \
                                     $(FERRY_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64-sys/test_sys_jit_diff.c \
	    tests/aarch64/random_insns.c $(FERRY_SAN_LIBS) $(SAN_LDFLAGS)

# A fixed seed and a fresh one (printed, to reproduce a failure): 100,000 streams in all.
.PHONY: test-a64-sys-jit-diff
test-a64-sys-jit-diff: $(A64SYS_SAN_DIR)/test_sys_jit_diff
	$(Q)$< 50000 1
	$(Q)seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); echo "fresh seed $$seed"; $< 50000 $$seed

$(A64SYS_SAN_DIR)/test_sys_translations: tests/aarch64-sys/test_sys_translations.c $(FERRY_SAN_LIBS) \
                                         | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64-sys/test_sys_translations.c \
	    $(FERRY_SAN_LIBS) $(SAN_LDFLAGS)

.PHONY: test-a64-sys-translations
test-a64-sys-translations: $(A64SYS_SAN_DIR)/test_sys_translations
	$(Q)$<

TESTS += a64-sys-jit-diff a64-sys-translations
