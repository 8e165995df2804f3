/*
 * Fuzzes "docker stats --no-stream --format '{{json .}}'" lines: each line
 * of the input is merged with probe_parse_docker_stats_line() into a fixed
 * list of containers (the docker-ps fixture), as a probe cycle does.
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
	int rc = probe_parse_docker_stats_line(line, len, l->cs, l->n, &cause);
	FUZZ_ASSERT_CAUSE(rc, cause);
	free(cause);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_list l = fuzz_list_copy(fixture, nfixture);
	fuzz_each_line(data, size, each_line, &l);
	for (size_t i = 0; i < l.n; i++) {
		FUZZ_ASSERT(strcmp(l.cs[i].id, fixture[i].id) == 0);
		if (l.cs[i].have_stats)
			FUZZ_ASSERT(l.cs[i].cpu_pct >= 0 && l.cs[i].cpu_pct <= 100000 &&
			    l.cs[i].mem_pct >= 0 && l.cs[i].mem_pct <= 100000);
	}
	fuzz_containers_free(l.cs, l.n);
	return 0;
}
