/*
 * Fuzzes /proc/loadavg: probe_parse_loadavg() of the input.
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
	double load[3] = { -1, -1, -1 };
	char *cause = NULL;
	if (probe_parse_loadavg((const char *)data, size, load, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL);
		for (int i = 0; i < 3; i++)
			FUZZ_ASSERT(load[i] >= 0 && load[i] <= 1e12);
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	return 0;
}
