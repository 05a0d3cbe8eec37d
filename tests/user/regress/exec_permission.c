/* Issue 7 (2, 10): code runs only from executable pages (SIGSEGV with SEGV_ACCERR
 * otherwise, also after mprotect removes PROT_EXEC), and a branch to a misaligned
 * address raises SIGBUS with BUS_ADRALN. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static sigjmp_buf env;
static uint32_t data_code[2] = { 0xd2800540, 0xd65f03c0 };   /* mov x0, #42; ret */
static long seven(void) { return 7; }

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    (void)si;
    printf("  signal %d code %d\n", sig, si->si_code);
    siglongjmp(env, 1);
}

static void call(const char *name, void *code)
{
    printf("%s\n", name);
    if (!sigsetjmp(env, 1))
        printf("  returned %ld\n", ((long (*)(void))code)());
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    call("data segment", data_code);
    uint32_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(page, data_code, sizeof(data_code));
    call("rw page", page);
    mprotect(page, 4096, PROT_READ | PROT_EXEC);
    __builtin___clear_cache((char *)page, (char *)page + 8);
    call("rx page", page);
    mprotect(page, 4096, PROT_READ | PROT_WRITE);
    call("rw page again", page);
    call("misaligned", (char *)seven + 2);
    printf("done\n");
    return 0;
}
