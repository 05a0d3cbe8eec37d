/* The KVM virtual machine that holds the engine: device checks, memory slots laid
 * out as in include/ferry/abi.h, one vCPU started in 64-bit long mode, and
 * register dumps for reports. */
#ifndef FERRY_KVM_VM_H
#define FERRY_KVM_VM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kvm_vm {
    int kvm_fd, vm_fd, vcpu_fd;
    struct kvm_run *run;
    size_t run_size;
    uint8_t *engine_memory;   /* host view of VM-physical [0, engine_memory_size) */
    uint64_t engine_memory_size;
    uint8_t *guest_ram;       /* host view of FERRY_GUEST_RAM_PHYS + [0, guest_ram_size) */
    uint64_t guest_ram_size;
    bool has_immediate_exit;
};

/* Opens the KVM device and checks the API version and the extensions ferry needs.
 * On failure writes one line (no "ferry: " prefix, no newline) naming the device. */
int kvm_vm_open(struct kvm_vm *vm, const char *device, char *err, size_t err_size);
/* Creates the VM, its memory slots (page 0 stays unbacked so null physical accesses
 * exit) and the vCPU with the host's supported CPUID. */
int kvm_vm_create(struct kvm_vm *vm, uint64_t engine_memory, uint64_t guest_ram, char *err,
                  size_t err_size);
/* Long mode, CPL 0, paging on with root cr3; rip, rdi as given; interrupts off. */
int kvm_vm_enter_long_mode(struct kvm_vm *vm, uint64_t cr3, uint64_t rip, uint64_t rdi,
                           char *err, size_t err_size);
/* The guest TSC frequency KVM reports, or 0 when it cannot tell. */
uint64_t kvm_vm_tsc_khz(struct kvm_vm *vm);
/* Prints the vCPU's general, control and segment registers. */
void kvm_vm_dump_registers(struct kvm_vm *vm, FILE *out);
void kvm_vm_close(struct kvm_vm *vm);

const char *kvm_exit_reason_name(uint32_t reason);

#endif
