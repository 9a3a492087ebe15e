/* One classic SendDog run (spec actions-ops.md §3, §4.1, §4.3): the
 * services' ubstorage settings, then the Telegram, email and SMS queues. */
#include "senddog.h"
#include "senddog_sms.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "httpc.h"
#include "phones.h"
#include "phpjson.h"
#include "req.h"
#include "storage.h"
#include "switches.h"
#include "util.h"
#include "weblog.h"

#define TG_DEFAULT_URL "https://api.telegram.org/bot"

/* How a service fills an empty ubstorage key (PHP's loadConfig methods). */
enum def_kind {
	D_EMPTY, /* PHP empty(): "" and "0" get the default */
	D_BLANK, /* only "" does (the numeric timeouts) */
	D_ALTER, /* the default is an alter.ini value */
	D_NONE,  /* read, never written */
};

struct sd_default {
	const char *key;
	const char *def;
	enum def_kind kind;
	const char *write_key; /* PHP writes the default elsewhere (lifecell's typo) */
};

enum sms_verdict { SMS_DELETE, SMS_KEEP };

struct sms_ctx {
	struct req *r;
	const struct sd_services *s;
	const char *srvid; /* sms_services id in advanced mode, else NULL */
	bool history;      /* SMS_HISTORY_ON */
	struct db *tsms;
	char desc[40]; /* smsfly's desc, the gradwell packet id */
	char *session;      /* mobipace: the SessionId as text (logs, history) */
	char *session_json; /* ... and as JSON, for the Send request */
	char *timestamp;    /* redsms: the gateway's timestamp */
	size_t sent;        /* bulksms: messages sent so far this run */
};

struct sms_service {
	const char *id;
	struct sd_default defaults[9];
	int (*begin)(struct sms_ctx *c);
	enum sms_verdict (*send)(struct sms_ctx *c, const char *number, const char *message);
	void (*end)(struct sms_ctx *c);
	/* batch gateways: the whole run at once, files already deleted */
	void (*push)(struct sms_ctx *c, struct sd_msg *m, size_t n);
	bool adv_only; /* an sms_services class with no config/senddog.d id */
};

struct sd_services {
	char *sms_service;
	char *tg_token;
	const struct sms_service *loaded[16];
	size_t nloaded;
	size_t n;
	char **keys, **values; /* every loaded service's settings */
};

static const char *setting(const struct sms_ctx *c, const char *key)
{
	for (size_t i = 0; i < c->s->n; i++)
		if (strcmp(c->s->keys[i], key) == 0)
			return c->s->values[i];
	return "";
}

static void settings_put(struct sd_services *s, const char *key, const char *value)
{
	s->keys = xrealloc(s->keys, (s->n + 1) * sizeof *s->keys);
	s->values = xrealloc(s->values, (s->n + 1) * sizeof *s->values);
	s->keys[s->n] = xstrdup(key);
	s->values[s->n] = xstrdup(value);
	s->n++;
}

/* ---------------------------------------------------------------- helpers */

static int http_do(struct http_request *q, struct http_response *resp, const char *svc)
{
	struct sbuf err = SBUF_INIT;
	int rc = http_request(q, resp, &err);
	if (rc != 0)
		syslog(LOG_WARNING, "ubapi senddog: %s request failed: %s", svc, sbuf_str(&err));
	else if (resp->status < 200 || resp->status > 299)
		syslog(LOG_WARNING, "ubapi senddog: %s answered HTTP %ld", svc, resp->status);
	sbuf_free(&err);
	return rc;
}

static char *strip_plus(const char *number)
{
	char *s = xstrdup(number), *w = s;
	for (const char *p = s; *p; p++)
		if (*p != '+')
			*w++ = *p;
	*w = 0;
	return s;
}

/* strtr(base64_encode(x), '+/=', '-_,') */
static void b64url(struct sbuf *b, const char *s)
{
	size_t from = b->len;
	sd_base64(b, s, strlen(s));
	for (size_t i = from; i < b->len; i++)
		b->s[i] = b->s[i] == '+' ? '-' : b->s[i] == '/' ? '_' : b->s[i] == '=' ? ',' : b->s[i];
}

/* makePhoneFormat of the AlphaSms/SmsClubMobi classes: '+' dropped, a
 * 10-digit 0... number becomes 380..., a 10-digit 8... one 38...; caller frees */
static char *phone_380(const char *number)
{
	char *p = strip_plus(number);
	if (strlen(p) == 10 && (p[0] == '0' || p[0] == '8')) {
		struct sbuf b = SBUF_INIT;
		sbuf_printf(&b, "%s%s", p[0] == '0' ? "38" : "3", p);
		free(p);
		p = sbuf_detach(&b);
	}
	return p;
}

/* strtoupper(md5(uniqid(rand(), true))): an opaque 32-hex packet id */
static void packet_id(char out[33])
{
	char r[17];
	sd_rand_string(r, 16);
	md5_hex(r, out);
	for (char *p = out; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

/* __() of the sms_history texts: no language table is loaded, so PHP's
 * untranslated key, verbatim */
#define ST_PREPARING "Perparing for delivery"
#define ST_QUEUED "Message queued"
#define ST_FAILED "Failed to send message"
#define ST_EXPIRED "SMS status check period expired"

/* One sms_history row as the gateways write it; the columns PHP leaves to
 * MySQL's implicit defaults are given explicitly. lookup: the phone the
 * login is guessed from. 0 and *id, or -1. */
static int history_add_as(struct sms_ctx *c, const char *lookup, const char *number, const char *selfid,
			  const char *packid, bool dated, const char *status, const char *text,
			  unsigned long long *id)
{
	char *login = NULL;
	if (phones_telepathy(c->r, lookup, php_truthy(cfg_alter(c->r->cfg, "MOBILES_EXT", "")), &login) != 0)
		login = NULL;
	char now[24];
	clock_format_datetime(c->r->now, now);
	long long rc = db_exec(c->r->db,
			       "INSERT INTO `sms_history` (`smssrvid`,`login`,`phone`,`srvmsgself_id`,`srvmsgpack_id`,"
			       "`date_send`,`date_statuschk`,`send_status`,`msg_text`) "
			       "VALUES (?,?,?,?,?,?,'0000-00-00 00:00:00',?,?)",
			       "isssssss", c->srvid ? atoll(c->srvid) : 0LL, login ? login : "", number,
			       selfid ? selfid : "", packid ? packid : "", dated ? now : "0000-00-00 00:00:00",
			       status, text);
	free(login);
	if (rc < 0) {
		syslog(LOG_ERR, "ubapi senddog: sms_history insert failed: %s", db_error(c->r->db));
		return -1;
	}
	if (id)
		*id = db_insert_id(c->r->db);
	return 0;
}

static int history_add(struct sms_ctx *c, const char *number, const char *selfid, const char *packid,
		       bool dated, const char *status, const char *text, unsigned long long *id)
{
	return history_add_as(c, number, number, selfid, packid, dated, status, text, id);
}

/* The batch gateways' verdict on their fresh sms_history rows (ids[0..n),
 * 0 = not written): queued, or failed with checks stopped. */
static void history_settle(struct sms_ctx *c, const unsigned long long *ids, size_t n, const char *failure)
{
	char now[24];
	clock_format_datetime(c->r->now, now);
	struct sbuf st = SBUF_INIT;
	if (failure)
		sbuf_printf(&st, "%s: %s", ST_FAILED, failure);
	for (size_t i = 0; i < n; i++) {
		if (!ids[i])
			continue;
		if (failure)
			db_exec(c->r->db,
				"UPDATE `sms_history` SET `date_send`=?, `date_statuschk`=?, `no_statuschk`=1, "
				"`send_status`=? WHERE `id`=?",
				"sssu", now, now, sbuf_str(&st), ids[i]);
		else
			db_exec(c->r->db, "UPDATE `sms_history` SET `date_send`=?, `send_status`=? WHERE `id`=?", "ssu",
				now, ST_QUEUED, ids[i]);
	}
	sbuf_free(&st);
}

/* The text of the first <tag ...>text</tag> in xml ("" when none); caller
 * frees. Enough for the gateways' small fixed replies. */
static char *xml_text(const char *xml, const char *tag)
{
	size_t tl = strlen(tag);
	for (const char *p = strchr(xml, '<'); p; p = strchr(p + 1, '<')) {
		if (strncmp(p + 1, tag, tl) != 0 || !strchr(" \t\r\n/>", p[1 + tl]))
			continue;
		const char *gt = strchr(p, '>');
		if (!gt || gt[-1] == '/')
			return xstrdup("");
		const char *end = strstr(gt + 1, "</");
		return xstrndup(gt + 1, end ? (size_t)(end - gt - 1) : strlen(gt + 1));
	}
	return xstrdup("");
}

/* The value of attribute attr in the n-th (0-based) <tag ...> of xml, NULL
 * when there is no such tag or attribute; *after (optional) points past
 * the tag's '>'. Caller frees. */
static char *xml_attr(const char *xml, const char *tag, const char *attr, size_t n, const char **after)
{
	size_t tl = strlen(tag), al = strlen(attr);
	for (const char *p = strchr(xml, '<'); p; p = strchr(p + 1, '<')) {
		if (strncmp(p + 1, tag, tl) != 0 || !strchr(" \t\r\n/>", p[1 + tl]))
			continue;
		if (n--)
			continue;
		const char *gt = strchr(p, '>');
		if (!gt)
			return NULL;
		if (after)
			*after = gt + 1;
		for (const char *a = p + 1 + tl; a < gt; a++) {
			if (strncmp(a, attr, al) == 0 && strchr(" \t\r\n", a[-1]) && a[al] == '=' &&
			    (a[al + 1] == '"' || a[al + 1] == '\'')) {
				const char *v = a + al + 2;
				const char *e = strchr(v, a[al + 1]);
				return e && e < gt ? xstrndup(v, (size_t)(e - v)) : NULL;
			}
		}
		return NULL;
	}
	return NULL;
}

/* Whether xml has an n-th (0-based) <tag ...>. */
static bool xml_attr_exists(const char *xml, const char *tag, size_t n)
{
	size_t tl = strlen(tag);
	for (const char *p = strchr(xml, '<'); p; p = strchr(p + 1, '<'))
		if (strncmp(p + 1, tag, tl) == 0 && strchr(" \t\r\n/>", p[1 + tl]) && !n--)
			return true;
	return false;
}

/* <![CDATA[s]]>, a "]]>" inside split over two sections */
static void cdata(struct sbuf *b, const char *s)
{
	sbuf_puts(b, "<![CDATA[");
	for (; *s; s++) {
		if (strncmp(s, "]]>", 3) == 0) {
			sbuf_puts(b, "]]]]><![CDATA[>");
			s += 2;
		} else {
			sbuf_putc(b, *s);
		}
	}
	sbuf_puts(b, "]]>");
}

/* ---------------------------------------------------------------- tsms */

/* "host" or "host:port" (the port form lets a test use its own server) */
static int tsms_begin(struct sms_ctx *c)
{
	const char *gw = setting(c, "SENDDOG_TSMS_GATEWAY");
	struct db_settings st = { 0 };
	const char *colon = strrchr(gw, ':');
	if (colon && str_is_digits(colon + 1) && !strchr(colon + 1, ':')) {
		st.host = xstrndup(gw, (size_t)(colon - gw));
		st.port = (unsigned)atoi(colon + 1);
	} else {
		st.host = xstrdup(gw);
	}
	st.user = xstrdup(setting(c, "SENDDOG_TSMS_LOGIN"));
	st.password = xstrdup(setting(c, "SENDDOG_TSMS_PASSWORD"));
	st.database = xstrdup("users");
	st.charset = xstrdup("utf8");
	st.timeout_s = 10;
	c->tsms = db_new();
	db_configure(c->tsms, &st);
	db_settings_free(&st);
	if (db_ready(c->tsms) != 0) {
		syslog(LOG_ERR, "ubapi senddog: tsms gateway %s: %s; SMS stay queued", gw, db_error(c->tsms));
		db_free(c->tsms);
		c->tsms = NULL;
		return -1;
	}
	return 0;
}

static enum sms_verdict tsms_send(struct sms_ctx *c, const char *number, const char *message)
{
	/* the table is named after the gateway login: an identifier, quoted */
	struct sbuf q = SBUF_INIT;
	sbuf_puts(&q, "INSERT INTO `");
	for (const char *p = setting(c, "SENDDOG_TSMS_LOGIN"); *p; p++) {
		if (*p == '`')
			sbuf_putc(&q, '`');
		sbuf_putc(&q, *p);
	}
	sbuf_puts(&q, "` (`number`,`sign`,`message`,`wappush`,`send_time`) VALUES (?,?,?,'',?)");
	char *sign = sd_sign_filter(setting(c, "SENDDOG_TSMS_SIGN"));
	char now[24];
	clock_format_datetime(c->r->now, now);
	long long rc = db_exec(c->tsms, sbuf_str(&q), "ssss", number, sign, message, now);
	free(sign);
	sbuf_free(&q);
	if (rc < 0) {
		syslog(LOG_ERR, "ubapi senddog: tsms insert failed: %s", db_error(c->tsms));
		return SMS_KEEP;
	}
	return SMS_DELETE;
}

static void tsms_end(struct sms_ctx *c)
{
	if (c->tsms)
		db_free(c->tsms);
	c->tsms = NULL;
}

/* ---------------------------------------------------------------- tsmshttp */

static void tsmshttp_log(struct sms_ctx *c, const char *what, const char *detail)
{
	char *path = cfg_path(c->r->cfg, "exports/senddog_tsmshttp.log");
	FILE *f = fopen(path, "a");
	if (f) {
		char now[24];
		clock_format_datetime(c->r->now, now);
		fprintf(f, "%s %s%s\n", now, what, detail ? detail : "");
		fclose(f);
	}
	free(path);
}

static bool tsmshttp_success(const cJSON *code)
{
	double v;
	if (cJSON_IsNumber(code))
		v = code->valuedouble;
	else if (cJSON_IsString(code) && str_is_digits(code->valuestring) && code->valuestring[0] != '0')
		v = atof(code->valuestring);
	else
		return false;
	return v == 800 || v == 801 || v == 802 || v == 803;
}

static enum sms_verdict tsmshttp_send(struct sms_ctx *c, const char *number, const char *message)
{
	if (!php_truthy(number) || !php_truthy(message))
		return SMS_KEEP;
	char *sign = sd_sign_filter(setting(c, "SENDDOG_TSMSHTTP_SIGN"));
	struct sbuf url = SBUF_INIT;
	sbuf_printf(&url, "%s/message/send.json", setting(c, "SENDDOG_TSMSHTTP_GATEWAY"));
	/* OmaeUrl's query shape: "?" then "&k=v&" per field, values as given */
	if (!strchr(sbuf_str(&url), '?'))
		sbuf_putc(&url, '?');
	sbuf_printf(&url, "&token=%s&&recipients[0]=%s&&sms[sender]=", setting(c, "SENDDOG_TSMSHTTP_APIKEY"),
		    number);
	sd_urlencode(&url, sign);
	sbuf_puts(&url, "&&sms[text]=");
	sd_urlencode(&url, message);
	sbuf_putc(&url, '&');
	long t = atol(setting(c, "SENDDOG_TSMSHTTP_TIMEOUT"));
	struct http_request q = {
		.url = sbuf_str(&url), .connect_timeout_ms = t > 0 ? t * 1000 : 2000, .timeout_ms = 30000,
		.follow_redirects = 1, .insecure = 1,
	};
	struct http_response resp;
	struct sbuf err = SBUF_INIT;
	enum sms_verdict v = SMS_KEEP;
	if (http_request(&q, &resp, &err) != 0)
		tsmshttp_log(c, sbuf_str(&err), NULL);
	const char *raw = sbuf_str(&resp.body);
	if (!php_truthy(raw)) {
		tsmshttp_log(c, "EMPTY SENDING RESULT RECEIVED", NULL);
	} else {
		cJSON *j = cJSON_Parse(raw);
		if (!j || !(cJSON_IsObject(j) || cJSON_IsArray(j)) || !j->child) {
			tsmshttp_log(c, "BROKEN SENDING REPLY RECEIVED: ", raw);
		} else {
			const cJSON *code = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "response_code") : NULL;
			if (!code || cJSON_IsNull(code))
				tsmshttp_log(c, "SOMETHING WENT WRONG: ", raw);
			else if (tsmshttp_success(code))
				v = SMS_DELETE;
			else
				tsmshttp_log(c, "MESSAGE SENDING FAILED: ", raw);
		}
		cJSON_Delete(j);
	}
	http_response_free(&resp);
	sbuf_free(&err);
	sbuf_free(&url);
	free(sign);
	return v;
}

/* ---------------------------------------------------------------- smsfly */

static int smsfly_begin(struct sms_ctx *c)
{
	char r8[9];
	sd_rand_string(r8, 8);
	snprintf(c->desc, sizeof c->desc, "Ubilling_%s", r8);
	return 0;
}

static enum sms_verdict smsfly_send(struct sms_ctx *c, const char *number, const char *message)
{
	char *num = strip_plus(number);
	char *source = sd_sign_filter(setting(c, "SENDDOG_SMSFLY_SIGN"));
	struct sbuf body = SBUF_INIT, auth = SBUF_INIT;
	sbuf_puts(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<request><operation>SENDSMS</operation>");
	sbuf_printf(&body, "\t\t<message start_time=\"AUTO\" end_time=\"AUTO\" lifetime=\"4\" rate=\"1\" desc=\"%s\" source=\"",
		    c->desc);
	sd_xml_escape(&body, source);
	sbuf_puts(&body, "\">\n\t\t<body>");
	sd_xml_escape(&body, message);
	sbuf_puts(&body, "</body>\t\t<recipient>");
	sd_xml_escape(&body, num);
	sbuf_puts(&body, "</recipient></message></request>");
	sbuf_printf(&auth, "%s:%s", setting(c, "SENDDOG_SMSFLY_LOGIN"), setting(c, "SENDDOG_SMSFLY_PASSWORD"));
	static const char *const hdrs[] = { "Content-Type: text/xml", "Accept: text/xml", NULL };
	struct http_request q = {
		.method = "POST", .url = setting(c, "SENDDOG_SMSFLY_GATEWAY"), .body = sbuf_str(&body),
		.body_len = body.len, .headers = hdrs, .userpwd = sbuf_str(&auth), .timeout_ms = 30000,
		.connect_timeout_ms = 10000, .insecure = 1,
	};
	struct http_response resp;
	http_do(&q, &resp, "smsfly");
	http_response_free(&resp);
	sbuf_free(&body);
	sbuf_free(&auth);
	free(num);
	free(source);
	return SMS_DELETE;
}

/* ---------------------------------------------------------------- alphasms */

static enum sms_verdict alphasms_send(struct sms_ctx *c, const char *number, const char *message)
{
	struct sbuf from = SBUF_INIT, to = SBUF_INIT, key = SBUF_INIT, body = SBUF_INIT, msg = SBUF_INIT;
	/* the AlphaSms class of advanced mode formats the number its own way,
	 * url-encodes the message too and sends the key as it is */
	char *cut = c->srvid ? phone_380(number) : sd_cut_international(number);
	sd_urlencode(&from, setting(c, "SENDDOG_ALPHASMS_SIGN"));
	sd_urlencode(&to, cut);
	if (c->srvid) {
		sd_urlencode(&msg, message);
		sbuf_puts(&key, setting(c, "SENDDOG_ALPHASMS_APIKEY"));
	} else {
		sbuf_puts(&msg, message);
		sd_urlencode(&key, setting(c, "SENDDOG_ALPHASMS_APIKEY"));
	}
	const char *fields[][2] = {
		{ "from", sbuf_str(&from) },
		{ "to", sbuf_str(&to) },
		{ "message", sbuf_str(&msg) },
		{ "login", setting(c, "SENDDOG_ALPHASMS_LOGIN") },
		{ "password", setting(c, "SENDDOG_ALPHASMS_PASSWORD") },
		{ "key", sbuf_str(&key) },
		{ "command", "send" },
	};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		sbuf_printf(&body, "&%s=", fields[i][0]);
		b64url(&body, fields[i][1]);
	}
	static const char *const hdrs[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	struct http_request q = {
		.method = "POST", .url = setting(c, "SENDDOG_ALPHASMS_GATEWAY"), .body = sbuf_str(&body),
		.body_len = body.len, .headers = hdrs, .connect_timeout_ms = 5000, .timeout_ms = 30000,
		.insecure = 1,
	};
	struct http_response resp;
	http_do(&q, &resp, "alphasms");
	http_response_free(&resp);
	sbuf_free(&from);
	sbuf_free(&to);
	sbuf_free(&key);
	sbuf_free(&body);
	sbuf_free(&msg);
	free(cut);
	return SMS_DELETE;
}

/* ---------------------------------------------------------------- lifecell */

static enum sms_verdict lifecell_send(struct sms_ctx *c, const char *number, const char *message)
{
	static const char indent[] = "\n                            ";
	char *num = strip_plus(number);
	char *source = sd_sign_filter(setting(c, "SENDDOG_LIFECELL_SIGN"));
	struct sbuf body = SBUF_INIT, cred = SBUF_INIT, auth = SBUF_INIT;
	sbuf_puts(&body, "<message><service id=\"single\" source=\"");
	sd_xml_escape(&body, source);
	sbuf_printf(&body, "\"/>%s<to>", indent);
	sd_xml_escape(&body, num);
	sbuf_printf(&body, "</to>%s<body content-type=\"text/plain\">", indent);
	sd_xml_escape(&body, message);
	sbuf_puts(&body, "</body></message>");
	sbuf_printf(&cred, "%s:%s", setting(c, "SENDDOG_LIFECELL_LOGIN"), setting(c, "SENDDOG_LIFECELL_PASSWORD"));
	sbuf_puts(&auth, "Authorization: Basic ");
	sd_base64(&auth, cred.s, cred.len);
	const char *hdrs[] = { sbuf_str(&auth), "Content-Type:text/xml", NULL };
	struct http_request q = {
		.method = "POST", .url = setting(c, "SENDDOG_LIFECELL_GATEWAY"), .body = sbuf_str(&body),
		.body_len = body.len, .headers = hdrs, .connect_timeout_ms = 10000, .timeout_ms = 30000,
	};
	struct http_response resp;
	http_do(&q, &resp, "lifecell");
	http_response_free(&resp);
	sbuf_free(&body);
	sbuf_free(&cred);
	sbuf_free(&auth);
	free(num);
	free(source);
	return SMS_DELETE;
}

/* ---------------------------------------------------------------- smsflyapi2 */

static const char *smsfly2_status(const char *code)
{
	static const char *const codes[][2] = {
		{ "ACCEPTD", "Message received by the system" },
		{ "PENDING", "message in queue for sending" },
		{ "INPROGRESS", "Message in processing" },
		{ "SENT", "Message sent" },
		{ "DELIVRD", "Message delivered" },
		{ "VIEWED", "Message viewed" },
		{ "EXPIRED", "Message delivery time expired" },
		{ "UNDELIV", "Message not delivered" },
		{ "STOPED", "Message stopped by the system" },
		{ "ERROR", "Message sending error" },
		{ "INSUFFICIENTFUNDS", "Insufficient funds to send this message" },
		{ "MODERATION", "Message on moderation" },
		{ "RESERVED", "Message reserved by the system" },
		{ "REFUND", "Message prepared for refund" },
	};
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		if (strcmp(code, codes[i][0]) == 0)
			return codes[i][1];
	return NULL;
}

/* checkPhone of the SmsFlyAPI2 class: the digits, left-padded to 12,
 * as 38 + a Ukrainian operator code + 7 digits; NULL (JSON false) for
 * any other operator. Caller frees. */
static char *smsfly2_phone(const char *number)
{
	static const char *const ops[] = { "039", "050", "063", "066", "067", "068", "073", "091",
					   "092", "093", "094", "095", "096", "097", "098", "099" };
	size_t nd = 0;
	for (const char *p = number; *p; p++)
		nd += isdigit((unsigned char)*p) != 0;
	struct sbuf d = SBUF_INIT;
	for (size_t pad = nd; pad < 12; pad++)
		sbuf_putc(&d, '0');
	for (const char *p = number; *p; p++)
		if (isdigit((unsigned char)*p))
			sbuf_putc(&d, *p);
	const char *op = d.s + d.len - 10;
	char *out = NULL;
	for (size_t i = 0; i < sizeof ops / sizeof *ops && !out; i++)
		if (strncmp(op, ops[i], 3) == 0) {
			struct sbuf o = SBUF_INIT;
			sbuf_printf(&o, "38%.3s%s", op, d.s + d.len - 7);
			out = sbuf_detach(&o);
		}
	sbuf_free(&d);
	return out;
}

/* One API call (PHP's apiquery): body gets the "auth" member appended and
 * is posted; the decoded reply when it says success, else NULL (logged). */
static cJSON *smsfly2_call(struct sms_ctx *c, struct sbuf *body, int bad)
{
	sbuf_puts(body, ",\"auth\":{\"key\":");
	bad |= sd_json_string_unescaped(body, setting(c, "SENDDOG_SMSFLYAPI2_KEY"));
	sbuf_puts(body, "}}");
	if (bad) /* json_encode() gives false, which curl posts as "" */
		sbuf_reset(body);
	static const char *const hdrs[] = { "Content-Type: application/json", "Accept: application/json", NULL };
	struct http_request q = {
		.method = "POST", .url = setting(c, "SENDDOG_SMSFLYAPI2_GATEWAY"), .body = bad ? "" : sbuf_str(body),
		.body_len = bad ? 0 : body->len, .headers = hdrs, .connect_timeout_ms = 10000,
		.timeout_ms = 30000, .insecure = 1,
	};
	struct http_response resp;
	http_do(&q, &resp, "smsflyapi2");
	cJSON *j = resp.body.len ? cJSON_Parse(sbuf_str(&resp.body)) : NULL;
	bool success = false;
	if (!resp.body.len || !php_truthy(sbuf_str(&resp.body))) {
		weblog(c->r, "SENDDOG SMSFLYAPI2 ERROR for use API");
	} else {
		const cJSON *ok = cJSON_GetObjectItemCaseSensitive(j, "success");
		success = (cJSON_IsNumber(ok) && ok->valuedouble == 1) || cJSON_IsTrue(ok) ||
			  (cJSON_IsString(ok) && strcmp(ok->valuestring, "1") == 0);
		if (!success) {
			const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
			const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
			char num[32] = "";
			const char *cs = num;
			if (cJSON_IsString(code))
				cs = code->valuestring;
			else if (cJSON_IsNumber(code))
				snprintf(num, sizeof num, "%.14g", code->valuedouble);
			const char *known = smsfly2_status(cs);
			if (known)
				weblog(c->r, "SENDDOG SMSFLYAPI2 ERROR failed. Server answer: %s", known);
			else
				weblog(c->r, "SENDDOG SMSFLYAPI2 ERROR failed. Server answer: Sending status code is unknown:  %s",
				       cs);
		}
	}
	http_response_free(&resp);
	if (!success) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static enum sms_verdict smsflyapi2_send(struct sms_ctx *c, const char *number, const char *message)
{
	char *cut = c->srvid ? smsfly2_phone(number) : sd_cut_international(number);
	struct sbuf body = SBUF_INIT;
	sbuf_puts(&body, "{\"action\":\"SENDMESSAGE\",\"data\":{\"recipient\":");
	int bad = 0;
	if (cut)
		bad = sd_json_string_unescaped(&body, cut);
	else
		sbuf_puts(&body, "false");
	sbuf_puts(&body, ",\"channels\":[\"sms\"],\"sms\":{\"source\":");
	bad |= sd_json_string_unescaped(&body, setting(c, "SENDDOG_SMSFLYAPI2_SIGN"));
	sbuf_puts(&body, ",\"text\":");
	bad |= sd_json_string_unescaped(&body, message);
	sbuf_puts(&body, "}}");
	cJSON_Delete(smsfly2_call(c, &body, bad));
	sbuf_free(&body);
	free(cut);
	return SMS_DELETE;
}

/* ---------------------------------------------------------------- smspilot */

static enum sms_verdict smspilot_send(struct sms_ctx *c, const char *number, const char *message)
{
	struct sbuf url = SBUF_INIT;
	sbuf_puts(&url, c->srvid ? setting(c, "SENDDOG_SMSPILOT_GATEWAY")
				 : cfg_ubapi(c->r->cfg, "senddog_smspilot_url", "http://smspilot.ru/api.php"));
	sbuf_puts(&url, "?send=");
	sd_urlencode(&url, message);
	sbuf_puts(&url, "&to=");
	sd_urlencode(&url, number);
	sbuf_puts(&url, "&from=");
	sd_urlencode(&url, setting(c, "SENDDOG_SMSPILOT_SIGN"));
	sbuf_puts(&url, "&apikey=");
	sd_urlencode(&url, setting(c, "SENDDOG_SMSPILOT_APIKEY"));
	sbuf_puts(&url, "&format=json");
	struct http_request q = { .url = sbuf_str(&url), .connect_timeout_ms = 10000, .timeout_ms = 10000 };
	struct http_response resp;
	if (http_do(&q, &resp, "smspilot") == 0) {
		cJSON *j = cJSON_Parse(sbuf_str(&resp.body));
		if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "error"))
			syslog(LOG_WARNING, "ubapi senddog: smspilot refused %s: %.200s", number, sbuf_str(&resp.body));
		cJSON_Delete(j);
	}
	http_response_free(&resp);
	sbuf_free(&url);
	return SMS_DELETE;
}

/* ------------------------------------------- advanced-only: GradwellSms */

static int gradwell_begin(struct sms_ctx *c)
{
	packet_id(c->desc);
	weblog(c->r, "SENDDOG GRADWELLSMS sending SMS packet %s", c->desc);
	return 0;
}

static enum sms_verdict gradwell_send(struct sms_ctx *c, const char *number, const char *message)
{
	/* '+' dropped, then every "440" shortened to "44" (str_replace order) */
	char *num = strip_plus(number);
	struct sbuf dest = SBUF_INIT, url = SBUF_INIT;
	for (const char *p = num; *p;) {
		if (strncmp(p, "440", 3) == 0) {
			sbuf_puts(&dest, "44");
			p += 3;
		} else {
			sbuf_putc(&dest, *p++);
		}
	}
	sbuf_printf(&url, "%s?auth=%s&originator=%s&destination=%s&message=", setting(c, "SENDDOG_ADV_GATEWAY"),
		    setting(c, "SENDDOG_ADV_APIKEY"), setting(c, "SENDDOG_ADV_SIGN"), sbuf_str(&dest));
	sd_urlencode(&url, message);
	struct http_request q = { .url = sbuf_str(&url), .connect_timeout_ms = 10000, .timeout_ms = 10000 };
	struct http_response resp;
	http_do(&q, &resp, "gradwellsms");
	const char *res = sbuf_str(&resp.body);
	if (strstr(res, "OK:")) {
		const char *idp = strstr(res, "id");
		if (idp && c->history) {
			char *copy = xstrdup(idp + 2);
			history_add(c, number, str_trim(copy), c->desc, true, ST_QUEUED, message, NULL);
			free(copy);
		} else {
			weblog(c->r, "SENDDOG GRADWELLSMS message ID not found - can't write history:  %s", res);
		}
	} else if (strstr(res, "ERR:")) {
		weblog(c->r, "SENDDOG GRADWELLSMS delivery failed with error:  %s", res);
	} else {
		weblog(c->r, "SENDDOG GRADWELLSMS unknown server answer:  %s", res);
	}
	http_response_free(&resp);
	sbuf_free(&dest);
	sbuf_free(&url);
	free(num);
	return SMS_DELETE;
}

/* ------------------------------------------- advanced-only: SmsClubMobi */

static void smsclub_push(struct sms_ctx *c, struct sd_msg *m, size_t n)
{
	unsigned long long *rows = xcalloc(n, sizeof *rows);
	char **phones = xcalloc(n, sizeof *phones);
	struct sbuf body = SBUF_INIT, url = SBUF_INIT;
	sbuf_puts(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?><request_sendsms><username>");
	cdata(&body, setting(c, "SENDDOG_ADV_LOGIN"));
	sbuf_puts(&body, "</username><password>");
	cdata(&body, setting(c, "SENDDOG_ADV_PASSWORD"));
	sbuf_puts(&body, "</password><from>");
	cdata(&body, setting(c, "SENDDOG_ADV_SIGN"));
	sbuf_puts(&body, "</from>");
	for (size_t i = 0; i < n; i++) {
		phones[i] = phone_380(m[i].number);
		if (c->history)
			history_add(c, m[i].number, NULL, NULL, false, ST_PREPARING, m[i].message, &rows[i]);
		sbuf_puts(&body, "<to>");
		cdata(&body, phones[i]);
		sbuf_puts(&body, "</to><text>");
		cdata(&body, m[i].message);
		sbuf_puts(&body, "</text>");
	}
	sbuf_puts(&body, "</request_sendsms>");
	sbuf_printf(&url, "%sindividual.php", setting(c, "SENDDOG_ADV_GATEWAY"));
	static const char *const hdrs[] = { "Content-Type: text/xml; charset=utf-8", "Accept: text/xml",
					    "Cache-Control: no-cache", NULL };
	struct http_request q = { .method = "POST", .url = sbuf_str(&url), .body = sbuf_str(&body),
				  .body_len = body.len, .headers = hdrs, .connect_timeout_ms = 10000,
				  .timeout_ms = 30000 };
	struct http_response resp;
	http_do(&q, &resp, "smsclubmobi");
	const char *res = sbuf_str(&resp.body);
	if (*res) {
		char *status = xml_text(res, "status"), *text = xml_text(res, "text");
		char now[24];
		clock_format_datetime(c->r->now, now);
		if (strcasecmp(status, "ok") == 0) {
			char pack[33];
			packet_id(pack);
			weblog(c->r, "SENDDOG SmsClubMobi packet %s sent successfully", pack);
			/* <mess tel="380...">ID</mess> per number: the first id of a
			 * number goes to every history row of that number */
			for (size_t i = 0; i < n && c->history; i++) {
				const char *after = NULL;
				char *tel = NULL;
				for (size_t k = 0; (tel = xml_attr(res, "mess", "tel", k, &after)) != NULL; k++) {
					bool match = strcmp(tel, phones[i]) == 0;
					free(tel);
					if (!match)
						continue;
					const char *end = strstr(after, "</");
					char *id = xstrndup(after, end ? (size_t)(end - after) : 0);
					if (rows[i])
						db_exec(c->r->db,
							"UPDATE `sms_history` SET `srvmsgself_id`=?, `srvmsgpack_id`=?, `date_send`=?, "
							"`send_status`=? WHERE `id`=?",
							"ssssu", id, pack, now, ST_QUEUED, rows[i]);
					free(id);
					break;
				}
			}
		} else {
			weblog(c->r, "SENDDOG SmsClubMobi failed to send SMS packet. Server answer: %s", text);
			struct sbuf st = SBUF_INIT;
			sbuf_printf(&st, "%s: %s", ST_FAILED, text);
			for (size_t i = 0; i < n && c->history; i++)
				if (rows[i])
					db_exec(c->r->db,
						"UPDATE `sms_history` SET `date_send`=?, `date_statuschk`=?, `no_statuschk`=1, "
						"`send_status`=? WHERE `id`=?",
						"sssu", now, now, sbuf_str(&st), rows[i]);
			sbuf_free(&st);
		}
		free(status);
		free(text);
	}
	http_response_free(&resp);
	for (size_t i = 0; i < n; i++)
		free(phones[i]);
	free(phones);
	free(rows);
	sbuf_free(&body);
	sbuf_free(&url);
}

/* ------------------------------------------- advanced-only: RedSms (new API) */

static enum sms_verdict redsms2_send(struct sms_ctx *c, const char *number, const char *message)
{
	/* PHP's ts: microtime() ("0.<8 digits> <seconds>") glued to rand(0,10000) */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	unsigned rnd = 0;
	if (getrandom(&rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		rnd = (unsigned)rand();
	char ts[64];
	snprintf(ts, sizeof ts, "0.%06ld00 %lld%u", now.tv_nsec / 1000, (long long)now.tv_sec, rnd % 10001u);
	struct sbuf sig = SBUF_INIT, query = SBUF_INIT, url = SBUF_INIT;
	sbuf_printf(&sig, "%s%s", ts, setting(c, "SENDDOG_ADV_APIKEY"));
	char secret[33];
	md5_hex(sbuf_str(&sig), secret);
	const char *fields[][2] = {
		{ "login", setting(c, "SENDDOG_ADV_LOGIN") }, { "secret", secret }, { "to", number },
		{ "from", setting(c, "SENDDOG_ADV_SIGN") },  { "ts", ts },         { "text", message },
	};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		sbuf_printf(&query, "%s%s=", i ? "&" : "", fields[i][0]);
		sd_urlencode(&query, fields[i][1]);
	}
	sbuf_printf(&url, "%s/message?%s", setting(c, "SENDDOG_ADV_GATEWAY"), sbuf_str(&query));
	static const char *const hdrs[] = { "Content-type: application/json", NULL };
	struct http_request q = { .method = "POST", .url = sbuf_str(&url), .body = sbuf_str(&query),
				  .body_len = query.len, .headers = hdrs, .connect_timeout_ms = 120000,
				  .timeout_ms = 120000 };
	struct http_response resp;
	http_do(&q, &resp, "redsms");
	http_response_free(&resp);
	sbuf_free(&sig);
	sbuf_free(&query);
	sbuf_free(&url);
	return SMS_DELETE;
}

/* ---------------------------------------------------------------- mobipace */

static const char *mobipace_error_text(long code)
{
	static const struct {
		long code;
		const char *text;
	} codes[] = {
		{ 100, "System failure" },
		{ 101, "Request successful" },
		{ 102, "Request format or parameters are incorrect" },
		{ 103, "Session expired" },
		{ 104, "System is processing request with such ID already or request with such ID temporarily can not be processed" },
		{ 200, "Incorrect user name or password" },
		{ 201, "Maximum amount of auth fails reached - please, contact your manager" },
		{ 202, "User is blocked - please, contact your manager" },
		{ 300, "Insufficient funds to send messages" },
		{ 301, "Message count overflow: no more than 20000 messages per session supported" },
		{ 302, "Account currency not defined - proceed to your personal page and check config" },
	};
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		if (codes[i].code == code)
			return codes[i].text;
	return "Unknown error code";
}

/* A JSON scalar as PHP's string concatenation shows it ("" for arrays). */
static char *json_scalar_text(const cJSON *v)
{
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsTrue(v))
		return xstrdup("1");
	if (cJSON_IsNumber(v)) {
		char num[64];
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
		else
			snprintf(num, sizeof num, "%.14G", v->valuedouble);
		return xstrdup(num);
	}
	return xstrdup("");
}

/* A reply's StatusCode ("42" when absent, as PHP's default) and whether it
 * is 101 under PHP's loose ==; *text: "[<code>] - <meaning>", caller frees. */
static bool mobipace_status(const cJSON *reply, char **text)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(reply, "StatusCode");
	char *ctext = code ? json_scalar_text(code) : xstrdup("42");
	char *end = NULL;
	double v = strtod(ctext, &end);
	bool numeric = *ctext && end && *end == 0;
	bool ok = numeric && v == 101;
	struct sbuf b = SBUF_INIT;
	sbuf_printf(&b, "[%s] - %s", ctext, mobipace_error_text(numeric && v == (long)v ? (long)v : -1));
	*text = sbuf_detach(&b);
	free(ctext);
	return ok;
}

static char *mobipace_url(struct sms_ctx *c, const char *key, const char *def)
{
	const char *gw = setting(c, "SENDDOG_MOBIPACE_GATEWAY");
	size_t len = strlen(gw);
	while (len && gw[len - 1] == '/')
		len--;
	const char *suffix = setting(c, key);
	struct sbuf u = SBUF_INIT;
	sbuf_printf(&u, "%.*s/%s", (int)len, gw, *suffix ? suffix : def);
	return sbuf_detach(&u);
}

/* One JSON POST; the reply decoded, NULL when it was empty (PHP then does
 * nothing more) — a non-JSON reply gives a JSON null item. */
static cJSON *mobipace_call(struct sms_ctx *c, const char *url, const char *body, size_t len)
{
	static const char *const hdrs[] = { "Content-type: application/json; charset=utf-8", "Cache-Control: no-cache",
					    NULL };
	(void)c;
	struct http_request q = { .method = "POST", .url = url, .body = body, .body_len = len, .headers = hdrs,
				  .connect_timeout_ms = 10000, .timeout_ms = 60000 };
	struct http_response resp;
	http_do(&q, &resp, "mobipace");
	cJSON *j = NULL;
	if (php_truthy(sbuf_str(&resp.body))) {
		j = cJSON_Parse(sbuf_str(&resp.body));
		if (!j)
			j = cJSON_CreateNull();
	}
	http_response_free(&resp);
	return j;
}

/* authorize: c->session set, or -1 (a refusal logged) */
static int mobipace_auth(struct sms_ctx *c)
{
	char *url = mobipace_url(c, "SENDDOG_MOBIPACE_URL_AUTH", "authorize");
	struct sbuf body = SBUF_INIT;
	sbuf_puts(&body, "{\"Username\":");
	int bad = phpjson_string(setting(c, "SENDDOG_MOBIPACE_LOGIN"), strlen(setting(c, "SENDDOG_MOBIPACE_LOGIN")),
				 &body);
	sbuf_puts(&body, ",\"Password\":");
	bad |= phpjson_string(setting(c, "SENDDOG_MOBIPACE_PASSWORD"),
			      strlen(setting(c, "SENDDOG_MOBIPACE_PASSWORD")), &body);
	sbuf_putc(&body, '}');
	cJSON *j = mobipace_call(c, url, bad ? "" : sbuf_str(&body), bad ? 0 : body.len);
	if (j) {
		char *err = NULL;
		if (mobipace_status(j, &err)) {
			const cJSON *sid = cJSON_GetObjectItemCaseSensitive(j, "SessionId");
			char *text = sid ? json_scalar_text(sid) : xstrdup("");
			struct sbuf js = SBUF_INIT;
			if (php_truthy(text) && phpjson_print(sid, &js) == 0) {
				c->session = text;
				c->session_json = sbuf_detach(&js);
			} else {
				free(text);
				sbuf_free(&js);
			}
		} else {
			weblog(c->r, "SENDDOG MOBIPACE ERROR auth failed: %s", err);
		}
		free(err);
		cJSON_Delete(j);
	}
	sbuf_free(&body);
	free(url);
	return c->session ? 0 : -1;
}

/* PHP authorises first: without a session nothing is claimed or sent. */
static int mobipace_begin(struct sms_ctx *c)
{
	if (mobipace_auth(c) != 0) {
		weblog(c->r, "SENDDOG MOBIPACE ERROR send messages failed - empty session ID, check auth parameters");
		return -1;
	}
	return 0;
}

static void mobipace_push(struct sms_ctx *c, struct sd_msg *m, size_t n)
{
	unsigned long long *rows = xcalloc(n, sizeof *rows);
	struct sbuf body = SBUF_INIT;
	weblog(c->r, "SENDDOG MOBIPACE sending SMS packet: %s", c->session);
	sbuf_printf(&body, "{\"SessionId\":%s,\"Sender\":", c->session_json);
	const char *sender = setting(c, "SENDDOG_MOBIPACE_ALPHANAME");
	int bad = phpjson_string(sender, strlen(sender), &body);
	sbuf_puts(&body, ",\"Messages\":[");
	for (size_t i = 0; i < n; i++) {
		char ref[33];
		packet_id(ref);
		if (c->history)
			history_add(c, m[i].number, ref, c->session, false, ST_PREPARING, m[i].message, &rows[i]);
		/* ltrim($number, '+0') */
		const char *rcpt = m[i].number + strspn(m[i].number, "+0");
		sbuf_printf(&body, "%s{\"Recipient\":", i ? "," : "");
		bad |= phpjson_string(rcpt, strlen(rcpt), &body);
		sbuf_puts(&body, ",\"Body\":");
		bad |= phpjson_string(m[i].message, strlen(m[i].message), &body);
		sbuf_printf(&body, ",\"Reference\":\"%s\"}", ref);
	}
	sbuf_puts(&body, "]}");
	char *url = mobipace_url(c, "SENDDOG_MOBIPACE_URL_SEND", "Send");
	/* json_encode() false (invalid UTF-8) is posted as "" */
	cJSON *j = mobipace_call(c, url, bad ? "" : sbuf_str(&body), bad ? 0 : body.len);
	if (j) {
		char *err = NULL;
		const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(j, "MessageCount");
		const cJSON *price = cJSON_GetObjectItemCaseSensitive(j, "TotalPrice");
		char *cnt_s = cnt ? json_scalar_text(cnt) : xstrdup("0");
		char *price_s = price ? json_scalar_text(price) : xstrdup("0");
		if (mobipace_status(j, &err)) {
			history_settle(c, rows, n, NULL);
			weblog(c->r, "SENDDOG MOBIPACE sending SMS packet: %s successful. Packet messages count: %s. Packet price: %s.",
			       c->session, cnt_s, price_s);
		} else {
			/* no space before FAILED: PHP's line */
			weblog(c->r, "SENDDOG MOBIPACE sending SMS packet: %sFAILED. Server answer: %s", c->session, err);
			history_settle(c, rows, n, err);
		}
		free(cnt_s);
		free(price_s);
		free(err);
		cJSON_Delete(j);
	}
	free(url);
	sbuf_free(&body);
	free(rows);
}

static void mobipace_end(struct sms_ctx *c)
{
	free(c->session);
	free(c->session_json);
	c->session = c->session_json = NULL;
}

/* ---------------------------------------------------------------- skyriver */

static const char *skysms_error_text(const char *code, struct sbuf *tmp)
{
	static const char *const texts[] = {
		"Incorrect parameters value or insufficient parameters count",
		"Database server connection error",
		"Database was not found",
		"Authorization procedure error",
		"Login or password is incorrect",
		"Malfunction in user's configuration",
	};
	/* PHP's switch compares loosely: "1" and "01" are the same case */
	if (*code && str_is_digits(code)) {
		long v = atol(code);
		if (v >= 1 && v <= 6)
			return texts[v - 1];
	}
	sbuf_printf(tmp, "Error code is unknown. Servers answer:  %s", code);
	return sbuf_str(tmp);
}

/* One SkySMS packet: POST the XML and read the reply's result type. NULL
 * when the reply holds no elements (PHP's zb_xml2array() gives nothing);
 * "42" when it has no result type. resp is the caller's to free. */
static char *skysms_exchange(struct sms_ctx *c, const struct sbuf *body, struct http_response *resp)
{
	static const char *const hdrs[] = { "Content-Type: text/xml; charset=utf-8", "Accept: text/xml",
					    "Cache-Control: no-cache", NULL };
	struct http_request q = { .method = "POST", .url = setting(c, "SENDDOG_SKYSMS_GATEWAY"),
				  .body = body->s ? body->s : "", .body_len = body->len, .headers = hdrs,
				  .connect_timeout_ms = 10000, .timeout_ms = 60000 };
	http_do(&q, resp, "skysms");
	const char *res = sbuf_str(&resp->body);
	const char *lt = strchr(res, '<');
	if (!lt || !(isalpha((unsigned char)lt[1]) || lt[1] == '?'))
		return NULL;
	char *type = xml_attr(res, "result", "type", 0, NULL);
	return type ? type : xstrdup("42");
}

/* PHP's == '00': any all-zero numeric string */
static bool skysms_ok(const char *type)
{
	return *type && strspn(type, "0") == strlen(type);
}

static void skyriver_push(struct sms_ctx *c, struct sd_msg *m, size_t n)
{
	unsigned long long *rows = xcalloc(n, sizeof *rows);
	struct sbuf body = SBUF_INIT;
	sbuf_puts(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<packet version=\"1.0\">\n<auth login=\"");
	sd_xml_escape(&body, setting(c, "SENDDOG_SKYSMS_LOGIN"));
	sbuf_puts(&body, "\" password=\"");
	sd_xml_escape(&body, setting(c, "SENDDOG_SKYSMS_PASSWORD"));
	sbuf_puts(&body, "\"/>\n<command name=\"sendmessage\">\n<message id=\"0\" type=\"sms\">\n"
			 "<data charset=\"lat\"></data>\n<recipients>\n");
	for (size_t i = 0; i < n; i++) {
		if (c->history) {
			/* the classic class guesses the login from the cut number */
			char *cut = c->srvid ? xstrdup(m[i].number) : sd_cut_international(m[i].number);
			history_add_as(c, cut, m[i].number, NULL, NULL, false, ST_PREPARING, m[i].message, &rows[i]);
			free(cut);
			sbuf_printf(&body, "<recipient id=\"%llu\" address=\"", rows[i]);
		} else {
			sbuf_printf(&body, "<recipient id=\"%zu\" address=\"", i + 1);
		}
		sd_xml_escape(&body, m[i].number);
		sbuf_puts(&body, "\">");
		sd_xml_escape(&body, m[i].message);
		sbuf_puts(&body, "</recipient>");
	}
	sbuf_puts(&body, "</recipients>\n</message>\n</command>\n</packet>\n");
	struct http_response resp;
	char *type = skysms_exchange(c, &body, &resp);
	const char *res = sbuf_str(&resp.body);
	if (type) {
		if (skysms_ok(type)) {
			char *pack = xml_attr(res, "message", "smsmsgid", 0, NULL);
			weblog(c->r, "SENDDOG SKYSMS packet %s sent successfully", pack ? pack : "");
			char now[24];
			clock_format_datetime(c->r->now, now);
			char *rid = NULL;
			for (size_t k = 0; c->history && (rid = xml_attr(res, "recipient", "id", k, NULL)) != NULL; k++) {
				char *smsid = xml_attr(res, "recipient", "smsid", k, NULL);
				unsigned long long id = str_is_digits(rid) ? strtoull(rid, NULL, 10) : 0;
				/* only this batch's rows, whatever the reply names */
				for (size_t i = 0; i < n && id; i++)
					if (rows[i] == id)
						db_exec(c->r->db,
							"UPDATE `sms_history` SET `srvmsgself_id`=?, `srvmsgpack_id`=?, `date_send`=?, "
							"`send_status`=? WHERE `id`=?",
							"ssssu", smsid ? smsid : "", pack ? pack : "", now, ST_QUEUED, id);
				free(smsid);
				free(rid);
			}
			free(pack);
		} else {
			struct sbuf tmp = SBUF_INIT;
			const char *why = skysms_error_text(type, &tmp);
			weblog(c->r, "SENDDOG SKYSMS failed to sent SMS packet. Server answer: %s%s", why,
			       strcmp(type, "42") == 0 ? res : "");
			if (c->history)
				history_settle(c, rows, n, why);
			sbuf_free(&tmp);
		}
		free(type);
	}
	http_response_free(&resp);
	sbuf_free(&body);
	free(rows);
}

/* ---------------------------------------------------------------- notificoresms */

/* print_r() of a json_decode(.., true) value, as PHP writes it into its log. */
static void print_r(struct sbuf *b, const cJSON *v, int level)
{
	if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) {
		char *t = json_scalar_text(v);
		sbuf_puts(b, t);
		free(t);
		return;
	}
	int pad = level * 8;
	sbuf_printf(b, "Array\n%*s(\n", pad, "");
	int idx = 0;
	for (const cJSON *e = v->child; e; e = e->next, idx++) {
		if (cJSON_IsObject(v))
			sbuf_printf(b, "%*s    [%s] => ", pad, "", e->string);
		else
			sbuf_printf(b, "%*s    [%d] => ", pad, "", idx);
		print_r(b, e, level + 1);
		sbuf_putc(b, '\n');
	}
	sbuf_printf(b, "%*s)\n", pad, "");
}

static void notificore_log(struct sms_ctx *c, const char *what, const cJSON *data)
{
	char *path = cfg_path(c->r->cfg, "exports/senddog_notificoresms.log");
	FILE *f = fopen(path, "a");
	if (f) {
		struct sbuf b = SBUF_INIT;
		if (data)
			print_r(&b, data, 0);
		char now[24];
		clock_format_datetime(c->r->now, now);
		fprintf(f, "%s %s%s\n", now, what, sbuf_str(&b));
		fclose(f);
		sbuf_free(&b);
	}
	free(path);
}

static enum sms_verdict notificore_send(struct sms_ctx *c, const char *number, const char *message)
{
	if (!php_truthy(number) || !php_truthy(message))
		return SMS_KEEP;
	char *sign = sd_sign_filter(setting(c, "SENDDOG_NOTIFICORE_SIGN"));
	/* 'ubsms' . time() . microtime(true) without its dot */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char frac[8];
	snprintf(frac, sizeof frac, "%04d", (int)(ts.tv_nsec / 100000) % 10000);
	for (size_t l = strlen(frac); l > 0 && frac[l - 1] == '0'; l--)
		frac[l - 1] = 0;
	char ref[64];
	snprintf(ref, sizeof ref, "ubsms%lld%lld%s", (long long)ts.tv_sec, (long long)ts.tv_sec, frac);
	struct sbuf body = SBUF_INIT, url = SBUF_INIT, key = SBUF_INIT;
	sbuf_puts(&body, "{\"destination\":\"phone\",\"msisdn\":");
	int bad = phpjson_string(number, strlen(number), &body);
	sbuf_puts(&body, ",\"originator\":");
	bad |= phpjson_string(sign, strlen(sign), &body);
	sbuf_puts(&body, ",\"body\":");
	bad |= phpjson_string(message, strlen(message), &body);
	sbuf_printf(&body, ",\"reference\":\"%s\",\"validity\":72}", ref);
	sbuf_printf(&url, "%ssms/create",
		    cfg_ubapi(c->r->cfg, "senddog_notificore_url", "https://api.notificore.com/v1.0/"));
	sbuf_printf(&key, "X-API-KEY: %s", setting(c, "SENDDOG_NOTIFICORE_APIKEY"));
	const char *hdrs[] = { sbuf_str(&key), "X-API-SOURCE: Notificore PHP Library",
			       "Content-type: text/json; charset=utf-8", NULL };
	struct http_request q = { .method = "PUT", .url = sbuf_str(&url), .body = bad ? "" : sbuf_str(&body),
				  .body_len = bad ? 0 : body.len, .headers = hdrs, .connect_timeout_ms = 10000,
				  .timeout_ms = 60000 };
	struct http_response resp;
	struct sbuf err = SBUF_INIT;
	enum sms_verdict v = SMS_KEEP;
	int rc = http_request(&q, &resp, &err);
	cJSON *j = NULL;
	if (rc != 0 || !php_truthy(sbuf_str(&resp.body))) {
		/* the library turns a failed or empty exchange into array('error' => ...) */
		struct sbuf e = SBUF_INIT;
		sbuf_printf(&e, "Request failed (code: 0): %s", sbuf_str(&err));
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "error", sbuf_str(&e));
		sbuf_free(&e);
	} else {
		j = cJSON_Parse(sbuf_str(&resp.body));
	}
	bool empty = !j || cJSON_IsNull(j) || cJSON_IsFalse(j) ||
		     ((cJSON_IsArray(j) || cJSON_IsObject(j)) && !j->child) ||
		     (cJSON_IsString(j) && !php_truthy(j->valuestring)) || (cJSON_IsNumber(j) && j->valuedouble == 0);
	if (empty) {
		notificore_log(c, "EMPTY SENDING RESULT RECEIVED", NULL);
	} else {
		const cJSON *res = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "result") : NULL;
		const cJSON *e = cJSON_IsObject(res) ? cJSON_GetObjectItemCaseSensitive(res, "error") : NULL;
		if (!e || cJSON_IsNull(e)) {
			notificore_log(c, "", j);
		} else {
			char *et = json_scalar_text(e);
			bool ok = (cJSON_IsArray(e) || cJSON_IsObject(e)) ? !e->child : !php_truthy(et);
			free(et);
			if (ok) {
				v = SMS_DELETE;
				notificore_log(c, "MESSAGE SENDING SUCCESS: ", j);
			} else {
				notificore_log(c, "MESSAGE SENDING FAILED: ", j);
			}
		}
	}
	cJSON_Delete(j);
	http_response_free(&resp);
	sbuf_free(&err);
	sbuf_free(&body);
	sbuf_free(&url);
	sbuf_free(&key);
	free(sign);
	return v;
}

/* ---------------------------------------------------------------- redsms */

/* PHP fetches the gateway's timestamp once per run; a failed fetch gives
 * an empty one and the run goes on, as there. */
static int redsms_begin(struct sms_ctx *c)
{
	const char *url = cfg_ubapi(c->r->cfg, "senddog_redsms_timestamp_url", "https://lk.redsms.ru/get/timestamp.php");
	struct http_request q = { .url = url, .connect_timeout_ms = 10000, .timeout_ms = 30000 };
	struct http_response resp;
	http_do(&q, &resp, "redsms timestamp");
	/* a line break would break the request URL */
	c->timestamp = xstrdup(str_trim(resp.body.s ? resp.body.s : (char *)""));
	http_response_free(&resp);
	return 0;
}

static enum sms_verdict redsms_send(struct sms_ctx *c, const char *number, const char *message)
{
	char *phone = strip_plus(number);
	const char *login = setting(c, "SENDDOG_REDSMS_LOGIN"), *sender = setting(c, "SENDDOG_REDSMS_SIGN");
	/* ksort()ed values: login, phone, return, sender, text, timestamp */
	struct sbuf sig = SBUF_INIT, url = SBUF_INIT;
	sbuf_printf(&sig, "%s%sxml%s%s%s%s", login, phone, sender, message, c->timestamp,
		    setting(c, "SENDDOG_REDSMS_APIKEY"));
	char md5[33];
	md5_hex(sbuf_str(&sig), md5);
	sbuf_printf(&url, "%s?login=%s&signature=%s&phone=%s&sender=%s&return=xml&timestamp=%s&text=",
		    setting(c, "SENDDOG_REDSMS_GATEWAY"), login, md5, phone, sender, c->timestamp);
	sd_urlencode(&url, message);
	struct http_request q = { .url = sbuf_str(&url), .connect_timeout_ms = 120000, .timeout_ms = 120000,
				  .follow_redirects = 1 };
	struct http_response resp;
	http_do(&q, &resp, "redsms");
	http_response_free(&resp);
	sbuf_free(&sig);
	sbuf_free(&url);
	free(phone);
	return SMS_DELETE;
}

static void redsms_end(struct sms_ctx *c)
{
	free(c->timestamp);
	c->timestamp = NULL;
}

/* ---------------------------------------------------------------- bulksms */

static void bulksms_debug(struct sms_ctx *c, const char *url, struct http_response *resp, int rc,
			  const char *err)
{
	char *path = cfg_path(c->r->cfg, "exports/bulksmsdebug.log");
	FILE *f = fopen(path, "a");
	if (f) {
		char now[24];
		clock_format_datetime(c->r->now, now);
		fprintf(f, "%s\n===============\n%s\nHTTP Code: %ld\nErrors: %s\nRequest info: %s\n===============\n", now,
			sbuf_str(&resp->body), rc == 0 ? resp->status : 0L, err, url);
		fclose(f);
	}
	free(path);
}

static enum sms_verdict bulksms_send(struct sms_ctx *c, const char *number, const char *message)
{
	if (!php_truthy(number) || !php_truthy(message))
		return SMS_KEEP;
	/* the inter-message pause: PHP sleeps after every message, ubapi only
	 * between two (the first one has none) */
	const char *tmo = setting(c, "SENDDOG_BULKSMS_TIMEOUT");
	long timeout = 0;
	for (const char *p = tmo; *p; p++) /* setTimeout() keeps the digits */
		if (isdigit((unsigned char)*p) && timeout < 100000)
			timeout = timeout * 10 + (*p - '0');
	if (c->sent++) {
		const char *ms = cfg_ubapi(c->r->cfg, "senddog_bulksms_sleep_ms", "");
		long pause = *ms ? atol(ms) : timeout * 1000;
		if (pause > 0) {
			struct timespec ts = { pause / 1000, (pause % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	char *to = strip_plus(number);
	struct sbuf url = SBUF_INIT, err = SBUF_INIT;
	/* OmaeUrl's query shape: "?" then "&k=v&" per field, values as given */
	sbuf_printf(&url, "%s/UnifunBulkSMSAPI.asmx/SendSMSSimple?&username=%s&&password=%s&&from=%s&&to=%s&&text=",
		    setting(c, "SENDDOG_BULKSMS_GATEWAY"), setting(c, "SENDDOG_BULKSMS_LOGIN"),
		    setting(c, "SENDDOG_BULKSMS_PASSWORD"), setting(c, "SENDDOG_BULKSMS_SIGN"), to);
	sd_urlencode(&url, message);
	sbuf_putc(&url, '&');
	struct http_request q = { .url = sbuf_str(&url), .connect_timeout_ms = (timeout > 0 ? timeout : 2) * 1000,
				  .timeout_ms = 30000, .follow_redirects = 1, .insecure = 1 };
	struct http_response resp;
	int rc = http_request(&q, &resp, &err);
	if (rc != 0)
		syslog(LOG_WARNING, "ubapi senddog: bulksms request failed: %s", sbuf_str(&err));
	if (php_truthy(cfg_alter(c->r->cfg, "SENDDOG_BULKSMS_DEBUG", "")))
		bulksms_debug(c, sbuf_str(&url), &resp, rc, sbuf_str(&err));
	http_response_free(&resp);
	sbuf_free(&url);
	sbuf_free(&err);
	free(to);
	return SMS_DELETE;
}

/* ---------------------------------------------------------------- registry */

#define ALPHA_KEY "XXXXXXXXXXXXYYYYYYYYYYYYZZZZZZZZXXXXXXXXXXXXYYYYYYYYYYYYZZZZZZZZ"

/* Every stock config/senddog.d service; the ones without send are only
 * configured (their defaults written), not sent through, by ubapi. */
static const struct sms_service services[] = {
	{ "tsms",
	  { { "SENDDOG_TSMS_GATEWAY", "TSMS_GATEWAY", D_ALTER, NULL },
	    { "SENDDOG_TSMS_LOGIN", "TSMS_LOGIN", D_ALTER, NULL },
	    { "SENDDOG_TSMS_PASSWORD", "TSMS_PASSWORD", D_ALTER, NULL },
	    { "SENDDOG_TSMS_SIGN", "Ubilling", D_EMPTY, NULL } },
	  tsms_begin, tsms_send, tsms_end },
	{ "tsmshttp",
	  { { "SENDDOG_TSMSHTTP_GATEWAY", "https://api.turbosms.ua/", D_EMPTY, NULL },
	    { "SENDDOG_TSMSHTTP_APIKEY", "yourapikey", D_EMPTY, NULL },
	    { "SENDDOG_TSMSHTTP_SIGN", "Alphaname", D_EMPTY, NULL },
	    { "SENDDOG_TSMSHTTP_TIMEOUT", "0", D_BLANK, NULL } },
	  NULL, tsmshttp_send, NULL },
	{ "smsfly",
	  { { "SENDDOG_SMSFLY_GATEWAY", "http://sms-fly.com/api/api.php", D_EMPTY, NULL },
	    { "SENDDOG_SMSFLY_LOGIN", "380501234567", D_EMPTY, NULL },
	    { "SENDDOG_SMSFLY_PASSWORD", "MySecretPassword", D_EMPTY, NULL },
	    { "SENDDOG_SMSFLY_SIGN", "InfoCentr", D_EMPTY, NULL } },
	  smsfly_begin, smsfly_send, NULL },
	{ "alphasms",
	  { { "SENDDOG_ALPHASMS_GATEWAY", "https://alphasms.ua/api/http.php", D_EMPTY, NULL },
	    { "SENDDOG_ALPHASMS_LOGIN", "yourlogin", D_EMPTY, NULL },
	    { "SENDDOG_ALPHASMS_PASSWORD", "yourpassword", D_EMPTY, NULL },
	    { "SENDDOG_ALPHASMS_SIGN", "test", D_EMPTY, NULL },
	    { "SENDDOG_ALPHASMS_APIKEY", ALPHA_KEY, D_EMPTY, NULL } },
	  NULL, alphasms_send, NULL },
	{ "lifecell",
	  { { "SENDDOG_LIFECELL_GATEWAY", "https://api.lifecell.com.ua/ip2sms/", D_EMPTY, NULL },
	    { "SENDDOG_LIFECELL_LOGIN", "yourlogin", D_EMPTY, "SENDDOG_LIEFCELL_LOGIN" },
	    { "SENDDOG_LIFECELL_PASSWORD", "yourpassword", D_EMPTY, NULL },
	    { "SENDDOG_LIFECELL_SIGN", "Alphaname", D_EMPTY, NULL } },
	  NULL, lifecell_send, NULL },
	{ "bulksms",
	  { { "SENDDOG_BULKSMS_GATEWAY", "https://api.bulksms.md:4432", D_EMPTY, NULL },
	    { "SENDDOG_BULKSMS_LOGIN", "yourlogin", D_EMPTY, NULL },
	    { "SENDDOG_BULKSMS_PASSWORD", "yourpassword", D_EMPTY, NULL },
	    { "SENDDOG_BULKSMS_SIGN", "Alphaname", D_EMPTY, NULL },
	    { "SENDDOG_BULKSMS_TIMEOUT", "7", D_BLANK, NULL } },
	  NULL, bulksms_send, NULL },
	{ "mobipace",
	  { { "SENDDOG_MOBIPACE_GATEWAY", "https://api.mobipace.com:444/v3/", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_LOGIN", "Userlogin", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_PASSWORD", "MySecretPassword", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_ALPHANAME", "Alphaname", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_URL_AUTH", "authorize", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_URL_SEND", "Send", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_URL_STATUSES", "QueryMessages", D_EMPTY, NULL },
	    { "SENDDOG_MOBIPACE_URL_BALANCE", "QueryBalance", D_EMPTY, NULL } },
	  mobipace_begin, NULL, mobipace_end, mobipace_push },
	{ "notificoresms",
	  { { "SENDDOG_NOTIFICORE_APIKEY", "yourapikey", D_EMPTY, NULL },
	    { "SENDDOG_NOTIFICORE_SIGN", "Alphaname", D_EMPTY, NULL } },
	  NULL, notificore_send, NULL },
	{ "redsms",
	  { { "SENDDOG_REDSMS_GATEWAY", "https://lk.redsms.ru/get/send.php", D_EMPTY, NULL },
	    { "SENDDOG_REDSMS_BILGATEWAY", "https://lk.redsms.ru/get/balance.php", D_EMPTY, NULL },
	    { "SENDDOG_REDSMS_LOGIN", "Login", D_EMPTY, NULL },
	    { "SENDDOG_REDSMS_APIKEY", "MyAPIKey", D_EMPTY, NULL },
	    { "SENDDOG_REDSMS_SIGN", "InfoCentr", D_EMPTY, NULL } },
	  redsms_begin, redsms_send, redsms_end },
	{ "skyriver",
	  { { "SENDDOG_SKYSMS_GATEWAY", "http://sms.skysms.net/api/bulk_sm", D_EMPTY, NULL },
	    { "SENDDOG_SKYSMS_LOGIN", "InfoCentr", D_EMPTY, NULL },
	    { "SENDDOG_SKYSMS_PASSWORD", "MySecretPassword", D_EMPTY, NULL } },
	  NULL, NULL, NULL, skyriver_push },
	{ "smsflyapi2",
	  { { "SENDDOG_SMSFLYAPI2_GATEWAY", "https://sms-fly.ua/api/v2/api.php", D_EMPTY, NULL },
	    { "SENDDOG_SMSFLYAPI2_KEY", "dtTXXXXXXXHUdZ5m2mCXXXXXXXXXX", D_EMPTY, NULL },
	    { "SENDDOG_SMSFLYAPI2_SIGN", "InfoCentr", D_EMPTY, NULL } },
	  NULL, smsflyapi2_send, NULL },
	{ "smspilot",
	  { { "SENDDOG_SMSPILOT_APIKEY", ALPHA_KEY, D_EMPTY, NULL },
	    { "SENDDOG_SMSPILOT_SIGN", NULL, D_NONE, NULL } },
	  NULL, smspilot_send, NULL },
	{ "gradwell", { { NULL, NULL, D_NONE, NULL } }, gradwell_begin, gradwell_send, NULL, NULL, true },
	{ "smsclub", { { NULL, NULL, D_NONE, NULL } }, NULL, NULL, NULL, smsclub_push, true },
	{ "redsms2", { { NULL, NULL, D_NONE, NULL } }, NULL, redsms2_send, NULL, NULL, true },
};

/* A config/senddog.d id (the advanced-only classes have none). */
static const struct sms_service *service_find(const char *id)
{
	for (size_t i = 0; i < sizeof services / sizeof *services; i++)
		if (strcmp(services[i].id, id) == 0 && !services[i].adv_only)
			return &services[i];
	return NULL;
}

/* zb_StorageGet + "if empty, zb_StorageSet(default)"; NULL on a DB error */
static char *storage_default(struct req *r, const struct sd_default *d)
{
	char *v = storage_get(r->db, d->key);
	if (!v)
		return NULL;
	bool empty = d->kind == D_BLANK ? v[0] == 0 : !php_truthy(v);
	if (!empty || d->kind == D_NONE)
		return v;
	free(v);
	const char *def = d->kind == D_ALTER ? cfg_alter(r->cfg, d->def, "") : d->def;
	if (storage_set(r->db, d->write_key ? d->write_key : d->key, def) != 0)
		return NULL;
	return xstrdup(def);
}

/* Section names of the config/senddog.d ini files, in PHP's order, first wins. */
static void read_service_ids(struct req *r, char ***ids, size_t *nids)
{
	char *dir = cfg_path(r->cfg, "config/senddog.d/");
	size_t n = 0;
	char **files = sd_queue_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(files[i]);
		if (len < 4 || strcmp(files[i] + len - 4, ".ini") != 0)
			continue;
		struct sbuf path = SBUF_INIT;
		sbuf_printf(&path, "%s%s", dir, files[i]);
		FILE *f = fopen(sbuf_str(&path), "r");
		sbuf_free(&path);
		if (!f)
			continue;
		char line[1024], section[256] = "";
		bool counted = false;
		while (fgets(line, sizeof line, f)) {
			char *t = str_trim(line);
			if (!*t || *t == ';')
				continue;
			size_t tl = strlen(t);
			if (t[0] == '[' && t[tl - 1] == ']') {
				snprintf(section, sizeof section, "%.*s", (int)(tl - 2), t + 1);
				for (char *p = section; *p; p++)
					*p = (char)tolower((unsigned char)*p);
				counted = false;
				continue;
			}
			/* a section exists for PHP once it holds a key */
			if (!section[0] || counted)
				continue;
			counted = true;
			bool dup = false;
			for (size_t k = 0; k < *nids; k++)
				dup |= strcmp((*ids)[k], section) == 0;
			if (!dup) {
				*ids = xrealloc(*ids, (*nids + 1) * sizeof **ids);
				(*ids)[(*nids)++] = xstrdup(section);
			}
		}
		fclose(f);
	}
	sd_queue_list_free(files, n);
	free(dir);
}

static bool id_enabled(const char *list, const char *id)
{
	if (!php_truthy(list))
		return true;
	char *copy = xstrdup(list), *save = NULL;
	bool found = false;
	for (char *t = strtok_r(copy, ",", &save); t && !found; t = strtok_r(NULL, ",", &save))
		found = strcmp(str_trim(t), id) == 0;
	free(copy);
	return found;
}

struct sd_services *sd_services_load(struct req *r)
{
	struct sd_services *s = xcalloc(1, sizeof *s);
	static const struct sd_default sms_default = { "SENDDOG_SMS_SERVICE", "tsms", D_EMPTY, NULL };
	static const struct sd_default tg_default = { "SENDDOG_TELEGRAM_BOTTOKEN", "input_token_here", D_EMPTY, NULL };
	s->sms_service = storage_default(r, &sms_default);
	if (!s->sms_service)
		goto fail;
	char **ids = NULL;
	size_t nids = 0;
	read_service_ids(r, &ids, &nids);
	const char *only = cfg_alter(r->cfg, "SENDDOG_SMS_SERVICES_ENABLED", "");
	bool dberr = false;
	for (size_t i = 0; i < nids; i++) {
		if (dberr || !id_enabled(only, ids[i]))
			continue;
		const struct sms_service *svc = service_find(ids[i]);
		if (!svc) {
			syslog(LOG_WARNING, "ubapi senddog: unknown SMS service [%s] in config/senddog.d ignored", ids[i]);
			continue;
		}
		if (s->nloaded == sizeof s->loaded / sizeof *s->loaded)
			continue;
		s->loaded[s->nloaded++] = svc;
		for (size_t k = 0; k < sizeof svc->defaults / sizeof *svc->defaults && svc->defaults[k].key; k++) {
			char *v = storage_default(r, &svc->defaults[k]);
			if (!v) {
				dberr = true;
				break;
			}
			settings_put(s, svc->defaults[k].key, v);
			free(v);
		}
	}
	for (size_t i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	if (dberr)
		goto fail;
	s->tg_token = storage_default(r, &tg_default);
	if (!s->tg_token)
		goto fail;
	return s;
fail:
	sd_services_free(s);
	return NULL;
}

struct sd_services *sd_services_load_advanced(struct req *r)
{
	static const struct sd_default defs[] = {
		{ "SENDDOG_PHPMAILER_DEBUG", "1", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_HOST", "smtp.mail.server", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_PORT", "25", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_SECURE", "1", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_USEAUTH", "", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_USER", "", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_PASSWD", "", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_SMTP_DEFAULTFROM", "", D_EMPTY, NULL },
		{ "SENDDOG_PHPMAILER_ATTACHMENTS_PATH", "exports/", D_EMPTY, NULL },
	};
	static const struct sd_default tg_default = { "SENDDOG_TELEGRAM_BOTTOKEN", "input_token_here", D_EMPTY, NULL };
	struct sd_services *s = xcalloc(1, sizeof *s);
	s->sms_service = xstrdup("");
	s->tg_token = storage_default(r, &tg_default);
	if (!s->tg_token)
		goto fail;
	for (size_t i = 0; i < sizeof defs / sizeof *defs; i++) {
		char *v = storage_default(r, &defs[i]);
		if (!v)
			goto fail;
		settings_put(s, defs[i].key, v);
		free(v);
	}
	return s;
fail:
	sd_services_free(s);
	return NULL;
}

void sd_services_free(struct sd_services *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->keys[i]);
		free(s->values[i]);
	}
	free(s->keys);
	free(s->values);
	free(s->sms_service);
	free(s->tg_token);
	free(s);
}

const char *sd_services_tg_token(const struct sd_services *s)
{
	return s->tg_token;
}

/* ---------------------------------------------------------------- queues */

/* Fields of a key=value queue file; false when required keys are missing
 * (the file is then set aside, or left for the next run while young). */
static bool open_fields(struct sd_item *it, struct sd_fields *f, const char *k1, const char *k2)
{
	sd_fields_parse(f, sbuf_str(&it->text), it->text.len);
	if (sd_fields_get(f, k1) && sd_fields_get(f, k2))
		return true;
	if (!sd_item_young(it)) {
		char why[96];
		snprintf(why, sizeof why, "no %s or %s", k1, k2);
		sd_item_set_aside(it, why);
	}
	return false;
}

long sd_run_telegram(struct req *r, const struct sd_services *s)
{
	char *dir = cfg_path(r->cfg, SD_DIR_TELEGRAM);
	size_t n = 0;
	char **names = sd_queue_list(dir, &n);
	const char *base = cfg_alter(r->cfg, "TELEGRAM_API_URL", "");
	if (!*base)
		base = TG_DEFAULT_URL;
	long pause_ms = atol(cfg_alter(r->cfg, "SENDDOG_TG_TIMEOUT_MS", "0"));
	for (size_t i = 0; i < n; i++) {
		struct sd_item it;
		struct sd_fields f;
		if (sd_item_open(&it, dir, names[i]) != 0) {
			sd_item_close(&it);
			continue;
		}
		if (open_fields(&it, &f, "CHATID", "MESSAGE")) {
			const char *token = sd_fields_get(&f, "BOTTOKEN");
			if (!php_truthy(token))
				token = s->tg_token;
			if (sd_telegram_push(base, token, sd_fields_get(&f, "CHATID"), sd_fields_get(&f, "MESSAGE")) != 0)
				syslog(LOG_WARNING, "ubapi senddog: telegram message %s not delivered (deleted, as PHP does)",
				       names[i]);
			sd_item_delete(&it);
			if (pause_ms > 0) {
				struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
				nanosleep(&ts, NULL);
			}
		}
		sd_fields_free(&f);
		sd_item_close(&it);
	}
	sd_queue_list_free(names, n);
	free(dir);
	return (long)n;
}

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

long sd_run_email(struct req *r)
{
	char *dir = cfg_path(r->cfg, SD_DIR_MAIL);
	char *tmpdir = cfg_path(r->cfg, "exports");
	size_t n = 0;
	char **names = sd_queue_list(dir, &n);
	const char *cmd = cfg_ubapi(r->cfg, "senddog_sendmail", "/usr/sbin/sendmail -t -i");
	for (size_t i = 0; i < n; i++) {
		struct sd_item it;
		if (sd_item_open(&it, dir, names[i]) != 0) {
			sd_item_close(&it);
			continue;
		}
		cJSON *j = cJSON_ParseWithLength(sbuf_str(&it.text), it.text.len);
		const char *email = json_str(j, "email");
		/* a line break in the address would let the file add headers */
		if (!cJSON_IsObject(j) || !*email || strpbrk(email, "\r\n")) {
			if (!sd_item_young(&it))
				sd_item_set_aside(&it, "not an email queue entry");
		} else {
			struct sbuf msg = SBUF_INIT;
			sd_email_compose(&msg, email, json_str(j, "subj"), json_str(j, "message"), r->now);
			if (sd_email_send(cmd, tmpdir, msg.s, msg.len) != 0)
				syslog(LOG_WARNING, "ubapi senddog: email %s to %s not sent (deleted, as PHP does)",
				       names[i], email);
			sd_item_delete(&it);
			sbuf_free(&msg);
		}
		cJSON_Delete(j);
		sd_item_close(&it);
	}
	sd_queue_list_free(names, n);
	free(dir);
	free(tmpdir);
	return (long)n;
}

void sd_msgs_read(struct req *r, struct sd_msgs *q)
{
	memset(q, 0, sizeof *q);
	q->dir = cfg_path(r->cfg, SD_DIR_SMS);
	char **names = sd_queue_list(q->dir, &q->listed);
	q->v = xcalloc(q->listed ? q->listed : 1, sizeof *q->v);
	for (size_t i = 0; i < q->listed; i++) {
		struct sd_item it;
		struct sd_fields f;
		if (sd_item_open(&it, q->dir, names[i]) != 0) {
			sd_item_close(&it);
			continue;
		}
		if (open_fields(&it, &f, "NUMBER", "MESSAGE")) {
			const char *srv = sd_fields_get(&f, "SMSSRVID");
			struct sd_msg *m = &q->v[q->n++];
			m->name = xstrdup(names[i]);
			m->number = xstrdup(sd_fields_get(&f, "NUMBER"));
			m->message = xstrdup(sd_fields_get(&f, "MESSAGE"));
			m->srvid = xstrdup(srv ? srv : "");
		}
		sd_fields_free(&f);
		sd_item_close(&it);
	}
	sd_queue_list_free(names, q->listed);
}

void sd_msgs_free(struct sd_msgs *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].name);
		free(q->v[i].number);
		free(q->v[i].message);
		free(q->v[i].srvid);
	}
	free(q->v);
	free(q->dir);
	memset(q, 0, sizeof *q);
}

struct sd_services *sd_services_new(void)
{
	return xcalloc(1, sizeof(struct sd_services));
}

void sd_services_put(struct sd_services *s, const char *key, const char *value)
{
	settings_put(s, key, value ? value : "");
}

bool sd_sms_supported(const char *id)
{
	const struct sms_service *svc = NULL;
	for (size_t i = 0; i < sizeof services / sizeof *services; i++)
		if (strcmp(services[i].id, id) == 0)
			svc = &services[i];
	return svc && (svc->send || svc->push);
}

void sd_sms_push(struct req *r, const struct sd_services *s, const char *id, const char *srvid,
		 const char *dir, struct sd_msg *m, size_t n)
{
	const struct sms_service *svc = NULL;
	for (size_t i = 0; i < sizeof services / sizeof *services; i++)
		if (strcmp(services[i].id, id) == 0)
			svc = &services[i];
	if (!n || !svc)
		return;
	if (!svc->send && !svc->push) {
		syslog(LOG_WARNING, "ubapi senddog: SMS service %s is not implemented natively; SMS stay queued", id);
		return;
	}
	struct sms_ctx c = { .r = r, .s = s, .srvid = srvid,
			     .history = php_truthy(cfg_alter(r->cfg, "SMS_HISTORY_ON", "")) };
	if (svc->begin && svc->begin(&c) != 0)
		return;
	if (svc->push) {
		/* PHP deletes each file while it builds the batch, before sending */
		struct sd_msg *claimed = xcalloc(n, sizeof *claimed);
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			struct sd_item it;
			if (sd_item_open(&it, dir, m[i].name) == 0) {
				sd_item_delete(&it);
				claimed[k++] = m[i];
			}
			sd_item_close(&it);
		}
		if (k)
			svc->push(&c, claimed, k);
		free(claimed);
	} else {
		for (size_t i = 0; i < n; i++) {
			struct sd_item it;
			if (sd_item_open(&it, dir, m[i].name) == 0 &&
			    svc->send(&c, m[i].number, m[i].message) == SMS_DELETE)
				sd_item_delete(&it);
			sd_item_close(&it);
		}
	}
	if (svc->end)
		svc->end(&c);
}

long sd_run_sms(struct req *r, const struct sd_services *s)
{
	struct sd_msgs q;
	sd_msgs_read(r, &q);
	const struct sms_service *svc = NULL;
	for (size_t i = 0; i < s->nloaded; i++)
		if (strcmp(s->loaded[i]->id, s->sms_service) == 0)
			svc = s->loaded[i];
	if (svc)
		sd_sms_push(r, s, svc->id, NULL, q.dir, q.v, q.n);
	long listed = (long)q.listed;
	sd_msgs_free(&q);
	return listed;
}

/* ---------------------------------------------------------------- status checks */

/* A decoded delivery status: the sms_history columns PHP sets. */
struct sms_state {
	const char *text; /* NULL: "Sending status code is unknown:  <code>" */
	int delivered, nocheck;
};

/* The rows a status routine may look at: all in classic mode, the
 * service's own in advanced mode (the default one also owns smssrvid 0). */
static int status_ids(struct sms_ctx *c, const char *column, bool is_default, struct db_rows *out)
{
	struct sbuf q = SBUF_INIT;
	sbuf_printf(&q, "SELECT `%s` FROM `sms_history` WHERE `no_statuschk`<1 AND `delivered`<1", column);
	if (c->srvid)
		sbuf_puts(&q, is_default ? " AND (`smssrvid`=? OR `smssrvid`=0)" : " AND `smssrvid`=?");
	/* PHP's DISTINCT, in the order the rows were written */
	sbuf_printf(&q, " GROUP BY `%s` ORDER BY MIN(`id`)", column);
	int rc = c->srvid ? db_query(c->r->db, out, sbuf_str(&q), "i", atoll(c->srvid))
			  : db_query(c->r->db, out, sbuf_str(&q), "");
	sbuf_free(&q);
	if (rc != 0)
		syslog(LOG_ERR, "ubapi senddog: sms_history read failed: %s", db_error(c->r->db));
	return rc;
}

static void status_store(struct sms_ctx *c, const char *selfid, const struct sms_state *st, const char *code)
{
	char now[24];
	clock_format_datetime(c->r->now, now);
	struct sbuf text = SBUF_INIT;
	if (st->text)
		sbuf_puts(&text, st->text);
	else
		sbuf_printf(&text, "Sending status code is unknown:  %s", code);
	db_exec(c->r->db,
		"UPDATE `sms_history` SET `date_statuschk`=?, `delivered`=?, `no_statuschk`=?, `send_status`=? "
		"WHERE `srvmsgself_id`=?",
		"siiss", now, st->delivered, st->nocheck, sbuf_str(&text), selfid);
	sbuf_free(&text);
}

static struct sms_state mobipace_state(const char *code)
{
	static const struct {
		long code;
		struct sms_state st;
	} map[] = {
		{ 1, { "Pending", 0, 0 } },
		{ 2, { "Scheduled message", 0, 0 } },
		{ 3, { "Sent", 0, 0 } },
		{ 4, { "Insufficient funds to send messages", 0, 1 } },
		{ 5, { "Invalid cell number format", 0, 1 } },
		{ 6, { "Maximum message length of 500 chars reached", 0, 1 } },
		{ 7, { "Invalid alpha-name - please, contact your manager", 0, 1 } },
		{ 8, { "Invalid message route - please, contact your manager", 0, 1 } },
		{ 9, { "Cell number blocked", 0, 1 } },
		{ 10, { "System failure", 0, 1 } },
		{ 100, { "Delivered", 1, 0 } },
		{ 101, { "Undeliverable", 0, 1 } },
		{ 102, { "Message sent, status unknown", 0, 1 } },
		{ 103, { "Rejected", 0, 1 } },
		{ 104, { "TimeOut", 0, 1 } },
	};
	if (*code && str_is_digits(code) && strlen(code) < 10)
		for (size_t i = 0; i < sizeof map / sizeof *map; i++)
			if (map[i].code == atol(code))
				return map[i].st;
	return (struct sms_state){ NULL, 0, 1 };
}

/* One QueryMessages POST with every pending Reference. */
static void mobipace_status_check(struct sms_ctx *c, bool is_default)
{
	if (mobipace_auth(c) != 0) {
		weblog(c->r, "SENDDOG MOBIPACE ERROR check messages statuses failed - empty session ID, check auth parameters");
		return;
	}
	struct db_rows ids;
	if (status_ids(c, "srvmsgself_id", is_default, &ids) != 0) {
		mobipace_end(c);
		return;
	}
	if (!ids.nrows) {
		db_rows_free(&ids);
		mobipace_end(c);
		return;
	}
	struct sbuf body = SBUF_INIT;
	sbuf_printf(&body, "{\"SessionId\":%s,\"References\":[", c->session_json);
	int bad = 0;
	for (size_t i = 0; i < ids.nrows; i++) {
		const char *id = db_cell(&ids, i, 0) ? db_cell(&ids, i, 0) : "";
		if (i)
			sbuf_putc(&body, ',');
		bad |= phpjson_string(id, strlen(id), &body);
	}
	sbuf_puts(&body, "]}");
	db_rows_free(&ids);
	char *url = mobipace_url(c, "SENDDOG_MOBIPACE_URL_STATUSES", "QueryMessages");
	cJSON *j = mobipace_call(c, url, bad ? "" : sbuf_str(&body), bad ? 0 : body.len);
	if (j) {
		char *err = NULL;
		if (mobipace_status(j, &err)) {
			const cJSON *list = cJSON_GetObjectItemCaseSensitive(j, "MessageStatuses");
			size_t n = 0;
			const cJSON *e;
			if (!cJSON_IsArray(list) && !cJSON_IsObject(list))
				list = NULL;
			cJSON_ArrayForEach(e, list)
			{
				char *ref = json_scalar_text(cJSON_GetObjectItemCaseSensitive(e, "Reference"));
				char *code = json_scalar_text(cJSON_GetObjectItemCaseSensitive(e, "StatusCode"));
				struct sms_state st = mobipace_state(code);
				status_store(c, ref, &st, code);
				free(ref);
				free(code);
				n++;
			}
			weblog(c->r, "SENDDOG MOBIPACE checked statuses for %zu messages.", n);
		} else {
			weblog(c->r, "SENDDOG MOBIPACE ERROR failed to check messages statuses. Server answer: %s", err);
		}
		free(err);
		cJSON_Delete(j);
	}
	free(url);
	sbuf_free(&body);
	mobipace_end(c);
}

static struct sms_state skysms_state(const char *code)
{
	static const struct {
		const char *code;
		struct sms_state st;
	} map[] = {
		{ "DELIVERED", { "Message is delivered to recipient", 1, 0 } },
		{ "TOSEND", { "Message is queued for delivering", 0, 0 } },
		{ "ENROUTE", { "Message is sent but not yet delivered to recipient", 0, 0 } },
		{ "PAUSED", { "Message delivering is paused", 0, 0 } },
		{ "CANCELED", { "Message delivering is canceled", 0, 1 } },
		{ "FAILED", { "Failed to send message", 0, 1 } },
		{ "EXPIRED", { "Failed to deliver message - delivery term is expired", 0, 1 } },
		{ "UNDELIVERABLE", { "Message can not be delivered to recipient", 0, 1 } },
		{ "REJECTED", { "Message is rejected by server", 0, 1 } },
		{ "BADCOST", { "Message is not delivered to recipient - can not determine message cost", 0, 1 } },
		{ "UNKNOWN", { "Message status is unknown", 0, 0 } },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].st;
	return (struct sms_state){ NULL, 0, 1 };
}

/* A querymessage packet per pending packet id; classic mode first stops
 * checks of rows older than SMS_CHECKSTATUS_EXPIRE_DAYS. */
static void skyriver_status_check(struct sms_ctx *c, bool is_default)
{
	if (!c->srvid) {
		const char *opt = cfg_alter(c->r->cfg, "SMS_CHECKSTATUS_EXPIRE_DAYS", "");
		/* PHP pastes the option into the SQL; an empty one breaks it: 7 then */
		long long days = str_is_digits(opt) && strlen(opt) < 10 ? atoll(opt) : 7;
		char now[24];
		clock_format_datetime(c->r->now, now);
		db_exec(c->r->db,
			"UPDATE `sms_history` SET `no_statuschk`=1, `send_status`=? "
			"WHERE ABS(DATEDIFF(?, `date_send`)) > ? AND `no_statuschk`<1",
			"ssi", ST_EXPIRED, now, days);
	}
	struct db_rows ids;
	if (status_ids(c, "srvmsgpack_id", is_default, &ids) != 0)
		return;
	for (size_t i = 0; i < ids.nrows; i++) {
		const char *pack = db_cell(&ids, i, 0);
		if (!pack || !php_truthy(pack))
			continue;
		struct sbuf body = SBUF_INIT;
		sbuf_puts(&body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<packet version=\"1.0\">\n<auth login=\"");
		sd_xml_escape(&body, setting(c, "SENDDOG_SKYSMS_LOGIN"));
		sbuf_puts(&body, "\" password=\"");
		sd_xml_escape(&body, setting(c, "SENDDOG_SKYSMS_PASSWORD"));
		sbuf_puts(&body, "\"/>\n<command name=\"querymessage\">\n<message smsmsgid=\"");
		sd_xml_escape(&body, pack);
		sbuf_puts(&body, "\"/>\n</command>\n</packet>\n");
		struct http_response resp;
		char *type = skysms_exchange(c, &body, &resp);
		const char *res = sbuf_str(&resp.body);
		if (type) {
			if (skysms_ok(type)) {
				char *smsid;
				for (size_t k = 0; (smsid = xml_attr(res, "recipient", "smsid", k, NULL)) != NULL ||
						   xml_attr_exists(res, "recipient", k);
				     k++) {
					if (!smsid)
						continue;
					char *status = xml_attr(res, "recipient", "status", k, NULL);
					struct sms_state st = skysms_state(status ? status : "");
					status_store(c, smsid, &st, status ? status : "");
					free(status);
					free(smsid);
				}
				/* the two PHP classes word it differently */
				weblog(c->r, "SENDDOG SKYSMS %s SMS packet %s send status", c->srvid ? "checking" : "checked",
				       pack);
			} else {
				struct sbuf tmp = SBUF_INIT;
				weblog(c->r, "SENDDOG SKYSMS failed to get SMS packet %s send status. Server answer: %s%s", pack,
				       skysms_error_text(type, &tmp), strcmp(type, "42") == 0 ? res : "");
				sbuf_free(&tmp);
			}
			free(type);
		}
		http_response_free(&resp);
		sbuf_free(&body);
	}
	db_rows_free(&ids);
}

static struct sms_state smsfly2_state(const char *code)
{
	static const struct {
		const char *code;
		int delivered, nocheck;
	} map[] = {
		{ "ACCEPTD", 0, 0 }, { "PENDING", 0, 0 },	    { "INPROGRESS", 0, 0 }, { "MODERATION", 0, 0 },
		{ "SENT", 0, 0 },    { "EXPIRED", 0, 1 },	    { "UNDELIV", 0, 1 },    { "STOPED", 0, 1 },
		{ "ERROR", 0, 1 },   { "INSUFFICIENTFUNDS", 0, 1 }, { "RESERVED", 0, 1 },   { "REFUND", 0, 1 },
		{ "VIEWED", 1, 1 },  { "DELIVRD", 1, 1 },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcmp(map[i].code, code) == 0)
			return (struct sms_state){ smsfly2_status(code), map[i].delivered, map[i].nocheck };
	return (struct sms_state){ NULL, 0, 1 };
}

/* A GETMESSAGESTATUS call per pending message id. */
static void smsflyapi2_status_check(struct sms_ctx *c, bool is_default)
{
	struct db_rows ids;
	if (status_ids(c, "srvmsgself_id", is_default, &ids) != 0)
		return;
	for (size_t i = 0; i < ids.nrows; i++) {
		const char *id = db_cell(&ids, i, 0) ? db_cell(&ids, i, 0) : "";
		struct sbuf body = SBUF_INIT;
		sbuf_puts(&body, "{\"action\":\"GETMESSAGESTATUS\",\"data\":{\"messageID\":");
		int bad = sd_json_string_unescaped(&body, id);
		sbuf_putc(&body, '}');
		cJSON *j = smsfly2_call(c, &body, bad);
		if (j) {
			const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
			const cJSON *sms = cJSON_GetObjectItemCaseSensitive(data, "sms");
			char *code = json_scalar_text(cJSON_GetObjectItemCaseSensitive(sms, "status"));
			struct sms_state st = smsfly2_state(code);
			status_store(c, id, &st, code);
			free(code);
			cJSON_Delete(j);
		}
		sbuf_free(&body);
	}
	db_rows_free(&ids);
}

static const struct {
	const char *id;
	void (*check)(struct sms_ctx *c, bool is_default);
} status_routines[] = {
	{ "mobipace", mobipace_status_check },
	{ "skyriver", skyriver_status_check },
	{ "smsflyapi2", smsflyapi2_status_check },
};

bool sd_sms_status_native(const char *id)
{
	for (size_t i = 0; i < sizeof status_routines / sizeof *status_routines; i++)
		if (strcmp(status_routines[i].id, id) == 0)
			return true;
	return false;
}

bool sd_sms_status(struct req *r, const struct sd_services *s, const char *id, const char *srvid,
		   bool is_default)
{
	for (size_t i = 0; i < sizeof status_routines / sizeof *status_routines; i++) {
		if (strcmp(status_routines[i].id, id) != 0)
			continue;
		struct sms_ctx c = { .r = r, .s = s, .srvid = srvid, .history = true };
		status_routines[i].check(&c, is_default);
		return true;
	}
	return false;
}

void sd_run_status_check(struct req *r, const struct sd_services *s)
{
	bool loaded = false;
	for (size_t i = 0; i < s->nloaded; i++)
		loaded |= strcmp(s->loaded[i]->id, s->sms_service) == 0;
	if (!loaded || !sd_sms_status(r, s, s->sms_service, NULL, true))
		syslog(LOG_INFO, "ubapi senddog: SMS service %s has no delivery status check", s->sms_service);
}
