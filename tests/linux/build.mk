# A Linux guest for system-mode tests: Debian's arm64 kernel and a busybox initramfs
# whose /init is tests/linux/init (tests/linux/fetch.sh gets both from Debian's
# archive; nothing is committed or installed).
#   linux-guest       $(LINUX_DIR)/Image and $(LINUX_DIR)/initrd.gz
#   test-linux-boot   boots it under ferry run --hosted (JIT, and the sanitizer build)
#                     to its init and a clean power-off; see tests/linux/boot.sh

LINUX_DIR := $(BUILD)/guest/linux

$(LINUX_DIR)/Image $(LINUX_DIR)/busybox &: tests/linux/fetch.sh
	$(Q)tests/linux/fetch.sh $(LINUX_DIR)
	$(Q)touch $(LINUX_DIR)/Image $(LINUX_DIR)/busybox

# newc cpio of /init, /bin/busybox and the mount points, owned by root
$(LINUX_DIR)/initrd.gz: tests/linux/init $(LINUX_DIR)/busybox
	$(Q)rm -rf $(LINUX_DIR)/root && mkdir -p $(LINUX_DIR)/root/bin $(LINUX_DIR)/root/proc \
	    $(LINUX_DIR)/root/sys $(LINUX_DIR)/root/dev
	$(Q)cp tests/linux/init $(LINUX_DIR)/root/init && cp $(LINUX_DIR)/busybox $(LINUX_DIR)/root/bin/busybox
	$(Q)cd $(LINUX_DIR)/root && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n > ../initrd.gz

.PHONY: linux-guest test-linux-boot
linux-guest: $(LINUX_DIR)/Image $(LINUX_DIR)/initrd.gz

test-linux-boot: $(BUILD)/ferry $(BUILD)/san/ferry linux-guest
	$(Q)tests/linux/boot.sh "$(BUILD)/ferry run --hosted" $(LINUX_DIR)
	$(Q)tests/linux/boot.sh "$(BUILD)/san/ferry run --hosted" $(LINUX_DIR)

# The same boot in the engine under KVM (skipped without /dev/kvm).
.PHONY: test-linux-boot-engine
test-linux-boot-engine: $(BUILD)/ferry $(BUILD)/engine.elf linux-guest
	$(Q)tests/linux/boot-engine.sh $(BUILD)/ferry $(LINUX_DIR)

TESTS += linux-boot linux-boot-engine
