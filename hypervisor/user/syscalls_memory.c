/* Address-space syscalls: brk, mmap, munmap, mprotect, mremap and friends, all inside
 * the guest region; placement is the runner's (top-down below the stack, like Linux). */
#include "hypervisor/user/syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define A64_MAP_SHARED          0x01
#define A64_MAP_PRIVATE         0x02
#define A64_MAP_SHARED_VALIDATE 0x03
#define A64_MAP_TYPE            0x0f
#define A64_MAP_FIXED           0x10
#define A64_MAP_ANONYMOUS       0x20
#define A64_MAP_FIXED_NOREPLACE 0x100000
#define A64_MREMAP_MAYMOVE 1
#define A64_MREMAP_FIXED   2

static unsigned guest_prot(uint64_t prot)
{
    /* PROT_READ/WRITE/EXEC have the same values as GUEST_PROT_*. */
    return (unsigned)(prot & GUEST_PROT_MASK);
}

int64_t user_brk(struct user_process *p, uint64_t new_brk)
{
    struct guest_memory *m = &p->mem;
    if (new_brk < p->brk_start || new_brk > m->limit)
        return (int64_t)p->brk_current;
    uint64_t old_end = guest_page_up(p->brk_current);
    uint64_t new_end = guest_page_up(new_brk);
    if (new_end > old_end) {
        if (!guest_range_free(m, old_end, new_end - old_end))
            return (int64_t)p->brk_current;
        if (guest_map_anonymous(m, old_end, new_end - old_end,
                                GUEST_PROT_READ | GUEST_PROT_WRITE, false))
            return (int64_t)p->brk_current;
    } else if (new_end < old_end) {
        guest_unmap(m, new_end, old_end - new_end);
    }
    p->brk_current = new_brk;
    return (int64_t)new_brk;
}

static int64_t sys_brk(struct user_process *p, const uint64_t a[6])
{
    return user_brk(p, a[0]);
}

/* What Linux's mmap checks of a file descriptor before it touches an existing mapping:
 * open (not O_PATH), a file type with an mmap operation (not a directory, pipe or
 * socket), readable, and writable too for a shared writable mapping. A host mmap that
 * fails after these checks may already have removed the old mapping (map_common then
 * records the range as unmapped). */
static int64_t check_mappable_fd(int fd, uint64_t prot, bool shared)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (fl & O_PATH) || fstat(fd, &st) != 0)
        return -EBADF;
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return -ENODEV;
    if ((fl & O_ACCMODE) == O_WRONLY)
        return -EACCES;
    if (shared && (prot & GUEST_PROT_WRITE) && (fl & O_ACCMODE) != O_RDWR)
        return -EACCES;
    return 0;
}

static int64_t sys_mmap(struct user_process *p, const uint64_t a[6])
{
    struct guest_memory *m = &p->mem;
    uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3], offset = a[5];
    int fd = (int)a[4];
    if (len == 0 || (offset & GUEST_PAGE_MASK))
        return -EINVAL;
    if (len > m->limit)
        return -ENOMEM;
    if (prot & ~(uint64_t)GUEST_PROT_MASK)
        return -EINVAL;
    uint64_t type = flags & A64_MAP_TYPE;
    if (type != A64_MAP_SHARED && type != A64_MAP_PRIVATE && type != A64_MAP_SHARED_VALIDATE)
        return -EINVAL;
    len = guest_page_up(len);
    if (flags & (A64_MAP_FIXED | A64_MAP_FIXED_NOREPLACE)) {
        if (addr & GUEST_PAGE_MASK)
            return -EINVAL;
        if (!guest_range_in_limit(m, addr, len) || addr == 0)
            return -ENOMEM;
        if ((flags & A64_MAP_FIXED_NOREPLACE) && !(flags & A64_MAP_FIXED) &&
            !guest_range_free(m, addr, len))
            return -EEXIST;
    } else {
        addr = guest_find_free(m, len, guest_page_down(addr));
        if (addr == 0)
            return -ENOMEM;
    }
    bool shared = type != A64_MAP_PRIVATE;
    if (!(flags & A64_MAP_ANONYMOUS)) {
        int64_t bad = check_mappable_fd(fd, prot, shared);
        if (bad)
            return bad;             /* before anything is unmapped, as Linux checks */
    }
    int rc = (flags & A64_MAP_ANONYMOUS)
                 ? guest_map_anonymous(m, addr, len, guest_prot(prot), shared)
                 : guest_map_file(m, addr, len, guest_prot(prot), shared, fd, offset);
    return rc ? rc : (int64_t)addr;
}

static int64_t sys_munmap(struct user_process *p, const uint64_t a[6])
{
    uint64_t addr = a[0], len = a[1];
    if ((addr & GUEST_PAGE_MASK) || len == 0)
        return -EINVAL;
    if (!guest_range_in_limit(&p->mem, addr, guest_page_up(len)) || guest_page_up(len) < len)
        return -EINVAL;
    return guest_unmap(&p->mem, addr, guest_page_up(len));
}

static int64_t sys_mprotect(struct user_process *p, const uint64_t a[6])
{
    uint64_t addr = a[0], len = a[1], prot = a[2];
    /* PROT_GROWSDOWN/GROWSUP (0x01000000/0x02000000) only widen the range on Linux. */
    prot &= ~(uint64_t)0x03000000;
    if ((addr & GUEST_PAGE_MASK) || (prot & ~(uint64_t)GUEST_PROT_MASK))
        return -EINVAL;
    if (guest_page_up(len) < len)
        return -ENOMEM;
    return guest_protect(&p->mem, addr, guest_page_up(len), guest_prot(prot));
}

static int64_t sys_mremap(struct user_process *p, const uint64_t a[6])
{
    struct guest_memory *m = &p->mem;
    uint64_t old_addr = a[0], old_len = guest_page_up(a[1]), new_len = guest_page_up(a[2]);
    uint64_t flags = a[3], fixed_addr = a[4];
    if ((old_addr & GUEST_PAGE_MASK) || new_len == 0 || new_len < a[2] || old_len < a[1] ||
        (flags & ~(uint64_t)(A64_MREMAP_MAYMOVE | A64_MREMAP_FIXED)) ||
        ((flags & A64_MREMAP_FIXED) && !(flags & A64_MREMAP_MAYMOVE)))
        return -EINVAL;
    if (old_len == 0 || !guest_range_in_limit(m, old_addr, old_len) || new_len > m->limit ||
        !guest_range_accessible(m, old_addr, old_len, 0))
        return -EFAULT;
    unsigned flags0 = guest_page_flags(m, old_addr);
    for (uint64_t q = old_addr; q < old_addr + old_len; q += GUEST_PAGE_SIZE)
        if (guest_page_flags(m, q) != flags0)
            return -EFAULT; /* spans several mappings: Linux refuses too */
    if (!(flags & A64_MREMAP_FIXED)) {
        if (new_len <= old_len) {
            if (new_len < old_len)
                guest_unmap(m, old_addr + new_len, old_len - new_len);
            return (int64_t)old_addr;
        }
        /* Grow in place when the pages after it are free and it is anonymous. */
        if (!(flags0 & GUEST_PAGE_FILE) &&
            guest_range_free(m, old_addr + old_len, new_len - old_len)) {
            int rc = guest_map_anonymous(m, old_addr + old_len, new_len - old_len,
                                         flags0 & GUEST_PROT_MASK, false);
            return rc ? rc : (int64_t)old_addr;
        }
        if (!(flags & A64_MREMAP_MAYMOVE))
            return -ENOMEM;
    }
    uint64_t new_addr;
    if (flags & A64_MREMAP_FIXED) {
        if ((fixed_addr & GUEST_PAGE_MASK) || !guest_range_in_limit(m, fixed_addr, new_len) ||
            (fixed_addr < old_addr + old_len && old_addr < fixed_addr + new_len))
            return -EINVAL;
        new_addr = fixed_addr;
        guest_unmap(m, new_addr, new_len);
    } else {
        new_addr = guest_find_free(m, new_len, 0);
        if (new_addr == 0)
            return -ENOMEM;
    }
    /* The host moves the pages; the old range must then be re-reserved. */
    void *moved = mremap(m->host_base + old_addr, old_len, new_len,
                         MREMAP_MAYMOVE | MREMAP_FIXED, m->host_base + new_addr);
    if (moved == MAP_FAILED)
        return -errno;
    uint8_t record = (uint8_t)flags0;
    guest_unmap(m, old_addr, old_len);
    for (uint64_t q = new_addr; q < new_addr + new_len; q += GUEST_PAGE_SIZE)
        m->pages[q / GUEST_PAGE_SIZE] = record;
    return (int64_t)new_addr;
}

static int64_t sys_madvise(struct user_process *p, const uint64_t a[6])
{
    uint64_t addr = a[0], len = guest_page_up(a[1]);
    if ((addr & GUEST_PAGE_MASK) || len < a[1])
        return -EINVAL;
    if (!guest_range_in_limit(&p->mem, addr, len))
        return -ENOMEM;
    if (a[2] == MADV_DONTNEED) {
        if (!guest_range_accessible(&p->mem, addr, len, 0))
            return -ENOMEM;
        return user_host_result(madvise(p->mem.host_base + addr, len, MADV_DONTNEED));
    }
    return 0; /* advice only */
}

static int64_t sys_msync(struct user_process *p, const uint64_t a[6])
{
    uint64_t addr = a[0], len = guest_page_up(a[1]);
    if ((addr & GUEST_PAGE_MASK) || len < a[1])
        return -EINVAL;
    if (!guest_range_accessible(&p->mem, addr, len, 0))
        return -ENOMEM;
    return user_host_result(msync(p->mem.host_base + addr, len, (int)a[2]));
}

static int64_t sys_mlock_family(struct user_process *p, const uint64_t a[6])
{
    return guest_range_in_limit(&p->mem, a[0], a[1]) ? 0 : -ENOMEM;
}

user_syscall_fn user_syscall_memory(uint64_t nr)
{
    switch (nr) {
    case A64_NR_brk: return sys_brk;
    case A64_NR_mmap: return sys_mmap;
    case A64_NR_munmap: return sys_munmap;
    case A64_NR_mprotect: return sys_mprotect;
    case A64_NR_mremap: return sys_mremap;
    case A64_NR_madvise: return sys_madvise;
    case A64_NR_msync: return sys_msync;
    case A64_NR_mlock: case A64_NR_munlock: return sys_mlock_family;
    default: return NULL;
    }
}
