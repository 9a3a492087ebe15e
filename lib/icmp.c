#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "util.h"

#define ICMP_MAGIC 0x75624170u /* "ubAp" */

struct probe_payload {
	uint32_t magic;
	uint32_t nonce;
	uint32_t idx;
	uint32_t pad;
	uint64_t sent_ns;
};

struct slot {
	int family;          /* 0 = bad address */
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	long long next_ms;   /* next probe, or the give-up time after the last */
	bool done;
};

struct icmp_sock {
	int fd;
	bool raw;
};

void icmp_opts_default(struct icmp_opts *o)
{
	o->timeout_ms = 1000;
	o->attempts = 3;
	o->retry_ms = 30;
	o->max_inflight = 256;
}

void icmp_opts_from_config(struct icmp_opts *o, const struct config *cfg)
{
	icmp_opts_default(o);
	o->timeout_ms = (int)cfg_ubapi_long(cfg, "icmp_timeout_ms", o->timeout_ms);
	o->attempts = (int)cfg_ubapi_long(cfg, "icmp_attempts", o->attempts);
	o->retry_ms = (int)cfg_ubapi_long(cfg, "icmp_retry_ms", o->retry_ms);
	o->max_inflight = (int)cfg_ubapi_long(cfg, "icmp_inflight", o->max_inflight);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}


static uint16_t inet_cksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static struct icmp_sock open_sock(int family)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct icmp_sock s = { socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto), true };
	if (s.fd < 0) {
		s.fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		s.raw = false;
	}
	if (s.fd >= 0) {
		/* a sweep answers in bursts; on loopback a raw socket also sees our requests */
		int sz = 4 << 20;
		setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
		if (family == AF_INET6 && s.raw) {
			struct icmp6_filter f;
			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			setsockopt(s.fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
		}
	}
	return s;
}

/* 0 sent (or failed for good: counts as an unanswered probe), -1 try later */
static int send_probe(const struct icmp_sock *s, const struct slot *sl, uint32_t idx, uint32_t nonce,
		      uint16_t id)
{
	unsigned char pkt[8 + sizeof(struct probe_payload)];
	memset(pkt, 0, sizeof pkt);
	pkt[0] = sl->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[4] = (unsigned char)(id >> 8);
	pkt[5] = (unsigned char)id;
	pkt[6] = (unsigned char)(idx >> 8);
	pkt[7] = (unsigned char)idx;
	struct probe_payload pl = { ICMP_MAGIC, nonce, idx, 0, now_ns() };
	memcpy(pkt + 8, &pl, sizeof pl);
	if (sl->family == AF_INET) {
		uint16_t ck = inet_cksum(pkt, sizeof pkt);
		memcpy(pkt + 2, &ck, 2);
	}
	socklen_t len = sl->family == AF_INET ? sizeof sl->sa.v4 : sizeof sl->sa.v6;
	ssize_t w = sendto(s->fd, pkt, sizeof pkt, 0, (const struct sockaddr *)&sl->sa, len);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == EINTR))
		return -1;
	return 0;
}

static bool same_addr(const struct slot *sl, const struct sockaddr_storage *from)
{
	if (sl->family == AF_INET && from->ss_family == AF_INET)
		return ((const struct sockaddr_in *)from)->sin_addr.s_addr == sl->sa.v4.sin_addr.s_addr;
	if (sl->family == AF_INET6 && from->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr, &sl->sa.v6.sin6_addr, 16) == 0;
	return false;
}

static void drain(const struct icmp_sock *s, int family, struct icmp_target *t, struct slot *sl,
		  size_t n, uint32_t nonce, size_t *answered)
{
	unsigned char buf[1500];
	for (int guard = 0; guard < 100000; guard++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof from;
		ssize_t got = recvfrom(s->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
		if (got < 0)
			return;
		size_t off = 0;
		if (family == AF_INET && s->raw) {
			if (got < 20)
				continue;
			off = (size_t)(buf[0] & 0x0f) * 4;
		}
		if ((size_t)got < off + 8 + sizeof(struct probe_payload))
			continue;
		unsigned char type = buf[off];
		if (type != (family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY))
			continue;
		struct probe_payload pl;
		memcpy(&pl, buf + off + 8, sizeof pl);
		if (pl.magic != ICMP_MAGIC || pl.nonce != nonce || pl.idx >= n)
			continue;
		struct slot *x = &sl[pl.idx];
		if (x->done || t[pl.idx].alive || !same_addr(x, &from))
			continue;
		t[pl.idx].alive = true;
		t[pl.idx].rtt_us = (int)((now_ns() - pl.sent_ns) / 1000u);
		x->done = true;
		(*answered)++;
	}
}

int icmp_ping_many(struct icmp_target *t, size_t n, const struct icmp_opts *opts)
{
	struct icmp_opts o;
	icmp_opts_default(&o);
	if (opts)
		o = *opts;
	if (o.attempts < 1)
		o.attempts = 1;
	if (o.max_inflight < 1)
		o.max_inflight = 1;
	if (o.timeout_ms < 1)
		o.timeout_ms = 1;
	if (o.retry_ms < 0)
		o.retry_ms = 0;
	struct slot *sl = xcalloc(n ? n : 1, sizeof *sl);
	bool want4 = false, want6 = false;
	for (size_t i = 0; i < n; i++) {
		t[i].alive = false;
		t[i].rtt_us = -1;
		t[i].sent = 0;
		if (!t[i].addr)
			continue;
		if (inet_pton(AF_INET, t[i].addr, &sl[i].sa.v4.sin_addr) == 1) {
			sl[i].family = AF_INET;
			sl[i].sa.v4.sin_family = AF_INET;
			want4 = true;
		} else if (inet_pton(AF_INET6, t[i].addr, &sl[i].sa.v6.sin6_addr) == 1) {
			sl[i].family = AF_INET6;
			sl[i].sa.v6.sin6_family = AF_INET6;
			want6 = true;
		}
	}
	struct icmp_sock s4 = { -1, false }, s6 = { -1, false };
	if (want4)
		s4 = open_sock(AF_INET);
	if (want6)
		s6 = open_sock(AF_INET6);
	if ((want4 && s4.fd < 0) && (!want6 || s6.fd < 0)) {
		free(sl);
		if (s6.fd >= 0)
			close(s6.fd);
		return -1;
	}
	uint32_t nonce = (uint32_t)now_ns() ^ (uint32_t)getpid() << 16;
	uint16_t id = (uint16_t)(getpid() ^ (nonce >> 16));
	size_t *active = xcalloc(n ? n : 1, sizeof *active);
	size_t nactive = 0, next = 0, answered = 0;
	for (;;) {
		long long now = clock_mono_ms();
		/* answered hosts free their slots before new ones are admitted */
		size_t live = 0;
		for (size_t k = 0; k < nactive; k++)
			if (!sl[active[k]].done)
				active[live++] = active[k];
		nactive = live;
		while (nactive < (size_t)o.max_inflight && next < n) {
			size_t i = next++;
			struct icmp_sock *s = sl[i].family == AF_INET ? &s4 : &s6;
			if (!sl[i].family || s->fd < 0) {
				sl[i].done = true;
				continue;
			}
			sl[i].next_ms = now;
			active[nactive++] = i;
		}
		long long wake = -1;
		size_t keep = 0;
		for (size_t k = 0; k < nactive; k++) {
			size_t i = active[k];
			struct slot *x = &sl[i];
			if (!x->done && now >= x->next_ms) {
				if (t[i].sent >= o.attempts) {
					x->done = true;
				} else {
					const struct icmp_sock *s = x->family == AF_INET ? &s4 : &s6;
					if (send_probe(s, x, (uint32_t)i, nonce, id) == 0) {
						t[i].sent++;
						x->next_ms = now + (t[i].sent >= o.attempts ? o.timeout_ms : o.retry_ms);
					} else {
						x->next_ms = now + 1;
					}
				}
			}
			if (x->done)
				continue;
			active[keep++] = i;
			if (wake < 0 || x->next_ms < wake)
				wake = x->next_ms;
		}
		nactive = keep;
		if (nactive == 0 && next >= n)
			break;
		int wait_ms = wake < 0 ? 0 : (int)(wake - clock_mono_ms());
		if (wait_ms < 0)
			wait_ms = 0;
		struct pollfd p[2] = { { s4.fd, POLLIN, 0 }, { s6.fd, POLLIN, 0 } };
		if (poll(p, 2, wait_ms) > 0) {
			if (s4.fd >= 0 && (p[0].revents & POLLIN))
				drain(&s4, AF_INET, t, sl, n, nonce, &answered);
			if (s6.fd >= 0 && (p[1].revents & POLLIN))
				drain(&s6, AF_INET6, t, sl, n, nonce, &answered);
		}
	}
	if (s4.fd >= 0)
		close(s4.fd);
	if (s6.fd >= 0)
		close(s6.fd);
	free(active);
	free(sl);
	return 0;
}
