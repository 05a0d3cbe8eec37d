/* adlc lexer: turns one description file into an array of tokens (identifiers,
 * keywords, uN/sN type names, integer literals of up to 128 bits, strings, operators). */
#include <string.h>
#include "adl/adlc.h"

static const struct { const char *word; TokKind kind; } keywords[] = {
    { "architecture", T_ARCHITECTURE }, { "register", T_REGISTER },
    { "extern", T_EXTERN }, { "helper", T_HELPER }, { "insn", T_INSN }, { "when", T_WHEN },
    { "decode", T_DECODE }, { "disasm", T_DISASM }, { "execute", T_EXECUTE },
    { "if", T_IF }, { "else", T_ELSE }, { "for", T_FOR }, { "return", T_RETURN },
    { "unallocated", T_UNALLOCATED }, { "void", T_VOID }, { "string", T_STRING_KW },
    { "true", T_TRUE }, { "false", T_FALSE },
    { "switch", T_SWITCH }, { "case", T_CASE }, { "default", T_DEFAULT },
};

static const char *const tok_names[] = {
    [T_EOF] = "end of file", [T_IDENT] = "identifier", [T_NUM] = "number",
    [T_STRING] = "string", [T_TYPE] = "type",
    [T_ARCHITECTURE] = "'architecture'", [T_REGISTER] = "'register'", [T_MODE] = "'mode'",
    [T_EXTERN] = "'extern'", [T_HELPER] = "'helper'", [T_INSN] = "'insn'",
    [T_WHEN] = "'when'", [T_DECODE] = "'decode'", [T_DISASM] = "'disasm'",
    [T_EXECUTE] = "'execute'", [T_IF] = "'if'", [T_ELSE] = "'else'", [T_FOR] = "'for'",
    [T_RETURN] = "'return'", [T_UNALLOCATED] = "'unallocated'", [T_VOID] = "'void'",
    [T_STRING_KW] = "'string'", [T_TRUE] = "'true'", [T_FALSE] = "'false'",
    [T_SWITCH] = "'switch'", [T_CASE] = "'case'", [T_DEFAULT] = "'default'",
    [T_LPAREN] = "'('", [T_RPAREN] = "')'", [T_LBRACE] = "'{'", [T_RBRACE] = "'}'",
    [T_LBRACKET] = "'['", [T_RBRACKET] = "']'", [T_SEMI] = "';'", [T_COMMA] = "','",
    [T_COLON] = "':'", [T_QUESTION] = "'?'", [T_ASSIGN] = "'='", [T_PLUS] = "'+'",
    [T_MINUS] = "'-'", [T_STAR] = "'*'", [T_SLASH] = "'/'", [T_PERCENT] = "'%'",
    [T_AMP] = "'&'", [T_PIPE] = "'|'", [T_CARET] = "'^'", [T_TILDE] = "'~'",
    [T_BANG] = "'!'", [T_LT] = "'<'", [T_GT] = "'>'", [T_LE] = "'<='", [T_GE] = "'>='",
    [T_EQ] = "'=='", [T_NE] = "'!='", [T_SHL] = "'<<'", [T_SHR] = "'>>'",
    [T_ANDAND] = "'&&'", [T_OROR] = "'||'", [T_PLUS_EQ] = "'+='", [T_MINUS_EQ] = "'-='",
    [T_AMP_EQ] = "'&='", [T_PIPE_EQ] = "'|='", [T_CARET_EQ] = "'^='", [T_SHL_EQ] = "'<<='",
    [T_SHR_EQ] = "'>>='", [T_STAR_EQ] = "'*='",
};

const char *tok_name(TokKind k)
{
    if ((size_t)k < sizeof(tok_names) / sizeof(tok_names[0]) && tok_names[k])
        return tok_names[k];
    return "token";
}

static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

/* "u12" / "s5" / "bool" -> type token */
static bool type_name(const char *s, size_t n, int *width, bool *is_signed)
{
    if (n == 4 && memcmp(s, "bool", 4) == 0) { *width = 1; *is_signed = false; return true; }
    if (n < 2 || n > 4 || (s[0] != 'u' && s[0] != 's')) return false;
    int w = 0;
    for (size_t i = 1; i < n; i++) {
        if (!is_digit(s[i])) return false;
        w = w * 10 + (s[i] - '0');
    }
    if (s[1] == '0') return false;     /* u01 is an identifier */
    *width = w;                        /* range checked by the parser (clear message) */
    *is_signed = s[0] == 's';
    return true;
}

Token *lex_file(const char *file, const char *src, size_t len, int *count)
{
    Token *toks = NULL;
    int n = 0, cap = 0;
    size_t i = 0;
    int line = 1, col = 1;

#define ADVANCE() do { if (src[i] == '\n') { line++; col = 1; } else col++; i++; } while (0)

    while (i < len) {
        char c = src[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            ADVANCE();
            continue;
        }
        if (c == '/' && i + 1 < len && src[i + 1] == '/') {
            while (i < len && src[i] != '\n') ADVANCE();
            continue;
        }
        if (c == '/' && i + 1 < len && src[i + 1] == '*') {
            SrcLoc start = { file, line, col };
            ADVANCE(); ADVANCE();
            bool closed = false;
            while (i < len) {
                if (src[i] == '*' && i + 1 < len && src[i + 1] == '/') {
                    ADVANCE(); ADVANCE();
                    closed = true;
                    break;
                }
                ADVANCE();
            }
            if (!closed) error_at(start, "unterminated comment");
            continue;
        }
        Token t;
        memset(&t, 0, sizeof(t));
        t.loc.file = file;
        t.loc.line = line;
        t.loc.col = col;
        if (is_ident_start(c)) {
            size_t s = i;
            while (i < len && is_ident_char(src[i])) ADVANCE();
            t.kind = T_IDENT;
            t.text = xstrndup(src + s, i - s);
            t.text_len = i - s;
            for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
                if (strcmp(keywords[k].word, t.text) == 0) t.kind = keywords[k].kind;
            if (t.kind == T_IDENT && type_name(t.text, t.text_len, &t.width, &t.is_signed))
                t.kind = T_TYPE;
        } else if (is_digit(c)) {
            int base = 10;
            if (c == '0' && i + 1 < len && (src[i + 1] == 'x' || src[i + 1] == 'X')) base = 16;
            else if (c == '0' && i + 1 < len && (src[i + 1] == 'b' || src[i + 1] == 'B')) base = 2;
            if (base != 10) { ADVANCE(); ADVANCE(); }
            u128 v = 0;
            bool overflow = false, any = false, bad = false;
            while (i < len && (is_ident_char(src[i]))) {
                char d = src[i];
                if (d != '_') {
                    int dv = digit_value(d);
                    if (dv >= base) bad = true;
                    else {
                        u128 nv = v * (u128)base + (u128)dv;
                        if ((nv - (u128)dv) / (u128)base != v) overflow = true;
                        v = nv;
                        any = true;
                    }
                }
                ADVANCE();
            }
            if (bad || !any) error_at(t.loc, "malformed number");
            else if (overflow) error_at(t.loc, "number does not fit in 128 bits");
            t.kind = T_NUM;
            t.num = v;
        } else if (c == '"') {
            ADVANCE();
            Buf b = { 0 };
            bool closed = false;
            while (i < len && src[i] != '\n') {
                if (src[i] == '"') { ADVANCE(); closed = true; break; }
                if (src[i] == '\\' && i + 1 < len) {
                    SrcLoc eloc = { file, line, col };
                    ADVANCE();
                    char e = src[i];
                    char out = 0;
                    switch (e) {
                    case 'n': out = '\n'; break;
                    case 't': out = '\t'; break;
                    case '\\': out = '\\'; break;
                    case '"': out = '"'; break;
                    default: error_at(eloc, "unknown escape sequence '\\%c' (use \\n \\t \\\\ \\\")",
                                      (e >= 32 && e < 127) ? e : '?');
                    }
                    if (out) buf_append(&b, &out, 1);
                    ADVANCE();
                    continue;
                }
                if ((unsigned char)src[i] < 32 && src[i] != '\t') {
                    SrcLoc eloc = { file, line, col };
                    error_at(eloc, "control character in string");
                }
                buf_append(&b, &src[i], 1);
                ADVANCE();
            }
            if (!closed) error_at(t.loc, "unterminated string");
            t.kind = T_STRING;
            t.text_len = b.len;
            t.text = buf_take(&b);
        } else {
            static const struct { const char *s; TokKind k; } ops[] = {
                { "<<=", T_SHL_EQ }, { ">>=", T_SHR_EQ }, { "<<", T_SHL }, { ">>", T_SHR },
                { "<=", T_LE }, { ">=", T_GE }, { "==", T_EQ }, { "!=", T_NE },
                { "&&", T_ANDAND }, { "||", T_OROR }, { "+=", T_PLUS_EQ }, { "-=", T_MINUS_EQ },
                { "&=", T_AMP_EQ }, { "|=", T_PIPE_EQ }, { "^=", T_CARET_EQ }, { "*=", T_STAR_EQ },
                { "(", T_LPAREN }, { ")", T_RPAREN }, { "{", T_LBRACE }, { "}", T_RBRACE },
                { "[", T_LBRACKET }, { "]", T_RBRACKET }, { ";", T_SEMI }, { ",", T_COMMA },
                { ":", T_COLON }, { "?", T_QUESTION }, { "=", T_ASSIGN }, { "+", T_PLUS },
                { "-", T_MINUS }, { "*", T_STAR }, { "/", T_SLASH }, { "%", T_PERCENT },
                { "&", T_AMP }, { "|", T_PIPE }, { "^", T_CARET }, { "~", T_TILDE },
                { "!", T_BANG }, { "<", T_LT }, { ">", T_GT },
            };
            bool found = false;
            for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
                size_t ol = strlen(ops[k].s);
                if (i + ol <= len && memcmp(src + i, ops[k].s, ol) == 0) {
                    t.kind = ops[k].k;
                    for (size_t j = 0; j < ol; j++) ADVANCE();
                    found = true;
                    break;
                }
            }
            if (!found) {
                if ((unsigned char)c >= 32 && (unsigned char)c < 127)
                    error_at(t.loc, "unexpected character '%c'", c);
                else
                    error_at(t.loc, "unexpected byte 0x%02x", (unsigned char)c);
                ADVANCE();
                continue;
            }
        }
        VEC_PUSH(toks, n, cap, t);
    }
    Token eof;
    memset(&eof, 0, sizeof(eof));
    eof.kind = T_EOF;
    eof.loc.file = file;
    eof.loc.line = line;
    eof.loc.col = col;
    VEC_PUSH(toks, n, cap, eof);
    *count = n;
    return toks;
#undef ADVANCE
}
