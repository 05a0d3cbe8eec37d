/* Issue 7 (6): rt_sigreturn refuses a frame whose FP/SIMD record is corrupt (wrong
 * magic, zeroed, huge size): the process dies of SIGSEGV. Each variant runs in a
 * child; the parent prints how the child ended. A handler that leaves the frame alone
 * returns normally. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

static int variant;

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    uint32_t *head = (uint32_t *)uc->uc_mcontext.__reserved;   /* the FPSIMD record first */
    switch (variant) {
    case 1: head[0] ^= 1; break;                               /* wrong magic */
    case 2: memset(head, 0, 528); break;                       /* zeroed record */
    case 3: head[1] = 0x7ffffff0; break;                       /* huge size */
    case 4: head[1] = 16; break;                               /* too small */
    default: break;
    }
}

int main(void)
{
    static const char *names[] = { "intact", "wrong magic", "zeroed", "huge size", "too small" };
    /* A frame returning to EL1 (pstate M bits) is refused by Linux too, but
     * qemu-aarch64 accepts it: not compared here. */
    for (variant = 0; variant < 5; variant++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            close(2);            /* the emulator's own "uncaught signal" line is not compared */
            struct sigaction sa;
            memset(&sa, 0, sizeof(sa));
            sa.sa_sigaction = on_usr1;
            sa.sa_flags = SA_SIGINFO;
            sigaction(SIGUSR1, &sa, NULL);
            raise(SIGUSR1);
            _exit(0);
        }
        int status;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status))
            printf("%s: killed by signal %d\n", names[variant], WTERMSIG(status));
        else
            printf("%s: exit %d\n", names[variant], WEXITSTATUS(status));
    }
    return 0;
}
