/* Run mode (guest_machine.h): the engine as the home of the virt board. Console output
 * goes into the shared console ring in batches, input comes from the host's input ring,
 * time from the TSC; WFI with nothing pending sleeps in the host (FERRY_HC_WAIT), and the
 * host's ticker sets the JIT's exit-request byte every millisecond so translated code
 * returns to the run loop (FERRY_HC_TICKS). */
#include "guest_machine.h"

#include <ferry/support.h>
#include "arch/aarch64/virt_machine.h"
#include "console.h"
#include "fatal.h"
#include "guest_trace.h"
#include "ferry/virt_board.h"
#include "hypercall.h"
#include "paging.h"
#include "tsc.h"

struct engine_home {
    uint64_t start_tsc;
    uint32_t ticks_seen;         /* the host's tick count at the last look */
    uint64_t wallclock_at_start;
    struct guest_trace *trace;   /* --trace, or NULL */
};

static struct virt_machine machine;    /* large (the CPU's TLBs) */
static struct engine_home home;

static uint64_t elapsed_ns(const struct engine_home *h)
{
    return tsc_ticks_to_ns(tsc_now() - h->start_tsc);
}

static uint64_t counter_now(void *ctx)
{
    return elapsed_ns(ctx) / (1000000000ull / VIRT_CNTFRQ_HZ);
}

static uint64_t wallclock_seconds(void *ctx)
{
    const struct engine_home *h = ctx;
    return h->wallclock_at_start + elapsed_ns(h) / 1000000000ull;
}

static void console_out(void *ctx, uint8_t byte)
{
    (void)ctx;
    console_write((const char *)&byte, 1);
}

static void flush(void *ctx)
{
    (void)ctx;
    console_flush();
}

/* Input the host put into the ring goes to the UART as far as it takes it. */
static void console_poll(void *ctx, struct virt_machine *m)
{
    (void)ctx;
    volatile struct ferry_input_ring *in = &shared_area()->input;
    if (in->quit) m->quit_status = 0;
    uint32_t tail = in->tail, head = in->head;
    if (head - tail > FERRY_INPUT_SIZE) head = tail + FERRY_INPUT_SIZE;  /* the host is not trusted */
    while (tail != head) {
        uint8_t byte = in->data[tail % FERRY_INPUT_SIZE];
        if (virt_machine_console_input(m, &byte, 1) == 0) break;
        tail++;
    }
    __asm__ volatile("" : : : "memory");      /* the bytes are read before the slot is freed */
    in->tail = tail;
}

static bool host_sleep(void *ctx, uint64_t timeout_ns)
{
    (void)ctx;
    return hypercall(FERRY_HC_WAIT, timeout_ns, 0) == 0;
}

static bool tick_due(void *ctx)
{
    struct engine_home *h = ctx;
    uint32_t ticks = shared_area()->input.ticks;
    if (ticks == h->ticks_seen) return false;
    h->ticks_seen = ticks;
    return true;
}

static void before_run(void *ctx, struct virt_machine *m)
{
    struct engine_home *h = ctx;
    guest_trace_before_run(h->trace, m);
}

static int after_run(void *ctx, struct virt_machine *m, ir_exit_kind kind)
{
    struct engine_home *h = ctx;
    return guest_trace_after_run(h->trace, m, kind);
}

/* The VM-physical address of an engine virtual address (the exit-request byte lives in
 * the JIT's data, in the code cache). */
static uint64_t engine_phys(const volatile void *p)
{
    uint64_t va = (uint64_t)(uintptr_t)p, size = 0;
    uint64_t pte = paging_lookup(kernel_root_phys, va, &size);
    if (!pte) fy_panic("engine address 0x%lx is not mapped", (unsigned long)va);
    return (pte & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
}

_Noreturn void guest_machine_run(const struct ferry_boot_info *boot)
{
    struct virt_machine *m = &machine;
    struct engine_home *h = &home;
    console_route_logs_to_host();
    if (boot->guest_ram_size == 0)
        fy_panic("bad guest RAM size 0x%lx in the boot information", (unsigned long)boot->guest_ram_size);
    uint8_t *ram = (uint8_t *)(uintptr_t)(FERRY_DIRECT_MAP_BASE + FERRY_GUEST_RAM_PHYS);
    bool interp = boot->run_flags & FERRY_RUN_INTERP;
    uint64_t *code_pages = interp ? NULL : fy_alloc((boot->guest_ram_size / 4096 + 63) / 64 * sizeof(uint64_t));

    h->start_tsc = tsc_now();
    h->wallclock_at_start = boot->wallclock_seconds;
    struct virt_machine_home ops = {
        .ctx = h, .console_out = console_out, .console_flush = flush, .console_poll = console_poll,
        .counter_now = counter_now, .wallclock_seconds = wallclock_seconds, .sleep = host_sleep,
        .tick_due = tick_due,
    };
    bool traced = boot->run_flags & (FERRY_RUN_TRACE_FULL | FERRY_RUN_TRACE_BLOCKS);
    if (traced) {
        ops.before_run = before_run;
        ops.after_run = after_run;
    }
    if (!virt_machine_build(m, ram, boot->guest_ram_size, code_pages, &ops))
        fy_panic("the virt board's device regions overlap");
    m->cpu.s.PC = boot->guest_entry_pc;
    for (unsigned i = 0; i < 4; i++) m->cpu.s.X[i] = boot->guest_entry_x[i];
    fatal_set_guest_pc(&m->cpu.s.PC);

    uint64_t exit_request_phys = 0;
    struct jit_config cfg = virt_machine_jit_config(m);
    if (traced) h->trace = guest_trace_start(m, boot->run_flags & FERRY_RUN_TRACE_FULL, &cfg);
    if (!interp) {
        if (!virt_machine_start_jit(m, &cfg)) fy_panic("cannot start the JIT");
        exit_request_phys = engine_phys(m->exit_request);
    }
    hypercall(FERRY_HC_TICKS, exit_request_phys, 0);

    int status = virt_machine_run(m);
    console_flush();
    if (h->trace && guest_trace_finish(h->trace, m) != 0 && status == 0) status = 1;
    if (boot->run_flags & FERRY_RUN_STATS) {
        static char text[2048];
        virt_machine_format_stats(m, elapsed_ns(h), "soft-tlb", text, sizeof text);
        console_log_line(text, strlen(text));
    }
    hypercall_exit((uint64_t)status);
}
