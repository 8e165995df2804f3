/*
 * pane: what every pane has: its ops, its own state and its window.
 */
#include "config.h"

#include <stdlib.h>

#include "pane.h"

void
pane_attach(struct pane *p, const struct pane_ops *ops)
{
	p->ops = ops;
	if (p->state == NULL && ops->state_size > 0)
		p->state = xcalloc(1, ops->state_size);
}

void
pane_detach(struct pane *p)
{
	if (p->win != NULL)
		delwin(p->win);
	p->win = NULL;
	if (p->state != NULL && p->ops != NULL && p->ops->free != NULL)
		p->ops->free(p->state);
	free(p->state);
	p->state = NULL;
}
