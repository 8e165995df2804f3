/*
 * Redaction of secrets: longest first, every occurrence, across pieces of
 * output that arrive one read at a time, and before every cut.
 */
#include "config.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "notify.h"
#include "sanitize.h"
#include "tap.h"
#include "transport.h"
#include "util.h"

#define BOT_ID "123456789"
#define BOT_TOKEN "123456789:AAFq-Zx9_secretTokenValue"
#define PW_UTF8 "p\xc3\xa4ssw\xc3\xb6rd-\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c"

static char *
redact(const char *s)
{
	return sanitize_redact(s, strlen(s));
}

/* s fed to a redactor in pieces of chunk bytes (the last may be shorter). */
static char *
redact_in_pieces(const char *s, size_t len, size_t chunk)
{
	struct redactor r;
	struct buf out;
	redactor_init(&r);
	buf_init(&out);
	buf_adds(&out, "");
	for (size_t at = 0; at < len; at += chunk)
		redactor_feed(&r, s + at, len - at < chunk ? len - at : chunk, &out);
	redactor_finish(&r, &out);
	redactor_clear(&r);
	return buf_take(&out);
}

/* s fed in two pieces, cut at split. */
static char *
redact_split(const char *s, size_t len, size_t split)
{
	struct redactor r;
	struct buf out;
	redactor_init(&r);
	buf_init(&out);
	buf_adds(&out, "");
	redactor_feed(&r, s, split, &out);
	redactor_feed(&r, s + split, len - split, &out);
	redactor_finish(&r, &out);
	redactor_clear(&r);
	return buf_take(&out);
}

/* Any byte run of secret of at least min bytes in s (a leak of part of it). */
static int
leaks_part(const char *s, size_t len, const char *secret, size_t min)
{
	size_t n = strlen(secret);
	for (size_t k = min; k <= n; k++)
		if (memmem(s, len, secret, k) != NULL)
			return 1;
	return 0;
}

static void
test_prefix_secrets(void)
{
	const char *text = "id " BOT_ID " token " BOT_TOKEN " url /bot" BOT_TOKEN "/getMe";
	const char *want = "id [secret] token [secret] url /bot[secret]/getMe";
	/* both orders of registration */
	for (int order = 0; order < 2; order++) {
		sanitize_add_secret(order ? BOT_TOKEN : BOT_ID);
		sanitize_add_secret(order ? BOT_ID : BOT_TOKEN);
		char *r = redact(text);
		is_str(r, want, "the id is the start of the token: the token goes whole (order %d)",
		    order);
		ok(strstr(r, ":AAF") == NULL, "no tail of the token is left (order %d)", order);
		free(r);
		r = sanitize_str(text);
		is_str(r, want, "sanitize_str() redacts the same (order %d)", order);
		free(r);
		is_int(sanitize_secret_max(), strlen(BOT_TOKEN), "the longest secret's length");
		sanitize_clear_secrets();
	}
}

static void
test_overlap_and_every_occurrence(void)
{
	sanitize_add_secret("abcdef12");
	sanitize_add_secret("ef12ghij");
	char *r = redact("x abcdef12ghij y");
	is_str(r, "x [secret] y", "overlapping secrets are hidden together, nothing of either left");
	free(r);
	r = redact("ef12ghij abcdef12 abcdef12abcdef12");
	is_str(r, "[secret] [secret] [secret][secret]", "every occurrence, adjacent ones too");
	free(r);
	sanitize_clear_secrets();

	/* a secret that overlaps itself */
	sanitize_add_secret("aaaa");
	r = redact("baaaaaab");
	is_str(r, "b[secret]b", "a run longer than a self-overlapping secret goes whole");
	free(r);
	sanitize_clear_secrets();

	/* short values are not secrets, as before; an empty one neither */
	sanitize_add_secret("abc");
	sanitize_add_secret("");
	sanitize_add_secret(NULL);
	is_int(sanitize_secret_max(), 0, "values under 4 bytes are not registered");
	r = redact("abc abc");
	is_str(r, "abc abc", "short words stay");
	free(r);
	sanitize_add_secret("abcd");
	r = redact("abc abcd abcde");
	is_str(r, "abc [secret] [secret]e", "a 4-byte value is a secret");
	free(r);
	sanitize_clear_secrets();

	/* NUL bytes in output do not hide a secret after them */
	sanitize_add_secret("s3cr3t-token");
	struct buf out;
	struct redactor rd;
	buf_init(&out);
	redactor_init(&rd);
	redactor_feed(&rd, "a\0b s3cr3t-token", 16, &out);
	redactor_finish(&rd, &out);
	is_int(out.len, 12, "binary output: NUL kept, secret replaced");
	ok(memcmp(out.data, "a\0b [secret]", 12) == 0, "and in place");
	redactor_clear(&rd);
	buf_free(&out);
	sanitize_clear_secrets();
}

static void
test_split_writes(void)
{
	sanitize_add_secret(BOT_ID);
	sanitize_add_secret(BOT_TOKEN);
	sanitize_add_secret(PW_UTF8);
	sanitize_add_secret("abcdef12");
	sanitize_add_secret("ef12ghij");
	const char *text = "start " BOT_TOKEN " then " BOT_ID "\nutf-8 " PW_UTF8 ".\n"
	    "overlap abcdef12ghij, prefix 12345678 only, twice " PW_UTF8 PW_UTF8 " end "
	    BOT_TOKEN;
	size_t len = strlen(text);
	char *whole = redact(text);
	is_str(whole, "start [secret] then [secret]\nutf-8 [secret].\n"
	    "overlap [secret], prefix 12345678 only, twice [secret][secret] end [secret]",
	    "the whole text, redacted at once");

	int same = 1, clean = 1;
	size_t bad_split = 0, bad_chunk = 0;
	for (size_t split = 0; split <= len; split++) {
		char *r = redact_split(text, len, split);
		if (strcmp(r, whole) != 0 && same) {
			same = 0;
			bad_split = split;
		}
		free(r);
	}
	ok(same, "two writes, split at every byte: the same as at once (first bad: %zu)",
	    bad_split);
	same = 1;
	for (size_t chunk = 1; chunk <= len; chunk++) {
		char *r = redact_in_pieces(text, len, chunk);
		if (strcmp(r, whole) != 0 && same) {
			same = 0;
			bad_chunk = chunk;
		}
		if (leaks_part(r, strlen(r), BOT_TOKEN, 10) || leaks_part(r, strlen(r), PW_UTF8, 4))
			clean = 0;
		free(r);
	}
	ok(same, "writes of every size from 1 to %zu bytes: the same (first bad: %zu)", len,
	    bad_chunk);
	ok(clean, "and no piece of a secret in any of them");
	free(whole);

	/* what is held back is only what may begin a secret */
	struct redactor rd;
	struct buf out;
	redactor_init(&rd);
	buf_init(&out);
	redactor_feed(&rd, "prompt> ", 8, &out);
	is_int(out.len, 8, "text that begins no secret is handed on at once");
	redactor_feed(&rd, "id 1234", 7, &out);
	is_int(out.len, 11, "the start of a secret waits");
	redactor_feed(&rd, "56789:AAFq-Zx9_secretTokenValue!", 32, &out);
	is_str(out.data, "prompt> id [secret]!", "and is replaced once it is whole");
	redactor_feed(&rd, " 12345", 6, &out);
	redactor_finish(&rd, &out);
	is_str(out.data, "prompt> id [secret]! 12345", "at the end, what waited is handed on");
	redactor_clear(&rd);
	buf_free(&out);
	sanitize_clear_secrets();
}

static void
test_cuts(void)
{
	sanitize_add_secret(BOT_TOKEN);
	const size_t max = 64 * 1024;
	size_t tl = strlen(BOT_TOKEN);
	/* a secret across the cut, at every offset */
	int clean = 1, fits = 1;
	for (size_t back = 1; back < tl; back++) {
		struct buf in;
		buf_init(&in);
		for (size_t i = 0; i < max - back; i++)
			buf_addc(&in, 'x');
		buf_adds(&in, BOT_TOKEN);
		buf_adds(&in, "tail");
		size_t n;
		char *r = sanitize_redact_max(in.data, in.len, max, &n);
		if (n > max)
			fits = 0;
		/* after the x's: nothing, or a whole marker */
		size_t xs = max - back;
		if (leaks_part(r, n, BOT_TOKEN, 2) || n < xs ||
		    (n > xs && (n - xs < 8 || memcmp(r + xs, "[secret]", 8) != 0)))
			clean = 0;
		free(r);
		buf_free(&in);
	}
	ok(fits, "cut output is at most the limit");
	ok(clean, "a secret across the cut leaves no prefix and no half marker");

	/* a marker that fits is kept */
	char *r = sanitize_redact_max("ab " BOT_TOKEN " cd", tl + 6, 11, NULL);
	is_str(r, "ab [secret]", "a whole marker before the cut is kept");
	free(r);
	r = sanitize_redact_max("ab " BOT_TOKEN " cd", tl + 6, 10, NULL);
	is_str(r, "ab ", "the cut moves back before a marker it would split");
	free(r);
	is_int(redact_cut("12[secret]34", 12, 5), 2, "redact_cut: inside a marker");
	is_int(redact_cut("12[secret]34", 12, 10), 10, "redact_cut: just after one");
	is_int(redact_cut("12[secret]34", 12, 40), 12, "redact_cut: past the end");
	sanitize_clear_secrets();
}

/* Output of a real command through the local transport, split across writes. */
static void
test_exec_output(void)
{
	struct conf cf;
	conf_init(&cf);
	conf_default_fleet(&cf);
	struct host_conf *h = &cf.hosts[0];
	sanitize_add_secret(BOT_ID);
	sanitize_add_secret(BOT_TOKEN);
	struct transport *t = transport_new(&cf, h);
	char *cause = NULL;
	ok(t->ops->connect(t, &cause) == 0, "local transport connects");
	struct exec_opts o = { .timeout_ms = 10000, .max_output = 1024 * 1024 };
	struct exec_result res;
	memset(&res, 0, sizeof res);
	/* the token written in three reads, with pauses between */
	int rc = t->ops->exec(t, "printf 'tok=12345'; sleep 0.2; printf '6789:AAFq-Zx9_sec'; "
	    "sleep 0.2; printf 'retTokenValue done\\n'", &o, &res, &cause);
	is_int(rc, 0, "the command runs");
	is_str(res.output, "tok=[secret] done\n", "a token split across reads is replaced whole");
	is_int(res.output_total, strlen("tok=[secret] done\n"), "the count is of what is shown");
	exec_result_clear(&res);

	/* over the limit with the token across the cut */
	o.max_output = 4096;
	rc = t->ops->exec(t, "head -c 4090 /dev/zero | tr '\\0' x; printf '" BOT_TOKEN "'; "
	    "head -c 10000 /dev/zero | tr '\\0' y", &o, &res, &cause);
	is_int(rc, 0, "a long output runs");
	ok(res.output_len <= 4096, "kept up to the limit");
	ok(!leaks_part(res.output, res.output_len, BOT_TOKEN, 2),
	    "no prefix of the token across the cut");
	ok(res.output_len == 4090, "the cut moved back before the marker (%zu)", res.output_len);
	is_int(res.output_total, 4090 + 8 + 10000, "every byte counted");
	exec_result_clear(&res);
	transport_free(&t);
	conf_free(&cf);
	sanitize_clear_secrets();
}

/* A one-thread HTTP server on 127.0.0.1: answers n requests with a body naming the token. */
struct server {
	int fd;
	int port;
	int requests;
	pthread_t thread;
};

static void *
server_main(void *arg)
{
	struct server *sv = arg;
	for (int i = 0; i < sv->requests; i++) {
		int c = accept(sv->fd, NULL, NULL);
		if (c < 0)
			break;
		char req[16384];
		size_t got = 0;
		for (;;) {
			ssize_t n = read(c, req + got, sizeof req - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
			req[got] = '\0';
			char *end = strstr(req, "\r\n\r\n");
			char *cl = strcasestr(req, "content-length:");
			if (end != NULL && (cl == NULL || got >= (size_t)(end + 4 - req) +
			    strtoul(cl + 15, NULL, 10)))
				break;
		}
		const char *body = "{\"ok\":true,\"echo\":\"" BOT_TOKEN "\"}";
		char *ans = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
		/* the body in two writes, cut inside the token */
		size_t half = strlen(ans) - strlen(body) + 25;
		(void)!write(c, ans, half);
		usleep(50000);
		(void)!write(c, ans + half, strlen(ans) - half);
		free(ans);
		close(c);
	}
	return NULL;
}

static void
server_start(struct server *sv, int requests)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	sv->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(sv->fd, (struct sockaddr *)&sa, sizeof sa) == -1 || listen(sv->fd, 4) == -1 ||
	    getsockname(sv->fd, (struct sockaddr *)&sa, &sl) == -1)
		sv->port = 0;
	else
		sv->port = ntohs(sa.sin_port);
	sv->requests = requests;
	pthread_create(&sv->thread, NULL, server_main, sv);
}

/* SITREP_CURL_DEBUG traces a real request without the token, the password or its Basic form. */
static void
test_curl_trace(void)
{
	struct server sv;
	server_start(&sv, 2);
	ok(sv.port > 0, "a local HTTP server listens");
	setenv("SITREP_T_BOT", BOT_TOKEN, 1);
	setenv("SITREP_T_PW", "pw@S3cret/x", 1);
	char *text = xasprintf("notify bot\n    type telegram\n    url http://127.0.0.1:%d\n"
	    "    token ${SITREP_T_BOT}\n    chat-id 42\n"
	    "notify hook\n    type json\n    url \"http://admin:${SITREP_T_PW}@127.0.0.1:%d/x\"\n",
	    sv.port, sv.port);
	struct conf cf;
	char *cause = NULL;
	conf_init(&cf);
	is_int(conf_parse(&cf, text, strlen(text), "t.conf", &cause), 0, "the config parses");
	free(text);

	char tmpl[] = "/tmp/sitrep-trace-XXXXXX";
	int fd = mkstemp(tmpl);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	setenv("SITREP_CURL_DEBUG", "1", 1);
	int rc0 = notify_send(&cf.notify[0], "{\"text\":\"" BOT_TOKEN "\"}", &cause);
	int rc1 = notify_send(&cf.notify[1], "{}", &cause);
	unsetenv("SITREP_CURL_DEBUG");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	pthread_join(sv.thread, NULL);
	close(sv.fd);
	is_int(rc0, 0, "the bot's message is sent");
	is_int(rc1, 0, "the hook's message is sent");
	size_t len;
	char *trace = file_read(tmpl, 1 << 20, &len, &cause);
	unlink(tmpl);
	ok(trace != NULL && strstr(trace, "> POST /bot[secret]/sendMessage") != NULL,
	    "the request line is traced, the token in its path hidden");
	ok(trace != NULL && strstr(trace, "> Authorization: [secret]") != NULL,
	    "the Authorization header is traced, its value hidden");
	ok(trace != NULL && strstr(trace, "<= ") != NULL && strstr(trace, "=> ") != NULL,
	    "data both ways is traced");
	ok(trace != NULL && !leaks_part(trace, len, BOT_TOKEN, 10), "no part of the token");
	ok(trace != NULL && strstr(trace, "S3cret") == NULL && strstr(trace, "YWRtaW46cHdA") == NULL,
	    "no password, plain or as Basic credentials");
	if (trace != NULL && getenv("SHOWTRACE"))
		printf("# %s\n", trace);
	free(trace);
	conf_free(&cf);
	sanitize_clear_secrets();
}

int
main(void)
{
	sanitize_init();
	test_prefix_secrets();
	test_overlap_and_every_occurrence();
	test_split_writes();
	test_cuts();
	test_exec_output();
	test_curl_trace();
	return tap_done();
}
