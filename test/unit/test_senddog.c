/* senddog's pure pieces: natsort order, the queue-file reader, PHP text
 * helpers, Telegram request building and the mail text. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "senddog.h"
#include "util.h"

static void test_natcmp(void)
{
	CHECK(php_natcmp("usms_1700000000_9", "usms_1700000000_10") < 0);
	CHECK(php_natcmp("usms_1700000000_10", "usms_1700000000_2") > 0);
	CHECK(php_natcmp("usms_1700000001_0", "usms_1700000000_99") > 0);
	CHECK(php_natcmp("tlg_1", "tlg_1") == 0);
	CHECK(php_natcmp("a", "b") < 0);
	CHECK(php_natcmp("A", "a") < 0); /* case-sensitive */
}

static void test_fields(void)
{
	static const char text[] =
		"  NUMBER = \"+380501234567\"  \n"
		"; comment line\n"
		"\n"
		"MESSAGE=\"a\\r\\nb \\\"q\\\" \\x41\\101 \\z end\"\r\n"
		"BARE\n"
		"=lead\n"
		"EMPTY=\"\n"
		"INNER=\"x\"y\"\n"
		"NUMBER=\"+1\"\n";
	struct sd_fields f;
	sd_fields_parse(&f, text, sizeof text - 1);
	CHECK_STR(sd_fields_get(&f, "NUMBER"), "+1");
	CHECK_STR(sd_fields_get(&f, "MESSAGE"), "a\r\nb \"q\" AA z end");
	CHECK_STR(sd_fields_get(&f, "BARE"), "");
	CHECK_STR(sd_fields_get(&f, "=lead"), "");
	CHECK_STR(sd_fields_get(&f, "EMPTY"), "");
	CHECK_STR(sd_fields_get(&f, "INNER"), "x\"y");
	CHECK(sd_fields_get(&f, "; comment line") == NULL);
	CHECK(sd_fields_get(&f, "SMSSRVID") == NULL);
	sd_fields_free(&f);
}

static void test_text_helpers(void)
{
	char *s = sd_cut_international("+380501234567");
	CHECK_STR(s, "0501234567");
	free(s);
	s = sd_cut_international("+79161234567");
	CHECK_STR(s, "9161234567");
	free(s);
	s = sd_cut_international("380501234567");
	CHECK_STR(s, "0501234567");
	free(s);
	s = sd_sign_filter("~In@fo?%/;=*><\"'Centr");
	CHECK_STR(s, "InfoCentr");
	free(s);
	struct sbuf b = SBUF_INIT;
	sd_urlencode(&b, "a b+c/ї~-_.");
	CHECK_STR(sbuf_str(&b), "a+b%2Bc%2F%D1%97%7E-_.");
	sbuf_reset(&b);
	sd_base64(&b, "Ubilling", 8);
	CHECK_STR(sbuf_str(&b), "VWJpbGxpbmc=");
	sbuf_reset(&b);
	sd_base64(&b, "ab", 2);
	CHECK_STR(sbuf_str(&b), "YWI=");
	sbuf_reset(&b);
	sd_xml_escape(&b, "<a href='x'>&\"");
	CHECK_STR(sbuf_str(&b), "&lt;a href=&apos;x&apos;&gt;&amp;&quot;");
	sbuf_reset(&b);
	CHECK(sd_json_string_unescaped(&b, "Тест/\"\n\x01") == 0);
	CHECK_STR(sbuf_str(&b), "\"Тест\\/\\\"\\n\\u0001\"");
	sbuf_reset(&b);
	CHECK(sd_json_string_unescaped(&b, "\xff") == -1);
	sbuf_free(&b);
	char r[9];
	sd_rand_string(r, 8);
	CHECK(strlen(r) == 8 && strspn(r, "0123456789abcdefghijklmnopqrstuvwxyz") == 8);
}

static void tg(const char *chat, const char *msg, const char *method, const char *body, int line)
{
	struct sbuf m = SBUF_INIT, b = SBUF_INIT;
	sd_telegram_build(chat, msg, &m, &b);
	CHECK_STR_AT(sbuf_str(&m), method, line);
	CHECK_STR_AT(sbuf_str(&b), body, line);
	sbuf_free(&m);
	sbuf_free(&b);
}

static void test_telegram(void)
{
	tg("42", "a\r\nb parseMode:{html}", "sendMessage?parse_mode=html", "{\"chat_id\":\"42\",\"text\":\"a\\r\\nb \"}",
	   __LINE__);
	tg("1", "plain", "sendMessage", "{\"chat_id\":\"1\",\"text\":\"plain\"}", __LINE__);
	tg("1", "sendVenue:[1,2]", "sendVenue?chat_id=1&latitude=1&longitude=2",
	   "{\"chat_id\":\"1\",\"text\":\"sendVenue:[1,2]\",\"title\":null,\"address\":null}", __LINE__);
	tg("1", "removeKeyboard:bye", "sendMessage",
	   "{\"chat_id\":\"1\",\"text\":\"bye\",\"reply_markup\":\"{\\\"remove_keyboard\\\":true}\"}", __LINE__);
	tg("1", "banChatMember:[5@-7]", "banChatMember?chat_id=-7&user_id=5",
	   "{\"chat_id\":\"1\",\"text\":\"banChatMember:[5@-7]\"}", __LINE__);
	tg("1", "unpinChatMessage:[3@-7]", "unpinChatMessage?chat_id=-7&message_id=3",
	   "{\"chat_id\":\"1\",\"text\":\"unpinChatMessage:[3@-7]\"}", __LINE__);
	tg("1", "pinChatMessage:[3@-7]", "pinChatMessage?chat_id=-7&message_id=3",
	   "{\"chat_id\":\"1\",\"text\":\"pinChatMessage:[3@-7]\"}", __LINE__);
	tg("1", "sendDocument:[http://d/f.pdf]", "sendDocument?chat_id=1&document=http://d/f.pdf",
	   "{\"chat_id\":\"1\",\"text\":\"sendDocument:[http:\\/\\/d\\/f.pdf]\"}", __LINE__);
	/* invalid UTF-8: json_encode() fails, PHP posts an empty body */
	tg("1", "\xff", "sendMessage", "", __LINE__);
}

static void test_email(void)
{
	struct sbuf b = SBUF_INIT;
	sd_email_compose(&b, "a@b.test", "Hi", "Body", 0);
	const char *t = sbuf_str(&b);
	CHECK(strncmp(t, "To: a@b.test\nSubject: =?UTF-8?B?SGk=?=\nFrom: =?UTF-8?B?VWJpbGxpbmc=?= <a@b.test>\n"
		      "MIME-Version: 1.0\nMessage-ID: <", 112) == 0);
	CHECK(strstr(t, "@Ubilling>\nDate: Thu, 01 Jan 1970 00:00:00 GMT\nContent-type: text/plain; charset=UTF-8\n"
			"Content-transfer-encoding: 8bit\nX-Mailer: Ubilling\nX-MimeOLE: Ubilling\n\nBody\n") != NULL);
	sbuf_free(&b);
}

int main(void)
{
	test_natcmp();
	test_fields();
	test_text_helpers();
	test_telegram();
	test_email();
	return check_summary();
}
