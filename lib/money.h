/* Exact money and PHP's number-to-text rules.
 *
 * Amounts travel as text (GET parameters, VARCHAR columns, DOUBLE columns
 * printed by the server) and are written back as text, so ubapi never
 * computes with binary floats: money_t is a fixed-point count of micro-units
 * (DECISIONS 14 rounds amounts to 6 decimals).
 *
 * The same file holds PHP's float printers (phpnum_*), because money_format
 * must agree with them and phpjson/phpser need the serialize_precision=-1
 * form. */
#ifndef UBAPI_MONEY_H
#define UBAPI_MONEY_H

#include <stdbool.h>

#include "sbuf.h"

/* 1 unit = 1e-6 of the currency. */
typedef struct {
	long long units;
} money_t;

#define MONEY_SCALE 1000000LL
/* |units| of any amount money_parse*() or the arithmetic below accepts:
 * just under 10^12 currency units. The head-room up to LLONG_MAX is what lets
 * money_round() and money_neg() never overflow. */
#define MONEY_MAX_UNITS 999999999999999999LL
/* Longest text money_valid() accepts. */
#define MONEY_STR_MAX 32

/* ^-?[0-9]+(\.[0-9]{1,9})?$ and at most MONEY_STR_MAX bytes; NULL is invalid.
 * This is the only amount syntax a GET parameter may use. */
bool money_valid(const char *s);

/* A money_valid() string to fixed point; digits beyond the 6th decimal are
 * rounded half away from zero ("0.0000005" -> 0.000001). False, with *out
 * untouched, for invalid text or |value| > MONEY_MAX_UNITS. */
bool money_parse(const char *s, money_t *out);

/* A number as the database prints it: the server's shortest text of a DOUBLE
 * ("10", "-0.01", "1e-07", "12.5", "0.30000000000000004") or a VARCHAR amount
 * PHP wrote ("1.0E-5"). Syntax -?D+(.D+)?([eE][+-]?D+)?, at most 64 bytes.
 * Rounded to 6 decimals, half away from zero, on the decimal text itself
 * rather than on strtod()'s binary value: the text is exactly the decimal the
 * writer meant, while the binary value of e.g. 0.1234565 sits just below the
 * half-way point and would round the wrong way (PHP's round() pre-rounds for
 * the same reason). Garbage PHP may have stored ("-", "--5", "1.0-5", "")
 * is refused: false, *out untouched. */
bool money_parse_db(const char *s, money_t *out);

/* A computed double to money: its shortest round-trip text, then as
 * money_parse_db(). False for NaN, infinities and out-of-range values. */
bool money_from_double(double x, money_t *out);

/* The nearest double, for the rare caller that must hand PHP-style floats on. */
double money_to_double(money_t m);

/* Checked arithmetic: false (and *out untouched) when the result leaves
 * [-MONEY_MAX_UNITS, MONEY_MAX_UNITS]. */
bool money_add(money_t a, money_t b, money_t *out);
bool money_sub(money_t a, money_t b, money_t *out);
/* Total for every value within range (the range is symmetric). */
money_t money_neg(money_t a);
money_t money_abs(money_t a);
/* -1, 0 or 1. */
int money_cmp(money_t a, money_t b);

/* Rounds to 0..6 decimals (clamped), half away from zero. */
money_t money_round(money_t m, int decimals);

/* value * pct / 100, rounded to 2 decimals half away from zero, computed
 * exactly (spec actions-accounts.md §3.3: computed amounts are rounded to
 * 2 decimals). pct is itself an amount: 7.5 means 7.5 %. */
bool money_percent(money_t value, money_t pct, money_t *out);

/* The text PHP prints for the float of this amount under precision=14:
 * "120", "-20", "12.5", "0.01". Trailing zeros and a bare point never appear.
 * Differences from PHP, on purpose (DECISIONS 14): never exponent form
 * (PHP would print 1.0E-5 for 0.00001; amounts are 6-decimal fixed point so
 * plain text is always short), and never "-0" (fixed point has no negative
 * zero). Amounts with more than 14 significant digits are rounded to 14 as
 * PHP does ("1234567890123.45" -> "1234567890123.4"). */
void money_format(money_t m, struct sbuf *out);

/* Numeric negation of the text of a money_valid() amount, keeping its
 * spelling: "5" -> "-5", "-5.50" -> "5.50", "0" -> "-0", "-0" -> "0".
 * "0" -> "-0" is deliberate: spec §2.3 (sc) writes the fee 0 as the
 * payments summ "-0", exactly as PHP's "-" . $fee does; only PHP's "--5"
 * for a negative input is not reproduced. Returns false and appends nothing
 * when s is not money_valid(). */
bool money_negate_str(const char *s, struct sbuf *out);

/* PHP's (string)$float / echo with precision=14: %.14G digits, trailing
 * zeros dropped, integral values without a point, "-0", "INF", "-INF",
 * "NAN", and exponent form written PHP's way ("1.0E-5", "1.0E+14", "1.5E+20")
 * when the decimal exponent is < -4 or >= 14. (The spec says ">= 15"; PHP
 * 8.2 prints 1e14 as "1.0E+14" and 99999999999999.0 as "99999999999999".) */
void phpnum_format(double x, struct sbuf *out);

/* PHP's zend_gcvt(): precision > 0 gives that many significant digits
 * (correctly rounded, at most 40); precision <= 0 gives the shortest text
 * that reads back as the same double (serialize_precision=-1, which
 * json_encode uses with exp_char 'e' and serialize with 'E').
 * Exponent form when the decimal exponent is < -4 or >= precision (17 for
 * the shortest form: json_encode(1e16) is 10000000000000000, 1e17 1.0e+17).
 * Checked against PHP 8.2 on a few hundred thousand doubles, including
 * dtoa's habit of keeping a tie's trailing zero ("6.7905262688920E+14"). */
void phpnum_gcvt(double x, int precision, char exp_char, struct sbuf *out);

#endif
