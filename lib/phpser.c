#include "phpser.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "phpjson.h"
#include "util.h"

/* ---- writer --------------------------------------------------------------- */

void phpser_array_begin(struct sbuf *out, size_t count)
{
	sbuf_printf(out, "a:%zu:{", count);
}

void phpser_array_end(struct sbuf *out)
{
	sbuf_putc(out, '}');
}

void phpser_key_int(struct sbuf *out, long long key)
{
	phpser_int(out, key);
}

void phpser_key_str(struct sbuf *out, const char *key)
{
	long long k;
	if (php_key_int(key, &k))
		phpser_int(out, k);
	else
		phpser_string(out, key, strlen(key));
}

void phpser_string(struct sbuf *out, const char *s, size_t len)
{
	sbuf_printf(out, "s:%zu:\"", len);
	if (len)
		sbuf_add(out, s, len);
	sbuf_puts(out, "\";");
}

void phpser_int(struct sbuf *out, long long v)
{
	sbuf_printf(out, "i:%lld;", v);
}

void phpser_float(struct sbuf *out, double v)
{
	sbuf_puts(out, "d:");
	phpnum_gcvt(v, -1, 'E', out);
	sbuf_putc(out, ';');
}

void phpser_bool(struct sbuf *out, bool v)
{
	sbuf_puts(out, v ? "b:1;" : "b:0;");
}

void phpser_null(struct sbuf *out)
{
	sbuf_puts(out, "N;");
}

static bool is_int64(double d)
{
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == trunc(d) &&
	       !(d == 0 && signbit(d));
}

static int write_value(const cJSON *item, int depth, struct sbuf *out);

static int write_array(const cJSON *item, int depth, struct sbuf *out)
{
	bool object = (item->type & 0xFF) == cJSON_Object;
	size_t n = 0, i = 0;
	if (depth >= PHPSER_MAX_DEPTH)
		return -1;
	for (const cJSON *c = item->child; c; c = c->next)
		n++;
	phpser_array_begin(out, n);
	for (const cJSON *c = item->child; c; c = c->next, i++) {
		if (object && !c->string)
			return -1;
		if (object)
			phpser_key_str(out, c->string);
		else
			phpser_key_int(out, (long long)i);
		if (write_value(c, depth + 1, out) != 0)
			return -1;
	}
	phpser_array_end(out);
	return 0;
}

static int write_value(const cJSON *item, int depth, struct sbuf *out)
{
	switch (item->type & 0xFF) {
	case cJSON_False:
		phpser_bool(out, false);
		return 0;
	case cJSON_True:
		phpser_bool(out, true);
		return 0;
	case cJSON_NULL:
		phpser_null(out);
		return 0;
	case cJSON_Number:
		if (is_int64(item->valuedouble))
			phpser_int(out, (long long)item->valuedouble);
		else
			phpser_float(out, item->valuedouble);
		return 0;
	case cJSON_String:
		if (!item->valuestring)
			return -1;
		phpser_string(out, item->valuestring, strlen(item->valuestring));
		return 0;
	case cJSON_Array:
	case cJSON_Object:
		return write_array(item, depth, out);
	default:
		return -1;
	}
}

int phpser_write_json(const cJSON *item, struct sbuf *out)
{
	size_t start = out->len;
	if (item && write_value(item, 0, out) == 0)
		return 0;
	out->len = start;
	if (out->s)
		out->s[start] = '\0';
	return -1;
}

/* ---- reader: tokens ------------------------------------------------------- */

struct reader {
	const char *p, *end;
	int depth;
};

static size_t left(const struct reader *r)
{
	return (size_t)(r->end - r->p);
}

static bool take(struct reader *r, char c)
{
	if (r->p == r->end || *r->p != c)
		return false;
	r->p++;
	return true;
}

/* Two bytes such as "i:" at once. */
static bool take2(struct reader *r, char a, char b)
{
	if (left(r) < 2 || r->p[0] != a || r->p[1] != b)
		return false;
	r->p += 2;
	return true;
}

static size_t digit_run(const struct reader *r, const char *from)
{
	const char *q = from;
	while (q < r->end && *q >= '0' && *q <= '9')
		q++;
	return (size_t)(q - from);
}

/* [0-9]+ into a size_t, refusing overflow (PHP's uiv). */
static bool read_uint(struct reader *r, size_t *v)
{
	size_t n = digit_run(r, r->p), u = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t d = (size_t)(r->p[i] - '0');
		if (u > (SIZE_MAX - d) / 10)
			return false;
		u = u * 10 + d;
	}
	r->p += n;
	*v = u;
	return true;
}

/* [+-]?[0-9]+ into a long long, refusing overflow (PHP's iv). */
static bool read_int(struct reader *r, long long *v)
{
	bool neg = false;
	if (r->p < r->end && (*r->p == '-' || *r->p == '+')) {
		neg = *r->p == '-';
		r->p++;
	}
	size_t n = digit_run(r, r->p);
	if (n == 0)
		return false;
	const unsigned long long limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	unsigned long long u = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(r->p[i] - '0');
		if (u > (limit - d) / 10)
			return false;
		u = u * 10 + d;
	}
	r->p += n;
	*v = neg ? (long long)(0ULL - u) : (long long)u;
	return true;
}

/* Length of PHP's float text at r->p, or 0: [+-]? then D+ | D*.D+ | D+.D*,
 * then optionally [eE][+-]?D+. */
static size_t float_span(const struct reader *r)
{
	const char *q = r->p;
	if (q < r->end && (*q == '+' || *q == '-'))
		q++;
	size_t ni = digit_run(r, q);
	q += ni;
	size_t nf = 0;
	if (q < r->end && *q == '.') {
		nf = digit_run(r, q + 1);
		q += 1 + nf;
	}
	if (ni == 0 && nf == 0)
		return 0;
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		const char *e = q + 1;
		if (e < r->end && (*e == '+' || *e == '-'))
			e++;
		size_t ne = digit_run(r, e);
		if (ne == 0)
			return 0;
		q = e + ne;
	}
	return (size_t)(q - r->p);
}

static bool read_float(struct reader *r, double *v)
{
	static const struct {
		const char *text;
		double value;
	} special[] = { { "NAN", NAN }, { "INF", INFINITY }, { "-INF", -INFINITY } };
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
		size_t n = strlen(special[i].text);
		if (left(r) > n && memcmp(r->p, special[i].text, n) == 0 && r->p[n] == ';') {
			r->p += n;
			*v = special[i].value;
			return true;
		}
	}
	size_t n = float_span(r);
	if (n == 0)
		return false;
	/* strtod needs a NUL the input may not have. */
	char *copy = xstrndup(r->p, n);
	*v = strtod(copy, NULL);
	free(copy);
	r->p += n;
	return true;
}

/* s:<len>:"<len bytes>"; after the "s:"; the bytes stay in the input. */
static bool read_str(struct reader *r, const char **s, size_t *len)
{
	if (!read_uint(r, len) || !take(r, ':') || !take(r, '"'))
		return false;
	if (*len > left(r))
		return false;
	*s = r->p;
	r->p += *len;
	return take(r, '"') && take(r, ';');
}

/* ---- reader: key map -------------------------------------------------------- */

/* Open addressing from key text to the member holding it, so repeated keys
 * cost O(1) even in a hostile array of a hundred thousand members. */
struct keymap {
	cJSON **slot;
	size_t cap, n;
};

static uint64_t key_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static cJSON **keymap_where(const struct keymap *m, const char *key)
{
	size_t i = (size_t)key_hash(key) & (m->cap - 1);
	while (m->slot[i] && strcmp(m->slot[i]->string, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static cJSON *keymap_find(const struct keymap *m, const char *key)
{
	return m->cap ? *keymap_where(m, key) : NULL;
}

static void keymap_put(struct keymap *m, cJSON *item)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct keymap bigger = { xcalloc(m->cap ? m->cap * 2 : 16, sizeof(cJSON *)),
					 m->cap ? m->cap * 2 : 16, 0 };
		for (size_t i = 0; i < m->cap; i++)
			if (m->slot[i])
				keymap_put(&bigger, m->slot[i]);
		free(m->slot);
		*m = bigger;
	}
	*keymap_where(m, item->string) = item;
	m->n++;
}

/* ---- reader: values --------------------------------------------------------- */

static cJSON *parse_value(struct reader *r);

/* A key as text: i:N; in decimal, s:..; as it is. NULL when malformed. */
static char *read_key(struct reader *r)
{
	if (take2(r, 'i', ':')) {
		long long k;
		char buf[24];
		if (!read_int(r, &k) || !take(r, ';'))
			return NULL;
		snprintf(buf, sizeof buf, "%lld", k);
		return xstrdup(buf);
	}
	if (take2(r, 's', ':')) {
		const char *s;
		size_t len;
		if (!read_str(r, &s, &len) || memchr(s, '\0', len))
			return NULL;
		return xstrndup(s, len);
	}
	return NULL;
}

/* A repeated key keeps its member (and so its place) and takes the new value:
 * the two nodes swap contents and the old contents go with the new node. */
static void take_value(cJSON *slot, cJSON *val)
{
	cJSON old = *slot;
	slot->child = val->child;
	slot->type = val->type;
	slot->valuestring = val->valuestring;
	slot->valueint = val->valueint;
	slot->valuedouble = val->valuedouble;
	val->child = old.child;
	val->type = old.type;
	val->valuestring = old.valuestring;
	cJSON_Delete(val);
}

static bool key_is_index(const char *key, size_t index)
{
	char want[24];
	snprintf(want, sizeof want, "%zu", index);
	return strcmp(key, want) == 0;
}

/* Keys were 0..n-1 in order: drop them and call it a list. */
static void make_list(cJSON *obj)
{
	for (cJSON *c = obj->child; c; c = c->next) {
		cJSON_free(c->string);
		c->string = NULL;
	}
	obj->type = cJSON_Array;
}

/* One key => value pair into obj; false when malformed. */
static bool parse_member(struct reader *r, cJSON *obj, struct keymap *km, bool *list)
{
	char *key = read_key(r);
	if (!key)
		return false;
	cJSON *val = parse_value(r);
	bool ok = val != NULL;
	cJSON *slot = ok ? keymap_find(km, key) : NULL;
	if (slot) {
		take_value(slot, val);
	} else if (ok) {
		if (*list && !key_is_index(key, km->n))
			*list = false;
		ok = cJSON_AddItemToObject(obj, key, val) && val->string;
		if (ok)
			keymap_put(km, val);
		else
			cJSON_Delete(val);
	}
	free(key);
	return ok;
}

/* a:<n>:{<n pairs>} after the "a:". */
static cJSON *parse_array(struct reader *r)
{
	size_t n;
	if (!read_uint(r, &n) || !take(r, ':') || !take(r, '{'))
		return NULL;
	/* Each pair takes at least 4 bytes ("i:0;N;" is 6): a count the rest of
	 * the input cannot hold is a lie, refused before any work. */
	if (n > left(r) / 4 || r->depth >= PHPSER_MAX_DEPTH)
		return NULL;
	cJSON *obj = cJSON_CreateObject();
	struct keymap km = { NULL, 0, 0 };
	bool list = true, ok = obj != NULL;
	r->depth++;
	for (size_t i = 0; ok && i < n; i++)
		ok = parse_member(r, obj, &km, &list);
	r->depth--;
	free(km.slot);
	if (!ok || !take(r, '}')) {
		cJSON_Delete(obj);
		return NULL;
	}
	if (list)
		make_list(obj);
	return obj;
}

static cJSON *parse_scalar_number(struct reader *r, bool is_float)
{
	double d;
	long long v;
	if (is_float) {
		if (!read_float(r, &d))
			return NULL;
	} else {
		if (!read_int(r, &v))
			return NULL;
		d = (double)v;
	}
	return take(r, ';') ? cJSON_CreateNumber(d) : NULL;
}

static cJSON *parse_value(struct reader *r)
{
	if (take2(r, 'N', ';'))
		return cJSON_CreateNull();
	if (take2(r, 'b', ':')) {
		if (left(r) < 2 || (r->p[0] != '0' && r->p[0] != '1') || r->p[1] != ';')
			return NULL;
		r->p += 2;
		return cJSON_CreateBool(r->p[-2] == '1');
	}
	if (take2(r, 'i', ':'))
		return parse_scalar_number(r, false);
	if (take2(r, 'd', ':'))
		return parse_scalar_number(r, true);
	if (take2(r, 's', ':')) {
		const char *s;
		size_t len;
		if (!read_str(r, &s, &len) || memchr(s, '\0', len))
			return NULL;
		char *copy = xstrndup(s, len);
		cJSON *item = cJSON_CreateString(copy);
		free(copy);
		return item;
	}
	if (take2(r, 'a', ':'))
		return parse_array(r);
	return NULL;
}

cJSON *phpser_parse(const char *buf, size_t len)
{
	if (!buf)
		return NULL;
	struct reader r = { buf, buf + len, 0 };
	cJSON *root = parse_value(&r);
	if (root && r.p != r.end) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}
