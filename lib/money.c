#include "money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest DB number text money_parse_db() reads; far above any DOUBLE the
 * server prints (at most 17 digits, a sign, a point and "e-308"). */
#define MONEY_DB_STR_MAX 64

/* ---- PHP float text (zend_gcvt) --------------------------------------- */

/* Decimal digits of a non-negative double: value = 0.d[0..n) * 10^decpt,
 * the convention of zend_dtoa() that zend_gcvt() lays out. */
struct digits {
	char d[48];
	int n;
	int decpt;
};

/* Correctly rounded p significant digits. glibc's printf rounds the exact
 * binary value, half to even, which is what zend_dtoa() mode 2 does. */
static void digits_rounded(double ax, int p, struct digits *r)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.*e", p - 1, ax);
	const char *e = strchr(buf, 'e');
	r->n = 0;
	for (const char *c = buf; c < e; c++)
		if (*c != '.')
			r->d[r->n++] = *c;
	r->decpt = atoi(e + 1) + 1;
}

static double digits_value(const struct digits *r)
{
	char buf[80];
	snprintf(buf, sizeof buf, "0.%.*se%d", r->n, r->d, r->decpt);
	return strtod(buf, NULL);
}

/* The next decimal of the same length above r ("199" -> "200",
 * "999" -> "100" one decade up). */
static void digits_step_up(struct digits *r)
{
	int i = r->n - 1;
	while (i >= 0 && r->d[i] == '9')
		r->d[i--] = '0';
	if (i >= 0) {
		r->d[i]++;
		return;
	}
	r->d[0] = '1';
	r->decpt++;
}

/* Shortest digits that read back as ax (zend_dtoa() mode 0). The nearest
 * p-digit decimal is the one to try; only at a power of two, where the
 * interval that rounds to ax is narrower below than above, can the
 * next decimal up be in it while the nearest (below) is not. */
static void digits_shortest(double ax, struct digits *r)
{
	for (int p = 1; p < 17; p++) {
		digits_rounded(ax, p, r);
		double v = digits_value(r);
		if (v == ax)
			return;
		if (v < ax) {
			struct digits up = *r;
			digits_step_up(&up);
			if (digits_value(&up) == ax) {
				*r = up;
				return;
			}
		}
	}
	digits_rounded(ax, 17, r); /* 17 digits always read back */
}

static void digits_trim(struct digits *r)
{
	while (r->n > 1 && r->d[r->n - 1] == '0')
		r->n--;
}

/* A zend_dtoa() quirk PHP shows: an integer below 1e15 that is an exact
 * tie at ndigit digits and rounds down (to even) keeps the trailing zeros
 * of its digits, so (string)679052626889205.0 is "6.7905262688920E+14".
 * dtoa's fast path gives up on exact ties (digits <= 14) and its
 * "small integer" path does not trim. */
static bool tie_keeps_zeros(double ax, int ndigit)
{
	char buf[32];
	if (ndigit > 14 || ax >= 1e15 || ax != trunc(ax))
		return false;
	int n = snprintf(buf, sizeof buf, "%.0f", ax);
	if (n <= ndigit || buf[ndigit] != '5' || (buf[ndigit - 1] - '0') % 2 != 0)
		return false;
	for (int i = ndigit + 1; i < n; i++)
		if (buf[i] != '0')
			return false;
	return true;
}

/* zend_gcvt()'s three layouts: E-style, "0.000ddd", and plain. */
static void gcvt_layout(bool neg, const struct digits *r, int ndigit, char exp_char,
			struct sbuf *out)
{
	int decpt = r->decpt;
	if (neg)
		sbuf_putc(out, '-');
	if (decpt > ndigit || decpt < -3) {
		int e = decpt - 1;
		sbuf_putc(out, r->d[0]);
		sbuf_putc(out, '.');
		if (r->n > 1)
			sbuf_add(out, r->d + 1, (size_t)r->n - 1);
		else
			sbuf_putc(out, '0');
		sbuf_printf(out, "%c%c%d", exp_char, e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (decpt < 0) {
		sbuf_puts(out, "0.");
		for (int i = decpt; i < 0; i++)
			sbuf_putc(out, '0');
		sbuf_add(out, r->d, (size_t)r->n);
	} else {
		for (int i = 0; i < decpt; i++)
			sbuf_putc(out, i < r->n ? r->d[i] : '0');
		if (r->n > decpt) {
			if (decpt == 0)
				sbuf_putc(out, '0');
			sbuf_putc(out, '.');
			sbuf_add(out, r->d + decpt, (size_t)(r->n - decpt));
		}
	}
}

void phpnum_gcvt(double x, int precision, char exp_char, struct sbuf *out)
{
	if (isnan(x)) {
		sbuf_puts(out, "NAN");
		return;
	}
	if (isinf(x)) {
		sbuf_puts(out, x < 0 ? "-INF" : "INF");
		return;
	}
	struct digits r;
	int ndigit;
	if (precision > 0) {
		/* ubapi only uses 14; the cap bounds the digit buffers. */
		ndigit = precision > 40 ? 40 : precision;
		digits_rounded(fabs(x), ndigit, &r);
		if (!tie_keeps_zeros(fabs(x), ndigit))
			digits_trim(&r);
	} else {
		ndigit = 17;
		digits_shortest(fabs(x), &r);
		digits_trim(&r);
	}
	gcvt_layout(signbit(x) != 0, &r, ndigit, exp_char, out);
}

void phpnum_format(double x, struct sbuf *out)
{
	phpnum_gcvt(x, 14, 'E', out);
}

/* ---- parsing -------------------------------------------------------- */

bool money_valid(const char *s)
{
	if (!s || strlen(s) > MONEY_STR_MAX)
		return false;
	if (*s == '-')
		s++;
	size_t n = strspn(s, "0123456789");
	if (n == 0)
		return false;
	s += n;
	if (*s == '.') {
		n = strspn(++s, "0123456789");
		if (n < 1 || n > 9)
			return false;
		s += n;
	}
	return *s == '\0';
}

/* A decimal number as significant digits and a power of ten:
 * value = sign * dig * 10^exp10. */
struct decimal {
	bool neg;
	char dig[MONEY_DB_STR_MAX + 1];
	size_t n;
	long exp10;
};

/* -?D+(.D+)?, then [eE][+-]?D+ when allow_exp. Leading zeros are dropped;
 * the exponent is clamped, which only ever turns an absurd value into an
 * out-of-range one or into zero. */
static bool decimal_scan(const char *s, bool allow_exp, struct decimal *d)
{
	d->neg = *s == '-';
	if (d->neg)
		s++;
	d->n = 0;
	d->exp10 = 0;
	size_t ni = strspn(s, "0123456789");
	if (ni == 0)
		return false;
	for (size_t i = 0; i < ni; i++)
		if (d->n || s[i] != '0')
			d->dig[d->n++] = s[i];
	s += ni;
	if (*s == '.') {
		size_t nf = strspn(++s, "0123456789");
		if (nf == 0)
			return false;
		for (size_t i = 0; i < nf; i++)
			if (d->n || s[i] != '0')
				d->dig[d->n++] = s[i];
		d->exp10 = -(long)nf;
		s += nf;
	}
	if (allow_exp && (*s == 'e' || *s == 'E')) {
		s++;
		bool eneg = *s == '-';
		if (*s == '-' || *s == '+')
			s++;
		size_t ne = strspn(s, "0123456789");
		if (ne == 0)
			return false;
		long e = 0;
		for (size_t i = 0; i < ne; i++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		d->exp10 += eneg ? -e : e;
		s += ne;
	}
	return *s == '\0';
}

/* The digits of d at 6 decimals, rounded half away from zero. */
static bool decimal_to_units(const struct decimal *d, long long *units)
{
	long shift = d->exp10 + 6; /* units = dig * 10^shift */
	long long u = 0;
	size_t keep;
	bool up = false;
	if (d->n == 0) {
		*units = 0;
		return true;
	}
	if (shift >= 0) {
		if ((long)d->n + shift > 18)
			return false;
		keep = d->n;
	} else if ((long)d->n + shift < 0) {
		keep = 0; /* below a tenth of a unit */
	} else {
		keep = (size_t)((long)d->n + shift);
		up = d->dig[keep] >= '5';
	}
	if (keep > 18)
		return false;
	for (size_t i = 0; i < keep; i++)
		u = u * 10 + (d->dig[i] - '0');
	for (long i = 0; i < shift; i++)
		u *= 10;
	u += up;
	if (u > MONEY_MAX_UNITS)
		return false;
	*units = d->neg ? -u : u;
	return true;
}

bool money_parse(const char *s, money_t *out)
{
	struct decimal d;
	long long u;
	if (!money_valid(s) || !decimal_scan(s, false, &d) || !decimal_to_units(&d, &u))
		return false;
	out->units = u;
	return true;
}

bool money_parse_db(const char *s, money_t *out)
{
	struct decimal d;
	long long u;
	if (!s || strlen(s) > MONEY_DB_STR_MAX)
		return false;
	if (!decimal_scan(s, true, &d) || !decimal_to_units(&d, &u))
		return false;
	out->units = u;
	return true;
}

bool money_from_double(double x, money_t *out)
{
	if (!isfinite(x))
		return false;
	struct sbuf b = SBUF_INIT;
	phpnum_gcvt(x, -1, 'e', &b);
	bool ok = money_parse_db(sbuf_str(&b), out);
	sbuf_free(&b);
	return ok;
}

/* ---- arithmetic ------------------------------------------------------ */

static bool in_range(long long u)
{
	return u >= -MONEY_MAX_UNITS && u <= MONEY_MAX_UNITS;
}

/* Via the decimal text: strtod() rounds it correctly, units / 1e6 would
 * round twice. */
double money_to_double(money_t m)
{
	char text[48];
	unsigned long long a = m.units < 0 ? 0ULL - (unsigned long long)m.units
					   : (unsigned long long)m.units;
	snprintf(text, sizeof text, "%s%llu.%06llu", m.units < 0 ? "-" : "", a / MONEY_SCALE,
		 a % MONEY_SCALE);
	return strtod(text, NULL);
}

/* Operands come from this module, so each |units| <= MONEY_MAX_UNITS and a
 * sum of two cannot overflow long long; only the range needs checking. */
bool money_add(money_t a, money_t b, money_t *out)
{
	if (!in_range(a.units) || !in_range(b.units) || !in_range(a.units + b.units))
		return false;
	out->units = a.units + b.units;
	return true;
}

bool money_sub(money_t a, money_t b, money_t *out)
{
	if (!in_range(a.units) || !in_range(b.units) || !in_range(a.units - b.units))
		return false;
	out->units = a.units - b.units;
	return true;
}

/* Through unsigned so that even a hand-made LLONG_MIN cannot trap. */
static long long negate_units(long long u)
{
	return (long long)(0ULL - (unsigned long long)u);
}

money_t money_neg(money_t a)
{
	money_t r = { negate_units(a.units) };
	return r;
}

money_t money_abs(money_t a)
{
	return a.units < 0 ? money_neg(a) : a;
}

int money_cmp(money_t a, money_t b)
{
	return (a.units > b.units) - (a.units < b.units);
}

static long long pow10ll(int n)
{
	long long p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

money_t money_round(money_t m, int decimals)
{
	if (decimals < 0)
		decimals = 0;
	if (decimals >= 6)
		return m;
	unsigned long long step = (unsigned long long)pow10ll(6 - decimals);
	unsigned long long a = m.units < 0 ? 0ULL - (unsigned long long)m.units
					   : (unsigned long long)m.units;
	unsigned long long q = a / step, rem = a % step;
	if (rem * 2 >= step)
		q++;
	money_t r = { (long long)(q * step) };
	return m.units < 0 ? money_neg(r) : r;
}

bool money_percent(money_t value, money_t pct, money_t *out)
{
	/* v*p counts 1e-12 currency-percents, i.e. 1e-14 currency: in cents
	 * that is v*p / 1e12. 128 bits keep the product exact. */
	const __int128 div = (__int128)1000000000000LL;
	__int128 prod = (__int128)value.units * pct.units;
	bool neg = prod < 0;
	if (neg)
		prod = -prod;
	__int128 cents = prod / div;
	if ((prod % div) * 2 >= div)
		cents++;
	__int128 units = cents * 10000;
	if (units > MONEY_MAX_UNITS)
		return false;
	out->units = neg ? -(long long)units : (long long)units;
	return true;
}

/* ---- text ------------------------------------------------------------ */

void money_format(money_t m, struct sbuf *out)
{
	unsigned long long a = m.units < 0 ? 0ULL - (unsigned long long)m.units
					   : (unsigned long long)m.units;
	unsigned long long ip = a / MONEY_SCALE, fp = a % MONEY_SCALE;
	char frac[8];
	int nf = 6;
	snprintf(frac, sizeof frac, "%06llu", fp);
	while (nf > 0 && frac[nf - 1] == '0')
		nf--;
	char text[48];
	int len = snprintf(text, sizeof text, "%s%llu%s%.*s", m.units < 0 ? "-" : "", ip,
			   nf ? "." : "", nf, frac);
	/* Significant digits: all of the integer part, or the fraction past its
	 * leading zeros. Beyond 14, PHP's precision rounds them away. */
	int sig = nf;
	if (ip) {
		char ibuf[24];
		sig += snprintf(ibuf, sizeof ibuf, "%llu", ip);
	} else {
		sig -= (int)strspn(frac, "0");
	}
	if (sig <= 14) {
		sbuf_add(out, text, (size_t)len);
		return;
	}
	/* >14 digits means >= 1e8, so phpnum never picks exponent form here. */
	phpnum_format(strtod(text, NULL), out);
}

bool money_negate_str(const char *s, struct sbuf *out)
{
	if (!money_valid(s))
		return false;
	if (*s == '-')
		sbuf_puts(out, s + 1);
	else {
		sbuf_putc(out, '-');
		sbuf_puts(out, s);
	}
	return true;
}
