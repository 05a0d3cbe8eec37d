# The mechanism benchmark (bench/mechanisms/): one bare-metal guest on the runtime of
# tests/baremetal/lib that performs one mechanism N times, chosen by its bootargs.
#   bench-mechanisms             the table: bench/mechanisms.sh (not a test; RUNS=3)
#   test-bench-mechanisms-smoke  every mechanism with a small N under ferry (JIT,
#                                interpreter, sanitizer build) and QEMU: the check
#                                lines must be "ok" and identical
# Read after tests/baremetal/build.mk (the Makefile's FRAGMENTS order): BM_* are its.

MECH_DIR := $(BUILD)/bench/mechanisms
MECH_ELF := $(MECH_DIR)/mechanisms.elf
MECH_OBJS := $(MECH_DIR)/mechanisms.c.o $(MECH_DIR)/code.S.o

$(MECH_DIR)/%.c.o: bench/mechanisms/%.c tests/baremetal/lib/rt.h
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -MMD -MP -c -o $@ $<
$(MECH_DIR)/%.S.o: bench/mechanisms/%.S
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -MMD -MP -c -o $@ $<
$(MECH_ELF): $(MECH_OBJS) $(BM_LIB_OBJS) tests/baremetal/lib/link.ld
	$(Q)$(BM_CC) $(BM_CFLAGS) $(BM_LDFLAGS) -o $@ $(MECH_OBJS) $(BM_LIB_OBJS) -lgcc

.PHONY: bench-mechanisms test-bench-mechanisms-smoke
bench-mechanisms: $(MECH_ELF) $(BUILD)/ferry
	$(Q)bench/mechanisms.sh $(BUILD)

test-bench-mechanisms-smoke: $(MECH_ELF) $(BUILD)/ferry $(BUILD)/san/ferry
	$(Q)bench/mechanisms.sh --smoke $(BUILD)

TESTS += bench-mechanisms-smoke
