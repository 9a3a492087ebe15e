/* askozianum: the historic Askozia PBX hook (removed upstream, still in the
 * user documentation): userstatus for the number in param. */
#include "actions.h"
#include "phones.h"
#include "util.h"

void cmd_askozianum(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "ASKOZIA_ENABLED", ""))) {
		reply_text(r, "ERROR: ASKOIZA DISABLED");
		return;
	}
	if (!param_present(&r->params, "param")) {
		reply_text(r, "ERROR: EMPTY PARAM");
		return;
	}
	struct sbuf out = SBUF_INIT;
	if (pbx_reply(r, req_param(r, "param"), req_param(r, "param"), false, &out) != 0)
		reply_db_error(r);
	else
		reply_text(r, out.s);
	sbuf_free(&out);
}
