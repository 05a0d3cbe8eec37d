/* The ferry command line: the parsed form and a pure parser (no I/O, no globals), so
 * every accepted and rejected command line can be unit-tested. */
#ifndef FERRY_CLI_OPTIONS_H
#define FERRY_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hypervisor/trace/trace_recorder.h"

#define FERRY_VERSION "0.1.0"

#define FERRY_DEFAULT_KVM_DEVICE "/dev/kvm"
#define FERRY_DEFAULT_ENGINE_MEMORY (256ull << 20)
#define FERRY_MIN_ENGINE_MEMORY (16ull << 20)
#define FERRY_MAX_ENGINE_MEMORY (1ull << 30) /* == FERRY_ENGINE_PHYS_END */
#define FERRY_DEFAULT_GUEST_MEMORY (512ull << 20)
#define FERRY_MIN_GUEST_MEMORY (1ull << 20)
#define FERRY_MAX_GUEST_MEMORY (255ull << 30) /* == VIRT_RAM_MAX_SIZE: QEMU's virt limit */
#define FERRY_DEFAULT_SELFTEST_ITERATIONS 100000000ull
#define FERRY_MAX_SELFTEST_ITERATIONS 10000000000ull
#define FERRY_DEFAULT_WATCHDOG_SECONDS 30u
#define FERRY_MAX_WATCHDOG_SECONDS 86400u

enum ferry_command {
    FERRY_CMD_HELP = 1,
    FERRY_CMD_VERSION,
    FERRY_CMD_SELFTEST,
    FERRY_CMD_RUN,
    FERRY_CMD_USER,
};

enum ferry_crash_kind {
    FERRY_CRASH_NONE = 0,
    FERRY_CRASH_PAGE_FAULT,
    FERRY_CRASH_INVALID_OPCODE,
    FERRY_CRASH_PANIC,        /* an explicit engine panic */
    FERRY_CRASH_NESTED,       /* a fault inside the engine's fatal-report path */
    FERRY_CRASH_STACK,        /* a stack overflow into the guard page */
};

/* run --mmu: how guest virtual addresses are translated. DEFAULT lets ferry pick the
 * strategy that measures faster on the platform (host-pt needs the engine under KVM). */
enum ferry_mmu_strategy {
    FERRY_MMU_DEFAULT = 0,
    FERRY_MMU_HOST_PT,   /* guest translations become x86 page-table entries */
    FERRY_MMU_SOFT_TLB,  /* a software TLB looked up inline by translated code */
};

struct ferry_options {
    enum ferry_command command;
    /* Global options. Pointers point into argv or the environment strings given. */
    const char *kvm_device;     /* --kvm-device, else FERRY_KVM_DEVICE, else /dev/kvm */
    const char *engine_path;    /* --engine; NULL: engine.elf next to the ferry binary */
    uint64_t engine_memory;     /* --engine-memory (selftest: also --memory), bytes */
    unsigned watchdog_seconds;  /* --watchdog; 0 disables it */
    /* selftest */
    enum ferry_crash_kind crash;
    uint64_t iterations;
    /* run */
    const char *kernel, *initrd, *disk, *append;
    const char *dtb;            /* --dtb FILE: use this DTB instead of the generated one */
    const char *dump_dtb;       /* --dump-dtb FILE: write the guest's DTB there */
    uint64_t guest_memory;      /* run -m/--memory/--mem, bytes */
    bool stats;                 /* --stats: print the counters at exit */
    bool interp;                /* --interp: the generated interpreter instead of the JIT */
    bool hosted;                /* --hosted: the system emulator in this process, no KVM */
    bool require_kvm;           /* --kvm: the engine under KVM, never the hosted fallback */
    bool profile;               /* --profile: sample the engine's RIP, print the top at exit */
    enum ferry_mmu_strategy mmu; /* --mmu */
    const char *trace;          /* --trace FILE: an instruction trace, with trace_options' filters */
    struct trace_recorder_options trace_options;
    /* user: argv[user_argi] is "user"; everything from there belongs to the runner */
    int user_argi;
};

/* Parses argv (argv[0] is the program name). env_kvm_device is the value of
 * FERRY_KVM_DEVICE or NULL. Returns 0 on success; on a usage error returns -1 and
 * writes one line (no newline) naming the option or value at fault into err. */
int ferry_parse_options(int argc, char **argv, const char *env_kvm_device,
                        struct ferry_options *out, char *err, size_t err_size);

/* Parses a memory size: a number with an optional K, M, G or T suffix (powers of
 * 1024, optionally followed by "B" or "iB"); a plain number means MiB, as in QEMU's -m.
 * Returns false on malformed input or overflow. */
bool ferry_parse_size(const char *text, uint64_t *bytes);

/* "default", "host-pt", "soft-tlb" */
const char *ferry_mmu_strategy_name(enum ferry_mmu_strategy mmu);

/* The text printed by --help. */
extern const char ferry_usage_text[];

#endif
