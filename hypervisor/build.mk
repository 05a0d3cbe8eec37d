# The host program: build/ferry (-O2) and build/san/ferry (ASan + UBSan), from
# hypervisor/*.c and the user-mode runner in hypervisor/user/*.c, linked with the
# shared static libraries other fragments put in FERRY_LIBS / FERRY_SAN_LIBS.

HYPERVISOR_SRCS := $(sort $(wildcard hypervisor/*.c hypervisor/user/*.c))
HYPERVISOR_OBJS := $(HYPERVISOR_SRCS:%.c=$(BUILD)/%.o)
HYPERVISOR_SAN_OBJS := $(HYPERVISOR_SRCS:%.c=$(BUILD)/san/%.o)
HYPERVISOR_LDLIBS := -lelf -lfdt -lz

# Objects the unit tests link: everything except the program's entry and the parts
# that only make sense with a VM behind them.
HYPERVISOR_TESTABLE := cli_options symbols engine_elf boot_tables console fatal_report \
                       selftest_report host_platform
HYPERVISOR_TESTABLE_OBJS := $(HYPERVISOR_TESTABLE:%=$(BUILD)/hypervisor/%.o)
HYPERVISOR_TESTABLE_SAN_OBJS := $(HYPERVISOR_TESTABLE:%=$(BUILD)/san/hypervisor/%.o)

$(BUILD)/hypervisor/%.o: hypervisor/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/hypervisor/%.o: hypervisor/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

# FERRY_LIBS grows in fragments included after this one, so the prerequisite lists
# are expanded a second time, when make reaches the rule.
.SECONDEXPANSION:
$(BUILD)/ferry: $(HYPERVISOR_OBJS) $$(FERRY_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) -o $@ $(HYPERVISOR_OBJS) $(FERRY_LIBS) $(HYPERVISOR_LDLIBS)

$(BUILD)/san/ferry: $(HYPERVISOR_SAN_OBJS) $$(FERRY_SAN_LIBS)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $(HYPERVISOR_SAN_OBJS) $(FERRY_SAN_LIBS) $(HYPERVISOR_LDLIBS)

ALL_TARGETS += $(BUILD)/ferry $(BUILD)/san/ferry
