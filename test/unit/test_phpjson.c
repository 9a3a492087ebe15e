/* phpjson: byte-exact json_encode() output. Expected strings were produced
 * by PHP 8.2's json_encode() with default flags. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "phpjson.h"
#include "check.h"
#include "sbuf.h"


/* Prints item (PHP-array mode when php) and compares with want; want NULL
 * means the print must fail and leave the buffer untouched. */
static void expect_json(const cJSON *item, bool php, const char *want, int line)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "<prefix>");
	int rc = php ? phpjson_print_php(item, &b) : phpjson_print(item, &b);
	if (!want) {
		CHECK_AT(rc == -1 && strcmp(sbuf_str(&b), "<prefix>") == 0, "print fails, appends nothing",
		      line);
	} else {
		CHECK_AT(rc == 0, "print succeeds", line);
		CHECK_STR_AT(sbuf_str(&b) + 8, want, line);
	}
	sbuf_free(&b);
}

#define EXPECT_JSON(item, want) expect_json((item), false, (want), __LINE__)
#define EXPECT_PHP(item, want) expect_json((item), true, (want), __LINE__)

static void expect_string(const char *s, size_t len, const char *want, int line)
{
	cJSON *item = cJSON_CreateString(s);
	struct sbuf b = SBUF_INIT;
	int rc = phpjson_string(s, len, &b);
	if (!want) {
		CHECK_AT(rc == -1 && b.len == 0, "phpjson_string fails on invalid UTF-8", line);
		expect_json(item, false, NULL, line);
	} else {
		CHECK_AT(rc == 0, "phpjson_string succeeds", line);
		CHECK_STR_AT(sbuf_str(&b), want, line);
		if (!memchr(s, '\0', len))
			expect_json(item, false, want, line);
	}
	cJSON_Delete(item);
	sbuf_free(&b);
}

#define EXPECT_STRING(s, want) expect_string((s), sizeof(s) - 1, (want), __LINE__)

static void test_strings(void)
{
	EXPECT_STRING("", "\"\"");
	EXPECT_STRING("a/b", "\"a\\/b\"");
	EXPECT_STRING("http://x/y?z=1&w=2", "\"http:\\/\\/x\\/y?z=1&w=2\"");
	EXPECT_STRING("Привіт, світ! 😀 €",
		      "\"\\u041f\\u0440\\u0438\\u0432\\u0456\\u0442, \\u0441\\u0432\\u0456\\u0442! "
		      "\\ud83d\\ude00 \\u20ac\"");
	EXPECT_STRING("\xf4\x8f\xbf\xbf\xef\xbf\xbf\xe0\xa0\x80\xdf\xbf\xc2\x80",
		      "\"\\udbff\\udfff\\uffff\\u0800\\u07ff\\u0080\"");
	EXPECT_STRING("q\"b\\s", "\"q\\\"b\\\\s\"");
	EXPECT_STRING("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	EXPECT_STRING("\x01\x1f\x0b", "\"\\u0001\\u001f\\u000b\"");
	EXPECT_STRING("<>&'\x7f", "\"<>&'\x7f\"");
	EXPECT_STRING("a\0b", "\"a\\u0000b\"");
	/* Invalid UTF-8: json_encode() returns false. */
	EXPECT_STRING("\xff", NULL);
	EXPECT_STRING("ok\x80", NULL);            /* lone continuation byte */
	EXPECT_STRING("\xc0\x80", NULL);          /* overlong NUL */
	EXPECT_STRING("\xe0\x80\xaf", NULL);      /* overlong '/' */
	EXPECT_STRING("\xed\xa0\x80", NULL);      /* UTF-16 surrogate */
	EXPECT_STRING("\xf4\x90\x80\x80", NULL);  /* above U+10FFFF */
	EXPECT_STRING("\xe2\x82", NULL);          /* truncated euro sign */
	EXPECT_STRING("\xd0\x9f\xd0", NULL);      /* truncated at the end */
	EXPECT_STRING("\xf8\x88\x80\x80\x80", NULL);
}

static void expect_number(double d, const char *want, int line)
{
	cJSON *n = cJSON_CreateNumber(d);
	expect_json(n, false, want, line);
	cJSON_Delete(n);
}

#define EXPECT_NUMBER(d, want) expect_number((d), (want), __LINE__)

static void test_numbers(void)
{
	EXPECT_NUMBER(0, "0");
	EXPECT_NUMBER(-5, "-5");
	EXPECT_NUMBER(100, "100");
	EXPECT_NUMBER(1e15, "1000000000000000");
	EXPECT_NUMBER(-9223372036854775808.0, "-9223372036854775808");
	EXPECT_NUMBER(9223372036854775808.0, "9.223372036854776e+18");
	EXPECT_NUMBER(0.1, "0.1");
	EXPECT_NUMBER(12.5, "12.5");
	EXPECT_NUMBER(-1.5, "-1.5");
	EXPECT_NUMBER(0.1 + 0.2, "0.30000000000000004");
	EXPECT_NUMBER(1.0 / 3, "0.3333333333333333");
	EXPECT_NUMBER(123456.789, "123456.789");
	EXPECT_NUMBER(1e25, "1.0e+25");
	EXPECT_NUMBER(1.5e300, "1.5e+300");
	EXPECT_NUMBER(0.0001, "0.0001");
	EXPECT_NUMBER(0.00001, "1.0e-5");
	EXPECT_NUMBER(1e-7, "1.0e-7");
	EXPECT_NUMBER(5e-324, "5.0e-324");
	EXPECT_NUMBER(1.7976931348623157e308, "1.7976931348623157e+308");
	EXPECT_NUMBER(-0.0, "-0");
	EXPECT_NUMBER(INFINITY, NULL);
	EXPECT_NUMBER(-INFINITY, NULL);
	EXPECT_NUMBER(NAN, NULL);
}

static void test_scalars_and_containers(void)
{
	cJSON *t = cJSON_CreateTrue(), *f = cJSON_CreateFalse(), *n = cJSON_CreateNull();
	EXPECT_JSON(t, "true");
	EXPECT_JSON(f, "false");
	EXPECT_JSON(n, "null");
	cJSON_Delete(t);
	cJSON_Delete(f);
	cJSON_Delete(n);

	cJSON *arr = cJSON_CreateArray(), *obj = cJSON_CreateObject();
	EXPECT_JSON(arr, "[]");
	EXPECT_JSON(obj, "{}");
	EXPECT_PHP(arr, "[]");
	EXPECT_PHP(obj, "[]"); /* an empty PHP array is [] */
	cJSON_Delete(arr);
	cJSON_Delete(obj);

	EXPECT_JSON(NULL, NULL);

	cJSON *raw = cJSON_CreateRaw("{\"pre\":1}");
	EXPECT_JSON(raw, "{\"pre\":1}");
	cJSON_Delete(raw);
}

/* PHP: ["login"=>"u1/ж","cash"=>"10.5","credit"=>0,"tags"=>[1,2.5,-0.0],
 * "note"=>null,"ok"=>true,"no"=>false,"e"=>[],"o"=>new stdClass,
 * "k\"ey"=>"\x00\x1f\x7f<>&'"] */
static void test_record(void)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "login", phpjson_dbval("u1/ж"));
	cJSON_AddItemToObject(o, "cash", phpjson_dbval("10.5"));
	cJSON_AddNumberToObject(o, "credit", 0);
	cJSON *tags = cJSON_AddArrayToObject(o, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(tags, cJSON_CreateNumber(2.5));
	cJSON_AddItemToArray(tags, cJSON_CreateNumber(-0.0));
	cJSON_AddItemToObject(o, "note", phpjson_dbval(NULL));
	cJSON_AddTrueToObject(o, "ok");
	cJSON_AddFalseToObject(o, "no");
	cJSON_AddArrayToObject(o, "e");
	cJSON_AddObjectToObject(o, "o");
	cJSON_AddItemToObject(o, "k\"ey", cJSON_CreateString("\x01\x1f\x7f<>&'"));
	EXPECT_JSON(o, "{\"login\":\"u1\\/\\u0436\",\"cash\":\"10.5\",\"credit\":0,"
		       "\"tags\":[1,2.5,-0],\"note\":null,\"ok\":true,\"no\":false,\"e\":[],"
		       "\"o\":{},\"k\\\"ey\":\"\\u0001\\u001f\x7f<>&'\"}");
	/* In PHP-array mode the empty object "o" is an empty array. */
	EXPECT_PHP(o, "{\"login\":\"u1\\/\\u0436\",\"cash\":\"10.5\",\"credit\":0,"
		      "\"tags\":[1,2.5,-0],\"note\":null,\"ok\":true,\"no\":false,\"e\":[],"
		      "\"o\":[],\"k\\\"ey\":\"\\u0001\\u001f\x7f<>&'\"}");
	/* One bad byte deep inside: the whole print fails. */
	cJSON_AddItemToArray(tags, cJSON_CreateString("bad\xfe"));
	EXPECT_JSON(o, NULL);
	cJSON_Delete(o);

	cJSON *k = cJSON_CreateObject();
	cJSON_AddNumberToObject(k, "\xd0\xb6/\xff", 1);
	EXPECT_JSON(k, NULL); /* invalid key */
	cJSON_Delete(k);

	cJSON *k2 = cJSON_CreateObject();
	cJSON_AddNumberToObject(k2, "ж/", 1);
	EXPECT_JSON(k2, "{\"\\u0436\\/\":1}");
	cJSON_Delete(k2);
}

static cJSON *object_with_keys(const char *const *keys, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToObject(o, keys[i], cJSON_CreateString(keys[i]));
	return o;
}

/* PHP: json_encode(["0"=>"0"]) is ["0"], json_encode(["1"=>"1"]) {"1":"1"}... */
static void test_php_arrays(void)
{
	static const char *const k0[] = { "0" };
	static const char *const k1[] = { "1" };
	static const char *const k01[] = { "0", "1", "2" };
	static const char *const k10[] = { "1", "0" };
	static const char *const km0[] = { "-0" };
	static const char *const k00[] = { "00" };
	static const char *const kab[] = { "0", "a" };
	cJSON *o;

	o = object_with_keys(k0, 1);
	EXPECT_PHP(o, "[\"0\"]");
	EXPECT_JSON(o, "{\"0\":\"0\"}");
	cJSON_Delete(o);
	o = object_with_keys(k1, 1);
	EXPECT_PHP(o, "{\"1\":\"1\"}");
	cJSON_Delete(o);
	o = object_with_keys(k01, 3);
	EXPECT_PHP(o, "[\"0\",\"1\",\"2\"]");
	cJSON_Delete(o);
	o = object_with_keys(k10, 2);
	EXPECT_PHP(o, "{\"1\":\"1\",\"0\":\"0\"}");
	cJSON_Delete(o);
	o = object_with_keys(km0, 1);
	EXPECT_PHP(o, "{\"-0\":\"-0\"}");
	cJSON_Delete(o);
	o = object_with_keys(k00, 1);
	EXPECT_PHP(o, "{\"00\":\"00\"}");
	cJSON_Delete(o);
	o = object_with_keys(kab, 2);
	EXPECT_PHP(o, "{\"0\":\"0\",\"a\":\"a\"}");
	cJSON_Delete(o);

	/* Nested: PHP ["0"=>["1"=>"x","0"=>"y"],"ab"=>1e25,"c"=>0.00001] */
	o = cJSON_CreateObject();
	cJSON *inner = cJSON_AddObjectToObject(o, "0");
	cJSON_AddStringToObject(inner, "1", "x");
	cJSON_AddStringToObject(inner, "0", "y");
	cJSON_AddNumberToObject(o, "ab", 1e25);
	cJSON_AddNumberToObject(o, "c", 0.00001);
	EXPECT_PHP(o, "{\"0\":{\"1\":\"x\",\"0\":\"y\"},\"ab\":1.0e+25,\"c\":1.0e-5}");
	cJSON_Delete(o);
}

static cJSON *nest(int levels)
{
	cJSON *root = cJSON_CreateArray(), *cur = root;
	for (int i = 1; i < levels; i++) {
		cJSON *next = cJSON_CreateArray();
		cJSON_AddItemToArray(cur, next);
		cur = next;
	}
	return root;
}

static void test_depth(void)
{
	cJSON *ok = nest(512), *deep = nest(513);
	struct sbuf b = SBUF_INIT;
	CHECK(phpjson_print(ok, &b) == 0 && b.len == 1024);
	sbuf_reset(&b);
	CHECK(phpjson_print(deep, &b) == -1 && b.len == 0);
	sbuf_free(&b);
	cJSON_Delete(ok);
	cJSON_Delete(deep);
}

static void test_keys(void)
{
	long long v = 0;
	CHECK(php_key_is_int("0"));
	CHECK(php_key_is_int("17"));
	CHECK(php_key_is_int("-3"));
	CHECK(php_key_int("9223372036854775807", &v) && v == 9223372036854775807LL);
	CHECK(php_key_int("-9223372036854775808", &v) && v == -9223372036854775807LL - 1);
	CHECK(!php_key_is_int("9223372036854775808"));
	CHECK(!php_key_is_int("-9223372036854775809"));
	CHECK(!php_key_is_int("99999999999999999999"));
	CHECK(!php_key_is_int("01"));
	CHECK(!php_key_is_int("00"));
	CHECK(!php_key_is_int("+1"));
	CHECK(!php_key_is_int("-0"));
	CHECK(!php_key_is_int("-01"));
	CHECK(!php_key_is_int("-"));
	CHECK(!php_key_is_int(""));
	CHECK(!php_key_is_int(" 1"));
	CHECK(!php_key_is_int("1 "));
	CHECK(!php_key_is_int("1a"));
	CHECK(!php_key_is_int("0x1"));
	CHECK(!php_key_is_int("1.0"));
	CHECK(!php_key_is_int("1e3"));
}

static void test_dbval(void)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, phpjson_dbval("10.50"));
	cJSON_AddItemToArray(a, phpjson_dbval("1e-07"));
	cJSON_AddItemToArray(a, phpjson_dbval("-0"));
	cJSON_AddItemToArray(a, phpjson_dbval(""));
	cJSON_AddItemToArray(a, phpjson_dbval(NULL));
	EXPECT_JSON(a, "[\"10.50\",\"1e-07\",\"-0\",\"\",null]");
	cJSON_Delete(a);
}

int main(void)
{
	test_strings();
	test_numbers();
	test_scalars_and_containers();
	test_record();
	test_php_arrays();
	test_depth();
	test_keys();
	test_dbval();
	return check_summary();
}
