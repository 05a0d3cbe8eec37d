// The instruction-stream harness of the differential fuzzer (see docs/fuzzing.md).
// A static AArch64 program without libc. ferry-fuzz patches three symbols of a copy
// of it per batch: fuzz_nstreams (how many slots are used), fuzz_inits (one initial
// state per stream) and fuzz_slots (one 160-byte slot of code per stream).
//
// For each stream k (argv[1], if given, is a string with one character per stream:
// '1' runs it, anything else skips it) the main loop loads NZCV, FPCR, FPSR,
// TPIDR_EL0, SP, V0-V31 and X0-X29 from fuzz_inits[k], clears the exclusive monitor
// (CLREX: Ferry keeps it across signal delivery and sigreturn, qemu does not, so
// without it a stream's STXR would depend on the streams before) and branches to slot k, whose
// first instruction loads X30 from a literal in the slot. The stream follows, then a
// BRK. Every stream therefore ends in a signal (SIGTRAP from the final BRK, or the
// SIGSEGV/SIGBUS/SIGILL/SIGTRAP/SIGFPE it raised itself); the handler, on an
// alternate stack, copies the signal number, si_code, fault address, PC, X0-X30, SP,
// NZCV and the FP/SIMD record of the signal frame into `rec`, and points the frame's
// PC at `resume` and its SP at the harness stack. resume hashes the data region
// (and refills it with its fixed pattern), writes the record to stdout and goes on
// with the next stream.
//
// Record layout (REC_SIZE bytes, little endian), mirrored by struct rec in
// tools/fuzz/insn.c:
//   0 u32 index   4 u32 signo   8 si_code   16 fault address   24 pc
//   32 x0..x30    280 sp   288 nzcv   296 fpsr   304 fpcr   312 tpidr_el0
//   320 memory hash   328 v0..v31 (16 bytes each)
        .equ DATA_BASE, 0x10000000
        .equ DATA_SIZE, 0x4000
        .equ MAX_STREAMS, 256
        .equ SLOT_BYTES, 160
        .equ INIT_SIZE, 816
        .equ REC_SIZE, 840
// The harness's own writable state lives in a mapping of its own at 32 GiB: beyond
// the reach of ADR/ADRP from the code (+-4 GiB), so a stream that stores through a
// PC-relative address cannot corrupt it. The initial states (.data) are made
// read-only once set up, for the same reason.
        .equ STATE_BASE, 0x800000000
        .equ STATE_SIZE, 0x11000
        .equ ST_HSTACK, 0
        .equ ST_SKIP, 8
        .equ ST_INDEX, 16
        .equ ST_REC, 64
        .equ ST_ALT, 0x1000
        .equ ALT_SIZE, 0x10000
        .macro  state reg
        movz    \reg, #(STATE_BASE >> 32), lsl #32
        .endm

        .text
        .globl _start
_start:
        state   x0                              // map the state region
        movz    x1, #(STATE_SIZE >> 16), lsl #16
        movk    x1, #(STATE_SIZE & 0xffff)
        mov     x2, #3
        mov     x3, #0x32                       // MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222
        svc     #0
        state   x1
        mov     x0, sp
        str     x0, [x1, #ST_HSTACK]
        ldr     x2, [sp]                        // argc
        mov     x3, #0
        cmp     x2, #1
        b.le    1f
        ldr     x3, [sp, #16]                   // argv[1]
1:      str     x3, [x1, #ST_SKIP]

        mov     x0, #DATA_BASE                  // mmap the data region
        mov     x1, #DATA_SIZE
        mov     x2, #3
        mov     x3, #0x32
        mov     x4, #-1
        mov     x5, #0
        mov     x8, #222
        svc     #0

        adrp    x0, altstack_desc               // sigaltstack
        add     x0, x0, :lo12:altstack_desc
        state   x1
        add     x1, x1, #ST_ALT
        str     x1, [x0]
        mov     x1, #0
        mov     x8, #132
        svc     #0

        adrp    x19, sigs
        add     x19, x19, :lo12:sigs
2:      ldrb    w0, [x19], #1
        cbz     w0, 3f
        adrp    x1, act
        add     x1, x1, :lo12:act
        adr     x2, handler
        str     x2, [x1]
        adr     x2, restorer
        str     x2, [x1, #16]
        mov     x2, #0
        mov     x3, #8
        mov     x8, #134                        // rt_sigaction
        svc     #0
        b       2b
3:      adrp    x0, data_start                  // the initial states become read-only
        adrp    x1, data_end
        add     x1, x1, #4095
        and     x1, x1, #~4095
        sub     x1, x1, x0
        mov     x2, #1                          // PROT_READ
        mov     x8, #226                        // mprotect
        svc     #0
        bl      memhash

loop:   state   x9
        ldr     x20, [x9, #ST_INDEX]
        adrp    x10, fuzz_nstreams
        ldr     x21, [x10, :lo12:fuzz_nstreams]
        cmp     x20, x21
        b.hs    done
        ldr     x22, [x9, #ST_SKIP]
        cbz     x22, run
        ldrb    w23, [x22, x20]
        cbz     w23, done                       // the string ends: skip the rest
        cmp     w23, #'1'
        b.eq    run
        add     x20, x20, #1
        str     x20, [x9, #ST_INDEX]
        b       loop

run:    state   x3
        add     x3, x3, #ST_REC
        str     w20, [x3]
        mov     w4, #0xffffffff                 // signo: no handler ran (overwritten)
        str     w4, [x3, #4]
        adrp    x30, fuzz_inits
        add     x30, x30, :lo12:fuzz_inits
        mov     x9, #INIT_SIZE
        madd    x30, x20, x9, x30
        ldr     x0, [x30, #256]
        msr     nzcv, x0
        ldr     x0, [x30, #264]
        msr     fpcr, x0
        ldr     x0, [x30, #272]
        msr     fpsr, x0
        ldr     x0, [x30, #280]
        msr     tpidr_el0, x0
        ldr     x0, [x30, #248]
        mov     sp, x0
        add     x0, x30, #304
        ld1     {v0.16b-v3.16b}, [x0], #64
        ld1     {v4.16b-v7.16b}, [x0], #64
        ld1     {v8.16b-v11.16b}, [x0], #64
        ld1     {v12.16b-v15.16b}, [x0], #64
        ld1     {v16.16b-v19.16b}, [x0], #64
        ld1     {v20.16b-v23.16b}, [x0], #64
        ld1     {v24.16b-v27.16b}, [x0], #64
        ld1     {v28.16b-v31.16b}, [x0], #64
        ldp     x0, x1, [x30, #0]
        ldp     x2, x3, [x30, #16]
        ldp     x4, x5, [x30, #32]
        ldp     x6, x7, [x30, #48]
        ldp     x8, x9, [x30, #64]
        ldp     x10, x11, [x30, #80]
        ldp     x12, x13, [x30, #96]
        ldp     x14, x15, [x30, #112]
        ldp     x16, x17, [x30, #128]
        ldp     x18, x19, [x30, #144]
        ldp     x20, x21, [x30, #160]
        ldp     x22, x23, [x30, #176]
        ldp     x24, x25, [x30, #192]
        ldp     x26, x27, [x30, #208]
        ldp     x28, x29, [x30, #224]
        ldr     x30, [x30, #288]                // the slot's address
        clrex                                   // no exclusive state from earlier streams
        br      x30

resume: bl      memhash                         // sp is already the harness stack
        state   x1
        add     x1, x1, #ST_REC
        str     x0, [x1, #320]
        mov     x0, #1
        mov     x2, #REC_SIZE
        mov     x8, #64                         // write
        svc     #0
        state   x9
        ldr     x20, [x9, #ST_INDEX]
        add     x20, x20, #1
        str     x20, [x9, #ST_INDEX]
        b       loop

done:   mov     x0, #0
        mov     x8, #94                         // exit_group
        svc     #0

// x0 = FNV-style hash of the data region; refills it with its fixed pattern
// (word i = (i + 1) * 0x9e3779b97f4a7c15). Uses x0-x12 only.
memhash:
        mov     x0, #DATA_BASE
        mov     x1, #(DATA_SIZE / 16)
        movz    x2, #0x2325
        movk    x2, #0x8422, lsl #16
        movk    x2, #0x9ce4, lsl #32
        movk    x2, #0xcbf2, lsl #48
        movz    x9, #0x01b3
        movk    x9, #0x0100, lsl #32
        movz    x11, #0x7c15
        movk    x11, #0x7f4a, lsl #16
        movk    x11, #0x79b9, lsl #32
        movk    x11, #0x9e37, lsl #48
        mov     x10, x11
4:      ldp     x4, x5, [x0]
        eor     x2, x2, x4
        mul     x2, x2, x9
        eor     x2, x2, x5
        mul     x2, x2, x9
        add     x12, x10, x11
        stp     x10, x12, [x0], #16
        add     x10, x12, x11
        subs    x1, x1, #1
        b.ne    4b
        mov     x0, x2
        ret

// void handler(int sig, siginfo_t *info, ucontext_t *uc), on the alternate stack.
handler:
        state   x3
        add     x3, x3, #ST_REC
        str     w0, [x3, #4]
        ldrsw   x4, [x1, #8]
        str     x4, [x3, #8]
        ldr     x4, [x1, #16]
        str     x4, [x3, #16]
        ldr     x4, [x2, #440]
        str     x4, [x3, #24]
        add     x5, x2, #184                    // x0..x30, sp
        add     x6, x3, #32
        mov     x7, #32
5:      ldr     x4, [x5], #8
        str     x4, [x6], #8
        subs    x7, x7, #1
        b.ne    5b
        ldr     x4, [x2, #448]
        and     x4, x4, #0xf0000000
        str     x4, [x3, #288]
        ldr     w4, [x2, #464]                  // FPSIMD_MAGIC first in __reserved?
        movz    w5, #0x8001
        movk    w5, #0x4650, lsl #16
        cmp     w4, w5
        b.ne    7f
        ldr     w4, [x2, #472]
        str     x4, [x3, #296]
        ldr     w4, [x2, #476]
        str     x4, [x3, #304]
        add     x5, x2, #480
        add     x6, x3, #328
        mov     x7, #64
6:      ldr     x4, [x5], #8
        str     x4, [x6], #8
        subs    x7, x7, #1
        b.ne    6b
        b       8f
7:      mov     x4, #-1
        str     x4, [x3, #296]
        str     x4, [x3, #304]
8:      mrs     x4, tpidr_el0
        str     x4, [x3, #312]
        adr     x4, resume
        str     x4, [x2, #440]
        state   x4
        ldr     x4, [x4, #ST_HSTACK]
        str     x4, [x2, #432]
        ret

restorer:
        mov     x8, #139                        // rt_sigreturn
        svc     #0

// One slot per stream: LDR X30 from the slot's literal, the stream (up to 31 words,
// then the final BRK), BRK padding, the literal.
        .macro  slot
        ldr     x30, 9f
        .rept   35
        brk     #0xdead
        .endr
9:      .quad   0
        brk     #0xdead
        brk     #0xdead
        .endm

        .balign 4096
        .globl  fuzz_slots
fuzz_slots:
        .rept   MAX_STREAMS
        slot
        .endr

        .data
        .balign 4096
data_start:
        .globl  fuzz_nstreams
fuzz_nstreams:
        .quad   0
sigs:   .byte   4, 5, 7, 8, 11, 0                // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV
        .balign 8
act:    .quad   0                               // sa_handler
        .quad   0x0c000004                      // SA_ONSTACK|SA_RESTORER|SA_SIGINFO
        .quad   0                               // sa_restorer
        .quad   0                               // sa_mask
altstack_desc:
        .quad   0                               // ss_sp
        .quad   0                               // ss_flags
        .quad   ALT_SIZE                        // ss_size
        .balign 16
        .globl  fuzz_inits
fuzz_inits:
        .skip   MAX_STREAMS * INIT_SIZE
// End the segment on a page boundary: past p_filesz in the last page Linux and qemu
// show the file's next bytes (here: the symbol table), Ferry zeroes them.
        .balign 4096
data_end:

