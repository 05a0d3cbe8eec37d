/* PSCI through HVC on a one-CPU board: VERSION (major only: QEMU 7.2 says 1.1, the
 * board promises 1.0 or later), FEATURES, AFFINITY_INFO, CPU_ON of the running CPU and
 * of a CPU that does not exist, MIGRATE_INFO_TYPE, an unknown function, and SYSTEM_OFF
 * last (the runner checks the exit status: 0). */
#include "rt.h"

int main(void)
{
    int64_t v = hvc_call(PSCI_VERSION, 0, 0, 0);
    check((v >> 16) == 1 && (v & 0xffff) <= 0xff, "PSCI_VERSION: major %ld", v >> 16);
    static const struct { uint32_t fn; const char *name; } fns[] = {
        { PSCI_VERSION, "PSCI_VERSION" }, { PSCI_FEATURES, "PSCI_FEATURES" },
        { PSCI_CPU_OFF, "CPU_OFF" }, { PSCI_CPU_ON64, "CPU_ON (SMC64)" },
        { PSCI_AFFINITY_INFO64, "AFFINITY_INFO (SMC64)" },
        { PSCI_MIGRATE_INFO_TYPE, "MIGRATE_INFO_TYPE" }, { PSCI_SYSTEM_OFF, "SYSTEM_OFF" },
        { PSCI_SYSTEM_RESET, "SYSTEM_RESET" },
    };
    for (unsigned i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        v = hvc_call(PSCI_FEATURES, fns[i].fn, 0, 0);
        check(v == 0, "PSCI_FEATURES(%s) = %ld (implemented)", fns[i].name, v);
    }
    v = hvc_call(PSCI_FEATURES, 0x8400001f, 0, 0);
    check(v == -1, "PSCI_FEATURES(0x8400001f) = %ld (NOT_SUPPORTED)", v);
    v = hvc_call(PSCI_AFFINITY_INFO64, 0, 0, 0);
    check(v == 0, "AFFINITY_INFO(MPIDR 0) = %ld (ON)", v);
    v = hvc_call(PSCI_AFFINITY_INFO64, 1, 0, 0);
    check(v == -2, "AFFINITY_INFO(MPIDR 1) = %ld (INVALID_PARAMETERS: no such CPU)", v);
    v = hvc_call(PSCI_CPU_ON64, 0, 0x40200000, 0);
    check(v == -4, "CPU_ON(MPIDR 0) = %ld (ALREADY_ON)", v);
    v = hvc_call(PSCI_CPU_ON64, 1, 0x40200000, 0);
    check(v == -2, "CPU_ON(MPIDR 1) = %ld (INVALID_PARAMETERS)", v);
    v = hvc_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
    check(v == 2, "MIGRATE_INFO_TYPE = %ld (no migration needed)", v);
    v = hvc_call(0x8400001f, 0, 0, 0);
    check(v == -1, "unknown PSCI function 0x8400001f = %ld (NOT_SUPPORTED)", v);
    printf("SYSTEM_OFF now\n");
    psci_off();
}
