/* Issue 7 (8): a MAP_FIXED mmap that Linux rejects (bad fd, a directory, a file
 * opened write-only) leaves the mapping it would have replaced intact. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void try(const char *name, char *page, int fd)
{
    void *r = mmap(page, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    printf("%s: %s (errno %s), page still holds '%s'\n", name, r == MAP_FAILED ? "failed" : "mapped",
           r == MAP_FAILED ? strerror(errno) : "-", page);
}

int main(void)
{
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(page, "survivor");
    try("bad fd", page, 1234);
    int dir = open("/", O_RDONLY | O_DIRECTORY);
    try("directory", page, dir);
    int wo = open("/dev/null", O_WRONLY);
    try("write-only", page, wo);
    int p[2];
    pipe(p);
    try("pipe", page, p[0]);
    return 0;
}
