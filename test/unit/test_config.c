/* Ubilling's two ini readers, ubapi's validators and small helpers. */
#include "access.h"
#include "check.h"
#include "clock.h"
#include "front.h"
#include "ini.h"
#include "util.h"
#include "validate.h"

static const char sample[] =
	"; comment line\n"
	"[section]\n"
	"REMOTEAPI_ENABLED=1\n"
	"QUOTED=\"a;b\"  ; trailing\n"
	"BARE = some value ; inline comment\n"
	"WORD_ON=on\n"
	"WORD_OFF=off\n"
	"WORD_NONE=none\n"
	"ESCAPED=\"tab\\there\"\n"
	"DUP=first\n"
	"DUP=second\n"
	"EMPTY=\n"
	"  SPACED  =  x  \n"
	"no equals sign here\n"
	"CRLF=yes\r\n";

int main(void)
{
	struct ini *php = ini_parse(sample, sizeof sample - 1, INI_PHP);
	struct ini *rcms = ini_parse(sample, sizeof sample - 1, INI_RCMS);

	CHECK_STR(ini_get(php, "REMOTEAPI_ENABLED"), "1");
	CHECK_STR(ini_get(php, "QUOTED"), "a;b");
	CHECK_STR(ini_get(php, "BARE"), "some value");
	CHECK_STR(ini_get(php, "WORD_ON"), "1");
	CHECK_STR(ini_get(php, "WORD_OFF"), "");
	CHECK_STR(ini_get(php, "WORD_NONE"), "");
	CHECK_STR(ini_get(php, "DUP"), "second");
	CHECK_STR(ini_get(php, "EMPTY"), "");
	CHECK_STR(ini_get(php, "SPACED"), "x");
	CHECK_STR(ini_get(php, "CRLF"), "1");
	CHECK(ini_get(php, "MISSING") == NULL);
	CHECK(ini_get(php, "no equals sign here") == NULL);

	/* the RCMS reader keeps inline comments and bare words */
	CHECK_STR(ini_get(rcms, "BARE"), "some value ; inline comment");
	CHECK_STR(ini_get(rcms, "WORD_OFF"), "off");
	CHECK(php_truthy(ini_get(rcms, "WORD_OFF")));
	CHECK_STR(ini_get(rcms, "QUOTED"), "a;b\"  ; trailing");
	CHECK_STR(ini_get(rcms, "ESCAPED"), "tab\there");
	CHECK_STR(ini_get(rcms, "DUP"), "second");
	ini_free(php);
	ini_free(rcms);

	/* truthiness and the vf() filter */
	CHECK(!php_truthy(NULL) && !php_truthy("") && !php_truthy("0"));
	CHECK(php_truthy("00") && php_truthy(" ") && php_truthy("off"));
	char key[] = "UB12-34'; DROP--=x";
	vf_filter(key);
	CHECK_STR(key, "UB1234 DROPx");

	/* constant-time comparison gives the plain answer */
	CHECK(ct_equal("UBabc", "UBabc"));
	CHECK(!ct_equal("UBabc", "UBabd"));
	CHECK(!ct_equal("UBab", "UBabc"));
	CHECK(!ct_equal("UBabcd", "UBabc"));
	CHECK(!ct_equal("", "UBabc"));

	/* validators */
	CHECK(valid_login("user_1.a@b-c"));
	CHECK(!valid_login("") && !valid_login("a'b") && !valid_login("a b") && !valid_login("a;b"));
	CHECK(!valid_login("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	CHECK(valid_date("2024-02-29") && !valid_date("2023-02-29") && !valid_date("2024-13-01"));
	CHECK(!valid_date("2024-1-01") && !valid_date("2024-01-01x"));
	CHECK(valid_ipv4("127.0.0.1") && valid_ipv4("0.0.0.0") && valid_ipv4("255.255.255.255"));
	CHECK(!valid_ipv4("256.1.1.1") && !valid_ipv4("1.2.3") && !valid_ipv4("01.2.3.4"));
	CHECK(!valid_ipv4("1.2.3.4.5") && !valid_ipv4("1.2.3.4 ") && !valid_ipv4(""));
	CHECK(valid_uint("0") && valid_uint("123") && !valid_uint("-1") && !valid_uint("1.0"));
	CHECK(valid_reqid("cron-2024-06-01:vsc") && !valid_reqid("a b") && !valid_reqid(""));

	/* dates: a pinned clock and strict parsing */
	time_t t;
	CHECK(clock_parse_datetime("2024-01-31 23:59:59", &t));
	char buf[20];
	clock_format_datetime(t, buf);
	CHECK_STR(buf, "2024-01-31 23:59:59");
	CHECK(!clock_parse_datetime("2024-01-31 24:00:00", &t));
	setenv("UBAPI_NOW", "2030-12-31 12:00:00", 1);
	clock_format_datetime(clock_now(), buf);
	CHECK_STR(buf, "2030-12-31 12:00:00");
	unsetenv("UBAPI_NOW");

	/* PHP stripcslashes(), shared by the RCMS ini reader and templates */
	struct sbuf un = SBUF_INIT;
	static const char esc[] = "a\\tb\\x41\\101\\q\\\\\\x4g\\";
	sbuf_add_stripcslashes(&un, esc, sizeof esc - 1);
	CHECK_STR(sbuf_str(&un), "a\tbAAq\\\x04g\\");
	sbuf_free(&un);

	/* bans.ini patterns: '*' is a run of digits, the rest literal */
	CHECK(access_pattern_match("10.0.0.*", "10.0.0.15"));
	CHECK(access_pattern_match("10.0.0.*", "10.0.0."));
	CHECK(access_pattern_match("10.*.*.1", "10.20.30.1"));
	CHECK(!access_pattern_match("10.0.0.*", "10.0.0.1a"));
	CHECK(!access_pattern_match("10.0.0.1", "10.0.0.15"));
	CHECK(!access_pattern_match("10.0.0.1", "10x0.0.1"));
	CHECK(!access_pattern_match("", "10.0.0.1"));
	return check_summary();
}
