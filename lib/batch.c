#include "batch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "util.h"
#include "weblog.h"

static char *cell_dup(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return xstrdup(v ? v : "");
}

static money_t cell_money(const char *s)
{
	money_t m = { 0 };
	if (s && *s)
		money_parse_db(s, &m);
	return m;
}

static bool cell_flag(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v && atol(v) == 1;
}

static long cell_long(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v ? atol(v) : 0;
}

/* --- users --------------------------------------------------------------- */

static int user_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(struct batch_user *const *)a)->login, (*(struct batch_user *const *)b)->login);
}

int batch_users_load(struct req *r, struct batch_users *u, const char *where)
{
	memset(u, 0, sizeof *u);
	struct sbuf sql = SBUF_INIT;
	sbuf_puts(&sql, "SELECT `login`,`Cash`,`Credit`,`Passive`,`Down`,`Tariff` FROM `users`");
	if (where)
		sbuf_printf(&sql, " WHERE %s", where);
	sbuf_puts(&sql, " ORDER BY `login`");
	struct db_rows rows;
	int rc = db_query(r->db, &rows, sbuf_str(&sql), "");
	sbuf_free(&sql);
	if (rc != 0)
		return -1;
	u->n = rows.nrows;
	u->v = xcalloc(u->n ? u->n : 1, sizeof *u->v);
	u->by_login = xcalloc(u->n ? u->n : 1, sizeof *u->by_login);
	for (size_t i = 0; i < u->n; i++) {
		struct batch_user *x = &u->v[i];
		x->login = cell_dup(&rows, i, 0);
		x->cash_s = cell_dup(&rows, i, 1);
		x->credit_s = cell_dup(&rows, i, 2);
		x->cash = cell_money(x->cash_s);
		x->credit = cell_money(x->credit_s);
		x->passive = cell_flag(&rows, i, 3);
		x->down = cell_flag(&rows, i, 4);
		x->tariff = cell_dup(&rows, i, 5);
		u->by_login[i] = x;
	}
	db_rows_free(&rows);
	qsort(u->by_login, u->n, sizeof *u->by_login, user_ptr_cmp);
	return 0;
}

struct batch_user *batch_user_find(const struct batch_users *u, const char *login)
{
	struct batch_user key = { .login = (char *)login }, *kp = &key;
	struct batch_user **hit = bsearch(&kp, u->by_login, u->n, sizeof *u->by_login, user_ptr_cmp);
	return hit ? *hit : NULL;
}

void batch_users_free(struct batch_users *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].login);
		free(u->v[i].cash_s);
		free(u->v[i].credit_s);
		free(u->v[i].tariff);
	}
	free(u->v);
	free(u->by_login);
	memset(u, 0, sizeof *u);
}

/* --- tariffs -------------------------------------------------------------- */

static int tariff_cmp(const void *a, const void *b)
{
	return strcmp(((const struct batch_tariff *)a)->name, ((const struct batch_tariff *)b)->name);
}

int batch_tariffs_load(struct req *r, struct batch_tariffs *t)
{
	memset(t, 0, sizeof *t);
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `name`,`Fee` FROM `tariffs` ORDER BY `name`", "") != 0)
		return -1;
	t->n = rows.nrows;
	t->v = xcalloc(t->n ? t->n : 1, sizeof *t->v);
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].name = cell_dup(&rows, i, 0);
		t->v[i].fee_s = cell_dup(&rows, i, 1);
		t->v[i].fee = cell_money(t->v[i].fee_s);
	}
	db_rows_free(&rows);
	qsort(t->v, t->n, sizeof *t->v, tariff_cmp);
	return 0;
}

const struct batch_tariff *batch_tariff_find(const struct batch_tariffs *t, const char *name)
{
	struct batch_tariff key = { .name = (char *)name };
	return bsearch(&key, t->v, t->n, sizeof *t->v, tariff_cmp);
}

void batch_tariffs_free(struct batch_tariffs *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].fee_s);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* --- tags ----------------------------------------------------------------- */

static int tag_key_cmp(const void *a, const void *b)
{
	const struct batch_tag *x = *(struct batch_tag *const *)a, *y = *(struct batch_tag *const *)b;
	int c = strcmp(x->login, y->login);
	if (c)
		return c;
	return (x->tagid > y->tagid) - (x->tagid < y->tagid);
}

int batch_tags_load(struct req *r, struct batch_tags *t)
{
	memset(t, 0, sizeof *t);
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `id`,`tagid`,`login` FROM `tags` ORDER BY `id`", "") != 0)
		return -1;
	t->n = rows.nrows;
	t->v = xcalloc(t->n ? t->n : 1, sizeof *t->v);
	t->by_key = xcalloc(t->n ? t->n : 1, sizeof *t->by_key);
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].id = atoll(db_cell(&rows, i, 0) ? db_cell(&rows, i, 0) : "0");
		t->v[i].tagid = cell_long(&rows, i, 1);
		t->v[i].login = cell_dup(&rows, i, 2);
		t->by_key[i] = &t->v[i];
	}
	db_rows_free(&rows);
	qsort(t->by_key, t->n, sizeof *t->by_key, tag_key_cmp);
	return 0;
}

/* index of the first (login, tagid) entry not below the key */
static size_t tags_lower(const struct batch_tags *t, const char *login, long tagid)
{
	struct batch_tag key = { .tagid = tagid, .login = (char *)login }, *kp = &key;
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tag_key_cmp(&t->by_key[mid], &kp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t batch_tags_count(const struct batch_tags *t, const char *login, long tagid)
{
	size_t n = 0;
	for (size_t i = tags_lower(t, login, tagid);
	     i < t->n && t->by_key[i]->tagid == tagid && strcmp(t->by_key[i]->login, login) == 0; i++)
		n++;
	return n;
}

bool batch_tags_any(const struct batch_tags *t, const char *login, const long *tagids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (batch_tags_count(t, login, tagids[i]) > 0)
			return true;
	return false;
}

void batch_tags_free(struct batch_tags *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].login);
	free(t->v);
	free(t->by_key);
	memset(t, 0, sizeof *t);
}

/* --- integer lists -------------------------------------------------------- */

bool batch_int_list(const char *s, char delim, long **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!s)
		return true;
	char *copy = xstrdup(s);
	long *v = xcalloc(strlen(s) / 2 + 2, sizeof *v);
	size_t k = 0;
	bool ok = true;
	char *p = copy;
	for (;;) {
		char *end = strchr(p, delim);
		if (end)
			*end = '\0';
		char *item = str_trim(p);
		if (*item) {
			if (!str_is_digits(item) || strlen(item) > 9) {
				ok = false;
				break;
			}
			long x = atol(item);
			bool dup = false;
			for (size_t j = 0; j < k && !dup; j++)
				dup = v[j] == x;
			if (!dup)
				v[k++] = x;
		}
		if (!end)
			break;
		p = end + 1;
	}
	free(copy);
	if (!ok || k == 0) {
		free(v);
		return ok;
	}
	*out = v;
	*n = k;
	return true;
}

bool batch_valid_period(const char *s)
{
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len > 64)
		return false;
	bool need_digit = true;
	for (size_t i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			need_digit = false;
		else if (s[i] == '_' && !need_digit)
			need_digit = true;
		else
			return false;
	}
	return !need_digit;
}

/* --- virtual services ----------------------------------------------------- */

int batch_vservices_load(struct req *r, struct batch_vservices *s, const long *periods,
			 size_t nperiods)
{
	memset(s, 0, sizeof *s);
	struct db_rows rows;
	if (db_query(r->db, &rows,
		     "SELECT `id`,`tagid`,`price`,`cashtype`,`priority`,`fee_charge_always`,"
		     "`charge_period_days`,`exclude_tags`,`archived`"
		     " FROM `vservices` ORDER BY `priority` DESC, `id`",
		     "") != 0)
		return -1;
	s->v = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *s->v);
	for (size_t i = 0; i < rows.nrows; i++) {
		long period = cell_long(&rows, i, 6);
		bool wanted = nperiods == 0;
		for (size_t k = 0; k < nperiods && !wanted; k++)
			wanted = periods[k] == period;
		if (!wanted)
			continue;
		struct batch_vservice *v = &s->v[s->n++];
		v->id = cell_long(&rows, i, 0);
		v->tagid = cell_long(&rows, i, 1);
		v->price_s = cell_dup(&rows, i, 2);
		v->price = cell_money(v->price_s);
		const char *ct = db_cell(&rows, i, 3);
		v->is_virtual = ct && strcmp(ct, "virtual") == 0;
		v->is_stargazer = ct && strcmp(ct, "stargazer") == 0;
		v->priority = cell_long(&rows, i, 4);
		v->always = cell_long(&rows, i, 5) != 0;
		v->period = period;
		/* Ubilling would build broken SQL from a non-numeric list and charge
		 * nobody for that service; an unusable list excludes nothing here,
		 * and is logged */
		if (!batch_int_list(db_cell(&rows, i, 7), ',', &v->exclude, &v->nexclude))
			syslog(LOG_WARNING, "ubapi: vservice %ld has a non-numeric exclude_tags list",
			       v->id);
		v->archived = cell_long(&rows, i, 8) != 0;
	}
	db_rows_free(&rows);
	return 0;
}

void batch_vservices_free(struct batch_vservices *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].price_s);
		free(s->v[i].exclude);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

int batch_param(const struct req *r, const char *word)
{
	if (!param_present(&r->params, "param"))
		return 0;
	return strcmp(req_param(r, "param"), word) == 0 ? 1 : -1;
}

/* --- the run --------------------------------------------------------------- */

bool batch_valid_dryrun(const char *v)
{
	return v && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0);
}

void batch_init(struct batch *b, struct req *r)
{
	memset(b, 0, sizeof *b);
	b->r = r;
	const char *d = req_param(r, "dryrun");
	b->dry = d && strcmp(d, "1") == 0;
}

void batch_free(struct batch *b)
{
	sbuf_free(&b->lines);
}

const char *batch_cash_table(enum cash_op op)
{
	return op == CASH_CORRECT ? "paymentscorr" : "payments";
}

void batch_dry_line(struct batch *b, const char *login, const char *what, const char *note,
		    const char *target)
{
	sbuf_printf(&b->lines, "%s\t%s\t%s\t%s\n", login, what, note ? note : "", target);
}

enum cash_result batch_cash(struct batch *b, const struct cash_request *c)
{
	if (b->dry) {
		batch_dry_line(b, c->login, c->amount, c->note, batch_cash_table(c->op));
		b->done++;
		return CASH_DONE;
	}
	enum cash_result rc = cash_add(b->r, c);
	switch (rc) {
	case CASH_DONE:
		b->done++;
		break;
	case CASH_BAD_INPUT:
	case CASH_CORE_FAILED:
		/* one refused user must not stop the others' charges; the
		 * reply says something was left undone */
		syslog(LOG_ERR, "ubapi batch: %s %s not applied (%s)", c->login, c->amount,
		       cash_error_reply(rc));
		b->core_failed++;
		break;
	case CASH_DB_FAILED:
		b->db_failed = true;
		break;
	}
	return rc;
}

int batch_weblog(struct batch *b, const char *fmt, ...)
{
	if (b->dry)
		return 0;
	struct sbuf event = SBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&event, fmt, ap);
	va_end(ap);
	int rc = weblog(b->r, "%s", sbuf_str(&event));
	sbuf_free(&event);
	if (rc != 0)
		b->db_failed = true;
	return rc;
}

void batch_reply(struct batch *b, const char *ok)
{
	if (b->db_failed) {
		reply_db_error(b->r);
		return;
	}
	if (b->core_failed && !b->dry) {
		reply_text(b->r, "ERROR:BILLING_CORE");
		return;
	}
	if (!b->dry) {
		reply_text(b->r, ok);
		return;
	}
	struct sbuf out = SBUF_INIT;
	sbuf_add(&out, b->lines.s ? b->lines.s : "", b->lines.len);
	sbuf_puts(&out, ok);
	reply_text(b->r, sbuf_str(&out));
	sbuf_free(&out);
}
