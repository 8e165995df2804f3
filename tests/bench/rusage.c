/*
 * rusage: runs a command and prints what it cost, for tests/bench/run:
 *
 *   wall_ms W user_ms U sys_ms S maxrss_kb R status X
 *
 * on stderr (the command keeps stdout). Wall time is from fork to wait on
 * the monotonic clock; the rest is wait4()'s rusage of the child, so it is
 * independent of /usr/bin/time being installed.
 *
 * usage: rusage COMMAND [ARG...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rusage COMMAND [ARG...]\n");
		return 2;
	}
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == -1) {
		perror("rusage: fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("rusage: wait4");
		return 1;
	}
	double wall = now_ms() - t0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(stderr, "wall_ms %.1f user_ms %.1f sys_ms %.1f maxrss_kb %ld status %d\n", wall,
	    (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3,
	    (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3, ru.ru_maxrss, code);
	return code;
}
