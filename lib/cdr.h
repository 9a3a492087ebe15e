/* The PBX's Asterisk CDR, read as TelePony reads it (spec actions-ops.md
 * §5.21): its own MariaDB named by alter.ini TELEPONY_CDR
 * "host|login|password|database|table", rows grouped into call flows by
 * uniqueid. Used by whydoyoucall; exhorse's monthly call figures need only
 * cdr_fetch_flows() over the month plus the flow fields below. */
#ifndef UBAPI_CDR_H
#define UBAPI_CDR_H

#include <stddef.h>

#include "db.h"
#include "sbuf.h"

struct cdr_conf {
	char *host, *user, *password, *database, *table;
	unsigned port;
};

/* Exactly five '|'-separated parts, as PHP requires. The host may end in
 * ":PORT" (ubapi's addition: mysqli always uses port 3306). The table
 * name is quoted with backticks in SQL, so one containing a backtick or
 * longer than 64 bytes is refused. 0, or -1 with *out zeroed. */
int cdr_conf_parse(const char *value, struct cdr_conf *out);
void cdr_conf_free(struct cdr_conf *c);

/* One flow: the CDR rows sharing a uniqueid. Strings point into rows and
 * are NULL where the column was SQL NULL, as PHP would see them. */
struct cdr_flow {
	const char *flowid, *callstart, *callend, *from, *direction, *status, *duration, *context, *app;
	const char *to;       /* last dst, or the SIP peer of dstchannel when dst is "s" */
	const char *realtime; /* billsec when ANSWERED, NULL meaning PHP's int 0 */
	long records;
	char *to_owned;
};

struct cdr_flows {
	size_t n;
	struct cdr_flow *v;
	struct db_rows rows;
};

/* Rows with calldate between "<from> 00:00:00" and "<to> 23:59:59" in
 * calldate order, grouped into flows in order of first appearance.
 * 0, or -1 when the CDR database cannot be reached or queried. */
int cdr_fetch_flows(const struct cdr_conf *c, unsigned timeout_s, const char *from, const char *to,
		    struct cdr_flows *out);
void cdr_flows_free(struct cdr_flows *f);

/* TelePony's missed-call analysis of one day's flows: appends PHP
 * serialize() of the unanswered and the recalled arrays, byte for byte
 * what fetchMissedCalls() gives to whydoyoucall. */
void cdr_missed_calls(const struct cdr_flows *f, struct sbuf *unanswered, struct sbuf *recalled);

#endif
