/* Large stack frames: a 4 MiB local array touched end to end (the stack limit is 8 MiB). */
#include <stdio.h>
#include <string.h>

static unsigned long use_stack(unsigned size_kib)
{
    volatile unsigned char big[4u << 20];
    unsigned long sum = 0;
    for (unsigned i = 0; i < size_kib * 1024u && i < sizeof(big); i += 512)
        big[i] = (unsigned char)(i >> 9);
    for (unsigned i = 0; i < size_kib * 1024u && i < sizeof(big); i += 512)
        sum += big[i];
    return sum;
}

int main(void)
{
    printf("stack sum %lu\n", use_stack(4000));
    char line[256];
    memset(line, '=', sizeof(line) - 1);
    line[sizeof(line) - 1] = 0;
    printf("%.20s\n", line);
    return 0;
}
