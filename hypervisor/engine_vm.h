/* Starting the engine in a KVM VM, for every command that runs it (selftest, run): find
 * and validate the engine ELF, create the VM with its memory (and guest RAM), load the
 * engine, build the bootstrap page tables and the common part of the boot information,
 * then enter long mode once the caller has added its mode's part. */
#ifndef FERRY_ENGINE_VM_H
#define FERRY_ENGINE_VM_H

#include <limits.h>
#include <stdint.h>

#include "ferry/abi.h"
#include "hypervisor/cli_options.h"
#include "hypervisor/engine_elf.h"
#include "hypervisor/kvm_vm.h"

struct engine_vm {
    struct kvm_vm vm;
    struct engine_elf elf;
    bool elf_open;
    char engine_path[PATH_MAX];
    enum ferry_kvm_flavour flavour;
    uint64_t tsc_khz;
    uint64_t cr3;
    struct ferry_boot_info *info;  /* host view of the boot information page */
    struct ferry_shared *shared;   /* host view of the shared area */
};

/* Creates the VM for `mode` with guest_ram bytes of guest RAM (0: none) and fills the
 * boot information's common fields. Returns 0, or an exit status (1, or 2 for a bad
 * FERRY_KVM_FLAVOUR) after one message on stderr prefixed with `who`. */
int engine_vm_prepare(struct engine_vm *e, const struct ferry_options *o, enum ferry_boot_mode mode,
                      uint64_t guest_ram, const char *who);
/* Puts the vCPU at the engine's entry in long mode. 0, or 1 after a message. */
int engine_vm_enter(struct engine_vm *e, const char *who);
void engine_vm_close(struct engine_vm *e);

#endif
