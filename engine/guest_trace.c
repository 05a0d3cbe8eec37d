/* The engine's side of instruction tracing (guest_trace.h). */
#include "guest_trace.h"

#include <ferry/support.h>
#include "arch/aarch64/a64.h"
#include "ferry/trace_format.h"
#include "hypercall.h"
#include "jit/jit_trace.h"

/* Items per batch: a block's items must fit (translated code drains and re-enters a
 * block whose items do not), and each batch costs one VM exit. */
#define TRACE_WORDS (FERRY_TRACE_MAX_WORDS / 2)

struct guest_trace {
    struct jit_trace_buf buf;
    bool full;
    bool active;            /* the CPU and the JIT record */
    bool window_done;       /* the host said the recording window is past */
    bool failed;            /* the host could not write the trace */
};

static struct guest_trace trace;

static uint64_t direct_map_phys(const void *p)
{
    return (uint64_t)(uintptr_t)p - FERRY_DIRECT_MAP_BASE;
}

/* One batch to the host; the buffer is empty afterwards. */
static void send(struct guest_trace *t, uint64_t flags)
{
    size_t words = (size_t)(t->buf.cursor - t->buf.base);
    t->buf.cursor = t->buf.base;
    if (t->failed || (words == 0 && !(flags & FERRY_TRACE_FINISH))) return;
    int64_t r = hypercall3(FERRY_HC_TRACE, direct_map_phys(t->buf.base), words, flags);
    if (r < 0) t->failed = true;
    else if (r == 1) t->window_done = true;
}

static void drain(void *ctx)
{
    send(ctx, 0);
}

static void on_exception(void *ctx, unsigned kind, uint32_t esr, uint64_t far, uint64_t vector)
{
    struct guest_trace *t = ctx;
    if (!t->full) return;
    uint64_t *p = jit_trace_reserve(&t->buf, 4);
    p[0] = jit_trace_exception_tag(kind != 0, 1, esr >> 26);
    p[1] = esr;
    p[2] = far;
    p[3] = vector;
}

static void on_sysreg_write(void *ctx, uint32_t id, uint64_t value)
{
    struct guest_trace *t = ctx;
    if (!t->full) return;
    uint64_t *p = jit_trace_reserve(&t->buf, 3);
    p[0] = jit_trace_add_reg_tag((uint16_t)(TRACE_REG_SYSREG_BASE + (id & 0x7fffu)));
    p[1] = value;
    p[2] = 0;
}

static void post_state_event(struct guest_trace *t, unsigned kind, unsigned flags, const struct a64_state *s)
{
    unsigned words = jit_trace_state_event_words(kind, t->full, sizeof *s);
    uint64_t *p = jit_trace_reserve(&t->buf, words);
    jit_trace_write_state_event(p, kind, flags, s, sizeof *s, t->full, s->PC);
}

struct guest_trace *guest_trace_start(struct virt_machine *m, bool full, struct jit_config *cfg)
{
    struct guest_trace *t = &trace;
    t->full = full;
    t->buf.mode = full ? JIT_TRACE_FULL : JIT_TRACE_BLOCKS;
    t->buf.base = t->buf.cursor = fy_alloc(TRACE_WORDS * sizeof(uint64_t));
    t->buf.limit = t->buf.base + TRACE_WORDS;
    t->buf.drain = drain;
    t->buf.drain_ctx = t;
    t->active = true;
    m->cpu.memory.trace = &t->buf;
    m->cpu.on_exception = on_exception;
    m->cpu.on_sysreg_write = on_sysreg_write;
    m->cpu.event_ctx = t;
    if (cfg) {
        cfg->trace.mode = t->buf.mode;
        cfg->trace.buf = &t->buf;
        cfg->trace.el_of_modes = a64_el_of_modes_key;
    }
    return t;
}

bool guest_trace_active(const struct guest_trace *t)
{
    return t->active;
}

void guest_trace_before_run(struct guest_trace *t, struct virt_machine *m)
{
    if (t->active) post_state_event(t, JIT_TRACE_EV_RESUME, 0, &m->cpu.s);
}

static void stop(struct guest_trace *t, struct virt_machine *m)
{
    t->active = false;
    m->cpu.memory.trace = NULL;
    m->cpu.on_exception = NULL;
    m->cpu.on_sysreg_write = NULL;
    if (m->jit) jit_trace_stop(m->jit);
}

int guest_trace_after_run(struct guest_trace *t, struct virt_machine *m, ir_exit_kind kind)
{
    if (!t->active) return -1;
    post_state_event(t, JIT_TRACE_EV_EXIT, ir_exit_undoes_insn(kind) ? JIT_TRACE_EV_UNDONE : 0, &m->cpu.s);
    if (t->failed) {
        stop(t, m);
        return 1;
    }
    if (t->window_done) {
        /* nothing more will be recorded: finish the file, run on uninstrumented */
        send(t, FERRY_TRACE_FINISH);
        stop(t, m);
        if (t->failed) return 1;
    }
    return -1;
}

int guest_trace_finish(struct guest_trace *t, struct virt_machine *m)
{
    if (!t->active) return t->failed ? -1 : 0;
    send(t, FERRY_TRACE_FINISH);
    stop(t, m);
    return t->failed ? -1 : 0;
}
