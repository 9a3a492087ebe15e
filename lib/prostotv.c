#include "prostotv.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "billing.h"
#include "config.h"
#include "db.h"
#include "payments.h"
#include "sbuf.h"
#include "util.h"
#include "weblog.h"

bool tv_fee_unit(struct batch *b, const char *login, const char *amount, const char *note,
		 const char *event)
{
	struct req *r = b->r;
	if (b->dry) {
		batch_dry_line(b, login, amount, note, "payments");
		b->done++;
		return true;
	}
	bool tx = billing_is_direct(r->cfg);
	if (tx && db_begin(r->db) != 0) {
		b->db_failed = true;
		return false;
	}
	struct cash_request c = {
		.login = login, .amount = amount, .op = CASH_ADD, .cashtype = 1, .note = note,
	};
	enum cash_result rc = cash_add(r, &c);
	if (rc == CASH_DONE && weblog(r, "%s", event) != 0)
		rc = CASH_DB_FAILED;
	if (rc == CASH_DONE && tx && db_commit(r->db) != 0)
		rc = CASH_DB_FAILED;
	if (rc != CASH_DONE && tx)
		db_rollback(r->db);
	if (rc == CASH_DONE) {
		b->done++;
		return true;
	}
	if (rc == CASH_DB_FAILED) {
		b->db_failed = true;
	} else {
		/* one refused user must not stop the others; the reply says so */
		syslog(LOG_ERR, "ubapi tv fee: %s %s (%s) not charged (%s)", login, amount, note,
		       cash_error_reply(rc));
		b->core_failed++;
	}
	return false;
}

bool tv_fee_amount(const char *fee_text, struct sbuf *out)
{
	money_t fee;
	if (!fee_text || !money_parse_db(fee_text, &fee) || fee.units < 0)
		return false;
	sbuf_putc(out, '-');
	if (money_valid(fee_text) && fee_text[0] != '-' && fee_text[0] != '+')
		sbuf_puts(out, fee_text);
	else
		money_format(fee, out);
	return true;
}

struct login_pos {
	const char *login;
	size_t i;
};

static int cmp_login_pos(const void *a, const void *b)
{
	const struct login_pos *x = a, *y = b;
	int c = strcmp(x->login, y->login);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

size_t *tv_rows_by_login(char *const *logins, size_t n)
{
	size_t *winner = xcalloc(n ? n : 1, sizeof *winner);
	struct login_pos *v = xcalloc(n ? n : 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		v[i].login = logins[i];
		v[i].i = i;
		winner[i] = (size_t)-1;
	}
	qsort(v, n, sizeof *v, cmp_login_pos);
	for (size_t s = 0; s < n;) {
		size_t e = s;
		while (e + 1 < n && strcmp(v[e + 1].login, v[s].login) == 0)
			e++;
		winner[v[s].i] = v[e].i;
		s = e + 1;
	}
	free(v);
	return winner;
}

/* --- ProstoTV ----------------------------------------------------------- */

struct ptv_tariff {
	char *serviceid;
	char *fee;       /* NULL for NULL */
};

struct ptv_sub {
	char *login;
	bool active;
	char *subscriberid;
	char *maintariff; /* "" for NULL: PHP's lookup of a null key */
};

struct ptv {
	struct ptv_tariff *tariffs;
	size_t ntariffs;
	struct ptv_sub *subs;
	size_t nsubs;
};

static char *cell_dup(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return xstrdup(v ? v : "");
}

static int ptv_load(struct req *r, struct ptv *p)
{
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `serviceid`,`fee` FROM `ptv_tariffs` ORDER BY `id`", "") != 0)
		return -1;
	p->ntariffs = rows.nrows;
	p->tariffs = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *p->tariffs);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *fee = db_cell(&rows, i, 1);
		p->tariffs[i].serviceid = cell_dup(&rows, i, 0);
		p->tariffs[i].fee = fee ? xstrdup(fee) : NULL;
	}
	db_rows_free(&rows);
	if (db_query(r->db, &rows,
		     "SELECT `login`,`active`,`subscriberid`,`maintariff` FROM `ptv_subscribers` ORDER BY `id`",
		     "") != 0)
		return -1;
	p->nsubs = rows.nrows;
	p->subs = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *p->subs);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *a = db_cell(&rows, i, 1);
		p->subs[i].login = cell_dup(&rows, i, 0);
		p->subs[i].active = a && php_truthy(a);
		p->subs[i].subscriberid = cell_dup(&rows, i, 2);
		p->subs[i].maintariff = cell_dup(&rows, i, 3);
	}
	db_rows_free(&rows);
	return 0;
}

static void ptv_free(struct ptv *p)
{
	for (size_t i = 0; i < p->ntariffs; i++) {
		free(p->tariffs[i].serviceid);
		free(p->tariffs[i].fee);
	}
	for (size_t i = 0; i < p->nsubs; i++) {
		free(p->subs[i].login);
		free(p->subs[i].subscriberid);
		free(p->subs[i].maintariff);
	}
	free(p->tariffs);
	free(p->subs);
}

/* keyed by serviceid in PHP: the last row of a repeated serviceid wins */
static const struct ptv_tariff *ptv_tariff_find(const struct ptv *p, const char *serviceid)
{
	for (size_t i = p->ntariffs; i-- > 0;)
		if (strcmp(p->tariffs[i].serviceid, serviceid) == 0)
			return &p->tariffs[i];
	return NULL;
}

static void ptv_charge(struct batch *b, const struct ptv *p, const struct ptv_sub *s)
{
	const struct ptv_tariff *t = ptv_tariff_find(p, s->maintariff);
	if (!t) {
		/* the empty AS [] is Ubilling's text (its id is unset there) */
		batch_weblog(b, "PTV CHARGE FAIL NOTARIFF [%s] FOR (%s) AS []", s->maintariff, s->login);
		return;
	}
	struct sbuf amount = SBUF_INIT, note = SBUF_INIT, ev = SBUF_INIT;
	if (!tv_fee_amount(t->fee, &amount)) {
		syslog(LOG_WARNING, "ubapi ptvchargefee: %s not charged: tariff %s has a bad fee",
		       s->login, s->maintariff);
		goto out;
	}
	sbuf_printf(&note, "PROSTOTV:%s", s->maintariff);
	sbuf_printf(&ev, "PTV CHARGE TARIFF [%s] FEE `%s` FOR (%s) AS [%s]", s->maintariff, t->fee,
		    s->login, s->subscriberid);
	tv_fee_unit(b, s->login, sbuf_str(&amount), sbuf_str(&note), sbuf_str(&ev));
out:
	sbuf_free(&amount);
	sbuf_free(&note);
	sbuf_free(&ev);
}

void ptv_fee_processing(struct req *r)
{
	if (!php_truthy(cfg_alter(r->cfg, "PTV_ENABLED", "0"))) {
		reply_text(r, PTV_DISABLED_REPLY);
		return;
	}
	struct ptv p = { 0 };
	struct batch_users users = { 0 };
	if (ptv_load(r, &p) != 0 ||
	    batch_users_load(r, &users, "`login` IN (SELECT `login` FROM `ptv_subscribers`)") != 0) {
		ptv_free(&p);
		batch_users_free(&users);
		reply_db_error(r);
		return;
	}
	struct batch b;
	batch_init(&b, r);
	char **logins = xcalloc(p.nsubs ? p.nsubs : 1, sizeof *logins);
	for (size_t i = 0; i < p.nsubs; i++)
		logins[i] = p.subs[i].login;
	size_t *winner = tv_rows_by_login(logins, p.nsubs);
	for (size_t i = 0; i < p.nsubs && !b.db_failed; i++) {
		if (winner[i] == (size_t)-1)
			continue;
		const struct ptv_sub *s = &p.subs[winner[i]];
		if (!batch_user_find(&users, s->login)) {
			/* "Array" is what PHP prints for the row; kept for log parsers */
			batch_weblog(&b, "PTV CHARGE (%s) AS [Array] FAIL MISS", s->login);
			continue;
		}
		if (s->active)
			ptv_charge(&b, &p, s);
	}
	batch_reply(&b, "OK:PTVCHARGEFEE");
	batch_free(&b);
	free(winner);
	free(logins);
	batch_users_free(&users);
	ptv_free(&p);
}
