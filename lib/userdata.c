#include "userdata.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phpjson.h"
#include "util.h"

/* The four fulladress forms; chosen from config, never from request text. */
static const char *const FULLADRESS[4] = {
	"concat(`streetname`, ' ', `buildnum`, '/', `apt`)",
	"concat(`cityname`, ' ', `streetname`, ' ', `buildnum`, '/', `apt`)",
	"concat(`streetname`, ' ', `buildnum`, IF(`apt`, concat('/',`apt`), ''))",
	"concat(`cityname`, ' ', `streetname`, ' ', `buildnum`, IF(`apt`, concat('/',`apt`), ''))",
};

static const char *const KEYS_HEAD[] = { "login", "realname", "Passive", "Down", "Password", "AlwaysOnline",
					 "Tariff", "TariffChange", "Credit", "Cash", "ip", "mac", "cityname",
					 "streetname", "buildnum", "entrance", "floor", "apt", "geo" };
static const char *const KEYS_EXT[] = { "postal_code", "town_district", "address_exten" };
static const char *const KEYS_TAIL[] = { "fulladress", "phone", "mobile", "contract", "email" };

#define NELEM(a) (sizeof(a) / sizeof *(a))

struct udq {
	bool ext;
	struct sbuf sql;
};

/* The zb_UserGetAllData SELECT for one login (one) or every user, rows
 * ordered so that the row PHP's login-keyed array would keep (the last
 * join row) comes first for each login. */
static void udq_build(struct req *r, struct udq *q, bool one)
{
	q->ext = php_truthy(cfg_alter(r->cfg, "ADDRESS_EXTENDED_ENABLED", ""));
	int form = (php_truthy(cfg_alter(r->cfg, "ZERO_TOLERANCE", "")) ? 2 : 0) +
		   (php_truthy(cfg_alter(r->cfg, "CITY_DISPLAY", "")) ? 1 : 0);
	struct sbuf *b = &q->sql;
	sbuf_init(b);
	sbuf_puts(b, "SELECT `users`.`login`, `realname`.`realname`, `Passive`, `Down`, `Password`, `AlwaysOnline`,"
		     " `Tariff`, `TariffChange`, `Credit`, `Cash`, `users`.`IP`, `nethosts`.`mac`, `cityname`,"
		     " `streetname`, `buildnum`, `apt`.`entrance`, `apt`.`floor`, `apt`.`apt`, `build`.`geo`, ");
	if (q->ext)
		sbuf_puts(b, "`address_extended`.`postal_code`, `address_extended`.`town_district`,"
			     " `address_extended`.`address_exten`, ");
	sbuf_puts(b, FULLADRESS[form]);
	sbuf_puts(b, ", `phones`.`phone`, `phones`.`mobile`, `contracts`.`contract`, `emails`.`email`"
		     " FROM `users` LEFT JOIN `nethosts` ON (`nethosts`.`ip` = `users`.`IP`)"
		     " LEFT JOIN `realname` ON (`users`.`login`=`realname`.`login`)"
		     " LEFT JOIN `address` ON (`users`.`login`=`address`.`login`)"
		     " LEFT JOIN `apt` ON (`address`.`aptid`=`apt`.`id`)"
		     " LEFT JOIN `build` ON (`apt`.`buildid`=`build`.`id`)"
		     " LEFT JOIN `street` ON (`build`.`streetid`=`street`.`id`)"
		     " LEFT JOIN `city` ON (`street`.`cityid`=`city`.`id`)"
		     " LEFT JOIN `phones` ON (`users`.`login`=`phones`.`login`)"
		     " LEFT JOIN `contracts` ON (`users`.`login`=`contracts`.`login`)"
		     " LEFT JOIN `emails` ON (`users`.`login`=`emails`.`login`)");
	if (q->ext)
		sbuf_puts(b, " LEFT JOIN `address_extended` ON `users`.`login` = `address_extended`.`login`");
	/* the last join row wins in PHP's login-keyed array: make "last" stable */
	sbuf_puts(b, one ? " WHERE `users`.`login` = ? ORDER BY" : " ORDER BY BINARY `users`.`login`,");
	sbuf_puts(b, " `nethosts`.`id` DESC, `realname`.`id` DESC, `address`.`id` DESC, `phones`.`id` DESC,"
		     " `contracts`.`id` DESC, `emails`.`id` DESC");
	if (one)
		sbuf_puts(b, " LIMIT 1");
}

static cJSON *udq_object(const struct udq *q, const struct db_rows *rows, size_t row)
{
	cJSON *o = cJSON_CreateObject();
	size_t col = 0;
	for (size_t i = 0; i < NELEM(KEYS_HEAD); i++)
		cJSON_AddItemToObject(o, KEYS_HEAD[i], phpjson_dbval(db_cell(rows, row, col++)));
	if (q->ext)
		for (size_t i = 0; i < NELEM(KEYS_EXT); i++)
			cJSON_AddItemToObject(o, KEYS_EXT[i], phpjson_dbval(db_cell(rows, row, col++)));
	for (size_t i = 0; i < NELEM(KEYS_TAIL); i++)
		cJSON_AddItemToObject(o, KEYS_TAIL[i], phpjson_dbval(db_cell(rows, row, col++)));
	return o;
}

int userdata_get(struct req *r, const char *login, cJSON **out)
{
	*out = NULL;
	struct udq q;
	udq_build(r, &q, true);
	struct db_rows rows;
	int rc = db_query(r->db, &rows, q.sql.s, "s", login);
	sbuf_free(&q.sql);
	if (rc != 0)
		return -1;
	if (rows.nrows)
		*out = udq_object(&q, &rows, 0);
	db_rows_free(&rows);
	return *out ? 1 : 0;
}

int userdata_all(struct req *r, cJSON **out)
{
	*out = NULL;
	struct udq q;
	udq_build(r, &q, false);
	struct db_rows rows;
	int rc = db_query(r->db, &rows, q.sql.s, "");
	sbuf_free(&q.sql);
	if (rc != 0)
		return -1;
	cJSON *all = cJSON_CreateObject();
	const char *prev = NULL;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *login = db_cell(&rows, i, 0);
		if (!login || (prev && strcmp(prev, login) == 0))
			continue;
		prev = login;
		cJSON_AddItemToObject(all, login, udq_object(&q, &rows, i));
	}
	db_rows_free(&rows);
	*out = all;
	return 0;
}

static int agent_by_address(struct req *r, const char *address, const char *def, char **id)
{
	struct db_rows a;
	if (db_query(r->db, &a, "SELECT `ahenid`, `streetname` FROM `ahenassign` ORDER BY `id`", "") != 0)
		return -1;
	const char *pick = def;
	for (size_t i = 0; address[0] && i < a.nrows; i++) {
		const char *street = db_cell(&a, i, 1) ? db_cell(&a, i, 1) : "";
		if (strstr(address, street)) {
			pick = db_cell(&a, i, 0);
			break;
		}
	}
	*id = xstrdup(pick ? pick : "");
	db_rows_free(&a);
	return 0;
}

int agent_data(struct req *r, const char *login, bool strict, cJSON **out)
{
	*out = cJSON_CreateObject();
	const char *def = cfg_alter(r->cfg, "DEFAULT_ASSIGN_AGENT", "");
	bool assign = php_truthy(cfg_alter(r->cfg, "AGENTS_ASSIGN", ""));
	char *id = NULL;
	bool err = false;
	if (strict)
		id = db_value(r->db, &err, "SELECT `agentid` FROM `ahenassignstrict` WHERE `login` = ? ORDER BY `id` LIMIT 1",
			      "s", login);
	if (err)
		return -1;
	if (!id) {
		const char *sql = strict ?
			"SELECT CONCAT(IFNULL(`cityname`,''), ' ', IFNULL(`streetname`,''), ' ', IFNULL(`buildnum`,''), '/',"
			" IFNULL(`apt`.`apt`,'')) FROM `users` LEFT JOIN `address` ON `address`.`login` = `users`.`login`"
			" LEFT JOIN `apt` ON `address`.`aptid` = `apt`.`id` LEFT JOIN `build` ON `apt`.`buildid` = `build`.`id`"
			" LEFT JOIN `street` ON `build`.`streetid` = `street`.`id` LEFT JOIN `city` ON `street`.`cityid` = `city`.`id`"
			" WHERE `users`.`login` = ? ORDER BY `address`.`id` DESC LIMIT 1" :
			NULL;
		char *address = NULL;
		if (strict) {
			address = db_value(r->db, &err, sql, "s", login);
		} else {
			int form = (php_truthy(cfg_alter(r->cfg, "ZERO_TOLERANCE", "")) ? 2 : 0) +
				   (php_truthy(cfg_alter(r->cfg, "CITY_DISPLAY", "")) ? 1 : 0);
			struct sbuf q = SBUF_INIT;
			sbuf_printf(&q, "SELECT %s FROM `address` JOIN `apt` ON `address`.`aptid` = `apt`.`id`"
					" JOIN `build` ON `apt`.`buildid` = `build`.`id` JOIN `street` ON `build`.`streetid` = `street`.`id`"
					" JOIN `city` ON `street`.`cityid` = `city`.`id` WHERE `address`.`login` = ?"
					" ORDER BY `address`.`id` DESC LIMIT 1",
				    FULLADRESS[form]);
			address = db_value(r->db, &err, q.s, "s", login);
			sbuf_free(&q);
			if (!address && !err)
				return 0; /* no address: no agent */
		}
		if (err)
			return -1;
		if (!assign)
			id = xstrdup(def);
		else if (agent_by_address(r, address ? address : "", def, &id) != 0) {
			free(address);
			return -1;
		}
		free(address);
	}
	struct db_rows c;
	static const char *const cols[] = { "id", "bankacc", "bankname", "bankcode", "edrpo", "ipn",
					    "licensenum", "juraddr", "phisaddr", "phone", "contrname", "agnameabbr",
					    "agsignatory", "agsignatory2", "agbasis", "agmail", "siteurl" };
	int rc = db_query(r->db, &c,
			  "SELECT `id`, `bankacc`, `bankname`, `bankcode`, `edrpo`, `ipn`, `licensenum`, `juraddr`,"
			  " `phisaddr`, `phone`, `contrname`, `agnameabbr`, `agsignatory`, `agsignatory2`, `agbasis`,"
			  " `agmail`, `siteurl` FROM `contrahens` WHERE `id` = ?",
			  "s", id);
	free(id);
	if (rc != 0)
		return -1;
	for (size_t i = 0; c.nrows && i < c.ncols && i < NELEM(cols); i++)
		cJSON_AddItemToObject(*out, cols[i], phpjson_dbval(db_cell(&c, 0, i)));
	db_rows_free(&c);
	return 0;
}

void userdata_reply(struct req *r, const char *login)
{
	cJSON *res = cJSON_CreateObject();
	cJSON_AddNumberToObject(res, "result", 0);
	cJSON *ud = NULL;
	int rc = login ? userdata_get(r, login, &ud) : 0;
	if (rc < 0) {
		cJSON_Delete(res);
		reply_db_error(r);
		return;
	}
	if (rc > 0) {
		cJSON_ReplaceItemInObject(res, "result", cJSON_CreateNumber(1));
		if (php_truthy(cfg_alter_rcms(r->cfg, "OPENPAYZ_SUPPORT", ""))) {
			bool err = false;
			char *pid = db_value(r->db, &err, "SELECT `virtualid` FROM `op_customers` WHERE `realid` = ? LIMIT 1",
					     "s", login);
			cJSON_AddItemToObject(ud, "paymentid", cJSON_CreateString(pid ? pid : ""));
			free(pid);
		}
		cJSON_AddItemToObject(res, "userdata", ud);
	}
	struct sbuf out = SBUF_INIT;
	if (phpjson_print(res, &out) != 0)
		sbuf_reset(&out);
	reply_text(r, sbuf_str(&out));
	reply_set_type(r, "application/json; charset=UTF-8");
	char lm[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	reply_header(r, "Last-Modified", lm);
	reply_header(r, "Access-Control-Allow-Origin", "*");
	sbuf_free(&out);
	cJSON_Delete(res);
}

