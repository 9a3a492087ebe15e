/* PON OLT polling (spec actions-devices §2.4): the OLT "attractor"
 * containers under exports/pondata/, ONU signal history, the per-OLT
 * StarDust lock and polling stats, and the vendor collectors. Every OLT's
 * walks run at once (lib/snmp); lines are logged and printed per OLT in
 * order, as PHP's sequential loop produced them. */
#ifndef UBAPI_PON_H
#define UBAPI_PON_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "sbuf.h"

struct pon_olt {
	char *id, *ip, *location, *snmp, *modelid, *desc;
};

/* OLTs of the directory: desc LIKE '%OLT%' with a community, ordered by
 * PON_OLT_ORDER (id when the value is not a known column). */
int pon_load_olts(struct config *cfg, struct db *db, struct pon_olt **out, size_t *n, const char *only_id);
void pon_free_olts(struct pon_olt *o, size_t n);

/* Polls the OLTs; every log line goes to exports/oltpoll.log and, when
 * out is given (an array of n), to out[i] for OLT i. */
void pon_poll(struct config *cfg, struct db *db, const struct pon_olt *olts, size_t n, struct sbuf *out);

#endif
