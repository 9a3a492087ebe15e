#include "cdr.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "phpser.h"
#include "util.h"

enum { C_UNIQUEID, C_CALLDATE, C_SRC, C_DST, C_DSTCHANNEL, C_DISPOSITION, C_DURATION, C_BILLSEC,
       C_USERFIELD, C_DCONTEXT, C_LASTAPP, C_NCOLS };

void cdr_conf_free(struct cdr_conf *c)
{
	free(c->host);
	free(c->user);
	free(c->password);
	free(c->database);
	free(c->table);
	memset(c, 0, sizeof *c);
}

static bool table_ok(const char *t)
{
	size_t n = strlen(t);
	return n > 0 && n <= 64 && !strchr(t, '`');
}

int cdr_conf_parse(const char *value, struct cdr_conf *out)
{
	memset(out, 0, sizeof *out);
	char *part[5];
	size_t n = 0;
	const char *p = value ? value : "";
	for (;;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (n == 5) {
			n++;
			break;
		}
		part[n] = xmalloc(len + 1);
		memcpy(part[n], p, len);
		part[n][len] = '\0';
		n++;
		if (!bar)
			break;
		p = bar + 1;
	}
	if (n != 5 || !table_ok(part[4])) {
		for (size_t i = 0; i < n && i < 5; i++)
			free(part[i]);
		return -1;
	}
	out->port = 3306;
	char *colon = strrchr(part[0], ':');
	if (colon && colon != part[0] && !memchr(part[0], ':', (size_t)(colon - part[0])) && colon[1] &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		long port = strtol(colon + 1, NULL, 10);
		if (port > 0 && port < 65536) {
			out->port = (unsigned)port;
			*colon = '\0';
		}
	}
	out->host = part[0];
	out->user = part[1];
	out->password = part[2];
	out->database = part[3];
	out->table = part[4];
	return 0;
}

/* ---------------------------------------------------------------- flows */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The peer of "SIP/<peer>-<id>": every "SIP/" removed, then the text
 * before the first '-', or "" when there is no '-'. */
static char *channel_peer(const char *chan)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	if (chan) {
		for (const char *p = chan; *p;) {
			if (strncmp(p, "SIP/", 4) == 0)
				p += 4;
			else
				sbuf_putc(&b, *p++);
		}
		char *dash = strchr(b.s, '-');
		if (dash)
			*dash = '\0';
		else
			b.s[0] = '\0';
	}
	return sbuf_detach(&b);
}

static void flow_fill(struct cdr_flow *f, const struct db_rows *rows, size_t first, size_t last, long count)
{
	f->flowid = db_cell(rows, first, C_UNIQUEID);
	f->callstart = db_cell(rows, first, C_CALLDATE);
	f->callend = db_cell(rows, last, C_CALLDATE);
	f->from = db_cell(rows, first, C_SRC);
	f->to = db_cell(rows, last, C_DST);
	if (f->to && strcmp(f->to, "s") == 0) {
		f->to_owned = channel_peer(db_cell(rows, last, C_DSTCHANNEL));
		f->to = f->to_owned;
	}
	f->records = count;
	f->direction = db_cell(rows, last, C_USERFIELD);
	f->status = db_cell(rows, last, C_DISPOSITION);
	f->duration = db_cell(rows, last, C_DURATION);
	bool answered = f->status && strcmp(f->status, "ANSWERED") == 0;
	f->realtime = answered ? db_cell(rows, last, C_BILLSEC) : NULL;
	f->context = db_cell(rows, last, C_DCONTEXT);
	f->app = db_cell(rows, last, C_LASTAPP);
}

int cdr_fetch_flows(const struct cdr_conf *c, unsigned timeout_s, const char *from, const char *to,
		    struct cdr_flows *out)
{
	memset(out, 0, sizeof *out);
	struct db_settings s = {0};
	s.host = c->host[0] ? c->host : NULL;
	s.user = c->user;
	s.password = c->password;
	s.database = c->database[0] ? c->database : NULL;
	s.charset = "utf8mb4";
	s.port = c->port;
	s.timeout_s = timeout_s ? timeout_s : 10;
	struct db *db = db_new();
	db_configure(db, &s);

	struct sbuf sql = SBUF_INIT;
	sbuf_printf(&sql,
		    "SELECT `uniqueid`, `calldate`, `src`, `dst`, `dstchannel`, `disposition`, `duration`,"
		    " `billsec`, `userfield`, `dcontext`, `lastapp` FROM `%s`"
		    " WHERE `calldate` BETWEEN ? AND ? ORDER BY `calldate` ASC",
		    c->table);
	char lo[32], hi[32];
	snprintf(lo, sizeof lo, "%.10s 00:00:00", from);
	snprintf(hi, sizeof hi, "%.10s 23:59:59", to);
	int rc = db_ready(db) == 0 ? db_query(db, &out->rows, sql.s, "ss", lo, hi) : -1;
	sbuf_free(&sql);
	db_free(db);
	if (rc != 0 || (out->rows.nrows && out->rows.ncols != C_NCOLS)) {
		db_rows_free(&out->rows);
		memset(out, 0, sizeof *out);
		return -1;
	}

	size_t nr = out->rows.nrows;
	if (!nr)
		return 0;
	/* first row, last row and count per flow; an open-addressing table
	 * from uniqueid to flow keeps a busy day's grouping linear */
	size_t cap = 16;
	while (cap < nr * 2)
		cap *= 2;
	size_t *slot = xmalloc(cap * sizeof *slot);
	for (size_t i = 0; i < cap; i++)
		slot[i] = SIZE_MAX;
	size_t *first = xmalloc(nr * sizeof *first), *last = xmalloc(nr * sizeof *last);
	long *count = xcalloc(nr, sizeof *count);
	size_t nf = 0;
	for (size_t r = 0; r < nr; r++) {
		const char *id = db_cell(&out->rows, r, C_UNIQUEID);
		if (!id)
			id = ""; /* PHP's null array key */
		size_t h = (size_t)hash_str(id) & (cap - 1);
		while (slot[h] != SIZE_MAX) {
			const char *other = db_cell(&out->rows, first[slot[h]], C_UNIQUEID);
			if (strcmp(other ? other : "", id) == 0)
				break;
			h = (h + 1) & (cap - 1);
		}
		if (slot[h] == SIZE_MAX) {
			slot[h] = nf;
			first[nf++] = r;
		}
		last[slot[h]] = r;
		count[slot[h]]++;
	}
	out->v = xcalloc(nf, sizeof *out->v);
	out->n = nf;
	for (size_t i = 0; i < nf; i++)
		flow_fill(&out->v[i], &out->rows, first[i], last[i], count[i]);
	free(slot);
	free(first);
	free(last);
	free(count);
	return 0;
}

void cdr_flows_free(struct cdr_flows *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].to_owned);
	free(f->v);
	db_rows_free(&f->rows);
	memset(f, 0, sizeof *f);
}

/* ---------------------------------------------------------------- missed calls */

/* A PHP array in insertion order: assigning to a present key keeps its
 * place, unset() then assigning again moves it to the end. */
struct oent {
	const char *key;
	bool live;
	size_t flow;          /* unanswered: the flow stored */
	long n;               /* misses / recall count */
	long long t;          /* first recall time / recall trytime */
	const char *rtime;    /* recalled: time as billsec text, NULL = int 0 */
};

struct omap {
	size_t n, cap;
	struct oent *e;
};

static struct oent *om_get(struct omap *m, const char *key)
{
	for (size_t i = m->n; i-- > 0;)
		if (m->e[i].live && strcmp(m->e[i].key, key) == 0)
			return &m->e[i];
	return NULL;
}

static struct oent *om_set(struct omap *m, const char *key)
{
	struct oent *e = om_get(m, key);
	if (e)
		return e;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->e = xrealloc(m->e, m->cap * sizeof *m->e);
	}
	e = &m->e[m->n++];
	memset(e, 0, sizeof *e);
	e->key = key;
	e->live = true;
	return e;
}

static void om_unset(struct omap *m, const char *key)
{
	struct oent *e = om_get(m, key);
	if (e)
		e->live = false;
}

static size_t om_count(const struct omap *m)
{
	size_t c = 0;
	for (size_t i = 0; i < m->n; i++)
		c += m->e[i].live;
	return c;
}

/* TelePony's normaliser for country 380: a number containing "380" loses
 * every "38" (spec §7.12: kept for the .dat keys' sake). */
static char *cut_country(const char *num)
{
	const char *s = num ? num : "";
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	if (!strstr(s, "380")) {
		sbuf_puts(&b, s);
		return sbuf_detach(&b);
	}
	while (*s) {
		if (s[0] == '3' && s[1] == '8')
			s += 2;
		else
			sbuf_putc(&b, *s++);
	}
	return sbuf_detach(&b);
}

static long long stamp(const char *dt)
{
	time_t t;
	return dt && clock_parse_datetime(dt, &t) ? (long long)t : 0;
}

static void ser_str(struct sbuf *out, const char *s)
{
	if (s)
		phpser_string(out, s, strlen(s));
	else
		phpser_null(out);
}

static void ser_kv(struct sbuf *out, const char *key, const char *val)
{
	phpser_key_str(out, key);
	ser_str(out, val);
}

static void ser_flow(struct sbuf *out, const struct cdr_flow *f, long misscount)
{
	phpser_array_begin(out, 15);
	ser_kv(out, "flowid", f->flowid);
	ser_kv(out, "callstart", f->callstart);
	ser_kv(out, "callend", f->callend);
	ser_kv(out, "from", f->from);
	ser_kv(out, "to", f->to);
	phpser_key_str(out, "records");
	phpser_int(out, f->records);
	ser_kv(out, "direction", f->direction);
	ser_kv(out, "status", f->status);
	ser_kv(out, "duration", f->duration);
	phpser_key_str(out, "realtime");
	if (f->realtime)
		ser_str(out, f->realtime);
	else if (f->status && strcmp(f->status, "ANSWERED") == 0)
		phpser_null(out); /* ANSWERED with a NULL billsec */
	else
		phpser_int(out, 0);
	bool answered = f->status && strcmp(f->status, "ANSWERED") == 0;
	phpser_key_str(out, "takephone");
	if (answered)
		ser_str(out, f->to);
	else
		phpser_string(out, "", 0);
	ser_kv(out, "context", f->context);
	ser_kv(out, "app", f->app);
	phpser_key_int(out, 9);
	ser_str(out, f->callstart);
	phpser_key_str(out, "misscount");
	phpser_int(out, misscount);
	phpser_array_end(out);
}

static bool eq(const char *a, const char *b)
{
	return a && strcmp(a, b) == 0;
}

void cdr_missed_calls(const struct cdr_flows *f, struct sbuf *unanswered, struct sbuf *recalled)
{
	struct omap un = {0}, tries = {0}, first = {0}, rec = {0};
	char **inc = xcalloc(f->n + 1, sizeof *inc), **dst = xcalloc(f->n + 1, sizeof *dst);
	for (size_t i = 0; i < f->n; i++) {
		const struct cdr_flow *c = &f->v[i];
		bool answered = eq(c->status, "ANSWERED"), queue = eq(c->app, "Queue");
		const char *in = inc[i] = cut_country(c->from);
		const char *to = dst[i] = cut_country(c->to);

		if (!answered && queue && strlen(in) >= 9) {
			struct oent *u = om_set(&un, in);
			u->flow = i;
			om_set(&tries, in)->n++;
		}
		if (om_get(&un, in) && queue && answered)
			om_unset(&un, in);

		struct oent *u = om_get(&un, to);
		if (u) {
			long long miss = stamp(f->v[u->flow].callend), start = stamp(c->callstart);
			if (start > miss) {
				if (!om_get(&first, to))
					om_set(&first, to)->t = start;
			} else {
				om_unset(&first, to);
			}
			struct oent *fr = om_get(&first, to);
			long long trytime = (fr ? fr->t : start) - miss;
			struct oent *r = om_set(&rec, to);
			if (answered) {
				om_unset(&un, to);
				r->rtime = c->realtime;
			} else {
				r->rtime = NULL;
			}
			r->n++;
			r->t = trytime;
		}
		if (strstr(in, "nknown") || strstr(in, "nonymous"))
			om_unset(&un, in);
	}

	phpser_array_begin(unanswered, om_count(&un));
	for (size_t i = 0; i < un.n; i++) {
		if (!un.e[i].live)
			continue;
		phpser_key_str(unanswered, un.e[i].key);
		struct oent *t = om_get(&tries, un.e[i].key);
		ser_flow(unanswered, &f->v[un.e[i].flow], t ? t->n : 0);
	}
	phpser_array_end(unanswered);

	phpser_array_begin(recalled, om_count(&rec));
	for (size_t i = 0; i < rec.n; i++) {
		struct oent *r = &rec.e[i];
		if (!r->live)
			continue;
		phpser_key_str(recalled, r->key);
		phpser_array_begin(recalled, 3);
		phpser_key_str(recalled, "time");
		if (r->rtime)
			ser_str(recalled, r->rtime);
		else
			phpser_int(recalled, 0);
		phpser_key_str(recalled, "count");
		phpser_int(recalled, r->n);
		phpser_key_str(recalled, "trytime");
		phpser_int(recalled, r->t);
		phpser_array_end(recalled);
	}
	phpser_array_end(recalled);

	for (size_t i = 0; i < f->n; i++) {
		free(inc[i]);
		free(dst[i]);
	}
	free(inc);
	free(dst);
	free(un.e);
	free(tries.e);
	free(first.e);
	free(rec.e);
}
