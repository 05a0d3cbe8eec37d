/* Benchmark: double-precision matrix multiply (argument 1 = repetitions). */
#include <stdio.h>
#include <stdlib.h>

#define N 160

static double a[N][N], b[N][N], c[N][N];

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 10;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3) % 101) / 13.0 - 3.5;
            b[i][j] = (double)((i * 5 + j * 11) % 97) / 17.0 + 0.25;
        }
    double check = 0;
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        check += c[r % N][(r * 7) % N];
        a[r % N][(r * 3) % N] *= 1.0001;
    }
    printf("matmul_double check %.6e\n", check);
    return 0;
}
