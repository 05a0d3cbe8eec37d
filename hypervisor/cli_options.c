/* Parsing of the ferry command line into struct ferry_options. Pure: no I/O, no
 * globals, no file checks (those belong to the commands), so tests cover it fully. */
#include "hypervisor/cli_options.h"
#include "hypervisor/trace/trace_args.h"
#include "hypervisor/error_text.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ferry_usage_text[] =
    "usage: ferry [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
    "\n"
    "Ferry runs AArch64 guests on x86-64 Linux hosts: the engine, a unikernel in a KVM\n"
    "virtual machine, translates the guest's code.\n"
    "\n"
    "Commands:\n"
    "  selftest [--crash[=KIND]] [--iterations N] [--memory SIZE]\n"
    "                        boot the engine in self-test mode: run its checks and\n"
    "                        benchmarks, print a table, exit 0 only if all pass\n"
    "  run --kernel FILE [--initrd FILE] [--dtb FILE] [--append TEXT] [--mem SIZE]\n"
    "      [--disk FILE] [--dump-dtb FILE] [--stats] [--interp] [--hosted|--kvm]\n"
    "      [--mmu host-pt|soft-tlb] [--trace FILE [--trace-pc A..B] [--trace-skip N]\n"
    "      [--trace-count M] [--trace-el N] [--trace-blocks]]\n"
    "                        boot a guest kernel on the virt board until it powers off\n"
    "                        (console on stdio, Ctrl-A x quits), in the engine under\n"
    "                        KVM, or hosted where KVM cannot be used\n"
    "  user PROGRAM [ARGS...]\n"
    "                        run an AArch64 Linux user program without KVM\n"
    "  trace show|stats|diff FILE...\n"
    "                        read instruction traces (see docs/trace.md)\n"
    "  help, version         the same as --help, --version\n"
    "\n"
    "Global options (also accepted after selftest and run):\n"
    "  --kvm-device PATH     KVM device (default /dev/kvm; env FERRY_KVM_DEVICE)\n"
    "  --engine PATH         engine ELF (default: engine.elf next to the ferry binary)\n"
    "  --engine-memory SIZE  memory for the engine, 16M..1G (default 256M)\n"
    "  --watchdog SECONDS    stop and report if the engine makes no exit for this long\n"
    "                        (default 30, 0 disables)\n"
    "  -h, --help            show this help\n"
    "  -V, --version         show the version\n"
    "\n"
    "Selftest options:\n"
    "  --crash[=KIND]        make the engine fail on purpose to show the fatal report;\n"
    "                        KIND: pf (page fault, the default), ud (invalid opcode),\n"
    "                        panic, nested (fault while reporting), stack (overflow)\n"
    "  --iterations N        compute-loop iterations per run (default 100000000)\n"
    "  --memory SIZE         the same as --engine-memory\n"
    "\n"
    "Run options:\n"
    "  --kernel FILE         guest kernel: AArch64 ELF, arm64 Image, Image.gz or raw\n"
    "                        binary, loaded as QEMU's -kernel loads it\n"
    "  --initrd FILE         initial ramdisk (Image and raw kernels)\n"
    "  --dtb FILE            device tree blob to use instead of the generated one\n"
    "                        (memory, /chosen and /psci adapted as QEMU's -dtb does)\n"
    "  --append TEXT         kernel command line (/chosen/bootargs)\n"
    "  --mem SIZE            guest RAM, 1M..255G (default 512M; a plain number means\n"
    "                        MiB); also -m SIZE, --memory SIZE\n"
    "  --disk FILE           disk image (virtio-blk; refused until that device exists)\n"
    "  --dump-dtb FILE       write the guest's device tree to FILE and exit\n"
    "  --stats               print the emulator's counters at exit\n"
    "  --interp              run the generated interpreter instead of the JIT\n"
    "  --hosted              run the system emulator in the ferry process (no KVM)\n"
    "  --kvm                 run it in the engine under KVM or fail (without either,\n"
    "                        ferry runs hosted, with a notice, when KVM is unusable)\n"
    "  --profile             sample where the engine spends its time (1000 Hz) and\n"
    "                        print the hottest functions at exit (engine only)\n"
    "  --mmu STRATEGY        guest MMU: host-pt (host page tables, engine only) or\n"
    "                        soft-tlb (software TLB); default: the faster one measured\n"
    "                        for the platform\n"
    "  --trace FILE          record an instruction trace (ferry trace show|stats|diff);\n"
    "                        --trace-pc A[..B] (repeatable), --trace-skip N,\n"
    "                        --trace-count M, --trace-el N: record only those\n"
    "                        instructions; --trace-blocks: block entries only\n"
    "\n"
    "Environment: FERRY_KVM_DEVICE (KVM device), FERRY_KVM_FLAVOUR=hardware|pvlite\n"
    "(override the detected KVM flavour, for tests).\n"
    "Sizes take K, M, G or T suffixes (powers of 1024).\n";

bool ferry_parse_size(const char *text, uint64_t *bytes)
{
    const char *p = text;
    uint64_t number = 0, shift = 20;
    if (!text || *p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (number > (UINT64_MAX - digit) / 10)
            return false;
        number = number * 10 + digit;
    }
    if (*p) {
        switch (*p) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        default: return false;
        }
        p++;
        if (strcmp(p, "") != 0 && strcmp(p, "B") != 0 && strcmp(p, "iB") != 0)
            return false;
    }
    if (number > (UINT64_MAX >> shift))
        return false;
    *bytes = number << shift;
    return true;
}

static bool parse_unsigned(const char *text, uint64_t max, uint64_t *value)
{
    char *end;
    unsigned long long parsed;
    if (!text || *text < '0' || *text > '9')
        return false;
    errno = 0;
    parsed = strtoull(text, &end, 10);
    if (errno || *end || parsed > max)
        return false;
    *value = parsed;
    return true;
}

/* The state of one parse, so the option helpers can report errors uniformly. */
struct parser {
    int argc;
    char **argv;
    int i;
    char *err;
    size_t err_size;
};

enum match { NO_MATCH, MATCHED, MISSING_VALUE };

/* Matches argv[i] against `name` taking a value as "--name VALUE" or "--name=VALUE"
 * (short names only in the first form). Advances p->i past the value. */
static enum match match_valued(struct parser *p, const char *name, const char **value)
{
    const char *arg = p->argv[p->i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0)
        return NO_MATCH;
    if (arg[len] == '=' && name[1] == '-') {
        *value = arg + len + 1;
        return MATCHED;
    }
    if (arg[len] != '\0')
        return NO_MATCH;
    if (p->i + 1 >= p->argc) {
        ferry_set_error(p->err, p->err_size, "option %s needs a value", name);
        return MISSING_VALUE;
    }
    p->i++;
    *value = p->argv[p->i];
    return MATCHED;
}

/* Result of trying one family of options on argv[i]. */
enum tried { NOT_MINE, TAKEN, FAILED };

/* An option whose value is a path: it must be present and non-empty. */
static enum tried try_path_option(struct parser *p, const char *name, const char **path)
{
    const char *value;
    enum match m = match_valued(p, name, &value);
    if (m == NO_MATCH)
        return NOT_MINE;
    if (m == MISSING_VALUE)
        return FAILED;
    if (!*value) {
        ferry_set_error(p->err, p->err_size, "option %s needs a non-empty path", name);
        return FAILED;
    }
    *path = value;
    return TAKEN;
}

/* An engine memory size option (--engine-memory, and --memory after selftest). */
static enum tried try_engine_memory_option(struct parser *p, const char *name,
                                           struct ferry_options *o)
{
    const char *value;
    uint64_t bytes;
    enum match m = match_valued(p, name, &value);
    if (m == NO_MATCH)
        return NOT_MINE;
    if (m == MISSING_VALUE)
        return FAILED;
    if (!ferry_parse_size(value, &bytes) || bytes < FERRY_MIN_ENGINE_MEMORY ||
        bytes > FERRY_MAX_ENGINE_MEMORY) {
        ferry_set_error(p->err, p->err_size,
                        "invalid engine memory size '%s' (expected 16M..1G, e.g. 256M)", value);
        return FAILED;
    }
    o->engine_memory = bytes;
    return TAKEN;
}

static enum tried try_global_option(struct parser *p, struct ferry_options *o)
{
    const char *arg = p->argv[p->i], *value;
    enum match m;
    enum tried tried;
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
        o->command = FERRY_CMD_HELP;
        return TAKEN;
    }
    if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
        o->command = FERRY_CMD_VERSION;
        return TAKEN;
    }
    if ((tried = try_path_option(p, "--kvm-device", &o->kvm_device)) != NOT_MINE)
        return tried;
    if ((tried = try_engine_memory_option(p, "--engine-memory", o)) != NOT_MINE)
        return tried;
    if ((tried = try_path_option(p, "--engine", &o->engine_path)) != NOT_MINE)
        return tried;
    if ((m = match_valued(p, "--watchdog", &value)) != NO_MATCH) {
        uint64_t seconds;
        if (m == MISSING_VALUE)
            return FAILED;
        if (!parse_unsigned(value, FERRY_MAX_WATCHDOG_SECONDS, &seconds)) {
            ferry_set_error(p->err, p->err_size,
                            "invalid watchdog time '%s' (expected seconds, 0..%u)", value,
                      FERRY_MAX_WATCHDOG_SECONDS);
            return FAILED;
        }
        o->watchdog_seconds = (unsigned)seconds;
        return TAKEN;
    }
    return NOT_MINE;
}

static enum tried try_selftest_option(struct parser *p, struct ferry_options *o)
{
    const char *arg = p->argv[p->i], *value;
    enum match m;
    enum tried tried;
    if (!strcmp(arg, "--crash")) {
        o->crash = FERRY_CRASH_PAGE_FAULT;
        return TAKEN;
    }
    if (!strncmp(arg, "--crash=", 8)) {
        static const struct {
            const char *name;
            enum ferry_crash_kind kind;
        } kinds[] = {
            { "pf", FERRY_CRASH_PAGE_FAULT }, { "ud", FERRY_CRASH_INVALID_OPCODE },
            { "panic", FERRY_CRASH_PANIC },   { "nested", FERRY_CRASH_NESTED },
            { "stack", FERRY_CRASH_STACK },
        };
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            if (!strcmp(arg + 8, kinds[k].name)) {
                o->crash = kinds[k].kind;
                return TAKEN;
            }
        }
        ferry_set_error(p->err, p->err_size,
                  "invalid crash kind '%s' (expected pf, ud, panic, nested or stack)", arg + 8);
        return FAILED;
    }
    if ((m = match_valued(p, "--iterations", &value)) != NO_MATCH) {
        uint64_t n;
        if (m == MISSING_VALUE)
            return FAILED;
        if (!parse_unsigned(value, FERRY_MAX_SELFTEST_ITERATIONS, &n) || n == 0) {
            ferry_set_error(p->err, p->err_size,
                            "invalid iteration count '%s' (expected 1..%llu)", value,
                      (unsigned long long)FERRY_MAX_SELFTEST_ITERATIONS);
            return FAILED;
        }
        o->iterations = n;
        return TAKEN;
    }
    if ((tried = try_engine_memory_option(p, "--memory", o)) != NOT_MINE)
        return tried;
    return NOT_MINE;
}

const char *ferry_mmu_strategy_name(enum ferry_mmu_strategy mmu)
{
    switch (mmu) {
    case FERRY_MMU_DEFAULT: return "default";
    case FERRY_MMU_HOST_PT: return "host-pt";
    case FERRY_MMU_SOFT_TLB: return "soft-tlb";
    }
    return "unknown";
}

/* A flag option: exactly the name; "--name=VALUE" is an error, not another option. */
static enum tried try_flag_option(struct parser *p, const char *name, bool *flag)
{
    const char *arg = p->argv[p->i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0 || (arg[len] != '\0' && arg[len] != '='))
        return NOT_MINE;
    if (arg[len] == '=') {
        ferry_set_error(p->err, p->err_size, "option %s takes no value (got '%s')", name, arg);
        return FAILED;
    }
    *flag = true;
    return TAKEN;
}

static enum tried try_run_option(struct parser *p, struct ferry_options *o)
{
    static const struct {
        const char *name;
        size_t offset;
    } files[] = {
        { "--kernel", offsetof(struct ferry_options, kernel) },
        { "--initrd", offsetof(struct ferry_options, initrd) },
        { "--disk", offsetof(struct ferry_options, disk) },
        { "--append", offsetof(struct ferry_options, append) },
        { "--dtb", offsetof(struct ferry_options, dtb) },
        { "--dump-dtb", offsetof(struct ferry_options, dump_dtb) },
    };
    static const struct {
        const char *name;
        size_t offset;
    } flags[] = {
        { "--stats", offsetof(struct ferry_options, stats) },
        { "--interp", offsetof(struct ferry_options, interp) },
        { "--hosted", offsetof(struct ferry_options, hosted) },
        { "--kvm", offsetof(struct ferry_options, require_kvm) },
        { "--profile", offsetof(struct ferry_options, profile) },
    };
    enum tried tried;
    const char *value;
    enum match m;
    int traced = trace_option_parse(&o->trace_options, &o->trace, p->argc, p->argv, &p->i, p->err, p->err_size);
    if (traced)
        return traced > 0 ? TAKEN : FAILED;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        if ((m = match_valued(p, files[k].name, &value)) == NO_MATCH)
            continue;
        if (m == MISSING_VALUE)
            return FAILED;
        if (!*value && strcmp(files[k].name, "--append") != 0) {
            ferry_set_error(p->err, p->err_size, "option %s needs a non-empty path", files[k].name);
            return FAILED;
        }
        *(const char **)((char *)o + files[k].offset) = value;
        return TAKEN;
    }
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++) {
        if ((tried = try_flag_option(p, flags[k].name, (bool *)((char *)o + flags[k].offset))) !=
            NOT_MINE)
            return tried;
    }
    if ((m = match_valued(p, "--mmu", &value)) != NO_MATCH) {
        if (m == MISSING_VALUE)
            return FAILED;
        if (!strcmp(value, "host-pt")) {
            o->mmu = FERRY_MMU_HOST_PT;
        } else if (!strcmp(value, "soft-tlb")) {
            o->mmu = FERRY_MMU_SOFT_TLB;
        } else {
            ferry_set_error(p->err, p->err_size,
                            "invalid MMU strategy '%s' for --mmu (expected host-pt or soft-tlb)",
                            value);
            return FAILED;
        }
        return TAKEN;
    }
    if ((m = match_valued(p, "--memory", &value)) != NO_MATCH ||
        (m = match_valued(p, "--mem", &value)) != NO_MATCH ||
        (m = match_valued(p, "-m", &value)) != NO_MATCH) {
        uint64_t bytes;
        if (m == MISSING_VALUE)
            return FAILED;
        if (!ferry_parse_size(value, &bytes) || bytes < FERRY_MIN_GUEST_MEMORY ||
            bytes > FERRY_MAX_GUEST_MEMORY || (bytes & 0xfff)) {
            ferry_set_error(p->err, p->err_size,
                            "invalid guest memory size '%s' (expected 1M..255G in whole 4K "
                            "pages, e.g. 512M)", value);
            return FAILED;
        }
        o->guest_memory = bytes;
        return TAKEN;
    }
    return NOT_MINE;
}

int ferry_parse_options(int argc, char **argv, const char *env_kvm_device,
                        struct ferry_options *out, char *err, size_t err_size)
{
    struct parser p = { .argc = argc, .argv = argv, .i = 1, .err = err, .err_size = err_size };
    struct ferry_options o = {
        .kvm_device = (env_kvm_device && *env_kvm_device) ? env_kvm_device
                                                          : FERRY_DEFAULT_KVM_DEVICE,
        .engine_memory = FERRY_DEFAULT_ENGINE_MEMORY,
        .watchdog_seconds = FERRY_DEFAULT_WATCHDOG_SECONDS,
        .iterations = FERRY_DEFAULT_SELFTEST_ITERATIONS,
        .guest_memory = FERRY_DEFAULT_GUEST_MEMORY,
    };
    trace_options_init(&o.trace_options);
    enum ferry_command command = 0;
    if (err_size)
        err[0] = '\0';

    /* Global options, up to the command word. */
    for (; p.i < argc; p.i++) {
        const char *arg = argv[p.i];
        if (arg[0] != '-')
            break;
        switch (try_global_option(&p, &o)) {
        case TAKEN:
            if (o.command == FERRY_CMD_HELP || o.command == FERRY_CMD_VERSION)
                goto done;
            continue;
        case FAILED:
            return -1;
        case NOT_MINE:
            ferry_set_error(err, err_size, "unknown option '%s' (try ferry --help)", arg);
            return -1;
        }
    }
    if (p.i >= argc) {
        ferry_set_error(err, err_size, "no command given (try ferry --help)");
        return -1;
    }
    if (!strcmp(argv[p.i], "selftest")) {
        command = FERRY_CMD_SELFTEST;
    } else if (!strcmp(argv[p.i], "run")) {
        command = FERRY_CMD_RUN;
    } else if (!strcmp(argv[p.i], "user")) {
        /* Everything after the word belongs to the runner and the guest program. */
        o.command = FERRY_CMD_USER;
        o.user_argi = p.i;
        goto done;
    } else if (!strcmp(argv[p.i], "help")) {
        o.command = FERRY_CMD_HELP;
        goto done;
    } else if (!strcmp(argv[p.i], "version")) {
        o.command = FERRY_CMD_VERSION;
        goto done;
    } else {
        ferry_set_error(err, err_size, "unknown command '%s' (try ferry --help)", argv[p.i]);
        return -1;
    }

    for (p.i++; p.i < argc; p.i++) {
        const char *arg = argv[p.i];
        enum tried t = NOT_MINE;
        if (arg[0] != '-') {
            ferry_set_error(err, err_size, "unexpected argument '%s' for '%s' (try ferry --help)",
                      arg, command == FERRY_CMD_SELFTEST ? "selftest" : "run");
            return -1;
        }
        if (command == FERRY_CMD_SELFTEST)
            t = try_selftest_option(&p, &o);
        else
            t = try_run_option(&p, &o);
        if (t == NOT_MINE)
            t = try_global_option(&p, &o);
        if (t == FAILED)
            return -1;
        if (t == NOT_MINE) {
            ferry_set_error(err, err_size, "unknown option '%s' for '%s' (try ferry --help)", arg,
                      command == FERRY_CMD_SELFTEST ? "selftest" : "run");
            return -1;
        }
        if (o.command == FERRY_CMD_HELP || o.command == FERRY_CMD_VERSION)
            goto done;
    }
    o.command = command;
    if (command == FERRY_CMD_RUN && !o.kernel) {
        ferry_set_error(err, err_size, "'run' needs --kernel FILE (try ferry --help)");
        return -1;
    }
    if (command == FERRY_CMD_RUN && trace_options_check(&o.trace_options, o.trace, err, err_size) != 0)
        return -1;
    if (command == FERRY_CMD_RUN && o.hosted && o.require_kvm) {
        ferry_set_error(err, err_size, "--hosted and --kvm exclude each other");
        return -1;
    }
    if (command == FERRY_CMD_RUN && o.hosted && o.profile) {
        ferry_set_error(err, err_size, "--profile samples the engine; under --hosted use perf");
        return -1;
    }
    /* The hosted emulator has no host page tables to fill: only the software TLB. */
    if (command == FERRY_CMD_RUN && o.hosted && o.mmu == FERRY_MMU_HOST_PT) {
        ferry_set_error(err, err_size,
                        "--mmu host-pt needs the engine under KVM; --hosted uses soft-tlb");
        return -1;
    }
done:
    *out = o;
    return 0;
}
