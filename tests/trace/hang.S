// A static AArch64 Linux program that never ends, for the test of a recording stopped by a
// signal (tests/trace/interrupt.sh): without arguments it counts in a loop of translated
// code forever; with any argument it blocks in read(0) (stdin a pipe nobody writes to).
    .text
    .globl _start
_start:
    ldr     x0, [sp]                // argc
    cmp     x0, #1
    b.ne    block
spin:                               // a load, so replay traces are cut into chunks
    ldr     x2, [sp]
    add     x1, x1, x2
    b       spin
block:
    mov     x0, #0
    sub     sp, sp, #16
    mov     x1, sp
    mov     x2, #1
    mov     x8, #63                 // read
    svc     #0
    b       block
