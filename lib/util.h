/* Small helpers with no better home: allocation that never returns NULL,
 * PHP-style string predicates, and the constant-time key comparison. */
#ifndef UBAPI_UTIL_H
#define UBAPI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* PHP truthiness of a string: NULL, "" and "0" are false. */
bool php_truthy(const char *s);

/* Equal length and bytes, in time that depends only on the lengths. */
bool ct_equal(const char *a, const char *b);

/* Ubilling's vf() blacklist: drops ~ @ + ? % / ; = * > < " ' - in place. */
void vf_filter(char *s);

/* Trims ASCII whitespace at both ends, in place; returns s. */
char *str_trim(char *s);

/* The value of one hex digit, or -1. */
int hex_digit(char c);

bool str_is_digits(const char *s);        /* non-empty, 0-9 only */
bool str_has_prefix(const char *s, const char *prefix);

/* Valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t len);

/* PHP natsort() order of two names: digit runs compare as numbers
 * (case-sensitive); _ptr compares two char * for qsort. */
int php_natcmp(const char *a, const char *b);
int php_natcmp_ptr(const void *a, const void *b);

#endif
