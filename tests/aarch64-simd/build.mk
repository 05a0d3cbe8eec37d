# Tests of the AdvSIMD specialisations (arch/aarch64/simd_fast.adl, simd_fast_helpers.c):
#   a64-simd-disasm  every specialised encoding disassembles exactly as
#                    aarch64-linux-gnu-objdump prints it (the checker of tests/aarch64/)
#   a64-simd-fast    every specialised encoding decodes to its specialised instruction
#                    and, through the interpreter and the JIT, gives the generic lane
#                    helper's result on random vectors; the SWAR helpers against the
#                    generic helpers directly (cmocka, ASan + UBSan)

ifneq ($(ADLC),)

A64S_DIR      := $(BUILD)/tests/aarch64-simd
A64S_SAN_DIR  := $(BUILD)/san/tests/aarch64-simd
A64S_CHECK    := $(BUILD)/san/tests/aarch64/disasm_check
# Defined here, not taken from tests/aarch64/build.mk: fragment order is not ours to rely on.
A64S_SAN_LIBS := $(BUILD)/san/arch/aarch64/libferry_a64.a $(DEVICES_SAN_LIB) $(JIT_SAN_LIB) $(SUPPORT_HOSTED_SAN_LIB)

$(A64S_DIR)/cases.s: tests/aarch64-simd/gen_simd_cases.py
	@mkdir -p $(dir $@)
	$(Q)python3 tests/aarch64-simd/gen_simd_cases.py $@
$(A64S_DIR)/cases.objdump: $(A64S_DIR)/cases.s
	$(Q)aarch64-linux-gnu-as -o $(A64S_DIR)/cases.o $<
	$(Q)aarch64-linux-gnu-objdump -d $(A64S_DIR)/cases.o > $@

.PHONY: test-a64-simd-disasm
test-a64-simd-disasm: $(A64S_CHECK) $(A64S_DIR)/cases.objdump
	$(Q)$(A64S_CHECK) $(A64S_DIR)/cases.objdump

$(A64S_SAN_DIR)/test_simd_fast: tests/aarch64-simd/test_simd_fast.c $(A64S_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64-simd/test_simd_fast.c \
	    $(A64S_SAN_LIBS) $(SAN_LDFLAGS) -lcmocka

.PHONY: test-a64-simd-fast
test-a64-simd-fast: $(A64S_SAN_DIR)/test_simd_fast
	$(Q)$<

TESTS += a64-simd-disasm a64-simd-fast

endif
