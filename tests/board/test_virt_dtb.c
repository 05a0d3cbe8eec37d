/* Unit tests of the virt board's DTB (hypervisor/board/virt_dtb.c): every node and
 * property read back with libfdt, the configurations (CPUs, RAM sizes, command line,
 * initrd), rejected configurations, and the --dtb / --dump-dtb file helpers with every
 * kind of bad file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/virt_board.h"
#include "hypervisor/board/virt_dtb.h"

static char tmpdir[64];

static const struct virt_dtb_config default_cfg = {
    .ram_base = VIRT_RAM_BASE,
    .ram_size = 512ull << 20,
    .num_cpus = 1,
    .bootargs = "console=ttyAMA0 earlycon",
    .initrd_start = 0x48000000,
    .initrd_size = 0x2710,
};

static void *build(const struct virt_dtb_config *cfg, size_t *size)
{
    void *blob = NULL;
    char err[256];
    if (virt_dtb_build(cfg, &blob, size, err, sizeof err) != 0)
        fail_msg("virt_dtb_build: %s", err);
    assert_int_equal(fdt_check_full(blob, *size), 0);
    assert_int_equal(fdt_totalsize(blob), *size);
    return blob;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    if (off < 0)
        fail_msg("node %s missing: %s", path, fdt_strerror(off));
    return off;
}

/* The property's exact bytes. */
static void expect_prop(const void *fdt, const char *path, const char *name, const void *value,
                        int len)
{
    int got_len = -1;
    const void *got = fdt_getprop(fdt, node(fdt, path), name, &got_len);
    if (!got)
        fail_msg("%s: property %s missing", path, name);
    if (got_len != len || memcmp(got, value, (size_t)len) != 0)
        fail_msg("%s: property %s differs (length %d, expected %d)", path, name, got_len, len);
}

#define EXPECT_STRINGS(fdt, path, name, literal) expect_prop(fdt, path, name, literal, sizeof literal)

static void expect_cells(const void *fdt, const char *path, const char *name, const uint32_t *cells,
                         int n)
{
    fdt32_t be[32];
    for (int i = 0; i < n; i++)
        be[i] = cpu_to_fdt32(cells[i]);
    expect_prop(fdt, path, name, be, n * 4);
}

static void expect_u32(const void *fdt, const char *path, const char *name, uint32_t value)
{
    expect_cells(fdt, path, name, &value, 1);
}

static void expect_u64(const void *fdt, const char *path, const char *name, uint64_t value)
{
    fdt64_t be = cpu_to_fdt64(value);
    expect_prop(fdt, path, name, &be, 8);
}

static void expect_absent(const void *fdt, const char *path, const char *name)
{
    int len;
    if (fdt_getprop(fdt, node(fdt, path), name, &len))
        fail_msg("%s: unexpected property %s", path, name);
}

static void test_default_tree(void **state)
{
    size_t size;
    void *fdt = build(&default_cfg, &size);
    int intc = node(fdt, "/intc@8000000");
    uint32_t gic = fdt_get_phandle(fdt, intc);

    /* Root */
    EXPECT_STRINGS(fdt, "/", "compatible", "linux,dummy-virt");
    EXPECT_STRINGS(fdt, "/", "model", "linux,dummy-virt");
    expect_u32(fdt, "/", "#address-cells", 2);
    expect_u32(fdt, "/", "#size-cells", 2);
    expect_u32(fdt, "/", "interrupt-parent", gic);
    assert_int_equal(gic, 0x8002);

    /* PSCI */
    EXPECT_STRINGS(fdt, "/psci", "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
    EXPECT_STRINGS(fdt, "/psci", "method", "hvc");
    expect_u32(fdt, "/psci", "cpu_suspend", 0xc4000001);
    expect_u32(fdt, "/psci", "cpu_off", 0x84000002);
    expect_u32(fdt, "/psci", "cpu_on", 0xc4000003);
    expect_u32(fdt, "/psci", "migrate", 0xc4000005);

    /* Memory */
    EXPECT_STRINGS(fdt, "/memory@40000000", "device_type", "memory");
    {
        uint32_t reg[4] = { 0, 0x40000000, 0, 0x20000000 };
        expect_cells(fdt, "/memory@40000000", "reg", reg, 4);
    }

    /* CPUs */
    expect_u32(fdt, "/cpus", "#address-cells", 1);
    expect_u32(fdt, "/cpus", "#size-cells", 0);
    EXPECT_STRINGS(fdt, "/cpus/cpu@0", "device_type", "cpu");
    EXPECT_STRINGS(fdt, "/cpus/cpu@0", "compatible", "arm,cortex-a72");
    EXPECT_STRINGS(fdt, "/cpus/cpu@0", "enable-method", "psci");
    expect_u32(fdt, "/cpus/cpu@0", "reg", 0);
    expect_u32(fdt, "/cpus/cpu@0", "phandle", 0x8001);
    expect_u32(fdt, "/cpus/cpu-map/socket0/cluster0/core0", "cpu", 0x8001);
    assert_int_equal(fdt_path_offset(fdt, "/cpus/cpu@1"), -FDT_ERR_NOTFOUND);

    /* Timer: PPIs 13, 14, 11, 10, level-high, CPU mask 0x1 (QEMU's 0x104). */
    EXPECT_STRINGS(fdt, "/timer", "compatible", "arm,armv8-timer\0arm,armv7-timer");
    expect_prop(fdt, "/timer", "always-on", "", 0);
    {
        uint32_t irqs[12] = { 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104 };
        expect_cells(fdt, "/timer", "interrupts", irqs, 12);
    }

    /* GIC */
    EXPECT_STRINGS(fdt, "/intc@8000000", "compatible", "arm,cortex-a15-gic");
    expect_u32(fdt, "/intc@8000000", "#interrupt-cells", 3);
    expect_prop(fdt, "/intc@8000000", "interrupt-controller", "", 0);
    expect_u32(fdt, "/intc@8000000", "#address-cells", 2);
    expect_u32(fdt, "/intc@8000000", "#size-cells", 2);
    expect_prop(fdt, "/intc@8000000", "ranges", "", 0);
    {
        uint32_t reg[8] = { 0, 0x08000000, 0, 0x10000, 0, 0x08010000, 0, 0x10000 };
        expect_cells(fdt, "/intc@8000000", "reg", reg, 8);
    }

    /* Clock */
    EXPECT_STRINGS(fdt, "/apb-pclk", "compatible", "fixed-clock");
    expect_u32(fdt, "/apb-pclk", "#clock-cells", 0);
    expect_u32(fdt, "/apb-pclk", "clock-frequency", 24000000);
    EXPECT_STRINGS(fdt, "/apb-pclk", "clock-output-names", "clk24mhz");
    expect_u32(fdt, "/apb-pclk", "phandle", 0x8000);

    /* PL011 */
    EXPECT_STRINGS(fdt, "/pl011@9000000", "compatible", "arm,pl011\0arm,primecell");
    {
        uint32_t reg[4] = { 0, 0x09000000, 0, 0x1000 }, irq[3] = { 0, 1, 4 };
        uint32_t clocks[2] = { 0x8000, 0x8000 };
        expect_cells(fdt, "/pl011@9000000", "reg", reg, 4);
        expect_cells(fdt, "/pl011@9000000", "interrupts", irq, 3);
        expect_cells(fdt, "/pl011@9000000", "clocks", clocks, 2);
    }
    EXPECT_STRINGS(fdt, "/pl011@9000000", "clock-names", "uartclk\0apb_pclk");

    /* PL031 */
    EXPECT_STRINGS(fdt, "/pl031@9010000", "compatible", "arm,pl031\0arm,primecell");
    {
        uint32_t reg[4] = { 0, 0x09010000, 0, 0x1000 }, irq[3] = { 0, 2, 4 };
        expect_cells(fdt, "/pl031@9010000", "reg", reg, 4);
        expect_cells(fdt, "/pl031@9010000", "interrupts", irq, 3);
    }
    expect_u32(fdt, "/pl031@9010000", "clocks", 0x8000);
    EXPECT_STRINGS(fdt, "/pl031@9010000", "clock-names", "apb_pclk");

    /* Chosen: stdout-path resolves to the UART node. */
    EXPECT_STRINGS(fdt, "/chosen", "bootargs", "console=ttyAMA0 earlycon");
    EXPECT_STRINGS(fdt, "/chosen", "stdout-path", "/pl011@9000000");
    assert_int_equal(fdt_path_offset(fdt, "/pl011@9000000"), node(fdt, "/pl011@9000000"));
    expect_u64(fdt, "/chosen", "linux,initrd-start", 0x48000000);
    expect_u64(fdt, "/chosen", "linux,initrd-end", 0x48002710);

    /* The phandles are unique and every reference resolves. */
    assert_int_equal(fdt_node_offset_by_phandle(fdt, 0x8000), node(fdt, "/apb-pclk"));
    assert_int_equal(fdt_node_offset_by_phandle(fdt, 0x8001), node(fdt, "/cpus/cpu@0"));
    assert_int_equal(fdt_node_offset_by_phandle(fdt, 0x8002), intc);

    /* No virtio-mmio transports yet (the next issue adds them), no PMU. */
    assert_int_equal(fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"), -FDT_ERR_NOTFOUND);
    assert_int_equal(fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-pmuv3"), -FDT_ERR_NOTFOUND);
    /* No memory reservations. */
    assert_int_equal(fdt_num_mem_rsv(fdt), 0);
    free(fdt);
}

static void test_no_bootargs_no_initrd(void **state)
{
    struct virt_dtb_config cfg = default_cfg;
    size_t size;
    void *fdt;
    cfg.bootargs = NULL;
    cfg.initrd_size = 0;
    fdt = build(&cfg, &size);
    expect_absent(fdt, "/chosen", "bootargs");
    expect_absent(fdt, "/chosen", "linux,initrd-start");
    expect_absent(fdt, "/chosen", "linux,initrd-end");
    EXPECT_STRINGS(fdt, "/chosen", "stdout-path", "/pl011@9000000");
    free(fdt);
    cfg.bootargs = ""; /* QEMU writes no bootargs for an empty -append */
    fdt = build(&cfg, &size);
    expect_absent(fdt, "/chosen", "bootargs");
    free(fdt);
}

/* Several CPUs: one node each, phandles from the last CPU down (QEMU's allocation order),
 * the GIC after them, and the timer's CPU mask widened. */
static void test_smp(void **state)
{
    static const unsigned counts[] = { 2, 4, 8 };
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        struct virt_dtb_config cfg = default_cfg;
        unsigned n = counts[k];
        uint32_t flags = 4u | (((1u << n) - 1) << 8);
        uint32_t irqs[12] = { 1, 13, flags, 1, 14, flags, 1, 11, flags, 1, 10, flags };
        size_t size;
        void *fdt;
        cfg.num_cpus = n;
        fdt = build(&cfg, &size);
        for (unsigned cpu = 0; cpu < n; cpu++) {
            char path[64];
            snprintf(path, sizeof path, "/cpus/cpu@%u", cpu);
            expect_u32(fdt, path, "reg", cpu);
            expect_u32(fdt, path, "phandle", 0x8000 + n - cpu);
            EXPECT_STRINGS(fdt, path, "enable-method", "psci");
            snprintf(path, sizeof path, "/cpus/cpu-map/socket0/cluster0/core%u", cpu);
            expect_u32(fdt, path, "cpu", 0x8000 + n - cpu);
        }
        expect_u32(fdt, "/intc@8000000", "phandle", 0x8000 + n + 1);
        expect_u32(fdt, "/", "interrupt-parent", 0x8000 + n + 1);
        expect_cells(fdt, "/timer", "interrupts", irqs, 12);
        free(fdt);
    }
    assert_int_equal(virt_dtb_timer_irq_flags(1), 0x104);
    assert_int_equal(virt_dtb_timer_irq_flags(2), 0x304);
    assert_int_equal(virt_dtb_timer_irq_flags(8), 0xff04);
}

static void test_large_ram_and_long_command_line(void **state)
{
    struct virt_dtb_config cfg = default_cfg;
    size_t size, len = 100000;
    char *line = malloc(len + 1);
    void *fdt;
    memset(line, 'x', len);
    line[len] = '\0';
    cfg.ram_size = 255ull << 30;
    cfg.bootargs = line;
    cfg.initrd_start = 0x1040000000ull; /* above 4 GiB: needs the 64-bit cells */
    cfg.initrd_size = 0x1000;
    fdt = build(&cfg, &size);
    {
        uint32_t reg[4] = { 0, 0x40000000, 0x3f, 0xc0000000 };
        expect_cells(fdt, "/memory@40000000", "reg", reg, 4);
    }
    expect_prop(fdt, "/chosen", "bootargs", line, (int)len + 1);
    expect_u64(fdt, "/chosen", "linux,initrd-start", 0x1040000000ull);
    expect_u64(fdt, "/chosen", "linux,initrd-end", 0x1040001000ull);
    free(fdt);
    free(line);

    cfg = default_cfg;
    cfg.ram_base = 0x80000000;
    cfg.initrd_size = 0;
    fdt = build(&cfg, &size);
    node(fdt, "/memory@80000000");
    assert_int_equal(fdt_path_offset(fdt, "/memory@40000000"), -FDT_ERR_NOTFOUND);
    free(fdt);
}

static void expect_build_error(const struct virt_dtb_config *cfg, const char *expected)
{
    void *blob = (void *)1;
    size_t size = 0;
    char err[256];
    assert_int_equal(virt_dtb_build(cfg, &blob, &size, err, sizeof err), -1);
    if (!strstr(err, expected))
        fail_msg("error '%s' lacks '%s'", err, expected);
    assert_null(strchr(err, '\n'));
}

static void test_bad_configs(void **state)
{
    struct virt_dtb_config cfg = default_cfg;
    char *huge;
    expect_build_error(NULL, "no configuration");
    cfg.num_cpus = 0;
    expect_build_error(&cfg, "0 CPUs (the GICv2 board has 1..8)");
    cfg.num_cpus = 9;
    expect_build_error(&cfg, "9 CPUs");
    cfg = default_cfg;
    cfg.ram_size = 0;
    expect_build_error(&cfg, "invalid RAM range");
    cfg.ram_base = UINT64_MAX - 0xfff;
    cfg.ram_size = 0x2000;
    expect_build_error(&cfg, "invalid RAM range");
    cfg = default_cfg;
    cfg.initrd_start = 0x3ff00000;
    expect_build_error(&cfg, "initrd 0x3ff00000+0x2710 lies outside guest RAM 0x40000000-0x5fffffff");
    cfg.initrd_start = 0x5ffff000;
    expect_build_error(&cfg, "lies outside guest RAM");
    cfg.initrd_start = 0x40000000;
    cfg.initrd_size = UINT64_MAX;
    expect_build_error(&cfg, "lies outside guest RAM");
    /* A command line too long for a 2 MiB DTB. */
    cfg = default_cfg;
    huge = malloc(3u << 20);
    memset(huge, 'y', (3u << 20) - 1);
    huge[(3u << 20) - 1] = '\0';
    cfg.bootargs = huge;
    expect_build_error(&cfg, "device tree: larger than 2048 KiB");
    free(huge);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void expect_load_error(const char *path, const char *expected)
{
    void *blob = NULL;
    size_t size = 0;
    char err[512];
    assert_int_equal(dtb_load_file(path, &blob, &size, err, sizeof err), -1);
    if (!strstr(err, expected))
        fail_msg("error '%s' lacks '%s'", err, expected);
    if (strncmp(err, "dtb ", 4) != 0 || !strstr(err, path))
        fail_msg("error '%s' does not name the file %s", err, path);
    assert_null(strchr(err, '\n'));
    assert_null(blob);
}

static void test_file_round_trip(void **state)
{
    size_t size, loaded_size;
    void *fdt = build(&default_cfg, &size), *loaded = NULL;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/virt.dtb", tmpdir);
    assert_int_equal(dtb_write_file(path, fdt, size, err, sizeof err), 0);
    assert_int_equal(dtb_load_file(path, &loaded, &loaded_size, err, sizeof err), 0);
    assert_int_equal(loaded_size, size);
    assert_memory_equal(loaded, fdt, size);
    /* Writing again replaces the file (a shorter blob leaves no tail behind). */
    assert_int_equal(dtb_write_file(path, "abc", 3, err, sizeof err), 0);
    {
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, 3);
    }
    free(loaded);
    free(fdt);
}

static void test_bad_dtb_files(void **state)
{
    size_t size;
    uint8_t *fdt = build(&default_cfg, &size), *copy = malloc(size);
    char path[128], err[256];

    expect_load_error("/nonexistent/virt.dtb", "No such file or directory");
    expect_load_error(tmpdir, "not a regular file");
    snprintf(path, sizeof path, "%s/empty.dtb", tmpdir);
    write_bytes(path, "", 0);
    expect_load_error(path, "file is empty");
    snprintf(path, sizeof path, "%s/text.dtb", tmpdir);
    write_bytes(path, "/dts-v1/; / { };\n", 17);
    expect_load_error(path, "not a flattened device tree (bad magic)");
    snprintf(path, sizeof path, "%s/short.dtb", tmpdir);
    write_bytes(path, fdt, 3);
    expect_load_error(path, "bad magic");
    /* Truncated: the header promises more than the file holds. */
    snprintf(path, sizeof path, "%s/truncated.dtb", tmpdir);
    write_bytes(path, fdt, size - 16);
    expect_load_error(path, "");
    /* A file longer than the blob its header describes. */
    {
        uint8_t *longer = calloc(1, size + 64);
        memcpy(longer, fdt, size);
        snprintf(path, sizeof path, "%s/long.dtb", tmpdir);
        write_bytes(path, longer, size + 64);
        expect_load_error(path, "header says");
        free(longer);
    }
    /* Bad version, and totalsize pointing past the end. */
    memcpy(copy, fdt, size);
    ((fdt32_t *)copy)[5] = cpu_to_fdt32(1); /* version 1 */
    snprintf(path, sizeof path, "%s/version.dtb", tmpdir);
    write_bytes(path, copy, size);
    expect_load_error(path, "invalid header");
    memcpy(copy, fdt, size);
    ((fdt32_t *)copy)[2] = cpu_to_fdt32(0xfffffff0); /* off_dt_struct */
    snprintf(path, sizeof path, "%s/offset.dtb", tmpdir);
    write_bytes(path, copy, size);
    expect_load_error(path, "invalid header");
    /* A corrupt structure block: the first tag is not FDT_BEGIN_NODE. */
    memcpy(copy, fdt, size);
    {
        uint32_t off = fdt_off_dt_struct(copy);
        copy[off + 3] = 0x7;
    }
    snprintf(path, sizeof path, "%s/struct.dtb", tmpdir);
    write_bytes(path, copy, size);
    expect_load_error(path, "corrupt device tree");
    /* Larger than the 2 MiB limit (sparse). */
    snprintf(path, sizeof path, "%s/huge.dtb", tmpdir);
    {
        int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (3 << 20)), 0);
        close(fd);
    }
    expect_load_error(path, "file is larger than 2048 KiB");
    /* Writing into a folder that does not exist names the file. */
    assert_int_equal(dtb_write_file("/nonexistent/out.dtb", fdt, size, err, sizeof err), -1);
    assert_string_equal(err, "dump-dtb /nonexistent/out.dtb: No such file or directory");
    free(copy);
    free(fdt);
}

/* A user tree: root cells as given (0: property absent), two memory nodes, a /chosen
 * with a command line unless no_chosen, a /psci with method "smc" if with_psci. */
static void *user_tree(uint32_t acells, uint32_t scells, bool no_chosen, bool with_psci, size_t *size)
{
    size_t cap = 8192;
    void *fdt = malloc(cap);
    int off;
    assert_int_equal(fdt_create_empty_tree(fdt, (int)cap), 0);
    if (acells)
        assert_int_equal(fdt_setprop_u32(fdt, 0, "#address-cells", acells), 0);
    if (scells)
        assert_int_equal(fdt_setprop_u32(fdt, 0, "#size-cells", scells), 0);
    /* "memory" first: libfdt matches a name without unit address against "memory@...". */
    off = fdt_add_subnode(fdt, 0, "memory");
    assert_true(off >= 0);
    off = fdt_add_subnode(fdt, 0, "memory@80000000");
    assert_true(off >= 0);
    assert_int_equal(fdt_setprop_string(fdt, off, "device_type", "memory"), 0);
    off = fdt_add_subnode(fdt, 0, "soc");
    assert_true(off >= 0);
    off = fdt_add_subnode(fdt, off, "memory@0"); /* not at the root: kept */
    assert_true(off >= 0);
    if (!no_chosen) {
        off = fdt_add_subnode(fdt, 0, "chosen");
        assert_int_equal(fdt_setprop_string(fdt, off, "bootargs", "old"), 0);
    }
    if (with_psci) {
        off = fdt_add_subnode(fdt, 0, "psci");
        assert_int_equal(fdt_setprop_string(fdt, off, "method", "smc"), 0);
    }
    assert_int_equal(fdt_pack(fdt), 0);
    *size = fdt_totalsize(fdt);
    return fdt;
}

static void fixup_ok(void **fdt, size_t *size, const struct virt_dtb_config *cfg)
{
    char err[256];
    if (virt_dtb_fixup("user.dtb", fdt, size, cfg, err, sizeof err) != 0)
        fail_msg("virt_dtb_fixup: %s", err);
    assert_int_equal(fdt_check_full(*fdt, *size), 0);
    assert_int_equal(fdt_totalsize(*fdt), *size);
}

static void fixup_fails(void *fdt, size_t size, const struct virt_dtb_config *cfg, const char *expected)
{
    char err[256];
    void *blob = fdt;
    assert_int_equal(virt_dtb_fixup("user.dtb", &blob, &size, cfg, err, sizeof err), -1);
    assert_ptr_equal(blob, fdt); /* untouched */
    if (!strstr(err, expected) || strncmp(err, "dtb user.dtb: ", 14) != 0)
        fail_msg("error '%s' lacks 'dtb user.dtb: ...%s'", err, expected);
}

/* --dtb: the user tree adapted as QEMU's arm_load_dtb adapts a -dtb file. */
static void test_fixup_user_dtb(void **state)
{
    size_t size;
    void *fdt = user_tree(2, 2, false, false, &size);
    fixup_ok(&fdt, &size, &default_cfg);
    assert_int_equal(fdt_path_offset(fdt, "/memory@80000000"), -FDT_ERR_NOTFOUND);
    {
        /* One memory node is left at the root: the new one. */
        int off, count = 0;
        fdt_for_each_subnode(off, fdt, 0) {
            if (!strncmp(fdt_get_name(fdt, off, NULL), "memory", 6)) {
                assert_string_equal(fdt_get_name(fdt, off, NULL), "memory@40000000");
                count++;
            }
        }
        assert_int_equal(count, 1);
    }
    node(fdt, "/soc/memory@0");
    EXPECT_STRINGS(fdt, "/memory@40000000", "device_type", "memory");
    {
        uint32_t reg[4] = { 0, 0x40000000, 0, 0x20000000 };
        expect_cells(fdt, "/memory@40000000", "reg", reg, 4);
    }
    EXPECT_STRINGS(fdt, "/chosen", "bootargs", "console=ttyAMA0 earlycon");
    expect_u64(fdt, "/chosen", "linux,initrd-start", 0x48000000);
    expect_u64(fdt, "/chosen", "linux,initrd-end", 0x48002710);
    EXPECT_STRINGS(fdt, "/psci", "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
    EXPECT_STRINGS(fdt, "/psci", "method", "hvc");
    expect_u32(fdt, "/psci", "cpu_on", 0xc4000003);
    expect_u32(fdt, "/psci", "migrate", 0xc4000005);
    free(fdt);

    /* An existing /psci is kept; an empty command line keeps the tree's; no /chosen gets
     * one; one-cell addresses and sizes are written as one cell. */
    {
        struct virt_dtb_config cfg = default_cfg;
        cfg.bootargs = "";
        fdt = user_tree(1, 1, false, true, &size);
        fixup_ok(&fdt, &size, &cfg);
        EXPECT_STRINGS(fdt, "/psci", "method", "smc");
        expect_absent(fdt, "/psci", "compatible");
        EXPECT_STRINGS(fdt, "/chosen", "bootargs", "old");
        {
            uint32_t reg[2] = { 0x40000000, 0x20000000 };
            expect_cells(fdt, "/memory@40000000", "reg", reg, 2);
        }
        expect_u32(fdt, "/chosen", "linux,initrd-start", 0x48000000);
        expect_u32(fdt, "/chosen", "linux,initrd-end", 0x48002710);
        free(fdt);
        cfg.bootargs = NULL;
        cfg.initrd_size = 0;
        fdt = user_tree(2, 2, true, false, &size);
        fixup_ok(&fdt, &size, &cfg);
        node(fdt, "/chosen");
        expect_absent(fdt, "/chosen", "bootargs");
        expect_absent(fdt, "/chosen", "linux,initrd-start");
        free(fdt);
    }
}

static void test_fixup_errors(void **state)
{
    struct virt_dtb_config cfg = default_cfg;
    size_t size;
    void *fdt = user_tree(0, 2, false, false, &size);
    fixup_fails(fdt, size, &cfg, "the root needs #address-cells and #size-cells of 1 or 2");
    free(fdt);
    fdt = user_tree(3, 2, false, false, &size);
    fixup_fails(fdt, size, &cfg, "of 1 or 2");
    free(fdt);
    fdt = user_tree(1, 1, false, false, &size);
    cfg.ram_size = 4ull << 30;
    fixup_fails(fdt, size, &cfg, "#size-cells 1 cannot describe 4 GiB of RAM or more");
    cfg = default_cfg;
    cfg.ram_base = 0x100000000ull;
    cfg.initrd_size = 0;
    fixup_fails(fdt, size, &cfg, "#address-cells 1 cannot describe the RAM");
    cfg = default_cfg;
    cfg.ram_size = 8ull << 30;
    cfg.initrd_start = 0x140000000ull;
    free(fdt);
    fdt = user_tree(1, 2, false, false, &size);
    fixup_fails(fdt, size, &cfg, "#address-cells 1 cannot describe the initrd");
    cfg = default_cfg;
    cfg.num_cpus = 0;
    fixup_fails(fdt, size, &cfg, "0 CPUs");
    {
        char *huge = malloc(3u << 20);
        memset(huge, 'z', (3u << 20) - 1);
        huge[(3u << 20) - 1] = '\0';
        cfg = default_cfg;
        cfg.bootargs = huge;
        fixup_fails(fdt, size, &cfg, "larger than 2 MiB");
        free(huge);
    }
    free(fdt);
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ferry-dtb.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_tree),
        cmocka_unit_test(test_no_bootargs_no_initrd),
        cmocka_unit_test(test_smp),
        cmocka_unit_test(test_large_ram_and_long_command_line),
        cmocka_unit_test(test_bad_configs),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_bad_dtb_files),
        cmocka_unit_test(test_fixup_user_dtb),
        cmocka_unit_test(test_fixup_errors),
    };
    return cmocka_run_group_tests_name("virt_dtb", tests, setup, teardown);
}
