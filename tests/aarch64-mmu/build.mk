# tests/aarch64-mmu: cmocka unit tests of the stage 1 table walker
# (arch/aarch64/mmu_walk.c) on hand-built tables in a fake physical memory, built with
# ASan+UBSan and linked against the walker's source directly (no generated code needed).
# The freestanding compile of the walker is checked by arch/aarch64/build.mk.

A64_MMU_TEST_BIN := $(BUILD)/san/tests/aarch64-mmu/test_mmu_walk

ALL_TARGETS += $(A64_MMU_TEST_BIN)
TESTS += a64-mmu

$(A64_MMU_TEST_BIN): tests/aarch64-mmu/test_mmu_walk.c arch/aarch64/mmu_walk.c \
                     arch/aarch64/mmu_walk.h
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ tests/aarch64-mmu/test_mmu_walk.c \
	    arch/aarch64/mmu_walk.c -lcmocka

# A64_MMU_WALK_ITERATIONS sets the hostile test's walk count (default in the test).
.PHONY: test-a64-mmu
test-a64-mmu: $(A64_MMU_TEST_BIN)
	$(Q)$(A64_MMU_TEST_BIN)
