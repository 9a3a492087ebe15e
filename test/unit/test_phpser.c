/* phpser: serialize() bytes as PHP 8.2 writes them, and a reader that
 * refuses everything malformed. Expected strings come from PHP 8.2. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phpjson.h"
#include "phpser.h"
#include "check.h"
#include "sbuf.h"


static void check_mem(const char *got, size_t got_len, const char *want, size_t want_len, int line)
{
	bool ok = got_len == want_len && memcmp(got, want, want_len) == 0;
	CHECK_AT(ok, want, line);
	if (!ok)
		printf("  got:  %.*s\n  want: %.*s\n", (int)got_len, got, (int)want_len, want);
}

/* want may contain NULs, hence sizeof. */
#define CHECK_BUF(b, want) check_mem((b)->s ? (b)->s : "", (b)->len, (want), sizeof(want) - 1, __LINE__)

/* Parses exactly len bytes from a heap copy with nothing after it, so that
 * AddressSanitizer catches any read past the end. */
static cJSON *parse_exact(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	memcpy(copy, s, len);
	cJSON *v = phpser_parse(copy, len);
	free(copy);
	return v;
}

/* Parses s and prints the tree PHP-style (json_encode of what unserialize
 * gave), or "(null)" when refused. */
static void expect_parse(const char *s, size_t len, const char *want_json, int line)
{
	cJSON *v = parse_exact(s, len);
	struct sbuf b = SBUF_INIT;
	if (v)
		phpjson_print(v, &b);
	else
		sbuf_puts(&b, "(null)");
	check_mem(sbuf_str(&b), b.len, want_json, strlen(want_json), line);
	sbuf_free(&b);
	cJSON_Delete(v);
}

#define EXPECT_PARSE(s, json) expect_parse((s), sizeof(s) - 1, (json), __LINE__)
#define EXPECT_REJECT(s) expect_parse((s), sizeof(s) - 1, "(null)", __LINE__)

static void test_writer_scalars(void)
{
	struct sbuf b = SBUF_INIT;
	phpser_int(&b, 0);
	phpser_int(&b, -42);
	phpser_int(&b, 9223372036854775807LL);
	CHECK_BUF(&b, "i:0;i:-42;i:9223372036854775807;");
	sbuf_reset(&b);
	phpser_bool(&b, true);
	phpser_bool(&b, false);
	phpser_null(&b);
	CHECK_BUF(&b, "b:1;b:0;N;");
	sbuf_reset(&b);
	phpser_string(&b, "Привіт", strlen("Привіт"));
	CHECK_BUF(&b, "s:12:\"Привіт\";");
	sbuf_reset(&b);
	phpser_string(&b, "x\0\"y", 4);
	phpser_string(&b, "", 0);
	phpser_string(&b, NULL, 0);
	CHECK_BUF(&b, "s:4:\"x\0\"y\";s:0:\"\";s:0:\"\";");
	sbuf_free(&b);
}

/* PHP: serialize([0.1, 100.0, -12.5, 1e25, 1e-5, -0.0, INF, -INF, NAN,
 * 0.1+0.2, -23.4]) */
static void test_writer_floats(void)
{
	static const double v[] = { 0.1, 100.0, -12.5, 1e25, 1e-5, -0.0, INFINITY, -INFINITY,
				    NAN, 0.1 + 0.2, -23.4 };
	struct sbuf b = SBUF_INIT;
	size_t n = sizeof v / sizeof v[0];
	phpser_array_begin(&b, n);
	for (size_t i = 0; i < n; i++) {
		phpser_key_int(&b, (long long)i);
		phpser_float(&b, v[i]);
	}
	phpser_array_end(&b);
	CHECK_BUF(&b, "a:11:{i:0;d:0.1;i:1;d:100;i:2;d:-12.5;i:3;d:1.0E+25;i:4;d:1.0E-5;i:5;d:-0;"
		      "i:6;d:INF;i:7;d:-INF;i:8;d:NAN;i:9;d:0.30000000000000004;i:10;d:-23.4;}");
	sbuf_reset(&b);
	phpser_float(&b, 1e15);
	phpser_float(&b, 1e17);
	phpser_float(&b, 0.0001);
	phpser_float(&b, 5e-324);
	CHECK_BUF(&b, "d:1000000000000000;d:1.0E+17;d:0.0001;d:5.0E-324;");
	sbuf_free(&b);
}

static void test_writer_arrays(void)
{
	struct sbuf b = SBUF_INIT;
	/* spec §2.21.2: getmoney for reply 1, Cash 12.5, Fee 100. */
	phpser_array_begin(&b, 3);
	phpser_key_int(&b, 0);
	phpser_string(&b, "1", 1);
	phpser_key_int(&b, 1);
	phpser_float(&b, 12.5);
	phpser_key_int(&b, 2);
	phpser_float(&b, 100);
	phpser_array_end(&b);
	CHECK_BUF(&b, "a:3:{i:0;s:1:\"1\";i:1;d:12.5;i:2;d:100;}");

	/* PHP: serialize(["10.0.0.1"=>"loc \"a\"; b", "7"=>"x", "07"=>"y"]) */
	sbuf_reset(&b);
	phpser_array_begin(&b, 3);
	phpser_key_str(&b, "10.0.0.1");
	phpser_string(&b, "loc \"a\"; b", 10);
	phpser_key_str(&b, "7");
	phpser_string(&b, "x", 1);
	phpser_key_str(&b, "07");
	phpser_string(&b, "y", 1);
	phpser_array_end(&b);
	CHECK_BUF(&b, "a:3:{s:8:\"10.0.0.1\";s:10:\"loc \"a\"; b\";i:7;s:1:\"x\";s:2:\"07\";s:1:\"y\";}");

	/* PHP: serialize(["a"=>1, "0"=>true, "10"=>null, "-0"=>"x\0\"y", 5=>1.5]) */
	sbuf_reset(&b);
	phpser_array_begin(&b, 5);
	phpser_key_str(&b, "a");
	phpser_int(&b, 1);
	phpser_key_str(&b, "0");
	phpser_bool(&b, true);
	phpser_key_str(&b, "10");
	phpser_null(&b);
	phpser_key_str(&b, "-0");
	phpser_string(&b, "x\0\"y", 4);
	phpser_key_int(&b, 5);
	phpser_float(&b, 1.5);
	phpser_array_end(&b);
	CHECK_BUF(&b, "a:5:{s:1:\"a\";i:1;i:0;b:1;i:10;N;s:2:\"-0\";s:4:\"x\0\"y\";i:5;d:1.5;}");

	sbuf_reset(&b);
	phpser_key_str(&b, "-3");
	phpser_key_str(&b, "9223372036854775808");
	phpser_key_str(&b, "");
	CHECK_BUF(&b, "i:-3;s:19:\"9223372036854775808\";s:0:\"\";");
	sbuf_free(&b);
}

/* phpser_write_json(): HORDE_<ip> {start,end}, nested lists, empties. */
static void test_write_json(void)
{
	struct sbuf b = SBUF_INIT;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "start", 1700000000);
	cJSON_AddNumberToObject(o, "end", 1700000005);
	CHECK(phpser_write_json(o, &b) == 0);
	CHECK_BUF(&b, "a:2:{s:5:\"start\";i:1700000000;s:3:\"end\";i:1700000005;}");
	cJSON_Delete(o);

	sbuf_reset(&b);
	cJSON *a = cJSON_CreateArray();
	cJSON *inner = cJSON_CreateArray();
	cJSON_AddItemToArray(inner, cJSON_CreateArray());
	cJSON_AddItemToArray(a, inner);
	cJSON_AddItemToArray(a, cJSON_CreateNumber(-23.4));
	cJSON_AddItemToArray(a, cJSON_CreateString("ж"));
	cJSON_AddItemToArray(a, cJSON_CreateNull());
	cJSON_AddItemToArray(a, cJSON_CreateFalse());
	CHECK(phpser_write_json(a, &b) == 0);
	CHECK_BUF(&b, "a:5:{i:0;a:1:{i:0;a:0:{}}i:1;d:-23.4;i:2;s:2:\"ж\";i:3;N;i:4;b:0;}");
	cJSON_Delete(a);

	/* Raw items and NULL cannot be serialized; nothing is appended. */
	sbuf_reset(&b);
	sbuf_puts(&b, "keep");
	cJSON *r = cJSON_CreateArray();
	cJSON_AddItemToArray(r, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(r, cJSON_CreateRaw("1"));
	CHECK(phpser_write_json(r, &b) == -1);
	CHECK(phpser_write_json(NULL, &b) == -1);
	CHECK_BUF(&b, "keep");
	cJSON_Delete(r);
	sbuf_free(&b);
}

static void test_parse_scalars(void)
{
	EXPECT_PARSE("N;", "null");
	EXPECT_PARSE("b:1;", "true");
	EXPECT_PARSE("b:0;", "false");
	EXPECT_PARSE("i:0;", "0");
	EXPECT_PARSE("i:-42;", "-42");
	EXPECT_PARSE("i:+5;", "5");
	EXPECT_PARSE("i:007;", "7");
	EXPECT_PARSE("i:-0;", "0");
	EXPECT_PARSE("i:-9223372036854775808;", "-9223372036854775808");
	EXPECT_PARSE("d:0.1;", "0.1");
	EXPECT_PARSE("d:100;", "100");
	EXPECT_PARSE("d:-12.5;", "-12.5");
	EXPECT_PARSE("d:1.0E+25;", "1.0e+25");
	EXPECT_PARSE("d:1.0E-5;", "1.0e-5");
	EXPECT_PARSE("d:.5;", "0.5");
	EXPECT_PARSE("d:5.;", "5");
	EXPECT_PARSE("d:+1.5e+3;", "1500");
	EXPECT_PARSE("d:1E5;", "100000");
	EXPECT_PARSE("d:0.30000000000000004;", "0.30000000000000004");
	EXPECT_PARSE("s:0:\"\";", "\"\"");
	EXPECT_PARSE("s:12:\"Привіт\";", "\"\\u041f\\u0440\\u0438\\u0432\\u0456\\u0442\"");
	EXPECT_PARSE("s:10:\"loc \"a\"; b\";", "\"loc \\\"a\\\"; b\"");
	EXPECT_PARSE("s:3:\"a;}\";", "\"a;}\"");
	EXPECT_PARSE("s:03:\"abc\";", "\"abc\"");

	cJSON *v = parse_exact("d:-0;", 5);
	CHECK(v && cJSON_IsNumber(v) && v->valuedouble == 0 && signbit(v->valuedouble));
	cJSON_Delete(v);
	v = parse_exact("d:INF;", 6);
	CHECK(v && isinf(v->valuedouble) && v->valuedouble > 0);
	cJSON_Delete(v);
	v = parse_exact("d:-INF;", 7);
	CHECK(v && isinf(v->valuedouble) && v->valuedouble < 0);
	cJSON_Delete(v);
	v = parse_exact("d:NAN;", 6);
	CHECK(v && isnan(v->valuedouble));
	cJSON_Delete(v);
}

static void test_parse_arrays(void)
{
	EXPECT_PARSE("a:0:{}", "[]");
	EXPECT_PARSE("a:1:{i:0;a:1:{i:0;a:0:{}}}", "[[[]]]");
	EXPECT_PARSE("a:3:{i:0;s:1:\"1\";i:1;d:12.5;i:2;d:100;}", "[\"1\",12.5,100]");
	/* A lone "0" key is a list; "1" alone is not. */
	EXPECT_PARSE("a:1:{s:1:\"0\";s:1:\"x\";}", "[\"x\"]");
	EXPECT_PARSE("a:1:{i:1;s:1:\"x\";}", "{\"1\":\"x\"}");
	EXPECT_PARSE("a:2:{i:1;i:1;i:0;i:0;}", "{\"1\":1,\"0\":0}");
	EXPECT_PARSE("a:1:{s:2:\"-0\";i:1;}", "{\"-0\":1}");
	EXPECT_PARSE("a:1:{s:2:\"07\";i:1;}", "{\"07\":1}");
	EXPECT_PARSE("a:1:{i:-0;i:1;}", "[1]");
	EXPECT_PARSE("a:1:{i:007;i:1;}", "{\"7\":1}");
	/* Repeated keys: first place, last value (PHP: [0=>"b"], then 1=>"c"). */
	EXPECT_PARSE("a:2:{i:0;s:1:\"a\";i:0;s:1:\"b\";}", "[\"b\"]");
	EXPECT_PARSE("a:3:{i:0;s:1:\"a\";s:1:\"0\";s:1:\"b\";i:1;s:1:\"c\";}", "[\"b\",\"c\"]");
	EXPECT_PARSE("a:3:{s:1:\"k\";a:1:{i:0;i:1;}s:1:\"j\";N;s:1:\"k\";s:1:\"v\";}",
		     "{\"k\":\"v\",\"j\":null}");
	EXPECT_PARSE("a:2:{s:1:\"k\";s:1:\"v\";s:1:\"k\";a:1:{s:1:\"z\";b:1;}}",
		     "{\"k\":{\"z\":true}}");
	/* ubstorage SWDEAD: ip => location. */
	EXPECT_PARSE("a:2:{s:8:\"10.0.0.1\";s:8:\"rack \"1\"\";s:8:\"10.0.0.2\";s:0:\"\";}",
		     "{\"10.0.0.1\":\"rack \\\"1\\\"\",\"10.0.0.2\":\"\"}");
	EXPECT_PARSE("a:5:{s:1:\"a\";i:1;i:0;b:1;i:10;N;s:2:\"-0\";s:3:\"x\"y\";i:5;d:1.5;}",
		     "{\"a\":1,\"0\":true,\"10\":null,\"-0\":\"x\\\"y\",\"5\":1.5}");
}

static void test_parse_rejects(void)
{
	EXPECT_REJECT("");
	EXPECT_REJECT("N");
	EXPECT_REJECT("N;x");            /* trailing bytes */
	EXPECT_REJECT(" N;");
	EXPECT_REJECT("b:2;");
	EXPECT_REJECT("b:1");
	EXPECT_REJECT("b:;");
	EXPECT_REJECT("i:;");
	EXPECT_REJECT("i:1");
	EXPECT_REJECT("i:1.5;");
	EXPECT_REJECT("i:- 1;");
	EXPECT_REJECT("i:9223372036854775808;");
	EXPECT_REJECT("i:-9223372036854775809;");
	EXPECT_REJECT("i:99999999999999999999999;");
	EXPECT_REJECT("d:;");
	EXPECT_REJECT("d:.;");
	EXPECT_REJECT("d:1e;");
	EXPECT_REJECT("d:1e+;");
	EXPECT_REJECT("d:e5;");
	EXPECT_REJECT("d:inf;");
	EXPECT_REJECT("d:+INF;");
	EXPECT_REJECT("d:0x10;");
	EXPECT_REJECT("d:1.5");
	EXPECT_REJECT("s:3:\"ab\";");    /* length longer than the bytes */
	EXPECT_REJECT("s:1:\"ab\";");    /* shorter */
	EXPECT_REJECT("s:100:\"abc\";");
	EXPECT_REJECT("s:-1:\"\";");
	EXPECT_REJECT("s:18446744073709551616:\"\";");
	EXPECT_REJECT("s:99999999999999999999999999:\"\";");
	EXPECT_REJECT("s:3:abc;");
	EXPECT_REJECT("s:3:\"abc\"");
	EXPECT_REJECT("s:3:\"abc';");
	EXPECT_REJECT("s:3:\"a\0b\";");  /* NUL cannot live in a cJSON string */
	EXPECT_REJECT("S:3:\"abc\";");
	EXPECT_REJECT("O:8:\"stdClass\":0:{}");
	EXPECT_REJECT("C:3:\"Foo\":0:{}");
	EXPECT_REJECT("E:7:\"Foo:Bar\";");
	EXPECT_REJECT("r:1;");
	EXPECT_REJECT("R:1;");
	EXPECT_REJECT("a:1:{i:0;R:1;}");
	EXPECT_REJECT("a:1:{i:0;i:1;");      /* no closing brace */
	EXPECT_REJECT("a:1:{i:0;i:1;}}");    /* extra brace */
	EXPECT_REJECT("a:2:{i:0;i:1;}");     /* fewer pairs than said */
	EXPECT_REJECT("a:0:{i:0;i:1;}");     /* more pairs than said */
	EXPECT_REJECT("a:1:{d:1.5;i:1;}");   /* float key */
	EXPECT_REJECT("a:1:{N;i:1;}");
	EXPECT_REJECT("a:1:{b:1;i:1;}");
	EXPECT_REJECT("a:1:{a:0:{}i:1;}");
	EXPECT_REJECT("a:1:{s:1:\"\0\";i:1;}");
	EXPECT_REJECT("a:1:{i:9223372036854775808;i:1;}");
	EXPECT_REJECT("a:1:{i:0;}");
	EXPECT_REJECT("a:99999999:{i:0;i:1;}");
	EXPECT_REJECT("a:18446744073709551616:{}");
	EXPECT_REJECT("a:-1:{}");
	EXPECT_REJECT("a:1:[i:0;i:1;]");
	EXPECT_REJECT("a:1{i:0;i:1;}");
	EXPECT_REJECT("x:1;");
	CHECK(phpser_parse(NULL, 0) == NULL);
}

/* Every proper prefix of a valid value is refused, and no prefix is read
 * past its end (the copy is exactly that long). */
static void test_truncations(void)
{
	static const char full[] =
		"a:4:{s:8:\"10.0.0.1\";s:6:\"rack;1\";i:7;a:2:{i:0;d:-12.5;i:1;b:1;}"
		"s:1:\"n\";N;i:-3;s:4:\"\xd0\xb6\xd0\xb6\";}";
	size_t n = sizeof full - 1;
	cJSON *v = parse_exact(full, n);
	CHECK(v != NULL);
	cJSON_Delete(v);
	int refused = 0;
	for (size_t len = 0; len < n; len++) {
		v = parse_exact(full, len);
		refused += v == NULL;
		cJSON_Delete(v);
	}
	CHECK(refused == (int)n);
}

static char *nested(int levels)
{
	struct sbuf b = SBUF_INIT;
	for (int i = 0; i < levels; i++)
		sbuf_puts(&b, i + 1 < levels ? "a:1:{i:0;" : "a:0:{}");
	for (int i = 1; i < levels; i++)
		sbuf_putc(&b, '}');
	return sbuf_detach(&b);
}

static void test_depth(void)
{
	char *ok = nested(PHPSER_MAX_DEPTH), *deep = nested(PHPSER_MAX_DEPTH + 1);
	cJSON *v = phpser_parse(ok, strlen(ok));
	CHECK(v != NULL);
	cJSON_Delete(v);
	CHECK(phpser_parse(deep, strlen(deep)) == NULL);
	free(ok);
	free(deep);

	/* Far deeper than the limit, and unterminated. */
	struct sbuf b = SBUF_INIT;
	for (int i = 0; i < 100000; i++)
		sbuf_puts(&b, "a:1:{i:0;");
	CHECK(phpser_parse(b.s, b.len) == NULL);
	sbuf_free(&b);
}

/* 50000 distinct keys, each given twice: a scan per member would take
 * billions of comparisons, the hash map takes milliseconds. */
static void test_many_keys(void)
{
	struct sbuf b = SBUF_INIT;
	const int n = 100000, distinct = 50000;
	phpser_array_begin(&b, (size_t)n);
	for (int i = 0; i < n; i++) {
		char key[16];
		snprintf(key, sizeof key, "k%d", i % distinct);
		phpser_key_str(&b, key);
		phpser_int(&b, i);
	}
	phpser_array_end(&b);
	cJSON *v = phpser_parse(b.s, b.len);
	CHECK(v && cJSON_IsObject(v) && cJSON_GetArraySize(v) == distinct);
	cJSON *k5 = cJSON_GetObjectItemCaseSensitive(v, "k5");
	CHECK(k5 && k5->valuedouble == distinct + 5);
	CHECK(v && v->child && strcmp(v->child->string, "k0") == 0 &&
	      v->child->valuedouble == distinct);
	cJSON_Delete(v);
	sbuf_free(&b);
}

/* parse(write(parse(x))) gives the same bytes as write(parse(x)). */
static void test_round_trip(void)
{
	static const char *const samples[] = {
		"a:3:{s:8:\"10.0.0.1\";s:6:\"rack;1\";i:7;a:2:{i:0;d:-12.5;i:1;b:1;}s:1:\"n\";N;}",
		"a:2:{s:5:\"start\";i:1700000000;s:3:\"end\";i:1700000005;}",
		"a:1:{i:0;a:1:{i:0;a:0:{}}}",
		"a:2:{s:2:\"-0\";d:0.1;s:2:\"07\";d:1.0E+25;}",
		"s:12:\"Привіт\";",
	};
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		struct sbuf w1 = SBUF_INIT, w2 = SBUF_INIT;
		cJSON *v1 = phpser_parse(samples[i], strlen(samples[i]));
		CHECK(v1 && phpser_write_json(v1, &w1) == 0);
		CHECK(strcmp(sbuf_str(&w1), samples[i]) == 0);
		cJSON *v2 = phpser_parse(w1.s, w1.len);
		CHECK(v2 && phpser_write_json(v2, &w2) == 0 && strcmp(w1.s, w2.s) == 0);
		cJSON_Delete(v1);
		cJSON_Delete(v2);
		sbuf_free(&w1);
		sbuf_free(&w2);
	}
}

/* A cheap in-process fuzz: byte flips, cuts and splices of valid values
 * must never crash or leak (run under ASan/valgrind). */
static void test_mutations(void)
{
	static const char seed[] =
		"a:4:{s:8:\"10.0.0.1\";s:6:\"rack;1\";i:7;a:2:{i:0;d:-12.5;i:1;b:1;}"
		"s:1:\"n\";N;i:-3;a:1:{s:1:\"0\";s:2:\"xy\";}}";
	static const char alphabet[] = "aisdbNO:;{}\"0123456789-+.eE";
	unsigned state = 12345;
	size_t n = sizeof seed - 1;
	char buf[sizeof seed + 8];
	int parsed = 0;
	for (int round = 0; round < 30000; round++) {
		memcpy(buf, seed, n);
		size_t len = n;
		int edits = 1 + (int)((state >> 16) % 4);
		for (int e = 0; e < edits; e++) {
			state = state * 1103515245u + 12345u;
			size_t pos = (state >> 8) % len;
			switch ((state >> 4) % 3) {
			case 0:
				buf[pos] = alphabet[(state >> 20) % (sizeof alphabet - 1)];
				break;
			case 1:
				buf[pos] = (char)(state >> 24);
				break;
			default:
				len = pos + 1;
				break;
			}
		}
		cJSON *v = parse_exact(buf, len);
		parsed += v != NULL;
		cJSON_Delete(v);
	}
	CHECK(parsed > 0 && parsed < 30000);
}

int main(void)
{
	test_writer_scalars();
	test_writer_floats();
	test_writer_arrays();
	test_write_json();
	test_parse_scalars();
	test_parse_arrays();
	test_parse_rejects();
	test_truncations();
	test_depth();
	test_many_keys();
	test_round_trip();
	test_mutations();
	return check_summary();
}
