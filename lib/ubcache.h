/* Ubilling's cache (UbillingCache). Deletes, so the PHP web UI never
 * shows data older than what ubapi just changed. Backend from alter.ini
 * UBCACHE_STORAGE: files (unlink exports/UBCACHE_<KEY>), redis (DEL over
 * RESP to REDIS_SERVER:REDIS_PORT), memcached (text "delete" to
 * MEMCACHED_SERVER:MEMCACHED_PORT), anything else: nothing. Best effort with
 * a short timeout: a cache that is down is logged, never an error. */
#ifndef UBAPI_UBCACHE_H
#define UBAPI_UBCACHE_H

#include "config.h"

/* Deletes UBCACHE_<key> from the configured backend. */
void ubcache_delete(const struct config *cfg, const char *key);

/* Values are kept only by the files backend (exports/UBCACHE_<KEY>, as PHP
 * writes them); with fake or the network backends set stores nothing and
 * get finds nothing. */
int ubcache_set(const struct config *cfg, const char *key, const char *value);
/* The value, or NULL when absent or older than expiry_s. */
char *ubcache_get(const struct config *cfg, const char *key, long expiry_s);

#endif
