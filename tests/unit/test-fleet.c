/* The fleet on this machine (local transport): snapshots, jobs, cancel, and
 * read-only mode refusing commands where they are run. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet.h"
#include "sanitize.h"
#include "tap.h"

static struct fleet_msg *
wait_done(struct fleet *f, int wake, int64_t job, int64_t ms, struct buf *out)
{
	int64_t end = mono_ms() + ms;
	while (mono_ms() < end) {
		if (wait_readable(wake, 100))
			wake_drain(wake);
		struct fleet_msg *m = fleet_take_messages(f);
		struct fleet_msg *done = NULL;
		for (struct fleet_msg *p = m; p; p = p->next) {
			if (p->job_id != job)
				continue;
			if (p->kind == FLEET_MSG_JOB_OUTPUT && out)
				buf_add(out, p->data, p->len);
			if (p->kind == FLEET_MSG_JOB_DONE && done == NULL) {
				done = xcalloc(1, sizeof *done);
				*done = *p;
				done->next = NULL;
				p->name = p->data = p->error = NULL;
				p->result.output = NULL;
			}
		}
		fleet_msg_free(m);
		if (done)
			return done;
	}
	return NULL;
}

int
main(void)
{
	sanitize_init();
	struct conf c;
	conf_init(&c);
	conf_default_fleet(&c);
	c.hosts[0].interval_s = 1;
	int wake[2];
	wake_pipe(wake);

	struct fleet *ro = fleet_start(&c, wake[1], FLEET_READONLY);
	char *cause = NULL;
	is_int(fleet_job_start(ro, 0, "touch /tmp/sitrep-never", &cause), -1,
	    "read-only: the job layer refuses a command");
	ok(cause && strstr(cause, "read-only"), "and says why (%s)", cause ? cause : "");
	free(cause);
	cause = NULL;
	ok(access("/tmp/sitrep-never", F_OK) != 0, "nothing ran");
	ok(fleet_is_readonly(ro), "the fleet knows it is read-only");
	is_int(fleet_wait_all(ro, wake[0], 10000), 0, "a read-only fleet still probes");
	struct host_snapshot *s = fleet_snapshot(ro, 0);
	is_int(s->conn, CONN_UP, "this machine, connected");
	ok(s->data && s->data->mem_total_kb > 0, "with data");
	uint64_t seq = s->seq;
	snapshot_unref(&s);
	fleet_refresh(ro, -1);
	int64_t end = mono_ms() + 5000;
	while (mono_ms() < end) {
		s = fleet_snapshot(ro, 0);
		uint64_t now = s->seq;
		snapshot_unref(&s);
		if (now > seq)
			break;
		usleep(50 * 1000);
	}
	s = fleet_snapshot(ro, 0);
	ok(s->seq > seq, "refresh publishes a newer snapshot");
	snapshot_unref(&s);
	fleet_stop(&ro);

	struct fleet *f = fleet_start(&c, wake[1], 0);
	int64_t job = fleet_job_start(f, 0, "echo out; echo err >&2; exit 3", &cause);
	ok(job > 0, "a job starts");
	struct buf out;
	buf_init(&out);
	struct fleet_msg *done = wait_done(f, wake[0], job, 10000, &out);
	ok(done != NULL, "and ends");
	is_int(done ? done->result.exit_status : -9, 3, "with its exit status");
	ok(out.data && strstr(out.data, "out") && strstr(out.data, "err"), "stdout and stderr stream back");
	fleet_msg_free(done);
	buf_free(&out);

	char pidfile[] = "/tmp/sitrep-test-fleet-XXXXXX";
	int fd = mkstemp(pidfile);
	close(fd);
	char *cmd = xasprintf("echo $$ > %s; exec sleep 300", pidfile);
	job = fleet_job_start(f, 0, cmd, &cause);
	free(cmd);
	usleep(300 * 1000);
	fleet_job_cancel(f, job);
	int64_t t0 = mono_ms();
	done = wait_done(f, wake[0], job, 10000, NULL);
	ok(done && done->result.cancelled, "cancel ends the job (%lld ms)", (long long)(mono_ms() - t0));
	size_t len;
	char *pid = file_read(pidfile, 64, &len, NULL);
	long p = pid ? strtol(pid, NULL, 10) : 0;
	ok(p > 0 && kill((pid_t)p, 0) == -1, "and the command is really gone (pid %ld)", p);
	free(pid);
	unlink(pidfile);
	fleet_msg_free(done);
	fleet_stop(&f);
	close(wake[0]);
	close(wake[1]);
	conf_free(&c);
	return tap_done();
}
