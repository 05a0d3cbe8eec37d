/* Benchmark: 64-bit integer matrix multiply (n x n, argument 1 = repetitions). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N 160

static int64_t a[N][N], b[N][N], c[N][N];

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 10;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (i * 7 + j * 3) % 101 - 50;
            b[i][j] = (i * 5 - j * 11) % 97;
        }
    int64_t check = 0;
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int64_t s = 0;
                for (int k = 0; k < N; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        check += c[r % N][(r * 7) % N];
        a[r % N][(r * 3) % N] += 1;
    }
    printf("matmul_int check %lld\n", (long long)check);
    return 0;
}
