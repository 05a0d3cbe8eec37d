/* Platform layer for the pv-lite KVM of the CI machines (kvm_pvm; see
 * shared/platform/README.md). The engine really runs at CPL 3 there. Until the vIF page
 * is registered every "ring 0" instruction is emulated about a thousand times slower,
 * so init registers it before anything else; afterwards privileged operations go
 * through `int $0x1b` hypercalls (number in RAX, arguments in RBX, RCX, RDX, result in
 * RAX), interrupts are virtualised through the vIF flag byte and the page-fault address
 * arrives in the vIF page's cr2 cell. */
#include "platform.h"
#include "cpu.h"

enum pvlite_hypercall {
    PVL_SET_CR3 = 0x1001,
    PVL_LOAD_GDT = 0x1004,
    PVL_LOAD_IDT = 0x1005,
    PVL_LOAD_TR = 0x1006,
    PVL_FLUSH_TLB = 0x1007,
    PVL_FLUSH_TLB_ONE = 0x1008,
    PVL_HALT = 0x1009,
    PVL_SET_VIF_GPA = 0x100c,
};

/* SET_VIF_GPA flag: the host writes the page-fault address into vif.cr2. */
#define PVL_VIF_CR2_CELL 0x10
/* Port whose write tells the host that interrupts were re-enabled with one pending. */
#define PVL_DOORBELL_PORT 0x80

/* The vIF page shared with the pv-lite host (a whole page of its own). */
union pvlite_vif_page {
    struct {
        volatile uint8_t interrupts_enabled;
        volatile uint8_t interrupt_pending;
        uint8_t pad[6];
        volatile uint64_t cr2;
    } vif;
    uint8_t page[4096];
};

static union pvlite_vif_page vif_page __attribute__((aligned(4096)));

static inline int64_t pvl_call(uint64_t nr, uint64_t a, uint64_t b, uint64_t c)
{
    int64_t ret;
    __asm__ volatile("int $0x1b" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static int64_t pvl_init(void)
{
    return pvl_call(PVL_SET_VIF_GPA, image_virt_to_phys(&vif_page) | PVL_VIF_CR2_CELL, 0, 0);
}

static void pvl_load_root(uint64_t root_phys)
{
    pvl_call(PVL_SET_CR3, root_phys, 0, 0);
}

static void pvl_flush_one(uint64_t va)
{
    pvl_call(PVL_FLUSH_TLB_ONE, va, 0, 0);
}

static void pvl_flush_all(void)
{
    pvl_call(PVL_FLUSH_TLB, 0, 0, 0);
}

static void pvl_halt(void)
{
    pvl_call(PVL_HALT, 0, 0, 0);
}

static void pvl_irq_enable(void)
{
    vif_page.vif.interrupts_enabled = 1;
    __asm__ volatile("" : : : "memory");
    if (vif_page.vif.interrupt_pending)
        cpu_outb(PVL_DOORBELL_PORT, 0);
}

static void pvl_irq_disable(void)
{
    vif_page.vif.interrupts_enabled = 0;
    __asm__ volatile("" : : : "memory");
}

struct __attribute__((packed)) descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

/* The table-loading hypercalls take the base in RBX and the limit in RCX; if the host
 * refuses one, the instruction itself is used (it traps and is emulated). Measured on
 * the CI machines: LOAD_GDT and LOAD_IDT return 0, LOAD_TR returns -38 (ENOSYS), so TR
 * is loaded by the emulated `ltr`, which works (the double-fault IST test uses it). */
static void pvl_load_gdt(uint64_t base, uint16_t limit)
{
    if (pvl_call(PVL_LOAD_GDT, base, limit, 0) != 0) {
        struct descriptor_pointer p = { limit, base };
        __asm__ volatile("lgdt %0" : : "m"(p) : "memory");
    }
    /* The host entered with CS/SS/DS selectors equal to ours (GDT_KERNEL_CODE/DATA),
     * so no segment register needs reloading; a far return is not worth emulating. */
}

static void pvl_load_idt(uint64_t base, uint16_t limit)
{
    if (pvl_call(PVL_LOAD_IDT, base, limit, 0) != 0) {
        struct descriptor_pointer p = { limit, base };
        __asm__ volatile("lidt %0" : : "m"(p) : "memory");
    }
}

static void pvl_load_tr(uint16_t selector)
{
    if (pvl_call(PVL_LOAD_TR, selector, 0, 0) != 0)
        __asm__ volatile("ltr %0" : : "r"(selector) : "memory");
}

static uint64_t pvl_fault_address(void)
{
    return vif_page.vif.cr2;
}

const struct platform_ops platform_pvlite_ops = {
    .name = "pv-lite KVM",
    .init = pvl_init,
    .load_root = pvl_load_root,
    .flush_one = pvl_flush_one,
    .flush_all = pvl_flush_all,
    .halt = pvl_halt,
    .irq_enable = pvl_irq_enable,
    .irq_disable = pvl_irq_disable,
    .load_gdt = pvl_load_gdt,
    .load_idt = pvl_load_idt,
    .load_tr = pvl_load_tr,
    .fault_address = pvl_fault_address,
};
