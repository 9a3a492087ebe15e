/* MultiGen (spec actions-network.md §5): Ubilling's users, networks and NAS
 * settings turned into FreeRADIUS rlm_sql rows (mlg_check, mlg_reply,
 * mlg_groupreply), per-login activity in mlg_userstates, PoD/CoA commands
 * when a login's activity changes, and accounting folded back into traffic
 * counters. The rows and their order are PHP's, so PHP and ubapi can take
 * turns on one database. */
#ifndef UBAPI_MULTIGEN_H
#define UBAPI_MULTIGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "req.h"
#include "sbuf.h"

enum { MLG_OK = 0, MLG_BUSY = 1, MLG_DBERR = -1 };

/* multigen (total=false: the daily cleanup when the clock says so, and
 * "OK: MULTIGEN_AUTOCLEANUP\n" appended to prefix) or multigentotal
 * (total=true: the three scenario tables flushed first). Holds the StarDust
 * lock stardustPID_MULTIGEN throughout. MLG_OK, MLG_BUSY or MLG_DBERR. */
int multigen_generate(struct req *r, bool total, struct sbuf *prefix);

/* multigenpod: PoD for login after an external change; mode 1 or 2 as
 * MULTIGEN_POD_ON_MAC_CHANGE. MLG_OK or MLG_DBERR. */
int multigenpod_run(struct req *r, const char *login, int mode);

/* multigentraff: accounting octets into Stargazer's (sgconf) or Ishimura's
 * counters. MLG_OK or MLG_DBERR. */
int multigentraff_run(struct req *r);

/* --- PoD/CoA queue (multigen_queue.c) -----------------------------------
 * PHP writes rendered templates into exports/<kind>_queue_<id> and runs the
 * file with a shell. ubapi keeps the file (operators read it) but runs each
 * line itself: the template is split into words, pipes and redirections
 * before any user value is put in, so a login, MAC or password always stays
 * inside its one argv word and nothing reaches a shell (DECISIONS 22). */

/* Substitutes the macros of one word of a template. */
typedef char *(*mlg_render_fn)(void *ctx, const char *text);

struct mlg_queue;

/* kind "pod" or "coa"; id "MLG" + 8 of [0-9a-z]. */
struct mlg_queue *mlg_queue_new(const struct config *cfg, const char *kind, const char *id);
/* Adds the template: line is its full rendering (for the file and the log),
 * words are rendered with render. false (and nothing to run) when the
 * template uses shell syntax ubapi does not run; *why says which. */
bool mlg_queue_add(struct mlg_queue *q, const char *tpl, const char *line, mlg_render_fn render,
		   void *ctx, const char **why);
bool mlg_queue_used(const struct mlg_queue *q);
const char *mlg_queue_path(const struct mlg_queue *q);
/* Writes the queue file and runs it: detached (PHP's "&") unless logpath is
 * given, then in the foreground with stdout and stderr appended to logpath.
 * The file is emptied afterwards, as PHP's last queue line does. */
void mlg_queue_run(struct mlg_queue *q, const char *logpath);
void mlg_queue_free(struct mlg_queue *q);

#endif
