/* The small interface that the shared code (jit/, arch/, devices/) needs from whoever
 * hosts it: the engine inside the VM (engine/support.c) or a host process
 * (hypervisor/support_hosted.c). Nothing else from libc or the engine may be used by
 * that code, so it compiles both freestanding and hosted. */
#ifndef FERRY_SUPPORT_H
#define FERRY_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>

void *fy_alloc(size_t size);            /* zeroed memory, aborts (panics) when exhausted */
void  fy_free(void *ptr);
/* Memory that may hold generated x86-64 code: readable, writable and executable. */
void *fy_code_alloc(size_t size);
void  fy_code_free(void *ptr, size_t size);

void  fy_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fy_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int   fy_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int   fy_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The compiler may emit calls to these even in freestanding code; both hosts provide
 * them (libc hosted, engine/lib.c freestanding). */
void  *memcpy(void *dst, const void *src, size_t n);
void  *memmove(void *dst, const void *src, size_t n);
void  *memset(void *dst, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int    strcmp(const char *a, const char *b);

#if defined(FERRY_FREESTANDING) && !defined(FERRY_DEFINES_MEM_FUNCTIONS)
/* -ffreestanding turns the compiler's builtins off, so every small fixed-size copy (a
 * guest value loaded or stored, a patched jump) became a call to a `rep movsb` loop;
 * measured on the Linux boot. The builtins inline those and call the functions above
 * for the rest. */
#define memcpy(dst, src, n) __builtin_memcpy((dst), (src), (n))
#define memmove(dst, src, n) __builtin_memmove((dst), (src), (n))
#define memset(dst, c, n) __builtin_memset((dst), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#endif

#endif
