#include "query.h"

#include <string.h>

#include "sbuf.h"
#include "util.h"

/* urldecode(): '+' is a space, %XX a byte, a malformed % stays literal. */
static void urldecode(const char *s, size_t len, struct sbuf *out)
{
	sbuf_reset(out);
	sbuf_add(out, "", 0);
	for (size_t i = 0; i < len; i++) {
		int hi, lo;
		if (s[i] == '+')
			sbuf_putc(out, ' ');
		else if (s[i] == '%' && i + 2 < len && (hi = hex_digit(s[i + 1])) >= 0 &&
			 (lo = hex_digit(s[i + 2])) >= 0) {
			sbuf_putc(out, (char)(hi * 16 + lo));
			i += 2;
		} else
			sbuf_putc(out, s[i]);
	}
}

/* Control bytes other than tab, CR and LF never belong in an API value;
 * letting them through would only reach logs and the database. */
static bool bytes_acceptable(const struct sbuf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->s[i];
		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return false;
	}
	return utf8_valid(b->s, b->len);
}

/* PHP's variable-name rules: leading spaces dropped, ' ' and '.' become
 * '_', and "name[...]" makes an array. A '[' with no ']' turns into '_'
 * and ends the special treatment. */
static void php_name(struct sbuf *name, bool *is_array)
{
	*is_array = false;
	char *s = name->s;
	size_t start = 0;
	while (start < name->len && s[start] == ' ')
		start++;
	memmove(s, s + start, name->len - start + 1);
	name->len -= start;
	for (size_t i = 0; i < name->len; i++) {
		if (s[i] == '[') {
			if (memchr(s + i, ']', name->len - i)) {
				*is_array = true;
				name->len = i;
				s[i] = '\0';
				return;
			}
			s[i] = '_';
			return;
		}
		if (s[i] == ' ' || s[i] == '.')
			s[i] = '_';
	}
}

enum query_status query_decode(const char *qs, struct params *out)
{
	if (!qs)
		return QUERY_OK;
	size_t len = strlen(qs);
	if (len > QUERY_MAX_LEN)
		return QUERY_TOO_LONG;
	struct sbuf name = SBUF_INIT, value = SBUF_INIT;
	enum query_status st = QUERY_OK;
	size_t count = 0;
	const char *p = qs, *end = qs + len;
	while (p < end && st == QUERY_OK) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pair_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		const char *name_end = eq ? eq : pair_end;
		if (name_end > p) {
			if (++count > QUERY_MAX_PARAMS) {
				st = QUERY_TOO_MANY;
				break;
			}
			urldecode(p, (size_t)(name_end - p), &name);
			urldecode(eq ? eq + 1 : pair_end, eq ? (size_t)(pair_end - eq - 1) : 0, &value);
			if (!bytes_acceptable(&name) || !bytes_acceptable(&value)) {
				st = QUERY_BAD_BYTES;
				break;
			}
			bool is_array;
			php_name(&name, &is_array);
			if (name.len > 0)
				params_set(out, name.s, name.len, value.s, value.len, is_array);
		}
		p = amp ? amp + 1 : end;
	}
	sbuf_free(&name);
	sbuf_free(&value);
	return st;
}

const char *query_error_reply(enum query_status st)
{
	switch (st) {
	case QUERY_TOO_LONG: return "ERROR:QUERY_TOO_LONG";
	case QUERY_TOO_MANY: return "ERROR:TOO_MANY_PARAMS";
	case QUERY_BAD_BYTES: return "ERROR:BAD_QUERY_ENCODING";
	case QUERY_OK: break;
	}
	return "";
}
