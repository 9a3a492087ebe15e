/* backupdb: dump the billing database with mysqldump, then rotate old dumps
 * (spec actions-ops.md §5.1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actions.h"
#include "clock.h"
#include "runcmd.h"
#include "switches.h"
#include "util.h"
#include "weblog.h"

#define BACKUP_DIR "content/backups/sql"
/* A dump of a big Stargazer database takes long, but never a day. */
#define DUMP_TIMEOUT_MS (6 * 3600 * 1000)
/* Only for wrappers that print the dump instead of honouring --result-file. */
#define DUMP_STDOUT_MAX (64u << 20)

/* The password goes to mysqldump in a private option file, never in argv
 * where every local user could read it from /proc. */
static char *defaults_file(const char *password)
{
	const char *dir = getenv("TMPDIR");
	struct sbuf path = SBUF_INIT, text = SBUF_INIT;
	sbuf_printf(&path, "%s/ubapi-backupdb-XXXXXX", dir && *dir ? dir : "/tmp");
	char *p = sbuf_detach(&path);
	int fd = mkstemp(p); /* mode 0600 */
	if (fd < 0) {
		free(p);
		return NULL;
	}
	sbuf_puts(&text, "[client]\npassword=\"");
	for (const char *c = password; *c; c++) {
		if (*c == '\\' || *c == '"')
			sbuf_putc(&text, '\\');
		if (*c == '\n')
			sbuf_puts(&text, "\\n");
		else
			sbuf_putc(&text, *c);
	}
	sbuf_puts(&text, "\"\n");
	bool ok = write(fd, text.s, text.len) == (ssize_t)text.len;
	ok = close(fd) == 0 && ok;
	sbuf_free(&text);
	if (!ok) {
		unlink(p);
		free(p);
		return NULL;
	}
	return p;
}

/* 0 when the dump was written to final, -1 otherwise (nothing left behind). */
static int dump(struct req *r, const char *dir, const char *final)
{
	char *opts = defaults_file(cfg_mysql(r->cfg, "password", ""));
	if (!opts)
		return -1;
	struct sbuf tmp = SBUF_INIT, optarg = SBUF_INIT, resarg = SBUF_INIT, out = SBUF_INIT;
	const char *base = strrchr(final, '/') + 1;
	sbuf_printf(&tmp, "%s/.%s.part", dir, base);
	sbuf_printf(&optarg, "--defaults-extra-file=%s", opts);
	sbuf_printf(&resarg, "--result-file=%s", sbuf_str(&tmp));
	int rc = -1;
	size_t n = 0;
	char **argv = spawn_argv_split(cfg_alter(r->cfg, "MYSQLDUMP_PATH", ""), 12, &n);
	int fd = open(sbuf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0 && n > 0) {
		/* --defaults-extra-file must be the first option mysqldump sees */
		memmove(argv + 2, argv + 1, n * sizeof *argv);
		argv[1] = sbuf_detach(&optarg);
		n++;
		const char *port = cfg_mysql(r->cfg, "port", "");
		argv[n++] = xstrdup("--host");
		argv[n++] = xstrdup(cfg_mysql(r->cfg, "server", "localhost"));
		argv[n++] = xstrdup("-u");
		argv[n++] = xstrdup(cfg_mysql(r->cfg, "username", ""));
		if (*port) {
			argv[n++] = xstrdup("--port");
			argv[n++] = xstrdup(port);
		}
		argv[n++] = sbuf_detach(&resarg);
		argv[n++] = xstrdup(cfg_mysql(r->cfg, "db", ""));
		argv[n] = NULL;
		struct spawn_result res;
		if (spawn_run(argv, DUMP_TIMEOUT_MS, DUMP_STDOUT_MAX, &out, &res) == 0 && res.status == 0 &&
		    !res.timed_out) {
			bool ok = true;
			if (out.len) {
				ok = lseek(fd, 0, SEEK_END) >= 0 && write(fd, out.s, out.len) == (ssize_t)out.len;
			}
			ok = fsync(fd) == 0 && ok;
			if (ok && rename(sbuf_str(&tmp), final) == 0)
				rc = 0;
		}
	}
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		unlink(sbuf_str(&tmp));
	unlink(opts);
	free(opts);
	spawn_argv_free(argv);
	sbuf_free(&tmp);
	sbuf_free(&optarg);
	sbuf_free(&resarg);
	sbuf_free(&out);
	return rc;
}

static void remove_all(char *s, const char *what)
{
	size_t wl = strlen(what);
	char *p;
	while ((p = strstr(s, what)))
		memmove(p, p + wl, strlen(p + wl) + 1);
}

/* Deletes dumps whose name date is more than days calendar days before today. */
static void rotate(struct req *r, const char *dir, const char *max_age)
{
	char digits[16];
	size_t k = 0;
	for (const char *c = max_age; *c && k + 1 < sizeof digits; c++)
		if (*c >= '0' && *c <= '9')
			digits[k++] = *c;
	digits[k] = '\0';
	if (!k)
		return;
	struct tm tm;
	localtime_r(&r->now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= atoi(digits);
	tm.tm_isdst = -1;
	time_t cutoff = mktime(&tm);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
			continue;
		char *stem = xstrdup(e->d_name);
		remove_all(stem, "ubilling-");
		remove_all(stem, ".sql");
		char *us = strchr(stem, '_');
		if (us)
			*us = '\0';
		time_t day;
		if (clock_parse_date(stem, &day) && day < cutoff) {
			struct sbuf path = SBUF_INIT;
			sbuf_printf(&path, "%s/%s", dir, e->d_name);
			if (unlink(sbuf_str(&path)) == 0)
				weblog(r, "BACKUP ROTATE `./" BACKUP_DIR "/%s`", e->d_name);
			sbuf_free(&path);
		}
		free(stem);
	}
	closedir(d);
}

void cmd_backupdb(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "MYSQLDUMP_PATH", ""))) {
		reply_text(r, "You missed an important option: MYSQLDUMP_PATH");
		return;
	}
	char *dir = cfg_path(r->cfg, BACKUP_DIR);
	struct sbuf shown = SBUF_INIT;
	int got = db_lock_try(r->db, "stardustPID_BACKUPDB");
	if (got < 0) {
		free(dir);
		reply_db_error(r);
		return;
	}
	if (got == 0) {
		weblog(r, "BACKUP ALREADY RUNNING SKIPPED");
	} else {
		char stamp[20];
		clock_format_datetime(r->now, stamp); /* Y-m-d H:i:s -> Y-m-d_H_i_s */
		for (char *c = stamp + 10; *c; c++)
			if (*c == ' ' || *c == ':')
				*c = '_';
		struct sbuf final = SBUF_INIT;
		sbuf_printf(&final, "%s/ubilling-%s.sql", dir, stamp);
		sbuf_printf(&shown, "./" BACKUP_DIR "/ubilling-%s.sql", stamp);
		if (mkdir_p(dir) == 0 && dump(r, dir, sbuf_str(&final)) == 0) {
			weblog(r, "BACKUP CREATE `%s`", sbuf_str(&shown));
		} else {
			weblog(r, "BACKUP FAILED `%s`", sbuf_str(&shown));
			sbuf_reset(&shown);
		}
		sbuf_free(&final);
		db_lock_release(r->db, "stardustPID_BACKUPDB");
	}
	const char *max_age = cfg_alter_rcms(r->cfg, "BACKUPS_MAX_AGE", "");
	if (php_truthy(max_age))
		rotate(r, dir, max_age);
	reply_printf(r, "OK:BACKUPDB %s", sbuf_str(&shown));
	sbuf_free(&shown);
	free(dir);
}
