# Instruction traces (hypervisor/trace/): hypervisor/build.mk compiles these sources
# into ferry with the rest of hypervisor/; this fragment adds the zstd and LZ4 libraries the
# writer and reader use to the ferry link (target-specific, since hypervisor/build.mk
# sets HYPERVISOR_LDLIBS after the other fragments are read). Included from
# tests/trace/build.mk, as the top Makefile reads no fragment under hypervisor/*/.
TRACE_LDLIBS := -lzstd -llz4 -lpthread
$(BUILD)/ferry: HYPERVISOR_LDLIBS += $(TRACE_LDLIBS)
$(BUILD)/san/ferry: HYPERVISOR_LDLIBS += $(TRACE_LDLIBS)
