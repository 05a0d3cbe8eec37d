/* adlc: writes <p>_translate.c. Each execute block becomes one C function that does the
 * translation-time part of the semantics in C and emits IR (jit/ir/ir.h) for the
 * run-time part. Every expression is classified while it is generated: a TVal is
 * either translation time (a C expression) or run time (an ir_val). Variables are
 * classified by a fixpoint: the body is generated repeatedly until no variable changes
 * class (translation time -> run time, run time -> IR local when it is assigned under a
 * run-time condition), and the last pass's text and diagnostics are kept. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "adl/adlc.h"

typedef struct TVal {
    bool rt;
    char *code;            /* rt: C expression of type ir_val; else container value */
    Type type;
} TVal;

typedef struct TBind { const Sym *sym; char *cname; int inst; } TBind;

typedef struct TGen {
    const Desc *d;
    const Insn *in;
    Buf *out;
    int indent;
    int label;
    TBind *bind;
    int nbind, capbind;
    /* variable instances, numbered in generation order (stable across passes) */
    bool *inst_rt, *inst_local;
    int cap_inst, ninst;
    bool changed;
    int rt_depth;                  /* enclosing run-time ifs */
    const char *rt_end;            /* C label ending the innermost run-time region */
    /* inlined helper being generated */
    const char *h_label, *h_ret;
    int h_inst, h_depth;
    int h_flag;                    /* instance whose `local` flag says: a return branches */
    int h_n;                       /* number of the helper expansion (C names) */
    Type h_type;
    int *inst_depth;               /* run-time depth each instance was declared at */
    int cap_depth;
} TGen;

static void line(TGen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(TGen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    for (int i = 0; i < g->indent; i++) buf_puts(g->out, "    ");
    buf_puts(g->out, s);
    buf_puts(g->out, "\n");
    free(s);
}

static int ir_bits(int w)
{
    if (w == 1) return 1;
    return container_bits(w);
}

static const char *ir_type(Type t)
{
    switch (ir_bits(t.kind == TY_INT ? t.width : 64)) {
    case 1: return "IR_I1";
    case 8: return "IR_I8";
    case 16: return "IR_I16";
    case 32: return "IR_I32";
    case 64: return "IR_I64";
    default: return "IR_I128";
    }
}

static Type norm_type(Type t) { return t.kind == TY_INT ? t : ty_int(64, false); }

/* ---- instances and bindings ----------------------------------------------------------- */

static int new_inst(TGen *g)
{
    if (g->ninst == g->cap_inst) {
        int cap = g->cap_inst ? 2 * g->cap_inst : 32;
        g->inst_rt = xrealloc(g->inst_rt, (size_t)cap * sizeof(bool));
        g->inst_local = xrealloc(g->inst_local, (size_t)cap * sizeof(bool));
        memset(g->inst_rt + g->cap_inst, 0, (size_t)(cap - g->cap_inst) * sizeof(bool));
        memset(g->inst_local + g->cap_inst, 0, (size_t)(cap - g->cap_inst) * sizeof(bool));
        g->cap_inst = cap;
    }
    if (g->ninst >= g->cap_depth) {
        g->cap_depth = g->cap_inst;
        g->inst_depth = xrealloc(g->inst_depth, (size_t)g->cap_depth * sizeof(int));
    }
    g->inst_depth[g->ninst] = g->rt_depth;
    return g->ninst++;
}

static void mark_rt(TGen *g, int inst)
{
    if (!g->inst_rt[inst]) { g->inst_rt[inst] = true; g->changed = true; }
}

static void mark_local(TGen *g, int inst)
{
    if (!g->inst_local[inst]) { g->inst_local[inst] = true; g->changed = true; }
    mark_rt(g, inst);
}

static void bind(TGen *g, const Sym *s, char *cname, int inst)
{
    TBind b = { s, cname, inst };
    VEC_PUSH(g->bind, g->nbind, g->capbind, b);
}

static TBind *lookup(TGen *g, const Sym *s)
{
    for (int i = g->nbind - 1; i >= 0; i--)
        if (g->bind[i].sym == s) return &g->bind[i];
    return NULL;
}

/* ---- IR emission helpers ------------------------------------------------------------- */

static char *emit(TGen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *emit(TGen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    char *t = xasprintf("t%d", ++g->label);
    line(g, "ir_val %s = %s;", t, s);
    free(s);
    return t;
}

static TVal tval(bool rt, char *code, Type t) { TVal v = { rt, code, norm_type(t) }; return v; }

/* IR constant of type t from a C container value */
/* C expression creating the IR constant of type t for container value c */
static char *ir_const_expr(const char *c, Type t)
{
    t = norm_type(t);
    int b = ir_bits(t.width);
    if (b == 128)
        return xasprintf("({ unsigned __int128 k_ = %s; ir_const128(b, (uint64_t)k_, (uint64_t)(k_ >> 64)); })", c);
    if (b == 1) return xasprintf("ir_const(b, IR_I1, (uint64_t)(%s) & 1)", c);
    if (b == 64) return xasprintf("ir_const(b, IR_I64, (uint64_t)(%s))", c);
    return xasprintf("ir_const(b, %s, (uint64_t)(uint%d_t)(%s))", ir_type(t), b, c);
}

static char *ir_const_of(TGen *g, const char *c, Type t)
{
    return emit(g, "%s", ir_const_expr(c, t));
}

static char *ir_k(TGen *g, Type t, uint64_t v)
{
    return ir_const_of(g, xasprintf("UINT64_C(0x%llx)", (unsigned long long)v), t);
}

static char *as_ir(TGen *g, TVal v)
{
    return v.rt ? v.code : ir_const_of(g, v.code, v.type);
}

/* make an IR value normalised for t (its container may hold stray upper bits) */
static char *ir_norm(TGen *g, const char *v, Type t)
{
    int c = ir_bits(t.width);
    if (t.width >= c) return xstrdup(v);
    if (!t.is_signed) {
        char *m = ir_const_of(g, c_const(width_mask(t.width), 64), t);
        return emit(g, "ir_and(b, %s, %s)", v, m);
    }
    char *sh = ir_k(g, t, (uint64_t)(c - t.width));
    char *l = emit(g, "ir_shl(b, %s, %s)", v, sh);
    return emit(g, "ir_ashr(b, %s, %s)", l, sh);
}

static char *ir_convert(TGen *g, const char *v, Type from, Type to)
{
    from = norm_type(from);
    int fc = ir_bits(from.width), tc = ir_bits(to.width);
    char *r = xstrdup(v);
    if (tc > fc)
        r = emit(g, "adl_ext(b, %s, %s, %s, %s)", from.is_signed ? "ADL_SEXT" : "ADL_ZEXT", ir_type(to),
                 ir_type(from), r);
    else if (tc < fc)
        r = emit(g, "adl_ext(b, ADL_TRUNC, %s, %s, %s)", ir_type(to), ir_type(from), r);
    if (conv_needs_norm(from, to, tc)) r = ir_norm(g, r, to);
    return r;
}

/* v converted to type `to`, staying translation time when it is */
static TVal convert(TGen *g, TVal v, Type to)
{
    if (!v.rt) return tval(false, c_convert(v.code, v.type, to), to);
    return tval(true, ir_convert(g, v.code, v.type, to), to);
}

static char *ir_truth(TGen *g, TVal v)
{
    if (!v.rt) return ir_const_of(g, c_truth(v.code), ty_int(1, false));
    if (v.type.width == 1) return v.code;
    return emit(g, "ir_cmp(b, IR_NE, %s, %s)", v.code, ir_k(g, v.type, 0));
}

/* ---- expressions --------------------------------------------------------------------- */

static TVal tx_expr(TGen *g, const Expr *e);
static void tx_stmt(TGen *g, const Stmt *s);

static void terminate(TGen *g)
{
    if (g->rt_end) line(g, "ends = 1; goto %s;", g->rt_end);
    else line(g, "return 1;");
}

/* index of a register-file access: translation time, bounds-checked when its type can
 * exceed the file (a guest encoding may name a register that does not exist) */
static char *reg_offset(TGen *g, const Sym *r, const Expr *idx)
{
    const char *P = upper(g->d->prefix);
    if (!idx) return xasprintf("%s_OFF_%s", P, r->name);
    TVal i = tx_expr(g, idx);
    if (i.rt) {
        error_at(idx->loc, "register-file index must be a translation-time value (an encoding "
                 "field, a constant or a value computed from them)");
        return xasprintf("%s_OFF_%s(0)", P, r->name);
    }
    if (idx->kind == E_NUM) return xasprintf("%s_OFF_%s(%s)", P, r->name, i.code);
    char *iv = xasprintf("i%d", ++g->label);
    line(g, "const uint64_t %s = (uint64_t)(%s);", iv, i.code);
    if (idx->type.is_signed || idx->type.width >= 31 || (1L << idx->type.width) > r->count) {
        line(g, "if (%s >= %d) {", iv, r->count);
        g->indent++;
        line(g, "ir_exit_special(b, IR_EXIT_UNDEF, pc, insn);");
        terminate(g);
        g->indent--;
        line(g, "}");
    }
    return xasprintf("%s_OFF_%s(%s)", P, r->name, iv);
}

static TVal read_reg(TGen *g, const Sym *r, const Expr *idx)
{
    char *off = reg_offset(g, r, idx);
    return tval(true, emit(g, "ir_read_reg(b, %s, %s)", ir_type(r->type), off), r->type);
}

/* Evaluates e into its own buffer, so a caller can place (or guard) its statements. */
static TVal tx_expr_into(TGen *g, const Expr *e, Buf *buf)
{
    Buf *saved = g->out;
    g->out = buf;
    TVal v = tx_expr(g, e);
    g->out = saved;
    return v;
}

static void splice(TGen *g, Buf *b)
{
    if (b->len) buf_append(g->out, b->data, b->len);
    buf_free(b);
}

static TVal tx_helper_call(TGen *g, const Expr *e)
{
    const Func *f = e->sym->func;
    TVal *args = xalloc(sizeof(TVal) * (size_t)(f->nparams + 1));
    for (int i = 0; i < f->nparams && i < e->nargs; i++)
        args[i] = convert(g, tx_expr(g, e->args[i]), f->params[i]->type);
    int n = ++g->label;
    int ri = -1;
    char *rv = xasprintf("r%d", n);
    /* a return under a run-time condition writes the result to an IR local and branches
     * to an IR label bound after the expansion (flag instance: learnt by the fixpoint) */
    int flag = new_inst(g);
    bool rt_returns = g->inst_local[flag];
    if (f->ret.kind == TY_INT) {
        ri = new_inst(g);
        if (g->inst_local[ri]) line(g, "ir_local %s = ir_local_new(b, %s);", rv, ir_type(f->ret));
        else if (g->inst_rt[ri]) line(g, "ir_val %s = 0;", rv);
        else line(g, "%s %s = 0;", cval_type(f->ret), rv);
    }
    if (rt_returns) line(g, "ir_label hl%d = 0; bool hj%d = false;", n, n);
    line(g, "{");
    g->indent++;
    int mark = g->nbind;
    for (int i = 0; i < f->nparams && i < e->nargs; i++) {
        int pi = new_inst(g);
        char *pn = xasprintf("p%d_%s", n, f->params[i]->name);
        if (args[i].rt) mark_rt(g, pi);
        if (g->inst_local[pi]) {
            line(g, "ir_local %s = ir_local_new(b, %s);", pn, ir_type(f->params[i]->type));
            line(g, "ir_local_write(b, %s, %s);", pn, as_ir(g, args[i]));
        } else if (g->inst_rt[pi]) {
            line(g, "ir_val %s __attribute__((unused)) = %s;", pn, as_ir(g, args[i]));
        } else {
            line(g, "%s %s __attribute__((unused)) = %s;", cval_type(f->params[i]->type), pn,
                 args[i].rt ? "0" : args[i].code);
        }
        bind(g, f->params[i], pn, pi);
    }
    const char *sl = g->h_label, *sr = g->h_ret;
    int si = g->h_inst, sd = g->h_depth, sf = g->h_flag, sn = g->h_n;
    Type st = g->h_type;
    char *hl = xasprintf("hend%d", n);
    g->h_label = hl;
    g->h_ret = rv;
    g->h_inst = ri;
    g->h_depth = g->rt_depth;
    g->h_type = f->ret;
    g->h_flag = flag;
    g->h_n = n;
    tx_stmt(g, f->body);
    g->h_label = sl;
    g->h_ret = sr;
    g->h_inst = si;
    g->h_depth = sd;
    g->h_type = st;
    g->h_flag = sf;
    g->h_n = sn;
    g->nbind = mark;
    g->indent--;
    line(g, "}");
    line(g, "%s: __attribute__((unused));", hl);
    if (rt_returns)
        line(g, "if (hj%d) { ir_br(b, hl%d); hdead%d: __attribute__((unused)); adl_bind(b, hl%d); }", n, n, n, n);
    if (ri < 0) return tval(false, xstrdup("0"), ty_int(64, false));
    if (g->inst_local[ri]) return tval(true, emit(g, "ir_local_read(b, %s)", rv), f->ret);
    return tval(g->inst_rt[ri], rv, f->ret);
}

/* "offset, size" of the state bytes an extern's touches() list covers: the state struct
 * keeps declaration order, so the range runs from the first listed register (in that
 * order) to the end of the last one, including any register declared between them. */
static char *touch_range(const Desc *d, const Func *f)
{
    int lo = -1, hi = -1;
    for (int i = 0; i < d->nregs; i++)
        for (int k = 0; k < f->ntouches; k++)
            if (f->touch_regs[k] == d->regs[i]) {
                if (lo < 0) lo = i;
                hi = i;
            }
    if (lo < 0) return xstrdup("0, 0");
    /* offsetof/sizeof of the members: a register file's member is its whole array */
    const Sym *first = d->regs[lo], *last = d->regs[hi];
    const char *S = d->prefix;
    return xasprintf("(uint32_t)offsetof(struct %s_state, %s), (uint32_t)(offsetof(struct %s_state, %s) + "
                     "sizeof(((struct %s_state *)0)->%s) - offsetof(struct %s_state, %s))",
                     S, first->name, S, last->name, S, last->name, S, first->name);
}

static TVal tx_extern_call(TGen *g, const Expr *e)
{
    const Func *f = e->sym->func;
    char **args = xalloc(sizeof(char *) * (size_t)(e->nargs + 1));
    for (int i = 0; i < e->nargs && i < f->nparams; i++)
        args[i] = as_ir(g, convert(g, tx_expr(g, e->args[i]), f->params[i]->type));
    char *arr = xasprintf("NULL");
    if (f->nparams) {
        Buf b = { 0 };
        int n = ++g->label;
        buf_printf(&b, "const ir_val args%d[] = {", n);
        for (int i = 0; i < f->nparams; i++) buf_printf(&b, "%s %s", i ? "," : "", args[i]);
        buf_puts(&b, " };");
        line(g, "%s", b.data);
        buf_free(&b);
        arr = xasprintf("args%d", n);
    }
    const char *rt = f->ret.kind == TY_INT ? ir_type(f->ret) : "0";
    char *call;
    if (f->has_touches) {
        char *range = touch_range(g->d, f);
        call = xasprintf("ir_call_touching(b, (const void *)%s, %s, %d, %s, %s)", f->name, rt, f->nparams, arr, range);
    } else {
        call = xasprintf("ir_call(b, (const void *)%s, %s, %d, %s)", f->name, rt, f->nparams, arr);
    }
    if (f->ret.kind != TY_INT) {
        line(g, "(void)%s;", call);
        return tval(false, xstrdup("0"), ty_int(64, false));
    }
    return tval(true, emit(g, "%s", call), f->ret);
}

/* mask of the low w bits as an IR constant of t's container */
static char *ir_mask(TGen *g, Type t, int w)
{
    return ir_const_of(g, c_const(width_mask(w), 64), t);
}

/* amount mod w for shifts and rotates of a w-bit value in a wider container */
static char *ir_amount_mod(TGen *g, TVal amt, int w)
{
    if (!amt.rt) {
        char *a = amt.type.width > 64 ? xasprintf("(uint64_t)(%s)", amt.code) : amt.code;
        return ir_const_of(g, xasprintf("((%s) %% %d)", a, w), amt.type);
    }
    if ((w & (w - 1)) == 0) return emit(g, "ir_and(b, %s, %s)", amt.code, ir_k(g, amt.type, (uint64_t)w - 1));
    char *wk = ir_k(g, amt.type, (uint64_t)w);
    char *q = emit(g, "ir_udiv(b, %s, %s)", amt.code, wk);
    char *p = emit(g, "ir_mul(b, %s, %s)", q, wk);
    return emit(g, "ir_sub(b, %s, %s)", amt.code, p);
}

static TVal tx_intrinsic_rt(TGen *g, const Expr *e, TVal *a)
{
    Type t = e->type;
    int w = t.width, c = ir_bits(w);
    switch (e->intrinsic) {
    case I_ADD_CARRY: case I_ADD_OVERFLOW: case I_ADC: {
        Type ot = e->cast_to;
        if (ot.width != ir_bits(ot.width) || ot.width == 1) {
            error_at(e->loc, "%s() on run-time %s operands is not supported (use 8, 16, 32 or 64 bits)",
                     e->name, type_str(ot));
            return tval(true, xstrdup("0"), t);
        }
        char *x = as_ir(g, convert(g, a[0], ot)), *y = as_ir(g, convert(g, a[1], ot));
        char *ci = as_ir(g, convert(g, a[2], ty_int(1, false)));
        const char *fn = e->intrinsic == I_ADD_CARRY ? "add_carry" : e->intrinsic == I_ADD_OVERFLOW ? "add_overflow" : "adc";
        return tval(true, emit(g, "ir_%s(b, %s, %s, %s)", fn, x, y, ci), t);
    }
    case I_MULH: {
        Type ot = e->cast_to;
        char *x = as_ir(g, convert(g, a[0], ot)), *y = as_ir(g, convert(g, a[1], ot));
        if (ot.width == 64)
            return tval(true, emit(g, "ir_%cmulh(b, %s, %s)", ot.is_signed ? 's' : 'u', x, y), t);
        Type wide = ty_int(64, ot.is_signed);
        char *xw = ir_convert(g, x, ot, wide), *yw = ir_convert(g, y, ot, wide);
        char *p = emit(g, "ir_mul(b, %s, %s)", xw, yw);
        char *h = emit(g, "ir_%s(b, %s, %s)", ot.is_signed ? "ashr" : "lshr", p, ir_k(g, wide, (uint64_t)ot.width));
        return tval(true, emit(g, "ir_trunc(b, %s, %s)", ir_type(ot), h), t);
    }
    case I_SEXT: case I_ZEXT: {
        Type from = a[0].type;
        char *v = as_ir(g, a[0]);
        Type re = ty_int(from.width, e->intrinsic == I_SEXT);
        if (from.is_signed != re.is_signed) v = ir_norm(g, v, re);
        return tval(true, ir_convert(g, v, re, t), t);
    }
    default:
        break;
    }
    char *x = as_ir(g, a[0]);
    /* operands of the bit operations with the sign bits cleared */
    char *xu = (t.is_signed && w < c) ? emit(g, "ir_and(b, %s, %s)", x, ir_mask(g, t, w)) : x;
    char *r;
    switch (e->intrinsic) {
    case I_CLZ:
        r = emit(g, "ir_clz(b, %s)", xu);
        if (w < c) r = emit(g, "ir_sub(b, %s, %s)", r, ir_k(g, t, (uint64_t)(c - w)));
        return tval(true, r, t);
    case I_CTZ:
        if (w < c) xu = emit(g, "ir_or(b, %s, %s)", xu, ir_k(g, t, (uint64_t)1 << w));
        return tval(true, emit(g, "ir_ctz(b, %s)", xu), t);
    case I_POPCOUNT:
        return tval(true, emit(g, "ir_popcount(b, %s)", xu), t);
    case I_BSWAP:
        return tval(true, emit(g, "ir_bswap(b, %s)", x), t);
    case I_RBIT:
        r = emit(g, "ir_bitreverse(b, %s)", xu);
        if (w < c) r = ir_norm(g, emit(g, "ir_lshr(b, %s, %s)", r, ir_k(g, t, (uint64_t)(c - w))), t);
        return tval(true, r, t);
    case I_ROR: {
        if (w == c) return tval(true, emit(g, "ir_ror(b, %s, %s)", x, as_ir(g, a[1])), t);
        char *n = ir_amount_mod(g, a[1], w);
        char *nt = ir_convert(g, n, a[1].type, ty_int(w, false));
        char *inv = emit(g, "ir_sub(b, %s, %s)", ir_k(g, ty_int(w, false), (uint64_t)w), nt);
        char *lo = emit(g, "ir_lshr(b, %s, %s)", xu, nt);
        char *hi = emit(g, "ir_shl(b, %s, %s)", xu, inv);
        r = emit(g, "ir_and(b, %s, %s)", emit(g, "ir_or(b, %s, %s)", lo, hi), ir_mask(g, t, w));
        return tval(true, t.is_signed ? ir_norm(g, r, t) : r, t);
    }
    default:
        return tval(true, xstrdup("0"), t);
    }
}

static TVal tx_mem(TGen *g, const Expr *e)
{
    char *addr = as_ir(g, convert(g, tx_expr(g, e->args[0]), ty_int(64, false)));
    Type t = ty_int(e->n, false);
    switch (e->intrinsic) {
    case I_MEM_READ:
        if (e->mem_flags & ADL_MEM_UNPRIV)
            return tval(true, emit(g, "ir_load_ex(b, %s, %s, IR_MEM_UNPRIV)", ir_type(t), addr), t);
        return tval(true, emit(g, "ir_load(b, %s, %s)", ir_type(t), addr), t);
    case I_MEM_READ_EXCL:
        return tval(true, emit(g, "ir_load_exclusive(b, %s, %s)", ir_type(t), addr), t);
    case I_MEM_WRITE: {
        char *v = as_ir(g, convert(g, tx_expr(g, e->args[1]), t));
        if (e->mem_flags & ADL_MEM_UNPRIV) line(g, "ir_store_ex(b, %s, %s, IR_MEM_UNPRIV);", addr, v);
        else line(g, "ir_store(b, %s, %s);", addr, v);
        return tval(false, xstrdup("0"), ty_int(64, false));
    }
    default: {
        char *v = as_ir(g, convert(g, tx_expr(g, e->args[1]), t));
        return tval(true, emit(g, "ir_store_exclusive(b, %s, %s)", addr, v), ty_int(32, false));
    }
    }
}

static uint64_t insn_bytes(TGen *g) { return (uint64_t)(g->d->insn_bits / 8); }

static char *need_tt(TGen *g, const Expr *e, const char *what)
{
    TVal v = convert(g, tx_expr(g, e), ty_int(64, false));
    if (v.rt) {
        error_at(e->loc, "%s must be a translation-time value", what);
        return xstrdup("0");
    }
    return v.code;
}

static TVal tx_call(TGen *g, const Expr *e)
{
    TVal none = tval(false, xstrdup("0"), ty_int(64, false));
    switch (e->intrinsic) {
    case I_NONE:
        return e->sym->func->is_extern ? tx_extern_call(g, e) : tx_helper_call(g, e);
    case I_BRANCH: {
        TVal t = convert(g, tx_expr(g, e->args[0]), ty_int(64, false));
        if (t.rt) line(g, "ir_exit_indirect(b, %s);", t.code);
        else line(g, "ir_exit_direct(b, %s);", t.code);
        terminate(g);
        return none;
    }
    case I_UNDEFINED:
        line(g, "ir_exit_special(b, IR_EXIT_UNDEF, pc, insn);");
        terminate(g);
        return none;
    case I_EXIT_SYSCALL: case I_EXIT_HVC: case I_EXIT_SMC: case I_EXIT_BREAKPOINT: {
        char *imm = need_tt(g, e->args[0], "the immediate of an exit");
        const char *kind = e->intrinsic == I_EXIT_SYSCALL ? "IR_EXIT_SYSCALL"
                         : e->intrinsic == I_EXIT_HVC ? "IR_EXIT_HVC"
                         : e->intrinsic == I_EXIT_SMC ? "IR_EXIT_SMC" : "IR_EXIT_BREAKPOINT";
        uint64_t next = e->intrinsic == I_EXIT_BREAKPOINT ? 0 : insn_bytes(g);
        line(g, "ir_exit_special(b, %s, pc + %llu, %s);", kind, (unsigned long long)next, imm);
        terminate(g);
        return none;
    }
    case I_EXIT_WFI:
        line(g, "ir_exit_special(b, IR_EXIT_WFI, pc + %llu, 0);", (unsigned long long)insn_bytes(g));
        terminate(g);
        return none;
    case I_EXIT_INVALIDATE_CODE: {
        char *addr = as_ir(g, convert(g, tx_expr(g, e->args[0]), ty_int(64, false)));
        line(g, "ir_exit_special_value(b, IR_EXIT_INVALIDATE_CODE, pc + %llu, %s);",
             (unsigned long long)insn_bytes(g), addr);
        terminate(g);
        return none;
    }
    case I_MEM_READ: case I_MEM_WRITE: case I_MEM_READ_EXCL: case I_MEM_WRITE_EXCL:
        return tx_mem(g, e);
    case I_CHECK_ALIGNMENT: {
        if (e->n == 8) return none;                 /* every address is byte aligned */
        char *addr = as_ir(g, convert(g, tx_expr(g, e->args[0]), ty_int(64, false)));
        char *write = need_tt(g, e->args[1], "the write flag of check_alignment");
        line(g, "ir_check_aligned(b, %s, %d, %s);", addr, e->n / 8, write);
        return none;
    }
    case I_CHECK_SP_ALIGNMENT: {
        char *sp = as_ir(g, convert(g, tx_expr(g, e->args[0]), ty_int(64, false)));
        line(g, "ir_check_sp_aligned(b, %s);", sp);
        return none;
    }
    case I_CLEAR_EXCL:
        line(g, "ir_clear_exclusive(b);");
        return none;
    case I_BARRIER:
        line(g, "ir_barrier(b);");
        return none;
    case I_PRINT:
        error_at(e->loc, "print() is only allowed in disasm blocks");
        return none;
    case I_FADD: case I_FSUB: case I_FMUL: case I_FDIV: {
        /* always run time, even on constants: translators are built without host FP */
        const char *fn = e->intrinsic == I_FADD ? "fadd" : e->intrinsic == I_FSUB ? "fsub" :
                         e->intrinsic == I_FMUL ? "fmul" : "fdiv";
        TVal x = tx_expr(g, e->args[0]), y = tx_expr(g, e->args[1]);
        x.type = norm_type(e->args[0]->type);
        y.type = norm_type(e->args[1]->type);
        char *xi = as_ir(g, convert(g, x, e->type)), *yi = as_ir(g, convert(g, y, e->type));
        return tval(true, emit(g, "ir_%s(b, %s, %s)", fn, xi, yi), e->type);
    }
    case I_FFMA: {
        char *ops[3];
        for (int i = 0; i < 3; i++) {
            TVal v = tx_expr(g, e->args[i]);
            v.type = norm_type(e->args[i]->type);
            ops[i] = as_ir(g, convert(g, v, e->type));
        }
        return tval(true, emit(g, "ir_ffma(b, %s, %s, %s)", ops[0], ops[1], ops[2]), e->type);
    }
    case I_HOST_HAS_FMA:
        /* the JIT's own feature detection: a translation-time constant */
        return tval(false, xasprintf("ir_host_has_fma()"), e->type);
    default: {
        TVal a[3];
        bool rt = false;
        char *codes[3] = { NULL, NULL, NULL };
        for (int i = 0; i < e->nargs && i < 3; i++) {
            a[i] = tx_expr(g, e->args[i]);
            a[i].type = norm_type(e->args[i]->type);
            rt |= a[i].rt;
            codes[i] = a[i].code;
        }
        if (!rt) return tval(false, c_op_intrinsic(e, codes), e->type);
        return tx_intrinsic_rt(g, e, a);
    }
    }
}

static const char *ir_cond(TokKind op, bool sgn)
{
    switch (op) {
    case T_EQ: return "IR_EQ";
    case T_NE: return "IR_NE";
    case T_LT: return sgn ? "IR_SLT" : "IR_ULT";
    case T_LE: return sgn ? "IR_SLE" : "IR_ULE";
    case T_GT: return sgn ? "IR_SGT" : "IR_UGT";
    default: return sgn ? "IR_SGE" : "IR_UGE";
    }
}

static TVal tx_binary_rt(TGen *g, const Expr *e, TVal a, TVal b)
{
    Type t = e->type;
    TokKind op = e->op;
    if (op == T_EQ || op == T_NE || op == T_LT || op == T_LE || op == T_GT || op == T_GE) {
        Type ot = norm_type(e->cast_to);
        char *x = as_ir(g, convert(g, a, ot)), *y = as_ir(g, convert(g, b, ot));
        return tval(true, emit(g, "ir_cmp(b, %s, %s, %s)", ir_cond(op, ot.is_signed), x, y), t);
    }
    if (op == T_SHL || op == T_SHR) {
        int w = t.width, c = ir_bits(w);
        char *x = as_ir(g, a);
        if (c == 1) {    /* a shift of a 1-bit value by anything modulo 1 is the value */
            return tval(true, x, t);
        }
        if (!b.rt && w == c) {    /* a translation-time shift by 0 emits nothing */
            char *r = xasprintf("t%d", ++g->label);
            char *amt = b.type.width > 64 ? xasprintf("(uint64_t)(%s)", b.code) : b.code;
            const char *fn = op == T_SHL ? "shl" : t.is_signed ? "ashr" : "lshr";
            line(g, "ir_val %s = ((%s) %% %d) == 0 ? %s : ir_%s(b, %s, %s);", r, amt, w, x, fn, x,
                 ir_const_expr(xasprintf("(%s) %% %d", amt, w), b.type));
            return tval(true, r, t);
        }
        char *amt = w == c ? as_ir(g, b) : ir_amount_mod(g, b, w);
        if (op == T_SHL) return tval(true, ir_norm(g, emit(g, "ir_shl(b, %s, %s)", x, amt), t), t);
        return tval(true, emit(g, "ir_%s(b, %s, %s)", t.is_signed ? "ashr" : "lshr", x, amt), t);
    }
    /* x + 0, x - 0, x | 0, x ^ 0 (and 0 + x...) with a translation-time 0: no IR at all;
     * the test runs when the instruction is translated */
    bool ident_ok = t.width == ir_bits(t.width) && t.width > 1 && t.width <= 64;
    bool comm = op == T_PLUS || op == T_PIPE || op == T_CARET;
    if (ident_ok && (comm || op == T_MINUS) && (a.rt != b.rt) && (!b.rt || comm)) {
        TVal k = convert(g, a.rt ? b : a, t), v = convert(g, a.rt ? a : b, t);
        const char *fn = op == T_PLUS ? "add" : op == T_MINUS ? "sub" : op == T_PIPE ? "or" : "xor";
        char *r = xasprintf("t%d", ++g->label);
        char *kc = ir_const_expr(k.code, t);
        line(g, "ir_val %s = (%s) == 0 ? %s : ir_%s(b, %s, %s);", r, k.code, v.code, fn,
             a.rt ? v.code : kc, a.rt ? kc : v.code);
        return tval(true, r, t);
    }
    char *x = as_ir(g, convert(g, a, t)), *y = as_ir(g, convert(g, b, t));
    if (ir_bits(t.width) == 1 && op != T_AMP && op != T_PIPE && op != T_CARET) {
        /* 1-bit arithmetic: do it on bytes, keep the low bit */
        Type byte = ty_int(8, false);
        x = emit(g, "ir_zext(b, IR_I8, %s)", x);
        y = emit(g, "ir_zext(b, IR_I8, %s)", y);
        Expr tmp = *e;
        tmp.type = byte;
        TVal r = tx_binary_rt(g, &tmp, tval(true, x, byte), tval(true, y, byte));
        return tval(true, emit(g, "ir_trunc(b, IR_I1, %s)", r.code), t);
    }
    switch (op) {
    case T_PLUS: return tval(true, ir_norm(g, emit(g, "ir_add(b, %s, %s)", x, y), t), t);
    case T_MINUS: return tval(true, ir_norm(g, emit(g, "ir_sub(b, %s, %s)", x, y), t), t);
    case T_STAR: return tval(true, ir_norm(g, emit(g, "ir_mul(b, %s, %s)", x, y), t), t);
    case T_AMP: return tval(true, emit(g, "ir_and(b, %s, %s)", x, y), t);
    case T_PIPE: return tval(true, emit(g, "ir_or(b, %s, %s)", x, y), t);
    case T_CARET: return tval(true, emit(g, "ir_xor(b, %s, %s)", x, y), t);
    case T_SLASH:
        return tval(true, ir_norm(g, emit(g, "ir_%cdiv(b, %s, %s)", t.is_signed ? 's' : 'u', x, y), t), t);
    case T_PERCENT: {
        char *q = emit(g, "ir_%cdiv(b, %s, %s)", t.is_signed ? 's' : 'u', x, y);
        char *p = emit(g, "ir_mul(b, %s, %s)", q, y);
        return tval(true, ir_norm(g, emit(g, "ir_sub(b, %s, %s)", x, p), t), t);
    }
    default:
        return tval(true, xstrdup("0"), t);
    }
}

/* `a && b`, `a || b`, `c ? x : y`: operands run only when needed. */
static TVal tx_conditional(TGen *g, const Expr *e)
{
    bool ternary = e->kind == E_TERNARY;
    const Expr *ce = e->a;
    const Expr *xe = ternary ? e->b : e->b;   /* the right operand of && / || */
    const Expr *ye = ternary ? e->c : NULL;
    Type t = ternary ? e->type : ty_int(1, false);
    TVal c = tx_expr(g, ce);
    Buf bx = { 0 }, by = { 0 };
    TVal x = tx_expr_into(g, xe, &bx);
    TVal y = ye ? tx_expr_into(g, ye, &by) : tval(false, xstrdup("0"), t);
    if (!c.rt) {
        if (!x.rt && !y.rt && bx.len == 0 && by.len == 0) {
            buf_free(&bx);
            buf_free(&by);
            if (ternary) return tval(false, c_op_ternary(e, c.code, x.code, y.code), t);
            return tval(false, c_op_binary(e, c.code, x.code), t);
        }
        /* evaluate only the chosen operand, in a C if */
        bool rt = x.rt || y.rt;
        char *r = xasprintf("c%d", ++g->label);
        if (rt) line(g, "ir_val %s = 0;", r);
        else line(g, "%s %s = 0;", cval_type(t), r);
        const char *cond = c_truth(c.code);
        if (!ternary) cond = e->op == T_ANDAND ? cond : xasprintf("!%s", cond);
        line(g, "if (%s) {", cond);
        g->indent++;
        splice(g, &bx);
        TVal xv = ternary ? convert(g, x, t) : tval(x.rt, x.rt ? ir_truth(g, x) : c_truth(x.code), t);
        line(g, "%s = %s;", r, rt ? as_ir(g, xv) : xv.code);
        g->indent--;
        line(g, "} else {");
        g->indent++;
        splice(g, &by);
        TVal yv;
        if (ternary) yv = convert(g, y, t);
        else yv = tval(false, xstrdup(e->op == T_ANDAND ? "0" : "1"), t);
        line(g, "%s = %s;", r, rt ? as_ir(g, yv) : yv.code);
        g->indent--;
        line(g, "}");
        return tval(rt, r, t);
    }
    if (expr_has_effects(xe) || expr_has_effects(ye)) {
        error_at(e->loc, "an operand with side effects (memory, extern or exit) under a run-time "
                 "condition; use an if statement");
    }
    splice(g, &bx);
    splice(g, &by);
    char *cv = ir_truth(g, c);
    if (ternary)
        return tval(true, emit(g, "ir_select(b, %s, %s, %s)", cv, as_ir(g, convert(g, x, t)),
                               as_ir(g, convert(g, y, t))), t);
    char *xv = ir_truth(g, x);
    return tval(true, emit(g, "ir_%s(b, %s, %s)", e->op == T_ANDAND ? "and" : "or", cv, xv), t);
}

/* ---- narrow accesses to 128-bit registers --------------------------------------------- */

/* A register (file entry) held in a 128-bit container whose bits are all value bits. */
static bool is_wide_reg(const Expr *e)
{
    if (e->kind != E_INDEX && e->kind != E_NAME) return false;
    const Sym *s = e->sym;
    if (!s || (s->kind != SYM_REG && s->kind != SYM_REGFILE) || s->is_pc) return false;
    if (e->kind == E_NAME && s->kind != SYM_REG) return false;
    return s->type.kind == TY_INT && s->type.width == 128 && !s->type.is_signed;
}

/* Expressions made only of names, numbers and operators: evaluating them emits no
 * statements besides IR for run-time operands, creates no variable instances and
 * cannot leave the block, so they may be evaluated speculatively. */
static bool is_simple(const Expr *e)
{
    if (!e) return true;
    switch (e->kind) {
    case E_NUM: return true;
    case E_NAME: return e->sym && e->sym->kind != SYM_REG;
    case E_UNARY: case E_CAST: return is_simple(e->a);
    case E_BINARY: return e->op != T_ANDAND && e->op != T_OROR && is_simple(e->a) && is_simple(e->b);
    case E_SLICE: return is_simple(e->a) && is_simple(e->b) && is_simple(e->c);
    default: return false;
    }
}

static bool same_expr(const Expr *a, const Expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case E_NUM: return a->num == b->num && a->type.width == b->type.width;
    case E_NAME: return a->sym == b->sym;
    case E_INDEX: return a->sym == b->sym && same_expr(a->a, b->a);
    case E_UNARY: return a->op == b->op && same_expr(a->a, b->a);
    case E_BINARY: return a->op == b->op && same_expr(a->a, b->a) && same_expr(a->b, b->b);
    case E_CAST: return a->cast_to.width == b->cast_to.width && a->cast_to.is_signed == b->cast_to.is_signed &&
                        same_expr(a->a, b->a);
    default: return false;
    }
}

/* the same register entry, named by the same translation-time index expression */
static bool same_reg(const Expr *a, const Expr *b)
{
    if (a->kind != b->kind || a->sym != b->sym) return false;
    return a->kind == E_NAME || (is_simple(a->a) && same_expr(a->a, b->a));
}

/* `(uN) x` with x unsigned and at most 64 bits: the value is x zero-extended */
static const Expr *zext_operand(const Expr *e, int to)
{
    const Expr *x = NULL;
    if (e->kind == E_CAST && e->cast_to.kind == TY_INT && e->cast_to.width == to && !e->cast_to.is_signed) x = e->a;
    else if (e->kind == E_CALL && e->intrinsic == I_ZEXT && e->n == to && e->nargs == 1) x = e->args[0];
    if (!x || x->type.kind != TY_INT || x->type.width > 64) return NULL;
    if (x->type.is_signed) return NULL;     /* sign-extended or re-normalised first */
    return x;
}

/* Reads bits [lo, lo + width) of a 128-bit register as an unsigned width-bit value:
 * a 64-bit half when the field lies in one (lo is a C expression below 128). */
static TVal read_bits(TGen *g, const Expr *reg, const char *lo, int width)
{
    char *off = reg_offset(g, reg->sym, reg->kind == E_INDEX ? reg->a : NULL);
    Type t = ty_int(width, false);
    return tval(true, emit(g, "adl_read_bits128(b, %s, %s, %d, %s)", off, lo, width, ir_type(t)), t);
}

/* `(uN) R`, `(uN) (R >> k)` with N <= 64 and k translation time; false when e is not
 * that (k may turn out to be run time: nothing is emitted then) */
static bool tx_narrow_cast(TGen *g, const Expr *e, TVal *out)
{
    Type to = e->cast_to;
    if (to.kind != TY_INT || to.width > 64) return false;
    const Expr *x = e->a, *reg = x, *amt = NULL;
    if (x->kind == E_BINARY && x->op == T_SHR && is_simple(x->b)) {
        reg = x->a;
        amt = x->b;
    }
    if (!is_wide_reg(reg)) return false;
    const char *lo = "0";
    if (amt) {
        Buf scratch = { 0 };
        TVal k = tx_expr_into(g, amt, &scratch);
        if (k.rt) {
            buf_free(&scratch);
            return false;
        }
        splice(g, &scratch);
        lo = xasprintf("((uint64_t)(%s) & 127)", k.code);
    }
    *out = convert(g, read_bits(g, reg, lo, to.width), to);
    return true;
}

/* `R<hi:lo>` with constant bounds, at most 64 bits wide */
static bool tx_narrow_slice(TGen *g, const Expr *e, TVal *out)
{
    const Expr *loe = e->c ? e->c : e->b;
    if (!is_wide_reg(e->a) || loe->kind != E_NUM || (e->c && e->b->kind != E_NUM)) return false;
    if (e->slice_width > 64 || loe->num >= 128) return false;
    char *lo = xasprintf("%llu", (unsigned long long)loe->num);
    *out = convert(g, read_bits(g, e->a, lo, e->slice_width), norm_type(e->type));
    return true;
}

/* Writes of a 128-bit register that only need 64-bit halves:
 *   R = (u128) x                          (x unsigned, <= 64 bits): x and a zero half
 *   R = ((u128) a << 64) | (u128) c       (a, c <= 64 bits): two halves; c == (u64) R
 *                                          leaves the low half alone
 *   R = (R & keep) | ((u128) x << p)      (keep, p translation time): the halves that
 *                                          keep or the shifted x change */
static bool tx_narrow_write(TGen *g, const Expr *lhs, const Expr *rhs)
{
    if (!is_wide_reg(lhs) || rhs->type.kind != TY_INT || rhs->type.width != 128 || rhs->type.is_signed)
        return false;
    const Expr *idx = lhs->kind == E_INDEX ? lhs->a : NULL;
    const Expr *x = zext_operand(rhs, 128);
    if (x) {
        char *v = as_ir(g, convert(g, tx_expr(g, x), ty_int(64, false)));
        char *off = reg_offset(g, lhs->sym, idx);
        line(g, "adl_insert128(b, %s, ~(unsigned __int128)0, 0, %s, ~UINT64_C(0));", off, v);
        return true;
    }
    if (rhs->kind != E_BINARY || rhs->op != T_PIPE) return false;
    for (int order = 0; order < 2; order++) {
        const Expr *l = order ? rhs->b : rhs->a, *r = order ? rhs->a : rhs->b;
        /* r: a zero-extended value shifted left by a translation-time amount */
        if (r->kind != E_BINARY || r->op != T_SHL || !is_simple(r->b)) continue;
        const Expr *hx = zext_operand(r->a, 128);
        if (!hx) continue;
        const Expr *lx = zext_operand(l, 128);
        if (lx && r->b->kind == E_NUM && r->b->num == 64) {
            const Expr *lreg = (lx->kind == E_CAST && lx->cast_to.width == 64 && !lx->cast_to.is_signed)
                             ? lx->a : NULL;
            char *hv = as_ir(g, convert(g, tx_expr(g, hx), ty_int(64, false)));
            char *off = reg_offset(g, lhs->sym, idx);
            if (lreg && is_wide_reg(lreg) && same_reg(lreg, lhs)) {
                line(g, "adl_insert128(b, %s, ~(unsigned __int128)0 << 64, 64, %s, ~UINT64_C(0));", off, hv);
                return true;
            }
            char *lv = as_ir(g, convert(g, tx_expr(g, lx), ty_int(64, false)));
            line(g, "ir_write_reg(b, %s, %s);", off, lv);
            line(g, "ir_write_reg(b, %s + 8, %s);", off, hv);
            return true;
        }
        /* l: R & keep with R the destination and keep translation time */
        if (l->kind != E_BINARY || l->op != T_AMP || l->type.width != 128 || r->type.width != 128) continue;
        const Expr *la = l->a, *keep = l->b;
        if (!(is_wide_reg(la) && same_reg(la, lhs))) { la = l->b; keep = l->a; }
        if (!(is_wide_reg(la) && same_reg(la, lhs)) || !is_simple(keep)) continue;
        Buf scratch = { 0 };
        TVal k = tx_expr_into(g, keep, &scratch);
        TVal p = tx_expr_into(g, r->b, &scratch);
        if (k.rt || p.rt) {
            buf_free(&scratch);
            return false;
        }
        splice(g, &scratch);
        k = convert(g, k, ty_int(128, false));
        char *off = reg_offset(g, lhs->sym, idx);
        /* x & c with c translation time: x has no bits outside c */
        char *xmask = xstrdup("~UINT64_C(0)");
        if (hx->kind == E_BINARY && hx->op == T_AMP && hx->type.width <= 64) {
            for (int side = 0; side < 2; side++) {
                const Expr *c = side ? hx->a : hx->b;
                if (!is_simple(c)) continue;
                Buf cs = { 0 };
                TVal cv = tx_expr_into(g, c, &cs);
                if (cv.rt) { buf_free(&cs); continue; }
                splice(g, &cs);
                xmask = xasprintf("(uint64_t)(%s)", c_convert(cv.code, norm_type(c->type), ty_int(64, false)));
                break;
            }
        }
        char *v = as_ir(g, convert(g, tx_expr(g, hx), ty_int(64, false)));
        line(g, "adl_insert128(b, %s, ~(unsigned __int128)(%s), (unsigned)((uint64_t)(%s) & 127), %s, %s);", off,
             k.code, p.code, v, xmask);
        return true;
    }
    return false;
}

static TVal tx_expr(TGen *g, const Expr *e)
{
    Type t = norm_type(e->type);
    switch (e->kind) {
    case E_NUM:
        return tval(false, c_num(e), t);
    case E_STRING:
        return tval(false, xstrdup("0"), t);
    case E_NAME: {
        const Sym *s = e->sym;
        switch (s->kind) {
        case SYM_REG:
            if (s->is_pc) return tval(false, xstrdup("pc"), t);
            return read_reg(g, s, NULL);
        case SYM_MODE:
            return tval(false, load_storage(xasprintf("modes->%s", s->name), s->type), t);
        default: {
            TBind *b = lookup(g, s);
            if (!b) return tval(false, xstrdup("0"), t);
            if (b->inst < 0) return tval(false, xstrdup(b->cname), t);
            if (g->inst_local[b->inst]) return tval(true, emit(g, "ir_local_read(b, %s)", b->cname), t);
            return tval(g->inst_rt[b->inst], xstrdup(b->cname), t);
        }
        }
    }
    case E_INDEX:
        return read_reg(g, e->sym, e->a);
    case E_UNARY: {
        TVal a = tx_expr(g, e->a);
        if (!a.rt) return tval(false, c_op_unary(e, a.code), t);
        if (e->op == T_BANG) {
            if (a.type.width == 1) return tval(true, emit(g, "ir_xor(b, %s, %s)", a.code, ir_k(g, a.type, 1)), t);
            return tval(true, emit(g, "ir_cmp(b, IR_EQ, %s, %s)", a.code, ir_k(g, a.type, 0)), t);
        }
        if (e->op == T_MINUS) {
            if (t.width == 1) return a;     /* -x == x modulo 2 */
            return tval(true, ir_norm(g, emit(g, "ir_neg(b, %s)", a.code), t), t);
        }
        char *r = emit(g, "ir_not(b, %s)", a.code);
        return tval(true, t.is_signed ? r : ir_norm(g, r, t), t);
    }
    case E_BINARY: {
        if (e->op == T_ANDAND || e->op == T_OROR) return tx_conditional(g, e);
        TVal a = tx_expr(g, e->a);
        TVal b = tx_expr(g, e->b);
        a.type = norm_type(e->a->type);
        b.type = norm_type(e->b->type);
        if (!a.rt && !b.rt) return tval(false, c_op_binary(e, a.code, b.code), t);
        return tx_binary_rt(g, e, a, b);
    }
    case E_TERNARY:
        return tx_conditional(g, e);
    case E_CAST: {
        TVal narrow;
        if (tx_narrow_cast(g, e, &narrow)) return narrow;
        TVal a = tx_expr(g, e->a);
        a.type = norm_type(e->a->type);
        return convert(g, a, e->cast_to);
    }
    case E_SLICE: {
        TVal narrow;
        if (tx_narrow_slice(g, e, &narrow)) return narrow;
        TVal x = tx_expr(g, e->a);
        const Expr *loe = e->c ? e->c : e->b;
        TVal lo = tx_expr(g, loe);
        if (e->c) (void)tx_expr(g, e->b);
        if (lo.rt) {
            error_at(loe->loc, "bit slice bounds must be translation-time values");
            return tval(true, xstrdup("0"), t);
        }
        if (!x.rt) return tval(false, c_op_slice(e, x.code, lo.code), t);
        Type at = norm_type(e->a->type);
        char *v = x.code;
        if (!(loe->kind == E_NUM && loe->num == 0))
            v = emit(g, "ir_lshr(b, %s, %s)", v, ir_const_of(g, lo.code, at));
        int w = e->slice_width;
        if (ir_bits(w) < ir_bits(at.width))
            v = emit(g, "adl_ext(b, ADL_TRUNC, %s, %s, %s)", ir_type(t), ir_type(at), v);
        if (w < ir_bits(w)) v = emit(g, "ir_and(b, %s, %s)", v, ir_mask(g, t, w));
        return tval(true, v, t);
    }
    case E_CALL:
        return tx_call(g, e);
    }
    return tval(false, xstrdup("0"), t);
}

/* ---- statements ---------------------------------------------------------------------- */

static void declare_var(TGen *g, const Sym *var, TVal init, Type type, char *name)
{
    int inst = new_inst(g);
    if (init.rt) mark_rt(g, inst);
    if (g->inst_local[inst]) {
        line(g, "ir_local %s = ir_local_new(b, %s);", name, ir_type(type));
        line(g, "ir_local_write(b, %s, %s);", name, as_ir(g, init));
    } else if (g->inst_rt[inst]) {
        line(g, "ir_val %s __attribute__((unused)) = %s;", name, as_ir(g, init));
    } else {
        line(g, "%s %s __attribute__((unused)) = %s;", cval_type(type), name, init.rt ? "0" : init.code);
    }
    bind(g, var, name, inst);
}

static void assign_var(TGen *g, TBind *bnd, TVal v)
{
    int inst = bnd->inst;
    if (v.rt) mark_rt(g, inst);
    if (g->rt_depth > g->inst_depth[inst]) mark_local(g, inst);
    if (g->inst_local[inst]) line(g, "ir_local_write(b, %s, %s);", bnd->cname, as_ir(g, v));
    else if (g->inst_rt[inst]) line(g, "%s = %s;", bnd->cname, as_ir(g, v));
    else line(g, "%s = %s;", bnd->cname, v.rt ? "0" : v.code);
}

static void tx_if(TGen *g, const Stmt *st)
{
    TVal c = tx_expr(g, st->cond);
    if (!c.rt) {
        line(g, "if (%s) {", c_truth(c.code));
        g->indent++;
        tx_stmt(g, st->then_s);
        g->indent--;
        if (st->else_s) {
            line(g, "} else {");
            g->indent++;
            tx_stmt(g, st->else_s);
            g->indent--;
        }
        line(g, "}");
        return;
    }
    char *cv = ir_truth(g, c);
    int n = ++g->label;
    line(g, "{");
    g->indent++;
    /* A condition with a translation-time part (`host_has_fma() && FPSR...`) may fold to
     * a constant: the arm it never takes is not translated, since it may use what the
     * translation-time part rules out (ffma on a host without FMA). */
    line(g, "ir_val cc%d = %s;", n, cv);
    line(g, "uint64_t ck%d = 0;", n);
    line(g, "const int live%d = ir_value_is_const(b, cc%d, &ck%d) ? (ck%d ? 1 : 2) : 3;", n, n, n, n);
    cv = xasprintf("cc%d", n);
    line(g, "ir_label lt%d = ir_label_new(b), lj%d = ir_label_new(b);", n, n);
    if (st->else_s) {
        line(g, "ir_label lf%d = ir_label_new(b);", n);
        line(g, "bool fall%d = false;", n);
        line(g, "ir_cbr(b, %s, lt%d, lf%d);", cv, n, n);
    } else {
        line(g, "ir_cbr(b, %s, lt%d, lj%d);", cv, n, n);
    }
    line(g, "adl_bind(b, lt%d);", n);
    const char *saved_end = g->rt_end;
    g->rt_depth++;
    char *te = xasprintf("te%d", n);
    g->rt_end = te;
    line(g, "if (live%d & 1) {", n);
    g->indent++;
    tx_stmt(g, st->then_s);
    g->indent--;
    line(g, "}");
    if (st->else_s) line(g, "ir_br(b, lj%d); fall%d = true;", n, n);
    else line(g, "ir_br(b, lj%d);", n);
    line(g, "%s: __attribute__((unused));", te);
    if (st->else_s) {
        char *ee = xasprintf("ee%d", n);
        g->rt_end = ee;
        line(g, "adl_bind(b, lf%d);", n);
        line(g, "if (live%d & 2) {", n);
        g->indent++;
        tx_stmt(g, st->else_s);
        g->indent--;
        line(g, "}");
        line(g, "ir_br(b, lj%d); fall%d = true;", n, n);
        line(g, "%s: __attribute__((unused));", ee);
    }
    g->rt_depth--;
    g->rt_end = saved_end;
    if (st->else_s) {
        line(g, "if (!fall%d) {", n);
        g->indent++;
        /* inside a helper, paths may have ended by returning rather than by leaving */
        if (g->h_label && g->inst_local[g->h_flag]) line(g, "if (hj%d) goto hdead%d;", g->h_n, g->h_n);
        terminate(g);
        g->indent--;
        line(g, "}");
    }
    line(g, "adl_bind(b, lj%d);", n);
    g->indent--;
    line(g, "}");
}

static void tx_stmt(TGen *g, const Stmt *st)
{
    switch (st->kind) {
    case S_BLOCK: {
        int mark = g->nbind;
        line(g, "{");
        g->indent++;
        for (int i = 0; i < st->nstmts; i++) tx_stmt(g, st->stmts[i]);
        g->indent--;
        line(g, "}");
        g->nbind = mark;
        return;
    }
    case S_DECL: {
        TVal v = convert(g, tx_expr(g, st->expr), st->decl_type);
        char *name = xasprintf("v%d_%s", ++g->label, st->var->name);
        declare_var(g, st->var, v, st->decl_type, name);
        return;
    }
    case S_ASSIGN: {
        const Expr *lhs = st->lhs;
        if (tx_narrow_write(g, lhs, st->rhs)) return;
        TVal v = convert(g, tx_expr(g, st->rhs), norm_type(lhs->type));
        if (lhs->kind == E_NAME && lhs->sym->kind != SYM_REG) {
            TBind *bnd = lookup(g, lhs->sym);
            if (bnd && bnd->inst >= 0) assign_var(g, bnd, v);
            return;
        }
        char *off = reg_offset(g, lhs->sym, lhs->kind == E_INDEX ? lhs->a : NULL);
        line(g, "ir_write_reg(b, %s, %s);", off, as_ir(g, v));
        return;
    }
    case S_EXPR:
        (void)tx_expr(g, st->expr);
        return;
    case S_IF:
        tx_if(g, st);
        return;
    case S_FOR: {
        int mark = g->nbind;
        const Stmt *init = st->init;
        TVal iv = convert(g, tx_expr(g, init->expr), init->decl_type);
        if (iv.rt) error_at(init->expr->loc, "for loop bounds must be translation-time values");
        char *name = xasprintf("v%d_%s", ++g->label, init->var->name);
        bind(g, init->var, name, -1);
        Buf cb = { 0 }, sb = { 0 };
        TVal c = tx_expr_into(g, st->cond, &cb);
        TVal s = convert(g, tx_expr_into(g, st->step->rhs, &sb), init->decl_type);
        if (c.rt) error_at(st->cond->loc, "for loop bounds must be translation-time values");
        if (s.rt) error_at(st->step->loc, "for loop step must be a translation-time value");
        if (!c.rt && !s.rt && (cb.len || sb.len)) {
            error_at(st->loc, "for loop condition and step must be plain expressions (no memory, "
                     "register or helper with statements)");
        }
        buf_free(&cb);
        buf_free(&sb);
        line(g, "for (%s %s = %s; %s; %s = %s) {", cval_type(init->decl_type), name, iv.rt ? "0" : iv.code,
             c.rt ? "0" : c_truth(c.code), name, s.rt ? name : s.code);
        g->indent++;
        tx_stmt(g, st->body);
        g->indent--;
        line(g, "}");
        g->nbind = mark;
        return;
    }
    case S_RETURN: {
        if (st->expr && g->h_inst >= 0) {
            TVal v = convert(g, tx_expr(g, st->expr), g->h_type);
            TBind tmp = { NULL, xstrdup(g->h_ret), g->h_inst };
            assign_var(g, &tmp, v);
        }
        if (g->rt_depth > g->h_depth) {
            /* leave the run-time region; the IR continues after the helper expansion */
            mark_local(g, g->h_flag);
            line(g, "if (!hj%d) { hl%d = ir_label_new(b); hj%d = true; }", g->h_n, g->h_n, g->h_n);
            line(g, "ir_br(b, hl%d);", g->h_n);
            line(g, "goto %s;", g->rt_end);
            return;
        }
        line(g, "goto %s;", g->h_label);
        return;
    }
    case S_UNALLOCATED:
        return;
    case S_SWITCH: case S_CASE:    /* rewritten by sema */
        return;
    }
}

/* ---- driver -------------------------------------------------------------------------- */

/* Width changes go through adl_ext, which removes the chains that helper boundaries
 * create (trunc(zext(x)) -> x, zext(zext(x)) -> zext(x), the same extension twice -> the
 * first result). It only looks at values emitted for the current instruction since the
 * last label, so every value it returns dominates its use. */
static const char tr_runtime[] =
"enum { ADL_ZEXT, ADL_SEXT, ADL_TRUNC };\n"
"#define ADL_EXT_CACHE 16\n"
"static struct adl_ext_entry { ir_val r, x; ir_type to, from; int op; } adl_ext_cache[ADL_EXT_CACHE];\n"
"static unsigned adl_ext_count;\n"
"static inline void adl_ext_clear(void) { adl_ext_count = 0; }\n"
"static inline __attribute__((unused)) void adl_bind(ir_block *b, ir_label l)\n"
"{ adl_ext_clear(); ir_label_bind(b, l); }\n"
"static inline unsigned adl_ir_bits(ir_type t)\n"
"{ return t == IR_I1 ? 1 : t == IR_I8 ? 8 : t == IR_I16 ? 16 : t == IR_I32 ? 32 : t == IR_I64 ? 64 : 128; }\n"
"static __attribute__((unused)) ir_val adl_ext(ir_block *b, int op, ir_type to, ir_type from, ir_val x)\n"
"{\n"
"    const struct adl_ext_entry *def = 0;\n"
"    for (unsigned i = 0; i < adl_ext_count; i++) {\n"
"        const struct adl_ext_entry *e = &adl_ext_cache[i];\n"
"        if (e->op == op && e->to == to && e->x == x) return e->r;\n"
"        if (e->r == x) def = e;\n"
"    }\n"
"    if (def) {   /* x = def->op(def->x), def->from -> from */\n"
"        if (op == ADL_TRUNC) {\n"
"            if (def->op == ADL_TRUNC || adl_ir_bits(to) < adl_ir_bits(def->from))\n"
"                return adl_ext(b, ADL_TRUNC, to, def->from, def->x);\n"
"            if (to == def->from) return def->x;\n"
"            return adl_ext(b, def->op, to, def->from, def->x);\n"
"        }\n"
"        if (def->op == ADL_ZEXT && (op == ADL_ZEXT || op == ADL_SEXT))   /* top bit of x is 0 */\n"
"            return adl_ext(b, ADL_ZEXT, to, def->from, def->x);\n"
"        if (def->op == ADL_SEXT && op == ADL_SEXT) return adl_ext(b, ADL_SEXT, to, def->from, def->x);\n"
"    }\n"
"    ir_val r = op == ADL_ZEXT ? ir_zext(b, to, x) : op == ADL_SEXT ? ir_sext(b, to, x) : ir_trunc(b, to, x);\n"
"    struct adl_ext_entry *n = &adl_ext_cache[adl_ext_count < ADL_EXT_CACHE ? adl_ext_count++ : ADL_EXT_CACHE - 1];\n"
"    n->r = r; n->x = x; n->to = to; n->from = from; n->op = op;\n"
"    return r;\n"
"}\n\n"
"/* Narrow accesses to 128-bit registers (docs/adl.md, \"Narrow register accesses\"): the\n"
" * backend caches them as two 64-bit halves, so a 64-bit half is the unit to read and\n"
" * write; anything wider falls back to the whole 128-bit value. */\n"
"static __attribute__((unused)) ir_val adl_read_bits128(ir_block *b, uint32_t off, uint64_t lo, unsigned width, ir_type rt)\n"
"{\n"
"    unsigned rb = adl_ir_bits(rt), known;\n"
"    if (width > 128 - lo) width = (unsigned)(128 - lo);\n"
"    ir_val v;\n"
"    ir_type vt;\n"
"    if (lo / 64 == (lo + width - 1) / 64) {   /* inside one half */\n"
"        vt = IR_I64;\n"
"        v = ir_read_reg(b, IR_I64, off + (uint32_t)(lo / 64) * 8);\n"
"        if (lo % 64) v = ir_lshr(b, v, ir_const(b, IR_I64, lo % 64));\n"
"        known = (unsigned)(64 - lo % 64);\n"
"    } else {\n"
"        vt = IR_I128;\n"
"        v = ir_read_reg(b, IR_I128, off);\n"
"        if (lo) v = ir_lshr(b, v, ir_const128(b, lo, 0));\n"
"        known = (unsigned)(128 - lo);\n"
"    }\n"
"    if (adl_ir_bits(vt) > rb) v = adl_ext(b, ADL_TRUNC, rt, vt, v);\n"
"    else if (adl_ir_bits(vt) < rb) v = adl_ext(b, ADL_ZEXT, rt, vt, v);\n"
"    if (width < rb && width < known) v = ir_and(b, v, ir_const(b, rt, (UINT64_C(1) << width) - 1));\n"
"    return v;\n"
"}\n\n"
"/* half h of zext128(x) << p (x 64 bits, p < 128); 0 when that half is all zero */\n"
"static inline __attribute__((unused)) ir_val adl_shl_half(ir_block *b, ir_val x, unsigned p, int h)\n"
"{\n"
"    if (h == 0) return p >= 64 ? 0 : p ? ir_shl(b, x, ir_const(b, IR_I64, p)) : x;\n"
"    if (p == 0) return 0;\n"
"    if (p < 64) return ir_lshr(b, x, ir_const(b, IR_I64, 64 - p));\n"
"    return p == 64 ? x : ir_shl(b, x, ir_const(b, IR_I64, p - 64));\n"
"}\n\n"
"/* register = (register & ~m) | (zext128(x) << p), one 64-bit half at a time; x has no\n"
" * bits outside xmask. A half that m leaves alone and the shifted x does not reach is\n"
" * neither read nor written */\n"
"static __attribute__((unused)) void adl_insert128(ir_block *b, uint32_t off, unsigned __int128 m, unsigned p, ir_val x,\n"
"                                                  uint64_t xmask)\n"
"{\n"
"    for (int h = 0; h < 2; h++) {\n"
"        uint64_t mh = (uint64_t)(m >> (64 * h));\n"
"        bool reached = (uint64_t)(((unsigned __int128)xmask << p) >> (64 * h)) != 0;\n"
"        ir_val xs = reached ? adl_shl_half(b, x, p, h) : 0, v;\n"
"        if (mh == 0 && !xs) continue;\n"
"        if (mh == ~UINT64_C(0)) {\n"
"            v = xs ? xs : ir_const(b, IR_I64, 0);\n"
"        } else {\n"
"            v = ir_read_reg(b, IR_I64, off + 8 * (uint32_t)h);\n"
"            if (mh) v = ir_and(b, v, ir_const(b, IR_I64, ~mh));\n"
"            if (xs) v = ir_or(b, v, xs);\n"
"        }\n"
"        ir_write_reg(b, off + 8 * (uint32_t)h, v);\n"
"    }\n"
"}\n\n";

static void tx_insn(TGen *g, const Insn *in, Buf *out)
{
    const char *p = g->d->prefix;
    g->out = out;
    g->indent = 1;
    g->label = 0;
    g->nbind = 0;
    g->ninst = 0;
    g->rt_depth = 0;
    g->rt_end = NULL;
    g->h_label = NULL;
    g->h_inst = -1;
    g->h_depth = 0;
    g->h_flag = -1;
    g->h_n = 0;
    buf_printf(out, "static int tr_%s(ir_block *b, const struct %s_decoded *d, uint32_t insn, uint64_t pc%s)\n{\n",
               in->name, p, g->d->nmodes ? xasprintf(", const struct %s_modes *modes", p) : "");
    buf_puts(out, "    int ends __attribute__((unused)) = 0;\n");
    for (int i = 0; i < in->nfields; i++) {
        const Sym *f = in->fields[i];
        line(g, "const uint64_t f_%s __attribute__((unused)) = %s;", f->name,
             load_storage(xasprintf("d->u.%s.%s", in->name, f->name), f->type));
        bind(g, f, xasprintf("f_%s", f->name), -1);
    }
    for (int i = 0; i < in->nderived; i++) {
        const Sym *f = in->derived[i];
        line(g, "const %s g_%s __attribute__((unused)) = %s;", cval_type(f->type), f->name,
             load_storage(xasprintf("d->u.%s.%s", in->name, f->name), f->type));
        bind(g, f, xasprintf("g_%s", f->name), -1);
    }
    if (in->execute) tx_stmt(g, in->execute);
    if (in->has_branch) {
        line(g, "ir_exit_direct(b, pc + %llu);", (unsigned long long)insn_bytes(g));
        line(g, "return 1;");
    } else {
        line(g, "if (ends) {");
        line(g, "    ir_exit_direct(b, pc + %llu);", (unsigned long long)insn_bytes(g));
        line(g, "    return 1;");
        line(g, "}");
        line(g, "return 0;");
    }
    buf_puts(out, "}\n\n");
}

bool gen_translate(const Desc *d, const char *outdir)
{
    const char *p = d->prefix, *P = upper(d->prefix);
    Buf b = { 0 };
    buf_printf(&b, "/* Generated by adlc from the %s description: the translator. Do not edit. */\n",
               d->arch_name);
    buf_printf(&b, "#include \"%s_state.h\"\n#include \"%s_decode.h\"\n#include \"jit/ir/ir.h\"\n\n", p, p);
    emit_c_prelude(&b);
    buf_puts(&b, tr_runtime);
    emit_extern_protos(&b, d, false);
    buf_puts(&b, "\n");
    TGen g;
    memset(&g, 0, sizeof(g));
    g.d = d;
    for (int i = 0; i < d->ninsns; i++) {
        const Insn *in = d->insns[i];
        g.in = in;
        /* a variable only ever moves from translation time to run time (and to IR
         * local), so this terminates within two passes per variable */
        Buf body = { 0 };
        if (g.cap_inst) {
            memset(g.inst_rt, 0, (size_t)g.cap_inst * sizeof(bool));
            memset(g.inst_local, 0, (size_t)g.cap_inst * sizeof(bool));
        }
        for (int pass = 0; pass < 1000; pass++) {
            buf_free(&body);
            diag_capture_begin();
            g.changed = false;
            tx_insn(&g, in, &body);
            if (!g.changed) break;
        }
        diag_capture_end(true);
        buf_append(&b, body.data, body.len);
        buf_free(&body);
    }
    const char *modes_param = d->nmodes ? xasprintf(", const struct %s_modes *modes", p) : "";
    buf_printf(&b, "int %s_translate_insn(ir_block *b, uint32_t insn, uint64_t pc%s)\n{\n", p, modes_param);
    buf_printf(&b, "    struct %s_decoded d;\n", p);
    buf_puts(&b, "    adl_ext_clear();\n");
    buf_printf(&b, "    if (!%s_decode(insn, &d)) {\n        ir_exit_special(b, IR_EXIT_UNDEF, pc, insn);\n"
                   "        return 1;\n    }\n    switch (d.id) {\n", p);
    for (int i = 0; i < d->ninsns; i++)
        buf_printf(&b, "    case %s_INSN_%s: return tr_%s(b, &d, insn, pc%s);\n", P, d->insns[i]->name,
                   d->insns[i]->name, d->nmodes ? ", modes" : "");
    buf_puts(&b, "    default: break;\n    }\n    ir_exit_special(b, IR_EXIT_UNDEF, pc, insn);\n    return 1;\n}\n");
    bool ok = write_file(outdir, xasprintf("%s_translate.c", p), &b);
    buf_free(&b);
    free(g.inst_rt);
    free(g.inst_local);
    free(g.inst_depth);
    free(g.bind);
    return ok;
}
