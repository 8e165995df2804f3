/* HTTP responses as an engine's API sends them: lengths, chunks, pipelining. */
#include "config.h"

#include <string.h>

#include "http.h"
#include "probe.h"
#include "sanitize.h"
#include "tap.h"

static int
parse(const char *s, int *status, struct buf *body, size_t *used)
{
	char *cause = NULL;
	int rc = http_parse_response(s, strlen(s), status, body, used, &cause);
	free(cause);
	return rc;
}

int
main(void)
{
	sanitize_init();
	struct buf body;
	buf_init(&body);
	int status;
	size_t used;
	const char *cl = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n[1,2]";
	is_int(parse(cl, &status, &body, &used), 1, "a response with Content-Length");
	is_int(status, 200, "its status");
	is_str(body.data, "[1,2]", "its body");
	is_int(used, strlen(cl), "all of it used");
	const char *two = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 404 Not Found\r\n"
	    "Content-Length: 0\r\n\r\n";
	is_int(parse(two, &status, &body, &used), 1, "pipelined: the first response");
	is_str(body.data, "{}", "its body");
	is_int(parse(two + used, &status, &body, &used), 1, "then the second");
	is_int(status, 404, "a 404");
	const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[{\"a\r\n"
	    "A;ext=1\r\n\":1},{}]  \r\n0\r\n\r\n";
	is_int(parse(ch, &status, &body, &used), 1, "a chunked response (with an extension)");
	is_str(body.data, "[{\"a\":1},{}]  ", "de-chunked");
	for (size_t cut = 0; cut < strlen(ch); cut++) {
		char *part = xstrndup(ch, cut);
		int rc = parse(part, &status, &body, &used);
		free(part);
		if (rc != 0) {
			ok(0, "a chunked response cut at %zu needs more data (got %d)", cut, rc);
			break;
		}
	}
	ok(1, "every cut of a chunked response asks for more data");
	is_int(parse("HTTP/1.1 200 OK\r\n\r\nbody", &status, &body, &used), -1,
	    "a body without a length cannot be pipelined");
	is_int(parse("HTTP/1.1 204 No Content\r\n\r\n", &status, &body, &used), 1, "204 has no body");
	is_int(parse("SSH-2.0-OpenSSH\r\n\r\n", &status, &body, &used), -1, "not HTTP");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &status, &body, &used),
	    -1, "a bad chunk size");
	is_int(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFF\r\n", &status,
	    &body, &used), -1, "a huge chunk is refused");
	is_int(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", &status, &body, &used), -1,
	    "a negative length is refused");

	/* the engine API's list */
	const char *list = "[{\"Id\":\"833f365a0ed01fe375a0effd68d6f5c2e9bb284bb79d86a012666be2fde96f7f\","
	    "\"Names\":[\"/web\"],\"Image\":\"localhost/fleet:latest\",\"State\":\"running\","
	    "\"Status\":\"Up 3 minutes (healthy)\"},{\"Id\":\"4b1c5f0e9a2d\",\"Names\":[\"/job\"],"
	    "\"State\":\"exited\",\"Status\":\"Exited (7) 1 minute ago\"},{\"Names\":[\"/noid\"]},"
	    "{\"Id\":\"4b1c5f0e9a2d json HTTP/1.1\\r\\n\\r\\nDELETE /x\",\"Names\":[\"/evil\"]},"
	    "{\"Id\":\"abc\",\"Names\":[\"/short\"]},7]";
	struct container *cs;
	size_t n;
	is_int(probe_parse_docker_api_list(list, strlen(list), &cs, &n, NULL), 0, "the API's container list");
	is_int(n, 2, "entries without a hex id of 12-64 digits (and non-objects) are skipped");
	is_str(cs[0].name, "web", "the leading slash of a name is dropped");
	is_str(cs[0].health, "healthy", "health from the status text");
	is_str(cs[1].engine_state, "exited", "state");
	const char *insp = "{\"Id\":\"833f365a0ed01fe375a0effd68d6f5c2e9bb284bb79d86a012666be2fde96f7f\","
	    "\"Name\":\"/web\",\"Image\":\"sha256:abc\",\"RestartCount\":4,\"State\":{\"Status\":\"running\","
	    "\"ExitCode\":0,\"StartedAt\":\"2026-11-21T23:16:54.1Z\"},\"HostConfig\":{\"RestartPolicy\":"
	    "{\"Name\":\"always\"}},\"Config\":{\"Image\":\"localhost/fleet:latest\"}}";
	is_int(probe_parse_docker_inspect_line(insp, strlen(insp), cs, n, NULL), 0, "the API's inspect");
	is_int(cs[0].restarts, 4, "restart count");
	is_str(cs[0].restart_policy, "always", "policy from HostConfig");
	is_str(cs[0].image, "localhost/fleet:latest", "the image name from Config, not the image id");
	for (size_t i = 0; i < n; i++)
		container_clear(&cs[i]);
	free(cs);
	ok(probe_parse_docker_api_list("{}", 2, &cs, &n, NULL) == -1, "a list that is not an array");
	buf_free(&body);
	return tap_done();
}
