/* multigentotal: flushes the three scenario tables and regenerates them
 * (spec actions-network.md §5.10), under multigen's StarDust lock. */
#include "actions.h"
#include "multigen.h"
#include "util.h"

void cmd_multigentotal(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "MULTIGEN_ENABLED", ""))) {
		reply_text(r, "ERROR: MULTIGEN DISABLED");
		return;
	}
	int rc = multigen_generate(r, true, NULL);
	if (rc == MLG_BUSY)
		reply_text(r, "SKIP: MULTIGEN ALREADY RUNNING");
	else if (rc == MLG_DBERR)
		reply_db_error(r);
	else
		reply_text(r, "OK: MULTIGEN_TOTAL");
}
