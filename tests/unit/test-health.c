/* Health responses judged: status, JSON field, latency; hostile bodies. */
#include "config.h"

#include <string.h>

#include "health.h"
#include "sanitize.h"
#include "tap.h"

int
main(void)
{
	sanitize_init();
	struct health_conf hc;
	memset(&hc, 0, sizeof hc);
	hc.name = "gateway";
	hc.method = "GET";
	hc.json_key = "status";
	hc.json_value = "healthy";
	struct health_result r;
	memset(&r, 0, sizeof r);
	const char *good = "{\"status\":\"healthy\"}";
	health_judge(&hc, 200, good, strlen(good), 12, NULL, &r);
	is_int(r.state, STATE_OK, "200 healthy is OK");
	is_str(r.reason, "HTTP 200 in 12 ms", "with status and latency");
	const char *bad = "{\"status\":\"unhealthy\"}";
	health_judge(&hc, 503, bad, strlen(bad), 5, NULL, &r);
	is_int(r.state, STATE_CRIT, "503 is CRIT");
	is_str(r.reason, "HTTP 503", "says the status");
	health_judge(&hc, 200, bad, strlen(bad), 5, NULL, &r);
	is_str(r.reason, "status is \"unhealthy\" (expected healthy)", "a JSON mismatch says what it saw");
	health_judge(&hc, 200, "<html>", 6, 5, NULL, &r);
	is_str(r.reason, "HTTP 200, body is not JSON", "not JSON");
	health_judge(&hc, 0, NULL, 0, 5000, "Connection refused", &r);
	is_str(r.reason, "no answer: Connection refused", "no answer");
	hc.expect_status = 204;
	health_judge(&hc, 200, good, strlen(good), 5, NULL, &r);
	is_str(r.reason, "HTTP 200 (expected 204)", "an expected status");
	hc.expect_status = 0;
	hc.json_key = "result.ok";
	hc.json_value = "true";
	const char *tg = "{\"ok\":true,\"result\":{\"ok\":true,\"id\":1}}";
	health_judge(&hc, 200, tg, strlen(tg), 5, NULL, &r);
	is_int(r.state, STATE_OK, "a dotted key and a boolean");
	hc.json_key = "ok";
	hc.slow_ms = 100;
	health_judge(&hc, 200, tg, strlen(tg), 250, NULL, &r);
	is_int(r.state, STATE_WARN, "slow answers are WARN");
	int not_json;
	char *v = health_json_value("[1,{\"a\":2.5}]", 13, "1.a", &not_json);
	is_str(v, "2.5", "array index in a path");
	free(v);
	/* a hostile body is kept raw (capped) and only sanitized when shown */
	const char *hostile = "\x1b]52;c;cHduZWQ=\x07\x1b[2J";
	hc.json_key = NULL;
	hc.slow_ms = 0;
	health_judge(&hc, 500, hostile, strlen(hostile), 1, NULL, &r);
	char *shown = sanitize_str(r.body);
	ok(strchr(shown, 0x1b) == NULL && strchr(shown, 0x07) == NULL, "the body shown has no escape");
	free(shown);
	char big[5000];
	memset(big, 'x', sizeof big);
	health_judge(&hc, 200, big, sizeof big, 1, NULL, &r);
	is_int(strlen(r.body), HEALTH_BODY_KEEP, "the kept body is capped");
	char deep[20010];
	memset(deep, '[', 20000);
	deep[20000] = '\0';
	v = health_json_value(deep, 20000, "a", &not_json);
	ok(v == NULL && not_json, "JSON nested 20000 deep is refused, not a crash");
	health_result_clear(&r);
	return tap_done();
}
