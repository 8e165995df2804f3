/*
 * sitrep: a terminal incident console. Everything but this lives in
 * libsitrep.a, which the tests and the fuzzers link too.
 */
#include "config.h"

#include "cmd.h"

int
main(int argc, char **argv)
{
	return sitrep_main(argc, argv);
}
