/* Engine entry point. The host enters here in 64-bit mode with interrupts off, RSP = 0
 * and RDI = the boot information block (through the direct map). Set up a stack and a
 * terminating frame for backtraces, then run C. */
    .section .text.entry, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp          /* frame-pointer chain ends here */
    pushq $0                 /* null return address: the outermost frame */
    pushq $0
    movq %rsp, %rbp
    call engine_main         /* (struct ferry_boot_info *) in %rdi; does not return */
1:  ud2                      /* reported as a fatal #UD if it ever does */
    jmp 1b
    .size _start, . - _start

/* Stacks. The page below each stack is left unmapped in the engine's page tables, so
 * an overflow faults instead of silently corrupting memory; the double-fault stack
 * (IST) lets that fault still be reported. */
    .section .bss.stacks, "aw", @nobits
    .balign 4096
    .globl boot_stack_guard, boot_stack_bottom, boot_stack_top
    .globl double_fault_stack_guard, double_fault_stack_bottom, double_fault_stack_top
boot_stack_guard:
    .skip 4096
boot_stack_bottom:
    .skip 65536
boot_stack_top:
double_fault_stack_guard:
    .skip 4096
double_fault_stack_bottom:
    .skip 16384
double_fault_stack_top:
    .section .note.GNU-stack, "", @progbits
