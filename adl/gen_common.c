/* adlc generator support shared by all outputs: C representations of ADL values
 * (64/128-bit containers, normalisation, conversions), the small static-inline
 * runtime every generated C file starts with, and writing output files. */
#include <errno.h>
#include <string.h>
#include "adl/adlc.h"

bool write_file(const char *outdir, const char *name, const Buf *b)
{
    char *path = xasprintf("%s/%s", outdir, name);
    /* an unchanged output keeps its timestamp, so make does not recompile it */
    FILE *old = fopen(path, "rb");
    if (old) {
        bool same = true;
        char tmpbuf[65536];
        size_t off = 0, n;
        while (same && (n = fread(tmpbuf, 1, sizeof(tmpbuf), old)) > 0) {
            if (off + n > b->len || memcmp(tmpbuf, b->data + off, n) != 0) same = false;
            off += n;
        }
        fclose(old);
        if (same && off == b->len) return true;
    }
    /* write to a temporary name and rename, so an interrupted run never leaves a
     * truncated file that make would consider up to date */
    char *tmp = xasprintf("%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "adlc: cannot write %s: %s\n", tmp, strerror(errno));
        return false;
    }
    bool ok = fwrite(b->data ? b->data : "", 1, b->len, f) == b->len;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) fprintf(stderr, "adlc: cannot write %s: %s\n", path, strerror(errno));
    return ok;
}

const char *upper(const char *s)
{
    static char ring[4][256];
    static int k;
    char *b = ring[k++ & 3];
    size_t i = 0;
    for (; s[i] && i < 255; i++) b[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 32) : s[i];
    b[i] = 0;
    return b;
}

int container_bits(int width)
{
    if (width <= 8) return 8;
    if (width <= 16) return 16;
    if (width <= 32) return 32;
    if (width <= 64) return 64;
    return 128;
}

const char *storage_ctype(Type t)
{
    static const char *u[] = { "uint8_t", "uint16_t", "uint32_t", "uint64_t", "unsigned __int128" };
    static const char *s[] = { "int8_t", "int16_t", "int32_t", "int64_t", "__int128" };
    int c = container_bits(t.width);
    int i = c == 8 ? 0 : c == 16 ? 1 : c == 32 ? 2 : c == 64 ? 3 : 4;
    return t.is_signed ? s[i] : u[i];
}

const char *cval_type(Type t) { return t.width > 64 ? "unsigned __int128" : "uint64_t"; }
int cval_bits(Type t) { return t.width > 64 ? 128 : 64; }

char *c_const(u128 v, int bits)
{
    uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);
    if (bits <= 64) return xasprintf("UINT64_C(0x%llx)", (unsigned long long)lo);
    if (hi == 0) return xasprintf("((unsigned __int128)UINT64_C(0x%llx))", (unsigned long long)lo);
    return xasprintf("(((unsigned __int128)UINT64_C(0x%llx) << 64) | UINT64_C(0x%llx))",
                     (unsigned long long)hi, (unsigned long long)lo);
}

char *c_normalize(const char *x, Type t)
{
    int cb = cval_bits(t);
    if (t.width >= cb) return xstrdup(x);
    if (!t.is_signed) {
        char *m = c_const(width_mask(t.width), cb);
        char *r = xasprintf("((%s) & %s)", x, m);
        return r;
    }
    return xasprintf("adl_sext%d((%s), %d)", cb, x, t.width);
}

/* Does a value of type `from`, extended by its own signedness into a container of
 * `cbits` bits, need re-normalising to be a valid `to`? */
bool conv_needs_norm(Type from, Type to, int cbits)
{
    if (to.width >= cbits) return false;
    if (to.width < from.width) return true;
    if (to.width == from.width && to.is_signed != from.is_signed) return true;
    return from.is_signed && !to.is_signed;
}

char *c_convert(const char *x, Type from, Type to)
{
    if (from.kind != TY_INT) from = ty_int(64, false);
    int fb = cval_bits(from), tb = cval_bits(to);
    char *v;
    if (fb == tb) v = xstrdup(x);
    else if (fb == 64) v = from.is_signed ? xasprintf("((unsigned __int128)(__int128)(int64_t)(%s))", x)
                                         : xasprintf("((unsigned __int128)(%s))", x);
    else v = xasprintf("((uint64_t)(%s))", x);
    if (!conv_needs_norm(from, to, tb)) return v;
    return c_normalize(v, to);
}

char *c_truth(const char *x) { return xasprintf("((%s) != 0)", x); }

bool stmt_has_intrinsic(const Stmt *s, Intrinsic which);

static bool expr_has_intrinsic(const Expr *e, Intrinsic which)
{
    if (!e) return false;
    if (e->kind == E_CALL) {
        if (e->intrinsic == which) return true;
        if (e->sym && e->sym->func && !e->sym->func->is_extern && e->sym->func->body &&
            e->sym->func->visit == 2 && stmt_has_intrinsic(e->sym->func->body, which))
            return true;
        for (int i = 0; i < e->nargs; i++)
            if (expr_has_intrinsic(e->args[i], which)) return true;
        return false;
    }
    return expr_has_intrinsic(e->a, which) || expr_has_intrinsic(e->b, which) ||
           expr_has_intrinsic(e->c, which);
}

bool stmt_has_intrinsic(const Stmt *s, Intrinsic which)
{
    if (!s) return false;
    for (int i = 0; i < s->nstmts; i++)
        if (stmt_has_intrinsic(s->stmts[i], which)) return true;
    return expr_has_intrinsic(s->expr, which) || expr_has_intrinsic(s->lhs, which) ||
           expr_has_intrinsic(s->rhs, which) || expr_has_intrinsic(s->cond, which) ||
           stmt_has_intrinsic(s->then_s, which) || stmt_has_intrinsic(s->else_s, which) ||
           stmt_has_intrinsic(s->init, which) || stmt_has_intrinsic(s->step, which) ||
           stmt_has_intrinsic(s->body, which);
}

/* Memory accesses, extern calls, state-touching helpers and exits: operands that must
 * not be evaluated unless their condition holds. */
bool expr_has_effects(const Expr *e)
{
    if (!e) return false;
    if (e->kind == E_CALL) {
        if (e->intrinsic == I_MEM_READ || e->intrinsic == I_MEM_READ_EXCL ||
            e->intrinsic == I_MEM_WRITE || e->intrinsic == I_MEM_WRITE_EXCL ||
            e->intrinsic == I_BRANCH || e->intrinsic == I_UNDEFINED ||
            (e->intrinsic >= I_EXIT_SYSCALL && e->intrinsic <= I_EXIT_WFI) ||
            e->intrinsic == I_EXIT_INVALIDATE_CODE ||
            e->intrinsic == I_CLEAR_EXCL || e->intrinsic == I_BARRIER || e->intrinsic == I_CHECK_ALIGNMENT ||
            e->intrinsic == I_CHECK_SP_ALIGNMENT)
            return true;
        if (e->sym && e->sym->func) {
            Func *f = e->sym->func;
            if (f->is_extern && !f->is_disasm) return true;
            if (!f->is_extern && (f->has_mem || f->has_branch || f->has_reg_write || f->has_side))
                return true;
        }
        for (int i = 0; i < e->nargs; i++)
            if (expr_has_effects(e->args[i])) return true;
        return false;
    }
    return expr_has_effects(e->a) || expr_has_effects(e->b) || expr_has_effects(e->c);
}

static const char c_runtime[] =
"/* ---- ADL value runtime (generated by adlc) ---- */\n"
"static inline __attribute__((unused)) uint64_t adl_sext64(uint64_t x, unsigned w)\n"
"{ unsigned s = 64 - w; return (uint64_t)((int64_t)(x << s) >> s); }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_sext128(unsigned __int128 x, unsigned w)\n"
"{ unsigned s = 128 - w; return (unsigned __int128)((__int128)(x << s) >> s); }\n"
"static inline __attribute__((unused)) uint64_t adl_shl64(uint64_t x, uint64_t n) { return n >= 64 ? 0 : x << n; }\n"
"static inline __attribute__((unused)) uint64_t adl_lshr64(uint64_t x, uint64_t n) { return n >= 64 ? 0 : x >> n; }\n"
"static inline __attribute__((unused)) uint64_t adl_ashr64(uint64_t x, uint64_t n)\n"
"{ return (uint64_t)((int64_t)x >> (n >= 64 ? 63 : n)); }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_shl128(unsigned __int128 x, uint64_t n) { return n >= 128 ? 0 : x << n; }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_lshr128(unsigned __int128 x, uint64_t n) { return n >= 128 ? 0 : x >> n; }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_ashr128(unsigned __int128 x, uint64_t n)\n"
"{ return (unsigned __int128)((__int128)x >> (n >= 128 ? 127 : n)); }\n"
"static inline __attribute__((unused)) uint64_t adl_udiv64(uint64_t x, uint64_t y) { return y ? x / y : 0; }\n"
"static inline __attribute__((unused)) uint64_t adl_urem64(uint64_t x, uint64_t y) { return y ? x % y : x; }\n"
"static inline __attribute__((unused)) uint64_t adl_sdiv64(uint64_t x, uint64_t y)\n"
"{ if (!y) return 0; if ((int64_t)y == -1) return (uint64_t)0 - x; return (uint64_t)((int64_t)x / (int64_t)y); }\n"
"static inline __attribute__((unused)) uint64_t adl_srem64(uint64_t x, uint64_t y)\n"
"{ if (!y) return x; if ((int64_t)y == -1) return 0; return (uint64_t)((int64_t)x % (int64_t)y); }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_udiv128(unsigned __int128 x, unsigned __int128 y) { return y ? x / y : 0; }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_urem128(unsigned __int128 x, unsigned __int128 y) { return y ? x % y : x; }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_sdiv128(unsigned __int128 x, unsigned __int128 y)\n"
"{ if (!y) return 0; if ((__int128)y == -1) return (unsigned __int128)0 - x; return (unsigned __int128)((__int128)x / (__int128)y); }\n"
"static inline __attribute__((unused)) unsigned __int128 adl_srem128(unsigned __int128 x, unsigned __int128 y)\n"
"{ if (!y) return x; if ((__int128)y == -1) return 0; return (unsigned __int128)((__int128)x % (__int128)y); }\n"
"/* IEEE arithmetic on bit patterns (fadd<N>...): the same SSE2 instructions the JIT\n"
" * emits, so interpreter and JIT agree even on NaN payloads. Inline asm because the\n"
" * engine build forbids SSE in C; there the compiler never allocates xmm registers, so\n"
" * they need no clobber (and -mno-sse rejects one). */\n"
"#ifdef __SSE__\n"
"#define ADL_XMM_CLOBBERS : \"xmm0\", \"xmm1\", \"xmm2\"\n"
"#else\n"
"#define ADL_XMM_CLOBBERS\n"
"#endif\n"
"#define ADL_SSE_OP(name, mov, insn, T)                                              \\\n"
"static inline __attribute__((unused)) T name(T x, T y)                             \\\n"
"{ __asm__(mov \" %0, %%xmm0\\n\\t\" mov \" %1, %%xmm1\\n\\t\" insn \" %%xmm1, %%xmm0\\n\\t\" mov \" %%xmm0, %0\" \\\n"
"          : \"+r\"(x) : \"r\"(y) ADL_XMM_CLOBBERS); return x; }\n"
"ADL_SSE_OP(adl_fadd64, \"movq\", \"addsd\", uint64_t)\n"
"ADL_SSE_OP(adl_fsub64, \"movq\", \"subsd\", uint64_t)\n"
"ADL_SSE_OP(adl_fmul64, \"movq\", \"mulsd\", uint64_t)\n"
"ADL_SSE_OP(adl_fdiv64, \"movq\", \"divsd\", uint64_t)\n"
"ADL_SSE_OP(adl_fadd32, \"movd\", \"addss\", uint32_t)\n"
"ADL_SSE_OP(adl_fsub32, \"movd\", \"subss\", uint32_t)\n"
"ADL_SSE_OP(adl_fmul32, \"movd\", \"mulss\", uint32_t)\n"
"ADL_SSE_OP(adl_fdiv32, \"movd\", \"divss\", uint32_t)\n"
"/* ffma<N>: only reached where host_has_fma() held (descriptions guard it), so the\n"
" * VEX instruction the JIT emits is available; a + x * y with one rounding. */\n"
"#define ADL_FMA_OP(name, mov, insn, T)                                              \\\n"
"static inline __attribute__((unused)) T name(T a, T x, T y)                        \\\n"
"{ __asm__(mov \" %0, %%xmm0\\n\\t\" mov \" %1, %%xmm1\\n\\t\" mov \" %2, %%xmm2\\n\\t\"            \\\n"
"          insn \" %%xmm2, %%xmm1, %%xmm0\\n\\t\" mov \" %%xmm0, %0\"                          \\\n"
"          : \"+r\"(a) : \"r\"(x), \"r\"(y) ADL_XMM_CLOBBERS); return a; }\n"
"ADL_FMA_OP(adl_ffma64, \"movq\", \"vfmadd231sd\", uint64_t)\n"
"ADL_FMA_OP(adl_ffma32, \"movd\", \"vfmadd231ss\", uint32_t)\n"
"/* host_has_fma(): the same CPUID/XCR0 test as the JIT's cpu_features.c, so the\n"
" * interpreter takes the same path as translated code. */\n"
"static inline __attribute__((unused)) unsigned char adl_host_has_fma(void)\n"
"{ static signed char known = -1; if (known >= 0) return (unsigned char)known;\n"
"  unsigned a, b, c, d; __asm__ volatile(\"cpuid\" : \"=a\"(a), \"=b\"(b), \"=c\"(c), \"=d\"(d) : \"a\"(1), \"c\"(0));\n"
"  unsigned char r = 0;\n"
"  if (((c >> 12) & 1) && ((c >> 27) & 1) && ((c >> 28) & 1)) {\n"
"    unsigned lo, hi; __asm__ volatile(\"xgetbv\" : \"=a\"(lo), \"=d\"(hi) : \"c\"(0)); (void)hi; r = (lo & 6) == 6; }\n"
"  known = (signed char)r; return r; }\n"
"static inline __attribute__((unused)) uint64_t adl_mask64(unsigned w) { return w >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1; }\n"
"static inline __attribute__((unused)) uint64_t adl_clz64(uint64_t x, unsigned w)\n"
"{ x &= adl_mask64(w); return x ? (uint64_t)(__builtin_clzll(x) - (64 - (int)w)) : w; }\n"
"static inline __attribute__((unused)) uint64_t adl_ctz64(uint64_t x, unsigned w)\n"
"{ x &= adl_mask64(w); return x ? (uint64_t)__builtin_ctzll(x) : w; }\n"
"static inline __attribute__((unused)) uint64_t adl_popcount64(uint64_t x, unsigned w)\n"
"{ x &= adl_mask64(w); x = x - ((x >> 1) & UINT64_C(0x5555555555555555));\n"
"  x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));\n"
"  x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f); return (x * UINT64_C(0x0101010101010101)) >> 56; }\n"
"static inline __attribute__((unused)) uint64_t adl_bswap64(uint64_t x, unsigned w)\n"
"{ if (w == 16) return __builtin_bswap16((uint16_t)x); if (w == 32) return __builtin_bswap32((uint32_t)x);\n"
"  return __builtin_bswap64(x); }\n"
"static inline __attribute__((unused)) uint64_t adl_rbit64(uint64_t x, unsigned w)\n"
"{ uint64_t r = 0; for (unsigned i = 0; i < w; i++) r |= ((x >> i) & 1) << (w - 1 - i); return r; }\n"
"static inline __attribute__((unused)) uint64_t adl_ror64(uint64_t x, uint64_t n, unsigned w)\n"
"{ x &= adl_mask64(w); n %= w; if (!n) return x; return ((x >> n) | (x << (w - n))) & adl_mask64(w); }\n"
"static inline __attribute__((unused)) uint64_t adl_mulh64(uint64_t x, uint64_t y, unsigned w, int sgn)\n"
"{ if (w == 64) return sgn ? (uint64_t)(((__int128)(int64_t)x * (int64_t)y) >> 64)\n"
"                          : (uint64_t)(((unsigned __int128)x * y) >> 64);\n"
"  return sgn ? (uint64_t)(((int64_t)x * (int64_t)y) >> w) : (x * y) >> w; }\n"
"static inline __attribute__((unused)) uint64_t adl_add_carry64(uint64_t x, uint64_t y, uint64_t c, unsigned w)\n"
"{ unsigned __int128 s = (unsigned __int128)(x & adl_mask64(w)) + (y & adl_mask64(w)) + (c & 1);\n"
"  return (uint64_t)(s >> w) & 1; }\n"
"static inline __attribute__((unused)) uint64_t adl_add_overflow64(uint64_t x, uint64_t y, uint64_t c, unsigned w)\n"
"{ uint64_t r = (x + y + (c & 1)) & adl_mask64(w); unsigned sx = (x >> (w - 1)) & 1, sy = (y >> (w - 1)) & 1,\n"
"  sr = (unsigned)(r >> (w - 1)) & 1; return sx == sy && sr != sx; }\n"
"/* ---- end of runtime ---- */\n\n";

void emit_c_prelude(Buf *b) { buf_puts(b, c_runtime); }

static void c_param_type(Buf *b, Type t) { buf_puts(b, storage_ctype(t)); }

void emit_extern_protos(Buf *b, const Desc *d, bool disasm)
{
    for (int i = 0; i < d->nfuncs; i++) {
        const Func *f = d->funcs[i];
        if (!f->is_extern || f->is_disasm != disasm || f->redeclared) continue;
        if (f->ret.kind == TY_VOID) buf_puts(b, "void");
        else if (f->ret.kind == TY_STRING) buf_puts(b, "const char *");
        else c_param_type(b, f->ret);
        buf_printf(b, " %s(", f->name);
        bool first = true;
        if (!disasm) { buf_puts(b, "void *state"); first = false; }
        for (int k = 0; k < f->nparams; k++) {
            if (!first) buf_puts(b, ", ");
            c_param_type(b, f->params[k]->type);
            buf_printf(b, " %s", f->params[k]->name);
            first = false;
        }
        if (first) buf_puts(b, "void");
        buf_puts(b, ");\n");
    }
}

/* C string literal for s */
char *c_string(const char *s)
{
    Buf b = { 0 };
    buf_puts(&b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') buf_printf(&b, "\\%c", c);
        else if (c == '\n') buf_puts(&b, "\\n");
        else if (c == '\t') buf_puts(&b, "\\t");
        else if (c < 32 || c >= 127) buf_printf(&b, "\\%03o", c);
        else buf_append(&b, (const char *)&c, 1);
    }
    buf_puts(&b, "\"");
    return buf_take(&b);
}
