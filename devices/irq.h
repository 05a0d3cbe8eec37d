/* An interrupt line from a device to an interrupt controller input. Devices drive their
 * lines as levels; the controller (devices/gicv2.h) turns the value into pending state,
 * so a device may set the same level repeatedly. */
#ifndef FERRY_DEVICES_IRQ_H
#define FERRY_DEVICES_IRQ_H

#include <stdbool.h>
#include <stddef.h>

struct irq_line {
    void (*set)(void *ctx, unsigned line, bool level);
    void *ctx;
    unsigned line;      /* the controller's own encoding of the input */
};

/* An unconnected line (set == NULL) ignores every change. */
static inline void irq_line_set(const struct irq_line *l, bool level)
{
    if (l && l->set)
        l->set(l->ctx, l->line, level);
}

#endif
