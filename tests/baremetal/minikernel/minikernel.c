/* A minimal kernel for the EL0 benchmark: MMU on (the kernel identity-mapped at EL1,
 * the program's pages at EL0), one static AArch64 Linux ELF embedded in the image,
 * loaded and run at EL0 with a Linux-style initial stack and auxv, and the handful of
 * syscalls a static glibc program makes. argv comes from the DTB's /chosen/bootargs
 * (QEMU -append, ferry --append). Memory is never freed: the programs are short. */
#include "rt.h"

extern char user_elf_start[], user_elf_end[];

#define RAM_END     0x80000000ul        /* run with 1 GB of RAM */
#define PHYS_POOL   0x44000000ul
#define MMAP_BASE   0x1000000000ul
#define STACK_TOP   0x7ffff00000ul
#define STACK_SIZE  0x100000ul

#define ENOENT 2
#define EBADF  9
#define ENOMEM 12
#define EINVAL 22
#define ENOTTY 25
#define ENOSYS 38

static struct mmu_space space;
static uint64_t phys_next = PHYS_POOL;
static uint64_t brk_start, brk_cur, brk_mapped, mmap_next = MMAP_BASE;

__attribute__((noreturn)) static void die(const char *msg, uint64_t v)
{
    printf("minikernel: %s 0x%lx\n", msg, v);
    psci_off();
}

static uint64_t alloc_pages(uint64_t n)
{
    uint64_t pa = phys_next;
    phys_next += n * 4096;
    if (phys_next > RAM_END)
        die("out of memory at", pa);
    memset((void *)pa, 0, n * 4096);
    return pa;
}

static uint64_t *alloc_table(void)
{
    return (uint64_t *)alloc_pages(1);
}

#define PF_X 1
#define PF_W 2
static uint64_t user_attr(unsigned flags)
{
    uint64_t a = PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_EL0 | PTE_NG | PTE_PXN;
    if (!(flags & PF_W))
        a |= PTE_AP_RO;
    if (!(flags & PF_X))
        a |= PTE_UXN;
    return a;
}

/* The PA behind a user page, mapping a zeroed page first if needed; a page shared by
 * two segments gets the union of their permissions. */
static uint64_t user_page(uint64_t va, unsigned flags)
{
    va &= ~0xffful;
    uint64_t *e = mmu_slot(&space, va, 3);
    if (e && (*e & 1)) {
        uint64_t pa = *e & 0x0000fffffffff000ul;
        unsigned old = ((*e & PTE_AP_RO) ? 0 : PF_W) | ((*e & PTE_UXN) ? 0 : PF_X);
        if ((old | flags) != old) {
            *e = pa | user_attr(old | flags) | PTE_VALID | PTE_TABLE;
            __asm__ volatile("dsb ishst; tlbi vaae1is, %0; dsb ish; isb" :: "r"(va >> 12));
        }
        return pa;
    }
    uint64_t pa = alloc_pages(1);
    mmu_map(&space, va, pa, 4096, user_attr(flags), 3);
    return pa;
}

static void map_range(uint64_t va, uint64_t len, unsigned flags)
{
    for (uint64_t p = va & ~0xffful; p < va + len; p += 4096)
        user_page(p, flags);
}

/* ---- ELF ------------------------------------------------------------------------- */
struct ehdr {
    unsigned char ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static uint64_t phdr_va, entry, phnum;

static void load_elf(void)
{
    const struct ehdr *eh = (const struct ehdr *)user_elf_start;
    if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->machine != 183 || eh->type != 2)
        die("not a static AArch64 executable (ET_EXEC): type", eh->type);
    const struct phdr *ph = (const struct phdr *)(user_elf_start + eh->phoff);
    uint64_t end = 0;
    for (int i = 0; i < eh->phnum; i++) {
        if (ph[i].type == 6)   /* PT_PHDR */
            phdr_va = ph[i].vaddr;
        if (ph[i].type != 1)
            continue;
        unsigned fl = ph[i].flags & (PF_X | PF_W);
        map_range(ph[i].vaddr, ph[i].memsz, fl);
        for (uint64_t o = 0; o < ph[i].filesz;) {
            uint64_t va = ph[i].vaddr + o;
            uint64_t chunk = 4096 - (va & 0xfff);
            if (chunk > ph[i].filesz - o)
                chunk = ph[i].filesz - o;
            uint64_t pa = user_page(va, fl) + (va & 0xfff);
            memcpy((void *)pa, user_elf_start + ph[i].offset + o, chunk);
            o += chunk;
        }
        if (!phdr_va && eh->phoff >= ph[i].offset && eh->phoff < ph[i].offset + ph[i].filesz)
            phdr_va = ph[i].vaddr + (eh->phoff - ph[i].offset);
        if (ph[i].vaddr + ph[i].memsz > end)
            end = ph[i].vaddr + ph[i].memsz;
    }
    entry = eh->entry;
    phnum = eh->phnum;
    brk_start = brk_cur = brk_mapped = (end + 0xfff) & ~0xffful;
}

/* ---- initial stack ---------------------------------------------------------------- */
static uint64_t stack_pa, stack_base;

static uint64_t push(uint64_t *sp, const void *data, uint64_t len)
{
    *sp -= len;
    memcpy((void *)(stack_pa + (*sp - stack_base)), data, len);
    return *sp;
}

static void put64(uint64_t va, uint64_t v)
{
    *(volatile uint64_t *)(stack_pa + (va - stack_base)) = v;
}

static uint64_t build_stack(void)
{
    stack_base = STACK_TOP - STACK_SIZE;
    stack_pa = alloc_pages(STACK_SIZE / 4096);
    mmu_map(&space, stack_base, stack_pa, STACK_SIZE, user_attr(PF_W), 3);

    static char args[512];
    const char *ba = bootargs();
    int n = 0;
    if (ba)
        while (ba[n] && n < (int)sizeof(args) - 1)
            args[n] = ba[n], n++;
    args[n] = 0;
    static const char *argv[32];
    int argc = 0;
    for (char *p = args; *p && argc < 31;) {
        while (*p == ' ')
            *p++ = 0;
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    if (argc == 0)
        argv[argc++] = "prog";

    uint64_t sp = STACK_TOP, zero = 0;
    push(&sp, &zero, 8);
    uint64_t argv_va[32];
    for (int i = argc - 1; i >= 0; i--) {
        uint64_t l = 0;
        while (argv[i][l])
            l++;
        argv_va[i] = push(&sp, argv[i], l + 1);
    }
    uint64_t execfn = argv_va[0];
    uint64_t platform = push(&sp, "aarch64", 8);
    sp &= ~15ul;
    static const unsigned char rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint64_t random = push(&sp, rnd, 16);

    uint64_t aux[] = {
        3, phdr_va, 4, 56, 5, phnum, 6, 4096, 7, 0, 8, 0, 9, entry,
        11, 0, 12, 0, 13, 0, 14, 0, 16, 3 /* HWCAP_FP | HWCAP_ASIMD */, 26, 0,
        17, 100, 23, 0, 25, random, 15, platform, 31, execfn, 0, 0,
    };
    uint64_t words = 1 + (uint64_t)argc + 1 + 1 + sizeof(aux) / 8;
    sp = (sp - words * 8) & ~15ul;
    uint64_t p = sp;
    put64(p, (uint64_t)argc);
    p += 8;
    for (int i = 0; i < argc; i++, p += 8)
        put64(p, argv_va[i]);
    put64(p, 0);   /* argv end */
    p += 8;
    put64(p, 0);   /* no environment */
    p += 8;
    for (unsigned i = 0; i < sizeof(aux) / 8; i++, p += 8)
        put64(p, aux[i]);
    return sp;
}

/* ---- syscalls --------------------------------------------------------------------- */
static uint64_t user_pa(uint64_t va)
{
    uint64_t *e = mmu_slot(&space, va, 3);
    if (!e || !(*e & 1) || !(*e & PTE_AP_EL0))
        return 0;
    return (*e & 0x0000fffffffff000ul) | (va & 0xfff);
}

static int64_t do_write(int fd, uint64_t buf, uint64_t len)
{
    if (fd != 1 && fd != 2)
        return -EBADF;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t pa = user_pa(buf + i);
        if (!pa)
            return i ? (int64_t)i : -14;
        uart_putc(*(const char *)pa);
    }
    return (int64_t)len;
}

static int copy_out(uint64_t va, const void *src, uint64_t len)
{
    const unsigned char *s = src;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t pa = user_pa(va + i);
        if (!pa)
            return -14;
        *(volatile unsigned char *)pa = s[i];
    }
    return 0;
}

static uint64_t rd_user64(uint64_t va)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t pa = user_pa(va + i);
        if (pa)
            v |= (uint64_t)*(volatile unsigned char *)pa << (8 * i);
    }
    return v;
}

static int64_t syscall(uint64_t nr, uint64_t *a)
{
    switch (nr) {
    case 64:   /* write */
        return do_write((int)a[0], a[1], a[2]);
    case 66: { /* writev */
        int64_t total = 0;
        for (uint64_t i = 0; i < a[2]; i++) {
            int64_t r = do_write((int)a[0], rd_user64(a[1] + 16 * i), rd_user64(a[1] + 16 * i + 8));
            if (r < 0)
                return r;
            total += r;
        }
        return total;
    }
    case 63:   /* read: stdin is empty */
        return 0;
    case 93:
    case 94:   /* exit, exit_group */
        if (a[0])
            printf("minikernel: exit status %ld\n", (int64_t)(int)a[0]);
        psci_off();
    case 214:  /* brk */
        if (a[0] < brk_start)
            return (int64_t)brk_cur;
        if (a[0] > brk_mapped) {
            uint64_t top = (a[0] + 0xfff) & ~0xffful;
            if (top > 0x08000000ul)   /* the devices' 2 MB blocks start at 128 MB */
                return (int64_t)brk_cur;
            map_range(brk_mapped, top - brk_mapped, PF_W);
            brk_mapped = top;
        }
        brk_cur = a[0];
        return (int64_t)brk_cur;
    case 222: { /* mmap: anonymous only */
        if (!(a[3] & 0x20))
            return -EBADF;
        uint64_t len = (a[1] + 0xfff) & ~0xffful;
        if (!len)
            return -EINVAL;
        uint64_t va = mmap_next;
        if (a[3] & 0x10)   /* MAP_FIXED */
            va = a[0] & ~0xffful;
        else
            mmap_next += len + 0x1000;
        map_range(va, len, PF_W | ((a[2] & 4) ? PF_X : 0));
        return (int64_t)va;
    }
    case 215:  /* munmap: memory is not reclaimed */
    case 226:  /* mprotect */
    case 233:  /* madvise */
        return 0;
    case 216:  /* mremap: glibc falls back to malloc + copy */
        return -ENOMEM;
    case 96:   /* set_tid_address */
    case 172:  /* getpid */
    case 178:  /* gettid */
        return 1;
    case 99:   /* set_robust_list */
    case 134:  /* rt_sigaction */
    case 135:  /* rt_sigprocmask */
    case 98:   /* futex */
    case 124:  /* sched_yield */
    case 174: case 175: case 176: case 177:   /* get[e]uid, get[e]gid */
    case 57:   /* close */
        return 0;
    case 160: { /* uname */
        static char u[6 * 65];
        static const char *f[6] = { "Linux", "ferry", "6.1.0", "#1", "aarch64", "" };
        memset(u, 0, sizeof(u));
        for (int i = 0; i < 6; i++)
            for (int j = 0; f[i][j]; j++)
                u[i * 65 + j] = f[i][j];
        return copy_out(a[0], u, sizeof(u));
    }
    case 278: { /* getrandom: deterministic */
        for (uint64_t i = 0; i < a[1]; i++) {
            unsigned char b = (unsigned char)(i * 131 + 7);
            if (copy_out(a[0] + i, &b, 1))
                return -14;
        }
        return (int64_t)a[1];
    }
    case 113: { /* clock_gettime */
        uint64_t t = cntvct(), f = cntfrq();
        uint64_t ts[2] = { t / f, (t % f) * 1000000000ul / f };
        return copy_out(a[1], ts, 16);
    }
    case 169: { /* gettimeofday */
        uint64_t t = cntvct(), f = cntfrq();
        uint64_t tv[2] = { t / f, (t % f) * 1000000ul / f };
        return a[0] ? copy_out(a[0], tv, 16) : 0;
    }
    case 261: { /* prlimit64(pid, resource, new, old) */
        if (a[3]) {
            uint64_t lim[2] = { a[1] == 3 ? 8ul << 20 : ~0ul, ~0ul };
            return copy_out(a[3], lim, 16);
        }
        return 0;
    }
    case 79:   /* newfstatat */
    case 80: { /* fstat: a character device, as a console is */
        static uint64_t st[16];
        memset(st, 0, sizeof(st));
        st[2] = 0x21900000001ul;   /* st_mode = S_IFCHR | 0620 (low word), st_nlink = 1 */
        uint64_t buf = nr == 79 ? a[2] : a[1];
        st[7] = 4096;   /* st_blksize at offset 56 */
        return copy_out(buf, st, 128);
    }
    case 78:   /* readlinkat */
    case 56:   /* openat */
        return -ENOENT;
    case 29:   /* ioctl: not a terminal */
        return -ENOTTY;
    case 129:
    case 131:  /* kill, tgkill: abort() */
        printf("minikernel: killed by signal %ld\n", (int64_t)a[nr == 131 ? 2 : 1]);
        psci_off();
    default:
        return -ENOSYS;
    }
}

static void sync_handler(struct exc_frame *f, int vec)
{
    if (VEC_GROUP(vec) == 2 && ESR_EC(f->esr) == 0x15) {
        f->x[0] = (uint64_t)syscall(f->x[8], f->x);
        return;
    }
    printf("minikernel: exception from %s: ESR=0x%lx ELR=0x%lx FAR=0x%lx\n",
           VEC_GROUP(vec) == 2 ? "EL0" : "EL1", f->esr, f->elr, f->far);
    psci_off();
}

int main(void)
{
    mmu_table_alloc_hook = alloc_table;
    mmu_space_init(&space, 39);
    /* Devices in 2 MB blocks (the low 128 MB stays free for the program), RAM 1 GB. */
    mmu_map(&space, 0x08000000ul, 0x08000000ul, 0x02200000ul, PG_DEVICE, 2);
    mmu_map(&space, RAM_BASE, RAM_BASE, RAM_END - RAM_BASE, PG_KERNEL_RWX, 2);
    load_elf();
    uint64_t sp = build_stack();
    exc_set_handler(VEC_SYNC, sync_handler);
    mmu_enable(&space, 1, NULL);
    /* As Linux sets them for user space: EL0 may read CTR_EL0 and the virtual counter,
     * use DC ZVA and cache maintenance, and WFI/WFE are not trapped. */
    write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_UCT | SCTLR_DZE | SCTLR_UCI |
                                SCTLR_NTWI | SCTLR_NTWE | SCTLR_SA0 | SCTLR_SA);
    write_sysreg(cntkctl_el1, 2);
    isb();
    run_el0((uint64_t (*)(uint64_t))entry, 0, sp, 0);
    die("the program returned", 0);
}
