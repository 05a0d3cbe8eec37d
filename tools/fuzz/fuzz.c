/* ferry-fuzz: differential fuzzer of `ferry user` (JIT, --interp, sanitizer build)
 * against qemu-aarch64. This file: options, random numbers, processes, ELF helpers,
 * the known-differences file and the summary table. Usage: docs/fuzzing.md. */
#include "tools/fuzz/fuzz.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

struct fuzz_opts opt = {
    .ferry = "build/ferry", .san_ferry = "build/san/ferry", .qemu = "qemu-aarch64",
    .qemu_cpu = "cortex-a57", .known_file = "tools/fuzz/known_differences.txt",
    .streams = 20000, .elf_mutants = 300, .sys_programs = 60, .batch = 200,
    .san_every = 8, .minimise = 5, .timeout = 10.0, .elf_timeout = 3.0,
};

/* ---- random numbers ------------------------------------------------------------------ */

uint64_t rng_next(struct rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct rng rng_for(uint64_t seed, uint64_t stream, uint64_t index)
{
    struct rng r = { seed ^ (stream * 0xd1b54a32d192ed03ull) };
    r.s = rng_next(&r) ^ (index * 0x8cb92ba72f3d8dd7ull);
    rng_next(&r);
    return r;
}

/* ---- processes ----------------------------------------------------------------------- */

const char *const mode_names[M_COUNT] = { "qemu", "jit", "interp", "san" };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void run_start(struct run *r, char *const argv[], const char *tag, const char *cwd)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->out_path, sizeof(r->out_path), "%s/%s.out", opt.workdir, tag);
    snprintf(r->err_path, sizeof(r->err_path), "%s/%s.err", opt.workdir, tag);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("ferry-fuzz: fork");
        exit(2);
    }
    if (pid == 0) {
        setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        int out = open(r->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(r->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        for (int fd = 3; fd < 1024; fd++)   /* the guest sees fds 0-2 only */
            close(fd);
        struct rlimit no_core = { 0, 0 };
        setrlimit(RLIMIT_CORE, &no_core);
        if (chdir(cwd ? cwd : opt.workdir) != 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    r->pid = pid;
    r->started = true;
    r->start = now();
}

static void *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return calloc(1, 1);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap)
            buf = realloc(buf, (cap *= 2) + 1);
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

void run_wait(struct run *rs, int n, double timeout)
{
    int left = 0;
    for (int i = 0; i < n; i++)
        left += rs[i].started && rs[i].pid > 0;
    while (left > 0) {
        bool progress = false;
        for (int i = 0; i < n; i++) {
            struct run *r = &rs[i];
            if (!r->started || r->pid <= 0)
                continue;
            int st;
            pid_t p = waitpid(r->pid, &st, WNOHANG);
            if (p == r->pid) {
                r->status = st;
                r->pid = 0;
                left--;
                progress = true;
                kill(-p, SIGKILL);     /* anything the guest forked */
            } else if (now() - r->start > timeout) {
                kill(-r->pid, SIGKILL);
                kill(r->pid, SIGKILL);
                waitpid(r->pid, &r->status, 0);
                r->timed_out = true;
                r->pid = 0;
                left--;
                progress = true;
            }
        }
        if (!progress && left > 0) {
            struct timespec ts = { 0, 300000 };
            nanosleep(&ts, NULL);
        }
    }
    for (int i = 0; i < n; i++) {
        if (!rs[i].started)
            continue;
        rs[i].out = slurp(rs[i].out_path, &rs[i].out_len);
        rs[i].err = slurp(rs[i].err_path, &rs[i].err_len);
    }
}

void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
    r->out = NULL;
    r->err = NULL;
}

int mode_argv(enum mode m, const char *program, char *const args[], char **argv, int max)
{
    int n = 0;
    switch (m) {
    case M_QEMU:
        argv[n++] = (char *)opt.qemu;
        if (opt.qemu_cpu && *opt.qemu_cpu) {
            argv[n++] = "-cpu";
            argv[n++] = (char *)opt.qemu_cpu;
        }
        break;
    case M_JIT:
        argv[n++] = (char *)opt.ferry;
        argv[n++] = "user";
        break;
    case M_INTERP:
        argv[n++] = (char *)opt.ferry;
        argv[n++] = "user";
        argv[n++] = "--interp";
        break;
    case M_SAN:
    default:
        argv[n++] = (char *)opt.san_ferry;
        argv[n++] = "user";
        break;
    }
    argv[n++] = (char *)program;
    for (int i = 0; args && args[i] && n < max - 1; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return n;
}

bool run_signalled(const struct run *r, int *sig)
{
    if (r->timed_out || !WIFSIGNALED(r->status))
        return false;
    if (sig)
        *sig = WTERMSIG(r->status);
    return true;
}

int run_exit_code(const struct run *r)
{
    return !r->timed_out && WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

bool stderr_has(const struct run *r, const char *needle)
{
    return r->err && strstr(r->err, needle) != NULL;
}

bool sanitizer_report(const struct run *r)
{
    return stderr_has(r, "ERROR: AddressSanitizer") || stderr_has(r, "ERROR: LeakSanitizer") ||
           stderr_has(r, "runtime error:") || stderr_has(r, "ERROR: UndefinedBehaviorSanitizer");
}

bool host_crash(const struct run *r)
{
    if (stderr_has(r, "internal error"))
        return true;
    int sig;
    if (run_signalled(r, &sig) && sig != SIGKILL)
        return !stderr_has(r, "ferry user: uncaught target signal") &&
               /* the guest's own default-action deaths that do not dump core */
               !(sig == SIGPIPE || sig == SIGTERM || sig == SIGINT || sig == SIGHUP ||
                 sig == SIGALRM || sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGVTALRM ||
                 sig == SIGPROF);
    return false;
}

/* ---- ELF helpers --------------------------------------------------------------------- */

bool elf_read(const char *path, struct elf_image *img)
{
    img->data = slurp(path, &img->size);
    return img->size >= sizeof(Elf64_Ehdr) && memcmp(img->data, ELFMAG, SELFMAG) == 0;
}

static size_t vaddr_to_offset(const struct elf_image *img, uint64_t va)
{
    const Elf64_Ehdr *eh = (const void *)img->data;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const void *)(img->data + eh->e_phoff + (size_t)i * eh->e_phentsize);
        if (ph->p_type == PT_LOAD && va >= ph->p_vaddr && va < ph->p_vaddr + ph->p_filesz)
            return (size_t)(ph->p_offset + (va - ph->p_vaddr));
    }
    return 0;
}

size_t elf_symbol_offset(const struct elf_image *img, const char *name, uint64_t *vaddr)
{
    const Elf64_Ehdr *eh = (const void *)img->data;
    const Elf64_Shdr *sh = (const void *)(img->data + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB)
            continue;
        const Elf64_Sym *sym = (const void *)(img->data + sh[i].sh_offset);
        const char *str = (const char *)img->data + sh[sh[i].sh_link].sh_offset;
        for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
            if (strcmp(str + sym[k].st_name, name) == 0) {
                if (vaddr)
                    *vaddr = sym[k].st_value;
                return vaddr_to_offset(img, sym[k].st_value);
            }
        }
    }
    return 0;
}

void elf_code_words(const struct elf_image *img, uint32_t **words, size_t *n, size_t *cap)
{
    const Elf64_Ehdr *eh = (const void *)img->data;
    if (img->size < sizeof(*eh) || eh->e_machine != EM_AARCH64)
        return;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph = (const void *)(img->data + eh->e_phoff + (size_t)i * eh->e_phentsize);
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || ph->p_offset + ph->p_filesz > img->size)
            continue;
        for (uint64_t o = 0; o + 4 <= ph->p_filesz; o += 4) {
            uint32_t w;
            memcpy(&w, img->data + ph->p_offset + o, 4);
            if (w == 0)
                continue;
            if (*n == *cap)
                *words = realloc(*words, (*cap = *cap ? *cap * 2 : 4096) * sizeof(uint32_t));
            (*words)[(*n)++] = w;
        }
    }
}

bool write_file(const char *path, const void *data, size_t size, bool exec)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, exec ? 0755 : 0644);
    if (fd < 0)
        return false;
    bool ok = write(fd, data, size) == (ssize_t)size;
    return close(fd) == 0 && ok;
}

/* ---- the known-differences file ------------------------------------------------------ */

struct known {
    char kind[48];     /* outcome short name, "unalloc", "any", "elf", "sys" */
    char id[48];
    uint32_t mask, value;
    uint64_t lo, hi;   /* `layout`: the address range [lo, hi) */
    char field[48];
    int pos1, pos2;    /* `unpred`: 5-bit register fields that must be equal (not 31) */
};
static struct known knowns[256];
static int n_knowns;

/* Lines: `insn KIND MASK VALUE ID reason...`, `unpred KIND MASK VALUE POS1 POS2 ID`, `elf FIELD ID reason...`,
 * `sys CASE ID reason...`; `#` starts a comment. */
bool known_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "ferry-fuzz: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[1024];
    unsigned lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char what[16], a[48], b[48], c[48], d[48];
        int got = sscanf(line, "%15s %47s %47s %47s %47s", what, a, b, c, d);
        if (got <= 0)
            continue;
        if (n_knowns == 256)
            break;
        struct known *k = &knowns[n_knowns];
        memset(k, 0, sizeof(*k));
        if (strcmp(what, "insn") == 0 && got == 5) {
            snprintf(k->kind, sizeof(k->kind), "%s", a);
            k->mask = (uint32_t)strtoul(b, NULL, 0);
            k->value = (uint32_t)strtoul(c, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", d);
        } else if (strcmp(what, "unpred") == 0) {
            char e[48];
            if (sscanf(line, "%*s %47s %47s %47s %d %d %47s", a, b, c, &k->pos1, &k->pos2, e) != 6) {
                fprintf(stderr, "ferry-fuzz: %s:%u: cannot parse\n", path, lineno);
                fclose(f);
                return false;
            }
            snprintf(k->kind, sizeof(k->kind), "%s", a);
            k->mask = (uint32_t)strtoul(b, NULL, 0);
            k->value = (uint32_t)strtoul(c, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", e);
        } else if (strcmp(what, "elf-entry") == 0 && got == 4) {
            snprintf(k->kind, sizeof(k->kind), "elf-entry");
            k->mask = (uint32_t)strtoul(a, NULL, 0);
            k->value = (uint32_t)strtoul(b, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", c);
        } else if (strcmp(what, "status") == 0 && got == 4) {
            snprintf(k->kind, sizeof(k->kind), "status");
            k->mask = (uint32_t)strtoul(a, NULL, 0);
            k->value = (uint32_t)strtoul(b, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", c);
        } else if (strcmp(what, "sicode") == 0 && got == 5) {
            snprintf(k->kind, sizeof(k->kind), "sicode");
            k->mask = (uint32_t)strtoul(a, NULL, 0);                  /* signal */
            k->value = (uint32_t)strtoul(b, NULL, 0) << 16 | (uint32_t)strtoul(c, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", d);
        } else if (strcmp(what, "siaddr") == 0 && got >= 3) {
            snprintf(k->kind, sizeof(k->kind), "siaddr");
            k->mask = (uint32_t)strtoul(a, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", b);
        } else if (strcmp(what, "layout") == 0 && got == 5) {
            snprintf(k->kind, sizeof(k->kind), "layout");
            k->mask = (uint32_t)strtoul(a, NULL, 0);                  /* signal */
            k->lo = strtoull(b, NULL, 0);
            k->hi = strtoull(c, NULL, 0);
            snprintf(k->id, sizeof(k->id), "%s", d);
        } else if ((strcmp(what, "elf") == 0 || strcmp(what, "elf-both-fail") == 0 ||
                    strcmp(what, "sys") == 0) && got >= 3) {
            snprintf(k->kind, sizeof(k->kind), "%s", what);
            snprintf(k->field, sizeof(k->field), "%s", a);
            snprintf(k->id, sizeof(k->id), "%s", b);
        } else {
            fprintf(stderr, "ferry-fuzz: %s:%u: cannot parse\n", path, lineno);
            fclose(f);
            return false;
        }
        n_knowns++;
    }
    fclose(f);
    return true;
}

const char *known_insn(const char *cause, const uint32_t *words, unsigned n)
{
    for (int i = 0; i < n_knowns; i++) {
        const struct known *k = &knowns[i];
        if (strcmp(k->kind, cause) != 0 && strcmp(k->kind, "any") != 0)
            continue;
        if (strcmp(k->kind, "any") == 0 && strcmp(cause, "unalloc") == 0)
            continue;
        if (strcmp(k->kind, "elf") == 0 || strcmp(k->kind, "sys") == 0 ||
            strcmp(k->kind, "elf-both-fail") == 0 || strcmp(k->kind, "sicode") == 0 || strcmp(k->kind, "status") == 0 ||
            strcmp(k->kind, "siaddr") == 0 || strcmp(k->kind, "layout") == 0 || strcmp(k->kind, "elf-entry") == 0)
            continue;
        for (unsigned w = 0; w < n; w++) {
            if ((words[w] & k->mask) != k->value)
                continue;
            if (k->pos1 != k->pos2) {
                uint32_t f1 = words[w] >> k->pos1 & 31, f2 = words[w] >> k->pos2 & 31;
                if (f1 != f2 || f1 == 31)
                    continue;
            }
            return k->id;
        }
    }
    return NULL;
}

const char *known_status(int qemu_exit, int ferry_exit)
{
    for (int i = 0; i < n_knowns; i++)
        if (strcmp(knowns[i].kind, "status") == 0 && knowns[i].mask == (uint32_t)qemu_exit &&
            knowns[i].value == (uint32_t)ferry_exit)
            return knowns[i].id;
    return NULL;
}

const char *known_sicode(int sig, int64_t qemu_code, int64_t ferry_code)
{
    for (int i = 0; i < n_knowns; i++)
        if (strcmp(knowns[i].kind, "sicode") == 0 && knowns[i].mask == (uint32_t)sig &&
            knowns[i].value == ((uint32_t)qemu_code << 16 | (uint32_t)ferry_code))
            return knowns[i].id;
    return NULL;
}

const char *known_siaddr(int sig, uint64_t qemu_addr, uint64_t ferry_addr)
{
    if (qemu_addr != 0 || ferry_addr < (64ull << 30))
        return NULL;
    for (int i = 0; i < n_knowns; i++)
        if (strcmp(knowns[i].kind, "siaddr") == 0 && knowns[i].mask == (uint32_t)sig)
            return knowns[i].id;
    return NULL;
}

/* qemu faulted with signal sig at addr while Ferry ran past that instruction (streams
 * only branch forward): explained when addr lies in a declared range that Ferry's
 * address-space layout maps and qemu's does not. */
const char *known_layout(int sig, uint64_t qemu_addr, uint64_t qemu_pc, int ferry_sig, uint64_t ferry_pc)
{
    if (ferry_sig != 0 && ferry_pc <= qemu_pc)
        return NULL;
    for (int i = 0; i < n_knowns; i++)
        if (strcmp(knowns[i].kind, "layout") == 0 && knowns[i].mask == (uint32_t)sig &&
            qemu_addr >= knowns[i].lo && qemu_addr < knowns[i].hi)
            return knowns[i].id;
    return NULL;
}

const char *known_elf_entry(uint32_t entry_insn)
{
    for (int i = 0; i < n_knowns; i++)
        if (strcmp(knowns[i].kind, "elf-entry") == 0 && (entry_insn & knowns[i].mask) == knowns[i].value)
            return knowns[i].id;
    return NULL;
}

/* FIELD[/TEXT...]: the mutated field (`*`: any) and texts Ferry's stderr (spaces as
 * underscores) must all contain; `elf-both-fail` lines only when qemu failed too. */
const char *known_elf(const char *field, const char *ferry_err, bool qemu_failed)
{
    char text[512];
    snprintf(text, sizeof(text), "%s", ferry_err ? ferry_err : "");
    for (char *c = text; *c; c++)
        if (*c == ' ')
            *c = '_';
    for (int i = 0; i < n_knowns; i++) {
        bool both = strcmp(knowns[i].kind, "elf-both-fail") == 0;
        if ((strcmp(knowns[i].kind, "elf") != 0 && !both) || (both && !qemu_failed))
            continue;
        char f[48];
        snprintf(f, sizeof(f), "%s", knowns[i].field);
        char *save = NULL, *name = strtok_r(f, "/", &save);
        if (!name || (strcmp(name, "*") != 0 && strcmp(name, field) != 0))
            continue;
        bool ok = true;
        for (char *t = strtok_r(NULL, "/", &save); t && ok; t = strtok_r(NULL, "/", &save))
            ok = strstr(text, t) != NULL;
        if (ok)
            return knowns[i].id;
    }
    return NULL;
}

/* FIELD of a sys line: CALL or CALL/TEXT/TEXT...: the call's name (`*`: any) and texts
 * the line must all contain. */
const char *known_sys(const char *name, const char *line)
{
    for (int i = 0; i < n_knowns; i++) {
        if (strcmp(knowns[i].kind, "sys") != 0)
            continue;
        char f[48];
        snprintf(f, sizeof(f), "%s", knowns[i].field);
        char *save = NULL, *call = strtok_r(f, "/", &save);
        if (!call || (strcmp(call, "*") != 0 && strcmp(call, name) != 0))
            continue;
        bool ok = true;
        for (char *t = strtok_r(NULL, "/", &save); t && ok; t = strtok_r(NULL, "/", &save))
            ok = strstr(line, t) != NULL;
        if (ok)
            return knowns[i].id;
    }
    return NULL;
}

/* ---- the table ----------------------------------------------------------------------- */

const char *const outcome_names[O_COUNT] = {
    [O_IDENTICAL] = "identical",
    [O_DIFF_REGS] = "differs: registers",
    [O_DIFF_FLAGS] = "differs: flags (NZCV)",
    [O_DIFF_FP] = "differs: FP/SIMD (V, FPCR, FPSR)",
    [O_DIFF_MEM] = "differs: memory",
    [O_DIFF_SIGNAL] = "differs: signal/fault",
    [O_DIFF_STDOUT] = "differs: stdout",
    [O_DIFF_STATUS] = "differs: exit status",
    [O_JIT_NO_HANDLER] = "JIT died, qemu ran the handler",
    [O_JIT_SKIPPED] = "  not run under JIT (fault, as above)",
    [O_KNOWN] = "known differences (by design)",
    [O_UNALLOC] = "unallocated in Ferry only",
    [O_HOST_CRASH] = "host crashes",
    [O_HANG] = "hangs (timeout)",
    [O_SANITIZER] = "sanitizer reports",
    [O_QEMU_FAIL] = "reference failed (qemu)",
};

/* An instruction Ferry reports as unallocated where qemu runs it is a gap in the
 * description (the groups listed in docs/user-mode.md, "Not yet described"), counted by
 * encoding group in the table, not a wrong result: the short run does not fail on it. */
bool outcome_fails(enum outcome o)
{
    return o != O_IDENTICAL && o != O_KNOWN && o != O_QEMU_FAIL && o != O_JIT_SKIPPED && o != O_UNALLOC;
}

void table_add_group(struct table *t, const char *group)
{
    for (int i = 0; i < t->n_groups; i++)
        if (strcmp(t->groups[i].name, group) == 0) {
            t->groups[i].n++;
            return;
        }
    if (t->n_groups < 64) {
        snprintf(t->groups[t->n_groups].name, sizeof(t->groups[0].name), "%s", group);
        t->groups[t->n_groups++].n = 1;
    }
}

void table_add_known(struct table *t, const char *id)
{
    for (int i = 0; i < t->n_known; i++)
        if (strcmp(t->known[i].name, id) == 0) {
            t->known[i].n++;
            return;
        }
    if (t->n_known < 64) {
        snprintf(t->known[t->n_known].name, sizeof(t->known[0].name), "%s", id);
        t->known[t->n_known++].n = 1;
    }
}

void table_add_hint(struct table *t, const char *hint)
{
    for (int i = 0; i < t->n_hints; i++)
        if (strcmp(t->hints[i].name, hint) == 0) {
            t->hints[i].n++;
            return;
        }
    if (t->n_hints < 32) {
        snprintf(t->hints[t->n_hints].name, sizeof(t->hints[0].name), "%s", hint);
        t->hints[t->n_hints++].n = 1;
    }
}

/* The ELF and syscall campaigns compare results with qemu-aarch64, whose argument
 * checks and loader often differ from Linux's (the reference Ferry follows): a result
 * difference there is printed for triage, and only a host crash, a hang or a sanitizer
 * report fails the run. Instruction streams fail on every unexplained difference. */
static bool fails_in_campaign(const char *campaign, enum outcome o)
{
    if (strcmp(campaign, "insn") == 0) return outcome_fails(o);
    return o == O_HOST_CRASH || o == O_HANG || o == O_SANITIZER;
}

unsigned long table_failures(const struct table *t)
{
    unsigned long f = 0;
    for (int o = 0; o < O_COUNT; o++)
        if (fails_in_campaign(t->campaign, (enum outcome)o))
            f += t->count[o];
    return f;
}

unsigned long table_to_triage(const struct table *t)
{
    unsigned long n = 0;
    for (int o = 0; o < O_COUNT; o++)
        if (outcome_fails((enum outcome)o) && !fails_in_campaign(t->campaign, (enum outcome)o))
            n += t->count[o];
    return n;
}

void table_print(const struct table *ts, int n)
{
    printf("\n%-38s", "ferry-fuzz summary");
    for (int i = 0; i < n; i++)
        printf(" %12s", ts[i].campaign);
    printf("\n%-38s", "cases");
    for (int i = 0; i < n; i++)
        printf(" %12lu", ts[i].cases);
    printf("\n%-38s", "stream instructions (run by qemu)");
    for (int i = 0; i < n; i++) {
        char b[32] = "-";
        if (ts[i].insns)
            snprintf(b, sizeof(b), "%lu (%lu)", ts[i].insns, ts[i].insns_run);
        printf(" %12s", b);
    }
    printf("\n%-38s", "program runs");
    for (int i = 0; i < n; i++)
        printf(" %12lu", ts[i].runs);
    for (int o = 0; o < O_COUNT; o++) {
        printf("\n%-38s", outcome_names[o]);
        for (int i = 0; i < n; i++)
            printf(" %12lu", ts[i].count[o]);
    }
    printf("\n");
    for (int i = 0; i < n; i++) {
        if (ts[i].n_groups) {
            printf("unallocated in Ferry only, by encoding group (%s):\n", ts[i].campaign);
            for (int g = 0; g < ts[i].n_groups; g++)
                printf("  %-50s %8lu\n", ts[i].groups[g].name, ts[i].groups[g].n);
        }
        if (ts[i].n_hints) {
            printf("failing cases (%s) by likely cause (a heuristic on the records):\n", ts[i].campaign);
            for (int g = 0; g < ts[i].n_hints; g++)
                printf("  %-50s %8lu\n", ts[i].hints[g].name, ts[i].hints[g].n);
        }
        if (ts[i].n_known) {
            printf("known differences (%s), by entry of %s:\n", ts[i].campaign, opt.known_file);
            for (int g = 0; g < ts[i].n_known; g++)
                printf("  %-50s %8lu\n", ts[i].known[g].name, ts[i].known[g].n);
        }
    }
}

static FILE *report_file;
static unsigned reports_printed;

void report(const char *fmt, ...)
{
    va_list ap;
    if (report_file) {
        va_start(ap, fmt);
        vfprintf(report_file, fmt, ap);
        va_end(ap);
        fflush(report_file);
    }
    if (opt.verbose || reports_printed < 2000) {
        reports_printed++;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
    }
}

/* ---- main ---------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: ferry-fuzz [options] [insn|elf|sys|all]...\n"
            "       ferry-fuzz [options] --seed S minimise BATCH INDEX [jit|interp|san]\n"
            "options: --ferry PATH --san PATH --qemu PATH --qemu-cpu CPU --harness ELF\n"
            "         --sysprog ELF --known FILE --seed N --streams N --elf-mutants N\n"
            "         --sys-programs N --batch N --first-batch N --san-every N --minimise N --timeout S\n"
            "         --elf-timeout S\n"
            "         --seed-elf PROG (repeatable) --workdir DIR --report FILE --verbose\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static char *seeds[64];
    bool do_insn = false, do_elf = false, do_sys = false, minimise = false;
    char *rest[8];
    int n_rest = 0;
    opt.seed = (uint64_t)time(NULL);
    opt.elf_seeds = seeds;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (OPT("--ferry")) opt.ferry = v;
        else if (OPT("--san")) opt.san_ferry = v;
        else if (OPT("--qemu")) opt.qemu = v;
        else if (OPT("--qemu-cpu")) opt.qemu_cpu = v;
        else if (OPT("--harness")) opt.harness = v;
        else if (OPT("--sysprog")) opt.sysprog = v;
        else if (OPT("--known")) opt.known_file = v;
        else if (OPT("--seed")) opt.seed = strtoull(v, NULL, 0);
        else if (OPT("--streams")) opt.streams = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--elf-mutants")) opt.elf_mutants = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--sys-programs")) opt.sys_programs = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--batch")) opt.batch = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--first-batch")) opt.first_batch = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--san-every")) opt.san_every = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--minimise")) opt.minimise = (unsigned)strtoul(v, NULL, 0);
        else if (OPT("--timeout")) opt.timeout = strtod(v, NULL);
        else if (OPT("--elf-timeout")) opt.elf_timeout = strtod(v, NULL);
        else if (OPT("--workdir")) opt.workdir = v;
        else if (OPT("--report")) opt.report = v;
        else if (OPT("--seed-elf")) { if (opt.n_elf_seeds < 64) seeds[opt.n_elf_seeds++] = (char *)v; }
        else if (strcmp(a, "--verbose") == 0) opt.verbose = true;
        else if (strcmp(a, "insn") == 0) do_insn = true;
        else if (strcmp(a, "elf") == 0) do_elf = true;
        else if (strcmp(a, "sys") == 0) do_sys = true;
        else if (strcmp(a, "all") == 0) do_insn = do_elf = do_sys = true;
        else if (strcmp(a, "minimise") == 0) minimise = true;
        else if (a[0] != '-' && n_rest < 8) rest[n_rest++] = argv[i];
        else usage();
#undef OPT
    }
    /* the programs run in the work directory: make paths absolute */
    static char abs_paths[4][4096];
    const char **paths[4] = { &opt.ferry, &opt.san_ferry, &opt.qemu, &opt.sysprog };
    for (int i = 0; i < 4; i++)
        if (*paths[i] && strchr(*paths[i], '/') && realpath(*paths[i], abs_paths[i]))
            *paths[i] = abs_paths[i];
    if (opt.batch == 0 || opt.batch > 256)
        opt.batch = 256;
    if (!known_load(opt.known_file))
        return 2;
    char tmpl[] = "/tmp/ferry-fuzz.XXXXXX";
    bool own_workdir = false;
    if (!opt.workdir) {
        if (!mkdtemp(tmpl)) {
            perror("ferry-fuzz: mkdtemp");
            return 2;
        }
        opt.workdir = tmpl;
        own_workdir = true;
    }
    if (opt.report)
        report_file = fopen(opt.report, "we");
    signal(SIGPIPE, SIG_IGN);
    int rc;
    if (minimise) {
        rest[n_rest] = NULL;
        rc = minimise_command(n_rest, rest);
    } else {
        if (!do_insn && !do_elf && !do_sys)
            do_insn = do_elf = do_sys = true;
        printf("ferry-fuzz: seed 0x%llx (reproduce with --seed 0x%llx); ferry %s, qemu %s -cpu %s\n",
               (unsigned long long)opt.seed, (unsigned long long)opt.seed, opt.ferry, opt.qemu,
               opt.qemu_cpu);
        fflush(stdout);
        struct table ts[3];
        int n = 0;
        memset(ts, 0, sizeof(ts));
        if (do_insn) { ts[n].campaign = "insn"; campaign_insn(&ts[n++]); }
        if (do_elf) { ts[n].campaign = "elf"; campaign_elf(&ts[n++]); }
        if (do_sys) { ts[n].campaign = "sys"; campaign_sys(&ts[n++]); }
        table_print(ts, n);
        unsigned long fails = 0, triage = 0;
        for (int i = 0; i < n; i++) {
            fails += table_failures(&ts[i]);
            triage += table_to_triage(&ts[i]);
        }
        printf("ferry-fuzz: seed 0x%llx: %lu failing case%s, %lu ELF/syscall result difference%s to triage\n",
               (unsigned long long)opt.seed, fails, fails == 1 ? "" : "s", triage, triage == 1 ? "" : "s");
        rc = fails ? 1 : 0;
    }
    if (own_workdir) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", opt.workdir);
        if (system(cmd) != 0)
            fprintf(stderr, "ferry-fuzz: could not remove %s\n", opt.workdir);
    }
    if (report_file)
        fclose(report_file);
    return rc;
}
