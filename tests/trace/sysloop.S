// A bare-metal AArch64 program for the QEMU plugin test in system mode (qemu-system-aarch64
// -M virt -semihosting -kernel): 1 + 1000 * 2 + 3 = 2004 instructions, then the semihosting
// SYS_EXIT call (hlt #0xf000 with w0 = 0x18 and x1 -> {ADP_Stopped_ApplicationExit, 0})
// ends QEMU. Linked at 0x40080000, in the virt board's RAM.
    .text
    .globl _start
_start:
    mov     x0, #1000
loop:
    subs    x0, x0, #1
    b.ne    loop
    adr     x1, block
    mov     w0, #0x18
    hlt     #0xf000
    b       .
    .balign 8
block:
    .quad   0x20026, 0
