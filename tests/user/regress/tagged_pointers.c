/* Issue 7 (3): Linux runs EL0 with TBI0 set: loads, stores and branches through a
 * pointer with a non-zero top byte reach the untagged address. */
#include <stdint.h>
#include <stdio.h>

static long value = 42;
static long seven(void) { return 7; }

int main(void)
{
    volatile long *tagged = (volatile long *)((uintptr_t)&value | (0x5aull << 56));
    printf("load %ld\n", *tagged);
    *tagged = 43;
    printf("store %ld\n", value);
    volatile uint8_t *tb = (volatile uint8_t *)((uintptr_t)&value | (0xffull << 56));
    printf("byte %d\n", *tb);
    long (*f)(void) = (long (*)(void))((uintptr_t)seven | (0x33ull << 56));
    printf("call %ld\n", f());
    return 0;
}
