/* The guest's machine: QEMU's AArch64 `virt` board (hw/arm/virt.c, QEMU 7.2), its memory
 * map, interrupt numbers, timer frequency and PSCI conduit. One copy, shared by the host
 * (DTB, kernel loader) and the engine (device models, address decoding), so that the
 * DTB a guest reads and the devices it then finds can never disagree. The values are
 * QEMU's so one bare-metal test binary runs unchanged on both. docs/board.md explains them. */
#ifndef FERRY_VIRT_BOARD_H
#define FERRY_VIRT_BOARD_H

/* ---- Memory map (guest physical addresses and sizes) ------------------------------ */
#define VIRT_RAM_BASE            0x40000000ull /* RAM from 1 GiB up */
#define VIRT_RAM_MAX_SIZE        (255ull << 30) /* QEMU's limit below the high PCIe window */

#define VIRT_GIC_DIST_BASE       0x08000000ull /* GICv2 distributor */
#define VIRT_GIC_DIST_SIZE       0x00010000ull
#define VIRT_GIC_CPU_BASE        0x08010000ull /* GICv2 CPU interface */
#define VIRT_GIC_CPU_SIZE        0x00010000ull
#define VIRT_GIC_REDIST_BASE     0x080a0000ull /* GICv3 redistributors (not used with GICv2) */
#define VIRT_GIC_REDIST_SIZE     0x00f60000ull

#define VIRT_UART_BASE           0x09000000ull /* PL011 */
#define VIRT_UART_SIZE           0x00001000ull
#define VIRT_RTC_BASE            0x09010000ull /* PL031 */
#define VIRT_RTC_SIZE            0x00001000ull

#define VIRT_MMIO_BASE           0x0a000000ull /* virtio-mmio transports, one per slot */
#define VIRT_MMIO_SLOT_SIZE      0x00000200ull
#define VIRT_MMIO_SLOTS          32u
#define VIRT_MMIO_SLOT_BASE(n)   (VIRT_MMIO_BASE + (unsigned long long)(n) * VIRT_MMIO_SLOT_SIZE)

/* ---- Interrupts -------------------------------------------------------------------
 * SPI numbers are the numbers a DTB names (GIC INTID = 32 + SPI); PPI numbers likewise
 * (GIC INTID = 16 + PPI). */
#define VIRT_GIC_SPI_BASE_INTID  32u
#define VIRT_GIC_PPI_BASE_INTID  16u
#define VIRT_GIC_NUM_SPIS        256u /* QEMU's NUM_IRQS for virt */
#define VIRT_GIC_MAX_CPUS        8u   /* GICv2's architectural limit */

#define VIRT_UART_SPI            1u
#define VIRT_RTC_SPI             2u
#define VIRT_MMIO_SPI_BASE       16u  /* slot n raises SPI 16 + n */
#define VIRT_MMIO_SPI(n)         (VIRT_MMIO_SPI_BASE + (unsigned)(n))

/* Generic timer PPIs (QEMU's ARCH_TIMER_*_IRQ): listed in the DTB in this order. */
#define VIRT_TIMER_S_EL1_PPI     13u  /* secure physical timer */
#define VIRT_TIMER_NS_EL1_PPI    14u  /* non-secure physical timer (CNTP) */
#define VIRT_TIMER_VIRT_PPI      11u  /* virtual timer (CNTV) */
#define VIRT_TIMER_NS_EL2_PPI    10u  /* hypervisor timer */
#define VIRT_PMU_PPI             7u   /* reserved by QEMU for the PMU (not modelled) */

/* ---- Generic timer ----------------------------------------------------------------
 * CNTFRQ_EL0: QEMU's 62.5 MHz (a 16 ns tick), so guests compute the same delays on
 * Ferry and QEMU; the engine derives the counter from the TSC at this rate. */
#define VIRT_CNTFRQ_HZ           62500000u

/* ---- PSCI ---------------------------------------------------------------------------
 * PSCI 1.0 through HVC (the DTB's method; SMC is answered too). The function ids the
 * DTB's legacy cpu_* properties name are the PSCI 0.2 standard ones (SMC64 where there
 * is a 64-bit form), as QEMU writes them. */
#define VIRT_PSCI_METHOD         "hvc"
#define VIRT_PSCI_FN_CPU_SUSPEND 0xc4000001u /* SMC64 */
#define VIRT_PSCI_FN_CPU_OFF     0x84000002u
#define VIRT_PSCI_FN_CPU_ON      0xc4000003u /* SMC64 */
#define VIRT_PSCI_FN_MIGRATE     0xc4000005u /* SMC64 */

/* ---- Clocks -------------------------------------------------------------------------
 * The fixed APB clock the PL011/PL031 bindings need (the PL011 driver refuses to
 * probe without it). */
#define VIRT_APB_PCLK_HZ         24000000u

/* ---- CPU ----------------------------------------------------------------------------
 * The CPU Ferry presents: MIDR 0x410fd083 is a Cortex-A72 r0p3. */
#define VIRT_CPU_MIDR            0x410fd083u
#define VIRT_CPU_COMPATIBLE      "arm,cortex-a72"

#endif
