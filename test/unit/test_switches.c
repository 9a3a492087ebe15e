/* Ubilling's template dialect, MAC helpers, envy's line cutting and the
 * no-shell runner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "envy.h"
#include "runcmd.h"
#include "switches.h"

static void test_template(void)
{
	const char *text = "KEY=before any section\n"
			   "[define]\n"
			   "DEVICE = \"DES-3200\" \n"
			   ";comment=1\n"
			   "FDB=true ;not a comment\n"
			   "ESC=\"a\\tb\\x41\\101\\\\\"\n"
			   "HALF=abc\"\n"
			   "NOEQ\n"
			   "=zero\n"
			   "[PORT.1D_FDB]\n"
			   "PORTTABLE=.1.3.6.1.2.1.17.4.3.1.2\n"
			   "[CPU USE]\n"
			   "OIDS=\".1,.2\"\n"
			   "[define]\n"
			   "FDB_MODE=dlp\n";
	struct tpl *t = tpl_parse("x", text);
	CHECK(t != NULL);
	CHECK_STR(tpl_get(t, "define", "DEVICE"), "DES-3200");
	CHECK_STR(tpl_get(t, "define", "FDB"), "true ;not a comment");
	CHECK_STR(tpl_get(t, "define", "ESC"), "a\tbAA\\");
	CHECK_STR(tpl_get(t, "define", "HALF"), "abc");
	CHECK_STR(tpl_get(t, "define", "NOEQ"), "");
	CHECK_STR(tpl_get(t, "define", "=zero"), "");
	CHECK_STR(tpl_get(t, "define", "FDB_MODE"), "dlp");
	CHECK(tpl_get(t, "define", "KEY") == NULL);
	CHECK(tpl_get(t, "define", ";comment") == NULL);
	CHECK_STR(tpl_get(t, "port.1d_fdb", "PORTTABLE"), ".1.3.6.1.2.1.17.4.3.1.2");
	CHECK_STR(tpl_get(t, "cpu use", "OIDS"), ".1,.2");
	CHECK(tpl_section(t, "PORT.1D_FDB") == NULL);
	tpl_free(t);
	CHECK(tpl_parse("empty", "") == NULL);
	CHECK(tpl_parse("nosection", "A=1\n") == NULL);
	CHECK(!tpl_name_ok("../x") && !tpl_name_ok(".hidden") && !tpl_name_ok("") && tpl_name_ok("Zyxel es-2108"));
}

static void test_macs(void)
{
	char mac[18];
	CHECK(mac_from_decimal("0.17.34.51.68.85", mac));
	CHECK_STR(mac, "00:11:22:33:44:55");
	CHECK(!mac_from_decimal("0.17.34.51.68", mac));
	CHECK(!mac_from_decimal("0.17.34.51.68.256", mac));
	CHECK(!mac_from_decimal("0.17.34.51.68.85.1", mac));
	CHECK(!mac_from_decimal("0.17.34.51.68.x", mac));
	CHECK(mac_valid("00:1a:2b:3c:4d:5e") && !mac_valid("00:1a:2b:3c:4d") && !mac_valid("00-1a-2b-3c-4d-5e"));
	CHECK(oid_text_ok(".1.3.6") && !oid_text_ok("") && !oid_text_ok("../etc") && !oid_text_ok(".1.3 x"));
	char md5[33];
	md5_hex("00:11:22:33:44:55", md5);
	CHECK_STR(md5, "4a7074688ea4a32cd257f7c672d56365");
}

static void test_cut(void)
{
	char *c = envy_cut("a\nb\nc\n", 1, 1);
	CHECK_STR(c, "bc");
	free(c);
	c = envy_cut("a\r\nb\r\n", 0, 0);
	CHECK_STR(c, "a\r\nb\r\n");
	free(c);
	c = envy_cut("a\nb", 5, 0);
	CHECK_STR(c, "");
	free(c);
	c = envy_cut("x\ny\nz", 0, 1);
	CHECK_STR(c, "xy");
	free(c);
}

static void test_runcmd(void)
{
	struct sbuf out = SBUF_INIT;
	struct spawn_result res;
	char *echo[] = { "/bin/echo", "a b", "$(id)", NULL };
	CHECK(spawn_run(echo, 5000, 1024, &out, &res) == 0);
	CHECK(res.status == 0 && !res.timed_out);
	CHECK_STR(sbuf_str(&out), "a b $(id)\n");
	sbuf_reset(&out);
	char *sleeper[] = { "/bin/sleep", "5", NULL };
	CHECK(spawn_run(sleeper, 200, 1024, &out, &res) == 0);
	CHECK(res.timed_out && res.status == 128 + 9);
	char *missing[] = { "/nonexistent/prog", NULL };
	CHECK(spawn_run(missing, 1000, 1024, &out, &res) == -1 || res.status == 127);
	char *lots[] = { "/usr/bin/seq", "1", "100000", NULL };
	sbuf_reset(&out);
	CHECK(spawn_run(lots, 5000, 10, &out, &res) == 0 && out.len == 10 && res.status == 0);
	sbuf_free(&out);
	size_t argc;
	char **v = spawn_argv_split("  /usr/local/bin/expect   -f ", 1, &argc);
	CHECK(argc == 2);
	CHECK_STR(v[0], "/usr/local/bin/expect");
	CHECK_STR(v[1], "-f");
	CHECK(v[2] == NULL && v[3] == NULL);
	spawn_argv_free(v);
}

/* cache files are rewritten in place: a shorter text must not leave the
 * old tail behind, and an empty one empties the file */
static void test_file_put_inplace(void)
{
	char dir[] = "/tmp/ubapi-test-put-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/walk", dir);
	size_t len = 0;
	CHECK(file_put_inplace(path, "long old walk text\n", 19) == 0);
	CHECK(file_put_inplace(path, "short\n", 6) == 0);
	char *got = file_get(path, &len);
	CHECK(got && len == 6);
	CHECK_STR(got, "short\n");
	free(got);
	CHECK(file_put_inplace(path, "", 0) == 0);
	got = file_get(path, &len);
	CHECK(got && len == 0);
	free(got);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_file_put_inplace();
	test_template();
	test_macs();
	test_cut();
	test_runcmd();
	return check_summary();
}
