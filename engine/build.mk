# The engine: build/engine.elf, a freestanding x86-64 ELF (ENGINE_CFLAGS) linked with
# engine/engine.ld at FERRY_IMAGE_BASE + 1 MB, symbol table kept (the host symbolises
# fatal-report backtraces with it). Plus hosted unit tests of the engine code that has
# no engine dependencies (tests/engine/).

ENGINE_C_SRCS   := $(sort $(wildcard engine/*.c))
ENGINE_ASM_SRCS := $(sort $(wildcard engine/*.S))
# The shared system emulator (arch/, jit/, devices/), compiled freestanding.
ENGINE_OBJS     := $(ENGINE_ASM_SRCS:%.S=$(BUILD)/%.o) $(ENGINE_C_SRCS:%.c=$(BUILD)/%.o) \
                   $(A64_FREE_OBJS) $(JIT_FREE_OBJS) $(DEVICES_FREE_OBJS)
ENGINE_LDFLAGS  := -nostdlib -static -no-pie -Wl,-T,engine/engine.ld -Wl,-z,max-page-size=4096 \
                   -Wl,--build-id=none -Wl,-z,noexecstack

$(BUILD)/engine/%.o: engine/%.c | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) $(ENGINE_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/engine/%.o: engine/%.S
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) $(ENGINE_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/engine.elf: $(ENGINE_OBJS) engine/engine.ld
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) $(ENGINE_LDFLAGS) -o $@ $(ENGINE_OBJS)

ALL_TARGETS += $(BUILD)/engine.elf

# ---- hosted unit tests of engine code (cmocka, ASan + UBSan) ------------------------

# The formatter, compiled hosted and compared with the C library's snprintf.
$(BUILD)/san/tests/engine/test_format: tests/engine/test_format.c engine/format.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -o $@ tests/engine/test_format.c engine/format.c \
	    $(SAN_LDFLAGS) -lcmocka

.PHONY: test-engine-format
test-engine-format: $(BUILD)/san/tests/engine/test_format
	$(Q)$<

TESTS += engine-format

# ---- the engine in a real VM, through `ferry selftest` (tests/engine/engine_vm.sh) ---

ENGINE_VM_TEST := tests/engine/engine_vm.sh $(BUILD)/ferry $(BUILD)/engine.elf

.PHONY: test-engine-selftest test-engine-crash test-engine-hw-platform
test-engine-selftest: $(BUILD)/ferry $(BUILD)/engine.elf
	$(Q)$(ENGINE_VM_TEST) selftest
test-engine-crash: $(BUILD)/ferry $(BUILD)/engine.elf
	$(Q)$(ENGINE_VM_TEST) crash
test-engine-hw-platform: $(BUILD)/ferry $(BUILD)/engine.elf
	$(Q)$(ENGINE_VM_TEST) hw-platform

TESTS += engine-selftest engine-crash engine-hw-platform
