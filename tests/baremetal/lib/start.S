/* Entry point, exception vectors and the EL0 trampolines of the bare-metal runtime.
 * Entered at EL1h with the MMU off (as QEMU's -kernel and Ferry's run enter an ELF). */
#define FRAME_SIZE 288

    .section .text.boot, "ax"
    .global _start
_start:
    msr     daifset, #0xf
    mov     x19, x0                 /* DTB address, kept for main */
    /* A known SCTLR_EL1 (its reset value is partly UNKNOWN): MMU, caches, alignment
     * checks off, every EL0 trap enabled (nTWI/nTWE/UCT/DZE/UMA/UCI = 0). */
    ldr     x1, =((1 << 11) | (1 << 20) | (1 << 22) | (1 << 23) | (1 << 28) | (1 << 29))
    msr     sctlr_el1, x1
    msr     cntkctl_el1, xzr
    /* FP/SIMD not trapped: the tests are built without FP, the minikernel's program
     * is not. */
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    isb
    ldr     x1, =__stack_top
    mov     sp, x1
    msr     spsel, #1
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  ldr     x1, =vectors
    msr     vbar_el1, x1
    isb
    ldr     x1, =boot_dtb
    str     x19, [x1]
    bl      main
    bl      psci_off
3:  b       3b
    .ltorg

/* HVC with x0..x3 (the PSCI calling convention: result in x0). */
    .text
    .global hvc_call
hvc_call:
    hvc     #0
    ret

/* ---- vectors: 16 entries, each saves x0/x1, passes its index to exc_common -------- */
    .macro ventry idx
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\idx
    b       exc_common
    .endm

    .balign 2048
    .global vectors
vectors:
    ventry 0
    ventry 1
    ventry 2
    ventry 3
    ventry 4
    ventry 5
    ventry 6
    ventry 7
    ventry 8
    ventry 9
    ventry 10
    ventry 11
    ventry 12
    ventry 13
    ventry 14
    ventry 15

/* The full frame (struct exc_frame in rt.h), then exc_dispatch(frame, index); the
 * handler may have changed any field, all of which are restored before ERET. */
exc_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x1, sp_el0
    stp     x30, x1, [sp, #240]
    mrs     x1, elr_el1
    mrs     x2, spsr_el1
    stp     x1, x2, [sp, #256]
    mrs     x1, esr_el1
    mrs     x2, far_el1
    stp     x1, x2, [sp, #272]
    mov     x1, x0
    mov     x0, sp
    bl      exc_dispatch
    ldp     x1, x2, [sp, #256]
    msr     elr_el1, x1
    msr     spsr_el1, x2
    ldp     x30, x1, [sp, #240]
    msr     sp_el0, x1
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldp     x0, x1, [sp, #0]
    add     sp, sp, #FRAME_SIZE
    eret

/* run_el0(fn, arg, sp, daif): callee-saved registers and DAIF on the EL1 stack, then
 * ERET to fn at EL0t. el0_exit's SVC #0xfff makes exc_dispatch resume at el0_return
 * (EL1h, x0 = the value), which unwinds back to run_el0's caller. */
    .global run_el0
run_el0:
    sub     sp, sp, #112
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    mrs     x4, daif
    str     x4, [sp, #96]
    ldr     x4, =el0_saved_sp
    mov     x5, sp
    str     x5, [x4]
    msr     elr_el1, x0
    and     x3, x3, #0x3c0
    msr     spsr_el1, x3
    msr     sp_el0, x2
    mov     x0, x1
    mov     x30, xzr
    mov     x29, xzr
    eret

    .global el0_return
el0_return:
    ldr     x4, =el0_saved_sp
    ldr     x5, [x4]
    mov     sp, x5
    ldr     x4, [sp, #96]
    msr     daif, x4
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #112
    ret
    .ltorg

    .bss
    .balign 8
el0_saved_sp: .quad 0
    .global boot_dtb
boot_dtb: .quad 0
