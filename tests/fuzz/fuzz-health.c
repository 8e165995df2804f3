/*
 * Fuzzes the judging of HTTP health answers: health_judge() of the input as
 * a body under a few health_conf variants and statuses, and
 * health_json_value() with dotted keys taken from the input (its first
 * line as a key over the rest, and fixed keys over the whole input).
 */
#include "config.h"

#include "fuzz.h"
#include "health.h"
#include "sanitize.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

static void
json_value(const char *body, size_t len, const char *key)
{
	int not_json = -1;
	char *v = health_json_value(body, len, key, &not_json);
	FUZZ_ASSERT(not_json == 0 || not_json == 1);
	FUZZ_ASSERT(!(not_json && v != NULL));
	free(v);
}

static void
judge(struct health_conf *hc, const char *body, size_t len, struct health_result *r)
{
	static const int statuses[] = { 200, 204, 301, 503, 0 };
	static const int64_t latencies[] = { 3, 250 };
	for (size_t i = 0; i < nitems(statuses); i++)
		for (size_t k = 0; k < nitems(latencies); k++) {
			health_judge(hc, statuses[i], body, len, latencies[k],
			    k ? "Connection refused" : NULL, r);
			FUZZ_ASSERT(r->reason != NULL && r->body != NULL);
			FUZZ_ASSERT(strlen(r->body) <= HEALTH_BODY_KEEP);
			FUZZ_ASSERT(r->state == STATE_OK || r->state == STATE_WARN ||
			    r->state == STATE_CRIT);
			FUZZ_ASSERT(statuses[i] != 0 || r->state == STATE_CRIT);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	char *key = fuzz_first_line(data, size, 256);
	const char *rest = nl ? nl + 1 : text + size;
	size_t rest_len = size - (size_t)(rest - text);

	/* the first line as a key over the rest, and over the whole input */
	json_value(rest, rest_len, key);
	json_value(text, size, key);
	static const char *const keys[] = { "status", "ok", "result.ok", "0", "1.a", "a.b.c.d", ".", "" };
	for (size_t i = 0; i < nitems(keys); i++)
		json_value(text, size, keys[i]);

	struct health_conf hc;
	struct health_result r;
	memset(&r, 0, sizeof r);
	memset(&hc, 0, sizeof hc);
	hc.name = "fuzz";
	hc.method = "GET";
	judge(&hc, text, size, &r);		/* status only */
	hc.json_key = "status";
	hc.json_value = "healthy";
	judge(&hc, text, size, &r);
	hc.json_key = "result.ok";
	hc.json_value = "true";
	hc.expect_status = 204;
	hc.slow_ms = 100;
	judge(&hc, text, size, &r);
	if (*key != '\0') {
		hc.json_key = key;
		hc.json_value = "ok";
		hc.expect_status = 0;
		judge(&hc, rest, rest_len, &r);
	}
	health_judge(&hc, 200, NULL, 0, 1, NULL, &r);	/* no body at all */
	health_result_clear(&r);
	free(key);
	return 0;
}
