# tests/jit: cmocka suites for the x86-64 encoder (checked against capstone), the IR
# passes, and end-to-end runs of IR blocks through the JIT on a toy guest. Each suite
# is built twice, plainly and with ASan+UBSan; `make test-jit` runs both builds.

JIT_TEST_NAMES := $(patsubst tests/jit/test_%.c,%,$(wildcard tests/jit/test_*.c))
JIT_TEST_BINS  := $(patsubst %,$(BUILD)/tests/jit/test_%,$(JIT_TEST_NAMES))
JIT_TEST_SAN_BINS := $(patsubst %,$(BUILD)/san/tests/jit/test_%,$(JIT_TEST_NAMES))
JIT_TEST_LIBS  := -lcmocka -lcapstone -lm

ALL_TARGETS += $(JIT_TEST_BINS) $(JIT_TEST_SAN_BINS)
TESTS += jit jit-san

$(BUILD)/tests/jit/%.o: tests/jit/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/tests/jit/%.o: tests/jit/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tests/jit/test_%: $(BUILD)/tests/jit/test_%.o $(BUILD)/tests/jit/toy_guest.o $(JIT_LIB) $(SUPPORT_HOSTED_LIB)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(JIT_TEST_LIBS)

$(BUILD)/san/tests/jit/test_%: $(BUILD)/san/tests/jit/test_%.o $(BUILD)/san/tests/jit/toy_guest.o $(JIT_SAN_LIB) $(SUPPORT_HOSTED_SAN_LIB)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $^ $(JIT_TEST_LIBS)

.PHONY: test-jit test-jit-san
test-jit: $(JIT_TEST_BINS)
	$(Q)set -e; for t in $^; do echo "  $$t"; $$t; done

test-jit-san: $(JIT_TEST_SAN_BINS)
	$(Q)set -e; for t in $^; do echo "  $$t"; $$t; done
