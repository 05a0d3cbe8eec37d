/* fork, pipe and wait: the child writes through a pipe and exits with a status the
 * parent collects. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); return 1; }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        const char *msg = "hello through the pipe";
        write(fds[1], msg, strlen(msg));
        _exit(7);
    }
    close(fds[1]);
    char buf[64] = { 0 };
    ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
    int status = 0;
    waitpid(pid, &status, 0);
    printf("read %zd: %s\n", n, buf);
    printf("child exited=%d status=%d\n", WIFEXITED(status), WEXITSTATUS(status));
    return 0;
}
