/* mgfreecleanup: end the Megogo trial subscriptions whose free days are
 * over (only when MG_SPREAD or MG_FREEPERIOD_DAYS sets a trial length). */
#include <syslog.h>

#include "actions.h"
#include "megogo.h"

void cmd_mgfreecleanup(struct req *r)
{
	struct megogo m;
	if (!mg_start(&m, r, true)) {
		mg_free(&m);
		return;
	}
	for (size_t i = 0; i < m.nsubs && m.free_rule && !m.db_failed; i++) {
		const struct mg_sub *s = &m.subs[i];
		if (!s->freeperiod)
			continue;
		if (!valid_login(s->login)) {
			syslog(LOG_WARNING, "ubapi mgfreecleanup: subscriber %ld skipped: bad login", s->id);
			continue;
		}
		if (mg_trial_expired(&m, s))
			mg_end_trial(&m, s, "MFC");
	}
	mg_reply(&m);
	mg_free(&m);
}
