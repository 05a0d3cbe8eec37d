// A deterministic AArch64 Linux program of known length for the QEMU plugin test:
// 1 + 1 + 1000 * 4 + 3 = 4005 instructions, 1000 loads and 1000 stores, then exit(0).
    .text
    .globl _start
_start:
    mov     x0, #1000
    sub     sp, sp, #16
loop:
    ldr     x2, [sp]
    str     x2, [sp, #8]
    subs    x0, x0, #1
    b.ne    loop
    mov     x0, #0
    mov     x8, #93
    svc     #0
