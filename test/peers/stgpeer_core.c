/* Server side of SG04 for tests. It mimics what the spec reports of
 * Stargazer 2.409 where a client could notice (statuses, answer texts,
 * positional attributes, number parsing, the 1024-byte request limit), and
 * nothing else: no IPs, no PassiveCost, no scripts. */
#include "stgpeer_core.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sbuf.h"
#include "stargazer.h"
#include "util.h"

#define REQ_LIMIT 1024 /* §4.1: bytes of request ciphertext the server reads */
#define MAX_HELD 64

struct puser {
	char *login, *password, *tariff, *next_tariff;
	double cash, credit, lastcash;
	long long passive, down, aonline, creditexpire, lastcashtime;
};

struct stgpeer {
	char *admin, *password;
	enum stgpeer_mode mode;
	char *state_path;
	FILE *log;
	int io_timeout_ms;
	int lfd;
	struct puser *users;
	size_t nusers;
	char **tariffs;
	size_t ntariffs;
	int held[MAX_HELD]; /* silent mode's open connections */
	size_t nheld;
};

/* ------------------------------------------------------------ setup */

struct stgpeer *stgpeer_new(const struct stgpeer_opts *o)
{
	struct stgpeer *p = xcalloc(1, sizeof *p);
	p->admin = xstrdup(o->admin_login ? o->admin_login : "admin");
	p->password = xstrdup(o->admin_password ? o->admin_password : "123456");
	p->mode = o->mode;
	p->state_path = o->state_path ? xstrdup(o->state_path) : NULL;
	p->io_timeout_ms = o->io_timeout_ms > 0 ? o->io_timeout_ms : 10000;
	p->lfd = -1;
	if (o->log_path && !(p->log = fopen(o->log_path, "ae"))) {
		fprintf(stderr, "stgpeer: %s: %s\n", o->log_path, strerror(errno));
		stgpeer_free(p);
		return NULL;
	}
	return p;
}

static void puser_free(struct puser *u)
{
	free(u->login);
	free(u->password);
	free(u->tariff);
	free(u->next_tariff);
}

void stgpeer_free(struct stgpeer *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nusers; i++)
		puser_free(&p->users[i]);
	free(p->users);
	for (size_t i = 0; i < p->ntariffs; i++)
		free(p->tariffs[i]);
	free(p->tariffs);
	for (size_t i = 0; i < p->nheld; i++)
		close(p->held[i]);
	if (p->lfd >= 0)
		close(p->lfd);
	if (p->log)
		fclose(p->log);
	free(p->admin);
	free(p->password);
	free(p->state_path);
	free(p);
}

int stgpeer_parse_mode(const char *s, enum stgpeer_mode *mode)
{
	static const char *const names[] = { "normal", "refuse", "close", "silent" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*mode = (enum stgpeer_mode)i;
			return 0;
		}
	return -1;
}

void stgpeer_add_tariff(struct stgpeer *p, const char *name)
{
	p->tariffs = xrealloc(p->tariffs, (p->ntariffs + 1) * sizeof *p->tariffs);
	p->tariffs[p->ntariffs++] = xstrdup(name);
}

static struct puser *find_user(struct stgpeer *p, const char *login)
{
	for (size_t i = 0; i < p->nusers; i++)
		if (strcmp(p->users[i].login, login) == 0)
			return &p->users[i];
	return NULL;
}

static struct puser *new_user(struct stgpeer *p, const char *login)
{
	p->users = xrealloc(p->users, (p->nusers + 1) * sizeof *p->users);
	struct puser *u = &p->users[p->nusers++];
	memset(u, 0, sizeof *u);
	u->login = xstrdup(login);
	u->password = xstrdup("*_EMPTY_PASSWORD_*");
	u->tariff = xstrdup("*_NO_TARIFF_*");
	return u;
}

static void set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? xstrdup(v) : NULL;
}

/* ------------------------------------------------ Stargazer's number rules */

/* §5: strtod must consume everything, and "" passes as 0. */
static int parse_decimal(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* §5: optional sign and digits only; "" is rejected. */
static int parse_integer(const char *s, long long *out)
{
	const char *d = (*s == '+' || *s == '-') ? s + 1 : s;
	if (!*d || strspn(d, "0123456789") != strlen(d))
		return -1;
	*out = strtoll(s, NULL, 10);
	return 0;
}

/* Field i of a user spec, after the login. */
static int user_field(struct puser *u, int i, const char *v)
{
	double d;
	switch (i) {
	case 0: return parse_decimal(v, &d) ? -1 : (u->cash = d, 0);
	case 1: return parse_decimal(v, &d) ? -1 : (u->credit = d, 0);
	case 2: return parse_integer(v, &u->passive);
	case 3: return parse_integer(v, &u->down);
	case 4: return parse_integer(v, &u->aonline);
	case 5: return set_str(&u->tariff, v), 0;
	case 6: return parse_integer(v, &u->creditexpire);
	case 7: return set_str(&u->password, v), 0;
	default: return -1;
	}
}

int stgpeer_add_user(struct stgpeer *p, const char *spec)
{
	char *copy = xstrdup(spec), *rest = copy, *f;
	const char *login = strsep(&rest, ":");
	int r = 0;
	if (!stg_login_ok(login) || find_user(p, login)) {
		r = -1;
	} else {
		struct puser *u = new_user(p, login);
		/* An empty field keeps its default: "u1::5" sets only credit. */
		for (int i = 0; r == 0 && (f = strsep(&rest, ":")); i++)
			if (*f && user_field(u, i, f) < 0)
				r = -1;
		if (r)
			puser_free(&p->users[--p->nusers]);
	}
	if (r)
		fprintf(stderr, "stgpeer: bad user spec '%s'\n", spec);
	free(copy);
	return r;
}

int stgpeer_load_users(struct stgpeer *p, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "stgpeer: %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int r = 0;
	while (r == 0 && fgets(line, sizeof line, f)) {
		str_trim(line);
		if (*line && *line != '#')
			r = stgpeer_add_user(p, line);
	}
	fclose(f);
	return r;
}

int stgpeer_write_state(struct stgpeer *p)
{
	if (!p->state_path)
		return 0;
	struct sbuf tmp = SBUF_INIT;
	sbuf_printf(&tmp, "%s.tmp", p->state_path);
	FILE *f = fopen(tmp.s, "we");
	int r = f ? 0 : -1;
	for (size_t i = 0; f && i < p->nusers; i++) {
		const struct puser *u = &p->users[i];
		fprintf(f, "%s %f %f %lld %lld %lld %s %lld\n", u->login, u->cash, u->credit, u->passive,
		        u->down, u->aonline, u->tariff, u->creditexpire);
	}
	if (f && fclose(f) != 0)
		r = -1;
	if (r == 0 && rename(tmp.s, p->state_path) != 0)
		r = -1;
	if (r)
		fprintf(stderr, "stgpeer: cannot write %s: %s\n", p->state_path, strerror(errno));
	sbuf_free(&tmp);
	return r;
}

/* --------------------------------------------------------------- listening */

int stgpeer_listen(struct stgpeer *p, const char *addr)
{
	const char *colon = strrchr(addr, ':');
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char ip[INET_ADDRSTRLEN];
	size_t iplen = colon ? (size_t)(colon - addr) : 0;
	long port = colon ? strtol(colon + 1, NULL, 10) : -1;
	if (!colon || iplen >= sizeof ip || !str_is_digits(colon + 1) || port > 65535)
		goto bad;
	memcpy(ip, addr, iplen);
	ip[iplen] = '\0';
	/* Never reachable from outside: this peer has hard-coded credentials. */
	if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127)
		goto bad;
	sa.sin_port = htons((unsigned short)port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	socklen_t sl = sizeof sa;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		fprintf(stderr, "stgpeer: %s: %s\n", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p->lfd = fd;
	return ntohs(sa.sin_port);
bad:
	fprintf(stderr, "stgpeer: listen address must be 127.x.x.x:PORT, not '%s'\n", addr);
	return -1;
}

/* ---------------------------------------------------- connection I/O */

struct pconn {
	int fd;
	long long deadline;
};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pwait(const struct pconn *c, short ev)
{
	long long left = c->deadline - mono_ms();
	struct pollfd pf = { .fd = c->fd, .events = ev };
	return left > 0 && poll(&pf, 1, (int)left) > 0 ? 0 : -1;
}

/* Reads up to n bytes; returns the count, 0 on EOF, -1 on error/timeout. */
static ssize_t pread_some(const struct pconn *c, void *buf, size_t n)
{
	for (;;) {
		if (pwait(c, POLLIN) < 0)
			return -1;
		ssize_t g = recv(c->fd, buf, n, 0);
		if (g >= 0)
			return g;
		if (errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

static int pread_exact(const struct pconn *c, void *buf, size_t n)
{
	unsigned char *b = buf;
	while (n) {
		ssize_t g = pread_some(c, b, n);
		if (g <= 0)
			return -1;
		b += g;
		n -= (size_t)g;
	}
	return 0;
}

static int pwrite_all(const struct pconn *c, const void *buf, size_t n)
{
	const unsigned char *b = buf;
	while (n) {
		if (pwait(c, POLLOUT) < 0)
			return -1;
		ssize_t w = send(c->fd, b, n, MSG_NOSIGNAL);
		if (w < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (w > 0) {
			b += w;
			n -= (size_t)w;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ commands */

/* The first attribute's value, whatever its name: the server's way (§5).
 * A tag without one reads as "" (what the spec observed). */
static const char *first_value(const struct stg_xml_tag *t)
{
	return t->nattr ? t->attr[0].value : "";
}

static void answer_getuser(struct stgpeer *p, const struct stg_xml_tag *root, struct sbuf *a)
{
	const struct puser *u = find_user(p, first_value(root));
	if (!u) {
		sbuf_puts(a, "<User result=\"error\" reason=\"User not found.\"/>");
		return;
	}
	/* Unescaped on purpose, as Stargazer builds it (§4.2). */
	sbuf_printf(a, "<User result=\"ok\"><Login value=\"%s\"/><Password value=\"%s\" />"
	               "<Cash value=\"%f\"/><FreeMb value=\"0.000000\"/><Credit value=\"%f\"/>",
	            u->login, u->password, u->cash, u->credit);
	sbuf_printf(a, "<Tariff value=\"%s%s%s\"/>", u->tariff, u->next_tariff ? "/" : "",
	            u->next_tariff ? u->next_tariff : "");
	sbuf_puts(a, "<Note value=\"\"/><Phone value=\"\"/><Address value=\"\"/><Email value=\"\"/>");
	for (int i = 0; i < 10; i++)
		sbuf_printf(a, "<UserData%d value=\"\" />", i);
	int online = u->aonline && !u->down && !u->passive && u->cash >= -u->credit;
	sbuf_printf(a, "<Name value=\"\"/><Group value=\"\"/><Status value=\"%d\"/>"
	               "<AOnline value=\"%lld\"/><CurrIP value=\"0.0.0.0\"/><IP value=\"*\"/><Traff",
	            online, u->aonline);
	static const char *const counters[] = { "MU", "MD", "SU", "SD" };
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 10; i++)
			sbuf_printf(a, " %s%d=\"0\"", counters[k], i);
	sbuf_printf(a, "/><Down value=\"%lld\"/><DisableDetailStat value=\"0\"/>"
	               "<Passive value=\"%lld\"/><LastCash value=\"%f\"/><LastTimeCash value=\"%lld\"/>"
	               "<LastActivityTime value=\"0\"/><CreditExpire value=\"%lld\"/>"
	               "<AuthorizedBy></AuthorizedBy></User>",
	            u->down, u->passive, u->lastcash, u->lastcashtime, u->creditexpire);
}

/* SetUser's children, last occurrence winning (§7.5). */
enum { F_LOGIN, F_AONLINE, F_CREDITEXPIRE, F_CREDIT, F_DOWN, F_PASSIVE, F_CASH, F_TARIFF, NF };

struct fields {
	struct stg_xml_tag tag[NF];
	int seen[NF];
};

static int field_index(const char *name)
{
	static const char *const names[NF] = { "login", "aonline", "CreditExpire", "credit",
		                               "down",  "passive", "cash",         "tariff" };
	for (int i = 0; i < NF; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	return -1; /* unknown children are ignored, as on the server */
}

static void collect_fields(const char *body, struct fields *f)
{
	struct stg_xml_tag t;
	int depth = 0;
	while (stg_xml_next(&body, &t) == 1) {
		int idx = field_index(t.name);
		if (t.kind == STG_XML_CLOSE) {
			depth--;
		} else if (depth == 0 && idx >= 0) {
			if (f->seen[idx])
				stg_xml_tag_free(&f->tag[idx]);
			f->tag[idx] = t;
			f->seen[idx] = 1;
			depth += t.kind == STG_XML_OPEN;
			continue; /* f owns t now */
		} else {
			depth += t.kind == STG_XML_OPEN;
		}
		stg_xml_tag_free(&t);
	}
}

static int tariff_known(const struct stgpeer *p, const char *name)
{
	if (p->ntariffs == 0)
		return 1;
	for (size_t i = 0; i < p->ntariffs; i++)
		if (strcmp(p->tariffs[i], name) == 0)
			return 1;
	return 0;
}

static void apply_cash(struct puser *u, const struct stg_xml_tag *t)
{
	double v;
	if (parse_decimal(first_value(t), &v) < 0)
		return; /* silently ignored, still "ok" (§5) */
	int add = t->nattr && strcmp(t->attr[0].name, "add") == 0;
	double old = u->cash;
	u->cash = add ? old + v : v;
	u->lastcash = u->cash - old;
	u->lastcashtime = (long long)time(NULL);
}

static int apply_tariff(const struct stgpeer *p, struct puser *u, const struct stg_xml_tag *t)
{
	const char *name = first_value(t);
	if (!tariff_known(p, name))
		return -1;
	if (t->nattr && strcmp(t->attr[0].name, "delayed") == 0) {
		set_str(&u->next_tariff, name);
	} else if (t->nattr && strcmp(t->attr[0].name, "now") == 0) {
		set_str(&u->tariff, name);
		set_str(&u->next_tariff, NULL);
	}
	return 0;
}

/* In the server's fixed order; a failure stops there without undoing
 * the fields before it (§7.5). */
static int apply_fields(const struct stgpeer *p, struct puser *u, const struct fields *f)
{
	double d;
	if (f->seen[F_AONLINE])
		u->aonline = first_value(&f->tag[F_AONLINE])[0] != '0';
	if (f->seen[F_CREDITEXPIRE])
		parse_integer(first_value(&f->tag[F_CREDITEXPIRE]), &u->creditexpire);
	if (f->seen[F_CREDIT] && parse_decimal(first_value(&f->tag[F_CREDIT]), &d) == 0)
		u->credit = d;
	if (f->seen[F_DOWN])
		parse_integer(first_value(&f->tag[F_DOWN]), &u->down);
	if (f->seen[F_PASSIVE])
		parse_integer(first_value(&f->tag[F_PASSIVE]), &u->passive);
	if (f->seen[F_CASH])
		apply_cash(u, &f->tag[F_CASH]);
	if (f->seen[F_TARIFF] && apply_tariff(p, u, &f->tag[F_TARIFF]) < 0)
		return -1;
	return 0;
}

static void answer_setuser(struct stgpeer *p, const char *body, struct sbuf *a)
{
	struct fields f = { 0 };
	collect_fields(body, &f);
	struct puser *u = f.seen[F_LOGIN] ? find_user(p, first_value(&f.tag[F_LOGIN])) : NULL;
	int ok = p->mode != STGPEER_REFUSE && u && apply_fields(p, u, &f) == 0;
	if (ok)
		stgpeer_write_state(p);
	sbuf_printf(a, "<SetUser result=\"%s\"/>", ok ? "ok" : "error");
	for (int i = 0; i < NF; i++)
		if (f.seen[i])
			stg_xml_tag_free(&f.tag[i]);
}

static void answer_adduser(struct stgpeer *p, const char *body, struct sbuf *a)
{
	struct fields f = { 0 };
	collect_fields(body, &f);
	const char *login = f.seen[F_LOGIN] ? first_value(&f.tag[F_LOGIN]) : "";
	if (!*login) {
		sbuf_puts(a, "<AddUser result=\"error\" reason=\"Access denied\"/>");
	} else if (find_user(p, login)) {
		sbuf_printf(a, "<AddUser result=\"error\" reason=\"User '%s' exists.\"/>", login);
	} else {
		new_user(p, login);
		stgpeer_write_state(p);
		sbuf_puts(a, "<AddUser result=\"ok\"/>");
	}
	for (int i = 0; i < NF; i++)
		if (f.seen[i])
			stg_xml_tag_free(&f.tag[i]);
}

static void answer_deluser(struct stgpeer *p, const struct stg_xml_tag *root, struct sbuf *a)
{
	struct puser *u = find_user(p, first_value(root));
	if (!u) {
		sbuf_puts(a, "<DelUser value=\"error\" reason=\"User not found\"/>");
		return;
	}
	puser_free(u);
	*u = p->users[--p->nusers];
	stgpeer_write_state(p);
	sbuf_puts(a, "<DelUser value=\"ok\"/>");
}

static void answer_checkuser(struct stgpeer *p, const struct stg_xml_tag *root, struct sbuf *a)
{
	const struct puser *u = root->nattr >= 2 ? find_user(p, root->attr[0].value) : NULL;
	const char *why = root->nattr < 2                             ? "Invalid parameters."
	                  : !u                                        ? "User not found."
	                  : strcmp(u->password, root->attr[1].value) ? "Wrong password."
	                                                              : NULL;
	if (why)
		sbuf_printf(a, "<CheckUser value=\"Err\" reason=\"%s\"/>", why);
	else
		sbuf_puts(a, "<CheckUser value=\"Ok\"/>");
}

/* Fills the answer; -1 means the server would hang up without one. */
static int answer(struct stgpeer *p, const char *xml, struct sbuf *a)
{
	struct stg_xml_tag root;
	const char *body = xml;
	if (stg_xml_check(xml) != 0 || stg_xml_next(&body, &root) != 1)
		return -1;
	if (strcasecmp(root.name, "GetUser") == 0)
		answer_getuser(p, &root, a);
	else if (strcasecmp(root.name, "SetUser") == 0)
		answer_setuser(p, body, a);
	else if (strcasecmp(root.name, "AddUser") == 0)
		answer_adduser(p, body, a);
	else if (strcasecmp(root.name, "DelUser") == 0)
		answer_deluser(p, &root, a);
	else if (strcasecmp(root.name, "CheckUser") == 0)
		answer_checkuser(p, &root, a);
	else
		sbuf_puts(a, "<Error result=\"Unknown command.\"/>");
	stg_xml_tag_free(&root);
	return 0;
}

/* ------------------------------------------------------------ the session */

static int handshake(struct stgpeer *p, const struct pconn *c, const struct stg_key *k)
{
	unsigned char buf[STG_FIELD_LEN + 1] = { 0 };
	if (pread_exact(c, buf, 4) < 0)
		return -1;
	if (memcmp(buf, "SG04", 4) != 0) {
		pwrite_all(c, "ERHD", 4);
		return -1;
	}
	if (pwrite_all(c, "OKHD", 4) < 0 || pread_exact(c, buf, STG_FIELD_LEN) < 0)
		return -1;
	if (strcmp((char *)buf, p->admin) != 0) {
		pwrite_all(c, "ERLG", 4);
		return -1;
	}
	if (pwrite_all(c, "OKLG", 4) < 0 || pread_exact(c, buf, STG_FIELD_LEN) < 0)
		return -1;
	/* All 32 bytes are decrypted and compared up to the first NUL (§3). */
	stg_decrypt(k, buf, buf, STG_FIELD_LEN);
	if (strcmp((char *)buf, p->admin) != 0) {
		pwrite_all(c, "ERLS", 4);
		return -1;
	}
	return pwrite_all(c, "OKLS", 4);
}

/* Decrypts until a NUL, EOF, or REQ_LIMIT bytes: the last case hands the
 * parser a truncated document, as the real server does. */
static int read_request(const struct pconn *c, const struct stg_key *k, struct sbuf *xml)
{
	unsigned char buf[REQ_LIMIT];
	size_t have = 0, done = 0;
	while (have < sizeof buf) {
		ssize_t g = pread_some(c, buf + have, sizeof buf - have);
		if (g < 0)
			return -1;
		if (g == 0)
			return 0; /* a half-close also ends the request (§4.1) */
		have += (size_t)g;
		size_t whole = have - have % 8;
		if (stg_wire_open(k, buf + done, whole - done, xml))
			return 0;
		done = whole;
	}
	return 0;
}

static void log_request(struct stgpeer *p, const char *xml)
{
	if (!p->log)
		return;
	fprintf(p->log, "%s\n", xml);
	fflush(p->log);
}

static void hold(struct stgpeer *p, int fd)
{
	if (p->nheld == MAX_HELD) {
		close(p->held[0]);
		memmove(p->held, p->held + 1, (MAX_HELD - 1) * sizeof p->held[0]);
		p->nheld--;
	}
	p->held[p->nheld++] = fd;
}

static void session(struct stgpeer *p, int fd)
{
	struct pconn c = { .fd = fd, .deadline = mono_ms() + p->io_timeout_ms };
	struct stg_key *k = stg_key_new(p->password);
	struct sbuf xml = SBUF_INIT, ans = SBUF_INIT;
	int keep = 0;
	if (handshake(p, &c, k) == 0 && read_request(&c, k, &xml) == 0) {
		log_request(p, sbuf_str(&xml));
		if (p->mode == STGPEER_SILENT) {
			keep = 1;
		} else if (p->mode != STGPEER_CLOSE && answer(p, sbuf_str(&xml), &ans) == 0) {
			struct sbuf wire = SBUF_INIT;
			stg_wire_seal(k, sbuf_str(&ans), &wire);
			pwrite_all(&c, wire.s, wire.len);
			sbuf_free(&wire);
		}
	}
	if (keep)
		hold(p, fd);
	else
		close(fd);
	stg_key_free(k);
	sbuf_free(&xml);
	sbuf_free(&ans);
}

int stgpeer_serve_once(struct stgpeer *p, int wait_ms)
{
	struct pollfd pf = { .fd = p->lfd, .events = POLLIN };
	int r = poll(&pf, 1, wait_ms);
	if (r <= 0)
		return r < 0 && errno != EINTR ? -1 : 0;
	int fd = accept(p->lfd, NULL, NULL);
	if (fd < 0)
		return errno == EINTR || errno == EAGAIN || errno == ECONNABORTED ? 0 : -1;
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	session(p, fd);
	return 1;
}
