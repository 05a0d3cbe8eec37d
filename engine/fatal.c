/* Fatal reports to the host (see fatal.h). */
#include "fatal.h"
#include "console.h"
#include "cpu.h"
#include "hypercall.h"
#include <ferry/support.h>

static const char *const vector_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
    "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
    "#VE virtualisation", "#CP control protection", "reserved 22", "reserved 23",
    "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

/* 0: not reporting; 1: a report is being written; 2+: a fault hit the report path. */
static volatile uint32_t fatal_depth;
static volatile bool nested_fault_injected;

void fatal_inject_nested_fault(void)
{
    nested_fault_injected = true;
}

/* Same address as the deliberate crash: canonical, never mapped. */
#define NESTED_FAULT_ADDRESS 0x00000badc0de1000ull

struct stack_range {
    uint64_t bottom, top;
};

static bool frame_in_stack(uint64_t rbp, struct stack_range *which)
{
    const struct stack_range stacks[] = {
        { (uint64_t)(uintptr_t)boot_stack_bottom, (uint64_t)(uintptr_t)boot_stack_top },
        { (uint64_t)(uintptr_t)double_fault_stack_bottom, (uint64_t)(uintptr_t)double_fault_stack_top },
    };
    if (rbp & 7)
        return false;
    for (unsigned i = 0; i < sizeof stacks / sizeof stacks[0]; i++) {
        /* The frame's two words (saved rbp, return address) must both be inside. */
        if (rbp >= stacks[i].bottom && rbp <= stacks[i].top - 16) {
            *which = stacks[i];
            return true;
        }
    }
    return false;
}

uint32_t fatal_backtrace(uint64_t rbp, uint64_t *out, uint32_t max)
{
    uint32_t n = 0;
    struct stack_range stack;
    while (n < max && frame_in_stack(rbp, &stack)) {
        const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
        uint64_t next = frame[0];
        uint64_t ret = frame[1];
        if (ret == 0)
            break;
        out[n++] = ret;
        /* Callers' frames lie above callees' on the same stack; anything else means
         * the chain is corrupt (or we crossed to another stack, which we do not
         * follow). */
        if (next <= rbp || next > stack.top - 16)
            break;
        rbp = next;
    }
    return n;
}

static bool in_text(uint64_t address)
{
    return address >= (uint64_t)(uintptr_t)__image_start && address < (uint64_t)(uintptr_t)__text_end;
}

/* GCC sets up no frame in leaf functions that need no stack, even with
 * -fno-omit-frame-pointer; when such a function faults, its return address is at
 * [rsp] and the RBP chain skips its caller. Returns that address when [rsp] really
 * looks like one: inside an engine stack, pointing into the text right after a direct
 * `call rel32` whose target lies at or before the faulting RIP. 0 otherwise. */
static uint64_t leaf_return_address(const struct exception_frame *f)
{
    struct stack_range stack;
    if (!in_text(f->rip) || !frame_in_stack(f->rsp & ~7ull, &stack) || (f->rsp & 7))
        return 0;
    uint64_t ret = *(const uint64_t *)(uintptr_t)f->rsp;
    if (!in_text(ret) || !in_text(ret - 5))
        return 0;
    const uint8_t *call = (const uint8_t *)(uintptr_t)(ret - 5);
    if (call[0] != 0xe8)
        return 0;
    int32_t rel;
    memcpy(&rel, call + 1, sizeof rel);
    uint64_t target = ret + (uint64_t)(int64_t)rel;
    return target <= f->rip && f->rip - target < 0x10000 ? ret : 0;
}

/* A fault while a report was being written: do as little as possible. */
static _Noreturn void fatal_nested(uint32_t depth)
{
    if (depth == 2) {
        volatile struct ferry_fatal_report *r = &shared_area()->fatal;
        const char msg[] = "nested fault while writing a fatal report (report incomplete)";
        for (unsigned i = 0; i < sizeof msg; i++)
            r->message[i] = msg[i];
        r->kind = FERRY_FATAL_PANIC;
        r->guest_pc = ~0ull;
        cpu_outl(FERRY_HC_PORT, FERRY_HC_FATAL);
    }
    /* Even the shared area may be unusable now: exit without touching memory. */
    for (;;)
        cpu_outl(FERRY_HC_PORT, FERRY_HC_EXIT);
}

static const volatile uint64_t *guest_pc;

void fatal_set_guest_pc(const volatile uint64_t *pc)
{
    guest_pc = pc;
}

static _Noreturn void fatal_send(struct ferry_fatal_report *r)
{
    if (nested_fault_injected)
        (void)*(volatile uint64_t *)(uintptr_t)NESTED_FAULT_ADDRESS;
    r->guest_pc = guest_pc ? *guest_pc : ~0ull;
    r->history_len = 0;
    console_write_str("engine: fatal: ");
    console_write_str(r->message);
    console_write_str("\n");
    console_flush();
    hypercall(FERRY_HC_FATAL, 0, 0);
    /* The host stops the VM on FATAL; should it resume us, still stop. */
    hypercall_exit(1);
}

_Noreturn void fatal_exception(const struct exception_frame *f, uint64_t fault_address,
                               const char *what)
{
    uint32_t depth = ++fatal_depth;
    if (depth > 1)
        fatal_nested(depth);

    struct ferry_fatal_report *r = &shared_area()->fatal;
    memset(r, 0, sizeof *r);
    r->kind = FERRY_FATAL_EXCEPTION;
    r->vector = f->vector;
    r->error_code = f->error_code;
    r->cr2 = f->vector == 14 ? fault_address : 0;
    r->rip = f->rip;
    r->rsp = f->rsp;
    r->rflags = f->rflags;
    r->cs = f->cs;
    r->ss = f->ss;
    r->rax = f->rax;
    r->rbx = f->rbx;
    r->rcx = f->rcx;
    r->rdx = f->rdx;
    r->rsi = f->rsi;
    r->rdi = f->rdi;
    r->rbp = f->rbp;
    r->r8 = f->r8;
    r->r9 = f->r9;
    r->r10 = f->r10;
    r->r11 = f->r11;
    r->r12 = f->r12;
    r->r13 = f->r13;
    r->r14 = f->r14;
    r->r15 = f->r15;
    uint32_t n = 0;
    uint64_t leaf_ret = leaf_return_address(f);
    if (leaf_ret)
        r->backtrace[n++] = leaf_ret;
    n += fatal_backtrace(f->rbp, r->backtrace + n, FERRY_FATAL_BACKTRACE - n);
    /* With a frame after all, the chain's first entry repeats the leaf guess. */
    if (leaf_ret && n > 1 && r->backtrace[1] == leaf_ret) {
        memmove(r->backtrace, r->backtrace + 1, (n - 1) * sizeof r->backtrace[0]);
        n--;
    }
    r->backtrace_len = n;
    const char *name = f->vector < 32 ? vector_names[f->vector] : "unknown vector";
    /* A fault with RSP at the bottom of the boot stack (or in its guard page) is
     * almost certainly a stack overflow; say so. */
    if (f->rsp >= (uint64_t)(uintptr_t)boot_stack_guard &&
        f->rsp < (uint64_t)(uintptr_t)boot_stack_bottom + 512)
        what = f->vector == 8 ? "stack overflow (double fault on the guard page)" : "stack overflow";
    if (f->vector == 14)
        fy_snprintf(r->message, sizeof r->message,
                    "%s: %s (vector %lu, error 0x%lx: %s %s%s) at rip 0x%lx, address 0x%lx", what,
                    name, (unsigned long)f->vector, (unsigned long)f->error_code,
                    f->error_code & 1 ? "protection violation" : "not present",
                    f->error_code & 0x10 ? "instruction fetch" : f->error_code & 2 ? "write" : "read",
                    f->error_code & 8 ? ", reserved bit" : "", (unsigned long)f->rip,
                    (unsigned long)fault_address);
    else
        fy_snprintf(r->message, sizeof r->message, "%s: %s (vector %lu, error 0x%lx) at rip 0x%lx",
                    what, name, (unsigned long)f->vector, (unsigned long)f->error_code,
                    (unsigned long)f->rip);
    fatal_send(r);
}

_Noreturn void fatal_panicv(uint64_t rip, uint64_t rbp, uint64_t rsp, const char *fmt, va_list ap)
{
    uint32_t depth = ++fatal_depth;
    if (depth > 1)
        fatal_nested(depth);

    struct ferry_fatal_report *r = &shared_area()->fatal;
    memset(r, 0, sizeof *r);
    r->kind = FERRY_FATAL_PANIC;
    /* `rip` is fy_panic's return address, which for a noreturn call may already lie
     * past the end of the calling function: report the call instruction itself. */
    r->rip = in_text(rip - 5) && *(const uint8_t *)(uintptr_t)(rip - 5) == 0xe8 ? rip - 5 : rip;
    r->rbp = rbp;
    r->rsp = rsp;
    /* The chain starts in fy_panic's frame; its first return address is the panic
     * site, already reported as RIP. */
    uint64_t trace[FERRY_FATAL_BACKTRACE + 1];
    uint32_t n = fatal_backtrace(rbp, trace, FERRY_FATAL_BACKTRACE + 1);
    if (n > 0) {
        memcpy(r->backtrace, trace + 1, (n - 1) * sizeof trace[0]);
        r->backtrace_len = n - 1;
    }
    fy_vsnprintf(r->message, sizeof r->message, fmt, ap);
    fatal_send(r);
}
