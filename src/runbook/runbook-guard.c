/*
 * The destructive command guard: why a command destroys or stops
 * something, read from its words as a shell reads them.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "shell.h"

/* Destructive commands. */

#define GUARD_DEPTH 4		/* nested command strings looked into */
#define GUARD_WRAPPERS 32	/* sudo env nice ... unwrapped in one command */

struct argv {
	const struct shell_word *v;
	size_t n;
};

static int
w_is(const struct shell_word *w, const char *s)
{
	return strcmp(w->text, s) == 0;
}

static int
w_ieq(const struct shell_word *w, const char *s)
{
	return strcasecmp(w->text, s) == 0;
}

static int
w_in(const struct shell_word *w, const char *const *table)
{
	return table_find(table, w->text) >= 0;
}

/* The last path component of a word. */
static const char *
w_base(const struct shell_word *w)
{
	const char *s = strrchr(w->text, '/');
	return s != NULL && s[1] != '\0' ? s + 1 : w->text;
}

static int
base_is(const struct shell_word *w, const char *s)
{
	return strcmp(w_base(w), s) == 0;
}

static int
base_in(const struct shell_word *w, const char *const *table)
{
	return table_find(table, w_base(w)) >= 0;
}

static int
w_option(const struct shell_word *w)
{
	return w->text[0] == '-' && w->text[1] != '\0';
}

/* A short-option cluster ("-fdx") holding letter c. */
static int
w_short_has(const struct shell_word *w, char c)
{
	return w->text[0] == '-' && w->text[1] != '-' && strchr(w->text + 1, c) != NULL;
}

static int
any_word(struct argv a, size_t from, const char *s)
{
	for (size_t i = from; i < a.n; i++)
		if (w_is(&a.v[i], s))
			return 1;
	return 0;
}

static int
any_prefix(struct argv a, size_t from, const char *s)
{
	for (size_t i = from; i < a.n; i++)
		if (str_has_prefix(a.v[i].text, s))
			return 1;
	return 0;
}

/*
 * Skips options from i: "--" ends them; a short option whose letter is in
 * short_arg, or a long one in long_arg, takes the next word unless its
 * value is attached ("-n5", "--namespace=x").
 */
static size_t
skip_opts(struct argv a, size_t i, const char *short_arg, const char *const *long_arg)
{
	while (i < a.n && w_option(&a.v[i])) {
		const char *o = a.v[i].text;
		i++;
		if (strcmp(o, "--") == 0)
			break;
		if (o[1] == '-') {
			if (long_arg != NULL && strchr(o, '=') == NULL && table_find(long_arg, o) >= 0)
				i++;
			continue;
		}
		for (const char *p = o + 1; *p != '\0'; p++)
			if (short_arg != NULL && strchr(short_arg, *p) != NULL) {
				if (p[1] == '\0')
					i++;
				break;
			}
	}
	return i;
}

static const char *guard_text(const char *text, int depth);
static const char *guard_argv(struct argv a, const struct shell_command *c, int depth);

/* The words from i joined with spaces, as sh -c, ssh and watch run them. */
static char *
join_words(struct argv a, size_t i)
{
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "");
	for (; i < a.n; i++) {
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_adds(&b, a.v[i].text);
	}
	return buf_take(&b);
}

static const char *
guard_joined(struct argv a, size_t i, int depth)
{
	char *s = join_words(a, i);
	const char *why = guard_text(s, depth + 1);
	free(s);
	return why;
}

/* FLUSHALL, FLUSHDB, TRUNCATE, DROP TABLE|DATABASE|SCHEMA, DELETE FROM, in any case. */
static const char *
keywords_destructive(const char *s)
{
	char prev[32] = "";
	size_t i = 0, n = strlen(s);
	while (i < n) {
		if (!is_alpha(s[i])) {
			i++;
			continue;
		}
		size_t st = i;
		while (i < n && (is_alnum(s[i]) || s[i] == '_' || s[i] == '.'))
			i++;
		char w[32];
		size_t wn = i - st < sizeof w - 1 ? i - st : sizeof w - 1;
		memcpy(w, s + st, wn);
		w[wn] = '\0';
		if (strcasecmp(w, "flushall") == 0 || strcasecmp(w, "flushdb") == 0)
			return "FLUSHALL/FLUSHDB";
		if (strcasecmp(w, "truncate") == 0)
			return "SQL TRUNCATE";
		if (strcasestr(w, "dropdatabase") != NULL)
			return "drops a database";
		if (strcasecmp(prev, "drop") == 0 && (strcasecmp(w, "table") == 0 ||
		    strcasecmp(w, "database") == 0 || strcasecmp(w, "schema") == 0))
			return "SQL DROP";
		if (strcasecmp(prev, "delete") == 0 && strcasecmp(w, "from") == 0)
			return "SQL DELETE";
		snprintf(prev, sizeof prev, "%s", w);
	}
	return NULL;
}

static const char *
words_keywords(struct argv a, size_t from)
{
	char *s = join_words(a, from);
	const char *why = keywords_destructive(s);
	free(s);
	return why;
}

/* mv of data: anything under /var/lib, /data, /srv, or naming data, db or backup. */
static int
data_path(const char *s)
{
	return str_has_prefix(s, "/var/lib") || str_has_prefix(s, "/data") ||
	    str_has_prefix(s, "/srv") || strcasestr(s, "data") != NULL ||
	    strcasestr(s, "db") != NULL || strcasestr(s, "backup") != NULL;
}

static const char *const system_dirs[] = {
	"/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/var", "/opt",
	"/root", "/home", "/srv", "/", NULL
};

/* "/", "/etc", "/usr/lib": a system directory or a path in one of a few. */
static int
system_path(const char *s)
{
	if (table_find(system_dirs, s) >= 0)
		return 1;
	return str_has_prefix(s, "/etc/") || str_has_prefix(s, "/usr/") ||
	    str_has_prefix(s, "/boot/") || str_has_prefix(s, "/bin/") ||
	    str_has_prefix(s, "/sbin/") || str_has_prefix(s, "/lib");
}

/*
 * A file whose name is fixed under /var, /etc, /boot, /usr or a disk:
 * "> /var/log/app.log" truncates it, "> /var/backups/db-$TS.dump" makes a
 * new one.
 */
static int
existing_system_path(const struct shell_word *w)
{
	const char *s = w->text;
	if (!str_has_prefix(s, "/var/") && !str_has_prefix(s, "/etc/") &&
	    !str_has_prefix(s, "/boot/") && !str_has_prefix(s, "/usr/") &&
	    !str_has_prefix(s, "/dev/sd") && !str_has_prefix(s, "/dev/nvme") &&
	    !str_has_prefix(s, "/dev/vd") && !str_has_prefix(s, "/dev/xvd") &&
	    !str_has_prefix(s, "/dev/mapper/"))
		return 0;
	return (w->flags & (SHELL_EXPANSION | SHELL_GLOB)) == 0 && strchr(s, '<') == NULL;
}

static const char *
kill_reason(struct argv a)
{
	for (size_t i = 1; i < a.n; i++) {
		const struct shell_word *w = &a.v[i];
		if (w_is(w, "-9") || w_ieq(w, "-KILL") || w_ieq(w, "-SIGKILL"))
			return "kill -9";
		if ((w_is(w, "-s") || w_is(w, "--signal") || w_is(w, "-n")) && i + 1 < a.n &&
		    (w_is(&a.v[i + 1], "9") || w_ieq(&a.v[i + 1], "KILL") ||
		    w_ieq(&a.v[i + 1], "SIGKILL")))
			return "kill -9";
	}
	for (size_t i = 1; i < a.n; i++)
		if (w_is(&a.v[i], "1") || w_is(&a.v[i], "-1"))
			return "kill of init or of every process";
	return NULL;
}

static const char *const git_long_args[] = {
	"--git-dir", "--work-tree", "--namespace", "--exec-path", NULL
};

static const char *
git_reason(struct argv a)
{
	size_t i = skip_opts(a, 1, "Cc", git_long_args);
	if (i >= a.n)
		return NULL;
	const struct shell_word *sub = &a.v[i];
	if (w_is(sub, "reset") && any_word(a, i + 1, "--hard"))
		return "git reset --hard";
	if (w_is(sub, "clean"))
		for (size_t j = i + 1; j < a.n; j++)
			if (w_is(&a.v[j], "--force") || w_short_has(&a.v[j], 'f'))
				return "git clean -f";
	if (w_is(sub, "push"))
		for (size_t j = i + 1; j < a.n; j++)
			if (w_is(&a.v[j], "-f") || str_has_prefix(a.v[j].text, "--force") ||
			    w_is(&a.v[j], "--delete") || w_is(&a.v[j], "--mirror") ||
			    a.v[j].text[0] == '+' || (a.v[j].text[0] == ':' && a.v[j].text[1]))
				return "git push --force";
	if (w_is(sub, "branch") && (any_word(a, i + 1, "-D") ||
	    (any_word(a, i + 1, "-d") && any_word(a, i + 1, "--force"))))
		return "git branch -D";
	if ((w_is(sub, "checkout") && any_word(a, i + 1, "--") ) || w_is(sub, "restore"))
		return "git discards changes";
	if (w_is(sub, "stash") && i + 1 < a.n && (w_is(&a.v[i + 1], "drop") ||
	    w_is(&a.v[i + 1], "clear")))
		return "git stash drop";
	return NULL;
}

static int
recursive_option(struct argv a)
{
	for (size_t i = 1; i < a.n; i++)
		if (w_is(&a.v[i], "--recursive") || w_short_has(&a.v[i], 'R'))
			return 1;
	return 0;
}

static const char *const docker_global_args[] = {
	"-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
	"--tlscacert", "--tlscert", "--tlskey", "--url", "--connection", "--identity",
	"--root", "--runroot", "--storage-driver", NULL
};
static const char *const compose_args[] = {
	"-f", "--file", "-p", "--project-name", "--env-file", "--profile",
	"--project-directory", "--ansi", "--parallel", NULL
};
static const char *const docker_exec_args[] = {
	"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file",
	"--detach-keys", NULL
};
static const char *const docker_run_args[] = {
	"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file", "--name",
	"-v", "--volume", "--mount", "-p", "--publish", "--network", "--net",
	"--entrypoint", "-h", "--hostname", "-l", "--label", "--restart", "-m",
	"--memory", "--cpus", "--pid", "--ipc", "--uts", "--cap-add", "--cap-drop",
	"--device", "--platform", "--pull", "--log-driver", "--log-opt", "--add-host",
	"--dns", "--tmpfs", "--ulimit", "--security-opt", "--userns", "--gpus", NULL
};

static const char *
compose_reason(struct argv a, size_t i, const struct shell_command *c, int depth)
{
	static const char *const subs[] = { "down", "stop", "kill", "rm", NULL };
	i = skip_opts(a, i, "fp", compose_args);
	if (i >= a.n)
		return NULL;
	if (w_in(&a.v[i], subs))
		return "stops or removes compose services";
	if (w_is(&a.v[i], "exec") || w_is(&a.v[i], "run")) {
		size_t j = skip_opts(a, i + 1, "euw", docker_exec_args) + 1;
		if (j < a.n)
			return guard_argv((struct argv){ a.v + j, a.n - j }, c, depth + 1);
	}
	return NULL;
}

/* "-v /:/host", "--volume=/:/x", "--mount type=bind,source=/,...". */
static int
mounts_root(const char *v)
{
	if (str_has_prefix(v, "--volume="))
		v += strlen("--volume=");
	else if (str_has_prefix(v, "-v") && v[2] != '\0')
		v += 2;
	return str_has_prefix(v, "/:") || strstr(v, "source=/,") != NULL ||
	    strstr(v, "src=/,") != NULL || str_has_prefix(v, "/etc:") ||
	    str_has_prefix(v, "/var/run/docker.sock");
}

static const char *
docker_reason(struct argv a, const struct shell_command *c, int depth)
{
	static const char *const subs[] = { "stop", "kill", "rm", "rmi", NULL };
	static const char *const groups[] = {
		"container", "volume", "image", "network", "system", "builder",
		"buildx", "plugin", "service", "stack", "secret", "config", "node",
		"pod", NULL
	};
	static const char *const group_subs[] = {
		"rm", "remove", "prune", "stop", "kill", NULL
	};
	size_t i = skip_opts(a, 1, "Hcl", docker_global_args);
	if (i >= a.n)
		return NULL;
	const struct shell_word *sub = &a.v[i];
	if (w_in(sub, subs))
		return "stops or removes containers or images";
	if (any_word(a, i, "prune"))
		return "prunes";
	if (w_is(sub, "compose"))
		return compose_reason(a, i + 1, c, depth);
	if (w_in(sub, groups) && i + 1 < a.n) {
		size_t j = skip_opts(a, i + 1, "Hcl", docker_global_args);
		if (j < a.n && w_in(&a.v[j], group_subs))
			return "stops or removes containers, volumes or images";
		if (w_is(sub, "container"))
			sub = &a.v[i + 1], i++;
	}
	if (w_is(sub, "exec")) {
		size_t j = skip_opts(a, i + 1, "euw", docker_exec_args) + 1;
		if (j < a.n)
			return guard_argv((struct argv){ a.v + j, a.n - j }, c, depth + 1);
		return NULL;
	}
	if (w_is(sub, "run") || w_is(sub, "create")) {
		for (size_t j = i + 1; j < a.n; j++) {
			const char *v = a.v[j].text;
			if (w_is(&a.v[j], "--privileged"))
				return "docker run --privileged";
			if ((w_is(&a.v[j], "-v") || w_is(&a.v[j], "--volume")) && j + 1 < a.n &&
			    mounts_root(a.v[j + 1].text))
				return "docker run with a host system path mounted";
			if (w_is(&a.v[j], "--mount") && j + 1 < a.n && mounts_root(a.v[j + 1].text))
				return "docker run with a host system path mounted";
			if (mounts_root(v) && v[0] == '-')
				return "docker run with a host system path mounted";
			if (strcmp(v, "--pid=host") == 0 || (w_is(&a.v[j], "--pid") && j + 1 < a.n &&
			    w_is(&a.v[j + 1], "host")))
				return "docker run --pid=host";
		}
		size_t j = skip_opts(a, i + 1, "euwvphlm", docker_run_args) + 1;
		if (j < a.n)
			return guard_argv((struct argv){ a.v + j, a.n - j }, c, depth + 1);
	}
	return NULL;
}

static const char *const kubectl_args[] = {
	"-n", "--namespace", "--context", "--cluster", "--user", "-s", "--server",
	"--kubeconfig", "--as", "--as-group", "--token", "--request-timeout",
	"--certificate-authority", "--client-certificate", "--client-key",
	"--tls-server-name", "-v", "--v", NULL
};

static const char *
kubectl_reason(struct argv a, const struct shell_command *c, int depth)
{
	size_t i = skip_opts(a, 1, "nsv", kubectl_args);
	if (i >= a.n)
		return NULL;
	const struct shell_word *sub = &a.v[i];
	if (w_is(sub, "delete"))
		return "kubectl delete";
	if (w_is(sub, "drain"))
		return "kubectl drain";
	if (w_is(sub, "scale") && (any_word(a, i, "--replicas=0") ||
	    (any_word(a, i, "--replicas") && any_word(a, i, "0"))))
		return "kubectl scale to zero";
	if (w_is(sub, "replace") && any_word(a, i, "--force"))
		return "kubectl replace --force";
	if (w_is(sub, "exec")) {
		for (size_t j = i + 1; j < a.n; j++)
			if (w_is(&a.v[j], "--"))
				return guard_argv((struct argv){ a.v + j + 1, a.n - j - 1 }, c,
				    depth + 1);
	}
	return NULL;
}

static const char *const helm_args[] = {
	"-n", "--namespace", "--kube-context", "--kubeconfig", "--registry-config",
	"--repository-cache", "--repository-config", NULL
};
static const char *const systemctl_args[] = {
	"-H", "--host", "-M", "--machine", "-p", "--property", "-t", "--type",
	"-s", "--signal", "-n", "--lines", "-o", "--output", "--root", "--state",
	"--kill-whom", "--job-mode", NULL
};
static const char *const no_args[] = { NULL };

/* Tools whose subcommand (first word after options) destroys or stops: "helm uninstall". */
struct verb_subs {
	const char *verb;
	const char *short_arg;
	const char *const *long_arg;
	const char *subs[10];
};

static const struct verb_subs subcommand_verbs[] = {
	{ "systemctl", "HMptsno", systemctl_args, { "stop", "disable", "mask", "kill",
	    "isolate", "poweroff", "reboot", "halt", "kexec", NULL } },
	{ "helm", "n", helm_args, { "uninstall", "delete", "rollback", "del", "un", NULL } },
	{ "terraform", "", no_args, { "destroy", NULL } },
	{ "tofu", "", no_args, { "destroy", NULL } },
	{ "zfs", "", no_args, { "destroy", "rollback", NULL } },
	{ "zpool", "", no_args, { "destroy", "labelclear", NULL } },
	{ "supervisorctl", "cs", no_args, { "stop", "remove", NULL } },
	{ "pm2", "", no_args, { "stop", "delete", "kill", NULL } },
	{ "nft", "", no_args, { "flush", "delete", NULL } },
	{ "docker-compose", "fp", compose_args, { "down", "stop", "kill", "rm", NULL } },
	{ "podman-compose", "fp", compose_args, { "down", "stop", "kill", "rm", NULL } },
	{ "apt", "", no_args, { "remove", "purge", "autoremove", NULL } },
	{ "apt-get", "", no_args, { "remove", "purge", "autoremove", NULL } },
	{ "yum", "", no_args, { "remove", "erase", NULL } },
	{ "dnf", "", no_args, { "remove", "erase", NULL } },
	{ "borg", "", no_args, { "delete", "prune", NULL } },
	{ "ufw", "", no_args, { "disable", "reset", "delete", NULL } },
	{ "lxc", "", no_args, { "delete", "stop", NULL } },
	{ "virsh", "c", no_args, { "destroy", "undefine", "shutdown", "reboot", NULL } },
};

static const char *const always_destructive[] = {
	"rm", "shred", "unlink", "mkswap", "shutdown", "reboot", "halt",
	"poweroff", "pkill", "killall", "dropdb", "dropuser", "lvremove", "vgremove",
	"pvremove", "ifdown", "truncate", "blkdiscard", "mke2fs", "userdel",
	"groupdel", "deluser", "delgroup", "pg_dropcluster", "kexec", "srm",
	"dropdb.exe", NULL
};
static const char *const viewer_verbs[] = {
	"grep", "egrep", "fgrep", "zgrep", "rg", "ag", "ack", "less", "more",
	"man", "echo", "printf", "cat", "head", "tail", "journalctl", "wc",
	"sort", "uniq", "jq", "yq", "ls", "stat", "file", "which", "type",
	"whatis", "apropos", "test", "[", "[[", "printenv", "history", "diff", "tr",
	"cut", "column", "tldr", "zcat", "bat", "true", "false", ":", "df", "du",
	"free", "uptime", "ps", "top", "id", "whoami", "hostname", "date", "pwd",
	"readlink", "realpath", "basename", "dirname", "sleep", "read", "md5sum",
	"sha256sum", "xxd", "od", "hexdump", "strings", "lsblk", "blkid", "findmnt",
	"mount", "ss", "netstat", "dig", "host", "nslookup", "ping", "awk", "sed",
	NULL
};
static const char *const shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish", NULL
};
static const char *const interpreters[] = {
	"python", "python2", "python3", "perl", "ruby", "node", "php", "lua", NULL
};
static const char *const sql_clients[] = {
	"psql", "mysql", "mariadb", "sqlite3", "redis-cli", "mongo", "mongosh",
	"clickhouse-client", "cqlsh", "valkey-cli", NULL
};

/* A shell: -c runs its string, a heredoc its body, a pipe whatever comes. */
static const char *
shell_reason(struct argv a, const struct shell_command *c, int depth)
{
	for (size_t i = 1; i < a.n; i++) {
		const struct shell_word *w = &a.v[i];
		if (w_is(w, "--"))
			break;
		if (!w_option(w)) {
			/* a script: judged by its name, like any program */
			const char *b = w_base(w);
			return strstr(b, "restore") != NULL ? "runs a restore script" : NULL;
		}
		if (w_short_has(w, 'c') || w_is(w, "--command")) {
			if (i + 1 >= a.n)
				return NULL;
			if (a.v[i + 1].flags & SHELL_EXPANSION && strchr(a.v[i + 1].text, ' ') == NULL)
				return "runs a command string it cannot read";
			return guard_text(a.v[i + 1].text, depth + 1);
		}
		if (w_is(w, "-o") || w_is(w, "+o"))
			i++;
	}
	for (size_t i = 0; i < c->nredirs; i++) {
		const struct shell_redirect *r = &c->redirs[i];
		if (r->heredoc != NULL)
			return (r->target.flags & SHELL_QUOTED) ? guard_text(r->heredoc, depth + 1) :
			    strchr(r->heredoc, '$') || strchr(r->heredoc, '`') ?
			    "a shell heredoc with expansions" : guard_text(r->heredoc, depth + 1);
		if (strcmp(r->op, "<<<") == 0)
			return guard_text(r->target.text, depth + 1);
		if (strcmp(r->op, "<") == 0)
			return "runs a shell on a file";
	}
	if (c->piped)
		return "pipes into a shell";
	return NULL;
}

static int
rm_recursive(struct argv a)
{
	for (size_t i = 1; i < a.n; i++) {
		if (w_is(&a.v[i], "--"))
			break;
		if (w_is(&a.v[i], "--recursive") || w_short_has(&a.v[i], 'r') ||
		    w_short_has(&a.v[i], 'R'))
			return 1;
	}
	return 0;
}

/* parted, fdisk, sfdisk, sgdisk, wipefs: only listing is read-only. */
static const char *
disk_tool_reason(struct argv a, const char *b)
{
	if (strcmp(b, "wipefs") == 0) {
		for (size_t i = 1; i < a.n; i++)
			if (w_is(&a.v[i], "--all") || w_short_has(&a.v[i], 'a') ||
			    w_short_has(&a.v[i], 'o') || str_has_prefix(a.v[i].text, "--offset"))
				return "wipefs erases signatures";
		return NULL;
	}
	if (any_word(a, 1, "-l") || any_word(a, 1, "--list") || any_word(a, 1, "-p") ||
	    any_word(a, 1, "--print") || any_word(a, 1, "-d") || any_word(a, 1, "--dump"))
		return NULL;
	if (strcmp(b, "parted") == 0 && a.n >= 2 && w_is(&a.v[a.n - 1], "print"))
		return NULL;
	return "edits a partition table";
}

/* find -delete, or what find -exec and -ok run. */
static const char *
find_reason(struct argv a, const struct shell_command *c, int depth)
{
	for (size_t i = 1; i < a.n; i++) {
		if (w_is(&a.v[i], "-delete"))
			return "find -delete";
		if (w_is(&a.v[i], "-exec") || w_is(&a.v[i], "-execdir") ||
		    w_is(&a.v[i], "-ok") || w_is(&a.v[i], "-okdir")) {
			size_t j = i + 1, e = j;
			while (e < a.n && !w_is(&a.v[e], ";") && !w_is(&a.v[e], "+"))
				e++;
			if (e > j) {
				const char *why = guard_argv((struct argv){ a.v + j, e - j }, c,
				    depth + 1);
				if (why != NULL)
					return why;
			}
			i = e;
		}
	}
	return NULL;
}

/* The verbs verb_reason() leaves: databases, disks, files, the network. */
static const char *
verb_reason_more(struct argv a, const struct shell_command *c, int depth, const char *b)
{
	const struct shell_word *v = &a.v[0];
	if (strcmp(b, "redis-cli") == 0 || strcmp(b, "valkey-cli") == 0) {
		static const char *const cmds[] = {
			"flushall", "flushdb", "del", "unlink", "shutdown", "swapdb", NULL
		};
		for (size_t i = 1; i < a.n; i++)
			for (int k = 0; cmds[k] != NULL; k++)
				if (w_ieq(&a.v[i], cmds[k]))
					return "a destructive redis command";
		return NULL;
	}
	if (base_in(v, sql_clients))
		for (size_t i = 0; i < c->nredirs; i++)
			if (strcmp(c->redirs[i].op, "<") == 0)
				return "feeds a file to a database client";
	if (strcmp(b, "dd") == 0)
		return any_prefix(a, 1, "of=") ? "dd writes a file or disk" : NULL;
	if (strcmp(b, "iptables") == 0 || strcmp(b, "ip6tables") == 0)
		for (size_t i = 1; i < a.n; i++)
			if (w_is(&a.v[i], "-F") || w_is(&a.v[i], "--flush") ||
			    w_is(&a.v[i], "-X") || w_is(&a.v[i], "--delete-chain") ||
			    w_is(&a.v[i], "-P"))
				return "flushes firewall rules";
	if (strcmp(b, "mv") == 0)
		for (size_t i = 1; i < a.n; i++)
			if (!w_option(&a.v[i]) && (data_path(a.v[i].text) ||
			    system_path(a.v[i].text)))
				return "mv of data or system paths";
	if (strcmp(b, "tee") == 0 && !any_word(a, 1, "-a") && !any_word(a, 1, "--append"))
		for (size_t i = 1; i < a.n; i++)
			if (existing_system_path(&a.v[i]))
				return "tee overwrites a system file";
	if (strcmp(b, "find") == 0)
		return find_reason(a, c, depth);
	if (strcmp(b, "rsync") == 0 && any_prefix(a, 1, "--delete"))
		return "rsync --delete";
	if (strcmp(b, "ip") == 0 && (any_word(a, 1, "down") || any_word(a, 1, "flush")))
		return "takes a network interface down";
	if (strcmp(b, "velero") == 0 && any_word(a, 1, "restore"))
		return "restores data";
	if (base_in(v, interpreters) && c->piped &&
	    (a.n == 1 || w_is(&a.v[1], "-") || w_is(&a.v[a.n - 1], "-")))
		return "pipes into an interpreter";
	return NULL;
}

/* The verb (a.v[0]) after wrappers: why it destroys or stops something, or NULL. */
static const char *
verb_reason(struct argv a, const struct shell_command *c, int depth)
{
	const struct shell_word *v = &a.v[0];
	const char *b = w_base(v);
	if (strcmp(b, "rm") == 0)
		return rm_recursive(a) ? "rm with -r" : "rm deletes files";
	int known = table_find(always_destructive, b);
	if (known >= 0)
		return always_destructive[known];	/* static: the words are freed */
	if (str_has_prefix(b, "mkfs"))
		return "mkfs makes a file system";
	if (strcmp(b, "fdisk") == 0 || strcmp(b, "sfdisk") == 0 || strcmp(b, "sgdisk") == 0 ||
	    strcmp(b, "gdisk") == 0 || strcmp(b, "parted") == 0 || strcmp(b, "wipefs") == 0)
		return disk_tool_reason(a, b);
	if (strcmp(b, "pg_restore") == 0 && (any_word(a, 1, "-l") || any_word(a, 1, "--list")))
		return NULL;
	if (strstr(b, "restore") != NULL && !str_has_prefix(b, "restorecon"))
		return "restores data";
	for (size_t i = 0; i < nitems(subcommand_verbs); i++) {
		const struct verb_subs *vs = &subcommand_verbs[i];
		if (strcmp(b, vs->verb) != 0)
			continue;
		size_t j = skip_opts(a, 1, vs->short_arg, vs->long_arg);
		if (j < a.n && w_in(&a.v[j], vs->subs))
			return vs->verb;
		if (strcmp(b, "terraform") == 0 && any_word(a, j, "-destroy"))
			return "terraform destroy";
		return NULL;
	}
	if (strcmp(b, "docker") == 0 || strcmp(b, "podman") == 0 || strcmp(b, "nerdctl") == 0)
		return docker_reason(a, c, depth);
	if (strcmp(b, "kubectl") == 0 || strcmp(b, "oc") == 0 || strcmp(b, "k3s") == 0)
		return kubectl_reason(a, c, depth);
	if (strcmp(b, "kill") == 0)
		return kill_reason(a);
	if (strcmp(b, "git") == 0)
		return git_reason(a);
	if (strcmp(b, "chmod") == 0 || strcmp(b, "chown") == 0 || strcmp(b, "chgrp") == 0 ||
	    strcmp(b, "setfacl") == 0)
		return recursive_option(a) ? "recursive chmod or chown" : NULL;
	if (strcmp(b, "service") == 0)
		return a.n > 2 && w_is(&a.v[2], "stop") ? "service stop" : NULL;
	if (strcmp(b, "init") == 0 || strcmp(b, "telinit") == 0)
		return a.n > 1 && (w_is(&a.v[1], "0") || w_is(&a.v[1], "6")) ?
		    "init 0 or 6" : NULL;
	if (strcmp(b, "crontab") == 0)
		return any_word(a, 1, "-r") ? "crontab -r" : NULL;
	if (strcmp(b, "restic") == 0) {
		if (any_word(a, 1, "forget") || any_word(a, 1, "prune"))
			return "restic forgets snapshots";
		return any_word(a, 1, "restore") ? "restores data" : NULL;
	}
	return verb_reason_more(a, c, depth, b);
}

/* Wrappers that run the rest of their words as a command. */
struct wrapper {
	const char *name;
	const char *short_arg;	/* options that take a value */
	const char *const *long_arg;
	int positional;		/* words before the command: timeout's duration */
};

static const char *const sudo_long[] = {
	"--user", "--group", "--chdir", "--host", "--prompt", "--role", "--type",
	"--close-from", "--other-user", "--chroot", "--command-timeout", NULL
};
static const char *const timeout_long[] = { "--signal", "--kill-after", NULL };
static const char *const env_long[] = { "--unset", "--chdir", NULL };
static const char *const nice_long[] = { "--adjustment", NULL };
static const char *const ionice_long[] = { "--class", "--classdata", NULL };
static const char *const xargs_long[] = {
	"--max-args", "--replace", "--delimiter", "--max-lines", "--max-procs",
	"--max-chars", "--eof", "--arg-file", "--process-slot-var", NULL
};
static const char *const nsenter_long[] = {
	"--target", "--setuid", "--setgid", "--root", "--wd", "--wdns", NULL
};
static const char *const flock_long[] = { "--timeout", "--wait", "--conflict-exit-code", NULL };
static const char *const watch_long[] = { "--interval", "--differences", NULL };
static const char *const runuser_long[] = { "--user", "--group", "--supp-group", "--shell", NULL };
static const char *const chroot_long[] = { "--userspec", "--groups", NULL };

static const struct wrapper wrappers[] = {
	{ "time", "fo", no_args, 0 },
	{ "command", "", no_args, 0 },
	{ "builtin", "", no_args, 0 },
	{ "exec", "a", no_args, 0 },
	{ "nohup", "", no_args, 0 },
	{ "setsid", "", no_args, 0 },
	{ "unbuffer", "", no_args, 0 },
	{ "stdbuf", "ioe", no_args, 0 },
	{ "nice", "n", nice_long, 0 },
	{ "ionice", "cnpPu", ionice_long, 0 },
	{ "chrt", "", no_args, 1 },
	{ "taskset", "", no_args, 1 },
	{ "timeout", "sk", timeout_long, 1 },
	{ "sudo", "ugCDhpRrTtU", sudo_long, 0 },
	{ "doas", "uC", no_args, 0 },
	{ "env", "uCS", env_long, 0 },
	{ "xargs", "nILPsdEa", xargs_long, 0 },
	{ "nsenter", "tSGrw", nsenter_long, 0 },
	{ "chroot", "", chroot_long, 1 },
	{ "flock", "wE", flock_long, 1 },
	{ "runuser", "ugGsw", runuser_long, 0 },
	{ "busybox", "", no_args, 0 },
	{ "toybox", "", no_args, 0 },
	{ "caffeinate", "", no_args, 0 },
	{ "systemd-run", "pEMuH", no_args, 0 },
	{ "firejail", "", no_args, 0 },
	{ "strace", "eopsE", no_args, 0 },
	{ "ltrace", "eopsE", no_args, 0 },
	{ "catchsegv", "", no_args, 0 },
	{ "fakeroot", "", no_args, 0 },
	{ "proxychains", "f", no_args, 0 },
	{ "torsocks", "", no_args, 0 },
	{ "pv", "", no_args, -1 },
};

static const struct wrapper *
wrapper_find(const char *b)
{
	for (size_t i = 0; i < nitems(wrappers); i++)
		if (strcmp(wrappers[i].name, b) == 0 && wrappers[i].positional >= 0)
			return &wrappers[i];
	return NULL;
}

static const char *const ssh_short_args = "BbcDEeFIiJLlmOopQRSWw";

/* eval: the text its words make, unless an expansion makes it. */
static const char *
eval_reason(struct argv a, int depth)
{
	for (size_t i = 1; i < a.n; i++)
		if (a.v[i].flags & SHELL_EXPANSION)
			return "eval of an expansion";
	char *s = join_words(a, 1);
	struct shell_list l;
	char *cause = NULL;
	int rc = shell_parse(s, SHELL_ANGLE_WORDS, &l, &cause);
	shell_list_free(&l);
	free(cause);
	const char *why = rc < 0 ? "eval of text that cannot be parsed" : guard_text(s, depth + 1);
	free(s);
	return why;
}

/* su: the command of its -c, else an interactive shell. */
static const char *
su_reason(struct argv a, int depth)
{
	for (size_t i = 1; i < a.n; i++) {
		if (w_is(&a.v[i], "-c") || w_is(&a.v[i], "--command"))
			return i + 1 < a.n ? guard_text(a.v[i + 1].text, depth + 1) : NULL;
		if (str_has_prefix(a.v[i].text, "--command="))
			return guard_text(a.v[i].text + 10, depth + 1);
	}
	return NULL;
}

/* Where the command a wrapper runs starts in a: after its options and operands. */
static size_t
wrapper_skip(struct argv a, const char *b, const struct wrapper *wr)
{
	size_t i = skip_opts(a, 1, wr->short_arg, wr->long_arg);
	if (strcmp(b, "nice") == 0 && i == 1 && a.n > 1 && a.v[1].text[0] == '-')
		i = 2;
	if (strcmp(b, "nsenter") == 0)
		for (size_t j = 1; j < a.n; j++)
			if (w_is(&a.v[j], "--")) {
				i = j + 1;
				break;
			}
	if (strcmp(b, "env") == 0 || strcmp(b, "sudo") == 0)
		while (i < a.n && strchr(a.v[i].text, '=') != NULL && is_alpha(a.v[i].text[0]))
			i++;
	return i + (size_t)wr->positional;
}

/*
 * A simple command's words from the command word on: unwraps sudo, env,
 * timeout, xargs, ... and judges what runs in the end.
 */
static const char *
guard_argv(struct argv a, const struct shell_command *c, int depth)
{
	if (depth > GUARD_DEPTH)
		return "nested too deep to tell";
	for (int wraps = 0; a.n > 0; wraps++) {
		if (wraps > GUARD_WRAPPERS)
			return "wrapped too deep to tell";
		const struct shell_word *v = &a.v[0];
		if (v->flags & SHELL_EXPANSION)
			return "the command word is an expansion";
		const char *b = w_base(v);
		if (strcmp(b, "eval") == 0)
			return eval_reason(a, depth);
		if (strcmp(b, "command") == 0 && a.n > 1 && (w_is(&a.v[1], "-v") ||
		    w_is(&a.v[1], "-V")))
			return NULL;
		if ((strcmp(b, "sudo") == 0 || strcmp(b, "doas") == 0) && a.n > 1 &&
		    (w_short_has(&a.v[1], 'l') || w_short_has(&a.v[1], 'v') ||
		    w_short_has(&a.v[1], 'k')) && a.n == 2)
			return NULL;
		if (strcmp(b, "su") == 0)
			return su_reason(a, depth);
		if (strcmp(b, "ssh") == 0) {
			size_t i = skip_opts(a, 1, ssh_short_args, no_args);
			if (i + 1 >= a.n)
				return NULL;	/* an interactive login */
			return guard_joined(a, i + 1, depth);
		}
		if (strcmp(b, "watch") == 0) {
			size_t i = skip_opts(a, 1, "nqg", watch_long);
			if (any_word(a, 1, "-x") || any_word(a, 1, "--exec")) {
				a.v += i;
				a.n -= i;
				continue;
			}
			return i < a.n ? guard_joined(a, i, depth) : NULL;
		}
		if (base_in(v, shells))
			return shell_reason(a, c, depth);
		if (strcmp(b, "env") == 0)
			for (size_t i = 1; i < a.n; i++) {
				if (w_is(&a.v[i], "-S") && i + 1 < a.n)
					return guard_text(a.v[i + 1].text, depth + 1);
				if (str_has_prefix(a.v[i].text, "--split-string="))
					return guard_text(a.v[i].text + 15, depth + 1);
			}
		if (strcmp(b, "flock") == 0)
			for (size_t i = 1; i < a.n; i++)
				if (w_is(&a.v[i], "-c") || w_is(&a.v[i], "--command"))
					return i + 1 < a.n ? guard_text(a.v[i + 1].text, depth + 1) :
					    NULL;
		if (strcmp(b, "runuser") == 0)
			for (size_t i = 1; i < a.n; i++)
				if (w_is(&a.v[i], "-c") || w_is(&a.v[i], "--command"))
					return i + 1 < a.n ? guard_text(a.v[i + 1].text, depth + 1) :
					    NULL;
		const struct wrapper *wr = wrapper_find(b);
		if (wr == NULL)
			return verb_reason(a, c, depth);
		size_t i = wrapper_skip(a, b, wr);
		if (i >= a.n)
			return NULL;
		a.v += i;
		a.n -= i;
	}
	return NULL;
}

/* One simple command: its substitutions, redirections, then its words. */
static const char *
guard_command(const struct shell_command *c, int depth)
{
	const char *why;
	for (size_t i = 0; i < c->substitutions.n; i++)
		if ((why = guard_text(c->substitutions.v[i], depth + 1)) != NULL)
			return why;
	for (size_t i = 0; i < c->nredirs; i++) {
		const struct shell_redirect *r = &c->redirs[i];
		if ((strcmp(r->op, ">") == 0 || strcmp(r->op, ">|") == 0 ||
		    strcmp(r->op, "&>") == 0 || strcmp(r->op, "<>") == 0) &&
		    existing_system_path(&r->target))
			return "> truncates a system file";
	}
	if (c->nwords == 0)
		return NULL;
	struct argv a = { c->words, c->nwords };
	if ((why = guard_argv(a, c, depth)) != NULL)
		return why;
	/* SQL and redis words anywhere but in a viewer: psql -c, mongo --eval */
	const struct shell_word *v = &a.v[0];
	if (base_in(v, viewer_verbs)) {
		if ((base_is(v, "echo") || base_is(v, "printf") || base_is(v, "cat")) &&
		    c->sep == SHELL_SEP_PIPE)
			return words_keywords(a, 1);
		return NULL;
	}
	if ((why = words_keywords(a, 1)) != NULL)
		return why;
	for (size_t i = 0; i < c->nredirs; i++)
		if (c->redirs[i].heredoc != NULL &&
		    (why = keywords_destructive(c->redirs[i].heredoc)) != NULL)
			return why;
	return NULL;
}

/* Why text (one or more command lines) is destructive, or NULL. */
static const char *
guard_text(const char *text, int depth)
{
	if (depth > GUARD_DEPTH)
		return "nested too deep to tell";
	struct shell_list l;
	char *cause = NULL;
	const char *why = NULL;
	if (shell_parse(text, SHELL_ANGLE_WORDS, &l, &cause) == -1)
		why = "cannot be parsed";
	for (size_t i = 0; why == NULL && i < l.n; i++)
		why = guard_command(&l.commands[i], depth);
	free(cause);
	shell_list_free(&l);
	return why;
}

const char *
runbook_destructive_reason(const char *command)
{
	return command != NULL ? guard_text(command, 0) : NULL;
}

int
runbook_is_destructive(const char *command)
{
	return runbook_destructive_reason(command) != NULL;
}
