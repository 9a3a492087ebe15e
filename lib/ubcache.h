/* Deletes of Ubilling's cache keys (UbillingCache), so the PHP web UI never
 * shows data older than what ubapi just changed. Backend from alter.ini
 * UBCACHE_STORAGE: files (unlink exports/UBCACHE_<KEY>), redis (DEL over
 * RESP to REDIS_SERVER:REDIS_PORT), memcached (text "delete" to
 * MEMCACHED_SERVER:MEMCACHED_PORT), anything else: nothing. Best effort with
 * a short timeout: a cache that is down is logged, never an error. */
#ifndef UBAPI_UBCACHE_H
#define UBAPI_UBCACHE_H

#include "req.h"

void ubcache_delete(struct req *r, const char *key);

#endif
