#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_fields(const char *s, bool with_time, struct tm *tm)
{
	size_t want = with_time ? 19 : 10;
	if (strlen(s) != want)
		return false;
	for (size_t i = 0; i < want; i++) {
		bool sep = i == 4 || i == 7 || i == 10 || i == 13 || i == 16;
		char expect = i == 10 ? ' ' : (i == 13 || i == 16) ? ':' : '-';
		if (sep ? s[i] != expect : (s[i] < '0' || s[i] > '9'))
			return false;
	}
	memset(tm, 0, sizeof *tm);
	tm->tm_year = atoi(s) - 1900;
	tm->tm_mon = atoi(s + 5) - 1;
	tm->tm_mday = atoi(s + 8);
	if (with_time) {
		tm->tm_hour = atoi(s + 11);
		tm->tm_min = atoi(s + 14);
		tm->tm_sec = atoi(s + 17);
	}
	tm->tm_isdst = -1;
	return true;
}

/* mktime normalises 2024-02-31 into March; a real date survives unchanged. */
static bool to_epoch(struct tm tm, time_t *out)
{
	struct tm want = tm;
	time_t t = mktime(&tm);
	if (t == (time_t)-1 || tm.tm_year != want.tm_year || tm.tm_mon != want.tm_mon ||
	    tm.tm_mday != want.tm_mday || tm.tm_hour != want.tm_hour || tm.tm_min != want.tm_min)
		return false;
	*out = t;
	return true;
}

bool clock_parse_date(const char *s, time_t *out)
{
	struct tm tm;
	return parse_fields(s, false, &tm) && to_epoch(tm, out);
}

bool clock_parse_datetime(const char *s, time_t *out)
{
	struct tm tm;
	return parse_fields(s, true, &tm) && tm.tm_sec < 60 && to_epoch(tm, out);
}

long long clock_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t clock_now(void)
{
	const char *pinned = getenv("UBAPI_NOW");
	time_t t;
	if (pinned && clock_parse_datetime(pinned, &t))
		return t;
	return time(NULL);
}

void clock_format_datetime(time_t t, char *buf)
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

void clock_format_date(time_t t, char *buf)
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
}
