/* Ubilling's StarDust process locks. PHP takes the MariaDB user lock
 * stardustPID_<NAME> or, with alter.ini STARDUST_FLOCK_FORCE, an flock on
 * exports/stardustPID_<NAME>.lock holding the pid; ubapi takes the same
 * one, atomically, so PHP and ubapi exclude each other. */
#ifndef UBAPI_STARDUST_H
#define UBAPI_STARDUST_H

#include <stdbool.h>

#include "config.h"
#include "db.h"
#include "req.h"

/* The MariaDB lock alone: 1 taken, 0 held elsewhere, -1 error. */
int stardust_start(struct db *db, const char *name);
void stardust_stop(struct db *db, const char *name);
/* IS_FREE_LOCK is 0 or NULL (our own connection's locks count as running) */
bool stardust_running(struct db *db, const char *name);

/* The lock file alone: its fd when taken, -1 held elsewhere, -2 it cannot
 * be opened (logged). */
int stardust_file_take(const struct config *cfg, const char *name);
void stardust_file_drop(int fd);

/* Whichever of the two PHP would take for this config. */
struct stardust {
	const char *name;
	int fd; /* the lock file, or -1 for the MariaDB lock */
};
/* 1 taken, 0 held elsewhere, -1 database error, -2 lock file error. */
int stardust_take(const struct config *cfg, struct db *db, const char *name, struct stardust *s);
void stardust_give(struct db *db, struct stardust *s);

/* stardust_take() in a handler: false when the lock was not taken, after
 * replying busy (the action's own reply), ERROR:LOCK_FILE or the database
 * error. */
bool stardust_take_or_reply(struct req *r, const char *name, const char *busy, struct stardust *s);

#endif
