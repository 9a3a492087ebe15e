/* multigentraff: FreeRADIUS accounting octets into the users' traffic
 * counters (spec actions-network.md §5.11). PHP has no lock here; ubapi's
 * own (ubapi_multigentraff) keeps two runs from adding one delta twice. */
#include "actions.h"
#include "multigen.h"
#include "util.h"

void cmd_multigentraff(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "MULTIGEN_ENABLED", ""))) {
		reply_text(r, "ERROR: MULTIGEN DISABLED");
		return;
	}
	if (multigentraff_run(r) != MLG_OK) {
		reply_db_error(r);
		return;
	}
	reply_text(r, "OK: MULTIGEN_TRAFF");
}
