// Issue 7 (9): a valid static program whose RW segment is all .bss (p_filesz 0, its
// p_offset past the end of the file, as GNU ld writes it for -nostdlib programs with
// only zeroed data): it must load, and the .bss must read as zero.
.globl _start
_start:
    adrp x1, zeros
    add x1, x1, :lo12:zeros
    ldr x0, [x1, #128]          // 0 if .bss is zeroed
    mov x2, #42
    str x2, [x1, #256]
    ldr x3, [x1, #256]
    sub x3, x3, #42
    orr x0, x0, x3              // exit status 0 when both hold
    mov x8, #93
    svc #0
    .bss
    .balign 4096
zeros:
    .zero 8192
