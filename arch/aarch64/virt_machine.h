/* The AArch64 virt board and its run loop, one system emulator for its two homes: the
 * engine under KVM (engine/guest_machine.c) and the ferry process
 * (hypervisor/system/hosted_machine.c). The board is the CPU (cpu_system.h) and the
 * devices (GICv2, generic timer, PL011, PL031, PSCI) on one bus over guest RAM; the home
 * supplies RAM, the console, time, sleeping, the tick that makes translated code return
 * to the loop, and optionally trace hooks. Freestanding. */
#ifndef FERRY_ARCH_A64_VIRT_MACHINE_H
#define FERRY_ARCH_A64_VIRT_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/aarch64/cpu_system.h"
#include "devices/generic_timer.h"
#include "devices/gicv2.h"
#include "devices/mmio.h"
#include "devices/pl011.h"
#include "devices/pl031.h"
#include "devices/psci.h"
#include "jit/jit.h"

/* Exit statuses of `ferry run` (docs/usage.md). */
#define FERRY_EXIT_POWER_OFF  0   /* PSCI SYSTEM_OFF */
#define FERRY_EXIT_RESET      3   /* PSCI SYSTEM_RESET (Ferry does not reboot the guest) */
#define FERRY_EXIT_GUEST_HUNG 4   /* every CPU off, or waiting with nothing that can wake it */

struct virt_machine;

/* What the home provides. Every hook but the trace hooks is required. */
struct virt_machine_home {
    void *ctx;
    /* A byte the UART sent; the home buffers it until console_flush. */
    void (*console_out)(void *ctx, uint8_t byte);
    /* The guest pauses, waits or stops: show what is buffered. */
    void (*console_flush)(void *ctx);
    /* Moves pending console input into the UART (virt_machine_console_input); may set
     * the machine's quit_status (Ctrl-A x). */
    void (*console_poll)(void *ctx, struct virt_machine *m);
    /* The generic timer's count: ticks at VIRT_CNTFRQ_HZ since the machine started. */
    uint64_t (*counter_now)(void *ctx);
    uint64_t (*wallclock_seconds)(void *ctx);
    /* Sleeps until timeout_ns have passed (UINT64_MAX: no timeout) or console input
     * arrives; false, without sleeping, when neither can ever happen. */
    bool (*sleep)(void *ctx, uint64_t timeout_ns);
    /* True once per tick (the home's period, 1 ms): the loop then looks at the devices
     * that move with time. Reading the clock at every exit costs too much on some hosts. */
    bool (*tick_due)(void *ctx);
    /* Optional: before every run of guest code, and after it returned with kind (before
     * the CPU handles the exit); after_run returns -1 to go on, or a status to stop with. */
    void (*before_run)(void *ctx, struct virt_machine *m);
    int (*after_run)(void *ctx, struct virt_machine *m, ir_exit_kind kind);
};

struct virt_machine {
    struct a64_cpu cpu;              /* large (the TLBs): the machine is never on a stack */
    uint8_t *ram;
    uint64_t ram_size;
    struct mmio_bus bus;
    struct gicv2 gic;
    struct gtimer timer;
    struct pl011 uart;
    struct pl031 rtc;
    struct psci psci;
    struct virt_machine_home home;
    jit *jit;                        /* NULL: the interpreter runs the guest */
    uint64_t *code_pages;            /* RAM pages with translations (a64_machine_if) */
    volatile uint8_t *exit_request;  /* the JIT's; the home's tick sets it */
    uint64_t interp_insns;           /* instructions the interpreter ran */
    int quit_status;                 /* >= 0: the home asked to stop with this status */
};

/* Wires the board over ram (ram_size bytes at VIRT_RAM_BASE). code_pages: a zeroed
 * bitmap of ram_size / 4096 bits when translated code will run, else NULL. False when
 * the device regions cannot be registered (an internal error). */
bool virt_machine_build(struct virt_machine *m, uint8_t *ram, uint64_t ram_size, uint64_t *code_pages,
                        const struct virt_machine_home *home);
/* The JIT configuration for this machine's CPU; the home may add its trace settings
 * before virt_machine_start_jit. */
struct jit_config virt_machine_jit_config(struct virt_machine *m);
/* Creates the JIT; false when it cannot (no memory). */
bool virt_machine_start_jit(struct virt_machine *m, const struct jit_config *cfg);
/* Delivers console input to the UART once the guest enabled it and its receiver, so
 * input that arrives earlier waits instead of being lost when the driver resets the
 * FIFOs. Returns how many bytes it took (at most n; 0 while the UART does not listen). */
size_t virt_machine_console_input(struct virt_machine *m, const uint8_t *bytes, size_t n);
/* How many bytes the UART would take now (0 while it does not listen). */
size_t virt_machine_console_space(const struct virt_machine *m);
/* Runs the guest until it powers off, resets, hangs or the home asks to stop; returns
 * the exit status (FERRY_EXIT_*, quit_status, or the status an after_run hook gave). */
int virt_machine_run(struct virt_machine *m);
/* The `--stats` lines (each starting "ferry stats: ", newline-terminated) after
 * elapsed_ns of running; returns the length written (truncated to size). */
size_t virt_machine_format_stats(const struct virt_machine *m, uint64_t elapsed_ns, const char *mmu,
                                 char *buf, size_t size);

#endif
