/* ferry-fuzz, campaign 3: hostile syscall programs. Case c runs the guest program
 * tools/fuzz/sysprog.c as `sysprog SEED c` (24 templated syscalls with hostile
 * arguments and corrupted signal frames, one output line per call) under qemu-aarch64
 * and the Ferry modes, each in its own scratch directory; stdout and the exit status
 * (or death signal) must agree. The first differing line names the call, which the
 * known-differences file can explain (`sys CALL ID`). */
#include "tools/fuzz/fuzz.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The first line where a and b differ that the known-differences file does not
 * explain: its template name and both lines ("" if none). *known is set to the entry
 * that explained the first explained difference, if any. */
static void first_difference(const struct run *q, const struct run *x, char *name, size_t size,
                             char *ql, char *xl, size_t lsize, const char **known, bool *died_known)
{
    const char *a = (const char *)q->out, *b = (const char *)x->out;
    name[0] = ql[0] = xl[0] = 0;
    *died_known = false;
    for (;;) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) : strlen(a), lb = eb ? (size_t)(eb - b) : strlen(b);
        if (la != lb || memcmp(a, b, la) != 0) {
            const char *line = la ? a : b;
            size_t n = strcspn(line, "(\n"), ll = la ? la : lb;
            char nm[64], text[600];
            snprintf(nm, sizeof(nm), "%.*s", (int)(n < sizeof(nm) ? n : sizeof(nm) - 1), line);
            /* "CALL(ARGS; ptr=KINDS)=QEMU-RESULT|FERRY-RESULT", e.g.
             * "read(fd=-1, n=7; ptr=hole)=-14|-9" */
            const char *qr = memmem(a, la, " = ", 3), *xr = memmem(b, lb, " = ", 3);
            size_t qa = qr ? (size_t)(qr - a) : la;
            const char *qv = qr ? qr + 3 : "", *xv = xr ? xr + 3 : "";
            size_t qvl = qr ? la - (size_t)(qv - a) : 0, xvl = xr ? lb - (size_t)(xv - b) : 0;
            int sig;
            bool ferry_died = lb == 0 && !eb && run_signalled(x, &sig);
            if (ferry_died) {
                xv = "died";
                xvl = 4;
            }
            snprintf(text, sizeof(text), "%.*s=%.*s|%.*s", (int)(qa < 400 ? qa : 400), a,
                     (int)(qvl < 60 ? qvl : 60), qv, (int)(xvl < 60 ? xvl : 60), xv);
            (void)ll;
            /* lines of the same call on both sides, or Ferry died where qemu printed
             * this line ("...|died"): maybe explained */
            const char *k = (la && lb && strncmp(a, b, n + 1) == 0) || (la && ferry_died)
                                ? known_sys(nm, text) : NULL;
            if (k && ferry_died) {
                if (!*known)
                    *known = k;
                *died_known = true;       /* the rest, and the exit status, follow */
                return;
            }
            if (!k) {
                snprintf(name, size, "%s", nm);
                snprintf(ql, lsize, "%.*s", (int)la, a);
                snprintf(xl, lsize, "%.*s", (int)lb, b);
                return;
            }
            if (!*known)
                *known = k;
        }
        if (!ea || !eb)
            return;
        a = ea + 1;
        b = eb + 1;
    }
}

void campaign_sys(struct table *t)
{
    if (!opt.sysprog) {
        printf("sys: no --sysprog, campaign skipped\n");
        return;
    }
    printf("sys: %u hostile syscall programs\n", opt.sys_programs);
    fflush(stdout);
    char seed[32];
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)opt.seed);
    char dirs[M_COUNT][600];
    for (int m = 0; m < M_COUNT; m++) {
        snprintf(dirs[m], sizeof(dirs[m]), "%s/sys-%s", opt.workdir, mode_names[m]);
        mkdir(dirs[m], 0755);
    }
    for (unsigned c = 0; c < opt.sys_programs; c++) {
        char cs[16];
        snprintf(cs, sizeof(cs), "%u", c);
        char *args[] = { seed, cs, NULL };
        struct run runs[M_COUNT];
        memset(runs, 0, sizeof(runs));
        bool san = opt.san_every && c % 2 == 0;
        for (int m = 0; m < M_COUNT; m++) {
            if (m == M_SAN && !san)
                continue;
            char *argv[16], tag[32];
            mode_argv((enum mode)m, opt.sysprog, args, argv, 16);
            snprintf(tag, sizeof(tag), "sys-%s", mode_names[m]);
            run_start(&runs[m], argv, tag, dirs[m]);
        }
        run_wait(runs, M_COUNT, opt.timeout);
        t->cases++;
        enum outcome o = O_IDENTICAL;
        int bad = 0;
        char name[64] = "", ql[200], xl[200];
        const char *known = NULL;
        for (int m = 1; m < M_COUNT; m++) {
            if (!runs[m].started)
                continue;
            t->runs++;
            enum outcome x = O_IDENTICAL;
            char nm[64], a[200], b[200];
            const char *line_known = NULL;
            bool died_known = false;
            first_difference(&runs[M_QEMU], &runs[m], nm, sizeof(nm), a, b, sizeof(a), &line_known,
                             &died_known);
            if (sanitizer_report(&runs[m]))
                x = O_SANITIZER;
            else if (host_crash(&runs[m]))
                x = O_HOST_CRASH;
            else if (runs[m].timed_out && !runs[M_QEMU].timed_out)
                x = O_HANG;
            else if (runs[M_QEMU].timed_out)
                x = O_QEMU_FAIL;
            else if (nm[0])
                x = O_DIFF_STDOUT;
            else if (runs[m].status != runs[M_QEMU].status && !died_known)
                x = O_DIFF_STATUS;
            else if (line_known) {
                x = O_KNOWN;
                known = line_known;
            }
            if (x > o && (o == O_IDENTICAL || o == O_KNOWN || x >= O_HOST_CRASH || o == O_QEMU_FAIL)) {
                o = x;
                bad = m;
                snprintf(name, sizeof(name), "%s", nm);
                snprintf(ql, sizeof(ql), "%s", a);
                snprintf(xl, sizeof(xl), "%s", b);
            }
        }
        t->runs++;
        if (o == O_KNOWN)
            table_add_known(t, known);
        t->count[o]++;
        if (o != O_IDENTICAL && o != O_KNOWN) {
            /* the call of the first unexplained difference, as the likely cause */
            char h[256];
            const char *call = name[0] ? name : ql[0] ? ql : "exit status";
            if (strncmp(call, "signal", 6) == 0 || strstr(xl, "signal-survived"))
                snprintf(h, sizeof(h), "corrupted signal frame accepted (item 6)");
            else if (strcmp(call, "stxr-after") == 0)
                snprintf(h, sizeof(h), "exclusive monitor kept across a syscall/signal return");
            else if (strcmp(call, "wait4") == 0)
                snprintf(h, sizeof(h), "wait4 result (item 10)");
            else if (o == O_DIFF_STDOUT)
                snprintf(h, sizeof(h), "%s result", call);
            else
                snprintf(h, sizeof(h), "%s", outcome_names[o]);
            table_add_hint(t, h);
            report("sys: seed 0x%llx program %u: %s under %s (reproduce: cd SCRATCH && %s user %s %s %u)\n",
                   (unsigned long long)opt.seed, c, outcome_names[o], mode_names[bad], opt.ferry,
                   opt.sysprog, seed, c);
            if (name[0])
                report("    first difference: qemu \"%s\" | %s \"%s\"\n", ql, mode_names[bad], xl);
            report("    status: qemu %d/%d, %s %d/%d; %.300s", runs[M_QEMU].status >> 8,
                   runs[M_QEMU].status & 0x7f, mode_names[bad], runs[bad].status >> 8,
                   runs[bad].status & 0x7f, runs[bad].err_len ? runs[bad].err : "\n");
        }
        for (int m = 0; m < M_COUNT; m++)
            run_free(&runs[m]);
    }
}
