/* KVM flavour detection and TSC frequency. */
#include "hypervisor/host_platform.h"

#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <x86intrin.h>

enum ferry_kvm_flavour host_kvm_flavour(const char *override, const char *sys_module_dir,
                                        char *err, size_t err_size)
{
    char path[512];
    struct stat st;
    if (override && *override) {
        if (!strcmp(override, "hardware"))
            return FERRY_KVM_HARDWARE;
        if (!strcmp(override, "pvlite"))
            return FERRY_KVM_PVLITE;
        snprintf(err, err_size, "invalid FERRY_KVM_FLAVOUR '%s' (expected hardware or pvlite)",
                 override);
        return 0;
    }
    snprintf(path, sizeof path, "%s/kvm_pvm", sys_module_dir);
    return stat(path, &st) == 0 ? FERRY_KVM_PVLITE : FERRY_KVM_HARDWARE;
}

const char *host_kvm_flavour_name(enum ferry_kvm_flavour flavour)
{
    return flavour == FERRY_KVM_PVLITE ? "pv-lite (kvm_pvm)" : "hardware (VMX/SVM)";
}

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

uint64_t host_measure_tsc_khz(void)
{
    unsigned eax, ebx, ecx, edx;
    uint64_t t0, t1, c0, c1;
    if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) && eax >= 0x15) {
        __cpuid(0x15, eax, ebx, ecx, edx);
        if (eax && ebx && ecx)
            return (uint64_t)ecx * ebx / eax / 1000;
    }
    /* Sandwich each TSC read between clock reads so a preemption shows as a wide
     * window; 20 ms keeps the error under 0.01 %. */
    t0 = monotonic_ns();
    c0 = __rdtsc();
    do {
        t1 = monotonic_ns();
        c1 = __rdtsc();
    } while (t1 - t0 < 20000000ull);
    return (c1 - c0) * 1000000ull / (t1 - t0);
}
