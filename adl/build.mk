# adlc, the ADL compiler (a hosted tool), plus its sanitizer build that tests/adl uses.
# Other fragments run `$(ADLC) -o OUTDIR FILE.adl...` and depend on $(ADLC).

ADLC_SRCS     := $(wildcard adl/*.c)
ADLC_OBJS     := $(patsubst adl/%.c,$(BUILD)/adl/%.o,$(ADLC_SRCS))
ADLC_SAN_OBJS := $(patsubst adl/%.c,$(BUILD)/san/adl/%.o,$(ADLC_SRCS))
ADLC          := $(BUILD)/adlc
ADLC_SAN      := $(BUILD)/san/adlc

ALL_TARGETS += $(ADLC)

$(ADLC): $(ADLC_OBJS)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -o $@ $^

$(BUILD)/adl/%.o: adl/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(ADLC_SAN): $(ADLC_SAN_OBJS)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) $(SAN_LDFLAGS) -o $@ $^

$(BUILD)/san/adl/%.o: adl/%.c
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@
