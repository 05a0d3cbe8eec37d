/* Fault maps (fault_map.h): built from the register allocation and the code
 * generator's list of guest-memory host instructions right after a block is emitted,
 * read when the host MMU catches one of those instructions. */
#include "ferry/support.h"
#include "jit/x86_64/fault_map.h"

#define GROW(arr, n, cap, extra)                                                        \
    do {                                                                                \
        if ((n) + (extra) > (cap)) {                                                    \
            uint32_t c_ = (cap) ? (cap) : 256;                                          \
            while (c_ < (n) + (extra)) c_ *= 2;                                         \
            void *p_ = fy_alloc((size_t)c_ * sizeof(*(arr)));                           \
            if (arr) { memcpy(p_, (arr), (size_t)(n) * sizeof(*(arr))); fy_free(arr); } \
            (arr) = p_;                                                                 \
            (cap) = c_;                                                                 \
        }                                                                               \
    } while (0)

void fault_map_reset(struct fault_map *fm)
{
    fm->n_sites = fm->n_regs = fm->n_lazies = 0;
}

void fault_map_free(struct fault_map *fm)
{
    fy_free(fm->sites);
    fy_free(fm->regs);
    fy_free(fm->lazies);
    memset(fm, 0, sizeof(*fm));
}

/* Where value v lives for the whole of its life (register allocation gives each value
 * one location); false when it has none (never computed into a location). */
static bool value_location(const ir_block *b, uint32_t v, struct fm_value *out)
{
    const struct ir_insn *in = &b->insns[v];
    memset(out, 0, sizeof(*out));
    if (in->op == IR_OP_CONST) {
        out->kind = FM_IMM;
        out->imm = in->imm;
        out->imm_hi = in->type == IR_I128 ? b->consts_hi[in->c] : 0;
        return true;
    }
    int32_t l = b->loc[v];
    if (loc_is_reg(l)) {
        out->kind = FM_REG;
        out->reg = (uint8_t)l;
        return true;
    }
    if (loc_is_slot(l)) {
        out->kind = FM_SLOT;
        out->slot = loc_slot_off(l);
        return true;
    }
    return false;
}

/* The snapshot's registers as fm_regs; UINT32_MAX when one cannot be located (the
 * site is then left out: a fault there is not made precise). */
static uint32_t add_snapshot(struct fault_map *fm, const ir_block *b, uint32_t snap_id)
{
    const struct ir_snapshot *s = &b->snaps[snap_id];
    uint32_t first = fm->n_regs;
    GROW(fm->regs, fm->n_regs, fm->cap_regs, s->count);
    for (uint32_t k = 0; k < s->count; k++) {
        const struct ir_snap_reg *sr = &b->snap_regs[s->first + k];
        const struct ir_insn *vin = &b->insns[sr->val];
        struct fm_reg *r = &fm->regs[fm->n_regs++];
        memset(r, 0, sizeof(*r));
        r->state_off = sr->offset;
        r->bytes = (uint8_t)ir_type_bytes((ir_type)vin->type);
        if (vin->op == IR_OP_LAZY_FLAG) {
            GROW(fm->lazies, fm->n_lazies, fm->cap_lazies, 1);
            struct fm_lazy *lz = &fm->lazies[fm->n_lazies];
            lz->cond = vin->cond;
            lz->flag = (uint8_t)(vin->imm & 3);
            lz->add_a = b->consts_hi[vin->c];
            lz->add_b = b->consts_hi[vin->c + 1];
            if (!value_location(b, vin->a, &lz->a) || !value_location(b, vin->b, &lz->b)) {
                fm->n_regs = first;
                return UINT32_MAX;
            }
            r->lazy = ++fm->n_lazies;
        } else if (!value_location(b, sr->val, &r->v)) {
            fm->n_regs = first;
            return UINT32_MAX;
        }
    }
    return first;
}

void fault_map_add(struct fault_map *fm, const ir_block *b, const struct jit_cg *cg, uint32_t *first,
                   uint32_t *count)
{
    *first = fm->n_sites;
    uint32_t last_snap = 0, last_first = 0;
    for (uint32_t k = 0; k < cg->n_sites; k++) {
        const struct jit_cg_site *cs = &cg->sites[k];
        uint32_t snap = ir_insn_snapshot(&b->insns[cs->insn]);
        if (!snap) continue;
        if (snap != last_snap) {             /* consecutive accesses often share one */
            last_first = add_snapshot(fm, b, snap);
            last_snap = snap;
        }
        if (last_first == UINT32_MAX) continue;
        GROW(fm->sites, fm->n_sites, fm->cap_sites, 1);
        fm->sites[fm->n_sites++] = (struct fm_site){
            .start = cs->start, .end = cs->end, .first_reg = last_first,
            .n_regs = b->snaps[snap].count, .guest_pc = b->snaps[snap].pc,
        };
    }
    *count = fm->n_sites - *first;
}

/* An I128 value (16 bytes) lives in a 16-byte slot; every other in 8 bytes. */
static void read_value(const struct fm_value *v, unsigned bytes, const struct jit_host_regs *regs, uint64_t out[2])
{
    out[0] = out[1] = 0;
    switch (v->kind) {
    case FM_REG: out[0] = regs->gpr[v->reg]; break;
    case FM_SLOT:
        memcpy(out, (const uint8_t *)(uintptr_t)regs->gpr[X86_RSP] + v->slot, bytes > 8 ? 16 : 8);
        break;
    default: out[0] = v->imm; out[1] = v->imm_hi; break;
    }
}

/* The flag as translated code computes it (codegen.c, lazy_compute / lazy_cc). */
static uint8_t lazy_flag_value(const struct fm_lazy *lz, uint64_t a, uint64_t b)
{
    bool w64 = (lz->cond & IR_LAZY_64) != 0;
    uint64_t mask = w64 ? ~0ull : 0xffffffffull, sign = w64 ? 1ull << 63 : 1ull << 31;
    a = (a + lz->add_a) & mask;
    b = (b + lz->add_b) & mask;
    uint64_t r;
    bool c = false, v = false;
    switch (lz->cond & IR_LAZY_KIND_MASK) {
    case IR_LAZY_SUB:
        r = (a - b) & mask;
        c = a >= b;
        v = ((a ^ b) & (a ^ r) & sign) != 0;
        break;
    case IR_LAZY_ADD:
        r = (a + b) & mask;
        c = r < a;
        v = (~(a ^ b) & (a ^ r) & sign) != 0;
        break;
    default:
        r = a & b;
        break;
    }
    switch (lz->flag) {
    case 0: return (r & sign) != 0;
    case 1: return r == 0;
    case 2: return c;
    default: return v;
    }
}

bool fault_map_restore(const struct fault_map *fm, uint32_t first, uint32_t count, uint32_t host_off,
                       const struct jit_host_regs *regs, uint8_t *state, uint32_t pc_offset)
{
    for (uint32_t k = first; k < first + count; k++) {
        const struct fm_site *s = &fm->sites[k];
        if (host_off < s->start || host_off >= s->end) continue;
        for (uint32_t i = 0; i < s->n_regs; i++) {
            const struct fm_reg *r = &fm->regs[s->first_reg + i];
            uint64_t val[2];
            if (r->lazy) {
                const struct fm_lazy *lz = &fm->lazies[r->lazy - 1];
                uint64_t a[2], b[2];
                read_value(&lz->a, 8, regs, a);
                read_value(&lz->b, 8, regs, b);
                val[0] = lazy_flag_value(lz, a[0], b[0]);
                val[1] = 0;
            } else {
                read_value(&r->v, r->bytes, regs, val);
            }
            memcpy(state + r->state_off, val, r->bytes);   /* little-endian: the low bytes */
        }
        memcpy(state + pc_offset, &s->guest_pc, sizeof(s->guest_pc));
        return true;
    }
    return false;
}
