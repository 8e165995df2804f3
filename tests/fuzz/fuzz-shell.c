/*
 * Fuzzes the shell lexer: shell_parse() of the input (with and without
 * placeholder words) and a walk of every command, shell_split_commands()
 * and a parse of each piece, the destructive guard on the whole input, and
 * quoting: the input's first line quoted by shell_quote_in() for plain and
 * double-quoted context must parse back as exactly that one word.
 */
#include "config.h"

#include "fuzz.h"
#include "runbook.h"
#include "shell.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static size_t
touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static void
walk(const struct shell_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct shell_command *c = &l->commands[i];
		FUZZ_ASSERT(c->nwords + c->nassigns + c->nredirs + c->substitutions.n > 0);
		for (size_t k = 0; k < c->nwords; k++)
			touch(c->words[k].text);
		for (size_t k = 0; k < c->nassigns; k++)
			FUZZ_ASSERT(strchr(c->assigns[k].text, '=') != NULL);
		for (size_t k = 0; k < c->nredirs; k++) {
			touch(c->redirs[k].target.text);
			touch(c->redirs[k].heredoc);
			FUZZ_ASSERT(c->redirs[k].op[0] != '\0');
		}
		for (size_t k = 0; k < c->substitutions.n; k++)
			touch(c->substitutions.v[k]);
		FUZZ_ASSERT(c->sep >= SHELL_SEP_END && c->sep <= SHELL_SEP_PIPE);
		FUZZ_ASSERT(!c->piped || (i > 0 && l->commands[i - 1].sep == SHELL_SEP_PIPE));
	}
}

static void
parse_walk(const char *text, int flags)
{
	struct shell_list l;
	char *cause = NULL;
	int rc = shell_parse(text, flags, &l, &cause);
	FUZZ_ASSERT(rc == 0 || (rc == -1 && cause != NULL));
	FUZZ_ASSERT(rc == -1 || cause == NULL);
	walk(&l);
	shell_list_free(&l);
	free(cause);
}

/* value quoted for context, put in a command, parses back as that one word */
static void
check_quote(const char *value, enum shell_context context)
{
	char *q = shell_quote_in(value, context);
	char *cmd = context == SHELL_CONTEXT_DOUBLE ? xasprintf("x \"%s\"", q) :
	    xasprintf("x %s", q);
	FUZZ_ASSERT(shell_context_at(cmd, strlen(cmd) - (context == SHELL_CONTEXT_DOUBLE ? 1 : 0)) ==
	    context || context == SHELL_CONTEXT_PLAIN);
	struct shell_list l;
	char *cause = NULL;
	int rc = shell_parse(cmd, 0, &l, &cause);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(l.n == 1 && l.commands[0].nwords == 2 && l.commands[0].nredirs == 0);
	FUZZ_ASSERT(strcmp(l.commands[0].words[1].text, value) == 0);
	FUZZ_ASSERT(!(l.commands[0].words[1].flags & (SHELL_EXPANSION | SHELL_GLOB)));
	shell_list_free(&l);
	free(cause);
	free(cmd);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	char *text = xstrndup((const char *)data, size);
	parse_walk(text, 0);
	parse_walk(text, SHELL_ANGLE_WORDS);

	struct strv pieces = { NULL, 0 };
	char *cause = NULL;
	int rc = shell_split_commands(text, &pieces, &cause);
	FUZZ_ASSERT(rc == 0 || (rc == -1 && cause != NULL));
	for (size_t i = 0; i < pieces.n; i++) {
		FUZZ_ASSERT(pieces.v[i][0] != '\0');
		FUZZ_ASSERT(strstr(text, pieces.v[i]) != NULL);	/* pieces of the text, in it */
		parse_walk(pieces.v[i], 0);
	}
	strv_free(&pieces);
	free(cause);

	(void)runbook_destructive_reason(text);

	char *nl = strchr(text, '\n');
	if (nl != NULL)
		*nl = '\0';
	check_quote(text, SHELL_CONTEXT_PLAIN);
	check_quote(text, SHELL_CONTEXT_DOUBLE);
	char *w = shell_word(text);
	FUZZ_ASSERT(w[0] != '\0');
	free(w);
	free(text);
	return 0;
}
