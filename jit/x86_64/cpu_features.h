/* Host CPU features the code generator may use; detected once with CPUID. */
#ifndef FERRY_JIT_CPU_FEATURES_H
#define FERRY_JIT_CPU_FEATURES_H

#include <stdbool.h>

struct jit_cpu_features {
    bool detected;
    bool lzcnt;    /* ABM: lzcnt */
    bool bmi1;     /* tzcnt */
    bool bmi2;     /* shlx/shrx/sarx */
    bool popcnt;
    bool fma;      /* VEX vfmadd231sd/ss: FMA + AVX with the OS saving ymm state */
    bool prefetchw; /* PRFCHW: prefetch a cache line for writing */
};

extern struct jit_cpu_features jit_cpu;

/* Fills jit_cpu from CPUID (idempotent). */
void jit_cpu_detect(void);
/* Tests: pretend a feature is absent to exercise the fallback code paths. */
void jit_cpu_override(const struct jit_cpu_features *f);

#endif
