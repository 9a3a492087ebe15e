#include "networks.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpser.h"
#include "util.h"
#include "validate.h"

void pmap_put(struct pmap *m, const char *key, size_t idx)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xrealloc(m->v, m->cap * sizeof *m->v);
	}
	m->v[m->n] = (struct pmap_ent){ key, idx, m->n };
	m->n++;
}

static int by_key_pos(const void *a, const void *b)
{
	const struct pmap_ent *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

struct posidx {
	size_t pos, i;
};

static int by_pos(const void *a, const void *b)
{
	size_t x = ((const struct posidx *)a)->pos, y = ((const struct posidx *)b)->pos;
	return x < y ? -1 : x > y;
}

void pmap_done(struct pmap *m)
{
	/* Sorting by (key, insertion) puts every key's assignments together in
	 * order: the run's first entry has PHP's position, its last the value. */
	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, by_key_pos);
	size_t out = 0;
	for (size_t i = 0; i < m->n;) {
		size_t j = i;
		while (j + 1 < m->n && strcmp(m->v[j + 1].key, m->v[i].key) == 0)
			j++;
		m->v[out] = (struct pmap_ent){ m->v[i].key, m->v[j].idx, m->v[i].pos };
		out++;
		i = j + 1;
	}
	m->n = out;
	struct posidx *t = xmalloc((m->n ? m->n : 1) * sizeof *t);
	for (size_t i = 0; i < m->n; i++)
		t[i] = (struct posidx){ m->v[i].pos, i };
	if (m->n)
		qsort(t, m->n, sizeof *t, by_pos);
	m->order = xmalloc((m->n ? m->n : 1) * sizeof *m->order);
	for (size_t i = 0; i < m->n; i++)
		m->order[i] = t[i].i;
	free(t);
}

static int by_key(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pmap_ent *)elem)->key);
}

long pmap_find(const struct pmap *m, const char *key)
{
	if (!m->n)
		return -1;
	const struct pmap_ent *e = bsearch(key, m->v, m->n, sizeof *m->v, by_key);
	return e ? (long)e->idx : -1;
}

const struct pmap_ent *pmap_at(const struct pmap *m, size_t i)
{
	return &m->v[m->order[i]];
}

void pmap_serialize(const struct pmap *m, const char *const *vals, struct sbuf *out)
{
	phpser_array_begin(out, m->n);
	for (size_t i = 0; i < m->n; i++) {
		const struct pmap_ent *e = pmap_at(m, i);
		phpser_key_str(out, e->key);
		if (vals[e->idx])
			phpser_string(out, vals[e->idx], strlen(vals[e->idx]));
		else
			phpser_null(out);
	}
	phpser_array_end(out);
}

void pmap_free(struct pmap *m)
{
	free(m->v);
	free(m->order);
	memset(m, 0, sizeof *m);
}

/* --- PHP 8 comparison ------------------------------------------------- */

static bool php_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

bool php_numeric(const char *s, bool *is_int, long long *iv, double *dv)
{
	const char *p = s;
	while (php_space(*p))
		p++;
	const char *start = p;
	if (*p == '+' || *p == '-')
		p++;
	size_t ndig = 0, nfrac = 0;
	while (digit(*p)) {
		p++;
		ndig++;
	}
	bool integral = true;
	if (*p == '.') {
		integral = false;
		p++;
		while (digit(*p)) {
			p++;
			nfrac++;
		}
	}
	if (!ndig && !nfrac)
		return false;
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			q++;
		if (digit(*q)) {
			while (digit(*q))
				q++;
			p = q;
			integral = false;
		}
	}
	const char *end = p;
	while (php_space(*p))
		p++;
	if (*p)
		return false;
	char *text = xstrndup(start, (size_t)(end - start));
	bool isint = false;
	long long l = 0;
	if (integral) {
		char *e;
		errno = 0;
		l = strtoll(text, &e, 10);
		isint = errno == 0;
	}
	double d = strtod(text, NULL);
	free(text);
	if (is_int)
		*is_int = isint;
	if (iv)
		*iv = l;
	if (dv)
		*dv = isint ? (double)l : d;
	return true;
}

static bool ztruthy(const struct zval *z)
{
	switch (z->k) {
	case Z_NULL:
		return false;
	case Z_BOOL:
	case Z_INT:
		return z->i != 0;
	case Z_DBL:
		return z->d != 0;
	case Z_STR:
		return php_truthy(z->s);
	}
	return false;
}

/* A number, or a numeric string read as one; false otherwise. */
static bool znum(const struct zval *z, bool *is_int, long long *iv, double *dv)
{
	if (z->k == Z_INT) {
		*is_int = true;
		*iv = z->i;
		*dv = (double)z->i;
		return true;
	}
	if (z->k == Z_DBL) {
		*is_int = false;
		*dv = z->d;
		return true;
	}
	if (z->k == Z_STR)
		return php_numeric(z->s, is_int, iv, dv);
	return false;
}

/* PHP 8 float to string: the shortest text that reads back the same. */
static void dbl_text(double d, char *buf, size_t size)
{
	if (isnan(d)) {
		snprintf(buf, size, "NAN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d < 0 ? "-INF" : "INF");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*G", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

bool php_loose_eq(const struct zval *a, const struct zval *b)
{
	if (a->k == Z_BOOL || b->k == Z_BOOL)
		return ztruthy(a) == ztruthy(b);
	if (a->k == Z_NULL && b->k == Z_NULL)
		return true;
	if (a->k == Z_NULL || b->k == Z_NULL) {
		const struct zval *o = a->k == Z_NULL ? b : a;
		if (o->k == Z_STR)
			return o->s[0] == '\0';
		return !ztruthy(o);
	}
	bool ai, bi;
	long long al = 0, bl = 0;
	double ad = 0, bd = 0;
	bool an = znum(a, &ai, &al, &ad), bn = znum(b, &bi, &bl, &bd);
	if (an && bn) {
		if (ai && bi)
			return al == bl;
		return ad == bd;
	}
	if (a->k == Z_STR && b->k == Z_STR)
		return strcmp(a->s, b->s) == 0;
	/* a number against a non-numeric string: compared as strings */
	const struct zval *num = a->k == Z_STR ? b : a;
	const struct zval *str = a->k == Z_STR ? a : b;
	char buf[64];
	if (num->k == Z_INT)
		snprintf(buf, sizeof buf, "%lld", num->i);
	else
		dbl_text(num->d, buf, sizeof buf);
	return strcmp(buf, str->s) == 0;
}

/* --- checks ----------------------------------------------------------- */

bool net_cidr_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash - s > 15)
		return false;
	char addr[16];
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (!valid_ipv4(addr))
		return false;
	const char *p = slash + 1;
	size_t n = strlen(p);
	if (n < 1 || n > 2 || !str_is_digits(p) || (n == 2 && p[0] == '0'))
		return false;
	return atoi(p) <= 32;
}

bool dn_name_ok(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static size_t digit_run(const char *p, size_t left)
{
	size_t n = 0;
	while (n < left && digit(p[n]))
		n++;
	return n;
}

bool find_dotted_quad(const char *line, size_t len, size_t *off, size_t *mlen)
{
	for (size_t i = 0; i < len; i++) {
		size_t p = i;
		bool ok = true;
		/* An octet followed by '.' can only be its whole digit run. */
		for (int k = 0; k < 3 && ok; k++) {
			size_t r = digit_run(line + p, len - p);
			if (r < 1 || r > 3 || p + r >= len || line[p + r] != '.')
				ok = false;
			else
				p += r + 1;
		}
		if (!ok)
			continue;
		size_t r = digit_run(line + p, len - p);
		if (r < 1)
			continue;
		p += r > 3 ? 3 : r;
		*off = i;
		*mlen = p - i;
		return true;
	}
	return false;
}
