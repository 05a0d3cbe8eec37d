/* The exit status passes through: exit(argv[1]) with atexit handlers run first. */
#include <stdio.h>
#include <stdlib.h>

static void bye(void) { printf("atexit ran\n"); }

int main(int argc, char **argv)
{
    atexit(bye);
    int code = argc > 1 ? atoi(argv[1]) : 3;
    printf("exiting with %d\n", code);
    exit(code);
}
