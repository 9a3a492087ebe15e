/* fastping: one parallel ICMP sweep of every pingable device into the
 * UbillingCache keys FASTPING (ip -> 1|0) and FASTDEAD (ip -> location),
 * which swping reads in FASTPING_ENABLED mode. PHP ran fping; the probe
 * list file is still written because the UI and operators look at it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "icmp.h"
#include "phpser.h"
#include "stardust.h"
#include "switches.h"
#include "ubcache.h"
#include "util.h"

void cmd_fastping(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "FASTPING_ENABLED", "0"))) {
		reply_text(r, "ERROR:FASTPING_DISABLED");
		return;
	}
	int got = stardust_start(r->db, "FASTPING");
	if (got <= 0) {
		if (got < 0)
			reply_db_error(r);
		else
			reply_text(r, "OK:FASTPING");
		return;
	}
	struct swlist sw;
	if (swlist_load(r->db, &sw, "ORDER BY `id` DESC") != 0) {
		stardust_stop(r->db, "FASTPING");
		reply_db_error(r);
		return;
	}
	/* unique ips, first (highest id) row wins */
	struct icmp_target *t = xcalloc(sw.n ? sw.n : 1, sizeof *t);
	const char **loc = xcalloc(sw.n ? sw.n : 1, sizeof *loc);
	size_t n = 0;
	for (size_t i = 0; i < sw.n; i++) {
		if (!sw_pingable(&sw.v[i]))
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = strcmp(t[k].addr, sw.v[i].ip) == 0;
		if (seen)
			continue;
		t[n].addr = sw.v[i].ip;
		loc[n++] = sw.v[i].location;
	}
	if (n > 0) {
		struct sbuf list = SBUF_INIT;
		for (size_t k = 0; k < n; k++)
			sbuf_printf(&list, "%s\n", t[k].addr);
		char *path = exports_path(r->cfg, "fastping_iplist");
		file_put(path, list.s, list.len, 0);
		free(path);
		sbuf_free(&list);
		struct icmp_opts o;
		icmp_opts_from_config(&o, r->cfg);
		icmp_ping_many(t, n, &o);
		size_t ndead = 0;
		for (size_t k = 0; k < n; k++)
			ndead += !t[k].alive;
		struct sbuf states = SBUF_INIT, dead = SBUF_INIT;
		phpser_array_begin(&states, n);
		phpser_array_begin(&dead, ndead);
		for (size_t k = 0; k < n; k++) {
			phpser_key_str(&states, t[k].addr);
			phpser_int(&states, t[k].alive ? 1 : 0);
			if (!t[k].alive) {
				phpser_key_str(&dead, t[k].addr);
				phpser_string(&dead, loc[k], strlen(loc[k]));
			}
		}
		phpser_array_end(&states);
		phpser_array_end(&dead);
		ubcache_set(r->cfg, "FASTPING", sbuf_str(&states));
		ubcache_set(r->cfg, "FASTDEAD", sbuf_str(&dead));
		sbuf_free(&states);
		sbuf_free(&dead);
	}
	free(loc);
	free(t);
	swlist_free(&sw);
	stardust_stop(r->db, "FASTPING");
	reply_text(r, "OK:FASTPING");
}
