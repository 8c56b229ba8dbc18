/* SPDX-License-Identifier: MIT */
#ifndef VMM_IRQ_H
#define VMM_IRQ_H

/* A device's interrupt output: one wire into an interrupt controller.
 * Devices drive the level; they do not know who listens. */
struct irq_line {
	void (*set_level)(void *ctrl, unsigned irq, int level);
	void *ctrl;
	unsigned irq;
};

static inline void irq_line_set(const struct irq_line *l, int level)
{
	if (l->set_level)
		l->set_level(l->ctrl, l->irq, level);
}

#endif
