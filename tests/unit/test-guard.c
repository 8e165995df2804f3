/*
 * Unit tests for the destructive guard (runbook_destructive_reason): a
 * table of commands as runbooks write them, each expected guarded or not,
 * through every wrapper, tool with global options and command string the
 * guard looks into, and read-only lookalikes that must stay unguarded.
 * Also where a runbook command runs (runbook_command_host), which the
 * console and "incident run" share.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "runbook.h"
#include "util.h"

#include "tap.h"

struct guard_case {
	int guarded;
	const char *command;
	const char *reason;	/* part of the reason, or NULL: any */
};

static const struct guard_case cases[] = {
	/* rm and friends */
	{ 1, "rm -rf /var/lib/docker/volumes/old", "rm with -r" },
	{ 1, "rm -r /tmp/build", "rm with -r" },
	{ 1, "rm --recursive /tmp/build", "rm with -r" },
	{ 1, "rm -f /var/run/app.pid", "rm" },
	{ 1, "/bin/rm -fR /srv/x", "rm with -r" },
	{ 0, "rmdir /tmp/empty", NULL },	/* only removes an empty directory */
	{ 1, "shred -u /root/key", NULL },
	{ 1, "unlink /etc/nginx/sites-enabled/default", NULL },
	{ 1, "truncate -s 0 /var/log/syslog", NULL },
	/* disks */
	{ 1, "mkfs.ext4 /dev/sdb1", "mkfs" },
	{ 1, "mkfs -t xfs /dev/sdc", "mkfs" },
	{ 1, "mke2fs /dev/sdb1", NULL },
	{ 1, "mkswap /dev/sdb2", NULL },
	{ 1, "fdisk /dev/sdb", "partition" },
	{ 0, "fdisk -l", NULL },
	{ 1, "sgdisk --zap-all /dev/sdb", "partition" },
	{ 0, "sgdisk -p /dev/sda", NULL },
	{ 1, "wipefs -a /dev/sdb", "wipefs" },
	{ 0, "wipefs /dev/sdb", NULL },
	{ 1, "parted -s /dev/sdb mklabel gpt", "partition" },
	{ 0, "parted -l", NULL },
	{ 0, "parted /dev/sda print", NULL },
	{ 1, "dd if=/dev/zero of=/dev/sdb bs=1M", "dd" },
	{ 0, "dd if=/dev/sda bs=512 count=1 | xxd", NULL },
	{ 1, "blkdiscard /dev/nvme0n1", NULL },
	{ 0, "lsblk -f", NULL },
	/* power */
	{ 1, "reboot", NULL },
	{ 1, "shutdown -r now", NULL },
	{ 1, "halt", NULL },
	{ 1, "poweroff", NULL },
	{ 1, "init 0", "init" },
	{ 1, "init 6", "init" },
	{ 1, "systemctl reboot", "systemctl" },
	{ 0, "uptime", NULL },
	/* processes */
	{ 1, "kill -9 1234", "kill -9" },
	{ 1, "kill -KILL 1234", "kill -9" },
	{ 1, "kill -s KILL 1234", "kill -9" },
	{ 1, "kill -9 1", "kill" },
	{ 1, "kill -TERM 1", "init" },
	{ 0, "kill -HUP 1234", NULL },
	{ 0, "kill -0 1234", NULL },
	{ 1, "pkill -f worker", NULL },
	{ 1, "killall nginx", NULL },
	/* services */
	{ 1, "systemctl stop nginx", "systemctl" },
	{ 1, "systemctl --no-pager stop nginx", "systemctl" },
	{ 1, "systemctl -H db1 stop postgresql", "systemctl" },
	{ 1, "sudo systemctl disable --now nginx", "systemctl" },
	{ 1, "systemctl mask postgresql", "systemctl" },
	{ 0, "systemctl status nginx", NULL },
	{ 0, "systemctl --no-pager status nginx", NULL },
	{ 0, "systemctl restart nginx", NULL },
	{ 0, "systemctl start postgresql", NULL },
	{ 1, "service nginx stop", "service stop" },
	{ 0, "service nginx status", NULL },
	/* docker and podman */
	{ 1, "docker rm -f api", "removes" },
	{ 1, "docker rmi nginx:old", "removes" },
	{ 1, "docker stop api", NULL },
	{ 1, "docker kill api", NULL },
	{ 1, "docker volume rm data", "removes" },
	{ 1, "docker system prune -af", "prune" },
	{ 1, "docker -H tcp://db1:2375 rm api", NULL },
	{ 1, "docker --context prod rm api", NULL },
	{ 1, "docker -c prod stop api", NULL },
	{ 1, "docker compose -f /srv/app/compose.yml down -v", "compose" },
	{ 1, "docker compose down", "compose" },
	{ 1, "docker-compose -p app down", "docker-compose" },
	{ 1, "docker run -v /:/host alpine ls /host", "host system path" },
	{ 1, "docker run --volume=/:/host alpine true", "host system path" },
	{ 1, "docker run --privileged alpine true", "--privileged" },
	{ 1, "docker run --rm alpine rm -rf /data", "rm with -r" },
	{ 1, "podman rm -f api", NULL },
	{ 1, "podman --remote stop api", NULL },
	{ 1, "docker exec redis redis-cli FLUSHALL", "redis" },
	{ 1, "docker exec -u postgres db dropdb app", NULL },
	{ 1, "docker compose exec db psql -c 'DROP DATABASE app'", "SQL DROP" },
	{ 0, "docker ps", NULL },
	{ 0, "docker ps -a", NULL },
	{ 0, "docker -H tcp://db1:2375 ps", NULL },
	{ 0, "docker logs --tail 100 api", NULL },
	{ 0, "docker restart api", NULL },
	{ 0, "docker compose up -d", NULL },
	{ 0, "docker compose ps", NULL },
	{ 0, "docker run --rm alpine echo hi", NULL },
	{ 0, "docker run -v /srv/app:/app alpine ls /app", NULL },
	{ 0, "docker exec api ls /data", NULL },
	{ 0, "docker inspect api", NULL },
	/* kubernetes and helm */
	{ 1, "kubectl delete pod api-0", "kubectl delete" },
	{ 1, "kubectl -n prod delete pod api-0", "kubectl delete" },
	{ 1, "kubectl --context x delete deploy api", "kubectl delete" },
	{ 1, "kubectl --namespace=prod delete svc api", "kubectl delete" },
	{ 1, "kubectl drain node1 --ignore-daemonsets", "kubectl drain" },
	{ 1, "kubectl scale deploy api --replicas=0", "scale to zero" },
	{ 1, "kubectl -n prod exec api-0 -- rm -rf /data", "rm with -r" },
	{ 0, "kubectl get pods", NULL },
	{ 0, "kubectl -n prod get pods -o wide", NULL },
	{ 0, "kubectl scale deploy api --replicas=3", NULL },
	{ 0, "kubectl describe pod api-0", NULL },
	{ 0, "kubectl -n prod exec api-0 -- ls /data", NULL },
	{ 1, "helm uninstall api", "helm" },
	{ 1, "helm -n prod uninstall api", "helm" },
	{ 1, "helm rollback api 3", "helm" },
	{ 0, "helm -n prod list", NULL },
	{ 0, "helm status api", NULL },
	/* git */
	{ 1, "git reset --hard origin/main", "git reset --hard" },
	{ 1, "git -C /srv/app reset --hard", "git reset --hard" },
	{ 1, "git -C /srv/app clean -fdx", "git clean" },
	{ 1, "git push --force origin main", "git push --force" },
	{ 1, "git push -f", "git push --force" },
	{ 0, "git status", NULL },
	{ 0, "git -C /srv/app log --oneline", NULL },
	{ 0, "git reset --soft HEAD~1", NULL },
	{ 0, "git push origin main", NULL },
	/* databases */
	{ 1, "psql -c \"DROP TABLE users;\"", "SQL DROP" },
	{ 1, "psql -c 'drop database payments'", "SQL DROP" },
	{ 1, "mysql -e 'TRUNCATE orders'", "TRUNCATE" },
	{ 1, "psql -c \"DELETE FROM sessions WHERE created < now()\"", "SQL DELETE" },
	{ 1, "sqlite3 /var/lib/app.db 'DELETE FROM jobs'", "SQL DELETE" },
	{ 1, "redis-cli FLUSHALL", "redis" },
	{ 1, "redis-cli -n 2 flushdb", "redis" },
	{ 1, "redis-cli -h db1 DEL session:1", "redis" },
	{ 1, "echo FLUSHALL | redis-cli", "FLUSHALL" },
	{ 1, "psql payments < /var/backups/payments.sql", "database client" },
	{ 1, "psql <<'EOF'\nDROP TABLE users;\nEOF", "SQL DROP" },
	{ 1, "dropdb payments", NULL },
	{ 1, "pg_dropcluster 15 main", NULL },
	{ 1, "pg_restore -d payments /var/backups/payments.dump", "restores" },
	{ 0, "pg_restore --list /var/backups/payments.dump", NULL },
	{ 0, "pg_restore -l /var/backups/payments.dump", NULL },
	{ 0, "psql -c 'SELECT 1'", NULL },
	{ 0, "redis-cli ping", NULL },
	{ 0, "redis-cli info | grep -i flush", NULL },
	{ 0, "pg_dump -Fc payments > /var/backups/payments-$TS.dump", NULL },
	/* files and system paths */
	{ 1, ": > /var/lib/x", "truncates" },
	{ 1, ": > /var/log/nginx/access.log", "truncates" },
	{ 1, "cat /dev/null > /etc/hosts", "truncates" },
	{ 1, "echo '127.0.0.1 db' > /etc/hosts", "truncates" },
	{ 1, "> /etc/resolv.conf", "truncates" },
	{ 1, "echo x >| /etc/motd", "truncates" },
	{ 1, "echo 'SET x' | tee /etc/app.conf", "tee" },
	{ 0, "echo x | tee -a /etc/app.conf", NULL },
	{ 0, "echo ok > /tmp/x", NULL },
	{ 0, "echo ok >> /var/log/app.log", NULL },
	{ 0, "echo 'x' > /etc/postgresql/<pg_version>/main/conf.d/new.conf", NULL },
	{ 1, "mv /var/lib/postgresql/15/main /var/lib/postgresql/15/main.old", "mv" },
	{ 1, "mv /tmp/passwd /etc/passwd", "mv" },
	{ 1, "mv app.db app.db.old", "mv" },
	{ 0, "mv notes.txt notes.old", NULL },
	{ 1, "chmod -R 777 /", "recursive" },
	{ 1, "chown -R www-data: /var/www", "recursive" },
	{ 0, "chmod 644 /etc/app.conf", NULL },
	{ 1, "find /var/log -name '*.gz' -delete", "find -delete" },
	{ 1, "find /tmp -type f -exec rm {} \\;", "rm" },
	{ 1, "find /tmp -type d -exec rm -rf {} +", "rm with -r" },
	{ 0, "find /var/log -name '*.gz' -mtime +7", NULL },
	{ 0, "find /tmp -exec ls -l {} \\;", NULL },
	{ 1, "crontab -r", "crontab" },
	{ 0, "crontab -l", NULL },
	{ 1, "rsync -a --delete /src/ /dst/", "rsync" },
	{ 0, "rsync -a /src/ /dst/", NULL },
	/* firewall and users */
	{ 1, "iptables -F", "firewall" },
	{ 1, "sudo iptables --flush INPUT", "firewall" },
	{ 0, "iptables -L -n", NULL },
	{ 1, "userdel -r bob", NULL },
	{ 0, "id bob", NULL },
	/* infrastructure and backups */
	{ 1, "terraform destroy -auto-approve", "terraform" },
	{ 1, "terraform apply -destroy", "terraform" },
	{ 0, "terraform plan", NULL },
	{ 1, "restic forget --prune --keep-last 3", "restic" },
	{ 1, "restic -r s3:bucket restore latest --target /", "restores" },
	{ 0, "restic snapshots", NULL },
	{ 1, "./restore-db.sh latest", "restores" },
	{ 0, "restorecon -Rv /var/www", NULL },
	/* wrappers and prefixes */
	{ 1, "time -p rm -rf /tmp/x", "rm with -r" },
	{ 1, "command -p rm -rf /tmp/x", "rm with -r" },
	{ 0, "command -v rm", NULL },
	{ 1, "exec rm -rf /tmp/x", "rm with -r" },
	{ 1, "ls | xargs rm -rf", "rm with -r" },
	{ 1, "ls | xargs -t rm", "rm" },
	{ 1, "ls | xargs -n 1 rm -f", "rm" },
	{ 1, "ls | xargs -I {} rm -rf {}", "rm with -r" },
	{ 0, "ls | xargs -n 1 echo", NULL },
	{ 1, "timeout -k 5 10 rm -rf /tmp/x", "rm with -r" },
	{ 1, "timeout 60 sh -c 'docker stop api'", NULL },
	{ 0, "timeout 5 curl -fsS http://localhost/health", NULL },
	{ 1, "sudo --user root rm -rf /srv/data", "rm with -r" },
	{ 1, "sudo -u root -E rm -rf /srv/data", "rm with -r" },
	{ 1, "sudo -u postgres dropdb payments", NULL },
	{ 0, "sudo -u postgres psql -c 'SELECT 1'", NULL },
	{ 1, "doas rm -rf /srv/data", "rm with -r" },
	{ 1, "env -i A=b rm -rf /tmp/x", "rm with -r" },
	{ 1, "env -S 'rm -rf /tmp/x'", "rm with -r" },
	{ 1, "FOO=bar rm -rf /tmp/x", "rm with -r" },
	{ 1, "nice -n 5 rm -rf /tmp/x", "rm with -r" },
	{ 1, "nice -5 rm -rf /tmp/x", "rm with -r" },
	{ 1, "ionice -c3 rm -rf /tmp/x", "rm with -r" },
	{ 1, "ionice -c 3 -n 7 rm -rf /tmp/x", "rm with -r" },
	{ 1, "nohup rm -rf /tmp/x &", "rm with -r" },
	{ 1, "stdbuf -oL rm -rf /tmp/x", "rm with -r" },
	{ 1, "chroot /mnt rm -rf /var/lib/x", "rm with -r" },
	{ 1, "nsenter -t 1 -m -u -i -n -p -- reboot", "reboot" },
	{ 1, "setsid reboot", "reboot" },
	{ 1, "flock /var/lock/x rm -rf /tmp/x", "rm with -r" },
	{ 1, "flock -c 'rm -rf /tmp/x' /var/lock/x", "rm with -r" },
	{ 1, "watch -n 5 'docker rm -f api'", "removes" },
	{ 0, "watch -n 5 'kubectl get pods'", NULL },
	{ 1, "2>/dev/null rm -rf /tmp/x", "rm with -r" },
	{ 1, ">/dev/null 2>&1 rm -rf /tmp/x", "rm with -r" },
	{ 1, "runuser -u postgres -- pg_restore -d app /var/backups/app.dump", "restores" },
	{ 1, "busybox rm -rf /tmp/x", "rm with -r" },
	{ 0, "busybox ls /", NULL },
	{ 0, "time -p ls", NULL },
	{ 0, "nice -n 5 tar czf /tmp/x.tgz /etc", NULL },
	/* command strings */
	{ 1, "sh -c 'rm -rf /tmp/x'", "rm with -r" },
	{ 1, "bash -c 'rm -rf /tmp/x'", "rm with -r" },
	{ 1, "bash -lc 'systemctl stop nginx'", "systemctl" },
	{ 1, "sudo sh -c 'echo 1 > /etc/sysctl.d/99-x.conf'", "truncates" },
	{ 1, "su - postgres -c 'dropdb app'", NULL },
	{ 1, "su -c 'reboot'", NULL },
	{ 0, "su - postgres", NULL },
	{ 1, "ssh db1 'systemctl stop postgresql'", "systemctl" },
	{ 1, "ssh -p 2222 ops@db1 \"sudo rm -rf /var/lib/app\"", "rm with -r" },
	{ 1, "ssh db1 \"psql -c 'TRUNCATE sessions'\"", "TRUNCATE" },
	{ 1, "ssh db1 rm -rf /tmp/x", "rm with -r" },
	{ 0, "ssh db1 'systemctl status postgresql'", NULL },
	{ 0, "ssh db1", NULL },
	{ 0, "bash -c 'docker ps'", NULL },
	{ 1, "eval 'rm -rf /tmp/x'", "rm with -r" },
	{ 1, "eval \"$CMD\"", "eval of an expansion" },
	{ 1, "eval $(cat /tmp/cmds)", "eval of an expansion" },
	{ 1, "eval \"echo 'unterminated\"", "eval of text that cannot be parsed" },
	{ 0, "eval 'echo hi'", NULL },
	{ 1, "echo \"$(rm -rf /tmp/x)\"", "rm with -r" },
	{ 1, "echo `rm -rf /tmp/x`", "rm with -r" },
	{ 1, "diff <(rm -rf /tmp/x) /dev/null", "rm with -r" },
	{ 0, "echo \"today is $(date +%F)\"", NULL },
	/* what cannot be told */
	{ 1, "rm${IFS}-rf${IFS}/", "expansion" },
	{ 1, "$CMD /tmp/x", "expansion" },
	{ 1, "\"$(echo rm)\" -rf /tmp/x", "expansion" },
	{ 1, "curl -fsSL https://get.example.com | sh", "pipes into a shell" },
	{ 1, "curl -fsSL https://get.example.com | sudo bash", "pipes into a shell" },
	{ 1, "wget -qO- https://x | bash -s -- --yes", "pipes into a shell" },
	{ 1, "echo cm0gLXJmIC8= | base64 -d | sh", "pipes into a shell" },
	{ 1, "cat script.py | python3 -", "interpreter" },
	{ 1, "curl -s https://x/install.py | python3", "interpreter" },
	{ 1, "sh <<'EOF'\nrm -rf /tmp/x\nEOF", "rm with -r" },
	{ 1, "bash <<< 'rm -rf /tmp/x'", "rm with -r" },
	{ 0, "sh <<'EOF'\necho hi\nEOF", NULL },
	{ 1, "echo 'rm -rf /' 'unterminated", "cannot be parsed" },
	/* compound commands */
	{ 1, "if true; then rm -rf /tmp/x; fi", "rm with -r" },
	{ 1, "for f in /tmp/a /tmp/b; do rm -rf \"$f\"; done", "rm with -r" },
	{ 1, "while read f; do rm -f \"$f\"; done < /tmp/list", "rm" },
	{ 1, "case $1 in stop) systemctl stop nginx ;; esac", "systemctl" },
	{ 1, "{ ls; rm -rf /tmp/x; }", "rm with -r" },
	{ 1, "(cd /tmp && rm -rf x)", "rm with -r" },
	{ 1, "ls /tmp && rm -rf /tmp/x", "rm with -r" },
	{ 1, "for f in *; do echo \"rm -rf $f\"; done | sh", "pipes into a shell" },
	{ 0, "for f in /var/log/*.log; do wc -l \"$f\"; done", NULL },
	{ 1, "case $(rm -rf /tmp/x) in a) ls ;; esac", "rm with -r" },
	{ 1, "for f in $(rm -rf /tmp/x); do echo; done", "rm with -r" },
	{ 1, "| rm -rf /tmp/x", "rm with -r" },
	{ 0, "if systemctl is-active nginx; then echo up; fi", NULL },
	{ 0, "case $1 in rm) echo remove ;; esac", NULL },
	{ 0, "rm() { echo nope; }", NULL },
	/* read-only lookalikes */
	{ 0, "df -h", NULL },
	{ 0, "ls -l /", NULL },
	{ 0, "ls -la /var/lib/docker", NULL },
	{ 0, "grep rm file", NULL },
	{ 0, "grep stop /var/log/syslog", NULL },
	{ 0, "ps aux | grep stop", NULL },
	{ 0, "echo \"rm -rf /\"", NULL },
	{ 0, "echo rm -rf /", NULL },
	{ 0, "echo 'docker stop api'", NULL },
	{ 0, "printf '%s\\n' 'kubectl delete pod x'", NULL },
	{ 0, "cat /etc/passwd", NULL },
	{ 0, "tail -f /var/log/syslog", NULL },
	{ 0, "journalctl -u nginx --since '1 hour ago'", NULL },
	{ 0, "journalctl -u redis | grep -i flushall", NULL },
	{ 0, "grep -i 'drop table' /var/log/postgresql.log", NULL },
	{ 0, "grep -iE 'delete|drop|truncate' /var/log/app.log", NULL },
	{ 0, "docker logs api 2>&1 | grep -iE 'error|stop|kill|rm'", NULL },
	{ 0, "curl -fsS http://localhost:8080/health", NULL },
	{ 0, "# rm -rf / is what we never do", NULL },
	{ 0, "ls # rm -rf /", NULL },
	{ 0, "free -m", NULL },
	{ 0, "ss -tlnp", NULL },
	{ 0, "du -sh /var/lib/*", NULL },
	{ 0, "tar czf /tmp/etc.tgz /etc", NULL },
	{ 0, "cp /etc/hosts /tmp/hosts", NULL },
	{ 0, "mkdir -p /tmp/x", NULL },
	{ 0, "touch /tmp/x", NULL },
	{ 0, "", NULL },
};


static void
test_command_host(void)
{
	static const char text[] =
	    "host web1\n    address 10.0.0.5\n"
	    "host db1\n    address db1.internal\n"
	    "host cache\n    address db1\n";
	struct conf c;
	char *cause = NULL;
	conf_init(&c);
	int rc = conf_parse(&c, text, strlen(text), "t.conf", &cause);
	ok(rc == 0 && c.nhosts == 3, "three hosts (%s)", cause ? cause : "ok");
	free(cause);
	is_int(runbook_command_host(&c, NULL, 0), 0, "no ssh line: the fallback (selected)");
	is_int(runbook_command_host(&c, NULL, 2), 2, "no ssh line: whatever is selected");
	is_int(runbook_command_host(&c, NULL, -1), -1, "no ssh line, no fallback: none");
	is_int(runbook_command_host(&c, "web1", 2), 0, "ssh web1: by name, not the selection");
	is_int(runbook_command_host(&c, "10.0.0.5", 2), 0, "ssh 10.0.0.5: by address");
	is_int(runbook_command_host(&c, "db1", 0), 1, "a name wins over another's address");
	is_int(runbook_command_host(&c, "db1.internal", 0), 1, "ssh db1.internal: by address");
	is_int(runbook_command_host(&c, "elsewhere", 0), -1, "a host outside the fleet: none");

	/* what the parser reads from the line is what is looked up */
	static const char md[] = "# R\n\n## Runbook 1: X\n\n1. **Look** (1 min)\n"
	    "   ```bash\n   ssh -p 2222 ops@db1.internal 'df -h'\n   ```\n";
	struct runbook_doc doc;
	runbook_parse(md, strlen(md), "t.md", &doc);
	const struct runbook_command *rcmd = doc.nrunbooks == 1 && doc.runbooks[0].nsteps == 1 &&
	    doc.runbooks[0].steps[0].ncommands == 1 ? &doc.runbooks[0].steps[0].commands[0] : NULL;
	ok(rcmd != NULL && rcmd->host != NULL, "the ssh line is read");
	if (rcmd != NULL && rcmd->host != NULL) {
		is_str(rcmd->host, "db1.internal", "its host");
		is_str(rcmd->text, "df -h", "its remote command");
		is_int(runbook_command_host(&c, rcmd->host, 0), 1, "runs on db1");
	}
	runbook_doc_free(&doc);
	conf_free(&c);
}

int
main(void)
{
	test_command_host();
	size_t guarded = 0;
	for (size_t i = 0; i < nitems(cases); i++) {
		const struct guard_case *k = &cases[i];
		const char *why = runbook_destructive_reason(k->command);
		ok((why != NULL) == k->guarded, "%s: %s", k->guarded ? "guarded" : "unguarded",
		    tap_one_line(k->command));
		if ((why != NULL) != k->guarded)
			printf("#   reason: %s\n", why ? why : "(none)");
		if (k->guarded && k->reason != NULL && why != NULL)
			ok(strstr(why, k->reason) != NULL, "reason for %s is \"%s\" (has \"%s\")",
			    tap_one_line(k->command), why, k->reason);
		is_int(runbook_is_destructive(k->command), k->guarded, "runbook_is_destructive agrees");
		guarded += k->guarded;
	}
	ok(nitems(cases) >= 150, "%zu commands (%zu guarded)", nitems(cases), guarded);
	ok(runbook_destructive_reason(NULL) == NULL, "NULL is not destructive");
	return tap_done();
}
