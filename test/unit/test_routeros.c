/* RouterOS API word framing: the five length forms at their boundaries,
 * and the decoder asking for more bytes on a short prefix. */
#include <string.h>

#include "check.h"
#include "routeros.h"

static void roundtrip(size_t len, size_t want_n, const char *want, int line)
{
	unsigned char b[5];
	size_t n = ros_len_encode(len, b);
	CHECK_AT(n == want_n, "prefix size", line);
	CHECK_AT(memcmp(b, want, n) == 0, "prefix bytes", line);
	size_t got = 0;
	CHECK_AT(ros_len_decode(b, n, &got) == n && got == len, "decode", line);
	CHECK_AT(ros_len_decode(b, n - 1, &got) == 0, "short prefix", line);
}

int main(void)
{
	roundtrip(0, 1, "\x00", __LINE__);
	roundtrip(0x7F, 1, "\x7f", __LINE__);
	roundtrip(0x80, 2, "\x80\x80", __LINE__);
	roundtrip(0x3FFF, 2, "\xbf\xff", __LINE__);
	roundtrip(0x4000, 3, "\xc0\x40\x00", __LINE__);
	roundtrip(0x1FFFFF, 3, "\xdf\xff\xff", __LINE__);
	roundtrip(0x200000, 4, "\xe0\x20\x00\x00", __LINE__);
	roundtrip(0xFFFFFFF, 4, "\xef\xff\xff\xff", __LINE__);
	roundtrip(0x10000000, 5, "\xf0\x10\x00\x00\x00", __LINE__);
	roundtrip(0xFFFFFFFF, 5, "\xf0\xff\xff\xff\xff", __LINE__);

	struct sbuf s = SBUF_INIT;
	ros_word_put(&s, "/login", 6);
	ros_word_put(&s, "", 0);
	CHECK(s.len == 8 && memcmp(s.s, "\x06/login\x00", 8) == 0);
	sbuf_free(&s);

	struct ros_sentence st = { 0 };
	char *w[] = { "!re", "=.id=*1A", "=name=u1", "=.idx=2" };
	st.w = w;
	st.n = 4;
	CHECK_STR(ros_attr(&st, ".id"), "*1A");
	CHECK_STR(ros_attr(&st, "name"), "u1");
	CHECK(ros_attr(&st, "!re") == NULL);
	CHECK(ros_attr(&st, "nam") == NULL);
	return check_summary();
}
