/* KVM plumbing for the engine VM. Nothing here knows about hypercalls: that is the
 * run loop's business (vm_loop.c). */
#include "hypervisor/kvm_vm.h"
#include "hypervisor/error_text.h"

#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ferry/abi.h"
#include "hypervisor/huge_pages.h"

#define KVM_EXPECTED_API_VERSION 12
#define PAGE_SIZE 0x1000ull

int kvm_vm_open(struct kvm_vm *vm, const char *device, char *err, size_t err_size)
{
    static const struct {
        int cap;
        const char *name;
    } required[] = {
        { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
        { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
    };
    int version;
    *vm = (struct kvm_vm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
    vm->kvm_fd = open(device, O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        ferry_set_error(err, err_size, "cannot open %s: %s (is KVM available? see --kvm-device)",
                  device, strerror(errno));
        return -1;
    }
    version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (version < 0) {
        ferry_set_error(err, err_size, "%s is not a KVM device: KVM_GET_API_VERSION failed: %s",
                  device, strerror(errno));
        return -1;
    }
    if (version != KVM_EXPECTED_API_VERSION) {
        ferry_set_error(err, err_size, "%s: KVM API version %d, ferry needs %d", device, version,
                  KVM_EXPECTED_API_VERSION);
        return -1;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required[i].cap) <= 0) {
            ferry_set_error(err, err_size, "%s: KVM lacks the extension %s", device, required[i].name);
            return -1;
        }
    }
    vm->has_immediate_exit = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0;
    return 0;
}

static int add_memory_slot(struct kvm_vm *vm, uint32_t slot, uint64_t phys, uint64_t size,
                           void *host, char *err, size_t err_size)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .guest_phys_addr = phys,
        .memory_size = size,
        .userspace_addr = (uint64_t)(uintptr_t)host,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) != 0) {
        ferry_set_error(err, err_size, "KVM_SET_USER_MEMORY_REGION [0x%llx, +0x%llx) failed: %s",
                  (unsigned long long)phys, (unsigned long long)size, strerror(errno));
        return -1;
    }
    return 0;
}

static int set_cpuid(struct kvm_vm *vm, char *err, size_t err_size)
{
    struct kvm_cpuid2 *cpuid = NULL;
    for (uint32_t entries = 64; entries <= 4096; entries *= 2) {
        free(cpuid);
        cpuid = calloc(1, sizeof *cpuid + entries * sizeof cpuid->entries[0]);
        if (!cpuid) {
            ferry_set_error(err, err_size, "out of memory for CPUID entries");
            return -1;
        }
        cpuid->nent = entries;
        if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
            break;
        if (errno != E2BIG) {
            ferry_set_error(err, err_size, "KVM_GET_SUPPORTED_CPUID failed: %s", strerror(errno));
            free(cpuid);
            return -1;
        }
        cpuid->nent = 0;
    }
    if (!cpuid->nent || ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid) != 0) {
        ferry_set_error(err, err_size, "KVM_SET_CPUID2 failed: %s",
                  cpuid->nent ? strerror(errno) : "no CPUID entries");
        free(cpuid);
        return -1;
    }
    free(cpuid);
    return 0;
}

int kvm_vm_create(struct kvm_vm *vm, uint64_t engine_memory, uint64_t guest_ram, char *err,
                  size_t err_size)
{
    int mmap_size;
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0) {
        ferry_set_error(err, err_size, "KVM_CREATE_VM failed: %s", strerror(errno));
        return -1;
    }
    vm->engine_memory = huge_pages_map(engine_memory);
    if (!vm->engine_memory) {
        ferry_set_error(err, err_size, "cannot reserve %llu MiB for the engine: %s",
                  (unsigned long long)(engine_memory >> 20), strerror(errno));
        return -1;
    }
    vm->engine_memory_size = engine_memory;
    /* Slot 0 starts at page 1: VM-physical page 0 has no memory behind it. */
    if (add_memory_slot(vm, 0, PAGE_SIZE, engine_memory - PAGE_SIZE,
                        vm->engine_memory + PAGE_SIZE, err, err_size) != 0)
        return -1;
    if (guest_ram) {
        vm->guest_ram = huge_pages_map(guest_ram);
        if (!vm->guest_ram) {
            ferry_set_error(err, err_size, "cannot reserve %llu MiB of guest RAM: %s",
                      (unsigned long long)(guest_ram >> 20), strerror(errno));
            return -1;
        }
        vm->guest_ram_size = guest_ram;
        if (add_memory_slot(vm, 1, FERRY_GUEST_RAM_PHYS, guest_ram, vm->guest_ram, err,
                            err_size) != 0)
            return -1;
    }
    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0) {
        ferry_set_error(err, err_size, "KVM_CREATE_VCPU failed: %s", strerror(errno));
        return -1;
    }
    mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size < (int)sizeof(struct kvm_run)) {
        ferry_set_error(err, err_size, "KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
        return -1;
    }
    vm->run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED) {
        vm->run = NULL;
        ferry_set_error(err, err_size, "cannot map the vCPU run area: %s", strerror(errno));
        return -1;
    }
    vm->run_size = (size_t)mmap_size;
    return set_cpuid(vm, err, err_size);
}

int kvm_vm_enter_long_mode(struct kvm_vm *vm, uint64_t cr3, uint64_t rip, uint64_t rdi,
                           char *err, size_t err_size)
{
    struct kvm_sregs sregs;
    struct kvm_regs regs = { .rip = rip, .rdi = rdi, .rflags = 0x2 };
    const struct kvm_segment code = {
        .base = 0, .limit = 0xfffff, .selector = 0x10, .type = 0xb, .present = 1,
        .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
    };
    const struct kvm_segment data = {
        .base = 0, .limit = 0xfffff, .selector = 0x18, .type = 0x3, .present = 1,
        .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
    };
    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs) != 0) {
        ferry_set_error(err, err_size, "KVM_GET_SREGS failed: %s", strerror(errno));
        return -1;
    }
    /* PG, WP, NE, ET, MP, PE; PAE only (pv-lite refuses PCIDE); LMA, LME, SCE and NXE. */
    sregs.cr0 = 0x80050033;
    /* PAE, OSFXSR and OSXMMEXCPT (translated code and the FP helpers use SSE), and
     * OSXSAVE where the CPU has XSAVE, so that XCR0 below can enable AVX: without it the
     * JIT has no VEX FMA and FMLA/FMADD take the helper path (matmul_double 12 in the
     * engine: 3.66 s without, 0.39 s with). */
    uint32_t eax, ebx, ecx, edx;
    bool xsave = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && ((ecx >> 26) & 1);
    sregs.cr4 = 0x20 | 0x600 | (xsave ? 0x40000 : 0);
    sregs.efer = 0xd01;
    sregs.cr3 = cr3;
    sregs.cs = code;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
    memset(&sregs.ldt, 0, sizeof sregs.ldt);
    sregs.ldt.unusable = 1;
    /* A busy 64-bit TSS descriptor: VM entry on VMX insists on one. The engine loads
     * its own GDT, IDT and TSS before it relies on any of them. */
    memset(&sregs.tr, 0, sizeof sregs.tr);
    sregs.tr.present = 1;
    sregs.tr.type = 11;
    sregs.tr.limit = 0x67;
    sregs.gdt.base = 0;
    sregs.gdt.limit = 0;
    sregs.idt.base = 0;
    sregs.idt.limit = 0;
    if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs) != 0) {
        ferry_set_error(err, err_size, "KVM_SET_SREGS (long mode) failed: %s", strerror(errno));
        return -1;
    }
    if (xsave && __get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx)) {
        /* x87, SSE and AVX state where the CPU has them. A refusal only costs speed:
         * the JIT checks XCR0 itself and then uses no VEX instructions. */
        struct kvm_xcrs xcrs = { .nr_xcrs = 1, .xcrs = { { .xcr = 0, .value = eax & 7 } } };
        (void)ioctl(vm->vcpu_fd, KVM_SET_XCRS, &xcrs);
    }
    if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs) != 0) {
        ferry_set_error(err, err_size, "KVM_SET_REGS failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

uint64_t kvm_vm_tsc_khz(struct kvm_vm *vm)
{
    int khz;
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ) <= 0)
        return 0;
    khz = ioctl(vm->vcpu_fd, KVM_GET_TSC_KHZ, 0);
    return khz > 0 ? (uint64_t)khz : 0;
}

static void dump_segment(FILE *out, const char *name, const struct kvm_segment *s)
{
    fprintf(out, "  %-3s sel 0x%04x base 0x%016llx limit 0x%08x type 0x%x dpl %u l %u p %u\n",
            name, s->selector, (unsigned long long)s->base, s->limit, s->type, s->dpl, s->l,
            s->present);
}

void kvm_vm_dump_registers(struct kvm_vm *vm, FILE *out)
{
    struct kvm_regs r;
    struct kvm_sregs s;
    if (ioctl(vm->vcpu_fd, KVM_GET_REGS, &r) != 0) {
        fprintf(out, "  (registers unavailable: KVM_GET_REGS: %s)\n", strerror(errno));
        return;
    }
    fprintf(out, "  RIP 0x%016llx RSP 0x%016llx RFLAGS 0x%llx\n", r.rip, r.rsp, r.rflags);
    fprintf(out, "  RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx RDX 0x%016llx\n", r.rax, r.rbx,
            r.rcx, r.rdx);
    fprintf(out, "  RSI 0x%016llx RDI 0x%016llx RBP 0x%016llx R8  0x%016llx\n", r.rsi, r.rdi,
            r.rbp, r.r8);
    fprintf(out, "  R9  0x%016llx R10 0x%016llx R11 0x%016llx R12 0x%016llx\n", r.r9, r.r10,
            r.r11, r.r12);
    fprintf(out, "  R13 0x%016llx R14 0x%016llx R15 0x%016llx\n", r.r13, r.r14, r.r15);
    if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &s) != 0) {
        fprintf(out, "  (system registers unavailable: KVM_GET_SREGS: %s)\n", strerror(errno));
        return;
    }
    fprintf(out, "  CR0 0x%llx CR2 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx\n", s.cr0, s.cr2,
            s.cr3, s.cr4, s.efer);
    fprintf(out, "  GDT base 0x%016llx limit 0x%x  IDT base 0x%016llx limit 0x%x\n",
            s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
    dump_segment(out, "CS", &s.cs);
    dump_segment(out, "SS", &s.ss);
    dump_segment(out, "DS", &s.ds);
    dump_segment(out, "TR", &s.tr);
}

void kvm_vm_close(struct kvm_vm *vm)
{
    if (vm->run)
        munmap(vm->run, vm->run_size);
    if (vm->vcpu_fd >= 0)
        close(vm->vcpu_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
    if (vm->engine_memory)
        huge_pages_unmap(vm->engine_memory, vm->engine_memory_size);
    if (vm->guest_ram)
        huge_pages_unmap(vm->guest_ram, vm->guest_ram_size);
    *vm = (struct kvm_vm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
}

const char *kvm_exit_reason_name(uint32_t reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
        [KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
        [KVM_EXIT_IO] = "KVM_EXIT_IO",
        [KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
        [KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
        [KVM_EXIT_HLT] = "KVM_EXIT_HLT",
        [KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
        [KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN (triple fault)",
        [KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
        [KVM_EXIT_INTR] = "KVM_EXIT_INTR",
        [KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
        [KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
        [KVM_EXIT_NMI] = "KVM_EXIT_NMI",
        [KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
        [KVM_EXIT_OSI] = "KVM_EXIT_OSI",
        [KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
    };
    if (reason < sizeof names / sizeof names[0] && names[reason])
        return names[reason];
    return "unknown exit reason";
}
