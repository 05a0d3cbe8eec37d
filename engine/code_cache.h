/* Memory for generated code (fy_code_alloc): page-granular blocks in the code-cache
 * region (FERRY_CODE_CACHE_BASE, PML4 slot 509), mapped readable, writable and
 * executable (requests of 2 MB or more with 2 MB pages). Virtual space is handed out
 * upward and never reused (the region is 512 GB); freed blocks return their physical
 * pages. */
#ifndef ENGINE_CODE_CACHE_H
#define ENGINE_CODE_CACHE_H

#include <stddef.h>

void *code_cache_alloc(size_t size); /* NULL when out of memory or space */
void code_cache_free(void *ptr, size_t size);

#endif
