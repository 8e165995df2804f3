/*
 * Fuzzes "df -P -k" and "df -P -i" output: probe_parse_df() of the input,
 * then probe_parse_df_inodes() of the same input over the disks it found.
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
	struct disk *disks = NULL;
	size_t n = 0;
	char *cause = NULL;
	int rc = probe_parse_df((const char *)data, size, &disks, &n, &cause);
	FUZZ_ASSERT_CAUSE(rc, cause);
	FUZZ_ASSERT(rc == 0 || n == 0);
	free(cause);
	cause = NULL;
	FUZZ_ASSERT(n <= PROBE_MAX_ITEMS);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(disks[i].fs != NULL && disks[i].mount != NULL);
		FUZZ_ASSERT(disks[i].mount[0] == '/');
		FUZZ_ASSERT(disks[i].size_kb > 0);
		FUZZ_ASSERT(disks[i].pct >= 0 && disks[i].pct <= 100);
		FUZZ_ASSERT(disks[i].ipct == -1);
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(strcmp(disks[k].mount, disks[i].mount) != 0);
	}
	if (probe_parse_df_inodes((const char *)data, size, disks, n, &cause) == -1)
		FUZZ_ASSERT(cause != NULL);
	free(cause);
	for (size_t i = 0; i < n; i++) {
		if (disks[i].inodes == 0)
			FUZZ_ASSERT(disks[i].ipct == -1);
		disk_clear(&disks[i]);
	}
	free(disks);
	return 0;
}
