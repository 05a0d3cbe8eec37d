/* Glue between the runner's parts: options, the run loop (user_run.c), guest signal
 * delivery (signal_frame.c) and host fault handling (host_faults.c). */
#ifndef FERRY_USER_RUNTIME_H
#define FERRY_USER_RUNTIME_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "hypervisor/user/elf_loader.h"
#include "hypervisor/user/process.h"
#include "hypervisor/trace/trace_recorder.h"
#include "jit/jit.h"

struct user_options {
    bool interp;       /* --interp: the generated interpreter instead of the JIT */
    bool stats;        /* --stats: translation statistics on stderr at exit */
    bool strace;       /* --strace: one stderr line per syscall */
    const char *argv0; /* --argv0: the guest's argv[0] (default: the program path) */
    bool perf_map;     /* --perf-map: /tmp/perf-PID.map of the translated blocks at exit */
    const char *dump_code; /* --dump-code FILE: host code of every block, plus FILE.map */
    bool seeded;           /* --seed N: reproducible AT_RANDOM and getrandom */
    uint64_t seed;
    const char *trace;     /* --trace FILE: an instruction trace (trace_options: filters) */
    struct trace_recorder_options trace_options;
};

/* Runs the loaded program from entry with the initial stack pointer sp until it
 * exits; returns its exit status (a fatal signal never returns). */
int user_run(struct user_process *p, const struct user_options *o, uint64_t entry, uint64_t sp);

/* ---- host faults (host_faults.c) -----------------------------------------------------
 * A host SIGSEGV/SIGBUS whose address lies in the guest region is a guest fault: the
 * handler records it and jumps to user_fault_env (set by the run loop). When the fault
 * is in translated code, the attached JIT makes the guest state precise at the faulting
 * instruction first (user_fault_precise), so the guest's own handler can run; the
 * interpreter leaves it precise by itself. Anything else is a runner bug and is
 * reported as such. */
extern sigjmp_buf user_fault_env;
extern volatile sig_atomic_t user_fault_armed;
extern volatile sig_atomic_t user_fault_precise;
/* Set while the JIT's step function runs one instruction in the interpreter (a tagged
 * access): a host fault there leaves the state precise too. */
extern volatile sig_atomic_t user_fault_stepping;
extern volatile uint64_t user_fault_guest_addr;
extern volatile int user_fault_host_signal;
extern volatile sig_atomic_t user_fault_write;   /* the faulting access was a store */
int user_install_fault_handlers(struct user_process *p);
/* The JIT whose translated code runs on `state` (NULL: the interpreter runs). */
void user_fault_attach_jit(jit *j, void *state);

/* Terminates the runner the way the guest dies of sig (default action): message on
 * stderr like qemu-aarch64, then the host process is killed by the same signal so the
 * exit status matches. */
_Noreturn void user_die_with_signal(struct user_process *p, int sig);

/* Whether the default action of sig terminates the process. */
bool user_signal_default_is_fatal(int sig);

#endif
