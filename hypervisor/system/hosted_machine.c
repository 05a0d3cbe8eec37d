/* The virt board in the ferry process (hosted_machine.h). */
#include "hypervisor/system/hosted_machine.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "arch/aarch64/cpu_system.h"
#include "devices/generic_timer.h"
#include "devices/gicv2.h"
#include "devices/mmio.h"
#include "devices/pl011.h"
#include "devices/pl031.h"
#include "devices/psci.h"
#include "ferry/virt_board.h"
#include "hypervisor/board/kernel_loader.h"
#include "hypervisor/board/virt_dtb.h"
#include "hypervisor/system/system_trace.h"

/* Instructions the interpreter runs between two looks at the devices and interrupts. */
#define RUN_SLICE 4096
#define CONSOLE_BUFFER 4096
#define CTRL_A 0x01

struct machine {
    uint8_t *ram;
    uint64_t ram_size;
    struct mmio_bus bus;
    struct gicv2 gic;
    struct gtimer timer;
    struct pl011 uart;
    struct pl031 rtc;
    struct psci psci;
    struct a64_cpu cpu;
    uint64_t start_ns;
    /* console */
    uint8_t out[CONSOLE_BUFFER];
    size_t out_len;
    bool stdin_open, stdin_tty, escape;
    struct termios saved_termios;
    int quit_status;            /* >= 0: Ctrl-A x asked to stop */
    uint64_t insns;             /* interpreted (the JIT's are in its statistics) */
    jit *jit;                   /* NULL: the interpreter runs the guest */
    uint64_t *code_pages;       /* RAM pages with translations (a64_machine_if) */
    struct trace_recorder *trace; /* --trace, or NULL */
};

/* How often translated code is asked to return to the run loop, so timers, interrupts
 * and console input are served while guest code runs chained. */
#define EXIT_REQUEST_PERIOD_US 1000

static volatile uint8_t *exit_request;
/* Set by every tick: the run loop looks at the devices that move with time (reading the
 * host clock costs more than a guest exception on some hosts, so not at every exit). */
static volatile sig_atomic_t devices_due = 1;

static void on_tick(int sig)
{
    (void)sig;
    *exit_request = 1;
    devices_due = 1;
}

static bool start_ticks(struct machine *m)
{
    exit_request = jit_exit_request(m->jit);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_tick;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    struct itimerval period = { { 0, EXIT_REQUEST_PERIOD_US }, { 0, EXIT_REQUEST_PERIOD_US } };
    return sigaction(SIGALRM, &sa, NULL) == 0 && setitimer(ITIMER_REAL, &period, NULL) == 0;
}

static void stop_ticks(void)
{
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
}

/* The JIT over the CPU's system memory model: translations specialised on the CPU's
 * modes (EL, SP alignment), exit requests for the run loop. */
static bool start_jit(struct machine *m)
{
    struct jit_config cfg = {
        .state_size = sizeof(struct a64_state),
        .pc_offset = offsetof(struct a64_state, PC),
        .memory = m->cpu.memory,
        .translate = a64_translate_block, .flags = a64_jit_flags(),
        .translate_ctx = &m->cpu.memory,
        .modes = a64_modes_key,
        .exit_requests = true,
    };
    if (m->trace) system_trace_configure_jit(m->trace, &cfg);
    m->jit = jit_new(&cfg);
    return m->jit && start_ticks(m);
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The generic timer's count: host time since boot at VIRT_CNTFRQ_HZ (62.5 MHz: 16 ns). */
static uint64_t counter_now(void *ctx)
{
    const struct machine *m = ctx;
    return (monotonic_ns() - m->start_ns) / (1000000000ull / VIRT_CNTFRQ_HZ);
}

static uint64_t wallclock_seconds(void *ctx)
{
    (void)ctx;
    return (uint64_t)time(NULL);
}

/* ---- console ------------------------------------------------------------------------ */
static void console_flush(struct machine *m)
{
    size_t done = 0;
    while (done < m->out_len) {
        ssize_t n = write(STDOUT_FILENO, m->out + done, m->out_len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;                   /* output gone: the guest runs on */
        done += (size_t)n;
    }
    m->out_len = 0;
}

static void uart_tx(void *ctx, uint8_t byte)
{
    struct machine *m = ctx;
    m->out[m->out_len++] = byte;
    if (m->out_len == sizeof(m->out)) console_flush(m);
}

static void console_restore(struct machine *m)
{
    if (m->stdin_tty) tcsetattr(STDIN_FILENO, TCSANOW, &m->saved_termios);
}

/* A terminal goes to raw mode (the guest sees every key; Ctrl-A x quits, as in QEMU). */
static void console_open(struct machine *m)
{
    m->quit_status = -1;
    m->stdin_open = fcntl(STDIN_FILENO, F_GETFL) >= 0;
    if (m->stdin_open && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &m->saved_termios) == 0) {
        struct termios raw = m->saved_termios;
        cfmakeraw(&raw);
        raw.c_oflag |= OPOST | ONLCR;            /* keep newline handling on output */
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) m->stdin_tty = true;
    }
}

/* Moves what stdin has (without blocking) into the UART's receive FIFO, once the guest
 * has enabled the UART and its receiver (CR.UARTEN, CR.RXE): input typed or piped before
 * that waits in stdin instead of being lost when the driver resets the FIFOs. */
static void console_poll(struct machine *m)
{
    const uint32_t receiving = 0x301;      /* RXE | TXE | UARTEN, as drivers enable it */
    if (!m->stdin_open || (m->uart.cr & 0x201) != (receiving & 0x201)) return;
    size_t space = pl011_rx_space(&m->uart);
    if (space == 0) return;
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0) return;
    uint8_t buf[64];
    ssize_t n = read(STDIN_FILENO, buf, space < sizeof(buf) ? space : sizeof(buf));
    if (n <= 0) {
        if (n == 0 || (errno != EINTR && errno != EAGAIN)) m->stdin_open = false;
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (m->stdin_tty && m->escape) {
            m->escape = false;
            if (buf[i] == 'x') { m->quit_status = 0; return; }
            if (buf[i] != CTRL_A) continue;       /* Ctrl-A Ctrl-A sends one Ctrl-A */
        } else if (m->stdin_tty && buf[i] == CTRL_A) {
            m->escape = true;
            continue;
        }
        pl011_receive(&m->uart, &buf[i], 1);
    }
}

/* ---- setup -------------------------------------------------------------------------- */
static bool add_region(struct machine *m, const char *name, uint64_t base, uint64_t size,
                       const struct mmio_ops *ops, void *dev)
{
    struct mmio_region r = { .name = name, .base = base, .size = size, .ops = ops, .dev = dev };
    return mmio_bus_add(&m->bus, &r);
}

/* a64_machine_if.code_written: the guest wrote to a page translated code came from. */
static void code_written(void *ctx, uint64_t pa_page)
{
    struct machine *m = ctx;
    if (m->jit) jit_invalidate_phys(m->jit, pa_page, 4096);
}

static int build_board(struct machine *m)
{
    m->start_ns = monotonic_ns();
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
        return -1;
    struct a64_machine_if mif = { .ram = m->ram, .ram_base = VIRT_RAM_BASE, .ram_size = m->ram_size, .bus = &m->bus,
                                  .code_pages = m->code_pages, .code_written = code_written, .code_ctx = m };
    a64_cpu_init(&m->cpu, &mif, &m->timer, counter_now, m);
    return 0;
}

/* Loads kernel, initrd and DTB as QEMU's -kernel does; 1: done (--dump-dtb), -1: error. */
static int load_guest(struct machine *m, const struct ferry_options *o)
{
    char err[512];
    struct kernel_boot boot;
    struct kernel_load_options lo = { .initrd_path = o->initrd };
    if (kernel_load(o->kernel, m->ram, VIRT_RAM_BASE, m->ram_size, &lo, &boot, err, sizeof err) != 0) {
        fprintf(stderr, "ferry run: %s\n", err);
        return -1;
    }
    struct virt_dtb_config cfg = { .ram_base = VIRT_RAM_BASE, .ram_size = m->ram_size, .num_cpus = 1,
                                   .bootargs = o->append, .initrd_start = boot.initrd_start,
                                   .initrd_size = boot.initrd_size };
    void *dtb = NULL;
    size_t dtb_size = 0;
    int rc = o->dtb ? dtb_load_file(o->dtb, &dtb, &dtb_size, err, sizeof err) : virt_dtb_build(&cfg, &dtb, &dtb_size, err, sizeof err);
    if (rc == 0 && o->dtb) rc = virt_dtb_fixup(o->dtb, &dtb, &dtb_size, &cfg, err, sizeof err);
    if (rc == 0 && o->dump_dtb) {
        rc = dtb_write_file(o->dump_dtb, dtb, dtb_size, err, sizeof err);
        free(dtb);
        if (rc == 0) return 1;
    }
    if (rc == 0) rc = kernel_place_dtb(m->ram, VIRT_RAM_BASE, m->ram_size, dtb, dtb_size, &boot, err, sizeof err) < 0;
    free(dtb);
    if (rc != 0) {
        fprintf(stderr, "ferry run: %s\n", err);
        return -1;
    }
    struct a64_state *s = &m->cpu.s;
    s->PC = boot.entry;
    for (unsigned i = 0; i < 4; i++) s->X[i] = boot.x[i];
    return 0;
}

/* ---- running ------------------------------------------------------------------------ */
static bool irq_pending(const struct machine *m) { return gicv2_irq_line(&m->gic, 0); }

/* Device state that moves with time: timer outputs, the RTC alarm, console input. */
static uint64_t poll_devices(struct machine *m)
{
    uint64_t next = gtimer_update(&m->timer, counter_now(m));
    pl031_update(&m->rtc);
    console_poll(m);
    return next;
}

/* WFI with nothing pending: sleep until the timer's next deadline, the RTC's next alarm
 * or console input. False when nothing can ever wake the CPU. */
static bool wait_for_interrupt(struct machine *m)
{
    console_flush(m);
    for (;;) {
        uint64_t next = poll_devices(m);
        if (irq_pending(m) || m->quit_status >= 0) return true;
        int64_t timeout_ms = -1;
        uint64_t now = counter_now(m);
        if (next != UINT64_MAX) {
            uint64_t ticks = next > now ? next - now : 0;
            timeout_ms = (int64_t)(ticks / (VIRT_CNTFRQ_HZ / 1000)) + 1;
        }
        uint64_t rtc = pl031_next_event(&m->rtc);
        if (rtc != UINT64_MAX) {
            uint64_t secs = time(NULL);
            int64_t ms = rtc > secs ? (int64_t)(rtc - secs) * 1000 : 0;
            if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = ms;
        }
        if (timeout_ms < 0 && !m->stdin_open) return false;
        struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
        poll(&p, m->stdin_open ? 1 : 0, timeout_ms > 1000 ? 1000 : (int)timeout_ms);
    }
}

static int firmware_call(struct machine *m)
{
    struct a64_state *s = &m->cpu.s;
    uint64_t result = 0;
    m->psci.caller = 0;
    switch (psci_call(&m->psci, s->X[0], s->X[1], s->X[2], s->X[3], &result)) {
    case PSCI_ACTION_SYSTEM_OFF: return FERRY_EXIT_POWER_OFF;
    case PSCI_ACTION_SYSTEM_RESET: return FERRY_EXIT_RESET;
    case PSCI_ACTION_CPU_OFF:
        fprintf(stderr, "ferry run: the only CPU turned itself off (PSCI CPU_OFF)\n");
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

static void print_stats(const struct machine *m)
{
    const struct a64_cpu *c = &m->cpu;
    double secs = (double)(monotonic_ns() - m->start_ns) / 1e9;
    fprintf(stderr,
            "ferry stats: wall_s=%.3f insns=%" PRIu64 " exceptions=%" PRIu64 " interrupts=%" PRIu64
            " system_insns=%" PRIu64 "\n",
            secs, m->insns, c->exceptions, c->interrupts, c->system_insns);
    fprintf(stderr,
            "ferry stats: mmu=soft-tlb tlb_misses=%" PRIu64 " tlb_fills=%" PRIu64 " tlb_flushes=%" PRIu64
            " table_switches=%" PRIu64 " memory_faults=%" PRIu64 "\n",
            c->tlb_misses, c->tlb_fills, c->tlb_flushes, c->table_switches, c->memory_faults);
    if (m->jit) {
        struct jit_stats js;
        jit_get_stats(m->jit, &js);
        fprintf(stderr,
                "ferry stats: translations=%" PRIu64 " translated_insns=%" PRIu64 " cache_flushes=%" PRIu64
                " mapping_changes=%" PRIu64 " code_writes=%" PRIu64 " page_invalidations=%" PRIu64
                " translations_invalidated=%" PRIu64 " dispatcher_entries=%" PRIu64 "\n",
                js.blocks_translated, js.guest_insns_translated, js.cache_flushes, js.mapping_changes,
                c->code_writes, js.page_invalidations, js.blocks_invalidated, js.dispatcher_entries);
    }
    fprintf(stderr, "ferry stats: uart_invalid=%" PRIu64 " gic_invalid=%" PRIu64 " rtc_invalid=%" PRIu64 "\n",
            m->uart.invalid_accesses, m->gic.invalid_accesses, m->rtc.invalid_accesses);
}

static int run(struct machine *m)
{
    struct a64_cpu *cpu = &m->cpu;
    for (unsigned slice = 0;; slice++) {
        /* with the JIT, timer deadlines and console input are seen within a tick, as
         * they are while translated code runs chained; the interpreter's slices are long */
        if (!m->jit || devices_due) {
            devices_due = 0;
            poll_devices(m);
        }
        if (m->quit_status >= 0) return m->quit_status;
        if (irq_pending(m) && !a64_cpu_irq_masked(cpu))
            a64_cpu_take_exception(cpu, 1, 0, false, 0, cpu->s.PC);
        if (a64_cpu_check_illegal_state(cpu)) continue;
        a64_cpu_sync_jit(cpu, m->jit);
        uint64_t info = 0;
        ir_exit_kind kind;
        if (m->trace) system_trace_resume(m->trace, cpu);
        if (m->jit) {
            kind = jit_run(m->jit, &cpu->s, &info);
            *exit_request = 0;
        } else {
            uint64_t budget = RUN_SLICE;
            kind = a64_interp_run(&cpu->s, &cpu->memory, &info, &budget);
            m->insns += RUN_SLICE - budget;
        }
        if ((slice & 63) == 0) console_flush(m);
        if (m->trace && system_trace_exit(m->trace, cpu, kind) != 0) {
            system_trace_abort(m->trace, cpu);     /* the message is out: once is enough */
            m->trace = NULL;
            return 1;
        }
        if (m->trace && trace_recorder_window_done(m->trace)) {
            /* nothing more will be recorded: finish the file, run on uninstrumented */
            struct trace_recorder *t = m->trace;
            m->trace = NULL;
            if (system_trace_close(t, cpu, m->jit) != 0) return 1;
        }
        switch (a64_cpu_handle_exit(cpu, kind, info, irq_pending(m))) {
        case A64_CPU_CONTINUE:
            break;
        case A64_CPU_WAIT:
            if (!wait_for_interrupt(m)) {
                console_flush(m);
                fprintf(stderr, "ferry run: the guest waits for an interrupt (WFI at 0x%" PRIx64
                                ") with nothing left that could raise one\n", cpu->s.PC - 4);
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

int hosted_machine_run(const struct ferry_options *o, const char *notice)
{
    static struct machine machine;        /* large (the CPU's TLB); one per process */
    struct machine *m = &machine;
    m->ram_size = o->guest_memory;
    m->ram = mmap(NULL, m->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->ram == MAP_FAILED) {
        fprintf(stderr, "ferry run: cannot allocate %" PRIu64 " MiB of guest RAM: %s\n", m->ram_size >> 20,
                strerror(errno));
        return 1;
    }
    if (!o->interp) {
        /* translations are keyed by physical address: the CPU tracks their pages */
        m->code_pages = calloc((m->ram_size / 4096 + 63) / 64, sizeof(uint64_t));
        if (!m->code_pages) {
            fprintf(stderr, "ferry run: cannot allocate the code page map: %s\n", strerror(errno));
            return 1;
        }
    }
    if (build_board(m) != 0) {
        fprintf(stderr, "ferry run: internal error: the device regions overlap\n");
        return 1;
    }
    int rc = load_guest(m, o);
    if (rc != 0) return rc < 0 ? 1 : 0;
    if (notice) fprintf(stderr, "%s\n", notice);
    if (o->trace && !(m->trace = system_trace_open(o->trace, &o->trace_options, &m->cpu))) return 1;
    if (!o->interp && !start_jit(m)) {
        fprintf(stderr, "ferry run: cannot start the JIT: %s\n", strerror(errno));
        return 1;
    }
    console_open(m);
    int status = run(m);
    if (m->jit) stop_ticks();
    console_flush(m);
    console_restore(m);
    if (o->stats) print_stats(m);
    if (m->trace && system_trace_close(m->trace, &m->cpu, NULL) != 0 && status == 0) status = 1;
    return status;
}
