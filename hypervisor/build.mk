# The host program: build/ferry (-O2) and build/san/ferry (ASan + UBSan), from
# hypervisor/*.c and its subfolders (user/: the user-mode runner, ...), linked with the
# shared static libraries other fragments put in FERRY_LIBS / FERRY_SAN_LIBS.

HYPERVISOR_SRCS := $(sort $(wildcard hypervisor/*.c hypervisor/*/*.c))
HYPERVISOR_OBJS := $(HYPERVISOR_SRCS:%.c=$(BUILD)/%.o)
HYPERVISOR_SAN_OBJS := $(HYPERVISOR_SRCS:%.c=$(BUILD)/san/%.o)
HYPERVISOR_LDLIBS := -lelf -lfdt -lz

# Generated headers (order-only): the user-mode runner includes ADL output.
$(BUILD)/hypervisor/%.o: hypervisor/%.c | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/hypervisor/%.o: hypervisor/%.c | $(GENERATED_HEADERS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

# The top Makefile includes this fragment last, so FERRY_LIBS is complete here.
$(BUILD)/ferry: $(HYPERVISOR_OBJS) $(FERRY_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) -o $@ $(HYPERVISOR_OBJS) $(FERRY_LIBS) $(HYPERVISOR_LDLIBS)

$(BUILD)/san/ferry: $(HYPERVISOR_SAN_OBJS) $(FERRY_SAN_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $(HYPERVISOR_SAN_OBJS) $(FERRY_SAN_LIBS) $(HYPERVISOR_LDLIBS)

ALL_TARGETS += $(BUILD)/ferry $(BUILD)/san/ferry
