/* Issue 7 (11): a guest SIGSEGV handler runs for a fault the host MMU catches, and sees
 * the registers as they were at the faulting instruction (values computed just
 * before it in the same block, nothing written after it). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf env;
static char *base;

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t *x = (uint64_t *)uc->uc_mcontext.regs;
    printf("  signal %d code %d at +%ld x1=+%ld x2=%#lx x3=%#lx nzcv=%#lx\n", sig, si->si_code,
           (long)((char *)si->si_addr - base), (long)((char *)x[1] - base), (unsigned long)x[2],
           (unsigned long)x[3], (unsigned long)(uc->uc_mcontext.pstate >> 28));
    siglongjmp(env, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    base = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(base + 4096, 4096);
    for (int i = 0; i < 3; i++) {
        printf("load %d\n", i);
        if (!sigsetjmp(env, 1))
            __asm__ volatile("mov x1, %0\n mov x2, #0x1234\n add x2, x2, #0x10\n mov x3, #5\n cmp x3, #9\n"
                             "ldr x3, [x1]\n mov x2, #0\n" ::"r"(base + 4096 + i) : "x1", "x2", "x3", "memory", "cc");
        printf("store %d\n", i);
        if (!sigsetjmp(env, 1))
            __asm__ volatile("mov x1, %0\n mov x2, #7\n subs x3, x2, #7\n str x2, [x1]\n mov x2, #0\n"
                             ::"r"(base + 4096 + 8 * i) : "x1", "x2", "x3", "memory", "cc");
        printf("pair %d\n", i);
        if (!sigsetjmp(env, 1))
            __asm__ volatile("mov x1, %0\n mov x2, #3\n mov x3, #4\n stp x2, x3, [x1, #-8]\n mov x2, #0\n"
                             ::"r"(base + 4096 + 16 * i) : "x1", "x2", "x3", "memory", "cc");
    }
    mprotect(base, 4096, PROT_READ);
    printf("read-only\n");
    if (!sigsetjmp(env, 1))
        __asm__ volatile("mov x1, %0\n mov x2, #1\n mov x3, #2\n strb w2, [x1, #5]\n" ::"r"(base)
                         : "x1", "x2", "x3", "memory");
    printf("done\n");
    return 0;
}
