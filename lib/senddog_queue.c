/* The producing side of the message queues (spec actions-ops.md §2.2-§2.4,
 * §2.6): the files PHP's UbillingSMS, UbillingTelegram and UbillingMail
 * write, byte for byte, but never visible half-written and never two
 * writers on one name. */
#include "senddog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "phpjson.h"
#include "req.h"
#include "util.h"
#include "weblog.h"

/* PHP trim()'s set: space \t \n \r \0 \x0B (no \f, unlike isspace). */
static char *php_trim_dup(const char *s)
{
	if (!s)
		return xstrdup("");
	const char *set = " \t\n\r\v";
	while (*s && strchr(set, *s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && strchr(set, s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* str_replace(["\n\r", "\n", "\r"], ' ', text): one space for the pair,
 * one for each lone character. */
static void single_line(struct sbuf *out, const char *s, bool quotes_to_backtick)
{
	for (; *s; s++) {
		if (*s == '\n' && s[1] == '\r') {
			sbuf_putc(out, ' ');
			s++;
		} else if (*s == '\n' || *s == '\r') {
			sbuf_putc(out, ' ');
		} else if (quotes_to_backtick && (*s == '\'' || *s == '"')) {
			sbuf_putc(out, '`');
		} else {
			sbuf_putc(out, *s);
		}
	}
}

/* The complete content goes to a hidden temporary file first; link() then
 * publishes it under the first free <prefix><T>_<N>, atomically and
 * exclusively (EEXIST = another writer took that N). */
static int publish_numbered(const char *dir, const char *prefix, time_t t, const struct sbuf *data,
			    char *name)
{
	char tmpname[96];
	snprintf(tmpname, sizeof tmpname, ".%s%lld_%ld.tmp", prefix, (long long)t, (long)getpid());
	struct sbuf tmp = SBUF_INIT, fin = SBUF_INIT;
	sbuf_printf(&tmp, "%s%s", dir, tmpname);
	int rc = -1;
	int fd = open(sbuf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		syslog(LOG_ERR, "ubapi queue: cannot create %s: %s", sbuf_str(&tmp), strerror(errno));
		goto out;
	}
	bool ok = write(fd, data->s ? data->s : "", data->len) == (ssize_t)data->len;
	if (close(fd) != 0 || !ok) {
		syslog(LOG_ERR, "ubapi queue: cannot write %s", sbuf_str(&tmp));
		unlink(sbuf_str(&tmp));
		goto out;
	}
	/* bounded: PHP itself would need this many messages in one second */
	for (long n = 0; n < 100000; n++) {
		snprintf(name, SD_QNAME_MAX, "%s%lld_%ld", prefix, (long long)t, n);
		sbuf_reset(&fin);
		sbuf_printf(&fin, "%s%s", dir, name);
		if (link(sbuf_str(&tmp), sbuf_str(&fin)) == 0) {
			rc = 0;
			break;
		}
		if (errno != EEXIST) {
			syslog(LOG_ERR, "ubapi queue: cannot publish %s: %s", sbuf_str(&fin), strerror(errno));
			break;
		}
	}
	unlink(sbuf_str(&tmp));
out:
	if (rc != 0)
		name[0] = 0;
	sbuf_free(&tmp);
	sbuf_free(&fin);
	return rc;
}

static const char *module_part(const char *module, char *buf, size_t size)
{
	if (!php_truthy(module))
		return "";
	snprintf(buf, size, " MODULE %s", module);
	return buf;
}

/* One UTF-8 sequence at s: its length, 0 when invalid. */
static size_t u8_seq(const unsigned char *s, unsigned *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0)
		return 0;
	unsigned v = s[0] & (0x7Fu >> n);
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3Fu);
	}
	*cp = v;
	return n;
}

void sd_translit(struct sbuf *out, const char *in, bool ru)
{
	static const char *const upper[32] = { "A", "B", "V", "G", "D", "E", "Zh", "Z", "Y", "Y", "K", "L", "M",
					       "N", "O", "P", "R", "S", "T", "U", "F", "H", "C", "Ch", "Sh", "Sch",
					       "", "Y", "", "E", "Yu", "Ya" };
	static const char *const lower[32] = { "a", "b", "v", "g", "d", "e", "zh", "z", "y", "y", "k", "l", "m",
					       "n", "o", "p", "r", "s", "t", "u", "f", "h", "c", "ch", "sh", "sch",
					       "", "y", "", "e", "yu", "ya" };
	sbuf_puts(out, "");
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	while (*s) {
		unsigned cp = 0;
		size_t n = u8_seq(s, &cp);
		if (n == 0) { /* iconv //IGNORE */
			s++;
			continue;
		}
		if (cp == '\'' || cp == '`')
			;
		else if (cp >= 0x410 && cp <= 0x42F)
			sbuf_puts(out, (cp == 0x418 && ru) ? "I" : upper[cp - 0x410]);
		else if (cp >= 0x430 && cp <= 0x44F)
			sbuf_puts(out, (cp == 0x438 && ru) ? "i" : lower[cp - 0x430]);
		else if (cp == 0x401 || cp == 0x404)
			sbuf_puts(out, "E");
		else if (cp == 0x451 || cp == 0x454)
			sbuf_puts(out, "e");
		else if (cp == 0x406)
			sbuf_puts(out, "I");
		else if (cp == 0x456)
			sbuf_puts(out, "i");
		else if (cp == 0x407)
			sbuf_puts(out, "Yi");
		else if (cp == 0x457)
			sbuf_puts(out, "yi");
		else if (cp == 0x490)
			sbuf_puts(out, "G");
		else if (cp == 0x491)
			sbuf_puts(out, "g");
		else
			sbuf_add(out, s, n);
		s += n;
	}
}

char *sd_sms_direction(struct req *r, const char *login)
{
	if (!php_truthy(cfg_alter(r->cfg, "SMS_SERVICES_ADVANCED_ENABLED", "")))
		return NULL;
	char *id = db_value(r->db, NULL, "SELECT `sms_srv_id` FROM `sms_services_relations` WHERE `user_login` = ? LIMIT 1",
			    "s", login ? login : "");
	if (!id)
		return xstrdup("0");
	char *t = php_trim_dup(id);
	free(id);
	return t;
}

int sd_queue_sms(struct req *r, const char *number, const char *text, const char *module, char *name)
{
	return sd_queue_sms_ex(r, number, text, false, module, NULL, name);
}

int sd_queue_sms_ex(struct req *r, const char *number, const char *text, bool translit, const char *module,
		    const char *srvid, char *name)
{
	name[0] = 0;
	char *num = php_trim_dup(number);
	if (!php_truthy(num) || !strchr(num, '+')) {
		free(num);
		return 0;
	}
	struct sbuf line = SBUF_INIT, data = SBUF_INIT, tr = SBUF_INIT;
	single_line(&line, text ? text : "", true);
	if (translit) {
		sd_translit(&tr, sbuf_str(&line), strcmp(cfg_alter(r->cfg, "LANG", ""), "ru") == 0);
		sbuf_reset(&line);
		sbuf_puts(&line, sbuf_str(&tr));
	}
	char *msg = php_trim_dup(sbuf_str(&line));
	sbuf_printf(&data, "NUMBER=\"%s\"\nMESSAGE=\"%s\"\n", num, msg);
	if (srvid)
		sbuf_printf(&data, "SMSSRVID=\"%s\"\n", srvid);
	char *dir = cfg_path(r->cfg, SD_DIR_SMS);
	int rc = publish_numbered(dir, "usms_", r->now, &data, name);
	if (rc == 0) {
		char mod[160];
		weblog(r, "USMS SEND SMS FOR `%s` AS `%s` %s", num, name, module_part(module, mod, sizeof mod));
	}
	free(dir);
	free(msg);
	free(num);
	sbuf_free(&line);
	sbuf_free(&tr);
	sbuf_free(&data);
	return rc;
}

int sd_queue_telegram(struct req *r, const char *chatid, const char *text, const char *module,
		      const char *bottoken, char *name)
{
	name[0] = 0;
	char *chat = php_trim_dup(chatid);
	if (!php_truthy(chat)) {
		free(chat);
		return 0;
	}
	char *token = php_trim_dup(bottoken);
	struct sbuf line = SBUF_INIT, data = SBUF_INIT;
	single_line(&line, text ? text : "", false);
	char *msg = php_trim_dup(sbuf_str(&line));
	sbuf_printf(&data, "CHATID=\"%s\"\n", chat);
	if (php_truthy(token))
		sbuf_printf(&data, "BOTTOKEN=\"%s\"\n", token);
	sbuf_printf(&data, "MESSAGE=\"%s\"\n", msg);
	char *dir = cfg_path(r->cfg, SD_DIR_TELEGRAM);
	int rc = publish_numbered(dir, "tlg_", r->now, &data, name);
	if (rc == 0) {
		char mod[160];
		weblog(r, "UTLG SEND MESSAGE FOR `%s` AS `%s` %s", chat, name, module_part(module, mod, sizeof mod));
	}
	free(dir);
	free(msg);
	free(token);
	free(chat);
	sbuf_free(&line);
	sbuf_free(&data);
	return rc;
}

int sd_queue_email(struct req *r, const char *email, const char *subj, const char *message,
		   const char *module)
{
	char *to = php_trim_dup(email);
	if (!php_truthy(to)) {
		free(to);
		return 0;
	}
	char *sub = php_trim_dup(subj), *msg = php_trim_dup(message);
	struct sbuf data = SBUF_INIT;
	sbuf_puts(&data, "{\"email\":");
	int bad = phpjson_string(to, strlen(to), &data);
	sbuf_puts(&data, ",\"subj\":");
	bad |= phpjson_string(sub, strlen(sub), &data);
	sbuf_puts(&data, ",\"message\":");
	bad |= phpjson_string(msg, strlen(msg), &data);
	sbuf_putc(&data, '}');
	/* json_encode() gave false for invalid UTF-8 and PHP wrote an empty file */
	if (bad)
		sbuf_reset(&data);
	char *dir = cfg_path(r->cfg, SD_DIR_MAIL);
	int rc = -1;
	char name[SD_QNAME_MAX], rnd[9];
	struct sbuf tmp = SBUF_INIT, fin = SBUF_INIT;
	sd_rand_string(rnd, 8);
	sbuf_printf(&tmp, "%s.eml_%s.tmp", dir, rnd);
	int fd = open(sbuf_str(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0) {
		bool ok = write(fd, data.s ? data.s : "", data.len) == (ssize_t)data.len;
		if (close(fd) == 0 && ok) {
			for (int attempt = 0; attempt < 16 && rc != 0; attempt++) {
				snprintf(name, sizeof name, "eml_%s", rnd);
				sbuf_reset(&fin);
				sbuf_printf(&fin, "%s%s", dir, name);
				if (link(sbuf_str(&tmp), sbuf_str(&fin)) == 0)
					rc = 0;
				else if (errno == EEXIST)
					sd_rand_string(rnd, 8);
				else
					break;
			}
		}
		unlink(sbuf_str(&tmp));
	}
	if (rc != 0)
		syslog(LOG_ERR, "ubapi queue: cannot write an email into %s: %s", dir, strerror(errno));
	else {
		char mod[160];
		weblog(r, "UEML SEND EMAIL `%s`%s", to, module_part(module, mod, sizeof mod));
	}
	free(dir);
	free(to);
	free(sub);
	free(msg);
	sbuf_free(&data);
	sbuf_free(&tmp);
	sbuf_free(&fin);
	return rc;
}
