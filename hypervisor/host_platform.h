/* Facts about the host that go into the engine's boot information: which KVM this
 * is (hardware or the pv-lite kvm_pvm module) and the TSC frequency. */
#ifndef FERRY_HOST_PLATFORM_H
#define FERRY_HOST_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "ferry/abi.h"

/* FERRY_KVM_FLAVOUR=hardware|pvlite overrides detection (for tests); otherwise
 * /sys/module/kvm_pvm decides. Returns 0 when the override is not understood and
 * writes the message into err. */
enum ferry_kvm_flavour host_kvm_flavour(const char *override, const char *sys_module_dir,
                                        char *err, size_t err_size);
const char *host_kvm_flavour_name(enum ferry_kvm_flavour flavour);

/* The TSC frequency, from CPUID leaf 0x15 when the CPU states it, else measured
 * against CLOCK_MONOTONIC over about 20 ms. */
uint64_t host_measure_tsc_khz(void);

#endif
