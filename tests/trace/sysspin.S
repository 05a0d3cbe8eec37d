// A bare-metal AArch64 program that never ends (tests/trace/interrupt.sh: `ferry run
// --hosted --trace` stopped by a signal); its load makes a replay trace's chunks short.
// Linked at 0x40080000, in the virt board's RAM.
    .text
    .globl _start
_start:
    ldr     x2, one
    add     x1, x1, x2
    b       _start
    .balign 8
one:
    .quad   1
