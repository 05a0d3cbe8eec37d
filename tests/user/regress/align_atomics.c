/* Issue 7 (4): exclusive, acquire/release and atomic accesses to a misaligned address
 * raise an alignment fault (SIGBUS, BUS_ADRALN); the same accesses aligned complete.
 * Built with -march=armv8.1-a (CASAL, LDADD, SWP). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf env;
static uint64_t buf[8] __attribute__((aligned(64)));

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("  signal %d code %d at buf+%ld\n", sig, si->si_code, (long)((char *)si->si_addr - (char *)buf));
    siglongjmp(env, 1);
}

#define CASE(name, off, asm_text)                                                     \
    do {                                                                              \
        printf("%s +%d\n", name, off);                                                \
        if (!sigsetjmp(env, 1)) {                                                     \
            __asm__ volatile("mov x20, %0\n" asm_text : : "r"((char *)buf + (off))    \
                             : "x0", "x1", "x2", "x3", "x20", "memory", "cc");        \
            printf("  completed\n");                                                  \
        }                                                                             \
    } while (0)

#define BOTH(name, asm_text, mis) CASE(name, 0, asm_text); CASE(name, mis, asm_text)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    BOTH("ldxr", "ldxr x0, [x20]\n clrex\n", 4);
    BOTH("ldaxr", "ldaxr w0, [x20]\n clrex\n", 2);
    /* STXR to a misaligned address faults too (the alignment check comes before the
     * monitor's), but qemu-aarch64 fails the store without faulting when the monitor
     * is not armed for that address: only the aligned form is compared here. */
    CASE("stxr", 0, "mov x1, #1\n stxr w0, x1, [x20]\n");
    BOTH("ldar", "ldar x0, [x20]\n", 3);
    BOTH("stlr", "mov x1, #7\n stlr x1, [x20]\n", 1);
    BOTH("ldxp", "ldxp x0, x1, [x20]\n clrex\n", 8);
    BOTH("casal", "mov x0, #0\n mov x1, #1\n casal x0, x1, [x20]\n", 4);
    BOTH("ldadd", "mov x1, #1\n ldadd x1, x0, [x20]\n", 6);
    BOTH("swp", "mov x1, #1\n swp w1, w0, [x20]\n", 2);
    BOTH("ldarh", "ldarh w0, [x20]\n", 1);
    BOTH("stlrh", "mov w1, #1\n stlrh w1, [x20]\n", 1);
    BOTH("ldarb", "ldarb w0, [x20]\n", 1);
    printf("done\n");
    return 0;
}
