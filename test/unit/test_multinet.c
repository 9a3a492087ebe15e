/* lib/multinet.c: PHP str_ireplace() and multinet_cidr2mask(), the two
 * pieces of PHP behaviour every generated dhcpd file goes through. */
#include "check.h"
#include "multinet.h"

static void ireplace_case(const char *subject, const char *search, const char *rep, const char *want, int line)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, subject);
	php_str_ireplace(&b, search, rep);
	CHECK_STR_AT(sbuf_str(&b), want, line);
	sbuf_free(&b);
}

static void test_ireplace(void)
{
	ireplace_case("{IP} {ip} {Ip}", "{IP}", "10", "10 10 10", __LINE__);
	ireplace_case("no macro", "{IP}", "x", "no macro", __LINE__);
	ireplace_case("", "{IP}", "x", "", __LINE__);
	ireplace_case("{IP}", "{IP}", "", "", __LINE__);
	/* the inserted text is not searched again by the same pair */
	ireplace_case("{A}{A}", "{A}", "{A}{A}", "{A}{A}{A}{A}", __LINE__);
	/* left to right, no overlap: aaa with aa -> one hit */
	ireplace_case("aaa", "AA", "b", "ba", __LINE__);
	ireplace_case("x{HOSTNAME", "{HOSTNAME}", "m", "x{HOSTNAME", __LINE__);
	ireplace_case("abc", "", "z", "abc", __LINE__);

	/* a later pair sees what an earlier pair inserted */
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "{SUBNETS}");
	php_str_ireplace(&b, "{SUBNETS}", "x {DENYMEMBERS} y");
	php_str_ireplace(&b, "{denymembers}", "deny;");
	CHECK_STR(sbuf_str(&b), "x deny; y");
	sbuf_free(&b);
}

static void mask_case(const char *bits, const char *want, int line)
{
	char out[16];
	multinet_mask(bits, out);
	CHECK_STR_AT(out, want, line);
}

static void test_mask(void)
{
	mask_case("24", "255.255.255.0", __LINE__);
	mask_case("30", "255.255.255.252", __LINE__);
	mask_case("31", "255.255.255.254", __LINE__);
	mask_case("1", "128.0.0.0", __LINE__);
	mask_case("8", "255.0.0.0", __LINE__);
	mask_case("0", "0.0.0.0", __LINE__);
	mask_case("32", "0.0.0.0", __LINE__);
	mask_case("33", "0.0.0.0", __LINE__);
	mask_case("-1", "0.0.0.0", __LINE__);
	mask_case("", "0.0.0.0", __LINE__);
	mask_case("abc", "0.0.0.0", __LINE__);
	mask_case(NULL, "0.0.0.0", __LINE__);
	mask_case(" 16", "255.255.0.0", __LINE__);
}

int main(void)
{
	test_ireplace();
	test_mask();
	return check_summary();
}
