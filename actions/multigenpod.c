/* multigenpod: PoD (or CoA) for one login after its data changed outside
 * Ubilling (spec actions-network.md §5.12). */
#include "actions.h"
#include "multigen.h"
#include "networks.h"
#include "util.h"

void cmd_multigenpod(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "MULTIGEN_ENABLED", ""))) {
		reply_text(r, "ERROR: MULTIGEN DISABLED");
		return;
	}
	if (!param_present(&r->params, "param")) {
		reply_text(r, "ERROR: NO_LOGIN");
		return;
	}
	const char *mode = cfg_alter(r->cfg, "MULTIGEN_POD_ON_MAC_CHANGE", "");
	if (!php_truthy(mode)) {
		reply_text(r, "ERROR: MULTIGEN_POD_ON_MAC_CHANGE DISABLED");
		return;
	}
	struct zval m = { .k = Z_STR, .s = mode }, one = { .k = Z_INT, .i = 1 }, two = { .k = Z_INT, .i = 2 };
	int n = php_loose_eq(&m, &two) ? 2 : php_loose_eq(&m, &one) ? 1 : 0;
	if (multigenpod_run(r, req_param(r, "param"), n) != MLG_OK) {
		reply_db_error(r);
		return;
	}
	reply_text(r, "OK: MULTIGENPOD");
}
