/* Ubilling's two address checks that run before any module: the RCMS ban
 * list (config/bans.ini) and the IP ACL (billing.ini IPACL_ENABLED with the
 * allowed addresses and networks kept as file names under
 * content/documents/ipacl/). */
#ifndef UBAPI_ACCESS_H
#define UBAPI_ACCESS_H

#include <stdbool.h>

#include "config.h"

/* A bans.ini line is an address pattern: '*' stands for any run of
 * digits, everything else is literal, and the whole address must match. */
bool access_pattern_match(const char *pattern, const char *ip);
bool access_banned(const struct config *cfg, const char *peer_ip);

/* With IPACL_ENABLED and at least one allowed address or network: whether
 * ip is outside all of them. 127.0.0.1 is always allowed. Network files are
 * named like 192.168.1.0_24. */
bool access_acl_denied(const struct config *cfg, const char *ip);

#endif
