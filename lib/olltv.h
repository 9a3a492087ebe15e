/* OllTV monthly fee and suspension (olltvchargefee): the run, and the two
 * oll.tv ispAPI calls it makes (auth2, disableBundle). */
#ifndef UBAPI_OLLTV_H
#define UBAPI_OLLTV_H

#include "req.h"

#define OLLTV_DISABLED_REPLY "ERROR:OLLTV_DISABLED"

/* The run; the reply is written. */
void olltv_fee_processing(struct req *r);

#endif
