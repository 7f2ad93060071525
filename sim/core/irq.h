/*
 * An interrupt wire, not a device (STYLE.md P10): a chip model knows only its
 * output line; the board decides where the line goes (PIC IRQ0, I/O APIC pin
 * 2, a qtest interceptor).  A line carries a level; edge-triggered sources
 * pulse it (raise, then lower at the same instant).
 */
#ifndef SIM_CORE_IRQ_H
#define SIM_CORE_IRQ_H

#include <stdbool.h>

#include "sim/core/simtime.h"

struct irq_line {
	void (*set)(void *sink, unsigned pin, bool level, sim_ps now);
	void *sink;
	unsigned pin;
};

/* Drives the line; a NULL line or a line without a sink is not connected. */
static inline void irq_set(const struct irq_line *l, bool level, sim_ps now)
{
	if (l && l->set)
		l->set(l->sink, l->pin, level, now);
}

#endif
