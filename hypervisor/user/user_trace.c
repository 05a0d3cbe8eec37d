/* `ferry user --trace`: connects the run loop to the trace recorder. The run loop
 * reports every run of guest code and every exit; this file turns exit kinds into the
 * exception the instruction took under Linux (syscalls, aborts, undefined instructions,
 * breakpoints), and closes the file however the process ends (exit, fatal signal,
 * execve). A forked child is not traced: it inherits the recorder without its writer
 * thread, so it only discards items. */
#include "hypervisor/user/user_trace.h"

#include <stdio.h>
#include <stdlib.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/trace_regs.h"
#include "hypervisor/trace/trace_recorder.h"
#include "hypervisor/trace/trace_signals.h"

static struct trace_recorder *recorder;
static bool in_forked_child;

/* The buffer the JIT and the interpreter append to. It forwards to the recorder's; once
 * tracing stops (the file is closed, or in a forked child) it points at a scratch area
 * whose items are discarded, until the runner has dropped the instrumented translations
 * (jit_trace_stop). The scratch area is at least as large as the recorder's buffer, so
 * it holds the items of any one block. */
static struct jit_trace_buf items;
static uint64_t scratch[1u << 20];

static void to_recorder(void) { trace_recorder_buffer(recorder)->cursor = items.cursor; }

/* The recorder may have switched buffers. */
static void from_recorder(void)
{
    const struct jit_trace_buf *b = trace_recorder_buffer(recorder);
    items.base = b->base;
    items.cursor = b->cursor;
    items.limit = b->limit;
}

static void forward_drain(void *ctx)
{
    (void)ctx;
    struct jit_trace_buf *b = trace_recorder_buffer(recorder);
    to_recorder();
    b->drain(b->drain_ctx);
    from_recorder();
}

static void discard(void *ctx)
{
    (void)ctx;
    items.cursor = items.base;
}

static void detach(void)
{
    items.mode = JIT_TRACE_OFF;            /* the interpreter appends nothing more */
    items.base = items.cursor = scratch;
    items.limit = scratch + sizeof(scratch) / sizeof(scratch[0]);
    items.drain = discard;
}

/* ESR_EL1 classes and fault status codes of what a Linux process takes at EL0. */
#define EC_UNKNOWN 0x00u
#define EC_SVC64 0x15u
#define EC_DABT_LOWER 0x24u
#define EC_BRK64 0x3cu
#define ESR_IL (1u << 25)
#define ESR_WNR (1u << 6)
#define DFSC_TRANSLATION_L3 0x07u
#define DFSC_PERMISSION_L3 0x0fu
#define DFSC_ALIGNMENT 0x21u

int user_trace_open(const char *path, const struct trace_recorder_options *options)
{
    char err[512];
    recorder = trace_recorder_open(path, a64_trace_arch(), options, err, sizeof(err));
    if (!recorder) {
        fprintf(stderr, "ferry user: %s\n", err);
        return -1;
    }
    items = *trace_recorder_buffer(recorder);
    items.drain = forward_drain;
    items.drain_ctx = NULL;
    return 0;
}

bool user_trace_active(void) { return recorder != NULL && !in_forked_child; }

struct jit_trace_buf *user_trace_buffer(void)
{
    return recorder ? &items : NULL;
}

static void retract(void *ctx, const void *state)
{
    (void)ctx;
    if (!user_trace_active()) return;
    to_recorder();
    trace_recorder_retract(recorder, state);
    from_recorder();
}

void user_trace_configure_jit(struct jit_config *cfg)
{
    if (!recorder) return;
    cfg->trace.mode = items.mode;
    cfg->trace.buf = &items;
    cfg->trace.el_of_modes = a64_el_of_modes_key;
    cfg->trace.retract = retract;
    cfg->trace.retract_ctx = NULL;
    /* so a caught Ctrl-C or kill (trace_signals.h) ends a run of chained code; not in
     * self-loops, which it would slow by up to a quarter in block mode (a second signal
     * ends a guest spinning in one at once) */
    cfg->exit_requests = true;
    cfg->exit_requests_in_loops = false;
}

/* A writer error (a full disk) ends the run: the user asked for a complete trace. */
static void check_error(void)
{
    const char *e = trace_recorder_error(recorder);
    if (!e) return;
    fprintf(stderr, "ferry user: %s\n", e);
    trace_recorder_abort(recorder);
    recorder = NULL;
    detach();
    exit(1);
}

void user_trace_resume(const struct a64_state *s)
{
    if (!user_trace_active()) return;
    to_recorder();
    trace_recorder_resume(recorder, s);
    from_recorder();
    check_error();
}

/* Between to_recorder and from_recorder, as every call that appends events: the items
 * that follow go after it. */
static void exception(uint32_t ec, uint32_t iss, uint64_t far)
{
    struct trace_exception e = {
        .ec = ec, .esr = (uint64_t)ec << 26 | ESR_IL | iss, .far = far, .target_el = 1, .target_pc = 0,
    };
    trace_recorder_exception(recorder, &e);
}

void user_trace_exit(const struct a64_state *s, ir_exit_kind kind, uint64_t info, bool page_mapped)
{
    if (!user_trace_active()) return;
    uint64_t far = info & 0x00ffffffffffffffull;           /* FAR: the tag byte cleared */
    bool taken = true;
    uint32_t ec = EC_UNKNOWN, iss = 0;
    switch (kind) {
    case IR_EXIT_SYSCALL:
        ec = EC_SVC64, iss = (uint32_t)info & 0xffff, far = 0;
        break;
    case IR_EXIT_UNDEF:
        far = 0;
        break;
    case IR_EXIT_BREAKPOINT:
        ec = EC_BRK64, iss = (uint32_t)info & 0xffff, far = 0;
        break;
    case IR_EXIT_DATA_ABORT:
        ec = EC_DABT_LOWER, iss = page_mapped ? DFSC_PERMISSION_L3 : DFSC_TRANSLATION_L3;
        break;
    case IR_EXIT_ALIGNMENT:
    case IR_EXIT_ALIGNMENT_WRITE:
        ec = EC_DABT_LOWER, iss = DFSC_ALIGNMENT | (kind == IR_EXIT_ALIGNMENT_WRITE ? ESR_WNR : 0);
        break;
    default:
        /* a fetch abort's instruction was never fetched: no record carries it */
        taken = false;
        break;
    }
    to_recorder();
    trace_recorder_exit(recorder, s, ir_exit_undoes_insn(kind));
    if (taken) exception(ec, iss, far);
    from_recorder();
    check_error();
}

bool user_trace_window_done(void)
{
    return user_trace_active() && trace_recorder_window_done(recorder);
}

void user_trace_host_fault(const struct a64_state *s, uint64_t addr, bool page_mapped, bool is_write)
{
    if (!user_trace_active()) return;
    to_recorder();
    trace_recorder_exit(recorder, s, true);
    exception(EC_DABT_LOWER, (page_mapped ? DFSC_PERMISSION_L3 : DFSC_TRANSLATION_L3) | (is_write ? ESR_WNR : 0),
              addr & 0x00ffffffffffffffull);
    from_recorder();
    check_error();
}

int user_trace_close(void)
{
    if (!recorder || in_forked_child) return 0;
    char err[512];
    to_recorder();
    struct trace_recorder *r = recorder;
    recorder = NULL;
    detach();
    trace_signals_release();
    if (trace_recorder_close(r, NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "ferry user: %s\n", err);
        return -1;
    }
    return 0;
}

void user_trace_end(void) { (void)user_trace_close(); }

void user_trace_forked_child(void)
{
    if (!recorder) return;
    /* the writer's thread did not survive fork: nothing may reach it from here */
    in_forked_child = true;
    detach();
    trace_signals_release();
}
