# tests/devices: cmocka suites for the device models, built with ASan+UBSan against the
# sanitizer build of libferry_devices.a. `make test-devices` runs them all.

DEVICES_TEST_NAMES := $(patsubst tests/devices/test_%.c,%,$(wildcard tests/devices/test_*.c))
DEVICES_TEST_BINS  := $(patsubst %,$(BUILD)/san/tests/devices/test_%,$(DEVICES_TEST_NAMES))

ALL_TARGETS += $(DEVICES_TEST_BINS)
# keep the objects (make would delete them as intermediates, forcing rebuilds)
.PRECIOUS: $(BUILD)/san/tests/devices/%.o
TESTS += devices

$(BUILD)/san/tests/devices/%.o: tests/devices/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/tests/devices/test_%: $(BUILD)/san/tests/devices/test_%.o $(DEVICES_SAN_LIB) $(SUPPORT_HOSTED_SAN_LIB)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $^ -lcmocka

# The freestanding objects are part of the test: every model must build for the engine.
.PHONY: test-devices
test-devices: $(DEVICES_TEST_BINS) $(DEVICES_FREE_OBJS) $(DEVICES_LIB)
	$(Q)set -e; for t in $(DEVICES_TEST_BINS); do echo "  $$t"; $$t; done
