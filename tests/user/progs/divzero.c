/* AArch64 integer division never traps: x / 0 == 0 and INT_MIN / -1 == INT_MIN.
 * The asm forces the hardware instruction (C would call these undefined). */
#include <inttypes.h>
#include <stdio.h>

static int64_t sdiv64(int64_t a, int64_t b) { int64_t r; __asm__ volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint64_t udiv64(uint64_t a, uint64_t b) { uint64_t r; __asm__ volatile("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static int32_t sdiv32(int32_t a, int32_t b) { int32_t r; __asm__ volatile("sdiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static uint32_t udiv32(uint32_t a, uint32_t b) { uint32_t r; __asm__ volatile("udiv %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(b)); return r; }

int main(void)
{
    printf("sdiv64 7/0=%" PRId64 " -7/0=%" PRId64 " min/-1=%" PRId64 " -7/2=%" PRId64 "\n",
           sdiv64(7, 0), sdiv64(-7, 0), sdiv64(INT64_MIN, -1), sdiv64(-7, 2));
    printf("udiv64 7/0=%" PRIu64 " max/3=%" PRIu64 "\n", udiv64(7, 0), udiv64(UINT64_MAX, 3));
    printf("sdiv32 7/0=%" PRId32 " min/-1=%" PRId32 " -9/4=%" PRId32 "\n",
           sdiv32(7, 0), sdiv32(INT32_MIN, -1), sdiv32(-9, 4));
    printf("udiv32 7/0=%" PRIu32 " max/7=%" PRIu32 "\n", udiv32(7, 0), udiv32(UINT32_MAX, 7));
    volatile int zero = 0;
    int ok = (sdiv32(100, zero) == 0);
    printf("%s\n", ok ? "no trap" : "unexpected");
    return 0;
}
