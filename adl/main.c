/* adlc: the ADL compiler's command line. `adlc -o OUTDIR FILE.adl...` reads all files as
 * one description and writes <p>_state.h, <p>_decode.{h,c}, <p>_disasm.c, <p>_interp.c
 * and <p>_translate.c into OUTDIR. Exit status 1 on any error in the description. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "adl/adlc.h"

/* adlc is a batch compiler that frees its AST at exit: leak reports of its sanitizer
 * build would only be noise (the hook is ignored by non-ASan builds). */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }

static void usage(void)
{
    fprintf(stderr, "usage: adlc -o OUTDIR FILE.adl...\n");
    exit(2);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    Buf b = { 0 };
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) buf_append(&b, tmp, n);
    bool err = ferror(f);
    fclose(f);
    if (err) { buf_free(&b); return NULL; }
    *len = b.len;
    return buf_take(&b);
}

static bool make_dirs(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) { free(p); return false; }
        *s = '/';
    }
    bool ok = mkdir(p, 0777) == 0 || errno == EEXIST;
    free(p);
    return ok;
}

int main(int argc, char **argv)
{
    const char *outdir = NULL;
    const char **files = xalloc(sizeof(char *) * (size_t)argc);
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            if (++i >= argc) usage();
            outdir = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            usage();
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (!outdir || nfiles == 0) usage();

    Token *all = NULL;
    int nall = 0, capall = 0;
    for (int i = 0; i < nfiles; i++) {
        size_t len = 0;
        char *src = read_all(files[i], &len);
        if (!src) {
            fprintf(stderr, "adlc: cannot read %s: %s\n", files[i], strerror(errno));
            return 1;
        }
        int n = 0;
        Token *t = lex_file(files[i], src, len, &n);
        for (int k = 0; k < n - 1; k++) VEC_PUSH(all, nall, capall, t[k]);   /* drop T_EOF */
        if (i == nfiles - 1) VEC_PUSH(all, nall, capall, t[n - 1]);
        free(t);
    }
    Desc d;
    memset(&d, 0, sizeof(d));
    parse_tokens(&d, all, nall);
    if (error_count()) return 1;
    sema(&d);
    if (error_count()) return 1;
    if (!make_dirs(outdir)) {
        fprintf(stderr, "adlc: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    /* the translator first: it finds the classification errors */
    bool ok = gen_translate(&d, outdir);
    if (error_count()) {
        char *path = xasprintf("%s/%s_translate.c", outdir, d.prefix);
        remove(path);
        return 1;
    }
    ok = gen_state(&d, outdir) && ok;
    ok = gen_decode(&d, outdir) && ok;
    ok = gen_disasm(&d, outdir) && ok;
    ok = gen_interp(&d, outdir) && ok;
    return ok ? 0 : 1;
}
