/* karmaguard: resets users who should be online but are not (BadKarma's
 * mass reset). Stargazer's OnConnect leaves one file per online login in
 * its dn directory (ubapi.ini stargazer_dn_dir, default /etc/stargazer/dn/).
 * An empty or missing directory means the NAS is down, not that everyone
 * is offline, so nobody is reset then. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "billing.h"
#include "money.h"
#include "util.h"
#include "weblog.h"

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct online {
	char **names;
	size_t n, cap;
};

static void load_online(const char *dir, struct online *on)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && on->n < 10000000)
		if (e->d_name[0] != '.') {
			if (on->n == on->cap) {
				on->cap = on->cap ? on->cap * 2 : 64;
				on->names = xrealloc(on->names, on->cap * sizeof *on->names);
			}
			on->names[on->n++] = xstrdup(e->d_name);
		}
	closedir(d);
	if (on->n)
		qsort(on->names, on->n, sizeof *on->names, by_str);
}

static bool is_online(const struct online *on, const char *login)
{
	return bsearch(&login, on->names, on->n, sizeof *on->names, by_str) != NULL;
}

static void free_online(struct online *on)
{
	for (size_t i = 0; i < on->n; i++)
		free(on->names[i]);
	free(on->names);
}

void cmd_karmaguard(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "KARMA_CONTROL", ""))) {
		reply_text(r, "ERROR:KARMA_CONTROL_DISABLED");
		return;
	}
	struct online on = { 0 };
	load_online(cfg_ubapi(r->cfg, "stargazer_dn_dir", "/etc/stargazer/dn/"), &on);
	struct db_rows users = { 0 };
	const char *reply = "OK:KARMAGUARD";
	if (on.n &&
	    db_query(r->db, &users,
		     "SELECT `login`,CAST(`Cash` AS CHAR) FROM `users`"
		     " WHERE `AlwaysOnline`=1 AND `Down`=0 AND `Passive`=0 ORDER BY `login`",
		     "") != 0)
		reply = "ERROR:DB";
	money_t floor = { -20000 }; /* -0.02: BadKarma's lower cash limit */
	for (size_t i = 0; i < users.nrows && strcmp(reply, "ERROR:DB") != 0; i++) {
		const char *login = db_cell(&users, i, 0), *cash = db_cell(&users, i, 1);
		money_t m;
		if (!login || !cash || !money_parse_db(cash, &m) || money_cmp(m, floor) < 0 ||
		    is_online(&on, login))
			continue;
		if (billing_reset(r, login) != 0)
			reply = "ERROR:BILLING_CORE"; /* the others still get theirs */
		else if (weblog(r, "KARMA GUARDRESET User (%s)", login) != 0)
			reply = "ERROR:DB";
	}
	reply_text(r, reply);
	db_rows_free(&users);
	free_online(&on);
}
