// Issue 7 (7): a PT_LOAD with a 16 GiB p_memsz (a huge .bss) loads in one step, not
// page by page; the program touches both ends of it and exits 0.
.globl _start
_start:
    adrp x1, huge
    add x1, x1, :lo12:huge
    mov x2, #7
    str x2, [x1]
    mov x3, #0x400000000
    sub x3, x3, #8
    add x4, x1, x3
    str x2, [x4]
    ldr x5, [x4]
    sub x0, x5, #7
    mov x8, #93
    svc #0
    .bss
    .balign 4096
huge:
    .zero 0x400000000
