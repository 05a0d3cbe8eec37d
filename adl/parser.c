/* adlc parser: recursive descent over the token array, building the AST of a whole
 * description (architecture, registers, modes, externs, helpers, instructions). A
 * syntax error skips to the next top-level declaration so one mistake gives one
 * message. Instruction patterns ("sf:1 0 0 100010 ...") are parsed here too. */
#include <setjmp.h>
#include <string.h>
#include "adl/adlc.h"

typedef struct Parser {
    Token *t;
    int n, pos;
    Desc *d;
    int nesting;           /* statement / unary recursion depth */
    jmp_buf recover;
} Parser;

/* Bounds on nesting keep every later recursive phase (and the C compiler that builds
 * the output) far from its stack limit whatever the input. */
#define MAX_EXPR_DEPTH 256
#define MAX_NESTING 200

static Token *peek(Parser *p) { return &p->t[p->pos]; }
static Token *peek_tok(Parser *p) { return &p->t[p->pos]; }
static Token *peek_at(Parser *p, int k)
{
    int i = p->pos + k;
    return &p->t[i < p->n ? i : p->n - 1];
}
static Token *next(Parser *p)
{
    Token *t = &p->t[p->pos];
    if (t->kind != T_EOF) p->pos++;
    return t;
}
static bool accept(Parser *p, TokKind k)
{
    if (peek(p)->kind == k) { next(p); return true; }
    return false;
}

static _Noreturn void syntax_error(Parser *p, const char *expected)
{
    Token *t = peek(p);
    if (t->kind == T_IDENT || t->kind == T_TYPE)
        error_at(t->loc, "expected %s, found '%s'", expected, t->text);
    else
        error_at(t->loc, "expected %s, found %s", expected, tok_name(t->kind));
    longjmp(p->recover, 1);
}

static Token *expect(Parser *p, TokKind k, const char *what)
{
    if (peek(p)->kind != k) syntax_error(p, what ? what : tok_name(k));
    return next(p);
}

static const char *expect_ident(Parser *p, const char *what)
{
    return expect(p, T_IDENT, what)->text;
}

static Type parse_type_tok(Parser *p, Token *t)
{
    if (t->width < 1 || t->width > 128) {
        error_at(t->loc, "type width %d out of range (1..128)", t->width);
        return ty_int(t->width < 1 ? 1 : 128, t->is_signed);
    }
    return ty_int(t->width, t->is_signed);
}

static Type parse_type(Parser *p)
{
    return parse_type_tok(p, expect(p, T_TYPE, "a type (uN, sN or bool)"));
}

static Expr *new_expr(ExprKind k, SrcLoc loc)
{
    Expr *e = xalloc(sizeof(*e));
    e->kind = k;
    e->loc = loc;
    return e;
}

static int depth_of(const Expr *e) { return e ? e->depth : 0; }

/* Records the depth of a finished node; too deep an expression is an error. */
static Expr *finish(Parser *p, Expr *e)
{
    int d = depth_of(e->a);
    if (depth_of(e->b) > d) d = depth_of(e->b);
    if (depth_of(e->c) > d) d = depth_of(e->c);
    for (int i = 0; i < e->nargs; i++)
        if (depth_of(e->args[i]) > d) d = depth_of(e->args[i]);
    e->depth = d + 1;
    if (e->depth > MAX_EXPR_DEPTH) {
        error_at(e->loc, "expression nested too deeply (more than %d levels)", MAX_EXPR_DEPTH);
        longjmp(p->recover, 1);
    }
    return e;
}

static void enter(Parser *p)
{
    if (++p->nesting > MAX_NESTING) {
        error_at(peek_tok(p)->loc, "nested too deeply (more than %d levels)", MAX_NESTING);
        longjmp(p->recover, 1);
    }
}

static Stmt *new_stmt(StmtKind k, SrcLoc loc)
{
    Stmt *s = xalloc(sizeof(*s));
    s->kind = k;
    s->loc = loc;
    return s;
}

/* ---- expressions -------------------------------------------------------------------- */

static Expr *parse_expr(Parser *p);
static Expr *parse_unary(Parser *p);
static Expr *parse_binary(Parser *p, int min_prec);

static int binary_prec(TokKind k)
{
    switch (k) {
    case T_OROR: return 1;
    case T_ANDAND: return 2;
    case T_PIPE: return 3;
    case T_CARET: return 4;
    case T_AMP: return 5;
    case T_EQ: case T_NE: return 6;
    case T_LT: case T_LE: case T_GT: case T_GE: return 7;
    case T_SHL: case T_SHR: return 8;
    case T_PLUS: case T_MINUS: return 9;
    case T_STAR: case T_SLASH: case T_PERCENT: return 10;
    default: return 0;
    }
}

/* Is the '<' at the current position the start of a bit slice `<hi:lo>` / `<i>`?
 * Slice bounds are restricted to identifiers, numbers, + - * and parentheses, so a
 * comparison like `a < b)` or `a < b && ...` is never taken for a slice. */
static bool looks_like_slice(Parser *p)
{
    int depth = 0, colons = 0, count = 0;
    for (int k = 1; k < 64; k++) {
        Token *t = peek_at(p, k);
        switch (t->kind) {
        case T_IDENT: case T_NUM: case T_PLUS: case T_MINUS: case T_STAR: case T_LBRACKET:
        case T_RBRACKET:
            count++;
            break;
        case T_LPAREN: depth++; break;
        case T_RPAREN:
            if (depth == 0) return false;
            depth--;
            break;
        case T_COLON:
            if (depth != 0 || colons++ || count == 0) return false;
            count = 0;
            break;
        case T_GT:
            return depth == 0 && count > 0;
        default:
            return false;
        }
    }
    return false;
}

/* Memory intrinsics with attributes: the plain intrinsic plus ADL_MEM_* flags. */
static const struct { const char *name; Intrinsic in; unsigned mem_flags; } memory_variants[] = {
    { "mem_read_unpriv", I_MEM_READ, ADL_MEM_UNPRIV }, { "mem_write_unpriv", I_MEM_WRITE, ADL_MEM_UNPRIV },
};

static const struct { const char *name; Intrinsic in; bool sized; } intrinsics[] = {
    { "branch", I_BRANCH, false }, { "mem_read", I_MEM_READ, true },
    { "mem_write", I_MEM_WRITE, true }, { "mem_read_exclusive", I_MEM_READ_EXCL, true },
    { "mem_write_exclusive", I_MEM_WRITE_EXCL, true }, { "clear_exclusive", I_CLEAR_EXCL, false },
    { "barrier", I_BARRIER, false }, { "add_carry", I_ADD_CARRY, false },
    { "add_overflow", I_ADD_OVERFLOW, false }, { "adc", I_ADC, false }, { "clz", I_CLZ, false },
    { "ctz", I_CTZ, false }, { "popcount", I_POPCOUNT, false }, { "bswap", I_BSWAP, false },
    { "rbit", I_RBIT, false }, { "ror", I_ROR, false }, { "mulh", I_MULH, false },
    { "sext", I_SEXT, true }, { "zext", I_ZEXT, true }, { "exit_syscall", I_EXIT_SYSCALL, false },
    { "exit_breakpoint", I_EXIT_BREAKPOINT, false }, { "exit_hvc", I_EXIT_HVC, false },
    { "exit_smc", I_EXIT_SMC, false }, { "exit_wfi", I_EXIT_WFI, false },
    { "undefined", I_UNDEFINED, false }, { "print", I_PRINT, false },
    { "fadd", I_FADD, true }, { "fsub", I_FSUB, true }, { "fmul", I_FMUL, true },
    { "fdiv", I_FDIV, true }, { "ffma", I_FFMA, true }, { "host_has_fma", I_HOST_HAS_FMA, false },
    { "check_alignment", I_CHECK_ALIGNMENT, true },
    { "exit_invalidate_code", I_EXIT_INVALIDATE_CODE, false },
    { "check_sp_alignment", I_CHECK_SP_ALIGNMENT, false },
};

static void parse_args(Parser *p, Expr *call)
{
    int cap = 0;
    expect(p, T_LPAREN, "'('");
    if (!accept(p, T_RPAREN)) {
        do {
            VEC_PUSH(call->args, call->nargs, cap, parse_expr(p));
        } while (accept(p, T_COMMA));
        expect(p, T_RPAREN, "',' or ')'");
    }
}

static Expr *parse_primary(Parser *p)
{
    Token *t = peek(p);
    switch (t->kind) {
    case T_NUM: {
        next(p);
        Expr *e = new_expr(E_NUM, t->loc);
        e->num = t->num;
        return e;
    }
    case T_TRUE: case T_FALSE: {
        next(p);
        Expr *e = new_expr(E_NUM, t->loc);
        e->num = t->kind == T_TRUE;
        e->cast_to = ty_int(1, false);
        e->n = 1;                    /* marks a typed (u1) literal */
        return e;
    }
    case T_STRING: {
        next(p);
        Expr *e = new_expr(E_STRING, t->loc);
        e->str = t->text;
        return e;
    }
    case T_LPAREN: {
        next(p);
        Expr *e = parse_expr(p);
        expect(p, T_RPAREN, "')'");
        return e;
    }
    case T_IDENT: {
        next(p);
        if (peek(p)->kind == T_LBRACKET) {
            next(p);
            Expr *e = new_expr(E_INDEX, t->loc);
            e->name = t->text;
            e->a = parse_expr(p);
            expect(p, T_RBRACKET, "']'");
            return finish(p, e);
        }
        Intrinsic in = I_NONE;
        bool sized = false;
        unsigned mem_flags = 0;
        for (size_t k = 0; k < sizeof(intrinsics) / sizeof(intrinsics[0]); k++)
            if (strcmp(intrinsics[k].name, t->text) == 0) {
                in = intrinsics[k].in;
                sized = intrinsics[k].sized;
            }
        for (size_t k = 0; k < sizeof(memory_variants) / sizeof(memory_variants[0]); k++)
            if (strcmp(memory_variants[k].name, t->text) == 0) {
                in = memory_variants[k].in;
                sized = true;
                mem_flags = memory_variants[k].mem_flags;
            }
        if (in != I_NONE && (peek(p)->kind == T_LPAREN || peek(p)->kind == T_LT)) {
            Expr *e = new_expr(E_CALL, t->loc);
            e->name = t->text;
            e->intrinsic = in;
            e->mem_flags = mem_flags;
            if (sized) {
                expect(p, T_LT, "'<' and a bit count");
                Token *nt = expect(p, T_NUM, "a bit count");
                e->n = nt->num > 1000 ? 1000 : (int)nt->num;
                expect(p, T_GT, "'>'");
            } else if (peek(p)->kind == T_LT) {
                syntax_error(p, "'('");
            }
            parse_args(p, e);
            return finish(p, e);
        }
        if (peek(p)->kind == T_LPAREN) {
            Expr *e = new_expr(E_CALL, t->loc);
            e->name = t->text;
            parse_args(p, e);
            return finish(p, e);
        }
        Expr *e = new_expr(E_NAME, t->loc);
        e->name = t->text;
        return e;
    }
    default:
        syntax_error(p, "an expression");
    }
}

static Expr *parse_postfix(Parser *p)
{
    Expr *e = parse_primary(p);
    while (peek(p)->kind == T_LT && looks_like_slice(p)) {
        Token *lt = next(p);
        Expr *s = new_expr(E_SLICE, lt->loc);
        s->a = e;
        /* additive level and above: a '>' here closes the slice */
        s->b = parse_binary(p, 9);
        if (accept(p, T_COLON)) s->c = parse_binary(p, 9);
        expect(p, T_GT, "'>' closing the bit slice");
        e = finish(p, s);
    }
    return e;
}

static Expr *parse_unary_inner(Parser *p)
{
    Token *t = peek(p);
    if (t->kind == T_MINUS || t->kind == T_TILDE || t->kind == T_BANG) {
        next(p);
        Expr *e = new_expr(E_UNARY, t->loc);
        e->op = t->kind;
        e->a = parse_unary(p);
        return finish(p, e);
    }
    if (t->kind == T_LPAREN && peek_at(p, 1)->kind == T_TYPE && peek_at(p, 2)->kind == T_RPAREN) {
        next(p);
        Expr *e = new_expr(E_CAST, t->loc);
        e->cast_to = parse_type(p);
        next(p);
        e->a = parse_unary(p);
        return finish(p, e);
    }
    return parse_postfix(p);
}

static Expr *parse_unary(Parser *p)
{
    enter(p);
    Expr *e = parse_unary_inner(p);
    p->nesting--;
    return e;
}

/* Inside slice bounds '>' ends the slice, so binary parsing must not treat it as an
 * operator there; bounds only use + - * anyway (see looks_like_slice). */
static Expr *parse_binary(Parser *p, int min_prec)
{
    Expr *lhs = parse_unary(p);
    for (;;) {
        Token *t = peek(p);
        int prec = binary_prec(t->kind);
        if (prec == 0 || prec < min_prec) return lhs;
        next(p);
        Expr *rhs = parse_binary(p, prec + 1);
        Expr *e = new_expr(E_BINARY, t->loc);
        e->op = t->kind;
        e->a = lhs;
        e->b = rhs;
        lhs = finish(p, e);
    }
}

static Expr *parse_ternary(Parser *p)
{
    Expr *c = parse_binary(p, 1);
    if (peek(p)->kind != T_QUESTION) return c;
    Token *q = next(p);
    Expr *e = new_expr(E_TERNARY, q->loc);
    e->a = c;
    e->b = parse_expr(p);
    expect(p, T_COLON, "':'");
    e->c = parse_ternary(p);
    return finish(p, e);
}

static Expr *parse_expr(Parser *p) { return parse_ternary(p); }

/* ---- statements --------------------------------------------------------------------- */

static Stmt *parse_stmt(Parser *p);

static Stmt *parse_block(Parser *p)
{
    Token *lb = expect(p, T_LBRACE, "'{'");
    Stmt *s = new_stmt(S_BLOCK, lb->loc);
    int cap = 0;
    while (peek(p)->kind != T_RBRACE) {
        if (peek(p)->kind == T_EOF) syntax_error(p, "'}'");
        VEC_PUSH(s->stmts, s->nstmts, cap, parse_stmt(p));
    }
    next(p);
    return s;
}

static TokKind compound_op(TokKind k)
{
    switch (k) {
    case T_PLUS_EQ: return T_PLUS;
    case T_MINUS_EQ: return T_MINUS;
    case T_AMP_EQ: return T_AMP;
    case T_PIPE_EQ: return T_PIPE;
    case T_CARET_EQ: return T_CARET;
    case T_SHL_EQ: return T_SHL;
    case T_SHR_EQ: return T_SHR;
    case T_STAR_EQ: return T_STAR;
    default: return T_EOF;
    }
}

/* declaration, assignment or call, without the ';' */
static Stmt *parse_simple(Parser *p)
{
    Token *t = peek(p);
    if (t->kind == T_TYPE) {
        next(p);
        Stmt *s = new_stmt(S_DECL, t->loc);
        s->decl_type = parse_type_tok(p, t);
        Token *nt = peek(p);
        s->name = expect_ident(p, "a variable name");
        s->loc = nt->loc;
        expect(p, T_ASSIGN, "'=' (a declaration needs an initialiser)");
        s->expr = parse_expr(p);
        return s;
    }
    Expr *e = parse_expr(p);
    Token *op = peek(p);
    if (op->kind == T_ASSIGN || compound_op(op->kind) != T_EOF) {
        next(p);
        Stmt *s = new_stmt(S_ASSIGN, op->loc);
        s->lhs = e;
        Expr *rhs = parse_expr(p);
        if (op->kind != T_ASSIGN) {
            Expr *b = new_expr(E_BINARY, op->loc);
            b->op = compound_op(op->kind);
            b->a = e;
            b->b = rhs;
            rhs = finish(p, b);
        }
        s->rhs = rhs;
        return s;
    }
    Stmt *s = new_stmt(S_EXPR, e->loc);
    s->expr = e;
    return s;
}

static Stmt *parse_stmt_inner(Parser *p);

static Stmt *parse_stmt(Parser *p)
{
    enter(p);
    Stmt *s = parse_stmt_inner(p);
    p->nesting--;
    return s;
}

static Stmt *parse_stmt_inner(Parser *p)
{
    Token *t = peek(p);
    switch (t->kind) {
    case T_LBRACE:
        return parse_block(p);
    case T_SEMI:
        next(p);
        return new_stmt(S_BLOCK, t->loc);
    case T_IF: {
        next(p);
        Stmt *s = new_stmt(S_IF, t->loc);
        expect(p, T_LPAREN, "'('");
        s->cond = parse_expr(p);
        expect(p, T_RPAREN, "')'");
        s->then_s = parse_stmt(p);
        if (accept(p, T_ELSE)) s->else_s = parse_stmt(p);
        return s;
    }
    case T_FOR: {
        next(p);
        Stmt *s = new_stmt(S_FOR, t->loc);
        expect(p, T_LPAREN, "'('");
        if (peek(p)->kind != T_TYPE) syntax_error(p, "a loop variable declaration");
        s->init = parse_simple(p);
        expect(p, T_SEMI, "';'");
        s->cond = parse_expr(p);
        expect(p, T_SEMI, "';'");
        s->step = parse_simple(p);
        if (s->step->kind != S_ASSIGN) {
            error_at(s->step->loc, "the step of a for loop must be an assignment");
            longjmp(p->recover, 1);
        }
        expect(p, T_RPAREN, "')'");
        s->body = parse_stmt(p);
        return s;
    }
    case T_RETURN: {
        next(p);
        Stmt *s = new_stmt(S_RETURN, t->loc);
        if (peek(p)->kind != T_SEMI) s->expr = parse_expr(p);
        expect(p, T_SEMI, "';'");
        return s;
    }
    case T_SWITCH: {
        next(p);
        Stmt *s = new_stmt(S_SWITCH, t->loc);
        expect(p, T_LPAREN, "'('");
        s->cond = parse_expr(p);
        expect(p, T_RPAREN, "')'");
        expect(p, T_LBRACE, "'{'");
        int cap = 0;
        while (!accept(p, T_RBRACE)) {
            Token *ct = peek(p);
            Stmt *c = new_stmt(S_CASE, ct->loc);
            int lcap = 0;
            if (accept(p, T_DEFAULT)) {
                expect(p, T_COLON, "':'");
            } else {
                expect(p, T_CASE, "'case', 'default' or '}'");
                do {
                    VEC_PUSH(c->labels, c->nlabels, lcap, parse_binary(p, 3));
                } while (accept(p, T_COMMA));
                expect(p, T_COLON, "':'");
            }
            c->then_s = parse_stmt(p);
            VEC_PUSH(s->stmts, s->nstmts, cap, c);
        }
        return s;
    }
    case T_UNALLOCATED: {
        next(p);
        expect(p, T_SEMI, "';'");
        return new_stmt(S_UNALLOCATED, t->loc);
    }
    default: {
        Stmt *s = parse_simple(p);
        expect(p, T_SEMI, "';'");
        return s;
    }
    }
}

/* ---- top level ---------------------------------------------------------------------- */

static void parse_architecture(Parser *p, Token *kw)
{
    Desc *d = p->d;
    if (d->have_arch) {
        error_at(kw->loc, "second architecture declaration (the first is at %s:%d:%d)",
                 d->arch_loc.file, d->arch_loc.line, d->arch_loc.col);
    }
    d->have_arch = true;
    d->arch_loc = kw->loc;
    d->arch_name = expect_ident(p, "the architecture name");
    expect(p, T_LBRACE, "'{'");
    while (!accept(p, T_RBRACE)) {
        Token *key = expect(p, T_IDENT, "'prefix' or 'insn_bits'");
        if (strcmp(key->text, "prefix") == 0) {
            d->prefix = expect_ident(p, "the prefix (a C identifier)");
        } else if (strcmp(key->text, "insn_bits") == 0) {
            Token *nt = expect(p, T_NUM, "the instruction size in bits");
            if (nt->num != 8 && nt->num != 16 && nt->num != 32) {
                error_at(nt->loc, "insn_bits must be 8, 16 or 32");
                d->insn_bits = 32;
            } else {
                d->insn_bits = (int)nt->num;
            }
        } else {
            error_at(key->loc, "unknown architecture property '%s' (expected prefix or insn_bits)",
                     key->text);
            longjmp(p->recover, 1);
        }
        expect(p, T_SEMI, "';'");
    }
}

static Sym *new_sym(SymKind k, const char *name, SrcLoc loc, Type t)
{
    Sym *s = xalloc(sizeof(*s));
    s->kind = k;
    s->name = name;
    s->loc = loc;
    s->type = t;
    return s;
}

static void parse_register(Parser *p)
{
    Desc *d = p->d;
    Type t = parse_type(p);
    static int cap;
    do {
        Token *nt = peek(p);
        const char *name = expect_ident(p, "a register name");
        Sym *s = new_sym(SYM_REG, name, nt->loc, t);
        if (accept(p, T_LBRACKET)) {
            Token *ct = expect(p, T_NUM, "the number of registers in the file");
            if (ct->num < 1 || ct->num > 4096) {
                error_at(ct->loc, "register file size must be 1..4096");
                s->count = 1;
            } else {
                s->count = (int)ct->num;
            }
            expect(p, T_RBRACKET, "']'");
            s->kind = SYM_REGFILE;
        }
        if (peek(p)->kind == T_IDENT && strcmp(peek(p)->text, "pc") == 0) {
            Token *pt = next(p);
            if (s->kind == SYM_REGFILE) error_at(pt->loc, "a register file cannot be the pc");
            else if (t.width != 64 || t.is_signed)
                error_at(pt->loc, "the pc register must be u64");
            else if (d->pc)
                error_at(pt->loc, "second pc register (the first is '%s')", d->pc->name);
            else {
                s->is_pc = true;
                d->pc = s;
            }
        }
        VEC_PUSH(d->regs, d->nregs, cap, s);
    } while (accept(p, T_COMMA));
    expect(p, T_SEMI, "';'");
}

static void parse_mode(Parser *p)
{
    Desc *d = p->d;
    static int cap;
    Type t = parse_type(p);
    Token *nt = peek(p);
    const char *name = expect_ident(p, "a mode name");
    VEC_PUSH(d->modes, d->nmodes, cap, new_sym(SYM_MODE, name, nt->loc, t));
    expect(p, T_SEMI, "';'");
}

static void parse_params(Parser *p, Func *f)
{
    int cap = 0;
    expect(p, T_LPAREN, "'('");
    if (accept(p, T_RPAREN)) return;
    if (peek(p)->kind == T_VOID && peek_at(p, 1)->kind == T_RPAREN) {
        next(p);
        next(p);
        return;
    }
    do {
        Type t = parse_type(p);
        Token *nt = peek(p);
        const char *name = expect_ident(p, "a parameter name");
        VEC_PUSH(f->params, f->nparams, cap, new_sym(SYM_PARAM, name, nt->loc, t));
    } while (accept(p, T_COMMA));
    expect(p, T_RPAREN, "',' or ')'");
}

static Type parse_ret_type(Parser *p, bool allow_string)
{
    Token *t = peek(p);
    if (t->kind == T_VOID) { next(p); return ty_kind(TY_VOID); }
    if (t->kind == T_STRING_KW) {
        next(p);
        if (!allow_string) error_at(t->loc, "only 'extern disasm' functions may return string");
        return ty_kind(TY_STRING);
    }
    return parse_type(p);
}

static void add_func(Desc *d, Func *f)
{
    static int cap;
    VEC_PUSH(d->funcs, d->nfuncs, cap, f);
}

static void parse_extern(Parser *p)
{
    Func *f = xalloc(sizeof(*f));
    f->is_extern = true;
    if (accept(p, T_DISASM)) f->is_disasm = true;
    /* `touches` is contextual (no keyword): an identifier cannot start a return type */
    Token *tt = peek(p);
    if (tt->kind == T_IDENT && strcmp(tt->text, "touches") == 0 && peek_at(p, 1)->kind == T_LPAREN) {
        next(p);
        next(p);
        f->has_touches = true;
        int cap = 0, lcap = 0, nl = 0;
        if (!accept(p, T_RPAREN)) {
            do {
                Token *rt = peek(p);
                const char *name = expect_ident(p, "a register name");
                VEC_PUSH(f->touch_locs, nl, lcap, rt->loc);
                VEC_PUSH(f->touch_names, f->ntouches, cap, name);
            } while (accept(p, T_COMMA));
            expect(p, T_RPAREN, "',' or ')'");
        }
        if (f->is_disasm) error_at(tt->loc, "'extern disasm' functions cannot have touches()");
    }
    f->ret = parse_ret_type(p, f->is_disasm);
    Token *nt = peek(p);
    f->name = expect_ident(p, "the function name");
    f->loc = nt->loc;
    parse_params(p, f);
    expect(p, T_SEMI, "';'");
    add_func(p->d, f);
}

static void parse_helper(Parser *p)
{
    Func *f = xalloc(sizeof(*f));
    f->ret = parse_ret_type(p, false);
    Token *nt = peek(p);
    f->name = expect_ident(p, "the helper name");
    f->loc = nt->loc;
    parse_params(p, f);
    f->body = parse_block(p);
    add_func(p->d, f);
}

/* "sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5" -> mask/value and fields */
void parse_pattern(Desc *d, Insn *in)
{
    const char *s = in->pattern;
    SrcLoc ploc = in->pattern_loc;
    int bits = d->insn_bits ? d->insn_bits : 32;
    int pos = bits;                 /* next bit to assign is pos - 1 */
    int cap = 0;
    bool overflow_reported = false;
    size_t i = 0, n = strlen(s);
    while (i < n) {
        if (s[i] == ' ' || s[i] == '\t') { i++; continue; }
        size_t start = i;
        while (i < n && s[i] != ' ' && s[i] != '\t') i++;
        SrcLoc loc = ploc;
        loc.col += 1 + (int)start;  /* column of the token inside the string */
        const char *tok = s + start;
        size_t len = i - start;
        const char *colon = memchr(tok, ':', len);
        if (colon) {
            size_t nl = (size_t)(colon - tok);
            bool ok = nl > 0 && ((tok[0] >= 'a' && tok[0] <= 'z') || (tok[0] >= 'A' && tok[0] <= 'Z') || tok[0] == '_');
            for (size_t k = 0; ok && k < nl; k++) {
                char c = tok[k];
                ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
            }
            int w = 0;
            size_t k = nl + 1;
            if (k >= len) ok = false;
            for (; ok && k < len; k++) {
                if (tok[k] < '0' || tok[k] > '9') ok = false;
                else if (w < 1000) w = w * 10 + (tok[k] - '0');
            }
            if (!ok || w < 1) {
                error_at(loc, "malformed field '%.*s' in pattern (expected name:width)", (int)len, tok);
                continue;
            }
            char *name = xstrndup(tok, nl);
            for (int f = 0; f < in->nfields; f++)
                if (strcmp(in->fields[f]->name, name) == 0)
                    error_at(loc, "duplicate field '%s' in pattern", name);
            pos -= w;
            if (pos < 0) {
                if (!overflow_reported)
                    error_at(loc, "pattern has more than %d bits", bits);
                overflow_reported = true;
                continue;
            }
            Sym *f = new_sym(SYM_FIELD, name, loc, ty_int(w, false));
            f->field_lo = pos;
            VEC_PUSH(in->fields, in->nfields, cap, f);
            continue;
        }
        for (size_t k = 0; k < len; k++) {
            char c = tok[k];
            if (c != '0' && c != '1' && c != 'x') {
                SrcLoc cl = loc;
                cl.col += (int)k;
                error_at(cl, "unexpected '%c' in pattern (expected 0, 1, x or name:width)",
                         (c >= 32 && c < 127) ? c : '?');
                break;
            }
            pos--;
            if (pos < 0) {
                if (!overflow_reported) error_at(loc, "pattern has more than %d bits", bits);
                overflow_reported = true;
                break;
            }
            if (c != 'x') {
                in->mask |= 1u << pos;
                if (c == '1') in->value |= 1u << pos;
                in->fixed_bits++;
            }
        }
    }
    if (pos > 0)
        error_at(ploc, "pattern has %d bits, insn_bits is %d", bits - pos, bits);
}

static void parse_insn(Parser *p)
{
    Desc *d = p->d;
    static int cap;
    Insn *in = xalloc(sizeof(*in));
    Token *nt = peek(p);
    in->name = expect_ident(p, "the instruction name");
    in->loc = nt->loc;
    Token *pt = expect(p, T_STRING, "the encoding pattern string");
    in->pattern = pt->text;
    in->pattern_loc = pt->loc;
    if (accept(p, T_WHEN)) {
        expect(p, T_LPAREN, "'('");
        in->when = parse_expr(p);
        expect(p, T_RPAREN, "')'");
    }
    expect(p, T_LBRACE, "'{'");
    while (!accept(p, T_RBRACE)) {
        Token *kt = peek(p);
        Stmt **slot;
        SrcLoc *lslot;
        if (kt->kind == T_DECODE) { slot = &in->decode; lslot = &in->decode_loc; }
        else if (kt->kind == T_DISASM) { slot = &in->disasm; lslot = &in->disasm_loc; }
        else if (kt->kind == T_EXECUTE) { slot = &in->execute; lslot = &in->execute_loc; }
        else syntax_error(p, "'decode', 'disasm', 'execute' or '}'");
        next(p);
        if (*slot) error_at(kt->loc, "second %s block in instruction '%s'", tok_name(kt->kind), in->name);
        *slot = parse_block(p);
        *lslot = kt->loc;
    }
    in->order = d->ninsns;
    VEC_PUSH(d->insns, d->ninsns, cap, in);
}

/* `mode` is a keyword only at the start of a top-level declaration, so descriptions
 * may use it as a field or variable name. */
static bool is_mode_kw(Parser *p)
{
    return peek(p)->kind == T_IDENT && strcmp(peek(p)->text, "mode") == 0 && peek_at(p, 1)->kind == T_TYPE;
}

void parse_tokens(Desc *d, Token *toks, int ntoks)
{
    Parser p;
    memset(&p, 0, sizeof(p));
    p.t = toks;
    p.n = ntoks;
    p.d = d;
    while (peek(&p)->kind != T_EOF) {
        if (setjmp(p.recover)) {
            /* skip to the next top-level keyword outside braces */
            int depth = 0;
            p.nesting = 0;
            if (peek(&p)->kind != T_EOF) next(&p);
            while (peek(&p)->kind != T_EOF) {
                TokKind k = peek(&p)->kind;
                if (k == T_LBRACE) depth++;
                else if (k == T_RBRACE && depth > 0) depth--;
                else if (depth == 0 && (k == T_ARCHITECTURE || k == T_REGISTER || is_mode_kw(&p) ||
                                        k == T_EXTERN || k == T_HELPER || k == T_INSN))
                    break;
                next(&p);
            }
            continue;
        }
        if (is_mode_kw(&p)) {
            next(&p);
            parse_mode(&p);
            continue;
        }
        Token *t = next(&p);
        switch (t->kind) {
        case T_ARCHITECTURE: parse_architecture(&p, t); break;
        case T_REGISTER: parse_register(&p); break;
        case T_EXTERN: parse_extern(&p); break;
        case T_HELPER: parse_helper(&p); break;
        case T_INSN: parse_insn(&p); break;
        default:
            p.pos--;
            syntax_error(&p, "a declaration (architecture, register, mode, extern, helper or insn)");
        }
    }
}
