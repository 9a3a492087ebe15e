/* The PHP 8 comparison rules WatchDog's operators rely on, and
 * zb_SanitizeSNMPValue(). */
#include <stdlib.h>

#include "check.h"
#include "watchdog.h"

static void sanitized(const char *raw, const char *want, int line)
{
	char *got = wd_snmp_sanitize(raw);
	CHECK_STR_AT(got, want, line);
	free(got);
}

int main(void)
{
	CHECK(wd_is_numeric("10"));
	CHECK(wd_is_numeric(" 1e1 "));
	CHECK(wd_is_numeric("-.5"));
	CHECK(wd_is_numeric("5."));
	CHECK(wd_is_numeric("+3E-2"));
	CHECK(!wd_is_numeric(""));
	CHECK(!wd_is_numeric("."));
	CHECK(!wd_is_numeric("9a"));
	CHECK(!wd_is_numeric("0x1A"));
	CHECK(!wd_is_numeric("1e"));
	CHECK(!wd_is_numeric("inf"));

	CHECK(wd_php_strcmp("10", "1e1") == 0);
	CHECK(wd_php_strcmp("010", "10") == 0);
	CHECK(wd_php_strcmp("10", "9") > 0);
	CHECK(wd_php_strcmp("10", "9a") < 0);
	CHECK(wd_php_strcmp("abc", "abd") < 0);
	CHECK(wd_php_strcmp("ab", "abc") < 0);
	CHECK(wd_php_strcmp("", "0") < 0);
	CHECK(wd_php_strcmp("9223372036854775807", "9223372036854775806") > 0);
	CHECK(wd_php_strcmp("5", "5.0") == 0);

	CHECK(wd_leading_number("12abc") == 12);
	CHECK(wd_leading_number("  -1.5e1x") == -15);
	CHECK(wd_leading_number("abc") == 0);
	CHECK(wd_leading_number(NULL) == 0);
	CHECK(wd_leading_number("true") == 0);

	sanitized(".1.3.6.1.2.1.1.5.0 = STRING: \"box\"", "\"box\"", __LINE__);
	sanitized(".1.3.6.1.2.1.2.2.1.10.1 = counter32: 123", "123", __LINE__);
	sanitized(".1 = Hex-STRING: 00 11", "00 11", __LINE__);
	sanitized(".1 = INTEGER: 5\n.2 = INTEGER: 6", "5\n.2", __LINE__);
	sanitized("no equals sign", "", __LINE__);
	sanitized("", "", __LINE__);
	sanitized("0", "", __LINE__);
	return check_summary();
}
