/*
 * sitrep incident tick N|TEXT [--undo]: ticks an item of the triage
 * checklist, by its number or by a part of its text.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-incident.h"

/* The item's index, or -1 after a message. */
static int
tick_index(const struct strv *items, const char *which)
{
	int digits = 1;
	for (const char *p = which; *p; p++)
		digits &= isdigit((unsigned char)*p) != 0;
	long long n;
	if (digits) {
		/* a number is a number: item 0 is not the item that contains "0" */
		if (parse_int(which, 1, (long long)items->n, &n) == 0)
			return (int)n - 1;
		return cmd_error(1, "no triage item %s: the checklist has items 1-%zu",
		    str_quote_short(which), items->n), -1;
	}
	int found = -1;
	for (size_t i = 0; i < items->n; i++)
		if (strcasestr(items->v[i], which) != NULL) {
			if (found >= 0)
				return cmd_error(1, "'%s' is in items %d and %zu: give the number",
				    str_quote_short(which), found + 1, i + 1), -1;
			found = (int)i;
		}
	if (found < 0)
		return cmd_error(1, "no triage item contains '%s' (1-%zu)", str_quote_short(which),
		    items->n), -1;
	return found;
}

static int
inc_tick(struct cmd_ctx *x)
{
	struct runbook_ref ref;
	if (library_triage(&x->lib, &ref) == -1)
		return cmd_error(1, "no triage checklist (triage.md) in the runbook directories");
	struct strv items;
	memset(&items, 0, sizeof items);
	library_checklist(ref.rb, &items);
	int index = tick_index(&items, x->args.argv[0]);
	char *cause = NULL;
	int rc = 0;
	if (index < 0)
		rc = 1;
	else if (incident_tick(&x->rec, x->id, "triage", index, items.v[index],
	    !cmd_flag(x, "undo"), &cause) == -1)
		rc = incident_cmd_failed(cause);
	strv_free(&items);
	return rc;
}

static const struct cmd_opt tick_opts[] = {
	INCIDENT_OPT_ID,
	{ "undo", 'u', OPT_FLAG, NULL, "untick it" },
	{ NULL, 0, 0, NULL, NULL },
};

const struct cmd_entry incident_tick_entry = {
	.name = "tick",
	.usage = "[-i ID] N|TEXT [--undo]",
	.summary = "tick a triage checklist item (by number, or a part of its text)",
	.opts = tick_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_STORE | CMD_INCIDENT | CMD_LIBRARY,
	.run = inc_tick,
};
