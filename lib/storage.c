#include "storage.h"

#include "util.h"

char *storage_get(struct db *db, const char *key)
{
	bool err = false;
	char *v = db_value(db, &err, "SELECT `value` FROM `ubstorage` WHERE `key`=? ORDER BY `id` LIMIT 1",
			   "s", key);
	if (err)
		return NULL;
	return v ? v : xstrdup("");
}

/* Ubilling writes a key as DELETE + INSERT. Two writers at once (two cron
 * runs filling in the same defaults) would leave two rows on MyISAM and, on
 * InnoDB, deadlock on the gap locks of their DELETEs even for different
 * keys, so all writers take turns (writes are rare, reads never wait). */
#define STORAGE_WRITE_LOCK "ubapi_ubstorage_write"

int storage_set(struct db *db, const char *key, const char *value)
{
	if (db_lock_wait(db, STORAGE_WRITE_LOCK, 10) != 1)
		return -1;
	bool own_tx = !db_in_transaction(db);
	int rc = own_tx && db_begin(db) != 0 ? -1 : 0;
	if (rc == 0 && (db_exec(db, "DELETE FROM `ubstorage` WHERE `key`=?", "s", key) < 0 ||
			db_exec(db, "INSERT INTO `ubstorage` (`key`,`value`) VALUES (?,?)", "ss", key, value) < 0))
		rc = -1;
	if (own_tx && rc == 0)
		rc = db_commit(db);
	else if (own_tx)
		db_rollback(db);
	db_lock_release(db, STORAGE_WRITE_LOCK);
	return rc;
}

int storage_delete(struct db *db, const char *key)
{
	return db_exec(db, "DELETE FROM `ubstorage` WHERE `key`=?", "s", key) < 0 ? -1 : 0;
}
