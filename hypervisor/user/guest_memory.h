/* The user-mode guest's address space: one reserved host region in which guest
 * address a lives at host_base + a, for every a < limit. The runner keeps a one-byte
 * record per guest page of what the guest mapped there (and with which permissions),
 * so syscall emulation can validate guest pointers before touching them and the
 * runner can place mmap/brk regions like a kernel would. Host protections always
 * follow the guest's (unmapped pages are PROT_NONE), so stray guest accesses fault. */
#ifndef FERRY_USER_GUEST_MEMORY_H
#define FERRY_USER_GUEST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_PAGE_SIZE 4096ull
#define GUEST_PAGE_MASK (GUEST_PAGE_SIZE - 1)
#define GUEST_DEFAULT_LIMIT (1ull << 36) /* 64 GiB of guest address space */

/* Bits of a page record. */
#define GUEST_PROT_READ  0x01
#define GUEST_PROT_WRITE 0x02
#define GUEST_PROT_EXEC  0x04
#define GUEST_PAGE_MAPPED 0x08   /* mapped, even with no access (PROT_NONE) */
#define GUEST_PAGE_FILE   0x10   /* backed by a file (mremap cannot grow it in place) */
#define GUEST_PROT_MASK  (GUEST_PROT_READ | GUEST_PROT_WRITE | GUEST_PROT_EXEC)

struct guest_memory {
    uint8_t *host_base;
    uint64_t limit;          /* every guest address is below this */
    uint8_t *pages;          /* one record per guest page */
    uint64_t mmap_top;       /* top-down mmap placement starts below this */
    uint64_t mmap_bottom;    /* ... and never goes below this */
    uint64_t mmap_cursor;    /* lowest address handed out so far (fast path) */
    /* Called when guest-executable pages change or go away (jit_invalidate). */
    void (*code_changed)(void *ctx, uint64_t start, uint64_t len);
    void *code_changed_ctx;
};

/* Reserves the region (limit must be a multiple of the page size). Returns 0 or -errno. */
int  guest_memory_init(struct guest_memory *m, uint64_t limit);
void guest_memory_destroy(struct guest_memory *m);

static inline uint64_t guest_page_down(uint64_t a) { return a & ~GUEST_PAGE_MASK; }
/* Rounds up; callers check for overflow with guest_range_in_limit first. */
static inline uint64_t guest_page_up(uint64_t a) { return (a + GUEST_PAGE_MASK) & ~GUEST_PAGE_MASK; }

/* True iff [addr, addr + len) lies below the limit (no wrap-around). */
bool guest_range_in_limit(const struct guest_memory *m, uint64_t addr, uint64_t len);

/* Maps [addr, addr + len) (page aligned) as fresh zeroed anonymous memory, replacing
 * whatever was there. prot: GUEST_PROT_* bits. Returns 0 or -errno. */
int guest_map_anonymous(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot,
                        bool shared);
/* Maps host file descriptor fd at offset over [addr, addr + len). */
int guest_map_file(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot,
                   bool shared, int fd, uint64_t offset);
/* Returns [addr, addr + len) to the unmapped (PROT_NONE) state. */
int guest_unmap(struct guest_memory *m, uint64_t addr, uint64_t len);
/* Changes permissions; -ENOMEM if any page in the range is unmapped (like Linux). */
int guest_protect(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot);

/* True iff every page of [addr, addr+len) is mapped with all of `prot`. len 0: true
 * when addr is in limit. */
bool guest_range_accessible(const struct guest_memory *m, uint64_t addr, uint64_t len,
                            unsigned prot);
/* True iff no page of [addr, addr + len) is mapped. */
bool guest_range_free(const struct guest_memory *m, uint64_t addr, uint64_t len);
/* Page record of the page holding addr (0 when outside the limit). */
unsigned guest_page_flags(const struct guest_memory *m, uint64_t addr);

/* Host pointer for a guest range that syscall emulation will read (GUEST_PROT_READ)
 * or write (GUEST_PROT_WRITE) from C; NULL when any byte is not accessible. */
void *guest_ptr(const struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot);
/* Host pointer for a buffer handed straight to a host syscall: only the limit is
 * checked, the host kernel reports EFAULT for unmapped pages itself. */
void *guest_ptr_unchecked(const struct guest_memory *m, uint64_t addr, uint64_t len);
/* Whether [addr, addr + len) touches an execute-only page (mapped PROT_EXEC without
 * PROT_READ): the host can read it (so the translator can fetch), the guest kernel
 * cannot, so a syscall reading such a buffer must fail with EFAULT. */
bool guest_range_has_exec_only(const struct guest_memory *m, uint64_t addr, uint64_t len);

int guest_copy_from(const struct guest_memory *m, void *dst, uint64_t addr, uint64_t len);
int guest_copy_to(struct guest_memory *m, uint64_t addr, const void *src, uint64_t len);
/* Length of the NUL-terminated guest string at addr, or -EFAULT, or -ENAMETOOLONG
 * when no NUL appears within max bytes. */
int64_t guest_strnlen(const struct guest_memory *m, uint64_t addr, uint64_t max);
/* Host pointer to a readable NUL-terminated guest string of < max bytes, or NULL with
 * *err set to -EFAULT / -ENAMETOOLONG. */
const char *guest_string(const struct guest_memory *m, uint64_t addr, uint64_t max, int *err);

/* Finds `len` bytes of unmapped, page-aligned space, top-down from the mmap area (or
 * at hint if that range is free and in the area). Returns 0 when none is left. */
uint64_t guest_find_free(struct guest_memory *m, uint64_t len, uint64_t hint);

#endif
