/* CPUID-based detection of the optional x86 instructions the backend can use. */
#include "jit/ir/ir.h"
#include "jit/ir/ir_internal.h"
#include "jit/x86_64/cpu_features.h"
#include <stdint.h>

struct jit_cpu_features jit_cpu;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

void jit_cpu_detect(void)
{
    if (jit_cpu.detected) return;
    uint32_t r[4];
    cpuid(0, 0, r);
    uint32_t max_leaf = r[0];
    cpuid(1, 0, r);
    jit_cpu.popcnt = (r[2] >> 23) & 1;
    /* VEX instructions fault unless the OS enabled the SSE and AVX state in XCR0. */
    bool fma = (r[2] >> 12) & 1, osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1;
    if (fma && osxsave && avx) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        jit_cpu.fma = (lo & 6) == 6;
    }
    if (max_leaf >= 7) {
        cpuid(7, 0, r);
        jit_cpu.bmi1 = (r[1] >> 3) & 1;
        jit_cpu.bmi2 = (r[1] >> 8) & 1;
    }
    cpuid(0x80000000u, 0, r);
    if (r[0] >= 0x80000001u) {
        cpuid(0x80000001u, 0, r);
        jit_cpu.lzcnt = (r[2] >> 5) & 1;
        jit_cpu.prefetchw = (r[2] >> 8) & 1;
    }
    jit_cpu.detected = true;
}

void jit_cpu_override(const struct jit_cpu_features *f)
{
    jit_cpu = *f;
    jit_cpu.detected = true;
}

/* The IR builder's questions about the backend (ir.h, ir_internal.h). */
bool ir_host_has_fma(void)
{
    jit_cpu_detect();
    return jit_cpu.fma;
}

bool ir_backend_has_popcount(void)
{
    jit_cpu_detect();
    return jit_cpu.popcnt;
}
