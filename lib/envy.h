/* Envy: device configs fetched by expect scripts into envydata (spec
 * actions-devices §2.10). Scripts run as argv (EXPECT_PATH split on blanks,
 * then the script file), never through a shell; several at once when asked. */
#ifndef UBAPI_ENVY_H
#define UBAPI_ENVY_H

#include <stddef.h>

#include "req.h"

/* Processes the active devices with these switch ids (NULL = every active
 * device), at most parallel scripts at a time. 0, or -1 on a DB error. */
int envy_run(struct req *r, const char *only_switchid, int parallel);

/* PHP's cut: pieces split on '\n', keep [cutstart, N-cutend), joined with nothing */
char *envy_cut(const char *out, long cutstart, long cutend);

#endif
