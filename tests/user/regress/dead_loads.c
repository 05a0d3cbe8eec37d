/* Issue 7 (1): a load whose result is dead still faults, in every width and into XZR,
 * and a faulting load in a loop faults instead of spinning. Each case runs with a
 * SIGSEGV handler that reports it and jumps to the next. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static char *hole;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    printf("  signal %d code %d at hole+%ld\n", sig, si->si_code, (long)((char *)si->si_addr - hole));
    siglongjmp(env, 1);
}

#define CASE(name, asm_text)                                                           \
    do {                                                                               \
        printf("%s\n", name);                                                          \
        if (!sigsetjmp(env, 1)) {                                                      \
            __asm__ volatile("mov x20, %0\n" asm_text : : "r"(hole) : "x0", "x1", "x2", "x4", "x20", \
                             "v0", "memory", "cc");                                    \
            printf("  no fault\n");                                                    \
        }                                                                              \
    } while (0)

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    CASE("ldr x dead", "ldr x0, [x20]\n mov x0, #0\n");
    CASE("ldrb dead", "ldrb w0, [x20, #3]\n mov x0, #0\n");
    CASE("ldrh dead", "ldrh w0, [x20, #8]\n mov w0, #1\n");
    CASE("ldr q dead", "ldr q0, [x20, #16]\n movi v0.16b, #0\n");
    CASE("ldp dead", "ldp x0, x1, [x20, #32]\n mov x0, #0\n mov x1, #0\n");
    CASE("ldrb wzr", "ldrb wzr, [x20, #32]\n");
    CASE("ldr xzr", "ldr xzr, [x20, #40]\n");
    CASE("ldrsw dead", "ldrsw x0, [x20, #48]\n mov x0, #0\n");
    CASE("loop", "mov x4, x20\n mov x1, #5\n1: ldrb w1, [x4, w1, uxtw]\n movz x1, #0xe7fd\n cbnz x1, 1b\n");
    printf("done\n");
    return 0;
}
