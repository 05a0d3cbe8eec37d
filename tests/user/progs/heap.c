/* malloc-heavy: many small and large blocks (brk and mmap paths), realloc growth,
 * calloc zeroing, frees in mixed order; contents are verified. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 99;
static uint32_t next(void) { state ^= state << 13; state ^= state >> 17; state ^= state << 5; return state; }

int main(void)
{
    enum { SLOTS = 4096 };
    static unsigned char *slot[SLOTS];
    static size_t size[SLOTS];
    unsigned long checksum = 0, errors = 0;
    for (int round = 0; round < 60000; round++) {
        unsigned i = next() % SLOTS;
        if (slot[i]) {
            for (size_t k = 0; k < size[i]; k += 97)
                if (slot[i][k] != (unsigned char)(i + k))
                    errors++;
            checksum += size[i];
            free(slot[i]);
            slot[i] = NULL;
        } else {
            size[i] = (next() % 16 == 0) ? 100000 + next() % 300000 : 1 + next() % 2000;
            slot[i] = malloc(size[i]);
            if (!slot[i]) { printf("malloc failed\n"); return 1; }
            for (size_t k = 0; k < size[i]; k += 97)
                slot[i][k] = (unsigned char)(i + k);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        free(slot[i]);
    char *grow = NULL;
    size_t len = 0;
    for (int i = 0; i < 2000; i++) {
        grow = realloc(grow, len + 1000);
        memset(grow + len, 'a' + i % 26, 1000);
        len += 1000;
    }
    unsigned long g = 0;
    for (size_t k = 0; k < len; k += 333)
        g += (unsigned char)grow[k];
    free(grow);
    int *z = calloc(100000, sizeof(int));
    long zs = 0;
    for (int i = 0; i < 100000; i++)
        zs += z[i];
    free(z);
    printf("heap checksum=%lu errors=%lu grow=%lu calloc=%ld\n", checksum, errors, g, zs);
    return 0;
}
