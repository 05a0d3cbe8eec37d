/* `ferry selftest`: built-in checks and micro-benchmarks of the engine's foundation,
 * written as rows into ferry_shared.selftest for the host to print. */
#ifndef ENGINE_SELFTEST_H
#define ENGINE_SELFTEST_H

#include <ferry/abi.h>

/* Runs everything, reports FERRY_HC_SELFTEST_DONE and exits (0 only if every check
 * passed). With FERRY_BOOT_CRASH_* in boot->flags it crashes on purpose after the
 * first few rows instead. */
_Noreturn void selftest_run(const struct ferry_boot_info *boot);

/* selftest_crash.c: a deliberate fault a few calls deep (the backtrace shows them). */
void selftest_crash(uint64_t boot_flags);

#endif
