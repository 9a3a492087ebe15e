/* What the multinet actions share (spec actions-network.md): PHP arrays
 * keyed by DB strings, PHP 8 loose comparison of the values they hold, and
 * strict checks of network values before they reach argv or a file name. */
#ifndef UBAPI_NETWORKS_H
#define UBAPI_NETWORKS_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

/* $a[$key] = $vals[idx] repeated over rows: a key assigned twice keeps its
 * first position and takes the last value. Keys are borrowed, not copied.
 * Plain byte equality is PHP's key equality here: a key only becomes an
 * int key when it is the canonical text of that int. */
struct pmap_ent {
	const char *key;
	size_t idx; /* the caller's index of the last value */
	size_t pos; /* insertion number of the first assignment */
};

struct pmap {
	struct pmap_ent *v; /* after pmap_done: unique keys, sorted by key */
	size_t n, cap;
	size_t *order;      /* after pmap_done: indexes into v by position */
};

void pmap_put(struct pmap *m, const char *key, size_t idx);
/* Folds repeated keys; call once, after the last put. */
void pmap_done(struct pmap *m);
/* The value index of key, or -1 when absent. */
long pmap_find(const struct pmap *m, const char *key);
/* The i-th entry in PHP's iteration order (i < m->n). */
const struct pmap_ent *pmap_at(const struct pmap *m, size_t i);
/* serialize() of the array, vals[idx] strings, NULL as N;. */
void pmap_serialize(const struct pmap *m, const char *const *vals, struct sbuf *out);
void pmap_free(struct pmap *m);

/* A PHP scalar as PHP code holds it after reading the DB or a file. */
enum zkind { Z_NULL, Z_BOOL, Z_INT, Z_DBL, Z_STR };
struct zval {
	enum zkind k;
	long long i; /* Z_INT, Z_BOOL */
	double d;    /* Z_DBL */
	const char *s; /* Z_STR, borrowed */
};

/* PHP 8 numeric string (leading/trailing whitespace allowed): true with
 * *is_int and the value (int when it is an integer literal within int64). */
bool php_numeric(const char *s, bool *is_int, long long *iv, double *dv);
/* PHP 8 $a == $b for the scalar kinds above. */
bool php_loose_eq(const struct zval *a, const struct zval *b);

/* "A.B.C.D/NN": a dotted quad without leading zeros, prefix 0..32. */
bool net_cidr_valid(const char *s);
/* A login usable as a file name under content/dn: not empty, no '/', not
 * "." or "..". */
bool dn_name_ok(const char *s);
/* The first \d{1,3}(\.\d{1,3}){3} in line[0..len) (preg_match, no anchors,
 * no range check): its offset and length, or false. */
bool find_dotted_quad(const char *line, size_t len, size_t *off, size_t *mlen);

#endif
