/* Ferry bare-metal test runtime: the one header every test program includes.
 * Freestanding AArch64 at EL1 on a QEMU-virt-like board; see docs/baremetal-tests.md. */
#ifndef BM_RT_H
#define BM_RT_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

/* ---- the board --------------------------------------------------------------------- */
#define UART_BASE     0x09000000ul
#define RTC_BASE      0x09010000ul
#define GICD_BASE     0x08000000ul
#define GICC_BASE     0x08010000ul
#define RAM_BASE      0x40000000ul
/* Free RAM the tests may use as they like (page tables live in .bss, not here). */
#define SCRATCH_BASE  0x41000000ul
#define SCRATCH_SIZE  0x01000000ul

#define INTID_UART    33   /* SPI 1 */
#define INTID_RTC     34   /* SPI 2 */
#define INTID_CNTP    30   /* PPI 14: EL1 physical timer */
#define INTID_CNTV    27   /* PPI 11: virtual timer */

/* ---- system registers -------------------------------------------------------------- */
#define read_sysreg(r) ({ uint64_t v__; __asm__ volatile("mrs %0, " #r : "=r"(v__)); v__; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" :: "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define barrier() __asm__ volatile("" ::: "memory")

static inline void mmio_w32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_r32(uint64_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_w8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline uint8_t mmio_r8(uint64_t a) { return *(volatile uint8_t *)a; }

/* SCTLR_EL1 bits the tests flip. */
#define SCTLR_M    (1ul << 0)
#define SCTLR_A    (1ul << 1)
#define SCTLR_C    (1ul << 2)
#define SCTLR_SA   (1ul << 3)
#define SCTLR_SA0  (1ul << 4)
#define SCTLR_UMA  (1ul << 9)
#define SCTLR_I    (1ul << 12)
#define SCTLR_DZE  (1ul << 14)
#define SCTLR_UCT  (1ul << 15)
#define SCTLR_NTWI (1ul << 16)
#define SCTLR_NTWE (1ul << 18)
#define SCTLR_WXN  (1ul << 19)
#define SCTLR_UCI  (1ul << 26)
/* RES1 bits of SCTLR_EL1 in v8.0 (11, 20, 22, 23, 28, 29). */
#define SCTLR_RES1 ((1ul << 11) | (1ul << 20) | (1ul << 22) | (1ul << 23) | (1ul << 28) | (1ul << 29))

static inline void daif_mask_all(void) { __asm__ volatile("msr daifset, #0xf" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }

/* ---- console ----------------------------------------------------------------------- */
void uart_putc(char c);
int uart_getc(void);            /* blocks until a character arrives */
int uart_getc_nowait(void);     /* -1 if the receive FIFO is empty */
void uart_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* TAP-like check lines: "ok N - text" / "not ok N - text". */
void check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int check_failures(void);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* ---- PSCI (HVC conduit) ------------------------------------------------------------ */
#define PSCI_VERSION            0x84000000u
#define PSCI_CPU_OFF            0x84000002u
#define PSCI_CPU_ON64           0xc4000003u
#define PSCI_AFFINITY_INFO64    0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE  0x84000006u
#define PSCI_SYSTEM_OFF         0x84000008u
#define PSCI_SYSTEM_RESET       0x84000009u
#define PSCI_FEATURES           0x8400000au
int64_t hvc_call(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3);
__attribute__((noreturn)) void psci_off(void);
__attribute__((noreturn)) void psci_reset(void);

/* ---- exceptions -------------------------------------------------------------------- */
/* The frame start.S saves on every exception; the C handler may change any field and
 * it is restored on the way out (ERET). */
struct exc_frame {
    uint64_t x[31];
    uint64_t sp_el0;
    uint64_t elr;
    uint64_t spsr;
    uint64_t esr;
    uint64_t far;
};

/* Vector index 0..15 = offset / 0x80: group (cur SP0, cur SPx, lower 64, lower 32) * 4
 * + kind (sync, irq, fiq, serror). */
enum { VEC_SYNC = 0, VEC_IRQ = 1, VEC_FIQ = 2, VEC_SERROR = 3 };
#define VEC_GROUP(v) ((v) >> 2)
#define VEC_KIND(v)  ((v) & 3)

typedef void (*exc_handler_t)(struct exc_frame *f, int vec);
/* Handler for one kind (sync/irq/fiq/serror) from any group; NULL = the default, which
 * prints the frame and powers off (a test that takes an unexpected exception fails). */
void exc_set_handler(int kind, exc_handler_t h);

/* The common pattern: arm a catch, run one instruction that should trap, look at the
 * record. The sync handler records the exception and resumes at ELR+4 (EXC_SKIP) or at
 * the address in x30 of the trapping context (EXC_RET_LR: for a branch to a bad PC). */
enum exc_resume { EXC_SKIP, EXC_RET_LR };
struct exc_record {
    int taken;      /* number of exceptions caught since exc_catch() */
    int vec;
    uint64_t esr, far, elr, spsr;
};
extern volatile struct exc_record exc_last;
void exc_catch(enum exc_resume how);
void exc_uncatch(void);
#define ESR_EC(esr)  (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
#define ESR_IL       (1u << 25)
/* Data aborts: ISV and the fields it validates (ISS[24:14]) are left out of every
 * printed ESR, as QEMU reports ISV=0 at EL1 and the architecture does not require
 * the syndrome to be valid there; everything else (EA, CM, S1PTW, WnR, DFSC) is. */
#define ESR_DA(esr)  ((esr) & ~0x01ffc000ul)

/* ---- EL0 --------------------------------------------------------------------------- */
/* Runs fn(arg) at EL0t with SP_EL0 = sp and the given SPSR DAIF bits (bits 9:6), returns
 * the value fn passed to el0_exit() (an SVC #0xfff). Other SVCs from EL0 go to the sync
 * handler as usual. */
uint64_t run_el0(uint64_t (*fn)(uint64_t), uint64_t arg, uint64_t sp, uint64_t daif);
#define EL0_EXIT_IMM 0xfff
static inline __attribute__((noreturn)) void el0_exit(uint64_t v)
{
    register uint64_t x0 __asm__("x0") = v;
    __asm__ volatile("svc #0xfff" :: "r"(x0));
    __builtin_unreachable();
}
/* EL0 stack inside the image's user area (see link.ld: .user_stack, EL0 RW). */
extern char el0_stack_top[];

/* ---- MMU --------------------------------------------------------------------------- */
/* Descriptor attribute bits (lower and upper attributes). MAIR indices: see mmu.c. */
#define PTE_VALID   (1ul << 0)
#define PTE_TABLE   (1ul << 1)   /* table at levels 0-2, page at level 3 */
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_EL0  (1ul << 6)   /* AP[1]: EL0 access */
#define PTE_AP_RO   (1ul << 7)   /* AP[2]: read-only */
#define PTE_SH_IS   (3ul << 8)
#define PTE_AF      (1ul << 10)
#define PTE_NG      (1ul << 11)
#define PTE_PXN     (1ul << 53)
#define PTE_UXN     (1ul << 54)
#define MT_DEVICE   0   /* Device-nGnRnE */
#define MT_NORMAL   1   /* Normal WB RA WA inner and outer */
#define MT_NORMAL_NC 2
/* Common leaf attribute sets (AF set, inner shareable for Normal). */
#define PG_KERNEL_RW   (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_UXN | PTE_PXN)
#define PG_KERNEL_RWX  (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_UXN)
#define PG_KERNEL_RO   (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_RO | PTE_UXN | PTE_PXN)
#define PG_TEXT        (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_RO | PTE_AP_EL0)
#define PG_USER_RW     (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_EL0 | PTE_UXN | PTE_PXN)
#define PG_USER_RO     (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_EL0 | PTE_AP_RO | PTE_UXN | PTE_PXN)
#define PG_USER_RX     (PTE_ATTR(MT_NORMAL) | PTE_SH_IS | PTE_AF | PTE_AP_EL0 | PTE_AP_RO | PTE_PXN)
#define PG_DEVICE      (PTE_ATTR(MT_DEVICE) | PTE_AF | PTE_UXN | PTE_PXN)

/* One translation regime half (TTBR0 or TTBR1): root table and its start level. */
struct mmu_space {
    uint64_t *root;
    int start_level;    /* 0 for 48-bit VAs, 1 for 39-bit */
    int va_bits;
};
/* Allocates a zeroed 4 KB table from a static pool (never freed: tests are short). */
uint64_t *mmu_alloc_table(void);
/* If set, tables come from here instead (the minikernel's page allocator). */
extern uint64_t *(*mmu_table_alloc_hook)(void);
/* The DTB address QEMU/ferry passed in x0. */
extern uint64_t boot_dtb;
/* /chosen/bootargs of that DTB (bootargs.c), NULL if there is none. */
const char *bootargs(void);
void mmu_space_init(struct mmu_space *s, int va_bits);
/* Maps [va, va+size) to pa with leaf descriptors at `level` (1: 1 GB blocks, 2: 2 MB
 * blocks, 3: 4 KB pages); attr = the leaf's attribute bits (PTE_VALID/TABLE added). */
void mmu_map(struct mmu_space *s, uint64_t va, uint64_t pa, uint64_t size, uint64_t attr, int level);
/* The leaf (or invalid) descriptor slot for va at `level`, NULL if the walk stops above. */
uint64_t *mmu_slot(struct mmu_space *s, uint64_t va, int level);
/* The standard kernel map of a space: identity 0-1 GB as device (XN), the image's text
 * as PG_TEXT pages, its data EL1 RW, the user area EL0 RW, the rest of RAM EL1 RWX in
 * 2 MB blocks. */
void mmu_map_standard(struct mmu_space *s);
/* Programs MAIR/TCR/TTBR0/TTBR1 (ASIDs in TTBRn[63:48], 8-bit ASIDs, TCR.A1=0) and
 * turns the MMU and caches on. ttbr1 may be NULL (EPD1=1). */
void mmu_enable(struct mmu_space *s0, uint16_t asid0, struct mmu_space *s1);
void mmu_disable(void);
/* The identity + standard map with 39- or 48-bit VAs, MMU on, ASID 0. */
void mmu_on_identity(int va_bits);
extern struct mmu_space mmu_kernel;
static inline void tlbi_all(void) { __asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory"); }

/* Linker symbols of the image layout. */
extern char __image_start[], __text_end[], __data_start[], __user_start[], __user_end[],
    __image_end[];

/* ---- GIC v2 ------------------------------------------------------------------------ */
void gic_init(void);                    /* distributor + CPU interface on, PMR open */
void gic_enable_irq(unsigned intid, unsigned prio);
void gic_disable_irq(unsigned intid);
unsigned gic_ack(void);                 /* GICC_IAR (full value) */
void gic_eoi(unsigned iar);
int gic_is_pending(unsigned intid);
void gic_clear_pending(unsigned intid);

/* ---- timers ------------------------------------------------------------------------ */
static inline uint64_t cntfrq(void) { return read_sysreg(cntfrq_el0); }
static inline uint64_t cntvct(void) { isb(); return read_sysreg(cntvct_el0); }
static inline uint64_t cntpct(void) { isb(); return read_sysreg(cntpct_el0); }
void delay_us(uint64_t us);

/* ---- probes (probes.S): one faulting instruction at each label ------------------- */
uint64_t p_ldr(uint64_t va);
void p_str(uint64_t va, uint64_t v);
uint64_t p_ldtr(uint64_t va);
void p_sttr(uint64_t va, uint64_t v);
void p_dc_civac(uint64_t va);
uint64_t p_call(uint64_t va);          /* branches to va; it returns to our caller */
uint64_t u_ldr(uint64_t va);           /* EL0 probes: run through run_el0 */
uint64_t u_str(uint64_t va);
uint64_t u_call(uint64_t va);
uint64_t p_ret42(void);
extern char p_ret42_end[];
#define ADDR(f) ((uint64_t)(uintptr_t)(f))

#endif
