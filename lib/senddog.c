#include "senddog.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "httpc.h"
#include "phpjson.h"
#include "runcmd.h"
#include "util.h"

/* Queue files are a few hundred bytes; anything this big is not one. */
#define SD_MAX_FILE (1024 * 1024)
#define TG_LIMIT 4095


char **sd_queue_list(const char *dir, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, php_natcmp_ptr);
	return v;
}

void sd_queue_list_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* PHP trim()'s set, which also decides what a blank is for the key. */
static bool php_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c == '\v';
}

static bool pcre_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void fields_put(struct sd_fields *f, const char *k, size_t klen, char *value)
{
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->keys[i]) == klen && memcmp(f->keys[i], k, klen) == 0) {
			free(f->values[i]);
			f->values[i] = value;
			return;
		}
	f->keys = xrealloc(f->keys, (f->n + 1) * sizeof *f->keys);
	f->values = xrealloc(f->values, (f->n + 1) * sizeof *f->values);
	f->keys[f->n] = xstrndup(k, klen);
	f->values[f->n] = value;
	f->n++;
}

static void fields_line(struct sd_fields *f, const char *p, const char *end)
{
	while (p < end && php_space(*p))
		p++;
	while (end > p && php_space(end[-1]))
		end--;
	if (p == end || *p == ';')
		return;
	const char *eq = memchr(p, '=', (size_t)(end - p));
	if (!eq || eq == p) {
		/* no '=' (or a leading one): the whole line is a key with "" */
		fields_put(f, p, (size_t)(end - p), xstrdup(""));
		return;
	}
	const char *kend = eq;
	while (kend > p && pcre_space(kend[-1]))
		kend--;
	const char *v = eq + 1;
	while (v < end && pcre_space(*v))
		v++;
	if (v < end && *v == '"')
		v++;
	const char *vend = end;
	if (vend > v && vend[-1] == '"')
		vend--;
	struct sbuf val = SBUF_INIT;
	sbuf_add_stripcslashes(&val, v, (size_t)(vend - v));
	char *value = val.s ? sbuf_detach(&val) : xstrdup("");
	fields_put(f, p, (size_t)(kend - p), value);
}

void sd_fields_parse(struct sd_fields *f, const char *text, size_t len)
{
	memset(f, 0, sizeof *f);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		fields_line(f, p, eol);
		p = nl ? nl + 1 : end;
	}
}

const char *sd_fields_get(const struct sd_fields *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->keys[i], key) == 0)
			return f->values[i];
	return NULL;
}

void sd_fields_free(struct sd_fields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->keys[i]);
		free(f->values[i]);
	}
	free(f->keys);
	free(f->values);
	memset(f, 0, sizeof *f);
}

int sd_item_open(struct sd_item *it, const char *dir, const char *name)
{
	memset(it, 0, sizeof *it);
	it->fd = -1;
	it->dir = xstrdup(dir);
	it->name = xstrdup(name);
	struct sbuf p = SBUF_INIT;
	sbuf_printf(&p, "%s%s", dir, name);
	it->path = sbuf_detach(&p);
	it->fd = open(it->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (it->fd < 0) {
		if (errno != ENOENT)
			syslog(LOG_WARNING, "ubapi senddog: skipping %s: %s", it->path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(it->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		syslog(LOG_WARNING, "ubapi senddog: skipping %s: not a regular file", it->path);
		return -1;
	}
	if (flock(it->fd, LOCK_EX | LOCK_NB) != 0)
		return -1; /* another run is sending it right now */
	/* it may have been sent and unlinked between our open and our lock */
	if (fstat(it->fd, &st) != 0 || st.st_nlink == 0)
		return -1;
	it->mtime = st.st_mtime;
	char buf[8192];
	for (;;) {
		ssize_t got = read(it->fd, buf, sizeof buf);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		sbuf_add(&it->text, buf, (size_t)got);
		if (it->text.len > SD_MAX_FILE)
			break;
	}
	if (!it->text.s)
		sbuf_add(&it->text, "", 0);
	return 0;
}

bool sd_item_young(const struct sd_item *it)
{
	return time(NULL) - it->mtime < 2;
}

void sd_item_delete(struct sd_item *it)
{
	if (unlink(it->path) != 0 && errno != ENOENT)
		syslog(LOG_WARNING, "ubapi senddog: cannot delete %s: %s", it->path, strerror(errno));
}

void sd_item_set_aside(struct sd_item *it, const char *why)
{
	struct sbuf to = SBUF_INIT;
	sbuf_printf(&to, "%s.malformed_%s", it->dir, it->name);
	if (rename(it->path, sbuf_str(&to)) == 0)
		syslog(LOG_WARNING, "ubapi senddog: %s: %s, moved to %s", it->path, why, sbuf_str(&to));
	else
		syslog(LOG_WARNING, "ubapi senddog: %s: %s, cannot move aside: %s", it->path, why,
		       strerror(errno));
	sbuf_free(&to);
}

void sd_item_close(struct sd_item *it)
{
	if (it->fd >= 0)
		close(it->fd);
	it->fd = -1;
	free(it->dir);
	free(it->name);
	free(it->path);
	sbuf_free(&it->text);
	it->dir = it->name = it->path = NULL;
}

void sd_urlencode(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.')
			sbuf_putc(b, (char)*p);
		else if (*p == ' ')
			sbuf_putc(b, '+');
		else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			sbuf_add(b, e, 3);
		}
	}
	if (!b->s)
		sbuf_add(b, "", 0);
}

void sd_base64(struct sbuf *b, const void *data, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 2 < len; i += 3) {
		char o[4] = { tab[p[i] >> 2], tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			      tab[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)], tab[p[i + 2] & 63] };
		sbuf_add(b, o, 4);
	}
	if (len - i == 1) {
		char o[4] = { tab[p[i] >> 2], tab[(p[i] & 3) << 4], '=', '=' };
		sbuf_add(b, o, 4);
	} else if (len - i == 2) {
		char o[4] = { tab[p[i] >> 2], tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			      tab[(p[i + 1] & 15) << 2], '=' };
		sbuf_add(b, o, 4);
	}
	if (!b->s)
		sbuf_add(b, "", 0);
}

void sd_xml_escape(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': sbuf_puts(b, "&lt;"); break;
		case '>': sbuf_puts(b, "&gt;"); break;
		case '&': sbuf_puts(b, "&amp;"); break;
		case '"': sbuf_puts(b, "&quot;"); break;
		case '\'': sbuf_puts(b, "&apos;"); break;
		default: sbuf_putc(b, *s);
		}
	}
	if (!b->s)
		sbuf_add(b, "", 0);
}

/* str_replace(search, "", s) for one search string */
static void remove_all(char *s, const char *search)
{
	size_t sl = strlen(search);
	char *w = s;
	for (const char *r = s; *r;) {
		if (strncmp(r, search, sl) == 0) {
			r += sl;
			continue;
		}
		*w++ = *r++;
	}
	*w = 0;
}

char *sd_cut_international(const char *number)
{
	char *s = xstrdup(number ? number : "");
	/* str_replace with an array works search by search, in this order */
	remove_all(s, "+7");
	remove_all(s, "+38");
	remove_all(s, "+");
	if (strncmp(s, "38", 2) == 0)
		memmove(s, s + 2, strlen(s + 2) + 1);
	if (s[0] == '7')
		memmove(s, s + 1, strlen(s + 1) + 1);
	return s;
}

char *sd_sign_filter(const char *s)
{
	char *out = xstrdup(s ? s : "");
	char *w = out;
	for (const char *r = out; *r; r++)
		if (!strchr("~@?%/;=*><\"'", *r))
			*w++ = *r;
	*w = 0;
	return out;
}

int sd_json_string_unescaped(struct sbuf *b, const char *s)
{
	if (!utf8_valid(s, strlen(s)))
		return -1;
	sbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sbuf_puts(b, "\\\""); break;
		case '\\': sbuf_puts(b, "\\\\"); break;
		case '/': sbuf_puts(b, "\\/"); break;
		case '\b': sbuf_puts(b, "\\b"); break;
		case '\f': sbuf_puts(b, "\\f"); break;
		case '\n': sbuf_puts(b, "\\n"); break;
		case '\r': sbuf_puts(b, "\\r"); break;
		case '\t': sbuf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				sbuf_printf(b, "\\u%04x", *p);
			else
				sbuf_putc(b, (char)*p);
		}
	}
	sbuf_putc(b, '"');
	return 0;
}

void sd_rand_string(char *buf, size_t n)
{
	static const char set[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[64];
	if (n > sizeof rnd)
		n = sizeof rnd;
	if (getrandom(rnd, n, 0) != (ssize_t)n)
		for (size_t i = 0; i < n; i++)
			rnd[i] = (unsigned char)rand();
	for (size_t i = 0; i < n; i++)
		buf[i] = set[rnd[i] % 36];
	buf[n] = 0;
}

/* ---------------------------------------------------------------- pid file */

int sd_pid_take(const char *path, bool exclusive, long stale_s, const char *stamp)
{
	/* a run that finishes unlinks the file under us: then open it again */
	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			syslog(LOG_ERR, "ubapi senddog: cannot open %s: %s", path, strerror(errno));
			return -2;
		}
		struct stat st;
		if (exclusive) {
			if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
				close(fd);
				return -1;
			}
			if (fstat(fd, &st) != 0) {
				close(fd);
				return -2;
			}
			if (st.st_nlink == 0) {
				close(fd);
				continue;
			}
			if (st.st_size > 0) {
				time_t age = time(NULL) - st.st_mtime;
				if (age < stale_s) {
					close(fd);
					return -1;
				}
				syslog(LOG_WARNING, "ubapi senddog: %s is %lds old, taken over as stale", path,
				       (long)age);
			}
		}
		size_t len = strlen(stamp);
		if (ftruncate(fd, 0) != 0 || pwrite(fd, stamp, len, 0) != (ssize_t)len) {
			syslog(LOG_ERR, "ubapi senddog: cannot write %s: %s", path, strerror(errno));
			close(fd);
			return -2;
		}
		return fd;
	}
	return -1;
}

void sd_pid_release(const char *path, int fd)
{
	unlink(path);
	if (fd >= 0)
		close(fd);
}

/* ---------------------------------------------------------------- Telegram */

/* preg_match('!<o>(.*?)<c>!s'): the text between the first open character
 * and the next close character after it. */
static char *first_group(const char *s, char open, char close)
{
	const char *a = strchr(s, open);
	if (!a)
		return NULL;
	const char *b = strchr(a + 1, close);
	if (!b)
		return NULL;
	return xstrndup(a + 1, (size_t)(b - a - 1));
}

static char *php_trim_dup(const char *s, size_t len)
{
	while (len && php_space(*s)) {
		s++;
		len--;
	}
	while (len && php_space(s[len - 1]))
		len--;
	return xstrndup(s, len);
}

/* explode(',' or '@', s): the idx-th part, or NULL when there are fewer. */
static char *part(const char *s, char sep, int idx)
{
	if (!s)
		return NULL;
	for (int i = 0; i < idx; i++) {
		s = strchr(s, sep);
		if (!s)
			return NULL;
		s++;
	}
	const char *e = strchr(s, sep);
	return xstrndup(s, e ? (size_t)(e - s) : strlen(s));
}

static int parts_count(const char *s, char sep)
{
	int n = 1;
	for (; *s; s++)
		n += *s == sep;
	return n;
}

/* str_replace(search, repl, s) into a new string */
static char *replace_dup(const char *s, const char *search, const char *repl)
{
	struct sbuf b = SBUF_INIT;
	size_t sl = strlen(search);
	while (*s) {
		if (sl && strncmp(s, search, sl) == 0) {
			sbuf_puts(&b, repl);
			s += sl;
		} else {
			sbuf_putc(&b, *s++);
		}
	}
	if (!b.s)
		sbuf_add(&b, "", 0);
	return sbuf_detach(&b);
}

/* "?chat_id=ID&latitude=LAT&longitude=LON" from "lat,lon" text */
static void geo_params(struct sbuf *m, const char *name, const char *chatid, const char *geo)
{
	char *lat0 = part(geo ? geo : "", ',', 0), *lon0 = part(geo ? geo : "", ',', 1);
	char *lat = php_trim_dup(lat0 ? lat0 : "", lat0 ? strlen(lat0) : 0);
	char *lon = php_trim_dup(lon0 ? lon0 : "", lon0 ? strlen(lon0) : 0);
	sbuf_reset(m);
	sbuf_printf(m, "%s?chat_id=%s&latitude=%s&longitude=%s", name, chatid, lat, lon);
	free(lat0);
	free(lon0);
	free(lat);
	free(lon);
}

static void media(struct sbuf *m, const char *msg, const char *method, const char *field,
		  const char *chatid)
{
	char *url = first_group(msg, '[', ']');
	char *cap = first_group(msg, '{', '}');
	sbuf_reset(m);
	sbuf_printf(m, "%s?chat_id=%s&%s=%s", method, chatid, field, url ? url : "");
	if (cap) {
		struct sbuf enc = SBUF_INIT;
		sd_urlencode(&enc, cap);
		if (php_truthy(sbuf_str(&enc)))
			sbuf_printf(m, "&caption=%s", sbuf_str(&enc));
		sbuf_free(&enc);
	}
	free(url);
	free(cap);
}

/* [A@B] directives: chat and second id from the first [...] group */
static bool at_pair(const char *msg, char **first, char **second)
{
	char *g = first_group(msg, '[', ']');
	if (!g) {
		*first = xstrdup("");
		*second = xstrdup("");
		return false;
	}
	char *a = part(g, '@', 0), *b = part(g, '@', 1);
	*first = a ? a : xstrdup("");
	*second = b ? b : xstrdup("");
	free(g);
	return true;
}

void sd_telegram_build(const char *chatid, const char *msg, struct sbuf *method, struct sbuf *body)
{
	cJSON *data = cJSON_CreateObject();
	cJSON_AddStringToObject(data, "chat_id", chatid);
	cJSON *text = cJSON_AddStringToObject(data, "text", msg);
	sbuf_reset(method);
	sbuf_puts(method, "sendMessage");

	if (strstr(msg, "sendLocation:")) {
		char *geo = replace_dup(msg, "sendLocation:", "");
		geo_params(method, "sendLocation", chatid, geo);
		free(geo);
	}
	if (strstr(msg, "parseMode:{")) {
		char *mode = first_group(msg, '{', '}');
		if (mode) {
			struct sbuf mask = SBUF_INIT;
			sbuf_printf(&mask, "parseMode:{%s}", mode);
			char *clean = replace_dup(msg, sbuf_str(&mask), "");
			cJSON_SetValuestring(text, clean);
			sbuf_reset(method);
			sbuf_printf(method, "sendMessage?parse_mode=%s", mode);
			free(clean);
			sbuf_free(&mask);
			free(mode);
		}
	}
	if (strstr(msg, "sendVenue:")) {
		char *geo = first_group(msg, '[', ']');
		char *addr = first_group(msg, '(', ')');
		char *title = first_group(msg, '{', '}');
		/* PHP puts undefined variables here: JSON null */
		cJSON_AddItemToObject(data, "title", title ? cJSON_CreateString(title) : cJSON_CreateNull());
		cJSON_AddItemToObject(data, "address", addr ? cJSON_CreateString(addr) : cJSON_CreateNull());
		geo_params(method, "sendVenue", chatid, geo);
		free(geo);
		free(addr);
		free(title);
	}
	static const char *const kinds[][3] = {
		{ "sendPhoto:", "sendPhoto", "photo" },
		{ "sendVideo:", "sendVideo", "video" },
		{ "sendAudio:", "sendAudio", "audio" },
		{ "sendDocument:", "sendDocument", "document" },
	};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strstr(msg, kinds[i][0]))
			media(method, msg, kinds[i][1], kinds[i][2], chatid);
	if (strstr(msg, "removeKeyboard:")) {
		char *clean = replace_dup(msg, "removeKeyboard:", "");
		cJSON_SetValuestring(text, php_truthy(clean) ? clean : "Keyboard deleted");
		cJSON_AddStringToObject(data, "reply_markup", "{\"remove_keyboard\":true}");
		free(clean);
	}
	static const char *const bans[][2] = {
		{ "banChatMember:", "banChatMember" },
		{ "unbanChatMember:", "unbanChatMember" },
	};
	for (size_t i = 0; i < 2; i++)
		if (strstr(msg, bans[i][0])) {
			char *user, *chat;
			at_pair(msg, &user, &chat);
			sbuf_reset(method);
			sbuf_printf(method, "%s?chat_id=%s&user_id=%s", bans[i][1], chat, user);
			free(user);
			free(chat);
		}
	if (strstr(msg, "removeChatMessage:")) {
		char *id, *chat;
		if (at_pair(msg, &id, &chat)) {
			sbuf_reset(method);
			sbuf_printf(method, "deleteMessage?chat_id=%s&message_id=%s", chat, id);
		}
		free(id);
		free(chat);
	}
	if (strstr(msg, "editMessageText:")) {
		char *id, *chat;
		if (at_pair(msg, &id, &chat)) {
			struct sbuf mask = SBUF_INIT, enc = SBUF_INIT;
			sbuf_printf(&mask, "editMessageText:[%s@%s]", id, chat);
			char *rest = replace_dup(msg, sbuf_str(&mask), "");
			sd_urlencode(&enc, rest);
			sbuf_reset(method);
			sbuf_printf(method, "editMessageText?chat_id=%s&message_id=%s&text=%s", chat, id,
				    sbuf_str(&enc));
			free(rest);
			sbuf_free(&mask);
			sbuf_free(&enc);
		}
		free(id);
		free(chat);
	}
	if (strstr(msg, "pinChatMessage:")) {
		char *g = first_group(msg, '[', ']');
		if (g) {
			char *id = part(g, '@', 0), *chat = part(g, '@', 1), *flag = part(g, '@', 2);
			bool quiet = flag && (strcmp(flag, "1") == 0 || strcasecmp(flag, "true") == 0);
			if (php_truthy(id) && php_truthy(chat)) {
				sbuf_reset(method);
				sbuf_printf(method, "pinChatMessage?chat_id=%s&message_id=%s%s", chat, id,
					    quiet ? "&disable_notification=true" : "");
			}
			free(id);
			free(chat);
			free(flag);
			free(g);
		}
	}
	if (strstr(msg, "unpinChatMessage:")) {
		char *g = first_group(msg, '[', ']');
		if (g) {
			sbuf_reset(method);
			if (parts_count(g, '@') == 1) {
				sbuf_printf(method, "unpinAllChatMessages?chat_id=%s", g);
			} else {
				char *id = part(g, '@', 0), *chat = part(g, '@', 1);
				sbuf_printf(method, "unpinChatMessage?chat_id=%s&message_id=%s", chat, id);
				free(id);
				free(chat);
			}
			free(g);
		}
	}
	/* json_encode() failing (invalid UTF-8) leaves PHP's curl an empty body */
	phpjson_print(data, body);
	cJSON_Delete(data);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int tg_call(const char *base, const char *token, const char *chatid, const char *text)
{
	struct sbuf method = SBUF_INIT, body = SBUF_INIT, url = SBUF_INIT, err = SBUF_INIT;
	sd_telegram_build(chatid, text, &method, &body);
	sbuf_printf(&url, "%s%s/%s", base, token, sbuf_str(&method));
	static const char *const hdrs[] = { "Content-Type: application/json", NULL };
	struct http_request q = {
		.method = "POST", .url = sbuf_str(&url), .body = sbuf_str(&body), .body_len = body.len,
		.headers = hdrs, .timeout_ms = 30000, .connect_timeout_ms = 10000,
	};
	struct http_response resp;
	int rc = http_request(&q, &resp, &err);
	if (rc != 0)
		syslog(LOG_WARNING, "ubapi senddog: telegram %s to chat %s failed: %s", sbuf_str(&method),
		       chatid, sbuf_str(&err));
	else if (resp.status < 200 || resp.status > 299) {
		syslog(LOG_WARNING, "ubapi senddog: telegram %s to chat %s: HTTP %ld %.200s",
		       sbuf_str(&method), chatid, resp.status, sbuf_str(&resp.body));
		rc = -1;
	}
	http_response_free(&resp);
	sbuf_free(&method);
	sbuf_free(&body);
	sbuf_free(&url);
	sbuf_free(&err);
	return rc;
}

int sd_telegram_push(const char *base, const char *token, const char *chatid, const char *message)
{
	if (utf8_chars(message) <= TG_LIMIT)
		return tg_call(base, token, chatid, message);
	int rc = 0;
	const char *p = message;
	while (*p) {
		const char *e = p;
		size_t n = 0;
		while (*e) {
			if (((unsigned char)*e & 0xC0) != 0x80) {
				if (n == TG_LIMIT)
					break;
				n++;
			}
			e++;
		}
		char *chunk = xstrndup(p, (size_t)(e - p));
		if (tg_call(base, token, chatid, chunk) != 0)
			rc = -1;
		free(chunk);
		p = e;
	}
	return rc;
}

/* ---------------------------------------------------------------- email */

void sd_email_compose(struct sbuf *out, const char *email, const char *subj, const char *message,
		      time_t now)
{
	static const char sender[] = "Ubilling";
	unsigned char rnd[16];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		for (size_t i = 0; i < sizeof rnd; i++)
			rnd[i] = (unsigned char)rand();
	char msgid[33];
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(msgid + 2 * i, 3, "%02x", rnd[i]);
	char date[64];
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);

	sbuf_printf(out, "To: %s\n", email);
	sbuf_puts(out, "Subject: =?UTF-8?B?");
	sd_base64(out, subj, strlen(subj));
	sbuf_puts(out, "?=\n");
	sbuf_puts(out, "From: =?UTF-8?B?");
	sd_base64(out, sender, strlen(sender));
	sbuf_printf(out, "?= <%s>\n", email);
	sbuf_puts(out, "MIME-Version: 1.0\n");
	sbuf_printf(out, "Message-ID: <%s@%s>\n", msgid, sender);
	sbuf_printf(out, "Date: %s\n", date);
	sbuf_puts(out, "Content-type: text/plain; charset=UTF-8\n");
	sbuf_puts(out, "Content-transfer-encoding: 8bit\n");
	sbuf_puts(out, "X-Mailer: Ubilling\n");
	sbuf_puts(out, "X-MimeOLE: Ubilling\n");
	sbuf_printf(out, "\n%s\n", message);
}

int sd_email_send(const char *cmd, const char *tmpdir, const char *message, size_t len)
{
	struct sbuf path = SBUF_INIT;
	sbuf_printf(&path, "%s/.senddog_mail_XXXXXX", tmpdir);
	char *tmpl = sbuf_detach(&path);
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		syslog(LOG_ERR, "ubapi senddog: cannot create %s: %s", tmpl, strerror(errno));
		free(tmpl);
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, message + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	int rc = -1;
	if (off == len) {
		size_t argc = 0;
		char **argv = spawn_argv_split(cmd, 0, &argc);
		struct sbuf out = SBUF_INIT;
		struct spawn_result res;
		if (argc && spawn_run_input(argv, tmpl, 30000, 4096, &out, &res) == 0 && res.status == 0)
			rc = 0;
		else
			syslog(LOG_WARNING, "ubapi senddog: mail command %s failed", cmd);
		sbuf_free(&out);
		spawn_argv_free(argv);
	}
	unlink(tmpl);
	free(tmpl);
	return rc;
}
