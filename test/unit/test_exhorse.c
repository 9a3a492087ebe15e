/* exhorse's PHP comparison rules and working-hours window. */
#include "check.h"
#include "exhorse.h"

int main(void)
{
	/* numeric strings compare as numbers */
	CHECK(exhorse_php_cmp("-5", "-5") == 0);
	CHECK(exhorse_php_cmp("-5.0", "-5") == 0);
	CHECK(exhorse_php_cmp("10", "9") > 0);
	CHECK(exhorse_php_cmp("-10", "-0") < 0);
	CHECK(exhorse_php_cmp("1e-07", "-0") > 0);
	CHECK(exhorse_php_cmp(" 5", "5 ") == 0);
	CHECK(exhorse_php_cmp(".5", "0.5") == 0);
	/* anything else byte-wise: a negative Credit makes "--3" */
	CHECK(exhorse_php_cmp("2", "--3") > 0);
	CHECK(exhorse_php_cmp("-9", "--3") > 0);
	CHECK(exhorse_php_cmp("10", "-") > 0);
	CHECK(exhorse_php_cmp("1e", "1") > 0);
	CHECK(exhorse_php_cmp("0x10", "16") < 0);
	CHECK(exhorse_php_cmp("abc", "abd") < 0);
	/* null is "" */
	CHECK(exhorse_php_cmp(NULL, "-5") < 0);
	CHECK(exhorse_php_cmp(NULL, "") == 0);

	CHECK(exhorse_in_hours("09:00-18:00", 9 * 60));
	CHECK(exhorse_in_hours("09:00-18:00", 18 * 60));
	CHECK(!exhorse_in_hours("09:00-18:00", 18 * 60 + 1));
	CHECK(!exhorse_in_hours("09:00-18:00", 8 * 60 + 59));
	CHECK(exhorse_in_hours("9:00-18:00", 12 * 60));
	CHECK(exhorse_in_hours("22:00-03:00", 23 * 60));
	CHECK(exhorse_in_hours("22:00-03:00", 2 * 60));
	CHECK(exhorse_in_hours("22:00-03:00", 0));
	CHECK(!exhorse_in_hours("22:00-03:00", 12 * 60));
	CHECK(!exhorse_in_hours("", 12 * 60));
	CHECK(!exhorse_in_hours(NULL, 12 * 60));
	CHECK(!exhorse_in_hours("09:00", 9 * 60));
	CHECK(!exhorse_in_hours("09:00-18:0", 12 * 60));
	CHECK(!exhorse_in_hours("09:00-25:00", 12 * 60));
	CHECK(!exhorse_in_hours("09:00-18:00:00", 12 * 60));
	return check_summary();
}
