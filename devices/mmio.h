/* The MMIO interface every device model answers, and the small bus that routes a guest
 * physical access to the region holding it. The bus does no locking and no allocation:
 * the engine builds one bus at start-up and looks regions up on every device access. */
#ifndef FERRY_DEVICES_MMIO_H
#define FERRY_DEVICES_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A device's register handlers. offset is relative to the region; size is 1, 2, 4 or 8
 * (the handlers check it anyway: they are called with hostile values in tests). A read
 * stores the value zero-extended in *value. Return false only when the access must
 * become a guest-visible external abort (what the real device / QEMU's model does,
 * e.g. for 64-bit accesses to a 32-bit APB peripheral); an access to a register the
 * device does not have reads as zero / is ignored, is counted and returns true. */
struct mmio_ops {
    bool (*read)(void *dev, uint64_t offset, unsigned size, uint64_t *value);
    bool (*write)(void *dev, uint64_t offset, unsigned size, uint64_t value);
};

struct mmio_region {
    const char *name;
    uint64_t base, size;        /* [base, base + size), size > 0, no wrap-around */
    const struct mmio_ops *ops;
    void *dev;
};

#define MMIO_BUS_MAX_REGIONS 32

/* Regions kept sorted by base, so a lookup can stop early. */
struct mmio_bus {
    struct mmio_region regions[MMIO_BUS_MAX_REGIONS];
    unsigned count;
};

enum mmio_result {
    MMIO_OK,
    MMIO_UNMAPPED,      /* no region holds the whole access: the abort QEMU gives for
                           unassigned addresses */
    MMIO_DEVICE_ERROR,  /* the device refused the access (external abort) */
};

void mmio_bus_init(struct mmio_bus *bus);
/* Adds a copy of *region. Fails on an empty or wrapping region, missing ops, a full bus,
 * or an overlap with a region already there. */
bool mmio_bus_add(struct mmio_bus *bus, const struct mmio_region *region);
/* The region holding all of [addr, addr + size), or NULL (also for an access that
 * straddles a region's end). */
const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr, unsigned size);
/* *value is always written (0 unless MMIO_OK) and truncated to size bytes. */
enum mmio_result mmio_bus_read(const struct mmio_bus *bus, uint64_t addr, unsigned size, uint64_t *value);
enum mmio_result mmio_bus_write(const struct mmio_bus *bus, uint64_t addr, unsigned size, uint64_t value);

/* Helpers for the device models. */
static inline bool mmio_size_valid(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static inline uint64_t mmio_size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

#endif
