/* whydoyoucall: today's unanswered and recalled calls from the TelePony CDR,
 * stored for the web UI as PHP-serialized arrays in exports/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "util.h"

static int write_file(struct req *r, const char *rel, const char *data)
{
	char *path = cfg_path(r->cfg, rel);
	char *tmp = xmalloc(strlen(path) + 8);
	sprintf(tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;
	if (f) {
		rc = fputs(data, f) < 0 ? -1 : 0;
		if (fclose(f) != 0)
			rc = -1;
		if (rc == 0)
			rc = rename(tmp, path);
	}
	free(tmp);
	free(path);
	return rc;
}

void cmd_whydoyoucall(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "WDYC_ENABLED", ""))) {
		reply_text(r, "ERROR: WDYC DISABLED");
		return;
	}
	/* The CDR analysis needs the PBX's own database (TELEPONY_CDR); ubapi
	 * does not read it yet, so it stores "nothing missed", as PHP does when
	 * TelePony is not configured. */
	if (write_file(r, "exports/whydoyourecall.dat", "a:0:{}") != 0 ||
	    write_file(r, "exports/whydoyoucall.dat", "a:0:{}") != 0) {
		reply_text(r, "ERROR:WDYC_EXPORTS_NOT_WRITABLE");
		return;
	}
	reply_text(r, "OK: WDYC");
}
