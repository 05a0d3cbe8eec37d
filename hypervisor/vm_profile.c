/* The engine's sampling profiler (vm_profile.h). */
#include "hypervisor/vm_profile.h"

#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "ferry/abi.h"

bool vm_profile_init(struct vm_profile *p, const struct symbol_table *symbols, unsigned hz)
{
    *p = (struct vm_profile){ .hz = hz ? hz : 1000, .symbols = symbols };
    p->counts = calloc(symbols->count + 2, sizeof *p->counts);
    return p->counts != NULL;
}

static void *sampler_main(void *arg)
{
    struct vm_profile *p = arg;
    struct timespec period = { 0, (long)(1000000000u / p->hz) };
    while (!atomic_load(&p->stop)) {
        nanosleep(&period, NULL);
        if (!atomic_load(&p->stop)) pthread_kill(p->target, SIGUSR1);
    }
    return NULL;
}

bool vm_profile_start(struct vm_profile *p)
{
    p->target = pthread_self();
    p->running = pthread_create(&p->sampler, NULL, sampler_main, p) == 0;
    return p->running;
}

void vm_profile_stop(struct vm_profile *p)
{
    if (!p->running) return;
    atomic_store(&p->stop, true);
    pthread_join(p->sampler, NULL);
    p->running = false;
}

void vm_profile_sample(struct vm_profile *p, uint64_t rip)
{
    uint64_t offset;
    const struct symbol *s = symbol_table_lookup(p->symbols, rip, &offset);
    size_t slot = s ? (size_t)(s - p->symbols->symbols)
                    : rip >= FERRY_CODE_CACHE_BASE && rip < FERRY_DIRECT_MAP_BASE ? p->symbols->count
                                                                                    : p->symbols->count + 1;
    p->counts[slot]++;
    p->samples++;
}

void vm_profile_print(FILE *out, const struct vm_profile *p, unsigned top)
{
    size_t n = p->symbols->count + 2;
    bool *shown = calloc(n, sizeof *shown);
    fprintf(out, "ferry profile: %llu samples at %u Hz\n", (unsigned long long)p->samples, p->hz);
    for (unsigned k = 0; shown && k < top; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!shown[i] && p->counts[i] && (best == n || p->counts[i] > p->counts[best])) best = i;
        if (best == n) break;
        shown[best] = true;
        const char *name = best < p->symbols->count ? p->symbols->symbols[best].name
                           : best == p->symbols->count ? "[translated code]" : "[elsewhere]";
        fprintf(out, "ferry profile: %6.2f%%  %s\n", 100.0 * (double)p->counts[best] / (double)p->samples, name);
    }
    free(shown);
}

void vm_profile_free(struct vm_profile *p)
{
    free(p->counts);
    p->counts = NULL;
}
