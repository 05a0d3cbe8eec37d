# The JIT: the architecture-neutral IR builder and passes (jit/ir/) and the x86-64
# backend (jit/x86_64/: register allocation, encoder, code generator, translation cache
# and dispatcher), archived as one library because each calls the other (the builder
# asks the backend what it can do natively). Built three ways: hosted (linked into
# ferry), with sanitizers (tests), and freestanding (compile check for the engine).
# hypervisor/support_hosted.c (the hosted support.h) is built here too, as its own
# library so that every hosted user of shared code can link it.

JIT_SRCS      := $(wildcard jit/ir/*.c jit/x86_64/*.c)
JIT_OBJS      := $(patsubst jit/%.c,$(BUILD)/jit/%.o,$(JIT_SRCS))
JIT_SAN_OBJS  := $(patsubst jit/%.c,$(BUILD)/san/jit/%.o,$(JIT_SRCS))
JIT_FREE_OBJS := $(patsubst jit/%.c,$(BUILD)/freestanding/jit/%.o,$(JIT_SRCS))

JIT_LIB          := $(BUILD)/jit/libferry_jit.a
JIT_SAN_LIB      := $(BUILD)/san/jit/libferry_jit.a
SUPPORT_HOSTED_LIB     := $(BUILD)/jit/libferry_support_hosted.a
SUPPORT_HOSTED_SAN_LIB := $(BUILD)/san/jit/libferry_support_hosted.a

ALL_TARGETS    += $(JIT_LIB) $(JIT_SAN_LIB) $(SUPPORT_HOSTED_LIB) $(SUPPORT_HOSTED_SAN_LIB) $(JIT_FREE_OBJS)
FERRY_LIBS     := $(JIT_LIB) $(SUPPORT_HOSTED_LIB) $(FERRY_LIBS)
FERRY_SAN_LIBS := $(JIT_SAN_LIB) $(SUPPORT_HOSTED_SAN_LIB) $(FERRY_SAN_LIBS)

$(BUILD)/jit/%.o: jit/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/jit/%.o: jit/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/freestanding/jit/%.o: jit/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC_ENGINE) $(ENGINE_CFLAGS) -MMD -MP -c $< -o $@

$(JIT_LIB): $(JIT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(JIT_SAN_LIB): $(JIT_SAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/jit/support_hosted.o: hypervisor/support_hosted.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/jit/support_hosted.o: hypervisor/support_hosted.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(SUPPORT_HOSTED_LIB): $(BUILD)/jit/support_hosted.o
	$(Q)rm -f $@ && ar rcs $@ $^

$(SUPPORT_HOSTED_SAN_LIB): $(BUILD)/san/jit/support_hosted.o
	$(Q)rm -f $@ && ar rcs $@ $^
