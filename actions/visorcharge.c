/* visorcharge: on the last day of the month, move what each camera account
 * lacks for its next monthly fee from its Visor owner's primary account
 * (spec actions-services.md §6). The front's run lock and reqid stop an
 * overlapping or retried run from topping a camera up twice. */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "actions.h"
#include "batch.h"
#include "billing.h"
#include "clock.h"
#include "db.h"
#include "money.h"
#include "payments.h"
#include "ubcache.h"
#include "util.h"

enum { MODE_NONE = 0, MODE_CAMERAS = 1, MODE_PRIMARY = 2 };

/* PHP compares the ini text loosely with 1 and 2: "1", " 2", "1.0" match,
 * any other text matches neither and nothing is charged. */
static int charge_mode(const struct config *cfg)
{
	const char *v = cfg_alter(cfg, "VISOR_CHARGE_MODE", "");
	if (!php_truthy(v))
		return MODE_CAMERAS;
	char *end;
	double d = strtod(v, &end);
	if (end == v)
		return MODE_NONE;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r' || *end == '\v' ||
	       *end == '\f')
		end++;
	if (*end)
		return MODE_NONE;
	return d == 1 ? MODE_CAMERAS : d == 2 ? MODE_PRIMARY : MODE_NONE;
}

static bool last_day_of_month(time_t now)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm;
	localtime_r(&now, &tm);
	int y = tm.tm_year + 1900;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return tm.tm_mday == days[tm.tm_mon] + (tm.tm_mon == 1 && leap);
}

/* Primary add and camera correct are one transfer: with the direct backend
 * one transaction; with Stargazer the camera leg runs only after the
 * primary's was accepted, and a refused camera leg is refunded to the
 * primary so no money disappears. */
static void transfer(struct batch *b, const char *primary, const char *camera, money_t lack,
		     const char *cid, const char *vid)
{
	struct req *r = b->r;
	struct sbuf take = SBUF_INIT, give = SBUF_INIT, note1 = SBUF_INIT, note2 = SBUF_INIT;
	money_format(lack, &take);
	money_format(money_abs(lack), &give);
	sbuf_printf(&note1, "VISORCHARGE:%s", cid);
	sbuf_printf(&note2, "VISORPUSH:%s", vid);
	if (b->dry) {
		batch_dry_line(b, primary, sbuf_str(&take), sbuf_str(&note1), "payments");
		batch_dry_line(b, camera, sbuf_str(&give), sbuf_str(&note2), "paymentscorr");
		b->done++;
		goto out;
	}
	struct cash_request c1 = { .login = primary, .amount = sbuf_str(&take), .op = CASH_ADD,
				   .cashtype = 1, .note = sbuf_str(&note1) };
	struct cash_request c2 = { .login = camera, .amount = sbuf_str(&give), .op = CASH_CORRECT,
				   .cashtype = 1, .note = sbuf_str(&note2) };
	enum cash_result rc;
	if (billing_is_direct(r->cfg)) {
		if (db_begin(r->db) != 0) {
			b->db_failed = true;
			goto out;
		}
		rc = cash_add(r, &c1);
		if (rc == CASH_DONE)
			rc = cash_add(r, &c2);
		if (rc == CASH_DONE && db_commit(r->db) != 0)
			rc = CASH_DB_FAILED;
		if (rc != CASH_DONE)
			db_rollback(r->db);
	} else {
		rc = cash_add(r, &c1);
		if (rc == CASH_DONE) {
			rc = cash_add(r, &c2);
			if (rc != CASH_DONE) {
				struct cash_request back = { .login = primary, .amount = sbuf_str(&give),
							     .op = CASH_CORRECT, .cashtype = 1,
							     .note = sbuf_str(&note1) };
				if (cash_add(r, &back) != CASH_DONE)
					syslog(LOG_CRIT,
					       "ubapi visorcharge: %s charged %s for camera %s but neither "
					       "the top-up nor the refund went through",
					       primary, sbuf_str(&take), camera);
			}
		}
	}
	if (rc == CASH_DONE) {
		b->done++;
	} else if (rc == CASH_DB_FAILED) {
		b->db_failed = true;
	} else {
		syslog(LOG_ERR, "ubapi visorcharge: camera %s (%s) not topped up from %s: %s", cid,
		       camera, primary, cash_error_reply(rc));
		b->core_failed++;
	}
out:
	sbuf_free(&take);
	sbuf_free(&give);
	sbuf_free(&note1);
	sbuf_free(&note2);
}

static void charge_owner(struct batch *b, const struct batch_users *users,
			 const struct batch_tariffs *tariffs, const struct db_rows *cams,
			 const char *vid, const char *plogin, int mode)
{
	const struct batch_user *p = batch_user_find(users, plogin);
	if (!p) {
		batch_weblog(b, "VISOR USER [%s] PRIMARY NO_USER (%s)", vid, plogin);
		return;
	}
	money_t budget = { 0 }, floor_ = money_neg(p->credit);
	money_add(p->cash, p->credit, &budget);
	for (size_t i = 0; i < cams->nrows && !b->db_failed; i++) {
		const char *cid = db_cell(cams, i, 0), *cvid = db_cell(cams, i, 1);
		const char *clogin = db_cell(cams, i, 2);
		if (!cvid || strcmp(cvid, vid) != 0)
			continue;
		if (!clogin)
			clogin = "";
		const struct batch_user *c = batch_user_find(users, clogin);
		if (!c) {
			batch_weblog(b, "VISOR CAMERA [%s] CHARGE FAIL NO_USER (%s)", cid, clogin);
			continue;
		}
		const struct batch_tariff *t = batch_tariff_find(tariffs, c->tariff);
		if (!t) {
			batch_weblog(b, "VISOR CAMERA [%s] CHARGE FAIL NO_TARIFF `%s`", cid, c->tariff);
			continue;
		}
		money_t have, lack;
		if (!money_add(c->cash, c->credit, &have) || !money_sub(have, t->fee, &lack))
			continue;
		if (lack.units >= 0 || strcmp(c->login, p->login) == 0)
			continue;
		bool charge = mode == MODE_CAMERAS;
		if (mode == MODE_PRIMARY) {
			/* the budget shrinks even for a camera skipped below as frozen,
			 * and the floor is -credit below Cash+Credit: Ubilling's rule */
			money_sub(budget, money_abs(lack), &budget);
			charge = money_cmp(budget, floor_) >= 0;
		}
		if (c->passive)
			charge = false;
		if (charge)
			transfer(b, p->login, c->login, lack, cid, vid);
	}
}

void cmd_visorcharge(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "VISOR_ENABLED", "0"))) {
		reply_text(r, "ERROR: VISOR DISABLED");
		return;
	}
	if (!last_day_of_month(r->now)) {
		reply_text(r, "OK:VISOR_SKIP");
		return;
	}
	int mode = charge_mode(r->cfg);
	struct batch_users users = { 0 };
	struct batch_tariffs tariffs = { 0 };
	struct db_rows owners = { 0 }, cams = { 0 };
	bool loaded = batch_users_load(r, &users, NULL) == 0 &&
		      batch_tariffs_load(r, &tariffs) == 0 &&
		      db_query(r->db, &owners,
			       "SELECT `id`,`chargecams`,`primarylogin` FROM `visor_users` ORDER BY `id` DESC",
			       "") == 0;
	if (loaded && db_query(r->db, &cams,
			       "SELECT `id`,`visorid`,`login` FROM `visor_cams` ORDER BY `id` DESC", "") != 0)
		loaded = false;
	if (!loaded) {
		reply_db_error(r);
		goto out;
	}
	struct batch b;
	batch_init(&b, r);
	for (size_t i = 0; i < owners.nrows && !b.db_failed; i++) {
		const char *vid = db_cell(&owners, i, 0), *chargecams = db_cell(&owners, i, 1);
		const char *plogin = db_cell(&owners, i, 2);
		if (chargecams && php_truthy(chargecams) && plogin && php_truthy(plogin))
			charge_owner(&b, &users, &tariffs, &cams, vid, plogin, mode);
	}
	if (b.done > 0 && !b.dry) {
		ubcache_delete(r->cfg, "USER_ALL_DATA");
		ubcache_delete(r->cfg, "USER_ALL_REALNAMES");
		if (php_truthy(cfg_alter(r->cfg, "SMARTUP_ENABLED", "0"))) {
			ubcache_delete(r->cfg, "SMARTUP_USERDATA");
			ubcache_delete(r->cfg, "SMARTUP_PAYIDS");
		}
	}
	batch_reply(&b, "OK:VISORCHARGE");
	batch_free(&b);
out:
	db_rows_free(&owners);
	db_rows_free(&cams);
	batch_users_free(&users);
	batch_tariffs_free(&tariffs);
}
