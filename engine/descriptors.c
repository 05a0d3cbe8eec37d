/* Builds and loads the GDT (flat 64-bit code/data plus the TSS), the TSS (an IST stack
 * for double faults) and the IDT (the 32 exception vectors, stubs in
 * exception_entry.S). */
#include "descriptors.h"
#include "cpu.h"
#include "platform.h"
#include <ferry/support.h>

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

#define IDT_VECTORS 32
#define GATE_INTERRUPT_DPL0 0x8e /* present, DPL 0, 64-bit interrupt gate */

static uint64_t gdt[8] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

/* exception_entry.S: IDT_VECTORS stubs, EXCEPTION_STUB_SIZE bytes apart. */
extern char exception_stubs[];
#define EXCEPTION_STUB_SIZE 16

void descriptors_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0;
    gdt[GDT_KERNEL_CODE / 8] = 0x00af9b000000ffffull; /* 64-bit code, DPL 0 */
    gdt[GDT_KERNEL_DATA / 8] = 0x00cf93000000ffffull; /* data, DPL 0 */
    gdt[4] = 0;
    gdt[5] = 0;

    memset(&tss, 0, sizeof tss);
    tss.rsp[0] = (uint64_t)(uintptr_t)boot_stack_top;
    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)double_fault_stack_top;
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
    uint64_t base = (uint64_t)(uintptr_t)&tss;
    uint64_t limit = sizeof tss - 1;
    gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                       (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[GDT_TSS / 8 + 1] = base >> 32;

    for (unsigned v = 0; v < IDT_VECTORS; v++) {
        uint64_t handler = (uint64_t)(uintptr_t)(exception_stubs + v * EXCEPTION_STUB_SIZE);
        idt[v] = (struct idt_gate){
            .offset_low = (uint16_t)handler,
            .selector = GDT_KERNEL_CODE,
            .ist = v == 8 ? IST_DOUBLE_FAULT : 0,
            .type_attr = GATE_INTERRUPT_DPL0,
            .offset_mid = (uint16_t)(handler >> 16),
            .offset_high = (uint32_t)(handler >> 32),
        };
    }

    platform->load_gdt((uint64_t)(uintptr_t)gdt, sizeof gdt - 1);
    platform->load_tr(GDT_TSS);
    platform->load_idt((uint64_t)(uintptr_t)idt, sizeof idt - 1);
}
