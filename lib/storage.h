/* ubstorage: Ubilling's key/value table. */
#ifndef UBAPI_STORAGE_H
#define UBAPI_STORAGE_H

#include "db.h"

/* The first row's value, or "" when the key is absent; NULL on error. */
char *storage_get(struct db *db, const char *key);
/* Replaces key's value atomically (PHP deletes then inserts, and a reader
 * in between saw the key missing; here both happen in one transaction
 * when the caller is not already inside one). */
int storage_set(struct db *db, const char *key, const char *value);
int storage_delete(struct db *db, const char *key);

#endif
