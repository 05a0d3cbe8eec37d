# Bare-metal AArch64 test programs (tests/baremetal/*.c) on the runtime in lib/, each
# linked as an ELF at 0x40200000 and run on a virt board; its UART output must equal
# NAME.expected (see docs/baremetal-tests.md).
#   test-baremetal-qemu   every program under qemu-system-aarch64 -M virt (in TESTS)
#   test-baremetal-ferry  the same under `ferry run --hosted`
#   test-baremetal-engine the same under `ferry run --kvm` (the engine; needs /dev/kvm)
# The minikernel (tests/baremetal/minikernel/) runs bench/progs at EL0; not a test.

BM_DIR      := $(BUILD)/tests/baremetal
BM_CC       ?= aarch64-linux-gnu-gcc
BM_CFLAGS   := -std=gnu17 -Wall -Wextra -Werror -O2 -g -ffreestanding -nostdlib \
               -mgeneral-regs-only -mstrict-align -fno-pic -fno-pie -fno-stack-protector \
               -fno-asynchronous-unwind-tables -Itests/baremetal/lib
BM_LDFLAGS  := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
               -Wl,--no-warn-rwx-segments -T tests/baremetal/lib/link.ld
BM_LIB_SRCS := $(wildcard tests/baremetal/lib/*.c tests/baremetal/lib/*.S)
BM_LIB_OBJS := $(patsubst tests/baremetal/lib/%,$(BM_DIR)/lib/%.o,$(BM_LIB_SRCS))
BM_NAMES    := $(basename $(notdir $(wildcard tests/baremetal/*.c)))
BM_ELFS     := $(BM_NAMES:%=$(BM_DIR)/%.elf)

$(BM_DIR)/lib/%.c.o: tests/baremetal/lib/%.c tests/baremetal/lib/rt.h
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -MMD -MP -c -o $@ $<
$(BM_DIR)/lib/%.S.o: tests/baremetal/lib/%.S
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -MMD -MP -c -o $@ $<
$(BM_DIR)/%.o: tests/baremetal/%.c tests/baremetal/lib/rt.h
	@mkdir -p $(dir $@)
	$(Q)$(BM_CC) $(BM_CFLAGS) -MMD -MP -c -o $@ $<
$(BM_DIR)/%.elf: $(BM_DIR)/%.o $(BM_LIB_OBJS) tests/baremetal/lib/link.ld
	$(Q)$(BM_CC) $(BM_CFLAGS) $(BM_LDFLAGS) -o $@ $< $(BM_LIB_OBJS) -lgcc

.PHONY: baremetal-tests test-baremetal-qemu test-baremetal-ferry
baremetal-tests: $(BM_ELFS)

test-baremetal-qemu: $(BM_ELFS)
	$(Q)tests/baremetal/run.sh qemu $(BM_DIR)

# FERRY_RUN: the ferry command line. The system emulator runs hosted (the engine's
# system mode comes next): with the JIT and with the interpreter, and the sanitizer
# build runs both too, so the CPU runtime, the JIT's system memory path and the devices
# are checked under ASan/UBSan. SYSTEM_RESET makes ferry exit with status 3.
FERRY_RUN ?= $(BUILD)/ferry run --hosted
FERRY_SAN_RUN ?= $(BUILD)/san/ferry run --hosted
test-baremetal-ferry: $(BM_ELFS) $(BUILD)/ferry $(BUILD)/san/ferry
	$(Q)FERRY_RESET_STATUS=3 tests/baremetal/run.sh "$(FERRY_RUN)" $(BM_DIR)
	$(Q)FERRY_RESET_STATUS=3 tests/baremetal/run.sh "$(FERRY_RUN) --interp" $(BM_DIR)
	$(Q)FERRY_RESET_STATUS=3 tests/baremetal/run.sh "$(FERRY_SAN_RUN)" $(BM_DIR)
	$(Q)FERRY_RESET_STATUS=3 tests/baremetal/run.sh "$(FERRY_SAN_RUN) --interp" $(BM_DIR)

# The same programs in the engine under KVM (skipped without /dev/kvm).
.PHONY: test-baremetal-engine
test-baremetal-engine: $(BM_ELFS) $(BUILD)/ferry $(BUILD)/engine.elf
	$(Q)tests/baremetal/engine.sh $(BUILD)/ferry $(BM_DIR)

TESTS += baremetal-qemu baremetal-ferry baremetal-engine

include $(wildcard tests/baremetal/minikernel/build.mk)
.PRECIOUS: $(BM_DIR)/%.o $(BM_DIR)/lib/%.c.o $(BM_DIR)/lib/%.S.o
