/*
 * conf: the sitrep.conf parser. See conf.h for the shape of the file and
 * sitrep.conf(5) for every key.
 */
#include "config.h"

#include <ctype.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "sanitize.h"

#define CONF_MAX_SIZE (1024 * 1024)
#define MAX_TOKENS 64

struct token {
	char *text;		/* unquoted, not yet expanded */
	size_t start, end;	/* raw span in the line */
};

struct line {
	const char *path;
	int number;
	const char *raw;	/* the line without its comment */
	int indented;
	struct token tok[MAX_TOKENS];
	int ntok;
};

static int
line_error(const struct line *l, char **cause, const char *fmt, ...) ATTR_PRINTF(3, 4);

static int
line_error(const struct line *l, char **cause, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *safe = sanitize_str(msg);
	set_cause(cause, "%s:%d: %s", l->path, l->number, safe);
	free(safe);
	free(msg);
	return -1;
}

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof *c);
	c->interval_s = 5;
	c->timeout_s = 5;
	c->target_s[0] = 15 * 60;
	c->target_s[1] = 60 * 60;
	c->target_s[2] = 4 * 60 * 60;
	c->target_s[3] = 24 * 60 * 60;
	c->disk_warn = 80;
	c->disk_crit = 90;
	c->mem_warn = 90;
	c->mem_crit = 95;
	c->load_warn = 2.0;
	c->load_crit = 4.0;
	c->stats_every = 6;
	c->log_lines = 200;
}

int64_t
conf_parse_duration(const char *s)
{
	if (s == NULL || *s == '\0')
		return -1;
	int64_t total = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		int64_t v = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (*p - '0');
			if (v > 100000000)
				return -1;
			p++;
		}
		int64_t mult = 1;
		switch (*p) {
		case 's': mult = 1; p++; break;
		case 'm': mult = 60; p++; break;
		case 'h': mult = 3600; p++; break;
		case 'd': mult = 86400; p++; break;
		case '\0':
			if (p != s + strspn(s, "0123456789"))
				return -1;	/* "1h30" */
			break;
		default:
			return -1;
		}
		total += v * mult;
	}
	return total;
}

/* Splits a line into tokens; quotes group words and are removed. */
static int
tokenize(struct line *l, char *buf, char **cause)
{
	const char *s = l->raw;
	size_t i = 0, n = strlen(s);
	l->ntok = 0;
	l->indented = (n > 0 && (s[0] == ' ' || s[0] == '\t'));
	char *out = buf;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		if (s[i] == '#')
			break;
		if (l->ntok == MAX_TOKENS)
			return line_error(l, cause, "too many words (at most %d)", MAX_TOKENS);
		struct token *t = &l->tok[l->ntok++];
		t->start = i;
		t->text = out;
		while (i < n && s[i] != ' ' && s[i] != '\t') {
			if (s[i] == '"' || s[i] == '\'') {
				char q = s[i++];
				while (i < n && s[i] != q) {
					if (q == '"' && s[i] == '\\' && i + 1 < n &&
					    (s[i + 1] == '"' || s[i + 1] == '\\'))
						i++;
					*out++ = s[i++];
				}
				if (i >= n)
					return line_error(l, cause, "unterminated %c quote", q);
				i++;
			} else
				*out++ = s[i++];
		}
		*out++ = '\0';
		t->end = i;
	}
	return 0;
}

static char *expand_text(const struct line *, const char *, char **, int, char **);

#define EXPAND_SECRET	0x1	/* the values are secrets */
#define EXPAND_URL	0x2	/* the text is a URL: values are escaped for their part of it */

/*
 * Expands ${VAR} and ${VAR:-default}. With EXPAND_SECRET, expanded values
 * are registered as secrets (URLs, check commands, tokens). With
 * EXPAND_URL, a value is percent-encoded for the part of the URL it lands
 * in, so that it cannot change the URL's other parts. An unset variable
 * expands to "" and is reported in *missing (first one only); with missing
 * NULL it is an error.
 */
static char *
expand(const struct line *l, const char *s, char **missing, int flags, char **cause)
{
	char *before = missing ? *missing : NULL;
	char *out = expand_text(l, s, missing, flags, cause);
	if (out == NULL && missing != NULL && *missing != before) {
		/* an error after an unset variable: nothing to report missing */
		free(*missing);
		*missing = before;
	}
	return out;
}

enum url_part {
	URL_WHOLE,	/* before "://": the value may be the URL's start, kept as it is */
	URL_USERINFO,
	URL_HOST,	/* host[:port], kept as it is, but it must stay a host */
	URL_PATH,
	URL_QUERY,
	URL_FRAGMENT,
};

/*
 * The part of a URL that a value lands in: done is the URL expanded so
 * far, rest the text still to expand (an '@' ahead, before the path, makes
 * what comes before it the userinfo).
 */
static enum url_part
url_part_at(const char *done, const char *rest)
{
	const char *auth = strstr(done, "://");
	if (auth == NULL)
		return URL_WHOLE;
	auth += 3;
	size_t alen = strcspn(auth, "/?#");
	if (auth[alen] == '\0') {
		if (memchr(auth, '@', alen) != NULL)
			return URL_HOST;
		for (const char *q = rest; *q != '\0' && strchr("/?#", *q) == NULL; q++) {
			if (q[0] == '$' && q[1] == '{') {
				const char *close = strchr(q, '}');
				if (close == NULL)
					break;
				q = close;
			} else if (*q == '@')
				return URL_USERINFO;
		}
		return URL_HOST;
	}
	const char *q = strpbrk(auth + alen, "?#");
	if (q == NULL)
		return URL_PATH;
	return strchr(q, '#') != NULL ? URL_FRAGMENT : URL_QUERY;
}

/* Characters other than unreserved ones a value keeps in each part. */
static const char *const url_keep[] = {
	[URL_USERINFO] = "",
	[URL_PATH] = URL_KEEP_PATH,
	[URL_QUERY] = "!$'()*,;:@/?",
	[URL_FRAGMENT] = "!$&'()*+,;=:@/?",
};

/*
 * Adds value v of variable name to b, for part of a URL: escaped, or as it
 * is where it must be. -1 (and why) when a host would not stay a host.
 */
static int
add_url_value(const struct line *l, struct buf *b, const char *name, const char *v,
    enum url_part part, int secret, char **cause)
{
	if (part == URL_WHOLE) {
		buf_adds(b, v);
		return 0;
	}
	if (part == URL_HOST) {
		for (const char *q = v; *q; q++)
			if (strchr("/?#@\\", *q) != NULL || (unsigned char)*q <= ' ' ||
			    (unsigned char)*q == 0x7f)
				return line_error(l, cause, "${%s} is in the URL's host but its value "
				    "is not a host (it holds a space, /, ?, #, @ or \\)", name);
		buf_adds(b, v);
		return 0;
	}
	char *e = url_escape(v, url_keep[part]);
	/* curl and servers may quote the URL as sent: the escaped form is a secret too */
	if (secret && strcmp(e, v) != 0)
		sanitize_add_secret(e);
	buf_adds(b, e);
	free(e);
	return 0;
}

static char *
expand_text(const struct line *l, const char *s, char **missing, int flags, char **cause)
{
	int secret = (flags & EXPAND_SECRET) != 0;
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (const char *p = s; *p; ) {
		if (p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p + 2, '}');
			if (close == NULL) {
				buf_free(&b);
				line_error(l, cause, "unterminated ${ in '%s'", s);
				return NULL;
			}
			char *name = xstrndup(p + 2, (size_t)(close - p - 2));
			char *def = strstr(name, ":-");
			if (def != NULL) {
				*def = '\0';
				def += 2;
			}
			int valid = name[0] != '\0';
			for (char *q = name; *q; q++)
				if (!isalnum((unsigned char)*q) && *q != '_')
					valid = 0;
			if (!valid) {
				line_error(l, cause, "bad variable name in '%s' (expected ${NAME})", s);
				free(name);
				buf_free(&b);
				return NULL;
			}
			const char *v = getenv(name);
			if (v == NULL || *v == '\0')
				v = def;
			if (v == NULL) {
				if (missing == NULL) {
					line_error(l, cause, "environment variable %s is not set", name);
					free(name);
					buf_free(&b);
					return NULL;
				}
				if (*missing == NULL)
					*missing = xstrdup(name);
			} else {
				if (secret)
					sanitize_add_secret(v);
				if (!(flags & EXPAND_URL))
					buf_adds(&b, v);
				else if (add_url_value(l, &b, name, v, url_part_at(b.data, close + 1),
				    secret, cause) == -1) {
					free(name);
					buf_free(&b);
					return NULL;
				}
			}
			free(name);
			p = close + 1;
		} else
			buf_addc(&b, *p++);
	}
	return buf_take(&b);
}

static int
want_args(const struct line *l, int min, int max, const char *usage, char **cause)
{
	int args = l->ntok - 1;
	if (args < min || (max >= 0 && args > max))
		return line_error(l, cause, "expected '%s'", usage);
	return 0;
}

static int
get_int(const struct line *l, const char *s, long long min, long long max, int *out, char **cause)
{
	long long v;
	if (parse_int(s, min, max, &v) == -1)
		return line_error(l, cause, "'%s' is not a number from %lld to %lld", s, min, max);
	*out = (int)v;
	return 0;
}

static int
get_percent_pair(const struct line *l, int *out, char **cause)
{
	if (want_args(l, 1, 1, "KEY PERCENT", cause) == -1)
		return -1;
	const char *s = l->tok[1].text;
	char *tmp = xstrdup(s);
	size_t n = strlen(tmp);
	if (n > 0 && tmp[n - 1] == '%')
		tmp[n - 1] = '\0';
	int r = get_int(l, tmp, 1, 100, out, cause);
	free(tmp);
	return r;
}

static int
get_double(const struct line *l, const char *s, double *out, char **cause)
{
	/* plain decimals only: strtod would also take "nan", "inf" and "0x10" */
	size_t digits = strspn(s, "0123456789"), dot = s[digits] == '.';
	size_t frac = dot ? strspn(s + digits + 1, "0123456789") : 0;
	if (digits + frac == 0 || s[digits + dot + frac] != '\0')
		return line_error(l, cause, "'%s' is not a number such as 4 or 2.5", s);
	double v = strtod(s, NULL);
	if (v <= 0 || v > 1000)
		return line_error(l, cause, "'%s' is out of range (above 0, at most 1000)", s);
	*out = v;
	return 0;
}

static int
get_duration(const struct line *l, const char *s, int64_t *out, char **cause)
{
	int64_t v = conf_parse_duration(s);
	if (v < 0)
		return line_error(l, cause, "'%s' is not a duration (expected 90s, 15m, 4h, 1d)", s);
	*out = v;
	return 0;
}

static int
valid_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && strchr("-_.@:", *p) == NULL)
			return 0;
	return 1;
}

static struct host_conf *
host_new(struct conf *c, const char *name, int line)
{
	c->hosts = xreallocarray(c->hosts, c->nhosts + 1, sizeof *c->hosts);
	struct host_conf *h = &c->hosts[c->nhosts++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	h->transport = TRANSPORT_SSH;
	h->interval_s = -1;
	h->timeout_s = -1;
	h->disk_warn = h->disk_crit = -1;
	h->mem_warn = h->mem_crit = -1;
	h->load_warn = h->load_crit = -1;
	h->containers = CONTAINERS_DOCKER;
	h->line = line;
	return h;
}

/*
 * What glibc's regcomp() will make of an expect regex, measured before it
 * is compiled. regcomp() copies a repeated piece once per repetition
 * (a+ is a a*, a{2,5} five copies), so nested repetitions multiply and
 * '^Linux' followed by twenty '+' takes 700 MB; and repeating a piece
 * that can match nothing, as in (x*|y*)+, makes its closure computation
 * exponential: ((x*|y*)+){20} takes seconds, {40} never ends. Neither is
 * needed to match a check's output, so both are refused, as is a
 * back-reference (\1), which makes matching exponential instead.
 */
struct regex_scan {
	size_t limit;		/* copies allowed */
	int backref;
	int empty_repeat;
	int too_deep;
};

static size_t regex_alt(const char **, struct regex_scan *, int, int *);

static size_t
regex_cap(size_t n, const struct regex_scan *r)
{
	return n > r->limit ? r->limit + 1 : n;
}

/*
 * A bound at *pp ("{2}", "{2,5}", "{2,}", "{,5}"): 1 with the copies it
 * makes and whether it allows none, or 0 when the brace is a literal one.
 */
static int
regex_bound(const char **pp, size_t *copies, int *zero)
{
	const char *p = *pp + 1;
	char *end;
	unsigned long n = 0, m;
	if (isdigit((unsigned char)*p)) {
		n = strtoul(p, &end, 10);
		p = end;
	} else if (*p != ',')
		return 0;
	m = n;
	if (*p == ',') {
		p++;
		m = n + 1;	/* {n,} is n copies and a star */
		if (isdigit((unsigned char)*p)) {
			m = strtoul(p, &end, 10);
			p = end;
		}
	}
	if (*p != '}')
		return 0;
	*pp = p + 1;
	*copies = m > n ? m : n;
	*zero = n == 0;
	return 1;
}

/* One branch: pieces up to '|', the end, or the group's ')'. */
static size_t
regex_branch(const char **pp, struct regex_scan *r, int depth, int *nullable)
{
	const char *p = *pp;
	size_t total = 0;
	*nullable = 1;
	while (*p != '\0' && *p != '|' && !(*p == ')' && depth > 0) && total <= r->limit) {
		size_t copies = 1;
		int empty = 0;	/* the atom can match nothing */
		if (*p == '(') {
			p++;
			copies = regex_alt(&p, r, depth + 1, &empty);
			if (*p == ')')
				p++;
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
					/* [:alpha:], [=a=], [.-.]: a ']' inside ends nothing */
					char term[3] = { p[1], ']', '\0' };
					const char *close = strstr(p + 2, term);
					p = close != NULL ? close + 2 : p + 1;
				} else
					p++;
			}
			if (*p == ']')
				p++;
		} else if (*p == '\\' && p[1] != '\0') {
			if (p[1] >= '1' && p[1] <= '9')
				r->backref = 1;
			empty = strchr("bB<>`'", p[1]) != NULL;
			p += 2;
		} else {
			empty = *p == '^' || *p == '$';
			p++;
		}
		for (;;) {
			size_t times = 0;
			int zero = 0;
			if (*p == '*' || *p == '?') {
				times = 1;
				zero = 1;
				p++;
			} else if (*p == '+') {
				times = 2;
				p++;
			} else if (*p != '{' || !regex_bound(&p, &times, &zero))
				break;
			if (empty)
				r->empty_repeat = 1;
			copies = regex_cap(copies * regex_cap(times, r), r);
			empty |= zero;
		}
		total = regex_cap(total + copies, r);
		*nullable &= empty;
	}
	*pp = p;
	return total;
}

/* Branches separated by '|', up to the end or the group's ')'. */
static size_t
regex_alt(const char **pp, struct regex_scan *r, int depth, int *nullable)
{
	size_t total = 0;
	*nullable = 0;
	if (depth > 64) {
		r->too_deep = 1;
		return r->limit + 1;
	}
	for (;;) {
		int branch_nullable;
		total = regex_cap(total + regex_branch(pp, r, depth, &branch_nullable), r);
		*nullable |= branch_nullable;
		if (**pp != '|' || total > r->limit)
			return total;
		(*pp)++;
	}
}

/* A check's expect regex, as it will be compiled for every cycle: 0 or -1. */
static int
check_regex(const struct line *l, const char *expect, char **cause)
{
	struct regex_scan scan = { .limit = 10000 };
	const char *p = expect;
	int nullable;
	if (regex_alt(&p, &scan, 0, &nullable) > scan.limit || scan.too_deep)
		return line_error(l, cause, "expect regex '%s' repeats too much to compile "
		    "(nested repetitions such as a++ or (a{200}){100} multiply)", expect);
	if (scan.empty_repeat)
		return line_error(l, cause, "expect regex '%s' repeats a part that can match "
		    "nothing, such as (a*)+ or (a|b*){3}: compiling it can take minutes; "
		    "drop the inner repetition", expect);
	if (scan.backref)
		return line_error(l, cause, "expect regex '%s': back-references (\\1 to \\9) are "
		    "not supported: they can make matching take hours", expect);
	regex_t re;
	int rc = regcomp(&re, expect, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char err[128];
		regerror(rc, &re, err, sizeof err);
		return line_error(l, cause, "bad expect regex '%s': %s", expect, err);
	}
	regfree(&re);
	return 0;
}

/* check NAME COMMAND... [expect REGEX] */
static int
parse_check(struct host_conf *h, const struct line *l, char **cause)
{
	if (l->ntok < 3)
		return line_error(l, cause, "expected 'check NAME COMMAND [expect REGEX]'");
	int last = l->ntok;
	const char *expect = NULL;
	if (l->ntok >= 5 && strcmp(l->tok[l->ntok - 2].text, "expect") == 0) {
		expect = l->tok[l->ntok - 1].text;
		last = l->ntok - 2;
	} else if (strcmp(l->tok[l->ntok - 1].text, "expect") == 0)
		return line_error(l, cause, "'expect' needs a regular expression");
	size_t start = l->tok[2].start, end = l->tok[last - 1].end;
	char *shown = xstrndup(l->raw + start, end - start);
	char *missing = NULL;
	char *cmd = expand(l, shown, &missing, EXPAND_SECRET, cause);
	if (cmd == NULL) {
		free(shown);
		return -1;
	}
	if (expect != NULL && check_regex(l, expect, cause) == -1) {
		free(shown);
		free(cmd);
		free(missing);
		return -1;
	}
	for (size_t i = 0; i < h->nchecks; i++)
		if (strcmp(h->checks[i].name, l->tok[1].text) == 0) {
			free(shown);
			free(cmd);
			free(missing);
			return line_error(l, cause, "check '%s' is defined twice", l->tok[1].text);
		}
	h->checks = xreallocarray(h->checks, h->nchecks + 1, sizeof *h->checks);
	struct check_conf *ck = &h->checks[h->nchecks++];
	memset(ck, 0, sizeof *ck);
	ck->name = xstrdup(l->tok[1].text);
	ck->command = cmd;
	ck->command_shown = shown;
	ck->expect = expect ? xstrdup(expect) : NULL;
	ck->line = l->number;
	ck->missing_env = missing;
	return 0;
}

/* health NAME URL [via-ssh] [method M] [status N] [json K=V] [timeout S] [slow MS] */
static int
parse_health(struct host_conf *h, const struct line *l, char **cause)
{
	static const char usage[] = "health NAME URL [via-ssh] [method GET|POST|HEAD] "
	    "[status N] [json KEY=VALUE] [timeout SECONDS] [slow MS]";
	if (l->ntok < 3)
		return line_error(l, cause, "expected '%s'", usage);
	struct health_conf hc;
	memset(&hc, 0, sizeof hc);
	hc.line = l->number;
	const char *url = l->tok[2].text;
	char *missing = NULL;
	if (!str_has_prefix(url, "http://") && !str_has_prefix(url, "https://"))
		return line_error(l, cause, "'%s' is not an http:// or https:// URL", url);
	for (int i = 3; i < l->ntok; i++) {
		const char *k = l->tok[i].text;
		const char *v = i + 1 < l->ntok ? l->tok[i + 1].text : NULL;
		if (strcmp(k, "via-ssh") == 0) {
			hc.via_ssh = 1;
			continue;
		}
		if (v == NULL)
			goto bad;
		i++;
		if (strcmp(k, "method") == 0) {
			if (strcmp(v, "GET") && strcmp(v, "POST") && strcmp(v, "HEAD")) {
				line_error(l, cause, "method '%s': expected GET, POST or HEAD", v);
				goto fail;
			}
			free(hc.method);
			hc.method = xstrdup(v);
		} else if (strcmp(k, "status") == 0) {
			if (get_int(l, v, 100, 599, &hc.expect_status, cause) == -1)
				goto fail;
		} else if (strcmp(k, "timeout") == 0) {
			if (get_int(l, v, 1, 3600, &hc.timeout_s, cause) == -1)
				goto fail;
		} else if (strcmp(k, "slow") == 0) {
			if (get_int(l, v, 1, 3600000, &hc.slow_ms, cause) == -1)
				goto fail;
		} else if (strcmp(k, "json") == 0) {
			const char *eq = strchr(v, '=');
			if (eq == NULL || eq == v) {
				line_error(l, cause, "json '%s': expected KEY=VALUE", v);
				goto fail;
			}
			free(hc.json_key);
			free(hc.json_value);
			hc.json_key = xstrndup(v, (size_t)(eq - v));
			hc.json_value = xstrdup(eq + 1);
		} else
			goto bad;
	}
	hc.url_shown = xstrdup(url);
	hc.url = expand(l, url, &missing, EXPAND_SECRET | EXPAND_URL, cause);
	if (hc.url == NULL)
		goto fail;
	hc.missing_env = missing;
	hc.name = xstrdup(l->tok[1].text);
	if (hc.method == NULL)
		hc.method = xstrdup("GET");
	h->health = xreallocarray(h->health, h->nhealth + 1, sizeof *h->health);
	h->health[h->nhealth++] = hc;
	return 0;
bad:
	line_error(l, cause, "expected '%s'", usage);
fail:
	free(missing);
	free(hc.method);
	free(hc.json_key);
	free(hc.json_value);
	free(hc.url_shown);
	free(hc.url);
	return -1;
}

/* service NAME [rto D] [rpo D] */
static int
parse_service(struct host_conf *h, const struct line *l, char **cause)
{
	if (l->ntok < 2 || l->ntok % 2 != 0)
		return line_error(l, cause, "expected 'service NAME [rto DURATION] [rpo DURATION]'");
	struct service_conf sc = { xstrdup(l->tok[1].text), 0, 0 };
	for (int i = 2; i + 1 < l->ntok; i += 2) {
		int64_t *dst = strcmp(l->tok[i].text, "rto") == 0 ? &sc.rto_s :
		    strcmp(l->tok[i].text, "rpo") == 0 ? &sc.rpo_s : NULL;
		if (dst == NULL || get_duration(l, l->tok[i + 1].text, dst, cause) == -1) {
			free(sc.name);
			if (dst == NULL)
				return line_error(l, cause, "'%s': expected rto or rpo", l->tok[i].text);
			return -1;
		}
	}
	h->services = xreallocarray(h->services, h->nservices + 1, sizeof *h->services);
	h->services[h->nservices++] = sc;
	return 0;
}

static void
add_list(struct strv *sv, const struct line *l, int from)
{
	for (int i = from; i < l->ntok; i++) {
		char *s = xstrdup(l->tok[i].text);
		char *save = NULL;
		for (char *p = strtok_r(s, ",", &save); p;
		    p = strtok_r(NULL, ",", &save))
			if (*p && strv_find(sv, p) == -1)
				strv_add(sv, p);
		free(s);
	}
}

/*
 * Keys are tables: a key's name, its usage, what it holds and where. One
 * reader applies them, and the "unknown key" message lists the table, so
 * a new key is one line.
 */
enum key_kind {
	KEY_INT,		/* int, min..max */
	KEY_DURATION,		/* int64_t seconds */
	KEY_PERCENT,		/* int 1..100, an optional % */
	KEY_LOAD,		/* double, per core */
	KEY_STRING,		/* char *, ${VAR} expanded */
	KEY_PATH,		/* char *, expanded, ~/ resolved, never empty */
	KEY_LIST,		/* struct strv, words and commas */
	KEY_FUNC,		/* its own reader */
};

struct conf_key {
	const char *name;
	const char *usage;
	enum key_kind kind;
	size_t offset;
	long long min, max;
	int (*parse)(void *obj, const struct line *, char **cause);
};

#define KEY_AT(type, field) offsetof(type, field)

static void *
key_field(void *obj, const struct conf_key *k)
{
	return (char *)obj + k->offset;
}

static int
apply_key(const struct conf_key *table, const char *what, void *obj, const struct line *l,
    char **cause)
{
	const char *name = l->tok[0].text;
	const struct conf_key *k = table;
	while (k->name != NULL && strcmp(k->name, name) != 0)
		k++;
	if (k->name == NULL) {
		struct buf b;
		buf_init(&b);
		for (const struct conf_key *t = table; t->name != NULL; t++)
			if (t == table || strcmp(t->name, t[-1].name) != 0)
				buf_printf(&b, "%s%s", t == table ? "" : ", ", t->name);
		line_error(l, cause, "unknown %skey '%s' (expected %s)", what, name, b.data);
		buf_free(&b);
		return -1;
	}
	if (k->kind == KEY_FUNC && k->parse == NULL)
		return line_error(l, cause, "'%s' starts a block here", name);
	if (k->kind == KEY_FUNC)
		return k->parse(obj, l, cause);
	int lists = k->kind == KEY_LIST;
	if (want_args(l, 1, lists ? -1 : 1, k->usage, cause) == -1)
		return -1;
	const char *v = l->tok[1].text;
	switch (k->kind) {
	case KEY_INT:
		return get_int(l, v, k->min, k->max, key_field(obj, k), cause);
	case KEY_DURATION:
		return get_duration(l, v, key_field(obj, k), cause);
	case KEY_PERCENT:
		return get_percent_pair(l, key_field(obj, k), cause);
	case KEY_LOAD:
		return get_double(l, v, key_field(obj, k), cause);
	case KEY_LIST:
		add_list(key_field(obj, k), l, 1);
		return 0;
	case KEY_STRING:
	case KEY_PATH: {
		char *val = expand(l, v, NULL, 0, cause);
		if (val == NULL)
			return -1;
		if (k->kind == KEY_PATH && val[0] == '\0') {
			free(val);
			return line_error(l, cause, "'%s' is empty: it needs a value", name);
		}
		if (k->kind == KEY_PATH && val[0] == '~' && val[1] == '/') {
			const char *home = getenv("HOME");
			char *t = xasprintf("%s%s", home ? home : "", val + 1);
			free(val);
			val = t;
		}
		char **dst = key_field(obj, k);
		free(*dst);
		*dst = val;
		return 0;
	}
	case KEY_FUNC:
		break;
	}
	return 0;
}

static int
host_address(void *obj, const struct line *l, char **cause)
{
	struct host_conf *h = obj;
	if (want_args(l, 1, 1, "address HOST", cause) == -1)
		return -1;
	char *val = expand(l, l->tok[1].text, NULL, 0, cause);
	if (val == NULL)
		return -1;
	if (val[0] == '\0') {
		free(val);
		return line_error(l, cause, "'%s' is empty: it needs a host name or address",
		    l->tok[0].text);
	}
	if (strcmp(val, "local") == 0)
		h->transport = TRANSPORT_LOCAL;
	free(h->address);
	h->address = val;
	return 0;
}

static int
host_transport(void *obj, const struct line *l, char **cause)
{
	struct host_conf *h = obj;
	if (want_args(l, 1, 1, "transport ssh|local", cause) == -1)
		return -1;
	const char *v = l->tok[1].text;
	if (strcmp(v, "ssh") == 0)
		h->transport = TRANSPORT_SSH;
	else if (strcmp(v, "local") == 0)
		h->transport = TRANSPORT_LOCAL;
	else
		return line_error(l, cause, "transport '%s': expected ssh or local", v);
	return 0;
}

static int
host_containers(void *obj, const struct line *l, char **cause)
{
	static const struct {
		const char *name;
		enum containers_kind kind;
	} kinds[] = {
		{ "docker", CONTAINERS_DOCKER }, { "podman", CONTAINERS_PODMAN },
		{ "auto", CONTAINERS_AUTO }, { "none", CONTAINERS_NONE },
	};
	struct host_conf *h = obj;
	if (want_args(l, 1, 1, "containers docker|podman|auto|none", cause) == -1)
		return -1;
	for (size_t i = 0; i < nitems(kinds); i++)
		if (strcmp(l->tok[1].text, kinds[i].name) == 0) {
			h->containers = kinds[i].kind;
			return 0;
		}
	return line_error(l, cause, "containers '%s': expected docker, podman, auto or none",
	    l->tok[1].text);
}

static int
host_units(void *obj, const struct line *l, char **cause)
{
	struct host_conf *h = obj;
	if (want_args(l, 1, -1, "unit NAME...", cause) == -1)
		return -1;
	struct strv names;
	memset(&names, 0, sizeof names);
	add_list(&names, l, 1);
	for (size_t i = 0; i < names.n; i++)
		if (!valid_name(names.v[i])) {
			line_error(l, cause, "unit '%s': expected a systemd unit name", names.v[i]);
			strv_free(&names);
			return -1;
		}
	for (size_t i = 0; i < names.n; i++)
		if (strv_find(&h->units, names.v[i]) == -1)
			strv_add(&h->units, names.v[i]);
	strv_free(&names);
	return 0;
}

static int
host_check(void *obj, const struct line *l, char **cause)
{
	return parse_check(obj, l, cause);
}

static int
host_health(void *obj, const struct line *l, char **cause)
{
	return parse_health(obj, l, cause);
}

static int
host_service(void *obj, const struct line *l, char **cause)
{
	return parse_service(obj, l, cause);
}

#define H(f) KEY_AT(struct host_conf, f)
static const struct conf_key host_keys[] = {
	{ "address", NULL, KEY_FUNC, 0, 0, 0, host_address },
	{ "hostname", NULL, KEY_FUNC, 0, 0, 0, host_address },
	{ "user", "user NAME", KEY_STRING, H(user), 0, 0, NULL },
	{ "port", "port NUMBER", KEY_INT, H(port), 1, 65535, NULL },
	{ "transport", NULL, KEY_FUNC, 0, 0, 0, host_transport },
	{ "interval", "interval SECONDS", KEY_INT, H(interval_s), 1, 3600, NULL },
	{ "timeout", "timeout SECONDS", KEY_INT, H(timeout_s), 1, 600, NULL },
	{ "containers", NULL, KEY_FUNC, 0, 0, 0, host_containers },
	{ "unit", NULL, KEY_FUNC, 0, 0, 0, host_units },
	{ "check", NULL, KEY_FUNC, 0, 0, 0, host_check },
	{ "health", NULL, KEY_FUNC, 0, 0, 0, host_health },
	{ "service", NULL, KEY_FUNC, 0, 0, 0, host_service },
	{ "disk-warn", "disk-warn PERCENT", KEY_PERCENT, H(disk_warn), 0, 0, NULL },
	{ "disk-crit", "disk-crit PERCENT", KEY_PERCENT, H(disk_crit), 0, 0, NULL },
	{ "mem-warn", "mem-warn PERCENT", KEY_PERCENT, H(mem_warn), 0, 0, NULL },
	{ "mem-crit", "mem-crit PERCENT", KEY_PERCENT, H(mem_crit), 0, 0, NULL },
	{ "load-warn", "load-warn PER-CORE", KEY_LOAD, H(load_warn), 0, 0, NULL },
	{ "load-crit", "load-crit PER-CORE", KEY_LOAD, H(load_crit), 0, 0, NULL },
	{ "tags", "tags TAG...", KEY_LIST, H(tags), 0, 0, NULL },
	{ "rto", "rto DURATION", KEY_DURATION, H(rto_s), 0, 0, NULL },
	{ "rpo", "rpo DURATION", KEY_DURATION, H(rpo_s), 0, 0, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};
#undef H

static int
parse_host_key(struct host_conf *h, const struct line *l, char **cause)
{
	return apply_key(host_keys, "host ", h, l, cause);
}

static int
parse_events(const struct line *l, int from, int *events, char **cause)
{
	*events = 0;
	for (int i = from; i < l->ntok; i++) {
		char *s = xstrdup(l->tok[i].text);
		for (char *next = s, *p; (p = next) != NULL;) {
			next = strchr(p, ',');
			if (next != NULL)
				*next++ = '\0';
			if (*p == '\0') {
				line_error(l, cause, "events '%s': an empty name between commas",
				    l->tok[i].text);
				free(s);
				return -1;
			}
			if (strcmp(p, "open") == 0)
				*events |= NOTIFY_EV_OPEN;
			else if (strcmp(p, "severity") == 0)
				*events |= NOTIFY_EV_SEVERITY;
			else if (strcmp(p, "milestone") == 0)
				*events |= NOTIFY_EV_MILESTONE;
			else if (strcmp(p, "resolve") == 0)
				*events |= NOTIFY_EV_RESOLVE;
			else if (strcmp(p, "note") == 0)
				*events |= NOTIFY_EV_NOTE;
			else if (strcmp(p, "all") == 0)
				*events |= NOTIFY_EV_ALL;
			else {
				line_error(l, cause, "event '%s': expected open, severity, milestone, "
				    "resolve, note or all", p);
				free(s);
				return -1;
			}
		}
		free(s);
	}
	return 0;
}

static int
notify_events(void *obj, const struct line *l, char **cause)
{
	struct notify_conf *n = obj;
	if (want_args(l, 1, -1, "events open,severity,milestone,resolve", cause) == -1)
		return -1;
	return parse_events(l, 1, &n->events, cause);
}

static int
notify_type(void *obj, const struct line *l, char **cause)
{
	struct notify_conf *n = obj;
	if (want_args(l, 1, 1, "type slack|telegram|json", cause) == -1)
		return -1;
	const char *v = l->tok[1].text;
	if (strcmp(v, "slack") == 0)
		n->kind = NOTIFY_SLACK;
	else if (strcmp(v, "telegram") == 0)
		n->kind = NOTIFY_TELEGRAM;
	else if (strcmp(v, "json") == 0)
		n->kind = NOTIFY_JSON;
	else
		return line_error(l, cause, "type '%s': expected slack, telegram or json", v);
	return 0;
}

/* url, token or chat-id into *dst, ${VAR} expanded with flags. */
static int
notify_value(struct notify_conf *n, char **dst, int flags, const struct line *l, char **cause)
{
	if (want_args(l, 1, 1, "KEY VALUE", cause) == -1)
		return -1;
	const char *v = l->tok[1].text;
	char *missing = NULL;
	char *val = expand(l, v, &missing, flags, cause);
	if (val == NULL)
		return -1;
	if ((missing != NULL || *val == '\0') && n->missing_env == NULL)
		n->missing_env = missing ? xasprintf("${%s}", missing) : xstrdup(v);
	free(missing);
	free(*dst);
	*dst = val;
	return 0;
}

static int
notify_url(void *obj, const struct line *l, char **cause)
{
	struct notify_conf *n = obj;
	return notify_value(n, &n->url, EXPAND_SECRET | EXPAND_URL, l, cause);
}

static int
notify_chat_id(void *obj, const struct line *l, char **cause)
{
	struct notify_conf *n = obj;
	return notify_value(n, &n->chat_id, 0, l, cause);
}

static int
notify_token(void *obj, const struct line *l, char **cause)
{
	struct notify_conf *n = obj;
	if (notify_value(n, &n->token, EXPAND_SECRET, l, cause) == -1)
		return -1;
	sanitize_add_secret(n->token);
	/* the token goes into the path of the URL, escaped as one segment */
	char *e = url_escape(n->token, URL_KEEP_SEGMENT);
	sanitize_add_secret(e);
	free(e);
	return 0;
}

#define N(f) KEY_AT(struct notify_conf, f)
static const struct conf_key notify_keys[] = {
	{ "type", NULL, KEY_FUNC, 0, 0, 0, notify_type },
	{ "url", NULL, KEY_FUNC, 0, 0, 0, notify_url },
	{ "token", NULL, KEY_FUNC, 0, 0, 0, notify_token },
	{ "chat-id", NULL, KEY_FUNC, 0, 0, 0, notify_chat_id },
	{ "events", NULL, KEY_FUNC, 0, 0, 0, notify_events },
	{ "timeout", "timeout SECONDS", KEY_INT, N(timeout_s), 1, 600, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};
#undef N

static int
parse_notify_key(struct notify_conf *n, const struct line *l, char **cause)
{
	return apply_key(notify_keys, "notify ", n, l, cause);
}

static int
global_target(void *obj, const struct line *l, char **cause)
{
	struct conf *c = obj;
	if (want_args(l, 2, 2, "target P0|P1|P2|P3 DURATION", cause) == -1)
		return -1;
	const char *v = l->tok[1].text;
	if (strlen(v) != 2 || (v[0] != 'P' && v[0] != 'p') || v[1] < '0' || v[1] > '3')
		return line_error(l, cause, "severity '%s': expected P0, P1, P2 or P3", v);
	return get_duration(l, l->tok[2].text, &c->target_s[v[1] - '0'], cause);
}

/* "host" and "notify" open blocks: conf_parse handles them before the table. */
#define G(f) KEY_AT(struct conf, f)
static const struct conf_key global_keys[] = {
	{ "host", NULL, KEY_FUNC, 0, 0, 0, NULL },
	{ "notify", NULL, KEY_FUNC, 0, 0, 0, NULL },
	{ "interval", "interval SECONDS", KEY_INT, G(interval_s), 1, 3600, NULL },
	{ "timeout", "timeout SECONDS", KEY_INT, G(timeout_s), 1, 600, NULL },
	{ "ssh-config", "ssh-config FILE", KEY_PATH, G(ssh_config), 0, 0, NULL },
	{ "known-hosts", "known-hosts FILE", KEY_PATH, G(known_hosts), 0, 0, NULL },
	{ "identity", "identity FILE", KEY_PATH, G(identity), 0, 0, NULL },
	{ "theme", "theme NAME", KEY_PATH, G(theme), 0, 0, NULL },
	{ "operator", "operator NAME", KEY_PATH, G(operator_name), 0, 0, NULL },
	{ "db", "db FILE", KEY_PATH, G(db), 0, 0, NULL },
	{ "target", NULL, KEY_FUNC, 0, 0, 0, global_target },
	{ "rto", "rto DURATION", KEY_DURATION, G(rto_s), 0, 0, NULL },
	{ "rpo", "rpo DURATION", KEY_DURATION, G(rpo_s), 0, 0, NULL },
	{ "disk-warn", "disk-warn PERCENT", KEY_PERCENT, G(disk_warn), 0, 0, NULL },
	{ "disk-crit", "disk-crit PERCENT", KEY_PERCENT, G(disk_crit), 0, 0, NULL },
	{ "mem-warn", "mem-warn PERCENT", KEY_PERCENT, G(mem_warn), 0, 0, NULL },
	{ "mem-crit", "mem-crit PERCENT", KEY_PERCENT, G(mem_crit), 0, 0, NULL },
	{ "load-warn", "load-warn PER-CORE", KEY_LOAD, G(load_warn), 0, 0, NULL },
	{ "load-crit", "load-crit PER-CORE", KEY_LOAD, G(load_crit), 0, 0, NULL },
	{ "stats-every", "stats-every CYCLES", KEY_INT, G(stats_every), 0, 1000, NULL },
	{ "log-lines", "log-lines N", KEY_INT, G(log_lines), 10, 100000, NULL },
	{ NULL, NULL, 0, 0, 0, 0, NULL },
};
#undef G

static int
parse_global(struct conf *c, const struct line *l, char **cause)
{
	return apply_key(global_keys, "", c, l, cause);
}

/* Fills host values left unset from the globals and checks consistency. */
static int
finish_host(struct conf *c, struct host_conf *h, const char *path, char **cause)
{
	if (h->interval_s < 0)
		h->interval_s = c->interval_s;
	if (h->timeout_s < 0)
		h->timeout_s = c->timeout_s;
	if (h->disk_warn < 0)
		h->disk_warn = c->disk_warn;
	if (h->disk_crit < 0)
		h->disk_crit = c->disk_crit;
	if (h->mem_warn < 0)
		h->mem_warn = c->mem_warn;
	if (h->mem_crit < 0)
		h->mem_crit = c->mem_crit;
	if (h->load_warn < 0)
		h->load_warn = c->load_warn;
	if (h->load_crit < 0)
		h->load_crit = c->load_crit;
	if (h->disk_warn > h->disk_crit)
		return set_cause(cause, "%s:%d: host %s: disk-warn %d%% is above disk-crit %d%%",
		    path, h->line, h->name, h->disk_warn, h->disk_crit);
	if (h->mem_warn > h->mem_crit)
		return set_cause(cause, "%s:%d: host %s: mem-warn %d%% is above mem-crit %d%%",
		    path, h->line, h->name, h->mem_warn, h->mem_crit);
	return 0;
}

/* -1 with "path:line: NUL byte" if the text holds one. */
static int
conf_check_text(const char *text, size_t len, const char *path, char **cause)
{
	const char *nul = memchr(text, '\0', len);
	if (nul == NULL)
		return 0;
	int ln = 1;
	for (const char *p = text; p < nul; p++)
		ln += *p == '\n';
	return set_cause(cause, "%s:%d: NUL byte (expected a text file)", path, ln);
}

/* "host NAME": a new host block; NULL with *cause. */
static struct host_conf *
conf_host_block(struct conf *c, const struct line *l, char **cause)
{
	if (want_args(l, 1, 1, "host NAME", cause) == -1)
		return NULL;
	if (!valid_name(l->tok[1].text)) {
		line_error(l, cause, "host name '%s': expected letters, digits, "
		    "'-', '_', '.', '@' or ':'", l->tok[1].text);
		return NULL;
	}
	if (conf_find_host(c, l->tok[1].text) != -1) {
		line_error(l, cause, "host '%s' is defined twice", l->tok[1].text);
		return NULL;
	}
	return host_new(c, l->tok[1].text, l->number);
}

/* "notify NAME": a new notify block with its defaults; NULL with *cause. */
static struct notify_conf *
conf_notify_block(struct conf *c, const struct line *l, char **cause)
{
	if (want_args(l, 1, 1, "notify NAME", cause) == -1)
		return NULL;
	c->notify = xreallocarray(c->notify, c->nnotify + 1, sizeof *c->notify);
	struct notify_conf *notify = &c->notify[c->nnotify++];
	memset(notify, 0, sizeof *notify);
	notify->name = xstrdup(l->tok[1].text);
	notify->kind = NOTIFY_JSON;
	notify->events = NOTIFY_EV_ALL;
	notify->timeout_s = 10;
	notify->line = l->number;
	return notify;
}

/* Checks each notify block is complete once the file is read. */
static int
conf_finish_notify(struct conf *c, const char *path, char **cause)
{
	for (size_t i = 0; i < c->nnotify; i++) {
		struct notify_conf *nc = &c->notify[i];
		if (nc->kind == NOTIFY_TELEGRAM) {
			if ((nc->token == NULL || nc->chat_id == NULL) && nc->missing_env == NULL)
				return set_cause(cause, "%s:%d: notify %s: telegram needs token and chat-id",
				    path, nc->line, nc->name);
			if (nc->url == NULL)
				nc->url = xstrdup("https://api.telegram.org");
		} else if (nc->url == NULL && nc->missing_env == NULL)
			return set_cause(cause, "%s:%d: notify %s: expected a url", path, nc->line,
			    nc->name);
	}
	return 0;
}

/* Where the lines of a file go: the global keys, or the open block. */
struct conf_cursor {
	enum { BLOCK_GLOBAL, BLOCK_HOST, BLOCK_NOTIFY } block;
	struct host_conf *host;
	struct notify_conf *notify;
};

/* One tokenized line into c; 0, or -1 with *cause. */
static int
conf_line(struct conf *c, struct conf_cursor *cur, const struct line *l, char **cause)
{
	const char *k = l->tok[0].text;
	if (!l->indented) {
		if (strcmp(k, "host") == 0) {
			if ((cur->host = conf_host_block(c, l, cause)) == NULL)
				return -1;
			cur->block = BLOCK_HOST;
			return 0;
		}
		if (strcmp(k, "notify") == 0) {
			if ((cur->notify = conf_notify_block(c, l, cause)) == NULL)
				return -1;
			cur->block = BLOCK_NOTIFY;
			return 0;
		}
		cur->block = BLOCK_GLOBAL;
		return parse_global(c, l, cause);
	}
	if (cur->block == BLOCK_HOST)
		return parse_host_key(cur->host, l, cause);
	if (cur->block == BLOCK_NOTIFY)
		return parse_notify_key(cur->notify, l, cause);
	return line_error(l, cause, "indented key '%s' outside a host or notify block", k);
}

int
conf_parse(struct conf *c, const char *text, size_t len, const char *path, char **cause)
{
	struct conf_cursor cur = { BLOCK_GLOBAL, NULL, NULL };
	int number = 0, rc = -1;
	size_t off = 0;
	char *linebuf = NULL, *tokbuf = NULL;

	/* a UTF-8 byte order mark, as some editors write, is not part of the first key */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	if (conf_check_text(text, len, path, cause) == -1)
		return -1;
	free(c->path);
	c->path = xstrdup(path);
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
		number++;
		free(linebuf);
		free(tokbuf);
		linebuf = xstrndup(text + off, n);
		tokbuf = xmalloc(n + 1 + MAX_TOKENS);
		off += n + (nl != NULL);
		if (n > 0 && linebuf[n - 1] == '\r')
			linebuf[n - 1] = '\0';
		struct line l;
		memset(&l, 0, sizeof l);
		l.path = path;
		l.number = number;
		l.raw = linebuf;
		if (tokenize(&l, tokbuf, cause) == -1)
			goto out;
		if (l.ntok > 0 && conf_line(c, &cur, &l, cause) == -1)
			goto out;
	}
	if (conf_finish_notify(c, path, cause) == -1)
		goto out;
	for (size_t i = 0; i < c->nhosts; i++)
		if (finish_host(c, &c->hosts[i], path, cause) == -1)
			goto out;
	rc = 0;
out:
	free(linebuf);
	free(tokbuf);
	return rc;
}

int
conf_load(struct conf *c, const char *path, char **cause)
{
	size_t len;
	conf_init(c);
	char *text = file_read(path, CONF_MAX_SIZE, &len, cause);
	if (text == NULL)
		return -1;
	int rc = conf_parse(c, text, len, path, cause);
	free(text);
	return rc;
}

int
conf_add_cli_host(struct conf *c, const char *spec, char **cause)
{
	char *s = xstrdup(spec);
	char *user = NULL, *host = s, *port = NULL;
	char *at = strrchr(s, '@');
	if (at != NULL) {
		*at = '\0';
		user = s;
		host = at + 1;
	}
	char *colon = strrchr(host, ':');
	if (colon != NULL && strchr(host, ']') == NULL) {
		*colon = '\0';
		port = colon + 1;
	}
	if (*host == '\0' || (user != NULL && *user == '\0') || !valid_name(host)) {
		free(s);
		return set_cause(cause, "-H %s: expected [USER@]HOST[:PORT]", spec);
	}
	long long p = 0;
	if (port != NULL && parse_int(port, 1, 65535, &p) == -1) {
		set_cause(cause, "-H %s: port '%s' is not a number from 1 to 65535", spec, port);
		free(s);
		return -1;
	}
	int existing = conf_find_host(c, host);
	if (existing != -1) {
		/* -H adds to the configuration: a user or port given wins */
		struct host_conf *h = &c->hosts[existing];
		if (user != NULL) {
			free(h->user);
			h->user = xstrdup(user);
		}
		if (p > 0)
			h->port = (int)p;
		free(s);
		return 0;
	}
	struct host_conf *h = host_new(c, host, 0);
	if (user != NULL)
		h->user = xstrdup(user);
	h->port = (int)p;
	h->containers = CONTAINERS_AUTO;
	if (strcmp(host, "local") == 0 || strcmp(host, "localhost") == 0)
		h->transport = TRANSPORT_LOCAL;
	free(s);
	return finish_host(c, h, "-H", cause);
}

void
conf_default_fleet(struct conf *c)
{
	if (c->nhosts > 0)
		return;
	char name[256];
	if (gethostname(name, sizeof name) == -1 || name[0] == '\0' || !valid_name(name))
		strcpy(name, "localhost");
	name[sizeof name - 1] = '\0';
	struct host_conf *h = host_new(c, name, 0);
	h->transport = TRANSPORT_LOCAL;
	h->containers = CONTAINERS_AUTO;
	h->address = xstrdup("local");
	finish_host(c, h, "default", NULL);
}

int
conf_find_host(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nhosts; i++)
		if (strcmp(c->hosts[i].name, name) == 0)
			return (int)i;
	return -1;
}

static const struct service_conf *
find_service(const struct conf *c, const char *host, const char *service)
{
	if (service == NULL)
		return NULL;
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host_conf *h = &c->hosts[i];
		if (host != NULL && strcmp(h->name, host) != 0)
			continue;
		for (size_t k = 0; k < h->nservices; k++)
			if (strcmp(h->services[k].name, service) == 0)
				return &h->services[k];
	}
	return NULL;
}

int64_t
conf_rto(const struct conf *c, const char *host, const char *service)
{
	const struct service_conf *s = find_service(c, host, service);
	if (s != NULL && s->rto_s > 0)
		return s->rto_s;
	int i = host ? conf_find_host(c, host) : -1;
	if (i >= 0 && c->hosts[i].rto_s > 0)
		return c->hosts[i].rto_s;
	return c->rto_s;
}

int64_t
conf_rpo(const struct conf *c, const char *host, const char *service)
{
	const struct service_conf *s = find_service(c, host, service);
	if (s != NULL && s->rpo_s > 0)
		return s->rpo_s;
	int i = host ? conf_find_host(c, host) : -1;
	if (i >= 0 && c->hosts[i].rpo_s > 0)
		return c->hosts[i].rpo_s;
	return c->rpo_s;
}

static void
host_conf_free(struct host_conf *h)
{
	free(h->name);
	free(h->address);
	free(h->user);
	strv_free(&h->units);
	strv_free(&h->tags);
	for (size_t i = 0; i < h->nchecks; i++) {
		free(h->checks[i].name);
		free(h->checks[i].command);
		free(h->checks[i].command_shown);
		free(h->checks[i].expect);
		free(h->checks[i].missing_env);
	}
	free(h->checks);
	for (size_t i = 0; i < h->nhealth; i++) {
		free(h->health[i].name);
		free(h->health[i].url);
		free(h->health[i].url_shown);
		free(h->health[i].method);
		free(h->health[i].json_key);
		free(h->health[i].json_value);
		free(h->health[i].missing_env);
	}
	free(h->health);
	for (size_t i = 0; i < h->nservices; i++)
		free(h->services[i].name);
	free(h->services);
}

int
conf_keep_hosts(struct conf *c, char **names, int n, char **cause)
{
	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (conf_find_host(c, names[i]) == -1)
			return set_cause(cause, "no host called '%s' in the configuration",
			    str_quote_short(names[i]));
	char *keep = xcalloc(c->nhosts, 1);
	struct host_conf *hosts = xcalloc((size_t)n, sizeof *hosts);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		int idx = conf_find_host(c, names[i]);
		if (keep[idx])
			continue;	/* named twice */
		keep[idx] = 1;
		hosts[k++] = c->hosts[idx];
	}
	for (size_t i = 0; i < c->nhosts; i++)
		if (!keep[i])
			host_conf_free(&c->hosts[i]);
	free(keep);
	free(c->hosts);
	c->hosts = hosts;
	c->nhosts = k;
	return 0;
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->nhosts; i++)
		host_conf_free(&c->hosts[i]);
	free(c->hosts);
	for (size_t i = 0; i < c->nnotify; i++) {
		free(c->notify[i].name);
		free(c->notify[i].url);
		free(c->notify[i].token);
		free(c->notify[i].chat_id);
		free(c->notify[i].missing_env);
	}
	free(c->notify);
	free(c->path);
	free(c->ssh_config);
	free(c->known_hosts);
	free(c->identity);
	free(c->theme);
	free(c->operator_name);
	free(c->db);
	memset(c, 0, sizeof *c);
}

void
conf_key_names(enum conf_block block, struct strv *out)
{
	const struct conf_key *t = block == CONF_BLOCK_HOST ? host_keys :
	    block == CONF_BLOCK_NOTIFY ? notify_keys : global_keys;
	for (; t->name != NULL; t++)
		if (!(t->kind == KEY_FUNC && t->parse == NULL) && strv_find(out, t->name) == -1)
			strv_add(out, t->name);
}
