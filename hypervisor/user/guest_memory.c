/* The user-mode guest's address space: reservation, mapping with guest permissions,
 * the per-page record, pointer validation and mmap placement. */
#include "hypervisor/user/guest_memory.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define GUEST_MMAP_MIN_ADDR 0x10000ull /* like Linux's vm.mmap_min_addr */

static int host_prot(unsigned prot)
{
    int p = PROT_NONE;
    /* The translator reads guest code through the host mapping, so executable pages
     * must be host-readable even when the guest made them execute-only. */
    if (prot & (GUEST_PROT_READ | GUEST_PROT_EXEC))
        p |= PROT_READ;
    if (prot & GUEST_PROT_WRITE)
        p |= PROT_READ | PROT_WRITE;
    return p;
}

int guest_memory_init(struct guest_memory *m, uint64_t limit)
{
    memset(m, 0, sizeof(*m));
    if (limit == 0 || (limit & GUEST_PAGE_MASK))
        return -EINVAL;
    void *base = mmap(NULL, limit, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return -errno;
    /* The page records for 64 GiB are 16 MiB; an untouched record page costs nothing. */
    void *pages = mmap(NULL, limit / GUEST_PAGE_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (pages == MAP_FAILED) {
        int err = -errno;
        munmap(base, limit);
        return err;
    }
    m->host_base = base;
    m->limit = limit;
    m->pages = pages;
    m->mmap_bottom = GUEST_MMAP_MIN_ADDR;
    m->mmap_top = limit;
    m->mmap_cursor = limit;
    return 0;
}

void guest_memory_destroy(struct guest_memory *m)
{
    if (m->host_base)
        munmap(m->host_base, m->limit);
    if (m->pages)
        munmap(m->pages, m->limit / GUEST_PAGE_SIZE);
    memset(m, 0, sizeof(*m));
}

bool guest_range_in_limit(const struct guest_memory *m, uint64_t addr, uint64_t len)
{
    return addr <= m->limit && len <= m->limit - addr;
}

unsigned guest_page_flags(const struct guest_memory *m, uint64_t addr)
{
    if (addr >= m->limit)
        return 0;
    return m->pages[addr / GUEST_PAGE_SIZE];
}

static bool range_has_exec(const struct guest_memory *m, uint64_t addr, uint64_t len)
{
    for (uint64_t p = addr / GUEST_PAGE_SIZE; p < (addr + len) / GUEST_PAGE_SIZE; p++)
        if (m->pages[p] & GUEST_PROT_EXEC)
            return true;
    return false;
}

static void set_records(struct guest_memory *m, uint64_t addr, uint64_t len, uint8_t value)
{
    memset(m->pages + addr / GUEST_PAGE_SIZE, value, len / GUEST_PAGE_SIZE);
}

/* Common checks of a mapping request: page aligned, non-empty, inside the limit. */
static int check_mapping_range(const struct guest_memory *m, uint64_t addr, uint64_t len)
{
    if ((addr & GUEST_PAGE_MASK) || (len & GUEST_PAGE_MASK) || len == 0)
        return -EINVAL;
    if (!guest_range_in_limit(m, addr, len))
        return -ENOMEM;
    return 0;
}

static void notify_code_change(struct guest_memory *m, uint64_t addr, uint64_t len, bool had_exec)
{
    if (had_exec && m->code_changed)
        m->code_changed(m->code_changed_ctx, addr, len);
}

static int map_common(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot,
                      int flags, int fd, uint64_t offset, uint8_t extra)
{
    int err = check_mapping_range(m, addr, len);
    if (err)
        return err;
    bool had_exec = range_has_exec(m, addr, len);
    void *want = m->host_base + addr;
    void *got = mmap(want, len, host_prot(prot), flags | MAP_FIXED, fd, (off_t)offset);
    if (got == MAP_FAILED) {
        err = -errno;
        /* A failed MAP_FIXED may have removed the old mapping: make the record true. */
        mmap(want, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        set_records(m, addr, len, 0);
        notify_code_change(m, addr, len, had_exec);
        return err;
    }
    set_records(m, addr, len, (uint8_t)((prot & GUEST_PROT_MASK) | GUEST_PAGE_MAPPED | extra));
    notify_code_change(m, addr, len, had_exec);
    return 0;
}

int guest_map_anonymous(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot,
                        bool shared)
{
    int flags = MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE);
    return map_common(m, addr, len, prot, flags, -1, 0, 0);
}

int guest_map_file(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot,
                   bool shared, int fd, uint64_t offset)
{
    if (offset & GUEST_PAGE_MASK)
        return -EINVAL;
    int flags = shared ? MAP_SHARED : MAP_PRIVATE;
    return map_common(m, addr, len, prot, flags, fd, offset, GUEST_PAGE_FILE);
}

int guest_unmap(struct guest_memory *m, uint64_t addr, uint64_t len)
{
    int err = check_mapping_range(m, addr, len);
    if (err)
        return err;
    bool had_exec = range_has_exec(m, addr, len);
    void *got = mmap(m->host_base + addr, len, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (got == MAP_FAILED)
        return -errno;
    set_records(m, addr, len, 0);
    notify_code_change(m, addr, len, had_exec);
    return 0;
}

int guest_protect(struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot)
{
    if (addr & GUEST_PAGE_MASK)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!guest_range_in_limit(m, addr, len))
        return -ENOMEM;
    for (uint64_t p = addr / GUEST_PAGE_SIZE; p < (addr + len) / GUEST_PAGE_SIZE; p++)
        if (!(m->pages[p] & GUEST_PAGE_MAPPED))
            return -ENOMEM;
    bool had_exec = range_has_exec(m, addr, len);
    if (mprotect(m->host_base + addr, len, host_prot(prot)) != 0)
        return -errno;
    for (uint64_t p = addr / GUEST_PAGE_SIZE; p < (addr + len) / GUEST_PAGE_SIZE; p++)
        m->pages[p] = (uint8_t)((m->pages[p] & ~GUEST_PROT_MASK) | (prot & GUEST_PROT_MASK));
    /* Code that was translated while the page was writable or executable may be
     * stale now, and code on a page that lost exec must not run from the cache. */
    notify_code_change(m, addr, len, had_exec);
    return 0;
}

bool guest_range_accessible(const struct guest_memory *m, uint64_t addr, uint64_t len,
                            unsigned prot)
{
    if (!guest_range_in_limit(m, addr, len))
        return false;
    if (len == 0)
        return true;
    for (uint64_t p = addr / GUEST_PAGE_SIZE; p <= (addr + len - 1) / GUEST_PAGE_SIZE; p++) {
        uint8_t rec = m->pages[p];
        if (!(rec & GUEST_PAGE_MAPPED) || (rec & prot) != prot)
            return false;
    }
    return true;
}

bool guest_range_free(const struct guest_memory *m, uint64_t addr, uint64_t len)
{
    if (!guest_range_in_limit(m, addr, len))
        return false;
    if (len == 0)
        return true;
    for (uint64_t p = addr / GUEST_PAGE_SIZE; p <= (addr + len - 1) / GUEST_PAGE_SIZE; p++)
        if (m->pages[p] & GUEST_PAGE_MAPPED)
            return false;
    return true;
}

void *guest_ptr(const struct guest_memory *m, uint64_t addr, uint64_t len, unsigned prot)
{
    if (!guest_range_accessible(m, addr, len, prot))
        return NULL;
    return m->host_base + addr;
}

bool guest_range_has_exec_only(const struct guest_memory *m, uint64_t addr, uint64_t len)
{
    if (len == 0 || !guest_range_in_limit(m, addr, len))
        return false;
    for (uint64_t p = addr / GUEST_PAGE_SIZE; p <= (addr + len - 1) / GUEST_PAGE_SIZE; p++)
        if ((m->pages[p] & (GUEST_PAGE_MAPPED | GUEST_PROT_READ | GUEST_PROT_EXEC)) ==
            (GUEST_PAGE_MAPPED | GUEST_PROT_EXEC))
            return true;
    return false;
}

void *guest_ptr_unchecked(const struct guest_memory *m, uint64_t addr, uint64_t len)
{
    if (!guest_range_in_limit(m, addr, len))
        return NULL;
    return m->host_base + addr;
}

int guest_copy_from(const struct guest_memory *m, void *dst, uint64_t addr, uint64_t len)
{
    const void *src = guest_ptr(m, addr, len, GUEST_PROT_READ);
    if (!src)
        return -EFAULT;
    memcpy(dst, src, len);
    return 0;
}

int guest_copy_to(struct guest_memory *m, uint64_t addr, const void *src, uint64_t len)
{
    void *dst = guest_ptr(m, addr, len, GUEST_PROT_WRITE);
    if (!dst)
        return -EFAULT;
    memcpy(dst, src, len);
    return 0;
}

int64_t guest_strnlen(const struct guest_memory *m, uint64_t addr, uint64_t max)
{
    uint64_t len = 0;
    while (len < max) {
        uint64_t a = addr + len;
        if (a < addr || !guest_range_accessible(m, a, 1, GUEST_PROT_READ))
            return -EFAULT;
        uint64_t chunk = GUEST_PAGE_SIZE - (a & GUEST_PAGE_MASK);
        if (chunk > max - len)
            chunk = max - len;
        const char *p = (const char *)m->host_base + a;
        const char *nul = memchr(p, 0, chunk);
        if (nul)
            return (int64_t)(len + (uint64_t)(nul - p));
        len += chunk;
    }
    return -ENAMETOOLONG;
}

const char *guest_string(const struct guest_memory *m, uint64_t addr, uint64_t max, int *err)
{
    int64_t n = guest_strnlen(m, addr, max);
    if (n < 0) {
        *err = (int)n;
        return NULL;
    }
    return (const char *)m->host_base + addr;
}

uint64_t guest_find_free(struct guest_memory *m, uint64_t len, uint64_t hint)
{
    if (len == 0 || len > m->limit)
        return 0;
    len = guest_page_up(len);
    if (hint && !(hint & GUEST_PAGE_MASK) && hint >= GUEST_MMAP_MIN_ADDR &&
        guest_range_free(m, hint, len))
        return hint;
    if (m->mmap_cursor >= m->mmap_bottom + len && guest_range_free(m, m->mmap_cursor - len, len)) {
        m->mmap_cursor -= len;
        return m->mmap_cursor;
    }
    uint64_t end = m->mmap_top;
    while (end >= m->mmap_bottom + len) {
        uint64_t start = end - len;
        uint64_t blocker = 0;
        bool blocked = false;
        for (uint64_t p = end / GUEST_PAGE_SIZE; p > start / GUEST_PAGE_SIZE; p--) {
            if (m->pages[p - 1] & GUEST_PAGE_MAPPED) {
                blocker = (p - 1) * GUEST_PAGE_SIZE;
                blocked = true;
                break;
            }
        }
        if (!blocked) {
            if (start < m->mmap_cursor)
                m->mmap_cursor = start;
            return start;
        }
        end = blocker;
    }
    return 0;
}
