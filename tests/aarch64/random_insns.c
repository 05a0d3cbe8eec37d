/* Random A64 instruction streams for the differential tests (see random_insns.h). */
#include "tests/aarch64/random_insns.h"
#include "arch/aarch64/gen_api.h"

static uint64_t rng_state = 1;

void rnd_seed(uint64_t seed) { rng_state = seed | 1; }

uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

uint64_t rnd_operand(void)
{
    static const uint64_t edges[] = {
        0, 1, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0x7fffffff, 0x80000000,
        0xffffffff, 0x10000, 0x10040, 0x1fff8, 0x20000,
    };
    uint64_t r = rnd();
    if ((r & 3) == 0)
        return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
    if ((r & 3) == 1)
        return rnd() >> (rnd() % 64);
    return rnd();
}

/* Encoding patterns of the described groups: fixed bits and their mask. */
struct pattern { uint32_t value, mask; bool portable; };
static const struct pattern patterns[] = {
    { 0x11000000u, 0x1f800000u, true },    /* add/sub immediate */
    { 0x0b000000u, 0x1f200000u, true },    /* add/sub shifted register */
    { 0x0b200000u, 0x1fe00000u, true },    /* add/sub extended register */
    { 0x1a000000u, 0x1fe0fc00u, true },    /* adc/sbc */
    { 0x12000000u, 0x1f800000u, true },    /* logical immediate */
    { 0x0a000000u, 0x1f000000u, true },    /* logical shifted register */
    { 0x12800000u, 0x1f800000u, true },    /* move wide */
    { 0x10000000u, 0x1f000000u, true },    /* adr/adrp */
    { 0x13000000u, 0x1f800000u, true },    /* bitfield */
    { 0x13800000u, 0x7fa00000u, true },    /* extr */
    { 0x3a400000u, 0x3fe00410u, true },    /* conditional compare */
    { 0x1a800000u, 0x3fe00800u, true },    /* conditional select */
    { 0x1b000000u, 0x7f000000u, true },    /* 3 source */
    { 0x1ac00000u, 0x7fe00000u, true },    /* 2 source, crc32 */
    { 0x5ac00000u, 0x7fff0000u, true },    /* 1 source */
    { 0xd503201fu, 0xfffffe1fu, true },    /* hints 0..15 (filtered below) */
    { 0xd503201fu, 0xfffff01fu, false },   /* all hints */
    { 0xd503301fu, 0xfffff01fu, true },    /* barriers, clrex */
    { 0xd51b4200u, 0xffffffe0u, true },    /* msr nzcv */
    { 0xd53b4200u, 0xffffffe0u, true },    /* mrs nzcv */
    { 0xd51bd040u, 0xffffffe0u, true },    /* msr tpidr_el0 */
    { 0xd53bd040u, 0xffffffe0u, true },    /* mrs tpidr_el0 */
    { 0xd53b0020u, 0xffffffe0u, false },   /* mrs ctr_el0 */
    { 0xd50b7420u, 0xffffffe0u, false },   /* dc zva */
};

static bool portable_hint(uint32_t insn)
{
    uint32_t imm = (insn >> 5) & 0x7f;
    return imm == 0 || imm == 1 || imm == 4 || imm == 5;   /* nop yield sev sevl */
}

uint32_t rnd_plain_insn(bool portable)
{
    for (;;) {
        const struct pattern *p = &patterns[rnd() % (sizeof(patterns) / sizeof(patterns[0]))];
        if (portable && !p->portable)
            continue;
        uint32_t insn = p->value | ((uint32_t)rnd() & ~p->mask);
        if (portable && (insn & 0xfffff01fu) == 0xd503201fu && !portable_hint(insn))
            continue;
        struct a64_decoded d;
        if (a64_decode(insn, &d))
            return insn;
    }
}

uint32_t rnd_forward_branch(unsigned i, unsigned n)
{
    uint32_t dist = 1 + (uint32_t)(rnd() % (n - i));
    uint32_t rt = (uint32_t)(rnd() % 32);
    switch (rnd() % 3) {
    case 0:                                                  /* b.cond */
        return 0x54000000u | dist << 5 | (uint32_t)(rnd() % 16);
    case 1:                                                  /* cbz/cbnz */
        return (uint32_t)(rnd() & 1) << 31 | 0x34000000u | (uint32_t)(rnd() & 1) << 24 | dist << 5 | rt;
    default: {                                               /* tbz/tbnz */
        uint32_t bit = (uint32_t)(rnd() % 64);
        return (bit >> 5) << 31 | 0x36000000u | (uint32_t)(rnd() & 1) << 24 | (bit & 31) << 19 |
               dist << 5 | rt;
    }
    }
}
