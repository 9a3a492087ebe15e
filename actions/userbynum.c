/* userbynum: a user's all-data found by phone number. */
#include <stdlib.h>

#include "actions.h"
#include "phones.h"
#include "userdata.h"
#include "util.h"

void cmd_userbynum(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "USERBYNUM_ENABLED", ""))) {
		reply_text(r, "ERROR: USERBYNUM DISABLED");
		return;
	}
	if (!param_present(&r->params, "number")) {
		reply_text(r, "ERROR: EMPTY NUMBER");
		return;
	}
	char *login = NULL;
	if (phones_telepathy(r, req_param(r, "number"), php_truthy(cfg_alter(r->cfg, "MOBILES_EXT", "")), &login) != 0) {
		reply_db_error(r);
		return;
	}
	userdata_reply(r, login);
	free(login);
}
