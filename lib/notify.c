/* The Telegram notifiers' shared pieces (spec actions-ops.md §5.13-§5.16,
 * §5.25). */
#include "notify.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "db.h"
#include "ini.h"
#include "money.h"
#include "senddog.h"
#include "util.h"

/* ---------------------------------------------------------------- staff */

enum { E_ID, E_TELEGRAM, E_ADMLOGIN, E_ACTIVE };

struct notify_staff {
	struct db_rows rows;
};

struct notify_staff *notify_staff_load(struct req *r)
{
	struct notify_staff *s = xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	if (db_query(r->db, &s->rows, "SELECT `id`, `telegram`, `admlogin`, `active` FROM `employee` ORDER BY `id`",
		     "") < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void notify_staff_free(struct notify_staff *s)
{
	if (!s)
		return;
	db_rows_free(&s->rows);
	free(s);
}

static long staff_row(const struct notify_staff *s, const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < s->rows.nrows; i++) {
		const char *v = db_cell(&s->rows, i, E_ID);
		if (v && strcmp(v, id) == 0)
			return (long)i;
	}
	return -1;
}

const char *notify_staff_telegram(const struct notify_staff *s, const char *id)
{
	long i = staff_row(s, id);
	return i < 0 ? NULL : db_cell(&s->rows, (size_t)i, E_TELEGRAM);
}

const char *notify_staff_chat(const struct notify_staff *s, const char *id, bool need_active)
{
	long i = staff_row(s, id);
	if (i < 0)
		return NULL;
	if (need_active && !php_truthy(db_cell(&s->rows, (size_t)i, E_ACTIVE)))
		return NULL;
	const char *tg = db_cell(&s->rows, (size_t)i, E_TELEGRAM);
	return php_truthy(tg) ? tg : NULL;
}

const char *notify_staff_by_admin(const struct notify_staff *s, const char *admlogin)
{
	const char *found = NULL;
	if (!php_truthy(admlogin))
		return NULL;
	for (size_t i = 0; i < s->rows.nrows; i++) {
		const char *a = db_cell(&s->rows, i, E_ADMLOGIN);
		if (php_truthy(a) && strcmp(a, admlogin) == 0)
			found = db_cell(&s->rows, i, E_ID);
	}
	return found;
}

/* ---------------------------------------------------------------- i18n */

struct notify_lang {
	struct sbuf text; /* every .php file of the language directory, joined */
	size_t n;
	char **keys, **values;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct sbuf b = SBUF_INIT;
	char buf[4096];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&b, buf, got);
	fclose(f);
	sbuf_puts(&b, "");
	return sbuf_detach(&b);
}

static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return xstrndup(s, n);
}

static void lang_read_dir(struct notify_lang *l, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 5 || strcmp(e->d_name + n - 4, ".php") != 0)
			continue;
		struct sbuf p = SBUF_INIT;
		sbuf_printf(&p, "%s/%s", dir, e->d_name);
		char *data = slurp(sbuf_str(&p));
		if (data) {
			sbuf_puts(&l->text, data);
			sbuf_putc(&l->text, '\n');
		}
		free(data);
		sbuf_free(&p);
	}
	if (d)
		closedir(d);
}

struct notify_lang *notify_lang_load(const struct config *cfg)
{
	struct notify_lang *l = xmalloc(sizeof *l);
	memset(l, 0, sizeof *l);
	char *path = cfg_path(cfg, "config/config.ini");
	struct ini *c = ini_load(path, INI_PHP);
	free(path);
	char *want = c && ini_get(c, "default_lang") ? trimmed(ini_get(c, "default_lang")) : NULL;
	ini_free(c);
	char *langs = cfg_path(cfg, "languages");
	DIR *d = want && want[0] ? opendir(langs) : NULL;
	struct dirent *e;
	bool done = false;
	while (d && !done && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		struct sbuf p = SBUF_INIT;
		sbuf_printf(&p, "%s/%s/langid.txt", langs, e->d_name);
		char *id = slurp(sbuf_str(&p));
		char *tid = id ? trimmed(id) : NULL;
		if (tid && strcmp(tid, want) == 0) {
			sbuf_reset(&p);
			sbuf_printf(&p, "%s/%s", langs, e->d_name);
			lang_read_dir(l, sbuf_str(&p));
			done = true;
		}
		free(tid);
		free(id);
		sbuf_free(&p);
	}
	if (d)
		closedir(d);
	free(langs);
	free(want);
	return l;
}

/* A PHP '...' or "..." literal (only \\ and the quote itself escaped). */
static char *php_literal(const char *p)
{
	char q = *p;
	if (q != '\'' && q != '"')
		return NULL;
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	for (p++; *p && *p != q; p++) {
		if (*p == '\\' && (p[1] == q || p[1] == '\\'))
			p++;
		sbuf_putc(&b, *p);
	}
	if (*p != q) {
		sbuf_free(&b);
		return NULL;
	}
	return sbuf_detach(&b);
}

const char *notify_tr(struct notify_lang *l, const char *key)
{
	if (!key || !*key || !l->text.len)
		return key ? key : "";
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return l->values[i] ? l->values[i] : l->keys[i];
	char *found = NULL;
	struct sbuf needle = SBUF_INIT;
	sbuf_printf(&needle, "$lang['def']['%s']", key);
	for (const char *p = sbuf_str(&l->text); (p = strstr(p, sbuf_str(&needle))) != NULL;) {
		p += needle.len;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		char *v = php_literal(p);
		if (v) {
			free(found);
			found = v; /* the last assignment wins, as in PHP */
		}
	}
	sbuf_free(&needle);
	l->keys = realloc(l->keys, (l->n + 1) * sizeof *l->keys);
	l->values = realloc(l->values, (l->n + 1) * sizeof *l->values);
	if (!l->keys || !l->values)
		abort();
	l->keys[l->n] = xstrdup(key);
	l->values[l->n] = found;
	l->n++;
	return found ? found : l->keys[l->n - 1];
}

void notify_lang_free(struct notify_lang *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->values[i]);
	}
	free(l->keys);
	free(l->values);
	sbuf_free(&l->text);
	free(l);
}

/* ---------------------------------------------------------------- outbox */

size_t notify_box_slot(struct notify_box *b, const char *key)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->keys[i], key) == 0)
			return i;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->keys = realloc(b->keys, b->cap * sizeof *b->keys);
		b->texts = realloc(b->texts, b->cap * sizeof *b->texts);
		b->counts = realloc(b->counts, b->cap * sizeof *b->counts);
		b->extra = realloc(b->extra, b->cap * sizeof *b->extra);
		if (!b->keys || !b->texts || !b->counts || !b->extra)
			abort();
	}
	b->keys[b->n] = xstrdup(key);
	b->texts[b->n] = (struct sbuf)SBUF_INIT;
	b->counts[b->n] = 0;
	b->extra[b->n] = NULL;
	return b->n++;
}

void notify_box_free(struct notify_box *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->keys[i]);
		sbuf_free(&b->texts[i]);
		free(b->extra[i]);
	}
	free(b->keys);
	free(b->texts);
	free(b->counts);
	free(b->extra);
	*b = (struct notify_box)NOTIFY_BOX_INIT;
}

int notify_box_send(struct req *r, const struct notify_box *b, const char *module)
{
	int rc = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (!b->texts[i].len)
			continue;
		char name[SD_QNAME_MAX];
		const char *chat = b->extra[i] ? b->extra[i] : b->keys[i];
		if (sd_queue_telegram(r, chat, sbuf_str(&b->texts[i]), module, NULL, name) != 0)
			rc = -1;
	}
	return rc;
}

/* ---------------------------------------------------------------- time */

void notify_format_time(struct notify_lang *l, double seconds, struct sbuf *out)
{
	/* PHP's % truncates its float operands to integers first */
	long long whole = (long long)seconds;
	long long minutes = (long long)(seconds / 60) % 60;
	long long secs = whole % 60;
	double hours = floor(seconds / 3600), days = floor(seconds / 86400);
	if (seconds < 60)
		sbuf_printf(out, "%lld %s", secs, notify_tr(l, "sec."));
	else if (seconds < 3600)
		sbuf_printf(out, "%lld %s %lld %s", minutes, notify_tr(l, "minutes"), secs, notify_tr(l, "seconds"));
	else if (seconds < 86400)
		sbuf_printf(out, "%.0f %s %lld %s %lld %s", hours, notify_tr(l, "hour"), minutes,
			    notify_tr(l, "minutes"), secs, notify_tr(l, "seconds"));
	else
		sbuf_printf(out, "%.0f %s %.0f %s %lld %s %lld %s", days, notify_tr(l, "days"), hours - days * 24,
			    notify_tr(l, "hour"), minutes, notify_tr(l, "minutes"), secs, notify_tr(l, "seconds"));
}

int notify_daily_count(struct req *r, const char *sql, bool by_admin, const char *emoji, const char *what,
		       const char *module)
{
	char today[11];
	clock_format_date(r->now, today);
	struct notify_staff *staff = notify_staff_load(r);
	struct db_rows rows = { 0 };
	if (!staff || db_query(r->db, &rows, sql, "s", today) < 0) {
		notify_staff_free(staff);
		return -1;
	}
	/* keyed by chat id: two employees sharing one chat get one summed message */
	struct notify_box box = NOTIFY_BOX_INIT;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *id = db_cell(&rows, i, 0);
		const char *chat = notify_staff_chat(staff, by_admin ? notify_staff_by_admin(staff, id) : id, true);
		if (chat) {
			size_t slot = notify_box_slot(&box, chat); /* may move box.counts */
			box.counts[slot]++;
		}
	}
	struct notify_lang *lang = notify_lang_load(r->cfg);
	for (size_t i = 0; i < box.n; i++)
		sbuf_printf(&box.texts[i], "%s %s %ld %s", emoji, notify_tr(lang, "You have"), box.counts[i],
			    notify_tr(lang, what));
	notify_box_send(r, &box, module);
	notify_lang_free(lang);
	notify_box_free(&box);
	db_rows_free(&rows);
	notify_staff_free(staff);
	return 0;
}
