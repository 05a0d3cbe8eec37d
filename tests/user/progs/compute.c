/* A little of everything hot: CRC-32 table lookups, a sieve, a matrix product and a
 * switch-dispatched loop (indirect branches), so block chaining gets exercised. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    static uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xffffffffu;
    for (uint32_t i = 0; i < 200000; i++)
        crc = table[(crc ^ (i * 2654435761u >> 24)) & 0xff] ^ (crc >> 8);
    printf("crc=%08x\n", crc ^ 0xffffffffu);
    static char composite[100000];
    int primes = 0;
    for (int i = 2; i < 100000; i++) {
        if (composite[i]) continue;
        primes++;
        for (int j = i * 2; j < 100000; j += i)
            composite[j] = 1;
    }
    printf("primes=%d\n", primes);
    static int64_t a[40][40], b[40][40], c[40][40];
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < 40; j++) {
            a[i][j] = i * 3 - j;
            b[i][j] = (i ^ j) - 7;
        }
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < 40; j++) {
            int64_t s = 0;
            for (int k = 0; k < 40; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
    int64_t trace = 0;
    for (int i = 0; i < 40; i++)
        trace += c[i][i] - c[i][39 - i];
    printf("trace=%lld\n", (long long)trace);
    uint64_t acc = 1;
    for (uint32_t i = 0; i < 300000; i++) {
        switch ((i * 7 + (uint32_t)acc) % 6) {
        case 0: acc += i; break;
        case 1: acc ^= acc << 7; break;
        case 2: acc *= 3; break;
        case 3: acc ^= acc >> 11; break;
        case 4: acc -= i * 5; break;
        default: acc = (acc << 1) | (acc >> 63); break;
        }
    }
    printf("acc=%016llx\n", (unsigned long long)acc);
    return 0;
}
