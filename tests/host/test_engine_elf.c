/* Unit tests of the engine ELF loader (hypervisor/engine_elf.c): a good fixture
 * engine loads to the right VM-physical place with its symbols; missing, truncated,
 * corrupt, wrong-architecture and badly placed files fail with a precise message.
 * argv[1] is the fixture folder (build/tests/host/fixtures). */
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

#include "ferry/abi.h"
#include "hypervisor/engine_elf.h"

#define MEM_END (64ull << 20)

static const char *fixture_dir;
static char good_path[4096];

struct file_image {
    uint8_t *bytes;
    size_t size;
};

static struct file_image read_file(const char *path)
{
    struct file_image f = { 0 };
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    f.size = (size_t)ftell(in);
    fseek(in, 0, SEEK_SET);
    f.bytes = malloc(f.size);
    assert_non_null(f.bytes);
    assert_int_equal(fread(f.bytes, 1, f.size, in), f.size);
    fclose(in);
    return f;
}

/* Writes size bytes of image to a temporary file and returns the loader's verdict:
 * 0 and an empty err on success, -1 and the message otherwise. */
static int open_bytes(const uint8_t *bytes, size_t size, uint64_t mem_end, char *err, size_t n)
{
    char path[] = "/tmp/ferry-elf-test-XXXXXX";
    struct engine_elf elf;
    int fd = mkstemp(path), rc;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, size), (ssize_t)size);
    close(fd);
    err[0] = '\0';
    rc = engine_elf_open(path, mem_end, &elf, err, n);
    unlink(path);
    if (rc == 0)
        engine_elf_close(&elf);
    return rc;
}

static void expect_error(const struct file_image *f, const char *expected)
{
    char err[512];
    assert_int_equal(open_bytes(f->bytes, f->size, MEM_END, err, sizeof err), -1);
    if (!strstr(err, expected))
        fail_msg("error '%s' lacks '%s'", err, expected);
}

static Elf64_Ehdr *header(struct file_image *f) { return (Elf64_Ehdr *)f->bytes; }
static Elf64_Phdr *phdr(struct file_image *f, int i)
{
    return (Elf64_Phdr *)(f->bytes + header(f)->e_phoff) + i;
}

static void test_good_fixture_loads(void **state)
{
    struct engine_elf elf;
    char err[512];
    uint8_t *mem;
    const struct symbol *sym;
    uint64_t offset;
    struct file_image f = read_file(good_path);
    assert_int_equal(engine_elf_open(good_path, MEM_END, &elf, err, sizeof err), 0);
    assert_int_equal(elf.entry, FERRY_IMAGE_BASE + FERRY_ENGINE_PHYS);
    assert_int_equal(elf.segment_count, 1); /* the empty data segment is skipped */
    assert_int_equal(elf.image_phys_end, FERRY_ENGINE_PHYS + 0x1000);
    sym = symbol_table_lookup(&elf.symbols, elf.entry + 1, &offset);
    assert_non_null(sym);
    assert_string_equal(sym->name, "fixture_entry");
    assert_int_equal(offset, 1);
    mem = mmap(NULL, MEM_END, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(mem != MAP_FAILED);
    memset(mem + FERRY_ENGINE_PHYS, 0xcc, 0x2000);
    engine_elf_load(&elf, mem);
    assert_memory_equal(mem + FERRY_ENGINE_PHYS, f.bytes + elf.segments[0].offset,
                        elf.segments[0].filesz);
    assert_int_equal(mem[FERRY_ENGINE_PHYS - 1], 0); /* nothing written before */
    munmap(mem, MEM_END);
    engine_elf_close(&elf);
    free(f.bytes);
}

static void test_missing_and_not_files(void **state)
{
    struct engine_elf elf;
    char err[512];
    assert_int_equal(engine_elf_open("/nonexistent/engine.elf", MEM_END, &elf, err, sizeof err), -1);
    assert_string_equal(err, "cannot open: No such file or directory");
    assert_int_equal(engine_elf_open("/tmp", MEM_END, &elf, err, sizeof err), -1);
    assert_string_equal(err, "not a regular file");
    assert_int_equal(open_bytes((const uint8_t *)"", 0, MEM_END, err, sizeof err), -1);
    assert_string_equal(err, "file is empty");
    assert_int_equal(open_bytes((const uint8_t *)"#!/bin/sh\necho hi\n", 18, MEM_END, err,
                                sizeof err), -1);
    assert_string_equal(err, "not an ELF file (bad magic)");
}

/* Cutting the file anywhere before the end of its loaded data must fail cleanly. */
static void truncate_everywhere(const char *path, size_t step_floor)
{
    struct file_image f = read_file(path);
    size_t data_end = 0;
    char err[512];
    for (int i = 0; i < header(&f)->e_phnum; i++) {
        Elf64_Phdr *p = phdr(&f, i);
        if (p->p_type == PT_LOAD && p->p_offset + p->p_filesz > data_end)
            data_end = p->p_offset + p->p_filesz;
    }
    assert_true(data_end > 0 && data_end <= f.size);
    size_t cuts[] = { 1, 3, 4, 5, 16, 40, 63, 64, 65, 64 + 56 - 1, 64 + 56, data_end / 2,
                      data_end - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        if (cuts[i] >= data_end)
            continue;
        if (open_bytes(f.bytes, cuts[i], MEM_END, err, sizeof err) != -1)
            fail_msg("%s cut at %zu bytes was accepted", path, cuts[i]);
        assert_true(strlen(err) > 5);
    }
    /* A sweep over the whole loaded prefix, for good measure. */
    for (size_t cut = 1; cut < data_end; cut += step_floor)
        assert_int_equal(open_bytes(f.bytes, cut, MEM_END, err, sizeof err), -1);
    free(f.bytes);
}

static void test_truncated(void **state)
{
    struct file_image f = read_file(good_path);
    char err[512];
    assert_int_equal(open_bytes(f.bytes, 40, MEM_END, err, sizeof err), -1);
    assert_non_null(strstr(err, "truncated ELF header"));
    assert_int_equal(open_bytes(f.bytes, 100, MEM_END, err, sizeof err), -1);
    assert_non_null(strstr(err, "program headers"));
    assert_non_null(strstr(err, "truncated"));
    assert_int_equal(open_bytes(f.bytes, phdr(&f, 0)->p_offset + 8, MEM_END, err, sizeof err), -1);
    assert_non_null(strstr(err, "lies outside the file"));
    free(f.bytes);
    truncate_everywhere(good_path, 97);
}

static void test_truncated_real_engine(void **state)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/../../../engine.elf", fixture_dir);
    if (access(path, R_OK) != 0) {
        /* The engine is another component's target; its own tests cover its absence. */
        skip();
    }
    truncate_everywhere(path, 4093);
}

static void test_wrong_architecture(void **state)
{
    char path[4096];
    struct file_image f;
    snprintf(path, sizeof path, "%s/wrong_i386.elf", fixture_dir);
    f = read_file(path);
    expect_error(&f, "32-bit ELF");
    free(f.bytes);
    snprintf(path, sizeof path, "%s/wrong_aarch64.elf", fixture_dir);
    if (access(path, R_OK) == 0) {
        f = read_file(path);
        expect_error(&f, "machine AArch64");
        free(f.bytes);
    }
    f = read_file(good_path);
    header(&f)->e_machine = EM_AARCH64;
    expect_error(&f, "ELF for machine AArch64 (e_machine 183); the engine must be x86-64");
    header(&f)->e_machine = EM_386;
    expect_error(&f, "machine i386");
    header(&f)->e_machine = EM_X86_64;
    f.bytes[EI_CLASS] = ELFCLASS32;
    expect_error(&f, "32-bit ELF");
    f.bytes[EI_CLASS] = 7;
    expect_error(&f, "unknown class 7");
    f.bytes[EI_CLASS] = ELFCLASS64;
    f.bytes[EI_DATA] = ELFDATA2MSB;
    expect_error(&f, "not a little-endian");
    free(f.bytes);
}

static void test_corrupt_headers(void **state)
{
    struct file_image f = read_file(good_path);
    Elf64_Ehdr saved = *header(&f);
    header(&f)->e_type = ET_DYN;
    expect_error(&f, "not an executable (ET_EXEC)");
    *header(&f) = saved;
    header(&f)->e_phentsize = 12;
    expect_error(&f, "corrupt ELF header");
    *header(&f) = saved;
    header(&f)->e_phnum = 0;
    expect_error(&f, "no program headers");
    *header(&f) = saved;
    header(&f)->e_phoff = 0xfffffffffffffff0ull;
    expect_error(&f, "lie outside the file");
    *header(&f) = saved;
    header(&f)->e_phnum = 0x7fff;
    expect_error(&f, "lie outside the file");
    *header(&f) = saved;
    header(&f)->e_entry = FERRY_IMAGE_BASE;
    expect_error(&f, "entry point 0xffffffff80000000 is not in an executable segment");
    *header(&f) = saved;
    f.bytes[EI_VERSION] = 9;
    expect_error(&f, "corrupt ELF header");
    free(f.bytes);
}

static void test_segment_checks(void **state)
{
    struct file_image f = read_file(good_path);
    Elf64_Phdr text = *phdr(&f, 0), data = *phdr(&f, 1);
    char err[512];
    assert_int_equal(text.p_type, PT_LOAD);
    assert_int_equal(data.p_type, PT_LOAD);

    /* Overlap: give the (empty) data segment memory inside the text segment. */
    phdr(&f, 1)->p_vaddr = text.p_vaddr + 0x10;
    phdr(&f, 1)->p_memsz = 0x100;
    expect_error(&f, "overlapping segments");
    /* Touching but not overlapping is fine. */
    phdr(&f, 1)->p_vaddr = text.p_vaddr + text.p_memsz;
    assert_int_equal(open_bytes(f.bytes, f.size, MEM_END, err, sizeof err), 0);
    *phdr(&f, 1) = data;

    phdr(&f, 0)->p_vaddr = 0x400000;
    expect_error(&f, "lies outside the engine region");
    phdr(&f, 0)->p_vaddr = FERRY_IMAGE_BASE; /* the low area below the engine */
    expect_error(&f, "lies outside the engine region");
    phdr(&f, 0)->p_vaddr = text.p_vaddr;
    phdr(&f, 0)->p_memsz = 0xffffffffffff0000ull; /* wraps around */
    expect_error(&f, "lies outside the engine region");
    phdr(&f, 0)->p_memsz = text.p_memsz;
    assert_int_equal(open_bytes(f.bytes, f.size, FERRY_ENGINE_PHYS + 0x10, err, sizeof err), -1);
    assert_non_null(strstr(err, "lies outside the engine region"));

    phdr(&f, 0)->p_filesz = text.p_memsz + 1;
    expect_error(&f, "exceeds memory size");
    phdr(&f, 0)->p_filesz = text.p_filesz;
    phdr(&f, 0)->p_offset = 0xfffffffffffff000ull;
    expect_error(&f, "lies outside the file");
    phdr(&f, 0)->p_offset = text.p_offset;

    phdr(&f, 1)->p_type = PT_INTERP;
    expect_error(&f, "dynamic linking");
    phdr(&f, 1)->p_type = PT_LOAD;
    phdr(&f, 0)->p_flags = PF_R | PF_W;
    expect_error(&f, "not in an executable segment");
    phdr(&f, 0)->p_flags = text.p_flags;
    assert_int_equal(open_bytes(f.bytes, f.size, MEM_END, err, sizeof err), 0);
    free(f.bytes);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_fixture_loads),
        cmocka_unit_test(test_missing_and_not_files),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_real_engine),
        cmocka_unit_test(test_wrong_architecture),
        cmocka_unit_test(test_corrupt_headers),
        cmocka_unit_test(test_segment_checks),
    };
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
        return 2;
    }
    fixture_dir = argv[1];
    snprintf(good_path, sizeof good_path, "%s/fatal_report.elf", fixture_dir);
    return cmocka_run_group_tests_name("engine_elf", tests, NULL, NULL);
}
