/* The runner's main loop: runs guest code through the JIT (or the reference
 * interpreter) and handles every way it stops: syscalls, undefined instructions,
 * breakpoints, memory faults (reported by the translator or by the host MMU). */
#include "hypervisor/user/user_runtime.h"
#include "hypervisor/user/user_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>
#include "arch/aarch64/a64.h"
#include "hypervisor/trace/trace_signals.h"
#include "hypervisor/user/signal_frame.h"
#include "hypervisor/user/syscalls.h"

struct run_counters {
    uint64_t syscalls;
    uint64_t undefined;
    uint64_t start_ns;
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* jit_config.step: one instruction in the interpreter, with host faults in it known to
 * leave a precise state. */
static int step(void *ctx, void *state, uint64_t *info)
{
    user_fault_stepping = 1;
    int kind = a64_step(ctx, state, info);
    user_fault_stepping = 0;
    return kind;
}

static bool may_execute(void *ctx, uint64_t addr)
{
    return (guest_page_flags(ctx, addr) & GUEST_PROT_EXEC) != 0;
}

static void invalidate_code(void *ctx, uint64_t start, uint64_t len)
{
    jit_invalidate(ctx, start, len);
}

static void print_stats(jit *j, const struct run_counters *c)
{
    double wall = (double)(now_ns() - c->start_ns) / 1e9;
    fprintf(stderr, "ferry stats: wall_s=%.3f syscalls=%" PRIu64 " undefined_insns=%" PRIu64 "\n",
            wall, c->syscalls, c->undefined);
    if (!j)
        return;
    struct jit_stats st;
    jit_get_stats(j, &st);
    double translate_s = (double)st.translate_ns / 1e9;
    fprintf(stderr,
            "ferry stats: blocks_translated=%" PRIu64 " guest_insns_translated=%" PRIu64
            " host_code_bytes=%" PRIu64 " translate_ns=%" PRIu64 "\n",
            st.blocks_translated, st.guest_insns_translated, st.host_code_bytes, st.translate_ns);
    fprintf(stderr,
            "ferry stats: dispatcher_entries=%" PRIu64 " chain_patches=%" PRIu64
            " indirect_hits=%" PRIu64 " indirect_misses=%" PRIu64 " cache_flushes=%" PRIu64
            " lazy_flag_loops=%" PRIu64 "\n",
            st.dispatcher_entries, st.chain_patches, st.indirect_hits, st.indirect_misses,
            st.cache_flushes, st.lazy_flag_loops);
    fprintf(stderr, "ferry stats: translation_insns_per_s=%.0f host_bytes_per_guest_insn=%.2f\n",
            translate_s > 0 ? (double)st.guest_insns_translated / translate_s : 0.0,
            st.guest_insns_translated ? (double)st.host_code_bytes / (double)st.guest_insns_translated : 0.0);
}

struct code_dump {
    FILE *code, *map;
    uint64_t offset;
    bool ok;
};

static void perf_map_line(void *ctx, uint64_t pc, const void *code, size_t size)
{
    fprintf(ctx, "%" PRIxPTR " %zx guest_0x%" PRIx64 "\n", (uintptr_t)code, size, pc);
}

static void code_dump_block(void *ctx, uint64_t pc, const void *code, size_t size)
{
    struct code_dump *d = ctx;
    if (fwrite(code, 1, size, d->code) != size)
        d->ok = false;
    fprintf(d->map, "%" PRIx64 " %zx guest_0x%" PRIx64 "\n", d->offset, size, pc);
    d->offset += size;
}

/* --perf-map and --dump-code: what is in the translation cache now (blocks dropped by
 * an earlier cache flush are not listed). Failures are reported, never fatal. */
static void write_code_reports(jit *j, const struct user_options *o)
{
    if (!j)
        return;
    if (o->perf_map) {
        char path[64];
        snprintf(path, sizeof(path), "/tmp/perf-%ld.map", (long)getpid());
        FILE *f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "ferry user: --perf-map: cannot write %s: %s\n", path, strerror(errno));
        } else {
            jit_for_each_block(j, perf_map_line, f);
            fclose(f);
        }
    }
    if (o->dump_code) {
        size_t len = strlen(o->dump_code) + 5;
        char *map_path = malloc(len);
        struct code_dump d = { .ok = true };
        if (map_path) {
            snprintf(map_path, len, "%s.map", o->dump_code);
            d.code = fopen(o->dump_code, "wb");
            d.map = fopen(map_path, "w");
        }
        if (d.code && d.map) {
            jit_for_each_block(j, code_dump_block, &d);
        }
        if (!d.code || !d.map || fclose(d.code) != 0 || fclose(d.map) != 0 || !d.ok)
            fprintf(stderr, "ferry user: --dump-code: cannot write %s or its .map\n", o->dump_code);
        free(map_path);
    }
}

static void handle_syscall(struct user_process *p, struct a64_state *s, struct run_counters *c)
{
    c->syscalls++;
    s->EXCL_VALID = 0;            /* an SVC is an exception: it clears the exclusive monitor */
    uint64_t nr = a64_get_x(s, 8);
    if (nr == A64_NR_rt_sigreturn) {
        user_sigreturn(p, s);
    } else {
        uint64_t args[6];
        for (unsigned i = 0; i < 6; i++)
            args[i] = a64_get_x(s, i);
        int64_t result = user_syscall(p, nr, args);
        if (p->exited)
            return;
        a64_set_x(s, 0, (uint64_t)result);
        if (p->child_set_sp) {
            p->child_set_sp = false;
            a64_set_sp(s, p->child_sp);
        }
    }
    user_signals_deliver_pending(p, s);
}

static void report_undefined(const struct a64_state *s, uint32_t insn)
{
    fprintf(stderr, "ferry user: unallocated or undescribed instruction 0x%08x at 0x%" PRIx64 " (%s)\n",
            insn, a64_get_pc(s), a64_encoding_group(insn));
}

/* Instructions the interpreter runs between looks at the run loop while tracing. */
#define INTERP_SLICE (1ull << 20)

/* The run state lives in statics: sigsetjmp's return path must not depend on
 * non-volatile locals. */
static struct a64_state *run_state;
static jit *run_jit;
static struct jit_memory run_memory;
static struct run_counters run_counters;

/* A forked child is not traced: it drops the instrumentation too (the fork happens in a
 * syscall, between runs of translated code). */
static void trace_forked_child(void)
{
    user_trace_forked_child();
    if (run_jit)
        jit_trace_stop(run_jit);
}

/* Everything the options ask to be written when the program stops (or is stopped). */
static void report_at_exit(const struct user_options *o)
{
    if (o->stats)
        print_stats(run_jit, &run_counters);
    write_code_reports(run_jit, o);
}

int user_run(struct user_process *p, const struct user_options *o, uint64_t entry, uint64_t sp)
{
    run_state = calloc(1, sizeof(*run_state));
    if (!run_state)
        return 1;
    struct a64_state *s = run_state;
    a64_state_init(s);
    a64_set_pc(s, entry);
    a64_set_sp(s, sp);
    run_memory.host_base = p->mem.host_base;
    run_memory.guest_limit = p->mem.limit;
    run_memory.top_byte_ignore = true;          /* Linux runs EL0 with TCR_EL1.TBI0 set */
    run_memory.may_execute = may_execute;
    run_memory.may_execute_ctx = &p->mem;
    run_counters.start_ns = now_ns();
    if (o->trace && user_trace_open(o->trace, &o->trace_options) != 0)
        return 1;
    /* the new program of an execve is not traced (this trace ends complete), nor is a
     * forked child */
    p->before_exec = user_trace_end;
    p->in_forked_child = trace_forked_child;
    run_memory.trace = user_trace_buffer();

    if (!o->interp) {
        struct jit_config cfg = {
            .state_size = sizeof(struct a64_state),
            .pc_offset = offsetof(struct a64_state, PC),
            .memory = run_memory,
            .translate = a64_translate_block, .flags = a64_jit_flags(),
            .translate_ctx = &run_memory,
            .now_ns = now_ns, /* so --stats can report translation speed */
            .step = step,
            .step_ctx = &run_memory,
        };
        user_trace_configure_jit(&cfg);
        run_jit = jit_new(&cfg);
        if (!run_jit) {
            fprintf(stderr, "ferry user: cannot create the JIT\n");
            return 1;
        }
        p->mem.code_changed = invalidate_code;
        p->mem.code_changed_ctx = run_jit;
    }
    user_fault_attach_jit(run_jit, s);
    if (user_trace_active())
        trace_signals_catch(run_jit ? jit_exit_request(run_jit) : NULL);

    if (sigsetjmp(user_fault_env, 1)) {
        /* A guest access hit an unmapped or protected page. The state is precise at
         * the faulting instruction (restored from translated code's fault map, or left
         * so by the interpreter) unless the fault was somewhere the map does not
         * cover; then the guest cannot handle the signal and dies of it. */
        int sig = user_fault_host_signal == 7 ? 7 : 11;
        uint64_t addr = user_fault_guest_addr;
        unsigned flags = guest_page_flags(&p->mem, addr);
        user_trace_host_fault(s, addr, (flags & GUEST_PAGE_MAPPED) != 0, user_fault_write);
        report_at_exit(o);
        if (!user_fault_precise)
            user_die_with_signal(p, sig);
        user_signal_synchronous(p, s, sig,
                                sig == 7 ? A64_BUS_ADRERR
                                         : (flags & GUEST_PAGE_MAPPED) ? A64_SEGV_ACCERR : A64_SEGV_MAPERR,
                                addr);
    }

    for (;;) {
        int stop = trace_signals_caught();
        if (stop) {
            /* it arrived while recording: the trace holds everything up to here */
            trace_signals_report("ferry user", stop);
            report_at_exit(o);
            user_die_with_signal(p, stop);
        }
        uint64_t info = 0;
        ir_exit_kind kind;
        user_trace_resume(s);
        user_fault_armed = 1;
        if (run_jit) {
            kind = jit_run(run_jit, s, &info);
        } else {
            /* in slices while tracing, so a caught signal is seen within a few ms */
            uint64_t budget = user_trace_active() ? INTERP_SLICE : UINT64_MAX / 2;
            kind = a64_interp_run(s, &run_memory, &info, &budget);
        }
        user_fault_armed = 0;
        user_trace_exit(s, kind, info,
                        kind == IR_EXIT_DATA_ABORT &&
                            (guest_page_flags(&p->mem, jit_memory_untag(&run_memory, info)) & GUEST_PAGE_MAPPED));
        if (user_trace_window_done()) {
            /* the rest of the run is not recorded: finish the file now and run on at
             * full speed, without the instrumentation */
            if (user_trace_close() != 0)
                return 1;
            if (run_jit)
                jit_trace_stop(run_jit);
        }
        switch (kind) {
        case IR_EXIT_JUMP:
        case IR_EXIT_WFI:
            break;
        case IR_EXIT_INVALIDATE_CODE: {
            /* IC IVAU: the cache line holding the address (the JIT drops every block
             * overlapping it) */
            uint64_t line = jit_memory_untag(&run_memory, info) & ~63ull;
            if (run_jit)
                jit_invalidate(run_jit, line, 64);
            break;
        }
        case IR_EXIT_SYSCALL:
            handle_syscall(p, s, &run_counters);
            if (p->exited) {
                report_at_exit(o);
                return user_trace_close() == 0 ? p->exit_status : 1;
            }
            break;
        case IR_EXIT_UNDEF:
            run_counters.undefined++;
            report_undefined(s, (uint32_t)info);
            report_at_exit(o);
            user_signal_synchronous(p, s, 4, A64_ILL_ILLOPC, a64_get_pc(s));
            break;
        case IR_EXIT_BREAKPOINT:
            user_signal_synchronous(p, s, 5, A64_TRAP_BRKPT, a64_get_pc(s));
            break;
        case IR_EXIT_ALIGNMENT:
        case IR_EXIT_ALIGNMENT_WRITE:
            /* Linux reports a data fault's address with the tag byte cleared */
            report_at_exit(o);
            user_signal_synchronous(p, s, 7, A64_BUS_ADRALN, jit_memory_untag(&run_memory, info));
            break;
        case IR_EXIT_FETCH_ABORT:
            report_at_exit(o);
            if (info & 3)          /* PC alignment fault */
                user_signal_synchronous(p, s, 7, A64_BUS_ADRALN, info);
            else
                user_signal_synchronous(p, s, 11,
                                        (guest_page_flags(&p->mem, info) & GUEST_PAGE_MAPPED) ? A64_SEGV_ACCERR
                                                                                             : A64_SEGV_MAPERR,
                                        info);
            break;
        case IR_EXIT_DATA_ABORT:
            report_at_exit(o);
            user_signal_synchronous(p, s, 11, A64_SEGV_MAPERR, jit_memory_untag(&run_memory, info));
            break;
        default:
            fprintf(stderr, "ferry user: unexpected exit kind %d at 0x%" PRIx64 "\n", (int)kind,
                    a64_get_pc(s));
            user_signal_synchronous(p, s, 4, A64_ILL_ILLOPC, a64_get_pc(s));
            break;
        }
    }
}
