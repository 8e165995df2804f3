/*
 * Placeholder values are data: each template is filled with hostile values
 * by runbook_fill_placeholders() and run with /bin/sh; what printf prints
 * must be exactly the value, whatever quotes surround the placeholder. A
 * raw placeholder ("<name:raw>") is the one way to pass shell code.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runbook.h"
#include "util.h"

#include "tap.h"

static char workdir[] = "/tmp/sitrep-test-placeholder-XXXXXX";



static int
exists(const char *name)
{
	char *path = xasprintf("%s/%s", workdir, name);
	struct stat st;
	int rc = stat(path, &st) == 0;
	free(path);
	return rc;
}

int
main(void)
{
	if (mkdtemp(workdir) == NULL) {
		ok(0, "a work directory");
		return tap_done();
	}
	static const char *const values[] = {
		"g; touch X", "$(id -un)", "`id`", "'\"'", "a b", "line\nbreak", "*",
		"\\", "it's", "\"", "$HOME", "--", "a\\\"b", "${IFS}", "$(touch X)",
		"'; touch X; '", "\"; touch X; \"", "x`touch X`", "2026-11-21", "",
	};
	/* each template prints PREFIX value SUFFIX */
	static const struct {
		const char *command, *prefix, *suffix;
	} templates[] = {
		{ "printf '%s' <v>", "", "" },
		{ "printf '%s' \"/backup/<v>.sql\"", "/backup/", ".sql" },
		{ "printf '%s' /backup/<v>.sql", "/backup/", ".sql" },
		{ "printf '%s' '<v>'", "", "" },
		{ "printf '%s' 'at <v> now'", "at ", " now" },
		{ "printf '%s' $VALUE", "", "" },
		{ "printf '%s' \"${VALUE}\"", "", "" },
		{ "printf '%s' \"id=$VALUE\"", "id=", "" },
		{ "printf '%s' \"$(printf '%s' <v>)\"", "", "" },
		{ "printf '%s' \"$(printf '%s' \"<v>\")\"", "", "" },
		{ "printf '%s' `printf '%s' <v>`", "", "" },
		{ "printf '%s' x<v>y", "x", "y" },
	};
	for (size_t t = 0; t < nitems(templates); t++) {
		struct strv names = { NULL, 0 };
		runbook_find_placeholders(templates[t].command, &names);
		is_int(names.n, 1, "one placeholder in %s", templates[t].command);
		if (names.n != 1) {
			strv_free(&names);
			continue;
		}
		for (size_t i = 0; i < nitems(values); i++) {
			const char *v = values[i];
			/* sh's `...` and $(...) drop trailing newlines and split unquoted */
			if (strchr(templates[t].command, '`') != NULL &&
			    (strchr(v, '\n') || strchr(v, ' ') || *v == '\0' || strchr(v, '*')))
				continue;
			struct strv vals = { NULL, 0 };
			strv_add(&vals, v);
			char *filled = runbook_fill_placeholders(templates[t].command, &names, &vals);
			char *out = tap_run_sh(workdir, filled);
			char *want = xasprintf("%s%s%s", templates[t].prefix, v, templates[t].suffix);
			is_str(out, want, "%s with %s", tap_one_line(filled), tap_one_line(v));
			ok(!exists("X"), "nothing touched by %s", tap_one_line(filled));
			char *x = xasprintf("%s/X", workdir);
			unlink(x);
			free(x);
			free(want);
			free(out);
			free(filled);
			strv_free(&vals);
		}
		strv_free(&names);
	}

	/* a raw placeholder is shell code as typed, and says so */
	struct strv names = { NULL, 0 }, vals = { NULL, 0 };
	runbook_find_placeholders("printf '%s' <args:raw>", &names);
	ok(names.n == 1 && runbook_placeholder_is_raw(names.v[0]), "<args:raw> is raw");
	ok(!runbook_placeholder_is_raw("<args>") && !runbook_placeholder_is_raw("$ARGS") &&
	    !runbook_placeholder_is_raw(NULL), "others are not");
	strv_add(&vals, "a b");
	char *filled = runbook_fill_placeholders("printf '%s' <args:raw>", &names, &vals);
	is_str(filled, "printf '%s' a b", "raw value inserted as it is");
	char *out = tap_run_sh(workdir, filled);
	is_str(out, "ab", "and runs as two words");
	free(out);
	free(filled);
	strv_free(&names);
	strv_free(&vals);

	/* the guard judges what the filled command runs */
	names.n = 0;
	strv_add(&names, "<dir>");
	strv_add(&vals, "g; rm -rf /");
	filled = runbook_fill_placeholders("ls <dir>", &names, &vals);
	ok(!runbook_is_destructive(filled), "a quoted value is not a command: %s", filled);
	free(filled);
	strv_free(&names);
	strv_add(&names, "<dir:raw>");
	filled = runbook_fill_placeholders("ls <dir:raw>", &names, &vals);
	ok(runbook_is_destructive(filled), "a raw one is: %s", filled);
	free(filled);
	strv_free(&names);
	strv_free(&vals);
	rmdir(workdir);

	/* which placeholders the console offers the host's names for */
	static const struct { const char *name; enum placeholder_kind kind; } kinds[] = {
		{ "<container>", PLACEHOLDER_CONTAINER }, { "<container_name>", PLACEHOLDER_CONTAINER },
		{ "$CONTAINER", PLACEHOLDER_CONTAINER }, { "<bot-container>", PLACEHOLDER_CONTAINER },
		{ "<unit>", PLACEHOLDER_UNIT }, { "<service>", PLACEHOLDER_UNIT },
		{ "$SERVICE_NAME", PLACEHOLDER_UNIT }, { "<systemd_unit>", PLACEHOLDER_UNIT },
		{ "<date>", PLACEHOLDER_TEXT }, { "<dir>", PLACEHOLDER_TEXT },
		{ "$BACKUP_FILE", PLACEHOLDER_TEXT }, { "YYYY-MM-DD", PLACEHOLDER_TEXT },
	};
	for (size_t i = 0; i < nitems(kinds); i++)
		is_int(runbook_placeholder_kind(kinds[i].name), kinds[i].kind, "%s is a %s", kinds[i].name,
		    kinds[i].kind == PLACEHOLDER_CONTAINER ? "container" :
		    kinds[i].kind == PLACEHOLDER_UNIT ? "unit" : "value to type");
	return tap_done();
}
