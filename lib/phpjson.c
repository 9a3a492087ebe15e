#include "phpjson.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "util.h"

static const char hexdig[] = "0123456789abcdef";

/* ---- PHP array keys ---------------------------------------------------- */

bool php_key_int(const char *key, long long *v)
{
	const char *p = key;
	bool neg = *p == '-';
	if (neg)
		p++;
	if (*p < '0' || *p > '9')
		return false;
	/* PHP: a leading zero makes it a string, and so does "-0". */
	if (*p == '0' && (p[1] != '\0' || neg))
		return false;
	unsigned long long u = 0;
	const unsigned long long limit = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (u > (limit - d) / 10)
			return false;
		u = u * 10 + d;
	}
	if (v)
		*v = neg ? (long long)(0ULL - u) : (long long)u;
	return true;
}

bool php_key_is_int(const char *key)
{
	return php_key_int(key, NULL);
}

bool phpjson_object_is_list(const cJSON *obj)
{
	char want[24];
	size_t i = 0;
	for (const cJSON *c = obj->child; c; c = c->next, i++) {
		if (!c->string)
			return false;
		snprintf(want, sizeof want, "%zu", i);
		if (strcmp(c->string, want) != 0)
			return false;
	}
	return true;
}

cJSON *phpjson_dbval(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* ---- strings ------------------------------------------------------------ */

static void put_u16(struct sbuf *out, unsigned v)
{
	char b[6] = { '\\', 'u', hexdig[(v >> 12) & 15], hexdig[(v >> 8) & 15],
		      hexdig[(v >> 4) & 15], hexdig[v & 15] };
	sbuf_add(out, b, sizeof b);
}

/* One code point of already validated UTF-8 at s; returns its length. */
static size_t utf8_take(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0xE0) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (s[0] < 0xF0) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
		      (s[2] & 0x3F);
		return 3;
	}
	*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
	      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	return 4;
}

static void put_codepoint(struct sbuf *out, uint32_t cp)
{
	if (cp < 0x10000) {
		put_u16(out, cp);
		return;
	}
	cp -= 0x10000;
	put_u16(out, 0xD800 | (cp >> 10));
	put_u16(out, 0xDC00 | (cp & 0x3FF));
}

/* The escape for an ASCII byte, or NULL when it is written as it is. */
static const char *ascii_escape(unsigned char c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '/': return "\\/";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default: return NULL;
	}
}

int phpjson_string(const char *str, size_t len, struct sbuf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	if (len && !utf8_valid(str, len))
		return -1;
	sbuf_putc(out, '"');
	size_t run = 0; /* start of the pending bytes that need no escape */
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		const char *esc = c < 0x80 ? ascii_escape(c) : NULL;
		if (c >= 0x20 && c < 0x80 && !esc) {
			i++;
			continue;
		}
		sbuf_add(out, s + run, i - run);
		if (esc) {
			sbuf_puts(out, esc);
			i++;
		} else if (c < 0x20) {
			put_u16(out, c);
			i++;
		} else {
			uint32_t cp;
			i += utf8_take(s + i, &cp);
			put_codepoint(out, cp);
		}
		run = i;
	}
	sbuf_add(out, s + run, i - run);
	sbuf_putc(out, '"');
	return 0;
}

/* ---- values ------------------------------------------------------------- */

static bool is_int64(double d)
{
	return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == trunc(d) &&
	       !(d == 0 && signbit(d));
}

static int print_number(double d, struct sbuf *out)
{
	if (!isfinite(d))
		return -1; /* PHP: JSON_ERROR_INF_OR_NAN */
	if (is_int64(d))
		sbuf_printf(out, "%lld", (long long)d);
	else
		phpnum_gcvt(d, -1, 'e', out);
	return 0;
}

static int print_value(const cJSON *item, bool php_arrays, int depth, struct sbuf *out);

static int print_list(const cJSON *item, bool php_arrays, int depth, struct sbuf *out)
{
	sbuf_putc(out, '[');
	for (const cJSON *c = item->child; c; c = c->next) {
		if (c != item->child)
			sbuf_putc(out, ',');
		if (print_value(c, php_arrays, depth, out) != 0)
			return -1;
	}
	sbuf_putc(out, ']');
	return 0;
}

static int print_object(const cJSON *item, bool php_arrays, int depth, struct sbuf *out)
{
	sbuf_putc(out, '{');
	for (const cJSON *c = item->child; c; c = c->next) {
		if (c != item->child)
			sbuf_putc(out, ',');
		if (!c->string || phpjson_string(c->string, strlen(c->string), out) != 0)
			return -1;
		sbuf_putc(out, ':');
		if (print_value(c, php_arrays, depth, out) != 0)
			return -1;
	}
	sbuf_putc(out, '}');
	return 0;
}

static int print_value(const cJSON *item, bool php_arrays, int depth, struct sbuf *out)
{
	switch (item->type & 0xFF) {
	case cJSON_False:
		sbuf_puts(out, "false");
		return 0;
	case cJSON_True:
		sbuf_puts(out, "true");
		return 0;
	case cJSON_NULL:
		sbuf_puts(out, "null");
		return 0;
	case cJSON_Number:
		return print_number(item->valuedouble, out);
	case cJSON_String:
		if (!item->valuestring)
			return -1;
		return phpjson_string(item->valuestring, strlen(item->valuestring), out);
	case cJSON_Raw:
		if (!item->valuestring)
			return -1;
		sbuf_puts(out, item->valuestring);
		return 0;
	case cJSON_Array:
		if (depth >= PHPJSON_MAX_DEPTH)
			return -1;
		return print_list(item, php_arrays, depth + 1, out);
	case cJSON_Object:
		if (depth >= PHPJSON_MAX_DEPTH)
			return -1;
		if (php_arrays && phpjson_object_is_list(item))
			return print_list(item, php_arrays, depth + 1, out);
		return print_object(item, php_arrays, depth + 1, out);
	default:
		return -1;
	}
}

/* All or nothing: a failed print leaves out as it was, like the empty body
 * PHP sends when json_encode() returns false. */
static int print_root(const cJSON *item, bool php_arrays, struct sbuf *out)
{
	size_t start = out->len;
	if (item && print_value(item, php_arrays, 0, out) == 0)
		return 0;
	out->len = start;
	if (out->s)
		out->s[start] = '\0';
	return -1;
}

int phpjson_print(const cJSON *item, struct sbuf *out)
{
	return print_root(item, false, out);
}

int phpjson_print_php(const cJSON *item, struct sbuf *out)
{
	return print_root(item, true, out);
}
