/* What Ubilling's daily Telegram notifiers share (spec actions-ops.md
 * §5.13-§5.16, §5.25): the employee directory, Ubilling's __() in the
 * install's default language, and an ordered "one message per key" outbox
 * with PHP's keyed-array semantics (first insertion fixes the order). */
#ifndef UBAPI_NOTIFY_H
#define UBAPI_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "req.h"
#include "sbuf.h"

/* The employee table, in primary-key order. */
struct notify_staff;
/* NULL on a database error. */
struct notify_staff *notify_staff_load(struct req *r);
void notify_staff_free(struct notify_staff *s);
/* The raw telegram column of employee id (NULL when unknown or SQL NULL). */
const char *notify_staff_telegram(const struct notify_staff *s, const char *id);
/* The chat id of employee id when its telegram is non-empty (PHP truthy)
 * and, if need_active, the employee is active; NULL otherwise. */
const char *notify_staff_chat(const struct notify_staff *s, const char *id, bool need_active);
/* The id of the employee bound to an administrator login; with several
 * the last one wins, as in PHP's admlogin => id array. */
const char *notify_staff_by_admin(const struct notify_staff *s, const char *admlogin);

/* __(): the translations of config.ini default_lang, read once. */
struct notify_lang;
struct notify_lang *notify_lang_load(const struct config *cfg);
/* The translation, or key itself when there is none. */
const char *notify_tr(struct notify_lang *l, const char *key);
void notify_lang_free(struct notify_lang *l);

/* Keyed, insertion-ordered messages. */
struct notify_box {
	size_t n, cap;
	char **keys;
	struct sbuf *texts;
	long *counts;
	char **extra; /* per key, caller-owned meaning (e.g. a chat id) */
};
#define NOTIFY_BOX_INIT { 0, 0, NULL, NULL, NULL, NULL }
/* The slot of key, appended (empty text, count 0) when new. */
size_t notify_box_slot(struct notify_box *b, const char *key);
void notify_box_free(struct notify_box *b);

/* UbillingTelegram::sendMessage for every slot with a non-empty text:
 * chat = the slot key (or extra[i] when set). -1 when a file could not be
 * written (the others are still queued). */
int notify_box_send(struct req *r, const struct notify_box *b, const char *module);

/* zb_formatTime() of a number of seconds, with translated units. */
/* "<emoji> You have N <what>" to the chat of every employee named by the
 * rows of sql (one column, today's date bound to its ?): staff ids, or
 * administrator logins when by_admin. 0, or -1 on a database error. */
int notify_daily_count(struct req *r, const char *sql, bool by_admin, const char *emoji, const char *what,
		       const char *module);

void notify_format_time(struct notify_lang *l, double seconds, struct sbuf *out);

#endif
