/* nasmon: ping every NAS, leave exports/nasmonlist.dat (HTML table) and
 * exports/nasmondead.dat (dead count) for the UI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "icmp.h"
#include "stardust.h"
#include "switches.h"
#include "util.h"

static void html_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': sbuf_puts(b, "&lt;"); break;
		case '>': sbuf_puts(b, "&gt;"); break;
		case '&': sbuf_puts(b, "&amp;"); break;
		case '"': sbuf_puts(b, "&quot;"); break;
		default: sbuf_putc(b, *s);
		}
	}
}

static void write_files(struct req *r, const struct db_rows *nas, const struct icmp_target *t)
{
	size_t dead = 0;
	struct sbuf html = SBUF_INIT;
	if (nas->nrows == 0) {
		sbuf_puts(&html, "<span class=\"alert_warning\" >No NAS available in database</span >");
	} else {
		struct sbuf rows = SBUF_INIT;
		sbuf_puts(&rows, "<tr class=\"row1\"><td     >NAS name</td>\n<td     >IP</td>\n"
				 "<td     >Status</td>\n</tr>\n");
		for (size_t i = 0; i < nas->nrows; i++) {
			dead += !t[i].alive;
			sbuf_puts(&rows, "<tr class=\"row5\"><td     >");
			html_escape(&rows, db_cell(nas, i, 1));
			sbuf_puts(&rows, "</td>\n<td     >");
			html_escape(&rows, db_cell(nas, i, 0));
			sbuf_printf(&rows, "</td>\n<td     ><img src=\"skins/icon_%s.gif\"  border=\"0\"> %s</td>\n</tr>\n",
				    t[i].alive ? "active" : "inactive", t[i].alive ? "Alive" : "Dead");
		}
		sbuf_printf(&html,
			    "\n        <table width=\"100%%\" border=\"0\" class=\"sortable\"  >\n            %s\n"
			    "        </table>\n        <b >Total: </b >%zu",
			    sbuf_str(&rows), nas->nrows);
		sbuf_free(&rows);
	}
	char *p = exports_path(r->cfg, "nasmonlist.dat");
	file_put(p, html.s, html.len, 0);
	free(p);
	char cnt[32];
	snprintf(cnt, sizeof cnt, "%zu", dead);
	p = exports_path(r->cfg, "nasmondead.dat");
	file_put(p, cnt, strlen(cnt), 0);
	free(p);
	sbuf_free(&html);
}

void cmd_nasmon(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "NASMON_ENABLED", "1"))) {
		reply_text(r, "ERROR: NASMON DISABLED");
		return;
	}
	int got = stardust_start(r->db, "NASMON");
	if (got <= 0) {
		if (got < 0)
			reply_db_error(r);
		else
			reply_text(r, "SKIP:NASMON_ALREADY_RUNNING");
		return;
	}
	/* PHP's GROUP BY nasip, made deterministic: the first row of each ip */
	struct db_rows nas;
	if (db_query(r->db, &nas,
		     "SELECT n.`nasip`, n.`nasname` FROM `nas` n JOIN (SELECT MIN(`id`) AS `id` FROM `nas` "
		     "GROUP BY `nasip`) f ON f.`id`=n.`id` ORDER BY n.`nasip` ASC",
		     "") != 0) {
		stardust_stop(r->db, "NASMON");
		reply_db_error(r);
		return;
	}
	struct icmp_target *t = xcalloc(nas.nrows ? nas.nrows : 1, sizeof *t);
	for (size_t i = 0; i < nas.nrows; i++)
		t[i].addr = db_cell(&nas, i, 0);
	struct icmp_opts o;
	icmp_opts_from_config(&o, r->cfg);
	o.attempts = 2; /* PHP: a dead NAS gets one more probe */
	icmp_ping_many(t, nas.nrows, &o);
	write_files(r, &nas, t);
	free(t);
	db_rows_free(&nas);
	stardust_stop(r->db, "NASMON");
	reply_text(r, "OK: NASMON");
}
