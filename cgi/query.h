/* Query-string decoding compatible with PHP's $_GET, with hard limits. */
#ifndef UBAPI_QUERY_H
#define UBAPI_QUERY_H

#include "params.h"

#define QUERY_MAX_LEN 65536
#define QUERY_MAX_PARAMS 1000 /* PHP's max_input_vars */

enum query_status {
	QUERY_OK = 0,
	QUERY_TOO_LONG,
	QUERY_TOO_MANY,
	QUERY_BAD_BYTES, /* NUL, control bytes or invalid UTF-8 after decoding */
};

enum query_status query_decode(const char *qs, struct params *out);
/* The reply text for a failed decode, e.g. "ERROR:QUERY_TOO_LONG". */
const char *query_error_reply(enum query_status st);

#endif
