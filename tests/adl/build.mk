# Tests of the ADL compiler: tests/adl/toy.adl compiled by the sanitizer build of adlc
# and run (test_toy: decoder, disassembler, interpreter, translator vs interpreter),
# diagnostics of bad descriptions (diag.sh) and mutated descriptions (fuzz.sh).

ADL_TOY_DIR   := $(GEN)/toy
ADL_TOY_NAMES := toy_decode toy_disasm toy_interp toy_translate
ADL_TOY_C     := $(ADL_TOY_NAMES:%=$(ADL_TOY_DIR)/%.c)
ADL_TOY_OBJS  := $(ADL_TOY_NAMES:%=$(BUILD)/san/tests/adl/gen/%.o) \
                 $(patsubst tests/adl/%.c,$(BUILD)/san/tests/adl/%.o,$(wildcard tests/adl/*.c))
ADL_TOY_FREE  := $(ADL_TOY_NAMES:%=$(BUILD)/freestanding/tests/adl/gen/%.o)
ADL_TOY_HOST  := $(ADL_TOY_NAMES:%=$(BUILD)/tests/adl/gen/%.o)

$(ADL_TOY_DIR)/.stamp: tests/adl/toy.adl $(ADLC_SAN)
	@mkdir -p $(ADL_TOY_DIR)
	$(Q)$(ADLC_SAN) -o $(ADL_TOY_DIR) tests/adl/toy.adl
	@touch $@
$(ADL_TOY_C): $(ADL_TOY_DIR)/.stamp ;

$(BUILD)/san/tests/adl/gen/%.o: $(ADL_TOY_DIR)/%.c | $(ADL_TOY_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/san/tests/adl/%.o: tests/adl/%.c | $(ADL_TOY_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@
# the generated code must also build with the hosted and the engine's flags
$(BUILD)/tests/adl/gen/%.o: $(ADL_TOY_DIR)/%.c | $(ADL_TOY_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/freestanding/tests/adl/gen/%.o: $(ADL_TOY_DIR)/%.c | $(ADL_TOY_DIR)/.stamp
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) $(ENGINE_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/tests/adl/test_toy: $(ADL_TOY_OBJS)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $^ -lcmocka -lm

TESTS += adl-toy adl-diag adl-fuzz
.PHONY: test-adl-toy test-adl-diag test-adl-fuzz

test-adl-toy: $(BUILD)/san/tests/adl/test_toy $(ADL_TOY_FREE) $(ADL_TOY_HOST)
	$(Q)$(BUILD)/san/tests/adl/test_toy

test-adl-diag: $(ADLC_SAN)
	$(Q)tests/adl/diag.sh $(ADLC_SAN) $(BUILD)/tests/adl/diag

test-adl-fuzz: $(ADLC_SAN)
	$(Q)tests/adl/fuzz.sh $(ADLC_SAN) tests/adl/toy.adl $(BUILD)/tests/adl/fuzz
