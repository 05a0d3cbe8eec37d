/* The static AArch64 Linux program the minikernel runs, embedded in its image
 * (USER_ELF is its path, given by the build). */
    .section .rodata.user_elf, "a"
    .balign 16
    .global user_elf_start
user_elf_start:
    .incbin USER_ELF
    .global user_elf_end
user_elf_end:
