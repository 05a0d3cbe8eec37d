/* The virt board in the ferry process (hosted_machine.h): the home that
 * arch/aarch64/virt_machine.c runs in without KVM. */
#include "hypervisor/system/hosted_machine.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "arch/aarch64/virt_machine.h"
#include "ferry/virt_board.h"
#include "hypervisor/board/virt_guest.h"
#include "hypervisor/system/system_trace.h"
#include "hypervisor/system/terminal.h"
#include "hypervisor/trace/trace_signals.h"

#define CONSOLE_BUFFER 4096

struct hosted_home {
    uint64_t start_ns;
    uint8_t out[CONSOLE_BUFFER];
    size_t out_len;
    struct terminal term;
    uint8_t in[CONSOLE_BUFFER];   /* input read but not yet taken by the UART */
    size_t in_len;
    struct trace_recorder *trace; /* --trace, or NULL */
};

/* How often translated code is asked to return to the run loop, so timers, interrupts
 * and console input are served while guest code runs chained. */
#define EXIT_REQUEST_PERIOD_US 1000

static volatile uint8_t *exit_request;
static volatile sig_atomic_t devices_due = 1;

static void on_tick(int sig)
{
    (void)sig;
    *exit_request = 1;
    devices_due = 1;
}

static bool start_ticks(struct virt_machine *m)
{
    exit_request = m->exit_request;
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

static bool tick_due(void *ctx)
{
    (void)ctx;
    if (!devices_due) return false;
    devices_due = 0;
    return true;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Host time since boot at VIRT_CNTFRQ_HZ (62.5 MHz: 16 ns). */
static uint64_t counter_now(void *ctx)
{
    const struct hosted_home *h = ctx;
    return (monotonic_ns() - h->start_ns) / (1000000000ull / VIRT_CNTFRQ_HZ);
}

static uint64_t wallclock_seconds(void *ctx)
{
    (void)ctx;
    return (uint64_t)time(NULL);
}

static void console_flush(void *ctx)
{
    struct hosted_home *h = ctx;
    terminal_write(h->out, h->out_len);
    h->out_len = 0;
}

static void console_out(void *ctx, uint8_t byte)
{
    struct hosted_home *h = ctx;
    h->out[h->out_len++] = byte;
    if (h->out_len == sizeof(h->out)) console_flush(h);
}

/* Reads what stdin has (without blocking), also while the UART does not listen, so the
 * end of input is seen (a guest waiting with nothing else to wake it then stops), and
 * gives the UART what it takes. */
static void console_poll(void *ctx, struct virt_machine *m)
{
    struct hosted_home *h = ctx;
    if (h->in_len < sizeof h->in)
        h->in_len += terminal_read(&h->term, h->in + h->in_len, sizeof h->in - h->in_len, 0);
    size_t taken = virt_machine_console_input(m, h->in, h->in_len);
    memmove(h->in, h->in + taken, h->in_len - taken);
    h->in_len -= taken;
    if (h->term.quit) m->quit_status = 0;
}

static bool host_sleep(void *ctx, uint64_t timeout_ns)
{
    struct hosted_home *h = ctx;
    if (timeout_ns == UINT64_MAX && !h->term.input_open) return false;
    /* at most a second at a time: the loop then looks at the devices again */
    if (timeout_ns > 1000000000ull) timeout_ns = 1000000000ull;
    if (h->in_len == sizeof h->in) {
        /* nothing more can be read until the guest takes some: just sleep */
        struct timespec t = { (time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u) };
        nanosleep(&t, NULL);
    } else {
        terminal_wait(&h->term, timeout_ns);
    }
    return true;
}

static void before_run(void *ctx, struct virt_machine *m)
{
    struct hosted_home *h = ctx;
    if (h->trace) system_trace_resume(h->trace, &m->cpu);
}

static int after_run(void *ctx, struct virt_machine *m, ir_exit_kind kind)
{
    struct hosted_home *h = ctx;
    if (!h->trace) return -1;
    int stop = trace_signals_caught();
    if (stop) {
        /* it arrived while recording: the trace holds everything up to here */
        trace_signals_report("ferry run", stop);
        return 128 + stop;                  /* as the shell reports a death by signal */
    }
    if (system_trace_exit(h->trace, &m->cpu, kind) != 0) {
        system_trace_abort(h->trace, &m->cpu);     /* the message is out: once is enough */
        h->trace = NULL;
        return 1;
    }
    if (trace_recorder_window_done(h->trace)) {
        /* nothing more will be recorded: finish the file, run on uninstrumented */
        struct trace_recorder *t = h->trace;
        h->trace = NULL;
        trace_signals_release();
        if (system_trace_close(t, &m->cpu, m->jit) != 0) return 1;
    }
    return -1;
}

int hosted_machine_run(const struct ferry_options *o, const char *notice)
{
    static struct virt_machine machine;   /* large (the CPU's TLB); one per process */
    static struct hosted_home home;
    struct virt_machine *m = &machine;
    struct hosted_home *h = &home;
    uint64_t ram_size = o->guest_memory;
    uint8_t *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        fprintf(stderr, "ferry run: cannot allocate %" PRIu64 " MiB of guest RAM: %s\n", ram_size >> 20,
                strerror(errno));
        return 1;
    }
    uint64_t *code_pages = NULL;
    if (!o->interp) {
        /* translations are keyed by physical address: the CPU tracks their pages */
        code_pages = calloc((ram_size / 4096 + 63) / 64, sizeof(uint64_t));
        if (!code_pages) {
            fprintf(stderr, "ferry run: cannot allocate the code page map: %s\n", strerror(errno));
            return 1;
        }
    }
    h->start_ns = monotonic_ns();
    struct virt_machine_home ops = {
        .ctx = h, .console_out = console_out, .console_flush = console_flush, .console_poll = console_poll,
        .counter_now = counter_now, .wallclock_seconds = wallclock_seconds, .sleep = host_sleep,
        .tick_due = tick_due, .before_run = before_run, .after_run = after_run,
    };
    if (!virt_machine_build(m, ram, ram_size, code_pages, &ops)) {
        fprintf(stderr, "ferry run: internal error: the device regions overlap\n");
        return 1;
    }
    struct virt_guest_entry entry;
    int rc = virt_guest_load(o, ram, ram_size, &entry);
    if (rc != 0) return rc < 0 ? 1 : 0;
    m->cpu.s.PC = entry.pc;
    for (unsigned i = 0; i < 4; i++) m->cpu.s.X[i] = entry.x[i];
    if (notice) fprintf(stderr, "%s\n", notice);
    if (o->trace && !(h->trace = system_trace_open(o->trace, &o->trace_options, &m->cpu))) return 1;
    if (!o->interp) {
        struct jit_config cfg = virt_machine_jit_config(m);
        if (h->trace) system_trace_configure_jit(h->trace, &cfg);
        if (!virt_machine_start_jit(m, &cfg) || !start_ticks(m)) {
            fprintf(stderr, "ferry run: cannot start the JIT: %s\n", strerror(errno));
            return 1;
        }
    }
    if (h->trace) trace_signals_catch(m->jit ? m->exit_request : NULL);
    terminal_open(&h->term);
    int status = virt_machine_run(m);
    if (m->jit) stop_ticks();
    console_flush(h);
    terminal_restore(&h->term);
    if (o->stats) {
        char text[2048];
        virt_machine_format_stats(m, monotonic_ns() - h->start_ns, "soft-tlb", text, sizeof text);
        fputs(text, stderr);
    }
    trace_signals_release();
    if (h->trace && system_trace_close(h->trace, &m->cpu, NULL) != 0 && status == 0) status = 1;
    return status;
}
