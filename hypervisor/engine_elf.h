/* Loading the engine ELF: read the file, validate it completely (class, machine, type,
 * segment placement inside the engine region, overlaps, offsets), copy its segments
 * into VM memory and collect its symbols. Needs no KVM, so tests drive it directly. */
#ifndef FERRY_ENGINE_ELF_H
#define FERRY_ENGINE_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "hypervisor/symbols.h"

#define ENGINE_ELF_MAX_SEGMENTS 16
#define ENGINE_ELF_MAX_FILE_SIZE (256u << 20)

struct engine_segment {
    uint64_t vaddr, memsz;   /* virtual range in the engine image mapping */
    uint64_t offset, filesz; /* file bytes copied to the start of the range */
    uint32_t flags;          /* PF_R, PF_W, PF_X */
};

struct engine_elf {
    uint8_t *file;
    size_t file_size;
    uint64_t entry;
    size_t segment_count;
    struct engine_segment segments[ENGINE_ELF_MAX_SEGMENTS];
    uint64_t image_phys_end;     /* VM-physical end of the last segment, page aligned */
    struct symbol_table symbols; /* may be empty (stripped file) */
};

/* Reads and validates path; segments must lie in VM-physical
 * [FERRY_ENGINE_PHYS, mem_end) through the FERRY_IMAGE_BASE mapping. Returns 0, or -1
 * with one line (no newline, not naming the file) in err. */
int engine_elf_open(const char *path, uint64_t mem_end, struct engine_elf *elf, char *err,
                    size_t err_size);
/* Copies every segment to vm_phys_base + its VM-physical address and zeroes the
 * rest of its memory size. vm_phys_base must cover [0, mem_end) given to open. */
void engine_elf_load(const struct engine_elf *elf, uint8_t *vm_phys_base);
void engine_elf_close(struct engine_elf *elf);

/* VM-physical address of an image virtual address (no range check). */
static inline uint64_t engine_image_virt_to_phys(uint64_t vaddr)
{
    return vaddr - 0xffffffff80000000ull;
}

#endif
