/* The guest kernel loader: ELF, arm64 Image, Image.gz and raw binaries placed as QEMU's
 * `-kernel` places them for AArch64 (hw/arm/boot.c: arm_setup_direct_kernel_boot,
 * load_aarch64_image, arm_load_elf), the initrd and the DTB after them. Files are read
 * with pread straight into guest RAM after every range has been checked, so a hostile
 * file can make the load fail but never write outside the RAM it was given. */
#include "hypervisor/board/kernel_loader.h"
#include "hypervisor/error_text.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "the header parsing below reads little-endian fields in place");

#define ARM64_IMAGE_HEADER_SIZE 64u
#define ARM64_IMAGE_MAGIC_OFFSET 56u
#define ARM64_IMAGE_FLAG_BE (1ull << 0)
#define ARM64_IMAGE_PAGE_SIZE_SHIFT 1
#define UIMAGE_MAGIC 0x27051956u /* U-Boot's legacy image header, big-endian */
#define PAGE_SIZE_4K 0x1000ull

/* What a load works on: the file at `path` (read with pread) or, for gzip data, its
 * inflated copy in memory. */
struct source {
    const char *path;
    int fd;
    const uint8_t *mem; /* non-NULL: read from here instead of fd */
    uint64_t size;
};

struct guest_ram {
    uint8_t *host;
    uint64_t base, size;
};

static uint64_t ram_end(const struct guest_ram *ram)
{
    return ram->base + ram->size;
}

/* [addr, addr + len) lies inside RAM (len may be 0). */
static bool in_ram(const struct guest_ram *ram, uint64_t addr, uint64_t len)
{
    return addr >= ram->base && addr - ram->base <= ram->size &&
           len <= ram->size - (addr - ram->base);
}

/* Rounds up to a power-of-two alignment; false on overflow. */
static bool align_up(uint64_t value, uint64_t align, uint64_t *out)
{
    if (value > UINT64_MAX - (align - 1))
        return false;
    *out = (value + align - 1) & ~(align - 1);
    return true;
}

/* "kernel FILE: <message>" (or "initrd FILE: ..."). */
__attribute__((format(printf, 5, 6)))
static int fail(char *err, size_t err_size, const char *what, const char *path,
                const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    ferry_set_error(err, err_size, "%s %s: %s", what, path, message);
    return -1;
}

/* The "guest RAM 0x40000000-0x5fffffff" phrase of range errors. */
static const char *ram_text(const struct guest_ram *ram, char *buf, size_t size)
{
    snprintf(buf, size, "guest RAM 0x%llx-0x%llx", (unsigned long long)ram->base,
             (unsigned long long)(ram_end(ram) - 1));
    return buf;
}

/* Reads exactly len bytes at offset; false on a read error or a short file. */
static bool read_exact(const struct source *src, uint64_t offset, void *dst, uint64_t len)
{
    uint8_t *out = dst;
    errno = 0;
    if (offset > src->size || len > src->size - offset)
        return false;
    if (src->mem) {
        memcpy(dst, src->mem + offset, len);
        return true;
    }
    while (len) {
        size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
        ssize_t n = pread(src->fd, out, chunk, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            errno = 0; /* the file shrank: not an I/O error */
        if (n <= 0)
            return false;
        out += n;
        offset += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return true;
}

static int read_failed(const struct source *src, const char *what, char *err, size_t err_size)
{
    return fail(err, err_size, what, src->path, "read failed: %s",
                errno ? strerror(errno) : "file shrank while reading");
}

/* Opens a regular, non-empty file. */
static int open_input(const char *what, const char *path, struct source *src, char *err,
                      size_t err_size)
{
    struct stat st;
    memset(src, 0, sizeof *src);
    src->path = path;
    src->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (src->fd < 0)
        return fail(err, err_size, what, path, "%s", strerror(errno));
    if (fstat(src->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(src->fd);
        src->fd = -1;
        return fail(err, err_size, what, path, "not a regular file");
    }
    if (st.st_size == 0) {
        close(src->fd);
        src->fd = -1;
        return fail(err, err_size, what, path, "file is empty");
    }
    src->size = (uint64_t)st.st_size;
    return 0;
}

/* ---- ELF ------------------------------------------------------------------------ */

static const char *elf_machine_name(unsigned machine)
{
    switch (machine) {
    case EM_386: return "i386";
    case EM_ARM: return "32-bit ARM";
    case EM_X86_64: return "x86-64";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    default: return "another machine";
    }
}

/* QEMU's arm_load_elf/load_elf: each PT_LOAD segment is copied to its physical address
 * (p_paddr), its p_memsz - p_filesz tail zeroed; the entry is e_entry. Ferry adds the
 * checks a hostile file needs (QEMU relies on its ROM overlap checks). */
static int load_elf(const struct source *src, const struct guest_ram *ram,
                    struct kernel_boot *out, char *err, size_t err_size)
{
    Elf64_Ehdr eh;
    Elf64_Phdr *ph = NULL;
    uint64_t low = UINT64_MAX, high = 0, table_size;
    char rt[96];
    unsigned loadable = 0;
    int rc = -1;

    ram_text(ram, rt, sizeof rt);
    if (src->size < sizeof eh)
        return fail(err, err_size, "kernel", src->path,
                    "truncated ELF header (%llu bytes, %zu needed)",
                    (unsigned long long)src->size, sizeof eh);
    if (!read_exact(src, 0, &eh, sizeof eh))
        return read_failed(src, "kernel", err, err_size);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64)
        return fail(err, err_size, "kernel", src->path,
                    "%s ELF file; Ferry boots AArch64 (ELF64) kernels",
                    eh.e_ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "invalid-class");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(err, err_size, "kernel", src->path,
                    "%s ELF file; Ferry runs little-endian guests",
                    eh.e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" : "invalid-byte-order");
    if (eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT)
        return fail(err, err_size, "kernel", src->path, "unknown ELF version %u",
                    (unsigned)eh.e_version);
    if (eh.e_machine != EM_AARCH64)
        return fail(err, err_size, "kernel", src->path,
                    "ELF file for %s (e_machine %u), not AArch64",
                    elf_machine_name(eh.e_machine), (unsigned)eh.e_machine);
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
        return fail(err, err_size, "kernel", src->path,
                    "ELF type %u is not an executable (ET_EXEC or ET_DYN)", (unsigned)eh.e_type);
    if (eh.e_phnum == 0)
        return fail(err, err_size, "kernel", src->path, "ELF file has no program headers");
    if (eh.e_phnum == PN_XNUM)
        return fail(err, err_size, "kernel", src->path,
                    "ELF file has 65535 or more program headers (not supported)");
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return fail(err, err_size, "kernel", src->path,
                    "ELF program header size %u (expected %zu)", (unsigned)eh.e_phentsize,
                    sizeof(Elf64_Phdr));
    table_size = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (eh.e_phoff > src->size || table_size > src->size - eh.e_phoff)
        return fail(err, err_size, "kernel", src->path,
                    "program headers at 0x%llx+0x%llx lie beyond the end of the file (%llu bytes)",
                    (unsigned long long)eh.e_phoff, (unsigned long long)table_size,
                    (unsigned long long)src->size);
    ph = malloc(table_size);
    if (!ph)
        return fail(err, err_size, "kernel", src->path, "out of memory");
    if (!read_exact(src, eh.e_phoff, ph, table_size)) {
        read_failed(src, "kernel", err, err_size);
        goto out;
    }

    /* Check every segment before anything is copied. */
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type != PT_LOAD)
            continue;
        if (p->p_filesz > p->p_memsz) {
            fail(err, err_size, "kernel", src->path,
                 "segment %u has more file data (0x%llx) than memory (0x%llx)", i,
                 (unsigned long long)p->p_filesz, (unsigned long long)p->p_memsz);
            goto out;
        }
        if (p->p_memsz == 0)
            continue;
        if (p->p_offset > src->size || p->p_filesz > src->size - p->p_offset) {
            fail(err, err_size, "kernel", src->path,
                 "segment %u data at file offset 0x%llx+0x%llx lies beyond the end of the "
                 "file (%llu bytes)", i, (unsigned long long)p->p_offset,
                 (unsigned long long)p->p_filesz, (unsigned long long)src->size);
            goto out;
        }
        if (p->p_paddr > UINT64_MAX - p->p_memsz || !in_ram(ram, p->p_paddr, p->p_memsz)) {
            bool wraps = p->p_paddr > UINT64_MAX - p->p_memsz;
            fail(err, err_size, "kernel", src->path,
                 "segment %u at 0x%llx-0x%llx lies outside %s", i,
                 (unsigned long long)p->p_paddr,
                 wraps ? (unsigned long long)UINT64_MAX
                       : (unsigned long long)(p->p_paddr + p->p_memsz - 1), rt);
            goto out;
        }
        for (unsigned j = 0; j < i; j++) {
            const Elf64_Phdr *q = &ph[j];
            if (q->p_type != PT_LOAD || q->p_memsz == 0)
                continue;
            if (p->p_paddr < q->p_paddr + q->p_memsz && q->p_paddr < p->p_paddr + p->p_memsz) {
                fail(err, err_size, "kernel", src->path,
                     "segments %u and %u overlap (0x%llx-0x%llx and 0x%llx-0x%llx)", j, i,
                     (unsigned long long)q->p_paddr,
                     (unsigned long long)(q->p_paddr + q->p_memsz - 1),
                     (unsigned long long)p->p_paddr,
                     (unsigned long long)(p->p_paddr + p->p_memsz - 1));
                goto out;
            }
        }
        if (p->p_paddr < low)
            low = p->p_paddr;
        if (p->p_paddr + p->p_memsz > high)
            high = p->p_paddr + p->p_memsz;
        loadable++;
    }
    if (loadable == 0) {
        fail(err, err_size, "kernel", src->path, "ELF file has no loadable segment");
        goto out;
    }
    /* Ferry has no boot ROM or flash: code outside RAM cannot run. */
    if (!in_ram(ram, eh.e_entry, 4)) {
        fail(err, err_size, "kernel", src->path, "entry point 0x%llx lies outside %s",
             (unsigned long long)eh.e_entry, rt);
        goto out;
    }

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        uint8_t *dst;
        if (p->p_type != PT_LOAD || p->p_memsz == 0)
            continue;
        dst = ram->host + (p->p_paddr - ram->base);
        if (!read_exact(src, p->p_offset, dst, p->p_filesz)) {
            read_failed(src, "kernel", err, err_size);
            goto out;
        }
        memset(dst + p->p_filesz, 0, p->p_memsz - p->p_filesz);
    }

    out->kind = KERNEL_KIND_ELF;
    out->linux_protocol = false;
    out->load_start = low;
    out->load_end = high;
    out->entry = eh.e_entry;
    /* QEMU puts the DTB at the RAM base when the image leaves room there (it covers
     * the base, or starts above it: then the DTB must end below the image). */
    if (low > ram->base) {
        out->dtb_addr = ram->base;
        out->dtb_limit = low;
    }
    rc = 0;
out:
    free(ph);
    return rc;
}

/* ---- gzip ----------------------------------------------------------------------- */

/* Inflates a whole gzip file into a malloc'd buffer of at most `limit` bytes (QEMU's
 * load_image_gzipped_buffer). QEMU loads a file that fails to inflate as a raw binary;
 * Ferry reports it, since such a load cannot boot. */
static int gunzip(const struct source *src, uint64_t limit, uint8_t **data, uint64_t *size,
                  char *err, size_t err_size)
{
    z_stream zs;
    uint8_t *in, *outbuf = NULL;
    uint64_t cap, produced = 0;
    int zrc, rc = -1;

    if (src->size > limit || src->size > UINT32_MAX)
        return fail(err, err_size, "kernel", src->path,
                    "gzip file of %llu bytes is larger than the %llu MiB limit",
                    (unsigned long long)src->size, (unsigned long long)(limit >> 20));
    in = malloc(src->size);
    if (!in)
        return fail(err, err_size, "kernel", src->path, "out of memory");
    if (!read_exact(src, 0, in, src->size)) {
        read_failed(src, "kernel", err, err_size);
        free(in);
        return -1;
    }
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        free(in);
        return fail(err, err_size, "kernel", src->path, "cannot start zlib");
    }
    zs.next_in = in;
    zs.avail_in = (uInt)src->size;
    cap = src->size * 4 < limit ? src->size * 4 : limit;
    if (cap < 65536)
        cap = limit < 65536 ? limit : 65536;
    for (;;) {
        uint64_t room;
        if (produced == cap) {
            uint64_t bigger;
            uint8_t *grown;
            if (cap >= limit) {
                fail(err, err_size, "kernel", src->path,
                     "gzip data inflates to more than the %llu MiB limit",
                     (unsigned long long)(limit >> 20));
                goto out;
            }
            bigger = cap > limit / 2 ? limit : cap * 2;
            grown = realloc(outbuf, bigger);
            if (!grown) {
                fail(err, err_size, "kernel", src->path, "out of memory inflating");
                goto out;
            }
            outbuf = grown;
            cap = bigger;
        } else if (!outbuf) {
            outbuf = malloc(cap);
            if (!outbuf) {
                fail(err, err_size, "kernel", src->path, "out of memory inflating");
                goto out;
            }
        }
        room = cap - produced;
        zs.next_out = outbuf + produced;
        zs.avail_out = room > UINT32_MAX ? UINT32_MAX : (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        produced = (uint64_t)(zs.next_out - outbuf);
        if (zrc == Z_STREAM_END)
            break;
        if (zrc == Z_OK || (zrc == Z_BUF_ERROR && zs.avail_in && produced == cap))
            continue;
        if (zrc == Z_BUF_ERROR && zs.avail_in == 0) {
            fail(err, err_size, "kernel", src->path,
                 "truncated gzip data (the stream ends after %llu inflated bytes)",
                 (unsigned long long)produced);
            goto out;
        }
        fail(err, err_size, "kernel", src->path, "corrupt gzip data: %s",
             zs.msg ? zs.msg : zError(zrc));
        goto out;
    }
    if (produced == 0) {
        fail(err, err_size, "kernel", src->path, "gzip data inflates to nothing");
        goto out;
    }
    *data = outbuf;
    *size = produced;
    outbuf = NULL;
    rc = 0;
out:
    inflateEnd(&zs);
    free(outbuf);
    free(in);
    return rc;
}

/* ---- arm64 Image and raw binaries ------------------------------------------------- */

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* QEMU's load_aarch64_image, with the header's flags checked (docs/board.md):
 *  - "ARM\x64" at 56 and image_size != 0: load at the 2 MiB aligned RAM base +
 *    text_offset, or 2 MiB higher when text_offset < 4 KiB (QEMU's boot stub sits in
 *    the first 4 KiB; kernels from 5.8 have text_offset 0 and so load at base + 2 MiB);
 *    the kernel occupies image_size bytes (its bss included).
 *  - image_size 0 (kernels before 3.17) or no magic (a raw binary): RAM base + 0x80000,
 *    the file's size. */
static int load_image_or_raw(const struct source *src, const struct guest_ram *ram,
                             struct kernel_boot *out, char *err, size_t err_size)
{
    uint8_t hdr[ARM64_IMAGE_HEADER_SIZE] = { 0 };
    uint64_t head = src->size < sizeof hdr ? src->size : sizeof hdr;
    uint64_t load, kernel_size, span;
    bool magic;
    char rt[96];

    ram_text(ram, rt, sizeof rt);
    if (!read_exact(src, 0, hdr, head))
        return read_failed(src, "kernel", err, err_size);
    magic = src->size >= ARM64_IMAGE_MAGIC_OFFSET + 4 &&
            memcmp(hdr + ARM64_IMAGE_MAGIC_OFFSET, "ARM\x64", 4) == 0;
    if (magic && src->size < ARM64_IMAGE_HEADER_SIZE)
        return fail(err, err_size, "kernel", src->path,
                    "truncated arm64 Image header (%llu bytes, %u needed)",
                    (unsigned long long)src->size, ARM64_IMAGE_HEADER_SIZE);

    if (magic && le64(hdr + 16) != 0) {
        uint64_t text_offset = le64(hdr + 8), image_size = le64(hdr + 16);
        uint64_t flags = le64(hdr + 24), base;
        unsigned page_size = (unsigned)(flags >> ARM64_IMAGE_PAGE_SIZE_SHIFT) & 3;
        if (flags & ARM64_IMAGE_FLAG_BE)
            return fail(err, err_size, "kernel", src->path,
                        "big-endian arm64 Image (header flags bit 0); Ferry runs "
                        "little-endian guests");
        if (page_size == 2 || page_size == 3)
            return fail(err, err_size, "kernel", src->path,
                        "arm64 Image built for %s pages; Ferry's MMU has only the 4K granule",
                        page_size == 2 ? "16K" : "64K");
        /* Flags bit 3 (place anywhere) needs nothing: the lowest 2 MiB aligned place
         * in RAM satisfies both of its values. */
        if (text_offset < KERNEL_IMAGE_LOW_LIMIT)
            text_offset += KERNEL_IMAGE_ALIGN;
        if (!align_up(ram->base, KERNEL_IMAGE_ALIGN, &base) ||
            base > UINT64_MAX - text_offset || !in_ram(ram, base + text_offset, 1))
            return fail(err, err_size, "kernel", src->path,
                        "arm64 Image text_offset 0x%llx places it outside %s",
                        (unsigned long long)le64(hdr + 8), rt);
        load = base + text_offset;
        kernel_size = image_size;
        out->kind = KERNEL_KIND_IMAGE;
    } else {
        /* No header, or one without image_size: QEMU's 0x80000 default. */
        load = ram->base + KERNEL_RAW_LOAD_OFFSET;
        kernel_size = src->size;
        out->kind = magic ? KERNEL_KIND_IMAGE : KERNEL_KIND_RAW;
        if (ram->base > UINT64_MAX - KERNEL_RAW_LOAD_OFFSET || !in_ram(ram, load, 1))
            return fail(err, err_size, "kernel", src->path,
                        "load address RAM base + 0x%llx lies outside %s",
                        KERNEL_RAW_LOAD_OFFSET, rt);
    }
    /* The kernel claims image_size bytes; the file may be longer (malformed, but its
     * bytes are copied and must not be overwritten by the initrd). */
    span = kernel_size > src->size ? kernel_size : src->size;
    if (!in_ram(ram, load, span)) {
        if (out->kind == KERNEL_KIND_IMAGE && kernel_size >= src->size)
            return fail(err, err_size, "kernel", src->path,
                        "arm64 Image of image_size 0x%llx at 0x%llx does not fit in %s",
                        (unsigned long long)kernel_size, (unsigned long long)load, rt);
        return fail(err, err_size, "kernel", src->path,
                    "%llu bytes at 0x%llx do not fit in %s", (unsigned long long)src->size,
                    (unsigned long long)load, rt);
    }
    if (!read_exact(src, 0, ram->host + (load - ram->base), src->size))
        return read_failed(src, "kernel", err, err_size);
    out->linux_protocol = true;
    out->load_start = load;
    out->load_end = load + span;
    out->entry = load;
    return 0;
}

/* QEMU: the initrd goes at RAM base + min(RAM / 2, 128 MiB), but not below the end of
 * the kernel, page aligned; the DTB at the next 2 MiB boundary after the initrd. */
static int place_initrd(const char *kernel_path, const char *initrd_path,
                        const struct guest_ram *ram, struct kernel_boot *out, char *err,
                        size_t err_size)
{
    uint64_t start = ram->base + (ram->size / 2 < (128ull << 20) ? ram->size / 2 : 128ull << 20);
    uint64_t dtb;
    char rt[96];

    ram_text(ram, rt, sizeof rt);
    if (out->load_end > start)
        start = out->load_end;
    if (!align_up(start, PAGE_SIZE_4K, &start))
        start = UINT64_MAX;
    out->initrd_start = start;
    if (initrd_path) {
        struct source rd;
        if (open_input("initrd", initrd_path, &rd, err, err_size) != 0)
            return -1;
        if (start >= ram_end(ram)) {
            close(rd.fd);
            return fail(err, err_size, "initrd", initrd_path,
                        "no room after the kernel (it ends at 0x%llx; %s)",
                        (unsigned long long)out->load_end, rt);
        }
        if (!in_ram(ram, start, rd.size)) {
            close(rd.fd);
            return fail(err, err_size, "initrd", initrd_path,
                        "%llu bytes at 0x%llx do not fit in %s", (unsigned long long)rd.size,
                        (unsigned long long)start, rt);
        }
        if (!read_exact(&rd, 0, ram->host + (start - ram->base), rd.size)) {
            read_failed(&rd, "initrd", err, err_size);
            close(rd.fd);
            return -1;
        }
        close(rd.fd);
        out->initrd_size = rd.size;
    }
    if (start > UINT64_MAX - out->initrd_size ||
        !align_up(start + out->initrd_size, KERNEL_DTB_ALIGN, &dtb) || dtb >= ram_end(ram))
        return fail(err, err_size, "kernel", kernel_path,
                    "no room for the DTB after the kernel%s (%s)",
                    initrd_path ? " and initrd" : "", rt);
    out->dtb_addr = dtb;
    out->dtb_limit = ram_end(ram);
    return 0;
}

int kernel_load(const char *path, uint8_t *ram_host, uint64_t ram_base, uint64_t ram_size,
                const struct kernel_load_options *opt, struct kernel_boot *out,
                char *err, size_t err_size)
{
    static const struct kernel_load_options defaults;
    struct guest_ram ram = { .host = ram_host, .base = ram_base, .size = ram_size };
    struct source src;
    uint8_t magic[4] = { 0 };
    uint8_t *inflated = NULL;
    int rc;

    if (!opt)
        opt = &defaults;
    memset(out, 0, sizeof *out);
    out->pstate = KERNEL_ENTRY_PSTATE;
    if (!ram_host || ram_size == 0 || ram_base > UINT64_MAX - ram_size)
        return fail(err, err_size, "kernel", path, "invalid guest RAM 0x%llx+0x%llx",
                    (unsigned long long)ram_base, (unsigned long long)ram_size);
    if (open_input("kernel", path, &src, err, err_size) != 0)
        return -1;
    if (!read_exact(&src, 0, magic, src.size < 4 ? src.size : 4)) {
        read_failed(&src, "kernel", err, err_size);
        close(src.fd);
        return -1;
    }

    if (src.size >= 4 && memcmp(magic, ELFMAG, SELFMAG) == 0) {
        rc = load_elf(&src, &ram, out, err, err_size);
    } else if (src.size >= 4 && ((uint32_t)magic[0] << 24 | (uint32_t)magic[1] << 16 |
                                 (uint32_t)magic[2] << 8 | magic[3]) == UIMAGE_MAGIC) {
        rc = fail(err, err_size, "kernel", path,
                  "U-Boot uImage files are not supported (use the arm64 Image or Image.gz)");
    } else if (src.size >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        /* On AArch64 the boot loader inflates the kernel (QEMU does the same). */
        struct source mem = { .path = path, .fd = -1 };
        uint64_t limit = opt->gunzip_limit ? opt->gunzip_limit : KERNEL_GUNZIP_MAX;
        rc = gunzip(&src, limit, &inflated, &mem.size, err, err_size);
        if (rc == 0) {
            mem.mem = inflated;
            rc = load_image_or_raw(&mem, &ram, out, err, err_size);
            out->gzipped = true;
        }
    } else {
        rc = load_image_or_raw(&src, &ram, out, err, err_size);
    }
    close(src.fd);
    free(inflated);
    if (rc != 0)
        return -1;

    if (out->linux_protocol)
        return place_initrd(path, opt->initrd_path, &ram, out, err, err_size);
    if (opt->initrd_path)
        return fail(err, err_size, "initrd", opt->initrd_path,
                    "an initrd needs a Linux kernel (arm64 Image or raw binary), but %s is "
                    "an ELF file", path);
    return 0;
}

int kernel_place_dtb(uint8_t *ram_host, uint64_t ram_base, uint64_t ram_size, const void *dtb,
                     size_t dtb_size, struct kernel_boot *boot, char *err, size_t err_size)
{
    struct guest_ram ram = { .host = ram_host, .base = ram_base, .size = ram_size };
    char rt[96];

    if (!ram_host || ram_size == 0 || ram_base > UINT64_MAX - ram_size) {
        ferry_set_error(err, err_size, "DTB: invalid guest RAM");
        return -1;
    }
    ram_text(&ram, rt, sizeof rt);
    if (!dtb || dtb_size == 0) {
        ferry_set_error(err, err_size, "DTB: empty blob");
        return -1;
    }
    if (!boot->linux_protocol) {
        /* ELF: the DTB goes at the RAM base if QEMU's 1 MiB blob would fit below the
         * image; otherwise QEMU silently loads none, and so does Ferry (the caller may
         * say so). x0 stays 0 either way. */
        uint64_t room = dtb_size > KERNEL_ELF_DTB_ROOM ? dtb_size : KERNEL_ELF_DTB_ROOM;
        if (boot->dtb_limit <= boot->dtb_addr || room > boot->dtb_limit - boot->dtb_addr ||
            !in_ram(&ram, boot->dtb_addr, dtb_size)) {
            boot->dtb_addr = 0;
            boot->dtb_size = 0;
            return 1;
        }
    } else if (boot->dtb_addr == 0 || !in_ram(&ram, boot->dtb_addr, dtb_size) ||
               dtb_size > boot->dtb_limit - boot->dtb_addr) {
        ferry_set_error(err, err_size,
                        "DTB of %zu bytes at 0x%llx does not fit in %s after the kernel and initrd",
                        dtb_size, (unsigned long long)boot->dtb_addr, rt);
        return -1;
    }
    memcpy(ram_host + (boot->dtb_addr - ram_base), dtb, dtb_size);
    boot->dtb_size = dtb_size;
    if (boot->linux_protocol) {
        /* The Linux arm64 boot protocol: x0 = DTB, x1..x3 = 0 (QEMU's boot stub). */
        boot->x[0] = boot->dtb_addr;
        boot->x[1] = boot->x[2] = boot->x[3] = 0;
    }
    return 0;
}

const char *kernel_kind_name(enum kernel_kind kind)
{
    switch (kind) {
    case KERNEL_KIND_ELF: return "ELF";
    case KERNEL_KIND_IMAGE: return "Image";
    case KERNEL_KIND_RAW: return "raw binary";
    }
    return "unknown";
}
