/* Anonymous and file mappings, mprotect, munmap, mremap growth with content kept. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    size_t len = 1 << 20;
    unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap ok=%d zeroed=%d\n", a != MAP_FAILED, a[12345] == 0);
    for (size_t i = 0; i < len; i += 4096)
        a[i] = (unsigned char)(i >> 12);
    printf("mprotect ro=%d\n", mprotect(a, len, PROT_READ));
    printf("mprotect rw=%d\n", mprotect(a, len, PROT_READ | PROT_WRITE));
    unsigned char *b = mremap(a, len, 4 * len, MREMAP_MAYMOVE);
    int kept = 1;
    for (size_t i = 0; i < len; i += 4096)
        kept &= b[i] == (unsigned char)(i >> 12);
    b[4 * len - 1] = 7;
    printf("mremap ok=%d kept=%d\n", b != MAP_FAILED, kept);
    printf("munmap=%d\n", munmap(b, 4 * len));
    printf("munmap unaligned=%d\n", munmap((char *)b + 1, 4096) == -1);
    char path[] = "/tmp/ferry-mmap-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "mapped file contents\n";
    write(fd, text, strlen(text));
    char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("file map: %.20s\n", m);
    munmap(m, 4096);
    close(fd);
    unlink(path);
    void *fixed = mmap((void *)0x700000000ull, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("fixed noreplace ok=%d\n", fixed == (void *)0x700000000ull || fixed != MAP_FAILED);
    void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("zero length fails=%d\n", bad == MAP_FAILED);
    return 0;
}
