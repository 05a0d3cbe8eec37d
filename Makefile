# Ferry top-level build. Each component owns a build.mk fragment that this file
# includes; the fragments add to the variables below. `make` builds build/ferry and
# build/engine.elf, `make test` runs every test listed in TESTS (see tests/run-all.sh).

BUILD      ?= build
GEN        := $(BUILD)/gen
V          ?= 0
Q          := $(if $(filter 1,$(V)),,@)

HOST_CC    ?= gcc
CC_ENGINE  ?= gcc

COMMON_WARN := -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter
INCLUDES    := -Iinclude -I. -I$(GEN)

# Hosted code: the ferry program, tools, unit tests.
HOST_CFLAGS := $(COMMON_WARN) -O2 -g -fno-omit-frame-pointer $(INCLUDES) -D_GNU_SOURCE
# The same hosted code, rebuilt with AddressSanitizer + UBSan for the test suite.
SAN_CFLAGS  := $(COMMON_WARN) -O1 -g -fno-omit-frame-pointer $(INCLUDES) -D_GNU_SOURCE \
               -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined

# Freestanding code that runs inside the VM: no libc, no red zone (interrupts use the
# stack), kernel code model (image in the top 2 GB), no SSE/MMX in C code.
ENGINE_CFLAGS := $(COMMON_WARN) -O2 -g -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
               -mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-avx \
               -mgeneral-regs-only -fno-stack-protector -fno-omit-frame-pointer \
               -fno-asynchronous-unwind-tables -fcf-protection=none $(INCLUDES) -DFERRY_FREESTANDING

# Filled in by the fragments.
ALL_TARGETS :=
TESTS       :=
# Static libraries the ferry program links (shared jit/arch code, hosted build), and
# their sanitizer twins for build/san/ferry. Later fragments' libraries go first.
FERRY_LIBS     :=
FERRY_SAN_LIBS :=
# Headers generated into $(GEN) (e.g. the ADL state struct); objects that include them
# take this as an order-only prerequisite.
GENERATED_HEADERS :=
CLEAN_EXTRA :=

.PHONY: all test clean setup run
all:

# Libraries and generators first, the ferry program last (its link line expands
# FERRY_LIBS when its fragment is read); a library's fragment comes after those of the
# libraries it calls (arch/ calls devices/, both call jit/), since each one prepends.
# bench/*/build.mk (guests on the bare-metal runtime) come after tests/baremetal's.
FRAGMENTS := $(wildcard adl/build.mk jit/*/build.mk devices/build.mk arch/*/build.mk \
               engine/build.mk tools/build.mk bench/build.mk tests/*/build.mk \
               bench/*/build.mk)
include $(FRAGMENTS)
include $(wildcard hypervisor/build.mk)

all: $(ALL_TARGETS)

# Each name in TESTS is a make target `test-NAME`; run-all.sh runs them one by one and
# prints the summary line "tests: N passed, M failed".
test: all
	$(Q)tests/run-all.sh $(TESTS)

setup:
	$(Q)tools/setup.sh

# The default guest: Debian's arm64 Linux kernel with a busybox initramfs, to a shell on
# the console (tests/linux/; 'poweroff -f' or Ctrl-A x ends it), in the engine under KVM
# (hosted, with a notice, where /dev/kvm cannot be used).
run: all linux-guest
	$(Q)$(BUILD)/ferry run --mem 512M --kernel $(LINUX_DIR)/Image --initrd $(LINUX_DIR)/initrd.gz \
	    --append "console=ttyAMA0 quiet"

clean:
	rm -rf $(BUILD) $(CLEAN_EXTRA)

# Automatic header dependencies for every object.
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
