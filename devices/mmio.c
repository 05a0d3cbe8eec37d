/* The MMIO bus: region registration (no overlaps) and dispatch of guest accesses. */
#include "devices/mmio.h"

void mmio_bus_init(struct mmio_bus *bus)
{
    bus->count = 0;
}

/* Last byte of a region; regions never wrap, so base + size - 1 cannot overflow. */
static uint64_t region_last(const struct mmio_region *r)
{
    return r->base + (r->size - 1);
}

bool mmio_bus_add(struct mmio_bus *bus, const struct mmio_region *region)
{
    if (!region || !region->ops || !region->ops->read || !region->ops->write)
        return false;
    if (region->size == 0 || region->base + (region->size - 1) < region->base)
        return false;
    if (bus->count >= MMIO_BUS_MAX_REGIONS)
        return false;

    unsigned pos = 0;
    while (pos < bus->count && bus->regions[pos].base < region->base)
        pos++;
    /* Sorted and disjoint: only the neighbours can overlap the new region. */
    if (pos > 0 && region_last(&bus->regions[pos - 1]) >= region->base)
        return false;
    if (pos < bus->count && region_last(region) >= bus->regions[pos].base)
        return false;

    for (unsigned i = bus->count; i > pos; i--)
        bus->regions[i] = bus->regions[i - 1];
    bus->regions[pos] = *region;
    bus->count++;
    return true;
}

const struct mmio_region *mmio_bus_find(const struct mmio_bus *bus, uint64_t addr, unsigned size)
{
    if (size == 0)
        return NULL;
    uint64_t last = addr + (size - 1);
    if (last < addr)
        return NULL;            /* the access itself wraps the address space */
    for (unsigned i = 0; i < bus->count && i < MMIO_BUS_MAX_REGIONS; i++) {
        const struct mmio_region *r = &bus->regions[i];
        if (addr < r->base)
            return NULL;        /* sorted: every later region starts even higher */
        if (addr <= region_last(r))
            return last <= region_last(r) ? r : NULL;
    }
    return NULL;
}

enum mmio_result mmio_bus_read(const struct mmio_bus *bus, uint64_t addr, unsigned size, uint64_t *value)
{
    *value = 0;
    if (!mmio_size_valid(size))
        return MMIO_DEVICE_ERROR;
    const struct mmio_region *r = mmio_bus_find(bus, addr, size);
    if (!r)
        return MMIO_UNMAPPED;
    uint64_t v = 0;
    if (!r->ops->read(r->dev, addr - r->base, size, &v))
        return MMIO_DEVICE_ERROR;
    *value = v & mmio_size_mask(size);
    return MMIO_OK;
}

enum mmio_result mmio_bus_write(const struct mmio_bus *bus, uint64_t addr, unsigned size, uint64_t value)
{
    if (!mmio_size_valid(size))
        return MMIO_DEVICE_ERROR;
    const struct mmio_region *r = mmio_bus_find(bus, addr, size);
    if (!r)
        return MMIO_UNMAPPED;
    if (!r->ops->write(r->dev, addr - r->base, size, value & mmio_size_mask(size)))
        return MMIO_DEVICE_ERROR;
    return MMIO_OK;
}
