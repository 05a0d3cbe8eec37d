/* PSCI 1.0 (ARM DEN0022) and the SMCCC 1.1 architecture calls (ARM DEN0028), as the
 * firmware a guest reaches through HVC or SMC #0: the platform passes x0..x3, writes
 * *result to x0 when the action is NONE, and otherwise performs the action (power the
 * machine off or reset it, start or stop a CPU, wait for an interrupt).
 *
 * CPUs are numbered 0..num_cpus-1; CPU n has MPIDR affinity Aff1 = n / 8, Aff0 = n % 8
 * (QEMU virt's layout with a GICv2). */
#ifndef FERRY_DEVICES_PSCI_H
#define FERRY_DEVICES_PSCI_H

#include <stdbool.h>
#include <stdint.h>

#define PSCI_MAX_CPUS 8

/* Function IDs (W0). */
#define PSCI_0_2_FN_PSCI_VERSION       0x84000000u
#define PSCI_0_2_FN_CPU_SUSPEND        0x84000001u
#define PSCI_0_2_FN64_CPU_SUSPEND      0xc4000001u
#define PSCI_0_2_FN_CPU_OFF            0x84000002u
#define PSCI_0_2_FN_CPU_ON             0x84000003u
#define PSCI_0_2_FN64_CPU_ON           0xc4000003u
#define PSCI_0_2_FN_AFFINITY_INFO      0x84000004u
#define PSCI_0_2_FN64_AFFINITY_INFO    0xc4000004u
#define PSCI_0_2_FN_MIGRATE            0x84000005u
#define PSCI_0_2_FN64_MIGRATE          0xc4000005u
#define PSCI_0_2_FN_MIGRATE_INFO_TYPE  0x84000006u
#define PSCI_0_2_FN_MIGRATE_INFO_UP_CPU 0x84000007u
#define PSCI_0_2_FN_SYSTEM_OFF         0x84000008u
#define PSCI_0_2_FN_SYSTEM_RESET       0x84000009u
#define PSCI_1_0_FN_PSCI_FEATURES      0x8400000au
#define SMCCC_VERSION_FN               0x80000000u
#define SMCCC_ARCH_FEATURES_FN         0x80000001u

/* Return codes (sign-extended into x0). */
#define PSCI_RET_SUCCESS               0
#define PSCI_RET_NOT_SUPPORTED         (-1)
#define PSCI_RET_INVALID_PARAMETERS    (-2)
#define PSCI_RET_DENIED                (-3)
#define PSCI_RET_ALREADY_ON            (-4)

#define PSCI_VERSION_1_0               0x00010000u
#define SMCCC_VERSION_1_1              0x00010001u
#define PSCI_TOS_NOT_PRESENT_MP        2       /* MIGRATE_INFO_TYPE: no trusted OS */

enum psci_action {
    PSCI_ACTION_NONE,           /* write *result to x0 and continue */
    PSCI_ACTION_SYSTEM_OFF,     /* power the machine off (ferry exits 0) */
    PSCI_ACTION_SYSTEM_RESET,   /* reset the machine */
    PSCI_ACTION_CPU_OFF,        /* stop the calling CPU (already marked off) */
    PSCI_ACTION_CPU_ON,         /* write *result (SUCCESS) to x0, then start p->cpu_on */
    PSCI_ACTION_CPU_SUSPEND,    /* write *result to x0 and wait as WFI does */
};

enum psci_cpu_state {
    PSCI_CPU_ON = 0,            /* AFFINITY_INFO's encoding */
    PSCI_CPU_OFF = 1,
};

struct psci {
    unsigned num_cpus;
    unsigned caller;            /* the calling CPU: the platform sets it before psci_call */
    enum psci_cpu_state state[PSCI_MAX_CPUS];
    struct {                    /* the CPU to start, valid after PSCI_ACTION_CPU_ON */
        unsigned cpu;
        uint64_t entry;         /* its PC, at EL1h with MMU off, DAIF masked */
        uint64_t context_id;    /* its x0 */
    } cpu_on;
    uint64_t invalid_accesses;  /* calls with invalid arguments (INVALID_PARAMETERS) */
    /* Unknown function IDs (NOT_SUPPORTED): counted apart and not logged, since guests
     * probe optional services this way (Linux asks for TRNG and the KVM UID). */
    uint64_t unsupported_calls;
};

/* CPU 0 on, the others off. num_cpus is clamped to 1..PSCI_MAX_CPUS. */
void psci_init(struct psci *p, unsigned num_cpus);
/* The MPIDR_EL1 affinity fields of CPU n. */
uint64_t psci_cpu_mpidr(unsigned cpu);
/* Dispatches one call; *result is what x0 receives (sign-extended return code). */
enum psci_action psci_call(struct psci *p, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                           uint64_t *result);

#endif
