/*
 * sitrep hosts [list]: every host with its state and key fingerprint.
 * sitrep hosts trust NAME [--fingerprint SHA256:...]: add an unknown host
 * key to known_hosts after the operator has checked it. A changed key is
 * never replaced here: that takes a deliberate edit of known_hosts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fleet.h"
#include "render.h"
#include "sanitize.h"
#include "state.h"

static int
hosts_list(struct cmd_ctx *x)
{
	struct fleet_once o;
	char *cause = NULL;
	if (cmd_fleet_once(x, x->args.argv, x->args.argc, 0, &o, &cause) == -1) {
		cmd_error(EXIT_MONITOR_UNKNOWN, "%s", cause);
		free(cause);
		cmd_fleet_once_end(&o);
		return EXIT_MONITOR_UNKNOWN;
	}
	struct fleet *f = o.fleet;
	printf("%-20s %-9s %-10s %-24s %s\n", "HOST", "STATE", "TRANSPORT", "ADDRESS", "KEY");
	enum state *states = xcalloc(fleet_size(f) + 1, sizeof *states);
	for (size_t i = 0; i < fleet_size(f); i++) {
		struct host_snapshot *s = fleet_snapshot(f, i);
		const struct host_conf *h = fleet_host(f, i);
		char *name = sanitize_str(h->name);
		char *addr = sanitize_str(h->address ? h->address : h->name);
		printf("%-20s %-9s %-10s %-24s %s %s\n", name, state_word(s->state),
		    h->transport == TRANSPORT_LOCAL ? "local" : "ssh", addr,
		    s->key_type ? s->key_type : "", s->fingerprint ? s->fingerprint : "-");
		if (s->state == STATE_UNTRUSTED || s->state == STATE_DOWN) {
			char *why = sanitize_str(s->reason);
			printf("    %s\n", why);
			free(why);
		}
		states[i] = s->state;
		free(name);
		free(addr);
		snapshot_unref(&s);
	}
	int rc = state_exit_code(states, fleet_size(f));
	free(states);
	cmd_fleet_once_end(&o);
	return rc;
}

static int
hosts_trust(struct cmd_ctx *x)
{
	const char *expect = cmd_opt(x, "fingerprint");
	int yes = cmd_flag(x, "yes");
	struct conf *c = &x->conf;
	int idx = conf_find_host(c, x->args.argv[0]);
	if (idx < 0)
		return cmd_error(EXIT_USAGE, "no host called '%s'", str_quote_short(x->args.argv[0]));
	const struct host_conf *h = &c->hosts[idx];
	if (h->transport == TRANSPORT_LOCAL) {
		printf("%s is this machine (local transport): nothing to trust\n", h->name);
		return 0;
	}
	char *fp = NULL, *cause = NULL;
	/* First look without writing anything, to show the operator the key. */
	if (expect == NULL && !yes) {
		if (!isatty(STDIN_FILENO))
			return cmd_error(EXIT_USAGE, "not a terminal: pass --fingerprint SHA256:... "
			    "(checked against the key the host offers) or --yes");
		int rc = transport_ssh_trust(c, h, "(look only)", &fp, NULL, &cause);
		if (rc == 0) {
			printf("%s is already trusted (%s)\n", h->name, fp ? fp : "?");
			free(fp);
			return 0;
		}
		if (fp == NULL) {
			cmd_error(1, "%s", cause ? cause : "cannot reach the host");
			free(cause);
			return 1;
		}
		free(cause);
		cause = NULL;
		printf("%s offers the host key %s\nTrust it? Type yes: ", h->name, fp);
		fflush(stdout);
		char answer[16] = "";
		if (fgets(answer, sizeof answer, stdin) == NULL || strcmp(answer, "yes\n") != 0) {
			printf("not trusted\n");
			free(fp);
			return 1;
		}
		expect = fp;
	}
	char *got = NULL, *file = NULL;
	int rc = transport_ssh_trust(c, h, expect, &got, &file, &cause);
	if (rc < 0) {
		cmd_error(1, "%s", cause ? cause : "failed");
		free(cause);
		free(got);
		free(fp);
		return 1;
	}
	if (rc == 0)
		printf("%s is already trusted (%s)\n", h->name, got ? got : "?");
	else
		printf("%s trusted: %s added to %s\n", h->name, got ? got : "?", file ? file : "known_hosts");
	free(got);
	free(file);
	free(fp);
	return 0;
}

static const struct cmd_opt no_opts[] = {
	{ NULL, 0, 0, NULL, NULL },
};

static const struct cmd_entry hosts_list_entry = {
	.name = "list",
	.usage = "[HOST...]",
	.summary = "every host with its state, transport, address and host key (exit as status)",
	.opts = no_opts,
	.args_min = 0,
	.args_max = -1,
	.flags = CMD_CONF | CMD_MONITOR,
	.run = hosts_list,
};

static const struct cmd_opt trust_opts[] = {
	{ "fingerprint", 'f', OPT_VALUE, "SHA256:...", "trust only if the host offers this key" },
	{ "yes", 'y', OPT_FLAG, NULL, "trust the key the host offers without asking" },
	{ NULL, 0, 0, NULL, NULL },
};

static const struct cmd_entry hosts_trust_entry = {
	.name = "trust",
	.usage = "NAME [--fingerprint SHA256:...] [--yes]",
	.summary = "add a host's key to known_hosts once you have checked it",
	.opts = trust_opts,
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_CONF,
	.run = hosts_trust,
};

static const struct cmd_entry *const hosts_sub[] = {
	&hosts_list_entry,
	&hosts_trust_entry,
	NULL,
};

const struct cmd_entry cmd_hosts_entry = {
	.name = "hosts",
	.usage = "[list [HOST...]] | trust NAME [--fingerprint SHA256:...] [--yes]",
	.summary = "hosts with their state and host key; trust a new host key",
	.sub = hosts_sub,
	.sub_default = "list",
};
