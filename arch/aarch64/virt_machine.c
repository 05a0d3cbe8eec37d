/* The virt board and its run loop, shared by the engine and the ferry process
 * (virt_machine.h). */
#include "arch/aarch64/virt_machine.h"

#include <ferry/support.h>
#include "ferry/virt_board.h"

/* Instructions the interpreter runs between two looks at the devices and interrupts. */
#define RUN_SLICE 4096

static uint64_t counter_now(void *ctx)
{
    const struct virt_machine *m = ctx;
    return m->home.counter_now(m->home.ctx);
}

static uint64_t wallclock_seconds(void *ctx)
{
    const struct virt_machine *m = ctx;
    return m->home.wallclock_seconds(m->home.ctx);
}

static void uart_tx(void *ctx, uint8_t byte)
{
    const struct virt_machine *m = ctx;
    m->home.console_out(m->home.ctx, byte);
}

/* a64_machine_if.code_written: the guest wrote to a page translated code came from. */
static void code_written(void *ctx, uint64_t pa_page)
{
    struct virt_machine *m = ctx;
    if (m->jit) jit_invalidate_phys(m->jit, pa_page, 4096);
}

static bool add_region(struct virt_machine *m, const char *name, uint64_t base, uint64_t size,
                       const struct mmio_ops *ops, void *dev)
{
    struct mmio_region r = { .name = name, .base = base, .size = size, .ops = ops, .dev = dev };
    return mmio_bus_add(&m->bus, &r);
}

bool virt_machine_build(struct virt_machine *m, uint8_t *ram, uint64_t ram_size, uint64_t *code_pages,
                        const struct virt_machine_home *home)
{
    m->ram = ram;
    m->ram_size = ram_size;
    m->code_pages = code_pages;
    m->home = *home;
    m->quit_status = -1;
    gicv2_init(&m->gic, 1, VIRT_GIC_SPI_BASE_INTID + VIRT_GIC_NUM_SPIS);
    gtimer_init(&m->timer, VIRT_CNTFRQ_HZ,
                gicv2_ppi_irq_line(&m->gic, 0, VIRT_GIC_PPI_BASE_INTID + VIRT_TIMER_NS_EL1_PPI),
                gicv2_ppi_irq_line(&m->gic, 0, VIRT_GIC_PPI_BASE_INTID + VIRT_TIMER_VIRT_PPI));
    pl011_init(&m->uart, uart_tx, m, gicv2_spi_irq_line(&m->gic, VIRT_GIC_SPI_BASE_INTID + VIRT_UART_SPI));
    pl031_init(&m->rtc, wallclock_seconds, m, gicv2_spi_irq_line(&m->gic, VIRT_GIC_SPI_BASE_INTID + VIRT_RTC_SPI));
    psci_init(&m->psci, 1);
    mmio_bus_init(&m->bus);
    if (!add_region(m, "gic-dist", VIRT_GIC_DIST_BASE, VIRT_GIC_DIST_SIZE, &gicv2_dist_ops, &m->gic) ||
        !add_region(m, "gic-cpu", VIRT_GIC_CPU_BASE, VIRT_GIC_CPU_SIZE, &gicv2_cpu_ops, &m->gic) ||
        !add_region(m, "pl011", VIRT_UART_BASE, VIRT_UART_SIZE, &pl011_ops, &m->uart) ||
        !add_region(m, "pl031", VIRT_RTC_BASE, VIRT_RTC_SIZE, &pl031_ops, &m->rtc))
        return false;
    struct a64_machine_if mif = { .ram = ram, .ram_base = VIRT_RAM_BASE, .ram_size = ram_size, .bus = &m->bus,
                                  .code_pages = code_pages, .code_written = code_written, .code_ctx = m };
    a64_cpu_init(&m->cpu, &mif, &m->timer, counter_now, m);
    return true;
}

/* Translations specialised on the CPU's modes (EL, SP alignment), keyed by physical
 * address, with exit requests for the run loop. */
struct jit_config virt_machine_jit_config(struct virt_machine *m)
{
    return (struct jit_config){
        .state_size = sizeof(struct a64_state),
        .pc_offset = offsetof(struct a64_state, PC),
        .memory = m->cpu.memory,
        .translate = a64_translate_block, .flags = a64_jit_flags(),
        .translate_ctx = &m->cpu.memory,
        .modes = a64_modes_key,
        .exit_requests = true,
        .exit_requests_in_loops = true,
    };
}

bool virt_machine_start_jit(struct virt_machine *m, const struct jit_config *cfg)
{
    m->jit = jit_new(cfg);
    if (!m->jit) return false;
    m->exit_request = jit_exit_request(m->jit);
    return true;
}

size_t virt_machine_console_space(const struct virt_machine *m)
{
    /* RXE and UARTEN, as drivers enable them (TXE too) */
    const uint32_t receiving = 0x201;
    if ((m->uart.cr & receiving) != receiving) return 0;
    return pl011_rx_space(&m->uart);
}

size_t virt_machine_console_input(struct virt_machine *m, const uint8_t *bytes, size_t n)
{
    size_t space = virt_machine_console_space(m);
    if (n > space) n = space;
    if (n) pl011_receive(&m->uart, bytes, n);
    return n;
}

static bool irq_pending(const struct virt_machine *m) { return gicv2_irq_line(&m->gic, 0); }

/* Device state that moves with time: timer outputs, the RTC alarm, console input.
 * Returns the timer's next deadline (UINT64_MAX: none). */
static uint64_t poll_devices(struct virt_machine *m)
{
    uint64_t next = gtimer_update(&m->timer, counter_now(m));
    pl031_update(&m->rtc);
    m->home.console_poll(m->home.ctx, m);
    return next;
}

/* A wait shorter than this spins on the counter instead of sleeping: a sleep costs more
 * than that in both homes (a VM exit from the engine, 30-40 us on pv-lite; the kernel's
 * 50 us timer slack hosted), so a 10 us timer deadline would fire several times late
 * (bench/mechanisms.sh, timer-10us). KVM's halt polling makes the same trade. */
#define SPIN_WAIT_NS 100000ull

/* WFI with nothing pending: sleep until the timer's next deadline, the RTC's next alarm
 * or console input. False when nothing can ever wake the CPU. */
static bool wait_for_interrupt(struct virt_machine *m)
{
    m->home.console_flush(m->home.ctx);
    for (;;) {
        uint64_t next = poll_devices(m);
        if (irq_pending(m) || m->quit_status >= 0) return true;
        uint64_t timeout_ns = UINT64_MAX;
        if (next != UINT64_MAX) {
            uint64_t now = counter_now(m);
            timeout_ns = (next > now ? next - now : 0) * (1000000000ull / VIRT_CNTFRQ_HZ);
        }
        uint64_t rtc = pl031_next_event(&m->rtc);
        if (rtc != UINT64_MAX) {
            uint64_t secs = wallclock_seconds(m);
            uint64_t ns = rtc > secs ? (rtc - secs) * 1000000000ull : 0;
            if (ns < timeout_ns) timeout_ns = ns;
        }
        if (timeout_ns < SPIN_WAIT_NS) {
            uint64_t until = counter_now(m) + timeout_ns / (1000000000ull / VIRT_CNTFRQ_HZ);
            while (counter_now(m) < until) __builtin_ia32_pause();
            continue;
        }
        if (!m->home.sleep(m->home.ctx, timeout_ns)) return false;
    }
}

/* HVC/SMC at EL1: PSCI. Returns an exit status, or -1 to run on. */
static int firmware_call(struct virt_machine *m)
{
    struct a64_state *s = &m->cpu.s;
    uint64_t result = 0;
    m->psci.caller = 0;
    switch (psci_call(&m->psci, s->X[0], s->X[1], s->X[2], s->X[3], &result)) {
    case PSCI_ACTION_SYSTEM_OFF: return FERRY_EXIT_POWER_OFF;
    case PSCI_ACTION_SYSTEM_RESET: return FERRY_EXIT_RESET;
    case PSCI_ACTION_CPU_OFF:
        fy_log("ferry run: the only CPU turned itself off (PSCI CPU_OFF)");
        return FERRY_EXIT_GUEST_HUNG;
    case PSCI_ACTION_CPU_SUSPEND:
        s->X[0] = result;
        if (!irq_pending(m) && !wait_for_interrupt(m)) return FERRY_EXIT_GUEST_HUNG;
        return -1;
    default:                                   /* NONE, CPU_ON (no second CPU to start) */
        s->X[0] = result;
        return -1;
    }
}

int virt_machine_run(struct virt_machine *m)
{
    struct a64_cpu *cpu = &m->cpu;
    const struct virt_machine_home *home = &m->home;
    for (unsigned slice = 0;; slice++) {
        /* with the JIT, timer deadlines and console input are seen within a tick, as
         * they are while translated code runs chained; the interpreter's slices are long */
        if (!m->jit || home->tick_due(home->ctx)) poll_devices(m);
        if (m->quit_status >= 0) return m->quit_status;
        if (irq_pending(m) && !a64_cpu_irq_masked(cpu))
            a64_cpu_take_exception(cpu, 1, 0, false, 0, cpu->s.PC);
        /* PSTATE.IL: the instruction at PC takes the exception. A trace first gives what
         * the runtime changed (an illegal ERET's NZCV, say) to the last instruction, then
         * records that instruction with the exception. */
        if (cpu->illegal_state && home->before_run) home->before_run(home->ctx, m);
        if (a64_cpu_check_illegal_state(cpu)) continue;
        a64_cpu_sync_jit(cpu, m->jit);
        uint64_t info = 0;
        ir_exit_kind kind;
        if (home->before_run) home->before_run(home->ctx, m);
        if (m->jit) {
            kind = jit_run(m->jit, &cpu->s, &info);
            *m->exit_request = 0;
        } else {
            uint64_t budget = RUN_SLICE;
            kind = a64_interp_run(&cpu->s, &cpu->memory, &info, &budget);
            m->interp_insns += RUN_SLICE - budget;
        }
        if ((slice & 63) == 0) home->console_flush(home->ctx);
        if (home->after_run) {
            int status = home->after_run(home->ctx, m, kind);
            if (status >= 0) return status;
        }
        switch (a64_cpu_handle_exit(cpu, kind, info, irq_pending(m))) {
        case A64_CPU_CONTINUE:
            break;
        case A64_CPU_WAIT:
            if (!wait_for_interrupt(m)) {
                home->console_flush(home->ctx);
                fy_log("ferry run: the guest waits for an interrupt (WFI at 0x%llx) with nothing left "
                       "that could raise one", (unsigned long long)(cpu->s.PC - 4));
                return FERRY_EXIT_GUEST_HUNG;
            }
            break;
        case A64_CPU_HVC: {
            int status = firmware_call(m);
            if (status >= 0) return status;
            break;
        }
        }
    }
}

static size_t append(char *buf, size_t size, size_t len, int n)
{
    if (n < 0) return len;
    len += (size_t)n;
    return len < size ? len : (size ? size - 1 : 0);
}

size_t virt_machine_format_stats(const struct virt_machine *m, uint64_t elapsed_ns, const char *mmu,
                                 char *buf, size_t size)
{
    const struct a64_cpu *c = &m->cpu;
    typedef unsigned long long ull;
    size_t len = 0;
    len = append(buf, size, len,
                 fy_snprintf(buf + len, size - len,
                             "ferry stats: wall_s=%llu.%03llu insns=%llu exceptions=%llu interrupts=%llu "
                             "system_insns=%llu\n",
                             (ull)(elapsed_ns / 1000000000u), (ull)(elapsed_ns / 1000000u % 1000u),
                             (ull)m->interp_insns, (ull)c->exceptions, (ull)c->interrupts,
                             (ull)c->system_insns));
    len = append(buf, size, len,
                 fy_snprintf(buf + len, size - len,
                             "ferry stats: mmu=%s tlb_misses=%llu tlb_fills=%llu tlb_flushes=%llu "
                             "table_switches=%llu memory_faults=%llu\n",
                             mmu, (ull)c->tlb_misses, (ull)c->tlb_fills, (ull)c->tlb_flushes,
                             (ull)c->table_switches, (ull)c->memory_faults));
    if (m->jit) {
        struct jit_stats js;
        jit_get_stats(m->jit, &js);
        len = append(buf, size, len,
                     fy_snprintf(buf + len, size - len,
                                 "ferry stats: translations=%llu translated_insns=%llu cache_flushes=%llu "
                                 "mapping_changes=%llu code_writes=%llu page_invalidations=%llu "
                                 "translations_invalidated=%llu dispatcher_entries=%llu\n",
                                 (ull)js.blocks_translated, (ull)js.guest_insns_translated,
                                 (ull)js.cache_flushes, (ull)js.mapping_changes, (ull)c->code_writes,
                                 (ull)js.page_invalidations, (ull)js.blocks_invalidated,
                                 (ull)js.dispatcher_entries));
    }
    len = append(buf, size, len,
                 fy_snprintf(buf + len, size - len,
                             "ferry stats: uart_invalid=%llu gic_invalid=%llu rtc_invalid=%llu\n",
                             (ull)m->uart.invalid_accesses, (ull)m->gic.invalid_accesses,
                             (ull)m->rtc.invalid_accesses));
    return len;
}
