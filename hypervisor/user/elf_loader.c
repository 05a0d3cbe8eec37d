/* Static AArch64 ELF loading for the user-mode runner: header validation with precise
 * messages, then segment copying into guest memory with the segments' permissions. */
#include "hypervisor/user/elf_loader.h"
#include "hypervisor/user/process.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ELF_MAX_PHNUM 512
#define ELF_MAX_FILE_SIZE (1ull << 31)

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *machine_name(unsigned machine)
{
    switch (machine) {
    case EM_X86_64:  return "x86-64";
    case EM_386:     return "i386";
    case EM_ARM:     return "ARM";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV:   return "RISC-V";
    case EM_PPC:     return "PowerPC";
    case EM_PPC64:   return "PowerPC64";
    case EM_S390:    return "S/390";
    case EM_MIPS:    return "MIPS";
    case EM_SPARCV9: return "SPARC64";
    case EM_LOONGARCH: return "LoongArch";
    default:         return NULL;
    }
}

static unsigned segment_prot(uint32_t flags)
{
    unsigned prot = 0;
    if (flags & PF_R) prot |= GUEST_PROT_READ;
    if (flags & PF_W) prot |= GUEST_PROT_WRITE;
    if (flags & PF_X) prot |= GUEST_PROT_EXEC;
    return prot;
}

/* Permissions of the page at page_addr: the union over every segment touching it
 * (a page shared by the end of text and the start of data needs both). */
static unsigned page_prot(const Elf64_Phdr *ph, unsigned phnum, uint64_t bias, uint64_t page_addr)
{
    unsigned prot = 0;
    for (unsigned i = 0; i < phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        uint64_t start = guest_page_down(ph[i].p_vaddr + bias);
        uint64_t end = guest_page_up(ph[i].p_vaddr + bias + ph[i].p_memsz);
        if (page_addr >= start && page_addr < end)
            prot |= segment_prot(ph[i].p_flags);
    }
    return prot;
}

static int check_header(const uint8_t *buf, size_t size, const Elf64_Ehdr **out,
                        char *err, size_t err_size)
{
    if (size < EI_NIDENT || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return fail(err, err_size, "not an ELF file");
    if (size < sizeof(Elf64_Ehdr) && buf[EI_CLASS] == ELFCLASS64)
        return fail(err, err_size, "truncated ELF file (header cut short)");
    if (buf[EI_CLASS] != ELFCLASS64 || buf[EI_DATA] != ELFDATA2LSB) {
        /* A 32-bit header still names its machine at the same offset. */
        unsigned machine = size >= 20 ? (unsigned)(buf[18] | buf[19] << 8) : 0;
        const char *name = machine_name(machine);
        if (buf[EI_CLASS] == ELFCLASS32 && name)
            return fail(err, err_size, "not an AArch64 executable (machine %s, 32-bit)", name);
        return fail(err, err_size, "not an AArch64 executable (not a 64-bit little-endian ELF)");
    }
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
    if (eh->e_machine != EM_AARCH64) {
        const char *name = machine_name(eh->e_machine);
        if (name)
            return fail(err, err_size, "not an AArch64 executable (machine %s)", name);
        return fail(err, err_size, "not an AArch64 executable (machine %u)", eh->e_machine);
    }
    if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
        return fail(err, err_size, "not an executable (ELF type %u)", eh->e_type);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return fail(err, err_size, "corrupt ELF: program header size %u (expected %zu)",
                    eh->e_phentsize, sizeof(Elf64_Phdr));
    if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
        return fail(err, err_size, "corrupt ELF: %u program headers", eh->e_phnum);
    if (eh->e_phoff > size || (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff)
        return fail(err, err_size, "truncated ELF file (program headers beyond the end of the file)");
    if (eh->e_phoff % 8)
        return fail(err, err_size, "corrupt ELF: misaligned program headers");
    *out = eh;
    return 0;
}

static int check_segments(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, size_t size,
                          const struct guest_memory *m, uint64_t bias, char *err, size_t err_size)
{
    unsigned loads = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP)
            return fail(err, err_size, "dynamically linked; only static executables are supported");
        if (ph[i].p_type != PT_LOAD)
            continue;
        loads++;
        if (ph[i].p_filesz > ph[i].p_memsz)
            return fail(err, err_size, "corrupt ELF: segment %u file size exceeds memory size", i);
        /* only the bytes the segment takes from the file must exist: an all-.bss
         * segment may have an offset past the end (GNU ld writes such files) */
        if (ph[i].p_filesz && (ph[i].p_offset > size || ph[i].p_filesz > size - ph[i].p_offset))
            return fail(err, err_size, "truncated ELF file (segment %u beyond the end of the file)", i);
        uint64_t start = ph[i].p_vaddr + bias;
        if (start < ph[i].p_vaddr || start < GUEST_PAGE_SIZE ||
            !guest_range_in_limit(m, start, ph[i].p_memsz) ||
            !guest_range_in_limit(m, guest_page_down(start),
                                  guest_page_up(start + ph[i].p_memsz) - guest_page_down(start)))
            return fail(err, err_size, "segment %u at 0x%llx (+0x%llx bytes) is outside the "
                        "guest address space", i, (unsigned long long)ph[i].p_vaddr,
                        (unsigned long long)ph[i].p_memsz);
        uint64_t stack_area = m->limit - USER_STACK_SIZE - USER_STACK_GAP;
        if (guest_page_up(start + ph[i].p_memsz) > stack_area)
            return fail(err, err_size, "segment %u at 0x%llx (+0x%llx bytes) overlaps the stack area "
                        "(0x%llx-0x%llx)", i, (unsigned long long)ph[i].p_vaddr,
                        (unsigned long long)ph[i].p_memsz, (unsigned long long)stack_area,
                        (unsigned long long)m->limit);
    }
    if (loads == 0)
        return fail(err, err_size, "corrupt ELF: no loadable segment");
    return 0;
}

int elf_load_buffer(const uint8_t *buf, size_t size, struct guest_memory *m,
                    struct elf_image *out, char *err, size_t err_size)
{
    const Elf64_Ehdr *eh = NULL;
    if (check_header(buf, size, &eh, err, err_size))
        return -1;
    /* The program headers are copied out: buf need not be aligned for Elf64_Phdr. */
    Elf64_Phdr ph[ELF_MAX_PHNUM];
    memcpy(ph, buf + eh->e_phoff, eh->e_phnum * sizeof(Elf64_Phdr));
    uint64_t bias = eh->e_type == ET_DYN ? ELF_PIE_LOAD_BIAS : 0;
    if (check_segments(eh, ph, size, m, bias, err, err_size))
        return -1;

    memset(out, 0, sizeof(*out));
    out->load_bias = bias;
    out->entry = eh->e_entry + bias;
    out->phnum = eh->e_phnum;
    out->phentsize = eh->e_phentsize;
    out->image_start = UINT64_MAX;

    /* Map every segment writable first (segments may share pages), copy, then set
     * the final permissions. Each run of pages is one mapping and one protection
     * change, so a segment of many GiB (a large .bss) costs no more than a small one. */
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        uint64_t start = ph[i].p_vaddr + bias;
        uint64_t page_start = guest_page_down(start);
        uint64_t page_end = guest_page_up(start + ph[i].p_memsz);
        for (uint64_t p = page_start; p < page_end;) {
            if (guest_page_flags(m, p) & GUEST_PAGE_MAPPED) {
                p += GUEST_PAGE_SIZE;      /* shared with an earlier segment: keep its bytes */
                continue;
            }
            uint64_t run_end = p + GUEST_PAGE_SIZE;
            while (run_end < page_end && !(guest_page_flags(m, run_end) & GUEST_PAGE_MAPPED))
                run_end += GUEST_PAGE_SIZE;
            int rc = guest_map_anonymous(m, p, run_end - p, GUEST_PROT_READ | GUEST_PROT_WRITE, false);
            if (rc)
                return fail(err, err_size, "cannot map segment %u: %s", i, strerror(-rc));
            p = run_end;
        }
        memcpy(m->host_base + start, buf + ph[i].p_offset, ph[i].p_filesz);
        if (page_start < out->image_start)
            out->image_start = page_start;
        if (page_end > out->brk_start)
            out->brk_start = page_end;
        if (eh->e_phoff >= ph[i].p_offset && eh->e_phoff - ph[i].p_offset < ph[i].p_filesz &&
            eh->e_phnum * sizeof(Elf64_Phdr) <= ph[i].p_filesz - (eh->e_phoff - ph[i].p_offset))
            out->phdr_addr = start + (eh->e_phoff - ph[i].p_offset);
    }
    for (unsigned i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_PHDR)
            out->phdr_addr = ph[i].p_vaddr + bias;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        uint64_t start = ph[i].p_vaddr + bias;
        uint64_t page_start = guest_page_down(start);
        uint64_t page_end = guest_page_up(start + ph[i].p_memsz);
        /* Interior pages belong to this segment alone (one change); the two edge
         * pages may be shared with other segments and get the union. */
        uint64_t last = page_end - GUEST_PAGE_SIZE;
        int rc = guest_protect(m, page_start, GUEST_PAGE_SIZE, page_prot(ph, eh->e_phnum, bias, page_start));
        if (!rc && last > page_start + GUEST_PAGE_SIZE)
            rc = guest_protect(m, page_start + GUEST_PAGE_SIZE, last - page_start - GUEST_PAGE_SIZE,
                               segment_prot(ph[i].p_flags));
        if (!rc && last > page_start)
            rc = guest_protect(m, last, GUEST_PAGE_SIZE, page_prot(ph, eh->e_phnum, bias, last));
        if (rc)
            return fail(err, err_size, "cannot protect segment %u: %s", i, strerror(-rc));
    }
    return 0;
}

int elf_load_file(const char *path, struct guest_memory *m, struct elf_image *out,
                  char *err, size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(err, err_size, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return fail(err, err_size, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, err_size, "not a regular file");
    }
    if ((uint64_t)st.st_size > ELF_MAX_FILE_SIZE) {
        close(fd);
        return fail(err, err_size, "file too large (%lld bytes)", (long long)st.st_size);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return fail(err, err_size, "out of memory reading the file");
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = read(fd, buf + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(buf);
            close(fd);
            return fail(err, err_size, "cannot read: %s", strerror(e));
        }
        done += (size_t)n;
    }
    close(fd);
    int rc = elf_load_buffer(buf, size, m, out, err, err_size);
    free(buf);
    return rc;
}
