/* The host <-> engine ABI: VM-physical memory map, engine virtual memory map, boot
 * information block, hypercall numbers and the shared-memory layouts. This is the one
 * copy; hypervisor/ and engine/ both include it. docs/abi.md describes it in prose and
 * must be kept in step with it (FERRY_ABI_VERSION changes with any layout change). */
#ifndef FERRY_ABI_H
#define FERRY_ABI_H

#include <stdint.h>

#define FERRY_ABI_VERSION 2u
#define FERRY_BOOT_MAGIC  0x59525245464f4f42ull /* "BOOFERRY" */

/* ---- VM-physical memory map -------------------------------------------------------
 * [0, 0x1000)                 never mapped (catches null physical pointers)
 * FERRY_BOOT_INFO_PHYS        one page: struct ferry_boot_info, written by the host
 * FERRY_BOOT_PT_PHYS          host-built bootstrap page tables (engine replaces them)
 * FERRY_SHARED_PHYS           shared area: hypercall block, console ring, fatal report,
 *                             selftest results (struct ferry_shared)
 * FERRY_ENGINE_PHYS           engine image, then engine-owned free memory up to
 *                             FERRY_ENGINE_PHYS_END (page tables, heap, code cache)
 * FERRY_GUEST_RAM_PHYS        guest RAM (the AArch64 virt board's RAM base, so guest
 *                             physical address == VM-physical address for RAM)
 */
#define FERRY_BOOT_INFO_PHYS   0x00001000ull
#define FERRY_BOOT_PT_PHYS     0x00008000ull
#define FERRY_BOOT_PT_SIZE     0x00008000ull
#define FERRY_SHARED_PHYS      0x00010000ull
#define FERRY_SHARED_SIZE      0x000f0000ull
#define FERRY_ENGINE_PHYS      0x00100000ull
#define FERRY_ENGINE_PHYS_END  0x40000000ull /* engine memory never reaches guest RAM */
#define FERRY_GUEST_RAM_PHYS   0x40000000ull

/* ---- Engine virtual memory map (PML4 slots 508..511; slot 256 is reserved by the
 * pv-lite KVM and never used; every other slot is left for guest mappings) ---------- */
#define FERRY_LAZY_BASE        0xfffffe0000000000ull /* slot 508: demand-paged engine region */
#define FERRY_LAZY_SIZE        0x0000008000000000ull
#define FERRY_CODE_CACHE_BASE  0xfffffe8000000000ull /* slot 509: translated code */
#define FERRY_DIRECT_MAP_BASE  0xffffff0000000000ull /* slot 510: all VM-physical memory */
#define FERRY_IMAGE_BASE       0xffffffff80000000ull /* slot 511, top 2 GB: VM-phys [0, 1 GB) */
#define FERRY_IMAGE_MAP_SIZE   0x0000000040000000ull
#define FERRY_PML4_RESERVED_SLOT 256

/* ---- KVM flavour, detected by the host (/sys/module/kvm_pvm) ---------------------- */
enum ferry_kvm_flavour {
    FERRY_KVM_HARDWARE = 1, /* VMX/SVM: privileged instructions work natively */
    FERRY_KVM_PVLITE   = 2, /* kvm_pvm: ring 0 emulated until the vIF page is registered */
};

enum ferry_boot_mode {
    FERRY_MODE_SELFTEST = 1, /* run built-in checks and micro-benchmarks, then exit */
    FERRY_MODE_RUN      = 2, /* boot a guest */
};

/* Bits of ferry_boot_info.flags */
#define FERRY_BOOT_CRASH_PAGE_FAULT (1ull << 0) /* selftest --crash: wild pointer */
#define FERRY_BOOT_CRASH_UD         (1ull << 1) /* selftest --crash=ud: invalid opcode */
#define FERRY_BOOT_CRASH_PANIC      (1ull << 2) /* selftest --crash=panic: fy_panic */
#define FERRY_BOOT_CRASH_NESTED     (1ull << 3) /* selftest --crash=nested: a fault inside
                                                   the fatal-report path (minimal report) */
#define FERRY_BOOT_CRASH_STACK      (1ull << 4) /* selftest --crash=stack: stack overflow
                                                   into the guard page (double fault) */
#define FERRY_BOOT_CRASH_ANY        (FERRY_BOOT_CRASH_PAGE_FAULT | FERRY_BOOT_CRASH_UD | \
                                     FERRY_BOOT_CRASH_PANIC | FERRY_BOOT_CRASH_NESTED | \
                                     FERRY_BOOT_CRASH_STACK)

/* Written by the host at FERRY_BOOT_INFO_PHYS; the engine's entry receives its
 * direct-map address in %rdi. */
struct ferry_boot_info {
    uint64_t magic;            /* FERRY_BOOT_MAGIC */
    uint32_t abi_version;      /* FERRY_ABI_VERSION */
    uint32_t kvm_flavour;      /* enum ferry_kvm_flavour */
    uint32_t mode;             /* enum ferry_boot_mode */
    uint32_t reserved0;
    uint64_t flags;            /* FERRY_BOOT_* */
    uint64_t tsc_khz;          /* TSC frequency measured or read by the host */
    uint64_t engine_image_end; /* VM-physical end of the loaded engine image (page aligned) */
    uint64_t engine_mem_end;   /* VM-physical end of engine-owned memory (<= FERRY_ENGINE_PHYS_END) */
    uint64_t guest_ram_size;   /* bytes of guest RAM at FERRY_GUEST_RAM_PHYS (0: none) */
    uint64_t selftest_iterations; /* compute-loop iterations for the selftest */
    char     cmdline[256];     /* options passed through to the engine, NUL terminated */
    /* FERRY_MODE_RUN: the guest, already in guest RAM (kernel, initrd, DTB) */
    uint64_t run_flags;        /* FERRY_RUN_* */
    uint64_t guest_entry_pc;   /* at EL1h, MMU off, DAIF masked */
    uint64_t guest_entry_x[4]; /* x0..x3 at entry */
    uint64_t wallclock_seconds; /* host time (Unix seconds) when the engine starts */
};

/* Bits of ferry_boot_info.run_flags */
#define FERRY_RUN_INTERP (1ull << 0) /* the generated interpreter instead of the JIT */
#define FERRY_RUN_STATS  (1ull << 1) /* FERRY_HC_LOG the --stats counters before exiting */
#define FERRY_RUN_TRACE_FULL   (1ull << 2) /* --trace: every instruction (FERRY_HC_TRACE) */
#define FERRY_RUN_TRACE_BLOCKS (1ull << 3) /* --trace --trace-blocks: block entries only */

/* ---- Hypercalls -------------------------------------------------------------------
 * The engine writes the call number with `outl %eax, $FERRY_HC_PORT`; KVM exits with
 * KVM_EXIT_IO; arguments and result live in ferry_shared.hc. One exit costs ~28 us on
 * pv-lite, so every call does a batch of work. */
#define FERRY_HC_PORT 0x0f00

enum ferry_hypercall {
    FERRY_HC_NOP           = 1, /* round trip only: ret = args[0] (the selftest checks the echo) */
    FERRY_HC_CONSOLE_FLUSH = 2, /* host drains ferry_shared.console */
    FERRY_HC_EXIT          = 3, /* args[0] = exit status; the VM stops */
    FERRY_HC_FATAL         = 4, /* ferry_shared.fatal holds a report; the VM stops, exit 1 */
    FERRY_HC_SELFTEST_DONE = 5, /* ferry_shared.selftest holds results; host prints the table */
    FERRY_HC_HOST_LOOP     = 6, /* host runs ferry_compute_loop(args[0]) and returns its ns in ret */
    FERRY_HC_LOG           = 7, /* host prints ferry_shared.log (NUL terminated) on stderr */
    FERRY_HC_TICKS         = 8, /* from now on the host sets the byte at VM-physical args[0]
                                   (0: none) to 1 every millisecond, and fills the console
                                   input ring */
    FERRY_HC_WAIT          = 9, /* host sleeps up to args[0] ns (~0: no limit) or until
                                   console input; ret 0, or -1 (nothing can wake the
                                   engine: no limit and no input left) */
    FERRY_HC_TRACE         = 10, /* run mode, tracing: args[0] = VM-physical address of
                                   args[1] words of trace items and runner events
                                   (jit/jit_trace.h), whole items, at most
                                   FERRY_TRACE_MAX_WORDS; args[2] = FERRY_TRACE_* flags.
                                   ret 0: go on; 1: the recording window is past (finish);
                                   negative: the trace cannot be written (the host said
                                   why; stop the run with status 1) */
};

#define FERRY_TRACE_MAX_WORDS (1u << 20)
#define FERRY_TRACE_FINISH    (1ull << 0) /* the last batch: the host finishes the file */

struct ferry_hc_block {
    uint64_t args[4];
    int64_t  ret;
};

/* Console: single producer (engine), single consumer (host). head and tail are free
 * running counters; the byte at counter value i is data[i % FERRY_CONSOLE_SIZE]. The
 * host trusts neither: it clamps head - tail to the ring size. */
#define FERRY_CONSOLE_SIZE 65536u
struct ferry_console_ring {
    volatile uint32_t head; /* written by the engine */
    volatile uint32_t tail; /* written by the host */
    uint8_t data[FERRY_CONSOLE_SIZE];
};

/* Console input: single producer (host), single consumer (engine); counters as in
 * the output ring. quit is set by the host when the user asked to stop (Ctrl-A x);
 * ticks counts the host's ticks since FERRY_HC_TICKS (the engine looks at the devices
 * that move with time when it changes: cheaper than reading the TSC at every exit). */
#define FERRY_INPUT_SIZE 4096u
struct ferry_input_ring {
    volatile uint32_t head; /* written by the host */
    volatile uint32_t tail; /* written by the engine */
    volatile uint32_t quit;
    volatile uint32_t ticks;
    uint8_t data[FERRY_INPUT_SIZE];
};

/* Fatal report: filled by the engine before FERRY_HC_FATAL. The host prints it and
 * resolves backtrace addresses to symbols from the engine ELF. */
#define FERRY_FATAL_BACKTRACE 32
#define FERRY_FATAL_HISTORY   16
enum ferry_fatal_kind {
    FERRY_FATAL_EXCEPTION = 1, /* unexpected x86 exception: vector/error/cr2 valid */
    FERRY_FATAL_PANIC     = 2, /* explicit panic: message valid */
};
struct ferry_fatal_report {
    uint32_t kind;              /* enum ferry_fatal_kind */
    uint32_t backtrace_len;
    uint64_t vector, error_code, cr2;
    uint64_t rip, rsp, rflags, cs, ss;
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t guest_pc;          /* guest program counter, or ~0 when no guest runs */
    uint64_t backtrace[FERRY_FATAL_BACKTRACE]; /* return addresses, innermost first */
    uint32_t history_len;
    uint32_t reserved;
    uint64_t history[FERRY_FATAL_HISTORY]; /* recent guest PCs, oldest first */
    char     message[512];
};

/* Selftest results: one row per check or measurement. */
#define FERRY_SELFTEST_MAX_ROWS 32
/* Name of the row whose value_milli is the engine/host compute speed ratio (host time
 * / engine time, times 1000); the host's summary line quotes it. */
#define FERRY_SELFTEST_RATIO_ROW "compute ratio"
struct ferry_selftest_row {
    char     name[48];
    char     unit[16];
    int64_t  value_milli; /* measured value in `unit`, times 1000 (the engine has no FP) */
    uint32_t passed;  /* 1 pass, 0 fail */
    uint32_t is_check;/* 1: a pass/fail check; 0: a measurement only */
    char     detail[64];
};
struct ferry_selftest_results {
    uint32_t rows;
    uint32_t reserved;
    struct ferry_selftest_row row[FERRY_SELFTEST_MAX_ROWS];
};

/* The whole shared area at FERRY_SHARED_PHYS. */
struct ferry_shared {
    struct ferry_hc_block hc;
    uint8_t pad0[4096 - sizeof(struct ferry_hc_block)];
    struct ferry_console_ring console;
    struct ferry_fatal_report fatal;
    struct ferry_selftest_results selftest;
    struct ferry_input_ring input;
    char log[1024];
};

_Static_assert(sizeof(struct ferry_boot_info) <= 4096, "boot info fits one page");
_Static_assert(sizeof(struct ferry_shared) <= FERRY_SHARED_SIZE, "shared area fits");

#endif
