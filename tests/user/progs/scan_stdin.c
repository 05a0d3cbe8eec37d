/* scanf from standard input: integers, floats, words until end of file. */
#include <stdio.h>

int main(void)
{
    long total = 0;
    double ftotal = 0;
    char word[64];
    int count = 0;
    long v;
    double d;
    while (scanf("%ld %lf %63s", &v, &d, word) == 3) {
        total += v;
        ftotal += d;
        count++;
        printf("%d: %ld %.3f %s\n", count, v, d, word);
    }
    printf("records=%d total=%ld ftotal=%.4f\n", count, total, ftotal);
    return 0;
}
