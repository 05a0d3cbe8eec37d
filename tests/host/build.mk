# Tests of the host program: cmocka unit tests (plain and ASan/UBSan), fixture engines
# (tiny assembly engines, one per ABI situation), and shell tests of the ferry CLI
# and of its exit handling under KVM.

HOST_TEST_DIR := $(BUILD)/tests/host
HOST_FIXTURE_DIR := $(HOST_TEST_DIR)/fixtures
HOST_FIXTURE_NAMES := $(basename $(notdir $(wildcard tests/host/fixtures/*.S)))
HOST_FIXTURES := $(HOST_FIXTURE_NAMES:%=$(HOST_FIXTURE_DIR)/%.elf)
HOST_FIXTURE_ABI := $(GEN)/tests/host/fixture_abi.h

$(HOST_TEST_DIR)/abi_offsets_gen: tests/host/fixtures/abi_offsets_gen.c include/ferry/abi.h
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $<

$(HOST_FIXTURE_ABI): $(HOST_TEST_DIR)/abi_offsets_gen
	@mkdir -p $(dir $@)
	$(Q)$< > $@.tmp && mv $@.tmp $@

$(HOST_FIXTURE_DIR)/%.o: tests/host/fixtures/%.S tests/host/fixtures/fixture.h $(HOST_FIXTURE_ABI)
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) -c -I$(GEN)/tests/host -o $@ $<

$(HOST_FIXTURE_DIR)/%.elf: $(HOST_FIXTURE_DIR)/%.o tests/host/fixtures/fixture.ld
	$(Q)ld -nostdlib -z noexecstack --no-warn-rwx-segments -T tests/host/fixtures/fixture.ld -o $@ $<

# Wrong-architecture engines for the loader's error paths: a real 32-bit x86 ELF and,
# when the cross assembler is installed, a real AArch64 one.
$(HOST_FIXTURE_DIR)/wrong_i386.elf:
	@mkdir -p $(dir $@)
	$(Q)printf '.globl _start\n_start: hlt\n' | as --32 -o $@.o - && ld -m elf_i386 -e _start -o $@ $@.o
$(HOST_FIXTURE_DIR)/wrong_aarch64.elf:
	@mkdir -p $(dir $@)
	$(Q)if command -v aarch64-linux-gnu-as >/dev/null; then \
	    printf '.globl _start\n_start: wfi\n' | aarch64-linux-gnu-as -o $@.o - && aarch64-linux-gnu-ld -e _start -o $@ $@.o; \
	else rm -f $@; fi
HOST_WRONG_ARCH := $(HOST_FIXTURE_DIR)/wrong_i386.elf $(HOST_FIXTURE_DIR)/wrong_aarch64.elf

# Unit tests link the hypervisor objects that work without a VM (built by the pattern
# rules of hypervisor/build.mk, which the top Makefile includes after this file).
HOST_TESTED := cli_options error_text symbols engine_elf boot_tables console fatal_report \
               selftest_report host_platform trace/trace_args
HOST_TESTED_OBJS := $(HOST_TESTED:%=$(BUILD)/hypervisor/%.o)
HOST_TESTED_SAN_OBJS := $(HOST_TESTED:%=$(BUILD)/san/hypervisor/%.o)
HOST_UNIT_NAMES := $(basename $(notdir $(wildcard tests/host/test_*.c)))
HOST_UNIT_BINS := $(HOST_UNIT_NAMES:%=$(HOST_TEST_DIR)/%)
HOST_UNIT_SAN_BINS := $(HOST_UNIT_NAMES:%=$(BUILD)/san/tests/host/%)

$(HOST_TEST_DIR)/%.o: tests/host/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/tests/host/%.o: tests/host/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_TEST_DIR)/test_%: $(HOST_TEST_DIR)/test_%.o $(HOST_TESTED_OBJS)
	$(Q)$(HOST_CC) -o $@ $^ -lcmocka -lelf
$(BUILD)/san/tests/host/test_%: $(BUILD)/san/tests/host/test_%.o $(HOST_TESTED_SAN_OBJS)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $^ -lcmocka -lelf

.PHONY: test-host-unit test-host-unit-san test-host-cli test-host-fixtures
test-host-unit: $(HOST_UNIT_BINS) $(HOST_FIXTURES) $(HOST_WRONG_ARCH)
	$(Q)tests/host/run-unit.sh $(HOST_FIXTURE_DIR) $(HOST_UNIT_BINS)
test-host-unit-san: $(HOST_UNIT_SAN_BINS) $(HOST_FIXTURES) $(HOST_WRONG_ARCH)
	$(Q)tests/host/run-unit.sh $(HOST_FIXTURE_DIR) $(HOST_UNIT_SAN_BINS)
test-host-cli: $(BUILD)/ferry $(BUILD)/san/ferry $(HOST_FIXTURES)
	$(Q)tests/host/cli.sh $(BUILD)/ferry $(HOST_FIXTURE_DIR)
	$(Q)tests/host/cli.sh $(BUILD)/san/ferry $(HOST_FIXTURE_DIR)
test-host-fixtures: $(BUILD)/ferry $(BUILD)/san/ferry $(HOST_FIXTURES)
	$(Q)tests/host/fixtures.sh $(BUILD)/ferry $(HOST_FIXTURE_DIR)
	$(Q)tests/host/fixtures.sh $(BUILD)/san/ferry $(HOST_FIXTURE_DIR)

TESTS += host-unit host-unit-san host-cli host-fixtures

# Keep the objects make would treat as intermediate (it would delete and rebuild them).
.SECONDARY: $(HOST_UNIT_NAMES:%=$(HOST_TEST_DIR)/%.o) $(HOST_UNIT_NAMES:%=$(BUILD)/san/tests/host/%.o) \
            $(HOST_FIXTURE_NAMES:%=$(HOST_FIXTURE_DIR)/%.o)

# docs/abi.md must name every constant (with its value) and field of the ABI header.
.PHONY: test-host-abi-doc
test-host-abi-doc:
	$(Q)tests/host/abi_doc.sh include/ferry/abi.h docs/abi.md
TESTS += host-abi-doc
