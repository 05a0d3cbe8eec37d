/* x86 exception entry: 32 stubs of 16 bytes each (the IDT points at them) that push
 * a uniform frame (vector and error code, 0 where the CPU pushes none), then the
 * common path saves every general-purpose register, calls
 * exception_dispatch(struct exception_frame *) (exceptions.c) and returns with iretq
 * when the handler has fixed the cause. The frame layout is struct exception_frame. */

    .macro exception_stub vector
    .balign 16
    .if ((\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30))
    pushq $\vector
    .else
    pushq $0
    pushq $\vector
    .endif
    jmp exception_common
    .endm

    .text
    .balign 16
    .globl exception_stubs
exception_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    exception_stub \v
    .endr
    .size exception_stubs, . - exception_stubs

    .type exception_common, @function
exception_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    /* The CPU aligned RSP to 16 before pushing its frame; 7 + 15 quadwords later it is
     * 16-aligned again, as the C ABI wants at the call. */
    call exception_dispatch
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp           /* vector and error code */
    iretq
    .size exception_common, . - exception_common
    .section .note.GNU-stack, "", @progbits
