/* JSON text byte-identical to PHP 8 json_encode($v) with default flags
 * (DECISIONS 10, spec actions-accounts.md §1.5), printed from cJSON trees.
 *
 * What PHP does and this printer copies:
 *   - "/" is written "\/"; every non-ASCII character is "\uXXXX" with
 *     lowercase hex, characters above U+FFFF as a surrogate pair;
 *   - '"' '\\' and \b \f \n \r \t as usual, other bytes below 0x20 as
 *     "\u00XX"; < > & ' and DEL are written as they are;
 *   - invalid UTF-8 anywhere (string or key) makes json_encode() return
 *     false, i.e. an empty body: the print fails and appends nothing;
 *   - nesting deeper than 512 arrays/objects fails the same way;
 *   - integers as integers, floats in serialize_precision=-1 form
 *     (0.1, 12.5, 1.0e+25, 1.0e-5, -0); INF and NAN fail;
 *   - keys keep insertion order.
 *
 * Numbers: cJSON keeps only a double. A number that is integral and fits
 * int64 is printed as the PHP int it stands for ("100"); a PHP float with
 * that value prints the same up to 2^53. Beyond, PHP's float text differs
 * (2^55 as a float is "36028797018963970", 1e17 is "1.0e+17"): put such
 * values in the tree as strings or raw items. -0.0 prints "-0" (a float).
 *
 * Values read from the database stay the server's strings (DECISIONS 10):
 * put them in the tree with phpjson_dbval() (SQL NULL becomes null), never
 * re-parse them into numbers.
 *
 * Arrays versus objects. PHP decides per array: keys exactly 0..n-1 in
 * insertion order (an empty array included) print as a JSON list "[...]",
 * anything else as an object "{...}". A key that is a canonical decimal
 * integer string is an int key in PHP (see php_key_is_int), so
 * $a[$login] = ... with the single login "0" prints as a list.
 *   - phpjson_print() prints cJSON arrays as lists and cJSON objects as
 *     objects, "{}" when empty: right for trees built with the types meant.
 *   - phpjson_print_php() treats every cJSON object as a PHP array: it
 *     prints "[]" when empty and a list when phpjson_object_is_list().
 *     Use it when the PHP code built an array from data-dependent keys.
 *
 * cJSON_Raw items are copied verbatim (the caller vouches for them); any
 * invalid item type fails the print. */
#ifndef UBAPI_PHPJSON_H
#define UBAPI_PHPJSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "sbuf.h"

#define PHPJSON_MAX_DEPTH 512

/* Appends the JSON text of item to out; 0 on success, -1 (nothing appended)
 * where json_encode() would return false. */
int phpjson_print(const cJSON *item, struct sbuf *out);

/* As phpjson_print(), every object being a PHP array (see above). */
int phpjson_print_php(const cJSON *item, struct sbuf *out);

/* A JSON string of len bytes (NULs allowed): 0, or -1 with nothing appended
 * for invalid UTF-8. */
int phpjson_string(const char *s, size_t len, struct sbuf *out);

/* A database value as PHP's mysqli returns it: the server's text as a JSON
 * string, SQL NULL (s == NULL) as null. NULL only when out of memory. */
cJSON *phpjson_dbval(const char *s);

/* PHP's array-key rule: "0", "17", "-3", "9223372036854775807" are int keys;
 * "01", "+1", "-0", " 1", "1 ", "", "9223372036854775808" stay strings. */
bool php_key_is_int(const char *key);

/* As php_key_is_int(), also giving the value (v may be NULL). */
bool php_key_int(const char *key, long long *v);

/* True when obj is a cJSON object (or array) whose keys are "0".."n-1" in
 * order, i.e. a PHP list; true for an empty one. */
bool phpjson_object_is_list(const cJSON *obj);

#endif
