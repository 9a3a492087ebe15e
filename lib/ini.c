#include "ini.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sbuf.h"
#include "util.h"

struct ini_pair {
	char *key;
	char *value;
	size_t order; /* file position, so the last duplicate wins */
};

struct ini {
	struct ini_pair *pairs; /* sorted by key after parsing */
	size_t n, cap;
};

static void ini_put(struct ini *ini, const char *key, size_t klen, char *value)
{
	if (ini->n == ini->cap) {
		ini->cap = ini->cap ? ini->cap * 2 : 64;
		ini->pairs = xrealloc(ini->pairs, ini->cap * sizeof *ini->pairs);
	}
	ini->pairs[ini->n].key = xstrndup(key, klen);
	ini->pairs[ini->n].value = value;
	ini->pairs[ini->n].order = ini->n;
	ini->n++;
}

/* PHP turns these bare words into "1" or "" (INI_SCANNER_NORMAL). */
static char *php_bare_word(const char *v, size_t len)
{
	static const char *const yes[] = { "yes", "on", "true" };
	static const char *const no[] = { "no", "off", "false", "none", "null" };
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (strlen(yes[i]) == len && strncasecmp(v, yes[i], len) == 0)
			return xstrdup("1");
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (strlen(no[i]) == len && strncasecmp(v, no[i], len) == 0)
			return xstrdup("");
	return xstrndup(v, len);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* A PHP value: a sequence of quoted strings and bare text, stopping at ';'
 * outside quotes; bare parts are trimmed and a lone bare word may be a
 * boolean keyword. */
static char *php_value(const char *p, const char *end)
{
	struct sbuf out = SBUF_INIT;
	bool quoted = false;
	while (p < end) {
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			const char *start = p;
			while (p < end && *p != q) {
				/* PHP's double-quoted ini strings honour \" only */
				if (q == '"' && *p == '\\' && p + 1 < end && p[1] == '"') {
					sbuf_add(&out, start, (size_t)(p - start));
					sbuf_putc(&out, '"');
					p += 2;
					start = p;
					continue;
				}
				p++;
			}
			sbuf_add(&out, start, (size_t)(p - start));
			if (p < end)
				p++;
			quoted = true;
			continue;
		}
		if (*p == ';')
			break;
		const char *start = p;
		while (p < end && *p != ';' && *p != '"' && *p != '\'')
			p++;
		const char *stop = p;
		while (stop > start && is_space(stop[-1]))
			stop--;
		while (start < stop && is_space(*start))
			start++;
		if (!quoted && (p >= end || *p == ';') && out.len == 0) {
			sbuf_free(&out);
			return php_bare_word(start, (size_t)(stop - start));
		}
		sbuf_add(&out, start, (size_t)(stop - start));
	}
	if (!out.s)
		return xstrdup("");
	return sbuf_detach(&out);
}

static char *rcms_value(const char *p, const char *end)
{
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p < end && *p == '"')
		p++;
	if (end > p && end[-1] == '"')
		end--;
	struct sbuf out = SBUF_INIT;
	sbuf_add_stripcslashes(&out, p, (size_t)(end - p));
	return sbuf_detach(&out);
}

static int pair_cmp(const void *a, const void *b)
{
	const struct ini_pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

static void parse_line(struct ini *ini, const char *line, const char *end, enum ini_dialect d)
{
	while (line < end && is_space(*line))
		line++;
	if (line == end || *line == ';' || *line == '[')
		return;
	if (d == INI_PHP && *line == '#')
		return;
	const char *eq = memchr(line, '=', (size_t)(end - line));
	if (!eq)
		return;
	const char *kend = eq;
	while (kend > line && is_space(kend[-1]))
		kend--;
	if (kend == line)
		return;
	char *value = d == INI_PHP ? php_value(eq + 1, end) : rcms_value(eq + 1, end);
	ini_put(ini, line, (size_t)(kend - line), value);
}

struct ini *ini_parse(const char *text, size_t len, enum ini_dialect d)
{
	struct ini *ini = xcalloc(1, sizeof *ini);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		parse_line(ini, p, eol, d);
		p = nl ? nl + 1 : end;
	}
	qsort(ini->pairs, ini->n, sizeof *ini->pairs, pair_cmp);
	return ini;
}

struct ini *ini_load(const char *path, enum ini_dialect d)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct sbuf text = SBUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_add(&text, chunk, n);
	fclose(f);
	struct ini *ini = ini_parse(sbuf_str(&text), text.len, d);
	sbuf_free(&text);
	return ini;
}

void ini_free(struct ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->n; i++) {
		free(ini->pairs[i].key);
		free(ini->pairs[i].value);
	}
	free(ini->pairs);
	free(ini);
}

const char *ini_get(const struct ini *ini, const char *key)
{
	if (!ini)
		return NULL;
	size_t lo = 0, hi = ini->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ini->pairs[mid].key, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo is one past the last pair whose key is <= key */
	if (lo > 0 && strcmp(ini->pairs[lo - 1].key, key) == 0)
		return ini->pairs[lo - 1].value;
	return NULL;
}

size_t ini_count(const struct ini *ini)
{
	return ini ? ini->n : 0;
}
