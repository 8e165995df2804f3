/*
 * list: selection and scroll of a list pane. See list.h.
 */
#include "config.h"

#include <curses.h>
#include <stdlib.h>

#include "list.h"
#include "util.h"

void
list_reset(struct list *l)
{
	l->n = 0;
}

/* Returns the new row's index. */
int
list_add(struct list *l, int pick)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->pick = xreallocarray(l->pick, (size_t)l->cap, sizeof *l->pick);
	}
	l->pick[l->n] = pick != 0;
	return l->n++;
}

/* The first row at or after i (dir 1), or at or before i (dir -1), to stand on; -1 if none. */
static int
pickable(const struct list *l, int i, int dir)
{
	for (; i >= 0 && i < l->n; i += dir)
		if (l->pick[i])
			return i;
	return -1;
}

static int
max_top(const struct list *l)
{
	return l->n > l->height ? l->n - l->height : 0;
}

/* The scroll within the rows and the selection in view. */
static void
clamp(struct list *l)
{
	if (l->follow && !l->back)
		l->top = max_top(l);
	if (l->sel >= 0 && l->height > 0) {
		if (l->sel < l->top)
			l->top = l->sel;
		if (l->sel >= l->top + l->height)
			l->top = l->sel - l->height + 1;
	}
	if (l->top > max_top(l))
		l->top = max_top(l);
	if (l->top < 0)
		l->top = 0;
	if (l->follow)
		l->back = l->top < max_top(l);
}

void
list_fit(struct list *l, int height)
{
	l->height = height > 0 ? height : 0;
	int at = l->sel < 0 ? 0 : l->sel < l->n ? l->sel : l->n - 1;
	int s = pickable(l, at, 1);
	l->sel = s >= 0 ? s : pickable(l, at, -1);
	clamp(l);
}

void
list_select(struct list *l, int i)
{
	l->sel = i;
	list_fit(l, l->height);
}

/* Moves the selection by rows (a page when rows is the height); scrolls where it cannot. */
static void
step(struct list *l, int rows, int scroll)
{
	int dir = rows > 0 ? 1 : -1;
	if (scroll)
		l->top += rows;
	if (l->sel >= 0) {
		int to = l->sel + rows;
		to = to < 0 ? 0 : to >= l->n ? l->n - 1 : to;
		int s = pickable(l, to, -dir);
		if (s < 0 || (dir > 0 ? s <= l->sel : s >= l->sel))
			s = pickable(l, l->sel + dir, dir);
		if (s >= 0)
			l->sel = s;
		else if (!scroll)
			l->top += rows;
	} else if (!scroll)
		l->top += rows;
	if (l->follow)
		l->back = 1;
	clamp(l);
}

static void
edge(struct list *l, int end)
{
	if (l->sel >= 0)
		l->sel = end ? pickable(l, l->n - 1, -1) : pickable(l, 0, 1);
	l->top = end ? max_top(l) : 0;
	if (l->follow)
		l->back = !end;
	clamp(l);
}

/* 1 if the key was used. */
int
list_key(struct list *l, int key)
{
	int page = l->height > 1 ? l->height : 1;
	list_fit(l, l->height);	/* a selection from before the last fill */
	switch (key) {
	case KEY_UP:
	case 'k':
		step(l, -1, 0);
		break;
	case KEY_DOWN:
	case 'j':
		step(l, 1, 0);
		break;
	case KEY_PPAGE:
		step(l, -page, 1);
		break;
	case KEY_NPAGE:
		step(l, page, 1);
		break;
	case KEY_HOME:
	case 'g':
		edge(l, 0);
		break;
	case KEY_END:
	case 'G':
		edge(l, 1);
		break;
	default:
		return 0;
	}
	return 1;
}

int
list_selected(const struct list *l)
{
	return l->sel >= 0 && l->sel < l->n ? l->sel : -1;
}

int
list_end(const struct list *l)
{
	return l->top + l->height < l->n ? l->top + l->height : l->n;
}

void
list_free(struct list *l)
{
	free(l->pick);
	l->pick = NULL;
	l->n = l->cap = 0;
}
