/* Register-pressure tests of the JIT: random straight-line blocks with many values
 * live at once (long-lived operands, I1 flags, dirty guest registers, guest loads and
 * stores, a final access that may fault) run through the JIT and through a C
 * evaluation of the same program; registers, flags, memory, PC and the exit must agree.
 * These found values spilled late sharing a frame slot with values that died in the
 * meantime (the state written back at a fault, or a later use, saw the wrong value). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "toy_guest.h"
#include "jit/jit_internal.h"

enum pop_kind {
    P_READ,      /* v = x[r] */
    P_BIN,       /* v = a op b (I64) */
    P_SHIFT,     /* v = a shift k */
    P_CMP,       /* f = a cond b (I1) */
    P_SELECT,    /* v = f ? a : b */
    P_FLAGWORD,  /* v = zext(f1) << 31 | zext(f2) << 30 (like MRS NZCV) */
    P_WRITE,     /* x[r] = a */
    P_WRITE_FLAG,/* n/z/c/v = f */
    P_LOAD,      /* v = mem64[a & 0xfff8] */
    P_STORE,     /* mem64[a & 0xfff8] = b */
    P_FAULTY,    /* mem64[a] = b where a may be out of range (the last operation) */
};

struct pop { uint8_t kind, sub, r; uint32_t a, b, c; uint64_t k; };

#define MAX_POPS 160
struct program { struct pop ops[MAX_POPS]; unsigned n; bool is_flag[MAX_POPS]; };

/* Operands: half the time a recent value, half the time any earlier one, so that many
 * values stay live across the block and the allocator has to spill. */
static uint32_t pick(uint64_t *seed, const struct program *p, bool flag)
{
    for (int tries = 0; tries < 64; tries++) {
        uint64_t r = toy_rand(seed);
        uint32_t i = (r & 1) && p->n > 4 ? p->n - 1 - (uint32_t)((r >> 1) % 4) : (uint32_t)((r >> 1) % p->n);
        if (p->is_flag[i] == flag && p->ops[i].kind != P_WRITE && p->ops[i].kind != P_WRITE_FLAG &&
            p->ops[i].kind != P_STORE)
            return i;
    }
    return UINT32_MAX;
}

static void make_program(uint64_t seed, struct program *p)
{
    memset(p, 0, sizeof(*p));
    for (unsigned r = 0; r < 6; r++) p->ops[p->n++] = (struct pop){ .kind = P_READ, .r = (uint8_t)r };
    unsigned len = 40 + (unsigned)(toy_rand(&seed) % (MAX_POPS - 48));
    while (p->n < len) {
        struct pop o = { .kind = (uint8_t)(toy_rand(&seed) % (P_STORE + 1)) };
        o.sub = (uint8_t)(toy_rand(&seed) % 6);
        o.r = (uint8_t)(toy_rand(&seed) % 12);
        o.k = toy_rand_edge(&seed);
        bool flag_result = o.kind == P_CMP;
        switch (o.kind) {
        case P_READ: break;
        case P_BIN: case P_SHIFT: case P_LOAD: case P_STORE: case P_WRITE:
            o.a = pick(&seed, p, false);
            o.b = pick(&seed, p, false);
            break;
        case P_CMP:
            o.a = pick(&seed, p, false);
            o.b = pick(&seed, p, false);
            break;
        case P_SELECT:
            o.c = pick(&seed, p, true);
            o.a = pick(&seed, p, false);
            o.b = pick(&seed, p, false);
            break;
        case P_FLAGWORD:
            o.a = pick(&seed, p, true);
            o.b = pick(&seed, p, true);
            break;
        case P_WRITE_FLAG:
            o.a = pick(&seed, p, true);
            break;
        }
        if (o.a == UINT32_MAX || o.b == UINT32_MAX || o.c == UINT32_MAX) continue;
        p->is_flag[p->n] = flag_result;
        p->ops[p->n++] = o;
    }
    struct pop last = { .kind = P_FAULTY, .a = pick(&seed, p, false), .b = pick(&seed, p, false) };
    last.k = toy_rand(&seed) & 1;          /* 1: force the address out of range */
    p->ops[p->n++] = last;
}

static uint64_t pc_of(uint64_t block_pc, unsigned i) { return block_pc + 4 * i; }

static uint64_t eval_bin(unsigned sub, uint64_t a, uint64_t b)
{
    switch (sub) {
    case 0: return a + b;
    case 1: return a - b;
    case 2: return a & b;
    case 3: return a | b;
    case 4: return a ^ b;
    default: return a * b;
    }
}

static bool eval_cmp(unsigned sub, uint64_t a, uint64_t b)
{
    switch (sub % 3) {
    case 0: return a < b;
    case 1: return (int64_t)a < (int64_t)b;
    default: return a == b;
    }
}

static uint32_t flag_off(unsigned r)
{
    static const uint32_t offs[4] = { OFF_N, OFF_Z, OFF_C, OFF_V };
    return offs[r % 4];
}

/* The C reference. Returns the exit kind; *info = the faulting address. */
static ir_exit_kind eval_program(const struct program *p, uint64_t block_pc, struct toy_state *s,
                                 uint8_t *mem, uint64_t *info)
{
    uint64_t v[MAX_POPS];
    for (unsigned i = 0; i < p->n; i++) {
        const struct pop *o = &p->ops[i];
        switch (o->kind) {
        case P_READ: v[i] = s->x[o->r]; break;
        case P_BIN: v[i] = eval_bin(o->sub, v[o->a], v[o->b]); break;
        case P_SHIFT: {
            unsigned k = (unsigned)(o->k % 64);
            v[i] = o->sub % 3 == 0 ? v[o->a] << k : o->sub % 3 == 1 ? v[o->a] >> k : (uint64_t)((int64_t)v[o->a] >> k);
            break;
        }
        case P_CMP: v[i] = eval_cmp(o->sub, v[o->a], v[o->b]); break;
        case P_SELECT: v[i] = v[o->c] ? v[o->a] : v[o->b]; break;
        case P_FLAGWORD: v[i] = v[o->a] << 31 | v[o->b] << 30; break;
        case P_WRITE: s->x[o->r] = v[o->a]; break;
        case P_WRITE_FLAG: memcpy((uint8_t *)s + flag_off(o->r), &(uint8_t){ (uint8_t)v[o->a] }, 1); break;
        case P_LOAD: memcpy(&v[i], mem + (v[o->a] & 0xfff8), 8); break;
        case P_STORE: memcpy(mem + (v[o->a] & 0xfff8), &v[o->b], 8); break;
        case P_FAULTY: {
            uint64_t a = o->k ? v[o->a] | 0x10000 : v[o->a] & 0xfff8;
            if (a > TOY_MEM_SIZE - 8) {
                s->pc = pc_of(block_pc, i);
                *info = a;
                return IR_EXIT_DATA_ABORT;
            }
            memcpy(mem + a, &v[o->b], 8);
            break;
        }
        }
    }
    s->pc = pc_of(block_pc, p->n);
    return IR_EXIT_HALT;
}

static struct program programs[64];

static void build_program(struct toy *t, ir_block *b, uint64_t pc)
{
    (void)t;
    const struct program *p = &programs[(pc >> 12) - 1];
    ir_val v[MAX_POPS];
    for (unsigned i = 0; i < p->n; i++) {
        const struct pop *o = &p->ops[i];
        ir_insn_start(b, pc_of(pc, i), 0);
        switch (o->kind) {
        case P_READ: v[i] = ir_read_reg(b, IR_I64, OFF_X(o->r)); break;
        case P_BIN: {
            ir_val (*fn[])(ir_block *, ir_val, ir_val) = { ir_add, ir_sub, ir_and, ir_or, ir_xor, ir_mul };
            v[i] = fn[o->sub](b, v[o->a], v[o->b]);
            break;
        }
        case P_SHIFT: {
            ir_val k = ir_const(b, IR_I32, o->k % 64);
            v[i] = o->sub % 3 == 0 ? ir_shl(b, v[o->a], k) : o->sub % 3 == 1 ? ir_lshr(b, v[o->a], k) : ir_ashr(b, v[o->a], k);
            break;
        }
        case P_CMP: {
            static const ir_cond conds[3] = { IR_ULT, IR_SLT, IR_EQ };
            v[i] = ir_cmp(b, conds[o->sub % 3], v[o->a], v[o->b]);
            break;
        }
        case P_SELECT: v[i] = ir_select(b, v[o->c], v[o->a], v[o->b]); break;
        case P_FLAGWORD:
            v[i] = ir_or(b, ir_shl(b, ir_zext(b, IR_I64, v[o->a]), ir_const(b, IR_I32, 31)),
                         ir_shl(b, ir_zext(b, IR_I64, v[o->b]), ir_const(b, IR_I32, 30)));
            break;
        case P_WRITE: ir_write_reg(b, OFF_X(o->r), v[o->a]); break;
        case P_WRITE_FLAG: ir_write_reg(b, flag_off(o->r), ir_trunc(b, IR_I8, ir_zext(b, IR_I64, v[o->a]))); break;
        case P_LOAD: v[i] = ir_load(b, IR_I64, ir_and(b, v[o->a], ir_const(b, IR_I64, 0xfff8))); break;
        case P_STORE: ir_store(b, ir_and(b, v[o->a], ir_const(b, IR_I64, 0xfff8)), v[o->b]); break;
        case P_FAULTY: {
            ir_val a = o->k ? ir_or(b, v[o->a], ir_const(b, IR_I64, 0x10000))
                            : ir_and(b, v[o->a], ir_const(b, IR_I64, 0xfff8));
            ir_store(b, a, v[o->b]);
            break;
        }
        }
    }
    ir_exit_special(b, IR_EXIT_HALT, pc_of(pc, p->n), 0);
}

static void run_programs(uint64_t seed0)
{
    static uint8_t ref_mem[TOY_MEM_SIZE], init_mem[TOY_MEM_SIZE];
    struct toy *t = toy_new(build_program, NULL, 0);
    uint64_t seed = seed0;
    for (unsigned round = 0; round < 8; round++) {
        for (unsigned k = 0; k < 64; k++) make_program(toy_rand(&seed), &programs[k]);
        jit_invalidate(t->j, 0, ~0ull);
        for (unsigned k = 0; k < 64; k++) {
            for (size_t i = 0; i < TOY_MEM_SIZE; i += 8) {
                uint64_t r = toy_rand(&seed);
                memcpy(init_mem + i, &r, 8);
            }
            struct toy_state s0 = { 0 };
            for (unsigned r = 0; r < 32; r++) s0.x[r] = toy_rand_edge(&seed);
            s0.n = 1; s0.c = 1;
            uint64_t pc = 0x1000ull * (k + 1);
            struct toy_state want = s0, got = s0;
            memcpy(ref_mem, init_mem, TOY_MEM_SIZE);
            memcpy(t->mem, init_mem, TOY_MEM_SIZE);
            uint64_t want_info = 0, got_info = 0;
            ir_exit_kind want_kind = eval_program(&programs[k], pc, &want, ref_mem, &want_info);
            ir_exit_kind got_kind = toy_run(t, &got, pc, &got_info);
            bool ok = want_kind == got_kind && want_info == got_info &&
                      memcmp(&want, &got, sizeof(want)) == 0 && memcmp(ref_mem, t->mem, TOY_MEM_SIZE) == 0;
            if (!ok) {
                char dump[1 << 15];
                ir_dump(jit_last_block(t->j), dump, sizeof(dump));
                printf("seed %#llx round %u program %u: exit %d/%d info %#llx/%#llx\n%s",
                       (unsigned long long)seed0, round, k, want_kind, got_kind,
                       (unsigned long long)want_info, (unsigned long long)got_info, dump);
                for (unsigned r = 0; r < 32; r++)
                    if (want.x[r] != got.x[r])
                        printf("  x%u: want %#llx got %#llx\n", r, (unsigned long long)want.x[r], (unsigned long long)got.x[r]);
                printf("  nzcv want %u%u%u%u got %u%u%u%u pc want %#llx got %#llx\n", want.n, want.z, want.c,
                       want.v, got.n, got.z, got.c, got.v, (unsigned long long)want.pc, (unsigned long long)got.pc);
            }
            assert_true(ok);
        }
    }
    toy_free(t);
}

static void test_pressure_seed1(void **st) { (void)st; run_programs(1); }
static void test_pressure_seed2(void **st) { (void)st; run_programs(0xfeedface); }
static void test_pressure_seed3(void **st) { (void)st; run_programs(0x5eed); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pressure_seed1),
        cmocka_unit_test(test_pressure_seed2),
        cmocka_unit_test(test_pressure_seed3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
