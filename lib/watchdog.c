#include "watchdog.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "httpc.h"
#include "icmp.h"
#include "money.h"
#include "notify.h"
#include "req.h"
#include "runcmd.h"
#include "senddog.h"
#include "stardust.h"
#include "storage.h"
#include "switches.h"
#include "util.h"
#include "weblog.h"

#define WD_LOCK "WATCHDOG"
#define WD_MODULE "WATCHDOG"
/* watchdog.oldresult is varchar(255) */
#define WD_STORE_MAX 255
#define WD_MAX_BODY (1024 * 1024)

enum { T_ID, T_NAME, T_CHECK, T_PARAM, T_OP, T_COND, T_ACTION, T_OLD, T_COLS };

struct task {
	const char *col[T_COLS]; /* NULL for SQL NULL */
};

/* A check's result as PHP holds it: bool, string or null. */
enum vtype { V_NULL, V_BOOL, V_STR };
struct val {
	enum vtype t;
	bool b;
	char *s;
};

struct wd {
	struct req *r;
	const char *alert, *phones, *emails, *telegram;
	bool sms_silence;
	bool db_failed;
	long timeout_ms;
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

static bool has(const char *hay, const char *needle)
{
	return strstr(nz(hay), needle) != NULL;
}

/* PHP trim()'s set */
static bool php_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\0';
}

static char *trim_dup(const char *s)
{
	s = nz(s);
	while (*s && php_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && php_space(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* ------------------------------------------------------ PHP comparisons */

static bool num_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of the numeric text at s (sign, digits, '.', exponent), 0 if none. */
static size_t num_prefix(const char *s, bool *is_int)
{
	size_t i = 0, digits = 0;
	*is_int = true;
	if (s[i] == '+' || s[i] == '-')
		i++;
	while (isdigit((unsigned char)s[i])) {
		i++;
		digits++;
	}
	if (s[i] == '.') {
		size_t j = i + 1, frac = 0;
		while (isdigit((unsigned char)s[j])) {
			j++;
			frac++;
		}
		if (digits + frac > 0) {
			i = j;
			digits += frac;
			*is_int = false;
		}
	}
	if (digits == 0)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		size_t j = i + 1;
		if (s[j] == '+' || s[j] == '-')
			j++;
		if (isdigit((unsigned char)s[j])) {
			while (isdigit((unsigned char)s[j]))
				j++;
			i = j;
			*is_int = false;
		}
	}
	return i;
}

static bool numeric_parts(const char *s, size_t *start, size_t *len, bool *is_int)
{
	size_t i = 0;
	while (num_space(s[i]))
		i++;
	size_t n = num_prefix(s + i, is_int);
	if (n == 0)
		return false;
	size_t e = i + n;
	while (num_space(s[e]))
		e++;
	*start = i;
	*len = n;
	return s[e] == 0;
}

bool wd_is_numeric(const char *s)
{
	size_t a, n;
	bool is_int;
	return numeric_parts(nz(s), &a, &n, &is_int);
}

static double to_double(const char *s, size_t n)
{
	char *t = xstrndup(s, n);
	double d = strtod(t, NULL);
	free(t);
	return d;
}

double wd_leading_number(const char *s)
{
	s = nz(s);
	while (num_space(*s))
		s++;
	bool is_int;
	size_t n = num_prefix(s, &is_int);
	return n ? to_double(s, n) : 0.0;
}

int wd_php_strcmp(const char *a, const char *b)
{
	a = nz(a);
	b = nz(b);
	size_t sa, na, sb, nb;
	bool ia, ib;
	if (numeric_parts(a, &sa, &na, &ia) && numeric_parts(b, &sb, &nb, &ib)) {
		if (ia && ib) {
			errno = 0;
			char *ta = xstrndup(a + sa, na), *tb = xstrndup(b + sb, nb);
			long long x = strtoll(ta, NULL, 10);
			bool over = errno == ERANGE;
			long long y = strtoll(tb, NULL, 10);
			over = over || errno == ERANGE;
			free(ta);
			free(tb);
			if (!over)
				return x < y ? -1 : x > y;
		}
		double x = to_double(a + sa, na), y = to_double(b + sb, nb);
		return x < y ? -1 : x > y;
	}
	size_t la = strlen(a), lb = strlen(b);
	int c = memcmp(a, b, la < lb ? la : lb);
	if (c)
		return c < 0 ? -1 : 1;
	return la < lb ? -1 : la > lb;
}

/* $v == $o for the changed/notchanged operators: null equals only null and "" */
static bool loose_eq(const char *v, const char *o)
{
	if (!v || !o)
		return nz(v)[0] == 0 && nz(o)[0] == 0;
	return wd_php_strcmp(v, o) == 0;
}

/* ------------------------------------------------------------ SNMP text */

static void remove_ci(char *s, const char *what)
{
	size_t n = strlen(what);
	char *w = s;
	for (const char *p = s; *p;) {
		if (strncasecmp(p, what, n) == 0) {
			p += n;
		} else {
			*w++ = *p++;
		}
	}
	*w = 0;
}

char *wd_snmp_sanitize(const char *raw)
{
	static const char *const types[] = { "Hex-STRING:", "Counter32:", "Counter64:", "Gauge32:",
					     "Gauge64:", "INTEGER:", "STRING:", "OID:", "Timeticks:",
					     "Network Address:" };
	const char *eq = strchr(nz(raw), '=');
	if (!php_truthy(raw) || !eq)
		return xstrdup("");
	const char *end = strchr(eq + 1, '=');
	char *v = end ? xstrndup(eq + 1, (size_t)(end - eq - 1)) : xstrdup(eq + 1);
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		remove_ci(v, types[i]);
	char *t = trim_dup(v);
	free(v);
	return t;
}

/* ---------------------------------------------------------------- checks */

static void set_bool(struct val *v, bool b)
{
	v->t = V_BOOL;
	v->b = b;
}

static void set_str(struct val *v, char *owned)
{
	v->t = V_STR;
	v->s = owned;
}

static char *resolve(const char *host, int socktype)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	if (!host[0] || host[0] == '-' || getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return NULL;
	char buf[INET6_ADDRSTRLEN] = "";
	if (res->ai_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, buf, sizeof buf);
	else if (res->ai_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, buf, sizeof buf);
	freeaddrinfo(res);
	return buf[0] ? xstrdup(buf) : NULL;
}

static bool icmp_alive(struct wd *w, const char *host, int attempts)
{
	char *addr = resolve(host, SOCK_DGRAM);
	if (!addr)
		return false;
	struct icmp_opts o;
	icmp_opts_from_config(&o, w->r->cfg);
	o.attempts = attempts;
	struct icmp_target t = { .addr = addr };
	icmp_ping_many(&t, 1, &o);
	free(addr);
	return t.alive;
}

/* fsockopen("tcp://host", port, .., .., 2) */
static bool tcp_alive(const char *host, const char *port)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (!host[0] || getaddrinfo(host, port, &hints, &res) != 0 || !res)
		return false;
	bool ok = false;
	long long deadline = clock_mono_ms() + 2000;
	for (struct addrinfo *a = res; a && !ok; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			ok = true;
		} else if (errno == EINPROGRESS) {
			long long left = deadline - clock_mono_ms();
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			int err = 0;
			socklen_t el = sizeof err;
			if (left > 0 && poll(&p, 1, (int)left) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0)
				ok = true;
		}
		close(fd);
		if (clock_mono_ms() >= deadline)
			break;
	}
	freeaddrinfo(res);
	return ok;
}

static bool port_ok(const char *p)
{
	return str_is_digits(p) && strlen(p) <= 5 && atol(p) <= 65535;
}

/* <SUDO> <NMAP_PATH> -p<port> -sU <host> | <GREP> <port>, the grep done
 * here: a line naming the port that says "open". */
static bool udp_open(struct wd *w, const char *host, const char *port)
{
	if (!port_ok(port) || !host[0] || host[0] == '-')
		return false;
	size_t n1 = 0, n2 = 0;
	char **sudo = spawn_argv_split(cfg_billing(w->r->cfg, "SUDO", ""), 0, &n1);
	char **nmap = spawn_argv_split(cfg_alter(w->r->cfg, "NMAP_PATH", "/usr/local/bin/nmap"), 0, &n2);
	char **argv = xcalloc(n1 + n2 + 4, sizeof *argv);
	char popt[16];
	snprintf(popt, sizeof popt, "-p%s", port);
	size_t k = 0;
	for (size_t i = 0; i < n1; i++)
		argv[k++] = sudo[i];
	for (size_t i = 0; i < n2; i++)
		argv[k++] = nmap[i];
	argv[k++] = popt;
	argv[k++] = (char *)"-sU";
	argv[k++] = (char *)host;
	argv[k] = NULL;
	bool open = false;
	struct sbuf out = SBUF_INIT;
	struct spawn_result res;
	if (n2 > 0 && spawn_run(argv, (int)w->timeout_ms, WD_MAX_BODY, &out, &res) == 0) {
		for (char *line = out.s; line && *line && !open;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			open = strstr(line, port) && strstr(line, "open");
			line = nl ? nl + 1 : NULL;
		}
	}
	sbuf_free(&out);
	free(argv);
	spawn_argv_free(sudo);
	spawn_argv_free(nmap);
	return open;
}

/* file_get_contents(): http(s) through libcurl (redirects followed, an
 * HTTP error status is a failure as in PHP), a plain path as a file. */
static char *http_body(struct wd *w, const char *url)
{
	if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0) {
		struct http_request q = { .url = url, .timeout_ms = w->timeout_ms, .follow_redirects = 1 };
		struct http_response resp = { 0 };
		struct sbuf err = SBUF_INIT;
		char *body = NULL;
		if (http_request(&q, &resp, &err) == 0 && resp.status < 400)
			body = xstrndup(nz(resp.body.s), resp.body.len);
		http_response_free(&resp);
		sbuf_free(&err);
		return body ? body : xstrdup("");
	}
	if (strstr(url, "://"))
		return xstrdup("");
	size_t len = 0;
	char *data = file_get(url, &len);
	if (!data)
		return xstrdup("");
	/* a NUL inside ends the text this value can carry */
	return data;
}

/* A task's script column: split on blanks and run as argv, like every
 * other program ubapi starts. PHP handed it to a shell; installs whose
 * scripts rely on shell syntax (pipes, ';', $VAR) opt in with ubapi.ini
 * watchdog_script_shell=1, the column being admin-written code. */
static char *run_script(struct wd *w, const char *cmd)
{
	bool shell = php_truthy(cfg_ubapi(w->r->cfg, "watchdog_script_shell", "0"));
	char *sh_argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)cmd, NULL };
	size_t argc = 0;
	char **split = shell ? NULL : spawn_argv_split(cmd, 0, &argc);
	struct sbuf out = SBUF_INIT;
	struct spawn_result res;
	if (!shell && argc == 0)
		syslog(LOG_WARNING, "ubapi watchdog: an empty script");
	else if (spawn_run(shell ? sh_argv : split, (int)w->timeout_ms, WD_MAX_BODY, &out, &res) != 0)
		syslog(LOG_WARNING, "ubapi watchdog: cannot run %s", shell ? "/bin/sh" : split[0]);
	else if (res.timed_out)
		syslog(LOG_WARNING, "ubapi watchdog: a script ran out of time and was killed");
	if (split)
		spawn_argv_free(split);
	char *s = xstrndup(nz(out.s), out.len);
	sbuf_free(&out);
	return s;
}

static char *snmp_value(struct wd *w, const char *host, const char *community, const char *oid)
{
	struct cwalk *c = xcalloc(1, sizeof *c);
	c->host = host;
	c->community = community;
	c->oid = trim_dup(oid);
	c->use_cache = true;
	cwalk_run(w->r->cfg, c, 1);
	char *raw = trim_dup(c->text);
	cwalk_free(c, 1);
	char *v = wd_snmp_sanitize(raw);
	free(raw);
	return v;
}

static char *free_gib(const char *path)
{
	struct statvfs st;
	double gib = 0;
	if (statvfs(path, &st) == 0)
		gib = (double)st.f_bavail * (double)st.f_frsize / 1073741824.0;
	gib = round(gib * 100.0) / 100.0;
	struct sbuf b = SBUF_INIT;
	phpnum_format(gib, &b);
	return sbuf_detach(&b);
}

/* explode(':', s): the i-th part, "" when there are fewer */
static char *part(const char *s, int i)
{
	for (; i > 0 && s; i--) {
		s = strchr(s, ':');
		if (s)
			s++;
	}
	if (!s)
		return NULL;
	const char *e = strchr(s, ':');
	return e ? xstrndup(s, (size_t)(e - s)) : xstrdup(s);
}

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* Runs the task's check. 0 with *v set and *store true when PHP would have
 * written oldresult; -1 with ex set where PHP throws. */
static int run_check(struct wd *w, const struct task *t, struct val *v, bool *store, char *ex, size_t exsz)
{
	const char *type = nz(t->col[T_CHECK]), *param = nz(t->col[T_PARAM]);
	static const char *const known[] = { "icmpping", "hopeping", "httpget", "script", "onepunch",
					     "tcpping", "udpping", "snmpwalk", "freediskspace",
					     "getusertraff", "fileexists", "opentickets" };
	bool is_known = false;
	for (size_t i = 0; i < sizeof known / sizeof *known; i++)
		is_known = is_known || strcmp(type, known[i]) == 0;
	v->t = V_NULL;
	v->s = NULL;
	*store = false;
	if (!is_known)
		return 0;
	char up[64];
	snprintf(up, sizeof up, "%s", type);
	upper(up);
	if (!php_truthy(param)) {
		snprintf(ex, exsz, "NO_REQUIRED_TASK_PARAM_%s", up);
		return -1;
	}
	*store = true;
	if (strcmp(type, "icmpping") == 0 || strcmp(type, "hopeping") == 0) {
		set_bool(v, icmp_alive(w, param, type[0] == 'i' ? 1 : 3));
	} else if (strcmp(type, "httpget") == 0) {
		char *body = http_body(w, param);
		set_str(v, trim_dup(body));
		free(body);
	} else if (strcmp(type, "script") == 0) {
		char *out = run_script(w, param);
		set_str(v, trim_dup(out));
		free(out);
	} else if (strcmp(type, "onepunch") == 0) {
		/* the script is PHP code: nothing here can run it */
		*store = false;
		snprintf(ex, exsz, "ONEPUNCH_NEEDS_PHP");
		return -1;
	} else if (strcmp(type, "tcpping") == 0 || strcmp(type, "udpping") == 0) {
		char *host = part(param, 0), *port = part(param, 1);
		int rc = 0;
		if (!strchr(param, ':') || (type[0] == 't' && !port_ok(port))) {
			snprintf(ex, exsz, "WRONG_FORMAT_TASK_PARAM_%s", up);
			*store = false;
			rc = -1;
		} else {
			set_bool(v, type[0] == 't' ? tcp_alive(host, port) : udp_open(w, host, port));
		}
		free(host);
		free(port);
		return rc;
	} else if (strcmp(type, "snmpwalk") == 0) {
		char *host = part(param, 0), *comm = part(param, 1), *oid = part(param, 2);
		int rc = 0;
		if (!oid) {
			snprintf(ex, exsz, "WRONG_FORMAT_TASK_PARAM_%s", up);
			*store = false;
			rc = -1;
		} else {
			set_str(v, snmp_value(w, host, comm, oid));
		}
		free(host);
		free(comm);
		free(oid);
		return rc;
	} else if (strcmp(type, "freediskspace") == 0) {
		if (!strchr(param, '/')) {
			snprintf(ex, exsz, "WRONG_FORMAT_TASK_PARAM_%s", up);
			*store = false;
			return -1;
		}
		set_str(v, free_gib(param));
	} else if (strcmp(type, "getusertraff") == 0 || strcmp(type, "opentickets") == 0) {
		bool err = false;
		char *s = type[0] == 'g'
			? db_value(w->r->db, &err, "SELECT SUM(`D0`+`U0`) FROM `users` WHERE `login`=?", "s", param)
			: db_value(w->r->db, &err,
				   "SELECT COUNT(`id`) FROM `ticketing` WHERE `to` IS NULL AND `replyid` IS NULL "
				   "AND `status`='0'", "");
		if (err)
			w->db_failed = true;
		if (s)
			set_str(v, s);
	} else if (strcmp(type, "fileexists") == 0) {
		struct stat st;
		set_bool(v, stat(param, &st) == 0);
	}
	return 0;
}

/* What PHP stored and later prints: booleans as true/false, null as "". */
static const char *stored_text(const struct val *v)
{
	if (v->t == V_BOOL)
		return v->b ? "true" : "false";
	return nz(v->s);
}

/* (string)$v: true "1", false and null "" */
static const char *php_string(const struct val *v)
{
	if (v->t == V_BOOL)
		return v->b ? "1" : "";
	return nz(v->s);
}

static bool php_truthy_val(const struct val *v)
{
	if (v->t == V_BOOL)
		return v->b;
	return v->t == V_STR && php_truthy(v->s);
}

static bool known_operator(const char *op)
{
	static const char *const ops[] = { "=true", "=false", "==", "!=", ">", "<", ">=", "<=",
					   "changed", "notchanged", "empty", "notempty", "like",
					   "notlike", "rised", "decreased" };
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
		if (strcmp(op, ops[i]) == 0)
			return true;
	return false;
}

/* The operator against the check's value v; cur = v as stored (cut to
 * the column), which is what the old value will be compared to next run. */
static bool fires(const struct task *t, const struct val *v, const char *cur)
{
	const char *op = nz(t->col[T_OP]), *cond = t->col[T_COND], *old = t->col[T_OLD];
	if (strcmp(op, "=true") == 0)
		return php_truthy_val(v);
	if (strcmp(op, "=false") == 0)
		return !php_truthy_val(v);
	if (strcmp(op, "changed") == 0 || strcmp(op, "notchanged") == 0) {
		bool eq = loose_eq(v->t == V_NULL ? NULL : cur, old);
		return op[0] == 'c' ? !eq : eq;
	}
	if (strcmp(op, "rised") == 0 || strcmp(op, "decreased") == 0) {
		double level = php_truthy(cond) ? wd_leading_number(cond) : 0;
		double now = v->t == V_BOOL ? (v->b ? 1 : 0) : wd_leading_number(v->s);
		double was = wd_leading_number(old);
		return op[0] == 'r' ? now > was + level : now < was - level;
	}
	if (strcmp(op, "like") == 0 || strcmp(op, "notlike") == 0) {
		bool in = strstr(php_string(v), nz(cond)) != NULL;
		return op[0] == 'l' ? in : !in;
	}
	char *tv = trim_dup(php_string(v));
	bool res = false;
	if (strcmp(op, "empty") == 0 || strcmp(op, "notempty") == 0) {
		res = php_truthy(tv) == (op[0] == 'n');
	} else if (strcmp(op, "==") == 0 || strcmp(op, "!=") == 0) {
		char *tc = trim_dup(cond);
		res = (wd_php_strcmp(tv, tc) == 0) == (op[0] == '=');
		free(tc);
	} else {
		int c = wd_php_strcmp(tv, nz(cond));
		if (strcmp(op, ">") == 0)
			res = c > 0;
		else if (strcmp(op, "<") == 0)
			res = c < 0;
		else if (strcmp(op, ">=") == 0)
			res = c >= 0;
		else
			res = c <= 0;
	}
	free(tv);
	return res;
}

/* ---------------------------------------------------------------- actions */

/* The first "<open>...<close>" group of the action text (preg_match
 * '!\((.*?)\)!si'); NULL when there is none. */
static char *bracketed(const char *action, char open, char close)
{
	const char *a = strchr(action, open);
	const char *b = a ? strchr(a + 1, close) : NULL;
	return b ? xstrndup(a + 1, (size_t)(b - a - 1)) : NULL;
}

struct list {
	char **v;
	size_t n;
};

static void list_push(struct list *l, const char *s, size_t len)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrndup(s, len);
}

/* explode(',', s) */
static void list_explode(struct list *l, const char *s)
{
	for (;;) {
		const char *c = strchr(s, ',');
		list_push(l, s, c ? (size_t)(c - s) : strlen(s));
		if (!c)
			break;
		s = c + 1;
	}
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The primary list plus "(a,b)"-style extras from the action, or only the
 * extras when the action has the replace keyword. */
static void recipients(struct list *l, const char *primary, const char *action, char open, char close,
		       const char *replace_kw)
{
	list_explode(l, primary);
	char *extra = bracketed(action, open, close);
	if (!extra)
		return;
	struct list add = { 0 };
	list_explode(&add, extra);
	if (has(action, replace_kw)) {
		list_free(l);
		*l = add;
	} else {
		for (size_t i = 0; i < add.n; i++)
			if (php_truthy(add.v[i]))
				list_push(l, add.v[i], strlen(add.v[i]));
		list_free(&add);
	}
	free(extra);
}

static void do_actions(struct wd *w, const struct task *t, const char *cur)
{
	struct req *r = w->r;
	const char *action = nz(t->col[T_ACTION]), *name = nz(t->col[T_NAME]);
	struct sbuf tail = SBUF_INIT, text = SBUF_INIT;
	sbuf_puts(&tail, name);
	if (has(action, "oldresult"))
		sbuf_printf(&tail, " %s", nz(t->col[T_OLD]));
	if (has(action, "andresult"))
		sbuf_printf(&tail, " %s", cur);
	sbuf_printf(&text, "%s %s", w->alert, sbuf_str(&tail));

	if (has(action, "log"))
		weblog(r, "WATCHDOG NOTIFY THAT `%s`", sbuf_str(&tail));

	if (has(action, "email") && php_truthy(w->emails)) {
		char date[20];
		clock_format_datetime(r->now, date);
		/* __('Watchdog') in the install's default language */
		struct notify_lang *lang = notify_lang_load(r->cfg);
		const char *word = notify_tr(lang, "Watchdog");
		struct sbuf subj = SBUF_INIT, msg = SBUF_INIT;
		sbuf_printf(&subj, "Ubilling %s", word);
		sbuf_printf(&msg, "%s %s", sbuf_str(&text), date);
		struct list l = { 0 };
		list_explode(&l, w->emails);
		for (size_t i = 0; i < l.n; i++)
			sd_queue_email(r, l.v[i], sbuf_str(&subj), sbuf_str(&msg), WD_MODULE);
		list_free(&l);
		sbuf_free(&subj);
		sbuf_free(&msg);
		notify_lang_free(lang);
	}

	if (has(action, "telegram") && php_truthy(w->telegram)) {
		struct list l = { 0 };
		recipients(&l, w->telegram, action, '(', ')', "no_tg_primary");
		char qname[SD_QNAME_MAX];
		for (size_t i = 0; i < l.n; i++)
			sd_queue_telegram(r, l.v[i], sbuf_str(&text), WD_MODULE, NULL, qname);
		list_free(&l);
	}

	if (has(action, "script")) {
		char *path = bracketed(action, '[', ']');
		if (php_truthy(path)) {
			/* the column is a shell command line by design (spec §7.7) */
			char *out = run_script(w, path);
			free(out);
			weblog(r, "WATCHDOG RUN SCRIPT `%s`", path);
		}
		free(path);
	}

	if (!w->sms_silence && has(action, "sms") && php_truthy(w->phones)) {
		struct list l = { 0 };
		recipients(&l, w->phones, action, '{', '}', "noprimary");
		char *msg = sd_sign_filter(sbuf_str(&text));
		char qname[SD_QNAME_MAX];
		for (size_t i = 0; i < l.n; i++) {
			char *num = sd_sign_filter(l.v[i]);
			sd_queue_sms(r, num, msg, WD_MODULE, qname);
			free(num);
		}
		free(msg);
		list_free(&l);
	}
	sbuf_free(&tail);
	sbuf_free(&text);
}

static void process(struct wd *w, const struct task *t)
{
	struct req *r = w->r;
	const char *id = nz(t->col[T_ID]);
	if (!known_operator(nz(t->col[T_OP])))
		return;
	struct val v = { V_NULL, false, NULL };
	bool store;
	char ex[96] = "";
	if (run_check(w, t, &v, &store, ex, sizeof ex) != 0) {
		weblog(r, "WATCHDOG TASK [%s] SKIPPED %s", id, ex);
		return;
	}
	struct sbuf cur = SBUF_INIT;
	sbuf_puts(&cur, stored_text(&v));
	sbuf_truncate_chars(&cur, WD_STORE_MAX);
	if (store && db_exec(r->db, "UPDATE `watchdog` SET `oldresult`=? WHERE `id`=?", "ss", sbuf_str(&cur), id) < 0) {
		syslog(LOG_ERR, "ubapi watchdog: task %s: oldresult not stored: %s", id, db_error(r->db));
		w->db_failed = true;
	}
	if (fires(t, &v, sbuf_str(&cur))) {
		if (!php_truthy(t->col[T_ACTION]))
			weblog(r, "WATCHDOG TASK [%s] SKIPPED NO_AVAILABLE_TASK_ACTIONS", id);
		else
			do_actions(w, t, store ? sbuf_str(&cur) : "");
	}
	sbuf_free(&cur);
	free(v.s);
}

/* ---------------------------------------------------------------- i18n */

/* ---------------------------------------------------------------- lock */

/* ---------------------------------------------------------------- run */

enum wd_outcome watchdog_run(struct req *r)
{
	struct db_rows rows = { 0 };
	/* DECISIONS 18b: PHP's unordered SELECT in primary-key order */
	if (db_query(r->db, &rows,
		     "SELECT `id`,`name`,`checktype`,`param`,`operator`,`condition`,`action`,`oldresult` "
		     "FROM `watchdog` WHERE `active`='1' ORDER BY `id`", "") != 0)
		return WD_DB_ERROR;
	static const char *const keys[] = { "WATCHDOG_ALERT", "WATCHDOG_PHONES", "WATCHDOG_EMAILS",
					     "WATCHDOG_TELEGRAM", "WATCHDOG_MAINTENANCE", "WATCHDOG_SMSSILENCE" };
	char *set[6] = { 0 };
	enum wd_outcome out = WD_OK;
	for (size_t i = 0; i < 6 && out == WD_OK; i++)
		if (!(set[i] = storage_get(r->db, keys[i])))
			out = WD_DB_ERROR;
	if (out == WD_OK && !php_truthy(set[0]))
		out = WD_NO_SETTINGS;
	if (out != WD_OK)
		goto done;
	if (php_truthy(set[4])) {
		weblog(r, "WATCHDOG MAINTENANCE TASKS SKIPPED");
		goto done;
	}
	struct stardust lock;
	int got = stardust_take(r->cfg, r->db, WD_LOCK, &lock);
	if (got < 0) {
		out = got == -2 ? WD_LOCK_ERROR : WD_DB_ERROR;
		goto done;
	}
	if (got == 0) {
		weblog(r, "WATCHDOG ALREADY RUNNING TASKS SKIPPED");
		goto done;
	}
	struct wd w = { .r = r, .alert = set[0], .phones = set[1], .emails = set[2], .telegram = set[3],
			.sms_silence = php_truthy(set[5]),
			.timeout_ms = cfg_ubapi_long(r->cfg, "watchdog_timeout_s", 60) * 1000 };
	for (size_t i = 0; i < rows.nrows; i++) {
		struct task t;
		for (int c = 0; c < T_COLS; c++)
			t.col[c] = db_cell(&rows, i, (size_t)c);
		process(&w, &t);
	}
	stardust_give(r->db, &lock);
	if (w.db_failed)
		out = WD_DB_ERROR;
done:
	for (size_t i = 0; i < 6; i++)
		free(set[i]);
	db_rows_free(&rows);
	return out;
}
