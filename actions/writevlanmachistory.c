/* writevlanmachistory: (VLAN, MAC) bindings from every VLAN terminator's
 * DHCP-snooping table (SNMPv2c, all terminators at once); a user's MAC is
 * recorded when it differs from the last one recorded (spec §2.8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "snmp.h"
#include "switches.h"
#include "util.h"

#define OID_SNOOP ".1.3.6.1.4.1.9.9.380.1.4.1.1.3"

struct hist {
	char **login, **mac;
	size_t n;
};

static const char *hist_last(const struct hist *h, const char *login)
{
	for (size_t i = h->n; i-- > 0;)
		if (strcmp(h->login[i], login) == 0)
			return h->mac[i];
	return NULL;
}

static void hist_add(struct hist *h, const char *login, const char *mac)
{
	h->login = xrealloc(h->login, (h->n + 1) * sizeof *h->login);
	h->mac = xrealloc(h->mac, (h->n + 1) * sizeof *h->mac);
	h->login[h->n] = xstrdup(login);
	h->mac[h->n] = xstrdup(mac);
	h->n++;
}

static void hist_free(struct hist *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->login[i]);
		free(h->mac[i]);
	}
	free(h->login);
	free(h->mac);
}

/* last vlanhost row of the pool with that vlan */
static const char *host_login(const struct db_rows *hosts, const char *pool, const char *vlan)
{
	const char *login = NULL;
	for (size_t i = 0; i < hosts->nrows; i++) {
		const char *p = db_cell(hosts, i, 0), *v = db_cell(hosts, i, 2);
		if (p && v && strcmp(p, pool) == 0 && strcmp(v, vlan) == 0)
			login = db_cell(hosts, i, 1);
	}
	return login;
}

void cmd_writevlanmachistory(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "VLANMACHISTORY", "0"))) {
		reply_text(r, "ERROR:NO_VLAN_MAC_HISTORY ENABLED");
		return;
	}
	struct db_rows terms, hosts, hrows;
	/* one terminator per pool: the last row of each pool, like PHP's keyed array */
	if (db_query(r->db, &terms,
		     "SELECT t.`vlanpoolid`, t.`ip`, (SELECT s.`snmp` FROM `switches` s WHERE s.`ip`=t.`ip` ORDER BY s.`id` "
		     "DESC LIMIT 1) FROM `vlan_terminators` t JOIN (SELECT MAX(`id`) AS `id`, MIN(`id`) AS `first` FROM "
		     "`vlan_terminators` GROUP BY `vlanpoolid`) l ON l.`id`=t.`id` ORDER BY l.`first`",
		     "") != 0) {
		reply_db_error(r);
		return;
	}
	if (db_query(r->db, &hosts, "SELECT `vlanpoolid`, `login`, `vlan` FROM `vlanhosts` ORDER BY `id`", "") != 0) {
		db_rows_free(&terms);
		reply_db_error(r);
		return;
	}
	if (db_query(r->db, &hrows, "SELECT `login`, `mac` FROM `vlan_mac_history` ORDER BY `id`", "") != 0) {
		db_rows_free(&terms);
		db_rows_free(&hosts);
		reply_db_error(r);
		return;
	}
	struct hist h = { 0 };
	for (size_t i = 0; i < hrows.nrows; i++)
		hist_add(&h, db_cell(&hrows, i, 0) ? db_cell(&hrows, i, 0) : "",
			 db_cell(&hrows, i, 1) ? db_cell(&hrows, i, 1) : "");
	db_rows_free(&hrows);
	size_t count = 0;
	int rc = 0;
	if (terms.nrows && hosts.nrows) {
		struct snmp_job *jobs = xcalloc(terms.nrows, sizeof *jobs);
		for (size_t i = 0; i < terms.nrows; i++) {
			jobs[i].host = db_cell(&terms, i, 1) ? db_cell(&terms, i, 1) : "";
			jobs[i].community = db_cell(&terms, i, 2) ? db_cell(&terms, i, 2) : "";
			jobs[i].version = 2;
			jobs[i].kind = SNMPJ_WALK;
			jobs[i].oid = OID_SNOOP;
			jobs[i].timeout_ms = 1000;
			jobs[i].retries = (int)cfg_ubapi_long(r->cfg, "vlanmac_snmp_retries", 5);
		}
		snmp_run(jobs, terms.nrows, (int)cfg_ubapi_long(r->cfg, "snmp_inflight", 128));
		char date[20];
		clock_format_datetime(r->now, date);
		for (size_t i = 0; i < terms.nrows && rc == 0; i++) {
			const char *pool = db_cell(&terms, i, 0) ? db_cell(&terms, i, 0) : "";
			char *copy = xstrdup(sbuf_str(&jobs[i].text));
			for (char *s = copy, *line; rc == 0 && (line = strsep(&s, "\n")) != NULL;) {
				if (strncmp(line, OID_SNOOP ".", strlen(OID_SNOOP ".")) != 0 || !strstr(line, " = "))
					continue;
				count++;
				char *idx = line + strlen(OID_SNOOP "."), *sp = strstr(idx, " = ");
				*sp = '\0';
				char *dot = strchr(idx, '.');
				char mac[18];
				if (!dot || dot == idx || dot - idx > 5)
					continue;
				*dot = '\0';
				if (!str_is_digits(idx) || !mac_from_decimal(dot + 1, mac))
					continue;
				const char *login = host_login(&hosts, pool, idx);
				if (!login)
					continue;
				const char *last = hist_last(&h, login);
				if (last && strcmp(last, mac) == 0)
					continue;
				if (db_exec(r->db, "INSERT INTO `vlan_mac_history` (`login`,`vlan`,`mac`,`date`) VALUES (?,?,?,?)",
					    "siss", login, atoll(idx), mac, date) < 0)
					rc = -1;
				hist_add(&h, login, mac);
			}
			free(copy);
		}
		for (size_t i = 0; i < terms.nrows; i++)
			sbuf_free(&jobs[i].text);
		free(jobs);
	}
	hist_free(&h);
	db_rows_free(&terms);
	db_rows_free(&hosts);
	if (rc != 0) {
		reply_db_error(r);
		return;
	}
	char cnt[24];
	snprintf(cnt, sizeof cnt, "%zu", count);
	char *path = exports_path(r->cfg, "ONLINEVLANS");
	file_put(path, cnt, strlen(cnt), 0);
	free(path);
	reply_text(r, "OK:WRITING NEW MACS");
}
