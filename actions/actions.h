/* The action table: one entry per remoteapi action, like git's commands[].
 * Adding an action is one file in actions/ plus one line in table.c. */
#ifndef UBAPI_ACTIONS_H
#define UBAPI_ACTIONS_H

#include "req.h"
#include "validate.h"

enum action_flags {
	ACT_KEYLESS = 1 << 0, /* answered on the key-less path (identify) */
	ACT_LOCK = 1 << 1,    /* one run at a time, across workers and hosts */
	ACT_BILLING = 1 << 2, /* talks to the billing core */
	ACT_NO_REQID = 1 << 3, /* replies are not stored for reqid replay */
};

/* A parameter the front checks before the handler runs, kcgi-style: when
 * the parameter is set and non-empty it must pass check, else the reply is
 * error and nothing runs. Presence rules stay with the handler, because
 * Ubilling's "missing" replies differ per action. */
struct param_rule {
	const char *name;
	bool (*check)(const char *value);
	const char *error;
};

#define MAX_PARAM_RULES 8

struct action {
	const char *name;
	void (*run)(struct req *r);
	unsigned flags;
	const char *lock_name;  /* ACT_LOCK: default "ubapi_<name>" */
	const char *busy_reply; /* ACT_LOCK: default "SKIP:<NAME>_ALREADY_RUNNING" */
	struct param_rule rules[MAX_PARAM_RULES];
};

const struct action *action_find(const char *name);
/* For --list and the README: the table in name order. */
const struct action *action_table(size_t *count);
/* "ACTION" -> upper case copy in buf, for OK:/SKIP: replies. */
void action_upper(const char *name, char *buf, size_t size);

#define ACTION_HANDLER(fn) void fn(struct req *r)

ACTION_HANDLER(cmd_identify);
ACTION_HANDLER(cmd_paycardsqueue);
ACTION_HANDLER(cmd_reset);
ACTION_HANDLER(cmd_sc);
ACTION_HANDLER(cmd_senddog);
ACTION_HANDLER(cmd_setculpa);
ACTION_HANDLER(cmd_usercash);
ACTION_HANDLER(cmd_fastping);
ACTION_HANDLER(cmd_fdbarchive);
ACTION_HANDLER(cmd_nasmon);
ACTION_HANDLER(cmd_policedog);
ACTION_HANDLER(cmd_swping);
ACTION_HANDLER(cmd_uhwbrutecleanup);
ACTION_HANDLER(cmd_autocredit);
ACTION_HANDLER(cmd_autofreeze);
ACTION_HANDLER(cmd_autofreezemonth);
ACTION_HANDLER(cmd_cudiscounts);
ACTION_HANDLER(cmd_discountprocessing);
ACTION_HANDLER(cmd_freezedayscharge);
ACTION_HANDLER(cmd_freezemonth);
ACTION_HANDLER(cmd_vserviceschargefee);
ACTION_HANDLER(cmd_askozianum);
ACTION_HANDLER(cmd_asterisk);
ACTION_HANDLER(cmd_callmeback);
ACTION_HANDLER(cmd_callshistusrupd);
ACTION_HANDLER(cmd_getagentdata);
ACTION_HANDLER(cmd_telepony);
ACTION_HANDLER(cmd_userbyip);
ACTION_HANDLER(cmd_userbynum);
ACTION_HANDLER(cmd_watchdog);
ACTION_HANDLER(cmd_whydoyoucall);
ACTION_HANDLER(cmd_whydoyoucallstats);
ACTION_HANDLER(cmd_exhorse);

ACTION_HANDLER(cmd_crimeandpunishment);
ACTION_HANDLER(cmd_ddt);
ACTION_HANDLER(cmd_dealwithit);
ACTION_HANDLER(cmd_friendshipdaily);
ACTION_HANDLER(cmd_karmaguard);
ACTION_HANDLER(cmd_pt);
ACTION_HANDLER(cmd_ptvchargefee);
ACTION_HANDLER(cmd_swpoll);
ACTION_HANDLER(cmd_horde);
ACTION_HANDLER(cmd_olltvchargefee);
ACTION_HANDLER(cmd_oltpoll);
ACTION_HANDLER(cmd_herd);
ACTION_HANDLER(cmd_mtsigmonpoll);
ACTION_HANDLER(cmd_writevlanmachistory);
ACTION_HANDLER(cmd_envyarchive);
ACTION_HANDLER(cmd_multienvy);
ACTION_HANDLER(cmd_switchescoverage);
/* maintenance: spec actions-ops.md §5.1-5.4, §5.7 (backupdb, feesharvester and
 * rebuildglscache take PHP's StarDust locks themselves: their busy paths differ) */
ACTION_HANDLER(cmd_autocleandb);
ACTION_HANDLER(cmd_backupdb);
ACTION_HANDLER(cmd_cachedog);
ACTION_HANDLER(cmd_feesharvester);
ACTION_HANDLER(cmd_rebuildglscache);
ACTION_HANDLER(cmd_districtscache); /* §5.5 */
ACTION_HANDLER(cmd_stgfeecharge2mysql); /* §5.8 */
/* Bitrix24 pushes: spec actions-services.md §8-§9 (StarDust locks taken
 * after the enable check, in the handlers) */
ACTION_HANDLER(cmd_btrxpolls);
ACTION_HANDLER(cmd_btrxupd);
/* network hosts: spec actions-network.md §2-§4 */
ACTION_HANDLER(cmd_fullhostscan);
ACTION_HANDLER(cmd_rebuilduserdatacache);
ACTION_HANDLER(cmd_remotedhcp);
ACTION_HANDLER(cmd_reminder);
/* MultiGen: spec actions-network.md §5 (multigen and multigentotal take PHP's
 * StarDust lock stardustPID_MULTIGEN themselves: it comes after the enable check) */
ACTION_HANDLER(cmd_multigen);
ACTION_HANDLER(cmd_multigenpod);
ACTION_HANDLER(cmd_multigentotal);
ACTION_HANDLER(cmd_multigentraff);
/* MikroTik dynamic shaper and OphanimFlow import: spec actions-network.md §6-§7
 * (ophanimtraff takes PHP's StarDust lock itself: it comes after the enable check) */
ACTION_HANDLER(cmd_mikrotikdnshaper);
ACTION_HANDLER(cmd_ophanimtraff);
ACTION_HANDLER(cmd_handlersrebuild);
/* Megogo TV: spec actions-services.md §2 */
ACTION_HANDLER(cmd_mgfreecleanup);
ACTION_HANDLER(cmd_mgprocessing);
ACTION_HANDLER(cmd_mgqueue);
/* UKV cable TV: spec actions-services.md §3 */
ACTION_HANDLER(cmd_ukvfeeprocessing);
/* OpenPayz SMS notices and SMSZilla bulk SMS: spec actions-ops.md §5.17, §5.12 */
ACTION_HANDLER(cmd_opayzsmsnotify);
ACTION_HANDLER(cmd_smszilla);
/* Visor camera top-ups and SmartUP lookups: spec actions-services.md §6, §7 */
ACTION_HANDLER(cmd_smartup);
ACTION_HANDLER(cmd_visorcharge);
/* Telegram notifiers: spec actions-ops.md §5.13-§5.16, §5.25 */
ACTION_HANDLER(cmd_pseudocrm);
ACTION_HANDLER(cmd_salarytelegram);
ACTION_HANDLER(cmd_stickynotify);
ACTION_HANDLER(cmd_taskmannotify);
ACTION_HANDLER(cmd_warehousetelegram);
#endif
