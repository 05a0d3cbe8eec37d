/* Hosted implementation of include/ferry/support.h for ordinary Linux processes (the
 * ferry program, unit tests): libc for memory and formatting, mmap for the RWX code
 * cache. The engine has its own freestanding implementation. */
#include "ferry/support.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

void *fy_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    if (!p) fy_panic("out of memory allocating %zu bytes", size);
    return p;
}

void fy_free(void *ptr) { free(ptr); }

void *fy_code_alloc(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void fy_code_free(void *ptr, size_t size)
{
    if (ptr) munmap(ptr, size);
}

void fy_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

_Noreturn void fy_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ferry: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
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
