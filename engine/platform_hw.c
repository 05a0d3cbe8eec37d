/* Platform layer for hardware KVM (VMX/SVM): the engine really runs in ring 0, so
 * every operation is the plain privileged instruction. */
#include "platform.h"
#include "descriptors.h"

static int64_t hw_init(void)
{
    return 0;
}

static void hw_load_root(uint64_t root_phys)
{
    __asm__ volatile("mov %0, %%cr3" : : "r"(root_phys) : "memory");
}

static void hw_flush_one(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static void hw_flush_all(void)
{
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    __asm__ volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
}

static void hw_halt(void)
{
    __asm__ volatile("hlt" : : : "memory");
}

static void hw_irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}

static void hw_irq_disable(void)
{
    __asm__ volatile("cli" : : : "memory");
}

struct __attribute__((packed)) descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

static void hw_load_gdt(uint64_t base, uint16_t limit)
{
    struct descriptor_pointer p = { limit, base };
    __asm__ volatile("lgdt %0" : : "m"(p) : "memory");
    /* Reload every segment register from the new table: CS with a far return. */
    __asm__ volatile("pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %[ds], %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     :
                     : [cs] "i"(GDT_KERNEL_CODE), [ds] "i"(GDT_KERNEL_DATA)
                     : "rax", "memory");
}

static void hw_load_idt(uint64_t base, uint16_t limit)
{
    struct descriptor_pointer p = { limit, base };
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

static void hw_load_tr(uint16_t selector)
{
    __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

static uint64_t hw_fault_address(void)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

const struct platform_ops platform_hw_ops = {
    .name = "hardware KVM",
    .init = hw_init,
    .load_root = hw_load_root,
    .flush_one = hw_flush_one,
    .flush_all = hw_flush_all,
    .halt = hw_halt,
    .irq_enable = hw_irq_enable,
    .irq_disable = hw_irq_disable,
    .load_gdt = hw_load_gdt,
    .load_idt = hw_load_idt,
    .load_tr = hw_load_tr,
    .fault_address = hw_fault_address,
};
