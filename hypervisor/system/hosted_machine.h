/* The virt board emulated in the ferry process (`ferry run --hosted`, and on machines
 * without /dev/kvm): guest RAM, the CPU (arch/aarch64/cpu_system.h), the devices (GICv2,
 * generic timer, PL011, PL031, PSCI) on one bus, the console on stdio, and the run loop.
 * The same CPU and device code runs in the engine under KVM; only this glue differs. */
#ifndef FERRY_HYPERVISOR_SYSTEM_HOSTED_MACHINE_H
#define FERRY_HYPERVISOR_SYSTEM_HOSTED_MACHINE_H

#include "hypervisor/cli_options.h"

/* Exit statuses of `ferry run` (docs/usage.md). */
#define FERRY_EXIT_POWER_OFF 0    /* PSCI SYSTEM_OFF */
#define FERRY_EXIT_RESET     3    /* PSCI SYSTEM_RESET (Ferry does not reboot the guest) */
#define FERRY_EXIT_GUEST_HUNG 4   /* every CPU off, or waiting with nothing that can wake it */

/* Boots the kernel the options name and runs it to power-off; returns the exit status
 * (1 with one message on stderr for a bad file or option). A notice, when given, is
 * printed on stderr once the guest is loaded (errors before stay one line). */
int hosted_machine_run(const struct ferry_options *options, const char *notice);

#endif
