/* swping: ICMP sweep of the switch directory -> ubstorage SWDEAD, "dead
 * since" rows in deathtime, a switchdeadlog row when anything is dead. All
 * hosts are probed at once (lib/icmp), not one ping process per host. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "icmp.h"
#include "phpser.h"
#include "runcmd.h"
#include "stardust.h"
#include "storage.h"
#include "switches.h"
#include "ubcache.h"
#include "util.h"

static bool ip_literal(const char *ip)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1;
}

/* SWITCH_PING_CUSTOM_SCRIPT <ip>: the host lives when it prints 1 */
static bool custom_alive(const char *script, const char *ip)
{
	if (!ip_literal(ip))
		return false;
	size_t argc;
	char **argv = spawn_argv_split(script, 1, &argc);
	if (argc == 0) {
		spawn_argv_free(argv);
		return false;
	}
	argv[argc] = xstrdup(ip);
	struct sbuf out = SBUF_INIT;
	struct spawn_result res;
	bool alive = false;
	if (spawn_run(argv, 30000, 4096, &out, &res) == 0) {
		char *o = xstrdup(sbuf_str(&out));
		alive = strcmp(str_trim(o), "1") == 0;
		free(o);
	}
	sbuf_free(&out);
	spawn_argv_free(argv);
	return alive;
}

static bool fastping_alive(cJSON *cache, const char *ip)
{
	const cJSON *v = cache ? cJSON_GetObjectItemCaseSensitive(cache, ip) : NULL;
	if (!v)
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return php_truthy(v->valuestring);
	return cJSON_IsTrue(v);
}

struct dead {
	char **ip, **loc;
	size_t n;
};

static void dead_put(struct dead *d, const char *ip, const char *loc)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->ip[i], ip) == 0) {
			free(d->loc[i]);
			d->loc[i] = xstrdup(loc);
			return;
		}
	d->ip = xrealloc(d->ip, (d->n + 1) * sizeof *d->ip);
	d->loc = xrealloc(d->loc, (d->n + 1) * sizeof *d->loc);
	d->ip[d->n] = xstrdup(ip);
	d->loc[d->n] = xstrdup(loc);
	d->n++;
}

static bool in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* Returns 0, or -1 on a database error. */
static int sweep(struct req *r, struct dead *d)
{
	struct db_rows dt;
	if (db_query(r->db, &dt, "SELECT DISTINCT `ip` FROM `deathtime`", "") != 0)
		return -1;
	struct swlist sw;
	if (swlist_load(r->db, &sw, "ORDER BY `location` ASC, `id` ASC") != 0) {
		db_rows_free(&dt);
		return -1;
	}
	struct icmp_target *t = xcalloc(sw.n ? sw.n : 1, sizeof *t);
	bool fast = php_truthy(cfg_alter(r->cfg, "FASTPING_ENABLED", "0"));
	if (fast) {
		char *c = ubcache_get(r->cfg, "FASTPING", 2592000);
		cJSON *cache = c ? phpser_parse(c, strlen(c)) : NULL;
		for (size_t i = 0; i < sw.n; i++)
			t[i].alive = sw_pingable(&sw.v[i]) && fastping_alive(cache, sw.v[i].ip);
		cJSON_Delete(cache);
		free(c);
	} else {
		size_t n = 0;
		size_t *map = xcalloc(sw.n ? sw.n : 1, sizeof *map);
		for (size_t i = 0; i < sw.n; i++)
			if (sw_pingable(&sw.v[i])) {
				t[n].addr = sw.v[i].ip;
				map[n++] = i;
			}
		struct icmp_opts o;
		icmp_opts_from_config(&o, r->cfg);
		icmp_ping_many(t, n, &o);
		/* results back to row order */
		bool *alive = xcalloc(sw.n ? sw.n : 1, sizeof *alive);
		for (size_t k = 0; k < n; k++)
			alive[map[k]] = t[k].alive;
		const char *script = cfg_alter(r->cfg, "SWITCH_PING_CUSTOM_SCRIPT", "");
		for (size_t i = 0; i < sw.n; i++) {
			t[i].alive = alive[i];
			if (!alive[i] && sw_pingable(&sw.v[i]) && script[0])
				t[i].alive = custom_alive(script, sw.v[i].ip);
		}
		free(alive);
		free(map);
	}
	char now[20];
	clock_format_datetime(clock_now(), now);
	char **inserted = NULL;
	size_t ninserted = 0;
	int rc = 0;
	for (size_t i = 0; i < sw.n && rc == 0; i++) {
		const struct swdev *s = &sw.v[i];
		if (!sw_pingable(s))
			continue;
		if (!t[i].alive) {
			dead_put(d, s->ip, s->location);
			bool known = false;
			for (size_t k = 0; k < dt.nrows && !known; k++)
				known = db_cell(&dt, k, 0) && strcmp(db_cell(&dt, k, 0), s->ip) == 0;
			if (!known && !in_list(inserted, ninserted, s->ip)) {
				if (db_exec(r->db, "INSERT INTO `deathtime` (`ip`,`date`) VALUES (?,?)", "ss",
					    s->ip, now) < 0)
					rc = -1;
				inserted = xrealloc(inserted, (ninserted + 1) * sizeof *inserted);
				inserted[ninserted++] = s->ip;
			}
		}
	}
	/* rows of hosts that answered, or that left the directory: not dead any more */
	for (size_t k = 0; k < dt.nrows && rc == 0; k++) {
		const char *ip = db_cell(&dt, k, 0);
		bool still = false;
		for (size_t i = 0; ip && i < d->n && !still; i++)
			still = strcmp(d->ip[i], ip) == 0;
		if (ip && !still && db_exec(r->db, "DELETE FROM `deathtime` WHERE `ip`=?", "s", ip) < 0)
			rc = -1;
	}
	free(inserted);
	free(t);
	swlist_free(&sw);
	db_rows_free(&dt);
	return rc;
}

static char *dead_serialize(const struct dead *d)
{
	struct sbuf s = SBUF_INIT;
	phpser_array_begin(&s, d->n);
	for (size_t i = 0; i < d->n; i++) {
		phpser_key_str(&s, d->ip[i]);
		phpser_string(&s, d->loc[i], strlen(d->loc[i]));
	}
	phpser_array_end(&s);
	return sbuf_detach(&s);
}

void cmd_swping(struct req *r)
{
	int got = stardust_start(r->db, "SWPING");
	if (got <= 0) {
		if (got < 0)
			reply_db_error(r);
		else
			reply_text(r, "SKIP:SWPING_ALREADY_RUNNING");
		return;
	}
	time_t t0 = r->now;
	struct dead d = { NULL, NULL, 0 };
	/* one commit for the whole sweep, not one per switch */
	int rc = db_begin(r->db);
	if (rc == 0)
		rc = sweep(r, &d);
	char *ser = dead_serialize(&d);
	if (rc == 0)
		rc = storage_set(r->db, "SWDEAD", ser);
	if (rc == 0)
		rc = db_commit(r->db);
	else if (db_in_transaction(r->db))
		db_rollback(r->db);
	stardust_stop(r->db, "SWPING");
	char stamp[24];
	snprintf(stamp, sizeof stamp, "%lld", (long long)t0);
	if (rc == 0)
		rc = storage_set(r->db, "SWPINGTIME", stamp);
	if (rc == 0 && d.n > 0) {
		char now[20];
		clock_format_datetime(clock_now(), now);
		if (db_exec(r->db,
			    "INSERT INTO `switchdeadlog` (`date`,`timestamp`,`swdead`) VALUES (?,?,?)",
			    "sis", now, (long long)t0, ser) < 0)
			rc = -1;
	}
	free(ser);
	for (size_t i = 0; i < d.n; i++) {
		free(d.ip[i]);
		free(d.loc[i]);
	}
	free(d.ip);
	free(d.loc);
	if (rc != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:SWPING");
}
