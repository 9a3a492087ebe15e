/* money: strict amounts, exact fixed point, and PHP's number text.
 * Expected PHP texts were produced by PHP 8.2 (precision=14,
 * serialize_precision=-1). */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "check.h"
#include "sbuf.h"

static money_t M(long long units)
{
	money_t m = { units };
	return m;
}

static void test_valid(void)
{
	static const char *const good[] = { "5", "-5", "0", "-0", "007", "0.5", "-0.01",
					    "10.123456789", "100500",
					    "12345678901234567890123456789012" };
	static const char *const bad[] = { "", "+5", "--5", "-", "5.", ".5", "-.5",
					   "5.1234567890", " 5", "5 ", "1e5", "1E5", "5,5",
					   "0x10", "5-", "1.0-5", "1..2", "1.2.3", "\xd0\xb6",
					   "123456789012345678901234567890123", "inf", "nan" };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK_AT(money_valid(good[i]), good[i], __LINE__);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_AT(!money_valid(bad[i]), bad[i], __LINE__);
	CHECK(!money_valid(NULL));
}

static void expect_parse(bool db, const char *s, bool ok, long long units, int line)
{
	money_t m = { 424242 };
	bool got = db ? money_parse_db(s, &m) : money_parse(s, &m);
	CHECK_AT(got == ok && m.units == (ok ? units : 424242), s ? s : "(NULL)", line);
	if (got != ok || m.units != (ok ? units : 424242))
		printf("  got ok=%d units=%lld\n", got, m.units);
}

#define PARSE_OK(s, u) expect_parse(false, (s), true, (u), __LINE__)
#define PARSE_BAD(s) expect_parse(false, (s), false, 0, __LINE__)
#define DB_OK(s, u) expect_parse(true, (s), true, (u), __LINE__)
#define DB_BAD(s) expect_parse(true, (s), false, 0, __LINE__)

static void test_parse(void)
{
	PARSE_OK("10", 10000000);
	PARSE_OK("-0.01", -10000);
	PARSE_OK("0", 0);
	PARSE_OK("-0", 0);
	PARSE_OK("007.5", 7500000);
	PARSE_OK("1.123456", 1123456);
	PARSE_OK("1.1234564", 1123456);
	PARSE_OK("1.1234565", 1123457);   /* half away from zero */
	PARSE_OK("-1.1234565", -1123457);
	PARSE_OK("0.0000005", 1);
	PARSE_OK("-0.0000005", -1);
	PARSE_OK("0.000000499", 0);
	PARSE_OK("-0.000000499", 0);      /* no negative zero */
	PARSE_OK("0.999999999", 1000000);
	PARSE_OK("999999999999.999999", MONEY_MAX_UNITS);
	PARSE_OK("-999999999999.999999", -MONEY_MAX_UNITS);
	PARSE_OK("00000000000000000000000000000001", 1000000);
	PARSE_BAD("999999999999.9999995"); /* rounds to 10^12 */
	PARSE_BAD("1000000000000");
	PARSE_BAD("99999999999999999999");
	PARSE_BAD("1e3");
	PARSE_BAD("--5");
	PARSE_BAD("");
	PARSE_BAD(NULL);
}

static void test_parse_db(void)
{
	DB_OK("10", 10000000);
	DB_OK("-0.01", -10000);
	DB_OK("12.5", 12500000);
	DB_OK("-0", 0);
	DB_OK("1e-06", 1);
	DB_OK("1e-07", 0);
	DB_OK("5e-07", 1);
	DB_OK("-5e-7", -1);
	DB_OK("1.0E-5", 10);
	DB_OK("1e+3", 1000000000);
	DB_OK("1E3", 1000000000);
	DB_OK("2.5e-1", 250000);
	DB_OK("0.30000000000000004", 300000);
	DB_OK("0.1234565", 123457); /* the decimal text, not the binary value */
	DB_OK("9.99999999999999e11", 999999999999999000LL);
	DB_OK("1e-400", 0);
	DB_OK("0e999999999999999999", 0);
	DB_OK("0.000000000000000000000000000000000000000000000000000000000001", 0);
	DB_BAD("1e12");
	DB_BAD("1e400");
	DB_BAD("1e99999999999999999999");
	DB_BAD("-");
	DB_BAD("--5");
	DB_BAD("1.0-5");
	DB_BAD("");
	DB_BAD(NULL);
	DB_BAD("5.");
	DB_BAD(".5");
	DB_BAD("+5");
	DB_BAD(" 5");
	DB_BAD("5 ");
	DB_BAD("1e");
	DB_BAD("1e+");
	DB_BAD("inf");
	DB_BAD("nan");
	DB_BAD("0x10");
	DB_BAD("1,5");
	DB_BAD("00000000000000000000000000000000000000000000000000000000000000001"); /* > 64 */
}

static void test_from_double(void)
{
	money_t m = { 0 };
	CHECK(money_from_double(0.1 + 0.2, &m) && m.units == 300000);
	CHECK(money_from_double(12.345, &m) && m.units == 12345000);
	CHECK(money_from_double(-1e-7, &m) && m.units == 0);
	CHECK(money_from_double(0.0000125, &m) && m.units == 13);
	CHECK(money_from_double(-0.0, &m) && m.units == 0);
	CHECK(!money_from_double(NAN, &m));
	CHECK(!money_from_double(INFINITY, &m));
	CHECK(!money_from_double(1e13, &m));
	CHECK(money_to_double(M(12500000)) == 12.5);
	CHECK(money_to_double(M(-10000)) == -0.01);
	CHECK(money_to_double(M(100000)) == 0.1);
}

static void test_arith(void)
{
	money_t r = { 7 };
	CHECK(money_add(M(10000000), M(-10000), &r) && r.units == 9990000);
	CHECK(money_sub(M(10000), M(30000), &r) && r.units == -20000);
	CHECK(money_add(M(MONEY_MAX_UNITS - 1), M(1), &r) && r.units == MONEY_MAX_UNITS);
	r.units = 7;
	CHECK(!money_add(M(MONEY_MAX_UNITS), M(1), &r) && r.units == 7);
	CHECK(!money_sub(M(-MONEY_MAX_UNITS), M(1), &r) && r.units == 7);
	CHECK(!money_add(M(LLONG_MAX), M(LLONG_MAX), &r) && r.units == 7);
	CHECK(!money_sub(M(LLONG_MIN), M(1), &r) && r.units == 7);
	CHECK(money_neg(M(5)).units == -5);
	CHECK(money_neg(M(-5)).units == 5);
	CHECK(money_neg(M(0)).units == 0);
	CHECK(money_abs(M(-5)).units == 5);
	CHECK(money_abs(M(5)).units == 5);
	CHECK(money_cmp(M(1), M(2)) == -1);
	CHECK(money_cmp(M(2), M(1)) == 1);
	CHECK(money_cmp(M(-3), M(-3)) == 0);
}

static void test_round(void)
{
	CHECK(money_round(M(1005000), 2).units == 1010000);   /* 1.005 -> 1.01 */
	CHECK(money_round(M(-1005000), 2).units == -1010000);
	CHECK(money_round(M(1004999), 2).units == 1000000);
	CHECK(money_round(M(125000), 2).units == 130000);     /* 0.125 -> 0.13 */
	CHECK(money_round(M(2500000), 0).units == 3000000);   /* 2.5 -> 3 */
	CHECK(money_round(M(-2500000), 0).units == -3000000);
	CHECK(money_round(M(-2499999), 0).units == -2000000);
	CHECK(money_round(M(-4000), 2).units == 0);           /* -0.004 -> 0 */
	CHECK(money_round(M(1234567), 6).units == 1234567);
	CHECK(money_round(M(1234567), 9).units == 1234567);
	CHECK(money_round(M(1500000), -1).units == 2000000);  /* clamped to 0 */
	CHECK(money_round(M(MONEY_MAX_UNITS), 0).units == MONEY_MAX_UNITS + 1);
}

static void test_percent(void)
{
	money_t r = { 7 };
	CHECK(money_percent(M(100000000), M(7500000), &r) && r.units == 7500000); /* 100*7.5% */
	CHECK(money_percent(M(33330000), M(15000000), &r) && r.units == 5000000); /* 4.9995 */
	CHECK(money_percent(M(10000000), M(33333333), &r) && r.units == 3330000);
	CHECK(money_percent(M(-10000000), M(5000000), &r) && r.units == -500000);
	CHECK(money_percent(M(10000), M(50000000), &r) && r.units == 10000);      /* 0.005 */
	CHECK(money_percent(M(-10000), M(50000000), &r) && r.units == -10000);
	CHECK(money_percent(M(10000), M(49000000), &r) && r.units == 0);          /* 0.0049 */
	CHECK(money_percent(M(0), M(50000000), &r) && r.units == 0);
	CHECK(money_percent(M(999999999999990000LL), M(100000000), &r) && r.units == 999999999999990000LL);
	CHECK(!money_percent(M(MONEY_MAX_UNITS), M(100000000), &r)); /* 1e12 after rounding */
	r.units = 7;
	CHECK(!money_percent(M(MONEY_MAX_UNITS), M(1000000000), &r) && r.units == 7);
}

static void expect_format(long long units, const char *want, int line)
{
	struct sbuf b = SBUF_INIT;
	money_format(M(units), &b);
	CHECK_STR_AT(sbuf_str(&b), want, line);
	sbuf_free(&b);
}

#define FORMAT(u, want) expect_format((u), (want), __LINE__)

static void test_format(void)
{
	FORMAT(120000000, "120");
	FORMAT(-20000000, "-20");
	FORMAT(12500000, "12.5");
	FORMAT(10000, "0.01");
	FORMAT(-500000, "-0.5");
	FORMAT(100100000, "100.1");
	FORMAT(0, "0");
	FORMAT(1, "0.000001");      /* PHP: 1.0E-6; never exponent form here */
	FORMAT(-10, "-0.00001");
	FORMAT(1234567891234, "1234567.891234");
	FORMAT(12345678123456, "12345678.123456");
	/* More than 14 significant digits: PHP's precision rounds them. */
	FORMAT(123456789123456, "123456789.12346");
	FORMAT(-123456789654321, "-123456789.65432");
	FORMAT(99999999123456, "99999999.123456");
	FORMAT(999999999999990000, "999999999999.99");
	FORMAT(MONEY_MAX_UNITS, "1000000000000");
	FORMAT(LLONG_MIN, "-9223372036854.8");
}

static void expect_negate(const char *s, const char *want, int line)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "[");
	bool ok = money_negate_str(s, &b);
	if (want) {
		CHECK_AT(ok, "negate ok", line);
		CHECK_STR_AT(sbuf_str(&b) + 1, want, line);
	} else {
		CHECK_AT(!ok && strcmp(sbuf_str(&b), "[") == 0, "negate refused", line);
	}
	sbuf_free(&b);
}

#define NEGATE(s, want) expect_negate((s), (want), __LINE__)

static void test_negate(void)
{
	NEGATE("5", "-5");
	NEGATE("-5", "5");
	NEGATE("0", "-0"); /* sc fee 0 -> summ "-0", as PHP writes it */
	NEGATE("-0", "0");
	NEGATE("5.50", "-5.50");
	NEGATE("-0.01", "0.01");
	NEGATE("--5", NULL);
	NEGATE("-", NULL);
	NEGATE("", NULL);
	NEGATE("abc", NULL);
	NEGATE("1e5", NULL);
	NEGATE(NULL, NULL);
}

static void expect_phpnum(double x, const char *want, int line)
{
	struct sbuf b = SBUF_INIT;
	phpnum_format(x, &b);
	CHECK_STR_AT(sbuf_str(&b), want, line);
	sbuf_free(&b);
}

#define PHPNUM(x, want) expect_phpnum((x), (want), __LINE__)

static void test_phpnum(void)
{
	PHPNUM(120.0, "120");
	PHPNUM(-20.0, "-20");
	PHPNUM(0.1 + 0.2, "0.3");
	PHPNUM(1.0 / 3, "0.33333333333333");
	PHPNUM(2.5, "2.5");
	PHPNUM(0.0078125, "0.0078125");
	PHPNUM(0.0001, "0.0001");
	PHPNUM(0.00001, "1.0E-5");
	PHPNUM(9.999e-5, "9.999E-5");
	PHPNUM(-1e-5, "-1.0E-5");
	PHPNUM(0.000001, "1.0E-6");
	PHPNUM(99999999999999.0, "99999999999999");
	PHPNUM(99999999999999.9, "1.0E+14");
	PHPNUM(1e14, "1.0E+14");
	PHPNUM(1e15, "1.0E+15");
	PHPNUM(1.5e20, "1.5E+20");
	PHPNUM(1e100, "1.0E+100");
	PHPNUM(12345678901234567.0, "1.2345678901235E+16");
	PHPNUM(1234567890123.45, "1234567890123.4");
	PHPNUM(123456789012345.0, "1.2345678901234E+14");
	PHPNUM(679052626889205.0, "6.7905262688920E+14"); /* dtoa keeps that zero */
	PHPNUM(679052626889215.0, "6.7905262688922E+14");
	PHPNUM(0.0, "0");
	PHPNUM(-0.0, "-0");
	PHPNUM(INFINITY, "INF");
	PHPNUM(-INFINITY, "-INF");
	PHPNUM(NAN, "NAN");
	PHPNUM(4.9406564584124654e-324, "4.9406564584125E-324");
	PHPNUM(1.7976931348623157e308, "1.7976931348623E+308");
}

static void expect_gcvt(double x, int precision, char e, const char *want, int line)
{
	struct sbuf b = SBUF_INIT;
	phpnum_gcvt(x, precision, e, &b);
	CHECK_STR_AT(sbuf_str(&b), want, line);
	sbuf_free(&b);
}

#define GCVT(x, p, e, want) expect_gcvt((x), (p), (e), (want), __LINE__)

/* serialize_precision=-1 (json_encode with 'e', serialize with 'E'). */
static void test_gcvt_shortest(void)
{
	GCVT(0.1, -1, 'e', "0.1");
	GCVT(12.5, -1, 'e', "12.5");
	GCVT(100.0, -1, 'E', "100");
	GCVT(1e25, -1, 'e', "1.0e+25");
	GCVT(1e25, -1, 'E', "1.0E+25");
	GCVT(0.00001, -1, 'e', "1.0e-5");
	GCVT(1e15, -1, 'e', "1000000000000000");
	GCVT(1e16, -1, 'e', "10000000000000000");
	GCVT(1e17, -1, 'e', "1.0e+17");
	GCVT(1.0 / 3, -1, 'e', "0.3333333333333333");
	GCVT(0.1 + 0.2, -1, 'e', "0.30000000000000004");
	GCVT(5e-324, -1, 'E', "5.0E-324");
	GCVT(1e23, -1, 'e', "1.0e+23");
	GCVT(9007199254740993.0, -1, 'e', "9007199254740992");
	GCVT(-0.0, -1, 'e', "-0");
	GCVT(INFINITY, -1, 'E', "INF");
	/* Powers of two where the shortest text lies above the value. */
	GCVT(ldexp(1, -1074), 0, 'e', "5.0e-324");
	GCVT(ldexp(1, 1023), 0, 'e', "8.98846567431158e+307");
	GCVT(ldexp(1, -1022), 0, 'e', "2.2250738585072014e-308");
}

int main(void)
{
	test_valid();
	test_parse();
	test_parse_db();
	test_from_double();
	test_arith();
	test_round();
	test_percent();
	test_format();
	test_negate();
	test_phpnum();
	test_gcvt_shortest();
	return check_summary();
}
