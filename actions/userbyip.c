/* userbyip: a user's all-data found by IP address. */
#include <stdlib.h>

#include "actions.h"
#include "userdata.h"
#include "util.h"
#include "validate.h"

void cmd_userbyip(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "USERBYIP_ENABLED", ""))) {
		reply_text(r, "ERROR: USERBYIP DISABLED");
		return;
	}
	if (!param_present(&r->params, "ip")) {
		reply_text(r, "ERROR: EMPTY IP");
		return;
	}
	char *login = NULL;
	if (valid_ipv4(req_param(r, "ip"))) {
		bool err = false;
		login = db_value(r->db, &err, "SELECT `login` FROM `users` WHERE `IP` = ? LIMIT 1", "s", req_param(r, "ip"));
		if (err) {
			reply_db_error(r);
			return;
		}
	}
	userdata_reply(r, login);
	free(login);
}
