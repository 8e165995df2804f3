/*
 * Code blocks: whole commands given to their steps, ssh sessions, and
 * the blocks and lines that are not shell (output, crontab, prose).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "internal.h"
#include "shell.h"

/* Commands in code blocks. */

static const char *const runnable_langs[] = {
	"", "bash", "sh", "shell", "zsh", "ksh", "fish", "shellscript",
	"console", "shell-session", "sh-session", "terminal", NULL
};
static const char *const console_langs[] = {
	"console", "shell-session", "sh-session", "terminal", NULL
};

/* The step that owns commands of the open block, creating the section's orphan step. */
static struct step_build *
block_step(struct parser *p)
{
	if (p->step >= 0)
		return &p->cur->steps[p->step];
	if (p->cur->orphan < 0) {
		step_new(p->cur, STEP_ORPHAN, 0, p->section_title, p->fence.line);
		p->cur->orphan = (long)p->cur->nsteps - 1;
		if (p->fence.block_orphan < 0)
			p->fence.block_orphan = p->cur->orphan;
	}
	return &p->cur->steps[p->cur->orphan];
}

/* ssh commands. */

int
runbook_command_host(const struct conf *c, const char *host, int fallback)
{
	if (host == NULL)
		return fallback;
	int i = conf_find_host(c, host);
	if (i >= 0)
		return i;
	for (size_t k = 0; k < c->nhosts; k++)
		if (c->hosts[k].address != NULL && strcmp(c->hosts[k].address, host) == 0)
			return (int)k;
	return -1;
}

/*
 * Splits a shell line into words with one level of quoting removed.
 * Returns -1 unless it is one simple command: an operator, a redirection,
 * a substitution, a newline, an unterminated quote or too many words.
 */
static int
shell_words(const char *s, struct strv *words)
{
	struct shell_list l;
	char *cause = NULL;
	int rc = shell_parse(s, SHELL_ANGLE_WORDS, &l, &cause);
	free(cause);
	const struct shell_command *c = l.n == 1 ? &l.commands[0] : NULL;
	if (rc == 0 && (c == NULL || c->nredirs > 0 || c->nassigns > 0 ||
	    c->substitutions.n > 0 || c->sep != SHELL_SEP_END || c->nwords > MAX_SSH_WORDS))
		rc = -1;
	for (size_t i = 0; rc == 0 && i < c->nwords; i++)
		strv_add(words, c->words[i].text);
	shell_list_free(&l);
	return rc;
}

/*
 * For "ssh [options] [user@]HOST cmd ...", sets host, user (or NULL) and the
 * remote command; returns 0. Returns -1 for anything else, including
 * interactive ssh and lines with local pipes or redirections.
 */
static int
ssh_split(const char *s, char **host, char **user, char **command, int bare)
{
	const char *p = skip_blank(s);
	const char *w = p;
	while (*p != '\0' && !is_blank(*p))
		p++;
	if (!((p - w == 3 && strncmp(w, "ssh", 3) == 0) ||
	    (p - w > 4 && strncmp(p - 4, "/ssh", 4) == 0)))
		return -1;

	struct strv words = { NULL, 0 };
	const char *login = NULL;
	int rc = -1;
	if (shell_words(s, &words) < 0)
		goto out;
	size_t i = 1;
	while (i < words.n && words.v[i][0] == '-') {
		const char *o = words.v[i++];
		if (strcmp(o, "--") == 0)
			break;
		for (size_t j = 1; o[j] != '\0'; j++) {
			if (strchr("NWO", o[j]) != NULL)
				goto out;
			if (strchr("BbcDEeFIiJLlmopQRSw", o[j]) != NULL) {
				const char *arg = o[j + 1] != '\0' ? o + j + 1 :
				    i < words.n ? words.v[i++] : NULL;
				if (arg == NULL)
					goto out;
				if (o[j] == 'l')
					login = arg;
				break;
			}
		}
	}
	if (i >= words.n || (i + 1 == words.n && !bare) || words.v[i][0] == '\0')
		goto out;
	const char *target = words.v[i++];
	const char *at = strrchr(target, '@');
	if (at != NULL && at[1] == '\0')
		goto out;
	*host = xstrdup(at != NULL ? at + 1 : target);
	*user = at != NULL && at > target ? xstrndup(target, (size_t)(at - target)) :
	    login != NULL ? xstrdup(login) : NULL;
	struct buf cmd;
	buf_init(&cmd);
	for (; i < words.n; i++) {
		if (cmd.len > 0)
			buf_addc(&cmd, ' ');
		buf_adds(&cmd, words.v[i]);
	}
	*command = buf_take(&cmd);
	rc = 0;
out:
	strv_free(&words);
	return rc;
}

/* Code blocks. */

void
fence_reset(struct fence *f)
{
	f->open = 0;
	f->cont = 0;
	free(f->heredoc);
	f->heredoc = NULL;
	buf_reset(&f->body);
	buf_reset(&f->text);
	buf_reset(&f->raw);
	buf_reset(&f->chunk);
	f->seen_line = 0;
	f->as_text = 0;
	strv_free(&f->assigned);
	free(f->session_host);
	f->session_host = NULL;
	free(f->session_user);
	f->session_user = NULL;
	free(f->ssh_pending);
	free(f->ssh_pending_raw);
	free(f->ssh_pending_host);
	free(f->ssh_pending_user);
	f->ssh_pending = f->ssh_pending_raw = f->ssh_pending_host = f->ssh_pending_user = NULL;
}

/* Sets f->heredoc when the logical line opens a heredoc (<<EOF, <<-'EOF'). */
static void
heredoc_start(struct fence *f)
{
	const char *s = f->text.data ? f->text.data : "";
	int single = 0, dbl = 0;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '\\' && !single && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '\'' && !dbl)
			single = !single;
		else if (*p == '"' && !single)
			dbl = !dbl;
		if (single || dbl || p[0] != '<' || p[1] != '<' || p[2] == '<' ||
		    (p > s && p[-1] == '<'))
			continue;
		const char *q = p + 2;
		if (*q == '-')
			q++;
		q = skip_blank(q);
		if (*q == '\'' || *q == '"')
			q++;
		const char *w = q;
		while (is_alnum(*q) || *q == '_' || *q == '.' || *q == '-')
			q++;
		if (q > w) {
			f->heredoc = xstrndup(w, (size_t)(q - w));
			return;
		}
	}
}

/* Gives one whole command to its step; host is a session's host, or NULL. */
static void
command_store(struct parser *p, const char *full, char *raw, int line, const char *host,
    const char *user)
{
	struct fence *f = &p->fence;
	struct runbook_command c;
	memset(&c, 0, sizeof c);
	c.raw = raw;
	c.line = line;
	if (ssh_split(full, &c.host, &c.user, &c.text, 0) < 0) {
		c.text = xstrdup(full);
		if (host != NULL) {
			c.host = xstrdup(host);
			c.user = user ? xstrdup(user) : NULL;
		}
	}
	c.destructive = runbook_is_destructive(full) || runbook_is_destructive(c.text);
	collect_assignments(full, &f->assigned);
	find_placeholders(c.text, &f->assigned, &c.placeholders);
	if (c.host != NULL && strcmp(c.text, full) != 0)
		find_placeholders(full, &f->assigned, &c.placeholders);
	step_add_command(block_step(p), &c);
}

/* An "ssh HOST" line that was not followed by commands is a command itself. */
static void
ssh_pending_flush(struct parser *p)
{
	struct fence *f = &p->fence;
	if (f->ssh_pending == NULL)
		return;
	command_store(p, f->ssh_pending, f->ssh_pending_raw, f->ssh_pending_line, NULL, NULL);
	free(f->ssh_pending);
	f->ssh_pending = NULL;
	f->ssh_pending_raw = NULL;
}

/*
 * Gives one whole command (text as the shell reads it, raw as written) to
 * its step. "ssh HOST" alone followed by other commands opens a session:
 * they run on HOST until "exit", another ssh line or the block's end.
 */
static void
command_emit(struct parser *p, const char *full, char *raw, int line)
{
	struct fence *f = &p->fence;
	char *host = NULL, *user = NULL, *cmd = NULL;
	int split = ssh_split(full, &host, &user, &cmd, 1) == 0;
	int is_ssh = split || strncmp(skip_blank(full), "ssh ", 4) == 0;
	if (f->session_host != NULL && f->ssh_pending == NULL &&
	    (strcmp(full, "exit") == 0 || strcmp(full, "logout") == 0)) {
		free(f->session_host);
		free(f->session_user);
		f->session_host = f->session_user = NULL;
		free(raw);
		return;
	}
	if (is_ssh) {
		free(f->session_host);
		free(f->session_user);
		f->session_host = f->session_user = NULL;
	}
	if (f->ssh_pending != NULL && !is_ssh) {
		/* the pending "ssh HOST" opens a session */
		f->session_host = f->ssh_pending_host;
		f->session_user = f->ssh_pending_user;
		f->ssh_pending_host = f->ssh_pending_user = NULL;
		free(f->ssh_pending);
		free(f->ssh_pending_raw);
		f->ssh_pending = f->ssh_pending_raw = NULL;
	} else
		ssh_pending_flush(p);
	if (split && *cmd == '\0') {
		free(f->ssh_pending_host);
		free(f->ssh_pending_user);
		f->ssh_pending = xstrdup(full);
		f->ssh_pending_raw = raw;
		f->ssh_pending_line = line;
		f->ssh_pending_host = host;
		f->ssh_pending_user = user;
		free(cmd);
		return;
	}
	free(host);
	free(user);
	free(cmd);
	command_store(p, full, raw, line, f->session_host, f->session_user);
}

/* Finishes the logical command being assembled and gives it to its step. */
static void
command_finish(struct parser *p)
{
	struct fence *f = &p->fence;
	f->cont = 0;
	free(f->heredoc);
	f->heredoc = NULL;
	char *full = trim_dup(f->text.data ? f->text.data : "", f->text.len);
	buf_reset(&f->text);
	if (*full == '\0') {
		free(full);
		buf_reset(&f->raw);
		return;
	}
	buf_rtrim(&f->raw);
	command_emit(p, full, buf_take(&f->raw), f->command_line);
	free(full);
}

/* "15 3 * * * /usr/local/bin/backup.sh", "@daily cmd": a crontab line, not a command. */
static int
crontab_line(const char *s)
{
	s = skip_blank(s);
	if (*s == '@') {
		static const char *const specials[] = { "@reboot", "@yearly", "@annually",
		    "@monthly", "@weekly", "@daily", "@midnight", "@hourly", NULL };
		for (int i = 0; specials[i] != NULL; i++)
			if (strncmp(s, specials[i], strlen(specials[i])) == 0 &&
			    is_blank(s[strlen(specials[i])]))
				return 1;
		return 0;
	}
	for (int field = 0; field < 5; field++) {
		size_t n = 0;
		while (s[n] != '\0' && strchr("0123456789*/,-", s[n]) != NULL)
			n++;
		if (n == 0 || !is_blank(s[n]))
			return 0;
		s = skip_blank(s + n);
	}
	return *s != '\0';
}

/* "/start", "/status@bot": a chat bot's command, not a shell's. */
static int
chat_command(const char *s)
{
	s = skip_blank(s);
	if (*s != '/' || !is_alpha(s[1]))
		return 0;
	size_t n = 1;
	while (is_alnum(s[n]) || s[n] == '_' || s[n] == '@')
		n++;
	return s[n] == '\0' || is_blank(s[n]);
}

/* "PGHOST=localhost" alone on its line: a setting for a file. */
static int
setting_line(const char *s)
{
	s = skip_blank(s);
	if (!is_alpha(*s) && *s != '_')
		return 0;
	size_t n = 0;
	while (is_alnum(s[n]) || s[n] == '_')
		n++;
	if (s[n] != '=')
		return 0;
	const char *v = s + n + 1;
	if (*v == '"' || *v == '\'')
		return strchr(v + 1, *v) != NULL && *skip_blank(strchr(v + 1, *v) + 1) == '\0';
	while (*v != '\0' && !is_blank(*v))
		v++;
	return *skip_blank(v) == '\0';
}

/* A sentence: a capital letter, three words or more ("Dear users, the bot ..."). */
static int
prose_line(const char *s)
{
	s = skip_blank(s);
	unsigned char c = (unsigned char)s[0];
	int capital = (c >= 'A' && c <= 'Z') ||
	    (c == 0xD0 && (unsigned char)s[1] >= 0x81 && (unsigned char)s[1] <= 0xAF);
	if (!capital)
		return 0;
	size_t first = 0;
	while (s[first] != '\0' && !is_blank(s[first]))
		first++;
	if (memchr(s, '=', first) != NULL)
		return 0;
	int words = 0;
	for (const char *p = s; *p != '\0';) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		words++;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	return words >= 3;
}

/*
 * Whether a block without a language holds no shell at all: settings for a
 * file, chat commands, crontab lines or sentences (a message template).
 */
static int
block_not_shell(const char *text)
{
	int lines = 0;
	for (const char *l = text; *l != '\0';) {
		const char *e = strchr(l, '\n');
		size_t n = e ? (size_t)(e - l) : strlen(l);
		char *line = xstrndup(l, n);
		if (*skip_blank(line) != '\0') {
			lines++;
			int other = setting_line(line) || chat_command(line) || crontab_line(line) ||
			    prose_line(line);
			if (!other) {
				free(line);
				return 0;
			}
		}
		free(line);
		l = e ? e + 1 : l + n;
	}
	return lines > 0;
}

/* Splits the shell lines gathered so far into commands and gives them to their steps. */
static void
block_flush(struct parser *p)
{
	struct fence *f = &p->fence;
	if (f->chunk.len == 0)
		return;
	if (f->lang[0] == '\0') {
		buf_addc(&f->chunk, '\0');
		int other = block_not_shell(f->chunk.data);
		f->chunk.len--;
		if (other) {
			buf_add(&f->body, f->chunk.data, f->chunk.len);
			f->as_text = 1;
			buf_reset(&f->chunk);
			return;
		}
	}
	struct strv cmds = { NULL, 0 };
	struct buf spans;
	buf_init(&spans);
	buf_addc(&f->chunk, '\0');
	const char *text = f->chunk.data;
	char *why = NULL;
	int unfinished = split_block_commands(text, &cmds, &spans, &why);
	const size_t *span = (const size_t *)(void *)spans.data;
	int line = f->chunk_line;
	size_t at = 0;
	for (size_t i = 0; i < cmds.n; i++) {
		size_t start = span[2 * i], end = span[2 * i + 1];
		for (; at < start; at++)
			if (text[at] == '\n')
				line++;
		if (crontab_line(cmds.v[i]))
			continue;	/* a schedule to install, not a command */
		if (unfinished && i + 1 == cmds.n)
			lint(p, line, LINT_WARNING, "this command cannot run as written (%s): the "
			    "rest of the block is read as part of it", why);
		command_emit(p, cmds.v[i], trim_dup(text + start, end - start), line);
	}
	free(why);
	strv_free(&cmds);
	buf_free(&spans);
	buf_reset(&f->chunk);
}

/* Whether the gathered shell lines end inside a command (an open if, quote, ...). */
static int
block_unfinished(struct parser *p)
{
	struct fence *f = &p->fence;
	if (f->chunk.len == 0)
		return 0;
	if (f->chunk.len > 16384)
		return 1;	/* bounds the rescans of a huge open quote */
	struct strv cmds = { NULL, 0 };
	struct buf spans;
	buf_init(&spans);
	buf_addc(&f->chunk, '\0');
	int r = split_block_commands(f->chunk.data, &cmds, &spans, NULL);
	f->chunk.len--;
	strv_free(&cmds);
	buf_free(&spans);
	return r;
}

/* Adds a (continued) command line; a trailing backslash continues it. */
static void
command_add(struct parser *p, const char *t)
{
	struct fence *f = &p->fence;
	size_t n = rtrim_len(t), slashes = 0;
	while (slashes < n && t[n - 1 - slashes] == '\\')
		slashes++;
	if (slashes % 2 == 1) {
		buf_add(&f->text, t, n - 1);
		buf_rtrim(&f->text);
		f->cont = 1;
		return;
	}
	buf_add(&f->text, t, n);
	f->cont = 0;
	heredoc_start(f);
	if (f->heredoc == NULL)
		command_finish(p);
}

/* "# 3. Restart the workers" or "# Step 3: ...": a step inside a code block. */
static void
comment_step(struct parser *p, int number, const char *title_in)
{
	struct fence *f = &p->fence;
	struct runbook_build *rb = p->cur;
	char *title = xstrdup(title_in);
	int64_t lo, hi;
	int has_box = title_take_timebox(title, &lo, &hi) == 0;
	lint_paren_timeboxes(p, title_in, p->lineno);
	struct step_build *st;
	if (!f->comment_steps && f->block_orphan >= 0 &&
	    f->block_orphan == (long)rb->nsteps - 1) {
		/* commands before the first "# 1." belong to step 1 */
		st = &rb->steps[f->block_orphan];
		free(st->pub.title);
		st->pub.title = title;
		st->pub.number = number;
		st->pub.line = p->lineno;
		st->kind = STEP_COMMENT;
		rb->orphan = -1;
	} else {
		st = step_new(rb, STEP_COMMENT, number, NULL, p->lineno);
		st->pub.title = title;
	}
	if (has_box)
		set_timebox(st, lo, hi);
	f->comment_steps = 1;
	p->step = (long)(st - rb->steps);
}

/* A "#" line in a code block: an expected result, a step, or a comment. */
static void
code_comment(struct parser *p, const char *t)
{
	const char *c = t;
	char label[64];
	const char *value, *title;
	int number;
	if (c[1] == '!')
		return;
	while (*c == '#')
		c++;
	c = skip_blank(c);
	if (label_split(c, label, sizeof label, &value) &&
	    label_kind(label) == LABEL_EXPECTED) {
		char *v = label_value(value);
		struct step_build *st = p->step >= 0 || p->cur->orphan >= 0 ? target_step(p) :
		    block_step(p);
		items_add_trimmed(&st->pub.expected, v);
		free(v);
		return;
	}
	if (p->fence.step_before < 0 && (numbered_heading(c, &number, &title) ||
	    step_heading(c, &number, &title)))
		comment_step(p, number, *title != '\0' ? title : c);
}

/* A line inside a runnable code block. */
static void
code_line(struct parser *p, const char *line)
{
	struct fence *f = &p->fence;
	if (f->heredoc != NULL) {
		buf_addc(&f->text, '\n');
		buf_adds(&f->text, line);
		buf_addc(&f->raw, '\n');
		buf_adds(&f->raw, line);
		const char *t = skip_blank(line);
		if (strncmp(t, f->heredoc, strlen(f->heredoc)) == 0 &&
		    rtrim_len(t) == strlen(f->heredoc))
			command_finish(p);
		return;
	}
	if (f->cont) {
		buf_addc(&f->raw, '\n');
		buf_adds(&f->raw, line);
		const char *t = skip_blank(line);
		if (*t == '\0') {
			command_finish(p);
			return;
		}
		if (f->text.len > 0)
			buf_addc(&f->text, ' ');
		command_add(p, t);
		return;
	}
	const char *t = skip_blank(line);
	if (!f->console && !f->seen_line && t[0] == '$' && t[1] == ' ')
		f->console = 1;	/* prompts: the other lines are output */
	if (*t != '\0')
		f->seen_line = 1;
	if (!f->console) {
		if (*t == '#' && !block_unfinished(p)) {
			block_flush(p);
			code_comment(p, t);
			return;
		}
		if (f->chunk.len == 0) {
			if (*t == '\0')
				return;
			f->chunk_line = p->lineno;
		}
		buf_adds(&f->chunk, line);
		buf_addc(&f->chunk, '\n');
		return;
	}
	if (*t == '\0')
		return;
	if (*t == '#') {
		code_comment(p, t);
		return;
	}
	if (t[0] == '$' && (t[1] == ' ' || t[1] == '\0'))
		t = skip_blank(t + 1);
	else if (f->console)
		return;		/* output */
	if (*t == '\0')
		return;
	f->command_line = p->lineno;
	buf_reset(&f->raw);
	buf_adds(&f->raw, line);
	command_add(p, t);
}

int
fence_open(struct parser *p, const char *s, int indent)
{
	struct fence *f = &p->fence;
	const char *t = skip_blank(s);
	char ch = *t;
	size_t n = 0;
	if (ch != '`' && ch != '~')
		return 0;
	while (t[n] == ch)
		n++;
	if (n < 3)
		return 0;
	const char *info = skip_blank(t + n);
	if (ch == '`' && strchr(info, '`') != NULL)
		return 0;
	if (p->stray_len > 0) {
		int stray = ch == p->stray_ch && n >= p->stray_len && *info == '\0';
		p->stray_len = 0;
		if (stray)
			return 1;	/* the outer block's own closing line, said at the inner one */
	}
	fence_reset(f);
	free(p->lead);
	p->lead = NULL;
	f->open = 1;
	f->ch = ch;
	f->len = n;
	f->indent = indent;
	f->line = p->lineno;
	while (*info == '{' || *info == '.')
		info++;
	size_t l = 0;
	while (l < sizeof f->lang - 1 && info[l] != '\0' && !is_blank(info[l]) &&
	    strchr("{},", info[l]) == NULL) {
		f->lang[l] = (char)((info[l] >= 'A' && info[l] <= 'Z') ? info[l] + 32 : info[l]);
		l++;
	}
	f->lang[l] = '\0';
	f->runnable = table_find(runnable_langs, f->lang) >= 0;
	f->console = table_find(console_langs, f->lang) >= 0;
	f->expected = p->section == SEC_EXPECTED;
	f->step_before = p->step;
	f->block_orphan = -1;
	f->comment_steps = 0;
	f->inner_line = 0;
	return 1;
}

/* Where a block that is not commands goes: expected results, symptoms or step text. */
static void
block_body_finish(struct parser *p)
{
	struct fence *f = &p->fence;
	char *body = trim_dup(f->body.data ? f->body.data : "", f->body.len);
	if (*body == '\0') {
		free(body);
		return;
	}
	if (f->expected) {
		struct step_build *st = target_step(p);
		if (st != NULL)
			items_add(&st->pub.expected, body, strlen(body), MAX_ITEMS);
	} else if (p->section == SEC_SYMPTOMS) {
		symptoms_add(p, body);
	} else {
		char *block = xasprintf("%c%c%c%s\n%s\n%c%c%c", f->ch, f->ch, f->ch, f->lang,
		    body, f->ch, f->ch, f->ch);
		struct step_build *st = cur_step(p);
		if (st != NULL)
			text_add(&st->text, &st->blank, block);
		else
			runbook_text_add(p, block);
		free(block);
	}
	free(body);
}

void
fence_close(struct parser *p)
{
	struct fence *f = &p->fence;
	block_flush(p);
	if (f->text.len > 0 || f->heredoc != NULL)
		command_finish(p);
	ssh_pending_flush(p);
	if (!f->runnable || f->expected || f->as_text)
		block_body_finish(p);
	if (f->expected && !p->section_heading)
		section_end(p);
	if (f->step_before < 0)
		p->step = -1;
	fence_reset(f);
}

/*
 * A fence closed by the closing line of a block written inside it ("```bash"
 * ... "```" within a "```markdown" block): says so at that line, and lets
 * the outer block's own closing line, still to come, open nothing.
 */
static void
lint_inner_fence(struct parser *p)
{
	struct fence *f = &p->fence;
	char longer[8];
	size_t n = f->len + 1 < sizeof longer ? f->len + 1 : sizeof longer - 1;
	memset(longer, f->ch, n);
	longer[n] = '\0';
	lint(p, p->lineno, LINT_WARNING, "this fence closes the block opened at line %d, not the "
	    "\"%s\" block opened inside it at line %d: give the outer block a longer fence (%s)",
	    f->line, f->inner, f->inner_line, longer);
	p->stray_ch = f->ch;
	p->stray_len = f->len;
}

/* A line while a fence is open. */
void
fence_line(struct parser *p, const char *s)
{
	struct fence *f = &p->fence;
	const char *t = skip_blank(s);
	size_t n = 0;
	while (t[n] == f->ch)
		n++;
	if (n >= f->len && *skip_blank(t + n) == '\0') {
		if (f->inner_line > 0)
			lint_inner_fence(p);
		fence_close(p);
		return;
	}
	if (n >= 3 && *skip_blank(t + n) == '\0')
		f->inner_line = 0;	/* an inner block closed by a shorter fence */
	else if (n >= 3 && f->inner_line == 0 && (f->ch == '~' || strchr(t + n, '`') == NULL)) {
		f->inner_line = p->lineno;
		size_t k = 0;
		while (k < sizeof f->inner - 1 && t[k] != '\0' && !is_blank(t[k]))
			k++;
		memcpy(f->inner, t, k);
		f->inner[k] = '\0';
	}
	const char *content = strip_indent(s, f->indent);
	if (!f->runnable || f->expected) {
		buf_add(&f->body, content, rtrim_len(content));
		buf_addc(&f->body, '\n');
		return;
	}
	code_line(p, content);
}
