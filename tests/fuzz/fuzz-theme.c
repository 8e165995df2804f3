/*
 * Fuzzes theme files: theme_parse() of the input over the built-in
 * default. Whatever it accepts holds colours the terminal can show.
 */
#include "config.h"

#include "fuzz.h"
#include "sanitize.h"
#include "theme.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sanitize_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t;
	char *cause = NULL;
	theme_default(&t);
	int rc = theme_parse(&t, (const char *)data, size, "fuzz.theme", &cause);
	FUZZ_ASSERT_CAUSE(rc, cause);
	/* a failed parse may have changed the roles before the bad line: still valid */
	for (int r = 0; r < ROLE_COUNT; r++) {
		FUZZ_ASSERT(t.style[r].fg >= -1 && t.style[r].fg <= 255);
		FUZZ_ASSERT(t.style[r].bg >= -1 && t.style[r].bg <= 255);
		FUZZ_ASSERT((t.style[r].attrs & ~0x3f) == 0);
		FUZZ_ASSERT(theme_role_name((enum role)r)[0] != '?');
	}
	free(cause);
	theme_free(&t);
	return 0;
}
