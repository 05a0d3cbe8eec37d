/* PSCI 1.0 / SMCCC 1.1 function dispatch for the guest's HVC and SMC calls. */
#include "devices/psci.h"
#include "devices/guest_error.h"

#define MPIDR_AFFINITY_MASK  UINT64_C(0xff00ffffff)   /* Aff3, Aff2, Aff1, Aff0 */
#define SMC64_BIT            0x40000000u

void psci_init(struct psci *p, unsigned num_cpus)
{
    *p = (struct psci){ 0 };
    if (num_cpus < 1)
        num_cpus = 1;
    if (num_cpus > PSCI_MAX_CPUS)
        num_cpus = PSCI_MAX_CPUS;
    p->num_cpus = num_cpus;
    for (unsigned i = 0; i < PSCI_MAX_CPUS; i++)
        p->state[i] = i == 0 ? PSCI_CPU_ON : PSCI_CPU_OFF;
}

uint64_t psci_cpu_mpidr(unsigned cpu)
{
    return ((uint64_t)(cpu / 8) << 8) | (cpu % 8);
}

/* The CPU index with this affinity (all four levels compared), or -1. */
static int cpu_by_mpidr(const struct psci *p, uint64_t mpidr)
{
    if (mpidr & ~MPIDR_AFFINITY_MASK)
        return -1;
    for (unsigned i = 0; i < p->num_cpus; i++)
        if (psci_cpu_mpidr(i) == mpidr)
            return (int)i;
    return -1;
}

static int64_t invalid(struct psci *p, const char *what, uint64_t arg)
{
    device_guest_error("psci", &p->invalid_accesses, "%s 0x%llx", what, (unsigned long long)arg);
    return PSCI_RET_INVALID_PARAMETERS;
}

static bool implemented(uint32_t fn)
{
    switch (fn) {
    case PSCI_0_2_FN_PSCI_VERSION:
    case PSCI_0_2_FN_CPU_SUSPEND:
    case PSCI_0_2_FN64_CPU_SUSPEND:
    case PSCI_0_2_FN_CPU_OFF:
    case PSCI_0_2_FN_CPU_ON:
    case PSCI_0_2_FN64_CPU_ON:
    case PSCI_0_2_FN_AFFINITY_INFO:
    case PSCI_0_2_FN64_AFFINITY_INFO:
    case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
    case PSCI_0_2_FN_SYSTEM_OFF:
    case PSCI_0_2_FN_SYSTEM_RESET:
    case PSCI_1_0_FN_PSCI_FEATURES:
    case SMCCC_VERSION_FN:
        return true;
    default:
        return false;
    }
}

static int64_t affinity_info(struct psci *p, uint64_t target, uint64_t level)
{
    if (level > 3)
        return invalid(p, "AFFINITY_INFO level", level);
    if (target & ~MPIDR_AFFINITY_MASK)
        return invalid(p, "AFFINITY_INFO of MPIDR", target);
    /* Level n ignores the affinity fields below it: the node is on if any CPU in it is. */
    static const uint64_t level_mask[4] = {
        MPIDR_AFFINITY_MASK, UINT64_C(0xff00ffff00), UINT64_C(0xff00ff0000), UINT64_C(0xff00000000),
    };
    bool found = false;
    for (unsigned i = 0; i < p->num_cpus; i++) {
        if ((psci_cpu_mpidr(i) & level_mask[level]) != (target & level_mask[level]))
            continue;
        found = true;
        if (p->state[i] == PSCI_CPU_ON)
            return PSCI_CPU_ON;
    }
    return found ? PSCI_CPU_OFF : invalid(p, "AFFINITY_INFO of MPIDR", target);
}

enum psci_action psci_call(struct psci *p, uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                           uint64_t *result)
{
    /* SMCCC: the function ID is W0; an SMC32/HVC32 function takes 32-bit arguments and
     * ignores the upper halves of its registers. */
    uint32_t fn = (uint32_t)x0;
    if (!(fn & SMC64_BIT)) {
        x1 = (uint32_t)x1;
        x2 = (uint32_t)x2;
        x3 = (uint32_t)x3;
    }
    unsigned caller = p->caller < p->num_cpus ? p->caller : 0;
    enum psci_action action = PSCI_ACTION_NONE;
    int64_t ret = PSCI_RET_SUCCESS;

    switch (fn) {
    case PSCI_0_2_FN_PSCI_VERSION:
        ret = PSCI_VERSION_1_0;
        break;
    case PSCI_0_2_FN_CPU_SUSPEND:
    case PSCI_0_2_FN64_CPU_SUSPEND:
        /* Original power_state format: StateID [15:0], StateType [16], no affinity
         * levels (QEMU's check). Every state is entered as standby, i.e. WFI, which a
         * powerdown request may be by the specification; the call returns SUCCESS. */
        if ((uint32_t)x1 & 0xfffe0000u)
            ret = invalid(p, "CPU_SUSPEND power_state", x1);
        else
            action = PSCI_ACTION_CPU_SUSPEND;
        break;
    case PSCI_0_2_FN_CPU_OFF:
        p->state[caller] = PSCI_CPU_OFF;
        action = PSCI_ACTION_CPU_OFF;
        break;
    case PSCI_0_2_FN_CPU_ON:
    case PSCI_0_2_FN64_CPU_ON: {
        int target = cpu_by_mpidr(p, x1);
        if (target < 0) {
            ret = invalid(p, "CPU_ON of MPIDR", x1);
        } else if (p->state[target] == PSCI_CPU_ON) {
            ret = PSCI_RET_ALREADY_ON;
        } else {
            p->state[target] = PSCI_CPU_ON;
            p->cpu_on.cpu = (unsigned)target;
            p->cpu_on.entry = x2;
            p->cpu_on.context_id = x3;
            action = PSCI_ACTION_CPU_ON;
        }
        break;
    }
    case PSCI_0_2_FN_AFFINITY_INFO:
    case PSCI_0_2_FN64_AFFINITY_INFO:
        ret = affinity_info(p, x1, x2);
        break;
    case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
        ret = PSCI_TOS_NOT_PRESENT_MP;
        break;
    case PSCI_0_2_FN_SYSTEM_OFF:
        action = PSCI_ACTION_SYSTEM_OFF;
        break;
    case PSCI_0_2_FN_SYSTEM_RESET:
        action = PSCI_ACTION_SYSTEM_RESET;
        break;
    case PSCI_1_0_FN_PSCI_FEATURES:
        /* CPU_SUSPEND's feature flags are 0 (original power_state format, platform
         * coordination only), the value QEMU returns. */
        ret = implemented((uint32_t)x1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
        break;
    case SMCCC_VERSION_FN:
        ret = SMCCC_VERSION_1_1;
        break;
    case SMCCC_ARCH_FEATURES_FN:
        /* No workaround or optional architecture call is implemented (KVM answers
         * NOT_SUPPORTED for SMCCC_VERSION here too). */
        ret = PSCI_RET_NOT_SUPPORTED;
        break;
    default:
        p->unsupported_calls++;
        ret = PSCI_RET_NOT_SUPPORTED;
        break;
    }
    *result = (uint64_t)ret;
    return action;
}
