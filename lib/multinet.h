/* Multinet handler generation (spec actions-network.md §1): the per-network
 * dhcpd/ppp files under multinet/, the global dhcpd.conf, the dhcpd
 * restart. Values from the database are checked before they reach a file
 * dhcpd parses, so one bad row drops one host, never the whole config. */
#ifndef UBAPI_MULTINET_H
#define UBAPI_MULTINET_H

#include <stdbool.h>

#include "req.h"
#include "sbuf.h"

/* PHP str_ireplace() of one pair over the whole subject: ASCII
 * case-insensitive, left to right, without rescanning inserted text. */
void php_str_ireplace(struct sbuf *subject, const char *search, const char *replace);

/* "A.B.C.D" of a prefix length 0..31 as a dotted mask; anything else
 * (32, empty, not an integer) is "0.0.0.0", as multinet_cidr2mask gives. */
void multinet_mask(const char *bits, char out[16]);

struct multinet_result {
	int write_failures; /* files that could not be written */
	bool restarted;     /* the dhcpd restart command ran (or was due) */
};

/* Everything handlersrebuild does before its weblog and reply, including
 * the DHCPD RESTART weblog. 0, or -1 on a database error. */
int multinet_rebuild_all(struct req *r, struct multinet_result *res);

#endif
