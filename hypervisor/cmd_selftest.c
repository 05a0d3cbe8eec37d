/* `ferry selftest`: boot the engine in self-test mode, serve it, print its table and
 * the summary line that scripts read. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ferry/abi.h"
#include "hypervisor/boot_tables.h"
#include "hypervisor/commands.h"
#include "hypervisor/engine_elf.h"
#include "hypervisor/host_platform.h"
#include "hypervisor/kvm_vm.h"
#include "hypervisor/selftest_report.h"
#include "hypervisor/vm_loop.h"

#define EXIT_INTERRUPTED 130

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

static int exit_code_for_status(uint64_t status)
{
    return status > 255 ? 255 : (int)status;
}

int ferry_selftest_command(const struct ferry_options *o)
{
    char err[512], engine_path[PATH_MAX];
    struct kvm_vm vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
    struct engine_elf elf;
    struct ferry_boot_info *info;
    struct vm_session session = { 0 };
    enum ferry_kvm_flavour flavour;
    enum vm_outcome outcome;
    uint64_t tsc_khz, cr3;
    int code = 1;

    if (o->engine_path)
        snprintf(engine_path, sizeof engine_path, "%s", o->engine_path);
    else if (default_engine_path(engine_path, sizeof engine_path) != 0) {
        fprintf(stderr, "ferry: cannot find the engine: /proc/self/exe unreadable; use --engine PATH\n");
        return 1;
    }
    flavour = host_kvm_flavour(getenv("FERRY_KVM_FLAVOUR"), "/sys/module", err, sizeof err);
    if (!flavour) {
        fprintf(stderr, "ferry: %s\n", err);
        return 2;
    }
    /* The engine file first: it is the likelier mistake, and needs no KVM. */
    if (engine_elf_open(engine_path, o->engine_memory, &elf, err, sizeof err) != 0) {
        fprintf(stderr, "ferry: engine %s: %s%s\n", engine_path, err,
                o->engine_path ? "" : " (build it with make, or give --engine PATH)");
        return 1;
    }
    if (kvm_vm_open(&vm, o->kvm_device, err, sizeof err) != 0 ||
        kvm_vm_create(&vm, o->engine_memory, 0, err, sizeof err) != 0) {
        fprintf(stderr, "ferry: %s\n", err);
        goto out;
    }
    engine_elf_load(&elf, vm.engine_memory);
    cr3 = boot_tables_build(vm.engine_memory, vm.engine_memory_size);

    tsc_khz = kvm_vm_tsc_khz(&vm);
    if (!tsc_khz)
        tsc_khz = host_measure_tsc_khz();
    info = (struct ferry_boot_info *)(vm.engine_memory + FERRY_BOOT_INFO_PHYS);
    *info = (struct ferry_boot_info){
        .magic = FERRY_BOOT_MAGIC,
        .abi_version = FERRY_ABI_VERSION,
        .kvm_flavour = flavour,
        .mode = FERRY_MODE_SELFTEST,
        .flags = crash_flags(o->crash),
        .tsc_khz = tsc_khz,
        .engine_image_end = elf.image_phys_end,
        .engine_mem_end = vm.engine_memory_size,
        .guest_ram_size = 0,
        .selftest_iterations = o->iterations,
    };
    if (kvm_vm_enter_long_mode(&vm, cr3, elf.entry, FERRY_DIRECT_MAP_BASE + FERRY_BOOT_INFO_PHYS,
                               err, sizeof err) != 0) {
        fprintf(stderr, "ferry: %s\n", err);
        goto out;
    }
    printf("ferry selftest: KVM %s, TSC %llu.%03llu MHz, engine %s (%llu KiB), %llu MiB engine "
           "memory\n",
           host_kvm_flavour_name(flavour), (unsigned long long)(tsc_khz / 1000),
           (unsigned long long)(tsc_khz % 1000), engine_path,
           (unsigned long long)((elf.image_phys_end - FERRY_ENGINE_PHYS) >> 10),
           (unsigned long long)(vm.engine_memory_size >> 20));
    fflush(stdout);

    session = (struct vm_session){
        .vm = &vm,
        .shared = (struct ferry_shared *)(vm.engine_memory + FERRY_SHARED_PHYS),
        .symbols = &elf.symbols,
        .watchdog_seconds = o->watchdog_seconds,
    };
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
            code = exit_code_for_status(session.exit_status);
        else if (!session.have_selftest) {
            fprintf(stderr, "ferry: the engine exited without reporting selftest results\n");
            code = 1;
        }
        break;
    case VM_INTERRUPTED:
        code = EXIT_INTERRUPTED;
        break;
    default:
        code = 1;
        break;
    }
out:
    kvm_vm_close(&vm);
    engine_elf_close(&elf);
    return code;
}
