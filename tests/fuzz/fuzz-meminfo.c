/*
 * Fuzzes /proc/meminfo: probe_parse_meminfo() of the input. What it
 * accepts is consistent: available memory within the total, free swap
 * within the swap.
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
	uint64_t total = 0, avail = 0, swap_total = 0, swap_free = 0;
	char *cause = NULL;
	if (probe_parse_meminfo((const char *)data, size, &total, &avail, &swap_total,
	    &swap_free, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL);
		FUZZ_ASSERT(total > 0 && avail <= total && swap_free <= swap_total);
	} else
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	return 0;
}
