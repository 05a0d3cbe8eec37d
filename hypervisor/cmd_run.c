/* `ferry run`: boots a guest kernel on the virt board. The system emulator runs in the
 * ferry process for now (hosted_machine.c); the engine's system mode under KVM is the
 * next step, and says so when asked for. */
#include <stdio.h>

#include "hypervisor/commands.h"
#include "hypervisor/system/hosted_machine.h"

int ferry_run_command(const struct ferry_options *o)
{
    if (!o->hosted)
        fprintf(stderr, "ferry run: the engine does not run system-mode guests yet; running the "
                        "system emulator in this process (as --hosted does)\n");
    return hosted_machine_run(o);
}
