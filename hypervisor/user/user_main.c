/* Placeholder for the user-mode runner until its engineer replaces this file. */
#include <stdio.h>

#include "hypervisor/user/user.h"

int ferry_user_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "ferry user: the user-mode runner is not built yet\n");
    return 2;
}
