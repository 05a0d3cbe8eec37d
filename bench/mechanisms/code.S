/* Guest code of the mechanism benchmark (mechanisms.c) that must have an exact shape:
 * the block-dispatch, direct-branch and indirect-branch loops, and the EL0 SVC loop.
 * Each loop body holds BLOCKS operations so that the loop's own branch is a small
 * share of the time; x0 = iterations in, operations counted in x1 out. */
#define BLOCKS 64

    .text
    .balign 4

/* dispatch: BLOCKS two-instruction blocks, each ending in a CBZ that is never taken,
 * so every block falls through to the next one in the same page. */
    .global mech_blocks
mech_blocks:
    mov     x1, #0
    mov     x3, #1
1:
    .rept BLOCKS
    add     x1, x1, #1
    cbz     x3, 9f
    .endr
    subs    x0, x0, #1
    b.ne    1b
9:  mov     x0, x1
    ret

/* direct: a chain of BLOCKS unconditional B instructions, each block in its own 4 KB
 * page, so every branch leaves the page it is in (a translator that chains blocks
 * only within a page pays a lookup for each). Block n sits at offset 64 * n in its
 * page: code at one offset in every page would alias in any cache indexed by low PC
 * bits, which real code does not do. */
    .altmacro
    .macro direct_block n
    .balign 4096
    .if \n
    .skip   64 * \n
    .endif
1:  add     x1, x1, #1
    b       1f
    .endm

    .balign 4096
    .global mech_direct
mech_direct:
    mov     x1, #0
    b       2f
    .balign 4096
2:
    .set    i, 0
    .rept BLOCKS
    direct_block %i
    .set    i, i + 1
    .endr
1:  subs    x0, x0, #1
    b.ne    2b
    mov     x0, x1
    ret

/* indirect: BLOCKS blocks in their own pages (at staggered offsets, as above), each
 * loading the next block's address from a table and branching to it with BR; the
 * table's last entry is the loop tail. */
    .macro ind_block n
    .balign 4096
    .if \n
    .skip   64 * \n
    .endif
ind_\n:
    add     x1, x1, #1
    ldr     x2, [x4], #8
    br      x2
    .endm
    .macro ind_entry n
    .quad   ind_\n
    .endm

    .balign 4096
    .global mech_indirect
mech_indirect:
    mov     x1, #0
    ldr     x5, =ind_table
1:  mov     x4, x5
    ldr     x2, [x4], #8
    br      x2
ind_tail:
    subs    x0, x0, #1
    b.ne    1b
    mov     x0, x1
    ret
    .ltorg
    .set    i, 0
    .rept BLOCKS
    ind_block %i
    .set    i, i + 1
    .endr

    .section .rodata
    .balign 8
ind_table:
    .set    i, 0
    .rept BLOCKS
    ind_entry %i
    .set    i, i + 1
    .endr
    .quad   ind_tail
    .noaltmacro

/* EL0 code (run through run_el0, x0 = count): SVC #1 that many times, then the EL0
 * exit with x0 = the number of SVCs that returned. */
    .text
    .balign 4
    .global u_svc_loop
u_svc_loop:
    mov     x19, x0
    mov     x20, #0
1:  svc     #1
    add     x20, x20, #1
    subs    x19, x19, #1
    b.ne    1b
    mov     x0, x20
    svc     #0xfff
