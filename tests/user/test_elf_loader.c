/* Unit tests of the ELF loader: hand-built images for every accepted and rejected
 * header shape, and a real cross-compiled program (USER_TEST_ELF). */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hypervisor/user/elf_loader.h"

#define LIMIT (1ull << 34)
#define PAGE GUEST_PAGE_SIZE

static struct guest_memory mem;

static int setup(void **state)
{
    (void)state;
    return guest_memory_init(&mem, LIMIT);
}

static int teardown(void **state)
{
    (void)state;
    guest_memory_destroy(&mem);
    return 0;
}

/* A fresh address space per test. */
static void reset_memory(void)
{
    guest_memory_destroy(&mem);
    assert_int_equal(guest_memory_init(&mem, LIMIT), 0);
}

/* An image: text segment (R+X) at 0x400000 holding the headers and 0x100 bytes of
 * code, data segment (R+W) at 0x411000 with 0x20 file bytes and 0x3000 bytes of bss. */
struct image {
    uint8_t bytes[0x2000];
    size_t size;
    Elf64_Ehdr *eh;
    Elf64_Phdr *ph;
};

static void build_image(struct image *im, uint16_t type)
{
    memset(im, 0, sizeof(*im));
    im->size = 0x1100;
    Elf64_Ehdr *eh = im->eh = (Elf64_Ehdr *)im->bytes;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = type;
    eh->e_machine = EM_AARCH64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x400100;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 2;
    Elf64_Phdr *ph = im->ph = (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr));
    ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
                          .p_vaddr = 0x400000, .p_filesz = 0x1000, .p_memsz = 0x1000, .p_align = PAGE };
    ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1000,
                          .p_vaddr = 0x411000, .p_filesz = 0x20, .p_memsz = 0x3000, .p_align = PAGE };
    im->bytes[0x100] = 0xc0; /* "code" */
    memset(im->bytes + 0x1000, 0xab, 0x20);
}

static int load(struct image *im, struct elf_image *out, char *err)
{
    reset_memory();
    return elf_load_buffer(im->bytes, im->size, &mem, out, err, 256);
}

static void test_loads_static_executable(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    char err[256] = "";
    build_image(&im, ET_EXEC);
    assert_int_equal(load(&im, &out, err), 0);
    assert_int_equal(out.entry, 0x400100);
    assert_int_equal(out.load_bias, 0);
    assert_int_equal(out.phdr_addr, 0x400000 + sizeof(Elf64_Ehdr));
    assert_int_equal(out.phnum, 2);
    assert_int_equal(out.image_start, 0x400000);
    assert_int_equal(out.brk_start, 0x414000);
    assert_int_equal(guest_page_flags(&mem, 0x400000) & GUEST_PROT_MASK, GUEST_PROT_READ | GUEST_PROT_EXEC);
    assert_int_equal(guest_page_flags(&mem, 0x411000) & GUEST_PROT_MASK, GUEST_PROT_READ | GUEST_PROT_WRITE);
    assert_int_equal(guest_page_flags(&mem, 0x413000) & GUEST_PROT_MASK, GUEST_PROT_READ | GUEST_PROT_WRITE);
    assert_int_equal(guest_page_flags(&mem, 0x414000), 0);
    assert_int_equal(mem.host_base[0x400100], 0xc0);
    assert_int_equal(mem.host_base[0x41101f], 0xab);
    assert_int_equal(mem.host_base[0x411020], 0); /* bss is zero */
    assert_int_equal(mem.host_base[0x412fff], 0);
}

static void test_loads_static_pie_with_bias(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    char err[256] = "";
    build_image(&im, ET_DYN);
    assert_int_equal(load(&im, &out, err), 0);
    assert_int_equal(out.load_bias, ELF_PIE_LOAD_BIAS);
    assert_int_equal(out.entry, ELF_PIE_LOAD_BIAS + 0x400100);
    assert_int_equal(mem.host_base[ELF_PIE_LOAD_BIAS + 0x400100], 0xc0);
}

static void test_shared_page_gets_union_of_permissions(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    char err[256] = "";
    build_image(&im, ET_EXEC);
    im.ph[0].p_filesz = im.ph[0].p_memsz = 0x900;
    im.ph[1].p_vaddr = 0x400a00; /* data starts inside the text's page */
    assert_int_equal(load(&im, &out, err), 0);
    assert_int_equal(guest_page_flags(&mem, 0x400000) & GUEST_PROT_MASK,
                     GUEST_PROT_READ | GUEST_PROT_WRITE | GUEST_PROT_EXEC);
    assert_int_equal(mem.host_base[0x400100], 0xc0); /* text bytes survived the data copy */
    assert_int_equal(mem.host_base[0x400a00], 0xab);
}

#define EXPECT_ERROR(im, text) do {                        \
        struct elf_image out_;                             \
        char err_[256] = "";                               \
        assert_int_equal(load((im), &out_, err_), -1);     \
        assert_string_equal(err_, (text));                 \
    } while (0)

static void test_rejects_wrong_machine(void **state)
{
    (void)state;
    struct image im;
    build_image(&im, ET_EXEC);
    im.eh->e_machine = EM_X86_64;
    EXPECT_ERROR(&im, "not an AArch64 executable (machine x86-64)");
    im.eh->e_machine = 4242;
    EXPECT_ERROR(&im, "not an AArch64 executable (machine 4242)");
    build_image(&im, ET_EXEC);
    im.bytes[EI_CLASS] = ELFCLASS32;
    im.bytes[18] = EM_ARM;
    im.bytes[19] = 0;
    EXPECT_ERROR(&im, "not an AArch64 executable (machine ARM, 32-bit)");
    build_image(&im, ET_EXEC);
    im.bytes[EI_DATA] = ELFDATA2MSB;
    EXPECT_ERROR(&im, "not an AArch64 executable (not a 64-bit little-endian ELF)");
}

static void test_rejects_dynamic_and_odd_types(void **state)
{
    (void)state;
    struct image im;
    build_image(&im, ET_EXEC);
    im.ph[1].p_type = PT_INTERP;
    EXPECT_ERROR(&im, "dynamically linked; only static executables are supported");
    build_image(&im, ET_REL);
    EXPECT_ERROR(&im, "not an executable (ELF type 1)");
    build_image(&im, ET_EXEC);
    im.ph[0].p_type = PT_NOTE;
    im.ph[1].p_type = PT_NOTE;
    EXPECT_ERROR(&im, "corrupt ELF: no loadable segment");
}

static void test_rejects_truncated_and_corrupt(void **state)
{
    (void)state;
    struct image im;
    build_image(&im, ET_EXEC);
    im.size = 3;
    EXPECT_ERROR(&im, "not an ELF file");
    im.size = 40;
    EXPECT_ERROR(&im, "truncated ELF file (header cut short)");
    im.size = sizeof(Elf64_Ehdr) + 10;
    EXPECT_ERROR(&im, "truncated ELF file (program headers beyond the end of the file)");
    build_image(&im, ET_EXEC);
    im.eh->e_phoff = UINT64_MAX - 8; /* would wrap */
    EXPECT_ERROR(&im, "truncated ELF file (program headers beyond the end of the file)");
    build_image(&im, ET_EXEC);
    im.size = 0x1010;
    EXPECT_ERROR(&im, "truncated ELF file (segment 1 beyond the end of the file)");
    build_image(&im, ET_EXEC);
    im.ph[1].p_offset = UINT64_MAX - 4;
    EXPECT_ERROR(&im, "truncated ELF file (segment 1 beyond the end of the file)");
    build_image(&im, ET_EXEC);
    im.ph[1].p_filesz = 0x4000;
    EXPECT_ERROR(&im, "corrupt ELF: segment 1 file size exceeds memory size");
    build_image(&im, ET_EXEC);
    im.eh->e_phentsize = 32;
    EXPECT_ERROR(&im, "corrupt ELF: program header size 32 (expected 56)");
    build_image(&im, ET_EXEC);
    im.eh->e_phnum = 0;
    EXPECT_ERROR(&im, "corrupt ELF: 0 program headers");
    memset(im.bytes, 0, 16);
    EXPECT_ERROR(&im, "not an ELF file");
}

static void test_rejects_segments_outside_guest_space(void **state)
{
    (void)state;
    struct image im;
    build_image(&im, ET_EXEC);
    im.ph[1].p_vaddr = LIMIT - 0x1000;
    EXPECT_ERROR(&im, "segment 1 at 0x3fffff000 (+0x3000 bytes) is outside the guest address space");
    build_image(&im, ET_EXEC);
    im.ph[1].p_vaddr = UINT64_MAX - 0x100;
    EXPECT_ERROR(&im, "segment 1 at 0xfffffffffffffeff (+0x3000 bytes) is outside the guest address space");
    build_image(&im, ET_EXEC);
    im.ph[0].p_vaddr = 0; /* the null page stays unmapped */
    EXPECT_ERROR(&im, "segment 0 at 0x0 (+0x1000 bytes) is outside the guest address space");
}

static void test_real_program(void **state)
{
    (void)state;
    const char *path = getenv("USER_TEST_ELF");
    if (!path)
        skip();
    reset_memory();
    struct elf_image out;
    char err[256] = "";
    assert_int_equal(elf_load_file(path, &mem, &out, err, sizeof(err)), 0);
    assert_true(guest_page_flags(&mem, out.entry) & GUEST_PROT_EXEC);
    assert_true(out.phdr_addr != 0);
    assert_true(out.brk_start > out.entry);
}

static void test_file_errors(void **state)
{
    (void)state;
    struct elf_image out;
    char err[256] = "";
    assert_int_equal(elf_load_file("/nonexistent/program", &mem, &out, err, sizeof(err)), -1);
    assert_string_equal(err, "cannot open: No such file or directory");
    assert_int_equal(elf_load_file("/", &mem, &out, err, sizeof(err)), -1);
    assert_string_equal(err, "not a regular file");
    assert_int_equal(elf_load_file("/dev/null", &mem, &out, err, sizeof(err)), -1);
    assert_string_equal(err, "not a regular file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_static_executable),
        cmocka_unit_test(test_loads_static_pie_with_bias),
        cmocka_unit_test(test_shared_page_gets_union_of_permissions),
        cmocka_unit_test(test_rejects_wrong_machine),
        cmocka_unit_test(test_rejects_dynamic_and_odd_types),
        cmocka_unit_test(test_rejects_truncated_and_corrupt),
        cmocka_unit_test(test_rejects_segments_outside_guest_space),
        cmocka_unit_test(test_real_program),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
