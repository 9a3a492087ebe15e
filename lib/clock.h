/* One "now" per request. UBAPI_NOW="YYYY-MM-DD HH:MM:SS" pins it, so
 * monthly and last-day-of-month logic can be tested. */
#ifndef UBAPI_CLOCK_H
#define UBAPI_CLOCK_H

#include <stdbool.h>
#include <time.h>

/* Milliseconds of CLOCK_MONOTONIC: for intervals and timeouts, never dates. */
long long clock_mono_ms(void);
/* Local time now, or UBAPI_NOW when set and valid. */
time_t clock_now(void);
/* "Y-m-d H:i:s" of t in local time (buf >= 20 bytes). */
void clock_format_datetime(time_t t, char *buf);
/* "Y-m-d" (buf >= 11 bytes). */
void clock_format_date(time_t t, char *buf);
/* Strict YYYY-MM-DD of a real calendar date -> local midnight; false if not. */
bool clock_parse_date(const char *s, time_t *out);
/* Strict "YYYY-MM-DD HH:MM:SS". */
bool clock_parse_datetime(const char *s, time_t *out);

#endif
