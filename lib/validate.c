#include "validate.h"

#include <string.h>
#include <time.h>

#include "clock.h"

static bool charset_len(const char *s, const char *extra, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char c = s[n];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && !strchr(extra, c))
			return false;
	}
	return n >= 1 && n <= max;
}

bool valid_login(const char *s)
{
	return s && charset_len(s, "_.@-", 50);
}

bool valid_uint(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

bool valid_date(const char *s)
{
	time_t t;
	return s && clock_parse_date(s, &t);
}

bool valid_ipv4(const char *s)
{
	if (!s)
		return false;
	int parts = 0;
	while (parts < 4) {
		if (*s < '0' || *s > '9')
			return false;
		int v = 0, digits = 0;
		const char *start = s;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (digits > 3 || v > 255 || (digits > 1 && *start == '0'))
			return false;
		parts++;
		if (parts < 4 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

bool valid_reqid(const char *s)
{
	return s && charset_len(s, "_.:-", 128);
}
