/*
 * dialog: forms, prompts, menus and confirmations drawn over the panes.
 * A dialog is a mode of the one loop (console.h says what it holds): the
 * loop paints it over the panes and routes keys to it here, and the fleet,
 * the clocks and running commands go on as in any other mode.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "draw.h"
#include "pane.h"
#include "sanitize.h"
#include "ui.h"

/* One window for the open dialog, sized and placed at every paint. */
static WINDOW *dialog_win;

static WINDOW *
dialog_window(struct console *c, struct dialog *d)
{
	int H = c->rows_total, W = c->cols_total;
	if (d->h > H)
		d->h = H;
	if (d->w > W)
		d->w = W;
	if (dialog_win != NULL && (getmaxy(dialog_win) != d->h || getmaxx(dialog_win) != d->w)) {
		delwin(dialog_win);
		dialog_win = NULL;
	}
	if (dialog_win == NULL)
		dialog_win = newwin(d->h, d->w, (H - d->h) / 2, (W - d->w) / 2);
	else
		mvwin(dialog_win, (H - d->h) / 2, (W - d->w) / 2);
	return dialog_win;
}

static void
frame(WINDOW *w, const char *title)
{
	werase(w);
	wattrset(w, draw_attr(ROLE_BORDER));
	box(w, 0, 0);
	wattrset(w, A_NORMAL);
	draw_text(w, 0, 2, getmaxx(w) - 4, SAFE_LITERAL(" "), draw_attr(ROLE_TITLE));
	int used = draw_text(w, 0, 3, getmaxx(w) - 6, safe_untrusted(title), draw_attr(ROLE_TITLE));
	draw_text(w, 0, 3 + used, 1, SAFE_LITERAL(" "), draw_attr(ROLE_TITLE));
}

/* Appends a typed character (UTF-8) or edits; returns 1 if the text changed. */
static int
edit_text(char **value, int type, wint_t wch)
{
	char *v = *value ? *value : xstrdup("");
	size_t n = strlen(v);
	int changed = 0;
	if (type == KEY_CODE_YES && wch == KEY_BACKSPACE) {
		goto backspace;
	} else if (type == OK && (wch == 127 || wch == 8)) {
backspace:
		if (n > 0) {
			/* remove one code point */
			size_t k = n - 1;
			while (k > 0 && ((unsigned char)v[k] & 0xC0) == 0x80)
				k--;
			v[k] = '\0';
			changed = 1;
		}
	} else if (type == OK && wch == 21) {	/* Ctrl-U */
		v[0] = '\0';
		changed = 1;
	} else if (type == OK && wch >= 32 && wch != 127 && n < 4000) {
		char enc[8];
		int len = utf8_encode((uint32_t)wch, enc);
		v = xrealloc(v, n + (size_t)len + 1);
		memcpy(v + n, enc, (size_t)len);
		v[n + (size_t)len] = '\0';
		changed = 1;
	}
	*value = v;
	return changed;
}

/* Draws an editable value, showing its end when it is wider than cols. */
static void
draw_value(WINDOW *w, int y, int x, int cols, const char *value, attr_t a, int focused)
{
	char *safe = sanitize_str(value ? value : "");
	int width = text_width(safe);
	const char *from = safe;
	while (width > cols - 2 && *from) {
		uint32_t cp;
		int n = utf8_decode((const unsigned char *)from, strlen(from), &cp);
		from += n > 0 ? n : 1;
		width = text_width(from);
	}
	draw_fill(w, y, x, cols, a);
	int used = draw_text(w, y, x, cols - 1, safe_untrusted(from), a);
	if (focused)
		draw_text(w, y, x + used, 1, SAFE_LITERAL("_"), a | A_BLINK);
	free(safe);
}

static void
form_draw(struct console *c, struct dialog *d)
{
	d->h = d->nfields + 5;
	d->w = 76;
	WINDOW *w = dialog_window(c, d);
	if (w == NULL)
		return;
	frame(w, d->title);
	int lw = 24;
	for (int i = 0; i < d->nfields; i++) {
		struct field *f = &d->fields[i];
		int y = i + 2, focused = i == d->at;
		draw_text(w, y, 2, lw, safe_untrusted(f->label),
		    draw_attr(focused ? ROLE_ACCENT : ROLE_NORMAL));
		attr_t a = focused ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
		int vx = 2 + lw + 1, vw = d->w - vx - 2;
		if (f->kind == FIELD_TEXT)
			draw_value(w, y, vx, vw, f->value, a, focused);
		else if (f->kind == FIELD_CHOICE) {
			char *s = xasprintf("< %s >", f->choices[f->choice]);
			draw_fill(w, y, vx, vw, a);
			draw_text(w, y, vx, vw, safe_untrusted(s), a);
			free(s);
		} else {
			draw_fill(w, y, vx, vw, a);
			draw_text(w, y, vx, vw, safe_untrusted(f->toggle ? "[x] yes" : "[ ] no"),
			    a);
		}
	}
	draw_text(w, d->h - 2, 2, d->w - 4, safe_untrusted(d->error ? d->error :
	    "Tab/arrows move, Left/Right choose, Space toggles, Enter saves, Esc cancels"),
	    draw_attr(d->error ? ROLE_CRIT : ROLE_MUTED));
	wnoutrefresh(w);
}

static int
form_key(struct console *c, struct dialog *d, int type, wint_t wch)
{
	struct field *f = &d->fields[d->at];
	d->error = NULL;
	if (type == OK && wch == 27)
		return 0;
	if ((type == OK && wch == '\t') || (type == KEY_CODE_YES && wch == KEY_DOWN)) {
		d->at = (d->at + 1) % d->nfields;
		return -1;
	}
	if ((type == KEY_CODE_YES && (wch == KEY_UP || wch == KEY_BTAB))) {
		d->at = (d->at + d->nfields - 1) % d->nfields;
		return -1;
	}
	if (type == OK && (wch == '\r' || wch == '\n')) {
		for (int i = 0; i < d->nfields; i++)
			if (d->fields[i].required && d->fields[i].kind == FIELD_TEXT &&
			    (d->fields[i].value == NULL || d->fields[i].value[0] == '\0')) {
				d->at = i;
				d->error = "this field is required";
				return -1;
			}
		return 1;
	}
	if (f->kind == FIELD_CHOICE && f->nchoices > 0) {
		if ((type == KEY_CODE_YES && wch == KEY_RIGHT) || (type == OK && wch == ' '))
			f->choice = (f->choice + 1) % f->nchoices;
		else if (type == KEY_CODE_YES && wch == KEY_LEFT)
			f->choice = (f->choice + f->nchoices - 1) % f->nchoices;
	} else if (f->kind == FIELD_TOGGLE) {
		if (type == OK && wch == ' ')
			f->toggle = !f->toggle;
		else if (type == OK && (wch == 'y' || wch == 'Y'))
			f->toggle = 1;
		else if (type == OK && (wch == 'n' || wch == 'N'))
			f->toggle = 0;
	} else
		edit_text(&f->value, type, wch);
	return -1;
}

static void
menu_draw(struct console *c, struct dialog *d)
{
	d->h = (int)d->items.n + 4 < c->rows_total - 2 ? (int)d->items.n + 4 : c->rows_total - 2;
	d->w = c->cols_total - 4 < 100 ? c->cols_total - 4 : 100;
	WINDOW *w = dialog_window(c, d);
	if (w == NULL)
		return;
	frame(w, d->title);
	int rows = d->h - 3;
	if (d->choice < d->scroll)
		d->scroll = d->choice;
	if (d->choice >= d->scroll + rows)
		d->scroll = d->choice - rows + 1;
	for (int r = 0; r < rows && d->scroll + r < (int)d->items.n; r++) {
		int i = d->scroll + r;
		attr_t a = i == d->choice ? draw_attr(ROLE_SELECTION) : draw_attr(ROLE_NORMAL);
		draw_fill(w, r + 1, 1, d->w - 2, a);
		draw_text(w, r + 1, 2, d->w - 4, safe_untrusted(d->items.v[i]), a);
	}
	draw_text(w, d->h - 2, 2, d->w - 4, SAFE_LITERAL("j/k move, Enter chooses, Esc cancels"),
	    draw_attr(ROLE_MUTED));
	wnoutrefresh(w);
}

static int
menu_key(struct console *c, struct dialog *d, int type, wint_t wch)
{
	if (type == OK && (wch == 27 || wch == 'q'))
		return 0;
	if (type == OK && (wch == '\r' || wch == '\n'))
		return 1;
	if ((type == KEY_CODE_YES && wch == KEY_UP) || (type == OK && wch == 'k'))
		d->choice = d->choice > 0 ? d->choice - 1 : 0;
	else if ((type == KEY_CODE_YES && wch == KEY_DOWN) || (type == OK && wch == 'j'))
		d->choice = d->choice + 1 < (int)d->items.n ? d->choice + 1 : d->choice;
	return -1;
}

/*
 * Splits sanitized multi-line text into rows of at most cols columns, cut at
 * column boundaries: nothing is left out, blank lines are kept.
 */
static void
wrap_rows(struct strv *rows, const char *text, int cols)
{
	const char *p = text;
	for (;;) {
		size_t len = strcspn(p, "\n");
		size_t at = 0;
		do {
			int width;
			size_t n = text_fit(p + at, cols, &width);
			if (n == 0 && at < len) {
				/* a character wider than the row: it takes a row of its own */
				uint32_t cp;
				int k = utf8_decode((const unsigned char *)p + at, len - at, &cp);
				n = k > 0 ? (size_t)k : 1;
			}
			if (at + n > len)
				n = len - at;
			strv_addn(rows, p + at, n);
			at += n;
		} while (at < len);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
}

/* Sizes the confirmation for the terminal and wraps its body into rows. */
static void
confirm_layout(struct console *c, struct dialog *d, struct strv *rows)
{
	char *body = sanitize_text(d->body, strlen(d->body), SAN_MULTILINE);
	d->w = c->cols_total - 4 < 90 ? c->cols_total - 4 : 90;
	wrap_rows(rows, body, d->w - 4 > 1 ? d->w - 4 : 1);
	free(body);
	/* under the body: a blank row, the name to type, the hint, the frame */
	int below = d->require ? 4 : 3;
	int most = c->rows_total - 2 > 8 ? c->rows_total - 2 : 8;
	d->h = 2 + (int)rows->n + below;
	if (d->h > most)
		d->h = most;
	d->body_rows = d->h - 2 - below;
	d->body_total = (int)rows->n;
	if (d->scroll > d->body_total - d->body_rows)
		d->scroll = d->body_total - d->body_rows;
	if (d->scroll < 0)
		d->scroll = 0;
}

static void
confirm_draw(struct console *c, struct dialog *d)
{
	struct strv rows;
	memset(&rows, 0, sizeof rows);
	confirm_layout(c, d, &rows);
	WINDOW *w = dialog_window(c, d);
	if (w == NULL) {
		strv_free(&rows);
		return;
	}
	frame(w, d->title);
	for (int r = 0; r < d->body_rows && d->scroll + r < d->body_total; r++)
		draw_text(w, 2 + r, 2, d->w - 4, safe_untrusted(rows.v[d->scroll + r]),
		    draw_attr(ROLE_NORMAL));
	strv_free(&rows);
	if (d->scroll + d->body_rows >= d->body_total)
		d->seen_end = 1;
	if (d->body_total > d->body_rows) {
		/* where the view is, on the frame's right edge */
		char *where = xasprintf(" %d-%d of %d ", d->scroll + 1,
		    d->scroll + d->body_rows, d->body_total);
		draw_right(w, d->h - 1, d->w - 2, d->w - 4, safe_untrusted(where), draw_attr(ROLE_ACCENT));
		free(where);
	}
	if (d->require != NULL) {
		char *label = xasprintf("type %s:", d->require);
		int used = draw_text(w, d->h - 3, 2, d->w / 2, safe_untrusted(label), draw_attr(ROLE_CRIT));
		free(label);
		draw_value(w, d->h - 3, 3 + used, d->w - used - 6, d->typed, draw_attr(ROLE_SELECTION), 1);
	}
	const char *hint = d->error ? d->error : !d->seen_end ?
	    "scroll to the end to confirm: Down or PgDn; Esc cancels" : d->require ?
	    "Enter confirms once the name matches, Esc cancels" : "Enter or y confirms, Esc or n cancels";
	draw_text(w, d->h - 2, 2, d->w - 4, safe_untrusted(hint),
	    draw_attr(d->error || !d->seen_end ? ROLE_CRIT : ROLE_MUTED));
	wnoutrefresh(w);
}

/* Moves the confirmation's view; returns 1 if the key was a scroll key. */
static int
confirm_scroll(struct dialog *d, int type, wint_t wch)
{
	int page = d->body_rows > 1 ? d->body_rows - 1 : 1;
	int letters = d->require == NULL && type == OK;
	if ((type == KEY_CODE_YES && wch == KEY_UP) || (letters && wch == 'k'))
		d->scroll--;
	else if ((type == KEY_CODE_YES && wch == KEY_DOWN) || (letters && wch == 'j'))
		d->scroll++;
	else if ((type == KEY_CODE_YES && wch == KEY_PPAGE) || (letters && wch == 'b'))
		d->scroll -= page;
	else if ((type == KEY_CODE_YES && wch == KEY_NPAGE) || (letters && wch == ' '))
		d->scroll += page;
	else if (type == KEY_CODE_YES && wch == KEY_HOME)
		d->scroll = 0;
	else
		return 0;
	/* confirm_layout clamps it to the text */
	if (d->scroll < 0)
		d->scroll = 0;
	return 1;
}

static int
confirm_key(struct console *c, struct dialog *d, int type, wint_t wch)
{
	d->error = NULL;
	if (type == OK && wch == 27)
		return 0;
	if (confirm_scroll(d, type, wch))
		return -1;
	int enter = type == OK && (wch == '\r' || wch == '\n');
	if (d->require == NULL) {
		if (enter || (type == OK && (wch == 'y' || wch == 'Y'))) {
			if (d->seen_end)
				return 1;
			d->error = "scroll to the end to confirm: nothing was run (Down or PgDn)";
			return -1;
		}
		if (type == OK && (wch == 'n' || wch == 'N' || wch == 'q'))
			return 0;
		return -1;
	}
	if (enter) {
		if (!d->seen_end) {
			d->error = "scroll to the end to confirm: nothing was run (Down or PgDn)";
			return -1;
		}
		if (d->typed != NULL && strcmp(d->typed, d->require) == 0)
			return 1;
		d->error = "the name does not match: nothing was run";
		return -1;
	}
	edit_text(&d->typed, type, wch);
	return -1;
}


/* A confirmation's rows for this terminal; a body that fits is seen whole at once. */
static void
confirm_lay_out(struct console *c, struct dialog *d)
{
	struct strv rows;
	memset(&rows, 0, sizeof rows);
	confirm_layout(c, d, &rows);
	strv_free(&rows);
	if (!d->laid_out)
		d->seen_end = d->body_total <= d->body_rows;
	d->laid_out = 1;
}

void
dialog_draw(struct console *c)
{
	struct dialog *d = c->dialog;
	if (d == NULL)
		return;
	if (d->kind == DIALOG_FORM)
		form_draw(c, d);
	else if (d->kind == DIALOG_MENU)
		menu_draw(c, d);
	else {
		confirm_lay_out(c, d);
		confirm_draw(c, d);
	}
}

void
dialog_key(struct console *c, int type, wint_t wch)
{
	struct dialog *d = c->dialog;
	if (d == NULL)
		return;
	int result;
	if (d->kind == DIALOG_FORM)
		result = form_key(c, d, type, wch);
	else if (d->kind == DIALOG_MENU)
		result = menu_key(c, d, type, wch);
	else {
		/* keys may come before the first paint: the rows are worked out first */
		confirm_lay_out(c, d);
		result = confirm_key(c, d, type, wch);
	}
	if (result < 0)
		return;
	dialog_release();
	console_dialog_end(c, result > 0);
}

void
dialog_release(void)
{
	if (dialog_win != NULL)
		delwin(dialog_win);
	dialog_win = NULL;
}
