#include "stardust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "util.h"

static void lock_name(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "stardustPID_%s", name);
}

int stardust_start(struct db *db, const char *name)
{
	char n[192];
	lock_name(n, sizeof n, name);
	return db_lock_try(db, n);
}

void stardust_stop(struct db *db, const char *name)
{
	char n[192];
	lock_name(n, sizeof n, name);
	db_lock_release(db, n);
}

bool stardust_running(struct db *db, const char *name)
{
	char n[192];
	lock_name(n, sizeof n, name);
	bool err = false;
	char *v = db_value(db, &err, "SELECT IS_FREE_LOCK(?)", "s", n);
	bool running = err || !v || strcmp(v, "1") != 0;
	free(v);
	return running;
}

int stardust_file_take(const struct config *cfg, const char *name)
{
	char rel[192];
	snprintf(rel, sizeof rel, "exports/stardustPID_%s.lock", name);
	char *path = cfg_path(cfg, rel);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		syslog(LOG_ERR, "ubapi: cannot open the StarDust lock %s: %s", path, strerror(errno));
	free(path);
	if (fd < 0)
		return -2;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	char pid[24];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n)
		syslog(LOG_WARNING, "ubapi: cannot write the pid into the StarDust lock %s", name);
	return fd;
}

void stardust_file_drop(int fd)
{
	if (fd < 0)
		return;
	/* PHP empties the file when the process ends */
	if (ftruncate(fd, 0) != 0)
		syslog(LOG_WARNING, "ubapi: cannot empty a StarDust lock file");
	flock(fd, LOCK_UN);
	close(fd);
}

int stardust_take(const struct config *cfg, struct db *db, const char *name, struct stardust *s)
{
	s->name = name;
	s->fd = -1;
	if (!php_truthy(cfg_alter(cfg, "STARDUST_FLOCK_FORCE", "")))
		return stardust_start(db, name);
	int fd = stardust_file_take(cfg, name);
	if (fd < 0)
		return fd == -1 ? 0 : -2;
	s->fd = fd;
	return 1;
}

void stardust_give(struct db *db, struct stardust *s)
{
	if (s->fd >= 0)
		stardust_file_drop(s->fd);
	else
		stardust_stop(db, s->name);
	s->fd = -1;
}

bool stardust_take_or_reply(struct req *r, const char *name, const char *busy, struct stardust *s)
{
	int got = stardust_take(r->cfg, r->db, name, s);
	if (got == 0)
		reply_text(r, busy);
	else if (got == -2)
		reply_text(r, "ERROR:LOCK_FILE");
	else if (got < 0)
		reply_db_error(r);
	return got == 1;
}
