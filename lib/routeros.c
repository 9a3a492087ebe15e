/* RouterOS API client (see routeros.h). */
#include "routeros.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clock.h"
#include "util.h"

size_t ros_len_encode(size_t len, unsigned char out[5])
{
	if (len < 0x80) {
		out[0] = (unsigned char)len;
		return 1;
	}
	if (len < 0x4000) {
		len |= 0x8000;
		out[0] = (unsigned char)(len >> 8);
		out[1] = (unsigned char)len;
		return 2;
	}
	if (len < 0x200000) {
		len |= 0xC00000;
		out[0] = (unsigned char)(len >> 16);
		out[1] = (unsigned char)(len >> 8);
		out[2] = (unsigned char)len;
		return 3;
	}
	if (len < 0x10000000) {
		len |= 0xE0000000;
		out[0] = (unsigned char)(len >> 24);
		out[1] = (unsigned char)(len >> 16);
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		return 4;
	}
	out[0] = 0xF0;
	out[1] = (unsigned char)(len >> 24);
	out[2] = (unsigned char)(len >> 16);
	out[3] = (unsigned char)(len >> 8);
	out[4] = (unsigned char)len;
	return 5;
}

size_t ros_len_decode(const unsigned char *in, size_t avail, size_t *len)
{
	if (avail < 1)
		return 0;
	unsigned b = in[0];
	size_t need = (b & 0x80) == 0 ? 1 : (b & 0xC0) == 0x80 ? 2 : (b & 0xE0) == 0xC0 ? 3
		    : (b & 0xF0) == 0xE0 ? 4 : 5;
	if (avail < need)
		return 0;
	size_t v;
	switch (need) {
	case 1: v = b; break;
	case 2: v = ((size_t)(b & 0x3F) << 8) | in[1]; break;
	case 3: v = ((size_t)(b & 0x1F) << 16) | ((size_t)in[1] << 8) | in[2]; break;
	case 4: v = ((size_t)(b & 0x0F) << 24) | ((size_t)in[1] << 16) | ((size_t)in[2] << 8) | in[3]; break;
	default:
		v = ((size_t)in[1] << 24) | ((size_t)in[2] << 16) | ((size_t)in[3] << 8) | in[4];
		break;
	}
	*len = v;
	return need;
}

void ros_word_put(struct sbuf *out, const char *word, size_t len)
{
	unsigned char p[5];
	size_t n = ros_len_encode(len, p);
	sbuf_add(out, (const char *)p, n);
	if (len)
		sbuf_add(out, word, len);
}

/* --- sockets ------------------------------------------------------------ */

static int wait_fd(int fd, short ev, long long deadline)
{
	for (;;) {
		long long left = deadline - clock_mono_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = { .fd = fd, .events = ev };
		int rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc == 0 || errno != EINTR)
			return -1;
	}
}

int ros_connect(struct ros *c, const char *host, unsigned port, int timeout_ms)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	if (!host || !*host || port == 0 || port > 65535)
		return -1;
	char ps[8];
	snprintf(ps, sizeof ps, "%u", port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	if (getaddrinfo(host, ps, &hints, &ai) != 0 || !ai)
		return -1;
	long long deadline = clock_mono_ms() + timeout_ms;
	for (struct addrinfo *a = ai; a && c->fd < 0; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		int rc = connect(fd, a->ai_addr, a->ai_addrlen);
		if (rc != 0 && errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0) {
			int err = 0;
			socklen_t el = sizeof err;
			rc = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0 ? 0 : -1;
		}
		if (rc == 0)
			c->fd = fd;
		else
			close(fd);
	}
	freeaddrinfo(ai);
	return c->fd >= 0 ? 0 : -1;
}

void ros_close(struct ros *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->pos = c->len = 0;
}

static int write_all(struct ros *c, const char *p, size_t n)
{
	long long deadline = clock_mono_ms() + c->timeout_ms;
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(c->fd, POLLOUT, deadline) == 0)
			continue;
		return -1;
	}
	return 0;
}

/* Makes at least want bytes available in c->buf (want <= sizeof buf). */
static int fill(struct ros *c, size_t want, long long deadline)
{
	if (c->pos > 0 && c->len - c->pos < want) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	while (c->len - c->pos < want) {
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_fd(c->fd, POLLIN, deadline) == 0)
			continue;
		return -1;
	}
	return 0;
}

int ros_send(struct ros *c, const char *const *words, size_t n)
{
	if (c->fd < 0)
		return -1;
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		while (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r' || *w == '\v' || *w == '\f')
			w++;
		size_t len = strlen(w);
		while (len && strchr(" \t\n\r\v\f", w[len - 1]))
			len--;
		ros_word_put(&out, w, len);
	}
	sbuf_add(&out, "", 1);
	int rc = write_all(c, out.s, out.len);
	sbuf_free(&out);
	return rc;
}

void ros_sentence_free(struct ros_sentence *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->w[i]);
	free(s->w);
	s->w = NULL;
	s->n = 0;
}

int ros_read(struct ros *c, struct ros_sentence *s)
{
	s->w = NULL;
	s->n = 0;
	if (c->fd < 0)
		return -1;
	long long deadline = clock_mono_ms() + c->timeout_ms;
	size_t cap = 0;
	for (;;) {
		size_t len = 0, pl;
		if (fill(c, 1, deadline) != 0)
			goto fail;
		while ((pl = ros_len_decode(c->buf + c->pos, c->len - c->pos, &len)) == 0)
			if (fill(c, c->len - c->pos + 1, deadline) != 0)
				goto fail;
		c->pos += pl;
		if (len == 0)
			return 0;
		if (len > ROS_MAX_WORD || s->n >= ROS_MAX_WORDS)
			goto fail;
		char *w = xmalloc(len + 1);
		size_t got = 0;
		while (got < len) {
			if (c->pos == c->len && fill(c, 1, deadline) != 0) {
				free(w);
				goto fail;
			}
			size_t k = c->len - c->pos;
			if (k > len - got)
				k = len - got;
			memcpy(w + got, c->buf + c->pos, k);
			c->pos += k;
			got += k;
		}
		w[len] = 0;
		if (s->n == cap) {
			cap = cap ? cap * 2 : 8;
			s->w = xrealloc(s->w, cap * sizeof *s->w);
		}
		s->w[s->n++] = w;
	}
fail:
	ros_sentence_free(s);
	return -1;
}

void ros_reply_free(struct ros_reply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		ros_sentence_free(&r->s[i]);
	free(r->s);
	r->s = NULL;
	r->n = 0;
	r->trap = false;
}

int ros_command(struct ros *c, const char *const *words, size_t n, struct ros_reply *out)
{
	if (out) {
		out->s = NULL;
		out->n = 0;
		out->trap = false;
	}
	if (ros_send(c, words, n) != 0)
		return -1;
	size_t cap = 0;
	for (size_t k = 0; k < ROS_MAX_SENTENCES; k++) {
		struct ros_sentence s;
		if (ros_read(c, &s) != 0)
			return -1;
		const char *t = s.n ? s.w[0] : "";
		bool done = strcmp(t, "!done") == 0, fatal = strcmp(t, "!fatal") == 0;
		if (out && strcmp(t, "!trap") == 0)
			out->trap = true;
		if (out && s.n) {
			if (out->n == cap) {
				cap = cap ? cap * 2 : 4;
				out->s = xrealloc(out->s, cap * sizeof *out->s);
			}
			out->s[out->n++] = s;
		} else {
			ros_sentence_free(&s);
		}
		if (fatal) {
			/* the router closes the session after !fatal */
			ros_close(c);
			return -1;
		}
		if (done)
			return 0;
	}
	return -1;
}

const char *ros_attr(const struct ros_sentence *s, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 1; i < s->n; i++) {
		const char *w = s->w[i];
		if (w[0] == '=' && strncmp(w + 1, key, kl) == 0 && w[kl + 1] == '=')
			return w + kl + 2;
	}
	return NULL;
}

/* --- login ---------------------------------------------------------------- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "00" + md5hex(0x00 . password . unhex(challenge)) */
static int challenge_response(const char *password, const char *challenge, char out[35])
{
	size_t cl = strlen(challenge);
	if (cl == 0 || cl % 2 || cl > 256)
		return -1;
	unsigned char bin[128];
	for (size_t i = 0; i < cl / 2; i++) {
		int hi = hexval(challenge[2 * i]), lo = hexval(challenge[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		bin[i] = (unsigned char)(hi << 4 | lo);
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) && EVP_DigestUpdate(ctx, "", 1) &&
		 EVP_DigestUpdate(ctx, password, strlen(password)) && EVP_DigestUpdate(ctx, bin, cl / 2) &&
		 EVP_DigestFinal_ex(ctx, d, &dl);
	EVP_MD_CTX_free(ctx);
	if (!ok || dl != 16)
		return -1;
	out[0] = out[1] = '0';
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 + i * 2, 3, "%02x", d[i]);
	return 0;
}

static bool reply_done(const struct ros_reply *r)
{
	return !r->trap && r->n > 0 && strcmp(r->s[r->n - 1].w[0], "!done") == 0;
}

int ros_login(struct ros *c, const char *user, const char *password, bool new_mode)
{
	struct sbuf nw = SBUF_INIT, pw = SBUF_INIT;
	struct ros_reply rep;
	int rc = -1;
	sbuf_printf(&nw, "=name=%s", user);
	if (new_mode) {
		sbuf_printf(&pw, "=password=%s", password);
		const char *w[] = { "/login", sbuf_str(&nw), sbuf_str(&pw) };
		if (ros_command(c, w, 3, &rep) == 0 && reply_done(&rep))
			rc = 0;
		ros_reply_free(&rep);
	} else {
		const char *w0[] = { "/login" };
		if (ros_command(c, w0, 1, &rep) == 0 && reply_done(&rep)) {
			const char *ch = ros_attr(&rep.s[rep.n - 1], "ret");
			char resp[35];
			if (ch && challenge_response(password, ch, resp) == 0) {
				sbuf_printf(&pw, "=response=%s", resp);
				const char *w[] = { "/login", sbuf_str(&nw), sbuf_str(&pw) };
				struct ros_reply r2;
				if (ros_command(c, w, 3, &r2) == 0 && reply_done(&r2))
					rc = 0;
				ros_reply_free(&r2);
			}
		}
		ros_reply_free(&rep);
	}
	sbuf_free(&nw);
	sbuf_free(&pw);
	return rc;
}

int ros_open(struct ros *c, const char *host, unsigned port, const char *user,
	     const char *password, bool new_mode, int attempts, int timeout_ms)
{
	for (int i = 0; i < attempts; i++) {
		if (ros_connect(c, host, port, timeout_ms) == 0) {
			if (ros_login(c, user, password, new_mode) == 0)
				return 0;
			ros_close(c);
		}
	}
	return -1;
}
