/* The checking harness of the trace tests (test_trace.c, test_recorder.c): CHECK
 * counts checks and failures and reports the first 50 failures; tmp_path names a file in
 * the test's directory. One test program includes it once. */
#ifndef FERRY_TESTS_TRACE_CHECK_H
#define FERRY_TESTS_TRACE_CHECK_H

#include <stdio.h>

static unsigned checks, failures;

#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        checks++;                                                                           \
        if (!(cond)) {                                                                      \
            failures++;                                                                     \
            if (failures < 50) {                                                            \
                fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);             \
                fprintf(stderr, __VA_ARGS__);                                               \
                fputc('\n', stderr);                                                        \
            }                                                                               \
        }                                                                                   \
    } while (0)

static const char *dir;

static char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

#endif
