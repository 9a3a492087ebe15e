/* getagentdata: the contragent (legal entity) serving a user, as JSON. */
#include "actions.h"
#include "phpjson.h"
#include "userdata.h"

void cmd_getagentdata(struct req *r)
{
	if (!param_present(&r->params, "param")) {
		reply_text(r, "ERROR:NO_LOGIN_PARAM");
		return;
	}
	cJSON *agent = NULL;
	if (agent_data(r, req_param(r, "param"), true, &agent) != 0) {
		cJSON_Delete(agent);
		reply_db_error(r);
		return;
	}
	struct sbuf out = SBUF_INIT;
	if (phpjson_print_php(agent, &out) != 0)
		sbuf_reset(&out);
	reply_text(r, sbuf_str(&out));
	reply_set_type(r, CT_JSON);
	sbuf_free(&out);
	cJSON_Delete(agent);
}
