/* A guest that reports its entry state on the PL011, for comparing where QEMU's -kernel
 * puts each kind of kernel with where Ferry's loader does (tests/board/qemu_boot.sh).
 * Prints six lines of 16 hex digits: x0 at entry, the entry PC, the big-endian word at
 * the RAM base (0xd00dfeed when the DTB is there), CurrentEL, DAIF, x1; then powers off
 * through PSCI SYSTEM_OFF. It is also an arm64 Image: the 64-byte header below (the
 * magic can be left out with -DNO_MAGIC to make a raw binary). */
#ifndef TEXT_OFFSET
#define TEXT_OFFSET 0x80000
#endif
#ifndef IMAGE_SIZE
#define IMAGE_SIZE 0x10000
#endif
    .globl _start
_start:
    b       real                    /* code0 */
    .word   0                       /* code1 */
    .quad   TEXT_OFFSET
    .quad   IMAGE_SIZE
    .quad   2                       /* flags: little-endian, 4K pages */
    .quad   0, 0, 0
#ifdef NO_MAGIC
    .ascii  "none"
#else
    .ascii  "ARM\x64"
#endif
    .word   0
real:
    mov     x19, x0
    adr     x20, _start
    mov     x21, #0x40000000
    ldr     w21, [x21]
    rev     w21, w21
    mrs     x22, CurrentEL
    mrs     x23, DAIF
    mov     x24, x1
    mov     x0, x19
    bl      hex
    mov     x0, x20
    bl      hex
    mov     x0, x21
    bl      hex
    mov     x0, x22
    bl      hex
    mov     x0, x23
    bl      hex
    mov     x0, x24
    bl      hex
    movz    x0, #0x0008             /* PSCI SYSTEM_OFF */
    movk    x0, #0x8400, lsl #16
    hvc     #0
1:  b       1b

/* Writes x0 to the UART as 16 hex digits and a newline. */
hex:
    mov     x9, #0x09000000
    mov     x10, #60
2:  lsr     x11, x0, x10
    and     x11, x11, #0xf
    cmp     x11, #10
    add     x12, x11, #'0'
    add     x13, x11, #('a' - 10)
    csel    x11, x12, x13, lo
    strb    w11, [x9]
    subs    x10, x10, #4
    b.ge    2b
    mov     x11, #'\n'
    strb    w11, [x9]
    ret
