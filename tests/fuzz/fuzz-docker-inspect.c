/*
 * Fuzzes "docker inspect" lines in the probe's template: each line of the
 * input is merged with probe_parse_docker_inspect_line() into a fixed list
 * of containers (the docker-ps fixture), as a probe cycle does, and every
 * timestamp-looking line also goes through probe_parse_time().
 */
#include "config.h"

#include "fuzz.h"
#include "probe.h"
#include "sanitize.h"

static struct container *fixture;
static size_t nfixture;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	fuzz_ps_containers(&fixture, &nfixture);
	return 0;
}

static void
each_line(const char *line, size_t len, void *arg)
{
	struct fuzz_list *l = arg;
	char *cause = NULL;
	int rc = probe_parse_docker_inspect_line(line, len, l->cs, l->n, &cause);
	FUZZ_ASSERT_CAUSE(rc, cause);
	free(cause);

	if (len < 128) {
		char *s = xstrndup(line, len);
		int64_t ms = -1;
		if (probe_parse_time(s, &ms) == -1)
			FUZZ_ASSERT(ms == -1);
		free(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_list l = fuzz_list_copy(fixture, nfixture);
	fuzz_each_line(data, size, each_line, &l);
	for (size_t i = 0; i < l.n; i++) {
		/* a merge never loses what identifies a container */
		FUZZ_ASSERT(strcmp(l.cs[i].id, fixture[i].id) == 0);
		FUZZ_ASSERT(strcmp(l.cs[i].name, fixture[i].name) == 0);
		FUZZ_ASSERT(l.cs[i].restarts >= 0);
	}
	fuzz_containers_free(l.cs, l.n);
	return 0;
}
