/* Multinet handler generation (spec actions-network.md §1). PHP builds each
 * file with string replacement and writes whatever the rows hold; here a
 * row whose values would break dhcpd's parser (or inject statements) is
 * dropped with a log line, and every file is replaced by rename, so dhcpd
 * restarted by anyone never reads half a file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "multinet.h"
#include "networks.h"
#include "runcmd.h"
#include "switches.h"
#include "util.h"
#include "validate.h"
#include "weblog.h"

#define TPL_OPT82                                                                                  \
	"\nclass \"{HOSTNAME}\" {\nmatch if binary-to-ascii (16, 8, \"\", option agent.remote-id) = " \
	"\"{REMOTEID}\" and binary-to-ascii (10, 8, \"\", option agent.circuit-id) = \"{CIRCUITID}\";\n}" \
	"\n\npool {\nrange {IP};\nallow members of \"{HOSTNAME}\";\n}\n\n"
#define TPL_VPU                                                                                    \
	"\nclass \"{HOSTNAME}\" { match if binary-to-ascii (16, 8, \"\", option agent.remote-id) = "  \
	"\"{REMOTEID}\" and binary-to-ascii(10, 16, \"\", substring(option agent.circuit-id,2,2)) = "  \
	"\"{CIRCUITID}\"; }\npool {\nrange {IP};\nallow members of \"{HOSTNAME}\";\n}\n\n"
#define TPL_BDCOM                                                                                  \
	"\nclass \"{HOSTNAME}\" { match if binary-to-ascii(16,8,\":\",substring(option agent.remote-id," \
	"0,6)) = \"{CIRCUITID}\"; }\npool {\nrange {IP};\nallow members of \"{HOSTNAME}\";\n}\n\n"
#define TPL_ZTE                                                                                    \
	"\nclass \"{HOSTNAME}\" { match if substring(option agent.circuit-id,49,12) = \"{CIRCUITID}\"; " \
	"}\npool {\nrange {IP};\nallow members of \"{HOSTNAME}\";\n}\n\n"

enum { N_ID, N_START, N_END, N_DESC, N_TYPE };
enum { D_ID, D_NETID, D_CONFIG, D_CONFNAME };
enum { H_ID, H_NETID, H_IP, H_MAC, H_OPTION };
enum { U_LOGIN, U_IP, U_PASSWORD };

struct mn {
	struct req *r;
	struct db_rows nets, dhcp, hosts, users;
	struct pmap net_by_id, dhcp_by_net;
	struct pmap ip_owner; /* IP => login, the later user wins (array_flip) */
	struct pmap ip_first; /* IP => login, the first user (SELECT ... WHERE IP) */
	struct multinet_result *res;
};

void php_str_ireplace(struct sbuf *subject, const char *search, const char *replace)
{
	size_t sl = strlen(search);
	if (!sl || subject->len < sl)
		return;
	struct sbuf out = SBUF_INIT;
	size_t i = 0, last = 0;
	bool hit = false;
	while (i + sl <= subject->len) {
		if (strncasecmp(subject->s + i, search, sl) == 0) {
			sbuf_add(&out, subject->s + last, i - last);
			sbuf_puts(&out, replace);
			i += sl;
			last = i;
			hit = true;
		} else {
			i++;
		}
	}
	if (!hit)
		return;
	sbuf_add(&out, subject->s + last, subject->len - last);
	sbuf_free(subject);
	*subject = out;
}

void multinet_mask(const char *bits, char out[16])
{
	bool is_int = false;
	long long n = 0;
	unsigned long m = 0;
	if (bits && php_numeric(bits, &is_int, &n, NULL) && is_int && n >= 1 && n <= 31)
		m = (0xFFFFFFFFul << (32 - n)) & 0xFFFFFFFFul;
	snprintf(out, 16, "%lu.%lu.%lu.%lu", (m >> 24) & 255, (m >> 16) & 255, (m >> 8) & 255, m & 255);
}

static const char *cell(const struct db_rows *rows, size_t i, size_t c)
{
	const char *v = db_cell(rows, i, c);
	return v ? v : "";
}

/* Characters that end a string, a statement or a block in dhcpd.conf */
static bool val_safe(const char *s)
{
	return !strpbrk(s, "\";{}\r\n");
}

/* A host declaration name: one bare word */
static bool name_safe(const char *s)
{
	return *s && !strpbrk(s, "\";{}\r\n \t#");
}

/* m10x0x0x5 from a checked dotted quad */
static void host_name(const char *ip, char out[20])
{
	size_t n = 0;
	out[n++] = 'm';
	for (const char *p = ip; *p && n < 19; p++)
		out[n++] = *p == '.' ? 'x' : *p;
	out[n] = '\0';
}

/* zb_rand_string(8) behind "unknown": [0-9a-z] */
static void unknown_name(char out[20])
{
	static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[8];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		unsigned long x = (unsigned long)time(NULL) ^ (unsigned long)getpid();
		for (size_t i = 0; i < sizeof rnd; i++, x = x * 6364136223846793005ul + 1442695040888963407ul)
			rnd[i] = (unsigned char)(x >> 33);
	}
	memcpy(out, "unknown", 7);
	for (size_t i = 0; i < 8; i++)
		out[7 + i] = set[rnd[i] % 36];
	out[15] = '\0';
}

/* int2ip(ip2int(ip) + 1), PHP's arithmetic, so 255.255.255.255 gives 256.0.0.0 */
static void ip_next(const char *ip, char out[32])
{
	unsigned a = 0, b = 0, c = 0, d = 0;
	sscanf(ip, "%u.%u.%u.%u", &a, &b, &c, &d);
	unsigned long long v = (((unsigned long long)a * 256 + b) * 256 + c) * 256 + d + 1;
	unsigned long long s1 = v / 256, i1 = v - 256 * s1, src = s1 / 256, i2 = s1 - 256 * src;
	s1 = src / 256;
	snprintf(out, 32, "%llu.%llu.%llu.%llu", s1, src - 256 * s1, i2, i1);
}

static void skip_host(const char *what, const char *netid, const char *ip, const char *why)
{
	syslog(LOG_WARNING, "ubapi: handlersrebuild: %s network %s: host %.64s skipped: %s", what, netid, ip,
	       why);
}

/* --- files ---------------------------------------------------------------- */

static char *multinet_file(struct mn *m, const char *name)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "multinet/%s", name);
	char *path = cfg_path(m->r->cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	return path;
}

static void put_file(struct mn *m, const char *name, const struct sbuf *body)
{
	char *path = multinet_file(m, name);
	if (file_put(path, sbuf_str(body), body->len, 0) != 0) {
		syslog(LOG_ERR, "ubapi: handlersrebuild: cannot write %s: %s", path, strerror(errno));
		m->res->write_failures++;
	}
	free(path);
}

/* PHP's file_write_contents: a sibling .lock file while writing. A lock
 * left by a dead writer is waited for a bounded time, then broken. */
static void put_file_locked(struct mn *m, const char *name, const struct sbuf *body)
{
	char *path = multinet_file(m, name);
	struct sbuf lock = SBUF_INIT;
	sbuf_printf(&lock, "%s.lock", path);
	long wait_ms = cfg_ubapi_long(m->r->cfg, "dhcpd_lock_wait_ms", 10000);
	if (wait_ms < 0 || wait_ms > 600000)
		wait_ms = 10000;
	struct timespec step = { 0, 50 * 1000000L };
	for (long waited = 0; access(sbuf_str(&lock), F_OK) == 0; waited += 50) {
		if (waited >= wait_ms) {
			syslog(LOG_WARNING, "ubapi: handlersrebuild: breaking stale %s", sbuf_str(&lock));
			break;
		}
		nanosleep(&step, NULL);
	}
	int fd = open(sbuf_str(&lock), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0664);
	if (fd >= 0) {
		if (write(fd, "lock", 4) != 4)
			syslog(LOG_WARNING, "ubapi: handlersrebuild: short write to %s", sbuf_str(&lock));
		close(fd);
	}
	if (file_put(path, sbuf_str(body), body->len, 0) != 0) {
		syslog(LOG_ERR, "ubapi: handlersrebuild: cannot write %s: %s", path, strerror(errno));
		m->res->write_failures++;
	}
	if (fd >= 0)
		unlink(sbuf_str(&lock));
	sbuf_free(&lock);
	free(path);
}

/* The file's text, NULL when unreadable; with a fallback, also for a
 * PHP-empty ("" or "0") file. */
static char *read_template(struct mn *m, const char *rel, const char *fallback)
{
	char *path = cfg_path(m->r->cfg, rel);
	size_t len = 0;
	char *t = file_get(path, &len);
	free(path);
	if (fallback && (!t || !php_truthy(t))) {
		free(t);
		return xstrdup(fallback);
	}
	return t ? t : xstrdup("");
}

/* confname names a file in multinet/: PHP-empty means "no handler"; a
 * path would write outside multinet/ */
static bool conf_ok(const char *confname, const char *netid)
{
	if (!php_truthy(confname))
		return false;
	if (!dn_name_ok(confname)) {
		syslog(LOG_WARNING, "ubapi: handlersrebuild: network %s: confname is not a file name", netid);
		return false;
	}
	return true;
}

/* --- loading -------------------------------------------------------------- */

static int mn_load(struct mn *m)
{
	struct db *db = m->r->db;
	if (db_query(db, &m->nets, "SELECT `id`,`startip`,`endip`,`desc`,`nettype` FROM `networks` ORDER BY `id`",
		     "") != 0 ||
	    db_query(db, &m->dhcp, "SELECT `id`,`netid`,`dhcpconfig`,`confname` FROM `dhcp` ORDER BY `id`", "") != 0 ||
	    db_query(db, &m->hosts, "SELECT `id`,`netid`,`ip`,`mac`,`option` FROM `nethosts` ORDER BY `id`", "") != 0 ||
	    db_query(db, &m->users, "SELECT `login`,`IP`,`Password` FROM `users` ORDER BY `login`", "") != 0)
		return -1;
	for (size_t i = 0; i < m->nets.nrows; i++)
		pmap_put(&m->net_by_id, cell(&m->nets, i, N_ID), i);
	for (size_t i = 0; i < m->dhcp.nrows; i++)
		pmap_put(&m->dhcp_by_net, cell(&m->dhcp, i, D_NETID), i);
	for (size_t i = 0; i < m->users.nrows; i++) {
		if (db_cell(&m->users, i, U_IP))
			pmap_put(&m->ip_owner, db_cell(&m->users, i, U_IP), i);
	}
	/* putting in reverse leaves the first row as each key's value */
	for (size_t i = m->users.nrows; i-- > 0;) {
		if (db_cell(&m->users, i, U_IP))
			pmap_put(&m->ip_first, db_cell(&m->users, i, U_IP), i);
	}
	pmap_done(&m->net_by_id);
	pmap_done(&m->dhcp_by_net);
	pmap_done(&m->ip_owner);
	pmap_done(&m->ip_first);
	return 0;
}

static void mn_free(struct mn *m)
{
	db_rows_free(&m->nets);
	db_rows_free(&m->dhcp);
	db_rows_free(&m->hosts);
	db_rows_free(&m->users);
	pmap_free(&m->net_by_id);
	pmap_free(&m->dhcp_by_net);
	pmap_free(&m->ip_owner);
	pmap_free(&m->ip_first);
}

/* The login owning ip (the later user for a shared IP), or NULL */
static const char *owner(const struct mn *m, const char *ip)
{
	long k = pmap_find(&m->ip_owner, ip);
	return k < 0 ? NULL : cell(&m->users, (size_t)k, U_LOGIN);
}

/* --- per-network handlers ------------------------------------------------- */

static void build_static(struct mn *m, const char *netid, const char *confname, bool ddns)
{
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < m->hosts.nrows; i++) {
		if (strcmp(cell(&m->hosts, i, H_NETID), netid) != 0)
			continue;
		const char *ip = cell(&m->hosts, i, H_IP), *mac = db_cell(&m->hosts, i, H_MAC);
		if (!valid_ipv4(ip)) {
			skip_host("dhcpstatic", netid, ip, "not an IPv4 address");
			continue;
		}
		if (!mac || !mac_valid(mac)) {
			skip_host("dhcpstatic", netid, ip, "no valid MAC");
			continue;
		}
		char hn[20];
		const char *name = hn;
		if (!ddns) {
			host_name(ip, hn);
		} else if ((name = owner(m, ip)) == NULL) {
			unknown_name(hn);
			name = hn;
		} else if (!name_safe(name)) {
			skip_host("dhcpstatic", netid, ip, "login is not usable as a host name");
			continue;
		}
		sbuf_printf(&out, "\n   host %s {\n   hardware ethernet %s;\n   fixed-address %s;\n   }\n", name, mac, ip);
	}
	put_file(m, confname, &out);
	sbuf_free(&out);
}

static int build_opt82(struct mn *m, const char *netid, const char *confname)
{
	struct db_rows rows;
	if (db_query(m->r->db, &rows,
		     "SELECT `login`,`users`.`IP` AS `ip`,`option`,`port`,`switches`.`ip` AS `swip`,`swid` "
		     "FROM `users` INNER JOIN `nethosts` USING (`ip`) "
		     "LEFT JOIN `switchportassign` USING (`login`) "
		     "LEFT JOIN `switches` ON (`switchportassign`.`switchid`=`switches`.`id`) "
		     "WHERE `netid`=? ORDER BY `nethosts`.`id`,`switchportassign`.`id`",
		     "s", netid) != 0)
		return -1;
	char *tpl = read_template(m, "config/dhcp/option82.template", TPL_OPT82);
	/* PHP's own test: case-sensitive, and {PORT}, not {SWITCHPORT} */
	bool switch_macros = strstr(tpl, "{SWITCHIP}") || strstr(tpl, "{SWITCHMAC}") || strstr(tpl, "{PORT}");
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *ip = cell(&rows, i, 1), *opt = cell(&rows, i, 2), *port = cell(&rows, i, 3);
		const char *swip = cell(&rows, i, 4), *swid = cell(&rows, i, 5);
		if (!valid_ipv4(ip)) {
			skip_host("dhcp82", netid, ip, "not an IPv4 address");
			continue;
		}
		const char *bar = strchr(opt, '|');
		if (!bar && !switch_macros)
			continue;
		if (!val_safe(opt) || !val_safe(port) || !val_safe(swip) || !val_safe(swid)) {
			skip_host("dhcp82", netid, ip, "option or switch data holds dhcpd syntax");
			continue;
		}
		char hn[20];
		host_name(ip, hn);
		struct sbuf t = SBUF_INIT;
		sbuf_puts(&t, tpl);
		php_str_ireplace(&t, "{HOSTNAME}", hn);
		if (bar) {
			const char *end = strchr(bar + 1, '|');
			char *remote = xstrndup(opt, (size_t)(bar - opt));
			char *circuit = end ? xstrndup(bar + 1, (size_t)(end - bar - 1)) : xstrdup(bar + 1);
			php_str_ireplace(&t, "{REMOTEID}", remote);
			php_str_ireplace(&t, "{CIRCUITID}", circuit);
			free(remote);
			free(circuit);
		}
		php_str_ireplace(&t, "{IP}", ip);
		php_str_ireplace(&t, "{SWITCHIP}", swip);
		php_str_ireplace(&t, "{SWITCHMAC}", swid);
		php_str_ireplace(&t, "{SWITCHPORT}", port);
		sbuf_add(&out, sbuf_str(&t), t.len);
		sbuf_free(&t);
	}
	put_file(m, confname, &out);
	sbuf_free(&out);
	free(tpl);
	db_rows_free(&rows);
	return 0;
}

/* One option 82 class and pool: the template's macros replaced in PHP's
 * order (str_ireplace one after the other); remote NULL leaves {REMOTEID}. */
static void add_class_host(struct sbuf *out, const char *tpl, const char *ip, const char *circuit,
			   const char *remote)
{
	char hn[20];
	host_name(ip, hn);
	struct sbuf t = SBUF_INIT;
	sbuf_puts(&t, tpl);
	php_str_ireplace(&t, "{HOSTNAME}", hn);
	php_str_ireplace(&t, "{CIRCUITID}", circuit);
	php_str_ireplace(&t, "{IP}", ip);
	if (remote)
		php_str_ireplace(&t, "{REMOTEID}", remote);
	sbuf_add(out, sbuf_str(&t), t.len);
	sbuf_free(&t);
}

static int build_vpu(struct mn *m, const char *netid, const char *confname)
{
	struct db_rows vlans;
	if (db_query(m->r->db, &vlans, "SELECT `login`,`vlan` FROM `vlanhosts` ORDER BY `id`", "") != 0)
		return -1;
	bool err = false;
	char *remote = db_value(m->r->db, &err,
				"SELECT `remote-id` FROM `vlan_terminators` WHERE `netid`=? ORDER BY `id` LIMIT 1", "s",
				netid);
	if (err) {
		db_rows_free(&vlans);
		return -1;
	}
	struct pmap by_login = { 0 };
	for (size_t i = 0; i < vlans.nrows; i++)
		pmap_put(&by_login, cell(&vlans, i, 0), i);
	pmap_done(&by_login);
	char *tpl = read_template(m, "config/dhcp/option82_vpu.template", TPL_VPU);
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < m->hosts.nrows; i++) {
		if (strcmp(cell(&m->hosts, i, H_NETID), netid) != 0)
			continue;
		const char *ip = cell(&m->hosts, i, H_IP), *login = owner(m, ip);
		long k = login ? pmap_find(&by_login, login) : -1;
		/* isset() and empty(): a NULL, 0 or missing vlan is no vlan */
		const char *vlan = k < 0 ? NULL : db_cell(&vlans, (size_t)k, 1);
		if (!php_truthy(vlan))
			continue;
		if (!valid_ipv4(ip) || !val_safe(vlan) || !val_safe(remote ? remote : "")) {
			skip_host("dhcp82_vpu", netid, ip, "address, vlan or remote-id holds dhcpd syntax");
			continue;
		}
		add_class_host(&out, tpl, ip, vlan, remote ? remote : "");
	}
	put_file(m, confname, &out);
	sbuf_free(&out);
	free(tpl);
	free(remote);
	pmap_free(&by_login);
	db_rows_free(&vlans);
	return 0;
}

/* login => the last pononu row: login, mac, serial, oltid */
static int load_onus(struct mn *m, struct db_rows *onus, struct pmap *by_login)
{
	if (db_query(m->r->db, onus, "SELECT `login`,`mac`,`serial`,`oltid` FROM `pononu` ORDER BY `id`", "") != 0)
		return -1;
	for (size_t i = 0; i < onus->nrows; i++)
		pmap_put(by_login, cell(onus, i, 0), i);
	pmap_done(by_login);
	return 0;
}

/* BDCOM's circuit id: each octet loses one leading zero ("0a:00" -> "a:0") */
static void bdcom_id(const char *mac, struct sbuf *out)
{
	const char *p = mac;
	for (;;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n && *p == '0')
			sbuf_add(out, p + 1, n - 1);
		else
			sbuf_add(out, p, n);
		if (!e)
			break;
		sbuf_putc(out, ':');
		p = e + 1;
	}
	sbuf_puts(out, "");
}

static int build_bdcom(struct mn *m, const char *netid, const char *confname)
{
	struct db_rows onus;
	struct pmap by_login = { 0 };
	if (load_onus(m, &onus, &by_login) != 0)
		return -1;
	char *tpl = read_template(m, "config/dhcp/option82_bdcom.template", TPL_BDCOM);
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < m->hosts.nrows; i++) {
		if (strcmp(cell(&m->hosts, i, H_NETID), netid) != 0)
			continue;
		const char *ip = cell(&m->hosts, i, H_IP), *login = owner(m, ip);
		long k = login ? pmap_find(&by_login, login) : -1;
		if (k < 0)
			continue;
		const char *mac = cell(&onus, (size_t)k, 1);
		if (!valid_ipv4(ip) || !val_safe(mac)) {
			skip_host("dhcp82_bdcom", netid, ip, "address or ONU MAC holds dhcpd syntax");
			continue;
		}
		struct sbuf id = SBUF_INIT;
		bdcom_id(mac, &id);
		add_class_host(&out, tpl, ip, sbuf_str(&id), NULL);
		sbuf_free(&id);
	}
	put_file(m, confname, &out);
	sbuf_free(&out);
	free(tpl);
	pmap_free(&by_login);
	db_rows_free(&onus);
	return 0;
}

/* OLT id => [signal] SIGNALMODE of its SNMP template (only where the stock
 * template file exists, the private copy replacing it) */
struct olt_modes {
	struct db_rows olts;
	char **mode;
	struct pmap by_id;
};

static int load_olt_modes(struct mn *m, struct olt_modes *o)
{
	if (db_query(m->r->db, &o->olts,
		     "SELECT `switches`.`id`,`switchmodels`.`snmptemplate` FROM `switches` "
		     "LEFT JOIN `switchmodels` ON (`switches`.`modelid`=`switchmodels`.`id`) "
		     "WHERE `switches`.`desc` LIKE '%OLT%' ORDER BY `switches`.`id`",
		     "") != 0)
		return -1;
	o->mode = xcalloc(o->olts.nrows ? o->olts.nrows : 1, sizeof *o->mode);
	for (size_t i = 0; i < o->olts.nrows; i++) {
		const char *name = cell(&o->olts, i, 1);
		pmap_put(&o->by_id, cell(&o->olts, i, 0), i);
		if (!tpl_name_ok(name))
			continue;
		struct sbuf rel = SBUF_INIT;
		sbuf_printf(&rel, "config/snmptemplates/%s", name);
		char *base = cfg_path(m->r->cfg, sbuf_str(&rel));
		sbuf_free(&rel);
		bool exists = access(base, F_OK) == 0;
		free(base);
		if (!exists)
			continue;
		struct tpl *t = tpl_load_for_model(m->r->cfg, name);
		const char *v = t ? tpl_get(t, "signal", "SIGNALMODE") : NULL;
		o->mode[i] = v ? xstrdup(v) : NULL;
		tpl_free(t);
	}
	pmap_done(&o->by_id);
	return 0;
}

static void olt_modes_free(struct olt_modes *o)
{
	for (size_t i = 0; i < o->olts.nrows && o->mode; i++)
		free(o->mode[i]);
	free(o->mode);
	pmap_free(&o->by_id);
	db_rows_free(&o->olts);
}

static int build_zte(struct mn *m, const char *netid, const char *confname)
{
	struct db_rows onus;
	struct pmap by_login = { 0 };
	struct olt_modes olts;
	memset(&olts, 0, sizeof olts);
	if (load_onus(m, &onus, &by_login) != 0)
		return -1;
	if (load_olt_modes(m, &olts) != 0) {
		olt_modes_free(&olts);
		pmap_free(&by_login);
		db_rows_free(&onus);
		return -1;
	}
	char *tpl = read_template(m, "config/dhcp/option82_zte.template", TPL_ZTE);
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < m->hosts.nrows; i++) {
		if (strcmp(cell(&m->hosts, i, H_NETID), netid) != 0)
			continue;
		const char *ip = cell(&m->hosts, i, H_IP), *login = owner(m, ip);
		long k = login ? pmap_find(&by_login, login) : -1;
		if (k < 0)
			continue;
		long o = pmap_find(&olts.by_id, cell(&onus, (size_t)k, 3));
		const char *mode = o < 0 ? NULL : olts.mode[o];
		const char *ident = NULL;
		if (mode && strcmp(mode, "ZTE") == 0)
			ident = cell(&onus, (size_t)k, 1);
		else if (mode && strcmp(mode, "ZTE_GPON") == 0 && php_truthy(db_cell(&onus, (size_t)k, 2)))
			ident = cell(&onus, (size_t)k, 2);
		if (!ident)
			continue;
		if (!valid_ipv4(ip) || !val_safe(ident)) {
			skip_host("dhcp82_zte", netid, ip, "address or ONU identifier holds dhcpd syntax");
			continue;
		}
		struct sbuf id = SBUF_INIT;
		for (const char *p = ident; *p; p++) {
			if (*p != ':')
				sbuf_putc(&id, (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p);
		}
		add_class_host(&out, tpl, ip, sbuf_str(&id), NULL);
		sbuf_free(&id);
	}
	put_file(m, confname, &out);
	sbuf_free(&out);
	free(tpl);
	olt_modes_free(&olts);
	pmap_free(&by_login);
	db_rows_free(&onus);
	return 0;
}

static void build_ppp(struct mn *m, const char *netid, bool dynamic)
{
	struct sbuf out = SBUF_INIT;
	for (size_t i = 0; i < m->hosts.nrows; i++) {
		if (strcmp(cell(&m->hosts, i, H_NETID), netid) != 0)
			continue;
		const char *ip = cell(&m->hosts, i, H_IP);
		long k = pmap_find(&m->ip_first, ip);
		const char *login = k < 0 ? "" : cell(&m->users, (size_t)k, U_LOGIN);
		const char *pw = k < 0 ? "" : cell(&m->users, (size_t)k, U_PASSWORD);
		/* one secret a line: a line break in a value would forge another */
		if (!valid_ipv4(ip) || strpbrk(login, "\r\n") || strpbrk(pw, "\r\n")) {
			skip_host(dynamic ? "pppdynamic" : "pppstatic", netid, ip, "bad address or a line break");
			continue;
		}
		if (dynamic)
			sbuf_printf(&out, "%s %s\n", login, pw);
		else
			sbuf_printf(&out, "%s %s %s\n", login, pw, ip);
	}
	struct sbuf name = SBUF_INIT;
	sbuf_printf(&name, "ppp.%s.%s", netid, dynamic ? "dynamic" : "static");
	put_file(m, sbuf_str(&name), &out);
	sbuf_free(&name);
	sbuf_free(&out);
}

/* --- the global dhcpd.conf ------------------------------------------------ */

/* deny members of "mAxBxCxD"; for every valid address in column 0 */
static int deny_lines(struct mn *m, const char *sql, struct sbuf *out)
{
	struct db_rows rows;
	if (db_query(m->r->db, &rows, sql, "") != 0)
		return -1;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *ip = cell(&rows, i, 0);
		if (!valid_ipv4(ip)) {
			skip_host("deny members", "-", ip, "not an IPv4 address");
			continue;
		}
		char hn[20];
		host_name(ip, hn);
		sbuf_printf(out, "deny members of \"%s\";\n", hn);
	}
	db_rows_free(&rows);
	return 0;
}

static void build_subnets(struct mn *m, const char *subnet_tpl, struct sbuf *subnets)
{
	for (size_t i = 0; i < m->dhcp_by_net.n; i++) {
		const struct pmap_ent *e = pmap_at(&m->dhcp_by_net, i);
		long n = pmap_find(&m->net_by_id, e->key);
		const char *confname = db_cell(&m->dhcp, e->idx, D_CONFNAME);
		if (n < 0 || !confname)
			continue;
		const char *start = cell(&m->nets, (size_t)n, N_START), *end = cell(&m->nets, (size_t)n, N_END);
		const char *desc = cell(&m->nets, (size_t)n, N_DESC);
		/* an empty confname stays (PHP includes it); a path was never written */
		bool name_bad = *confname && !dn_name_ok(confname);
		if (!net_cidr_valid(desc) || !valid_ipv4(start) || !val_safe(end) || !val_safe(confname) || name_bad) {
			syslog(LOG_WARNING,
			       "ubapi: handlersrebuild: network %s left out of dhcpd.conf: bad CIDR, start IP, end IP or confname",
			       e->key);
			continue;
		}
		const char *slash = strchr(desc, '/');
		char *network = xstrndup(desc, (size_t)(slash - desc));
		char routers[32], mask[16];
		ip_next(start, routers);
		multinet_mask(slash + 1, mask);
		const char *own = db_cell(&m->dhcp, e->idx, D_CONFIG);
		struct sbuf t = SBUF_INIT;
		sbuf_puts(&t, php_truthy(own) ? own : subnet_tpl);
		php_str_ireplace(&t, "{STARTIP}", start);
		php_str_ireplace(&t, "{ENDIP}", end);
		php_str_ireplace(&t, "{CIDR}", slash + 1);
		php_str_ireplace(&t, "{NETWORK}", network);
		php_str_ireplace(&t, "{ROUTERS}", routers);
		php_str_ireplace(&t, "{MASK}", mask);
		php_str_ireplace(&t, "{HOSTS}", confname);
		sbuf_add(subnets, sbuf_str(&t), t.len);
		sbuf_putc(subnets, '\n');
		sbuf_free(&t);
		free(network);
	}
}

static int build_global(struct mn *m)
{
	char *global_tpl = read_template(m, "config/dhcp/global.template", NULL);
	char *subnet_tpl = read_template(m, "config/dhcp/subnets.template", NULL);
	struct sbuf subnets = SBUF_INIT, deny = SBUF_INIT, vlan = SBUF_INIT, onu = SBUF_INIT, conf = SBUF_INIT;
	int rc = 0;
	build_subnets(m, subnet_tpl, &subnets);
	if (deny_lines(m, "SELECT `ip` FROM `nethosts` WHERE `option` != 'NULL' ORDER BY `id`", &deny) != 0)
		rc = -1;
	if (rc == 0 && php_truthy(cfg_alter(m->r->cfg, "VLANGEN_SUPPORT", "")) &&
	    deny_lines(m, "SELECT `IP` FROM `users` WHERE `login` IN (SELECT `login` FROM `vlanhosts`) ORDER BY `login`",
		       &vlan) != 0)
		rc = -1;
	if (rc == 0 && deny_lines(m,
				  "SELECT `ip` FROM `nethosts` WHERE `netid` IN (SELECT `id` FROM `networks` "
				  "WHERE `nettype`='dhcp82_bdcom' OR `nettype`='dhcp82_zte') ORDER BY `id`",
				  &onu) != 0)
		rc = -1;
	if (rc == 0) {
		sbuf_puts(&conf, global_tpl);
		php_str_ireplace(&conf, "{SUBNETS}", sbuf_str(&subnets));
		php_str_ireplace(&conf, "{DENYMEMBERS}", sbuf_str(&deny));
		php_str_ireplace(&conf, "{DENYVLANGENMEMBERS}", sbuf_str(&vlan));
		php_str_ireplace(&conf, "{DENYONUMEMBERS}", sbuf_str(&onu));
		put_file_locked(m, "dhcpd.conf", &conf);
	}
	sbuf_free(&subnets);
	sbuf_free(&deny);
	sbuf_free(&vlan);
	sbuf_free(&onu);
	sbuf_free(&conf);
	free(global_tpl);
	free(subnet_tpl);
	return rc;
}

/* <SUDO> <RC_DHCPD> restart, as argv; output ignored, time bounded */
static void restart_dhcpd(struct mn *m)
{
	const struct config *cfg = m->r->cfg;
	const char *rc_dhcpd = cfg_billing(cfg, "RC_DHCPD", "");
	struct sbuf cmd = SBUF_INIT;
	sbuf_printf(&cmd, "%s %s", cfg_billing(cfg, "SUDO", ""), rc_dhcpd);
	size_t argc = 0;
	char **argv = spawn_argv_split(sbuf_str(&cmd), 1, &argc);
	sbuf_free(&cmd);
	if (strspn(rc_dhcpd, " \t") == strlen(rc_dhcpd)) {
		syslog(LOG_WARNING, "ubapi: handlersrebuild: RC_DHCPD is empty, dhcpd not restarted");
	} else {
		argv[argc++] = xstrdup("restart");
		argv[argc] = NULL;
		long timeout_s = cfg_ubapi_long(cfg, "dhcpd_restart_timeout_s", 60);
		if (timeout_s < 1 || timeout_s > 3600)
			timeout_s = 60;
		struct sbuf out = SBUF_INIT;
		struct spawn_result res;
		if (spawn_run(argv, (int)timeout_s * 1000, 65536, &out, &res) != 0 || res.status != 0)
			syslog(LOG_WARNING, "ubapi: handlersrebuild: %s restart failed (status %d%s)", argv[0],
			       res.status, res.timed_out ? ", timed out" : "");
		sbuf_free(&out);
	}
	spawn_argv_free(argv);
	m->res->restarted = true;
	weblog(m->r, "DHCPD RESTART");
}

int multinet_rebuild_all(struct req *r, struct multinet_result *res)
{
	const struct config *cfg = r->cfg;
	bool dhcp = php_truthy(cfg_alter(cfg, "DHCP_ENABLED", ""));
	bool opt82 = php_truthy(cfg_alter(cfg, "OPT82_ENABLED", ""));
	bool ppp = php_truthy(cfg_alter(cfg, "PPP_ENABLED", ""));
	bool ddns = php_truthy(cfg_alter(cfg, "DHCP_DDNS_ENABLED", ""));
	struct mn m;
	memset(&m, 0, sizeof m);
	memset(res, 0, sizeof *res);
	m.r = r;
	m.res = res;
	int rc = mn_load(&m);
	for (size_t i = 0; rc == 0 && i < m.nets.nrows; i++) {
		const char *id = cell(&m.nets, i, N_ID), *type = cell(&m.nets, i, N_TYPE);
		long d = pmap_find(&m.dhcp_by_net, id);
		const char *confname = d < 0 ? NULL : db_cell(&m.dhcp, (size_t)d, D_CONFNAME);
		bool is82 = str_has_prefix(type, "dhcp82");
		if (strcmp(type, "pppstatic") == 0 || strcmp(type, "pppdynamic") == 0) {
			if (ppp)
				build_ppp(&m, id, type[3] == 'd');
			continue;
		}
		if (!(strcmp(type, "dhcpstatic") == 0 ? dhcp : is82 && opt82) || d < 0 || !conf_ok(confname, id))
			continue;
		if (strcmp(type, "dhcpstatic") == 0)
			build_static(&m, id, confname, ddns);
		else if (strcmp(type, "dhcp82") == 0)
			rc = build_opt82(&m, id, confname);
		else if (strcmp(type, "dhcp82_vpu") == 0)
			rc = build_vpu(&m, id, confname);
		else if (strcmp(type, "dhcp82_bdcom") == 0)
			rc = build_bdcom(&m, id, confname);
		else if (strcmp(type, "dhcp82_zte") == 0)
			rc = build_zte(&m, id, confname);
	}
	if (rc == 0 && (dhcp || opt82)) {
		rc = build_global(&m);
		if (rc == 0 && dhcp)
			restart_dhcpd(&m);
	}
	mn_free(&m);
	return rc;
}
