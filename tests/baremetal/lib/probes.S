/* One-instruction probes the fault tests call: each label is the probing instruction
 * itself, so a test checks ELR against the probe's address. p_* run at EL1 and return;
 * u_* run at EL0 through run_el0 and end with the EL0 exit (x0 = 7 if they get there,
 * so a resumed probe is told apart from one that never ran). */
    .text
    .balign 4
    .macro probe name, insn:vararg
    .global \name
\name:
    \insn
    .endm

    probe p_ldr, ldr x0, [x0]
    ret
    probe p_str, str x1, [x0]
    ret
    probe p_ldtr, ldtr x0, [x0]
    ret
    probe p_sttr, sttr x1, [x0]
    ret
    probe p_dc_civac, dc civac, x0
    ret
    probe p_call, br x0          /* the callee returns to p_call's caller (x30) */

    probe u_ldr, ldr x1, [x0]
    mov     x0, #7
    svc     #0xfff
    probe u_str, str x0, [x0]     /* stores its own address */
    mov     x0, #7
    svc     #0xfff
    probe u_call, blr x0
    mov     x0, #7
    svc     #0xfff
    /* a position-independent function that can be copied or mapped anywhere */
    .balign 16
    .global p_ret42
p_ret42:
    mov     x0, #42
    ret
    .global p_ret42_end
p_ret42_end:
