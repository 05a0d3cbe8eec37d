/* Unit tests of the guest kernel loader (hypervisor/board/kernel_loader.c) with
 * hand-built ELF, arm64 Image, Image.gz and raw files: where each kind lands, where the
 * initrd and the DTB go (QEMU's rules), the entry state, and every malformed or hostile
 * file, each refused with one line naming the file. Built with ASan, so a write outside
 * the RAM buffer fails the test even when the result looks right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "ferry/virt_board.h"
#include "hypervisor/board/kernel_loader.h"

#define RAM_BASE VIRT_RAM_BASE
#define RAM_SIZE (512ull << 20)
#define MiB (1ull << 20)

static char tmpdir[64];
static uint8_t *ram; /* RAM_SIZE bytes mapped for guest [RAM_BASE, RAM_BASE + RAM_SIZE) */

static const char *tmp_path(const char *name)
{
    static char paths[8][160];
    static unsigned next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", tmpdir, name);
    return p;
}

static const char *write_file(const char *name, const void *data, size_t len)
{
    const char *path = tmp_path(name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static uint8_t *guest(uint64_t addr)
{
    assert_true(addr >= RAM_BASE && addr < RAM_BASE + RAM_SIZE);
    return ram + (addr - RAM_BASE);
}

static void load_ok(const char *path, const struct kernel_load_options *opt, struct kernel_boot *b)
{
    char err[512];
    if (kernel_load(path, ram, RAM_BASE, RAM_SIZE, opt, b, err, sizeof err) != 0)
        fail_msg("kernel_load %s: %s", path, err);
}

/* The load fails with an error naming the file ("kernel PATH: ..." or "initrd PATH:")
 * that contains `expected`, in one line. */
static void load_fails_in(const char *path, uint64_t ram_base, uint64_t ram_size,
                          const struct kernel_load_options *opt, const char *expected)
{
    struct kernel_boot b;
    char err[512], prefix[200];
    assert_int_equal(kernel_load(path, ram, ram_base, ram_size, opt, &b, err, sizeof err), -1);
    if (!strstr(err, expected))
        fail_msg("error '%s' lacks '%s'", err, expected);
    snprintf(prefix, sizeof prefix, "kernel %s: ", path);
    if (strncmp(err, prefix, strlen(prefix)) != 0 && strncmp(err, "initrd ", 7) != 0)
        fail_msg("error '%s' does not start with '%s'", err, prefix);
    assert_null(strchr(err, '\n'));
}

static void load_fails(const char *path, const char *expected)
{
    load_fails_in(path, RAM_BASE, RAM_SIZE, NULL, expected);
}

static void place_ok(struct kernel_boot *b, const void *dtb, size_t size)
{
    char err[256];
    if (kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, dtb, size, b, err, sizeof err) != 0)
        fail_msg("kernel_place_dtb: %s", err);
}

static const uint8_t fake_dtb[64] = { 0xd0, 0x0d, 0xfe, 0xed, 1, 2, 3, 4 };

/* ---- arm64 Image ------------------------------------------------------------------ */

/* An Image of `file_size` bytes: the 64-byte header, then a byte pattern. */
static uint8_t *make_image(uint64_t text_offset, uint64_t image_size, uint64_t flags,
                           size_t file_size)
{
    uint8_t *img = malloc(file_size);
    assert_true(file_size >= 64);
    for (size_t i = 0; i < file_size; i++)
        img[i] = (uint8_t)(i * 7 + 3);
    memcpy(img + 0, "\x4d\x5a\x00\x91", 4);   /* code0: "MZ" (the EFI stub's add) */
    memcpy(img + 4, "\x00\x00\x00\x14", 4);   /* code1: b */
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 24, &flags, 8);
    memset(img + 32, 0, 24);
    memcpy(img + 56, "ARM\x64", 4);
    memset(img + 60, 0, 4);
    return img;
}

static void expect_linux_entry(const struct kernel_boot *b, uint64_t load, uint64_t dtb)
{
    assert_true(b->linux_protocol);
    assert_int_equal(b->entry, load);
    assert_int_equal(b->load_start, load);
    assert_int_equal(b->dtb_addr, dtb);
    assert_int_equal(b->x[0], dtb);
    assert_int_equal(b->x[1], 0);
    assert_int_equal(b->x[2], 0);
    assert_int_equal(b->x[3], 0);
    assert_int_equal(b->pstate, 0x3c5); /* EL1h, DAIF masked */
}

static void test_image_text_offset_0x80000(void **state)
{
    size_t n = 0x10000;
    uint8_t *img = make_image(0x80000, 0x200000, 2 /* 4K pages, LE */, n);
    const char *path = write_file("Image", img, n);
    struct kernel_boot b;
    load_ok(path, NULL, &b);
    assert_int_equal(b.kind, KERNEL_KIND_IMAGE);
    assert_false(b.gzipped);
    assert_int_equal(b.load_end, 0x40280000); /* image_size covers the bss */
    assert_memory_equal(guest(0x40080000), img, n);
    /* No initrd: it would go at RAM + 128 MiB; the DTB at the next 2 MiB boundary. */
    assert_int_equal(b.initrd_start, 0x48000000);
    assert_int_equal(b.initrd_size, 0);
    assert_int_equal(b.dtb_addr, 0x48000000);
    assert_int_equal(b.x[0], 0);            /* set by kernel_place_dtb */
    place_ok(&b, fake_dtb, sizeof fake_dtb);
    expect_linux_entry(&b, 0x40080000, 0x48000000);
    assert_int_equal(b.dtb_size, sizeof fake_dtb);
    assert_memory_equal(guest(0x48000000), fake_dtb, sizeof fake_dtb);
    assert_string_equal(kernel_kind_name(b.kind), "Image");
    free(img);
}

/* Kernels from 5.8 have text_offset 0: QEMU loads them 2 MiB up (its boot stub owns the
 * first 4 KiB), and so does Ferry; also flags 0 (page size unspecified) is fine. */
static void test_image_text_offset_0(void **state)
{
    uint8_t *img = make_image(0, 0x1000000, 0, 4096);
    struct kernel_boot b;
    load_ok(write_file("Image-5.8", img, 4096), NULL, &b);
    assert_int_equal(b.entry, 0x40200000);
    assert_int_equal(b.load_end, 0x41200000);
    assert_memory_equal(guest(0x40200000), img, 4096);
    free(img);
    /* text_offset 0xfff is below 4 KiB too; 0x1000 is not. */
    img = make_image(0xfff, 0x1000, 2, 64);
    load_ok(write_file("Image-fff", img, 64), NULL, &b);
    assert_int_equal(b.entry, 0x40200fff);
    free(img);
    img = make_image(0x1000, 0x1000, 2 | 8 /* place anywhere */, 64);
    load_ok(write_file("Image-1000", img, 64), NULL, &b);
    assert_int_equal(b.entry, 0x40001000);
    free(img);
}

/* image_size 0 (kernels before 3.17): text_offset is not valid, QEMU uses 0x80000 and
 * the file's size. */
static void test_image_without_image_size(void **state)
{
    uint8_t *img = make_image(0x12345, 0, 0, 8192);
    struct kernel_boot b;
    load_ok(write_file("Image-old", img, 8192), NULL, &b);
    assert_int_equal(b.kind, KERNEL_KIND_IMAGE);
    assert_int_equal(b.entry, 0x40080000);
    assert_int_equal(b.load_end, 0x40080000 + 8192);
    free(img);
}

/* A large kernel pushes the initrd (and the DTB) above itself. */
static void test_big_image_moves_initrd(void **state)
{
    uint8_t *img = make_image(0, 200 * MiB + 0x123, 2, 4096);
    uint8_t rd[5000];
    struct kernel_boot b;
    memset(rd, 0x5a, sizeof rd);
    load_ok(write_file("Image-big", img, 4096),
            &(struct kernel_load_options){ .initrd_path = write_file("rd", rd, sizeof rd) }, &b);
    assert_int_equal(b.load_end, 0x40200000 + 200 * MiB + 0x123);
    assert_int_equal(b.initrd_start, 0x40200000 + 200 * MiB + 0x1000); /* page aligned */
    assert_int_equal(b.initrd_size, sizeof rd);
    assert_memory_equal(guest(b.initrd_start), rd, sizeof rd);
    assert_int_equal(b.dtb_addr, 0x40200000 + 202 * MiB);
    free(img);
}

static void test_image_with_initrd(void **state)
{
    uint8_t *img = make_image(0x80000, 0x100000, 2, 4096);
    size_t rd_size = 3 * MiB + 17;
    uint8_t *rd = malloc(rd_size);
    struct kernel_boot b;
    for (size_t i = 0; i < rd_size; i++)
        rd[i] = (uint8_t)(i >> 3);
    load_ok(write_file("Image-rd", img, 4096),
            &(struct kernel_load_options){ .initrd_path = write_file("initrd", rd, rd_size) }, &b);
    assert_int_equal(b.initrd_start, 0x48000000);
    assert_int_equal(b.initrd_size, rd_size);
    assert_memory_equal(guest(0x48000000), rd, rd_size);
    assert_int_equal(b.dtb_addr, 0x48400000); /* 2 MiB aligned after the initrd */
    place_ok(&b, fake_dtb, sizeof fake_dtb);
    expect_linux_entry(&b, 0x40080000, 0x48400000);
    free(rd);
    free(img);
}

/* Below 256 MiB of RAM the initrd goes halfway up (QEMU's rule). */
static void test_small_ram(void **state)
{
    uint8_t bin[4096] = { 1, 2, 3 };
    uint8_t rd[100] = { 9 };
    struct kernel_boot b;
    char err[512];
    const char *kernel = write_file("small.bin", bin, sizeof bin);
    assert_int_equal(kernel_load(kernel, ram, RAM_BASE, 64 * MiB, NULL, &b, err, sizeof err), 0);
    assert_int_equal(b.initrd_start, RAM_BASE + 32 * MiB);
    assert_int_equal(b.dtb_addr, RAM_BASE + 32 * MiB);
    /* 4 MiB of RAM: initrd at 2 MiB, the DTB at 4 MiB = the end of RAM: no room. */
    load_fails_in(kernel, RAM_BASE, 4 * MiB,
                  &(struct kernel_load_options){ .initrd_path = write_file("rd100", rd, sizeof rd) },
                  "no room for the DTB after the kernel and initrd (guest RAM 0x40000000-0x403fffff)");
    /* Without the initrd the DTB fits at 2 MiB. */
    assert_int_equal(kernel_load(kernel, ram, RAM_BASE, 4 * MiB, NULL, &b, err, sizeof err), 0);
    assert_int_equal(b.dtb_addr, RAM_BASE + 2 * MiB);
    /* ...but a DTB larger than the 2 MiB left does not. */
    {
        size_t big = 2 * MiB + 1;
        uint8_t *dtb = calloc(1, big);
        assert_int_equal(kernel_place_dtb(ram, RAM_BASE, 4 * MiB, dtb, big, &b, err, sizeof err), -1);
        assert_non_null(strstr(err, "DTB of 2097153 bytes at 0x40200000 does not fit in guest RAM"));
        free(dtb);
    }
}

static void test_image_bad_headers(void **state)
{
    uint8_t *img;
    img = make_image(0x80000, 0x100000, 1 | 2, 4096);
    load_fails(write_file("Image-be", img, 4096),
               "big-endian arm64 Image (header flags bit 0); Ferry runs little-endian guests");
    free(img);
    img = make_image(0x80000, 0x100000, 2 << 1, 4096);
    load_fails(write_file("Image-16k", img, 4096), "built for 16K pages");
    free(img);
    img = make_image(0x80000, 0x100000, 3 << 1, 4096);
    load_fails(write_file("Image-64k", img, 4096), "built for 64K pages");
    free(img);
    /* image_size larger than RAM. */
    img = make_image(0x80000, RAM_SIZE, 2, 4096);
    load_fails(write_file("Image-huge", img, 4096),
               "arm64 Image of image_size 0x20000000 at 0x40080000 does not fit in guest RAM "
               "0x40000000-0x5fffffff");
    free(img);
    img = make_image(0x80000, UINT64_MAX, 2, 4096);
    load_fails(write_file("Image-max", img, 4096), "does not fit in guest RAM");
    free(img);
    /* text_offset beyond RAM, and one that wraps around. */
    img = make_image(RAM_SIZE, 0x1000, 2, 4096);
    load_fails(write_file("Image-far", img, 4096),
               "arm64 Image text_offset 0x20000000 places it outside guest RAM");
    free(img);
    img = make_image(0xfffffffffff00000ull, 0x1000, 2, 4096);
    load_fails(write_file("Image-wrap", img, 4096), "places it outside guest RAM");
    free(img);
    img = make_image(RAM_SIZE - 0x1000, 0x2000, 2, 4096);
    load_fails(write_file("Image-edge", img, 4096), "does not fit in guest RAM");
    free(img);
    /* A header cut short: the magic is there but the file ends before 64 bytes. */
    img = make_image(0x80000, 0x1000, 2, 64);
    load_fails(write_file("Image-cut", img, 62), "truncated arm64 Image header (62 bytes, 64 needed)");
    free(img);
}

/* ---- gzip ----------------------------------------------------------------------- */

static uint8_t *gzip_bytes(const uint8_t *data, size_t len, size_t *out_len)
{
    z_stream zs = { 0 };
    size_t cap = compressBound(len) + 64;
    uint8_t *out = malloc(cap);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static void test_image_gz(void **state)
{
    size_t n = 3 * MiB + 5, gz_len;
    uint8_t *img = make_image(0x80000, 4 * MiB, 2, n), *gz;
    struct kernel_boot b;
    memset(img + 64, 0x11, n - 64 - 100000); /* compressible */
    gz = gzip_bytes(img, n, &gz_len);
    load_ok(write_file("Image.gz", gz, gz_len), NULL, &b);
    assert_int_equal(b.kind, KERNEL_KIND_IMAGE);
    assert_true(b.gzipped);
    assert_int_equal(b.entry, 0x40080000);
    assert_memory_equal(guest(0x40080000), img, n);
    /* A limit below the inflated size. */
    load_fails_in(tmp_path("Image.gz"), RAM_BASE, RAM_SIZE,
                  &(struct kernel_load_options){ .gunzip_limit = 1 * MiB },
                  "gzip data inflates to more than the 1 MiB limit");
    /* Truncated, and corrupt in the middle. */
    load_fails(write_file("Image-trunc.gz", gz, gz_len / 2), "truncated gzip data");
    load_fails(write_file("Image-trunc2.gz", gz, gz_len - 4), "truncated gzip data");
    gz[gz_len / 2] ^= 0xff;
    gz[gz_len / 2 + 1] ^= 0x5a;
    load_fails(write_file("Image-bad.gz", gz, gz_len), "corrupt gzip data");
    /* Only the magic. */
    load_fails(write_file("magic.gz", "\x1f\x8b", 2), "truncated gzip data");
    free(gz);
    /* A gzipped raw binary is a raw binary. */
    {
        uint8_t raw[1000];
        memset(raw, 0x42, sizeof raw);
        gz = gzip_bytes(raw, sizeof raw, &gz_len);
        load_ok(write_file("raw.gz", gz, gz_len), NULL, &b);
        assert_int_equal(b.kind, KERNEL_KIND_RAW);
        assert_true(b.gzipped);
        assert_memory_equal(guest(0x40080000), raw, sizeof raw);
        free(gz);
        gz = gzip_bytes(raw, 0, &gz_len);
        load_fails(write_file("empty.gz", gz, gz_len), "gzip data inflates to nothing");
        free(gz);
    }
    free(img);
}

/* ---- raw binaries and files in general ------------------------------------------- */

static void test_raw_binary(void **state)
{
    uint8_t bin[12345];
    struct kernel_boot b;
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)(i ^ 0x3c);
    load_ok(write_file("bare.bin", bin, sizeof bin), NULL, &b);
    assert_int_equal(b.kind, KERNEL_KIND_RAW);
    assert_string_equal(kernel_kind_name(b.kind), "raw binary");
    assert_int_equal(b.load_end, 0x40080000 + sizeof bin);
    assert_memory_equal(guest(0x40080000), bin, sizeof bin);
    place_ok(&b, fake_dtb, sizeof fake_dtb);
    expect_linux_entry(&b, 0x40080000, 0x48000000);
    /* Too big for a 1 MiB RAM (0x80000 in). */
    {
        size_t n = 0x80001;
        uint8_t *big = calloc(1, n);
        load_fails_in(write_file("big.bin", big, n), RAM_BASE, 1 * MiB, NULL,
                      "524289 bytes at 0x40080000 do not fit in guest RAM 0x40000000-0x400fffff");
        free(big);
    }
    /* RAM smaller than the 0x80000 offset. */
    load_fails_in(tmp_path("bare.bin"), RAM_BASE, 0x40000, NULL,
                  "load address RAM base + 0x80000 lies outside guest RAM");
    /* A short file is a raw binary too (QEMU: no header). */
    load_ok(write_file("tiny.bin", "\x1f", 1), NULL, &b);
    assert_int_equal(b.kind, KERNEL_KIND_RAW);
}

static void test_bad_files(void **state)
{
    load_fails("/nonexistent/Image", "kernel /nonexistent/Image: No such file or directory");
    load_fails(tmpdir, "not a regular file");
    load_fails(write_file("zero", "", 0), "file is empty");
    load_fails(write_file("uImage", "\x27\x05\x19\x56rest of a uImage header", 27),
               "U-Boot uImage files are not supported");
    /* Bad RAM arguments. */
    {
        struct kernel_boot b;
        char err[256];
        const char *k = write_file("k", "x", 1);
        assert_int_equal(kernel_load(k, NULL, RAM_BASE, RAM_SIZE, NULL, &b, err, sizeof err), -1);
        assert_int_equal(kernel_load(k, ram, RAM_BASE, 0, NULL, &b, err, sizeof err), -1);
        assert_int_equal(kernel_load(k, ram, UINT64_MAX - 10, 100, NULL, &b, err, sizeof err), -1);
        assert_non_null(strstr(err, "invalid guest RAM"));
    }
}

static void test_initrd_errors(void **state)
{
    uint8_t bin[64] = { 0 };
    const char *kernel = write_file("k.bin", bin, sizeof bin);
    load_fails_in(kernel, RAM_BASE, RAM_SIZE,
                  &(struct kernel_load_options){ .initrd_path = "/nonexistent/rd" },
                  "initrd /nonexistent/rd: No such file or directory");
    load_fails_in(kernel, RAM_BASE, RAM_SIZE,
                  &(struct kernel_load_options){ .initrd_path = write_file("rd0", "", 0) },
                  "file is empty");
    /* 64 MiB of RAM: the initrd goes at 32 MiB, 33 MiB does not fit. */
    {
        size_t n = 33 * MiB;
        uint8_t *rd = calloc(1, n);
        load_fails_in(kernel, RAM_BASE, 64 * MiB,
                      &(struct kernel_load_options){ .initrd_path = write_file("rd33", rd, n) },
                      "34603008 bytes at 0x42000000 do not fit in guest RAM 0x40000000-0x43ffffff");
        free(rd);
    }
    /* A kernel that fills RAM leaves no room for the initrd. */
    {
        uint8_t *img = make_image(0x80000, RAM_SIZE - 0x80000, 2, 4096);
        load_fails_in(write_file("Image-full", img, 4096), RAM_BASE, RAM_SIZE,
                      &(struct kernel_load_options){ .initrd_path = tmp_path("rd100") },
                      "no room after the kernel (it ends at 0x60000000");
        free(img);
    }
}

/* ---- ELF ------------------------------------------------------------------------ */

struct seg {
    uint32_t type;
    uint64_t paddr, filesz, memsz, offset; /* offset 0: placed after the headers */
};

/* An ELF64 AArch64 executable with the given segments; each segment's file bytes are a
 * pattern derived from its index. */
static uint8_t *make_elf(uint64_t entry, const struct seg *segs, unsigned n, size_t *len)
{
    size_t hdrs = sizeof(Elf64_Ehdr) + n * sizeof(Elf64_Phdr), total = hdrs;
    uint8_t *f;
    Elf64_Ehdr *eh;
    Elf64_Phdr *ph;
    for (unsigned i = 0; i < n; i++)
        if (!segs[i].offset && segs[i].filesz < (1u << 24))
            total += segs[i].filesz;
    f = calloc(1, total);
    eh = (Elf64_Ehdr *)f;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_AARCH64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = entry;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = (Elf64_Half)n;
    ph = (Elf64_Phdr *)(f + sizeof(Elf64_Ehdr));
    for (unsigned i = 0, at = (unsigned)hdrs; i < n; i++) {
        ph[i].p_type = segs[i].type;
        ph[i].p_flags = PF_R | PF_X;
        ph[i].p_paddr = segs[i].paddr;
        ph[i].p_vaddr = 0xffff000000000000ull + segs[i].paddr; /* the loader uses p_paddr */
        ph[i].p_filesz = segs[i].filesz;
        ph[i].p_memsz = segs[i].memsz;
        ph[i].p_align = 0x1000;
        if (segs[i].offset) {
            ph[i].p_offset = segs[i].offset;
        } else {
            ph[i].p_offset = at;
            if (segs[i].filesz < (1u << 24)) {
                memset(f + at, 0xa0 + (int)i, segs[i].filesz);
                at += (unsigned)segs[i].filesz;
            }
        }
    }
    *len = total;
    return f;
}

static const char *elf_file(const char *name, uint64_t entry, const struct seg *segs, unsigned n)
{
    size_t len;
    uint8_t *f = make_elf(entry, segs, n, &len);
    const char *path = write_file(name, f, len);
    free(f);
    return path;
}

static void test_elf(void **state)
{
    static const struct seg segs[] = {
        { PT_LOAD, 0x40100000, 0x100, 0x2000, 0 },  /* code + bss */
        { PT_NOTE, 0x10, 0x8, 0x8, 0 },             /* not loaded */
        { PT_LOAD, 0x40200000, 0x40, 0x40, 0 },
        { PT_LOAD, 0x20000000, 0, 0, 0 },           /* empty: skipped, even outside RAM */
    };
    struct kernel_boot b;
    memset(guest(0x40100000), 0xff, 0x3000);
    load_ok(elf_file("bare.elf", 0x40100040, segs, 4), NULL, &b);
    assert_int_equal(b.kind, KERNEL_KIND_ELF);
    assert_false(b.linux_protocol);
    assert_int_equal(b.entry, 0x40100040);
    assert_int_equal(b.load_start, 0x40100000);
    assert_int_equal(b.load_end, 0x40200040);
    for (unsigned i = 0; i < 0x100; i++)
        assert_int_equal(guest(0x40100000)[i], 0xa0);
    for (unsigned i = 0x100; i < 0x2000; i++)
        assert_int_equal(guest(0x40100000)[i], 0); /* bss zeroed */
    assert_int_equal(guest(0x40102000)[0], 0xff);  /* nothing beyond p_memsz */
    assert_int_equal(guest(0x40200000)[0x3f], 0xa2);
    /* The DTB goes at the RAM base, below the image; x0 stays 0 (QEMU starts an ELF
     * straight from CPU reset, without its Linux boot stub). */
    assert_int_equal(b.dtb_addr, RAM_BASE);
    place_ok(&b, fake_dtb, sizeof fake_dtb);
    assert_int_equal(b.dtb_size, sizeof fake_dtb);
    assert_memory_equal(guest(RAM_BASE), fake_dtb, sizeof fake_dtb);
    assert_int_equal(b.x[0], 0);
    assert_int_equal(b.pstate, 0x3c5);
    assert_string_equal(kernel_kind_name(b.kind), "ELF");
}

static void test_elf_dtb_room(void **state)
{
    struct kernel_boot b;
    char err[256];
    /* An image at the RAM base leaves no room: no DTB (QEMU: none in RAM either). */
    static const struct seg at_base[] = { { PT_LOAD, RAM_BASE, 0x10, 0x10, 0 } };
    static const struct seg low[] = { { PT_LOAD, RAM_BASE + 0x1000, 0x10, 0x10, 0 } };
    static const struct seg low2[] = { { PT_LOAD, RAM_BASE + 0xf0000, 0x10, 0x10, 0 } };
    static const struct seg mib[] = { { PT_LOAD, RAM_BASE + 0x100000, 0x10, 0x10, 0 } };
    load_ok(elf_file("at-base.elf", RAM_BASE, at_base, 1), NULL, &b);
    assert_int_equal(kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, fake_dtb, sizeof fake_dtb, &b, err,
                                      sizeof err), 1);
    assert_int_equal(b.dtb_addr, 0);
    assert_int_equal(b.dtb_size, 0);
    assert_int_equal(b.x[0], 0);
    /* Less than 1 MiB below the image: QEMU's 1 MiB blob would not fit, so no DTB, even
     * though Ferry's small one would (an ELF linked at 0x40100000 by ld starts its first
     * segment at 0x400f0000 and gets no DTB on QEMU). */
    load_ok(elf_file("low.elf", RAM_BASE + 0x1000, low, 1), NULL, &b);
    assert_int_equal(b.dtb_limit, RAM_BASE + 0x1000);
    assert_int_equal(kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, fake_dtb, sizeof fake_dtb, &b, err,
                                      sizeof err), 1);
    assert_int_equal(b.dtb_addr, 0);
    load_ok(elf_file("low2.elf", RAM_BASE + 0xf0000, low2, 1), NULL, &b);
    assert_int_equal(kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, fake_dtb, sizeof fake_dtb, &b, err,
                                      sizeof err), 1);
    /* Exactly 1 MiB: placed (QEMU too). A DTB larger than the room is not. */
    load_ok(elf_file("mib.elf", RAM_BASE + 0x100000, mib, 1), NULL, &b);
    {
        size_t n = 0x100001;
        uint8_t *big = calloc(1, n);
        struct kernel_boot copy = b;
        assert_int_equal(kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, big, n, &copy, err,
                                          sizeof err), 1);
        assert_int_equal(copy.dtb_addr, 0);
        free(big);
    }
    place_ok(&b, fake_dtb, sizeof fake_dtb);
    assert_int_equal(b.dtb_addr, RAM_BASE);
    /* No DTB at all is a caller error. */
    assert_int_equal(kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, NULL, 0, &b, err, sizeof err), -1);
}

static void test_elf_initrd_refused(void **state)
{
    static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x10, 0 } };
    const char *elf = elf_file("rd.elf", 0x40100000, s, 1);
    uint8_t rd[16] = { 0 };
    load_fails_in(elf, RAM_BASE, RAM_SIZE,
                  &(struct kernel_load_options){ .initrd_path = write_file("rd16", rd, sizeof rd) },
                  "an initrd needs a Linux kernel (arm64 Image or raw binary)");
}

/* Patches one header field of a valid ELF and expects the given error. */
static void elf_header_case(const char *name, size_t offset, const void *bytes, size_t n,
                            const char *expected)
{
    static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x10, 0 } };
    size_t len;
    uint8_t *f = make_elf(0x40100000, s, 1, &len);
    memcpy(f + offset, bytes, n);
    load_fails(write_file(name, f, len), expected);
    free(f);
}

static void test_elf_bad_headers(void **state)
{
    uint16_t u16;
    uint64_t u64;
    uint8_t u8;
    static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x10, 0 } };
    size_t len;
    uint8_t *f = make_elf(0x40100000, s, 1, &len);
    /* Truncated header: only the magic and a few bytes. */
    load_fails(write_file("trunc.elf", f, 30), "truncated ELF header (30 bytes, 64 needed)");
    load_fails(write_file("magic.elf", f, 4), "truncated ELF header (4 bytes, 64 needed)");
    /* Program headers cut off. */
    load_fails(write_file("trunc-ph.elf", f, 64 + 20),
               "program headers at 0x40+0x38 lie beyond the end of the file (84 bytes)");
    free(f);
    u8 = ELFCLASS32;
    elf_header_case("class32.elf", EI_CLASS, &u8, 1, "32-bit ELF file; Ferry boots AArch64 (ELF64) kernels");
    u8 = 7;
    elf_header_case("class7.elf", EI_CLASS, &u8, 1, "invalid-class ELF file");
    u8 = ELFDATA2MSB;
    elf_header_case("be.elf", EI_DATA, &u8, 1, "big-endian ELF file; Ferry runs little-endian guests");
    u8 = 2;
    elf_header_case("version.elf", EI_VERSION, &u8, 1, "unknown ELF version");
    u16 = EM_X86_64;
    elf_header_case("x86.elf", offsetof(Elf64_Ehdr, e_machine), &u16, 2,
                    "ELF file for x86-64 (e_machine 62), not AArch64");
    u16 = EM_ARM;
    elf_header_case("arm.elf", offsetof(Elf64_Ehdr, e_machine), &u16, 2, "32-bit ARM");
    u16 = ET_REL;
    elf_header_case("rel.elf", offsetof(Elf64_Ehdr, e_type), &u16, 2,
                    "ELF type 1 is not an executable");
    u16 = 0;
    elf_header_case("nophdr.elf", offsetof(Elf64_Ehdr, e_phnum), &u16, 2, "no program headers");
    u16 = PN_XNUM;
    elf_header_case("xnum.elf", offsetof(Elf64_Ehdr, e_phnum), &u16, 2, "65535 or more program headers");
    u16 = 32;
    elf_header_case("phentsize.elf", offsetof(Elf64_Ehdr, e_phentsize), &u16, 2,
                    "ELF program header size 32 (expected 56)");
    u16 = 1000;
    elf_header_case("phnum.elf", offsetof(Elf64_Ehdr, e_phnum), &u16, 2,
                    "lie beyond the end of the file");
    u64 = UINT64_MAX - 8;
    elf_header_case("phoff.elf", offsetof(Elf64_Ehdr, e_phoff), &u64, 8,
                    "lie beyond the end of the file");
    u64 = 0x40000000000ull;
    elf_header_case("entry.elf", offsetof(Elf64_Ehdr, e_entry), &u64, 8,
                    "entry point 0x40000000000 lies outside guest RAM 0x40000000-0x5fffffff");
    u64 = 0x5ffffffe;
    elf_header_case("entry-edge.elf", offsetof(Elf64_Ehdr, e_entry), &u64, 8, "entry point");
}

static void test_elf_bad_segments(void **state)
{
    char expected[256];
    const char *path;
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x10, 0 },
                                        { PT_LOAD, 0x40200000, 0x10, 0x10, 0 },
                                        { PT_LOAD, 0x10000000, 0x10, 0x1000, 0 } };
        path = elf_file("outside.elf", 0x40100000, s, 3);
        snprintf(expected, sizeof expected,
                 "kernel %s: segment 2 at 0x10000000-0x10000fff lies outside guest RAM "
                 "0x40000000-0x5fffffff", path);
        load_fails(path, expected);
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x5ffff000, 0x10, 0x2000, 0 } };
        load_fails(elf_file("end.elf", 0x5ffff000, s, 1),
                   "segment 0 at 0x5ffff000-0x60000fff lies outside guest RAM");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0xfffffffffffff000ull, 0x10, 0x2000, 0 } };
        load_fails(elf_file("wrap.elf", 0x40000000, s, 1),
                   "segment 0 at 0xfffffffffffff000-0xffffffffffffffff lies outside guest RAM");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x20, 0x10, 0 } };
        load_fails(elf_file("filesz.elf", 0x40100000, s, 1),
                   "segment 0 has more file data (0x20) than memory (0x10)");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x10, 0 },
                                        { PT_LOAD, 0x40200000, 0x20, 0, 0 } };
        load_fails(elf_file("memsz0.elf", 0x40100000, s, 2),
                   "segment 1 has more file data (0x20) than memory (0x0)");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x100, 0x100, 0x1000 } };
        load_fails(elf_file("offset.elf", 0x40100000, s, 1),
                   "segment 0 data at file offset 0x1000+0x100 lies beyond the end of the file");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, UINT64_MAX - 0x10, UINT64_MAX, 0x100 } };
        load_fails(elf_file("offset-wrap.elf", 0x40100000, s, 1), "lies beyond the end of the file");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x1000, 0 },
                                        { PT_LOAD, 0x40100800, 0x10, 0x10, 0 } };
        load_fails(elf_file("overlap.elf", 0x40100000, s, 2),
                   "segments 0 and 1 overlap (0x40100000-0x40100fff and 0x40100800-0x4010080f)");
    }
    {
        static const struct seg s[] = { { PT_NOTE, 0x40100000, 0x10, 0x10, 0 },
                                        { PT_LOAD, 0x40100000, 0, 0, 0 } };
        load_fails(elf_file("noload.elf", 0x40100000, s, 2), "ELF file has no loadable segment");
    }
    {
        static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, RAM_SIZE, 0 } };
        load_fails(elf_file("big.elf", 0x40100000, s, 1), "lies outside guest RAM");
    }
}

/* Random files with a valid magic: the loader may accept or refuse them, but must never
 * touch memory outside the RAM buffer (ASan) nor leave an empty error. */
static void test_hostile_files(void **state)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    uint8_t buf[512];
    int accepted = 0;
    for (int iter = 0; iter < 3000; iter++) {
        struct kernel_boot b;
        char err[512] = "";
        size_t len = 1 + (size_t)(seed % sizeof buf);
        int rc;
        for (size_t i = 0; i < sizeof buf; i++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            buf[i] = (uint8_t)seed;
        }
        switch (iter % 3) {
        case 0: { /* an ELF header with random fields but the right identity */
            static const struct seg s[] = { { PT_LOAD, 0x40100000, 0x10, 0x10, 0 } };
            size_t elen;
            uint8_t *f = make_elf(0x40100000, s, 1, &elen);
            memcpy(buf, f, 20); /* magic, class, data, version, type, machine */
            if (iter % 2)
                buf[56] = 1, buf[57] = 0, buf[54] = 56, buf[55] = 0, memset(buf + 32, 0, 8),
                buf[32] = 64; /* one program header at 64: random segment fields */
            free(f);
            len = len < 120 ? 120 : len;
            break;
        }
        case 1: /* an Image header with random fields */
            memcpy(buf + 56, "ARM\x64", 4);
            buf[24] &= (uint8_t)~1; /* usually little-endian, to reach the range checks */
            if (iter % 2) { /* small text_offset and image_size: some loads succeed */
                memset(buf + 11, 0, 5);
                memset(buf + 19, 0, 5);
                buf[24] &= 0x0b; /* 4K or unspecified pages */
            }
            len = len < 64 ? 64 : len;
            break;
        default: /* gzip magic, then garbage */
            buf[0] = 0x1f;
            buf[1] = 0x8b;
            buf[2] = 8;
            break;
        }
        rc = kernel_load(write_file("hostile", buf, len), ram, RAM_BASE, RAM_SIZE, NULL, &b, err,
                         sizeof err);
        accepted += rc == 0;
        if (rc == 0) {
            assert_true(b.entry >= RAM_BASE && b.entry < RAM_BASE + RAM_SIZE);
            assert_true(b.load_start >= RAM_BASE && b.load_end <= RAM_BASE + RAM_SIZE);
            if (b.linux_protocol) {
                rc = kernel_place_dtb(ram, RAM_BASE, RAM_SIZE, fake_dtb, sizeof fake_dtb, &b,
                                      err, sizeof err);
                assert_true(rc == 0);
            }
        } else {
            assert_int_equal(rc, -1);
            assert_true(strlen(err) > 10);
            assert_null(strchr(err, '\n'));
        }
    }
    /* Both outcomes were reached (the success path is exercised too). */
    assert_true(accepted > 100 && accepted < 2900);
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ferry-loader.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
               -1, 0);
    return ram == MAP_FAILED ? -1 : 0;
}

static int teardown(void **state)
{
    char cmd[128];
    munmap(ram, RAM_SIZE);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_text_offset_0x80000),
        cmocka_unit_test(test_image_text_offset_0),
        cmocka_unit_test(test_image_without_image_size),
        cmocka_unit_test(test_big_image_moves_initrd),
        cmocka_unit_test(test_image_with_initrd),
        cmocka_unit_test(test_small_ram),
        cmocka_unit_test(test_image_bad_headers),
        cmocka_unit_test(test_image_gz),
        cmocka_unit_test(test_raw_binary),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_initrd_errors),
        cmocka_unit_test(test_elf),
        cmocka_unit_test(test_elf_dtb_room),
        cmocka_unit_test(test_elf_initrd_refused),
        cmocka_unit_test(test_elf_bad_headers),
        cmocka_unit_test(test_elf_bad_segments),
        cmocka_unit_test(test_hostile_files),
    };
    return cmocka_run_group_tests_name("kernel_loader", tests, setup, teardown);
}
