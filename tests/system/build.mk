# System tests of ferry with the real engine under KVM: the selftest end to end and
# the engine's fatal report on a deliberate crash.
.PHONY: test-system-selftest test-system-crash
test-system-selftest: $(BUILD)/ferry $(BUILD)/san/ferry $(BUILD)/engine.elf
	$(Q)tests/system/selftest.sh $(BUILD)
test-system-crash: $(BUILD)/ferry $(BUILD)/san/ferry $(BUILD)/engine.elf
	$(Q)tests/system/crash.sh $(BUILD)

TESTS += system-selftest system-crash
