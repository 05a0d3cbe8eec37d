/* The run loop and hypercall dispatch. The engine is treated as untrusted: any
 * malformed request gets an error code or a report, never a host crash or hang. */
#include "hypervisor/vm_loop.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>

#include "ferry/compute_loop.h"
#include "hypervisor/console.h"
#include "hypervisor/fatal_report.h"

/* pv-lite's doorbell for pending virtual interrupts; harmless legacy port elsewhere. */
#define PORT_DOORBELL 0x80

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t watchdog_fired;
static volatile sig_atomic_t profile_due;
static struct kvm_run *volatile running;

static void on_stop_signal(int signal_number)
{
    stop_signal = signal_number;
    if (running)
        running->immediate_exit = 1;
}

static void on_watchdog_alarm(int signal_number)
{
    (void)signal_number;
    watchdog_fired = 1;
    if (running)
        running->immediate_exit = 1;
}

static void on_profile_signal(int signal_number)
{
    (void)signal_number;
    profile_due = 1;
    if (running)
        running->immediate_exit = 1;
}

static uint64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void arm_alarm(uint64_t ns)
{
    struct itimerval timer = { 0 };
    if (ns < 1000)
        ns = 1000;
    timer.it_value.tv_sec = (time_t)(ns / 1000000000ull);
    timer.it_value.tv_usec = (suseconds_t)(ns % 1000000000ull / 1000);
    setitimer(ITIMER_REAL, &timer, NULL);
}

struct saved_signals {
    struct sigaction interrupt, terminate, alarm, profile;
};

static void install_signals(struct saved_signals *saved)
{
    struct sigaction action = { 0 };
    sigemptyset(&action.sa_mask);
    /* No SA_RESTART: a signal must end a blocking KVM_RUN with EINTR. */
    action.sa_handler = on_stop_signal;
    sigaction(SIGINT, &action, &saved->interrupt);
    sigaction(SIGTERM, &action, &saved->terminate);
    action.sa_handler = on_watchdog_alarm;
    sigaction(SIGALRM, &action, &saved->alarm);
    /* Restarted elsewhere (console writes, sleeps in FERRY_HC_WAIT end early anyway);
     * KVM_RUN still returns EINTR, which is the point. */
    action.sa_handler = on_profile_signal;
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &action, &saved->profile);
}

static void restore_signals(const struct saved_signals *saved)
{
    struct itimerval off = { 0 };
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGINT, &saved->interrupt, NULL);
    sigaction(SIGTERM, &saved->terminate, NULL);
    sigaction(SIGALRM, &saved->alarm, NULL);
    sigaction(SIGUSR1, &saved->profile, NULL);
}

static void drain_console(struct vm_session *s)
{
    uint32_t lost = console_drain(&s->shared->console, &s->console_tail, console_sink_stream,
                                  stdout);
    if (lost)
        fprintf(stderr, "ferry: %u bytes of engine console output were lost (ring overrun)\n",
                lost);
}

/* The registers and where RIP is, for every report of an unexpected stop. */
static void report_vcpu(struct vm_session *s)
{
    struct kvm_regs regs;
    fflush(stdout);
    if (ioctl(s->vm->vcpu_fd, KVM_GET_REGS, &regs) == 0 && s->symbols) {
        char where[160];
        symbol_table_describe(s->symbols, regs.rip, where, sizeof where);
        fprintf(stderr, "  at <%s>\n", where);
    }
    kvm_vm_dump_registers(s->vm, stderr);
}

/* Chunks of about 15 ms: a signal is noticed promptly even during a 10^10-iteration
 * loop (16 s), while the per-chunk call costs nothing measurable. */
#define HOST_LOOP_CHUNK 10000000ull

static int64_t run_host_loop(uint64_t iterations)
{
    uint64_t start, end, remaining = iterations;
    volatile uint64_t sink;
    if (iterations == 0 || iterations > VM_HOST_LOOP_MAX_ITERATIONS)
        return -EINVAL;
    start = monotonic_ns();
    while (remaining) {
        uint64_t chunk = remaining < HOST_LOOP_CHUNK ? remaining : HOST_LOOP_CHUNK;
        if (stop_signal)
            return -EINTR;
        sink = ferry_compute_loop(chunk);
        remaining -= chunk;
    }
    end = monotonic_ns();
    (void)sink;
    return (int64_t)(end - start);
}

enum step { CONTINUE, STOP };

static enum step handle_hypercall(struct vm_session *s, uint32_t number, enum vm_outcome *outcome)
{
    struct ferry_hc_block *hc = &s->shared->hc;
    s->hypercalls++;
    switch (number) {
    case FERRY_HC_NOP:
        hc->ret = (int64_t)hc->args[0];
        return CONTINUE;
    case FERRY_HC_CONSOLE_FLUSH:
        drain_console(s);
        hc->ret = 0;
        return CONTINUE;
    case FERRY_HC_EXIT:
        drain_console(s);
        s->exit_status = hc->args[0];
        *outcome = VM_EXITED;
        return STOP;
    case FERRY_HC_FATAL:
        drain_console(s);
        fflush(stdout);
        fatal_report_print(stderr, &s->shared->fatal, s->symbols);
        *outcome = VM_FATAL;
        return STOP;
    case FERRY_HC_SELFTEST_DONE:
        drain_console(s);
        memcpy(&s->selftest, &s->shared->selftest, sizeof s->selftest);
        s->have_selftest = true;
        hc->ret = 0;
        return CONTINUE;
    case FERRY_HC_HOST_LOOP:
        hc->ret = run_host_loop(hc->args[0]);
        return CONTINUE;
    case FERRY_HC_LOG: {
        char text[sizeof s->shared->log + 1];
        engine_text_copy(text, s->shared->log, sizeof s->shared->log);
        fflush(stdout);
        fprintf(stderr, "%s\n", text);
        hc->ret = 0;
        return CONTINUE;
    }
    case FERRY_HC_TICKS:
        hc->ret = s->guest ? s->guest->start_ticks(s->guest->ctx, hc->args[0]) : -ENOSYS;
        return CONTINUE;
    case FERRY_HC_WAIT:
        hc->ret = s->guest ? s->guest->wait(s->guest->ctx, hc->args[0]) : -ENOSYS;
        return CONTINUE;
    case FERRY_HC_TRACE:
        hc->ret = s->guest && s->guest->trace
                      ? s->guest->trace(s->guest->ctx, hc->args[0], hc->args[1], hc->args[2])
                      : -ENOSYS;
        return CONTINUE;
    default:
        /* Unknown numbers fail softly: an older host can serve a newer engine. */
        hc->ret = -ENOSYS;
        return CONTINUE;
    }
}

static enum step handle_io(struct vm_session *s, enum vm_outcome *outcome)
{
    const struct kvm_run *run = s->vm->run;
    uint32_t value = 0;
    uint64_t bytes = (uint64_t)run->io.size * run->io.count;
    if (run->io.data_offset > s->vm->run_size || bytes > s->vm->run_size - run->io.data_offset) {
        fprintf(stderr, "ferry: KVM reported port I/O data outside the run area\n");
        *outcome = VM_FAILED;
        return STOP;
    }
    if (run->io.port == FERRY_HC_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
        run->io.size == 4 && run->io.count == 1) {
        memcpy(&value, (const uint8_t *)run + run->io.data_offset, sizeof value);
        return handle_hypercall(s, value, outcome);
    }
    if (run->io.port == PORT_DOORBELL && run->io.direction == KVM_EXIT_IO_OUT)
        return CONTINUE;
    drain_console(s);
    fflush(stdout);
    fprintf(stderr,
            "ferry: unexpected VM exit: KVM_EXIT_IO %s port 0x%x, %u byte%s x %u (hypercalls are "
            "4-byte writes to port 0x%x)\n",
            run->io.direction == KVM_EXIT_IO_OUT ? "write to" : "read from", run->io.port,
            run->io.size, run->io.size == 1 ? "" : "s", run->io.count, FERRY_HC_PORT);
    report_vcpu(s);
    *outcome = VM_FAILED;
    return STOP;
}

static enum vm_outcome report_unexpected_exit(struct vm_session *s)
{
    const struct kvm_run *run = s->vm->run;
    drain_console(s);
    fflush(stdout);
    fprintf(stderr, "ferry: unexpected VM exit: %s", kvm_exit_reason_name(run->exit_reason));
    switch (run->exit_reason) {
    case KVM_EXIT_HLT:
        fprintf(stderr, ": the engine halted with nothing to wake it (engines stop with "
                        "FERRY_HC_EXIT)");
        break;
    case KVM_EXIT_SHUTDOWN:
        fprintf(stderr, ": the engine faulted while it could not handle the fault");
        break;
    case KVM_EXIT_MMIO:
        fprintf(stderr, ": %s of %u bytes at VM-physical 0x%llx (no memory there)",
                run->mmio.is_write ? "write" : "read", run->mmio.len,
                (unsigned long long)run->mmio.phys_addr);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        fprintf(stderr, ": hardware entry failure reason 0x%llx",
                (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        fprintf(stderr, ": suberror %u", run->internal.suberror);
        for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
            fprintf(stderr, " 0x%llx", (unsigned long long)run->internal.data[i]);
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        fprintf(stderr, ": event type %u", run->system_event.type);
        break;
    default:
        fprintf(stderr, " (exit reason %u)", run->exit_reason);
        break;
    }
    fputc('\n', stderr);
    report_vcpu(s);
    return VM_FAILED;
}

int vm_session_exit_code(const struct vm_session *s, enum vm_outcome outcome)
{
    switch (outcome) {
    case VM_EXITED:
        return s->exit_status > 255 ? 255 : (int)s->exit_status;
    case VM_INTERRUPTED:
        return 130;
    default:
        return 1;
    }
}

enum vm_outcome vm_session_run(struct vm_session *s)
{
    struct saved_signals saved;
    struct kvm_run *run = s->vm->run;
    const uint64_t watchdog_ns = (uint64_t)s->watchdog_seconds * 1000000000ull;
    uint64_t last_exit = monotonic_ns();
    enum vm_outcome outcome = VM_FAILED;

    stop_signal = 0;
    watchdog_fired = 0;
    run->immediate_exit = 0;
    running = run;
    profile_due = 0;
    install_signals(&saved);
    if (watchdog_ns)
        arm_alarm(watchdog_ns);
    if (s->profile && !vm_profile_start(s->profile))
        fprintf(stderr, "ferry: cannot start the profiler's thread; running without it\n");
    for (;;) {
        int rc;
        if (stop_signal) {
            drain_console(s);
            fflush(stdout);
            fprintf(stderr, "ferry: interrupted\n");
            outcome = VM_INTERRUPTED;
            break;
        }
        if (watchdog_fired) {
            uint64_t quiet = monotonic_ns() - last_exit;
            watchdog_fired = 0;
            if (quiet >= watchdog_ns) {
                drain_console(s);
                fflush(stdout);
                fprintf(stderr,
                        "ferry: watchdog: the engine made no exit for %u s; stopped it "
                        "(see --watchdog)\n",
                        s->watchdog_seconds);
                report_vcpu(s);
                outcome = VM_WATCHDOG;
                break;
            }
            arm_alarm(watchdog_ns - quiet);
        }
        rc = ioctl(s->vm->vcpu_fd, KVM_RUN, 0);
        if (rc < 0) {
            /* Cleared only here, after the signal it stood for has ended the run: the
             * flags are checked next, so no request is lost. */
            if (errno == EINTR || errno == EAGAIN) {
                run->immediate_exit = 0;
                if (profile_due && s->profile) {
                    struct kvm_regs regs;
                    profile_due = 0;
                    if (ioctl(s->vm->vcpu_fd, KVM_GET_REGS, &regs) == 0)
                        vm_profile_sample(s->profile, regs.rip);
                }
                continue;
            }
            fprintf(stderr, "ferry: KVM_RUN failed: %s\n", strerror(errno));
            report_vcpu(s);
            outcome = VM_FAILED;
            break;
        }
        s->exits++;
        if (run->exit_reason == KVM_EXIT_INTR)
            continue;
        if (run->exit_reason == KVM_EXIT_IO) {
            enum step step = handle_io(s, &outcome);
            last_exit = monotonic_ns();
            if (step == STOP)
                break;
            continue;
        }
        outcome = report_unexpected_exit(s);
        break;
    }
    if (s->profile)
        vm_profile_stop(s->profile);
    running = NULL;
    restore_signals(&saved);
    return outcome;
}
