/* CPU state reset and register accessors of the AArch64 front end (a64.h), so that
 * runtimes (syscall emulation, signal frames, tests) never depend on the field names
 * generated from state.adl. */
#include "ferry/support.h"
#include "arch/aarch64/a64.h"

void a64_state_init(struct a64_state *s)
{
    memset(s, 0, sizeof(*s));
}

uint64_t a64_get_x(const struct a64_state *s, unsigned n)
{
    return n < 31 ? s->X[n] : 0;
}

void a64_set_x(struct a64_state *s, unsigned n, uint64_t v)
{
    if (n < 31)
        s->X[n] = v;
}

uint64_t a64_get_sp(const struct a64_state *s) { return s->SP; }
void a64_set_sp(struct a64_state *s, uint64_t v) { s->SP = v; }
uint64_t a64_get_pc(const struct a64_state *s) { return s->PC; }
void a64_set_pc(struct a64_state *s, uint64_t v) { s->PC = v; }

uint32_t a64_get_nzcv(const struct a64_state *s)
{
    return (uint32_t)(s->N & 1) << 31 | (uint32_t)(s->Z & 1) << 30 |
           (uint32_t)(s->C & 1) << 29 | (uint32_t)(s->V & 1) << 28;
}

void a64_set_nzcv(struct a64_state *s, uint32_t nzcv)
{
    s->N = (nzcv >> 31) & 1;
    s->Z = (nzcv >> 30) & 1;
    s->C = (nzcv >> 29) & 1;
    s->V = (nzcv >> 28) & 1;
}

uint64_t a64_get_tpidr_el0(const struct a64_state *s) { return s->TPIDR_EL0; }
void a64_set_tpidr_el0(struct a64_state *s, uint64_t v) { s->TPIDR_EL0 = v; }

void a64_get_v(const struct a64_state *s, unsigned n, uint64_t out[2])
{
    unsigned __int128 v = n < 32 ? s->VR[n] : 0;
    out[0] = (uint64_t)v;
    out[1] = (uint64_t)(v >> 64);
}

void a64_set_v(struct a64_state *s, unsigned n, const uint64_t in[2])
{
    if (n < 32)
        s->VR[n] = (unsigned __int128)in[1] << 64 | in[0];
}

uint32_t a64_get_fpcr(const struct a64_state *s) { return s->FPCR; }
void a64_set_fpcr(struct a64_state *s, uint32_t v) { s->FPCR = v; }
uint32_t a64_get_fpsr(const struct a64_state *s) { return s->FPSR; }
void a64_set_fpsr(struct a64_state *s, uint32_t v) { s->FPSR = v; }
