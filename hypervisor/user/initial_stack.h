/* The initial process stack of an AArch64 Linux program, laid out as the Linux kernel
 * builds it at exec: argc, argv pointers, NULL, envp pointers, NULL, the auxiliary
 * vector, and above them the strings, AT_RANDOM bytes and platform name. */
#ifndef FERRY_USER_INITIAL_STACK_H
#define FERRY_USER_INITIAL_STACK_H

#include <stdint.h>
#include "hypervisor/user/elf_loader.h"
#include "hypervisor/user/guest_memory.h"

struct initial_stack_info {
    int argc;
    const char *const *argv;
    int envc;
    const char *const *envp;
    const char *execfn;          /* AT_EXECFN string (the program path as given) */
    const struct elf_image *image;
    uint64_t hwcap, hwcap2;
    uint8_t random[16];          /* AT_RANDOM bytes */
    uint32_t uid, euid, gid, egid;
};

/* Writes the initial stack below stack_top (which must be mapped writable down to
 * stack_bottom) and returns the 16-byte aligned initial SP in *sp_out. Returns 0, or
 * -E2BIG when the arguments do not fit, or -EFAULT when the stack is not mapped. */
int initial_stack_build(struct guest_memory *m, uint64_t stack_bottom, uint64_t stack_top,
                        const struct initial_stack_info *info, uint64_t *sp_out);

#endif
