/* PHP serialize() / unserialize() for the values PHP code reads back from
 * ubapi (DECISIONS 11, spec actions-accounts.md §1.5): cache files,
 * ubstorage values, userstatus&getmoney output.
 *
 * Writer: the caller emits values in order; an array is
 *   phpser_array_begin(out, n); n times { key; value; } phpser_array_end(out);
 * with n the number of elements, known beforehand as PHP's format needs it.
 * Forms: a:N:{...}  i:N;  s:<bytes>:"...";  d:<float>;  b:0; b:1;  N;
 * Floats use serialize_precision=-1: d:100; d:-12.5; d:0.1; d:1.0E+25;
 * d:1.0E-5; d:-0; d:INF; d:-INF; d:NAN;
 *
 * Reader: one value into a cJSON tree. Arrays whose keys are 0..n-1 in
 * order become cJSON arrays, other arrays cJSON objects with the keys as
 * decimal text. Keys follow PHP: s:1:"5" and i:5 are the same key, a repeated
 * key keeps its first position and takes the last value. Ints and floats
 * become cJSON numbers (a double: ints beyond 2^53 lose precision), b: true
 * or false, N; null. Refused, giving NULL:
 *   - anything malformed or truncated, a length or count that overruns the
 *     input, ints that overflow int64 (PHP 8.2 clamps them with a warning);
 *   - objects and references (O: C: E: r: R:) and the old S: form;
 *   - strings or keys containing NUL (cJSON strings cannot hold them);
 *   - nesting deeper than PHPSER_MAX_DEPTH arrays (PHP allows 4096);
 *   - bytes after the value (PHP ignores them; PHP 8.3 warns).
 * The reader never reads outside [buf, buf+len) and needs no NUL at the end.
 * Float text is read with strtod(), so LC_NUMERIC must stay "C". */
#ifndef UBAPI_PHPSER_H
#define UBAPI_PHPSER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sbuf.h"

#define PHPSER_MAX_DEPTH 128

void phpser_array_begin(struct sbuf *out, size_t count);
void phpser_array_end(struct sbuf *out);
void phpser_key_int(struct sbuf *out, long long key);
/* PHP's key rule: "17" and "-3" are written i:17; i:-3;, "01" s:2:"01";. */
void phpser_key_str(struct sbuf *out, const char *key);
void phpser_string(struct sbuf *out, const char *s, size_t len);
void phpser_int(struct sbuf *out, long long v);
void phpser_float(struct sbuf *out, double v);
void phpser_bool(struct sbuf *out, bool v);
void phpser_null(struct sbuf *out);

/* A whole cJSON tree: arrays as lists, objects with phpser_key_str(),
 * numbers integral within int64 as i:, other numbers as d:. Returns 0, or
 * -1 with nothing appended for raw/invalid items, an object member without
 * a key, or nesting deeper than PHPSER_MAX_DEPTH. */
int phpser_write_json(const cJSON *item, struct sbuf *out);

/* Parses exactly one serialized value filling buf[0..len); NULL when it is
 * malformed or refused (see above). Free with cJSON_Delete(). */
cJSON *phpser_parse(const char *buf, size_t len);

#endif
