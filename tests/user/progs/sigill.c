/* A permanently undefined instruction (UDF #0): the program must die of SIGILL. */
#include <stdio.h>

int main(void)
{
    printf("before the undefined instruction\n");
    fflush(stdout);
    __asm__ volatile(".inst 0x00000000");
    printf("not reached\n");
    return 0;
}
