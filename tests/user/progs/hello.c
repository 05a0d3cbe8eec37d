/* Smallest end-to-end check: stdio buffering, puts/printf, exit status 0. */
#include <stdio.h>

int main(void)
{
    puts("hello from aarch64");
    printf("%s %d %u %x %ld\n", "printf", -42, 42u, 0xbeefu, -1234567890123L);
    return 0;
}
