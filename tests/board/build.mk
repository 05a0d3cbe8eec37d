# Tests of the virt board's host side (hypervisor/board/): cmocka unit tests of the DTB
# and the kernel loader, the generated DTB against committed .dts fixtures (dtc), and
# against QEMU's own virt DTB when qemu-system-aarch64 is installed. Everything is built
# with ASan + UBSan, linking the board sources directly.

BOARD_TEST_DIR := $(BUILD)/san/tests/board
BOARD_SRCS := $(sort $(wildcard hypervisor/board/*.c)) hypervisor/error_text.c
BOARD_SAN_OBJS := $(BOARD_SRCS:%.c=$(BUILD)/san/%.o)
BOARD_LDLIBS := -lcmocka -lfdt -lz -lelf
BOARD_UNIT_NAMES := $(basename $(notdir $(wildcard tests/board/test_*.c)))
BOARD_UNIT_BINS := $(BOARD_UNIT_NAMES:%=$(BOARD_TEST_DIR)/%)
# Helpers of the script tests: write a DTB the way ferry run would (dtb_tool), and
# compare two DTBs node by node (dtb_compare).
BOARD_TOOLS := $(BOARD_TEST_DIR)/dtb_tool $(BOARD_TEST_DIR)/dtb_compare

$(BOARD_TEST_DIR)/%.o: tests/board/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

# The board objects come from hypervisor/build.mk's sanitizer pattern rule.
$(BOARD_TEST_DIR)/test_%: $(BOARD_TEST_DIR)/test_%.o $(BOARD_SAN_OBJS)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $^ $(BOARD_LDLIBS)
$(BOARD_TEST_DIR)/dtb_tool: $(BOARD_TEST_DIR)/dtb_tool.o $(BOARD_SAN_OBJS)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $^ $(BOARD_LDLIBS)
$(BOARD_TEST_DIR)/dtb_compare: $(BOARD_TEST_DIR)/dtb_compare.o
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $^ -lfdt

.PHONY: test-board
test-board: $(BOARD_UNIT_BINS) $(BOARD_TOOLS)
	$(Q)status=0; for t in $(BOARD_UNIT_BINS); do $$t || { echo "FAILED: $$t"; status=1; }; done; \
	tests/board/dts.sh $(BOARD_TEST_DIR) || status=1; \
	tests/board/qemu_dtb.sh $(BOARD_TEST_DIR) || status=1; \
	tests/board/qemu_boot.sh $(BOARD_TEST_DIR) || status=1; \
	exit $$status

TESTS += board

.SECONDARY: $(BOARD_UNIT_NAMES:%=$(BOARD_TEST_DIR)/%.o) $(BOARD_TEST_DIR)/dtb_tool.o \
            $(BOARD_TEST_DIR)/dtb_compare.o
