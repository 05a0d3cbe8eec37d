# Tests of the AArch64 load/store and FP/AdvSIMD descriptions (engineer B's part:
# arch/aarch64/loadstore.adl, fpsimd.adl, fp_helpers.c, disasm_fp_helpers.c):
#   a64-ls-disasm  decoder + disassembler vs aarch64-linux-gnu-objdump: directed
#                  operand combinations of every described form, and random words
#                  of the load/store and FP/SIMD encoding groups (uses the checker of
#                  tests/aarch64/, built by that fragment)
#   a64-ls-fp      FP helpers vs real AArch64 results (fp_reference under qemu-aarch64)
#                  and AdvSIMD lane helpers vs hand-computed values (cmocka, ASan+UBSan)
#   a64-ls-fp-user the same reference program run whole under `ferry user` (JIT, the
#                  FPCR/FPSR accesses included): output identical to qemu-aarch64's
#   a64-ls-fp-jit  random scalar/vector FP sequences (operands and FPCR/FPSR chosen to
#                  cross the helpers' fast-path boundaries): interpreter vs JIT
#   a64-ls-interp  address computation, write-back, extension, precise faults,
#                  exclusives, atomics, SIMD&FP loads through the interpreter (cmocka)

ifneq ($(ADLC),)

LST_DIR     := $(BUILD)/tests/aarch64-ls
LST_SAN_DIR := $(BUILD)/san/tests/aarch64-ls
LST_AS      := aarch64-linux-gnu-as -W -march=armv8.2-a+lse+rcpc
LST_OBJDUMP := aarch64-linux-gnu-objdump
LST_CHECK   := $(BUILD)/san/tests/aarch64/disasm_check
# Defined here, not taken from tests/aarch64/build.mk: fragment order is not ours to rely on.
LST_SAN_LIBS := $(BUILD)/san/arch/aarch64/libferry_a64.a $(DEVICES_SAN_LIB) $(JIT_SAN_LIB) $(SUPPORT_HOSTED_SAN_LIB)

# ---- disassembler vs objdump -----------------------------------------------------------

$(LST_DIR)/%.s: tests/aarch64-ls/gen_ls_cases.py
	@mkdir -p $(dir $@)
	$(Q)python3 tests/aarch64-ls/gen_ls_cases.py $* $@
$(LST_DIR)/%.objdump: $(LST_DIR)/%.s
	$(Q)$(LST_AS) -o $(LST_DIR)/$*.o $<
	$(Q)$(LST_OBJDUMP) -d $(LST_DIR)/$*.o > $@

.PHONY: test-a64-ls-disasm
test-a64-ls-disasm: $(LST_CHECK) $(LST_DIR)/directed.objdump $(LST_DIR)/random.objdump
	$(Q)$(LST_CHECK) $(LST_DIR)/directed.objdump
	$(Q)$(LST_CHECK) --skip tests/aarch64-ls/not_described.txt $(LST_DIR)/random.objdump

# ---- FP and AdvSIMD helpers ------------------------------------------------------------

$(LST_DIR)/fp_reference: tests/aarch64-ls/fp_reference.c
	@mkdir -p $(dir $@)
	$(Q)aarch64-linux-gnu-gcc -static -O1 -Wall -Wextra -Werror -o $@ $<
$(LST_DIR)/fp_reference.txt: $(LST_DIR)/fp_reference
	$(Q)qemu-aarch64 $< > $@.tmp && mv $@.tmp $@

$(LST_SAN_DIR)/test_fp_helpers: tests/aarch64-ls/test_fp_helpers.c arch/aarch64/fp_helpers.c \
                                | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ $^ $(SAN_LDFLAGS) -lcmocka

.PHONY: test-a64-ls-fp
test-a64-ls-fp: $(LST_SAN_DIR)/test_fp_helpers $(LST_DIR)/fp_reference.txt
	$(Q)$(LST_SAN_DIR)/test_fp_helpers $(LST_DIR)/fp_reference.txt

# Expected output: qemu-aarch64's (the reference file itself).
.PHONY: test-a64-ls-fp-user
test-a64-ls-fp-user: $(BUILD)/ferry $(LST_DIR)/fp_reference $(LST_DIR)/fp_reference.txt
	$(Q)$(BUILD)/ferry user $(LST_DIR)/fp_reference > $(LST_DIR)/fp_reference.ferry.txt
	$(Q)cmp $(LST_DIR)/fp_reference.ferry.txt $(LST_DIR)/fp_reference.txt
	@echo "fp_reference under ferry user: $$(wc -l < $(LST_DIR)/fp_reference.txt) lines identical to qemu-aarch64"

$(LST_SAN_DIR)/test_fp_jit_diff: tests/aarch64-ls/test_fp_jit_diff.c $(LST_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64-ls/test_fp_jit_diff.c \
	    $(LST_SAN_LIBS) $(SAN_LDFLAGS)

.PHONY: test-a64-ls-fp-jit
test-a64-ls-fp-jit: $(LST_SAN_DIR)/test_fp_jit_diff
	$(Q)$<

# ---- interpreter -----------------------------------------------------------------------

$(LST_SAN_DIR)/test_ls_interp: tests/aarch64-ls/test_ls_interp.c $(LST_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64-ls/test_ls_interp.c \
	    $(LST_SAN_LIBS) $(SAN_LDFLAGS) -lcmocka

.PHONY: test-a64-ls-interp
test-a64-ls-interp: $(LST_SAN_DIR)/test_ls_interp
	$(Q)$<

TESTS += a64-ls-disasm a64-ls-fp a64-ls-fp-user a64-ls-fp-jit a64-ls-interp

endif
