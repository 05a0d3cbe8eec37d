/* The engine's implementation of include/ferry/support.h for the shared code: heap,
 * code memory, logging to the host console, panic. (The mem/str functions are in
 * lib.c, the formatter in format.c.) */
#include <ferry/support.h>
#include "code_cache.h"
#include "console.h"
#include "fatal.h"
#include "heap.h"

void *fy_alloc(size_t size)
{
    void *p = heap_alloc(size);
    if (!p)
        fy_panic("fy_alloc: out of memory allocating %zu bytes", size);
    return p;
}

void fy_free(void *ptr)
{
    heap_free(ptr);
}

void *fy_code_alloc(size_t size)
{
    void *p = code_cache_alloc(size);
    if (!p)
        fy_panic("fy_code_alloc: out of code memory allocating %zu bytes", size);
    return p;
}

void fy_code_free(void *ptr, size_t size)
{
    code_cache_free(ptr, size);
}

/* One log line to the console ring; a newline is added unless the message ends with
 * one. Lines longer than the buffer are cut. */
void fy_log(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = fy_vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line - 2 ? (size_t)n : sizeof line - 2;
    if (len == 0 || line[len - 1] != '\n')
        line[len++] = '\n';
    console_log_line(line, len);
}

_Noreturn void fy_panic(const char *fmt, ...)
{
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    va_list ap;
    va_start(ap, fmt);
    fatal_panicv((uint64_t)(uintptr_t)__builtin_return_address(0),
                 (uint64_t)(uintptr_t)__builtin_frame_address(0), rsp, fmt, ap);
}
