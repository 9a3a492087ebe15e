#include "snmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include "config.h"
#include "runcmd.h"
#include "util.h"

#define WALK_MAX_VARBINDS 2000000
#define BULK_REPETITIONS 16

static int lib_ready;

void snmp_lib_init(void)
{
	if (lib_ready)
		return;
	lib_ready = 1;
	/* the tools' own application name and config files (snmp.conf decides
	 * which MIBs load, hence how values print), but no persistent state */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	/* per-peer /etc/snmp/hosts/<ip>.conf lookups cost four failed opens per
	 * session; ubapi takes its per-device settings from Ubilling instead */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_LOAD_HOST_FILES, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 0);
	init_snmp("snmpapp");
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, NETSNMP_OID_OUTPUT_NUMERIC);
}

void snmp_defaults_from_config(struct snmp_defaults *d, const struct config *cfg, const char *key)
{
	d->version = 2;
	d->timeout_ms = 1000;
	d->retries = 5;
	d->port = 0;
	size_t argc;
	char **argv = spawn_argv_split(cfg_alter(cfg, key, "/usr/local/bin/snmpwalk -On -v2c"), 0, &argc);
	for (size_t i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		const char *v = NULL;
		if (strncmp(a, "-v", 2) == 0) {
			v = a[2] ? a + 2 : next;
			if (!a[2])
				i++;
			if (v)
				d->version = strcmp(v, "1") == 0 ? 1 : 2;
		} else if (strncmp(a, "-t", 2) == 0) {
			v = a[2] ? a + 2 : next;
			if (!a[2])
				i++;
			if (v && atof(v) > 0)
				d->timeout_ms = (int)(atof(v) * 1000);
		} else if (strncmp(a, "-r", 2) == 0) {
			v = a[2] ? a + 2 : next;
			if (!a[2])
				i++;
			if (v && str_is_digits(v))
				d->retries = atoi(v);
		} else if (strncmp(a, "--defaultPort=", 14) == 0 && str_is_digits(a + 14)) {
			d->port = atoi(a + 14);
		}
	}
	spawn_argv_free(argv);
}

void snmp_peer(char *buf, size_t size, const char *host, int port)
{
	if (port > 0 && !strchr(host, ':'))
		snprintf(buf, size, "%s:%d", host, port);
	else
		snprintf(buf, size, "%s", host);
}

static void print_var(struct snmp_job *j, netsnmp_variable_list *v)
{
	u_char *buf = NULL;
	size_t blen = 0, olen = 0;
	if (sprint_realloc_variable(&buf, &blen, &olen, 1, v->name, v->name_length, v) && buf) {
		sbuf_add(&j->text, buf, olen);
		sbuf_putc(&j->text, '\n');
		j->count++;
	}
	free(buf);
}

/* PHP native mode's value part: what follows "<oid> = " */
static void print_native_value(struct snmp_job *j, netsnmp_variable_list *v)
{
	u_char *buf = NULL;
	size_t blen = 0, olen = 0;
	if (sprint_realloc_value(&buf, &blen, &olen, 1, v->name, v->name_length, v) && buf)
		sbuf_add(&j->text, buf, olen);
	free(buf);
}

static int job_send(struct snmp_job *j);
static int on_response(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic);

static void job_finish(struct snmp_job *j, int status)
{
	j->status = status;
	j->phase = 2;
}

static void walk_done(struct snmp_job *j)
{
	if (j->count == 0 && j->kind == SNMPJ_WALK) {
		j->phase = 1;
		if (j->php_native)
			sbuf_printf(&j->text, "%s = ", j->oid);
		if (job_send(j) != 0)
			job_finish(j, -1);
		return;
	}
	job_finish(j, 0);
}

static int on_response(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	(void)s;
	(void)reqid;
	struct snmp_job *j = magic;
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		/* PHP's native walk of a silent host ends as "<oid> = " too */
		if (j->php_native && j->kind == SNMPJ_WALK && j->count == 0 && j->phase == 0 && j->text.len == 0)
			sbuf_printf(&j->text, "%s = ", j->oid);
		job_finish(j, 1);
		return 1;
	}
	if (j->kind != SNMPJ_WALK || j->phase == 1) {
		if (pdu->errstat == SNMP_ERR_NOERROR && j->kind != SNMPJ_SET) {
			for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
				if (j->php_native) {
					if (v->type != SNMP_NOSUCHOBJECT && v->type != SNMP_NOSUCHINSTANCE &&
					    v->type != SNMP_ENDOFMIBVIEW)
						print_native_value(j, v);
				} else {
					print_var(j, v);
				}
			}
		}
		job_finish(j, pdu->errstat == SNMP_ERR_NOERROR || j->kind != SNMPJ_SET ? 0 : -1);
		return 1;
	}
	if (pdu->errstat == SNMP_ERR_TOOBIG && j->version != 1 && j->reps > 1) {
		/* the agent's answer would not fit: ask for fewer rows at a time */
		j->reps /= 2;
		if (job_send(j) != 0)
			job_finish(j, -1);
		return 1;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		/* v1 noSuchName: past the end of the agent's tree */
		walk_done(j);
		return 1;
	}
	bool more = pdu->variables != NULL;
	for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) {
		if (v->name_length < j->root_len ||
		    snmp_oid_compare(j->root, j->root_len, v->name, j->root_len) != 0 ||
		    v->type == SNMP_ENDOFMIBVIEW || v->type == SNMP_NOSUCHOBJECT ||
		    v->type == SNMP_NOSUCHINSTANCE) {
			more = false;
			break;
		}
		/* -Cc skips the increasing check; an agent repeating itself still ends the walk */
		if (snmp_oid_compare(j->name, j->name_len, v->name, v->name_length) == 0 ||
		    ++j->guard > WALK_MAX_VARBINDS || v->name_length > 128) {
			more = false;
			break;
		}
		print_var(j, v);
		memcpy(j->name, v->name, v->name_length * sizeof(oid));
		j->name_len = v->name_length;
	}
	if (!more) {
		walk_done(j);
		return 1;
	}
	if (job_send(j) != 0)
		job_finish(j, -1);
	return 1;
}

static int job_send(struct snmp_job *j)
{
	netsnmp_pdu *pdu;
	if (j->kind == SNMPJ_SET) {
		pdu = snmp_pdu_create(SNMP_MSG_SET);
		for (size_t i = 0; i < j->nsets; i++) {
			oid name[MAX_OID_LEN];
			size_t len = MAX_OID_LEN;
			if (!read_objid(j->sets[i].oid, name, &len) ||
			    snmp_add_var(pdu, name, len, j->sets[i].type, j->sets[i].value) != 0) {
				snmp_free_pdu(pdu);
				return -1;
			}
		}
	} else if (j->kind == SNMPJ_GET || j->phase == 1) {
		pdu = snmp_pdu_create(SNMP_MSG_GET);
		snmp_add_null_var(pdu, j->root, j->root_len);
	} else if (j->version == 1) {
		pdu = snmp_pdu_create(SNMP_MSG_GETNEXT);
		snmp_add_null_var(pdu, j->name, j->name_len);
	} else {
		pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
		pdu->non_repeaters = 0;
		pdu->max_repetitions = j->reps > 0 ? j->reps : BULK_REPETITIONS;
		snmp_add_null_var(pdu, j->name, j->name_len);
	}
	if (!snmp_sess_async_send(j->sess, pdu, on_response, j)) {
		snmp_free_pdu(pdu);
		return -1;
	}
	return 0;
}

/* Jobs to the same agent with the same settings share one session (one
 * socket): a device's dozens of walks cost one socket, not dozens. */
struct group {
	void *sess;
	size_t remaining; /* jobs not finished yet */
};

static int job_key_cmp(const struct snmp_job *a, const struct snmp_job *b)
{
	int c = strcmp(a->host ? a->host : "", b->host ? b->host : "");
	if (!c)
		c = strcmp(a->community ? a->community : "", b->community ? b->community : "");
	if (!c)
		c = (a->version > b->version) - (a->version < b->version);
	if (!c)
		c = (a->timeout_ms > b->timeout_ms) - (a->timeout_ms < b->timeout_ms);
	if (!c)
		c = (a->retries > b->retries) - (a->retries < b->retries);
	return c;
}

static struct snmp_job *sort_base;

static int by_key(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = job_key_cmp(&sort_base[a], &sort_base[b]);
	return c ? c : (a > b) - (a < b);
}

static void *session_open(const struct snmp_job *j)
{
	netsnmp_session s;
	snmp_sess_init(&s);
	s.peername = (char *)j->host;
	s.version = j->version == 1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
	s.community = (u_char *)(j->community ? j->community : "");
	s.community_len = strlen((const char *)s.community);
	s.timeout = (long)(j->timeout_ms > 0 ? j->timeout_ms : 1000) * 1000L;
	if (j->retries >= 0)
		s.retries = j->retries;
	return snmp_sess_open(&s);
}

static int job_start(struct snmp_job *j)
{
	j->reps = BULK_REPETITIONS;
	j->phase = 0;
	j->guard = 0;
	j->count = 0;
	j->status = -1;
	if (j->kind != SNMPJ_SET) {
		size_t len = 128;
		if (!j->oid || !*j->oid || !read_objid(j->oid, (oid *)j->root, &len))
			return -1;
		j->root_len = len;
		memcpy(j->name, j->root, len * sizeof(oid));
		j->name_len = len;
	}
	return j->sess ? job_send(j) : -1;
}

void snmp_run(struct snmp_job *jobs, size_t n, int max_inflight)
{
	snmp_lib_init();
	if (max_inflight <= 0)
		max_inflight = 64;
	size_t *order = xcalloc(n ? n : 1, sizeof *order);
	size_t *gid = xcalloc(n ? n : 1, sizeof *gid);
	struct group *g = xcalloc(n ? n : 1, sizeof *g);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_base = jobs;
	qsort(order, n, sizeof *order, by_key);
	size_t ng = 0;
	for (size_t k = 0; k < n; k++) {
		if (k == 0 || job_key_cmp(&jobs[order[k - 1]], &jobs[order[k]]) != 0)
			ng++;
		gid[order[k]] = ng - 1;
		g[ng - 1].remaining++;
	}
	size_t *active = xcalloc(n ? n : 1, sizeof *active);
	size_t *open = xcalloc(ng ? ng : 1, sizeof *open);
	size_t nactive = 0, next = 0, nopen = 0;
	for (;;) {
		while (nactive < (size_t)max_inflight && next < n) {
			struct snmp_job *j = &jobs[next];
			struct group *gr = &g[gid[next]];
			next++;
			if (j->text.s == NULL)
				sbuf_puts(&j->text, "");
			if (!gr->sess && (gr->sess = session_open(j)) != NULL)
				open[nopen++] = (size_t)(gr - g);
			j->sess = gr->sess;
			if (job_start(j) != 0) {
				if (j->php_native && j->kind == SNMPJ_WALK && j->oid && j->text.len == 0)
					sbuf_printf(&j->text, "%s = ", j->oid);
				j->status = -1;
				j->phase = 2;
			}
			active[nactive++] = (size_t)(j - jobs);
		}
		/* retire finished jobs; a session goes when its last job is done
		 * (never inside one of its own callbacks) */
		size_t keep = 0;
		for (size_t k = 0; k < nactive; k++) {
			struct snmp_job *j = &jobs[active[k]];
			if (j->phase != 2) {
				active[keep++] = active[k];
				continue;
			}
			j->sess = NULL;
			struct group *gr = &g[gid[active[k]]];
			if (--gr->remaining == 0 && gr->sess) {
				snmp_sess_close(gr->sess);
				gr->sess = NULL;
			}
		}
		nactive = keep;
		keep = 0;
		for (size_t k = 0; k < nopen; k++)
			if (g[open[k]].sess)
				open[keep++] = open[k];
		nopen = keep;
		if (nactive == 0) {
			if (next >= n)
				break;
			continue;
		}
		int maxfd = 0;
		struct timeval tv = { 1, 0 };
		netsnmp_large_fd_set fds;
		netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
		for (size_t k = 0; k < nopen; k++) {
			int block = 0;
			snmp_sess_select_info2(g[open[k]].sess, &maxfd, &fds, &tv, &block);
		}
		int rc = netsnmp_large_fd_set_select(maxfd, &fds, NULL, NULL, &tv);
		for (size_t k = 0; k < nopen; k++) {
			if (rc > 0)
				snmp_sess_read2(g[open[k]].sess, &fds);
			snmp_sess_timeout(g[open[k]].sess);
		}
		netsnmp_large_fd_set_cleanup(&fds);
	}
	/* sessions of jobs that never started (none: every job ran) */
	for (size_t k = 0; k < ng; k++)
		if (g[k].sess)
			snmp_sess_close(g[k].sess);
	free(open);
	free(active);
	free(g);
	free(gid);
	free(order);
}
