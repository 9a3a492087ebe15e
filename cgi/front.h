/* The front controller shared by the FastCGI worker and the command line:
 * Ubilling's checks in Ubilling's order, then the action table. */
#ifndef UBAPI_FRONT_H
#define UBAPI_FRONT_H

#include <stddef.h>

#include "req.h"

/* Runs one request whose params, remote_ip and from_cli are set. Always
 * leaves a reply in r->reply. */
void front_handle(struct req *r);

/* The address weblogs record: the peer, or the X-Forwarded-For client when
 * the peer is listed in ubapi.ini trusted_proxies and the header's first
 * entry is an IP address. */
void front_client_ip(const struct config *cfg, const char *peer, const char *xff, char *out,
		     size_t size);

/* Whether name is listed in REMOTEAPI_DISABLE_CALLS (entries trimmed). */
bool front_call_disabled(const struct config *cfg, const char *name);

/* Hands the whole request to PHP Ubilling (ubapi.ini php_fallback_url) and
 * replies with its answer: for a mode of an action ubapi does not do
 * natively. false (nothing replied) when no fallback is configured. */
bool front_php_fallback(struct req *r);



/* What one process keeps between requests: configuration (re-read when a
 * file changes) and one database connection. */
struct worker {
	struct config cfg;
	struct db *db;
	unsigned db_generation;
};

void worker_init(struct worker *w, const char *root);
void worker_free(struct worker *w);
/* Decodes query and answers it into r (initialised here; the caller
 * req_free()s it). peer/xff are the HTTP client address and header. */
void worker_serve(struct worker *w, struct req *r, const char *query, const char *peer,
		  const char *xff, bool from_cli);

/* The Ubilling root: --root, else UBAPI_ROOT, else the build default. */
const char *front_root(const char *cli_root);
#endif
