/*
 * Fuzzes /proc/uptime: probe_parse_uptime() of the input.
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
	double up = -1;
	char *cause = NULL;
	if (probe_parse_uptime((const char *)data, size, &up, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL);
		FUZZ_ASSERT(up >= 0 && up <= 1e12);
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	return 0;
}
