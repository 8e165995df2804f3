/*
 * Fuzzes sitrep.conf: conf_parse() of the input, then the look-ups over
 * what it built (conf_find_host, conf_rto, conf_rpo) and a "-H" spec taken
 * from the input's first line. A parsed configuration must keep the
 * promises finish_host() checks; a failed one must say why.
 */
#include "config.h"

#include "conf.h"
#include "fuzz.h"
#include "sanitize.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

static void
check_lookups(const struct conf *c, const char *extra)
{
	for (size_t i = 0; i < c->nhosts; i++) {
		const struct host_conf *h = &c->hosts[i];
		/* host names are unique: a name finds its own host */
		FUZZ_ASSERT(conf_find_host(c, h->name) == (int)i);
		FUZZ_ASSERT(conf_rto(c, h->name, NULL) >= 0);
		FUZZ_ASSERT(conf_rpo(c, h->name, NULL) >= 0);
		for (size_t k = 0; k < h->nservices; k++) {
			FUZZ_ASSERT(conf_rto(c, h->name, h->services[k].name) >= 0);
			FUZZ_ASSERT(conf_rpo(c, NULL, h->services[k].name) >= 0);
		}
	}
	(void)conf_find_host(c, extra);
	(void)conf_rto(c, extra, extra);
	(void)conf_rpo(c, NULL, extra);
	(void)conf_rto(c, NULL, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	char *cause = NULL;
	conf_init(&c);
	int rc = conf_parse(&c, (const char *)data, size, "fuzz.conf", &cause);
	char *first = fuzz_first_line(data, size, 256);
	if (rc == 0) {
		FUZZ_ASSERT(cause == NULL);
		for (size_t i = 0; i < c.nhosts; i++) {
			const struct host_conf *h = &c.hosts[i];
			FUZZ_ASSERT(h->name != NULL && *h->name != '\0');
			FUZZ_ASSERT(h->disk_warn <= h->disk_crit && h->mem_warn <= h->mem_crit);
			FUZZ_ASSERT(h->interval_s > 0 && h->timeout_s > 0);
			for (size_t k = 0; k < h->nchecks; k++)
				FUZZ_ASSERT(h->checks[k].command != NULL &&
				    h->checks[k].command_shown != NULL);
			for (size_t k = 0; k < h->nhealth; k++)
				FUZZ_ASSERT(h->health[k].url != NULL && h->health[k].method != NULL);
		}
		for (size_t i = 0; i < c.nnotify; i++)
			FUZZ_ASSERT(c.notify[i].url != NULL || c.notify[i].missing_env != NULL);
		check_lookups(&c, first);
		/* "-H [user@]host[:port]" over what the file built */
		if (conf_add_cli_host(&c, first, &cause) == -1)
			FUZZ_ASSERT(cause != NULL);
		check_lookups(&c, first);
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	free(first);
	conf_free(&c);
	/* expanded ${VAR:-default} values are registered as secrets: start afresh */
	sanitize_clear_secrets();
	return 0;
}
