/* `ferry user [options] PROGRAM [ARGS...]`: parses the runner's options, builds the
 * guest process (address space, program image, heap, stack, signal trampoline) and
 * hands it to the run loop. */
#include "hypervisor/user/user.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "hypervisor/trace/trace_args.h"
#include "hypervisor/user/elf_loader.h"
#include "hypervisor/user/initial_stack.h"
#include "hypervisor/user/process.h"
#include "hypervisor/user/user_runtime.h"

extern char **environ;

/* "mov x8, #139 (rt_sigreturn); svc #0": where a guest signal handler returns to. */
static const uint32_t sigreturn_code[2] = { 0xd2801168u, 0xd4000001u };

static void usage(FILE *f)
{
    fprintf(f, "usage: ferry user [--interp] [--stats] [--strace] [--perf-map] [--dump-code FILE]\n"
               "                  [--trace FILE [--trace-pc A..B] [--trace-skip N] [--trace-count M]\n"
               "                   [--trace-el N] [--trace-blocks]] [--argv0 NAME] [--seed N]\n"
               "                  PROGRAM [ARGS...]\n"
               "  Runs a static AArch64 Linux program.\n"
               "  --interp      use the reference interpreter instead of the JIT\n"
               "  --stats       print translation statistics to stderr at exit\n"
               "  --strace      log every syscall to stderr\n"
               "  --perf-map    write /tmp/perf-PID.map (translated blocks) at exit, for perf\n"
               "  --dump-code FILE  write the host code of every translated block to FILE and\n"
               "                its index (offset, size, guest PC) to FILE.map at exit\n"
               "  --argv0 NAME  the program's argv[0] (default: PROGRAM)\n"
               "  --seed N      AT_RANDOM and getrandom from a generator seeded with N instead\n"
               "                of the host's (reproducible runs and traces)\n");
    fputs(trace_options_usage, f);
}

/* The heap starts right after the image; the mmap area grows down from below the
 * stack towards it, like Linux's legacy-free layout. */
static int build_address_space(struct user_process *p, const struct elf_image *img)
{
    struct guest_memory *m = &p->mem;
    p->brk_start = p->brk_current = img->brk_start;
    p->stack_top = m->limit;
    p->stack_bottom = p->stack_top - USER_STACK_SIZE;
    int rc = guest_map_anonymous(m, p->stack_bottom, USER_STACK_SIZE,
                                 GUEST_PROT_READ | GUEST_PROT_WRITE, false);
    if (rc)
        return rc;
    m->mmap_top = p->stack_bottom - USER_STACK_GAP;
    m->mmap_cursor = m->mmap_top;
    uint64_t heap_room = 1ull << 30;
    m->mmap_bottom = img->brk_start + heap_room < m->mmap_top ? img->brk_start + heap_room
                                                              : img->brk_start;
    uint64_t tramp = guest_find_free(m, GUEST_PAGE_SIZE, 0);
    if (!tramp)
        return -ENOMEM;
    rc = guest_map_anonymous(m, tramp, GUEST_PAGE_SIZE, GUEST_PROT_READ | GUEST_PROT_WRITE, false);
    if (rc)
        return rc;
    guest_copy_to(m, tramp, sigreturn_code, sizeof(sigreturn_code));
    rc = guest_protect(m, tramp, GUEST_PAGE_SIZE, GUEST_PROT_READ | GUEST_PROT_EXEC);
    if (rc)
        return rc;
    p->sigreturn_trampoline = tramp;
    return 0;
}

/* argv for re-running the runner on execve: the same options, a new program. */
static char **runner_prefix(const struct user_options *o)
{
    static char *prefix[10];
    static char seed[24];
    int n = 0;
    prefix[n++] = "ferry";
    prefix[n++] = "user";
    if (o->interp) prefix[n++] = "--interp";
    if (o->stats) prefix[n++] = "--stats";
    if (o->strace) prefix[n++] = "--strace";
    if (o->seeded) {
        snprintf(seed, sizeof(seed), "%llu", (unsigned long long)o->seed);
        prefix[n++] = "--seed";
        prefix[n++] = seed;
    }
    prefix[n] = NULL;
    return prefix;
}

int ferry_user_main(int argc, char **argv)
{
    struct user_options opts = { 0 };
    trace_options_init(&opts.trace_options);
    char err[256];
    int taken;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--interp") == 0) {
            opts.interp = true;
        } else if (strcmp(argv[i], "--stats") == 0) {
            opts.stats = true;
        } else if (strcmp(argv[i], "--strace") == 0) {
            opts.strace = true;
        } else if (strcmp(argv[i], "--perf-map") == 0) {
            opts.perf_map = true;
        } else if (strcmp(argv[i], "--dump-code") == 0 && i + 1 < argc) {
            opts.dump_code = argv[++i];
        } else if (strcmp(argv[i], "--argv0") == 0 && i + 1 < argc) {
            opts.argv0 = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (trace_parse_u64(argv[++i], &opts.seed) != 0) {
                fprintf(stderr, "ferry user: --seed: '%s' is not a number\n", argv[i]);
                return 2;
            }
            opts.seeded = true;
        } else if ((taken = trace_option_parse(&opts.trace_options, &opts.trace, argc, argv, &i, err,
                                               sizeof(err))) != 0) {
            if (taken < 0) {
                fprintf(stderr, "ferry user: %s (see ferry user --help)\n", err);
                return 2;
            }
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            fprintf(stderr, "ferry user: unknown option %s (see ferry user --help)\n", argv[i]);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "ferry user: no program given (see ferry user --help)\n");
        return 2;
    }
    if (trace_options_check(&opts.trace_options, opts.trace, err, sizeof(err)) != 0) {
        fprintf(stderr, "ferry user: %s\n", err);
        return 2;
    }
    opts.trace_options.command_line = trace_command_line(argc, argv);
    const char *program = argv[i];

    static struct user_process process;
    struct user_process *p = &process;
    p->strace = opts.strace;
    p->exe_path = program;
    p->host_pid = getpid();
    p->runner_argv_prefix = runner_prefix(&opts);
    int rc = guest_memory_init(&p->mem, GUEST_DEFAULT_LIMIT);
    if (rc) {
        fprintf(stderr, "ferry user: cannot reserve %llu GiB of guest address space: %s\n",
                (unsigned long long)(GUEST_DEFAULT_LIMIT >> 30), strerror(-rc));
        return 1;
    }
    struct elf_image image;
    if (elf_load_file(program, &p->mem, &image, err, sizeof(err)) != 0) {
        fprintf(stderr, "ferry user: %s: %s\n", program, err);
        return 1;
    }
    rc = build_address_space(p, &image);
    if (rc) {
        fprintf(stderr, "ferry user: %s: cannot set up the address space: %s\n", program, strerror(-rc));
        return 1;
    }

    int envc = 0;
    while (environ[envc])
        envc++;
    const char *guest_argv0 = opts.argv0 ? opts.argv0 : program;
    const char **guest_argv = calloc((size_t)(argc - i + 1), sizeof(*guest_argv));
    if (!guest_argv)
        return 1;
    guest_argv[0] = guest_argv0;
    for (int k = i + 1; k < argc; k++)
        guest_argv[k - i] = argv[k];
    struct initial_stack_info info = {
        .argc = argc - i,
        .argv = guest_argv,
        .envc = envc,
        .envp = (const char *const *)environ,
        .execfn = program,
        .image = &image,
        /* what Linux reports for the CPU the ID registers describe (system.adl): CRC32
         * is in ID_AA64ISAR0, and MRS of the ID registers works at EL0 as the kernel's
         * emulation makes it work (HWCAP_CPUID, which glibc checks before reading
         * MIDR_EL1) */
        .hwcap = A64_HWCAP_FP | A64_HWCAP_ASIMD | A64_HWCAP_CRC32 | A64_HWCAP_CPUID,
        .hwcap2 = 0,
        .uid = getuid(), .euid = geteuid(), .gid = getgid(), .egid = getegid(),
    };
    p->seeded = opts.seeded;
    p->random_state = opts.seed;
    if (p->seeded)
        user_random_fill(p, info.random, sizeof(info.random));
    else if (getrandom(info.random, sizeof(info.random), 0) != (ssize_t)sizeof(info.random))
        memset(info.random, 0x5a, sizeof(info.random));
    uint64_t sp;
    rc = initial_stack_build(&p->mem, p->stack_bottom, p->stack_top, &info, &sp);
    free(guest_argv);
    if (rc) {
        fprintf(stderr, "ferry user: %s: cannot build the initial stack: %s\n", program, strerror(-rc));
        return 1;
    }
    if (user_install_fault_handlers(p) != 0) {
        fprintf(stderr, "ferry user: cannot install signal handlers: %s\n", strerror(errno));
        return 1;
    }
    return user_run(p, &opts, image.entry, sp);
}
