/* `ferry run --trace`: opens the recorder for the system emulator; hosted, connects the system emulator's run loop and CPU to the
 * trace recorder (system_trace.h). */
#include "hypervisor/system/system_trace.h"

#include <stdio.h>

#include "arch/aarch64/a64.h"
#include "arch/aarch64/trace_regs.h"

static void on_exception(void *ctx, unsigned kind, uint32_t esr, uint64_t far, uint64_t vector)
{
    struct trace_exception e = {
        .ec = esr >> 26, .esr = esr, .far = far, .target_pc = vector, .target_el = 1, .is_interrupt = kind != 0,
    };
    trace_recorder_exception(ctx, &e);
}

static void on_sysreg_write(void *ctx, uint32_t id, uint64_t value)
{
    trace_recorder_add_reg(ctx, (uint16_t)(TRACE_REG_SYSREG_BASE + (id & 0x7fffu)), value, 0);
}

struct trace_recorder *system_trace_open_recorder(const char *path, const struct trace_recorder_options *options,
                                                  size_t buffer_words)
{
    char err[512];
    struct trace_recorder_options physical = *options;
    physical.physical = true;              /* the CPU's fetches give physical addresses */
    if (buffer_words) physical.buffer_words = buffer_words;
    struct trace_recorder *rec = trace_recorder_open(path, a64_trace_arch(), &physical, err, sizeof(err));
    if (!rec) fprintf(stderr, "ferry run: %s\n", err);
    return rec;
}

struct trace_recorder *system_trace_open(const char *path, const struct trace_recorder_options *options,
                                         struct a64_cpu *cpu)
{
    struct trace_recorder *rec = system_trace_open_recorder(path, options, 0);
    if (!rec) return NULL;
    cpu->memory.trace = trace_recorder_buffer(rec);
    cpu->on_exception = on_exception;
    cpu->on_sysreg_write = on_sysreg_write;
    cpu->event_ctx = rec;
    return rec;
}

void system_trace_configure_jit(struct trace_recorder *rec, struct jit_config *cfg)
{
    cfg->trace.mode = trace_recorder_buffer(rec)->mode;
    cfg->trace.buf = trace_recorder_buffer(rec);
    cfg->trace.el_of_modes = a64_el_of_modes_key;
}

void system_trace_resume(struct trace_recorder *rec, const struct a64_cpu *cpu)
{
    trace_recorder_resume(rec, &cpu->s);
}

int system_trace_exit(struct trace_recorder *rec, const struct a64_cpu *cpu, ir_exit_kind kind)
{
    trace_recorder_exit(rec, &cpu->s, ir_exit_undoes_insn(kind));
    const char *e = trace_recorder_error(rec);
    if (!e) return 0;
    fprintf(stderr, "ferry run: %s\n", e);
    return -1;
}

static void unhook(struct a64_cpu *cpu, jit *j)
{
    cpu->memory.trace = NULL;
    cpu->on_exception = NULL;
    cpu->on_sysreg_write = NULL;
    if (j) jit_trace_stop(j);
}

void system_trace_abort(struct trace_recorder *rec, struct a64_cpu *cpu)
{
    unhook(cpu, NULL);
    trace_recorder_abort(rec);
}

int system_trace_close(struct trace_recorder *rec, struct a64_cpu *cpu, jit *j)
{
    char err[512];
    unhook(cpu, j);
    if (trace_recorder_close(rec, NULL, err, sizeof(err)) == 0) return 0;
    fprintf(stderr, "ferry run: %s\n", err);
    return -1;
}
