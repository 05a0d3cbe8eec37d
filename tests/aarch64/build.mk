# Tests of the AArch64 front end (integer, branch and system description + runtime):
# decoder/disassembler against aarch64-linux-gnu-objdump (directed encodings, random
# words of the covered groups, a whole static glibc program), interpreter semantics
# against C references (cmocka, ASan + UBSan), the hand-written runtime, random
# sequences through the interpreter and qemu-aarch64, and through the interpreter and
# the JIT.

ifneq ($(ADLC),)

A64T_DIR     := $(BUILD)/tests/aarch64
A64T_SAN_DIR := $(BUILD)/san/tests/aarch64
A64T_AS      := aarch64-linux-gnu-as
A64T_OBJDUMP := aarch64-linux-gnu-objdump
A64T_SAN_LIBS := $(BUILD)/san/arch/aarch64/libferry_a64.a $(DEVICES_SAN_LIB) $(JIT_SAN_LIB) $(SUPPORT_HOSTED_SAN_LIB)

# ---- disassembler vs objdump -----------------------------------------------------------

$(A64T_DIR)/%.s: tests/aarch64/gen_disasm_cases.py
	@mkdir -p $(dir $@)
	$(Q)python3 tests/aarch64/gen_disasm_cases.py $* $@
$(A64T_DIR)/%.objdump: $(A64T_DIR)/%.s
	$(Q)$(A64T_AS) -o $(A64T_DIR)/$*.o $<
	$(Q)$(A64T_OBJDUMP) -d $(A64T_DIR)/$*.o > $@

$(A64T_SAN_DIR)/disasm_check: tests/aarch64/disasm_check.c \
                              $(A64T_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64/disasm_check.c \
	    $(A64T_SAN_LIBS) $(SAN_LDFLAGS)

.PHONY: test-a64-disasm
test-a64-disasm: $(A64T_SAN_DIR)/disasm_check $(A64T_DIR)/directed.objdump $(A64T_DIR)/random.objdump
	$(Q)$(A64T_SAN_DIR)/disasm_check --skip tests/aarch64/not_described.txt $(A64T_DIR)/directed.objdump
	$(Q)$(A64T_SAN_DIR)/disasm_check --skip tests/aarch64/not_described.txt $(A64T_DIR)/random.objdump

# The whole of a static glibc program (every instruction of the full description,
# engineer B's load/store and FP/SIMD included; SVE/MTE ifunc variants excepted).
A64T_CC := aarch64-linux-gnu-gcc
$(A64T_DIR)/glibc_sample: tests/aarch64/glibc_sample.c
	@mkdir -p $(dir $@)
	$(Q)$(A64T_CC) -O2 -static -o $@ $<
$(A64T_DIR)/glibc_sample.objdump: $(A64T_DIR)/glibc_sample
	$(Q)$(A64T_OBJDUMP) -d $< > $@

.PHONY: test-a64-disasm-glibc
test-a64-disasm-glibc: $(A64T_SAN_DIR)/disasm_check $(A64T_DIR)/glibc_sample.objdump
	$(Q)$(A64T_SAN_DIR)/disasm_check --skip tests/aarch64/not_in_base_isa.txt $(A64T_DIR)/glibc_sample.objdump

# ---- interpreter semantics -------------------------------------------------------------

$(A64T_SAN_DIR)/test_interp: tests/aarch64/test_interp.c \
                             $(A64T_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64/test_interp.c \
	    $(A64T_SAN_LIBS) $(SAN_LDFLAGS) -lcmocka -lz

.PHONY: test-a64-interp
test-a64-interp: $(A64T_SAN_DIR)/test_interp
	$(Q)$<

# ---- hand-written runtime: block formation, encoding groups, accessors ----------------

$(A64T_SAN_DIR)/test_runtime: tests/aarch64/test_runtime.c \
                              $(A64T_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64/test_runtime.c \
	    $(A64T_SAN_LIBS) $(SAN_LDFLAGS) -lcmocka

.PHONY: test-a64-runtime
test-a64-runtime: $(A64T_SAN_DIR)/test_runtime
	$(Q)$<

# ---- interpreter vs qemu-aarch64 -------------------------------------------------------
# The description's semantics against an independent implementation: the same random
# sequences through the generated interpreter and through QEMU (see qemu_diff.c).

A64T_QEMU_CASES := 1500
A64T_QEMU_SEED  := 0xa64

$(A64T_SAN_DIR)/qemu_diff: tests/aarch64/qemu_diff.c tests/aarch64/random_insns.c \
                           $(A64T_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64/qemu_diff.c \
	    tests/aarch64/random_insns.c $(A64T_SAN_LIBS) $(SAN_LDFLAGS)

$(A64T_DIR)/qemu_cases: $(A64T_SAN_DIR)/qemu_diff
	@mkdir -p $(dir $@)
	$(Q)$< gen $(A64T_QEMU_CASES) $(A64T_QEMU_SEED) $@.S
	$(Q)$(A64T_CC) -nostdlib -static -o $@ $@.S

.PHONY: test-a64-qemu-diff
test-a64-qemu-diff: $(A64T_SAN_DIR)/qemu_diff $(A64T_DIR)/qemu_cases
	$(Q)qemu-aarch64 $(A64T_DIR)/qemu_cases > $(A64T_DIR)/qemu_cases.out
	$(Q)$< check $(A64T_QEMU_CASES) $(A64T_QEMU_SEED) $(A64T_DIR)/qemu_cases.out

TESTS += a64-disasm a64-disasm-glibc a64-interp a64-runtime a64-qemu-diff

# ---- interpreter vs JIT ----------------------------------------------------------------

ifneq ($(wildcard jit/x86_64/build.mk),)
$(A64T_SAN_DIR)/test_jit_diff: tests/aarch64/test_jit_diff.c tests/aarch64/random_insns.c \
                               $(FERRY_SAN_LIBS) | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/aarch64/test_jit_diff.c \
	    tests/aarch64/random_insns.c $(FERRY_SAN_LIBS) $(SAN_LDFLAGS)

.PHONY: test-a64-jit-diff
test-a64-jit-diff: $(A64T_SAN_DIR)/test_jit_diff
	$(Q)$< 10000 0x5eed
	$(Q)$< 10000 0x77 8
	$(Q)$< 5000 0x100b 6 loops
	$(Q)$< 1000 0x200b 40 loops

TESTS += a64-jit-diff
endif

endif
