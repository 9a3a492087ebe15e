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

int storage_set(struct db *db, const char *key, const char *value)
{
	bool own_tx = !db_in_transaction(db);
	if (own_tx && db_begin(db) != 0)
		return -1;
	int rc = 0;
	if (db_exec(db, "DELETE FROM `ubstorage` WHERE `key`=?", "s", key) < 0 ||
	    db_exec(db, "INSERT INTO `ubstorage` (`key`,`value`) VALUES (?,?)", "ss", key, value) < 0)
		rc = -1;
	if (own_tx) {
		if (rc == 0)
			rc = db_commit(db);
		else
			db_rollback(db);
	}
	return rc;
}

int storage_delete(struct db *db, const char *key)
{
	return db_exec(db, "DELETE FROM `ubstorage` WHERE `key`=?", "s", key) < 0 ? -1 : 0;
}
