/* `ferry run` under KVM: the host side of the engine's run mode. The host loads the
 * guest (kernel, initrd, DTB) into the VM's guest RAM, starts the engine, drains its
 * console, feeds it console input and a millisecond tick from a thread of its own, and
 * sleeps for it when the guest waits for an interrupt. */
#ifndef FERRY_HYPERVISOR_SYSTEM_ENGINE_MACHINE_H
#define FERRY_HYPERVISOR_SYSTEM_ENGINE_MACHINE_H

#include "hypervisor/cli_options.h"

/* Returns ferry run's exit status (docs/usage.md); 1 after one message for a bad file,
 * option or an engine that cannot start. */
int engine_machine_run(const struct ferry_options *options);

#endif
