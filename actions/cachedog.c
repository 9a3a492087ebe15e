/* cachedog: drop the cached "all user data" (and the caches built from it)
 * when the database no longer matches it (spec actions-ops.md §5.4). */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "phpser.h"
#include "switches.h"
#include "ubcache.h"
#include "userdata.h"
#include "util.h"

/* PHP's loose == on one field, narrowed: NULL equals "", numbers compare
 * as numbers, strings must be identical. A false "changed" only costs a
 * cache rebuild. */
static bool field_equal(const cJSON *cached, const cJSON *fresh)
{
	const char *fs = cJSON_IsString(fresh) ? fresh->valuestring : NULL;
	if (cJSON_IsNull(cached) || (cJSON_IsString(cached) && !cached->valuestring[0]))
		return !fs || !fs[0];
	if (!fs)
		return false;
	if (cJSON_IsString(cached))
		return strcmp(cached->valuestring, fs) == 0;
	if (cJSON_IsNumber(cached)) {
		char *end;
		double v = strtod(fs, &end);
		return *fs && !*end && v == cached->valuedouble;
	}
	return false;
}

static bool row_equal(const cJSON *cached, const cJSON *fresh)
{
	if (!cJSON_IsObject(cached) || cJSON_GetArraySize(cached) != cJSON_GetArraySize(fresh))
		return false;
	const cJSON *f;
	cJSON_ArrayForEach(f, fresh)
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(cached, f->string);
		if (!c || !field_equal(c, f))
			return false;
	}
	return true;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* children of an object sorted by key: a keyed lookup per user would make
 * the comparison quadratic in the number of users */
static const cJSON **sorted_children(const cJSON *o, size_t n)
{
	const cJSON **v = xmalloc((n ? n : 1) * sizeof *v);
	size_t i = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, o)
		v[i++] = c;
	qsort(v, n, sizeof *v, by_key);
	return v;
}

static bool same(const cJSON *cached, const cJSON *fresh)
{
	if (cJSON_IsArray(cached))
		return cJSON_GetArraySize(cached) == 0 && cJSON_GetArraySize(fresh) == 0;
	if (!cJSON_IsObject(cached) || cJSON_GetArraySize(cached) != cJSON_GetArraySize(fresh))
		return false;
	size_t n = (size_t)cJSON_GetArraySize(fresh);
	const cJSON **c = sorted_children(cached, n), **f = sorted_children(fresh, n);
	bool equal = true;
	for (size_t i = 0; i < n && equal; i++)
		equal = strcmp(c[i]->string, f[i]->string) == 0 && row_equal(c[i], f[i]);
	free(c);
	free(f);
	return equal;
}

void cmd_cachedog(struct req *r)
{
	/* Only the files backend can be read back here; with the others the
	 * cached copy is unknown and, as with PHP's fake backend, all is well. */
	if (strcmp(cfg_alter(r->cfg, "UBCACHE_STORAGE", ""), "files") != 0) {
		reply_text(r, "CACHEDOG:CACHE_OK");
		return;
	}
	long minutes = atol(cfg_alter(r->cfg, "USERALLDATA_CACHETIME", "1440"));
	char *raw = ubcache_get(r->cfg, "USER_ALL_DATA", (minutes > 0 ? minutes : 1440) * 60);
	cJSON *fresh = NULL;
	if (userdata_all(r, &fresh) != 0) {
		free(raw);
		reply_db_error(r);
		return;
	}
	if (!raw) {
		/* a miss: PHP's getCallback stores the fresh copy, so do we */
		struct sbuf out = SBUF_INIT;
		if (phpser_write_json(fresh, &out) == 0)
			ubcache_set(r->cfg, "USER_ALL_DATA", sbuf_str(&out));
		sbuf_free(&out);
		cJSON_Delete(fresh);
		reply_text(r, "CACHEDOG:CACHE_OK");
		return;
	}
	cJSON *cached = phpser_parse(raw, strlen(raw));
	free(raw);
	bool equal = cached && same(cached, fresh);
	cJSON_Delete(cached);
	cJSON_Delete(fresh);
	if (equal) {
		reply_text(r, "CACHEDOG:CACHE_OK");
		return;
	}
	ubcache_delete(r->cfg, "USER_ALL_DATA");
	ubcache_delete(r->cfg, "USER_ALL_REALNAMES");
	if (php_truthy(cfg_alter(r->cfg, "SMARTUP_ENABLED", ""))) {
		ubcache_delete(r->cfg, "SMARTUP_USERDATA");
		ubcache_delete(r->cfg, "SMARTUP_PAYIDS");
	}
	if (strcmp(cfg_alter_rcms(r->cfg, "ONLINE_HP_MODE", ""), "2") == 0)
		ubcache_delete(r->cfg, "HPONLINEJSON");
	if (php_truthy(cfg_alter_rcms(r->cfg, "USERBYNUM_ENABLED", "")) ||
	    php_truthy(cfg_alter_rcms(r->cfg, "TELEPONY_ENABLED", ""))) {
		ubcache_delete(r->cfg, "PHONEDATA");
		ubcache_delete(r->cfg, "EXTMOBILES");
		ubcache_delete(r->cfg, "PHONETELEPATHY");
	}
	if (php_truthy(cfg_alter_rcms(r->cfg, "BUILD_EXTENDED", "")))
		ubcache_delete(r->cfg, "USERBUILDS");
	reply_text(r, "CACHEDOG:CACHE_CLEANED");
}
