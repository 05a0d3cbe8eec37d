/* `ferry selftest`: boot the engine in self-test mode, serve it, print its table and
 * the summary line that scripts read. */
#include <stdio.h>

#include "ferry/abi.h"
#include "hypervisor/commands.h"
#include "hypervisor/engine_vm.h"
#include "hypervisor/host_platform.h"
#include "hypervisor/selftest_report.h"
#include "hypervisor/vm_loop.h"


static uint64_t crash_flags(enum ferry_crash_kind crash)
{
    switch (crash) {
    case FERRY_CRASH_PAGE_FAULT: return FERRY_BOOT_CRASH_PAGE_FAULT;
    case FERRY_CRASH_INVALID_OPCODE: return FERRY_BOOT_CRASH_UD;
    case FERRY_CRASH_PANIC: return FERRY_BOOT_CRASH_PANIC;
    case FERRY_CRASH_NESTED: return FERRY_BOOT_CRASH_NESTED;
    case FERRY_CRASH_STACK: return FERRY_BOOT_CRASH_STACK;
    case FERRY_CRASH_NONE: break;
    }
    return 0;
}

int ferry_selftest_command(const struct ferry_options *o)
{
    struct engine_vm e;
    struct vm_session session = { 0 };
    enum vm_outcome outcome;
    int code = engine_vm_prepare(&e, o, FERRY_MODE_SELFTEST, 0, "ferry");
    if (code != 0)
        goto out;
    e.info->flags = crash_flags(o->crash);
    e.info->selftest_iterations = o->iterations;
    code = engine_vm_enter(&e, "ferry");
    if (code != 0)
        goto out;
    printf("ferry selftest: KVM %s, TSC %llu.%03llu MHz, engine %s (%llu KiB), %llu MiB engine "
           "memory\n",
           host_kvm_flavour_name(e.flavour), (unsigned long long)(e.tsc_khz / 1000),
           (unsigned long long)(e.tsc_khz % 1000), e.engine_path,
           (unsigned long long)((e.elf.image_phys_end - FERRY_ENGINE_PHYS) >> 10),
           (unsigned long long)(e.vm.engine_memory_size >> 20));
    fflush(stdout);

    session = (struct vm_session){
        .vm = &e.vm,
        .shared = e.shared,
        .symbols = &e.elf.symbols,
        .watchdog_seconds = o->watchdog_seconds,
    };
    code = 1;
    outcome = vm_session_run(&session);
    if (session.have_selftest) {
        struct selftest_summary summary;
        selftest_report_print(stdout, &session.selftest, &summary);
        if (outcome != VM_EXITED) {
            summary.failed++;
        } else if (session.exit_status != 0 && summary.failed == 0) {
            /* A failing status with no failed row is a failure the table does not
             * show; with failed rows the status just repeats them. */
            fprintf(stderr, "ferry: the engine exited with status %llu\n",
                    (unsigned long long)session.exit_status);
            summary.failed++;
        }
        selftest_summary_print(stdout, &summary);
        fflush(stdout);
        code = summary.failed ? 1 : 0;
    }
    switch (outcome) {
    case VM_EXITED:
        if (session.exit_status != 0)
            code = vm_session_exit_code(&session, outcome);
        else if (!session.have_selftest) {
            fprintf(stderr, "ferry: the engine exited without reporting selftest results\n");
            code = 1;
        }
        break;
    default:
        code = vm_session_exit_code(&session, outcome);
        break;
    }
out:
    engine_vm_close(&e);
    return code;
}
