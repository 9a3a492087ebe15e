/* warehousetelegram: what is reserved for each employee with a Telegram
 * chat, and what it costs (spec actions-ops.md §5.14). Prices are PHP's
 * floats, printed as PHP prints them; the per-item price cache
 * WH_ITMPRICES is shared with the web UI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "money.h"
#include "notify.h"
#include "phpser.h"
#include "ubcache.h"
#include "util.h"

#define EOL "\\r\\n "
#define PRICE_CACHE_S 86400

enum { R_EMPLOYEE, R_ITEMTYPE, R_COUNT };
enum { I_ID, I_NAME, I_UNIT };
enum { M_ITEMTYPE, M_PRICE, M_COUNT, M_CONTRACTOR };

static double num(const char *s)
{
	return s ? strtod(s, NULL) : 0;
}

/* PHP's round($x, 2): the product is first cut to 15 significant digits,
 * so 1.005 * 100 = 100.49999999999999 still rounds up. */
static double round2(double x)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%.15g", x * 100);
	return round(strtod(buf, NULL)) / 100;
}

struct prices {
	cJSON *cache; /* object: itemtype id => price */
	bool dirty;
	int mode;     /* WAREHOUSE_RECPRICE */
	struct db_rows in, out;
};

static double item_price(struct prices *p, const char *itemtype)
{
	cJSON *hit = cJSON_GetObjectItemCaseSensitive(p->cache, itemtype);
	if (hit)
		return cJSON_IsString(hit) ? num(hit->valuestring) : hit->valuedouble;
	double total = 0, count = 0, last_in = 0, last_out = 0;
	const char *last_in_raw = NULL, *last_out_raw = NULL;
	for (size_t i = 0; i < p->in.nrows; i++) {
		if (strcmp(db_cell(&p->in, i, M_ITEMTYPE), itemtype) != 0 || num(db_cell(&p->in, i, M_PRICE)) == 0 ||
		    num(db_cell(&p->in, i, M_CONTRACTOR)) == 0)
			continue;
		total += num(db_cell(&p->in, i, M_PRICE)) * num(db_cell(&p->in, i, M_COUNT));
		count += num(db_cell(&p->in, i, M_COUNT));
		last_in = num(db_cell(&p->in, i, M_PRICE));
		last_in_raw = db_cell(&p->in, i, M_PRICE);
	}
	if (p->mode == 1 || p->mode == 3 || p->mode == 4) {
		for (size_t i = 0; i < p->out.nrows; i++) {
			if (strcmp(db_cell(&p->out, i, M_ITEMTYPE), itemtype) != 0 || num(db_cell(&p->out, i, M_PRICE)) == 0)
				continue;
			total -= fabs(num(db_cell(&p->out, i, M_PRICE))) * num(db_cell(&p->out, i, M_COUNT));
			count -= num(db_cell(&p->out, i, M_COUNT));
			last_out = num(db_cell(&p->out, i, M_PRICE));
			last_out_raw = db_cell(&p->out, i, M_PRICE);
		}
	}
	double result = count != 0 ? round2(total / count) : round2(total);
	/* the latest-price modes keep the database's text, as PHP caches it */
	const char *raw = NULL;
	if (p->mode == 2) {
		result = last_in;
		raw = last_in_raw;
	} else if (p->mode == 3) {
		result = last_out;
		raw = last_out_raw;
	} else if (p->mode == 4) {
		result = last_out != 0 ? last_out : last_in;
		raw = last_out != 0 ? last_out_raw : last_in_raw;
	}
	cJSON_AddItemToObject(p->cache, itemtype, raw ? cJSON_CreateString(raw) : cJSON_CreateNumber(result));
	p->dirty = true;
	return result;
}

/* The cached array as an object keyed by item type (a list 0..n-1 is the
 * same PHP array). */
static cJSON *cache_load(const struct config *cfg)
{
	cJSON *obj = cJSON_CreateObject();
	char *raw = ubcache_get(cfg, "WH_ITMPRICES", PRICE_CACHE_S);
	cJSON *t = raw ? phpser_parse(raw, strlen(raw)) : NULL;
	int i = 0;
	for (cJSON *e = t && (cJSON_IsArray(t) || cJSON_IsObject(t)) ? t->child : NULL; e; e = e->next, i++) {
		char key[32];
		if (e->string)
			snprintf(key, sizeof key, "%s", e->string);
		else
			snprintf(key, sizeof key, "%d", i);
		cJSON_AddItemToObject(obj, key, cJSON_Duplicate(e, true));
	}
	cJSON_Delete(t);
	free(raw);
	return obj;
}

/* round() gives PHP a float, so numbers are written d:, texts s:. */
static void cache_store(const struct config *cfg, const cJSON *cache)
{
	struct sbuf ser = SBUF_INIT;
	phpser_array_begin(&ser, (size_t)cJSON_GetArraySize(cache));
	for (const cJSON *e = cache->child; e; e = e->next) {
		phpser_key_str(&ser, e->string);
		if (cJSON_IsString(e))
			phpser_string(&ser, e->valuestring, strlen(e->valuestring));
		else
			phpser_float(&ser, cJSON_IsNumber(e) ? e->valuedouble : 0);
	}
	phpser_array_end(&ser);
	ubcache_set(cfg, "WH_ITMPRICES", sbuf_str(&ser));
	sbuf_free(&ser);
}

struct line {
	char *itemtype;
	char *raw;    /* the count as the database gave it, while it is a single row */
	double count;
};

static void employee_message(struct notify_lang *l, struct prices *p, const struct db_rows *items,
			     struct line *lines, size_t n, struct sbuf *msg)
{
	static const char *const units[] = { "quantity", "meter", "kilometer", "money", "time", "litre", "pieces",
					     "packing" };
	double cost = 0;
	sbuf_printf(msg, "%s" EOL, notify_tr(l, "Is reserved for you"));
	for (size_t i = 0; i < n; i++) {
		const char *name = "", *unit = "";
		for (size_t k = 0; k < items->nrows; k++)
			if (strcmp(db_cell(items, k, I_ID), lines[i].itemtype) == 0) {
				name = db_cell(items, k, I_NAME);
				for (size_t u = 0; u < sizeof units / sizeof *units; u++)
					if (strcmp(db_cell(items, k, I_UNIT), units[u]) == 0)
						unit = notify_tr(l, units[u]);
			}
		sbuf_printf(msg, "%s: ", name);
		if (lines[i].raw)
			sbuf_puts(msg, lines[i].raw);
		else
			phpnum_format(lines[i].count, msg);
		sbuf_printf(msg, " %s" EOL, unit);
		cost += item_price(p, lines[i].itemtype) * lines[i].count;
	}
	sbuf_printf(msg, "📦📦📦📦" EOL "%s: ", notify_tr(l, "Total cost"));
	phpnum_format(cost, msg);
	sbuf_puts(msg, EOL "💸💸💸💸" EOL);
}

void cmd_warehousetelegram(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "WAREHOUSE_ENABLED", ""))) {
		reply_text(r, "ERROR: WAREHOUSE DISABLED");
		return;
	}
	if (!php_truthy(cfg_alter(r->cfg, "SENDDOG_ENABLED", ""))) {
		reply_text(r, "OK: WAREHOUSETELEGRAM");
		return;
	}
	struct notify_staff *staff = notify_staff_load(r);
	struct db_rows reserve = { 0 }, items = { 0 };
	struct prices p = { 0 };
	if (!staff ||
	    db_query(r->db, &reserve, "SELECT `employeeid`, `itemtypeid`, `count` FROM `wh_reserve` ORDER BY `id` DESC",
		     "") < 0 ||
	    db_query(r->db, &items, "SELECT `id`, `name`, `unit` FROM `wh_itemtypes` ORDER BY `name` ASC, `id`", "") < 0 ||
	    db_query(r->db, &p.in, "SELECT `itemtypeid`, `price`, `count`, `contractorid` FROM `wh_in` ORDER BY `id`",
		     "") < 0 ||
	    db_query(r->db, &p.out, "SELECT `itemtypeid`, `price`, `count`, 1 FROM `wh_out` ORDER BY `id`", "") < 0) {
		db_rows_free(&reserve);
		db_rows_free(&items);
		db_rows_free(&p.in);
		notify_staff_free(staff);
		reply_db_error(r);
		return;
	}
	const char *mode = cfg_alter(r->cfg, "WAREHOUSE_RECPRICE", "");
	p.mode = php_truthy(mode) ? (int)num(mode) : 0;
	p.cache = cache_load(r->cfg);

	/* per employee (first reserve row fixes the order), per item type */
	struct notify_box box = NOTIFY_BOX_INIT;
	struct line **lines = NULL;
	size_t *nlines = NULL;
	for (size_t i = 0; i < reserve.nrows; i++) {
		const char *emp = db_cell(&reserve, i, R_EMPLOYEE), *type = db_cell(&reserve, i, R_ITEMTYPE);
		if (!php_truthy(notify_staff_telegram(staff, emp)))
			continue;
		size_t slot = notify_box_slot(&box, emp);
		if (slot + 1 == box.n && !box.extra[slot]) {
			box.extra[slot] = xstrdup(notify_staff_telegram(staff, emp));
			lines = realloc(lines, box.n * sizeof *lines);
			nlines = realloc(nlines, box.n * sizeof *nlines);
			if (!lines || !nlines)
				abort();
			lines[slot] = NULL;
			nlines[slot] = 0;
		}
		struct line *ln = NULL;
		for (size_t k = 0; k < nlines[slot]; k++)
			if (strcmp(lines[slot][k].itemtype, type) == 0)
				ln = &lines[slot][k];
		const char *count = db_cell(&reserve, i, R_COUNT);
		if (ln) {
			ln->count += num(count);
			free(ln->raw);
			ln->raw = NULL;
			continue;
		}
		lines[slot] = realloc(lines[slot], (nlines[slot] + 1) * sizeof **lines);
		if (!lines[slot])
			abort();
		lines[slot][nlines[slot]++] = (struct line){ xstrdup(type), xstrdup(count ? count : ""), num(count) };
	}
	struct notify_lang *lang = notify_lang_load(r->cfg);
	for (size_t i = 0; i < box.n; i++)
		employee_message(lang, &p, &items, lines[i], nlines[i], &box.texts[i]);
	if (p.dirty) {
		cache_store(r->cfg, p.cache);
	}
	notify_box_send(r, &box, "WAREHOUSE");
	for (size_t i = 0; i < box.n; i++) {
		for (size_t k = 0; k < nlines[i]; k++) {
			free(lines[i][k].itemtype);
			free(lines[i][k].raw);
		}
		free(lines[i]);
	}
	free(lines);
	free(nlines);
	notify_lang_free(lang);
	notify_box_free(&box);
	cJSON_Delete(p.cache);
	db_rows_free(&reserve);
	db_rows_free(&items);
	db_rows_free(&p.in);
	db_rows_free(&p.out);
	notify_staff_free(staff);
	reply_text(r, "OK: WAREHOUSETELEGRAM");
}
