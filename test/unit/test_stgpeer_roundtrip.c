/* The Stargazer client against the loopback test peer (test/peers), run in
 * a thread of this process: every helper end to end, the handshake
 * failures, and the peer's refuse/close/silent modes. The peer's log and
 * state files are checked too, since integration tests rely on them. */
#include "stargazer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "sbuf.h"

/* test/CMakeLists.txt links each test_*.c with ubapi_core only, and the
 * peer is test code, not core: its one source file is compiled in here. */
#include "../peers/stgpeer_core.c"

#define CHECK_MSG(cond, what) check_record((cond), (what), __FILE__, __LINE__)

struct running {
	struct stgpeer *peer;
	pthread_t thread;
	atomic_int stop;
	int port;
};

static void *serve(void *arg)
{
	struct running *r = arg;
	while (!atomic_load(&r->stop) && stgpeer_serve_once(r->peer, 50) >= 0)
		;
	return NULL;
}

static char dir[] = "/tmp/stgpeer_test.XXXXXX";

static char *path_in_dir(const char *name)
{
	struct sbuf b = SBUF_INIT;
	sbuf_printf(&b, "%s/%s", dir, name);
	return sbuf_detach(&b);
}

static int start(struct running *r, enum stgpeer_mode mode, const char *log, const char *state)
{
	struct stgpeer_opts o = { .admin_login = "admin", .admin_password = "123456",
		                  .mode = mode, .log_path = log, .state_path = state,
		                  .io_timeout_ms = 2000 };
	r->peer = stgpeer_new(&o);
	atomic_init(&r->stop, 0);
	if (!r->peer || stgpeer_add_user(r->peer, "u1:0:0:0:0:0:Test:0") < 0 ||
	    stgpeer_add_user(r->peer, "u2:10:5:1:1:1:Other:0:pw2") < 0 ||
	    stgpeer_write_state(r->peer) < 0)
		return -1;
	stgpeer_add_tariff(r->peer, "Test");
	stgpeer_add_tariff(r->peer, "Other");
	stgpeer_add_tariff(r->peer, "Premium & Co");
	r->port = stgpeer_listen(r->peer, "127.0.0.1:0");
	if (r->port < 0)
		return -1;
	return pthread_create(&r->thread, NULL, serve, r) == 0 ? 0 : -1;
}

static void finish(struct running *r)
{
	atomic_store(&r->stop, 1);
	pthread_join(r->thread, NULL);
	stgpeer_free(r->peer);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct sbuf b = SBUF_INIT;
	char buf[4096];
	size_t n;
	while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&b, buf, n);
	if (f)
		fclose(f);
	return sbuf_detach(&b);
}

static int user_is(const struct stg_conf *c, const char *login, const char *cash,
                   const char *credit, const char *passive, const char *down,
                   const char *aonline, const char *tariff, const char *expire)
{
	struct stg_user u;
	if (stg_get_user(c, login, &u, NULL) != 0)
		return 0;
	int ok = !strcmp(u.cash, cash) && !strcmp(u.credit, credit) && !strcmp(u.passive, passive) &&
	         !strcmp(u.down, down) && !strcmp(u.aonline, aonline) && !strcmp(u.tariff, tariff) &&
	         !strcmp(u.creditexpire, expire);
	if (!ok)
		fprintf(stderr, "  %s: %s %s %s %s %s %s %s\n", login, u.cash, u.credit, u.passive,
		        u.down, u.aonline, u.tariff, u.creditexpire);
	stg_user_free(&u);
	return ok;
}

static void test_helpers(const struct stg_conf *c, const char *state, const char *log)
{
	struct sbuf err = SBUF_INIT;
	CHECK_MSG(user_is(c, "u1", "0.000000", "0.000000", "0", "0", "0", "Test", "0"), "u1 at start");
	CHECK_MSG(stg_add_cash(c, "u1", "100", &err) == 0, "add 100");
	CHECK_MSG(stg_add_cash(c, "u1", "25.5", &err) == 0, "add 25.5");
	CHECK_MSG(user_is(c, "u1", "125.500000", "0.000000", "0", "0", "0", "Test", "0"), "u1 125.5");
	CHECK_MSG(stg_set_cash(c, "u1", "50", &err) == 0, "set 50");
	CHECK_MSG(stg_set_credit(c, "u1", "25", &err) == 0, "credit 25");
	CHECK_MSG(stg_set_credit_expire(c, "u1", 1800000000, &err) == 0, "credit expire");
	CHECK_MSG(stg_set_passive(c, "u1", 1, &err) == 0, "passive 1");
	CHECK_MSG(stg_set_down(c, "u1", 1, &err) == 0, "down 1");
	CHECK_MSG(stg_set_aonline(c, "u1", 1, &err) == 0, "aonline 1");
	CHECK_MSG(stg_set_tariff(c, "u1", "Premium & Co", &err) == 0, "tariff with &");
	CHECK_MSG(user_is(c, "u1", "50.000000", "25.000000", "1", "1", "1", "Premium & Co", "1800000000"),
	      "u1 after every helper");
	CHECK_MSG(stg_set_passive(c, "u1", 0, &err) == 0 && stg_set_down(c, "u1", 0, &err) == 0 &&
	              stg_set_aonline(c, "u1", 0, &err) == 0 &&
	              stg_add_cash(c, "u1", "-60.25", &err) == 0,
	      "flags back, negative add");
	CHECK_MSG(user_is(c, "u1", "-10.250000", "25.000000", "0", "0", "0", "Premium & Co", "1800000000"),
	      "u1 final");

	/* The peer, like Stargazer, answers error for a tariff it does not know. */
	CHECK_MSG(stg_set_tariff(c, "u1", "NoSuch", &err) == STG_E_REFUSED, "unknown tariff refused");
	CHECK_MSG(strstr(sbuf_str(&err), "SetUser u1") != NULL, "error names the call");
	CHECK_MSG(stg_add_cash(c, "nosuch", "1", &err) == STG_E_REFUSED, "unknown user refused");

	struct stg_user u;
	CHECK_MSG(stg_get_user(c, "nosuch", &u, &err) == STG_E_REFUSED &&
	              strstr(sbuf_str(&err), "User not found.") != NULL,
	      "GetUser unknown user");

	char *st = slurp(state);
	CHECK_MSG(strstr(st, "u1 -10.250000 25.000000 0 0 0 Premium & Co 1800000000\n") != NULL,
	      "state file");
	CHECK_MSG(strstr(st, "u2 10.000000 5.000000 1 1 1 Other 0\n") != NULL, "u2 untouched");
	free(st);
	static const char head[] = "<GetUser login=\"u1\"/>\n"
	                           "<SetUser><login value=\"u1\" /><cash add=\"100\" /></SetUser>\n"
	                           "<SetUser><login value=\"u1\" /><cash add=\"25.5\" /></SetUser>\n";
	char *lg = slurp(log);
	CHECK_MSG(strncmp(lg, head, strlen(head)) == 0, "log has the exact requests");
	CHECK_MSG(strstr(lg, "<tariff now=\"Premium &amp; Co\" />") != NULL, "tariff escaped on the wire");
	free(lg);
	sbuf_free(&err);
}

static void test_raw_requests(const struct stg_conf *c)
{
	struct sbuf ans = SBUF_INIT;
	CHECK_MSG(stg_request(c, "<AddUser><login value=\"u3\" /></AddUser>", &ans) == 0 &&
	              strcmp(sbuf_str(&ans), "<AddUser result=\"ok\"/>") == 0,
	      "AddUser");
	CHECK_MSG(stg_request(c, "<AddUser><login value=\"u3\" /></AddUser>", &ans) == 0 &&
	              strcmp(sbuf_str(&ans), "<AddUser result=\"error\" reason=\"User 'u3' exists.\"/>") == 0,
	      "AddUser twice");
	CHECK_MSG(user_is(c, "u3", "0.000000", "0.000000", "0", "0", "0", "*_NO_TARIFF_*", "0"),
	      "new user defaults");
	CHECK_MSG(stg_request(c, "<CheckUser login=\"u2\" password=\"pw2\"/>", &ans) == 0 &&
	              strcmp(sbuf_str(&ans), "<CheckUser value=\"Ok\"/>") == 0,
	      "CheckUser ok");
	CHECK_MSG(stg_request(c, "<CheckUser login=\"u2\" password=\"x\"/>", &ans) == 0 &&
	              strstr(sbuf_str(&ans), "Wrong password.") != NULL,
	      "CheckUser wrong password");
	CHECK_MSG(stg_request(c, "<DelUser login=\"u3\" />", &ans) == 0 &&
	              strcmp(sbuf_str(&ans), "<DelUser value=\"ok\"/>") == 0,
	      "DelUser");
	CHECK_MSG(stg_request(c, "<Foo/>", &ans) == 0 &&
	              strcmp(sbuf_str(&ans), "<Error result=\"Unknown command.\"/>") == 0,
	      "unknown command");
	/* §5 quirks the peer reproduces: positional attributes, "" as 0. */
	CHECK_MSG(stg_request(c, "<SetUser><login value=\"u2\" /><cash msg=\"\" add=\"5\" /></SetUser>",
	                  &ans) == 0 &&
	              user_is(c, "u2", "0.000000", "5.000000", "1", "1", "1", "Other", "0"),
	      "cash msg first sets 0");
	CHECK_MSG(stg_request(c, "<SetUser><login value=\"u2\" /><credit value=\"1,5\" /></SetUser>",
	                  &ans) == 0 && strcmp(sbuf_str(&ans), "<SetUser result=\"ok\"/>") == 0 &&
	              user_is(c, "u2", "0.000000", "5.000000", "1", "1", "1", "Other", "0"),
	      "unparsable number ignored, still ok");

	/* The size limit, both sides: 1023 bytes of XML are answered. */
	struct sbuf big = SBUF_INIT;
	sbuf_puts(&big, "<SetUser><login value=\"u2\" /><note value=\"");
	while (big.len < STG_MAX_XML - strlen("\" /></SetUser>"))
		sbuf_putc(&big, 'a');
	sbuf_puts(&big, "\" /></SetUser>");
	CHECK_MSG(big.len == STG_MAX_XML && stg_request(c, big.s, &ans) == 0 &&
	              strcmp(sbuf_str(&ans), "<SetUser result=\"ok\"/>") == 0,
	      "1023-byte request answered");
	sbuf_free(&big);
	sbuf_free(&ans);
}

static void test_handshake_failures(struct stg_conf c)
{
	struct sbuf ans = SBUF_INIT;
	c.password = "wrongpw";
	CHECK_MSG(stg_request(&c, "<GetUser login=\"u1\"/>", &ans) == STG_E_PASSWORD, "ERLS");
	c.password = "123456";
	c.login = "nobody";
	CHECK_MSG(stg_request(&c, "<GetUser login=\"u1\"/>", &ans) == STG_E_ADMIN, "ERLG");
	sbuf_free(&ans);

	/* The client only ever sends SG04, so ERHD is checked with a raw socket. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)c.port),
		                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char st[8] = { 0 };
	CHECK_MSG(connect(fd, (struct sockaddr *)&a, sizeof a) == 0 && write(fd, "SG03", 4) == 4,
	      "raw connect");
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	CHECK_MSG(poll(&pf, 1, 2000) == 1 && read(fd, st, sizeof st) == 4 && memcmp(st, "ERHD", 4) == 0,
	      "ERHD for SG03");
	CHECK_MSG(poll(&pf, 1, 2000) == 1 && read(fd, st, sizeof st) == 0, "then closed");
	close(fd);
}

static void test_normal(void)
{
	struct running r;
	char *log = path_in_dir("log"), *state = path_in_dir("state");
	if (start(&r, STGPEER_NORMAL, log, state) < 0) {
		CHECK_MSG(0, "peer starts");
		return;
	}
	struct stg_conf c = { .host = "127.0.0.1", .port = r.port, .login = "admin",
		              .password = "123456", .timeout_ms = 3000 };
	test_helpers(&c, state, log);
	test_raw_requests(&c);
	test_handshake_failures(c);
	finish(&r);
	unlink(log);
	unlink(state);
	free(log);
	free(state);
}

static void test_mode(enum stgpeer_mode mode, int want, const char *what)
{
	struct running r;
	if (start(&r, mode, NULL, NULL) < 0) {
		CHECK_MSG(0, "peer starts");
		return;
	}
	struct stg_conf c = { .host = "localhost", .port = r.port, .login = "admin",
		              .password = "123456", .timeout_ms = 500 };
	struct sbuf err = SBUF_INIT;
	CHECK_MSG(stg_add_cash(&c, "u1", "10", &err) == want, what);
	CHECK_MSG(err.len > 0, "error text");
	if (mode == STGPEER_REFUSE)
		CHECK_MSG(user_is(&c, "u1", "0.000000", "0.000000", "0", "0", "0", "Test", "0"),
		      "refuse mode still answers GetUser");
	sbuf_free(&err);
	finish(&r);
}

static void test_listen_rules(void)
{
	struct stgpeer_opts o = { 0 };
	struct stgpeer *p = stgpeer_new(&o);
	CHECK_MSG(stgpeer_listen(p, "0.0.0.0:0") < 0, "any-address refused");
	CHECK_MSG(stgpeer_listen(p, "10.0.0.1:5555") < 0, "non-loopback refused");
	CHECK_MSG(stgpeer_listen(p, "127.0.0.1") < 0, "port required");
	CHECK_MSG(stgpeer_add_user(p, "bad login:1") < 0 && stgpeer_add_user(p, "u1:x") < 0,
	      "bad user specs refused");
	stgpeer_free(p);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_normal();
	test_mode(STGPEER_REFUSE, STG_E_REFUSED, "refuse mode");
	test_mode(STGPEER_CLOSE, STG_E_CLOSED, "close mode");
	test_mode(STGPEER_SILENT, STG_E_TIMEOUT, "silent mode");
	test_listen_rules();
	rmdir(dir);
	return check_summary();
}
