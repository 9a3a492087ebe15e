/* Strict checks for request values, used by the action table's rules and
 * by handlers. Each returns true only for a value that is safe as-is. */
#ifndef UBAPI_VALIDATE_H
#define UBAPI_VALIDATE_H

#include <stdbool.h>

bool valid_login(const char *s);  /* [A-Za-z0-9_.@-]{1,50} */
bool valid_uint(const char *s);   /* digits, at most 18 */
bool valid_date(const char *s);   /* a real YYYY-MM-DD */
bool valid_ipv4(const char *s);   /* dotted quad, no leading zeros */
bool valid_reqid(const char *s);  /* [A-Za-z0-9_.:-]{1,128} */

#endif
