#include "front.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "access.h"
#include "actions.h"
#include "clock.h"
#include "httpc.h"
#include "reqid.h"
#include "util.h"

static bool is_ip_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Does the comma-separated list contain item (entries trimmed)? */
static bool list_contains(const char *list, const char *item)
{
	size_t want = strlen(item);
	const char *p = list;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if ((size_t)(b - a) == want && memcmp(a, item, want) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

void front_client_ip(const struct config *cfg, const char *peer, const char *xff, char *out,
		     size_t size)
{
	snprintf(out, size, "%s", peer && *peer ? peer : "0.0.0.0");
	const char *trusted = cfg_ubapi(cfg, "trusted_proxies", "");
	if (!xff || !*xff || !peer || !list_contains(trusted, peer))
		return;
	char first[64];
	size_t n = strcspn(xff, ",");
	while (n && xff[n - 1] == ' ')
		n--;
	while (n && *xff == ' ') {
		xff++;
		n--;
	}
	if (n == 0 || n >= sizeof first)
		return;
	memcpy(first, xff, n);
	first[n] = '\0';
	if (is_ip_address(first))
		snprintf(out, size, "%s", first);
}

bool front_call_disabled(const struct config *cfg, const char *name)
{
	return list_contains(cfg_alter_rcms(cfg, "REMOTEAPI_DISABLE_CALLS", ""), name);
}

/* --- Ubilling's checks before the remoteapi module ------------------- */

static bool maintenance_mode(struct req *r)
{
	char *path = cfg_path(r->cfg, "UPDATE");
	bool exists = access(path, F_OK) == 0;
	free(path);
	return exists;
}

/* Billing calls are lost when Stargazer is down, so Ubilling refuses to
 * work without its pid file; the direct backend has no Stargazer. */
static bool stargazer_missing(struct req *r)
{
	if (strcmp(cfg_billing(r->cfg, "baseconf", "sgconfxml"), "direct") == 0)
		return false;
	if (php_truthy(cfg_billing(r->cfg, "NOSTGCHECKPID", "")))
		return false;
	return access(cfg_billing(r->cfg, "STGPID", "/var/run/stargazer.pid"), F_OK) != 0;
}

/* --- running an action ------------------------------------------------ */

static bool params_pass_rules(struct req *r, const struct action *a)
{
	for (size_t i = 0; i < MAX_PARAM_RULES && a->rules[i].name; i++) {
		const char *v = req_param(r, a->rules[i].name);
		if (v && *v && !a->rules[i].check(v)) {
			reply_text(r, a->rules[i].error);
			return false;
		}
	}
	return true;
}

static void run_locked(struct req *r, const struct action *a)
{
	if (!(a->flags & ACT_LOCK)) {
		a->run(r);
		return;
	}
	char name[96], upper[64];
	action_upper(a->name, upper, sizeof upper);
	if (a->lock_name)
		snprintf(name, sizeof name, "%s", a->lock_name);
	else
		snprintf(name, sizeof name, "ubapi_%s", a->name);
	int got = db_lock_try(r->db, name);
	if (got < 0) {
		reply_db_error(r);
		return;
	}
	if (got == 0) {
		if (a->busy_reply)
			reply_text(r, a->busy_reply);
		else
			reply_printf(r, "SKIP:%s_ALREADY_RUNNING", upper);
		return;
	}
	a->run(r);
	db_lock_release(r->db, name);
}

static void run_action(struct req *r, const struct action *a)
{
	r->action = a;
	if (!params_pass_rules(r, a))
		return;
	const char *reqid = req_param(r, "reqid");
	if (!reqid || (a->flags & ACT_NO_REQID)) {
		run_locked(r, a);
		return;
	}
	if (!valid_reqid(reqid)) {
		reply_text(r, "ERROR:WRONG_REQID");
		return;
	}
	switch (reqid_claim(r, a->name, reqid)) {
	case REQID_RUN:
		run_locked(r, a);
		reqid_finish(r, a->name, reqid);
		break;
	case REQID_REPLAYED:
		break;
	case REQID_BUSY:
		reply_text(r, "SKIP:REQUEST_IN_PROGRESS");
		break;
	case REQID_FAILED:
		reply_db_error(r);
		break;
	}
}

/* An action ubapi does not implement is passed to PHP Ubilling when
 * ubapi.ini names it, so ubapi can front an install action by action. */
static void php_fallback(struct req *r, const char *serial)
{
	const char *base = cfg_ubapi(r->cfg, "php_fallback_url", "");
	if (!*base) {
		reply_text(r, "ERROR:UNKNOWN_ACTION");
		return;
	}
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;
	sbuf_puts(&url, base);
	sbuf_putc(&url, strchr(base, '?') ? '&' : '?');
	if (r->from_cli)
		sbuf_printf(&url, "module=remoteapi&key=%s&", serial ? serial : "");
	sbuf_puts(&url, r->query ? r->query : "");
	struct http_response resp;
	long timeout_ms = cfg_ubapi_long(r->cfg, "php_fallback_timeout", 300) * 1000;
	if (http_get(sbuf_str(&url), timeout_ms, &resp, &err) != 0) {
		syslog(LOG_ERR, "ubapi: PHP fallback failed: %s", sbuf_str(&err));
		reply_text(r, "ERROR:PHP_FALLBACK_FAILED");
	} else {
		r->reply.status = resp.status == 200 ? 200 : resp.status;
		reply_set_type(r, strncmp(resp.content_type, "application/json", 16) == 0 ? CT_JSON
				  : strncmp(resp.content_type, "text/plain", 10) == 0 ? CT_TEXT : CT_HTML);
		sbuf_reset(&r->reply.body);
		sbuf_add(&r->reply.body, resp.body.s ? resp.body.s : "", resp.body.len);
	}
	http_response_free(&resp);
	sbuf_free(&url);
	sbuf_free(&err);
}

static void dispatch(struct req *r, const char *name, const char *serial)
{
	const struct action *a = action_find(name);
	if (front_call_disabled(r->cfg, name)) {
		reply_text(r, "ERROR:ACTION_DISABLED");
		return;
	}
	/* identify exists only on the key-less path in Ubilling */
	if (!a || ((a->flags & ACT_KEYLESS) && !r->from_cli)) {
		php_fallback(r, serial);
		return;
	}
	run_action(r, a);
}

static char *read_serial(struct req *r, bool *err)
{
	return db_value(r->db, err, "SELECT `value` FROM `ubstats` WHERE `key`=? ORDER BY `id` LIMIT 1", "s",
			"ubid");
}

/* The serial a key last matched, per worker: a PBX or a cron burst sends
 * the same key thousands of times, and re-reading ubstats for each call is
 * a round trip. Only a match is remembered, and only for serial_cache_ms,
 * so a new serial works at once and an old one stops within that time. */
static struct {
	char *serial;
	long long at_ms;
} serial_seen;

static char *serial_from_cache(const struct req *r, const char *key)
{
	long ttl = cfg_ubapi_long(r->cfg, "serial_cache_ms", 1000);
	if (ttl <= 0 || !serial_seen.serial || clock_mono_ms() - serial_seen.at_ms >= ttl)
		return NULL;
	return ct_equal(key, serial_seen.serial) ? xstrdup(serial_seen.serial) : NULL;
}

static void serial_remember(const char *serial)
{
	free(serial_seen.serial);
	serial_seen.serial = serial ? xstrdup(serial) : NULL;
	serial_seen.at_ms = clock_mono_ms();
}

bool front_php_fallback(struct req *r)
{
	if (!*cfg_ubapi(r->cfg, "php_fallback_url", ""))
		return false;
	bool err = false;
	char *serial = r->from_cli ? read_serial(r, &err) : NULL;
	if (err)
		reply_db_error(r);
	else
		php_fallback(r, serial);
	free(serial);
	return true;
}

static void keyed_request(struct req *r, const char *key_raw)
{
	char *key = xstrdup(key_raw ? key_raw : "");
	vf_filter(key);
	char *serial = key_raw ? serial_from_cache(r, key) : NULL;
	bool match = serial != NULL;
	if (!serial) {
		bool err = false;
		serial = read_serial(r, &err);
		if (err || !serial) {
			serial_remember(NULL);
			free(key);
			if (err)
				reply_db_error(r);
			else
				reply_text(r, "ERROR:NO_UBSERIAL_EXISTS");
			return;
		}
		match = key_raw && ct_equal(key, serial);
		if (match)
			serial_remember(serial);
	}
	free(key);
	const char *action = req_param(r, "action");
	if (!match)
		reply_text(r, "ERROR:GET_WRONG_KEY");
	else if (!param_isset(&r->params, "action"))
		reply_text(r, "ERROR:GET_NO_ACTION");
	else
		dispatch(r, action ? action : "", serial);
	free(serial);
}

static void keyless_request(struct req *r)
{
	const char *action = req_param(r, "action");
	if (action && strcmp(action, "identify") == 0)
		run_action(r, action_find("identify"));
	else
		reply_text(r, "ERROR:GET_NO_KEY");
}

static bool module_is_remoteapi(const struct req *r)
{
	const char *module = req_param(r, "module");
	if (!module)
		return false;
	const char *base = strrchr(module, '/');
	return strcmp(base ? base + 1 : module, "remoteapi") == 0;
}

void front_handle(struct req *r)
{
	if (!r->from_cli && !module_is_remoteapi(r)) {
		reply_text(r, "ERROR:UNKNOWN_MODULE");
		return;
	}
	/* the command line is trusted by file permissions */
	if (!r->from_cli && access_banned(r->cfg, r->peer_ip)) {
		reply_text(r, "You are banned from this site");
		return;
	}
	if (maintenance_mode(r)) {
		reply_text(r, "Ubilling maintance in progress");
		return;
	}
	if (stargazer_missing(r)) {
		reply_text(r, "ERROR:STARGAZER_NOT_RUNNING");
		return;
	}
	if (!r->from_cli && access_acl_denied(r->cfg, r->remote_ip)) {
		reply_text(r, "ERROR:ACL_DENIED");
		return;
	}
	if (!php_truthy(cfg_alter_rcms(r->cfg, "REMOTEAPI_ENABLED", ""))) {
		reply_text(r, "ERROR:API_DISABLED");
		return;
	}
	if (db_ready(r->db) != 0) {
		reply_db_error(r);
		return;
	}
	if (r->from_cli) {
		const char *action = req_param(r, "action");
		bool err = false;
		char *serial = NULL;
		if (action && !action_find(action))
			serial = read_serial(r, &err);
		dispatch(r, action ? action : "", serial);
		free(serial);
	} else if (param_isset(&r->params, "key")) {
		keyed_request(r, req_param(r, "key"));
	} else {
		keyless_request(r);
	}
	db_request_done(r->db);
}

/* --- the per-process state shared by both fronts ---------------------- */

#include "query.h"

void worker_init(struct worker *w, const char *root)
{
	memset(w, 0, sizeof *w);
	config_init(&w->cfg, root);
	w->db = db_new();
	w->db_generation = w->cfg.generation - 1;
}

void worker_free(struct worker *w)
{
	serial_remember(NULL);
	db_free(w->db);
	config_free(&w->cfg);
}

static void worker_refresh(struct worker *w)
{
	config_refresh(&w->cfg);
	if (w->db_generation == w->cfg.generation)
		return;
	struct db_settings s;
	db_settings_from_config(&s, &w->cfg);
	db_configure(w->db, &s);
	db_settings_free(&s);
	w->db_generation = w->cfg.generation;
	serial_remember(NULL); /* another database may hold another serial */
}

void worker_serve(struct worker *w, struct req *r, const char *query, const char *peer,
		  const char *xff, bool from_cli)
{
	static unsigned long requests;
	worker_refresh(w);
	req_init(r, &w->cfg, w->db);
	r->seq = ++requests;
	r->from_cli = from_cli;
	r->query = query;
	r->now = clock_now();
	snprintf(r->peer_ip, sizeof r->peer_ip, "%s", from_cli || !peer || !*peer ? "127.0.0.1" : peer);
	if (from_cli)
		snprintf(r->remote_ip, sizeof r->remote_ip, "127.0.0.1");
	else
		front_client_ip(&w->cfg, peer, xff, r->remote_ip, sizeof r->remote_ip);
	enum query_status st = query_decode(query, &r->params);
	if (st != QUERY_OK) {
		r->reply.status = 400;
		reply_text(r, query_error_reply(st));
		return;
	}
	front_handle(r);
}

const char *front_root(const char *cli_root)
{
	if (cli_root && *cli_root)
		return cli_root;
	const char *env = getenv("UBAPI_ROOT");
	return env && *env ? env : UBAPI_DEFAULT_ROOT;
}
