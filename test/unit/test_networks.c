/* lib/networks.c: PHP array folding and serialize, PHP 8 numeric strings and
 * loose ==, and the checks that guard argv and file names. */
#include <stdlib.h>

#include "check.h"
#include "networks.h"

static void map_case(const char *const *keys, const char *const *vals, size_t n, const char *want, int line)
{
	struct pmap m = { 0 };
	for (size_t i = 0; i < n; i++)
		pmap_put(&m, keys[i], i);
	pmap_done(&m);
	struct sbuf out = SBUF_INIT;
	pmap_serialize(&m, vals, &out);
	CHECK_STR_AT(sbuf_str(&out), want, line);
	sbuf_free(&out);
	pmap_free(&m);
}

static void test_pmap(void)
{
	map_case(NULL, NULL, 0, "a:0:{}", __LINE__);
	const char *k1[] = { "b", "1001", "b", "0101", "-0", "1001" };
	const char *v1[] = { "x", NULL, "y", "z", "w", "last" };
	map_case(k1, v1, 6, "a:4:{s:1:\"b\";s:1:\"y\";i:1001;s:4:\"last\";s:4:\"0101\";s:1:\"z\";s:2:\"-0\";s:1:\"w\";}",
		 __LINE__);

	struct pmap m = { 0 };
	pmap_put(&m, "10.0.0.5", 0);
	pmap_put(&m, "10.0.0.6", 1);
	pmap_put(&m, "10.0.0.5", 2);
	pmap_done(&m);
	CHECK(m.n == 2);
	CHECK(pmap_find(&m, "10.0.0.5") == 2);
	CHECK(pmap_find(&m, "10.0.0.6") == 1);
	CHECK(pmap_find(&m, "10.0.0.7") == -1);
	CHECK_STR(pmap_at(&m, 0)->key, "10.0.0.5");
	pmap_free(&m);
}

static struct zval S(const char *s)
{
	return (struct zval){ .k = Z_STR, .s = s };
}

static struct zval I(long long i)
{
	return (struct zval){ .k = Z_INT, .i = i };
}

static struct zval D(double d)
{
	return (struct zval){ .k = Z_DBL, .d = d };
}

static const struct zval ZNULL = { .k = Z_NULL };

static bool eq(struct zval a, struct zval b)
{
	return php_loose_eq(&a, &b);
}

#define EQ(a, b) CHECK(eq(a, b))
#define NE(a, b) CHECK(!eq(a, b))

static void test_numeric_and_loose(void)
{
	bool isint;
	long long iv;
	double dv;
	CHECK(php_numeric("123", &isint, &iv, &dv) && isint && iv == 123);
	CHECK(php_numeric(" 0 ", &isint, &iv, &dv) && isint && iv == 0);
	CHECK(php_numeric("0.0", &isint, NULL, &dv) && !isint && dv == 0);
	CHECK(php_numeric(".5", NULL, NULL, &dv) && dv == 0.5);
	CHECK(php_numeric("1e3", &isint, NULL, &dv) && !isint && dv == 1000);
	CHECK(php_numeric("-7", &isint, &iv, NULL) && iv == -7);
	CHECK(php_numeric("99999999999999999999", &isint, NULL, &dv) && !isint && dv > 9e19);
	CHECK(!php_numeric("", NULL, NULL, NULL));
	CHECK(!php_numeric("0a", NULL, NULL, NULL));
	CHECK(!php_numeric(".", NULL, NULL, NULL));
	CHECK(!php_numeric("0x1A", NULL, NULL, NULL));
	CHECK(!php_numeric("1e", NULL, NULL, NULL));

	EQ(S("100"), I(100));
	EQ(S("100"), S("100.0"));
	EQ(S("049"), I(49));
	EQ(S(" 1"), D(1));
	NE(S("100"), S("101"));
	NE(S("abc"), I(0));      /* PHP 8: compared as strings */
	EQ(S("abc"), S("abc"));
	NE(S("1e3"), S("1000x"));
	EQ(S("1e3"), S("1000"));
	EQ(ZNULL, S(""));
	NE(ZNULL, S("0"));
	EQ(ZNULL, I(0));
	NE(ZNULL, I(5));
	EQ(I(5), D(5.0));
	CHECK(php_loose_eq(&ZNULL, &ZNULL));
}

static void test_checks(void)
{
	CHECK(net_cidr_valid("10.0.0.0/24"));
	CHECK(net_cidr_valid("127.8.20.0/29"));
	CHECK(net_cidr_valid("0.0.0.0/0"));
	CHECK(net_cidr_valid("10.0.0.1/32"));
	CHECK(!net_cidr_valid("10.0.0.0/33"));
	CHECK(!net_cidr_valid("10.0.0.0/024"));
	CHECK(!net_cidr_valid("10.0.0.0/08"));
	CHECK(!net_cidr_valid("10.0.0.0"));
	CHECK(!net_cidr_valid("10.0.0.0/"));
	CHECK(!net_cidr_valid("010.0.0.0/8"));
	CHECK(!net_cidr_valid("10.0.0.0/24 -oN x"));
	CHECK(!net_cidr_valid("-iL/etc/passwd"));
	CHECK(!net_cidr_valid("10.0.0.256/24"));
	CHECK(!net_cidr_valid("1234567890123456/8"));

	CHECK(dn_name_ok("u1"));
	CHECK(dn_name_ok(".hidden"));
	CHECK(!dn_name_ok(""));
	CHECK(!dn_name_ok("."));
	CHECK(!dn_name_ok(".."));
	CHECK(!dn_name_ok("a/b"));
	CHECK(!dn_name_ok(NULL));
}

static void quad_case(const char *line, const char *want, int lineno)
{
	size_t off, len;
	if (!want) {
		CHECK_AT(!find_dotted_quad(line, strlen(line), &off, &len), line, lineno);
		return;
	}
	bool ok = find_dotted_quad(line, strlen(line), &off, &len);
	CHECK_AT(ok, line, lineno);
	if (ok) {
		char buf[64];
		snprintf(buf, sizeof buf, "%.*s", (int)len, line + off);
		CHECK_STR_AT(buf, want, lineno);
	}
}

static void test_dotted_quad(void)
{
	quad_case("Nmap scan report for 10.0.0.5", "10.0.0.5", __LINE__);
	quad_case("login u1 172.16.0.2 looks like alive", "172.16.0.2", __LINE__);
	quad_case("Starting Nmap 7.93 ( https://nmap.org ) at 2024-05-01 10:00 UTC", NULL, __LINE__);
	quad_case("Nmap done: 256 IP addresses (3 hosts up) scanned in 2.31 seconds", NULL, __LINE__);
	quad_case("1234.5.6.7", "234.5.6.7", __LINE__);   /* unanchored, leftmost */
	quad_case("1.2.3.4567", "1.2.3.456", __LINE__);   /* last octet: at most 3 */
	quad_case("999.999.999.999", "999.999.999.999", __LINE__); /* no range check */
	quad_case("1.2.3.", NULL, __LINE__);
	quad_case("a 1.2.3 4.5.6.7", "4.5.6.7", __LINE__);
	quad_case("x1.2.3.4y 5.6.7.8", "1.2.3.4", __LINE__);
}

int main(void)
{
	test_pmap();
	test_numeric_and_loose();
	test_checks();
	test_dotted_quad();
	return check_summary();
}
