/* The translated-code runtime (jit.h): one executable region holding a small data
 * page (bounds limits, exclusive monitor, counters), the direct-mapped indirect-branch
 * table, the entry/exit trampoline and the translated blocks; a hash table from guest
 * PC (and, in the system memory model, the code's physical address) to block; block
 * chaining by patching exit jumps; and the dispatcher loop.
 *
 * System memory model: a translation is valid for its virtual PC and its physical
 * address, so it survives changes of the guest's mappings. A chain within the block's
 * own page needs no check (the dispatcher checked that page's mapping when it entered
 * the chain); a chain to another page enters the target's guarded entry, which
 * compares the mapping epoch (incremented by every mapping change) with the epoch in
 * which the dispatcher last found the target by its physical address, and otherwise
 * continues through the indirect-branch table, which a mapping change empties. */
#include "ferry/support.h"
#include "jit/jit.h"
#include "jit/jit_internal.h"
#include "jit/x86_64/codegen.h"
#include "jit/x86_64/cpu_features.h"
#include "jit/x86_64/fault_map.h"

#define DATA_BYTES       4096u
#define IND_ENTRIES      16384u
#define DEFAULT_CACHE    (64u << 20)
#define TRAMPOLINE_BYTES 256u
#define PAGE_BITS        12u         /* front ends end blocks at 4 KiB page boundaries */
#define PA_NONE          (~0ull)     /* key of a block whose first instruction cannot be fetched */
#define HASH_GONE        UINT32_MAX  /* a deleted slot of the block hash table */
#define PAGE_KEY_EMPTY   (~0ull)
#define EPOCH_DEAD       UINT32_MAX  /* the guard of a dead block: never the current epoch */
/* Registers a self-loop carries: no more than there are allocatable host registers, or
 * the loop body spills (measured: 16 made sha256 10% slower than no carrying at all). */
#define LOOP_CAP 10u

struct jit_block {
    uint64_t pc, last_pc;
    uint64_t pa;                  /* system memory model: pc's physical address (or PA_NONE); else 0 */
    uint64_t modes;               /* what the translation is specialised on */
    const uint8_t *code;
    uint8_t *guard;               /* chain_within_page: the guarded entry (before code); else NULL */
    uint8_t *guard_epoch;         /* its 32-bit epoch operand */
    uint32_t size;
    bool hidden;                  /* a loop translation entered only from pc's plain one */
    bool dead;                    /* invalidated (its code stays until the cache is flushed) */
    uint32_t next_in_page;        /* system memory model: the next block of its physical page, + 1 */
    uint32_t first_site, n_sites; /* its guest-memory accesses in the fault map */
};

/* What the plain translation b of a self-loop tells about its one exit to itself:
 * which registers to carry, whether the flags it leaves (jit_config.flags) are the
 * flags of one operation on carried registers (struct ir_lazy_flags), and which
 * registers it leaves holding a constant (struct ir_loop_const). Both facts hold at
 * every entry to a loop head that only this exit and the loop's own back edge reach
 * (see translate). */
struct loop_plan {
    struct ir_loop_reg regs[IR_MAX_LOOP_REGS];
    uint32_t n_regs;
    bool lazy;
    struct ir_lazy_flags flags;
    struct ir_loop_const consts[IR_MAX_LOOP_CONSTS];
    uint32_t n_consts;
};

struct jit_ret { uint64_t kind, info; };
typedef struct jit_ret (*enter_fn)(void *state, const void *code, uint8_t *mem_base);

struct jit_data {                 /* lives in the executable region: RIP-addressable */
    uint64_t limits[5];
    uint64_t monitor;
    uint64_t ind_hits;
    volatile uint8_t exit_request;
    uint32_t map_epoch;           /* system memory model: mapping changes so far */
    /* the trace buffer's cursor and limit for a run of translated code (jit_run copies
     * them from and back to jit_config.trace.buf around it; the code itself keeps the
     * cursor in JIT_REG_TRACE) */
    uint64_t *trace_cursor;
    uint64_t *trace_limit;
    uint64_t *trace_run;          /* block mode: the BLOCK_RUN item a looping translation counts in */
};

struct jit {
    struct jit_config cfg;
    uint8_t *region;
    size_t region_size;
    struct jit_data *data;
    struct jit_ind_entry *ind;
    uint32_t *ind_used;           /* indices filled since the last reset (a cheap reset) */
    uint32_t n_ind_used;
    enter_fn enter;
    uint8_t *epilogue, *ind_miss;
    uint8_t *code_start, *code_p, *code_end;

    struct jit_block *blocks;
    uint32_t n_blocks, cap_blocks;
    uint32_t *hash;               /* block index + 1, open addressing; HASH_GONE: deleted */
    uint32_t hash_mask;
    /* System memory model: physical page number -> its blocks (a list through
     * next_in_page), open addressing; a page whose blocks died keeps its slot. */
    uint64_t *page_key;           /* page number, or PAGE_KEY_EMPTY */
    uint32_t *page_head;          /* first block + 1, or 0 */
    uint32_t page_mask, n_pages;
    uint64_t flush_gen;

    ir_block *ir;
    struct loop_plan plan;        /* of the self-loop being translated */
    struct jit_cg cg;
    struct jit_cg_env env;
    struct jit_stats stats;
    struct fault_map faults;      /* of every block in the cache */
    uint64_t translating_modes;   /* modes of the block being translated */
    uint64_t translating_pa;      /* its physical address (system memory model) */
    uint32_t trace_next_block_id; /* block-mode tracing: the next translation's id */
    uint64_t ind_modes;           /* modes the indirect-branch table's entries belong to */
};

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t hash_pc(uint64_t pc, uint64_t pa, uint64_t modes)
{
    pc ^= modes * 0xff51afd7ed558ccdull ^ pa * 0xc4ceb9fe1a85ec53ull;
    pc ^= pc >> 29;
    pc *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(pc >> 32);
}

static const struct jit_block *lookup(const jit *j, uint64_t pc, uint64_t pa, uint64_t modes)
{
    for (uint32_t h = hash_pc(pc, pa, modes) & j->hash_mask;; h = (h + 1) & j->hash_mask) {
        uint32_t idx = j->hash[h];
        if (!idx) return NULL;
        if (idx == HASH_GONE) continue;
        const struct jit_block *b = &j->blocks[idx - 1];
        if (b->pc == pc && b->pa == pa && b->modes == modes) return b;
    }
}

/* The key's physical address of the code at pc: the system memory model's translation
 * for an instruction fetch (PA_NONE when it faults), 0 in the flat model. */
static uint64_t code_pa(const jit *j, uint64_t pc)
{
    const struct jit_system_memory *sys = j->cfg.memory.system;
    uint64_t pa;
    if (!sys || !sys->code_pa) return 0;
    return sys->code_pa(sys->ctx, pc, &pa) ? pa : PA_NONE;
}

static uint32_t get_epoch(const struct jit_block *b)
{
    uint32_t e;
    memcpy(&e, b->guard_epoch, 4);
    return e;
}

static void put_epoch(const struct jit_block *b, uint32_t e)
{
    memcpy(b->guard_epoch, &e, 4);
}

static bool same_page(uint64_t a, uint64_t b)
{
    return (a >> PAGE_BITS) == (b >> PAGE_BITS);
}

/* For chaining while a block is generated: a direct branch keeps the modes, and in the
 * system memory model it is only asked for targets in the block's own page, which share
 * the block's page mapping. */
static const void *lookup_code(void *ctx, uint64_t pc)
{
    const jit *j = ctx;
    uint64_t pa = 0;
    if (j->env.chain_within_page) {
        if (!same_page(pc, j->ir->guest_pc) || j->translating_pa == PA_NONE) return NULL;
        pa = (j->translating_pa & ~(uint64_t)((1u << PAGE_BITS) - 1)) | (pc & ((1u << PAGE_BITS) - 1));
    }
    const struct jit_block *b = lookup(j, pc, pa, j->translating_modes);
    return b ? b->code : NULL;
}

static void hash_insert(jit *j, uint32_t idx)
{
    const struct jit_block *b = &j->blocks[idx];
    uint32_t h = hash_pc(b->pc, b->pa, b->modes) & j->hash_mask;
    while (j->hash[h] && j->hash[h] != HASH_GONE) h = (h + 1) & j->hash_mask;
    j->hash[h] = idx + 1;
}

static void hash_remove(jit *j, uint32_t idx)
{
    const struct jit_block *b = &j->blocks[idx];
    for (uint32_t h = hash_pc(b->pc, b->pa, b->modes) & j->hash_mask; j->hash[h]; h = (h + 1) & j->hash_mask)
        if (j->hash[h] == idx + 1) {
            j->hash[h] = HASH_GONE;
            return;
        }
}

/* Rebuilds the hash table from the live, visible blocks. */
static void hash_rebuild(jit *j)
{
    memset(j->hash, 0, (j->hash_mask + 1) * sizeof(*j->hash));
    for (uint32_t i = 0; i < j->n_blocks; i++)
        if (!j->blocks[i].hidden && !j->blocks[i].dead) hash_insert(j, i);
}

/* ---- blocks by physical page (system memory model) ----------------------------------- */
static uint32_t page_slot(const jit *j, uint64_t page)
{
    uint32_t h = (uint32_t)((page * 0x9e3779b97f4a7c15ull) >> 32) & j->page_mask;
    while (j->page_key[h] != PAGE_KEY_EMPTY && j->page_key[h] != page) h = (h + 1) & j->page_mask;
    return h;
}

static void pages_reset(jit *j)
{
    for (uint32_t i = 0; i <= j->page_mask; i++) {
        j->page_key[i] = PAGE_KEY_EMPTY;
        j->page_head[i] = 0;
    }
    j->n_pages = 0;
}

static void pages_alloc(jit *j, uint32_t slots)
{
    j->page_mask = slots - 1;
    j->page_key = fy_alloc(slots * sizeof(*j->page_key));
    j->page_head = fy_alloc(slots * sizeof(*j->page_head));
    pages_reset(j);
}

/* Puts block idx at the head of its physical page's list. */
static void pages_add(jit *j, uint32_t idx)
{
    struct jit_block *b = &j->blocks[idx];
    if (b->pa == PA_NONE) return;
    if (2 * (j->n_pages + 1) > j->page_mask + 1) {          /* keep the table at most half full */
        uint64_t *keys = j->page_key;
        uint32_t *heads = j->page_head, old_slots = j->page_mask + 1;
        pages_alloc(j, 2 * old_slots);
        for (uint32_t i = 0; i < old_slots; i++)
            if (keys[i] != PAGE_KEY_EMPTY) {
                uint32_t h = page_slot(j, keys[i]);
                j->page_key[h] = keys[i];
                j->page_head[h] = heads[i];
                j->n_pages++;
            }
        fy_free(keys);
        fy_free(heads);
    }
    uint64_t page = b->pa >> PAGE_BITS;
    uint32_t h = page_slot(j, page);
    if (j->page_key[h] == PAGE_KEY_EMPTY) {
        j->page_key[h] = page;
        j->n_pages++;
    }
    b->next_in_page = j->page_head[h];
    j->page_head[h] = idx + 1;
}

/* Empties the indirect-branch table: the entries filled since the last reset when they
 * are few (mode and mapping changes are frequent in a system guest; the table is
 * 256 KB), else all. */
static void ind_reset(jit *j)
{
    if (j->n_ind_used < IND_ENTRIES / 8) {
        for (uint32_t k = 0; k < j->n_ind_used; k++) {
            struct jit_ind_entry *e = &j->ind[j->ind_used[k]];
            e->pc = 0;
            e->code = j->ind_miss;
        }
    } else {
        for (uint32_t i = 0; i < IND_ENTRIES; i++) {
            j->ind[i].pc = 0;
            j->ind[i].code = j->ind_miss;
        }
    }
    j->n_ind_used = 0;
}

static void ind_insert(jit *j, uint64_t pc, const void *code)
{
    uint32_t i = (pc >> 2) & (IND_ENTRIES - 1);
    struct jit_ind_entry *e = &j->ind[i];
    if (e->code == j->ind_miss && j->n_ind_used < IND_ENTRIES) j->ind_used[j->n_ind_used++] = i;
    e->pc = pc;
    e->code = code;
}

static void flush_all(jit *j)
{
    j->n_blocks = 0;
    memset(j->hash, 0, (j->hash_mask + 1) * sizeof(*j->hash));
    pages_reset(j);
    ind_reset(j);
    fault_map_reset(&j->faults);
    j->code_p = j->code_start;
    j->flush_gen++;
    j->stats.cache_flushes++;
}

/* Entry: rdi = state, rsi = code, rdx = guest memory base. Exit: eax = kind, rdx = info.
 * When tracing, translated code keeps the item cursor in JIT_REG_TRACE: loaded here from
 * data->trace_cursor and stored back on the way out. */
static void emit_trampoline(jit *j)
{
    x86_buf b = { .start = j->code_start, .p = j->code_start, .end = j->code_start + TRAMPOLINE_BYTES };
    static const int8_t saved[6] = { X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15 };
    bool tracing = j->cfg.trace.mode != JIT_TRACE_OFF;
    j->enter = (enter_fn)(void *)b.p;
    for (int i = 0; i < 6; i++) x86_push(&b, saved[i]);
    /* 6 pushes leave rsp 8 off a 16-byte boundary: the frame absorbs it */
    x86_alu_ri(&b, X86_SUB, 8, X86_RSP, (int32_t)(JIT_FRAME_SIZE + 8));
    x86_mov_rr(&b, 8, JIT_REG_STATE, X86_RDI);
    x86_mov_rr(&b, 8, JIT_REG_MEMBASE, X86_RDX);
    if (tracing) x86_mov_rm(&b, 8, JIT_REG_TRACE, x86_mem_rip(&j->data->trace_cursor));
    x86_jmp_r(&b, X86_RSI);
    while ((uintptr_t)b.p & 15) x86_int3(&b);
    j->epilogue = b.p;
    if (tracing) x86_mov_mr(&b, 8, x86_mem_rip(&j->data->trace_cursor), JIT_REG_TRACE);
    x86_alu_ri(&b, X86_ADD, 8, X86_RSP, (int32_t)(JIT_FRAME_SIZE + 8));
    for (int i = 5; i >= 0; i--) x86_pop(&b, saved[i]);
    x86_ret(&b);
    while ((uintptr_t)b.p & 15) x86_int3(&b);
    j->ind_miss = b.p;
    x86_mov_ri(&b, X86_RAX, IR_EXIT_JUMP);
    x86_mov_ri(&b, X86_RDX, 0);
    x86_jmp32(&b, j->epilogue);
    j->code_start = j->code_start + TRAMPOLINE_BYTES;
}

jit *jit_new(const struct jit_config *cfg)
{
    if (!cfg || !cfg->translate || (!cfg->memory.system && cfg->memory.guest_limit < 16) ||
        (cfg->memory.top_byte_ignore && !cfg->step) ||
        (cfg->trace.mode != JIT_TRACE_OFF && (!cfg->trace.buf || !cfg->trace.buf->drain ||
                                              (cfg->step && !cfg->trace.retract)))) {
        fy_log("jit: invalid configuration (need a translate function, guest_limit >= 16, a step "
               "function with top_byte_ignore, and a trace buffer with a drain hook (and retract, "
               "with a step function) when tracing)");
        return NULL;
    }
    jit_cpu_detect();
    jit *j = fy_alloc(sizeof(*j));
    j->cfg = *cfg;
    size_t cache = cfg->code_cache_size ? cfg->code_cache_size : DEFAULT_CACHE;
    if (cache < 64 * 1024) cache = 64 * 1024;
    j->region_size = DATA_BYTES + IND_ENTRIES * sizeof(struct jit_ind_entry) + TRAMPOLINE_BYTES + cache;
    j->region = fy_code_alloc(j->region_size);
    if (!j->region) { fy_free(j); return NULL; }
    j->data = (struct jit_data *)j->region;
    j->ind = (struct jit_ind_entry *)(j->region + DATA_BYTES);
    j->ind_used = fy_alloc(IND_ENTRIES * sizeof(*j->ind_used));
    j->code_start = j->region + DATA_BYTES + IND_ENTRIES * sizeof(struct jit_ind_entry);
    j->code_end = j->region + j->region_size;
    emit_trampoline(j);
    j->code_p = j->code_start;

    for (int k = 0; k < 5; k++) j->data->limits[k] = cfg->memory.guest_limit - (1ull << k);
    j->data->monitor = ~0ull;
    j->n_ind_used = IND_ENTRIES;          /* the whole table is unset */
    ind_reset(j);

    j->cap_blocks = 4096;
    j->blocks = fy_alloc(j->cap_blocks * sizeof(*j->blocks));
    j->hash_mask = 2 * j->cap_blocks - 1;
    j->hash = fy_alloc((j->hash_mask + 1) * sizeof(*j->hash));
    pages_alloc(j, 1024);
    j->ir = ir_block_new();

    j->env = (struct jit_cg_env){
        .epilogue = j->epilogue, .limits = j->data->limits, .ind_table = j->ind,
        .ind_mask = IND_ENTRIES - 1, .monitor = &j->data->monitor, .ind_hits = &j->data->ind_hits,
        .pc_offset = cfg->pc_offset, .mem_limit = cfg->memory.guest_limit,
        .lookup = lookup_code, .lookup_ctx = j, .system = cfg->memory.system,
        .chain_within_page = cfg->memory.system && cfg->memory.system->code_pa,
        .map_epoch = &j->data->map_epoch,
        .exit_request = cfg->exit_requests ? &j->data->exit_request : NULL,
        .trace_mode = (uint8_t)cfg->trace.mode,
        .trace_limit = &j->data->trace_limit,
        .trace_run = &j->data->trace_run,
    };
    j->cg.reserved_regs = cfg->trace.mode != JIT_TRACE_OFF ? 1u << JIT_REG_TRACE : 0;
    j->cg.mem_calls = cfg->memory.system != NULL;
    j->cg.mem_calls_cold = cfg->memory.system && cfg->memory.system->fast_tlb;
    return j;
}

void jit_free(jit *j)
{
    if (!j) return;
    fy_code_free(j->region, j->region_size);
    fy_free(j->blocks);
    fy_free(j->hash);
    fy_free(j->ind_used);
    fy_free(j->page_key);
    fy_free(j->page_head);
    ir_block_free(j->ir);
    jit_cg_free(&j->cg);
    fault_map_free(&j->faults);
    fy_free(j);
}

static void grow_blocks(jit *j)
{
    uint32_t cap = j->cap_blocks * 2;
    struct jit_block *nb = fy_alloc(cap * sizeof(*nb));
    memcpy(nb, j->blocks, j->n_blocks * sizeof(*nb));
    fy_free(j->blocks);
    j->blocks = nb;
    j->cap_blocks = cap;
    fy_free(j->hash);
    j->hash_mask = 2 * cap - 1;
    j->hash = fy_alloc((j->hash_mask + 1) * sizeof(*j->hash));
    hash_rebuild(j);
}

/* A block that jumps back to its own start (a tight loop) is translated a second time
 * with the guest registers it touches preloaded before a loop head, so the back edge
 * keeps them in host registers. The first translation tells which registers: those it
 * reads from the state first, then those it only writes; none overlapping, no I128, not
 * the PC. Returns how many were chosen (0: not a self-loop). */
static bool overlaps(uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
    return a < b + b_size && b < a + a_size;
}

/* skip: the flag registers kept lazily (one byte each), or NULL. */
static uint32_t choose_loop_regs(const jit *j, const ir_block *b, struct ir_loop_reg *out,
                                 const uint32_t skip[4], const struct ir_loop_const *consts, uint32_t n_consts)
{
    bool self = false;
    for (uint32_t i = 1; i < b->n_insns && !self; i++)
        self = b->insns[i].op == IR_OP_EXIT_DIRECT && b->insns[i].imm == b->guest_pc;
    if (!self || !b->optimise) return 0;
    uint32_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 1; i < b->n_insns; i++) {
            const struct ir_insn *in = &b->insns[i];
            if (in->op != IR_OP_LOAD_STATE && in->op != IR_OP_STORE_STATE) continue;
            bool is_store = in->op == IR_OP_STORE_STATE;
            ir_type t = (ir_type)in->type;
            if (t == IR_I128) continue;
            uint32_t off = (uint32_t)in->imm, size = ir_type_bytes(t);
            if (off < j->cfg.pc_offset + 8 && j->cfg.pc_offset < off + size) continue;
            bool skipped = false;
            for (int f = 0; skip && f < 4 && !skipped; f++) skipped = overlaps(off, size, skip[f], 1);
            if (skipped) continue;
            bool constant = false;          /* held by the loop head as a constant instead */
            for (uint32_t k = 0; k < n_consts && !constant; k++)
                constant = overlaps(off, size, consts[k].offset, ir_type_bytes((ir_type)consts[k].type));
            if (constant) continue;
            bool known = false, overlaps = false;
            for (uint32_t k = 0; k < n; k++) {
                uint32_t ko = out[k].offset, ks = ir_type_bytes((ir_type)out[k].type);
                if (ko == off && out[k].type == t) {
                    known = true;
                    if (is_store) out[k].written = true;
                } else if (ko < off + size && off < ko + ks) {
                    overlaps = true;
                }
            }
            if (known || overlaps || is_store != (pass == 1) || n == LOOP_CAP) continue;
            out[n++] = (struct ir_loop_reg){ .offset = off, .type = (uint8_t)t, .written = is_store };
        }
    }
    return n;
}


static void plan_lazy_flags(const ir_block *b, uint32_t first_store, uint32_t exit_at, bool calls,
                            const ir_val flags[4], struct loop_plan *p)
{
    struct ir_lazy_regs lr = { .n = p->n_regs };
    for (uint32_t k = 0; k < p->n_regs; k++) {
        uint32_t off = p->regs[k].offset, size = ir_type_bytes((ir_type)p->regs[k].type);
        lr.offset[k] = off;
        lr.type[k] = p->regs[k].type;
        lr.unchanged[k] = !calls;
        for (uint32_t i = 1; i < b->n_insns; i++) {
            const struct ir_insn *in = &b->insns[i];
            if (in->op != IR_OP_STORE_STATE) continue;
            uint32_t sz = ir_type_bytes((ir_type)b->insns[in->a].type);
            if (overlaps((uint32_t)in->imm, sz, off, size)) {
                lr.unchanged[k] = false;
                if (i >= first_store && i < exit_at && in->imm == off && sz == size) lr.value[k] = in->a;
            }
        }
    }
    p->lazy = ir_match_lazy_flags(b, flags, &lr, &p->flags);
}

static bool plan_loop(const jit *j, const ir_block *b, struct loop_plan *p)
{
    uint32_t exit_at = 0, self_exits = 0;
    bool calls = false;
    for (uint32_t i = 1; i < b->n_insns; i++) {
        const struct ir_insn *in = &b->insns[i];
        if (in->op == IR_OP_EXIT_DIRECT && in->imm == b->guest_pc) exit_at = i, self_exits++;
        calls |= in->op == IR_OP_CALL;
    }
    p->n_regs = p->n_consts = 0;
    p->lazy = false;
    if (self_exits != 1 || !b->optimise) return false;
    /* the stores on the way out: the registers' values at the exit */
    uint32_t first_store = exit_at;
    while (first_store > 1) {
        uint8_t op = b->insns[first_store - 1].op;
        if (op != IR_OP_STORE_STATE && op != IR_OP_CONST && op != IR_OP_NOP) break;
        first_store--;
    }
    /* the values the exit leaves in the flag registers, when it stores all four */
    ir_val flags[4] = { 0 };
    const struct jit_flags *fd = &j->cfg.flags;
    for (uint32_t i = first_store; fd->present && i < exit_at; i++) {
        const struct ir_insn *st = &b->insns[i];
        if (st->op != IR_OP_STORE_STATE || b->insns[st->a].type != IR_I1) continue;
        for (int f = 0; f < 4; f++)
            if (st->imm == fd->offset[f]) flags[f] = st->a;
    }
    if (!flags[0] || !flags[1] || !flags[2] || !flags[3]) flags[0] = 0;
    /* registers left holding a constant (flags are I1: never among them) */
    for (uint32_t i = first_store; i < exit_at; i++) {
        const struct ir_insn *in = &b->insns[i], *v = &b->insns[in->a];
        if (in->op != IR_OP_STORE_STATE || v->op != IR_OP_CONST || v->type < IR_I8 || v->type > IR_I64) continue;
        uint32_t off = (uint32_t)in->imm, size = ir_type_bytes((ir_type)v->type);
        bool clash = overlaps(off, size, j->cfg.pc_offset, 8);
        for (uint32_t k = 0; k < p->n_consts && !clash; k++)
            clash = overlaps(off, size, p->consts[k].offset, ir_type_bytes((ir_type)p->consts[k].type));
        for (int f = 0; fd->present && f < 4 && !clash; f++) clash = overlaps(off, size, fd->offset[f], 1);
        if (clash || p->n_consts == IR_MAX_LOOP_CONSTS) continue;
        p->consts[p->n_consts++] = (struct ir_loop_const){ .offset = off, .type = v->type, .value = v->imm };
    }
    if (flags[0]) {
        p->n_regs = choose_loop_regs(j, b, p->regs, fd->offset, p->consts, p->n_consts);
        memcpy(p->flags.offset, fd->offset, sizeof p->flags.offset);
        if (p->n_regs) plan_lazy_flags(b, first_store, exit_at, calls, flags, p);
    }
    if (!p->lazy) p->n_regs = choose_loop_regs(j, b, p->regs, NULL, p->consts, p->n_consts);
    return p->n_regs && (p->lazy || p->n_consts);
}

static int trace_el(const jit *j, uint64_t modes)
{
    return j->cfg.trace.el_of_modes ? j->cfg.trace.el_of_modes(modes) : -1;
}

/* Fills b with the translation of the guest block at pc: plain, or a self-loop keeping
 * loop_regs in host registers, with the facts of a loop plan when one is given. */
static void build(jit *j, ir_block *b, uint64_t pc, uint64_t modes, const struct ir_loop_reg *loop_regs, uint32_t n_loop,
                  const struct loop_plan *plan)
{
    ir_block_reset(b, pc);
    ir_set_pc_offset(b, j->cfg.pc_offset);
    ir_block_set_exit_requests(b, j->cfg.exit_requests && j->cfg.exit_requests_in_loops);
    ir_block_set_trace(b, j->cfg.trace.mode, trace_el(j, modes));
    if (n_loop) ir_block_set_loop_regs(b, loop_regs, n_loop);
    if (plan && plan->lazy) ir_block_set_lazy_flags(b, &plan->flags);
    if (plan && plan->n_consts) ir_block_set_loop_consts(b, plan->consts, plan->n_consts);
    if (!j->cfg.translate(j->cfg.translate_ctx, b, pc, modes))
        fy_panic("jit: front end failed to translate the block at 0x%llx", (unsigned long long)pc);
    if (ir_block_open(b))
        fy_panic("jit: block at 0x%llx does not end in an exit", (unsigned long long)pc);
}

/* Block-mode tracing: the translation just emitted enters its id in the trace; the
 * recorder learns here what the id stands for. */
static void describe_for_trace(jit *j, const ir_block *b, uint64_t pc)
{
    if (ir_block_guest_insns(b) == 0) return;    /* it enters no id (trace_prologue) */
    if (j->trace_next_block_id >= JIT_TRACE_BLOCK_ID_LIMIT)
        fy_panic("jit: more than %u translations in one block-mode trace", JIT_TRACE_BLOCK_ID_LIMIT);
    uint32_t n = ir_block_guest_insns(b), id = j->trace_next_block_id++;
    if (j->cfg.trace.mode != JIT_TRACE_REPLAY) {
        jit_trace_block_def(j->cfg.trace.buf, id, pc, b->trace_pa_valid, b->trace_pa, (unsigned)b->trace_el - 1u, n);
        return;
    }
    /* replay mode: a reader runs the instructions again, so it needs what was translated */
    uint32_t *enc = fy_alloc(n * sizeof *enc), k = 0;
    for (uint32_t i = 1; i < b->n_insns && k < n; i++)
        if (b->insns[i].op == IR_OP_INSN_START) enc[k++] = b->insns[i].a;
    if (k != n) fy_panic("jit: block at 0x%llx lost instruction starts", (unsigned long long)pc);
    jit_trace_block_def_slots(j->cfg.trace.buf, id, pc, b->trace_pa_valid, b->trace_pa, (unsigned)b->trace_el - 1u, n,
                              ir_block_trace_slot_bytes(b), enc);
    fy_free(enc);
}

/* Optimises and emits b; NULL when the code cache is full. A hidden block is not found
 * by pc (only code that knows its address jumps to it). */
static const struct jit_block *emit_block(jit *j, ir_block *b, uint64_t pc, bool hidden)
{
    j->env.trace_block_id = j->trace_next_block_id;   /* block-mode tracing: its id */
    ir_dead_code_elim(b);
    ir_compute_liveness(b);
    if (!jit_regalloc(b, &j->cg))
        fy_panic("jit: block at 0x%llx needs more than %u bytes of frame", (unsigned long long)pc, JIT_FRAME_SIZE);
    uint8_t *start = (uint8_t *)(((uintptr_t)j->code_p + 15) & ~(uintptr_t)15);
    uint8_t *guard = NULL, *guard_epoch = NULL;
    if (start >= j->code_end) return NULL;
    if (j->env.chain_within_page && !hidden) {
        /* the guard goes right before the body, and the body stays 16-byte aligned
         * (measured: unaligned bodies made a chain of tiny blocks 2.4x slower); its
         * size depends only on pc, so it is emitted once more where that works out */
        uint8_t *guard_end = start;
        for (int pass = 0; pass < 2; pass++) {
            x86_buf gbuf = { .start = start, .p = start, .end = j->code_end };
            guard = jit_codegen_guard(&gbuf, &j->env, pc, j->data->map_epoch, &guard_epoch);
            if (!guard) return NULL;
            guard_end = gbuf.p;
            size_t pad = (size_t)(-(uintptr_t)guard_end & 15);
            if (pad == 0) break;
            start += pad;
        }
        start = guard_end;                /* the body: the guard's fall-through */
    }
    x86_buf buf = { .start = start, .p = start, .end = j->code_end };
    if (!jit_codegen(b, &j->cg, &j->env, &buf)) return NULL;
    if (j->n_blocks == j->cap_blocks) grow_blocks(j);
    struct jit_block *blk = &j->blocks[j->n_blocks];
    blk->pc = pc;
    blk->pa = j->translating_pa;
    blk->modes = j->translating_modes;
    blk->dead = false;
    blk->last_pc = b->cur_pc;
    blk->code = start;
    blk->guard = guard;
    blk->guard_epoch = guard_epoch;
    blk->size = (uint32_t)(buf.p - start);
    blk->hidden = hidden;
    fault_map_add(&j->faults, b, &j->cg, &blk->first_site, &blk->n_sites);
    if (!hidden) hash_insert(j, j->n_blocks);
    if (j->env.chain_within_page) pages_add(j, j->n_blocks);
    j->n_blocks++;
    j->code_p = buf.p;
    j->stats.blocks_translated++;
    j->stats.guest_insns_translated += ir_block_guest_insns(b);
    j->stats.host_code_bytes += blk->size;
    j->stats.chain_patches += j->cg.chained_exits;
    j->stats.ir_ops += ir_block_live_ops(b);
    if (j->cfg.trace.mode == JIT_TRACE_BLOCKS || j->cfg.trace.mode == JIT_TRACE_REPLAY) describe_for_trace(j, b, pc);
    return blk;
}

/* Builds, optimises and emits the block at pc; flushes the cache once if it is full.
 * A self-loop with a plan (lazy flags, constant registers) becomes two blocks: the
 * plain translation (found by pc) whose exit to itself enters the loop translation, so
 * the loop head is only ever reached with the state the plan describes. */
static const struct jit_block *translate(jit *j, uint64_t pc, uint64_t pa, uint64_t modes)
{
    j->translating_modes = modes;
    j->translating_pa = pa;
    const struct jit_system_memory *sys = j->cfg.memory.system;
    /* stores to the page must reach the runtime from now on (self-modifying code) */
    if (pa != PA_NONE && sys && sys->code_page) sys->code_page(sys->ctx, pa & ~(uint64_t)((1u << PAGE_BITS) - 1));
    uint64_t t0 = rdtsc();
    uint64_t ns0 = j->cfg.now_ns ? j->cfg.now_ns() : 0;
    ir_block *b = j->ir;
    const struct jit_block *blk = NULL;
    for (int attempt = 0; !blk; attempt++) {
        if (attempt > 1) fy_panic("jit: block at 0x%llx does not fit in an empty code cache", (unsigned long long)pc);
        if (attempt) flush_all(j);
        build(j, b, pc, modes, NULL, 0, NULL);
        struct ir_loop_reg loop_regs[IR_MAX_LOOP_REGS];
        /* a traced block checks its items fit at its start: no loop head to jump back to;
         * in block mode a loop counts its entries in one item instead (trace_prologue) */
        bool loops = b->optimise && j->cfg.trace.mode != JIT_TRACE_FULL &&
                     !(j->cfg.trace.mode == JIT_TRACE_REPLAY && ir_block_trace_slot_bytes(b) > 0);
        uint32_t n_loop = loops ? choose_loop_regs(j, b, loop_regs, NULL, NULL, 0) : 0;
        struct loop_plan *plan = &j->plan;
        if (n_loop && plan_loop(j, b, plan)) {
            build(j, b, pc, modes, plan->regs, plan->n_regs, plan);
            if (!b->loop_facts_broken) {
                const struct jit_block *loop = emit_block(j, b, pc, true);
                if (!loop) continue;
                build(j, b, pc, modes, NULL, 0, NULL);
                j->env.self_code = loop->code;
                blk = emit_block(j, b, pc, false);
                j->env.self_code = NULL;
                if (blk && plan->lazy) j->stats.lazy_flag_loops++;
                continue;
            }
        }
        if (n_loop) build(j, b, pc, modes, loop_regs, n_loop, NULL);
        blk = emit_block(j, b, pc, false);
    }
    j->stats.translate_cycles += rdtsc() - t0;
    if (j->cfg.now_ns) j->stats.translate_ns += j->cfg.now_ns() - ns0;
    return blk;
}

/* A data abort on a tagged address whose untagged form is valid is no fault: the
 * instruction runs in the step function (translated code only handles plain
 * addresses). */
static bool tagged_access(const jit *j, uint64_t addr)
{
    const struct jit_memory *m = &j->cfg.memory;
    uint64_t plain = jit_memory_untag(m, addr);
    return plain != addr && jit_memory_host(m, plain, 1) != NULL;
}

ir_exit_kind jit_run(jit *j, void *state, uint64_t *info)
{
    uint8_t *patch = NULL;
    bool guarded = false;                 /* patch is a chain to another page */
    uint64_t gen = j->flush_gen;
    for (;;) {
        uint64_t pc;
        memcpy(&pc, (uint8_t *)state + j->cfg.pc_offset, sizeof(pc));
        uint64_t modes = j->cfg.modes ? j->cfg.modes(j->cfg.modes_ctx, state) : 0;
        if (modes != j->ind_modes) {
            /* the inline indirect-branch table is keyed by PC only */
            ind_reset(j);
            j->ind_modes = modes;
        }
        uint64_t plain_pc = jit_memory_untag(&j->cfg.memory, pc);
        if (plain_pc != pc) {
            /* a branch to a tagged address continues at the untagged one (BranchAddr);
             * the branch went through the dispatcher, since no block is cached tagged */
            pc = plain_pc;
            memcpy((uint8_t *)state + j->cfg.pc_offset, &pc, sizeof(pc));
            patch = NULL;
        }
        uint64_t pa = code_pa(j, pc);
        const struct jit_block *blk = lookup(j, pc, pa, modes);
        if (!blk) blk = translate(j, pc, pa, modes);
        /* found by its physical address in this epoch: chains from other pages may enter */
        if (blk->guard_epoch && get_epoch(blk) != j->data->map_epoch) put_epoch(blk, j->data->map_epoch);
        if (patch && gen == j->flush_gen) {
            x86_patch_rel32(patch, guarded ? blk->guard : blk->code);
            j->stats.chain_patches++;
        }
        ind_insert(j, pc, blk->code);
        j->stats.dispatcher_entries++;
        struct jit_trace_buf *tb = j->cfg.trace.mode != JIT_TRACE_OFF ? j->cfg.trace.buf : NULL;
        if (tb) {
            j->data->trace_cursor = tb->cursor;
            j->data->trace_limit = tb->limit;
        }
        struct jit_ret r = j->enter(state, blk->code,
                                    j->cfg.memory.system ? (uint8_t *)j->cfg.memory.system->fast_tlb
                                                         : j->cfg.memory.host_base);
        if (tb) tb->cursor = j->data->trace_cursor;
        if (r.kind == IR_EXIT_TRACE_FULL) {
            jit_trace_drain_at(tb, state, j->cfg.state_size);   /* nothing of the block ran */
            patch = NULL;
            continue;
        }
        if (r.kind == IR_EXIT_JUMP) {
            if (j->data->exit_request) {
                if (info) *info = 0;
                return IR_EXIT_JUMP;
            }
            guarded = jit_patch_is_guarded(r.info);
            patch = (uint8_t *)(uintptr_t)(guarded ? r.info ^ JIT_PATCH_GUARDED : r.info);
            gen = j->flush_gen;
            if (!patch) j->stats.indirect_misses++;
            continue;
        }
        if (r.kind == IR_EXIT_DATA_ABORT && j->cfg.step && tagged_access(j, r.info)) {
            uint64_t step_info = 0;
            if (tb) j->cfg.trace.retract(j->cfg.trace.retract_ctx, state);
            int kind = j->cfg.step(j->cfg.step_ctx, state, &step_info);
            patch = NULL;
            if (kind == 0 || kind == IR_EXIT_JUMP) continue;
            r.kind = (uint64_t)kind;
            r.info = step_info;
        }
        j->data->monitor = ~0ull;          /* exceptions clear the exclusive monitor */
        if (info) *info = r.info;
        return (ir_exit_kind)r.kind;
    }
}

void jit_invalidate(jit *j, uint64_t start, uint64_t len)
{
    uint64_t end = start + len < start ? ~0ull : start + len;
    for (uint32_t i = 0; i < j->n_blocks; i++) {
        const struct jit_block *b = &j->blocks[i];
        /* last_pc is the last instruction's address: allow for its length */
        uint64_t bend = b->last_pc + 16 < b->last_pc ? ~0ull : b->last_pc + 16;
        if (b->pc < end && start < bend) {
            flush_all(j);                   /* chains into it are everywhere: start over */
            return;
        }
    }
}

bool jit_restore_state(jit *j, void *state, const struct jit_host_regs *regs)
{
    const uint8_t *rip = (const uint8_t *)(uintptr_t)regs->rip;
    if (rip < j->code_start || rip >= j->code_p || !j->n_blocks) return false;
    /* blocks are emitted in address order: the last one starting at or below rip */
    uint32_t lo = 0, hi = j->n_blocks;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (j->blocks[mid].code <= rip) lo = mid;
        else hi = mid;
    }
    const struct jit_block *b = &j->blocks[lo];
    if (rip < b->code || rip >= b->code + b->size) return false;
    if (!fault_map_restore(&j->faults, b->first_site, b->n_sites, (uint32_t)(rip - b->code), regs, state,
                           j->cfg.pc_offset))
        return false;
    j->data->monitor = ~0ull;
    /* the run leaves without returning through jit_run (or its epilogue): hand back the
     * items so far */
    if (j->cfg.trace.mode != JIT_TRACE_OFF) {
        j->data->trace_cursor = (uint64_t *)(uintptr_t)regs->gpr[JIT_REG_TRACE];
        j->cfg.trace.buf->cursor = j->data->trace_cursor;
    }
    return true;
}

volatile uint8_t *jit_exit_request(jit *j)
{
    return j->cfg.exit_requests ? &j->data->exit_request : NULL;
}

void jit_trace_stop(jit *j)
{
    if (j->cfg.trace.mode == JIT_TRACE_OFF) return;
    j->cfg.trace.mode = JIT_TRACE_OFF;
    j->env.trace_mode = JIT_TRACE_OFF;
    j->cg.reserved_regs = 0;
    if (j->n_blocks) flush_all(j);
}

void jit_invalidate_all(jit *j)
{
    if (j->n_blocks) flush_all(j);
}

void jit_mappings_changed(jit *j)
{
    if (++j->data->map_epoch == EPOCH_DEAD) flush_all(j);   /* guards from 2^32 changes ago could match */
    if (j->data->map_epoch == EPOCH_DEAD) j->data->map_epoch = 0;
    ind_reset(j);
    j->stats.mapping_changes++;
}

/* Kills the blocks of the page in slot h; how many. Plain chains into them come only
 * from blocks of the same page (lookup_code), which die with them; chains from other
 * pages enter their guards, which from now on never match. */
static uint32_t kill_page(jit *j, uint32_t h)
{
    uint32_t died = 0;
    for (uint32_t i = j->page_head[h]; i; i = j->blocks[i - 1].next_in_page) {
        struct jit_block *b = &j->blocks[i - 1];
        b->dead = true;
        if (b->guard_epoch) put_epoch(b, EPOCH_DEAD);
        if (!b->hidden) hash_remove(j, i - 1);
        died++;
    }
    j->page_head[h] = 0;
    return died;
}

void jit_invalidate_phys(jit *j, uint64_t pa, uint64_t len)
{
    if (!len || !j->env.chain_within_page) return;
    uint64_t first = pa >> PAGE_BITS, last = (pa + len - 1 < pa ? ~0ull : pa + len - 1) >> PAGE_BITS;
    uint32_t died = 0;
    if (last - first < j->n_pages) {
        for (uint64_t page = first;; page++) {
            uint32_t h = page_slot(j, page);
            if (j->page_key[h] == page) died += kill_page(j, h);
            if (page == last) break;
        }
    } else {                              /* a range larger than the pages with blocks */
        for (uint32_t h = 0; h <= j->page_mask; h++)
            if (j->page_key[h] != PAGE_KEY_EMPTY && j->page_key[h] >= first && j->page_key[h] <= last)
                died += kill_page(j, h);
    }
    if (!died) return;
    ind_reset(j);
    j->flush_gen++;                      /* a chain the dispatcher was about to patch may be dead */
    j->stats.blocks_invalidated += died;
    j->stats.page_invalidations++;
}

void jit_get_stats(const jit *j, struct jit_stats *out)
{
    *out = j->stats;
    out->indirect_hits = j->data->ind_hits;
}

size_t jit_translate_only(jit *j, uint64_t pc)
{
    const struct jit_block *b = lookup(j, pc, 0, 0);
    if (!b) b = translate(j, pc, 0, 0);
    return b ? b->size : 0;
}

const ir_block *jit_last_block(const jit *j) { return j->ir; }

const void *jit_block_code(const jit *j, uint64_t pc, size_t *size)
{
    const struct jit_block *b = lookup(j, pc, 0, 0);
    if (!b) return NULL;
    if (size) *size = b->size;
    return b->code;
}

void jit_for_each_block(const jit *j, void (*fn)(void *ctx, uint64_t pc, const void *code, size_t size),
                        void *ctx)
{
    for (uint32_t i = 0; i < j->n_blocks; i++) fn(ctx, j->blocks[i].pc, j->blocks[i].code, j->blocks[i].size);
}
