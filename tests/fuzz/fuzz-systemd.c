/*
 * Fuzzes "systemctl show -p Id -p LoadState ..." output:
 * probe_parse_systemd() of the input. Every unit it returns has a name.
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unit_status *units = NULL;
	size_t n = 0;
	char *cause = NULL;
	int rc = probe_parse_systemd((const char *)data, size, &units, &n, &cause);
	FUZZ_ASSERT_CAUSE(rc, cause);
	FUZZ_ASSERT(rc == 0 || n == 0);
	FUZZ_ASSERT(n <= PROBE_MAX_ITEMS);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(units[i].name != NULL);
		FUZZ_ASSERT(units[i].restarts >= 0);
		unit_status_clear(&units[i]);
	}
	free(units);
	free(cause);
	return 0;
}
