# System tests of ferry with the real engine under KVM: the selftest end to end, the
# engine's fatal report on a deliberate crash, and Ctrl-C during a long selftest.
.PHONY: test-system-selftest test-system-crash test-system-interrupt
test-system-selftest: $(BUILD)/ferry $(BUILD)/san/ferry $(BUILD)/engine.elf
	$(Q)tests/system/selftest.sh $(BUILD)
test-system-crash: $(BUILD)/ferry $(BUILD)/san/ferry $(BUILD)/engine.elf
	$(Q)tests/system/crash.sh $(BUILD)

test-system-interrupt: $(BUILD)/ferry $(BUILD)/san/ferry $(BUILD)/engine.elf
	$(Q)tests/system/interrupt.sh $(BUILD)

TESTS += system-selftest system-crash system-interrupt
