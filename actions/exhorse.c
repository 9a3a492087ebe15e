/* exhorse: Ubilling's "existential horse" monthly statistics snapshot
 * (spec actions-ops.md §5.6). Guarded by the StarDust lock EXHORSE so PHP
 * and ubapi runs exclude each other; the work is in lib/exhorse.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <syslog.h>
#include <unistd.h>

#include "actions.h"
#include "exhorse.h"
#include "switches.h"
#include "util.h"

/* STARDUST_FLOCK_FORCE: PHP's StarDust locks exports/stardustPID_EXHORSE.lock
 * instead of the MariaDB user lock. fd >= 0 taken, -1 busy, -2 error. */
static int file_lock(struct req *r)
{
	char *path = cfg_path(r->cfg, "exports/stardustPID_EXHORSE.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		syslog(LOG_ERR, "ubapi exhorse: cannot open %s: %s", path, strerror(errno));
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
		syslog(LOG_WARNING, "ubapi exhorse: cannot write the lock file's pid");
	return fd;
}

static void file_unlock(int fd)
{
	if (ftruncate(fd, 0) != 0)
		syslog(LOG_WARNING, "ubapi exhorse: cannot truncate the lock file");
	flock(fd, LOCK_UN);
	close(fd);
}

void cmd_exhorse(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "EXHORSE_ENABLED", ""))) {
		reply_text(r, "ERROR:EXHORSE_DISABLED");
		return;
	}
	int fd = -3, got;
	if (php_truthy(cfg_alter(r->cfg, "STARDUST_FLOCK_FORCE", ""))) {
		fd = file_lock(r);
		got = fd >= 0 ? 1 : fd == -1 ? 0 : -2;
	} else {
		got = stardust_start(r->db, "EXHORSE");
	}
	if (got == 0) {
		reply_text(r, "SKIP:EXHORSE_ALREADY_RUNNING");
		return;
	}
	if (got < 0) {
		if (got == -2)
			reply_text(r, "ERROR:LOCK_FILE");
		else
			reply_db_error(r);
		return;
	}
	const char *reply = exhorse_run(r, param_present(&r->params, "ebobo"));
	if (fd >= 0)
		file_unlock(fd);
	else
		stardust_stop(r->db, "EXHORSE");
	if (strcmp(reply, "ERROR:DB") == 0)
		reply_db_error(r);
	else
		reply_text(r, reply);
}
