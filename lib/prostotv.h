/* ProstoTV monthly fee (ptvchargefee), plus the two pieces the TV fee
 * actions share with OllTV (lib/olltv.c): one fee as one money unit, and
 * PHP's "rows keyed by login" rule. */
#ifndef UBAPI_PROSTOTV_H
#define UBAPI_PROSTOTV_H

#include <stdbool.h>
#include <stddef.h>

#include "batch.h"
#include "money.h"
#include "req.h"

#define PTV_DISABLED_REPLY "ERROR:PTV_DISABLED"

/* One fee: cash_add(op add, cashtype 1, amount, note) with its BALANCEADD
 * line, then the provider's own weblog line (event), as one unit (one
 * transaction with the direct backend). A dry run only reports the
 * payment. A refusal of the billing core is counted in b->core_failed and
 * the run goes on; a database failure sets b->db_failed. True when
 * charged (or reported). */
bool tv_fee_unit(struct batch *b, const char *login, const char *amount, const char *note,
		 const char *event);

/* "-" + the fee as the server printed it (spec §1.3), or the fee re-printed
 * exactly when the server's text is not plain decimal. False (nothing in
 * out) for NULL, unreadable or negative fees: Ubilling would charge "-"
 * or "--5". */
bool tv_fee_amount(const char *fee_text, struct sbuf *out);

/* PHP's getAll('login'): rows (in id order) keyed by login, so a login
 * seen twice is processed once, at its first position, with the data of
 * its last row. winner[i] = the row to use at position i, or (size_t)-1
 * when position i repeats an earlier login. */
size_t *tv_rows_by_login(char *const *logins, size_t n);

/* The run; the reply is written. */
void ptv_fee_processing(struct req *r);

#endif
