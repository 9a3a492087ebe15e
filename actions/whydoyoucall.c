/* whydoyoucall: today's unanswered and recalled calls from the TelePony CDR,
 * stored for the web UI as PHP-serialized arrays in exports/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "cdr.h"
#include "clock.h"
#include "util.h"

/* Both files are written beside their targets first and renamed only when
 * both are complete, so the web UI never sees one day's missed calls next
 * to another day's recalls. */
static int write_pair(struct req *r, const char *rel[2], const struct sbuf *data[2])
{
	char *path[2], *tmp[2];
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		path[i] = cfg_path(r->cfg, rel[i]);
		tmp[i] = xmalloc(strlen(path[i]) + 32);
		sprintf(tmp[i], "%s.%ld.tmp", path[i], (long)getpid());
	}
	for (int i = 0; i < 2 && rc == 0; i++) {
		FILE *f = fopen(tmp[i], "w");
		if (!f) {
			rc = -1;
			break;
		}
		if (fwrite(data[i]->s, 1, data[i]->len, f) != data[i]->len)
			rc = -1;
		if (fclose(f) != 0)
			rc = -1;
	}
	for (int i = 0; i < 2 && rc == 0; i++)
		if (rename(tmp[i], path[i]) != 0)
			rc = -1;
	for (int i = 0; i < 2; i++) {
		if (rc != 0)
			unlink(tmp[i]);
		free(tmp[i]);
		free(path[i]);
	}
	return rc;
}

void cmd_whydoyoucall(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "WDYC_ENABLED", ""))) {
		reply_text(r, "ERROR: WDYC DISABLED");
		return;
	}
	struct sbuf missed = SBUF_INIT, recalled = SBUF_INIT;
	const char *prefix = "";
	if (php_truthy(cfg_alter(r->cfg, "TELEPONY_ENABLED", "")) &&
	    php_truthy(cfg_alter(r->cfg, "TELEPONY_CDR", ""))) {
		/* PHP stores "nothing missed" when the CDR is unusable, wiping
		 * the list operators work from; ubapi keeps the last good files
		 * and says why. */
		struct cdr_conf conf;
		if (cdr_conf_parse(cfg_alter(r->cfg, "TELEPONY_CDR", ""), &conf) != 0) {
			reply_text(r, "ERROR:TELEPONY_CDR_INVALID");
			return;
		}
		char today[11];
		clock_format_date(r->now, today);
		struct cdr_flows flows;
		long timeout = cfg_ubapi_long(r->cfg, "db_timeout", 10);
		int rc = cdr_fetch_flows(&conf, timeout > 0 ? (unsigned)timeout : 10, today, today, &flows);
		cdr_conf_free(&conf);
		if (rc != 0) {
			reply_text(r, "ERROR:TELEPONY_CDR_UNAVAILABLE");
			return;
		}
		cdr_missed_calls(&flows, &missed, &recalled);
		cdr_flows_free(&flows);
		prefix = "TELEPONY:FETCHED\n";
	} else {
		sbuf_puts(&missed, "a:0:{}");
		sbuf_puts(&recalled, "a:0:{}");
	}
	const char *rel[2] = {"exports/whydoyourecall.dat", "exports/whydoyoucall.dat"};
	const struct sbuf *data[2] = {&recalled, &missed};
	int rc = write_pair(r, rel, data);
	sbuf_free(&missed);
	sbuf_free(&recalled);
	if (rc != 0)
		reply_text(r, "ERROR:WDYC_EXPORTS_NOT_WRITABLE");
	else
		reply_printf(r, "%sOK: WDYC", prefix);
}
