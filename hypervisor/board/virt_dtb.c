/* Generation of the virt board's device tree with libfdt's sequential-write API, and
 * the --dtb / --dump-dtb file helpers. Node names, compatibles, interrupt specifiers,
 * phandle values and property encodings follow what QEMU 7.2 writes for the same
 * devices (hw/arm/virt.c, hw/arm/boot.c), so a guest sees the same tree on both;
 * docs/board.md lists the nodes QEMU has and Ferry omits. */
#include "hypervisor/board/virt_dtb.h"
#include "hypervisor/error_text.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/virt_board.h"

/* GIC interrupt specifier cells (Linux's arm,gic binding). */
#define GIC_FDT_IRQ_TYPE_SPI 0u
#define GIC_FDT_IRQ_TYPE_PPI 1u
#define GIC_FDT_IRQ_FLAGS_LEVEL_HI 4u
#define GIC_FDT_IRQ_PPI_CPU_SHIFT 8  /* GICv2: PPI flags carry a CPU mask in bits 8..15 */
#define GIC_FDT_IRQ_PPI_CPU_WIDTH 8

/* Phandles as QEMU allocates them (from 0x8000, above any a user DTB would use): the
 * clock first, then one per CPU from the last CPU down, then the GIC. */
#define PHANDLE_CLOCK 0x8000u
static uint32_t cpu_phandle(const struct virt_dtb_config *cfg, unsigned cpu)
{
    return PHANDLE_CLOCK + cfg->num_cpus - cpu;
}
static uint32_t gic_phandle(const struct virt_dtb_config *cfg)
{
    return PHANDLE_CLOCK + cfg->num_cpus + 1;
}

/* One attempt at writing the tree into a buffer of a given size. Every libfdt call goes
 * through CHECK, which remembers the first error and skips the rest. */
struct writer {
    void *fdt;
    int error;            /* first libfdt error (negative), 0 if none */
};

#define CHECK(w, call)                                  \
    do {                                                \
        if ((w)->error == 0) {                          \
            int rc_ = (call);                           \
            if (rc_ < 0)                                \
                (w)->error = rc_;                       \
        }                                               \
    } while (0)

static void prop_cells(struct writer *w, const char *name, const uint32_t *cells, size_t n)
{
    fdt32_t be[16];
    for (size_t i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    CHECK(w, fdt_property(w->fdt, name, be, (int)(n * sizeof be[0])));
}

/* A property holding several strings ("a\0b\0"): the whole literal including its
 * final NUL, as QEMU writes string lists. */
#define PROP_STRINGS(w, name, literal) CHECK(w, fdt_property((w)->fdt, name, literal, sizeof literal))

/* reg = <address size> in the root's 2+2 cells. */
static void prop_reg64(struct writer *w, uint64_t base, uint64_t size)
{
    uint32_t cells[4] = { (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                          (uint32_t)size };
    prop_cells(w, "reg", cells, 4);
}

static void begin_node_at(struct writer *w, const char *name, uint64_t address)
{
    char node[64];
    snprintf(node, sizeof node, "%s@%llx", name, (unsigned long long)address);
    CHECK(w, fdt_begin_node(w->fdt, node));
}

static void write_psci(struct writer *w)
{
    CHECK(w, fdt_begin_node(w->fdt, "psci"));
    PROP_STRINGS(w, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
    CHECK(w, fdt_property_string(w->fdt, "method", VIRT_PSCI_METHOD));
    CHECK(w, fdt_property_u32(w->fdt, "cpu_suspend", VIRT_PSCI_FN_CPU_SUSPEND));
    CHECK(w, fdt_property_u32(w->fdt, "cpu_off", VIRT_PSCI_FN_CPU_OFF));
    CHECK(w, fdt_property_u32(w->fdt, "cpu_on", VIRT_PSCI_FN_CPU_ON));
    CHECK(w, fdt_property_u32(w->fdt, "migrate", VIRT_PSCI_FN_MIGRATE));
    CHECK(w, fdt_end_node(w->fdt));
}

static void write_memory(struct writer *w, const struct virt_dtb_config *cfg)
{
    begin_node_at(w, "memory", cfg->ram_base);
    CHECK(w, fdt_property_string(w->fdt, "device_type", "memory"));
    prop_reg64(w, cfg->ram_base, cfg->ram_size);
    CHECK(w, fdt_end_node(w->fdt));
}

/* /cpus: MPIDR affinity 0 is the CPU index below 8 CPUs (QEMU's GICv2 clusters of 8),
 * so #address-cells 1 and reg = index. The cpu-map gives Linux the topology QEMU's
 * default -smp N describes: one socket, one cluster, N cores. */
static void write_cpus(struct writer *w, const struct virt_dtb_config *cfg)
{
    char name[32];
    CHECK(w, fdt_begin_node(w->fdt, "cpus"));
    CHECK(w, fdt_property_u32(w->fdt, "#address-cells", 1));
    CHECK(w, fdt_property_u32(w->fdt, "#size-cells", 0));
    CHECK(w, fdt_begin_node(w->fdt, "cpu-map"));
    CHECK(w, fdt_begin_node(w->fdt, "socket0"));
    CHECK(w, fdt_begin_node(w->fdt, "cluster0"));
    for (unsigned cpu = 0; cpu < cfg->num_cpus; cpu++) {
        snprintf(name, sizeof name, "core%u", cpu);
        CHECK(w, fdt_begin_node(w->fdt, name));
        CHECK(w, fdt_property_u32(w->fdt, "cpu", cpu_phandle(cfg, cpu)));
        CHECK(w, fdt_end_node(w->fdt));
    }
    CHECK(w, fdt_end_node(w->fdt)); /* cluster0 */
    CHECK(w, fdt_end_node(w->fdt)); /* socket0 */
    CHECK(w, fdt_end_node(w->fdt)); /* cpu-map */
    for (unsigned cpu = 0; cpu < cfg->num_cpus; cpu++) {
        begin_node_at(w, "cpu", cpu);
        CHECK(w, fdt_property_string(w->fdt, "device_type", "cpu"));
        CHECK(w, fdt_property_string(w->fdt, "compatible", VIRT_CPU_COMPATIBLE));
        /* QEMU writes enable-method only for SMP; Ferry always does (docs/board.md):
         * the binding asks for it on ARMv8 CPUs and a 1-CPU Linux ignores it. */
        CHECK(w, fdt_property_string(w->fdt, "enable-method", "psci"));
        CHECK(w, fdt_property_u32(w->fdt, "reg", cpu));
        CHECK(w, fdt_property_u32(w->fdt, "phandle", cpu_phandle(cfg, cpu)));
        CHECK(w, fdt_end_node(w->fdt));
    }
    CHECK(w, fdt_end_node(w->fdt));
}

/* The GICv2 PPI flags of the timer: level-high, with the mask of CPUs the PPI is wired
 * to in bits 8..15 ((1 << N) - 1, truncated to 8 bits, as QEMU's deposit32 does). */
uint32_t virt_dtb_timer_irq_flags(unsigned num_cpus)
{
    uint32_t mask = (uint32_t)((1ull << num_cpus) - 1) & ((1u << GIC_FDT_IRQ_PPI_CPU_WIDTH) - 1);
    return GIC_FDT_IRQ_FLAGS_LEVEL_HI | (mask << GIC_FDT_IRQ_PPI_CPU_SHIFT);
}

static void write_timer(struct writer *w, const struct virt_dtb_config *cfg)
{
    uint32_t flags = virt_dtb_timer_irq_flags(cfg->num_cpus);
    uint32_t irqs[12] = {
        GIC_FDT_IRQ_TYPE_PPI, VIRT_TIMER_S_EL1_PPI, flags,
        GIC_FDT_IRQ_TYPE_PPI, VIRT_TIMER_NS_EL1_PPI, flags,
        GIC_FDT_IRQ_TYPE_PPI, VIRT_TIMER_VIRT_PPI, flags,
        GIC_FDT_IRQ_TYPE_PPI, VIRT_TIMER_NS_EL2_PPI, flags,
    };
    CHECK(w, fdt_begin_node(w->fdt, "timer"));
    PROP_STRINGS(w, "compatible", "arm,armv8-timer\0arm,armv7-timer");
    /* The counter keeps running in every power state Ferry has (QEMU says the same). */
    CHECK(w, fdt_property(w->fdt, "always-on", NULL, 0));
    prop_cells(w, "interrupts", irqs, 12);
    CHECK(w, fdt_end_node(w->fdt));
}

static void write_gic(struct writer *w, const struct virt_dtb_config *cfg)
{
    uint32_t reg[8] = {
        (uint32_t)(VIRT_GIC_DIST_BASE >> 32), (uint32_t)VIRT_GIC_DIST_BASE,
        (uint32_t)(VIRT_GIC_DIST_SIZE >> 32), (uint32_t)VIRT_GIC_DIST_SIZE,
        (uint32_t)(VIRT_GIC_CPU_BASE >> 32), (uint32_t)VIRT_GIC_CPU_BASE,
        (uint32_t)(VIRT_GIC_CPU_SIZE >> 32), (uint32_t)VIRT_GIC_CPU_SIZE,
    };
    begin_node_at(w, "intc", VIRT_GIC_DIST_BASE);
    CHECK(w, fdt_property_string(w->fdt, "compatible", "arm,cortex-a15-gic"));
    CHECK(w, fdt_property_u32(w->fdt, "#interrupt-cells", 3));
    CHECK(w, fdt_property(w->fdt, "interrupt-controller", NULL, 0));
    /* As QEMU: #address-cells is what an interrupt-map naming this controller needs
     * (dtc warns without it); the 2+2 cells and the empty ranges are ready for a child
     * frame (QEMU's GICv2m, or GICv3 ITS) in the root's address space. */
    CHECK(w, fdt_property_u32(w->fdt, "#address-cells", 2));
    CHECK(w, fdt_property_u32(w->fdt, "#size-cells", 2));
    CHECK(w, fdt_property(w->fdt, "ranges", NULL, 0));
    prop_cells(w, "reg", reg, 8);
    CHECK(w, fdt_property_u32(w->fdt, "phandle", gic_phandle(cfg)));
    CHECK(w, fdt_end_node(w->fdt));
}

static void write_clock(struct writer *w)
{
    CHECK(w, fdt_begin_node(w->fdt, "apb-pclk"));
    CHECK(w, fdt_property_string(w->fdt, "compatible", "fixed-clock"));
    CHECK(w, fdt_property_u32(w->fdt, "#clock-cells", 0));
    CHECK(w, fdt_property_u32(w->fdt, "clock-frequency", VIRT_APB_PCLK_HZ));
    CHECK(w, fdt_property_string(w->fdt, "clock-output-names", "clk24mhz"));
    CHECK(w, fdt_property_u32(w->fdt, "phandle", PHANDLE_CLOCK));
    CHECK(w, fdt_end_node(w->fdt));
}

static void write_spi_interrupt(struct writer *w, uint32_t spi)
{
    uint32_t irq[3] = { GIC_FDT_IRQ_TYPE_SPI, spi, GIC_FDT_IRQ_FLAGS_LEVEL_HI };
    prop_cells(w, "interrupts", irq, 3);
}

static void write_uart(struct writer *w)
{
    uint32_t clocks[2] = { PHANDLE_CLOCK, PHANDLE_CLOCK };
    begin_node_at(w, "pl011", VIRT_UART_BASE);
    PROP_STRINGS(w, "compatible", "arm,pl011\0arm,primecell");
    prop_reg64(w, VIRT_UART_BASE, VIRT_UART_SIZE);
    write_spi_interrupt(w, VIRT_UART_SPI);
    prop_cells(w, "clocks", clocks, 2);
    PROP_STRINGS(w, "clock-names", "uartclk\0apb_pclk");
    CHECK(w, fdt_end_node(w->fdt));
}

static void write_rtc(struct writer *w)
{
    begin_node_at(w, "pl031", VIRT_RTC_BASE);
    PROP_STRINGS(w, "compatible", "arm,pl031\0arm,primecell");
    prop_reg64(w, VIRT_RTC_BASE, VIRT_RTC_SIZE);
    write_spi_interrupt(w, VIRT_RTC_SPI);
    CHECK(w, fdt_property_u32(w->fdt, "clocks", PHANDLE_CLOCK));
    CHECK(w, fdt_property_string(w->fdt, "clock-names", "apb_pclk"));
    CHECK(w, fdt_end_node(w->fdt));
}

static void write_chosen(struct writer *w, const struct virt_dtb_config *cfg)
{
    char stdout_path[32];
    snprintf(stdout_path, sizeof stdout_path, "/pl011@%llx", (unsigned long long)VIRT_UART_BASE);
    CHECK(w, fdt_begin_node(w->fdt, "chosen"));
    if (cfg->bootargs && *cfg->bootargs)
        CHECK(w, fdt_property_string(w->fdt, "bootargs", cfg->bootargs));
    CHECK(w, fdt_property_string(w->fdt, "stdout-path", stdout_path));
    if (cfg->initrd_size) {
        /* 64-bit values (two cells, the root's #address-cells): the initrd may lie above
         * 4 GiB with large RAM. Linux reads either width. */
        CHECK(w, fdt_property_u64(w->fdt, "linux,initrd-start", cfg->initrd_start));
        CHECK(w, fdt_property_u64(w->fdt, "linux,initrd-end",
                                  cfg->initrd_start + cfg->initrd_size));
    }
    CHECK(w, fdt_end_node(w->fdt));
}

static int write_tree(void *buf, int buf_size, const struct virt_dtb_config *cfg)
{
    struct writer w = { .fdt = buf };
    CHECK(&w, fdt_create(buf, buf_size));
    CHECK(&w, fdt_finish_reservemap(buf));
    CHECK(&w, fdt_begin_node(buf, ""));
    CHECK(&w, fdt_property_string(buf, "compatible", "linux,dummy-virt"));
    CHECK(&w, fdt_property_string(buf, "model", "linux,dummy-virt"));
    CHECK(&w, fdt_property_u32(buf, "#address-cells", 2));
    CHECK(&w, fdt_property_u32(buf, "#size-cells", 2));
    CHECK(&w, fdt_property_u32(buf, "interrupt-parent", gic_phandle(cfg)));
    write_psci(&w);
    write_memory(&w, cfg);
    write_cpus(&w, cfg);
    write_timer(&w, cfg);
    write_gic(&w, cfg);
    write_clock(&w);
    write_uart(&w);
    write_rtc(&w);
    write_chosen(&w, cfg);
    CHECK(&w, fdt_end_node(buf));
    CHECK(&w, fdt_finish(buf));
    return w.error;
}

static int check_config(const struct virt_dtb_config *cfg, char *err, size_t err_size)
{
    if (!cfg) {
        ferry_set_error(err, err_size, "device tree: no configuration");
        return -1;
    }
    if (cfg->num_cpus < 1 || cfg->num_cpus > VIRT_GIC_MAX_CPUS) {
        ferry_set_error(err, err_size, "device tree: %u CPUs (the GICv2 board has 1..%u)",
                        cfg->num_cpus, VIRT_GIC_MAX_CPUS);
        return -1;
    }
    if (cfg->ram_size == 0 || cfg->ram_base + cfg->ram_size < cfg->ram_base) {
        ferry_set_error(err, err_size, "device tree: invalid RAM range 0x%llx+0x%llx",
                        (unsigned long long)cfg->ram_base, (unsigned long long)cfg->ram_size);
        return -1;
    }
    if (cfg->initrd_size &&
        (cfg->initrd_start < cfg->ram_base ||
         cfg->initrd_start - cfg->ram_base > cfg->ram_size ||
         cfg->initrd_size > cfg->ram_size - (cfg->initrd_start - cfg->ram_base))) {
        ferry_set_error(err, err_size,
                        "device tree: initrd 0x%llx+0x%llx lies outside guest RAM 0x%llx-0x%llx",
                        (unsigned long long)cfg->initrd_start, (unsigned long long)cfg->initrd_size,
                        (unsigned long long)cfg->ram_base,
                        (unsigned long long)(cfg->ram_base + cfg->ram_size - 1));
        return -1;
    }
    return 0;
}

int virt_dtb_build(const struct virt_dtb_config *cfg, void **blob, size_t *size,
                   char *err, size_t err_size)
{
    if (check_config(cfg, err, err_size) != 0)
        return -1;
    /* Grow the buffer until the tree fits (a long command line can need more). */
    for (size_t buf_size = 16384; buf_size <= VIRT_DTB_MAX_SIZE; buf_size *= 2) {
        void *buf = calloc(1, buf_size), *shrunk;
        int rc;
        if (!buf) {
            ferry_set_error(err, err_size, "device tree: out of memory");
            return -1;
        }
        rc = write_tree(buf, (int)buf_size, cfg);
        if (rc == -FDT_ERR_NOSPACE) {
            free(buf);
            continue;
        }
        if (rc < 0) {
            ferry_set_error(err, err_size, "device tree: libfdt: %s", fdt_strerror(rc));
            free(buf);
            return -1;
        }
        *size = fdt_totalsize(buf);
        shrunk = realloc(buf, *size);
        *blob = shrunk ? shrunk : buf;
        return 0;
    }
    ferry_set_error(err, err_size, "device tree: larger than %u KiB (is --append too long?)",
                    VIRT_DTB_MAX_SIZE >> 10);
    return -1;
}

/* ---- Fixing up a user DTB (libfdt's read-write API) ---------------------------- */

/* Reads a one-cell property of the root that must be 1 or 2 (#address-cells, ...). */
static int root_cells(const void *fdt, const char *prop, uint32_t *cells)
{
    int len;
    const fdt32_t *value = fdt_getprop(fdt, 0, prop, &len);
    if (!value || len != 4)
        return -1;
    *cells = fdt32_to_cpu(*value);
    return *cells == 1 || *cells == 2 ? 0 : -1;
}

/* Appends `value` as `cells` big-endian cells to out; false if it does not fit. */
static bool put_cells(fdt32_t *out, size_t *n, uint32_t cells, uint64_t value)
{
    if (cells == 1 && value > UINT32_MAX)
        return false;
    if (cells == 2)
        out[(*n)++] = cpu_to_fdt32((uint32_t)(value >> 32));
    out[(*n)++] = cpu_to_fdt32((uint32_t)value);
    return true;
}

static int fixup_fail(char *err, size_t err_size, const char *name, const char *what, int rc)
{
    if (rc < 0)
        ferry_set_error(err, err_size, "dtb %s: %s: %s", name, what, fdt_strerror(rc));
    else
        ferry_set_error(err, err_size, "dtb %s: %s", name, what);
    return -1;
}

int virt_dtb_fixup(const char *name, void **blob, size_t *size, const struct virt_dtb_config *cfg,
                   char *err, size_t err_size)
{
    uint32_t acells, scells;
    size_t bootargs_len = cfg && cfg->bootargs ? strlen(cfg->bootargs) : 0;
    size_t room, n = 0;
    fdt32_t cells[4];
    char node_name[64];
    void *fdt;
    int rc, off;

    {
        char why[200];
        if (check_config(cfg, why, sizeof why) != 0)
            return fixup_fail(err, err_size, name, why, 0);
    }
    if (root_cells(*blob, "#address-cells", &acells) != 0 ||
        root_cells(*blob, "#size-cells", &scells) != 0)
        return fixup_fail(err, err_size, name,
                          "the root needs #address-cells and #size-cells of 1 or 2", 0);
    if (scells < 2 && cfg->ram_size > UINT32_MAX)
        return fixup_fail(err, err_size, name,
                          "#size-cells 1 cannot describe 4 GiB of RAM or more", 0);
    /* Room for what is added: a memory and a psci node, chosen's properties. */
    room = *size + bootargs_len + 4096;
    if (room > VIRT_DTB_MAX_SIZE)
        return fixup_fail(err, err_size, name, "larger than 2 MiB with the command line", 0);
    fdt = malloc(room);
    if (!fdt)
        return fixup_fail(err, err_size, name, "out of memory", 0);
    rc = fdt_open_into(*blob, fdt, (int)room);
    if (rc < 0) {
        free(fdt);
        return fixup_fail(err, err_size, name, "cannot open the tree", rc);
    }

    /* Replace the memory nodes (QEMU nops every /memory and /memory@...). A walk cannot
     * step past a node it has just turned into NOPs, so it restarts after each one. */
    for (;;) {
        int found = -1;
        fdt_for_each_subnode(off, fdt, 0) {
            const char *node = fdt_get_name(fdt, off, NULL);
            if (node && (!strcmp(node, "memory") || !strncmp(node, "memory@", 7))) {
                found = off;
                break;
            }
        }
        if (found < 0)
            break;
        if ((rc = fdt_nop_node(fdt, found)) < 0)
            goto libfdt_failed;
    }
    snprintf(node_name, sizeof node_name, "memory@%llx", (unsigned long long)cfg->ram_base);
    if (!put_cells(cells, &n, acells, cfg->ram_base) || !put_cells(cells, &n, scells, cfg->ram_size)) {
        free(fdt);
        return fixup_fail(err, err_size, name, "#address-cells 1 cannot describe the RAM", 0);
    }
    if ((off = fdt_add_subnode(fdt, 0, node_name)) < 0 ||
        (rc = fdt_setprop_string(fdt, off, "device_type", "memory")) < 0 ||
        (rc = fdt_setprop(fdt, off, "reg", cells, (int)(n * sizeof cells[0]))) < 0) {
        rc = off < 0 ? off : rc;
        goto libfdt_failed;
    }

    off = fdt_path_offset(fdt, "/chosen");
    if (off == -FDT_ERR_NOTFOUND)
        off = fdt_add_subnode(fdt, 0, "chosen");
    if (off < 0) {
        rc = off;
        goto libfdt_failed;
    }
    if (bootargs_len && (rc = fdt_setprop_string(fdt, off, "bootargs", cfg->bootargs)) < 0)
        goto libfdt_failed;
    if (cfg->initrd_size) {
        fdt32_t start[2], end[2];
        size_t ns = 0, ne = 0;
        if (!put_cells(start, &ns, acells, cfg->initrd_start) ||
            !put_cells(end, &ne, acells, cfg->initrd_start + cfg->initrd_size)) {
            free(fdt);
            return fixup_fail(err, err_size, name, "#address-cells 1 cannot describe the initrd", 0);
        }
        if ((rc = fdt_setprop(fdt, off, "linux,initrd-start", start, (int)(ns * 4))) < 0 ||
            (rc = fdt_setprop(fdt, off, "linux,initrd-end", end, (int)(ne * 4))) < 0)
            goto libfdt_failed;
    }

    /* A tree that has /psci keeps it as it is (QEMU: "no fixup is necessary"). */
    if (fdt_path_offset(fdt, "/psci") == -FDT_ERR_NOTFOUND) {
        static const char compatible[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
        if ((off = fdt_add_subnode(fdt, 0, "psci")) < 0) {
            rc = off;
            goto libfdt_failed;
        }
        if ((rc = fdt_setprop(fdt, off, "compatible", compatible, sizeof compatible)) < 0 ||
            (rc = fdt_setprop_string(fdt, off, "method", VIRT_PSCI_METHOD)) < 0 ||
            (rc = fdt_setprop_u32(fdt, off, "cpu_suspend", VIRT_PSCI_FN_CPU_SUSPEND)) < 0 ||
            (rc = fdt_setprop_u32(fdt, off, "cpu_off", VIRT_PSCI_FN_CPU_OFF)) < 0 ||
            (rc = fdt_setprop_u32(fdt, off, "cpu_on", VIRT_PSCI_FN_CPU_ON)) < 0 ||
            (rc = fdt_setprop_u32(fdt, off, "migrate", VIRT_PSCI_FN_MIGRATE)) < 0)
            goto libfdt_failed;
    }

    if ((rc = fdt_pack(fdt)) < 0)
        goto libfdt_failed;
    *size = fdt_totalsize(fdt);
    {
        void *shrunk = realloc(fdt, *size);
        if (shrunk)
            fdt = shrunk;
    }
    free(*blob);
    *blob = fdt;
    return 0;

libfdt_failed:
    free(fdt);
    return fixup_fail(err, err_size, name, "cannot adapt the tree", rc);
}

int dtb_load_file(const char *path, void **blob, size_t *size, char *err, size_t err_size)
{
    struct stat st;
    size_t done = 0, file_size;
    uint8_t *buf;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
    if (fd < 0) {
        ferry_set_error(err, err_size, "dtb %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ferry_set_error(err, err_size, "dtb %s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_size == 0) {
        ferry_set_error(err, err_size, "dtb %s: file is empty", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > VIRT_DTB_MAX_SIZE) {
        ferry_set_error(err, err_size, "dtb %s: file is larger than %u KiB", path,
                        VIRT_DTB_MAX_SIZE >> 10);
        close(fd);
        return -1;
    }
    file_size = (size_t)st.st_size;
    buf = malloc(file_size);
    if (!buf) {
        ferry_set_error(err, err_size, "dtb %s: out of memory", path);
        close(fd);
        return -1;
    }
    while (done < file_size) {
        ssize_t n = read(fd, buf + done, file_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ferry_set_error(err, err_size, "dtb %s: read failed: %s", path,
                            n < 0 ? strerror(errno) : "file shrank while reading");
            free(buf);
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    close(fd);
    if (file_size < sizeof(struct fdt_header) || fdt_magic(buf) != FDT_MAGIC) {
        ferry_set_error(err, err_size, "dtb %s: not a flattened device tree (bad magic)", path);
        free(buf);
        return -1;
    }
    rc = fdt_check_header(buf);
    if (rc != 0) {
        ferry_set_error(err, err_size, "dtb %s: invalid header: %s", path, fdt_strerror(rc));
        free(buf);
        return -1;
    }
    if (fdt_totalsize(buf) != file_size) {
        ferry_set_error(err, err_size, "dtb %s: header says %u bytes but the file has %zu",
                        path, fdt_totalsize(buf), file_size);
        free(buf);
        return -1;
    }
    /* fdt_check_header checks the header and the blocks' bounds; fdt_check_full also
     * walks the structure block and the strings, so a corrupt tree is refused here
     * rather than found by the guest's early boot. */
    rc = fdt_check_full(buf, file_size);
    if (rc != 0) {
        ferry_set_error(err, err_size, "dtb %s: corrupt device tree: %s", path, fdt_strerror(rc));
        free(buf);
        return -1;
    }
    *blob = buf;
    *size = file_size;
    return 0;
}

int dtb_write_file(const char *path, const void *blob, size_t size, char *err, size_t err_size)
{
    size_t done = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        ferry_set_error(err, err_size, "dump-dtb %s: %s", path, strerror(errno));
        return -1;
    }
    while (done < size) {
        ssize_t n = write(fd, (const uint8_t *)blob + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ferry_set_error(err, err_size, "dump-dtb %s: write failed: %s", path,
                            n < 0 ? strerror(errno) : "no progress");
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    if (close(fd) != 0) {
        ferry_set_error(err, err_size, "dump-dtb %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}
