/* AArch64 register map for the trace recorder (arch/aarch64/trace_regs.h). The PC, the
 * exclusive monitor and the translation modes (EL, SYS, SPA) map to no register: the
 * PC is implicit in every record, and the others are not architectural registers a
 * trace shows. This file is also compiled freestanding for the engine, so it uses
 * nothing but the generated state header and compiler builtins. */
#include <stddef.h>
#include <stdint.h>

#include "aarch64/a64_state.h"
#include "arch/aarch64/trace_regs.h"
#include "hypervisor/trace/trace_recorder.h"

#define TPIDR_EL0_ID TRACE_REG_SYSREG(3, 3, 13, 0, 2)

/* The recorder may hand in its byte shadow of the state, which need not be aligned
 * like struct a64_state: read fields bytewise (the builtin inlines to one load). */
static uint64_t load64(const void *state, size_t off)
{
    uint64_t v;
    __builtin_memcpy(&v, (const uint8_t *)state + off, sizeof v);
    return v;
}

static uint32_t load32(const void *state, size_t off)
{
    uint32_t v;
    __builtin_memcpy(&v, (const uint8_t *)state + off, sizeof v);
    return v;
}

static uint8_t load8(const void *state, size_t off)
{
    return ((const uint8_t *)state)[off];
}

static int a64_reg_of_offset(uint32_t off)
{
    if (off < A64_OFF_X(31))
        return (int)(TRACE_REG_X0 + (off - A64_OFF_X(0)) / 8u);
    if (off >= A64_OFF_SP && off < A64_OFF_SP + 8u)
        return TRACE_REG_SP;
    if (off == A64_OFF_N || off == A64_OFF_Z || off == A64_OFF_C || off == A64_OFF_V)
        return TRACE_REG_NZCV;
    if (off >= A64_OFF_VR(0) && off < A64_OFF_VR(32))
        return (int)(TRACE_REG_V0 + (off - A64_OFF_VR(0)) / 16u);
    if (off >= A64_OFF_FPCR && off < A64_OFF_FPCR + 4u)
        return TRACE_REG_FPCR;
    if (off >= A64_OFF_FPSR && off < A64_OFF_FPSR + 4u)
        return TRACE_REG_FPSR;
    if (off >= A64_OFF_TPIDR_EL0 && off < A64_OFF_TPIDR_EL0 + 8u)
        return (int)TPIDR_EL0_ID;
    return -1;   /* PC, EXCL_ADDR, EXCL_VALID, EL, SYS, SPA, padding */
}

static void a64_reg_value(const void *state, unsigned id, uint64_t *lo, uint64_t *hi)
{
    *hi = 0;
    if (id <= TRACE_REG_X0 + 30u) {
        *lo = load64(state, A64_OFF_X(id - TRACE_REG_X0));
    } else if (id == TRACE_REG_SP) {
        *lo = load64(state, A64_OFF_SP);
    } else if (id == TRACE_REG_NZCV) {
        /* The flag bytes are 0/1; only bit 0 is architectural. */
        *lo = (uint64_t)(load8(state, A64_OFF_N) & 1u) << 31 |
              (uint64_t)(load8(state, A64_OFF_Z) & 1u) << 30 |
              (uint64_t)(load8(state, A64_OFF_C) & 1u) << 29 |
              (uint64_t)(load8(state, A64_OFF_V) & 1u) << 28;
    } else if (trace_reg_is_vector(id)) {
        *lo = load64(state, A64_OFF_VR(id - TRACE_REG_V0));
        *hi = load64(state, A64_OFF_VR(id - TRACE_REG_V0) + 8u);
    } else if (id == TRACE_REG_FPCR) {
        *lo = load32(state, A64_OFF_FPCR);
    } else if (id == TRACE_REG_FPSR) {
        *lo = load32(state, A64_OFF_FPSR);
    } else if (id == TPIDR_EL0_ID) {
        *lo = load64(state, A64_OFF_TPIDR_EL0);
    } else {
        *lo = 0;
    }
}

/* Every register above: a syscall, a signal frame or an exception entry may change
 * any of them. Ascending ids. */
static const uint16_t a64_sync_regs[] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    TRACE_REG_SP, TRACE_REG_NZCV,
    TRACE_REG_V0 + 0, TRACE_REG_V0 + 1, TRACE_REG_V0 + 2, TRACE_REG_V0 + 3,
    TRACE_REG_V0 + 4, TRACE_REG_V0 + 5, TRACE_REG_V0 + 6, TRACE_REG_V0 + 7,
    TRACE_REG_V0 + 8, TRACE_REG_V0 + 9, TRACE_REG_V0 + 10, TRACE_REG_V0 + 11,
    TRACE_REG_V0 + 12, TRACE_REG_V0 + 13, TRACE_REG_V0 + 14, TRACE_REG_V0 + 15,
    TRACE_REG_V0 + 16, TRACE_REG_V0 + 17, TRACE_REG_V0 + 18, TRACE_REG_V0 + 19,
    TRACE_REG_V0 + 20, TRACE_REG_V0 + 21, TRACE_REG_V0 + 22, TRACE_REG_V0 + 23,
    TRACE_REG_V0 + 24, TRACE_REG_V0 + 25, TRACE_REG_V0 + 26, TRACE_REG_V0 + 27,
    TRACE_REG_V0 + 28, TRACE_REG_V0 + 29, TRACE_REG_V0 + 30, TRACE_REG_V0 + 31,
    TRACE_REG_FPCR, TRACE_REG_FPSR, TPIDR_EL0_ID,
};

static const struct trace_recorder_arch a64_arch = {
    .arch = TRACE_ARCH_AARCH64,
    .state_size = (uint32_t)sizeof(struct a64_state),
    .pc_offset = (uint32_t)A64_OFF_PC,
    .insn_bytes = 4,
    .reg_of_offset = a64_reg_of_offset,
    .reg_value = a64_reg_value,
    .sync_regs = a64_sync_regs,
    .n_sync_regs = (unsigned)(sizeof a64_sync_regs / sizeof a64_sync_regs[0]),
};

const struct trace_recorder_arch *a64_trace_arch(void)
{
    return &a64_arch;
}
