/* exhorse: Ubilling's "existential horse" monthly statistics snapshot
 * (spec actions-ops.md §5.6). Guarded by the StarDust lock EXHORSE so PHP
 * and ubapi runs exclude each other; the work is in lib/exhorse.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "actions.h"
#include "exhorse.h"
#include "stardust.h"
#include "switches.h"
#include "util.h"

void cmd_exhorse(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "EXHORSE_ENABLED", ""))) {
		reply_text(r, "ERROR:EXHORSE_DISABLED");
		return;
	}
	struct stardust lock;
	if (!stardust_take_or_reply(r, "EXHORSE", "SKIP:EXHORSE_ALREADY_RUNNING", &lock))
		return;
	const char *reply = exhorse_run(r, param_present(&r->params, "ebobo"));
	stardust_give(r->db, &lock);
	if (strcmp(reply, "ERROR:DB") == 0)
		reply_db_error(r);
	else
		reply_text(r, reply);
}
