/* Shifts and rotates by every amount, register-specified (taken modulo the width by
 * the hardware), immediate forms via the compiler, and bitfield extracts. */
#include <inttypes.h>
#include <stdio.h>

static uint64_t lslv(uint64_t a, uint64_t s) { uint64_t r; __asm__("lsl %0, %1, %2" : "=r"(r) : "r"(a), "r"(s)); return r; }
static uint64_t lsrv(uint64_t a, uint64_t s) { uint64_t r; __asm__("lsr %0, %1, %2" : "=r"(r) : "r"(a), "r"(s)); return r; }
static uint64_t asrv(uint64_t a, uint64_t s) { uint64_t r; __asm__("asr %0, %1, %2" : "=r"(r) : "r"(a), "r"(s)); return r; }
static uint64_t rorv(uint64_t a, uint64_t s) { uint64_t r; __asm__("ror %0, %1, %2" : "=r"(r) : "r"(a), "r"(s)); return r; }
static uint32_t lslv32(uint32_t a, uint32_t s) { uint32_t r; __asm__("lsl %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(s)); return r; }
static uint32_t asrv32(uint32_t a, uint32_t s) { uint32_t r; __asm__("asr %w0, %w1, %w2" : "=r"(r) : "r"(a), "r"(s)); return r; }

int main(void)
{
    volatile uint64_t x = 0x8123456789abcdefull;
    uint64_t h = 0;
    for (uint64_t s = 0; s < 130; s++) {
        h = h * 31 + lslv(x, s);
        h = h * 31 + lsrv(x, s);
        h = h * 31 + asrv(x, s);
        h = h * 31 + rorv(x, s);
        h = h * 31 + lslv32((uint32_t)x, (uint32_t)s);
        h = h * 31 + asrv32((uint32_t)(x >> 32), (uint32_t)s);
        if (s < 64) {
            h = h * 31 + (x << s) + (x >> s) + (uint64_t)((int64_t)x >> s);
            h = h * 31 + ((x >> s) & 0x1f) + ((x >> (s / 2)) & 0xfff);
        }
    }
    printf("shift hash %016" PRIx64 "\n", h);
    printf("lsl 1,64=%" PRIu64 " lsl 1,65=%" PRIu64 " asr min,63=%" PRIx64 "\n", lslv(1, 64), lslv(1, 65), asrv(0x8000000000000000ull, 63));
    return 0;
}
