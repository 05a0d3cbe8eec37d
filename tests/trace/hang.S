// A static AArch64 Linux program that never ends, for the test of a recording stopped by a
// signal (tests/trace/interrupt.sh). Without arguments it counts in a loop of two
// translated blocks chained to each other, forever; with the argument "self", in a loop
// of one block jumping to itself (a translated self-loop); with any other argument it
// blocks in read(0) (stdin a pipe nobody writes to). The loops load, so that replay
// traces are cut into chunks.
    .text
    .globl _start
_start:
    ldr     x0, [sp]                // argc
    cmp     x0, #1
    b.eq    spin
    ldr     x3, [sp, #16]           // argv[1]
    ldrb    w4, [x3]
    cmp     w4, #'s'
    b.eq    self
block:
    mov     x0, #0
    sub     sp, sp, #16
    mov     x1, sp
    mov     x2, #1
    mov     x8, #63                 // read
    svc     #0
    b       block
spin:
    ldr     x2, [sp]
    add     x1, x1, x2
    b       spin2
spin2:
    add     x1, x1, #1
    b       spin
self:
    ldr     x2, [sp]
    add     x1, x1, x2
    b       self
