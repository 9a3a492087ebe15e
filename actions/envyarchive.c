/* envyarchive: stores every active envy device's running config. With
 * MULTI_ENVY_PROC the scripts run side by side in-process (PHP spawned
 * multienvy children through the shell). */
#include <stdlib.h>

#include "actions.h"
#include "envy.h"
#include "stardust.h"
#include "switches.h"
#include "util.h"

void cmd_envyarchive(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "ENVY_ENABLED", "0"))) {
		reply_text(r, "ERROR:ENVY DISABLED");
		return;
	}
	bool err = false;
	char *scripts = db_value(r->db, &err, "SELECT COUNT(*) FROM `envyscripts`", "");
	char *devices = err ? NULL : db_value(r->db, &err, "SELECT COUNT(*) FROM `envydevices`", "");
	bool work = !err && scripts && devices && atol(scripts) > 0 && atol(devices) > 0;
	free(scripts);
	free(devices);
	if (err) {
		reply_db_error(r);
		return;
	}
	if (!work) {
		reply_text(r, "OK:ENVYARCHIVE");
		return;
	}
	int got = stardust_start(r->db, "ENVYPROC_ALL");
	if (got < 0) {
		reply_db_error(r);
		return;
	}
	if (got == 0) {
		reply_text(r, "OK:ENVYARCHIVE");
		return;
	}
	long multi = atol(cfg_alter(r->cfg, "MULTI_ENVY_PROC", "0"));
	int parallel = multi >= 1 ? (int)cfg_ubapi_long(r->cfg, "envy_parallel", 8) : 1;
	int rc = envy_run(r, NULL, parallel);
	stardust_stop(r->db, "ENVYPROC_ALL");
	if (rc != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:ENVYARCHIVE");
}
