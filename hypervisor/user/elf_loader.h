/* Loads a static AArch64 Linux executable (ET_EXEC, or static-pie ET_DYN without an
 * interpreter) into the guest address space. Every header field is distrusted: a
 * malformed file gives a one-line error, never a host fault. */
#ifndef FERRY_USER_ELF_LOADER_H
#define FERRY_USER_ELF_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "hypervisor/user/guest_memory.h"

/* Where a position-independent (ET_DYN) executable is placed. */
#define ELF_PIE_LOAD_BIAS 0x200000000ull

struct elf_image {
    uint64_t entry;        /* guest PC to start at */
    uint64_t phdr_addr;    /* guest address of the program headers (AT_PHDR), 0 if unmapped */
    uint32_t phnum;
    uint32_t phentsize;
    uint64_t load_bias;    /* 0 for ET_EXEC */
    uint64_t image_start;  /* lowest mapped guest address */
    uint64_t brk_start;    /* first page after the highest segment: the heap starts here */
};

/* Validates and loads the ELF in buf[0, size). On failure returns -1 and writes a
 * one-line reason (no program name, no newline) into err. */
int elf_load_buffer(const uint8_t *buf, size_t size, struct guest_memory *m,
                    struct elf_image *out, char *err, size_t err_size);

/* Reads the file at path and loads it as above; err also covers I/O failures. */
int elf_load_file(const char *path, struct guest_memory *m, struct elf_image *out,
                  char *err, size_t err_size);

#endif
