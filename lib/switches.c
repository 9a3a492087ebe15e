#include "switches.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "phpser.h"
#include "snmp.h"
#include "stardust.h"
#include "util.h"

/* --- directory ------------------------------------------------------------ */

int swlist_load(struct db *db, struct swlist *out, const char *tail)
{
	out->v = NULL;
	out->n = 0;
	struct sbuf q = SBUF_INIT;
	sbuf_printf(&q, "SELECT `id`,`modelid`,`ip`,`desc`,`location`,`snmp`,`snmpwrite` FROM `switches` %s",
		    tail ? tail : "");
	struct db_rows rows;
	int rc = db_query(db, &rows, sbuf_str(&q), "");
	sbuf_free(&q);
	if (rc != 0)
		return -1;
	out->v = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *out->v);
	for (size_t i = 0; i < rows.nrows; i++) {
		char **f[] = { &out->v[i].id, &out->v[i].modelid, &out->v[i].ip, &out->v[i].desc,
			       &out->v[i].location, &out->v[i].snmp, &out->v[i].snmpwrite };
		for (size_t c = 0; c < 7; c++) {
			const char *v = db_cell(&rows, i, c);
			*f[c] = xstrdup(v ? v : "");
		}
	}
	out->n = rows.nrows;
	db_rows_free(&rows);
	return 0;
}

void swlist_free(struct swlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].modelid);
		free(l->v[i].ip);
		free(l->v[i].desc);
		free(l->v[i].location);
		free(l->v[i].snmp);
		free(l->v[i].snmpwrite);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

bool sw_pingable(const struct swdev *d)
{
	return d->ip[0] && !strstr(d->desc, "NP");
}

/* --- templates ------------------------------------------------------------ */

/* PHP stripcslashes() */
static char *unescape(const char *s)
{
	struct sbuf b = SBUF_INIT;
	sbuf_add_stripcslashes(&b, s, strlen(s));
	return sbuf_detach(&b);
}

static void sec_add(struct tpl_section *s, char *key, char *val)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0) {
			free(key);
			free(s->kv[i].val);
			s->kv[i].val = val;
			return;
		}
	s->kv = xrealloc(s->kv, (s->n + 1) * sizeof *s->kv);
	s->kv[s->n].key = key;
	s->kv[s->n].val = val;
	s->n++;
}

struct tpl *tpl_parse(const char *name, const char *text)
{
	struct tpl *t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	struct tpl_section *cur = NULL;
	const char *p = text;
	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, len);
		p = e ? e + 1 : NULL;
		str_trim(line);
		size_t ll = strlen(line);
		if (ll == 0 || line[0] == ';') {
			free(line);
			continue;
		}
		if (line[0] == '[' && line[ll - 1] == ']') {
			line[ll - 1] = '\0';
			for (char *c = line + 1; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			struct tpl_section *found = NULL;
			for (size_t i = 0; i < t->n; i++)
				if (strcmp(t->sec[i].name, line + 1) == 0)
					found = &t->sec[i];
			if (!found) {
				t->sec = xrealloc(t->sec, (t->n + 1) * sizeof *t->sec);
				found = &t->sec[t->n++];
				memset(found, 0, sizeof *found);
				found->name = xstrdup(line + 1);
			}
			cur = found;
			free(line);
			continue;
		}
		if (!cur) {
			free(line);
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq || eq == line) {
			sec_add(cur, xstrdup(line), xstrdup(""));
			free(line);
			continue;
		}
		*eq = '\0';
		char *key = xstrdup(str_trim(line));
		char *v = str_trim(eq + 1);
		size_t vl = strlen(v);
		if (vl && v[0] == '"') {
			v++;
			vl--;
		}
		if (vl && v[vl - 1] == '"')
			v[--vl] = '\0';
		sec_add(cur, key, unescape(v));
		free(line);
	}
	if (t->n == 0) {
		tpl_free(t);
		return NULL;
	}
	return t;
}

struct tpl *tpl_load_file(const char *name, const char *path)
{
	char *text = file_get(path, NULL);
	if (!text)
		return NULL;
	struct tpl *t = tpl_parse(name, text);
	free(text);
	return t;
}

void tpl_free(struct tpl *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->sec[i].n; k++) {
			free(t->sec[i].kv[k].key);
			free(t->sec[i].kv[k].val);
		}
		free(t->sec[i].kv);
		free(t->sec[i].name);
	}
	free(t->sec);
	free(t->name);
	free(t);
}

const struct tpl_section *tpl_section(const struct tpl *t, const char *name)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (strcmp(t->sec[i].name, name) == 0)
			return &t->sec[i];
	return NULL;
}

const char *tpl_sget(const struct tpl_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return s->kv[i].val;
	return NULL;
}

const char *tpl_get(const struct tpl *t, const char *section, const char *key)
{
	return tpl_sget(tpl_section(t, section), key);
}

bool tpl_name_ok(const char *name)
{
	return name && name[0] && name[0] != '.' && !strchr(name, '/');
}

static struct tpl *tpl_from(const struct config *cfg, const char *dir, const char *name)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "%s/%s", dir, name);
	char *path = cfg_path(cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	struct tpl *t = tpl_load_file(name, path);
	free(path);
	return t;
}

struct tpl *tpl_load_for_model(const struct config *cfg, const char *name)
{
	if (!tpl_name_ok(name))
		return NULL;
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "content/documents/mysnmptemplates/%s", name);
	char *path = cfg_path(cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	bool priv = access(path, R_OK) == 0;
	struct tpl *t = priv ? tpl_load_file(name, path) : tpl_from(cfg, "config/snmptemplates", name);
	free(path);
	return t;
}

struct tpl *tpl_load_swpoll(const struct config *cfg, const char *name)
{
	if (!tpl_name_ok(name))
		return NULL;
	struct tpl *priv = tpl_from(cfg, "content/documents/mysnmptemplates", name);
	if (priv && tpl_get(priv, "define", "DEVICE"))
		return priv;
	tpl_free(priv);
	return tpl_from(cfg, "config/snmptemplates", name);
}

/* --- files ----------------------------------------------------------------- */

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	for (char *c = p + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		mkdir(p, 0775);
		*c = '/';
	}
	int rc = mkdir(p, 0775) == 0 || errno == EEXIST ? 0 : -1;
	free(p);
	return rc;
}

int file_put(const char *path, const void *data, size_t len, int mode)
{
	struct sbuf tmp = SBUF_INIT;
	sbuf_printf(&tmp, "%s.ubapi%ld", path, (long)getpid());
	int fd = open(sbuf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode ? mode : 0664);
	if (fd < 0) {
		sbuf_free(&tmp);
		return -1;
	}
	if (mode)
		fchmod(fd, (mode_t)mode);
	const char *p = data;
	size_t left = len;
	int rc = 0;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0 && rename(sbuf_str(&tmp), path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(sbuf_str(&tmp));
	sbuf_free(&tmp);
	return rc;
}

int file_put_inplace(const char *path, const void *data, size_t len)
{
	/* no O_TRUNC: ext4 flushes a file on close once it was truncated to
	 * zero (auto_da_alloc), which made a poll of 1,000 walks spend most of
	 * its time in the kernel; overwrite, then cut to the new length */
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0664);
	if (fd < 0)
		return -1;
	ssize_t w = len ? write(fd, data, len) : 0;
	int rc = w == (ssize_t)len && ftruncate(fd, (off_t)len) == 0 ? 0 : -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

int file_append(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0664);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, data, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

char *file_get(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&b, buf, got);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		sbuf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return sbuf_detach(&b);
}

char *exports_path(const struct config *cfg, const char *name)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "exports/%s", name);
	char *p = cfg_path(cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	return p;
}

/* --- misc ------------------------------------------------------------------- */

bool swdead_has(const char *swdead, const char *ip)
{
	if (!swdead || !*swdead || !ip)
		return false;
	cJSON *m = phpser_parse(swdead, strlen(swdead));
	bool has = false;
	if (m && cJSON_IsObject(m))
		has = cJSON_GetObjectItemCaseSensitive(m, ip) != NULL;
	cJSON_Delete(m);
	return has;
}

bool mac_from_decimal(const char *s, char out[18])
{
	unsigned v[6];
	int pos = 0;
	if (sscanf(s, "%u.%u.%u.%u.%u.%u%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &pos) != 6 ||
	    s[pos] != '\0')
		return false;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 255)
			return false;
	}
	for (const char *c = s; *c; c++)
		if (!isdigit((unsigned char)*c) && *c != '.')
			return false;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", v[0], v[1], v[2], v[3], v[4], v[5]);
	return true;
}

bool mac_valid(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

void md5_hex(const char *s, char out[33])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	EVP_Digest(s, strlen(s), d, &dl, EVP_md5(), NULL);
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + i * 2, 3, "%02x", d[i]);
}

/* --- raw cache walks ---------------------------------------------------------- */

bool oid_text_ok(const char *oid)
{
	if (!oid || !*oid || strlen(oid) > 400)
		return false;
	for (const char *c = oid; *c; c++)
		if (!isdigit((unsigned char)*c) && *c != '.')
			return false;
	return true;
}

static bool host_text_ok(const char *h)
{
	if (!h || !*h || h[0] == '.' || strlen(h) > 64)
		return false;
	for (const char *c = h; *c; c++)
		if (!isxdigit((unsigned char)*c) && *c != '.' && *c != ':')
			return false;
	return true;
}

static char *cache_name(const struct config *cfg, const char *host, const char *oid)
{
	struct sbuf n = SBUF_INIT;
	sbuf_printf(&n, "%s_%s", host, oid);
	char *p = exports_path(cfg, sbuf_str(&n));
	sbuf_free(&n);
	return p;
}

void cwalk_run(const struct config *cfg, struct cwalk *w, size_t n)
{
	struct snmp_defaults sd;
	snmp_defaults_from_config(&sd, cfg, "SNMPWALK_PATH");
	/* SNMP_MODE native/class: PHP's own SNMP functions, i.e. SNMPv1 walks */
	const char *mode = cfg_alter(cfg, "SNMP_MODE", "system");
	bool php_mode = strcmp(mode, "native") == 0 || strcmp(mode, "class") == 0;
	const char *ct = cfg_alter(cfg, "SNMPCACHE_TIME", "60");
	long cache_s = str_is_digits(ct) && strlen(ct) < 7 ? atol(ct) * 60 : 0;
	time_t now = time(NULL);
	struct snmp_job *jobs = xcalloc(n ? n : 1, sizeof *jobs);
	size_t *map = xcalloc(n ? n : 1, sizeof *map);
	char (*peer)[80] = xcalloc(n ? n : 1, sizeof *peer);
	size_t nj = 0;
	for (size_t i = 0; i < n; i++) {
		w[i].text = NULL;
		w[i].status = -1;
		if (!oid_text_ok(w[i].oid) || !host_text_ok(w[i].host)) {
			w[i].text = xstrdup("");
			continue;
		}
		if (w[i].use_cache) {
			char *path = cache_name(cfg, w[i].host, w[i].oid);
			struct stat st;
			if (stat(path, &st) == 0 && st.st_mtime > now - cache_s)
				w[i].text = file_get(path, NULL);
			free(path);
			if (w[i].text) {
				w[i].status = 0;
				continue;
			}
		}
		struct snmp_job *j = &jobs[nj];
		snmp_peer(peer[nj], sizeof peer[nj], w[i].host, sd.port);
		j->host = peer[nj];
		j->community = w[i].community ? w[i].community : "";
		bool native = w[i].native || php_mode;
		j->version = native ? 1 : sd.version;
		j->kind = SNMPJ_WALK;
		j->oid = w[i].oid;
		j->timeout_ms = native ? 1000 : sd.timeout_ms;
		j->retries = native ? 1 : sd.retries;
		j->php_native = native;
		map[nj++] = i;
	}
	snmp_run(jobs, nj, (int)cfg_ubapi_long(cfg, "snmp_inflight", 128));
	for (size_t k = 0; k < nj; k++) {
		struct cwalk *x = &w[map[k]];
		x->status = jobs[k].status;
		x->text = jobs[k].text.s ? sbuf_detach(&jobs[k].text) : xstrdup("");
		char *path = cache_name(cfg, x->host, x->oid);
		file_put_inplace(path, x->text, strlen(x->text));
		free(path);
	}
	free(peer);
	free(map);
	free(jobs);
}

void cwalk_free(struct cwalk *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(w[i].oid);
		free(w[i].text);
	}
	free(w);
}

/* --- swpoll ---------------------------------------------------------------- */

struct walks {
	struct cwalk *v;
	size_t *dev;   /* which device asked */
	int *role;
	size_t n, cap;
};

enum { W_DATA, W_FDB, W_FDB_STATUS, W_FDB_1Q, W_FDB_1Q_STATUS, W_MAC, W_PINDEX, W_PDESCR, W_PALIAS };

static void walks_add(struct walks *w, size_t dev, int role, const struct swdev *d, const char *oid)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->v = xrealloc(w->v, w->cap * sizeof *w->v);
		w->dev = xrealloc(w->dev, w->cap * sizeof *w->dev);
		w->role = xrealloc(w->role, w->cap * sizeof *w->role);
	}
	char *o = xstrdup(oid);
	str_trim(o);
	struct cwalk c = { d->ip, d->snmp, o, true, false, NULL, -1 };
	w->v[w->n] = c;
	w->dev[w->n] = dev;
	w->role[w->n] = role;
	w->n++;
}

static void walks_free(struct walks *w)
{
	cwalk_free(w->v, w->n);
	free(w->dev);
	free(w->role);
	memset(w, 0, sizeof *w);
}

static const char *walk_text(const struct walks *w, size_t dev, int role)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dev[i] == dev && w->role[i] == role)
			return w->v[i].text ? w->v[i].text : "";
	return NULL;
}

/* a list of strings from a comma list (PHP explode: values not trimmed) */
static bool in_comma_list(const char *list, const char *v)
{
	size_t vl = strlen(v);
	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == vl && strncmp(p, v, l) == 0)
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

static char *digits_only(const char *s)
{
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	for (; *s; s++)
		if (isdigit((unsigned char)*s))
			sbuf_putc(&b, *s);
	return sbuf_detach(&b);
}

struct fdb {
	char **key;
	char **port;
	char **vlan;  /* sw_cumulative 1Q only */
	bool port_int;
	size_t n;
};

static void fdb_put(struct fdb *f, const char *key, const char *port, const char *vlan)
{
	for (size_t i = f->n; i-- > 0;)
		if (strcmp(f->key[i], key) == 0) {
			free(f->port[i]);
			f->port[i] = xstrdup(port);
			free(f->vlan[i]);
			f->vlan[i] = vlan ? xstrdup(vlan) : NULL;
			return;
		}
	f->key = xrealloc(f->key, (f->n + 1) * sizeof *f->key);
	f->port = xrealloc(f->port, (f->n + 1) * sizeof *f->port);
	f->vlan = xrealloc(f->vlan, (f->n + 1) * sizeof *f->vlan);
	f->key[f->n] = xstrdup(key);
	f->port[f->n] = xstrdup(port);
	f->vlan[f->n] = vlan ? xstrdup(vlan) : NULL;
	f->n++;
}

static void fdb_free(struct fdb *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->key[i]);
		free(f->port[i]);
		free(f->vlan[i]);
	}
	free(f->key);
	free(f->port);
	free(f->vlan);
}

/* Splits "<base><index> = <value>" into index (dots trimmed) and value. */
static bool split_line(const char *line, const char *base, char *idx, size_t isz, const char **value)
{
	const char *eq = strchr(line, '=');
	if (!eq)
		return false;
	const char *p = line;
	size_t bl = strlen(base);
	if (strncmp(p, base, bl) == 0)
		p += bl;
	while (*p == '.')
		p++;
	size_t l = (size_t)(eq - p);
	while (l && (p[l - 1] == ' ' || p[l - 1] == '.'))
		l--;
	if (l >= isz)
		return false;
	memcpy(idx, p, l);
	idx[l] = '\0';
	*value = eq + 1;
	return true;
}

/* mac from index sub-ids [skip, skip+6) when the index has exactly want parts */
static bool mac_at(const char *idx, size_t skip, size_t want, char mac[18])
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", idx);
	char *parts[64];
	size_t np = 0;
	for (char *s = buf, *tok; np < 64 && (tok = strsep(&s, ".")) != NULL;)
		parts[np++] = tok;
	if (np != want || skip + 6 > np)
		return false;
	char m[128] = "";
	for (size_t i = skip; i < skip + 6; i++) {
		strncat(m, parts[i], sizeof m - strlen(m) - 2);
		if (i + 1 < skip + 6)
			strcat(m, ".");
	}
	return mac_from_decimal(m, mac);
}

/* TP-Link: <mac6>.<suffix>. PHP cut the last two bytes before '=' (meant
 * as a one-digit suffix and the space), put ".1" in front, trimmed dots and
 * dropped the first sub-id; other suffix lengths shift or lose the MAC
 * exactly as they did there. */
static bool tlp_mac(const char *line, const char *base, char mac[18])
{
	const char *eq = strchr(line, '=');
	size_t bl = strlen(base);
	const char *p = strncmp(line, base, bl) == 0 ? line + bl : line;
	if (!eq || eq < p)
		return false;
	size_t l = (size_t)(eq - p);
	l = l > 2 ? l - 2 : 0;
	char buf[256];
	if (l + 3 > sizeof buf)
		return false;
	snprintf(buf, sizeof buf, ".1%.*s", (int)l, p);
	char *s = buf;
	while (*s == '.')
		s++;
	for (size_t e = strlen(s); e && s[e - 1] == '.';)
		s[--e] = '\0';
	return mac_at(s, 1, 7, mac);
}

static void fdb_parse_simple(struct fdb *f, const char *mode, const char *text, const char *base)
{
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char idx[256], mac[18];
		const char *value;
		if (!*line || !split_line(line, base, idx, sizeof idx, &value))
			continue;
		char *port = digits_only(value);
		bool ok = false;
		if (strcmp(mode, "default") == 0) {
			ok = mac_at(idx, 0, 6, mac);
		} else if (strcmp(mode, "ciscoebobo") == 0) {
			ok = mac_at(idx, 0, 6, mac);
			long p = atol(port);
			if (p == 1 || p == 2)
				p += 48;
			else if (p == 27 || p == 28)
				p += 24;
			else {
				if (p < 27)
					p -= 2;
				if (p > 28)
					p -= 4;
			}
			free(port);
			char b[24];
			snprintf(b, sizeof b, "%ld", p);
			port = xstrdup(b);
			f->port_int = true;
		} else if (strcmp(mode, "dlp") == 0) {
			ok = mac_at(idx, 1, 7, mac) && atol(port) != 0;
		} else if (strcmp(mode, "ra") == 0) {
			long long p = atoll(port) - 2082476032LL;
			ok = mac_at(idx, 1, 7, mac) && p != 0;
			free(port);
			char b[24];
			snprintf(b, sizeof b, "%lld", p);
			port = xstrdup(b);
			f->port_int = true;
		} else if (strncmp(mode, "tlp", 3) == 0) {
			ok = tlp_mac(line, base, mac);
		} else if (strcmp(mode, "flp") == 0) {
			/* fdb id + mac: a real MAC, where PHP's key was the first octet */
			ok = mac_at(idx, 1, 7, mac);
		}
		if (ok)
			fdb_put(f, mac, port, NULL);
		free(port);
	}
	free(copy);
}

/* The value side of PHP's trimSNMPOutput() on one walk line: the type
 * tokens it knows are removed anywhere, the line's ends lose its trim list
 * ('.', ' ' and, written in single quotes, '\\', 'n', 'r', 't'), and the
 * value runs from the first '=' to the next one. */
static char *php_snmp_value(const char *line)
{
	static const char *const types[] = { "Counter32:", "Counter64:", "Gauge32:", "Gauge64:", "INTEGER:",
					     "Hex-STRING:", "OID:", "Timeticks:", "STRING:", "Network Address:" };
	char *cur = xstrdup(line);
	for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
		size_t tl = strlen(types[t]);
		char *w = cur;
		for (const char *r = cur; *r;) {
			if (strncmp(r, types[t], tl) == 0)
				r += tl;
			else
				*w++ = *r++;
		}
		*w = '\0';
	}
	size_t l = strlen(cur);
	while (l && strchr(". \\nrt", cur[l - 1]))
		cur[--l] = '\0';
	char *eq = strchr(cur, '=');
	char *v = xstrdup(eq ? eq + 1 : "");
	free(cur);
	char *next = strchr(v, '=');
	if (next)
		*next = '\0';
	return str_trim(v);
}

/* PHP empty() on a string */
static bool php_empty(const char *s)
{
	return !s[0] || strcmp(s, "0") == 0;
}

/* PHP 8 `$s == 4`: numeric strings compare as numbers, others never equal */
static bool php_equals_4(const char *s)
{
	const char *p = s;
	while (*p && strchr(" \t\n\r\v\f", *p))
		p++;
	for (const char *c = p; *c; c++)
		if (!strchr("0123456789+-.eE \t\n\r\v\f", *c))
			return false;
	char *end;
	double d = strtod(p, &end);
	if (end == p)
		return false;
	while (*end && strchr(" \t\n\r\v\f", *end))
		end++;
	return !*end && d == 4.0;
}

struct idxval {
	char *idx, *val;
	size_t seq;
};

static int idxval_cmp(const void *a, const void *b)
{
	const struct idxval *x = a, *y = b;
	int c = strcmp(x->idx, y->idx);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* status table as a sorted index -> value map; a repeated index keeps its
 * last value, as PHP's array did */
static struct idxval *status_map(const char *text, const char *base, size_t *n)
{
	struct idxval *m = NULL;
	*n = 0;
	char *copy = xstrdup(text ? text : "");
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char idx[256];
		const char *value;
		if (!*line || !split_line(line, base, idx, sizeof idx, &value) || !*idx)
			continue;
		m = xrealloc(m, (*n + 1) * sizeof *m);
		m[*n].idx = xstrdup(idx);
		m[*n].val = php_snmp_value(line);
		m[*n].seq = *n;
		(*n)++;
	}
	free(copy);
	if (*n)
		qsort(m, *n, sizeof *m, idxval_cmp);
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		if (i + 1 < *n && strcmp(m[i].idx, m[i + 1].idx) == 0) {
			free(m[i].idx);
			free(m[i].val);
			continue;
		}
		m[k++] = m[i];
	}
	*n = k;
	return m;
}

static bool status_is_self(const struct idxval *m, size_t n, const char *idx)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m[mid].idx, idx);
		if (c == 0)
			return !php_empty(m[mid].val) && php_equals_4(m[mid].val);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* the 1Q tables win when both answered with rows */
static bool fdb_use_1q(const struct walks *w, size_t dev)
{
	const char *t = walk_text(w, dev, W_FDB_1Q), *s = walk_text(w, dev, W_FDB_1Q_STATUS);
	return t && s && *t && *s && !strstr(t, "No Such Object available") && !strstr(t, "No more variables left") &&
	       !strstr(s, "No Such Object available") && !strstr(s, "No more variables left");
}

/* the port table sw_cumulative parses (NULL: none walked) */
static const char *fdb_cumulative_table(const struct walks *w, size_t dev)
{
	return walk_text(w, dev, fdb_use_1q(w, dev) ? W_FDB_1Q : W_FDB);
}

static void fdb_parse_cumulative(struct fdb *f, const struct tpl *t, const struct walks *w, size_t dev)
{
	bool use1q = fdb_use_1q(w, dev);
	const char *sec = use1q ? "port.1q_fdb" : "port.1d_fdb";
	const char *text = fdb_cumulative_table(w, dev);
	const char *status = walk_text(w, dev, use1q ? W_FDB_1Q_STATUS : W_FDB_STATUS);
	const char *tb = tpl_get(t, sec, "PORTTABLE"), *sb = tpl_get(t, sec, "PORTSTATUS");
	if (!text || !tb)
		return;
	char *base = xstrdup(tb), *sbase = xstrdup(sb ? sb : "");
	str_trim(base);
	str_trim(sbase);
	size_t nst;
	struct idxval *st = status_map(status, sbase, &nst);
	/* 1Q rows: PHP grouped them per MAC (in order of first sight) before
	 * flattening to <mac>_<vlan>, so that is the order of the cache */
	struct qrow {
		char mac[18];
		char *vlan, *port;
	} *q = NULL;
	size_t nq = 0;
	char *copy = xstrdup(text);
	for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
		char idx[256], mac[18];
		const char *value;
		if (!*line || !split_line(line, base, idx, sizeof idx, &value) || !*idx)
			continue;
		if (status_is_self(st, nst, idx))
			continue;
		char *v = php_snmp_value(line);
		char *port = digits_only(v);
		free(v);
		if (use1q) {
			const char *dot = strchr(idx, '.');
			if (dot && mac_at(idx, 1, 7, mac)) {
				q = xrealloc(q, (nq + 1) * sizeof *q);
				memcpy(q[nq].mac, mac, sizeof mac);
				q[nq].vlan = xstrdup(idx);
				q[nq].vlan[dot - idx] = '\0';
				q[nq].port = port;
				nq++;
				continue;
			}
		} else if (mac_at(idx, 0, 6, mac)) {
			fdb_put(f, mac, port, NULL);
		}
		free(port);
	}
	bool *done = xcalloc(nq ? nq : 1, sizeof *done);
	for (size_t i = 0; i < nq; i++) {
		if (done[i])
			continue;
		for (size_t j = i; j < nq; j++) {
			if (done[j] || strcmp(q[j].mac, q[i].mac) != 0)
				continue;
			char key[64];
			snprintf(key, sizeof key, "%s_%s", q[j].mac, q[j].vlan);
			fdb_put(f, key, q[j].port, q[j].vlan);
			done[j] = true;
		}
	}
	for (size_t i = 0; i < nq; i++) {
		free(q[i].vlan);
		free(q[i].port);
	}
	free(q);
	free(done);
	for (size_t i = 0; i < nst; i++) {
		free(st[i].idx);
		free(st[i].val);
	}
	free(st);
	free(copy);
	free(base);
	free(sbase);
}

static void fdb_write(const struct config *cfg, const char *ip, const struct fdb *f, const struct tpl *t)
{
	const char *allow = tpl_get(t, "define", "FDB_ALLOW_ONLY_PORTS");
	const char *ignore = tpl_get(t, "define", "FDB_IGNORE_PORTS");
	bool *keep = xcalloc(f->n ? f->n : 1, sizeof *keep);
	size_t nkeep = 0, nvlan = 0;
	for (size_t i = 0; i < f->n; i++) {
		if (allow && !php_empty(allow))
			keep[i] = in_comma_list(allow, f->port[i]);
		else if (ignore)
			keep[i] = !in_comma_list(ignore, f->port[i]);
		else
			keep[i] = true;
		nkeep += keep[i];
		/* PHP built the VLAN map before the port lists filtered */
		nvlan += f->vlan[i] != NULL;
	}
	struct sbuf s = SBUF_INIT, v = SBUF_INIT;
	phpser_array_begin(&s, nkeep);
	phpser_array_begin(&v, nvlan);
	for (size_t i = 0; i < f->n; i++) {
		if (f->vlan[i]) {
			phpser_key_str(&v, f->key[i]);
			phpser_string(&v, f->vlan[i], strlen(f->vlan[i]));
		}
		if (!keep[i])
			continue;
		phpser_key_str(&s, f->key[i]);
		if (f->port_int)
			phpser_int(&s, atoll(f->port[i]));
		else
			phpser_string(&s, f->port[i], strlen(f->port[i]));
	}
	phpser_array_end(&s);
	phpser_array_end(&v);
	struct sbuf name = SBUF_INIT;
	sbuf_printf(&name, "%s_fdb", ip);
	char *p = exports_path(cfg, sbuf_str(&name));
	file_put(p, s.s, s.len, 0);
	free(p);
	if (nvlan) {
		sbuf_puts(&name, "_vlan");
		p = exports_path(cfg, sbuf_str(&name));
		file_put(p, v.s, v.len, 0);
		free(p);
	}
	sbuf_free(&name);
	sbuf_free(&s);
	sbuf_free(&v);
	free(keep);
}

static const char *fdb_oid(const char *mode)
{
	static const struct {
		const char *mode, *oid;
	} m[] = {
		{ "default", ".1.3.6.1.2.1.17.4.3.1.2" },
		{ "ciscoebobo", ".1.3.6.1.2.1.17.4.3.1.2" },
		{ "dlp", ".1.3.6.1.2.1.17.7.1.2.2.1.2" },
		{ "ra", ".1.3.6.1.2.1.17.7.1.2.2.1.2" },
		{ "tlp5428ev2", ".1.3.6.1.4.1.11863.1.1.1.2.3.2.2.1.3" },
		{ "tlp2428", ".1.3.6.1.4.1.11863.1.1.11.2.3.2.2.1.3" },
		{ "tlp2210", ".1.3.6.1.4.1.11863.1.1.19.2.3.2.2.1.3" },
		{ "flp", ".1.3.6.1.2.1.17.7.1.2.3.1.2" },
	};
	for (size_t i = 0; i < sizeof m / sizeof *m; i++)
		if (strcmp(m[i].mode, mode) == 0)
			return m[i].oid;
	return NULL;
}

struct swp {
	struct swpoll_item *it;
	const struct tpl *t;
	bool locked;
	time_t start;
	bool cumulative;
	char **ports;
	size_t nports;
};

static void cumulative_ports(const struct config *cfg, struct swp *p, const struct walks *w, size_t dev)
{
	const char *pi = walk_text(w, dev, W_PINDEX);
	if (pi) {
		char *copy = xstrdup(pi);
		for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
			char *v = php_snmp_value(line);
			if (php_empty(v)) {
				free(v);
				v = xstrdup("0");
			}
			p->ports = xrealloc(p->ports, (p->nports + 1) * sizeof *p->ports);
			p->ports[p->nports++] = v;
		}
		free(copy);
	}
	/* ifIndex -> description, aliases for the rest */
	struct fdb d = { 0 };
	const int roles[2] = { W_PDESCR, W_PALIAS };
	const char *bases[2] = { tpl_get(p->t, "portiface", "PORTDESCR"), tpl_get(p->t, "portiface", "PORTALIAS") };
	for (int k = 0; k < 2; k++) {
		const char *text = walk_text(w, dev, roles[k]);
		if (!text || !bases[k])
			continue;
		char *base = xstrdup(bases[k]);
		str_trim(base);
		char *copy = xstrdup(text);
		for (char *s = copy, *line; (line = strsep(&s, "\n")) != NULL;) {
			char idx[256];
			const char *value;
			if (!*line || !split_line(line, base, idx, sizeof idx, &value) || !str_is_digits(idx))
				continue;
			char *v = php_snmp_value(line);
			bool have = false;
			for (size_t i = 0; i < d.n && !have; i++)
				have = strcmp(d.key[i], idx) == 0;
			if (k == 0 ? !php_empty(v) : !have)
				fdb_put(&d, idx, k == 0 || !php_empty(v) ? v : "", NULL);
			free(v);
		}
		free(copy);
		free(base);
	}
	if (d.n) {
		struct sbuf s = SBUF_INIT;
		phpser_array_begin(&s, d.n);
		for (size_t i = 0; i < d.n; i++) {
			phpser_key_str(&s, d.key[i]);
			phpser_string(&s, d.port[i], strlen(d.port[i]));
		}
		phpser_array_end(&s);
		struct sbuf name = SBUF_INIT;
		sbuf_printf(&name, "%s_fdb_portdescr", p->it->dev->ip);
		char *path = exports_path(cfg, sbuf_str(&name));
		file_put(path, s.s, s.len, 0);
		free(path);
		sbuf_free(&name);
		sbuf_free(&s);
	}
	fdb_free(&d);
}

static bool port_in(const char *port, const struct tpl *t, const char *startkey, const char *endkey)
{
	const char *st = tpl_get(t, "define", startkey), *en = tpl_get(t, "define", endkey);
	/* PHP compares against a missing END bound and so keeps nothing */
	if (!en || !*en)
		return false;
	long p = atol(port);
	return p >= (st && *st ? atol(st) : 1) && p <= atol(en);
}

static void data_walks(struct walks *w, size_t dev, const struct swp *p)
{
	const struct tpl *t = p->t;
	for (size_t s = 0; s < t->n; s++) {
		const struct tpl_section *sec = &t->sec[s];
		if (strcmp(sec->name, "define") == 0 || strcmp(sec->name, "portiface") == 0 ||
		    strcmp(sec->name, "cablediag") == 0)
			continue;
		const char *oids = tpl_sget(sec, "OIDS");
		/* no OIDS: PHP walked the whole MIB; nothing reads those files */
		if (!oids || !*oids)
			continue;
		const char *spm = tpl_sget(sec, "SECTPOLLMODE");
		if (p->cumulative && !(spm && strcmp(spm, "noncumulative") == 0)) {
			if (p->nports == 0) {
				walks_add(w, dev, W_DATA, p->it->dev, oids);
				continue;
			}
			bool sfp = strstr(sec->name, "sfp") != NULL, poe = strstr(sec->name, "poe") != NULL;
			for (size_t k = 0; k < p->nports; k++) {
				if (strcmp(p->ports[k], "0") == 0)
					continue;
				if (sfp && !port_in(p->ports[k], t, "SFPSTARTPORT", "SFPENDPORT"))
					continue;
				if (poe && !port_in(p->ports[k], t, "POESTARTPORT", "POEENDPORT"))
					continue;
				char *o = xstrdup(oids);
				str_trim(o);
				struct sbuf full = SBUF_INIT;
				sbuf_printf(&full, "%s.%s", o, p->ports[k]);
				walks_add(w, dev, W_DATA, p->it->dev, sbuf_str(&full));
				sbuf_free(&full);
				free(o);
			}
			continue;
		}
		char *copy = xstrdup(oids);
		for (char *s2 = copy, *o; (o = strsep(&s2, ",")) != NULL;)
			if (*o)
				walks_add(w, dev, W_DATA, p->it->dev, o);
		free(copy);
	}
}

static void fdb_walks(struct walks *w, size_t dev, const struct swp *p)
{
	const struct tpl *t = p->t;
	const char *fdb = tpl_get(t, "define", "FDB");
	if (!fdb || strcmp(fdb, "true") != 0)
		return;
	const char *mode = tpl_get(t, "define", "FDB_MODE");
	if (!mode)
		mode = "default";
	if (strcmp(mode, "sw_cumulative") == 0) {
		const char *a = tpl_get(t, "port.1d_fdb", "PORTTABLE"), *b = tpl_get(t, "port.1d_fdb", "PORTSTATUS");
		const char *c = tpl_get(t, "port.1q_fdb", "PORTTABLE"), *d = tpl_get(t, "port.1q_fdb", "PORTSTATUS");
		if (a)
			walks_add(w, dev, W_FDB, p->it->dev, a);
		if (b)
			walks_add(w, dev, W_FDB_STATUS, p->it->dev, b);
		if (c && d) {
			walks_add(w, dev, W_FDB_1Q, p->it->dev, c);
			walks_add(w, dev, W_FDB_1Q_STATUS, p->it->dev, d);
		}
		return;
	}
	const char *oid = fdb_oid(mode);
	if (oid)
		walks_add(w, dev, W_FDB, p->it->dev, oid);
}

static void set_oids(struct config *cfg, struct swp *p, size_t n)
{
	/* PHP sent every SETOIDS (D-Link cable diagnostics) on every poll;
	 * ubapi does so only when ubapi.ini swpoll_setoids = 1 */
	if (cfg_ubapi_long(cfg, "swpoll_setoids", 0) != 1)
		return;
	struct snmp_defaults sd;
	snmp_defaults_from_config(&sd, cfg, "SNMPSET_PATH");
	struct snmp_job *jobs = NULL;
	struct snmp_setvar **vars = NULL;
	char (*peer)[80] = NULL;
	size_t nj = 0;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].locked || !p[i].t || !p[i].it->dev->snmpwrite[0])
			continue;
		for (size_t s = 0; s < p[i].t->n; s++) {
			const char *so = tpl_sget(&p[i].t->sec[s], "SETOIDS");
			if (!so || !*so)
				continue;
			char *copy = xstrdup(so);
			for (char *x = copy, *item; (item = strsep(&x, ",")) != NULL;) {
				char *oid = strsep(&item, "|"), *type = item ? strsep(&item, "|") : NULL;
				char *value = item;
				if (!oid || !type || !value || !oid_text_ok(str_trim(oid)) || !*type)
					continue;
				jobs = xrealloc(jobs, (nj + 1) * sizeof *jobs);
				vars = xrealloc(vars, (nj + 1) * sizeof *vars);
				peer = xrealloc(peer, (nj + 1) * sizeof *peer);
				vars[nj] = xcalloc(1, sizeof **vars);
				vars[nj]->oid = xstrdup(oid);
				vars[nj]->type = type[0];
				vars[nj]->value = xstrdup(value);
				snmp_peer(peer[nj], sizeof peer[nj], p[i].it->dev->ip, sd.port);
				memset(&jobs[nj], 0, sizeof jobs[nj]);
				jobs[nj].community = p[i].it->dev->snmpwrite;
				jobs[nj].version = sd.version;
				jobs[nj].kind = SNMPJ_SET;
				jobs[nj].sets = vars[nj];
				jobs[nj].nsets = 1;
				jobs[nj].timeout_ms = sd.timeout_ms;
				jobs[nj].retries = sd.retries;
				nj++;
			}
			free(copy);
		}
	}
	/* peer moved while the arrays grew: point at it only now */
	for (size_t k = 0; k < nj; k++)
		jobs[k].host = peer[k];
	if (nj)
		snmp_run(jobs, nj, (int)cfg_ubapi_long(cfg, "snmp_inflight", 128));
	for (size_t k = 0; k < nj; k++) {
		sbuf_free(&jobs[k].text);
		free((char *)vars[k]->oid);
		free((char *)vars[k]->value);
		free(vars[k]);
	}
	free(jobs);
	free(vars);
	free(peer);
}

static void device_mac(const struct config *cfg, const char *ip, const char *text)
{
	const char *eq = text ? strchr(text, '=') : NULL;
	if (!eq)
		return;
	struct sbuf b = SBUF_INIT;
	const char *v = eq + 1;
	const char *hs = strstr(v, "Hex-STRING:");
	char *val = xstrdup(hs ? hs + strlen("Hex-STRING:") : v);
	str_trim(val);
	for (char *c = val; *c; c++)
		sbuf_putc(&b, *c == ' ' ? ':' : (char)tolower((unsigned char)*c));
	if (mac_valid(sbuf_str(&b))) {
		struct sbuf name = SBUF_INIT;
		sbuf_printf(&name, "%s_MAC", ip);
		char *p = exports_path(cfg, sbuf_str(&name));
		file_put(p, b.s, b.len, 0);
		free(p);
		sbuf_free(&name);
	}
	free(val);
	sbuf_free(&b);
}

static void horde_file(const struct config *cfg, const char *ip, time_t start, time_t end)
{
	struct sbuf s = SBUF_INIT, name = SBUF_INIT;
	phpser_array_begin(&s, 2);
	phpser_key_str(&s, "start");
	phpser_int(&s, (long long)start);
	phpser_key_str(&s, "end");
	phpser_int(&s, (long long)end);
	phpser_array_end(&s);
	sbuf_printf(&name, "HORDE_%s", ip);
	char *p = exports_path(cfg, sbuf_str(&name));
	file_put_inplace(p, s.s, s.len);
	free(p);
	sbuf_free(&s);
	sbuf_free(&name);
}

void swpoll_devices(struct config *cfg, struct db *db, struct swpoll_item *items, size_t n)
{
	struct swp *p = xcalloc(n ? n : 1, sizeof *p);
	struct tpl **cache = xcalloc(n ? n : 1, sizeof *cache);
	size_t ncache = 0;
	for (size_t i = 0; i < n; i++) {
		p[i].it = &items[i];
		items[i].polled = false;
		struct sbuf lock = SBUF_INIT;
		sbuf_printf(&lock, "SWPOLL_%s", items[i].dev->ip);
		p[i].locked = stardust_start(db, sbuf_str(&lock)) == 1;
		sbuf_free(&lock);
		p[i].start = time(NULL);
		if (!p[i].locked || !host_text_ok(items[i].dev->ip))
			continue;
		const struct tpl *t = NULL;
		for (size_t k = 0; k < ncache && !t; k++)
			if (strcmp(cache[k]->name, items[i].tplname) == 0)
				t = cache[k];
		if (!t && (t = tpl_load_swpoll(cfg, items[i].tplname)) != NULL)
			cache[ncache++] = (struct tpl *)t;
		p[i].t = t;
		items[i].polled = t != NULL;
		const char *pm = tpl_get(t, "define", "POLLMODE");
		p[i].cumulative = pm && strcmp(pm, "cumulative") == 0 && tpl_section(t, "portiface");
	}
	/* 1: interface maps of cumulative devices */
	struct walks w1 = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (!p[i].t || !p[i].cumulative)
			continue;
		const char *k[3] = { "PORTINDEX", "PORTDESCR", "PORTALIAS" };
		const int role[3] = { W_PINDEX, W_PDESCR, W_PALIAS };
		for (int j = 0; j < 3; j++) {
			const char *o = tpl_get(p[i].t, "portiface", k[j]);
			if (o && *o)
				walks_add(&w1, i, role[j], items[i].dev, o);
		}
	}
	cwalk_run(cfg, w1.v, w1.n);
	for (size_t i = 0; i < n; i++)
		if (p[i].t && p[i].cumulative)
			cumulative_ports(cfg, &p[i], &w1, i);
	walks_free(&w1);
	/* 2: sets, then every data, FDB and MAC walk of every device at once */
	set_oids(cfg, p, n);
	struct walks w2 = { 0 };
	bool exorcism = php_truthy(cfg_alter(cfg, "SWITCHES_SNMP_MAC_EXORCISM", "0"));
	for (size_t i = 0; i < n; i++) {
		if (!p[i].t)
			continue;
		data_walks(&w2, i, &p[i]);
		fdb_walks(&w2, i, &p[i]);
		const char *mac = tpl_get(p[i].t, "define", "MAC"), *mm = tpl_get(p[i].t, "define", "MAC_MODE");
		if (exorcism && mac && strcmp(mac, "true") == 0 && mm && strcmp(mm, "default") == 0)
			walks_add(&w2, i, W_MAC, items[i].dev, ".1.0.8802.1.1.2.1.3.2.0");
	}
	cwalk_run(cfg, w2.v, w2.n);
	/* 3: FDB and MAC files, locks, HORDE files */
	for (size_t i = 0; i < n; i++) {
		const char *ip = items[i].dev->ip;
		if (p[i].t) {
			const char *mode = tpl_get(p[i].t, "define", "FDB_MODE");
			if (!mode)
				mode = "default";
			const char *fdbtext = strcmp(mode, "sw_cumulative") == 0 ? fdb_cumulative_table(&w2, i)
									 : walk_text(&w2, i, W_FDB);
			if (fdbtext && *fdbtext) {
				struct fdb f = { 0 };
				if (strcmp(mode, "sw_cumulative") == 0)
					fdb_parse_cumulative(&f, p[i].t, &w2, i);
				else
					fdb_parse_simple(&f, mode, fdbtext, fdb_oid(mode));
				fdb_write(cfg, ip, &f, p[i].t);
				fdb_free(&f);
			}
			const char *mt = walk_text(&w2, i, W_MAC);
			if (mt)
				device_mac(cfg, ip, mt);
		}
		if (p[i].locked) {
			struct sbuf lock = SBUF_INIT;
			sbuf_printf(&lock, "SWPOLL_%s", ip);
			stardust_stop(db, sbuf_str(&lock));
			sbuf_free(&lock);
		}
		if (host_text_ok(ip))
			horde_file(cfg, ip, p[i].start, time(NULL));
	}
	walks_free(&w2);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < p[i].nports; k++)
			free(p[i].ports[k]);
		free(p[i].ports);
	}
	for (size_t k = 0; k < ncache; k++)
		tpl_free(cache[k]);
	free(cache);
	free(p);
}
