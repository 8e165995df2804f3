/*
 * Unit tests for the runbook parser: every fixture in tests/data/runbooks,
 * time boxes, destructive commands, placeholders, lint, and hostile input
 * (a 1 MB line, deep nesting, NUL bytes, CR-only line ends, random
 * mutations), which must parse without a crash in bounded time.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runbook.h"
#include "sanitize.h"
#include "util.h"

#include "tap.h"

/* Parses a fixture; returns the number of lint errors. */
static int
parse_fixture(const char *name, struct runbook_doc *doc)
{
	char rel[256];
	size_t len;
	snprintf(rel, sizeof rel, "tests/data/runbooks/%s", name);
	char *text = tap_fixture(rel, &len);
	int errors = runbook_parse(text, len, rel, doc);
	free(text);
	return errors;
}

static int
parse_string(const char *text, struct runbook_doc *doc)
{
	return runbook_parse(text, strlen(text), "inline.md", doc);
}

/* Bounds-checked accessors, so that a wrong count fails a test, not the run. */
static const struct runbook *
rb_at(const struct runbook_doc *doc, size_t i)
{
	return i < doc->nrunbooks ? &doc->runbooks[i] : NULL;
}

static const struct runbook_step *
step_at(const struct runbook *rb, size_t i)
{
	return rb != NULL && i < rb->nsteps ? &rb->steps[i] : NULL;
}

static const struct runbook_command *
cmd_at(const struct runbook_step *st, size_t i)
{
	return st != NULL && i < st->ncommands ? &st->commands[i] : NULL;
}

static const char *
item_at(const struct strv *sv, size_t i)
{
	return i < sv->n ? sv->v[i] : NULL;
}

static const char *
cmd_text(const struct runbook_step *st, size_t i)
{
	const struct runbook_command *c = cmd_at(st, i);
	return c != NULL ? c->text : NULL;
}

/* number, title and time box of a step */
static void
check_step(const struct runbook_step *st, int number, const char *title, int64_t min_s,
    int64_t max_s, size_t ncommands, const char *what)
{
	if (st == NULL) {
		ok(0, "%s: step exists", what);
		return;
	}
	is_int(st->number, number, "%s: number", what);
	is_str(st->title, title, "%s: title", what);
	is_int(st->timebox_s, min_s, "%s: time box", what);
	is_int(st->timebox_max_s, max_s, "%s: time box upper end", what);
	is_int(st->ncommands, ncommands, "%s: commands", what);
}

static int
has_lint(const struct runbook_doc *doc, int line, enum lint_level level, const char *needle)
{
	for (size_t i = 0; i < doc->nlint; i++)
		if (doc->lint[i].line == line && doc->lint[i].level == level &&
		    strstr(doc->lint[i].text, needle) != NULL)
			return 1;
	return 0;
}

static int
count_lint(const struct runbook_doc *doc, enum lint_level level)
{
	int n = 0;
	for (size_t i = 0; i < doc->nlint; i++)
		n += doc->lint[i].level == level;
	return n;
}

/* Time boxes. */

static void
check_timebox(const char *s, int64_t min_s, int64_t max_s)
{
	int64_t lo = -1, hi = -1;
	int rc = runbook_parse_timebox(s, &lo, &hi);
	ok(rc == 0 && lo == min_s && hi == max_s, "time box \"%s\" is %lld-%lld s (got %d: %lld-%lld)",
	    s, (long long)min_s, (long long)max_s, rc, (long long)lo, (long long)hi);
}

static void
check_no_timebox(const char *s)
{
	int64_t lo = 0, hi = 0;
	is_int(runbook_parse_timebox(s, &lo, &hi), -1, "no time box in \"%s\"", s ? s : "(null)");
}

static void
test_timebox(void)
{
	check_timebox("(5 min)", 300, 300);
	check_timebox("(30 min - 2 hours)", 1800, 7200);
	check_timebox("10 minutes", 600, 600);
	check_timebox("1 hour", 3600, 3600);
	check_timebox("2-4 hours", 7200, 14400);
	check_timebox("5 минут", 300, 300);
	check_timebox("1 час", 3600, 3600);
	check_timebox("4 часа", 14400, 14400);
	check_timebox("30 сек", 30, 30);
	check_timebox("2 ч", 7200, 7200);
	check_timebox("15 мин", 900, 900);
	check_timebox("(~10 min)", 600, 600);
	check_timebox("1h30m", 5400, 5400);
	check_timebox("1h 30m", 5400, 5400);
	check_timebox("1 hour 30 minutes", 5400, 5400);
	check_timebox("2 ч 30 мин", 9000, 9000);
	check_timebox("1.5 hours", 5400, 5400);
	check_timebox("1,5 часа", 5400, 5400);
	check_timebox("90s", 90, 90);
	check_timebox("45 seconds", 45, 45);
	check_timebox("2 days", 172800, 172800);
	check_timebox("5\xe2\x80\x93" "10 min", 300, 600);	/* en dash */
	check_timebox("10 to 20 minutes", 600, 1200);
	check_timebox("от 5 до 10 минут", 300, 600);
	check_timebox("30-60 MIN", 1800, 3600);
	check_timebox("2 Часа", 7200, 7200);
	check_timebox("5 mins", 300, 300);
	check_timebox("1 hr", 3600, 3600);
	check_timebox("5\xc2\xa0min", 300, 300);	/* no-break space */
	check_timebox("Decide severity (5 min)", 300, 300);
	check_timebox("Restart 3 workers (5 min)", 300, 300);
	check_timebox("**Expected time:** 20-30 min", 1200, 1800);
	check_timebox("4-2 hours", 7200, 14400);	/* reversed range */
	check_timebox("(five min)", 300, 300);
	check_timebox("for ten minutes", 600, 600);
	check_timebox("half an hour", 1800, 1800);
	check_timebox("(полчаса)", 1800, 1800);
	check_timebox("(час)", 3600, 3600);
	check_timebox("пять минут", 300, 300);
	check_timebox("полтора часа", 5400, 5400);
	check_timebox("~15-30 minutes", 900, 1800);
	check_timebox("(0-15 minutes)", 900, 900);	/* "up to 15": 0 means none */

	check_no_timebox(NULL);
	check_no_timebox("");
	check_no_timebox("soon");
	check_no_timebox("a while");
	check_no_timebox("5");
	check_no_timebox("(a few min)");
	check_no_timebox("(Every 4 hours)");
	check_no_timebox("Backups (every 4 hours)");
	check_no_timebox("(Day 1)");
	check_no_timebox("(Next day)");
	check_no_timebox("([X] min)");
	check_no_timebox("в течение часа");
	check_no_timebox("min");
	check_no_timebox("Restart 3 workers");
	check_no_timebox("Check 2 hosts");
	check_no_timebox("0 min");
	check_no_timebox("1234567 min");
	check_no_timebox("v2 hours");
	check_no_timebox("Step 2");
	check_no_timebox("5 человек");
	check_no_timebox("version 1.2.3");

	int64_t lo = 0;
	ok(runbook_parse_timebox("5 min", &lo, NULL) == 0 && lo == 300,
	    "time box with a NULL max pointer");
	ok(runbook_parse_timebox("5 min", NULL, NULL) == 0, "time box with NULL pointers");
}

/* Destructive commands. */

/* Commands the guard must stop. */
static const char *const positives[] = {
	"rm -rf /var/lib/docker/volumes/old",
	"rm -r /tmp/build",
	"rm -f /var/run/app.pid",
	"sudo rm -rf /srv/data",
	"redis-cli FLUSHALL",
	"redis-cli -n 2 flushdb",
	"docker exec redis redis-cli FLUSHALL",
	"psql -c \"DROP TABLE users;\"",
	"psql -c 'drop database payments'",
	"mysql -e 'TRUNCATE orders'",
	"psql -c \"DELETE FROM sessions WHERE created < now()\"",
	"docker system prune -af",
	"docker volume prune -f",
	"docker compose down",
	"docker compose -f /srv/app/compose.yml down -v",
	"docker-compose down",
	"docker stop api",
	"docker kill api",
	"docker rm -f api",
	"docker container rm api",
	"podman stop api",
	"systemctl stop nginx",
	"sudo systemctl disable --now nginx",
	"systemctl mask postgresql",
	"pg_restore -d payments /var/backups/payments.dump",
	"./restore-db.sh latest",
	"restic -r s3:bucket restore latest --target /",
	"mv /var/lib/postgresql/15/main /var/lib/postgresql/15/main.old",
	"mv /data/uploads /tmp/uploads",
	"mv app.db app.db.old",
	"mv /opt/backups/latest /opt/old",
	"dd if=/dev/zero of=/dev/sdb bs=1M",
	"mkfs.ext4 /dev/sdb1",
	"wipefs -a /dev/sdb",
	"shutdown -r now",
	"sudo reboot",
	"kill -9 1234",
	"kill -KILL 1234",
	"kill -s KILL 1234",
	"iptables -F",
	": > /var/log/nginx/access.log",
	"cat /dev/null > /etc/hosts",
	"echo '127.0.0.1 db' > /etc/hosts",
	"chmod -R 777 /srv",
	"chown -R www-data: /var/www",
	"git reset --hard origin/main",
	"git clean -fdx",
	"ssh db1 'systemctl stop postgresql'",
	"ssh -p 2222 ops@db1 \"sudo rm -rf /var/lib/app\"",
	"bash -c 'rm -rf /tmp/x'",
	"echo FLUSHALL | redis-cli",
	"find /var/log -name '*.gz' -delete",
	"ls /tmp && rm -rf /tmp/x",
	"ls | xargs rm -rf",
	"kubectl delete pod api-0",
	"truncate -s 0 /var/log/syslog",
	"docker compose exec db psql -c 'DROP DATABASE app'",
	"sudo -u postgres dropdb payments",
	"psql payments < /var/backups/payments.sql",
	"echo 'SET x' | tee /etc/app.conf",
	"runuser -u postgres -- pg_restore -d app /var/backups/app.dump",
	"su - postgres -c 'dropdb app'",
	"sudo sh -c 'echo 1 > /etc/sysctl.d/99-x.conf'",
	"echo \"$(rm -rf /tmp/x)\"",
	"timeout 60 sh -c 'docker stop api'",
	"ssh db1 \"psql -c 'TRUNCATE sessions'\"",
};
/* Commands it must let run. */
static const char *const negatives[] = {
	"docker restart api",
	"docker ps -a",
	"docker logs --tail 100 api",
	"docker compose up -d",
	"docker compose restart worker",
	"docker compose ps",
	"docker run --rm alpine echo hi",
	"docker exec api ls /data",
	"grep stop /var/log/syslog",
	"ps aux | grep stop",
	"echo rm -rf /",
	"echo 'docker stop api'",
	"echo stop",
	"systemctl restart nginx",
	"systemctl status nginx",
	"systemctl start postgresql",
	"kill -0 1234",
	"kill -HUP 1234",
	"ls -la /var/lib/docker",
	"cat /etc/passwd",
	"tail -f /var/log/syslog",
	"mv notes.txt notes.old",
	"git reset --soft HEAD~1",
	"git status",
	"psql -c 'SELECT 1'",
	"redis-cli ping",
	"chmod 644 /etc/app.conf",
	"iptables -L -n",
	"dd if=/dev/sda bs=512 count=1 | xxd",
	"df -h",
	"grep -i 'drop table' /var/log/postgresql.log",
	"journalctl -u redis | grep -i flushall",
	"curl -fsS https://ainetic.tech/health",
	"echo ok > /tmp/x",
	"pg_dump -Fc payments > /var/backups/payments-$TS.dump",
	"restorecon -Rv /var/www",
	"# rm -rf / is what we never do",
	"grep -iE 'delete|drop|truncate' /var/log/app.log",
	"docker logs api 2>&1 | grep -iE 'error|stop|kill|rm'",
	"echo 'x' > /etc/postgresql/<pg_version>/main/conf.d/new.conf",
	"su - postgres",
	"ssh db1 'systemctl status postgresql'",
	"bash -c 'docker ps'",
	"",
};

static void
test_destructive(void)
{
	for (size_t i = 0; i < nitems(positives); i++)
		ok(runbook_is_destructive(positives[i]), "destructive: %s", positives[i]);
	for (size_t i = 0; i < nitems(negatives); i++)
		ok(!runbook_is_destructive(negatives[i]), "not destructive: %s", negatives[i]);
	ok(!runbook_is_destructive(NULL), "NULL is not destructive");
}

/* Placeholders. */

static void
check_placeholders(const char *command, const char *want)
{
	struct strv found = { NULL, 0 };
	runbook_find_placeholders(command, &found);
	char *got = strv_join(&found, " ");
	is_str(got, want, "placeholders of \"%s\"", command);
	free(got);
	strv_free(&found);
}

static void
test_placeholders(void)
{
	check_placeholders("pg_restore /var/backups/<latest_timestamp>.dump", "<latest_timestamp>");
	check_placeholders("docker logs <container> 2>&1 | tail", "<container>");
	check_placeholders("cat <<EOF", "");
	check_placeholders("cat <<-'EOF'", "");
	check_placeholders("sort < file.txt > out.txt", "");
	check_placeholders("diff <(ls a) <(ls b)", "");
	check_placeholders("tar czf $BACKUP_DIR/db-$TIMESTAMP.tgz /data", "$BACKUP_DIR $TIMESTAMP");
	check_placeholders("cp x ${BACKUP_DIR}/x", "${BACKUP_DIR}");
	check_placeholders("echo $HOME $PATH $USER $PWD $SHELL $HOSTNAME $LC_ALL", "");
	check_placeholders("TS=$(date +%s); cp x /b/$TS", "");
	check_placeholders("export DEST=/tmp && cp x $DEST", "");
	check_placeholders("read -r TARGET; echo $TARGET", "");
	check_placeholders("awk '{print $NF}' file", "");
	check_placeholders("echo $lower_case $Mixed", "");
	check_placeholders("echo ${VAR:-default}", "");
	check_placeholders("echo \\$ESCAPED", "");
	check_placeholders("journalctl --since 'YYYY-MM-DD HH:MM'", "YYYY-MM-DD HH:MM");
	check_placeholders("pg_dump > backup_YYYYMMDD.sql", "YYYYMMDD");
	check_placeholders("date -d 'YYYY-MM-DD HH:MM:SS'", "YYYY-MM-DD HH:MM:SS");
	check_placeholders("echo <a> <a> $X $X", "<a> $X");
	check_placeholders("ssh <host> \"docker restart <service name>\"", "<host> <service name>");
	check_placeholders("echo MYYYY-MM-DD", "");

	struct strv names = { NULL, 0 }, values = { NULL, 0 };
	strv_add(&names, "<container>");
	strv_add(&names, "$TS");
	strv_add(&names, "HH:MM");
	strv_add(&names, "HH:MM:SS");
	strv_add(&values, "api");
	strv_add(&values, "20250101");
	strv_add(&values, "12:00");
	strv_add(&values, "12:00:30");
	char *filled = runbook_fill_placeholders(
	    "docker logs <container> > /tmp/<container>-$TS.log; echo $TS_OLD $TS",
	    &names, &values);
	is_str(filled, "docker logs api > /tmp/api-20250101.log; echo $TS_OLD 20250101",
	    "fill replaces every occurrence, not the start of a longer name");
	free(filled);
	filled = runbook_fill_placeholders("at HH:MM:SS and HH:MM", &names, &values);
	is_str(filled, "at 12:00:30 and 12:00", "fill prefers the longest name");
	free(filled);
	filled = runbook_fill_placeholders("<container>", &names, &names);
	is_str(filled, "'<container>'", "a value holding the name is not filled again");
	free(filled);
	filled = runbook_fill_placeholders("no placeholders", NULL, NULL);
	is_str(filled, "no placeholders", "fill without names copies");
	free(filled);
	filled = runbook_fill_placeholders(NULL, &names, &values);
	is_str(filled, "", "fill of NULL is empty");
	free(filled);
	strv_free(&names);
	strv_free(&values);
}

/* Fixtures. */

static void
test_numbered_bold(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("numbered-bold.md", &doc);
	const struct runbook *rb;
	const struct runbook_step *st;

	is_int(errors, 0, "numbered-bold: no lint error");
	is_int(doc.nlint, 0, "numbered-bold: no lint message");
	is_str(doc.title, "Disaster Recovery Plan: payments platform", "numbered-bold: document title");
	is_int(doc.nrunbooks, 2, "numbered-bold: two runbooks (contents list is not one)");

	rb = rb_at(&doc, 0);
	is_str(rb ? rb->title : NULL, "Database primary down", "runbook 1 title");
	is_str(rb ? rb->heading : NULL, "Runbook 1: Database primary down", "runbook 1 heading");
	is_int(rb ? rb->line : 0, 17, "runbook 1 line");
	is_int(rb ? rb->level : 0, 2, "runbook 1 level");
	is_int(rb ? rb->total_s : 0, 2700, "runbook 1 Estimated Recovery Time");
	is_str(rb ? rb->symptoms : NULL, "API returns 502 on `/health`\n`pg_isready` fails on db1",
	    "runbook 1 symptoms");
	is_int(rb ? rb->nsteps : 0, 4, "runbook 1 steps");
	is_int(rb ? rb->checklist.n : 0, 2, "runbook 1 post-recovery checklist");
	is_str(rb ? item_at(&rb->checklist, 1) : NULL, "Post-mortem scheduled", "runbook checklist item");

	st = step_at(rb, 0);
	check_step(st, 1, "Confirm the outage", 300, 300, 2, "rb1 step 1");
	is_int(st ? st->line : 0, 25, "rb1 step 1 line");
	is_str(st ? st->text : NULL, "Check from the API host that the database does not answer.",
	    "rb1 step 1 text");
	is_str(cmd_text(st, 0), "pg_isready -h db1 -p 5432", "rb1 step 1 command 1");
	is_int(cmd_at(st, 0) ? cmd_at(st, 0)->line : 0, 30, "rb1 step 1 command line");
	is_str(st ? item_at(&st->expected, 0) : NULL, "`db1:5432 - no response`", "rb1 step 1 expected");

	st = step_at(rb, 1);
	check_step(st, 2, "Check the latest backup", 600, 600, 1, "rb1 step 2");
	is_str(cmd_text(st, 0), "ls -lt /var/backups/postgres/ | head -5", "rb1 step 2 command");
	is_int(st ? st->checklist.n : 0, 2, "rb1 step 2 checklist");
	is_str(st ? item_at(&st->checklist, 0) : NULL, "Backup is less than 24 hours old",
	    "rb1 step 2 unchecked item");
	is_str(st ? item_at(&st->checklist, 1) : NULL, "Checksum file is present",
	    "rb1 step 2 checked item");

	st = step_at(rb, 2);
	check_step(st, 3, "Restore from backup", 1200, 1800, 3, "rb1 step 3 (Expected time: 20-30 min)");
	ok(cmd_at(st, 0) && cmd_at(st, 0)->destructive, "systemctl stop is destructive");
	ok(cmd_at(st, 1) && cmd_at(st, 1)->destructive, "pg_restore is destructive");
	ok(cmd_at(st, 2) && !cmd_at(st, 2)->destructive, "systemctl start is not");
	is_int(cmd_at(st, 1) ? cmd_at(st, 1)->placeholders.n : 0, 1, "pg_restore has a placeholder");
	is_str(cmd_at(st, 1) ? item_at(&cmd_at(st, 1)->placeholders, 0) : NULL, "<latest_timestamp>",
	    "the placeholder");

	st = step_at(rb, 3);
	check_step(st, 4, "Verify the API", 0, 0, 1, "rb1 step 4");
	is_str(st ? item_at(&st->expected, 0) : NULL, "`{\"status\":\"healthy\"}`",
	    "plain Expected: line");

	rb = rb_at(&doc, 1);
	is_str(rb ? rb->title : NULL, "Gateway down", "runbook 2 title");
	is_str(rb ? rb->symptoms : NULL,
	    "uptime monitor alerts on https://ainetic.tech; the nginx\ncontainer keeps restarting.",
	    "runbook 2 Detection");
	is_int(rb ? rb->total_s : -1, 0, "runbook 2 has no total");
	is_int(rb ? rb->nsteps : 0, 3, "runbook 2 steps");
	check_step(step_at(rb, 0), 1, "Look at the gateway logs", 300, 300, 1, "rb2 step 1");
	st = step_at(rb, 1);
	check_step(st, 2, "Restart the gateway", 120, 120, 1, "rb2 step 2");
	ok(cmd_at(st, 0) && !cmd_at(st, 0)->destructive, "docker restart is not destructive");
	is_str(st ? item_at(&st->expected, 0) : NULL, "container `Up` within 30 seconds",
	    "rb2 step 2 expected");
	st = step_at(rb, 2);
	check_step(st, 3, "Roll back the config if it still fails", 900, 900, 2, "rb2 step 3");
	is_str(cmd_text(st, 1), "docker exec gateway nginx -t && docker restart gateway",
	    "rb2 step 3 command");
	runbook_doc_free(&doc);
}

static void
test_step_headings(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("step-headings.md", &doc);
	const struct runbook *rb;
	const struct runbook_step *st;

	is_int(errors, 0, "step-headings: no lint error");
	is_int(doc.nlint, 0, "step-headings: no lint message");
	is_int(doc.nrunbooks, 1, "step-headings: the document is one runbook");
	rb = rb_at(&doc, 0);
	is_str(rb ? rb->title : NULL, "Database failover", "titled by its first heading");
	is_int(rb ? rb->total_s : 0, 1800, "Total Time lower end");
	is_int(rb ? rb->total_max_s : 0, 2700, "Total Time upper end");
	is_int(rb ? rb->nsteps : 0, 5, "five steps");

	st = step_at(rb, 0);
	check_step(st, 1, "Confirm the primary is down", 300, 300, 2, "step 1");
	is_str(cmd_text(st, 1), "psql -h db-replica -c \"SELECT pg_is_in_recovery();\"",
	    "step 1 command keeps its quotes");
	is_str(st ? item_at(&st->expected, 0) : NULL, "`t` (the replica is still in recovery)",
	    "step 1 expected");

	st = step_at(rb, 1);
	check_step(st, 2, "Decide severity", 300, 300, 0, "step 2");
	is_int(st ? st->checklist.n : 0, 2, "step 2 checklist");
	is_str(st ? st->text : NULL, "If both are yes, declare P0.", "step 2 text");

	st = step_at(rb, 2);
	check_step(st, 3, "Promote the replica", 600, 900, 1, "step 3 (10 min - 15 min)");
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->host : NULL, "db-replica", "step 3 ssh host");
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->user : NULL, "postgres", "step 3 ssh user");
	is_str(cmd_text(st, 0), "pg_ctl promote -D /var/lib/postgresql/15/main", "step 3 remote command");
	ok(st && st->text && strstr(st->text, "cannot be undone"), "a sub-heading stays in the step");

	st = step_at(rb, 3);
	check_step(st, 4, "Repoint the application", 600, 600, 2, "step 4 (Step 4 — ..., **Time:**)");
	is_str(st ? item_at(&st->expected, 0) : NULL, "the API health check is green", "step 4 expected");

	st = step_at(rb, 4);
	check_step(st, 5, "Tell the stakeholders", 0, 0, 0, "step 5");
	ok(st && st->text && strstr(st->text, "#incidents"), "step 5 text");
	runbook_doc_free(&doc);
}

static void
test_code_comments(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("code-comments.md", &doc);
	const struct runbook *rb;
	const struct runbook_step *st;

	is_int(errors, 0, "code-comments: no lint error");
	is_int(doc.nrunbooks, 1, "code-comments: one runbook");
	rb = rb_at(&doc, 0);
	is_str(rb ? rb->title : NULL, "Redis cache recovery", "code-comments title");
	is_int(rb ? rb->nsteps : 0, 5, "five steps from # N. comments");

	st = step_at(rb, 0);
	check_step(st, 1, "Check the service", 120, 120, 4, "comment step 1 (with the preamble)");
	is_str(cmd_text(st, 0), "set -euo pipefail", "the preamble belongs to step 1");
	is_str(cmd_text(st, 2), "systemctl status redis-server --no-pager", "comment step 1 command");
	is_str(st ? item_at(&st->expected, 0) : NULL, "PONG", "# Expected: comment");

	check_step(step_at(rb, 1), 2, "Save what is still in memory", 0, 0, 3, "comment step 2");
	st = step_at(rb, 2);
	check_step(st, 3, "Restart the workers", 300, 300, 2, "comment step 3");
	is_str(st ? item_at(&st->expected, 0) : NULL, "worker   Up", "comment step 3 expected");

	st = step_at(rb, 3);
	check_step(st, 4, "Flush the poisoned keys", 0, 0, 2, "comment step 4");
	is_str(cmd_text(st, 0), "redis-cli --scan --pattern 'session:*' | xargs -r redis-cli DEL",
	    "backslash continuation joined");
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->raw : NULL,
	    "redis-cli --scan --pattern 'session:*' \\\n    | xargs -r redis-cli DEL",
	    "raw keeps the continuation");
	ok(cmd_at(st, 1) && cmd_at(st, 1)->destructive, "FLUSHDB is destructive");

	st = step_at(rb, 4);
	check_step(st, 5, "Put the snapshot back if the cache is still bad", 0, 0, 3, "comment step 5");
	const struct runbook_command *c = cmd_at(st, 0);
	is_int(c ? c->placeholders.n : 0, 1, "assigned variables are not placeholders");
	is_str(c ? item_at(&c->placeholders, 0) : NULL, "$SNAPSHOT_DATE", "unassigned variable is");
	is_str(cmd_text(st, 1), "cat > /etc/redis/override.conf <<EOF\nappendonly yes\nsave 900 1\nEOF",
	    "heredoc kept with its body");
	is_int(cmd_at(st, 1) ? cmd_at(st, 1)->line : 0, 33, "heredoc line");
	ok(cmd_at(st, 1) && cmd_at(st, 1)->destructive, "overwriting /etc is destructive");
	is_str(cmd_text(st, 2), "systemctl restart redis-server", "command after the heredoc");
	runbook_doc_free(&doc);
}

static void
test_russian(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("russian.md", &doc);
	const struct runbook *rb;
	const struct runbook_step *st;

	is_int(errors, 0, "russian: no lint error");
	is_int(doc.nlint, 0, "russian: no lint message");
	is_int(doc.nrunbooks, 3, "russian: three runbooks");

	rb = rb_at(&doc, 0);
	is_str(rb ? rb->title : NULL, "Недоступна база данных", "Сценарий 1 title");
	is_int(rb ? rb->total_s : 0, 3600, "Время восстановления: 1 час");
	is_str(rb ? rb->symptoms : NULL, "API отвечает 502\nВ логах `connection refused`",
	    "Симптомы");
	is_int(rb ? rb->nsteps : 0, 3, "Сценарий 1 steps");
	st = step_at(rb, 0);
	check_step(st, 1, "Проверить состояние базы", 300, 300, 2, "Шаг 1 (5 минут)");
	is_str(st ? item_at(&st->expected, 0) : NULL, "`accepting connections`", "Ожидается");
	check_step(step_at(rb, 1), 2, "Перезапустить контейнер", 900, 900, 1, "Шаг 2 (15 мин)");
	st = step_at(rb, 2);
	check_step(st, 3, "Восстановить из резервной копии", 7200, 14400, 2, "Шаг 3 (2-4 часа)");
	is_int(st ? st->checklist.n : 0, 2, "Шаг 3 checklist");
	is_str(st ? item_at(&st->checklist, 0) : NULL, "Предупредить команду", "Шаг 3 checklist item");
	is_str(cmd_at(st, 1) ? item_at(&cmd_at(st, 1)->placeholders, 0) : NULL, "YYYY-MM-DD",
	    "date template placeholder");

	rb = rb_at(&doc, 1);
	is_str(rb ? rb->title : NULL, "Переполнен диск", "Сценарий 2 title");
	is_str(rb ? rb->symptoms : NULL, "алерт `disk > 90%` на ainetic.tech", "Триггеры");
	check_step(step_at(rb, 0), 1, "Найти большие файлы", 600, 600, 1, "bold step (10 минут)");
	st = step_at(rb, 1);
	check_step(st, 2, "Почистить старые логи", 300, 300, 2, "**Время:** 5 минут");
	ok(cmd_at(st, 1) && cmd_at(st, 1)->destructive, "docker system prune is destructive");
	st = step_at(rb, 2);
	is_str(st ? item_at(&st->expected, 0) : NULL, "использование ниже 80%", "Ожидается: line");

	rb = rb_at(&doc, 2);
	is_str(rb ? rb->title : NULL, "Перезапуск воркеров", "Ранбук title");
	is_int(rb ? rb->nsteps : 0, 2, "plain numbered items are steps without bold ones");
	check_step(step_at(rb, 0), 1, "Проверить длину очереди", 30, 30, 1, "plain step (30 сек)");
	check_step(step_at(rb, 1), 2, "Перезапустить воркеры", 7200, 7200, 1, "plain step (2 ч)");
	runbook_doc_free(&doc);
}

static void
test_scenarios(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("scenarios.md", &doc);
	const struct runbook *rb;
	const struct runbook_step *st;

	is_int(errors, 0, "scenarios: no lint error");
	is_int(doc.nrunbooks, 4, "scenarios: four runbooks");
	rb = rb_at(&doc, 0);
	is_str(rb ? rb->title : NULL, "Single container crash", "Scenario 1 title");
	is_int(rb ? rb->level : 0, 3, "Scenario 1 level");
	is_int(rb ? rb->total_s : 0, 900, "MTTR: 15 minutes");
	is_str(rb ? rb->symptoms : NULL,
	    "one container is `Exited` or restarting, the others are healthy.", "When to use");
	st = step_at(rb, 1);
	check_step(st, 2, "Start it again", 60, 60, 1, "Scenario 1 step 2");
	is_str(cmd_at(st, 0) ? item_at(&cmd_at(st, 0)->placeholders, 0) : NULL, "<container>",
	    "angle placeholder");

	rb = rb_at(&doc, 1);
	is_str(rb ? rb->title : NULL, "Full loss", "Scenario 3 title");
	is_int(rb ? rb->total_s : 0, 7200, "Total Time 2-4 hours (lower)");
	is_int(rb ? rb->total_max_s : 0, 14400, "Total Time 2-4 hours (upper)");
	check_step(step_at(rb, 0), 1, "Provision a new host", 1800, 7200, 1, "(30 min - 2 hours)");
	st = step_at(rb, 1);
	check_step(st, 2, "Restore the data", 5400, 5400, 1, "(1h30m)");
	ok(cmd_at(st, 0) && cmd_at(st, 0)->destructive, "restic restore is destructive");
	st = step_at(rb, 2);
	check_step(st, 3, "Switch DNS", 600, 600, 0, "(~10 min)");
	is_int(st ? st->checklist.n : 0, 2, "nested checklist belongs to the step");

	rb = rb_at(&doc, 2);
	is_str(rb ? rb->title : NULL, "Redis failure", "### 4. Redis failure is a runbook");
	is_str(rb ? rb->heading : NULL, "4. Redis failure", "its heading");
	is_int(rb ? rb->total_s : 0, 3600, "RTO: 1 hour");
	is_int(rb ? rb->nsteps : 0, 2, "Redis failure steps");
	ok(cmd_at(step_at(rb, 1), 0) && cmd_at(step_at(rb, 1), 0)->destructive, "FLUSHALL");
	ok(cmd_at(step_at(rb, 0), 0) && !cmd_at(step_at(rb, 0), 0)->destructive,
	    "info | grep is not destructive");

	rb = rb_at(&doc, 3);
	is_str(rb ? rb->title : NULL, "Certificate expired", "Scenario 5 title");
	is_int(rb ? rb->nsteps : 1, 0, "Scenario 5 has no steps");
	ok(has_lint(&doc, 49, LINT_WARNING, "no steps"), "warning: runbook with no steps (line 49)");
	runbook_doc_free(&doc);
}

static void
test_ssh_commands(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("ssh-commands.md", &doc);
	const struct runbook *rb;
	const struct runbook_step *st;
	const struct runbook_command *c;

	is_int(errors, 0, "ssh-commands: no lint error");
	rb = rb_at(&doc, 0);
	is_int(doc.nrunbooks, 1, "ssh-commands: one runbook");
	is_str(rb ? rb->title : NULL, "API container unhealthy", "Runbook: title");

	st = step_at(rb, 0);
	check_step(st, 1, "Check the container on the host", 300, 300, 4, "ssh step 1");
	c = cmd_at(st, 0);
	is_str(c ? c->host : NULL, "ainetic.tech", "ssh HOST \"cmd\": host");
	ok(c && c->user == NULL, "ssh HOST \"cmd\": no user");
	is_str(c ? c->text : NULL, "docker ps --filter name=api", "ssh HOST \"cmd\": text unquoted");
	is_str(c ? c->raw : NULL, "ssh ainetic.tech \"docker ps --filter name=api\"", "raw as written");
	c = cmd_at(st, 1);
	is_str(c ? c->user : NULL, "deploy", "ssh user@HOST 'cmd': user");
	is_str(c ? c->host : NULL, "ainetic.tech", "ssh user@HOST 'cmd': host");
	is_str(c ? c->text : NULL, "docker logs --since 10m api | tail -50", "quoted pipe runs remotely");
	c = cmd_at(st, 2);
	is_str(c ? c->host : NULL, "10.0.0.5", "ssh -p 22 user@HOST cmd args: host");
	is_str(c ? c->user : NULL, "ops", "ssh -p 22 user@HOST cmd args: user");
	is_str(c ? c->text : NULL, "systemctl status api --no-pager", "ssh -p 22 user@HOST cmd args");
	c = cmd_at(st, 3);
	is_str(c ? c->text : NULL, "uptime", "console block: $ prompt stripped, output skipped");
	is_str(c ? c->host : NULL, "ainetic.tech", "console ssh host");

	st = step_at(rb, 1);
	check_step(st, 2, "Take a dump before touching anything", 600, 600, 3, "ssh step 2");
	c = cmd_at(st, 1);
	is_str(c ? c->host : NULL, "db1", "ssh db1 \"pg_dump ...\"");
	is_int(c ? c->placeholders.n : 1, 0, "$TS assigned above is no placeholder");
	ok(c && !c->destructive, "a dump to a new file is not destructive");
	c = cmd_at(st, 2);
	is_int(c ? c->placeholders.n : 0, 2, "scp placeholders");
	is_str(c ? item_at(&c->placeholders, 0) : NULL, "$TIMESTAMP", "$TIMESTAMP");
	is_str(c ? item_at(&c->placeholders, 1) : NULL, "${DEST_DIR}", "${DEST_DIR}");

	st = step_at(rb, 2);
	c = cmd_at(st, 0);
	is_str(c ? c->text : NULL, "pg_restore --clean -d payments /var/backups/<backup_file>",
	    "remote restore");
	ok(c && c->destructive, "remote pg_restore is destructive");
	is_str(c ? item_at(&c->placeholders, 0) : NULL, "<backup_file>", "placeholder in remote command");
	c = cmd_at(st, 1);
	is_str(c ? c->host : NULL, "<host>", "host placeholder kept as host");
	is_str(c ? item_at(&c->placeholders, 0) : NULL, "<host>", "host is a placeholder");

	st = step_at(rb, 3);
	check_step(st, 4, "Open a shell if nothing helps", 0, 0, 4, "ssh step 4");
	c = cmd_at(st, 0);
	ok(c && c->host == NULL, "interactive ssh is just a command");
	is_str(c ? c->text : NULL, "ssh ops@ainetic.tech", "interactive ssh text");
	c = cmd_at(st, 1);
	ok(c && c->host == NULL, "ssh -N has no remote command");
	c = cmd_at(st, 2);
	ok(c && c->host == NULL, "ssh with a local pipe stays local");
	is_int(c ? c->placeholders.n : 0, 2, "date templates in a local ssh line");
	c = cmd_at(st, 3);
	is_int(c ? c->placeholders.n : 1, 0, "environment variables are not placeholders");
	runbook_doc_free(&doc);
}

static void
test_lint_bad(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("lint-bad.md", &doc);
	const struct runbook *rb;

	/* text that is not a duration is a warning, not an error */
	is_int(errors, 1, "lint-bad: one error");
	is_int(count_lint(&doc, LINT_ERROR), 1, "lint-bad: one error message");
	is_int(count_lint(&doc, LINT_WARNING), 6, "lint-bad: six warnings");
	ok(has_lint(&doc, 5, LINT_WARNING, "(a few min)"), "line 5: unreadable (a few min)");
	ok(has_lint(&doc, 9, LINT_WARNING, "no action"), "line 9: step without action");
	ok(has_lint(&doc, 11, LINT_WARNING, "a while"), "line 11: unreadable Expected time");
	ok(has_lint(&doc, 15, LINT_WARNING, "gap"), "line 15: numbering gap 3 -> 5");
	ok(has_lint(&doc, 19, LINT_WARNING, "twice"), "line 19: duplicate step 5");
	ok(has_lint(&doc, 24, LINT_WARNING, "no steps"), "line 24: runbook without steps");
	ok(has_lint(&doc, 31, LINT_ERROR, "never closed"), "line 31: unclosed fence");
	int sorted = 1;
	for (size_t i = 1; i < doc.nlint; i++)
		sorted &= doc.lint[i - 1].line <= doc.lint[i].line;
	ok(sorted, "lint messages are sorted by line");

	is_int(doc.nrunbooks, 3, "lint-bad: three runbooks");
	rb = rb_at(&doc, 0);
	is_int(rb ? rb->nsteps : 0, 5, "lint-bad runbook 1 steps");
	is_int(step_at(rb, 0) ? step_at(rb, 0)->timebox_s : -1, 0, "unreadable box gives no time");
	rb = rb_at(&doc, 2);
	check_step(step_at(rb, 0), 1, "Dump the database", 600, 600, 1,
	    "the command in an unclosed fence is kept");
	runbook_doc_free(&doc);
}

/* Nonzero when s holds a C0 control character or DEL. */
static int
has_controls(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			if (*s != '\n')
				return 1;
	return 0;
}

static void
test_hostile_fixture(void)
{
	struct runbook_doc doc;
	int errors = parse_fixture("hostile.md", &doc);
	const struct runbook *rb = rb_at(&doc, 0);

	is_int(errors, 1, "hostile: one error (the unclosed fence)");
	ok(has_lint(&doc, 20, LINT_ERROR, "never closed"), "hostile: unclosed fence at line 20");
	is_int(doc.nrunbooks, 1, "hostile: one runbook");
	ok(rb && strchr(rb->title, '\x1b') != NULL, "raw title keeps ESC (sanitized at display)");
	char *clean = sanitize_str(rb ? rb->title : NULL);
	ok(!has_controls(clean), "sanitized title has no control characters");
	free(clean);
	clean = sanitize_str(rb ? rb->symptoms : NULL);
	ok(!has_controls(clean) && strlen(clean) > 0, "sanitized symptoms are clean");
	free(clean);
	is_int(rb ? rb->nsteps : 0, 3, "hostile: three steps");
	check_step(step_at(rb, 1), 2, "Old Mac line ends", 60, 60, 1, "CR-only line ends");
	is_str(cmd_text(step_at(rb, 1), 0), "uptime", "command after CR-only line ends");
	is_str(step_at(rb, 1) ? step_at(rb, 1)->text : NULL, "text after a CR", "text after a CR");
	is_int(step_at(rb, 2) ? step_at(rb, 2)->timebox_s : 0, 120, "tab-indented step time box");
	is_int(step_at(rb, 2) ? step_at(rb, 2)->checklist.n : 0, 1, "checklist with escapes");
	runbook_doc_free(&doc);
}

/* Behaviour on small inline documents. */

static void
test_shapes(void)
{
	struct runbook_doc doc;
	const struct runbook *rb;
	const struct runbook_step *st;

	/* no heading at all: titled by the file name */
	runbook_parse("1. Check disk space\n   ```bash\n   df -h\n   ```\n2. Free space\n"
	    "   ```bash\n   journalctl --vacuum-size=200M\n   ```\n", 89, "ops/disk-full.md", &doc);
	rb = rb_at(&doc, 0);
	is_int(doc.nrunbooks, 1, "headingless document is one runbook");
	is_str(rb ? rb->title : NULL, "disk-full", "titled by the file name");
	ok(doc.title == NULL, "document without a heading has no title");
	is_int(rb ? rb->nsteps : 0, 2, "plain numbered steps");
	runbook_doc_free(&doc);

	/* numbered sections without steps become steps of the document */
	parse_string("# Restart the API\n\n## 1. Check disk\n\nLook at `df -h` first.\n\n"
	    "## 2. Restart\n\n```bash\ndocker restart api\n```\n", &doc);
	rb = rb_at(&doc, 0);
	is_int(doc.nrunbooks, 1, "numbered sections: one runbook");
	is_str(rb ? rb->title : NULL, "Restart the API", "numbered sections: document title");
	check_step(step_at(rb, 0), 1, "Check disk", 0, 0, 0, "section 1 as a step");
	check_step(step_at(rb, 1), 2, "Restart", 0, 0, 1, "section 2 as a step");
	runbook_doc_free(&doc);

	/* ### 2. Restart inside a runbook is a step; ### Symptoms is a section */
	parse_string("## Runbook 1: API down\n\n### Symptoms\n\n- 502 from the gateway\n"
	    "- health check red\n\n### 1. Stop (2 min)\n\n```bash\ndocker stop api\n```\n\n"
	    "### 2. Start\n\n```bash\ndocker start api\n```\n\n## Other section\n\ntext\n", &doc);
	rb = rb_at(&doc, 0);
	is_int(doc.nrunbooks, 1, "step headings: one runbook");
	is_str(rb ? rb->symptoms : NULL, "502 from the gateway\nhealth check red", "### Symptoms");
	check_step(step_at(rb, 0), 1, "Stop", 120, 120, 1, "### 1. Stop (2 min)");
	check_step(step_at(rb, 1), 2, "Start", 0, 0, 1, "### 2. Start");
	runbook_doc_free(&doc);

	/* a runbook holding procedures is a container, not a runbook */
	parse_string("## Runbook 1: Database\n\n### Procedure 1: Failover\n\n1. **Promote**\n"
	    "   ```bash\n   pg_ctl promote\n   ```\n\n### Procedure 2: Restore\n\n"
	    "1. **Restore** (1 hour)\n   ```bash\n   pg_restore -d app dump\n   ```\n", &doc);
	is_int(doc.nrunbooks, 2, "procedures inside a runbook");
	is_str(rb_at(&doc, 0) ? rb_at(&doc, 0)->title : NULL, "Failover", "Procedure 1 title");
	is_str(rb_at(&doc, 1) ? rb_at(&doc, 1)->title : NULL, "Restore", "Procedure 2 title");
	is_int(doc.nlint, 0, "an empty container is not linted");
	runbook_doc_free(&doc);

	/* bold line steps, ~~~ fences, sql blocks, empty Expected: label */
	parse_string("# Cache\n\n**Step 1: Inspect** (5 min)\n\n~~~sh\nredis-cli info\n~~~\n\n"
	    "```sql\nSELECT count(*) FROM jobs;\n```\n\n**Expected:**\n\n```\nOK\n```\n\n"
	    "**Step 2:** Restart (1 min)\n\n```\nsystemctl restart redis\n```\n", &doc);
	rb = rb_at(&doc, 0);
	is_int(rb ? rb->nsteps : 0, 2, "**Step N:** lines are steps");
	st = step_at(rb, 0);
	check_step(st, 1, "Inspect", 300, 300, 1, "**Step 1: Inspect** (5 min)");
	ok(st && st->text && strstr(st->text, "```sql\nSELECT count(*) FROM jobs;\n```"),
	    "sql block is text, not a command");
	is_str(st ? item_at(&st->expected, 0) : NULL, "OK", "block after Expected: is the result");
	check_step(step_at(rb, 1), 2, "Restart", 60, 60, 1, "**Step 2:** Restart (1 min)");
	is_str(cmd_text(step_at(rb, 1), 0), "systemctl restart redis", "no-language block runs");
	runbook_doc_free(&doc);

}

/* Shapes: bold items, checklists, front matter, heredocs. */
static void
test_shapes_items(void)
{
	struct runbook_doc doc;
	const struct runbook *rb;
	const struct runbook_step *st;

	/* bold items win over plain ones; nested items are text */
	parse_string("## Runbook: Mixed\n\nPrerequisites:\n\n1. VPN access\n2. An SSH key\n\n"
	    "1. **Drain** (5 min)\n   1. pick a node\n   2. cordon it\n   ```bash\n"
	    "   kubectl drain node-1\n   ```\n2. **Upgrade**\n   ```bash\n   apt-get upgrade -y\n"
	    "   ```\n", &doc);
	rb = rb_at(&doc, 0);
	is_int(rb ? rb->nsteps : 0, 2, "plain items before bold ones are not steps");
	st = step_at(rb, 0);
	check_step(st, 1, "Drain", 300, 300, 1, "bold item with nested list");
	is_str(st ? st->text : NULL, "1. pick a node\n2. cordon it", "nested items are its text");
	ok(cmd_at(st, 0) && cmd_at(st, 0)->destructive, "kubectl drain is destructive");
	runbook_doc_free(&doc);

	/* * [ ] checklists, a runbook-level checklist, steps before the first runbook */
	parse_string("# Ops\n\n1. **Page the on-call** (2 min)\n   * [ ] paged\n\n"
	    "## Runbook 1: Restart\n\n* [X] announced\n+ [ ] channel open\n\n"
	    "1. **Restart**\n   ```bash\n   systemctl restart app\n   ```\n", &doc);
	is_int(doc.nrunbooks, 2, "bold steps before the first runbook keep the document runbook");
	is_str(rb_at(&doc, 0) ? rb_at(&doc, 0)->title : NULL, "Ops", "document runbook first");
	st = step_at(rb_at(&doc, 0), 0);
	is_str(st ? item_at(&st->checklist, 0) : NULL, "paged", "* [ ] item");
	rb = rb_at(&doc, 1);
	is_int(rb ? rb->checklist.n : 0, 2, "runbook-level checklist");
	is_str(rb ? item_at(&rb->checklist, 0) : NULL, "announced", "* [X] item");
	runbook_doc_free(&doc);

	/* front matter and HTML comments are skipped; heredoc <<-'EOF' */
	parse_string("---\ntitle: x\n# not a heading\n---\n# Real title\n<!--\n1. **Hidden**\n-->\n"
	    "1. **Write config**\n   ```bash\n   cat > /tmp/x.conf <<-'EOF'\n\tkey=1\n\tEOF\n"
	    "   echo done\n   ```\n", &doc);
	rb = rb_at(&doc, 0);
	is_str(doc.title, "Real title", "front matter skipped");
	is_int(rb ? rb->nsteps : 0, 1, "commented-out step skipped");
	st = step_at(rb, 0);
	is_int(st ? st->line : 0, 9, "line numbers count skipped lines");
	is_int(st ? st->ncommands : 0, 2, "heredoc with <<- ends at its tab-indented terminator");
	is_str(cmd_text(st, 0), "cat > /tmp/x.conf <<-'EOF'\n\tkey=1\n\tEOF", "<<-'EOF' heredoc");
	runbook_doc_free(&doc);

}

/* Shapes: ssh lines and sessions, mis-encoded text, whole commands. */
static void
test_shapes_commands(void)
{
	struct runbook_doc doc;
	const struct runbook_step *st;

	/* an unterminated quote in an ssh line (found by the fuzzer) */
	parse_string("# X\n```bash\nssh db1 \"pg_ctl promote\n```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	ok(cmd_at(st, 0) && cmd_at(st, 0)->host == NULL, "ssh with an unterminated quote stays local");
	runbook_doc_free(&doc);

	/* ssh -l user */
	parse_string("# X\n```bash\nssh -l admin -o StrictHostKeyChecking=no web1 df -h /\n```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->user : NULL, "admin", "ssh -l user");
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->host : NULL, "web1", "ssh -o opt host");
	is_str(cmd_text(st, 0), "df -h /", "ssh -l remote command");
	is_str(st ? st->title : NULL, "X", "commands outside steps form an unnumbered step");
	is_int(st ? st->number : -1, 0, "unnumbered step");
	runbook_doc_free(&doc);

	/* UTF-8 read as Mac Roman and saved again is repaired; real accents stay */
	{
		const char *good = "# Café — crème\n1. Перезапустить (5 минут)\n   ```bash\n   uptime\n   ```\n";
		parse_string(good, &doc);
		is_str(doc.title, "Café — crème", "accented text is not taken for mis-encoded");
		is_int(doc.nlint, 0, "no mis-encoding lint on clean text");
		runbook_doc_free(&doc);
		/* "Перезапустить (5 минут)" as a Mac reads its UTF-8 */
		parse_string("# X\n1. \xe2\x80\x93\xc3\xbc\xe2\x80\x93\xc2\xb5 (5 \xe2\x80\x93\xc2\xba"
		    "\xe2\x80\x93\xe2\x88\x8f\xe2\x80\x93\xce\xa9\xe2\x80\x94\xc3\x89\xe2\x80\x94"
		    "\xc3\x87)\n   ```bash\n   uptime\n   ```\n", &doc);
		st = step_at(rb_at(&doc, 0), 0);
		is_str(st ? st->title : NULL, "Пе", "mis-encoded title repaired");
		is_int(st ? st->timebox_s : 0, 300, "repaired \"минут\" is a time box");
		ok(doc.nlint == 1 && strstr(doc.lint[0].text, "Mac Roman") != NULL,
		    "lint says once that the text was mis-encoded");
		runbook_doc_free(&doc);
	}

	/* "ssh HOST" alone: the lines after it run there until exit */
	parse_string("# X\n1. **Fix**\n   ```bash\n   ssh db2\n   sudo systemctl stop pg\n"
	    "   exit\n   ls /tmp\n   ```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	is_int(st ? st->ncommands : 0, 2, "ssh session: the ssh and exit lines are no commands");
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->host : NULL, "db2", "ssh session: runs on the host");
	ok(cmd_at(st, 1) && cmd_at(st, 1)->host == NULL, "after exit: local again");
	runbook_doc_free(&doc);

	/* whole commands: a quote left open keeps the rest of the block in one command */
	parse_string("# X\n1. **Odd**\n   ```bash\n   echo 'never closed\n   ls\n   ```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	is_int(st ? st->ncommands : 0, 1, "unterminated quote: one command");
	ok(has_lint(&doc, 4, LINT_WARNING, "cannot run as written (a quote that is never closed)"),
	    "lint points at the command that never ends, and says why");
	runbook_doc_free(&doc);
	parse_string("# X\n1. **Clean**\n   ```bash\n   if [ -d /tmp/a ]; then\n     ls /tmp/a\n"
	    "   ```\n2. **Check**\n   ```bash\n   df -h\n   ```\n", &doc);
	ok(has_lint(&doc, 4, LINT_WARNING, "(if without fi)"), "lint: an if without fi cannot run");
	st = step_at(rb_at(&doc, 0), 1);
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->text : NULL, "df -h", "the next block is whole again");
	runbook_doc_free(&doc);

	/* split as sh splits: ";" keeps one line whole, "\;" stays, an indented EOF ends nothing */
	parse_string("# X\n1. **Run**\n   ```bash\n   ls; pwd   # both\n"
	    "   find /tmp -name x -exec ls {} \\;\n   cat <<EOF\n   a\n     EOF\n   EOF\n"
	    "   docker logs <container>\n   ```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	is_int(st ? st->ncommands : 0, 4, "four commands in the block");
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->text : NULL, "ls; pwd",
	    "commands joined by \";\" on one line are one command, without its comment");
	is_str(cmd_at(st, 1) ? cmd_at(st, 1)->text : NULL, "find /tmp -name x -exec ls {} \\;",
	    "find -exec keeps its \"\\;\"");
	is_str(cmd_at(st, 2) ? cmd_at(st, 2)->text : NULL, "cat <<EOF\na\n  EOF\nEOF",
	    "an indented EOF is part of the heredoc, as sh reads it");
	is_str(cmd_at(st, 3) ? cmd_at(st, 3)->text : NULL, "docker logs <container>",
	    "a <placeholder> is no redirection");
	runbook_doc_free(&doc);

}

/* Shapes: lint that points at the cause. */
static void
test_lint_causes(void)
{
	struct runbook_doc doc;
	const struct runbook_step *st;

	/* lint: two procedures that ran together; a restart under a new heading is no finding */
#define BLOCK(cmd) "   ```bash\n   " cmd "\n   ```\n"
	parse_string("# Q\n## Queue stuck\n1. **Check**\n" BLOCK("redis-cli LLEN q") "2. **Restart**\n"
	    BLOCK("systemctl restart w") "1. **Drain**\n" BLOCK("redis-cli DEL q:dead")
	    "2. **Verify**\n" BLOCK("redis-cli LLEN q"), &doc);
	ok(has_lint(&doc, 11, LINT_WARNING, "numbering restarts at 1 here after step 2"),
	    "lint: the merged procedure, at the line where it restarts");
	ok(!has_lint(&doc, 11, LINT_WARNING, "twice") && !has_lint(&doc, 15, LINT_WARNING, "twice"),
	    "lint: a merged procedure is not \"numbered twice\"");
	runbook_doc_free(&doc);
	parse_string("# Q\n## Failover\n1. **Stop**\n" BLOCK("systemctl stop app") "2. **Sync**\n"
	    BLOCK("sync") "### Replica\n1. **Promote**\n" BLOCK("pg_ctl promote") "2. **Start**\n"
	    BLOCK("systemctl start app"), &doc);
#undef BLOCK
	is_int((int)doc.nlint, 0, "lint: numbering that restarts under a new heading says nothing");
	runbook_doc_free(&doc);

	/* lint: a fence inside a fence closes the outer one early */
	parse_string("# D\n## Rollback\n1. **Template**\n\n```markdown\nWrite:\n```bash\n"
	    "git revert HEAD\n```\nthen deploy.\n```\n\n2. **Deploy**\n   ```bash\n   make deploy\n"
	    "   ```\n", &doc);
	ok(has_lint(&doc, 9, LINT_WARNING, "closes the block opened at line 5, not the \"```bash\" "
	    "block opened inside it at line 7"), "lint: the inner fence that closed the outer one");
	st = step_at(rb_at(&doc, 0), 1);
	is_str(cmd_at(st, 0) ? cmd_at(st, 0)->text : NULL, "make deploy",
	    "the outer block's own closing fence opens no block");
	is_int(count_lint(&doc, LINT_ERROR), 0, "no fence left open");
	runbook_doc_free(&doc);

}

/* Shapes: placeholders a script sets itself; documents with no procedure. */
static void
test_shapes_placeholders(void)
{
	struct runbook_doc doc;
	const struct runbook_step *st;

	/* what a script shows or sets itself is not asked for */
	parse_string("# X\n1. **Check**\n   ```bash\n   df -h | awk '{print $NF, $1}'\n"
	    "   echo \"Usage: $0 <file>\"\n   TS=$(date +%s)\n   cp /data/db /backups/db-$TS\n"
	    "   restore.sh <backup_file>\n   ```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	is_int(cmd_at(st, 0) ? cmd_at(st, 0)->placeholders.n : 9, 0, "awk's $NF and $1 are not asked for");
	is_int(cmd_at(st, 1) ? cmd_at(st, 1)->placeholders.n : 9, 0, "echo \"Usage: $0 <file>\" asks nothing");
	is_int(cmd_at(st, 3) ? cmd_at(st, 3)->placeholders.n : 9, 0, "$TS set by the script");
	is_str(cmd_at(st, 4) ? item_at(&cmd_at(st, 4)->placeholders, 0) : NULL, "<backup_file>",
	    "a real placeholder is still asked for");
	runbook_doc_free(&doc);

	/* printf's format is a message; its arguments are data to fill */
	parse_string("# X\n1. **Check**\n   ```bash\n   printf 'Usage: %s <file>\\n' \"$0\"\n"
	    "   printf '%s\\n' \"/backup/<date>.sql\"\n   ```\n", &doc);
	st = step_at(rb_at(&doc, 0), 0);
	is_int(cmd_at(st, 0) ? cmd_at(st, 0)->placeholders.n : 9, 0, "printf's format shows <file>");
	is_str(cmd_at(st, 1) ? item_at(&cmd_at(st, 1)->placeholders, 0) : NULL, "<date>",
	    "printf's argument \"/backup/<date>.sql\" asks for <date>");
	runbook_doc_free(&doc);

	/* no runbook, no steps */
	is_int(parse_string("# Just notes\n\nNothing to run here.\n", &doc), 0,
	    "a document without steps is no error (a reference, a catalogue)");
	ok(has_lint(&doc, 1, LINT_NOTE, "no procedure here"), "a note says there is no procedure");
	is_int(doc.nrunbooks, 0, "no runbook");
	runbook_doc_free(&doc);
	is_int(runbook_parse(NULL, 0, NULL, &doc), 0, "NULL text is an empty document");
	runbook_doc_free(&doc);
	is_int(runbook_parse("", 0, NULL, &doc), 0, "empty document");
	ok(doc.path == NULL && doc.nrunbooks == 0, "empty document is empty");
	runbook_doc_free(&doc);
	runbook_doc_free(&doc);
	ok(1, "runbook_doc_free twice is harmless");
}

/* Hostile input. */

/*
 * CPU time of this thread, in ms: what a parse costs, whatever else the
 * machine is doing (the suites run side by side, under sanitizers).
 */
static double
thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Parses text into *doc (the caller frees it) and returns the CPU ms it took. */
static double
parse_cpu(const struct buf *b, struct runbook_doc *doc)
{
	double t0 = thread_cpu_ms();
	runbook_parse(b->data, b->len, NULL, doc);
	return thread_cpu_ms() - t0;
}

/* Two lines of about n bytes: one of prose, one of a command. */
static void
build_long_lines(struct buf *b, size_t n)
{
	buf_reset(b);
	buf_adds(b, "## Runbook 1: Long\n1. **Big line** (5 min)\n");
	for (size_t i = 0; i < n; i++)
		buf_addc(b, "ab (min) 1 `x` "[i % 15]);
	buf_adds(b, "\n   ```bash\n   echo ");
	for (size_t i = 0; i < n; i++)
		buf_addc(b, "$A<b> '\"\\|;"[i % 11]);
	buf_adds(b, "\n   ```\n");
}

/* One line of about n bytes repeating unit after lead. */
static void
build_repeat(struct buf *b, const char *lead, const char *unit, size_t n)
{
	buf_reset(b);
	buf_adds(b, lead);
	size_t len = strlen(unit);
	while (b->len < n)
		buf_add(b, unit, len);
	buf_adds(b, "\n");
}

/*
 * Bounds on CPU time (not wall time: the suites run side by side and under
 * sanitizers), far above a linear parse and far below a quadratic one.
 */
static void
test_long_lines(void)
{
	size_t big = 1024 * 1024;
	struct buf b;
	struct runbook_doc doc;
	buf_init(&b);
	build_long_lines(&b, big);
	double elapsed = parse_cpu(&b, &doc);
	const struct runbook_step *st = step_at(rb_at(&doc, 0), 0);
	ok(has_lint(&doc, 3, LINT_WARNING, "64 KiB"), "a 1 MB line is reported");
	ok(has_lint(&doc, 3, LINT_WARNING, "(2 times: lines 3, 5)"),
	    "the 1 MB command line is the same finding: grouped, with its count and lines");
	ok(st && st->text && strlen(st->text) <= 64 * 1024, "the long line is cut to 64 KiB");
	ok(cmd_at(st, 0) && strlen(cmd_at(st, 0)->raw) <= 64 * 1024, "the long command is cut");
	ok(elapsed < 5000, "two 1 MB lines parse in %.0f ms of CPU", elapsed);
	runbook_doc_free(&doc);

	/* patterns that would be quadratic in a naive scanner */
	static const char *const units[] = {
		"1", "1 ", "(", "**", "$AB", "<a>", "- [ ] ", "`", "1h", "1-", "#", "\\",
		"<<E ", "ssh ", "( 5 ", "\xd0\xbc\xd0\xb8\xd0\xbd ",
	};
	for (size_t u = 0; u < nitems(units); u++) {
		for (int in_code = 0; in_code < 2; in_code++) {
			build_repeat(&b, in_code ? "```bash\n" : "1. **X** ", units[u], 70 * 1024);
			elapsed = parse_cpu(&b, &doc);
			ok(elapsed < 2000, "64 KiB of \"%s\"%s parse in %.0f ms of CPU", units[u],
			    in_code ? " in code" : "", elapsed);
			runbook_doc_free(&doc);
		}
	}

	/* many short lines: lists that could grow quadratically */
	static const char *const lines[] = {
		"- [ ] x\n", "1. **s**\n", "# h\n", "### Step 1: s\n", "```\n", "a=1 $B\n",
		"**Expected:** e\n", "**Symptoms:** s\n", "1. x\n", "## Runbook 1: r\n",
	};
	for (size_t u = 0; u < nitems(lines); u++) {
		size_t n = strlen(lines[u]);
		build_repeat(&b, "1. **Step**\n", lines[u], big);
		elapsed = parse_cpu(&b, &doc);
		ok(elapsed < 5000 && doc.nlint <= 1001, "1 MB of \"%.*s\" lines parse in %.0f ms of CPU "
		    "(%zu findings)", (int)n - 1, lines[u], elapsed, doc.nlint);
		runbook_doc_free(&doc);
	}
	buf_free(&b);
}

static void
test_nesting(void)
{
	struct buf b;
	struct runbook_doc doc;
	buf_init(&b);
	/* 10 000 nested list levels, bullets and numbers */
	for (int i = 0; i < 10000; i++) {
		for (int k = 0; k < i % 200; k++)
			buf_adds(&b, "  ");
		buf_adds(&b, i % 2 ? "- item\n" : "1. **item** (1 min)\n");
	}
	double t = parse_cpu(&b, &doc);
	ok(t < 5000, "10 000 nested list levels (%.0f ms of CPU)", t);
	runbook_doc_free(&doc);

	/* 10 000 heading levels, blockquotes and list markers on one line each */
	buf_reset(&b);
	for (int i = 1; i <= 10000; i++) {
		for (int k = 0; k < i; k++)
			buf_addc(&b, "#>-*1"[i % 5]);
		buf_adds(&b, i % 5 == 4 ? ". x\n" : " x\n");
	}
	t = parse_cpu(&b, &doc);
	ok(t < 5000, "10 000 nesting markers (%zu bytes, %.0f ms of CPU)", b.len, t);
	runbook_doc_free(&doc);

	/* 10 000 alternating headings and fences */
	buf_reset(&b);
	for (int i = 0; i < 10000; i++) {
		for (int k = 0; k < 1 + i % 6; k++)
			buf_addc(&b, '#');
		buf_printf(&b, " Step %d: s (%d min)\n```bash\n# %d. c\nrm -rf /x%d\n```\n", i, i, i, i);
	}
	t = parse_cpu(&b, &doc);
	ok(t < 5000 && doc.nrunbooks == 1, "10 000 step headings of every level (%.0f ms of CPU)", t);
	runbook_doc_free(&doc);
	buf_free(&b);
}

static void
test_nul_and_cr(void)
{
	struct runbook_doc doc;
	static const char nul_doc[] = "## Runbook 1: Nul\0here\n1. **Step\0one** (5\0min)\n"
	    "   ```bash\n   echo a\0b\n   ```\n";
	runbook_parse(nul_doc, sizeof nul_doc - 1, NULL, &doc);
	const struct runbook *rb = rb_at(&doc, 0);
	is_str(rb ? rb->title : NULL, "Nul here", "NUL bytes become spaces");
	is_str(step_at(rb, 0) ? step_at(rb, 0)->title : NULL, "Step one", "NUL in a step title");
	is_str(cmd_text(step_at(rb, 0), 0), "echo a b", "NUL in a command");
	runbook_doc_free(&doc);

	static const char cr_doc[] = "## Runbook 1: Old Mac\r\r1. **Restart** (5 min)\r"
	    "   ```bash\r   docker restart api\r   ```\r2. **Check**\r\r   - [ ] up\r";
	runbook_parse(cr_doc, sizeof cr_doc - 1, NULL, &doc);
	rb = rb_at(&doc, 0);
	is_int(rb ? rb->nsteps : 0, 2, "CR-only line ends: steps");
	check_step(step_at(rb, 0), 1, "Restart", 300, 300, 1, "CR-only step");
	is_int(step_at(rb, 1) ? step_at(rb, 1)->line : 0, 7, "CR-only line numbers");
	is_int(step_at(rb, 1) ? step_at(rb, 1)->checklist.n : 0, 1, "CR-only checklist");
	runbook_doc_free(&doc);

	static const char crlf_doc[] = "# Win\r\n\r\n1. **A** (1 min)\r\n   ```bash\r\n   uptime\r\n"
	    "   ```\r\n";
	runbook_parse(crlf_doc, sizeof crlf_doc - 1, NULL, &doc);
	is_str(cmd_text(step_at(rb_at(&doc, 0), 0), 0), "uptime", "CRLF line ends");
	runbook_doc_free(&doc);
}

/* A simple xorshift generator, so that failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Nonzero when a parsed document is internally consistent. */
static int
doc_sane(const struct runbook_doc *doc)
{
	for (size_t i = 0; i < doc->nrunbooks; i++) {
		const struct runbook *rb = &doc->runbooks[i];
		if (rb->title == NULL || rb->total_max_s < rb->total_s)
			return 0;
		for (size_t k = 0; k < rb->nsteps; k++) {
			const struct runbook_step *st = &rb->steps[k];
			if (st->title == NULL || st->timebox_max_s < st->timebox_s ||
			    (st->ncommands > 0 && st->commands == NULL))
				return 0;
			for (size_t c = 0; c < st->ncommands; c++)
				if (st->commands[c].text == NULL || st->commands[c].raw == NULL)
					return 0;
		}
	}
	for (size_t i = 0; i < doc->nlint; i++)
		if (doc->lint[i].text == NULL || (i > 0 && doc->lint[i - 1].line > doc->lint[i].line))
			return 0;
	return 1;
}

static void
test_mutations(void)
{
	static const char *const fixtures[] = {
		"numbered-bold.md", "step-headings.md", "code-comments.md", "russian.md",
		"scenarios.md", "ssh-commands.md", "lint-bad.md", "hostile.md",
	};
	static const char *const tokens[] = {
		"```", "~~~", "\n", "\r", "**", "1. ", "# ", "## Runbook 9: ", "### Step 3: ",
		"- [ ] ", "(5 min)", "<<EOF", "\\\n", "ssh h '", "$X", "<p>", "\0", "\xd0",
		"**Expected:**", "**Symptoms:**", "   ", "\t", "\xe2\x80\x93", "<!--", "---\n",
	};
	int sane = 1, iterations = 0;
	int64_t t0 = mono_ms();
	for (size_t f = 0; f < nitems(fixtures); f++) {
		char rel[256];
		size_t len;
		snprintf(rel, sizeof rel, "tests/data/runbooks/%s", fixtures[f]);
		char *orig = tap_fixture(rel, &len);
		for (int it = 0; it < 500; it++) {
			struct buf b;
			buf_init(&b);
			buf_add(&b, orig, len);
			int edits = 1 + (int)(rng() % 8);
			for (int e = 0; e < edits && b.len > 0; e++) {
				size_t at = (size_t)(rng() % b.len);
				switch (rng() % 4) {
				case 0:	/* flip a byte */
					b.data[at] = (char)rng();
					break;
				case 1: {	/* insert a token */
					const char *t = tokens[rng() % nitems(tokens)];
					size_t n = *t ? strlen(t) : 1;
					struct buf m;
					buf_init(&m);
					buf_add(&m, b.data, at);
					buf_add(&m, t, n);
					buf_add(&m, b.data + at, b.len - at);
					buf_free(&b);
					b = m;
					break;
				}
				case 2:	/* cut the tail */
					b.len = at;
					b.data[at] = '\0';
					break;
				default: {	/* delete a span */
					size_t n = (size_t)(rng() % 64);
					if (at + n > b.len)
						n = b.len - at;
					memmove(b.data + at, b.data + at + n, b.len - at - n);
					b.len -= n;
					b.data[b.len] = '\0';
					break;
				}
				}
			}
			struct runbook_doc doc;
			runbook_parse(b.data ? b.data : "", b.len, fixtures[f], &doc);
			sane &= doc_sane(&doc);
			runbook_doc_free(&doc);
			buf_free(&b);
			iterations++;
		}
		free(orig);
	}
	/* pure random bytes */
	for (int it = 0; it < 500; it++) {
		char junk[2048];
		size_t n = (size_t)(rng() % sizeof junk);
		for (size_t i = 0; i < n; i++)
			junk[i] = rng() % 4 ? "#*-1. `\n\r(5min)<$>[x]"[rng() % 22] : (char)rng();
		struct runbook_doc doc;
		runbook_parse(junk, n, NULL, &doc);
		sane &= doc_sane(&doc);
		runbook_doc_free(&doc);
		iterations++;
	}
	ok(sane, "%d mutated and random documents parse into consistent structs", iterations);
	ok(mono_ms() - t0 < 30000, "mutations take %lld ms", (long long)(mono_ms() - t0));
}

int
main(void)
{
	sanitize_init();
	test_timebox();
	test_destructive();
	test_placeholders();
	test_numbered_bold();
	test_step_headings();
	test_code_comments();
	test_russian();
	test_scenarios();
	test_ssh_commands();
	test_lint_bad();
	test_hostile_fixture();
	test_shapes();
	test_shapes_items();
	test_shapes_commands();
	test_lint_causes();
	test_shapes_placeholders();
	test_long_lines();
	test_nesting();
	test_nul_and_cr();
	test_mutations();
	return tap_done();
}
