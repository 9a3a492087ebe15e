/* Stargazer client against the captures of spec/stargazer-protocol.md §11:
 * first the pieces (key, blocks, handshake fields, request and answer
 * framing) byte for byte, then whole exchanges replayed by a scripted
 * loopback server that records every byte the client sends. */
#include "stargazer.h"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/blowfish.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "sbuf.h"

#define CHECK_MSG(cond, what) check_record((cond), (what), __FILE__, __LINE__)

/* Hex with any spaces, as the spec prints it. */
static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;
	unsigned int b;
	for (; *hex; hex++) {
		if (*hex == ' ' || *hex == '\n')
			continue;
		if (sscanf(hex, "%2x", &b) != 1)
			break;
		out[n++] = (unsigned char)b;
		hex++;
	}
	return n;
}

static int same_hex(const void *got, size_t len, const char *hex)
{
	unsigned char want[2048];
	size_t n = unhex(hex, want);
	if (n == len && memcmp(got, want, n) == 0)
		return 1;
	fprintf(stderr, "  want %s\n  got  ", hex);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x", ((const unsigned char *)got)[i]);
	fputc('\n', stderr);
	return 0;
}

/* ------------------------------------------------------------ the captures */

#define Z8 "0000000000000000"
#define Z24 Z8 Z8 Z8

#define TV1_XML "<SetUser><login value=\"u1\" /><cash add=\"100\" /></SetUser>"
#define TV1_LOGIN "61646d696e000000" Z24
#define TV1_CLOGIN "e9fecbc5ad3e8739" Z24
#define TV1_REQ "5f926f71cf284209 9409b34a647b1a4b 71f3c6b7b6b3756c 2965c312b780390c " \
                "bcacff6ed787a06b 373be113590213d6 51609d1a69893f36 4aabfbc0ad90074b"
#define TV1_ANS "5f926f71cf284209 0f37ec6853b7c8d3 749f30979821c60c"

#define TV2_XML "<GetUser login=\"nosuch\"/>"
#define TV2_LOGIN "7562617069000000" Z24
#define TV2_CLOGIN "b45e5d70539255f4" Z24
#define TV2_REQ "f49b7a744bf985f1 954077acaa89b670 17753a0837e12fb3 b3a26d0f82894893"
#define TV2_ANS "6574f4b186f63efb c09afea7705c20f8 09171b08a4711ba0 3f52f28baa2fa15c " \
                "8968bb74c21a9717 a70755f02dd4bbc6"
#define TV2_ANS_XML "<User result=\"error\" reason=\"User not found.\"/>"

#define ADD_XML "<AddUser><login value=\"u1\" /></AddUser>"
#define ADD_REQ "3654f39bc6e0cef3 9409b34a647b1a4b 71f3c6b7b6b3756c 687a8d6955d62428 " \
                "301e53b019f25f15"
#define ADD_ANS "3654f39bc6e0cef3 0f37ec6853b7c8d3 749f30979821c60c"

/* --------------------------------------------------------- piece by piece */

static void test_blowfish_kat(void)
{
	/* The library itself, big-endian, with the standard all-zero key. */
	BF_KEY k;
	unsigned char key[8] = { 0 }, in[8] = { 0 }, out[8];
	BF_set_key(&k, 8, key);
	BF_ecb_encrypt(in, out, &k, BF_ENCRYPT);
	CHECK_MSG(same_hex(out, 8, "4ef997456198dd78"), "Blowfish known answer");
}

static void check_block(const char *password, const char *plain_hex, const char *cipher_hex)
{
	unsigned char plain[32], buf[32];
	size_t n = unhex(plain_hex, plain);
	struct stg_key *k = stg_key_new(password);
	stg_encrypt(k, plain, buf, n);
	CHECK_MSG(same_hex(buf, n, cipher_hex), password);
	stg_decrypt(k, buf, buf, n);
	CHECK_MSG(memcmp(buf, plain, n) == 0, "decrypt undoes encrypt");
	stg_key_free(k);
}

static void test_block_order(void)
{
	check_block("123456", "61646d696e000000", "e9fecbc5ad3e8739");
	check_block("S3cr3t-Passw0rd!", "7562617069000000", "b45e5d70539255f4");
	check_block("0123456789abcdefghijklmnopqrstuv", "7562696c6c696e675f61646d696e0000",
	            "357cc977bb6bf003 7da7fa60639e5b92");
	/* Longer passwords are cut to 32 bytes (§2.2). */
	check_block("0123456789abcdefghijklmnopqrstuvWXYZ", "7562696c6c696e675f61646d696e0000",
	            "357cc977bb6bf003 7da7fa60639e5b92");

	/* The two wrong turns of §2.2 and §2.3 really give the spec's values,
	 * so the vectors above tell them apart. */
	unsigned char key32[32] = "123456", blk[8] = "admin", out[8];
	BF_KEY bk;
	BF_set_key(&bk, 32, key32);
	BF_ecb_encrypt(blk, out, &bk, BF_ENCRYPT);
	CHECK_MSG(same_hex(out, 8, "d8f7a96f4f68c25e"), "textbook byte order differs");
	BF_set_key(&bk, 6, key32);
	BF_LONG d[2] = { 0x696d6461, 0x0000006e }; /* "admin\0\0\0" read little-endian */
	BF_encrypt(d, &bk);
	CHECK_MSG(d[0] == 0xa146c7fd && d[1] == 0x06cb3426, "6-byte key schedule differs");
}

static void test_handshake_fields(void)
{
	unsigned char f[STG_FIELD_LEN];
	struct stg_key *k = stg_key_new("123456");
	stg_wire_login("admin", f);
	CHECK_MSG(same_hex(f, sizeof f, TV1_LOGIN), "TV1 login field");
	stg_wire_cryptologin(k, "admin", f);
	CHECK_MSG(same_hex(f, sizeof f, TV1_CLOGIN), "TV1 crypto-login");
	stg_key_free(k);

	k = stg_key_new("S3cr3t-Passw0rd!");
	stg_wire_login("ubapi", f);
	CHECK_MSG(same_hex(f, sizeof f, TV2_LOGIN), "TV2 login field");
	stg_wire_cryptologin(k, "ubapi", f);
	CHECK_MSG(same_hex(f, sizeof f, TV2_CLOGIN), "TV2 crypto-login");
	stg_key_free(k);

	k = stg_key_new("wrongpw");
	stg_wire_cryptologin(k, "admin", f);
	CHECK_MSG(same_hex(f, sizeof f, "2c0e59eb2a6a30f0" Z24), "TV3a crypto-login");
	stg_key_free(k);

	stg_wire_login("nobody", f);
	CHECK_MSG(same_hex(f, sizeof f, "6e6f626f64790000" Z24), "TV3b login field");

	k = stg_key_new("0123456789abcdefghijklmnopqrstuv");
	stg_wire_cryptologin(k, "ubilling_admin", f);
	CHECK_MSG(same_hex(f, sizeof f, "357cc977bb6bf003 7da7fa60639e5b92" Z8 Z8),
	      "two-block crypto-login");
	stg_key_free(k);
}

static void check_seal(const char *password, const char *text, const char *hex, const char *what)
{
	struct stg_key *k = stg_key_new(password);
	struct sbuf b = SBUF_INIT, t = SBUF_INIT;
	stg_wire_seal(k, text, &b);
	CHECK_MSG(same_hex(b.s, b.len, hex), what);
	CHECK_MSG(stg_wire_open(k, (unsigned char *)b.s, b.len, &t) == 1 &&
	              strcmp(sbuf_str(&t), text) == 0,
	      what);
	sbuf_free(&b);
	sbuf_free(&t);
	stg_key_free(k);
}

static void test_framing(void)
{
	CHECK_MSG(strlen(TV1_XML) == 57, "TV1 XML is 57 bytes");
	check_seal("123456", TV1_XML, TV1_REQ, "TV1 request");
	check_seal("123456", "<SetUser result=\"ok\"/>", TV1_ANS, "TV1 answer");
	check_seal("S3cr3t-Passw0rd!", TV2_XML, TV2_REQ, "TV2 request");
	check_seal("S3cr3t-Passw0rd!", TV2_ANS_XML, TV2_ANS, "TV2 answer");
	check_seal("123456", ADD_XML, ADD_REQ, "AddUser request");
	check_seal("123456", "<AddUser result=\"ok\"/>", ADD_ANS, "AddUser answer");

	/* Decryption stops at the NUL and asks for more until it has one. */
	unsigned char ans[64];
	size_t n = unhex(TV2_ANS, ans);
	struct stg_key *k = stg_key_new("S3cr3t-Passw0rd!");
	struct sbuf t = SBUF_INIT;
	CHECK_MSG(stg_wire_open(k, ans, 16, &t) == 0 && t.len == 16, "partial answer wants more");
	CHECK_MSG(stg_wire_open(k, ans + 16, n - 16, &t) == 1 && strcmp(sbuf_str(&t), TV2_ANS_XML) == 0,
	      "rest of the answer");
	sbuf_free(&t);
	stg_key_free(k);
}

static void test_xml(void)
{
	struct sbuf b = SBUF_INIT;
	stg_field(&b, "tariff", "now", "A&B \"<x>\"");
	CHECK_MSG(strcmp(sbuf_str(&b), "<tariff now=\"A&amp;B &quot;&lt;x&gt;&quot;\" />") == 0,
	      "field XML-escapes its value");
	sbuf_free(&b);

	const char *p = "<ChgAdmin Result = \"Ok\"/>";
	struct stg_xml_tag t;
	CHECK_MSG(stg_xml_next(&p, &t) == 1 && t.kind == STG_XML_EMPTY &&
	              strcmp(stg_xml_attr(&t, "result"), "Ok") == 0,
	      "spaced attribute, case-insensitive name");
	stg_xml_tag_free(&t);
	p = "<a v=\"x &amp; y &#65;&#x42; & z\">";
	CHECK_MSG(stg_xml_next(&p, &t) == 1 && t.kind == STG_XML_OPEN &&
	              strcmp(stg_xml_attr(&t, "v"), "x & y AB & z") == 0,
	      "entities decoded, raw & kept");
	stg_xml_tag_free(&t);

	CHECK_MSG(stg_xml_check(TV1_XML) == 0, "well formed request");
	CHECK_MSG(stg_xml_check("<?xml version=\"1.0\"?>\n<a><b/></a>\n") == 0, "declaration ok");
	CHECK_MSG(stg_xml_check("<a><b></a>") != 0, "unbalanced");
	CHECK_MSG(stg_xml_check("<a/><b/>") != 0, "two roots");
	CHECK_MSG(stg_xml_check("<a x=\"1\"") != 0, "truncated tag");
	CHECK_MSG(stg_xml_check("<SetUser><login value=\"u1\" /><cash add=\"1") != 0, "truncated");
	CHECK_MSG(stg_xml_check("<a b=\"1\"c=\"2\"/>") != 0, "attributes not separated");
	CHECK_MSG(stg_xml_check("<a b/>") != 0, "attribute without value");
}

static void test_validation(void)
{
	CHECK_MSG(stg_amount_ok("100") && stg_amount_ok("-25.5") && stg_amount_ok("0.000001"),
	      "amounts accepted");
	CHECK_MSG(!stg_amount_ok("") && !stg_amount_ok("1,5") && !stg_amount_ok("abc") &&
	              !stg_amount_ok("--5") && !stg_amount_ok("1.") && !stg_amount_ok(".5") &&
	              !stg_amount_ok("1e2") && !stg_amount_ok(" 7") && !stg_amount_ok("-") &&
	              !stg_amount_ok(NULL),
	      "amounts refused");
	CHECK_MSG(stg_login_ok("u1") && stg_login_ok("a.b@c-d_e"), "logins accepted");
	CHECK_MSG(!stg_login_ok("") && !stg_login_ok("a b") && !stg_login_ok("x'y") &&
	              !stg_login_ok("a\"b") && !stg_login_ok("a<b") && !stg_login_ok(NULL),
	      "logins refused");
}

/* --------------------------------------------------- scripted server replay */

struct step {
	size_t expect;    /* bytes to read from the client first */
	const char *hex;  /* then send these, */
	const char *seal; /* or this text, encrypted with key; neither: hang up */
};

struct script {
	int lfd;
	const struct stg_key *key;
	struct step steps[6];
	int nsteps;
	int dribble; /* send replies one byte at a time */
	struct sbuf rec;
};

static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, ms) > 0;
}

static int read_n(int fd, struct sbuf *rec, size_t n)
{
	unsigned char buf[1024];
	while (n) {
		if (!wait_in(fd, 3000))
			return -1;
		ssize_t g = read(fd, buf, n < sizeof buf ? n : sizeof buf);
		if (g <= 0)
			return -1;
		sbuf_add(rec, buf, (size_t)g);
		n -= (size_t)g;
	}
	return 0;
}

static void send_reply(int fd, const struct script *s, const struct step *st)
{
	struct sbuf out = SBUF_INIT;
	if (st->seal) {
		stg_wire_seal(s->key, st->seal, &out);
	} else if (st->hex) {
		unsigned char raw[2048];
		sbuf_add(&out, raw, unhex(st->hex, raw));
	}
	for (size_t off = 0; off < out.len;) {
		size_t n = s->dribble ? 1 : out.len - off;
		ssize_t w = send(fd, out.s + off, n, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	sbuf_free(&out);
}

static void *serve_script(void *arg)
{
	struct script *s = arg;
	if (!wait_in(s->lfd, 5000))
		return NULL;
	int fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	for (int i = 0; i < s->nsteps; i++) {
		if (read_n(fd, &s->rec, s->steps[i].expect) < 0)
			break;
		if (!s->steps[i].hex && !s->steps[i].seal)
			goto done;
		send_reply(fd, s, &s->steps[i]);
	}
	/* Whatever the client sends until it hangs up is recorded too, so a
	 * stray byte after the request shows up in the comparison. A silent
	 * script simply keeps waiting here while the client times out. */
	unsigned char buf[256];
	ssize_t g;
	while (wait_in(fd, 3000) && (g = read(fd, buf, sizeof buf)) > 0)
		sbuf_add(&s->rec, buf, (size_t)g);
done:
	close(fd);
	return NULL;
}

static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0) {
		perror("listen");
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Runs fn against the script; returns what fn returned. */
static int replay(struct script *s, const char *password, struct stg_conf *c,
                  int (*fn)(const struct stg_conf *, void *), void *arg)
{
	struct stg_key *k = stg_key_new(password);
	s->key = k;
	sbuf_init(&s->rec);
	int port = 0;
	s->lfd = listen_loopback(&port);
	c->host = "127.0.0.1";
	c->port = port;
	c->password = password;
	pthread_t th;
	pthread_create(&th, NULL, serve_script, s);
	int r = fn(c, arg);
	pthread_join(th, NULL);
	close(s->lfd);
	stg_key_free(k);
	return r;
}

struct req_arg {
	const char *xml;
	struct sbuf *answer;
};

static int do_request(const struct stg_conf *c, void *arg)
{
	struct req_arg *a = arg;
	return stg_request(c, a->xml, a->answer);
}

static int do_addcash_100(const struct stg_conf *c, void *arg)
{
	return stg_add_cash(c, "u1", "100", arg);
}

static int do_get_nosuch(const struct stg_conf *c, void *arg)
{
	struct stg_user u;
	return stg_get_user(c, "nosuch", &u, arg);
}

static struct script handshake_ok(void)
{
	struct script s = { .nsteps = 3 };
	s.steps[0] = (struct step){ 4, "4f4b4844", NULL };
	s.steps[1] = (struct step){ 32, "4f4b4c47", NULL };
	s.steps[2] = (struct step){ 32, "4f4b4c53", NULL };
	return s;
}

static void test_replay_tv1(void)
{
	struct script s = handshake_ok();
	s.steps[s.nsteps++] = (struct step){ 64, TV1_ANS, NULL };
	struct stg_conf c = { .login = "admin", .timeout_ms = 3000 };
	struct sbuf err = SBUF_INIT;
	int r = replay(&s, "123456", &c, do_addcash_100, &err);
	CHECK_MSG(r == 0, "TV1 addcash succeeds");
	CHECK_MSG(same_hex(s.rec.s, s.rec.len, "53473034" TV1_LOGIN TV1_CLOGIN TV1_REQ),
	      "TV1 client bytes are the capture's");
	sbuf_free(&s.rec);
	sbuf_free(&err);
}

static void test_replay_tv2(void)
{
	struct script s = handshake_ok();
	s.steps[s.nsteps++] = (struct step){ 32, TV2_ANS, NULL };
	s.dribble = 1;
	struct stg_conf c = { .login = "ubapi", .timeout_ms = 3000 };
	struct sbuf err = SBUF_INIT;
	int r = replay(&s, "S3cr3t-Passw0rd!", &c, do_get_nosuch, &err);
	CHECK_MSG(r == STG_E_REFUSED, "TV2 unknown user refused");
	CHECK_MSG(strstr(sbuf_str(&err), "User not found.") != NULL, "TV2 reason reported");
	CHECK_MSG(same_hex(s.rec.s, s.rec.len, "53473034" TV2_LOGIN TV2_CLOGIN TV2_REQ),
	      "TV2 client bytes are the capture's");
	sbuf_free(&s.rec);
	sbuf_free(&err);
}

static void test_replay_adduser(void)
{
	struct script s = handshake_ok();
	s.steps[s.nsteps++] = (struct step){ 40, ADD_ANS, NULL };
	struct stg_conf c = { .login = "admin", .timeout_ms = 3000 };
	struct sbuf ans = SBUF_INIT;
	struct req_arg arg = { ADD_XML, &ans };
	int r = replay(&s, "123456", &c, do_request, &arg);
	CHECK_MSG(r == 0 && strcmp(sbuf_str(&ans), "<AddUser result=\"ok\"/>") == 0, "AddUser answer");
	CHECK_MSG(same_hex(s.rec.s, s.rec.len, "53473034" TV1_LOGIN TV1_CLOGIN ADD_REQ),
	      "AddUser client bytes are the capture's");
	sbuf_free(&s.rec);
	sbuf_free(&ans);
}

static void test_replay_handshake_errors(void)
{
	struct stg_conf c = { .login = "admin", .timeout_ms = 3000 };
	struct sbuf err = SBUF_INIT;

	struct script s = { .nsteps = 3 };
	s.steps[0] = (struct step){ 4, "4f4b4844", NULL };
	s.steps[1] = (struct step){ 32, "4f4b4c47", NULL };
	s.steps[2] = (struct step){ 32, "45524c53", NULL };
	int r = replay(&s, "wrongpw", &c, do_addcash_100, &err);
	CHECK_MSG(r == STG_E_PASSWORD, "TV3a ERLS");
	CHECK_MSG(same_hex(s.rec.s, s.rec.len, "53473034" TV1_LOGIN "2c0e59eb2a6a30f0" Z24),
	      "TV3a client bytes");
	CHECK_MSG(strstr(sbuf_str(&err), "ERLS") != NULL, "TV3a error text");
	sbuf_free(&s.rec);

	s = (struct script){ .nsteps = 2 };
	s.steps[0] = (struct step){ 4, "4f4b4844", NULL };
	s.steps[1] = (struct step){ 32, "45524c47", NULL };
	c.login = "nobody";
	r = replay(&s, "123456", &c, do_addcash_100, &err);
	CHECK_MSG(r == STG_E_ADMIN, "TV3b ERLG");
	CHECK_MSG(same_hex(s.rec.s, s.rec.len, "53473034" "6e6f626f64790000" Z24), "TV3b client bytes");
	sbuf_free(&s.rec);

	s = (struct script){ .nsteps = 1 };
	s.steps[0] = (struct step){ 4, "45524844", NULL };
	c.login = "admin";
	r = replay(&s, "123456", &c, do_addcash_100, &err);
	CHECK_MSG(r == STG_E_HEADER, "TV3c ERHD");
	sbuf_free(&s.rec);

	s = (struct script){ .nsteps = 1 };
	s.steps[0] = (struct step){ 4, "4f4b4c47", NULL }; /* a status, but not this one */
	r = replay(&s, "123456", &c, do_addcash_100, &err);
	CHECK_MSG(r == STG_E_PROTO, "wrong status is a protocol error");
	sbuf_free(&s.rec);
	sbuf_free(&err);
}

/* The answers a SetUser must not take for success. */
static void test_replay_bad_answers(void)
{
	static const struct {
		const char *seal; /* NULL: close without answering */
		int want;
		const char *what;
	} cases[] = {
		{ "<SetUser result=\"error\"/>", STG_E_REFUSED, "SetUser error" },
		{ "<User result=\"ok\"/>", STG_E_ANSWER, "wrong echo" },
		{ "<Error result=\"Unknown command.\"/>", STG_E_ANSWER, "unknown command" },
		{ "<SetUser result=\"ok\"", STG_E_ANSWER, "malformed answer" },
		{ "<SetUser/>", STG_E_ANSWER, "no result" },
		{ NULL, STG_E_CLOSED, "closed without answer" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct script s = handshake_ok();
		s.steps[s.nsteps++] = (struct step){ 64, NULL, cases[i].seal };
		struct stg_conf c = { .login = "admin", .timeout_ms = 3000 };
		struct sbuf err = SBUF_INIT;
		int r = replay(&s, "123456", &c, do_addcash_100, &err);
		CHECK_MSG(r == cases[i].want, cases[i].what);
		CHECK_MSG(err.len > 0, "error text given");
		sbuf_free(&s.rec);
		sbuf_free(&err);
	}
}

static void test_replay_timeout(void)
{
	/* Handshake, then silence: the client must give up on its own. */
	struct script s = handshake_ok();
	struct stg_conf c = { .login = "admin", .timeout_ms = 300 };
	struct sbuf err = SBUF_INIT;
	int r = replay(&s, "123456", &c, do_addcash_100, &err);
	CHECK_MSG(r == STG_E_TIMEOUT, "silent server times out");
	sbuf_free(&s.rec);
	sbuf_free(&err);
}

static int do_get_u1(const struct stg_conf *c, void *arg)
{
	return stg_get_user(c, "u1", arg, NULL);
}

static void test_replay_getuser(void)
{
	/* §7.1's capture, as one line. */
	static const char answer[] =
	    "<User result=\"ok\"><Login value=\"u1\"/><Password value=\"secret1\" />"
	    "<Cash value=\"45.000000\"/><FreeMb value=\"0.000000\"/><Credit value=\"25.000000\"/>"
	    "<Tariff value=\"Test/Test\"/><Note value=\"\"/><UserData0 value=\"\" />"
	    "<Status value=\"1\"/><AOnline value=\"1\"/><CurrIP value=\"10.0.0.11\"/>"
	    "<Traff MU0=\"0\" MD0=\"0\" SU0=\"0\" SD0=\"0\"/><Down value=\"0\"/>"
	    "<DisableDetailStat value=\"1\"/><Passive value=\"0\"/><LastCash value=\"-5.000000\"/>"
	    "<LastTimeCash value=\"1795825117\"/><CreditExpire value=\"1800000000\"/>"
	    "<AuthorizedBy><Auth name=\"Always Online authorizator v.1.0\"/></AuthorizedBy></User>";
	struct script s = handshake_ok();
	s.steps[s.nsteps++] = (struct step){ 24, NULL, answer };
	struct stg_conf c = { .login = "admin", .timeout_ms = 3000 };
	struct stg_user u;
	int r = replay(&s, "123456", &c, do_get_u1, &u);
	CHECK_MSG(r == 0, "GetUser ok");
	if (r == 0) {
		CHECK_MSG(strcmp(u.cash, "45.000000") == 0 && strcmp(u.credit, "25.000000") == 0 &&
		              strcmp(u.passive, "0") == 0 && strcmp(u.down, "0") == 0 &&
		              strcmp(u.aonline, "1") == 0 && strcmp(u.tariff, "Test/Test") == 0 &&
		              strcmp(u.creditexpire, "1800000000") == 0,
		      "GetUser fields");
		stg_user_free(&u);
	}
	sbuf_free(&s.rec);

	/* An answer about another login is not an answer about u1. */
	s = handshake_ok();
	s.steps[s.nsteps++] = (struct step){ 24, NULL,
	                                     "<User result=\"ok\"><Login value=\"u2\"/><Cash value=\"1\"/>"
	                                     "<Credit value=\"0\"/><Passive value=\"0\"/><Down value=\"0\"/>"
	                                     "<AOnline value=\"0\"/><Tariff value=\"T\"/>"
	                                     "<CreditExpire value=\"0\"/></User>" };
	r = replay(&s, "123456", &c, do_get_u1, &u);
	CHECK_MSG(r == STG_E_ANSWER, "GetUser wrong login echo");
	sbuf_free(&s.rec);
}

/* -------------------------------------------------- refused before sending */

static void test_local_refusals(void)
{
	int port;
	int lfd = listen_loopback(&port);
	close(lfd); /* nothing listens there now */
	struct stg_conf c = { .host = "127.0.0.1", .port = port, .login = "admin",
	                      .password = "123456", .timeout_ms = 1000 };
	struct sbuf err = SBUF_INIT, ans = SBUF_INIT;
	CHECK_MSG(stg_add_cash(&c, "u1", "1", &err) == STG_E_CONNECT, "connection refused");

	/* None of these may reach the network; the dead port proves it. */
	CHECK_MSG(stg_add_cash(&c, "u1", "", &err) == STG_E_INVALID, "empty amount");
	CHECK_MSG(stg_set_cash(&c, "u1", "1,5", &err) == STG_E_INVALID, "comma amount");
	CHECK_MSG(stg_set_credit(&c, "u1", "abc", &err) == STG_E_INVALID, "text amount");
	CHECK_MSG(stg_add_cash(&c, "u'1", "5", &err) == STG_E_INVALID, "bad login");
	CHECK_MSG(stg_set_passive(&c, "u1", 2, &err) == STG_E_INVALID, "flag 2");
	CHECK_MSG(stg_set_credit_expire(&c, "u1", -1, &err) == STG_E_INVALID, "negative time");
	CHECK_MSG(stg_set_tariff(&c, "u1", "", &err) == STG_E_INVALID, "empty tariff");
	CHECK_MSG(stg_set_tariff(&c, "u1", "a\nb", &err) == STG_E_INVALID, "tariff with newline");
	CHECK_MSG(stg_set_user(&c, "u1", "", &err) == STG_E_INVALID, "no field");

	char big[STG_MAX_XML + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_MSG(stg_request(&c, big, &ans) == STG_E_TOOLONG, "1024-byte request refused");
	c.login = "0123456789012345678901234567890123";
	CHECK_MSG(stg_request(&c, "<GetServerInfo/>", &ans) == STG_E_INVALID, "admin login too long");
	CHECK_MSG(strcmp(stg_strerror(STG_E_PASSWORD), "wrong admin password (ERLS)") == 0, "strerror");
	sbuf_free(&err);
	sbuf_free(&ans);
}

int main(void)
{
	test_blowfish_kat();
	test_block_order();
	test_handshake_fields();
	test_framing();
	test_xml();
	test_validation();
	test_replay_tv1();
	test_replay_tv2();
	test_replay_adduser();
	test_replay_handshake_errors();
	test_replay_bad_answers();
	test_replay_timeout();
	test_replay_getuser();
	test_local_refusals();
	return check_summary();
}
