/* WatchDog: Ubilling's monitoring tasks (spec actions-ops.md §5.9). Each
 * active row of `watchdog` is a check (ping, HTTP, script, SNMP, ...), an
 * operator comparing its value with the row's condition or previous value,
 * and actions (weblogs, email/Telegram/SMS queue files, a script) run when
 * the comparison holds. */
#ifndef UBAPI_WATCHDOG_H
#define UBAPI_WATCHDOG_H

#include <stdbool.h>

struct req;

enum wd_outcome {
	WD_OK,           /* ran, or skipped for maintenance / a busy StarDust lock */
	WD_NO_SETTINGS,  /* ubstorage WATCHDOG_ALERT is empty */
	WD_DB_ERROR,
	WD_LOCK_ERROR,   /* STARDUST_FLOCK_FORCE file cannot be opened */
};

enum wd_outcome watchdog_run(struct req *r);

/* ---- PHP 8 comparison rules the operators follow (exposed for tests) ---- */

/* A whole PHP numeric string: blanks around, sign, digits, one '.', exponent. */
bool wd_is_numeric(const char *s);
/* PHP's "leading numeric" value of s (0 when there is none): for rised/decreased. */
double wd_leading_number(const char *s);
/* $a <=> $b for two strings: numerically when both are numeric, else
 * byte-wise. -1, 0 or 1. */
int wd_php_strcmp(const char *a, const char *b);
/* zb_SanitizeSNMPValue(): the text between the first and second '=', type
 * prefixes (Hex-STRING: ... Network Address:) removed case-insensitively,
 * trimmed. Caller frees. */
char *wd_snmp_sanitize(const char *raw);

#endif
