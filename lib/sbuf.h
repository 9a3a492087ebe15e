/* Growable byte string: every reply, SQL value and file body is built in one. */
#ifndef UBAPI_SBUF_H
#define UBAPI_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *s;     /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

#define SBUF_INIT { NULL, 0, 0 }

void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_reset(struct sbuf *b);
void sbuf_add(struct sbuf *b, const void *data, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* The text so far; "" (never NULL) for an empty buffer. */
const char *sbuf_str(const struct sbuf *b);
/* Keeps at most max UTF-8 characters, never splitting one: VARCHAR(n)
 * columns in utf8 count characters, not bytes. */
void sbuf_truncate_chars(struct sbuf *b, size_t max);
/* Appends s[0..len) with PHP stripcslashes() applied: \n \t \r \a \v \b \f,
 * \xHH, octal \ooo, and any other escaped character as itself. */
void sbuf_add_stripcslashes(struct sbuf *b, const char *s, size_t len);
/* Hands the heap string to the caller and leaves b empty. */
char *sbuf_detach(struct sbuf *b);

#endif
