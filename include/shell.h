/*
 * shell: reads POSIX shell text the way sh does, without running it.
 *
 * shell_split_commands() cuts a block of text into whole commands (an
 * if...fi, a loop, a heredoc, a quoted string or $(...) over several lines
 * stays one command). shell_parse() reads one command line into its simple
 * commands, each with its words unquoted, its assignments and redirections
 * apart, and flags that say what the shell would still expand. Compound
 * commands are flattened into the simple commands they run; their reserved
 * words are dropped. Command substitutions are kept as text to be parsed in
 * turn. Pure: text in, structs out, no I/O.
 */
#ifndef SITREP_SHELL_H
#define SITREP_SHELL_H

#include <stddef.h>

#include "util.h"

/* struct shell_word flags */
#define SHELL_EXPANSION 0x01	/* $x, ${x}, $(...), `...` outside single quotes */
#define SHELL_GLOB 0x02		/* unquoted * ? [ */
#define SHELL_QUOTED 0x04	/* had quotes or backslashes */
#define SHELL_SUBST 0x08	/* a command substitution: $(...), `...`, <(...) */

struct shell_word {
	char *text;		/* quotes removed; expansions kept as written */
	int flags;
};

struct shell_redirect {
	int fd;			/* the descriptor written before the operator, or -1 */
	char op[4];		/* < > >> << <<- <<< <> <& >& >| &> &>> */
	struct shell_word target;	/* a file, descriptor or heredoc delimiter */
	char *heredoc;		/* a heredoc's body, or NULL */
};

enum shell_sep {
	SHELL_SEP_END,		/* the last command */
	SHELL_SEP_SEMI,		/* ; newline ;; ( ) */
	SHELL_SEP_BACKGROUND,	/* & */
	SHELL_SEP_AND,		/* && */
	SHELL_SEP_OR,		/* || */
	SHELL_SEP_PIPE,		/* | |& */
};

struct shell_command {
	struct shell_word *assigns;	/* NAME=value before the command word */
	size_t nassigns;
	struct shell_word *words;	/* the command word and its arguments */
	size_t nwords;
	struct shell_redirect *redirs;
	size_t nredirs;
	struct strv substitutions;	/* the text inside each $(...), `...`, <(...) */
	enum shell_sep sep;	/* what follows this command */
	int piped;		/* its standard input is a pipe */
};

struct shell_list {
	struct shell_command *commands;
	size_t n;
};

/* shell_parse() flags */
#define SHELL_ANGLE_WORDS 0x01	/* "<name>" is a placeholder word, not a redirection */

/*
 * Parses text into its simple commands. Returns 0, or -1 with *cause (an
 * unterminated quote or substitution, or input too deep); out is filled in
 * both cases and must be freed.
 */
int shell_parse(const char *text, int flags, struct shell_list *out, char **cause);
void shell_list_free(struct shell_list *);

/*
 * Splits text into whole commands, in order, each trimmed; blank lines and
 * comments between commands are dropped. Returns 0, or -1 with *cause when
 * the text ends inside a quote, a substitution or a compound command (what
 * was read so far is still in out, the unfinished rest as its last item).
 */
int shell_split_commands(const char *text, struct strv *out, char **cause);

/* Quotes s for a POSIX shell: one word, taken literally. */
char *shell_quote(const char *s);
/* s as one shell word: as it is when that is safe, else quoted. */
char *shell_word(const char *s);

/* Where a position in shell text is, for quoting a value put there. */
enum shell_context {
	SHELL_CONTEXT_PLAIN,	/* outside quotes */
	SHELL_CONTEXT_DOUBLE,	/* inside "..." */
	SHELL_CONTEXT_SINGLE,	/* inside '...' */
	SHELL_CONTEXT_BACKQUOTE,	/* inside `...`, outside quotes there */
};

/* The context at text[offset] (offset <= strlen(text)). */
enum shell_context shell_context_at(const char *text, size_t offset);
/* s quoted to be one literal word (or part of one) in context. */
char *shell_quote_in(const char *s, enum shell_context context);

#endif
