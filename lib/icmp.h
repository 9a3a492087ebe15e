/* ICMP echo to many hosts at once from one process (DECISIONS 23).
 *
 * A raw socket needs CAP_NET_RAW (root, or `setcap cap_net_raw+ep` on the
 * ubapi binaries for the FastCGI user); without it an unprivileged ICMP
 * datagram socket is used, which works only where the process's group is in
 * net.ipv4.ping_group_range. Neither available -> icmp_ping_many() fails and
 * every host is left "dead". */
#ifndef UBAPI_ICMP_H
#define UBAPI_ICMP_H

#include <stdbool.h>
#include <stddef.h>

struct icmp_target {
	const char *addr;   /* IPv4 or IPv6 literal */
	bool alive;         /* out */
	int rtt_us;         /* out, first answer */
	int sent;           /* out, probes sent */
};

struct icmp_opts {
	int timeout_ms;     /* wait for an answer after the last probe */
	int attempts;       /* probes per host, stopping at the first answer */
	int retry_ms;       /* gap between a host's probes */
	int max_inflight;   /* hosts being probed at once */
};

/* Defaults: timeout 1000 ms, 3 attempts 30 ms apart, 256 in flight: a
 * silent host is known dead 1.06 s after its first probe. */
void icmp_opts_default(struct icmp_opts *o);

/* ubapi.ini icmp_timeout_ms, icmp_attempts, icmp_retry_ms, icmp_inflight
 * over the defaults. */
struct config;
void icmp_opts_from_config(struct icmp_opts *o, const struct config *cfg);

/* Probes every target; unparsable addresses are simply dead. Returns 0, or
 * -1 when no ICMP socket could be opened (then all targets are dead). */
int icmp_ping_many(struct icmp_target *t, size_t n, const struct icmp_opts *o);

#endif
