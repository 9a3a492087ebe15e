#include "multigen.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "money.h"
#include "networks.h"
#include "runcmd.h"
#include "stardust.h"
#include "switches.h"
#include "ubcache.h"
#include "util.h"
#include "weblog.h"

#define MLG_LOCK "MULTIGEN"

enum { SC_CHECK, SC_REPLY, SC_GROUPREPLY, SC_N };
static const char *const sc_name[SC_N] = { "check", "reply", "groupreply" };
static const char *const sc_select[SC_N] = {
	"SELECT `username`,`attribute`,`value`,`op` FROM `mlg_check` ORDER BY `id`",
	"SELECT `username`,`attribute`,`value`,`op` FROM `mlg_reply` ORDER BY `id`",
	"SELECT `username`,`attribute`,`value`,`op` FROM `mlg_groupreply` ORDER BY `id`",
};
static const char *const sc_insert[SC_N] = {
	"INSERT INTO `mlg_check` (`id`,`username`,`attribute`,`op`,`value`) VALUES ",
	"INSERT INTO `mlg_reply` (`id`,`username`,`attribute`,`op`,`value`) VALUES ",
	"INSERT INTO `mlg_groupreply` (`id`,`username`,`attribute`,`op`,`value`) VALUES ",
};
static const char *const sc_delete[SC_N] = {
	"DELETE FROM `mlg_check` WHERE `username`=? AND `attribute`=?",
	"DELETE FROM `mlg_reply` WHERE `username`=? AND `attribute`=?",
	"DELETE FROM `mlg_groupreply` WHERE `username`=? AND `attribute`=?",
};
static const char *const sc_truncate[SC_N] = {
	"TRUNCATE TABLE `mlg_check`",
	"TRUNCATE TABLE `mlg_reply`",
	"TRUNCATE TABLE `mlg_groupreply`",
};
static const char *const sc_rename[SC_N] = {
	"UPDATE `mlg_check` SET `username`=? WHERE `username`=?",
	"UPDATE `mlg_reply` SET `username`=? WHERE `username`=?",
	"UPDATE `mlg_groupreply` SET `username`=? WHERE `username`=?",
};

/* Column widths of the scenario tables (username, attribute, op, value):
 * MySQL outside strict mode cuts longer text to these, so ubapi stores
 * exactly what PHP's INSERT leaves there on any server mode. */
static const size_t sc_width[4] = { 64, 64, 2, 253 };

#define INSERT_CHUNK 256

/* A table loaded as the server's strings, with PHP's $a[$row[key]] = $row. */
struct tbl {
	struct db_rows r;
	struct pmap m;
	bool loaded;
};

/* users columns */
enum { U_LOGIN, U_PASSIVE, U_DOWN, U_PASSWORD, U_AONLINE, U_TARIFF, U_CREDIT, U_CASH, U_IP, U_MAC };

struct ustate {
	const char *login;
	const char *prev; /* mlg_userstates.state; NULL for a login seen first now (3) */
	int cur;          /* 0/1, -1 = '' (no such user any more) */
	int changed;      /* 0 = '', 3 = new, -2 = an attribute changed */
};

struct pending {
	char **v; /* 4 per row */
	size_t n, cap;
};

struct mlg {
	struct req *r;
	const struct config *cfg;
	const char *logging;
	const char *radclient, *sudo;
	bool swassign, qinq, uqinq, netext, culpa;
	char id[12];
	char *logpath;
	struct tbl users, nethosts, networks, speeds, uspeeds, switches, swports, swqinq, qbind, svlan,
		realms, netexts, culpas, nas, attrs, opts, svcs, states;
	struct tbl cur[SC_N];
	char **curkeys[SC_N];
	struct ustate *st;
	size_t nst;
	struct pmap stm;
	struct pending pend[SC_N];
	struct mlg_queue *pod, *coa;
	bool dberr;
	/* multigenpod renders with the data it was given for this login */
	long ov_user;
	const char *ov_ip, *ov_mac;
};

static const char *cell(const struct tbl *t, size_t row, size_t col)
{
	const char *v = db_cell(&t->r, row, col);
	return v ? v : "";
}

static long tfind(const struct tbl *t, const char *key)
{
	return key ? pmap_find(&t->m, key) : -1;
}

static int tbl_load(struct mlg *m, struct tbl *t, const char *sql, size_t kcol)
{
	if (db_query(m->r->db, &t->r, sql, "") != 0) {
		m->dberr = true;
		return -1;
	}
	t->loaded = true;
	for (size_t i = 0; i < t->r.nrows; i++)
		pmap_put(&t->m, cell(t, i, kcol), i);
	pmap_done(&t->m);
	return 0;
}

static void tbl_free(struct tbl *t)
{
	if (t->loaded)
		db_rows_free(&t->r);
	pmap_free(&t->m);
	memset(t, 0, sizeof *t);
}

/* --- PHP value rules ------------------------------------------------------- */

static struct zval zs(const char *s)
{
	struct zval z = { .k = s ? Z_STR : Z_NULL, .s = s };
	return z;
}

static struct zval zi(long long i)
{
	struct zval z = { .k = Z_INT, .i = i };
	return z;
}

static bool eq_int(const char *s, long long i)
{
	struct zval a = zs(s), b = zi(i);
	return php_loose_eq(&a, &b);
}

static bool eq_str(const char *a, const char *b)
{
	struct zval x = zs(a), y = zs(b);
	return php_loose_eq(&x, &y);
}

/* PHP 8 $a <=> $b of two strings: numerically when both are numeric. */
static int cmp_str(const char *a, const char *b)
{
	double da, db;
	if (php_numeric(a, NULL, NULL, &da) && php_numeric(b, NULL, NULL, &db))
		return da < db ? -1 : da > db;
	int c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}

static bool php_empty(const char *s)
{
	return !php_truthy(s);
}

/* (float)"text": PHP's leading-numeric prefix, 0 when there is none. */
static double php_floatval(const char *s)
{
	const char *p = s;
	while (*p && strchr(" \t\n\r\v\f", *p))
		p++;
	const char *q = p;
	if (*q == '+' || *q == '-')
		q++;
	size_t nd = 0;
	while (isdigit((unsigned char)*q)) {
		q++;
		nd++;
	}
	if (*q == '.') {
		q++;
		while (isdigit((unsigned char)*q)) {
			q++;
			nd++;
		}
	}
	if (!nd)
		return 0;
	if (*q == 'e' || *q == 'E') {
		const char *e = q + 1;
		if (*e == '+' || *e == '-')
			e++;
		if (isdigit((unsigned char)*e)) {
			while (isdigit((unsigned char)*e))
				e++;
			q = e;
		}
	}
	char *t = xstrndup(p, (size_t)(q - p));
	double d = strtod(t, NULL);
	free(t);
	return d;
}

/* A number as PHP prints it: ints plainly, floats with precision 14. */
static void put_num(struct sbuf *b, bool is_int, long long iv, double dv)
{
	if (is_int)
		sbuf_printf(b, "%lld", iv);
	else
		phpnum_format(dv, b);
}

/* speed * mul [/ div]: a numeric string as PHP's arithmetic does it; NULL
 * and non-numeric text count as 0 (PHP 8 throws on "" and stops the run). */
static void speed_math(struct sbuf *b, const char *speed, long long mul, long long div)
{
	bool is_int = true;
	long long iv = 0;
	double dv = 0;
	if (!speed || !php_numeric(speed, &is_int, &iv, &dv)) {
		is_int = true;
		iv = 0;
		dv = 0;
	}
	long long r;
	if (is_int && !__builtin_mul_overflow(iv, mul, &r)) {
		if (div == 1 || r % div == 0) {
			put_num(b, true, r / div, 0);
			return;
		}
		put_num(b, false, 0, (double)r / (double)div);
		return;
	}
	double d = (is_int ? (double)iv : dv) * (double)mul / (double)div;
	put_num(b, false, 0, d);
}

/* ip2int() of Ubilling: four dotted parts cast to float, else 0. */
static void nas_secret(const char *ip, char out[13])
{
	const char *parts[4];
	size_t lens[4], n = 0;
	const char *p = ip;
	for (;;) {
		const char *d = strchr(p, '.');
		if (n < 4) {
			parts[n] = p;
			lens[n] = d ? (size_t)(d - p) : strlen(p);
		}
		n++;
		if (!d)
			break;
		p = d + 1;
	}
	double v = 0;
	if (n == 4) {
		double f[4];
		for (int i = 0; i < 4; i++) {
			char *t = xstrndup(parts[i], lens[i]);
			f[i] = php_floatval(t);
			free(t);
		}
		v = 256 * (256 * (f[0] * 256 + f[1]) + f[2]) + f[3];
	}
	struct sbuf b = SBUF_INIT;
	phpnum_format(v, &b);
	char hex[33];
	md5_hex(sbuf_str(&b), hex);
	sbuf_free(&b);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

/* long2ip(-1 << (32 - (int)$cidr)) */
static void cidr_mask(const char *cidr, char out[16])
{
	long long c = (long long)php_floatval(cidr);
	unsigned long m = 0;
	if (c >= 1 && c <= 32)
		m = (0xFFFFFFFFul << (32 - c)) & 0xFFFFFFFFul;
	snprintf(out, 16, "%lu.%lu.%lu.%lu", (m >> 24) & 255, (m >> 16) & 255, (m >> 8) & 255, m & 255);
}

/* "aabb.ccdd.eeff": colons dropped, groups of 4 joined by dots */
static void mac_dotted(const char *mac, struct sbuf *b, char sep)
{
	size_t k = 0;
	for (const char *p = mac; *p; p++) {
		if (*p == ':')
			continue;
		if (k && k % 4 == 0)
			sbuf_putc(b, sep);
		sbuf_putc(b, *p);
		k++;
	}
}

static void mac_minus(const char *mac, struct sbuf *b, bool caps)
{
	for (const char *p = mac; *p; p++)
		sbuf_putc(b, *p == ':' ? '-' : caps ? (char)toupper((unsigned char)*p) : *p);
}

/* str_replace(needle, val, *t) */
static void replace(struct sbuf *t, const char *needle, const char *val)
{
	if (!t->s || !strstr(t->s, needle))
		return;
	struct sbuf o = SBUF_INIT;
	size_t nl = strlen(needle);
	const char *p = t->s, *h;
	while ((h = strstr(p, needle)) != NULL) {
		sbuf_add(&o, p, (size_t)(h - p));
		sbuf_puts(&o, val);
		p = h + nl;
	}
	sbuf_puts(&o, p);
	sbuf_free(t);
	*t = o;
}

/* ^\{\w+\} */
static bool leading_macro(const char *v)
{
	if (v[0] != '{')
		return false;
	size_t i = 1;
	while (isalnum((unsigned char)v[i]) || v[i] == '_')
		i++;
	return i > 1 && v[i] == '}';
}

static void utf8_cut(char *s, size_t maxchars)
{
	size_t chars = 0;
	for (size_t i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == maxchars) {
				s[i] = '\0';
				return;
			}
			chars++;
		}
	}
}

/* --- log ------------------------------------------------------------------- */

static bool log_on(const struct mlg *m, int level)
{
	if (php_empty(m->logging))
		return false;
	double d;
	if (php_numeric(m->logging, NULL, NULL, &d))
		return d >= level;
	char lv[16];
	snprintf(lv, sizeof lv, "%d", level);
	return strcmp(m->logging, lv) >= 0;
}

__attribute__((format(printf, 3, 4))) static void mlg_log(struct mlg *m, int level, const char *fmt, ...)
{
	if (!log_on(m, level))
		return;
	char ts[32];
	clock_format_datetime(m->r->now, ts);
	struct sbuf b = SBUF_INIT;
	sbuf_printf(&b, "%s ", ts);
	va_list ap;
	va_start(ap, fmt);
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	sbuf_putc(&b, '\n');
	file_append(m->logpath, b.s, b.len);
	sbuf_free(&b);
}

/* --- setup and loading ----------------------------------------------------- */

static void mlg_init(struct mlg *m, struct req *r)
{
	memset(m, 0, sizeof *m);
	m->r = r;
	m->cfg = r->cfg;
	m->ov_user = -1;
	m->logging = cfg_alter(r->cfg, "MULTIGEN_LOGGING", "");
	m->radclient = cfg_alter(r->cfg, "MULTIGEN_RADCLIENT", "/usr/local/bin/radclient -r 3 -t 1");
	m->sudo = cfg_billing(r->cfg, "SUDO", "/usr/local/bin/sudo");
	m->swassign = php_truthy(cfg_alter(r->cfg, "SWITCHPORT_IN_PROFILE", ""));
	m->qinq = php_truthy(cfg_alter(r->cfg, "QINQ_ENABLED", ""));
	m->uqinq = php_truthy(cfg_alter(r->cfg, "UNIVERSAL_QINQ_ENABLED", ""));
	m->netext = php_truthy(cfg_alter(r->cfg, "NETWORKS_EXT", ""));
	m->culpa = php_truthy(cfg_alter(r->cfg, "MEACULPA_ENABLED", ""));
	m->logpath = exports_path(r->cfg, "multigen.log");
	static const char abc[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[8];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		unsigned long long seed = (unsigned long long)clock_mono_ms() ^ (unsigned long long)getpid();
		for (size_t i = 0; i < sizeof rnd; i++)
			rnd[i] = (unsigned char)(seed >> (i * 7));
	}
	memcpy(m->id, "MLG", 3);
	for (size_t i = 0; i < 8; i++)
		m->id[3 + i] = abc[rnd[i] % 36];
	m->id[11] = '\0';
}

static void mlg_free(struct mlg *m)
{
	struct tbl *all[] = { &m->users, &m->nethosts, &m->networks, &m->speeds, &m->uspeeds,
			      &m->switches, &m->swports, &m->swqinq, &m->qbind, &m->svlan, &m->realms,
			      &m->netexts, &m->culpas, &m->nas, &m->attrs, &m->opts, &m->svcs, &m->states };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		tbl_free(all[i]);
	for (int s = 0; s < SC_N; s++) {
		if (m->curkeys[s]) {
			for (size_t i = 0; i < m->cur[s].r.nrows; i++)
				free(m->curkeys[s][i]);
			free(m->curkeys[s]);
		}
		tbl_free(&m->cur[s]);
		for (size_t i = 0; i < m->pend[s].n * 4; i++)
			free(m->pend[s].v[i]);
		free(m->pend[s].v);
	}
	free(m->st);
	pmap_free(&m->stm);
	mlg_queue_free(m->pod);
	mlg_queue_free(m->coa);
	free(m->logpath);
}

/* username + US + attribute: the CUR[s][username][attribute] key */
static char *cur_key(const char *uname, const char *attr)
{
	size_t a = strlen(uname), b = strlen(attr);
	char *k = xmalloc(a + b + 2);
	memcpy(k, uname, a);
	k[a] = '\x1f';
	memcpy(k + a + 1, attr, b + 1);
	return k;
}

/* The NAS settings PHP's constructor loads. */
static int load_nas(struct mlg *m)
{
	if (tbl_load(m, &m->nas, "SELECT `id`,`netid`,`nasip` FROM `nas` ORDER BY `id`", 0) ||
	    tbl_load(m, &m->attrs,
		     "SELECT `id`,`nasid`,`scenario`,`modifier`,`attribute`,`operator`,`content` "
		     "FROM `mlg_nasattributes` ORDER BY `id`",
		     0) ||
	    tbl_load(m, &m->opts,
		     "SELECT `nasid`,`usernametype`,`service`,`onlyactive`,`port` FROM `mlg_nasoptions` ORDER BY `id`",
		     0) ||
	    tbl_load(m, &m->svcs, "SELECT `nasid`,`pod`,`coaconnect`,`coadisconnect` FROM `mlg_services` ORDER BY `id`",
		     0))
		return -1;
	return 0;
}

/* loadHugeRegenData */
static int load_regen(struct mlg *m)
{
	if (tbl_load(m, &m->users,
		     "SELECT u.`login`,u.`Passive`,u.`Down`,u.`Password`,u.`AlwaysOnline`,u.`Tariff`,u.`Credit`,"
		     "u.`Cash`,u.`IP`,n.`mac` FROM `users` u LEFT JOIN `nethosts` n ON n.`ip`=u.`IP` "
		     "ORDER BY u.`login`,n.`id`",
		     U_LOGIN) ||
	    tbl_load(m, &m->nethosts, "SELECT `ip`,`netid` FROM `nethosts` ORDER BY `id`", 0) ||
	    tbl_load(m, &m->networks, "SELECT `id`,`startip`,`endip`,`desc` FROM `networks` ORDER BY `id`", 0) ||
	    tbl_load(m, &m->speeds, "SELECT `tariff`,`speeddown`,`speedup` FROM `speeds` ORDER BY `id`", 0) ||
	    tbl_load(m, &m->uspeeds,
		     "SELECT `login`,`speed` FROM `userspeeds` WHERE `speed` NOT LIKE '0' ORDER BY `id`", 0) ||
	    tbl_load(m, &m->switches, "SELECT `id`,`ip`,`swid` FROM `switches` ORDER BY `id`", 0))
		return -1;
	if (m->swassign &&
	    tbl_load(m, &m->swports, "SELECT `login`,`switchid`,`port` FROM `switchportassign` ORDER BY `id`", 0))
		return -1;
	if (m->swassign && m->qinq &&
	    tbl_load(m, &m->swqinq, "SELECT `switchid`,`svlan_id`,`cvlan` FROM `switches_qinq` ORDER BY `switchid`", 0))
		return -1;
	if (m->uqinq &&
	    (tbl_load(m, &m->qbind, "SELECT `login`,`svlan_id`,`cvlan` FROM `qinq_bindings` ORDER BY `id`", 0) ||
	     tbl_load(m, &m->svlan, "SELECT `id`,`realm_id`,`svlan` FROM `qinq_svlan` ORDER BY `id`", 0) ||
	     tbl_load(m, &m->realms, "SELECT `id`,`realm` FROM `realms` ORDER BY `id`", 0)))
		return -1;
	for (int s = 0; s < SC_N; s++) {
		struct tbl *t = &m->cur[s];
		if (db_query(m->r->db, &t->r, sc_select[s], "") != 0) {
			m->dberr = true;
			return -1;
		}
		t->loaded = true;
		m->curkeys[s] = xcalloc(t->r.nrows ? t->r.nrows : 1, sizeof *m->curkeys[s]);
		for (size_t i = 0; i < t->r.nrows; i++) {
			m->curkeys[s][i] = cur_key(cell(t, i, 0), cell(t, i, 1));
			pmap_put(&t->m, m->curkeys[s][i], i);
		}
		pmap_done(&t->m);
	}
	if (tbl_load(m, &m->states, "SELECT `login`,`state` FROM `mlg_userstates` ORDER BY `id`", 0))
		return -1;
	if (m->netext &&
	    tbl_load(m, &m->netexts,
		     "SELECT `login`,`pool`,`netmask` FROM `netextpools` WHERE `login` <> '' ORDER BY `id`", 0))
		return -1;
	if (m->culpa && tbl_load(m, &m->culpas, "SELECT `login`,`culpa` FROM `mlg_culpas` ORDER BY `id`", 0))
		return -1;
	/* states: previous from the table, current and changed '' */
	size_t n = m->states.m.n + m->users.m.n;
	m->st = xcalloc(n ? n : 1, sizeof *m->st);
	for (size_t i = 0; i < m->states.m.n; i++) {
		const struct pmap_ent *e = pmap_at(&m->states.m, i);
		m->st[m->nst] = (struct ustate){ .login = e->key, .prev = cell(&m->states, e->idx, 1), .cur = -1 };
		pmap_put(&m->stm, e->key, m->nst++);
	}
	pmap_done(&m->stm);
	return 0;
}

/* --- users ------------------------------------------------------------------ */

static const char *u_field(const struct mlg *m, long ui, int col)
{
	const char *v = db_cell(&m->users.r, (size_t)ui, (size_t)col);
	if (ui == m->ov_user && col == U_IP)
		return m->ov_ip;
	if (ui == m->ov_user && col == U_MAC)
		return m->ov_mac;
	return v;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool user_active(const struct mlg *m, long ui)
{
	if (ui < 0)
		return false;
	const char *cash = u_field(m, ui, U_CASH), *credit = u_field(m, ui, U_CREDIT);
	double c, cr = 0;
	if (!cash || !php_numeric(cash, NULL, NULL, &c))
		return false;
	if (credit && !php_numeric(credit, NULL, NULL, &cr))
		cr = 0;
	return c >= -fabs(cr) && eq_int(u_field(m, ui, U_PASSIVE), 0) && eq_int(u_field(m, ui, U_AONLINE), 1) &&
	       eq_int(u_field(m, ui, U_DOWN), 0);
}

static const char *state_string(const struct mlg *m, long ui)
{
	if (ui < 0)
		return "NOT-EXIST";
	struct sbuf neg = SBUF_INIT;
	sbuf_printf(&neg, "-%s", nz(u_field(m, ui, U_CREDIT)));
	const char *cash = u_field(m, ui, U_CASH);
	/* null >= "..." compares "" as a string */
	bool online = cmp_str(nz(cash), sbuf_str(&neg)) >= 0 && eq_int(u_field(m, ui, U_AONLINE), 1);
	sbuf_free(&neg);
	const char *res = online ? "ON-LINE" : "OFF-LINE";
	if (php_truthy(u_field(m, ui, U_DOWN)))
		res = "DOWN";
	if (php_truthy(u_field(m, ui, U_PASSIVE)))
		res = "PASSIVE";
	return res;
}

/* getQinQUsername */
static char *qinq_uname(const struct mlg *m, const char *login, char delim)
{
	struct sbuf b = SBUF_INIT;
	long svl = -1; /* row in qinq_svlan of the binding used */
	bool have_q = false;
	long qb = tfind(&m->qbind, login), sp = tfind(&m->swports, login);
	if (qb >= 0) {
		have_q = true;
		svl = tfind(&m->svlan, cell(&m->qbind, (size_t)qb, 1));
		const char *sv = svl >= 0 ? cell(&m->svlan, (size_t)svl, 2) : NULL;
		if (sv && strcmp(sv, "0") == 0)
			sbuf_puts(&b, cell(&m->qbind, (size_t)qb, 2));
		else
			sbuf_printf(&b, "%s%c%s", nz(sv), delim, cell(&m->qbind, (size_t)qb, 2));
	} else if (sp >= 0) {
		long sq = tfind(&m->swqinq, cell(&m->swports, (size_t)sp, 1));
		const char *port = cell(&m->swports, (size_t)sp, 2);
		if (sq >= 0 && !php_empty(port)) {
			have_q = true;
			svl = tfind(&m->svlan, cell(&m->swqinq, (size_t)sq, 1));
			long long cv = (long long)php_floatval(cell(&m->swqinq, (size_t)sq, 2));
			long long pn = (long long)php_floatval(port);
			long long vlan = cv + (pn - 1);
			const char *sv = svl >= 0 ? cell(&m->svlan, (size_t)svl, 2) : NULL;
			if (sv && strcmp(sv, "0") == 0)
				sbuf_printf(&b, "%lld", vlan);
			else
				sbuf_printf(&b, "%s%c%lld", nz(sv), delim, vlan);
		}
	}
	if (have_q && !php_empty(sbuf_str(&b)) && svl >= 0) {
		const char *realm_id = cell(&m->svlan, (size_t)svl, 1);
		if (!eq_int(realm_id, 1)) {
			long rr = tfind(&m->realms, realm_id);
			sbuf_printf(&b, "@%s", rr >= 0 ? cell(&m->realms, (size_t)rr, 1) : "");
		}
	}
	return sbuf_detach(&b);
}

/* getLoginUsername: ip and mac are the user's (or multigenpod's data) */
static char *user_name(const struct mlg *m, const char *login, const char *ip, const char *mac, const char *type)
{
	struct sbuf b = SBUF_INIT;
	if (!type) {
	} else if (strcmp(type, "login") == 0) {
		sbuf_puts(&b, login);
	} else if (strcmp(type, "ip") == 0) {
		sbuf_puts(&b, nz(ip));
	} else if (strcmp(type, "mac") == 0) {
		sbuf_puts(&b, nz(mac));
	} else if (strcmp(type, "macup") == 0) {
		for (const char *p = nz(mac); *p; p++)
			sbuf_putc(&b, (char)toupper((unsigned char)*p));
	} else if (strcmp(type, "macju") == 0) {
		mac_dotted(nz(mac), &b, '.');
	} else if (strcmp(type, "qinq") == 0 || strcmp(type, "qinqju") == 0) {
		sbuf_free(&b);
		return qinq_uname(m, login, type[4] ? '-' : '.');
	} else if (strcmp(type, "meaculpa") == 0) {
		/* PHP dies here when MEACULPA_ENABLED is off: no username instead */
		long c = m->culpa ? tfind(&m->culpas, login) : -1;
		if (c >= 0)
			sbuf_puts(&b, cell(&m->culpas, (size_t)c, 1));
	}
	if (!b.s)
		sbuf_puts(&b, "");
	return sbuf_detach(&b);
}

/* The user's network row, or -1. */
static long user_net(const struct mlg *m, long ui, const char **netid)
{
	long nh = tfind(&m->nethosts, db_cell(&m->users.r, (size_t)ui, U_IP));
	*netid = nh >= 0 ? cell(&m->nethosts, (size_t)nh, 1) : NULL;
	return *netid ? tfind(&m->networks, *netid) : -1;
}

static void user_speeds(const struct mlg *m, long ui, const char **down, const char **up)
{
	*down = *up = "0";
	const char *login = db_cell(&m->users.r, (size_t)ui, U_LOGIN);
	long sp = tfind(&m->speeds, nz(u_field(m, ui, U_TARIFF)));
	if (sp >= 0) {
		*down = db_cell(&m->speeds.r, (size_t)sp, 1);
		*up = db_cell(&m->speeds.r, (size_t)sp, 2);
	}
	long us = tfind(&m->uspeeds, login);
	if (us >= 0)
		*down = *up = db_cell(&m->uspeeds.r, (size_t)us, 1);
}

/* getAttributeValue; login may be unknown (ui -1), nas may be -1. */
static char *render(struct mlg *m, const char *login, long ui, const char *uname, long nas, const char *tpl)
{
	struct sbuf t = SBUF_INIT;
	sbuf_puts(&t, nz(tpl));
	if (!strchr(sbuf_str(&t), '{'))
		return sbuf_detach(&t);
	struct sbuf v = SBUF_INIT;
#define HAS(x) (strstr(sbuf_str(&t), x) != NULL)
#define PUT(x, val) replace(&t, x, val)
	if (ui >= 0) {
		const char *ip = nz(u_field(m, ui, U_IP)), *mac = nz(u_field(m, ui, U_MAC));
		PUT("{IP}", ip);
		PUT("{MAC}", mac);
		if (HAS("{MACFDL}")) {
			sbuf_reset(&v);
			mac_dotted(mac, &v, '.');
			PUT("{MACFDL}", sbuf_str(&v));
		}
		if (HAS("{MACFML}")) {
			sbuf_reset(&v);
			mac_dotted(mac, &v, '-');
			PUT("{MACFML}", sbuf_str(&v));
		}
		if (HAS("{MACTMU}")) {
			sbuf_reset(&v);
			mac_minus(mac, &v, true);
			PUT("{MACTMU}", sbuf_str(&v));
		}
		if (HAS("{MACTML}")) {
			sbuf_reset(&v);
			mac_minus(mac, &v, false);
			PUT("{MACTML}", sbuf_str(&v));
		}
		PUT("{LOGIN}", login);
		PUT("{USERNAME}", uname);
		PUT("{PASSWORD}", nz(u_field(m, ui, U_PASSWORD)));
		PUT("{TARIFF}", nz(u_field(m, ui, U_TARIFF)));
		const char *netid;
		long net = user_net(m, ui, &netid);
		PUT("{NETID}", nz(netid));
		const char *desc = net >= 0 ? cell(&m->networks, (size_t)net, 3) : "";
		const char *slash = strchr(desc, '/');
		char *addr = xstrndup(desc, slash ? (size_t)(slash - desc) : strlen(desc));
		const char *cidr = slash ? slash + 1 : "";
		char *cidr1 = xstrndup(cidr, strcspn(cidr, "/"));
		PUT("{NETADDR}", addr);
		PUT("{NETCIDR}", cidr1);
		PUT("{NETSTART}", net >= 0 ? cell(&m->networks, (size_t)net, 1) : "");
		PUT("{NETEND}", net >= 0 ? cell(&m->networks, (size_t)net, 2) : "");
		PUT("{NETDESC}", desc);
		if (HAS("{NETMASK}")) {
			char mask[16];
			cidr_mask(cidr1, mask);
			PUT("{NETMASK}", mask);
		}
		free(addr);
		free(cidr1);
		const char *sd, *su;
		user_speeds(m, ui, &sd, &su);
		PUT("{SPEEDDOWN}", nz(sd));
		PUT("{SPEEDUP}", nz(su));
		static const struct {
			const char *mac;
			int up;
			long long mul, div;
		} sm[] = { { "{SPEEDDOWNB}", 0, 1024, 1 },  { "{SPEEDUPB}", 1, 1024, 1 },
			   { "{SPEEDDOWNBD}", 0, 1000, 1 }, { "{SPEEDUPBD}", 1, 1000, 1 },
			   { "{SPEEDDOWNBC}", 0, 1024, 8 }, { "{SPEEDUPBC}", 1, 1024, 8 } };
		for (size_t i = 0; i < sizeof sm / sizeof *sm; i++) {
			if (!HAS(sm[i].mac))
				continue;
			sbuf_reset(&v);
			speed_math(&v, sm[i].up ? su : sd, sm[i].mul, sm[i].div);
			PUT(sm[i].mac, sbuf_str(&v));
		}
		if (HAS("{SPEEDMRL}")) {
			sbuf_reset(&v);
			sbuf_printf(&v, "%sk/%sk", nz(su), nz(sd));
			PUT("{SPEEDMRL}", sbuf_str(&v));
		}
		long sp = tfind(&m->swports, login);
		long sw = sp >= 0 ? tfind(&m->switches, cell(&m->swports, (size_t)sp, 1)) : -1;
		PUT("{USERSWITCHIP}", sw >= 0 ? cell(&m->switches, (size_t)sw, 1) : "");
		PUT("{USERSWITCHPORT}", sp >= 0 ? cell(&m->swports, (size_t)sp, 2) : "");
		PUT("{USERSWITCHMAC}", sw >= 0 ? cell(&m->switches, (size_t)sw, 2) : "");
		long ne = tfind(&m->netexts, login);
		if (ne >= 0 && HAS("{NETEXT}")) {
			sbuf_reset(&v);
			sbuf_printf(&v, "%s/%s", cell(&m->netexts, (size_t)ne, 1), cell(&m->netexts, (size_t)ne, 2));
			PUT("{NETEXT}", sbuf_str(&v));
		}
	}
	if (nas >= 0) {
		const char *nasip = cell(&m->nas, (size_t)nas, 2);
		PUT("{NASIP}", nasip);
		if (HAS("{NASSECRET}")) {
			char sec[13];
			nas_secret(nasip, sec);
			PUT("{NASSECRET}", sec);
		}
		long o = tfind(&m->opts, cell(&m->nas, (size_t)nas, 0));
		PUT("{NASPORT}", o >= 0 ? cell(&m->opts, (size_t)o, 4) : "");
	}
	PUT("{STATE}", state_string(m, ui));
	PUT("{RADCLIENT}", m->radclient);
	PUT("{SUDO}", m->sudo);
	PUT("{PRINTF}", "/usr/bin/printf");
#undef HAS
#undef PUT
	sbuf_free(&v);
	return sbuf_detach(&t);
}

/* --- scenario writes --------------------------------------------------------- */

static int flush_inserts(struct mlg *m, int s)
{
	struct pending *p = &m->pend[s];
	size_t done = 0;
	while (done < p->n) {
		size_t k = p->n - done < INSERT_CHUNK ? p->n - done : INSERT_CHUNK;
		struct sbuf q = SBUF_INIT;
		sbuf_puts(&q, sc_insert[s]);
		for (size_t i = 0; i < k; i++)
			sbuf_puts(&q, i ? ",(NULL,?,?,?,?)" : "(NULL,?,?,?,?)");
		long long rc = db_exec_list(m->r->db, sbuf_str(&q), k * 4, (const char *const *)p->v + done * 4);
		sbuf_free(&q);
		if (rc < 0) {
			m->dberr = true;
			return -1;
		}
		done += k;
	}
	for (size_t i = 0; i < p->n * 4; i++)
		free(p->v[i]);
	p->n = 0;
	return 0;
}

static void queue_insert(struct mlg *m, int s, const char *uname, const char *a, const char *op, const char *v)
{
	struct pending *p = &m->pend[s];
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, p->cap * 4 * sizeof *p->v);
	}
	const char *f[4] = { uname, a, op, v };
	for (int i = 0; i < 4; i++) {
		char *c = xstrdup(f[i]);
		utf8_cut(c, sc_width[i]);
		p->v[p->n * 4 + i] = c;
	}
	p->n++;
}

/* DELETE of every (username, attribute) row; the inserts queued before it
 * go first, so the statements keep PHP's order. */
static void del_attr(struct mlg *m, int s, const char *login, const char *uname, const char *a)
{
	if (m->dberr || flush_inserts(m, s) != 0)
		return;
	if (db_exec(m->r->db, sc_delete[s], "ss", uname, a) < 0)
		m->dberr = true;
	mlg_log(m, 1, "%s AS %s SCENARIO %s DELETE %s", login, uname, sc_name[s], a);
}

static int scenario_of(const char *s)
{
	for (int i = 0; i < SC_N; i++)
		if (strcmp(s, sc_name[i]) == 0)
			return i;
	return -1;
}

static long cur_find(const struct mlg *m, int s, const char *uname, const char *a)
{
	char *k = cur_key(uname, a);
	long i = pmap_find(&m->cur[s].m, k);
	free(k);
	return i;
}

static void gen(struct mlg *m, const char *login, long ui, const char *uname, long nas, size_t arow,
		struct ustate *st)
{
	int s = scenario_of(cell(&m->attrs, arow, 2));
	if (s < 0)
		return; /* PHP dies on a table mlg_<junk>: the row is skipped instead */
	const char *a = cell(&m->attrs, arow, 4), *op = cell(&m->attrs, arow, 5);
	char *v = render(m, login, ui, uname, nas, cell(&m->attrs, arow, 6));
	long ci = cur_find(m, s, uname, a);
	int chk = 0;
	if (ci >= 0)
		chk = eq_str(cell(&m->cur[s], (size_t)ci, 2), v) && eq_str(cell(&m->cur[s], (size_t)ci, 3), op) ? 1 : -2;
	mlg_log(m, 2, "%s AS %s SCENARIO %s TEST %s %s %s RESULT %d", login, uname, sc_name[s], a, op, v, chk);
	if (chk == -2) {
		del_attr(m, s, login, uname, a);
		st->changed = -2;
	}
	if (chk != 1 && !leading_macro(v)) {
		queue_insert(m, s, uname, a, op, v);
		mlg_log(m, 1, "%s AS %s SCENARIO %s CREATE %s %s %s", login, uname, sc_name[s], a, op, v);
	}
	free(v);
}

static void bury(struct mlg *m, const char *login, const char *uname, size_t arow)
{
	int s = scenario_of(cell(&m->attrs, arow, 2));
	if (s < 0)
		return;
	const char *a = cell(&m->attrs, arow, 4);
	if (cur_find(m, s, uname, a) >= 0)
		del_attr(m, s, login, uname, a);
}

/* --- PoD / CoA ------------------------------------------------------------- */

struct rctx {
	struct mlg *m;
	const char *login, *uname;
	long ui, nas;
};

static char *render_word(void *ctx, const char *text)
{
	struct rctx *c = ctx;
	return render(c->m, c->login, c->ui, c->uname, c->nas, text);
}

/* Config paths are command words: they go in before the split into words,
 * so "radclient -r 3 -t 1" becomes five; user values go in after it. */
static char *config_macros(const struct mlg *m, const char *tpl)
{
	struct sbuf t = SBUF_INIT;
	sbuf_puts(&t, nz(tpl));
	replace(&t, "{RADCLIENT}", m->radclient);
	replace(&t, "{SUDO}", m->sudo);
	replace(&t, "{PRINTF}", "/usr/bin/printf");
	return sbuf_detach(&t);
}

static void enqueue(struct mlg *m, bool pod, const char *login, long ui, const char *uname, long nas,
		    const char *tpl)
{
	struct mlg_queue **q = pod ? &m->pod : &m->coa;
	if (!*q)
		*q = mlg_queue_new(m->cfg, pod ? "pod" : "coa", m->id);
	char *line = render(m, login, ui, uname, nas, tpl);
	char *pre = config_macros(m, tpl);
	struct rctx c = { m, login, uname, ui, nas };
	const char *why = NULL;
	bool ok = mlg_queue_add(*q, pre, line, render_word, &c, &why);
	char *trim = str_trim(xstrdup(line));
	mlg_log(m, 3, "%s_QUEUE_ADD %s: %s", pod ? "POD" : "COA", m->id, trim);
	if (!ok) {
		mlg_log(m, 1, "%s_QUEUE_SKIP %s: %s (%s)", pod ? "POD" : "COA", m->id, trim, why);
		fprintf(stderr, "ubapi: multigen: %s template not run (%s): %s\n", pod ? "PoD" : "CoA", why, trim);
	}
	free(trim);
	free(pre);
	free(line);
}

static void run_queues(struct mlg *m)
{
	const char *fg = log_on(m, 4) ? m->logpath : NULL;
	if (m->pod && mlg_queue_used(m->pod)) {
		mlg_queue_run(m->pod, fg);
		mlg_log(m, 3, "POD_QUEUE_RUN: %s", m->id);
	}
	if (m->coa && mlg_queue_used(m->coa)) {
		mlg_queue_run(m->coa, fg);
		mlg_log(m, 3, "COA_QUEUE_RUN: %s", m->id);
	}
}

/* --- generation ---------------------------------------------------------------- */

static bool prev_is(const struct ustate *st, long long v)
{
	return st->prev ? eq_int(st->prev, v) : v == 3;
}

static void services(struct mlg *m, const char *login, long ui, const char *uname, long nas, const char *service,
		     const struct ustate *st, bool prev1, bool prev0)
{
	if (strcmp(service, "none") == 0)
		return;
	long sv = tfind(&m->svcs, cell(&m->nas, (size_t)nas, 0));
	if (sv < 0)
		return;
	const char *pod = db_cell(&m->svcs.r, (size_t)sv, 1);
	const char *conn = db_cell(&m->svcs.r, (size_t)sv, 2);
	const char *disc = db_cell(&m->svcs.r, (size_t)sv, 3);
	int c = st->cur;
	if (strstr(service, "pod") && !php_empty(pod) && prev1 && c == 0)
		enqueue(m, true, login, ui, uname, nas, pod);
	if (strstr(service, "coa")) {
		if (!php_empty(disc) && prev1 && c == 0)
			enqueue(m, false, login, ui, uname, nas, disc);
		if (!php_empty(conn) && prev0 && c == 1)
			enqueue(m, false, login, ui, uname, nas, conn);
		if (!php_empty(disc) && !php_empty(conn) && st->changed == -2 && c == 1 && prev_is(st, 1)) {
			enqueue(m, false, login, ui, uname, nas, disc);
			enqueue(m, false, login, ui, uname, nas, conn);
		}
	}
}

static void user_nas(struct mlg *m, const char *login, long ui, long nas, bool real, struct ustate *st,
		     bool prev1, bool prev0)
{
	const char *nasid = cell(&m->nas, (size_t)nas, 0);
	long o = tfind(&m->opts, nasid);
	const char *type = o >= 0 ? db_cell(&m->opts.r, (size_t)o, 1) : NULL;
	char *uname = user_name(m, login, u_field(m, ui, U_IP), u_field(m, ui, U_MAC), type);
	if (php_empty(uname) || o < 0) {
		free(uname);
		return;
	}
	const char *only = db_cell(&m->opts.r, (size_t)o, 3);
	bool all_active = eq_int(only, 1), by_modifier = eq_int(only, 0);
	for (size_t a = 0; a < m->attrs.r.nrows && !m->dberr; a++) {
		if (!eq_str(cell(&m->attrs, a, 1), nasid))
			continue;
		if (all_active) {
			if (real)
				gen(m, login, ui, uname, nas, a, st);
			else
				bury(m, login, uname, a);
		}
		if (by_modifier) {
			const char *mod = cell(&m->attrs, a, 3);
			if (strcmp(mod, "all") == 0)
				gen(m, login, ui, uname, nas, a, st);
			if (strcmp(mod, "active") == 0) {
				if (real)
					gen(m, login, ui, uname, nas, a, st);
				else
					bury(m, login, uname, a);
			}
			if (strcmp(mod, "inactive") == 0) {
				if (!real)
					gen(m, login, ui, uname, nas, a, st);
				else
					bury(m, login, uname, a);
			}
		}
	}
	services(m, login, ui, uname, nas, cell(&m->opts, (size_t)o, 2), st, prev1, prev0);
	free(uname);
}

static int save_states(struct mlg *m)
{
	struct pending ins = { 0 };
	for (size_t i = 0; i < m->nst && !m->dberr; i++) {
		struct ustate *st = &m->st[i];
		if (st->changed == 3) {
			if (ins.n == ins.cap) {
				ins.cap = ins.cap ? ins.cap * 2 : 64;
				ins.v = xrealloc(ins.v, ins.cap * 2 * sizeof *ins.v);
			}
			char cur[4];
			snprintf(cur, sizeof cur, "%d", st->cur);
			ins.v[ins.n * 2] = xstrdup(st->login);
			ins.v[ins.n * 2 + 1] = xstrdup(cur);
			ins.n++;
			mlg_log(m, 3, "USERSTATE CREATED %s STATE %d", st->login, st->cur);
			continue;
		}
		if (st->cur < 0 || tfind(&m->users, st->login) < 0)
			continue;
		bool same = st->prev ? eq_int(st->prev, st->cur) : st->cur == 3;
		if (same)
			continue;
		if (db_exec(m->r->db, "UPDATE `mlg_userstates` SET `state`=? WHERE `login`=?", "is", (long long)st->cur,
			    st->login) < 0) {
			m->dberr = true;
			break;
		}
		mlg_log(m, 3, "USERSTATE CHANGED %s STATE %s ON %d", st->login, st->prev ? st->prev : "3", st->cur);
	}
	for (size_t done = 0; done < ins.n && !m->dberr;) {
		size_t k = ins.n - done < INSERT_CHUNK ? ins.n - done : INSERT_CHUNK;
		struct sbuf q = SBUF_INIT;
		sbuf_puts(&q, "INSERT INTO `mlg_userstates` (`id`,`login`,`state`) VALUES ");
		for (size_t i = 0; i < k; i++)
			sbuf_puts(&q, i ? ",(NULL,?,?)" : "(NULL,?,?)");
		if (db_exec_list(m->r->db, sbuf_str(&q), k * 2, (const char *const *)ins.v + done * 2) < 0)
			m->dberr = true;
		sbuf_free(&q);
		done += k;
	}
	for (size_t i = 0; i < ins.n * 2; i++)
		free(ins.v[i]);
	free(ins.v);
	return m->dberr ? -1 : 0;
}

static int generate(struct mlg *m)
{
	if (load_regen(m) != 0)
		return -1;
	if (m->users.m.n == 0)
		return 0;
	if (db_begin(m->r->db) != 0)
		return -1;
	for (size_t i = 0; i < m->users.m.n && !m->dberr; i++) {
		const struct pmap_ent *e = pmap_at(&m->users.m, i);
		const char *login = e->key;
		long ui = (long)e->idx;
		bool real = user_active(m, ui);
		long si = pmap_find(&m->stm, login);
		struct ustate *st;
		if (si >= 0) {
			st = &m->st[si];
		} else {
			st = &m->st[m->nst++];
			*st = (struct ustate){ .login = login, .prev = NULL, .changed = 3 };
		}
		st->cur = real ? 1 : 0;
		/* the state this run started from, before any change below */
		bool prev1 = prev_is(st, 1), prev0 = prev_is(st, 0);
		const char *netid;
		user_net(m, ui, &netid);
		if (!netid)
			continue;
		for (size_t n = 0; n < m->nas.r.nrows && !m->dberr; n++)
			if (strcmp(cell(&m->nas, n, 1), netid) == 0)
				user_nas(m, login, ui, (long)n, real, st, prev1, prev0);
	}
	for (int s = 0; s < SC_N && !m->dberr; s++)
		flush_inserts(m, s);
	if (!m->dberr)
		save_states(m);
	if (m->dberr || db_commit(m->r->db) != 0) {
		db_rollback(m->r->db);
		m->dberr = true;
		return -1;
	}
	/* After the commit, so a kicked user re-authorizes against the new rows. */
	run_queues(m);
	return 0;
}

static void flush_scenarios(struct mlg *m)
{
	for (int s = 0; s < SC_N && !m->dberr; s++) {
		if (db_exec(m->r->db, sc_truncate[s], "") < 0) {
			m->dberr = true;
			return;
		}
		weblog(m->r, "MULTIGEN FLUSH SCENARIO `%s`", sc_name[s]);
	}
}

static bool cleanup_time(const struct mlg *m)
{
	if (!php_truthy(cfg_alter(m->cfg, "MULTIGEN_AUTOCLEANUP_ENABLED", "")))
		return false;
	const char *times = cfg_alter(m->cfg, "MULTIGEN_AUTOCLEANUP_TIME", "");
	if (php_empty(times))
		return false;
	char now[8];
	struct tm tm;
	localtime_r(&m->r->now, &tm);
	strftime(now, sizeof now, "%H:%M", &tm);
	size_t nl = strlen(now);
	for (const char *p = times;;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == nl && memcmp(p, now, nl) == 0)
			return true;
		if (!c)
			return false;
		p = c + 1;
	}
}

static void cleanup_accounting(struct mlg *m)
{
	struct sbuf d = SBUF_INIT;
	for (const char *p = cfg_alter(m->cfg, "MULTIGEN_AUTOCLEANUP_ACCTDAYS", ""); *p; p++)
		if (isdigit((unsigned char)*p))
			sbuf_putc(&d, *p);
	const char *days = sbuf_str(&d);
	if (php_truthy(days)) {
		/* more than a million years of days is as good as forever */
		long long n = strlen(days) > 9 ? 999999999 : strtoll(days, NULL, 10);
		bool unf = php_truthy(cfg_alter(m->cfg, "MULTIGEN_AUTOCLEANUP_UNF", ""));
		if (db_exec(m->r->db,
			    "DELETE FROM `mlg_acct` WHERE `acctstarttime` <= NOW() - INTERVAL ? DAY "
			    "AND `acctstoptime` IS NOT NULL",
			    "i", n) < 0 ||
		    db_exec(m->r->db, "DELETE FROM `mlg_postauth` WHERE `authdate` <= NOW() - INTERVAL ? DAY", "i", n) <
			    0 ||
		    (unf && db_exec(m->r->db,
				    "DELETE FROM `mlg_acct` WHERE `acctupdatetime` <= NOW() - INTERVAL ? DAY "
				    "AND `acctstoptime` IS NULL",
				    "i", n) < 0))
			m->dberr = true;
		else
			weblog(m->r, "MULTIGEN ACCOUNTING CLEANUP `%s` DAYS", days);
	}
	sbuf_free(&d);
}

int multigen_generate(struct req *r, bool total, struct sbuf *prefix)
{
	struct mlg m;
	mlg_init(&m, r);
	int got = stardust_start(r->db, MLG_LOCK);
	if (got <= 0) {
		mlg_free(&m);
		return got < 0 ? MLG_DBERR : MLG_BUSY;
	}
	if (load_nas(&m) == 0) {
		if (total) {
			flush_scenarios(&m);
		} else if (cleanup_time(&m)) {
			cleanup_accounting(&m);
			flush_scenarios(&m);
			if (!m.dberr)
				sbuf_puts(prefix, "OK: MULTIGEN_AUTOCLEANUP\n");
		}
		if (!m.dberr)
			generate(&m);
	}
	stardust_stop(r->db, MLG_LOCK);
	int rc = m.dberr ? MLG_DBERR : MLG_OK;
	mlg_free(&m);
	return rc;
}

/* --- multigenpod ------------------------------------------------------------- */

/* podOnExternalEvent(login, old[, new]); old/new are the (ip, mac) of the
 * user's current data, found by vf(login), or NULL when there is none. */
static int pod_event(struct req *r, const char *login, const char *ip, const char *mac, bool found, bool with_new)
{
	struct mlg m;
	mlg_init(&m, r);
	if (load_nas(&m) != 0 || load_regen(&m) != 0 || m.users.m.n == 0) {
		int rc = m.dberr ? -1 : 0;
		mlg_free(&m);
		return rc;
	}
	long ui = tfind(&m.users, login);
	const char *netid = NULL;
	if (ui >= 0)
		user_net(&m, ui, &netid);
	for (size_t n = 0; netid && n < m.nas.r.nrows && !m.dberr; n++) {
		if (strcmp(cell(&m.nas, n, 1), netid) != 0)
			continue;
		const char *nasid = cell(&m.nas, n, 0);
		long o = tfind(&m.opts, nasid);
		const char *type = o >= 0 ? db_cell(&m.opts.r, (size_t)o, 1) : NULL;
		if (type && strcmp(type, "login") == 0)
			continue;
		char *uname = user_name(&m, login, ip, mac, type);
		long sv = tfind(&m.svcs, nasid);
		const char *service = o >= 0 ? cell(&m.opts, (size_t)o, 2) : "none";
		if (php_empty(uname) || o < 0 || strcmp(service, "none") == 0 || sv < 0) {
			free(uname);
			continue;
		}
		m.ov_user = ui;
		m.ov_ip = ip;
		m.ov_mac = mac;
		const char *pod = db_cell(&m.svcs.r, (size_t)sv, 1);
		bool is_pod = strstr(service, "pod") != NULL;
		if (is_pod || strstr(service, "coa")) {
			/* PHP sends the pod template on the CoA queue too */
			enqueue(&m, is_pod, login, ui, uname, (long)n, pod);
			if (with_new && found) {
				char *nname = user_name(&m, login, ip, mac, type);
				if (!php_empty(nname) && !php_empty(uname))
					for (int s = 0; s < SC_N && !m.dberr; s++)
						if (db_exec(r->db, sc_rename[s], "ss", nname, uname) < 0)
							m.dberr = true;
				if (!m.dberr && !php_empty(ip) &&
				    db_exec(r->db,
					    "UPDATE `mlg_reply` SET `value`=? WHERE `attribute`='Framed-IP-Address' "
					    "AND `value`=? AND `username`=?",
					    "sss", ip, ip, nname) < 0)
					m.dberr = true;
				free(nname);
			}
		}
		free(uname);
	}
	if (!m.dberr)
		run_queues(&m);
	int rc = m.dberr ? -1 : 0;
	mlg_free(&m);
	return rc;
}

int multigenpod_run(struct req *r, const char *login, int mode)
{
	char *key = xstrdup(login);
	vf_filter(key);
	struct db_rows d;
	if (db_query(r->db, &d,
		     "SELECT u.`IP`,n.`mac` FROM `users` u LEFT JOIN `nethosts` n ON n.`ip`=u.`IP` "
		     "WHERE u.`login`=? ORDER BY n.`id` LIMIT 1",
		     "s", key) != 0) {
		free(key);
		return MLG_DBERR;
	}
	free(key);
	bool found = d.nrows > 0;
	const char *ip = found ? db_cell(&d, 0, 0) : NULL;
	const char *mac = found ? db_cell(&d, 0, 1) : NULL;
	int rc = 0;
	if (mode == 2) {
		rc = pod_event(r, login, ip, mac, found, true);
		if (rc == 0)
			rc = pod_event(r, login, ip, mac, found, false);
	} else if (mode == 1) {
		rc = pod_event(r, login, ip, mac, found, false);
	}
	db_rows_free(&d);
	return rc ? MLG_DBERR : MLG_OK;
}

/* --- multigentraff --------------------------------------------------------- */

static bool login_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.@-", *s))
			return false;
	return true;
}

static long long i64(const char *s)
{
	bool is_int;
	long long iv;
	double dv;
	if (!s || !php_numeric(s, &is_int, &iv, &dv))
		return (long long)php_floatval(s ? s : "");
	return is_int ? iv : (long long)dv;
}

struct traff {
	const char *login;
	long long down, up;
	int act;
};

static void sgconf_set(struct mlg *m, const char *login, long long d, long long u)
{
	const struct config *cfg = m->cfg;
	size_t argc;
	char **argv = spawn_argv_split(cfg_billing(cfg, "SGCONF", "/usr/sbin/sgconf"), 16, &argc);
	if (!argv || argc == 0) {
		spawn_argv_free(argv);
		return;
	}
	char ds[32], us[32];
	snprintf(ds, sizeof ds, "%lld", d);
	snprintf(us, sizeof us, "%lld", u);
	const char *extra[] = { "set", "-s", cfg_billing(cfg, "STG_HOST", ""), "-p", cfg_billing(cfg, "STG_PORT", ""),
				"-a", cfg_billing(cfg, "STG_LOGIN", ""), "-w", cfg_billing(cfg, "STG_PASSWD", ""),
				"-u", login, "--d0", ds, "--u0", us };
	for (size_t i = 0; i < sizeof extra / sizeof *extra; i++)
		argv[argc++] = xstrdup(extra[i]);
	argv[argc] = NULL;
	struct sbuf out = SBUF_INIT;
	struct spawn_result res;
	spawn_run(argv, 30000, 65536, &out, &res);
	sbuf_free(&out);
	spawn_argv_free(argv);
}

int multigentraff_run(struct req *r)
{
	struct mlg m;
	mlg_init(&m, r);
	bool ishimura = php_truthy(cfg_alter(r->cfg, "ISHIMURA_ENABLED", ""));
	struct tbl prev = { 0 }, arch = { 0 }, stg = { 0 }, acct = { 0 };
	struct traff *cur = NULL;
	struct pmap names = { 0 };
	long *by_user = NULL;
	char **owned = NULL;
	size_t nowned = 0;
	struct tm tm;
	localtime_r(&r->now, &tm);
	char year[16], month[16];
	snprintf(year, sizeof year, "%d", tm.tm_year + 1900);
	snprintf(month, sizeof month, "%d", tm.tm_mon + 1);
	if (tbl_load(&m, &prev, "SELECT `login`,`down`,`up` FROM `mlg_traffic`", 0))
		goto out;
	if (ishimura && db_query(r->db, &arch.r,
				 "SELECT `login` FROM `mlg_ishimura` WHERE `year`=? AND `month`=?", "ss", year,
				 month) != 0) {
		m.dberr = true;
		goto out;
	}
	if (ishimura) {
		arch.loaded = true;
		for (size_t i = 0; i < arch.r.nrows; i++)
			pmap_put(&arch.m, cell(&arch, i, 0), i);
		pmap_done(&arch.m);
	}
	if (tbl_load(&m, &stg,
		     ishimura ? "SELECT `login`,`D0`,`U0` FROM `mlg_ishimura`" : "SELECT `login`,`D0`,`U0` FROM `users`",
		     0))
		goto out;
	/* the user list and every username of every user (getAllUserNames) */
	if (tbl_load(&m, &m.users,
		     "SELECT u.`login`,u.`Passive`,u.`Down`,u.`Password`,u.`AlwaysOnline`,u.`Tariff`,u.`Credit`,"
		     "u.`Cash`,u.`IP`,n.`mac` FROM `users` u LEFT JOIN `nethosts` n ON n.`ip`=u.`IP` "
		     "ORDER BY u.`login`,n.`id`",
		     U_LOGIN))
		goto out;
	bool qinq = m.swassign && m.qinq;
	if (qinq && (tbl_load(&m, &m.switches, "SELECT `id`,`ip`,`swid` FROM `switches` ORDER BY `id`", 0) ||
		     tbl_load(&m, &m.swports, "SELECT `login`,`switchid`,`port` FROM `switchportassign` ORDER BY `id`", 0) ||
		     tbl_load(&m, &m.swqinq,
			      "SELECT `switchid`,`svlan_id`,`cvlan` FROM `switches_qinq` ORDER BY `switchid`", 0)))
		goto out;
	if (qinq && m.uqinq &&
	    (tbl_load(&m, &m.qbind, "SELECT `login`,`svlan_id`,`cvlan` FROM `qinq_bindings` ORDER BY `id`", 0) ||
	     tbl_load(&m, &m.svlan, "SELECT `id`,`realm_id`,`svlan` FROM `qinq_svlan` ORDER BY `id`", 0) ||
	     tbl_load(&m, &m.realms, "SELECT `id`,`realm` FROM `realms` ORDER BY `id`", 0)))
		goto out;
	if (m.culpa && tbl_load(&m, &m.culpas, "SELECT `login`,`culpa` FROM `mlg_culpas` ORDER BY `id`", 0))
		goto out;
	time_t now = r->now, last = 0;
	char *c = ubcache_get(r->cfg, "MLG_TRAFFLASTRUN", 2592000);
	if (c) {
		if (c[0] == 'i' && c[1] == ':')
			last = (time_t)strtoll(c + 2, NULL, 10);
		free(c);
	}
	if (last <= 0)
		last = now - 3600;
	char from[32], to[32];
	clock_format_datetime(last, from);
	clock_format_datetime(now, to);
	/* username -> the first user (in user order) that has it: users are put
	 * last to first, and a repeated key keeps the last value put */
	const char *types[] = { "login", "ip", "mac", "macup", "macju", "qinq", "qinqju", "meaculpa" };
	size_t ntypes = 5 + (qinq ? 2 : 0);
	owned = xcalloc(m.users.m.n * 8 + 1, sizeof *owned);
	for (size_t i = m.users.m.n; i-- > 0;) {
		const struct pmap_ent *e = pmap_at(&m.users.m, i);
		long ui = (long)e->idx;
		for (size_t t = 0; t < ntypes + 1; t++) {
			const char *type = t < ntypes ? types[t] : (m.culpa ? "meaculpa" : NULL);
			if (!type)
				break;
			char *u = user_name(&m, e->key, u_field(&m, ui, U_IP), u_field(&m, ui, U_MAC), type);
			owned[nowned++] = u;
			pmap_put(&names, u, i);
		}
	}
	pmap_done(&names);
	char stamp[32];
	snprintf(stamp, sizeof stamp, "i:%lld;", (long long)now);
	ubcache_set(r->cfg, "MLG_TRAFFLASTRUN", stamp);
	if (db_query(r->db, &acct.r,
		     "SELECT `username`,`acctoutputoctets`,`acctinputoctets`,`acctupdatetime`,`acctstoptime` "
		     "FROM `mlg_acct` WHERE `acctupdatetime` BETWEEN ? AND ? ORDER BY `radacctid` DESC",
		     "ss", from, to) != 0) {
		m.dberr = true;
		goto out;
	}
	acct.loaded = true;
	cur = xcalloc(acct.r.nrows + 1, sizeof *cur);
	by_user = xmalloc((m.users.m.n + 1) * sizeof *by_user);
	for (size_t i = 0; i <= m.users.m.n; i++)
		by_user[i] = -1;
	size_t ncur = 0;
	for (size_t i = 0; i < acct.r.nrows; i++) {
		long ni = pmap_find(&names, cell(&acct, i, 0));
		if (ni < 0)
			continue;
		const char *login = pmap_at(&m.users.m, (size_t)ni)->key;
		long ci = by_user[ni];
		if (ci < 0) {
			ci = by_user[ni] = (long)ncur++;
			cur[ci].login = login;
			cur[ci].act = php_empty(db_cell(&acct.r, i, 4)) ? 1 : 0;
		}
		cur[ci].down += i64(db_cell(&acct.r, i, 1));
		cur[ci].up += i64(db_cell(&acct.r, i, 2));
	}
	for (size_t k = 0; k < ncur && !m.dberr; k++) {
		const char *login = cur[k].login;
		long s = tfind(&stg, login);
		if (s < 0 && !ishimura)
			continue;
		long long sd = s >= 0 ? i64(db_cell(&stg.r, (size_t)s, 1)) : 0;
		long long su = s >= 0 ? i64(db_cell(&stg.r, (size_t)s, 2)) : 0;
		long p = tfind(&prev, login);
		long long pd = p >= 0 ? i64(db_cell(&prev.r, (size_t)p, 1)) : 0;
		long long pu = p >= 0 ? i64(db_cell(&prev.r, (size_t)p, 2)) : 0;
		long long dd = cur[k].down - pd, du = cur[k].up - pu;
		if (dd == 0 && du == 0)
			continue;
		long long nd = sd + dd, nu = su + du;
		if (!ishimura) {
			if (!login_ok(login)) {
				fprintf(stderr, "ubapi: multigentraff: login not passed to sgconf: %s\n", login);
				continue;
			}
			sgconf_set(&m, login, nd, nu);
		} else {
			long ui = tfind(&m.users, login);
			const char *cash = ui >= 0 ? nz(db_cell(&m.users.r, (size_t)ui, U_CASH)) : "0";
			long long rc;
			if (tfind(&arch, login) >= 0)
				rc = db_exec(r->db,
					     "UPDATE `mlg_ishimura` SET `D0`=?, `U0`=?, `cash`=? "
					     "WHERE `login`=? AND `year`=? AND `month`=?",
					     "iissss", nd, nu, cash, login, year, month);
			else
				rc = db_exec(r->db,
					     "INSERT INTO `mlg_ishimura` (`login`,`month`,`year`,`U0`,`D0`,`cash`) "
					     "VALUES (?,?,?,?,?,?)",
					     "sssiis", login, month, year, nu, nd, cash);
			if (rc < 0) {
				m.dberr = true;
				break;
			}
		}
		long long rc;
		if (p >= 0)
			rc = db_exec(r->db, "UPDATE `mlg_traffic` SET `down`=?, `up`=?, `act`=? WHERE `login`=?", "iiis",
				     cur[k].down, cur[k].up, (long long)cur[k].act, login);
		else
			rc = db_exec(r->db, "INSERT INTO `mlg_traffic` (`login`,`down`,`up`,`act`) VALUES (?,?,?,?)",
				     "siii", login, cur[k].down, cur[k].up, (long long)cur[k].act);
		if (rc < 0)
			m.dberr = true;
		mlg_log(&m, 4, "MULTIGEN TRAFFIC SAVE (%s) %lld/%lld", login, nd, nu);
	}
out:;
	int rc = m.dberr ? MLG_DBERR : MLG_OK;
	free(cur);
	free(by_user);
	pmap_free(&names);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	tbl_free(&prev);
	tbl_free(&arch);
	tbl_free(&stg);
	tbl_free(&acct);
	mlg_free(&m);
	return rc;
}
