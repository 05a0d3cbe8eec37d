/* Test helper: compares Ferry's virt DTB with QEMU's (-M virt,dumpdtb=FILE). Every node
 * and property Ferry writes must exist in QEMU's tree with the same bytes; every node
 * or property QEMU has and Ferry lacks must be one of the documented omissions below
 * (docs/board.md), so a change on either side shows up as a failure rather than as a
 * silent drift. Usage: dtb_compare FERRY.dtb QEMU.dtb */
#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* QEMU nodes Ferry does not model (by path prefix). */
static const char *const omitted_nodes[] = {
    "/platform-bus@",        /* dynamic sysbus devices */
    "/fw-cfg@",              /* QEMU's firmware configuration device */
    "/gpio-keys",            /* power button on the PL061 */
    "/pl061@",               /* GPIO controller */
    "/pcie@",                /* PCIe host bridge */
    "/pmu",                  /* performance monitors: not implemented */
    "/flash@",               /* boot flash */
    "/intc@8000000/v2m@",    /* GICv2m MSI frame (for PCIe) */
    "/virtio_mmio@",         /* virtio-mmio transports: the next issue */
};

/* QEMU properties Ferry does not write, per node. */
static const struct { const char *node, *prop; } omitted_props[] = {
    { "/chosen", "rng-seed" },             /* random: would make the DTB irreproducible */
    { "/chosen", "kaslr-seed" },
};

/* Ferry properties QEMU lacks (QEMU writes enable-method only with several CPUs). */
static const struct { const char *node_prefix, *prop; } extra_props[] = {
    { "/cpus/cpu@", "enable-method" },
};

/* Properties compared as numbers: QEMU 7.2 writes one cell, Ferry two. */
static const char *const numeric_props[] = { "linux,initrd-start", "linux,initrd-end" };

static int failures, intentional, compared;

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool node_omitted(const char *path)
{
    for (size_t i = 0; i < sizeof omitted_nodes / sizeof omitted_nodes[0]; i++)
        if (starts_with(path, omitted_nodes[i]))
            return true;
    return false;
}

static bool prop_omitted(const char *path, const char *prop)
{
    for (size_t i = 0; i < sizeof omitted_props / sizeof omitted_props[0]; i++)
        if (!strcmp(path, omitted_props[i].node) && !strcmp(prop, omitted_props[i].prop))
            return true;
    return false;
}

static bool prop_extra(const char *path, const char *prop)
{
    for (size_t i = 0; i < sizeof extra_props / sizeof extra_props[0]; i++)
        if (starts_with(path, extra_props[i].node_prefix) && !strcmp(prop, extra_props[i].prop))
            return true;
    return false;
}

static bool numeric(const char *prop)
{
    for (size_t i = 0; i < sizeof numeric_props / sizeof numeric_props[0]; i++)
        if (!strcmp(prop, numeric_props[i]))
            return true;
    return false;
}

static bool read_number(const void *value, int len, unsigned long long *out)
{
    /* Property values are only 4-byte aligned: copy before converting. */
    if (len == 4) {
        fdt32_t v;
        memcpy(&v, value, sizeof v);
        *out = fdt32_to_cpu(v);
        return true;
    }
    if (len == 8) {
        fdt64_t v;
        memcpy(&v, value, sizeof v);
        *out = fdt64_to_cpu(v);
        return true;
    }
    return false;
}

static void *load(const char *path)
{
    FILE *f = fopen(path, "rb");
    long size;
    void *buf;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "dtb_compare: cannot read %s\n", path);
        exit(2);
    }
    buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size || fdt_check_full(buf, (size_t)size)) {
        fprintf(stderr, "dtb_compare: %s is not a valid DTB\n", path);
        exit(2);
    }
    fclose(f);
    return buf;
}

/* Compares the properties of one node present in both trees. */
static void compare_node(const void *ours, int our_off, const void *qemu, int qemu_off,
                         const char *path)
{
    int prop;
    fdt_for_each_property_offset(prop, ours, our_off) {
        const char *name;
        int len, qlen;
        const void *value = fdt_getprop_by_offset(ours, prop, &name, &len);
        const void *qvalue = fdt_getprop(qemu, qemu_off, name, &qlen);
        compared++;
        if (!qvalue) {
            if (prop_extra(path, name)) {
                printf("  intentional: %s: %s only in Ferry's tree\n", path, name);
                intentional++;
            } else {
                printf("  FAIL %s: property %s is not in QEMU's tree\n", path, name);
                failures++;
            }
            continue;
        }
        if (numeric(name)) {
            unsigned long long a, b;
            if (!read_number(value, len, &a) || !read_number(qvalue, qlen, &b) || a != b) {
                printf("  FAIL %s: %s differs in value\n", path, name);
                failures++;
            } else if (len != qlen) {
                printf("  intentional: %s: %s is %d bytes (QEMU: %d), same value 0x%llx\n",
                       path, name, len, qlen, a);
                intentional++;
            }
            continue;
        }
        if (len != qlen || memcmp(value, qvalue, (size_t)len) != 0) {
            printf("  FAIL %s: property %s differs (Ferry %d bytes, QEMU %d bytes)\n", path,
                   name, len, qlen);
            failures++;
        }
    }
    fdt_for_each_property_offset(prop, qemu, qemu_off) {
        const char *name;
        int len;
        fdt_getprop_by_offset(qemu, prop, &name, &len);
        if (fdt_getprop(ours, our_off, name, &len))
            continue;
        if (prop_omitted(path, name)) {
            printf("  intentional: %s: QEMU's %s omitted\n", path, name);
            intentional++;
        } else {
            printf("  FAIL %s: QEMU's property %s is missing from Ferry's tree\n", path, name);
            failures++;
        }
    }
}

int main(int argc, char **argv)
{
    void *ours, *qemu;
    int off, depth;
    char path[512];
    if (argc != 3) {
        fprintf(stderr, "usage: dtb_compare FERRY.dtb QEMU.dtb\n");
        return 2;
    }
    ours = load(argv[1]);
    qemu = load(argv[2]);
    for (off = 0, depth = 0; off >= 0 && depth >= 0; off = fdt_next_node(ours, off, &depth)) {
        int qoff;
        if (fdt_get_path(ours, off, path, sizeof path) != 0)
            continue;
        qoff = fdt_path_offset(qemu, path);
        if (qoff < 0) {
            printf("  FAIL node %s is not in QEMU's tree\n", path);
            failures++;
            continue;
        }
        compare_node(ours, off, qemu, qoff, path);
    }
    for (off = 0, depth = 0; off >= 0 && depth >= 0; off = fdt_next_node(qemu, off, &depth)) {
        if (fdt_get_path(qemu, off, path, sizeof path) != 0 || fdt_path_offset(ours, path) >= 0)
            continue;
        if (node_omitted(path)) {
            /* One line per omitted kind is enough: skip the 31 further virtio slots. */
            if (!starts_with(path, "/virtio_mmio@") || !strcmp(path, "/virtio_mmio@a000000")) {
                printf("  intentional: QEMU's node %s%s omitted\n", path,
                       starts_with(path, "/virtio_mmio@") ? " (and the other slots)" : "");
                intentional++;
            }
        } else {
            printf("  FAIL QEMU's node %s is missing from Ferry's tree\n", path);
            failures++;
        }
    }
    printf("dtb_compare: %d properties compared, %d intentional differences, %d failures\n",
           compared, intentional, failures);
    free(ours);
    free(qemu);
    return failures ? 1 : 0;
}
