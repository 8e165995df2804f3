/* sitrep.conf: the shipped example, every key, and errors with file:line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "conf.h"
#include "sanitize.h"
#include "tap.h"

static int
parse(const char *text, struct conf *c, char **cause)
{
	conf_init(c);
	return conf_parse(c, text, strlen(text), "t.conf", cause);
}

static void
error_is(const char *text, const char *want, const char *what)
{
	struct conf c;
	char *cause = NULL;
	int rc = parse(text, &c, &cause);
	ok(rc == -1 && cause != NULL && strstr(cause, want) != NULL, "%s", what);
	if (rc != -1 || cause == NULL || strstr(cause, want) == NULL)
		printf("#   got: %s\n", cause ? cause : "(success)");
	free(cause);
	conf_free(&c);
}

/* A part of url as libcurl reads it (decoded with flags CURLU_URLDECODE); NULL if none. */
static char *
url_get(const char *url, CURLUPart part, unsigned flags)
{
	CURLU *u = curl_url();
	char *v = NULL, *out = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, part, &v, flags) == CURLUE_OK)
		out = strdup(v);
	curl_free(v);
	curl_url_cleanup(u);
	return out;
}

static void
is_part(const char *url, CURLUPart part, unsigned flags, const char *want, const char *what)
{
	char *got = url_get(url, part, flags);
	if (want == NULL)
		ok(got == NULL, "%s: none", what);
	else
		is_str(got ? got : "(none)", want, "%s", what);
	free(got);
}

/* ${VAR} in a URL cannot change the URL's other parts, and decodes back to itself. */
static void
test_url_values(void)
{
	struct conf c;
	char *cause = NULL;
	setenv("SITREP_T_PW", "p@ss/w:rd?#%x y", 1);
	setenv("SITREP_T_TOK", "a&b=c#d/e?f", 1);
	setenv("SITREP_T_HOOK", "T0/B1/x?y#z", 1);
	setenv("SITREP_T_HOST", "example.org:8443", 1);
	setenv("SITREP_T_EVIL", "evil.example/x", 1);
	setenv("SITREP_T_BOT", "123456789:AAF/tok", 1);
	const char *text =
	    "host h\n"
	    "    address h.example\n"
	    "    health creds \"https://admin:${SITREP_T_PW}@example.com/path?q=1\"\n"
	    "    health query \"https://example.com/q?token=${SITREP_T_TOK}&a=1\"\n"
	    "    health hook \"https://example.com/hooks/${SITREP_T_HOOK}\"\n"
	    "    health host \"https://${SITREP_T_HOST}/health\"\n"
	    "    health both \"https://${SITREP_T_HOST}/api/health?key=${SITREP_T_TOK}\"\n"
	    "notify team\n"
	    "    type json\n"
	    "    url \"https://${SITREP_T_PW}@hooks.example.com/x\"\n"
	    "notify bot\n"
	    "    type telegram\n"
	    "    token ${SITREP_T_BOT}\n"
	    "    chat-id 42\n";
	int rc = parse(text, &c, &cause);
	is_int(rc, 0, "URLs with values of every kind parse");
	if (rc != 0) {
		printf("#   %s\n", cause);
		free(cause);
		return;
	}
	const char *u = c.hosts[0].health[0].url;
	is_part(u, CURLUPART_HOST, 0, "example.com", "a password with @ / : ? # keeps the host");
	is_part(u, CURLUPART_PATH, 0, "/path", "and the path");
	is_part(u, CURLUPART_QUERY, 0, "q=1", "and the query");
	is_part(u, CURLUPART_USER, 0, "admin", "and the user");
	is_part(u, CURLUPART_PASSWORD, CURLU_URLDECODE, "p@ss/w:rd?#%x y",
	    "the password decodes back to the value");
	ok(sanitize_has_secret("p@ss/w:rd?#%x y"), "the value is a secret");
	char *shown = sanitize_str(u);
	ok(strstr(shown, "p%40ss") == NULL && strstr(shown, "[secret]") != NULL,
	    "its escaped form is a secret too: %s", shown);
	free(shown);

	u = c.hosts[0].health[1].url;
	is_part(u, CURLUPART_HOST, 0, "example.com", "a query value keeps the host");
	is_part(u, CURLUPART_PATH, 0, "/q", "and the path");
	is_part(u, CURLUPART_QUERY, 0, "token=a%26b%3Dc%23d/e?f&a=1",
	    "& = # cannot add a parameter or a fragment");
	is_part(u, CURLUPART_FRAGMENT, 0, NULL, "no fragment appears");

	u = c.hosts[0].health[2].url;
	is_part(u, CURLUPART_PATH, 0, "/hooks/T0/B1/x%3Fy%23z",
	    "a path value keeps its slashes, ? and # stay in the path");
	is_part(u, CURLUPART_QUERY, 0, NULL, "no query appears");

	u = c.hosts[0].health[3].url;
	is_part(u, CURLUPART_HOST, 0, "example.org", "a value in the host is the host");
	is_part(u, CURLUPART_PORT, 0, "8443", "with its port");

	u = c.hosts[0].health[4].url;
	is_str(u, "https://example.org:8443/api/health?key=a%26b%3Dc%23d/e?f",
	    "a host kept, a query value escaped, in one URL");

	u = c.notify[0].url;
	is_part(u, CURLUPART_HOST, 0, "hooks.example.com", "a notify URL's userinfo keeps the host");
	is_part(u, CURLUPART_USER, CURLU_URLDECODE, "p@ss/w:rd?#%x y", "and decodes back");
	ok(sanitize_has_secret("123456789:AAF%2Ftok"), "a token, escaped as in the bot's URL, "
	    "is a secret");
	conf_free(&c);

	error_is("host h\n    address h.example\n    health x \"https://${SITREP_T_EVIL}/\"\n",
	    "${SITREP_T_EVIL} is in the URL's host but its value is not a host",
	    "a value that would move the host is an error");
	struct conf e;
	cause = NULL;
	parse("host h\n    address h.example\n    health x \"https://${SITREP_T_EVIL}/\"\n", &e,
	    &cause);
	ok(cause != NULL && strstr(cause, "evil.example") == NULL, "and the error does not quote it");
	free(cause);
	conf_free(&e);
	sanitize_clear_secrets();
}

/*
 * The manual's section for a block lists exactly the keys that block's table
 * reads: ".It Ic KEY" entries (and ", Ic KEY" pairs on one line).
 */
static void
manual_matches_table(const char *text, const char *section, const char *next,
    enum conf_block block)
{
	const char *from = strstr(text, section), *to = strstr(text, next);
	if (from == NULL || to == NULL || to < from) {
		ok(0, "sitrep.conf(5) has the sections %s and %s", section, next);
		return;
	}
	struct strv manual, table;
	memset(&manual, 0, sizeof manual);
	memset(&table, 0, sizeof table);
	for (const char *p = from; p < to; p = strchr(p, '\n') + 1) {
		if (strncmp(p, ".It ", 4) != 0)
			continue;
		const char *end = strchr(p, '\n');
		/* every "Ic WORD" on an item line names a key */
		for (const char *q = p; q < end && (q = strstr(q, "Ic ")) != NULL && q < end; q += 3) {
			size_t n = strcspn(q + 3, " \n");
			char *key = xstrndup(q + 3, n);
			/* "check ... expect REGEX" and "service ... rto" are arguments, not keys */
			if (q == p + 4 || q[-2] == ',' || strncmp(q - 3, "Xo ", 3) == 0)
				strv_add(&manual, key);
			free(key);
		}
	}
	conf_key_names(block, &table);
	for (size_t i = 0; i < table.n; i++)
		ok(strv_find(&manual, table.v[i]) != -1, "%s: key '%s' is in the manual", section,
		    table.v[i]);
	for (size_t i = 0; i < manual.n; i++)
		ok(strv_find(&table, manual.v[i]) != -1 || (block == CONF_BLOCK_HOST &&
		    strcmp(manual.v[i], "host") == 0) || (block == CONF_BLOCK_NOTIFY &&
		    strcmp(manual.v[i], "notify") == 0), "%s: the manual's '%s' is a key sitrep reads",
		    section, manual.v[i]);
	strv_free(&manual);
	strv_free(&table);
}

static void
test_manual_keys(void)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/man/sitrep.conf.5", top ? top : ".");
	size_t len;
	char *cause = NULL;
	char *text = file_read(path, 1 << 20, &len, &cause);
	if (text == NULL) {
		ok(0, "read %s: %s", path, cause);
		free(cause);
		free(path);
		return;
	}
	manual_matches_table(text, ".Sh GLOBAL KEYS", ".Sh HOST BLOCKS", CONF_BLOCK_GLOBAL);
	manual_matches_table(text, ".Sh HOST BLOCKS", ".Sh NOTIFY BLOCKS", CONF_BLOCK_HOST);
	manual_matches_table(text, ".Sh NOTIFY BLOCKS", ".Sh FILES", CONF_BLOCK_NOTIFY);
	free(text);
	free(path);
}

/* Parses a shipped example; NULL and a failed test when it does not parse. */
static int
parse_example(const char *name, struct conf *c)
{
	size_t len;
	char *text = tap_fixture(name, &len);
	char *cause = NULL;
	conf_init(c);
	int rc = text ? conf_parse(c, text, len, name, &cause) : -1;
	is_int(rc, 0, "%s parses", name);
	if (rc)
		printf("#   %s\n", cause ? cause : "cannot read it");
	free(cause);
	free(text);
	return rc;
}

/* The other shipped examples: the stacks sitrep is for, read as documented. */
static void
test_examples(void)
{
	struct conf c;
	unsetenv("SLACK_WEBHOOK_URL");
	if (parse_example("examples/compose-postgres.conf", &c) == 0) {
		const struct host_conf *h = &c.hosts[0];
		is_int(c.nhosts, 1, "compose: one host");
		is_str(h->checks[0].command, "pg_isready -h 127.0.0.1 -p 5432 -t 3", "compose: pg_isready");
		is_int(h->nhealth, 2, "compose: api and vector store health");
		ok(h->health[0].via_ssh && strcmp(h->health[0].url, "http://localhost:5000/api/health") == 0,
		    "compose: the API's health is read on the host's own :5000");
		is_str(h->health[0].json_key, "status", "compose: the API says status=ok");
		is_int(conf_rto(&c, "app1", "postgres"), 1800, "compose: PostgreSQL's RTO");
		is_int(conf_rto(&c, "app1", "vectordb"), 7200, "compose: the vector store's RTO");
		ok(c.nnotify == 1 && c.notify[0].missing_env != NULL,
		    "compose: the Slack target is off while its webhook is unset");
	}
	conf_free(&c);
	if (parse_example("examples/systemd-bot.conf", &c) == 0) {
		const struct host_conf *h = &c.hosts[0];
		is_int(h->containers, CONTAINERS_NONE, "systemd: no container engine");
		is_int(h->units.n, 4, "systemd: the bot, two workers and redis as units");
		is_str(h->units.v[1], "bot-worker@1.service", "systemd: a templated unit");
		is_int(h->nchecks, 4, "systemd: sqlite, redis and two queue thresholds");
		is_str(h->checks[0].expect, "^ok$", "systemd: integrity_check must say ok");
		is_str(h->checks[1].expect, "^PONG$", "systemd: redis must answer PONG");
		ok(strstr(h->checks[2].command, "LLEN jobs") != NULL, "systemd: the queue's length");
	}
	conf_free(&c);
	if (parse_example("examples/tiers.conf", &c) == 0) {
		is_int(c.nhosts, 3, "tiers: three data stores");
		is_int(conf_rto(&c, "db1", "postgres"), 900, "tiers: tier 1 RTO 15m");
		is_int(conf_rto(&c, "db2", "mongodb"), 3600, "tiers: tier 2 RTO 1h");
		is_int(conf_rto(&c, "cache1", "redis"), 4 * 3600, "tiers: tier 3 RTO 4h");
		is_int(conf_rto(&c, "db2", NULL), 4 * 3600, "tiers: a host without a service takes the global RTO");
		is_int(c.target_s[1], 3600, "tiers: P1 target");
	}
	conf_free(&c);
}

int
main(void)
{
	sanitize_init();
	setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdef-secret-token", 1);
	setenv("USER", "alice", 1);
	size_t len;
	char *text = tap_fixture("examples/ainetic.conf", &len);
	struct conf c;
	char *cause = NULL;
	conf_init(&c);
	int rc = conf_parse(&c, text, len, "examples/ainetic.conf", &cause);
	is_int(rc, 0, "the shipped example parses");
	if (rc)
		printf("#   %s\n", cause);
	is_int(c.interval_s, 5, "interval");
	is_str(c.operator_name, "alice", "operator from ${USER}");
	is_int(c.target_s[0], 900, "P0 target 15m");
	is_int(c.target_s[3], 86400, "P3 target 1d");
	is_int(c.rto_s, 3600, "global rto");
	is_int(c.nhosts, 1, "one host");
	const struct host_conf *h = &c.hosts[0];
	is_str(h->name, "ainetic", "host name");
	is_str(h->address, "ainetic.tech", "address");
	is_str(h->user, "root", "user");
	is_int(h->port, 22, "port");
	is_int(h->containers, CONTAINERS_DOCKER, "containers docker");
	is_int(h->tags.n, 2, "tags");
	is_int(h->nhealth, 2, "two health checks");
	is_str(h->health[0].url, "http://localhost:18790/health", "gateway health url");
	ok(h->health[0].via_ssh, "gateway health goes through ssh");
	is_str(h->health[0].json_key, "status", "json key");
	is_str(h->health[0].json_value, "healthy", "json value");
	is_int(h->health[0].slow_ms, 2000, "slow threshold");
	is_str(h->health[1].method, "POST", "getMe is a POST");
	is_str(h->health[1].url, "https://api.telegram.org/bot123456:ABCdef-secret-token/getMe",
	    "the token is expanded for use");
	is_str(h->health[1].url_shown, "https://api.telegram.org/bot${TELEGRAM_BOT_TOKEN}/getMe",
	    "and shown as written");
	ok(sanitize_has_secret("123456:ABCdef-secret-token"), "the expanded token is a secret");
	char *shown = sanitize_str(h->health[1].url);
	ok(strstr(shown, "ABCdef") == NULL, "the token never reaches the screen");
	free(shown);
	is_int(h->nchecks, 2, "two checks");
	is_str(h->checks[0].command, "sqlite3 /opt/app/data/bot.db \"PRAGMA integrity_check\"",
	    "a check keeps its quoting for the shell");
	is_str(h->checks[0].expect, "^ok$", "expect regex");
	is_int(h->disk_warn, 85, "host disk-warn");
	is_int(h->mem_crit, 97, "host mem-crit");
	is_int(h->nservices, 3, "services");
	is_int(conf_rto(&c, "ainetic", "gateway"), 900, "service rto");
	is_int(conf_rto(&c, "ainetic", NULL), 3600, "host falls back to the global rto");
	is_int(c.nnotify, 1, "one notify target");
	ok(c.notify[0].missing_env != NULL, "a notify target with unset variables is off, not an error");
	conf_free(&c);
	free(text);

	/* defaults */
	rc = parse("host a\n", &c, &cause);
	is_int(rc, 0, "a bare host");
	is_int(c.hosts[0].disk_warn, 80, "disk-warn default 80");
	is_int(c.hosts[0].disk_crit, 90, "disk-crit default 90");
	is_int(c.hosts[0].timeout_s, 5, "timeout default");
	conf_free(&c);

	rc = parse("interval 2\nhost a\n    interval 7\nhost b\n", &c, &cause);
	is_int(c.hosts[0].interval_s, 7, "a host interval wins");
	is_int(c.hosts[1].interval_s, 2, "the global interval applies");
	conf_free(&c);

	rc = parse("host a\n    check ping redis-cli ping expect PONG\n", &c, &cause);
	is_str(c.hosts[0].checks[0].command, "redis-cli ping", "check command");
	is_str(c.hosts[0].checks[0].expect, "PONG", "check expect");
	conf_free(&c);

	rc = parse("host a\n    check x cat '${NOPE_NOT_SET}'\n", &c, &cause);
	is_int(rc, 0, "an unset variable in a check does not stop sitrep");
	is_str(c.hosts[0].checks[0].missing_env, "NOPE_NOT_SET", "the check knows what is missing");
	conf_free(&c);

	rc = parse("host a # comment\n\n# only a comment\n    user \"bob smith\"\n", &c, &cause);
	is_str(c.hosts[0].user, "bob smith", "quotes group words; comments ignored");
	conf_free(&c);

	/* errors name file:line and what was expected */
	error_is("interval five\n", "t.conf:1: 'five' is not a number", "bad number");
	error_is("\n\nbogus 1\n", "t.conf:3: unknown key 'bogus'", "unknown global key");
	/* found by fuzz-conf: what came before a bad method leaked (ASan's leak check) */
	error_is("host a\n    health g http://a json k=v method PUT\n",
	    "t.conf:2: method 'PUT': expected GET, POST or HEAD", "a bad method after json");
	error_is("host a\n    colour red\n", "t.conf:2: unknown host key 'colour'", "unknown host key");
	error_is("    user x\n", "t.conf:1: indented key 'user' outside a host", "indented outside a block");
	error_is("host a\nhost a\n", "t.conf:2: host 'a' is defined twice", "duplicate host");
	error_is("host a\n    health h ftp://x\n", "t.conf:2: 'ftp://x' is not an http", "bad url");
	error_is("host a\n    health h http://x json status\n", "expected KEY=VALUE", "bad json");
	error_is("host a\n    check c true expect '('\n", "t.conf:2: bad expect regex", "bad regex");
	/*
	 * found by fuzz-conf: glibc's regcomp() copies a repeated piece per
	 * repetition, so these would take gigabytes and minutes to compile
	 */
	error_is("host a\n    check u uname -s expect '^Linux++++++++++++++++++++++++++++++'\n",
	    "t.conf:2: expect regex '^Linux+++", "stacked repetitions are refused");
	error_is("host a\n    check u true expect '((x{100}){100}){100}'\n", "repeats too much",
	    "nested bounded repetitions are refused");
	error_is("host a\n    check u true expect '(((((((((((((((((((((((((((x+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+'\n",
	    "repeats too much", "nested groups with + are refused");
	error_is("host a\n    check u true expect '((x*|y*)+){20}'\n", "repeats a part that can match nothing",
	    "a repeated part that can match nothing is refused");
	error_is("host a\n    check u true expect '^Linux~*+++++++++++++l'\n", "can match nothing",
	    "stacked repetitions on a star are refused");
	error_is("host a\n    check u true expect '(^)+'\n", "can match nothing", "so is a repeated anchor");
	error_is("host a\n    check u true expect '^(a+)+\\1$'\n", "back-references (\\1 to \\9) are not supported",
	    "back-references are refused");
	const char *fine[] = { "^PONG$", "ok|fine", "^[0-9]{1,3}%$", "a{1000}", "(ab+c)*[[:alpha:]]+x?",
	    "[]{+}]+", "x{,3}", "a{2}{3}", "\\++", "^(accepting connections|ok)$",
	    "([0-9]+\\.){3}[0-9]+", "(-?[0-9]+)?$", "^$", "(x(y(z.*)+)+)+" };
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
		char *conf_text = xasprintf("host a\n    check u true expect '%s'\n", fine[i]);
		rc = parse(conf_text, &c, &cause);
		ok(rc == 0, "an ordinary regex is accepted: %s%s%s", fine[i], cause ? ": " : "",
		    cause ? cause : "");
		free(cause);
		cause = NULL;
		conf_free(&c);
		free(conf_text);
	}
	error_is("host a\n    containers lxc\n", "expected docker, podman, auto or none", "bad engine");
	error_is("host a\n    disk-warn 95\n    disk-crit 90\n", "disk-warn 95% is above disk-crit 90%",
	    "warn above crit");
	error_is("rto 1x\n", "t.conf:1: '1x' is not a duration", "bad duration");
	error_is("host a\n    user 'open\n", "unterminated ' quote", "unterminated quote");
	error_is("host a\n    user ${BAD-NAME}\n", "bad variable name", "bad variable");
	error_is("host a\n    check c echo ${SITREP_UNSET_A} ${B\n", "unterminated ${",
	    "an unset variable then a broken one: an error, and nothing leaks (ASan)");
	error_is("notify n\n    url http://x/${SITREP_UNSET_A}${B\n", "unterminated ${",
	    "the same in a notify url");
	error_is("target P7 1h\n", "expected P0, P1, P2 or P3", "bad severity");
	error_is("notify n\n    type sms\n", "expected slack, telegram or json", "bad notify type");
	error_is("notify n\n    type json\n", "notify n: expected a url", "notify without url");
	struct conf z;
	conf_init(&z);
	rc = conf_parse(&z, "host a\0b\n", 9, "t.conf", &cause);
	ok(rc == -1 && strstr(cause, "t.conf:1: NUL byte"), "NUL byte is an error with its line");
	free(cause);
	cause = NULL;
	conf_free(&z);

	is_int(conf_parse_duration("90"), 90, "duration in seconds");
	is_int(conf_parse_duration("1h30m"), 5400, "duration 1h30m");
	is_int(conf_parse_duration("2d"), 172800, "duration 2d");
	is_int(conf_parse_duration("1h30"), -1, "a bare number after a unit is an error");
	is_int(conf_parse_duration(""), -1, "empty duration");

	conf_init(&c);
	ok(conf_add_cli_host(&c, "root@ainetic.tech:2222", &cause) == 0, "-H user@host:port");
	is_str(c.hosts[0].user, "root", "-H user");
	is_str(c.hosts[0].name, "ainetic.tech", "-H host");
	is_int(c.hosts[0].port, 2222, "-H port");
	ok(conf_add_cli_host(&c, "db1", &cause) == 0, "-H alias");
	ok(conf_add_cli_host(&c, "x:99999", &cause) == -1, "-H bad port");
	free(cause);
	conf_free(&c);
	conf_init(&c);
	conf_default_fleet(&c);
	is_int(c.nhosts, 1, "the embedded default is one host");
	is_int(c.hosts[0].transport, TRANSPORT_LOCAL, "this machine, over the local transport");
	conf_free(&c);
	test_url_values();
	test_manual_keys();
	test_examples();
	return tap_done();
}
