/*
 * Unit tests for the shell lexer: splitting blocks into whole commands
 * (compound commands, heredocs, continuations, quotes over lines),
 * parsing lines into simple commands (words unquoted, flags, assignments,
 * redirections, separators), context-aware quoting run through /bin/sh,
 * and broken input that must fail with a cause, not crash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell.h"
#include "util.h"

#include "tap.h"


/* Splits text and checks the pieces against want (NULL-terminated). */
static void
check_split(const char *text, int want_rc, const char *const *want, const char *what)
{
	struct strv out = { NULL, 0 };
	char *cause = NULL;
	int rc = shell_split_commands(text, &out, &cause);
	is_int(rc, want_rc, "split %s: rc", what);
	ok(rc == 0 || cause != NULL, "split %s: a cause with a failure", what);
	size_t n = 0;
	while (want[n] != NULL)
		n++;
	is_int(out.n, n, "split %s: %zu commands", what, n);
	for (size_t i = 0; i < n && i < out.n; i++)
		is_str(out.v[i], want[i], "split %s: command %zu", what, i + 1);
	strv_free(&out);
	free(cause);
}

static void
test_split(void)
{
	check_split("ls\npwd\n", 0, (const char *[]){ "ls", "pwd", NULL }, "lines");
	check_split("find /var/log -name '*.gz' -mtime +7 -exec rm {} \\;\nls;\n", 0,
	    (const char *[]){ "find /var/log -name '*.gz' -mtime +7 -exec rm {} \\;", "ls", NULL },
	    "find's escaped ; stays, a separating ; goes");
	check_split("\n# a comment\n\nls -l  \n\n", 0, (const char *[]){ "ls -l", NULL },
	    "comments and blanks");
	check_split("if true; then\n  echo a\nelse\n  echo b\nfi\necho c\n", 0,
	    (const char *[]){ "if true; then\n  echo a\nelse\n  echo b\nfi", "echo c", NULL },
	    "if fi");
	check_split("for f in a b; do\n  echo $f\ndone\n", 0,
	    (const char *[]){ "for f in a b; do\n  echo $f\ndone", NULL }, "for done");
	check_split("while read l; do\n echo \"$l\"\ndone < /etc/hosts\nls\n", 0,
	    (const char *[]){ "while read l; do\n echo \"$l\"\ndone < /etc/hosts", "ls", NULL },
	    "while done with redirection");
	check_split("case $1 in\n  a) echo a ;;\n  b|c) echo bc ;;\nesac\nls\n", 0,
	    (const char *[]){ "case $1 in\n  a) echo a ;;\n  b|c) echo bc ;;\nesac", "ls", NULL },
	    "case esac");
	check_split("{\n  echo a\n  echo b\n} > /tmp/x\n", 0,
	    (const char *[]){ "{\n  echo a\n  echo b\n} > /tmp/x", NULL }, "braces");
	check_split("(\n cd /tmp\n ls\n)\n", 0, (const char *[]){ "(\n cd /tmp\n ls\n)", NULL },
	    "subshell");
	check_split("f() {\n  echo in f\n}\nf\n", 0,
	    (const char *[]){ "f() {\n  echo in f\n}", "f", NULL }, "function");
	check_split("echo 'a\nb'\necho \"c\nd\"\n", 0,
	    (const char *[]){ "echo 'a\nb'", "echo \"c\nd\"", NULL }, "quotes over lines");
	check_split("x=$(date\n +%F)\necho $x\n", 0,
	    (const char *[]){ "x=$(date\n +%F)", "echo $x", NULL }, "$( ) over lines");
	check_split("docker run \\\n  --rm \\\n  alpine\nls\n", 0,
	    (const char *[]){ "docker run \\\n  --rm \\\n  alpine", "ls", NULL }, "continuations");
	check_split("cat <<EOF > /tmp/x\nline 1\nif\nEOF\nls\n", 0,
	    (const char *[]){ "cat <<EOF > /tmp/x\nline 1\nif\nEOF", "ls", NULL }, "heredoc");
	check_split("cat <<-'END' | sh\n\techo 'x\n\tEND\nls\n", 0,
	    (const char *[]){ "cat <<-'END' | sh\n\techo 'x\n\tEND", "ls", NULL },
	    "heredoc with <<- and a quote in the body");
	check_split("ls |\n  grep x &&\n  echo y\n", 0,
	    (const char *[]){ "ls |\n  grep x &&\n  echo y", NULL }, "operators at line ends");
	check_split("echo a; echo b\n", 0, (const char *[]){ "echo a; echo b", NULL },
	    "one line, two commands, one piece");
	check_split("echo '# not a comment'\n", 0,
	    (const char *[]){ "echo '# not a comment'", NULL }, "quoted #");
	check_split("echo 'open\n", -1, (const char *[]){ "echo 'open", NULL },
	    "unterminated quote");
	check_split("if true; then\n echo a\n", -1,
	    (const char *[]){ "if true; then\n echo a", NULL }, "unterminated if");
	check_split("echo $(ls\n", -1, (const char *[]){ "echo $(ls", NULL },
	    "unterminated $(");
	check_split("", 0, (const char *[]){ NULL }, "empty");
}

static const struct shell_command *
parse_one(const char *text, struct shell_list *l, size_t want_n)
{
	char *cause = NULL;
	int rc = shell_parse(text, 0, l, &cause);
	ok(rc == 0, "parse %s: ok (%s)", tap_one_line(text), cause ? cause : "no cause");
	is_int(l->n, want_n, "parse %s: %zu simple commands", tap_one_line(text), want_n);
	free(cause);
	return l->n > 0 ? &l->commands[0] : NULL;
}

static void
test_parse(void)
{
	struct shell_list l;
	const struct shell_command *c;

	c = parse_one("FOO=bar BAZ='a b' cmd -x \"two words\" 'it'\\''s' $HOME *.log", &l, 1);
	if (c != NULL && c->nassigns == 2 && c->nwords == 6) {
		is_str(c->assigns[0].text, "FOO=bar", "assignment 1");
		is_str(c->assigns[1].text, "BAZ=a b", "assignment 2 unquoted");
		is_str(c->words[0].text, "cmd", "command word");
		is_str(c->words[2].text, "two words", "double quotes removed");
		is_str(c->words[3].text, "it's", "single quotes and \\' joined");
		ok(c->words[4].flags & SHELL_EXPANSION, "$HOME is an expansion");
		ok(!(c->words[2].flags & SHELL_EXPANSION), "plain quoted word is not");
		ok(c->words[5].flags & SHELL_GLOB, "*.log is a glob");
		ok(!(c->words[1].flags & SHELL_GLOB), "-x is not a glob");
	} else {
		ok(0, "assignments and words split");
	}
	shell_list_free(&l);

	c = parse_one("echo '$HOME' \"*\" \\$x", &l, 1);
	if (c != NULL && c->nwords == 4) {
		ok(!(c->words[1].flags & SHELL_EXPANSION), "'$HOME' is literal");
		ok(!(c->words[2].flags & SHELL_GLOB), "\"*\" is literal");
		is_str(c->words[3].text, "$x", "\\$x unescaped");
		ok(!(c->words[3].flags & SHELL_EXPANSION), "\\$x is literal");
	} else {
		ok(0, "quoted specials");
	}
	shell_list_free(&l);

	c = parse_one("2>/dev/null >> /tmp/log cmd a <in 2>&1", &l, 1);
	if (c != NULL && c->nredirs == 4 && c->nwords == 2) {
		is_int(c->redirs[0].fd, 2, "fd of 2>");
		is_str(c->redirs[0].op, ">", "op >");
		is_str(c->redirs[1].op, ">>", "op >>");
		is_str(c->redirs[1].target.text, "/tmp/log", "target of >>");
		is_str(c->redirs[2].op, "<", "op <");
		is_str(c->redirs[3].op, ">&", "op >&");
		is_str(c->redirs[3].target.text, "1", "target of 2>&1");
		is_str(c->words[0].text, "cmd", "redirections before the command");
	} else {
		ok(0, "redirections apart");
	}
	shell_list_free(&l);

	c = parse_one("a | b && c || d; e & f |& g", &l, 7);
	if (c != NULL && l.n == 7) {
		is_int(l.commands[0].sep, SHELL_SEP_PIPE, "a |");
		ok(l.commands[1].piped, "b is piped");
		is_int(l.commands[1].sep, SHELL_SEP_AND, "b &&");
		is_int(l.commands[2].sep, SHELL_SEP_OR, "c ||");
		is_int(l.commands[3].sep, SHELL_SEP_SEMI, "d ;");
		is_int(l.commands[4].sep, SHELL_SEP_BACKGROUND, "e &");
		is_int(l.commands[5].sep, SHELL_SEP_PIPE, "f |&");
		ok(l.commands[6].piped, "g is piped");
		is_int(l.commands[6].sep, SHELL_SEP_END, "g ends");
		ok(!l.commands[0].piped, "a is not piped");
	}
	shell_list_free(&l);

	c = parse_one("echo \"$(id -un) `date`\" <(ls)", &l, 1);
	if (c != NULL) {
		is_int(c->substitutions.n, 3, "three substitutions");
		if (c->substitutions.n == 3) {
			is_str(c->substitutions.v[0], "id -un", "$( ) inside");
			is_str(c->substitutions.v[1], "date", "` ` inside");
			is_str(c->substitutions.v[2], "ls", "<( ) inside");
		}
		ok(c->nwords == 3 && (c->words[1].flags & SHELL_SUBST), "substitution flag");
	}
	shell_list_free(&l);

	c = parse_one("if true; then rm -f x; fi", &l, 2);
	if (c != NULL && l.n == 2) {
		is_str(l.commands[0].words[0].text, "true", "if's condition");
		is_str(l.commands[1].words[0].text, "rm", "then's command");
	}
	shell_list_free(&l);

	c = parse_one("for f in a b; do echo $f; done | sh", &l, 2);
	if (c != NULL && l.n == 2) {
		is_str(l.commands[0].words[0].text, "echo", "loop body");
		is_int(l.commands[0].sep, SHELL_SEP_PIPE, "done | carries the pipe");
		ok(l.commands[1].piped, "sh after done | is piped");
	}
	shell_list_free(&l);

	c = parse_one("case $x in a|b) echo ab ;; *) rm y ;; esac", &l, 2);
	if (c != NULL && l.n == 2) {
		is_str(l.commands[0].words[0].text, "echo", "first arm");
		is_str(l.commands[1].words[0].text, "rm", "second arm");
	}
	shell_list_free(&l);

	c = parse_one("cat <<EOF | sh\nrm -rf /x\n$y\nEOF\necho after", &l, 3);
	if (c != NULL && l.n == 3 && c->nredirs == 1) {
		is_str(c->redirs[0].heredoc, "rm -rf /x\n$y\n", "heredoc body");
		is_str(c->redirs[0].target.text, "EOF", "heredoc delimiter");
		is_str(l.commands[2].words[0].text, "echo", "after the heredoc");
	} else {
		ok(0, "heredoc read");
	}
	shell_list_free(&l);

	c = parse_one("echo $'a\\tb\\x41' a\\\nb", &l, 1);
	if (c != NULL && c->nwords == 3) {
		is_str(c->words[1].text, "a\tbA", "$'...' decoded");
		is_str(c->words[2].text, "ab", "backslash-newline joins");
	}
	shell_list_free(&l);

	c = parse_one("echo \"a \\\"b\\\" 'c'\" # comment", &l, 1);
	if (c != NULL && c->nwords == 2)
		is_str(c->words[1].text, "a \"b\" 'c'", "nested quotes");
	shell_list_free(&l);

	/* with SHELL_ANGLE_WORDS "<date>" is a word, else a redirection */
	char *cause = NULL;
	ok(shell_parse("cp /a /b/<date>.sql", SHELL_ANGLE_WORDS, &l, &cause) == 0 &&
	    l.n == 1 && l.commands[0].nwords == 3 && l.commands[0].nredirs == 0,
	    "placeholder word kept whole");
	shell_list_free(&l);

	static const char *const broken[] = {
		"echo 'open", "echo \"open", "echo $(ls", "echo `ls", "echo ${x",
		"echo $'x", "cat >", "echo \"$(echo 'x)\"", "((((((((((", "))))",
		"\\", "'", "\"\\", "$(", "<<", "x=$(", "echo `echo \\`",
	};
	for (size_t i = 0; i < nitems(broken); i++) {
		cause = NULL;
		int rc = shell_parse(broken[i], 0, &l, &cause);
		ok(rc == 0 || (cause != NULL && *cause != '\0'), "broken %s: rc %d, cause %s",
		    tap_one_line(broken[i]), rc, cause ? cause : "-");
		shell_list_free(&l);
		free(cause);
	}
	cause = NULL;
	ok(shell_parse("echo 'open", 0, &l, &cause) == -1 && cause != NULL,
	    "unterminated quote is an error: %s", cause ? cause : "-");
	shell_list_free(&l);
	free(cause);

	/* deep nesting stays bounded */
	struct buf deep;
	buf_init(&deep);
	for (int i = 0; i < 5000; i++)
		buf_adds(&deep, "$(");
	buf_adds(&deep, "x");
	for (int i = 0; i < 5000; i++)
		buf_adds(&deep, ")");
	cause = NULL;
	int rc = shell_parse(deep.data, 0, &l, &cause);
	ok(rc == 0 && l.n == 1 && l.commands[0].substitutions.n == 1,
	    "5000 nested $( ) read as one substitution, without recursion");
	shell_list_free(&l);
	free(cause);
	buf_free(&deep);
}


static void
test_quote(void)
{
	static const char *const values[] = {
		"g; touch X", "$(id -un)", "`id`", "'\"'", "a b", "line\nbreak", "*",
		"\\", "it's", "\"", "$HOME", "", "--", "a\\\"b", "${IFS}", "!x",
	};
	/* the template: how the value is placed in a command */
	static const struct {
		const char *before, *after;
		enum shell_context context;
	} forms[] = {
		{ "printf '%s' ", "", SHELL_CONTEXT_PLAIN },
		{ "printf '%s' \"", "\"", SHELL_CONTEXT_DOUBLE },
		{ "printf '%s' '", "'", SHELL_CONTEXT_SINGLE },
		{ "printf '%s' \"$(printf '%s' ", ")\"", SHELL_CONTEXT_PLAIN },
		{ "printf '%s' \"`printf '%s' ", "`\"", SHELL_CONTEXT_BACKQUOTE },
	};
	for (size_t k = 0; k < nitems(forms); k++) {
		size_t at = strlen(forms[k].before);
		char *probe = xasprintf("%sVALUE%s", forms[k].before, forms[k].after);
		is_int(shell_context_at(probe, at), forms[k].context, "context of %s", tap_one_line(probe));
		free(probe);
		for (size_t i = 0; i < nitems(values); i++) {
			if (forms[k].context == SHELL_CONTEXT_BACKQUOTE && values[i][0] == '\0')
				continue;
			char *q = shell_quote_in(values[i], forms[k].context);
			char *cmd = xasprintf("%s%s%s", forms[k].before, q, forms[k].after);
			char *out = tap_run_sh("/tmp", cmd);
			is_str(out, values[i], "sh prints the value literally: %s", tap_one_line(cmd));
			free(out);
			free(cmd);
			free(q);
		}
	}
	char *q = shell_word("abc-1.2");
	is_str(q, "abc-1.2", "shell_word leaves a safe word");
	free(q);
	q = shell_word("a b");
	is_str(q, "'a b'", "shell_word quotes a blank");
	free(q);
	q = shell_quote("it's");
	is_str(q, "'it'\\''s'", "shell_quote");
	free(q);
}

int
main(void)
{
	test_split();
	test_parse();
	test_quote();
	return tap_done();
}
