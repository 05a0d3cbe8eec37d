/* Issue 7 (10): smaller syscall differences from Linux: readlinkat with size 0, execve
 * of a non-executable file or with a bad argv pointer, wait4 with no children and a
 * bad status pointer, write(2) from an execute-only page. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *name, long r)
{
    printf("%s: %ld (%s)\n", name, r, r < 0 ? strerror(errno) : "ok");
}

int main(void)
{
    char buf[16];
    show("readlinkat size 0", syscall(SYS_readlinkat, AT_FDCWD, "/proc/self/exe", buf, 0));
    char *argv[] = { "x", NULL };
    show("execve non-executable", syscall(SYS_execve, "/etc/passwd", argv, NULL));
    show("execve directory", syscall(SYS_execve, "/", argv, NULL));
    show("execve bad argv", syscall(SYS_execve, "/proc/self/exe", (char **)16, NULL));
    show("execve bad argv entry", syscall(SYS_execve, "/proc/self/exe", (char *[]){ (char *)16, NULL }, NULL));
    show("wait4 no children, bad status", syscall(SYS_wait4, -1, (int *)16, 0, NULL));
    char *xo = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(xo, "hidden\n");
    mprotect(xo, 4096, PROT_EXEC);
    show("write from execute-only", syscall(SYS_write, 1, xo, 7));
    mprotect(xo, 4096, PROT_READ);
    show("write from read-only", syscall(SYS_write, 1, xo, 7));
    return 0;
}
