/* Hosted implementation of include/ferry/support.h for the AArch64 front-end tests
 * (the ferry program has its own; tests link this one instead). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "ferry/support.h"

void *fy_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p)
        fy_panic("out of memory (%zu bytes)", size);
    return p;
}

void fy_free(void *ptr) { free(ptr); }

void *fy_code_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        fy_panic("cannot map %zu bytes of code memory", size);
    return p;
}

void fy_code_free(void *ptr, size_t size) { munmap(ptr, size); }

void fy_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

_Noreturn void fy_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("panic: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

int fy_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    return vsnprintf(buf, size, fmt, ap);
}

int fy_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
