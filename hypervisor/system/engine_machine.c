/* The host side of `ferry run` under KVM (engine_machine.h). */
#include "hypervisor/system/engine_machine.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "arch/aarch64/virt_machine.h"   /* FERRY_EXIT_* */
#include "hypervisor/board/virt_guest.h"
#include "hypervisor/engine_vm.h"
#include "hypervisor/system/system_trace.h"
#include "hypervisor/system/terminal.h"
#include "hypervisor/vm_loop.h"

#define TICK_NS 1000000ull

struct engine_run {
    struct engine_vm e;
    struct terminal term;
    pthread_t ticker;
    bool ticker_running;
    atomic_bool stop;
    atomic_bool input_ended;              /* stdin closed and the ring drained into it */
    _Atomic(volatile uint8_t *) exit_request; /* host view of the JIT's byte, or NULL */
    int input_event;                      /* eventfd: the ticker put input into the ring */
    struct trace_recorder *trace;         /* --trace, until the engine finished it */
};

static volatile struct ferry_input_ring *input_ring(struct engine_run *r)
{
    return &r->e.shared->input;
}

/* The engine is not trusted: it may have moved tail anywhere. */
static uint32_t ring_space(volatile struct ferry_input_ring *ring)
{
    uint32_t used = ring->head - ring->tail;
    return used >= FERRY_INPUT_SIZE ? 0 : FERRY_INPUT_SIZE - used;
}

static void push_input(struct engine_run *r, const uint8_t *bytes, size_t n)
{
    volatile struct ferry_input_ring *ring = input_ring(r);
    uint32_t head = ring->head;
    for (size_t i = 0; i < n; i++)
        ring->data[(head + i) % FERRY_INPUT_SIZE] = bytes[i];
    atomic_thread_fence(memory_order_release);   /* the bytes before the index */
    ring->head = head + (uint32_t)n;
}

static void wake_waiter(struct engine_run *r)
{
    uint64_t one = 1;
    if (write(r->input_event, &one, sizeof one) < 0) { /* the counter saturates: a wake-up is pending anyway */ }
}

/* Every millisecond: console input into the ring (reading stdin is also the sleep), the
 * exit-request byte set so translated code returns to the engine's run loop. */
static void *ticker_main(void *arg)
{
    struct engine_run *r = arg;
    while (!atomic_load(&r->stop)) {
        uint32_t space = ring_space(input_ring(r));
        if (r->term.input_open && !r->term.quit && space > 0) {
            uint8_t buf[256];
            size_t n = terminal_read(&r->term, buf, space < sizeof buf ? space : sizeof buf, 1);
            if (n) push_input(r, buf, n);
            if (r->term.quit) input_ring(r)->quit = 1;
            if (n || r->term.quit) wake_waiter(r);
            if (!r->term.input_open) {
                atomic_store(&r->input_ended, true);
                wake_waiter(r);
            }
        } else {
            struct timespec tick = { 0, TICK_NS };
            nanosleep(&tick, NULL);
        }
        input_ring(r)->ticks++;
        volatile uint8_t *byte = atomic_load(&r->exit_request);
        if (byte) *byte = 1;
    }
    return NULL;
}

static int64_t start_ticks(void *ctx, uint64_t gpa)
{
    struct engine_run *r = ctx;
    if (r->ticker_running) return -EBUSY;
    if (gpa) {
        const struct kvm_vm *vm = &r->e.vm;
        if (gpa < vm->engine_memory_size) {
            atomic_store(&r->exit_request, (volatile uint8_t *)(vm->engine_memory + gpa));
        } else {
            fprintf(stderr, "ferry run: the engine's exit-request byte at 0x%llx is outside its memory\n",
                    (unsigned long long)gpa);
            return -EINVAL;
        }
    }
    int rc = pthread_create(&r->ticker, NULL, ticker_main, r);
    if (rc != 0) return -rc;
    r->ticker_running = true;
    return 0;
}

static int64_t wait_for_input(void *ctx, uint64_t timeout_ns)
{
    struct engine_run *r = ctx;
    volatile struct ferry_input_ring *ring = input_ring(r);
    if (ring->head != ring->tail || ring->quit) return 0;
    if (timeout_ns == UINT64_MAX && atomic_load(&r->input_ended)) return -1;
    struct timespec limit = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };
    struct pollfd p = { .fd = r->input_event, .events = POLLIN };
    /* a signal (Ctrl-C, the watchdog) ends the sleep; the VM loop then sees it */
    if (ppoll(&p, 1, timeout_ns == UINT64_MAX ? NULL : &limit, NULL) > 0) {
        uint64_t count;
        if (read(r->input_event, &count, sizeof count) < 0) { /* nothing to clear */ }
    }
    return 0;
}

/* A batch of the engine's trace items: checked and recorded by the recorder, which
 * treats them as it treats its own. */
static int64_t take_trace(void *ctx, uint64_t gpa, uint64_t words, uint64_t flags)
{
    struct engine_run *r = ctx;
    const struct kvm_vm *vm = &r->e.vm;
    if (!r->trace) return -EINVAL;
    if (words > FERRY_TRACE_MAX_WORDS || gpa >= vm->engine_memory_size || gpa % 8 ||
        words * 8 > vm->engine_memory_size - gpa) {
        fprintf(stderr, "ferry run: the engine sent a trace batch of %llu words at 0x%llx, outside its memory\n",
                (unsigned long long)words, (unsigned long long)gpa);
        trace_recorder_abort(r->trace);
        r->trace = NULL;
        return -EINVAL;
    }
    if (trace_recorder_append(r->trace, (const uint64_t *)(vm->engine_memory + gpa), words) != 0) {
        fprintf(stderr, "ferry run: %s\n", trace_recorder_error(r->trace));
        trace_recorder_abort(r->trace);
        r->trace = NULL;
        return -EIO;
    }
    if (flags & FERRY_TRACE_FINISH) {
        char err[512];
        struct trace_recorder *t = r->trace;
        r->trace = NULL;
        if (trace_recorder_close(t, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "ferry run: %s\n", err);
            return -EIO;
        }
        return 0;
    }
    return trace_recorder_window_done(r->trace) ? 1 : 0;
}

int engine_machine_run(const struct ferry_options *o)
{
    static struct engine_run run;
    struct engine_run *r = &run;
    struct vm_session session = { 0 };
    r->input_event = -1;
    int code = engine_vm_prepare(&r->e, o, FERRY_MODE_RUN, o->guest_memory, "ferry run");
    if (code != 0) goto out;
    struct virt_guest_entry entry;
    int rc = virt_guest_load(o, r->e.vm.guest_ram, r->e.vm.guest_ram_size, &entry);
    if (rc != 0) {
        code = rc < 0 ? 1 : 0;
        goto out;
    }
    struct ferry_boot_info *info = r->e.info;
    info->run_flags = (o->interp ? FERRY_RUN_INTERP : 0) | (o->stats ? FERRY_RUN_STATS : 0);
    if (o->trace && o->trace_options.mode == JIT_TRACE_REPLAY) {
        /* the engine's recording side (its buffers' checkpoints) is not built */
        fprintf(stderr, "ferry run: --trace-replay: not in the engine yet (use --hosted, or --trace)\n");
        code = 1;
        goto out;
    }
    if (o->trace) {
        r->trace = system_trace_open_recorder(o->trace, &o->trace_options, FERRY_TRACE_MAX_WORDS);
        if (!r->trace) {
            code = 1;
            goto out;
        }
        info->run_flags |= o->trace_options.mode == JIT_TRACE_BLOCKS ? FERRY_RUN_TRACE_BLOCKS : FERRY_RUN_TRACE_FULL;
    }
    info->guest_entry_pc = entry.pc;
    for (unsigned i = 0; i < 4; i++) info->guest_entry_x[i] = entry.x[i];
    info->wallclock_seconds = (uint64_t)time(NULL);
    r->input_event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (r->input_event < 0) {
        fprintf(stderr, "ferry run: eventfd: %s\n", strerror(errno));
        code = 1;
        goto out;
    }
    code = engine_vm_enter(&r->e, "ferry run");
    if (code != 0) goto out;

    const struct vm_guest_services services = { .ctx = r, .start_ticks = start_ticks, .wait = wait_for_input,
                                                .trace = take_trace };
    struct vm_profile profile;
    bool profiling = o->profile && vm_profile_init(&profile, &r->e.elf.symbols, 1000);
    session = (struct vm_session){
        .vm = &r->e.vm,
        .shared = r->e.shared,
        .symbols = &r->e.elf.symbols,
        .watchdog_seconds = 0,        /* a guest may run a long time without an exit */
        .guest = &services,
        .profile = profiling ? &profile : NULL,
    };
    terminal_open(&r->term);
    atomic_store(&r->input_ended, !r->term.input_open);   /* no standard input at all */
    enum vm_outcome outcome = vm_session_run(&session);
    atomic_store(&r->stop, true);
    if (r->ticker_running) pthread_join(r->ticker, NULL);
    terminal_restore(&r->term);
    if (o->stats)
        fprintf(stderr, "ferry stats: vm_exits=%llu hypercalls=%llu\n", (unsigned long long)session.exits,
                (unsigned long long)session.hypercalls);
    if (profiling) {
        vm_profile_print(stderr, &profile, 25);
        vm_profile_free(&profile);
    }
    code = vm_session_exit_code(&session, outcome);
out:
    if (r->trace) {
        /* the engine did not finish it: keep what was recorded, marked incomplete */
        fprintf(stderr, "ferry run: %s: the trace is incomplete (the run did not end normally; "
                        "'ferry trace' reads it with --recover)\n", o->trace);
        trace_recorder_abort(r->trace);
        r->trace = NULL;
        if (code == 0) code = 1;
    }
    if (r->input_event >= 0) close(r->input_event);
    engine_vm_close(&r->e);
    return code;
}
