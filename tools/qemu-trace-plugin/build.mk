# The QEMU TCG plugin that writes Ferry traces: build/tools/qemu-trace-plugin.so, the
# plugin and the trace writer compiled -fPIC into one shared object that exports only
# the qemu_plugin_* entry points. Included from tests/trace/build.mk.
QEMU_TRACE_PLUGIN := $(BUILD)/tools/qemu-trace-plugin.so
QEMU_TRACE_PLUGIN_SRCS := tools/qemu-trace-plugin/plugin.c hypervisor/trace/trace_writer.c \
                          hypervisor/trace/trace_buffers.c hypervisor/huge_pages.c

$(QEMU_TRACE_PLUGIN): $(QEMU_TRACE_PLUGIN_SRCS) tools/qemu-trace-plugin/qemu_plugin_api.h \
                      hypervisor/trace/trace_writer.h hypervisor/trace/trace_codec.h hypervisor/trace/trace_buffers.h \
                      include/ferry/trace_format.h
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -fPIC -shared -fvisibility=hidden \
	    -o $@ $(QEMU_TRACE_PLUGIN_SRCS) -lzstd -llz4 -lz -lpthread

ALL_TARGETS += $(QEMU_TRACE_PLUGIN)
