/* multigen: regenerates the FreeRADIUS attribute tables (spec
 * actions-network.md §5.9), with the daily cleanup at
 * MULTIGEN_AUTOCLEANUP_TIME. PHP's StarDust lock, so PHP and ubapi runs
 * exclude each other. */
#include "actions.h"
#include "multigen.h"
#include "util.h"

void cmd_multigen(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "MULTIGEN_ENABLED", ""))) {
		reply_text(r, "ERROR: MULTIGEN DISABLED");
		return;
	}
	struct sbuf prefix = SBUF_INIT;
	int rc = multigen_generate(r, false, &prefix);
	if (rc == MLG_BUSY)
		reply_text(r, "SKIP: MULTIGEN ALREADY RUNNING");
	else if (rc == MLG_DBERR)
		reply_db_error(r);
	else
		reply_printf(r, "%sOK: MULTIGEN", sbuf_str(&prefix));
	sbuf_free(&prefix);
}
