#include "util.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void out_of_memory(void)
{
	fputs("ubapi: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

bool php_truthy(const char *s)
{
	return s && s[0] && !(s[0] == '0' && s[1] == '\0');
}

bool ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* Compare against b's length so the loop time never reveals a prefix. */
	volatile uint8_t diff = (uint8_t)(la != lb);
	for (size_t i = 0; i < lb; i++) {
		uint8_t ca = i < la ? (uint8_t)a[i] : 0;
		diff |= ca ^ (uint8_t)b[i];
	}
	return diff == 0;
}

void vf_filter(char *s)
{
	static const char bad[] = "~@+?%/;=*><\"'-";
	char *w = s;
	for (char *r = s; *r; r++)
		if (!strchr(bad, *r))
			*w++ = *r;
	*w = '\0';
}

char *str_trim(char *s)
{
	size_t len = strlen(s);
	while (len && strchr(" \t\r\n\v\f", s[len - 1]))
		s[--len] = '\0';
	size_t start = strspn(s, " \t\r\n\v\f");
	if (start)
		memmove(s, s + start, len - start + 1);
	return s;
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool str_is_digits(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

int php_natcmp(const char *x, const char *y)
{
	while (*x && *y) {
		if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
			while (*x == '0' && isdigit((unsigned char)x[1]))
				x++;
			while (*y == '0' && isdigit((unsigned char)y[1]))
				y++;
			size_t lx = 0, ly = 0;
			while (isdigit((unsigned char)x[lx]))
				lx++;
			while (isdigit((unsigned char)y[ly]))
				ly++;
			if (lx != ly)
				return lx < ly ? -1 : 1;
			int c = strncmp(x, y, lx);
			if (c)
				return c;
			x += lx;
			y += ly;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x - (unsigned char)*y;
		x++;
		y++;
	}
	return (unsigned char)*x - (unsigned char)*y;
}

int php_natcmp_ptr(const void *a, const void *b)
{
	return php_natcmp(*(char *const *)a, *(char *const *)b);
}
