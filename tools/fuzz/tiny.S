// A tiny static AArch64 program without libc: the ELF campaign's quickest valid seed
// (writes "tiny ok" and a byte of its .data and .bss, exits 3).
        .text
        .globl  _start
_start: adrp    x1, msg
        add     x1, x1, :lo12:msg
        adrp    x2, zero
        ldrb    w3, [x2, :lo12:zero]
        add     w3, w3, #'0'
        strb    w3, [x1, #8]
        mov     x0, #1
        mov     x2, #10
        mov     x8, #64
        svc     #0
        mov     x0, #3
        mov     x8, #93
        svc     #0
        .data
msg:    .ascii  "tiny ok  \n"
        .bss
zero:   .skip   4096
