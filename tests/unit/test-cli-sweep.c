/*
 * The whole command line, swept: every command and subcommand in the
 * table, run as a user would with no, too many, repeated, empty, huge,
 * non-UTF-8, hostile and out-of-range arguments and with FIFOs, devices and
 * directories where files are expected. For each run: no signal (no crash,
 * no sanitizer abort), an exit status of the documented rule (0-3; the
 * command's own status for 'incident run'), no sanitizer report, bounded
 * output, and no control characters or invalid UTF-8 on stdout or stderr.
 *
 * The cases come from cmd_table(), so a new command or option is swept
 * without editing this file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "tap.h"
#include "util.h"

#define MAX_ARGS 16
#define OUT_LIMIT (256 * 1024)	/* kept per stream; more is a failure */
#define ERR_LIMIT (16 * 1024)	/* stderr is messages: a usage text at most */
#define RUN_TIMEOUT_MS 30000

static const char *sitrep, *workdir, *store;
static char fifo[512], huge[70000], big[5000];
static int runs, failures;

struct run {
	const char *argv[MAX_ARGS + 8];
	int argc;
	int exit_any;		/* the command's own status may come back */
};

static void
add(struct run *r, const char *a)
{
	if (r->argc < MAX_ARGS + 6)
		r->argv[r->argc++] = a;
}

/* Reads both pipes until the child closes them or the deadline passes. */
static int
collect(int out_fd, int err_fd, char *out, size_t *outn, char *err, size_t *errn,
    int *overflow, pid_t pid)
{
	struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	char *buf[2] = { out, err };
	size_t *len[2] = { outn, errn }, cap[2] = { OUT_LIMIT, ERR_LIMIT };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int open_fds = 2, timed_out = 0;
	while (open_fds > 0) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long elapsed = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (elapsed > RUN_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char chunk[8192];
			ssize_t n = read(p[i].fd, chunk, sizeof chunk);
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			size_t room = cap[i] - *len[i];
			if ((size_t)n > room) {
				*overflow |= 1 << i;
				n = (ssize_t)room;
			}
			memcpy(buf[i] + *len[i], chunk, (size_t)n);
			*len[i] += (size_t)n;
		}
	}
	return timed_out;
}

/* NULL when the bytes are valid UTF-8 without control characters (\n, \t aside). */
static const char *
text_problem(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				return "a control character";
			i++;
			continue;
		}
		size_t k = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
		if (k == 0 || (c >= 0xe0 && k == 2) || i + k > n)
			return "invalid UTF-8";
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return "invalid UTF-8";
		/* C1 controls, as UTF-8 */
		if (c == 0xc2 && s[i + 1] < 0xa0)
			return "a C1 control character";
		i += k;
	}
	return NULL;
}

static void
describe(const struct run *r, char *out, size_t size)
{
	size_t off = 0;
	for (int i = 0; i < r->argc && off + 1 < size; i++) {
		const char *a = r->argv[i];
		size_t n = strlen(a);
		int w = snprintf(out + off, size - off, "%s", i ? " " : "");
		off += (size_t)w;
		if (a == huge || a == big)
			w = snprintf(out + off, size - off, "<%zu x>", n);
		else {
			w = 0;
			for (size_t j = 0; j < n && off + (size_t)w + 4 < size; j++) {
				unsigned char c = (unsigned char)a[j];
				w += snprintf(out + off + w, size - off - w, c < 0x20 || c >= 0x7f ?
				    "\\x%02x" : "%c", c);
			}
			if (n == 0)
				w = snprintf(out + off, size - off, "''");
		}
		if (w < 0 || (size_t)w >= size - off)
			break;
		off += (size_t)w;
	}
}

static void
sweep_one(struct run *r)
{
	static char out[OUT_LIMIT], err[ERR_LIMIT + 1];
	int po[2], pe[2];
	if (pipe(po) == -1 || pipe(pe) == -1) {
		perror("pipe");
		exit(1);
	}
	const char *argv[MAX_ARGS + 16];
	int n = 0;
	argv[n++] = sitrep;
	if (r->argc == 0 || strcmp(r->argv[0], "--db") != 0) {
		argv[n++] = "--db";
		argv[n++] = store;
	}
	argv[n++] = "-H";
	argv[n++] = "local";
	for (int i = 0; i < r->argc; i++)
		argv[n++] = r->argv[i];
	argv[n] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		if (chdir(workdir) == -1)
			_exit(126);
		setpgid(0, 0);
		execv(sitrep, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	size_t outn = 0, errn = 0;
	int overflow = 0;
	int timed_out = collect(po[0], pe[0], out, &outn, err, &errn, &overflow, pid);
	close(po[0]);
	close(pe[0]);
	int st;
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	kill(-pid, SIGKILL);	/* anything it left behind */
	err[errn] = '\0';
	runs++;

	const char *why = NULL;
	char detail[64] = "";
	if (timed_out)
		why = "did not finish in 30 s";
	else if (WIFSIGNALED(st)) {
		why = "killed by a signal";
		snprintf(detail, sizeof detail, " (%s)", strsignal(WTERMSIG(st)));
	} else if (!r->exit_any && WEXITSTATUS(st) > 3) {
		why = "exit status outside 0-3";
		snprintf(detail, sizeof detail, " (%d)", WEXITSTATUS(st));
	} else if (strstr(err, "Sanitizer") != NULL || strstr(err, "runtime error:") != NULL)
		why = "a sanitizer report";
	else if (overflow & 2)
		why = "more than 16 KiB on stderr";
	else if (overflow & 1)
		why = "more than 256 KiB on stdout";
	else if ((why = text_problem((unsigned char *)err, errn)) != NULL)
		snprintf(detail, sizeof detail, " on stderr");
	else if ((why = text_problem((unsigned char *)out, outn)) != NULL)
		snprintf(detail, sizeof detail, " on stdout");
	if (why == NULL)
		return;
	failures++;
	char d[600];
	describe(r, d, sizeof d);
	ok(0, "sitrep %s: %s%s", d, why, detail);
	printf("#   stderr: %.300s\n", err);
}

/* The values every option and argument is tried with. */
static const char *values[16];
static size_t nvalues;

static void
sweep_path(const struct cmd_entry *const *path, int depth)
{
	const struct cmd_entry *e = path[depth - 1];
	int exit_any = strcmp(e->name, "run") == 0;
	struct run base;
	memset(&base, 0, sizeof base);
	base.exit_any = exit_any;
	for (int i = 0; i < depth; i++)
		add(&base, path[i]->name);
	if (e->sub != NULL) {
		struct run r = base;
		sweep_one(&r);			/* no subcommand */
		r = base;
		add(&r, "bogus");
		sweep_one(&r);
		for (const struct cmd_entry *const *s = e->sub; *s != NULL; s++) {
			const struct cmd_entry *p[8];
			memcpy(p, path, sizeof *p * (size_t)depth);
			p[depth] = *s;
			sweep_path(p, depth + 1);
		}
		return;
	}
	struct run r = base;
	sweep_one(&r);				/* no arguments */
	r = base;
	add(&r, "--help");
	sweep_one(&r);
	/* too many: one more than it takes */
	if (e->args_max >= 0) {
		r = base;
		for (int i = 0; i <= e->args_max && r.argc < MAX_ARGS; i++)
			add(&r, "1");
		sweep_one(&r);
	}
	/* each value as the first argument, and after a valid first one */
	for (size_t v = 0; v < nvalues; v++) {
		r = base;
		add(&r, values[v]);
		sweep_one(&r);
		if (e->args_max != 0 && e->args_max != 1) {
			r = base;
			add(&r, "1");
			add(&r, values[v]);
			sweep_one(&r);
		}
	}
	/* every option: each value, a missing value, repeated, as a flag */
	for (const struct cmd_opt *o = e->opts; o != NULL && o->name != NULL; o++) {
		char longname[80], eq[96], shortname[4] = { '-', o->short_name, 0, 0 };
		snprintf(longname, sizeof longname, "--%s", o->name);
		snprintf(eq, sizeof eq, "--%s=", o->name);
		r = base;
		add(&r, longname);
		sweep_one(&r);			/* no value (or the flag alone) */
		r = base;
		add(&r, longname);
		add(&r, "1");
		add(&r, longname);
		add(&r, "1");
		sweep_one(&r);			/* repeated */
		r = base;
		add(&r, eq);
		sweep_one(&r);			/* --name= */
		if (o->type == OPT_FLAG)
			continue;
		for (size_t v = 0; v < nvalues; v++) {
			r = base;
			add(&r, longname);
			add(&r, values[v]);
			sweep_one(&r);
		}
		if (o->short_name != 0) {
			r = base;
			add(&r, shortname);
			add(&r, "0");
			sweep_one(&r);
		}
	}
}

int
main(void)
{
	const char *which = getenv("SITREP_TESTS");
	if (which != NULL && strcmp(which, "unit") == 0) {
		printf("1..0 # SKIP SITREP_TESTS=unit (the sweep runs the program, minutes under ASan)\n");
		return 0;
	}
	sitrep = getenv("SITREP");
	if (sitrep == NULL || access(sitrep, X_OK) == -1) {
		printf("1..0 # SKIP SITREP is not set to the built program\n");
		return 0;
	}
	char tmpl[] = "/tmp/sitrep-sweep-XXXXXX";
	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	workdir = tmpl;
	static char storebuf[512], home[600], cfg[600], data[600];
	snprintf(storebuf, sizeof storebuf, "%s/s.db", workdir);
	store = storebuf;
	snprintf(fifo, sizeof fifo, "%s/fifo", workdir);
	mkfifo(fifo, 0600);
	snprintf(home, sizeof home, "HOME=%s", workdir);
	snprintf(cfg, sizeof cfg, "XDG_CONFIG_HOME=%s/config", workdir);
	snprintf(data, sizeof data, "XDG_DATA_HOME=%s/data", workdir);
	putenv(home);
	putenv(cfg);
	putenv(data);
	setenv("USER", "sweep", 1);
	unsetenv("TMUX");
	memset(huge, 'x', sizeof huge - 1);
	memset(big, 'y', sizeof big - 1);
	static const char *const v[] = {
		"", NULL /* huge */, NULL /* big */, "\xff\xfe\xc3(", "a\x1b]0;t\x07\r\x1b[2Jb",
		"0", "-1", "99999999999999999999", "P9", NULL /* fifo */, "/dev/zero", "/dev/full",
		"/tmp",
	};
	for (size_t i = 0; i < nitems(v); i++)
		values[nvalues++] = v[i];
	values[1] = huge;
	values[2] = big;
	values[9] = fifo;

	/* an incident with a runbook, so that id and step arguments meet real rows */
	char rb[600], cmd[1400];
	snprintf(rb, sizeof rb, "%s/rb.md", workdir);
	FILE *f = fopen(rb, "w");
	fprintf(f, "# Restore\n\n1. **Look** (5 min)\n   ```bash\n   true\n   ```\n"
	    "2. **Fix** (10 min)\n   ```bash\n   echo <what>\n   ```\n");
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' --db '%s' incident open --severity P2 --runbook '%s' "
	    "sweep >/dev/null", sitrep, store, rb);
	ok(system(cmd) == 0, "an incident to sweep against");

	const struct cmd_entry *const *t = cmd_table();
	for (size_t i = 0; t[i] != NULL; i++) {
		const struct cmd_entry *p[8] = { t[i] };
		int before = failures;
		int before_runs = runs;
		sweep_path(p, 1);
		ok(failures == before, "sitrep %s: %d runs, each clean", t[i]->name, runs - before_runs);
	}
	/* the global options, each with every value */
	static const char *const globals[] = { "-c", "-F", "--db", "--theme", "--log", "--runbook",
		"-H" };
	int before = failures, before_runs = runs;
	for (size_t g = 0; g < nitems(globals); g++)
		for (size_t k = 0; k < nvalues; k++) {
			struct run r;
			memset(&r, 0, sizeof r);
			add(&r, globals[g]);
			add(&r, values[k]);
			add(&r, "incident");
			add(&r, "list");
			sweep_one(&r);
		}
	ok(failures == before, "global options: %d runs, each clean", runs - before_runs);
	printf("# %d runs in all\n", runs);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", workdir);
	return tap_done();
}
