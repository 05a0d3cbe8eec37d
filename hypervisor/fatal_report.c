/* Formatting of the engine's fatal reports, on stderr, for people: what happened,
 * where (symbolised), the registers and the call chain. */
#include "hypervisor/fatal_report.h"

#include <string.h>

static const struct {
    const char *mnemonic, *name;
} vectors[32] = {
    [0] = { "#DE", "divide error" },        [1] = { "#DB", "debug" },
    [2] = { "NMI", "non-maskable interrupt" }, [3] = { "#BP", "breakpoint" },
    [4] = { "#OF", "overflow" },            [5] = { "#BR", "bound range exceeded" },
    [6] = { "#UD", "invalid opcode" },      [7] = { "#NM", "device not available" },
    [8] = { "#DF", "double fault" },        [9] = { "#CSO", "coprocessor segment overrun" },
    [10] = { "#TS", "invalid TSS" },        [11] = { "#NP", "segment not present" },
    [12] = { "#SS", "stack-segment fault" }, [13] = { "#GP", "general protection fault" },
    [14] = { "#PF", "page fault" },         [16] = { "#MF", "x87 floating-point error" },
    [17] = { "#AC", "alignment check" },    [18] = { "#MC", "machine check" },
    [19] = { "#XM", "SIMD floating-point exception" }, [20] = { "#VE", "virtualization exception" },
    [21] = { "#CP", "control protection" }, [28] = { "#HV", "hypervisor injection" },
    [29] = { "#VC", "VMM communication" },  [30] = { "#SX", "security exception" },
};

const char *x86_vector_mnemonic(uint64_t vector)
{
    return vector < 32 && vectors[vector].mnemonic ? vectors[vector].mnemonic : "#?";
}

const char *x86_vector_name(uint64_t vector)
{
    if (vector < 32)
        return vectors[vector].name ? vectors[vector].name : "reserved";
    return vector < 256 ? "external interrupt" : "invalid vector";
}

void engine_text_copy(char *buf, const volatile char *field, size_t field_size)
{
    size_t i;
    for (i = 0; i < field_size; i++) {
        char c = field[i];
        if (!c)
            break;
        buf[i] = (c == '\n' || (c >= 0x20 && c < 0x7f)) ? c : '?';
    }
    buf[i] = '\0';
    while (i && buf[i - 1] == '\n')
        buf[--i] = '\0';
}

/* `is_return`: the address is a return address (a backtrace frame), not the place an
 * instruction faulted (see symbol_table_describe_return). */
static void print_address(FILE *out, const char *label, uint64_t address, bool is_return,
                          const struct symbol_table *symbols)
{
    char where[160] = "?";
    if (symbols && is_return)
        symbol_table_describe_return(symbols, address, where, sizeof where);
    else if (symbols)
        symbol_table_describe(symbols, address, where, sizeof where);
    fprintf(out, "  %s 0x%016llx <%s>\n", label, (unsigned long long)address, where);
}

void fatal_report_print(FILE *out, const volatile struct ferry_fatal_report *report,
                        const struct symbol_table *symbols)
{
    struct ferry_fatal_report r;
    char message[sizeof r.message + 1];
    uint32_t frames, history;
    memcpy(&r, (const void *)report, sizeof r);
    engine_text_copy(message, r.message, sizeof r.message);
    frames = r.backtrace_len > FERRY_FATAL_BACKTRACE ? FERRY_FATAL_BACKTRACE : r.backtrace_len;
    history = r.history_len > FERRY_FATAL_HISTORY ? FERRY_FATAL_HISTORY : r.history_len;

    if (r.kind == FERRY_FATAL_EXCEPTION) {
        fprintf(out, "ferry: engine fatal error: %s (%s, vector %llu), error code 0x%llx",
                x86_vector_name(r.vector), x86_vector_mnemonic(r.vector),
                (unsigned long long)r.vector, (unsigned long long)r.error_code);
        if (r.vector == 14)
            fprintf(out, " (%s, %s, %s%s%s)", r.error_code & 1 ? "protection violation" : "not present",
                    r.error_code & 2 ? "write" : "read", r.error_code & 4 ? "user" : "supervisor",
                    r.error_code & 8 ? ", reserved bit" : "",
                    r.error_code & 16 ? ", instruction fetch" : "");
        fputc('\n', out);
    } else if (r.kind == FERRY_FATAL_PANIC) {
        fprintf(out, "ferry: engine panic: %s\n", message[0] ? message : "(no message)");
    } else {
        fprintf(out, "ferry: engine fatal error of unknown kind %u\n", r.kind);
    }
    print_address(out, "RIP", r.rip, false, symbols);
    if (r.kind == FERRY_FATAL_EXCEPTION && r.vector == 14)
        fprintf(out, "  CR2 0x%016llx (faulting address)\n", (unsigned long long)r.cr2);
    fprintf(out, "  RSP 0x%016llx RFLAGS 0x%llx CS 0x%llx SS 0x%llx\n",
            (unsigned long long)r.rsp, (unsigned long long)r.rflags, (unsigned long long)r.cs,
            (unsigned long long)r.ss);
    fprintf(out, "  RAX 0x%016llx RBX 0x%016llx RCX 0x%016llx RDX 0x%016llx\n",
            (unsigned long long)r.rax, (unsigned long long)r.rbx, (unsigned long long)r.rcx,
            (unsigned long long)r.rdx);
    fprintf(out, "  RSI 0x%016llx RDI 0x%016llx RBP 0x%016llx R8  0x%016llx\n",
            (unsigned long long)r.rsi, (unsigned long long)r.rdi, (unsigned long long)r.rbp,
            (unsigned long long)r.r8);
    fprintf(out, "  R9  0x%016llx R10 0x%016llx R11 0x%016llx R12 0x%016llx\n",
            (unsigned long long)r.r9, (unsigned long long)r.r10, (unsigned long long)r.r11,
            (unsigned long long)r.r12);
    fprintf(out, "  R13 0x%016llx R14 0x%016llx R15 0x%016llx\n", (unsigned long long)r.r13,
            (unsigned long long)r.r14, (unsigned long long)r.r15);
    if (r.guest_pc != ~0ull)
        fprintf(out, "  guest PC 0x%016llx\n", (unsigned long long)r.guest_pc);
    fprintf(out, "  backtrace (innermost first, %u frame%s):\n", frames, frames == 1 ? "" : "s");
    for (uint32_t i = 0; i < frames; i++) {
        char label[16];
        snprintf(label, sizeof label, "  #%-2u", i);
        print_address(out, label, r.backtrace[i], true, symbols);
    }
    if (history) {
        fprintf(out, "  recent guest PCs (oldest first):");
        for (uint32_t i = 0; i < history; i++)
            fprintf(out, " 0x%llx", (unsigned long long)r.history[i]);
        fputc('\n', out);
    }
    if (r.kind != FERRY_FATAL_PANIC && message[0])
        fprintf(out, "  message: %s\n", message);
}
