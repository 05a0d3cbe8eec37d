/* The virt board emulated in the ferry process (`ferry run --hosted`, and on machines
 * without /dev/kvm): the home of arch/aarch64/virt_machine.c here: guest RAM from mmap,
 * the console on stdio, time from the host clock, a SIGALRM tick. The same board and
 * run loop runs in the engine under KVM; only this glue differs. */
#ifndef FERRY_HYPERVISOR_SYSTEM_HOSTED_MACHINE_H
#define FERRY_HYPERVISOR_SYSTEM_HOSTED_MACHINE_H

#include "arch/aarch64/virt_machine.h"   /* FERRY_EXIT_* */
#include "hypervisor/cli_options.h"

/* Boots the kernel the options name and runs it to power-off; returns the exit status
 * (1 with one message on stderr for a bad file or option). A notice, when given, is
 * printed on stderr once the guest is loaded (errors before stay one line). */
int hosted_machine_run(const struct ferry_options *options, const char *notice);

#endif
