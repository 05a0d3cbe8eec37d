/* argv, envp and the auxiliary vector as the program sees them at start-up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("argv[argc]=%s\n", argv[argc] ? "non-null" : "null");
    int found = 0;
    for (char **e = envp; *e; e++)
        if (strncmp(*e, "FERRY_TEST_VAR=", 15) == 0)
            found++;
    printf("FERRY_TEST_VAR=%s (in envp %d)\n", getenv("FERRY_TEST_VAR"), found);
    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_HWCAP has FP=%d ASIMD=%d\n", (int)(getauxval(AT_HWCAP) & 1), (int)((getauxval(AT_HWCAP) >> 1) & 1));
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM present=%d\n", rnd != NULL);
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM=%s\n", platform ? platform : "(none)");
    printf("AT_PHDR present=%d AT_ENTRY present=%d\n", getauxval(AT_PHDR) != 0, getauxval(AT_ENTRY) != 0);
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN ends with args_env=%d\n", execfn && strstr(execfn, "args_env") != NULL);
    printf("sp aligned=%d\n", ((unsigned long)__builtin_frame_address(0) & 15) == 0);
    return 0;
}
