/* Guest signal handlers: a handler for a signal the program sends itself, sigprocmask
 * deferring it, a SIGILL handler that escapes with siglongjmp, then abort(). */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t usr1_count, last_sig;
static sigjmp_buf escape;

static void on_usr1(int sig, siginfo_t *info, void *uc)
{
    (void)uc;
    usr1_count++;
    last_sig = sig + (info->si_signo == sig ? 100 : 0);
}

static void on_ill(int sig)
{
    siglongjmp(escape, sig);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("after raise: count=%d last=%d\n", (int)usr1_count, (int)last_sig);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    printf("blocked: count=%d\n", (int)usr1_count);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: count=%d\n", (int)usr1_count);
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    printf("ignored SIGUSR2 survived\n");
    signal(SIGILL, on_ill);
    int r = sigsetjmp(escape, 1);
    if (r == 0) {
        __asm__ volatile(".inst 0x00000000");
        printf("not reached\n");
    } else {
        printf("escaped from SIGILL handler with %d\n", r);
    }
    volatile double x = 1.5;
    printf("fp state after handler: %.2f\n", x * 2);
    fflush(stdout);
    abort();
}
