/* The engine's C entry: bring up the platform (pv-lite: vIF registration, before
 * anything else), descriptor tables, memory management, then run the requested mode. */
#include <ferry/abi.h>
#include <ferry/support.h>
#include "console.h"
#include "cpu.h"
#include "descriptors.h"
#include "guest_machine.h"
#include "hypercall.h"
#include "paging.h"
#include "phys_alloc.h"
#include "platform.h"
#include "selftest.h"
#include "tsc.h"

/* A private copy: the host's page is not ours to keep relying on. */
static struct ferry_boot_info boot;

_Noreturn void engine_main(const struct ferry_boot_info *boot_in);

_Noreturn void engine_main(const struct ferry_boot_info *boot_in)
{
    /* First: on pv-lite every instruction before the vIF registration is emulated. */
    int64_t platform_status = platform_select(boot_in->kvm_flavour);

    boot = *boot_in;
    if (boot.magic != FERRY_BOOT_MAGIC || boot.abi_version != FERRY_ABI_VERSION)
        fy_panic("boot information has magic 0x%lx, ABI version %u; this engine expects ABI %u",
                 (unsigned long)boot.magic, boot.abi_version, FERRY_ABI_VERSION);
    if (platform_status == PLATFORM_UNKNOWN_FLAVOUR)
        fy_panic("unknown KVM flavour %u in the boot information", boot.kvm_flavour);
    if (platform_status != 0)
        fy_panic("%s: platform start-up failed with %ld", platform->name, (long)platform_status);
    boot.cmdline[sizeof boot.cmdline - 1] = '\0';
    if (boot.mode == FERRY_MODE_RUN)
        console_route_logs_to_host();     /* the console is the guest's from the start */
    tsc_init(boot.tsc_khz);

    descriptors_init();

    uint64_t image_end_phys = image_virt_to_phys(__image_end);
    if (boot.engine_image_end < image_end_phys || boot.engine_mem_end > FERRY_ENGINE_PHYS_END ||
        boot.engine_mem_end <= boot.engine_image_end)
        fy_panic("bad engine memory range in the boot information: image end 0x%lx (image needs "
                 "0x%lx), memory end 0x%lx (limit 0x%llx)",
                 (unsigned long)boot.engine_image_end, (unsigned long)image_end_phys,
                 (unsigned long)boot.engine_mem_end, FERRY_ENGINE_PHYS_END);
    if (!phys_alloc_init(boot.engine_image_end, boot.engine_mem_end))
        fy_panic("engine memory 0x%lx-0x%lx is too small", (unsigned long)boot.engine_image_end,
                 (unsigned long)boot.engine_mem_end);
    const char *why = "";
    if (!paging_init(&boot, &why))
        fy_panic("building the engine page tables failed: %s", why);

    /* a guest's run prints only what the guest prints, unless counters were asked for */
    if (boot.mode != FERRY_MODE_RUN || (boot.run_flags & FERRY_RUN_STATS))
        fy_log("engine: %s, %lu MB engine memory, TSC %lu kHz", platform->name,
               (unsigned long)((boot.engine_mem_end - boot.engine_image_end) >> 20),
               (unsigned long)tsc_khz());

    switch (boot.mode) {
    case FERRY_MODE_SELFTEST:
        selftest_run(&boot);
    case FERRY_MODE_RUN:
        guest_machine_run(&boot);
    default:
        fy_panic("unknown boot mode %u", boot.mode);
    }
}
