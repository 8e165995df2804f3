/*
 * Fuzzes "docker ps --format '{{json .}}'" (and podman's) lines:
 * probe_parse_docker_ps_line() on each line of the input. A container it
 * accepts has an id and a name; a line it refuses says why.
 */
#include "config.h"

#include "fuzz.h"
#include "probe.h"
#include "sanitize.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

static void
each_line(const char *line, size_t len, void *arg)
{
	struct container c;
	char *cause = NULL;
	memset(&c, 0, sizeof c);
	if (probe_parse_docker_ps_line(line, len, &c, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL);
		FUZZ_ASSERT(c.id != NULL && *c.id != '\0' && c.name != NULL);
		FUZZ_ASSERT(c.exit_code >= -1);
		if (c.health != NULL)
			FUZZ_ASSERT(strcmp(c.health, "healthy") == 0 ||
			    strcmp(c.health, "unhealthy") == 0 || strcmp(c.health, "starting") == 0);
		if (c.engine_state != NULL)
			for (const char *p = c.engine_state; *p; p++)
				FUZZ_ASSERT(!(*p >= 'A' && *p <= 'Z'));
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	container_clear(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_each_line(data, size, each_line, NULL);
	return 0;
}
