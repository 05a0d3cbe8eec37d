/* The vCPU run loop: serves the engine's hypercalls (console, exit, fatal report,
 * selftest results, host compute loop, engine messages, a guest's ticks and sleeps), reports every unexpected exit with the
 * registers, and stops cleanly on SIGINT/SIGTERM or when the watchdog sees no exit
 * for too long. */
#ifndef FERRY_VM_LOOP_H
#define FERRY_VM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "ferry/abi.h"
#include "hypervisor/kvm_vm.h"
#include "hypervisor/symbols.h"
#include "hypervisor/vm_profile.h"

enum vm_outcome {
    VM_EXITED = 1,   /* FERRY_HC_EXIT; exit_status holds the engine's status */
    VM_FATAL,        /* FERRY_HC_FATAL; the report has been printed */
    VM_FAILED,       /* unexpected exit or KVM error; reported */
    VM_INTERRUPTED,  /* SIGINT or SIGTERM */
    VM_WATCHDOG,     /* no exit for watchdog_seconds; reported */
};

/* What a running guest needs from the host besides the console (FERRY_MODE_RUN). */
struct vm_guest_services {
    void *ctx;
    /* FERRY_HC_TICKS: start setting the byte at VM-physical address gpa (0: none) every
     * tick and filling the input ring. 0, or a negative errno. */
    int64_t (*start_ticks)(void *ctx, uint64_t gpa);
    /* FERRY_HC_WAIT: sleep up to timeout_ns (UINT64_MAX: no limit) or until input;
     * 0, or -1 when nothing can wake the engine. */
    int64_t (*wait)(void *ctx, uint64_t timeout_ns);
    /* FERRY_HC_TRACE: words of trace items at VM-physical gpa (flags: FERRY_TRACE_*);
     * NULL when the run records no trace. */
    int64_t (*trace)(void *ctx, uint64_t gpa, uint64_t words, uint64_t flags);
};

struct vm_session {
    struct kvm_vm *vm;
    struct ferry_shared *shared;        /* host view of FERRY_SHARED_PHYS */
    const struct symbol_table *symbols; /* engine symbols for reports; may be NULL */
    unsigned watchdog_seconds;          /* 0: no watchdog */
    const struct vm_guest_services *guest; /* NULL: no guest (those calls get -ENOSYS) */
    struct vm_profile *profile;         /* NULL: no sampling (ferry run --profile) */
    /* Filled by the loop. */
    uint64_t exit_status;
    bool have_selftest;
    struct ferry_selftest_results selftest; /* host copy taken at SELFTEST_DONE */
    uint32_t console_tail;
    uint64_t exits, hypercalls;
};

/* ferry's exit status for how a session ended: the engine's status when it exited
 * (above 255: 255), 130 when interrupted (as a shell reports SIGINT), else 1. */
int vm_session_exit_code(const struct vm_session *session, enum vm_outcome outcome);
/* Runs the vCPU until the engine stops or something goes wrong. */
enum vm_outcome vm_session_run(struct vm_session *session);

/* The longest host compute loop a FERRY_HC_HOST_LOOP may ask for (about 15 s). */
#define VM_HOST_LOOP_MAX_ITERATIONS 10000000000ull

#endif
