/*
 * The list every list pane scrolls with: the selection stays in view on a
 * resize, paging stops at the edges, rows the cursor may not stand on are
 * stepped over, an empty list takes every key, and a list read from the
 * bottom (logs, timeline) stays at its end as rows come unless scrolled
 * back.
 */
#include "config.h"

#include <curses.h>

#include "list.h"
#include "tap.h"

static void
fill(struct list *l, int n, int height)
{
	list_reset(l);
	for (int i = 0; i < n; i++)
		list_add(l, 1);
	list_fit(l, height);
}

static int
in_view(const struct list *l)
{
	return l->sel >= l->top && l->sel < list_end(l);
}

static void
test_resize(void)
{
	struct list l = { 0 };
	fill(&l, 100, 20);
	is_int(l.sel, 0, "a new list selects its first row");
	list_select(&l, 50);
	ok(in_view(&l), "a selected row far down is brought into view (top %d)", l.top);
	is_int(list_end(&l) - l.top, 20, "20 rows shown");
	list_fit(&l, 5);
	ok(in_view(&l), "shrunk to 5 rows, the selection is still in view (top %d)", l.top);
	is_int(l.sel, 50, "and still the same row");
	list_fit(&l, 0);
	is_int(list_end(&l) - l.top, 0, "no room: no row shown");
	list_fit(&l, 200);
	is_int(l.top, 0, "taller than the rows: from the first row");
	is_int(list_end(&l), 100, "every row shown");
	fill(&l, 10, 200);
	is_int(l.sel, 9, "fewer rows than the selection: the last row is selected");
	list_free(&l);
}

static void
test_paging(void)
{
	struct list l = { 0 };
	fill(&l, 35, 10);
	list_key(&l, KEY_PPAGE);
	is_int(l.sel, 0, "PageUp on the first row stays there");
	is_int(l.top, 0, "without scrolling");
	list_key(&l, KEY_NPAGE);
	is_int(l.sel, 10, "PageDown moves a page");
	is_int(l.top, 10, "and scrolls a page");
	list_key(&l, KEY_NPAGE);
	list_key(&l, KEY_NPAGE);
	is_int(l.sel, 30, "a third page");
	is_int(l.top, 25, "the scroll stops with the last row at the bottom");
	list_key(&l, KEY_NPAGE);
	is_int(l.sel, 34, "PageDown past the end selects the last row");
	list_key(&l, KEY_NPAGE);
	is_int(l.sel, 34, "and stays there");
	is_int(list_end(&l), 35, "with the last row shown");
	list_key(&l, 'j');
	is_int(l.sel, 34, "down on the last row stays");
	list_key(&l, KEY_HOME);
	is_int(l.sel, 0, "Home: the first row");
	is_int(l.top, 0, "from the top");
	list_key(&l, 'G');
	is_int(l.sel, 34, "G: the last row");
	ok(in_view(&l), "in view");
	list_key(&l, KEY_PPAGE);
	is_int(l.sel, 24, "PageUp moves a page back");
	ok(in_view(&l), "in view");
	ok(!list_key(&l, 'x'), "other keys are left to the pane");
	list_free(&l);
}

static void
test_pick(void)
{
	struct list l = { 0 };
	/* a rule, two items, a rule, an item, two notes */
	static const int pick[] = { 0, 1, 1, 0, 1, 0, 0 };
	for (size_t i = 0; i < sizeof pick / sizeof pick[0]; i++)
		list_add(&l, pick[i]);
	list_fit(&l, 3);
	is_int(l.sel, 1, "the cursor starts on the first row it may stand on");
	list_key(&l, 'j');
	list_key(&l, 'j');
	is_int(l.sel, 4, "down steps over the rule");
	list_key(&l, 'j');
	is_int(l.sel, 4, "past the last item the cursor stays");
	is_int(l.top, 3, "the notes below scroll into view");
	is_int(list_end(&l), 6, "as far as the selection stays shown");
	list_key(&l, 'k');
	is_int(l.sel, 2, "up steps over the rule again");
	list_key(&l, 'k');
	list_key(&l, 'k');
	is_int(l.sel, 1, "up on the first item stays");
	is_int(l.top, 0, "and scrolls to the rule above it");
	list_key(&l, KEY_END);
	is_int(l.sel, 4, "End: the last item, not a note");
	list_free(&l);
}

static void
test_empty(void)
{
	struct list l = { 0 };
	list_fit(&l, 10);
	is_int(l.sel, -1, "an empty list selects nothing");
	static const int keys[] = { KEY_UP, KEY_DOWN, KEY_PPAGE, KEY_NPAGE, KEY_HOME, KEY_END, 'j', 'k' };
	int fine = 1;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		list_key(&l, keys[i]);
		fine &= l.sel == -1 && l.top == 0 && list_end(&l) == 0;
	}
	ok(fine, "every key on an empty list leaves it empty and unscrolled");
	struct list never = { 0 };
	ok(list_selected(&never) == -1, "a list never filled has no selection");
	list_key(&never, 'j');
	ok(never.sel == -1 && never.top == 0, "and a key leaves it so");
	list_add(&l, 0);
	list_add(&l, 0);
	list_fit(&l, 1);
	is_int(l.sel, -1, "rows but none to stand on: nothing selected");
	list_key(&l, 'j');
	is_int(l.top, 1, "down scrolls instead");
	list_key(&l, 'j');
	is_int(l.top, 1, "not past the end");
	list_key(&l, 'k');
	list_key(&l, 'k');
	is_int(l.top, 0, "nor before the start");
	list_free(&l);
}

static void
test_follow(void)
{
	struct list l = { .follow = 1 };
	list_fit(&l, 5);
	for (int i = 0; i < 3; i++)
		list_add(&l, 0);
	list_fit(&l, 5);
	is_int(l.top, 0, "fewer lines than the height: from the first");
	for (int i = 0; i < 10; i++)
		list_add(&l, 0);
	list_fit(&l, 5);
	is_int(l.top, 8, "lines coming in: the newest at the bottom");
	list_key(&l, 'k');
	list_key(&l, 'k');
	is_int(l.top, 6, "scrolled back two lines");
	list_add(&l, 0);
	list_fit(&l, 5);
	is_int(l.top, 6, "a new line does not move what the reader looks at");
	list_key(&l, KEY_NPAGE);
	is_int(l.top, 9, "PageDown to the end");
	list_add(&l, 0);
	list_fit(&l, 5);
	is_int(l.top, 10, "back at the end it follows again");
	list_key(&l, 'g');
	is_int(l.top, 0, "g: the oldest");
	list_key(&l, KEY_END);
	list_add(&l, 0);
	list_fit(&l, 5);
	is_int(l.top, 11, "End: following again");
	list_free(&l);
}

int
main(void)
{
	test_resize();
	test_paging();
	test_pick();
	test_empty();
	test_follow();
	return tap_done();
}
