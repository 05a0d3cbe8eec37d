/* Starting the engine in a KVM VM (engine_vm.h). */
#include "hypervisor/engine_vm.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hypervisor/boot_tables.h"
#include "hypervisor/host_platform.h"

/* engine.elf next to the ferry binary, or one folder up (build/san/ferry uses the
 * same build/engine.elf as build/ferry). */
static int default_engine_path(char *path, size_t size)
{
    char exe[PATH_MAX], *dir;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    dir = dirname(exe);
    snprintf(path, size, "%s/engine.elf", dir);
    if (access(path, F_OK) == 0)
        return 0;
    snprintf(path, size, "%s/../engine.elf", dir);
    if (access(path, F_OK) == 0)
        return 0;
    snprintf(path, size, "%s/engine.elf", dir);
    return 0;
}

int engine_vm_prepare(struct engine_vm *e, const struct ferry_options *o, enum ferry_boot_mode mode,
                      uint64_t guest_ram, const char *who)
{
    char err[512];
    *e = (struct engine_vm){ .vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 } };
    if (o->engine_path)
        snprintf(e->engine_path, sizeof e->engine_path, "%s", o->engine_path);
    else if (default_engine_path(e->engine_path, sizeof e->engine_path) != 0) {
        fprintf(stderr, "%s: cannot find the engine: /proc/self/exe unreadable; use --engine PATH\n", who);
        return 1;
    }
    e->flavour = host_kvm_flavour(getenv("FERRY_KVM_FLAVOUR"), "/sys/module", err, sizeof err);
    if (!e->flavour) {
        fprintf(stderr, "%s: %s\n", who, err);
        return 2;
    }
    /* The engine file first: it is the likelier mistake, and needs no KVM. */
    if (engine_elf_open(e->engine_path, o->engine_memory, &e->elf, err, sizeof err) != 0) {
        fprintf(stderr, "%s: engine %s: %s%s\n", who, e->engine_path, err,
                o->engine_path ? "" : " (build it with make, or give --engine PATH)");
        return 1;
    }
    e->elf_open = true;
    if (kvm_vm_open(&e->vm, o->kvm_device, err, sizeof err) != 0 ||
        kvm_vm_create(&e->vm, o->engine_memory, guest_ram, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return 1;
    }
    engine_elf_load(&e->elf, e->vm.engine_memory);
    e->cr3 = boot_tables_build(e->vm.engine_memory, e->vm.engine_memory_size);
    e->tsc_khz = kvm_vm_tsc_khz(&e->vm);
    if (!e->tsc_khz)
        e->tsc_khz = host_measure_tsc_khz();
    e->info = (struct ferry_boot_info *)(e->vm.engine_memory + FERRY_BOOT_INFO_PHYS);
    e->shared = (struct ferry_shared *)(e->vm.engine_memory + FERRY_SHARED_PHYS);
    *e->info = (struct ferry_boot_info){
        .magic = FERRY_BOOT_MAGIC,
        .abi_version = FERRY_ABI_VERSION,
        .kvm_flavour = e->flavour,
        .mode = mode,
        .tsc_khz = e->tsc_khz,
        .engine_image_end = e->elf.image_phys_end,
        .engine_mem_end = e->vm.engine_memory_size,
        .guest_ram_size = guest_ram,
    };
    return 0;
}

int engine_vm_enter(struct engine_vm *e, const char *who)
{
    char err[512];
    if (kvm_vm_enter_long_mode(&e->vm, e->cr3, e->elf.entry, FERRY_DIRECT_MAP_BASE + FERRY_BOOT_INFO_PHYS,
                               err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return 1;
    }
    return 0;
}

void engine_vm_close(struct engine_vm *e)
{
    kvm_vm_close(&e->vm);
    if (e->elf_open)
        engine_elf_close(&e->elf);
    e->elf_open = false;
}
