/* The "existential horse" (spec actions-ops.md §5.6): one row of monthly
 * statistics in table exhorse per run, later runs of a month replacing the
 * earlier ones on its last day. */
#ifndef UBAPI_EXHORSE_H
#define UBAPI_EXHORSE_H

#include <stdbool.h>

#include "req.h"

/* Collects every counter for the month of r->now, inserts the row, logs
 * EXHORSE SAVE DATA and runs the cleanup (ebobo: keep only each month's
 * latest row). The caller holds the StarDust lock. Returns the reply:
 * "OK:EXHORSE" or an "ERROR:..." string (nothing written for errors found
 * before the insert). */
const char *exhorse_run(struct req *r, bool ebobo);

/* PHP 8's ordering of two strings as "<", ">=" see them: numeric strings
 * compare as numbers, anything else byte-wise; NULL is PHP's null, which
 * compares as "". -1, 0 or 1. Exposed for the unit test. */
int exhorse_php_cmp(const char *a, const char *b);

/* zb_isTimeBetween() for "HH:MM-HH:MM" (may wrap midnight) and a minute of
 * the day; false when the range is not two valid times. */
bool exhorse_in_hours(const char *range, int minute);

#endif
