#include "sbuf.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

void sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void sbuf_grow(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void sbuf_add(struct sbuf *b, const void *data, size_t n)
{
	sbuf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_putc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	char small[256];
	int n = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		sbuf_add(b, small, (size_t)n);
		return;
	}
	sbuf_grow(b, (size_t)n);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *sbuf_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

char *sbuf_detach(struct sbuf *b)
{
	char *s = b->s ? b->s : xstrdup("");
	sbuf_init(b);
	return s;
}

void sbuf_truncate_chars(struct sbuf *b, size_t max)
{
	size_t chars = 0;
	for (size_t i = 0; i < b->len; i++) {
		if (((unsigned char)b->s[i] & 0xC0) == 0x80)
			continue;
		if (chars == max) {
			b->len = i;
			b->s[i] = '\0';
			return;
		}
		chars++;
	}
}

void sbuf_add_stripcslashes(struct sbuf *b, const char *s, size_t len)
{
	static const char simple[] = "ntravbf", meaning[] = "\n\t\r\a\v\b\f";
	sbuf_add(b, "", 0);
	const char *end = s + len;
	for (const char *p = s; p < end; p++) {
		if (*p != '\\' || p + 1 >= end) {
			sbuf_putc(b, *p);
			continue;
		}
		char c = *++p;
		const char *k = strchr(simple, c);
		if (c && k) {
			sbuf_putc(b, meaning[k - simple]);
		} else if (c == 'x' && p + 1 < end && hex_digit(p[1]) >= 0) {
			int v = hex_digit(*++p);
			if (p + 1 < end && hex_digit(p[1]) >= 0)
				v = v * 16 + hex_digit(*++p);
			sbuf_putc(b, (char)v);
		} else if (c >= '0' && c <= '7') {
			int v = c - '0';
			for (int n = 0; n < 2 && p + 1 < end && p[1] >= '0' && p[1] <= '7'; n++)
				v = v * 8 + (*++p - '0');
			sbuf_putc(b, (char)v);
		} else {
			sbuf_putc(b, c);
		}
	}
}
