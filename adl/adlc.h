/* adlc internals: the AST, symbols, diagnostics and the interfaces between the
 * compiler's phases (lexer -> parser -> semantic analysis -> generators). */
#ifndef ADLC_H
#define ADLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

typedef unsigned __int128 u128;

/* ---- memory and text buffers -------------------------------------------------------- */
void *xalloc(size_t size);                 /* zeroed; exits on exhaustion */
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

#define VEC_PUSH(arr, n, cap, item) do {                                        \
        if ((n) == (cap)) { (cap) = (cap) ? 2 * (cap) : 8;                      \
            (arr) = xrealloc((arr), (size_t)(cap) * sizeof(*(arr))); }          \
        (arr)[(n)++] = (item);                                                  \
    } while (0)

typedef struct Buf { char *data; size_t len, cap; } Buf;
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_puts(Buf *b, const char *s);
void buf_append(Buf *b, const char *s, size_t n);
void buf_free(Buf *b);
char *buf_take(Buf *b);                    /* the text (never NULL); b is emptied */

/* ---- diagnostics -------------------------------------------------------------------- */
typedef struct SrcLoc { const char *file; int line, col; } SrcLoc;
void error_at(SrcLoc loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  error_count(void);
/* While capturing, errors are collected instead of printed (the translator generator
 * runs several passes and only the last one's errors count). */
void diag_capture_begin(void);
void diag_capture_end(bool report);

/* ---- tokens ------------------------------------------------------------------------- */
typedef enum TokKind {
    T_EOF, T_IDENT, T_NUM, T_STRING, T_TYPE,
    /* keywords */
    T_ARCHITECTURE, T_REGISTER, T_MODE, T_EXTERN, T_HELPER, T_INSN, T_WHEN, T_DECODE,
    T_DISASM, T_EXECUTE, T_IF, T_ELSE, T_FOR, T_RETURN, T_UNALLOCATED, T_VOID,
    T_STRING_KW, T_TRUE, T_FALSE, T_SWITCH, T_CASE, T_DEFAULT,
    /* punctuation and operators */
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACKET, T_RBRACKET, T_SEMI, T_COMMA,
    T_COLON, T_QUESTION, T_ASSIGN,
    T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT, T_AMP, T_PIPE, T_CARET, T_TILDE,
    T_BANG, T_LT, T_GT, T_LE, T_GE, T_EQ, T_NE, T_SHL, T_SHR, T_ANDAND, T_OROR,
    T_PLUS_EQ, T_MINUS_EQ, T_AMP_EQ, T_PIPE_EQ, T_CARET_EQ, T_SHL_EQ, T_SHR_EQ,
    T_STAR_EQ,
} TokKind;

typedef struct Token {
    TokKind kind;
    SrcLoc loc;
    const char *text;      /* identifier / string contents (unescaped) */
    size_t text_len;
    u128 num;              /* T_NUM */
    int width;             /* T_TYPE */
    bool is_signed;        /* T_TYPE */
} Token;

/* Tokenises a whole file; always ends with T_EOF. Errors are reported. */
Token *lex_file(const char *file, const char *src, size_t len, int *count);
const char *tok_name(TokKind k);

/* ---- types -------------------------------------------------------------------------- */
typedef enum TypeKind { TY_INT, TY_UNTYPED, TY_VOID, TY_STRING, TY_ERROR } TypeKind;
typedef struct Type { uint8_t kind, width; bool is_signed; } Type;

static inline Type ty_int(int w, bool s) { Type t = { TY_INT, (uint8_t)w, s }; return t; }
static inline Type ty_kind(TypeKind k) { Type t = { (uint8_t)k, 0, false }; return t; }
const char *type_str(Type t);             /* "u64", "s5", "void"... (static buffer ring) */

/* ---- symbols ------------------------------------------------------------------------ */
typedef enum SymKind {
    SYM_REG, SYM_REGFILE, SYM_MODE, SYM_HELPER, SYM_EXTERN, SYM_FIELD, SYM_DERIVED,
    SYM_VAR, SYM_PARAM,
} SymKind;

struct Func;
typedef struct Sym {
    SymKind kind;
    const char *name;
    SrcLoc loc;
    Type type;
    int count;             /* register file: number of entries */
    bool is_pc;            /* the program counter register */
    bool is_loop_var;      /* `for` variable: never run time */
    int field_lo;          /* instruction field: lowest bit */
    int id;                /* variables: number unique within their body */
    struct Func *func;     /* helpers and externs */
} Sym;

/* ---- expressions -------------------------------------------------------------------- */
typedef enum ExprKind {
    E_NUM, E_NAME, E_INDEX, E_UNARY, E_BINARY, E_TERNARY, E_CAST, E_SLICE, E_CALL,
    E_STRING,
} ExprKind;

typedef enum Intrinsic {
    I_NONE, I_BRANCH, I_MEM_READ, I_MEM_WRITE, I_MEM_READ_EXCL, I_MEM_WRITE_EXCL,
    I_CLEAR_EXCL, I_BARRIER, I_ADD_CARRY, I_ADD_OVERFLOW, I_ADC, I_CLZ, I_CTZ,
    I_POPCOUNT, I_BSWAP, I_RBIT, I_ROR, I_MULH, I_SEXT, I_ZEXT, I_EXIT_SYSCALL,
    I_EXIT_BREAKPOINT, I_EXIT_HVC, I_EXIT_SMC, I_EXIT_WFI, I_UNDEFINED, I_PRINT,
    I_FADD, I_FSUB, I_FMUL, I_FDIV, I_FFMA, I_HOST_HAS_FMA, I_CHECK_ALIGNMENT,
    I_EXIT_INVALIDATE_CODE, I_CHECK_SP_ALIGNMENT,
} Intrinsic;

/* Attributes of a memory intrinsic: mem_read_unpriv<N> / mem_write_unpriv<N> access
 * with EL0's permissions whatever the current EL (LDTR/STTR); the generated code
 * passes them on (IR_MEM_UNPRIV, the interpreter's memory calls). */
#define ADL_MEM_UNPRIV 1u

typedef struct Expr {
    ExprKind kind;
    SrcLoc loc;
    Type type;             /* set by semantic analysis */
    u128 num;              /* E_NUM */
    const char *name;      /* E_NAME, E_INDEX, E_CALL: the name as written */
    const char *str;       /* E_STRING */
    Sym *sym;              /* resolved name / register file / called function */
    TokKind op;            /* E_UNARY, E_BINARY */
    struct Expr *a, *b, *c;/* operands; slice: a<b:c> (c NULL for a<b>); ternary a?b:c */
    struct Expr **args;
    int nargs;
    Intrinsic intrinsic;   /* E_CALL */
    int n;                 /* mem_read<N>, sext<N>, zext<N> */
    unsigned mem_flags;    /* memory intrinsics: ADL_MEM_* */
    Type cast_to;          /* E_CAST */
    int slice_width;       /* E_SLICE */
    int depth;             /* height of the tree below (parser limit) */
} Expr;

/* ---- statements --------------------------------------------------------------------- */
typedef enum StmtKind {
    S_BLOCK, S_DECL, S_ASSIGN, S_EXPR, S_IF, S_FOR, S_RETURN, S_UNALLOCATED,
    S_SWITCH,              /* rewritten by sema into a declaration and an if chain */
    S_CASE,                /* inside S_SWITCH: labels in args (none: default), body then_s */
} StmtKind;

typedef struct Stmt {
    StmtKind kind;
    SrcLoc loc;
    struct Stmt **stmts;   /* S_BLOCK */
    int nstmts;
    Type decl_type;        /* S_DECL */
    const char *name;      /* S_DECL */
    Sym *var;              /* S_DECL */
    Expr *lhs, *rhs;       /* S_ASSIGN (rhs already includes a compound operator) */
    Expr *expr;            /* S_EXPR, S_RETURN (may be NULL), S_DECL initialiser */
    Expr *cond;            /* S_IF, S_FOR */
    struct Stmt *then_s, *else_s;   /* S_IF */
    struct Stmt *init, *step, *body;/* S_FOR */
    Expr **labels;         /* S_CASE */
    int nlabels;
    bool infer_type;       /* S_DECL made by sema: the variable takes the initialiser's type */
} Stmt;

/* ---- top-level declarations --------------------------------------------------------- */
typedef struct Func {
    const char *name;
    SrcLoc loc;
    Type ret;
    bool is_extern, is_disasm;
    bool redeclared;       /* an identical extern declared again (ignored) */
    /* extern touches(R, ...): the helper accesses only these scalar registers (the
     * translator calls ir_call_touching with the byte range covering them) */
    bool has_touches;
    const char **touch_names;
    SrcLoc *touch_locs;
    int ntouches;
    Sym **touch_regs;      /* resolved by sema */
    Sym **params;
    int nparams;
    Stmt *body;            /* helpers */
    /* semantic analysis results */
    int visit;             /* recursion check: 0 new, 1 in progress, 2 done */
    bool uses_state;       /* touches registers, memory, externs or leaves the block */
    bool has_branch;       /* calls branch() (possibly through helpers) */
    bool has_mem;          /* accesses memory */
    bool has_reg_write;
    bool reads_pc;
    bool has_side;         /* externs, exits, barriers (not plain register reads) */
    struct Func **callees; /* helpers called directly */
    int ncallees;
    int nvars;             /* variables declared in the body */
} Func;

typedef struct Insn {
    const char *name;
    SrcLoc loc;
    const char *pattern;
    SrcLoc pattern_loc;
    uint32_t mask, value;
    int fixed_bits;
    int order;
    Sym **fields;
    int nfields;
    Expr *when;
    Stmt *decode, *disasm, *execute;
    SrcLoc decode_loc, disasm_loc, execute_loc;
    Sym **derived;
    int nderived;
    int nvars;             /* variables of all bodies (ids) */
    bool has_branch, has_mem, has_reg_write;
} Insn;

typedef struct Desc {
    bool have_arch;
    SrcLoc arch_loc;
    const char *arch_name;
    const char *prefix;
    int insn_bits;
    Sym **regs;            /* registers and register files in declaration order */
    int nregs;
    Sym *pc;
    Sym **modes;
    int nmodes;
    Func **funcs;          /* helpers and externs */
    int nfuncs;
    Insn **insns;
    int ninsns;
} Desc;

/* ---- phases ------------------------------------------------------------------------- */
void parse_tokens(Desc *d, Token *toks, int ntoks);
void parse_pattern(Desc *d, Insn *in);   /* called by sema once insn_bits is known */
void sema(Desc *d);
/* printf-like conversions of print(): next conversion char or 0; *len 0, 'l' or 'L' */
int fmt_next(const char *f, size_t *i, int *len, bool *bad);

/* Generators: each writes one output file into outdir; false on I/O error. */
bool gen_state(const Desc *d, const char *outdir);
bool gen_decode(const Desc *d, const char *outdir);
bool gen_disasm(const Desc *d, const char *outdir);
bool gen_interp(const Desc *d, const char *outdir);
bool gen_translate(const Desc *d, const char *outdir);

/* ---- shared by the generators (gen_common.c) ----------------------------------------- */
bool write_file(const char *outdir, const char *name, const Buf *b);
const char *upper(const char *s);          /* static buffer ring */
int container_bits(int width);              /* 8, 16, 32, 64 or 128 for storage */
const char *storage_ctype(Type t);          /* uint8_t ... unsigned __int128 / int8_t ... */
const char *cval_type(Type t);              /* uint64_t or unsigned __int128 */
int cval_bits(Type t);                      /* 64 or 128 */
char *c_const(u128 v, int bits);            /* C literal for v in a 64/128-bit container */
char *c_normalize(const char *x, Type t);   /* make container value normalised for t */
char *c_convert(const char *x, Type from, Type to);
char *c_truth(const char *x);
char *c_string(const char *s);             /* C string literal */
void emit_c_prelude(Buf *b);                /* static inline runtime used by generated C */
void emit_extern_protos(Buf *b, const Desc *d, bool disasm);
u128 width_mask(int w);
bool expr_has_effects(const Expr *e);
bool stmt_has_intrinsic(const Stmt *s, Intrinsic which);

/* C code generation for bodies without run-time classification (decode, disasm,
 * interpreter): see gen_c.c. */
typedef enum CMode { CM_DECODE, CM_DISASM, CM_INTERP, CM_WHEN } CMode;
typedef struct CGen {
    const Desc *d;
    const Insn *insn;
    CMode mode;
    Buf *out;
    int indent;
    int label;             /* unique label / temporary counter */
    /* variables: C names per Sym (indexed by Sym id within an inlining instance) */
    struct CBinding *bind; /* Sym -> C name, innermost last */
    int nbind, capbind;
    const char *ret_var, *ret_label;   /* inside an inlined helper */
    Type ret_type;
    bool undo;             /* interpreter: keep an undo log of register writes */
} CGen;
typedef struct CBinding { const Sym *sym; const char *cname; } CBinding;
void cg_bind(CGen *g, const Sym *sym, const char *cname);
const char *cg_lookup(CGen *g, const Sym *sym);
char *cg_expr(CGen *g, const Expr *e);
/* operator formulas on C containers, shared with the translator's translation-time code */
char *c_num(const Expr *e);
char *c_op_unary(const Expr *e, const char *a);
char *c_op_binary(const Expr *e, const char *a, const char *b);
char *c_op_ternary(const Expr *e, const char *c, const char *a, const char *b);
char *c_op_slice(const Expr *e, const char *x, const char *lo);
char *c_op_intrinsic(const Expr *e, char **args);
bool conv_needs_norm(Type from, Type to, int cbits);
char *load_storage(const char *x, Type t);
void cg_stmt(CGen *g, const Stmt *s);
void cg_indent(CGen *g);
void cg_bind_fields(CGen *g, const Insn *in, const char *src); /* declares f_/g_ locals */

#endif
