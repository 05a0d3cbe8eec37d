/* getrandom: fills buffers, two draws differ, a zero-length request works. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int main(void)
{
    unsigned char a[32], b[32];
    ssize_t na = getrandom(a, sizeof(a), 0), nb = getrandom(b, sizeof(b), 0);
    int nonzero = 0;
    for (int i = 0; i < 32; i++)
        nonzero |= a[i];
    printf("getrandom %zd %zd nonzero=%d differ=%d\n", na, nb, nonzero != 0, memcmp(a, b, 32) != 0);
    printf("zero length=%zd\n", getrandom(a, 0, 0));
    return 0;
}
