# devices/: the device models (MMIO bus, GICv2, generic timer, PL011, PL031, PSCI).
# Built three ways like jit/: hosted (linked into ferry), with sanitizers (unit tests),
# and freestanding (a compile check with the engine's flags: no libc, no FP).

DEVICES_SRCS      := $(wildcard devices/*.c)
DEVICES_OBJS      := $(patsubst devices/%.c,$(BUILD)/devices/%.o,$(DEVICES_SRCS))
DEVICES_SAN_OBJS  := $(patsubst devices/%.c,$(BUILD)/san/devices/%.o,$(DEVICES_SRCS))
DEVICES_FREE_OBJS := $(patsubst devices/%.c,$(BUILD)/freestanding/devices/%.o,$(DEVICES_SRCS))

DEVICES_LIB     := $(BUILD)/devices/libferry_devices.a
DEVICES_SAN_LIB := $(BUILD)/san/devices/libferry_devices.a

ALL_TARGETS    += $(DEVICES_LIB) $(DEVICES_SAN_LIB) $(DEVICES_FREE_OBJS)
FERRY_LIBS     := $(DEVICES_LIB) $(FERRY_LIBS)
FERRY_SAN_LIBS := $(DEVICES_SAN_LIB) $(FERRY_SAN_LIBS)

$(BUILD)/devices/%.o: devices/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/devices/%.o: devices/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/freestanding/devices/%.o: devices/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) $(ENGINE_CFLAGS) -MMD -MP -c $< -o $@

$(DEVICES_LIB): $(DEVICES_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(DEVICES_SAN_LIB): $(DEVICES_SAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
