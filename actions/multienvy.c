/* multienvy: envyarchive's per-device child (PHP called it over HTTP). */
#include <stdio.h>
#include <stdlib.h>

#include "actions.h"
#include "envy.h"
#include "util.h"

void cmd_multienvy(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "ENVY_ENABLED", "0")) ||
	    !php_truthy(cfg_alter(r->cfg, "MULTI_ENVY_PROC", "0"))) {
		reply_text(r, "ERROR:ENVY DISABLED");
		return;
	}
	const char *raw = req_param(r, "devid");
	struct sbuf id = SBUF_INIT;
	for (const char *c = raw ? raw : ""; *c; c++)
		if (*c >= '0' && *c <= '9')
			sbuf_putc(&id, *c);
	if (!param_present(&r->params, "devid") || id.len == 0 || id.len > 10) {
		sbuf_free(&id);
		reply_text(r, "ERROR:NO_DEVID");
		return;
	}
	char devid[16];
	snprintf(devid, sizeof devid, "%lld", atoll(sbuf_str(&id)));
	sbuf_free(&id);
	if (envy_run(r, devid, 1) != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:MULTI_ENVY_PROC");
}
