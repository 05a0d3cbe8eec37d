/* adlc: C code for bodies that run entirely in C (decode blocks and constraints, disasm
 * blocks, the interpreter's execute blocks). Values live in uint64_t or unsigned
 * __int128 "containers", normalised for their ADL type; helpers are inlined as GNU
 * statement expressions so a helper's `return` is a jump to the end of its expansion. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "adl/adlc.h"

void cg_bind(CGen *g, const Sym *sym, const char *cname)
{
    CBinding b = { sym, cname };
    VEC_PUSH(g->bind, g->nbind, g->capbind, b);
}

const char *cg_lookup(CGen *g, const Sym *sym)
{
    for (int i = g->nbind - 1; i >= 0; i--)
        if (g->bind[i].sym == sym) return g->bind[i].cname;
    return "/* unbound */ 0";
}

void cg_indent(CGen *g)
{
    for (int i = 0; i < g->indent; i++) buf_puts(g->out, "    ");
}

static void line(CGen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(CGen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    cg_indent(g);
    buf_puts(g->out, s);
    buf_puts(g->out, "\n");
    free(s);
}

static const char *binop_c(TokKind k)
{
    switch (k) {
    case T_PLUS: return "+"; case T_MINUS: return "-"; case T_STAR: return "*";
    case T_AMP: return "&"; case T_PIPE: return "|"; case T_CARET: return "^";
    case T_LT: return "<"; case T_LE: return "<="; case T_GT: return ">"; case T_GE: return ">=";
    case T_EQ: return "=="; case T_NE: return "!=";
    default: return "?";
    }
}

/* container value of a stored field/register of type t */
char *load_storage(const char *x, Type t)
{
    if (t.width <= 64)
        return t.is_signed ? xasprintf("((uint64_t)(int64_t)%s)", x) : xasprintf("((uint64_t)%s)", x);
    return t.is_signed ? xasprintf("((unsigned __int128)(__int128)%s)", x)
                       : xasprintf("((unsigned __int128)%s)", x);
}

void cg_bind_fields(CGen *g, const Insn *in, const char *src)
{
    for (int i = 0; i < in->nfields; i++) {
        const Sym *f = in->fields[i];
        char *v = xasprintf("%s.%s", src, f->name);
        line(g, "const uint64_t f_%s __attribute__((unused)) = %s;", f->name, load_storage(v, f->type));
        cg_bind(g, f, xasprintf("f_%s", f->name));
    }
    for (int i = 0; i < in->nderived; i++) {
        const Sym *f = in->derived[i];
        char *v = xasprintf("%s.%s", src, f->name);
        line(g, "const %s g_%s __attribute__((unused)) = %s;", cval_type(f->type), f->name,
             load_storage(v, f->type));
        cg_bind(g, f, xasprintf("g_%s", f->name));
    }
}

static int insn_bytes(CGen *g) { return g->d->insn_bits / 8; }

static char *fault_stmt(CGen *g, const char *addr)
{
    return xasprintf("{ *info = %s; s->%s = pc; %sreturn IR_EXIT_DATA_ABORT; }", addr, g->d->pc->name,
                     g->undo ? "adl_undo_apply(&undo); " : "");
}

static char *align_fault_stmt(CGen *g, const char *addr, const char *write)
{
    return xasprintf("{ *info = %s; s->%s = pc; %sreturn (%s) ? IR_EXIT_ALIGNMENT_WRITE : IR_EXIT_ALIGNMENT; }",
                     addr, g->d->pc->name, g->undo ? "adl_undo_apply(&undo); " : "", write);
}

static char *undef_stmt(CGen *g)
{
    return xasprintf("{ s->%s = pc; *info = insn; %sreturn IR_EXIT_UNDEF; }", g->d->pc->name,
                     g->undo ? "adl_undo_apply(&undo); " : "");
}

/* index of a register-file access, checked against the file size when the index type
 * can exceed it (guest encodings are hostile: an out-of-range index is undefined) */
static char *reg_index(CGen *g, const Sym *r, const Expr *idx)
{
    char *x = cg_expr(g, idx);
    if (idx->kind == E_NUM) return xasprintf("%llu", (unsigned long long)idx->num);
    if (!idx->type.is_signed && idx->type.width < 31 && (1L << idx->type.width) <= r->count)
        return xasprintf("(size_t)(%s)", x);
    int n = ++g->label;
    return xasprintf("({ %s i%d = %s; if (i%d >= %d) %s (size_t)i%d; })", cval_type(idx->type), n, x,
                     n, r->count, undef_stmt(g), n);
}

static char *reg_lvalue(CGen *g, const Sym *r, const Expr *idx)
{
    if (!idx) return xasprintf("s->%s", r->name);
    return xasprintf("s->%s[%s]", r->name, reg_index(g, r, idx));
}

static char *truth(CGen *g, const Expr *e) { return c_truth(cg_expr(g, e)); }

static char *conv(CGen *g, const Expr *e, Type to) { return c_convert(cg_expr(g, e), e->type, to); }

static char *cg_helper_call(CGen *g, const Expr *e)
{
    const Func *f = e->sym->func;
    int n = ++g->label;
    Buf b = { 0 };
    Buf *saved_out = g->out;
    const char *saved_ret = g->ret_var, *saved_label = g->ret_label;
    Type saved_type = g->ret_type;
    int saved_nbind = g->nbind;
    int saved_indent = g->indent;

    buf_puts(&b, "({\n");
    g->out = &b;
    g->indent = saved_indent + 1;
    char *rv = xasprintf("r%d", n);
    char *rl = xasprintf("hend%d", n);
    if (f->ret.kind == TY_INT) line(g, "%s %s = 0;", cval_type(f->ret), rv);
    /* arguments are evaluated in the caller's bindings, then bound to fresh names */
    char **args = xalloc(sizeof(char *) * (size_t)(f->nparams + 1));
    for (int i = 0; i < f->nparams && i < e->nargs; i++) args[i] = conv(g, e->args[i], f->params[i]->type);
    for (int i = 0; i < f->nparams && i < e->nargs; i++) {
        char *pn = xasprintf("p%d_%s", n, f->params[i]->name);
        line(g, "%s %s __attribute__((unused)) = %s;", cval_type(f->params[i]->type), pn, args[i]);
        cg_bind(g, f->params[i], pn);
    }
    g->ret_var = rv;
    g->ret_label = rl;
    g->ret_type = f->ret;
    cg_stmt(g, f->body);
    line(g, "%s: __attribute__((unused));", rl);
    if (f->ret.kind == TY_INT) line(g, "%s;", rv);
    else line(g, "(void)0;");
    g->indent = saved_indent;
    cg_indent(g);
    buf_puts(&b, "})");
    g->out = saved_out;
    g->ret_var = saved_ret;
    g->ret_label = saved_label;
    g->ret_type = saved_type;
    g->nbind = saved_nbind;
    return buf_take(&b);
}

static const char *print_cast(int conv, int len)
{
    bool sgn = conv == 'd' || conv == 'i' || conv == 'c';
    if (len == 'l') return sgn ? "(long)(int64_t)" : "(unsigned long)";
    if (len == 'L') return sgn ? "(long long)(int64_t)" : "(unsigned long long)";
    return sgn ? "(int)(int64_t)" : "(unsigned)";
}

static char *cg_print(CGen *g, const Expr *e)
{
    Buf b = { 0 };
    const char *f = e->args[0]->str;
    buf_printf(&b, "adl_print(buf, size, &pos, %s", c_string(f));
    size_t i = 0;
    int len = 0, arg = 1, conv_ch;
    bool bad = false;
    while ((conv_ch = fmt_next(f, &i, &len, &bad)) != 0 && arg < e->nargs) {
        const Expr *a = e->args[arg++];
        if (conv_ch == 's') {
            if (a->kind == E_STRING) buf_printf(&b, ", %s", c_string(a->str));
            else buf_printf(&b, ", %s", cg_expr(g, a));
        } else {
            buf_printf(&b, ", %s(%s)", print_cast(conv_ch, len), cg_expr(g, a));
        }
    }
    buf_puts(&b, ")");
    return buf_take(&b);
}

static char *cg_mem(CGen *g, const Expr *e)
{
    int n = ++g->label;
    int bits = e->n;
    const char *vt = bits > 64 ? "unsigned __int128" : "uint64_t";
    char *addr = conv(g, e->args[0], ty_int(64, false));
    char *av = xasprintf("a%d", n);
    switch (e->intrinsic) {
    case I_MEM_READ: case I_MEM_READ_EXCL:
        return xasprintf("({ uint64_t a%d = %s; %s v%d; if (!adl_ld%d(m, a%d, &v%d, %d)) %s %s v%d; })",
                         n, addr, vt, n, bits, n, n, (e->mem_flags & ADL_MEM_UNPRIV) != 0, fault_stmt(g, av),
                         e->intrinsic == I_MEM_READ_EXCL
                             ? xasprintf("adl_excl_addr = a%d; adl_excl_valid = true;", n) : "",
                         n);
    case I_MEM_WRITE:
        return xasprintf("({ uint64_t a%d = %s; %s v%d = %s; if (!adl_st%d(m, a%d, v%d, %d)) %s (void)0; })",
                         n, addr, vt, n, conv(g, e->args[1], ty_int(bits, false)), bits, n, n,
                         (e->mem_flags & ADL_MEM_UNPRIV) != 0, fault_stmt(g, av));
    default: /* I_MEM_WRITE_EXCL */
        return xasprintf("({ uint64_t a%d = %s; %s v%d = %s; uint64_t x%d = 1; "
                         "if (adl_excl_valid && adl_excl_addr == a%d) { if (!adl_st%d(m, a%d, v%d, 0)) %s x%d = 0; } "
                         "adl_excl_valid = false; x%d; })",
                         n, addr, vt, n, conv(g, e->args[1], ty_int(bits, false)), n, n, bits, n, n,
                         fault_stmt(g, av), n, n);
    }
}

/* Pure intrinsics on C containers; args are the operands' values in their own types. */
char *c_op_intrinsic(const Expr *e, char **args)
{
    Expr *const *a = e->args;
    int w = e->type.kind == TY_INT ? e->type.width : 64;
    switch (e->intrinsic) {
    case I_ADD_CARRY: case I_ADD_OVERFLOW: case I_ADC: {
        Type t = e->cast_to;
        char *x = c_convert(args[0], a[0]->type, t), *y = c_convert(args[1], a[1]->type, t);
        char *c = c_convert(args[2], a[2]->type, ty_int(1, false));
        if (e->intrinsic == I_ADC)
            return c_normalize(xasprintf("(%s) + (%s) + (%s)", x, y, c), t);
        return xasprintf("adl_%s64(%s, %s, %s, %d)", e->intrinsic == I_ADD_CARRY ? "add_carry" : "add_overflow",
                         x, y, c, t.width);
    }
    case I_CLZ: case I_CTZ: case I_POPCOUNT: {
        const char *fn = e->intrinsic == I_CLZ ? "clz" : e->intrinsic == I_CTZ ? "ctz" : "popcount";
        return xasprintf("adl_%s64(%s, %d)", fn, args[0], w);
    }
    case I_BSWAP: case I_RBIT: {
        char *r = xasprintf("adl_%s64(%s, %d)", e->intrinsic == I_BSWAP ? "bswap" : "rbit", args[0], w);
        return e->type.is_signed ? c_normalize(r, e->type) : r;
    }
    case I_ROR: {
        char *amt = args[1];
        if (a[1]->type.width > 64) amt = xasprintf("(uint64_t)(%s)", amt);
        char *r = xasprintf("adl_ror64(%s, %s, %d)", args[0], amt, w);
        return e->type.is_signed ? c_normalize(r, e->type) : r;
    }
    case I_MULH: {
        Type t = e->cast_to;
        return c_normalize(xasprintf("adl_mulh64(%s, %s, %d, %d)", c_convert(args[0], a[0]->type, t),
                                     c_convert(args[1], a[1]->type, t), t.width, t.is_signed), t);
    }
    case I_FADD: case I_FSUB: case I_FMUL: case I_FDIV: {
        const char *fn = e->intrinsic == I_FADD ? "fadd" : e->intrinsic == I_FSUB ? "fsub" :
                         e->intrinsic == I_FMUL ? "fmul" : "fdiv";
        Type t = e->type;
        return xasprintf("adl_%s%d(%s, %s)", fn, t.width, c_convert(args[0], a[0]->type, t),
                         c_convert(args[1], a[1]->type, t));
    }
    case I_FFMA: {
        Type t = e->type;
        return xasprintf("adl_ffma%d(%s, %s, %s)", t.width, c_convert(args[0], a[0]->type, t),
                         c_convert(args[1], a[1]->type, t), c_convert(args[2], a[2]->type, t));
    }
    case I_HOST_HAS_FMA:
        return xasprintf("adl_host_has_fma()");
    case I_SEXT: {
        Type from = a[0]->type;
        /* reinterpret the operand's top bit as a sign, then widen */
        Type sfrom = ty_int(from.width, true);
        char *x = args[0];
        if (!from.is_signed) x = c_normalize(x, sfrom);
        return c_convert(x, sfrom, e->type);
    }
    case I_ZEXT: {
        Type from = a[0]->type;
        Type ufrom = ty_int(from.width, false);
        char *x = args[0];
        if (from.is_signed) x = c_normalize(x, ufrom);
        return c_convert(x, ufrom, e->type);
    }
    default:
        return xstrdup("0");
    }
}

static char *cg_intrinsic(CGen *g, const Expr *e)
{
    Expr *const *a = e->args;
    int bytes = insn_bytes(g);
    const char *pcn = g->d->pc->name;
    switch (e->intrinsic) {
    case I_PRINT: return cg_print(g, e);
    case I_BRANCH:
        return xasprintf("({ s->%s = %s; return 0; })", pcn, conv(g, a[0], ty_int(64, false)));
    case I_UNDEFINED:
        return xasprintf("({ %s (void)0; })", undef_stmt(g));
    case I_EXIT_SYSCALL: case I_EXIT_HVC: case I_EXIT_SMC: case I_EXIT_BREAKPOINT: {
        const char *kind = e->intrinsic == I_EXIT_SYSCALL ? "IR_EXIT_SYSCALL"
                         : e->intrinsic == I_EXIT_HVC ? "IR_EXIT_HVC"
                         : e->intrinsic == I_EXIT_SMC ? "IR_EXIT_SMC" : "IR_EXIT_BREAKPOINT";
        int next = e->intrinsic == I_EXIT_BREAKPOINT ? 0 : bytes;
        return xasprintf("({ *info = %s; s->%s = pc + %d; return %s; })",
                         conv(g, a[0], ty_int(64, false)), pcn, next, kind);
    }
    case I_EXIT_WFI:
        return xasprintf("({ *info = 0; s->%s = pc + %d; return IR_EXIT_WFI; })", pcn, bytes);
    case I_EXIT_INVALIDATE_CODE:
        return xasprintf("({ *info = %s; s->%s = pc + %d; return IR_EXIT_INVALIDATE_CODE; })",
                         conv(g, a[0], ty_int(64, false)), pcn, bytes);
    case I_MEM_READ: case I_MEM_WRITE: case I_MEM_READ_EXCL: case I_MEM_WRITE_EXCL:
        return cg_mem(g, e);
    case I_CHECK_ALIGNMENT: {
        int n = ++g->label;
        char *av = xasprintf("a%d", n);
        return xasprintf("({ uint64_t a%d = %s; if ((a%d & %d) != 0) %s (void)0; })", n,
                         conv(g, a[0], ty_int(64, false)), n, e->n / 8 - 1,
                         align_fault_stmt(g, av, conv(g, a[1], ty_int(1, false))));
    }
    case I_CHECK_SP_ALIGNMENT:
        return xasprintf("({ if ((%s & 15) != 0) { *info = 0; s->%s = pc; %sreturn IR_EXIT_SP_ALIGNMENT; } (void)0; })",
                         conv(g, a[0], ty_int(64, false)), pcn, g->undo ? "adl_undo_apply(&undo); " : "");
    case I_CLEAR_EXCL: return xstrdup("((void)(adl_excl_valid = false))");
    case I_BARRIER: return xstrdup("((void)0)");
    default: {
        char *args[3] = { NULL, NULL, NULL };
        for (int i = 0; i < e->nargs && i < 3; i++) args[i] = cg_expr(g, a[i]);
        return c_op_intrinsic(e, args);
    }
    }
}

static char *cg_call(CGen *g, const Expr *e)
{
    if (e->intrinsic != I_NONE) return cg_intrinsic(g, e);
    const Func *f = e->sym->func;
    if (!f->is_extern) return cg_helper_call(g, e);
    Buf b = { 0 };
    buf_printf(&b, "%s(", f->name);
    bool first = true;
    if (!f->is_disasm) { buf_puts(&b, "s"); first = false; }
    for (int i = 0; i < e->nargs && i < f->nparams; i++) {
        if (!first) buf_puts(&b, ", ");
        buf_printf(&b, "(%s)%s", storage_ctype(f->params[i]->type), conv(g, e->args[i], f->params[i]->type));
        first = false;
    }
    buf_puts(&b, ")");
    char *call = buf_take(&b);
    if (g->mode == CM_INTERP && f->has_touches) {
        /* when tracing, the registers the helper may have updated follow it (the JIT's
         * ir_call_touching does the same): written where their value changed */
        Buf t = { 0 };
        for (int i = 0; i < f->ntouches; i++)
            buf_printf(&t, " if (ADL_TRACING(m)) adl_trace_changed(m->trace, s, &s->%s, sizeof(s->%s), (uint64_t)s->%s);",
                       f->touch_regs[i]->name, f->touch_regs[i]->name, f->touch_regs[i]->name);
        char *after = buf_take(&t);
        if (f->ret.kind == TY_INT)
            return load_storage(xasprintf("({ %s r_ = %s;%s r_; })", cval_type(f->ret), call, after), f->ret);
        return xasprintf("({ %s;%s })", call, after);
    }
    if (f->ret.kind == TY_INT) return load_storage(xasprintf("(%s)", call), f->ret);
    return call;
}

char *c_num(const Expr *e)
{
    Type t = e->type;
    if (t.kind != TY_INT) t = ty_int(64, false);
    u128 v = e->num & width_mask(t.width);
    if (t.is_signed && t.width < 128 && ((v >> (t.width - 1)) & 1)) v |= ~width_mask(t.width);
    return c_const(v, cval_bits(t));
}

char *c_op_unary(const Expr *e, const char *a)
{
    Type t = e->type;
    if (e->op == T_BANG) return xasprintf("((uint64_t)((%s) == 0))", a);
    if (e->op == T_MINUS) return c_normalize(xasprintf("(0 - (%s))", a), t);
    char *r = xasprintf("(~(%s))", a);
    return t.is_signed ? r : c_normalize(r, t);
}

char *c_op_binary(const Expr *e, const char *ra, const char *rb)
{
    Type t = e->type;
    TokKind op = e->op;
    if (op == T_ANDAND || op == T_OROR)
        return xasprintf("((uint64_t)(%s %s %s))", c_truth(ra), op == T_ANDAND ? "&&" : "||", c_truth(rb));
    if (op == T_EQ || op == T_NE || op == T_LT || op == T_LE || op == T_GT || op == T_GE) {
        Type ot = e->cast_to;
        if (ot.kind != TY_INT) ot = ty_int(64, false);
        char *a = c_convert(ra, e->a->type, ot), *b = c_convert(rb, e->b->type, ot);
        if (ot.is_signed && op != T_EQ && op != T_NE) {
            const char *st = ot.width > 64 ? "__int128" : "int64_t";
            return xasprintf("((uint64_t)((%s)(%s) %s (%s)(%s)))", st, a, binop_c(op), st, b);
        }
        return xasprintf("((uint64_t)((%s) %s (%s)))", a, binop_c(op), b);
    }
    if (op == T_SHL || op == T_SHR) {
        char *amt = xstrdup(rb);
        if (e->b->type.width > 64) amt = xasprintf("(uint64_t)(%s)", amt);
        if ((t.width & (t.width - 1)) == 0) amt = xasprintf("((%s) & %d)", amt, t.width - 1);
        else amt = xasprintf("((%s) %% %d)", amt, t.width);
        if (op == T_SHL) return c_normalize(xasprintf("(%s) << %s", ra, amt), t);
        if (!t.is_signed) return xasprintf("((%s) >> %s)", ra, amt);
        const char *st = t.width > 64 ? "__int128" : "int64_t";
        return xasprintf("((%s)((%s)(%s) >> %s))", cval_type(t), st, ra, amt);
    }
    char *a = c_convert(ra, e->a->type, t), *b = c_convert(rb, e->b->type, t);
    int bits = cval_bits(t);
    switch (op) {
    case T_SLASH:
        return c_normalize(xasprintf("adl_%cdiv%d(%s, %s)", t.is_signed ? 's' : 'u', bits, a, b), t);
    case T_PERCENT:
        return c_normalize(xasprintf("adl_%crem%d(%s, %s)", t.is_signed ? 's' : 'u', bits, a, b), t);
    case T_AMP: case T_PIPE: case T_CARET:
        return xasprintf("((%s) %s (%s))", a, binop_c(op), b);
    default:
        return c_normalize(xasprintf("(%s) %s (%s)", a, binop_c(op), b), t);
    }
}

char *c_op_ternary(const Expr *e, const char *c, const char *a, const char *b)
{
    return xasprintf("(%s ? %s : %s)", c_truth(c), c_convert(a, e->b->type, e->type),
                     c_convert(b, e->c->type, e->type));
}

char *c_op_slice(const Expr *e, const char *x, const char *lo_raw)
{
    const Expr *lo = e->c ? e->c : e->b;
    char *l = xstrdup(lo_raw);
    if (lo->type.width > 64) l = xasprintf("(uint64_t)(%s)", l);
    int ab = cval_bits(e->a->type);
    char *sh = xasprintf("adl_lshr%d(%s, %s)", ab, x, l);
    if (ab == 128 && e->slice_width <= 64) sh = xasprintf("((uint64_t)%s)", sh);
    return c_normalize(sh, ty_int(e->slice_width, false));
}

char *cg_expr(CGen *g, const Expr *e)
{
    Type t = e->type;
    if (t.kind == TY_UNTYPED) t = ty_int(64, false);
    switch (e->kind) {
    case E_NUM:
        return c_num(e);
    case E_STRING:
        return c_string(e->str);
    case E_NAME: {
        const Sym *s = e->sym;
        switch (s->kind) {
        case SYM_REG:
            if (s->is_pc) return xstrdup("pc");
            return load_storage(reg_lvalue(g, s, NULL), s->type);
        case SYM_MODE:
            return load_storage(xasprintf("s->%s", s->name), s->type);
        default:
            return xstrdup(cg_lookup(g, s));
        }
    }
    case E_INDEX:
        return load_storage(reg_lvalue(g, e->sym, e->a), e->sym->type);
    case E_UNARY:
        return c_op_unary(e, cg_expr(g, e->a));
    case E_BINARY:
        return c_op_binary(e, cg_expr(g, e->a), cg_expr(g, e->b));
    case E_TERNARY:
        return c_op_ternary(e, cg_expr(g, e->a), cg_expr(g, e->b), cg_expr(g, e->c));
    case E_CAST:
        return c_convert(cg_expr(g, e->a), e->a->type, e->cast_to);
    case E_SLICE:
        return c_op_slice(e, cg_expr(g, e->a), cg_expr(g, e->c ? e->c : e->b));
    case E_CALL:
        return cg_call(g, e);
    }
    return xstrdup("0");
}

static void cg_assign(CGen *g, const Stmt *st)
{
    const Expr *lhs = st->lhs;
    char *v = conv(g, st->rhs, lhs->type);
    if (lhs->kind == E_NAME && lhs->sym->kind != SYM_REG) {
        line(g, "%s = %s;", cg_lookup(g, lhs->sym), v);
        return;
    }
    const Sym *r = lhs->sym;
    int n = ++g->label;
    line(g, "{");
    g->indent++;
    line(g, "%s w%d = %s;", cval_type(lhs->type), n, v);
    char *lv = reg_lvalue(g, r, lhs->kind == E_INDEX ? lhs->a : NULL);
    if (lhs->kind == E_INDEX) {
        line(g, "%s *rp%d = &%s;", storage_ctype(r->type), n, lv);
        lv = xasprintf("(*rp%d)", n);
    }
    if (g->undo) line(g, "adl_undo_save(&undo, &%s, sizeof(%s));", lv, lv);
    line(g, "%s = (%s)w%d;", lv, storage_ctype(r->type), n);
    if (g->mode == CM_INTERP && !r->is_pc)
        line(g, "if (ADL_TRACING(m)) adl_trace_reg(m->trace, s, &%s, sizeof(%s), (unsigned __int128)%s);", lv, lv, lv);
    g->indent--;
    line(g, "}");
}

void cg_stmt(CGen *g, const Stmt *st)
{
    switch (st->kind) {
    case S_BLOCK: {
        int mark = g->nbind;
        line(g, "{");
        g->indent++;
        for (int i = 0; i < st->nstmts; i++) cg_stmt(g, st->stmts[i]);
        g->indent--;
        line(g, "}");
        g->nbind = mark;
        return;
    }
    case S_DECL: {
        char *v = conv(g, st->expr, st->decl_type);
        char *name = st->var->kind == SYM_DERIVED ? xasprintf("g_%s", st->var->name)
                                                  : xasprintf("v%d_%s", ++g->label, st->var->name);
        line(g, "%s %s __attribute__((unused)) = %s;", cval_type(st->decl_type), name, v);
        cg_bind(g, st->var, name);
        return;
    }
    case S_ASSIGN:
        cg_assign(g, st);
        return;
    case S_EXPR: {
        char *x = cg_expr(g, st->expr);
        if (st->expr->type.kind == TY_INT) line(g, "(void)%s;", x);
        else line(g, "%s;", x);
        return;
    }
    case S_IF:
        line(g, "if (%s) {", truth(g, st->cond));
        g->indent++;
        cg_stmt(g, st->then_s);
        g->indent--;
        if (st->else_s) {
            line(g, "} else {");
            g->indent++;
            cg_stmt(g, st->else_s);
            g->indent--;
        }
        line(g, "}");
        return;
    case S_FOR: {
        int mark = g->nbind;
        const Stmt *init = st->init;
        char *name = xasprintf("v%d_%s", ++g->label, init->var->name);
        char *iv = conv(g, init->expr, init->decl_type);
        cg_bind(g, init->var, name);
        char *step = conv(g, st->step->rhs, init->decl_type);
        line(g, "for (%s %s = %s; %s; %s = %s) {", cval_type(init->decl_type), name, iv,
             truth(g, st->cond), name, step);
        g->indent++;
        cg_stmt(g, st->body);
        g->indent--;
        line(g, "}");
        g->nbind = mark;
        return;
    }
    case S_RETURN:
        if (st->expr) line(g, "{ %s = %s; goto %s; }", g->ret_var, conv(g, st->expr, g->ret_type), g->ret_label);
        else line(g, "goto %s;", g->ret_label);
        return;
    case S_UNALLOCATED:
        line(g, "return false;");
        return;
    case S_SWITCH: case S_CASE:    /* rewritten by sema */
        return;
    }
}
