/* A small program whose static link pulls in the parts of glibc that user programs
 * exercise most (stdio with integer and floating-point conversions, string and memory
 * routines, qsort, strtod): its whole disassembly is compared with objdump's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_ints(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

int main(int argc, char **argv)
{
    int values[] = { 5, 3, 9, 1, argc };
    qsort(values, 5, sizeof(values[0]), compare_ints);
    char text[128];
    double d = strtod(argc > 1 ? argv[1] : "2.5", NULL);
    snprintf(text, sizeof(text), "%d %f %g %s", values[0], d * 3.25, d / 7, argv[0]);
    memset(text + 100, 0, 10);
    printf("%s %zu %p\n", text, strlen(text), (void *)strchr(text, ' '));
    return memcmp(text, "1", 1) == 0 ? 0 : 1;
}
