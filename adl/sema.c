/* adlc semantic analysis: name resolution, types (uN/sN with untyped literals that take
 * the type of their context), the context rules of each kind of body (decode, disasm,
 * execute, helper), helper recursion, and the effect summaries the generators use. */
#include <stdlib.h>
#include <string.h>
#include "adl/adlc.h"

typedef enum Ctx { CTX_WHEN, CTX_DECODE, CTX_DISASM, CTX_EXECUTE, CTX_HELPER } Ctx;

typedef struct Sema {
    Desc *d;
    Ctx ctx;
    Func *func;            /* helper being checked */
    Insn *insn;            /* instruction being checked */
    Sym **scope;           /* visible local names, innermost last */
    int nscope, capscope;
    int *marks;            /* scope start indices */
    int nmarks, capmarks;
    int block_depth;       /* 0 = the body's outermost block */
    int *nvars;            /* id counter of the current body */
    bool in_for_step;
    Func **callees;        /* helpers called by the helper being checked */
    int ncallees, capcallees;
    /* effect flags of the current body */
    bool uses_state, has_branch, has_mem, has_reg_write, reads_pc, has_side;
} Sema;

static const char *ctx_name(Ctx c)
{
    switch (c) {
    case CTX_WHEN: return "a 'when' constraint";
    case CTX_DECODE: return "a decode block";
    case CTX_DISASM: return "a disasm block";
    case CTX_EXECUTE: return "an execute block";
    case CTX_HELPER: return "a helper";
    }
    return "?";
}

const char *type_str(Type t)
{
    static char ring[8][16];
    static int k;
    char *b = ring[k++ & 7];
    switch (t.kind) {
    case TY_INT: snprintf(b, 16, "%c%d", t.is_signed ? 's' : 'u', t.width); return b;
    case TY_UNTYPED: return "integer literal";
    case TY_VOID: return "void";
    case TY_STRING: return "string";
    default: return "<error>";
    }
}

u128 width_mask(int w) { return w >= 128 ? ~(u128)0 : (((u128)1 << w) - 1); }

/* ---- scopes ------------------------------------------------------------------------- */

static void push_scope(Sema *s) { VEC_PUSH(s->marks, s->nmarks, s->capmarks, s->nscope); }
static void pop_scope(Sema *s) { s->nscope = s->marks[--s->nmarks]; }

static Sym *lookup_local(Sema *s, const char *name)
{
    for (int i = s->nscope - 1; i >= 0; i--)
        if (strcmp(s->scope[i]->name, name) == 0) return s->scope[i];
    return NULL;
}

static Sym *lookup_global(Desc *d, const char *name)
{
    for (int i = 0; i < d->nregs; i++)
        if (strcmp(d->regs[i]->name, name) == 0) return d->regs[i];
    for (int i = 0; i < d->nmodes; i++)
        if (strcmp(d->modes[i]->name, name) == 0) return d->modes[i];
    return NULL;
}

static Func *lookup_func(Desc *d, const char *name)
{
    for (int i = 0; i < d->nfuncs; i++)
        if (strcmp(d->funcs[i]->name, name) == 0) return d->funcs[i];
    return NULL;
}

static Sym *lookup(Sema *s, const char *name)
{
    Sym *r = lookup_local(s, name);
    if (!r) r = lookup_global(s->d, name);
    /* `pc` names the program counter whatever the register is called */
    if (!r && strcmp(name, "pc") == 0) r = s->d->pc;
    return r;
}

static void declare(Sema *s, Sym *sym)
{
    Sym *old = lookup(s, sym->name);
    if (old) {
        error_at(sym->loc, "'%s' is already declared at %s:%d:%d", sym->name,
                 old->loc.file, old->loc.line, old->loc.col);
    } else if (lookup_func(s->d, sym->name)) {
        error_at(sym->loc, "'%s' is already declared as a function", sym->name);
    }
    VEC_PUSH(s->scope, s->nscope, s->capscope, sym);
}

/* ---- constants ---------------------------------------------------------------------- */

/* Compile-time value of e (numbers and operators on them), masked to e's width. */
static bool const_eval(const Expr *e, u128 *out)
{
    u128 a, b;
    switch (e->kind) {
    case E_NUM: *out = e->num; break;
    case E_CAST:
        if (!const_eval(e->a, &a)) return false;
        *out = a;
        break;
    case E_UNARY:
        if (!const_eval(e->a, &a)) return false;
        if (e->op == T_MINUS) *out = -a;
        else if (e->op == T_TILDE) *out = ~a;
        else *out = a == 0;
        break;
    case E_BINARY:
        if (!const_eval(e->a, &a) || !const_eval(e->b, &b)) return false;
        switch (e->op) {
        case T_PLUS: *out = a + b; break;
        case T_MINUS: *out = a - b; break;
        case T_STAR: *out = a * b; break;
        case T_AMP: *out = a & b; break;
        case T_PIPE: *out = a | b; break;
        case T_CARET: *out = a ^ b; break;
        case T_SHL: *out = b >= 128 ? 0 : a << b; break;
        case T_SHR: *out = b >= 128 ? 0 : a >> b; break;
        case T_SLASH: *out = b ? a / b : 0; break;
        default: return false;
        }
        break;
    default:
        return false;
    }
    if (e->type.kind == TY_INT) {
        *out &= width_mask(e->type.width);
        if (e->type.is_signed && e->type.width < 128 && ((*out >> (e->type.width - 1)) & 1))
            *out |= ~width_mask(e->type.width);
    }
    return true;
}

static bool const_small(const Expr *e, long *out)
{
    u128 v;
    if (!const_eval(e, &v)) return false;
    if (e->type.kind == TY_INT && e->type.is_signed && (v >> 127)) { *out = -1; return true; }
    *out = v > 100000 ? 100000 : (long)v;
    return true;
}

static bool expr_equal(const Expr *a, const Expr *b)
{
    if (!a || !b) return a == b;
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case E_NUM: return a->num == b->num;
    case E_NAME: return a->sym && a->sym == b->sym;
    case E_UNARY: return a->op == b->op && expr_equal(a->a, b->a);
    case E_BINARY: return a->op == b->op && expr_equal(a->a, b->a) && expr_equal(a->b, b->b);
    default: return false;
    }
}

/* ---- expressions -------------------------------------------------------------------- */

static void check_expr(Sema *s, Expr *e);

static bool is_int(Type t) { return t.kind == TY_INT || t.kind == TY_UNTYPED; }

/* Gives an untyped (literal-only) expression the type t, checking literals fit. */
static void coerce(Sema *s, Expr *e, Type t)
{
    if (e->type.kind != TY_UNTYPED || t.kind != TY_INT) return;
    e->type = t;
    switch (e->kind) {
    case E_NUM:
        if (t.width < 128 && (e->num >> t.width) != 0)
            error_at(e->loc, "literal does not fit in %s", type_str(t));
        break;
    case E_UNARY:
        coerce(s, e->a, t);
        break;
    case E_BINARY:
        if (e->op == T_SHL || e->op == T_SHR) {
            coerce(s, e->a, t);
            long amt;
            if (const_small(e->b, &amt) && (amt < 0 || amt >= t.width))
                error_at(e->b->loc, "shift amount %ld is not less than the width of %s "
                         "(extend the operand first, e.g. zext<64>(x) << n)", amt, type_str(t));
        } else {
            coerce(s, e->a, t);
            coerce(s, e->b, t);
        }
        break;
    case E_TERNARY:
        coerce(s, e->b, t);
        coerce(s, e->c, t);
        break;
    default:
        break;
    }
}

/* Untyped expression in a context without a type: u64, or u128 if it needs it. */
static void default_type(Sema *s, Expr *e)
{
    if (e->type.kind != TY_UNTYPED) return;
    u128 v;
    if (const_eval(e, &v) && (v >> 64) != 0) coerce(s, e, ty_int(128, false));
    else coerce(s, e, ty_int(64, false));
}

static bool need_int(Sema *s, Expr *e, const char *what)
{
    if (e->type.kind == TY_ERROR) return false;
    if (!is_int(e->type)) {
        error_at(e->loc, "%s must be an integer, not %s", what, type_str(e->type));
        return false;
    }
    return true;
}

/* Usual conversions of two operands; returns their common type. */
static Type unify(Sema *s, Expr *a, Expr *b)
{
    if (a->type.kind == TY_UNTYPED && b->type.kind == TY_UNTYPED) return ty_kind(TY_UNTYPED);
    if (a->type.kind == TY_UNTYPED) { coerce(s, a, b->type); return b->type; }
    if (b->type.kind == TY_UNTYPED) { coerce(s, b, a->type); return a->type; }
    int w = a->type.width > b->type.width ? a->type.width : b->type.width;
    return ty_int(w, a->type.is_signed && b->type.is_signed);
}

static void note_call(Sema *s, Func *f)
{
    if (s->func) VEC_PUSH(s->callees, s->ncallees, s->capcallees, f);
    if (f->uses_state) s->uses_state = true;
    if (f->has_branch) s->has_branch = true;
    if (f->has_mem) s->has_mem = true;
    if (f->has_reg_write) s->has_reg_write = true;
    if (f->has_side) s->has_side = true;
}

static bool ctx_allows_state(Sema *s) { return s->ctx == CTX_EXECUTE || s->ctx == CTX_HELPER; }

static void need_state_ctx(Sema *s, SrcLoc loc, const char *what)
{
    if (!ctx_allows_state(s)) error_at(loc, "%s is not allowed in %s", what, ctx_name(s->ctx));
}

static void need_args(Sema *s, Expr *e, int n)
{
    if (e->nargs != n) error_at(e->loc, "%s() takes %d argument%s, %d given", e->name, n,
                                n == 1 ? "" : "s", e->nargs);
}

/* The argument must be a typed integer of width <= 64 bits: u64 when untyped. */
static void check_arg_u64(Sema *s, Expr *a, const char *what)
{
    check_expr(s, a);
    if (!need_int(s, a, what)) return;
    if (a->type.kind == TY_UNTYPED) coerce(s, a, ty_int(64, false));
    else if (a->type.width > 64) error_at(a->loc, "%s must be at most 64 bits, not %s", what, type_str(a->type));
}

/* printf-like conversions of print(): returns the next conversion character, or 0 at
 * the end; *len gets 0, 'l' or 'L' (ll). Shared with the disasm generator. */
int fmt_next(const char *f, size_t *i, int *len, bool *bad)
{
    for (;;) {
        char c = f[*i];
        if (!c) return 0;
        (*i)++;
        if (c != '%') continue;
        if (f[*i] == '%') { (*i)++; continue; }
        while (strchr("-+ #0", f[*i]) && f[*i]) (*i)++;
        while (f[*i] >= '0' && f[*i] <= '9') (*i)++;
        if (f[*i] == '.') { (*i)++; while (f[*i] >= '0' && f[*i] <= '9') (*i)++; }
        *len = 0;
        if (f[*i] == 'l') { (*i)++; *len = 'l'; if (f[*i] == 'l') { (*i)++; *len = 'L'; } }
        char conv = f[*i];
        if (!conv || !strchr("diuxXcs", conv)) { *bad = true; return 0; }
        (*i)++;
        return conv;
    }
}

static void check_print(Sema *s, Expr *e)
{
    if (s->ctx != CTX_DISASM) {
        error_at(e->loc, "print() is only allowed in disasm blocks");
    }
    if (e->nargs < 1 || e->args[0]->kind != E_STRING) {
        error_at(e->loc, "print() needs a format string as its first argument");
        for (int i = 0; i < e->nargs; i++) check_expr(s, e->args[i]);
        return;
    }
    const char *f = e->args[0]->str;
    e->args[0]->type = ty_kind(TY_STRING);
    size_t i = 0;
    int arg = 1, len;
    bool bad = false;
    int conv;
    while ((conv = fmt_next(f, &i, &len, &bad)) != 0) {
        if (arg >= e->nargs) {
            error_at(e->loc, "print() format needs more arguments than the %d given", e->nargs - 1);
            return;
        }
        Expr *a = e->args[arg++];
        check_expr(s, a);
        if (conv == 's') {
            if (a->type.kind != TY_STRING)
                error_at(a->loc, "%%s needs a string (an extern disasm function result), not %s",
                         type_str(a->type));
        } else if (need_int(s, a, "a print() argument")) {
            default_type(s, a);
            if (a->type.width > 64) error_at(a->loc, "print() cannot format a %d-bit value", a->type.width);
        }
    }
    if (bad) error_at(e->args[0]->loc, "unsupported conversion in print() format "
                      "(use %%d %%i %%u %%x %%X %%c %%s with optional flags, width and l/ll)");
    else if (arg < e->nargs)
        error_at(e->args[arg]->loc, "print() has more arguments than the format uses");
}

static void check_call(Sema *s, Expr *e)
{
    Intrinsic in = e->intrinsic;
    if (in == I_PRINT) { check_print(s, e); e->type = ty_kind(TY_VOID); return; }
    if (in != I_NONE) {
        for (int i = 0; i < e->nargs; i++) {
            if (e->args[i]->kind == E_STRING) {
                error_at(e->args[i]->loc, "a string is only allowed as the format of print()");
                e->args[i]->type = ty_kind(TY_ERROR);
            } else check_expr(s, e->args[i]);
        }
    }
    Expr **a = e->args;
    switch (in) {
    case I_NONE: break;
    case I_BRANCH:
        need_state_ctx(s, e->loc, "branch()");
        s->uses_state = s->has_branch = true;
        need_args(s, e, 1);
        if (e->nargs == 1 && need_int(s, a[0], "the branch target")) {
            coerce(s, a[0], ty_int(64, false));
            if (a[0]->type.width > 64) error_at(a[0]->loc, "the branch target must be at most 64 bits");
        }
        e->type = ty_kind(TY_VOID);
        return;
    case I_MEM_READ: case I_MEM_READ_EXCL: case I_MEM_WRITE: case I_MEM_WRITE_EXCL: {
        bool write = in == I_MEM_WRITE || in == I_MEM_WRITE_EXCL;
        need_state_ctx(s, e->loc, "memory access");
        s->uses_state = s->has_mem = true;
        if (e->n != 8 && e->n != 16 && e->n != 32 && e->n != 64 && e->n != 128)
            error_at(e->loc, "memory access size must be 8, 16, 32, 64 or 128 bits");
        int n = e->n >= 8 && e->n <= 128 ? e->n : 64;
        need_args(s, e, write ? 2 : 1);
        if (e->nargs >= 1) check_arg_u64(s, a[0], "the address");
        if (write && e->nargs == 2 && need_int(s, a[1], "the stored value")) coerce(s, a[1], ty_int(n, false));
        e->type = in == I_MEM_READ || in == I_MEM_READ_EXCL ? ty_int(n, false)
                : in == I_MEM_WRITE_EXCL ? ty_int(32, false) : ty_kind(TY_VOID);
        return;
    }
    case I_CHECK_ALIGNMENT:
        need_state_ctx(s, e->loc, "an alignment check");
        s->uses_state = s->has_mem = true;
        if (e->n != 8 && e->n != 16 && e->n != 32 && e->n != 64 && e->n != 128)
            error_at(e->loc, "alignment size must be 8, 16, 32, 64 or 128 bits");
        need_args(s, e, 2);
        if (e->nargs >= 1) check_arg_u64(s, a[0], "the address");
        if (e->nargs == 2 && need_int(s, a[1], "the write flag")) coerce(s, a[1], ty_int(1, false));
        e->type = ty_kind(TY_VOID);
        return;
    case I_CHECK_SP_ALIGNMENT:
        need_state_ctx(s, e->loc, "an SP alignment check");
        s->uses_state = s->has_mem = true;
        need_args(s, e, 1);
        if (e->nargs == 1) check_arg_u64(s, a[0], "the stack pointer");
        e->type = ty_kind(TY_VOID);
        return;
    case I_CLEAR_EXCL: case I_BARRIER:
        need_state_ctx(s, e->loc, in == I_BARRIER ? "barrier()" : "clear_exclusive()");
        s->uses_state = s->has_side = true;
        need_args(s, e, 0);
        e->type = ty_kind(TY_VOID);
        return;
    case I_ADD_CARRY: case I_ADD_OVERFLOW: case I_ADC: {
        need_args(s, e, 3);
        if (e->nargs != 3) { e->type = ty_kind(TY_ERROR); return; }
        if (!need_int(s, a[0], "an operand") || !need_int(s, a[1], "an operand") ||
            !need_int(s, a[2], "the carry")) { e->type = ty_kind(TY_ERROR); return; }
        Type t = unify(s, a[0], a[1]);
        if (t.kind == TY_UNTYPED) { t = ty_int(64, false); coerce(s, a[0], t); coerce(s, a[1], t); }
        coerce(s, a[2], ty_int(1, false));
        if (t.width > 64) error_at(e->loc, "%s() works on at most 64 bits", e->name);
        e->cast_to = t;
        e->type = in == I_ADC ? t : ty_int(1, false);
        return;
    }
    case I_CLZ: case I_CTZ: case I_POPCOUNT: case I_BSWAP: case I_RBIT:
        need_args(s, e, 1);
        if (e->nargs != 1 || !need_int(s, a[0], "the operand")) { e->type = ty_kind(TY_ERROR); return; }
        default_type(s, a[0]);
        if (in == I_BSWAP && a[0]->type.width != 16 && a[0]->type.width != 32 && a[0]->type.width != 64)
            error_at(e->loc, "bswap() needs a 16, 32 or 64-bit operand, not %s", type_str(a[0]->type));
        if (a[0]->type.width > 64) error_at(e->loc, "%s() works on at most 64 bits", e->name);
        e->type = a[0]->type;
        return;
    case I_ROR:
        need_args(s, e, 2);
        if (e->nargs != 2 || !need_int(s, a[0], "the operand") || !need_int(s, a[1], "the amount")) {
            e->type = ty_kind(TY_ERROR);
            return;
        }
        default_type(s, a[0]);
        default_type(s, a[1]);
        if (a[0]->type.width > 64) error_at(e->loc, "ror() works on at most 64 bits");
        e->type = a[0]->type;
        return;
    case I_MULH: {
        need_args(s, e, 2);
        if (e->nargs != 2 || !need_int(s, a[0], "an operand") || !need_int(s, a[1], "an operand")) {
            e->type = ty_kind(TY_ERROR);
            return;
        }
        Type t = unify(s, a[0], a[1]);
        if (t.kind == TY_UNTYPED) { t = ty_int(64, false); coerce(s, a[0], t); coerce(s, a[1], t); }
        if (t.width > 32 && t.width != 64)
            error_at(e->loc, "mulh() needs operands of at most 32 bits or exactly 64 bits, not %s", type_str(t));
        e->cast_to = t;
        e->type = t;
        return;
    }
    case I_HOST_HAS_FMA:
        need_args(s, e, 0);
        e->type = ty_int(1, false);
        return;
    case I_FADD: case I_FSUB: case I_FMUL: case I_FDIV: case I_FFMA: {
        if (e->n != 32 && e->n != 64) {
            error_at(e->loc, "%s<%d>: IEEE width must be 32 (single) or 64 (double)", e->name, e->n);
            e->n = 64;
        }
        int nops = in == I_FFMA ? 3 : 2;
        need_args(s, e, nops);
        Type t = ty_int(e->n, false);
        e->type = t;
        for (int i = 0; i < e->nargs && i < nops; i++) {
            if (!need_int(s, a[i], "an operand")) continue;
            coerce(s, a[i], t);
            if (a[i]->type.width != e->n)
                error_at(a[i]->loc, "%s<%d> needs %d-bit operands (IEEE bit patterns), not %s", e->name,
                         e->n, e->n, type_str(a[i]->type));
        }
        return;
    }
    case I_SEXT: case I_ZEXT:
        need_args(s, e, 1);
        if (e->n < 1 || e->n > 128) {
            error_at(e->loc, "%s<%d>: width out of range (1..128)", e->name, e->n);
            e->n = 64;
        }
        if (e->nargs != 1 || !need_int(s, a[0], "the operand")) { e->type = ty_kind(TY_ERROR); return; }
        default_type(s, a[0]);
        if (a[0]->type.width > e->n)
            error_at(e->loc, "%s<%d> of a wider %s operand (use a cast to truncate)", e->name, e->n,
                     type_str(a[0]->type));
        e->type = ty_int(e->n, in == I_SEXT);
        return;
    case I_EXIT_SYSCALL: case I_EXIT_BREAKPOINT: case I_EXIT_HVC: case I_EXIT_SMC:
    case I_EXIT_INVALIDATE_CODE:
        need_state_ctx(s, e->loc, "leaving the block");
        s->uses_state = s->has_side = true;
        need_args(s, e, 1);
        if (e->nargs == 1) check_arg_u64(s, a[0], "the immediate");
        e->type = ty_kind(TY_VOID);
        return;
    case I_EXIT_WFI: case I_UNDEFINED:
        need_state_ctx(s, e->loc, "leaving the block");
        s->uses_state = s->has_side = true;
        need_args(s, e, 0);
        e->type = ty_kind(TY_VOID);
        return;
    case I_PRINT:
        return;
    }

    /* helpers and externs */
    Func *f = lookup_func(s->d, e->name);
    if (!f) {
        error_at(e->loc, "unknown function '%s'", e->name);
        for (int i = 0; i < e->nargs; i++) check_expr(s, e->args[i]);
        e->type = ty_kind(TY_ERROR);
        return;
    }
    e->sym = xalloc(sizeof(Sym));
    e->sym->kind = f->is_extern ? SYM_EXTERN : SYM_HELPER;
    e->sym->name = f->name;
    e->sym->func = f;
    if (f->is_disasm && s->ctx != CTX_DISASM)
        error_at(e->loc, "extern disasm function '%s' can only be called in disasm blocks", f->name);
    if (f->is_extern && !f->is_disasm) {
        need_state_ctx(s, e->loc, "calling an extern function");
        s->uses_state = s->has_side = true;
    }
    if (!f->is_extern) {
        note_call(s, f);
        if (f->visit == 2 && f->uses_state && !ctx_allows_state(s))
            error_at(e->loc, "helper '%s' uses the machine state, which %s cannot", f->name, ctx_name(s->ctx));
        if (f->visit == 2 && f->reads_pc && (s->ctx == CTX_DECODE || s->ctx == CTX_WHEN))
            error_at(e->loc, "helper '%s' reads the pc, which %s cannot", f->name, ctx_name(s->ctx));
    }
    if (e->nargs != f->nparams) {
        error_at(e->loc, "'%s' takes %d argument%s, %d given", f->name, f->nparams,
                 f->nparams == 1 ? "" : "s", e->nargs);
    }
    for (int i = 0; i < e->nargs; i++) {
        Expr *arg = e->args[i];
        if (arg->kind == E_STRING) {
            error_at(arg->loc, "a string is only allowed as the format of print()");
            continue;
        }
        check_expr(s, arg);
        if (!need_int(s, arg, "an argument")) continue;
        if (i < f->nparams) coerce(s, arg, f->params[i]->type);
        else default_type(s, arg);
    }
    e->type = f->ret;
}

static void check_name(Sema *s, Expr *e)
{
    Sym *sym = lookup(s, e->name);
    if (!sym) {
        if (lookup_func(s->d, e->name)) error_at(e->loc, "function '%s' used without a call", e->name);
        else error_at(e->loc, "unknown identifier '%s'", e->name);
        e->type = ty_kind(TY_ERROR);
        return;
    }
    e->sym = sym;
    e->type = sym->type;
    if (sym->kind == SYM_REGFILE) {
        error_at(e->loc, "register file '%s' needs an index", sym->name);
        e->type = ty_kind(TY_ERROR);
    } else if (sym->kind == SYM_REG) {
        if (sym->is_pc) {
            if (s->ctx == CTX_WHEN || s->ctx == CTX_DECODE)
                error_at(e->loc, "the pc is not available in %s", ctx_name(s->ctx));
            s->reads_pc = true;
        } else {
            if (!ctx_allows_state(s))
                error_at(e->loc, "register access is not allowed in %s", ctx_name(s->ctx));
            s->uses_state = true;
        }
    } else if (sym->kind == SYM_MODE) {
        if (!ctx_allows_state(s))
            error_at(e->loc, "mode '%s' is not available in %s", sym->name, ctx_name(s->ctx));
    }
}

static void check_slice(Sema *s, Expr *e)
{
    check_expr(s, e->a);
    check_expr(s, e->b);
    if (e->c) check_expr(s, e->c);
    e->type = ty_kind(TY_ERROR);
    if (!need_int(s, e->a, "a sliced value") || !need_int(s, e->b, "a slice bound") ||
        (e->c && !need_int(s, e->c, "a slice bound")))
        return;
    default_type(s, e->a);
    default_type(s, e->b);
    if (e->c) default_type(s, e->c);
    int w = e->a->type.width;
    long hi, lo;
    bool hc = const_small(e->b, &hi);
    bool lc = e->c ? const_small(e->c, &lo) : (lo = hi, hc);
    if (hc && (hi < 0 || hi >= w)) {
        error_at(e->b->loc, "bit slice bound %ld out of range for %s", hi, type_str(e->a->type));
        return;
    }
    if (e->c && lc && (lo < 0 || lo >= w)) {
        error_at(e->c->loc, "bit slice bound %ld out of range for %s", lo, type_str(e->a->type));
        return;
    }
    int width;
    if (!e->c) width = 1;
    else if (hc && lc) {
        if (hi < lo) {
            error_at(e->loc, "bit slice <%ld:%ld> has its high bound below its low bound", hi, lo);
            return;
        }
        width = (int)(hi - lo + 1);
    } else {
        /* <x + K : x> and <x : x - K> have a known width even when x is not a constant */
        long k;
        const Expr *h = e->b, *l = e->c;
        if (h->kind == E_BINARY && h->op == T_PLUS && expr_equal(h->a, l) && const_small(h->b, &k))
            width = (int)k + 1;
        else if (l->kind == E_BINARY && l->op == T_MINUS && expr_equal(l->a, h) && const_small(l->b, &k))
            width = (int)k + 1;
        else {
            error_at(e->loc, "bit slice width must be a compile-time constant "
                     "(constant bounds, or <x + K : x>)");
            return;
        }
        if (width < 1 || width > w) {
            error_at(e->loc, "bit slice width %d out of range for %s", width, type_str(e->a->type));
            return;
        }
    }
    e->slice_width = width;
    e->type = ty_int(width, false);
}

static void check_expr(Sema *s, Expr *e)
{
    switch (e->kind) {
    case E_NUM:
        e->type = e->n == 1 ? ty_int(1, false) : ty_kind(TY_UNTYPED);
        return;
    case E_STRING:
        error_at(e->loc, "a string is only allowed as the format of print()");
        e->type = ty_kind(TY_ERROR);
        return;
    case E_NAME:
        check_name(s, e);
        return;
    case E_INDEX: {
        Sym *sym = lookup(s, e->name);
        check_expr(s, e->a);
        e->type = ty_kind(TY_ERROR);
        if (!sym) { error_at(e->loc, "unknown identifier '%s'", e->name); return; }
        if (sym->kind != SYM_REGFILE) { error_at(e->loc, "'%s' is not a register file", e->name); return; }
        e->sym = sym;
        e->type = sym->type;
        if (!ctx_allows_state(s))
            error_at(e->loc, "register access is not allowed in %s", ctx_name(s->ctx));
        s->uses_state = true;
        if (!need_int(s, e->a, "a register index")) return;
        default_type(s, e->a);
        long idx;
        if (const_small(e->a, &idx) && (idx < 0 || idx >= sym->count))
            error_at(e->a->loc, "register index %ld out of range for %s[%d]", idx, sym->name, sym->count);
        return;
    }
    case E_UNARY:
        check_expr(s, e->a);
        if (!need_int(s, e->a, "an operand")) { e->type = ty_kind(TY_ERROR); return; }
        if (e->op == T_BANG) { default_type(s, e->a); e->type = ty_int(1, false); }
        else e->type = e->a->type;
        return;
    case E_BINARY: {
        check_expr(s, e->a);
        check_expr(s, e->b);
        e->type = ty_kind(TY_ERROR);
        if (!need_int(s, e->a, "an operand") || !need_int(s, e->b, "an operand")) return;
        switch (e->op) {
        case T_ANDAND: case T_OROR:
            default_type(s, e->a);
            default_type(s, e->b);
            e->type = ty_int(1, false);
            return;
        case T_SHL: case T_SHR: {
            default_type(s, e->b);
            e->type = e->a->type;
            long amt;
            if (e->a->type.kind == TY_INT && const_small(e->b, &amt) &&
                (amt < 0 || amt >= e->a->type.width))
                error_at(e->b->loc, "shift amount %ld is not less than the width of %s "
                         "(extend the operand first, e.g. zext<64>(x) << n)", amt, type_str(e->a->type));
            return;
        }
        case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE: {
            Type t = unify(s, e->a, e->b);
            if (t.kind == TY_UNTYPED) {
                default_type(s, e->a);
                default_type(s, e->b);
                t = unify(s, e->a, e->b);
            }
            e->cast_to = t;
            e->type = ty_int(1, false);
            return;
        }
        default:
            e->type = unify(s, e->a, e->b);
            return;
        }
    }
    case E_TERNARY:
        check_expr(s, e->a);
        check_expr(s, e->b);
        check_expr(s, e->c);
        e->type = ty_kind(TY_ERROR);
        if (!need_int(s, e->a, "a condition") || !need_int(s, e->b, "an operand") ||
            !need_int(s, e->c, "an operand"))
            return;
        default_type(s, e->a);
        e->type = unify(s, e->b, e->c);
        return;
    case E_CAST:
        check_expr(s, e->a);
        if (!need_int(s, e->a, "a cast operand")) { e->type = ty_kind(TY_ERROR); return; }
        coerce(s, e->a, e->cast_to);
        e->type = e->cast_to;
        return;
    case E_SLICE:
        check_slice(s, e);
        return;
    case E_CALL:
        check_call(s, e);
        return;
    }
}

/* ---- statements --------------------------------------------------------------------- */

static void check_stmt(Sema *s, Stmt *st);
static void check_block(Sema *s, Stmt *st);
static void check_switch(Sema *s, Stmt *st);

static bool is_terminator(const Stmt *st)
{
    if (st->kind == S_RETURN || st->kind == S_UNALLOCATED) return true;
    if (st->kind == S_EXPR && st->expr->kind == E_CALL) {
        Intrinsic in = st->expr->intrinsic;
        return in == I_BRANCH || in == I_UNDEFINED || in == I_EXIT_SYSCALL ||
               in == I_EXIT_BREAKPOINT || in == I_EXIT_HVC || in == I_EXIT_SMC || in == I_EXIT_WFI ||
               in == I_EXIT_INVALIDATE_CODE;
    }
    return false;
}

static void check_block(Sema *s, Stmt *st)
{
    push_scope(s);
    s->block_depth++;
    for (int i = 0; i < st->nstmts; i++) {
        check_stmt(s, st->stmts[i]);
        if (is_terminator(st->stmts[i]) && i + 1 < st->nstmts)
            error_at(st->stmts[i + 1]->loc, "unreachable statement (the previous one leaves)");
    }
    s->block_depth--;
    pop_scope(s);
}

static Sym *new_var(Sema *s, const char *name, SrcLoc loc, Type t, SymKind kind)
{
    Sym *v = xalloc(sizeof(*v));
    v->kind = kind;
    v->name = name;
    v->loc = loc;
    v->type = t;
    v->id = (*s->nvars)++;
    return v;
}

static void check_assign_target(Sema *s, Expr *lhs)
{
    if (lhs->kind == E_NAME) {
        check_expr(s, lhs);
        Sym *sym = lhs->sym;
        if (!sym) return;
        switch (sym->kind) {
        case SYM_VAR:
            if (sym->is_loop_var && !s->in_for_step)
                error_at(lhs->loc, "cannot assign to loop variable '%s'", sym->name);
            return;
        case SYM_PARAM: return;
        case SYM_REG:
            if (sym->is_pc) error_at(lhs->loc, "cannot write the pc register '%s' (use branch())", sym->name);
            s->has_reg_write = true;
            return;
        case SYM_FIELD: error_at(lhs->loc, "cannot assign to instruction field '%s'", sym->name); return;
        case SYM_DERIVED:
            if (s->ctx != CTX_DECODE) error_at(lhs->loc, "cannot assign to derived field '%s' outside its decode block", sym->name);
            return;
        case SYM_MODE: error_at(lhs->loc, "cannot assign to mode '%s'", sym->name); return;
        default: error_at(lhs->loc, "cannot assign to '%s'", sym->name); return;
        }
    }
    if (lhs->kind == E_INDEX) {
        check_expr(s, lhs);
        if (lhs->sym) s->has_reg_write = true;
        return;
    }
    error_at(lhs->loc, "cannot assign to this expression");
    check_expr(s, lhs);
}

static void check_stmt(Sema *s, Stmt *st)
{
    switch (st->kind) {
    case S_BLOCK:
        check_block(s, st);
        return;
    case S_SWITCH:
        check_switch(s, st);
        return;
    case S_CASE:
        return;
    case S_DECL: {
        check_expr(s, st->expr);
        if (st->infer_type && need_int(s, st->expr, "a switch value")) {
            default_type(s, st->expr);
            st->decl_type = st->expr->type;
        }
        if (need_int(s, st->expr, "an initialiser")) coerce(s, st->expr, st->decl_type);
        bool derived = s->ctx == CTX_DECODE && s->block_depth == 1;
        st->var = new_var(s, st->name, st->loc, st->decl_type, derived ? SYM_DERIVED : SYM_VAR);
        declare(s, st->var);
        if (derived) {
            static int cap;
            (void)cap;
            Insn *in = s->insn;
            int c = in->nderived;   /* grow exactly: derived arrays are small */
            in->derived = xrealloc(in->derived, (size_t)(c + 1) * sizeof(Sym *));
            in->derived[in->nderived++] = st->var;
        }
        return;
    }
    case S_ASSIGN:
        check_assign_target(s, st->lhs);
        check_expr(s, st->rhs);
        if (need_int(s, st->rhs, "the assigned value") && st->lhs->type.kind == TY_INT)
            coerce(s, st->rhs, st->lhs->type);
        return;
    case S_EXPR: {
        Expr *e = st->expr;
        if (e->kind != E_CALL) {
            error_at(e->loc, "expression statement has no effect (only calls may stand alone)");
            check_expr(s, e);
            return;
        }
        check_expr(s, e);
        return;
    }
    case S_IF:
        check_expr(s, st->cond);
        if (need_int(s, st->cond, "a condition")) default_type(s, st->cond);
        check_stmt(s, st->then_s);
        if (st->else_s) check_stmt(s, st->else_s);
        return;
    case S_FOR: {
        push_scope(s);
        Stmt *init = st->init;
        check_expr(s, init->expr);
        if (need_int(s, init->expr, "an initialiser")) coerce(s, init->expr, init->decl_type);
        init->var = new_var(s, init->name, init->loc, init->decl_type, SYM_VAR);
        init->var->is_loop_var = true;
        declare(s, init->var);
        check_expr(s, st->cond);
        if (need_int(s, st->cond, "a loop condition")) default_type(s, st->cond);
        s->in_for_step = true;
        check_stmt(s, st->step);
        s->in_for_step = false;
        if (st->step->lhs->kind != E_NAME || st->step->lhs->sym != init->var)
            error_at(st->step->loc, "the step of a for loop must assign the loop variable");
        check_stmt(s, st->body);
        pop_scope(s);
        return;
    }
    case S_RETURN:
        if (s->ctx != CTX_HELPER) {
            error_at(st->loc, "return outside a helper");
            if (st->expr) check_expr(s, st->expr);
            return;
        }
        if (st->expr) {
            check_expr(s, st->expr);
            if (s->func->ret.kind == TY_VOID) error_at(st->loc, "void helper '%s' returns a value", s->func->name);
            else if (need_int(s, st->expr, "the returned value")) coerce(s, st->expr, s->func->ret);
        } else if (s->func->ret.kind != TY_VOID) {
            error_at(st->loc, "helper '%s' must return a %s value", s->func->name, type_str(s->func->ret));
        }
        return;
    case S_UNALLOCATED:
        if (s->ctx != CTX_DECODE) error_at(st->loc, "'unallocated' is only allowed in decode blocks");
        return;
    }
}

/* switch (e) { case 1, 2: A default: B } becomes
 * { T $swN = e; if ($swN == 1 || $swN == 2) A else B }: e is evaluated once, cases do not
 * fall through, and the if chain gets the usual translation-time / run-time treatment. */
static void check_switch(Sema *s, Stmt *st)
{
    static int counter;
    SrcLoc loc = st->loc;
    const char *name = xasprintf("$sw%d", ++counter);
    Stmt *decl = xalloc(sizeof(*decl));
    decl->kind = S_DECL;
    decl->loc = st->cond->loc;
    decl->name = name;
    decl->expr = st->cond;
    decl->infer_type = true;
    decl->decl_type = ty_int(64, false);
    Stmt *chain = NULL, **tail = &chain;
    Stmt *deflt = NULL;
    for (int i = 0; i < st->nstmts; i++) {
        Stmt *c = st->stmts[i];
        if (c->nlabels == 0) {
            if (deflt) error_at(c->loc, "second default in a switch");
            deflt = c->then_s;
            continue;
        }
        Expr *cond = NULL;
        for (int k = 0; k < c->nlabels; k++) {
            Expr *ref = xalloc(sizeof(*ref));
            ref->kind = E_NAME;
            ref->loc = c->labels[k]->loc;
            ref->name = name;
            Expr *eq = xalloc(sizeof(*eq));
            eq->kind = E_BINARY;
            eq->op = T_EQ;
            eq->loc = c->labels[k]->loc;
            eq->a = ref;
            eq->b = c->labels[k];
            if (!cond) cond = eq;
            else {
                Expr *or = xalloc(sizeof(*or));
                or->kind = E_BINARY;
                or->op = T_OROR;
                or->loc = c->loc;
                or->a = cond;
                or->b = eq;
                cond = or;
            }
        }
        Stmt *ifs = xalloc(sizeof(*ifs));
        ifs->kind = S_IF;
        ifs->loc = c->loc;
        ifs->cond = cond;
        ifs->then_s = c->then_s;
        *tail = ifs;
        tail = &ifs->else_s;
    }
    *tail = deflt;
    Stmt **list = xalloc(2 * sizeof(Stmt *));
    list[0] = decl;
    list[1] = chain ? chain : (deflt ? deflt : xalloc(sizeof(Stmt)));
    if (!chain && !deflt) list[1]->kind = S_BLOCK;
    Stmt **cases = st->stmts;
    int ncases = st->nstmts;
    st->kind = S_BLOCK;
    st->stmts = list;
    st->nstmts = 2;
    st->loc = loc;
    check_block(s, st);
    /* labels are constants of the switch value's type, each used once */
    u128 *seen = xalloc(sizeof(u128) * 1);
    int nseen = 0, capseen = 0;
    for (int i = 0; i < ncases; i++) {
        for (int k = 0; k < cases[i]->nlabels; k++) {
            Expr *l = cases[i]->labels[k];
            u128 v;
            if (!const_eval(l, &v)) {
                error_at(l->loc, "case label must be a constant");
                continue;
            }
            for (int j = 0; j < nseen; j++)
                if (seen[j] == v) error_at(l->loc, "duplicate case value");
            VEC_PUSH(seen, nseen, capseen, v);
        }
    }
    free(seen);
}

static bool ends_with_return(const Stmt *st)
{
    if (!st) return false;
    switch (st->kind) {
    case S_RETURN: return true;
    case S_BLOCK: return st->nstmts > 0 && ends_with_return(st->stmts[st->nstmts - 1]);
    case S_IF: return ends_with_return(st->then_s) && ends_with_return(st->else_s);
    case S_EXPR: return is_terminator(st);
    default: return false;
    }
}

/* ---- top level ---------------------------------------------------------------------- */

static void reset_effects(Sema *s)
{
    s->uses_state = s->has_branch = s->has_mem = s->has_reg_write = s->reads_pc = s->has_side = false;
}

static void check_helper(Sema *s, Func *f)
{
    s->ctx = CTX_HELPER;
    s->func = f;
    s->insn = NULL;
    s->ncallees = 0;
    s->nvars = &f->nvars;
    reset_effects(s);
    push_scope(s);
    for (int i = 0; i < f->nparams; i++) {
        Sym *p = f->params[i];
        p->id = f->nvars++;
        declare(s, p);
    }
    s->block_depth = 0;
    check_block(s, f->body);
    pop_scope(s);
    if (f->ret.kind != TY_VOID && !ends_with_return(f->body))
        error_at(f->loc, "helper '%s' can reach its end without returning a value", f->name);
    f->uses_state = s->uses_state;
    f->has_branch = s->has_branch;
    f->has_mem = s->has_mem;
    f->has_reg_write = s->has_reg_write;
    f->reads_pc = s->reads_pc;
    f->has_side = s->has_side;
    /* remember the direct callees for the recursion check */
    f->callees = s->callees ? xalloc((size_t)s->ncallees * sizeof(Func *) + 1) : NULL;
    if (s->ncallees) memcpy(f->callees, s->callees, (size_t)s->ncallees * sizeof(Func *));
    f->ncallees = s->ncallees;
    s->func = NULL;
}

/* Depth-first walk of the call graph: reports cycles and folds callee effects in. */
static void visit_helper(Func *f, Func **stack, int depth)
{
    if (f->visit == 2) return;
    if (f->visit == 1) {
        error_at(f->loc, "helper '%s' is recursive (%s%s)", f->name,
                 depth > 1 ? "through " : "calls itself", depth > 1 ? stack[depth - 1]->name : "");
        return;
    }
    f->visit = 1;
    stack[depth] = f;
    for (int i = 0; i < f->ncallees; i++) {
        Func *c = f->callees[i];
        if (c == f) {
            error_at(f->loc, "helper '%s' calls itself (helpers are inlined and cannot be recursive)", f->name);
            continue;
        }
        if (c->visit == 1) {
            error_at(f->loc, "helper '%s' calls '%s', which leads back to '%s' (helpers are inlined "
                     "and cannot be recursive)", f->name, c->name, f->name);
            continue;
        }
        if (depth >= 250) {
            error_at(f->loc, "helper calls nested more than 250 deep");
            continue;
        }
        visit_helper(c, stack, depth + 1);
        f->uses_state |= c->uses_state;
        f->has_branch |= c->has_branch;
        f->has_mem |= c->has_mem;
        f->has_reg_write |= c->has_reg_write;
        f->reads_pc |= c->reads_pc;
        f->has_side |= c->has_side;
    }
    f->visit = 2;
}

static void check_body(Sema *s, Insn *in, Stmt *body, Ctx ctx)
{
    s->ctx = ctx;
    s->block_depth = 0;
    check_block(s, body);
}

static void check_insn(Sema *s, Insn *in)
{
    Desc *d = s->d;
    s->insn = in;
    s->func = NULL;
    s->nvars = &in->nvars;
    parse_pattern(d, in);
    push_scope(s);
    for (int i = 0; i < in->nfields; i++) {
        Sym *f = in->fields[i];
        if (lookup_global(d, f->name) || lookup_func(d, f->name))
            error_at(f->loc, "field '%s' has the name of a global declaration", f->name);
        VEC_PUSH(s->scope, s->nscope, s->capscope, f);
    }
    reset_effects(s);
    if (in->when) {
        s->ctx = CTX_WHEN;
        check_expr(s, in->when);
        if (need_int(s, in->when, "a constraint")) default_type(s, in->when);
    }
    if (in->decode) check_body(s, in, in->decode, CTX_DECODE);
    /* derived fields stay visible in disasm and execute */
    for (int i = 0; i < in->nderived; i++) VEC_PUSH(s->scope, s->nscope, s->capscope, in->derived[i]);
    if (in->disasm) check_body(s, in, in->disasm, CTX_DISASM);
    else error_at(in->loc, "instruction '%s' has no disasm block", in->name);
    reset_effects(s);
    if (in->execute) check_body(s, in, in->execute, CTX_EXECUTE);
    else error_at(in->loc, "instruction '%s' has no execute block", in->name);
    in->has_branch = s->has_branch;
    in->has_mem = s->has_mem;
    in->has_reg_write = s->has_reg_write;
    pop_scope(s);
}

static bool same_type(Type a, Type b)
{
    return a.kind == b.kind && (a.kind != TY_INT || (a.width == b.width && a.is_signed == b.is_signed));
}

/* touches(...) of an extern: every name a register or register file, none twice */
static void resolve_touches(Desc *d, Func *f)
{
    if (!f->has_touches) return;
    f->touch_regs = xalloc(sizeof(Sym *) * (size_t)(f->ntouches + 1));
    for (int i = 0; i < f->ntouches; i++) {
        const char *name = f->touch_names[i];
        Sym *r = lookup_global(d, name);
        if (!r) {
            error_at(f->touch_locs[i], "unknown register '%s' in touches()", name);
        } else if (r->kind != SYM_REG && r->kind != SYM_REGFILE) {
            error_at(f->touch_locs[i], "'%s' is not a register: touches() lists registers and register files only", name);
        } else {
            for (int j = 0; j < i; j++)
                if (f->touch_regs[j] == r) error_at(f->touch_locs[i], "register '%s' listed twice in touches()", name);
            f->touch_regs[i] = r;
        }
    }
}

static bool same_touches(const Func *a, const Func *b)
{
    if (a->has_touches != b->has_touches || a->ntouches != b->ntouches) return false;
    for (int i = 0; i < a->ntouches; i++)
        if (strcmp(a->touch_names[i], b->touch_names[i]) != 0) return false;
    return true;
}

static bool same_signature(const Func *a, const Func *b)
{
    if (a->is_disasm != b->is_disasm || !same_type(a->ret, b->ret) || a->nparams != b->nparams) return false;
    if (!same_touches(a, b)) return false;
    for (int i = 0; i < a->nparams; i++)
        if (!same_type(a->params[i]->type, b->params[i]->type)) return false;
    return true;
}

void sema(Desc *d)
{
    Sema s;
    memset(&s, 0, sizeof(s));
    s.d = d;
    if (!d->have_arch) {
        SrcLoc loc = { "<input>", 1, 1 };
        if (d->ninsns) loc = d->insns[0]->loc;
        error_at(loc, "missing architecture declaration (architecture NAME { prefix P; insn_bits 32; })");
        d->insn_bits = 32;
        d->prefix = "adl";
    } else {
        if (!d->prefix) { error_at(d->arch_loc, "architecture has no prefix"); d->prefix = "adl"; }
        if (!d->insn_bits) { error_at(d->arch_loc, "architecture has no insn_bits"); d->insn_bits = 32; }
    }
    if (!d->pc) {
        SrcLoc loc = d->have_arch ? d->arch_loc : (SrcLoc){ "<input>", 1, 1 };
        error_at(loc, "no register is marked as the pc (register u64 PC pc;)");
    }
    /* global names are unique */
    for (int i = 0; i < d->nregs; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(d->regs[i]->name, d->regs[j]->name) == 0)
                error_at(d->regs[i]->loc, "duplicate register '%s'", d->regs[i]->name);
    }
    for (int i = 0; i < d->nmodes; i++) {
        Sym *m = d->modes[i];
        for (int j = 0; j < d->nregs; j++)
            if (strcmp(m->name, d->regs[j]->name) == 0) error_at(m->loc, "mode '%s' has the name of a register", m->name);
        for (int j = 0; j < i; j++)
            if (strcmp(m->name, d->modes[j]->name) == 0) error_at(m->loc, "duplicate mode '%s'", m->name);
    }
    for (int i = 0; i < d->nfuncs; i++) {
        Func *f = d->funcs[i];
        for (int j = 0; j < i; j++) {
            Func *o = d->funcs[j];
            if (strcmp(f->name, o->name) != 0) continue;
            /* files of one description may each declare the externs they use */
            if (f->is_extern && o->is_extern && same_signature(f, o)) { f->redeclared = true; break; }
            error_at(f->loc, "duplicate function '%s' (first declared at %s:%d:%d)", f->name,
                     o->loc.file, o->loc.line, o->loc.col);
            break;
        }
        if (lookup_global(d, f->name)) error_at(f->loc, "function '%s' has the name of a register or mode", f->name);
        if (f->is_extern) {
            int slots = 0;
            for (int k = 0; k < f->nparams; k++) slots += f->params[k]->type.width > 64 ? 2 : 1;
            if (slots > 5 && !f->is_disasm)
                error_at(f->loc, "extern '%s' has more than 5 argument slots (a u128 counts twice)", f->name);
            resolve_touches(d, f);
        }
    }
    for (int i = 0; i < d->ninsns; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(d->insns[i]->name, d->insns[j]->name) == 0)
                error_at(d->insns[i]->loc, "duplicate instruction '%s'", d->insns[i]->name);

    for (int i = 0; i < d->nfuncs; i++)
        if (!d->funcs[i]->is_extern) check_helper(&s, d->funcs[i]);
    Func *stack[256];
    for (int i = 0; i < d->nfuncs; i++)
        if (!d->funcs[i]->is_extern) visit_helper(d->funcs[i], stack, 0);
    /* context errors for helper calls inside helpers need the folded effects: a helper
     * that is pure itself but calls a stateful one is only known now */
    for (int i = 0; i < d->ninsns; i++) check_insn(&s, d->insns[i]);
    free(s.scope);
    free(s.marks);
    free(s.callees);
}
