/* Unit tests of the generated A64 interpreter's integer semantics against C
 * references written from the Arm ARM pseudocode: AddWithCarry flags of
 * ADDS/SUBS/ADCS/SBCS, DecodeBitMasks of logical immediates, bitfield moves, division
 * by zero and overflow, variable shifts, CLS/CLZ/RBIT/REV, conditional select and
 * compare over all flag combinations, multiplies, MOVK, EXTR, CRC32 (zlib), NZCV.
 * Instruction words are encoded here from their field layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>
#include "arch/aarch64/a64.h"
#include "arch/aarch64/gen_api.h"

#define MEM_SIZE 0x10000
#define CODE_PC  0x1000

static uint8_t memory[MEM_SIZE];
static const struct jit_memory mem = { .host_base = memory, .guest_limit = MEM_SIZE };
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random operand biased towards the edges where flag and overflow bugs live. */
static uint64_t operand(void)
{
    static const uint64_t edges[] = {
        0, 1, 2, ~0ull, ~0ull - 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0xffffffff80000000ull,
    };
    uint64_t r = rnd();
    if ((r & 3) == 0)
        return edges[(r >> 8) % (sizeof(edges) / sizeof(edges[0]))];
    if ((r & 3) == 1)
        return rnd() >> (rnd() % 64);
    return rnd();
}

/* Runs one instruction in the interpreter; expects it to complete normally. */
static void exec(struct a64_state *s, uint32_t insn)
{
    uint64_t info = 0;
    s->PC = CODE_PC;
    int r = a64_interp_insn(s, &mem, insn, &info);
    if (r != 0)
        fail_msg("insn %08x: exit %d (info %llx)", insn, r, (unsigned long long)info);
    assert_int_equal(s->PC, CODE_PC + 4);
}

static bool is_undefined(uint32_t insn)
{
    struct a64_state s;
    a64_state_init(&s);
    s.PC = CODE_PC;
    uint64_t info = 0;
    return a64_interp_insn(&s, &mem, insn, &info) == IR_EXIT_UNDEF && info == insn && s.PC == CODE_PC;
}

static void random_state(struct a64_state *s)
{
    a64_state_init(s);
    for (unsigned i = 0; i < 31; i++)
        s->X[i] = operand();
    s->SP = operand() & ~15ull;
    a64_set_nzcv(s, (uint32_t)rnd() & 0xf0000000u);
}

/* ---- encoders ---------------------------------------------------------------------- */

static uint32_t enc_addsub_reg(unsigned sf, unsigned op, unsigned S, unsigned rd, unsigned rn, unsigned rm)
{
    return sf << 31 | op << 30 | S << 29 | 0x0b000000u | rm << 16 | rn << 5 | rd;
}

static uint32_t enc_adc(unsigned sf, unsigned op, unsigned S, unsigned rd, unsigned rn, unsigned rm)
{
    return sf << 31 | op << 30 | S << 29 | 0x1a000000u | rm << 16 | rn << 5 | rd;
}

static uint32_t enc_bitmask_op(unsigned sf, unsigned opc, unsigned n, unsigned immr, unsigned imms,
                               unsigned rn, unsigned rd)
{
    return sf << 31 | opc << 29 | 0x12000000u | n << 22 | immr << 16 | imms << 10 | rn << 5 | rd;
}

static uint32_t enc_bitfield(unsigned sf, unsigned opc, unsigned immr, unsigned imms, unsigned rn, unsigned rd)
{
    return sf << 31 | opc << 29 | 0x13000000u | sf << 22 | immr << 16 | imms << 10 | rn << 5 | rd;
}

static uint32_t enc_dp2(unsigned sf, unsigned opcode, unsigned rd, unsigned rn, unsigned rm)
{
    return sf << 31 | 0x1ac00000u | rm << 16 | opcode << 10 | rn << 5 | rd;
}

static uint32_t enc_dp1(unsigned sf, unsigned opcode, unsigned rd, unsigned rn)
{
    return sf << 31 | 0x5ac00000u | opcode << 10 | rn << 5 | rd;
}

static uint32_t enc_dp3(unsigned sf, unsigned op31, unsigned o0, unsigned rd, unsigned rn, unsigned rm, unsigned ra)
{
    return sf << 31 | 0x1b000000u | op31 << 21 | rm << 16 | o0 << 15 | ra << 10 | rn << 5 | rd;
}

static uint32_t enc_csel(unsigned sf, unsigned op, unsigned o2, unsigned rd, unsigned rn, unsigned rm, unsigned cond)
{
    return sf << 31 | op << 30 | 0x1a800000u | rm << 16 | cond << 12 | o2 << 10 | rn << 5 | rd;
}

static uint32_t enc_ccmp_reg(unsigned sf, unsigned op, unsigned rn, unsigned rm, unsigned cond, unsigned nzcv)
{
    return sf << 31 | op << 30 | 0x3a400000u | rm << 16 | cond << 12 | rn << 5 | nzcv;
}

/* ---- references ---------------------------------------------------------------------- */

static uint64_t mask_of(unsigned sf) { return sf ? ~0ull : 0xffffffffull; }

/* AddWithCarry at 32 or 64 bits: result and NZCV in PSTATE layout. */
static uint64_t add_with_carry(unsigned sf, uint64_t x, uint64_t y, unsigned cin, uint32_t *nzcv)
{
    unsigned bits = sf ? 64 : 32;
    uint64_t m = mask_of(sf);
    x &= m;
    y &= m;
    unsigned __int128 usum = (unsigned __int128)x + y + cin;
    __int128 sx = sf ? (__int128)(int64_t)x : (__int128)(int32_t)x;
    __int128 sy = sf ? (__int128)(int64_t)y : (__int128)(int32_t)y;
    __int128 ssum = sx + sy + cin;
    uint64_t r = (uint64_t)usum & m;
    __int128 sr = sf ? (__int128)(int64_t)r : (__int128)(int32_t)r;
    uint32_t n = (uint32_t)(r >> (bits - 1)) & 1, z = r == 0, c = usum != r, v = ssum != sr;
    *nzcv = n << 31 | z << 30 | c << 29 | v << 28;
    return r;
}

static bool condition_holds(unsigned cond, uint32_t nzcv)
{
    bool n = nzcv >> 31 & 1, z = nzcv >> 30 & 1, c = nzcv >> 29 & 1, v = nzcv >> 28 & 1, r;
    switch (cond >> 1) {
    case 0: r = z; break;
    case 1: r = c; break;
    case 2: r = n; break;
    case 3: r = v; break;
    case 4: r = c && !z; break;
    case 5: r = n == v; break;
    case 6: r = n == v && !z; break;
    default: r = true; break;
    }
    return (cond & 1) && cond != 15 ? !r : r;
}

static uint64_t ror_bits(uint64_t x, unsigned r, unsigned esize)
{
    uint64_t m = esize == 64 ? ~0ull : (1ull << esize) - 1;
    x &= m;
    if (r == 0)
        return x;
    return ((x >> r) | (x << (esize - r))) & m;
}

static uint64_t ones(unsigned n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

static uint64_t replicate(uint64_t elem, unsigned esize)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += esize)
        r |= elem << i;
    return r;
}

/* DecodeBitMasks(N, imms, immr, immediate): false when the encoding is reserved. */
static bool decode_bit_masks(unsigned n, unsigned imms, unsigned immr, bool immediate,
                             uint64_t *wmask, uint64_t *tmask)
{
    unsigned combined = n << 6 | (~imms & 0x3f);
    int len = -1;
    for (int i = 6; i >= 0; i--)
        if (combined >> i & 1) {
            len = i;
            break;
        }
    if (len < 1)
        return false;
    unsigned levels = (1u << len) - 1;
    if (immediate && (imms & levels) == levels)
        return false;
    unsigned s = imms & levels, r = immr & levels, esize = 1u << len;
    unsigned d = (s - r) & levels;
    *wmask = replicate(ror_bits(ones(s + 1), r, esize), esize);
    *tmask = replicate(ones(d + 1), esize);
    return true;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_add_sub_flags(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 20000; i++) {
        random_state(&s);
        unsigned sf = rnd() & 1, op = rnd() & 1, S = rnd() & 1;
        uint64_t a = s.X[1], b = s.X[2];
        uint32_t before = a64_get_nzcv(&s), nzcv;
        uint64_t want = add_with_carry(sf, a, op ? ~b : b, op, &nzcv);
        exec(&s, enc_addsub_reg(sf, op, S, 0, 1, 2));
        assert_int_equal(s.X[0], want);
        assert_int_equal(a64_get_nzcv(&s), S ? nzcv : before);
    }
}

static void test_adc_sbc_flags(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 20000; i++) {
        random_state(&s);
        unsigned sf = rnd() & 1, op = rnd() & 1, S = rnd() & 1;
        uint64_t a = s.X[3], b = s.X[4];
        uint32_t before = a64_get_nzcv(&s), nzcv;
        uint64_t want = add_with_carry(sf, a, op ? ~b : b, before >> 29 & 1, &nzcv);
        exec(&s, enc_adc(sf, op, S, 5, 3, 4));
        assert_int_equal(s.X[5], want);
        assert_int_equal(a64_get_nzcv(&s), S ? nzcv : before);
    }
}

static void test_compare_to_zero_register(void **unused)
{
    struct a64_state s;
    random_state(&s);
    uint64_t x0 = s.X[0];
    s.X[1] = 5;
    s.X[2] = 7;
    exec(&s, enc_addsub_reg(1, 1, 1, 31, 1, 2));          /* cmp x1, x2 */
    assert_int_equal(s.X[0], x0);                          /* rd 31 is xzr: nothing written */
    assert_int_equal(a64_get_nzcv(&s), 0x80000000u);      /* 5 - 7: N, borrow (C clear) */
}

static void test_logical_immediates(void **unused)
{
    struct a64_state s;
    for (unsigned sf = 0; sf < 2; sf++)
        for (unsigned n = 0; n < 2; n++)
            for (unsigned immr = 0; immr < 64; immr++)
                for (unsigned imms = 0; imms < 64; imms++) {
                    uint64_t wmask, tmask;
                    bool valid = decode_bit_masks(n, imms, immr, true, &wmask, &tmask) && (sf || n == 0);
                    uint32_t ands = enc_bitmask_op(sf, 3, n, immr, imms, 1, 0);
                    if (!valid) {
                        assert_true(is_undefined(ands));
                        continue;
                    }
                    uint64_t imm = wmask & mask_of(sf);
                    random_state(&s);
                    uint64_t src = s.X[1];
                    exec(&s, ands);
                    uint64_t r = src & imm;
                    assert_int_equal(s.X[0], r & mask_of(sf));
                    uint32_t nz = (uint32_t)(r >> (sf ? 63 : 31) & 1) << 31 | (uint32_t)((r & mask_of(sf)) == 0) << 30;
                    assert_int_equal(a64_get_nzcv(&s), nz);
                    random_state(&s);
                    exec(&s, enc_bitmask_op(sf, 1, n, immr, imms, 31, 2));   /* orr x2, xzr, #imm */
                    assert_int_equal(s.X[2], imm);
                    random_state(&s);
                    src = s.X[3];
                    exec(&s, enc_bitmask_op(sf, 2, n, immr, imms, 3, 31));   /* eor sp, x3, #imm */
                    assert_int_equal(s.SP, (src ^ imm) & mask_of(sf));
                }
}

static void test_bitfield_moves(void **unused)
{
    struct a64_state s;
    for (unsigned sf = 0; sf < 2; sf++)
        for (unsigned opc = 0; opc < 3; opc++)
            for (unsigned immr = 0; immr < 64; immr++)
                for (unsigned imms = 0; imms < 64; imms++) {
                    uint32_t insn = enc_bitfield(sf, opc, immr, imms, 1, 0);
                    uint64_t wmask, tmask;
                    if (!sf && (immr >= 32 || imms >= 32)) {
                        assert_true(is_undefined(insn));
                        continue;
                    }
                    assert_true(decode_bit_masks(sf, imms, immr, false, &wmask, &tmask));
                    unsigned bits = sf ? 64 : 32;
                    for (int k = 0; k < 3; k++) {
                        random_state(&s);
                        uint64_t src = s.X[1] & mask_of(sf), dst = opc == 1 ? s.X[0] & mask_of(sf) : 0;
                        uint64_t bot = (dst & ~wmask) | (ror_bits(src, immr, bits) & wmask);
                        uint64_t top = opc == 0 ? ((src >> imms & 1) ? ~0ull : 0) : dst;
                        uint64_t want = ((top & ~tmask) | (bot & tmask)) & mask_of(sf);
                        exec(&s, insn);
                        if (s.X[0] != want)
                            fail_msg("bitfield sf=%u opc=%u immr=%u imms=%u src=%llx: got %llx want %llx",
                                     sf, opc, immr, imms, (unsigned long long)src,
                                     (unsigned long long)s.X[0], (unsigned long long)want);
                    }
                }
}

static void test_division(void **unused)
{
    struct a64_state s;
    static const uint64_t cases[][2] = {
        { 7, 0 }, { 0, 0 }, { ~0ull, 0 }, { 0x8000000000000000ull, ~0ull }, { 0x80000000, 0xffffffff },
        { 100, 7 }, { (uint64_t)-100, 7 }, { 100, (uint64_t)-7 }, { ~0ull, 2 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) + 5000; i++) {
        random_state(&s);
        uint64_t a = i < 9 ? cases[i][0] : operand(), b = i < 9 ? cases[i][1] : operand();
        if (i >= 9 && (rnd() & 7) == 0)
            b = 0;
        s.X[1] = a;
        s.X[2] = b;
        exec(&s, enc_dp2(1, 2, 0, 1, 2));    /* udiv x0 */
        exec(&s, enc_dp2(1, 3, 3, 1, 2));    /* sdiv x3 */
        exec(&s, enc_dp2(0, 2, 4, 1, 2));    /* udiv w4 */
        exec(&s, enc_dp2(0, 3, 5, 1, 2));    /* sdiv w5 */
        assert_int_equal(s.X[0], b ? a / b : 0);
        int64_t sa = (int64_t)a, sb = (int64_t)b;
        assert_int_equal(s.X[3], sb == 0 ? 0 : (sb == -1 ? (uint64_t)0 - a : (uint64_t)(sa / sb)));
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b;
        assert_int_equal(s.X[4], b32 ? a32 / b32 : 0);
        int32_t sa32 = (int32_t)a32, sb32 = (int32_t)b32;
        uint32_t want32 = sb32 == 0 ? 0 : (sb32 == -1 ? 0u - a32 : (uint32_t)(sa32 / sb32));
        assert_int_equal(s.X[5], want32);
    }
}

static void test_variable_shifts(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 20000; i++) {
        random_state(&s);
        unsigned sf = rnd() & 1, type = rnd() & 3;
        uint64_t a = s.X[1] & mask_of(sf), amount = s.X[2];
        unsigned bits = sf ? 64 : 32, sh = (unsigned)(amount % bits);
        uint64_t want;
        switch (type) {
        case 0: want = a << sh; break;
        case 1: want = a >> sh; break;
        case 2: want = sf ? (uint64_t)((int64_t)a >> sh) : (uint64_t)(uint32_t)((int32_t)a >> sh); break;
        default: want = ror_bits(a, sh, bits); break;
        }
        exec(&s, enc_dp2(sf, 8 + type, 0, 1, 2));
        assert_int_equal(s.X[0], want & mask_of(sf));
    }
}

static uint64_t ref_rbit(uint64_t x, unsigned bits)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bits; i++)
        if (x >> i & 1)
            r |= 1ull << (bits - 1 - i);
    return r;
}

static uint64_t ref_cls(uint64_t x, unsigned bits)
{
    unsigned top = x >> (bits - 1) & 1, n = 0;
    for (int i = (int)bits - 2; i >= 0 && (x >> i & 1) == top; i--)
        n++;
    return n;
}

static uint64_t ref_clz(uint64_t x, unsigned bits)
{
    unsigned n = 0;
    for (int i = (int)bits - 1; i >= 0 && !(x >> i & 1); i--)
        n++;
    return n;
}

static uint64_t ref_rev_chunks(uint64_t x, unsigned bits, unsigned container)
{
    uint64_t r = 0;
    for (unsigned c = 0; c < bits; c += container)
        for (unsigned b = 0; b < container; b += 8)
            r |= (x >> (c + b) & 0xff) << (c + container - 8 - b);
    return r;
}

static void test_bit_operations(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 20000; i++) {
        random_state(&s);
        unsigned sf = rnd() & 1, bits = sf ? 64 : 32;
        uint64_t x = s.X[1] & mask_of(sf);
        exec(&s, enc_dp1(sf, 0, 2, 1));
        assert_int_equal(s.X[2], ref_rbit(x, bits));
        exec(&s, enc_dp1(sf, 1, 3, 1));
        assert_int_equal(s.X[3], ref_rev_chunks(x, bits, 16));
        exec(&s, enc_dp1(sf, 2, 4, 1));
        assert_int_equal(s.X[4], ref_rev_chunks(x, bits, 32));
        if (sf) {
            exec(&s, enc_dp1(1, 3, 5, 1));
            assert_int_equal(s.X[5], ref_rev_chunks(x, 64, 64));
        } else {
            assert_true(is_undefined(enc_dp1(0, 3, 5, 1)));
        }
        exec(&s, enc_dp1(sf, 4, 6, 1));
        assert_int_equal(s.X[6], ref_clz(x, bits));
        exec(&s, enc_dp1(sf, 5, 7, 1));
        assert_int_equal(s.X[7], ref_cls(x, bits));
    }
}

static void test_conditional_select_and_compare(void **unused)
{
    struct a64_state s;
    for (unsigned flags = 0; flags < 16; flags++)
        for (unsigned cond = 0; cond < 16; cond++)
            for (int i = 0; i < 40; i++) {
                random_state(&s);
                uint32_t nzcv = flags << 28;
                a64_set_nzcv(&s, nzcv);
                unsigned sf = rnd() & 1, op = rnd() & 1, o2 = rnd() & 1;
                uint64_t a = s.X[1] & mask_of(sf), b = s.X[2] & mask_of(sf);
                bool holds = condition_holds(cond, nzcv);
                uint64_t alt = op == 0 ? (o2 ? b + 1 : b) : (o2 ? 0 - b : ~b);
                exec(&s, enc_csel(sf, op, o2, 0, 1, 2, cond));
                assert_int_equal(s.X[0], (holds ? a : alt) & mask_of(sf));
                assert_int_equal(a64_get_nzcv(&s), nzcv);

                unsigned imm_nzcv = rnd() & 15;
                uint32_t cmp_flags;
                add_with_carry(sf, a, op ? ~b : b, op, &cmp_flags);
                exec(&s, enc_ccmp_reg(sf, op, 1, 2, cond, imm_nzcv));
                assert_int_equal(a64_get_nzcv(&s), holds ? cmp_flags : imm_nzcv << 28);
            }
}

static void test_multiply(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 20000; i++) {
        random_state(&s);
        uint64_t a = s.X[1], b = s.X[2], c = s.X[3];
        exec(&s, enc_dp3(1, 0, 0, 10, 1, 2, 3));     /* madd */
        exec(&s, enc_dp3(1, 0, 1, 11, 1, 2, 3));     /* msub */
        exec(&s, enc_dp3(0, 0, 0, 12, 1, 2, 3));     /* madd w */
        exec(&s, enc_dp3(0, 0, 1, 13, 1, 2, 3));     /* msub w */
        exec(&s, enc_dp3(1, 1, 0, 14, 1, 2, 3));     /* smaddl */
        exec(&s, enc_dp3(1, 1, 1, 15, 1, 2, 3));     /* smsubl */
        exec(&s, enc_dp3(1, 5, 0, 16, 1, 2, 3));     /* umaddl */
        exec(&s, enc_dp3(1, 5, 1, 17, 1, 2, 3));     /* umsubl */
        exec(&s, enc_dp3(1, 2, 0, 18, 1, 2, 31));    /* smulh */
        exec(&s, enc_dp3(1, 6, 0, 19, 1, 2, 31));    /* umulh */
        assert_int_equal(s.X[10], c + a * b);
        assert_int_equal(s.X[11], c - a * b);
        assert_int_equal(s.X[12], (uint32_t)(c + a * b));
        assert_int_equal(s.X[13], (uint32_t)(c - a * b));
        int64_t sp = (int64_t)(int32_t)a * (int64_t)(int32_t)b;
        uint64_t up = (uint64_t)(uint32_t)a * (uint32_t)b;
        assert_int_equal(s.X[14], c + (uint64_t)sp);
        assert_int_equal(s.X[15], c - (uint64_t)sp);
        assert_int_equal(s.X[16], c + up);
        assert_int_equal(s.X[17], c - up);
        assert_int_equal(s.X[18], (uint64_t)(((__int128)(int64_t)a * (int64_t)b) >> 64));
        assert_int_equal(s.X[19], (uint64_t)(((unsigned __int128)a * b) >> 64));
    }
}

static void test_move_wide_and_extract(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 5000; i++) {
        random_state(&s);
        unsigned hw = rnd() & 3, imm16 = rnd() & 0xffff;
        uint64_t old = s.X[0];
        exec(&s, 0xf2800000u | hw << 21 | imm16 << 5);           /* movk x0 */
        assert_int_equal(s.X[0], (old & ~(0xffffull << (16 * hw))) | (uint64_t)imm16 << (16 * hw));
        exec(&s, 0x92800000u | hw << 21 | imm16 << 5 | 1);       /* movn x1 */
        assert_int_equal(s.X[1], ~((uint64_t)imm16 << (16 * hw)));
        exec(&s, 0x12800000u | (hw & 1) << 21 | imm16 << 5 | 2); /* movn w2 */
        assert_int_equal(s.X[2], (uint32_t)~((uint32_t)imm16 << (16 * (hw & 1))));
        unsigned lsb = rnd() & 63;
        uint64_t hi = s.X[4], lo = s.X[5];
        exec(&s, 0x93c00000u | 5 << 16 | lsb << 10 | 4 << 5 | 3);  /* extr x3, x4, x5, #lsb */
        assert_int_equal(s.X[3], lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo);
        lsb &= 31;
        exec(&s, 0x13800000u | 5 << 16 | lsb << 10 | 4 << 5 | 6);  /* extr w6, w4, w5, #lsb */
        uint64_t cat = (uint64_t)(uint32_t)hi << 32 | (uint32_t)lo;
        assert_int_equal(s.X[6], (uint32_t)(cat >> lsb));
    }
    assert_true(is_undefined(0x52800000u | 2u << 21));   /* movz w0, lsl #32: unallocated */
    assert_true(is_undefined(0x32800000u));              /* opc 01: unallocated */
}

static void test_crc32(void **unused)
{
    struct a64_state s;
    for (int i = 0; i < 2000; i++) {
        random_state(&s);
        unsigned sz = rnd() & 3;
        uint64_t data = s.X[2];
        uint32_t acc = (uint32_t)s.X[1];
        uint8_t bytes[8];
        memcpy(bytes, &data, 8);
        exec(&s, (sz == 3 ? 0x80000000u : 0) | 0x1ac04000u | 2 << 16 | sz << 10 | 1 << 5 | 0);
        /* zlib's crc32 = ~CRC(~acc): undo the inversions around the architectural update */
        uint32_t want = ~(uint32_t)crc32(~acc & 0xffffffffu, bytes, 1u << sz);
        assert_int_equal(s.X[0], want);
    }
}

static void test_nzcv_round_trip(void **unused)
{
    struct a64_state s;
    for (unsigned flags = 0; flags < 16; flags++) {
        random_state(&s);
        s.X[1] = (uint64_t)flags << 28 | 0x0fffffffull;
        exec(&s, 0xd51b4201u);              /* msr nzcv, x1 */
        assert_int_equal(a64_get_nzcv(&s), flags << 28);
        exec(&s, 0xd53b4202u);              /* mrs x2, nzcv */
        assert_int_equal(s.X[2], (uint64_t)flags << 28);
    }
}

static void test_branches(void **unused)
{
    struct a64_state s;
    uint64_t info;
    for (unsigned flags = 0; flags < 16; flags++)
        for (unsigned cond = 0; cond < 16; cond++) {
            random_state(&s);
            a64_set_nzcv(&s, flags << 28);
            s.PC = CODE_PC;
            assert_int_equal(a64_interp_insn(&s, &mem, 0x54000080u | cond, &info), 0);  /* b.cond .+16 */
            assert_int_equal(s.PC, condition_holds(cond, flags << 28) ? CODE_PC + 16 : CODE_PC + 4);
        }
    random_state(&s);
    s.PC = CODE_PC;
    assert_int_equal(a64_interp_insn(&s, &mem, 0x97fffffeu, &info), 0);   /* bl .-8 */
    assert_int_equal(s.PC, CODE_PC - 8);
    assert_int_equal(s.X[30], CODE_PC + 4);
    s.X[30] = 0x1234;
    s.PC = CODE_PC;
    assert_int_equal(a64_interp_insn(&s, &mem, 0xd63f03c0u, &info), 0);   /* blr x30 */
    assert_int_equal(s.PC, 0x1234);
    assert_int_equal(s.X[30], CODE_PC + 4);
    s.PC = CODE_PC;
    assert_int_equal(a64_interp_insn(&s, &mem, 0xd4000001u | 0x42 << 5, &info), IR_EXIT_SYSCALL);
    assert_int_equal(info, 0x42);
    assert_int_equal(s.PC, CODE_PC + 4);
    s.PC = CODE_PC;
    assert_int_equal(a64_interp_insn(&s, &mem, 0xd4200000u | 7 << 5, &info), IR_EXIT_BREAKPOINT);
    assert_int_equal(info, 7);
    assert_int_equal(s.PC, CODE_PC);
}

static void test_system_registers(void **unused)
{
    struct a64_state s;
    random_state(&s);
    exec(&s, 0xd53b0021u);                  /* mrs x1, ctr_el0 */
    assert_int_equal(s.X[1], 0x9444c004u);  /* 64-byte lines, IDC set, DIC clear: IC is needed */
    exec(&s, 0xd53b00e2u);                  /* mrs x2, dczid_el0 */
    assert_int_equal(s.X[2], 4);            /* DC ZVA allowed, 64 bytes */
    s.X[3] = ~0ull;
    exec(&s, 0xd51b4403u);                  /* msr fpcr, x3 */
    assert_int_equal(s.FPCR, 0x07c00000u);  /* AHP DN FZ RMode; no traps, Len, Stride */
    exec(&s, 0xd51b4423u);                  /* msr fpsr, x3 */
    assert_int_equal(s.FPSR, 0x0800009fu);  /* QC and the cumulative flags */
    exec(&s, 0xd53b4424u);                  /* mrs x4, fpsr */
    assert_int_equal(s.X[4], 0x0800009fu);
    s.X[5] = 0x123456789abcdef0ull;
    exec(&s, 0xd51bd045u);                  /* msr tpidr_el0, x5 */
    exec(&s, 0xd53bd046u);                  /* mrs x6, tpidr_el0 */
    assert_int_equal(s.X[6], 0x123456789abcdef0ull);
    exec(&s, 0xd53bd067u);                  /* mrs x7, tpidrro_el0 */
    assert_int_equal(s.X[7], 0);
    s.EXCL_VALID = 1;
    exec(&s, 0xd5033f5fu);                  /* clrex */
    assert_int_equal(s.EXCL_VALID, 0);
    assert_true(is_undefined(0xd5381020u)); /* mrs x0, sctlr_el1: privileged */
    assert_true(is_undefined(0xd51bd060u)); /* msr tpidrro_el0, x0: read-only at EL0 */
    assert_true(is_undefined(0xd4400000u)); /* hlt #0 */
    assert_true(is_undefined(0xd4000002u)); /* hvc #0 */
    assert_true(is_undefined(0x00000000u)); /* udf #0 */
}

static void test_dc_zva(void **unused)
{
    struct a64_state s;
    random_state(&s);
    memset(memory + 0x2000, 0xaa, 0x100);
    s.X[0] = 0x2047;                        /* inside the block 0x2040..0x207f */
    exec(&s, 0xd50b7420u);                  /* dc zva, x0 */
    for (unsigned i = 0; i < 0x100; i++)
        assert_int_equal(memory[0x2000 + i], i >= 0x40 && i < 0x80 ? 0 : 0xaa);
    uint64_t info = 0;
    s.X[0] = MEM_SIZE + 0x10;
    s.PC = CODE_PC;
    assert_int_equal(a64_interp_insn(&s, &mem, 0xd50b7420u, &info), IR_EXIT_DATA_ABORT);
    assert_int_equal(s.PC, CODE_PC);
    assert_true(info >= MEM_SIZE);
}

static void test_pc_relative(void **unused)
{
    struct a64_state s;
    random_state(&s);
    exec(&s, 0x10000000u | 3u << 29 | 5u << 5 | 1);   /* adr x1, .+0x17 */
    assert_int_equal(s.X[1], CODE_PC + 0x17);
    exec(&s, 0x90000000u | 1u << 29 | 0x7ffffu << 5 | 2); /* adrp x2, . - 0x3000 */
    assert_int_equal(s.X[2], (CODE_PC & ~0xfffull) - 0x3000);
    exec(&s, 0x910003e3u);                               /* mov x3, sp */
    assert_int_equal(s.X[3], s.SP);
    s.X[4] = 0x4000;
    exec(&s, 0x9100109fu);                               /* add sp, x4, #4 */
    assert_int_equal(s.SP, 0x4004);
}

static void test_interp_run_loop(void **unused)
{
    /* x0 = 10; loop: subs x0, x0, #1; b.ne loop; brk #1 */
    static const uint32_t prog[] = { 0xd2800140u, 0xf1000400u, 0x54ffffe1u, 0xd4200020u };
    memcpy(memory + CODE_PC, prog, sizeof(prog));
    struct a64_state s;
    a64_state_init(&s);
    s.PC = CODE_PC;
    uint64_t info = 0, budget = 1000;
    assert_int_equal(a64_interp_run(&s, &mem, &info, &budget), IR_EXIT_BREAKPOINT);
    assert_int_equal(info, 1);
    assert_int_equal(s.X[0], 0);
    assert_int_equal(budget, 1000 - 21);
    s.PC = MEM_SIZE - 2;
    budget = 10;
    assert_int_equal(a64_interp_run(&s, &mem, &info, &budget), IR_EXIT_FETCH_ABORT);
    s.PC = CODE_PC;
    budget = 5;
    assert_int_equal(a64_interp_run(&s, &mem, &info, &budget), IR_EXIT_JUMP);
    assert_int_equal(budget, 0);
    assert_int_equal(s.PC, CODE_PC + 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_sub_flags),
        cmocka_unit_test(test_adc_sbc_flags),
        cmocka_unit_test(test_compare_to_zero_register),
        cmocka_unit_test(test_logical_immediates),
        cmocka_unit_test(test_bitfield_moves),
        cmocka_unit_test(test_division),
        cmocka_unit_test(test_variable_shifts),
        cmocka_unit_test(test_bit_operations),
        cmocka_unit_test(test_conditional_select_and_compare),
        cmocka_unit_test(test_multiply),
        cmocka_unit_test(test_move_wide_and_extract),
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_nzcv_round_trip),
        cmocka_unit_test(test_branches),
        cmocka_unit_test(test_system_registers),
        cmocka_unit_test(test_dc_zva),
        cmocka_unit_test(test_pc_relative),
        cmocka_unit_test(test_interp_run_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
