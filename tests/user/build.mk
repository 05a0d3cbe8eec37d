# Tests of the user-mode runner (`ferry user`): cmocka unit tests of the parts that work
# without a CPU model (guest memory, ELF loader, initial stack, syscall layer), plain
# and under ASan/UBSan; a corpus of C programs cross-compiled static for AArch64 at -O0
# and -O2; the differential script that runs each under the JIT, the interpreter and
# qemu-aarch64; and the error-path script (wrong architecture, dynamic, corrupt ELFs).

USER_TEST_DIR := $(BUILD)/tests/user
USER_SAN_TEST_DIR := $(BUILD)/san/tests/user
A64_CC ?= aarch64-linux-gnu-gcc
A64_PROG_CFLAGS := -std=gnu17 -Wall -Wextra -Werror -Wno-unused-result -static

# ---- the runner's sources that the unit tests link (no translator needed) ------------
USER_UNIT_SRCS := guest_memory elf_loader initial_stack syscall_dispatch syscalls_file \
                  syscalls_memory syscalls_system syscalls_signal
USER_UNIT_OBJS := $(USER_UNIT_SRCS:%=$(USER_TEST_DIR)/runner/%.o)
USER_UNIT_SAN_OBJS := $(USER_UNIT_SRCS:%=$(USER_SAN_TEST_DIR)/runner/%.o)

$(USER_TEST_DIR)/runner/%.o: hypervisor/user/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(USER_SAN_TEST_DIR)/runner/%.o: hypervisor/user/%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

USER_UNIT_TESTS := test_guest_memory test_elf_loader test_initial_stack test_syscalls
USER_UNIT_BINS := $(USER_UNIT_TESTS:%=$(USER_TEST_DIR)/%)
USER_UNIT_SAN_BINS := $(USER_UNIT_TESTS:%=$(USER_SAN_TEST_DIR)/%)

$(USER_TEST_DIR)/test_%.o: tests/user/test_%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(USER_SAN_TEST_DIR)/test_%.o: tests/user/test_%.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@
$(USER_TEST_DIR)/test_%: $(USER_TEST_DIR)/test_%.o $(USER_UNIT_OBJS)
	$(Q)$(HOST_CC) -o $@ $^ -lcmocka
$(USER_SAN_TEST_DIR)/test_%: $(USER_SAN_TEST_DIR)/test_%.o $(USER_UNIT_SAN_OBJS)
	$(Q)$(HOST_CC) $(SAN_LDFLAGS) -o $@ $^ -lcmocka

# ---- the AArch64 program corpus ---------------------------------------------------------
USER_PROG_NAMES := $(basename $(notdir $(wildcard tests/user/progs/*.c)))
USER_PROGS := $(foreach n,$(USER_PROG_NAMES),$(USER_TEST_DIR)/progs/$(n)-O0 $(USER_TEST_DIR)/progs/$(n)-O2)

$(USER_TEST_DIR)/progs/%-O0: tests/user/progs/%.c
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) $(A64_PROG_CFLAGS) -O0 -o $@ $< -lm
$(USER_TEST_DIR)/progs/%-O2: tests/user/progs/%.c
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) $(A64_PROG_CFLAGS) -O2 -o $@ $< -lm

# Error-path fixtures: a dynamically linked AArch64 program (needs no libraries to
# exist: the runner refuses it from its headers) and a native x86-64 program.
USER_FIXTURES := $(USER_TEST_DIR)/fixtures/dynamic_aarch64 $(USER_TEST_DIR)/fixtures/native_x86_64
$(USER_TEST_DIR)/fixtures/dynamic_aarch64: tests/user/progs/hello.c
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) -O2 -o $@ $<
$(USER_TEST_DIR)/fixtures/native_x86_64: tests/user/progs/hello.c
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) -O2 -o $@ $<

.PHONY: user-corpus
user-corpus: $(USER_PROGS) $(USER_FIXTURES)

# ---- regression programs (tests/user/regress): one per wrong behaviour fixed, each
# compared with qemu-aarch64 like the corpus. C at -O2 for ARMv8.1 (LSE atomics); .S
# without libc. A segment overlapping the stack area is a fixture of run-errors.sh.
USER_REGRESS_C := $(basename $(notdir $(wildcard tests/user/regress/*.c)))
USER_REGRESS_S := $(basename $(notdir $(wildcard tests/user/regress/*.S)))
USER_REGRESS := $(USER_REGRESS_C:%=$(USER_TEST_DIR)/regress/%) $(USER_REGRESS_S:%=$(USER_TEST_DIR)/regress/%)
$(USER_TEST_DIR)/regress/%: tests/user/regress/%.c
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) $(A64_PROG_CFLAGS) -O2 -march=armv8.1-a -o $@ $<
$(USER_TEST_DIR)/regress/%: tests/user/regress/%.S
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) -nostdlib -static -o $@ $<
USER_FIXTURES += $(USER_TEST_DIR)/fixtures/over_stack
$(USER_TEST_DIR)/fixtures/over_stack: tests/user/regress/bss_only.S
	@mkdir -p $(dir $@)
	$(Q)$(A64_CC) -nostdlib -static -Wl,-Ttext=0xffff00000 -o $@ $<

# ---- test targets -------------------------------------------------------------------------
.PHONY: test-user-unit test-user-errors test-user-corpus
test-user-unit: $(USER_UNIT_BINS) $(USER_UNIT_SAN_BINS) $(USER_TEST_DIR)/progs/hello-O2
	$(Q)for t in $(USER_UNIT_BINS) $(USER_UNIT_SAN_BINS); do \
	    USER_TEST_ELF=$(USER_TEST_DIR)/progs/hello-O2 $$t || exit 1; done

test-user-errors: $(BUILD)/ferry $(USER_FIXTURES) $(USER_TEST_DIR)/progs/hello-O2
	$(Q)tests/user/run-errors.sh $(BUILD)/ferry $(USER_TEST_DIR)

test-user-corpus: $(BUILD)/ferry $(BUILD)/san/ferry $(USER_PROGS)
	$(Q)tests/user/run-corpus.sh $(BUILD)/ferry $(BUILD)/san/ferry $(USER_TEST_DIR)/progs tests/user/progs

test-user-regress: $(BUILD)/ferry $(BUILD)/san/ferry $(USER_REGRESS)
	$(Q)USER_CORPUS_SAN=all tests/user/run-corpus.sh $(BUILD)/ferry $(BUILD)/san/ferry \
	    $(USER_TEST_DIR)/regress tests/user/regress

TESTS += user-unit user-errors user-corpus user-regress
