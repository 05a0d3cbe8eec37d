/* Large anonymous memory in 2 MB aligned mappings advised for transparent huge pages, so
 * that filling it costs a fault per 2 MB rather than per 4 KB: on the project's machines
 * a host page fault costs 6-7 us, and pv-lite's shadow MMU, behind a VM's memory, fills
 * a 4 KB page in 18-36 us (engine/README.md). Used for the VM's memory and the trace
 * buffers. */
#ifndef FERRY_HUGE_PAGES_H
#define FERRY_HUGE_PAGES_H

#include <stddef.h>

/* size bytes (rounded up to 2 MB), zeroed, reserved lazily (MAP_NORESERVE); NULL with
 * errno set when it cannot be mapped. */
void *huge_pages_map(size_t size);
/* Unmaps memory from huge_pages_map (NULL is ignored); `size` as mapped. */
void huge_pages_unmap(void *memory, size_t size);

#endif
