/* stgfeecharge2mysql (deprecated): each user's latest Stargazer fee charge
 * from its log into the cache key STG_FEE_CHARGE (spec actions-ops.md §5.8).
 * PHP went through sudo cat | grep, a temp file, a MyISAM table and LOAD
 * DATA LOCAL; the log is read here directly, with the same result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "phpser.h"
#include "ubcache.h"
#include "util.h"

#define TOKENS 15

struct fee {
	char *login, *when, *from, *to;
};

struct fees {
	struct fee *v;
	size_t n, cap;
	size_t *slot; /* open addressing over v, index + 1; 0 = free */
	size_t slots;
};

static size_t slot_of(const struct fees *f, const char *login)
{
	size_t h = 14695981039346656037u;
	for (const char *c = login; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211u;
	size_t i = h & (f->slots - 1);
	while (f->slot[i] && strcmp(f->v[f->slot[i] - 1].login, login) != 0)
		i = (i + 1) & (f->slots - 1);
	return i;
}

static struct fee *fee_for(struct fees *f, const char *login)
{
	if ((f->n + 1) * 2 > f->slots) {
		free(f->slot);
		f->slots *= 2;
		f->slot = xcalloc(f->slots, sizeof *f->slot);
		for (size_t k = 0; k < f->n; k++)
			f->slot[slot_of(f, f->v[k].login)] = k + 1;
	}
	size_t i = slot_of(f, login);
	if (f->slot[i])
		return &f->v[f->slot[i] - 1];
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->v = xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n] = (struct fee){ xstrdup(login), NULL, NULL, NULL };
	f->slot[i] = ++f->n;
	return &f->v[f->n - 1];
}

static void remove_char(char *s, char c)
{
	char *w = s;
	for (; *s; s++)
		if (*s != c)
			*w++ = *s;
	*w = '\0';
}

/* the log's quoted balance: quotes dropped, then . : ' trimmed off both
 * ends, as PHP's REPLACE() and trim(.., ".:'") did */
static char *balance(const char *tok)
{
	char *b = xstrdup(tok);
	remove_char(b, '\'');
	char *s = b;
	while (*s && strchr(".:'", *s))
		s++;
	size_t n = strlen(s);
	while (n && strchr(".:'", s[n - 1]))
		n--;
	memmove(b, s, n);
	b[n] = '\0';
	return b;
}

static void take_line(struct fees *f, char *line)
{
	char *tok[TOKENS];
	size_t n = 0;
	for (char *p = line; n < TOKENS;) {
		tok[n++] = p;
		p = strchr(p, ' ');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < TOKENS)
		return;
	char *login = xstrdup(tok[7]);
	remove_char(login, '\'');
	remove_char(login, ':');
	size_t wl = strlen(tok[0]) + strlen(tok[1]) + 2;
	char *when = xmalloc(wl);
	snprintf(when, wl, "%s %s", tok[0], tok[1]);
	struct fee *e = fee_for(f, login);
	free(login);
	/* ties at the latest time: the later line wins (MySQL's order there was
	 * unspecified) */
	if (e->when && strcmp(when, e->when) < 0) {
		free(when);
		return;
	}
	free(e->when);
	free(e->from);
	free(e->to);
	e->when = when;
	e->from = balance(tok[12]);
	e->to = balance(tok[14]);
}

static void read_log(struct fees *f, const char *path)
{
	FILE *fp = *path ? fopen(path, "re") : NULL;
	if (!fp)
		return;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, fp)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (strstr(line, "fee charge"))
			take_line(f, line);
	}
	free(line);
	fclose(fp);
}

void cmd_stgfeecharge2mysql(struct req *r)
{
	struct fees f = { NULL, 0, 0, xcalloc(64, sizeof(size_t)), 64 };
	read_log(&f, cfg_alter(r->cfg, "STG_LOG_PATH", ""));
	struct sbuf out = SBUF_INIT;
	phpser_array_begin(&out, f.n);
	for (size_t i = 0; i < f.n; i++) {
		const struct fee *e = &f.v[i];
		phpser_key_str(&out, e->login);
		phpser_array_begin(&out, 3);
		phpser_key_str(&out, "max_date");
		phpser_string(&out, e->when, strlen(e->when));
		phpser_key_str(&out, "balance_from");
		phpser_string(&out, e->from, strlen(e->from));
		phpser_key_str(&out, "balance_to");
		phpser_string(&out, e->to, strlen(e->to));
		phpser_array_end(&out);
	}
	phpser_array_end(&out);
	ubcache_set(r->cfg, "STG_FEE_CHARGE", sbuf_str(&out));
	sbuf_free(&out);
	for (size_t i = 0; i < f.n; i++) {
		free(f.v[i].login);
		free(f.v[i].when);
		free(f.v[i].from);
		free(f.v[i].to);
	}
	free(f.v);
	free(f.slot);
	/* a PHP run that died half-way leaves its work table behind */
	db_exec(r->db, "DROP TABLE IF EXISTS `stg_fee_charge_tab`", "");
	/* PHP answered with the web UI's login page here: an empty 200 */
	reply_text(r, "");
}
