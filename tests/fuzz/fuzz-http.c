/*
 * fuzz-http: HTTP responses (as pipelined by an engine's API) and the
 * API's container list: bounded, never reading past the input.
 */
#include "fuzz.h"

#include "http.h"
#include "sanitize.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the input, no NUL after it: reading past the length is caught */
	char *in = malloc(size ? size : 1);
	if (in == NULL)
		abort();
	memcpy(in, data, size);
	struct buf body;
	buf_init(&body);
	size_t off = 0;
	/* responses one after another, as on a kept connection */
	for (int k = 0; k < 64 && off < size; k++) {
		int status = 0;
		size_t used = 0;
		char *cause = NULL;
		int rc = http_parse_response(in + off, size - off, &status, &body, &used, &cause);
		FUZZ_ASSERT(rc >= -1 && rc <= 1);
		if (rc == -1)
			FUZZ_ASSERT(cause != NULL);
		free(cause);
		if (rc != 1)
			break;
		FUZZ_ASSERT(used > 0 && used <= size - off);
		FUZZ_ASSERT(body.len <= HTTP_MAX_BODY);
		FUZZ_ASSERT(status >= 0 && status <= 999);
		off += used;
	}
	struct container *cs = NULL;
	size_t n = 0;
	if (probe_parse_docker_api_list(in, size, &cs, &n, NULL) == 0) {
		FUZZ_ASSERT(n <= PROBE_MAX_ITEMS);
		for (size_t i = 0; i < n; i++)
			container_clear(&cs[i]);
	}
	free(cs);
	buf_free(&body);
	free(in);
	return 0;
}
