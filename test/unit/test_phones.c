/* Ubilling's phone normalisation (Telepathy::normalizePhoneFormat) and the
 * LIKE-number guard. */
#include "check.h"
#include "phones.h"

static const char *norm(const char *in)
{
	static char out[14];
	phones_normalize(in, out);
	return out;
}

int main(void)
{
	CHECK_STR(norm("380501234567"), "+380501234567");
	CHECK_STR(norm("+380501234567"), "+380501234567");
	CHECK_STR(norm("+38 (050) 123-45-67"), "+380501234567");
	CHECK_STR(norm("80501234567"), "+380501234567");
	CHECK_STR(norm("0501234567"), "+380501234567");
	CHECK_STR(norm("501234567"), "+380501234567");
	CHECK_STR(norm("12345678"), "");
	CHECK_STR(norm("0038050123456"), "");
	CHECK_STR(norm(""), "");
	CHECK_STR(norm(NULL), "");
	CHECK_STR(norm("abc"), "");
	CHECK_STR(norm("99999999999999999999999999999999999999999"), "");
	CHECK(phones_like_number_ok("0501234567"));
	CHECK(phones_like_number_ok("+38 (050) 12"));
	CHECK(!phones_like_number_ok("1234"));
	CHECK(!phones_like_number_ok("05012%"));
	CHECK(!phones_like_number_ok("05012_34"));
	CHECK(!phones_like_number_ok(""));
	CHECK(!phones_like_number_ok(NULL));
	return check_summary();
}
