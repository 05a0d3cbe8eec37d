/* A null-pointer write: the program must die of SIGSEGV (exit status 139 from a shell)
 * after its earlier output has been flushed. */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    printf("before the fault\n");
    fflush(stdout);
    volatile int *p = (volatile int *)(long)(argc - 1);
    *p = 42;
    printf("not reached\n");
    return 0;
}
