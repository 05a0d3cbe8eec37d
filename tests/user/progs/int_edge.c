/* Integer edge cases: overflow, wrap-around, extremes of division, widening
 * multiplies, bit counting, conversions. volatile keeps the operations at run time. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

static volatile int64_t v64[] = { 0, 1, -1, 2, -2, 7, -7, INT64_MAX, INT64_MIN, 0x123456789abcdefLL,
                                  INT32_MAX, INT32_MIN, 0xffffffffLL, 255, -256 };
#define N64 (sizeof(v64) / sizeof(v64[0]))

int main(void)
{
    uint64_t h = 1469598103934665603ull;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ull)
    for (unsigned i = 0; i < N64; i++) {
        for (unsigned j = 0; j < N64; j++) {
            int64_t a = v64[i], b = v64[j];
            int32_t a32 = (int32_t)a, b32 = (int32_t)b;
            MIX((uint64_t)a + (uint64_t)b);
            MIX((uint64_t)a - (uint64_t)b);
            MIX((uint64_t)a * (uint64_t)b);
            MIX((uint32_t)a32 * (uint32_t)b32);
            int64_t r;
            MIX(__builtin_add_overflow(a, b, &r)); MIX(r);
            MIX(__builtin_sub_overflow(a, b, &r)); MIX(r);
            MIX(__builtin_mul_overflow(a, b, &r)); MIX(r);
            int32_t r32;
            MIX(__builtin_mul_overflow(a32, b32, &r32)); MIX(r32);
            if (b != 0 && !(a == INT64_MIN && b == -1)) { MIX(a / b); MIX(a % b); }
            if (b != 0) { MIX((uint64_t)a / (uint64_t)b); MIX((uint64_t)a % (uint64_t)b); }
            if (b32 != 0 && !(a32 == INT32_MIN && b32 == -1)) { MIX(a32 / b32); MIX(a32 % b32); }
            unsigned __int128 wide = (unsigned __int128)(uint64_t)a * (uint64_t)b;
            MIX((uint64_t)(wide >> 64));
            __int128 swide = (__int128)a * b;
            MIX((uint64_t)(swide >> 64));
            MIX(a < b); MIX((uint64_t)a < (uint64_t)b); MIX(a32 <= b32); MIX(a == b);
            MIX(a > b ? a : b);
        }
        int64_t a = v64[i];
        MIX(a ? __builtin_clzll((uint64_t)a) : 64);
        MIX(a ? __builtin_ctzll((uint64_t)a) : 64);
        MIX(__builtin_popcountll((uint64_t)a));
        MIX(__builtin_bswap64((uint64_t)a));
        MIX(__builtin_bswap32((uint32_t)a));
        MIX(__builtin_bswap16((uint16_t)a));
        MIX((int8_t)a); MIX((uint8_t)a); MIX((int16_t)a); MIX((uint16_t)a); MIX((int32_t)a);
        MIX(-a); MIX(~a); MIX(a < 0 ? -(uint64_t)a : (uint64_t)a);
        MIX((int64_t)(double)a); MIX((uint64_t)(float)(uint32_t)a);
    }
    printf("int_edge hash %016" PRIx64 "\n", h);
    printf("INT64_MIN=%" PRId64 " INT64_MAX=%" PRId64 " UINT64_MAX=%" PRIu64 "\n", INT64_MIN, INT64_MAX, UINT64_MAX);
    volatile int64_t m = INT64_MIN, neg1 = -1;
    printf("wrap add %" PRId64 " sub %" PRId64 "\n", (int64_t)((uint64_t)INT64_MAX + 1), (int64_t)((uint64_t)m - 1));
    printf("abs(min)=%" PRId64 " min*-1=%" PRId64 "\n", (int64_t)(0 - (uint64_t)m), (int64_t)((uint64_t)m * (uint64_t)neg1));
    return 0;
}
