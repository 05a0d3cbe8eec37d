# tests/aarch64-sysregs: cmocka suite for the system register table (arch/aarch64/sysregs.c)
# under ASan + UBSan, linked directly against the table and the timer model it uses. The
# names are checked against aarch64-linux-gnu-as/objdump at run time: the test writes and
# assembles its own files under $(A64SR_DIR) (disassembly in *.dis, not *.d, which the
# top-level Makefile reads). `make test-a64-sysregs` runs it.

A64SR_DIR  := $(BUILD)/san/tests/aarch64-sysregs
A64SR_SRCS := arch/aarch64/sysregs.c devices/generic_timer.c devices/guest_error.c
A64SR_BIN  := $(A64SR_DIR)/test_sysregs

ALL_TARGETS += $(A64SR_BIN)
TESTS += a64-sysregs

# Headers listed by hand: one compile-and-link command writes no usable .d file.
A64SR_HDRS := arch/aarch64/sysregs.h devices/generic_timer.h devices/guest_error.h devices/irq.h \
              include/ferry/support.h

$(A64SR_BIN): tests/aarch64-sysregs/test_sysregs.c $(A64SR_SRCS) $(A64SR_HDRS) $(SUPPORT_HOSTED_SAN_LIB)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -o $@ tests/aarch64-sysregs/test_sysregs.c \
	    $(A64SR_SRCS) $(SUPPORT_HOSTED_SAN_LIB) $(SAN_LDFLAGS) -lcmocka

.PHONY: test-a64-sysregs
test-a64-sysregs: $(A64SR_BIN)
	$(Q)$(A64SR_BIN) $(A64SR_DIR)
