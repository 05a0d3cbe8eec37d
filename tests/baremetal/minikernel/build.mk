# The EL0 benchmark kernel: one image per bench/progs program, the program's static
# AArch64 build embedded (user_blob.S). Not a test; run-bench.sh times them.
MK_DIR   := $(BUILD)/tests/baremetal/minikernel
MK_ELFS  := $(BENCH_NAMES:%=$(MK_DIR)/%.elf)

$(MK_DIR)/minikernel.o: tests/baremetal/minikernel/minikernel.c tests/baremetal/lib/rt.h
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -MMD -MP -c -o $@ $<
$(MK_DIR)/%.blob.o: tests/baremetal/minikernel/user_blob.S $(BENCH_DIR)/aarch64/%
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -DUSER_ELF='"$(BENCH_DIR)/aarch64/$*"' -c -o $@ $<
$(MK_DIR)/%.elf: $(MK_DIR)/minikernel.o $(MK_DIR)/%.blob.o $(BM_LIB_OBJS) tests/baremetal/lib/link.ld
	$(Q)$(BM_CC) $(BM_CFLAGS) $(BM_LDFLAGS) -o $@ $(MK_DIR)/minikernel.o $(MK_DIR)/$*.blob.o \
	    $(BM_LIB_OBJS) -lgcc

.PHONY: minikernel bench-minikernel
minikernel: $(MK_ELFS)
bench-minikernel: $(MK_ELFS) $(BENCH_AARCH64) $(BUILD)/ferry
	$(Q)tests/baremetal/minikernel/run-bench.sh $(BUILD)
.PRECIOUS: $(MK_DIR)/%.blob.o
