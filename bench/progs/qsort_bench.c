/* Benchmark: qsort of pseudo-random integers and strings (argument 1 = rounds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    enum { N = 200000, S = 20000 };
    uint32_t *v = malloc(N * sizeof(*v));
    char (*text)[16] = malloc(S * sizeof(*text));
    char **s = malloc(S * sizeof(*s));
    uint32_t x = 2463534242u;
    uint64_t check = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < N; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            v[i] = x;
        }
        qsort(v, N, sizeof(*v), cmp_u32);
        check += v[N / 2] + v[r];
        for (int i = 0; i < S; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            snprintf(text[i], sizeof(text[i]), "k%08x", x);
            s[i] = text[i];
        }
        qsort(s, S, sizeof(*s), cmp_str);
        check += (uint8_t)s[S / 3][3];
    }
    printf("qsort check %llu\n", (unsigned long long)check);
    free(v); free(text); free(s);
    return 0;
}
