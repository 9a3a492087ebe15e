/* Replay of retried requests (reqid=<token>): the first reply for an
 * (action, reqid) pair is kept in ubapi_requests and returned again
 * instead of running the action twice. */
#ifndef UBAPI_REQID_H
#define UBAPI_REQID_H

#include "req.h"

enum reqid_claim {
	REQID_RUN,      /* first time: run the action, then reqid_finish() */
	REQID_REPLAYED, /* reply filled from the stored one */
	REQID_BUSY,     /* the same request is running right now */
	REQID_FAILED,   /* database error */
};

enum reqid_claim reqid_claim(struct req *r, const char *action, const char *reqid);
/* Stores the reply; an ERROR reply changed nothing, so instead the claim is
 * dropped and a retry runs the action again. */
void reqid_finish(struct req *r, const char *action, const char *reqid);

#endif
