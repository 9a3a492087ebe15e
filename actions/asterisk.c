/* asterisk: the PBX/CRM helper calls. One dispatch here; the money params
 * live in asterisk_money.c, the JSON data params in asterisk_data.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asterisk_int.h"
#include "phones.h"
#include "phpser.h"
#include "storage.h"
#include "util.h"
#include "weblog.h"

void ast_say(struct req *r, const char *text)
{
	weblog(r, "%s", text);
	reply_text(r, text);
}

static void copy_cell(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", v ? v : "");
}

/* zb_ProfileGetStgData of the vf()-filtered login; a login vf() would
 * change reads as unknown rather than as some other user. */
static int load_user(struct req *r, struct ast *a)
{
	a->have_user = false;
	if (!a->login[0])
		return 0;
	char *f = xstrdup(a->login);
	vf_filter(f);
	bool same = strcmp(f, a->login) == 0;
	free(f);
	if (!same)
		return 0;
	struct db_rows u;
	if (db_query(r->db, &u,
		     "SELECT `Cash`, `Credit`, `CreditExpire`, `Passive`, `Tariff`, `IP` FROM `users` WHERE `login` = ?",
		     "s", a->login) != 0)
		return -1;
	if (u.nrows) {
		a->have_user = true;
		copy_cell(a->cash, sizeof a->cash, db_cell(&u, 0, 0));
		copy_cell(a->credit, sizeof a->credit, db_cell(&u, 0, 1));
		copy_cell(a->expire, sizeof a->expire, db_cell(&u, 0, 2));
		copy_cell(a->passive, sizeof a->passive, db_cell(&u, 0, 3));
		copy_cell(a->tariff, sizeof a->tariff, db_cell(&u, 0, 4));
		copy_cell(a->ip, sizeof a->ip, db_cell(&u, 0, 5));
	}
	db_rows_free(&u);
	return 0;
}

static void userstatus(struct req *r, struct ast *a)
{
	struct sbuf out = SBUF_INIT;
	if (pbx_reply(r, a->number, a->number, param_present(&r->params, "getmoney"), &out) != 0)
		reply_db_error(r);
	else
		reply_text(r, out.s);
	sbuf_free(&out);
}

/* ubstorage SWDEAD: PHP-serialized ip => location of dead switches. */
static bool switch_dead(struct req *r, const char *ip)
{
	char *raw = storage_get(r->db, "SWDEAD");
	bool dead = false;
	if (raw && raw[0] && ip) {
		cJSON *list = phpser_parse(raw, strlen(raw));
		if (list && cJSON_IsObject(list))
			dead = cJSON_GetObjectItemCaseSensitive(list, ip) != NULL;
		cJSON_Delete(list);
	}
	free(raw);
	return dead;
}

static void swstatus(struct req *r, const char *login)
{
	struct db_rows sw;
	if (db_query(r->db, &sw,
		     "SELECT `switches`.`ip` FROM `switchportassign` LEFT JOIN `switches`"
		     " ON `switchportassign`.`switchid` = `switches`.`id` WHERE `switchportassign`.`login` = ?"
		     " ORDER BY `switchportassign`.`id` LIMIT 1",
		     "s", login) != 0) {
		reply_db_error(r);
		return;
	}
	if (!sw.nrows)
		reply_text(r, "ERROR: USER NOT HAVE SWITCH");
	else
		reply_text(r, switch_dead(r, db_cell(&sw, 0, 0)) ? "DIE" : "OK");
	db_rows_free(&sw);
}

/* One UTF-8 character of s at *i: its length, or 0 if invalid. */
static size_t u8len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return n;
}

/* zb_TranslitString after the [^a-zA-Zа-яА-Я0-9ё ] filter (Cyrillic range
 * а-я/А-Я plus ё/Ё: Ukrainian і ї є ґ are dropped). */
static void translit(const char *in, struct sbuf *out, bool ru)
{
	static const char *const upper[32] = { "A", "B", "V", "G", "D", "E", "Zh", "Z", "Y", "Y", "K", "L", "M",
					       "N", "O", "P", "R", "S", "T", "U", "F", "H", "C", "Ch", "Sh", "Sch",
					       "", "Y", "", "E", "Yu", "Ya" };
	static const char *const lower[32] = { "a", "b", "v", "g", "d", "e", "zh", "z", "y", "y", "k", "l", "m",
					       "n", "o", "p", "r", "s", "t", "u", "f", "h", "c", "ch", "sh", "sch",
					       "", "y", "", "e", "yu", "ya" };
	const unsigned char *s = (const unsigned char *)in;
	while (*s) {
		size_t n = u8len(s);
		if (n == 0) {
			s++;
			continue;
		}
		unsigned cp = n == 1 ? s[0] : n == 2 ? ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu) : 0;
		if (n == 1 && (cp == ' ' || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
			       (cp >= 'A' && cp <= 'Z')))
			sbuf_putc(out, (char)cp);
		else if (cp >= 0x410 && cp <= 0x42F)
			sbuf_puts(out, (cp == 0x418 && ru) ? "I" : upper[cp - 0x410]);
		else if (cp >= 0x430 && cp <= 0x44F)
			sbuf_puts(out, (cp == 0x438 && ru) ? "i" : lower[cp - 0x430]);
		else if (cp == 0x401)
			sbuf_puts(out, "E");
		else if (cp == 0x451)
			sbuf_puts(out, "e");
		s += n;
	}
}

static void realname(struct req *r, const char *login)
{
	char *name = db_value(r->db, NULL, "SELECT `realname` FROM `realname` WHERE `login` = ? ORDER BY `id` DESC LIMIT 1",
			      "s", login);
	struct sbuf out = SBUF_INIT;
	sbuf_printf(&out, "%s-", login);
	translit(name ? name : "", &out, strcmp(cfg_alter(r->cfg, "LANG", ""), "ru") == 0);
	reply_text(r, out.s);
	sbuf_free(&out);
	free(name);
}

/* Asterisk::AsteriskGetInfoApi: number -> login by the last 10 bytes. */
void ast_userinfo(struct req *r, struct ast *a, const char *param)
{
	char *dop = NULL;
	char *login = NULL, *uniq = NULL;
	bool ext = php_truthy(cfg_alter(r->cfg, "MOBILES_EXT", ""));
	int rc = phones_dopmobile(r, &dop) == 0 ? phones_info(r, a->number, ext, dop, &login, &uniq) : -1;
	free(dop);
	if (rc != 0)
		reply_db_error(r);
	else if (!login)
		reply_text(r, "ERROR: NOT OUR USER");
	else if (strcmp(param, "login") == 0)
		reply_text(r, login);
	else if (strcmp(param, "loginuniq") == 0)
		reply_text(r, uniq ? uniq : "ERROR: USER HAVE MANY LOGINS");
	else if (strcmp(param, "swstatus") == 0)
		swstatus(r, login);
	else if (strcmp(param, "realname") == 0)
		realname(r, login);
	else
		reply_text(r, "ERROR: MISTAKE PARAMETR");
	free(login);
	free(uniq);
}

static void info_with_pbx_log(struct req *r, struct ast *a, const char *param)
{
	struct sbuf out = SBUF_INIT;
	int rc = pbx_reply(r, a->number, a->number, param_present(&r->params, "getmoney"), &out);
	sbuf_free(&out);
	if (rc != 0) {
		reply_db_error(r);
		return;
	}
	ast_userinfo(r, a, param);
}

void cmd_asterisk(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "ASTERISK_ENABLED", ""))) {
		reply_text(r, "ERROR: ASTERISK DISABLED");
		return;
	}
	if (!param_present(&r->params, "number") && !param_present(&r->params, "login")) {
		reply_text(r, "ERROR: NOT HAVE NUMBER");
		return;
	}
	if (!param_present(&r->params, "param")) {
		reply_text(r, "ERROR: NOT HAVE PARAMETR");
		return;
	}
	const char *param = req_param(r, "param");
	char *number = xstrdup(req_param(r, "number") ? req_param(r, "number") : "");
	str_trim(number);
	struct ast a = { .number = number,
			 .login = param_present(&r->params, "login") ? req_param(r, "login") : "" };
	if (strcmp(param, "swstatus") == 0) {
		ast_userinfo(r, &a, param);
		free(number);
		return;
	}
	static const char *const need_user[] = { "setcredit", "paycardpay", "setpause", "setunpause", "addusermobile" };
	bool need = false;
	for (size_t i = 0; i < sizeof need_user / sizeof *need_user; i++)
		need |= strcmp(param, need_user[i]) == 0;
	if (need && load_user(r, &a) != 0) {
		reply_db_error(r);
		free(number);
		return;
	}
	static const struct {
		const char *name;
		void (*fn)(struct req *, struct ast *);
	} params[] = {
		{ "setcredit", ast_setcredit },
		{ "paycardpay", ast_paycardpay },
		{ "setpause", ast_setpause },
		{ "setunpause", ast_setunpause },
		{ "userstatus", userstatus },
		{ "getuserdatabylogin", ast_getuserdatabylogin },
		{ "getuserdatabymobile", ast_getuserdatabymobile },
		{ "getcontractsbymobile", ast_getcontractsbymobile },
		{ "addusermobile", ast_addusermobile },
	};
	for (size_t i = 0; i < sizeof params / sizeof *params; i++)
		if (strcmp(param, params[i].name) == 0) {
			params[i].fn(r, &a);
			free(number);
			return;
		}
	if (!strcmp(param, "getonlinedaysleft") || !strcmp(param, "getvservicescount") ||
	    !strcmp(param, "getuserspends") || !strcmp(param, "getcontragentdata"))
		ast_data_by_login(r, &a, param);
	else
		info_with_pbx_log(r, &a, param);
	free(number);
}
