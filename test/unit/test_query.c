/* Query decoding as PHP's $_GET does it, and the limits ubapi adds. */
#include "check.h"
#include "query.h"

static const char *get(const char *qs, const char *name)
{
	static struct params p;
	params_free(&p);
	params_init(&p);
	if (query_decode(qs, &p) != QUERY_OK)
		return "<error>";
	return param_get(&p, name);
}

static enum query_status status_of(const char *qs)
{
	struct params p;
	params_init(&p);
	enum query_status st = query_decode(qs, &p);
	params_free(&p);
	return st;
}

int main(void)
{
	CHECK_STR(get("action=reset&param=u1", "param"), "u1");
	CHECK_STR(get("note=a+b%20c", "note"), "a b c");
	CHECK_STR(get("x=%41%42%4a%4A", "x"), "ABJJ");
	/* a malformed escape stays as written, like urldecode() */
	CHECK_STR(get("x=100%&y=%zz%4", "x"), "100%");
	CHECK_STR(get("x=100%&y=%zz%4", "y"), "%zz%4");
	/* the last repeated name wins */
	CHECK_STR(get("a=1&a=2&a=3", "a"), "3");
	/* arrays are not strings: absent to every action */
	CHECK(get("a[]=1", "a") == NULL);
	CHECK(get("a[x]=1&b=2", "a") == NULL);
	CHECK_STR(get("a[]=1&a=9", "a"), "9");
	CHECK(get("a=9&a[]=1", "a") == NULL);
	/* PHP's name mangling */
	CHECK_STR(get("my.var=1", "my_var"), "1");
	CHECK_STR(get("my+var=2", "my_var"), "2");
	CHECK_STR(get("%20lead=3", "lead"), "3");
	CHECK_STR(get("a[b=4", "a_b"), "4");
	/* no '=' means an empty value; empty names are dropped */
	CHECK_STR(get("flag&x=1", "flag"), "");
	CHECK_STR(get("=5&&x=1", "x"), "1");
	CHECK(get("", "x") == NULL);
	/* UTF-8 passes, broken bytes and controls do not */
	CHECK_STR(get("n=%D0%9A%D0%B8%D1%97%D0%B2", "n"), "\xD0\x9A\xD0\xB8\xD1\x97\xD0\xB2");
	CHECK(status_of("n=%00") == QUERY_BAD_BYTES);
	CHECK(status_of("n=%01x") == QUERY_BAD_BYTES);
	CHECK(status_of("n=%FF") == QUERY_BAD_BYTES);
	CHECK(status_of("n=%C0%AF") == QUERY_BAD_BYTES); /* overlong '/' */
	CHECK(status_of("n=%ED%A0%80") == QUERY_BAD_BYTES); /* surrogate */
	CHECK(status_of("note=line1%0Aline2") == QUERY_OK);
	/* limits */
	static char big[QUERY_MAX_LEN + 16];
	memset(big, 'a', sizeof big - 1);
	big[0] = 'x';
	big[1] = '=';
	CHECK(status_of(big) == QUERY_TOO_LONG);
	static char many[QUERY_MAX_PARAMS * 10 + 64];
	size_t off = 0;
	for (int i = 0; i <= QUERY_MAX_PARAMS; i++)
		off += (size_t)snprintf(many + off, sizeof many - off, "v%d=1&", i);
	CHECK(status_of(many) == QUERY_TOO_MANY);
	CHECK_STR(query_error_reply(QUERY_TOO_LONG), "ERROR:QUERY_TOO_LONG");
	/* presence as Ubilling's checkGet sees it */
	struct params p;
	params_init(&p);
	query_decode("a=0&b=&c=x", &p);
	CHECK(!param_present(&p, "a"));
	CHECK(!param_present(&p, "b"));
	CHECK(param_present(&p, "c"));
	CHECK(param_isset(&p, "b"));
	CHECK(!param_isset(&p, "d"));
	params_free(&p);
	get("", "x"); /* leaves the static set empty */
	return check_summary();
}
