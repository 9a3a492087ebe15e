/* Stargazer SG04 client. Section numbers (§) refer to spec/stargazer-protocol.md. */
#include "stargazer.h"

/* BF_* is deprecated in OpenSSL 3 but is the documented way to get raw
 * Blowfish blocks; EVP's bf-ecb lives in the legacy provider, often absent. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/blowfish.h>
#include <openssl/crypto.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "util.h"

#define STG_DEFAULT_PORT 5555
#define STG_DEFAULT_TIMEOUT_MS 5000
/* GetUsers is ~1.2 KB per user; this bounds memory, not real answers. */
#define STG_MAX_ANSWER (64u * 1024 * 1024)

/* ------------------------------------------------------------------ errors */

const char *stg_strerror(int err)
{
	switch (err) {
	case STG_OK: return "ok";
	case STG_E_INVALID: return "invalid argument";
	case STG_E_TOOLONG: return "request too long";
	case STG_E_CONNECT: return "cannot connect";
	case STG_E_TIMEOUT: return "timed out";
	case STG_E_CLOSED: return "connection closed without an answer";
	case STG_E_HEADER: return "protocol header refused (ERHD)";
	case STG_E_ADMIN: return "unknown admin login (ERLG)";
	case STG_E_PASSWORD: return "wrong admin password (ERLS)";
	case STG_E_PROTO: return "protocol error";
	case STG_E_REFUSED: return "request refused";
	case STG_E_ANSWER: return "unexpected answer";
	default: return "unknown error";
	}
}

/* ------------------------------------------------------------------ cipher */

struct stg_key {
	BF_KEY bf;
};

struct stg_key *stg_key_new(const char *password)
{
	/* §2.2: the schedule runs on all 32 padded bytes, never strlen bytes. */
	unsigned char raw[STG_FIELD_LEN] = { 0 };
	memcpy(raw, password, strnlen(password, sizeof raw));
	struct stg_key *k = xmalloc(sizeof *k);
	BF_set_key(&k->bf, (int)sizeof raw, raw);
	OPENSSL_cleanse(raw, sizeof raw);
	return k;
}

void stg_key_free(struct stg_key *k)
{
	if (!k)
		return;
	OPENSSL_cleanse(k, sizeof *k);
	free(k);
}

static BF_LONG load_le(const unsigned char *b)
{
	return (BF_LONG)b[0] | (BF_LONG)b[1] << 8 | (BF_LONG)b[2] << 16 | (BF_LONG)b[3] << 24;
}

static void store_le(BF_LONG v, unsigned char *b)
{
	b[0] = (unsigned char)(v & 0xff);
	b[1] = (unsigned char)(v >> 8 & 0xff);
	b[2] = (unsigned char)(v >> 16 & 0xff);
	b[3] = (unsigned char)(v >> 24 & 0xff);
}

/* §2.3: Stargazer reads each 32-bit half little-endian, so the halves are
 * built by hand and fed to BF_encrypt rather than to BF_ecb_encrypt. */
static void crypt_blocks(const struct stg_key *k, const unsigned char *in, unsigned char *out,
                         size_t len, int enc)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		BF_LONG d[2] = { load_le(in + i), load_le(in + i + 4) };
		if (enc)
			BF_encrypt(d, &k->bf);
		else
			BF_decrypt(d, &k->bf);
		store_le(d[0], out + i);
		store_le(d[1], out + i + 4);
	}
}

void stg_encrypt(const struct stg_key *k, const unsigned char *in, unsigned char *out, size_t len)
{
	crypt_blocks(k, in, out, len, 1);
}

void stg_decrypt(const struct stg_key *k, const unsigned char *in, unsigned char *out, size_t len)
{
	crypt_blocks(k, in, out, len, 0);
}

/* ------------------------------------------------------------- wire forms */

void stg_wire_login(const char *login, unsigned char out[STG_FIELD_LEN])
{
	memset(out, 0, STG_FIELD_LEN);
	memcpy(out, login, strnlen(login, STG_FIELD_LEN));
}

void stg_wire_cryptologin(const struct stg_key *k, const char *login,
                          unsigned char out[STG_FIELD_LEN])
{
	size_t n = strnlen(login, STG_FIELD_LEN - 1) + 1;
	size_t padded = (n + 7) / 8 * 8;
	stg_wire_login(login, out);
	/* Only the blocks holding login+NUL are encrypted; the rest stays raw
	 * zeros, as the reference clients send it (§3). */
	stg_encrypt(k, out, out, padded);
}

void stg_wire_seal(const struct stg_key *k, const char *text, struct sbuf *out)
{
	size_t n = strlen(text) + 1;
	size_t padded = (n + 7) / 8 * 8;
	unsigned char *buf = xcalloc(1, padded);
	memcpy(buf, text, n);
	stg_encrypt(k, buf, buf, padded);
	sbuf_add(out, buf, padded);
	free(buf);
}

int stg_wire_open(const struct stg_key *k, const unsigned char *in, size_t len, struct sbuf *text)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		unsigned char blk[8];
		stg_decrypt(k, in + i, blk, 8);
		const unsigned char *nul = memchr(blk, 0, sizeof blk);
		if (nul) {
			sbuf_add(text, blk, (size_t)(nul - blk));
			return 1;
		}
		sbuf_add(text, blk, sizeof blk);
	}
	return 0;
}

/* ------------------------------------------------------- I/O with deadline */

struct conn {
	int fd;
	long long deadline; /* CLOCK_MONOTONIC, ms */
};

static int wait_fd(const struct conn *cn, short events)
{
	for (;;) {
		long long left = cn->deadline - clock_mono_ms();
		if (left <= 0)
			return STG_E_TIMEOUT;
		struct pollfd p = { .fd = cn->fd, .events = events };
		int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 0; /* errors and hangups surface in the next send/recv */
		if (r == 0)
			return STG_E_TIMEOUT;
		if (errno != EINTR)
			return STG_E_CLOSED;
	}
}

static int transient(int e)
{
	return e == EINTR || e == EAGAIN || e == EWOULDBLOCK;
}

static int send_all(const struct conn *cn, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	while (n) {
		int r = wait_fd(cn, POLLOUT);
		if (r)
			return r;
		/* MSG_NOSIGNAL: a server that hung up must not kill a CGI worker. */
		ssize_t w = send(cn->fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (transient(errno))
				continue;
			return STG_E_CLOSED;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_some(const struct conn *cn, void *buf, size_t n, size_t *got)
{
	for (;;) {
		int r = wait_fd(cn, POLLIN);
		if (r)
			return r;
		ssize_t g = recv(cn->fd, buf, n, 0);
		if (g > 0) {
			*got = (size_t)g;
			return 0;
		}
		if (g == 0 || !transient(errno))
			return STG_E_CLOSED;
	}
}

static int recv_exact(const struct conn *cn, void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		size_t got;
		int r = recv_some(cn, p, n, &got);
		if (r)
			return r;
		p += got;
		n -= got;
	}
	return 0;
}

static int connect_one(struct conn *cn, const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                ai->ai_protocol);
	if (fd < 0)
		return -1;
	cn->fd = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno == EINPROGRESS || errno == EINTR) {
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (wait_fd(cn, POLLOUT) == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			return 0;
	}
	close(fd);
	cn->fd = -1;
	return -1;
}

static int tcp_connect(const struct stg_conf *c, struct conn *cn)
{
	char port[16];
	snprintf(port, sizeof port, "%d", c->port > 0 ? c->port : STG_DEFAULT_PORT);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	if (getaddrinfo(c->host ? c->host : "localhost", port, &hints, &res) != 0)
		return STG_E_CONNECT;
	/* "localhost" may give ::1 first while the server listens on IPv4 only. */
	int r = STG_E_CONNECT;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if (connect_one(cn, ai) == 0) {
			r = 0;
			break;
		}
	freeaddrinfo(res);
	return r;
}

/* ----------------------------------------------------------- the exchange */

static int expect_status(const struct conn *cn, const char *ok, const char *bad, int bad_code)
{
	char st[4];
	int r = recv_exact(cn, st, sizeof st);
	if (r)
		return r;
	if (memcmp(st, ok, 4) == 0)
		return 0;
	if (memcmp(st, bad, 4) == 0)
		return bad_code;
	return STG_E_PROTO;
}

static int handshake(const struct conn *cn, const struct stg_key *k, const char *login)
{
	unsigned char field[STG_FIELD_LEN];
	int r = send_all(cn, "SG04", 4);
	if (!r)
		r = expect_status(cn, "OKHD", "ERHD", STG_E_HEADER);
	if (r)
		return r;
	stg_wire_login(login, field);
	r = send_all(cn, field, sizeof field);
	if (!r)
		r = expect_status(cn, "OKLG", "ERLG", STG_E_ADMIN);
	if (r)
		return r;
	stg_wire_cryptologin(k, login, field);
	r = send_all(cn, field, sizeof field);
	if (!r)
		r = expect_status(cn, "OKLS", "ERLS", STG_E_PASSWORD);
	return r;
}

static int recv_answer(const struct conn *cn, const struct stg_key *k, struct sbuf *answer)
{
	unsigned char buf[4096];
	size_t have = 0;
	for (;;) {
		size_t got;
		int r = recv_some(cn, buf + have, sizeof buf - have, &got);
		if (r)
			return r; /* EOF before the NUL: no answer (§4.2) */
		have += got;
		size_t whole = have - have % 8;
		if (stg_wire_open(k, buf, whole, answer))
			return 0;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
		if (answer->len > STG_MAX_ANSWER)
			return STG_E_PROTO;
	}
}

static int exchange(const struct conn *cn, const struct stg_key *k, const char *login,
                    const char *xml, struct sbuf *answer)
{
	int r = handshake(cn, k, login);
	if (r)
		return r;
	struct sbuf req = SBUF_INIT;
	stg_wire_seal(k, xml, &req);
	r = send_all(cn, req.s, req.len);
	sbuf_free(&req);
	return r ? r : recv_answer(cn, k, answer);
}

int stg_request(const struct stg_conf *c, const char *xml, struct sbuf *answer)
{
	sbuf_reset(answer);
	if (!c || !xml || !c->login || !c->password)
		return STG_E_INVALID;
	size_t ll = strlen(c->login);
	/* At 32 bytes the server's copy of the login has no NUL (§3). */
	if (ll == 0 || ll >= STG_FIELD_LEN)
		return STG_E_INVALID;
	if (strlen(xml) > STG_MAX_XML)
		return STG_E_TOOLONG;
	int timeout = c->timeout_ms > 0 ? c->timeout_ms : STG_DEFAULT_TIMEOUT_MS;
	struct conn cn = { .fd = -1, .deadline = clock_mono_ms() + timeout };
	int r = tcp_connect(c, &cn);
	if (!r) {
		struct stg_key *k = stg_key_new(c->password);
		r = exchange(&cn, k, c->login, xml, answer);
		stg_key_free(k);
	}
	if (cn.fd >= 0)
		close(cn.fd);
	if (r)
		sbuf_reset(answer);
	return r;
}

/* -------------------------------------------------------------------- XML */

void stg_xml_escape(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sbuf_puts(out, "&amp;"); break;
		case '<': sbuf_puts(out, "&lt;"); break;
		case '>': sbuf_puts(out, "&gt;"); break;
		case '"': sbuf_puts(out, "&quot;"); break;
		default: sbuf_putc(out, *s);
		}
	}
}

static void put_utf8(struct sbuf *out, unsigned long cp)
{
	if (cp < 0x80) {
		sbuf_putc(out, (char)cp);
	} else if (cp < 0x800) {
		sbuf_putc(out, (char)(0xC0 | cp >> 6));
		sbuf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sbuf_putc(out, (char)(0xE0 | cp >> 12));
		sbuf_putc(out, (char)(0x80 | (cp >> 6 & 0x3F)));
		sbuf_putc(out, (char)(0x80 | (cp & 0x3F)));
	} else {
		sbuf_putc(out, (char)(0xF0 | cp >> 18));
		sbuf_putc(out, (char)(0x80 | (cp >> 12 & 0x3F)));
		sbuf_putc(out, (char)(0x80 | (cp >> 6 & 0x3F)));
		sbuf_putc(out, (char)(0x80 | (cp & 0x3F)));
	}
}

/* Decodes one entity at s (which starts with '&'); returns its length, or 0
 * when it is not one, since Stargazer's answers carry raw '&' (§4.2). */
static size_t decode_entity(const char *s, size_t n, struct sbuf *out)
{
	static const struct { const char *name; char c; } named[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
	};
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
		size_t l = strlen(named[i].name);
		if (l <= n && strncmp(s, named[i].name, l) == 0) {
			sbuf_putc(out, named[i].c);
			return l;
		}
	}
	if (n < 4 || s[1] != '#')
		return 0;
	int hex = s[2] == 'x' || s[2] == 'X';
	const char *digits = s + (hex ? 3 : 2);
	size_t nd = strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789");
	size_t used = (size_t)(digits - s) + nd + 1;
	if (nd == 0 || nd > 7 || used > n || digits[nd] != ';')
		return 0;
	unsigned long cp = strtoul(digits, NULL, hex ? 16 : 10);
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	put_utf8(out, cp);
	return used;
}

static char *xml_unescape(const char *s, size_t n)
{
	struct sbuf out = SBUF_INIT;
	sbuf_add(&out, "", 0);
	for (size_t i = 0; i < n;) {
		size_t used = s[i] == '&' ? decode_entity(s + i, n - i, &out) : 0;
		if (used) {
			i += used;
		} else {
			sbuf_putc(&out, s[i]);
			i++;
		}
	}
	return sbuf_detach(&out);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static char *scan_name(const char **pp)
{
	const char *p = *pp, *start = p;
	while (*p && !strchr(" \t\r\n/>=<\"'", *p))
		p++;
	if (p == start)
		return NULL;
	*pp = p;
	return xstrndup(start, (size_t)(p - start));
}

/* Moves p to the next real tag's '<', past comments and declarations. */
static int seek_tag(const char **pp)
{
	const char *p = *pp;
	for (;;) {
		p = strchr(p, '<');
		if (!p)
			return 0;
		const char *end = NULL;
		if (strncmp(p, "<!--", 4) == 0)
			end = strstr(p + 4, "-->");
		else if (p[1] == '?')
			end = strstr(p + 2, "?>");
		else
			break;
		if (!end)
			return -1;
		p = end + (p[1] == '?' ? 2 : 3);
	}
	*pp = p;
	return 1;
}

static int scan_attr(const char **pp, struct stg_xml_tag *t)
{
	const char *p = *pp;
	char *name = scan_name(&p);
	if (!name)
		return -1;
	p = skip_ws(p); /* Stargazer writes Result = "Ok" for ChgAdmin */
	const char *end = NULL;
	if (*p == '=') {
		p = skip_ws(p + 1);
		if (*p == '"' || *p == '\'')
			end = strchr(p + 1, *p);
	}
	if (!end) {
		free(name);
		return -1;
	}
	t->attr = xrealloc(t->attr, (t->nattr + 1) * sizeof *t->attr);
	t->attr[t->nattr].name = name;
	t->attr[t->nattr].value = xml_unescape(p + 1, (size_t)(end - p - 1));
	t->nattr++;
	*pp = end + 1;
	return 0;
}

int stg_xml_next(const char **pos, struct stg_xml_tag *t)
{
	memset(t, 0, sizeof *t);
	const char *p = *pos;
	int r = seek_tag(&p);
	if (r <= 0) {
		if (r == 0)
			*pos += strlen(*pos);
		return r;
	}
	p++;
	t->kind = STG_XML_OPEN;
	if (*p == '/') {
		t->kind = STG_XML_CLOSE;
		p++;
	}
	t->name = scan_name(&p);
	if (!t->name)
		goto bad;
	for (;;) {
		const char *q = skip_ws(p);
		if (*q == '>') {
			p = q + 1;
			break;
		}
		if (t->kind != STG_XML_CLOSE && q[0] == '/' && q[1] == '>') {
			t->kind = STG_XML_EMPTY;
			p = q + 2;
			break;
		}
		/* An attribute must be set off from the name or previous value. */
		if (q == p || t->kind == STG_XML_CLOSE || scan_attr(&q, t) < 0)
			goto bad;
		p = q;
	}
	*pos = p;
	return 1;
bad:
	stg_xml_tag_free(t);
	return -1;
}

void stg_xml_tag_free(struct stg_xml_tag *t)
{
	for (size_t i = 0; i < t->nattr; i++) {
		free(t->attr[i].name);
		free(t->attr[i].value);
	}
	free(t->attr);
	free(t->name);
	memset(t, 0, sizeof *t);
}

const char *stg_xml_attr(const struct stg_xml_tag *t, const char *name)
{
	for (size_t i = 0; i < t->nattr; i++)
		if (strcasecmp(t->attr[i].name, name) == 0)
			return t->attr[i].value;
	return NULL;
}

#define XML_MAX_DEPTH 16

/* Applies one tag to the open-element stack; -1 if it breaks nesting. */
static int xml_nest(char **stack, int *depth, int *roots, struct stg_xml_tag *t)
{
	if (t->kind == STG_XML_CLOSE) {
		if (*depth == 0 || strcmp(stack[*depth - 1], t->name) != 0)
			return -1;
		free(stack[--*depth]);
		return 0;
	}
	if (*depth == 0 && ++*roots > 1)
		return -1;
	if (t->kind == STG_XML_OPEN) {
		if (*depth == XML_MAX_DEPTH)
			return -1;
		stack[(*depth)++] = t->name;
		t->name = NULL; /* the stack owns it now */
	}
	return 0;
}

int stg_xml_check(const char *xml)
{
	const char *p = skip_ws(xml);
	size_t n = strlen(p);
	while (n && strchr(" \t\r\n", p[n - 1]))
		n--;
	if (n < 2 || p[0] != '<' || p[n - 1] != '>')
		return -1;
	char *stack[XML_MAX_DEPTH];
	int depth = 0, roots = 0, r;
	struct stg_xml_tag t;
	while ((r = stg_xml_next(&p, &t)) == 1) {
		r = xml_nest(stack, &depth, &roots, &t);
		stg_xml_tag_free(&t);
		if (r < 0)
			break;
	}
	int bad = r < 0 || depth != 0 || roots != 1;
	while (depth)
		free(stack[--depth]);
	return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- helpers */

bool stg_login_ok(const char *login)
{
	size_t n = login ? strlen(login) : 0;
	if (n == 0 || n > 64)
		return false;
	for (; *login; login++)
		if (!isalnum((unsigned char)*login) && !strchr("_.@-", *login))
			return false;
	return true;
}

bool stg_amount_ok(const char *a)
{
	if (!a || strlen(a) > 40)
		return false;
	if (*a == '-')
		a++;
	size_t ip = strspn(a, "0123456789");
	if (ip == 0)
		return false;
	a += ip;
	if (*a == '.') {
		size_t fp = strspn(a + 1, "0123456789");
		if (fp == 0)
			return false;
		a += 1 + fp;
	}
	return *a == '\0';
}

/* Tariff names are free text, but control bytes have no business in one. */
static bool tariff_ok(const char *t)
{
	if (!t || !*t || strlen(t) > 255)
		return false;
	for (; *t; t++)
		if ((unsigned char)*t < 0x20 || *t == 0x7f)
			return false;
	return true;
}

void stg_field(struct sbuf *out, const char *elem, const char *attr, const char *value)
{
	sbuf_printf(out, "<%s %s=\"", elem, attr);
	stg_xml_escape(out, value);
	sbuf_puts(out, "\" />");
}

/* One log-safe line: what was asked, what went wrong, what came back. */
static int fail(struct sbuf *err, int code, const struct stg_conf *c, const char *cmd,
                const char *login, const char *answer, const char *reason)
{
	if (!err)
		return code;
	sbuf_reset(err);
	sbuf_puts(err, "stargazer");
	if (c)
		sbuf_printf(err, " %s:%d", c->host ? c->host : "localhost",
		            c->port > 0 ? c->port : STG_DEFAULT_PORT);
	sbuf_printf(err, " %s", cmd);
	if (login && stg_login_ok(login))
		sbuf_printf(err, " %s", login);
	sbuf_printf(err, ": %s", stg_strerror(code));
	if (reason)
		sbuf_printf(err, ": %.200s", reason);
	if (answer && *answer) {
		sbuf_puts(err, ": ");
		for (size_t i = 0; answer[i] && i < 200; i++)
			sbuf_putc(err, (unsigned char)answer[i] < 0x20 ? '?' : answer[i]);
	}
	return code;
}

/* The answer's root tag; STG_E_ANSWER unless it is well formed and named
 * root (case-insensitively, as the server's names vary, §6). */
static int answer_root(const char *answer, const char *root, struct stg_xml_tag *t)
{
	const char *p = answer;
	if (stg_xml_check(answer) != 0 || stg_xml_next(&p, t) != 1)
		return STG_E_ANSWER;
	if (strcasecmp(t->name, root) != 0) {
		stg_xml_tag_free(t);
		return STG_E_ANSWER;
	}
	return 0;
}

static int result_ok(const struct stg_xml_tag *t)
{
	const char *res = stg_xml_attr(t, "result");
	if (!res)
		return STG_E_ANSWER;
	return strcasecmp(res, "ok") == 0 ? 0 : STG_E_REFUSED;
}

int stg_set_user(const struct stg_conf *c, const char *login, const char *field_xml,
                 struct sbuf *err)
{
	if (err)
		sbuf_reset(err);
	if (!stg_login_ok(login) || !field_xml || !*field_xml)
		return fail(err, STG_E_INVALID, c, "SetUser", login, NULL, NULL);
	struct sbuf xml = SBUF_INIT, ans = SBUF_INIT;
	sbuf_puts(&xml, "<SetUser>");
	stg_field(&xml, "login", "value", login);
	sbuf_puts(&xml, field_xml);
	sbuf_puts(&xml, "</SetUser>");
	int r = stg_request(c, sbuf_str(&xml), &ans);
	if (!r) {
		struct stg_xml_tag t;
		r = answer_root(sbuf_str(&ans), "SetUser", &t);
		if (!r) {
			r = result_ok(&t);
			stg_xml_tag_free(&t);
		}
	}
	if (r)
		fail(err, r, c, "SetUser", login, sbuf_str(&ans), NULL);
	sbuf_free(&xml);
	sbuf_free(&ans);
	return r;
}

static int set_one(const struct stg_conf *c, const char *login, const char *elem,
                   const char *attr, const char *value, struct sbuf *err)
{
	struct sbuf f = SBUF_INIT;
	stg_field(&f, elem, attr, value);
	int r = stg_set_user(c, login, sbuf_str(&f), err);
	sbuf_free(&f);
	return r;
}

static int set_amount(const struct stg_conf *c, const char *login, const char *elem,
                      const char *attr, const char *amount, struct sbuf *err)
{
	/* §9.6: "" would be taken as 0 and wipe the balance. */
	if (!stg_amount_ok(amount))
		return fail(err, STG_E_INVALID, c, "SetUser", login, NULL, "bad amount");
	return set_one(c, login, elem, attr, amount, err);
}

static int set_flag(const struct stg_conf *c, const char *login, const char *elem, int on,
                    struct sbuf *err)
{
	if (on != 0 && on != 1)
		return fail(err, STG_E_INVALID, c, "SetUser", login, NULL, "flag is not 0 or 1");
	return set_one(c, login, elem, "value", on ? "1" : "0", err);
}

int stg_add_cash(const struct stg_conf *c, const char *login, const char *amount, struct sbuf *err)
{
	return set_amount(c, login, "cash", "add", amount, err);
}

int stg_set_cash(const struct stg_conf *c, const char *login, const char *amount, struct sbuf *err)
{
	return set_amount(c, login, "cash", "set", amount, err);
}

int stg_set_credit(const struct stg_conf *c, const char *login, const char *amount,
                   struct sbuf *err)
{
	return set_amount(c, login, "credit", "value", amount, err);
}

int stg_set_credit_expire(const struct stg_conf *c, const char *login, long long epoch,
                          struct sbuf *err)
{
	if (epoch < 0)
		return fail(err, STG_E_INVALID, c, "SetUser", login, NULL, "negative time");
	char v[32];
	snprintf(v, sizeof v, "%lld", epoch);
	return set_one(c, login, "CreditExpire", "value", v, err);
}

int stg_set_passive(const struct stg_conf *c, const char *login, int on, struct sbuf *err)
{
	return set_flag(c, login, "passive", on, err);
}

int stg_set_down(const struct stg_conf *c, const char *login, int on, struct sbuf *err)
{
	return set_flag(c, login, "down", on, err);
}

int stg_set_aonline(const struct stg_conf *c, const char *login, int on, struct sbuf *err)
{
	return set_flag(c, login, "aonline", on, err);
}

int stg_set_tariff(const struct stg_conf *c, const char *login, const char *tariff,
                   struct sbuf *err)
{
	if (!tariff_ok(tariff))
		return fail(err, STG_E_INVALID, c, "SetUser", login, NULL, "bad tariff name");
	return set_one(c, login, "tariff", "now", tariff, err);
}

/* ---------------------------------------------------------------- GetUser */

void stg_user_free(struct stg_user *u)
{
	free(u->cash);
	free(u->credit);
	free(u->passive);
	free(u->down);
	free(u->aonline);
	free(u->tariff);
	free(u->creditexpire);
	memset(u, 0, sizeof *u);
}

/* Picks the fields out of <User result="ok">...</User>; checks the echoed
 * login, so an answer about someone else is never taken for ours. */
static int parse_user(const char *p, const char *login, struct stg_user *u)
{
	const char *names[] = { "Cash", "Credit", "Passive", "Down", "AOnline", "Tariff", "CreditExpire" };
	char **slots[] = { &u->cash, &u->credit, &u->passive, &u->down,
	                   &u->aonline, &u->tariff, &u->creditexpire };
	int login_seen = 0;
	struct stg_xml_tag t;
	while (stg_xml_next(&p, &t) == 1) {
		const char *v = stg_xml_attr(&t, "value");
		if (t.kind != STG_XML_CLOSE && v && strcasecmp(t.name, "Login") == 0)
			login_seen = strcmp(v, login) == 0 ? 1 : -1;
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (t.kind != STG_XML_CLOSE && v && !*slots[i] && strcasecmp(t.name, names[i]) == 0)
				*slots[i] = xstrdup(v);
		stg_xml_tag_free(&t);
	}
	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		if (!*slots[i])
			login_seen = 0;
	return login_seen == 1 ? 0 : STG_E_ANSWER;
}

int stg_get_user(const struct stg_conf *c, const char *login, struct stg_user *u,
                 struct sbuf *err)
{
	memset(u, 0, sizeof *u);
	if (err)
		sbuf_reset(err);
	if (!stg_login_ok(login))
		return fail(err, STG_E_INVALID, c, "GetUser", login, NULL, NULL);
	struct sbuf xml = SBUF_INIT, ans = SBUF_INIT;
	sbuf_puts(&xml, "<GetUser login=\"");
	stg_xml_escape(&xml, login);
	sbuf_puts(&xml, "\"/>");
	int r = stg_request(c, sbuf_str(&xml), &ans);
	const char *p = sbuf_str(&ans);
	struct stg_xml_tag root;
	if (!r)
		r = answer_root(p, "User", &root);
	if (!r) {
		r = result_ok(&root);
		if (r == STG_E_REFUSED)
			fail(err, r, c, "GetUser", login, NULL, stg_xml_attr(&root, "reason"));
		stg_xml_tag_free(&root);
		if (!r && stg_xml_next(&p, &root) == 1) {
			stg_xml_tag_free(&root); /* skip the root, then read its children */
			r = parse_user(p, login, u);
		}
	}
	if (r) {
		stg_user_free(u);
		if (r != STG_E_REFUSED)
			fail(err, r, c, "GetUser", login, sbuf_str(&ans), NULL);
	}
	sbuf_free(&xml);
	sbuf_free(&ans);
	return r;
}
