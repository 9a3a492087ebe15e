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
	/* the tools' own application name: same config files as snmpwalk */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
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
		pdu->max_repetitions = BULK_REPETITIONS;
		snmp_add_null_var(pdu, j->name, j->name_len);
	}
	if (!snmp_sess_async_send(j->sess, pdu, on_response, j)) {
		snmp_free_pdu(pdu);
		return -1;
	}
	return 0;
}

static int job_open(struct snmp_job *j)
{
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
	netsnmp_session s;
	snmp_sess_init(&s);
	s.peername = (char *)j->host;
	s.version = j->version == 1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
	s.community = (u_char *)(j->community ? j->community : "");
	s.community_len = strlen((const char *)s.community);
	s.timeout = (long)(j->timeout_ms > 0 ? j->timeout_ms : 1000) * 1000L;
	if (j->retries >= 0)
		s.retries = j->retries;
	j->sess = snmp_sess_open(&s);
	if (!j->sess)
		return -1;
	if (job_send(j) != 0) {
		snmp_sess_close(j->sess);
		j->sess = NULL;
		return -1;
	}
	return 0;
}

void snmp_run(struct snmp_job *jobs, size_t n, int max_inflight)
{
	snmp_lib_init();
	if (max_inflight <= 0)
		max_inflight = 64;
	size_t *active = xcalloc(n ? n : 1, sizeof *active);
	size_t nactive = 0, next = 0;
	for (;;) {
		while (nactive < (size_t)max_inflight && next < n) {
			struct snmp_job *j = &jobs[next++];
			j->sess = NULL;
			if (j->text.s == NULL)
				sbuf_puts(&j->text, "");
			if (job_open(j) != 0) {
				j->status = -1;
				j->phase = 2;
				continue;
			}
			active[nactive++] = (size_t)(j - jobs);
		}
		/* close what finished (never inside its own callback) */
		size_t keep = 0;
		for (size_t k = 0; k < nactive; k++) {
			struct snmp_job *j = &jobs[active[k]];
			if (j->phase == 2) {
				snmp_sess_close(j->sess);
				j->sess = NULL;
			} else {
				active[keep++] = active[k];
			}
		}
		nactive = keep;
		if (nactive == 0) {
			if (next >= n)
				break;
			continue;
		}
		int maxfd = 0;
		struct timeval tv = { 1, 0 };
		netsnmp_large_fd_set fds;
		netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
		for (size_t k = 0; k < nactive; k++) {
			int block = 0;
			snmp_sess_select_info2(jobs[active[k]].sess, &maxfd, &fds, &tv, &block);
		}
		int rc = netsnmp_large_fd_set_select(maxfd, &fds, NULL, NULL, &tv);
		for (size_t k = 0; k < nactive; k++) {
			struct snmp_job *j = &jobs[active[k]];
			if (j->phase == 2)
				continue;
			if (rc > 0)
				snmp_sess_read2(j->sess, &fds);
			if (j->phase != 2)
				snmp_sess_timeout(j->sess);
		}
		netsnmp_large_fd_set_cleanup(&fds);
	}
	free(active);
}
