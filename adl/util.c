/* adlc support: allocation that never returns NULL, growable text buffers and the
 * diagnostics printer (file:line:column: error: message). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "adl/adlc.h"

void *xalloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) { fprintf(stderr, "adlc: out of memory\n"); exit(2); }
    return p;
}

void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p) { fprintf(stderr, "adlc: out of memory\n"); exit(2); }
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *r = xalloc(n + 1);
    memcpy(r, s, n);
    return r;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *r = xalloc((size_t)n + 1);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    return r;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = xvasprintf(fmt, ap);
    va_end(ap);
    return r;
}

void buf_append(Buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    buf_puts(b, s);
    free(s);
}

void buf_free(Buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *buf_take(Buf *b)
{
    char *r = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return r;
}

/* ---- diagnostics -------------------------------------------------------------------- */

#define MAX_ERRORS 30

static int errors;
static bool capturing;
static char **captured;
static int ncaptured, capcaptured;
static char **seen;                      /* printed messages, to drop exact repeats */
static int nseen, capseen;

static void print_error(char *msg)
{
    for (int i = 0; i < nseen; i++)
        if (strcmp(seen[i], msg) == 0) { free(msg); return; }
    VEC_PUSH(seen, nseen, capseen, msg);
    fputs(msg, stderr);
    errors++;
    if (errors >= MAX_ERRORS) {
        fprintf(stderr, "adlc: too many errors, stopping\n");
        exit(1);
    }
}

void error_at(SrcLoc loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = xvasprintf(fmt, ap);
    va_end(ap);
    char *msg = xasprintf("%s:%d:%d: error: %s\n", loc.file ? loc.file : "<input>",
                          loc.line, loc.col, m);
    free(m);
    if (capturing) { VEC_PUSH(captured, ncaptured, capcaptured, msg); return; }
    print_error(msg);
}

int error_count(void) { return errors + (capturing ? ncaptured : 0); }

void diag_capture_begin(void)
{
    for (int i = 0; i < ncaptured; i++) free(captured[i]);
    ncaptured = 0;
    capturing = true;
}

void diag_capture_end(bool report)
{
    capturing = false;
    for (int i = 0; i < ncaptured; i++) {
        if (report) print_error(captured[i]);
        else free(captured[i]);
    }
    ncaptured = 0;
}
