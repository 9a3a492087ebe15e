#include "actions.h"
#include "batch.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sorted by name: action_find() searches it with bsearch. */
static const struct action actions[] = {
	{ "askozianum", cmd_askozianum, 0, NULL, NULL, { { 0 } } },
	{ "asterisk", cmd_asterisk, ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "autocleandb", cmd_autocleandb, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "autocredit", cmd_autocredit, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "autofreeze", cmd_autofreeze, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "autofreezemonth", cmd_autofreezemonth, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "backupdb", cmd_backupdb, 0, NULL, NULL, { { 0 } } },
	{ "btrxpolls", cmd_btrxpolls, 0, NULL, NULL, { { 0 } } },
	{ "btrxupd", cmd_btrxupd, 0, NULL, NULL, { { 0 } } },
	{ "cachedog", cmd_cachedog, 0, NULL, NULL, { { 0 } } },
	{ "callmeback", cmd_callmeback, 0, NULL, NULL, { { 0 } } },
	{ "callshistusrupd", cmd_callshistusrupd, ACT_LOCK, "stardustPID_CALLSHIST_UPD", "ERROR:CALLSHIST_ALREADY_RUNS", { { 0 } } },
	{ "crimeandpunishment", cmd_crimeandpunishment, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "cudiscounts", cmd_cudiscounts, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "ddt", cmd_ddt, ACT_LOCK | ACT_BILLING, "stardustPID_DDT", "SKIP:DDT_ALREADY_RUNNING", { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "dealwithit", cmd_dealwithit, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "discountprocessing", cmd_discountprocessing, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "districtscache", cmd_districtscache, 0, NULL, NULL, { { 0 } } },
	{ "envyarchive", cmd_envyarchive, 0, NULL, NULL, { { 0 } } },
	{ "exhorse", cmd_exhorse, 0, NULL, NULL, { { 0 } } },
	{ "fastping", cmd_fastping, 0, NULL, NULL, { { 0 } } },
	{ "fdbarchive", cmd_fdbarchive, 0, NULL, NULL, { { 0 } } },
	{ "feesharvester", cmd_feesharvester, 0, NULL, NULL, { { 0 } } },
	{ "freezedayscharge", cmd_freezedayscharge, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "freezemonth", cmd_freezemonth, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "friendshipdaily", cmd_friendshipdaily, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "fullhostscan", cmd_fullhostscan, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "getagentdata", cmd_getagentdata, 0, NULL, NULL, { { 0 } } },
	{ "handlersrebuild", cmd_handlersrebuild, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "herd", cmd_herd, 0, NULL, NULL, { { 0 } } },
	{ "horde", cmd_horde, 0, NULL, NULL, { { 0 } } },
	{ "identify", cmd_identify, ACT_KEYLESS | ACT_NO_REQID, NULL, NULL, { { 0 } } },
	{ "karmaguard", cmd_karmaguard, ACT_LOCK | ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "mgfreecleanup", cmd_mgfreecleanup, ACT_LOCK, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "mgprocessing", cmd_mgprocessing, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "mgqueue", cmd_mgqueue, ACT_LOCK, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "mikrotikdnshaper", cmd_mikrotikdnshaper, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "mtsigmonpoll", cmd_mtsigmonpoll, 0, NULL, NULL, { { 0 } } },
	{ "multienvy", cmd_multienvy, 0, NULL, NULL, { { 0 } } },
	{ "multigen", cmd_multigen, 0, NULL, NULL, { { 0 } } },
	{ "multigenpod", cmd_multigenpod, 0, NULL, NULL, { { 0 } } },
	{ "multigentotal", cmd_multigentotal, 0, NULL, NULL, { { 0 } } },
	{ "multigentraff", cmd_multigentraff, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "nasmon", cmd_nasmon, 0, NULL, NULL, { { 0 } } },
	{ "olltvchargefee", cmd_olltvchargefee, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "oltpoll", cmd_oltpoll, 0, NULL, NULL, { { 0 } } },
	{ "opayzsmsnotify", cmd_opayzsmsnotify, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "ophanimtraff", cmd_ophanimtraff, 0, NULL, NULL, { { 0 } } },
	{ "paycardsqueue", cmd_paycardsqueue, ACT_LOCK | ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "policedog", cmd_policedog, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "pseudocrm", cmd_pseudocrm, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "pt", cmd_pt, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "ptvchargefee", cmd_ptvchargefee, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "rebuildglscache", cmd_rebuildglscache, 0, NULL, NULL, { { 0 } } },
	{ "rebuilduserdatacache", cmd_rebuilduserdatacache, 0, NULL, NULL, { { 0 } } },
	{ "reminder", cmd_reminder, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "remotedhcp", cmd_remotedhcp, 0, NULL, NULL, { { 0 } } },
	{ "reset", cmd_reset, ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "salarytelegram", cmd_salarytelegram, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "sc", cmd_sc, ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "senddog", cmd_senddog, 0, NULL, NULL, { { 0 } } },
	{ "setculpa", cmd_setculpa, 0, NULL, NULL, { { 0 } } },
	{ "smartup", cmd_smartup, 0, NULL, NULL, { { 0 } } },
	{ "smszilla", cmd_smszilla, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "stgfeecharge2mysql", cmd_stgfeecharge2mysql, 0, NULL, NULL, { { 0 } } },
	{ "stickynotify", cmd_stickynotify, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "switchescoverage", cmd_switchescoverage, ACT_NO_REQID, NULL, NULL, { { 0 } } },
	{ "swping", cmd_swping, 0, NULL, NULL, { { 0 } } },
	{ "swpoll", cmd_swpoll, 0, NULL, NULL, { { 0 } } },
	{ "taskmannotify", cmd_taskmannotify, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "telepony", cmd_telepony, 0, NULL, NULL, { { 0 } } },
	{ "uhwbrutecleanup", cmd_uhwbrutecleanup, 0, NULL, NULL, { { 0 } } },
	{ "ukvfeeprocessing", cmd_ukvfeeprocessing, ACT_LOCK, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "userbyip", cmd_userbyip, 0, NULL, NULL, { { 0 } } },
	{ "userbynum", cmd_userbynum, 0, NULL, NULL, { { 0 } } },
	{ "usercash", cmd_usercash, ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "visorcharge", cmd_visorcharge, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "vserviceschargefee", cmd_vserviceschargefee, ACT_LOCK | ACT_BILLING, NULL, NULL, { { "dryrun", batch_valid_dryrun, "ERROR:WRONG_DRYRUN" } } },
	{ "warehousetelegram", cmd_warehousetelegram, ACT_LOCK, NULL, NULL, { { 0 } } },
	{ "watchdog", cmd_watchdog, 0, NULL, NULL, { { 0 } } },
	{ "whydoyoucall", cmd_whydoyoucall, 0, NULL, NULL, { { 0 } } },
	{ "whydoyoucallstats", cmd_whydoyoucallstats, 0, NULL, NULL, { { 0 } } },
	{ "writevlanmachistory", cmd_writevlanmachistory, ACT_LOCK, NULL, NULL, { { 0 } } },
};

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct action *)elem)->name);
}

const struct action *action_find(const char *name)
{
	return bsearch(name, actions, sizeof actions / sizeof *actions, sizeof *actions, by_name);
}

const struct action *action_table(size_t *count)
{
	*count = sizeof actions / sizeof *actions;
	return actions;
}

void action_upper(const char *name, char *buf, size_t size)
{
	size_t i = 0;
	for (; name[i] && i + 1 < size; i++)
		buf[i] = (char)toupper((unsigned char)name[i]);
	if (size)
		buf[i] = '\0';
}
