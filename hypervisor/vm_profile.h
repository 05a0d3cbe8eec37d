/* A sampling profiler of the engine (`ferry run --profile`): a thread interrupts the
 * vCPU at a fixed rate, the run loop reads RIP and counts it against the engine's
 * symbols (translated code, outside the image, counts as one entry). Each sample is a VM
 * exit (30-40 us on pv-lite), so 1000 samples a second cost about 4%. */
#ifndef FERRY_VM_PROFILE_H
#define FERRY_VM_PROFILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hypervisor/symbols.h"

struct vm_profile {
    unsigned hz;
    const struct symbol_table *symbols;
    uint64_t *counts;        /* per symbol, then: translated code, elsewhere */
    uint64_t samples;
    pthread_t sampler;
    pthread_t target;        /* the vCPU's thread */
    bool running;
    atomic_bool stop;            /* read by the sampler thread */
};

/* False when out of memory. */
bool vm_profile_init(struct vm_profile *p, const struct symbol_table *symbols, unsigned hz);
/* Starts interrupting the calling thread (the vCPU's) hz times a second with SIGUSR1. */
bool vm_profile_start(struct vm_profile *p);
void vm_profile_stop(struct vm_profile *p);
void vm_profile_sample(struct vm_profile *p, uint64_t rip);
/* The `top` most frequent entries with their share of the samples. */
void vm_profile_print(FILE *out, const struct vm_profile *p, unsigned top);
void vm_profile_free(struct vm_profile *p);

#endif
