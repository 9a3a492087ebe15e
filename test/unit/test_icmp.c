/* lib/icmp on loopback only: every 127/8 address answers; addresses that
 * do not parse are dead without a packet. Without CAP_NET_RAW (and no
 * ping_group_range) the sweep reports failure and the test says so. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "icmp.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct icmp_target t[] = {
		{ "127.0.0.1", 0, 0, 0 }, { "127.8.1.1", 0, 0, 0 }, { "127.8.1.2", 0, 0, 0 },
		{ "not-an-ip", 0, 0, 0 }, { "", 0, 0, 0 },	     { "::1", 0, 0, 0 },
	};
	struct icmp_opts o;
	icmp_opts_default(&o);
	o.timeout_ms = 300;
	o.attempts = 2;
	o.retry_ms = 20;
	o.max_inflight = 2; /* fewer slots than hosts: the queue must drain */
	double t0 = now_s();
	int rc = icmp_ping_many(t, sizeof t / sizeof *t, &o);
	double took = now_s() - t0;
	if (rc != 0) {
		printf("icmp: no ICMP socket (needs CAP_NET_RAW or ping_group_range); skipping\n");
		CHECK(!t[0].alive && !t[3].alive);
		return check_summary();
	}
	CHECK(t[0].alive && t[1].alive && t[2].alive);
	CHECK(t[0].sent == 1 && t[0].rtt_us >= 0);
	CHECK(!t[3].alive && t[3].sent == 0);
	CHECK(!t[4].alive && t[4].sent == 0);
	/* ::1 answers when the host has IPv6 on lo; either way it terminates */
	CHECK(t[5].sent >= 1);
	/* live hosts never wait for the timeout */
	CHECK(took < 0.3 || !t[5].alive);

	/* many hosts at once, bounded in flight */
	static struct icmp_target many[600];
	static char addr[600][20];
	for (int i = 0; i < 600; i++) {
		snprintf(addr[i], sizeof addr[i], "127.8.%d.%d", 10 + i / 250, 1 + i % 250);
		many[i].addr = addr[i];
	}
	o.max_inflight = 64;
	CHECK(icmp_ping_many(many, 600, &o) == 0);
	int alive = 0;
	for (int i = 0; i < 600; i++)
		alive += many[i].alive;
	CHECK(alive == 600);
	CHECK(icmp_ping_many(NULL, 0, &o) == 0);
	return check_summary();
}
