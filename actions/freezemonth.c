/* freezemonth: the monthly fee for frozen users: FREEZEMONTH_COST off every
 * Passive=1 user, limited to FREEZEMONTH_ONLY_TAG holders and without
 * FREEZEMONTH_EXCLUDE_TAG holders when those lists are set. */
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "batch.h"
#include "money.h"
#include "util.h"

struct fm_conf {
	const char *cost_raw, *cashtype_raw, *only_raw, *exclude_raw;
	struct sbuf amount;  /* -cost, PHP's -1 * $cost */
	long cashtype;
	long *only, *exclude;
	size_t nonly, nexclude;
};

static bool conf_read(struct req *r, struct fm_conf *c)
{
	c->cost_raw = cfg_alter(r->cfg, "FREEZEMONTH_COST", "");
	c->cashtype_raw = cfg_alter(r->cfg, "FREEZEMONTH_CASHTYPE", "");
	c->only_raw = cfg_alter(r->cfg, "FREEZEMONTH_ONLY_TAG", "");
	if (!php_truthy(c->only_raw))
		c->only_raw = ""; /* PHP empty(): "0" is no list */
	c->exclude_raw = cfg_alter(r->cfg, "FREEZEMONTH_EXCLUDE_TAG", "");
	if (!php_truthy(c->exclude_raw))
		c->exclude_raw = "";
	money_t cost = { 0 };
	/* a missing cost charges 0, as -1 * null does in PHP */
	if (*c->cost_raw && !money_parse_db(c->cost_raw, &cost))
		return false;
	money_format(money_neg(cost), &c->amount);
	c->cashtype = valid_uint(c->cashtype_raw) && atol(c->cashtype_raw) > 0 ? atol(c->cashtype_raw) : 1;
	return batch_int_list(c->only_raw, ',', &c->only, &c->nonly) &&
	       batch_int_list(c->exclude_raw, ',', &c->exclude, &c->nexclude);
}

static void conf_free(struct fm_conf *c)
{
	sbuf_free(&c->amount);
	free(c->only);
	free(c->exclude);
}

static void charge_all(struct batch *b, const struct fm_conf *c, const struct batch_users *users,
		       const struct batch_tags *tags, bool debug)
{
	struct sbuf note = SBUF_INIT;
	sbuf_printf(&note, "FROZEN FEE CHARGE:%s", c->cost_raw);
	size_t kept = 0, processed = 0;
	for (size_t i = 0; i < users->n && !b->db_failed; i++) {
		const struct batch_user *u = &users->v[i];
		if ((c->nonly && !batch_tags_any(tags, u->login, c->only, c->nonly)) ||
		    (c->nexclude && batch_tags_any(tags, u->login, c->exclude, c->nexclude)))
			continue;
		kept++;
		if (!u->passive)
			continue;
		struct cash_request cr = {
			.login = u->login, .amount = sbuf_str(&c->amount), .op = CASH_ADD,
			.cashtype = c->cashtype, .note = sbuf_str(&note),
		};
		size_t refused = b->core_failed;
		if (batch_cash(b, &cr) != CASH_DONE)
			continue;
		/* the debug line is for a charge that happened: apply it first */
		if (debug)
			batch_flush(b);
		if (b->core_failed != refused || b->db_failed)
			continue;
		processed++;
		if (debug)
			batch_weblog(b, "FROZEN FEE CHARGE AMOUNT %s FOR USER (%s)", sbuf_str(&c->amount),
				     u->login);
	}
	if (debug && kept == 0)
		batch_weblog(b, "FROZEN FEE CHARGE PROCESSING: NO USERS TO PROCESS FOUND");
	if (debug && !b->db_failed)
		batch_weblog(b, "FROZEN FEE CHARGE PROCESSING FINISHED FOR %zu USERS", processed);
	sbuf_free(&note);
}

void cmd_freezemonth(struct req *r)
{
	int debug = batch_param(r, "debug2ublog");
	if (debug < 0) {
		reply_text(r, "ERROR:WRONG_PARAM");
		return;
	}
	struct fm_conf c = { 0 };
	if (!conf_read(r, &c)) {
		conf_free(&c);
		reply_text(r, "ERROR:WRONG_CONFIG");
		return;
	}
	struct batch b;
	batch_init(&b, r);
	struct batch_users users = { 0 };
	struct batch_tags tags = { 0 };
	if (batch_users_load(r, &users, NULL) != 0 ||
	    ((c.nonly || c.nexclude) && batch_tags_load(r, &tags) != 0))
		b.db_failed = true;
	if (!b.db_failed && debug)
		batch_weblog(&b, "FROZEN FEE CHARGE PROCESSING STARTED. COST: %s. CASHTYPE: %s", c.cost_raw,
			     c.cashtype_raw);
	if (!b.db_failed && c.nonly)
		batch_weblog(&b, "FROZEN FEE CHARGE PROCESSING ONLY TAGS: %s", c.only_raw);
	if (!b.db_failed && c.nexclude)
		batch_weblog(&b, "FROZEN FEE CHARGE EXCLUDING TAGS: %s", c.exclude_raw);
	if (!b.db_failed)
		charge_all(&b, &c, &users, &tags, debug == 1);
	batch_reply(&b, "OK:FREEZEMONTH");
	batch_users_free(&users);
	batch_tags_free(&tags);
	batch_free(&b);
	conf_free(&c);
}
