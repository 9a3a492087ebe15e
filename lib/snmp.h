/* SNMP get/walk/set on many devices at once through net-snmp's
 * asynchronous single-session API (DECISIONS 23): every job has its own
 * session, at most max_inflight sessions are open, one select loop drives
 * them all. Walk text is exactly what `snmpwalk -On -Cc` prints, because it
 * is made by the same library with the same settings (numeric OIDs, the
 * host's snmp.conf and MIB choice), including snmpwalk's "empty subtree ->
 * GET the OID itself" step; Ubilling's UI parses these files. */
#ifndef UBAPI_SNMP_H
#define UBAPI_SNMP_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

enum snmp_kind { SNMPJ_WALK, SNMPJ_GET, SNMPJ_SET };

/* one varbind of a set: snmpset's type letters (i u s x d n o t a b c ...) */
struct snmp_setvar {
	const char *oid;
	char type;
	const char *value;
};

struct snmp_job {
	/* in (strings owned by the caller) */
	const char *host;       /* "127.0.0.1" or "127.0.0.1:161" */
	const char *community;
	int version;            /* 1 or 2 (= v2c) */
	enum snmp_kind kind;
	const char *oid;        /* walk root / get OID, numeric */
	const struct snmp_setvar *sets;
	size_t nsets;
	int timeout_ms;         /* per try; 0 = 1000 */
	int retries;            /* -1 = net-snmp default */
	bool php_native;        /* PHP "native" text: an empty walk gives "<oid> = <get value>" */
	void *user;
	/* out */
	struct sbuf text;       /* printed varbinds, one a line */
	size_t count;           /* varbinds printed */
	int status;             /* 0 answered, 1 no response, -1 error */
	/* private */
	void *sess;
	unsigned long name[128];
	size_t name_len, root_len;
	unsigned long root[128];
	int phase;              /* 0 walking, 1 the final GET, 2 done */
	int reps;               /* GETBULK max-repetitions, halved on tooBig */
	size_t guard;
};

/* Reads alter.ini SNMPWALK_PATH's flags (-v1/-v2c/-v 1, -t, -r,
 * --defaultPort=N) the way PHP's command line would have used them. */
struct snmp_defaults {
	int version, timeout_ms, retries, port;
};
struct config;
void snmp_defaults_from_config(struct snmp_defaults *d, const struct config *cfg, const char *key);

/* Process-wide net-snmp setup; called by snmp_run, idempotent. */
void snmp_lib_init(void);

/* Runs every job (max_inflight at once, <= 0 means 64); jobs' text/status
 * are filled. The caller frees job->text. */
void snmp_run(struct snmp_job *jobs, size_t n, int max_inflight);

/* "127.0.0.1:161" style peer for host, honouring a default port */
void snmp_peer(char *buf, size_t size, const char *host, int port);

#endif
