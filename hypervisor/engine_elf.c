/* The engine ELF loader (libelf). Every field of the file is distrusted: the checks
 * run before anything is copied, and each failure says what exactly is wrong. */
#include "hypervisor/engine_elf.h"
#include "hypervisor/error_text.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/abi.h"

_Static_assert(FERRY_IMAGE_BASE == 0xffffffff80000000ull, "engine_image_virt_to_phys");

static const char *machine_name(unsigned machine)
{
    switch (machine) {
    case EM_386: return "i386";
    case EM_ARM: return "ARM";
    case EM_AARCH64: return "AArch64";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC64";
    case EM_X86_64: return "x86-64";
    default: return "unknown";
    }
}

static int read_whole_file(const char *path, struct engine_elf *elf, char *err, size_t err_size)
{
    struct stat st;
    size_t done = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ferry_set_error(err, err_size, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ferry_set_error(err, err_size, "not a regular file");
        close(fd);
        return -1;
    }
    if (st.st_size == 0 || (uint64_t)st.st_size > ENGINE_ELF_MAX_FILE_SIZE) {
        ferry_set_error(err, err_size, st.st_size == 0 ? "file is empty"
                                                 : "file is larger than 256 MiB");
        close(fd);
        return -1;
    }
    elf->file_size = (size_t)st.st_size;
    elf->file = malloc(elf->file_size);
    if (!elf->file) {
        ferry_set_error(err, err_size, "out of memory reading the file");
        close(fd);
        return -1;
    }
    while (done < elf->file_size) {
        ssize_t n = read(fd, elf->file + done, elf->file_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ferry_set_error(err, err_size, "read failed: %s", n < 0 ? strerror(errno) : "file shrank");
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    return 0;
}

/* The identification bytes, checked by hand so the common mistakes get precise words. */
static int check_ident(const struct engine_elf *elf, char *err, size_t err_size)
{
    const uint8_t *id = elf->file;
    if (elf->file_size < SELFMAG || memcmp(id, ELFMAG, SELFMAG) != 0) {
        ferry_set_error(err, err_size, "not an ELF file (bad magic)");
        return -1;
    }
    if (elf->file_size < EI_NIDENT) {
        ferry_set_error(err, err_size, "truncated ELF header (%zu bytes)", elf->file_size);
        return -1;
    }
    if (id[EI_CLASS] == ELFCLASS32) {
        ferry_set_error(err, err_size, "32-bit ELF; the engine must be a 64-bit x86-64 ELF");
        return -1;
    }
    if (id[EI_CLASS] != ELFCLASS64) {
        ferry_set_error(err, err_size, "corrupt ELF header: unknown class %u", id[EI_CLASS]);
        return -1;
    }
    if (id[EI_DATA] != ELFDATA2LSB) {
        ferry_set_error(err, err_size, "not a little-endian ELF; the engine must be x86-64");
        return -1;
    }
    if (id[EI_VERSION] != EV_CURRENT) {
        ferry_set_error(err, err_size, "corrupt ELF header: version %u", id[EI_VERSION]);
        return -1;
    }
    if (elf->file_size < sizeof(Elf64_Ehdr)) {
        ferry_set_error(err, err_size, "truncated ELF header (%zu of %zu bytes)", elf->file_size,
                  sizeof(Elf64_Ehdr));
        return -1;
    }
    return 0;
}

static int check_header(const Elf64_Ehdr *eh, size_t file_size, char *err, size_t err_size)
{
    if (eh->e_machine != EM_X86_64) {
        ferry_set_error(err, err_size, "ELF for machine %s (e_machine %u); the engine must be x86-64",
                  machine_name(eh->e_machine), eh->e_machine);
        return -1;
    }
    if (eh->e_type != ET_EXEC) {
        ferry_set_error(err, err_size, "ELF type %u is not an executable (ET_EXEC)", eh->e_type);
        return -1;
    }
    if (eh->e_ehsize < sizeof(Elf64_Ehdr) || eh->e_phentsize != sizeof(Elf64_Phdr)) {
        ferry_set_error(err, err_size, "corrupt ELF header (header size %u, program header size %u)",
                  eh->e_ehsize, eh->e_phentsize);
        return -1;
    }
    if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM) {
        ferry_set_error(err, err_size, "no program headers (%u)", eh->e_phnum);
        return -1;
    }
    if (eh->e_phoff > file_size ||
        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > file_size - eh->e_phoff) {
        ferry_set_error(err, err_size,
                  "program headers [0x%llx, +%u entries) lie outside the file (%zu bytes; truncated?)",
                  (unsigned long long)eh->e_phoff, eh->e_phnum, file_size);
        return -1;
    }
    return 0;
}

static int check_segment(const GElf_Phdr *ph, size_t index, uint64_t mem_end, size_t file_size,
                         char *err, size_t err_size)
{
    const uint64_t low = FERRY_IMAGE_BASE + FERRY_ENGINE_PHYS;
    const uint64_t high = FERRY_IMAGE_BASE + mem_end;
    if (ph->p_filesz > ph->p_memsz) {
        ferry_set_error(err, err_size, "segment %zu: file size 0x%llx exceeds memory size 0x%llx",
                  index, (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
        return -1;
    }
    if (ph->p_vaddr < low || ph->p_vaddr > high || ph->p_memsz > high - ph->p_vaddr) {
        ferry_set_error(err, err_size,
                  "segment %zu [0x%llx, +0x%llx) lies outside the engine region [0x%llx, 0x%llx)",
                  index, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz,
                  (unsigned long long)low, (unsigned long long)high);
        return -1;
    }
    if (ph->p_offset > file_size || ph->p_filesz > file_size - ph->p_offset) {
        ferry_set_error(err, err_size,
                  "segment %zu: file data [0x%llx, +0x%llx) lies outside the file (%zu bytes; truncated?)",
                  index, (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
                  file_size);
        return -1;
    }
    return 0;
}

static int compare_segments(const void *a, const void *b)
{
    const struct engine_segment *x = a, *y = b;
    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* Symbols are a convenience for fatal reports: a file without a usable symbol table
 * still loads, its backtraces just show bare addresses. */
static void collect_symbols(Elf *e, struct engine_elf *elf)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        Elf_Data *data;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        data = elf_getdata(scn, NULL);
        if (!data)
            continue;
        for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Sym sym;
            const char *name;
            unsigned type;
            if (!gelf_getsym(data, (int)i, &sym))
                break;
            type = GELF_ST_TYPE(sym.st_info);
            if ((type != STT_FUNC && type != STT_NOTYPE) || sym.st_shndx == SHN_UNDEF ||
                sym.st_shndx >= SHN_LORESERVE || sym.st_value < FERRY_IMAGE_BASE)
                continue;
            name = elf_strptr(e, sh.sh_link, sym.st_name);
            if (!name || !*name || name[0] == '.')
                continue;
            if (!symbol_table_add(&elf->symbols, name, sym.st_value, sym.st_size))
                break;
        }
    }
    symbol_table_finish(&elf->symbols);
}

int engine_elf_open(const char *path, uint64_t mem_end, struct engine_elf *elf, char *err,
                    size_t err_size)
{
    Elf *e = NULL;
    Elf64_Ehdr *eh;
    bool entry_ok = false;
    *elf = (struct engine_elf){ 0 };
    if (mem_end > FERRY_ENGINE_PHYS_END)
        mem_end = FERRY_ENGINE_PHYS_END;
    if (read_whole_file(path, elf, err, err_size) != 0 || check_ident(elf, err, err_size) != 0)
        goto fail;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        ferry_set_error(err, err_size, "libelf is out of date");
        goto fail;
    }
    e = elf_memory((char *)elf->file, elf->file_size);
    if (!e || elf_kind(e) != ELF_K_ELF || !(eh = elf64_getehdr(e))) {
        ferry_set_error(err, err_size, "corrupt ELF header: %s", elf_errmsg(-1));
        goto fail;
    }
    if (check_header(eh, elf->file_size, err, err_size) != 0)
        goto fail;
    for (size_t i = 0; i < eh->e_phnum; i++) {
        GElf_Phdr ph;
        struct engine_segment *seg;
        if (!gelf_getphdr(e, (int)i, &ph)) {
            ferry_set_error(err, err_size, "program header %zu unreadable: %s", i, elf_errmsg(-1));
            goto fail;
        }
        if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC) {
            ferry_set_error(err, err_size, "segment %zu: dynamic linking is not supported", i);
            goto fail;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (check_segment(&ph, i, mem_end, elf->file_size, err, err_size) != 0)
            goto fail;
        if (elf->segment_count == ENGINE_ELF_MAX_SEGMENTS) {
            ferry_set_error(err, err_size, "more than %d loadable segments", ENGINE_ELF_MAX_SEGMENTS);
            goto fail;
        }
        seg = &elf->segments[elf->segment_count++];
        *seg = (struct engine_segment){ ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz,
                                        ph.p_flags };
    }
    if (elf->segment_count == 0) {
        ferry_set_error(err, err_size, "no loadable segments");
        goto fail;
    }
    qsort(elf->segments, elf->segment_count, sizeof elf->segments[0], compare_segments);
    for (size_t i = 0; i + 1 < elf->segment_count; i++) {
        const struct engine_segment *a = &elf->segments[i], *b = &elf->segments[i + 1];
        if (b->vaddr < a->vaddr + a->memsz) {
            ferry_set_error(err, err_size,
                      "overlapping segments [0x%llx, 0x%llx) and [0x%llx, 0x%llx)",
                      (unsigned long long)a->vaddr, (unsigned long long)(a->vaddr + a->memsz),
                      (unsigned long long)b->vaddr, (unsigned long long)(b->vaddr + b->memsz));
            goto fail;
        }
    }
    for (size_t i = 0; i < elf->segment_count; i++) {
        const struct engine_segment *s = &elf->segments[i];
        if ((s->flags & PF_X) && eh->e_entry >= s->vaddr && eh->e_entry - s->vaddr < s->memsz)
            entry_ok = true;
    }
    if (!entry_ok) {
        ferry_set_error(err, err_size, "entry point 0x%llx is not in an executable segment",
                  (unsigned long long)eh->e_entry);
        goto fail;
    }
    elf->entry = eh->e_entry;
    {
        const struct engine_segment *last = &elf->segments[elf->segment_count - 1];
        uint64_t end = engine_image_virt_to_phys(last->vaddr + last->memsz);
        elf->image_phys_end = (end + 0xfff) & ~0xfffull;
    }
    collect_symbols(e, elf);
    elf_end(e);
    return 0;
fail:
    if (e)
        elf_end(e);
    engine_elf_close(elf);
    return -1;
}

void engine_elf_load(const struct engine_elf *elf, uint8_t *vm_phys_base)
{
    for (size_t i = 0; i < elf->segment_count; i++) {
        const struct engine_segment *s = &elf->segments[i];
        uint8_t *dst = vm_phys_base + engine_image_virt_to_phys(s->vaddr);
        memcpy(dst, elf->file + s->offset, s->filesz);
        memset(dst + s->filesz, 0, s->memsz - s->filesz);
    }
}

void engine_elf_close(struct engine_elf *elf)
{
    free(elf->file);
    symbol_table_free(&elf->symbols);
    *elf = (struct engine_elf){ 0 };
}
