/* Entry point of `ferry user`, the user-mode runner (owned by the runner's engineer;
 * this declaration is what hypervisor/main.c calls). argv[0] is "user", argv[1] the
 * program, the rest its arguments. Returns the process exit status. */
#ifndef FERRY_USER_H
#define FERRY_USER_H

int ferry_user_main(int argc, char **argv);

#endif
