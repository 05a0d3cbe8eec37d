/* The platform layer: the handful of privileged operations whose implementation
 * differs between hardware KVM (plain privileged instructions, platform_hw.c) and the
 * pv-lite KVM of the CI machines (hypercalls after registering the vIF page,
 * platform_pvlite.c). Everything else in the engine is identical on both. One
 * implementation is chosen at boot from ferry_boot_info.kvm_flavour. */
#ifndef ENGINE_PLATFORM_H
#define ENGINE_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>

struct platform_ops {
    const char *name;
    /* Called once, first thing at boot (pv-lite registers its vIF page here);
     * 0 on success, a negative error number otherwise. */
    int64_t (*init)(void);
    void (*load_root)(uint64_t root_phys);     /* switch page-table root (CR3) */
    void (*flush_one)(uint64_t va);            /* drop one page's translation */
    void (*flush_all)(void);                   /* drop all (non-global) translations */
    void (*halt)(void);                        /* wait for an interrupt */
    void (*irq_enable)(void);
    void (*irq_disable)(void);
    void (*load_gdt)(uint64_t base, uint16_t limit);
    void (*load_idt)(uint64_t base, uint16_t limit);
    void (*load_tr)(uint16_t selector);
    /* The faulting address of the page fault being handled (CR2). */
    uint64_t (*fault_address)(void);
};

extern const struct platform_ops *platform;
extern const struct platform_ops platform_hw_ops;
extern const struct platform_ops platform_pvlite_ops;

/* Selects the implementation for `kvm_flavour` (enum ferry_kvm_flavour) and runs its
 * init; returns init's result. An unknown flavour selects the hardware implementation
 * (it issues no pv-lite hypercalls, so it is the safe choice) and returns
 * PLATFORM_UNKNOWN_FLAVOUR. */
#define PLATFORM_UNKNOWN_FLAVOUR (-22)
int64_t platform_select(uint32_t kvm_flavour);

#endif
