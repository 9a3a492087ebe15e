/* senddog: sends everything the web UI queued (Telegram, email, SMS
 * through the configured classic service) and answers with the queue
 * sizes found (advanced mode: SMS routed by sms_services). The pid file
 * keeps PHP and ubapi runs apart. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "front.h"
#include "senddog.h"
#include "util.h"

static bool alter_on(struct req *r, const char *key)
{
	return php_truthy(cfg_alter(r->cfg, key, ""));
}

void cmd_senddog(struct req *r)
{
	if (!alter_on(r, "SENDDOG_ENABLED")) {
		reply_text(r, "ERROR:SENDDOG_DISABLED");
		return;
	}
	const char *param = req_param(r, "param");
	bool check = param && strcmp(param, "chkmsgstatuses") == 0;
	bool advanced = alter_on(r, "SMS_SERVICES_ADVANCED_ENABLED");
	bool history = alter_on(r, "SMS_HISTORY_ON");
	struct sd_adv *adv = NULL;
	if (advanced) {
		if (!check || history) {
			adv = sd_adv_load(r, check);
			if (!adv) {
				reply_db_error(r);
				return;
			}
		}
		/* a service class (or the PHPMailer queue) ubapi does not send
		 * through: the whole run is PHP's, decided before the pid file is
		 * taken so that the PHP run can take it */
		if ((!check && alter_on(r, "SMS_SERVICES_ADVANCED_PHPMAILER_ON")) || (adv && sd_adv_needs_php(adv))) {
			sd_adv_free(adv);
			if (!front_php_fallback(r))
				reply_text(r, "ERROR:SENDDOG_ADVANCED_NOT_SUPPORTED");
			return;
		}
	}
	char stamp[24];
	clock_format_datetime(r->now, stamp);
	char *pidpath = cfg_path(r->cfg, SD_PID_FILE);
	/* "parallel mode" is, despite its name, the protected one */
	int pidfd = sd_pid_take(pidpath, alter_on(r, "SENDDOG_PARALLEL_MODE"),
				cfg_ubapi_long(r->cfg, "senddog_pid_stale_s", 3600), stamp);
	if (pidfd == -1) {
		reply_text(r, "WARNING:SENDDOG_ALREADY_RUNING");
		sd_adv_free(adv);
		free(pidpath);
		return;
	}
	struct sd_services *s = advanced ? sd_services_load_advanced(r) : sd_services_load(r);
	if (!s) {
		sd_adv_free(adv);
		sd_pid_release(pidpath, pidfd);
		free(pidpath);
		reply_db_error(r);
		return;
	}
	if (check) {
		if (history && advanced) {
			if (sd_adv_expire(r) == 0)
				sd_adv_status_check(r, adv);
		} else if (history) {
			sd_run_status_check(r, s);
		}
		reply_text(r, history ? "OK:SENDDOG SMS STATUS CHECK PROCESSED" : "OK:SENDDOG SMS HISTORY DISABLED");
	} else {
		/* StarDust bookkeeping only, as in PHP: its result decides nothing */
		int stardust = db_lock_try(r->db, "stardustPID_SENDDOG");
		long tlg = sd_run_telegram(r, s);
		long eml = sd_run_email(r);
		long sms = advanced ? sd_adv_run_sms(r, adv) : sd_run_sms(r, s);
		if (stardust == 1)
			db_lock_release(r->db, "stardustPID_SENDDOG");
		reply_printf(r, "OK:SENDDOG SMS `%ld` TLG `%ld` EML `%ld`", sms, tlg, eml);
	}
	sd_adv_free(adv);
	sd_services_free(s);
	sd_pid_release(pidpath, pidfd);
	free(pidpath);
}
