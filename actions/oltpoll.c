/* oltpoll: polls every OLT of the directory into exports/pondata/ (spec
 * §2.4). HERD_OF_PONIES only changes what is printed (herd children never
 * printed their lines): the OLTs are always polled here, all at once. */
#include <stdio.h>
#include <stdlib.h>

#include "actions.h"
#include "pon.h"
#include "stardust.h"
#include "switches.h"
#include "util.h"
#include "weblog.h"

void cmd_oltpoll(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "PON_ENABLED", "0"))) {
		reply_text(r, "ERROR:PON_DISABLED");
		return;
	}
	if (stardust_running(r->db, "ONUSIGCOMPRESSOR")) {
		weblog(r, "PON OLTPOLL SKIPPED DUE COMPRESSOR RUNNING");
		reply_text(r, "SKIPPED:OLTPOLL");
		return;
	}
	struct pon_olt *olts;
	size_t n;
	if (pon_load_olts(r->cfg, r->db, &olts, &n, NULL) != 0) {
		reply_db_error(r);
		return;
	}
	reply_text(r, "");
	for (size_t i = 0; i < n; i++)
		sbuf_printf(&r->reply.body, "POLLING:%s %s - %s\n", olts[i].id, olts[i].ip, olts[i].location);
	bool herd = php_truthy(cfg_alter(r->cfg, "HERD_OF_PONIES", "1"));
	struct sbuf *lines = xcalloc(n ? n : 1, sizeof *lines);
	pon_poll(r->cfg, r->db, olts, n, lines);
	/* inline mode printed each OLT's lines right after its POLLING line */
	if (!herd) {
		reply_text(r, "");
		for (size_t i = 0; i < n; i++) {
			sbuf_printf(&r->reply.body, "POLLING:%s %s - %s\n", olts[i].id, olts[i].ip, olts[i].location);
			sbuf_add(&r->reply.body, lines[i].s ? lines[i].s : "", lines[i].len);
		}
	}
	for (size_t i = 0; i < n; i++)
		sbuf_free(&lines[i]);
	free(lines);
	pon_free_olts(olts, n);
	sbuf_puts(&r->reply.body, "OK:OLTPOLL");
}
