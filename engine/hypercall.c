/* Hypercall transport: arguments into ferry_shared.hc, the call number out of the
 * hypercall port, the result back from ferry_shared.hc.ret. */
#include "hypercall.h"
#include "cpu.h"

int64_t hypercall(enum ferry_hypercall nr, uint64_t arg0, uint64_t arg1)
{
    return hypercall3(nr, arg0, arg1, 0);
}

int64_t hypercall3(enum ferry_hypercall nr, uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
    volatile struct ferry_hc_block *hc = &shared_area()->hc;
    hc->args[0] = arg0;
    hc->args[1] = arg1;
    hc->args[2] = arg2;
    hc->ret = 0;
    /* The "memory" clobber in cpu_outl orders the argument stores before the exit and
     * the result load after it. */
    cpu_outl(FERRY_HC_PORT, (uint32_t)nr);
    return hc->ret;
}

_Noreturn void hypercall_exit(uint64_t status)
{
    for (;;)
        hypercall(FERRY_HC_EXIT, status, 0);
}
