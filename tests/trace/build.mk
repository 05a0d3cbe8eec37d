# Instruction traces: the link flags of hypervisor/trace/, the QEMU plugin, the writer
# benchmark, and the tests (`make test-trace`, `make fuzz-trace-reader`).
include hypervisor/trace/build.mk
include tools/qemu-trace-plugin/build.mk
