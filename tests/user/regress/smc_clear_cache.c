/* Issue 7 (5): code written into an RWX page and made visible with __builtin___clear_cache
 * (DC CVAU + IC IVAU) runs in its new form: prints "1 2 3". */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
typedef int (*fn)(void);
int main(void)
{
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 1; i <= 3; i++) {
        code[0] = 0x52800000 | (i << 5);   /* mov w0, #i */
        code[1] = 0xd65f03c0;              /* ret */
        __builtin___clear_cache((char *)code, (char *)(code + 2));
        printf("%d ", ((fn)code)());
    }
    printf("\n");
    return 0;
}
