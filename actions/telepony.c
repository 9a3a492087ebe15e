/* telepony: the PBX asks who is calling and in what state the account is. */
#include "actions.h"
#include "phones.h"
#include "util.h"

void cmd_telepony(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "TELEPONY_ENABLED", ""))) {
		reply_text(r, "ERROR: TELEPONY DISABLED");
		return;
	}
	if (!param_present(&r->params, "number")) {
		reply_text(r, "ERROR: EMPTY NUMBER");
		return;
	}
	struct sbuf out = SBUF_INIT;
	if (pbx_reply(r, req_param(r, "number"), req_param(r, "number"), false, &out) != 0)
		reply_db_error(r);
	else
		reply_text(r, out.s);
	sbuf_free(&out);
}
