/* Accesses to addresses with nothing behind them: a synchronous external abort (DFSC
 * 0x10, FnV=0 so FAR holds the address) for loads, stores and instruction fetches,
 * with the MMU off and on. The addresses avoid everything a virt board may have there
 * (QEMU's PCIe window 0x10000000-0x3effffff answers all-ones, fw_cfg and GPIO live at
 * 0x09020000/0x09030000, virtio-mmio at 0x0a000000): 0x0b000000 and 0x09100000 in the
 * device region, 0x50000000 just past the 256 MB of RAM the runner asks for. The
 * IMPLEMENTATION DEFINED EA bit (ISS[9]) is masked. */
#include "rt.h"

#define MASK_EA(esr) ((uint32_t)(ESR_DA(esr) & ~(1u << 9)))

static void probe(uint64_t va, int write)
{
    exc_catch(EXC_SKIP);
    if (write)
        p_str(va, 0);
    else
        p_ldr(va);
    exc_uncatch();
    uint32_t esr = MASK_EA(exc_last.esr);
    check(exc_last.taken == 1 && esr == (write ? 0x96000050u : 0x96000010u) &&
              exc_last.far == va,
          "%s 0x%lx: ESR=0x%08x FAR=0x%lx", write ? "store to" : "load from", va, esr,
          exc_last.far);
}

static void fetch(uint64_t va)
{
    exc_catch(EXC_RET_LR);
    p_call(va);
    exc_uncatch();
    uint32_t esr = (uint32_t)exc_last.esr & ~(1u << 9);
    check(exc_last.taken == 1 && esr == 0x86000010u && exc_last.far == va &&
              exc_last.elr == va,
          "instruction fetch from 0x%lx: ESR=0x%08x FAR=ELR=0x%lx", va, esr, exc_last.far);
}

int main(void)
{
    printf("MMU off\n");
    probe(0x0b000000, 0);
    probe(0x0b000008, 1);
    probe(0x09100000, 0);
    probe(0x50000000, 0);
    probe(0x50000010, 1);
    fetch(0x0b000000);
    fetch(0x50000000);
    printf("MMU on (0-1 GB mapped as device memory)\n");
    mmu_on_identity(39);
    probe(0x0b000000, 0);
    probe(0x0b000008, 1);
    probe(0x09100010, 1);
    return 0;
}
