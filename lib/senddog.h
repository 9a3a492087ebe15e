/* SendDog's side of Ubilling's message queues (spec actions-ops.md §2-§4):
 * listing and reading the one-file-per-message directories the PHP web UI
 * fills, and the Telegram and sendmail transports. The SMS gateways are in
 * senddog_sms.c. */
#ifndef UBAPI_SENDDOG_H
#define UBAPI_SENDDOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sbuf.h"

struct req;

#define SD_DIR_SMS "content/tsms/"
#define SD_DIR_TELEGRAM "content/telegram/"
#define SD_DIR_MAIL "content/mailqueue/"
#define SD_PID_FILE "exports/senddogrunning.pid"


/* What PHP's rcms_scandir() lists in dir: every name not starting with
 * '.', in natsort order. *n = 0 (and NULL) when dir cannot be read. */
char **sd_queue_list(const char *dir, size_t *n);
void sd_queue_list_free(char **names, size_t n);

/* A queue file read as Ubilling's rcms_parse_ini_file() reads it, line by
 * line: trimmed, ';' lines skipped, key before the first '=', one pair of
 * quotes dropped, stripcslashes() applied; the last duplicate wins. */
struct sd_fields {
	size_t n;
	char **keys;
	char **values;
};
void sd_fields_parse(struct sd_fields *f, const char *text, size_t len);
const char *sd_fields_get(const struct sd_fields *f, const char *key);
void sd_fields_free(struct sd_fields *f);

/* One queue file, opened without following symlinks and held under an
 * exclusive flock while it is sent, so two overlapping runs never send it
 * twice. */
struct sd_item {
	char *dir;   /* with trailing '/' */
	char *name;
	char *path;
	int fd;
	time_t mtime;
	struct sbuf text;
};
/* 0 when the file is open, locked and read; -1 when it is to be left
 * alone this run (gone, locked by another run, not a regular file). */
int sd_item_open(struct sd_item *it, const char *dir, const char *name);
/* Written less than two seconds ago: may still be half-written by PHP. */
bool sd_item_young(const struct sd_item *it);
void sd_item_delete(struct sd_item *it);
/* Malformed: renamed to .malformed_<name> (invisible to every reader) and
 * logged, never silently dropped. */
void sd_item_set_aside(struct sd_item *it, const char *why);
void sd_item_close(struct sd_item *it);

/* Text helpers with PHP's exact output. */
void sd_urlencode(struct sbuf *b, const char *s);               /* urlencode() */
void sd_base64(struct sbuf *b, const void *data, size_t len);   /* base64_encode() */
void sd_xml_escape(struct sbuf *b, const char *s);
/* The "international prefix cut" (§4.5); caller frees. */
char *sd_cut_international(const char *number);
/* safeEscapeString(): drops ~ @ ? % / ; = * > < " ' ; caller frees. */
char *sd_sign_filter(const char *s);
/* A JSON string as json_encode(JSON_UNESCAPED_UNICODE) writes it; -1 and
 * nothing appended for invalid UTF-8. */
int sd_json_string_unescaped(struct sbuf *b, const char *s);
/* n random characters from [0-9a-z] (zb_rand_string). */
void sd_rand_string(char *buf, size_t n);

/* Telegram (§3). One API call for one chunk of text: the method part of
 * the URL (after "<base><token>/") and the JSON body. */
void sd_telegram_build(const char *chatid, const char *text, struct sbuf *method, struct sbuf *body);
/* Sends message (split into 4095-code-point chunks); base is
 * TELEGRAM_API_URL. 0 when every chunk got an HTTP 2xx answer. */
int sd_telegram_push(const char *base, const char *token, const char *chatid, const char *message);

/* Email (§4.3): the message as PHP's mail() hands it to sendmail -t -i. */
void sd_email_compose(struct sbuf *out, const char *email, const char *subj, const char *message,
		      time_t now);
/* Runs cmd (split on blanks, e.g. "/usr/sbin/sendmail -t -i") with the
 * message on stdin; 0 when it exited 0. */
int sd_email_send(const char *cmd, const char *tmpdir, const char *message, size_t len);

/* The run marker exports/senddogrunning.pid (content: start time), shared
 * with PHP. exclusive: refuse (-1) while another run holds it, i.e. while
 * another ubapi run holds its flock, or the file has content younger than
 * stale_s seconds (a PHP run, which never locks; an older file is a crashed
 * run's leftover and is taken over). Returns the open descriptor, -1 when
 * busy, -2 when the file cannot be written. */
int sd_pid_take(const char *path, bool exclusive, long stale_s, const char *stamp);
/* Removes the marker and drops the lock. */
void sd_pid_release(const char *path, int fd);

/* ---- producers (senddog_queue.c): what UbillingSMS::sendSMS,
 * UbillingTelegram::sendMessage and UbillingMail::sendEmail write, each
 * file complete before it becomes visible (§2.6), plus PHP's weblogs line.
 * name (SD_QNAME_MAX bytes)
 * gets the queue name, "" when nothing was queued: an empty/+-less number,
 * an empty chat id. 0, or -1 when the file could not be written. */
#define SD_QNAME_MAX 64
int sd_queue_sms(struct req *r, const char *number, const char *text, const char *module, char *name);
/* sendSMS with translit (zb_TranslitString(text, true) after the quote
 * replacement, so quotes vanish) and, when srvid is not NULL, setDirection's
 * SMSSRVID line written with the rest rather than appended afterwards. */
int sd_queue_sms_ex(struct req *r, const char *number, const char *text, bool translit, const char *module,
		    const char *srvid, char *name);
/* zb_TranslitString(s, true): the case-preserving Cyrillic->Latin table
 * (Ukrainian letters included, ' and ` removed, invalid UTF-8 dropped);
 * ru: и/И -> i/I instead of y/Y. */
void sd_translit(struct sbuf *out, const char *s, bool ru);
/* UbillingSMS::setDirection(file, 'user_login', login): NULL when
 * SMS_SERVICES_ADVANCED_ENABLED is off, else the heap text of the login's
 * sms_services_relations service id, "0" when it has none (or on a DB
 * error, as PHP's cache miss). */
char *sd_sms_direction(struct req *r, const char *login);
int sd_queue_telegram(struct req *r, const char *chatid, const char *text, const char *module,
		      const char *bottoken, char *name);
int sd_queue_email(struct req *r, const char *email, const char *subj, const char *message,
		   const char *module);

/* ---- one SendDog run (senddog_classic.c) ---- */

struct sd_services;

/* What PHP's SendDog constructor does: the SENDDOG_SMS_SERVICE default,
 * the services of config/senddog.d/ (limited by
 * SENDDOG_SMS_SERVICES_ENABLED) each filling its ubstorage defaults, then
 * the Telegram token default. NULL only on a database error. */
struct sd_services *sd_services_load(struct req *r);
void sd_services_free(struct sd_services *s);
const char *sd_services_tg_token(const struct sd_services *s);

/* Each processes its queue and returns the number of entries found at the
 * start (the count PHP reports), or -1 on a database error. */
long sd_run_telegram(struct req *r, const struct sd_services *s);
long sd_run_email(struct req *r);
long sd_run_sms(struct req *r, const struct sd_services *s);
/* The default service's delivery-status check (param=chkmsgstatuses). */
void sd_run_status_check(struct req *r, const struct sd_services *s);

/* ---- advanced mode (senddog_advanced.c), SMS_SERVICES_ADVANCED_ENABLED */

/* What SendDogAdvanced's constructor writes: the Telegram token and the
 * PHPMailer defaults (no config/senddog.d services). NULL on a DB error. */
struct sd_services *sd_services_load_advanced(struct req *r);

struct sd_adv;
/* The sms_services rows and the SMS queue (check: the sms_history rows
 * awaiting a status instead), grouped by service. NULL on a DB error. */
struct sd_adv *sd_adv_load(struct req *r, bool check);
/* Some group needs a service class (or its status check) ubapi does not
 * implement: the run is PHP's. */
bool sd_adv_needs_php(const struct sd_adv *a);
/* Sends every group through its row's class; returns the queue count. */
long sd_adv_run_sms(struct req *r, struct sd_adv *a);
/* The status check: sd_adv_expire() first, then each group's routine. */
int sd_adv_expire(struct req *r);
void sd_adv_status_check(struct req *r, struct sd_adv *a);
void sd_adv_free(struct sd_adv *a);

#endif
