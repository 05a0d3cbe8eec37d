/* ferry-fuzz: the differential fuzzer of `ferry user` against qemu-aarch64
 * (docs/fuzzing.md). Shared declarations of its parts: process running (proc.c), ELF
 * helpers (elfutil.c), the known-differences file (known.c), the outcome table
 * (fuzz.c) and the three campaigns (insn.c, elfmut.c, sys.c). */
#ifndef FERRY_TOOLS_FUZZ_H
#define FERRY_TOOLS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- options ------------------------------------------------------------------------- */
struct fuzz_opts {
    const char *ferry, *san_ferry, *qemu, *qemu_cpu;
    const char *harness, *sysprog, *known_file, *workdir, *report;
    char **elf_seeds;              /* valid static programs: ELF mutants, real words */
    int n_elf_seeds;
    uint64_t seed;
    unsigned streams, elf_mutants, sys_programs;
    unsigned batch;                /* streams per harness run */
    unsigned first_batch;          /* start at this batch (replaying part of a seed) */
    unsigned san_every;            /* run the sanitizer build on every Nth batch (0: never) */
    unsigned minimise;             /* minimise at most this many differing streams */
    double timeout;                /* seconds per run */
    double elf_timeout;            /* seconds per ELF-mutant run */
    bool verbose;
};
extern struct fuzz_opts opt;

/* ---- random numbers (seeded per case so one case can be replayed) --------------------- */
struct rng { uint64_t s; };
uint64_t rng_next(struct rng *r);
static inline uint64_t rng_below(struct rng *r, uint64_t n) { return n ? rng_next(r) % n : 0; }
struct rng rng_for(uint64_t seed, uint64_t stream, uint64_t index);

/* ---- processes ---------------------------------------------------------------------- */
enum mode { M_QEMU, M_JIT, M_INTERP, M_SAN, M_COUNT };
extern const char *const mode_names[M_COUNT];

struct run {
    pid_t pid;
    int status;                    /* waitpid status */
    bool timed_out, started;
    double start;
    char out_path[512], err_path[512];
    uint8_t *out; size_t out_len;
    char *err; size_t err_len;
};
/* Starts `argv` (stdin /dev/null, stdout/stderr to files named after tag in the
 * work directory, cwd = cwd or the work directory). */
void run_start(struct run *r, char *const argv[], const char *tag, const char *cwd);
/* Waits for every started run, killing those that pass the timeout; reads outputs. */
void run_wait(struct run *rs, int n, double timeout);
void run_free(struct run *r);
/* argv of mode m running program with args (NULL-terminated); returns argc. */
int mode_argv(enum mode m, const char *program, char *const args[], char **argv, int max);
bool run_signalled(const struct run *r, int *sig);
int run_exit_code(const struct run *r);  /* -1 if signalled */
bool stderr_has(const struct run *r, const char *needle);
bool sanitizer_report(const struct run *r);
/* A host crash: ferry died of a signal without saying it is the guest's, or said
 * "internal error". */
bool host_crash(const struct run *r);

/* ---- ELF helpers -------------------------------------------------------------------- */
struct elf_image { uint8_t *data; size_t size; };
bool elf_read(const char *path, struct elf_image *img);
/* File offset of the symbol's address (via the program headers), 0 if not found. */
size_t elf_symbol_offset(const struct elf_image *img, const char *name, uint64_t *vaddr);
/* Appends the words of executable PT_LOAD segments to *words. */
void elf_code_words(const struct elf_image *img, uint32_t **words, size_t *n, size_t *cap);
bool write_file(const char *path, const void *data, size_t size, bool exec);

/* ---- the outcome table -------------------------------------------------------------- */
enum outcome {
    O_IDENTICAL,
    O_DIFF_REGS, O_DIFF_FLAGS, O_DIFF_FP, O_DIFF_MEM, O_DIFF_SIGNAL, O_DIFF_STDOUT,
    O_DIFF_STATUS,
    O_JIT_NO_HANDLER,              /* JIT died of a fault where qemu ran the handler */
    O_JIT_SKIPPED,                 /* not run under the JIT: qemu faulted there and the
                                      JIT has been seen dying of such faults (item 11) */
    O_KNOWN,                       /* a difference the known-differences file explains */
    O_UNALLOC,                     /* unallocated in Ferry only (by group: table) */
    O_HOST_CRASH, O_HANG, O_SANITIZER, O_QEMU_FAIL,
    O_COUNT
};
extern const char *const outcome_names[O_COUNT];
/* True for outcomes the short run fails on. */
bool outcome_fails(enum outcome o);

struct table {
    const char *campaign;
    unsigned long cases, runs;
    unsigned long insns, insns_run;   /* stream instructions generated / run by qemu */
    unsigned long count[O_COUNT];
    struct { char name[64]; unsigned long n; } groups[64];   /* unallocated by group */
    int n_groups;
    struct { char name[64]; unsigned long n; } known[64];    /* known differences by id */
    int n_known;
    struct { char name[64]; unsigned long n; } hints[32];    /* failing cases by likely cause */
    int n_hints;
};
void table_add_group(struct table *t, const char *group);
void table_add_known(struct table *t, const char *id);
void table_add_hint(struct table *t, const char *hint);
void table_print(const struct table *t, int n);
unsigned long table_failures(const struct table *t);
/* The result differences of the ELF and syscall campaigns, reported for triage only. */
unsigned long table_to_triage(const struct table *t);

/* Appends a line to the report file (and to stdout if verbose or the first few). */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the known-differences file ----------------------------------------------------- */
/* Kinds a line can explain: a difference cause, `unalloc` (unallocated in Ferry
 * only), `elf` (an ELF mutant's status/stdout), `sys` (a syscall program's line). */
bool known_load(const char *path);
/* Instruction campaigns: the id of a line whose kind matches `cause` (an outcome's
 * short name or "unalloc") and whose mask/value matches one of the words, or NULL. */
const char *known_insn(const char *cause, const uint32_t *words, unsigned n);
/* A line "sicode SIGNO QEMU FERRY ID": qemu and Ferry give the same signal different
 * si_code values by design (e.g. qemu's SIGILL code for undefined instructions). */
const char *known_sicode(int sig, int64_t qemu_code, int64_t ferry_code);
/* A line "siaddr SIGNO ID": qemu reports fault address 0 where Ferry reports an
 * address no AArch64 user mapping can have (>= 2^48, e.g. a tagged pointer). */
const char *known_siaddr(int sig, uint64_t qemu_addr, uint64_t ferry_addr);
/* A line "layout SIGNO LO HI ID": qemu faults with SIGNO at an address in [LO, HI)
 * that Ferry's address-space layout maps, so Ferry runs past that instruction. */
const char *known_layout(int sig, uint64_t qemu_addr, uint64_t qemu_pc, int ferry_sig, uint64_t ferry_pc);
/* A line "status QEMU FERRY ID": qemu exiting QEMU and Ferry exiting FERRY, both
 * without any stdout, are the same outcome (both refused to load the program). */
const char *known_status(int qemu_exit, int ferry_exit);
/* ELF campaign: a line "elf FIELD[/TEXT...] ID" (or "elf-both-fail ...", only when
 * qemu failed too: died of a signal or exited non-zero without stdout) that explains
 * a mutant of FIELD whose Ferry stderr contains every TEXT (spaces as underscores). */
const char *known_elf(const char *field, const char *ferry_err, bool qemu_failed);
/* ELF campaign: a line "elf-entry MASK VALUE ID" that explains any difference of a
 * mutant whose first instruction (the word at its entry point) matches. */
const char *known_elf_entry(uint32_t entry_insn);
/* Syscall campaign: a line "sys CALL ID", "sys CALL/TEXT ID" or "sys * /TEXT ID"
 * explaining a differing output line of call CALL (that contains TEXT). */
const char *known_sys(const char *name, const char *line);

/* ---- campaigns ---------------------------------------------------------------------- */
void campaign_insn(struct table *t);
void campaign_elf(struct table *t);
void campaign_sys(struct table *t);
/* Minimise one stream given as words + the seed-derived initial state. */
int minimise_command(int argc, char **argv);

#endif
