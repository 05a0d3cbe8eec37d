/* Run mode: the virt board (arch/aarch64/virt_machine.c) in the engine, on guest RAM
 * the host filled (kernel, initrd, DTB), with the software-TLB memory strategy. */
#ifndef ENGINE_GUEST_MACHINE_H
#define ENGINE_GUEST_MACHINE_H

#include <ferry/abi.h>

_Noreturn void guest_machine_run(const struct ferry_boot_info *boot);

#endif
